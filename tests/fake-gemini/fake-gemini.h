/* fake-gemini.h: a fake Gemini API server on loopback, for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * FakeGeminiRequest:
 * @method: the HTTP method
 * @path: the decoded path, e.g. "/v1beta/models/gemini-2.5-flash:generateContent"
 * @query: the raw query string without "?", or %NULL
 * @model: the model id taken from the path, or %NULL
 * @headers: lowercase header name -> value (repeated headers joined with ", ");
 *   use fake_gemini_request_get_header() for a case-insensitive lookup
 * @body: the request body (never %NULL, maybe empty)
 * @monotonic_time: g_get_monotonic_time() when the request arrived
 * @real_time: g_get_real_time() when the request arrived
 * @status: the HTTP status the fake answered with
 *
 * One request as the fake server received it. Immutable, reference counted.
 */
typedef struct _FakeGeminiRequest FakeGeminiRequest;

struct _FakeGeminiRequest
{
  char       *method;
  char       *path;
  char       *query;
  char       *model;
  GHashTable *headers;
  GBytes     *body;
  gint64      monotonic_time;
  gint64      real_time;
  guint       status;

  /*< private >*/
  gatomicrefcount ref_count;
};

#define FAKE_TYPE_GEMINI_REQUEST (fake_gemini_request_get_type ())

GType              fake_gemini_request_get_type   (void) G_GNUC_CONST;
FakeGeminiRequest *fake_gemini_request_ref        (FakeGeminiRequest *request);
void               fake_gemini_request_unref      (FakeGeminiRequest *request);
const char        *fake_gemini_request_get_header (FakeGeminiRequest *request,
                                                   const char        *name);
JsonNode          *fake_gemini_request_dup_json   (FakeGeminiRequest *request);
gboolean           fake_gemini_request_is_stream  (FakeGeminiRequest *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeGeminiRequest, fake_gemini_request_unref)

#define FAKE_GEMINI_DEFAULT_API_KEY "test-key"

#define FAKE_TYPE_GEMINI (fake_gemini_get_type ())

G_DECLARE_FINAL_TYPE (FakeGemini, fake_gemini, FAKE, GEMINI, GObject)

FakeGemini *fake_gemini_new                 (const char  *corpus_dir,
                                             GError     **error);
FakeGemini *fake_gemini_new_with_port       (const char  *corpus_dir,
                                             guint16      port,
                                             GError     **error);
const char *fake_gemini_get_base_url        (FakeGemini  *self);
guint16     fake_gemini_get_port            (FakeGemini  *self);
const char *fake_gemini_get_corpus_dir      (FakeGemini  *self);
void        fake_gemini_set_api_key         (FakeGemini  *self,
                                             const char  *key);
void        fake_gemini_set_verbose         (FakeGemini  *self,
                                             gboolean     verbose);
void        fake_gemini_route               (FakeGemini  *self,
                                             const char  *model,
                                             const char  *scenario);
gboolean    fake_gemini_try_route           (FakeGemini  *self,
                                             const char  *model,
                                             const char  *scenario,
                                             GError     **error);
void        fake_gemini_install_demo_routes (FakeGemini  *self);
GPtrArray  *fake_gemini_dup_requests        (FakeGemini  *self);
void        fake_gemini_clear_requests      (FakeGemini  *self);
guint       fake_gemini_get_request_count   (FakeGemini  *self);
void        fake_gemini_stop                (FakeGemini  *self);

char       *fake_gemini_escape_value        (const char  *value);

G_END_DECLS

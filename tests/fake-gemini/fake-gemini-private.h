/* fake-gemini-private.h: internals shared by the fake server's files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FAKE_GEMINI_ERROR (fake_gemini_error_quark ())

typedef enum
{
  FAKE_GEMINI_ERROR_BAD_SCENARIO,
  FAKE_GEMINI_ERROR_CORPUS,
} FakeGeminiError;

GQuark fake_gemini_error_quark (void);

/* What a route answers; immutable once parsed, shared between threads. */
typedef struct
{
  gatomicrefcount ref_count;

  char   *spec;

  /* body sources: at most one is set */
  char   *replay_path;          /* as written in the spec */
  GBytes *replay_bytes;         /* the file, byte for byte */
  guint   replay_status;        /* != 0 when the file is a JSON error body */
  GBytes *replay_unary_bytes;   /* what a unary request gets: the .json twin */
  guint   replay_unary_status;  /* 0 = 200; 400 when there is no unary twin */
  gboolean garbage;
  guint   huge_image_mb;
  char   *text;
  gboolean image_model;

  /* modifiers */
  gboolean thinking;
  gboolean sse_crlf;
  int     delay_ms;
  int     trickle_ms;           /* -1 = off */
  int     drop_after;           /* -1 = off */
  int     stall_after;          /* -1 = off */
  guint   status;               /* 0 = none */
  int     retry_after;          /* -1 = none */
  guint   fail_times;
  guint   html_status;          /* 0 = none */
  guint32 seed;
} FakeScenario;

FakeScenario *fake_scenario_parse (const char  *spec,
                                   const char  *corpus_dir,
                                   GError     **error);
FakeScenario *fake_scenario_ref   (FakeScenario *scenario);
void          fake_scenario_unref (FakeScenario *scenario);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeScenario, fake_scenario_unref)

char   *fake_corpus_resolve     (const char  *corpus_dir,
                                 const char  *relative);
GBytes *fake_corpus_load        (const char  *corpus_dir,
                                 const char  *relative,
                                 GError     **error);
guint   fake_json_error_status  (GBytes      *bytes);
const char *fake_json_get_string (JsonObject *object,
                                  const char *member);

/* Error bodies */
char   *fake_error_body         (guint        status,
                                 int          retry_after,
                                 const char  *message);
char   *fake_error_body_full    (guint        code,
                                 const char  *status_name,
                                 const char  *message);
char   *fake_html_error_page    (guint        status);

/* Models */
JsonNode *fake_models_list_page (const char  *page_token,
                                 int          page_size,
                                 const char * const *extra_models,
                                 GError     **error);
JsonNode *fake_models_lookup    (const char  *model_id,
                                 const char * const *extra_models);
gboolean  fake_models_can_generate (const char *model_id);

/* Generated answers */
typedef struct
{
  const char *model;
  gsize       request_size;
  gboolean    stream;
  gboolean    crlf;
} FakeAnswerContext;

/* Returns an array of GBytes: SSE events (each with its separator) for a
 * stream, or a single JSON body for a unary request. */
GPtrArray *fake_answer_text        (const FakeAnswerContext *ctx,
                                    const char              *text,
                                    gboolean                 thinking);
GPtrArray *fake_answer_image       (const FakeAnswerContext *ctx,
                                    const char              *text,
                                    gboolean                 thinking,
                                    GBytes                  *png,
                                    const char              *thought_signature);
GPtrArray *fake_answer_garbage     (gboolean                 stream,
                                    guint32                  seed);
GPtrArray *fake_sse_split_events   (GBytes                  *bytes);
char      *fake_sse_event_from_json (const char             *json,
                                     gboolean                crlf);
char      *fake_random_base64      (gsize                    n_bytes);
char      *fake_random_id          (gsize                    len);

/* PNG */
GBytes *fake_gemini_png_new         (guint   width,
                                     guint   height,
                                     guint32 seed);
GBytes *fake_gemini_png_new_of_size (gsize   approx_bytes,
                                     guint32 seed);

G_END_DECLS

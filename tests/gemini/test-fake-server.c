/* test-fake-server.c: the fake Gemini server, checked with a plain SoupSession
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fake-gemini.h"

#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <zlib.h>
#ifdef HAVE_GDK_PIXBUF
# include <gdk-pixbuf/gdk-pixbuf.h>
#endif

#define KEY FAKE_GEMINI_DEFAULT_API_KEY
#define PROMPT "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hello\"}]}]}"
#define N_BUILTIN_MODELS 13

typedef struct
{
  FakeGemini  *fake;
  SoupSession *session;
} Fixture;

/* No system proxy lookup: it would read GSettings schemas the tests lack. */
static SoupSession *
new_session (guint timeout)
{
  return soup_session_new_with_options ("proxy-resolver", NULL, "timeout", timeout, NULL);
}

static const char *
corpus_dir (void)
{
  const char *dir = g_getenv ("STARLING_CORPUS_DIR");

  g_assert_nonnull (dir);
  return dir;
}

static GBytes *
corpus_file (const char *relative)
{
  g_autofree char *path = g_build_filename (corpus_dir (), "recorded", relative, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (contents, len);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->fake = fake_gemini_new (corpus_dir (), &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->fake);
  f->session = new_session (0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->session);
  g_clear_object (&f->fake);
}

static SoupMessage *
new_message (Fixture    *f,
             const char *method,
             const char *path,
             const char *body)
{
  g_autofree char *url = g_strconcat (fake_gemini_get_base_url (f->fake), path, NULL);
  SoupMessage *msg = soup_message_new (method, url);

  g_assert_nonnull (msg);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "x-goog-api-key", KEY);

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  return msg;
}

static GBytes *
send_and_read (Fixture     *f,
               SoupMessage *msg)
{
  g_autoptr(GError) error = NULL;
  GBytes *body = soup_session_send_and_read (f->session, msg, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (body);

  return body;
}

static GBytes *
request (Fixture     *f,
         const char  *method,
         const char  *path,
         const char  *body,
         guint       *status)
{
  g_autoptr(SoupMessage) msg = new_message (f, method, path, body);
  GBytes *reply = send_and_read (f, msg);

  *status = soup_message_get_status (msg);
  return reply;
}

static JsonNode *
parse_json (GBytes *bytes)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  json_parser_load_from_data (parser, data, len, &error);
  g_assert_no_error (error);

  return json_node_ref (json_parser_get_root (parser));
}

static void
assert_bytes_equal (GBytes *a,
                    GBytes *b)
{
  gsize la = 0, lb = 0;
  const char *da = g_bytes_get_data (a, &la);
  const char *db = g_bytes_get_data (b, &lb);

  g_assert_cmpmem (da, la, db, lb);
}

static void
assert_api_error (GBytes     *body,
                  gint64      code,
                  const char *status)
{
  g_autoptr(JsonNode) root = parse_json (body);
  JsonObject *error = json_object_get_object_member (json_node_get_object (root), "error");

  g_assert_nonnull (error);
  g_assert_cmpint (json_object_get_int_member (error, "code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member (error, "status"), ==, status);
  g_assert_cmpstr (json_object_get_string_member (error, "message"), !=, "");
}

/* SSE events split by this test on its own, for "\n\n" or "\r\n\r\n". */
static GPtrArray *
sse_payloads (GBytes *body)
{
  GPtrArray *payloads = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_autoptr(GRegex) sep = g_regex_new ("\r?\n\r?\n", 0, 0, NULL);
  g_auto(GStrv) events = g_regex_split (sep, text, 0);

  for (guint i = 0; events[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;

      if (events[i][0] == '\0')
        continue;

      g_assert_true (g_str_has_prefix (events[i], "data: "));
      json_parser_load_from_data (parser, events[i] + 6, -1, &error);
      g_assert_no_error (error);
      g_ptr_array_add (payloads, json_node_ref (json_parser_get_root (parser)));
    }

  return payloads;
}

static JsonArray *
payload_parts (JsonNode *payload)
{
  JsonArray *candidates = json_object_get_array_member (json_node_get_object (payload), "candidates");
  JsonObject *content = json_object_get_object_member (json_array_get_object_element (candidates, 0),
                                                       "content");

  return json_object_get_array_member (content, "parts");
}

static const char *
payload_finish_reason (JsonNode *payload)
{
  JsonArray *candidates = json_object_get_array_member (json_node_get_object (payload), "candidates");

  return json_object_get_string_member_with_default (json_array_get_object_element (candidates, 0),
                                                     "finishReason", NULL);
}

/* Reads a streamed body; records when each piece arrived. */
typedef struct
{
  GByteArray *data;
  GArray     *arrivals;   /* gint64 µs since the request was sent */
  guint       n_reads;
  GError     *error;
  guint       status;
  char       *content_type;
  gint64      elapsed;
} StreamRead;

static void
stream_read_clear (StreamRead *r)
{
  g_clear_pointer (&r->data, g_byte_array_unref);
  g_clear_pointer (&r->arrivals, g_array_unref);
  g_clear_error (&r->error);
  g_clear_pointer (&r->content_type, g_free);
}

static void
read_stream (SoupSession *session,
             SoupMessage *msg,
             gsize        read_size,
             StreamRead  *r)
{
  g_autoptr(GInputStream) in = NULL;
  g_autofree guint8 *buffer = g_malloc (read_size);
  gint64 start = g_get_monotonic_time ();
  const char *ct;

  r->data = g_byte_array_new ();
  r->arrivals = g_array_new (FALSE, FALSE, sizeof (gint64));

  in = soup_session_send (session, msg, NULL, &r->error);
  if (in == NULL)
    return;

  r->status = soup_message_get_status (msg);
  ct = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);
  r->content_type = g_strdup (ct);

  for (;;)
    {
      gssize n = g_input_stream_read (in, buffer, read_size, NULL, &r->error);
      gint64 t = g_get_monotonic_time () - start;

      if (n <= 0)
        break;

      g_byte_array_append (r->data, buffer, n);
      g_array_append_val (r->arrivals, t);
      r->n_reads++;
    }

  r->elapsed = g_get_monotonic_time () - start;
  g_input_stream_close (in, NULL, NULL);
}

/* The first @n events of an SSE recording, found by this test's own split. */
static gsize
prefix_of_events (GBytes *file,
                  guint   n)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (file, &len);
  gsize offset = 0;

  for (guint i = 0; i < n; i++)
    {
      const char *crlf = g_strstr_len (data + offset, len - offset, "\r\n\r\n");
      const char *lf = g_strstr_len (data + offset, len - offset, "\n\n");

      if (crlf != NULL && (lf == NULL || crlf < lf))
        offset = crlf - data + 4;
      else
        {
          g_assert_nonnull (lf);
          offset = lf - data + 2;
        }
    }

  return offset;
}

/* Decodes a PNG with zlib (an implementation independent of the fake). */
static void
assert_png_decodes (const guint8 *png,
                    gsize         len,
                    guint        *width_out,
                    guint        *height_out)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autoptr(GByteArray) idat = g_byte_array_new ();
  g_autofree guint8 *raw = NULL;
  gsize offset = 8;
  guint width = 0, height = 0;
  gboolean seen_end = FALSE;
  uLongf raw_len;
  int rc;

  g_assert_cmpuint (len, >, 8);
  g_assert_cmpmem (png, 8, signature, 8);

  while (offset + 12 <= len && !seen_end)
    {
      guint32 chunk_len;
      const guint8 *type = png + offset + 4;
      const guint8 *data = png + offset + 8;
      guint32 crc;

      /* memcpy: PNG chunks are not 4-byte aligned. */
      memcpy (&chunk_len, png + offset, 4);
      chunk_len = GUINT32_FROM_BE (chunk_len);
      g_assert_cmpuint (offset + 12 + chunk_len, <=, len);
      memcpy (&crc, data + chunk_len, 4);
      crc = GUINT32_FROM_BE (crc);
      g_assert_cmpuint (crc, ==, crc32 (crc32 (0, type, 4), data, chunk_len));

      if (memcmp (type, "IHDR", 4) == 0)
        {
          memcpy (&width, data, 4);
          memcpy (&height, data + 4, 4);
          width = GUINT32_FROM_BE (width);
          height = GUINT32_FROM_BE (height);
          g_assert_cmpuint (data[8], ==, 8);
          g_assert_cmpuint (data[9], ==, 2);
        }
      else if (memcmp (type, "IDAT", 4) == 0)
        g_byte_array_append (idat, data, chunk_len);
      else if (memcmp (type, "IEND", 4) == 0)
        seen_end = TRUE;

      offset += 12 + chunk_len;
    }

  g_assert_true (seen_end);
  g_assert_cmpuint (width, >, 0);
  g_assert_cmpuint (height, >, 0);

  raw_len = (uLongf) height * (1 + (uLongf) width * 3);
  raw = g_malloc (raw_len + 1);
  {
    uLongf out_len = raw_len + 1;

    rc = uncompress (raw, &out_len, idat->data, idat->len);
    g_assert_cmpint (rc, ==, Z_OK);
    g_assert_cmpuint (out_len, ==, raw_len);
  }

  for (guint y = 0; y < height; y++)
    g_assert_cmpuint (raw[(gsize) y * (1 + width * 3)], <=, 4);

#ifdef HAVE_GDK_PIXBUF
  {
    g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new_with_type ("png", NULL);
    g_autoptr(GError) error = NULL;
    GdkPixbuf *pixbuf;

    g_assert_nonnull (loader);
    gdk_pixbuf_loader_write (loader, png, len, &error);
    g_assert_no_error (error);
    gdk_pixbuf_loader_close (loader, &error);
    g_assert_no_error (error);
    pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
    g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, width);
    g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, height);
  }
#endif

  *width_out = width;
  *height_out = height;
}

/* ---- models ---- */

static void
test_models_paging (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *token = NULL;
  guint pages = 0;
  guint status;

  /* default page: everything, no token */
  {
    g_autoptr(GBytes) body = request (f, "GET", "/v1beta/models", NULL, &status);
    g_autoptr(JsonNode) root = parse_json (body);
    JsonObject *obj = json_node_get_object (root);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "models")), ==,
                      N_BUILTIN_MODELS);
    g_assert_false (json_object_has_member (obj, "nextPageToken"));
  }

  /* pages of 5: 5, 5, 3 */
  do
    {
      g_autofree char *path = NULL;
      g_autoptr(GBytes) body = NULL;
      g_autoptr(JsonNode) root = NULL;
      JsonObject *obj;
      JsonArray *models;

      if (token != NULL)
        {
          g_autofree char *escaped = g_uri_escape_string (token, NULL, TRUE);

          path = g_strdup_printf ("/v1beta/models?pageSize=5&pageToken=%s", escaped);
        }
      else
        path = g_strdup ("/v1beta/models?pageSize=5");

      body = request (f, "GET", path, NULL, &status);
      g_assert_cmpuint (status, ==, 200);
      root = parse_json (body);
      obj = json_node_get_object (root);
      models = json_object_get_array_member (obj, "models");

      g_assert_cmpuint (json_array_get_length (models), ==, pages < 2 ? 5 : 3);

      for (guint i = 0; i < json_array_get_length (models); i++)
        {
          JsonObject *m = json_array_get_object_element (models, i);
          const char *name = json_object_get_string_member (m, "name");

          g_assert_true (g_str_has_prefix (name, "models/"));
          g_assert_true (json_object_has_member (m, "displayName"));
          g_assert_cmpint (json_object_get_int_member (m, "inputTokenLimit"), >, 0);
          g_assert_cmpint (json_object_get_int_member (m, "outputTokenLimit"), >, 0);
          g_assert_cmpuint (json_array_get_length (json_object_get_array_member (m, "supportedGenerationMethods")),
                            >, 0);
          g_assert_false (g_hash_table_contains (seen, name));
          g_hash_table_add (seen, g_strdup (name));

          if (strcmp (name, "models/gemini-2.5-pro") == 0)
            g_assert_true (json_object_get_boolean_member (m, "thinking"));
          if (strcmp (name, "models/text-embedding-004") == 0)
            {
              JsonArray *methods = json_object_get_array_member (m, "supportedGenerationMethods");

              g_assert_cmpuint (json_array_get_length (methods), ==, 1);
              g_assert_cmpstr (json_array_get_string_element (methods, 0), ==, "embedContent");
            }
        }

      g_clear_pointer (&token, g_free);
      if (json_object_has_member (obj, "nextPageToken"))
        token = g_strdup (json_object_get_string_member (obj, "nextPageToken"));
      pages++;
    }
  while (token != NULL && pages < 10);

  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpuint (g_hash_table_size (seen), ==, N_BUILTIN_MODELS);
  g_assert_true (g_hash_table_contains (seen, "models/gemini-2.5-flash"));
  g_assert_true (g_hash_table_contains (seen, "models/gemini-3-pro-preview"));
  g_assert_true (g_hash_table_contains (seen, "models/gemini-3-pro-image-preview"));
  g_assert_true (g_hash_table_contains (seen, "models/gemini-2.5-flash-image"));

  /* over the maximum: clamped, still everything */
  {
    g_autoptr(GBytes) body = request (f, "GET", "/v1beta/models?pageSize=5000", NULL, &status);
    g_autoptr(JsonNode) root = parse_json (body);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (root), "models")),
                      ==, N_BUILTIN_MODELS);
  }

  /* a bad token is a 400 */
  {
    g_autoptr(GBytes) body = request (f, "GET", "/v1beta/models?pageToken=bogus", NULL, &status);

    g_assert_cmpuint (status, ==, 400);
    assert_api_error (body, 400, "INVALID_ARGUMENT");
  }
}

static void
test_models_get (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) recorded = corpus_file ("googleai/unary-failure-unknown-model.json");
  guint status;

  {
    g_autoptr(GBytes) body = request (f, "GET", "/v1beta/models/gemini-2.5-flash", NULL, &status);
    g_autoptr(JsonNode) root = parse_json (body);
    JsonObject *m = json_node_get_object (root);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (m, "name"), ==, "models/gemini-2.5-flash");
    g_assert_cmpint (json_object_get_int_member (m, "inputTokenLimit"), ==, 1048576);
    g_assert_true (json_object_get_boolean_member (m, "thinking"));
  }

  {
    g_autoptr(GBytes) body = request (f, "GET", "/v1beta/models/gemini-5.0-flash", NULL, &status);

    g_assert_cmpuint (status, ==, 404);
    assert_bytes_equal (body, recorded);
  }

  {
    g_autoptr(GBytes) body = request (f, "POST", "/v1beta/models/gemini-5.0-flash:generateContent",
                                      PROMPT, &status);

    g_assert_cmpuint (status, ==, 404);
    assert_bytes_equal (body, recorded);
  }

  /* a routed model that is not built in is listed and served */
  fake_gemini_route (f->fake, "my-scripted-model", "text=hi there");
  {
    g_autoptr(GBytes) body = request (f, "GET", "/v1beta/models/my-scripted-model", NULL, &status);
    g_autoptr(JsonNode) root = parse_json (body);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "name"), ==,
                     "models/my-scripted-model");
  }
  {
    g_autoptr(GBytes) body = request (f, "GET", "/v1beta/models", NULL, &status);
    g_autoptr(JsonNode) root = parse_json (body);
    JsonArray *models = json_object_get_array_member (json_node_get_object (root), "models");

    g_assert_cmpuint (json_array_get_length (models), ==, N_BUILTIN_MODELS + 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (models, N_BUILTIN_MODELS),
                                                    "name"),
                     ==, "models/my-scripted-model");
  }
}

/* ---- auth ---- */

static guint
auth_attempt (Fixture    *f,
              const char *path,
              const char *header,
              const char *value,
              GBytes    **body_out)
{
  g_autofree char *url = g_strconcat (fake_gemini_get_base_url (f->fake), path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) request_body = g_bytes_new_static (PROMPT, strlen (PROMPT));

  soup_message_set_request_body_from_bytes (msg, "application/json", request_body);
  if (header != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), header, value);

  *body_out = send_and_read (f, msg);

  return soup_message_get_status (msg);
}

static void
test_auth (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GBytes) recorded = corpus_file ("googleai/unary-failure-api-key.json");
  g_autoptr(GPtrArray) requests = NULL;
  const char *path = "/v1beta/models/gemini-2.5-flash:generateContent";
  GBytes *body = NULL;

  g_assert_cmpuint (auth_attempt (f, path, NULL, NULL, &body), ==, 400);
  assert_bytes_equal (body, recorded);
  g_clear_pointer (&body, g_bytes_unref);

  g_assert_cmpuint (auth_attempt (f, path, "x-goog-api-key", "wrong", &body), ==, 400);
  assert_bytes_equal (body, recorded);
  g_clear_pointer (&body, g_bytes_unref);

  g_assert_cmpuint (auth_attempt (f, path, "Authorization", "Bearer wrong", &body), ==, 400);
  assert_bytes_equal (body, recorded);
  g_clear_pointer (&body, g_bytes_unref);

  g_assert_cmpuint (auth_attempt (f, path, "X-Goog-Api-Key", KEY, &body), ==, 200);
  g_clear_pointer (&body, g_bytes_unref);

  g_assert_cmpuint (auth_attempt (f, path, "Authorization", "Bearer " KEY, &body), ==, 200);
  g_clear_pointer (&body, g_bytes_unref);

  /* the right key in the URL is still refused, and recorded */
  g_assert_cmpuint (auth_attempt (f, "/v1beta/models/gemini-2.5-flash:generateContent?key=" KEY,
                                  NULL, NULL, &body), ==, 400);
  assert_bytes_equal (body, recorded);
  g_clear_pointer (&body, g_bytes_unref);

  requests = fake_gemini_dup_requests (f->fake);
  g_assert_cmpuint (requests->len, ==, 6);
  g_assert_cmpstr (((FakeGeminiRequest *) g_ptr_array_index (requests, 5))->query, ==, "key=" KEY);
  g_assert_cmpuint (((FakeGeminiRequest *) g_ptr_array_index (requests, 5))->status, ==, 400);

  /* the models list needs the key too */
  g_assert_cmpuint (auth_attempt (f, "/v1beta/models", "x-goog-api-key", "nope", &body), ==, 400);
  g_clear_pointer (&body, g_bytes_unref);

  /* no key configured: anything goes, except a key in the URL */
  fake_gemini_set_api_key (f->fake, NULL);
  g_assert_cmpuint (auth_attempt (f, path, NULL, NULL, &body), ==, 200);
  g_clear_pointer (&body, g_bytes_unref);
  g_assert_cmpuint (auth_attempt (f, "/v1beta/models/gemini-2.5-flash:generateContent?key=x",
                                  NULL, NULL, &body), ==, 400);
  g_clear_pointer (&body, g_bytes_unref);

  fake_gemini_set_api_key (f->fake, "another");
  g_assert_cmpuint (auth_attempt (f, path, "x-goog-api-key", "another", &body), ==, 200);
  g_clear_pointer (&body, g_bytes_unref);
}

/* ---- replay ---- */

static void
test_replay_framing (Fixture       *f,
                     gconstpointer  data)
{
  const char *files[] = {
    "googleai/streaming-success-basic-reply-long.txt",        /* \r\n\r\n */
    "googleai/streaming-success-finish-message.txt",          /* \n, no blank line at the end */
    "googleai/streaming-failure-prompt-blocked-safety.txt",   /* \n\n, ends with \r\n */
    "generative-ai-js/streaming-success-search-grounding.txt",
    "generative-ai-js/streaming-success-utf8.txt",
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *scenario = g_strdup_printf ("replay=%s", files[i]);
      g_autoptr(GBytes) recorded = corpus_file (files[i]);
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(GBytes) body = NULL;

      fake_gemini_route (f->fake, "gemini-2.5-flash", scenario);
      msg = new_message (f, "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", PROMPT);
      body = send_and_read (f, msg);

      g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
      g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL),
                       ==, "text/event-stream");
      assert_bytes_equal (body, recorded);
    }
}

static void
test_replay_errors_and_unary (Fixture       *f,
                              gconstpointer  data)
{
  const char *stream_path = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse";
  const char *unary_path = "/v1beta/models/gemini-2.5-flash:generateContent";
  guint status;

  /* a streamed request whose recording is a JSON error body */
  {
    g_autoptr(GBytes) recorded = corpus_file ("googleai/streaming-failure-image-rejected.txt");
    g_autoptr(GBytes) body = NULL;

    fake_gemini_route (f->fake, "gemini-2.5-flash", "replay=googleai/streaming-failure-image-rejected.txt");
    body = request (f, "POST", stream_path, PROMPT, &status);
    g_assert_cmpuint (status, ==, 400);
    assert_bytes_equal (body, recorded);
  }

  /* unary request on an SSE recording: its unary twin */
  {
    g_autoptr(GBytes) twin = corpus_file ("googleai/unary-success-basic-reply-short.json");
    g_autoptr(GBytes) body = NULL;

    fake_gemini_route (f->fake, "gemini-2.5-flash", "replay=googleai/streaming-success-basic-reply-short.txt");
    body = request (f, "POST", unary_path, PROMPT, &status);
    g_assert_cmpuint (status, ==, 200);
    assert_bytes_equal (body, twin);
  }

  /* ... and a 400 when it has none */
  {
    g_autoptr(GBytes) body = NULL;

    fake_gemini_route (f->fake, "gemini-2.5-flash", "replay=googleai/streaming-success-empty-parts.txt");
    body = request (f, "POST", unary_path, PROMPT, &status);
    g_assert_cmpuint (status, ==, 400);
    assert_api_error (body, 400, "INVALID_ARGUMENT");
  }

  /* unary JSON recordings as they are, errors with their own status */
  {
    g_autoptr(GBytes) recorded = corpus_file ("googleai/unary-success-citations.json");
    g_autoptr(GBytes) body = NULL;

    fake_gemini_route (f->fake, "gemini-2.5-flash", "replay=googleai/unary-success-citations.json");
    body = request (f, "POST", unary_path, PROMPT, &status);
    g_assert_cmpuint (status, ==, 200);
    assert_bytes_equal (body, recorded);
  }
  {
    g_autoptr(GBytes) recorded = corpus_file ("googleai/unary-failure-generativelanguage-api-not-enabled.json");
    g_autoptr(GBytes) body = NULL;

    fake_gemini_route (f->fake, "gemini-2.5-flash",
                       "replay=googleai/unary-failure-generativelanguage-api-not-enabled.json");
    body = request (f, "POST", unary_path, PROMPT, &status);
    g_assert_cmpuint (status, ==, 403);
    assert_bytes_equal (body, recorded);
  }

  /* a JSON recording asked for as a stream: one event */
  {
    g_autoptr(GBytes) body = NULL;
    g_autoptr(GPtrArray) payloads = NULL;

    fake_gemini_route (f->fake, "gemini-2.5-flash", "replay=googleai/unary-success-basic-reply-short.json");
    body = request (f, "POST", stream_path, PROMPT, &status);
    g_assert_cmpuint (status, ==, 200);
    payloads = sse_payloads (body);
    g_assert_cmpuint (payloads->len, ==, 1);
    g_assert_cmpstr (payload_finish_reason (g_ptr_array_index (payloads, 0)), ==, "STOP");
  }

  /* streamGenerateContent without alt=sse */
  {
    g_autoptr(GBytes) body = request (f, "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
                                      PROMPT, &status);

    g_assert_cmpuint (status, ==, 400);
    assert_api_error (body, 400, "INVALID_ARGUMENT");
  }

  /* a request without contents is refused like the real API does */
  {
    g_autoptr(GBytes) body = request (f, "POST", unary_path, "{\"contents\": []}", &status);

    g_assert_cmpuint (status, ==, 400);
    assert_api_error (body, 400, "INVALID_ARGUMENT");
  }
  {
    g_autoptr(GBytes) body = request (f, "POST", unary_path, "{not json", &status);

    g_assert_cmpuint (status, ==, 400);
    assert_api_error (body, 400, "INVALID_ARGUMENT");
  }
}

/* ---- recorded requests ---- */

static void
test_requests_recorded (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(JsonNode) json = NULL;
  FakeGeminiRequest *r;
  guint status;

  g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 0);

  {
    g_autoptr(SoupMessage) msg = new_message (f, "POST",
                                              "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
                                              PROMPT);
    g_autoptr(GBytes) body = NULL;

    soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Custom-Thing", "value 1");
    body = send_and_read (f, msg);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  }
  {
    g_autoptr(GBytes) body = request (f, "GET", "/v1beta/models?pageSize=2", NULL, &status);
    g_autoptr(JsonNode) root = parse_json (body);

    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (root), "models")),
                      ==, 2);
  }

  g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 2);
  requests = fake_gemini_dup_requests (f->fake);
  g_assert_cmpuint (requests->len, ==, 2);

  r = g_ptr_array_index (requests, 0);
  g_assert_cmpstr (r->method, ==, "POST");
  g_assert_cmpstr (r->path, ==, "/v1beta/models/gemini-2.5-flash:streamGenerateContent");
  g_assert_cmpstr (r->query, ==, "alt=sse");
  g_assert_cmpstr (r->model, ==, "gemini-2.5-flash");
  g_assert_true (fake_gemini_request_is_stream (r));
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (fake_gemini_request_get_header (r, "X-GOOG-API-KEY"), ==, KEY);
  g_assert_cmpstr (fake_gemini_request_get_header (r, "x-custom-thing"), ==, "value 1");
  g_assert_cmpstr (fake_gemini_request_get_header (r, "Content-Type"), ==, "application/json");
  g_assert_null (fake_gemini_request_get_header (r, "authorization"));
  g_assert_cmpmem (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body), PROMPT, strlen (PROMPT));
  json = fake_gemini_request_dup_json (r);
  g_assert_nonnull (json);
  g_assert_true (json_object_has_member (json_node_get_object (json), "contents"));
  g_assert_cmpint (r->real_time, >, 0);

  r = g_ptr_array_index (requests, 1);
  g_assert_cmpstr (r->method, ==, "GET");
  g_assert_cmpstr (r->path, ==, "/v1beta/models");
  g_assert_cmpstr (r->query, ==, "pageSize=2");
  g_assert_null (r->model);
  g_assert_cmpuint (g_bytes_get_size (r->body), ==, 0);
  g_assert_null (fake_gemini_request_dup_json (r));
  g_assert_cmpint (r->monotonic_time, >=,
                   ((FakeGeminiRequest *) g_ptr_array_index (requests, 0))->monotonic_time);

  fake_gemini_clear_requests (f->fake);
  g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 0);
  /* copies handed out earlier stay valid */
  g_assert_cmpstr (r->method, ==, "GET");
}

/* ---- generated answers ---- */

static void
test_text_answer (Fixture       *f,
                  gconstpointer  data)
{
  const char *stream_path = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse";
  guint status;

  for (guint crlf = 0; crlf < 2; crlf++)
    {
      g_autofree char *scenario = g_strdup_printf ("text=Hello there, semi\\;colon;thinking=1;sse_crlf=%u", crlf);
      g_autoptr(GBytes) body = NULL;
      g_autoptr(GPtrArray) payloads = NULL;
      g_autoptr(GString) answer = g_string_new (NULL);
      g_autofree char *text = NULL;
      JsonArray *first_parts;
      JsonObject *usage;

      fake_gemini_route (f->fake, "gemini-2.5-flash", scenario);
      body = request (f, "POST", stream_path, PROMPT, &status);
      g_assert_cmpuint (status, ==, 200);

      text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      if (crlf)
        {
          g_assert_true (g_str_has_suffix (text, "\r\n\r\n"));
          g_assert_null (strstr (text, "}\n\n"));
        }
      else
        {
          g_assert_true (g_str_has_suffix (text, "}\n\n"));
          g_assert_null (strstr (text, "\r"));
        }

      payloads = sse_payloads (body);
      g_assert_cmpuint (payloads->len, >=, 3);
      g_assert_cmpuint (payloads->len, <=, 4);

      first_parts = payload_parts (g_ptr_array_index (payloads, 0));
      g_assert_true (json_object_get_boolean_member (json_array_get_object_element (first_parts, 0), "thought"));

      for (guint i = 1; i < payloads->len; i++)
        {
          JsonArray *parts = payload_parts (g_ptr_array_index (payloads, i));
          JsonObject *part = json_array_get_object_element (parts, 0);

          g_assert_false (json_object_has_member (part, "thought"));
          g_string_append (answer, json_object_get_string_member (part, "text"));
          if (i + 1 < payloads->len)
            g_assert_null (payload_finish_reason (g_ptr_array_index (payloads, i)));
        }

      g_assert_cmpstr (answer->str, ==, "Hello there, semi;colon");
      g_assert_cmpstr (payload_finish_reason (g_ptr_array_index (payloads, payloads->len - 1)), ==, "STOP");
      usage = json_object_get_object_member (json_node_get_object (g_ptr_array_index (payloads, payloads->len - 1)),
                                             "usageMetadata");
      g_assert_cmpint (json_object_get_int_member (usage, "totalTokenCount"), ==,
                       json_object_get_int_member (usage, "promptTokenCount") +
                       json_object_get_int_member (usage, "candidatesTokenCount") +
                       json_object_get_int_member (usage, "thoughtsTokenCount"));
      g_assert_cmpint (json_object_get_int_member (usage, "thoughtsTokenCount"), >, 0);
    }

  /* unary: one body with both parts */
  {
    g_autoptr(GBytes) body = NULL;
    g_autoptr(JsonNode) root = NULL;
    JsonArray *parts;

    body = request (f, "POST", "/v1beta/models/gemini-2.5-flash:generateContent", PROMPT, &status);
    g_assert_cmpuint (status, ==, 200);
    root = parse_json (body);
    parts = payload_parts (root);
    g_assert_cmpuint (json_array_get_length (parts), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (parts, 1), "text"), ==,
                     "Hello there, semi;colon");
    g_assert_cmpstr (payload_finish_reason (root), ==, "STOP");
  }

  /* a known model with no route still answers */
  {
    g_autoptr(GBytes) body = request (f, "POST", "/v1beta/models/gemini-2.5-pro:generateContent", PROMPT,
                                      &status);
    g_autoptr(JsonNode) root = parse_json (body);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpstr (payload_finish_reason (root), ==, "STOP");
  }

  /* "*" catches every model without a route of its own */
  fake_gemini_route (f->fake, "*", "status=500");
  {
    g_autoptr(GBytes) body = request (f, "POST", "/v1beta/models/gemini-2.5-pro:generateContent", PROMPT,
                                      &status);

    g_assert_cmpuint (status, ==, 500);
    assert_api_error (body, 500, "INTERNAL");
  }
}

/* ---- faults ---- */

static void
test_delay (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GPtrArray) payloads = NULL;
  g_autoptr(GBytes) body = NULL;
  StreamRead r = { 0, };

  fake_gemini_route (f->fake, "gemini-2.5-flash", "text=one two three four;delay_ms=150");
  msg = new_message (f, "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", PROMPT);
  read_stream (f->session, msg, 64 * 1024, &r);

  g_assert_no_error (r.error);
  g_assert_cmpuint (r.status, ==, 200);
  body = g_bytes_new (r.data->data, r.data->len);
  payloads = sse_payloads (body);
  g_assert_cmpuint (payloads->len, ==, 2);

  /* the events arrive apart, not in one piece */
  g_assert_cmpuint (r.n_reads, >=, 2);
  g_assert_cmpint (g_array_index (r.arrivals, gint64, 0), >=, 140 * 1000);
  g_assert_cmpint (g_array_index (r.arrivals, gint64, r.n_reads - 1), >=, 290 * 1000);
  g_assert_cmpint (r.elapsed, <, 5 * G_USEC_PER_SEC);

  stream_read_clear (&r);
}

static void
test_trickle (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GBytes) recorded = corpus_file ("googleai/streaming-success-finish-message.txt");
  g_autoptr(GBytes) body = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  StreamRead r = { 0, };

  fake_gemini_route (f->fake, "gemini-2.5-flash",
                     "replay=googleai/streaming-success-finish-message.txt;trickle_ms=1");
  msg = new_message (f, "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", PROMPT);
  read_stream (f->session, msg, 64 * 1024, &r);

  g_assert_no_error (r.error);
  body = g_bytes_new (r.data->data, r.data->len);
  assert_bytes_equal (body, recorded);

  /* one byte per millisecond: many small reads, about a third of a second */
  g_assert_cmpuint (r.n_reads, >, g_bytes_get_size (recorded) / 4);
  g_assert_cmpint (r.elapsed, >=, (gint64) g_bytes_get_size (recorded) * 1000 * 9 / 10);

  stream_read_clear (&r);
}

/* Sends one request over a bare socket and reads until the server closes,
 * to see the HTTP framing itself (libsoup hides a missing final chunk). */
static GBytes *
raw_exchange (Fixture    *f,
              const char *path)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autofree char *head = NULL;
  guint8 buffer[4096];

  g_socket_client_set_enable_proxy (client, FALSE);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", fake_gemini_get_port (f->fake), NULL, &error);
  g_assert_no_error (error);

  head = g_strdup_printf ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nx-goog-api-key: " KEY "\r\n"
                          "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                          "Connection: close\r\n\r\n" PROMPT,
                          path, strlen (PROMPT));
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), head, strlen (head),
                             NULL, NULL, &error);
  g_assert_no_error (error);

  for (;;)
    {
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (conn)),
                                      buffer, sizeof buffer, NULL, &error);

      g_assert_no_error (error);
      if (n == 0)
        break;
      g_byte_array_append (data, buffer, n);
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

/* Undoes chunked transfer coding; tells whether the final 0 chunk came. */
static GBytes *
dechunk (GBytes   *raw,
         gboolean *complete)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (raw, &len);
  const char *end_of_head = g_strstr_len (data, len, "\r\n\r\n");
  g_autoptr(GByteArray) body = g_byte_array_new ();
  const char *p;

  g_assert_nonnull (end_of_head);
  g_assert_true (g_str_has_prefix (data, "HTTP/1.1 200 OK\r\n"));
  g_assert_nonnull (g_strstr_len (data, end_of_head - data, "Transfer-Encoding: chunked"));

  *complete = FALSE;
  p = end_of_head + 4;
  while (p < data + len)
    {
      char *after = NULL;
      guint64 size = g_ascii_strtoull (p, &after, 16);

      g_assert_true (after[0] == '\r' && after[1] == '\n');
      p = after + 2;
      if (size == 0)
        {
          g_assert_cmpmem (p, data + len - p, "\r\n", 2);
          *complete = TRUE;
          break;
        }
      g_assert_true (p + size + 2 <= data + len);
      g_byte_array_append (body, (const guint8 *) p, size);
      p += size + 2;
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&body));
}

static void
test_drop (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GBytes) recorded = corpus_file ("googleai/streaming-success-basic-reply-long.txt");
  const char *stream_path = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse";

  /* as a control: a normal replay ends with the final chunk */
  {
    g_autoptr(GBytes) raw = NULL;
    g_autoptr(GBytes) body = NULL;
    gboolean complete;

    fake_gemini_route (f->fake, "gemini-2.5-flash", "replay=googleai/streaming-success-basic-reply-long.txt");
    raw = raw_exchange (f, stream_path);
    body = dechunk (raw, &complete);
    g_assert_true (complete);
    assert_bytes_equal (body, recorded);
  }

  for (guint k = 0; k < 3; k++)
    {
      g_autofree char *scenario =
        g_strdup_printf ("replay=googleai/streaming-success-basic-reply-long.txt;drop_after=%u;delay_ms=5", k);
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(GBytes) raw = NULL;
      g_autoptr(GBytes) body = NULL;
      gboolean complete;
      StreamRead r = { 0, };

      fake_gemini_route (f->fake, "gemini-2.5-flash", scenario);

      /* on the wire: K events, then the connection closes with no final chunk */
      raw = raw_exchange (f, stream_path);
      body = dechunk (raw, &complete);
      g_assert_false (complete);
      g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                       g_bytes_get_data (recorded, NULL), prefix_of_events (recorded, k));

      /* libsoup 3.2 reports a close between two chunks as a plain end of
       * body, so a client must notice the missing finishReason itself */
      msg = new_message (f, "POST", stream_path, PROMPT);
      read_stream (f->session, msg, 4096, &r);
      g_assert_cmpuint (r.status, ==, 200);
      if (r.error != NULL)
        g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
      g_assert_cmpmem (r.data->data, r.data->len,
                       g_bytes_get_data (recorded, NULL), prefix_of_events (recorded, k));

      stream_read_clear (&r);
    }

  /* beyond the last event: everything, still no final chunk */
  {
    g_autoptr(GBytes) raw = NULL;
    g_autoptr(GBytes) body = NULL;
    gboolean complete;

    fake_gemini_route (f->fake, "gemini-2.5-flash",
                       "replay=googleai/streaming-success-basic-reply-long.txt;drop_after=1000");
    raw = raw_exchange (f, stream_path);
    body = dechunk (raw, &complete);
    g_assert_false (complete);
    assert_bytes_equal (body, recorded);
  }

  /* a unary answer cut in the middle */
  {
    g_autoptr(GBytes) twin = corpus_file ("googleai/unary-success-basic-reply-long.json");
    g_autoptr(SoupMessage) msg = NULL;
    StreamRead r = { 0, };

    fake_gemini_route (f->fake, "gemini-2.5-flash",
                       "replay=googleai/streaming-success-basic-reply-long.txt;drop_after=1");
    msg = new_message (f, "POST", "/v1beta/models/gemini-2.5-flash:generateContent", PROMPT);
    read_stream (f->session, msg, 4096, &r);

    g_assert_cmpuint (r.status, ==, 200);
    g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
    g_assert_cmpmem (r.data->data, r.data->len,
                     g_bytes_get_data (twin, NULL), g_bytes_get_size (twin) / 2);
    stream_read_clear (&r);
  }

  /* the server survives: the next request is fine */
  {
    g_autoptr(GBytes) body = NULL;
    guint status;

    fake_gemini_route (f->fake, "gemini-2.5-flash", "text=still here");
    body = request (f, "POST", "/v1beta/models/gemini-2.5-flash:generateContent", PROMPT, &status);
    g_assert_cmpuint (status, ==, 200);
  }
}

static void
test_stall (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GBytes) recorded = corpus_file ("googleai/streaming-success-basic-reply-long.txt");
  g_autoptr(SoupSession) impatient = new_session (1);
  g_autoptr(SoupMessage) msg = NULL;
  StreamRead r = { 0, };

  fake_gemini_route (f->fake, "gemini-2.5-flash",
                     "replay=googleai/streaming-success-basic-reply-long.txt;stall_after=2");
  msg = new_message (f, "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", PROMPT);
  read_stream (impatient, msg, 4096, &r);

  g_assert_cmpuint (r.status, ==, 200);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpmem (r.data->data, r.data->len,
                   g_bytes_get_data (recorded, NULL), prefix_of_events (recorded, 2));
  g_assert_cmpint (r.elapsed, >=, 900 * 1000);

  stream_read_clear (&r);
}

static void
test_garbage (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *bytes;

  fake_gemini_route (f->fake, "gemini-2.5-flash", "garbage=1");
  msg = new_message (f, "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", PROMPT);
  body = send_and_read (f, msg);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL),
                   ==, "text/event-stream");
  bytes = g_bytes_get_data (body, &len);
  g_assert_cmpuint (len, >, 200);
  g_assert_false (json_parser_load_from_data (parser, bytes, len, NULL));
  g_assert_false (g_utf8_validate (bytes, len, NULL));
  g_assert_nonnull (g_strstr_len (bytes, len, "data: "));
}

static void
test_huge_image (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GPtrArray) payloads = NULL;
  g_autofree guchar *png = NULL;
  JsonNode *last;
  JsonArray *parts;
  JsonObject *inline_data;
  gsize png_len = 0;
  guint width, height;

  fake_gemini_route (f->fake, "gemini-2.5-flash-image", "huge_image_mb=3");
  msg = new_message (f, "POST", "/v1beta/models/gemini-2.5-flash-image:streamGenerateContent?alt=sse", PROMPT);
  body = send_and_read (f, msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);

  payloads = sse_payloads (body);
  g_assert_cmpuint (payloads->len, ==, 2);
  last = g_ptr_array_index (payloads, 1);
  g_assert_cmpstr (payload_finish_reason (last), ==, "STOP");
  parts = payload_parts (last);
  inline_data = json_object_get_object_member (json_array_get_object_element (parts, 0), "inlineData");
  g_assert_cmpstr (json_object_get_string_member (inline_data, "mimeType"), ==, "image/png");

  png = g_base64_decode (json_object_get_string_member (inline_data, "data"), &png_len);
  g_assert_cmpuint (png_len, >, 3 * 1024 * 1024 * 95 / 100);
  g_assert_cmpuint (png_len, <, 3 * 1024 * 1024 * 105 / 100);
  assert_png_decodes (png, png_len, &width, &height);
  g_assert_cmpuint (width, ==, 1024);
  g_assert_cmpuint (height, >, 1000);
}

static GBytes *
image_turn (Fixture    *f,
            JsonArray  *contents,
            gboolean    stream,
            guint      *status)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) obj = json_object_new ();
  g_autofree char *text = NULL;

  json_object_set_array_member (obj, "contents", json_array_ref (contents));
  json_node_set_object (root, obj);
  text = json_to_string (root, FALSE);

  return request (f, "POST",
                  stream ? "/v1beta/models/gemini-3-pro-image-preview:streamGenerateContent?alt=sse"
                         : "/v1beta/models/gemini-3-pro-image-preview:generateContent",
                  text, status);
}

static void
add_user_turn (JsonArray  *contents,
               const char *text)
{
  JsonObject *turn = json_object_new ();
  JsonArray *parts = json_array_new ();
  JsonObject *part = json_object_new ();

  json_object_set_string_member (part, "text", text);
  json_array_add_object_element (parts, part);
  json_object_set_string_member (turn, "role", "user");
  json_object_set_array_member (turn, "parts", parts);
  json_array_add_object_element (contents, turn);
}

/* Joins the streamed parts of one answer the way a client would. */
static JsonArray *
collect_parts (GPtrArray *payloads)
{
  JsonArray *all = json_array_new ();

  for (guint i = 0; i < payloads->len; i++)
    {
      JsonArray *parts = payload_parts (g_ptr_array_index (payloads, i));

      for (guint j = 0; j < json_array_get_length (parts); j++)
        json_array_add_element (all, json_node_copy (json_array_get_element (parts, j)));
    }

  return all;
}

static void
test_image_model (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JsonArray) contents = json_array_new ();
  g_autoptr(JsonArray) answer = NULL;
  g_autoptr(GPtrArray) payloads = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree guchar *png = NULL;
  g_autofree char *signature = NULL;
  JsonObject *image_part;
  JsonObject *model_turn;
  gsize png_len = 0;
  guint width, height;
  guint status;

  fake_gemini_route (f->fake, "gemini-3-pro-image-preview", "image_model=1");

  /* turn 1 */
  add_user_turn (contents, "Draw a red circle");
  body = image_turn (f, contents, TRUE, &status);
  g_assert_cmpuint (status, ==, 200);
  payloads = sse_payloads (body);
  answer = collect_parts (payloads);
  g_assert_cmpuint (json_array_get_length (answer), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (answer, 0), "text"),
                   ==, "Here is your image.");
  image_part = json_array_get_object_element (answer, 1);
  g_assert_true (json_object_has_member (image_part, "inlineData"));
  signature = g_strdup (json_object_get_string_member (image_part, "thoughtSignature"));
  g_assert_cmpuint (strlen (signature), >, 40);
  png = g_base64_decode (json_object_get_string_member (json_object_get_object_member (image_part, "inlineData"),
                                                        "data"), &png_len);
  assert_png_decodes (png, png_len, &width, &height);
  g_assert_cmpuint (width, ==, 64);
  g_assert_cmpuint (height, ==, 64);

  /* turn 2, the model turn sent back as received: accepted */
  model_turn = json_object_new ();
  json_object_set_string_member (model_turn, "role", "model");
  json_object_set_array_member (model_turn, "parts", json_array_ref (answer));
  json_array_add_object_element (contents, model_turn);
  add_user_turn (contents, "Make it blue");
  g_clear_pointer (&body, g_bytes_unref);
  body = image_turn (f, contents, FALSE, &status);
  g_assert_cmpuint (status, ==, 200);
  {
    g_autoptr(JsonNode) root = parse_json (body);
    JsonArray *parts = payload_parts (root);

    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (parts, 0), "text"),
                     ==, "Here is your image, edited (version 2).");
    g_assert_true (json_object_has_member (json_array_get_object_element (parts, 1), "thoughtSignature"));
  }

  /* the signature lost: refused, with the position of the part */
  json_object_remove_member (image_part, "thoughtSignature");
  g_clear_pointer (&body, g_bytes_unref);
  body = image_turn (f, contents, TRUE, &status);
  g_assert_cmpuint (status, ==, 400);
  assert_api_error (body, 400, "INVALID_ARGUMENT");
  {
    g_autoptr(JsonNode) root = parse_json (body);
    const char *message = json_object_get_string_member (json_object_get_object_member (json_node_get_object (root),
                                                                                         "error"), "message");

    g_assert_true (g_str_has_prefix (message,
                                     "Image part is missing a thought_signature in content position 2, "
                                     "part position 2."));
  }

  /* a signature the server never issued: refused too */
  json_object_set_string_member (image_part, "thoughtSignature", "bm90IGEgcmVhbCBzaWduYXR1cmU=");
  g_clear_pointer (&body, g_bytes_unref);
  body = image_turn (f, contents, TRUE, &status);
  g_assert_cmpuint (status, ==, 400);
  assert_api_error (body, 400, "INVALID_ARGUMENT");

  /* the right one again: accepted */
  json_object_set_string_member (image_part, "thoughtSignature", signature);
  g_clear_pointer (&body, g_bytes_unref);
  body = image_turn (f, contents, TRUE, &status);
  g_assert_cmpuint (status, ==, 200);
}

static void
test_fail_times (Fixture       *f,
                 gconstpointer  data)
{
  const char *path = "/v1beta/models/gemini-2.5-flash:generateContent";
  guint status;

  fake_gemini_route (f->fake, "gemini-2.5-flash", "status=503;fail_times=2;text=finally");

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GBytes) body = request (f, "POST", path, PROMPT, &status);

      g_assert_cmpuint (status, ==, 503);
      assert_api_error (body, 503, "UNAVAILABLE");
    }

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GBytes) body = request (f, "POST", path, PROMPT, &status);
      g_autoptr(JsonNode) root = parse_json (body);

      g_assert_cmpuint (status, ==, 200);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (payload_parts (root), 0),
                                                      "text"), ==, "finally");
    }

  /* a new route starts counting again */
  fake_gemini_route (f->fake, "gemini-2.5-flash", "status=429;retry_after=3;fail_times=1");
  {
    g_autoptr(SoupMessage) msg = new_message (f, "POST", path, PROMPT);
    g_autoptr(GBytes) body = send_and_read (f, msg);

    g_assert_cmpuint (soup_message_get_status (msg), ==, 429);
    assert_api_error (body, 429, "RESOURCE_EXHAUSTED");
    g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After"),
                     ==, "3");
  }
  {
    g_autoptr(GBytes) body = request (f, "POST", path, PROMPT, &status);
    g_autoptr(JsonNode) root = parse_json (body);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpstr (payload_finish_reason (root), ==, "STOP");
  }
}

static void
test_status_bodies (Fixture       *f,
                    gconstpointer  data)
{
  const struct { guint code; const char *status; } cases[] = {
    { 400, "INVALID_ARGUMENT" }, { 401, "UNAUTHENTICATED" }, { 403, "PERMISSION_DENIED" },
    { 404, "NOT_FOUND" }, { 408, "DEADLINE_EXCEEDED" }, { 429, "RESOURCE_EXHAUSTED" },
    { 500, "INTERNAL" }, { 502, "UNAVAILABLE" }, { 503, "UNAVAILABLE" }, { 504, "DEADLINE_EXCEEDED" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *scenario = g_strdup_printf ("status=%u", cases[i].code);
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(GBytes) body = NULL;

      fake_gemini_route (f->fake, "gemini-2.5-flash", scenario);
      msg = new_message (f, "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", PROMPT);
      body = send_and_read (f, msg);

      g_assert_cmpuint (soup_message_get_status (msg), ==, cases[i].code);
      g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL),
                       ==, "application/json");
      g_assert_null (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After"));
      assert_api_error (body, cases[i].code, cases[i].status);
    }

  /* 429 with Retry-After and a RetryInfo detail */
  {
    g_autoptr(SoupMessage) msg = NULL;
    g_autoptr(GBytes) body = NULL;
    g_autoptr(JsonNode) root = NULL;
    JsonArray *details;
    gboolean found = FALSE;

    fake_gemini_route (f->fake, "gemini-2.5-flash", "status=429;retry_after=7");
    msg = new_message (f, "POST", "/v1beta/models/gemini-2.5-flash:generateContent", PROMPT);
    body = send_and_read (f, msg);

    g_assert_cmpuint (soup_message_get_status (msg), ==, 429);
    g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After"),
                     ==, "7");
    root = parse_json (body);
    details = json_object_get_array_member (json_object_get_object_member (json_node_get_object (root), "error"),
                                            "details");
    for (guint i = 0; i < json_array_get_length (details); i++)
      {
        JsonObject *d = json_array_get_object_element (details, i);

        if (g_strcmp0 (json_object_get_string_member (d, "@type"),
                       "type.googleapis.com/google.rpc.RetryInfo") == 0)
          {
            g_assert_cmpstr (json_object_get_string_member (d, "retryDelay"), ==, "7s");
            found = TRUE;
          }
      }
    g_assert_true (found);
  }

  /* an HTML page from a gateway */
  {
    g_autoptr(SoupMessage) msg = NULL;
    g_autoptr(GBytes) body = NULL;
    g_autofree char *text = NULL;

    fake_gemini_route (f->fake, "gemini-2.5-flash", "html_status=502");
    msg = new_message (f, "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", PROMPT);
    body = send_and_read (f, msg);

    g_assert_cmpuint (soup_message_get_status (msg), ==, 502);
    g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL),
                     ==, "text/html");
    text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
    g_assert_nonnull (strstr (text, "<title>502 Bad Gateway</title>"));
  }
}

static void
test_scenario_errors (Fixture       *f,
                      gconstpointer  data)
{
  const char *bad[] = {
    "colour=blue",
    "delay_ms=soon",
    "status=200",
    "replay=googleai/no-such-file.txt",
    "replay=../etc/passwd",
    "text=a;garbage=1",
    "drop_after=1;stall_after=1",
    "thinking",
    "text=bad \\q escape",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (fake_gemini_try_route (f->fake, "gemini-2.5-flash", bad[i], &error));
      g_assert_nonnull (error);
    }

  {
    g_autoptr(GError) error = NULL;

    g_assert_true (fake_gemini_try_route (f->fake, "gemini-2.5-flash", "text=x;seed=4;", &error));
    g_assert_no_error (error);
  }

  {
    g_autofree char *escaped = fake_gemini_escape_value ("a;b\\c\nd");

    g_assert_cmpstr (escaped, ==, "a\\;b\\\\c\\nd");
  }
}

static void
test_demo_routes (Fixture       *f,
                  gconstpointer  data)
{
  guint status;

  fake_gemini_install_demo_routes (f->fake);

  {
    g_autoptr(GBytes) body = request (f, "POST", "/v1beta/models/gemini-error-demo:generateContent", PROMPT,
                                      &status);

    g_assert_cmpuint (status, ==, 503);
    assert_api_error (body, 503, "UNAVAILABLE");
  }

  {
    g_autoptr(GBytes) body = request (f, "POST",
                                      "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
                                      PROMPT, &status);
    g_autoptr(GPtrArray) payloads = sse_payloads (body);
    g_autoptr(GString) text = g_string_new (NULL);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpuint (payloads->len, >, 10);
    for (guint i = 0; i < payloads->len; i++)
      g_string_append (text, json_object_get_string_member (json_array_get_object_element (payload_parts (g_ptr_array_index (payloads, i)), 0), "text"));
    g_assert_true (g_str_has_prefix (text->str, "# Brewing a better cup of coffee\n"));
    g_assert_nonnull (strstr (text->str, "```python\n"));
    g_assert_nonnull (strstr (text->str, "| Method | Grind | Time |"));
    g_assert_nonnull (strstr (text->str, "weigh your beans; scoops"));
  }

  {
    g_autoptr(GBytes) recorded = corpus_file ("googleai/streaming-success-thinking-reply-thought-summary.txt");
    g_autoptr(GBytes) body = request (f, "POST",
                                      "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
                                      PROMPT, &status);

    g_assert_cmpuint (status, ==, 200);
    assert_bytes_equal (body, recorded);
  }

  {
    g_autoptr(GBytes) body = request (f, "GET", "/v1beta/models/gemini-2.5-flash-grounded", NULL, &status);
    g_autoptr(JsonNode) root = parse_json (body);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "name"), ==,
                     "models/gemini-2.5-flash-grounded");
  }
}

static void
test_stop (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *url = g_strconcat (fake_gemini_get_base_url (f->fake), "/v1beta/models", NULL);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) fresh = new_session (0);

  g_assert_true (g_str_has_prefix (fake_gemini_get_base_url (f->fake), "http://127.0.0.1:"));
  g_assert_cmpuint (fake_gemini_get_port (f->fake), >, 0);

  /* a stalled stream must not keep the server from stopping */
  fake_gemini_route (f->fake, "gemini-2.5-flash", "text=abc def;stall_after=1");
  {
    g_autoptr(SoupMessage) stalled = new_message (f, "POST",
                                                  "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
                                                  PROMPT);
    g_autoptr(GInputStream) in = soup_session_send (f->session, stalled, NULL, &error);

    char first[6] = { 0, };

    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (stalled), ==, 200);
    g_input_stream_read_all (in, first, sizeof first, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpmem (first, sizeof first, "data: ", 6);

    fake_gemini_stop (f->fake);
    fake_gemini_stop (f->fake);
  }

  msg = soup_message_new ("GET", url);
  body = soup_session_send_and_read (fresh, msg, NULL, &error);
  g_assert_null (body);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

/* ---- the program ---- */

static void
test_program (void)
{
  const char *argv[] = {
    FAKE_GEMINI_PROGRAM, "--port", "0", "--corpus", corpus_dir (), "--key", "k2",
    "--route", "gemini-2.5-flash=text=From the program", "--quiet", NULL
  };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) session = new_session (0);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) request_body = g_bytes_new_static (PROMPT, strlen (PROMPT));
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *line = NULL;
  g_autofree char *url = NULL;
  JsonParser *parser;

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on http://127.0.0.1:"));

  url = g_strconcat (line + strlen ("listening on "), "/v1beta/models/gemini-2.5-flash:generateContent", NULL);
  msg = soup_message_new ("POST", url);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", "Bearer k2");
  soup_message_set_request_body_from_bytes (msg, "application/json", request_body);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);

  parser = json_parser_new ();
  json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  g_assert_no_error (error);
  root = json_node_ref (json_parser_get_root (parser));
  g_object_unref (parser);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (payload_parts (root), 0), "text"),
                   ==, "From the program");

  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

static void
test_program_bad_route (void)
{
  const char *argv[] = {
    FAKE_GEMINI_PROGRAM, "--corpus", corpus_dir (), "--route", "gemini-2.5-flash=nonsense=1", NULL
  };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/fake/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("models/paging", test_models_paging);
  ADD ("models/get", test_models_get);
  ADD ("auth", test_auth);
  ADD ("replay/framing", test_replay_framing);
  ADD ("replay/errors-and-unary", test_replay_errors_and_unary);
  ADD ("requests/recorded", test_requests_recorded);
  ADD ("answer/text", test_text_answer);
  ADD ("fault/delay", test_delay);
  ADD ("fault/trickle", test_trickle);
  ADD ("fault/drop", test_drop);
  ADD ("fault/stall", test_stall);
  ADD ("fault/garbage", test_garbage);
  ADD ("fault/fail-times", test_fail_times);
  ADD ("fault/status-bodies", test_status_bodies);
  ADD ("answer/huge-image", test_huge_image);
  ADD ("answer/image-model", test_image_model);
  ADD ("scenario/errors", test_scenario_errors);
  ADD ("demo", test_demo_routes);
  ADD ("stop", test_stop);
  g_test_add_func ("/fake/program/serve", test_program);
  g_test_add_func ("/fake/program/bad-route", test_program_bad_route);

#undef ADD

  return g_test_run ();
}

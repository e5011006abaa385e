/* test-client.c: GemClient against the fake server, over loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "corpus-expectations.h"
#include "fake-gemini.h"
#include "gem-client.h"
#include "gem-error.h"
#include "gem-model-info.h"
#include "gem-response.h"
#include "gem-sse-decoder.h"

#define KEY   FAKE_GEMINI_DEFAULT_API_KEY
#define MODEL "test-model"

typedef struct
{
  FakeGemini *fake;
  GemClient  *client;
} Fixture;

typedef struct
{
  GMainLoop    *loop;
  GemResponse  *response;
  GemResponse  *partial;
  GError       *error;
  gint64        finished_at;

  guint         n_deltas;
  GString      *streamed_text;
  GThread      *delta_thread;
  gboolean      delta_on_context_owner;

  guint         n_retries;
  guint         retry_numbers[8];
  guint         retry_delays[8];

  /* cancel after this many deltas (0: never) */
  guint         cancel_after_deltas;
  GCancellable *cancellable;
  gint64        cancelled_at;
} Run;

/* Debug messages of the "Gemini" domain, captured while a test asks for them. */
static GPtrArray *captured_debug;

static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  if (captured_debug != NULL)
    {
      const char *domain = NULL;
      const char *message = NULL;

      for (gsize i = 0; i < n_fields; i++)
        {
          if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
            domain = fields[i].value;
          else if (g_str_equal (fields[i].key, "MESSAGE"))
            message = fields[i].value;
        }

      if (g_strcmp0 (domain, "Gemini") == 0 && message != NULL)
        g_ptr_array_add (captured_debug, g_strdup (message));
    }

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static const char *
corpus_dir (void)
{
  const char *dir = g_getenv ("STARLING_CORPUS_DIR");

  g_assert_nonnull (dir);
  return dir;
}

static JsonNode *
simple_request (const char *prompt)
{
  g_autofree char *text = g_strdup_printf ("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"%s\"}]}]}",
                                           prompt);

  return json_from_string (text, NULL);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->fake = fake_gemini_new (corpus_dir (), &error);
  g_assert_no_error (error);

  f->client = gem_client_new (fake_gemini_get_base_url (f->fake), KEY);
  /* Fast retries; each test that checks the schedule sets its own. */
  gem_client_set_retry_base_delay_ms (f->client, 10);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->client);
  g_clear_object (&f->fake);
}

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->loop, g_main_loop_unref);
  g_clear_object (&run->response);
  g_clear_object (&run->partial);
  g_clear_error (&run->error);
  g_clear_object (&run->cancellable);
  if (run->streamed_text != NULL)
    g_string_free (run->streamed_text, TRUE);
  run->streamed_text = NULL;
}

static void
delta_received_cb (GemClient    *client,
                   GemResponse  *response,
                   JsonObject   *chunk,
                   GCancellable *cancellable,
                   Run          *run)
{
  g_assert_true (GEM_IS_RESPONSE (response));
  g_assert_nonnull (chunk);

  run->n_deltas++;
  run->delta_thread = g_thread_self ();
  run->delta_on_context_owner = g_main_context_is_owner (g_main_context_get_thread_default ()
                                                         ? g_main_context_get_thread_default ()
                                                         : g_main_context_default ());
  g_string_assign (run->streamed_text, gem_response_get_text (response));

  if (run->cancel_after_deltas != 0 && run->n_deltas == run->cancel_after_deltas)
    {
      run->cancelled_at = g_get_monotonic_time ();
      g_cancellable_cancel (run->cancellable);
    }
}

static void
retrying_cb (GemClient    *client,
             guint         retry,
             guint         delay_ms,
             const GError *error,
             GCancellable *cancellable,
             Run          *run)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == GEM_ERROR);

  if (run->n_retries < G_N_ELEMENTS (run->retry_numbers))
    {
      run->retry_numbers[run->n_retries] = retry;
      run->retry_delays[run->n_retries] = delay_ms;
    }
  run->n_retries++;
}

static void
generate_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;

  run->finished_at = g_get_monotonic_time ();
  run->response = gem_client_generate_finish (GEM_CLIENT (object), result,
                                              &run->partial, &run->error);
  g_assert_true ((run->response == NULL) != (run->error == NULL));
  g_assert_true (run->partial == NULL || run->error != NULL);
  g_main_loop_quit (run->loop);
}

static void
run_generate (GemClient  *client,
              const char *model,
              gboolean    stream,
              Run        *run)
{
  g_autoptr(JsonNode) request = simple_request ("Hello");
  gulong delta_id;
  gulong retry_id;

  run->loop = g_main_loop_new (g_main_context_get_thread_default (), FALSE);
  run->streamed_text = g_string_new (NULL);
  if (run->cancellable == NULL)
    run->cancellable = g_cancellable_new ();

  delta_id = g_signal_connect (client, "delta-received", G_CALLBACK (delta_received_cb), run);
  retry_id = g_signal_connect (client, "retrying", G_CALLBACK (retrying_cb), run);

  gem_client_generate_async (client, model, request,
                             stream ? GEM_GENERATE_FLAGS_STREAM : GEM_GENERATE_FLAGS_NONE,
                             run->cancellable, generate_cb, run);
  g_main_loop_run (run->loop);

  g_signal_handler_disconnect (client, delta_id);
  g_signal_handler_disconnect (client, retry_id);
}

/* The text of the first @n events of a recorded stream, merged by the parser. */
static char *
recorded_prefix_text (const char *relative,
                      guint       n)
{
  g_autofree char *path = g_build_filename (corpus_dir (), relative, NULL);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GemResponse) response = gem_response_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_auto(GStrv) lines = NULL;
  gsize len;
  guint count = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);

  /* The recordings put one JSON object on each `data:` line. */
  lines = g_strsplit (data, "\n", -1);
  for (guint i = 0; lines[i] != NULL && count < n; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (!g_str_has_prefix (line, "data:"))
        continue;

      gem_response_merge_event (response, line + 5, strlen (line + 5), &error);
      g_assert_no_error (error);
      count++;
    }

  g_assert_cmpuint (count, ==, n);

  return g_strdup (gem_response_get_text (response));
}

/* ---- the corpus, row by row ---- */

static void
test_corpus (Fixture       *f,
             gconstpointer  data)
{
  for (guint i = 0; i < corpus_expectations_count; i++)
    {
      const CorpusExpectation *row = &corpus_expectations[i];
      g_autofree char *scenario = g_strdup_printf ("replay=%s", row->path);
      g_autofree char *mismatch = NULL;
      Run run = { 0 };

      fake_gemini_clear_requests (f->fake);
      fake_gemini_route (f->fake, MODEL, scenario);

      run_generate (f->client, MODEL, row->streaming, &run);

      mismatch = corpus_expectation_check (row,
                                           run.response ? run.response : run.partial,
                                           run.error);
      if (mismatch != NULL)
        g_error ("%s (%s): %s", row->path, row->streaming ? "streamed" : "unary", mismatch);

      /* A refused or finished request is never sent twice. */
      g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 1);
      g_assert_cmpuint (run.n_retries, ==, 0);

      if (row->streaming && row->http_status == 200)
        {
          g_assert_cmpuint (run.n_deltas, ==, row->n_events);
          g_assert_cmpuint (run.streamed_text->len, ==, row->text_len);
        }
      else
        g_assert_cmpuint (run.n_deltas, ==, 0);

      if (row->error_code == CORPUS_NO_ERROR)
        g_assert_no_error (run.error);
      else
        g_assert_error (run.error, GEM_ERROR, row->error_code);

      g_test_message ("%s: ok", row->path);
      run_clear (&run);
    }
}

/* ---- faults ---- */

static void
test_drop_after (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *expected = recorded_prefix_text ("recorded/googleai/streaming-success-basic-reply-long.txt", 2);
  Run run = { 0 };

  fake_gemini_route (f->fake, MODEL,
                     "replay=googleai/streaming-success-basic-reply-long.txt;delay_ms=5;drop_after=2");
  run_generate (f->client, MODEL, TRUE, &run);

  g_assert_error (run.error, GEM_ERROR, GEM_ERROR_INTERRUPTED);
  g_assert_null (run.response);
  g_assert_nonnull (run.partial);
  g_assert_cmpstr (gem_response_get_text (run.partial), ==, expected);
  g_assert_cmpuint (strlen (expected), >, 0);
  g_assert_cmpuint (run.n_deltas, ==, 2);
  /* Part of the answer came: sending again would duplicate it. */
  g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 1);
  g_assert_cmpuint (run.n_retries, ==, 0);

  run_clear (&run);
}

static void
test_retry_then_success (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) requests = NULL;
  const guint base = 150;
  Run run = { 0 };

  gem_client_set_retry_base_delay_ms (f->client, base);
  fake_gemini_route (f->fake, MODEL, "status=503;fail_times=2;text=Recovered after two failures");
  run_generate (f->client, MODEL, TRUE, &run);

  g_assert_no_error (run.error);
  g_assert_cmpstr (gem_response_get_text (run.response), ==, "Recovered after two failures");

  requests = fake_gemini_dup_requests (f->fake);
  g_assert_cmpuint (requests->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      FakeGeminiRequest *request = g_ptr_array_index (requests, i);
      g_assert_cmpuint (request->status, ==, i < 2 ? 503 : 200);
    }

  /* Exponential: at least the base delay, then at least twice it. */
  for (guint i = 1; i < 3; i++)
    {
      FakeGeminiRequest *before = g_ptr_array_index (requests, i - 1);
      FakeGeminiRequest *after = g_ptr_array_index (requests, i);
      gint64 gap_ms = (after->monotonic_time - before->monotonic_time) / 1000;

      g_test_message ("gap %u: %" G_GINT64_FORMAT " ms", i, gap_ms);
      g_assert_cmpint (gap_ms, >=, base << (i - 1));
    }

  g_assert_cmpuint (run.n_retries, ==, 2);
  g_assert_cmpuint (run.retry_numbers[0], ==, 1);
  g_assert_cmpuint (run.retry_numbers[1], ==, 2);
  g_assert_cmpuint (run.retry_delays[0], >=, base);
  g_assert_cmpuint (run.retry_delays[1], >=, 2 * base);
  g_assert_cmpuint (run.retry_delays[1], <=, 2 * base + base / 2);

  run_clear (&run);
}

static void
test_retry_exhausted (Fixture       *f,
                      gconstpointer  data)
{
  Run run = { 0 };

  gem_client_set_max_retries (f->client, 2);
  fake_gemini_route (f->fake, MODEL, "status=500");
  run_generate (f->client, MODEL, FALSE, &run);

  g_assert_error (run.error, GEM_ERROR, GEM_ERROR_SERVER_ERROR);
  g_assert_cmpuint (gem_error_get_http_status (run.error), ==, 500);
  g_assert_cmpstr (gem_error_get_api_status (run.error), ==, "INTERNAL");
  g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 3);
  g_assert_cmpuint (run.n_retries, ==, 2);
  g_assert_null (run.partial);

  run_clear (&run);
}

static void
test_retry_after (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) requests = NULL;
  FakeGeminiRequest *first;
  FakeGeminiRequest *second;
  Run run = { 0 };

  gem_client_set_max_retries (f->client, 1);
  fake_gemini_route (f->fake, MODEL, "status=429;retry_after=1;fail_times=1;text=After the pause");
  run_generate (f->client, MODEL, TRUE, &run);

  g_assert_no_error (run.error);
  g_assert_cmpstr (gem_response_get_text (run.response), ==, "After the pause");

  requests = fake_gemini_dup_requests (f->fake);
  g_assert_cmpuint (requests->len, ==, 2);
  first = g_ptr_array_index (requests, 0);
  second = g_ptr_array_index (requests, 1);
  g_assert_cmpuint (first->status, ==, 429);
  /* The server's Retry-After wins over the 10 ms base delay. */
  g_assert_cmpint (second->monotonic_time - first->monotonic_time, >=, G_USEC_PER_SEC);
  g_assert_cmpuint (run.n_retries, ==, 1);
  g_assert_cmpuint (run.retry_delays[0], >=, 1000);

  run_clear (&run);
}

static void
test_no_retry_on_client_error (Fixture       *f,
                               gconstpointer  data)
{
  Run run = { 0 };

  fake_gemini_route (f->fake, MODEL, "status=400");
  run_generate (f->client, MODEL, TRUE, &run);

  g_assert_error (run.error, GEM_ERROR, GEM_ERROR_BAD_REQUEST);
  g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 1);
  g_assert_cmpuint (run.n_retries, ==, 0);

  run_clear (&run);
}

static void
test_html_status (Fixture       *f,
                  gconstpointer  data)
{
  Run run = { 0 };

  gem_client_set_max_retries (f->client, 0);
  fake_gemini_route (f->fake, MODEL, "html_status=502");
  run_generate (f->client, MODEL, TRUE, &run);

  g_assert_error (run.error, GEM_ERROR, GEM_ERROR_SERVER_ERROR);
  g_assert_cmpuint (gem_error_get_http_status (run.error), ==, 502);
  g_assert_nonnull (strstr (run.error->message, "HTTP 502"));
  g_assert_nonnull (strstr (run.error->message, "Bad Gateway"));
  g_assert_null (strstr (run.error->message, "<html>"));
  g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 1);

  run_clear (&run);
}

static void
test_garbage (Fixture       *f,
              gconstpointer  data)
{
  Run run = { 0 };

  fake_gemini_route (f->fake, MODEL, "garbage=1");
  run_generate (f->client, MODEL, TRUE, &run);

  g_assert_error (run.error, GEM_ERROR, GEM_ERROR_MALFORMED_RESPONSE);
  g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 1);

  run_clear (&run);
}

static void
test_stall_timeout (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *expected = recorded_prefix_text ("recorded/googleai/streaming-success-basic-reply-long.txt", 3);
  gint64 started;
  gint64 elapsed_ms;
  Run run = { 0 };

  gem_client_set_idle_timeout (f->client, 1);
  fake_gemini_route (f->fake, MODEL,
                     "replay=googleai/streaming-success-basic-reply-long.txt;stall_after=3");

  started = g_get_monotonic_time ();
  run_generate (f->client, MODEL, TRUE, &run);
  elapsed_ms = (run.finished_at - started) / 1000;

  g_assert_error (run.error, GEM_ERROR, GEM_ERROR_TIMEOUT);
  g_assert_nonnull (run.partial);
  g_assert_cmpstr (gem_response_get_text (run.partial), ==, expected);
  g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 1);
  g_test_message ("timed out after %" G_GINT64_FORMAT " ms", elapsed_ms);
  g_assert_cmpint (elapsed_ms, >=, 1000);
  g_assert_cmpint (elapsed_ms, <, 3000);

  run_clear (&run);
}

static void
test_cancel_mid_stream (Fixture       *f,
                        gconstpointer  data)
{
  gint64 latency_us;
  Run run = { 0 };

  fake_gemini_route (f->fake, MODEL,
                     "replay=googleai/streaming-success-basic-reply-long.txt;delay_ms=200");
  run.cancel_after_deltas = 2;
  run_generate (f->client, MODEL, TRUE, &run);

  latency_us = run.finished_at - run.cancelled_at;
  g_test_message ("cancelled in %" G_GINT64_FORMAT " µs", latency_us);

  g_assert_error (run.error, GEM_ERROR, GEM_ERROR_CANCELLED);
  g_assert_cmpint (latency_us, <, 100 * 1000);
  g_assert_nonnull (run.partial);
  g_assert_cmpuint (run.n_deltas, ==, 2);
  g_assert_cmpstr (gem_response_get_text (run.partial), ==, run.streamed_text->str);
  g_assert_cmpuint (strlen (gem_response_get_text (run.partial)), >, 0);

  run_clear (&run);
}

static void
retrying_cancel_cb (GemClient    *client,
                    guint         retry,
                    guint         delay_ms,
                    const GError *error,
                    GCancellable *cancellable,
                    Run          *run)
{
  g_assert_cmpuint (delay_ms, >=, 5000);
  g_assert_true (cancellable == run->cancellable);
  run->cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
}

static void
test_cancel_during_backoff (Fixture       *f,
                            gconstpointer  data)
{
  gint64 latency_us;
  gulong id;
  Run run = { 0 };

  gem_client_set_retry_base_delay_ms (f->client, 5000);
  fake_gemini_route (f->fake, MODEL, "status=503");
  run.cancellable = g_cancellable_new ();
  id = g_signal_connect (f->client, "retrying", G_CALLBACK (retrying_cancel_cb), &run);
  run_generate (f->client, MODEL, TRUE, &run);
  g_signal_handler_disconnect (f->client, id);

  latency_us = run.finished_at - run.cancelled_at;
  g_test_message ("cancelled in %" G_GINT64_FORMAT " µs", latency_us);

  g_assert_error (run.error, GEM_ERROR, GEM_ERROR_CANCELLED);
  g_assert_cmpint (latency_us, <, 100 * 1000);
  g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 1);
  g_assert_null (run.partial);

  run_clear (&run);
}

static void
test_cancel_before_start (Fixture       *f,
                          gconstpointer  data)
{
  Run run = { 0 };

  run.cancellable = g_cancellable_new ();
  g_cancellable_cancel (run.cancellable);
  fake_gemini_route (f->fake, MODEL, "text=Never sent");
  run_generate (f->client, MODEL, TRUE, &run);

  g_assert_error (run.error, GEM_ERROR, GEM_ERROR_CANCELLED);
  g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 0);

  run_clear (&run);
}

static void
test_bad_key (Fixture       *f,
              gconstpointer  data)
{
  Run run = { 0 };

  gem_client_set_api_key (f->client, "not-the-key");
  fake_gemini_route (f->fake, MODEL, "text=Never seen");
  run_generate (f->client, MODEL, TRUE, &run);

  g_assert_error (run.error, GEM_ERROR, GEM_ERROR_INVALID_KEY);
  g_assert_cmpuint (gem_error_get_http_status (run.error), ==, 400);
  g_assert_cmpstr (gem_error_get_reason (run.error), ==, "API_KEY_INVALID");
  g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 1);

  run_clear (&run);
}

static void
test_no_key (Fixture       *f,
             gconstpointer  data)
{
  Run run = { 0 };

  gem_client_set_api_key (f->client, NULL);
  run_generate (f->client, MODEL, TRUE, &run);

  g_assert_error (run.error, GEM_ERROR, GEM_ERROR_NO_KEY);
  g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 0);

  run_clear (&run);
}

static void
assert_key_only_in_header (Fixture    *f,
                           const char *key)
{
  g_autoptr(GPtrArray) requests = fake_gemini_dup_requests (f->fake);

  g_assert_cmpuint (requests->len, >, 0);
  for (guint i = 0; i < requests->len; i++)
    {
      FakeGeminiRequest *request = g_ptr_array_index (requests, i);
      gsize body_len;
      const char *body = g_bytes_get_data (request->body, &body_len);

      g_assert_null (strstr (request->path, key));
      if (request->query != NULL)
        {
          g_assert_null (strstr (request->query, key));
          g_assert_null (strstr (request->query, "key="));
        }
      g_assert_null (body != NULL ? g_strstr_len (body, body_len, key) : NULL);
    }
}

static void
test_key_never_in_url (Fixture       *f,
                       gconstpointer  data)
{
  const char *key = "secret-key-4711";
  g_autoptr(GPtrArray) requests = NULL;
  Run run = { 0 };
  Run run2 = { 0 };
  Run run3 = { 0 };

  fake_gemini_set_api_key (f->fake, key);
  gem_client_set_api_key (f->client, key);
  fake_gemini_route (f->fake, MODEL, "text=A secret is kept");

  run_generate (f->client, MODEL, TRUE, &run);
  g_assert_no_error (run.error);
  run_generate (f->client, MODEL, FALSE, &run2);
  g_assert_no_error (run2.error);
  fake_gemini_route (f->fake, MODEL, "status=503;fail_times=1;text=Again");
  run_generate (f->client, MODEL, TRUE, &run3);
  g_assert_no_error (run3.error);

  assert_key_only_in_header (f, key);

  requests = fake_gemini_dup_requests (f->fake);
  g_assert_cmpuint (requests->len, ==, 4);
  for (guint i = 0; i < requests->len; i++)
    {
      FakeGeminiRequest *request = g_ptr_array_index (requests, i);

      g_assert_cmpstr (fake_gemini_request_get_header (request, "x-goog-api-key"), ==, key);
      g_assert_null (fake_gemini_request_get_header (request, "Authorization"));
      g_assert_cmpstr (fake_gemini_request_get_header (request, "User-Agent"), ==,
                       "Starling/" PACKAGE_VERSION);
      g_assert_cmpstr (request->method, ==, "POST");
    }

  /* The paths the API documents. */
  g_assert_cmpstr (((FakeGeminiRequest *) g_ptr_array_index (requests, 0))->path, ==,
                   "/v1beta/models/" MODEL ":streamGenerateContent");
  g_assert_cmpstr (((FakeGeminiRequest *) g_ptr_array_index (requests, 0))->query, ==, "alt=sse");
  g_assert_cmpstr (((FakeGeminiRequest *) g_ptr_array_index (requests, 1))->path, ==,
                   "/v1beta/models/" MODEL ":generateContent");
  g_assert_null (((FakeGeminiRequest *) g_ptr_array_index (requests, 1))->query);

  run_clear (&run);
  run_clear (&run2);
  run_clear (&run3);
}

static void
test_bearer (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) requests = NULL;
  FakeGeminiRequest *request;
  Run run = { 0 };

  gem_client_set_auth_style (f->client, GEM_AUTH_STYLE_BEARER);
  fake_gemini_route (f->fake, MODEL, "text=Bearer works");
  run_generate (f->client, MODEL, TRUE, &run);

  g_assert_no_error (run.error);
  g_assert_cmpstr (gem_response_get_text (run.response), ==, "Bearer works");

  requests = fake_gemini_dup_requests (f->fake);
  g_assert_cmpuint (requests->len, ==, 1);
  request = g_ptr_array_index (requests, 0);
  g_assert_cmpstr (fake_gemini_request_get_header (request, "Authorization"), ==, "Bearer " KEY);
  g_assert_null (fake_gemini_request_get_header (request, "x-goog-api-key"));
  assert_key_only_in_header (f, KEY);

  run_clear (&run);
}

static void
test_unary_text (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(JsonNode) sent = NULL;
  Run run = { 0 };

  fake_gemini_route (f->fake, MODEL, "text=One piece, all at once.");
  run_generate (f->client, "models/" MODEL, FALSE, &run);

  g_assert_no_error (run.error);
  g_assert_cmpstr (gem_response_get_text (run.response), ==, "One piece, all at once.");
  g_assert_cmpstr (gem_response_get_finish_reason (run.response), ==, "STOP");
  g_assert_cmpuint (run.n_deltas, ==, 0);

  /* The request body goes out as given. */
  requests = fake_gemini_dup_requests (f->fake);
  sent = fake_gemini_request_dup_json (g_ptr_array_index (requests, 0));
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (
                       json_object_get_array_member (
                         json_array_get_object_element (
                           json_object_get_array_member (json_node_get_object (sent), "contents"), 0),
                         "parts"), 0),
                     "text"), ==, "Hello");

  run_clear (&run);
}

static void
test_connection_refused (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  guint16 port;
  Run run = { 0 };

  /* A port that was free a moment ago, now closed again. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);

  url = g_strdup_printf ("http://127.0.0.1:%u", port);
  gem_client_set_base_url (f->client, url);
  gem_client_set_max_retries (f->client, 2);
  run_generate (f->client, MODEL, TRUE, &run);

  g_assert_error (run.error, GEM_ERROR, GEM_ERROR_NETWORK);
  g_assert_nonnull (strstr (run.error->message, "127.0.0.1"));
  g_assert_cmpuint (run.n_retries, ==, 2);
  g_assert_null (run.partial);

  run_clear (&run);
}

static void
test_debug_log_redacted (Fixture       *f,
                         gconstpointer  data)
{
  const char *key = "debug-secret-0815";
  gboolean saw_request = FALSE;
  Run run = { 0 };
  Run run2 = { 0 };

  captured_debug = g_ptr_array_new_with_free_func (g_free);

  fake_gemini_set_api_key (f->fake, key);
  gem_client_set_api_key (f->client, key);
  fake_gemini_route (f->fake, MODEL, "status=503;fail_times=1;text=Logged, but not the key");
  run_generate (f->client, MODEL, TRUE, &run);
  g_assert_no_error (run.error);

  gem_client_set_auth_style (f->client, GEM_AUTH_STYLE_BEARER);
  gem_client_set_api_key (f->client, "another-secret-1234");
  run_generate (f->client, MODEL, FALSE, &run2);
  g_assert_error (run2.error, GEM_ERROR, GEM_ERROR_INVALID_KEY);

  g_assert_cmpuint (captured_debug->len, >, 0);
  for (guint i = 0; i < captured_debug->len; i++)
    {
      const char *message = g_ptr_array_index (captured_debug, i);

      g_assert_null (strstr (message, key));
      g_assert_null (strstr (message, "another-secret-1234"));
      if (strstr (message, ":streamGenerateContent") != NULL && strstr (message, "[redacted]") != NULL)
        saw_request = TRUE;
    }
  g_assert_true (saw_request);

  g_clear_pointer (&captured_debug, g_ptr_array_unref);
  run_clear (&run);
  run_clear (&run2);
}

static void
test_silent_server (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  gint64 started;
  guint16 port;
  Run run = { 0 };

  /* The kernel accepts the connection; nobody ever answers. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);

  url = g_strdup_printf ("http://127.0.0.1:%u", port);
  gem_client_set_base_url (f->client, url);
  gem_client_set_idle_timeout (f->client, 1);

  started = g_get_monotonic_time ();
  run_generate (f->client, MODEL, TRUE, &run);

  g_assert_error (run.error, GEM_ERROR, GEM_ERROR_TIMEOUT);
  g_assert_cmpint (run.finished_at - started, >=, G_USEC_PER_SEC);
  g_assert_cmpint (run.finished_at - started, <, 3 * G_USEC_PER_SEC);
  /* The server may be working on it: not sent twice. */
  g_assert_cmpuint (run.n_retries, ==, 0);
  g_assert_null (run.partial);

  run_clear (&run);
}

static void
mid_stream_error_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  static const char body[] =
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Half \"}], \"role\": \"model\"}}]}\r\n\r\n"
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"an answer\"}], \"role\": \"model\"}}]}\r\n\r\n"
    "{\n"
    "  \"error\": {\n"
    "    \"code\": 499,\n"
    "    \"message\": \"The operation was cancelled.\",\n"
    "    \"status\": \"CANCELLED\"\n"
    "  }\n"
    "}\n";
  guint *hits = user_data;

  (*hits)++;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/event-stream", SOUP_MEMORY_STATIC, body, strlen (body));
}

static void
test_mid_stream_error (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  GSList *uris;
  guint hits = 0;
  Run run = { 0 };

  soup_server_add_handler (server, NULL, mid_stream_error_cb, &hits, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  gem_client_set_base_url (f->client, url);
  run_generate (f->client, MODEL, TRUE, &run);

  g_assert_nonnull (run.error);
  g_assert_true (run.error->domain == GEM_ERROR);
  g_assert_cmpstr (gem_error_get_api_status (run.error), ==, "CANCELLED");
  g_assert_cmpstr (gem_error_get_api_message (run.error), ==, "The operation was cancelled.");
  g_assert_nonnull (run.partial);
  g_assert_cmpstr (gem_response_get_text (run.partial), ==, "Half an answer");
  g_assert_cmpuint (run.n_deltas, ==, 2);
  g_assert_cmpuint (run.n_retries, ==, 0);
  g_assert_cmpuint (hits, ==, 1);

  run_clear (&run);
}

/* A self-signed certificate no system trusts (CN starling-test.invalid). */
static const char untrusted_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIBmDCCAT2gAwIBAgIUOg8c34MIOKZVK/dFCZvsHgJ5264wCgYIKoZIzj0EAwIw\n"
  "IDEeMBwGA1UEAwwVc3RhcmxpbmctdGVzdC5pbnZhbGlkMCAXDTI2MTEyNTE4MDM1\n"
  "N1oYDzIxMjYxMTAxMTgwMzU3WjAgMR4wHAYDVQQDDBVzdGFybGluZy10ZXN0Lmlu\n"
  "dmFsaWQwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARc8jfXPHxKKNlh05L3mPQ0\n"
  "6gpNy0t7/QtDhp7gQEKqTyPTTb2kCeFZpkr+PDR7xtgWzoupeOq6rLIwJXdOhyL0\n"
  "o1MwUTAdBgNVHQ4EFgQUtvIZ7XJDwelodSpdDPhEOnW5EP0wHwYDVR0jBBgwFoAU\n"
  "tvIZ7XJDwelodSpdDPhEOnW5EP0wDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQD\n"
  "AgNJADBGAiEAkR/9+8lfYEiVgkW+Otwdd6daOJORogJv9nHYah0tZCMCIQD25I6K\n"
  "NwyDkcQ4FoFq+C5As4aJq74IAKcB5c3QC7SW9g==\n"
  "-----END CERTIFICATE-----\n"
  "-----BEGIN PRIVATE KEY-----\n"
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgMQZQP3SovQ9W10J8\n"
  "mKqyGL8mzq8Cm9x3yXZ0Y3nmAwChRANCAARc8jfXPHxKKNlh05L3mPQ06gpNy0t7\n"
  "/QtDhp7gQEKqTyPTTb2kCeFZpkr+PDR7xtgWzoupeOq6rLIwJXdOhyL0\n"
  "-----END PRIVATE KEY-----\n";

static void
untrusted_server_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  guint *hits = user_data;

  (*hits)++;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

static void
test_untrusted_certificate (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  GSList *uris;
  guint hits = 0;
  Run run = { 0 };

  certificate = g_tls_certificate_new_from_pem (untrusted_pem, -1, &error);
  g_assert_no_error (error);

  server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (server, NULL, untrusted_server_cb, &hits, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_HTTPS | SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("https://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  gem_client_set_base_url (f->client, url);
  run_generate (f->client, MODEL, TRUE, &run);

  g_assert_error (run.error, GEM_ERROR, GEM_ERROR_TLS);
  g_assert_nonnull (strstr (run.error->message, "127.0.0.1"));
  g_test_message ("%s", run.error->message);
  /* Certificate problems do not go away by retrying, and the request never left. */
  g_assert_cmpuint (run.n_retries, ==, 0);
  g_assert_cmpuint (hits, ==, 0);

  run_clear (&run);
}

typedef struct
{
  GCancellable *cancellable[2];
  GString      *text[2];
  GemResponse  *result[2];
  guint         pending;
} Concurrent;

static void
concurrent_delta_cb (GemClient    *client,
                     GemResponse  *response,
                     JsonObject   *chunk,
                     GCancellable *cancellable,
                     Concurrent   *c)
{
  guint which = cancellable == c->cancellable[0] ? 0 : 1;

  g_assert_true (cancellable == c->cancellable[which]);
  g_string_assign (c->text[which], gem_response_get_text (response));
}

static void
concurrent_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Concurrent *c = user_data;
  g_autoptr(GError) error = NULL;
  GemResponse *response;

  response = gem_client_generate_finish (GEM_CLIENT (object), result, NULL, &error);
  g_assert_no_error (error);
  c->result[c->result[0] == NULL ? 0 : 1] = response;
  c->pending--;
}

static void
test_concurrent_requests (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(JsonNode) request = simple_request ("Hello");
  Concurrent c = { 0 };
  gulong id;

  fake_gemini_route (f->fake, "model-a", "text=The first answer, told slowly in several pieces.;delay_ms=30");
  fake_gemini_route (f->fake, "model-b", "text=The second one, interleaved with the first.;delay_ms=20");

  for (guint i = 0; i < 2; i++)
    {
      c.cancellable[i] = g_cancellable_new ();
      c.text[i] = g_string_new (NULL);
    }
  c.pending = 2;

  id = g_signal_connect (f->client, "delta-received", G_CALLBACK (concurrent_delta_cb), &c);
  gem_client_generate_async (f->client, "model-a", request, GEM_GENERATE_FLAGS_STREAM,
                             c.cancellable[0], concurrent_done_cb, &c);
  gem_client_generate_async (f->client, "model-b", request, GEM_GENERATE_FLAGS_STREAM,
                             c.cancellable[1], concurrent_done_cb, &c);
  while (c.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (f->client, id);

  g_assert_cmpstr (c.text[0]->str, ==, "The first answer, told slowly in several pieces.");
  g_assert_cmpstr (c.text[1]->str, ==, "The second one, interleaved with the first.");
  g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 2);

  for (guint i = 0; i < 2; i++)
    {
      g_clear_object (&c.cancellable[i]);
      g_string_free (c.text[i], TRUE);
      g_clear_object (&c.result[i]);
    }
}

/* ---- addresses ---- */

static void
test_http_refused (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Run run = { 0 };

  g_assert_false (gem_client_check_base_url ("http://api.example.com", &error));
  g_assert_error (error, GEM_ERROR, GEM_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "https://"));
  g_assert_nonnull (strstr (error->message, "api.example.com"));
  g_clear_error (&error);

  g_assert_false (gem_client_check_base_url ("http://128.0.0.1:8080", &error));
  g_assert_error (error, GEM_ERROR, GEM_ERROR_TLS);
  g_clear_error (&error);

  g_assert_false (gem_client_check_base_url ("ftp://api.example.com", &error));
  g_assert_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST);
  g_clear_error (&error);

  g_assert_false (gem_client_check_base_url ("not a url", &error));
  g_assert_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST);
  g_clear_error (&error);

  for (guint i = 0; i < 6; i++)
    {
      static const char * const good[] = {
        "http://127.0.0.1:8080", "http://127.1.2.3", "http://[::1]:9000/",
        "http://localhost:1234", "https://api.cometapi.com", "https://example.com/gemini/v1beta/",
      };
      gem_client_check_base_url (good[i], &error);
      g_assert_no_error (error);
    }

  /* A request to such an address never leaves. */
  gem_client_set_base_url (f->client, "http://api.example.com");
  run_generate (f->client, MODEL, TRUE, &run);
  g_assert_error (run.error, GEM_ERROR, GEM_ERROR_TLS);
  g_assert_nonnull (strstr (run.error->message, "https://"));
  g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 0);

  run_clear (&run);
}

static void
test_build_url (void)
{
  static const struct { const char *base; const char *url; } cases[] = {
    { "https://api.cometapi.com", "https://api.cometapi.com/v1beta/models/m:generateContent" },
    { "https://api.cometapi.com/", "https://api.cometapi.com/v1beta/models/m:generateContent" },
    { "https://api.cometapi.com///", "https://api.cometapi.com/v1beta/models/m:generateContent" },
    { "https://api.cometapi.com/v1beta", "https://api.cometapi.com/v1beta/models/m:generateContent" },
    { "https://api.cometapi.com/v1beta/", "https://api.cometapi.com/v1beta/models/m:generateContent" },
    { "  https://generativelanguage.googleapis.com  ", "https://generativelanguage.googleapis.com/v1beta/models/m:generateContent" },
    { "https://gw.example.com/gemini", "https://gw.example.com/gemini/v1beta/models/m:generateContent" },
    { "https://gw.example.com/gemini/v1beta//", "https://gw.example.com/gemini/v1beta/models/m:generateContent" },
    { "https://gw.example.com/v1", "https://gw.example.com/v1/models/m:generateContent" },
    { "http://127.0.0.1:8080", "http://127.0.0.1:8080/v1beta/models/m:generateContent" },
  };
  g_autoptr(GemClient) client = gem_client_new (NULL, "k");

  g_assert_cmpstr (gem_client_get_base_url (client), ==, "https://api.cometapi.com");
  g_assert_cmpint (gem_client_get_auth_style (client), ==, GEM_AUTH_STYLE_X_GOOG_API_KEY);
  g_assert_cmpuint (gem_client_get_connect_timeout (client), ==, 30);
  g_assert_cmpuint (gem_client_get_idle_timeout (client), ==, 60);
  g_assert_cmpuint (gem_client_get_max_retries (client), ==, 4);
  g_assert_cmpuint (gem_client_get_retry_base_delay_ms (client), ==, 1000);
  g_assert_cmpstr (gem_client_get_user_agent (client), ==, "Starling/" PACKAGE_VERSION);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = NULL;

      gem_client_set_base_url (client, cases[i].base);
      url = gem_client_build_url (client, "models/m:generateContent", &error);
      g_assert_no_error (error);
      g_assert_cmpstr (url, ==, cases[i].url);
    }
}

static void
test_retry_schedule (void)
{
  g_autoptr(GemClient) client = gem_client_new (NULL, "k");

  for (guint round = 0; round < 20; round++)
    {
      guint d1 = gem_client_compute_retry_delay_ms (client, 1, -1);
      guint d2 = gem_client_compute_retry_delay_ms (client, 2, -1);
      guint d3 = gem_client_compute_retry_delay_ms (client, 3, -1);
      guint d9 = gem_client_compute_retry_delay_ms (client, 9, -1);
      guint after = gem_client_compute_retry_delay_ms (client, 1, 7000);

      g_assert_cmpuint (d1, >=, 1000);
      g_assert_cmpuint (d1, <=, 1250);
      g_assert_cmpuint (d2, >=, 2000);
      g_assert_cmpuint (d2, <=, 2500);
      g_assert_cmpuint (d3, >=, 4000);
      g_assert_cmpuint (d3, <=, 5000);
      g_assert_cmpuint (d9, >=, 30000);
      g_assert_cmpuint (d9, <=, 37500);
      g_assert_cmpuint (after, ==, 7000);
    }
}

/* ---- the model list ---- */

static void
list_models_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GPtrArray **models_out = user_data;
  g_autoptr(GError) error = NULL;

  *models_out = gem_client_list_models_finish (GEM_CLIENT (object), result, &error);
  g_assert_no_error (error);
}

static GPtrArray *
list_models (GemClient *client,
             guint      page_size)
{
  GPtrArray *models = NULL;

  gem_client_list_models_async (client, page_size, NULL, list_models_cb, &models);
  while (models == NULL)
    g_main_context_iteration (NULL, TRUE);

  return models;
}

static void
test_list_models (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) paged = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  guint expected_pages;

  all = list_models (f->client, 1000);
  g_assert_cmpuint (all->len, >=, 13);
  g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 1);
  fake_gemini_clear_requests (f->fake);

  paged = list_models (f->client, 3);
  g_assert_cmpuint (paged->len, ==, all->len);

  expected_pages = (all->len + 2) / 3;
  requests = fake_gemini_dup_requests (f->fake);
  g_assert_cmpuint (requests->len, ==, expected_pages);

  for (guint i = 0; i < requests->len; i++)
    {
      FakeGeminiRequest *request = g_ptr_array_index (requests, i);

      g_assert_cmpstr (request->method, ==, "GET");
      g_assert_cmpstr (request->path, ==, "/v1beta/models");
      g_assert_nonnull (strstr (request->query, "pageSize=3"));
      g_assert_true (i == 0 ? strstr (request->query, "pageToken=") == NULL
                            : strstr (request->query, "pageToken=") != NULL);
      g_assert_cmpuint (request->status, ==, 200);
    }

  for (guint i = 0; i < paged->len; i++)
    {
      GemModelInfo *a = g_ptr_array_index (all, i);
      GemModelInfo *b = g_ptr_array_index (paged, i);

      g_assert_cmpstr (gem_model_info_get_name (a), ==, gem_model_info_get_name (b));
      g_assert_true (g_hash_table_add (names, (gpointer) gem_model_info_get_name (b)));
    }

  g_assert_true (g_hash_table_contains (names, "models/gemini-2.5-flash"));
  g_assert_true (g_hash_table_contains (names, "models/gemini-3-pro-preview"));
}

static void
list_models_error_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GError **error_out = user_data;
  g_autoptr(GPtrArray) models = NULL;

  models = gem_client_list_models_finish (GEM_CLIENT (object), result, error_out);
  g_assert_null (models);
  g_assert_nonnull (*error_out);
}

static void
test_list_models_bad_key (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  gem_client_set_api_key (f->client, "wrong");
  gem_client_list_models_async (f->client, 0, NULL, list_models_error_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_error (error, GEM_ERROR, GEM_ERROR_INVALID_KEY);
  g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 1);
}

/* ---- the caller's main context ---- */

static gpointer
thread_func (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GemClient) client = NULL;
  Run run = { 0 };

  g_main_context_push_thread_default (context);

  client = gem_client_new (fake_gemini_get_base_url (f->fake), KEY);
  run_generate (client, MODEL, TRUE, &run);

  g_assert_no_error (run.error);
  g_assert_cmpuint (run.n_deltas, >=, 2);
  g_assert_true (run.delta_thread == g_thread_self ());
  g_assert_true (run.delta_on_context_owner);
  g_assert_cmpstr (gem_response_get_text (run.response), ==,
                   "Deltas arrive on the context of the thread that asked for them.");

  run_clear (&run);
  g_clear_object (&client);
  g_main_context_pop_thread_default (context);

  return NULL;
}

static void
test_thread_default_context (Fixture       *f,
                             gconstpointer  data)
{
  GThread *thread;

  fake_gemini_route (f->fake, MODEL,
                     "text=Deltas arrive on the context of the thread that asked for them.");
  thread = g_thread_new ("client", thread_func, f);
  g_thread_join (thread);
}

int
main (int   argc,
      char *argv[])
{
  g_log_set_writer_func (log_writer, NULL, NULL);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/client/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/client/build-url", test_build_url);
  g_test_add_func ("/client/retry-schedule", test_retry_schedule);
  ADD ("corpus", test_corpus);
  ADD ("unary-text", test_unary_text);
  ADD ("concurrent-requests", test_concurrent_requests);
  ADD ("drop-after", test_drop_after);
  ADD ("retry-then-success", test_retry_then_success);
  ADD ("retry-exhausted", test_retry_exhausted);
  ADD ("retry-after", test_retry_after);
  ADD ("no-retry-on-client-error", test_no_retry_on_client_error);
  ADD ("html-status", test_html_status);
  ADD ("garbage", test_garbage);
  ADD ("stall-timeout", test_stall_timeout);
  ADD ("cancel-mid-stream", test_cancel_mid_stream);
  ADD ("cancel-during-backoff", test_cancel_during_backoff);
  ADD ("cancel-before-start", test_cancel_before_start);
  ADD ("bad-key", test_bad_key);
  ADD ("no-key", test_no_key);
  ADD ("key-never-in-url", test_key_never_in_url);
  ADD ("bearer", test_bearer);
  ADD ("connection-refused", test_connection_refused);
  ADD ("silent-server", test_silent_server);
  ADD ("mid-stream-error", test_mid_stream_error);
  ADD ("debug-log-redacted", test_debug_log_redacted);
  ADD ("http-refused", test_http_refused);
  ADD ("untrusted-certificate", test_untrusted_certificate);
  ADD ("list-models", test_list_models);
  ADD ("list-models-bad-key", test_list_models_bad_key);
  ADD ("thread-default-context", test_thread_default_context);

#undef ADD

  return g_test_run ();
}

/* test-cli.c: starling-cli, run as a user would, against the fake server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "corpus-expectations.h"
#include "fake-gemini.h"

#define KEY FAKE_GEMINI_DEFAULT_API_KEY

typedef struct
{
  FakeGemini *fake;
} Fixture;

typedef struct
{
  int    status;
  char  *out;
  gsize  out_len;
  char  *err;
} CliResult;

static void
cli_result_free (CliResult *result)
{
  g_free (result->out);
  g_free (result->err);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliResult, cli_result_free)

static const char *
cli_path (void)
{
  const char *path = g_getenv ("STARLING_CLI");

  g_assert_nonnull (path);
  return path;
}

static const char *
corpus_dir (void)
{
  const char *dir = g_getenv ("STARLING_CORPUS_DIR");

  g_assert_nonnull (dir);
  return dir;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->fake = fake_gemini_new (corpus_dir (), &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->fake);
}

static char *
bytes_to_string (GBytes *bytes)
{
  gsize len = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;

  return data != NULL ? g_strndup (data, len) : g_strdup ("");
}

/* @env: "NAME=VALUE" to set, "NAME" to unset; the key variables start unset. */
static GSubprocessLauncher *
new_launcher (const char * const *env)
{
  GSubprocessLauncher *launcher;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                        G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "STARLING_API_KEY");
  g_subprocess_launcher_unsetenv (launcher, "GEMINI_API_KEY");
  g_subprocess_launcher_unsetenv (launcher, "COMETAPI_KEY");
  g_subprocess_launcher_unsetenv (launcher, "STARLING_BASE_URL");

  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      const char *eq = strchr (env[i], '=');

      if (eq == NULL)
        g_subprocess_launcher_unsetenv (launcher, env[i]);
      else
        {
          g_autofree char *name = g_strndup (env[i], eq - env[i]);
          g_subprocess_launcher_setenv (launcher, name, eq + 1, TRUE);
        }
    }

  return launcher;
}

static CliResult *
run_cliv (const char * const *env,
          const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (env);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;
  CliResult *result = g_new0 (CliResult, 1);

  g_ptr_array_add (argv, (char *) cli_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate (process, empty, NULL, &out, &err, &error);
  g_assert_no_error (error);

  g_assert_true (g_subprocess_get_if_exited (process));
  result->status = g_subprocess_get_exit_status (process);
  result->out = bytes_to_string (out);
  result->out_len = g_bytes_get_size (out);
  result->err = bytes_to_string (err);

  return result;
}

/* Runs the CLI with the fake's address and the right key. */
static CliResult *
run_cli (Fixture *f,
         ...)
{
  g_autofree char *base = g_strdup_printf ("STARLING_BASE_URL=%s", fake_gemini_get_base_url (f->fake));
  const char *env[] = { "STARLING_API_KEY=" KEY, base, NULL };
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, f);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  return run_cliv (env, (const char * const *) args->pdata);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static JsonObject *
first_candidate (JsonObject *response)
{
  JsonArray *candidates;

  if (!json_object_has_member (response, "candidates"))
    return NULL;

  candidates = json_object_get_array_member (response, "candidates");
  if (json_array_get_length (candidates) == 0)
    return NULL;

  return json_array_get_object_element (candidates, 0);
}

/* The non-thought text of the first candidate of a response in the API's shape. */
static char *
response_text (JsonObject *response)
{
  GString *text = g_string_new (NULL);
  JsonObject *candidate = first_candidate (response);
  JsonObject *content;
  JsonArray *parts;

  if (candidate == NULL || !json_object_has_member (candidate, "content"))
    return g_string_free (text, FALSE);

  content = json_object_get_object_member (candidate, "content");
  if (!json_object_has_member (content, "parts"))
    return g_string_free (text, FALSE);

  parts = json_object_get_array_member (content, "parts");
  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonObject *part = json_array_get_object_element (parts, i);

      if (json_object_has_member (part, "text") &&
          !json_object_get_boolean_member_with_default (part, "thought", FALSE))
        g_string_append (text, json_object_get_string_member (part, "text"));
    }

  return g_string_free (text, FALSE);
}

static FakeGeminiRequest *
last_request (Fixture *f)
{
  g_autoptr(GPtrArray) requests = fake_gemini_dup_requests (f->fake);

  g_assert_cmpuint (requests->len, >, 0);
  return fake_gemini_request_ref (g_ptr_array_index (requests, requests->len - 1));
}

/* ---- answers ---- */

#define LONG_TEXT "Streaming means the first words show up while the rest is still being written, " \
                  "so nobody stares at an empty terminal."

static void
test_stream_text (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CliResult) result = NULL;
  g_autoptr(FakeGeminiRequest) request = NULL;
  g_autoptr(JsonNode) body = NULL;
  JsonObject *turn;

  fake_gemini_route (f->fake, "gemini-2.5-flash", "text=" LONG_TEXT);
  result = run_cli (f, "What is streaming?", NULL);

  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->out, ==, LONG_TEXT);
  g_assert_cmpstr (result->err, ==, "");

  request = last_request (f);
  g_assert_cmpstr (request->path, ==, "/v1beta/models/gemini-2.5-flash:streamGenerateContent");
  g_assert_cmpstr (request->query, ==, "alt=sse");
  g_assert_cmpstr (fake_gemini_request_get_header (request, "x-goog-api-key"), ==, KEY);

  body = fake_gemini_request_dup_json (request);
  turn = json_array_get_object_element (json_object_get_array_member (json_node_get_object (body), "contents"), 0);
  g_assert_cmpstr (json_object_get_string_member (turn, "role"), ==, "user");
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (turn, "parts"), 0),
                     "text"), ==, "What is streaming?");
}

typedef struct
{
  GMainLoop *loop;
  gint64     first_output;
  gint64     exited;
  GString   *out;
  gboolean   reading;
  gboolean   waiting;
} Watch;

static void
watch_read_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Watch *watch = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  g_assert_no_error (error);

  if (g_bytes_get_size (bytes) == 0)
    {
      watch->reading = FALSE;
      if (!watch->waiting)
        g_main_loop_quit (watch->loop);
      return;
    }

  if (watch->first_output == 0)
    watch->first_output = g_get_monotonic_time ();
  g_string_append_len (watch->out, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  g_input_stream_read_bytes_async (G_INPUT_STREAM (object), 4096, G_PRIORITY_DEFAULT, NULL,
                                   watch_read_cb, watch);
}

static void
watch_wait_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Watch *watch = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, &error);
  g_assert_no_error (error);
  watch->exited = g_get_monotonic_time ();
  watch->waiting = FALSE;
  if (!watch->reading)
    g_main_loop_quit (watch->loop);
}

static void
test_stream_is_incremental (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *base = g_strdup_printf ("STARLING_BASE_URL=%s", fake_gemini_get_base_url (f->fake));
  const char *env[] = { "STARLING_API_KEY=" KEY, base, NULL };
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (env);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Watch watch = { 0 };

  /* Two events, 400 ms apart: the first must be on stdout long before the end. */
  fake_gemini_route (f->fake, "gemini-2.5-flash", "text=First half. Second half.;delay_ms=400");

  process = g_subprocess_launcher_spawn (launcher, &error, cli_path (), "Go", NULL);
  g_assert_no_error (error);

  watch.loop = g_main_loop_new (NULL, FALSE);
  watch.out = g_string_new (NULL);
  watch.reading = watch.waiting = TRUE;
  g_input_stream_read_bytes_async (g_subprocess_get_stdout_pipe (process), 4096, G_PRIORITY_DEFAULT,
                                   NULL, watch_read_cb, &watch);
  g_subprocess_wait_async (process, NULL, watch_wait_cb, &watch);
  g_main_loop_run (watch.loop);

  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_cmpstr (watch.out->str, ==, "First half. Second half.");
  g_test_message ("first output %" G_GINT64_FORMAT " ms before exit",
                  (watch.exited - watch.first_output) / 1000);
  g_assert_cmpint (watch.exited - watch.first_output, >=, 300 * 1000);

  g_string_free (watch.out, TRUE);
  g_main_loop_unref (watch.loop);
}

static void
test_json (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(CliResult) result = NULL;
  g_autoptr(JsonObject) response = NULL;
  g_autofree char *text = NULL;
  JsonObject *candidate;

  fake_gemini_route (f->fake, "gemini-2.5-flash", "text=" LONG_TEXT);
  result = run_cli (f, "--json", "What is streaming?", NULL);

  g_assert_cmpint (result->status, ==, 0);
  response = parse_object (result->out);
  text = response_text (response);
  g_assert_cmpstr (text, ==, LONG_TEXT);

  candidate = first_candidate (response);
  g_assert_cmpstr (json_object_get_string_member (candidate, "finishReason"), ==, "STOP");
  /* Text deltas joined: one part, not one per event. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_object_get_object_member (candidate, "content"), "parts")), ==, 1);
  g_assert_true (json_object_has_member (response, "usageMetadata"));
}

static void
test_no_stream (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CliResult) result = NULL;
  g_autoptr(FakeGeminiRequest) request = NULL;

  fake_gemini_route (f->fake, "gemini-2.5-flash", "text=" LONG_TEXT);
  result = run_cli (f, "--no-stream", "What is streaming?", NULL);

  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->out, ==, LONG_TEXT);

  request = last_request (f);
  g_assert_cmpstr (request->path, ==, "/v1beta/models/gemini-2.5-flash:generateContent");
}

static void
test_request_options (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CliResult) result = NULL;
  g_autoptr(FakeGeminiRequest) request = NULL;
  g_autoptr(JsonNode) body = NULL;
  JsonObject *object;
  JsonObject *thinking;
  JsonArray *tools;

  fake_gemini_route (f->fake, "gemini-2.5-pro", "text=Grounded.");
  result = run_cli (f, "--model", "gemini-2.5-pro", "--system", "Answer briefly.",
                    "--thinking", "1024", "--search", "Who won?", NULL);
  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->out, ==, "Grounded.");

  request = last_request (f);
  g_assert_cmpstr (request->model, ==, "gemini-2.5-pro");
  body = fake_gemini_request_dup_json (request);
  object = json_node_get_object (body);

  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (
                       json_object_get_array_member (
                         json_object_get_object_member (object, "systemInstruction"), "parts"), 0),
                     "text"), ==, "Answer briefly.");

  thinking = json_object_get_object_member (json_object_get_object_member (object, "generationConfig"),
                                            "thinkingConfig");
  g_assert_cmpint (json_object_get_int_member (thinking, "thinkingBudget"), ==, 1024);
  g_assert_false (json_object_has_member (thinking, "includeThoughts"));

  tools = json_object_get_array_member (object, "tools");
  g_assert_cmpuint (json_array_get_length (tools), ==, 1);
  g_assert_true (json_object_has_member (json_array_get_object_element (tools, 0), "google_search"));
}

static void
test_thoughts (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CliResult) result = NULL;
  g_autoptr(CliResult) quiet = NULL;
  g_autoptr(FakeGeminiRequest) request = NULL;
  g_autoptr(JsonNode) body = NULL;
  JsonObject *thinking;

  fake_gemini_route (f->fake, "gemini-3-pro-preview", "thinking=1;text=The answer itself.");
  result = run_cli (f, "--model", "gemini-3-pro-preview", "--thinking", "high", "--thoughts",
                    "Think first", NULL);

  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->out, ==, "The answer itself.");
  g_assert_nonnull (strstr (result->err, "**Planning the answer**"));

  request = last_request (f);
  body = fake_gemini_request_dup_json (request);
  thinking = json_object_get_object_member (json_object_get_object_member (json_node_get_object (body),
                                                                           "generationConfig"),
                                            "thinkingConfig");
  g_assert_cmpstr (json_object_get_string_member (thinking, "thinkingLevel"), ==, "HIGH");
  g_assert_true (json_object_get_boolean_member (thinking, "includeThoughts"));

  /* Without --thoughts, thoughts are not printed anywhere. */
  quiet = run_cli (f, "--model", "gemini-3-pro-preview", "Think first", NULL);
  g_assert_cmpint (quiet->status, ==, 0);
  g_assert_cmpstr (quiet->out, ==, "The answer itself.");
  g_assert_null (strstr (quiet->err, "Planning"));
}

static void
test_image (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(CliResult) result = NULL;
  g_autoptr(FakeGeminiRequest) request = NULL;
  g_autoptr(JsonObject) response = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *top = g_dir_make_tmp ("starling-cli-XXXXXX", NULL);
  /* The CLI creates the folder when it is missing. */
  g_autofree char *dir = g_build_filename (top, "images", NULL);
  g_autofree char *path = g_build_filename (dir, "image-1.png", NULL);
  g_autofree char *saved = NULL;
  g_autofree guchar *expected = NULL;
  gsize saved_len;
  gsize expected_len;
  JsonObject *config;
  JsonArray *parts;
  const char *data64 = NULL;
  g_autoptr(GDir) listing = NULL;
  guint n_files = 0;

  fake_gemini_route (f->fake, "gemini-2.5-flash-image", "image_model=1");
  result = run_cli (f, "--model", "gemini-2.5-flash-image", "--image", "--aspect-ratio", "16:9",
                    "--image-out", dir, "--json", "Draw a starling", NULL);

  g_assert_cmpint (result->status, ==, 0);
  g_assert_nonnull (strstr (result->err, path));

  /* The file holds exactly the decoded base64 of the image part. */
  response = parse_object (result->out);
  parts = json_object_get_array_member (json_object_get_object_member (first_candidate (response), "content"),
                                        "parts");
  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonObject *part = json_array_get_object_element (parts, i);

      if (json_object_has_member (part, "inlineData"))
        {
          JsonObject *inline_data = json_object_get_object_member (part, "inlineData");

          g_assert_cmpstr (json_object_get_string_member (inline_data, "mimeType"), ==, "image/png");
          data64 = json_object_get_string_member (inline_data, "data");
        }
    }
  g_assert_nonnull (data64);
  expected = g_base64_decode (data64, &expected_len);

  g_file_get_contents (path, &saved, &saved_len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (saved, saved_len, expected, expected_len);
  g_assert_cmpmem (saved, 8, "\x89PNG\r\n\x1a\n", 8);

  listing = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while (g_dir_read_name (listing) != NULL)
    n_files++;
  g_assert_cmpuint (n_files, ==, 1);

  request = last_request (f);
  body = fake_gemini_request_dup_json (request);
  config = json_object_get_object_member (json_node_get_object (body), "generationConfig");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (config, "imageConfig"),
                                                  "aspectRatio"), ==, "16:9");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (config, "responseModalities")), ==, 2);

  /* A second run does not overwrite the first image. */
  {
    g_autoptr(CliResult) again = run_cli (f, "--model", "gemini-2.5-flash-image", "--image",
                                          "--image-out", dir, "Draw another", NULL);
    g_autofree char *second = g_build_filename (dir, "image-2.png", NULL);

    g_assert_cmpint (again->status, ==, 0);
    g_assert_cmpstr (again->out, ==, "Here is your image.");
    g_assert_true (g_file_test (second, G_FILE_TEST_IS_REGULAR));
    g_assert_cmpint (g_remove (second), ==, 0);
  }

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_assert_cmpint (g_rmdir (top), ==, 0);
}

/* ---- exit statuses ---- */

static void
test_exit_api_error (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CliResult) result = NULL;
  g_autoptr(CliResult) json = NULL;
  g_autoptr(JsonObject) object = NULL;
  JsonObject *error;

  fake_gemini_route (f->fake, "gemini-2.5-flash", "status=400");
  result = run_cli (f, "Hello", NULL);
  g_assert_cmpint (result->status, ==, 1);
  g_assert_cmpstr (result->out, ==, "");
  g_assert_nonnull (strstr (result->err, "rejected the request"));

  json = run_cli (f, "--json", "Hello", NULL);
  g_assert_cmpint (json->status, ==, 1);
  object = parse_object (json->out);
  error = json_object_get_object_member (object, "error");
  g_assert_cmpint (json_object_get_int_member (error, "code"), ==, 400);
  g_assert_cmpstr (json_object_get_string_member (error, "status"), ==, "INVALID_ARGUMENT");
  g_assert_cmpuint (strlen (json_object_get_string_member (error, "message")), >, 0);
}

static void
test_exit_bad_key (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *base = g_strdup_printf ("STARLING_BASE_URL=%s", fake_gemini_get_base_url (f->fake));
  const char *args[] = { "Hello", NULL };
  const char *wrong[] = { "STARLING_API_KEY=wrong", base, NULL };
  g_autoptr(CliResult) result = NULL;

  fake_gemini_route (f->fake, "gemini-2.5-flash", "text=Never");
  result = run_cliv (wrong, args);

  g_assert_cmpint (result->status, ==, 1);
  g_assert_nonnull (strstr (result->err, "API key not valid"));
  g_assert_null (strstr (result->err, "wrong"));
}

static void
test_key_variables (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *base = g_strdup_printf ("STARLING_BASE_URL=%s", fake_gemini_get_base_url (f->fake));
  const char *args[] = { "Hello", NULL };
  const char *gemini[] = { "GEMINI_API_KEY=" KEY, "COMETAPI_KEY=wrong", base, NULL };
  const char *comet[] = { "COMETAPI_KEY=" KEY, base, NULL };
  const char *starling_first[] = { "STARLING_API_KEY=wrong", "GEMINI_API_KEY=" KEY, base, NULL };
  g_autoptr(CliResult) r1 = NULL;
  g_autoptr(CliResult) r2 = NULL;
  g_autoptr(CliResult) r3 = NULL;

  fake_gemini_route (f->fake, "gemini-2.5-flash", "text=Keyed.");

  r1 = run_cliv (gemini, args);
  g_assert_cmpint (r1->status, ==, 0);
  g_assert_cmpstr (r1->out, ==, "Keyed.");

  r2 = run_cliv (comet, args);
  g_assert_cmpint (r2->status, ==, 0);

  r3 = run_cliv (starling_first, args);
  g_assert_cmpint (r3->status, ==, 1);
}

static void
test_base_url_option (Fixture       *f,
                      gconstpointer  data)
{
  const char *env[] = { "STARLING_API_KEY=" KEY, "STARLING_BASE_URL=http://127.0.0.1:1", NULL };
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *with_slash = g_strconcat (fake_gemini_get_base_url (f->fake), "/v1beta/", NULL);
  g_autoptr(CliResult) result = NULL;

  /* --base-url wins over the environment, and may name the API version. */
  fake_gemini_route (f->fake, "gemini-2.5-flash", "text=Found.");
  g_ptr_array_add (args, (char *) "--base-url");
  g_ptr_array_add (args, with_slash);
  g_ptr_array_add (args, (char *) "Hello");
  g_ptr_array_add (args, NULL);
  result = run_cliv (env, (const char * const *) args->pdata);

  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->out, ==, "Found.");
}

static void
test_exit_usage (Fixture       *f,
                 gconstpointer  data)
{
  const char *no_key_env[] = { NULL };
  const char *no_prompt[] = { NULL };
  const char *hello[] = { "Hello", NULL };
  const char *bad_thinking[] = { "--thinking", "lots", "Hello", NULL };
  const char *wrong_thinking[] = { "--thinking", "high", "Hello", NULL };
  const char *bad_ratio[] = { "--image", "--aspect-ratio", "7:5", "Hello", NULL };
  const char *insecure[] = { "--base-url", "http://api.example.com", "Hello", NULL };
  const char *unknown[] = { "--frobnicate", "Hello", NULL };
  const char *replay_and_prompt[] = { "--replay", "x.txt", "Hello", NULL };
  const char *key_env[] = { "STARLING_API_KEY=" KEY, NULL };
  struct { const char * const *env; const char * const *args; const char *says; } cases[] = {
    { key_env, no_prompt, "No prompt" },
    { no_key_env, hello, "STARLING_API_KEY" },
    { key_env, bad_thinking, "lots" },
    { key_env, wrong_thinking, "budget" },
    { key_env, bad_ratio, "7:5" },
    { key_env, insecure, "https://" },
    { key_env, unknown, "frobnicate" },
    { key_env, replay_and_prompt, "--replay" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CliResult) result = run_cliv (cases[i].env, cases[i].args);

      g_test_message ("case %u: %s", i, result->err);
      g_assert_cmpint (result->status, ==, 2);
      g_assert_cmpstr (result->out, ==, "");
      g_assert_nonnull (strstr (result->err, cases[i].says));
    }

  /* Nothing reached the server. */
  g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 0);
}

static void
test_exit_blocked (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CliResult) result = NULL;
  g_autoptr(CliResult) json = NULL;
  g_autoptr(JsonObject) object = NULL;

  fake_gemini_route (f->fake, "gemini-2.5-flash",
                     "replay=googleai/streaming-failure-prompt-blocked-safety.txt");
  result = run_cli (f, "Something bad", NULL);
  g_assert_cmpint (result->status, ==, 3);
  g_assert_cmpstr (result->out, ==, "");
  g_assert_nonnull (strstr (result->err, "blocked"));

  /* The JSON is the API's answer, which says why. */
  json = run_cli (f, "--json", "Something bad", NULL);
  g_assert_cmpint (json->status, ==, 3);
  object = parse_object (json->out);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "promptFeedback"),
                                                  "blockReason"), ==, "SAFETY");
}

static void
test_exit_stopped (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CliResult) result = NULL;

  fake_gemini_route (f->fake, "gemini-2.5-flash",
                     "replay=generative-ai-js/streaming-failure-finish-reason-safety.txt");
  result = run_cli (f, "Something", NULL);
  g_assert_cmpint (result->status, ==, 3);
  g_assert_nonnull (strstr (result->err, "safety"));
}

static void
test_exit_interrupted (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CliResult) result = NULL;

  fake_gemini_route (f->fake, "gemini-2.5-flash",
                     "replay=googleai/streaming-success-basic-reply-short.txt;drop_after=2");
  result = run_cli (f, "Wyoming?", NULL);

  g_assert_cmpint (result->status, ==, 4);
  /* What arrived was printed, and kept. */
  g_assert_true (g_str_has_prefix (result->out, "The capital of Wyoming"));
  g_assert_cmpuint (result->out_len, <, strlen ("The capital of Wyoming is **Cheyenne**.\n"));
  g_assert_nonnull (strstr (result->err, "cut off"));
  g_assert_cmpuint (fake_gemini_get_request_count (f->fake), ==, 1);
}

static void
test_exit_network (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  const char *env[3] = { "STARLING_API_KEY=" KEY, NULL, NULL };
  const char *args[] = { "--json", "Hello", NULL };
  g_autoptr(CliResult) result = NULL;
  g_autoptr(JsonObject) object = NULL;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);

  /* A refused connection is retried for about 15 s: stop it after the first retry
   * notice, as a user pressing Ctrl+C would. */
  base = g_strdup_printf ("STARLING_BASE_URL=http://127.0.0.1:%u", port);
  env[1] = base;

  {
    g_autoptr(GSubprocessLauncher) launcher = new_launcher (env);
    g_autoptr(GSubprocess) process = NULL;
    g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
    g_autoptr(GBytes) out = NULL;
    g_autoptr(GBytes) err = NULL;
    char buffer[256];
    gssize n;

    process = g_subprocess_launcher_spawn (launcher, &error, cli_path (), args[0], args[1], NULL);
    g_assert_no_error (error);

    /* The first failure is announced as a retry on stderr; then stop it as a user would. */
    n = g_input_stream_read (g_subprocess_get_stderr_pipe (process), buffer, sizeof buffer - 1, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (n, >, 0);
    buffer[n] = '\0';
    g_assert_nonnull (strstr (buffer, "Retrying"));
    g_subprocess_send_signal (process, SIGINT);

    g_subprocess_communicate (process, empty, NULL, &out, &err, &error);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_get_if_exited (process));
    g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 4);

    {
      g_autofree char *text = bytes_to_string (out);
      object = parse_object (text);
    }
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "error"),
                                                    "status"), ==, "CANCELLED");
  }
}

/* ---- --replay, for the whole corpus ---- */

static void
test_replay_corpus (void)
{
  for (guint i = 0; i < corpus_expectations_count; i++)
    {
      const CorpusExpectation *row = &corpus_expectations[i];
      g_autofree char *path = corpus_expectation_full_path (row);
      const char *json_args[] = { "--replay", path, "--json", NULL };
      const char *text_args[] = { "--replay", path, NULL };
      const char *env[] = { NULL };
      g_autoptr(CliResult) json = run_cliv (env, json_args);
      g_autoptr(CliResult) plain = run_cliv (env, text_args);
      g_autoptr(JsonObject) object = parse_object (json->out);
      int expected_status;

      g_test_message ("%s: exit %d", row->path, json->status);

      switch (row->error_code)
        {
        case CORPUS_NO_ERROR:
          expected_status = 0;
          break;
        case GEM_ERROR_BLOCKED_PROMPT:
        case GEM_ERROR_STOPPED_SAFETY:
        case GEM_ERROR_STOPPED_RECITATION:
        case GEM_ERROR_STOPPED_OTHER:
        case GEM_ERROR_EMPTY_RESPONSE:
          expected_status = 3;
          break;
        case GEM_ERROR_INTERRUPTED:
          expected_status = 4;
          break;
        default:
          expected_status = 1;
          break;
        }

      g_assert_cmpint (json->status, ==, expected_status);
      g_assert_cmpint (plain->status, ==, expected_status);

      if (expected_status == 1 || expected_status == 4)
        {
          JsonObject *error = json_object_get_object_member (object, "error");

          g_assert_nonnull (error);
          g_assert_cmpint (json_object_get_int_member (error, "code"), ==,
                           row->http_status != 200 ? row->http_status : 0);
          g_assert_cmpstr (json_object_get_string_member (error, "status"), ==,
                           row->api_status != NULL ? row->api_status
                                                   : gem_error_code_to_string (row->error_code));
          if (row->error_message_start != NULL)
            g_assert_true (g_str_has_prefix (json_object_get_string_member (error, "message"),
                                             row->error_message_start));
          g_assert_cmpstr (plain->out, ==, "");
        }
      else
        {
          g_autofree char *text = response_text (object);
          g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
          g_autofree char *plain_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, plain->out, -1);
          JsonObject *candidate = first_candidate (object);
          const char *finish = NULL;

          g_assert_false (json_object_has_member (object, "error"));
          g_assert_cmpuint (strlen (text), ==, row->text_len);
          g_assert_cmpuint (plain->out_len, ==, row->text_len);
          if (row->text_sha256 != NULL)
            {
              g_assert_cmpstr (sha, ==, row->text_sha256);
              g_assert_cmpstr (plain_sha, ==, row->text_sha256);
            }

          if (candidate != NULL && json_object_has_member (candidate, "finishReason"))
            finish = json_object_get_string_member (candidate, "finishReason");
          g_assert_cmpstr (finish, ==, row->finish_reason);

          if (row->block_reason != NULL)
            g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "promptFeedback"),
                                                            "blockReason"), ==, row->block_reason);

          g_assert_cmpuint (candidate != NULL ? json_array_get_length (json_object_get_array_member (object, "candidates")) : 0,
                            ==, row->n_candidates);
        }
    }
}

static void
test_replay_missing_file (void)
{
  const char *args[] = { "--replay", "/nonexistent/answer.txt", NULL };
  const char *env[] = { NULL };
  g_autoptr(CliResult) result = run_cliv (env, args);

  g_assert_cmpint (result->status, ==, 2);
  g_assert_nonnull (strstr (result->err, "answer.txt"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/cli/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("stream-text", test_stream_text);
  ADD ("stream-is-incremental", test_stream_is_incremental);
  ADD ("json", test_json);
  ADD ("no-stream", test_no_stream);
  ADD ("request-options", test_request_options);
  ADD ("thoughts", test_thoughts);
  ADD ("image", test_image);
  ADD ("exit/api-error", test_exit_api_error);
  ADD ("exit/bad-key", test_exit_bad_key);
  ADD ("exit/usage", test_exit_usage);
  ADD ("exit/blocked", test_exit_blocked);
  ADD ("exit/stopped", test_exit_stopped);
  ADD ("exit/interrupted", test_exit_interrupted);
  ADD ("exit/network", test_exit_network);
  ADD ("key-variables", test_key_variables);
  ADD ("base-url-option", test_base_url_option);
  g_test_add_func ("/cli/replay/corpus", test_replay_corpus);
  g_test_add_func ("/cli/replay/missing-file", test_replay_missing_file);

#undef ADD

  return g_test_run ();
}

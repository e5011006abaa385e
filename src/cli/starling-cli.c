/* starling-cli.c: the Gemini protocol library from a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "starling-cli"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "gem-client.h"
#include "gem-error.h"
#include "gem-json.h"
#include "gem-model-info.h"
#include "gem-request.h"
#include "gem-response.h"
#include "gem-sse-decoder.h"

#define DEFAULT_MODEL       "gemini-2.5-flash"
#define DEFAULT_IMAGE_MODEL "gemini-2.5-flash-image"

typedef enum
{
  EXIT_COMPLETE = 0,
  EXIT_API_ERROR = 1,
  EXIT_USAGE = 2,
  EXIT_STOPPED = 3,
  EXIT_NETWORK = 4,
} ExitStatus;

typedef struct
{
  char      *base_url;
  char      *model;
  char      *system;
  char      *thinking;
  char      *aspect_ratio;
  char      *image_out;
  char      *replay;
  gboolean   thoughts;
  gboolean   search;
  gboolean   image;
  gboolean   json;
  gboolean   no_stream;
  char     **rest;

  /* derived */
  char      *prompt;
  GemThinkingLevel thinking_level;
  gboolean   has_thinking_budget;
  int        thinking_budget;
} Options;

typedef struct
{
  Options      *options;
  GMainLoop    *loop;
  GCancellable *cancellable;
  GemResponse  *response;   /* complete, or partial on error */
  GError       *error;
  gboolean      printed_text;
  gboolean      text_ends_in_newline;
  gboolean      printed_thoughts;
} Cli;

static void
options_clear (Options *options)
{
  g_clear_pointer (&options->base_url, g_free);
  g_clear_pointer (&options->model, g_free);
  g_clear_pointer (&options->system, g_free);
  g_clear_pointer (&options->thinking, g_free);
  g_clear_pointer (&options->aspect_ratio, g_free);
  g_clear_pointer (&options->image_out, g_free);
  g_clear_pointer (&options->replay, g_free);
  g_clear_pointer (&options->rest, g_strfreev);
  g_clear_pointer (&options->prompt, g_free);
}

static void
usage_error (const char *message)
{
  g_printerr ("starling-cli: %s\n", message);
  g_printerr (_("Try “starling-cli --help” for more information.\n"));
}

/* ---- output ---- */

static void
write_text (FILE       *stream,
            const char *text,
            gsize       len)
{
  if (len == 0)
    return;

  fwrite (text, 1, len, stream);
  fflush (stream);
}

/* Prints the parts of one chunk of the first candidate: every chunk is a delta. */
static void
print_chunk (Cli        *cli,
             JsonObject *chunk)
{
  JsonNode *node;
  JsonArray *candidates;
  JsonArray *parts;
  JsonObject *candidate = NULL;
  JsonObject *content;

  if (cli->options->json)
    return;

  node = json_object_get_member (chunk, "candidates");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;

  candidates = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (candidates); i++)
    {
      JsonNode *element = json_array_get_element (candidates, i);
      JsonObject *object;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;

      object = json_node_get_object (element);
      if (json_object_get_int_member_with_default (object, "index", 0) == 0)
        {
          candidate = object;
          break;
        }
    }

  if (candidate == NULL)
    return;

  node = json_object_get_member (candidate, "content");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  content = json_node_get_object (node);

  node = json_object_get_member (content, "parts");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;
  parts = json_node_get_array (node);

  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonNode *element = json_array_get_element (parts, i);
      JsonObject *part;
      const char *text;
      gsize len;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;

      part = json_node_get_object (element);
      node = json_object_get_member (part, "text");
      if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
          json_node_get_value_type (node) != G_TYPE_STRING)
        continue;

      text = json_node_get_string (node);
      len = strlen (text);

      if (json_object_get_boolean_member_with_default (part, "thought", FALSE))
        {
          if (cli->options->thoughts)
            {
              write_text (stderr, text, len);
              cli->printed_thoughts = TRUE;
            }
        }
      else if (len > 0)
        {
          write_text (stdout, text, len);
          cli->printed_text = TRUE;
          cli->text_ends_in_newline = text[len - 1] == '\n';
        }
    }
}

/* For an answer that came in one piece. */
static void
print_whole_response (Cli         *cli,
                      GemResponse *response)
{
  const char *text;
  gsize len;

  if (cli->options->json || response == NULL)
    return;

  if (cli->options->thoughts)
    {
      text = gem_response_get_thought_text (response);
      len = gem_response_get_thought_text_length (response);
      if (text != NULL && len > 0)
        {
          write_text (stderr, text, len);
          if (text[len - 1] != '\n')
            write_text (stderr, "\n", 1);
        }
    }

  text = gem_response_get_text (response);
  len = gem_response_get_text_length (response);
  if (text != NULL && len > 0)
    {
      write_text (stdout, text, len);
      cli->printed_text = TRUE;
      cli->text_ends_in_newline = text[len - 1] == '\n';
    }
}

static const char *
sniff_image_extension (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  if (len >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0)
    return "png";
  if (len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
    return "jpg";
  if (len >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    return "webp";
  if (len >= 6 && (memcmp (data, "GIF87a", 6) == 0 || memcmp (data, "GIF89a", 6) == 0))
    return "gif";

  return NULL;
}

static char *
extension_for_image (const char *mime_type,
                     GBytes     *bytes)
{
  static const struct { const char *mime; const char *ext; } known[] = {
    { "image/png", "png" },
    { "image/jpeg", "jpg" },
    { "image/jpg", "jpg" },
    { "image/webp", "webp" },
    { "image/gif", "gif" },
    { "image/heic", "heic" },
    { "image/heif", "heif" },
    { "image/avif", "avif" },
    { "image/bmp", "bmp" },
    { "image/tiff", "tiff" },
    { "image/svg+xml", "svg" },
  };
  const char *sniffed = sniff_image_extension (bytes);
  const char *subtype;
  GString *ext;

  /* The bytes say what the file really is, whatever the label. */
  if (sniffed != NULL)
    return g_strdup (sniffed);

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (mime_type != NULL && g_ascii_strcasecmp (mime_type, known[i].mime) == 0)
      return g_strdup (known[i].ext);

  subtype = mime_type != NULL ? strchr (mime_type, '/') : NULL;
  if (subtype == NULL)
    return g_strdup ("bin");

  ext = g_string_new (NULL);
  for (subtype++; *subtype != '\0' && *subtype != ';' && *subtype != '+'; subtype++)
    if (g_ascii_isalnum (*subtype))
      g_string_append_c (ext, g_ascii_tolower (*subtype));

  if (ext->len == 0)
    g_string_append (ext, "bin");

  return g_string_free (ext, FALSE);
}

static gboolean
save_image (const char  *dir,
            const char  *stem,
            const char  *ext,
            GBytes      *bytes,
            char       **path_out,
            GError     **error)
{
  for (guint n = 1; n < 100000; n++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%u.%s", stem, n, ext);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GFileOutputStream) out = NULL;
      g_autoptr(GError) local_error = NULL;
      gsize len;
      const void *data = g_bytes_get_data (bytes, &len);

      out = g_file_create (file, G_FILE_CREATE_NONE, NULL, &local_error);
      if (out == NULL)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
            continue;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      if (!g_output_stream_write_all (G_OUTPUT_STREAM (out), data, len, NULL, NULL, error) ||
          !g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error))
        return FALSE;

      *path_out = g_steal_pointer (&path);
      return TRUE;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("Too many images in %s"), dir);
  return FALSE;
}

static gboolean
save_images (Cli         *cli,
             GemResponse *response)
{
  g_autoptr(GPtrArray) images = NULL;
  const char *dir = cli->options->image_out ? cli->options->image_out : ".";
  gboolean ok = TRUE;

  if (response == NULL)
    return TRUE;

  images = gem_response_get_images (response);
  if (images == NULL || images->len == 0)
    return TRUE;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved_errno = errno;

      g_printerr (_("Could not create the folder %s: %s\n"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  for (guint i = 0; i < images->len; i++)
    {
      GemImage *image = g_ptr_array_index (images, i);
      g_autofree char *ext = NULL;
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;

      /* Interim images of the model's thinking are kept only when asked for. */
      if (image->thought && !cli->options->thoughts)
        continue;

      ext = extension_for_image (image->mime_type, image->data);
      if (!save_image (dir, image->thought ? "thought-image" : "image", ext, image->data,
                       &path, &error))
        {
          g_printerr (_("Could not save an image: %s\n"), error->message);
          ok = FALSE;
          continue;
        }

      g_printerr (_("Saved image %s\n"), path);
    }

  return ok;
}

static const char *
error_status_name (const GError *error)
{
  const char *status = NULL;

  if (error->domain == GEM_ERROR)
    {
      status = gem_error_get_api_status (error);
      if (status == NULL)
        status = gem_error_code_to_string (error->code);
    }

  return status != NULL ? status : "UNKNOWN";
}

static void
print_json_error (const GError *error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  const char *message = NULL;
  guint code = 0;

  if (error->domain == GEM_ERROR)
    {
      code = gem_error_get_http_status (error);
      message = gem_error_get_api_message (error);
    }
  if (message == NULL || message[0] == '\0')
    message = error->message;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, code);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, error_status_name (error));
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static void
print_error (const GError *error)
{
  const char *details = NULL;

  if (error->domain == GEM_ERROR)
    details = gem_error_get_api_message (error);

  g_printerr ("starling-cli: %s\n", error->message);
  if (details != NULL && details[0] != '\0' && strstr (error->message, details) == NULL)
    g_printerr (_("  Details: %s\n"), details);
}

static int
exit_status_for_error (const GError *error)
{
  if (error->domain != GEM_ERROR)
    return EXIT_API_ERROR;

  switch ((GemErrorCode) error->code)
    {
    case GEM_ERROR_NO_KEY:
      return EXIT_USAGE;

    case GEM_ERROR_BLOCKED_PROMPT:
    case GEM_ERROR_STOPPED_SAFETY:
    case GEM_ERROR_STOPPED_RECITATION:
    case GEM_ERROR_STOPPED_OTHER:
    case GEM_ERROR_EMPTY_RESPONSE:
      return EXIT_STOPPED;

    case GEM_ERROR_NETWORK:
    case GEM_ERROR_TLS:
    case GEM_ERROR_TIMEOUT:
    case GEM_ERROR_CANCELLED:
    case GEM_ERROR_INTERRUPTED:
      return EXIT_NETWORK;

    case GEM_ERROR_INVALID_KEY:
    case GEM_ERROR_PERMISSION_DENIED:
    case GEM_ERROR_MODEL_NOT_FOUND:
    case GEM_ERROR_BAD_REQUEST:
    case GEM_ERROR_RATE_LIMITED:
    case GEM_ERROR_QUOTA_EXHAUSTED:
    case GEM_ERROR_SERVER_ERROR:
    case GEM_ERROR_OVERLOADED:
    case GEM_ERROR_MALFORMED_RESPONSE:
    case GEM_ERROR_EVENT_TOO_LARGE:
    case GEM_ERROR_UNSUPPORTED_LOCATION:
    case GEM_ERROR_HTTP:
    default:
      return EXIT_API_ERROR;
    }
}

/* Prints the outcome and returns the exit status. */
static int
cli_report (Cli *cli)
{
  int status = EXIT_COMPLETE;
  gboolean print_response;

  if (cli->error != NULL)
    status = exit_status_for_error (cli->error);

  /* Keep every image that arrived, even of an answer that then failed. */
  if (!save_images (cli, cli->response) && status == EXIT_COMPLETE)
    status = EXIT_API_ERROR;

  /* A blocked or stopped answer is still the API's answer: its JSON says why. */
  print_response = cli->response != NULL &&
                   (cli->error == NULL || exit_status_for_error (cli->error) == EXIT_STOPPED);

  if (cli->options->json)
    {
      if (print_response)
        {
          g_autofree char *text = gem_response_to_string (cli->response, TRUE);
          g_print ("%s\n", text);
        }
      else if (cli->error != NULL)
        print_json_error (cli->error);
    }
  else if (cli->printed_text && !cli->text_ends_in_newline && isatty (fileno (stdout)))
    write_text (stdout, "\n", 1);

  if (cli->error != NULL)
    print_error (cli->error);

  return status;
}

/* ---- the network ---- */

static void
delta_received_cb (GemClient    *client,
                   GemResponse  *response,
                   JsonObject   *chunk,
                   GCancellable *cancellable,
                   Cli          *cli)
{
  print_chunk (cli, chunk);
}

static void
retrying_cb (GemClient    *client,
             guint         retry,
             guint         delay_ms,
             const GError *error,
             GCancellable *cancellable,
             Cli          *cli)
{
  g_printerr (_("%s Retrying in %.1f s…\n"), error->message, delay_ms / 1000.0);
}

static void
generate_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Cli *cli = user_data;
  GemResponse *partial = NULL;

  cli->response = gem_client_generate_finish (GEM_CLIENT (object), result, &partial, &cli->error);
  if (cli->response == NULL)
    cli->response = partial;

  if (cli->options->no_stream)
    print_whole_response (cli, cli->response);

  g_main_loop_quit (cli->loop);
}

static gboolean
sigint_cb (gpointer user_data)
{
  Cli *cli = user_data;

  g_cancellable_cancel (cli->cancellable);

  return G_SOURCE_CONTINUE;
}

static JsonNode *
build_request (Options  *options,
               GError  **error)
{
  g_autoptr(GemGenerationSettings) settings = gem_generation_settings_new (options->model);
  g_autoptr(GPtrArray) turns = g_ptr_array_new_with_free_func ((GDestroyNotify) gem_turn_free);

  if (options->system != NULL && options->system[0] != '\0')
    settings->system_instruction = g_strdup (options->system);

  settings->thinking_level = options->thinking_level;
  settings->has_thinking_budget = options->has_thinking_budget;
  settings->thinking_budget = options->thinking_budget;
  settings->include_thoughts = options->thoughts;
  settings->google_search = options->search;

  if (options->image)
    settings->response_modalities = GEM_RESPONSE_MODALITIES_TEXT_IMAGE;
  if (options->aspect_ratio != NULL)
    settings->aspect_ratio = g_strdup (options->aspect_ratio);

  g_ptr_array_add (turns, gem_turn_new_text ("user", options->prompt));

  return gem_request_build (settings, turns, error);
}

static int
run_network (Options *options)
{
  static const char * const key_variables[] = {
    "STARLING_API_KEY", "GEMINI_API_KEY", "COMETAPI_KEY",
  };
  g_autoptr(GemClient) client = NULL;
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  const char *key = NULL;
  const char *base_url;
  Cli cli = { 0 };
  guint sigint_id;
  int status;

  for (guint i = 0; i < G_N_ELEMENTS (key_variables) && key == NULL; i++)
    {
      key = g_getenv (key_variables[i]);
      if (key != NULL && key[0] == '\0')
        key = NULL;
    }

  if (key == NULL)
    {
      usage_error (_("No API key: set STARLING_API_KEY (or GEMINI_API_KEY, or COMETAPI_KEY)."));
      return EXIT_USAGE;
    }

  base_url = options->base_url;
  if (base_url == NULL || base_url[0] == '\0')
    base_url = g_getenv ("STARLING_BASE_URL");
  if (base_url == NULL || base_url[0] == '\0')
    base_url = GEM_CLIENT_DEFAULT_BASE_URL;

  if (!gem_client_check_base_url (base_url, &error))
    {
      usage_error (error->message);
      return EXIT_USAGE;
    }

  request = build_request (options, &error);
  if (request == NULL)
    {
      usage_error (error->message);
      return EXIT_USAGE;
    }

  client = gem_client_new (base_url, key);
  loop = g_main_loop_new (NULL, FALSE);
  cancellable = g_cancellable_new ();

  cli.options = options;
  cli.loop = loop;
  cli.cancellable = cancellable;

  g_signal_connect (client, "delta-received", G_CALLBACK (delta_received_cb), &cli);
  g_signal_connect (client, "retrying", G_CALLBACK (retrying_cb), &cli);
  sigint_id = g_unix_signal_add (SIGINT, sigint_cb, &cli);

  gem_client_generate_async (client, options->model, request,
                             options->no_stream ? GEM_GENERATE_FLAGS_NONE : GEM_GENERATE_FLAGS_STREAM,
                             cancellable, generate_cb, &cli);
  g_main_loop_run (loop);

  g_source_remove (sigint_id);

  status = cli_report (&cli);

  g_clear_object (&cli.response);
  g_clear_error (&cli.error);

  return status;
}

/* ---- --replay ---- */

static gboolean
replay_event_cb (GemSseEventKind   kind,
                 const char       *payload,
                 gsize             len,
                 gpointer          user_data,
                 GError          **error)
{
  Cli *cli = user_data;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (len > G_MAXSSIZE ||
      !gem_json_parser_load (parser, payload, (gssize) len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    return gem_response_merge_event (cli->response, payload, len, error);

  if (!gem_response_merge_chunk (cli->response, json_node_get_object (root), error))
    return FALSE;

  print_chunk (cli, json_node_get_object (root));

  return TRUE;
}

/* The HTTP status an error body speaks of, from its `error.code`. */
static guint
error_body_status (const char *data,
                   gsize       len)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;
  JsonNode *node;
  JsonObject *object;

  if (len > G_MAXSSIZE || !gem_json_parser_load (parser, data, (gssize) len, NULL))
    return 0;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return 0;

  node = json_object_get_member (json_node_get_object (root), "error");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return 0;

  object = json_node_get_object (node);
  node = json_object_get_member (object, "code");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;

  return (guint) CLAMP (json_node_get_int (node), 0, 999);
}

static int
run_replay (Options *options)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  const char *p;
  gsize len = 0;
  Cli cli = { 0 };
  int status;

  cli.options = options;

  if (!g_file_get_contents (options->replay, &data, &len, &error))
    {
      usage_error (error->message);
      return EXIT_USAGE;
    }

  for (p = data; p < data + len && g_ascii_isspace (*p); p++)
    ;

  if (p < data + len && *p == '{')
    {
      /* A unary body, or an error body the server sent with its status. */
      guint http_status = error_body_status (data, len);

      if (http_status != 0)
        cli.error = gem_error_new_from_http (http_status, NULL, data, len);
      else
        {
          cli.response = gem_response_new_from_json (data, len, &cli.error);
          if (cli.response != NULL)
            {
              print_whole_response (&cli, cli.response);
              gem_response_check_finish (cli.response, &cli.error);
            }
        }
    }
  else
    {
      g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (GEM_SSE_DECODER_DEFAULT_MAX_EVENT_SIZE);

      cli.response = gem_response_new ();
      if (gem_sse_decoder_feed (decoder, data, len, replay_event_cb, &cli, &cli.error) &&
          gem_sse_decoder_finish (decoder, replay_event_cb, &cli, &cli.error) &&
          gem_response_is_complete (cli.response, &cli.error))
        gem_response_check_finish (cli.response, &cli.error);
    }

  status = cli_report (&cli);

  g_clear_object (&cli.response);
  g_clear_error (&cli.error);

  return status;
}

/* ---- options ---- */

static gboolean
parse_thinking (Options  *options,
                GError  **error)
{
  const char *value = options->thinking;
  char *end = NULL;
  gint64 budget;

  if (value == NULL)
    return TRUE;

  options->thinking_level = gem_thinking_level_from_string (value);
  if (options->thinking_level != GEM_THINKING_LEVEL_UNSET)
    return TRUE;

  budget = g_ascii_strtoll (value, &end, 10);
  if (end != value && *end == '\0' && budget >= -1 && budget <= G_MAXINT)
    {
      options->has_thinking_budget = TRUE;
      options->thinking_budget = (int) budget;
      return TRUE;
    }

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("--thinking takes a level (minimal, low, medium, high) or a token budget "
                 "(-1 for dynamic, 0 for off), not “%s”."),
               value);
  return FALSE;
}

static char *
read_stdin (GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  char buffer[4096];
  size_t n;

  while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
    g_string_append_len (text, buffer, n);

  if (ferror (stdin))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not read the prompt from standard input."));
      return NULL;
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
check_options (Options  *options,
               GError  **error)
{
  guint n_rest = options->rest ? g_strv_length (options->rest) : 0;

  if (options->replay != NULL)
    {
      if (n_rest > 0)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                       _("--replay reads a recorded answer: give no prompt with it."));
          return FALSE;
        }
      return TRUE;
    }

  if (n_rest == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("No prompt given."));
      return FALSE;
    }

  if (n_rest == 1 && g_str_equal (options->rest[0], "-"))
    {
      options->prompt = read_stdin (error);
      if (options->prompt == NULL)
        return FALSE;
    }
  else
    options->prompt = g_strjoinv (" ", options->rest);

  if (options->prompt[strspn (options->prompt, " \t\r\n")] == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("The prompt is empty."));
      return FALSE;
    }

  if (options->model == NULL || options->model[0] == '\0')
    {
      g_free (options->model);
      options->model = g_strdup (options->image ? DEFAULT_IMAGE_MODEL : DEFAULT_MODEL);
    }

  if (options->aspect_ratio != NULL && !gem_aspect_ratio_is_valid (options->aspect_ratio))
    {
      g_autofree char *list = g_strjoinv (", ", (char **) gem_aspect_ratios ());

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not an aspect ratio; use one of %s."), options->aspect_ratio, list);
      return FALSE;
    }

  if (options->image && !gem_model_can_output_images (options->model))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--image needs a model that can draw, such as %s; “%s” cannot."),
                   DEFAULT_IMAGE_MODEL, options->model);
      return FALSE;
    }

  if (!parse_thinking (options, error))
    return FALSE;

  /* The request would silently leave out a control the model does not take. */
  switch (gem_model_thinking_style (options->model))
    {
    case GEM_THINKING_STYLE_LEVEL:
      if (options->has_thinking_budget)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("“%s” takes a thinking level (minimal, low, medium, high), not a budget."),
                       options->model);
          return FALSE;
        }
      break;

    case GEM_THINKING_STYLE_BUDGET:
      if (options->thinking_level != GEM_THINKING_LEVEL_UNSET)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("“%s” takes a thinking budget in tokens (-1 for dynamic, 0 for off), not a level."),
                       options->model);
          return FALSE;
        }
      break;

    case GEM_THINKING_STYLE_NONE:
    default:
      if (options->thinking != NULL)
        g_printerr (_("starling-cli: “%s” has no thinking control; --thinking is ignored.\n"),
                    options->model);
      break;
    }

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  Options options = { 0 };
  const GOptionEntry entries[] = {
    { "base-url", 0, 0, G_OPTION_ARG_STRING, &options.base_url,
      N_("The server (default: $STARLING_BASE_URL, else https://api.cometapi.com)"), N_("URL") },
    { "model", 'm', 0, G_OPTION_ARG_STRING, &options.model,
      N_("The model (default: gemini-2.5-flash)"), N_("MODEL") },
    { "system", 's', 0, G_OPTION_ARG_STRING, &options.system,
      N_("A system instruction"), N_("TEXT") },
    { "thinking", 0, 0, G_OPTION_ARG_STRING, &options.thinking,
      N_("Thinking level (minimal, low, medium, high) or token budget (-1 dynamic, 0 off)"), N_("LEVEL|BUDGET") },
    { "thoughts", 0, 0, G_OPTION_ARG_NONE, &options.thoughts,
      N_("Ask for thought summaries and print them on standard error"), NULL },
    { "search", 0, 0, G_OPTION_ARG_NONE, &options.search,
      N_("Ground the answer with Google Search"), NULL },
    { "image", 0, 0, G_OPTION_ARG_NONE, &options.image,
      N_("Ask for images as well as text (needs an image model)"), NULL },
    { "aspect-ratio", 0, 0, G_OPTION_ARG_STRING, &options.aspect_ratio,
      N_("The images’ aspect ratio, e.g. 16:9"), N_("RATIO") },
    { "image-out", 0, 0, G_OPTION_ARG_FILENAME, &options.image_out,
      N_("Where to save images (default: the current folder)"), N_("DIR") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options.json,
      N_("Print the merged response (or the error) as one JSON object at the end"), NULL },
    { "no-stream", 0, 0, G_OPTION_ARG_NONE, &options.no_stream,
      N_("Ask for the whole answer at once instead of streaming it"), NULL },
    { "replay", 0, 0, G_OPTION_ARG_FILENAME, &options.replay,
      N_("Read a recorded response body (SSE or JSON) instead of the network"), N_("FILE") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.rest, NULL, N_("PROMPT") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_("PROMPT — ask a Gemini model"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Sends PROMPT (“-” reads standard input) and streams the answer to "
                                  "standard output.\n"
                                  "The API key comes from STARLING_API_KEY, GEMINI_API_KEY or COMETAPI_KEY.\n"
                                  "With --replay FILE, reads a recorded response body instead."));
  g_option_context_set_description (context,
                                    _("Exit status: 0 a complete answer; 1 an API or HTTP error; "
                                      "2 bad usage; 3 a blocked prompt or an answer stopped early; "
                                      "4 a network failure or an interrupted answer."));

  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      !check_options (&options, &error))
    {
      usage_error (error->message);
      options_clear (&options);
      return EXIT_USAGE;
    }

  if (options.replay != NULL)
    status = run_replay (&options);
  else
    status = run_network (&options);

  options_clear (&options);

  return status;
}

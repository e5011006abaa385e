/* fake-gemini-scenario.c: the scenario language and the answers it makes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fake-gemini-private.h"
#include "fake-gemini.h"

#include <string.h>

#define MAX_HUGE_IMAGE_MB 256
#define TEXT_PIECE_BYTES 48

FakeScenario *
fake_scenario_ref (FakeScenario *scenario)
{
  g_atomic_ref_count_inc (&scenario->ref_count);
  return scenario;
}

void
fake_scenario_unref (FakeScenario *scenario)
{
  if (!g_atomic_ref_count_dec (&scenario->ref_count))
    return;

  g_free (scenario->spec);
  g_free (scenario->replay_path);
  g_clear_pointer (&scenario->replay_bytes, g_bytes_unref);
  g_clear_pointer (&scenario->replay_unary_bytes, g_bytes_unref);
  g_free (scenario->text);
  g_free (scenario);
}

char *
fake_corpus_resolve (const char *corpus_dir,
                     const char *relative)
{
  g_autofree char *direct = NULL;
  g_autofree char *recorded = NULL;

  if (corpus_dir == NULL || relative == NULL || g_path_is_absolute (relative))
    return NULL;

  direct = g_build_filename (corpus_dir, relative, NULL);
  if (g_file_test (direct, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&direct);

  /* "googleai/x.txt" names recorded/googleai/x.txt in the corpus layout */
  recorded = g_build_filename (corpus_dir, "recorded", relative, NULL);
  if (g_file_test (recorded, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&recorded);

  return NULL;
}

GBytes *
fake_corpus_load (const char  *corpus_dir,
                  const char  *relative,
                  GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (corpus_dir == NULL)
    {
      g_set_error (error, FAKE_GEMINI_ERROR, FAKE_GEMINI_ERROR_CORPUS,
                   "No corpus directory given, cannot read %s", relative);
      return NULL;
    }

  if (strstr (relative, "..") != NULL)
    {
      g_set_error (error, FAKE_GEMINI_ERROR, FAKE_GEMINI_ERROR_CORPUS,
                   "Corpus paths may not contain “..”: %s", relative);
      return NULL;
    }

  path = fake_corpus_resolve (corpus_dir, relative);
  if (path == NULL)
    {
      g_set_error (error, FAKE_GEMINI_ERROR, FAKE_GEMINI_ERROR_CORPUS,
                   "No file %s in the corpus %s", relative, corpus_dir);
      return NULL;
    }

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;

  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

static JsonNode *
parse_json_bytes (GBytes *bytes)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  if (len == 0 || !json_parser_load_from_data (parser, data, len, NULL))
    return NULL;

  return json_node_ref (json_parser_get_root (parser));
}

const char *
fake_json_get_string (JsonObject *object,
                      const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* The HTTP status of a JSON error body {"error": {"code": N}}, else 0. */
guint
fake_json_error_status (GBytes *bytes)
{
  g_autoptr(JsonNode) root = parse_json_bytes (bytes);
  JsonObject *obj;
  JsonObject *err;
  JsonNode *node;
  gint64 code;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return 0;

  obj = json_node_get_object (root);
  if (!json_object_has_member (obj, "error") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj, "error")))
    return 0;

  err = json_object_get_object_member (obj, "error");
  node = json_object_get_member (err, "code");
  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;
  code = json_node_get_int (node);
  if (code < 100 || code > 599)
    return 0;

  return (guint) code;
}

static gboolean
parse_uint (const char  *key,
            const char  *value,
            guint64      min,
            guint64      max,
            guint64     *out,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!g_ascii_string_to_unsigned (value, 10, min, max, out, &local_error))
    {
      g_set_error (error, FAKE_GEMINI_ERROR, FAKE_GEMINI_ERROR_BAD_SCENARIO,
                   "Bad value for %s: %s", key, local_error->message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_bool (const char  *key,
            const char  *value,
            gboolean    *out,
            GError     **error)
{
  if (g_strcmp0 (value, "1") == 0 || g_strcmp0 (value, "true") == 0)
    *out = TRUE;
  else if (g_strcmp0 (value, "0") == 0 || g_strcmp0 (value, "false") == 0)
    *out = FALSE;
  else
    {
      g_set_error (error, FAKE_GEMINI_ERROR, FAKE_GEMINI_ERROR_BAD_SCENARIO,
                   "Bad value for %s: “%s” (expected 1 or 0)", key, value);
      return FALSE;
    }

  return TRUE;
}

/* Splits "a=1;b=x\;y" into unescaped key/value pairs. */
static GPtrArray *
split_spec (const char  *spec,
            GError     **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) current = g_string_new (NULL);

  for (const char *p = spec; ; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        {
          p++;
          switch (*p)
            {
            case 'n':
              g_string_append_c (current, '\n');
              break;
            case 't':
              g_string_append_c (current, '\t');
              break;
            case ';':
            case '\\':
              g_string_append_c (current, *p);
              break;
            default:
              g_set_error (error, FAKE_GEMINI_ERROR, FAKE_GEMINI_ERROR_BAD_SCENARIO,
                           "Unknown escape “\\%c” in scenario", *p);
              return NULL;
            }
          continue;
        }

      if (*p == ';' || *p == '\0')
        {
          if (current->len > 0)
            g_ptr_array_add (items, g_strdup (current->str));
          g_string_truncate (current, 0);

          if (*p == '\0')
            break;
          continue;
        }

      g_string_append_c (current, *p);
    }

  return g_steal_pointer (&items);
}

char *
fake_gemini_escape_value (const char *value)
{
  GString *out = g_string_new (NULL);

  for (const char *p = value; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case ';':
          g_string_append (out, "\\;");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          g_string_append_c (out, *p);
          break;
        }
    }

  return g_string_free (out, FALSE);
}

static gboolean
load_replay (FakeScenario  *scenario,
             const char    *corpus_dir,
             GError       **error)
{
  g_autoptr(JsonNode) as_json = NULL;

  scenario->replay_bytes = fake_corpus_load (corpus_dir, scenario->replay_path, error);
  if (scenario->replay_bytes == NULL)
    return FALSE;

  scenario->replay_status = fake_json_error_status (scenario->replay_bytes);

  as_json = parse_json_bytes (scenario->replay_bytes);
  if (as_json != NULL)
    {
      /* A JSON body serves unary requests as it is. */
      scenario->replay_unary_bytes = g_bytes_ref (scenario->replay_bytes);
      scenario->replay_unary_status = scenario->replay_status;
    }
  else
    {
      /* An SSE recording: a unary request gets its unary-*.json twin. */
      g_autofree char *dir = g_path_get_dirname (scenario->replay_path);
      g_autofree char *base = g_path_get_basename (scenario->replay_path);
      g_autofree char *twin = NULL;
      g_autofree char *twin_path = NULL;
      g_autofree char *resolved = NULL;
      char *dot;

      if (g_str_has_prefix (base, "streaming-"))
        {
          dot = strrchr (base, '.');
          if (dot != NULL)
            *dot = '\0';
          twin = g_strconcat ("unary-", base + strlen ("streaming-"), ".json", NULL);
          twin_path = g_build_filename (dir, twin, NULL);

          resolved = fake_corpus_resolve (corpus_dir, twin_path);
          if (resolved != NULL)
            {
              scenario->replay_unary_bytes = fake_corpus_load (corpus_dir, twin_path, error);
              if (scenario->replay_unary_bytes == NULL)
                return FALSE;
              scenario->replay_unary_status = fake_json_error_status (scenario->replay_unary_bytes);
            }
        }

      if (scenario->replay_unary_bytes == NULL)
        {
          g_autofree char *message =
            g_strdup_printf ("fake-gemini: %s is a streamed recording with no unary twin; "
                             "use :streamGenerateContent?alt=sse",
                             scenario->replay_path);
          char *body = fake_error_body (400, -1, message);

          scenario->replay_unary_bytes = g_bytes_new_take (body, strlen (body));
          scenario->replay_unary_status = 400;
        }
    }

  return TRUE;
}

FakeScenario *
fake_scenario_parse (const char  *spec,
                     const char  *corpus_dir,
                     GError     **error)
{
  g_autoptr(FakeScenario) scenario = g_new0 (FakeScenario, 1);
  g_autoptr(GPtrArray) items = NULL;
  guint n_sources = 0;

  g_atomic_ref_count_init (&scenario->ref_count);
  scenario->spec = g_strdup (spec ? spec : "");
  scenario->trickle_ms = -1;
  scenario->drop_after = -1;
  scenario->stall_after = -1;
  scenario->retry_after = -1;
  scenario->seed = g_str_hash (scenario->spec);

  items = split_spec (scenario->spec, error);
  if (items == NULL)
    return NULL;

  for (guint i = 0; i < items->len; i++)
    {
      const char *item = g_ptr_array_index (items, i);
      const char *eq = strchr (item, '=');
      g_autofree char *key = NULL;
      const char *value;
      guint64 n = 0;

      if (eq == NULL)
        {
          g_set_error (error, FAKE_GEMINI_ERROR, FAKE_GEMINI_ERROR_BAD_SCENARIO,
                       "Expected key=value in scenario, got “%s”", item);
          return NULL;
        }

      key = g_strndup (item, eq - item);
      g_strstrip (key);
      value = eq + 1;

      if (strcmp (key, "replay") == 0)
        {
          g_clear_pointer (&scenario->replay_path, g_free);
          scenario->replay_path = g_strdup (value);
          n_sources++;
        }
      else if (strcmp (key, "text") == 0)
        {
          g_clear_pointer (&scenario->text, g_free);
          scenario->text = g_strdup (value);
          n_sources++;
        }
      else if (strcmp (key, "garbage") == 0)
        {
          if (!parse_bool (key, value, &scenario->garbage, error))
            return NULL;
          n_sources += scenario->garbage;
        }
      else if (strcmp (key, "image_model") == 0)
        {
          if (!parse_bool (key, value, &scenario->image_model, error))
            return NULL;
          n_sources += scenario->image_model;
        }
      else if (strcmp (key, "huge_image_mb") == 0)
        {
          if (!parse_uint (key, value, 1, MAX_HUGE_IMAGE_MB, &n, error))
            return NULL;
          scenario->huge_image_mb = n;
          n_sources++;
        }
      else if (strcmp (key, "thinking") == 0)
        {
          if (!parse_bool (key, value, &scenario->thinking, error))
            return NULL;
        }
      else if (strcmp (key, "sse_crlf") == 0)
        {
          if (!parse_bool (key, value, &scenario->sse_crlf, error))
            return NULL;
        }
      else if (strcmp (key, "delay_ms") == 0)
        {
          if (!parse_uint (key, value, 0, 600000, &n, error))
            return NULL;
          scenario->delay_ms = n;
        }
      else if (strcmp (key, "trickle_ms") == 0)
        {
          if (!parse_uint (key, value, 0, 60000, &n, error))
            return NULL;
          scenario->trickle_ms = n;
        }
      else if (strcmp (key, "drop_after") == 0)
        {
          if (!parse_uint (key, value, 0, G_MAXINT, &n, error))
            return NULL;
          scenario->drop_after = n;
        }
      else if (strcmp (key, "stall_after") == 0)
        {
          if (!parse_uint (key, value, 0, G_MAXINT, &n, error))
            return NULL;
          scenario->stall_after = n;
        }
      else if (strcmp (key, "status") == 0)
        {
          if (!parse_uint (key, value, 400, 599, &n, error))
            return NULL;
          scenario->status = n;
        }
      else if (strcmp (key, "retry_after") == 0)
        {
          if (!parse_uint (key, value, 0, 86400, &n, error))
            return NULL;
          scenario->retry_after = n;
        }
      else if (strcmp (key, "fail_times") == 0)
        {
          if (!parse_uint (key, value, 0, G_MAXINT, &n, error))
            return NULL;
          scenario->fail_times = n;
        }
      else if (strcmp (key, "html_status") == 0)
        {
          if (!parse_uint (key, value, 400, 599, &n, error))
            return NULL;
          scenario->html_status = n;
        }
      else if (strcmp (key, "seed") == 0)
        {
          if (!parse_uint (key, value, 0, G_MAXUINT32, &n, error))
            return NULL;
          scenario->seed = n;
        }
      else
        {
          g_set_error (error, FAKE_GEMINI_ERROR, FAKE_GEMINI_ERROR_BAD_SCENARIO,
                       "Unknown scenario key “%s”", key);
          return NULL;
        }
    }

  if (n_sources > 1)
    {
      g_set_error (error, FAKE_GEMINI_ERROR, FAKE_GEMINI_ERROR_BAD_SCENARIO,
                   "A scenario takes at most one of replay, text, garbage, image_model, "
                   "huge_image_mb: “%s”", scenario->spec);
      return NULL;
    }

  if (scenario->drop_after >= 0 && scenario->stall_after >= 0)
    {
      g_set_error (error, FAKE_GEMINI_ERROR, FAKE_GEMINI_ERROR_BAD_SCENARIO,
                   "drop_after and stall_after exclude each other: “%s”", scenario->spec);
      return NULL;
    }

  if (scenario->fail_times > 0 && scenario->status == 0 && scenario->html_status == 0)
    scenario->status = 503;

  if (scenario->replay_path != NULL && !load_replay (scenario, corpus_dir, error))
    return NULL;

  return g_steal_pointer (&scenario);
}

/* Cuts an SSE body into events, each with its own blank-line separator, so
 * that joining them gives back the input byte for byte. */
GPtrArray *
fake_sse_split_events (GBytes *bytes)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  gsize event_start = 0;
  gsize line_start = 0;
  gboolean has_content = FALSE;
  gsize i = 0;

  while (i < len)
    {
      gsize line_end;
      gsize next;

      if (data[i] != '\r' && data[i] != '\n')
        {
          i++;
          continue;
        }

      line_end = i;
      next = (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n') ? i + 2 : i + 1;

      if (line_end == line_start)
        {
          if (has_content)
            {
              g_ptr_array_add (events, g_bytes_new_from_bytes (bytes, event_start, next - event_start));
              event_start = next;
              has_content = FALSE;
            }
        }
      else
        has_content = TRUE;

      i = next;
      line_start = next;
    }

  if (event_start < len)
    g_ptr_array_add (events, g_bytes_new_from_bytes (bytes, event_start, len - event_start));

  return events;
}

char *
fake_sse_event_from_json (const char *json,
                          gboolean    crlf)
{
  return g_strconcat ("data: ", json, crlf ? "\r\n\r\n" : "\n\n", NULL);
}

char *
fake_random_base64 (gsize n_bytes)
{
  g_autofree guchar *raw = g_malloc (n_bytes);

  for (gsize i = 0; i < n_bytes; i++)
    raw[i] = g_random_int_range (0, 256);

  return g_base64_encode (raw, n_bytes);
}

char *
fake_random_id (gsize len)
{
  static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  char *id = g_malloc (len + 1);

  for (gsize i = 0; i < len; i++)
    id[i] = alphabet[g_random_int_range (0, sizeof alphabet - 1)];
  id[len] = '\0';

  return id;
}

/* Text pieces as a model streams them: cut before a space near each step. */
static GPtrArray *
split_text (const char *text)
{
  GPtrArray *pieces = g_ptr_array_new_with_free_func (g_free);
  gsize len = strlen (text);
  gsize n_pieces;
  gsize step;
  const char *p = text;
  const char *end = text + len;

  if (g_utf8_strlen (text, -1) < 2)
    {
      g_ptr_array_add (pieces, g_strdup (text));
      return pieces;
    }

  n_pieces = CLAMP ((len + TEXT_PIECE_BYTES - 1) / TEXT_PIECE_BYTES, 2, 1000);
  step = MAX (len / n_pieces, 1);

  while (p < end)
    {
      const char *cut;
      const char *space;

      if (pieces->len + 1 == n_pieces || (gsize) (end - p) <= step)
        {
          g_ptr_array_add (pieces, g_strndup (p, end - p));
          break;
        }

      cut = g_utf8_find_prev_char (p, p + step + 1);
      if (cut == NULL || cut <= p)
        cut = g_utf8_find_next_char (p, end);

      /* prefer to cut before a space within a few bytes */
      space = cut;
      while (space < end && space - cut < 12 && *space != ' ' && *space != '\n')
        space++;
      if (space < end && (*space == ' ' || *space == '\n'))
        cut = space;
      if (cut <= p)
        cut = g_utf8_find_next_char (p, end);

      g_ptr_array_add (pieces, g_strndup (p, cut - p));
      p = cut;
    }

  return pieces;
}

static gint64
tokens_for (gsize bytes)
{
  return MAX ((gint64) bytes / 4, 1);
}

typedef struct
{
  gint64 prompt;
  gint64 candidates;
  gint64 thoughts;
  gint64 image;
  gboolean final;
} Usage;

static void
add_usage (JsonBuilder *builder,
           const Usage *usage)
{
  json_builder_set_member_name (builder, "usageMetadata");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "promptTokenCount");
  json_builder_add_int_value (builder, usage->prompt);
  if (usage->final)
    {
      json_builder_set_member_name (builder, "candidatesTokenCount");
      json_builder_add_int_value (builder, usage->candidates + usage->image);
    }
  json_builder_set_member_name (builder, "totalTokenCount");
  json_builder_add_int_value (builder, usage->prompt + usage->thoughts +
                                       (usage->final ? usage->candidates + usage->image : 0));
  json_builder_set_member_name (builder, "promptTokensDetails");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "modality");
  json_builder_add_string_value (builder, "TEXT");
  json_builder_set_member_name (builder, "tokenCount");
  json_builder_add_int_value (builder, usage->prompt);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  if (usage->final && usage->image > 0)
    {
      json_builder_set_member_name (builder, "candidatesTokensDetails");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "modality");
      json_builder_add_string_value (builder, "IMAGE");
      json_builder_set_member_name (builder, "tokenCount");
      json_builder_add_int_value (builder, usage->image);
      json_builder_end_object (builder);
      json_builder_end_array (builder);
    }
  if (usage->thoughts > 0)
    {
      json_builder_set_member_name (builder, "thoughtsTokenCount");
      json_builder_add_int_value (builder, usage->thoughts);
    }
  json_builder_end_object (builder);
}

/* One GenerateContentResponse. @parts is consumed. */
static char *
response_json (const FakeAnswerContext *ctx,
               const char              *response_id,
               JsonArray               *parts,
               gboolean                 final,
               const Usage             *usage)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) parts_node = json_node_new (JSON_NODE_ARRAY);

  json_node_take_array (parts_node, parts);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "candidates");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "content");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "parts");
  json_builder_add_value (builder, g_steal_pointer (&parts_node));
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, "model");
  json_builder_end_object (builder);
  if (final)
    {
      json_builder_set_member_name (builder, "finishReason");
      json_builder_add_string_value (builder, "STOP");
    }
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, 0);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  add_usage (builder, usage);
  json_builder_set_member_name (builder, "modelVersion");
  json_builder_add_string_value (builder, ctx->model);
  json_builder_set_member_name (builder, "responseId");
  json_builder_add_string_value (builder, response_id);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

static JsonObject *
text_part (const char *text,
           gboolean    thought)
{
  JsonObject *part = json_object_new ();

  json_object_set_string_member (part, "text", text);
  if (thought)
    json_object_set_boolean_member (part, "thought", TRUE);

  return part;
}

static const char thought_text[] =
  "**Planning the answer**\n\nThe user wants a clear answer. I will keep it short, "
  "check the facts I rely on and present them in a readable order.\n\n\n";

static void
add_output (GPtrArray               *out,
            const FakeAnswerContext *ctx,
            char                    *json)
{
  if (ctx->stream)
    {
      char *event = fake_sse_event_from_json (json, ctx->crlf);

      g_ptr_array_add (out, g_bytes_new_take (event, strlen (event)));
      g_free (json);
    }
  else
    g_ptr_array_add (out, g_bytes_new_take (json, strlen (json)));
}

GPtrArray *
fake_answer_text (const FakeAnswerContext *ctx,
                  const char              *text,
                  gboolean                 thinking)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char *response_id = fake_random_id (23);
  Usage usage = { 0, };

  usage.prompt = tokens_for (ctx->request_size);
  usage.candidates = tokens_for (strlen (text));
  usage.thoughts = thinking ? tokens_for (strlen (thought_text)) : 0;

  if (!ctx->stream)
    {
      JsonArray *parts = json_array_new ();

      if (thinking)
        json_array_add_object_element (parts, text_part (thought_text, TRUE));
      json_array_add_object_element (parts, text_part (text, FALSE));

      usage.final = TRUE;
      add_output (out, ctx, response_json (ctx, response_id, parts, TRUE, &usage));
    }
  else
    {
      g_autoptr(GPtrArray) pieces = split_text (text);

      if (thinking)
        {
          JsonArray *parts = json_array_new ();

          json_array_add_object_element (parts, text_part (thought_text, TRUE));
          add_output (out, ctx, response_json (ctx, response_id, parts, FALSE, &usage));
        }

      for (guint i = 0; i < pieces->len; i++)
        {
          JsonArray *parts = json_array_new ();
          gboolean final = i + 1 == pieces->len;

          json_array_add_object_element (parts, text_part (g_ptr_array_index (pieces, i), FALSE));
          usage.final = final;
          add_output (out, ctx, response_json (ctx, response_id, parts, final, &usage));
        }
    }

  return out;
}

/* The image goes into the last event, as Gemini image models send it; the
 * base64 is spliced in by hand so megabytes need not go through a generator. */
GPtrArray *
fake_answer_image (const FakeAnswerContext *ctx,
                   const char              *text,
                   gboolean                 thinking,
                   GBytes                  *png,
                   const char              *thought_signature)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char *response_id = fake_random_id (23);
  g_autofree char *b64 = NULL;
  g_autofree char *image_json = NULL;
  const char *marker = "@@FAKE_GEMINI_IMAGE_DATA@@";
  const char *at;
  JsonObject *image;
  JsonObject *inline_data;
  JsonArray *parts;
  GString *s;
  Usage usage = { 0, };
  gsize png_len = 0;
  const guint8 *png_data = g_bytes_get_data (png, &png_len);

  usage.prompt = tokens_for (ctx->request_size);
  usage.candidates = tokens_for (strlen (text));
  usage.thoughts = thinking ? tokens_for (strlen (thought_text)) : 0;
  usage.image = 1290;

  image = json_object_new ();
  inline_data = json_object_new ();
  json_object_set_string_member (inline_data, "mimeType", "image/png");
  json_object_set_string_member (inline_data, "data", marker);
  json_object_set_object_member (image, "inlineData", inline_data);
  if (thought_signature != NULL)
    json_object_set_string_member (image, "thoughtSignature", thought_signature);

  parts = json_array_new ();
  if (!ctx->stream)
    {
      if (thinking)
        json_array_add_object_element (parts, text_part (thought_text, TRUE));
      json_array_add_object_element (parts, text_part (text, FALSE));
    }
  else
    {
      if (thinking)
        {
          JsonArray *tparts = json_array_new ();

          json_array_add_object_element (tparts, text_part (thought_text, TRUE));
          add_output (out, ctx, response_json (ctx, response_id, tparts, FALSE, &usage));
        }

      {
        JsonArray *xparts = json_array_new ();

        json_array_add_object_element (xparts, text_part (text, FALSE));
        add_output (out, ctx, response_json (ctx, response_id, xparts, FALSE, &usage));
      }
    }
  json_array_add_object_element (parts, image);

  usage.final = TRUE;
  image_json = response_json (ctx, response_id, parts, TRUE, &usage);

  at = strstr (image_json, marker);
  g_assert (at != NULL);

  b64 = g_base64_encode (png_data, png_len);
  s = g_string_sized_new (strlen (image_json) + strlen (b64) + 16);
  if (ctx->stream)
    g_string_append (s, "data: ");
  g_string_append_len (s, image_json, at - image_json);
  g_string_append (s, b64);
  g_string_append (s, at + strlen (marker));
  if (ctx->stream)
    g_string_append (s, ctx->crlf ? "\r\n\r\n" : "\n\n");

  {
    gsize n = s->len;

    g_ptr_array_add (out, g_bytes_new_take (g_string_free (s, FALSE), n));
  }

  return out;
}

/* Not JSON at all: control bytes, invalid UTF-8, broken "data:" lines. */
GPtrArray *
fake_answer_garbage (gboolean stream,
                     guint32  seed)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  for (guint e = 0; e < 4; e++)
    {
      GByteArray *chunk = g_byte_array_new ();
      guint n = g_rand_int_range (rand, 64, 512);

      if (e % 2 == 1)
        g_byte_array_append (chunk, (const guint8 *) "data: ", 6);
      if (e == 2)
        g_byte_array_append (chunk, (const guint8 *) "{\"candidates\": [{\"content\": ", 28);

      for (guint i = 0; i < n; i++)
        {
          guint8 b = g_rand_int_range (rand, 0, 256);

          /* no accidental closing brace, so it never parses as JSON */
          if (b == '}' || b == ']')
            b = 0xfe;
          g_byte_array_append (chunk, &b, 1);
        }

      if (stream)
        g_byte_array_append (chunk, (const guint8 *) "\n\n", 2);

      g_ptr_array_add (out, g_byte_array_free_to_bytes (chunk));
    }

  return out;
}

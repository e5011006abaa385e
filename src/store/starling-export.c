/* starling-export.c: conversations to Markdown and JSON, and back from JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "gem-json.h"
#include "starling-export.h"
#include "starling-json-span.h"
#include "starling-store-private.h"

#define FILE_STEM_MAX_CHARS 60

G_DEFINE_QUARK (starling-export-error-quark, starling_export_error)

/* Loading, on any connection */

static gboolean
load_conversation (StarlingStore              *store,
                   StoreConn                  *conn,
                   gint64                      conversation_id,
                   StarlingConversationInfo  **info,
                   GPtrArray                 **messages,
                   GError                    **error)
{
  *info = starling_store_conn_get_conversation (store, conn, conversation_id, error);
  if (*info == NULL)
    return FALSE;

  *messages = starling_store_conn_load_path (store, conn, conversation_id, 0, 0, error);
  if (*messages == NULL)
    {
      g_clear_object (info);
      return FALSE;
    }

  return TRUE;
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (text == NULL || !gem_json_parser_load (parser, text, -1, NULL))
    return NULL;

  return json_node_ref (json_parser_get_root (parser));
}

static const char *
object_string (JsonObject *object,
               const char *camel,
               const char *snake)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, camel);
  if (node == NULL && snake != NULL)
    node = json_object_get_member (object, snake);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static JsonObject *
object_object (JsonObject *object,
               const char *camel,
               const char *snake)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, camel);
  if (node == NULL && snake != NULL)
    node = json_object_get_member (object, snake);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

static JsonArray *
object_array (JsonObject *object,
              const char *camel,
              const char *snake)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, camel);
  if (node == NULL && snake != NULL)
    node = json_object_get_member (object, snake);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  return json_node_get_array (node);
}

static gint64
object_int (JsonObject *object,
            const char *camel,
            const char *snake)
{
  JsonNode *node;

  if (object == NULL)
    return 0;

  node = json_object_get_member (object, camel);
  if (node == NULL && snake != NULL)
    node = json_object_get_member (object, snake);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;

  return json_node_get_int (node);
}

static gboolean
part_is_thought (JsonObject *part)
{
  JsonNode *node = json_object_get_member (part, "thought");

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}

/* Markdown */

static const char *
extension_for (const char *mime_type)
{
  static const struct { const char *mime; const char *ext; } known[] = {
    { "image/png", "png" }, { "image/jpeg", "jpg" }, { "image/webp", "webp" },
    { "image/gif", "gif" }, { "image/heic", "heic" }, { "image/heif", "heif" },
    { "image/svg+xml", "svg" }, { "application/pdf", "pdf" }, { "audio/wav", "wav" },
    { "audio/mpeg", "mp3" }, { "audio/mp3", "mp3" }, { "audio/ogg", "ogg" },
    { "audio/flac", "flac" }, { "video/mp4", "mp4" }, { "video/webm", "webm" },
    { "text/plain", "txt" }, { "text/markdown", "md" }, { "application/json", "json" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (mime_type != NULL && g_ascii_strcasecmp (mime_type, known[i].mime) == 0)
      return known[i].ext;

  return "bin";
}

static char *
link_target (const char *name)
{
  if (strpbrk (name, " ()<>") != NULL)
    return g_strdup_printf ("<%s>", name);

  return g_strdup (name);
}

static char *
code_fence (const char *code)
{
  guint longest = 0;
  guint run = 0;

  for (const char *p = code; *p != '\0'; p++)
    {
      run = *p == '`' ? run + 1 : 0;
      longest = MAX (longest, run);
    }

  return g_strnfill (MAX (3, longest + 1), '`');
}

static void
append_code (GString    *md,
             const char *language,
             const char *code)
{
  g_autofree char *fence = code_fence (code);

  g_string_append_printf (md, "%s%s\n%s", fence, language ? language : "", code);
  if (code[0] != '\0' && !g_str_has_suffix (code, "\n"))
    g_string_append_c (md, '\n');
  g_string_append_printf (md, "%s\n\n", fence);
}

typedef struct
{
  gsize  offset;    /* in the answer's text, all its text parts joined */
  char  *marker;
} Marker;

static void
marker_clear (gpointer data)
{
  g_free (((Marker *) data)->marker);
}

static int
marker_compare (gconstpointer a,
                gconstpointer b)
{
  const Marker *ma = a;
  const Marker *mb = b;

  return (ma->offset > mb->offset) - (ma->offset < mb->offset);
}

typedef struct
{
  GString   *md;
  GFile     *dir;
  char      *stem;
  guint      n_files;
  guint      n_footnotes;
  gboolean   write_files;
} MarkdownWriter;

static gboolean
write_attachment (MarkdownWriter  *w,
                  JsonObject      *inline_data,
                  GError         **error)
{
  const char *mime_type = object_string (inline_data, "mimeType", "mime_type");
  const char *data = object_string (inline_data, "data", NULL);
  g_autofree guchar *bytes = NULL;
  g_autofree char *name = NULL;
  g_autofree char *target = NULL;
  gsize len = 0;

  if (data == NULL)
    return TRUE;

  w->n_files++;
  name = g_strdup_printf ("%s-%u.%s", w->stem, w->n_files, extension_for (mime_type));
  target = link_target (name);

  if (w->write_files)
    {
      g_autoptr(GFile) file = g_file_get_child (w->dir, name);

      bytes = g_base64_decode (data, &len);
      if (!g_file_replace_contents (file, (const char *) bytes, len, NULL, FALSE,
                                    G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error))
        return FALSE;
    }

  if (mime_type != NULL && g_str_has_prefix (mime_type, "image/"))
    g_string_append_printf (w->md, "![%s](%s)\n\n", _("Image"), target);
  else
    g_string_append_printf (w->md, "[%s %u](%s)\n\n", _("Attachment"), w->n_files, target);

  return TRUE;
}

/* One footnote per grounding source used by the answer, numbered through
 * the whole conversation; markers go where each supported sentence ends. */
static GArray *
grounding_markers (MarkdownWriter  *w,
                   JsonObject      *grounding,
                   GArray          *part_starts,
                   GString         *footnotes)
{
  g_autoptr(GArray) markers = g_array_new (FALSE, FALSE, sizeof (Marker));
  g_autoptr(GHashTable) numbers = g_hash_table_new (NULL, NULL);
  JsonArray *chunks = object_array (grounding, "groundingChunks", "grounding_chunks");
  JsonArray *supports = object_array (grounding, "groundingSupports", "grounding_supports");

  g_array_set_clear_func (markers, marker_clear);

  for (guint i = 0; supports != NULL && i < json_array_get_length (supports); i++)
    {
      JsonNode *node = json_array_get_element (supports, i);
      JsonObject *support = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonObject *segment = object_object (support, "segment", NULL);
      JsonArray *indices = object_array (support, "groundingChunkIndices", "grounding_chunk_indices");
      gint64 part_index = object_int (segment, "partIndex", "part_index");
      gint64 end = object_int (segment, "endIndex", "end_index");
      g_autoptr(GString) marker = g_string_new (NULL);
      gsize base = 0;
      Marker m;

      if (segment == NULL || indices == NULL)
        continue;

      if (part_index > 0 && (guint64) part_index < part_starts->len)
        base = g_array_index (part_starts, gsize, part_index);

      for (guint j = 0; j < json_array_get_length (indices); j++)
        {
          gint64 index = json_array_get_int_element (indices, j);
          JsonNode *chunk_node;
          JsonObject *chunk;
          JsonObject *source = NULL;
          guint number;

          if (chunks == NULL || index < 0 || index >= json_array_get_length (chunks))
            continue;

          number = GPOINTER_TO_UINT (g_hash_table_lookup (numbers, GINT_TO_POINTER (index + 1)));
          if (number == 0)
            {
              const char *title;
              const char *uri;

              number = ++w->n_footnotes;
              g_hash_table_insert (numbers, GINT_TO_POINTER (index + 1), GUINT_TO_POINTER (number));

              chunk_node = json_array_get_element (chunks, index);
              chunk = JSON_NODE_HOLDS_OBJECT (chunk_node) ? json_node_get_object (chunk_node) : NULL;
              source = object_object (chunk, "web", NULL);
              if (source == NULL)
                source = object_object (chunk, "maps", NULL);
              if (source == NULL)
                source = object_object (chunk, "retrievedContext", "retrieved_context");
              title = object_string (source, "title", NULL);
              uri = object_string (source, "uri", NULL);

              if (uri != NULL)
                {
                  g_autofree char *label = g_strdup (title ? title : uri);

                  g_strdelimit (label, "[]\n", ' ');
                  g_string_append_printf (footnotes, "[^%u]: [%s](%s)\n", number, label, uri);
                }
              else
                g_string_append_printf (footnotes, "[^%u]: %s\n", number,
                                        title ? title : _("Unnamed source"));
            }

          g_string_append_printf (marker, "[^%u]", number);
        }

      if (marker->len == 0)
        continue;

      m.offset = base + MAX (end, 0);
      m.marker = g_string_free (g_steal_pointer (&marker), FALSE);
      g_array_append_val (markers, m);
    }

  g_array_sort (markers, marker_compare);

  return g_steal_pointer (&markers);
}

static void
append_text_with_markers (GString    *md,
                          const char *text,
                          gsize       start,
                          GArray     *markers,
                          guint      *next_marker)
{
  gsize len = strlen (text);
  gsize pos = 0;
  g_autoptr(GString) out = g_string_new (NULL);

  while (*next_marker < markers->len)
    {
      Marker *m = &g_array_index (markers, Marker, *next_marker);
      gsize at;

      if (m->offset > start + len)
        break;

      at = m->offset > start ? m->offset - start : 0;
      /* never inside a character */
      while (at < len && (text[at] & 0xC0) == 0x80)
        at++;
      if (at < pos)
        at = pos;

      g_string_append_len (out, text + pos, at - pos);
      g_string_append (out, m->marker);
      pos = at;
      (*next_marker)++;
    }
  g_string_append_len (out, text + pos, len - pos);

  g_strchomp (out->str);
  if (out->str[0] != '\0')
    g_string_append_printf (md, "%s\n\n", out->str);
}

static gboolean
render_message (MarkdownWriter         *w,
                StarlingStoredMessage  *message,
                GError                **error)
{
  g_autoptr(JsonNode) parts_node = parse_json (starling_stored_message_get_parts_json (message));
  g_autoptr(JsonNode) grounding_node = parse_json (starling_stored_message_get_grounding_json (message));
  g_autoptr(GArray) part_starts = g_array_new (FALSE, TRUE, sizeof (gsize));
  g_autoptr(GArray) markers = NULL;
  g_autoptr(GString) footnotes = g_string_new (NULL);
  StarlingStoreRole role = starling_stored_message_get_role (message);
  const char *thoughts = starling_stored_message_get_thought_text (message);
  JsonArray *parts = parts_node && JSON_NODE_HOLDS_ARRAY (parts_node)
                     ? json_node_get_array (parts_node) : NULL;
  guint n_parts = parts ? json_array_get_length (parts) : 0;
  guint next_marker = 0;
  gsize text_length = 0;

  g_string_append_printf (w->md, "## %s\n\n", role == STARLING_STORE_ROLE_USER ? _("You")
                                                                               : _("Gemini"));

  if (thoughts != NULL && thoughts[0] != '\0')
    {
      g_auto(GStrv) lines = NULL;
      g_autofree char *trimmed = g_strchomp (g_strdup (thoughts));

      g_string_append_printf (w->md, "> **%s**\n>\n", _("Thoughts"));
      lines = g_strsplit (trimmed, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          if (lines[i][0] != '\0')
            g_string_append_printf (w->md, "> %s\n", lines[i]);
          else
            g_string_append (w->md, ">\n");
        }
      g_string_append_c (w->md, '\n');
    }

  /* where each text part starts in the answer's text, as the API counts */
  for (guint i = 0; i < n_parts; i++)
    {
      JsonObject *part = json_array_get_object_element (parts, i);
      const char *text = object_string (part, "text", NULL);

      g_array_append_val (part_starts, text_length);
      if (text != NULL && !part_is_thought (part))
        text_length += strlen (text);
    }

  if (grounding_node != NULL && JSON_NODE_HOLDS_OBJECT (grounding_node))
    markers = grounding_markers (w, json_node_get_object (grounding_node), part_starts, footnotes);
  else
    markers = g_array_new (FALSE, FALSE, sizeof (Marker));

  for (guint i = 0; i < n_parts; i++)
    {
      JsonNode *node = json_array_get_element (parts, i);
      JsonObject *part = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *text = object_string (part, "text", NULL);
      JsonObject *inner;

      if (part == NULL || part_is_thought (part))
        continue;

      if (text != NULL)
        append_text_with_markers (w->md, text, g_array_index (part_starts, gsize, i), markers,
                                  &next_marker);
      else if ((inner = object_object (part, "inlineData", "inline_data")) != NULL)
        {
          if (!write_attachment (w, inner, error))
            return FALSE;
        }
      else if ((inner = object_object (part, "fileData", "file_data")) != NULL)
        {
          const char *uri = object_string (inner, "fileUri", "file_uri");

          if (uri != NULL)
            g_string_append_printf (w->md, "[%s](%s)\n\n", uri, uri);
        }
      else if ((inner = object_object (part, "functionCall", "function_call")) != NULL ||
               (inner = object_object (part, "functionResponse", "function_response")) != NULL)
        {
          gboolean call = object_object (part, "functionCall", "function_call") != NULL;
          g_autoptr(JsonNode) inner_node = json_node_init_object (json_node_alloc (), inner);
          g_autofree char *json = json_to_string (inner_node, TRUE);

          g_string_append_printf (w->md, "**%s** `%s`\n\n",
                                  call ? _("Function call") : _("Function response"),
                                  object_string (inner, "name", NULL) ?: "?");
          append_code (w->md, "json", json);
        }
      else if ((inner = object_object (part, "executableCode", "executable_code")) != NULL)
        {
          const char *language = object_string (inner, "language", NULL);
          g_autofree char *lower = g_ascii_strdown (language ? language : "", -1);

          if (g_str_equal (lower, "language_unspecified"))
            g_clear_pointer (&lower, g_free);
          append_code (w->md, lower, object_string (inner, "code", NULL) ?: "");
        }
      else if ((inner = object_object (part, "codeExecutionResult", "code_execution_result")) != NULL)
        append_code (w->md, NULL, object_string (inner, "output", NULL) ?: "");
    }

  /* a marker past the end of the text still points at its source */
  if (next_marker < markers->len)
    {
      g_string_truncate (w->md, w->md->len - (g_str_has_suffix (w->md->str, "\n\n") ? 2 : 0));
      while (next_marker < markers->len)
        g_string_append (w->md, g_array_index (markers, Marker, next_marker++).marker);
      g_string_append (w->md, "\n\n");
    }

  if (footnotes->len > 0)
    g_string_append_printf (w->md, "%s\n", footnotes->str);

  switch (starling_stored_message_get_status (message))
    {
    case STARLING_STORE_STATUS_INTERRUPTED:
      g_string_append_printf (w->md, "*%s*\n\n", _("The answer was interrupted."));
      break;
    case STARLING_STORE_STATUS_STOPPED:
      g_string_append_printf (w->md, "*%s*\n\n", _("The answer was stopped."));
      break;
    case STARLING_STORE_STATUS_ERROR:
      g_string_append_printf (w->md, "*%s*\n\n", _("The request failed."));
      break;
    case STARLING_STORE_STATUS_STREAMING:
    case STARLING_STORE_STATUS_COMPLETE:
    default:
      break;
    }

  return TRUE;
}

static char *
format_time (gint64 usec,
             gboolean iso)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup ("");
  if (iso)
    return g_date_time_format_iso8601 (utc);

  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static char *
conversation_title (StarlingConversationInfo *info)
{
  const char *title = starling_conversation_info_get_title (info);

  return g_strdup (title && title[0] ? title : _("Untitled conversation"));
}

static char *
markdown_for (StarlingConversationInfo  *info,
              GPtrArray                 *messages,
              GFile                     *file,
              gboolean                   write_files,
              GError                   **error)
{
  MarkdownWriter w = { 0, };
  g_autofree char *basename = g_file_get_basename (file);
  g_autofree char *title = conversation_title (info);
  g_autofree char *date = format_time (starling_conversation_info_get_created (info), FALSE);
  const char *model = starling_conversation_info_get_model (info);
  char *dot;

  w.md = g_string_new (NULL);
  w.dir = g_file_get_parent (file);
  w.write_files = write_files;
  dot = strrchr (basename, '.');
  if (dot != NULL && dot != basename)
    *dot = '\0';
  w.stem = g_strdup (basename);

  g_string_append_printf (w.md, "# %s\n\n", title);
  if (model != NULL)
    g_string_append_printf (w.md, "*%s · %s*\n\n", model, date);
  else
    g_string_append_printf (w.md, "*%s*\n\n", date);

  for (guint i = 0; i < messages->len; i++)
    if (!render_message (&w, g_ptr_array_index (messages, i), error))
      {
        g_string_free (w.md, TRUE);
        g_clear_object (&w.dir);
        g_free (w.stem);
        return NULL;
      }

  g_clear_object (&w.dir);
  g_free (w.stem);

  /* one newline at the end */
  while (g_str_has_suffix (w.md->str, "\n\n"))
    g_string_truncate (w.md, w.md->len - 1);

  return g_string_free (w.md, FALSE);
}

static gboolean
write_string (GFile       *file,
              const char  *contents,
              GError     **error)
{
  return g_file_replace_contents (file, contents, strlen (contents), NULL, FALSE,
                                  G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error);
}

static gboolean
export_markdown (StarlingStore  *store,
                 StoreConn      *conn,
                 gint64          conversation_id,
                 GFile          *file,
                 GError        **error)
{
  g_autoptr(StarlingConversationInfo) info = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *md = NULL;

  if (!load_conversation (store, conn, conversation_id, &info, &messages, error))
    return FALSE;

  md = markdown_for (info, messages, file, TRUE, error);
  if (md == NULL)
    return FALSE;

  return write_string (file, md, error);
}

/**
 * starling_export_markdown:
 * @store: the history
 * @conversation_id: the conversation
 * @file: the `.md` file to write
 * @error: a place for an error
 *
 * Writes the conversation's active path as Markdown: its title, each turn
 * under a heading, images and attachments as files beside @file (named
 * after it, with the extension of their type) linked from the text, and
 * grounding sources as footnotes.
 */
gboolean
starling_export_markdown (StarlingStore  *store,
                          gint64          conversation_id,
                          GFile          *file,
                          GError        **error)
{
  g_return_val_if_fail (STARLING_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  return export_markdown (store, starling_store_get_conn (store), conversation_id, file, error);
}

/* JSON: the API's own "contents", each "parts" written exactly as stored */

/* What came with an answer besides its parts, under the names the API gives
 * them on a candidate: the sources behind it, why it stopped, its token
 * counts and the model that wrote it. Kept as they were stored. */
static void
append_answer_metadata (GString               *out,
                        StarlingStoredMessage *m)
{
  const char *finish_reason = starling_stored_message_get_finish_reason (m);
  const char *usage = starling_stored_message_get_usage_json (m);
  const char *grounding = starling_stored_message_get_grounding_json (m);
  const char *model_version = starling_stored_message_get_model_version (m);

  if (finish_reason != NULL && *finish_reason != '\0')
    {
      g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), finish_reason);
      g_autofree char *quoted = json_to_string (node, FALSE);

      g_string_append_printf (out, ", \"finishReason\": %s", quoted);
    }
  if (usage != NULL && *usage != '\0')
    g_string_append_printf (out, ", \"usageMetadata\": %s", usage);
  if (grounding != NULL && *grounding != '\0')
    g_string_append_printf (out, ", \"groundingMetadata\": %s", grounding);
  if (model_version != NULL && *model_version != '\0')
    {
      g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), model_version);
      g_autofree char *quoted = json_to_string (node, FALSE);

      g_string_append_printf (out, ", \"modelVersion\": %s", quoted);
    }
}

static char *
json_for (StarlingConversationInfo *info,
          GPtrArray                *messages)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) meta = NULL;
  g_autoptr(JsonNode) settings = parse_json (starling_conversation_info_get_settings_json (info));
  g_autofree char *created = format_time (starling_conversation_info_get_created (info), TRUE);
  g_autofree char *meta_json = NULL;
  GString *out = g_string_new (NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, STARLING_EXPORT_FORMAT_VERSION);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, starling_conversation_info_get_title (info));
  json_builder_set_member_name (builder, "created");
  json_builder_add_string_value (builder, created);
  json_builder_set_member_name (builder, "model");
  if (starling_conversation_info_get_model (info) != NULL)
    json_builder_add_string_value (builder, starling_conversation_info_get_model (info));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "settings");
  if (settings != NULL)
    json_builder_add_value (builder, g_steal_pointer (&settings));
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  meta = json_builder_get_root (builder);
  meta_json = json_to_string (meta, FALSE);

  g_string_append_printf (out, "{\n  \"starling\": %s,\n  \"contents\": [", meta_json);
  for (guint i = 0; i < messages->len; i++)
    {
      StarlingStoredMessage *m = g_ptr_array_index (messages, i);

      g_string_append_printf (out, "%s\n    {\"role\": \"%s\", \"parts\": %s",
                              i > 0 ? "," : "",
                              starling_store_role_to_string (starling_stored_message_get_role (m)),
                              starling_stored_message_get_parts_json (m));
      append_answer_metadata (out, m);
      g_string_append_c (out, '}');
    }
  g_string_append (out, messages->len > 0 ? "\n  ]\n}\n" : "]\n}\n");

  return g_string_free (out, FALSE);
}

static char *
export_json_string (StarlingStore  *store,
                    StoreConn      *conn,
                    gint64          conversation_id,
                    GError        **error)
{
  g_autoptr(StarlingConversationInfo) info = NULL;
  g_autoptr(GPtrArray) messages = NULL;

  if (!load_conversation (store, conn, conversation_id, &info, &messages, error))
    return NULL;

  return json_for (info, messages);
}

/**
 * starling_export_json_to_string:
 * @store: the history
 * @conversation_id: the conversation
 * @error: a place for an error
 *
 * The conversation's active path as `{"starling": {"version", "title",
 * "created", "model", "settings"}, "contents": [{"role", "parts"}, ...]}`:
 * the contents in the API's own shape, images inline, every part exactly as
 * it was received (thought signatures included); an answer also carries its
 * "groundingMetadata", "finishReason", "usageMetadata" and "modelVersion"
 * when it had them, which the import reads back.
 *
 * Returns: (transfer full): the JSON text, or %NULL
 */
char *
starling_export_json_to_string (StarlingStore  *store,
                                gint64          conversation_id,
                                GError        **error)
{
  g_return_val_if_fail (STARLING_IS_STORE (store), NULL);

  return export_json_string (store, starling_store_get_conn (store), conversation_id, error);
}

gboolean
starling_export_json (StarlingStore  *store,
                      gint64          conversation_id,
                      GFile          *file,
                      GError        **error)
{
  g_autofree char *json = starling_export_json_to_string (store, conversation_id, error);

  if (json == NULL)
    return FALSE;

  return write_string (file, json, error);
}

/* Import */

static gboolean
is_base64 (const char *s)
{
  gsize len = 0;
  gsize padding = 0;

  for (const char *p = s; *p != '\0'; p++, len++)
    {
      if (*p == '=')
        {
          padding++;
          continue;
        }
      if (padding > 0)
        return FALSE;
      if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '-' && *p != '_')
        return FALSE;
    }

  if (padding > 2)
    return FALSE;
  if (padding > 0)
    return len % 4 == 0;

  return len % 4 != 1;
}

static gboolean
check_part (JsonNode  *node,
            guint      message_number,
            guint      part_number,
            GError   **error)
{
  static const char * const contents[] = {
    "text", "inlineData", "inline_data", "fileData", "file_data", "functionCall",
    "function_call", "functionResponse", "function_response", "executableCode",
    "executable_code", "codeExecutionResult", "code_execution_result",
  };
  JsonObject *part;
  JsonObject *inline_data;
  gboolean has_content = FALSE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, STARLING_EXPORT_ERROR, STARLING_EXPORT_ERROR_BAD_SHAPE,
                   _("Part %u of message %u is not a JSON object."), part_number, message_number);
      return FALSE;
    }

  part = json_node_get_object (node);
  for (guint i = 0; i < G_N_ELEMENTS (contents); i++)
    {
      JsonNode *member = json_object_get_member (part, contents[i]);

      if (member == NULL)
        continue;
      if (i == 0 && !(JSON_NODE_HOLDS_VALUE (member) &&
                      json_node_get_value_type (member) == G_TYPE_STRING))
        continue;
      if (i > 0 && !JSON_NODE_HOLDS_OBJECT (member))
        continue;
      has_content = TRUE;
    }

  if (!has_content)
    {
      g_set_error (error, STARLING_EXPORT_ERROR, STARLING_EXPORT_ERROR_EMPTY_PART,
                   _("Part %u of message %u has no content."), part_number, message_number);
      return FALSE;
    }

  inline_data = object_object (part, "inlineData", "inline_data");
  if (inline_data != NULL)
    {
      const char *data = object_string (inline_data, "data", NULL);

      if (data == NULL || object_string (inline_data, "mimeType", "mime_type") == NULL)
        {
          g_set_error (error, STARLING_EXPORT_ERROR, STARLING_EXPORT_ERROR_EMPTY_PART,
                       _("Part %u of message %u has inline data without its type or bytes."),
                       part_number, message_number);
          return FALSE;
        }
      if (!is_base64 (data))
        {
          g_set_error (error, STARLING_EXPORT_ERROR, STARLING_EXPORT_ERROR_BAD_BASE64,
                       _("The data of part %u of message %u is not valid base64."),
                       part_number, message_number);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
bad_shape (GError     **error,
           const char  *detail)
{
  g_set_error (error, STARLING_EXPORT_ERROR, STARLING_EXPORT_ERROR_BAD_SHAPE,
               _("The file is not a conversation: %s"), detail);
  return FALSE;
}

typedef struct
{
  char              *title;
  char              *model;
  char              *settings_json;
  gint64             created;
  GPtrArray         *roles;   /* StarlingStoreRole as pointers */
  GPtrArray         *parts;   /* raw JSON text */
  GPtrArray         *answers; /* ImportedAnswer, or NULL where a message has none */
} Imported;

typedef struct
{
  char *finish_reason;
  char *usage_json;
  char *grounding_json;
  char *model_version;
} ImportedAnswer;

static void
imported_answer_free (ImportedAnswer *answer)
{
  if (answer == NULL)
    return;
  g_free (answer->finish_reason);
  g_free (answer->usage_json);
  g_free (answer->grounding_json);
  g_free (answer->model_version);
  g_free (answer);
}

static void
imported_clear (Imported *im)
{
  g_free (im->title);
  g_free (im->model);
  g_free (im->settings_json);
  g_clear_pointer (&im->roles, g_ptr_array_unref);
  g_clear_pointer (&im->parts, g_ptr_array_unref);
  g_clear_pointer (&im->answers, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Imported, imported_clear)

static gboolean
read_metadata (JsonObject  *root,
               Imported    *im,
               GError     **error)
{
  JsonNode *node = json_object_get_member (root, "starling");
  JsonObject *meta;
  JsonNode *settings;
  const char *created;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad_shape (error, _("“starling” must be an object."));

  meta = json_node_get_object (node);
  if (object_int (meta, "version", NULL) > STARLING_EXPORT_FORMAT_VERSION)
    {
      g_set_error (error, STARLING_EXPORT_ERROR, STARLING_EXPORT_ERROR_UNSUPPORTED_VERSION,
                   _("The file was made by a newer version of Starling (format %d); "
                     "update Starling to import it."),
                   (int) object_int (meta, "version", NULL));
      return FALSE;
    }

  im->title = g_strdup (object_string (meta, "title", NULL));
  im->model = g_strdup (object_string (meta, "model", NULL));
  created = object_string (meta, "created", NULL);
  if (created != NULL)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (created, NULL);

      if (dt != NULL)
        im->created = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
    }

  settings = json_object_get_member (meta, "settings");
  if (settings != NULL && JSON_NODE_HOLDS_OBJECT (settings))
    {
      im->settings_json = json_to_string (settings, FALSE);
    }

  return TRUE;
}

/* The JSON of one member, as the file spells it when it can be told. */
static char *
member_json (const char       *data,
             JsonObject       *content,
             StarlingJsonSpan *content_span,
             const char       *name)
{
  StarlingJsonSpan *span = content_span != NULL ? starling_json_span_get_member (content_span, name)
                                                : NULL;

  if (span != NULL && span->type == STARLING_JSON_SPAN_OBJECT)
    return g_strndup (data + span->start, span->end - span->start);

  return json_to_string (json_object_get_member (content, name), FALSE);
}

/* An answer's metadata in an export (see append_answer_metadata()); what
 * does not have the right type is left out. */
static ImportedAnswer *
read_answer_metadata (const char       *data,
                      JsonObject       *content,
                      StarlingJsonSpan *content_span)
{
  ImportedAnswer *answer = g_new0 (ImportedAnswer, 1);

  answer->finish_reason = g_strdup (object_string (content, "finishReason", NULL));
  answer->model_version = g_strdup (object_string (content, "modelVersion", NULL));
  if (object_object (content, "usageMetadata", NULL) != NULL)
    answer->usage_json = member_json (data, content, content_span, "usageMetadata");
  if (object_object (content, "groundingMetadata", NULL) != NULL)
    answer->grounding_json = member_json (data, content, content_span, "groundingMetadata");

  return answer;
}

static gboolean
parse_import (const char  *data,
              gsize        len,
              Imported    *im,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(StarlingJsonSpan) spans = NULL;
  g_autofree char *repaired = NULL;
  StarlingJsonSpan *contents_span;
  JsonNode *root;
  JsonArray *contents;

  /* the tree and the parts kept byte for byte must agree, and be UTF-8 */
  repaired = gem_json_repair_escapes (data, len);
  if (repaired != NULL)
    data = repaired;

  if (len == 0 || !g_utf8_validate (data, len, NULL) ||
      !gem_json_parser_load (parser, data, len, &local_error))
    {
      /* json-glib quotes the bad token, and may cut it inside a character */
      g_autofree char *reason = local_error != NULL ? g_utf8_make_valid (local_error->message, -1)
                                                    : g_strdup (_("it is empty or not text"));

      g_set_error (error, STARLING_EXPORT_ERROR, STARLING_EXPORT_ERROR_NOT_JSON,
                   _("The file is not valid JSON: %s"), reason);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return bad_shape (error, _("it is not a JSON object."));

  if (!read_metadata (json_node_get_object (root), im, error))
    return FALSE;

  contents = object_array (json_node_get_object (root), "contents", NULL);
  if (contents == NULL)
    return bad_shape (error, _("it has no “contents” list."));
  if (json_array_get_length (contents) == 0)
    return bad_shape (error, _("it holds no messages."));

  /* the parts are kept as the file spells them, byte for byte */
  spans = starling_json_span_parse (data, len, NULL);
  contents_span = starling_json_span_get_member (spans, "contents");

  im->roles = g_ptr_array_new ();
  im->parts = g_ptr_array_new_with_free_func (g_free);
  im->answers = g_ptr_array_new_with_free_func ((GDestroyNotify) imported_answer_free);

  for (guint i = 0; i < json_array_get_length (contents); i++)
    {
      JsonNode *node = json_array_get_element (contents, i);
      JsonObject *content;
      JsonArray *parts;
      const char *role;
      StarlingStoreRole store_role;
      StarlingJsonSpan *parts_span = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, STARLING_EXPORT_ERROR, STARLING_EXPORT_ERROR_BAD_SHAPE,
                       _("Message %u is not a JSON object."), i + 1);
          return FALSE;
        }
      content = json_node_get_object (node);

      role = object_string (content, "role", NULL);
      if (role == NULL)
        {
          g_set_error (error, STARLING_EXPORT_ERROR, STARLING_EXPORT_ERROR_UNKNOWN_ROLE,
                       _("Message %u has no role (“user” or “model”)."), i + 1);
          return FALSE;
        }
      if (!starling_store_role_from_string (role, &store_role))
        {
          g_set_error (error, STARLING_EXPORT_ERROR, STARLING_EXPORT_ERROR_UNKNOWN_ROLE,
                       _("Message %u has an unknown role “%s” (expected “user” or “model”)."),
                       i + 1, role);
          return FALSE;
        }

      parts = object_array (content, "parts", NULL);
      if (parts == NULL)
        {
          g_set_error (error, STARLING_EXPORT_ERROR, STARLING_EXPORT_ERROR_BAD_SHAPE,
                       _("Message %u has no “parts” list."), i + 1);
          return FALSE;
        }
      if (json_array_get_length (parts) == 0)
        {
          g_set_error (error, STARLING_EXPORT_ERROR, STARLING_EXPORT_ERROR_EMPTY_PART,
                       _("Message %u has no parts."), i + 1);
          return FALSE;
        }

      for (guint j = 0; j < json_array_get_length (parts); j++)
        if (!check_part (json_array_get_element (parts, j), i + 1, j + 1, error))
          return FALSE;

      if (contents_span != NULL && contents_span->type == STARLING_JSON_SPAN_ARRAY &&
          i < contents_span->children->len)
        parts_span = starling_json_span_get_member (g_ptr_array_index (contents_span->children, i),
                                                    "parts");

      g_ptr_array_add (im->roles, GUINT_TO_POINTER (store_role));
      if (parts_span != NULL && parts_span->type == STARLING_JSON_SPAN_ARRAY)
        g_ptr_array_add (im->parts, g_strndup (data + parts_span->start,
                                               parts_span->end - parts_span->start));
      else
        g_ptr_array_add (im->parts, json_to_string (json_object_get_member (content, "parts"),
                                                    FALSE));

      g_ptr_array_add (im->answers,
                       store_role == STARLING_STORE_ROLE_MODEL
                       ? read_answer_metadata (data, content,
                                               contents_span != NULL &&
                                               contents_span->type == STARLING_JSON_SPAN_ARRAY &&
                                               i < contents_span->children->len
                                               ? g_ptr_array_index (contents_span->children, i)
                                               : NULL)
                       : NULL);
    }

  return TRUE;
}

/**
 * starling_import_json_data:
 * @store: the history
 * @data: the file's contents: a Starling export, or any JSON object with
 *   a "contents" list in the API's shape (a request body, for example)
 * @len: their length
 * @error: a place for an error (%STARLING_EXPORT_ERROR, with a sentence
 *   for the user)
 *
 * Checks the file, then adds it as a new conversation, all or nothing.
 *
 * Returns: the new conversation's id, or 0
 */
gint64
starling_import_json_data (StarlingStore  *store,
                           const char     *data,
                           gsize           len,
                           GError        **error)
{
  g_auto(Imported) im = { 0, };
  gint64 conversation_id;
  gint64 parent = 0;

  g_return_val_if_fail (STARLING_IS_STORE (store), 0);

  if (!parse_import (data, len, &im, error))
    return 0;

  if (!starling_store_begin (store, error))
    return 0;

  conversation_id = starling_store_create_conversation (store, im.title, im.model,
                                                        im.settings_json, error);
  if (conversation_id <= 0)
    goto fail;

  for (guint i = 0; i < im.parts->len; i++)
    {
      ImportedAnswer *answer = g_ptr_array_index (im.answers, i);

      parent = starling_store_append_message (store, conversation_id, parent,
                                              GPOINTER_TO_UINT (g_ptr_array_index (im.roles, i)),
                                              g_ptr_array_index (im.parts, i),
                                              STARLING_STORE_STATUS_COMPLETE, error);
      if (parent <= 0)
        goto fail;

      if (answer != NULL &&
          (answer->finish_reason != NULL || answer->usage_json != NULL ||
           answer->grounding_json != NULL || answer->model_version != NULL) &&
          !starling_store_finish_message (store, parent, NULL, STARLING_STORE_STATUS_COMPLETE,
                                          answer->finish_reason, answer->usage_json,
                                          answer->grounding_json, answer->model_version, NULL,
                                          error))
        goto fail;
    }

  if (im.created > 0 &&
      !starling_store_set_conversation_times (store, conversation_id, im.created,
                                              g_get_real_time (), error))
    goto fail;

  if (!starling_store_commit (store, error))
    return 0;

  return conversation_id;

fail:
  starling_store_rollback (store);
  return 0;
}

gint64
starling_import_json (StarlingStore  *store,
                      GFile          *file,
                      GError        **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_return_val_if_fail (STARLING_IS_STORE (store), 0);
  g_return_val_if_fail (G_IS_FILE (file), 0);

  if (!g_file_load_contents (file, NULL, &data, &len, NULL, error))
    return 0;

  return starling_import_json_data (store, data, len, error);
}

/* Everything to a folder */

static char *
file_stem (StarlingConversationInfo *info)
{
  g_autofree char *title = conversation_title (info);
  g_autoptr(GString) stem = g_string_new (NULL);
  guint n = 0;

  for (const char *p = title; *p != '\0' && n < FILE_STEM_MAX_CHARS; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || strchr ("/\\:*?\"<>|", c) != NULL)
        g_string_append_c (stem, ' ');
      else
        g_string_append_unichar (stem, c);
    }

  g_strstrip (stem->str);
  while (stem->str[0] == '.')
    memmove (stem->str, stem->str + 1, strlen (stem->str));

  return g_strdup_printf ("%s (%" G_GINT64_FORMAT ")",
                          stem->str[0] ? stem->str : _("Conversation"),
                          starling_conversation_info_get_id (info));
}

static gboolean
export_all (StarlingStore  *store,
            StoreConn      *conn,
            GFile          *folder,
            guint          *n_exported,
            GCancellable   *cancellable,
            GError        **error)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) local_error = NULL;

  if (n_exported != NULL)
    *n_exported = 0;

  if (!g_file_make_directory_with_parents (folder, cancellable, &local_error) &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  list = starling_store_conn_list_conversations (store, conn, 0, 0, error);
  if (list == NULL)
    return FALSE;

  for (guint i = 0; i < list->len; i++)
    {
      StarlingConversationInfo *info = g_ptr_array_index (list, i);
      g_autofree char *stem = file_stem (info);
      g_autofree char *md_name = g_strconcat (stem, ".md", NULL);
      g_autofree char *json_name = g_strconcat (stem, ".json", NULL);
      g_autoptr(GFile) md_file = g_file_get_child (folder, md_name);
      g_autoptr(GFile) json_file = g_file_get_child (folder, json_name);
      g_autoptr(GPtrArray) messages = NULL;
      g_autofree char *md = NULL;
      g_autofree char *json = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      messages = starling_store_conn_load_path (store, conn, starling_conversation_info_get_id (info),
                                                0, 0, error);
      if (messages == NULL)
        return FALSE;

      md = markdown_for (info, messages, md_file, TRUE, error);
      if (md == NULL || !write_string (md_file, md, error))
        return FALSE;

      json = json_for (info, messages);
      if (!write_string (json_file, json, error))
        return FALSE;

      if (n_exported != NULL)
        (*n_exported)++;
    }

  return TRUE;
}

/**
 * starling_export_all:
 * @store: the history
 * @folder: where to write (created if needed)
 * @n_exported: (out) (optional): how many conversations were written
 * @cancellable: (nullable): a #GCancellable
 * @error: a place for an error
 *
 * Writes every conversation as `TITLE (ID).md` (its images beside it) and
 * `TITLE (ID).json`. Reads through a connection of its own, so it may run
 * in any thread.
 */
gboolean
starling_export_all (StarlingStore  *store,
                     GFile          *folder,
                     guint          *n_exported,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_autoptr(StoreConn) conn = NULL;

  g_return_val_if_fail (STARLING_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_FILE (folder), FALSE);

  conn = starling_store_open_reader (store, error);
  if (conn == NULL)
    return FALSE;
  conn->cancellable = cancellable;

  return export_all (store, conn, folder, n_exported, cancellable, error);
}

static void
export_all_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  GError *error = NULL;
  guint n = 0;

  if (starling_export_all (source_object, task_data, &n, cancellable, &error))
    g_task_return_int (task, n);
  else
    g_task_return_error (task, error);
}

void
starling_export_all_async (StarlingStore       *store,
                           GFile               *folder,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (STARLING_IS_STORE (store));
  g_return_if_fail (G_IS_FILE (folder));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, starling_export_all_async);
  g_task_set_task_data (task, g_object_ref (folder), g_object_unref);
  g_task_run_in_thread (task, export_all_thread);
}

gboolean
starling_export_all_finish (StarlingStore  *store,
                            GAsyncResult   *result,
                            guint          *n_exported,
                            GError        **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);

  n = g_task_propagate_int (G_TASK (result), error);
  if (n < 0)
    return FALSE;

  if (n_exported != NULL)
    *n_exported = n;

  return TRUE;
}

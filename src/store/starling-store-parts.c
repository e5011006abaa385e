/* starling-store-parts.c: the raw parts of a message, images out and back in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "starling-json-span.h"
#include "starling-store-private.h"

/* A large inlineData "data" string is replaced, in place, by this prefix and
 * the SHA-256 of the decoded bytes. Base64 has no ':', so the marker cannot
 * be real data. Only strings that re-encode to exactly the same text are
 * moved out, so putting them back gives the original bytes. */
#define BLOB_MARKER "starling-blob:"
#define BLOB_MARKER_LEN (sizeof BLOB_MARKER - 1)
#define SHA256_HEX_LEN 64

/* Text parts are stored once, in the text and thought_text columns: their
 * JSON strings are replaced by references "\u0001t:OFFSET:LENGTH" (or 'h'
 * for thought_text), and the stored form starts with PACKED_MARK, a byte no
 * JSON text starts with. Only strings that JSON-escape back to exactly the
 * same bytes are replaced, and every packed form is unpacked and compared
 * with the original before it is used. */
#define PACKED_MARK '\x01'
#define TEXT_REF_PREFIX "\\u0001"
#define TEXT_REF_PREFIX_LEN (sizeof TEXT_REF_PREFIX - 1)
#define TEXT_REF_MIN_LEN 24

typedef struct
{
  gsize  start;
  gsize  end;
  char  *replacement;
} Replacement;

static void
replacement_clear (gpointer data)
{
  Replacement *r = data;

  g_free (r->replacement);
}

void
store_blob_ref_free (StoreBlobRef *ref)
{
  g_free (ref->sha256);
  g_free (ref->mime_type);
  g_free (ref);
}

char *
starling_blob_path (const char *blob_dir,
                    const char *sha256)
{
  char prefix[3] = { sha256[0], sha256[1], 0 };

  return g_build_filename (blob_dir, prefix, sha256, NULL);
}

static gboolean
write_blob (const char    *blob_dir,
            const char    *sha256,
            const guint8  *data,
            gsize          len,
            GError       **error)
{
  g_autofree char *path = starling_blob_path (blob_dir, sha256);
  g_autofree char *dir = g_path_get_dirname (path);
  GStatBuf st;

  /* content-addressed: a file of the right size is the right file */
  if (g_stat (path, &st) == 0 && (gsize) st.st_size == len)
    return TRUE;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_BLOB,
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  if (!g_file_set_contents_full (path, (const char *) data, len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    {
      g_prefix_error (error, _("Could not save an image of the conversation: "));
      if (error != NULL && *error != NULL && (*error)->domain != STARLING_STORE_ERROR)
        {
          GError *e = *error;

          e->domain = STARLING_STORE_ERROR;
          e->code = STARLING_STORE_ERROR_BLOB;
        }
      return FALSE;
    }

  return TRUE;
}

static gboolean
is_inline_data_key (const char *key)
{
  return key != NULL && (strcmp (key, "inlineData") == 0 || strcmp (key, "inline_data") == 0);
}

static StarlingJsonSpan *
inline_data_member (StarlingJsonSpan *object,
                    const char       *camel,
                    const char       *snake)
{
  StarlingJsonSpan *span = starling_json_span_get_member (object, camel);

  if (span == NULL)
    span = starling_json_span_get_member (object, snake);

  return span;
}

typedef struct
{
  const char  *json;
  const char  *blob_dir;
  GArray      *replacements;
  GPtrArray   *blobs_out;
  GError     **error;
  gboolean     missing;
} Walk;

static gboolean
externalize_inline_data (Walk             *w,
                         StarlingJsonSpan *object)
{
  StarlingJsonSpan *data = starling_json_span_get_member (object, "data");
  StarlingJsonSpan *mime = inline_data_member (object, "mimeType", "mime_type");
  g_autofree char *raw = NULL;
  g_autofree guchar *decoded = NULL;
  g_autofree char *reencoded = NULL;
  g_autofree char *sha256 = NULL;
  gsize raw_len;
  gsize decoded_len = 0;
  Replacement r;

  if (data == NULL || data->type != STARLING_JSON_SPAN_STRING)
    return TRUE;

  raw_len = data->end - data->start - 2;
  if (raw_len <= STARLING_STORE_BLOB_THRESHOLD ||
      starling_json_span_string_has_escapes (data, w->json))
    return TRUE;

  raw = g_strndup (w->json + data->start + 1, raw_len);
  decoded = g_base64_decode (raw, &decoded_len);
  reencoded = g_base64_encode (decoded, decoded_len);
  if (strlen (reencoded) != raw_len || memcmp (reencoded, raw, raw_len) != 0)
    return TRUE;

  sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, decoded, decoded_len);
  if (!write_blob (w->blob_dir, sha256, decoded, decoded_len, w->error))
    return FALSE;

  if (w->blobs_out != NULL)
    {
      StoreBlobRef *ref = g_new0 (StoreBlobRef, 1);

      ref->sha256 = g_strdup (sha256);
      ref->mime_type = starling_json_span_dup_string (mime, w->json);
      if (ref->mime_type == NULL)
        ref->mime_type = g_strdup ("application/octet-stream");
      ref->size = decoded_len;
      g_ptr_array_add (w->blobs_out, ref);
    }

  r.start = data->start + 1;
  r.end = data->end - 1;
  r.replacement = g_strconcat (BLOB_MARKER, sha256, NULL);
  g_array_append_val (w->replacements, r);

  return TRUE;
}

static void
restore_inline_data (Walk             *w,
                     StarlingJsonSpan *object)
{
  StarlingJsonSpan *data = starling_json_span_get_member (object, "data");
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  char sha256[SHA256_HEX_LEN + 1];
  gsize len = 0;
  const char *raw;
  Replacement r;

  if (data == NULL || data->type != STARLING_JSON_SPAN_STRING ||
      data->end - data->start - 2 != BLOB_MARKER_LEN + SHA256_HEX_LEN)
    return;

  raw = w->json + data->start + 1;
  if (memcmp (raw, BLOB_MARKER, BLOB_MARKER_LEN) != 0)
    return;

  memcpy (sha256, raw + BLOB_MARKER_LEN, SHA256_HEX_LEN);
  sha256[SHA256_HEX_LEN] = '\0';
  for (guint i = 0; i < SHA256_HEX_LEN; i++)
    if (!g_ascii_isxdigit (sha256[i]))
      return;

  path = starling_blob_path (w->blob_dir, sha256);
  if (!g_file_get_contents (path, &contents, &len, NULL))
    {
      g_debug ("Blob %s is missing", sha256);
      w->missing = TRUE;
      return;
    }

  r.start = data->start + 1;
  r.end = data->end - 1;
  r.replacement = g_base64_encode ((const guchar *) contents, len);
  g_array_append_val (w->replacements, r);
}

static gboolean
walk (Walk             *w,
      StarlingJsonSpan *span,
      gboolean          restore)
{
  if (span->children == NULL)
    return TRUE;

  if (span->type == STARLING_JSON_SPAN_OBJECT && is_inline_data_key (span->key))
    {
      if (restore)
        restore_inline_data (w, span);
      else if (!externalize_inline_data (w, span))
        return FALSE;
    }

  for (guint i = 0; i < span->children->len; i++)
    if (!walk (w, g_ptr_array_index (span->children, i), restore))
      return FALSE;

  return TRUE;
}

static int
replacement_compare (gconstpointer a,
                     gconstpointer b)
{
  const Replacement *ra = a;
  const Replacement *rb = b;

  return (ra->start > rb->start) - (ra->start < rb->start);
}

static char *
apply_replacements (const char *json,
                    GArray     *replacements)
{
  gsize len = strlen (json);
  GString *out = g_string_sized_new (len);
  gsize pos = 0;

  g_array_sort (replacements, replacement_compare);
  for (guint i = 0; i < replacements->len; i++)
    {
      Replacement *r = &g_array_index (replacements, Replacement, i);

      g_string_append_len (out, json + pos, r->start - pos);
      g_string_append (out, r->replacement);
      pos = r->end;
    }
  g_string_append_len (out, json + pos, len - pos);

  return g_string_free (out, FALSE);
}

/**
 * starling_parts_externalize:
 * @blob_dir: the blob folder
 * @json: raw JSON text
 * @blobs_out: (element-type StoreBlobRef) (nullable): where to add the blobs referenced
 * @error: a place for an error
 *
 * Writes every large inlineData of @json to a blob file.
 *
 * Returns: (transfer full): @json with those data strings replaced by blob
 *   markers, or %NULL on error (a blob file could not be written)
 */
char *
starling_parts_externalize (const char  *blob_dir,
                            const char  *json,
                            GPtrArray   *blobs_out,
                            GError     **error)
{
  g_autoptr(StarlingJsonSpan) root = NULL;
  g_autoptr(GArray) replacements = NULL;
  gsize len = strlen (json);
  Walk w = { json, blob_dir, NULL, blobs_out, error, FALSE };

  if (len <= STARLING_STORE_BLOB_THRESHOLD ||
      (strstr (json, "inlineData") == NULL && strstr (json, "inline_data") == NULL))
    return g_strdup (json);

  root = starling_json_span_parse (json, len, NULL);
  if (root == NULL)
    return g_strdup (json);

  replacements = g_array_new (FALSE, FALSE, sizeof (Replacement));
  g_array_set_clear_func (replacements, replacement_clear);
  w.replacements = replacements;

  if (!walk (&w, root, FALSE))
    return NULL;

  if (replacements->len == 0)
    return g_strdup (json);

  return apply_replacements (json, replacements);
}

/**
 * starling_parts_restore:
 * @blob_dir: the blob folder
 * @json: JSON text as stored
 * @missing: (out) (optional): set to %TRUE when a blob file could not be read
 *
 * Returns: (transfer full): @json as it was before starling_parts_externalize()
 */
char *
starling_parts_restore (const char *blob_dir,
                        const char *json,
                        gboolean   *missing)
{
  g_autoptr(StarlingJsonSpan) root = NULL;
  g_autoptr(GArray) replacements = NULL;
  Walk w = { json, blob_dir, NULL, NULL, NULL, FALSE };

  if (missing != NULL)
    *missing = FALSE;

  if (json == NULL)
    return NULL;

  if (strstr (json, BLOB_MARKER) == NULL)
    return g_strdup (json);

  root = starling_json_span_parse (json, strlen (json), NULL);
  if (root == NULL)
    return g_strdup (json);

  replacements = g_array_new (FALSE, FALSE, sizeof (Replacement));
  g_array_set_clear_func (replacements, replacement_clear);
  w.replacements = replacements;
  walk (&w, root, TRUE);

  if (missing != NULL)
    *missing = w.missing;

  return apply_replacements (json, replacements);
}

/* JSON string escaping as json-glib writes it. */
static void
append_escaped (GString    *out,
                const char *s,
                gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = s[i];

      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, c);
        }
    }
}

static gboolean
span_is_true (StarlingJsonSpan *span,
              const char       *json)
{
  return span != NULL && span->type == STARLING_JSON_SPAN_BOOLEAN &&
         json[span->start] == 't';
}

static gboolean
invalid (GError     **error,
         const char  *message)
{
  g_set_error_literal (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_INVALID, message);
  return FALSE;
}

/* Checks that @root is an array of objects and derives the texts; with
 * @refs, also records which text strings can be stored as references. */
static gboolean
derive (StarlingJsonSpan  *root,
        const char        *json,
        GString           *text,
        GString           *thoughts,
        GArray            *refs,
        GError           **error)
{
  gboolean gap = FALSE;
  gboolean thought_gap = FALSE;

  if (root->type != STARLING_JSON_SPAN_ARRAY)
    return invalid (error, "The parts are not a JSON array");

  for (guint i = 0; i < root->children->len; i++)
    {
      StarlingJsonSpan *part = g_ptr_array_index (root->children, i);
      StarlingJsonSpan *text_span;
      g_autofree char *value = NULL;
      GString *target;
      gboolean thought;
      gsize offset;

      if (part->type != STARLING_JSON_SPAN_OBJECT)
        {
          g_set_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_INVALID,
                       "Part %u is not a JSON object", i + 1);
          return FALSE;
        }

      text_span = starling_json_span_get_member (part, "text");
      if (text_span == NULL || text_span->type != STARLING_JSON_SPAN_STRING)
        {
          gap = TRUE;
          thought_gap = TRUE;
          continue;
        }

      value = starling_json_span_dup_string (text_span, json);
      thought = span_is_true (starling_json_span_get_member (part, "thought"), json);
      target = thought ? thoughts : text;
      if ((thought ? thought_gap : gap) && target->len > 0)
        g_string_append (target, "\n\n");
      if (thought)
        thought_gap = FALSE;
      else
        gap = FALSE;

      offset = target->len;
      g_string_append (target, value);

      if (refs != NULL && strlen (value) >= TEXT_REF_MIN_LEN)
        {
          g_autoptr(GString) escaped = g_string_sized_new (strlen (value) + 16);
          gsize raw_len = text_span->end - text_span->start - 2;

          append_escaped (escaped, value, strlen (value));
          if (escaped->len == raw_len &&
              memcmp (escaped->str, json + text_span->start + 1, raw_len) == 0)
            {
              Replacement r;

              r.start = text_span->start + 1;
              r.end = text_span->end - 1;
              r.replacement = g_strdup_printf (TEXT_REF_PREFIX "%c:%" G_GSIZE_FORMAT ":%" G_GSIZE_FORMAT,
                                               thought ? 'h' : 't', offset, strlen (value));
              g_array_append_val (refs, r);
            }
        }
    }

  return TRUE;
}

/* The text references of a packed form, back to JSON strings. */
static gboolean
restore_text_refs (StarlingJsonSpan *root,
                   const char       *json,
                   const char       *text,
                   const char       *thoughts,
                   GArray           *replacements)
{
  gsize text_len = text ? strlen (text) : 0;
  gsize thoughts_len = thoughts ? strlen (thoughts) : 0;

  if (root->type != STARLING_JSON_SPAN_ARRAY)
    return FALSE;

  for (guint i = 0; i < root->children->len; i++)
    {
      StarlingJsonSpan *text_span = starling_json_span_get_member (g_ptr_array_index (root->children, i),
                                                                   "text");
      const char *raw;
      gsize raw_len;
      char kind;
      guint64 offset, length;
      char *end = NULL;
      const char *source;
      gsize source_len;
      GString *escaped;
      Replacement r;

      if (text_span == NULL || text_span->type != STARLING_JSON_SPAN_STRING)
        continue;

      raw = json + text_span->start + 1;
      raw_len = text_span->end - text_span->start - 2;
      if (raw_len < TEXT_REF_PREFIX_LEN + 5 || memcmp (raw, TEXT_REF_PREFIX, TEXT_REF_PREFIX_LEN) != 0)
        continue;

      kind = raw[TEXT_REF_PREFIX_LEN];
      if ((kind != 't' && kind != 'h') || raw[TEXT_REF_PREFIX_LEN + 1] != ':')
        return FALSE;
      offset = g_ascii_strtoull (raw + TEXT_REF_PREFIX_LEN + 2, &end, 10);
      if (end == NULL || *end != ':')
        return FALSE;
      length = g_ascii_strtoull (end + 1, &end, 10);
      if (end != raw + raw_len)
        return FALSE;

      source = kind == 't' ? text : thoughts;
      source_len = kind == 't' ? text_len : thoughts_len;
      if (source == NULL || offset > source_len || length > source_len - offset)
        return FALSE;

      escaped = g_string_sized_new (length + 16);
      append_escaped (escaped, source + offset, length);
      r.start = text_span->start + 1;
      r.end = text_span->end - 1;
      r.replacement = g_string_free (escaped, FALSE);
      g_array_append_val (replacements, r);
    }

  return TRUE;
}

/**
 * starling_parts_unpack:
 * @blob_dir: the blob folder
 * @stored: (nullable): parts as stored
 * @text: the message's text column
 * @thought_text: its thought_text column
 * @missing: (out) (optional): set to %TRUE when a blob file could not be read
 *
 * Returns: (transfer full) (nullable): the parts exactly as they were given
 *   to starling_parts_pack()
 */
char *
starling_parts_unpack (const char *blob_dir,
                       const char *stored,
                       const char *text,
                       const char *thought_text,
                       gboolean   *missing)
{
  g_autoptr(StarlingJsonSpan) root = NULL;
  g_autoptr(GArray) replacements = NULL;
  Walk w = { NULL, blob_dir, NULL, NULL, NULL, FALSE };
  const char *json;

  if (missing != NULL)
    *missing = FALSE;

  if (stored == NULL)
    return NULL;

  if (stored[0] != PACKED_MARK)
    return starling_parts_restore (blob_dir, stored, missing);

  json = stored + 1;
  root = starling_json_span_parse (json, strlen (json), NULL);
  if (root == NULL)
    return g_strdup (json);

  replacements = g_array_new (FALSE, FALSE, sizeof (Replacement));
  g_array_set_clear_func (replacements, replacement_clear);
  if (!restore_text_refs (root, json, text, thought_text, replacements))
    {
      g_debug ("A message's text does not match its parts");
      if (missing != NULL)
        *missing = TRUE;
    }

  if (strstr (json, BLOB_MARKER) != NULL)
    {
      w.json = json;
      w.replacements = replacements;
      walk (&w, root, TRUE);
      if (missing != NULL && w.missing)
        *missing = TRUE;
    }

  return apply_replacements (json, replacements);
}

/**
 * starling_parts_pack:
 * @blob_dir: the blob folder
 * @json: the raw parts, a JSON array of objects
 * @blobs_out: (element-type StoreBlobRef): where to add the blobs written
 * @text: (out): the answer's text: text parts joined, a blank line where
 *   something else (an image, a function call) came between them
 * @thought_text: (out): the text of the thought parts
 * @error: a place for an error
 *
 * Makes the stored form of @json: large inlineData written to blob files,
 * text strings as references into @text and @thought_text.
 *
 * Returns: (transfer full): the stored form, or %NULL if @json is not a
 *   JSON array of objects or a blob could not be written
 */
char *
starling_parts_pack (const char  *blob_dir,
                     const char  *json,
                     GPtrArray   *blobs_out,
                     char       **text,
                     char       **thought_text,
                     GError     **error)
{
  g_autoptr(StarlingJsonSpan) root = NULL;
  g_autoptr(GArray) refs = NULL;
  g_autoptr(GString) answer = g_string_new (NULL);
  g_autoptr(GString) thoughts = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *blobs_only = NULL;
  g_autofree char *packed = NULL;
  g_autofree char *check = NULL;
  gsize len = strlen (json);

  if (!g_utf8_validate (json, len, NULL))
    {
      invalid (error, "The parts are not UTF-8 text");
      return NULL;
    }

  root = starling_json_span_parse (json, len, &local_error);
  if (root == NULL)
    {
      g_set_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_INVALID,
                   "The parts are not JSON: %s", local_error->message);
      return NULL;
    }

  refs = g_array_new (FALSE, FALSE, sizeof (Replacement));
  g_array_set_clear_func (refs, replacement_clear);
  if (!derive (root, json, answer, thoughts, refs, error))
    return NULL;

  blobs_only = starling_parts_externalize (blob_dir, json, blobs_out, error);
  if (blobs_only == NULL)
    return NULL;

  *text = g_strdup (answer->str);
  *thought_text = g_strdup (thoughts->str);

  if (refs->len == 0)
    return g_steal_pointer (&blobs_only);

  if (strcmp (blobs_only, json) != 0)
    {
      /* the same texts, at other offsets once the images are out */
      g_autoptr(StarlingJsonSpan) blob_root = starling_json_span_parse (blobs_only,
                                                                        strlen (blobs_only), NULL);
      g_autoptr(GString) again = g_string_new (NULL);
      g_autoptr(GString) thoughts_again = g_string_new (NULL);
      g_autoptr(GArray) blob_refs = g_array_new (FALSE, FALSE, sizeof (Replacement));
      g_autofree char *body = NULL;

      g_array_set_clear_func (blob_refs, replacement_clear);
      if (blob_root == NULL ||
          !derive (blob_root, blobs_only, again, thoughts_again, blob_refs, NULL))
        return g_steal_pointer (&blobs_only);
      body = apply_replacements (blobs_only, blob_refs);
      packed = g_strdup_printf ("%c%s", PACKED_MARK, body);
    }
  else
    {
      g_autofree char *body = apply_replacements (json, refs);

      packed = g_strdup_printf ("%c%s", PACKED_MARK, body);
    }

  /* never trust a packed form that does not give the original back */
  check = starling_parts_unpack (blob_dir, packed, *text, *thought_text, NULL);
  if (g_strcmp0 (check, json) != 0)
    {
      g_debug ("Parts kept whole: their packed form does not unpack exactly");
      return g_steal_pointer (&blobs_only);
    }

  return g_steal_pointer (&packed);
}

void
store_image_ref_free (StoreImageRef *ref)
{
  g_free (ref->mime_type);
  g_free (ref->path);
  g_free (ref->base64);
  g_free (ref);
}

/* The blob a stored data string stands for, or NULL for real base64. */
static char *
blob_marker_sha256 (const char *data)
{
  if (!g_str_has_prefix (data, BLOB_MARKER) || strlen (data) != BLOB_MARKER_LEN + SHA256_HEX_LEN)
    return NULL;

  for (guint i = 0; i < SHA256_HEX_LEN; i++)
    if (!g_ascii_isxdigit (data[BLOB_MARKER_LEN + i]))
      return NULL;

  return g_strdup (data + BLOB_MARKER_LEN);
}

/**
 * starling_parts_list_images:
 * @blob_dir: the blob folder
 * @stored: (nullable): parts as stored (packed or not)
 *
 * Finds the images of a message without reading a blob file: every part
 * with inlineData whose MIME type is `image/...`, in order. Interim images
 * the model drew while thinking (`"thought": true`) are left out, as the
 * chat's viewer leaves them out.
 *
 * Returns: (transfer full) (element-type StoreImageRef): the images
 */
GPtrArray *
starling_parts_list_images (const char *blob_dir,
                            const char *stored)
{
  GPtrArray *images = g_ptr_array_new_with_free_func ((GDestroyNotify) store_image_ref_free);
  g_autoptr(StarlingJsonSpan) root = NULL;
  const char *json;

  if (stored == NULL)
    return images;

  json = stored[0] == PACKED_MARK ? stored + 1 : stored;
  root = starling_json_span_parse (json, strlen (json), NULL);
  if (root == NULL || root->type != STARLING_JSON_SPAN_ARRAY)
    return images;

  for (guint i = 0; i < root->children->len; i++)
    {
      StarlingJsonSpan *part = g_ptr_array_index (root->children, i);
      StarlingJsonSpan *inline_data, *mime, *data;
      g_autofree char *mime_type = NULL;
      g_autofree char *value = NULL;
      g_autofree char *sha256 = NULL;
      StoreImageRef *ref;

      if (part->type != STARLING_JSON_SPAN_OBJECT ||
          span_is_true (starling_json_span_get_member (part, "thought"), json))
        continue;

      inline_data = inline_data_member (part, "inlineData", "inline_data");
      if (inline_data == NULL || inline_data->type != STARLING_JSON_SPAN_OBJECT)
        continue;

      mime = inline_data_member (inline_data, "mimeType", "mime_type");
      data = starling_json_span_get_member (inline_data, "data");
      if (mime == NULL || mime->type != STARLING_JSON_SPAN_STRING ||
          data == NULL || data->type != STARLING_JSON_SPAN_STRING)
        continue;

      mime_type = starling_json_span_dup_string (mime, json);
      if (g_ascii_strncasecmp (mime_type, "image/", strlen ("image/")) != 0)
        continue;

      value = starling_json_span_dup_string (data, json);
      sha256 = blob_marker_sha256 (value);

      ref = g_new0 (StoreImageRef, 1);
      ref->mime_type = g_steal_pointer (&mime_type);
      if (sha256 != NULL)
        ref->path = starling_blob_path (blob_dir, sha256);
      else
        ref->base64 = g_steal_pointer (&value);
      g_ptr_array_add (images, ref);
    }

  return images;
}

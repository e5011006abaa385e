/* starling-attachment.c: a file the user attaches to a message, sent as inlineData
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "starling-attachment.h"

struct _StarlingAttachment
{
  GObject     parent_instance;

  char       *name;
  char       *mime_type;
  GBytes     *bytes;
  GdkTexture *thumbnail;
};

G_DEFINE_FINAL_TYPE (StarlingAttachment, starling_attachment, G_TYPE_OBJECT)

static void
starling_attachment_finalize (GObject *object)
{
  StarlingAttachment *self = STARLING_ATTACHMENT (object);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->mime_type, g_free);
  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_object (&self->thumbnail);

  G_OBJECT_CLASS (starling_attachment_parent_class)->finalize (object);
}

static void
starling_attachment_class_init (StarlingAttachmentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = starling_attachment_finalize;
}

static void
starling_attachment_init (StarlingAttachment *self)
{
}

/* What Gemini accepts inline: images, PDF, plain text and its relatives. */
gboolean
starling_attachment_mime_supported (const char *mime_type)
{
  static const char * const others[] = {
    "application/pdf", "application/json", "application/xml", "application/x-javascript",
    "application/javascript", "application/x-python", "application/x-sh", "application/x-shellscript",
  };

  if (mime_type == NULL)
    return FALSE;
  if (g_str_has_prefix (mime_type, "image/") || g_str_has_prefix (mime_type, "text/"))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    if (g_str_equal (mime_type, others[i]))
      return TRUE;

  return FALSE;
}

/* Decoded at thumbnail size, so a huge image never lands in memory whole. */
static GdkTexture *
make_thumbnail (GBytes *bytes)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(GdkPixbuf) pixbuf = NULL;

  pixbuf = gdk_pixbuf_new_from_stream_at_scale (stream, 160, 160, TRUE, NULL, NULL);
  if (pixbuf == NULL)
    return NULL;

  return gdk_texture_new_for_pixbuf (pixbuf);
}

StarlingAttachment *
starling_attachment_new (const char *name,
                         const char *mime_type,
                         GBytes     *bytes)
{
  StarlingAttachment *self;

  g_return_val_if_fail (mime_type != NULL, NULL);
  g_return_val_if_fail (bytes != NULL, NULL);

  self = g_object_new (STARLING_TYPE_ATTACHMENT, NULL);
  /* shown, and kept with a draft: text, whatever the file system's names */
  self->name = g_utf8_make_valid (name != NULL ? name : "", -1);
  self->mime_type = g_strdup (mime_type);
  self->bytes = g_bytes_ref (bytes);

  return self;
}

static void
load_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *mime_type = NULL;
  g_autofree char *basename = g_file_get_basename (file);
  GError *error = NULL;
  StarlingAttachment *attachment;
  const char *content_type;

  info = g_file_query_info (file,
                            G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                            G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE ","
                            G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME,
                            G_FILE_QUERY_INFO_NONE, cancellable, &error);
  if (info == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* Checked before reading, so a huge file is never loaded. */
  if (g_file_info_get_size (info) > STARLING_ATTACHMENT_MAX_SIZE)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                               _("“%s” is larger than 20 MB, the most a message can carry"),
                               g_file_info_get_display_name (info));
      return;
    }

  content_type = g_file_info_get_content_type (info);
  if (content_type != NULL)
    mime_type = g_content_type_get_mime_type (content_type);
  if (!starling_attachment_mime_supported (mime_type))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("“%s” can't be sent: Gemini takes images, PDF and text files"),
                               g_file_info_get_display_name (info));
      return;
    }

  bytes = g_file_load_bytes (file, cancellable, NULL, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  attachment = starling_attachment_new (basename, mime_type, bytes);
  if (g_str_has_prefix (mime_type, "image/"))
    attachment->thumbnail = make_thumbnail (bytes);

  g_task_return_pointer (task, attachment, g_object_unref);
}

void
starling_attachment_load_async (GFile               *file,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, starling_attachment_load_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, load_in_thread);
}

StarlingAttachment *
starling_attachment_load_finish (GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
starling_attachment_get_name (StarlingAttachment *self)
{
  g_return_val_if_fail (STARLING_IS_ATTACHMENT (self), NULL);

  return self->name;
}

const char *
starling_attachment_get_mime_type (StarlingAttachment *self)
{
  g_return_val_if_fail (STARLING_IS_ATTACHMENT (self), NULL);

  return self->mime_type;
}

GBytes *
starling_attachment_get_bytes (StarlingAttachment *self)
{
  g_return_val_if_fail (STARLING_IS_ATTACHMENT (self), NULL);

  return self->bytes;
}

gboolean
starling_attachment_is_image (StarlingAttachment *self)
{
  g_return_val_if_fail (STARLING_IS_ATTACHMENT (self), FALSE);

  return g_str_has_prefix (self->mime_type, "image/");
}

GdkTexture *
starling_attachment_get_thumbnail (StarlingAttachment *self)
{
  g_return_val_if_fail (STARLING_IS_ATTACHMENT (self), NULL);

  if (self->thumbnail == NULL && starling_attachment_is_image (self))
    self->thumbnail = make_thumbnail (self->bytes);

  return self->thumbnail;
}

static void
append_json_string (GString    *out,
                    const char *value)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), value);
  g_autofree char *quoted = json_to_string (node, FALSE);

  g_string_append (out, quoted);
}

/**
 * starling_attachments_to_json:
 * @attachments: (element-type StarlingAttachment): files
 * @names: (out) (optional): their names, separated by ", "
 *
 * The files as a JSON array of objects with their name and an `inlineData`
 * (what a draft keeps of them).
 *
 * Returns: (transfer full): the JSON text
 */
char *
starling_attachments_to_json (GPtrArray  *attachments,
                              char      **names)
{
  GString *out = g_string_new ("[");
  GString *joined = g_string_new (NULL);

  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    {
      StarlingAttachment *attachment = g_ptr_array_index (attachments, i);
      gsize size;
      const guchar *data = g_bytes_get_data (attachment->bytes, &size);
      g_autofree char *base64 = g_base64_encode (data, size);

      g_string_append (out, i > 0 ? ", {\"name\": " : "{\"name\": ");
      append_json_string (out, attachment->name);
      g_string_append (out, ", \"inlineData\": {\"mimeType\": ");
      append_json_string (out, attachment->mime_type);
      /* base64 needs no escaping */
      g_string_append (out, ", \"data\": \"");
      g_string_append (out, base64);
      g_string_append (out, "\"}}");

      if (joined->len > 0)
        g_string_append (joined, ", ");
      g_string_append (joined, attachment->name);
    }
  g_string_append_c (out, ']');

  if (names != NULL)
    *names = g_string_free (joined, FALSE);
  else
    g_string_free (joined, TRUE);

  return g_string_free (out, FALSE);
}

static gboolean
is_base64 (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
      return FALSE;
  return TRUE;
}

/**
 * starling_attachments_from_json:
 * @json: what starling_attachments_to_json() made
 * @n_lost: (out) (optional): how many files could not be read back (their
 *   data missing or damaged)
 *
 * Returns: (transfer full) (element-type StarlingAttachment): the files
 */
GPtrArray *
starling_attachments_from_json (const char *json,
                                guint      *n_lost)
{
  GPtrArray *attachments = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonNode) root = json != NULL ? json_from_string (json, NULL) : NULL;
  JsonArray *array;
  guint lost = 0;

  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      array = json_node_get_array (root);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          JsonObject *object = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
          JsonObject *inline_data = NULL;
          const char *mime_type = NULL;
          const char *data = NULL;
          g_autoptr(GBytes) bytes = NULL;
          gsize size;
          guchar *decoded;

          if (object != NULL && json_object_has_member (object, "inlineData") &&
              JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "inlineData")))
            inline_data = json_object_get_object_member (object, "inlineData");
          if (inline_data != NULL)
            {
              mime_type = json_object_get_string_member_with_default (inline_data, "mimeType", NULL);
              data = json_object_get_string_member_with_default (inline_data, "data", NULL);
            }
          /* a blob file that went missing leaves its marker, not base64 */
          if (mime_type == NULL || data == NULL || !is_base64 (data))
            {
              lost++;
              continue;
            }

          decoded = g_base64_decode (data, &size);
          bytes = g_bytes_new_take (decoded, size);
          g_ptr_array_add (attachments,
                           starling_attachment_new (json_object_get_string_member_with_default (object, "name", ""),
                                                    mime_type, bytes));
        }
    }
  else if (json != NULL && strcmp (json, "[]") != 0)
    {
      lost++;
    }

  if (n_lost != NULL)
    *n_lost = lost;

  return attachments;
}

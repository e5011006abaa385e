/* starling-image.c: an image of the conversation, its bytes kept exactly as received
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "starling-image.h"

struct _StarlingImage
{
  GObject     parent_instance;

  GBytes     *bytes;
  JsonNode   *base64;     /* the part's own string, shared, not copied: decoded on a worker thread */
  GFile      *file;       /* or a file of the history, read on a worker thread */
  char       *mime_type;
  char       *caption;
  GdkTexture *texture;
  char       *error;
};

G_DEFINE_FINAL_TYPE (StarlingImage, starling_image, G_TYPE_OBJECT)

static void
starling_image_finalize (GObject *object)
{
  StarlingImage *self = STARLING_IMAGE (object);

  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_pointer (&self->base64, json_node_unref);
  g_clear_object (&self->file);
  g_clear_pointer (&self->mime_type, g_free);
  g_clear_pointer (&self->caption, g_free);
  g_clear_pointer (&self->error, g_free);
  g_clear_object (&self->texture);

  G_OBJECT_CLASS (starling_image_parent_class)->finalize (object);
}

static void
starling_image_class_init (StarlingImageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = starling_image_finalize;
}

static void
starling_image_init (StarlingImage *self)
{
}

StarlingImage *
starling_image_new (GBytes     *bytes,
                    const char *mime_type,
                    const char *caption)
{
  StarlingImage *self;

  g_return_val_if_fail (bytes != NULL, NULL);

  self = g_object_new (STARLING_TYPE_IMAGE, NULL);
  self->bytes = g_bytes_ref (bytes);
  self->mime_type = g_strdup (mime_type != NULL ? mime_type : "application/octet-stream");
  self->caption = g_strdup (caption);

  return self;
}

/* Keeps a reference to the part's base64 string: megabytes are neither
 * copied nor decoded on the caller's thread. */
StarlingImage *
starling_image_new_from_base64 (JsonNode   *base64,
                                const char *mime_type,
                                const char *caption)
{
  StarlingImage *self;

  g_return_val_if_fail (base64 != NULL && JSON_NODE_HOLDS_VALUE (base64), NULL);

  self = g_object_new (STARLING_TYPE_IMAGE, NULL);
  self->base64 = json_node_ref (base64);
  self->mime_type = g_strdup (mime_type != NULL ? mime_type : "application/octet-stream");
  self->caption = g_strdup (caption);

  return self;
}

/* For an image kept as a file (the gallery): read when it is decoded. */
StarlingImage *
starling_image_new_for_file (GFile      *file,
                             const char *mime_type,
                             const char *caption)
{
  StarlingImage *self;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = g_object_new (STARLING_TYPE_IMAGE, NULL);
  self->file = g_object_ref (file);
  self->mime_type = g_strdup (mime_type != NULL ? mime_type : "application/octet-stream");
  self->caption = g_strdup (caption);

  return self;
}

gboolean
starling_image_equal (StarlingImage *self,
                      StarlingImage *other)
{
  g_return_val_if_fail (STARLING_IS_IMAGE (self), FALSE);
  g_return_val_if_fail (STARLING_IS_IMAGE (other), FALSE);

  if (self->base64 != NULL && other->base64 != NULL)
    return self->base64 == other->base64 ||
           g_strcmp0 (json_node_get_string (self->base64), json_node_get_string (other->base64)) == 0;
  if (self->file != NULL && other->file != NULL)
    return g_file_equal (self->file, other->file);

  return g_bytes_equal (starling_image_get_bytes (self), starling_image_get_bytes (other));
}

static GBytes *
decode_base64 (JsonNode *base64)
{
  const char *text = json_node_get_string (base64);
  gsize len = 0;
  guchar *data = g_base64_decode (text != NULL ? text : "", &len);

  return g_bytes_new_take (data, len);
}

GBytes *
starling_image_get_bytes (StarlingImage *self)
{
  g_return_val_if_fail (STARLING_IS_IMAGE (self), NULL);

  if (self->bytes == NULL && self->base64 != NULL)
    self->bytes = decode_base64 (self->base64);

  /* only a user's action (save, drag) asks before the image was decoded */
  if (self->bytes == NULL && self->file != NULL)
    {
      self->bytes = g_file_load_bytes (self->file, NULL, NULL, NULL);
      if (self->bytes == NULL)
        self->bytes = g_bytes_new (NULL, 0);
    }

  return self->bytes;
}

const char *
starling_image_get_mime_type (StarlingImage *self)
{
  g_return_val_if_fail (STARLING_IS_IMAGE (self), NULL);

  return self->mime_type;
}

const char *
starling_image_get_caption (StarlingImage *self)
{
  g_return_val_if_fail (STARLING_IS_IMAGE (self), NULL);

  return self->caption;
}

/* Returns: (nullable): the decoded texture, once decode_async() finished */
GdkTexture *
starling_image_get_texture (StarlingImage *self)
{
  g_return_val_if_fail (STARLING_IS_IMAGE (self), NULL);

  return self->texture;
}

/* Returns: (nullable): why the image could not be decoded */
const char *
starling_image_get_error (StarlingImage *self)
{
  g_return_val_if_fail (STARLING_IS_IMAGE (self), NULL);

  return self->error;
}

typedef struct
{
  GBytes   *bytes;
  JsonNode *base64;
  GFile    *file;
  int       max_side;
} DecodeData;

static void
decode_data_free (DecodeData *data)
{
  g_clear_pointer (&data->bytes, g_bytes_unref);
  g_clear_pointer (&data->base64, json_node_unref);
  g_clear_object (&data->file);
  g_free (data);
}

static void
size_prepared_cb (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  gpointer         user_data)
{
  int max_side = GPOINTER_TO_INT (user_data);
  double scale;

  if (width <= 0 || height <= 0)
    return;

  /* A 20000×20000 image would need 1.6 GB decoded: scale while decoding instead. */
  scale = MIN (1.0, (double) max_side / MAX (width, height));
  if (scale < 1.0)
    gdk_pixbuf_loader_set_size (loader, MAX (1, (int) (width * scale)), MAX (1, (int) (height * scale)));
}

static void
decode_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  DecodeData *data = task_data;
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  GdkPixbuf *pixbuf;
  GError *error = NULL;

  g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), GINT_TO_POINTER (data->max_side));

  if (data->bytes == NULL && data->file != NULL)
    {
      data->bytes = g_file_load_bytes (data->file, cancellable, NULL, &error);
      if (data->bytes == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_task_return_error (task, error);
          else
            {
              g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                       _("This image could not be shown: its file is missing from the history (%s)."),
                                       error->message);
              g_error_free (error);
            }
          return;
        }
    }
  if (data->bytes == NULL)
    data->bytes = decode_base64 (data->base64);

  if (!gdk_pixbuf_loader_write_bytes (loader, data->bytes, &error) ||
      !gdk_pixbuf_loader_close (loader, &error))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("This image could not be shown: its data is damaged or not an image (%s)."),
                               error->message);
      g_error_free (error);
      return;
    }

  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (pixbuf == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("This image could not be shown: its data is damaged or not an image."));
      return;
    }

  g_task_return_pointer (task, gdk_texture_new_for_pixbuf (pixbuf), g_object_unref);
}

/* Decodes off the main thread; the window never waits for a large image. */
void
starling_image_decode_async (StarlingImage       *self,
                             int                  max_side,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DecodeData *data;

  g_return_if_fail (STARLING_IS_IMAGE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, starling_image_decode_async);

  if (self->texture != NULL)
    {
      g_task_return_pointer (task, g_object_ref (self->texture), g_object_unref);
      return;
    }

  data = g_new0 (DecodeData, 1);
  if (self->bytes != NULL)
    data->bytes = g_bytes_ref (self->bytes);
  else if (self->file != NULL)
    data->file = g_object_ref (self->file);
  else
    data->base64 = json_node_ref (self->base64);
  data->max_side = max_side > 0 ? MIN (max_side, STARLING_IMAGE_MAX_SIDE) : STARLING_IMAGE_MAX_SIDE;
  g_task_set_task_data (task, data, (GDestroyNotify) decode_data_free);
  g_task_run_in_thread (task, decode_in_thread);
}

GdkTexture *
starling_image_decode_finish (StarlingImage  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  GError *local_error = NULL;
  GdkTexture *texture;

  g_return_val_if_fail (STARLING_IS_IMAGE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  texture = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (texture != NULL && self->texture == NULL)
    self->texture = g_object_ref (texture);
  if (local_error != NULL && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_free (self->error);
      self->error = g_strdup (local_error->message);
    }
  if (local_error != NULL)
    g_propagate_error (error, local_error);

  return texture;
}

const char *
starling_image_extension_for_mime (const char *mime_type)
{
  static const struct {
    const char *mime;
    const char *extension;
  } table[] = {
    { "image/png", "png" },
    { "image/jpeg", "jpg" },
    { "image/jpg", "jpg" },
    { "image/webp", "webp" },
    { "image/gif", "gif" },
    { "image/heic", "heic" },
    { "image/heif", "heif" },
    { "image/bmp", "bmp" },
    { "image/tiff", "tiff" },
    { "image/svg+xml", "svg" },
    { "image/avif", "avif" },
  };

  for (guint i = 0; mime_type != NULL && i < G_N_ELEMENTS (table); i++)
    if (g_ascii_strcasecmp (mime_type, table[i].mime) == 0)
      return table[i].extension;

  return "bin";
}

/* The MIME type the bytes really have, whatever the part claimed. */
char *
starling_image_sniff_mime_type (GBytes *bytes)
{
  gsize size = 0;
  const guchar *data = g_bytes_get_data (bytes, &size);
  g_autofree char *content_type = NULL;

  if (size >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0)
    return g_strdup ("image/png");
  if (size >= 3 && memcmp (data, "\xff\xd8\xff", 3) == 0)
    return g_strdup ("image/jpeg");
  if (size >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    return g_strdup ("image/webp");
  if (size >= 6 && (memcmp (data, "GIF87a", 6) == 0 || memcmp (data, "GIF89a", 6) == 0))
    return g_strdup ("image/gif");

  content_type = g_content_type_guess (NULL, data, size, NULL);
  return g_content_type_get_mime_type (content_type);
}

/* "Sky at dusk 2026-11-25 2.png": the chat's title, the date, the image's number. */
char *
starling_image_suggest_name (const char *title,
                             GDateTime  *when,
                             guint       index,
                             const char *mime_type)
{
  g_autoptr(GString) name = g_string_new (NULL);
  g_autofree char *date = NULL;

  for (const char *p = title != NULL ? title : ""; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* Characters file systems or shells trip over become spaces. */
      if (c == '/' || c == '\\' || c == ':' || c == '*' || c == '?' || c == '"' ||
          c == '<' || c == '>' || c == '|' || g_unichar_iscntrl (c))
        c = ' ';
      if (c == ' ' && (name->len == 0 || name->str[name->len - 1] == ' '))
        continue;
      g_string_append_unichar (name, c);
      if (g_utf8_strlen (name->str, -1) >= 60)
        break;
    }
  while (name->len > 0 && (name->str[name->len - 1] == ' ' || name->str[name->len - 1] == '.'))
    g_string_truncate (name, name->len - 1);
  if (name->len == 0)
    g_string_append (name, _("Image"));

  date = g_date_time_format (when, "%Y-%m-%d");
  g_string_append_printf (name, " %s", date);
  if (index > 0)
    g_string_append_printf (name, " %u", index);
  g_string_append_printf (name, ".%s", starling_image_extension_for_mime (mime_type));

  return g_string_free (g_steal_pointer (&name), FALSE);
}

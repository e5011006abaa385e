/* starling-stored-image.c: one image of the history, as the gallery lists it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "starling-store-private.h"

G_DEFINE_FINAL_TYPE (StarlingStoredImage, starling_stored_image, G_TYPE_OBJECT)

static void
starling_stored_image_finalize (GObject *object)
{
  StarlingStoredImage *self = (StarlingStoredImage *) object;

  g_free (self->conversation_title);
  g_free (self->mime_type);
  g_free (self->prompt);
  g_free (self->path);
  g_free (self->base64);

  G_OBJECT_CLASS (starling_stored_image_parent_class)->finalize (object);
}

static void
starling_stored_image_class_init (StarlingStoredImageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = starling_stored_image_finalize;
}

static void
starling_stored_image_init (StarlingStoredImage *self)
{
}

gint64
starling_stored_image_get_conversation_id (StarlingStoredImage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_IMAGE (self), 0);
  return self->conversation_id;
}

const char *
starling_stored_image_get_conversation_title (StarlingStoredImage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_IMAGE (self), NULL);
  return self->conversation_title;
}

gint64
starling_stored_image_get_message_id (StarlingStoredImage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_IMAGE (self), 0);
  return self->message_id;
}

/**
 * starling_stored_image_get_role:
 *
 * Returns: who sent the image: the model drew it, or the user attached it
 */
StarlingStoreRole
starling_stored_image_get_role (StarlingStoredImage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_IMAGE (self), STARLING_STORE_ROLE_USER);
  return self->role;
}

/**
 * starling_stored_image_get_index:
 *
 * Returns: the image's place among the images of its message, from 0
 */
guint
starling_stored_image_get_index (StarlingStoredImage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_IMAGE (self), 0);
  return self->index;
}

/**
 * starling_stored_image_get_mime_type:
 *
 * Returns: the MIME type the part gave, `image/...`
 */
const char *
starling_stored_image_get_mime_type (StarlingStoredImage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_IMAGE (self), NULL);
  return self->mime_type;
}

/**
 * starling_stored_image_get_created:
 *
 * Returns: when its message was written, microseconds since the epoch (UTC)
 */
gint64
starling_stored_image_get_created (StarlingStoredImage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_IMAGE (self), 0);
  return self->created;
}

/**
 * starling_stored_image_get_prompt:
 *
 * Returns: the text of the user message that asked for the image (the
 *   nearest one above it in its branch), or of the message it came with; may
 *   be empty, never %NULL
 */
const char *
starling_stored_image_get_prompt (StarlingStoredImage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_IMAGE (self), NULL);
  return self->prompt;
}

/**
 * starling_stored_image_get_path:
 *
 * Returns: (nullable): the blob file holding the bytes, for an image kept as a file
 */
const char *
starling_stored_image_get_path (StarlingStoredImage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_IMAGE (self), NULL);
  return self->path;
}

/**
 * starling_stored_image_get_base64:
 *
 * Returns: (nullable): the bytes as base64, for a small image kept in its message
 */
const char *
starling_stored_image_get_base64 (StarlingStoredImage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_IMAGE (self), NULL);
  return self->base64;
}

/**
 * starling_stored_image_load_bytes:
 * @self: a #StarlingStoredImage
 * @cancellable: (nullable): a #GCancellable
 * @error: a place for an error
 *
 * Reads the image's bytes, exactly as received. Blocks on the disk for an
 * image kept as a file: call it from a worker thread (any thread will do).
 *
 * Returns: (transfer full): the bytes, or %NULL if the file is missing
 */
GBytes *
starling_stored_image_load_bytes (StarlingStoredImage  *self,
                                  GCancellable         *cancellable,
                                  GError              **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) local_error = NULL;
  GBytes *bytes;

  g_return_val_if_fail (STARLING_IS_STORED_IMAGE (self), NULL);

  if (self->path == NULL)
    {
      gsize len = 0;
      guchar *data = g_base64_decode (self->base64 != NULL ? self->base64 : "", &len);

      return g_bytes_new_take (data, len);
    }

  file = g_file_new_for_path (self->path);
  bytes = g_file_load_bytes (file, cancellable, NULL, &local_error);
  if (bytes == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_BLOB,
                     _("The image’s file is missing from the history (%s)."), local_error->message);
    }

  return bytes;
}

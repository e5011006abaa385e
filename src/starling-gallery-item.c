/* starling-gallery-item.c: one image of the gallery, its thumbnail decoded once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "starling-gallery-item.h"

struct _StarlingGalleryItem
{
  GObject              parent_instance;

  StarlingStoredImage *stored;
  char                *prompt;
  char                *title;
  GdkPaintable        *paintable;
  char                *error;
  gboolean             loading;
};

G_DEFINE_FINAL_TYPE (StarlingGalleryItem, starling_gallery_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORED,
  PROP_PROMPT,
  PROP_TITLE,
  PROP_PAINTABLE,
  PROP_ERROR,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* A prompt of several lines or paragraphs, on one line under a thumbnail. */
static char *
one_line (const char *text)
{
  g_autoptr(GString) line = g_string_new (NULL);

  for (const char *p = text != NULL ? text : ""; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        {
          if (line->len > 0 && line->str[line->len - 1] != ' ')
            g_string_append_c (line, ' ');
          continue;
        }
      g_string_append_unichar (line, c);
    }
  while (line->len > 0 && line->str[line->len - 1] == ' ')
    g_string_truncate (line, line->len - 1);

  return g_string_free (g_steal_pointer (&line), FALSE);
}

static StarlingImage *
new_image (StarlingGalleryItem *self)
{
  const char *path = starling_stored_image_get_path (self->stored);
  const char *mime_type = starling_stored_image_get_mime_type (self->stored);

  if (path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);

      return starling_image_new_for_file (file, mime_type, self->prompt);
    }
  else
    {
      g_autoptr(JsonNode) base64 = json_node_new (JSON_NODE_VALUE);

      json_node_set_string (base64, starling_stored_image_get_base64 (self->stored));
      return starling_image_new_from_base64 (base64, mime_type, self->prompt);
    }
}

static void
thumbnail_decoded_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(StarlingGalleryItem) self = user_data;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  texture = starling_image_decode_finish (STARLING_IMAGE (object), result, &error);
  self->loading = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
      return;
    }

  if (texture != NULL)
    {
      g_set_object (&self->paintable, GDK_PAINTABLE (texture));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAINTABLE]);
    }
  else
    {
      self->error = g_strdup (error->message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
starling_gallery_item_dispose (GObject *object)
{
  StarlingGalleryItem *self = STARLING_GALLERY_ITEM (object);

  g_clear_object (&self->paintable);
  g_clear_object (&self->stored);

  G_OBJECT_CLASS (starling_gallery_item_parent_class)->dispose (object);
}

static void
starling_gallery_item_finalize (GObject *object)
{
  StarlingGalleryItem *self = STARLING_GALLERY_ITEM (object);

  g_free (self->prompt);
  g_free (self->title);
  g_free (self->error);

  G_OBJECT_CLASS (starling_gallery_item_parent_class)->finalize (object);
}

static void
starling_gallery_item_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  StarlingGalleryItem *self = STARLING_GALLERY_ITEM (object);

  switch (prop_id)
    {
    case PROP_STORED:
      g_value_set_object (value, self->stored);
      break;

    case PROP_PROMPT:
      g_value_set_string (value, self->prompt);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_PAINTABLE:
      g_value_set_object (value, self->paintable);
      break;

    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_gallery_item_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  StarlingGalleryItem *self = STARLING_GALLERY_ITEM (object);

  switch (prop_id)
    {
    case PROP_STORED:
      self->stored = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_gallery_item_constructed (GObject *object)
{
  StarlingGalleryItem *self = STARLING_GALLERY_ITEM (object);
  const char *title = starling_stored_image_get_conversation_title (self->stored);

  G_OBJECT_CLASS (starling_gallery_item_parent_class)->constructed (object);

  self->prompt = one_line (starling_stored_image_get_prompt (self->stored));
  self->title = one_line (title != NULL && *title != '\0' ? title : _("New Chat"));
}

static void
starling_gallery_item_class_init (StarlingGalleryItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = starling_gallery_item_dispose;
  object_class->finalize = starling_gallery_item_finalize;
  object_class->get_property = starling_gallery_item_get_property;
  object_class->set_property = starling_gallery_item_set_property;
  object_class->constructed = starling_gallery_item_constructed;

  properties[PROP_STORED] =
    g_param_spec_object ("stored", NULL, NULL, STARLING_TYPE_STORED_IMAGE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROMPT] =
    g_param_spec_string ("prompt", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAINTABLE] =
    g_param_spec_object ("paintable", NULL, NULL, GDK_TYPE_PAINTABLE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
starling_gallery_item_init (StarlingGalleryItem *self)
{
}

StarlingGalleryItem *
starling_gallery_item_new (StarlingStoredImage *stored)
{
  g_return_val_if_fail (STARLING_IS_STORED_IMAGE (stored), NULL);

  return g_object_new (STARLING_TYPE_GALLERY_ITEM, "stored", stored, NULL);
}

StarlingStoredImage *
starling_gallery_item_get_stored (StarlingGalleryItem *self)
{
  g_return_val_if_fail (STARLING_IS_GALLERY_ITEM (self), NULL);

  return self->stored;
}

/* The prompt that made the image, on one line; may be empty. */
const char *
starling_gallery_item_get_prompt (StarlingGalleryItem *self)
{
  g_return_val_if_fail (STARLING_IS_GALLERY_ITEM (self), NULL);

  return self->prompt;
}

/* The conversation's title, "New Chat" when it has none. */
const char *
starling_gallery_item_get_title (StarlingGalleryItem *self)
{
  g_return_val_if_fail (STARLING_IS_GALLERY_ITEM (self), NULL);

  return self->title;
}

/* Returns: (nullable): the thumbnail, once decoded */
GdkPaintable *
starling_gallery_item_get_paintable (StarlingGalleryItem *self)
{
  g_return_val_if_fail (STARLING_IS_GALLERY_ITEM (self), NULL);

  return self->paintable;
}

/* Returns: (nullable): why the thumbnail could not be made */
const char *
starling_gallery_item_get_error (StarlingGalleryItem *self)
{
  g_return_val_if_fail (STARLING_IS_GALLERY_ITEM (self), NULL);

  return self->error;
}

gboolean
starling_gallery_item_get_loading (StarlingGalleryItem *self)
{
  g_return_val_if_fail (STARLING_IS_GALLERY_ITEM (self), FALSE);

  return self->loading;
}

/* Reads and decodes the image at @max_side on a worker thread, once: the
 * thumbnail stays with the item when its cell scrolls away and is reused. */
void
starling_gallery_item_load_thumbnail (StarlingGalleryItem *self,
                                      int                  max_side,
                                      GCancellable        *cancellable)
{
  g_autoptr(StarlingImage) source = NULL;

  g_return_if_fail (STARLING_IS_GALLERY_ITEM (self));

  if (self->loading || self->paintable != NULL || self->error != NULL)
    return;

  self->loading = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);

  /* its own image: the viewer's must be decoded at full size */
  source = new_image (self);
  starling_image_decode_async (source, max_side, cancellable, thumbnail_decoded_cb, g_object_ref (self));
}

/* A new image at full size, for the viewer, saving and copying, its
 * caption the prompt: nothing is read until it is decoded or saved, and its
 * texture goes with it, not with the gallery. */
StarlingImage *
starling_gallery_item_dup_image (StarlingGalleryItem *self)
{
  g_return_val_if_fail (STARLING_IS_GALLERY_ITEM (self), NULL);

  return new_image (self);
}

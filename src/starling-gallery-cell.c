/* starling-gallery-cell.c: a thumbnail of the gallery, the prompt and the chat under it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "starling-gallery-cell.h"

struct _StarlingGalleryCell
{
  GtkWidget            parent_instance;

  StarlingGalleryItem *item;

  GtkStack            *stack;
  GtkPicture          *picture;
  GtkSpinner          *spinner;
  GtkImage            *broken;
  GtkLabel            *prompt_label;
  GtkLabel            *title_label;
};

G_DEFINE_FINAL_TYPE (StarlingGalleryCell, starling_gallery_cell, GTK_TYPE_WIDGET)

static void
sync_thumbnail (StarlingGalleryCell *self)
{
  GdkPaintable *paintable = self->item != NULL ? starling_gallery_item_get_paintable (self->item) : NULL;
  const char *error = self->item != NULL ? starling_gallery_item_get_error (self->item) : NULL;

  gtk_picture_set_paintable (self->picture, paintable);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->broken), error);
  gtk_spinner_set_spinning (self->spinner, paintable == NULL && error == NULL);
  if (paintable != NULL)
    gtk_stack_set_visible_child_name (self->stack, "image");
  else if (error != NULL)
    gtk_stack_set_visible_child_name (self->stack, "broken");
  else
    gtk_stack_set_visible_child_name (self->stack, "loading");
}

static void
starling_gallery_cell_dispose (GObject *object)
{
  StarlingGalleryCell *self = STARLING_GALLERY_CELL (object);

  GtkWidget *child;

  starling_gallery_cell_set_item (self, NULL);
  /* a context menu still open when the gallery closes */
  while ((child = gtk_widget_get_last_child (GTK_WIDGET (self))) != NULL && GTK_IS_POPOVER (child))
    {
      g_signal_handlers_disconnect_by_func (child, gtk_widget_unparent, NULL);
      gtk_widget_unparent (child);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), STARLING_TYPE_GALLERY_CELL);

  G_OBJECT_CLASS (starling_gallery_cell_parent_class)->dispose (object);
}

static void
starling_gallery_cell_class_init (StarlingGalleryCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = starling_gallery_cell_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/starlingchat/Starling/ui/starling-gallery-cell.ui");
  gtk_widget_class_bind_template_child (widget_class, StarlingGalleryCell, stack);
  gtk_widget_class_bind_template_child (widget_class, StarlingGalleryCell, picture);
  gtk_widget_class_bind_template_child (widget_class, StarlingGalleryCell, spinner);
  gtk_widget_class_bind_template_child (widget_class, StarlingGalleryCell, broken);
  gtk_widget_class_bind_template_child (widget_class, StarlingGalleryCell, prompt_label);
  gtk_widget_class_bind_template_child (widget_class, StarlingGalleryCell, title_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "gallery-cell");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
starling_gallery_cell_init (StarlingGalleryCell *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
}

GtkWidget *
starling_gallery_cell_new (void)
{
  return g_object_new (STARLING_TYPE_GALLERY_CELL, NULL);
}

/* Returns: (nullable): the item shown */
StarlingGalleryItem *
starling_gallery_cell_get_item (StarlingGalleryCell *self)
{
  g_return_val_if_fail (STARLING_IS_GALLERY_CELL (self), NULL);

  return self->item;
}

/* Cells are recycled as the grid scrolls: everything shown comes from the item. */
void
starling_gallery_cell_set_item (StarlingGalleryCell *self,
                                StarlingGalleryItem *item)
{
  const char *prompt;
  g_autofree char *label = NULL;

  g_return_if_fail (STARLING_IS_GALLERY_CELL (self));
  g_return_if_fail (item == NULL || STARLING_IS_GALLERY_ITEM (item));

  if (self->item == item)
    return;

  if (self->item != NULL)
    g_signal_handlers_disconnect_by_data (self->item, self);
  g_set_object (&self->item, item);

  if (item == NULL)
    {
      sync_thumbnail (self);
      return;
    }

  prompt = starling_gallery_item_get_prompt (item);
  gtk_label_set_text (self->prompt_label, *prompt != '\0' ? prompt : _("No prompt"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->prompt_label), *prompt != '\0' ? prompt : NULL);
  gtk_label_set_text (self->title_label, starling_gallery_item_get_title (item));

  /* Screen readers and tests read the prompt as the image's name. */
  if (*prompt != '\0')
    label = g_strdup (prompt);
  else
    /* Translators: the name of an image without a prompt, with the chat it is in */
    label = g_strdup_printf (_("Image in “%s”"), starling_gallery_item_get_title (item));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, starling_gallery_item_get_title (item),
                                  -1);

  g_signal_connect_swapped (item, "notify::paintable", G_CALLBACK (sync_thumbnail), self);
  g_signal_connect_swapped (item, "notify::error", G_CALLBACK (sync_thumbnail), self);
  sync_thumbnail (self);
}

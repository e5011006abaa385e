/* starling-gallery.c: every image of the history, with the prompt that made it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "starling-gallery.h"
#include "starling-gallery-cell.h"
#include "starling-gallery-item.h"
#include "starling-image-viewer.h"

struct _StarlingGallery
{
  AdwWindow            parent_instance;

  StarlingStore       *store;
  GListStore          *items;
  GCancellable        *cancellable;
  StarlingGalleryItem *menu_item;
  gboolean             loaded;

  AdwWindowTitle      *window_title;
  AdwToastOverlay     *toast_overlay;
  GtkStack            *stack;
  GtkGridView         *grid_view;
  AdwStatusPage       *error_page;
  GMenuModel          *item_menu;
};

G_DEFINE_FINAL_TYPE (StarlingGallery, starling_gallery, ADW_TYPE_WINDOW)

static void
toast (StarlingGallery *self,
       const char      *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static void
open_viewer (StarlingGallery     *self,
             StarlingGalleryItem *item)
{
  g_autoptr(GListStore) images = g_list_store_new (STARLING_TYPE_IMAGE);
  gint64 conversation_id = starling_stored_image_get_conversation_id (starling_gallery_item_get_stored (item));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  guint position = 0;
  StarlingImageViewer *viewer;

  /* The viewer pages through the images of the same chat, in the gallery's
   * order, and names saved files after that chat. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(StarlingGalleryItem) other = g_list_model_get_item (G_LIST_MODEL (self->items), i);
      g_autoptr(StarlingImage) image = NULL;

      if (starling_stored_image_get_conversation_id (starling_gallery_item_get_stored (other)) != conversation_id)
        continue;
      if (other == item)
        position = g_list_model_get_n_items (G_LIST_MODEL (images));
      image = starling_gallery_item_dup_image (other);
      g_list_store_append (images, image);
    }

  viewer = starling_image_viewer_new (G_LIST_MODEL (images), position, starling_gallery_item_get_title (item));
  gtk_window_set_transient_for (GTK_WINDOW (viewer), GTK_WINDOW (self));
  gtk_window_set_modal (GTK_WINDOW (viewer), TRUE);
  gtk_window_present (GTK_WINDOW (viewer));
}

static void
copy_decoded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(StarlingGallery) self = user_data;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  texture = starling_image_decode_finish (STARLING_IMAGE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (texture == NULL)
    {
      toast (self, error->message);
      return;
    }

  gdk_clipboard_set_texture (gtk_widget_get_clipboard (GTK_WIDGET (self)), texture);
  toast (self, _("Image copied"));
}

static void
item_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  StarlingGallery *self = STARLING_GALLERY (widget);
  g_autoptr(StarlingGalleryItem) item = NULL;
  g_autoptr(StarlingImage) image = NULL;

  if (self->menu_item == NULL)
    return;
  item = g_object_ref (self->menu_item);

  if (g_str_equal (action_name, "gallery.view"))
    {
      open_viewer (self, item);
      return;
    }

  image = starling_gallery_item_dup_image (item);
  if (g_str_equal (action_name, "gallery.save"))
    /* the same dialog as the chat's: the extension follows the bytes' real type */
    starling_image_save_with_dialog (GTK_WINDOW (self), image, starling_gallery_item_get_title (item), 0);
  else if (g_str_equal (action_name, "gallery.copy"))
    starling_image_decode_async (image, STARLING_IMAGE_MAX_SIDE, self->cancellable, copy_decoded_cb,
                                 g_object_ref (self));
}

static void
popup_menu (StarlingGallery     *self,
            StarlingGalleryCell *cell,
            double               x,
            double               y)
{
  GtkWidget *popover;

  g_set_object (&self->menu_item, starling_gallery_cell_get_item (cell));
  if (self->menu_item == NULL)
    return;

  popover = gtk_popover_menu_new_from_model (self->item_menu);
  gtk_widget_set_parent (popover, GTK_WIDGET (cell));
  if (x >= 0 && y >= 0)
    gtk_popover_set_pointing_to (GTK_POPOVER (popover), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), x < 0);
  g_signal_connect (popover, "closed", G_CALLBACK (gtk_widget_unparent), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
}

static StarlingGalleryCell *
cell_of (GtkWidget *widget)
{
  GtkWidget *cell;

  if (widget == NULL)
    return NULL;
  if (STARLING_IS_GALLERY_CELL (widget))
    return STARLING_GALLERY_CELL (widget);

  cell = gtk_widget_get_ancestor (widget, STARLING_TYPE_GALLERY_CELL);
  if (cell == NULL)
    {
      /* the focus is on the grid's own item widget, around the cell */
      GtkWidget *child = gtk_widget_get_first_child (widget);

      cell = child != NULL && STARLING_IS_GALLERY_CELL (child) ? child : NULL;
    }

  return cell != NULL ? STARLING_GALLERY_CELL (cell) : NULL;
}

static void
menu_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  StarlingGallery *self = STARLING_GALLERY (widget);
  StarlingGalleryCell *cell = cell_of (gtk_root_get_focus (GTK_ROOT (self)));

  if (cell != NULL)
    popup_menu (self, cell, -1, -1);
}

static void
grid_pressed_cb (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 StarlingGallery *self)
{
  GtkWidget *grid = GTK_WIDGET (self->grid_view);
  StarlingGalleryCell *cell = cell_of (gtk_widget_pick (grid, x, y, GTK_PICK_DEFAULT));
  graphene_point_t point;

  if (cell == NULL)
    return;

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  if (!gtk_widget_compute_point (grid, GTK_WIDGET (cell), &GRAPHENE_POINT_INIT (x, y), &point))
    point = GRAPHENE_POINT_INIT (-1, -1);
  popup_menu (self, cell, point.x, point.y);
}

static void
grid_activate_cb (StarlingGallery *self,
                  guint            position)
{
  g_autoptr(StarlingGalleryItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), position);

  if (item != NULL)
    open_viewer (self, item);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          StarlingGallery          *self)
{
  gtk_list_item_set_child (list_item, starling_gallery_cell_new ());
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         StarlingGallery          *self)
{
  StarlingGalleryItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *cell = gtk_list_item_get_child (list_item);

  starling_gallery_cell_set_item (STARLING_GALLERY_CELL (cell), item);
  /* Only images scrolled into view are read and decoded, at the size shown. */
  starling_gallery_item_load_thumbnail (item,
                                        STARLING_GALLERY_THUMBNAIL_SIZE * gtk_widget_get_scale_factor (cell),
                                        self->cancellable);
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           StarlingGallery          *self)
{
  starling_gallery_cell_set_item (STARLING_GALLERY_CELL (gtk_list_item_get_child (list_item)), NULL);
}

static void
listed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(StarlingGallery) self = user_data;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *subtitle = NULL;

  images = starling_store_list_images_finish (STARLING_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->loaded = TRUE;
  if (images == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < images->len; i++)
    g_ptr_array_add (items, starling_gallery_item_new (g_ptr_array_index (images, i)));
  g_list_store_splice (self->items, 0, 0, items->pdata, items->len);

  /* Translators: under the title of the image gallery */
  subtitle = g_strdup_printf (ngettext ("%u image", "%u images", images->len), images->len);
  adw_window_title_set_subtitle (self->window_title, images->len > 0 ? subtitle : NULL);
  gtk_stack_set_visible_child_name (self->stack, images->len > 0 ? "images" : "empty");
  if (images->len > 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->grid_view));
}

static gboolean
starling_gallery_close_request (GtkWindow *window)
{
  g_cancellable_cancel (STARLING_GALLERY (window)->cancellable);

  return GTK_WINDOW_CLASS (starling_gallery_parent_class)->close_request (window);
}

static void
starling_gallery_dispose (GObject *object)
{
  StarlingGallery *self = STARLING_GALLERY (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), STARLING_TYPE_GALLERY);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->menu_item);
  g_clear_object (&self->items);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (starling_gallery_parent_class)->dispose (object);
}

static void
starling_gallery_class_init (StarlingGalleryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = starling_gallery_dispose;
  window_class->close_request = starling_gallery_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/starlingchat/Starling/ui/starling-gallery.ui");
  gtk_widget_class_bind_template_child (widget_class, StarlingGallery, window_title);
  gtk_widget_class_bind_template_child (widget_class, StarlingGallery, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, StarlingGallery, stack);
  gtk_widget_class_bind_template_child (widget_class, StarlingGallery, grid_view);
  gtk_widget_class_bind_template_child (widget_class, StarlingGallery, error_page);
  gtk_widget_class_bind_template_child (widget_class, StarlingGallery, item_menu);
  gtk_widget_class_bind_template_callback (widget_class, setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, grid_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, grid_pressed_cb);

  gtk_widget_class_install_action (widget_class, "gallery.view", NULL, item_action);
  gtk_widget_class_install_action (widget_class, "gallery.save", NULL, item_action);
  gtk_widget_class_install_action (widget_class, "gallery.copy", NULL, item_action);
  gtk_widget_class_install_action (widget_class, "gallery.popup-menu", NULL, menu_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "gallery.popup-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "gallery.popup-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);

  g_type_ensure (STARLING_TYPE_GALLERY_CELL);
}

static void
starling_gallery_init (StarlingGallery *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->items = g_list_store_new (STARLING_TYPE_GALLERY_ITEM);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->items)));
  gtk_grid_view_set_model (self->grid_view, GTK_SELECTION_MODEL (selection));
}

/* Lists the images on the store's worker; the window shows at once. */
StarlingGallery *
starling_gallery_new (GtkWindow     *parent,
                      StarlingStore *store)
{
  StarlingGallery *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (STARLING_IS_STORE (store), NULL);

  self = g_object_new (STARLING_TYPE_GALLERY, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  starling_store_list_images_async (store, self->cancellable, listed_cb, g_object_ref (self));

  return self;
}

/* Returns: (transfer none): the images shown, newest first (StarlingGalleryItem) */
GListModel *
starling_gallery_get_items (StarlingGallery *self)
{
  g_return_val_if_fail (STARLING_IS_GALLERY (self), NULL);

  return G_LIST_MODEL (self->items);
}

/* Whether the history has answered (with images, none, or an error). */
gboolean
starling_gallery_is_loaded (StarlingGallery *self)
{
  g_return_val_if_fail (STARLING_IS_GALLERY (self), FALSE);

  return self->loaded;
}

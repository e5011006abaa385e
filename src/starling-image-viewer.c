/* starling-image-viewer.c: look at the conversation's images: fit, zoom, pan, save
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "starling-image-viewer.h"

#define MIN_ZOOM 0.05
#define MAX_ZOOM 16.0

struct _StarlingImageViewer
{
  AdwWindow          parent_instance;

  GListModel        *images;
  guint              position;
  char              *title;
  double             zoom;
  gboolean           fit;
  double             drag_h;
  double             drag_v;
  GCancellable      *cancellable;

  AdwWindowTitle    *window_title;
  AdwToastOverlay   *toast_overlay;
  GtkStack          *stack;
  GtkScrolledWindow *scroller;
  GtkPicture        *picture;
  GtkSpinner        *spinner;
  AdwStatusPage     *error_page;
};

G_DEFINE_FINAL_TYPE (StarlingImageViewer, starling_image_viewer, ADW_TYPE_WINDOW)

static StarlingImage *
dup_current (StarlingImageViewer *self)
{
  return g_list_model_get_item (self->images, self->position);
}

static void
apply_zoom (StarlingImageViewer *self)
{
  GdkTexture *texture = GDK_TEXTURE (gtk_picture_get_paintable (self->picture));
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));

  if (self->fit || texture == NULL)
    {
      gtk_scrolled_window_set_policy (self->scroller, GTK_POLICY_EXTERNAL, GTK_POLICY_EXTERNAL);
      gtk_picture_set_can_shrink (self->picture, TRUE);
      gtk_widget_set_size_request (GTK_WIDGET (self->picture), -1, -1);
    }
  else
    {
      /* 1:1 means one image pixel per device pixel, also on HiDPI screens. */
      int width = MAX (1, (int) (gdk_texture_get_width (texture) * self->zoom / scale));
      int height = MAX (1, (int) (gdk_texture_get_height (texture) * self->zoom / scale));

      gtk_scrolled_window_set_policy (self->scroller, GTK_POLICY_AUTOMATIC, GTK_POLICY_AUTOMATIC);
      gtk_picture_set_can_shrink (self->picture, FALSE);
      gtk_widget_set_size_request (GTK_WIDGET (self->picture), width, height);
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "viewer.zoom-in", texture != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "viewer.zoom-out", texture != NULL);
}

static void
decoded_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  StarlingImageViewer *self = user_data;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(StarlingImage) current = NULL;

  texture = starling_image_decode_finish (STARLING_IMAGE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  current = dup_current (self);
  if (current != STARLING_IMAGE (object))
    return;

  gtk_spinner_set_spinning (self->spinner, FALSE);
  if (texture == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      gtk_picture_set_paintable (self->picture, NULL);
    }
  else
    {
      gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
      gtk_stack_set_visible_child_name (self->stack, "image");
    }
  apply_zoom (self);
}

static void
show_current (StarlingImageViewer *self)
{
  g_autoptr(StarlingImage) image = dup_current (self);
  guint n = g_list_model_get_n_items (self->images);
  g_autofree char *subtitle = NULL;

  if (image == NULL)
    return;

  /* Translators: position of the image among the conversation's images, e.g. "2 of 5" */
  subtitle = g_strdup_printf (_("%u of %u"), self->position + 1, n);
  adw_window_title_set_title (self->window_title,
                              starling_image_get_caption (image) != NULL && *starling_image_get_caption (image) != '\0'
                              ? starling_image_get_caption (image) : _("Image"));
  adw_window_title_set_subtitle (self->window_title, subtitle);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "viewer.previous", self->position > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "viewer.next", self->position + 1 < n);

  self->fit = TRUE;
  self->zoom = 1.0;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  gtk_stack_set_visible_child_name (self->stack, "loading");
  gtk_spinner_set_spinning (self->spinner, TRUE);
  starling_image_decode_async (image, STARLING_IMAGE_MAX_SIDE, self->cancellable, decoded_cb, self);
}

static double
fit_zoom (StarlingImageViewer *self)
{
  GdkTexture *texture = GDK_TEXTURE (gtk_picture_get_paintable (self->picture));
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  double w, h;

  if (texture == NULL)
    return 1.0;

  w = gtk_widget_get_width (GTK_WIDGET (self->scroller)) * scale / (double) gdk_texture_get_width (texture);
  h = gtk_widget_get_height (GTK_WIDGET (self->scroller)) * scale / (double) gdk_texture_get_height (texture);
  return CLAMP (MIN (w, h), MIN_ZOOM, 1.0);
}

static void
set_zoom (StarlingImageViewer *self,
          double               zoom)
{
  self->fit = FALSE;
  self->zoom = CLAMP (zoom, MIN_ZOOM, MAX_ZOOM);
  apply_zoom (self);
}

static void
zoom_in_action (GtkWidget *widget, const char *name, GVariant *param)
{
  StarlingImageViewer *self = STARLING_IMAGE_VIEWER (widget);

  set_zoom (self, (self->fit ? fit_zoom (self) : self->zoom) * 1.25);
}

static void
zoom_out_action (GtkWidget *widget, const char *name, GVariant *param)
{
  StarlingImageViewer *self = STARLING_IMAGE_VIEWER (widget);

  set_zoom (self, (self->fit ? fit_zoom (self) : self->zoom) / 1.25);
}

static void
zoom_fit_action (GtkWidget *widget, const char *name, GVariant *param)
{
  StarlingImageViewer *self = STARLING_IMAGE_VIEWER (widget);

  self->fit = TRUE;
  apply_zoom (self);
}

static void
zoom_original_action (GtkWidget *widget, const char *name, GVariant *param)
{
  set_zoom (STARLING_IMAGE_VIEWER (widget), 1.0);
}

static void
previous_action (GtkWidget *widget, const char *name, GVariant *param)
{
  StarlingImageViewer *self = STARLING_IMAGE_VIEWER (widget);

  if (self->position == 0)
    return;
  self->position--;
  show_current (self);
}

static void
next_action (GtkWidget *widget, const char *name, GVariant *param)
{
  StarlingImageViewer *self = STARLING_IMAGE_VIEWER (widget);

  if (self->position + 1 >= g_list_model_get_n_items (self->images))
    return;
  self->position++;
  show_current (self);
}

static void
copy_action (GtkWidget *widget, const char *name, GVariant *param)
{
  StarlingImageViewer *self = STARLING_IMAGE_VIEWER (widget);
  GdkPaintable *paintable = gtk_picture_get_paintable (self->picture);

  if (!GDK_IS_TEXTURE (paintable))
    return;

  gdk_clipboard_set_texture (gtk_widget_get_clipboard (widget), GDK_TEXTURE (paintable));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Image copied")));
}

static void
save_action (GtkWidget *widget, const char *name, GVariant *param)
{
  StarlingImageViewer *self = STARLING_IMAGE_VIEWER (widget);
  g_autoptr(StarlingImage) image = dup_current (self);

  if (image != NULL)
    starling_image_save_with_dialog (GTK_WINDOW (self), image, self->title,
                                     g_list_model_get_n_items (self->images) > 1 ? self->position + 1 : 0);
}

static void
drag_begin_cb (GtkGestureDrag      *gesture,
               double               x,
               double               y,
               StarlingImageViewer *self)
{
  self->drag_h = gtk_adjustment_get_value (gtk_scrolled_window_get_hadjustment (self->scroller));
  self->drag_v = gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (self->scroller));
}

static void
drag_update_cb (GtkGestureDrag      *gesture,
                double               dx,
                double               dy,
                StarlingImageViewer *self)
{
  if (self->fit)
    return;

  gtk_adjustment_set_value (gtk_scrolled_window_get_hadjustment (self->scroller), self->drag_h - dx);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), self->drag_v - dy);
}

static void
starling_image_viewer_dispose (GObject *object)
{
  StarlingImageViewer *self = STARLING_IMAGE_VIEWER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), STARLING_TYPE_IMAGE_VIEWER);
  g_clear_object (&self->images);

  G_OBJECT_CLASS (starling_image_viewer_parent_class)->dispose (object);
}

static void
starling_image_viewer_finalize (GObject *object)
{
  g_free (STARLING_IMAGE_VIEWER (object)->title);

  G_OBJECT_CLASS (starling_image_viewer_parent_class)->finalize (object);
}

static void
starling_image_viewer_class_init (StarlingImageViewerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = starling_image_viewer_dispose;
  object_class->finalize = starling_image_viewer_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/starlingchat/Starling/ui/starling-image-viewer.ui");
  gtk_widget_class_bind_template_child (widget_class, StarlingImageViewer, window_title);
  gtk_widget_class_bind_template_child (widget_class, StarlingImageViewer, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, StarlingImageViewer, stack);
  gtk_widget_class_bind_template_child (widget_class, StarlingImageViewer, scroller);
  gtk_widget_class_bind_template_child (widget_class, StarlingImageViewer, picture);
  gtk_widget_class_bind_template_child (widget_class, StarlingImageViewer, spinner);
  gtk_widget_class_bind_template_child (widget_class, StarlingImageViewer, error_page);

  gtk_widget_class_install_action (widget_class, "viewer.zoom-in", NULL, zoom_in_action);
  gtk_widget_class_install_action (widget_class, "viewer.zoom-out", NULL, zoom_out_action);
  gtk_widget_class_install_action (widget_class, "viewer.zoom-fit", NULL, zoom_fit_action);
  gtk_widget_class_install_action (widget_class, "viewer.zoom-original", NULL, zoom_original_action);
  gtk_widget_class_install_action (widget_class, "viewer.previous", NULL, previous_action);
  gtk_widget_class_install_action (widget_class, "viewer.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "viewer.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "viewer.save", NULL, save_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "viewer.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "viewer.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "viewer.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "viewer.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "viewer.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "viewer.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, 0, "viewer.zoom-original", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "viewer.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "viewer.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "viewer.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "viewer.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
starling_image_viewer_init (StarlingImageViewer *self)
{
  GtkGesture *drag;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->fit = TRUE;
  self->zoom = 1.0;

  drag = gtk_gesture_drag_new ();
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->scroller), GTK_EVENT_CONTROLLER (drag));
}

StarlingImageViewer *
starling_image_viewer_new (GListModel *images,
                           guint       position,
                           const char *title)
{
  StarlingImageViewer *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (images), NULL);

  self = g_object_new (STARLING_TYPE_IMAGE_VIEWER, NULL);
  self->images = g_object_ref (images);
  self->position = MIN (position, MAX (g_list_model_get_n_items (images), 1) - 1);
  self->title = g_strdup (title);
  show_current (self);

  return self;
}

guint
starling_image_viewer_get_position (StarlingImageViewer *self)
{
  g_return_val_if_fail (STARLING_IS_IMAGE_VIEWER (self), 0);

  return self->position;
}

double
starling_image_viewer_get_zoom (StarlingImageViewer *self)
{
  g_return_val_if_fail (STARLING_IS_IMAGE_VIEWER (self), 1.0);

  return self->zoom;
}

gboolean
starling_image_viewer_get_fit (StarlingImageViewer *self)
{
  g_return_val_if_fail (STARLING_IS_IMAGE_VIEWER (self), TRUE);

  return self->fit;
}

/* Writes the image's own bytes: never re-encoded, never renamed to .png. */
gboolean
starling_image_write_file (StarlingImage  *image,
                           GFile          *file,
                           GError        **error)
{
  GBytes *bytes = starling_image_get_bytes (image);

  return g_file_replace_contents (file, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                  NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error);
}

static void
report_save (GtkWindow  *parent,
             const char *message)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Could Not Save the Image"), message));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
save_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  StarlingImage   *image)
{
  GtkWindow *parent = gtk_native_dialog_get_transient_for (dialog);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GError) error = NULL;

      if (!starling_image_write_file (image, file, &error))
        report_save (parent, error->message);
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (image);
}

/* The file chooser goes through the portal in a sandbox. */
void
starling_image_save_with_dialog (GtkWindow     *parent,
                                 StarlingImage *image,
                                 const char    *title,
                                 guint          index)
{
  GtkFileChooserNative *dialog;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *real_mime = starling_image_sniff_mime_type (starling_image_get_bytes (image));
  g_autofree char *name = starling_image_suggest_name (title, now, index, real_mime);

  dialog = gtk_file_chooser_native_new (_("Save Image"), parent, GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_signal_connect (dialog, "response", G_CALLBACK (save_response_cb), g_object_ref (image));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

typedef struct
{
  GListModel *images;
  char       *title;
} SaveAll;

static void
save_all_response_cb (GtkNativeDialog *dialog,
                      int              response,
                      SaveAll         *data)
{
  GtkWindow *parent = gtk_native_dialog_get_transient_for (dialog);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      guint n = g_list_model_get_n_items (data->images);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(StarlingImage) image = g_list_model_get_item (data->images, i);
          g_autofree char *mime = starling_image_sniff_mime_type (starling_image_get_bytes (image));
          g_autofree char *name = starling_image_suggest_name (data->title, now, i + 1, mime);
          g_autoptr(GFile) file = g_file_get_child (folder, name);
          g_autoptr(GError) error = NULL;

          if (!starling_image_write_file (image, file, &error))
            {
              report_save (parent, error->message);
              break;
            }
        }
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (data->images);
  g_free (data->title);
  g_free (data);
}

void
starling_image_save_all_with_dialog (GtkWindow  *parent,
                                     GListModel *images,
                                     const char *title)
{
  GtkFileChooserNative *dialog;
  SaveAll *data = g_new0 (SaveAll, 1);

  data->images = g_object_ref (images);
  data->title = g_strdup (title);

  dialog = gtk_file_chooser_native_new (_("Save All Images"), parent, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                        _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (save_all_response_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* starling-composer.c: where the user writes a message and attaches files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "starling-composer.h"

struct _StarlingComposer
{
  GtkWidget       parent_instance;

  GListStore     *attachments;
  GCancellable   *cancellable;
  guint           busy : 1;
  guint           can_send : 1;

  GtkWidget      *box;
  GtkRevealer    *error_revealer;
  GtkLabel       *error_label;
  GtkRevealer    *attachments_revealer;
  GtkBox         *attachments_box;
  GtkLabel       *placeholder;
  GtkTextView    *text_view;
  GtkStack       *button_stack;
};

G_DEFINE_FINAL_TYPE (StarlingComposer, starling_composer, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_CAN_SEND,
  N_PROPS
};

enum {
  SEND,
  STOP,
  DRAFT_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
has_content (StarlingComposer *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  if (g_list_model_get_n_items (G_LIST_MODEL (self->attachments)) > 0)
    return TRUE;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  return *g_strstrip (text) != '\0';
}

static void
update_state (StarlingComposer *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);

  gtk_widget_set_visible (GTK_WIDGET (self->placeholder), gtk_text_buffer_get_char_count (buffer) == 0);
  gtk_stack_set_visible_child_name (self->button_stack, self->busy ? "stop" : "send");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send",
                                 self->can_send && !self->busy && has_content (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.stop", self->busy);
  gtk_revealer_set_reveal_child (self->attachments_revealer,
                                 g_list_model_get_n_items (G_LIST_MODEL (self->attachments)) > 0);
}

static void
hide_error (StarlingComposer *self)
{
  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
}

static void
remove_attachment_cb (GtkButton        *button,
                      StarlingComposer *self)
{
  StarlingAttachment *attachment = g_object_get_data (G_OBJECT (button), "attachment");
  guint position;

  if (g_list_store_find (self->attachments, attachment, &position))
    g_list_store_remove (self->attachments, position);
}

static GtkWidget *
create_chip (StarlingComposer   *self,
             StarlingAttachment *attachment)
{
  GtkWidget *chip, *preview, *label, *remove;
  GdkTexture *thumbnail = starling_attachment_get_thumbnail (attachment);
  g_autofree char *remove_label = NULL;

  chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (chip, "attachment-chip");
  gtk_widget_add_css_class (chip, "card");

  if (thumbnail != NULL)
    {
      /* An image draws its paintable within its pixel size, whatever the
       * thumbnail's own size */
      preview = gtk_image_new_from_paintable (GDK_PAINTABLE (thumbnail));
      gtk_image_set_pixel_size (GTK_IMAGE (preview), 40);
      gtk_widget_add_css_class (preview, "thumbnail");
    }
  else
    {
      g_autoptr(GIcon) icon = g_content_type_get_symbolic_icon (starling_attachment_get_mime_type (attachment));

      preview = gtk_image_new_from_gicon (icon);
      gtk_image_set_pixel_size (GTK_IMAGE (preview), 24);
      gtk_widget_set_margin_start (preview, 6);
    }
  gtk_box_append (GTK_BOX (chip), preview);

  label = gtk_label_new (starling_attachment_get_name (attachment));
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 20);
  gtk_box_append (GTK_BOX (chip), label);

  remove = gtk_button_new_from_icon_name ("window-close-symbolic");
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_add_css_class (remove, "circular");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  /* Translators: %s is a file name */
  remove_label = g_strdup_printf (_("Remove %s"), starling_attachment_get_name (attachment));
  gtk_widget_set_tooltip_text (remove, remove_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label,
                                  -1);
  g_object_set_data_full (G_OBJECT (remove), "attachment", g_object_ref (attachment), g_object_unref);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_attachment_cb), self);
  gtk_box_append (GTK_BOX (chip), remove);

  return chip;
}

static void
attachments_changed_cb (StarlingComposer *self,
                        guint             position,
                        guint             removed,
                        guint             added,
                        GListModel       *model)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->attachments_box))) != NULL)
    gtk_box_remove (self->attachments_box, child);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(StarlingAttachment) attachment = g_list_model_get_item (model, i);

      gtk_box_append (self->attachments_box, create_chip (self, attachment));
    }

  update_state (self);
  g_signal_emit (self, signals[DRAFT_CHANGED], 0);
}

static void
attachment_loaded_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(StarlingComposer) self = user_data;
  g_autoptr(StarlingAttachment) attachment = NULL;
  g_autoptr(GError) error = NULL;

  attachment = starling_attachment_load_finish (result, &error);
  if (attachment == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        starling_composer_show_error (self, error->message);
      return;
    }

  starling_composer_add_attachment (self, attachment);
}

static void
buffer_changed_cb (StarlingComposer *self)
{
  hide_error (self);
  update_state (self);
  g_signal_emit (self, signals[DRAFT_CHANGED], 0);
}

static gboolean
key_pressed_cb (StarlingComposer      *self,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkEventControllerKey *controller)
{
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter) &&
      (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK)) == 0)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "composer.send", NULL);
      return GDK_EVENT_STOP;
    }

  /* Up in an empty composer edits the last prompt, as in chat apps. */
  if (keyval == GDK_KEY_Up && (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK)) == 0 &&
      !has_content (self) &&
      gtk_widget_activate_action (GTK_WIDGET (self), "chat.edit-last", NULL))
    return GDK_EVENT_STOP;

  if (keyval == GDK_KEY_Escape && self->busy)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "composer.stop", NULL);
      return GDK_EVENT_STOP;
    }

  return GDK_EVENT_PROPAGATE;
}

static void
texture_pasted_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(StarlingComposer) self = user_data;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(StarlingAttachment) attachment = NULL;
  g_autofree char *name = NULL;
  g_autofree char *stamp = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (object), result, NULL);
  if (texture == NULL)
    return;

  png = gdk_texture_save_to_png_bytes (texture);
  if (g_bytes_get_size (png) > STARLING_ATTACHMENT_MAX_SIZE)
    {
      starling_composer_show_error (self, _("The pasted image is larger than 20 MB, the most a message can carry"));
      return;
    }

  /* Translators: file name of a pasted image; %s is a date and time */
  stamp = g_date_time_format (now, "%H%M%S");
  name = g_strdup_printf (_("Pasted image %s.png"), stamp);
  attachment = starling_attachment_new (name, "image/png", png);
  starling_composer_add_attachment (self, attachment);
}

static void
files_pasted_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(StarlingComposer) self = user_data;
  const GValue *value;

  value = gdk_clipboard_read_value_finish (GDK_CLIPBOARD (object), result, NULL);
  if (value == NULL)
    return;

  for (GSList *l = g_value_get_boxed (value); l != NULL; l = l->next)
    starling_composer_add_file (self, l->data);
}

/* Images and files on the clipboard become attachments; text pastes as usual. */
static void
paste_clipboard_cb (StarlingComposer *self,
                    GtkTextView      *text_view)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (text_view));
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);

  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST))
    {
      g_signal_stop_emission_by_name (text_view, "paste-clipboard");
      gdk_clipboard_read_value_async (clipboard, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT,
                                      self->cancellable, files_pasted_cb, g_object_ref (self));
    }
  else if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE) &&
           !gdk_content_formats_contain_mime_type (formats, "text/plain;charset=utf-8") &&
           !gdk_content_formats_contain_mime_type (formats, "text/plain"))
    {
      g_signal_stop_emission_by_name (text_view, "paste-clipboard");
      gdk_clipboard_read_texture_async (clipboard, self->cancellable, texture_pasted_cb, g_object_ref (self));
    }
}

static gboolean
drop_cb (StarlingComposer *self,
         const GValue     *value,
         double            x,
         double            y)
{
  return starling_composer_add_dropped (self, value);
}

static void
file_chooser_response_cb (GtkNativeDialog  *dialog,
                          int               response,
                          StarlingComposer *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);

          starling_composer_add_file (self, file);
        }
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
attach_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  StarlingComposer *self = STARLING_COMPOSER (widget);
  GtkFileChooserNative *dialog;
  GtkFileFilter *filter;
  GtkRoot *root = gtk_widget_get_root (widget);

  dialog = gtk_file_chooser_native_new (_("Attach Files"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Attach"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (dialog), TRUE);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Images, PDF and Text"));
  gtk_file_filter_add_mime_type (filter, "image/*");
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_filter_add_mime_type (filter, "text/*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);

  g_signal_connect (dialog, "response", G_CALLBACK (file_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  StarlingComposer *self = STARLING_COMPOSER (widget);

  if (!self->can_send || self->busy || !has_content (self))
    return;

  g_signal_emit (self, signals[SEND], 0);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  g_signal_emit (widget, signals[STOP], 0);
}

static void
starling_composer_dispose (GObject *object)
{
  StarlingComposer *self = STARLING_COMPOSER (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), STARLING_TYPE_COMPOSER);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->attachments);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (starling_composer_parent_class)->dispose (object);
}

static void
starling_composer_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  StarlingComposer *self = STARLING_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_CAN_SEND:
      g_value_set_boolean (value, self->can_send);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_composer_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  StarlingComposer *self = STARLING_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      starling_composer_set_busy (self, g_value_get_boolean (value));
      break;

    case PROP_CAN_SEND:
      starling_composer_set_can_send (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
starling_composer_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (STARLING_COMPOSER (widget)->text_view));
}

static void
starling_composer_class_init (StarlingComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = starling_composer_dispose;
  object_class->get_property = starling_composer_get_property;
  object_class->set_property = starling_composer_set_property;
  widget_class->grab_focus = starling_composer_grab_focus;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CAN_SEND] =
    g_param_spec_boolean ("can-send", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SEND] = g_signal_new ("send", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[STOP] = g_signal_new ("stop", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The text was typed, pasted, set or cleared, or a file attached or removed. */
  signals[DRAFT_CHANGED] = g_signal_new ("draft-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/starlingchat/Starling/ui/starling-composer.ui");
  gtk_widget_class_bind_template_child (widget_class, StarlingComposer, box);
  gtk_widget_class_bind_template_child (widget_class, StarlingComposer, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, StarlingComposer, error_label);
  gtk_widget_class_bind_template_child (widget_class, StarlingComposer, attachments_revealer);
  gtk_widget_class_bind_template_child (widget_class, StarlingComposer, attachments_box);
  gtk_widget_class_bind_template_child (widget_class, StarlingComposer, placeholder);
  gtk_widget_class_bind_template_child (widget_class, StarlingComposer, text_view);
  gtk_widget_class_bind_template_child (widget_class, StarlingComposer, button_stack);

  gtk_widget_class_install_action (widget_class, "composer.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "composer.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "composer.attach", NULL, attach_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "composer");
}

static void
starling_composer_init (StarlingComposer *self)
{
  GtkEventController *key;
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->attachments = g_list_store_new (STARLING_TYPE_ATTACHMENT);
  g_signal_connect_object (self->attachments, "items-changed",
                           G_CALLBACK (attachments_changed_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (gtk_text_view_get_buffer (self->text_view), "changed",
                           G_CALLBACK (buffer_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->text_view, "paste-clipboard",
                           G_CALLBACK (paste_clipboard_cb), self, G_CONNECT_SWAPPED);

  key = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect_object (key, "key-pressed", G_CALLBACK (key_pressed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->text_view), key);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (drop, "drop", G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  update_state (self);
}

GtkWidget *
starling_composer_new (void)
{
  return g_object_new (STARLING_TYPE_COMPOSER, NULL);
}

char *
starling_composer_dup_text (StarlingComposer *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (STARLING_IS_COMPOSER (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

void
starling_composer_set_text (StarlingComposer *self,
                            const char       *text)
{
  g_return_if_fail (STARLING_IS_COMPOSER (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text != NULL ? text : "", -1);
}

/* Returns: (transfer full): the attachments, in the order they were added */
GPtrArray *
starling_composer_dup_attachments (StarlingComposer *self)
{
  GPtrArray *array;
  guint n;

  g_return_val_if_fail (STARLING_IS_COMPOSER (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->attachments));
  array = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (array, g_list_model_get_item (G_LIST_MODEL (self->attachments), i));

  return array;
}

void
starling_composer_add_attachment (StarlingComposer   *self,
                                  StarlingAttachment *attachment)
{
  g_return_if_fail (STARLING_IS_COMPOSER (self));
  g_return_if_fail (STARLING_IS_ATTACHMENT (attachment));

  hide_error (self);
  g_list_store_append (self->attachments, attachment);
}

/**
 * starling_composer_set_attachments:
 * @attachments: (nullable) (element-type StarlingAttachment): files
 *
 * Attaches @attachments instead of the files attached now.
 */
void
starling_composer_set_attachments (StarlingComposer *self,
                                   GPtrArray        *attachments)
{
  g_return_if_fail (STARLING_IS_COMPOSER (self));

  g_list_store_splice (self->attachments, 0, g_list_model_get_n_items (G_LIST_MODEL (self->attachments)),
                       attachments != NULL ? attachments->pdata : NULL,
                       attachments != NULL ? attachments->len : 0);
}

void
starling_composer_add_file (StarlingComposer *self,
                            GFile            *file)
{
  g_return_if_fail (STARLING_IS_COMPOSER (self));
  g_return_if_fail (G_IS_FILE (file));

  starling_attachment_load_async (file, self->cancellable, attachment_loaded_cb, g_object_ref (self));
}

/**
 * starling_composer_add_dropped:
 * @value: what a drop target received
 *
 * Attaches the files of a drop, on the composer or anywhere on its chat.
 *
 * Returns: whether @value held files
 */
gboolean
starling_composer_add_dropped (StarlingComposer *self,
                               const GValue     *value)
{
  g_return_val_if_fail (STARLING_IS_COMPOSER (self), FALSE);

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  for (GSList *l = g_value_get_boxed (value); l != NULL; l = l->next)
    starling_composer_add_file (self, l->data);

  return TRUE;
}

void
starling_composer_clear (StarlingComposer *self)
{
  g_return_if_fail (STARLING_IS_COMPOSER (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), "", 0);
  g_list_store_remove_all (self->attachments);
  hide_error (self);
}

gboolean
starling_composer_get_busy (StarlingComposer *self)
{
  g_return_val_if_fail (STARLING_IS_COMPOSER (self), FALSE);

  return self->busy;
}

void
starling_composer_set_busy (StarlingComposer *self,
                            gboolean          busy)
{
  g_return_if_fail (STARLING_IS_COMPOSER (self));

  busy = !!busy;
  if (self->busy == busy)
    return;

  self->busy = busy;
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

gboolean
starling_composer_get_can_send (StarlingComposer *self)
{
  g_return_val_if_fail (STARLING_IS_COMPOSER (self), FALSE);

  return self->can_send;
}

void
starling_composer_set_can_send (StarlingComposer *self,
                                gboolean          can_send)
{
  g_return_if_fail (STARLING_IS_COMPOSER (self));

  can_send = !!can_send;
  if (self->can_send == can_send)
    return;

  self->can_send = can_send;
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_SEND]);
}

void
starling_composer_show_error (StarlingComposer *self,
                              const char       *message)
{
  g_return_if_fail (STARLING_IS_COMPOSER (self));

  gtk_label_set_label (self->error_label, message);
  gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
}

void
starling_composer_focus (StarlingComposer *self)
{
  g_return_if_fail (STARLING_IS_COMPOSER (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

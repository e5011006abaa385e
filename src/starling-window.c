/* starling-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "starling-window.h"

struct _StarlingWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar;
  GtkWidget            *content;
  GtkListBox           *conversation_list;
  AdwWindowTitle       *content_title;
  GtkStack             *content_stack;
};

G_DEFINE_FINAL_TYPE (StarlingWindow, starling_window, ADW_TYPE_APPLICATION_WINDOW)

static StarlingApplication *
get_application (StarlingWindow *self)
{
  return STARLING_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

static void
update_content (StarlingWindow *self)
{
  StarlingApplication *app = get_application (self);
  gboolean has_key = app != NULL && starling_application_has_api_key (app);

  gtk_stack_set_visible_child_name (self->content_stack, has_key ? "empty" : "no-key");
  adw_window_title_set_title (self->content_title, has_key ? _("New Chat") : "");
}

static void
has_api_key_changed_cb (StarlingWindow *self)
{
  update_content (self);
}

static void
back_clicked_cb (StarlingWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
conversation_row_activated_cb (StarlingWindow *self,
                               GtkListBoxRow  *row)
{
  adw_leaflet_set_visible_child (self->leaflet, self->content);
}

static void
new_chat_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  StarlingWindow *self = STARLING_WINDOW (widget);

  update_content (self);
  adw_leaflet_set_visible_child (self->leaflet, self->content);
}

static gboolean
starling_window_close_request (GtkWindow *window)
{
  StarlingWindow *self = STARLING_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  if (!gtk_window_is_maximized (window))
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_apply (self->settings);

  return GTK_WINDOW_CLASS (starling_window_parent_class)->close_request (window);
}

/* GtkWindow:application is set after constructed(), so this runs from _new(). */
static void
starling_window_setup (StarlingWindow *self)
{
  StarlingApplication *app = get_application (self);

  self->settings = g_object_ref (starling_application_get_settings (app));
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_signal_connect_object (app, "notify::has-api-key",
                           G_CALLBACK (has_api_key_changed_cb), self, G_CONNECT_SWAPPED);
  update_content (self);
}

static void
starling_window_dispose (GObject *object)
{
  StarlingWindow *self = STARLING_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), STARLING_TYPE_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (starling_window_parent_class)->dispose (object);
}

static void
starling_window_class_init (StarlingWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = starling_window_dispose;
  window_class->close_request = starling_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/starlingchat/Starling/ui/starling-window.ui");
  gtk_widget_class_bind_template_child (widget_class, StarlingWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, StarlingWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, StarlingWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, StarlingWindow, content);
  gtk_widget_class_bind_template_child (widget_class, StarlingWindow, conversation_list);
  gtk_widget_class_bind_template_child (widget_class, StarlingWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, StarlingWindow, content_stack);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, conversation_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "win.new-chat", NULL, new_chat_action);
}

static void
starling_window_init (StarlingWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

StarlingWindow *
starling_window_new (StarlingApplication *application)
{
  StarlingWindow *self;

  self = g_object_new (STARLING_TYPE_WINDOW,
                       "application", application,
                       NULL);
  starling_window_setup (self);

  return self;
}

void
starling_window_show_toast (StarlingWindow *self,
                            const char     *message)
{
  g_return_if_fail (STARLING_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

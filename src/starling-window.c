/* starling-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "starling-chat-view.h"
#include "starling-conversation.h"
#include "starling-export-dialogs.h"
#include "starling-gallery.h"
#include "starling-preferences-window.h"
#include "starling-setup-dialog.h"
#include "starling-sidebar.h"
#include "starling-window.h"

struct _StarlingWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  GListStore           *conversations;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar;
  GtkWidget            *content;
  StarlingSidebar      *conversation_sidebar;
  AdwWindowTitle       *content_title;
  GtkStack             *content_stack;
  GtkStack             *chat_stack;
  GtkRevealer          *demo_revealer;
};

G_DEFINE_FINAL_TYPE (StarlingWindow, starling_window, ADW_TYPE_APPLICATION_WINDOW)

static StarlingApplication *
get_application (StarlingWindow *self)
{
  return STARLING_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

static StarlingChatView *
get_visible_chat (StarlingWindow *self)
{
  GtkWidget *child = gtk_stack_get_visible_child (self->chat_stack);

  return child != NULL ? STARLING_CHAT_VIEW (child) : NULL;
}

static void
update_title (StarlingWindow *self)
{
  StarlingChatView *view = get_visible_chat (self);
  const char *title = NULL;

  if (view != NULL && g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "chat") == 0)
    title = starling_conversation_get_title (starling_chat_view_get_conversation (view));

  adw_window_title_set_title (self->content_title, title != NULL && *title != '\0' ? title : _("New Chat"));
}

static void
update_content (StarlingWindow *self)
{
  StarlingApplication *app = get_application (self);
  gboolean has_key = app != NULL && starling_application_has_api_key (app);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->chat_stack));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    starling_chat_view_set_can_send (STARLING_CHAT_VIEW (child), has_key);

  /* Without a key the welcome page explains what to do; chats stay readable once one exists. */
  if (!has_key && get_visible_chat (self) == NULL)
    gtk_stack_set_visible_child_name (self->content_stack, "no-key");
  else if (get_visible_chat (self) == NULL)
    gtk_stack_set_visible_child_name (self->content_stack, "empty");
  else
    gtk_stack_set_visible_child_name (self->content_stack, "chat");

  update_title (self);
}

static GtkWidget *
find_chat_view (StarlingWindow       *self,
                StarlingConversation *conversation)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->chat_stack));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (starling_chat_view_get_conversation (STARLING_CHAT_VIEW (child)) == conversation)
      return child;

  return NULL;
}

static void
conversation_title_cb (StarlingWindow *self)
{
  update_title (self);
}

static void conversation_busy_cb (StarlingWindow       *self,
                                  GParamSpec           *pspec,
                                  StarlingConversation *conversation);

static void
show_conversation (StarlingWindow       *self,
                   StarlingConversation *conversation)
{
  GtkWidget *view = find_chat_view (self, conversation);
  StarlingChatView *previous = get_visible_chat (self);

  /* A chat left with something typed keeps it as a draft; a new chat gets
   * into the list that way, or nothing would lead back to it. */
  if (previous != NULL && GTK_WIDGET (previous) != view)
    starling_chat_view_save_draft (previous);

  /* Each conversation keeps its own view, so a stream goes on while another is shown. */
  if (view == NULL)
    {
      view = starling_chat_view_new (conversation);
      gtk_stack_add_child (self->chat_stack, view);
      g_signal_connect_object (conversation, "notify::title",
                               G_CALLBACK (conversation_title_cb), self, G_CONNECT_SWAPPED);
    }

  gtk_stack_set_visible_child (self->chat_stack, view);
  update_content (self);

  /* Seen now; the one left answers in the background, if it does. */
  g_object_set_data (G_OBJECT (conversation), "starling-unread", NULL);
  conversation_busy_cb (self, NULL, conversation);
  if (previous != NULL && GTK_WIDGET (previous) != view)
    conversation_busy_cb (self, NULL, starling_chat_view_get_conversation (previous));

  starling_sidebar_select_conversation (self->conversation_sidebar, starling_conversation_get_id (conversation));

  adw_leaflet_set_visible_child (self->leaflet, self->content);
  starling_composer_focus (starling_chat_view_get_composer (STARLING_CHAT_VIEW (view)));
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
sidebar_activated_cb (StarlingWindow *self,
                      gint64          id)
{
  starling_window_open_conversation (self, id, 0);
}

static void
sidebar_result_cb (StarlingWindow *self,
                   gint64          conversation_id,
                   gint64          message_id,
                   const char     *query)
{
  starling_window_open_search_result (self, conversation_id, message_id, query);
}

static StarlingConversation *
find_open (StarlingWindow *self,
           gint64          id,
           guint          *position)
{
  for (guint i = 0; id != 0 && i < g_list_model_get_n_items (G_LIST_MODEL (self->conversations)); i++)
    {
      g_autoptr(StarlingConversation) open = g_list_model_get_item (G_LIST_MODEL (self->conversations), i);

      if (starling_conversation_get_id (open) == id)
        {
          if (position != NULL)
            *position = i;
          return open;
        }
    }

  return NULL;
}

static void
sidebar_deleted_cb (StarlingWindow *self,
                    gint64          id)
{
  StarlingConversation *conversation;
  GtkWidget *view;
  guint position;

  conversation = find_open (self, id, &position);
  if (conversation == NULL)
    return;

  /* A deleted chat stops answering and leaves the screen; Undo reopens it from the history. */
  starling_conversation_stop (conversation);
  view = find_chat_view (self, conversation);
  if (view != NULL)
    gtk_stack_remove (self->chat_stack, view);
  g_list_store_remove (self->conversations, position);
  update_content (self);
}

static void
sidebar_renamed_cb (StarlingWindow *self,
                    gint64          id,
                    const char     *title)
{
  StarlingConversation *conversation = find_open (self, id, NULL);

  if (conversation != NULL)
    starling_conversation_set_title (conversation, title);
  update_title (self);
}

/* The sidebar hears of changes from the history itself (a new title, a new
 * answer); the chat on screen stays selected in it. */
static void
conversation_changed_cb (StarlingWindow       *self,
                         GParamSpec           *pspec,
                         StarlingConversation *conversation)
{
  if (conversation == (get_visible_chat (self) != NULL ? starling_chat_view_get_conversation (get_visible_chat (self)) : NULL))
    starling_sidebar_select_conversation (self->conversation_sidebar, starling_conversation_get_id (conversation));
}

/* The sidebar shows which chats answer in the background, and which have
 * an answer the user has not seen. */
static void
conversation_busy_cb (StarlingWindow       *self,
                      GParamSpec           *pspec,
                      StarlingConversation *conversation)
{
  StarlingChatView *visible = get_visible_chat (self);
  gboolean shown = visible != NULL && starling_chat_view_get_conversation (visible) == conversation;
  gboolean busy = starling_conversation_get_busy (conversation);
  gboolean unread = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (conversation), "starling-unread"));

  /* An answer that ended while the user was in another chat. */
  if (!busy && !shown && pspec != NULL && g_str_equal (pspec->name, "busy"))
    unread = TRUE;
  g_object_set_data (G_OBJECT (conversation), "starling-unread", GINT_TO_POINTER (unread));
  /* The chat on screen shows its own answer coming: no spinner for it, which
   * would redraw the window every frame while it streams. */
  starling_sidebar_set_conversation_activity (self->conversation_sidebar, starling_conversation_get_id (conversation),
                                              busy && !shown, unread);
}

static void
track_conversation (StarlingWindow       *self,
                    StarlingConversation *conversation)
{
  g_signal_connect_object (conversation, "notify::busy", G_CALLBACK (conversation_busy_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (conversation, "notify::id", G_CALLBACK (conversation_busy_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (conversation, "notify::id", G_CALLBACK (conversation_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (conversation, "notify::title", G_CALLBACK (conversation_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (conversation, "notify::busy", G_CALLBACK (conversation_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (conversation, "notify::draft", G_CALLBACK (conversation_changed_cb), self, G_CONNECT_SWAPPED);
}

/* Alt+Up and Alt+Down: the conversation above or below in the list. */
static void
adjacent_conversation_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  StarlingWindow *self = STARLING_WINDOW (widget);
  StarlingChatView *view = get_visible_chat (self);
  gint64 current = view != NULL ? starling_conversation_get_id (starling_chat_view_get_conversation (view)) : 0;
  int direction = g_str_equal (action_name, "win.previous-conversation") ? -1 : 1;
  gint64 id = starling_sidebar_get_adjacent_conversation (self->conversation_sidebar, current, direction);

  if (id != 0)
    starling_window_open_conversation (self, id, 0);
}

static void
setup_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  StarlingWindow *self = STARLING_WINDOW (widget);

  starling_setup_dialog_present (GTK_WINDOW (self), get_application (self));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  StarlingWindow *self = STARLING_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  starling_sidebar_start_global_search (self->conversation_sidebar);
}

/* Ctrl+F from anywhere in the window, not only from the list. */
static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  StarlingWindow *self = STARLING_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  starling_sidebar_start_search (self->conversation_sidebar);
}

static void
imported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(StarlingWindow) self = user_data;
  gint64 id = starling_import_with_dialog_finish (result, NULL);

  if (id > 0)
    {
      starling_sidebar_conversation_changed (self->conversation_sidebar, id);
      starling_window_open_conversation (self, id, 0);
    }
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  StarlingWindow *self = STARLING_WINDOW (widget);
  StarlingStore *store = starling_application_get_store (get_application (self));

  if (store != NULL)
    starling_import_with_dialog (GTK_WINDOW (self), store, NULL, imported_cb, g_object_ref (self));
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  StarlingWindow *self = STARLING_WINDOW (widget);
  StarlingStore *store = starling_application_get_store (get_application (self));
  StarlingChatView *view = get_visible_chat (self);
  gint64 id = view != NULL ? starling_conversation_get_id (starling_chat_view_get_conversation (view)) : 0;

  if (store == NULL || id == 0)
    {
      starling_window_show_toast (self, _("Open a conversation with messages to export it"));
      return;
    }
  starling_export_conversation_with_dialog (GTK_WINDOW (self), store, id);
}

static void
export_all_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  StarlingWindow *self = STARLING_WINDOW (widget);
  StarlingStore *store = starling_application_get_store (get_application (self));

  if (store != NULL)
    starling_export_all_with_dialog (GTK_WINDOW (self), store);
}

static void
gallery_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  StarlingWindow *self = STARLING_WINDOW (widget);
  StarlingStore *store = starling_application_get_store (get_application (self));

  if (store != NULL)
    gtk_window_present (GTK_WINDOW (starling_gallery_new (GTK_WINDOW (self), store)));
}

static void
new_chat_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  StarlingWindow *self = STARLING_WINDOW (widget);
  StarlingApplication *app = get_application (self);
  StarlingChatView *current = get_visible_chat (self);
  g_autoptr(StarlingConversation) conversation = NULL;
  g_autofree char *model = NULL;

  if (!starling_application_has_api_key (app))
    {
      update_content (self);
      adw_leaflet_set_visible_child (self->leaflet, self->content);
      return;
    }

  /* An untouched chat is reused rather than piling up empty ones. */
  if (current != NULL &&
      g_list_model_get_n_items (starling_conversation_get_messages (starling_chat_view_get_conversation (current))) == 0)
    {
      show_conversation (self, starling_chat_view_get_conversation (current));
      return;
    }

  {
    g_autoptr(GemGenerationSettings) defaults = starling_preferences_new_default_settings (self->settings);

    model = g_strdup (defaults->model);
    conversation = starling_conversation_new_for_store (starling_application_get_client (app),
                                                        starling_application_get_store (app), model);
    starling_conversation_set_settings (conversation, defaults);
    starling_conversation_set_stream (conversation, g_settings_get_boolean (self->settings, "stream-answers"));
  }
  g_list_store_insert (self->conversations, 0, conversation);
  track_conversation (self, conversation);
  show_conversation (self, conversation);
}

static gboolean
starling_window_close_request (GtkWindow *window)
{
  StarlingWindow *self = STARLING_WINDOW (window);
  int width, height;

  /* What is typed in any chat stays for next time. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->chat_stack));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    starling_chat_view_save_draft (STARLING_CHAT_VIEW (child));

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

  {
    g_autofree char *notice = starling_application_dup_store_notice (app);

    /* A history that could not be read was kept aside: say so once. */
    if (notice != NULL)
      {
        AdwToast *toast = adw_toast_new (notice);

        adw_toast_set_timeout (toast, 0);
        adw_toast_overlay_add_toast (self->toast_overlay, toast);
      }
  }

  starling_sidebar_set_toast_overlay (self->conversation_sidebar, self->toast_overlay);
  starling_sidebar_set_store (self->conversation_sidebar, starling_application_get_store (app));

  gtk_widget_set_visible (GTK_WIDGET (self->demo_revealer), starling_application_get_demo (app));
  gtk_revealer_set_reveal_child (self->demo_revealer, starling_application_get_demo (app));

  g_signal_connect_object (app, "notify::has-api-key",
                           G_CALLBACK (has_api_key_changed_cb), self, G_CONNECT_SWAPPED);
  update_content (self);
}

static void
starling_window_dispose (GObject *object)
{
  StarlingWindow *self = STARLING_WINDOW (object);

  /* The chats going away may still tell of a change (a draft written as
   * their views go): the sidebar goes first, so stop listening now. */
  for (guint i = 0; self->conversations != NULL && i < g_list_model_get_n_items (G_LIST_MODEL (self->conversations)); i++)
    {
      g_autoptr(StarlingConversation) conversation = g_list_model_get_item (G_LIST_MODEL (self->conversations), i);

      g_signal_handlers_disconnect_by_data (conversation, self);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), STARLING_TYPE_WINDOW);
  g_clear_object (&self->settings);
  if (self->conversations != NULL)
    {
      /* Closing the window cancels its requests. */
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->conversations)); i++)
        {
          g_autoptr(StarlingConversation) conversation = g_list_model_get_item (G_LIST_MODEL (self->conversations), i);

          starling_conversation_stop (conversation);
        }
    }
  g_clear_object (&self->conversations);

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
  gtk_widget_class_bind_template_child (widget_class, StarlingWindow, conversation_sidebar);
  gtk_widget_class_bind_template_child (widget_class, StarlingWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, StarlingWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, StarlingWindow, chat_stack);
  gtk_widget_class_bind_template_child (widget_class, StarlingWindow, demo_revealer);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, sidebar_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, sidebar_result_cb);
  gtk_widget_class_bind_template_callback (widget_class, sidebar_deleted_cb);
  gtk_widget_class_bind_template_callback (widget_class, sidebar_renamed_cb);

  gtk_widget_class_install_action (widget_class, "win.new-chat", NULL, new_chat_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.setup", NULL, setup_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.export-all", NULL, export_all_action);
  gtk_widget_class_install_action (widget_class, "win.gallery", NULL, gallery_action);
  gtk_widget_class_install_action (widget_class, "win.previous-conversation", NULL, adjacent_conversation_action);
  gtk_widget_class_install_action (widget_class, "win.next-conversation", NULL, adjacent_conversation_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "win.previous-conversation", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK, "win.next-conversation", NULL);
  gtk_widget_class_install_action (widget_class, "win.find", NULL, find_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.find", NULL);
}

static void
starling_window_init (StarlingWindow *self)
{
  g_type_ensure (STARLING_TYPE_SIDEBAR);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->conversations = g_list_store_new (STARLING_TYPE_CONVERSATION);
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

/* Opens a conversation from the history (or shows it, when already open),
 * scrolled to @message_id when that is not 0. */
gboolean
starling_window_open_conversation (StarlingWindow *self,
                                   gint64          id,
                                   gint64          message_id)
{
  return starling_window_open_search_result (self, id, message_id, NULL);
}

/* Opens a conversation scrolled to @message_id, with @query's words highlighted. */
gboolean
starling_window_open_search_result (StarlingWindow *self,
                                    gint64          id,
                                    gint64          message_id,
                                    const char     *query)
{
  StarlingApplication *app;
  g_autoptr(StarlingConversation) conversation = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *view;

  g_return_val_if_fail (STARLING_IS_WINDOW (self), FALSE);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->conversations)); i++)
    {
      g_autoptr(StarlingConversation) open = g_list_model_get_item (G_LIST_MODEL (self->conversations), i);

      if (starling_conversation_get_id (open) == id)
        {
          conversation = g_steal_pointer (&open);
          break;
        }
    }

  if (conversation == NULL)
    {
      app = get_application (self);
      if (starling_application_get_store (app) == NULL)
        return FALSE;

      conversation = starling_conversation_load (starling_application_get_client (app),
                                                 starling_application_get_store (app), id, &error);
      if (conversation == NULL)
        {
          /* Translators: %s says why */
          g_autofree char *message = g_strdup_printf (_("The conversation could not be opened: %s"), error->message);

          starling_window_show_toast (self, message);
          return FALSE;
        }
      g_list_store_insert (self->conversations, 0, conversation);
      track_conversation (self, conversation);
    }

  show_conversation (self, conversation);
  view = find_chat_view (self, conversation);
  if (view != NULL && message_id != 0)
    starling_chat_view_reveal_message (STARLING_CHAT_VIEW (view), message_id, query);

  return TRUE;
}

void
starling_window_search_for (StarlingWindow *self,
                            const char     *text)
{
  g_return_if_fail (STARLING_IS_WINDOW (self));

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  starling_sidebar_search_for (self->conversation_sidebar, text);
}

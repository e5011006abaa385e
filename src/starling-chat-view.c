/* starling-chat-view.c: a conversation on screen, and the composer under it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "starling-chat-view.h"
#include "starling-message-row.h"
#include "starling-model-list.h"
#include "starling-settings-chips.h"

/* The list box shows a window of the newest messages; older pages join at the top. */
#define WINDOW_SIZE 24
#define PAGE_SIZE   24
#define STICKY_SLACK_PX 24.0

struct _StarlingChatView
{
  GtkWidget             parent_instance;

  StarlingConversation *conversation;
  GtkSliceListModel    *slice;
  double                upper_before_prepend;
  gulong                prepend_handler;
  guint                 sticky : 1;
  guint                 scrolling : 1;

  GtkScrolledWindow    *scroller;
  GtkListBox           *message_list;
  GtkRevealer          *jump_revealer;
  StarlingComposer     *composer;
  StarlingSettingsChips *settings_chips;
  guint                 save_settings_source;
};

G_DEFINE_FINAL_TYPE (StarlingChatView, starling_chat_view, GTK_TYPE_WIDGET)

static GtkAdjustment *
get_vadjustment (StarlingChatView *self)
{
  return gtk_scrolled_window_get_vadjustment (self->scroller);
}

static gboolean
is_at_bottom (StarlingChatView *self)
{
  GtkAdjustment *adj = get_vadjustment (self);

  return gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj)
         >= gtk_adjustment_get_upper (adj) - STICKY_SLACK_PX;
}

static void
set_sticky (StarlingChatView *self,
            gboolean          sticky)
{
  self->sticky = !!sticky;
  gtk_revealer_set_reveal_child (self->jump_revealer, !sticky);
}

static void
scroll_to_end (StarlingChatView *self)
{
  GtkAdjustment *adj = get_vadjustment (self);

  self->scrolling = TRUE;
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
  self->scrolling = FALSE;
}

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  StarlingChatView *self = user_data;

  return starling_message_row_new (STARLING_MESSAGE (item), self->conversation);
}

static void
restore_after_prepend_cb (StarlingChatView *self)
{
  GtkAdjustment *adj = get_vadjustment (self);
  double grown = gtk_adjustment_get_upper (adj) - self->upper_before_prepend;

  g_clear_signal_handler (&self->prepend_handler, adj);
  if (grown > 0)
    {
      self->scrolling = TRUE;
      gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) + grown);
      self->scrolling = FALSE;
    }
}

/* Older messages join at the top without moving what the user reads. */
static void
load_older_page (StarlingChatView *self)
{
  guint offset = gtk_slice_list_model_get_offset (self->slice);
  guint step = MIN (offset, PAGE_SIZE);
  GtkAdjustment *adj = get_vadjustment (self);

  if (step == 0 || self->prepend_handler != 0)
    return;

  self->upper_before_prepend = gtk_adjustment_get_upper (adj);
  self->prepend_handler = g_signal_connect_swapped (adj, "notify::upper",
                                                    G_CALLBACK (restore_after_prepend_cb), self);
  gtk_slice_list_model_set_size (self->slice, gtk_slice_list_model_get_size (self->slice) + step);
  gtk_slice_list_model_set_offset (self->slice, offset - step);
}

/* Back at the newest messages, rows far above are dropped again. */
static void
trim_window (StarlingChatView *self)
{
  GListModel *messages = starling_conversation_get_messages (self->conversation);
  guint n = g_list_model_get_n_items (messages);

  if (gtk_slice_list_model_get_size (self->slice) <= WINDOW_SIZE)
    return;

  gtk_slice_list_model_set_offset (self->slice, n > WINDOW_SIZE ? n - WINDOW_SIZE : 0);
  gtk_slice_list_model_set_size (self->slice, WINDOW_SIZE);
}

static void
value_changed_cb (StarlingChatView *self,
                  GtkAdjustment    *adj)
{
  if (self->scrolling)
    return;

  set_sticky (self, is_at_bottom (self));
  if (self->sticky)
    trim_window (self);
  else if (gtk_adjustment_get_value (adj) < gtk_adjustment_get_page_size (adj))
    load_older_page (self);
}

/* Content grew (a delta, a new row): follow it when the user is at the end. */
static void
adjustment_changed_cb (StarlingChatView *self)
{
  if (self->sticky)
    scroll_to_end (self);
}

static void
messages_changed_cb (StarlingChatView *self,
                     guint             position,
                     guint             removed,
                     guint             added,
                     GListModel       *messages)
{
  guint n = g_list_model_get_n_items (messages);
  guint offset = gtk_slice_list_model_get_offset (self->slice);
  guint size = gtk_slice_list_model_get_size (self->slice);

  /* Keep the newest messages in the window as the conversation grows. */
  if (n > offset + size)
    gtk_slice_list_model_set_offset (self->slice, n - size);
}

static void
busy_changed_cb (StarlingChatView *self)
{
  starling_composer_set_busy (self->composer, starling_conversation_get_busy (self->conversation));
}

static gboolean save_settings_cb (gpointer user_data);

static void
composer_send_cb (StarlingChatView *self)
{
  g_autofree char *text = starling_composer_dup_text (self->composer);
  g_autoptr(GPtrArray) attachments = starling_composer_dup_attachments (self->composer);

  /* The settings go out as they are on screen, even if typed a moment ago. */
  if (self->save_settings_source != 0)
    {
      g_clear_handle_id (&self->save_settings_source, g_source_remove);
      save_settings_cb (self);
    }

  starling_composer_clear (self->composer);
  set_sticky (self, TRUE);
  starling_conversation_send (self->conversation, text, attachments);
  scroll_to_end (self);
}

static gboolean
save_settings_cb (gpointer user_data)
{
  StarlingChatView *self = user_data;

  self->save_settings_source = 0;
  starling_conversation_set_settings (self->conversation, starling_settings_chips_get_settings (self->settings_chips));
  return G_SOURCE_REMOVE;
}

/* Typing in a settings field changes them on every key: saved once it settles. */
static void
settings_changed_cb (StarlingChatView *self)
{
  g_clear_handle_id (&self->save_settings_source, g_source_remove);
  self->save_settings_source = g_timeout_add (300, save_settings_cb, self);
}

static void
composer_stop_cb (StarlingChatView *self)
{
  starling_conversation_stop (self->conversation);
}

static void
jump_to_latest_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  starling_chat_view_scroll_to_bottom (STARLING_CHAT_VIEW (widget));
}

static void
starling_chat_view_dispose (GObject *object)
{
  StarlingChatView *self = STARLING_CHAT_VIEW (object);

  if (self->save_settings_source != 0)
    {
      g_clear_handle_id (&self->save_settings_source, g_source_remove);
      save_settings_cb (self);
    }
  if (self->scroller != NULL)
    g_clear_signal_handler (&self->prepend_handler, get_vadjustment (self));
  if (self->conversation != NULL)
    {
      g_signal_handlers_disconnect_by_data (starling_conversation_get_messages (self->conversation), self);
      g_signal_handlers_disconnect_by_data (self->conversation, self);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), STARLING_TYPE_CHAT_VIEW);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->slice);
  g_clear_object (&self->conversation);

  G_OBJECT_CLASS (starling_chat_view_parent_class)->dispose (object);
}

static void
starling_chat_view_class_init (StarlingChatViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = starling_chat_view_dispose;

  g_type_ensure (STARLING_TYPE_COMPOSER);
  g_type_ensure (STARLING_TYPE_SETTINGS_CHIPS);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/starlingchat/Starling/ui/starling-chat-view.ui");
  gtk_widget_class_bind_template_child (widget_class, StarlingChatView, scroller);
  gtk_widget_class_bind_template_child (widget_class, StarlingChatView, message_list);
  gtk_widget_class_bind_template_child (widget_class, StarlingChatView, jump_revealer);
  gtk_widget_class_bind_template_child (widget_class, StarlingChatView, composer);
  gtk_widget_class_bind_template_child (widget_class, StarlingChatView, settings_chips);
  gtk_widget_class_bind_template_callback (widget_class, composer_send_cb);
  gtk_widget_class_bind_template_callback (widget_class, composer_stop_cb);
  gtk_widget_class_bind_template_callback (widget_class, settings_changed_cb);

  gtk_widget_class_install_action (widget_class, "chat.jump-to-latest", NULL, jump_to_latest_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, GDK_CONTROL_MASK, "chat.jump-to-latest", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "chatview");
}

static void
starling_chat_view_init (StarlingChatView *self)
{
  GtkAdjustment *adj;
  GtkWidget *placeholder;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->sticky = TRUE;

  placeholder = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (placeholder), "io.github.starlingchat.Starling-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (placeholder), _("Ask Gemini Anything"));
  adw_status_page_set_description (ADW_STATUS_PAGE (placeholder),
                                   _("Type below and press Enter. Attach images, PDFs or text files with the clip button or by dropping them here."));
  gtk_widget_add_css_class (placeholder, "compact");
  gtk_list_box_set_placeholder (self->message_list, placeholder);

  adj = get_vadjustment (self);
  g_signal_connect_object (adj, "value-changed", G_CALLBACK (value_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adj, "changed", G_CALLBACK (adjustment_changed_cb), self, G_CONNECT_SWAPPED);
}

GtkWidget *
starling_chat_view_new (StarlingConversation *conversation)
{
  StarlingChatView *self;
  GListModel *messages;
  guint n;

  g_return_val_if_fail (STARLING_IS_CONVERSATION (conversation), NULL);

  self = g_object_new (STARLING_TYPE_CHAT_VIEW, NULL);
  self->conversation = g_object_ref (conversation);

  messages = starling_conversation_get_messages (conversation);
  n = g_list_model_get_n_items (messages);
  self->slice = gtk_slice_list_model_new (g_object_ref (messages), n > WINDOW_SIZE ? n - WINDOW_SIZE : 0, WINDOW_SIZE);
  g_signal_connect_object (messages, "items-changed", G_CALLBACK (messages_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_list_box_bind_model (self->message_list, G_LIST_MODEL (self->slice), create_row_cb, self, NULL);

  g_signal_connect_object (conversation, "notify::busy", G_CALLBACK (busy_changed_cb), self, G_CONNECT_SWAPPED);
  busy_changed_cb (self);

  starling_settings_chips_set_model_list (self->settings_chips,
                                          starling_model_list_get_for_client (starling_conversation_get_client (conversation)));
  g_signal_handlers_block_by_func (self->settings_chips, settings_changed_cb, self);
  starling_settings_chips_set_settings (self->settings_chips, starling_conversation_get_settings (conversation));
  g_signal_handlers_unblock_by_func (self->settings_chips, settings_changed_cb, self);

  return GTK_WIDGET (self);
}

StarlingConversation *
starling_chat_view_get_conversation (StarlingChatView *self)
{
  g_return_val_if_fail (STARLING_IS_CHAT_VIEW (self), NULL);

  return self->conversation;
}

StarlingComposer *
starling_chat_view_get_composer (StarlingChatView *self)
{
  g_return_val_if_fail (STARLING_IS_CHAT_VIEW (self), NULL);

  return self->composer;
}

GtkListBox *
starling_chat_view_get_list (StarlingChatView *self)
{
  g_return_val_if_fail (STARLING_IS_CHAT_VIEW (self), NULL);

  return self->message_list;
}

gboolean
starling_chat_view_get_sticky (StarlingChatView *self)
{
  g_return_val_if_fail (STARLING_IS_CHAT_VIEW (self), FALSE);

  return self->sticky;
}

void
starling_chat_view_set_can_send (StarlingChatView *self,
                                 gboolean          can_send)
{
  g_return_if_fail (STARLING_IS_CHAT_VIEW (self));

  starling_composer_set_can_send (self->composer, can_send);
}

void
starling_chat_view_scroll_to_bottom (StarlingChatView *self)
{
  g_return_if_fail (STARLING_IS_CHAT_VIEW (self));

  set_sticky (self, TRUE);
  trim_window (self);
  scroll_to_end (self);
}

static gboolean
scroll_to_row_cb (gpointer user_data)
{
  GtkWidget *row = user_data;
  GtkWidget *view = gtk_widget_get_ancestor (row, STARLING_TYPE_CHAT_VIEW);
  graphene_point_t point;

  if (view != NULL &&
      gtk_widget_compute_point (row, GTK_WIDGET (STARLING_CHAT_VIEW (view)->message_list),
                                &GRAPHENE_POINT_INIT (0, 0), &point))
    {
      StarlingChatView *self = STARLING_CHAT_VIEW (view);

      set_sticky (self, FALSE);
      self->scrolling = TRUE;
      gtk_adjustment_set_value (get_vadjustment (self), MAX (0, point.y - 24));
      self->scrolling = FALSE;
      gtk_widget_grab_focus (row);
    }

  g_object_unref (row);
  return G_SOURCE_REMOVE;
}

/* Marks every occurrence of the search's words in the row's text. */
static void
highlight_words (GtkWidget  *widget,
                 GStrv       words)
{
  if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);
      GtkTextTag *tag = gtk_text_tag_table_lookup (table, "starling-search-match");

      if (tag == NULL)
        {
          tag = gtk_text_tag_new ("starling-search-match");
          g_object_set (tag, "background", "#f8e45c", "foreground", "#241f31", NULL);
          gtk_text_tag_table_add (table, tag);
          g_object_unref (tag);
        }

      for (guint i = 0; words[i] != NULL; i++)
        {
          GtkTextIter iter, start, end;

          if (*words[i] == '\0')
            continue;
          gtk_text_buffer_get_start_iter (buffer, &iter);
          while (gtk_text_iter_forward_search (&iter, words[i], GTK_TEXT_SEARCH_CASE_INSENSITIVE | GTK_TEXT_SEARCH_VISIBLE_ONLY,
                                               &start, &end, NULL))
            {
              gtk_text_buffer_apply_tag (buffer, tag, &start, &end);
              iter = end;
            }
        }
      return;
    }

  if (GTK_IS_LABEL (widget) && gtk_label_get_selectable (GTK_LABEL (widget)))
    {
      g_autofree char *text = g_utf8_casefold (gtk_label_get_text (GTK_LABEL (widget)), -1);

      /* A label shows one selection: the first word found. */
      for (guint i = 0; words[i] != NULL; i++)
        {
          g_autofree char *word = g_utf8_casefold (words[i], -1);
          const char *at = *word != '\0' ? strstr (text, word) : NULL;

          if (at != NULL)
            {
              int start = (int) g_utf8_pointer_to_offset (text, at);

              gtk_label_select_region (GTK_LABEL (widget), start, start + (int) g_utf8_strlen (word, -1));
              break;
            }
        }
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    highlight_words (child, words);
}

/* Shows a message found by search: paged in if needed, scrolled to, its
 * matches highlighted. */
void
starling_chat_view_reveal_message (StarlingChatView *self,
                                   gint64            message_id,
                                   const char       *query)
{
  guint position, offset;
  GtkListBoxRow *row;

  g_return_if_fail (STARLING_IS_CHAT_VIEW (self));

  position = starling_conversation_find_message (self->conversation, message_id);
  if (position == G_MAXUINT)
    return;

  offset = gtk_slice_list_model_get_offset (self->slice);
  if (position < offset)
    {
      gtk_slice_list_model_set_size (self->slice, gtk_slice_list_model_get_size (self->slice) + (offset - position));
      gtk_slice_list_model_set_offset (self->slice, position);
      offset = position;
    }

  row = gtk_list_box_get_row_at_index (self->message_list, position - offset);
  if (row == NULL)
    return;

  gtk_widget_add_css_class (GTK_WIDGET (row), "found");
  if (query != NULL && *query != '\0')
    {
      g_auto(GStrv) words = g_str_tokenize_and_fold (query, NULL, NULL);

      highlight_words (GTK_WIDGET (row), words);
    }
  /* After layout, so the row has its place. */
  g_timeout_add (50, scroll_to_row_cb, g_object_ref (row));
}

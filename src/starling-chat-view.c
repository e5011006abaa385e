/* starling-chat-view.c: a conversation on screen, and the composer under it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "starling-chat-view.h"
#include "starling-message-row.h"
#include "starling-model-list.h"
#include "starling-range-model.h"
#include "starling-settings-chips.h"

/* The list box shows a window of the newest messages; older pages join at the top. */
#define WINDOW_SIZE 24
#define PAGE_SIZE   24
/* A conversation opens with the rows that fill a window; the rest of the
 * window joins a few rows a frame, above what is already on screen. */
#define FIRST_ROWS  6
#define FILL_STEP   4
#define STICKY_SLACK_PX 24.0

struct _StarlingChatView
{
  GtkWidget             parent_instance;

  StarlingConversation *conversation;
  StarlingRangeModel   *range;
  guint                 fill_id;
  gint64                first_frame;
  GtkWidget            *anchor;          /* a row that must stay put on screen */
  double                anchor_y;        /* where it is: its y in the list minus the scroll value */
  GdkFrameClock        *anchor_clock;
  gulong                anchor_handler;
  gboolean              place_next_frame;
  GdkFrameClock        *check_clock;     /* checks the list's place and height after each layout */
  gulong                check_handler;
  gint64                checked_frame;
  guint                 stale_frames;    /* frames in a row found out of place */
  guint                 sticky : 1;
  guint                 scrolling : 1;

  GtkScrolledWindow    *scroller;
  GtkListBox           *message_list;
  GtkRevealer          *jump_revealer;
  StarlingComposer     *composer;
  StarlingSettingsChips *settings_chips;
  guint                 save_settings_source;
  guint                 save_draft_source;
  guint                 place_tick_id;
  GtkWidget            *placeholder;
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

/* A frame clock drops its handlers when its window goes, before we do. */
static void
disconnect_from_clock (GdkFrameClock **clock,
                       gulong         *handler)
{
  if (*clock != NULL && *handler != 0 && g_signal_handler_is_connected (*clock, *handler))
    g_signal_handler_disconnect (*clock, *handler);
  *handler = 0;
  g_clear_object (clock);
}

static void
stop_keeping_place (StarlingChatView *self)
{
  disconnect_from_clock (&self->anchor_clock, &self->anchor_handler);
  g_clear_weak_pointer (&self->anchor);
}

/* After each layout while rows join above (their texts may take a few
 * frames to reach their heights), the anchor row goes back where it was. A
 * value set here is laid out again in the same frame. */
static void
keep_place_cb (GdkFrameClock    *clock,
               StarlingChatView *self)
{
  GtkAdjustment *adj = get_vadjustment (self);
  graphene_point_t point;
  double value;

  if (self->anchor == NULL ||
      !gtk_widget_compute_point (self->anchor, GTK_WIDGET (self->message_list), &GRAPHENE_POINT_INIT (0, 0), &point))
    return;

  value = point.y - self->anchor_y;
  if (ABS (value - gtk_adjustment_get_value (adj)) < 0.5)
    return;

  self->scrolling = TRUE;
  gtk_adjustment_set_value (adj, value);
  self->scrolling = FALSE;
}

static void
keep_place (StarlingChatView *self)
{
  GtkWidget *first = GTK_WIDGET (gtk_list_box_get_row_at_index (self->message_list, 0));
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  graphene_point_t point;

  stop_keeping_place (self);
  if (first == NULL || clock == NULL ||
      !gtk_widget_compute_point (first, GTK_WIDGET (self->message_list), &GRAPHENE_POINT_INIT (0, 0), &point))
    return;

  g_set_weak_pointer (&self->anchor, first);
  self->anchor_y = point.y - gtk_adjustment_get_value (get_vadjustment (self));
  self->anchor_clock = g_object_ref (clock);
  /* Until the user scrolls: while the new rows settle, and if rows below
   * grow (an answer streaming), what the user reads stays put. */
  self->anchor_handler = g_signal_connect_after (clock, "layout", G_CALLBACK (keep_place_cb), self);
}

/* Older messages join at the top without moving what the user reads. */
static gboolean
prepend_rows (StarlingChatView *self,
              guint             count)
{
  guint start = starling_range_model_get_start (self->range);
  guint step = MIN (start, count);

  if (step == 0)
    return FALSE;

  /* At the bottom, the view follows the end anyway. */
  if (!self->sticky)
    keep_place (self);
  starling_range_model_set_range (self->range, start - step, starling_range_model_get_end (self->range));

  return TRUE;
}

static void
load_older_page (StarlingChatView *self)
{
  prepend_rows (self, PAGE_SIZE);
}

/* Back at the newest messages, rows far above are dropped again. */
static void
trim_window (StarlingChatView *self)
{
  guint start = starling_range_model_get_start (self->range);
  guint end = starling_range_model_get_end (self->range);

  if (end - start <= WINDOW_SIZE)
    return;

  starling_range_model_set_range (self->range, end - WINDOW_SIZE, end);
}

/* The frames after the first one bring the rest of the window, FILL_STEP rows at a time. */
static gboolean
fill_tick_cb (GtkWidget     *widget,
              GdkFrameClock *frame_clock,
              gpointer       user_data)
{
  StarlingChatView *self = STARLING_CHAT_VIEW (widget);
  gint64 frame = gdk_frame_clock_get_frame_counter (frame_clock);
  guint start = starling_range_model_get_start (self->range);
  guint end = starling_range_model_get_end (self->range);

  if (self->first_frame == 0)
    self->first_frame = frame;
  if (frame == self->first_frame)
    return G_SOURCE_CONTINUE;

  if (start == 0 || end - start >= WINDOW_SIZE)
    {
      self->fill_id = 0;
      return G_SOURCE_REMOVE;
    }

  prepend_rows (self, MIN (FILL_STEP, WINDOW_SIZE - (end - start)));

  return G_SOURCE_CONTINUE;
}

static void
value_changed_cb (StarlingChatView *self,
                  GtkAdjustment    *adj)
{
  if (self->scrolling)
    return;

  stop_keeping_place (self);
  set_sticky (self, is_at_bottom (self));
  if (self->sticky)
    trim_window (self);
  else if (gtk_adjustment_get_value (adj) < gtk_adjustment_get_page_size (adj))
    load_older_page (self);
}

static gboolean
place_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  StarlingChatView *self = STARLING_CHAT_VIEW (widget);

  self->place_tick_id = 0;
  if (self->place_next_frame)
    {
      self->place_next_frame = FALSE;
      gtk_widget_queue_resize (GTK_WIDGET (self->message_list));
    }
  return G_SOURCE_REMOVE;
}

#define MAX_STALE_FRAMES 3

/* After each layout, whether the list is where the scroll bar says, and as
 * tall as its messages: in GTK 4.8 a message that grew while it was being
 * placed, or a scroll value set while the viewport was being allocated, can
 * leave either out of date until something else changes (the scroll bar at
 * the end and the last lines drawn below the view, or out of reach). Each
 * is put right once in a frame, and again in the next one if need be: GDK
 * gives up on a frame whose layout keeps being asked for. */
static void
check_placement_cb (GdkFrameClock    *clock,
                    StarlingChatView *self)
{
  GtkWidget *list = GTK_WIDGET (self->message_list);
  GtkWidget *viewport = gtk_scrolled_window_get_child (self->scroller);
  GtkWidget *last = gtk_widget_get_last_child (list);
  gint64 frame = gdk_frame_clock_get_frame_counter (clock);
  graphene_rect_t bounds;
  gboolean stale_height = FALSE;
  gboolean stale_place = FALSE;

  if (last != NULL && gtk_widget_get_visible (last) && gtk_widget_compute_bounds (last, list, &bounds))
    stale_height = bounds.origin.y + bounds.size.height > gtk_widget_get_height (list) + 0.5;
  /* The viewport places the list at the scroll value cut to whole pixels. */
  if (gtk_widget_compute_bounds (list, viewport, &bounds))
    stale_place = fabs (bounds.origin.y - (double) (int) -gtk_adjustment_get_value (get_vadjustment (self))) > 0.5;
  if (!stale_height && !stale_place)
    {
      self->stale_frames = 0;
      return;
    }

  /* Something that does not go away: not worth a layout every frame. */
  if (self->stale_frames > MAX_STALE_FRAMES)
    return;

  if (frame == self->checked_frame)
    {
      /* already once in this frame: the next one */
      self->place_next_frame = TRUE;
      if (self->place_tick_id == 0)
        self->place_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), place_tick_cb, NULL, NULL);
      return;
    }
  self->checked_frame = frame;
  self->stale_frames++;
  gtk_widget_queue_resize (list);
}

static void
starling_chat_view_map (GtkWidget *widget)
{
  StarlingChatView *self = STARLING_CHAT_VIEW (widget);

  GTK_WIDGET_CLASS (starling_chat_view_parent_class)->map (widget);

  disconnect_from_clock (&self->check_clock, &self->check_handler);
  self->check_clock = gtk_widget_get_frame_clock (widget);
  if (self->check_clock != NULL)
    {
      g_object_ref (self->check_clock);
      self->check_handler = g_signal_connect_after (self->check_clock, "layout",
                                                    G_CALLBACK (check_placement_cb), self);
    }
}

static void
starling_chat_view_unmap (GtkWidget *widget)
{
  StarlingChatView *self = STARLING_CHAT_VIEW (widget);

  disconnect_from_clock (&self->check_clock, &self->check_handler);

  GTK_WIDGET_CLASS (starling_chat_view_parent_class)->unmap (widget);
}

/* Content grew (a delta, a new row): follow it when the user is at the end.
 * The viewport reports the new height while it is being allocated; if GTK
 * 4.8 leaves the list placed for the old value, check_placement_cb() puts
 * it right after the layout. */
static void
adjustment_changed_cb (StarlingChatView *self)
{
  if (self->sticky)
    scroll_to_end (self);
}

static void update_placeholder (StarlingChatView *self);

static void
messages_changed_cb (StarlingChatView *self,
                     guint             position,
                     guint             removed,
                     guint             added,
                     GListModel       *messages)
{
  /* New turns joined the window (it follows the end); at the bottom, the
   * rows that went out of sight above leave it. */
  if (self->sticky && self->fill_id == 0)
    trim_window (self);
  update_placeholder (self);
}

static gboolean
drop_cb (StarlingChatView *self,
         const GValue     *value,
         double            x,
         double            y)
{
  return starling_composer_add_dropped (self->composer, value);
}

static void
update_placeholder (StarlingChatView *self)
{
  GListModel *messages = starling_conversation_get_messages (self->conversation);

  gtk_widget_set_visible (self->placeholder, g_list_model_get_n_items (messages) == 0);
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
  g_clear_handle_id (&self->save_draft_source, g_source_remove);
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

/* The model was changed in code (or by a command): the chips follow, unless
 * the user's own change is still waiting to be saved. */
static void
conversation_model_changed_cb (StarlingChatView *self)
{
  const GemGenerationSettings *shown = starling_settings_chips_get_settings (self->settings_chips);
  const GemGenerationSettings *settings = starling_conversation_get_settings (self->conversation);

  if (self->save_settings_source != 0 || g_strcmp0 (shown->model, settings->model) == 0)
    return;

  g_signal_handlers_block_by_func (self->settings_chips, settings_changed_cb, self);
  starling_settings_chips_set_settings (self->settings_chips, settings);
  g_signal_handlers_unblock_by_func (self->settings_chips, settings_changed_cb, self);
}

/* What is typed goes to the history a moment after the typing pauses, so a
 * crash or a power cut loses at most that moment. */
#define SAVE_DRAFT_DELAY_MS 500

static gboolean
save_draft_cb (gpointer user_data)
{
  StarlingChatView *self = user_data;
  g_autofree char *text = starling_composer_dup_text (self->composer);
  g_autoptr(GPtrArray) files = starling_composer_dup_attachments (self->composer);

  self->save_draft_source = 0;
  starling_conversation_set_draft (self->conversation, text, files, FALSE);
  return G_SOURCE_REMOVE;
}

static void
composer_draft_changed_cb (StarlingChatView *self)
{
  g_clear_handle_id (&self->save_draft_source, g_source_remove);
  self->save_draft_source = g_timeout_add (SAVE_DRAFT_DELAY_MS, save_draft_cb, self);
}

/**
 * starling_chat_view_save_draft:
 *
 * Writes what the composer holds to the history now, adding a new chat to
 * it if it holds something, and the text of any prompt being edited: the
 * user leaves the chat or closes the window.
 */
void
starling_chat_view_save_draft (StarlingChatView *self)
{
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) files = NULL;

  g_return_if_fail (STARLING_IS_CHAT_VIEW (self));

  g_clear_handle_id (&self->save_draft_source, g_source_remove);
  text = starling_composer_dup_text (self->composer);
  files = starling_composer_dup_attachments (self->composer);
  starling_conversation_set_draft (self->conversation, text, files, TRUE);
  starling_conversation_save_edit_drafts (self->conversation);
}

static void
composer_stop_cb (StarlingChatView *self)
{
  starling_conversation_stop (self->conversation);
}

/* Scrolls up to a row above the view, after the layout that gave it its
 * place; the focus stays where it is. */
static gboolean show_row_cb (gpointer user_data);

/* The newest prompt on screen goes into its editor (Up in an empty composer). */
static void
edit_last_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  StarlingChatView *self = STARLING_CHAT_VIEW (widget);

  for (GtkWidget *row = gtk_widget_get_last_child (GTK_WIDGET (self->message_list));
       row != NULL;
       row = gtk_widget_get_prev_sibling (row))
    {
      StarlingMessage *message;

      if (!STARLING_IS_MESSAGE_ROW (row))
        continue;
      message = starling_message_row_get_message (STARLING_MESSAGE_ROW (row));
      if (message != NULL && starling_message_get_role (message) == STARLING_ROLE_USER)
        {
          if (gtk_widget_activate_action (row, "message.edit", NULL))
            g_timeout_add (50, show_row_cb, g_object_ref (row));
          return;
        }
    }
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
  if (self->save_draft_source != 0)
    {
      g_clear_handle_id (&self->save_draft_source, g_source_remove);
      save_draft_cb (self);
    }
  if (self->fill_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->fill_id);
      self->fill_id = 0;
    }
  if (self->place_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->place_tick_id);
      self->place_tick_id = 0;
    }
  disconnect_from_clock (&self->check_clock, &self->check_handler);
  if (self->scroller != NULL)
    stop_keeping_place (self);
  if (self->conversation != NULL)
    {
      g_signal_handlers_disconnect_by_data (starling_conversation_get_messages (self->conversation), self);
      g_signal_handlers_disconnect_by_data (self->conversation, self);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), STARLING_TYPE_CHAT_VIEW);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->range);
  g_clear_object (&self->conversation);

  G_OBJECT_CLASS (starling_chat_view_parent_class)->dispose (object);
}

static void
starling_chat_view_class_init (StarlingChatViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = starling_chat_view_dispose;
  widget_class->map = starling_chat_view_map;
  widget_class->unmap = starling_chat_view_unmap;

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
  gtk_widget_class_install_action (widget_class, "chat.edit-last", NULL, edit_last_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, GDK_CONTROL_MASK, "chat.jump-to-latest", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "chatview");
}

static void
starling_chat_view_init (StarlingChatView *self)
{
  GtkAdjustment *adj;
  GtkWidget *placeholder;
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->sticky = TRUE;
  self->checked_frame = -1;

  placeholder = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (placeholder), "io.github.starlingchat.Starling-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (placeholder), _("Ask Gemini Anything"));
  adw_status_page_set_description (ADW_STATUS_PAGE (placeholder),
                                   _("Type below and press Enter. Attach images, PDFs or text files with the clip button or by dropping them here."));
  gtk_widget_add_css_class (placeholder, "compact");
  /* Over the list, not its placeholder: a status page scrolls its own
   * content, so a list that gives it its natural height cuts it to a sliver. */
  gtk_overlay_add_overlay (GTK_OVERLAY (gtk_widget_get_parent (GTK_WIDGET (self->scroller))), placeholder);
  self->placeholder = placeholder;

  /* Files dropped anywhere on the chat are attached, as on the composer. */
  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (drop, "drop", G_CALLBACK (drop_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

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
  self->range = starling_range_model_new (messages, n > FIRST_ROWS ? n - FIRST_ROWS : 0, n);
  g_signal_connect_object (messages, "items-changed", G_CALLBACK (messages_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_list_box_bind_model (self->message_list, G_LIST_MODEL (self->range), create_row_cb, self, NULL);
  if (n > FIRST_ROWS)
    self->fill_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), fill_tick_cb, NULL, NULL);

  g_signal_connect_object (conversation, "notify::busy", G_CALLBACK (busy_changed_cb), self, G_CONNECT_SWAPPED);
  busy_changed_cb (self);
  update_placeholder (self);

  starling_settings_chips_set_model_list (self->settings_chips,
                                          starling_model_list_get_for_client (starling_conversation_get_client (conversation)));
  g_signal_handlers_block_by_func (self->settings_chips, settings_changed_cb, self);
  starling_settings_chips_set_settings (self->settings_chips, starling_conversation_get_settings (conversation));
  g_signal_handlers_unblock_by_func (self->settings_chips, settings_changed_cb, self);
  g_signal_connect_object (conversation, "notify::model", G_CALLBACK (conversation_model_changed_cb), self,
                           G_CONNECT_SWAPPED);

  /* What the user left typed and attached here last time. */
  starling_composer_set_text (self->composer, starling_conversation_get_draft (conversation));
  {
    guint n_lost = 0;
    g_autoptr(GPtrArray) files = starling_conversation_dup_draft_attachments (conversation, &n_lost);

    starling_composer_set_attachments (self->composer, files);
    if (n_lost > 0)
      {
        g_autofree char *message = g_strdup_printf (ngettext ("A file attached to this draft could not be read back",
                                                              "%u files attached to this draft could not be read back",
                                                              n_lost),
                                                    n_lost);

        starling_composer_show_error (self->composer, message);
      }
  }
  g_signal_connect_object (self->composer, "draft-changed", G_CALLBACK (composer_draft_changed_cb), self,
                           G_CONNECT_SWAPPED);

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

/* Brings @row to the top of the view. @reveal: a search hit, scrolled to
 * even when below and given the focus; otherwise only a row above the view
 * is scrolled to and the focus stays where it is. */
static gboolean
scroll_to_row (GtkWidget *row,
               gboolean   reveal)
{
  GtkWidget *view = gtk_widget_get_ancestor (row, STARLING_TYPE_CHAT_VIEW);
  graphene_point_t point;

  if (view != NULL &&
      gtk_widget_compute_point (row, GTK_WIDGET (STARLING_CHAT_VIEW (view)->message_list),
                                &GRAPHENE_POINT_INIT (0, 0), &point))
    {
      StarlingChatView *self = STARLING_CHAT_VIEW (view);

      if (reveal || point.y < gtk_adjustment_get_value (get_vadjustment (self)))
        {
          set_sticky (self, FALSE);
          self->scrolling = TRUE;
          gtk_adjustment_set_value (get_vadjustment (self), MAX (0, point.y - 24));
          self->scrolling = FALSE;
        }
      if (reveal)
        gtk_widget_grab_focus (row);
    }

  g_object_unref (row);
  return G_SOURCE_REMOVE;
}

static gboolean
scroll_to_row_cb (gpointer user_data)
{
  return scroll_to_row (user_data, TRUE);
}

static gboolean
show_row_cb (gpointer user_data)
{
  return scroll_to_row (user_data, FALSE);
}

/* The colours of a search match, in answers (a text tag) and in your own
 * messages (label attributes). */
#define MATCH_BACKGROUND "#f8e45c"
#define MATCH_FOREGROUND "#241f31"

static void
insert_color_attribute (PangoAttrList *attrs,
                        gboolean       background,
                        gsize          start,
                        gsize          end)
{
  PangoColor color;
  PangoAttribute *attr;

  pango_color_parse (&color, background ? MATCH_BACKGROUND : MATCH_FOREGROUND);
  attr = background ? pango_attr_background_new (color.red, color.green, color.blue)
                    : pango_attr_foreground_new (color.red, color.green, color.blue);
  attr->start_index = (guint) start;
  attr->end_index = (guint) end;
  pango_attr_list_insert (attrs, attr);
}

/* Background and foreground attributes on every case-insensitive occurrence
 * of @words in @text (byte ranges of @text, whole characters), or %NULL when
 * there is none. */
static PangoAttrList *
match_attributes (const char *text,
                  GStrv       words)
{
  g_autoptr(GString) folded = g_string_new (NULL);
  g_autoptr(GArray) origin = g_array_new (FALSE, FALSE, sizeof (gsize));
  PangoAttrList *attrs = NULL;

  /* The folded text, and for each of its bytes where its character starts in
   * @text (folding may change the length of a character). */
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      g_autofree char *f = g_utf8_casefold (p, g_utf8_next_char (p) - p);
      gsize at = (gsize) (p - text);

      for (gsize k = 0; f[k] != '\0'; k++)
        g_array_append_val (origin, at);
      g_string_append (folded, f);
    }

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *word = g_utf8_casefold (words[i], -1);
      gsize word_len = strlen (word);
      const char *hit;

      if (word_len == 0)
        continue;

      for (const char *from = folded->str; (hit = strstr (from, word)) != NULL; from = hit + word_len)
        {
          gsize first = (gsize) (hit - folded->str);
          gsize start = g_array_index (origin, gsize, first);
          gsize last = g_array_index (origin, gsize, first + word_len - 1);
          gsize end = (gsize) (g_utf8_next_char (text + last) - text);

          if (attrs == NULL)
            attrs = pango_attr_list_new ();
          insert_color_attribute (attrs, TRUE, start, end);
          insert_color_attribute (attrs, FALSE, start, end);
        }
    }

  return attrs;
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
          g_object_set (tag, "background", MATCH_BACKGROUND, "foreground", MATCH_FOREGROUND, NULL);
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

  if (GTK_IS_LABEL (widget) && gtk_label_get_selectable (GTK_LABEL (widget)) &&
      !gtk_label_get_use_markup (GTK_LABEL (widget)))
    {
      /* Attributes, not the selection: a selection claims the PRIMARY
       * clipboard, so it would replace what the user had selected elsewhere,
       * and it goes away as soon as anything else selects text. */
      g_autoptr(PangoAttrList) attrs = match_attributes (gtk_label_get_text (GTK_LABEL (widget)), words);

      if (attrs != NULL)
        gtk_label_set_attributes (GTK_LABEL (widget), attrs);
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

  offset = starling_range_model_get_start (self->range);
  if (position < offset)
    {
      starling_range_model_set_range (self->range, position, starling_range_model_get_end (self->range));
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

/* starling-message-row.c: one message in the conversation view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "gem-citations.h"
#include "gem-error.h"
#include "starling-citation-popover.h"
#include "starling-image-viewer.h"
#include "starling-inspector.h"
#include "starling-markdown-parser.h"
#include "starling-markdown-view.h"
#include "starling-message-row.h"

struct _StarlingMessageRow
{
  GtkListBoxRow         parent_instance;

  StarlingMessage      *message;
  GWeakRef              conversation;
  GtkWidget            *markdown;
  GtkWidget            *user_label;
  GCancellable         *cancellable;
  guint                 retry_countdown_id;
  GtkWidget            *waiting_spinner;
  guint                 n_images_shown;
  guint                 n_thought_images;
  guint                 thinking_touched : 1;
  guint                 tooltips_set : 1;

  GtkWidget            *bubble;
  GtkBox               *branch_slot;
  GtkBox               *thinking_slot;
  GtkBox               *edit_slot;
  GtkBox               *recover_slot;
  GtkBox               *error_slot;
  GtkLabel             *role_label;
  GtkWidget            *branch_box;
  GtkLabel             *branch_label;
  GtkWidget            *actions_box;
  GtkWidget            *edit_button;
  GtkWidget            *regenerate_button;
  GtkMenuButton        *menu_button;
  GtkExpander          *thinking_expander;
  GtkSpinner           *thinking_spinner;
  GtkLabel             *thinking_label;
  GtkWidget            *thought_view;   /* the thoughts, as Markdown */
  GtkBox               *content_box;
  GtkWidget            *thinking_box;
  GtkFlowBox           *images_box;
  GtkBox               *sources_box;
  StarlingImage        *menu_image;
  GtkWidget            *edit_box;
  GtkTextView          *edit_view;
  GtkLabel             *notice_label;
  GtkWidget            *error_box;
  GtkWidget            *recover_box;
  GtkLabel             *error_label;
  GtkWidget            *retry_button;
  GtkExpander          *details_expander;
  GtkLabel             *details_label;
  GtkLabel             *status_label;
};

G_DEFINE_FINAL_TYPE (StarlingMessageRow, starling_message_row, GTK_TYPE_LIST_BOX_ROW)

static StarlingConversation *
dup_conversation (StarlingMessageRow *self)
{
  return g_weak_ref_get (&self->conversation);
}


/* --- Parts built on demand: most messages never need them --- */

static GMenuModel *
get_context_menu (void)
{
  static GMenu *menu;

  if (menu == NULL)
    {
      g_autoptr(GMenu) actions = g_menu_new ();
      g_autoptr(GMenu) destructive = g_menu_new ();
      g_autoptr(GMenuItem) edit = g_menu_item_new (_("_Edit and Resend"), "message.edit");
      g_autoptr(GMenuItem) regenerate = g_menu_item_new (_("_Regenerate"), "message.regenerate");
      g_autoptr(GMenuItem) retry = g_menu_item_new (_("Re_try"), "message.retry");
      g_autoptr(GMenuItem) cont = g_menu_item_new (_("C_ontinue"), "message.continue");

      g_menu_append (actions, _("_Copy"), "message.copy");
      g_menu_item_set_attribute (edit, "hidden-when", "s", "action-disabled");
      g_menu_item_set_attribute (regenerate, "hidden-when", "s", "action-disabled");
      g_menu_item_set_attribute (retry, "hidden-when", "s", "action-disabled");
      g_menu_item_set_attribute (cont, "hidden-when", "s", "action-disabled");
      g_menu_append_item (actions, edit);
      g_menu_append_item (actions, regenerate);
      g_menu_append_item (actions, retry);
      g_menu_append_item (actions, cont);
      {
        g_autoptr(GMenuItem) inspect = g_menu_item_new (_("_Inspect Request"), "message.inspect");

        g_menu_item_set_attribute (inspect, "hidden-when", "s", "action-disabled");
        g_menu_append_item (actions, inspect);
      }
      g_menu_append (destructive, _("_Delete Message Pair"), "message.delete");

      menu = g_menu_new ();
      g_menu_append_section (menu, NULL, G_MENU_MODEL (actions));
      g_menu_append_section (menu, NULL, G_MENU_MODEL (destructive));
    }

  return G_MENU_MODEL (menu);
}

static GtkWidget *
icon_button (const char *icon,
             const char *action,
             const char *label)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  g_object_set_data (G_OBJECT (button), "starling-tooltip", (gpointer) label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "circular");

  return button;
}

static GtkWidget *
text_button (const char *mnemonic,
             const char *action,
             const char *label)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (mnemonic);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  /* GTK 4.8 would read the mnemonic's underscore out loud. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);

  return button;
}

/* On GTK 4.8 setting a tooltip asks the X server where the pointer is: a
 * round trip per button per row. Tooltips are set when the row is first
 * entered or focused instead. */
static void
set_tooltips (GtkWidget *widget)
{
  const char *tooltip = g_object_get_data (G_OBJECT (widget), "starling-tooltip");

  if (tooltip != NULL && gtk_widget_get_tooltip_text (widget) == NULL)
    gtk_widget_set_tooltip_text (widget, tooltip);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    set_tooltips (child);
}

static void
ensure_tooltips (StarlingMessageRow *self)
{
  if (self->tooltips_set)
    return;

  self->tooltips_set = TRUE;
  gtk_widget_set_tooltip_text (self->edit_button, _("Edit and Resend"));
  gtk_widget_set_tooltip_text (self->regenerate_button, _("Regenerate"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->menu_button), _("More Actions"));
  gtk_widget_set_tooltip_text (gtk_widget_get_first_child (self->actions_box), _("Copy"));
  set_tooltips (GTK_WIDGET (self));
}

static void
ensure_branch_box (StarlingMessageRow *self)
{
  if (self->branch_box != NULL)
    return;

  self->branch_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (self->branch_box, "branch-switcher");
  gtk_box_append (GTK_BOX (self->branch_box),
                  icon_button ("go-previous-symbolic", "message.previous-branch", _("Previous Version")));
  self->branch_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->branch_label), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->branch_label), "numeric");
  gtk_box_append (GTK_BOX (self->branch_box), GTK_WIDGET (self->branch_label));
  gtk_box_append (GTK_BOX (self->branch_box),
                  icon_button ("go-next-symbolic", "message.next-branch", _("Next Version")));
  gtk_box_append (self->branch_slot, self->branch_box);
  if (self->tooltips_set)
    set_tooltips (self->branch_box);
}

static void thinking_toggled_cb (StarlingMessageRow *self);

static void
ensure_thinking (StarlingMessageRow *self)
{
  GtkWidget *label_box;

  if (self->thinking_expander != NULL)
    return;

  self->thinking_expander = GTK_EXPANDER (gtk_expander_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->thinking_expander), "thinking");

  label_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->thinking_spinner = GTK_SPINNER (gtk_spinner_new ());
  self->thinking_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->thinking_label), "dim-label");
  gtk_box_append (GTK_BOX (label_box), GTK_WIDGET (self->thinking_spinner));
  gtk_box_append (GTK_BOX (label_box), GTK_WIDGET (self->thinking_label));
  gtk_expander_set_label_widget (self->thinking_expander, label_box);

  self->thinking_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  /* Thought summaries are Markdown too (a bold title for each step). */
  self->thought_view = starling_markdown_view_new ();
  gtk_widget_add_css_class (self->thought_view, "thought-text");
  gtk_box_append (GTK_BOX (self->thinking_box), self->thought_view);
  gtk_expander_set_child (self->thinking_expander, self->thinking_box);

  g_signal_connect_swapped (self->thinking_expander, "notify::expanded",
                            G_CALLBACK (thinking_toggled_cb), self);
  gtk_box_append (self->thinking_slot, GTK_WIDGET (self->thinking_expander));
}

static void
set_edit_draft (StarlingMessageRow *self,
                const char         *text)
{
  g_autoptr(StarlingConversation) conversation = NULL;

  if (g_strcmp0 (starling_message_get_edit_draft (self->message), text) == 0)
    return;
  starling_message_set_edit_draft (self->message, text);
  conversation = dup_conversation (self);
  if (conversation != NULL)
    starling_conversation_keep_edit_draft (conversation, self->message);
}

/* What is typed in the editor is kept on the message (and then in the
 * history), as it is typed. */
static void
edit_changed_cb (StarlingMessageRow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->edit_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  if (!gtk_widget_get_visible (self->edit_box))
    return;
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  set_edit_draft (self, text);
}

static void
ensure_edit_box (StarlingMessageRow *self)
{
  GtkWidget *scroller, *buttons, *send;

  if (self->edit_box != NULL)
    return;

  self->edit_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  /* A frame, not a scrolled window: GTK 4.8 may snapshot a scrolled window
   * added to a list row before it is allocated. The editor grows instead. */
  scroller = gtk_frame_new (NULL);
  gtk_widget_add_css_class (scroller, "composer-entry");

  self->edit_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_wrap_mode (self->edit_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (self->edit_view, 8);
  gtk_text_view_set_bottom_margin (self->edit_view, 8);
  gtk_text_view_set_left_margin (self->edit_view, 10);
  gtk_text_view_set_right_margin (self->edit_view, 10);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->edit_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Edit Message"), -1);
  gtk_frame_set_child (GTK_FRAME (scroller), GTK_WIDGET (self->edit_view));
  gtk_box_append (GTK_BOX (self->edit_box), scroller);
  g_signal_connect_object (gtk_text_view_get_buffer (self->edit_view), "changed",
                           G_CALLBACK (edit_changed_cb), self, G_CONNECT_SWAPPED);

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (buttons), text_button (_("_Cancel"), "message.cancel-edit", _("Cancel")));
  send = text_button (_("_Send"), "message.send-edit", _("Send Edited Message"));
  gtk_widget_add_css_class (send, "suggested-action");
  gtk_box_append (GTK_BOX (buttons), send);
  gtk_box_append (GTK_BOX (self->edit_box), buttons);

  gtk_widget_set_visible (self->edit_box, FALSE);
  gtk_box_append (self->edit_slot, self->edit_box);
}

static void
ensure_recover_box (StarlingMessageRow *self)
{
  if (self->recover_box != NULL)
    return;

  self->recover_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (self->recover_box), text_button (_("C_ontinue"), "message.continue", _("Continue")));
  gtk_box_append (GTK_BOX (self->recover_box), text_button (_("Re_try"), "message.retry", _("Retry Answer")));
  gtk_box_append (self->recover_slot, self->recover_box);
}

static void
ensure_error_box (StarlingMessageRow *self)
{
  GtkWidget *top, *icon;

  if (self->error_box != NULL)
    return;

  self->error_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_add_css_class (self->error_box, "card");
  gtk_widget_add_css_class (self->error_box, "error-card");

  top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_widget_add_css_class (icon, "error");
  gtk_box_append (GTK_BOX (top), icon);

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->error_label, 0);
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_selectable (self->error_label, TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->error_label), TRUE);
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (self->error_label));

  self->retry_button = text_button (_("_Retry"), "message.retry", _("Retry"));
  gtk_widget_set_valign (self->retry_button, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (top), self->retry_button);
  gtk_box_append (GTK_BOX (self->error_box), top);

  self->details_expander = GTK_EXPANDER (gtk_expander_new (_("Details")));
  self->details_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->details_label, 0);
  gtk_label_set_wrap (self->details_label, TRUE);
  gtk_label_set_wrap_mode (self->details_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (self->details_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->details_label), "monospace");
  gtk_widget_add_css_class (GTK_WIDGET (self->details_label), "caption");
  gtk_expander_set_child (self->details_expander, GTK_WIDGET (self->details_label));
  gtk_box_append (GTK_BOX (self->error_box), GTK_WIDGET (self->details_expander));

  gtk_box_append (self->error_slot, self->error_box);
}

static gboolean
is_model (StarlingMessageRow *self)
{
  return starling_message_get_role (self->message) == STARLING_ROLE_MODEL;
}

static void
update_actions (StarlingMessageRow *self)
{
  g_autoptr(StarlingConversation) conversation = dup_conversation (self);
  gboolean busy = conversation == NULL || starling_conversation_get_busy (conversation);
  StarlingMessageStatus status = starling_message_get_status (self->message);
  guint n_siblings = starling_message_get_n_siblings (self->message);
  guint index = starling_message_get_sibling_index (self->message);
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (widget, "message.edit", !is_model (self) && !busy);
  gtk_widget_action_set_enabled (widget, "message.regenerate",
                                 is_model (self) && !busy && status != STARLING_MESSAGE_ERROR);
  gtk_widget_action_set_enabled (widget, "message.retry",
                                 is_model (self) && !busy &&
                                 (status == STARLING_MESSAGE_ERROR || status == STARLING_MESSAGE_INTERRUPTED));
  /* Only the newest answer can be continued: a new turn goes at the end. */
  gtk_widget_action_set_enabled (widget, "message.continue",
                                 is_model (self) && !busy && starling_message_get_active_child (self->message) == NULL &&
                                 (status == STARLING_MESSAGE_INTERRUPTED || status == STARLING_MESSAGE_STOPPED));
  if (is_model (self) && status == STARLING_MESSAGE_INTERRUPTED)
    ensure_recover_box (self);
  if (self->recover_box != NULL)
    gtk_widget_set_visible (self->recover_box, is_model (self) && status == STARLING_MESSAGE_INTERRUPTED);
  gtk_widget_action_set_enabled (widget, "message.delete", !busy);
  gtk_widget_action_set_enabled (widget, "message.inspect",
                                 is_model (self) && starling_message_get_request_json (self->message) != NULL);
  gtk_widget_action_set_enabled (widget, "message.previous-branch", !busy && index > 0);
  gtk_widget_action_set_enabled (widget, "message.next-branch", !busy && index + 1 < n_siblings);

  gtk_widget_set_visible (self->edit_button, !is_model (self));
  gtk_widget_set_visible (self->regenerate_button, is_model (self) && status != STARLING_MESSAGE_ERROR);
}

static void
update_branch (StarlingMessageRow *self)
{
  guint n = starling_message_get_n_siblings (self->message);
  g_autofree char *label = NULL;

  if (n > 1)
    ensure_branch_box (self);
  if (self->branch_box != NULL)
    gtk_widget_set_visible (self->branch_box, n > 1);
  if (n <= 1)
    return;

  /* Translators: which version of an edited message is shown, e.g. "1/2" */
  label = g_strdup_printf (_("%u/%u"), starling_message_get_sibling_index (self->message) + 1, n);
  gtk_label_set_label (self->branch_label, label);
  update_actions (self);
}

static void
thinking_toggled_cb (StarlingMessageRow *self)
{
  self->thinking_touched = TRUE;
}

/* While the model thinks, its thoughts stream in like an answer; once the
 * answer starts they are complete. */
static void
show_thoughts (StarlingMarkdownView *view,
               const char           *thought,
               gboolean              thinking)
{
  const char *shown = starling_markdown_view_get_text (view);
  gsize shown_len = strlen (shown);

  if (thinking && g_str_has_prefix (thought, shown))
    {
      if (thought[shown_len] != '\0')
        starling_markdown_view_append (view, thought + shown_len, strlen (thought + shown_len));
    }
  else if (!g_str_equal (thought, shown))
    {
      starling_markdown_view_set_text (view, thought);
    }

  if (!thinking && starling_markdown_view_get_streaming (view))
    starling_markdown_view_finish (view);
}

static void
update_thinking (StarlingMessageRow *self)
{
  const char *thought = starling_message_get_thought_text (self->message);
  const char *text = starling_message_get_text (self->message);
  gboolean streaming = starling_message_get_status (self->message) == STARLING_MESSAGE_STREAMING;
  GemResponse *response = starling_message_get_response (self->message);
  GemUsage usage = { 0 };
  g_autofree char *label = NULL;

  if (thought == NULL || *thought == '\0')
    {
      if (self->thinking_expander != NULL && self->n_thought_images == 0)
        gtk_widget_set_visible (GTK_WIDGET (self->thinking_expander), FALSE);
      return;
    }

  ensure_thinking (self);
  gtk_widget_set_visible (GTK_WIDGET (self->thinking_expander), TRUE);
  show_thoughts (STARLING_MARKDOWN_VIEW (self->thought_view), thought, streaming && *text == '\0');

  if (streaming && *text == '\0')
    label = g_strdup (_("Thinking…"));
  else if (response != NULL && gem_response_get_usage (response, &usage) && usage.thoughts > 0)
    {
      g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, usage.thoughts);

      /* Translators: %s is a number of tokens */
      label = g_strdup_printf (_("Thoughts (%s tokens)"), count);
    }
  else
    label = g_strdup (_("Thoughts"));
  gtk_label_set_label (self->thinking_label, label);

  gtk_spinner_set_spinning (self->thinking_spinner, streaming && *text == '\0');
  gtk_widget_set_visible (GTK_WIDGET (self->thinking_spinner), streaming && *text == '\0');

  /* Open while the model thinks, closed once the answer starts, unless the user chose. */
  if (!self->thinking_touched)
    {
      g_signal_handlers_block_by_func (self->thinking_expander, thinking_toggled_cb, self);
      gtk_expander_set_expanded (self->thinking_expander, streaming && *text == '\0');
      g_signal_handlers_unblock_by_func (self->thinking_expander, thinking_toggled_cb, self);
    }
}

static void
update_error (StarlingMessageRow *self)
{
  const GError *error = starling_message_get_error (self->message);
  gboolean shown = error != NULL && starling_message_get_status (self->message) == STARLING_MESSAGE_ERROR;
  g_autoptr(GString) details = NULL;

  if (shown)
    ensure_error_box (self);
  if (self->error_box != NULL)
    gtk_widget_set_visible (self->error_box, shown);
  if (!shown)
    return;

  gtk_label_set_label (self->error_label, error->message);

  details = g_string_new (NULL);
  if (error->domain == GEM_ERROR)
    {
      const char *api_message = gem_error_get_api_message (error);
      const char *api_status = gem_error_get_api_status (error);
      const char *excerpt = gem_error_get_body_excerpt (error);
      guint http_status = gem_error_get_http_status (error);

      if (http_status != 0)
        /* Translators: %u is an HTTP status code such as 503 */
        g_string_append_printf (details, _("HTTP status %u"), http_status);
      if (api_status != NULL && *api_status != '\0')
        g_string_append_printf (details, "%s%s", details->len > 0 ? " · " : "", api_status);
      if (api_message != NULL && *api_message != '\0')
        g_string_append_printf (details, "%s%s", details->len > 0 ? "\n" : "", api_message);
      else if (excerpt != NULL && *excerpt != '\0')
        g_string_append_printf (details, "%s%s", details->len > 0 ? "\n" : "", excerpt);
    }

  gtk_label_set_label (self->details_label, details->str);
  gtk_widget_set_visible (GTK_WIDGET (self->details_expander), details->len > 0);
}

static void update_status (StarlingMessageRow *self);

/* Until its first words, thoughts or images come, an answer shows that it
 * is on its way. */
static void
update_waiting (StarlingMessageRow *self)
{
  StarlingMessage *message = self->message;
  gboolean waiting = is_model (self) &&
                     starling_message_get_status (message) == STARLING_MESSAGE_STREAMING &&
                     starling_message_get_retry_time (message) == 0 &&
                     *starling_message_get_text (message) == '\0' &&
                     *starling_message_get_thought_text (message) == '\0' &&
                     self->n_images_shown == 0;

  if (waiting && self->waiting_spinner == NULL)
    {
      self->waiting_spinner = gtk_spinner_new ();
      gtk_widget_set_halign (self->waiting_spinner, GTK_ALIGN_START);
      gtk_widget_set_margin_top (self->waiting_spinner, 4);
      gtk_widget_set_margin_bottom (self->waiting_spinner, 4);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->waiting_spinner),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Waiting for the answer"), -1);
      gtk_box_prepend (self->content_box, self->waiting_spinner);
    }
  if (self->waiting_spinner != NULL)
    {
      gtk_widget_set_visible (self->waiting_spinner, waiting);
      gtk_spinner_set_spinning (GTK_SPINNER (self->waiting_spinner), waiting);
    }
}

static gboolean
retry_countdown_cb (gpointer user_data)
{
  update_status (user_data);

  return G_SOURCE_CONTINUE;
}

static void
update_status (StarlingMessageRow *self)
{
  g_autofree char *notice = starling_message_dup_notice (self->message);
  g_autofree char *line = starling_message_dup_status_line (self->message);
  g_autofree char *retry = starling_message_dup_retry_notice (self->message);

  /* While the request waits to be sent again, the seconds count down. */
  if (retry != NULL && self->retry_countdown_id == 0)
    self->retry_countdown_id = g_timeout_add_seconds (1, retry_countdown_cb, self);
  else if (retry == NULL)
    g_clear_handle_id (&self->retry_countdown_id, g_source_remove);
  if (notice == NULL)
    notice = g_steal_pointer (&retry);
  update_waiting (self);

  gtk_widget_set_visible (GTK_WIDGET (self->notice_label), notice != NULL);
  gtk_label_set_label (self->notice_label, notice != NULL ? notice : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), line != NULL);
  gtk_label_set_label (self->status_label, line != NULL ? line : "");
}

static void
thumbnail_decoded_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GtkWidget) frame = user_data;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  texture = starling_image_decode_finish (STARLING_IMAGE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (texture != NULL)
    {
      int scale = gtk_widget_get_scale_factor (frame);
      int width = gdk_texture_get_width (texture) / scale;
      int height = gdk_texture_get_height (texture) / scale;
      double fit = MIN (1.0, 360.0 / MAX (width, height));

      child = gtk_picture_new_for_paintable (GDK_PAINTABLE (texture));
      gtk_picture_set_can_shrink (GTK_PICTURE (child), TRUE);
      gtk_picture_set_content_fit (GTK_PICTURE (child), GTK_CONTENT_FIT_CONTAIN);
      gtk_widget_set_size_request (child, MAX (1, (int) (width * fit)), MAX (1, (int) (height * fit)));
      g_object_set_data (G_OBJECT (frame), "starling-tooltip",
                         (gpointer) _("Open the image (right-click to save or copy)"));
    }
  else
    {
      child = gtk_label_new (error->message);
      gtk_label_set_wrap (GTK_LABEL (child), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (child), 40);
      gtk_widget_set_margin_start (child, 12);
      gtk_widget_set_margin_end (child, 12);
      gtk_widget_set_margin_top (child, 12);
      gtk_widget_set_margin_bottom (child, 12);
      gtk_widget_add_css_class (child, "dim-label");
    }

  gtk_button_set_child (GTK_BUTTON (frame), child);
}

static void
open_image (StarlingMessageRow *self,
            StarlingImage      *image)
{
  g_autoptr(StarlingConversation) conversation = dup_conversation (self);
  g_autoptr(GListModel) images = NULL;
  StarlingImageViewer *viewer;
  guint position = 0;

  if (conversation == NULL)
    return;

  images = starling_conversation_dup_images (conversation);
  for (guint i = 0; i < g_list_model_get_n_items (images); i++)
    {
      g_autoptr(StarlingImage) other = g_list_model_get_item (images, i);

      if (starling_image_equal (other, image))
        {
          position = i;
          break;
        }
    }

  viewer = starling_image_viewer_new (images, position, starling_conversation_get_title (conversation));
  gtk_window_set_transient_for (GTK_WINDOW (viewer), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
  gtk_window_present (GTK_WINDOW (viewer));
}

/* Enter, Space or a click on the image */
static void
image_clicked_cb (GtkButton     *button,
                  StarlingImage *image)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), STARLING_TYPE_MESSAGE_ROW);

  if (row != NULL && starling_image_get_texture (image) != NULL)
    open_image (STARLING_MESSAGE_ROW (row), image);
}

static void
show_image_menu (GtkWidget     *button,
                 StarlingImage *image,
                 double         x,
                 double         y)
{
  GtkWidget *row = gtk_widget_get_ancestor (button, STARLING_TYPE_MESSAGE_ROW);
  g_autoptr(GMenu) menu = g_menu_new ();
  GtkWidget *popover;

  if (row == NULL)
    return;
  g_set_object (&STARLING_MESSAGE_ROW (row)->menu_image, image);
  g_menu_append (menu, _("_Save Image…"), "image.save");
  g_menu_append (menu, _("_Copy Image"), "image.copy");
  g_menu_append (menu, _("Save _All Images…"), "image.save-all");

  popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_widget_set_parent (popover, button);
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  g_signal_connect (popover, "closed", G_CALLBACK (gtk_widget_unparent), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
}

static void
image_menu_cb (GtkGestureClick *gesture,
               int              n_press,
               double           x,
               double           y,
               StarlingImage   *image)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  show_image_menu (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture)), image, x, y);
}

/* Shift+F10 or the Menu key on the focused image */
static gboolean
image_menu_key_cb (GtkWidget *button,
                   GVariant  *arguments,
                   gpointer   user_data)
{
  StarlingImage *image = g_object_get_data (G_OBJECT (button), "starling-image");

  show_image_menu (button, image, gtk_widget_get_width (button) / 2.0, gtk_widget_get_height (button) / 2.0);
  return TRUE;
}

static GdkContentProvider *
image_drag_prepare_cb (GtkDragSource *source,
                       double         x,
                       double         y,
                       StarlingImage *image)
{
  GtkWidget *frame = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (source));
  GtkWidget *row = gtk_widget_get_ancestor (frame, STARLING_TYPE_MESSAGE_ROW);
  g_autoptr(StarlingConversation) conversation = row != NULL ? dup_conversation (STARLING_MESSAGE_ROW (row)) : NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *mime = starling_image_sniff_mime_type (starling_image_get_bytes (image));
  g_autofree char *name = starling_image_suggest_name (conversation != NULL ? starling_conversation_get_title (conversation) : NULL,
                                                      now, 0, mime);
  g_autofree char *folder = g_build_filename (g_get_user_cache_dir (), "starling", "drag", NULL);
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GdkContentProvider *providers[2];
  guint n = 0;

  /* The file manager takes a file; other apps may prefer the picture itself. */
  g_mkdir_with_parents (folder, 0700);
  if (starling_image_write_file (image, file, NULL))
    providers[n++] = gdk_content_provider_new_typed (G_TYPE_FILE, file);
  if (starling_image_get_texture (image) != NULL)
    providers[n++] = gdk_content_provider_new_typed (GDK_TYPE_TEXTURE, starling_image_get_texture (image));

  return n > 0 ? gdk_content_provider_new_union (providers, n) : NULL;
}

static void
add_image (StarlingMessageRow *self,
           GtkWidget          *box,
           StarlingImage      *image)
{
  /* A button: it takes the focus, opens with Enter or Space, and screen
   * readers can press it. */
  GtkWidget *frame = gtk_button_new ();
  GtkWidget *placeholder = gtk_label_new (_("Loading image…"));
  GtkEventController *shortcuts;
  GtkGesture *menu;
  GtkDragSource *drag;
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (box); child != NULL; child = gtk_widget_get_next_sibling (child))
    n++;

  gtk_widget_add_css_class (frame, "message-image");
  gtk_widget_set_halign (frame, GTK_ALIGN_START);
  gtk_widget_set_overflow (frame, GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_cursor_from_name (frame, "pointer");
  /* Text, not a spinner: the decode is short, and a spinner's first frame
   * loads its icon and a rotated draw on the main thread (a stall). */
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_size_request (placeholder, 160, 120);
  gtk_button_set_child (GTK_BUTTON (frame), placeholder);
  {
    /* Translators: what a screen reader says of the n-th picture in an answer */
    g_autofree char *name = g_strdup_printf (_("Image %u"), n + 1);

    gtk_accessible_update_property (GTK_ACCESSIBLE (frame), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    _("Opens the image. Its menu saves or copies it."), -1);
  }
  g_object_set_data_full (G_OBJECT (frame), "starling-image", g_object_ref (image), g_object_unref);

  g_signal_connect_data (frame, "clicked", G_CALLBACK (image_clicked_cb), g_object_ref (image),
                         (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  menu = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (menu), GDK_BUTTON_SECONDARY);
  g_signal_connect_data (menu, "pressed", G_CALLBACK (image_menu_cb), g_object_ref (image),
                         (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  gtk_widget_add_controller (frame, GTK_EVENT_CONTROLLER (menu));
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_F10, GDK_SHIFT_MASK),
                                                                                       gtk_keyval_trigger_new (GDK_KEY_Menu, 0)),
                                                          gtk_callback_action_new (image_menu_key_cb, NULL, NULL)));
  gtk_widget_add_controller (frame, shortcuts);
  drag = gtk_drag_source_new ();
  g_signal_connect_data (drag, "prepare", G_CALLBACK (image_drag_prepare_cb), g_object_ref (image),
                         (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  gtk_widget_add_controller (frame, GTK_EVENT_CONTROLLER (drag));

  if (GTK_IS_FLOW_BOX (box))
    gtk_flow_box_append (GTK_FLOW_BOX (box), frame);
  else
    gtk_box_append (GTK_BOX (box), frame);
  gtk_widget_set_visible (box, TRUE);

  /* Decoded at the size it is shown (HiDPI-aware), so the frame that shows it stays cheap. */
  starling_image_decode_async (image, 360 * gtk_widget_get_scale_factor (GTK_WIDGET (self)),
                               self->cancellable, thumbnail_decoded_cb, g_object_ref (frame));
}

static void
image_save_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  StarlingMessageRow *self = STARLING_MESSAGE_ROW (widget);
  g_autoptr(StarlingConversation) conversation = dup_conversation (self);
  StarlingImage *image = self->menu_image;

  if (image == NULL)
    return;

  if (g_str_equal (action_name, "image.copy"))
    {
      if (starling_image_get_texture (image) != NULL)
        gdk_clipboard_set_texture (gtk_widget_get_clipboard (widget), starling_image_get_texture (image));
    }
  else if (g_str_equal (action_name, "image.save-all"))
    {
      g_autoptr(GListModel) images = conversation != NULL ? starling_conversation_dup_images (conversation) : NULL;

      if (images != NULL)
        starling_image_save_all_with_dialog (GTK_WINDOW (gtk_widget_get_root (widget)), images,
                                             starling_conversation_get_title (conversation));
    }
  else
    {
      starling_image_save_with_dialog (GTK_WINDOW (gtk_widget_get_root (widget)), image,
                                       conversation != NULL ? starling_conversation_get_title (conversation) : NULL, 0);
    }
}

/* Reads the raw parts, not gem_response_get_images(): that would decode
 * megabytes of base64 here, on the main thread. */
static void
update_images (StarlingMessageRow *self)
{
  GemResponse *response = starling_message_get_response (self->message);
  JsonArray *parts;
  guint seen = 0;

  if (response == NULL || gem_response_get_image_count (response) == self->n_images_shown)
    return;

  parts = gem_response_get_parts (response);
  for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
    {
      JsonObject *part = json_array_get_object_element (parts, i);
      JsonObject *inline_data;
      const char *mime, *data;
      g_autoptr(StarlingImage) image = NULL;

      if (part == NULL || !json_object_has_member (part, "inlineData"))
        continue;
      inline_data = json_object_get_object_member (part, "inlineData");
      mime = inline_data != NULL ? json_object_get_string_member_with_default (inline_data, "mimeType", "") : "";
      data = inline_data != NULL ? json_object_get_string_member_with_default (inline_data, "data", NULL) : NULL;
      if (data == NULL || !g_str_has_prefix (mime, "image/"))
        continue;
      if (seen++ < self->n_images_shown)
        continue;

      image = starling_image_new_from_base64 (json_object_get_member (inline_data, "data"), mime, NULL);

      /* Interim images the model drew while thinking belong with its thoughts. */
      if (json_object_get_boolean_member_with_default (part, "thought", FALSE))
        {
          ensure_thinking (self);
          self->n_thought_images++;
          add_image (self, self->thinking_box, image);
          gtk_widget_set_visible (GTK_WIDGET (self->thinking_expander), TRUE);
        }
      else
        {
          add_image (self, GTK_WIDGET (self->images_box), image);
        }
    }
  self->n_images_shown = seen;
}

/* "en.wikipedia.org" from a URI, for a source whose title is missing. */
static char *
domain_of (const char *uri)
{
  g_autoptr(GUri) parsed = uri != NULL ? g_uri_parse (uri, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *host = parsed != NULL ? g_uri_get_host (parsed) : NULL;

  return g_strdup (host != NULL ? host : "");
}

static gboolean
is_web_uri (const char *uri)
{
  return uri != NULL && (g_str_has_prefix (uri, "https://") || g_str_has_prefix (uri, "http://"));
}

static void
open_uri_cb (GtkButton *button,
             gpointer   user_data)
{
  const char *uri = g_object_get_data (G_OBJECT (button), "uri");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (button));

  /* Only web links leave the app, through the desktop's handler (a portal in a sandbox). */
  if (is_web_uri (uri))
    gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
}

static GtkWidget *
source_button (const char *number,
               const char *title,
               const char *detail,
               const char *uri)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label;
  g_autofree char *accessible = NULL;

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "source-row");
  gtk_widget_set_halign (button, GTK_ALIGN_START);

  if (number != NULL)
    {
      label = gtk_label_new (number);
      gtk_widget_add_css_class (label, "source-number");
      gtk_widget_add_css_class (label, "numeric");
      gtk_box_append (GTK_BOX (box), label);
    }

  label = gtk_label_new (title);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 48);
  gtk_box_append (GTK_BOX (box), label);

  if (detail != NULL && *detail != '\0' && g_strcmp0 (detail, title) != 0)
    {
      label = gtk_label_new (detail);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_add_css_class (label, "caption");
      gtk_box_append (GTK_BOX (box), label);
    }

  gtk_button_set_child (GTK_BUTTON (button), box);
  accessible = g_strdup_printf ("%s %s %s", number != NULL ? number : "", title, detail != NULL ? detail : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, g_strstrip (accessible), -1);

  if (is_web_uri (uri))
    {
      g_object_set_data_full (G_OBJECT (button), "uri", g_strdup (uri), g_free);
      g_object_set_data (G_OBJECT (button), "starling-tooltip", g_object_get_data (G_OBJECT (button), "uri"));
      g_signal_connect (button, "clicked", G_CALLBACK (open_uri_cb), NULL);
    }
  else
    {
      gtk_widget_set_sensitive (button, FALSE);
    }

  return button;
}

static void
add_heading (GtkBox     *box,
             const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_add_css_class (label, "caption-heading");
  gtk_box_append (box, label);
}

/* Sources, search queries, quoted material and pages read, under the answer. */
static void
update_sources (StarlingMessageRow *self)
{
  GemResponse *response = starling_message_get_response (self->message);
  g_autoptr(GPtrArray) chunks = NULL;
  g_autoptr(GPtrArray) citations = NULL;
  g_auto(GStrv) queries = NULL;
  JsonObject *json, *candidate = NULL;
  JsonArray *candidates;
  GtkWidget *child;
  gboolean any = FALSE;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->sources_box))) != NULL)
    gtk_box_remove (self->sources_box, child);

  if (response == NULL || starling_message_get_status (self->message) == STARLING_MESSAGE_STREAMING)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->sources_box), FALSE);
      return;
    }

  chunks = gem_response_get_grounding_chunks (response);
  if (chunks->len > 0)
    {
      add_heading (self->sources_box, _("Sources"));
      for (guint i = 0; i < chunks->len; i++)
        {
          GemGroundingChunk *chunk = g_ptr_array_index (chunks, i);
          g_autofree char *number = g_strdup_printf ("%u", i + 1);
          g_autofree char *domain = domain_of (chunk->uri);
          const char *title = chunk->title != NULL && *chunk->title != '\0' ? chunk->title : domain;
          /* Search results point at a Google redirect: its host says nothing about the source. */
          const char *detail = chunk->kind == GEM_GROUNDING_SOURCE_MAPS ? _("Place on Google Maps")
                               : chunk->kind == GEM_GROUNDING_SOURCE_RETRIEVED_CONTEXT ? _("Document")
                               : strstr (domain, "vertexaisearch") != NULL ? NULL
                               : domain;

          gtk_box_append (self->sources_box, source_button (number, title, detail, chunk->uri));
        }
      any = TRUE;
    }

  queries = gem_response_get_web_search_queries (response);
  if (queries != NULL && queries[0] != NULL)
    {
      GtkWidget *flow = gtk_flow_box_new ();

      add_heading (self->sources_box, _("Searched For"));
      gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
      gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 6);
      gtk_widget_set_halign (flow, GTK_ALIGN_START);
      for (guint i = 0; queries[i] != NULL; i++)
        {
          g_autofree char *escaped = g_uri_escape_string (queries[i], NULL, FALSE);
          g_autofree char *uri = g_strconcat ("https://www.google.com/search?q=", escaped, NULL);
          GtkWidget *chip = gtk_button_new_with_label (queries[i]);

          gtk_widget_add_css_class (chip, "pill");
          gtk_widget_add_css_class (chip, "query-chip");
          g_object_set_data_full (G_OBJECT (chip), "uri", g_steal_pointer (&uri), g_free);
          g_object_set_data (G_OBJECT (chip), "starling-tooltip", (gpointer) _("Search for this in the browser"));
          g_signal_connect (chip, "clicked", G_CALLBACK (open_uri_cb), NULL);
          gtk_flow_box_append (GTK_FLOW_BOX (flow), chip);
        }
      gtk_box_append (self->sources_box, flow);
      any = TRUE;
    }

  citations = gem_response_get_citations (response);
  if (citations->len > 0)
    {
      add_heading (self->sources_box, _("Quoted From"));
      for (guint i = 0; i < citations->len; i++)
        {
          GemCitation *citation = g_ptr_array_index (citations, i);
          g_autofree char *domain = domain_of (citation->uri);
          const char *title = citation->title != NULL && *citation->title != '\0' ? citation->title
                              : *domain != '\0' ? domain : _("Unnamed source");
          g_autofree char *detail = citation->license != NULL && *citation->license != '\0'
                                    /* Translators: %s is a license name, such as "mit" */
                                    ? g_strdup_printf (_("License: %s"), citation->license)
                                    : g_strdup (domain);

          gtk_box_append (self->sources_box, source_button (NULL, title, detail, citation->uri));
        }
      any = TRUE;
    }

  /* urlContextMetadata has no typed accessor: read the API's own shape. */
  json = gem_response_get_json (response);
  candidates = json != NULL && json_object_has_member (json, "candidates")
               ? json_object_get_array_member (json, "candidates") : NULL;
  if (candidates != NULL && json_array_get_length (candidates) > 0)
    candidate = json_array_get_object_element (candidates, 0);
  if (candidate != NULL && json_object_has_member (candidate, "urlContextMetadata"))
    {
      JsonObject *meta = json_object_get_object_member (candidate, "urlContextMetadata");
      JsonArray *urls = meta != NULL && json_object_has_member (meta, "urlMetadata")
                        ? json_object_get_array_member (meta, "urlMetadata") : NULL;

      if (urls != NULL && json_array_get_length (urls) > 0)
        {
          add_heading (self->sources_box, _("Pages Read"));
          for (guint i = 0; i < json_array_get_length (urls); i++)
            {
              JsonObject *url = json_array_get_object_element (urls, i);
              const char *retrieved = url != NULL ? json_object_get_string_member_with_default (url, "retrievedUrl", "") : "";
              const char *status = url != NULL ? json_object_get_string_member_with_default (url, "urlRetrievalStatus", "") : "";
              gboolean ok = g_str_equal (status, "URL_RETRIEVAL_STATUS_SUCCESS");

              gtk_box_append (self->sources_box,
                              source_button (NULL, retrieved, ok ? _("Read") : _("Could not be read"), retrieved));
            }
          any = TRUE;
        }
    }

  gtk_widget_set_visible (GTK_WIDGET (self->sources_box), any);
}

/* The finished answer, with a marker after each sentence its sources support.
 * Returns: whether it was rendered again */
static gboolean
render_final_text (StarlingMessageRow *self)
{
  GemResponse *response = starling_message_get_response (self->message);
  g_autoptr(GPtrArray) supports = NULL;
  g_autoptr(GPtrArray) marks = NULL;
  g_autofree char *annotated = NULL;
  const char *text = starling_message_get_text (self->message);

  if (response == NULL || self->markdown == NULL)
    return FALSE;

  /* Code the model ran, its output and function calls are parts of their own. */
  {
    g_autofree char *display = starling_message_dup_display_markdown (self->message);

    if (g_strcmp0 (display, text) != 0)
      {
        starling_markdown_view_set_text (STARLING_MARKDOWN_VIEW (self->markdown), display);
        return TRUE;
      }
  }

  supports = gem_response_get_grounding_supports (response);
  if (supports->len == 0)
    return FALSE;

  marks = gem_citation_marks_compute (text, supports);
  if (marks->len == 0)
    return FALSE;

  annotated = gem_citations_annotate_markdown (text, marks);
  starling_markdown_view_set_text (STARLING_MARKDOWN_VIEW (self->markdown), annotated);
  return TRUE;
}

static void
text_appended_cb (StarlingMessageRow *self,
                  const char         *delta)
{
  starling_markdown_view_append (STARLING_MARKDOWN_VIEW (self->markdown), delta, strlen (delta));
  update_thinking (self);
}

static void
text_changed_cb (StarlingMessageRow *self)
{
  starling_markdown_view_set_text (STARLING_MARKDOWN_VIEW (self->markdown),
                                   starling_message_get_text (self->message));
  update_thinking (self);
}

static void
status_changed_cb (StarlingMessageRow *self)
{
  /* The finished answer is rendered once more only when it gains citation
   * markers or code parts; otherwise the streamed render just completes. */
  if (self->markdown != NULL && starling_message_get_status (self->message) != STARLING_MESSAGE_STREAMING &&
      !render_final_text (self))
    starling_markdown_view_finish (STARLING_MARKDOWN_VIEW (self->markdown));
  update_sources (self);

  gtk_widget_set_visible (self->actions_box, starling_message_get_status (self->message) != STARLING_MESSAGE_STREAMING);
  update_thinking (self);
  update_status (self);
  update_error (self);
  update_actions (self);
}

static void
response_changed_cb (StarlingMessageRow *self)
{
  update_images (self);
  update_waiting (self);
}

static void
conversation_busy_cb (StarlingMessageRow *self)
{
  update_actions (self);
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  StarlingMessageRow *self = STARLING_MESSAGE_ROW (widget);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), starling_message_get_text (self->message));
}

/* A text view shown with its text lays the lines out when it is first
 * allocated, and GTK 4.8 drops the resize it asks for then: the editor
 * would stay a sliver, its text out of sight. For its first frames, the
 * editor is resized before each layout until it has the height it needs. */
#define EDIT_SIZE_FRAMES 30

static gboolean
edit_size_tick_cb (GtkWidget     *widget,
                   GdkFrameClock *clock,
                   gpointer       user_data)
{
  guint *frames_left = user_data;
  GtkAllocation allocation;
  int height;

  if (gtk_widget_get_width (widget) > 0)
    {
      gtk_widget_get_allocation (widget, &allocation);
      gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, allocation.width, &height, NULL, NULL, NULL);
      if (allocation.height < height)
        gtk_widget_queue_resize (widget);
    }

  return --(*frames_left) > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* The editor, with what was typed in it before (in this row or another one
 * for the same message, before a restart) or else the prompt as sent. */
static void
open_editor (StarlingMessageRow *self)
{
  const char *draft = starling_message_get_edit_draft (self->message);
  /* a copy: setting the editor's text changes the message's draft */
  g_autofree char *text = g_strdup (draft != NULL ? draft : starling_message_get_text (self->message));
  guint *frames_left;

  ensure_edit_box (self);
  /* Already open (Edit again, or Up in the composer): what is typed stays. */
  if (gtk_widget_get_visible (self->edit_box))
    return;

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->edit_view), text, -1);
  gtk_widget_set_visible (GTK_WIDGET (self->content_box), FALSE);
  gtk_widget_set_visible (self->edit_box, TRUE);
  edit_changed_cb (self);

  frames_left = g_new (guint, 1);

  *frames_left = EDIT_SIZE_FRAMES;
  gtk_widget_add_tick_callback (GTK_WIDGET (self->edit_view), edit_size_tick_cb, frames_left, g_free);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  StarlingMessageRow *self = STARLING_MESSAGE_ROW (widget);

  open_editor (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->edit_view));
}

static void
cancel_edit_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  StarlingMessageRow *self = STARLING_MESSAGE_ROW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  gboolean had_focus = self->edit_box != NULL && focus != NULL && gtk_widget_is_ancestor (focus, self->edit_box);

  if (self->edit_box != NULL)
    gtk_widget_set_visible (self->edit_box, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->content_box), TRUE);
  set_edit_draft (self, NULL);
  /* The keyboard stays on the message, not lost with the hidden editor. */
  if (had_focus)
    gtk_widget_grab_focus (widget);
}

static void
send_edit_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  StarlingMessageRow *self = STARLING_MESSAGE_ROW (widget);
  g_autoptr(StarlingConversation) conversation = dup_conversation (self);
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  ensure_edit_box (self);
  buffer = gtk_text_view_get_buffer (self->edit_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
  cancel_edit_action (widget, NULL, NULL);

  if (conversation != NULL && *text != '\0')
    starling_conversation_edit (conversation, self->message, text);
}

#define CONVERSATION_ACTION(name, call)                                   \
  static void                                                           \
  name (GtkWidget  *widget,                                             \
        const char *action_name,                                        \
        GVariant   *parameter)                                          \
  {                                                                     \
    StarlingMessageRow *self = STARLING_MESSAGE_ROW (widget);           \
    g_autoptr(StarlingConversation) conversation = dup_conversation (self); \
    g_autoptr(StarlingMessage) message = g_object_ref (self->message);  \
                                                                        \
    if (conversation != NULL)                                           \
      call;                                                             \
  }

CONVERSATION_ACTION (regenerate_action, starling_conversation_regenerate (conversation, message))
CONVERSATION_ACTION (retry_action, starling_conversation_retry (conversation, message))
CONVERSATION_ACTION (continue_action, starling_conversation_continue (conversation))
CONVERSATION_ACTION (delete_action, starling_conversation_delete_pair (conversation, message))
CONVERSATION_ACTION (previous_branch_action, starling_conversation_switch_branch (conversation, message, -1))
CONVERSATION_ACTION (next_branch_action, starling_conversation_switch_branch (conversation, message, 1))

static void
inspect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  StarlingMessageRow *self = STARLING_MESSAGE_ROW (widget);
  g_autoptr(StarlingConversation) conversation = dup_conversation (self);
  GemClient *client;
  const char *model;

  if (conversation == NULL)
    return;

  client = starling_conversation_get_client (conversation);
  model = g_object_get_data (G_OBJECT (self->message), "starling-model");
  starling_inspector_present_full (GTK_WINDOW (gtk_widget_get_root (widget)), self->message,
                                   gem_client_get_base_url (client), gem_client_get_auth_style (client),
                                   model != NULL ? model : starling_conversation_get_model (conversation),
                                   GPOINTER_TO_INT (g_object_get_data (G_OBJECT (self->message), "starling-streamed")) ||
                                   g_object_get_data (G_OBJECT (self->message), "starling-streamed") == NULL);
}

static void
menu_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  gtk_menu_button_popup (STARLING_MESSAGE_ROW (widget)->menu_button);
}

static void
create_popup_cb (GtkMenuButton *button,
                 gpointer       user_data)
{
  if (gtk_menu_button_get_popover (button) == NULL)
    gtk_menu_button_set_menu_model (button, get_context_menu ());
}

static void
secondary_click_cb (GtkGestureClick    *gesture,
                    int                 n_press,
                    double              x,
                    double              y,
                    StarlingMessageRow *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  gtk_menu_button_popup (self->menu_button);
}

static void
starling_message_row_dispose (GObject *object)
{
  StarlingMessageRow *self = STARLING_MESSAGE_ROW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_countdown_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), STARLING_TYPE_MESSAGE_ROW);
  g_clear_object (&self->message);
  g_clear_object (&self->menu_image);
  g_clear_object (&self->cancellable);
  g_weak_ref_clear (&self->conversation);

  G_OBJECT_CLASS (starling_message_row_parent_class)->dispose (object);
}

static void
starling_message_row_class_init (StarlingMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = starling_message_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/starlingchat/Starling/ui/starling-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, StarlingMessageRow, bubble);
  gtk_widget_class_bind_template_child (widget_class, StarlingMessageRow, branch_slot);
  gtk_widget_class_bind_template_child (widget_class, StarlingMessageRow, thinking_slot);
  gtk_widget_class_bind_template_child (widget_class, StarlingMessageRow, edit_slot);
  gtk_widget_class_bind_template_child (widget_class, StarlingMessageRow, recover_slot);
  gtk_widget_class_bind_template_child (widget_class, StarlingMessageRow, error_slot);
  gtk_widget_class_bind_template_child (widget_class, StarlingMessageRow, role_label);
  gtk_widget_class_bind_template_child (widget_class, StarlingMessageRow, actions_box);
  gtk_widget_class_bind_template_child (widget_class, StarlingMessageRow, edit_button);
  gtk_widget_class_bind_template_child (widget_class, StarlingMessageRow, regenerate_button);
  gtk_widget_class_bind_template_child (widget_class, StarlingMessageRow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, StarlingMessageRow, content_box);
  gtk_widget_class_bind_template_child (widget_class, StarlingMessageRow, images_box);
  gtk_widget_class_bind_template_child (widget_class, StarlingMessageRow, sources_box);
  gtk_widget_class_bind_template_child (widget_class, StarlingMessageRow, notice_label);
  gtk_widget_class_bind_template_child (widget_class, StarlingMessageRow, status_label);

  gtk_widget_class_install_action (widget_class, "message.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "message.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "message.cancel-edit", NULL, cancel_edit_action);
  gtk_widget_class_install_action (widget_class, "message.send-edit", NULL, send_edit_action);
  gtk_widget_class_install_action (widget_class, "message.regenerate", NULL, regenerate_action);
  gtk_widget_class_install_action (widget_class, "message.retry", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "message.continue", NULL, continue_action);
  gtk_widget_class_install_action (widget_class, "message.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "message.previous-branch", NULL, previous_branch_action);
  gtk_widget_class_install_action (widget_class, "message.next-branch", NULL, next_branch_action);
  gtk_widget_class_install_action (widget_class, "message.menu", NULL, menu_action);
  gtk_widget_class_install_action (widget_class, "message.inspect", NULL, inspect_action);
  gtk_widget_class_install_action (widget_class, "image.save", NULL, image_save_action);
  gtk_widget_class_install_action (widget_class, "image.copy", NULL, image_save_action);
  gtk_widget_class_install_action (widget_class, "image.save-all", NULL, image_save_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "message.menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "message.menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "message.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "message.cancel-edit", NULL);
}

static void
starling_message_row_init (StarlingMessageRow *self)
{
  GtkEventController *motion, *focus;
  GtkGesture *click;

  gtk_widget_init_template (GTK_WIDGET (self));
  g_weak_ref_init (&self->conversation, NULL);
  self->cancellable = g_cancellable_new ();

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (secondary_click_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  /* A popover menu per row is costly; it is made the first time it opens. */
  gtk_menu_button_set_create_popup_func (self->menu_button, create_popup_cb, NULL, NULL);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect_swapped (motion, "enter", G_CALLBACK (ensure_tooltips), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  focus = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (focus, "enter", G_CALLBACK (ensure_tooltips), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);
}

static void
setup_user (StarlingMessageRow *self)
{
  g_autoptr(GPtrArray) images = starling_message_dup_user_images (self->message);

  gtk_widget_add_css_class (self->bubble, "user");
  gtk_label_set_label (self->role_label, _("You"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Your message"), -1);

  self->user_label = gtk_label_new (starling_message_get_text (self->message));
  gtk_label_set_wrap (GTK_LABEL (self->user_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (self->user_label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (self->user_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->user_label), 0);
  gtk_widget_add_css_class (self->user_label, "message-text");
  gtk_widget_set_visible (self->user_label, *starling_message_get_text (self->message) != '\0');
  gtk_box_append (self->content_box, self->user_label);

  for (guint i = 0; i < images->len; i++)
    {
      GemImage *part = g_ptr_array_index (images, i);
      g_autoptr(StarlingImage) image = starling_image_new (part->data, part->mime_type, NULL);

      add_image (self, GTK_WIDGET (self->images_box), image);
    }
}

static gboolean
unparent_idle_cb (gpointer user_data)
{
  GtkWidget *popover = user_data;

  if (gtk_widget_get_parent (popover) != NULL)
    gtk_widget_unparent (popover);

  return G_SOURCE_REMOVE;
}

static void
citation_popover_closed_cb (GtkPopover *popover)
{
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, unparent_idle_cb, g_object_ref (popover), g_object_unref);
}

/* A citation marker [N] opens its source's details; other links go on to
 * the view's own handler (the browser). */
static gboolean
markdown_link_cb (StarlingMessageRow *self,
                  const char         *uri,
                  GtkWidget          *markdown)
{
  GemResponse *response = starling_message_get_response (self->message);
  GdkRectangle area;
  GtkWidget *popover;
  guint index;

  if (!starling_md_uri_get_citation (uri, &index))
    return FALSE;
  if (response == NULL)
    return TRUE;

  popover = starling_citation_popover_new (response, index);
  gtk_widget_set_parent (popover, markdown);
  starling_markdown_view_get_link_area (STARLING_MARKDOWN_VIEW (markdown), &area);
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), &area);
  /* gone when closed, once GTK is done with it */
  g_signal_connect (popover, "closed", G_CALLBACK (citation_popover_closed_cb), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));

  return TRUE;
}

/* Hovering a marker [N] highlights the sentence it stands for and tells its
 * sources with the model's confidence in each. */
static void
markdown_link_hovered_cb (StarlingMessageRow *self,
                          const char         *uri,
                          GtkWidget          *markdown)
{
  GemResponse *response = starling_message_get_response (self->message);
  g_autoptr(GPtrArray) supports = NULL;
  g_autoptr(GPtrArray) chunks = NULL;
  g_autoptr(GPtrArray) candidates = NULL;
  g_autoptr(GPtrArray) candidate_supports = NULL;
  g_autoptr(GString) tip = NULL;
  const GemGroundingSupport *support;
  guint index;
  int found;

  gtk_widget_set_tooltip_text (markdown, NULL);
  if (!starling_md_uri_get_citation (uri, &index) || response == NULL)
    return;

  supports = gem_response_get_grounding_supports (response);
  chunks = gem_response_get_grounding_chunks (response);
  candidates = g_ptr_array_new ();
  candidate_supports = g_ptr_array_new ();
  for (guint i = 0; i < supports->len; i++)
    {
      support = g_ptr_array_index (supports, i);
      for (guint j = 0; j < support->n_chunk_indices; j++)
        {
          if (support->chunk_indices[j] == index && support->text != NULL)
            {
              g_ptr_array_add (candidates, support->text);
              g_ptr_array_add (candidate_supports, (gpointer) support);
              break;
            }
        }
    }
  g_ptr_array_add (candidates, NULL);

  found = starling_markdown_view_highlight_before_link (STARLING_MARKDOWN_VIEW (markdown),
                                                        (const char * const *) candidates->pdata);
  if (found < 0)
    return;

  support = g_ptr_array_index (candidate_supports, found);
  tip = g_string_new (NULL);
  for (guint j = 0; j < support->n_chunk_indices; j++)
    {
      guint chunk_index = support->chunk_indices[j];
      GemGroundingChunk *chunk = chunk_index < chunks->len ? g_ptr_array_index (chunks, chunk_index) : NULL;
      const char *title = chunk != NULL && chunk->title != NULL ? chunk->title : "";

      if (tip->len > 0)
        g_string_append_c (tip, '\n');
      if (j < support->n_confidence_scores)
        /* Translators: a source in a tooltip: its number, its title, the model's confidence in percent */
        g_string_append_printf (tip, _("[%u] %s, %d%% confident"), chunk_index + 1, title,
                                (int) (support->confidence_scores[j] * 100.0 + 0.5));
      else
        /* Translators: a source in a tooltip: its number and its title */
        g_string_append_printf (tip, _("[%u] %s"), chunk_index + 1, title);
    }
  gtk_widget_set_tooltip_text (markdown, tip->str);
  /* focused with the keyboard: no tooltip, the same text beside it */
  starling_markdown_view_describe_link (STARLING_MARKDOWN_VIEW (markdown), tip->str);
}

static void
setup_model (StarlingMessageRow *self)
{
  gtk_widget_add_css_class (self->bubble, "model");
  gtk_label_set_label (self->role_label, _("Gemini"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Answer"), -1);

  self->markdown = starling_markdown_view_new ();
  gtk_widget_add_css_class (self->markdown, "message-text");
  gtk_box_append (self->content_box, self->markdown);
  g_signal_connect_object (self->markdown, "activate-link", G_CALLBACK (markdown_link_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->markdown, "link-hovered", G_CALLBACK (markdown_link_hovered_cb), self,
                           G_CONNECT_SWAPPED);
  starling_markdown_view_set_text (STARLING_MARKDOWN_VIEW (self->markdown),
                                   starling_message_get_text (self->message));

  g_signal_connect_object (self->message, "text-appended", G_CALLBACK (text_appended_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->message, "notify::text", G_CALLBACK (text_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->message, "notify::thought-text", G_CALLBACK (update_thinking), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->message, "notify::response", G_CALLBACK (response_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->message, "notify::error", G_CALLBACK (update_error), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->message, "notify::retry-time", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);

  update_images (self);
}

GtkWidget *
starling_message_row_new (StarlingMessage      *message,
                          StarlingConversation *conversation)
{
  StarlingMessageRow *self;

  g_return_val_if_fail (STARLING_IS_MESSAGE (message), NULL);
  g_return_val_if_fail (STARLING_IS_CONVERSATION (conversation), NULL);

  self = g_object_new (STARLING_TYPE_MESSAGE_ROW, NULL);
  self->message = g_object_ref (message);
  g_weak_ref_set (&self->conversation, conversation);

  if (is_model (self))
    setup_model (self);
  else
    setup_user (self);

  g_signal_connect_object (message, "notify::status", G_CALLBACK (status_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (message, "notify::siblings", G_CALLBACK (update_branch), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (conversation, "notify::busy", G_CALLBACK (conversation_busy_cb), self, G_CONNECT_SWAPPED);

  status_changed_cb (self);
  update_branch (self);
  /* Left being edited (here before, or before a restart): still is. */
  if (!is_model (self) && starling_message_get_edit_draft (self->message) != NULL)
    open_editor (self);

  return GTK_WIDGET (self);
}

StarlingMessage *
starling_message_row_get_message (StarlingMessageRow *self)
{
  g_return_val_if_fail (STARLING_IS_MESSAGE_ROW (self), NULL);

  return self->message;
}

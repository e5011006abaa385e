/* starling-conversation-row.c: one row of the sidebar (header, conversation or search hit)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "starling-conversation-row.h"
#include "starling-markdown-parser.h"

/* A GtkListView recycles rows: everything shown comes from the bound item, and
 * the only state kept here is the rename in progress, dropped on unbind.
 * The entry and the menu are made in code when first needed: a list keeps up
 * to 200 rows alive, and most are never renamed. */
struct _StarlingConversationRow
{
  GtkWidget                 parent_instance;

  GtkLabel                 *header_label;
  GtkWidget                *content;
  GtkLabel                 *title_label;
  GtkLabel                 *date_label;
  GtkLabel                 *subtitle_label;
  GtkImage                 *pin_icon;
  GtkWidget                *spinner;     /* made when the chat first answers */
  GtkWidget                *unread_dot;  /* made for the first unseen answer */
  GMenuModel               *menu_model;
  GtkEntry                 *entry;   /* made on the first rename */
  GtkPopover               *menu;    /* made on the first right click */

  StarlingConversationInfo *info;
  StarlingSearchResult     *result;
  gulong                    notify_handler;
  guint                     editing : 1;
};

G_DEFINE_FINAL_TYPE (StarlingConversationRow, starling_conversation_row, GTK_TYPE_WIDGET)

/* Pango markup from a snippet with STARLING_SEARCH_MATCH_START/END marks:
 * every piece of text is escaped; only the <b> around matches is markup. */
static char *
markup_from_marked (const char *raw)
{
  g_autofree char *valid = g_utf8_make_valid (raw ? raw : "", -1);
  g_autoptr(GString) markup = g_string_new (NULL);
  const char *p = valid;
  gboolean in_match = FALSE;

  while (*p != '\0')
    {
      const char *mark = strstr (p, in_match ? STARLING_SEARCH_MATCH_END : STARLING_SEARCH_MATCH_START);
      const char *end = mark != NULL ? mark : p + strlen (p);
      g_autofree char *escaped = g_markup_escape_text (p, end - p);

      if (in_match && end > p)
        g_string_append_printf (markup, "<b>%s</b>", escaped);
      else
        g_string_append (markup, escaped);

      if (mark == NULL)
        break;
      p = mark + 1;
      in_match = !in_match;
    }

  /* The snippet is one line in a one-line label. */
  for (char *c = markup->str; *c != '\0'; c++)
    if (*c == '\n' || *c == '\r' || *c == '\t')
      *c = ' ';

  return g_string_free (g_steal_pointer (&markup), FALSE);
}

/* A sidebar row never shows more than this: the label would shape the rest
 * of the text only to ellipsize it, for each of up to 200 rows. */
#define MAX_LINE_CHARS 100

static char *
one_line (const char *text)
{
  const char *end;
  char *copy;
  guint n = 0;

  text = text ? text : "";
  end = text;
  if (g_utf8_validate (text, -1, NULL))
    while (*end != '\0' && n++ < MAX_LINE_CHARS)
      end = g_utf8_next_char (end);
  else
    end = text + strlen (text);
  copy = g_strndup (text, end - text);

  /* Line breaks and runs of blanks become one space. */
  for (char *c = copy, *out = copy;; c++)
    {
      gboolean blank = *c == '\n' || *c == '\r' || *c == '\t' || *c == ' ';

      if (blank && out > copy && out[-1] == ' ')
        continue;
      *out++ = blank ? ' ' : *c;
      if (*c == '\0')
        break;
    }

  return g_strstrip (copy);
}

typedef enum
{
  MODE_HEADER,
  MODE_VIEW,
  MODE_EDIT,
} Mode;

static void
set_mode (StarlingConversationRow *self,
          Mode                     mode)
{
  gtk_widget_set_visible (GTK_WIDGET (self->header_label), mode == MODE_HEADER);
  gtk_widget_set_visible (self->content, mode == MODE_VIEW);
  if (self->entry != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->entry), mode == MODE_EDIT);
}

/* A chat answering in the background shows a spinner; one whose answer
 * finished while the user was elsewhere, a dot until it is opened. */
static void
update_activity (StarlingConversationRow *self)
{
  gboolean answering = starling_conversation_info_get_answering (self->info);
  gboolean unread = !answering && starling_conversation_info_get_unread (self->info);

  if (answering && self->spinner == NULL)
    {
      self->spinner = gtk_spinner_new ();
      gtk_widget_set_valign (self->spinner, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Answering"), -1);
      gtk_widget_set_tooltip_text (self->spinner, _("Answering"));
      gtk_box_insert_child_after (GTK_BOX (self->content), self->spinner, GTK_WIDGET (self->date_label));
    }
  if (self->spinner != NULL)
    {
      gtk_spinner_set_spinning (GTK_SPINNER (self->spinner), answering);
      gtk_widget_set_visible (self->spinner, answering);
    }

  if (unread && self->unread_dot == NULL)
    {
      self->unread_dot = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      gtk_widget_add_css_class (self->unread_dot, "unread-dot");
      gtk_widget_set_valign (self->unread_dot, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->unread_dot), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("New answer"), -1);
      gtk_widget_set_tooltip_text (self->unread_dot, _("New answer"));
      gtk_box_insert_child_after (GTK_BOX (self->content), self->unread_dot, GTK_WIDGET (self->date_label));
    }
  if (self->unread_dot != NULL)
    gtk_widget_set_visible (self->unread_dot, unread);
}

static void
update_from_info (StarlingConversationRow *self)
{
  const char *title = starling_conversation_info_get_title (self->info);
  const char *snippet = starling_conversation_info_get_snippet (self->info);
  gboolean pinned = starling_conversation_info_get_pinned (self->info);
  g_autofree char *title_line = one_line (title);
  /* The snippet is the start of the newest message's Markdown source: show
   * the words, not the syntax. */
  g_autofree char *plain = starling_md_to_plain_text (snippet ? snippet : "", snippet ? strlen (snippet) : 0);
  g_autofree char *snippet_line = one_line (plain);

  if (title_line[0] == '\0')
    gtk_label_set_text (self->title_label, _("New Chat"));
  else
    gtk_label_set_text (self->title_label, title_line);

  g_autofree char *draft_line = one_line (starling_conversation_info_get_draft (self->info));
  gboolean has_draft;

  /* Files attached and nothing typed: their names. */
  if (draft_line[0] == '\0')
    {
      g_free (draft_line);
      draft_line = one_line (starling_conversation_info_get_draft_attachments (self->info));
    }
  has_draft = draft_line[0] != '\0';

  if (has_draft)
    {
      /* Translators: the second line of a conversation in the list when the
       * user typed a message there and has not sent it; %s is its start (or,
       * with nothing typed, the names of the files attached to it). */
      g_autofree char *line = g_strdup_printf (_("Draft: %s"), draft_line);

      gtk_label_set_text (self->subtitle_label, line);
    }
  else if (snippet_line[0] != '\0')
    {
      gtk_label_set_text (self->subtitle_label, snippet_line);
    }
  else
    {
      gtk_label_set_text (self->subtitle_label, starling_conversation_info_get_model (self->info));
    }
  /* An unsent message stands out, in the accent colour. */
  if (has_draft)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->subtitle_label), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->subtitle_label), "accent");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->subtitle_label), "accent");
      gtk_widget_add_css_class (GTK_WIDGET (self->subtitle_label), "dim-label");
    }
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label),
                          gtk_label_get_text (self->subtitle_label)[0] != '\0');

  gtk_widget_set_visible (GTK_WIDGET (self->pin_icon), pinned);
  update_activity (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.pin", !pinned);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "row.unpin", pinned);
}

static void
set_conversation_actions_enabled (StarlingConversationRow *self,
                                  gboolean                 enabled)
{
  static const char * const actions[] = { "row.rename", "row.pin", "row.unpin", "row.export", "row.delete" };

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), actions[i], enabled);
}

static void
info_notify_cb (StarlingConversationRow *self,
                GParamSpec              *pspec,
                StarlingConversationInfo *info)
{
  update_from_info (self);
}

static void
forward_action (StarlingConversationRow *self,
                const char              *sidebar_action)
{
  if (self->info == NULL)
    return;

  gtk_widget_activate_action (GTK_WIDGET (self), sidebar_action, "x",
                              starling_conversation_info_get_id (self->info));
}

static void
row_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  StarlingConversationRow *self = STARLING_CONVERSATION_ROW (widget);

  if (g_str_equal (action_name, "row.rename"))
    starling_conversation_row_start_rename (self);
  else if (g_str_equal (action_name, "row.pin"))
    forward_action (self, "sidebar.pin");
  else if (g_str_equal (action_name, "row.unpin"))
    forward_action (self, "sidebar.unpin");
  else if (g_str_equal (action_name, "row.export"))
    forward_action (self, "sidebar.export");
  else if (g_str_equal (action_name, "row.delete"))
    forward_action (self, "sidebar.delete");
}

static void
entry_activate_cb (StarlingConversationRow *self,
                   GtkEntry                *entry)
{
  starling_conversation_row_stop_rename (self, TRUE);
}

static gboolean
entry_key_pressed_cb (StarlingConversationRow *self,
                      guint                    keyval,
                      guint                    keycode,
                      GdkModifierType          state,
                      GtkEventControllerKey   *controller)
{
  if (keyval == GDK_KEY_Escape)
    {
      starling_conversation_row_stop_rename (self, FALSE);
      return GDK_EVENT_STOP;
    }

  return GDK_EVENT_PROPAGATE;
}

/* Clicking elsewhere keeps what was typed, as GtkEditableLabel does. */
static void
entry_focus_leave_cb (StarlingConversationRow  *self,
                      GtkEventControllerFocus  *controller)
{
  if (self->editing)
    starling_conversation_row_stop_rename (self, TRUE);
}

static void
secondary_pressed_cb (StarlingConversationRow *self,
                      int                      n_press,
                      double                   x,
                      double                   y,
                      GtkGestureClick         *gesture)
{
  if (self->info == NULL || self->editing)
    return;

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  starling_conversation_row_popup_menu (self, x, y);
}

static void
long_pressed_cb (StarlingConversationRow *self,
                 double                   x,
                 double                   y,
                 GtkGestureLongPress     *gesture)
{
  if (self->info == NULL || self->editing)
    return;

  starling_conversation_row_popup_menu (self, x, y);
}

static void
starling_conversation_row_measure (GtkWidget      *widget,
                                   GtkOrientation  orientation,
                                   int             for_size,
                                   int            *minimum,
                                   int            *natural,
                                   int            *minimum_baseline,
                                   int            *natural_baseline)
{
  *minimum = *natural = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_min, child_nat;

      if (!gtk_widget_get_visible (child) || GTK_IS_NATIVE (child))
        continue;

      gtk_widget_measure (child, orientation, for_size, &child_min, &child_nat, NULL, NULL);
      *minimum = MAX (*minimum, child_min);
      *natural = MAX (*natural, child_nat);
    }
}

/* By hand rather than with a layout manager: the context menu is a popover
 * and must be presented on every allocation. */
static void
starling_conversation_row_size_allocate (GtkWidget *widget,
                                         int        width,
                                         int        height,
                                         int        baseline)
{
  StarlingConversationRow *self = STARLING_CONVERSATION_ROW (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_get_visible (child) && !GTK_IS_NATIVE (child))
      gtk_widget_allocate (child, width, height, -1, NULL);

  if (self->menu != NULL && gtk_widget_get_visible (GTK_WIDGET (self->menu)))
    gtk_popover_present (self->menu);
}

static void
starling_conversation_row_dispose (GObject *object)
{
  StarlingConversationRow *self = STARLING_CONVERSATION_ROW (object);

  starling_conversation_row_unbind (self);
  if (self->menu != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->menu));
  self->menu = NULL;
  if (self->entry != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->entry));
  self->entry = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), STARLING_TYPE_CONVERSATION_ROW);

  G_OBJECT_CLASS (starling_conversation_row_parent_class)->dispose (object);
}

static void
starling_conversation_row_class_init (StarlingConversationRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = starling_conversation_row_dispose;
  widget_class->measure = starling_conversation_row_measure;
  widget_class->size_allocate = starling_conversation_row_size_allocate;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/starlingchat/Starling/ui/starling-conversation-row.ui");
  gtk_widget_class_bind_template_child (widget_class, StarlingConversationRow, header_label);
  gtk_widget_class_bind_template_child (widget_class, StarlingConversationRow, content);
  gtk_widget_class_bind_template_child (widget_class, StarlingConversationRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, StarlingConversationRow, date_label);
  gtk_widget_class_bind_template_child (widget_class, StarlingConversationRow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, StarlingConversationRow, pin_icon);
  gtk_widget_class_bind_template_child (widget_class, StarlingConversationRow, menu_model);
  gtk_widget_class_bind_template_callback (widget_class, secondary_pressed_cb);
  gtk_widget_class_bind_template_callback (widget_class, long_pressed_cb);

  gtk_widget_class_install_action (widget_class, "row.rename", NULL, row_action);
  gtk_widget_class_install_action (widget_class, "row.pin", NULL, row_action);
  gtk_widget_class_install_action (widget_class, "row.unpin", NULL, row_action);
  gtk_widget_class_install_action (widget_class, "row.export", NULL, row_action);
  gtk_widget_class_install_action (widget_class, "row.delete", NULL, row_action);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
starling_conversation_row_init (StarlingConversationRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  set_conversation_actions_enabled (self, FALSE);
}

GtkWidget *
starling_conversation_row_new (void)
{
  return g_object_new (STARLING_TYPE_CONVERSATION_ROW, NULL);
}

void
starling_conversation_row_bind_header (StarlingConversationRow *self,
                                       const char              *label)
{
  g_return_if_fail (STARLING_IS_CONVERSATION_ROW (self));

  starling_conversation_row_unbind (self);
  gtk_label_set_text (self->header_label, label);
  set_mode (self, MODE_HEADER);
}

void
starling_conversation_row_bind_conversation (StarlingConversationRow  *self,
                                             StarlingConversationInfo *info)
{
  g_return_if_fail (STARLING_IS_CONVERSATION_ROW (self));
  g_return_if_fail (STARLING_IS_CONVERSATION_INFO (info));

  starling_conversation_row_unbind (self);
  self->info = g_object_ref (info);
  self->notify_handler = g_signal_connect_object (info, "notify", G_CALLBACK (info_notify_cb),
                                                  self, G_CONNECT_SWAPPED);
  gtk_widget_set_visible (GTK_WIDGET (self->date_label), FALSE);
  set_conversation_actions_enabled (self, TRUE);
  update_from_info (self);
  set_mode (self, MODE_VIEW);
}

void
starling_conversation_row_bind_result (StarlingConversationRow *self,
                                       StarlingSearchResult    *result,
                                       GDateTime               *now)
{
  g_autofree char *snippet = NULL;
  g_autofree char *title = NULL;
  g_autofree char *date = NULL;

  g_return_if_fail (STARLING_IS_CONVERSATION_ROW (self));
  g_return_if_fail (STARLING_IS_SEARCH_RESULT (result));

  starling_conversation_row_unbind (self);
  self->result = g_object_ref (result);

  snippet = markup_from_marked (starling_search_result_get_raw_snippet (result));
  title = one_line (starling_search_result_get_title (result));

  if (starling_search_result_get_message_id (result) == 0)
    {
      /* The title itself matched: highlight it there. */
      gtk_label_set_markup (self->title_label, snippet);
      gtk_label_set_text (self->subtitle_label, _("In the title"));
    }
  else
    {
      gtk_label_set_text (self->title_label, title[0] != '\0' ? title : _("New Chat"));
      gtk_label_set_markup (self->subtitle_label, snippet);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), TRUE);

  date = starling_conversation_format_date (starling_search_result_get_time (result), now);
  gtk_label_set_text (self->date_label, date);
  gtk_widget_set_visible (GTK_WIDGET (self->date_label), date[0] != '\0');
  gtk_widget_set_visible (GTK_WIDGET (self->pin_icon), FALSE);
  set_mode (self, MODE_VIEW);
}

void
starling_conversation_row_unbind (StarlingConversationRow *self)
{
  g_return_if_fail (STARLING_IS_CONVERSATION_ROW (self));

  if (self->editing)
    starling_conversation_row_stop_rename (self, FALSE);
  if (self->menu != NULL)
    gtk_popover_popdown (self->menu);

  if (self->info != NULL)
    g_clear_signal_handler (&self->notify_handler, self->info);
  g_clear_object (&self->info);
  g_clear_object (&self->result);
  set_conversation_actions_enabled (self, FALSE);

  /* A title set as markup must not leak its attributes into the next bind. */
  gtk_label_set_use_markup (self->title_label, FALSE);
  gtk_label_set_use_markup (self->subtitle_label, FALSE);
}

StarlingConversationInfo *
starling_conversation_row_get_info (StarlingConversationRow *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION_ROW (self), NULL);

  return self->info;
}

StarlingSearchResult *
starling_conversation_row_get_result (StarlingConversationRow *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION_ROW (self), NULL);

  return self->result;
}

void
starling_conversation_row_start_rename (StarlingConversationRow *self)
{
  g_return_if_fail (STARLING_IS_CONVERSATION_ROW (self));

  if (self->info == NULL || self->editing)
    return;

  if (self->entry == NULL)
    {
      GtkEventController *key = gtk_event_controller_key_new ();
      GtkEventController *focus = gtk_event_controller_focus_new ();

      self->entry = GTK_ENTRY (gtk_entry_new ());
      gtk_entry_set_max_length (self->entry, 200);
      gtk_widget_set_valign (GTK_WIDGET (self->entry), GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Conversation Title"), -1);
      g_signal_connect_swapped (self->entry, "activate", G_CALLBACK (entry_activate_cb), self);
      g_signal_connect_swapped (key, "key-pressed", G_CALLBACK (entry_key_pressed_cb), self);
      g_signal_connect_swapped (focus, "leave", G_CALLBACK (entry_focus_leave_cb), self);
      gtk_widget_add_controller (GTK_WIDGET (self->entry), key);
      gtk_widget_add_controller (GTK_WIDGET (self->entry), focus);
      gtk_widget_set_parent (GTK_WIDGET (self->entry), GTK_WIDGET (self));
    }

  self->editing = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->entry), starling_conversation_info_get_title (self->info));
  set_mode (self, MODE_EDIT);
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
  gtk_editable_select_region (GTK_EDITABLE (self->entry), 0, -1);
}

/**
 * starling_conversation_row_stop_rename:
 * @commit: %TRUE to save what was typed (Enter), %FALSE to drop it (Escape)
 *
 * A committed title goes to the sidebar through the action
 * `sidebar.commit-rename` (id, title); an empty one brings back the title
 * made from the first prompt.
 */
void
starling_conversation_row_stop_rename (StarlingConversationRow *self,
                                       gboolean                 commit)
{
  g_autofree char *text = NULL;
  gboolean had_focus;

  g_return_if_fail (STARLING_IS_CONVERSATION_ROW (self));

  if (!self->editing)
    return;

  self->editing = FALSE;
  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry))));
  had_focus = gtk_widget_has_focus (GTK_WIDGET (self->entry)) ||
              gtk_widget_is_focus (GTK_WIDGET (self->entry)) ||
              gtk_widget_get_focus_child (GTK_WIDGET (self->entry)) != NULL;
  set_mode (self, MODE_VIEW);

  /* Keyboard users go on from the row they renamed. */
  if (had_focus && gtk_widget_get_parent (GTK_WIDGET (self)) != NULL)
    gtk_widget_grab_focus (gtk_widget_get_parent (GTK_WIDGET (self)));

  if (commit && self->info != NULL &&
      g_strcmp0 (text, starling_conversation_info_get_title (self->info)) != 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "sidebar.commit-rename", "(xs)",
                                starling_conversation_info_get_id (self->info), text);
}

gboolean
starling_conversation_row_get_editing (StarlingConversationRow *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION_ROW (self), FALSE);

  return self->editing;
}

/**
 * starling_conversation_row_popup_menu:
 * @x: where the pointer is, in the row's coordinates, or -1 for the keyboard
 * @y: the same, vertically
 */
void
starling_conversation_row_popup_menu (StarlingConversationRow *self,
                                      double                   x,
                                      double                   y)
{
  GdkRectangle rect;

  g_return_if_fail (STARLING_IS_CONVERSATION_ROW (self));

  if (self->info == NULL)
    return;

  if (self->menu == NULL)
    {
      self->menu = GTK_POPOVER (gtk_popover_menu_new_from_model (self->menu_model));
      gtk_widget_set_halign (GTK_WIDGET (self->menu), GTK_ALIGN_START);
      gtk_widget_set_parent (GTK_WIDGET (self->menu), GTK_WIDGET (self));
    }

  if (x < 0 || y < 0)
    {
      rect.x = 0;
      rect.y = 0;
      rect.width = gtk_widget_get_width (GTK_WIDGET (self));
      rect.height = gtk_widget_get_height (GTK_WIDGET (self));
      gtk_popover_set_has_arrow (self->menu, TRUE);
      gtk_popover_set_position (self->menu, GTK_POS_BOTTOM);
    }
  else
    {
      rect = (GdkRectangle) { (int) x, (int) y, 1, 1 };
      gtk_popover_set_has_arrow (self->menu, FALSE);
    }

  gtk_popover_set_pointing_to (self->menu, &rect);
  gtk_popover_popup (self->menu);
}

const char *
starling_conversation_row_get_title (StarlingConversationRow *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION_ROW (self), NULL);

  return gtk_label_get_text (self->title_label);
}

const char *
starling_conversation_row_get_subtitle (StarlingConversationRow *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION_ROW (self), NULL);

  return gtk_label_get_text (self->subtitle_label);
}

/**
 * starling_conversation_format_date:
 * @time_us: microseconds since the epoch
 * @now: (nullable): the present, for tests; %NULL for the clock
 *
 * Returns: a short date for a search hit: the time today, "Yesterday", the
 *   day this year, or the full date
 */
char *
starling_conversation_format_date (gint64     time_us,
                                   GDateTime *now)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) local_now = NULL;
  g_autoptr(GDateTime) yesterday = NULL;
  int y, m, d, ny, nm, nd;

  if (time_us <= 0)
    return g_strdup ("");

  utc = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
  if (utc == NULL)
    return g_strdup ("");
  when = g_date_time_to_local (utc);
  local_now = now != NULL ? g_date_time_to_local (now) : g_date_time_new_now_local ();
  yesterday = g_date_time_add_days (local_now, -1);

  g_date_time_get_ymd (when, &y, &m, &d);
  g_date_time_get_ymd (local_now, &ny, &nm, &nd);
  if (y == ny && m == nm && d == nd)
    /* Translators: the time of a search hit from today; see g_date_time_format() */
    return g_date_time_format (when, _("%H:%M"));

  g_date_time_get_ymd (yesterday, &ny, &nm, &nd);
  if (y == ny && m == nm && d == nd)
    return g_strdup (_("Yesterday"));

  if (y == g_date_time_get_year (local_now))
    /* Translators: a date this year, as "Nov 5"; see g_date_time_format() */
    return g_date_time_format (when, _("%b %-d"));

  /* Translators: a date in another year, as "Nov 5, 2024"; see g_date_time_format() */
  return g_date_time_format (when, _("%b %-d, %Y"));
}

/* starling-markdown-text-view.c: a block of Markdown prose whose links work from the keyboard
 *
 * Tab and Shift+Tab move a focus from link to link inside the text, in
 * reading order, and on to the next widget past the last one, as GtkLabel
 * does with its links; Enter or Space activates the focused link. The view
 * that owns the text says what activating a link does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "starling-markdown-tags.h"
#include "starling-markdown-text-view.h"
#include "starling-markdown-view-private.h"

/* Room kept between a link scrolled into view and the edge (pixels). */
#define SCROLL_MARGIN 24

/* GTK 4.8 lays out each new line of a text view twice: in an idle, to know
 * its height, throwing the layout away; and again for its first snapshot,
 * in the frame that shows it. Laying new lines out once beforehand, a slice
 * at a time between frames, leaves both a cached layout to find: the work is
 * halved and taken out of the frames. Before GTK's own validation idle. */
#define PRELAYOUT_PRIORITY   (GDK_PRIORITY_REDRAW + 4)
#define PRELAYOUT_SLICE_USEC 2000
/* GTK keeps the layouts of 250 lines per view; past that they would only
 * push each other out. */
#define PRELAYOUT_MAX_LINES  200

struct _StarlingMarkdownTextView
{
  GtkTextView  parent_instance;

  /* The link with the keyboard focus, in buffer offsets; -1 for none. */
  int          focus_start;
  int          focus_end;
  /* The link that had it when the focus left the text: focus that comes
   * back neither with Tab nor with a click (from a popover the link opened,
   * or to a window made active again) comes back to it. */
  int          return_start;

  GtkWidget   *tip;
  GtkLabel    *tip_label;

  guint        size_check_id;

  /* The first line that may lack a layout; -1 when all have one. */
  int          prelayout_line;
  guint        prelayout_id;
};

G_DEFINE_FINAL_TYPE (StarlingMarkdownTextView, starling_markdown_text_view, GTK_TYPE_TEXT_VIEW)

enum {
  LINK_FOCUSED,
  LINK_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GArray *
get_links (StarlingMarkdownTextView *self)
{
  return starling_markdown_view_get_buffer_links (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self)));
}

/* The index of the focused link, -1 if none or if the text under it changed. */
static int
focus_index (StarlingMarkdownTextView *self,
             GArray                   *links)
{
  if (self->focus_start < 0 || links == NULL)
    return -1;

  for (guint i = 0; i < links->len; i++)
    {
      const StarlingMdLink *link = &g_array_index (links, StarlingMdLink, i);

      if (link->start == (guint) self->focus_start && link->end == (guint) self->focus_end)
        return (int) i;
      if (link->start > (guint) self->focus_start)
        break;
    }

  return -1;
}

static void
get_link_bounds (StarlingMarkdownTextView *self,
                 const StarlingMdLink     *link,
                 GtkTextIter              *start,
                 GtkTextIter              *end)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));

  gtk_text_buffer_get_iter_at_offset (buffer, start, (int) MIN (link->start, (guint) G_MAXINT));
  gtk_text_buffer_get_iter_at_offset (buffer, end, (int) MIN (link->end, (guint) G_MAXINT));
}

static void
hide_tip (StarlingMarkdownTextView *self)
{
  if (self->tip != NULL)
    gtk_popover_popdown (GTK_POPOVER (self->tip));
}

/* The enclosing scrolled window shows the whole link, if it can. */
static void
scroll_to_link (StarlingMarkdownTextView *self,
                const StarlingMdLink     *link)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;
  GdkRectangle rect;
  double x, y;
  int height;

  if (scroller == NULL)
    return;

  starling_markdown_text_view_get_link_rectangle (self, link, &rect);
  if (!gtk_widget_translate_coordinates (GTK_WIDGET (self), scroller, rect.x, rect.y, &x, &y))
    return;

  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  height = gtk_widget_get_height (scroller);
  if (y < 0)
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + y - SCROLL_MARGIN);
  else if (y + rect.height > height)
    gtk_adjustment_set_value (adjustment,
                              gtk_adjustment_get_value (adjustment) + y + rect.height - height + SCROLL_MARGIN);
}

/* Screen readers hear the link as the text view's name while it has the
 * focus (a focused widget's name change is announced), its target or what
 * it stands for as the description. */
static void
update_accessible (StarlingMarkdownTextView *self,
                   const StarlingMdLink     *link)
{
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_autofree char *label = NULL;
  guint index;

  if (link == NULL)
    {
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      return;
    }

  get_link_bounds (self, link, &start, &end);
  text = gtk_text_iter_get_text (&start, &end);
  if (starling_md_uri_get_citation (link->uri, &index))
    {
      /* Translators: the name a screen reader says for a citation marker [N] */
      label = g_strdup_printf (_("Source %u"), index + 1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Press Enter for its details"),
                                      -1);
    }
  else
    {
      /* Translators: the name a screen reader says for a link in an answer; %s is its text */
      label = g_strdup_printf (_("Link: %s"), text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, link->uri,
                                      -1);
    }
}

static void
set_focus_link (StarlingMarkdownTextView *self,
                const StarlingMdLink     *link)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
  GtkTextTag *tag = starling_markdown_tags_get ()->link_focus;
  GtkTextIter start, end;

  if (link == NULL && self->focus_start < 0)
    return;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag (buffer, tag, &start, &end);
  hide_tip (self);
  self->focus_start = link != NULL ? (int) link->start : -1;
  self->focus_end = link != NULL ? (int) link->end : -1;

  if (link != NULL)
    {
      get_link_bounds (self, link, &start, &end);
      gtk_text_buffer_apply_tag (buffer, tag, &start, &end);
      /* The caret of the accessible text is where the focus is. */
      gtk_text_buffer_place_cursor (buffer, &start);
      scroll_to_link (self, link);
    }

  update_accessible (self, link);
  g_signal_emit (self, signals[LINK_FOCUSED], 0, link);
}

/* Moves the focus to the next or previous link; %FALSE past the last or
 * the first one, with no link focused then. */
static gboolean
move_focus_link (StarlingMarkdownTextView *self,
                 GtkDirectionType          direction)
{
  GArray *links = get_links (self);
  int current = focus_index (self, links);
  int n = links != NULL ? (int) links->len : 0;
  int step = direction == GTK_DIR_TAB_BACKWARD ? -1 : 1;
  int i;

  if (current >= 0)
    {
      i = current + step;
    }
  else if (self->focus_start >= 0)
    {
      /* The focused link was rendered again (streaming): go on from where it was. */
      for (i = 0; i < n && g_array_index (links, StarlingMdLink, i).start < (guint) self->focus_start; i++)
        ;
      if (step < 0)
        i--;
    }
  else
    {
      i = step > 0 ? 0 : n - 1;
    }

  for (; i >= 0 && i < n; i += step)
    {
      const StarlingMdLink *link = &g_array_index (links, StarlingMdLink, i);

      if (starling_md_uri_is_allowed (link->uri))
        {
          set_focus_link (self, link);
          return TRUE;
        }
    }

  set_focus_link (self, NULL);

  return FALSE;
}

static gboolean
activate_focus_link_cb (GtkWidget *widget,
                        GVariant  *args,
                        gpointer   user_data)
{
  StarlingMarkdownTextView *self = STARLING_MARKDOWN_TEXT_VIEW (widget);
  GArray *links = get_links (self);
  int index = focus_index (self, links);
  const StarlingMdLink *link;

  /* Without a focused link, the key goes on (to the row, say). */
  if (index < 0)
    return FALSE;

  link = &g_array_index (links, StarlingMdLink, index);
  hide_tip (self);
  g_signal_emit (self, signals[LINK_ACTIVATED], 0, link);

  return TRUE;
}

static void
focus_enter_cb (StarlingMarkdownTextView *self)
{
  GArray *links = get_links (self);
  int start = self->return_start;

  /* Back from what a link activated from the keyboard opened. */
  self->return_start = -1;
  if (start < 0 || links == NULL)
    return;

  for (guint i = 0; i < links->len; i++)
    {
      const StarlingMdLink *link = &g_array_index (links, StarlingMdLink, i);

      if (link->start == (guint) start)
        {
          set_focus_link (self, link);
          break;
        }
    }
}

static void
focus_leave_cb (StarlingMarkdownTextView *self)
{
  self->return_start = self->focus_start;
  set_focus_link (self, NULL);
}

/* The mouse puts the focus where it clicks, not back on a link. */
static void
pressed_cb (StarlingMarkdownTextView *self)
{
  self->return_start = -1;
  set_focus_link (self, NULL);
}

static gboolean
starling_markdown_text_view_focus (GtkWidget        *widget,
                                   GtkDirectionType  direction)
{
  StarlingMarkdownTextView *self = STARLING_MARKDOWN_TEXT_VIEW (widget);

  if (direction != GTK_DIR_TAB_FORWARD && direction != GTK_DIR_TAB_BACKWARD)
    return GTK_WIDGET_CLASS (starling_markdown_text_view_parent_class)->focus (widget, direction);

  /* Coming in from another widget: on the first link, or on the last one
   * coming backwards; the text itself when it has none. */
  if (!gtk_widget_is_focus (widget))
    {
      if (!GTK_WIDGET_CLASS (starling_markdown_text_view_parent_class)->focus (widget, direction))
        return FALSE;
      self->return_start = -1;
      set_focus_link (self, NULL);
      move_focus_link (self, direction);
      return TRUE;
    }

  return move_focus_link (self, direction);
}

/* Laid out for another width, the layouts would be thrown away: lines wait
 * for the view's allocation (size_allocate starts them again). */
static gboolean
can_prelayout (StarlingMarkdownTextView *self)
{
  return self->prelayout_line >= 0 && gtk_widget_get_width (GTK_WIDGET (self)) > 0 &&
         gtk_widget_get_mapped (GTK_WIDGET (self));
}

static gboolean
prelayout_cb (gpointer user_data)
{
  StarlingMarkdownTextView *self = user_data;
  GtkTextView *text_view = GTK_TEXT_VIEW (self);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (text_view);
  gint64 deadline = g_get_monotonic_time () + PRELAYOUT_SLICE_USEC;
  GtkTextIter iter;
  GdkRectangle location;
  int last;

  if (!can_prelayout (self))
    {
      self->prelayout_id = 0;
      return G_SOURCE_REMOVE;
    }

  last = MIN (gtk_text_buffer_get_line_count (buffer) - 1, self->prelayout_line + PRELAYOUT_MAX_LINES - 1);
  gtk_text_buffer_get_iter_at_line (buffer, &iter, self->prelayout_line);
  while (self->prelayout_line <= last)
    {
      /* Needs the line's whole layout, which GTK then keeps. */
      gtk_text_view_get_iter_location (text_view, &iter, &location);
      self->prelayout_line++;
      if (!gtk_text_iter_forward_line (&iter) || g_get_monotonic_time () > deadline)
        break;
    }

  if (self->prelayout_line <= last)
    return G_SOURCE_CONTINUE;

  self->prelayout_line = -1;
  self->prelayout_id = 0;

  return G_SOURCE_REMOVE;
}

static void
schedule_prelayout (StarlingMarkdownTextView *self)
{
  if (self->prelayout_id == 0 && can_prelayout (self))
    self->prelayout_id = g_idle_add_full (PRELAYOUT_PRIORITY, prelayout_cb, self, NULL);
}

static void
lines_changed (StarlingMarkdownTextView *self,
               int                       line)
{
  if (self->prelayout_line < 0 || line < self->prelayout_line)
    self->prelayout_line = line;
  schedule_prelayout (self);
}

/* Before the insertion: @location is where the new text starts. */
static void
text_inserted_cb (StarlingMarkdownTextView *self,
                  GtkTextIter              *location)
{
  lines_changed (self, gtk_text_iter_get_line (location));
}

static void
range_changed_cb (StarlingMarkdownTextView *self,
                  GtkTextIter              *start)
{
  lines_changed (self, gtk_text_iter_get_line (start));
}

static void
tag_changed_cb (StarlingMarkdownTextView *self,
                GtkTextTag               *tag,
                GtkTextIter              *start)
{
  lines_changed (self, gtk_text_iter_get_line (start));
}

/* Once GTK has laid out the text in idle time: is the view as tall as it
 * now measures? */
static gboolean
size_check_cb (gpointer user_data)
{
  StarlingMarkdownTextView *self = user_data;
  GtkWidget *widget = GTK_WIDGET (self);
  int height;

  self->size_check_id = 0;
  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (widget), &height, NULL, NULL, NULL);
  if (gtk_widget_get_height (widget) < height)
    gtk_widget_queue_resize (widget);

  return G_SOURCE_REMOVE;
}

static void
starling_markdown_text_view_size_allocate (GtkWidget *widget,
                                           int        width,
                                           int        height,
                                           int        baseline)
{
  StarlingMarkdownTextView *self = STARLING_MARKDOWN_TEXT_VIEW (widget);
  int before, after;

  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, -1, &before, NULL, NULL, NULL);
  GTK_WIDGET_CLASS (starling_markdown_text_view_parent_class)->size_allocate (widget, width, height, baseline);
  schedule_prelayout (self);

  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, -1, &after, NULL, NULL, NULL);

  /* GTK 4.8 can allocate a text view before its text is laid out (0 pixels
   * for a whole answer) and then not ask for more. And allocated, a text
   * view lays out the lines now on screen: if it grows then, the resize it
   * asks for is dropped (queued during an allocation), and if no line is
   * left for GTK's layout idle, nothing asks again; the new text would
   * stay cut off. Checked once that idle (a higher priority) has run. */
  if (self->size_check_id == 0 && (after != before || height == 0) &&
      gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget))) > 0)
    self->size_check_id = g_idle_add_full (GDK_PRIORITY_REDRAW + 10, size_check_cb, self, NULL);

  if (self->tip != NULL && gtk_widget_get_visible (self->tip))
    gtk_popover_present (GTK_POPOVER (self->tip));
}

static void
starling_markdown_text_view_dispose (GObject *object)
{
  StarlingMarkdownTextView *self = STARLING_MARKDOWN_TEXT_VIEW (object);

  g_clear_handle_id (&self->size_check_id, g_source_remove);
  g_clear_handle_id (&self->prelayout_id, g_source_remove);
  if (self->tip != NULL)
    {
      gtk_widget_unparent (self->tip);
      self->tip = NULL;
      self->tip_label = NULL;
    }

  G_OBJECT_CLASS (starling_markdown_text_view_parent_class)->dispose (object);
}

static void
starling_markdown_text_view_class_init (StarlingMarkdownTextViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  static const guint activate_keys[] = {
    GDK_KEY_Return, GDK_KEY_KP_Enter, GDK_KEY_ISO_Enter, GDK_KEY_space, GDK_KEY_KP_Space,
  };

  object_class->dispose = starling_markdown_text_view_dispose;

  widget_class->focus = starling_markdown_text_view_focus;
  widget_class->size_allocate = starling_markdown_text_view_size_allocate;

  /**
   * StarlingMarkdownTextView::link-focused:
   * @link: (nullable): the link that got the keyboard focus, %NULL when no
   *   link has it any more
   */
  signals[LINK_FOCUSED] =
    g_signal_new ("link-focused",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);

  /**
   * StarlingMarkdownTextView::link-activated:
   * @link: the focused link, activated with Enter or Space
   */
  signals[LINK_ACTIVATED] =
    g_signal_new ("link-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);

  for (guint i = 0; i < G_N_ELEMENTS (activate_keys); i++)
    gtk_widget_class_add_binding (widget_class, activate_keys[i], 0, activate_focus_link_cb, NULL);
}

static void
starling_markdown_text_view_init (StarlingMarkdownTextView *self)
{
  GtkEventController *focus = gtk_event_controller_focus_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  self->focus_start = -1;
  self->focus_end = -1;
  self->return_start = -1;
  self->prelayout_line = -1;

  g_signal_connect_swapped (focus, "enter", G_CALLBACK (focus_enter_cb), self);
  g_signal_connect_swapped (focus, "leave", G_CALLBACK (focus_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

/**
 * starling_markdown_text_view_new:
 * @buffer: a buffer of Markdown prose
 *
 * Returns: (transfer floating): a read-only text view of @buffer
 */
GtkWidget *
starling_markdown_text_view_new (GtkTextBuffer *buffer)
{
  StarlingMarkdownTextView *self = g_object_new (STARLING_TYPE_MARKDOWN_TEXT_VIEW,
                                                 "buffer", buffer,
                                                 NULL);

  g_signal_connect_object (buffer, "insert-text", G_CALLBACK (text_inserted_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (buffer, "delete-range", G_CALLBACK (range_changed_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (buffer, "apply-tag", G_CALLBACK (tag_changed_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (buffer, "remove-tag", G_CALLBACK (tag_changed_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  if (gtk_text_buffer_get_char_count (buffer) > 0)
    lines_changed (self, 0);

  return GTK_WIDGET (self);
}

/**
 * starling_markdown_text_view_get_focus_link:
 * @self: a #StarlingMarkdownTextView
 *
 * Returns: (nullable): the link with the keyboard focus
 */
const StarlingMdLink *
starling_markdown_text_view_get_focus_link (StarlingMarkdownTextView *self)
{
  GArray *links;
  int index;

  g_return_val_if_fail (STARLING_IS_MARKDOWN_TEXT_VIEW (self), NULL);

  links = get_links (self);
  index = focus_index (self, links);

  return index >= 0 ? &g_array_index (links, StarlingMdLink, index) : NULL;
}

/**
 * starling_markdown_text_view_get_link_rectangle:
 * @self: a #StarlingMarkdownTextView
 * @link: one of its links
 * @rect: (out): where the link's first line is, in @self's coordinates
 */
void
starling_markdown_text_view_get_link_rectangle (StarlingMarkdownTextView *self,
                                                const StarlingMdLink     *link,
                                                GdkRectangle             *rect)
{
  GtkTextView *text_view = GTK_TEXT_VIEW (self);
  GtkTextIter start, end, line_end;
  GdkRectangle first, last;

  g_return_if_fail (STARLING_IS_MARKDOWN_TEXT_VIEW (self));
  g_return_if_fail (link != NULL && rect != NULL);

  get_link_bounds (self, link, &start, &end);
  gtk_text_view_get_iter_location (text_view, &start, &first);
  /* A wrapped link: up to the end of its first display line. */
  line_end = start;
  if (!gtk_text_view_forward_display_line_end (text_view, &line_end) ||
      gtk_text_iter_compare (&line_end, &end) > 0)
    line_end = end;
  if (gtk_text_iter_compare (&line_end, &start) > 0)
    gtk_text_iter_backward_char (&line_end);
  gtk_text_view_get_iter_location (text_view, &line_end, &last);
  if (last.y == first.y)
    gdk_rectangle_union (&first, &last, &first);

  gtk_text_view_buffer_to_window_coords (text_view, GTK_TEXT_WINDOW_WIDGET, first.x, first.y,
                                         &rect->x, &rect->y);
  rect->width = MAX (first.width, 1);
  rect->height = MAX (first.height, 1);
}

/**
 * starling_markdown_text_view_describe_focus_link:
 * @self: a #StarlingMarkdownTextView
 * @start: where the link described starts
 * @description: (nullable): what the link stands for (a marker's sources)
 *
 * If the link at @start has the keyboard focus, shows @description beside
 * it, as a tooltip shows it to the mouse, and tells screen readers.
 */
void
starling_markdown_text_view_describe_focus_link (StarlingMarkdownTextView *self,
                                                 guint                     start,
                                                 const char               *description)
{
  const StarlingMdLink *link;
  GdkRectangle rect;

  g_return_if_fail (STARLING_IS_MARKDOWN_TEXT_VIEW (self));

  link = starling_markdown_text_view_get_focus_link (self);
  if (link == NULL || link->start != start || description == NULL || *description == '\0')
    return;

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);

  if (self->tip == NULL)
    {
      GtkWidget *label = gtk_label_new (NULL);

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 50);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      self->tip = gtk_popover_new ();
      self->tip_label = GTK_LABEL (label);
      gtk_popover_set_child (GTK_POPOVER (self->tip), label);
      /* Like a tooltip: it never takes the focus or the pointer. */
      gtk_popover_set_autohide (GTK_POPOVER (self->tip), FALSE);
      gtk_popover_set_position (GTK_POPOVER (self->tip), GTK_POS_BOTTOM);
      gtk_widget_set_can_focus (self->tip, FALSE);
      gtk_widget_set_can_target (self->tip, FALSE);
      gtk_widget_add_css_class (self->tip, "starling-link-tip");
      gtk_widget_set_parent (self->tip, GTK_WIDGET (self));
    }

  gtk_label_set_text (self->tip_label, description);
  starling_markdown_text_view_get_link_rectangle (self, link, &rect);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->tip), &rect);
  gtk_popover_popup (GTK_POPOVER (self->tip));
}

/* starling-markdown-view.c: Markdown rendered into GTK widgets, incrementally while it streams
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <time.h>

#include "starling-markdown-code-block.h"
#include "starling-markdown-parser.h"
#include "starling-markdown-table.h"
#include "starling-markdown-tags.h"
#include "starling-markdown-text-view.h"
#include "starling-markdown-view-private.h"

/* A text view is re-drawn whole when its text changes, and GTK keeps the
 * layout of about 250 lines per view: long prose is cut into several views,
 * at top-level block boundaries. */
#define MAX_LINES_PER_TEXT_VIEW 120
#define MAX_CHARS_PER_TEXT_VIEW 24000

/* Every render costs a frame or two of layout and repaint, whatever its
 * size: streamed text is shown at most 30 times a second (microseconds). */
#define MIN_RENDER_INTERVAL 33000

/* Text that arrives faster than this per render is shown over several
 * renders, so no frame has to lay out a big piece at once. */
#define MAX_BYTES_PER_RENDER 4096

typedef enum
{
  SEGMENT_PROSE,
  SEGMENT_CODE,
  SEGMENT_TABLE,
} SegmentKind;

/* One child widget of the view. */
typedef struct
{
  SegmentKind    kind;
  GtkWidget     *widget;
  GtkTextBuffer *buffer;    /* prose */
  GArray        *links;     /* prose: StarlingMdLink in buffer offsets */
  guint          n_chars;
  guint          n_lines;
  guint          n_units;
} Segment;

/* A unit of the tail (not yet final) and where it went. */
typedef struct
{
  StarlingMdUnit *unit;
  Segment        *segment;
  guint           char_start;      /* prose: the segment's length before it */
  guint           lines_before;
  guint           links_before;
  guint           units_before;
} Placed;

struct _StarlingMarkdownView
{
  GtkWidget                  parent_instance;

  GString                   *source;
  char                       pending_utf8[4];
  guint                      n_pending_utf8;

  GPtrArray                 *segments;
  GPtrArray                 *tail;
  gsize                      commit_offset;
  guint64                    commit_hash;
  guint                      n_committed_units;

  /* Start of the last line that may begin a new top-level block. */
  gsize                      scan_offset;
  gboolean                   scan_prev_blank;
  gsize                      candidate;
  gsize                      tried_candidate;

  /* The stream as received so far for rendering, and as rendered: a line
   * that may become a code fence is held back until it is complete. */
  GdkRectangle               link_area;   /* of the last link clicked, in the view */
  GtkTextView               *hovered_view;   /* the link under the pointer, if any */
  guint                      hovered_start;
  char                      *hovered_uri;
  gsize                      visible_len;
  gsize                      rendered_len;
  guint                      tick_id;
  guint                      delay_id;
  gint64                     last_render_time;
  gboolean                   finishing;
  gboolean                   finished;
  gboolean                   committed_in_pieces;

  /* Selection across blocks: the block it started in and where, and the
   * drag of the primary button the view took over from the blocks. */
  GtkWidget                 *select_anchor;
  guint                      select_anchor_lo;
  guint                      select_anchor_hi;
  GtkWidget                 *select_target;
  gboolean                   select_pressed;
  gboolean                   select_taken;
  guint                      select_scroll_id;
  double                     select_scroll_x;   /* the pointer, in the scrolled window */
  double                     select_scroll_y;

  StarlingMarkdownViewStats  stats;
};

G_DEFINE_FINAL_TYPE (StarlingMarkdownView, starling_markdown_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TEXT,
  PROP_STREAMING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  ACTIVATE_LINK,
  LINK_HOVERED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
segment_free (Segment *segment)
{
  if (segment->widget != NULL)
    {
      if (gtk_widget_get_parent (segment->widget) != NULL)
        gtk_widget_unparent (segment->widget);
      g_object_unref (segment->widget);
    }
  if (segment->buffer != NULL)
    {
      g_object_set_data (G_OBJECT (segment->buffer), "starling-markdown-segment", NULL);
      g_object_unref (segment->buffer);
    }
  if (segment->links != NULL)
    {
      for (guint i = 0; i < segment->links->len; i++)
        g_free (g_array_index (segment->links, StarlingMdLink, i).uri);
      g_array_unref (segment->links);
    }
  g_free (segment);
}

static void
placed_free (Placed *placed)
{
  starling_md_unit_free (placed->unit);
  g_free (placed);
}

/* CPU time, for the counters: wall time would count other processes too. */
static gint64
thread_cpu_usec (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);

  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static guint64
hash_combine (guint64 hash,
              guint64 unit_hash)
{
  return (hash ^ unit_hash) * G_GUINT64_CONSTANT (1099511628211) + 0x9e3779b97f4a7c15;
}

static const StarlingMdLink *
segment_link_at (Segment *segment,
                 guint    offset)
{
  guint low = 0;
  guint high;

  if (segment->links == NULL)
    return NULL;

  high = segment->links->len;
  while (low < high)
    {
      guint mid = (low + high) / 2;
      const StarlingMdLink *link = &g_array_index (segment->links, StarlingMdLink, mid);

      if (offset < link->start)
        high = mid;
      else if (offset >= link->end)
        low = mid + 1;
      else
        return link;
    }

  return NULL;
}

static const char *
link_at_location (GtkTextView *text_view,
                  double       x,
                  double       y)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (text_view);
  Segment *segment = g_object_get_data (G_OBJECT (buffer), "starling-markdown-segment");
  const StarlingMdLink *link;
  GtkTextIter iter;
  int buffer_x, buffer_y;

  if (segment == NULL)
    return NULL;

  gtk_text_view_window_to_buffer_coords (text_view, GTK_TEXT_WINDOW_WIDGET, x, y,
                                         &buffer_x, &buffer_y);
  if (!gtk_text_view_get_iter_at_location (text_view, &iter, buffer_x, buffer_y))
    return NULL;

  link = segment_link_at (segment, gtk_text_iter_get_offset (&iter));

  return link != NULL ? link->uri : NULL;
}

static void
activate_link (StarlingMarkdownView *self,
               const char           *uri)
{
  gboolean handled = FALSE;

  if (uri != NULL && starling_md_uri_is_allowed (uri))
    g_signal_emit (self, signals[ACTIVATE_LINK], 0, uri, &handled);
}

static void
link_released_cb (GtkGestureClick      *gesture,
                  int                   n_press,
                  double                x,
                  double                y,
                  StarlingMarkdownView *self)
{
  GtkWidget *text_view = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));

  double view_x, view_y;

  /* A drag that selected text is not a click on a link. */
  if (n_press != 1 || gtk_text_buffer_get_has_selection (gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view))))
    return;

  /* Where a popover about the link points. */
  if (gtk_widget_translate_coordinates (text_view, GTK_WIDGET (self), x, y, &view_x, &view_y))
    self->link_area = (GdkRectangle) { (int) view_x, (int) view_y, 1, 1 };

  activate_link (self, link_at_location (GTK_TEXT_VIEW (text_view), x, y));
}

static gboolean
table_link_cb (StarlingMarkdownView *self,
               const char           *uri)
{
  activate_link (self, uri);

  return TRUE;
}

static void
clear_highlight (StarlingMarkdownView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  if (self->hovered_view == NULL)
    return;

  buffer = gtk_text_view_get_buffer (self->hovered_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag (buffer, starling_markdown_tags_get ()->highlight, &start, &end);
}

/* The pointer moved onto a link, or off one (@link %NULL). */
static void
set_hovered_link (StarlingMarkdownView *self,
                  GtkTextView          *text_view,
                  const StarlingMdLink *link)
{
  const char *uri = link != NULL ? link->uri : NULL;

  if (g_strcmp0 (uri, self->hovered_uri) == 0 &&
      (link == NULL || (self->hovered_view == text_view && self->hovered_start == link->start)))
    return;

  clear_highlight (self);
  g_free (self->hovered_uri);
  self->hovered_uri = g_strdup (uri);
  g_set_weak_pointer (&self->hovered_view, link != NULL ? text_view : NULL);
  self->hovered_start = link != NULL ? link->start : 0;
  g_signal_emit (self, signals[LINK_HOVERED], 0, uri);
}

static void
link_motion_cb (GtkEventControllerMotion *controller,
                double                    x,
                double                    y,
                StarlingMarkdownView     *self)
{
  GtkWidget *text_view = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));
  Segment *segment = g_object_get_data (G_OBJECT (buffer), "starling-markdown-segment");
  const StarlingMdLink *link = NULL;
  const char *cursor;
  GtkTextIter iter;
  int buffer_x, buffer_y;

  gtk_text_view_window_to_buffer_coords (GTK_TEXT_VIEW (text_view), GTK_TEXT_WINDOW_WIDGET, x, y,
                                         &buffer_x, &buffer_y);
  if (segment != NULL &&
      gtk_text_view_get_iter_at_location (GTK_TEXT_VIEW (text_view), &iter, buffer_x, buffer_y))
    link = segment_link_at (segment, gtk_text_iter_get_offset (&iter));
  if (link != NULL && !starling_md_uri_is_allowed (link->uri))
    link = NULL;

  cursor = link != NULL ? "pointer" : "text";
  if (g_strcmp0 (g_object_get_data (G_OBJECT (text_view), "starling-cursor"), cursor) != 0)
    {
      g_object_set_data (G_OBJECT (text_view), "starling-cursor", (gpointer) cursor);
      gtk_widget_set_cursor_from_name (text_view, cursor);
    }

  set_hovered_link (self, GTK_TEXT_VIEW (text_view), link);
}

static void
link_leave_cb (GtkEventControllerMotion *controller,
               StarlingMarkdownView     *self)
{
  set_hovered_link (self, NULL, NULL);
}

/* Keyboard focus on a link does what the pointer on it does. */
static void
text_link_focused_cb (StarlingMarkdownTextView *text_view,
                      const StarlingMdLink     *link,
                      StarlingMarkdownView     *self)
{
  if (link != NULL)
    set_hovered_link (self, GTK_TEXT_VIEW (text_view), link);
  else if (self->hovered_view == GTK_TEXT_VIEW (text_view))
    set_hovered_link (self, NULL, NULL);
}

/* Enter on a link does what a click on it does. */
static void
text_link_activated_cb (StarlingMarkdownTextView *text_view,
                        const StarlingMdLink     *link,
                        StarlingMarkdownView     *self)
{
  GdkRectangle rect;
  double view_x, view_y;

  starling_markdown_text_view_get_link_rectangle (text_view, link, &rect);
  if (gtk_widget_translate_coordinates (GTK_WIDGET (text_view), GTK_WIDGET (self), rect.x, rect.y,
                                        &view_x, &view_y))
    self->link_area = (GdkRectangle) { (int) view_x, (int) view_y, rect.width, rect.height };

  activate_link (self, link->uri);
}

/* Selection across blocks
 *
 * Each block keeps its own part of a selection (a text buffer's selection,
 * a table's selected cells), so a part survives whatever happens to the
 * other blocks while streaming. The view only remembers where a selection
 * started, and takes over a drag of the primary button when it leaves the
 * block it started in: from then on it selects in every block from that
 * start to the pointer. */

static GtkTextView *
segment_text_view (Segment *segment)
{
  switch (segment->kind)
    {
    case SEGMENT_PROSE:
      return GTK_TEXT_VIEW (segment->widget);
    case SEGMENT_CODE:
      return starling_markdown_code_block_get_text_view (
        STARLING_MARKDOWN_CODE_BLOCK (segment->widget));
    default:
      return NULL;
    }
}

/* Characters in a text, cells in a table. */
static guint
segment_length (Segment *segment)
{
  GtkTextView *text_view = segment_text_view (segment);
  StarlingMarkdownTable *table;

  if (text_view != NULL)
    return gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (text_view));

  table = STARLING_MARKDOWN_TABLE (segment->widget);

  return starling_markdown_table_get_n_rows (table) * starling_markdown_table_get_n_cols (table);
}

/* The index of the block that is or holds @widget, -1 if none. */
static int
block_of_widget (StarlingMarkdownView *self,
                 GtkWidget            *widget)
{
  while (widget != NULL && gtk_widget_get_parent (widget) != GTK_WIDGET (self))
    widget = gtk_widget_get_parent (widget);

  for (guint i = 0; widget != NULL && i < self->segments->len; i++)
    {
      if (((Segment *) g_ptr_array_index (self->segments, i))->widget == widget)
        return (int) i;
    }

  return -1;
}

/* The block at height @y, the next one in the space between two, the
 * first one above them all and the last one below; -1 when there is none. */
static int
block_at_y (StarlingMarkdownView *self,
            double                y)
{
  for (guint i = 0; i < self->segments->len; i++)
    {
      Segment *segment = g_ptr_array_index (self->segments, i);
      graphene_rect_t bounds;

      if (gtk_widget_compute_bounds (segment->widget, GTK_WIDGET (self), &bounds) &&
          y < bounds.origin.y + bounds.size.height)
        return (int) i;
    }

  return (int) self->segments->len - 1;
}

/* Where the point (@x, @y) of the view falls in @segment: above it is its
 * start, below it its end; in a table, the cell [@lo, @hi) under it. */
static void
segment_position_at (StarlingMarkdownView *self,
                     Segment              *segment,
                     double                x,
                     double                y,
                     guint                *lo,
                     guint                *hi)
{
  GtkTextView *text_view = segment_text_view (segment);
  GtkWidget *widget = text_view != NULL ? GTK_WIDGET (text_view) : segment->widget;
  graphene_rect_t bounds;

  *lo = *hi = 0;
  if (!gtk_widget_compute_bounds (widget, GTK_WIDGET (self), &bounds) || y < bounds.origin.y)
    return;

  if (y >= bounds.origin.y + bounds.size.height)
    {
      *lo = *hi = segment_length (segment);
      return;
    }

  x -= bounds.origin.x;
  y -= bounds.origin.y;
  if (text_view != NULL)
    {
      GtkTextIter iter;
      int buffer_x, buffer_y, trailing;

      gtk_text_view_window_to_buffer_coords (text_view, GTK_TEXT_WINDOW_WIDGET, x, y,
                                             &buffer_x, &buffer_y);
      gtk_text_view_get_iter_at_position (text_view, &iter, &trailing, buffer_x, buffer_y);
      gtk_text_iter_forward_chars (&iter, trailing);
      *lo = *hi = gtk_text_iter_get_offset (&iter);
    }
  else
    {
      *lo = starling_markdown_table_get_cell_at (STARLING_MARKDOWN_TABLE (segment->widget), x, y);
      *hi = *lo + 1;
    }
}

/* Shows [@lo, @hi) of @segment selected, nothing if @hi <= @lo. */
static void
segment_select (Segment *segment,
                guint    lo,
                guint    hi)
{
  GtkTextView *text_view = segment_text_view (segment);
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  if (text_view == NULL)
    {
      starling_markdown_table_select_cells (STARLING_MARKDOWN_TABLE (segment->widget), lo, hi);
      return;
    }

  buffer = gtk_text_view_get_buffer (text_view);
  if (hi <= lo)
    {
      if (gtk_text_buffer_get_selection_bounds (buffer, &start, &end))
        gtk_text_buffer_select_range (buffer, &start, &start);
      return;
    }

  if (gtk_text_buffer_get_selection_bounds (buffer, &start, &end) &&
      (guint) gtk_text_iter_get_offset (&start) == lo &&
      (guint) gtk_text_iter_get_offset (&end) == hi)
    return;

  gtk_text_buffer_get_iter_at_offset (buffer, &start, (int) lo);
  gtk_text_buffer_get_iter_at_offset (buffer, &end, (int) hi);
  gtk_text_buffer_select_range (buffer, &start, &end);
}

/* What @segment shows selected; %FALSE if nothing. */
static gboolean
segment_get_selection (Segment *segment,
                       guint   *lo,
                       guint   *hi)
{
  GtkTextView *text_view = segment_text_view (segment);
  GtkTextIter start, end;

  if (text_view == NULL)
    return starling_markdown_table_get_selected_cells (STARLING_MARKDOWN_TABLE (segment->widget),
                                                       lo, hi);

  if (!gtk_text_buffer_get_selection_bounds (gtk_text_view_get_buffer (text_view), &start, &end))
    return FALSE;

  *lo = gtk_text_iter_get_offset (&start);
  *hi = gtk_text_iter_get_offset (&end);

  return TRUE;
}

static void
unselect_all (StarlingMarkdownView *self)
{
  for (guint i = 0; i < self->segments->len; i++)
    segment_select (g_ptr_array_index (self->segments, i), 0, 0);
}

/* The block the selection started in, -1 if it is gone. */
static int
anchor_block (StarlingMarkdownView *self)
{
  return self->select_anchor != NULL ? block_of_widget (self, self->select_anchor) : -1;
}

static void
set_anchor (StarlingMarkdownView *self,
            guint                 index,
            guint                 lo,
            guint                 hi)
{
  Segment *segment = g_ptr_array_index (self->segments, index);

  g_set_weak_pointer (&self->select_anchor, segment->widget);
  self->select_anchor_lo = lo;
  self->select_anchor_hi = hi;
}

/* Selects from the anchor to (@index, [@lo, @hi)), whichever comes first:
 * the blocks between wholly, the two ends from or up to the position. */
static void
select_from_anchor (StarlingMarkdownView *self,
                    guint                 index,
                    guint                 lo,
                    guint                 hi)
{
  int anchor = anchor_block (self);
  guint first, first_pos, last, last_pos;

  if (anchor < 0)
    return;

  if ((guint) anchor < index || ((guint) anchor == index && self->select_anchor_lo <= lo))
    {
      first = anchor;
      first_pos = self->select_anchor_lo;
      last = index;
      last_pos = hi;
    }
  else
    {
      first = index;
      first_pos = lo;
      last = anchor;
      last_pos = self->select_anchor_hi;
    }

  for (guint i = 0; i < self->segments->len; i++)
    {
      Segment *segment = g_ptr_array_index (self->segments, i);

      if (i < first || i > last)
        segment_select (segment, 0, 0);
      else
        segment_select (segment, i == first ? first_pos : 0,
                        i == last ? last_pos : segment_length (segment));
    }
}

static void
select_to_point (StarlingMarkdownView *self,
                 double                x,
                 double                y)
{
  int index = block_at_y (self, y);
  guint lo, hi;

  if (index < 0)
    return;

  segment_position_at (self, g_ptr_array_index (self->segments, index), x, y, &lo, &hi);
  select_from_anchor (self, index, lo, hi);
}

/* The selection, for a middle click to paste. */
static void
claim_primary (StarlingMarkdownView *self)
{
  g_autofree char *text = starling_markdown_view_dup_selected_text (self);

  if (text != NULL)
    gdk_clipboard_set_text (gtk_widget_get_primary_clipboard (GTK_WIDGET (self)), text);
}

static void
select_all (StarlingMarkdownView *self)
{
  Segment *last;

  if (self->segments->len == 0)
    return;

  last = g_ptr_array_index (self->segments, self->segments->len - 1);
  set_anchor (self, 0, 0, 0);
  select_from_anchor (self, self->segments->len - 1, segment_length (last), segment_length (last));
  claim_primary (self);
}

/* Prose as it reads: a blank line before a paragraph, none between the
 * items of a tight list. */
static void
append_prose (GString           *text,
              GtkTextBuffer     *buffer,
              const GtkTextIter *start,
              const GtkTextIter *end)
{
  const StarlingMarkdownTags *tags = starling_markdown_tags_get ();
  GtkTextIter from = *start;
  GtkTextIter line = *start;
  g_autofree char *rest = NULL;

  while (gtk_text_iter_forward_line (&line) && gtk_text_iter_compare (&line, end) < 0)
    {
      if (gtk_text_iter_has_tag (&line, tags->gap_block) ||
          gtk_text_iter_has_tag (&line, tags->gap_heading))
        {
          g_autofree char *piece = gtk_text_buffer_get_text (buffer, &from, &line, TRUE);

          g_string_append (text, piece);
          g_string_append_c (text, '\n');
          from = line;
        }
    }

  rest = gtk_text_buffer_get_text (buffer, &from, end, TRUE);
  g_string_append (text, rest);
}

static gboolean
copy_selection (StarlingMarkdownView *self)
{
  g_autofree char *text = starling_markdown_view_dup_selected_text (self);

  if (text == NULL)
    return FALSE;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);

  return TRUE;
}

/* Gestures of the widgets under the view stop following the drag. */
static void
reset_gestures (StarlingMarkdownView *self,
                GtkWidget            *widget)
{
  for (; widget != NULL && widget != GTK_WIDGET (self); widget = gtk_widget_get_parent (widget))
    {
      g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

      for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
        {
          g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

          if (GTK_IS_GESTURE (controller))
            gtk_event_controller_reset (controller);
        }
    }
}

/* Whether a press on @picked, in block @index, may start a selection: on
 * text, or anywhere on a table but its scroll bar. */
static gboolean
is_selectable (StarlingMarkdownView *self,
               int                   index,
               GtkWidget            *picked)
{
  Segment *segment;

  if (index < 0 || gtk_widget_get_ancestor (picked, GTK_TYPE_SCROLLBAR) != NULL)
    return FALSE;

  segment = g_ptr_array_index (self->segments, index);
  if (segment->kind == SEGMENT_TABLE)
    return TRUE;

  return gtk_widget_get_ancestor (picked, GTK_TYPE_TEXT_VIEW) != NULL;
}

/* The focus goes to a text of the answer, for Ctrl+C to reach the view. */
static void
focus_selection (StarlingMarkdownView *self,
                 int                   index)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkTextView *text_view;

  if (index < 0 || (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self))))
    return;

  text_view = segment_text_view (g_ptr_array_index (self->segments, index));
  if (text_view != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (text_view));
}

static gboolean
select_press (StarlingMarkdownView *self,
              double                x,
              double                y,
              GdkModifierType       modifiers)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT);
  int index = picked != NULL ? block_of_widget (self, picked) : -1;
  gboolean selectable = is_selectable (self, index, picked);
  guint lo, hi;

  self->select_pressed = FALSE;
  self->select_taken = FALSE;

  /* The copy button of a code block, a scroll bar: not text. */
  if (picked == NULL ||
      (picked != GTK_WIDGET (self) && !selectable &&
       (gtk_widget_get_ancestor (picked, GTK_TYPE_BUTTON) != NULL ||
        gtk_widget_get_ancestor (picked, GTK_TYPE_SCROLLBAR) != NULL)))
    return FALSE;

  /* Shift extends the selection from where it started, across blocks. */
  if ((modifiers & GDK_SHIFT_MASK) && selectable && anchor_block (self) >= 0)
    {
      self->select_pressed = TRUE;
      self->select_taken = TRUE;
      select_to_point (self, x, y);
      focus_selection (self, index);
      return TRUE;
    }

  unselect_all (self);
  if (!selectable)
    return FALSE;

  segment_position_at (self, g_ptr_array_index (self->segments, index), x, y, &lo, &hi);
  set_anchor (self, index, lo, hi);
  g_set_weak_pointer (&self->select_target, picked);
  self->select_pressed = TRUE;

  return FALSE;
}

/* A drag past the top or the bottom of the scrolled window the answer is
 * in scrolls it, faster the farther the pointer is, and selects on. */
static gboolean
autoscroll_cb (gpointer user_data)
{
  StarlingMarkdownView *self = user_data;
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_SCROLLED_WINDOW);
  int height = scroller != NULL ? gtk_widget_get_height (scroller) : 0;
  double past = 0, x, y;
  GtkAdjustment *adjustment;

  if (self->select_scroll_y < 0)
    past = self->select_scroll_y;
  else if (self->select_scroll_y > height)
    past = self->select_scroll_y - height;

  if (scroller == NULL || !self->select_taken || past == 0)
    {
      self->select_scroll_id = 0;
      return G_SOURCE_REMOVE;
    }

  /* Where the last step scrolled to is laid out by now, this one's not yet. */
  if (gtk_widget_translate_coordinates (scroller, GTK_WIDGET (self),
                                        self->select_scroll_x, self->select_scroll_y, &x, &y))
    select_to_point (self, x, y);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  gtk_adjustment_set_value (adjustment,
                            gtk_adjustment_get_value (adjustment) + CLAMP (past / 2, -40, 40));

  return G_SOURCE_CONTINUE;
}

static void
update_autoscroll (StarlingMarkdownView *self,
                   double                x,
                   double                y)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_SCROLLED_WINDOW);

  if (scroller == NULL ||
      !gtk_widget_translate_coordinates (GTK_WIDGET (self), scroller, x, y,
                                         &self->select_scroll_x, &self->select_scroll_y))
    return;

  if ((self->select_scroll_y < 0 || self->select_scroll_y > gtk_widget_get_height (scroller)) &&
      self->select_scroll_id == 0)
    self->select_scroll_id = g_timeout_add (30, autoscroll_cb, self);
}

static gboolean
select_motion (StarlingMarkdownView *self,
               double                x,
               double                y)
{
  int anchor = anchor_block (self);

  if (anchor < 0)
    return self->select_taken;

  /* Inside the block it started in, a text selects by itself. */
  if (!self->select_taken)
    {
      int index = block_at_y (self, y);
      Segment *segment = g_ptr_array_index (self->segments, anchor);
      guint lo, hi;

      segment_position_at (self, segment, x, y, &lo, &hi);
      if (index == anchor && (segment->kind != SEGMENT_TABLE || lo == self->select_anchor_lo))
        return FALSE;

      reset_gestures (self, self->select_target);
      self->select_taken = TRUE;
    }

  select_to_point (self, x, y);
  update_autoscroll (self, x, y);

  return TRUE;
}

static gboolean
select_release (StarlingMarkdownView *self,
                double                x,
                double                y)
{
  gboolean taken = self->select_taken;

  self->select_pressed = FALSE;
  self->select_taken = FALSE;
  g_clear_handle_id (&self->select_scroll_id, g_source_remove);
  g_clear_weak_pointer (&self->select_target);
  if (taken)
    focus_selection (self, block_at_y (self, y));
  claim_primary (self);

  return taken;
}

/* Where @event happened, in the view's coordinates. */
static gboolean
get_event_position (StarlingMarkdownView *self,
                    GdkEvent             *event,
                    double               *x,
                    double               *y)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  double event_x, event_y, native_x, native_y;

  if (native == NULL || gdk_event_get_surface (event) != gtk_native_get_surface (native) ||
      !gdk_event_get_position (event, &event_x, &event_y))
    return FALSE;

  gtk_native_get_surface_transform (native, &native_x, &native_y);

  return gtk_widget_translate_coordinates (GTK_WIDGET (native), GTK_WIDGET (self),
                                           event_x - native_x, event_y - native_y, x, y);
}

/* Pointer events before the blocks see them (the capture phase): a text
 * view claims the press, so a gesture of the view would never see the
 * drag go on. */
static gboolean
select_event_cb (GtkEventControllerLegacy *controller,
                 GdkEvent                 *event,
                 StarlingMarkdownView     *self)
{
  double x, y;

  if (self->segments == NULL)
    return FALSE;

  switch ((int) gdk_event_get_event_type (event))
    {
    case GDK_BUTTON_PRESS:
      if (gdk_button_event_get_button (event) != GDK_BUTTON_PRIMARY ||
          !get_event_position (self, event, &x, &y))
        return FALSE;
      return select_press (self, x, y, gdk_event_get_modifier_state (event));

    case GDK_MOTION_NOTIFY:
      if (!self->select_pressed)
        return FALSE;
      if ((gdk_event_get_modifier_state (event) & GDK_BUTTON1_MASK) == 0)
        return select_release (self, 0, 0);
      if (!get_event_position (self, event, &x, &y))
        return self->select_taken;
      return select_motion (self, x, y);

    case GDK_BUTTON_RELEASE:
      if (gdk_button_event_get_button (event) != GDK_BUTTON_PRIMARY || !self->select_pressed)
        return FALSE;
      if (!get_event_position (self, event, &x, &y))
        x = y = 0;
      return select_release (self, x, y);

    case GDK_GRAB_BROKEN:
      self->select_pressed = FALSE;
      self->select_taken = FALSE;
      return FALSE;

    default:
      return FALSE;
    }
}

static gboolean
copy_shortcut_cb (GtkWidget *widget,
                  GVariant  *args,
                  gpointer   user_data)
{
  return copy_selection (STARLING_MARKDOWN_VIEW (widget));
}

static gboolean
select_all_shortcut_cb (GtkWidget *widget,
                        GVariant  *args,
                        gpointer   user_data)
{
  StarlingMarkdownView *self = STARLING_MARKDOWN_VIEW (widget);

  if (self->segments == NULL || self->segments->len == 0)
    return FALSE;

  if (GPOINTER_TO_INT (user_data))
    select_all (self);
  else
    unselect_all (self);

  return TRUE;
}

/* Copy in a text's context menu copies the whole selection. */
static void
text_copy_clipboard_cb (GtkTextView          *text_view,
                        StarlingMarkdownView *self)
{
  if (copy_selection (self))
    g_signal_stop_emission_by_name (text_view, "copy-clipboard");
}

static void
text_select_all_cb (GtkTextView          *text_view,
                    gboolean              select,
                    StarlingMarkdownView *self)
{
  if (select)
    select_all (self);
  else
    unselect_all (self);
  g_signal_stop_emission_by_name (text_view, "select-all");
}

/* A text buffer that loses the primary selection to another one unselects
 * itself: the texts of an answer leave it to the view. */
static void
text_realize_cb (GtkWidget *text_view)
{
  gtk_text_buffer_remove_selection_clipboard (gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view)),
                                              gtk_widget_get_primary_clipboard (text_view));
}

/* Before the text view's own unrealize, which takes it away again. */
static void
text_unrealize_cb (GtkWidget *text_view)
{
  gtk_text_buffer_add_selection_clipboard (gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view)),
                                           gtk_widget_get_primary_clipboard (text_view));
}

/* A selection that ends where streamed text is added stays as it was:
 * the selection marks would move over the new text. */
static void
text_inserted_cb (GtkTextBuffer *buffer,
                  GtkTextIter   *location,
                  const char    *text,
                  int            len)
{
  GtkTextMark *insert = gtk_text_buffer_get_insert (buffer);
  GtkTextMark *bound = gtk_text_buffer_get_selection_bound (buffer);
  GtkTextMark *moved = NULL;
  GtkTextIter insert_iter, bound_iter, start;
  int end = gtk_text_iter_get_offset (location);

  gtk_text_buffer_get_iter_at_mark (buffer, &insert_iter, insert);
  gtk_text_buffer_get_iter_at_mark (buffer, &bound_iter, bound);
  if (gtk_text_iter_equal (&insert_iter, &bound_iter))
    return;

  if (gtk_text_iter_equal (&insert_iter, location))
    moved = insert;
  else if (gtk_text_iter_equal (&bound_iter, location))
    moved = bound;
  else
    return;

  gtk_text_buffer_get_iter_at_offset (buffer, &start, end - (int) g_utf8_strlen (text, len));
  gtk_text_buffer_move_mark (buffer, moved, &start);
  /* Moving a mark invalidates iterators. */
  gtk_text_buffer_get_iter_at_offset (buffer, location, end);
}

static void
watch_text_view (StarlingMarkdownView *self,
                 GtkTextView          *text_view)
{
  g_assert (!gtk_widget_get_realized (GTK_WIDGET (text_view)));

  g_signal_connect_after (gtk_text_view_get_buffer (text_view), "insert-text",
                          G_CALLBACK (text_inserted_cb), NULL);
  g_signal_connect_object (text_view, "copy-clipboard", G_CALLBACK (text_copy_clipboard_cb),
                           self, 0);
  g_signal_connect_object (text_view, "select-all", G_CALLBACK (text_select_all_cb), self, 0);
  g_signal_connect (text_view, "realize", G_CALLBACK (text_realize_cb), NULL);
  g_signal_connect (text_view, "unrealize", G_CALLBACK (text_unrealize_cb), NULL);
}

static void
setup_selection (StarlingMarkdownView *self)
{
  GtkEventController *legacy = gtk_event_controller_legacy_new ();
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();
  static const struct
  {
    guint           keyval;
    GdkModifierType modifiers;
    GtkShortcutFunc func;
    gboolean        data;
  } keys[] = {
    { GDK_KEY_c, GDK_CONTROL_MASK, copy_shortcut_cb, FALSE },
    { GDK_KEY_Insert, GDK_CONTROL_MASK, copy_shortcut_cb, FALSE },
    { GDK_KEY_a, GDK_CONTROL_MASK, select_all_shortcut_cb, TRUE },
    { GDK_KEY_a, GDK_CONTROL_MASK | GDK_SHIFT_MASK, select_all_shortcut_cb, FALSE },
  };

  gtk_event_controller_set_propagation_phase (legacy, GTK_PHASE_CAPTURE);
  g_signal_connect_object (legacy, "event", G_CALLBACK (select_event_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), legacy);

  /* Before the blocks' own: they would copy or select only themselves. */
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GtkShortcutTrigger *trigger = gtk_keyval_trigger_new (keys[i].keyval, keys[i].modifiers);
      GtkShortcutAction *action = gtk_callback_action_new (keys[i].func,
                                                           GINT_TO_POINTER (keys[i].data), NULL);

      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                            gtk_shortcut_new (trigger, action));
    }
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
}

static GtkWidget *
create_text_view (StarlingMarkdownView *self,
                  Segment              *segment)
{
  GtkWidget *text_view = starling_markdown_text_view_new (segment->buffer);
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();

  gtk_text_view_set_editable (GTK_TEXT_VIEW (text_view), FALSE);
  gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (text_view), FALSE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (text_view), GTK_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (text_view, "starling-markdown-text");

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect_object (click, "released", G_CALLBACK (link_released_cb), self, 0);
  gtk_widget_add_controller (text_view, GTK_EVENT_CONTROLLER (click));
  g_signal_connect_object (motion, "motion", G_CALLBACK (link_motion_cb), self, 0);
  g_signal_connect_object (motion, "leave", G_CALLBACK (link_leave_cb), self, 0);
  gtk_widget_add_controller (text_view, motion);
  g_signal_connect_object (text_view, "link-focused", G_CALLBACK (text_link_focused_cb), self, 0);
  g_signal_connect_object (text_view, "link-activated", G_CALLBACK (text_link_activated_cb), self, 0);
  watch_text_view (self, GTK_TEXT_VIEW (text_view));

  return text_view;
}

static Segment *
segment_new (StarlingMarkdownView *self,
             SegmentKind           kind)
{
  Segment *segment = g_new0 (Segment, 1);

  segment->kind = kind;
  if (kind == SEGMENT_PROSE)
    {
      segment->buffer = gtk_text_buffer_new (starling_markdown_tags_get_table ());
      gtk_text_buffer_set_enable_undo (segment->buffer, FALSE);
      segment->links = g_array_new (FALSE, FALSE, sizeof (StarlingMdLink));
      g_object_set_data (G_OBJECT (segment->buffer), "starling-markdown-segment", segment);
    }

  g_ptr_array_add (self->segments, segment);
  self->stats.segments_created++;

  return segment;
}

static void
get_iter_at_offset (GtkTextBuffer *buffer,
                    GtkTextIter   *iter,
                    guint          offset)
{
  gtk_text_buffer_get_iter_at_offset (buffer, iter, (int) MIN (offset, (guint) G_MAXINT));
}

static guint
first_line_chars (const StarlingMdUnit *unit)
{
  const char *newline = memchr (unit->text->str, '\n', unit->text->len);

  return newline != NULL ? (guint) g_utf8_strlen (unit->text->str, newline - unit->text->str) : unit->n_chars;
}

static void
prose_insert (Segment        *segment,
              StarlingMdUnit *unit)
{
  GtkTextBuffer *buffer = segment->buffer;
  gboolean first = segment->n_units == 0;
  GtkTextIter iter, start;
  guint base;

  gtk_text_buffer_get_end_iter (buffer, &iter);
  if (!first)
    {
      gtk_text_buffer_insert (buffer, &iter, "\n", 1);
      segment->n_chars++;
      segment->n_lines++;
    }

  base = segment->n_chars;
  gtk_text_buffer_insert (buffer, &iter, unit->text->str, unit->text->len);
  segment->n_chars += unit->n_chars;
  segment->n_lines += unit->n_lines - 1;
  segment->n_units++;

  /* The space above a paragraph, except at the top of a text view. */
  if (!first && unit->gap != NULL && unit->n_chars > 0)
    {
      get_iter_at_offset (buffer, &start, base);
      get_iter_at_offset (buffer, &iter, base + MAX (first_line_chars (unit), 1));
      gtk_text_buffer_apply_tag (buffer, unit->gap, &start, &iter);
    }

  for (guint i = 0; i < unit->spans->len; i++)
    {
      const StarlingMdSpan *span = &g_array_index (unit->spans, StarlingMdSpan, i);

      get_iter_at_offset (buffer, &start, base + span->start);
      get_iter_at_offset (buffer, &iter, base + span->end);
      gtk_text_buffer_apply_tag (buffer, span->tag, &start, &iter);
    }

  for (guint i = 0; i < unit->links->len; i++)
    {
      const StarlingMdLink *link = &g_array_index (unit->links, StarlingMdLink, i);
      StarlingMdLink copy = { base + link->start, base + link->end, g_strdup (link->uri) };

      g_array_append_val (segment->links, copy);
    }
}

/* Renders only the text @unit adds to @old_unit, the last unit of @segment. */
static void
prose_extend (Segment              *segment,
              Placed               *placed,
              const StarlingMdUnit *old_unit,
              const StarlingMdUnit *unit)
{
  GtkTextBuffer *buffer = segment->buffer;
  guint base = placed->char_start + (placed->units_before > 0 ? 1 : 0);
  guint old_chars = old_unit->n_chars;
  GtkTextIter start, end;

  g_assert (segment->n_chars == base + old_chars);

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, unit->text->str + old_unit->text->len,
                          unit->text->len - old_unit->text->len);
  segment->n_chars += unit->n_chars - old_chars;
  segment->n_lines += unit->n_lines - old_unit->n_lines;

  if (placed->units_before > 0 && unit->gap != NULL && unit->n_chars > 0)
    {
      get_iter_at_offset (buffer, &start, base);
      get_iter_at_offset (buffer, &end, base + MAX (first_line_chars (unit), 1));
      gtk_text_buffer_apply_tag (buffer, unit->gap, &start, &end);
    }

  for (guint i = 0; i < unit->spans->len; i++)
    {
      const StarlingMdSpan *span = &g_array_index (unit->spans, StarlingMdSpan, i);

      if (span->end <= old_chars)
        continue;
      get_iter_at_offset (buffer, &start, base + MAX (span->start, old_chars));
      get_iter_at_offset (buffer, &end, base + span->end);
      gtk_text_buffer_apply_tag (buffer, span->tag, &start, &end);
    }

  for (guint i = 0; i < unit->links->len; i++)
    {
      const StarlingMdLink *link = &g_array_index (unit->links, StarlingMdLink, i);
      StarlingMdLink copy = { base + link->start, base + link->end, NULL };

      if (link->start < old_chars)
        continue;
      copy.uri = g_strdup (link->uri);
      g_array_append_val (segment->links, copy);
    }
}

static void
remove_empty_last_segment (StarlingMarkdownView *self)
{
  Segment *last = self->segments->len > 0 ? g_ptr_array_index (self->segments, self->segments->len - 1) : NULL;

  if (last != NULL && last->kind == SEGMENT_PROSE && last->n_units == 0)
    g_ptr_array_set_size (self->segments, self->segments->len - 1);
}

static gboolean
segment_accepts_prose (Segment              *segment,
                       const StarlingMdUnit *unit)
{
  if (segment == NULL || segment->kind != SEGMENT_PROSE)
    return FALSE;

  return !(unit->block_start || unit->continuation) ||
         (segment->n_lines < MAX_LINES_PER_TEXT_VIEW && segment->n_chars < MAX_CHARS_PER_TEXT_VIEW);
}

static void
place_unit (StarlingMarkdownView *self,
            Placed               *placed)
{
  StarlingMdUnit *unit = placed->unit;
  Segment *last = self->segments->len > 0 ? g_ptr_array_index (self->segments, self->segments->len - 1) : NULL;
  Segment *segment;

  self->stats.units_placed++;

  switch (unit->kind)
    {
    case STARLING_MD_UNIT_PROSE:
      if (segment_accepts_prose (last, unit))
        {
          segment = last;
        }
      else
        {
          segment = segment_new (self, SEGMENT_PROSE);
          /* Realized while still empty: realizing a text view lays out the
           * line with the cursor, and before its first allocation a long
           * line would be laid out at no width at all. */
          segment->widget = g_object_ref_sink (create_text_view (self, segment));
          gtk_widget_set_parent (segment->widget, GTK_WIDGET (self));
        }
      placed->segment = segment;
      placed->char_start = segment->n_chars;
      placed->lines_before = segment->n_lines;
      placed->links_before = segment->links->len;
      placed->units_before = segment->n_units;
      prose_insert (segment, unit);
      break;

    case STARLING_MD_UNIT_CODE:
      remove_empty_last_segment (self);
      segment = segment_new (self, SEGMENT_CODE);
      segment->widget = g_object_ref_sink (starling_markdown_code_block_new (unit->lang));
      gtk_widget_set_margin_start (segment->widget, unit->indent);
      starling_markdown_code_block_set_code (STARLING_MARKDOWN_CODE_BLOCK (segment->widget),
                                             unit->text->str, unit->text->len);
      watch_text_view (self, segment_text_view (segment));
      gtk_widget_set_parent (segment->widget, GTK_WIDGET (self));
      placed->segment = segment;
      break;

    case STARLING_MD_UNIT_TABLE:
      remove_empty_last_segment (self);
      segment = segment_new (self, SEGMENT_TABLE);
      segment->widget = g_object_ref_sink (starling_markdown_table_new (unit));
      g_signal_connect_object (segment->widget, "activate-link", G_CALLBACK (table_link_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_widget_set_margin_start (segment->widget, unit->indent);
      gtk_widget_set_parent (segment->widget, GTK_WIDGET (self));
      placed->segment = segment;
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
remove_segments_from (StarlingMarkdownView *self,
                      guint                 index)
{
  if (index < self->segments->len)
    g_ptr_array_remove_range (self->segments, index, self->segments->len - index);
}

static guint
segment_index (StarlingMarkdownView *self,
               Segment              *segment)
{
  for (guint i = self->segments->len; i > 0; i--)
    {
      if (g_ptr_array_index (self->segments, i - 1) == segment)
        return i - 1;
    }

  g_return_val_if_reached (self->segments->len);
}

/* Takes the display back to what it was before tail unit @index was placed. */
static void
truncate_tail (StarlingMarkdownView *self,
               guint                 index)
{
  Placed *placed = g_ptr_array_index (self->tail, index);
  Segment *segment = placed->segment;
  guint position = segment_index (self, segment);

  /* A text view is kept even when emptied: the tail's new first unit is
   * most often prose again, and a new text view costs more than text. */
  if (segment->kind == SEGMENT_PROSE)
    {
      GtkTextIter start, end;

      get_iter_at_offset (segment->buffer, &start, placed->char_start);
      gtk_text_buffer_get_end_iter (segment->buffer, &end);
      self->stats.chars_removed += segment->n_chars - placed->char_start;
      gtk_text_buffer_delete (segment->buffer, &start, &end);
      segment->n_chars = placed->char_start;
      segment->n_lines = placed->lines_before;
      segment->n_units = placed->units_before;
      for (guint i = placed->links_before; i < segment->links->len; i++)
        g_free (g_array_index (segment->links, StarlingMdLink, i).uri);
      g_array_set_size (segment->links, placed->links_before);
      remove_segments_from (self, position + 1);
    }
  else
    {
      remove_segments_from (self, position);
    }

  g_ptr_array_remove_range (self->tail, index, self->tail->len - index);
}

static int
compare_spans (gconstpointer a,
               gconstpointer b)
{
  const StarlingMdSpan *x = a;
  const StarlingMdSpan *y = b;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return x->tag < y->tag ? -1 : x->tag > y->tag;
}

/* Whether @unit is @old_unit with text added at its end and nothing before
 * that end changed: then only the new text needs rendering. */
static gboolean
prose_extends (const StarlingMdUnit *old_unit,
               const StarlingMdUnit *unit)
{
  g_autoptr(GArray) old_spans = NULL;
  g_autoptr(GArray) clipped = NULL;
  guint old_chars = old_unit->n_chars;
  guint n_old_links = 0;

  if (old_unit->gap != unit->gap ||
      old_unit->continuation != unit->continuation ||
      unit->text->len < old_unit->text->len ||
      memcmp (unit->text->str, old_unit->text->str, old_unit->text->len) != 0)
    return FALSE;

  old_spans = g_array_copy (old_unit->spans);
  clipped = g_array_new (FALSE, FALSE, sizeof (StarlingMdSpan));
  for (guint i = 0; i < unit->spans->len; i++)
    {
      StarlingMdSpan span = g_array_index (unit->spans, StarlingMdSpan, i);

      span.end = MIN (span.end, old_chars);
      if (span.start < span.end)
        g_array_append_val (clipped, span);
    }
  if (clipped->len != old_spans->len)
    return FALSE;
  g_array_sort (old_spans, compare_spans);
  g_array_sort (clipped, compare_spans);
  if (clipped->len > 0 &&
      memcmp (old_spans->data, clipped->data, clipped->len * sizeof (StarlingMdSpan)) != 0)
    return FALSE;

  /* Links before the end are the same; a link may not run across it. */
  for (guint i = 0; i < unit->links->len; i++)
    {
      const StarlingMdLink *link = &g_array_index (unit->links, StarlingMdLink, i);
      const StarlingMdLink *old_link;

      if (link->start >= old_chars)
        continue;
      if (n_old_links >= old_unit->links->len)
        return FALSE;
      old_link = &g_array_index (old_unit->links, StarlingMdLink, n_old_links++);
      if (old_link->start != link->start || old_link->end != link->end ||
          strcmp (old_link->uri, link->uri) != 0)
        return FALSE;
    }

  return n_old_links == old_unit->links->len;
}

static gboolean
can_update_in_place (const StarlingMdUnit *old_unit,
                     const StarlingMdUnit *unit)
{
  if (old_unit->kind != unit->kind ||
      old_unit->block_start != unit->block_start ||
      old_unit->indent != unit->indent)
    return FALSE;

  switch (unit->kind)
    {
    case STARLING_MD_UNIT_PROSE:
      return prose_extends (old_unit, unit);
    case STARLING_MD_UNIT_CODE:
      return g_strcmp0 (old_unit->lang, unit->lang) == 0;
    case STARLING_MD_UNIT_TABLE:
      return old_unit->n_cols == unit->n_cols &&
             memcmp (old_unit->aligns, unit->aligns, unit->n_cols * sizeof (StarlingMdAlign)) == 0;
    default:
      return FALSE;
    }
}

static void
update_in_place (StarlingMarkdownView *self,
                 Placed               *placed,
                 StarlingMdUnit       *unit)
{
  StarlingMdUnit *old_unit = placed->unit;
  Segment *segment = placed->segment;

  self->stats.units_placed++;

  if (unit->kind == STARLING_MD_UNIT_PROSE)
    {
      prose_extend (segment, placed, old_unit, unit);
    }
  else if (unit->kind == STARLING_MD_UNIT_CODE)
    {
      StarlingMarkdownCodeBlock *block = STARLING_MARKDOWN_CODE_BLOCK (segment->widget);

      /* Streaming code only grows at the end. */
      if (unit->text->len >= old_unit->text->len &&
          memcmp (unit->text->str, old_unit->text->str, old_unit->text->len) == 0)
        starling_markdown_code_block_append_code (block, unit->text->str + old_unit->text->len,
                                                  unit->text->len - old_unit->text->len);
      else
        starling_markdown_code_block_set_code (block, unit->text->str, unit->text->len);
    }
  else
    {
      starling_markdown_table_update (STARLING_MARKDOWN_TABLE (segment->widget), old_unit, unit);
    }

  starling_md_unit_free (old_unit);
  placed->unit = unit;
}

/* Shows @units as the tail: units equal to the ones shown stay as they are,
 * the rest is re-rendered. Takes the units out of the array. */
static void
apply_tail (StarlingMarkdownView *self,
            GPtrArray            *units)
{
  guint n_old = self->tail->len;
  guint k = 0;

  while (k < n_old && k < units->len &&
         starling_md_unit_equal (((Placed *) g_ptr_array_index (self->tail, k))->unit,
                                 g_ptr_array_index (units, k)))
    k++;

  if (k < n_old)
    {
      Placed *placed = g_ptr_array_index (self->tail, k);

      if (k == n_old - 1 && k < units->len &&
          can_update_in_place (placed->unit, g_ptr_array_index (units, k)))
        {
          update_in_place (self, placed, g_steal_pointer (&g_ptr_array_index (units, k)));
          k++;
        }
      else
        {
          truncate_tail (self, k);
        }
    }

  for (; k < units->len; k++)
    {
      Placed *placed = g_new0 (Placed, 1);

      placed->unit = g_steal_pointer (&g_ptr_array_index (units, k));
      place_unit (self, placed);
      g_ptr_array_add (self->tail, placed);
    }

  remove_empty_last_segment (self);
}

static void
commit_units (StarlingMarkdownView *self,
              guint                 n_units)
{
  n_units = MIN (n_units, self->tail->len);

  for (guint i = 0; i < n_units; i++)
    {
      Placed *placed = g_ptr_array_index (self->tail, i);

      self->commit_hash = hash_combine (self->commit_hash, placed->unit->hash);
      self->n_committed_units++;
    }
  g_ptr_array_remove_range (self->tail, 0, n_units);
  self->stats.units_committed += n_units;
  self->stats.commits++;
}

/* Finds the last complete line that may start a top-level block: not
 * indented, after a blank line. Only complete lines are looked at, so the
 * kind of block such a line starts can no longer change. */
static void
scan_lines (StarlingMarkdownView *self)
{
  const char *text = self->source->str;
  gsize len = self->rendered_len;
  gsize pos = self->scan_offset;

  while (pos < len)
    {
      const char *newline = memchr (text + pos, '\n', len - pos);
      gsize end;
      gboolean blank = TRUE;

      if (newline == NULL)
        break;

      end = newline - text;
      for (gsize i = pos; i < end; i++)
        {
          if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r')
            {
              blank = FALSE;
              break;
            }
        }

      if (!blank && self->scan_prev_blank && text[pos] != ' ' && text[pos] != '\t')
        self->candidate = pos;
      self->scan_prev_blank = blank;
      pos = end + 1;
    }

  self->scan_offset = pos;
}

static gboolean
units_match_tail (StarlingMarkdownView *self,
                  GPtrArray            *units,
                  guint                 offset)
{
  for (guint i = 0; i < units->len; i++)
    {
      Placed *placed = g_ptr_array_index (self->tail, offset + i);

      if (!starling_md_unit_equal (placed->unit, g_ptr_array_index (units, i)))
        return FALSE;
    }

  return TRUE;
}

/* Blocks before a boundary are final when parsing both sides apart gives
 * what parsing them together gave: then no later text can change them. */
static void
try_commit (StarlingMarkdownView *self)
{
  gsize boundary;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;

  scan_lines (self);
  boundary = self->candidate;
  if (boundary <= self->commit_offset || boundary == self->tried_candidate)
    return;
  self->tried_candidate = boundary;

  before = starling_md_parse (self->source->str + self->commit_offset, boundary - self->commit_offset);
  after = starling_md_parse (self->source->str + boundary, self->rendered_len - boundary);
  self->stats.bytes_parsed += self->rendered_len - self->commit_offset;

  if (before->len + after->len != self->tail->len ||
      !units_match_tail (self, before, 0) ||
      !units_match_tail (self, after, before->len))
    return;

  commit_units (self, before->len);
  self->commit_offset = boundary;
  self->committed_in_pieces = TRUE;
}

/* While streaming, an unfinished last line that starts like a code fence
 * would show as text for a moment, then turn into a code block. */
static gsize
end_without_partial_fence (StarlingMarkdownView *self,
                           gsize                 end)
{
  const char *text = self->source->str;
  gsize line = end;
  gsize i;

  while (line > self->commit_offset && text[line - 1] != '\n')
    line--;

  for (i = line; i < end && i < line + 3 && text[i] == ' '; i++)
    ;

  return i < end && (text[i] == '`' || text[i] == '~') ? line : end;
}

/* Renders the stream up to @end: the tail is parsed again and only what
 * changed in it is re-rendered. */
static void
render (StarlingMarkdownView *self,
        gsize                 end)
{
  g_autoptr(GPtrArray) units = NULL;
  gint64 start = thread_cpu_usec ();
  gint64 elapsed;

  self->rendered_len = end;
  units = starling_md_parse (self->source->str + self->commit_offset, end - self->commit_offset);
  self->stats.bytes_parsed += end - self->commit_offset;
  self->stats.renders++;
  apply_tail (self, units);
  try_commit (self);

  elapsed = thread_cpu_usec () - start;
  self->stats.render_usec += elapsed;
  self->stats.max_render_usec = MAX (self->stats.max_render_usec, elapsed);
}

static void
clear_display (StarlingMarkdownView *self)
{
  g_ptr_array_set_size (self->tail, 0);
  g_ptr_array_set_size (self->segments, 0);
  self->commit_offset = 0;
  self->commit_hash = 0;
  self->n_committed_units = 0;
  self->scan_offset = 0;
  self->scan_prev_blank = TRUE;
  self->candidate = 0;
  self->tried_candidate = 0;
  self->committed_in_pieces = FALSE;
  self->visible_len = 0;
  self->rendered_len = 0;
}

/* Streaming cut the document in pieces; check the pieces add up to the whole
 * (a link reference defined after its use would not) and re-render if not. */
static void
verify_whole (StarlingMarkdownView *self)
{
  g_autoptr(GPtrArray) units = starling_md_parse (self->source->str, self->source->len);
  guint64 hash = 0;

  for (guint i = 0; i < units->len; i++)
    hash = hash_combine (hash, ((StarlingMdUnit *) g_ptr_array_index (units, i))->hash);
  self->stats.bytes_parsed += self->source->len;

  if (hash == self->commit_hash && units->len == self->n_committed_units)
    return;

  self->stats.full_rebuilds++;
  clear_display (self);
  apply_tail (self, units);
  commit_units (self, self->tail->len);
  self->commit_offset = self->source->len;
}

typedef enum
{
  LINE_OTHER,
  LINE_FENCE,
  LINE_TABLE_ROW,
} LineKind;

static LineKind
line_kind (const char *line,
           const char *end)
{
  for (int i = 0; i < 3 && line < end && *line == ' '; i++)
    line++;

  if (end - line >= 3 && (strncmp (line, "```", 3) == 0 || strncmp (line, "~~~", 3) == 0))
    return LINE_FENCE;

  return line < end && *line == '|' ? LINE_TABLE_ROW : LINE_OTHER;
}

/* A code block or a table is a widget of its own, whose first layout costs
 * several milliseconds (a GtkSourceView, a grid of labels): a piece holds at
 * most one new one, so that no frame lays out two. Returns where the second
 * one starts in [@start, @end), or @end. Any line start is a valid cut (the
 * stream stops anywhere): a fence opened in an earlier piece, mistaken here
 * for an opening one, only moves a cut. */
static gsize
cut_before_second_widget_block (const char *text,
                                gsize       start,
                                gsize       end)
{
  gboolean seen = FALSE;
  gboolean in_fence = FALSE;
  gboolean in_table = FALSE;
  gsize line = start;

  if (start > 0 && text[start - 1] != '\n')
    {
      const char *newline = memchr (text + start, '\n', end - start);

      if (newline == NULL)
        return end;
      line = newline - text + 1;
    }

  while (line < end)
    {
      const char *newline = memchr (text + line, '\n', end - line);
      gsize next = newline != NULL ? (gsize) (newline - text) + 1 : end;
      LineKind kind = line_kind (text + line, text + next);
      gboolean opens = FALSE;

      if (in_fence)
        in_fence = kind != LINE_FENCE;
      else if (kind == LINE_FENCE)
        opens = in_fence = TRUE;
      else if (kind == LINE_TABLE_ROW)
        opens = !in_table;

      if (!in_fence)
        in_table = kind == LINE_TABLE_ROW;

      if (opens)
        {
          if (seen)
            return line;
          seen = TRUE;
        }
      line = next;
    }

  return end;
}

/* The end of the next piece to show: at most MAX_BYTES_PER_RENDER more and
 * one new code block or table, cut after a line if possible, never inside
 * a character. */
static gsize
next_visible_length (StarlingMarkdownView *self)
{
  const char *text = self->source->str;
  gsize end = MIN (self->visible_len + MAX_BYTES_PER_RENDER, self->source->len);
  gsize cut = cut_before_second_widget_block (text, self->visible_len, end);

  if (cut > self->visible_len && cut < end)
    return cut;

  if (end >= self->source->len)
    return self->source->len;

  for (gsize i = end; i > self->visible_len + MAX_BYTES_PER_RENDER / 2; i--)
    {
      if (text[i - 1] == '\n')
        return i;
    }

  while (end > self->visible_len && ((guchar) text[end] & 0xC0) == 0x80)
    end--;

  return end;
}

static void
complete_finish (StarlingMarkdownView *self)
{
  /* The whole stream is shown: its tail is final. */
  commit_units (self, self->tail->len);
  self->commit_offset = self->rendered_len;
  if (self->committed_in_pieces)
    verify_whole (self);
  self->committed_in_pieces = FALSE;
  self->finishing = FALSE;
  self->finished = TRUE;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STREAMING]);
}

static void
render_step (StarlingMarkdownView *self,
             gboolean              all)
{
  gboolean whole;
  gsize end;

  if (self->visible_len < self->source->len)
    self->visible_len = all ? self->source->len : next_visible_length (self);

  whole = self->finishing && self->visible_len == self->source->len;
  end = whole ? self->visible_len : end_without_partial_fence (self, self->visible_len);
  if (end != self->rendered_len)
    render (self, end);

  if (whole)
    complete_finish (self);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data);


static gboolean
delay_done_cb (gpointer user_data)
{
  StarlingMarkdownView *self = user_data;

  self->delay_id = 0;
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);

  return G_SOURCE_REMOVE;
}

/* Renders at the next frame, or, if the last render was very recent, at the
 * first frame after MIN_RENDER_INTERVAL. */
static void
schedule_render (StarlingMarkdownView *self)
{
  gint64 wait;

  if (self->tick_id != 0 || self->delay_id != 0)
    return;

  wait = self->last_render_time + MIN_RENDER_INTERVAL - g_get_monotonic_time ();
  if (wait > 1000)
    self->delay_id = g_timeout_add_full (G_PRIORITY_DEFAULT, wait / 1000, delay_done_cb, self, NULL);
  else
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
}

static void
cancel_render (StarlingMarkdownView *self)
{
  g_clear_handle_id (&self->delay_id, g_source_remove);
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
}

/* At most one render per frame, with whatever arrived since the last one. */
static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data)
{
  StarlingMarkdownView *self = STARLING_MARKDOWN_VIEW (widget);

  self->tick_id = 0;
  self->last_render_time = g_get_monotonic_time ();
  render_step (self, FALSE);
  if (self->visible_len < self->source->len || self->finishing)
    schedule_render (self);

  return G_SOURCE_REMOVE;
}

/* Bytes that may be the start of a character cut by the delta boundary wait
 * for the next delta; everything else is made valid UTF-8 now. */
static void
append_valid (StarlingMarkdownView *self,
              const char           *data,
              gsize                 len,
              gboolean              final)
{
  gsize keep = 0;
  g_autofree char *valid = NULL;

  if (!final && len > 0)
    {
      gsize start = len;
      gsize lookback = MIN (len, 4);

      for (gsize i = 1; i <= lookback; i++)
        {
          guchar c = data[len - i];

          if ((c & 0xC0) != 0x80)
            {
              start = len - i;
              break;
            }
        }

      if (start < len)
        {
          guchar lead = data[start];
          gsize need = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 && lead < 0xF0 ? 3
                       : lead >= 0xC2 && lead < 0xE0 ? 2 : 1;

          if (need > len - start)
            keep = len - start;
        }
    }

  if (len - keep > 0)
    {
      valid = g_utf8_make_valid (data, len - keep);
      g_string_append (self->source, valid);
    }

  memcpy (self->pending_utf8, data + len - keep, keep);
  self->n_pending_utf8 = keep;
}

static void
starling_markdown_view_dispose (GObject *object)
{
  StarlingMarkdownView *self = STARLING_MARKDOWN_VIEW (object);

  GtkWidget *child;

  cancel_render (self);
  g_clear_weak_pointer (&self->hovered_view);
  g_clear_weak_pointer (&self->select_anchor);
  g_clear_weak_pointer (&self->select_target);
  g_clear_handle_id (&self->select_scroll_id, g_source_remove);
  g_clear_pointer (&self->hovered_uri, g_free);
  g_clear_pointer (&self->tail, g_ptr_array_unref);
  g_clear_pointer (&self->segments, g_ptr_array_unref);
  /* what others put here: a popover about a link */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (starling_markdown_view_parent_class)->dispose (object);
}

static void
starling_markdown_view_finalize (GObject *object)
{
  StarlingMarkdownView *self = STARLING_MARKDOWN_VIEW (object);

  g_string_free (self->source, TRUE);

  G_OBJECT_CLASS (starling_markdown_view_parent_class)->finalize (object);
}

static void
starling_markdown_view_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  StarlingMarkdownView *self = STARLING_MARKDOWN_VIEW (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, starling_markdown_view_get_text (self));
      break;

    case PROP_STREAMING:
      g_value_set_boolean (value, starling_markdown_view_get_streaming (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_markdown_view_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  StarlingMarkdownView *self = STARLING_MARKDOWN_VIEW (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      starling_markdown_view_set_text (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
starling_markdown_view_activate_link (StarlingMarkdownView *self,
                                      const char           *uri)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  /* A citation marker is the app's to show, never the desktop's. */
  if (starling_md_uri_get_citation (uri, NULL))
    return TRUE;

  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);

  return TRUE;
}

static void
starling_markdown_view_class_init (StarlingMarkdownViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = starling_markdown_view_dispose;
  object_class->finalize = starling_markdown_view_finalize;
  object_class->get_property = starling_markdown_view_get_property;
  object_class->set_property = starling_markdown_view_set_property;

  /**
   * StarlingMarkdownView:text:
   *
   * The Markdown source shown (notified when set and when a stream finishes).
   */
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * StarlingMarkdownView:streaming:
   *
   * Whether text is being appended and the last block may still change.
   */
  properties[PROP_STREAMING] =
    g_param_spec_boolean ("streaming", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * StarlingMarkdownView::activate-link:
   * @self: a #StarlingMarkdownView
   * @uri: the link's target, always http, https or mailto
   *
   * Emitted when a link is clicked. The default handler opens it with
   * gtk_show_uri(); return %TRUE from a handler to do something else.
   *
   * Returns: %TRUE if the link was handled
   */
  signals[ACTIVATE_LINK] =
    g_signal_new_class_handler ("activate-link",
                                G_TYPE_FROM_CLASS (klass),
                                G_SIGNAL_RUN_LAST,
                                G_CALLBACK (starling_markdown_view_activate_link),
                                g_signal_accumulator_true_handled, NULL,
                                NULL,
                                G_TYPE_BOOLEAN, 1, G_TYPE_STRING);

  /**
   * StarlingMarkdownView::link-hovered:
   * @uri: (nullable): the link now under the pointer, %NULL when it left
   *
   * For what a link stands for to be shown while it is hovered (see
   * starling_markdown_view_highlight_before_link()).
   */
  signals[LINK_HOVERED] =
    g_signal_new ("link-hovered",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "markdown");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
starling_markdown_view_init (StarlingMarkdownView *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  starling_markdown_ensure_style (gdk_display_get_default ());

  self->source = g_string_new (NULL);
  self->segments = g_ptr_array_new_with_free_func ((GDestroyNotify) segment_free);
  self->tail = g_ptr_array_new_with_free_func ((GDestroyNotify) placed_free);
  self->scan_prev_blank = TRUE;
  setup_selection (self);
}

/**
 * starling_markdown_view_new:
 *
 * Returns: (transfer floating): a new, empty #StarlingMarkdownView
 */
GtkWidget *
starling_markdown_view_new (void)
{
  return g_object_new (STARLING_TYPE_MARKDOWN_VIEW, NULL);
}

/**
 * starling_markdown_view_set_text:
 * @self: a #StarlingMarkdownView
 * @markdown: (nullable): Markdown text
 *
 * Renders @markdown from scratch, as a finished message. Invalid UTF-8 is
 * shown as U+FFFD.
 */
void
starling_markdown_view_set_text (StarlingMarkdownView *self,
                                 const char           *markdown)
{
  g_autoptr(GPtrArray) units = NULL;
  g_autofree char *valid = NULL;
  gboolean was_streaming;

  g_return_if_fail (STARLING_IS_MARKDOWN_VIEW (self));

  was_streaming = starling_markdown_view_get_streaming (self);
  cancel_render (self);
  clear_display (self);
  self->n_pending_utf8 = 0;
  self->finishing = FALSE;

  valid = g_utf8_make_valid (markdown != NULL ? markdown : "", -1);
  g_string_assign (self->source, valid);

  units = starling_md_parse (self->source->str, self->source->len);
  self->stats.bytes_parsed += self->source->len;
  self->stats.renders++;
  apply_tail (self, units);
  commit_units (self, self->tail->len);
  self->commit_offset = self->source->len;
  self->visible_len = self->source->len;
  self->rendered_len = self->source->len;
  self->finished = TRUE;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
  if (was_streaming)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STREAMING]);
}

/**
 * starling_markdown_view_append:
 * @self: a #StarlingMarkdownView
 * @delta: (array length=len): the next piece of the Markdown text
 * @len: length of @delta in bytes
 *
 * Appends streamed text. Nothing is rendered here: the text is rendered at
 * the next frame, together with whatever else arrived before it. Blocks that
 * are complete are rendered once; only the last, unfinished block is
 * re-rendered as it grows. A piece may end in the middle of a character.
 */
void
starling_markdown_view_append (StarlingMarkdownView *self,
                               const char           *delta,
                               gsize                 len)
{
  gboolean was_streaming;

  g_return_if_fail (STARLING_IS_MARKDOWN_VIEW (self));
  g_return_if_fail (delta != NULL || len == 0);

  was_streaming = starling_markdown_view_get_streaming (self);

  /* Appending to a finished text: its last block may continue, so the whole
   * text becomes the tail again. */
  if (self->finished)
    {
      self->finished = FALSE;
      clear_display (self);
    }
  self->finishing = FALSE;

  if (len > 0)
    {
      if (self->n_pending_utf8 > 0)
        {
          g_autofree char *joined = g_malloc (self->n_pending_utf8 + len);

          memcpy (joined, self->pending_utf8, self->n_pending_utf8);
          memcpy (joined + self->n_pending_utf8, delta, len);
          append_valid (self, joined, self->n_pending_utf8 + len, FALSE);
        }
      else
        {
          append_valid (self, delta, len, FALSE);
        }
    }

  if (self->visible_len < self->source->len)
    schedule_render (self);

  if (!was_streaming)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STREAMING]);
}

/**
 * starling_markdown_view_finish:
 * @self: a #StarlingMarkdownView
 *
 * Ends a stream. What is not shown yet is rendered over the next frames, the
 * last block as final; #StarlingMarkdownView:streaming turns %FALSE then.
 */
void
starling_markdown_view_finish (StarlingMarkdownView *self)
{
  g_return_if_fail (STARLING_IS_MARKDOWN_VIEW (self));

  if (self->finished || self->finishing)
    return;

  if (self->n_pending_utf8 > 0)
    {
      char pending[4];
      guint n_pending = self->n_pending_utf8;

      memcpy (pending, self->pending_utf8, n_pending);
      append_valid (self, pending, n_pending, TRUE);
    }

  self->finishing = TRUE;
  schedule_render (self);
}

/**
 * starling_markdown_view_get_text:
 * @self: a #StarlingMarkdownView
 *
 * Returns: the Markdown source received so far (as valid UTF-8)
 */
const char *
starling_markdown_view_get_text (StarlingMarkdownView *self)
{
  g_return_val_if_fail (STARLING_IS_MARKDOWN_VIEW (self), NULL);

  return self->source->str;
}

/**
 * starling_markdown_view_get_streaming:
 * @self: a #StarlingMarkdownView
 *
 * Returns: %TRUE between the first starling_markdown_view_append() and
 *   starling_markdown_view_finish()
 */
gboolean
starling_markdown_view_get_streaming (StarlingMarkdownView *self)
{
  g_return_val_if_fail (STARLING_IS_MARKDOWN_VIEW (self), FALSE);

  return !self->finished && (self->source->len > 0 || self->n_pending_utf8 > 0 || self->finishing);
}

/**
 * starling_markdown_view_flush:
 * @self: a #StarlingMarkdownView
 *
 * Renders pending text now instead of at the next frame.
 */
void
starling_markdown_view_flush (StarlingMarkdownView *self)
{
  g_return_if_fail (STARLING_IS_MARKDOWN_VIEW (self));

  cancel_render (self);
  render_step (self, TRUE);
}

/**
 * starling_markdown_view_dup_visible_text:
 * @self: a #StarlingMarkdownView
 *
 * The text as shown, block after block, one line between blocks: text views
 * as they read, code as written, tables a row per line with cells separated
 * by tabs.
 *
 * Returns: (transfer full): the visible text
 */
char *
starling_markdown_view_dup_visible_text (StarlingMarkdownView *self)
{
  GString *text;

  g_return_val_if_fail (STARLING_IS_MARKDOWN_VIEW (self), NULL);

  starling_markdown_view_flush (self);

  text = g_string_new (NULL);
  for (guint i = 0; i < self->segments->len; i++)
    {
      Segment *segment = g_ptr_array_index (self->segments, i);

      if (i > 0)
        g_string_append_c (text, '\n');

      switch (segment->kind)
        {
        case SEGMENT_PROSE:
          {
            GtkTextIter start, end;
            g_autofree char *prose = NULL;

            gtk_text_buffer_get_bounds (segment->buffer, &start, &end);
            prose = gtk_text_buffer_get_text (segment->buffer, &start, &end, TRUE);
            g_string_append (text, prose);
          }
          break;

        case SEGMENT_CODE:
          {
            g_autofree char *code = starling_markdown_code_block_dup_code (STARLING_MARKDOWN_CODE_BLOCK (segment->widget));

            g_string_append (text, code);
          }
          break;

        case SEGMENT_TABLE:
          {
            g_autofree char *table = starling_markdown_table_dup_text (STARLING_MARKDOWN_TABLE (segment->widget));

            g_string_append (text, table);
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }

  return g_string_free (text, FALSE);
}

/**
 * starling_markdown_view_get_link_at_iter:
 * @self: a #StarlingMarkdownView
 * @iter: a position in one of the view's text buffers
 *
 * Returns: (nullable): the URI of the link at @iter; only http, https and
 *   mailto links are links
 */
const char *
starling_markdown_view_get_link_at_iter (StarlingMarkdownView *self,
                                         const GtkTextIter    *iter)
{
  GtkTextBuffer *buffer;
  Segment *segment;
  const StarlingMdLink *link;

  g_return_val_if_fail (STARLING_IS_MARKDOWN_VIEW (self), NULL);
  g_return_val_if_fail (iter != NULL, NULL);

  buffer = gtk_text_iter_get_buffer (iter);
  segment = g_object_get_data (G_OBJECT (buffer), "starling-markdown-segment");
  if (segment == NULL || !g_ptr_array_find (self->segments, segment, NULL))
    return NULL;

  link = segment_link_at (segment, gtk_text_iter_get_offset (iter));

  return link != NULL ? link->uri : NULL;
}

/**
 * starling_markdown_view_get_tag_table:
 *
 * Returns: (transfer none): the tag table all Markdown text buffers share
 */
GtkTextTagTable *
starling_markdown_view_get_tag_table (void)
{
  return starling_markdown_tags_get_table ();
}

const StarlingMarkdownViewStats *
starling_markdown_view_get_stats (StarlingMarkdownView *self)
{
  g_return_val_if_fail (STARLING_IS_MARKDOWN_VIEW (self), NULL);

  return &self->stats;
}

/**
 * starling_markdown_view_get_commit_point:
 * @self: a #StarlingMarkdownView
 * @widget: (out) (transfer none) (nullable): the first child the next
 *   render may change, %NULL when only new children may follow
 * @offset: (out): in a text view, the first character that may change
 *
 * Everything before this point is final: it is never rendered again.
 */
void
starling_markdown_view_get_commit_point (StarlingMarkdownView  *self,
                                         GtkWidget            **widget,
                                         int                   *offset)
{
  Segment *last;

  g_return_if_fail (STARLING_IS_MARKDOWN_VIEW (self));

  *widget = NULL;
  *offset = 0;

  if (self->tail->len > 0)
    {
      Placed *placed = g_ptr_array_index (self->tail, 0);

      *widget = placed->segment->widget;
      *offset = placed->segment->kind == SEGMENT_PROSE ? (int) placed->char_start : 0;
      return;
    }

  last = self->segments->len > 0 ? g_ptr_array_index (self->segments, self->segments->len - 1) : NULL;
  if (last != NULL && last->kind == SEGMENT_PROSE)
    {
      *widget = last->widget;
      *offset = last->n_chars;
    }
}

/**
 * starling_markdown_view_get_link_area:
 * @self: a #StarlingMarkdownView
 * @area: (out): where the last link was clicked, in @self's coordinates
 *
 * For a popover that answers the click (a citation marker's sources).
 */
void
starling_markdown_view_get_link_area (StarlingMarkdownView *self,
                                      GdkRectangle         *area)
{
  g_return_if_fail (STARLING_IS_MARKDOWN_VIEW (self));
  g_return_if_fail (area != NULL);

  *area = self->link_area;
}

/**
 * starling_markdown_view_highlight_before_link:
 * @self: a #StarlingMarkdownView
 * @candidates: (array zero-terminated=1): texts that may end where the
 *   hovered link starts (the sentences a citation marker may stand for)
 *
 * Highlights the text the hovered link follows: the candidate found closest
 * before it, in the same block (markers after it, as in [1][2], are skipped).
 *
 * Returns: the index of the candidate highlighted, or -1
 */
int
starling_markdown_view_highlight_before_link (StarlingMarkdownView *self,
                                              const char * const   *candidates)
{
  GtkTextBuffer *buffer;
  GtkTextIter link_start, best_start, best_end;
  int best = -1;

  g_return_val_if_fail (STARLING_IS_MARKDOWN_VIEW (self), -1);

  if (self->hovered_view == NULL || candidates == NULL)
    return -1;

  clear_highlight (self);
  buffer = gtk_text_view_get_buffer (self->hovered_view);
  gtk_text_buffer_get_iter_at_offset (buffer, &link_start, self->hovered_start);

  for (int i = 0; candidates[i] != NULL; i++)
    {
      GtkTextIter start, end;

      if (*candidates[i] == '\0' ||
          !gtk_text_iter_backward_search (&link_start, candidates[i], GTK_TEXT_SEARCH_TEXT_ONLY,
                                          &start, &end, NULL))
        continue;
      /* between the text and the link, only other markers and spaces */
      {
        g_autofree char *between = gtk_text_iter_get_text (&end, &link_start);
        gboolean only_markers = TRUE;

        for (const char *p = between; *p != '\0'; p++)
          if (!g_ascii_isspace (*p) && !g_ascii_isdigit (*p) && *p != '[' && *p != ']')
            only_markers = FALSE;
        if (!only_markers)
          continue;
      }
      if (best < 0 || gtk_text_iter_compare (&end, &best_end) > 0)
        {
          best = i;
          best_start = start;
          best_end = end;
        }
    }

  if (best >= 0)
    gtk_text_buffer_apply_tag (buffer, starling_markdown_tags_get ()->highlight, &best_start, &best_end);

  return best;
}

/**
 * starling_markdown_view_describe_link:
 * @self: a #StarlingMarkdownView
 * @description: (nullable): what the link last announced by
 *   #StarlingMarkdownView::link-hovered stands for (a marker's sources)
 *
 * When that link has the keyboard focus rather than the pointer, shows
 * @description beside it and tells screen readers, as a tooltip would.
 */
void
starling_markdown_view_describe_link (StarlingMarkdownView *self,
                                      const char           *description)
{
  g_return_if_fail (STARLING_IS_MARKDOWN_VIEW (self));

  if (STARLING_IS_MARKDOWN_TEXT_VIEW (self->hovered_view))
    starling_markdown_text_view_describe_focus_link (STARLING_MARKDOWN_TEXT_VIEW (self->hovered_view),
                                                     self->hovered_start, description);
}

GArray *
starling_markdown_view_get_buffer_links (GtkTextBuffer *buffer)
{
  Segment *segment = g_object_get_data (G_OBJECT (buffer), "starling-markdown-segment");

  return segment != NULL ? segment->links : NULL;
}

/**
 * starling_markdown_view_dup_selected_text:
 * @self: a #StarlingMarkdownView
 *
 * The selection, which may run across blocks, as text in reading order:
 * a blank line between blocks and before a paragraph, code as written,
 * table rows a line each with cells separated by tabs.
 *
 * Returns: (transfer full) (nullable): the selected text, %NULL when
 *   nothing is selected
 */
char *
starling_markdown_view_dup_selected_text (StarlingMarkdownView *self)
{
  GString *text = NULL;

  g_return_val_if_fail (STARLING_IS_MARKDOWN_VIEW (self), NULL);

  for (guint i = 0; self->segments != NULL && i < self->segments->len; i++)
    {
      Segment *segment = g_ptr_array_index (self->segments, i);
      GtkTextView *text_view;
      guint lo, hi;

      if (!segment_get_selection (segment, &lo, &hi) || hi <= lo)
        continue;

      if (text == NULL)
        text = g_string_new (NULL);
      else
        g_string_append (text, "\n\n");

      text_view = segment_text_view (segment);
      if (text_view != NULL)
        {
          GtkTextBuffer *buffer = gtk_text_view_get_buffer (text_view);
          GtkTextIter start, end;

          get_iter_at_offset (buffer, &start, lo);
          get_iter_at_offset (buffer, &end, hi);
          if (segment->kind == SEGMENT_PROSE)
            {
              append_prose (text, buffer, &start, &end);
            }
          else
            {
              g_autofree char *code = gtk_text_buffer_get_text (buffer, &start, &end, TRUE);

              g_string_append (text, code);
            }
        }
      else
        {
          StarlingMarkdownTable *table = STARLING_MARKDOWN_TABLE (segment->widget);
          g_autofree char *cells = starling_markdown_table_dup_cells_text (table, lo, hi);

          g_string_append (text, cells);
        }
    }

  return text != NULL ? g_string_free (text, FALSE) : NULL;
}

/* starling-markdown-view.c: Markdown rendered into GTK widgets, incrementally while it streams
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <time.h>

#include "starling-markdown-code-block.h"
#include "starling-markdown-parser.h"
#include "starling-markdown-table.h"
#include "starling-markdown-tags.h"
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
  guint           char_start;
  guint           chars_before;
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

  /* The stream as rendered so far: a prefix of the source. */
  gsize                      visible_len;
  guint                      tick_id;
  guint                      delay_id;
  gint64                     last_render_time;
  gboolean                   finishing;
  gboolean                   finished;
  gboolean                   committed_in_pieces;

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
link_released_cb (GtkGestureClick *gesture,
                  int              n_press,
                  double           x,
                  double           y,
                  gpointer         user_data)
{
  GtkWidget *text_view = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkRoot *root = gtk_widget_get_root (text_view);
  const char *uri;

  /* A drag that selected text is not a click on a link. */
  if (n_press != 1 || gtk_text_buffer_get_has_selection (gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view))))
    return;

  uri = link_at_location (GTK_TEXT_VIEW (text_view), x, y);
  if (uri != NULL && starling_md_uri_is_allowed (uri))
    gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
}

static void
link_motion_cb (GtkEventControllerMotion *controller,
                double                    x,
                double                    y,
                gpointer                  user_data)
{
  GtkWidget *text_view = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  const char *cursor = link_at_location (GTK_TEXT_VIEW (text_view), x, y) != NULL ? "pointer" : "text";

  if (g_strcmp0 (g_object_get_data (G_OBJECT (text_view), "starling-cursor"), cursor) != 0)
    {
      g_object_set_data (G_OBJECT (text_view), "starling-cursor", (gpointer) cursor);
      gtk_widget_set_cursor_from_name (text_view, cursor);
    }
}

static GtkWidget *
create_text_view (Segment *segment)
{
  GtkWidget *text_view = gtk_text_view_new_with_buffer (segment->buffer);
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();

  gtk_text_view_set_editable (GTK_TEXT_VIEW (text_view), FALSE);
  gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (text_view), FALSE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (text_view), GTK_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (text_view, "starling-markdown-text");

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "released", G_CALLBACK (link_released_cb), NULL);
  gtk_widget_add_controller (text_view, GTK_EVENT_CONTROLLER (click));
  g_signal_connect (motion, "motion", G_CALLBACK (link_motion_cb), NULL);
  gtk_widget_add_controller (text_view, motion);

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
      const char *newline = memchr (unit->text->str, '\n', unit->text->len);
      guint first_line = newline != NULL ? g_utf8_strlen (unit->text->str, newline - unit->text->str)
                                         : unit->n_chars;

      get_iter_at_offset (buffer, &start, base);
      get_iter_at_offset (buffer, &iter, base + MAX (first_line, 1));
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
          segment->widget = g_object_ref_sink (create_text_view (segment));
          gtk_widget_set_parent (segment->widget, GTK_WIDGET (self));
        }
      placed->segment = segment;
      placed->char_start = segment->n_chars;
      placed->chars_before = segment->n_chars;
      placed->lines_before = segment->n_lines;
      placed->links_before = segment->links->len;
      placed->units_before = segment->n_units;
      prose_insert (segment, unit);
      break;

    case STARLING_MD_UNIT_CODE:
      segment = segment_new (self, SEGMENT_CODE);
      segment->widget = g_object_ref_sink (starling_markdown_code_block_new (unit->lang));
      gtk_widget_set_margin_start (segment->widget, unit->indent);
      starling_markdown_code_block_set_code (STARLING_MARKDOWN_CODE_BLOCK (segment->widget),
                                             unit->text->str, unit->text->len);
      gtk_widget_set_parent (segment->widget, GTK_WIDGET (self));
      placed->segment = segment;
      break;

    case STARLING_MD_UNIT_TABLE:
      segment = segment_new (self, SEGMENT_TABLE);
      segment->widget = g_object_ref_sink (starling_markdown_table_new (unit));
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

  if (segment->kind == SEGMENT_PROSE && placed->units_before > 0)
    {
      GtkTextIter start, end;

      get_iter_at_offset (segment->buffer, &start, placed->char_start);
      gtk_text_buffer_get_end_iter (segment->buffer, &end);
      self->stats.chars_removed += segment->n_chars - placed->char_start;
      gtk_text_buffer_delete (segment->buffer, &start, &end);
      segment->n_chars = placed->chars_before;
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

  if (unit->kind == STARLING_MD_UNIT_CODE)
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
  gsize len = self->visible_len;
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
  after = starling_md_parse (self->source->str + boundary, self->visible_len - boundary);
  self->stats.bytes_parsed += self->visible_len - self->commit_offset;

  if (before->len + after->len != self->tail->len ||
      !units_match_tail (self, before, 0) ||
      !units_match_tail (self, after, before->len))
    return;

  commit_units (self, before->len);
  self->commit_offset = boundary;
  self->committed_in_pieces = TRUE;
}

/* Renders the stream up to visible_len: the tail is parsed again and only
 * what changed in it is re-rendered. */
static void
render (StarlingMarkdownView *self)
{
  g_autoptr(GPtrArray) units = NULL;
  gint64 start = thread_cpu_usec ();
  gint64 elapsed;

  units = starling_md_parse (self->source->str + self->commit_offset,
                             self->visible_len - self->commit_offset);
  self->stats.bytes_parsed += self->visible_len - self->commit_offset;
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

/* The end of the next piece to show: at most MAX_BYTES_PER_RENDER more,
 * cut after a line if possible, never inside a character. */
static gsize
next_visible_length (StarlingMarkdownView *self)
{
  const char *text = self->source->str;
  gsize end = self->visible_len + MAX_BYTES_PER_RENDER;

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
  self->commit_offset = self->visible_len;
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
  if (self->visible_len < self->source->len)
    {
      self->visible_len = all ? self->source->len : next_visible_length (self);
      render (self);
    }

  if (self->finishing && self->visible_len == self->source->len)
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

  cancel_render (self);
  g_clear_pointer (&self->tail, g_ptr_array_unref);
  g_clear_pointer (&self->segments, g_ptr_array_unref);

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

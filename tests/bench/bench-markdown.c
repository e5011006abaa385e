/* bench-markdown.c: streaming a long Markdown answer into the real view
 *
 * Streams $STARLING_BENCH_DIR/answer-100k.md in 20-byte deltas into a
 * StarlingMarkdownView in a mapped window, one delta per main-loop iteration
 * (a 1 ms timer, the way socket reads arrive), letting frames render, and
 * compares the main thread's CPU time with rendering the final text once.
 * Also reports the longest main-loop iteration during the stream.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <stdlib.h>
#include <time.h>

#include "starling-markdown-view.h"
#include "starling-markdown-view-private.h"

#define DELTA_SIZE  20
#define N_ROUNDS    3

static GPollFunc   default_poll;
static gint64      last_poll_return;
static gint64      longest_iteration;
static double      last_poll_return_cpu;
static double      longest_iteration_cpu;
static gboolean    measuring_iterations;
static guint       n_frames;
static gint64      frame_start;
static gint64      layout_end;
static double      frame_start_cpu;
static double      layout_end_cpu;
static gint64      phase_layout_usec;
static gint64      phase_paint_usec;
static gint64      max_frame_usec;

typedef struct
{
  StarlingMarkdownView *view;     /* NULL: only the feeding, into a string */
  GString              *sink;
  const char           *text;
  gsize                 len;
  gsize                 offset;
  guint                 interval_ms;
  gboolean              done;
} Feeder;

static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);

  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* The time between two polls is one main-loop iteration: the longest one is
 * the longest the user had to wait for input to be handled. */
static int
measuring_poll (GPollFD *fds,
                guint    n_fds,
                int      timeout)
{
  int ret;

  if (measuring_iterations && last_poll_return != 0)
    {
      gint64 busy = g_get_monotonic_time () - last_poll_return;

      longest_iteration = MAX (longest_iteration, busy);
      double busy_cpu = thread_cpu_ms () - last_poll_return_cpu;

      longest_iteration_cpu = MAX (longest_iteration_cpu, busy_cpu);
      if (g_getenv ("BENCH_DEBUG") && busy_cpu > 6)
        g_printerr ("iteration %.1f ms (cpu %.1f)\n", busy / 1000.0, busy_cpu);
    }
  ret = default_poll (fds, n_fds, timeout);
  last_poll_return = g_get_monotonic_time ();
  last_poll_return_cpu = thread_cpu_ms ();

  return ret;
}

static double thread_cpu_ms (void);

static void
before_paint_cb (GdkFrameClock *clock,
                 gpointer       user_data)
{
  frame_start = g_get_monotonic_time ();
  frame_start_cpu = thread_cpu_ms ();
  layout_end = 0;
}

static void
layout_cb (GdkFrameClock *clock,
           gpointer       user_data)
{
  layout_end = g_get_monotonic_time ();
  layout_end_cpu = thread_cpu_ms ();
}

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  gint64 now = g_get_monotonic_time ();

  n_frames++;
  if (measuring_iterations && layout_end >= frame_start)
    {
      phase_layout_usec += layout_end - frame_start;
      phase_paint_usec += now - layout_end;
      max_frame_usec = MAX (max_frame_usec, now - frame_start);
      if (g_getenv ("BENCH_DEBUG") && now - frame_start > 8000)
        g_printerr ("frame %.1f ms: update+layout %.1f (cpu %.1f), paint %.1f (cpu %.1f)\n", (now - frame_start) / 1000.0,
                    (layout_end - frame_start) / 1000.0, layout_end_cpu - frame_start_cpu,
                    (now - layout_end) / 1000.0, thread_cpu_ms () - layout_end_cpu);
    }
}

/* Runs the main loop until nothing was painted for a while: layout,
 * snapshot and the text views' idle validation are all done by then. */
static void
settle (void)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint frames = n_frames;
  gint64 quiet_since = g_get_monotonic_time ();

  while (g_get_monotonic_time () < deadline)
    {
      if (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
      else
        g_usleep (1000);

      if (n_frames != frames || g_main_context_pending (NULL))
        {
          frames = n_frames;
          quiet_since = g_get_monotonic_time ();
        }
      else if (g_get_monotonic_time () - quiet_since > 300 * 1000)
        {
          return;
        }
    }
}

static void
scroll_to_end_cb (GtkAdjustment *adjustment,
                  GParamSpec    *pspec,
                  gpointer       user_data)
{
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) -
                                        gtk_adjustment_get_page_size (adjustment));
}

/* The previous view goes first, outside of what is measured. */
static void
remove_view (GtkScrolledWindow *scroller)
{
  gtk_scrolled_window_set_child (scroller, NULL);
  settle ();
}

static GtkWidget *
new_view (GtkScrolledWindow *scroller)
{
  GtkWidget *view = starling_markdown_view_new ();

  gtk_widget_set_margin_start (view, 12);
  gtk_widget_set_margin_end (view, 12);
  gtk_scrolled_window_set_child (scroller, view);

  return view;
}

static gboolean
feed_cb (gpointer user_data)
{
  Feeder *feeder = user_data;
  gsize n = MIN (DELTA_SIZE, feeder->len - feeder->offset);

  if (feeder->view != NULL)
    starling_markdown_view_append (feeder->view, feeder->text + feeder->offset, n);
  else
    g_string_append_len (feeder->sink, feeder->text + feeder->offset, n);
  feeder->offset += n;
  if (feeder->offset < feeder->len)
    return G_SOURCE_CONTINUE;

  if (feeder->view != NULL)
    starling_markdown_view_finish (feeder->view);
  feeder->done = TRUE;

  return G_SOURCE_REMOVE;
}

static guint once_frames;

static double
render_once (GtkScrolledWindow *scroller,
             const char        *text)
{
  GtkWidget *view;
  double start;
  guint frames_start;

  remove_view (scroller);
  start = thread_cpu_ms ();
  frames_start = n_frames;
  view = new_view (scroller);
  starling_markdown_view_set_text (STARLING_MARKDOWN_VIEW (view), text);
  settle ();
  once_frames = n_frames - frames_start;

  return thread_cpu_ms () - start;
}

static double
stream (GtkScrolledWindow *scroller,
        const char        *text,
        gsize              len,
        guint              interval_ms,
        double            *wall_ms,
        guint             *frames,
        StarlingMarkdownViewStats *stats)
{
  Feeder feeder = { NULL, NULL, text, len, 0, interval_ms, FALSE };
  gint64 wall_start;
  guint frames_start;
  double start;

  remove_view (scroller);
  start = thread_cpu_ms ();
  wall_start = g_get_monotonic_time ();
  frames_start = n_frames;
  feeder.view = STARLING_MARKDOWN_VIEW (new_view (scroller));

  longest_iteration = 0;
  longest_iteration_cpu = 0;
  last_poll_return = 0;
  measuring_iterations = TRUE;
  if (interval_ms > 0)
    g_timeout_add (interval_ms, feed_cb, &feeder);
  else
    g_idle_add (feed_cb, &feeder);
  while (!feeder.done)
    g_main_context_iteration (NULL, TRUE);
  settle ();
  measuring_iterations = FALSE;

  *wall_ms = (g_get_monotonic_time () - wall_start) / 1000.0;
  *frames = n_frames - frames_start;
  *stats = *starling_markdown_view_get_stats (feeder.view);

  return thread_cpu_ms () - start;
}

static gboolean
scroll_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  guint *remaining = user_data;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (widget));

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) - 3);

  return --(*remaining) > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* The cost of one frame of this window that only scrolls: every frame of
 * the stream scrolls too, to stay at the bottom. */
static double
scroll_frame_cost (GtkScrolledWindow *scroller,
                   const char        *text)
{
  guint remaining = 60;
  guint frames_start;
  double start;

  render_once (scroller, text);
  start = thread_cpu_ms ();
  frames_start = n_frames;
  gtk_widget_add_tick_callback (GTK_WIDGET (scroller), scroll_tick_cb, &remaining, NULL);
  while (remaining > 0)
    g_main_context_iteration (NULL, TRUE);
  settle ();

  return (thread_cpu_ms () - start) / MAX (n_frames - frames_start, 1);
}

/* What delivering the deltas costs by itself, without a view. */
static double
feed_only (const char *text,
           gsize       len,
           guint       interval_ms)
{
  Feeder feeder = { NULL, g_string_new (NULL), text, len, 0, interval_ms, FALSE };
  double start;

  settle ();
  start = thread_cpu_ms ();
  if (interval_ms > 0)
    g_timeout_add (interval_ms, feed_cb, &feeder);
  else
    g_idle_add (feed_cb, &feeder);
  while (!feeder.done)
    g_main_context_iteration (NULL, TRUE);
  g_string_free (feeder.sink, TRUE);

  return thread_cpu_ms () - start;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window;
  GtkWidget *scroller;
  GtkAdjustment *vadjustment;
  double once[N_ROUNDS], streamed[N_ROUNDS], stalls[N_ROUNDS], cpu_stalls[N_ROUNDS], fed[N_ROUNDS];
  double wall_ms = 0;
  guint frames = 0;
  StarlingMarkdownViewStats stats = { 0 };
  double scroll_cost;
  gsize len;
  const char *bench_dir = g_getenv ("STARLING_BENCH_DIR");
  guint interval_ms = argc > 1 ? (guint) atoi (argv[1]) : 1;

  g_setenv ("GTK_A11Y", "none", TRUE);
  if (!gtk_init_check ())
    {
      g_printerr ("bench-markdown needs a display (run it under Xvfb)\n");
      return 77;
    }
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  if (bench_dir == NULL)
    {
      g_printerr ("STARLING_BENCH_DIR is not set\n");
      return 1;
    }
  path = g_build_filename (bench_dir, "answer-100k.md", NULL);
  if (!g_file_get_contents (path, &text, &len, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  default_poll = g_main_context_get_poll_func (NULL);
  g_main_context_set_poll_func (NULL, measuring_poll);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_window_set_child (GTK_WINDOW (window), scroller);
  vadjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  /* Stay at the bottom, as the conversation does while an answer streams. */
  if (!g_getenv ("XNOSCROLL"))
  g_signal_connect (vadjustment, "notify::upper", G_CALLBACK (scroll_to_end_cb), NULL);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (gtk_widget_get_frame_clock (window), "before-paint", G_CALLBACK (before_paint_cb), NULL);
  /* Connected after GTK's own handlers: these mark the end of each phase. */
  g_signal_connect (gtk_widget_get_frame_clock (window), "layout", G_CALLBACK (layout_cb), NULL);
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (after_paint_cb), NULL);

  /* Warm up caches (fonts, languages, style) so the first round is not special. */
  render_once (GTK_SCROLLED_WINDOW (scroller), text);

  for (guint i = 0; i < N_ROUNDS; i++)
    {
      once[i] = render_once (GTK_SCROLLED_WINDOW (scroller), text);
      streamed[i] = stream (GTK_SCROLLED_WINDOW (scroller), text, len, interval_ms,
                            &wall_ms, &frames, &stats);
      stalls[i] = longest_iteration / 1000.0;
      cpu_stalls[i] = longest_iteration_cpu;
      fed[i] = feed_only (text, len, interval_ms);
    }

  scroll_cost = scroll_frame_cost (GTK_SCROLLED_WINDOW (scroller), text);
  qsort (once, N_ROUNDS, sizeof (double), compare_doubles);
  qsort (streamed, N_ROUNDS, sizeof (double), compare_doubles);
  qsort (stalls, N_ROUNDS, sizeof (double), compare_doubles);
  qsort (cpu_stalls, N_ROUNDS, sizeof (double), compare_doubles);
  qsort (fed, N_ROUNDS, sizeof (double), compare_doubles);

  g_print ("markdown_renderer %s\n",
           G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window))));
  g_print ("markdown_bytes %" G_GSIZE_FORMAT "\n", len);
  g_print ("markdown_deltas %" G_GSIZE_FORMAT " (of %d bytes, one per %u ms)\n",
           (len + DELTA_SIZE - 1) / DELTA_SIZE, DELTA_SIZE, interval_ms);
  g_print ("markdown_render_once_cpu_ms %.1f\n", once[N_ROUNDS / 2]);
  g_print ("markdown_render_once_frames %u\n", once_frames);
  g_print ("markdown_stream_cpu_ms %.1f\n", streamed[N_ROUNDS / 2]);
  g_print ("markdown_stream_wall_ms %.0f\n", wall_ms);
  g_print ("markdown_stream_frames %u\n", frames);
  g_print ("markdown_stream_renders %u\n", stats.renders);
  g_print ("markdown_stream_commits %u\n", stats.commits);
  g_print ("markdown_stream_units_placed %u (final units %u)\n", stats.units_placed, stats.units_committed);
  g_print ("markdown_stream_segments_created %u\n", stats.segments_created);
  g_print ("markdown_stream_bytes_parsed %" G_GSIZE_FORMAT "\n", stats.bytes_parsed);
  g_print ("markdown_stream_full_rebuilds %u\n", stats.full_rebuilds);
  g_print ("markdown_stream_frame_update_layout_ms %.1f (total, %u rounds)\n", phase_layout_usec / 1000.0, N_ROUNDS);
  g_print ("markdown_stream_frame_paint_ms %.1f (total, %u rounds)\n", phase_paint_usec / 1000.0, N_ROUNDS);
  g_print ("markdown_stream_longest_frame_ms %.1f\n", max_frame_usec / 1000.0);
  g_print ("markdown_stream_tail_render_ms %.1f (last round; longest %.1f)\n",
           stats.render_usec / 1000.0, stats.max_render_usec / 1000.0);
  g_print ("markdown_scroll_frame_cpu_ms %.2f (a frame that only scrolls the finished view)\n", scroll_cost);
  g_print ("markdown_feed_only_cpu_ms %.1f (the same deltas appended to a string)\n", fed[N_ROUNDS / 2]);
  g_print ("markdown_stream_cpu_ratio_gross %.2f\n", streamed[N_ROUNDS / 2] / once[N_ROUNDS / 2]);
  g_print ("markdown_stream_cpu_ratio %.2f\n", (streamed[N_ROUNDS / 2] - fed[N_ROUNDS / 2]) / once[N_ROUNDS / 2]);
  g_print ("markdown_stream_max_stall_ms %.1f\n", stalls[N_ROUNDS / 2]);
  g_print ("markdown_stream_max_stall_cpu_ms %.1f\n", cpu_stalls[N_ROUNDS / 2]);

  gtk_window_destroy (GTK_WINDOW (window));

  return 0;
}

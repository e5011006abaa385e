/* bench-markdown.c: streaming a long Markdown answer into the real view
 *
 * Streams $STARLING_BENCH_DIR/answer-100k.md in 20-byte deltas into a
 * StarlingMarkdownView in a mapped window (in a scrolled window kept at the
 * bottom, as the conversation does), one delta per main-loop iteration,
 * letting frames render, and compares the main thread's CPU time with
 * rendering the final text once (set_text, then layout and paint until the
 * window is quiet). Also reports the longest main-loop iteration during the
 * stream: wall time, and the main thread's CPU time in it.
 *
 * Two deliveries: from an idle source (a fast network: deltas arrive as
 * fast as the main loop takes them), and one delta per millisecond (20 KB/s).
 * Also how many iterations took more than 8 ms of CPU, and the five
 * longest: whether the longest was the rule or an exception.
 * Set BENCH_MARKDOWN_VERBOSE=1 to list every iteration longer than 6 ms,
 * with when it started (CLOCK_MONOTONIC, as `perf record -k mono` stamps
 * its samples, to find them in a profile).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "starling-markdown-view.h"
#include "starling-markdown-view-private.h"

#define DELTA_SIZE 20
#define N_ROUNDS   3

typedef struct
{
  double cpu_ms;
  double feed_cpu_ms;
  double wall_ms;
  double layout_cpu_ms;
  double paint_cpu_ms;
  double tail_render_ms;
  double stall_ms;
  double stall_cpu_ms;
  double longest_cpu_ms[5];
  guint  over_8ms;
  guint  iterations;
  guint  frames;
  guint  renders;
} StreamResult;

typedef struct
{
  StarlingMarkdownView *view;     /* NULL: only the feeding, into a string */
  GString              *sink;
  const char           *text;
  gsize                 len;
  gsize                 offset;
  gboolean              done;
} Feeder;

static GPollFunc default_poll;
static gboolean  verbose;
static StarlingMarkdownView *verbose_view;
static StarlingMarkdownViewStats verbose_last;

/* Filled while measuring */
static gboolean  measuring;
static gint64    last_poll_return;
static double    last_poll_return_cpu;
static gint64    longest_iteration;
static GArray   *iteration_cpu;     /* double, ms: every iteration measured */
static guint     n_frames;
static double    frame_start_cpu;
static double    layout_end_cpu;
static gboolean  in_frame;
static double    layout_cpu;
static double    paint_cpu;

static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);

  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static int
compare_doubles_descending (const void *a,
                            const void *b)
{
  return compare_doubles (b, a);
}

/* The time between two polls is one main-loop iteration: the longest one is
 * the longest the user had to wait for input to be handled. */
static int
measuring_poll (GPollFD *fds,
                guint    n_fds,
                int      timeout)
{
  int ret;

  if (measuring && last_poll_return != 0)
    {
      gint64 busy = g_get_monotonic_time () - last_poll_return;
      double busy_cpu = thread_cpu_ms () - last_poll_return_cpu;

      longest_iteration = MAX (longest_iteration, busy);
      g_array_append_val (iteration_cpu, busy_cpu);
      if (verbose && busy_cpu > 6)
        {
          g_printerr ("iteration %.1f ms (cpu %.1f) from %.6f s", busy / 1000.0, busy_cpu,
                      last_poll_return / 1e6);
          if (verbose_view != NULL)
            {
              const StarlingMarkdownViewStats *s = starling_markdown_view_get_stats (verbose_view);

              g_printerr (": %u renders, %u segments created, %u units placed, %u chars removed, render %.1f ms",
                          s->renders - verbose_last.renders,
                          s->segments_created - verbose_last.segments_created,
                          s->units_placed - verbose_last.units_placed,
                          s->chars_removed - verbose_last.chars_removed,
                          (s->render_usec - verbose_last.render_usec) / 1000.0);
            }
          g_printerr ("\n");
        }
      if (verbose_view != NULL)
        verbose_last = *starling_markdown_view_get_stats (verbose_view);
    }
  ret = default_poll (fds, n_fds, timeout);
  last_poll_return = g_get_monotonic_time ();
  last_poll_return_cpu = thread_cpu_ms ();

  return ret;
}

static void
before_paint_cb (GdkFrameClock *clock,
                 gpointer       user_data)
{
  frame_start_cpu = thread_cpu_ms ();
  layout_end_cpu = frame_start_cpu;
  in_frame = TRUE;
}

/* Connected after GTK's own handler: marks the end of the layout phase. */
static void
layout_cb (GdkFrameClock *clock,
           gpointer       user_data)
{
  layout_end_cpu = thread_cpu_ms ();
}

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  double now = thread_cpu_ms ();

  n_frames++;
  if (measuring && in_frame)
    {
      layout_cpu += layout_end_cpu - frame_start_cpu;
      paint_cpu += now - layout_end_cpu;
      if (verbose && now - frame_start_cpu > 6)
        g_printerr ("frame: update and layout cpu %.1f ms, paint cpu %.1f ms\n",
                    layout_end_cpu - frame_start_cpu, now - layout_end_cpu);
    }
  in_frame = FALSE;
}

/* Runs the main loop until nothing was painted for a while: layout,
 * snapshot and the text views' idle validation are all done by then. */
static void
settle (void)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  gint64 quiet_since = g_get_monotonic_time ();
  guint frames = n_frames;

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
static StarlingMarkdownView *
new_view (GtkScrolledWindow *scroller)
{
  GtkWidget *view;

  gtk_scrolled_window_set_child (scroller, NULL);
  settle ();

  view = starling_markdown_view_new ();
  gtk_widget_set_margin_start (view, 12);
  gtk_widget_set_margin_end (view, 12);

  return STARLING_MARKDOWN_VIEW (view);
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

static void
feed (Feeder *feeder,
      guint   interval_ms)
{
  if (interval_ms > 0)
    g_timeout_add (interval_ms, feed_cb, feeder);
  else
    g_idle_add (feed_cb, feeder);
  while (!feeder->done)
    g_main_context_iteration (NULL, TRUE);
}

static double
render_once (GtkScrolledWindow *scroller,
             const char        *text)
{
  StarlingMarkdownView *view = new_view (scroller);
  double start = thread_cpu_ms ();
  double cpu;

  if (verbose)
    g_printerr ("once from %.6f s\n", g_get_monotonic_time () / 1e6);
  gtk_scrolled_window_set_child (scroller, GTK_WIDGET (view));
  starling_markdown_view_set_text (view, text);
  settle ();
  cpu = thread_cpu_ms () - start;
  if (verbose)
    g_printerr ("once to %.6f s\n", g_get_monotonic_time () / 1e6);

  return cpu;
}

static void
stream (GtkScrolledWindow *scroller,
        const char        *text,
        gsize              len,
        guint              interval_ms,
        StreamResult      *result)
{
  StarlingMarkdownView *view = new_view (scroller);
  Feeder feeder = { view, NULL, text, len, 0, FALSE };
  Feeder only = { NULL, g_string_new (NULL), text, len, 0, FALSE };
  const StarlingMarkdownViewStats *stats;
  guint frames_start;
  gint64 wall_start;
  double start;

  /* What delivering the deltas costs by itself, without a view. */
  start = thread_cpu_ms ();
  feed (&only, interval_ms);
  result->feed_cpu_ms = thread_cpu_ms () - start;
  g_string_free (only.sink, TRUE);
  settle ();

  longest_iteration = 0;
  g_array_set_size (iteration_cpu, 0);
  last_poll_return = 0;
  layout_cpu = paint_cpu = 0;
  frames_start = n_frames;
  wall_start = g_get_monotonic_time ();
  start = thread_cpu_ms ();
  measuring = TRUE;
  if (verbose)
    g_printerr ("stream from %.6f s\n", wall_start / 1e6);

  gtk_scrolled_window_set_child (scroller, GTK_WIDGET (view));
  verbose_view = view;
  memset (&verbose_last, 0, sizeof verbose_last);
  feed (&feeder, interval_ms);
  settle ();

  measuring = FALSE;
  verbose_view = NULL;
  if (verbose)
    g_printerr ("stream to %.6f s\n", g_get_monotonic_time () / 1e6);
  result->cpu_ms = thread_cpu_ms () - start;
  result->wall_ms = (g_get_monotonic_time () - wall_start) / 1000.0;
  result->frames = n_frames - frames_start;
  result->layout_cpu_ms = layout_cpu;
  result->paint_cpu_ms = paint_cpu;
  result->stall_ms = longest_iteration / 1000.0;
  /* The longest stall is one iteration; the next ones say whether it was
   * the rule or an exception (with software GL: a shader compiled, the
   * glyph cache filled again). Longest first: */
  g_array_sort (iteration_cpu, compare_doubles_descending);
  result->iterations = iteration_cpu->len;
  result->stall_cpu_ms = iteration_cpu->len > 0 ? g_array_index (iteration_cpu, double, 0) : 0;
  result->over_8ms = 0;
  memset (result->longest_cpu_ms, 0, sizeof result->longest_cpu_ms);
  for (guint i = 0; i < iteration_cpu->len; i++)
    {
      double cpu = g_array_index (iteration_cpu, double, i);

      if (i < G_N_ELEMENTS (result->longest_cpu_ms))
        result->longest_cpu_ms[i] = cpu;
      result->over_8ms += cpu > 8.0;
    }
  stats = starling_markdown_view_get_stats (view);
  result->renders = stats->renders;
  result->tail_render_ms = stats->render_usec / 1000.0;
  g_assert (!starling_markdown_view_get_streaming (view));
}

/* The view's own work, without frames: set_text against appending the deltas
 * with a render every 16 of them (about 60 renders a second at 20 KB/s).
 * The layout and painting that follow are left out of both. */
static void
work_without_frames (GtkScrolledWindow *scroller,
                     const char        *text,
                     gsize              len,
                     double            *once_ms,
                     double            *stream_ms)
{
  StarlingMarkdownView *view = new_view (scroller);
  double start;

  gtk_scrolled_window_set_child (scroller, GTK_WIDGET (view));
  start = thread_cpu_ms ();
  starling_markdown_view_set_text (view, text);
  *once_ms = thread_cpu_ms () - start;

  view = new_view (scroller);
  gtk_scrolled_window_set_child (scroller, GTK_WIDGET (view));
  start = thread_cpu_ms ();
  for (gsize offset = 0, i = 0; offset < len; offset += DELTA_SIZE, i++)
    {
      starling_markdown_view_append (view, text + offset, MIN (DELTA_SIZE, len - offset));
      if (i % 16 == 15)
        starling_markdown_view_flush (view);
    }
  starling_markdown_view_finish (view);
  starling_markdown_view_flush (view);
  *stream_ms = thread_cpu_ms () - start;
  settle ();
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

/* The cost of a frame of this window that only scrolls the finished view:
 * every frame of the stream scrolls too, to stay at the bottom. */
static double
frame_floor (GtkScrolledWindow *scroller,
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

static int
compare_results (const void *a,
                 const void *b)
{
  return compare_doubles (&((const StreamResult *) a)->cpu_ms, &((const StreamResult *) b)->cpu_ms);
}

static void
print_stream (const char         *prefix,
              const char         *delivery,
              const StreamResult *result,
              double              once_ms)
{
  g_print ("%s_delivery %s\n", prefix, delivery);
  g_print ("%s_cpu_ms %.1f\n", prefix, result->cpu_ms);
  g_print ("%s_feed_cpu_ms %.1f (the same deltas appended to a string)\n", prefix, result->feed_cpu_ms);
  g_print ("%s_wall_ms %.0f\n", prefix, result->wall_ms);
  g_print ("%s_frames %u\n", prefix, result->frames);
  g_print ("%s_renders %u\n", prefix, result->renders);
  g_print ("%s_tail_render_cpu_ms %.1f\n", prefix, result->tail_render_ms);
  g_print ("%s_frame_update_layout_cpu_ms %.1f (tail renders included)\n", prefix, result->layout_cpu_ms);
  g_print ("%s_frame_paint_cpu_ms %.1f\n", prefix, result->paint_cpu_ms);
  g_print ("%s_cpu_ratio_gross %.2f\n", prefix, result->cpu_ms / once_ms);
  g_print ("%s_cpu_ratio %.2f\n", prefix, (result->cpu_ms - result->feed_cpu_ms) / once_ms);
  g_print ("%s_max_stall_ms %.1f\n", prefix, result->stall_ms);
  g_print ("%s_max_stall_cpu_ms %.1f\n", prefix, result->stall_cpu_ms);
  g_print ("%s_iterations_over_8ms %u (of %u; the five longest: %.1f, %.1f, %.1f, %.1f, %.1f ms of CPU)\n",
           prefix, result->over_8ms, result->iterations,
           result->longest_cpu_ms[0], result->longest_cpu_ms[1], result->longest_cpu_ms[2],
           result->longest_cpu_ms[3], result->longest_cpu_ms[4]);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  const char *bench_dir = g_getenv ("STARLING_BENCH_DIR");
  StreamResult fast[N_ROUNDS], timed;
  double once[N_ROUNDS];
  GtkWidget *window, *scroller;
  GdkFrameClock *clock;
  double floor_ms, work_once_ms, work_stream_ms;
  gsize len;

  g_setenv ("GTK_A11Y", "none", TRUE);
  verbose = g_getenv ("BENCH_MARKDOWN_VERBOSE") != NULL;
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

  iteration_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  default_poll = g_main_context_get_poll_func (NULL);
  g_main_context_set_poll_func (NULL, measuring_poll);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_window_set_child (GTK_WINDOW (window), scroller);
  g_signal_connect (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)),
                    "notify::upper", G_CALLBACK (scroll_to_end_cb), NULL);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);

  clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), NULL);
  g_signal_connect (clock, "layout", G_CALLBACK (layout_cb), NULL);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);

  /* Warm up caches (fonts, languages, styles) so the first round is not special. */
  render_once (GTK_SCROLLED_WINDOW (scroller), text);

  for (guint i = 0; i < N_ROUNDS; i++)
    {
      once[i] = render_once (GTK_SCROLLED_WINDOW (scroller), text);
      stream (GTK_SCROLLED_WINDOW (scroller), text, len, 0, &fast[i]);
    }
  stream (GTK_SCROLLED_WINDOW (scroller), text, len, 1, &timed);
  floor_ms = frame_floor (GTK_SCROLLED_WINDOW (scroller), text);
  work_without_frames (GTK_SCROLLED_WINDOW (scroller), text, len, &work_once_ms, &work_stream_ms);

  qsort (once, N_ROUNDS, sizeof (double), compare_doubles);
  qsort (fast, N_ROUNDS, sizeof (StreamResult), compare_results);

  g_print ("markdown_renderer %s\n", G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window))));
  g_print ("markdown_bytes %" G_GSIZE_FORMAT " in %" G_GSIZE_FORMAT " deltas of %d bytes\n",
           len, (len + DELTA_SIZE - 1) / DELTA_SIZE, DELTA_SIZE);
  g_print ("markdown_render_once_cpu_ms %.1f\n", once[N_ROUNDS / 2]);
  g_print ("markdown_frame_floor_cpu_ms %.2f (a frame that only scrolls the finished view)\n", floor_ms);
  g_print ("markdown_set_text_cpu_ms %.1f (set_text alone, before any layout)\n", work_once_ms);
  g_print ("markdown_stream_no_frames_cpu_ms %.1f (the deltas with a render every 16, before any layout)\n",
           work_stream_ms);
  g_print ("markdown_stream_work_ratio %.2f\n", work_stream_ms / work_once_ms);
  print_stream ("markdown_stream", "idle (as fast as the main loop takes them), median of 3",
                &fast[N_ROUNDS / 2], once[N_ROUNDS / 2]);
  print_stream ("markdown_stream_1ms", "one delta per millisecond", &timed, once[N_ROUNDS / 2]);

  gtk_window_destroy (GTK_WINDOW (window));

  return 0;
}

/* bench-sidebar.c: the sidebar over 10,000 conversations
 *
 * Prints:
 *   sidebar_generate_s       building the history (not the sidebar's cost)
 *   sidebar_first_frame_ms   from opening the history and starting the load
 *                            to the first painted frame that shows rows
 *                            (target <= 250)
 *   sidebar_full_load_ms     until all 10,000 are in the list
 *   sidebar_rows             rows in the list (conversations and headers)
 *   sidebar_scroll_frames    frames painted scrolling top to bottom
 *   sidebar_scroll_frame_p50_ms / _p95_ms / _max_ms
 *                            from a scroll step to its frame painted (the
 *                            frame clock ticks at 60 Hz: 16.7 is one frame)
 *   sidebar_scroll_work_p50_ms / _p95_ms / _max_ms
 *                            the work inside those frames (layout and paint)
 *   sidebar_jump_end_ms      from the top straight to the bottom, painted
 *   sidebar_changed_ms       one conversation moved to the top (a new message)
 *   sidebar_row_create_us / _bind_us / _measure_us
 *                            one row made, given a conversation, measured
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "starling-sidebar-private.h"
#include "starling-store-private.h"

#define N_CONVERSATIONS 10000
#define MESSAGES_EACH   20

static const char * const words[] = {
  "garden", "python", "kiwi", "recipe", "train", "budget", "poem", "mountain",
  "sourdough", "network", "letter", "museum", "battery", "violin", "tax",
  "summary", "translation", "weather", "bicycle", "database", "holiday", "perché",
  "café", "Größe", "日本語", "question", "answer", "explain", "compare", "write",
};

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static char *
make_text (GRand *rand,
           guint  n_words)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < n_words; i++)
    {
      if (i > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
parts_for (const char *text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

static void
generate (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StarlingStore) store = starling_store_new (path, NULL, &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (6);
  gint64 now = g_get_real_time ();

  if (store == NULL || !starling_store_begin (store, &error))
    g_error ("%s", error->message);

  for (guint c = 0; c < N_CONVERSATIONS; c++)
    {
      gint64 id = starling_store_create_conversation (store, NULL, "gemini-2.5-flash", NULL, &error);
      /* two years, newest first in the list; a few pinned */
      gint64 updated = now - (gint64) c * 6307 * G_USEC_PER_SEC;
      gint64 parent = 0;

      if (id <= 0)
        g_error ("%s", error->message);

      for (guint m = 0; m < MESSAGES_EACH; m++)
        {
          g_autofree char *text = make_text (rand, m % 2 ? g_rand_int_range (rand, 20, 120)
                                                         : g_rand_int_range (rand, 4, 20));
          g_autofree char *parts = parts_for (text);

          parent = starling_store_append_message (store, id, parent,
                                                  m % 2 ? STARLING_STORE_ROLE_MODEL : STARLING_STORE_ROLE_USER,
                                                  parts, STARLING_STORE_STATUS_COMPLETE, &error);
          if (parent <= 0)
            g_error ("%s", error->message);
        }

      if ((c % 997 == 5 && !starling_store_set_pinned (store, id, TRUE, &error)) ||
          !starling_store_set_conversation_times (store, id, updated, updated, &error))
        g_error ("%s", error->message);

      if (c % 500 == 499 && (!starling_store_commit (store, &error) || !starling_store_begin (store, &error)))
        g_error ("%s", error->message);
    }

  if (!starling_store_commit (store, &error))
    g_error ("%s", error->message);
}

typedef struct
{
  StarlingSidebar *sidebar;
  gint64           start;
  double           first_rows_ms;
  double           first_frame_ms;
  guint            frames;
} FirstFrame;

static void
first_rows_cb (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               FirstFrame *data)
{
  if (data->first_rows_ms < 0 && g_list_model_get_n_items (model) > 0)
    data->first_rows_ms = ms_since (data->start);
}

/* A painted frame shows rows once a conversation row is on screen, bound. */
static gboolean
rows_on_screen (StarlingSidebar *sidebar)
{
  GtkWidget *view = GTK_WIDGET (starling_sidebar_get_list_view (sidebar));

  if (!gtk_widget_get_mapped (view))
    return FALSE;

  for (GtkWidget *child = gtk_widget_get_first_child (view);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);

      if (STARLING_IS_CONVERSATION_ROW (row) && gtk_widget_get_mapped (row) &&
          starling_conversation_row_get_info (STARLING_CONVERSATION_ROW (row)) != NULL)
        return TRUE;
    }

  return FALSE;
}

static void
first_paint_cb (GdkFrameClock *clock,
                FirstFrame    *data)
{
  data->frames++;
  if (data->first_frame_ms < 0 && rows_on_screen (data->sidebar))
    data->first_frame_ms = ms_since (data->start);
}

static void
after_paint_cb (GdkFrameClock *clock,
                guint         *painted)
{
  (*painted)++;
}

/* The work of one frame (layout, snapshot, render), without the wait for
 * the frame clock's tick. */
typedef struct
{
  gint64  before;
  GArray *work_ms;
} FrameWork;

static void
work_before_cb (GdkFrameClock *clock,
                FrameWork     *work)
{
  work->before = g_get_monotonic_time ();
}

static void
work_after_cb (GdkFrameClock *clock,
               FrameWork     *work)
{
  double took = (g_get_monotonic_time () - work->before) / 1000.0;

  if (work->before != 0)
    g_array_append_val (work->work_ms, took);
  work->before = 0;
}

/* Returns how long the next frame took to be painted after @start. */
static double
wait_frame (GdkFrameClock *clock,
            GtkWidget     *widget,
            gint64         start)
{
  guint painted = 0;
  gulong handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);

  gtk_widget_queue_draw (widget);
  while (painted == 0)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);

  return ms_since (start);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *values,
            double  p)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, MIN (values->len - 1, (guint) (p * values->len)));
}

static GtkAdjustment *
find_vadjustment (GtkWidget *widget)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);

  return gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(StarlingStore) store = NULL;
  g_autoptr(GArray) frame_ms = g_array_new (FALSE, FALSE, sizeof (double));
  GtkWindow *window;
  GtkWidget *sidebar;
  GdkFrameClock *clock;
  GtkAdjustment *vadj;
  FirstFrame first = { 0, };
  FrameWork work = { 0, };
  gulong work_handlers[2];
  gulong handler;
  gint64 start;
  guint n_rows;

  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_init ();
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  dir = g_dir_make_tmp ("starling-bench-sidebar-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "history.db", NULL);

  /* STARLING_BENCH_SIDEBAR_DB: a history generated by an earlier run, kept
   * there to measure again without waiting for a new one. */
  if (g_getenv ("STARLING_BENCH_SIDEBAR_DB") != NULL &&
      g_file_test (g_getenv ("STARLING_BENCH_SIDEBAR_DB"), G_FILE_TEST_EXISTS))
    {
      g_free (path);
      path = g_strdup (g_getenv ("STARLING_BENCH_SIDEBAR_DB"));
    }
  else
    {
      if (g_getenv ("STARLING_BENCH_SIDEBAR_DB") != NULL)
        {
          g_free (path);
          path = g_strdup (g_getenv ("STARLING_BENCH_SIDEBAR_DB"));
        }
      start = g_get_monotonic_time ();
      generate (path);
      g_print ("sidebar_generate_s %.1f\n", ms_since (start) / 1000.0);
    }

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 320, 800);
  sidebar = starling_sidebar_new ();
  gtk_window_set_child (window, sidebar);
  gtk_window_present (window);
  while (!gtk_widget_get_mapped (sidebar))
    g_main_context_iteration (NULL, TRUE);
  clock = gtk_widget_get_frame_clock (sidebar);
  wait_frame (clock, sidebar, g_get_monotonic_time ());

  /* One row: made, given a conversation, measured. A list keeps up to 200. */
  {
    g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_object_unref);
    g_autoptr(StarlingStore) scratch_store = starling_store_new (path, NULL, &error);
    g_autoptr(GPtrArray) infos = starling_store_list_conversations (scratch_store, 0, 200, &error);
    gint64 t;
    double create_ms, bind_ms, measure_ms;

    g_assert_no_error (error);
    t = g_get_monotonic_time ();
    for (guint i = 0; i < infos->len; i++)
      g_ptr_array_add (rows, g_object_ref_sink (starling_conversation_row_new ()));
    create_ms = ms_since (t);
    t = g_get_monotonic_time ();
    for (guint i = 0; i < infos->len; i++)
      starling_conversation_row_bind_conversation (g_ptr_array_index (rows, i), g_ptr_array_index (infos, i));
    bind_ms = ms_since (t);
    t = g_get_monotonic_time ();
    for (guint i = 0; i < infos->len; i++)
      gtk_widget_measure (g_ptr_array_index (rows, i), GTK_ORIENTATION_VERTICAL, 300, NULL, NULL, NULL, NULL);
    measure_ms = ms_since (t);
    g_print ("sidebar_row_create_us %.0f\n", create_ms * 1000 / infos->len);
    g_print ("sidebar_row_bind_us %.0f\n", bind_ms * 1000 / infos->len);
    g_print ("sidebar_row_measure_us %.0f\n", measure_ms * 1000 / infos->len);
  }

  /* From opening the history file to rows on screen. */
  first.sidebar = STARLING_SIDEBAR (sidebar);
  first.first_frame_ms = -1;
  first.first_rows_ms = -1;
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (first_paint_cb), &first);
  g_signal_connect (starling_sidebar_get_model (STARLING_SIDEBAR (sidebar)), "items-changed",
                    G_CALLBACK (first_rows_cb), &first);
  first.start = start = g_get_monotonic_time ();
  store = starling_store_new (path, NULL, &error);
  g_assert_no_error (error);
  g_print ("sidebar_store_open_ms %.1f\n", ms_since (start));
  starling_sidebar_set_store (STARLING_SIDEBAR (sidebar), store);
  while (first.first_frame_ms < 0 || starling_sidebar_get_loading (STARLING_SIDEBAR (sidebar)))
    g_main_context_iteration (NULL, TRUE);
  g_print ("sidebar_first_page_ms %.1f\n", first.first_rows_ms);
  g_print ("sidebar_first_frame_ms %.1f\n", first.first_frame_ms);
  g_print ("sidebar_full_load_ms %.1f\n", ms_since (start));
  g_signal_handler_disconnect (clock, handler);

  n_rows = g_list_model_get_n_items (starling_sidebar_get_model (STARLING_SIDEBAR (sidebar)));
  g_print ("sidebar_rows %u\n", n_rows);
  g_assert_cmpuint (n_rows, >, N_CONVERSATIONS);
  wait_frame (clock, sidebar, g_get_monotonic_time ());

  /* What a frame costs with nothing changed: drawing alone, on this display. */
  {
    g_autoptr(GArray) idle = g_array_new (FALSE, FALSE, sizeof (double));

    for (guint i = 0; i < 30; i++)
      {
        double took = wait_frame (clock, sidebar, g_get_monotonic_time ());

        g_array_append_val (idle, took);
      }
    g_print ("sidebar_idle_frame_p50_ms %.2f\n", percentile (idle, 0.5));
  }

  /* Top to bottom, half a page per frame. The list estimates the height of
   * rows it has not seen, so the end moves as it goes: follow it. */
  vadj = find_vadjustment (GTK_WIDGET (starling_sidebar_get_list_view (STARLING_SIDEBAR (sidebar))));
  work.work_ms = g_array_new (FALSE, FALSE, sizeof (double));
  work_handlers[0] = g_signal_connect (clock, "before-paint", G_CALLBACK (work_before_cb), &work);
  work_handlers[1] = g_signal_connect (clock, "after-paint", G_CALLBACK (work_after_cb), &work);
  start = g_get_monotonic_time ();
  while (gtk_adjustment_get_value (vadj) + gtk_adjustment_get_page_size (vadj) < gtk_adjustment_get_upper (vadj) - 1)
    {
      gint64 step_start = g_get_monotonic_time ();
      double value = gtk_adjustment_get_value (vadj) + gtk_adjustment_get_page_size (vadj) / 2;
      double took;

      gtk_adjustment_set_value (vadj, value);
      took = wait_frame (clock, sidebar, step_start);
      g_array_append_val (frame_ms, took);
      if (frame_ms->len > 100000)
        break;
    }
  g_print ("sidebar_scroll_total_s %.1f\n", ms_since (start) / 1000.0);
  g_print ("sidebar_scroll_frames %u\n", frame_ms->len);
  g_print ("sidebar_scroll_frame_p50_ms %.2f\n", percentile (frame_ms, 0.5));
  g_print ("sidebar_scroll_frame_p95_ms %.2f\n", percentile (frame_ms, 0.95));
  g_print ("sidebar_scroll_frame_max_ms %.2f\n", percentile (frame_ms, 1.0));
  g_signal_handler_disconnect (clock, work_handlers[0]);
  g_signal_handler_disconnect (clock, work_handlers[1]);
  g_print ("sidebar_scroll_work_p50_ms %.2f\n", percentile (work.work_ms, 0.5));
  g_print ("sidebar_scroll_work_p95_ms %.2f\n", percentile (work.work_ms, 0.95));
  g_print ("sidebar_scroll_work_max_ms %.2f\n", percentile (work.work_ms, 1.0));
  g_array_unref (work.work_ms);

  /* Back to the top, then straight to the bottom. */
  gtk_adjustment_set_value (vadj, 0);
  wait_frame (clock, sidebar, g_get_monotonic_time ());
  start = g_get_monotonic_time ();
  gtk_adjustment_set_value (vadj, gtk_adjustment_get_upper (vadj));
  g_print ("sidebar_jump_end_ms %.2f\n", wait_frame (clock, sidebar, start));

  /* A new message in the oldest conversation: it moves to the top. */
  {
    GListModel *model = starling_sidebar_get_model (STARLING_SIDEBAR (sidebar));
    g_autoptr(GObject) last = g_list_model_get_item (model, g_list_model_get_n_items (model) - 1);
    gint64 id = starling_conversation_info_get_id (STARLING_CONVERSATION_INFO (last));
    g_autofree char *parts = parts_for ("one more question");

    starling_store_append_message (store, id, 0, STARLING_STORE_ROLE_USER, parts,
                                   STARLING_STORE_STATUS_COMPLETE, &error);
    g_assert_no_error (error);
    start = g_get_monotonic_time ();
    starling_sidebar_conversation_changed (STARLING_SIDEBAR (sidebar), id);
    g_print ("sidebar_changed_ms %.2f\n", wait_frame (clock, sidebar, start));
  }

  gtk_window_destroy (window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&store);

  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *child = g_build_filename (dir, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR))
          {
            g_autoptr(GDir) sub = g_dir_open (child, 0, NULL);
            const char *n;

            while (sub != NULL && (n = g_dir_read_name (sub)) != NULL)
              {
                g_autofree char *grandchild = g_build_filename (child, n, NULL);

                g_unlink (grandchild);
              }
            g_rmdir (child);
          }
        else
          g_unlink (child);
      }
    g_rmdir (dir);
  }

  return 0;
}

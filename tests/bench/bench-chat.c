/* bench-chat.c: the conversation view with real data
 *
 *  - open a 1,000-message conversation from the history to its first frame;
 *  - resident memory with it open;
 *  - the longest main-loop stall while a 4 MB PNG answer arrives and shows.
 *
 * Set BENCH_CHAT_VERBOSE=1 to list every main-loop iteration over 4 ms of
 * CPU while the image arrives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <time.h>

#include "fake-gemini.h"
#include "starling-chat-view.h"
#include "starling-conversation.h"

static gint64 last_tick;
static gint64 max_gap;
static gint64 last_cpu;
static gint64 max_cpu_gap;
static gboolean verbose;

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Wall-clock gaps include waiting for a CPU while the fake server and the
 * decoders work on the other threads (2 cores); the main thread's own CPU
 * time between two ticks is the stall our code causes. */
static gboolean
tick_cb (gpointer user_data)
{
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_us ();

  if (last_tick != 0)
    {
      max_gap = MAX (max_gap, now - last_tick);
      max_cpu_gap = MAX (max_cpu_gap, cpu - last_cpu);
      if (verbose && cpu - last_cpu > 4000)
        g_printerr ("iteration %.1f ms, cpu %.1f ms, ending at %.3f s\n", (now - last_tick) / 1000.0,
                    (cpu - last_cpu) / 1000.0, now / 1e6);
    }
  last_tick = now;
  last_cpu = cpu;
  return G_SOURCE_CONTINUE;
}

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static void
wait_for_paint (GtkWidget *widget)
{
  gboolean painted = FALSE;
  GdkFrameClock *clock;
  gulong id;

  while (!gtk_widget_get_mapped (widget))
    g_main_context_iteration (NULL, TRUE);
  clock = gtk_widget_get_frame_clock (widget);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, id);
}

static long
rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line != NULL ? strtol (line + 6, NULL, 10) : -1;
}

static char *
message_text (guint i)
{
  GString *text = g_string_new (NULL);

  switch (i % 5)
    {
    case 0:
      g_string_append_printf (text, "Question %u: how do I read a file line by line in C?", i);
      break;
    case 1:
      g_string_append_printf (text, "## Answer %u\n\nUse `getline()` in a loop:\n\n```c\n"
                              "FILE *f = fopen (path, \"r\");\nchar *line = NULL;\nsize_t n = 0;\n"
                              "while (getline (&line, &n, f) != -1)\n  puts (line);\nfree (line);\n```\n\n"
                              "- It grows the buffer for you\n- It returns -1 at the end\n", i);
      break;
    case 2:
      g_string_append_printf (text, "Thanks! And %u more thing: what about *binary* files?", i);
      break;
    default:
      for (guint j = 0; j < 1 + i % 7; j++)
        g_string_append (text, "Reading binary data is done with fread(), which copies a number of bytes "
                               "into your buffer and tells you how many it managed to read. ");
      break;
    }

  return g_string_free (text, FALSE);
}

static gint64
fill_store (StarlingStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 id = starling_store_create_conversation (store, "A long talk", "gemini-2.5-flash", NULL, &error);
  gint64 parent = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *text = message_text (i);
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);
      g_autofree char *escaped = NULL;
      g_autofree char *parts = NULL;

      json_node_set_string (node, text);
      escaped = json_to_string (node, FALSE);
      parts = g_strdup_printf ("[{\"text\":%s}]", escaped);
      parent = starling_store_append_message (store, id, parent,
                                              i % 2 == 0 ? STARLING_STORE_ROLE_USER : STARLING_STORE_ROLE_MODEL,
                                              parts, STARLING_STORE_STATUS_COMPLETE, &error);
      g_assert_no_error (error);
    }

  return id;
}

/* Sends a prompt to an image route and waits until the picture is on
 * screen, recording the longest main-loop iteration meanwhile. */
static void
send_image (GtkWidget   *window,
            GemClient   *client,
            FakeGemini  *fake,
            const char  *route,
            gint64      *max_cpu,
            gint64      *max_wall)
{
  g_autoptr(StarlingConversation) images = starling_conversation_new (client, "gemini-2.5-flash-image");
  GtkWidget *image_view = starling_chat_view_new (images);
  gint64 start;
  guint tick;

  fake_gemini_route (fake, "gemini-2.5-flash-image", route);
  gtk_window_set_child (GTK_WINDOW (window), image_view);
  wait_for_paint (image_view);

  last_tick = 0;
  max_gap = 0;
  max_cpu_gap = 0;
  tick = g_timeout_add (1, tick_cb, NULL);
  starling_conversation_send (images, "Draw something big", NULL);
  start = g_get_monotonic_time ();
  while (starling_conversation_get_busy (images) || g_get_monotonic_time () - start < 1500 * 1000)
    g_main_context_iteration (NULL, TRUE);
  /* Until the decoded picture is on screen. */
  for (guint i = 0; i < 50; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  g_source_remove (tick);

  if (max_cpu != NULL)
    *max_cpu = max_cpu_gap;
  if (max_wall != NULL)
    *max_wall = max_gap;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("starling-bench-chat-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(StarlingStore) store = NULL;
  g_autoptr(GemClient) client = NULL;
  g_autoptr(StarlingConversation) conversation = NULL;
  g_autoptr(FakeGemini) fake = NULL;
  GtkWidget *window, *view;
  gint64 id, start, first_frame;
  gint64 max_cpu, max_wall;
  long rss_before, rss_open;

  verbose = g_getenv ("BENCH_CHAT_VERBOSE") != NULL;
  g_setenv ("GTK_A11Y", "none", TRUE);
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  store = starling_store_new (path, NULL, &error);
  g_assert_no_error (error);
  id = fill_store (store);
  g_clear_object (&store);

  fake = fake_gemini_new (g_getenv ("STARLING_CORPUS_DIR"), &error);
  g_assert_no_error (error);
  client = gem_client_new (fake_gemini_get_base_url (fake), "test-key");

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 800);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_paint (window);
  /* What GTK and its renderer take for an empty window, before any of
   * Starling's widgets: with GL on llvmpipe most of the total. */
  g_print ("chat_empty_window_rss_mb %.1f\n", rss_kb () / 1024.0);

  /* As in a running app, another conversation was on screen before: its
   * icons, styles and glyphs are loaded. The cold figure is printed too. */
  if (g_getenv ("STARLING_BENCH_COLD") == NULL)
    {
      g_autoptr(StarlingConversation) small = starling_conversation_new (client, "gemini-2.5-flash");
      GtkWidget *small_view;

      fake_gemini_route (fake, "gemini-2.5-flash", "text=Warm-up answer with `code` and **bold** text.");
      small_view = starling_chat_view_new (small);
      gtk_window_set_child (GTK_WINDOW (window), small_view);
      starling_conversation_send (small, "Warm up", NULL);
      while (starling_conversation_get_busy (small))
        g_main_context_iteration (NULL, TRUE);
      wait_for_paint (small_view);
      gtk_window_set_child (GTK_WINDOW (window), NULL);
      wait_for_paint (window);
    }
  rss_before = rss_kb ();

  /* Cold: the history is opened and read as part of the measured time. */
  start = g_get_monotonic_time ();
  store = starling_store_new (path, NULL, &error);
  g_assert_no_error (error);
  conversation = starling_conversation_load (client, store, id, &error);
  g_assert_no_error (error);
  g_print ("chat_open_1000_load_ms %.1f\n", (g_get_monotonic_time () - start) / 1000.0);
  view = starling_chat_view_new (conversation);
  g_print ("chat_open_1000_rows_ms %.1f\n", (g_get_monotonic_time () - start) / 1000.0);
  gtk_window_set_child (GTK_WINDOW (window), view);
  wait_for_paint (view);
  first_frame = g_get_monotonic_time () - start;
  rss_open = rss_kb ();

  g_print ("chat_open_1000_first_frame_ms %.1f%s\n", first_frame / 1000.0,
           g_getenv ("STARLING_BENCH_COLD") != NULL ? " (cold: first view since start)" : "");
  g_print ("chat_open_1000_rss_mb %.1f\n", rss_open / 1024.0);
  g_print ("chat_open_1000_rss_growth_mb %.1f\n", (rss_open - rss_before) / 1024.0);

  /* A 4 MB PNG answer: the main loop must keep turning while it decodes.
   * First as the first picture the window ever shows (with software GL the
   * renderer then compiles a shader variant, whatever the picture's size),
   * then again, as in a running app that has shown a picture before. */
  send_image (window, client, fake, "huge_image_mb=4", &max_cpu, &max_wall);
  g_print ("image_4mb_first_max_stall_ms %.1f (the first picture shown)\n", max_cpu / 1000.0);
  send_image (window, client, fake, "huge_image_mb=4", &max_cpu, &max_wall);
  g_print ("image_4mb_max_stall_ms %.1f\n", max_cpu / 1000.0);
  g_print ("image_4mb_max_wall_gap_ms %.1f\n", max_wall / 1000.0);

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&conversation);
  g_clear_object (&store);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
    g_unlink (path);
  }

  return 0;
}

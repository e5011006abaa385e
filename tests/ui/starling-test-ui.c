/* starling-test-ui.c: helpers for tests that open the real window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "starling-secret.h"
#include "starling-test-time.h"
#include "starling-test-ui.h"

static char *test_home;

static void
remove_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        remove_tree (child);
      else
        g_unlink (child);
      g_object_unref (info);
    }
  g_rmdir (path);
}

static void
remove_test_home (void)
{
  if (test_home != NULL)
    remove_tree (test_home);
  g_clear_pointer (&test_home, g_free);
}

/* GTK 4.8 sometimes snapshots a scrolled window in the frame it was shown,
 * before its first allocation, and warns; GTK 4.10 no longer does. It is the
 * toolkit's and harmless: the one warning let through. Every other warning
 * and critical still aborts the test, as G_DEBUG=fatal-warnings would. */
static GLogWriterOutput
log_writer_cb (GLogLevelFlags   log_level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  GLogWriterOutput output = g_log_writer_default (log_level, fields, n_fields, user_data);
  const char *domain = NULL, *message = NULL;

  if ((log_level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL)) == 0)
    return output;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }

  if (g_strcmp0 (domain, "Gtk") == 0 && (log_level & G_LOG_LEVEL_WARNING) != 0 && message != NULL &&
      g_str_has_prefix (message, "Trying to snapshot GtkScrolledWindow") &&
      strstr (message, "without a current allocation") != NULL)
    return output;

  g_test_fail_printf ("unexpected %s: %s", (log_level & G_LOG_LEVEL_CRITICAL) ? "critical" : "warning",
                      message != NULL ? message : "");
  G_BREAKPOINT ();
  return output;
}

/* G_TEST_OPTION_ISOLATE_DIRS also hides XDG_DATA_DIRS, and with it the MIME
 * database GTK needs to load icons; UI tests isolate the user's own folders. */
void
starling_test_ui_init (int    *argc,
                       char ***argv)
{
  static const char *folders[] = { "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME" };
  GError *error = NULL;

  test_home = g_dir_make_tmp ("starling-ui-test-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      g_autofree char *path = g_build_filename (test_home, folders[i], NULL);

      g_mkdir_with_parents (path, 0700);
      g_setenv (folders[i], path, TRUE);
    }
  atexit (remove_test_home);

  g_test_init (argc, argv, NULL);
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_writer_func (log_writer_cb, NULL, NULL);

  /* The accessibility bus is for the end-to-end tests; keep it out of UI tests. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_unsetenv ("STARLING_API_KEY");
  g_unsetenv ("GEMINI_API_KEY");
  g_unsetenv ("COMETAPI_KEY");
  g_unsetenv ("STARLING_BASE_URL");
}

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  guint *frames = user_data;

  (*frames)++;
}

/* Returns once the widget is mapped and its surface has painted two frames. */
void
starling_test_wait_until_drawn (GtkWidget *widget)
{
  GdkFrameClock *clock;
  guint frames = 0;
  gulong handler;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!gtk_widget_get_mapped (widget) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gtk_widget_get_mapped (widget));

  clock = gtk_widget_get_frame_clock (widget);
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &frames);
  gtk_widget_queue_draw (widget);
  while (frames < 2 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
  g_assert_cmpuint (frames, >=, 2);
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main loop until @condition holds or @timeout_ms pass. The
 * timeout is how long a test waits for something to happen, not a speed it
 * asserts: the sanitizer pass stretches it (starling-test-time.h). */
gboolean
starling_test_wait_for (gboolean (*condition) (gpointer user_data),
                        gpointer   user_data,
                        guint      timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add ((guint) starling_test_scaled_ms ((int) timeout_ms), timeout_cb, &timed_out);

  while (!condition (user_data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);

  return condition (user_data);
}

static const char *
widget_label (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget))
    return gtk_button_get_label (GTK_BUTTON (widget));
  if (GTK_IS_LABEL (widget))
    return gtk_label_get_label (GTK_LABEL (widget));
  if (ADW_IS_STATUS_PAGE (widget))
    return adw_status_page_get_title (ADW_STATUS_PAGE (widget));
  return NULL;
}

/* Depth-first search for a *visible* widget of the type (and label, when given). */
GtkWidget *
starling_test_find_widget (GtkWidget  *root,
                           GType       type,
                           const char *label)
{
  if (!gtk_widget_get_visible (root))
    return NULL;

  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) &&
      (label == NULL || g_strcmp0 (widget_label (root), label) == 0))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = starling_test_find_widget (child, type, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The first widget under @root (itself included) with @css_class, shown or not. */
GtkWidget *
starling_test_find_with_css_class (GtkWidget  *root,
                                   const char *css_class)
{
  if (gtk_widget_has_css_class (root, css_class))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = starling_test_find_with_css_class (child, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The status page on screen: a stack keeps its other pages as unmapped children. */
GtkWidget *
starling_test_find_visible_status_page (GtkWidget *root)
{
  if (!gtk_widget_get_mapped (root))
    return NULL;

  if (ADW_IS_STATUS_PAGE (root))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = starling_test_find_visible_status_page (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Renders the widget as the user sees it and counts its distinct colours:
 * a blank or unstyled window has very few. */
guint
starling_test_count_distinct_colors (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GHashTable) colors = g_hash_table_new (NULL, NULL);
  g_autofree guchar *pixels = NULL;
  GskRenderer *renderer;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gsize stride = (gsize) width * 4;

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  pixels = g_malloc (stride * height);
  gdk_texture_download (texture, pixels, stride);

  for (gsize i = 0; i < stride * height; i += 4)
    {
      guint32 pixel = (guint32) pixels[i] << 24 | (guint32) pixels[i + 1] << 16 |
                      (guint32) pixels[i + 2] << 8 | pixels[i + 3];

      g_hash_table_add (colors, GUINT_TO_POINTER (pixel));
    }

  return g_hash_table_size (colors);
}

typedef struct
{
  StarlingTestContext context;
  StarlingTestBody    body;
} RunData;

static void
close_all_windows (StarlingApplication *app)
{
  GList *windows;

  while ((windows = gtk_application_get_windows (GTK_APPLICATION (app))) != NULL)
    gtk_window_destroy (windows->data);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
activate_cb (GApplication *app,
             RunData      *run)
{
  /* Tests look at end states, not transitions. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  run->context.window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_nonnull (run->context.window);
  starling_test_wait_until_drawn (GTK_WIDGET (run->context.window));

  run->body (&run->context);

  close_all_windows (run->context.app);
  g_application_quit (app);
}

/* Runs the body inside the real application once its window has drawn;
 * g_application_run() gives each test a full startup and shutdown. */
void
starling_test_run_in_app (StarlingTestBody body,
                          gpointer         data)
{
  starling_test_run_in_app_with_args (body, data, NULL);
}

/* As starling_test_run_in_app(), with command-line arguments (NULL-terminated). */
void
starling_test_run_in_app_with_args (StarlingTestBody    body,
                                    gpointer            data,
                                    const char * const *args)
{
  RunData run = { .context.data = data, .body = body };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  int status;

  /* Every test starts without a stored key, whatever the previous one saved. */
  starling_secret_clear_sync ();

  run.context.app = starling_application_new ();
  g_application_set_flags (G_APPLICATION (run.context.app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (run.context.app, "activate", G_CALLBACK (activate_cb), &run);
  g_strv_builder_add (builder, "starling");
  if (args != NULL)
    g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);
  status = g_application_run (G_APPLICATION (run.context.app), (int) g_strv_length (argv), argv);
  g_assert_cmpint (status, ==, 0);
  g_clear_object (&run.context.app);
}

/* Lets the main loop run for a while, for things that must *not* happen. */
void
starling_test_iterate (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
collect_text (GtkWidget *widget,
              GString   *out)
{
  if (!gtk_widget_get_visible (widget) || !gtk_widget_get_child_visible (widget))
    return;

  if (GTK_IS_LABEL (widget))
    {
      g_string_append (out, gtk_label_get_text (GTK_LABEL (widget)));
      g_string_append_c (out, '\n');
      return;
    }

  if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      GtkTextIter start, end;
      g_autofree char *text = NULL;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      g_string_append (out, text);
      g_string_append_c (out, '\n');
      return;
    }

  /* A collapsed expander hides its child from the user. */
  if (GTK_IS_EXPANDER (widget) && !gtk_expander_get_expanded (GTK_EXPANDER (widget)))
    {
      GtkWidget *label = gtk_expander_get_label_widget (GTK_EXPANDER (widget));

      if (label != NULL)
        collect_text (label, out);
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_text (child, out);
}

/* The text a user can see in a widget: labels and text views, in order. */
char *
starling_test_collect_text (GtkWidget *widget)
{
  GString *out = g_string_new (NULL);

  collect_text (widget, out);
  return g_string_free (out, FALSE);
}

/* Renders the widget as drawn on screen into a PNG in the build directory
 * (G_TEST_BUILDDIR), for a person to look at. */
gboolean
starling_test_save_screenshot (GtkWidget  *widget,
                               const char *filename)
{
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GskRenderer *renderer;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  const char *dir = g_getenv ("G_TEST_BUILDDIR");

  /* The paintable copies what was last drawn: nothing while a redraw is
   * pending (a spinner turning, a row just changed). Then draw first. */
  for (guint attempt = 0; node == NULL && attempt < 3; attempt++)
    {
      g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

      if (attempt > 0)
        starling_test_wait_until_drawn (widget);
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  if (node == NULL)
    return FALSE;

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (dir != NULL ? dir : ".", filename, NULL);
  g_test_message ("screenshot: %s", path);

  return gdk_texture_save_to_png (texture, path);
}


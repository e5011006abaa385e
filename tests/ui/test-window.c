/* test-window.c: the real main window, opened under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "starling-application.h"
#include "starling-preferences-window.h"
#include "starling-window.h"
#include "starling-test-ui.h"

typedef StarlingTestContext Fixture;

static const char *
visible_status_title (Fixture *fixture)
{
  GtkWidget *page = starling_test_find_visible_status_page (GTK_WIDGET (fixture->window));

  return page != NULL ? adw_status_page_get_title (ADW_STATUS_PAGE (page)) : NULL;
}

static void
test_window_without_key (Fixture *fixture)
{
  GtkWidget *button;

  g_assert_false (starling_application_has_api_key (fixture->app));
  g_assert_cmpstr (visible_status_title (fixture), ==, "Welcome to Starling");

  button = starling_test_find_widget (GTK_WIDGET (fixture->window), GTK_TYPE_BUTTON, "_Add API Key…");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_mapped (button));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "win.setup");

  /* A styled, drawn window: a blank or unthemed surface has a handful of colours. */
  g_assert_cmpuint (starling_test_count_distinct_colors (GTK_WIDGET (fixture->window)), >, 40);
}

static gboolean
status_is_start_chat (gpointer user_data)
{
  return g_strcmp0 (visible_status_title (user_data), "Start a Chat") == 0;
}

static void
test_window_key_added (Fixture *fixture)
{
  GtkWidget *button;

  g_assert_cmpstr (visible_status_title (fixture), ==, "Welcome to Starling");

  /* The keyring may be missing here; the window must update either way. */
  starling_application_set_api_key (fixture->app, "test-key");
  g_assert_true (starling_test_wait_for (status_is_start_chat, fixture, 5000));

  button = starling_test_find_widget (GTK_WIDGET (fixture->window), GTK_TYPE_BUTTON, "_New Chat");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_mapped (button));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "win.new-chat");
}

static void
check_environment_key (Fixture *fixture)
{
  g_assert_true (starling_application_has_api_key (fixture->app));
  g_assert_cmpint (starling_application_get_key_source (fixture->app), ==, STARLING_KEY_SOURCE_ENVIRONMENT);
  g_assert_cmpstr (visible_status_title (fixture), ==, "Start a Chat");
}

static void
test_window_with_environment_key (void)
{
  g_setenv ("STARLING_API_KEY", "environment-key", TRUE);
  starling_test_run_in_app (check_environment_key, NULL);
  g_unsetenv ("STARLING_API_KEY");
}

static void
check_size_restored (Fixture *fixture)
{
  int width, height;

  gtk_window_get_default_size (fixture->window, &width, &height);
  g_assert_cmpint (width, ==, 812);
  g_assert_cmpint (height, ==, 604);

  gtk_window_set_default_size (fixture->window, 900, 650);
  gtk_window_close (fixture->window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_window_size_remembered (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_settings_set_int (settings, "window-width", 812);
  g_settings_set_int (settings, "window-height", 604);
  starling_test_run_in_app (check_size_restored, NULL);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 650);
}

static gboolean
leaflet_is_folded (gpointer user_data)
{
  return adw_leaflet_get_folded (user_data);
}

static GtkWidget *
find_button_by_tooltip (GtkWidget  *root,
                        const char *tooltip)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_widget_get_tooltip_text (root), tooltip) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_by_tooltip (child, tooltip);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
widget_is_mapped (gpointer user_data)
{
  return gtk_widget_get_mapped (user_data);
}

static gboolean
widget_is_unmapped (gpointer user_data)
{
  return !gtk_widget_get_mapped (user_data);
}

static void
test_window_narrow_folds_sidebar (Fixture *fixture)
{
  GtkWidget *root = GTK_WIDGET (fixture->window);
  AdwLeaflet *leaflet = ADW_LEAFLET (starling_test_find_widget (root, ADW_TYPE_LEAFLET, NULL));
  GtkWidget *placeholder = starling_test_find_widget (root, GTK_TYPE_LABEL, "No conversations yet");
  GtkWidget *back = find_button_by_tooltip (root, "Conversations");

  g_assert_nonnull (leaflet);
  g_assert_nonnull (placeholder);
  g_assert_nonnull (back);
  g_assert_false (adw_leaflet_get_folded (leaflet));
  g_assert_false (gtk_widget_get_mapped (back));

  gtk_window_set_default_size (fixture->window, 400, 600);
  g_assert_true (starling_test_wait_for (leaflet_is_folded, leaflet, 5000));

  /* Folded, one pane shows at a time: New Chat leads to the content pane... */
  gtk_widget_activate_action (root, "win.new-chat", NULL);
  g_assert_true (starling_test_wait_for (widget_is_mapped, back, 5000));
  g_assert_true (starling_test_wait_for (widget_is_unmapped, placeholder, 5000));
  g_assert_cmpstr (visible_status_title (fixture), ==, "Welcome to Starling");

  /* ...and its back button returns to the conversations. */
  g_signal_emit_by_name (back, "clicked");
  g_assert_true (starling_test_wait_for (widget_is_mapped, placeholder, 5000));
}

static gboolean
window_of_type_shown (gpointer user_data)
{
  GType type = GPOINTER_TO_SIZE (user_data);
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (toplevel, type) && gtk_widget_get_mapped (toplevel))
        return TRUE;
    }

  return FALSE;
}

static GtkWidget *
find_shortcut (GtkWidget  *root,
               const char *title)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (root))
    {
      g_autofree char *shown = NULL;

      g_object_get (root, "title", &shown, NULL);
      if (g_strcmp0 (shown, title) == 0)
        return root;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_shortcut (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_app_actions_open_windows (Fixture *fixture)
{
  const struct {
    const char *action;
    GType       type;
  } cases[] = {
    { "preferences", STARLING_TYPE_PREFERENCES_WINDOW },
    { "shortcuts", GTK_TYPE_SHORTCUTS_WINDOW },
    { "about", ADW_TYPE_ABOUT_WINDOW },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("app.%s", cases[i].action);
      g_assert_true (g_action_group_has_action (G_ACTION_GROUP (fixture->app), cases[i].action));
      g_action_group_activate_action (G_ACTION_GROUP (fixture->app), cases[i].action, NULL);
      g_assert_true (starling_test_wait_for (window_of_type_shown,
                                             GSIZE_TO_POINTER (cases[i].type), 5000));
    }

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (fixture->app), "quit"));

  /* The shortcuts given by action show their keys. */
  {
    GListModel *toplevels = gtk_window_get_toplevels ();
    GtkWidget *shortcut = NULL;
    g_autofree char *accelerator = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (toplevels) && shortcut == NULL; i++)
      {
        g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

        if (GTK_IS_SHORTCUTS_WINDOW (toplevel))
          shortcut = find_shortcut (toplevel, "New Chat");
      }
    g_assert_nonnull (shortcut);
    g_object_get (shortcut, "accelerator", &accelerator, NULL);
    g_assert_cmpstr (accelerator, ==, "<Control>n");
  }
}

static gboolean
has_demo_banner (GtkWidget *root)
{
  GtkWidget *label = starling_test_find_widget (root, GTK_TYPE_LABEL,
                                                "Demo: answers are recordings, not a live model. Add your own key in Preferences to chat for real.");

  return label != NULL && gtk_widget_get_mapped (label);
}

static void
check_demo_banner (Fixture *fixture)
{
  g_assert_true (starling_application_get_demo (fixture->app));
  g_assert_true (has_demo_banner (GTK_WIDGET (fixture->window)));
  g_assert_cmpstr (starling_application_get_base_url (fixture->app), ==, "http://127.0.0.1:9");
}

static void
check_no_demo_banner (Fixture *fixture)
{
  g_assert_false (has_demo_banner (GTK_WIDGET (fixture->window)));
}

/* `build-aux/starling demo` starts the app with --demo against the fake server. */
static void
test_demo_banner (void)
{
  static const char * const args[] = { "--demo", "--base-url", "http://127.0.0.1:9", NULL };

  starling_test_run_in_app_with_args (check_demo_banner, NULL, args);
  starling_test_run_in_app (check_no_demo_banner, NULL);
}

static void
run_test (gconstpointer body)
{
  starling_test_run_in_app ((StarlingTestBody) body, NULL);
}

#define ADD_APP_TEST(path, body) \
  g_test_add_data_func (path, (gconstpointer) body, run_test)

int
main (int   argc,
      char *argv[])
{
  starling_test_ui_init (&argc, &argv);

  ADD_APP_TEST ("/window/without-key", test_window_without_key);
  ADD_APP_TEST ("/window/key-added", test_window_key_added);
  g_test_add_func ("/window/environment-key", test_window_with_environment_key);
  g_test_add_func ("/window/size-remembered", test_window_size_remembered);
  ADD_APP_TEST ("/window/narrow-folds-sidebar", test_window_narrow_folds_sidebar);
  ADD_APP_TEST ("/window/app-actions", test_app_actions_open_windows);
  g_test_add_func ("/window/demo-banner", test_demo_banner);

  return g_test_run ();
}

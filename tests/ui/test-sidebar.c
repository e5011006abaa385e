/* test-sidebar.c: the conversation sidebar, its search, and the Shell search provider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "starling-conversation-row.h"
#include "starling-export-dialogs.h"
#include "starling-export.h"
#include "starling-search-provider.h"
#include "starling-sidebar-private.h"
#include "starling-store-private.h"
#include "starling-test-ui.h"

typedef struct
{
  char            *dir;
  StarlingStore   *store;
  GtkWindow       *window;
  AdwToastOverlay *overlay;
  StarlingSidebar *sidebar;
  GDateTime       *now;

  gint64           activated_id;
  guint            n_activated;
  gint64           result_conversation_id;
  gint64           result_message_id;
  char            *result_query;
  guint            n_results_activated;
  gint64           deleted_id;
  char            *renamed;
} Fixture;

/* 2026-11-20 15:00 local: "today" for every test, whatever the clock says. */
static GDateTime *
at (int year,
    int month,
    int day,
    int hour)
{
  return g_date_time_new_local (year, month, day, hour, 0, 0);
}

static gint64
usec (GDateTime *time)
{
  return g_date_time_to_unix (time) * G_USEC_PER_SEC;
}

static void
activated_cb (StarlingSidebar *sidebar,
              gint64           id,
              Fixture         *f)
{
  f->activated_id = id;
  f->n_activated++;
}

static void
result_activated_cb (StarlingSidebar *sidebar,
                     gint64           conversation_id,
                     gint64           message_id,
                     const char      *query,
                     Fixture         *f)
{
  f->result_conversation_id = conversation_id;
  f->result_message_id = message_id;
  g_free (f->result_query);
  f->result_query = g_strdup (query);
  f->n_results_activated++;
}

static void
deleted_cb (StarlingSidebar *sidebar,
            gint64           id,
            Fixture         *f)
{
  f->deleted_id = id;
}

static void
renamed_cb (StarlingSidebar *sidebar,
            gint64           id,
            const char      *title,
            Fixture         *f)
{
  g_free (f->renamed);
  f->renamed = g_strdup_printf ("%" G_GINT64_FORMAT " %s", id, title);
}

static void
count_paint_cb (GdkFrameClock *clock,
                guint         *painted)
{
  (*painted)++;
}

static gboolean
stop_waiting_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits for the widget to be mapped and a frame painted after now; a quiet
 * window paints once per queued draw, so each frame is asked for. */
static void
wait_drawn (GtkWidget *widget)
{
  GdkFrameClock *clock;
  gboolean timed_out = FALSE;
  guint painted = 0;
  guint timeout = g_timeout_add (10000, stop_waiting_cb, &timed_out);
  gulong handler;

  while (!gtk_widget_get_mapped (widget) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gtk_widget_get_mapped (widget));

  clock = gtk_widget_get_frame_clock (widget);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (count_paint_cb), &painted);
  for (guint frame = 1; frame <= 2 && !timed_out; frame++)
    {
      gtk_widget_queue_draw (widget);
      while (painted < frame && !timed_out)
        g_main_context_iteration (NULL, TRUE);
    }
  g_signal_handler_disconnect (clock, handler);
  g_assert_false (timed_out);
  g_source_remove (timeout);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  GtkWidget *sidebar;

  f->dir = g_dir_make_tmp ("starling-sidebar-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "history.db", NULL);
  f->store = starling_store_new (path, NULL, &error);
  g_assert_no_error (error);

  f->now = at (2026, 11, 20, 15);

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 320, 640);
  f->overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  sidebar = starling_sidebar_new ();
  f->sidebar = STARLING_SIDEBAR (sidebar);
  starling_sidebar_set_now (f->sidebar, f->now);
  starling_sidebar_set_toast_overlay (f->sidebar, f->overlay);
  adw_toast_overlay_set_child (f->overlay, sidebar);
  gtk_window_set_child (f->window, GTK_WIDGET (f->overlay));

  g_signal_connect (sidebar, "conversation-activated", G_CALLBACK (activated_cb), f);
  g_signal_connect (sidebar, "search-result-activated", G_CALLBACK (result_activated_cb), f);
  g_signal_connect (sidebar, "conversation-deleted", G_CALLBACK (deleted_cb), f);
  g_signal_connect (sidebar, "conversation-renamed", G_CALLBACK (renamed_cb), f);

  gtk_window_present (f->window);
  wait_drawn (GTK_WIDGET (f->window));
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_dir (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (f->window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->store);
  remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->result_query);
  g_free (f->renamed);
  g_date_time_unref (f->now);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);
}

static char *
text_parts (const char *text)
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

static gint64
add_message (Fixture           *f,
             gint64             conversation_id,
             gint64             parent_id,
             StarlingStoreRole  role,
             const char        *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *parts = text_parts (text);
  gint64 id = starling_store_append_message (f->store, conversation_id, parent_id, role, parts,
                                             STARLING_STORE_STATUS_COMPLETE, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
set_time (Fixture   *f,
          gint64     id,
          GDateTime *time)
{
  g_autoptr(GError) error = NULL;

  starling_store_set_conversation_times (f->store, id, usec (time), usec (time), &error);
  g_assert_no_error (error);
}

/* A conversation with a prompt (its automatic title) and an answer, last
 * touched at @time. */
static gint64
add_conversation (Fixture    *f,
                  const char *prompt,
                  const char *answer,
                  GDateTime  *time,
                  gboolean    pinned)
{
  g_autoptr(GError) error = NULL;
  gint64 id = starling_store_create_conversation (f->store, NULL, "gemini-2.5-flash", NULL, &error);
  gint64 user;

  g_assert_no_error (error);
  if (prompt != NULL)
    {
      user = add_message (f, id, 0, STARLING_STORE_ROLE_USER, prompt);
      if (answer != NULL)
        add_message (f, id, user, STARLING_STORE_ROLE_MODEL, answer);
    }
  if (pinned)
    {
      starling_store_set_pinned (f->store, id, TRUE, &error);
      g_assert_no_error (error);
    }
  set_time (f, id, time);

  return id;
}

static gboolean
sidebar_loaded (gpointer user_data)
{
  Fixture *f = user_data;

  return !starling_sidebar_get_loading (f->sidebar);
}

static void
show_store (Fixture *f)
{
  starling_sidebar_set_store (f->sidebar, f->store);
  g_assert_true (starling_test_wait_for (sidebar_loaded, f, 5000));
  wait_drawn (GTK_WIDGET (f->sidebar));
}

/* The rows as a user reads them: headers as "# Label", conversations by their
 * title as shown. */
static char *
describe_rows (Fixture *f)
{
  GListModel *model = starling_sidebar_get_model (f->sidebar);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      if (out->len > 0)
        g_string_append (out, " | ");
      if (STARLING_IS_SIDEBAR_HEADER (item))
        g_string_append_printf (out, "# %s", starling_sidebar_header_get_label (STARLING_SIDEBAR_HEADER (item)));
      else
        {
          const char *title = starling_conversation_info_get_title (STARLING_CONVERSATION_INFO (item));

          g_string_append (out, title[0] != '\0' ? title : "New Chat");
        }
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static guint
position_of (Fixture *f,
             gint64   id)
{
  GListModel *model = starling_sidebar_get_model (f->sidebar);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      if (STARLING_IS_CONVERSATION_INFO (item) &&
          starling_conversation_info_get_id (STARLING_CONVERSATION_INFO (item)) == id)
        return i;
    }

  return GTK_INVALID_LIST_POSITION;
}

typedef struct
{
  Fixture *f;
  gint64   id;
} RowWait;

static gboolean
row_shown (gpointer user_data)
{
  RowWait *wait = user_data;

  return starling_sidebar_find_row (wait->f->sidebar, wait->id) != NULL;
}

static StarlingConversationRow *
wait_for_row (Fixture *f,
              gint64   id)
{
  RowWait wait = { f, id };

  g_assert_true (starling_test_wait_for (row_shown, &wait, 5000));
  return starling_sidebar_find_row (f->sidebar, id);
}

static void
fill_groups (Fixture *f,
             gint64  *ids)
{
  g_autoptr(GDateTime) t0 = at (2026, 3, 2, 10);
  g_autoptr(GDateTime) t1 = at (2026, 11, 20, 14);
  g_autoptr(GDateTime) t2 = at (2026, 11, 20, 9);
  g_autoptr(GDateTime) t3 = at (2026, 11, 20, 8);
  g_autoptr(GDateTime) t4 = at (2026, 11, 19, 18);
  g_autoptr(GDateTime) t5 = at (2026, 11, 16, 10);
  g_autoptr(GDateTime) t6 = at (2026, 11, 2, 10);
  g_autoptr(GDateTime) t7 = at (2026, 10, 15, 10);
  g_autoptr(GDateTime) t8 = at (2025, 12, 24, 10);

  ids[0] = add_conversation (f, "Packing list for the Alps", "Boots, a warm jacket and sunscreen.", t0, TRUE);
  ids[1] = add_conversation (f, "Why do kiwis not fly?", "Kiwis lost the need to fly on islands without predators.", t1, FALSE);
  ids[2] = add_conversation (f, "Perché il cielo è blu?", "Per la diffusione di Rayleigh.", t2, FALSE);
  ids[3] = add_conversation (f, NULL, NULL, t3, FALSE);
  ids[4] = add_conversation (f, "Sourdough starter schedule", "Feed it twice a day at room temperature.", t4, FALSE);
  ids[5] = add_conversation (f, "Explain <b>HTML</b> & entities", "Use `&amp;` for a literal <b>&</b>.", t5, FALSE);
  ids[6] = add_conversation (f, "Tax return checklist", "Gather your receipts first.", t6, FALSE);
  ids[7] = add_conversation (f, "Kiwi fruit smoothie", "Blend two kiwis with a banana.", t7, FALSE);
  ids[8] = add_conversation (f, "Christmas menu ideas", "Roast vegetables and a nut loaf.", t8, FALSE);
}

static void
test_groups (Fixture       *f,
             gconstpointer  data)
{
  gint64 ids[9];
  g_autofree char *rows = NULL;
  g_autofree char *text = NULL;
  StarlingConversationRow *row;

  fill_groups (f, ids);
  show_store (f);

  rows = describe_rows (f);
  g_assert_cmpstr (rows, ==,
                   "# Pinned | Packing list for the Alps"
                   " | # Today | Why do kiwis not fly? | Perché il cielo è blu? | New Chat"
                   " | # Yesterday | Sourdough starter schedule"
                   " | # Previous 7 Days | Explain <b>HTML</b> & entities"
                   " | # November 2026 | Tax return checklist"
                   " | # October 2026 | Kiwi fruit smoothie"
                   " | # December 2025 | Christmas menu ideas");

  /* What is on screen: headers, titles, the last message under each title. */
  text = starling_test_collect_text (GTK_WIDGET (starling_sidebar_get_list_view (f->sidebar)));
  g_assert_nonnull (strstr (text, "Pinned\nPacking list for the Alps\nBoots, a warm jacket and sunscreen.\n"));
  g_assert_nonnull (strstr (text, "Today\nWhy do kiwis not fly?\n"));
  g_assert_nonnull (strstr (text, "Previous 7 Days\nExplain <b>HTML</b> & entities\nUse &amp; for a literal <b>&</b>.\n"));

  /* No prompt yet: "New Chat", and the model on the second line. */
  row = wait_for_row (f, ids[3]);
  g_assert_cmpstr (starling_conversation_row_get_title (row), ==, "New Chat");
  g_assert_cmpstr (starling_conversation_row_get_subtitle (row), ==, "gemini-2.5-flash");

  /* The pin icon on the pinned row only. */
  g_assert_nonnull (starling_test_find_widget (GTK_WIDGET (wait_for_row (f, ids[0])), GTK_TYPE_IMAGE, NULL));
  g_assert_null (starling_test_find_widget (GTK_WIDGET (wait_for_row (f, ids[1])), GTK_TYPE_IMAGE, NULL));

  g_assert_cmpstr (starling_sidebar_get_visible_page (f->sidebar), ==, "list");
  starling_sidebar_select_conversation (f->sidebar, ids[2]);
  wait_drawn (GTK_WIDGET (f->window));
  g_assert_cmpuint (starling_test_count_distinct_colors (GTK_WIDGET (f->window)), >, 20);
  g_assert_true (starling_test_save_screenshot (GTK_WIDGET (f->window), "sidebar-groups-light.png"));

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  wait_drawn (GTK_WIDGET (f->window));
  g_assert_true (starling_test_save_screenshot (GTK_WIDGET (f->window), "sidebar-groups-dark.png"));
}

static void
test_dates (void)
{
  g_autoptr(GDateTime) now = at (2026, 11, 20, 15);
  struct { GDateTime *when; const char *expected; } cases[] = {
    { at (2026, 11, 20, 9), "09:00" },
    { at (2026, 11, 19, 23), "Yesterday" },
    { at (2026, 10, 15, 10), "Oct 15" },
    { at (2025, 12, 24, 10), "Dec 24, 2025" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *date = starling_conversation_format_date (usec (cases[i].when), now);

      g_assert_cmpstr (date, ==, cases[i].expected);
      g_date_time_unref (cases[i].when);
    }
}

static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  GtkWidget *label;

  show_store (f);
  g_assert_cmpstr (starling_sidebar_get_visible_page (f->sidebar), ==, "empty");
  label = starling_test_find_widget (GTK_WIDGET (f->sidebar), GTK_TYPE_LABEL, "No conversations yet");
  g_assert_nonnull (label);
  g_assert_true (gtk_widget_get_mapped (label));
}

static void
test_midnight (Fixture       *f,
               gconstpointer  data)
{
  gint64 ids[9];
  g_autoptr(GDateTime) next_day = at (2026, 11, 21, 9);
  g_autofree char *rows = NULL;

  fill_groups (f, ids);
  show_store (f);

  /* A day later, with the window left open: yesterday's rows move down. */
  starling_sidebar_set_now (f->sidebar, next_day);
  rows = describe_rows (f);
  g_assert_cmpstr (rows, ==,
                   "# Pinned | Packing list for the Alps"
                   " | # Yesterday | Why do kiwis not fly? | Perché il cielo è blu? | New Chat"
                   " | # Previous 7 Days | Sourdough starter schedule | Explain <b>HTML</b> & entities"
                   " | # November 2026 | Tax return checklist"
                   " | # October 2026 | Kiwi fruit smoothie"
                   " | # December 2025 | Christmas menu ideas");
}

static void
test_activate (Fixture       *f,
               gconstpointer  data)
{
  gint64 ids[9];
  GtkSelectionModel *selection;

  fill_groups (f, ids);
  show_store (f);
  selection = gtk_list_view_get_model (starling_sidebar_get_list_view (f->sidebar));

  /* The window opening a conversation marks it, and that is no choice of the user's. */
  g_assert_true (starling_sidebar_select_conversation (f->sidebar, ids[4]));
  g_assert_cmpuint (f->n_activated, ==, 0);
  g_assert_true (gtk_selection_model_is_selected (selection, position_of (f, ids[4])));

  /* The user choosing one. */
  gtk_selection_model_select_item (selection, position_of (f, ids[2]), TRUE);
  g_assert_cmpuint (f->n_activated, ==, 1);
  g_assert_cmpint (f->activated_id, ==, ids[2]);
  g_assert_cmpint (starling_sidebar_get_selected_conversation (f->sidebar), ==, ids[2]);

  /* Enter on a row. */
  g_signal_emit_by_name (starling_sidebar_get_list_view (f->sidebar), "activate", position_of (f, ids[6]));
  g_assert_cmpuint (f->n_activated, ==, 2);
  g_assert_cmpint (f->activated_id, ==, ids[6]);
  g_assert_true (gtk_selection_model_is_selected (selection, position_of (f, ids[6])));

  /* A header cannot be chosen: the selection stays on the conversation. */
  gtk_selection_model_select_item (selection, 0, TRUE);
  g_assert_cmpuint (f->n_activated, ==, 2);
  g_assert_true (gtk_selection_model_is_selected (selection, position_of (f, ids[6])));
}

static gboolean
title_in_store_is (Fixture    *f,
                   gint64      id,
                   const char *title)
{
  g_autoptr(StarlingConversationInfo) info = starling_store_get_conversation (f->store, id, NULL);

  return info != NULL && g_strcmp0 (starling_conversation_info_get_title (info), title) == 0;
}

static GtkWidget *
find_visible_entry (GtkWidget *row)
{
  GtkWidget *entry = starling_test_find_widget (row, GTK_TYPE_ENTRY, NULL);

  /* the stack keeps its other pages, unmapped */
  return entry != NULL && gtk_widget_get_mapped (entry) ? entry : NULL;
}

static void
press_escape (GtkWidget *entry)
{
  GListModel *controllers = gtk_widget_observe_controllers (entry);
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !handled; i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        g_signal_emit_by_name (controller, "key-pressed", GDK_KEY_Escape, 0, 0, &handled);
    }
  g_object_unref (controllers);
  g_assert_true (handled);
}

static void
test_rename (Fixture       *f,
             gconstpointer  data)
{
  gint64 ids[9];
  StarlingConversationRow *row;
  GtkWidget *entry;

  fill_groups (f, ids);
  show_store (f);

  /* F2 on the focused row turns its title into an entry with the title selected. */
  row = wait_for_row (f, ids[4]);
  gtk_widget_grab_focus (gtk_widget_get_parent (GTK_WIDGET (row)));
  gtk_widget_activate_action (GTK_WIDGET (f->sidebar), "sidebar.rename-focused", NULL);
  entry = find_visible_entry (GTK_WIDGET (row));
  g_assert_nonnull (entry);
  g_assert_true (starling_conversation_row_get_editing (row));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "Sourdough starter schedule");
  g_assert_true (gtk_widget_has_focus (gtk_widget_get_focus_child (entry)) ||
                 gtk_widget_has_focus (entry));

  /* Enter saves. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "  Bread  ");
  g_signal_emit_by_name (entry, "activate");
  g_assert_false (starling_conversation_row_get_editing (row));
  g_assert_null (find_visible_entry (GTK_WIDGET (row)));
  g_assert_true (title_in_store_is (f, ids[4], "Bread"));
  row = wait_for_row (f, ids[4]);
  g_assert_cmpstr (starling_conversation_row_get_title (row), ==, "Bread");
  {
    g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT " Bread", ids[4]);

    g_assert_cmpstr (f->renamed, ==, expected);
  }

  /* Escape cancels, from the context menu's Rename. */
  gtk_widget_activate_action (GTK_WIDGET (row), "row.rename", NULL);
  entry = find_visible_entry (GTK_WIDGET (row));
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "Not this");
  press_escape (entry);
  g_assert_false (starling_conversation_row_get_editing (row));
  g_assert_true (title_in_store_is (f, ids[4], "Bread"));
  g_assert_cmpstr (starling_conversation_row_get_title (row), ==, "Bread");

  /* An empty title gives back the one made from the first prompt. */
  gtk_widget_activate_action (GTK_WIDGET (row), "row.rename", NULL);
  entry = find_visible_entry (GTK_WIDGET (row));
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  g_signal_emit_by_name (entry, "activate");
  g_assert_true (title_in_store_is (f, ids[4], "Sourdough starter schedule"));
  row = wait_for_row (f, ids[4]);
  g_assert_cmpstr (starling_conversation_row_get_title (row), ==, "Sourdough starter schedule");
}

static void
test_pin (Fixture       *f,
          gconstpointer  data)
{
  gint64 ids[9];
  g_autoptr(StarlingConversationInfo) info = NULL;
  g_autofree char *rows = NULL;
  StarlingConversationRow *row;

  fill_groups (f, ids);
  show_store (f);
  starling_sidebar_select_conversation (f->sidebar, ids[7]);

  row = wait_for_row (f, ids[7]);
  gtk_widget_activate_action (GTK_WIDGET (row), "row.pin", NULL);

  info = starling_store_get_conversation (f->store, ids[7], NULL);
  g_assert_true (starling_conversation_info_get_pinned (info));
  rows = describe_rows (f);
  g_assert_true (g_str_has_prefix (rows, "# Pinned | Kiwi fruit smoothie | Packing list for the Alps | # Today"));
  g_assert_null (strstr (rows, "# October 2026"));
  /* still the selected one, and its row shows the pin */
  g_assert_cmpuint (gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (gtk_list_view_get_model (starling_sidebar_get_list_view (f->sidebar)))),
                    ==, 1);
  row = wait_for_row (f, ids[7]);
  g_assert_nonnull (starling_test_find_widget (GTK_WIDGET (row), GTK_TYPE_IMAGE, NULL));

  /* Unpinned, it goes back to its month. */
  gtk_widget_activate_action (GTK_WIDGET (row), "row.unpin", NULL);
  g_clear_object (&info);
  info = starling_store_get_conversation (f->store, ids[7], NULL);
  g_assert_false (starling_conversation_info_get_pinned (info));
  g_clear_pointer (&rows, g_free);
  rows = describe_rows (f);
  g_assert_nonnull (strstr (rows, "# November 2026 | Tax return checklist | # October 2026 | Kiwi fruit smoothie | # December 2025"));
  g_assert_true (g_str_has_prefix (rows, "# Pinned | Packing list for the Alps | # Today"));
}

static gboolean
undo_button_shown (gpointer user_data)
{
  Fixture *f = user_data;
  GtkWidget *button = starling_test_find_widget (GTK_WIDGET (f->overlay), GTK_TYPE_BUTTON, "_Undo");

  return button != NULL && gtk_widget_get_mapped (button);
}

static void
test_delete_undo (Fixture       *f,
                  gconstpointer  data)
{
  gint64 ids[9];
  g_autoptr(StarlingConversationInfo) info = NULL;
  g_autofree char *rows = NULL;
  GtkWidget *button;
  StarlingConversationRow *row;

  fill_groups (f, ids);
  show_store (f);
  starling_sidebar_select_conversation (f->sidebar, ids[4]);

  /* Deleting the only conversation of a day takes its header too. */
  row = wait_for_row (f, ids[4]);
  gtk_widget_activate_action (GTK_WIDGET (row), "row.delete", NULL);
  rows = describe_rows (f);
  g_assert_null (strstr (rows, "Sourdough"));
  g_assert_null (strstr (rows, "# Yesterday"));
  g_assert_cmpint (f->deleted_id, ==, ids[4]);
  g_assert_cmpint (starling_sidebar_get_selected_conversation (f->sidebar), ==, 0);
  info = starling_store_get_conversation (f->store, ids[4], NULL);
  g_assert_true (starling_conversation_info_get_deleted (info));

  /* The toast says so and offers Undo. */
  g_assert_true (starling_test_wait_for (undo_button_shown, f, 5000));
  g_assert_nonnull (starling_test_find_widget (GTK_WIDGET (f->overlay), GTK_TYPE_LABEL, "Conversation deleted"));
  button = starling_test_find_widget (GTK_WIDGET (f->overlay), GTK_TYPE_BUTTON, "_Undo");
  g_signal_emit_by_name (button, "clicked");
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_clear_object (&info);
  info = starling_store_get_conversation (f->store, ids[4], NULL);
  g_assert_nonnull (info);
  g_assert_false (starling_conversation_info_get_deleted (info));
  g_clear_pointer (&rows, g_free);
  rows = describe_rows (f);
  g_assert_nonnull (strstr (rows, "# Yesterday | Sourdough starter schedule | # Previous 7 Days"));

  /* The Delete key on a focused row, in a group that keeps others. */
  row = wait_for_row (f, ids[2]);
  gtk_widget_grab_focus (gtk_widget_get_parent (GTK_WIDGET (row)));
  gtk_widget_activate_action (GTK_WIDGET (f->sidebar), "sidebar.delete-focused", NULL);
  g_clear_pointer (&rows, g_free);
  rows = describe_rows (f);
  g_assert_nonnull (strstr (rows, "# Today | Why do kiwis not fly? | New Chat | # Yesterday"));
}

static void
test_changed (Fixture       *f,
              gconstpointer  data)
{
  gint64 ids[9];
  g_autoptr(GDateTime) later = at (2026, 11, 20, 14);
  g_autoptr(GDateTime) latest = g_date_time_add_minutes (later, 30);
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;
  StarlingConversationRow *row;
  gint64 fresh;

  fill_groups (f, ids);
  show_store (f);
  starling_sidebar_select_conversation (f->sidebar, ids[6]);

  /* A new message in an old conversation: it moves to the top of Today. */
  add_message (f, ids[6], 0, STARLING_STORE_ROLE_USER, "And what about the deadline?");
  set_time (f, ids[6], latest);
  starling_sidebar_conversation_changed (f->sidebar, ids[6]);
  rows = describe_rows (f);
  g_assert_true (g_str_has_prefix (rows, "# Pinned | Packing list for the Alps | # Today | Tax return checklist | Why do kiwis"));
  g_assert_null (strstr (rows, "# November 2026"));
  row = wait_for_row (f, ids[6]);
  g_assert_cmpstr (starling_conversation_row_get_subtitle (row), ==, "And what about the deadline?");

  /* The answer's start, as the reader sees it: no Markdown syntax. */
  add_message (f, ids[6], 0, STARLING_STORE_ROLE_MODEL,
               "# The deadline\n\nIt is **April 30**, see [the office](https://example.org) and `form-7`.");
  set_time (f, ids[6], latest);
  starling_sidebar_conversation_changed (f->sidebar, ids[6]);
  row = wait_for_row (f, ids[6]);
  g_assert_cmpstr (starling_conversation_row_get_subtitle (row), ==,
                   "The deadline It is April 30, see the office and form-7.");
  g_assert_cmpuint (gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (gtk_list_view_get_model (starling_sidebar_get_list_view (f->sidebar)))),
                    ==, position_of (f, ids[6]));
  g_assert_cmpuint (f->n_activated, ==, 0);

  /* Renamed elsewhere (the chat's title): in place. */
  starling_store_rename_conversation (f->store, ids[1], "Flightless birds", &error);
  g_assert_no_error (error);
  starling_sidebar_conversation_changed (f->sidebar, ids[1]);
  row = wait_for_row (f, ids[1]);
  g_assert_cmpstr (starling_conversation_row_get_title (row), ==, "Flightless birds");

  /* A new conversation appears; one deleted elsewhere goes. */
  fresh = add_conversation (f, "Fresh question", NULL, latest, FALSE);
  starling_sidebar_conversation_changed (f->sidebar, fresh);
  starling_store_delete_conversation (f->store, ids[8], &error);
  g_assert_no_error (error);
  starling_sidebar_conversation_changed (f->sidebar, ids[8]);
  g_clear_pointer (&rows, g_free);
  rows = describe_rows (f);
  g_assert_cmpstr (rows, ==,
                   "# Pinned | Packing list for the Alps"
                   " | # Today | Fresh question | Tax return checklist | Flightless birds | Perché il cielo è blu? | New Chat"
                   " | # Yesterday | Sourdough starter schedule"
                   " | # Previous 7 Days | Explain <b>HTML</b> & entities"
                   " | # October 2026 | Kiwi fruit smoothie");
}

/* Every conversation once, pinned first, then newest first. */
static void
check_full_list (Fixture *f,
                 guint    n_expected,
                 gint64   pinned_id)
{
  GListModel *model = starling_sidebar_get_model (f->sidebar);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gint64 previous = G_MAXINT64;
  guint n_conversations = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      StarlingConversationInfo *info;
      gint64 id;

      if (!STARLING_IS_CONVERSATION_INFO (item))
        continue;

      info = STARLING_CONVERSATION_INFO (item);
      id = starling_conversation_info_get_id (info);
      g_assert_false (g_hash_table_contains (seen, &id));
      g_hash_table_add (seen, g_memdup2 (&id, sizeof id));
      n_conversations++;

      if (starling_conversation_info_get_pinned (info))
        {
          g_assert_cmpint (id, ==, pinned_id);
          g_assert_cmpuint (i, ==, 1);
          continue;
        }
      g_assert_cmpint (starling_conversation_info_get_updated (info), <, previous);
      previous = starling_conversation_info_get_updated (info);
    }

  g_assert_cmpuint (n_conversations, ==, n_expected);
}

static void
test_many (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) base = at (2026, 11, 20, 12);
  gint64 first_id = 0;

  starling_store_begin (f->store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *title = g_strdup_printf ("Conversation %u", i);
      g_autoptr(GDateTime) t = g_date_time_add_hours (base, -(int) i * 7);
      gint64 id = add_conversation (f, title, "An answer.", t, FALSE);

      if (i == 0)
        first_id = id;
    }
  starling_store_commit (f->store, &error);
  g_assert_no_error (error);

  /* A first page, then the rest handed to the list a few rows per frame. */
  show_store (f);
  check_full_list (f, 500, 0);
  g_assert_cmpuint (position_of (f, first_id), ==, 1);

  /* Changed while the list loads: neither lost nor doubled. */
  starling_sidebar_set_store (f->sidebar, NULL);
  starling_sidebar_set_store (f->sidebar, f->store);
  starling_store_set_pinned (f->store, first_id, TRUE, &error);
  g_assert_no_error (error);
  starling_sidebar_conversation_changed (f->sidebar, first_id);
  g_assert_true (starling_test_wait_for (sidebar_loaded, f, 5000));
  check_full_list (f, 500, first_id);

  /* A reload keeps the rows on screen until the new list is in. */
  starling_sidebar_reload (f->sidebar);
  g_assert_cmpuint (g_list_model_get_n_items (starling_sidebar_get_model (f->sidebar)), >, 500);
  g_assert_true (starling_test_wait_for (sidebar_loaded, f, 5000));
  check_full_list (f, 500, first_id);
}

typedef struct
{
  Fixture    *f;
  const char *query;
} SearchWait;

static gboolean
search_settled (gpointer user_data)
{
  SearchWait *wait = user_data;
  const char *page = starling_sidebar_get_visible_page (wait->f->sidebar);

  return !starling_sidebar_get_searching (wait->f->sidebar) &&
         g_strcmp0 (gtk_editable_get_text (starling_sidebar_get_search_entry (wait->f->sidebar)), wait->query) == 0 &&
         (g_strcmp0 (page, "results") == 0 || g_strcmp0 (page, "no-results") == 0);
}

static void
type_query (Fixture    *f,
            const char *query)
{
  SearchWait wait = { f, query };

  gtk_editable_set_text (starling_sidebar_get_search_entry (f->sidebar), query);
  /* the entry waits 150 ms for more typing before it asks */
  starling_test_iterate (200);
  g_assert_true (starling_test_wait_for (search_settled, &wait, 5000));
  wait_drawn (GTK_WIDGET (f->sidebar));
}

static gint64
result_conversation (Fixture *f,
                     guint    i)
{
  g_autoptr(StarlingSearchResult) result = g_list_model_get_item (starling_sidebar_get_results (f->sidebar), i);

  return starling_search_result_get_conversation_id (result);
}

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  gint64 ids[9];
  GListModel *results;
  StarlingConversationRow *row;
  GtkSelectionModel *selection;
  g_autofree char *text = NULL;
  GtkWidget *label;

  fill_groups (f, ids);
  show_store (f);
  results = starling_sidebar_get_results (f->sidebar);

  starling_sidebar_start_search (f->sidebar);
  g_assert_true (starling_sidebar_get_search_mode (f->sidebar));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (starling_sidebar_get_search_entry (f->sidebar))) ||
                 gtk_widget_get_focus_child (GTK_WIDGET (starling_sidebar_get_search_entry (f->sidebar))) != NULL);

  /* Typed letter by letter: only the last query's results stay. */
  gtk_editable_set_text (starling_sidebar_get_search_entry (f->sidebar), "k");
  starling_test_iterate (20);
  gtk_editable_set_text (starling_sidebar_get_search_entry (f->sidebar), "ki");
  type_query (f, "kiwis");
  g_assert_cmpstr (starling_sidebar_get_visible_page (f->sidebar), ==, "results");

  /* Titles first, then messages; the fly and the smoothie, nothing else. */
  g_assert_cmpuint (g_list_model_get_n_items (results), >=, 2);
  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      gint64 id = result_conversation (f, i);

      g_assert_true (id == ids[1] || id == ids[7]);
    }

  /* The row: the conversation's title, the snippet with the word in bold, a date. */
  row = starling_sidebar_find_row (f->sidebar, ids[7]);
  g_assert_nonnull (row);
  text = starling_test_collect_text (GTK_WIDGET (row));
  g_assert_nonnull (strstr (text, "Kiwi fruit smoothie\n"));
  g_assert_nonnull (strstr (text, "Blend two kiwis with a banana."));
  {
    g_autoptr(StarlingSearchResult) hit = NULL;
    g_autofree char *date = NULL;
    g_autofree char *line = NULL;

    hit = g_object_ref (starling_conversation_row_get_result (row));
    date = starling_conversation_format_date (starling_search_result_get_time (hit), f->now);
    line = g_strdup_printf ("\n%s\n", date);
    g_assert_cmpstr (date, !=, "");
    g_assert_nonnull (strstr (text, line));
  }
  label = starling_test_find_widget (GTK_WIDGET (row), GTK_TYPE_LABEL, "Blend two <b>kiwis</b> with a banana.");
  g_assert_nonnull (label);
  g_assert_true (gtk_label_get_use_markup (GTK_LABEL (label)));

  g_assert_true (starling_test_save_screenshot (GTK_WIDGET (f->window), "sidebar-search-light.png"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  wait_drawn (GTK_WIDGET (f->window));
  g_assert_true (starling_test_save_screenshot (GTK_WIDGET (f->window), "sidebar-search-dark.png"));

  /* Choosing a hit in a message gives the conversation, the message and the query. */
  selection = gtk_list_view_get_model (starling_sidebar_get_results_view (f->sidebar));
  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(StarlingSearchResult) result = g_list_model_get_item (results, i);

      if (starling_search_result_get_message_id (result) == 0)
        continue;
      gtk_selection_model_select_item (selection, i, TRUE);
      g_assert_cmpuint (f->n_results_activated, ==, 1);
      g_assert_cmpint (f->result_conversation_id, ==, starling_search_result_get_conversation_id (result));
      g_assert_cmpint (f->result_message_id, ==, starling_search_result_get_message_id (result));
      g_assert_cmpstr (f->result_query, ==, "kiwis");
      {
        g_autoptr(StarlingStoredMessage) message =
          starling_store_get_message (f->store, f->result_message_id, NULL);

        g_assert_nonnull (strstr (starling_stored_message_get_text (message), "iwis"));
      }
      break;
    }
  g_assert_cmpuint (f->n_results_activated, ==, 1);

  /* Enter in the entry opens the first hit. */
  g_signal_emit_by_name (starling_sidebar_get_search_entry (f->sidebar), "activate");
  g_assert_cmpuint (f->n_results_activated, ==, 2);
  g_assert_cmpint (f->result_conversation_id, ==, result_conversation (f, 0));

  /* Markup in the text is text. */
  type_query (f, "entities");
  g_assert_cmpuint (g_list_model_get_n_items (results), >=, 1);
  row = starling_sidebar_find_row (f->sidebar, ids[5]);
  g_assert_nonnull (row);
  g_assert_cmpstr (starling_conversation_row_get_title (row), ==, "Explain <b>HTML</b> & entities");

  /* Nothing found. */
  type_query (f, "zeppelin");
  g_assert_cmpstr (starling_sidebar_get_visible_page (f->sidebar), ==, "no-results");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (starling_test_find_visible_status_page (GTK_WIDGET (f->sidebar)))),
                   ==, "No Results");

  /* Leaving the search brings the conversations back. */
  starling_sidebar_stop_search (f->sidebar);
  g_assert_cmpstr (starling_sidebar_get_visible_page (f->sidebar), ==, "list");
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);
}

static void
test_search_non_ascii (Fixture       *f,
                       gconstpointer  data)
{
  gint64 ids[9];
  StarlingConversationRow *row;

  fill_groups (f, ids);
  add_message (f, ids[2], 0, STARLING_STORE_ROLE_USER, "E perché il tramonto è rosso?");
  show_store (f);

  /* Without the accent, in capitals: the store folds both. */
  starling_sidebar_search_for (f->sidebar, "PERCHE");
  type_query (f, "PERCHE");
  g_assert_cmpstr (starling_sidebar_get_visible_page (f->sidebar), ==, "results");
  for (guint i = 0; i < g_list_model_get_n_items (starling_sidebar_get_results (f->sidebar)); i++)
    g_assert_cmpint (result_conversation (f, i), ==, ids[2]);

  row = starling_sidebar_find_row (f->sidebar, ids[2]);
  g_assert_nonnull (row);
  g_assert_true (starling_test_find_widget (GTK_WIDGET (row), GTK_TYPE_LABEL, "<b>Perché</b> il cielo è blu?") != NULL ||
                 starling_test_find_widget (GTK_WIDGET (row), GTK_TYPE_LABEL, "E <b>perché</b> il tramonto è rosso?") != NULL);

  /* And with it. */
  type_query (f, "perché");
  g_assert_cmpstr (starling_sidebar_get_visible_page (f->sidebar), ==, "results");
  g_assert_cmpint (result_conversation (f, 0), ==, ids[2]);
}

static GtkWidget *
shown_popover (GtkWidget *row)
{
  GtkWidget *popover = starling_test_find_widget (row, GTK_TYPE_POPOVER_MENU, NULL);

  return popover != NULL && gtk_widget_get_mapped (popover) ? popover : NULL;
}

static gboolean
popover_shown (gpointer user_data)
{
  return shown_popover (user_data) != NULL;
}

static gboolean
popover_hidden (gpointer user_data)
{
  return shown_popover (user_data) == NULL;
}

static gboolean
menu_item_shown (GtkWidget  *popover,
                 const char *label)
{
  GtkWidget *widget = starling_test_find_widget (popover, GTK_TYPE_LABEL, label);

  return widget != NULL && gtk_widget_get_mapped (widget);
}

static void
test_context_menu (Fixture       *f,
                   gconstpointer  data)
{
  gint64 ids[9];
  StarlingConversationRow *row;
  GtkWidget *popover;

  fill_groups (f, ids);
  show_store (f);

  /* The Menu key on the focused row: Rename, Pin, Export, Delete. */
  row = wait_for_row (f, ids[1]);
  gtk_widget_grab_focus (gtk_widget_get_parent (GTK_WIDGET (row)));
  gtk_widget_activate_action (GTK_WIDGET (f->sidebar), "sidebar.popup-menu", NULL);
  g_assert_true (starling_test_wait_for (popover_shown, row, 5000));
  popover = shown_popover (GTK_WIDGET (row));
  g_assert_true (menu_item_shown (popover, "_Rename…"));
  g_assert_true (menu_item_shown (popover, "_Pin"));
  g_assert_false (menu_item_shown (popover, "Un_pin"));
  g_assert_true (menu_item_shown (popover, "_Export…"));
  g_assert_true (menu_item_shown (popover, "_Delete"));
  gtk_popover_popdown (GTK_POPOVER (popover));
  g_assert_true (starling_test_wait_for (popover_hidden, row, 5000));

  /* A pinned one offers Unpin instead (right click). */
  row = wait_for_row (f, ids[0]);
  starling_conversation_row_popup_menu (row, 10, 10);
  g_assert_true (starling_test_wait_for (popover_shown, row, 5000));
  popover = shown_popover (GTK_WIDGET (row));
  g_assert_false (menu_item_shown (popover, "_Pin"));
  g_assert_true (menu_item_shown (popover, "Un_pin"));
  gtk_popover_popdown (GTK_POPOVER (popover));
}

static gboolean
toast_shown (gpointer user_data)
{
  Fixture *f = user_data;
  GtkWidget *label = starling_test_find_widget (GTK_WIDGET (f->overlay), GTK_TYPE_LABEL, "Conversation imported");

  return label != NULL && gtk_widget_get_mapped (label);
}

static AdwMessageDialog *
shown_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) && gtk_widget_get_mapped (toplevel))
        return ADW_MESSAGE_DIALOG (toplevel);
    }

  return NULL;
}

static gboolean
message_dialog_shown (gpointer user_data)
{
  return shown_message_dialog () != NULL;
}

static void
test_export_import (Fixture       *f,
                    gconstpointer  data)
{
  gint64 ids[9];
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) json = NULL;
  g_autoptr(GFile) md = NULL;
  g_autoptr(GFile) bad = NULL;
  g_autoptr(StarlingConversationInfo) info = NULL;
  g_autofree char *text = NULL;
  AdwMessageDialog *dialog;
  gint64 id;

  fill_groups (f, ids);
  show_store (f);

  /* The file's extension picks the format. */
  json = g_file_new_build_filename (f->dir, "smoothie.json", NULL);
  md = g_file_new_build_filename (f->dir, "smoothie.md", NULL);
  g_assert_true (starling_export_conversation_to_file (f->store, ids[7], json, &error));
  g_assert_no_error (error);
  g_assert_true (starling_export_conversation_to_file (f->store, ids[7], md, &error));
  g_assert_no_error (error);
  g_file_load_contents (md, NULL, &text, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "Kiwi fruit smoothie"));
  g_assert_nonnull (strstr (text, "Blend two kiwis with a banana."));
  g_assert_null (strstr (text, "\"contents\""));
  g_clear_pointer (&text, g_free);
  g_file_load_contents (json, NULL, &text, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "\"contents\""));

  /* Imported back: a new conversation, and a toast. */
  id = starling_import_file (f->window, f->store, json, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (id, !=, ids[7]);
  info = starling_store_get_conversation (f->store, id, NULL);
  g_assert_cmpstr (starling_conversation_info_get_title (info), ==, "Kiwi fruit smoothie");
  g_assert_true (starling_test_wait_for (toast_shown, f, 5000));

  /* A file that is not a conversation: the store's sentence, in a dialog. */
  bad = g_file_new_build_filename (f->dir, "notes.json", NULL);
  g_file_replace_contents (bad, "{\"hello\": ", 11, NULL, FALSE, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (starling_import_file (f->window, f->store, bad, &error), ==, 0);
  g_assert_error (error, STARLING_EXPORT_ERROR, STARLING_EXPORT_ERROR_NOT_JSON);
  g_assert_true (starling_test_wait_for (message_dialog_shown, NULL, 5000));
  dialog = shown_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Could Not Import");
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==, error->message);
  g_assert_cmpstr (error->message, !=, "");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* GNOME Shell's search provider, over a real session bus */

typedef struct
{
  GVariant *reply;
  GError   *error;
  gboolean  done;
} Call;

static void
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Call *call = user_data;

  call->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &call->error);
  call->done = TRUE;
}

static GVariant *
call_provider (GDBusConnection *client,
               const char      *bus_name,
               const char      *method,
               GVariant        *parameters,
               GError         **error)
{
  Call call = { 0, };

  g_dbus_connection_call (client, bus_name, STARLING_SEARCH_PROVIDER_OBJECT_PATH,
                          "org.gnome.Shell.SearchProvider2", method, parameters, NULL,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, 5000, NULL, call_done_cb, &call);
  while (!call.done)
    g_main_context_iteration (NULL, TRUE);

  if (call.error != NULL)
    g_propagate_error (error, call.error);
  return call.reply;
}

static void
activate_result_cb (StarlingSearchProvider *provider,
                    gint64                  id,
                    const char * const     *terms,
                    guint                   timestamp,
                    GString                *log)
{
  g_autofree char *joined = g_strjoinv (",", (char **) terms);

  g_string_append_printf (log, "activate %" G_GINT64_FORMAT " [%s] %u;", id, joined, timestamp);
}

static void
launch_search_cb (StarlingSearchProvider *provider,
                  const char * const     *terms,
                  guint                   timestamp,
                  GString                *log)
{
  g_autofree char *joined = g_strjoinv (",", (char **) terms);

  g_string_append_printf (log, "launch [%s] %u;", joined, timestamp);
}

static char *
id_string (gint64 id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

static void
test_shell_provider (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) server = NULL;
  g_autoptr(GDBusConnection) client = NULL;
  g_autoptr(StarlingSearchProvider) provider = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) metas = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  g_autofree char *address = NULL;
  g_autofree const char **found = NULL;
  g_autofree char *fly = NULL;
  g_autofree char *smoothie = NULL;
  g_autofree char *deleted_id = NULL;
  const char *name;
  gint64 ids[9];
  gint64 deleted;
  const char *terms[] = { "kiwis", NULL };
  const char *subterms[] = { "kiwis", "banana", NULL };

  fill_groups (f, ids);
  deleted = add_conversation (f, "Kiwis at the zoo", "The kiwis sleep all day.", f->now, FALSE);
  starling_store_delete_conversation (f->store, deleted, &error);
  g_assert_no_error (error);
  fly = id_string (ids[1]);
  smoothie = id_string (ids[7]);
  deleted_id = id_string (deleted);

  server = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  provider = starling_search_provider_new (NULL);
  starling_search_provider_set_store (provider, f->store);
  g_signal_connect (provider, "activate-result", G_CALLBACK (activate_result_cb), log);
  g_signal_connect (provider, "launch-search", G_CALLBACK (launch_search_cb), log);
  starling_search_provider_export (provider, server, NULL, &error);
  g_assert_no_error (error);

  /* The shell: another connection to the same bus. */
  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  client = g_dbus_connection_new_for_address_sync (address,
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
  g_assert_no_error (error);
  name = g_dbus_connection_get_unique_name (server);

  /* One id per conversation, deleted ones left out. */
  reply = call_provider (client, name, "GetInitialResultSet", g_variant_new ("(^as)", terms), &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(^a&s)", &found);
  g_assert_cmpuint (g_strv_length ((char **) found), ==, 2);
  g_assert_true (g_strv_contains (found, fly));
  g_assert_true (g_strv_contains (found, smoothie));
  g_assert_false (g_strv_contains (found, deleted_id));

  /* Metas: the title as name, the matching text as description; unknown ids skipped. */
  {
    const char *ask[] = { smoothie, "424242", fly, NULL };
    GVariantIter iter;
    GVariant *meta;
    guint n = 0;

    metas = call_provider (client, name, "GetResultMetas", g_variant_new ("(^as)", ask), &error);
    g_assert_no_error (error);
    g_variant_iter_init (&iter, g_variant_get_child_value (metas, 0));
    g_variant_unref (g_variant_get_child_value (metas, 0));
    while ((meta = g_variant_iter_next_value (&iter)) != NULL)
      {
        g_autoptr(GVariantDict) dict = g_variant_dict_new (meta);
        const char *id = NULL, *title = NULL, *description = NULL;

        g_assert_true (g_variant_dict_lookup (dict, "id", "&s", &id));
        g_assert_true (g_variant_dict_lookup (dict, "name", "&s", &title));
        g_assert_true (g_variant_dict_lookup (dict, "description", "&s", &description));
        if (n == 0)
          {
            g_assert_cmpstr (id, ==, smoothie);
            g_assert_cmpstr (title, ==, "Kiwi fruit smoothie");
            g_assert_nonnull (strstr (description, "kiwi"));
          }
        else
          {
            g_assert_cmpstr (id, ==, fly);
            g_assert_cmpstr (title, ==, "Why do kiwis not fly?");
          }
        g_assert_null (strchr (description, '\002'));
        n++;
        g_variant_unref (meta);
      }
    g_assert_cmpuint (n, ==, 2);
  }

  /* Typing on narrows the search. */
  {
    g_autoptr(GVariant) sub = NULL;
    g_autofree const char **narrowed = NULL;

    sub = call_provider (client, name, "GetSubsearchResultSet", g_variant_new ("(^as^as)", found, subterms), &error);
    g_assert_no_error (error);
    g_variant_get (sub, "(^a&s)", &narrowed);
    g_assert_cmpuint (g_strv_length ((char **) narrowed), ==, 1);
    g_assert_cmpstr (narrowed[0], ==, smoothie);
  }

  /* Choosing a result and asking for more reach the application. */
  g_variant_unref (call_provider (client, name, "ActivateResult",
                                  g_variant_new ("(s^asu)", smoothie, terms, 42), &error));
  g_assert_no_error (error);
  g_variant_unref (call_provider (client, name, "LaunchSearch", g_variant_new ("(^asu)", subterms, 7), &error));
  g_assert_no_error (error);
  {
    g_autofree char *expected = g_strdup_printf ("activate %s [kiwis] 42;launch [kiwis,banana] 7;", smoothie);

    g_assert_cmpstr (log->str, ==, expected);
  }

  /* Unexported, the object is gone from the bus. */
  starling_search_provider_unexport (provider);
  g_assert_null (call_provider (client, name, "GetInitialResultSet", g_variant_new ("(^as)", terms), &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_dbus_connection_close_sync (client, NULL, NULL);
}

#define ADD_TEST(path, body) \
  g_test_add (path, Fixture, NULL, fixture_set_up, body, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  starling_test_ui_init (&argc, &argv);
  gtk_init ();
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  ADD_TEST ("/sidebar/groups", test_groups);
  ADD_TEST ("/sidebar/empty", test_empty);
  g_test_add_func ("/sidebar/dates", test_dates);
  ADD_TEST ("/sidebar/midnight", test_midnight);
  ADD_TEST ("/sidebar/activate", test_activate);
  ADD_TEST ("/sidebar/rename", test_rename);
  ADD_TEST ("/sidebar/pin", test_pin);
  ADD_TEST ("/sidebar/delete-undo", test_delete_undo);
  ADD_TEST ("/sidebar/changed", test_changed);
  ADD_TEST ("/sidebar/many", test_many);
  ADD_TEST ("/sidebar/context-menu", test_context_menu);
  ADD_TEST ("/sidebar/search", test_search);
  ADD_TEST ("/sidebar/search-non-ascii", test_search_non_ascii);
  ADD_TEST ("/sidebar/export-import", test_export_import);
  ADD_TEST ("/sidebar/shell-provider", test_shell_provider);

  return g_test_run ();
}

/* test-history.c: conversations survive a restart, a crash and a branch switch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <math.h>

#include <glib/gstdio.h>

#include "fake-gemini.h"
#include "starling-chat-view.h"
#include "starling-composer.h"
#include "starling-conversation-row.h"
#include "starling-message-row.h"
#include "starling-sidebar.h"
#include "starling-test-ui.h"
#include "starling-window.h"

static FakeGemini *fake;

typedef struct
{
  StarlingConversation *conversation;
  guint                 index;
} Wait;

static gboolean
answer_done (gpointer user_data)
{
  Wait *wait = user_data;
  GListModel *messages = starling_conversation_get_messages (wait->conversation);
  g_autoptr(StarlingMessage) message = NULL;

  if (g_list_model_get_n_items (messages) <= wait->index)
    return FALSE;
  message = g_list_model_get_item (messages, wait->index);
  return starling_message_get_status (message) != STARLING_MESSAGE_STREAMING;
}

static void
send_and_wait (StarlingConversation *conversation,
               const char           *text,
               guint                 answer_index)
{
  Wait wait = { conversation, answer_index };

  starling_conversation_send (conversation, text, NULL);
  g_assert_true (starling_test_wait_for (answer_done, &wait, 10000));
}

static StarlingMessage *
item (StarlingConversation *conversation,
      guint                 index)
{
  g_autoptr(StarlingMessage) message = g_list_model_get_item (starling_conversation_get_messages (conversation), index);

  return message;
}

static void
check_round_trip (StarlingTestContext *context)
{
  StarlingStore *store = starling_application_get_store (context->app);
  GemClient *client = starling_application_get_client (context->app);
  g_autoptr(StarlingConversation) conversation = starling_conversation_new_for_store (client, store, "gemini-2.5-flash");
  g_autoptr(StarlingConversation) reloaded = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (store);
  fake_gemini_route (fake, "gemini-2.5-pro", "replay=googleai/streaming-success-thinking-function-call-thought-summary-signature.txt");
  starling_conversation_set_model (conversation, "gemini-2.5-pro");
  send_and_wait (conversation, "What is the weather in Boston?", 1);
  g_assert_cmpuint (starling_conversation_get_id (conversation), !=, 0);
  g_assert_cmpstr (starling_conversation_get_title (conversation), ==, "What is the weather in Boston?");

  reloaded = starling_conversation_load (client, store, starling_conversation_get_id (conversation), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (starling_conversation_get_messages (reloaded)), ==, 2);
  g_assert_cmpstr (starling_conversation_get_title (reloaded), ==, "What is the weather in Boston?");
  g_assert_cmpstr (starling_conversation_get_model (reloaded), ==, "gemini-2.5-pro");

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *before = starling_message_dup_parts_json (item (conversation, i));
      g_autofree char *after = starling_message_dup_parts_json (item (reloaded, i));

      /* Raw parts, signatures included, come back byte for byte. */
      g_assert_cmpstr (before, ==, after);
      g_assert_cmpint (starling_message_get_status (item (reloaded, i)), ==, STARLING_MESSAGE_COMPLETE);
    }
  {
    g_autofree char *parts = starling_message_dup_parts_json (item (reloaded, 1));

    g_assert_nonnull (strstr (parts, "thoughtSignature"));
  }
}

static void
test_round_trip (void)
{
  starling_test_run_in_app (check_round_trip, NULL);
}

static void
check_interrupted_answer (StarlingTestContext *context)
{
  StarlingStore *store = starling_application_get_store (context->app);
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;
  StarlingChatView *view;
  StarlingConversation *conversation;
  GtkWidget *row;
  gint64 id, prompt, answer;

  /* What a crash leaves behind: an answer still marked as streaming. */
  id = starling_store_create_conversation (store, "Long story", "gemini-2.5-flash", NULL, &error);
  g_assert_no_error (error);
  prompt = starling_store_append_message (store, id, 0, STARLING_STORE_ROLE_USER,
                                          "[{\"text\":\"Tell me a long story\"}]", STARLING_STORE_STATUS_COMPLETE, &error);
  g_assert_no_error (error);
  answer = starling_store_append_message (store, id, prompt, STARLING_STORE_ROLE_MODEL,
                                          "[{\"text\":\"Once upon a time, in a faraway\"}]",
                                          STARLING_STORE_STATUS_STREAMING, &error);
  g_assert_no_error (error);
  g_assert_cmpint (answer, >, 0);

  g_assert_true (starling_window_open_conversation (STARLING_WINDOW (context->window), id, 0));
  view = STARLING_CHAT_VIEW (starling_test_find_widget (GTK_WIDGET (context->window), STARLING_TYPE_CHAT_VIEW, NULL));
  g_assert_nonnull (view);
  starling_test_wait_until_drawn (GTK_WIDGET (view));
  conversation = starling_chat_view_get_conversation (view);

  row = GTK_WIDGET (gtk_list_box_get_row_at_index (starling_chat_view_get_list (view), 1));
  shown = starling_test_collect_text (row);
  g_assert_nonnull (strstr (shown, "Once upon a time, in a faraway"));
  g_assert_nonnull (strstr (shown, "This answer was interrupted before it was finished."));
  g_assert_nonnull (strstr (shown, "Continue"));
  g_assert_cmpint (starling_message_get_status (item (conversation, 1)), ==, STARLING_MESSAGE_INTERRUPTED);

  /* Retry replaces it with a whole answer. */
  fake_gemini_route (fake, "gemini-2.5-flash", "text=Once upon a time, in a faraway land, the end.");
  g_assert_true (gtk_widget_activate_action (row, "message.retry", NULL));
  {
    Wait wait = { conversation, 1 };

    g_assert_true (starling_test_wait_for (answer_done, &wait, 10000));
  }
  g_assert_cmpint (starling_message_get_status (item (conversation, 1)), ==, STARLING_MESSAGE_COMPLETE);
  g_assert_cmpstr (starling_message_get_text (item (conversation, 1)), ==, "Once upon a time, in a faraway land, the end.");
}

static void
test_interrupted_answer (void)
{
  starling_test_run_in_app (check_interrupted_answer, NULL);
}

static void
check_branches_persist (StarlingTestContext *context)
{
  StarlingStore *store = starling_application_get_store (context->app);
  GemClient *client = starling_application_get_client (context->app);
  g_autoptr(StarlingConversation) conversation = starling_conversation_new_for_store (client, store, "gemini-2.5-flash");
  g_autoptr(StarlingConversation) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  Wait wait;

  fake_gemini_route (fake, "gemini-2.5-flash", "text=About cats.");
  send_and_wait (conversation, "Tell me about cats", 1);
  fake_gemini_route (fake, "gemini-2.5-flash", "text=More on cats.");
  send_and_wait (conversation, "More", 3);

  /* Edit the first prompt: a second branch. */
  fake_gemini_route (fake, "gemini-2.5-flash", "text=About dogs.");
  starling_conversation_edit (conversation, item (conversation, 0), "Tell me about dogs");
  wait = (Wait) { conversation, 1 };
  g_assert_true (starling_test_wait_for (answer_done, &wait, 10000));

  reloaded = starling_conversation_load (client, store, starling_conversation_get_id (conversation), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (starling_conversation_get_messages (reloaded)), ==, 2);
  g_assert_cmpstr (starling_message_get_text (item (reloaded, 1)), ==, "About dogs.");
  g_assert_cmpuint (starling_message_get_n_siblings (item (reloaded, 0)), ==, 2);
  g_assert_cmpuint (starling_message_get_sibling_index (item (reloaded, 0)), ==, 1);

  /* The other branch comes back from the history with its whole continuation. */
  starling_conversation_switch_branch (reloaded, item (reloaded, 0), -1);
  g_assert_cmpuint (g_list_model_get_n_items (starling_conversation_get_messages (reloaded)), ==, 4);
  g_assert_cmpstr (starling_message_get_text (item (reloaded, 0)), ==, "Tell me about cats");
  g_assert_cmpstr (starling_message_get_text (item (reloaded, 3)), ==, "More on cats.");

  /* And the choice itself is remembered. */
  g_clear_object (&reloaded);
  reloaded = starling_conversation_load (client, store, starling_conversation_get_id (conversation), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (starling_conversation_get_messages (reloaded)), ==, 4);
}

static void
test_branches_persist (void)
{
  starling_test_run_in_app (check_branches_persist, NULL);
}

static gboolean
row_has_highlight (GtkWidget *widget)
{
  if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "starling-search-match");
      GtkTextIter iter;

      gtk_text_buffer_get_start_iter (buffer, &iter);
      if (tag != NULL && (gtk_text_iter_has_tag (&iter, tag) || gtk_text_iter_forward_to_tag_toggle (&iter, tag)))
        return TRUE;
    }
  if (GTK_IS_LABEL (widget) && gtk_label_get_attributes (GTK_LABEL (widget)) != NULL)
    {
      /* a background on the word itself, whatever its case */
      const char *text = gtk_label_get_text (GTK_LABEL (widget));
      GSList *list = pango_attr_list_get_attributes (gtk_label_get_attributes (GTK_LABEL (widget)));
      gboolean found = FALSE;

      for (GSList *l = list; l != NULL; l = l->next)
        {
          PangoAttribute *attr = l->data;

          if (attr->klass->type == PANGO_ATTR_BACKGROUND && attr->end_index <= strlen (text) &&
              g_ascii_strncasecmp (text + attr->start_index, "lighthouse", attr->end_index - attr->start_index) == 0 &&
              attr->end_index - attr->start_index == strlen ("lighthouse"))
            found = TRUE;
        }
      g_slist_free_full (list, (GDestroyNotify) pango_attribute_destroy);
      if (found)
        return TRUE;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (row_has_highlight (child))
      return TRUE;

  return FALSE;
}

static void
check_search_result_opens (StarlingTestContext *context)
{
  StarlingStore *store = starling_application_get_store (context->app);
  g_autoptr(GError) error = NULL;
  StarlingChatView *view;
  GtkListBoxRow *row;
  gint64 id, parent = 0, target = 0;
  guint position;

  id = starling_store_create_conversation (store, "Long ago", "gemini-2.5-flash", NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *parts = g_strdup_printf ("[{\"text\":\"Message %u%s\"}]", i,
                                                i == 4 ? " about the lighthouse keeper" : "");

      parent = starling_store_append_message (store, id, parent, i % 2 == 0 ? STARLING_STORE_ROLE_USER : STARLING_STORE_ROLE_MODEL,
                                              parts, STARLING_STORE_STATUS_COMPLETE, &error);
      g_assert_no_error (error);
      if (i == 4)
        target = parent;
    }

  /* Message 4 is far above the newest ones the view shows at first. */
  g_assert_true (starling_window_open_search_result (STARLING_WINDOW (context->window), id, target, "lighthouse"));
  view = STARLING_CHAT_VIEW (starling_test_find_widget (GTK_WIDGET (context->window), STARLING_TYPE_CHAT_VIEW, NULL));
  g_assert_nonnull (view);
  starling_test_iterate (300);
  starling_test_wait_until_drawn (GTK_WIDGET (view));

  position = starling_conversation_find_message (starling_chat_view_get_conversation (view), target);
  g_assert_cmpuint (position, ==, 4);
  for (guint i = 0; (row = gtk_list_box_get_row_at_index (starling_chat_view_get_list (view), i)) != NULL; i++)
    if (starling_message_row_get_message (STARLING_MESSAGE_ROW (row)) ==
        g_list_model_get_item (starling_conversation_get_messages (starling_chat_view_get_conversation (view)), position))
      break;
  g_assert_nonnull (row);
  g_object_unref (starling_message_row_get_message (STARLING_MESSAGE_ROW (row)));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "found"));
  g_assert_true (row_has_highlight (GTK_WIDGET (row)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (row)));
}

static void
test_search_result_opens (void)
{
  starling_test_run_in_app (check_search_result_opens, NULL);
}

static guint
n_rows (StarlingChatView *view)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (starling_chat_view_get_list (view), n) != NULL)
    n++;
  return n;
}

static GtkAdjustment *
chat_adjustment (StarlingChatView *view)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (starling_chat_view_get_list (view)), GTK_TYPE_SCROLLED_WINDOW);

  return gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
}

static gboolean
window_filled (gpointer user_data)
{
  StarlingChatView *view = user_data;
  GtkAdjustment *adj = chat_adjustment (view);

  return n_rows (view) == 24 &&
         gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj) >= gtk_adjustment_get_upper (adj) - 2;
}

static gboolean
page_loaded (gpointer user_data)
{
  return n_rows (user_data) == 48;
}

typedef struct
{
  StarlingChatView *view;
  GtkWidget        *row;
  double            screen_y;   /* where the row was on screen */
} PlaceWait;

static gboolean
row_in_place (gpointer user_data)
{
  PlaceWait *place = user_data;
  graphene_point_t point;

  if (!gtk_widget_compute_point (place->row, GTK_WIDGET (starling_chat_view_get_list (place->view)),
                                 &GRAPHENE_POINT_INIT (0, 0), &point))
    return FALSE;
  point.y -= gtk_adjustment_get_value (chat_adjustment (place->view));
  g_test_message ("the old top row is at %.0f px on screen, was at %.0f px", point.y, place->screen_y);
  return fabs (point.y - place->screen_y) < 2;
}

static const char *
row_text (StarlingChatView *view,
          guint             index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (starling_chat_view_get_list (view), index);
  StarlingMessage *message = starling_message_row_get_message (STARLING_MESSAGE_ROW (row));

  return starling_message_get_text (message);
}

/* A long conversation opens at its newest message with a few rows, fills
 * the window above them without moving the view, pages older messages in
 * where the user scrolls up, and a new turn builds only its own rows. */
static void
check_long_conversation (StarlingTestContext *context)
{
  StarlingStore *store = starling_application_get_store (context->app);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  StarlingChatView *view;
  StarlingConversation *conversation;
  GtkAdjustment *adj;
  gint64 id, parent = 0;
  guint first;   /* rows that were there before the new turn */

  id = starling_store_create_conversation (store, "A long talk", "gemini-2.5-flash", NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *parts = g_strdup_printf ("[{\"text\":\"%s %u\\n\\nwith a second paragraph\"}]",
                                                i % 2 == 0 ? "Question" : "Answer", i);

      parent = starling_store_append_message (store, id, parent,
                                              i % 2 == 0 ? STARLING_STORE_ROLE_USER : STARLING_STORE_ROLE_MODEL,
                                              parts, STARLING_STORE_STATUS_COMPLETE, &error);
      g_assert_no_error (error);
    }

  g_assert_true (starling_window_open_conversation (STARLING_WINDOW (context->window), id, 0));
  view = STARLING_CHAT_VIEW (starling_test_find_widget (GTK_WIDGET (context->window), STARLING_TYPE_CHAT_VIEW, NULL));
  conversation = starling_chat_view_get_conversation (view);
  adj = chat_adjustment (view);

  /* The first frame has the newest messages, the last one at the bottom. */
  starling_test_wait_until_drawn (GTK_WIDGET (view));
  g_assert_cmpuint (n_rows (view), <, 24);
  g_assert_cmpstr (row_text (view, n_rows (view) - 1), ==, "Answer 199\n\nwith a second paragraph");

  /* The rest of the window comes in above, and the view stays at the end. */
  g_assert_true (starling_test_wait_for (window_filled, view, 5000));
  g_assert_cmpstr (row_text (view, 0), ==, "Question 176\n\nwith a second paragraph");
  g_assert_true (starling_chat_view_get_sticky (view));

  /* Scrolled to the top: the page before joins, and the message that was
   * on top stays where it was on screen (once the new rows are laid out,
   * which takes a few frames, longer under a sanitizer). */
  {
    PlaceWait place = { view, GTK_WIDGET (gtk_list_box_get_row_at_index (starling_chat_view_get_list (view), 0)), 0 };
    graphene_point_t point;

    /* At value 0, its place on screen is its place in the list. */
    g_assert_true (gtk_widget_compute_point (place.row, GTK_WIDGET (starling_chat_view_get_list (view)),
                                             &GRAPHENE_POINT_INIT (0, 0), &point));
    place.screen_y = point.y;
    gtk_adjustment_set_value (adj, 0);
    g_assert_true (starling_test_wait_for (page_loaded, view, 5000));
    g_assert_cmpstr (row_text (view, 0), ==, "Question 152\n\nwith a second paragraph");
    g_assert_true (gtk_list_box_get_row_at_index (starling_chat_view_get_list (view), 24) == GTK_LIST_BOX_ROW (place.row));
    g_assert_true (starling_test_wait_for (row_in_place, &place, 10000));
    /* and it stays there */
    starling_test_iterate (300);
    g_assert_true (row_in_place (&place));
  }

  /* Back at the end, the window is trimmed to 24 rows again. */
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
  g_assert_true (starling_test_wait_for (window_filled, view, 5000));

  /* A new turn: the rows on screen are the same widgets, not built again. */
  first = 0;
  for (guint i = 0; i < 24; i++)
    g_ptr_array_add (kept, gtk_list_box_get_row_at_index (starling_chat_view_get_list (view), i));
  fake_gemini_route (fake, "gemini-2.5-flash", "text=A new answer.");
  send_and_wait (conversation, "One more question", 201);
  starling_test_iterate (100);
  for (guint i = 0; i < n_rows (view); i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (starling_chat_view_get_list (view), i);

      if (g_ptr_array_find (kept, row, NULL))
        first++;
    }
  /* Only the two new messages got rows built; the others are the same
   * widgets (the oldest may have left the window at the top). */
  g_assert_cmpuint (n_rows (view) - first, ==, 2);
  g_assert_cmpuint (n_rows (view), <=, 26);
  g_assert_cmpstr (row_text (view, n_rows (view) - 1), ==, "A new answer.");
  g_assert_cmpstr (row_text (view, n_rows (view) - 2), ==, "One more question");
}

static void
test_long_conversation (void)
{
  starling_test_run_in_app (check_long_conversation, NULL);
}

/* --- Drafts: what is typed and not sent survives leaving the chat, closing the window, a restart --- */

/* The chat view on screen (the stack keeps the others unmapped). */
static StarlingChatView *
shown_chat (GtkWidget *root)
{
  if (!gtk_widget_get_mapped (root))
    return NULL;
  if (STARLING_IS_CHAT_VIEW (root))
    return STARLING_CHAT_VIEW (root);

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      StarlingChatView *found = shown_chat (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static StarlingChatView *
wait_for_shown_chat (GtkWindow *window)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  StarlingChatView *view;

  while ((view = shown_chat (GTK_WIDGET (window))) == NULL && g_get_monotonic_time () < deadline)
    starling_test_iterate (20);
  g_assert_nonnull (view);
  starling_test_wait_until_drawn (GTK_WIDGET (view));
  return view;
}

/* Types as a person does: into the focused composer, at the cursor. */
static void
type_into (StarlingChatView *view,
           const char       *text)
{
  GtkWidget *text_view = starling_test_find_widget (GTK_WIDGET (starling_chat_view_get_composer (view)),
                                                    GTK_TYPE_TEXT_VIEW, NULL);

  g_assert_nonnull (text_view);
  gtk_widget_grab_focus (text_view);
  gtk_text_buffer_insert_at_cursor (gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view)), text, -1);
}

static char *
composer_text (StarlingChatView *view)
{
  return starling_composer_dup_text (starling_chat_view_get_composer (view));
}

typedef struct
{
  GtkWidget  *root;
  const char *text;
  gboolean    present;
} TextWait;

static gboolean
text_shown (gpointer user_data)
{
  TextWait *wait = user_data;
  g_autofree char *text = starling_test_collect_text (wait->root);

  return (strstr (text, wait->text) != NULL) == wait->present;
}

static void
assert_sidebar_shows (GtkWindow  *window,
                      const char *text,
                      gboolean    present)
{
  TextWait wait = { starling_test_find_widget (GTK_WIDGET (window), STARLING_TYPE_SIDEBAR, NULL), text, present };

  g_assert_nonnull (wait.root);
  if (!starling_test_wait_for (text_shown, &wait, 5000))
    {
      g_autofree char *shown = starling_test_collect_text (wait.root);

      g_test_message ("the sidebar shows:\n%s", shown);
      g_assert_true (present ? "the sidebar shows it" == NULL : "the sidebar does not show it" == NULL);
    }
}

static gint64
conversation_with_draft (StarlingStore *store,
                         const char    *draft)
{
  g_autoptr(GPtrArray) infos = starling_store_list_conversations (store, 0, 100, NULL);

  g_assert_nonnull (infos);
  for (guint i = 0; i < infos->len; i++)
    if (g_strcmp0 (starling_conversation_info_get_draft (g_ptr_array_index (infos, i)), draft) == 0)
      return starling_conversation_info_get_id (g_ptr_array_index (infos, i));
  return 0;
}

static void
check_drafts (StarlingTestContext *context)
{
  StarlingStore *store = starling_application_get_store (context->app);
  g_autoptr(GError) error = NULL;
  g_autofree char *draft = NULL;
  g_autofree char *shown = NULL;
  StarlingChatView *view;
  StarlingWindow *second;
  gint64 id, prompt, fresh;

  id = starling_store_create_conversation (store, "Packing for the Alps", "gemini-2.5-flash", NULL, &error);
  g_assert_no_error (error);
  prompt = starling_store_append_message (store, id, 0, STARLING_STORE_ROLE_USER,
                                          "[{\"text\":\"What should I pack?\"}]", STARLING_STORE_STATUS_COMPLETE, &error);
  g_assert_no_error (error);
  starling_store_append_message (store, id, prompt, STARLING_STORE_ROLE_MODEL,
                                 "[{\"text\":\"Boots and a warm jacket.\"}]", STARLING_STORE_STATUS_COMPLETE, &error);
  g_assert_no_error (error);

  /* A new chat, a question half typed; then the user goes to another chat. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (context->window), "win.new-chat", NULL));
  view = wait_for_shown_chat (context->window);
  type_into (view, "Is it cold in the Alps in");
  starling_test_iterate (800);
  /* Typing alone does not fill the list with new chats. */
  g_assert_cmpint (conversation_with_draft (store, "Is it cold in the Alps in"), ==, 0);

  g_assert_true (starling_window_open_conversation (STARLING_WINDOW (context->window), id, 0));
  view = wait_for_shown_chat (context->window);
  g_assert_cmpint (starling_conversation_get_id (starling_chat_view_get_conversation (view)), ==, id);
  /* The new chat went into the list, with its draft, so it can be found again. */
  fresh = conversation_with_draft (store, "Is it cold in the Alps in");
  g_assert_cmpint (fresh, !=, 0);
  assert_sidebar_shows (context->window, "Draft: Is it cold in the Alps in", TRUE);

  /* In a chat of the history, the draft is kept as soon as the typing pauses. */
  type_into (view, "And for a week of skiing?");
  starling_test_iterate (800);
  draft = starling_store_dup_draft (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (draft, ==, "And for a week of skiing?");
  assert_sidebar_shows (context->window, "Draft: And for a week of skiing?", TRUE);
  /* A draft does not move the chat in the list: it was not updated. */
  {
    g_autoptr(StarlingConversationInfo) info = starling_store_get_conversation (store, id, &error);
    g_autoptr(StarlingConversationInfo) other = starling_store_get_conversation (store, fresh, &error);

    g_assert_cmpint (starling_conversation_info_get_updated (info), <, starling_conversation_info_get_updated (other));
  }

  /* Another window (a restart reads the same history): the drafts are in the composers. */
  second = starling_window_new (context->app);
  gtk_window_present (GTK_WINDOW (second));
  g_assert_true (starling_window_open_conversation (second, id, 0));
  view = wait_for_shown_chat (GTK_WINDOW (second));
  shown = composer_text (view);
  g_assert_cmpstr (shown, ==, "And for a week of skiing?");
  g_clear_pointer (&shown, g_free);
  g_assert_true (starling_window_open_conversation (second, fresh, 0));
  view = wait_for_shown_chat (GTK_WINDOW (second));
  shown = composer_text (view);
  g_assert_cmpstr (shown, ==, "Is it cold in the Alps in");
  g_clear_pointer (&shown, g_free);

  /* Closing the window right after typing, before the pause: kept too,
   * and a new chat with something typed goes into the list. */
  type_into (view, " winter?");
  g_assert_true (starling_window_open_conversation (second, id, 0));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (second), "win.new-chat", NULL));
  view = wait_for_shown_chat (GTK_WINDOW (second));
  type_into (view, "Where do marmots sleep?");
  gtk_window_close (GTK_WINDOW (second));
  g_clear_pointer (&draft, g_free);
  draft = starling_store_dup_draft (store, fresh, &error);
  g_assert_cmpstr (draft, ==, "Is it cold in the Alps in winter?");
  g_assert_cmpint (conversation_with_draft (store, "Where do marmots sleep?"), !=, 0);

  /* A chat kept only for its draft, emptied and left: it leaves the list
   * rather than stay there as an empty "New Chat". */
  g_assert_true (starling_window_open_conversation (STARLING_WINDOW (context->window), fresh, 0));
  view = wait_for_shown_chat (context->window);
  starling_composer_set_text (starling_chat_view_get_composer (view), "");
  g_assert_true (starling_window_open_conversation (STARLING_WINDOW (context->window), id, 0));
  {
    g_autoptr(StarlingConversationInfo) gone = starling_store_get_conversation (store, fresh, &error);

    g_assert_null (gone);
    g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
  assert_sidebar_shows (context->window, "Is it cold in the Alps", FALSE);

  /* Sent, a draft is gone: from the history and from the list. */
  fake_gemini_route (fake, "gemini-2.5-flash", "text=Pack for snow.");
  g_assert_true (starling_window_open_conversation (STARLING_WINDOW (context->window), id, 0));
  view = wait_for_shown_chat (context->window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (starling_chat_view_get_composer (view)), "composer.send", NULL));
  {
    Wait wait = { starling_chat_view_get_conversation (view), 3 };

    g_assert_true (starling_test_wait_for (answer_done, &wait, 10000));
  }
  g_assert_cmpstr (starling_message_get_text (item (starling_chat_view_get_conversation (view), 2)), ==,
                   "And for a week of skiing?");
  g_clear_pointer (&draft, g_free);
  draft = starling_store_dup_draft (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (draft, ==, "");
  shown = composer_text (view);
  g_assert_cmpstr (shown, ==, "");
  assert_sidebar_shows (context->window, "Draft: And for a week of skiing?", FALSE);
  assert_sidebar_shows (context->window, "Pack for snow.", TRUE);
}

static void
test_drafts (void)
{
  starling_test_run_in_app (check_drafts, NULL);
}

/* --- Files attached to a draft: kept with it, back after a restart --- */

static GtkWidget *
button_labelled (GtkWidget  *root,
                 const char *tooltip)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_widget_get_tooltip_text (root), tooltip) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = button_labelled (child, tooltip);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GPtrArray *
composer_files (StarlingChatView *view)
{
  return starling_composer_dup_attachments (starling_chat_view_get_composer (view));
}

static char *
blob_file_of (StarlingStore *store,
              GBytes        *bytes)
{
  g_autofree char *sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  g_autofree char *prefix = g_strndup (sha256, 2);

  return g_build_filename (starling_store_get_blob_dir (store), prefix, sha256, NULL);
}

static gboolean
composer_says (gpointer user_data)
{
  StarlingChatView *view = user_data;
  g_autofree char *text = starling_test_collect_text (GTK_WIDGET (starling_chat_view_get_composer (view)));

  return strstr (text, "A file attached to this draft could not be read back") != NULL;
}

typedef struct
{
  StarlingStore *store;
  gint64         id;
  const char    *with;      /* a file name the draft must have, or NULL */
  const char    *without;   /* and one it must not have, or NULL */
} FilesWait;

static gboolean
draft_files_are (gpointer user_data)
{
  FilesWait *wait = user_data;
  g_autofree char *json = starling_store_dup_draft_attachments (wait->store, wait->id, NULL, NULL);

  return json != NULL &&
         (wait->with == NULL || strstr (json, wait->with) != NULL) &&
         (wait->without == NULL || strstr (json, wait->without) == NULL);
}

static void
check_draft_files (StarlingTestContext *context)
{
  StarlingStore *store = starling_application_get_store (context->app);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 32, 24);
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GBytes) photo_bytes = NULL;
  g_autoptr(GString) notes_text = g_string_new (NULL);
  g_autoptr(GBytes) notes_bytes = NULL;
  g_autoptr(StarlingAttachment) photo = NULL;
  g_autoptr(StarlingAttachment) notes = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autofree char *json = NULL;
  g_autofree char *notes_blob = NULL;
  g_autofree char *shown = NULL;
  StarlingChatView *view;
  StarlingWindow *second;
  gboolean missing = TRUE;
  gint64 id, prompt, fresh = 0;

  gdk_pixbuf_fill (pixbuf, 0x3366ccff);
  texture = gdk_texture_new_for_pixbuf (pixbuf);
  photo_bytes = gdk_texture_save_to_png_bytes (texture);
  photo = starling_attachment_new ("matterhorn.png", "image/png", photo_bytes);
  /* large enough to be kept as a blob file */
  for (guint i = 0; i < 800; i++)
    g_string_append_printf (notes_text, "Day %u: Zermatt, then up to the hut.\n", i);
  notes_bytes = g_bytes_new (notes_text->str, notes_text->len);
  notes = starling_attachment_new ("notes.txt", "text/plain", notes_bytes);
  notes_blob = blob_file_of (store, notes_bytes);

  id = starling_store_create_conversation (store, "Photos from the trip", "gemini-2.5-flash", NULL, &error);
  g_assert_no_error (error);
  prompt = starling_store_append_message (store, id, 0, STARLING_STORE_ROLE_USER,
                                          "[{\"text\":\"Where should we hike?\"}]", STARLING_STORE_STATUS_COMPLETE, &error);
  starling_store_append_message (store, id, prompt, STARLING_STORE_ROLE_MODEL,
                                 "[{\"text\":\"Around Zermatt.\"}]", STARLING_STORE_STATUS_COMPLETE, &error);
  g_assert_no_error (error);

  /* A question and two files: kept as soon as the user pauses. */
  g_assert_true (starling_window_open_conversation (STARLING_WINDOW (context->window), id, 0));
  view = wait_for_shown_chat (context->window);
  type_into (view, "Which mountain is this?");
  starling_composer_add_attachment (starling_chat_view_get_composer (view), photo);
  starling_composer_add_attachment (starling_chat_view_get_composer (view), notes);
  {
    FilesWait wait = { store, id, "\"notes.txt\"", NULL };

    g_assert_true (starling_test_wait_for (draft_files_are, &wait, 5000));
  }
  json = starling_store_dup_draft_attachments (store, id, &missing, &error);
  g_assert_no_error (error);
  g_assert_false (missing);
  g_assert_nonnull (strstr (json, "\"matterhorn.png\""));
  g_assert_nonnull (strstr (json, "\"notes.txt\""));
  g_assert_true (g_file_test (notes_blob, G_FILE_TEST_EXISTS));
  assert_sidebar_shows (context->window, "Draft: Which mountain is this?", TRUE);

  /* Removing one (its chip's button) is kept too. */
  gtk_widget_activate (button_labelled (GTK_WIDGET (starling_chat_view_get_composer (view)), "Remove notes.txt"));
  {
    FilesWait wait = { store, id, NULL, "\"notes.txt\"" };

    g_assert_true (starling_test_wait_for (draft_files_are, &wait, 5000));
  }
  g_clear_pointer (&json, g_free);
  json = starling_store_dup_draft_attachments (store, id, NULL, &error);
  g_assert_nonnull (strstr (json, "\"matterhorn.png\""));
  g_assert_null (strstr (json, "\"notes.txt\""));
  g_assert_false (g_file_test (notes_blob, G_FILE_TEST_EXISTS));
  starling_composer_add_attachment (starling_chat_view_get_composer (view), notes);
  {
    FilesWait wait = { store, id, "\"notes.txt\"", NULL };

    g_assert_true (starling_test_wait_for (draft_files_are, &wait, 5000));
  }

  /* Another window (a restart reads the same history): the text and both
   * files are in the composer, byte for byte. */
  second = starling_window_new (context->app);
  gtk_window_present (GTK_WINDOW (second));
  g_assert_true (starling_window_open_conversation (second, id, 0));
  view = wait_for_shown_chat (GTK_WINDOW (second));
  shown = composer_text (view);
  g_assert_cmpstr (shown, ==, "Which mountain is this?");
  files = composer_files (view);
  g_assert_cmpuint (files->len, ==, 2);
  g_assert_cmpstr (starling_attachment_get_name (g_ptr_array_index (files, 0)), ==, "matterhorn.png");
  g_assert_cmpstr (starling_attachment_get_mime_type (g_ptr_array_index (files, 0)), ==, "image/png");
  g_assert_true (g_bytes_equal (starling_attachment_get_bytes (g_ptr_array_index (files, 0)), photo_bytes));
  g_assert_cmpstr (starling_attachment_get_name (g_ptr_array_index (files, 1)), ==, "notes.txt");
  g_assert_true (g_bytes_equal (starling_attachment_get_bytes (g_ptr_array_index (files, 1)), notes_bytes));
  g_clear_pointer (&files, g_ptr_array_unref);
  /* the chips are there to see, and to remove */
  g_assert_nonnull (button_labelled (GTK_WIDGET (starling_chat_view_get_composer (view)), "Remove matterhorn.png"));
  g_assert_nonnull (button_labelled (GTK_WIDGET (starling_chat_view_get_composer (view)), "Remove notes.txt"));
  starling_test_save_screenshot (GTK_WIDGET (second), "screenshot-draft-files.png");

  /* Files and no text, in a new chat: it joins the list, named by its file. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (second), "win.new-chat", NULL));
  view = wait_for_shown_chat (GTK_WINDOW (second));
  starling_composer_add_attachment (starling_chat_view_get_composer (view), photo);
  gtk_window_close (GTK_WINDOW (second));
  {
    g_autoptr(GPtrArray) infos = starling_store_list_conversations (store, 0, 100, &error);

    for (guint i = 0; i < infos->len; i++)
      if (g_strcmp0 (starling_conversation_info_get_draft_attachments (g_ptr_array_index (infos, i)),
                     "matterhorn.png") == 0 && starling_conversation_info_get_id (g_ptr_array_index (infos, i)) != id)
        fresh = starling_conversation_info_get_id (g_ptr_array_index (infos, i));
  }
  g_assert_cmpint (fresh, !=, 0);
  assert_sidebar_shows (context->window, "Draft: matterhorn.png", TRUE);

  /* A blob file lost on disk: what can come back does, and the composer says what did not. */
  {
    g_autofree char *moved = g_strconcat (notes_blob, ".moved", NULL);
    StarlingWindow *third = starling_window_new (context->app);

    g_assert_cmpint (g_rename (notes_blob, moved), ==, 0);
    gtk_window_present (GTK_WINDOW (third));
    g_assert_true (starling_window_open_conversation (third, id, 0));
    view = wait_for_shown_chat (GTK_WINDOW (third));
    g_clear_pointer (&shown, g_free);
    shown = composer_text (view);
    g_assert_cmpstr (shown, ==, "Which mountain is this?");
    files = composer_files (view);
    g_assert_cmpuint (files->len, ==, 1);
    g_assert_cmpstr (starling_attachment_get_name (g_ptr_array_index (files, 0)), ==, "matterhorn.png");
    g_clear_pointer (&files, g_ptr_array_unref);
    g_assert_true (starling_test_wait_for (composer_says, view, 5000));
    gtk_window_destroy (GTK_WINDOW (third));
    g_assert_cmpint (g_rename (moved, notes_blob), ==, 0);
  }

  /* Sent: the files go with the prompt, and the draft is gone. */
  fake_gemini_route (fake, "gemini-2.5-flash", "text=The Matterhorn.");
  fake_gemini_clear_requests (fake);
  g_assert_true (starling_window_open_conversation (STARLING_WINDOW (context->window), id, 0));
  view = wait_for_shown_chat (context->window);
  files = composer_files (view);
  g_assert_cmpuint (files->len, ==, 2);
  g_clear_pointer (&files, g_ptr_array_unref);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (starling_chat_view_get_composer (view)), "composer.send", NULL));
  {
    Wait wait = { starling_chat_view_get_conversation (view), 3 };

    g_assert_true (starling_test_wait_for (answer_done, &wait, 10000));
  }
  {
    g_autoptr(GPtrArray) requests = fake_gemini_dup_requests (fake);
    g_autoptr(JsonNode) body = NULL;
    g_autofree char *sent = NULL;

    g_assert_cmpuint (requests->len, ==, 1);
    body = fake_gemini_request_dup_json (g_ptr_array_index (requests, 0));
    sent = json_to_string (body, FALSE);
    g_assert_nonnull (strstr (sent, "image/png"));
    g_assert_nonnull (strstr (sent, "text/plain"));
    g_assert_nonnull (strstr (sent, "Which mountain is this?"));
  }
  g_clear_pointer (&json, g_free);
  json = starling_store_dup_draft_attachments (store, id, NULL, &error);
  g_assert_cmpstr (json, ==, "[]");
  files = composer_files (view);
  g_assert_cmpuint (files->len, ==, 0);
  /* the prompt keeps its file (the same blob), though the draft let it go */
  g_assert_true (g_file_test (notes_blob, G_FILE_TEST_EXISTS));
  assert_sidebar_shows (context->window, "Draft: Which mountain is this?", FALSE);
}

static void
test_draft_files (void)
{
  starling_test_run_in_app (check_draft_files, NULL);
}

/* --- A prompt being edited (Edit and Resend): its text is kept like a draft --- */

static GtkTextView *
shown_editor (StarlingChatView *view,
              guint             index)
{
  GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (starling_chat_view_get_list (view), index));

  g_assert_nonnull (row);
  return GTK_TEXT_VIEW (starling_test_find_widget (row, GTK_TYPE_TEXT_VIEW, NULL));
}

static char *
editor_text (GtkTextView *editor)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (editor), &start, &end);
  return gtk_text_buffer_get_text (gtk_text_view_get_buffer (editor), &start, &end, FALSE);
}

typedef struct
{
  StarlingStore *store;
  gint64         message_id;
  const char    *text;   /* or NULL: not being edited */
} EditWait;

static gboolean
edit_draft_is (gpointer user_data)
{
  EditWait *wait = user_data;
  g_autoptr(StarlingStoredMessage) stored = starling_store_get_message (wait->store, wait->message_id, NULL);

  return stored != NULL && g_strcmp0 (starling_stored_message_get_edit_draft (stored), wait->text) == 0;
}

static void
check_edit_drafts (StarlingTestContext *context)
{
  StarlingStore *store = starling_application_get_store (context->app);
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;
  StarlingChatView *view;
  StarlingWindow *second;
  GtkTextView *editor;
  GtkWidget *row;
  gint64 id, prompt;

  id = starling_store_create_conversation (store, "Packing for the coast", "gemini-2.5-flash", NULL, &error);
  prompt = starling_store_append_message (store, id, 0, STARLING_STORE_ROLE_USER,
                                          "[{\"text\":\"What should I pack?\"}]", STARLING_STORE_STATUS_COMPLETE, &error);
  starling_store_append_message (store, id, prompt, STARLING_STORE_ROLE_MODEL,
                                 "[{\"text\":\"Sunscreen.\"}]", STARLING_STORE_STATUS_COMPLETE, &error);
  g_assert_no_error (error);

  /* Editing the prompt, a few words typed: kept once the typing pauses. */
  g_assert_true (starling_window_open_conversation (STARLING_WINDOW (context->window), id, 0));
  view = wait_for_shown_chat (context->window);
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (starling_chat_view_get_list (view), 0));
  g_assert_true (gtk_widget_activate_action (row, "message.edit", NULL));
  editor = shown_editor (view, 0);
  g_assert_nonnull (editor);
  gtk_text_buffer_insert_at_cursor (gtk_text_view_get_buffer (editor), " For a week in Sardinia?", -1);
  /* Edit again while editing: what was typed stays. */
  g_assert_true (gtk_widget_activate_action (row, "message.edit", NULL));
  shown = editor_text (editor);
  g_assert_cmpstr (shown, ==, "What should I pack? For a week in Sardinia?");
  g_clear_pointer (&shown, g_free);
  {
    EditWait wait = { store, prompt, "What should I pack? For a week in Sardinia?" };

    g_assert_true (starling_test_wait_for (edit_draft_is, &wait, 5000));
  }

  /* Another window (a restart reads the same history): the editor is open
   * on the prompt, with what was typed. */
  second = starling_window_new (context->app);
  gtk_window_present (GTK_WINDOW (second));
  g_assert_true (starling_window_open_conversation (second, id, 0));
  view = wait_for_shown_chat (GTK_WINDOW (second));
  editor = shown_editor (view, 0);
  g_assert_nonnull (editor);
  shown = editor_text (editor);
  g_assert_cmpstr (shown, ==, "What should I pack? For a week in Sardinia?");
  g_clear_pointer (&shown, g_free);
  starling_test_save_screenshot (GTK_WIDGET (second), "screenshot-edit-draft.png");

  /* Typing there and closing the window at once, before the pause: kept too. */
  gtk_text_buffer_insert_at_cursor (gtk_text_view_get_buffer (editor), " In June.", -1);
  gtk_window_close (GTK_WINDOW (second));
  {
    EditWait wait = { store, prompt, "What should I pack? For a week in Sardinia? In June." };

    g_assert_true (edit_draft_is (&wait));
  }

  /* Cancelled, it is forgotten: the row shows the prompt as sent. */
  view = shown_chat (GTK_WIDGET (context->window));
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (starling_chat_view_get_list (view), 0));
  g_assert_true (gtk_widget_activate_action (row, "message.cancel-edit", NULL));
  {
    EditWait wait = { store, prompt, NULL };

    g_assert_true (starling_test_wait_for (edit_draft_is, &wait, 5000));
  }
  g_assert_null (shown_editor (view, 0));
}

static void
test_edit_drafts (void)
{
  starling_test_run_in_app (check_edit_drafts, NULL);
}

/* --- Two windows on one history: each list follows what the other does --- */

static void
check_two_windows (StarlingTestContext *context)
{
  StarlingStore *store = starling_application_get_store (context->app);
  g_autoptr(GError) error = NULL;
  StarlingWindow *second = starling_window_new (context->app);
  StarlingChatView *view;
  StarlingConversation *conversation;

  gtk_window_present (GTK_WINDOW (second));

  /* A chat started in the second window shows in the first one's list. */
  fake_gemini_route (fake, "gemini-2.5-flash", "text=Otters hold hands while they sleep.");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (second), "win.new-chat", NULL));
  view = wait_for_shown_chat (GTK_WINDOW (second));
  conversation = starling_chat_view_get_conversation (view);
  type_into (view, "Tell me about otters");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (starling_chat_view_get_composer (view)), "composer.send", NULL));
  {
    Wait wait = { conversation, 1 };

    g_assert_true (starling_test_wait_for (answer_done, &wait, 10000));
  }
  assert_sidebar_shows (context->window, "Tell me about otters", TRUE);
  assert_sidebar_shows (context->window, "Otters hold hands while they sleep.", TRUE);

  /* Renamed there, renamed here. */
  starling_conversation_set_title (conversation, "Sea otters, renamed");
  assert_sidebar_shows (context->window, "Sea otters, renamed", TRUE);

  /* Deleted here (as the list's Delete does), gone there too. */
  g_assert_true (starling_store_delete_conversation (store, starling_conversation_get_id (conversation), &error));
  g_assert_no_error (error);
  assert_sidebar_shows (GTK_WINDOW (second), "Sea otters, renamed", FALSE);
  gtk_window_destroy (GTK_WINDOW (second));
}

static void
test_two_windows (void)
{
  starling_test_run_in_app (check_two_windows, NULL);
}

/* --- Answers in the background: the list shows which chat is answering, then which has an answer not seen yet --- */

static GtkWidget *
row_titled (GtkWidget  *root,
            const char *title)
{
  if (STARLING_IS_CONVERSATION_ROW (root) &&
      g_strcmp0 (starling_conversation_row_get_title (STARLING_CONVERSATION_ROW (root)), title) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = row_titled (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
shown_with_class (GtkWidget  *root,
                  const char *css_class)
{
  if (!gtk_widget_get_visible (root))
    return NULL;
  if (gtk_widget_has_css_class (root, css_class))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = shown_with_class (child, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  GtkWindow  *window;
  const char *title;
} RowWait;

static gboolean
row_spins (gpointer user_data)
{
  RowWait *wait = user_data;
  GtkWidget *row = row_titled (GTK_WIDGET (wait->window), wait->title);
  GtkWidget *spinner = row != NULL ? starling_test_find_widget (row, GTK_TYPE_SPINNER, NULL) : NULL;

  return spinner != NULL && gtk_widget_get_mapped (spinner) && gtk_spinner_get_spinning (GTK_SPINNER (spinner));
}

static gboolean
row_has_dot (gpointer user_data)
{
  RowWait *wait = user_data;
  GtkWidget *row = row_titled (GTK_WIDGET (wait->window), wait->title);
  GtkWidget *dot = row != NULL ? shown_with_class (row, "unread-dot") : NULL;

  return dot != NULL && gtk_widget_get_mapped (dot);
}

static void
check_background_answers (StarlingTestContext *context)
{
  StarlingStore *store = starling_application_get_store (context->app);
  g_autoptr(GError) error = NULL;
  StarlingChatView *view;
  StarlingConversation *conversation;
  RowWait slow = { context->window, "A slow question" };
  RowWait other = { context->window, "Another chat" };
  gint64 id, other_id;

  id = starling_store_create_conversation (store, "A slow question", "gemini-2.5-flash", NULL, &error);
  g_assert_no_error (error);
  other_id = starling_store_create_conversation (store, "Another chat", "gemini-2.5-flash", NULL, &error);
  g_assert_no_error (error);
  {
    GtkWidget *sidebar = starling_test_find_widget (GTK_WIDGET (context->window), STARLING_TYPE_SIDEBAR, NULL);

    /* made behind the window's back: the list hears of them as after an import */
    starling_sidebar_conversation_changed (STARLING_SIDEBAR (sidebar), id);
    starling_sidebar_conversation_changed (STARLING_SIDEBAR (sidebar), other_id);
  }

  fake_gemini_route (fake, "gemini-2.5-flash", "text=One. Two. Three. Four. Five. Six.;delay_ms=250");
  g_assert_true (starling_window_open_conversation (STARLING_WINDOW (context->window), id, 0));
  view = wait_for_shown_chat (context->window);
  conversation = starling_chat_view_get_conversation (view);
  starling_composer_set_text (starling_chat_view_get_composer (view), "Count slowly");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (starling_chat_view_get_composer (view)), "composer.send", NULL));

  /* Elsewhere while it answers: its row spins, the others do not. */
  g_assert_true (starling_window_open_conversation (STARLING_WINDOW (context->window), other_id, 0));
  wait_for_shown_chat (context->window);
  g_assert_true (starling_conversation_get_busy (conversation));
  g_assert_true (starling_test_wait_for (row_spins, &slow, 5000));
  g_assert_false (row_spins (&other));
  g_assert_false (row_has_dot (&slow));
  starling_test_save_screenshot (GTK_WIDGET (context->window), "screenshot-background-answer.png");

  /* Done while the user was away: the spinner gives way to a dot. */
  {
    Wait wait = { conversation, 1 };

    g_assert_true (starling_test_wait_for (answer_done, &wait, 10000));
  }
  g_assert_true (starling_test_wait_for (row_has_dot, &slow, 5000));
  g_assert_false (row_spins (&slow));
  g_assert_nonnull (row_titled (GTK_WIDGET (context->window), "Another chat"));
  g_assert_false (row_has_dot (&other));
  g_assert_true (starling_test_save_screenshot (GTK_WIDGET (context->window), "screenshot-background-answered.png"));

  /* Opened, it is seen. */
  g_assert_true (starling_window_open_conversation (STARLING_WINDOW (context->window), id, 0));
  wait_for_shown_chat (context->window);
  starling_test_iterate (100);
  g_assert_false (row_has_dot (&slow));

  /* An answer that ends in the chat on screen leaves no dot. */
  fake_gemini_route (fake, "gemini-2.5-flash", "text=Right here.");
  starling_composer_set_text (starling_chat_view_get_composer (view), "Once more");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (starling_chat_view_get_composer (view)), "composer.send", NULL));
  {
    Wait wait = { conversation, 3 };

    g_assert_true (starling_test_wait_for (answer_done, &wait, 10000));
  }
  starling_test_iterate (100);
  g_assert_false (row_has_dot (&slow));
  g_assert_false (row_spins (&slow));
}

static void
test_background_answers (void)
{
  starling_test_run_in_app (check_background_answers, NULL);
}

/* Alt+Up and Alt+Down go to the conversation above or below in the list. */
static const char *
shown_title (GtkWindow *window)
{
  StarlingChatView *view = wait_for_shown_chat (window);

  return starling_conversation_get_title (starling_chat_view_get_conversation (view));
}

static void
check_conversation_keys (StarlingTestContext *context)
{
  StarlingStore *store = starling_application_get_store (context->app);
  GtkWidget *sidebar = starling_test_find_widget (GTK_WIDGET (context->window), STARLING_TYPE_SIDEBAR, NULL);
  const char *titles[] = { "Oldest of three", "Middle of three", "Newest of three" };
  g_autoptr(GError) error = NULL;
  gint64 ids[3];

  for (guint i = 0; i < 3; i++)
    {
      ids[i] = starling_store_create_conversation (store, titles[i], "gemini-2.5-flash", NULL, &error);
      g_assert_no_error (error);
      starling_store_append_message (store, ids[i], 0, STARLING_STORE_ROLE_USER, "[{\"text\":\"Hello\"}]",
                                     STARLING_STORE_STATUS_COMPLETE, &error);
      g_assert_no_error (error);
      starling_sidebar_conversation_changed (STARLING_SIDEBAR (sidebar), ids[i]);
    }

  /* the list: newest on top */
  g_assert_true (starling_window_open_conversation (STARLING_WINDOW (context->window), ids[1], 0));
  g_assert_cmpstr (shown_title (context->window), ==, "Middle of three");
  g_assert_true (starling_test_send_key_press (GTK_WIDGET (context->window), GDK_KEY_Down, GDK_ALT_MASK));
  g_assert_cmpstr (shown_title (context->window), ==, "Oldest of three");
  g_assert_true (starling_test_send_key_press (GTK_WIDGET (context->window), GDK_KEY_Up, GDK_ALT_MASK));
  g_assert_true (starling_test_send_key_press (GTK_WIDGET (context->window), GDK_KEY_Up, GDK_ALT_MASK));
  g_assert_cmpstr (shown_title (context->window), ==, "Newest of three");
  g_assert_cmpint (starling_sidebar_get_selected_conversation (STARLING_SIDEBAR (sidebar)), ==, ids[2]);
  /* at the top, Alt+Up stays */
  starling_test_send_key_press (GTK_WIDGET (context->window), GDK_KEY_Up, GDK_ALT_MASK);
  g_assert_cmpstr (shown_title (context->window), ==, "Newest of three");

  /* Ctrl+F while typing in a chat searches the list too */
  starling_composer_focus (starling_chat_view_get_composer (wait_for_shown_chat (context->window)));
  g_assert_false (starling_sidebar_get_search_mode (STARLING_SIDEBAR (sidebar)));
  g_assert_true (starling_test_send_key_press (GTK_WIDGET (context->window), GDK_KEY_f, GDK_CONTROL_MASK));
  g_assert_true (starling_sidebar_get_search_mode (STARLING_SIDEBAR (sidebar)));
  starling_sidebar_stop_search (STARLING_SIDEBAR (sidebar));
}

static void
test_conversation_keys (void)
{
  starling_test_run_in_app (check_conversation_keys, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  starling_test_ui_init (&argc, &argv);

  fake = fake_gemini_new (g_getenv ("STARLING_CORPUS_DIR"), &error);
  g_assert_no_error (error);
  g_setenv ("STARLING_BASE_URL", fake_gemini_get_base_url (fake), TRUE);
  g_setenv ("STARLING_API_KEY", "test-key", TRUE);

  g_test_add_func ("/history/round-trip", test_round_trip);
  g_test_add_func ("/history/interrupted-answer", test_interrupted_answer);
  g_test_add_func ("/history/branches-persist", test_branches_persist);
  g_test_add_func ("/history/search-result-opens", test_search_result_opens);
  g_test_add_func ("/history/long-conversation", test_long_conversation);
  g_test_add_func ("/history/drafts", test_drafts);
  g_test_add_func ("/history/draft-files", test_draft_files);
  g_test_add_func ("/history/two-windows", test_two_windows);
  g_test_add_func ("/history/edit-drafts", test_edit_drafts);
  g_test_add_func ("/history/background-answers", test_background_answers);
  g_test_add_func ("/history/conversation-keys", test_conversation_keys);

  status = g_test_run ();
  g_clear_object (&fake);
  return status;
}

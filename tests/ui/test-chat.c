/* test-chat.c: conversations in the real window, against the fake Gemini server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <glib/gstdio.h>

#include "fake-gemini.h"
#include "starling-chat-view.h"
#include "starling-citation-popover.h"
#include "starling-markdown-text-view.h"
#include "starling-markdown-view.h"
#include "starling-message-row.h"
#include "starling-settings-chips.h"
#include "starling-test-ui.h"

static FakeGemini *fake;

typedef struct
{
  StarlingTestContext *context;
  StarlingChatView    *view;
} Chat;

static StarlingChatView *
open_chat (StarlingTestContext *context)
{
  GtkWidget *view;

  gtk_widget_activate_action (GTK_WIDGET (context->window), "win.new-chat", NULL);
  view = starling_test_find_widget (GTK_WIDGET (context->window), STARLING_TYPE_CHAT_VIEW, NULL);
  g_assert_nonnull (view);
  starling_test_wait_until_drawn (view);

  /* Fast retries keep error tests short; the policy itself is tested in the library. */
  gem_client_set_retry_base_delay_ms (starling_application_get_client (context->app), 10);

  return STARLING_CHAT_VIEW (view);
}

static void
type_and_send (StarlingChatView *view,
               const char       *text)
{
  StarlingComposer *composer = starling_chat_view_get_composer (view);

  starling_composer_set_text (composer, text);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL));
}

static StarlingMessage *
message_at (StarlingChatView *view,
            guint             index)
{
  GListModel *messages = starling_conversation_get_messages (starling_chat_view_get_conversation (view));
  g_autoptr(StarlingMessage) message = g_list_model_get_item (messages, index);

  return message;
}

static guint
n_messages (StarlingChatView *view)
{
  return g_list_model_get_n_items (starling_conversation_get_messages (starling_chat_view_get_conversation (view)));
}

typedef struct
{
  StarlingChatView *view;
  guint             index;
  int               status;
} StatusWait;

static gboolean
message_has_status (gpointer user_data)
{
  StatusWait *wait = user_data;

  if (n_messages (wait->view) <= wait->index)
    return FALSE;

  return (int) starling_message_get_status (message_at (wait->view, wait->index)) == wait->status;
}

static void
wait_for_status (StarlingChatView      *view,
                 guint                  index,
                 StarlingMessageStatus  status)
{
  StatusWait wait = { view, index, status };

  g_assert_true (starling_test_wait_for (message_has_status, &wait, 10000));
  starling_test_wait_until_drawn (GTK_WIDGET (view));
}

static GtkWidget *
row_at (StarlingChatView *view,
        guint             index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (starling_chat_view_get_list (view), index);

  g_assert_nonnull (row);
  g_assert_true (STARLING_IS_MESSAGE_ROW (row));
  return GTK_WIDGET (row);
}

static char *
row_text (StarlingChatView *view,
          guint             index)
{
  return starling_test_collect_text (row_at (view, index));
}

static JsonObject *
last_request_body (void)
{
  g_autoptr(GPtrArray) requests = fake_gemini_dup_requests (fake);
  g_autoptr(JsonNode) node = NULL;

  g_assert_cmpuint (requests->len, >, 0);
  node = fake_gemini_request_dup_json (g_ptr_array_index (requests, requests->len - 1));
  g_assert_nonnull (node);
  return json_object_ref (json_node_get_object (node));
}

static void
test_send_streams_answer (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  g_autofree char *answer = NULL;
  g_autofree char *prompt = NULL;
  g_autoptr(JsonObject) body = NULL;
  JsonArray *contents;

  fake_gemini_clear_requests (fake);
  fake_gemini_route (fake, "gemini-2.5-flash",
                     "text=Rayleigh scattering makes the sky look blue to us during the day.;delay_ms=40");
  type_and_send (view, "Why is the sky blue?");

  /* The question shows at once, the answer fills in while it streams. */
  g_assert_cmpuint (n_messages (view), ==, 2);
  prompt = row_text (view, 0);
  g_assert_nonnull (strstr (prompt, "Why is the sky blue?"));
  g_assert_true (starling_composer_get_busy (starling_chat_view_get_composer (view)));

  wait_for_status (view, 1, STARLING_MESSAGE_COMPLETE);
  answer = row_text (view, 1);
  g_assert_nonnull (strstr (answer, "Rayleigh scattering makes the sky look blue to us during the day."));
  g_assert_false (starling_composer_get_busy (starling_chat_view_get_composer (view)));

  body = last_request_body ();
  contents = json_object_get_array_member (body, "contents");
  g_assert_cmpuint (json_array_get_length (contents), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (contents, 0), "role"), ==, "user");
}

static void
test_stop_keeps_partial (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  StarlingMessage *answer;
  const char *full = "One. Two. Three. Four. Five. Six. Seven. Eight. Nine. Ten. Eleven. Twelve. "
                     "Thirteen. Fourteen. Fifteen. Sixteen. Seventeen. Eighteen. Nineteen. Twenty.";
  g_autofree char *route = g_strdup_printf ("text=%s;delay_ms=300", full);
  g_autofree char *shown = NULL;
  const char *partial;

  fake_gemini_route (fake, "gemini-2.5-flash", route);
  type_and_send (view, "Count to twenty slowly");
  answer = message_at (view, 1);

  while (*starling_message_get_text (answer) == '\0')
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (starling_chat_view_get_composer (view)), "composer.stop", NULL));
  wait_for_status (view, 1, STARLING_MESSAGE_STOPPED);

  partial = starling_message_get_text (answer);
  g_assert_cmpuint (strlen (partial), >, 0);
  g_assert_cmpuint (strlen (partial), <, strlen (full));
  g_assert_true (g_str_has_prefix (full, partial));

  shown = row_text (view, 1);
  g_assert_nonnull (strstr (shown, "You stopped this answer."));
  g_assert_nonnull (strstr (shown, "One."));
  /* The answer's token count never came: the status says what is known. */
  g_assert_nonnull (strstr (shown, "tokens in"));
  g_assert_null (strstr (shown, " out"));
}

static void
test_error_row_and_retry (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  g_autofree char *shown = NULL;
  g_autofree char *after = NULL;
  GtkWidget *row;

  gem_client_set_max_retries (starling_application_get_client (context->app), 0);
  fake_gemini_route (fake, "gemini-2.5-flash", "status=503");
  type_and_send (view, "Hello?");
  wait_for_status (view, 1, STARLING_MESSAGE_ERROR);

  row = row_at (view, 1);
  shown = starling_test_collect_text (row);
  g_assert_nonnull (strstr (shown, "Retry"));
  g_assert_nonnull (strstr (shown, "Details"));
  g_assert_cmpstr (starling_message_get_error (message_at (view, 1))->message, !=, "");
  g_assert_nonnull (strstr (shown, starling_message_get_error (message_at (view, 1))->message));

  /* Details hold the API's own words. */
  {
    GtkWidget *expander = starling_test_find_widget (row, GTK_TYPE_EXPANDER, NULL);
    g_autofree char *details = NULL;

    while (expander != NULL && g_strcmp0 (gtk_expander_get_label (GTK_EXPANDER (expander)), "Details") != 0)
      expander = starling_test_find_widget (gtk_widget_get_next_sibling (expander), GTK_TYPE_EXPANDER, NULL);
    g_assert_nonnull (expander);
    gtk_expander_set_expanded (GTK_EXPANDER (expander), TRUE);
    details = starling_test_collect_text (expander);
    g_assert_nonnull (strstr (details, "503"));
  }

  fake_gemini_route (fake, "gemini-2.5-flash", "text=Back online and answering.");
  g_assert_true (gtk_widget_activate_action (row, "message.retry", NULL));
  wait_for_status (view, 1, STARLING_MESSAGE_COMPLETE);
  g_assert_cmpuint (n_messages (view), ==, 2);
  after = row_text (view, 1);
  g_assert_nonnull (strstr (after, "Back online and answering."));
  g_assert_null (strstr (after, "Retry"));
}

/* Before its first words, the answer shows it is on its way. */
/* A new chat greets with its status page, whole, not cut to a sliver; it
 * goes when the first message comes. */
static void
test_empty_chat_greeting (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  GtkWidget *page, *title;
  graphene_rect_t bounds;

  page = starling_test_find_visible_status_page (GTK_WIDGET (view));
  g_assert_nonnull (page);
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (page)), ==, "Ask Gemini Anything");
  title = starling_test_find_widget (page, GTK_TYPE_LABEL, "Ask Gemini Anything");
  g_assert_nonnull (title);
  g_assert_true (gtk_widget_compute_bounds (title, page, &bounds));
  g_test_message ("the title is at %g..%g px in a status page %d px tall", bounds.origin.y,
                  bounds.origin.y + bounds.size.height, gtk_widget_get_height (page));
  g_assert_cmpfloat (bounds.size.height, >, 0);
  g_assert_cmpfloat (bounds.origin.y, >=, 0);
  g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, gtk_widget_get_height (page));
  /* and the page is inside the chat, above the composer */
  g_assert_true (gtk_widget_compute_bounds (title, GTK_WIDGET (view), &bounds));
  g_assert_cmpfloat (bounds.origin.y, >=, 0);

  fake_gemini_route (fake, "gemini-2.5-flash", "text=Hello.");
  type_and_send (view, "Hi");
  wait_for_status (view, 1, STARLING_MESSAGE_COMPLETE);
  starling_test_wait_until_drawn (GTK_WIDGET (view));
  g_assert_null (starling_test_find_visible_status_page (GTK_WIDGET (view)));
}

/* The chat settings sit at the bottom of the window, under the
 * conversation: they open upwards, over it, not off the bottom of the
 * screen. */
static void
test_settings_open_upwards (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  GtkWidget *chips = starling_test_find_widget (GTK_WIDGET (view), STARLING_TYPE_SETTINGS_CHIPS, NULL);
  GtkWidget *button, *popover;
  graphene_rect_t bounds;
  GdkSurface *surface;
  int popup_bottom;

  g_assert_nonnull (chips);
  button = starling_test_find_widget (chips, GTK_TYPE_MENU_BUTTON, NULL);
  g_assert_nonnull (button);
  popover = GTK_WIDGET (starling_settings_chips_get_popover (STARLING_SETTINGS_CHIPS (chips)));
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  g_assert_true (starling_test_wait_for ((gboolean (*) (gpointer)) gtk_widget_get_mapped, popover, 5000));
  starling_test_wait_until_drawn (popover);

  g_assert_true (gtk_widget_compute_bounds (button, GTK_WIDGET (context->window), &bounds));
  surface = gtk_native_get_surface (GTK_NATIVE (popover));
  popup_bottom = gdk_popup_get_position_y (GDK_POPUP (surface)) + gdk_surface_get_height (surface);
  g_test_message ("the settings button is at %g px, the settings end at %d px", bounds.origin.y, popup_bottom);
  /* above the button; (its surface's shadow may reach into the button) */
  g_assert_cmpint (gdk_popup_get_position_y (GDK_POPUP (surface)), <, (int) bounds.origin.y);
  g_assert_cmpint (popup_bottom, <, (int) (bounds.origin.y + bounds.size.height));
  gtk_popover_popdown (GTK_POPOVER (popover));
}

/* Presses a key in the composer as its key handler sees it. */
static gboolean
press_in_composer (StarlingChatView *view,
                   guint             keyval)
{
  GtkWidget *text_view = starling_test_find_widget (GTK_WIDGET (starling_chat_view_get_composer (view)),
                                                    GTK_TYPE_TEXT_VIEW, NULL);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (text_view);
  gboolean handled = FALSE;

  gtk_widget_grab_focus (text_view);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller) &&
          gtk_event_controller_get_propagation_phase (GTK_EVENT_CONTROLLER (controller)) == GTK_PHASE_CAPTURE)
        {
          g_signal_emit_by_name (controller, "key-pressed", keyval, 0, 0, &handled);
          return handled;
        }
    }
  g_assert_not_reached ();
}

/* Up in an empty composer opens the last prompt in its editor. */
static void
test_up_edits_last_prompt (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  GtkTextView *edit_view;
  GtkWidget *focus;
  g_autofree char *editing = NULL;

  fake_gemini_route (fake, "gemini-2.5-flash", "text=About cats.");
  type_and_send (view, "Tell me about cats");
  wait_for_status (view, 1, STARLING_MESSAGE_COMPLETE);
  type_and_send (view, "And about their whiskers");
  wait_for_status (view, 3, STARLING_MESSAGE_COMPLETE);

  /* with something typed, Up is the text view's own */
  starling_composer_set_text (starling_chat_view_get_composer (view), "Draft");
  g_assert_false (press_in_composer (view, GDK_KEY_Up));
  g_assert_null (starling_test_find_widget (row_at (view, 2), GTK_TYPE_TEXT_VIEW, NULL));

  starling_composer_set_text (starling_chat_view_get_composer (view), "");
  g_assert_true (press_in_composer (view, GDK_KEY_Up));
  edit_view = GTK_TEXT_VIEW (starling_test_find_widget (row_at (view, 2), GTK_TYPE_TEXT_VIEW, NULL));
  g_assert_nonnull (edit_view);
  {
    GtkTextIter start, end;

    gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (edit_view), &start, &end);
    editing = gtk_text_buffer_get_text (gtk_text_view_get_buffer (edit_view), &start, &end, FALSE);
  }
  g_assert_cmpstr (editing, ==, "And about their whiskers");
  focus = gtk_root_get_focus (GTK_ROOT (context->window));
  g_assert_true (focus == GTK_WIDGET (edit_view));
  /* the first prompt is left alone */
  g_assert_null (starling_test_find_widget (row_at (view, 0), GTK_TYPE_TEXT_VIEW, NULL));

  /* Escape closes the editor; the keyboard stays on that message */
  g_assert_true (starling_test_send_key_press (GTK_WIDGET (context->window), GDK_KEY_Escape, 0));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (edit_view)) && gtk_widget_is_drawable (GTK_WIDGET (edit_view)));
  focus = gtk_root_get_focus (GTK_ROOT (context->window));
  g_assert_nonnull (focus);
  g_assert_true (focus == row_at (view, 2));
}

static void
test_waiting_indicator (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  StarlingMessage *answer;
  GtkWidget *spinner;

  fake_gemini_route (fake, "gemini-2.5-flash", "text=Slow to start.;delay_ms=600");
  type_and_send (view, "Take your time");
  answer = message_at (view, 1);
  starling_test_wait_until_drawn (GTK_WIDGET (view));
  g_assert_cmpstr (starling_message_get_text (answer), ==, "");
  spinner = starling_test_find_widget (row_at (view, 1), GTK_TYPE_SPINNER, NULL);
  g_assert_nonnull (spinner);
  g_assert_true (gtk_widget_get_mapped (spinner));
  g_assert_true (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));

  wait_for_status (view, 1, STARLING_MESSAGE_COMPLETE);
  g_assert_null (starling_test_find_widget (row_at (view, 1), GTK_TYPE_SPINNER, NULL));
}

static gboolean
row_says_trying_again (gpointer user_data)
{
  StarlingChatView *view = user_data;
  g_autofree char *shown = row_text (view, 1);

  return strstr (shown, "Trying again in") != NULL;
}

/* A request the server turned away is sent again after a pause: the answer
 * says why it waits and for how long, then the answer comes as usual. */
static void
test_retry_notice (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  g_autofree char *after = NULL;

  fake_gemini_route (fake, "gemini-2.5-flash", "text=Answered on the second try.;status=503;fail_times=1;retry_after=2");
  type_and_send (view, "Hello?");

  g_assert_true (starling_test_wait_for (row_says_trying_again, view, 5000));
  {
    g_autofree char *waiting = row_text (view, 1);

    g_assert_nonnull (strstr (waiting, "The model is overloaded right now."));
    g_assert_true (strstr (waiting, "Trying again in 2 seconds…") != NULL ||
                   strstr (waiting, "Trying again in 1 second…") != NULL);
  }
  g_assert_true (starling_composer_get_busy (starling_chat_view_get_composer (view)));

  wait_for_status (view, 1, STARLING_MESSAGE_COMPLETE);
  after = row_text (view, 1);
  g_assert_nonnull (strstr (after, "Answered on the second try."));
  g_assert_null (strstr (after, "Trying again"));
}

static void
test_regenerate_keeps_both (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  g_autofree char *second = NULL;
  g_autofree char *first = NULL;

  fake_gemini_route (fake, "gemini-2.5-flash", "text=First answer.");
  type_and_send (view, "Tell me something");
  wait_for_status (view, 1, STARLING_MESSAGE_COMPLETE);

  fake_gemini_route (fake, "gemini-2.5-flash", "text=Second answer.");
  g_assert_true (gtk_widget_activate_action (row_at (view, 1), "message.regenerate", NULL));
  wait_for_status (view, 1, STARLING_MESSAGE_COMPLETE);

  second = row_text (view, 1);
  g_assert_nonnull (strstr (second, "Second answer."));
  g_assert_nonnull (strstr (second, "2/2"));

  g_assert_true (gtk_widget_activate_action (row_at (view, 1), "message.previous-branch", NULL));
  starling_test_wait_until_drawn (GTK_WIDGET (view));
  first = row_text (view, 1);
  g_assert_nonnull (strstr (first, "First answer."));
  g_assert_nonnull (strstr (first, "1/2"));
}

static void
test_edit_and_resend_branches (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  g_autoptr(JsonObject) body = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *original = NULL;
  JsonArray *contents;
  GtkWidget *row;
  GtkTextView *edit_view;

  fake_gemini_route (fake, "gemini-2.5-flash", "text=About cats.");
  type_and_send (view, "Tell me about cats");
  wait_for_status (view, 1, STARLING_MESSAGE_COMPLETE);
  fake_gemini_route (fake, "gemini-2.5-flash", "text=More about cats.");
  type_and_send (view, "And more");
  wait_for_status (view, 3, STARLING_MESSAGE_COMPLETE);
  g_assert_cmpuint (n_messages (view), ==, 4);

  /* Editing the first prompt replaces everything after it with a new branch. */
  row = row_at (view, 0);
  g_assert_true (gtk_widget_activate_action (row, "message.edit", NULL));
  edit_view = GTK_TEXT_VIEW (starling_test_find_widget (row, GTK_TYPE_TEXT_VIEW, NULL));
  g_assert_nonnull (edit_view);
  /* The editor shows the prompt as soon as it is drawn (not only once the
   * cursor blinks): it is as tall as its text, at least a line. */
  starling_test_iterate (150);
  {
    GtkAllocation allocation;
    int height;

    gtk_widget_get_allocation (GTK_WIDGET (edit_view), &allocation);
    gtk_widget_measure (GTK_WIDGET (edit_view), GTK_ORIENTATION_VERTICAL, allocation.width, &height, NULL, NULL, NULL);
    g_assert_cmpint (allocation.height, >=, height);
    g_assert_cmpint (allocation.height, >, 16 + 10);
  }
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (edit_view), "Tell me about dogs", -1);
  fake_gemini_route (fake, "gemini-2.5-flash", "text=About dogs.");
  fake_gemini_clear_requests (fake);
  g_assert_true (gtk_widget_activate_action (row, "message.send-edit", NULL));
  wait_for_status (view, 1, STARLING_MESSAGE_COMPLETE);

  g_assert_cmpuint (n_messages (view), ==, 2);
  edited = starling_test_collect_text (row_at (view, 0));
  g_assert_nonnull (strstr (edited, "Tell me about dogs"));
  g_assert_nonnull (strstr (edited, "2/2"));
  body = last_request_body ();
  contents = json_object_get_array_member (body, "contents");
  g_assert_cmpuint (json_array_get_length (contents), ==, 1);

  /* The old branch, with its whole continuation, is one click away. */
  g_assert_true (gtk_widget_activate_action (row_at (view, 0), "message.previous-branch", NULL));
  starling_test_wait_until_drawn (GTK_WIDGET (view));
  g_assert_cmpuint (n_messages (view), ==, 4);
  original = starling_test_collect_text (row_at (view, 3));
  g_assert_nonnull (strstr (original, "More about cats."));
}

static void
test_delete_pair (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  g_autofree char *left = NULL;

  fake_gemini_route (fake, "gemini-2.5-flash", "text=Answer one.");
  type_and_send (view, "Question one");
  wait_for_status (view, 1, STARLING_MESSAGE_COMPLETE);
  fake_gemini_route (fake, "gemini-2.5-flash", "text=Answer two.");
  type_and_send (view, "Question two");
  wait_for_status (view, 3, STARLING_MESSAGE_COMPLETE);

  g_assert_true (gtk_widget_activate_action (row_at (view, 1), "message.delete", NULL));
  starling_test_wait_until_drawn (GTK_WIDGET (view));
  g_assert_cmpuint (n_messages (view), ==, 2);
  left = starling_test_collect_text (row_at (view, 0));
  g_assert_nonnull (strstr (left, "Question two"));
}

static void
test_attachment_sent_inline (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  StarlingComposer *composer = starling_chat_view_get_composer (view);
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(StarlingAttachment) attachment = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *chips = NULL;
  JsonArray *parts;
  JsonObject *inline_data;
  guchar pixels[4 * 4 * 4];

  for (guint i = 0; i < sizeof pixels; i++)
    pixels[i] = (guchar) (i * 37);
  {
    g_autoptr(GBytes) raw = g_bytes_new (pixels, sizeof pixels);

    texture = gdk_memory_texture_new (4, 4, GDK_MEMORY_R8G8B8A8, raw, 16);
  }
  png = gdk_texture_save_to_png_bytes (texture);
  attachment = starling_attachment_new ("dots.png", "image/png", png);
  starling_composer_add_attachment (composer, attachment);
  starling_test_wait_until_drawn (GTK_WIDGET (view));
  chips = starling_test_collect_text (GTK_WIDGET (composer));
  g_assert_nonnull (strstr (chips, "dots.png"));

  fake_gemini_clear_requests (fake);
  fake_gemini_route (fake, "gemini-2.5-flash", "text=Four by four dots.");
  type_and_send (view, "What is in this picture?");
  wait_for_status (view, 1, STARLING_MESSAGE_COMPLETE);

  body = last_request_body ();
  parts = json_object_get_array_member (json_array_get_object_element (json_object_get_array_member (body, "contents"), 0), "parts");
  g_assert_cmpuint (json_array_get_length (parts), ==, 2);
  inline_data = json_object_get_object_member (json_array_get_object_element (parts, 0), "inlineData");
  g_assert_nonnull (inline_data);
  g_assert_cmpstr (json_object_get_string_member (inline_data, "mimeType"), ==, "image/png");
  expected = g_base64_encode (g_bytes_get_data (png, NULL), g_bytes_get_size (png));
  g_assert_cmpstr (json_object_get_string_member (inline_data, "data"), ==, expected);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (parts, 1), "text"), ==,
                   "What is in this picture?");

  /* The chip is gone once sent. */
  g_free (chips);
  chips = starling_test_collect_text (GTK_WIDGET (composer));
  g_assert_null (strstr (chips, "dots.png"));
}

static GtkWidget *
find_text_view (GtkWidget *widget)
{
  if (GTK_IS_TEXT_VIEW (widget))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_text_view (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

typedef struct
{
  StarlingComposer *composer;
  guint             n;
} AttachmentWait;

static gboolean
has_attachments (gpointer user_data)
{
  AttachmentWait *wait = user_data;
  g_autoptr(GPtrArray) attachments = starling_composer_dup_attachments (wait->composer);

  return attachments->len >= wait->n;
}

static char *
write_test_file (const char *name,
                 const char *contents,
                 gsize       length)
{
  char *path = g_build_filename (g_get_user_cache_dir (), name, NULL);

  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));

  return path;
}

/* Sends what the composer holds and returns the parts of the request. */
static JsonArray *
send_and_get_parts (StarlingChatView *view,
                    const char       *prompt,
                    guint             answer_index,
                    JsonObject      **body)
{
  JsonArray *contents;

  fake_gemini_clear_requests (fake);
  fake_gemini_route (fake, "gemini-2.5-flash", "text=Got them.");
  type_and_send (view, prompt);
  wait_for_status (view, answer_index, STARLING_MESSAGE_COMPLETE);

  /* the parts of the newest turn */
  *body = last_request_body ();
  contents = json_object_get_array_member (*body, "contents");
  return json_object_get_array_member (json_array_get_object_element (contents, json_array_get_length (contents) - 1),
                                       "parts");
}

static void
assert_inline_part (JsonArray  *parts,
                    guint       index,
                    const char *mime_type,
                    const char *contents,
                    gsize       length)
{
  JsonObject *inline_data = json_object_get_object_member (json_array_get_object_element (parts, index), "inlineData");
  g_autofree char *expected = contents != NULL ? g_base64_encode ((const guchar *) contents, length) : NULL;

  g_assert_nonnull (inline_data);
  g_assert_cmpstr (json_object_get_string_member (inline_data, "mimeType"), ==, mime_type);
  if (expected != NULL)
    g_assert_cmpstr (json_object_get_string_member (inline_data, "data"), ==, expected);
}

/* Ctrl+V with files on the clipboard attaches them; with an image, the image. */
static void
test_paste_attachments (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  StarlingComposer *composer = starling_chat_view_get_composer (view);
  GtkWidget *text_view = find_text_view (GTK_WIDGET (composer));
  GdkClipboard *clipboard = gtk_widget_get_clipboard (text_view);
  static const char notes[] = "Meeting notes: bring the blue paint.\n";
  g_autofree char *notes_path = write_test_file ("notes.txt", notes, strlen (notes));
  g_autoptr(GFile) notes_file = g_file_new_for_path (notes_path);
  /* (a GdkFileList is a GSList of GFile) */
  g_autoptr(GSList) files = g_slist_prepend (NULL, notes_file);
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) body2 = NULL;
  g_autofree char *chips = NULL;
  g_autofree char *typed = NULL;
  AttachmentWait wait = { composer, 1 };
  JsonArray *parts;
  guchar pixels[8 * 8 * 4];

  g_assert_nonnull (text_view);
  gdk_clipboard_set (clipboard, GDK_TYPE_FILE_LIST, files);
  gtk_widget_grab_focus (text_view);
  g_assert_true (gtk_widget_activate_action (text_view, "clipboard.paste", NULL));
  g_assert_true (starling_test_wait_for (has_attachments, &wait, 5000));
  starling_test_wait_until_drawn (GTK_WIDGET (view));
  chips = starling_test_collect_text (GTK_WIDGET (composer));
  g_assert_nonnull (strstr (chips, "notes.txt"));
  /* The file names were not pasted as text. */
  typed = starling_composer_dup_text (composer);
  g_assert_cmpstr (typed, ==, "");

  parts = send_and_get_parts (view, "Summarize the notes", 1, &body);
  g_assert_cmpuint (json_array_get_length (parts), ==, 2);
  assert_inline_part (parts, 0, "text/plain", notes, strlen (notes));

  /* An image copied from another app. */
  for (guint i = 0; i < sizeof pixels; i++)
    pixels[i] = (guchar) (i * 13);
  {
    g_autoptr(GBytes) raw = g_bytes_new (pixels, sizeof pixels);

    texture = gdk_memory_texture_new (8, 8, GDK_MEMORY_R8G8B8A8, raw, 32);
  }
  gdk_clipboard_set_texture (gtk_widget_get_clipboard (text_view), texture);
  gtk_widget_grab_focus (text_view);
  g_assert_true (gtk_widget_activate_action (text_view, "clipboard.paste", NULL));
  g_assert_true (starling_test_wait_for (has_attachments, &wait, 5000));
  /* Its chip is a small thumbnail beside the name, whatever the image's size:
   * the message box stays close to the conversation. */
  starling_test_wait_until_drawn (GTK_WIDGET (view));
  {
    GtkWidget *chip = starling_test_find_with_css_class (GTK_WIDGET (composer), "attachment-chip");

    g_assert_nonnull (chip);
    g_assert_cmpint (gtk_widget_get_height (chip), <=, 56);
    g_assert_cmpint (gtk_widget_get_width (chip), <=, 260);
  }

  parts = send_and_get_parts (view, "What is this?", 3, &body2);
  g_assert_cmpuint (json_array_get_length (parts), ==, 2);
  assert_inline_part (parts, 0, "image/png", NULL, 0);
  {
    /* The PNG sent holds the pixels that were copied. */
    JsonObject *inline_data = json_object_get_object_member (json_array_get_object_element (parts, 0), "inlineData");
    gsize length = 0;
    g_autofree guchar *png = g_base64_decode (json_object_get_string_member (inline_data, "data"), &length);
    g_autoptr(GBytes) bytes = g_bytes_new (png, length);
    g_autoptr(GdkTexture) sent = gdk_texture_new_from_bytes (bytes, NULL);
    guchar downloaded[8 * 8 * 4];

    g_assert_nonnull (sent);
    g_assert_cmpint (gdk_texture_get_width (sent), ==, 8);
    gdk_texture_download (sent, downloaded, 32);
    /* (download gives premultiplied BGRA/ARGB32; compare against the same) */
    {
      guchar expected[8 * 8 * 4];

      gdk_texture_download (texture, expected, 32);
      g_assert_cmpmem (downloaded, sizeof downloaded, expected, sizeof expected);
    }
  }
  g_unlink (notes_path);
}

/* Files dropped on the composer (the drop target gets them from the drag). */
/* A file dropped on the conversation, away from the composer (where the
 * empty chat says to drop it), is attached too. */
static void
test_drop_on_conversation (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  StarlingComposer *composer = starling_chat_view_get_composer (view);
  static const char notes[] = "Bring boots.\n";
  g_autofree char *path = write_test_file ("notes.txt", notes, strlen (notes));
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GSList) files = g_slist_prepend (NULL, file);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (view));
  g_autoptr(GPtrArray) attachments = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  GtkDropTarget *target = NULL;
  AttachmentWait wait = { composer, 1 };
  gboolean accepted = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && target == NULL; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        target = GTK_DROP_TARGET (controller);
    }
  g_assert_nonnull (target);

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, files);
  g_signal_emit_by_name (target, "drop", &value, 200.0, 100.0, &accepted);
  g_assert_true (accepted);
  g_assert_true (starling_test_wait_for (has_attachments, &wait, 5000));
  attachments = starling_composer_dup_attachments (composer);
  g_assert_cmpuint (attachments->len, ==, 1);
}

static void
test_drop_attachments (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  StarlingComposer *composer = starling_chat_view_get_composer (view);
  static const char csv[] = "sky,blue\nsunset,red\n";
  static const char pdf[] = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
  g_autofree char *csv_path = write_test_file ("colours.txt", csv, strlen (csv));
  g_autofree char *pdf_path = write_test_file ("report.pdf", pdf, strlen (pdf));
  GFile *dropped[2] = { g_file_new_for_path (csv_path), g_file_new_for_path (pdf_path) };
  g_autoptr(GSList) files = g_slist_prepend (g_slist_prepend (NULL, dropped[1]), dropped[0]);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (composer));
  g_autoptr(JsonObject) body = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  GtkDropTarget *target = NULL;
  AttachmentWait wait = { composer, 2 };
  gboolean accepted = FALSE;
  JsonArray *parts;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && target == NULL; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        target = GTK_DROP_TARGET (controller);
    }
  g_assert_nonnull (target);
  g_assert_true (gdk_content_formats_contain_gtype (gtk_drop_target_get_formats (target), GDK_TYPE_FILE_LIST));

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, files);
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_assert_true (accepted);
  g_assert_true (starling_test_wait_for (has_attachments, &wait, 5000));

  parts = send_and_get_parts (view, "Compare these", 1, &body);
  g_assert_cmpuint (json_array_get_length (parts), ==, 3);
  /* (each file loads on its own: the chips come in the order they are read) */
  {
    JsonObject *first = json_object_get_object_member (json_array_get_object_element (parts, 0), "inlineData");
    gboolean text_first = g_strcmp0 (json_object_get_string_member (first, "mimeType"), "text/plain") == 0;

    assert_inline_part (parts, text_first ? 0 : 1, "text/plain", csv, strlen (csv));
    assert_inline_part (parts, text_first ? 1 : 0, "application/pdf", pdf, strlen (pdf));
  }

  g_object_unref (dropped[0]);
  g_object_unref (dropped[1]);
  g_unlink (csv_path);
  g_unlink (pdf_path);
}

/* The text of every prose block of a Markdown view, with where it is. */
static GtkTextView *
text_view_holding (GtkWidget  *widget,
                   const char *needle,
                   int        *offset)
{
  if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      GtkTextIter start, end;
      g_autofree char *text = NULL;
      const char *found;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
      found = strstr (text, needle);
      if (found != NULL)
        {
          *offset = (int) g_utf8_pointer_to_offset (text, found);
          return GTK_TEXT_VIEW (widget);
        }
      return NULL;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkTextView *found = text_view_holding (child, needle, offset);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
popover_shown (gpointer user_data)
{
  GtkWidget *markdown = user_data;
  GtkWidget *popover = starling_test_find_widget (markdown, STARLING_TYPE_CITATION_POPOVER, NULL);

  return popover != NULL && gtk_widget_get_mapped (popover);
}

/* A grounded answer: each marker sits after the sentence its source
 * supports, and activating one shows that source. */
static void
test_citation_markers (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  StarlingMessage *answer;
  GemResponse *response;
  g_autoptr(GPtrArray) chunks = NULL;
  g_autoptr(GPtrArray) supports = NULL;
  GtkWidget *markdown;
  GtkWidget *popover;
  GtkTextView *text_view;
  GtkTextIter marker;
  g_autofree char *shown = NULL;
  g_autofree char *before = NULL;
  const GemGroundingSupport *first;
  const GemGroundingChunk *chunk;
  GtkTextIter start;
  gboolean handled = FALSE;
  int offset = -1;

  fake_gemini_route (fake, "gemini-2.5-flash", "replay=generative-ai-js/streaming-success-search-grounding.txt");
  type_and_send (view, "What is Google's stock price?");
  wait_for_status (view, 1, STARLING_MESSAGE_COMPLETE);
  answer = message_at (view, 1);
  response = starling_message_get_response (answer);
  chunks = gem_response_get_grounding_chunks (response);
  supports = gem_response_get_grounding_supports (response);
  g_assert_cmpuint (chunks->len, >=, 1);
  g_assert_cmpuint (supports->len, >=, 1);
  first = g_ptr_array_index (supports, 0);
  chunk = g_ptr_array_index (chunks, first->chunk_indices[0]);

  markdown = starling_test_find_widget (row_at (view, 1), STARLING_TYPE_MARKDOWN_VIEW, NULL);
  g_assert_nonnull (markdown);
  starling_test_wait_until_drawn (markdown);

  /* [1] right after the first supported sentence, a link to its source */
  text_view = text_view_holding (markdown, "[1]", &offset);
  g_assert_nonnull (text_view);
  gtk_text_buffer_get_iter_at_offset (gtk_text_view_get_buffer (text_view), &marker, offset + 1);
  g_assert_cmpstr (starling_markdown_view_get_link_at_iter (STARLING_MARKDOWN_VIEW (markdown), &marker), ==,
                   "cite:0");
  gtk_text_buffer_get_start_iter (gtk_text_view_get_buffer (text_view), &start);
  gtk_text_buffer_get_iter_at_offset (gtk_text_view_get_buffer (text_view), &marker, offset);
  before = gtk_text_buffer_get_text (gtk_text_view_get_buffer (text_view), &start, &marker, TRUE);
  g_assert_true (g_str_has_suffix (before, "Alphabet Inc."));
  g_assert_true (g_str_has_suffix (before, first->text));

  /* activated (a click or Enter on it), it shows the source */
  g_signal_emit_by_name (markdown, "activate-link", "cite:0", &handled);
  g_assert_true (handled);
  g_assert_true (starling_test_wait_for (popover_shown, markdown, 5000));
  popover = starling_test_find_widget (markdown, STARLING_TYPE_CITATION_POPOVER, NULL);
  shown = starling_test_collect_text (popover);
  g_test_message ("popover: %s", shown);
  g_assert_nonnull (strstr (shown, "Source 1"));
  g_assert_nonnull (strstr (shown, chunk->title));
  g_assert_nonnull (strstr (shown, first->text));
  g_assert_nonnull (strstr (shown, "69% confident"));   /* 0.689 */
  /* the second sentence is “… is \\$166.79 USD.” in Markdown: quoted as shown */
  g_assert_nonnull (strstr (shown, "“(Google) Class C (GOOG) is $166.79 USD.”"));
  g_assert_null (strstr (shown, "\\$"));
  g_assert_cmpstr (starling_citation_popover_get_uri (STARLING_CITATION_POPOVER (popover)), ==, chunk->uri);
  gtk_popover_popdown (GTK_POPOVER (popover));

  /* a marker of a source the answer does not have says so */
  g_signal_emit_by_name (markdown, "activate-link", "cite:99", &handled);
  g_assert_true (starling_test_wait_for (popover_shown, markdown, 5000));
  g_free (shown);
  shown = starling_test_collect_text (starling_test_find_widget (markdown, STARLING_TYPE_CITATION_POPOVER, NULL));
  g_assert_nonnull (strstr (shown, "not in the answer"));
}

static const StarlingMdLink *
focused_link (GtkWindow *window)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  if (!STARLING_IS_MARKDOWN_TEXT_VIEW (focus))
    return NULL;

  return starling_markdown_text_view_get_focus_link (STARLING_MARKDOWN_TEXT_VIEW (focus));
}

/* Some link of an answer has the keyboard focus (as after a popover closed). */
static gboolean
link_has_focus (gpointer user_data)
{
  return focused_link (user_data) != NULL;
}

static gboolean
range_highlighted (GtkTextBuffer *buffer,
                   int            start,
                   int            end)
{
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "highlight");
  GtkTextIter iter;

  for (int i = start; i < end; i++)
    {
      gtk_text_buffer_get_iter_at_offset (buffer, &iter, i);
      if (!gtk_text_iter_has_tag (&iter, tag))
        return FALSE;
    }

  return TRUE;
}

/* The same marker from the keyboard: Tab onto [1] highlights its sentence
 * and shows its sources, Enter opens them. */
static void
test_citation_marker_keyboard (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  GemResponse *response;
  g_autoptr(GPtrArray) supports = NULL;
  const GemGroundingSupport *first;
  const StarlingMdLink *link = NULL;
  GtkWidget *markdown;
  GtkWidget *popover;
  GtkWidget *tip;
  GtkTextView *text_view;
  GtkTextBuffer *buffer;
  g_autofree char *tip_text = NULL;
  g_autofree char *shown = NULL;
  int offset = -1;
  int sentence;

  /* the grounded model of the fake's demo routes */
  fake_gemini_route (fake, "gemini-2.5-flash-grounded",
                     "replay=generative-ai-js/streaming-success-search-grounding.txt;delay_ms=120");
  starling_conversation_set_model (starling_chat_view_get_conversation (view), "gemini-2.5-flash-grounded");
  type_and_send (view, "What is Google's stock price?");
  wait_for_status (view, 1, STARLING_MESSAGE_COMPLETE);
  response = starling_message_get_response (message_at (view, 1));
  supports = gem_response_get_grounding_supports (response);
  g_assert_cmpuint (supports->len, >=, 1);
  first = g_ptr_array_index (supports, 0);

  markdown = starling_test_find_widget (row_at (view, 1), STARLING_TYPE_MARKDOWN_VIEW, NULL);
  g_assert_nonnull (markdown);
  starling_test_wait_until_drawn (markdown);
  text_view = text_view_holding (markdown, "[1]", &offset);
  g_assert_nonnull (text_view);
  buffer = gtk_text_view_get_buffer (text_view);
  sentence = offset - (int) g_utf8_strlen (first->text, -1);
  g_assert_false (range_highlighted (buffer, sentence, offset));

  /* From the answer's row, Tab until [1] has the focus. */
  gtk_widget_grab_focus (row_at (view, 1));
  for (guint i = 0; i < 40 && (link == NULL || g_strcmp0 (link->uri, "cite:0") != 0); i++)
    {
      g_assert_true (starling_test_send_key_press (GTK_WIDGET (context->window), GDK_KEY_Tab, 0));
      link = focused_link (context->window);
    }
  g_assert_nonnull (link);
  g_assert_cmpstr (link->uri, ==, "cite:0");
  g_assert_true (gtk_root_get_focus (GTK_ROOT (context->window)) == GTK_WIDGET (text_view));
  g_assert_cmpint (link->start, ==, offset);

  /* the sentence it stands for is highlighted, as when hovered, and no more */
  g_assert_true (range_highlighted (buffer, sentence, offset));
  g_assert_false (range_highlighted (buffer, sentence - 1, sentence));

  /* its sources with the model's confidence show beside it */
  tip = starling_test_find_widget (GTK_WIDGET (text_view), GTK_TYPE_POPOVER, NULL);
  g_assert_nonnull (tip);
  g_assert_true (starling_test_wait_for ((gboolean (*) (gpointer)) gtk_widget_get_mapped, tip, 5000));
  tip_text = starling_test_collect_text (tip);
  g_test_message ("beside [1]: %s", tip_text);
  g_assert_nonnull (strstr (tip_text, "[1] "));
  g_assert_nonnull (strstr (tip_text, "69% confident"));

  /* Enter opens the popover with the source */
  g_assert_true (starling_test_send_key_press (GTK_WIDGET (context->window), GDK_KEY_Return, 0));
  g_assert_true (starling_test_wait_for (popover_shown, markdown, 5000));
  g_assert_false (gtk_widget_get_visible (tip));
  popover = starling_test_find_widget (markdown, STARLING_TYPE_CITATION_POPOVER, NULL);
  shown = starling_test_collect_text (popover);
  g_assert_nonnull (strstr (shown, "Source 1"));
  g_assert_nonnull (strstr (shown, first->text));

  /* closed, the focus is back on the marker */
  gtk_popover_popdown (GTK_POPOVER (popover));
  starling_test_wait_for (link_has_focus, context->window, 5000);
  link = focused_link (context->window);
  g_test_message ("focus after the popover: %s",
                  G_OBJECT_TYPE_NAME (gtk_root_get_focus (GTK_ROOT (context->window))));
  g_assert_nonnull (link);
  g_assert_cmpstr (link->uri, ==, "cite:0");

  /* Tab on past the markers, then out of the text */
  for (guint i = 0; i < 40 && focused_link (context->window) != NULL; i++)
    g_assert_true (starling_test_send_key_press (GTK_WIDGET (context->window), GDK_KEY_Tab, 0));
  g_assert_null (focused_link (context->window));
  g_assert_false (range_highlighted (buffer, sentence, offset));
}

static void
test_oversized_attachment_refused (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  StarlingComposer *composer = starling_chat_view_get_composer (view);
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "huge.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GPtrArray) attachments = NULL;
  g_autofree char *shown = NULL;
  FILE *out;

  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  out = fopen (path, "w");
  g_assert_nonnull (out);
  g_assert_cmpint (fseek (out, 21 * 1000 * 1000, SEEK_SET), ==, 0);
  fputc ('x', out);
  fclose (out);

  starling_composer_add_file (composer, file);
  starling_test_iterate (300);
  starling_test_wait_until_drawn (GTK_WIDGET (view));

  attachments = starling_composer_dup_attachments (composer);
  g_assert_cmpuint (attachments->len, ==, 0);
  shown = starling_test_collect_text (GTK_WIDGET (composer));
  g_assert_nonnull (strstr (shown, "larger than 20 MB"));
  g_unlink (path);
}

static void
test_thoughts_section (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  GtkWidget *row;
  GtkExpander *thinking;
  StarlingMessage *answer;

  fake_gemini_route (fake, "gemini-2.5-pro", "replay=googleai/streaming-success-thinking-reply-thought-summary.txt;delay_ms=200");
  starling_conversation_set_model (starling_chat_view_get_conversation (view), "gemini-2.5-pro");
  type_and_send (view, "Why is the sky blue?");
  answer = message_at (view, 1);

  /* While only thoughts have arrived, they show, open, in the Thinking section. */
  while (*starling_message_get_thought_text (answer) == '\0')
    g_main_context_iteration (NULL, TRUE);
  starling_test_wait_until_drawn (GTK_WIDGET (view));
  row = row_at (view, 1);
  thinking = GTK_EXPANDER (starling_test_find_widget (row, GTK_TYPE_EXPANDER, NULL));
  g_assert_nonnull (thinking);
  if (*starling_message_get_text (answer) == '\0')
    {
      g_autofree char *thoughts = NULL;

      g_assert_true (gtk_expander_get_expanded (thinking));
      /* Formatted as they stream: the step's bold title without its asterisks. */
      while (*starling_message_get_text (answer) == '\0' &&
             strstr ((thoughts = starling_test_collect_text (gtk_expander_get_child (thinking))), "Exploring Sky Color") == NULL)
        {
          g_clear_pointer (&thoughts, g_free);
          g_main_context_iteration (NULL, TRUE);
        }
      if (thoughts != NULL && strstr (thoughts, "Exploring Sky Color") != NULL)
        g_assert_null (strstr (thoughts, "**"));
    }

  wait_for_status (view, 1, STARLING_MESSAGE_COMPLETE);
  g_assert_false (gtk_expander_get_expanded (thinking));
  {
    g_autofree char *label = starling_test_collect_text (gtk_expander_get_label_widget (thinking));

    g_assert_nonnull (strstr (label, "Thoughts ("));
    g_assert_nonnull (strstr (label, "tokens)"));
  }
  g_assert_nonnull (strstr (starling_message_get_thought_text (answer), "Exploring Sky Color"));
  {
    g_autofree char *thoughts = NULL;

    /* Opened after the answer: every step of the thoughts, formatted. */
    gtk_expander_set_expanded (thinking, TRUE);
    starling_test_iterate (200);
    thoughts = starling_test_collect_text (gtk_expander_get_child (thinking));
    g_assert_nonnull (strstr (thoughts, "Exploring Sky Color"));
    g_assert_nonnull (strstr (thoughts, "Refining the Explanation"));
    g_assert_null (strstr (thoughts, "**"));
    gtk_expander_set_expanded (thinking, FALSE);
    starling_test_iterate (100);
  }
  {
    g_autofree char *shown = row_text (view, 1);

    /* Thoughts are not part of the answer text. */
    g_assert_null (strstr (starling_message_get_text (answer), "Exploring Sky Color"));
    g_assert_null (strstr (shown, "I've zeroed in"));
  }
}

static gboolean
at_bottom (StarlingChatView *view)
{
  GtkScrolledWindow *scroller = GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (starling_chat_view_get_list (view)),
                                                                              GTK_TYPE_SCROLLED_WINDOW));
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (scroller);

  GtkListBox *list = starling_chat_view_get_list (view);
  GtkWidget *last = NULL;
  graphene_point_t end;
  int n = 0;

  if (gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj) < gtk_adjustment_get_upper (adj) - 2)
    {
      g_test_message ("not at the end: value %g, page %g, upper %g", gtk_adjustment_get_value (adj),
                      gtk_adjustment_get_page_size (adj), gtk_adjustment_get_upper (adj));
      return FALSE;
    }

  /* And what is drawn is what the scroll bar says: the last message ends
   * at the bottom of the view, not somewhere below it. */
  while (gtk_list_box_get_row_at_index (list, n) != NULL)
    last = GTK_WIDGET (gtk_list_box_get_row_at_index (list, n++));
  if (last == NULL)
    return TRUE;
  if (!gtk_widget_compute_point (last, GTK_WIDGET (scroller),
                                 &GRAPHENE_POINT_INIT (0, gtk_widget_get_height (last)), &end))
    return FALSE;

  if (end.y > gtk_widget_get_height (GTK_WIDGET (scroller)) + 1 ||
      end.y < gtk_widget_get_height (GTK_WIDGET (scroller)) - 64)
    {
      g_test_message ("the last message ends at %g in a view %d high (value %g, page %g, upper %g,"
                      " list %d high, last row %d high)", end.y,
                      gtk_widget_get_height (GTK_WIDGET (scroller)), gtk_adjustment_get_value (adj),
                      gtk_adjustment_get_page_size (adj), gtk_adjustment_get_upper (adj),
                      gtk_widget_get_height (GTK_WIDGET (list)), gtk_widget_get_height (last));
      return FALSE;
    }
  return TRUE;
}

static GtkAdjustment *
chat_adjustment (StarlingChatView *view)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (starling_chat_view_get_list (view)), GTK_TYPE_SCROLLED_WINDOW);

  return gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
}

/* The answer is taller than the page and the view shows its end. */
static gboolean
overflows_at_bottom (gpointer user_data)
{
  StarlingChatView *view = user_data;
  GtkAdjustment *adj = chat_adjustment (view);

  return gtk_adjustment_get_upper (adj) > gtk_adjustment_get_page_size (adj) && at_bottom (view);
}

static void count_layout_cb (guint *layouts);

static void
test_sticks_to_bottom (StarlingTestContext *context)
{
  StarlingChatView *view = open_chat (context);
  g_autofree char *path = g_build_filename (g_getenv ("STARLING_BENCH_DIR"), "answer-100k.md", NULL);
  g_autofree char *markdown = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *route = NULL;
  GtkAdjustment *adj = chat_adjustment (view);
  StarlingMessage *answer;

  g_assert_true (g_file_get_contents (path, &markdown, NULL, NULL));
  markdown[6000] = '\0';
  escaped = fake_gemini_escape_value (markdown);
  route = g_strdup_printf ("text=%s;delay_ms=10", escaped);
  fake_gemini_route (fake, "gemini-2.5-flash", route);

  type_and_send (view, "A long answer, please");
  wait_for_status (view, 1, STARLING_MESSAGE_COMPLETE);
  /* On a loaded machine the last frames of the answer come a little later. */
  starling_test_wait_for (overflows_at_bottom, view, 5000);

  /* Streaming followed the answer down to its last line. */
  g_assert_cmpfloat (gtk_adjustment_get_upper (adj), >, gtk_adjustment_get_page_size (adj));
  g_assert_true (at_bottom (view));
  g_assert_true (starling_chat_view_get_sticky (view));

  /* Also when the finished answer is rendered again with its citation markers. */
  fake_gemini_route (fake, "gemini-2.5-flash", "replay=googleai/streaming-success-citations.txt;delay_ms=20");
  type_and_send (view, "With sources");
  wait_for_status (view, 3, STARLING_MESSAGE_COMPLETE);
  starling_test_iterate (300);
  starling_test_wait_until_drawn (GTK_WIDGET (view));
  g_assert_true (at_bottom (view));

  /* Scrolled up, the view stays put while a new answer streams, and offers a way back. */
  fake_gemini_route (fake, "gemini-2.5-flash", route);
  type_and_send (view, "Again");
  starling_test_iterate (150);
  gtk_adjustment_set_value (adj, 0);
  answer = message_at (view, 5);
  while (starling_message_get_status (answer) == STARLING_MESSAGE_STREAMING)
    g_main_context_iteration (NULL, TRUE);
  starling_test_iterate (200);
  g_assert_false (starling_chat_view_get_sticky (view));
  g_assert_cmpfloat (gtk_adjustment_get_value (adj), <, 50);
  {
    GtkWidget *jump = starling_test_find_widget (GTK_WIDGET (view), GTK_TYPE_REVEALER, NULL);

    g_assert_nonnull (jump);
    g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (jump)));
  }

  gtk_widget_activate_action (GTK_WIDGET (view), "chat.jump-to-latest", NULL);
  /* Two frames drawn, however slow the machine: a redraw alone does not
   * place the list again, so a list left where it was still shows here. */
  starling_test_iterate (100);
  starling_test_wait_until_drawn (GTK_WIDGET (view));
  g_assert_true (at_bottom (view));

  /* At rest, nothing is laid out again, whatever the scroll value: a wheel
   * step leaves it a fraction of a pixel off a whole one. */
  gtk_adjustment_set_value (adj, floor (gtk_adjustment_get_value (adj) / 2) + 0.6);
  starling_test_iterate (400);
  {
    GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (view));
    guint layouts = 0;
    gulong handler = g_signal_connect_swapped (clock, "layout", G_CALLBACK (count_layout_cb), &layouts);

    starling_test_iterate (500);
    g_signal_handler_disconnect (clock, handler);
    g_assert_cmpuint (layouts, <=, 2);
  }
}

static void
count_layout_cb (guint *layouts)
{
  (*layouts)++;
}

static void
run_test (gconstpointer body)
{
  starling_test_run_in_app ((StarlingTestBody) body, NULL);
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

  g_test_add_data_func ("/chat/send-streams-answer", (gconstpointer) test_send_streams_answer, run_test);
  g_test_add_data_func ("/chat/stop-keeps-partial", (gconstpointer) test_stop_keeps_partial, run_test);
  g_test_add_data_func ("/chat/error-row-and-retry", (gconstpointer) test_error_row_and_retry, run_test);
  g_test_add_data_func ("/chat/retry-notice", (gconstpointer) test_retry_notice, run_test);
  g_test_add_data_func ("/chat/waiting-indicator", (gconstpointer) test_waiting_indicator, run_test);
  g_test_add_data_func ("/chat/empty-chat-greeting", (gconstpointer) test_empty_chat_greeting, run_test);
  g_test_add_data_func ("/chat/settings-open-upwards", (gconstpointer) test_settings_open_upwards, run_test);
  g_test_add_data_func ("/chat/up-edits-last-prompt", (gconstpointer) test_up_edits_last_prompt, run_test);
  g_test_add_data_func ("/chat/regenerate-keeps-both", (gconstpointer) test_regenerate_keeps_both, run_test);
  g_test_add_data_func ("/chat/edit-and-resend", (gconstpointer) test_edit_and_resend_branches, run_test);
  g_test_add_data_func ("/chat/delete-pair", (gconstpointer) test_delete_pair, run_test);
  g_test_add_data_func ("/chat/attachment-inline", (gconstpointer) test_attachment_sent_inline, run_test);
  g_test_add_data_func ("/chat/paste-attachments", (gconstpointer) test_paste_attachments, run_test);
  g_test_add_data_func ("/chat/drop-attachments", (gconstpointer) test_drop_attachments, run_test);
  g_test_add_data_func ("/chat/drop-on-conversation", (gconstpointer) test_drop_on_conversation, run_test);
  g_test_add_data_func ("/chat/citation-markers", (gconstpointer) test_citation_markers, run_test);
  g_test_add_data_func ("/chat/citation-markers/keyboard", (gconstpointer) test_citation_marker_keyboard, run_test);
  g_test_add_data_func ("/chat/oversized-attachment", (gconstpointer) test_oversized_attachment_refused, run_test);
  g_test_add_data_func ("/chat/thoughts", (gconstpointer) test_thoughts_section, run_test);
  g_test_add_data_func ("/chat/sticks-to-bottom", (gconstpointer) test_sticks_to_bottom, run_test);

  status = g_test_run ();
  g_clear_object (&fake);
  return status;
}

/* test-images.c: images in answers: shown, edited over turns, saved, and bad ones survived
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "fake-gemini.h"
#include "starling-chat-view.h"
#include "starling-image-viewer.h"
#include "starling-markdown-view.h"
#include "starling-message-row.h"
#include "starling-test-ui.h"

static FakeGemini *fake;

static GBytes *
make_png (int width,
          int height)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr(GdkTexture) texture = NULL;

  gdk_pixbuf_fill (pixbuf, 0x3366ccff);
  texture = gdk_texture_new_for_pixbuf (pixbuf);
  return gdk_texture_save_to_png_bytes (texture);
}

static GBytes *
make_jpeg (void)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 8, 8);
  g_autofree char *data = NULL;
  gsize size = 0;

  gdk_pixbuf_fill (pixbuf, 0xcc3366ff);
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &data, &size, "jpeg", NULL, NULL));
  return g_bytes_new (data, size);
}

typedef struct
{
  StarlingChatView *view;
  guint             index;
} Wait;

static gboolean
answer_complete (gpointer user_data)
{
  Wait *wait = user_data;
  GListModel *messages = starling_conversation_get_messages (starling_chat_view_get_conversation (wait->view));
  g_autoptr(StarlingMessage) message = NULL;

  if (g_list_model_get_n_items (messages) <= wait->index)
    return FALSE;
  message = g_list_model_get_item (messages, wait->index);
  return starling_message_get_status (message) != STARLING_MESSAGE_STREAMING;
}

static guint
count_pictures (GtkWidget *widget)
{
  guint n = GTK_IS_PICTURE (widget) && gtk_widget_get_visible (widget) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    n += count_pictures (child);

  return n;
}

typedef struct
{
  GtkWidget *widget;
  guint      n;
} PictureWait;

static gboolean
has_pictures (gpointer user_data)
{
  PictureWait *wait = user_data;

  return count_pictures (wait->widget) >= wait->n;
}

/* Every block of both answers is allocated the height it measures. */
static gboolean
answers_laid_out (gpointer user_data)
{
  StarlingChatView *view = user_data;

  for (guint i = 1; i <= 3; i += 2)
    {
      GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (starling_chat_view_get_list (view), i));
      GtkWidget *markdown = starling_test_find_widget (row, STARLING_TYPE_MARKDOWN_VIEW, NULL);

      for (GtkWidget *child = gtk_widget_get_first_child (markdown); child != NULL; child = gtk_widget_get_next_sibling (child))
        {
          int height;

          gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (child), &height, NULL, NULL, NULL);
          if (gtk_widget_get_height (child) != height)
            return FALSE;
        }
      if (gtk_widget_get_height (markdown) == 0)
        return FALSE;
    }

  return TRUE;
}

static GtkWidget *
shown_viewer (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (STARLING_IS_IMAGE_VIEWER (window) && gtk_widget_get_mapped (window))
        return window;
    }
  return NULL;
}

static gboolean
viewer_shown (gpointer user_data)
{
  return shown_viewer () != NULL;
}

static gboolean
menu_shown (gpointer user_data)
{
  GtkWidget *popover = starling_test_find_widget (user_data, GTK_TYPE_POPOVER_MENU, NULL);

  return popover != NULL && gtk_widget_get_mapped (popover);
}

/* The image in an answer, from the keyboard: it takes the focus, Enter
 * opens it, Shift+F10 gives its menu (save, copy). */
static void
check_image_keyboard (StarlingTestContext *context,
                      GtkWidget           *row)
{
  GtkWidget *button = starling_test_find_with_css_class (row, "message-image");
  GtkWidget *popover;
  g_autofree char *items = NULL;

  g_assert_nonnull (button);
  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_true (gtk_widget_grab_focus (button));
  g_assert_true (gtk_widget_has_focus (button));

  g_assert_true (gtk_widget_activate (button));
  g_assert_true (starling_test_wait_for (viewer_shown, NULL, 5000));
  gtk_window_destroy (GTK_WINDOW (shown_viewer ()));

  gtk_widget_grab_focus (button);
  g_assert_true (starling_test_send_key_press (GTK_WIDGET (context->window), GDK_KEY_F10, GDK_SHIFT_MASK));
  g_assert_true (starling_test_wait_for (menu_shown, button, 5000));
  popover = starling_test_find_widget (button, GTK_TYPE_POPOVER_MENU, NULL);
  items = starling_test_collect_text (popover);
  g_test_message ("the image's menu: %s", items);
  g_assert_nonnull (strstr (items, "Save Image…"));
  g_assert_nonnull (strstr (items, "Copy Image"));
  gtk_popover_popdown (GTK_POPOVER (popover));
}

static void
check_multi_turn_editing (StarlingTestContext *context)
{
  StarlingChatView *view;
  StarlingComposer *composer;
  StarlingConversation *conversation;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(StarlingMessage) first_answer = NULL;
  g_autoptr(StarlingMessage) second_answer = NULL;
  JsonArray *contents, *model_parts, *first_parts;
  JsonObject *image_part = NULL;
  Wait wait;
  PictureWait pictures;

  gtk_widget_activate_action (GTK_WIDGET (context->window), "win.new-chat", NULL);
  view = STARLING_CHAT_VIEW (starling_test_find_widget (GTK_WIDGET (context->window), STARLING_TYPE_CHAT_VIEW, NULL));
  composer = starling_chat_view_get_composer (view);
  conversation = starling_chat_view_get_conversation (view);
  starling_conversation_set_model (conversation, "gemini-3-pro-image-preview");
  fake_gemini_route (fake, "gemini-3-pro-image-preview", "image_model=1");
  fake_gemini_clear_requests (fake);

  starling_composer_set_text (composer, "Draw a lighthouse at dusk");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  wait = (Wait) { view, 1 };
  g_assert_true (starling_test_wait_for (answer_complete, &wait, 10000));
  first_answer = g_list_model_get_item (starling_conversation_get_messages (conversation), 1);
  g_assert_cmpint (starling_message_get_status (first_answer), ==, STARLING_MESSAGE_COMPLETE);
  g_assert_cmpuint (gem_response_get_image_count (starling_message_get_response (first_answer)), ==, 1);

  /* The image shows inline, decoded off the main thread. */
  pictures = (PictureWait) { GTK_WIDGET (gtk_list_box_get_row_at_index (starling_chat_view_get_list (view), 1)), 1 };
  g_assert_true (starling_test_wait_for (has_pictures, &pictures, 10000));
  check_image_keyboard (context, pictures.widget);

  starling_composer_set_text (composer, "Make the sky purple");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  wait = (Wait) { view, 3 };
  g_assert_true (starling_test_wait_for (answer_complete, &wait, 10000));
  second_answer = g_list_model_get_item (starling_conversation_get_messages (conversation), 3);

  /* The fake rejects a follow-up whose earlier image lost its signature: this one passed. */
  g_assert_cmpint (starling_message_get_status (second_answer), ==, STARLING_MESSAGE_COMPLETE);
  g_assert_nonnull (strstr (starling_message_get_text (second_answer), "edited"));
  pictures = (PictureWait) { GTK_WIDGET (gtk_list_box_get_row_at_index (starling_chat_view_get_list (view), 3)), 1 };
  g_assert_true (starling_test_wait_for (has_pictures, &pictures, 10000));
  /* Both answers show their text, as tall as it is. */
  g_assert_true (starling_test_wait_for (answers_laid_out, view, 5000));
  for (guint i = 1; i <= 3; i += 2)
    {
      GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (starling_chat_view_get_list (view), i));
      GtkWidget *markdown = starling_test_find_widget (row, STARLING_TYPE_MARKDOWN_VIEW, NULL);
      g_autofree char *shown = starling_markdown_view_dup_visible_text (STARLING_MARKDOWN_VIEW (markdown));
      int height;

      g_assert_nonnull (strstr (shown, "Here is your image"));
      g_assert_cmpint (gtk_widget_get_height (markdown), >, 0);
      for (GtkWidget *child = gtk_widget_get_first_child (markdown); child != NULL; child = gtk_widget_get_next_sibling (child))
        {
          gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (child), &height, NULL, NULL, NULL);
          g_assert_cmpint (gtk_widget_get_height (child), ==, height);
        }
    }
  starling_test_save_screenshot (GTK_WIDGET (context->window), "screenshot-image-answers.png");

  requests = fake_gemini_dup_requests (fake);
  g_assert_cmpuint (requests->len, ==, 2);
  second = fake_gemini_request_dup_json (g_ptr_array_index (requests, 1));
  contents = json_object_get_array_member (json_node_get_object (second), "contents");
  g_assert_cmpuint (json_array_get_length (contents), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (contents, 1), "role"), ==, "model");
  model_parts = json_object_get_array_member (json_array_get_object_element (contents, 1), "parts");
  first_parts = gem_response_get_parts (starling_message_get_response (first_answer));
  g_assert_cmpuint (json_array_get_length (model_parts), ==, json_array_get_length (first_parts));
  for (guint i = 0; i < json_array_get_length (model_parts); i++)
    {
      g_autofree char *sent = json_to_string (json_array_get_element (model_parts, i), FALSE);
      g_autofree char *received = json_to_string (json_array_get_element (first_parts, i), FALSE);

      /* Byte for byte what the model sent, signature and image included. */
      g_assert_cmpstr (sent, ==, received);
      if (json_object_has_member (json_array_get_object_element (model_parts, i), "inlineData"))
        image_part = json_array_get_object_element (model_parts, i);
    }
  g_assert_nonnull (image_part);
  g_assert_true (json_object_has_member (image_part, "thoughtSignature"));
}

static void
test_multi_turn_editing (void)
{
  starling_test_run_in_app (check_multi_turn_editing, NULL);
}

static void
test_save_keeps_bytes_and_type (void)
{
  g_autoptr(GBytes) jpeg = make_jpeg ();
  g_autoptr(StarlingImage) image = starling_image_new (jpeg, "image/png", NULL);
  g_autoptr(GDateTime) when = g_date_time_new_utc (2026, 11, 25, 10, 0, 0);
  g_autofree char *mime = starling_image_sniff_mime_type (jpeg);
  g_autofree char *name = starling_image_suggest_name ("Sky: at dusk?", when, 2, mime);
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;
  gsize size = 0;

  /* The part said PNG; the bytes are JPEG, and the file says so. */
  g_assert_cmpstr (mime, ==, "image/jpeg");
  g_assert_cmpstr (name, ==, "Sky at dusk 2026-11-25 2.jpg");
  g_assert_cmpstr (starling_image_extension_for_mime ("image/webp"), ==, "webp");
  g_assert_cmpstr (starling_image_extension_for_mime ("image/png"), ==, "png");

  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  g_assert_true (starling_image_write_file (image, file, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &written, &size, NULL));
  g_assert_cmpmem (written, size, g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg));
  g_unlink (path);
}

/* A PNG whose header claims 20000×20000 pixels, with a tiny body. */
static GBytes *
make_huge_claim_png (void)
{
  g_autoptr(GBytes) small = make_png (4, 4);
  gsize size = g_bytes_get_size (small);
  guchar *data = g_memdup2 (g_bytes_get_data (small, NULL), size);
  guint32 dim = GUINT32_TO_BE (20000);

  memcpy (data + 16, &dim, 4);
  memcpy (data + 20, &dim, 4);
  return g_bytes_new_take (data, size);
}

static void
check_bad_images (StarlingTestContext *context)
{
  g_autoptr(GBytes) good = make_png (32, 32);
  g_autoptr(GBytes) huge = make_huge_claim_png ();
  g_autoptr(StarlingConversation) conversation = NULL;
  g_autoptr(StarlingMessage) answer = starling_message_new_model ();
  g_autoptr(GemResponse) response = gem_response_new ();
  g_autofree char *good_b64 = g_base64_encode (g_bytes_get_data (good, NULL), g_bytes_get_size (good));
  g_autofree char *truncated_b64 = g_base64_encode (g_bytes_get_data (good, NULL), g_bytes_get_size (good) / 2);
  g_autofree char *huge_b64 = g_base64_encode (g_bytes_get_data (huge, NULL), g_bytes_get_size (huge));
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window, *row;
  g_autofree char *shown = NULL;
  PictureWait pictures;
  gint64 start;

  json = g_strdup_printf ("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":["
                          "{\"text\":\"Four pictures.\"},"
                          "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"%s\"}},"
                          "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"@@not base64!!\"}},"
                          "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"%s\"}},"
                          "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"%s\"}},"
                          "{\"inlineData\":{\"mimeType\":\"image/jpeg\",\"data\":\"%s\"}}"
                          "]},\"finishReason\":\"STOP\"}]}",
                          good_b64, truncated_b64, huge_b64, good_b64);
  g_assert_true (gem_response_merge_event (response, json, strlen (json), &error));
  g_assert_no_error (error);

  conversation = starling_conversation_new (starling_application_get_client (context->app), "gemini-2.5-flash-image");
  starling_message_update_response (answer, response);
  starling_message_set_status (answer, STARLING_MESSAGE_COMPLETE);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 900);
  row = starling_message_row_new (answer, conversation);
  {
    GtkWidget *list = gtk_list_box_new ();
    GtkWidget *scroller = gtk_scrolled_window_new ();

    gtk_list_box_append (GTK_LIST_BOX (list), row);
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
    gtk_window_set_child (GTK_WINDOW (window), scroller);
  }

  /* The window keeps drawing while the images decode elsewhere. */
  start = g_get_monotonic_time ();
  gtk_window_present (GTK_WINDOW (window));
  starling_test_wait_until_drawn (window);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);

  /* The good PNG and the JPEG labelled as PNG show; the others say why they can't. */
  pictures = (PictureWait) { row, 2 };
  g_assert_true (starling_test_wait_for (has_pictures, &pictures, 10000));
  starling_test_iterate (500);
  shown = starling_test_collect_text (row);
  g_assert_nonnull (strstr (shown, "Four pictures."));
  g_assert_nonnull (strstr (shown, "This image could not be shown"));
  g_assert_cmpuint (count_pictures (row), >=, 2);
  g_assert_cmpuint (count_pictures (row), <=, 3);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_bad_images (void)
{
  starling_test_run_in_app (check_bad_images, NULL);
}

static void
check_viewer (StarlingTestContext *context)
{
  g_autoptr(GListStore) images = g_list_store_new (STARLING_TYPE_IMAGE);
  g_autoptr(GBytes) a = make_png (640, 480);
  g_autoptr(GBytes) b = make_png (100, 300);
  g_autoptr(StarlingImage) first = starling_image_new (a, "image/png", "first");
  g_autoptr(StarlingImage) second = starling_image_new (b, "image/png", "second");
  StarlingImageViewer *viewer;

  g_list_store_append (images, first);
  g_list_store_append (images, second);
  viewer = starling_image_viewer_new (G_LIST_MODEL (images), 0, "Test");
  gtk_window_present (GTK_WINDOW (viewer));
  starling_test_wait_until_drawn (GTK_WIDGET (viewer));
  starling_test_iterate (300);

  g_assert_true (starling_image_viewer_get_fit (viewer));
  gtk_widget_activate_action (GTK_WIDGET (viewer), "viewer.zoom-original", NULL);
  g_assert_false (starling_image_viewer_get_fit (viewer));
  g_assert_cmpfloat (starling_image_viewer_get_zoom (viewer), ==, 1.0);
  gtk_widget_activate_action (GTK_WIDGET (viewer), "viewer.zoom-in", NULL);
  g_assert_cmpfloat (starling_image_viewer_get_zoom (viewer), >, 1.0);
  gtk_widget_activate_action (GTK_WIDGET (viewer), "viewer.zoom-fit", NULL);
  g_assert_true (starling_image_viewer_get_fit (viewer));

  gtk_widget_activate_action (GTK_WIDGET (viewer), "viewer.next", NULL);
  g_assert_cmpuint (starling_image_viewer_get_position (viewer), ==, 1);
  gtk_widget_activate_action (GTK_WIDGET (viewer), "viewer.next", NULL);
  g_assert_cmpuint (starling_image_viewer_get_position (viewer), ==, 1);
  gtk_widget_activate_action (GTK_WIDGET (viewer), "viewer.previous", NULL);
  g_assert_cmpuint (starling_image_viewer_get_position (viewer), ==, 0);

  gtk_window_destroy (GTK_WINDOW (viewer));
}

static void
test_viewer (void)
{
  starling_test_run_in_app (check_viewer, NULL);
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

  g_test_add_func ("/images/multi-turn-editing", test_multi_turn_editing);
  g_test_add_func ("/images/save-keeps-bytes-and-type", test_save_keeps_bytes_and_type);
  g_test_add_func ("/images/bad-images", test_bad_images);
  g_test_add_func ("/images/viewer", test_viewer);

  status = g_test_run ();
  g_clear_object (&fake);
  return status;
}

/* test-gallery.c: the image gallery lists every image of the history with its prompt
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "fake-gemini.h"
#include "starling-chat-view.h"
#include "starling-gallery.h"
#include "starling-gallery-cell.h"
#include "starling-gallery-item.h"
#include "starling-image-viewer.h"
#include "starling-test-ui.h"

static FakeGemini *fake;

static GBytes *
make_png (int     width,
          int     height,
          guint32 rgba)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr(GdkTexture) texture = NULL;

  gdk_pixbuf_fill (pixbuf, rgba);
  texture = gdk_texture_new_for_pixbuf (pixbuf);
  return gdk_texture_save_to_png_bytes (texture);
}

static char *
image_part (const char *mime_type,
            GBytes     *bytes)
{
  g_autofree char *b64 = g_base64_encode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  return g_strdup_printf ("{\"inlineData\":{\"mimeType\":\"%s\",\"data\":\"%s\"}}", mime_type, b64);
}

static gint64
append (StarlingStore     *store,
        gint64             conversation_id,
        gint64             parent_id,
        StarlingStoreRole  role,
        const char        *parts)
{
  g_autoptr(GError) error = NULL;
  gint64 id = starling_store_append_message (store, conversation_id, parent_id, role, parts,
                                             STARLING_STORE_STATUS_COMPLETE, &error);

  g_assert_no_error (error);
  return id;
}

static StarlingGallery *
find_gallery (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (STARLING_IS_GALLERY (window))
        return STARLING_GALLERY (window);
    }

  return NULL;
}

static StarlingImageViewer *
find_viewer (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (STARLING_IS_IMAGE_VIEWER (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return STARLING_IMAGE_VIEWER (window);
    }

  return NULL;
}

static gboolean
gallery_loaded (gpointer user_data)
{
  return starling_gallery_is_loaded (user_data);
}

static gboolean
thumbnails_ready (gpointer user_data)
{
  GListModel *items = starling_gallery_get_items (user_data);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(StarlingGalleryItem) item = g_list_model_get_item (items, i);

      if (starling_gallery_item_get_paintable (item) == NULL)
        return FALSE;
    }

  return TRUE;
}

static StarlingGallery *
open_gallery (StarlingTestContext *context)
{
  StarlingGallery *gallery;

  /* as the menu item and Ctrl+Shift+G do */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (context->window), "win.gallery", NULL));
  gallery = find_gallery ();
  g_assert_nonnull (gallery);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (gallery)) == context->window);
  g_assert_true (starling_test_wait_for (gallery_loaded, gallery, 10000));
  starling_test_wait_until_drawn (GTK_WIDGET (gallery));

  return gallery;
}

static void
collect_cells (GtkWidget *widget,
               GPtrArray *cells)
{
  if (STARLING_IS_GALLERY_CELL (widget) && gtk_widget_get_mapped (widget))
    {
      g_ptr_array_add (cells, widget);
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_cells (child, cells);
}

static void
check_empty (StarlingTestContext *context)
{
  StarlingGallery *gallery = open_gallery (context);
  GtkWidget *page;

  g_assert_cmpuint (g_list_model_get_n_items (starling_gallery_get_items (gallery)), ==, 0);
  page = starling_test_find_visible_status_page (GTK_WIDGET (gallery));
  g_assert_nonnull (page);
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (page)), ==, "No Images Yet");
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (page)), "prompt"));
  g_assert_null (starling_test_find_widget (GTK_WIDGET (gallery), STARLING_TYPE_GALLERY_CELL, NULL));

  gtk_window_destroy (GTK_WINDOW (gallery));
}

static void
test_empty (void)
{
  starling_test_run_in_app (check_empty, NULL);
}

typedef struct
{
  StarlingChatView *view;
} Wait;

static gboolean
answer_complete (gpointer user_data)
{
  Wait *wait = user_data;
  GListModel *messages = starling_conversation_get_messages (starling_chat_view_get_conversation (wait->view));
  g_autoptr(StarlingMessage) message = NULL;

  if (g_list_model_get_n_items (messages) < 2)
    return FALSE;
  message = g_list_model_get_item (messages, 1);
  return starling_message_get_status (message) != STARLING_MESSAGE_STREAMING &&
         starling_message_get_id (message) != 0;
}

static gboolean
viewer_shows_picture (gpointer user_data)
{
  StarlingImageViewer *viewer = find_viewer ();
  GtkWidget *picture = viewer != NULL ? starling_test_find_widget (GTK_WIDGET (viewer), GTK_TYPE_PICTURE, NULL) : NULL;

  return picture != NULL && gtk_picture_get_paintable (GTK_PICTURE (picture)) != NULL;
}

static void
read_texture_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GdkTexture **texture = user_data;

  *texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (object), result, NULL);
  g_assert_nonnull (*texture);
}

static gboolean
clipboard_has_texture (gpointer user_data)
{
  GdkContentFormats *formats = gdk_clipboard_get_formats (user_data);

  return gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE);
}

static void
check_gallery (StarlingTestContext *context)
{
  StarlingStore *store = starling_application_get_store (context->app);
  g_autoptr(GBytes) wide = make_png (640, 480, 0x3366ccff);
  g_autoptr(GBytes) small = make_png (16, 12, 0xcc3366ff);
  g_autoptr(GBytes) sent = make_png (40, 30, 0x33cc66ff);
  g_autofree char *wide_part = image_part ("image/png", wide);
  g_autofree char *small_part = image_part ("image/png", small);
  g_autofree char *sent_part = image_part ("image/png", sent);
  g_autofree char *parts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();
  g_autofree char *shown = NULL;
  const char *prompts[] = {
    "Draw a fox in the snow",
    "Paint the lighthouse at night",
    "Paint the lighthouse at night",
    "Make it look like this",
  };
  const char *titles[] = { NULL, "Lighthouse", "Lighthouse", "Lighthouse" };
  StarlingGallery *gallery;
  StarlingImageViewer *viewer;
  StarlingChatView *view;
  StarlingComposer *composer;
  GListModel *items;
  GtkWidget *grid, *picture;
  GdkPaintable *paintable;
  const char *text_at;
  gint64 chat, prompt, answer;
  Wait wait;

  g_assert_nonnull (store);

  /* "Lighthouse", from the history: the user's picture, then an answer with two images */
  chat = starling_store_create_conversation (store, "Lighthouse", "gemini-2.5-flash-image", NULL, &error);
  g_assert_no_error (error);
  parts = g_strdup_printf ("[{\"text\":\"Make it look like this\"},%s]", sent_part);
  prompt = append (store, chat, 0, STARLING_STORE_ROLE_USER, parts);
  g_clear_pointer (&parts, g_free);
  answer = append (store, chat, prompt, STARLING_STORE_ROLE_MODEL, "[{\"text\":\"Sure.\"}]");
  prompt = append (store, chat, answer, STARLING_STORE_ROLE_USER, "[{\"text\":\"Paint the lighthouse\\nat night\"}]");
  parts = g_strdup_printf ("[{\"text\":\"Two versions.\"},%s,%s]", wide_part, small_part);
  append (store, chat, prompt, STARLING_STORE_ROLE_MODEL, parts);

  /* a fox, drawn now by the image model in a new chat */
  gtk_widget_activate_action (GTK_WIDGET (context->window), "win.new-chat", NULL);
  view = STARLING_CHAT_VIEW (starling_test_find_widget (GTK_WIDGET (context->window), STARLING_TYPE_CHAT_VIEW, NULL));
  composer = starling_chat_view_get_composer (view);
  starling_conversation_set_model (starling_chat_view_get_conversation (view), "gemini-2.5-flash-image");
  fake_gemini_route (fake, "gemini-2.5-flash-image", "image_model=1");
  starling_composer_set_text (composer, "Draw a fox in the snow");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  wait = (Wait) { view };
  g_assert_true (starling_test_wait_for (answer_complete, &wait, 10000));
  titles[0] = starling_conversation_get_title (starling_chat_view_get_conversation (view));

  gallery = open_gallery (context);
  items = starling_gallery_get_items (gallery);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 4);
  g_assert_true (starling_test_wait_for (thumbnails_ready, gallery, 10000));
  starling_test_iterate (300);

  /* newest first, each with the prompt that made it */
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(StarlingGalleryItem) item = g_list_model_get_item (items, i);
      StarlingStoredImage *stored = starling_gallery_item_get_stored (item);

      g_assert_cmpstr (starling_gallery_item_get_prompt (item), ==, prompts[i]);
      g_assert_cmpstr (starling_gallery_item_get_title (item), ==, titles[i]);
      g_assert_cmpstr (starling_stored_image_get_mime_type (stored), ==, "image/png");
    }

  /* what the user sees: a thumbnail per image, the prompt and the chat under it, in order */
  grid = starling_test_find_widget (GTK_WIDGET (gallery), GTK_TYPE_GRID_VIEW, NULL);
  g_assert_nonnull (grid);
  collect_cells (grid, cells);
  g_assert_cmpuint (cells->len, ==, 4);
  shown = starling_test_collect_text (grid);
  text_at = shown;
  for (guint i = 0; i < 4; i++)
    {
      StarlingGalleryCell *cell = g_ptr_array_index (cells, i);
      g_autoptr(StarlingGalleryItem) item = g_list_model_get_item (items, i);
      GtkWidget *thumbnail = starling_test_find_widget (GTK_WIDGET (cell), GTK_TYPE_PICTURE, NULL);

      g_assert_true (starling_gallery_cell_get_item (cell) == item);
      text_at = strstr (text_at, prompts[i]);
      g_assert_nonnull (text_at);
      text_at = strstr (text_at, titles[i]);
      g_assert_nonnull (text_at);

      /* decoded at thumbnail size, never larger */
      g_assert_nonnull (thumbnail);
      paintable = gtk_picture_get_paintable (GTK_PICTURE (thumbnail));
      g_assert_nonnull (paintable);
      g_assert_cmpint (gdk_paintable_get_intrinsic_width (paintable), <=,
                       STARLING_GALLERY_THUMBNAIL_SIZE * gtk_widget_get_scale_factor (thumbnail));
    }
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (gtk_picture_get_paintable (GTK_PICTURE (
                     starling_test_find_widget (g_ptr_array_index (cells, 1), GTK_TYPE_PICTURE, NULL)))), ==, 180);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (gtk_picture_get_paintable (GTK_PICTURE (
                     starling_test_find_widget (g_ptr_array_index (cells, 2), GTK_TYPE_PICTURE, NULL)))), ==, 16);

  starling_test_save_screenshot (GTK_WIDGET (gallery), "screenshot-gallery.png");

  /* the bytes behind an item are the ones stored, whether in a file or inline */
  {
    g_autoptr(StarlingGalleryItem) first = g_list_model_get_item (items, 1);
    g_autoptr(StarlingGalleryItem) second = g_list_model_get_item (items, 2);
    g_autoptr(GBytes) first_bytes = starling_stored_image_load_bytes (starling_gallery_item_get_stored (first), NULL, &error);
    g_autoptr(GBytes) second_bytes = starling_stored_image_load_bytes (starling_gallery_item_get_stored (second), NULL, &error);

    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (first_bytes, wide));
    g_assert_true (g_bytes_equal (second_bytes, small));
  }

  /* clicking the 640×480 picture shows it whole in the viewer */
  g_assert_true (gtk_widget_activate_action (grid, "list.activate-item", "u", 1));
  viewer = find_viewer ();
  g_assert_nonnull (viewer);
  g_assert_true (starling_test_wait_for (viewer_shows_picture, NULL, 10000));
  picture = starling_test_find_widget (GTK_WIDGET (viewer), GTK_TYPE_PICTURE, NULL);
  paintable = gtk_picture_get_paintable (GTK_PICTURE (picture));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (paintable), ==, 640);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (paintable), ==, 480);
  /* it pages through that chat's images, in the gallery's order */
  g_assert_cmpuint (starling_image_viewer_get_position (viewer), ==, 0);
  g_free (shown);
  shown = starling_test_collect_text (GTK_WIDGET (viewer));
  g_assert_nonnull (strstr (shown, "Paint the lighthouse at night"));
  g_assert_nonnull (strstr (shown, "1 of 3"));
  gtk_widget_activate_action (GTK_WIDGET (viewer), "viewer.next", NULL);
  g_assert_true (starling_test_wait_for (viewer_shows_picture, NULL, 10000));
  starling_test_iterate (200);
  paintable = gtk_picture_get_paintable (GTK_PICTURE (picture));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (paintable), ==, 16);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (paintable), ==, 12);
  gtk_window_destroy (GTK_WINDOW (viewer));

  /* Copy Image from the context menu of the focused image: the whole picture */
  {
    GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (gallery));
    g_autoptr(GdkTexture) copied = NULL;

    gdk_clipboard_set_text (clipboard, "");
    g_assert_true (gtk_widget_grab_focus (gtk_widget_get_parent (g_ptr_array_index (cells, 1))));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (gallery), "gallery.popup-menu", NULL));
    starling_test_iterate (100);
    g_assert_nonnull (starling_test_find_widget (g_ptr_array_index (cells, 1), GTK_TYPE_POPOVER_MENU, NULL));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (gallery), "gallery.copy", NULL));
    g_assert_true (starling_test_wait_for (clipboard_has_texture, clipboard, 10000));
    gdk_clipboard_read_texture_async (clipboard, NULL, read_texture_cb, &copied);
    while (copied == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpint (gdk_texture_get_width (copied), ==, 640);
    g_assert_cmpint (gdk_texture_get_height (copied), ==, 480);
  }

  /* the fox the app itself stored: 64×64 from the fake image model */
  g_assert_true (gtk_widget_activate_action (grid, "list.activate-item", "u", 0));
  viewer = find_viewer ();
  g_assert_nonnull (viewer);
  g_assert_true (starling_test_wait_for (viewer_shows_picture, NULL, 10000));
  picture = starling_test_find_widget (GTK_WIDGET (viewer), GTK_TYPE_PICTURE, NULL);
  paintable = gtk_picture_get_paintable (GTK_PICTURE (picture));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (paintable), ==, 64);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (paintable), ==, 64);
  gtk_window_destroy (GTK_WINDOW (viewer));

  gtk_window_destroy (GTK_WINDOW (gallery));
}

static void
test_gallery (void)
{
  starling_test_run_in_app (check_gallery, NULL);
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

  /* first: the history starts empty */
  g_test_add_func ("/gallery/empty", test_empty);
  g_test_add_func ("/gallery/images", test_gallery);

  status = g_test_run ();
  g_clear_object (&fake);
  return status;
}

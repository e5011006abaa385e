/* test-store.c: the history store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */


#include "starling-store.h"
#include "store-test-util.h"

static StarlingStore *
open_store (void)
{
  g_autoptr(GError) error = NULL;
  StarlingStore *store = starling_store_new (NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_null (starling_store_get_broken_path (store));

  return store;
}

static gint64
add_text (StarlingStore     *store,
          gint64             conversation_id,
          gint64             parent_id,
          StarlingStoreRole  role,
          const char        *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *parts = NULL;
  gint64 id;

  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  parts = json_to_string (root, FALSE);

  id = starling_store_append_message (store, conversation_id, parent_id, role, parts,
                                      STARLING_STORE_STATUS_COMPLETE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  return id;
}

static gint64
new_conversation (StarlingStore *store,
                  const char    *title)
{
  g_autoptr(GError) error = NULL;
  gint64 id = starling_store_create_conversation (store, title, "gemini-2.5-flash",
                                                  "{\"temperature\": 0.5}", &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  return id;
}

static GPtrArray *
load_path (StarlingStore *store,
           gint64         conversation_id)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *path = starling_store_load_path (store, conversation_id, 0, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (path);

  return path;
}

static char *
path_texts (GPtrArray *path)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < path->len; i++)
    {
      StarlingStoredMessage *m = g_ptr_array_index (path, i);

      if (i > 0)
        g_string_append (s, " | ");
      g_string_append (s, starling_stored_message_get_text (m));
    }

  return g_string_free (g_steal_pointer (&s), FALSE);
}

static GPtrArray *
search (StarlingStore       *store,
        const char          *text,
        StarlingSearchFlags  flags)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *results = starling_store_search (store, text, 0, 50, flags, &error);

  g_assert_no_error (error);
  g_assert_nonnull (results);

  return results;
}

static gboolean
results_have_message (GPtrArray *results,
                      gint64     message_id)
{
  for (guint i = 0; i < results->len; i++)
    if (starling_search_result_get_message_id (g_ptr_array_index (results, i)) == message_id)
      return TRUE;

  return FALSE;
}

static void
assert_fts_consistent (StarlingStore *store)
{
  g_autofree char *problem = test_fts_check (starling_store_get_path (store),
                                             "INSERT INTO message_fts (message_fts) "
                                             "VALUES ('integrity-check');"
                                             "INSERT INTO conversation_fts (conversation_fts) "
                                             "VALUES ('integrity-check');");

  g_assert_null (problem);
}

static void
test_open_default (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "starling", "history.db",
                                                NULL);
  g_autofree char *mode = NULL;

  g_assert_cmpstr (starling_store_get_path (store), ==, expected);
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (test_sql_int (expected, "PRAGMA user_version"), ==,
                   STARLING_STORE_LATEST_VERSION);
  mode = test_sql_text (expected, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpuint (starling_store_get_n_interrupted (store), ==, 0);
  g_assert_null (starling_store_dup_recovery_message (store));
}

static void
new_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  StarlingStore **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = starling_store_new_finish (result, &error);
  g_assert_no_error (error);
}

/* Opened off the main thread (a big history's first start), used on it. */
static void
test_open_async (void)
{
  g_autoptr(StarlingStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  gint64 c;

  starling_store_new_async (NULL, NULL, new_cb, &store);
  while (store == NULL)
    g_main_context_iteration (NULL, TRUE);

  c = new_conversation (store, "Opened in a thread");
  list = starling_store_list_conversations (store, 0, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (starling_conversation_info_get_id (g_ptr_array_index (list, 0)), ==, c);
}

static void
test_list_pinned (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GPtrArray) page2 = NULL;
  gint64 a, b, c;

  a = new_conversation (store, NULL);
  add_text (store, a, 0, STARLING_STORE_ROLE_USER, "Oldest question");
  b = new_conversation (store, NULL);
  add_text (store, b, 0, STARLING_STORE_ROLE_USER, "Middle question");
  c = new_conversation (store, NULL);
  add_text (store, c, 0, STARLING_STORE_ROLE_USER, "Newest question\nsecond line");

  page = starling_store_list_conversations (store, 0, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 3);
  g_assert_cmpint (starling_conversation_info_get_id (g_ptr_array_index (page, 0)), ==, c);
  g_assert_cmpint (starling_conversation_info_get_id (g_ptr_array_index (page, 1)), ==, b);
  g_assert_cmpint (starling_conversation_info_get_id (g_ptr_array_index (page, 2)), ==, a);
  /* the sidebar row: title from the prompt's first line, the last message on one line */
  g_assert_cmpstr (starling_conversation_info_get_title (g_ptr_array_index (page, 0)), ==,
                   "Newest question");
  g_assert_cmpstr (starling_conversation_info_get_snippet (g_ptr_array_index (page, 0)), ==,
                   "Newest question second line");
  g_assert_cmpstr (starling_conversation_info_get_model (g_ptr_array_index (page, 0)), ==,
                   "gemini-2.5-flash");
  g_clear_pointer (&page, g_ptr_array_unref);

  starling_store_set_pinned (store, a, TRUE, &error);
  g_assert_no_error (error);

  page = starling_store_list_conversations (store, 0, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 2);
  g_assert_cmpint (starling_conversation_info_get_id (g_ptr_array_index (page, 0)), ==, a);
  g_assert_true (starling_conversation_info_get_pinned (g_ptr_array_index (page, 0)));
  g_assert_cmpint (starling_conversation_info_get_id (g_ptr_array_index (page, 1)), ==, c);

  page2 = starling_store_list_conversations (store, 2, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page2->len, ==, 1);
  g_assert_cmpint (starling_conversation_info_get_id (g_ptr_array_index (page2, 0)), ==, b);
  g_assert_cmpint (starling_store_count_conversations (store, &error), ==, 3);

  /* a new message moves a conversation up (below the pinned one) */
  add_text (store, b, 0, STARLING_STORE_ROLE_USER, "Middle again");
  g_clear_pointer (&page, g_ptr_array_unref);
  page = starling_store_list_conversations (store, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (starling_conversation_info_get_id (g_ptr_array_index (page, 0)), ==, a);
  g_assert_cmpint (starling_conversation_info_get_id (g_ptr_array_index (page, 1)), ==, b);
  g_assert_cmpint (starling_conversation_info_get_id (g_ptr_array_index (page, 2)), ==, c);

  /* unpinned, the oldest goes back to the bottom */
  starling_store_set_pinned (store, a, FALSE, &error);
  g_assert_no_error (error);
  g_clear_pointer (&page, g_ptr_array_unref);
  page = starling_store_list_conversations (store, 0, 0, &error);
  g_assert_cmpint (starling_conversation_info_get_id (g_ptr_array_index (page, 2)), ==, a);
}

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = starling_store_list_conversations_finish (STARLING_STORE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_list_async (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  GPtrArray *page = NULL;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *text = g_strdup_printf ("Question %u", i);
      gint64 id = new_conversation (store, NULL);

      add_text (store, id, 0, STARLING_STORE_ROLE_USER, text);
    }

  starling_store_list_conversations_async (store, 1, 3, NULL, list_cb, &page);
  while (page == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (page->len, ==, 3);
  g_assert_cmpstr (starling_conversation_info_get_title (g_ptr_array_index (page, 0)), ==,
                   "Question 3");
  g_assert_cmpstr (starling_conversation_info_get_title (g_ptr_array_index (page, 2)), ==,
                   "Question 1");
  g_ptr_array_unref (page);
}

static void
test_titles (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(StarlingConversationInfo) info = NULL;
  g_autofree char *long_line = NULL;
  gint64 id = new_conversation (store, NULL);
  gint64 id2 = new_conversation (store, NULL);
  gint64 first;

  info = starling_store_get_conversation (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (starling_conversation_info_get_title (info), ==, "");
  g_clear_object (&info);

  first = add_text (store, id, 0, STARLING_STORE_ROLE_USER, "\n   Come si fa il pesto?  \nCon basilico");
  add_text (store, id, first, STARLING_STORE_ROLE_MODEL, "Così: basilico, pinoli, aglio.");
  info = starling_store_get_conversation (store, id, &error);
  g_assert_cmpstr (starling_conversation_info_get_title (info), ==, "Come si fa il pesto?");
  g_assert_false (starling_conversation_info_get_title_is_custom (info));
  g_clear_object (&info);

  starling_store_rename_conversation (store, id, "  Pesto  ", &error);
  g_assert_no_error (error);
  info = starling_store_get_conversation (store, id, &error);
  g_assert_cmpstr (starling_conversation_info_get_title (info), ==, "Pesto");
  g_assert_true (starling_conversation_info_get_title_is_custom (info));
  g_clear_object (&info);

  /* a renamed conversation keeps its name when the first prompt is edited */
  add_text (store, id, 0, STARLING_STORE_ROLE_USER, "Edited first prompt");
  info = starling_store_get_conversation (store, id, &error);
  g_assert_cmpstr (starling_conversation_info_get_title (info), ==, "Pesto");
  g_clear_object (&info);

  /* an empty name goes back to the first prompt (the one selected) */
  starling_store_rename_conversation (store, id, "", &error);
  g_assert_no_error (error);
  info = starling_store_get_conversation (store, id, &error);
  g_assert_cmpstr (starling_conversation_info_get_title (info), ==, "Edited first prompt");
  g_assert_false (starling_conversation_info_get_title_is_custom (info));
  g_clear_object (&info);

  /* long first lines are cut with an ellipsis at 80 characters */
  long_line = g_strnfill (120, 'x');
  add_text (store, id2, 0, STARLING_STORE_ROLE_USER, long_line);
  info = starling_store_get_conversation (store, id2, &error);
  g_assert_cmpint (g_utf8_strlen (starling_conversation_info_get_title (info), -1), ==, 80);
  g_assert_true (g_str_has_suffix (starling_conversation_info_get_title (info), "…"));

  g_assert_false (starling_store_rename_conversation (store, 9999, "x", &error));
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_NOT_FOUND);
}

static void
test_soft_delete (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(StarlingConversationInfo) info = NULL;
  g_autofree char *path = g_strdup (starling_store_get_path (store));
  gint64 keep = new_conversation (store, NULL);
  gint64 gone = new_conversation (store, NULL);
  gint64 message;

  add_text (store, keep, 0, STARLING_STORE_ROLE_USER, "kept conversation about kiwis");
  message = add_text (store, gone, 0, STARLING_STORE_ROLE_USER, "deleted conversation about kiwis");

  starling_store_delete_conversation (store, gone, &error);
  g_assert_no_error (error);
  page = starling_store_list_conversations (store, 0, 0, &error);
  g_assert_cmpuint (page->len, ==, 1);
  g_assert_cmpint (starling_conversation_info_get_id (g_ptr_array_index (page, 0)), ==, keep);
  results = search (store, "kiwis", STARLING_SEARCH_FLAGS_NO_TITLES);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_false (results_have_message (results, message));
  info = starling_store_get_conversation (store, gone, &error);
  g_assert_true (starling_conversation_info_get_deleted (info));
  g_clear_object (&info);

  /* undo */
  starling_store_undelete_conversation (store, gone, &error);
  g_assert_no_error (error);
  g_clear_pointer (&page, g_ptr_array_unref);
  page = starling_store_list_conversations (store, 0, 0, &error);
  g_assert_cmpuint (page->len, ==, 2);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = search (store, "kiwis", STARLING_SEARCH_FLAGS_NO_TITLES);
  g_assert_true (results_have_message (results, message));

  /* deleted and never undone: gone for good at the next start */
  starling_store_delete_conversation (store, gone, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  store = starling_store_new (path, NULL, &error);
  g_assert_no_error (error);
  info = starling_store_get_conversation (store, gone, &error);
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_NOT_FOUND);
  g_assert_null (info);
  g_clear_error (&error);
  g_assert_cmpint (test_sql_int (path, "SELECT count(*) FROM messages"), ==, 1);
  assert_fts_consistent (store);
}

/* Raw parts, formatted the way a server might send them: the store must not
 * re-serialize them. */
static char *
make_rich_parts (const char *image_base64)
{
  g_autofree char *corpus = test_corpus_parts (
    "googleai/unary-success-thinking-function-call-thought-summary-signature.json");

  g_assert_true (strstr (corpus, "thoughtSignature") != NULL);
  g_assert_true (strstr (corpus, "functionCall") != NULL);

  /* the corpus parts, then our image part, with odd spacing and key order */
  return g_strdup_printf ("[ %.*s,\n  {\"inlineData\" : {\"mimeType\":\"image/png\",  \"data\": \"%s\"},"
                          " \"thoughtSignature\": \"c2lnbmF0dXJlLW9mLWltYWdl\"},"
                          "{\"text\":\"caf\\u00e9 \\\"quoted\\\"\", \"thought\": false} ]",
                          (int) strlen (corpus) - 2, corpus + 1, image_base64);
}

static void
test_parts_round_trip (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(StarlingStoredMessage) loaded = NULL;
  g_autoptr(GPtrArray) path = NULL;
  g_autoptr(GBytes) png = test_make_png (100 * 1024, 1);
  g_autofree char *png_base64 = g_base64_encode (g_bytes_get_data (png, NULL),
                                                 g_bytes_get_size (png));
  g_autofree char *parts = make_rich_parts (png_base64);
  g_autofree char *sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, png);
  g_autofree char *blob_path = starling_blob_path (starling_store_get_blob_dir (store), sha256);
  g_autofree char *blob_dir_expected = g_build_filename (g_get_user_data_dir (), "starling",
                                                         "blobs", NULL);
  g_autofree char *prefix = g_strndup (sha256, 2);
  g_autofree char *expected_blob_path = g_build_filename (blob_dir_expected, prefix, sha256, NULL);
  g_autofree char *sql = NULL;
  g_autofree char *request = NULL;
  g_autofree char *request_back = NULL;
  gint64 conversation = new_conversation (store, NULL);
  gint64 user, answer, answer2;

  user = add_text (store, conversation, 0, STARLING_STORE_ROLE_USER, "Draw a cat");
  answer = starling_store_append_message (store, conversation, user, STARLING_STORE_ROLE_MODEL,
                                          parts, STARLING_STORE_STATUS_COMPLETE, &error);
  g_assert_no_error (error);

  /* the image is a content-addressed file, not in the text column */
  g_assert_cmpstr (blob_path, ==, expected_blob_path);
  g_assert_true (test_file_equals (blob_path, g_bytes_get_data (png, NULL), g_bytes_get_size (png)));
  sql = g_strdup_printf ("SELECT length(parts_json) FROM messages WHERE id = %" G_GINT64_FORMAT,
                         answer);
  g_assert_cmpint (test_sql_int (starling_store_get_path (store), sql), <,
                   (gint64) strlen (parts) - 100 * 1024);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT mime_type || ' ' || size FROM blobs WHERE sha256 = '%s'", sha256);
  {
    g_autofree char *row = test_sql_text (starling_store_get_path (store), sql);

    g_assert_cmpstr (row, ==, "image/png 102400");
  }

  /* and it comes back byte for byte */
  loaded = starling_store_get_message (store, answer, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (starling_stored_message_get_parts_json (loaded), ==, parts);
  g_assert_false (starling_stored_message_get_blobs_missing (loaded));
  g_assert_cmpstr (starling_stored_message_get_text (loaded), ==, "café \"quoted\"");
  g_assert_true (strlen (starling_stored_message_get_thought_text (loaded)) > 0);
  g_assert_cmpint (starling_stored_message_get_role (loaded), ==, STARLING_STORE_ROLE_MODEL);

  path = load_path (store, conversation);
  g_assert_cmpuint (path->len, ==, 2);
  g_assert_cmpstr (starling_stored_message_get_parts_json (g_ptr_array_index (path, 1)), ==, parts);

  /* the same image again: one file, shared */
  answer2 = starling_store_append_message (store, conversation, user, STARLING_STORE_ROLE_MODEL,
                                           parts, STARLING_STORE_STATUS_COMPLETE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (test_sql_int (starling_store_get_path (store), "SELECT count(*) FROM blobs"),
                   ==, 1);

  /* the request sent keeps its images out of the column too */
  request = g_strdup_printf ("{\"contents\": [{\"role\": \"model\", \"parts\": %s}],"
                             " \"generationConfig\": {\"temperature\": 1}}", parts);
  starling_store_set_message_request (store, answer, request, &error);
  g_assert_no_error (error);
  request_back = starling_store_dup_message_request (store, answer, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (request_back, ==, request);

  /* a file lost on disk is reported, not fatal */
  {
    g_autofree char *moved = g_strconcat (blob_path, ".moved", NULL);
    g_autoptr(StarlingStoredMessage) without = NULL;

    g_assert_cmpint (g_rename (blob_path, moved), ==, 0);
    without = starling_store_get_message (store, answer, &error);
    g_assert_no_error (error);
    g_assert_true (starling_stored_message_get_blobs_missing (without));
    g_assert_cmpint (g_rename (moved, blob_path), ==, 0);
  }

  /* the file goes when the last message using it does */
  starling_store_delete_message_pair (store, answer, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (blob_path, G_FILE_TEST_EXISTS));
  starling_store_delete_message_pair (store, answer2, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (blob_path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (test_sql_int (starling_store_get_path (store), "SELECT count(*) FROM blobs"),
                   ==, 0);
}

static void
test_parts_kept_inline (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autofree char *b64 = test_make_png_base64 (20 * 1024, 2);
  g_autoptr(GString) escaped = g_string_new (NULL);
  g_autofree char *parts = NULL;
  g_autofree char *small = g_strdup ("[{\"inlineData\": {\"mimeType\": \"image/png\", "
                                     "\"data\": \"iVBORw0KGgo=\"}}]");
  gint64 conversation = new_conversation (store, NULL);
  gint64 id, id2;

  /* base64 written with escaped slashes: kept as it is, inline */
  for (const char *p = b64; *p; p++)
    {
      if (*p == '/')
        g_string_append (escaped, "\\/");
      else
        g_string_append_c (escaped, *p);
    }
  parts = g_strdup_printf ("[{\"inlineData\": {\"mimeType\": \"image/png\", \"data\": \"%s\"}}]",
                           escaped->str);

  id = starling_store_append_message (store, conversation, 0, STARLING_STORE_ROLE_USER, parts,
                                      STARLING_STORE_STATUS_COMPLETE, &error);
  g_assert_no_error (error);
  id2 = starling_store_append_message (store, conversation, id, STARLING_STORE_ROLE_MODEL, small,
                                       STARLING_STORE_STATUS_COMPLETE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (test_sql_int (starling_store_get_path (store), "SELECT count(*) FROM blobs"),
                   ==, 0);

  {
    g_autoptr(StarlingStoredMessage) m = starling_store_get_message (store, id, &error);
    g_autoptr(StarlingStoredMessage) m2 = starling_store_get_message (store, id2, &error);

    g_assert_cmpstr (starling_stored_message_get_parts_json (m), ==, parts);
    g_assert_cmpstr (starling_stored_message_get_parts_json (m2), ==, small);
    g_assert_cmpstr (starling_stored_message_get_text (m), ==, "");
  }
}

static char *
json_string_parts (const char *text,
                   gboolean    thought)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  if (thought)
    {
      json_builder_set_member_name (builder, "thought");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

/* How a message's parts sit in the database: packed (text stored once) or whole. */
static gboolean
stored_packed (StarlingStore *store,
               gint64         id,
               gint64        *stored_length)
{
  g_autofree char *sql = g_strdup_printf ("SELECT hex(substr(parts_json, 1, 1)) || ' ' || "
                                          "length(parts_json) FROM messages WHERE id = %"
                                          G_GINT64_FORMAT, id);
  g_autofree char *row = test_sql_text (starling_store_get_path (store), sql);

  g_assert_nonnull (row);
  *stored_length = g_ascii_strtoll (strchr (row, ' ') + 1, NULL, 10);
  return g_str_has_prefix (row, "01 ");
}

static gint64
append_parts (StarlingStore *store,
              gint64         conversation,
              const char    *parts)
{
  g_autoptr(GError) error = NULL;
  gint64 id = starling_store_append_message (store, conversation, 0, STARLING_STORE_ROLE_MODEL,
                                             parts, STARLING_STORE_STATUS_COMPLETE, &error);

  g_assert_no_error (error);
  return id;
}

static void
assert_loads_as (StarlingStore *store,
                 gint64         id,
                 const char    *parts)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StarlingStoredMessage) m = starling_store_get_message (store, id, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (starling_stored_message_get_parts_json (m), ==, parts);
  g_assert_false (starling_stored_message_get_blobs_missing (m));
}

static void
test_parts_packing (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  gint64 c = new_conversation (store, NULL);
  g_autofree char *long_text = g_strnfill (3000, 'a');
  gint64 id, stored;

  /* text written the way json-glib writes it: stored once, in the text column */
  {
    g_autofree char *parts = json_string_parts ("Una risposta lunga, perché sì: \"citazione\"\n"
                                                "\tcon tabulazioni, \\ barre e 日本語 e 😀, "
                                                "ripetuta abbastanza per contare.", FALSE);

    id = append_parts (store, c, parts);
    g_assert_true (stored_packed (store, id, &stored));
    g_assert_cmpint (stored, <, 40);
    assert_loads_as (store, id, parts);
  }

  /* thoughts, signatures, a long text */
  {
    g_autofree char *parts = g_strdup_printf ("[{\"text\":\"%s thinking\",\"thought\":true},"
                                              "{\"text\":\"%s\",\"thoughtSignature\":\"c2lnbmF0dXJl\"},"
                                              "{\"functionCall\":{\"name\":\"now\",\"args\":{}}},"
                                              "{\"text\":\"after the call, long enough to count\"}]",
                                              long_text, long_text);
    g_autoptr(StarlingStoredMessage) m = NULL;
    g_autoptr(GError) error = NULL;

    id = append_parts (store, c, parts);
    g_assert_true (stored_packed (store, id, &stored));
    g_assert_cmpint (stored, <, 300);
    assert_loads_as (store, id, parts);
    m = starling_store_get_message (store, id, &error);
    g_assert_cmpuint (strlen (starling_stored_message_get_thought_text (m)), ==, 3009);
    g_assert_true (g_str_has_suffix (starling_stored_message_get_text (m),
                                     "aaa\n\nafter the call, long enough to count"));
  }

  /* escapes json-glib would not write: kept as they are */
  {
    const char *parts = "[{\"text\": \"caf\\u00e9 and a slash \\/ in a long enough sentence\"}]";

    id = append_parts (store, c, parts);
    g_assert_false (stored_packed (store, id, &stored));
    assert_loads_as (store, id, parts);
  }
  {
    const char *parts = "[{\"text\": \"an emoji \\ud83d\\ude00 written as a surrogate pair, long\"},"
                        " {\"text\": \"and raw \x1f control, also long enough to be stored once\"}]";

    id = append_parts (store, c, parts);
    assert_loads_as (store, id, parts);
  }

  /* a text that looks like the store's own reference */
  {
    g_autofree char *parts = json_string_parts ("\001t:0:30 is what a reference looks like inside",
                                                FALSE);

    id = append_parts (store, c, parts);
    g_assert_true (stored_packed (store, id, &stored));
    assert_loads_as (store, id, parts);
  }
  {
    const char *parts = "[{\"text\": \"\\u0001t:0:5\"}, {\"text\": \"\\u0001t:0:3000000 long enough to be packed\"}]";

    id = append_parts (store, c, parts);
    assert_loads_as (store, id, parts);
  }

  /* random texts: every character, escaped or not */
  for (guint i = 0; i < 300; i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *parts = NULL;
      guint len = g_rand_int_range (rand, 0, 80);

      for (guint j = 0; j < len; j++)
        {
          gunichar ch;

          switch (g_rand_int_range (rand, 0, 4))
            {
            case 0: ch = g_rand_int_range (rand, 1, 0x80); break;
            case 1: ch = g_rand_int_range (rand, 0x80, 0x800); break;
            case 2: ch = g_rand_int_range (rand, 0x3000, 0xD000); break;
            default: ch = g_rand_int_range (rand, 0x10000, 0x1F700); break;
            }
          g_string_append_unichar (text, ch);
        }

      parts = json_string_parts (text->str, g_rand_boolean (rand));
      id = append_parts (store, c, parts);
      assert_loads_as (store, id, parts);
    }
}

static void
test_invalid (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  gint64 a = new_conversation (store, NULL);
  gint64 b = new_conversation (store, NULL);
  gint64 in_a = add_text (store, a, 0, STARLING_STORE_ROLE_USER, "hello");

  g_assert_cmpint (starling_store_append_message (store, a, 0, STARLING_STORE_ROLE_USER, "[{",
                                                  STARLING_STORE_STATUS_COMPLETE, &error), ==, 0);
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_cmpint (starling_store_append_message (store, a, 0, STARLING_STORE_ROLE_USER,
                                                  "{\"text\": \"not an array\"}",
                                                  STARLING_STORE_STATUS_COMPLETE, &error), ==, 0);
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_cmpint (starling_store_append_message (store, 4242, 0, STARLING_STORE_ROLE_USER, "[]",
                                                  STARLING_STORE_STATUS_COMPLETE, &error), ==, 0);
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_cmpint (starling_store_append_message (store, b, in_a, STARLING_STORE_ROLE_MODEL, "[]",
                                                  STARLING_STORE_STATUS_COMPLETE, &error), ==, 0);
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (starling_store_update_message (store, 777, "[]",
                                                 STARLING_STORE_STATUS_COMPLETE, &error));
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (starling_store_finish_message (store, in_a, NULL, STARLING_STORE_STATUS_COMPLETE,
                                                 "STOP", "{usage", NULL, NULL, NULL, &error));
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* nothing half-written by the failures */
  g_assert_cmpint (test_sql_int (starling_store_get_path (store), "SELECT count(*) FROM messages"),
                   ==, 1);
}

static void
assert_siblings (StarlingStore *store,
                 gint64         message_id,
                 guint          expected_index,
                 guint          expected_n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StarlingStoredMessage) m = starling_store_get_message (store, message_id, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (starling_stored_message_get_sibling_index (m), ==, expected_index);
  g_assert_cmpuint (starling_stored_message_get_n_siblings (m), ==, expected_n);
}

static void
test_branches (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) path = NULL;
  g_autoptr(GPtrArray) siblings = NULL;
  g_autofree char *texts = NULL;
  gint64 c = new_conversation (store, NULL);
  gint64 u1, m1, u2, m2, u2b, m2b, m1b, u3, m3;

  u1 = add_text (store, c, 0, STARLING_STORE_ROLE_USER, "u1");
  m1 = add_text (store, c, u1, STARLING_STORE_ROLE_MODEL, "m1");
  u2 = add_text (store, c, m1, STARLING_STORE_ROLE_USER, "u2");
  m2 = add_text (store, c, u2, STARLING_STORE_ROLE_MODEL, "m2");

  /* the user edits u2: a sibling, selected, with its own answer */
  u2b = add_text (store, c, m1, STARLING_STORE_ROLE_USER, "u2 edited");
  m2b = add_text (store, c, u2b, STARLING_STORE_ROLE_MODEL, "m2 for the edit");

  path = load_path (store, c);
  texts = path_texts (path);
  g_assert_cmpstr (texts, ==, "u1 | m1 | u2 edited | m2 for the edit");
  g_assert_cmpuint (starling_stored_message_get_sibling_index (g_ptr_array_index (path, 2)), ==, 1);
  g_assert_cmpuint (starling_stored_message_get_n_siblings (g_ptr_array_index (path, 2)), ==, 2);
  g_assert_cmpuint (starling_stored_message_get_n_siblings (g_ptr_array_index (path, 1)), ==, 1);
  g_assert_cmpint (starling_store_get_active_leaf (store, c, &error), ==, m2b);
  assert_siblings (store, u2, 0, 2);

  siblings = starling_store_list_siblings (store, u2b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (siblings->len, ==, 2);
  g_assert_cmpint (starling_stored_message_get_id (g_ptr_array_index (siblings, 0)), ==, u2);
  g_assert_cmpint (starling_stored_message_get_id (g_ptr_array_index (siblings, 1)), ==, u2b);

  /* ‹ back to the first version: its own answer follows */
  starling_store_select_message (store, u2, &error);
  g_assert_no_error (error);
  g_clear_pointer (&path, g_ptr_array_unref);
  g_clear_pointer (&texts, g_free);
  path = load_path (store, c);
  texts = path_texts (path);
  g_assert_cmpstr (texts, ==, "u1 | m1 | u2 | m2");

  /* regenerate m1: the new answer is a branch without a follow-up */
  m1b = add_text (store, c, u1, STARLING_STORE_ROLE_MODEL, "m1 regenerated");
  g_clear_pointer (&path, g_ptr_array_unref);
  g_clear_pointer (&texts, g_free);
  path = load_path (store, c);
  texts = path_texts (path);
  g_assert_cmpstr (texts, ==, "u1 | m1 regenerated");

  /* back to m1: the branch chosen below it (u2) comes back */
  starling_store_select_message (store, m1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&path, g_ptr_array_unref);
  g_clear_pointer (&texts, g_free);
  path = load_path (store, c);
  texts = path_texts (path);
  g_assert_cmpstr (texts, ==, "u1 | m1 | u2 | m2");

  /* selecting a message deep in another branch selects its ancestors too */
  starling_store_select_message (store, m1b, &error);
  starling_store_select_message (store, m2b, &error);
  g_assert_no_error (error);
  g_clear_pointer (&path, g_ptr_array_unref);
  g_clear_pointer (&texts, g_free);
  path = load_path (store, c);
  texts = path_texts (path);
  g_assert_cmpstr (texts, ==, "u1 | m1 | u2 edited | m2 for the edit");

  /* a window of the newest messages, and the page before it */
  u3 = add_text (store, c, m2b, STARLING_STORE_ROLE_USER, "u3");
  m3 = add_text (store, c, u3, STARLING_STORE_ROLE_MODEL, "m3");
  g_clear_pointer (&path, g_ptr_array_unref);
  g_clear_pointer (&texts, g_free);
  path = starling_store_load_path (store, c, 0, 3, &error);
  g_assert_no_error (error);
  texts = path_texts (path);
  g_assert_cmpstr (texts, ==, "m2 for the edit | u3 | m3");
  {
    gint64 before = starling_stored_message_get_parent_id (g_ptr_array_index (path, 0));
    g_autoptr(GPtrArray) older = starling_store_load_path (store, c, before, 10, &error);
    g_autofree char *older_texts = NULL;

    g_assert_no_error (error);
    older_texts = path_texts (older);
    g_assert_cmpstr (older_texts, ==, "u1 | m1 | u2 edited");
  }

  /* a leaf from another conversation is refused */
  {
    gint64 other = new_conversation (store, NULL);
    g_autoptr(GPtrArray) none = starling_store_load_path (store, other, m3, 0, &error);

    g_assert_null (none);
    g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }

  /* delete the pair u2 edited / m2 for the edit: u3 follows m1 now, still selected */
  starling_store_delete_message_pair (store, u2b, &error);
  g_assert_no_error (error);
  g_clear_pointer (&path, g_ptr_array_unref);
  g_clear_pointer (&texts, g_free);
  path = load_path (store, c);
  texts = path_texts (path);
  g_assert_cmpstr (texts, ==, "u1 | m1 | u3 | m3");
  assert_siblings (store, u3, 1, 2);
  assert_siblings (store, u2, 0, 2);
  g_assert_null (starling_store_get_message (store, m2b, &error));
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* an answer alone */
  starling_store_delete_message_pair (store, m3, &error);
  g_assert_no_error (error);
  g_clear_pointer (&path, g_ptr_array_unref);
  g_clear_pointer (&texts, g_free);
  path = load_path (store, c);
  texts = path_texts (path);
  g_assert_cmpstr (texts, ==, "u1 | m1 | u3");
  (void) m2;
  assert_fts_consistent (store);
}

static void
load_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = starling_store_load_path_finish (STARLING_STORE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_load_async (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autofree char *b64 = test_make_png_base64 (50 * 1024, 3);
  g_autofree char *parts = g_strdup_printf ("[{\"text\": \"look\"}, {\"inlineData\": "
                                            "{\"mimeType\": \"image/jpeg\", \"data\": \"%s\"}}]",
                                            b64);
  GPtrArray *path = NULL;
  gint64 c = new_conversation (store, NULL);
  gint64 parent = 0;

  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *text = g_strdup_printf ("message %u", i);

      if (i == 150)
        {
          parent = starling_store_append_message (store, c, parent, STARLING_STORE_ROLE_USER, parts,
                                                  STARLING_STORE_STATUS_COMPLETE, &error);
          g_assert_no_error (error);
        }
      else
        parent = add_text (store, c, parent, i % 2 ? STARLING_STORE_ROLE_MODEL
                                                   : STARLING_STORE_ROLE_USER, text);
    }

  starling_store_load_path_async (store, c, 0, 0, NULL, load_cb, &path);
  while (path == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (path->len, ==, 300);
  g_assert_cmpstr (starling_stored_message_get_text (g_ptr_array_index (path, 0)), ==, "message 0");
  g_assert_cmpstr (starling_stored_message_get_text (g_ptr_array_index (path, 299)), ==,
                   "message 299");
  g_assert_cmpstr (starling_stored_message_get_parts_json (g_ptr_array_index (path, 150)), ==,
                   parts);
  g_ptr_array_unref (path);
}

static void
test_search_non_ascii (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  gint64 c = new_conversation (store, NULL);
  gint64 it, de, ja, ko;
  struct { const char *query; gint64 *expected; const char *match; } cases[] = {
    { "perché", &it, "Perché" },
    { "perche", &it, "Perché" },
    { "PERCHE", &it, "Perché" },
    { "Größe", &de, "Größe" },
    { "grosse", NULL, NULL },
    { "GRÖßE", &de, "Größe" },
    { "hauser", &de, "Häuser" },
    { "日本語", &ja, "日本語" },
    { "テキスト", &ja, "テキスト" },
    { "勉強", &ja, "勉強" },
    { "한국어", &ko, "한국어" },
    { "中国", NULL, NULL },
  };

  it = add_text (store, c, 0, STARLING_STORE_ROLE_USER, "Perché il cielo è blu?");
  de = add_text (store, c, it, STARLING_STORE_ROLE_MODEL, "Die Größe der Häuser ist verschieden.");
  ja = add_text (store, c, de, STARLING_STORE_ROLE_USER, "日本語のテキストを勉強しています。");
  ko = add_text (store, c, ja, STARLING_STORE_ROLE_MODEL, "한국어를 공부합니다");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) results = search (store, cases[i].query,
                                             STARLING_SEARCH_FLAGS_NO_TITLES);

      g_test_message ("query “%s”: %u results", cases[i].query, results->len);
      if (cases[i].expected == NULL)
        {
          g_assert_cmpuint (results->len, ==, 0);
          continue;
        }

      g_assert_cmpuint (results->len, ==, 1);
      g_assert_cmpint (starling_search_result_get_message_id (g_ptr_array_index (results, 0)), ==,
                       *cases[i].expected);
      g_assert_cmpint (starling_search_result_get_conversation_id (g_ptr_array_index (results, 0)),
                       ==, c);
      g_assert_true (g_strv_contains (starling_search_result_get_matches (g_ptr_array_index (results, 0)),
                                      cases[i].match));
    }

  {
    g_autoptr(GPtrArray) results = search (store, "perche", STARLING_SEARCH_FLAGS_NONE);
    StarlingSearchResult *r;

    /* the title (the first prompt) matches, then the message */
    g_assert_cmpuint (results->len, ==, 2);
    r = g_ptr_array_index (results, 0);
    g_assert_cmpint (starling_search_result_get_message_id (r), ==, 0);
    g_assert_cmpstr (starling_search_result_get_title (r), ==, "Perché il cielo è blu?");
    g_assert_cmpstr (starling_search_result_get_snippet_markup (r), ==,
                     "<b>Perché</b> il cielo è blu?");
    r = g_ptr_array_index (results, 1);
    g_assert_cmpint (starling_search_result_get_message_id (r), ==, it);
    g_assert_cmpstr (starling_search_result_get_snippet (r), ==, "Perché il cielo è blu?");
    g_assert_cmpstr (starling_search_result_get_raw_snippet (r), ==,
                     "\002Perché\003 il cielo è blu?");
  }
}

static void
test_search_escaping (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  gint64 c = new_conversation (store, "Escaping");
  gint64 quoted, and, cpp, dash, sky, not;
  const char *harmless[] = {
    "\"", "\"\"", "\"unterminated phrase", "AND", "OR NOT", "*", "-", "foo*", "NEAR(a b)",
    "text:foo", "(", ")", "^", "'", "\\", "a AND", "* * *", "\"AND\"", "{text}: x", "+", "x:",
    "\xff\xfe invalid utf-8", "",
  };
  struct { const char *query; gint64 *expected; } cases[] = {
    { "\"say cheese\"", &quoted },
    { "AND", &and },
    { "c++", &cpp },
    { "foo-bar", &dash },
    { "-bar", &dash },
    { "\"blue sky\"", &sky },
    { "sky blue", &sky },
    { "NOT", &not },
    { "bl*", &sky },
    { "ski", NULL },
  };

  quoted = add_text (store, c, 0, STARLING_STORE_ROLE_USER, "He said \"say cheese\" to us");
  and = add_text (store, c, quoted, STARLING_STORE_ROLE_MODEL, "Salt and pepper");
  cpp = add_text (store, c, and, STARLING_STORE_ROLE_USER, "Writing C++ code");
  dash = add_text (store, c, cpp, STARLING_STORE_ROLE_MODEL, "The foo-bar option");
  sky = add_text (store, c, dash, STARLING_STORE_ROLE_USER, "the blue sky");
  not = add_text (store, c, sky, STARLING_STORE_ROLE_MODEL, "Do not panic");

  for (guint i = 0; i < G_N_ELEMENTS (harmless); i++)
    {
      g_autoptr(GPtrArray) results = starling_store_search (store, harmless[i], 0, 20,
                                                            STARLING_SEARCH_FLAGS_NONE, &error);

      g_assert_no_error (error);
      g_assert_nonnull (results);
    }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) results = search (store, cases[i].query,
                                             STARLING_SEARCH_FLAGS_NO_TITLES);

      g_test_message ("query “%s”: %u results", cases[i].query, results->len);
      if (cases[i].expected == NULL)
        g_assert_cmpuint (results->len, ==, 0);
      else
        g_assert_true (results_have_message (results, *cases[i].expected));
    }

  /* a phrase in quotes is a phrase: "sky blue" in that order is nowhere */
  {
    g_autoptr(GPtrArray) results = search (store, "\"sky blue\"", STARLING_SEARCH_FLAGS_NONE);

    g_assert_cmpuint (results->len, ==, 0);
  }
}

static void
test_build_query (void)
{
  struct { const char *text; const char *query; } cases[] = {
    { "hello wor", "\"hello\" \"wor\"*" },
    { "hello wor ", "\"hello\" \"wor\"" },
    { "say \"hi there\"", "\"say\" \"hi there\"" },
    { "AND OR", "\"AND\" \"OR\"*" },
    { "a\"b", "\"a\" \"b\"" },
    { "- * ( )", NULL },
    { "   ", NULL },
    { "\"open phrase", "\"open phrase\"" },
    { "café", "\"café\"*" },
    { "a", "\"a\"" },
    { "c++", "\"c++\"" },
    { "go", "\"go\"*" },
    { "日", "\"日\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *query = starling_store_build_fts_query (cases[i].text);

      g_assert_cmpstr (query, ==, cases[i].query);
    }
}

static void
test_search_order (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  gint64 c1 = new_conversation (store, "Garden");
  gint64 c2 = new_conversation (store, "Kitchen");
  gint64 weak, strong, old_tie, new_tie, in_c2;

  weak = add_text (store, c1, 0, STARLING_STORE_ROLE_USER,
                   "A long message that mentions tomatoes once among many other words about "
                   "watering, soil, sunlight, seasons, weeds and tools for the garden");
  strong = add_text (store, c1, weak, STARLING_STORE_ROLE_MODEL, "tomatoes tomatoes tomatoes");
  old_tie = add_text (store, c1, strong, STARLING_STORE_ROLE_USER, "ripe tomatoes");
  new_tie = add_text (store, c2, 0, STARLING_STORE_ROLE_USER, "ripe tomatoes");
  in_c2 = add_text (store, c2, new_tie, STARLING_STORE_ROLE_MODEL, "Tomato soup needs tomatoes");

  results = search (store, "tomatoes", STARLING_SEARCH_FLAGS_NONE);
  g_assert_cmpuint (results->len, ==, 5);
  g_assert_cmpint (starling_search_result_get_message_id (g_ptr_array_index (results, 0)), ==,
                   strong);
  /* the same text: the more recent first */
  g_assert_cmpint (starling_search_result_get_message_id (g_ptr_array_index (results, 1)), ==,
                   new_tie);
  g_assert_cmpint (starling_search_result_get_message_id (g_ptr_array_index (results, 2)), ==,
                   old_tie);
  g_assert_cmpint (starling_search_result_get_message_id (g_ptr_array_index (results, 4)), ==,
                   weak);
  for (guint i = 1; i < results->len; i++)
    g_assert_cmpfloat (starling_search_result_get_rank (g_ptr_array_index (results, i - 1)), <=,
                       starling_search_result_get_rank (g_ptr_array_index (results, i)));
  g_clear_pointer (&results, g_ptr_array_unref);

  /* one hit per conversation (the GNOME Shell provider) */
  results = search (store, "tomatoes", STARLING_SEARCH_FLAGS_ONE_PER_CONVERSATION);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_cmpint (starling_search_result_get_conversation_id (g_ptr_array_index (results, 0)), ==,
                   c1);
  g_assert_cmpint (starling_search_result_get_conversation_id (g_ptr_array_index (results, 1)), ==,
                   c2);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* in one conversation only */
  results = starling_store_search (store, "tomatoes", c2, 10, STARLING_SEARCH_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  g_assert_true (results_have_message (results, in_c2));
  g_assert_true (results_have_message (results, new_tie));
  g_clear_pointer (&results, g_ptr_array_unref);

  /* titles first */
  results = search (store, "kitchen", STARLING_SEARCH_FLAGS_NONE);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpint (starling_search_result_get_conversation_id (g_ptr_array_index (results, 0)), ==,
                   c2);
  g_assert_cmpstr (starling_search_result_get_snippet_markup (g_ptr_array_index (results, 0)), ==,
                   "<b>Kitchen</b>");
  g_clear_pointer (&results, g_ptr_array_unref);

  /* the limit */
  results = starling_store_search (store, "tomatoes", 0, 2, STARLING_SEARCH_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
}

typedef struct
{
  GPtrArray *results;
  GError    *error;
  gboolean   done;
} SearchWait;

static void
search_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  SearchWait *wait = user_data;

  wait->results = starling_store_search_finish (STARLING_STORE (source), result, &wait->error);
  wait->done = TRUE;
}

static void
test_search_async (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  SearchWait first = { 0, };
  SearchWait second = { 0, };
  gint64 c = new_conversation (store, NULL);
  gint64 m = add_text (store, c, 0, STARLING_STORE_ROLE_USER, "searching while typing");

  /* the user typed on: the first search is cancelled, the second answers */
  starling_store_search_async (store, "sea", 0, 10, STARLING_SEARCH_FLAGS_NO_TITLES, cancellable,
                               search_cb, &first);
  g_cancellable_cancel (cancellable);
  starling_store_search_async (store, "search", 0, 10, STARLING_SEARCH_FLAGS_NO_TITLES, NULL,
                               search_cb, &second);
  while (!first.done || !second.done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_error (first.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (first.results);
  g_assert_no_error (second.error);
  g_assert_cmpuint (second.results->len, ==, 1);
  g_assert_true (results_have_message (second.results, m));
  g_clear_error (&first.error);
  g_ptr_array_unref (second.results);
}

/* The caller lets go of the store while a job is queued: the job still runs,
 * its callback gets a live store, and the store then goes away. */
static void
test_unref_while_running (void)
{
  StarlingStore *store = open_store ();
  gpointer weak = store;
  SearchWait wait = { 0, };
  gint64 c = new_conversation (store, NULL);

  add_text (store, c, 0, STARLING_STORE_ROLE_USER, "a message to find");
  g_object_add_weak_pointer (G_OBJECT (store), &weak);
  starling_store_search_async (store, "find", 0, 10, STARLING_SEARCH_FLAGS_NONE, NULL, search_cb,
                               &wait);
  g_object_unref (store);

  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (wait.error);
  g_assert_cmpuint (wait.results->len, ==, 2);
  g_ptr_array_unref (wait.results);

  while (g_atomic_pointer_get (&weak) != NULL)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
test_streaming_interrupted (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(StarlingStoredMessage) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *path = g_strdup (starling_store_get_path (store));
  gint64 c = new_conversation (store, NULL);
  gint64 user = add_text (store, c, 0, STARLING_STORE_ROLE_USER, "Tell me about otters");
  gint64 answer;

  answer = starling_store_append_message (store, c, user, STARLING_STORE_ROLE_MODEL, "[]",
                                          STARLING_STORE_STATUS_STREAMING, &error);
  g_assert_no_error (error);
  starling_store_update_message (store, answer, "[{\"text\": \"Otters are\"}]",
                                 STARLING_STORE_STATUS_STREAMING, &error);
  g_assert_no_error (error);
  starling_store_update_message (store, answer,
                                 "[{\"text\": \"Thinking of otters\", \"thought\": true},"
                                 " {\"text\": \"Otters are playful mammals\"}]",
                                 STARLING_STORE_STATUS_STREAMING, &error);
  g_assert_no_error (error);

  /* a streaming answer is not searchable yet */
  results = search (store, "playful", STARLING_SEARCH_FLAGS_NONE);
  g_assert_cmpuint (results->len, ==, 0);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* the program ends without finishing the answer */
  g_clear_object (&store);
  store = starling_store_new (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (starling_store_get_n_interrupted (store), ==, 1);

  m = starling_store_get_message (store, answer, &error);
  g_assert_no_error (error);
  g_assert_cmpint (starling_stored_message_get_status (m), ==, STARLING_STORE_STATUS_INTERRUPTED);
  g_assert_cmpstr (starling_stored_message_get_text (m), ==, "Otters are playful mammals");
  g_assert_cmpstr (starling_stored_message_get_thought_text (m), ==, "Thinking of otters");

  results = search (store, "playful", STARLING_SEARCH_FLAGS_NONE);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_true (results_have_message (results, answer));

  /* next start: nothing left to recover */
  g_clear_object (&store);
  store = starling_store_new (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (starling_store_get_n_interrupted (store), ==, 0);
  assert_fts_consistent (store);
}

static void
test_finish (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(StarlingStoredMessage) m = NULL;
  g_autoptr(StarlingConversationInfo) before = NULL;
  g_autoptr(StarlingConversationInfo) after = NULL;
  g_autoptr(GPtrArray) results = NULL;
  gint64 c = new_conversation (store, NULL);
  gint64 user = add_text (store, c, 0, STARLING_STORE_ROLE_USER, "weather in London?");
  gint64 answer;
  const char *usage = "{\"promptTokenCount\": 8, \"candidatesTokenCount\": 30}";
  const char *grounding = "{\"groundingChunks\": [{\"web\": {\"uri\": \"https://x\", \"title\": \"x.com\"}}]}";

  answer = starling_store_append_message (store, c, user, STARLING_STORE_ROLE_MODEL,
                                          "[{\"text\": \"Cloudy\"}]",
                                          STARLING_STORE_STATUS_STREAMING, &error);
  before = starling_store_get_conversation (store, c, &error);
  g_usleep (2000);
  starling_store_finish_message (store, answer, "[{\"text\": \"Cloudy, 19 °C\"}]",
                                 STARLING_STORE_STATUS_COMPLETE, "STOP", usage, grounding,
                                 "gemini-2.5-flash-001", NULL, &error);
  g_assert_no_error (error);

  m = starling_store_get_message (store, answer, &error);
  g_assert_no_error (error);
  g_assert_cmpint (starling_stored_message_get_status (m), ==, STARLING_STORE_STATUS_COMPLETE);
  g_assert_cmpstr (starling_stored_message_get_text (m), ==, "Cloudy, 19 °C");
  g_assert_cmpstr (starling_stored_message_get_finish_reason (m), ==, "STOP");
  g_assert_cmpstr (starling_stored_message_get_usage_json (m), ==, usage);
  g_assert_cmpstr (starling_stored_message_get_grounding_json (m), ==, grounding);
  g_assert_cmpstr (starling_stored_message_get_model_version (m), ==, "gemini-2.5-flash-001");
  g_assert_null (starling_stored_message_get_error_json (m));

  after = starling_store_get_conversation (store, c, &error);
  g_assert_cmpint (starling_conversation_info_get_updated (after), >,
                   starling_conversation_info_get_updated (before));

  results = search (store, "cloudy", STARLING_SEARCH_FLAGS_NONE);
  g_assert_cmpuint (results->len, ==, 1);
  g_clear_pointer (&results, g_ptr_array_unref);
  g_clear_object (&m);

  /* an error keeps what had arrived, and says what happened */
  starling_store_finish_message (store, answer, NULL, STARLING_STORE_STATUS_ERROR, NULL, NULL, NULL,
                                 NULL, "{\"error\": {\"code\": 503}}", &error);
  g_assert_no_error (error);
  m = starling_store_get_message (store, answer, &error);
  g_assert_cmpint (starling_stored_message_get_status (m), ==, STARLING_STORE_STATUS_ERROR);
  g_assert_cmpstr (starling_stored_message_get_text (m), ==, "Cloudy, 19 °C");
  g_assert_cmpstr (starling_stored_message_get_error_json (m), ==, "{\"error\": {\"code\": 503}}");
  assert_fts_consistent (store);
}

static void
changed_cb (StarlingStore *store,
            gint64         conversation_id,
            GArray        *seen)
{
  g_array_append_val (seen, conversation_id);
}

/* The sidebar hears of every change, the store's own included (the title
 * the first prompt gives), but not of each streaming update. */
static void
test_changed_signal (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  gint64 c, user, answer;

  g_signal_connect (store, "conversation-changed", G_CALLBACK (changed_cb), seen);

  c = new_conversation (store, NULL);
  g_assert_cmpuint (seen->len, ==, 1);
  user = add_text (store, c, 0, STARLING_STORE_ROLE_USER, "First prompt");
  g_assert_cmpuint (seen->len, ==, 2);
  answer = starling_store_append_message (store, c, user, STARLING_STORE_ROLE_MODEL, "[]",
                                          STARLING_STORE_STATUS_STREAMING, &error);
  g_assert_cmpuint (seen->len, ==, 3);
  starling_store_update_message (store, answer, "[{\"text\": \"Hi\"}]",
                                 STARLING_STORE_STATUS_STREAMING, &error);
  g_assert_cmpuint (seen->len, ==, 3);
  starling_store_finish_message (store, answer, NULL, STARLING_STORE_STATUS_COMPLETE, "STOP",
                                 NULL, NULL, NULL, NULL, &error);
  g_assert_cmpuint (seen->len, ==, 4);
  starling_store_rename_conversation (store, c, "Renamed", &error);
  starling_store_set_pinned (store, c, TRUE, &error);
  starling_store_delete_conversation (store, c, &error);
  g_assert_cmpuint (seen->len, ==, 7);
  g_assert_cmpint (starling_store_purge_deleted (store, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (seen->len, ==, 8);

  for (guint i = 0; i < seen->len; i++)
    g_assert_cmpint (g_array_index (seen, gint64, i), ==, c);
}

static void
test_settings (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(StarlingConversationInfo) info = NULL;
  gint64 c = new_conversation (store, "Settings");
  const char *settings = "{\"thinkingConfig\": {\"thinkingLevel\": \"HIGH\"}, \"tools\": []}";

  starling_store_set_conversation_settings (store, c, settings, &error);
  g_assert_no_error (error);
  starling_store_set_conversation_model (store, c, "gemini-3-pro-preview", &error);
  g_assert_no_error (error);
  info = starling_store_get_conversation (store, c, &error);
  g_assert_cmpstr (starling_conversation_info_get_settings_json (info), ==, settings);
  g_assert_cmpstr (starling_conversation_info_get_model (info), ==, "gemini-3-pro-preview");
  g_assert_cmpstr (starling_conversation_info_get_title (info), ==, "Settings");
  g_assert_true (starling_conversation_info_get_title_is_custom (info));

  g_assert_false (starling_store_set_conversation_settings (store, c, "{oops", &error));
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_INVALID);
}

static void
test_drafts (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(StarlingConversationInfo) info = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *draft = NULL;
  gint64 a = new_conversation (store, "Draft here");
  gint64 b = new_conversation (store, "No draft");
  gint64 updated;
  gint64 n;

  /* none yet: an empty string, not an error */
  draft = starling_store_dup_draft (store, a, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (draft, ==, "");
  g_clear_pointer (&draft, g_free);

  info = starling_store_get_conversation (store, a, &error);
  updated = starling_conversation_info_get_updated (info);
  g_clear_object (&info);

  g_signal_connect (store, "conversation-changed", G_CALLBACK (changed_cb), seen);
  g_assert_true (starling_store_set_draft (store, a, "Perché il cielo\nè blu? ", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seen->len, ==, 1);
  /* the same text again changes nothing and tells nobody */
  g_assert_true (starling_store_set_draft (store, a, "Perché il cielo\nè blu? ", &error));
  g_assert_cmpuint (seen->len, ==, 1);

  /* kept as typed, line breaks and all; the list carries it, and the
   * conversation keeps its place (not updated) */
  draft = starling_store_dup_draft (store, a, &error);
  g_assert_cmpstr (draft, ==, "Perché il cielo\nè blu? ");
  g_clear_pointer (&draft, g_free);
  info = starling_store_get_conversation (store, a, &error);
  g_assert_cmpstr (starling_conversation_info_get_draft (info), ==, "Perché il cielo\nè blu? ");
  g_assert_cmpint (starling_conversation_info_get_updated (info), ==, updated);
  g_clear_object (&info);
  list = starling_store_list_conversations (store, 0, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  for (guint i = 0; i < list->len; i++)
    {
      StarlingConversationInfo *item = g_ptr_array_index (list, i);

      if (starling_conversation_info_get_id (item) == a)
        g_assert_cmpstr (starling_conversation_info_get_draft (item), ==, "Perché il cielo\nè blu? ");
      else
        g_assert_null (starling_conversation_info_get_draft (item));
    }

  /* only white space: no draft */
  g_assert_true (starling_store_set_draft (store, a, " \n\t", &error));
  draft = starling_store_dup_draft (store, a, &error);
  g_assert_cmpstr (draft, ==, "");
  g_clear_pointer (&draft, g_free);
  g_assert_cmpuint (seen->len, ==, 2);

  /* bad input: a clear error, nothing written */
  g_assert_false (starling_store_set_draft (store, 999999, "Nobody's", &error));
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (starling_store_set_draft (store, b, "bad \xff bytes", &error));
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_INVALID);
  g_clear_error (&error);
  draft = starling_store_dup_draft (store, b, &error);
  g_assert_cmpstr (draft, ==, "");
  g_clear_pointer (&draft, g_free);

  /* a draft survives a soft delete (Undo brings it back) and goes with a purge */
  g_assert_true (starling_store_set_draft (store, b, "Keep me", &error));
  g_assert_true (starling_store_delete_conversation (store, b, &error));
  draft = starling_store_dup_draft (store, b, &error);
  g_assert_cmpstr (draft, ==, "Keep me");
  g_clear_pointer (&draft, g_free);
  g_assert_cmpint (starling_store_purge_deleted (store, &error), ==, 1);
  g_assert_no_error (error);
  n = test_sql_int (starling_store_get_path (store), "SELECT count(*) FROM drafts");
  g_assert_cmpint (n, ==, 0);
}

/* Files attached to a draft: kept with it (large ones as blob files), back
 * byte for byte, named in the list, and gone with the draft. */
static void
test_draft_attachments (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(StarlingConversationInfo) info = NULL;
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GBytes) png = test_make_png (200 * 1024, 7);
  g_autofree char *png_base64 = g_base64_encode (g_bytes_get_data (png, NULL), g_bytes_get_size (png));
  g_autofree char *sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, png);
  g_autofree char *blob_path = starling_blob_path (starling_store_get_blob_dir (store), sha256);
  g_autofree char *parts = g_strdup_printf ("[{\"name\": \"cat \\\"1\\\".png\", \"inlineData\": "
                                            "{\"mimeType\": \"image/png\", \"data\": \"%s\"}},"
                                            " {\"name\": \"notes.txt\", \"inlineData\": "
                                            "{\"mimeType\": \"text/plain\", \"data\": \"aGk=\"}}]",
                                            png_base64);
  g_autofree char *back = NULL;
  g_autofree char *draft = NULL;
  g_autofree char *sql = NULL;
  gboolean missing = TRUE;
  gint64 a = new_conversation (store, "With files");
  gint64 updated;

  /* none yet */
  back = starling_store_dup_draft_attachments (store, a, &missing, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back, ==, "[]");
  g_assert_false (missing);
  g_clear_pointer (&back, g_free);

  info = starling_store_get_conversation (store, a, &error);
  updated = starling_conversation_info_get_updated (info);
  g_clear_object (&info);

  /* files and no text make a draft; the large one is a file, not a column */
  g_signal_connect (store, "conversation-changed", G_CALLBACK (changed_cb), seen);
  g_assert_true (starling_store_set_draft_attachments (store, a, parts, "cat \"1\".png, notes.txt", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_true (test_file_equals (blob_path, g_bytes_get_data (png, NULL), g_bytes_get_size (png)));
  g_assert_cmpint (test_sql_int (starling_store_get_path (store), "SELECT length(attachments) FROM drafts"),
                   <, 1000);
  /* the same files again change nothing and tell nobody */
  g_assert_true (starling_store_set_draft_attachments (store, a, parts, "cat \"1\".png, notes.txt", &error));
  g_assert_cmpuint (seen->len, ==, 1);

  back = starling_store_dup_draft_attachments (store, a, &missing, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back, ==, parts);
  g_assert_false (missing);
  g_clear_pointer (&back, g_free);
  info = starling_store_get_conversation (store, a, &error);
  g_assert_cmpstr (starling_conversation_info_get_draft_attachments (info), ==, "cat \"1\".png, notes.txt");
  g_assert_cmpstr (starling_conversation_info_get_draft (info), ==, "");
  g_assert_cmpint (starling_conversation_info_get_updated (info), ==, updated);
  g_clear_object (&info);

  /* text comes and goes; the files stay */
  g_assert_true (starling_store_set_draft (store, a, "What is in these?", &error));
  g_assert_true (starling_store_set_draft (store, a, "", &error));
  g_assert_no_error (error);
  draft = starling_store_dup_draft (store, a, &error);
  g_assert_cmpstr (draft, ==, "");
  back = starling_store_dup_draft_attachments (store, a, NULL, &error);
  g_assert_cmpstr (back, ==, parts);
  g_clear_pointer (&back, g_free);
  g_assert_true (starling_store_set_draft (store, a, "What is in these?", &error));

  /* a blob file lost on disk is reported, not fatal */
  {
    g_autofree char *moved = g_strconcat (blob_path, ".moved", NULL);

    g_assert_cmpint (g_rename (blob_path, moved), ==, 0);
    back = starling_store_dup_draft_attachments (store, a, &missing, &error);
    g_assert_no_error (error);
    g_assert_nonnull (back);
    g_assert_true (missing);
    g_clear_pointer (&back, g_free);
    g_assert_cmpint (g_rename (moved, blob_path), ==, 0);
  }

  /* garbage collection leaves a draft's files alone */
  g_assert_cmpint (starling_store_collect_garbage (store, &error), ==, 0);
  g_assert_true (g_file_test (blob_path, G_FILE_TEST_EXISTS));

  /* bad input: a clear error, nothing written */
  g_assert_false (starling_store_set_draft_attachments (store, a, "{\"name\": 1}", NULL, &error));
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (starling_store_set_draft_attachments (store, a, "[{\"inlineData\"", NULL, &error));
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (starling_store_set_draft_attachments (store, 999999, parts, "x", &error));
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  back = starling_store_dup_draft_attachments (store, a, NULL, &error);
  g_assert_cmpstr (back, ==, parts);
  g_clear_pointer (&back, g_free);

  /* the files removed: the text stays, the blob file goes */
  g_assert_true (starling_store_set_draft_attachments (store, a, "[]", NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (blob_path, G_FILE_TEST_EXISTS));
  draft = (g_free (draft), starling_store_dup_draft (store, a, &error));
  g_assert_cmpstr (draft, ==, "What is in these?");
  info = starling_store_get_conversation (store, a, &error);
  g_assert_cmpstr (starling_conversation_info_get_draft_attachments (info), ==, "");
  g_clear_object (&info);

  /* files only, then no files: no draft at all */
  g_assert_true (starling_store_set_draft (store, a, NULL, &error));
  g_assert_true (starling_store_set_draft_attachments (store, a, parts, "cat.png", &error));
  g_assert_true (starling_store_set_draft_attachments (store, a, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_sql_int (starling_store_get_path (store), "SELECT count(*) FROM drafts"), ==, 0);

  /* a file a sent message also has stays when the draft lets it go */
  g_assert_true (starling_store_set_draft_attachments (store, a, parts, "cat.png", &error));
  starling_store_append_message (store, a, 0, STARLING_STORE_ROLE_USER, parts,
                                 STARLING_STORE_STATUS_COMPLETE, &error);
  g_assert_no_error (error);
  g_assert_true (starling_store_set_draft_attachments (store, a, NULL, NULL, &error));
  g_assert_true (g_file_test (blob_path, G_FILE_TEST_EXISTS));

  /* and a draft's files go with its conversation */
  {
    gint64 b = new_conversation (store, "Thrown away");
    g_autoptr(GBytes) other = test_make_png (150 * 1024, 9);
    g_autofree char *other_base64 = g_base64_encode (g_bytes_get_data (other, NULL), g_bytes_get_size (other));
    g_autofree char *other_sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, other);
    g_autofree char *other_path = starling_blob_path (starling_store_get_blob_dir (store), other_sha256);
    g_autofree char *other_parts = g_strdup_printf ("[{\"name\": \"b.png\", \"inlineData\": "
                                                    "{\"mimeType\": \"image/png\", \"data\": \"%s\"}}]",
                                                    other_base64);

    g_assert_true (starling_store_set_draft_attachments (store, b, other_parts, "b.png", &error));
    g_assert_true (g_file_test (other_path, G_FILE_TEST_EXISTS));
    g_assert_true (starling_store_purge_conversation (store, b, &error));
    g_assert_no_error (error);
    g_assert_false (g_file_test (other_path, G_FILE_TEST_EXISTS));
    g_assert_cmpint (test_sql_int (starling_store_get_path (store), "SELECT count(*) FROM draft_blobs"), ==, 0);
  }
}

/* The text of a prompt being edited: kept on the prompt, not an update. */
static void
test_edit_draft (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(StarlingStoredMessage) loaded = NULL;
  g_autoptr(GPtrArray) path = NULL;
  g_autoptr(StarlingConversationInfo) before = NULL;
  g_autoptr(StarlingConversationInfo) after = NULL;
  gint64 c = new_conversation (store, NULL);
  gint64 user = add_text (store, c, 0, STARLING_STORE_ROLE_USER, "Pack for the sea");
  gint64 answer = add_text (store, c, user, STARLING_STORE_ROLE_MODEL, "Sunscreen.");

  before = starling_store_get_conversation (store, c, &error);
  g_assert_true (starling_store_set_message_edit_draft (store, user, "Pack for the sea in June", &error));
  g_assert_no_error (error);
  loaded = starling_store_get_message (store, user, &error);
  g_assert_cmpstr (starling_stored_message_get_edit_draft (loaded), ==, "Pack for the sea in June");
  g_assert_cmpstr (starling_stored_message_get_text (loaded), ==, "Pack for the sea");
  g_clear_object (&loaded);
  /* with the path a conversation opens with */
  path = load_path (store, c);
  g_assert_cmpstr (starling_stored_message_get_edit_draft (g_ptr_array_index (path, 0)), ==,
                   "Pack for the sea in June");
  g_assert_null (starling_stored_message_get_edit_draft (g_ptr_array_index (path, 1)));
  after = starling_store_get_conversation (store, c, &error);
  g_assert_cmpint (starling_conversation_info_get_updated (after), ==, starling_conversation_info_get_updated (before));

  /* done editing */
  g_assert_true (starling_store_set_message_edit_draft (store, user, NULL, &error));
  loaded = starling_store_get_message (store, user, &error);
  g_assert_null (starling_stored_message_get_edit_draft (loaded));

  /* bad input: a clear error */
  g_assert_false (starling_store_set_message_edit_draft (store, answer, "Not mine to edit", &error));
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (starling_store_set_message_edit_draft (store, user, "bad \xff", &error));
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (starling_store_set_message_edit_draft (store, 999999, "Nobody's", &error));
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_NOT_FOUND);
}

static void
test_stats (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autofree char *b64 = test_make_png_base64 (10000, 4);
  g_autofree char *parts = g_strdup_printf ("[{\"inlineData\": {\"mimeType\": \"image/webp\", "
                                            "\"data\": \"%s\"}}]", b64);
  StarlingStoreStats stats;
  gint64 a = new_conversation (store, NULL);
  gint64 b = new_conversation (store, NULL);

  add_text (store, a, 0, STARLING_STORE_ROLE_USER, "one");
  starling_store_append_message (store, b, 0, STARLING_STORE_ROLE_USER, parts,
                                 STARLING_STORE_STATUS_COMPLETE, &error);
  g_assert_no_error (error);
  starling_store_delete_conversation (store, a, &error);

  g_assert_true (starling_store_get_stats (store, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stats.n_conversations, ==, 1);
  g_assert_cmpint (stats.n_deleted_conversations, ==, 1);
  g_assert_cmpint (stats.n_messages, ==, 2);
  g_assert_cmpint (stats.n_blobs, ==, 1);
  g_assert_cmpint (stats.blob_bytes, ==, 10000);
  g_assert_cmpint (stats.db_bytes, >, 4096);

  g_assert_cmpint (starling_store_purge_deleted (store, &error), ==, 1);
  g_assert_true (starling_store_get_stats (store, &stats, &error));
  g_assert_cmpint (stats.n_deleted_conversations, ==, 0);
  g_assert_cmpint (stats.n_messages, ==, 1);
}

static void
test_second_instance (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(StarlingStore) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(StarlingStoredMessage) m = NULL;
  g_autoptr(GPtrArray) results = NULL;
  gint64 c = new_conversation (store, NULL);
  gint64 user = add_text (store, c, 0, STARLING_STORE_ROLE_USER, "still streaming");
  gint64 answer = starling_store_append_message (store, c, user, STARLING_STORE_ROLE_MODEL,
                                                 "[{\"text\": \"partial\"}]",
                                                 STARLING_STORE_STATUS_STREAMING, &error);
  gint64 deleted = new_conversation (store, "Deleted, undo pending");

  starling_store_delete_conversation (store, deleted, &error);
  g_assert_no_error (error);

  /* another program (a search provider, the CLI) opens the same history:
   * it must not touch the first one's answer or its pending undo */
  other = starling_store_new (starling_store_get_path (store), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (starling_store_get_n_interrupted (other), ==, 0);
  m = starling_store_get_message (other, answer, &error);
  g_assert_cmpint (starling_stored_message_get_status (m), ==, STARLING_STORE_STATUS_STREAMING);
  starling_store_undelete_conversation (store, deleted, &error);
  g_assert_no_error (error);

  /* it sees what the first one writes */
  add_text (store, c, answer, STARLING_STORE_ROLE_USER, "written by the first program");
  results = starling_store_search (other, "first program", 0, 10, STARLING_SEARCH_FLAGS_NONE,
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
}

static gint64
add_parts (StarlingStore     *store,
           gint64             conversation_id,
           gint64             parent_id,
           StarlingStoreRole  role,
           const char        *parts)
{
  g_autoptr(GError) error = NULL;
  gint64 id = starling_store_append_message (store, conversation_id, parent_id, role, parts,
                                             STARLING_STORE_STATUS_COMPLETE, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  return id;
}

static char *
image_part (const char *mime_type,
            GBytes     *bytes,
            gboolean    thought)
{
  g_autofree char *b64 = g_base64_encode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  return g_strdup_printf ("{\"inlineData\":{\"mimeType\":\"%s\",\"data\":\"%s\"}%s}",
                          mime_type, b64, thought ? ",\"thought\":true" : "");
}

typedef struct
{
  gint64      message_id;
  guint       index;
  const char *title;
  const char *prompt;
  const char *mime_type;
  GBytes     *bytes;
  gboolean    in_file;
} ExpectedImage;

static void
assert_images (GPtrArray           *images,
               const ExpectedImage *expected,
               guint                n_expected)
{
  g_assert_cmpuint (images->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      StarlingStoredImage *image = g_ptr_array_index (images, i);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("image %u", i);
      g_assert_cmpint (starling_stored_image_get_message_id (image), ==, expected[i].message_id);
      g_assert_cmpuint (starling_stored_image_get_index (image), ==, expected[i].index);
      g_assert_cmpstr (starling_stored_image_get_conversation_title (image), ==, expected[i].title);
      g_assert_cmpstr (starling_stored_image_get_prompt (image), ==, expected[i].prompt);
      g_assert_cmpstr (starling_stored_image_get_mime_type (image), ==, expected[i].mime_type);
      g_assert_cmpint (starling_stored_image_get_created (image), >, 0);
      g_assert_true ((starling_stored_image_get_path (image) != NULL) == expected[i].in_file);
      g_assert_true ((starling_stored_image_get_base64 (image) != NULL) == !expected[i].in_file);
      if (i > 0)
        g_assert_cmpint (starling_stored_image_get_created (image), <=,
                         starling_stored_image_get_created (g_ptr_array_index (images, i - 1)));

      bytes = starling_stored_image_load_bytes (image, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (bytes, expected[i].bytes));
    }
}

static void
list_images_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = starling_store_list_images_finish (STARLING_STORE (object), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*out);
}

static void
test_list_images (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) async_images = NULL;
  g_autoptr(GBytes) big_png = test_make_png (8000, 1);
  g_autoptr(GBytes) big_png_2 = test_make_png (9000, 2);
  g_autoptr(GBytes) small_jpeg = test_make_png (300, 3);
  g_autoptr(GBytes) attached = test_make_png (200, 4);
  g_autoptr(GBytes) webp = test_make_png (6000, 5);
  g_autoptr(GBytes) draft = test_make_png (5000, 6);
  g_autoptr(GBytes) garden = test_make_png (7000, 7);
  g_autoptr(GBytes) pdf = test_make_png (6000, 8);
  g_autoptr(GBytes) gone = test_make_png (6500, 9);
  g_autofree char *p_big = image_part ("image/png", big_png, FALSE);
  g_autofree char *p_big_2 = image_part ("image/png", big_png_2, FALSE);
  g_autofree char *p_jpeg = image_part ("image/jpeg", small_jpeg, FALSE);
  g_autofree char *p_attached = image_part ("image/png", attached, FALSE);
  g_autofree char *p_webp = image_part ("image/webp", webp, FALSE);
  g_autofree char *p_draft = image_part ("image/png", draft, TRUE);
  g_autofree char *p_garden = image_part ("image/png", garden, FALSE);
  g_autofree char *p_pdf = image_part ("application/pdf", pdf, FALSE);
  g_autofree char *p_gone = image_part ("image/png", gone, FALSE);
  g_autofree char *parts = NULL;
  gint64 a, b, deleted, plain;
  gint64 u1, m1, m1b, u2, m2, ub, mb;
  guint n;

  /* "Lighthouses": an answer, a regenerated answer with two images, then a
   * prompt with an attached picture and an answer that drew a draft first */
  a = new_conversation (store, "Lighthouses");
  u1 = add_text (store, a, 0, STARLING_STORE_ROLE_USER, "Draw a lighthouse");
  parts = g_strdup_printf ("[{\"text\":\"Here is your lighthouse.\"},%s]", p_big);
  m1 = add_parts (store, a, u1, STARLING_STORE_ROLE_MODEL, parts);
  g_clear_pointer (&parts, g_free);
  parts = g_strdup_printf ("[%s,{\"text\":\"Two versions.\"},%s]", p_jpeg, p_big_2);
  m1b = add_parts (store, a, u1, STARLING_STORE_ROLE_MODEL, parts);
  g_clear_pointer (&parts, g_free);
  parts = g_strdup_printf ("[{\"text\":\"Now with a cat like this one\"},%s]", p_attached);
  u2 = add_parts (store, a, m1b, STARLING_STORE_ROLE_USER, parts);
  g_clear_pointer (&parts, g_free);
  parts = g_strdup_printf ("[%s,{\"text\":\"With a cat.\"},%s]", p_draft, p_webp);
  m2 = add_parts (store, a, u2, STARLING_STORE_ROLE_MODEL, parts);
  g_clear_pointer (&parts, g_free);

  /* back to the first answer: the gallery still shows every branch */
  starling_store_select_message (store, m1, &error);
  g_assert_no_error (error);

  /* a deleted conversation's images are gone from the gallery */
  deleted = new_conversation (store, "Deleted");
  u1 = add_text (store, deleted, 0, STARLING_STORE_ROLE_USER, "Draw something gone");
  parts = g_strdup_printf ("[%s]", p_gone);
  add_parts (store, deleted, u1, STARLING_STORE_ROLE_MODEL, parts);
  g_clear_pointer (&parts, g_free);
  starling_store_delete_conversation (store, deleted, &error);
  g_assert_no_error (error);

  /* text only, and a PDF: no images */
  plain = new_conversation (store, "Plain");
  u1 = add_text (store, plain, 0, STARLING_STORE_ROLE_USER, "Summarize this");
  parts = g_strdup_printf ("[{\"text\":\"Read the attached file\"},%s]", p_pdf);
  add_parts (store, plain, u1, STARLING_STORE_ROLE_USER, parts);
  g_clear_pointer (&parts, g_free);

  /* "Gardens", the newest */
  b = new_conversation (store, "Gardens");
  ub = add_text (store, b, 0, STARLING_STORE_ROLE_USER, "A Japanese garden in autumn");
  parts = g_strdup_printf ("[%s]", p_garden);
  mb = add_parts (store, b, ub, STARLING_STORE_ROLE_MODEL, parts);
  g_clear_pointer (&parts, g_free);

  {
    const ExpectedImage expected[] = {
      { mb, 0, "Gardens", "A Japanese garden in autumn", "image/png", garden, TRUE },
      { m2, 0, "Lighthouses", "Now with a cat like this one", "image/webp", webp, TRUE },
      { u2, 0, "Lighthouses", "Now with a cat like this one", "image/png", attached, FALSE },
      { m1b, 0, "Lighthouses", "Draw a lighthouse", "image/jpeg", small_jpeg, FALSE },
      { m1b, 1, "Lighthouses", "Draw a lighthouse", "image/png", big_png_2, TRUE },
      { m1, 0, "Lighthouses", "Draw a lighthouse", "image/png", big_png, TRUE },
    };

    images = starling_store_list_images (store, &error);
    g_assert_no_error (error);
    assert_images (images, expected, G_N_ELEMENTS (expected));
    g_assert_cmpint (starling_stored_image_get_role (g_ptr_array_index (images, 1)), ==,
                     STARLING_STORE_ROLE_MODEL);
    g_assert_cmpint (starling_stored_image_get_role (g_ptr_array_index (images, 2)), ==,
                     STARLING_STORE_ROLE_USER);
    g_assert_cmpint (starling_stored_image_get_conversation_id (g_ptr_array_index (images, 0)), ==, b);
    g_assert_cmpint (starling_stored_image_get_conversation_id (g_ptr_array_index (images, 5)), ==, a);

    /* the same from the worker thread */
    starling_store_list_images_async (store, NULL, list_images_cb, &async_images);
    while (async_images == NULL)
      g_main_context_iteration (NULL, TRUE);
    assert_images (async_images, expected, G_N_ELEMENTS (expected));
  }

  /* a blob file lost from the disk: listed, but its bytes say why they can't load */
  g_assert_cmpint (g_unlink (starling_stored_image_get_path (g_ptr_array_index (images, 0))), ==, 0);
  {
    g_autoptr(GBytes) missing = starling_stored_image_load_bytes (g_ptr_array_index (images, 0),
                                                                  NULL, &error);

    g_assert_null (missing);
    g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_BLOB);
    g_clear_error (&error);
  }

  /* deleting the newest answer takes its image out */
  starling_store_delete_message_pair (store, ub, &error);
  g_assert_no_error (error);
  g_clear_pointer (&images, g_ptr_array_unref);
  images = starling_store_list_images (store, &error);
  g_assert_no_error (error);
  n = images->len;
  g_assert_cmpuint (n, ==, 5);
  g_assert_cmpint (starling_stored_image_get_message_id (g_ptr_array_index (images, 0)), ==, m2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/open/default-path", test_open_default);
  g_test_add_func ("/store/open/async", test_open_async);
  g_test_add_func ("/store/open/second-instance", test_second_instance);
  g_test_add_func ("/store/conversations/list-pinned", test_list_pinned);
  g_test_add_func ("/store/conversations/list-async", test_list_async);
  g_test_add_func ("/store/conversations/titles", test_titles);
  g_test_add_func ("/store/conversations/soft-delete", test_soft_delete);
  g_test_add_func ("/store/conversations/settings", test_settings);
  g_test_add_func ("/store/conversations/changed-signal", test_changed_signal);
  g_test_add_func ("/store/conversations/drafts", test_drafts);
  g_test_add_func ("/store/conversations/draft-attachments", test_draft_attachments);
  g_test_add_func ("/store/messages/edit-draft", test_edit_draft);
  g_test_add_func ("/store/messages/parts-round-trip", test_parts_round_trip);
  g_test_add_func ("/store/messages/parts-kept-inline", test_parts_kept_inline);
  g_test_add_func ("/store/messages/parts-packing", test_parts_packing);
  g_test_add_func ("/store/messages/invalid", test_invalid);
  g_test_add_func ("/store/messages/finish", test_finish);
  g_test_add_func ("/store/messages/streaming-interrupted", test_streaming_interrupted);
  g_test_add_func ("/store/branches/switch-and-delete", test_branches);
  g_test_add_func ("/store/branches/load-async", test_load_async);
  g_test_add_func ("/store/search/non-ascii", test_search_non_ascii);
  g_test_add_func ("/store/search/escaping", test_search_escaping);
  g_test_add_func ("/store/search/build-query", test_build_query);
  g_test_add_func ("/store/search/order", test_search_order);
  g_test_add_func ("/store/search/async-cancel", test_search_async);
  g_test_add_func ("/store/search/unref-while-running", test_unref_while_running);
  g_test_add_func ("/store/stats", test_stats);
  g_test_add_func ("/store/images/list", test_list_images);

  return g_test_run ();
}

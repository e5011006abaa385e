/* test-store-migrations.c: every earlier version of the history opens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "starling-store.h"
#include "store-test-util.h"

#define PNG_SIZE (30 * 1024)

static char *
db_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "starling", "history.db", NULL);
}

static void
exec_sql (StoreConn  *conn,
          const char *sql)
{
  g_autoptr(GError) error = NULL;

  store_conn_exec (conn, sql, &error);
  g_assert_no_error (error);
}

/* Builds a database as version @version of Starling left it, with the SQL
 * of that time, and fills it with that version's INSERTs. */
static void
create_old_database (int version)
{
  g_autofree char *path = db_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *blob_dir = g_build_filename (dir, "blobs", NULL);
  g_autoptr(GBytes) png = test_make_png (PNG_SIZE, 7);
  g_autofree char *sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, png);
  g_autofree char *blob_path = starling_blob_path (blob_dir, sha256);
  g_autofree char *blob_parent = g_path_get_dirname (blob_path);
  g_autoptr(GError) error = NULL;
  g_autoptr(StoreConn) conn = NULL;
  g_autofree char *sql = NULL;

  g_assert_cmpint (g_mkdir_with_parents (blob_parent, 0700), ==, 0);
  g_file_set_contents (blob_path, g_bytes_get_data (png, NULL), g_bytes_get_size (png), &error);
  g_assert_no_error (error);

  conn = store_conn_open (path, FALSE, &error);
  g_assert_no_error (error);
  exec_sql (conn, "PRAGMA journal_mode = WAL");

  for (int v = 0; v < version; v++)
    exec_sql (conn, starling_store_migrations[v]);
  sql = g_strdup_printf ("PRAGMA user_version = %d", version);
  exec_sql (conn, sql);
  g_clear_pointer (&sql, g_free);

  /* the data of that version: conversations had no pinned column in v1 */
  if (version == 1)
    exec_sql (conn,
              "INSERT INTO conversations (id, title, title_is_custom, created, updated, model,"
              " settings_json) VALUES"
              " (1, 'Perché il cielo è blu', 0, 1000, 5000, 'gemini-2.5-flash', '{\"temperature\":1}'),"
              " (2, 'Custom name', 1, 2000, 3000, 'gemini-2.5-pro', NULL);");
  else
    exec_sql (conn,
              "INSERT INTO conversations (id, title, title_is_custom, created, updated, model,"
              " settings_json, pinned) VALUES"
              " (1, 'Perché il cielo è blu', 0, 1000, 5000, 'gemini-2.5-flash', '{\"temperature\":1}', 0),"
              " (2, 'Custom name', 1, 2000, 3000, 'gemini-2.5-pro', NULL, 1);");

  sql = g_strdup_printf (
    "INSERT INTO messages (id, conversation_id, parent_id, role, parts_json, text, thought_text,"
    " finish_reason, usage_json, status, selected_at, created, updated) VALUES"
    " (1, 1, NULL, 'user', '[{\"text\":\"Perché il cielo è blu?\"}]', 'Perché il cielo è blu?',"
    "  '', NULL, NULL, 'complete', 1000, 1000, 1000),"
    " (2, 1, 1, 'model', '[{\"text\":\"Per la diffusione di Rayleigh.\",\"thoughtSignature\":\"c2ln\"}]',"
    "  'Per la diffusione di Rayleigh.', '', 'STOP', '{\"totalTokenCount\":12}', 'complete',"
    "  2000, 2000, 2000),"
    " (3, 1, 1, 'model', '[{\"text\":\"Blu perché\"}]', 'Blu perché', '', NULL, NULL,"
    "  'streaming', 3000, 3000, 3000),"
    " (4, 2, NULL, 'user', '[{\"text\":\"Draw\"},{\"inlineData\":{\"mimeType\":\"image/png\","
    "\"data\":\"starling-blob:%s\"}}]', 'Draw', '', NULL, NULL, 'complete', 4000, 4000, 4000);"
    "INSERT INTO blobs (sha256, mime_type, size, created) VALUES ('%s', 'image/png', %d, 4000);"
    "INSERT INTO message_blobs (message_id, sha256) VALUES (4, '%s');",
    sha256, sha256, PNG_SIZE, sha256);
  exec_sql (conn, sql);
  /* drafts came with v4 */
  if (version >= 4)
    exec_sql (conn, "INSERT INTO drafts (conversation_id, text, updated) VALUES (1, 'Una bozza', 6000);");

  /* closed cleanly, as that version did */
  store_conn_close (g_steal_pointer (&conn), TRUE);
}

static void
check_migrated (gconstpointer data)
{
  int version = GPOINTER_TO_INT (data);
  g_autofree char *path = db_path ();
  g_autoptr(StarlingStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(StarlingStoredMessage) image = NULL;
  g_autoptr(GBytes) png = test_make_png (PNG_SIZE, 7);
  g_autofree char *png_base64 = g_base64_encode (g_bytes_get_data (png, NULL),
                                                 g_bytes_get_size (png));
  g_autofree char *expected_parts = NULL;
  StarlingConversationInfo *first;
  StarlingStoredMessage *answer;
  gint64 added;

  create_old_database (version);
  g_assert_cmpint (test_sql_int (path, "PRAGMA user_version"), ==, version);

  store = starling_store_new (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (starling_store_get_broken_path (store));
  g_assert_cmpint (test_sql_int (path, "PRAGMA user_version"), ==, STARLING_STORE_LATEST_VERSION);

  /* the answer left streaming by that version is now interrupted */
  g_assert_cmpuint (starling_store_get_n_interrupted (store), ==, 1);

  list = starling_store_list_conversations (store, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  first = g_ptr_array_index (list, 0);
  if (version >= 2)
    {
      /* pinned in that version, so on top */
      g_assert_cmpint (starling_conversation_info_get_id (first), ==, 2);
      g_assert_true (starling_conversation_info_get_pinned (first));
    }
  else
    {
      /* v1 had no pins: newest first, none pinned */
      g_assert_cmpint (starling_conversation_info_get_id (first), ==, 1);
      g_assert_false (starling_conversation_info_get_pinned (first));
      first = g_ptr_array_index (list, 1);
    }
  g_assert_cmpstr (starling_conversation_info_get_title (first), ==, "Custom name");
  g_assert_true (starling_conversation_info_get_title_is_custom (first));
  g_assert_cmpstr (starling_conversation_info_get_model (first), ==, "gemini-2.5-pro");

  /* the newer answer (3) is the selected branch; 2 is its sibling */
  messages = starling_store_load_path (store, 1, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 2);
  answer = g_ptr_array_index (messages, 1);
  g_assert_cmpint (starling_stored_message_get_id (answer), ==, 3);
  g_assert_cmpint (starling_stored_message_get_status (answer), ==,
                   STARLING_STORE_STATUS_INTERRUPTED);
  g_assert_cmpuint (starling_stored_message_get_n_siblings (answer), ==, 2);
  g_clear_pointer (&messages, g_ptr_array_unref);

  messages = starling_store_load_path (store, 1, 2, 0, &error);
  g_assert_no_error (error);
  answer = g_ptr_array_index (messages, 1);
  g_assert_cmpstr (starling_stored_message_get_parts_json (answer), ==,
                   "[{\"text\":\"Per la diffusione di Rayleigh.\",\"thoughtSignature\":\"c2ln\"}]");
  g_assert_cmpstr (starling_stored_message_get_usage_json (answer), ==, "{\"totalTokenCount\":12}");
  g_assert_cmpstr (starling_stored_message_get_finish_reason (answer), ==, "STOP");

  /* the image kept as a blob by that version comes back */
  image = starling_store_get_message (store, 4, &error);
  g_assert_no_error (error);
  expected_parts = g_strdup_printf ("[{\"text\":\"Draw\"},{\"inlineData\":{\"mimeType\":"
                                    "\"image/png\",\"data\":\"%s\"}}]", png_base64);
  g_assert_cmpstr (starling_stored_message_get_parts_json (image), ==, expected_parts);

  /* old text is searchable, interrupted answer included */
  results = starling_store_search (store, "rayleigh", 0, 10, STARLING_SEARCH_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpint (starling_search_result_get_message_id (g_ptr_array_index (results, 0)), ==, 2);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = starling_store_search (store, "perche", 0, 10, STARLING_SEARCH_FLAGS_NONE, &error);
  g_assert_no_error (error);
  /* the title, the prompt and the interrupted answer */
  g_assert_cmpuint (results->len, ==, 3);

  /* and it goes on working */
  added = starling_store_append_message (store, 1, 3, STARLING_STORE_ROLE_USER,
                                         "[{\"text\":\"Grazie\"}]",
                                         STARLING_STORE_STATUS_COMPLETE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (added, >, 4);
  starling_store_set_pinned (store, 1, TRUE, &error);
  g_assert_no_error (error);
  starling_store_set_draft (store, 2, "Un'altra domanda", &error);
  g_assert_no_error (error);
  {
    g_autofree char *draft = starling_store_dup_draft (store, 2, &error);

    g_assert_cmpstr (draft, ==, "Un'altra domanda");
  }
  /* prompts of any version can be being edited */
  starling_store_set_message_edit_draft (store, 1, "Perché il cielo è azzurro?", &error);
  g_assert_no_error (error);
  {
    g_autoptr(StarlingStoredMessage) prompt = starling_store_get_message (store, 1, &error);

    g_assert_cmpstr (starling_stored_message_get_edit_draft (prompt), ==, "Perché il cielo è azzurro?");
    g_assert_cmpstr (starling_stored_message_get_text (prompt), ==, "Perché il cielo è blu?");
  }
  /* a draft of v4 keeps its text and has no files; files can join it */
  if (version >= 4)
    {
      g_autofree char *draft = starling_store_dup_draft (store, 1, &error);
      g_autofree char *files = starling_store_dup_draft_attachments (store, 1, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (draft, ==, "Una bozza");
      g_assert_cmpstr (files, ==, "[]");
    }
  starling_store_set_draft_attachments (store, 1, "[{\"name\": \"a.txt\", \"inlineData\": "
                                        "{\"mimeType\": \"text/plain\", \"data\": \"aGk=\"}}]",
                                        "a.txt", &error);
  g_assert_no_error (error);
  {
    g_autofree char *files = starling_store_dup_draft_attachments (store, 1, NULL, &error);

    g_assert_cmpstr (files, ==, "[{\"name\": \"a.txt\", \"inlineData\": "
                     "{\"mimeType\": \"text/plain\", \"data\": \"aGk=\"}}]");
  }

  {
    g_autofree char *problem = test_fts_check (path,
                                               "INSERT INTO message_fts (message_fts) "
                                               "VALUES ('integrity-check')");
    g_autofree char *check = test_sql_text (path, "PRAGMA integrity_check");

    g_assert_null (problem);
    g_assert_cmpstr (check, ==, "ok");
  }
}

/* An empty file (what an interrupted first start could leave) is a new database. */
static void
test_empty_file (void)
{
  g_autofree char *path = db_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(StarlingStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, "", 0, &error);
  g_assert_no_error (error);

  store = starling_store_new (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (starling_store_get_broken_path (store));
  g_assert_cmpint (test_sql_int (path, "PRAGMA user_version"), ==, STARLING_STORE_LATEST_VERSION);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (int v = 1; v < STARLING_STORE_LATEST_VERSION; v++)
    {
      g_autofree char *name = g_strdup_printf ("/store/migrations/from-v%d", v);

      g_test_add_data_func (name, GINT_TO_POINTER (v), check_migrated);
    }
  /* a database already at the latest version opens as it is */
  g_test_add_data_func ("/store/migrations/latest", GINT_TO_POINTER (STARLING_STORE_LATEST_VERSION),
                        check_migrated);
  g_test_add_func ("/store/migrations/empty-file", test_empty_file);

  return g_test_run ();
}

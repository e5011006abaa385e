/* test-store-corrupt.c: an unreadable history is kept aside, never lost
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "starling-store.h"
#include "store-test-util.h"

static char *
db_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "starling", "history.db", NULL);
}

static char *
db_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "starling", NULL);
}

static void
write_file (const char   *path,
            const guint8 *data,
            gsize         len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, (const char *) data, len, &error);
  g_assert_no_error (error);
}

static GBytes *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (data, len);
}

/* A real history with some content, closed cleanly (no log left). */
static void
make_good_database (guint n_messages)
{
  g_autofree char *path = db_path ();
  g_autoptr(StarlingStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 c;
  gint64 parent = 0;

  store = starling_store_new (path, NULL, &error);
  g_assert_no_error (error);
  c = starling_store_create_conversation (store, "Precious", NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n_messages; i++)
    {
      g_autofree char *parts = g_strdup_printf ("[{\"text\": \"message %u: %s\"}]", i,
                                                "lorem ipsum dolor sit amet, consectetur "
                                                "adipiscing elit, sed do eiusmod tempor "
                                                "incididunt ut labore et dolore magna aliqua");

      parent = starling_store_append_message (store, c, parent,
                                              i % 2 ? STARLING_STORE_ROLE_MODEL
                                                    : STARLING_STORE_ROLE_USER,
                                              parts, STARLING_STORE_STATUS_COMPLETE, &error);
      g_assert_no_error (error);
    }
}

/* Moved databases in @dir (their -wal and -shm not counted) */
static guint
count_moved (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GRegex) regex = g_regex_new ("^history\\.db\\.broken-\\d{8}-\\d{6}(-\\d+)?$",
                                         0, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_regex_match (regex, name, 0, NULL))
      n++;

  return n;
}

/* Opens the store on what the test left at the default path and checks the
 * promise: the bad file moved aside with a dated name, byte for byte, its
 * log and shared memory with it, a new empty history that works. */
static void
open_and_check_moved (GBytes     *original,
                      GBytes     *original_wal,
                      gboolean    future)
{
  g_autofree char *path = db_path ();
  g_autofree char *dir = db_dir ();
  g_autoptr(StarlingStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) name_regex = NULL;
  g_autoptr(GBytes) moved = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *message = NULL;
  g_autofree char *expected_message = NULL;
  const char *broken;
  gint64 c;

  store = starling_store_new (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  broken = starling_store_get_broken_path (store);
  g_assert_nonnull (broken);
  basename = g_path_get_basename (broken);
  name_regex = g_regex_new ("^history\\.db\\.broken-\\d{8}-\\d{6}$", 0, 0, NULL);
  g_assert_true (g_regex_match (name_regex, basename, 0, NULL));
  {
    g_autofree char *broken_dir = g_path_get_dirname (broken);

    g_assert_cmpstr (broken_dir, ==, dir);
  }

  /* the bytes are all there */
  moved = read_file (broken);
  g_assert_true (g_bytes_equal (moved, original));
  if (original_wal != NULL)
    {
      g_autofree char *wal = g_strconcat (broken, "-wal", NULL);
      g_autoptr(GBytes) moved_wal = read_file (wal);

      g_assert_true (g_bytes_equal (moved_wal, original_wal));
    }

  /* the user is told, in a sentence */
  message = starling_store_dup_recovery_message (store);
  if (future)
    expected_message = g_strdup_printf ("Your history was saved by a newer version of Starling. "
                                        "It was kept as “%s” and a new one was started.",
                                        basename);
  else
    expected_message = g_strdup_printf ("Your history could not be read. "
                                        "It was kept as “%s” and a new one was started.",
                                        basename);
  g_assert_cmpstr (message, ==, expected_message);

  /* a new history, empty, that works */
  g_assert_cmpint (test_sql_int (path, "PRAGMA user_version"), ==, STARLING_STORE_LATEST_VERSION);
  list = starling_store_list_conversations (store, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
  c = starling_store_create_conversation (store, "Fresh start", NULL, NULL, &error);
  g_assert_no_error (error);
  starling_store_append_message (store, c, 0, STARLING_STORE_ROLE_USER, "[{\"text\": \"hi\"}]",
                                 STARLING_STORE_STATUS_COMPLETE, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  /* the next start is a normal one */
  store = starling_store_new (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (starling_store_get_broken_path (store));
  g_assert_cmpint (starling_store_count_conversations (store, &error), ==, 1);

  /* nothing deleted, nothing moved twice: exactly one copy aside */
  g_assert_cmpuint (count_moved (dir), ==, 1);
}

static void
test_garbage (void)
{
  g_autofree char *path = db_path ();
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autoptr(GBytes) garbage = test_make_png (10000, 11);
  g_autoptr(GBytes) garbage_wal = test_make_png (3000, 12);

  write_file (path, g_bytes_get_data (garbage, NULL), g_bytes_get_size (garbage));
  write_file (wal, g_bytes_get_data (garbage_wal, NULL), g_bytes_get_size (garbage_wal));

  open_and_check_moved (garbage, garbage_wal, FALSE);
}

static void
test_short_garbage (void)
{
  g_autofree char *path = db_path ();
  g_autoptr(GBytes) text = g_bytes_new_static ("not a database\n", 15);

  write_file (path, g_bytes_get_data (text, NULL), g_bytes_get_size (text));
  open_and_check_moved (text, NULL, FALSE);
}

static void
truncate_database (gsize (*new_size) (gsize))
{
  g_autofree char *path = db_path ();
  g_autoptr(GBytes) whole = NULL;
  g_autoptr(GBytes) truncated = NULL;
  gsize size;

  make_good_database (400);
  whole = read_file (path);
  size = new_size (g_bytes_get_size (whole));
  g_assert_cmpuint (size, <, g_bytes_get_size (whole));
  truncated = g_bytes_new_from_bytes (whole, 0, size);
  write_file (path, g_bytes_get_data (truncated, NULL), size);

  open_and_check_moved (truncated, NULL, FALSE);
}

static gsize
half_on_page (gsize size)
{
  return (size / 2) & ~(gsize) 4095;
}

static gsize
half_odd (gsize size)
{
  return size / 2 + 123;
}

static void
test_truncated_page (void)
{
  truncate_database (half_on_page);
}

static void
test_truncated_odd (void)
{
  truncate_database (half_odd);
}

static void
test_future_version (void)
{
  g_autofree char *path = db_path ();
  g_autoptr(GBytes) original = NULL;
  sqlite3 *db = NULL;
  g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %d",
                                          STARLING_STORE_LATEST_VERSION + 1);

  make_good_database (10);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);
  original = read_file (path);

  open_and_check_moved (original, NULL, TRUE);
}

/* Damage inside the file, past the first page: only PRAGMA quick_check sees
 * it. Returns the damaged bytes. */
static GBytes *
damage_index (void)
{
  g_autofree char *path = db_path ();
  g_autoptr(GBytes) original = NULL;
  guint8 *data;
  gsize len;
  gint64 page;
  const gsize page_size = 4096;

  make_good_database (300);
  page = test_sql_int (path, "SELECT rootpage FROM sqlite_master "
                             "WHERE name = 'messages_by_conversation'");
  g_assert_cmpint (page, >, 1);

  original = read_file (path);
  data = g_bytes_unref_to_data (g_steal_pointer (&original), &len);
  g_assert_cmpuint ((page - 1) * page_size + page_size, <=, len);
  /* scramble the index's root page, after its page header */
  for (gsize i = 16; i < page_size; i++)
    data[(page - 1) * page_size + i] ^= 0x5a;
  write_file (path, data, len);

  /* the header is fine and the version readable: the damage is deeper */
  g_assert_cmpint (test_sql_int (path, "PRAGMA user_version"), ==, STARLING_STORE_LATEST_VERSION);
  {
    g_autofree char *check = test_sql_text (path, "PRAGMA quick_check");

    g_assert_cmpstr (check, !=, "ok");
  }

  return g_bytes_new_take (data, len);
}

static void
test_quick_check_fails (void)
{
  g_autoptr(GBytes) damaged = damage_index ();

  open_and_check_moved (damaged, NULL, FALSE);
}

static void
check_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GError **error = user_data;
  gboolean ok = starling_store_check_finish (STARLING_STORE (source), result, error);

  g_assert_true (ok == (*error == NULL));
  if (*error == NULL)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "sound");
}

static void
set_finalized (gpointer data)
{
  g_atomic_int_set ((int *) data, TRUE);
}

/* The store may go away on its worker thread, a moment after the last job.
 * Its lock is let go in finalize, after weak pointers are cleared: wait for
 * the object data to be freed, at the very end of finalize, or the next
 * store could find the history still locked and leave it alone. */
static void
close_store (StarlingStore **store)
{
  int finalized = FALSE;

  g_object_set_data_full (G_OBJECT (*store), "test-finalized", &finalized, set_finalized);
  g_clear_object (store);
  while (!g_atomic_int_get (&finalized))
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static GError *
run_check (StarlingStore *store)
{
  GError *error = NULL;

  starling_store_check_async (store, NULL, check_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);

  return error;
}

/* A big history is checked in the background; damage found there moves it
 * aside at the next start. */
static void
test_background_check (void)
{
  g_autofree char *path = db_path ();
  g_autofree char *mark = g_strconcat (path, ".needs-check", NULL);
  g_autoptr(GBytes) damaged = NULL;
  g_autoptr(StarlingStore) store = NULL;
  g_autoptr(GError) error = NULL;

  /* a sound history passes */
  make_good_database (20);
  store = starling_store_new (path, NULL, &error);
  g_assert_no_error (error);
  error = run_check (store);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (g_file_test (mark, G_FILE_TEST_EXISTS));
  close_store (&store);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);

    g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  }
  g_unlink (path);

  /* a damaged one, opened without the check at start (as a big one is) */
  damaged = damage_index ();
  g_setenv ("STARLING_STORE_CHECK", "0", TRUE);
  store = starling_store_new (path, NULL, &error);
  g_unsetenv ("STARLING_STORE_CHECK");
  g_assert_no_error (error);
  g_assert_null (starling_store_get_broken_path (store));

  error = run_check (store);
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_CORRUPT);
  g_assert_cmpstr (error->message, ==, "Your history is damaged. When Starling starts again, it "
                                       "will keep the damaged history aside and start a new one.");
  g_clear_error (&error);
  g_assert_true (g_file_test (mark, G_FILE_TEST_EXISTS));
  close_store (&store);

  /* the next start, even without its own check, moves it aside */
  g_setenv ("STARLING_STORE_CHECK", "0", TRUE);
  open_and_check_moved (damaged, NULL, FALSE);
  g_unsetenv ("STARLING_STORE_CHECK");
  g_assert_false (g_file_test (mark, G_FILE_TEST_EXISTS));
}

/* Another Starling has the history open: even a damaged file is left alone. */
static void
test_in_use_not_moved (void)
{
  g_autofree char *path = db_path ();
  g_autofree char *lock_path = g_strconcat (path, ".lock", NULL);
  g_autoptr(GBytes) garbage = test_make_png (8192, 13);
  g_autoptr(StarlingStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autofree char *dir = db_dir ();
  int fd;

  write_file (path, g_bytes_get_data (garbage, NULL), g_bytes_get_size (garbage));
  fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (flock (fd, LOCK_EX | LOCK_NB), ==, 0);

  store = starling_store_new (path, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_CORRUPT);
  close (fd);

  after = read_file (path);
  g_assert_true (g_bytes_equal (after, garbage));
  g_assert_cmpuint (count_moved (dir), ==, 0);
}

/* Twice in the same second: two names, both kept. */
static void
test_twice (void)
{
  g_autofree char *path = db_path ();
  g_autofree char *dir = db_dir ();
  g_autoptr(GBytes) first = test_make_png (5000, 21);
  g_autoptr(GBytes) second = test_make_png (5000, 22);
  g_autoptr(GError) error = NULL;
  g_autoptr(StarlingStore) store1 = NULL;
  g_autoptr(StarlingStore) store2 = NULL;
  g_autoptr(GBytes) kept1 = NULL;
  g_autoptr(GBytes) kept2 = NULL;
  g_autofree char *broken1 = NULL;

  write_file (path, g_bytes_get_data (first, NULL), g_bytes_get_size (first));
  store1 = starling_store_new (path, NULL, &error);
  g_assert_no_error (error);
  broken1 = g_strdup (starling_store_get_broken_path (store1));
  g_clear_object (&store1);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }

  write_file (path, g_bytes_get_data (second, NULL), g_bytes_get_size (second));
  store2 = starling_store_new (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (starling_store_get_broken_path (store2), !=, broken1);

  kept1 = read_file (broken1);
  kept2 = read_file (starling_store_get_broken_path (store2));
  g_assert_true (g_bytes_equal (kept1, first));
  g_assert_true (g_bytes_equal (kept2, second));
  g_assert_cmpuint (count_moved (dir), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/corrupt/garbage", test_garbage);
  g_test_add_func ("/store/corrupt/short-garbage", test_short_garbage);
  g_test_add_func ("/store/corrupt/truncated-on-page", test_truncated_page);
  g_test_add_func ("/store/corrupt/truncated-odd", test_truncated_odd);
  g_test_add_func ("/store/corrupt/future-version", test_future_version);
  g_test_add_func ("/store/corrupt/quick-check-fails", test_quick_check_fails);
  g_test_add_func ("/store/corrupt/background-check", test_background_check);
  g_test_add_func ("/store/corrupt/in-use-not-moved", test_in_use_not_moved);
  g_test_add_func ("/store/corrupt/twice", test_twice);

  return g_test_run ();
}

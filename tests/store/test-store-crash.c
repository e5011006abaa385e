/* test-store-crash.c: killed while streaming, 100 times, nothing lost
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A child process (store-crash-child) stores a prompt, streams the answer
 * from the fake server with the real client, saving it as it grows; this
 * test kills it with SIGKILL at a random moment, then opens the history as
 * the app would on its next start.
 */

#include <signal.h>

#include "fake-gemini.h"
#include "starling-store.h"
#include "starling-test-time.h"
#include "store-test-util.h"

#define N_RUNS 100
/* Most kills come 0-350 ms after the request went out (the answer takes
 * about 250 ms); one run in eight is killed 20-150 ms after the start, while
 * the child opens the history and stores the prompt. Timing from the
 * request keeps the test meaningful on a loaded machine. Under a sanitizer the
 * child runs slower than the fake server's pace: the kill windows are
 * stretched by STARLING_TEST_TIME_SCALE (starling-test-time.h), so that some
 * answers still finish and some kills still come before the answer starts. */
#define KILL_MAX_MS 350
#define EARLY_KILL_MIN_MS 20
#define EARLY_KILL_MAX_MS 150
#define EVENT_DELAY_MS 8

typedef struct
{
  StarlingStoreRole    role;
  StarlingStoreStatus  status;
  char                *parts;
  char                *text;
} Seen;

static void
seen_free (Seen *seen)
{
  g_free (seen->parts);
  g_free (seen->text);
  g_free (seen);
}

typedef struct
{
  const char *db;
  const char *answer;
  gint64      conversation;
  GHashTable *seen;          /* message id -> Seen: what earlier checks found */
  guint       n_complete;
  guint       n_partial;
  guint       n_empty;
  guint       n_no_answer;
} Crash;

static char *
make_answer (void)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; s->len < 1400; i++)
    g_string_append_printf (s, "Sentence %u of the answer, perché the stream must be long enough "
                               "to be cut — Größe, 日本語. ", i);

  return g_string_free (s, FALSE);
}

static void
check_after_kill (Crash      *crash,
                  guint       run,
                  const char *prompt)
{
  g_autoptr(StarlingStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) path = NULL;
  g_autofree char *check = NULL;
  g_autofree char *fts_problem = NULL;
  StarlingStoredMessage *answer = NULL;
  StarlingStoredMessage *question = NULL;
  guint n_new = 0;

  /* the database is sound */
  check = test_sql_text (crash->db, "PRAGMA integrity_check");
  g_assert_cmpstr (check, ==, "ok");

  /* the next start: no moving aside, the streamed answer marked interrupted */
  store = starling_store_new (crash->db, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (starling_store_get_broken_path (store));

  fts_problem = test_fts_check (crash->db, "INSERT INTO message_fts (message_fts) "
                                           "VALUES ('integrity-check')");
  g_assert_null (fts_problem);

  path = starling_store_load_path (store, crash->conversation, 0, 0, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < path->len; i++)
    {
      StarlingStoredMessage *m = g_ptr_array_index (path, i);
      Seen *seen = g_hash_table_lookup (crash->seen, GINT_TO_POINTER (starling_stored_message_get_id (m)));

      if (seen != NULL)
        {
          /* every message of earlier runs is exactly as it was */
          g_assert_cmpint (starling_stored_message_get_role (m), ==, seen->role);
          g_assert_cmpint (starling_stored_message_get_status (m), ==, seen->status);
          g_assert_cmpstr (starling_stored_message_get_parts_json (m), ==, seen->parts);
          g_assert_cmpstr (starling_stored_message_get_text (m), ==, seen->text);
          continue;
        }

      n_new++;
      if (starling_stored_message_get_role (m) == STARLING_STORE_ROLE_USER)
        question = m;
      else
        answer = m;
    }

  /* every message seen before is still on the path */
  g_assert_cmpuint (path->len - n_new, ==, g_hash_table_size (crash->seen));
  g_assert_cmpuint (n_new, <=, 2);

  if (answer != NULL)
    {
      const char *text = starling_stored_message_get_text (answer);

      /* an answer always follows its stored prompt */
      g_assert_nonnull (question);
      g_assert_cmpint (starling_stored_message_get_parent_id (answer), ==,
                       starling_stored_message_get_id (question));

      switch (starling_stored_message_get_status (answer))
        {
        case STARLING_STORE_STATUS_COMPLETE:
          g_assert_cmpstr (text, ==, crash->answer);
          g_assert_cmpstr (starling_stored_message_get_finish_reason (answer), ==, "STOP");
          g_assert_cmpuint (starling_store_get_n_interrupted (store), ==, 0);
          crash->n_complete++;
          break;

        case STARLING_STORE_STATUS_INTERRUPTED:
          /* what had arrived, a prefix of the whole answer: all of it when
           * the kill came after the last chunk was saved and before the end
           * of the stream was (the answer is not known to be complete then) */
          g_assert_true (g_str_has_prefix (crash->answer, text));
          g_assert_cmpuint (starling_store_get_n_interrupted (store), ==, 1);
          if (text[0] != '\0')
            crash->n_partial++;
          else
            crash->n_empty++;
          break;

        case STARLING_STORE_STATUS_STREAMING:
        case STARLING_STORE_STATUS_STOPPED:
        case STARLING_STORE_STATUS_ERROR:
        default:
          g_error ("Run %u: the answer is %s", run,
                   starling_store_status_to_string (starling_stored_message_get_status (answer)));
        }
    }
  else
    {
      g_assert_cmpuint (starling_store_get_n_interrupted (store), ==, 0);
      crash->n_no_answer++;
    }

  if (question != NULL)
    {
      g_assert_cmpstr (starling_stored_message_get_text (question), ==, prompt);
      g_assert_cmpint (starling_stored_message_get_status (question), ==,
                       STARLING_STORE_STATUS_COMPLETE);
    }

  /* remember this state for the next runs */
  for (guint i = 0; i < path->len; i++)
    {
      StarlingStoredMessage *m = g_ptr_array_index (path, i);
      gpointer key = GINT_TO_POINTER (starling_stored_message_get_id (m));
      Seen *seen;

      if (g_hash_table_contains (crash->seen, key))
        continue;

      seen = g_new0 (Seen, 1);
      seen->role = starling_stored_message_get_role (m);
      seen->status = starling_stored_message_get_status (m);
      seen->parts = g_strdup (starling_stored_message_get_parts_json (m));
      seen->text = g_strdup (starling_stored_message_get_text (m));
      g_hash_table_insert (crash->seen, key, seen);
    }
}

static void
test_sigkill (void)
{
  g_autoptr(FakeGemini) fake = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = make_answer ();
  g_autofree char *escaped = fake_gemini_escape_value (answer);
  g_autofree char *scenario = g_strdup_printf ("text=%s;delay_ms=%d", escaped, EVENT_DELAY_MS);
  g_autofree char *db = g_build_filename (g_get_user_data_dir (), "starling", "history.db", NULL);
  g_autofree char *child_path = g_test_build_filename (G_TEST_BUILT, "store", "store-crash-child",
                                                       NULL);
  g_autofree char *conversation_arg = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) seen_free);
  gint64 started = g_get_monotonic_time ();
  Crash crash = { db, answer, 0, seen, 0, 0, 0, 0 };

  g_assert_true (g_file_test (child_path, G_FILE_TEST_IS_EXECUTABLE));

  fake = fake_gemini_new (g_getenv ("STARLING_CORPUS_DIR"), &error);
  g_assert_no_error (error);
  fake_gemini_route (fake, "crash-model", scenario);

  {
    g_autoptr(StarlingStore) store = starling_store_new (db, NULL, &error);

    g_assert_no_error (error);
    crash.conversation = starling_store_create_conversation (store, "Crash test", "crash-model",
                                                             NULL, &error);
    g_assert_no_error (error);
  }
  conversation_arg = g_strdup_printf ("%" G_GINT64_FORMAT, crash.conversation);

  for (guint run = 0; run < N_RUNS; run++)
    {
      g_autoptr(GSubprocess) child = NULL;
      g_autofree char *prompt = g_strdup_printf ("Question %u: perché?", run);
      int kill_ms = g_test_rand_int_range (0, starling_test_scaled_ms (KILL_MAX_MS) + 1);

      child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, child_path, db,
                                fake_gemini_get_base_url (fake), conversation_arg, prompt, NULL);
      g_assert_no_error (error);

      if (run % 8 == 3)
        g_usleep (g_test_rand_int_range (starling_test_scaled_ms (EARLY_KILL_MIN_MS),
                                         starling_test_scaled_ms (EARLY_KILL_MAX_MS) + 1) * 1000);
      else
        {
          g_autoptr(GDataInputStream) out =
            g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
          g_autofree char *line = g_data_input_stream_read_line (out, NULL, NULL, &error);

          g_assert_no_error (error);
          g_assert_cmpstr (line, ==, "streaming");
          g_usleep (kill_ms * 1000);
        }
      g_subprocess_send_signal (child, SIGKILL);
      g_subprocess_wait (child, NULL, &error);
      g_assert_no_error (error);

      /* a child that ended before the kill must have ended well */
      if (g_subprocess_get_if_exited (child))
        g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
      else
        g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);

      check_after_kill (&crash, run, prompt);
    }

  g_test_message ("%u runs in %.1f s: %u complete, %u partial, %u interrupted before any text, "
                  "%u killed before the answer started",
                  N_RUNS, (g_get_monotonic_time () - started) / 1e6, crash.n_complete,
                  crash.n_partial, crash.n_empty, crash.n_no_answer);

  /* the kills did land while answers were streaming, and some answers finished */
  g_assert_cmpuint (crash.n_partial, >=, 10);
  g_assert_cmpuint (crash.n_complete, >=, 1);
  g_assert_cmpuint (crash.n_complete + crash.n_partial + crash.n_empty + crash.n_no_answer, ==,
                    N_RUNS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/crash/sigkill", test_sigkill);

  return g_test_run ();
}

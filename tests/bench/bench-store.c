/* bench-store.c: the history with 10,000 conversations and 200,000 messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints one figure per line, "name value":
 *   store_generate_s, store_db_mb, store_open_cold_ms, store_first_page_cold_ms,
 *   store_open_first_page_cold_ms, store_load_1000_ms, store_load_window_200_ms,
 *   store_search_first_pass_{p50,p95,max}_ms (just after a cold start),
 *   store_search_{p50,p95,max}_ms (warm, titles and messages),
 *   store_search_messages_{p50,p95,max}_ms (warm, messages only),
 *   store_append_us, store_stream_update_us, store_quick_check_cold_ms
 *
 * STARLING_BENCH_SCALE=0.1 makes a tenth of the history (for a quick look);
 * STARLING_BENCH_KEEP=1 keeps the database it made, and STARLING_BENCH_DB=PATH
 * measures that one instead of making a new one.
 */

#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "starling-store-private.h"
#include "starling-store.h"

#define N_CONVERSATIONS 10000
#define N_MESSAGES 200000
#define LONG_CONVERSATION 1000
#define N_QUERIES 200
#define PAGE 50

static const char * const common_words[] = {
  "the", "and", "of", "to", "a", "in", "is", "that", "for", "it", "with", "as", "on", "this",
  "be", "are", "by", "you", "can", "or", "from", "an", "use", "function", "data", "file",
  "value", "error", "python", "code", "example", "time", "return", "list", "string", "image",
  "model", "question", "answer", "because", "like", "when", "which", "more", "also", "how",
};

static const char * const rare_words[] = {
  "photosynthesis", "kubernetes", "sourdough", "mitochondria", "quaternion", "saxophone",
  "bioluminescence", "cryptography", "archipelago", "thermodynamics", "calligraphy", "origami",
  "perché", "città", "così", "università", "Größe", "Straße", "Mädchen", "über", "naïve",
  "café", "résumé", "Ελλάδα", "Москва", "日本語", "東京", "テキスト", "勉強", "한국어",
};

static const char * const syllables[] = {
  "ka", "lo", "mi", "ne", "ru", "sa", "te", "vi", "zo", "pa", "qui", "dre", "stan", "mor",
  "bel", "cor", "dis", "fen", "gra", "hul", "jor", "lin", "mas", "nor", "pel", "ros", "sil",
  "tur", "val", "wen",
};

typedef struct
{
  GRand   *rand;
  GPtrArray *vocabulary;   /* invented words: a long tail of rare terms */
} Gen;

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static const char *
pick (Gen *gen)
{
  guint r = g_rand_int_range (gen->rand, 0, 1000);

  if (r < 550)
    return common_words[g_rand_int_range (gen->rand, 0, G_N_ELEMENTS (common_words))];
  if (r < 570)
    return rare_words[g_rand_int_range (gen->rand, 0, G_N_ELEMENTS (rare_words))];

  /* Zipf-like: low indices much more often */
  {
    double u = g_rand_double (gen->rand);
    guint index = (guint) (gen->vocabulary->len * u * u * u);

    return g_ptr_array_index (gen->vocabulary, MIN (index, gen->vocabulary->len - 1));
  }
}

static void
append_sentence (Gen     *gen,
                 GString *s)
{
  guint n = g_rand_int_range (gen->rand, 5, 18);

  for (guint i = 0; i < n; i++)
    {
      const char *w = pick (gen);

      if (i == 0)
        {
          gunichar c = g_utf8_get_char (w);

          g_string_append_unichar (s, g_unichar_toupper (c));
          g_string_append (s, g_utf8_next_char (w));
        }
      else
        {
          g_string_append_c (s, ' ');
          g_string_append (s, w);
        }
    }
  g_string_append (s, ". ");
}

/* Mixed lengths: prompts are short, most answers a few paragraphs, some long. */
static char *
make_text (Gen      *gen,
           gboolean  user)
{
  GString *s = g_string_new (NULL);
  gsize target;
  guint r = g_rand_int_range (gen->rand, 0, 100);

  if (user)
    target = g_rand_int_range (gen->rand, 20, 300);
  else if (r < 70)
    target = g_rand_int_range (gen->rand, 100, 700);
  else if (r < 95)
    target = g_rand_int_range (gen->rand, 700, 2000);
  else
    target = g_rand_int_range (gen->rand, 2000, 5000);

  while (s->len < target)
    {
      append_sentence (gen, s);
      if (!user && g_rand_int_range (gen->rand, 0, 5) == 0)
        g_string_append (s, "\n\n");
    }

  return g_string_free (s, FALSE);
}

static char *
parts_for (const char *text)
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
generate (StarlingStore *store,
          Gen           *gen,
          guint          n_conversations,
          guint          n_messages)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint *counts = g_new0 (guint, n_conversations);
  guint long_index = n_conversations / 2;
  guint others = n_conversations - 1;
  guint remaining = n_messages - LONG_CONVERSATION;
  gint64 now = g_get_real_time ();
  gint64 long_id = 0;

  /* about 20 messages each, from 2 to 38, the total exact */
  for (guint c = 0, k = 0; c < n_conversations; c++)
    {
      if (c == long_index)
        {
          counts[c] = LONG_CONVERSATION;
          continue;
        }
      counts[c] = remaining / others + (k < remaining % others ? 1 : 0);
      k++;
    }
  for (guint c = 0; c + 1 < n_conversations; c += 2)
    {
      guint a = c == long_index ? c + 1 : c;
      guint b = a + 1 == long_index ? a + 2 : a + 1;
      guint jitter;

      if (b >= n_conversations)
        break;
      jitter = g_rand_int_range (gen->rand, 0, MIN (counts[a], counts[b]) - 1);
      counts[a] += jitter;
      counts[b] -= jitter;
    }

  if (!starling_store_begin (store, &error))
    g_error ("%s", error->message);

  for (guint c = 0; c < n_conversations; c++)
    {
      gint64 id = starling_store_create_conversation (store, NULL, c % 3 ? "gemini-2.5-flash"
                                                                         : "gemini-2.5-pro",
                                                      "{\"temperature\": 1}", &error);
      /* spread over a year, oldest first */
      gint64 created = now - (gint64) (n_conversations - c) * 3153 * G_USEC_PER_SEC;
      gint64 parent = 0;

      if (id <= 0)
        g_error ("%s", error->message);
      if (c == long_index)
        long_id = id;

      for (guint m = 0; m < counts[c]; m++)
        {
          g_autofree char *text = make_text (gen, m % 2 == 0);
          g_autofree char *parts = parts_for (text);

          parent = starling_store_append_message (store, id, parent,
                                                  m % 2 ? STARLING_STORE_ROLE_MODEL
                                                        : STARLING_STORE_ROLE_USER,
                                                  parts, STARLING_STORE_STATUS_COMPLETE, &error);
          if (parent <= 0)
            g_error ("%s", error->message);
        }

      if (!starling_store_set_conversation_times (store, id, created,
                                                  created + counts[c] * G_USEC_PER_SEC, &error))
        g_error ("%s", error->message);

      if (c % 500 == 499)
        {
          if (!starling_store_commit (store, &error) || !starling_store_begin (store, &error))
            g_error ("%s", error->message);
        }
    }

  if (!starling_store_commit (store, &error))
    g_error ("%s", error->message);

  return long_id;
}

static void
evict (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return;
  fdatasync (fd);
  posix_fadvise (fd, 0, 0, POSIX_FADV_DONTNEED);
  close (fd);
}

static void
evict_all (const char *db)
{
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);

  evict (db);
  evict (wal);
  evict (shm);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *sorted,
            double  p)
{
  guint index = (guint) (p * (sorted->len - 1) + 0.5);

  return g_array_index (sorted, double, MIN (index, sorted->len - 1));
}

/* 200 queries a user might type: common and rare words, two words, prefixes
 * as typed, accents left out, other scripts, phrases, nothing found. */
static GPtrArray *
make_queries (Gen *gen)
{
  GPtrArray *queries = g_ptr_array_new_with_free_func (g_free);
  static const char * const fixed[] = {
    "perche", "perché", "grosse", "größe", "strasse", "naive", "cafe", "日本語", "東京",
    "テキスト", "한국어", "москва", "ελλάδα", "\"the function\"", "error AND", "c++", "-data",
    "NOT this", "\"", "zzzzqqq", "python code example", "how to use",
  };

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (queries, g_strdup (fixed[i]));

  while (queries->len < N_QUERIES)
    {
      guint kind = queries->len % 6;
      const char *w1 = g_ptr_array_index (gen->vocabulary,
                                          g_rand_int_range (gen->rand, 0, gen->vocabulary->len));
      const char *common = common_words[g_rand_int_range (gen->rand, 0, G_N_ELEMENTS (common_words))];
      const char *rare = rare_words[g_rand_int_range (gen->rand, 0, G_N_ELEMENTS (rare_words))];

      switch (kind)
        {
        case 0: /* one invented word, typed whole */
          g_ptr_array_add (queries, g_strdup_printf ("%s ", w1));
          break;
        case 1: /* a common word, still being typed */
          g_ptr_array_add (queries, g_strdup (common));
          break;
        case 2: /* a prefix while typing */
          g_ptr_array_add (queries, g_strndup (w1, MIN (strlen (w1), (gsize) g_rand_int_range (gen->rand, 2, 5))));
          break;
        case 3: /* two words */
          g_ptr_array_add (queries, g_strdup_printf ("%s %s", common, w1));
          break;
        case 4: /* a rare or foreign word */
          g_ptr_array_add (queries, g_strdup (rare));
          break;
        default: /* a phrase */
          g_ptr_array_add (queries, g_strdup_printf ("\"%s %s\"", common, w1));
          break;
        }
    }

  return queries;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-store-XXXXXX", &error);
  g_autofree char *db = NULL;
  g_autoptr(StarlingStore) store = NULL;
  g_autoptr(GPtrArray) queries = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) open_times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) page_times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) total_times = g_array_new (FALSE, FALSE, sizeof (double));
  const char *scale_env = g_getenv ("STARLING_BENCH_SCALE");
  double scale = scale_env ? g_ascii_strtod (scale_env, NULL) : 1.0;
  guint n_conversations = MAX (10, (guint) (N_CONVERSATIONS * scale));
  guint n_messages = MAX (LONG_CONVERSATION + 20, (guint) (N_MESSAGES * scale));
  StarlingStoreStats stats;
  Gen gen;
  gint64 long_id;
  gint64 start;
  guint n_hits = 0;

  if (dir == NULL)
    g_error ("%s", error->message);
  if (g_getenv ("STARLING_BENCH_DB") != NULL)
    db = g_strdup (g_getenv ("STARLING_BENCH_DB"));
  else
    db = g_build_filename (dir, "history.db", NULL);

  gen.rand = g_rand_new_with_seed (20250301);
  gen.vocabulary = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < 20000; i++)
    {
      GString *w = g_string_new (NULL);
      guint n = g_rand_int_range (gen.rand, 2, 5);

      for (guint j = 0; j < n; j++)
        g_string_append (w, syllables[g_rand_int_range (gen.rand, 0, G_N_ELEMENTS (syllables))]);
      g_ptr_array_add (gen.vocabulary, g_string_free (w, FALSE));
    }

  /* generate */
  start = g_get_monotonic_time ();
  store = starling_store_new (db, NULL, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  if (g_getenv ("STARLING_BENCH_DB") != NULL)
    {
      g_autoptr(StoreConn) conn = store_conn_open (db, TRUE, &error);
      sqlite3_stmt *stmt = NULL;

      /* the long conversation of an earlier run */
      if (conn == NULL ||
          sqlite3_prepare_v2 (conn->db, "SELECT conversation_id FROM messages GROUP BY "
                              "conversation_id HAVING count(*) = 1000 LIMIT 1", -1, &stmt,
                              NULL) != SQLITE_OK ||
          sqlite3_step (stmt) != SQLITE_ROW)
        g_error ("No conversation of 1000 messages in %s", db);
      long_id = sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
    }
  else
    {
      /* the generator churns the heap; glibc would give memory back and take
       * it again thousands of times a second */
      mallopt (M_TRIM_THRESHOLD, 256 * 1024 * 1024);
      long_id = generate (store, &gen, n_conversations, n_messages);
      mallopt (M_TRIM_THRESHOLD, 128 * 1024);
      g_print ("store_generate_s %.1f\n", ms_since (start) / 1000.0);
    }
  g_clear_object (&store);

  /* open cold, then the sidebar's first page: the start of the app */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GPtrArray) page = NULL;
      gint64 t0, t1;

      evict_all (db);
      t0 = g_get_monotonic_time ();
      store = starling_store_new (db, NULL, &error);
      if (store == NULL)
        g_error ("%s", error->message);
      t1 = g_get_monotonic_time ();
      page = starling_store_list_conversations (store, 0, PAGE, &error);
      if (page == NULL || page->len != PAGE)
        g_error ("first page: %s", error ? error->message : "short");
      g_array_append_vals (open_times, (double[]) { (t1 - t0) / 1000.0 }, 1);
      g_array_append_vals (page_times, (double[]) { ms_since (t1) }, 1);
      g_array_append_vals (total_times, (double[]) { ms_since (t0) }, 1);
      if (i < 2)
        g_clear_object (&store);
    }
  g_array_sort (open_times, compare_double);
  g_array_sort (page_times, compare_double);
  g_array_sort (total_times, compare_double);
  g_print ("store_open_cold_ms %.1f\n", percentile (open_times, 0.5));
  g_print ("store_first_page_cold_ms %.1f\n", percentile (page_times, 0.5));
  g_print ("store_open_first_page_cold_ms %.1f\n", percentile (total_times, 0.5));

  if (!starling_store_get_stats (store, &stats, &error))
    g_error ("%s", error->message);
  g_print ("store_conversations %" G_GINT64_FORMAT "\n", stats.n_conversations);
  g_print ("store_messages %" G_GINT64_FORMAT "\n", stats.n_messages);
  g_print ("store_db_mb %.1f\n", stats.db_bytes / (1024.0 * 1024.0));

  /* a 1,000-message conversation: whole, and the window the chat view shows */
  {
    g_autoptr(GArray) load = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) window = g_array_new (FALSE, FALSE, sizeof (double));

    for (guint i = 0; i < 5; i++)
      {
        g_autoptr(GPtrArray) path = NULL;
        g_autoptr(GPtrArray) last = NULL;
        gint64 t0 = g_get_monotonic_time ();

        path = starling_store_load_path (store, long_id, 0, 0, &error);
        if (path == NULL || path->len != LONG_CONVERSATION)
          g_error ("load: %s", error ? error->message : "wrong length");
        g_array_append_vals (load, (double[]) { ms_since (t0) }, 1);

        t0 = g_get_monotonic_time ();
        last = starling_store_load_path (store, long_id, 0, 200, &error);
        if (last == NULL || last->len != 200)
          g_error ("window: %s", error ? error->message : "wrong length");
        g_array_append_vals (window, (double[]) { ms_since (t0) }, 1);
      }
    g_array_sort (load, compare_double);
    g_array_sort (window, compare_double);
    g_print ("store_load_1000_ms %.1f\n", percentile (load, 0.5));
    g_print ("store_load_window_200_ms %.1f\n", percentile (window, 0.5));
  }

  /* search as the user types: right after the start (the index not yet in
   * memory), then again; then messages only (titles never fill the page) */
  queries = make_queries (&gen);
  for (guint pass = 0; pass < 3; pass++)
    {
      static const char * const names[] = { "store_search_first_pass", "store_search",
                                            "store_search_messages" };
      StarlingSearchFlags flags = pass == 2 ? STARLING_SEARCH_FLAGS_NO_TITLES
                                            : STARLING_SEARCH_FLAGS_NONE;

      g_array_set_size (times, 0);
      n_hits = 0;

      for (guint i = 0; i < queries->len; i++)
        {
          g_autoptr(GPtrArray) results = NULL;
          gint64 t0 = g_get_monotonic_time ();
          double ms;

          results = starling_store_search (store, g_ptr_array_index (queries, i), 0, 50, flags,
                                           &error);
          ms = ms_since (t0);
          if (results == NULL)
            g_error ("search “%s”: %s", (char *) g_ptr_array_index (queries, i), error->message);
          n_hits += results->len > 0;
          g_array_append_val (times, ms);
          if (pass == 2 && g_getenv ("STARLING_BENCH_VERBOSE"))
            g_printerr ("%7.2f ms %3u  %s\n", ms, results->len,
                        (char *) g_ptr_array_index (queries, i));
        }
      g_array_sort (times, compare_double);

      if (pass == 1)
        {
          g_print ("store_search_queries %u\n", times->len);
          g_print ("store_search_with_results %u\n", n_hits);
        }
      g_print ("%s_p50_ms %.2f\n", names[pass], percentile (times, 0.5));
      g_print ("%s_p95_ms %.2f\n", names[pass], percentile (times, 0.95));
      g_print ("%s_max_ms %.2f\n", names[pass], percentile (times, 1.0));
    }

  /* writes while streaming: one update per half second in the app */
  {
    g_autoptr(GString) text = g_string_new (NULL);
    gint64 conversation = starling_store_create_conversation (store, NULL, NULL, NULL, &error);
    gint64 user, answer = 0;
    gint64 t0;
    guint n = 200;

    t0 = g_get_monotonic_time ();
    user = starling_store_append_message (store, conversation, 0, STARLING_STORE_ROLE_USER,
                                          "[{\"text\": \"Write a long story\"}]",
                                          STARLING_STORE_STATUS_COMPLETE, &error);
    answer = starling_store_append_message (store, conversation, user, STARLING_STORE_ROLE_MODEL,
                                            "[]", STARLING_STORE_STATUS_STREAMING, &error);
    if (answer <= 0)
      g_error ("%s", error->message);
    g_print ("store_append_us %.0f\n", (g_get_monotonic_time () - t0) / 2.0);

    t0 = g_get_monotonic_time ();
    for (guint i = 0; i < n; i++)
      {
        g_autofree char *parts = NULL;

        append_sentence (&gen, text);
        parts = parts_for (text->str);
        if (!starling_store_update_message (store, answer, parts, STARLING_STORE_STATUS_STREAMING,
                                            &error))
          g_error ("%s", error->message);
      }
    g_print ("store_stream_update_us %.0f\n", (g_get_monotonic_time () - t0) / (double) n);
    g_print ("store_stream_final_text_kb %.1f\n", text->len / 1024.0);
  }

  /* what a start after a crash costs on this history */
  {
    g_autoptr(StoreConn) conn = store_conn_open (db, TRUE, &error);
    g_autoptr(GError) check_error = NULL;
    gint64 t0;

    if (conn == NULL)
      g_error ("%s", error->message);
    evict_all (db);
    t0 = g_get_monotonic_time ();
    if (!store_conn_exec (conn, "PRAGMA quick_check", &check_error))
      g_error ("%s", check_error->message);
    g_print ("store_quick_check_cold_ms %.0f\n", ms_since (t0));
  }

  g_clear_object (&store);

  /* leave nothing behind but what was asked for */
  if (g_getenv ("STARLING_BENCH_KEEP") != NULL || g_getenv ("STARLING_BENCH_DB") != NULL)
    g_print ("store_kept %s\n", db);
  else
    {
      static const char * const suffixes[] = { "", "-wal", "-shm", ".lock" };

      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *file = g_strconcat (db, suffixes[i], NULL);

          g_unlink (file);
        }
    }
  g_rmdir (dir);

  g_ptr_array_unref (gen.vocabulary);
  g_rand_free (gen.rand);

  return 0;
}

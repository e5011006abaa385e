/* store-test-util.h: helpers shared by the store's tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "starling-store-private.h"

/* A PNG signature followed by @size - 8 pseudo-random bytes: the store never
 * decodes images, it must only keep them exactly. */
static inline GBytes *
test_make_png (gsize   size,
               guint32 seed)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint8 *data = g_malloc (size);

  memcpy (data, signature, MIN (size, sizeof signature));
  for (gsize i = sizeof signature; i < size; i++)
    data[i] = g_rand_int (rand) & 0xff;

  return g_bytes_new_take (data, size);
}

static inline char *
test_make_png_base64 (gsize   size,
                      guint32 seed)
{
  g_autoptr(GBytes) png = test_make_png (size, seed);
  gsize len;
  const guchar *data = g_bytes_get_data (png, &len);

  return g_base64_encode (data, len);
}

static inline char *
test_corpus_path (const char *relative)
{
  const char *dir = g_getenv ("STARLING_CORPUS_DIR");

  g_assert_nonnull (dir);
  return g_build_filename (dir, "recorded", relative, NULL);
}

/* candidates[0].content.parts of a recorded unary response, as compact JSON */
static inline char *
test_corpus_parts (const char *relative)
{
  g_autofree char *path = test_corpus_path (relative);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;
  JsonObject *candidate;
  JsonNode *parts;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  candidate = json_array_get_object_element (json_object_get_array_member (root, "candidates"), 0);
  parts = json_object_get_member (json_object_get_object_member (candidate, "content"), "parts");

  return json_to_string (parts, FALSE);
}

/* One value from the database, read with a plain SQLite connection. */
static inline char *
test_sql_text (const char *db_path,
               const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return result;
}

static inline gint64
test_sql_int (const char *db_path,
              const char *sql)
{
  g_autofree char *text = test_sql_text (db_path, sql);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

/* A connection with the store's tokenizer, for FTS checks. */
static inline char *
test_fts_check (const char *db_path,
                const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StoreConn) conn = store_conn_open (db_path, FALSE, &error);
  char *message = NULL;
  int rc;

  g_assert_no_error (error);
  rc = sqlite3_exec (conn->db, sql, NULL, NULL, &message);
  if (rc != SQLITE_OK)
    {
      char *copy = g_strdup (message ? message : sqlite3_errstr (rc));

      sqlite3_free (message);
      return copy;
    }

  return NULL;
}

static inline gboolean
test_file_equals (const char *path,
                  const char *contents,
                  gsize       len)
{
  g_autofree char *data = NULL;
  gsize data_len = 0;

  if (!g_file_get_contents (path, &data, &data_len, NULL))
    return FALSE;

  return data_len == len && memcmp (data, contents, len) == 0;
}

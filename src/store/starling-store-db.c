/* starling-store-db.c: SQLite connections, cached statements, the schema
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "starling-store-private.h"

/* Never edit a step once released: tests build old databases from them, and
 * users' databases went through them. Add a new step instead. */
const char * const starling_store_migrations[] = {
  /* 0 -> 1: conversations, messages as a tree of branches, blobs */
  "CREATE TABLE conversations (\n"
  "  id              INTEGER PRIMARY KEY,\n"
  "  title           TEXT    NOT NULL DEFAULT '',\n"
  "  title_is_custom INTEGER NOT NULL DEFAULT 0,\n"
  "  created         INTEGER NOT NULL,\n"
  "  updated         INTEGER NOT NULL,\n"
  "  model           TEXT,\n"
  "  settings_json   TEXT,\n"
  "  deleted_at      INTEGER\n"
  ");\n"
  "CREATE INDEX conversations_by_updated ON conversations (updated DESC, id DESC)\n"
  "  WHERE deleted_at IS NULL;\n"
  "CREATE TABLE messages (\n"
  "  id              INTEGER PRIMARY KEY,\n"
  "  conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,\n"
  "  parent_id       INTEGER REFERENCES messages (id) ON DELETE CASCADE,\n"
  "  role            TEXT    NOT NULL CHECK (role IN ('user', 'model')),\n"
  "  parts_json      TEXT    NOT NULL DEFAULT '[]',\n"
  "  text            TEXT    NOT NULL DEFAULT '',\n"
  "  thought_text    TEXT    NOT NULL DEFAULT '',\n"
  "  finish_reason   TEXT,\n"
  "  usage_json      TEXT,\n"
  "  grounding_json  TEXT,\n"
  "  model_version   TEXT,\n"
  "  status          TEXT    NOT NULL DEFAULT 'complete'\n"
  "                  CHECK (status IN ('complete', 'streaming', 'stopped', 'interrupted', 'error')),\n"
  "  error_json      TEXT,\n"
  "  request_json    TEXT,\n"
  "  selected_at     INTEGER NOT NULL,\n"
  "  created         INTEGER NOT NULL,\n"
  "  updated         INTEGER NOT NULL\n"
  ");\n"
  "CREATE INDEX messages_by_conversation ON messages (conversation_id, created);\n"
  "CREATE INDEX messages_by_parent ON messages (parent_id, selected_at);\n"
  "CREATE INDEX messages_roots ON messages (conversation_id, selected_at)\n"
  "  WHERE parent_id IS NULL;\n"
  "CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming';\n"
  "CREATE TABLE blobs (\n"
  "  sha256    TEXT    PRIMARY KEY,\n"
  "  mime_type TEXT    NOT NULL,\n"
  "  size      INTEGER NOT NULL,\n"
  "  created   INTEGER NOT NULL\n"
  ") WITHOUT ROWID;\n"
  "CREATE TABLE message_blobs (\n"
  "  message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,\n"
  "  sha256     TEXT    NOT NULL,\n"
  "  PRIMARY KEY (message_id, sha256)\n"
  ") WITHOUT ROWID;\n"
  "CREATE INDEX message_blobs_by_sha256 ON message_blobs (sha256);\n",

  /* 1 -> 2: pinned conversations on top of the list */
  "ALTER TABLE conversations ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;\n"
  "DROP INDEX conversations_by_updated;\n"
  "CREATE INDEX conversations_list ON conversations (pinned DESC, updated DESC, id DESC)\n"
  "  WHERE deleted_at IS NULL;\n"
  "CREATE INDEX conversations_deleted ON conversations (deleted_at)\n"
  "  WHERE deleted_at IS NOT NULL;\n",

  /* 2 -> 3: full-text search over messages and titles. A message being
   * streamed is indexed once it stops changing. */
  "CREATE VIRTUAL TABLE message_fts USING fts5 (\n"
  "  text, content = 'messages', content_rowid = 'id',\n"
  "  tokenize = 'starling remove_diacritics 2', prefix = '2 3'\n"
  ");\n"
  "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages\n"
  "WHEN new.status <> 'streaming' BEGIN\n"
  "  INSERT INTO message_fts (rowid, text) VALUES (new.id, new.text);\n"
  "END;\n"
  "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages\n"
  "WHEN old.status <> 'streaming' BEGIN\n"
  "  INSERT INTO message_fts (message_fts, rowid, text) VALUES ('delete', old.id, old.text);\n"
  "END;\n"
  "CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, status ON messages\n"
  "WHEN old.text IS NOT new.text\n"
  "  OR (old.status = 'streaming') <> (new.status = 'streaming') BEGIN\n"
  "  INSERT INTO message_fts (message_fts, rowid, text)\n"
  "    SELECT 'delete', old.id, old.text WHERE old.status <> 'streaming';\n"
  "  INSERT INTO message_fts (rowid, text)\n"
  "    SELECT new.id, new.text WHERE new.status <> 'streaming';\n"
  "END;\n"
  "INSERT INTO message_fts (rowid, text)\n"
  "  SELECT id, text FROM messages WHERE status <> 'streaming';\n"
  "CREATE VIRTUAL TABLE conversation_fts USING fts5 (\n"
  "  title, content = 'conversations', content_rowid = 'id',\n"
  "  tokenize = 'starling remove_diacritics 2'\n"
  ");\n"
  "CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN\n"
  "  INSERT INTO conversation_fts (rowid, title) VALUES (new.id, new.title);\n"
  "END;\n"
  "CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN\n"
  "  INSERT INTO conversation_fts (conversation_fts, rowid, title)\n"
  "    VALUES ('delete', old.id, old.title);\n"
  "END;\n"
  "CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title ON conversations\n"
  "WHEN old.title IS NOT new.title BEGIN\n"
  "  INSERT INTO conversation_fts (conversation_fts, rowid, title)\n"
  "    VALUES ('delete', old.id, old.title);\n"
  "  INSERT INTO conversation_fts (rowid, title) VALUES (new.id, new.title);\n"
  "END;\n"
  "INSERT INTO conversation_fts (rowid, title) SELECT id, title FROM conversations;\n",

  /* 3 -> 4: what the user typed and has not sent yet, one per conversation */
  "CREATE TABLE drafts (\n"
  "  conversation_id INTEGER PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,\n"
  "  text            TEXT    NOT NULL,\n"
  "  updated         INTEGER NOT NULL\n"
  ");\n",

  /* 4 -> 5: the files attached to a draft (parts JSON, large data in blobs),
   * and their names for the list */
  "ALTER TABLE drafts ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';\n"
  "ALTER TABLE drafts ADD COLUMN attachment_names TEXT NOT NULL DEFAULT '';\n"
  "CREATE TABLE draft_blobs (\n"
  "  conversation_id INTEGER NOT NULL REFERENCES drafts (conversation_id) ON DELETE CASCADE,\n"
  "  sha256          TEXT    NOT NULL,\n"
  "  PRIMARY KEY (conversation_id, sha256)\n"
  ") WITHOUT ROWID;\n"
  "CREATE INDEX draft_blobs_by_sha256 ON draft_blobs (sha256);\n",

  /* 5 -> 6: the text of a prompt being edited (Edit and Resend), not sent yet */
  "ALTER TABLE messages ADD COLUMN edit_draft TEXT;\n",
};

G_STATIC_ASSERT (G_N_ELEMENTS (starling_store_migrations) == STARLING_STORE_LATEST_VERSION);

gboolean
store_set_error (GError    **error,
                 StoreConn  *conn,
                 int         rc)
{
  const char *detail = conn != NULL ? sqlite3_errmsg (conn->db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_CORRUPT,
                   _("The history database is damaged (%s)."), detail);
      break;

    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_BUSY,
                   _("The history is in use by another program (%s)."), detail);
      break;

    case SQLITE_FULL:
      g_set_error_literal (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_DISK_FULL,
                           _("The disk is full: the history could not be saved."));
      break;

    case SQLITE_INTERRUPT:
      if (conn != NULL && g_cancellable_is_cancelled (conn->cancellable))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The operation was cancelled."));
          break;
        }
      G_GNUC_FALLTHROUGH;

    default:
      g_set_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_FAILED,
                   _("The history database reported an error: %s"), detail);
      break;
    }

  return FALSE;
}

void
store_stmt_release (StoreStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

static int
progress_cb (void *user_data)
{
  StoreConn *conn = user_data;

  return conn->cancellable != NULL && g_cancellable_is_cancelled (conn->cancellable);
}

StoreConn *
store_conn_open (const char  *path,
                 gboolean     read_only,
                 GError     **error)
{
  sqlite3 *db = NULL;
  StoreConn *conn;
  int rc;

  rc = sqlite3_open_v2 (path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      store_set_error (error, NULL, rc);
      sqlite3_close (db);
      return NULL;
    }

  sqlite3_busy_timeout (db, 5000);
  /* closing must never write into a database we may move aside */
  sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);

  if (!starling_fts_tokenizer_register (db, error))
    {
      sqlite3_close (db);
      return NULL;
    }

  conn = g_new0 (StoreConn, 1);
  conn->db = db;
  conn->stmts = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) sqlite3_finalize);
  sqlite3_progress_handler (db, 1000, progress_cb, conn);

  if (read_only && !store_conn_exec (conn, "PRAGMA query_only = 1; PRAGMA cache_size = -16384",
                                     error))
    {
      store_conn_close (conn, FALSE);
      return NULL;
    }

  return conn;
}

void
store_conn_close (StoreConn *conn,
                  gboolean   checkpoint)
{
  if (conn == NULL)
    return;

  g_clear_pointer (&conn->stmts, g_hash_table_unref);
  if (checkpoint)
    sqlite3_db_config (conn->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
  sqlite3_close (conn->db);
  g_free (conn);
}

void
store_conn_close_default (StoreConn *conn)
{
  store_conn_close (conn, FALSE);
}

/* @sql must be a string that lives forever: the cache is keyed by its address. */
StoreStmt *
store_conn_prepare (StoreConn   *conn,
                    const char  *sql,
                    GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (conn->stmts, sql);
  int rc;

  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (conn->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      store_set_error (error, conn, rc);
      return NULL;
    }

  g_hash_table_insert (conn->stmts, (gpointer) sql, stmt);
  return stmt;
}

gboolean
store_conn_exec (StoreConn   *conn,
                 const char  *sql,
                 GError     **error)
{
  int rc = sqlite3_exec (conn->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return store_set_error (error, conn, rc);

  return TRUE;
}

gboolean
store_conn_step_done (StoreConn  *conn,
                      StoreStmt  *stmt,
                      GError    **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return store_set_error (error, conn, rc);

  return TRUE;
}

gboolean
store_conn_begin (StoreConn  *conn,
                  GError    **error)
{
  static const char sql[] = "BEGIN IMMEDIATE";
  StoreStmt *stmt = store_conn_prepare (conn, sql, error);
  gboolean ok;

  if (stmt == NULL)
    return FALSE;
  ok = store_conn_step_done (conn, stmt, error);
  sqlite3_reset (stmt);

  return ok;
}

gboolean
store_conn_commit (StoreConn  *conn,
                   GError    **error)
{
  static const char sql[] = "COMMIT";
  StoreStmt *stmt = store_conn_prepare (conn, sql, error);
  gboolean ok;

  if (stmt == NULL)
    {
      store_conn_rollback (conn);
      return FALSE;
    }
  ok = store_conn_step_done (conn, stmt, error);
  sqlite3_reset (stmt);
  if (!ok)
    store_conn_rollback (conn);

  return ok;
}

void
store_conn_rollback (StoreConn *conn)
{
  if (!sqlite3_get_autocommit (conn->db))
    sqlite3_exec (conn->db, "ROLLBACK", NULL, NULL, NULL);
}

/* starling-store.c: the history, in SQLite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "starling-json-span.h"
#include "starling-store-private.h"

/* Databases up to this size get PRAGMA quick_check at every start (tens of
 * milliseconds). Bigger ones take seconds: starling_store_check_async()
 * checks them in the background and, if damaged, leaves a mark so the next
 * start checks again and moves the database aside. */
#define QUICK_CHECK_MAX_SIZE (16 * 1024 * 1024)
#define NEEDS_CHECK_SUFFIX ".needs-check"

#define TITLE_MAX_CHARS 80
#define SNIPPET_MAX_CHARS 200

typedef enum
{
  BROKEN_NONE,
  BROKEN_UNREADABLE,
  BROKEN_GARBAGE,
  BROKEN_TRUNCATED,
  BROKEN_CHECK_FAILED,
  BROKEN_FUTURE_VERSION,
  BROKEN_SCHEMA,
} BrokenReason;

struct _StarlingStore
{
  GObject       parent_instance;

  char         *path;
  char         *blob_dir;
  int           lock_fd;
  gboolean      primary;

  /* used by the thread that calls the synchronous API */
  StoreConn    *conn;

  /* one worker thread with its own connection, for the _async API */
  GThreadPool  *worker;
  StoreConn    *reader;
  GThread      *worker_thread;

  char         *broken_path;
  BrokenReason  broken_reason;
  guint         n_interrupted;
};

static void starling_store_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (StarlingStore, starling_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      starling_store_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE, NULL))

G_DEFINE_QUARK (starling-store-error-quark, starling_store_error)

enum {
  PROP_0,
  PROP_PATH,
  PROP_BROKEN_PATH,
  PROP_N_INTERRUPTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CONVERSATION_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* SQL. Each string is prepared once per connection and cached by address. */

#define MESSAGE_COLUMNS \
  "m.id, m.conversation_id, m.parent_id, m.role, m.parts_json, m.text, m.thought_text, " \
  "m.finish_reason, m.usage_json, m.grounding_json, m.model_version, m.status, m.error_json, " \
  "m.created, m.updated, " \
  "CASE WHEN m.parent_id IS NULL " \
  "  THEN (SELECT count(*) FROM messages s " \
  "        WHERE s.conversation_id = m.conversation_id AND s.parent_id IS NULL) " \
  "  ELSE (SELECT count(*) FROM messages s WHERE s.parent_id = m.parent_id) END, " \
  "CASE WHEN m.parent_id IS NULL " \
  "  THEN (SELECT count(*) FROM messages s " \
  "        WHERE s.conversation_id = m.conversation_id AND s.parent_id IS NULL AND s.id < m.id) " \
  "  ELSE (SELECT count(*) FROM messages s WHERE s.parent_id = m.parent_id AND s.id < m.id) END, " \
  "m.edit_draft"

#define CONVERSATION_COLUMNS \
  "c.id, c.title, c.title_is_custom, c.created, c.updated, c.pinned, c.model, " \
  "c.settings_json, c.deleted_at, " \
  "(SELECT substr(m.text, 1, " G_STRINGIFY (SNIPPET_MAX_CHARS) ") FROM messages m " \
  " WHERE m.conversation_id = c.id ORDER BY m.created DESC LIMIT 1), " \
  "(SELECT d.text FROM drafts d WHERE d.conversation_id = c.id), " \
  "(SELECT d.attachment_names FROM drafts d WHERE d.conversation_id = c.id)"

static const char sql_user_version[] = "PRAGMA user_version";
static const char sql_quick_check[] = "PRAGMA quick_check";
static const char sql_journal_wal[] = "PRAGMA journal_mode = WAL";
static const char sql_probe[] =
  "SELECT (SELECT count(*) FROM conversations WHERE id = 0),"
  "       (SELECT count(*) FROM messages WHERE id = 0),"
  "       (SELECT count(*) FROM message_fts WHERE rowid = 0)";
static const char sql_mark_interrupted[] =
  "UPDATE messages SET status = 'interrupted', updated = ?1 WHERE status = 'streaming'";
static const char sql_deleted_ids[] =
  "SELECT id FROM conversations WHERE deleted_at IS NOT NULL";
static const char sql_purge_deleted[] =
  "DELETE FROM conversations WHERE deleted_at IS NOT NULL";

static const char sql_create_conversation[] =
  "INSERT INTO conversations (title, title_is_custom, created, updated, model, settings_json)"
  " VALUES (?1, ?2, ?3, ?3, ?4, ?5)";
static const char sql_get_conversation[] =
  "SELECT " CONVERSATION_COLUMNS " FROM conversations c WHERE c.id = ?1";
static const char sql_list_conversations[] =
  "SELECT " CONVERSATION_COLUMNS " FROM conversations c WHERE c.deleted_at IS NULL"
  " ORDER BY c.pinned DESC, c.updated DESC, c.id DESC LIMIT ?1 OFFSET ?2";
static const char sql_count_conversations[] =
  "SELECT count(*) FROM conversations WHERE deleted_at IS NULL";
static const char sql_rename_custom[] =
  "UPDATE conversations SET title = ?2, title_is_custom = 1 WHERE id = ?1";
static const char sql_first_prompt[] =
  "SELECT text FROM messages WHERE conversation_id = ?1 AND parent_id IS NULL AND role = 'user'"
  " ORDER BY selected_at DESC, id DESC LIMIT 1";
static const char sql_rename_auto[] =
  "UPDATE conversations SET title = ?2, title_is_custom = 0 WHERE id = ?1";
static const char sql_auto_title[] =
  "UPDATE conversations SET title = ?2 WHERE id = ?1 AND title_is_custom = 0 AND title = ''";
static const char sql_set_pinned[] =
  "UPDATE conversations SET pinned = ?2 WHERE id = ?1";
static const char sql_set_model[] =
  "UPDATE conversations SET model = ?2 WHERE id = ?1";
static const char sql_set_settings[] =
  "UPDATE conversations SET settings_json = ?2 WHERE id = ?1";
static const char sql_set_times[] =
  "UPDATE conversations SET created = ?2, updated = ?3 WHERE id = ?1";
static const char sql_touch_conversation[] =
  "UPDATE conversations SET updated = ?2 WHERE id = ?1";
static const char sql_soft_delete[] =
  "UPDATE conversations SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL";
static const char sql_undelete[] =
  "UPDATE conversations SET deleted_at = NULL WHERE id = ?1";
static const char sql_purge_conversation[] =
  "DELETE FROM conversations WHERE id = ?1";

static const char sql_set_draft[] =
  "INSERT INTO drafts (conversation_id, text, updated) VALUES (?1, ?2, ?3)"
  " ON CONFLICT (conversation_id) DO UPDATE SET text = excluded.text, updated = excluded.updated"
  " WHERE text IS NOT excluded.text";
static const char sql_clear_draft_text[] =
  "UPDATE drafts SET text = '', updated = ?2 WHERE conversation_id = ?1 AND text <> ''";
static const char sql_delete_empty_draft[] =
  "DELETE FROM drafts WHERE conversation_id = ?1 AND text = '' AND attachments = '[]'";
static const char sql_get_draft[] =
  "SELECT text FROM drafts WHERE conversation_id = ?1";
static const char sql_set_draft_attachments[] =
  "INSERT INTO drafts (conversation_id, text, attachments, attachment_names, updated)"
  " VALUES (?1, '', ?2, ?3, ?4)"
  " ON CONFLICT (conversation_id) DO UPDATE SET attachments = excluded.attachments,"
  " attachment_names = excluded.attachment_names, updated = excluded.updated"
  " WHERE attachments IS NOT excluded.attachments OR attachment_names IS NOT excluded.attachment_names";
static const char sql_clear_draft_attachments[] =
  "UPDATE drafts SET attachments = '[]', attachment_names = '', updated = ?2"
  " WHERE conversation_id = ?1 AND attachments <> '[]'";
static const char sql_delete_draft_blobs[] =
  "DELETE FROM draft_blobs WHERE conversation_id = ?1";
static const char sql_insert_draft_blob[] =
  "INSERT OR IGNORE INTO draft_blobs (conversation_id, sha256) VALUES (?1, ?2)";
static const char sql_set_edit_draft[] =
  "UPDATE messages SET edit_draft = ?2 WHERE id = ?1 AND role = 'user' AND edit_draft IS NOT ?2";
static const char sql_get_draft_attachments[] =
  "SELECT attachments FROM drafts WHERE conversation_id = ?1";

static const char sql_conversation_exists[] =
  "SELECT 1 FROM conversations WHERE id = ?1";
static const char sql_message_basics[] =
  "SELECT conversation_id, parent_id, role FROM messages WHERE id = ?1";
static const char sql_insert_message[] =
  "INSERT INTO messages (conversation_id, parent_id, role, parts_json, text, thought_text,"
  " status, selected_at, created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?8)";
static const char sql_update_parts[] =
  "UPDATE messages SET parts_json = ?2, text = ?3, thought_text = ?4, status = ?5, updated = ?6"
  " WHERE id = ?1";
static const char sql_finish_message[] =
  "UPDATE messages SET status = ?2, finish_reason = ?3, usage_json = ?4, grounding_json = ?5,"
  " model_version = ?6, error_json = ?7, updated = ?8 WHERE id = ?1";
static const char sql_touch_conversation_of[] =
  "UPDATE conversations SET updated = ?2"
  " WHERE id = (SELECT conversation_id FROM messages WHERE id = ?1)";
static const char sql_set_request[] =
  "UPDATE messages SET request_json = ?2 WHERE id = ?1";
static const char sql_get_request[] =
  "SELECT request_json FROM messages WHERE id = ?1";
static const char sql_insert_blob[] =
  "INSERT OR IGNORE INTO blobs (sha256, mime_type, size, created) VALUES (?1, ?2, ?3, ?4)";
static const char sql_insert_message_blob[] =
  "INSERT OR IGNORE INTO message_blobs (message_id, sha256) VALUES (?1, ?2)";
static const char sql_get_message[] =
  "SELECT " MESSAGE_COLUMNS " FROM messages m WHERE m.id = ?1";
static const char sql_root_siblings[] =
  "SELECT " MESSAGE_COLUMNS " FROM messages m"
  " WHERE m.conversation_id = ?1 AND m.parent_id IS NULL ORDER BY m.id";
static const char sql_child_siblings[] =
  "SELECT " MESSAGE_COLUMNS " FROM messages m WHERE m.parent_id = ?1 ORDER BY m.id";
static const char sql_top_root[] =
  "SELECT id FROM messages WHERE conversation_id = ?1 AND parent_id IS NULL"
  " ORDER BY selected_at DESC, id DESC LIMIT 1";
static const char sql_top_child[] =
  "SELECT id FROM messages WHERE parent_id = ?1 ORDER BY selected_at DESC, id DESC LIMIT 1";
static const char sql_set_selected[] =
  "UPDATE messages SET selected_at = ?2 WHERE id = ?1";
static const char sql_children_ids[] =
  "SELECT id FROM messages WHERE parent_id = ?1";
static const char sql_reparent[] =
  "UPDATE messages SET parent_id = ?2 WHERE parent_id = ?1";
static const char sql_delete_message[] =
  "DELETE FROM messages WHERE id = ?1";
static const char sql_active_path[] =
  "WITH RECURSIVE down (id) AS ("
  "  SELECT (SELECT id FROM messages WHERE conversation_id = ?1 AND parent_id IS NULL"
  "          ORDER BY selected_at DESC, id DESC LIMIT 1)"
  "  UNION ALL"
  "  SELECT (SELECT c.id FROM messages c WHERE c.parent_id = down.id"
  "          ORDER BY c.selected_at DESC, c.id DESC LIMIT 1)"
  "  FROM down WHERE down.id IS NOT NULL"
  ") SELECT id FROM down WHERE id IS NOT NULL";
static const char sql_path_up[] =
  "WITH RECURSIVE up (id, parent_id, depth) AS ("
  "  SELECT id, parent_id, 0 FROM messages WHERE id = ?1 AND conversation_id = ?2"
  "  UNION ALL"
  "  SELECT m.id, m.parent_id, up.depth + 1 FROM messages m JOIN up ON m.id = up.parent_id"
  "  WHERE up.depth + 1 < ?3"
  ") SELECT " MESSAGE_COLUMNS " FROM up JOIN messages m ON m.id = up.id ORDER BY up.depth DESC";

static const char sql_search_titles[] =
  "SELECT c.id, 0, c.title, highlight(conversation_fts, 0, char(2), char(3)),"
  " conversation_fts.rank, c.updated"
  " FROM conversation_fts JOIN conversations c ON c.id = conversation_fts.rowid"
  " WHERE conversation_fts MATCH ?1 AND c.deleted_at IS NULL"
  " ORDER BY conversation_fts.rank, c.updated DESC LIMIT ?2";
static const char sql_search_title_in[] =
  "SELECT c.id, 0, c.title, highlight(conversation_fts, 0, char(2), char(3)),"
  " conversation_fts.rank, c.updated"
  " FROM conversation_fts JOIN conversations c ON c.id = conversation_fts.rowid"
  " WHERE conversation_fts MATCH ?1 AND c.id = ?3 AND c.deleted_at IS NULL LIMIT ?2";
/* Ranking every match of a common word costs too much on a big history: the
 * newest matches come first from the index at little cost, and are ranked. */
#define SEARCH_CANDIDATES 1000
static const char sql_search_candidates[] =
  "SELECT rowid, bm25(message_fts) FROM message_fts WHERE message_fts MATCH ?1"
  " ORDER BY rowid DESC LIMIT ?2";
static const char sql_search_candidates_in[] =
  "SELECT m.id, bm25(message_fts) FROM message_fts CROSS JOIN messages m"
  " ON m.id = message_fts.rowid WHERE message_fts MATCH ?1 AND m.conversation_id = ?3"
  " ORDER BY message_fts.rowid DESC LIMIT ?2";
static const char sql_search_hit[] =
  "SELECT m.conversation_id, c.title, m.text, m.created FROM messages m"
  " JOIN conversations c ON c.id = m.conversation_id WHERE m.id = ?1 AND c.deleted_at IS NULL";

/* A message holds an image only if its parts name inlineData: the rest are
 * skipped without being parsed. */
static const char sql_image_messages[] =
  "SELECT m.id, m.conversation_id, m.role, m.parts_json, m.created, c.title"
  " FROM messages m JOIN conversations c ON c.id = m.conversation_id"
  " WHERE c.deleted_at IS NULL"
  " AND (instr(m.parts_json, 'inlineData') > 0 OR instr(m.parts_json, 'inline_data') > 0)"
  " ORDER BY m.created DESC, m.id DESC";
/* The message itself if the user wrote it, else the nearest user message
 * above it in its branch. */
static const char sql_prompt_of[] =
  "WITH RECURSIVE up (id, parent_id, role, depth) AS ("
  "  SELECT id, parent_id, role, 0 FROM messages WHERE id = ?1"
  "  UNION ALL"
  "  SELECT m.id, m.parent_id, m.role, up.depth + 1 FROM messages m JOIN up ON m.id = up.parent_id"
  "  WHERE up.role <> 'user'"
  ") SELECT m.text FROM up JOIN messages m ON m.id = up.id WHERE up.role = 'user'"
  " ORDER BY up.depth LIMIT 1";

static const char sql_stats[] =
  "SELECT (SELECT count(*) FROM conversations WHERE deleted_at IS NULL),"
  "       (SELECT count(*) FROM conversations WHERE deleted_at IS NOT NULL),"
  "       (SELECT count(*) FROM messages),"
  "       (SELECT count(*) FROM blobs),"
  "       (SELECT coalesce(sum(size), 0) FROM blobs)";
static const char sql_orphan_blobs[] =
  "SELECT sha256 FROM blobs b"
  " WHERE NOT EXISTS (SELECT 1 FROM message_blobs mb WHERE mb.sha256 = b.sha256)"
  " AND NOT EXISTS (SELECT 1 FROM draft_blobs db WHERE db.sha256 = b.sha256)";
static const char sql_delete_blob[] =
  "DELETE FROM blobs WHERE sha256 = ?1"
  " AND NOT EXISTS (SELECT 1 FROM message_blobs mb WHERE mb.sha256 = ?1)"
  " AND NOT EXISTS (SELECT 1 FROM draft_blobs db WHERE db.sha256 = ?1)";

/* Helpers */

static gint64
store_now (void)
{
  return g_get_real_time ();
}

static void
bind_text (StoreStmt  *stmt,
           int         index,
           const char *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

static void
bind_id (StoreStmt *stmt,
         int        index,
         gint64     id)
{
  if (id <= 0)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_int64 (stmt, index, id);
}

static char *
column_dup (StoreStmt *stmt,
            int        column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

static gboolean
not_found (GError     **error,
           const char  *what,
           gint64       id)
{
  g_set_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_NOT_FOUND,
               "No %s with id %" G_GINT64_FORMAT " in the history", what, id);
  return FALSE;
}

static gboolean
check_json (const char  *json,
            const char  *what,
            GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;

  if (json == NULL)
    return TRUE;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, json, -1, &local_error))
    {
      g_set_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_INVALID,
                   "The %s is not JSON: %s", what, local_error->message);
      return FALSE;
    }

  return TRUE;
}

/* The first line of the first prompt, trimmed, shortened to fit a row. */
static char *
make_title (const char *text)
{
  g_auto(GStrv) lines = NULL;

  if (text == NULL)
    return g_strdup ("");

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = g_strstrip (g_strdup (lines[i]));

      if (line[0] == '\0')
        continue;

      if (g_utf8_strlen (line, -1) > TITLE_MAX_CHARS)
        {
          g_autofree char *cut = g_utf8_substring (line, 0, TITLE_MAX_CHARS - 1);

          g_strchomp (cut);
          return g_strconcat (cut, "…", NULL);
        }

      return g_steal_pointer (&line);
    }

  return g_strdup ("");
}

/* Objects from rows */

static StarlingConversationInfo *
conversation_from_row (StoreStmt *stmt)
{
  StarlingConversationInfo *info = g_object_new (STARLING_TYPE_CONVERSATION_INFO, NULL);

  info->id = sqlite3_column_int64 (stmt, 0);
  info->title = column_dup (stmt, 1);
  info->title_is_custom = sqlite3_column_int (stmt, 2) != 0;
  info->created = sqlite3_column_int64 (stmt, 3);
  info->updated = sqlite3_column_int64 (stmt, 4);
  info->pinned = sqlite3_column_int (stmt, 5) != 0;
  info->model = column_dup (stmt, 6);
  info->settings_json = column_dup (stmt, 7);
  info->deleted = sqlite3_column_type (stmt, 8) != SQLITE_NULL;
  info->snippet = column_dup (stmt, 9);
  info->draft = column_dup (stmt, 10);
  info->draft_attachments = column_dup (stmt, 11);
  if (info->title == NULL)
    info->title = g_strdup ("");
  if (info->snippet != NULL)
    {
      /* one line for the sidebar row */
      g_strdelimit (info->snippet, "\n\r\t", ' ');
      g_strstrip (info->snippet);
    }

  return info;
}

static StarlingStoredMessage *
message_from_row (StarlingStore *self,
                  StoreStmt     *stmt)
{
  StarlingStoredMessage *message = g_object_new (STARLING_TYPE_STORED_MESSAGE, NULL);

  message->id = sqlite3_column_int64 (stmt, 0);
  message->conversation_id = sqlite3_column_int64 (stmt, 1);
  message->parent_id = sqlite3_column_int64 (stmt, 2);
  starling_store_role_from_string ((const char *) sqlite3_column_text (stmt, 3), &message->role);
  message->text = column_dup (stmt, 5);
  message->thought_text = column_dup (stmt, 6);
  message->parts_json = starling_parts_unpack (self->blob_dir,
                                               (const char *) sqlite3_column_text (stmt, 4),
                                               message->text, message->thought_text,
                                               &message->blobs_missing);
  if (message->parts_json == NULL)
    message->parts_json = g_strdup ("[]");
  message->finish_reason = column_dup (stmt, 7);
  message->usage_json = column_dup (stmt, 8);
  message->grounding_json = column_dup (stmt, 9);
  message->model_version = column_dup (stmt, 10);
  starling_store_status_from_string ((const char *) sqlite3_column_text (stmt, 11),
                                     &message->status);
  message->error_json = column_dup (stmt, 12);
  message->created = sqlite3_column_int64 (stmt, 13);
  message->updated = sqlite3_column_int64 (stmt, 14);
  message->n_siblings = sqlite3_column_int (stmt, 15);
  message->sibling_index = sqlite3_column_int (stmt, 16);
  message->edit_draft = column_dup (stmt, 17);

  return message;
}

/* Opening: checks, moving a broken database aside, migrations */

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return -1;

  return st.st_size;
}

/* What the first 100 bytes say, without SQLite: a file that is not a
 * database at all, or one shorter than its own header says. */
static BrokenReason
check_header (const char *path,
              gboolean    hot_wal)
{
  guint8 header[100];
  gint64 size = file_size (path);
  guint page_size;
  guint32 change_counter, n_pages, valid_for;
  gssize n;
  int fd;

  if (size <= 0)
    return BROKEN_NONE;   /* SQLite starts an empty file as a new database */
  if (size < (gint64) sizeof header)
    return BROKEN_GARBAGE;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    return BROKEN_UNREADABLE;
  n = read (fd, header, sizeof header);
  close (fd);
  if (n != (gssize) sizeof header)
    return BROKEN_UNREADABLE;

  if (memcmp (header, "SQLite format 3", 16) != 0)
    return BROKEN_GARBAGE;

  page_size = (header[16] << 8) | header[17];
  if (page_size == 1)
    page_size = 65536;
  if (page_size < 512 || (page_size & (page_size - 1)) != 0)
    return BROKEN_GARBAGE;

  /* with a log left behind, the log may hold what the file lacks */
  if (hot_wal)
    return BROKEN_NONE;

  change_counter = read_be32 (header + 24);
  n_pages = read_be32 (header + 28);
  valid_for = read_be32 (header + 92);
  if (size % page_size != 0)
    return BROKEN_TRUNCATED;
  if (n_pages > 0 && valid_for == change_counter && (gint64) n_pages * page_size > size)
    return BROKEN_TRUNCATED;

  return BROKEN_NONE;
}

static BrokenReason
broken_reason_from_rc (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return BROKEN_GARBAGE;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return BROKEN_UNREADABLE;
    default:
      return BROKEN_NONE;
    }
}

static BrokenReason
broken_reason_from_error (const GError *error)
{
  if (g_error_matches (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_CORRUPT))
    return BROKEN_GARBAGE;

  return BROKEN_NONE;
}

static gboolean
run_quick_check (StoreConn     *conn,
                 BrokenReason  *reason,
                 GError       **error)
{
  g_autoptr(StoreStmt) stmt = store_conn_prepare (conn, sql_quick_check, error);
  const char *result;
  int rc;

  if (stmt == NULL)
    {
      *reason = BROKEN_CHECK_FAILED;
      return FALSE;
    }

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      *reason = BROKEN_CHECK_FAILED;
      return store_set_error (error, conn, rc);
    }

  result = (const char *) sqlite3_column_text (stmt, 0);
  if (g_strcmp0 (result, "ok") != 0)
    {
      *reason = BROKEN_CHECK_FAILED;
      g_set_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_CORRUPT,
                   _("The history database is damaged (%s)."), result ? result : "?");
      return FALSE;
    }

  return TRUE;
}

static gboolean
migrate (StoreConn     *conn,
         int            version,
         BrokenReason  *reason,
         GError       **error)
{
  for (int v = version; v < STARLING_STORE_LATEST_VERSION; v++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", v + 1);
      g_autoptr(GError) local_error = NULL;

      if (!store_conn_begin (conn, &local_error) ||
          !store_conn_exec (conn, starling_store_migrations[v], &local_error) ||
          !store_conn_exec (conn, set_version, &local_error) ||
          !store_conn_commit (conn, &local_error))
        {
          store_conn_rollback (conn);
          *reason = broken_reason_from_error (local_error);
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "Could not update the history to version %d: ", v + 1);
          return FALSE;
        }

      g_debug ("History migrated to version %d", v + 1);
    }

  return TRUE;
}

static gboolean
open_checked (StarlingStore  *self,
              BrokenReason   *reason,
              GError        **error)
{
  g_autofree char *wal_path = g_strconcat (self->path, "-wal", NULL);
  g_autoptr(StoreConn) conn = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean exists = g_file_test (self->path, G_FILE_TEST_EXISTS);
  gboolean hot_wal = file_size (wal_path) > 0;
  gint64 size = file_size (self->path);
  int version;
  int rc;

  *reason = BROKEN_NONE;

  if (exists)
    {
      *reason = check_header (self->path, hot_wal);
      if (*reason != BROKEN_NONE)
        {
          g_set_error_literal (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_CORRUPT,
                               _("The history database is damaged."));
          return FALSE;
        }
    }

  conn = store_conn_open (self->path, FALSE, &local_error);
  if (conn == NULL)
    {
      if (exists && g_error_matches (local_error, STARLING_STORE_ERROR,
                                     STARLING_STORE_ERROR_CORRUPT))
        *reason = BROKEN_UNREADABLE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  {
    g_autoptr(StoreStmt) stmt = store_conn_prepare (conn, sql_user_version, error);

    if (stmt == NULL)
      {
        *reason = broken_reason_from_rc (sqlite3_errcode (conn->db));
        return FALSE;
      }
    rc = sqlite3_step (stmt);
    if (rc != SQLITE_ROW)
      {
        *reason = broken_reason_from_rc (rc);
        return store_set_error (error, conn, rc);
      }
    version = sqlite3_column_int (stmt, 0);
  }

  if (version > STARLING_STORE_LATEST_VERSION || version < 0)
    {
      *reason = BROKEN_FUTURE_VERSION;
      g_set_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_CORRUPT,
                   "The history has version %d, newer than this program (%d)",
                   version, STARLING_STORE_LATEST_VERSION);
      return FALSE;
    }

  if (exists && size > 0)
    {
      g_autofree char *mark = g_strconcat (self->path, NEEDS_CHECK_SUFFIX, NULL);
      gboolean marked = g_file_test (mark, G_FILE_TEST_EXISTS);
      /* "1": check at every start, "0": only when marked (tests, benchmarks) */
      const char *policy = g_getenv ("STARLING_STORE_CHECK");
      gboolean check = marked || (policy != NULL ? g_str_equal (policy, "1")
                                                 : size <= QUICK_CHECK_MAX_SIZE);

      if (check && !run_quick_check (conn, reason, error))
        return FALSE;

      if (marked)
        g_unlink (mark);
    }

  {
    g_autoptr(StoreStmt) stmt = store_conn_prepare (conn, sql_journal_wal, error);

    if (stmt == NULL)
      {
        *reason = broken_reason_from_rc (sqlite3_errcode (conn->db));
        return FALSE;
      }
    rc = sqlite3_step (stmt);
    if (rc != SQLITE_ROW)
      {
        *reason = broken_reason_from_rc (rc);
        return store_set_error (error, conn, rc);
      }
    if (g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), "wal") != 0)
      g_warning ("The history could not use a write-ahead log");
  }

  if (!store_conn_exec (conn, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
                              "PRAGMA cache_size = -16384", error))
    return FALSE;

  if (!migrate (conn, version, reason, error))
    return FALSE;

  {
    g_autoptr(StoreStmt) stmt = store_conn_prepare (conn, sql_probe, &local_error);

    rc = stmt != NULL ? sqlite3_step (stmt) : sqlite3_errcode (conn->db);
    if (rc != SQLITE_ROW)
      {
        /* tables missing or unreadable under our version number: not ours */
        *reason = broken_reason_from_rc (rc);
        if (*reason == BROKEN_NONE && (rc & 0xff) == SQLITE_ERROR)
          *reason = BROKEN_SCHEMA;
        if (local_error != NULL)
          g_propagate_error (error, g_steal_pointer (&local_error));
        else
          store_set_error (error, conn, rc);
        return FALSE;
      }
  }

  self->conn = g_steal_pointer (&conn);
  return TRUE;
}

static char *
unique_broken_path (const char *path)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *base = g_strdup_printf ("%s.broken-%s", path, stamp);
  char *candidate = g_strdup (base);

  for (guint n = 2; ; n++)
    {
      g_autofree char *wal = g_strconcat (candidate, "-wal", NULL);

      if (!g_file_test (candidate, G_FILE_TEST_EXISTS) && !g_file_test (wal, G_FILE_TEST_EXISTS))
        return candidate;

      g_free (candidate);
      candidate = g_strdup_printf ("%s-%u", base, n);
    }
}

/* Never delete or overwrite: rename the database and its companions. */
static gboolean
move_aside (StarlingStore  *self,
            BrokenReason    reason,
            GError        **error)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };
  g_autofree char *target = unique_broken_path (self->path);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (self->path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (target, suffixes[i], NULL);

      if (!g_file_test (from, G_FILE_TEST_EXISTS))
        continue;

      if (g_rename (from, to) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_CORRUPT,
                       _("The history could not be read, and could not be moved aside "
                         "to start a new one: %s"),
                       g_strerror (saved_errno));
          return FALSE;
        }
    }

  g_message ("The history could not be read (reason %d); it was moved to %s", reason, target);

  {
    g_autofree char *mark = g_strconcat (self->path, NEEDS_CHECK_SUFFIX, NULL);

    g_unlink (mark);
  }

  g_free (self->broken_path);
  self->broken_path = g_steal_pointer (&target);
  self->broken_reason = reason;

  return TRUE;
}

static gboolean
take_lock (StarlingStore  *self,
           GError        **error)
{
  g_autofree char *lock_path = g_strconcat (self->path, ".lock", NULL);
  int fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_FAILED,
                   _("Could not open the history: %s"), g_strerror (saved_errno));
      return FALSE;
    }

  self->lock_fd = fd;
  /* the first program to open the history owns recovery; others only use it */
  self->primary = flock (fd, LOCK_EX | LOCK_NB) == 0;

  return TRUE;
}

static gboolean
recover (StarlingStore  *self,
         GError        **error)
{
  g_autoptr(StoreStmt) mark = NULL;
  g_autoptr(StoreStmt) purge = NULL;
  gboolean purged;

  mark = store_conn_prepare (self->conn, sql_mark_interrupted, error);
  if (mark == NULL)
    return FALSE;
  sqlite3_bind_int64 (mark, 1, store_now ());
  if (!store_conn_step_done (self->conn, mark, error))
    return FALSE;
  self->n_interrupted = sqlite3_changes (self->conn->db);
  if (self->n_interrupted > 0)
    g_debug ("%u answers were left streaming; now interrupted", self->n_interrupted);

  /* deleted in an earlier session: the time to undo is over */
  purge = store_conn_prepare (self->conn, sql_purge_deleted, error);
  if (purge == NULL || !store_conn_step_done (self->conn, purge, error))
    return FALSE;
  purged = sqlite3_changes (self->conn->db) > 0;

  if (purged && starling_store_collect_garbage (self, error) < 0)
    return FALSE;

  return TRUE;
}

static gboolean
starling_store_initable_init (GInitable     *initable,
                              GCancellable  *cancellable,
                              GError       **error)
{
  StarlingStore *self = STARLING_STORE (initable);
  g_autofree char *dir = NULL;

  if (self->conn != NULL)
    return TRUE;

  if (self->path == NULL)
    self->path = starling_store_dup_default_path ();

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_FAILED,
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  self->blob_dir = g_build_filename (dir, "blobs", NULL);

  if (!take_lock (self, error))
    return FALSE;

  for (guint attempt = 0; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      BrokenReason reason = BROKEN_NONE;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (open_checked (self, &reason, &local_error))
        break;

      if (reason == BROKEN_NONE || attempt > 0)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      g_debug ("Opening the history failed: %s", local_error->message);

      if (!self->primary)
        {
          /* another Starling has it open: leave it to that one */
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      if (!move_aside (self, reason, error))
        return FALSE;
    }

  if (self->primary && !recover (self, error))
    {
      g_clear_pointer (&self->conn, store_conn_close_default);
      return FALSE;
    }

  return TRUE;
}

static void
starling_store_initable_iface_init (GInitableIface *iface)
{
  iface->init = starling_store_initable_init;
}

/* The worker */

typedef void (*StoreJobFunc) (StarlingStore *self,
                              StoreConn     *conn,
                              GTask         *task);

typedef struct
{
  GTask        *task;
  StoreJobFunc  func;
} StoreJob;

static void
worker_func (gpointer data,
             gpointer user_data)
{
  StoreJob *job = data;
  StarlingStore *self = user_data;
  GTask *task = job->task;

  g_atomic_pointer_set (&self->worker_thread, g_thread_self ());

  if (!g_task_return_error_if_cancelled (task))
    {
      GError *error = NULL;

      if (self->reader == NULL)
        self->reader = starling_store_open_reader (self, &error);

      if (self->reader == NULL)
        g_task_return_error (task, error);
      else
        {
          self->reader->cancellable = g_task_get_cancellable (task);
          job->func (self, self->reader, task);
          self->reader->cancellable = NULL;
        }
    }

  g_free (job);
  /* last: this may be the store's last reference (see finalize) */
  g_object_unref (task);
}

static void
push_job (StarlingStore *self,
          GTask         *task,
          StoreJobFunc   func)
{
  StoreJob *job = g_new0 (StoreJob, 1);

  job->task = task;
  job->func = func;
  g_thread_pool_push (self->worker, job, NULL);
}

/* GObject */

static void
starling_store_finalize (GObject *object)
{
  StarlingStore *self = (StarlingStore *) object;

  /* The worker's last job may hold the last reference: then this runs in the
   * worker thread, which must not wait for itself. */
  g_thread_pool_free (self->worker, FALSE,
                      g_atomic_pointer_get (&self->worker_thread) != g_thread_self ());
  g_clear_pointer (&self->reader, store_conn_close_default);
  if (self->conn != NULL)
    store_conn_close (self->conn, TRUE);
  if (self->lock_fd >= 0)
    close (self->lock_fd);

  g_free (self->path);
  g_free (self->blob_dir);
  g_free (self->broken_path);

  G_OBJECT_CLASS (starling_store_parent_class)->finalize (object);
}

static void
starling_store_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  StarlingStore *self = STARLING_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_BROKEN_PATH:
      g_value_set_string (value, self->broken_path);
      break;

    case PROP_N_INTERRUPTED:
      g_value_set_uint (value, self->n_interrupted);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_store_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  StarlingStore *self = STARLING_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_store_class_init (StarlingStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = starling_store_finalize;
  object_class->get_property = starling_store_get_property;
  object_class->set_property = starling_store_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BROKEN_PATH] =
    g_param_spec_string ("broken-path", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_INTERRUPTED] =
    g_param_spec_uint ("n-interrupted", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * StarlingStore::conversation-changed:
   * @self: the store
   * @conversation_id: the conversation
   *
   * Emitted, in the thread that made the change, after a conversation or one
   * of its messages changed through this store: created, renamed (also the
   * title the first prompt gives it), pinned, deleted, brought back, purged,
   * a message added, finished or deleted. Not for each streaming update.
   * starling_store_get_conversation() says what it is now (or that it is gone).
   */
  signals[CONVERSATION_CHANGED] =
    g_signal_new ("conversation-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
starling_store_init (StarlingStore *self)
{
  self->lock_fd = -1;
  /* one thread: jobs run in order, on one connection */
  self->worker = g_thread_pool_new (worker_func, self, 1, FALSE, NULL);
}

/* Public API: opening */

/**
 * starling_store_dup_default_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/starling/history.db`
 */
char *
starling_store_dup_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "starling", "history.db", NULL);
}

/**
 * starling_store_new:
 * @path: (nullable): the database file, or %NULL for the default
 * @cancellable: (nullable): a #GCancellable
 * @error: a place for an error
 *
 * Opens the history, creating or updating it as needed. A database that
 * cannot be read is moved aside (see starling_store_get_broken_path()) and a
 * new one is started. Answers left streaming by a crash become interrupted.
 *
 * Returns: (transfer full): the store, or %NULL
 */
StarlingStore *
starling_store_new (const char    *path,
                    GCancellable  *cancellable,
                    GError       **error)
{
  return g_initable_new (STARLING_TYPE_STORE, cancellable, error, "path", path, NULL);
}

void
starling_store_new_async (const char          *path,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_async_initable_new_async (STARLING_TYPE_STORE, G_PRIORITY_DEFAULT, cancellable,
                              callback, user_data, "path", path, NULL);
}

StarlingStore *
starling_store_new_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_autoptr(GObject) source = g_async_result_get_source_object (result);

  return STARLING_STORE (g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, error));
}

const char *
starling_store_get_path (StarlingStore *self)
{
  g_return_val_if_fail (STARLING_IS_STORE (self), NULL);

  return self->path;
}

const char *
starling_store_get_blob_dir (StarlingStore *self)
{
  g_return_val_if_fail (STARLING_IS_STORE (self), NULL);

  return self->blob_dir;
}

/**
 * starling_store_get_broken_path:
 * @self: a #StarlingStore
 *
 * Returns: (nullable): where the unreadable database was moved when this
 *   store was opened, or %NULL if it opened normally
 */
const char *
starling_store_get_broken_path (StarlingStore *self)
{
  g_return_val_if_fail (STARLING_IS_STORE (self), NULL);

  return self->broken_path;
}

/**
 * starling_store_dup_recovery_message:
 * @self: a #StarlingStore
 *
 * Returns: (transfer full) (nullable): a sentence for the user saying that
 *   the history was moved aside and where, or %NULL if nothing happened
 */
char *
starling_store_dup_recovery_message (StarlingStore *self)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (STARLING_IS_STORE (self), NULL);

  if (self->broken_path == NULL)
    return NULL;

  name = g_path_get_basename (self->broken_path);

  if (self->broken_reason == BROKEN_FUTURE_VERSION)
    return g_strdup_printf (_("Your history was saved by a newer version of Starling. "
                              "It was kept as “%s” and a new one was started."), name);

  return g_strdup_printf (_("Your history could not be read. "
                            "It was kept as “%s” and a new one was started."), name);
}

/**
 * starling_store_get_n_interrupted:
 * @self: a #StarlingStore
 *
 * Returns: how many answers were found streaming when the store was opened
 *   (left by a crash) and were marked interrupted
 */
guint
starling_store_get_n_interrupted (StarlingStore *self)
{
  g_return_val_if_fail (STARLING_IS_STORE (self), 0);

  return self->n_interrupted;
}

StoreConn *
starling_store_open_reader (StarlingStore  *self,
                            GError        **error)
{
  return store_conn_open (self->path, TRUE, error);
}

/* The connection of the synchronous API, for the exporter. */
StoreConn *
starling_store_get_conn (StarlingStore *self)
{
  return self->conn;
}

/* Transactions */

gboolean
starling_store_begin (StarlingStore  *self,
                      GError        **error)
{
  return store_conn_begin (self->conn, error);
}

gboolean
starling_store_commit (StarlingStore  *self,
                       GError        **error)
{
  return store_conn_commit (self->conn, error);
}

void
starling_store_rollback (StarlingStore *self)
{
  store_conn_rollback (self->conn);
}

/* Several statements in one transaction, or inside the caller's. */
static gboolean
begin_if_needed (StarlingStore  *self,
                 gboolean       *began,
                 GError        **error)
{
  *began = FALSE;
  if (!sqlite3_get_autocommit (self->conn->db))
    return TRUE;

  if (!store_conn_begin (self->conn, error))
    return FALSE;

  *began = TRUE;
  return TRUE;
}

static gboolean
end_if_began (StarlingStore  *self,
              gboolean        began,
              gboolean        ok,
              GError        **error)
{
  if (!began)
    return ok;

  if (!ok)
    {
      store_conn_rollback (self->conn);
      return FALSE;
    }

  return store_conn_commit (self->conn, error);
}

static void
emit_changed (StarlingStore *self,
              gint64         conversation_id)
{
  g_signal_emit (self, signals[CONVERSATION_CHANGED], 0, conversation_id);
}

static gint64
conversation_of (StarlingStore *self,
                 gint64         message_id)
{
  g_autoptr(StoreStmt) stmt = store_conn_prepare (self->conn, sql_message_basics, NULL);
  gint64 id = 0;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, message_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);

  return id;
}

/* Conversations */

gint64
starling_store_create_conversation (StarlingStore  *self,
                                    const char     *title,
                                    const char     *model,
                                    const char     *settings_json,
                                    GError        **error)
{
  g_autoptr(StoreStmt) stmt = NULL;
  gboolean custom = title != NULL && title[0] != '\0';

  g_return_val_if_fail (STARLING_IS_STORE (self), 0);

  if (!check_json (settings_json, "settings", error))
    return 0;

  stmt = store_conn_prepare (self->conn, sql_create_conversation, error);
  if (stmt == NULL)
    return 0;

  bind_text (stmt, 1, custom ? title : "");
  sqlite3_bind_int (stmt, 2, custom);
  sqlite3_bind_int64 (stmt, 3, store_now ());
  bind_text (stmt, 4, model);
  bind_text (stmt, 5, settings_json);
  if (!store_conn_step_done (self->conn, stmt, error))
    return 0;

  {
    gint64 id = sqlite3_last_insert_rowid (self->conn->db);

    emit_changed (self, id);
    return id;
  }
}

typedef enum
{
  BIND_NONE,
  BIND_TEXT,
  BIND_NUMBER,
} BindKind;

static gboolean
update_conversation (StarlingStore  *self,
                     const char     *sql,
                     gint64          conversation_id,
                     BindKind        kind,
                     const char     *text,
                     gint64          number,
                     GError        **error)
{
  g_autoptr(StoreStmt) stmt = store_conn_prepare (self->conn, sql, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, conversation_id);
  if (kind == BIND_TEXT)
    bind_text (stmt, 2, text);
  else if (kind == BIND_NUMBER)
    sqlite3_bind_int64 (stmt, 2, number);

  if (!store_conn_step_done (self->conn, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->conn->db) == 0)
    return not_found (error, "conversation", conversation_id);

  emit_changed (self, conversation_id);
  return TRUE;
}

/**
 * starling_store_rename_conversation:
 * @self: a #StarlingStore
 * @conversation_id: the conversation
 * @title: (nullable): the user's title; %NULL or empty goes back to the
 *   title made from the first prompt
 * @error: a place for an error
 */
gboolean
starling_store_rename_conversation (StarlingStore  *self,
                                    gint64          conversation_id,
                                    const char     *title,
                                    GError        **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (title ? title : ""));
  g_autofree char *auto_title = NULL;
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (STARLING_IS_STORE (self), FALSE);

  if (stripped[0] != '\0')
    return update_conversation (self, sql_rename_custom, conversation_id, BIND_TEXT, stripped, 0,
                                error);

  stmt = store_conn_prepare (self->conn, sql_first_prompt, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return store_set_error (error, self->conn, rc);
  auto_title = make_title (rc == SQLITE_ROW ? (const char *) sqlite3_column_text (stmt, 0) : NULL);
  sqlite3_reset (stmt);

  return update_conversation (self, sql_rename_auto, conversation_id, BIND_TEXT, auto_title, 0,
                              error);
}

gboolean
starling_store_set_pinned (StarlingStore  *self,
                           gint64          conversation_id,
                           gboolean        pinned,
                           GError        **error)
{
  g_return_val_if_fail (STARLING_IS_STORE (self), FALSE);

  return update_conversation (self, sql_set_pinned, conversation_id, BIND_NUMBER, NULL,
                              pinned ? 1 : 0, error);
}

/* The blobs of @refs, each linked to its owner (a message or a draft) by @link_sql. */
static gboolean
insert_blob_refs (StarlingStore  *self,
                  const char     *link_sql,
                  gint64          owner_id,
                  GPtrArray      *refs,
                  GError        **error)
{
  for (guint i = 0; i < refs->len; i++)
    {
      StoreBlobRef *ref = g_ptr_array_index (refs, i);
      g_autoptr(StoreStmt) blob = store_conn_prepare (self->conn, sql_insert_blob, error);
      g_autoptr(StoreStmt) link = NULL;

      if (blob == NULL)
        return FALSE;
      bind_text (blob, 1, ref->sha256);
      bind_text (blob, 2, ref->mime_type);
      sqlite3_bind_int64 (blob, 3, ref->size);
      sqlite3_bind_int64 (blob, 4, store_now ());
      if (!store_conn_step_done (self->conn, blob, error))
        return FALSE;

      link = store_conn_prepare (self->conn, link_sql, error);
      if (link == NULL)
        return FALSE;
      sqlite3_bind_int64 (link, 1, owner_id);
      bind_text (link, 2, ref->sha256);
      if (!store_conn_step_done (self->conn, link, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean get_message_basics (StarlingStore      *self,
                                    gint64              message_id,
                                    gint64             *conversation_id,
                                    gint64             *parent_id,
                                    StarlingStoreRole  *role,
                                    GError            **error);

static gboolean
check_conversation_exists (StarlingStore  *self,
                           gint64          conversation_id,
                           GError        **error)
{
  g_autoptr(StoreStmt) stmt = store_conn_prepare (self->conn, sql_conversation_exists, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return not_found (error, "conversation", conversation_id);
  return TRUE;
}

/* Runs @sql with the conversation as ?1 and, if it has one, now as ?2;
 * adds the rows it changed to @changes. */
static gboolean
draft_step (StarlingStore  *self,
            const char     *sql,
            gint64          conversation_id,
            int            *changes,
            GError        **error)
{
  g_autoptr(StoreStmt) stmt = store_conn_prepare (self->conn, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  if (sqlite3_bind_parameter_count (stmt) >= 2)
    sqlite3_bind_int64 (stmt, 2, store_now ());
  if (!store_conn_step_done (self->conn, stmt, error))
    return FALSE;
  *changes += sqlite3_changes (self->conn->db);
  return TRUE;
}

/**
 * starling_store_set_draft:
 * @self: a #StarlingStore
 * @conversation_id: the conversation
 * @text: (nullable): what the user typed for it and has not sent; %NULL or
 *   only white space forgets the text (files attached to the draft stay)
 * @error: a place for an error
 *
 * Keeps the text of the conversation's draft. It does not change when the
 * conversation was last updated, so the conversation keeps its place in
 * the list.
 */
gboolean
starling_store_set_draft (StarlingStore  *self,
                          gint64          conversation_id,
                          const char     *text,
                          GError        **error)
{
  gboolean empty = TRUE;
  gboolean began;
  gboolean ok;
  int changes = 0;

  g_return_val_if_fail (STARLING_IS_STORE (self), FALSE);

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      {
        empty = FALSE;
        break;
      }
  if (!empty && !g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_INVALID,
                           "The draft is not valid UTF-8");
      return FALSE;
    }

  if (!check_conversation_exists (self, conversation_id, error))
    return FALSE;

  if (!empty)
    {
      g_autoptr(StoreStmt) stmt = store_conn_prepare (self->conn, sql_set_draft, error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, conversation_id);
      bind_text (stmt, 2, text);
      sqlite3_bind_int64 (stmt, 3, store_now ());
      if (!store_conn_step_done (self->conn, stmt, error))
        return FALSE;
      changes = sqlite3_changes (self->conn->db);
    }
  else
    {
      if (!begin_if_needed (self, &began, error))
        return FALSE;
      ok = draft_step (self, sql_clear_draft_text, conversation_id, &changes, error) &&
           draft_step (self, sql_delete_empty_draft, conversation_id, &changes, error);
      if (!end_if_began (self, began, ok, error))
        return FALSE;
    }

  /* The list shows drafts: tell it only when something changed. */
  if (changes > 0)
    emit_changed (self, conversation_id);
  return TRUE;
}

/**
 * starling_store_dup_draft:
 * @self: a #StarlingStore
 * @conversation_id: the conversation
 * @error: a place for an error
 *
 * Returns: (transfer full) (nullable): the text of the conversation's
 *   draft, "" when it has none, %NULL on error
 */
char *
starling_store_dup_draft (StarlingStore  *self,
                          gint64          conversation_id,
                          GError        **error)
{
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (STARLING_IS_STORE (self), NULL);

  stmt = store_conn_prepare (self->conn, sql_get_draft, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      store_set_error (error, self->conn, rc);
      return NULL;
    }
  return g_strdup ("");
}

/**
 * starling_store_set_draft_attachments:
 * @self: a #StarlingStore
 * @conversation_id: the conversation
 * @parts_json: (nullable): the files attached to the draft, a JSON array
 *   of objects with an `inlineData` (and whatever else the caller keeps,
 *   such as a file name); %NULL or `[]` forgets them
 * @names: (nullable): the files' names, as the list shows them
 * @error: a place for an error
 *
 * Keeps the files attached to the conversation's draft, large data in blob
 * files as for messages. Like the text, it does not change when the
 * conversation was last updated.
 */
gboolean
starling_store_set_draft_attachments (StarlingStore  *self,
                                      gint64          conversation_id,
                                      const char     *parts_json,
                                      const char     *names,
                                      GError        **error)
{
  g_autoptr(StarlingJsonSpan) root = NULL;
  g_autoptr(GPtrArray) refs = NULL;
  g_autofree char *stored = NULL;
  gboolean began;
  gboolean ok;
  int changes = 0;
  int links = 0;   /* not a change the list shows */

  g_return_val_if_fail (STARLING_IS_STORE (self), FALSE);

  if (parts_json != NULL)
    {
      root = starling_json_span_parse (parts_json, strlen (parts_json), NULL);
      if (root == NULL || root->type != STARLING_JSON_SPAN_ARRAY ||
          (names != NULL && !g_utf8_validate (names, -1, NULL)))
        {
          g_set_error_literal (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_INVALID,
                               "The draft's attachments are not a JSON array");
          return FALSE;
        }
      if (root->children == NULL || root->children->len == 0)
        parts_json = NULL;
    }

  if (!check_conversation_exists (self, conversation_id, error))
    return FALSE;

  if (parts_json != NULL)
    {
      /* The files first: a crash after them leaves files no row names,
       * which the next garbage collection removes. */
      refs = g_ptr_array_new_with_free_func ((GDestroyNotify) store_blob_ref_free);
      stored = starling_parts_externalize (self->blob_dir, parts_json, refs, error);
      if (stored == NULL)
        return FALSE;
    }

  if (!begin_if_needed (self, &began, error))
    return FALSE;

  if (parts_json == NULL)
    {
      ok = draft_step (self, sql_clear_draft_attachments, conversation_id, &changes, error) &&
           draft_step (self, sql_delete_draft_blobs, conversation_id, &changes, error) &&
           draft_step (self, sql_delete_empty_draft, conversation_id, &changes, error);
    }
  else
    {
      g_autoptr(StoreStmt) stmt = store_conn_prepare (self->conn, sql_set_draft_attachments, error);

      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, conversation_id);
          bind_text (stmt, 2, stored);
          bind_text (stmt, 3, names != NULL ? names : "");
          sqlite3_bind_int64 (stmt, 4, store_now ());
          ok = store_conn_step_done (self->conn, stmt, error);
          changes = ok ? sqlite3_changes (self->conn->db) : 0;
        }
      ok = ok &&
           draft_step (self, sql_delete_draft_blobs, conversation_id, &links, error) &&
           insert_blob_refs (self, sql_insert_draft_blob, conversation_id, refs, error);
    }

  if (!end_if_began (self, began, ok, error))
    return FALSE;

  if (changes == 0)
    return TRUE;
  emit_changed (self, conversation_id);
  /* The files the draft no longer has, unless a message has them too. */
  return starling_store_collect_garbage (self, error) >= 0;
}

/**
 * starling_store_set_message_edit_draft:
 * @self: a #StarlingStore
 * @message_id: a prompt (a user message)
 * @text: (nullable): the text of its Edit and Resend, not sent yet; %NULL
 *   when it is not being edited
 * @error: a place for an error
 *
 * Keeps what the user typed while editing a prompt, so it can come back.
 * Neither the message nor its conversation counts as updated.
 */
gboolean
starling_store_set_message_edit_draft (StarlingStore  *self,
                                       gint64          message_id,
                                       const char     *text,
                                       GError        **error)
{
  g_autoptr(StoreStmt) stmt = NULL;
  StarlingStoreRole role;

  g_return_val_if_fail (STARLING_IS_STORE (self), FALSE);

  if (text != NULL && !g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_INVALID,
                           "The edited text is not valid UTF-8");
      return FALSE;
    }
  if (!get_message_basics (self, message_id, NULL, NULL, &role, error))
    return FALSE;
  if (role != STARLING_STORE_ROLE_USER)
    {
      g_set_error_literal (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_INVALID,
                           "Only a prompt can be edited");
      return FALSE;
    }

  stmt = store_conn_prepare (self->conn, sql_set_edit_draft, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, message_id);
  if (text != NULL)
    bind_text (stmt, 2, text);
  else
    sqlite3_bind_null (stmt, 2);
  return store_conn_step_done (self->conn, stmt, error);
}

/**
 * starling_store_dup_draft_attachments:
 * @self: a #StarlingStore
 * @conversation_id: the conversation
 * @missing: (out) (optional): set to %TRUE when a blob file could not be read
 * @error: a place for an error
 *
 * Returns: (transfer full) (nullable): the files attached to the draft, as
 *   given to starling_store_set_draft_attachments() (`[]` when there are
 *   none), or %NULL on error
 */
char *
starling_store_dup_draft_attachments (StarlingStore  *self,
                                      gint64          conversation_id,
                                      gboolean       *missing,
                                      GError        **error)
{
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (STARLING_IS_STORE (self), NULL);

  if (missing != NULL)
    *missing = FALSE;

  stmt = store_conn_prepare (self->conn, sql_get_draft_attachments, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return starling_parts_restore (self->blob_dir, (const char *) sqlite3_column_text (stmt, 0), missing);
  if (rc != SQLITE_DONE)
    {
      store_set_error (error, self->conn, rc);
      return NULL;
    }
  return g_strdup ("[]");
}

gboolean
starling_store_set_conversation_model (StarlingStore  *self,
                                       gint64          conversation_id,
                                       const char     *model,
                                       GError        **error)
{
  g_return_val_if_fail (STARLING_IS_STORE (self), FALSE);

  return update_conversation (self, sql_set_model, conversation_id, BIND_TEXT, model, 0, error);
}

/**
 * starling_store_set_conversation_settings:
 * @self: a #StarlingStore
 * @conversation_id: the conversation
 * @settings_json: (nullable): the conversation's generation settings, JSON
 *   text the store keeps as it is
 * @error: a place for an error
 */
gboolean
starling_store_set_conversation_settings (StarlingStore  *self,
                                          gint64          conversation_id,
                                          const char     *settings_json,
                                          GError        **error)
{
  g_return_val_if_fail (STARLING_IS_STORE (self), FALSE);

  if (!check_json (settings_json, "settings", error))
    return FALSE;

  return update_conversation (self, sql_set_settings, conversation_id, BIND_TEXT, settings_json,
                              0, error);
}

gboolean
starling_store_set_conversation_times (StarlingStore  *self,
                                       gint64          conversation_id,
                                       gint64          created,
                                       gint64          updated,
                                       GError        **error)
{
  g_autoptr(StoreStmt) stmt = store_conn_prepare (self->conn, sql_set_times, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, conversation_id);
  sqlite3_bind_int64 (stmt, 2, created);
  sqlite3_bind_int64 (stmt, 3, updated);

  return store_conn_step_done (self->conn, stmt, error);
}

/**
 * starling_store_delete_conversation:
 * @self: a #StarlingStore
 * @conversation_id: the conversation
 * @error: a place for an error
 *
 * Hides the conversation from lists and searches; it can be brought back
 * with starling_store_undelete_conversation() until it is purged (by
 * starling_store_purge_conversation(), starling_store_purge_deleted(), or
 * when the history is next opened).
 */
gboolean
starling_store_delete_conversation (StarlingStore  *self,
                                    gint64          conversation_id,
                                    GError        **error)
{
  g_return_val_if_fail (STARLING_IS_STORE (self), FALSE);

  return update_conversation (self, sql_soft_delete, conversation_id, BIND_NUMBER, NULL,
                              store_now (), error);
}

gboolean
starling_store_undelete_conversation (StarlingStore  *self,
                                      gint64          conversation_id,
                                      GError        **error)
{
  g_return_val_if_fail (STARLING_IS_STORE (self), FALSE);

  return update_conversation (self, sql_undelete, conversation_id, BIND_NONE, NULL, 0, error);
}

gboolean
starling_store_purge_conversation (StarlingStore  *self,
                                   gint64          conversation_id,
                                   GError        **error)
{
  g_return_val_if_fail (STARLING_IS_STORE (self), FALSE);

  if (!update_conversation (self, sql_purge_conversation, conversation_id, BIND_NONE, NULL, 0,
                            error))
    return FALSE;

  return starling_store_collect_garbage (self, error) >= 0;
}

/**
 * starling_store_purge_deleted:
 * @self: a #StarlingStore
 * @error: a place for an error
 *
 * Returns: how many deleted conversations were removed for good, or -1
 */
gint64
starling_store_purge_deleted (StarlingStore  *self,
                              GError        **error)
{
  g_autoptr(StoreStmt) stmt = NULL;
  gint64 n;

  g_return_val_if_fail (STARLING_IS_STORE (self), -1);

  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(StoreStmt) list = NULL;
  int rc;

  list = store_conn_prepare (self->conn, sql_deleted_ids, error);
  if (list == NULL)
    return -1;
  while ((rc = sqlite3_step (list)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (list, 0);

      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      store_set_error (error, self->conn, rc);
      return -1;
    }

  stmt = store_conn_prepare (self->conn, sql_purge_deleted, error);
  if (stmt == NULL || !store_conn_step_done (self->conn, stmt, error))
    return -1;
  n = sqlite3_changes (self->conn->db);

  for (guint i = 0; i < ids->len; i++)
    emit_changed (self, g_array_index (ids, gint64, i));

  if (n > 0 && starling_store_collect_garbage (self, error) < 0)
    return -1;

  return n;
}

StarlingConversationInfo *
starling_store_conn_get_conversation (StarlingStore  *self,
                                      StoreConn      *conn,
                                      gint64          conversation_id,
                                      GError        **error)
{
  g_autoptr(StoreStmt) stmt = store_conn_prepare (conn, sql_get_conversation, error);
  int rc;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, conversation_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return conversation_from_row (stmt);
  if (rc == SQLITE_DONE)
    not_found (error, "conversation", conversation_id);
  else
    store_set_error (error, conn, rc);

  return NULL;
}

/**
 * starling_store_get_conversation:
 * @self: a #StarlingStore
 * @conversation_id: the conversation
 * @error: a place for an error
 *
 * Returns: (transfer full): the conversation, deleted or not, or %NULL
 */
StarlingConversationInfo *
starling_store_get_conversation (StarlingStore  *self,
                                 gint64          conversation_id,
                                 GError        **error)
{
  g_return_val_if_fail (STARLING_IS_STORE (self), NULL);

  return starling_store_conn_get_conversation (self, self->conn, conversation_id, error);
}

gint64
starling_store_count_conversations (StarlingStore  *self,
                                    GError        **error)
{
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (STARLING_IS_STORE (self), -1);

  stmt = store_conn_prepare (self->conn, sql_count_conversations, error);
  if (stmt == NULL)
    return -1;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      store_set_error (error, self->conn, rc);
      return -1;
    }

  return sqlite3_column_int64 (stmt, 0);
}

GPtrArray *
starling_store_conn_list_conversations (StarlingStore  *self,
                                        StoreConn      *conn,
                                        guint           offset,
                                        guint           limit,
                                        GError        **error)
{
  g_autoptr(StoreStmt) stmt = store_conn_prepare (conn, sql_list_conversations, error);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, limit == 0 ? -1 : (gint64) limit);
  sqlite3_bind_int64 (stmt, 2, offset);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, conversation_from_row (stmt));

  if (rc != SQLITE_DONE)
    {
      store_set_error (error, conn, rc);
      return NULL;
    }

  return g_steal_pointer (&list);
}

/**
 * starling_store_list_conversations:
 * @self: a #StarlingStore
 * @offset: how many rows to skip
 * @limit: how many rows at most (0: all)
 * @error: a place for an error
 *
 * Conversations not deleted, pinned first, then the most recently updated.
 *
 * Returns: (transfer full) (element-type StarlingConversationInfo): a page of them
 */
GPtrArray *
starling_store_list_conversations (StarlingStore  *self,
                                   guint           offset,
                                   guint           limit,
                                   GError        **error)
{
  g_return_val_if_fail (STARLING_IS_STORE (self), NULL);

  return starling_store_conn_list_conversations (self, self->conn, offset, limit, error);
}

typedef struct
{
  gint64               conversation_id;
  gint64               leaf_id;
  guint                offset;
  guint                limit;
  char                *text;
  StarlingSearchFlags  flags;
} JobData;

static void
job_data_free (gpointer data)
{
  JobData *d = data;

  g_free (d->text);
  g_free (d);
}

static void
list_conversations_job (StarlingStore *self,
                        StoreConn     *conn,
                        GTask         *task)
{
  JobData *d = g_task_get_task_data (task);
  GError *error = NULL;
  GPtrArray *list = starling_store_conn_list_conversations (self, conn, d->offset, d->limit,
                                                            &error);

  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

void
starling_store_list_conversations_async (StarlingStore       *self,
                                         guint                offset,
                                         guint                limit,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  GTask *task;
  JobData *d;

  g_return_if_fail (STARLING_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, starling_store_list_conversations_async);
  d = g_new0 (JobData, 1);
  d->offset = offset;
  d->limit = limit;
  g_task_set_task_data (task, d, job_data_free);
  push_job (self, task, list_conversations_job);
}

/**
 * starling_store_list_conversations_finish:
 *
 * Returns: (transfer full) (element-type StarlingConversationInfo): the page
 */
GPtrArray *
starling_store_list_conversations_finish (StarlingStore  *self,
                                          GAsyncResult   *result,
                                          GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Messages */

static gboolean
get_message_basics (StarlingStore      *self,
                    gint64              message_id,
                    gint64             *conversation_id,
                    gint64             *parent_id,
                    StarlingStoreRole  *role,
                    GError            **error)
{
  g_autoptr(StoreStmt) stmt = store_conn_prepare (self->conn, sql_message_basics, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, message_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return not_found (error, "message", message_id);
  if (rc != SQLITE_ROW)
    return store_set_error (error, self->conn, rc);

  if (conversation_id != NULL)
    *conversation_id = sqlite3_column_int64 (stmt, 0);
  if (parent_id != NULL)
    *parent_id = sqlite3_column_int64 (stmt, 1);
  if (role != NULL)
    starling_store_role_from_string ((const char *) sqlite3_column_text (stmt, 2), role);

  return TRUE;
}

/**
 * starling_store_append_message:
 * @self: a #StarlingStore
 * @conversation_id: the conversation
 * @parent_id: the message this one follows, or 0 for the first message
 * @role: who wrote it
 * @parts_json: the raw API parts, a JSON array, exactly as sent or received
 * @status: %STARLING_STORE_STATUS_COMPLETE for a prompt,
 *   %STARLING_STORE_STATUS_STREAMING for an answer that starts arriving
 * @error: a place for an error
 *
 * Adds a message. A second message with the same parent is a new branch (an
 * edited prompt, a regenerated answer) and becomes the selected one. The
 * first prompt of a conversation without a title gives it one.
 *
 * Returns: the new message's id, or 0
 */
gint64
starling_store_append_message (StarlingStore        *self,
                               gint64                conversation_id,
                               gint64                parent_id,
                               StarlingStoreRole     role,
                               const char           *parts_json,
                               StarlingStoreStatus   status,
                               GError              **error)
{
  g_autofree char *text = NULL;
  g_autofree char *thought_text = NULL;
  g_autofree char *stored = NULL;
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify) store_blob_ref_free);
  gint64 now = store_now ();
  gint64 message_id = 0;
  gboolean began;
  gboolean ok = FALSE;

  g_return_val_if_fail (STARLING_IS_STORE (self), 0);
  g_return_val_if_fail (parts_json != NULL, 0);

  stored = starling_parts_pack (self->blob_dir, parts_json, refs, &text, &thought_text, error);
  if (stored == NULL)
    return 0;

  if (!begin_if_needed (self, &began, error))
    return 0;

  do
    {
      g_autoptr(StoreStmt) insert = NULL;
      g_autoptr(StoreStmt) touch = NULL;

      if (!check_conversation_exists (self, conversation_id, error))
        break;

      if (parent_id > 0)
        {
          gint64 parent_conversation = 0;

          if (!get_message_basics (self, parent_id, &parent_conversation, NULL, NULL, error))
            break;
          if (parent_conversation != conversation_id)
            {
              g_set_error (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_INVALID,
                           "Message %" G_GINT64_FORMAT " belongs to another conversation",
                           parent_id);
              break;
            }
        }

      insert = store_conn_prepare (self->conn, sql_insert_message, error);
      if (insert == NULL)
        break;
      sqlite3_bind_int64 (insert, 1, conversation_id);
      bind_id (insert, 2, parent_id);
      bind_text (insert, 3, starling_store_role_to_string (role));
      bind_text (insert, 4, stored);
      bind_text (insert, 5, text);
      bind_text (insert, 6, thought_text);
      bind_text (insert, 7, starling_store_status_to_string (status));
      sqlite3_bind_int64 (insert, 8, now);
      if (!store_conn_step_done (self->conn, insert, error))
        break;
      message_id = sqlite3_last_insert_rowid (self->conn->db);

      if (!insert_blob_refs (self, sql_insert_message_blob, message_id, refs, error))
        break;

      touch = store_conn_prepare (self->conn, sql_touch_conversation, error);
      if (touch == NULL)
        break;
      sqlite3_bind_int64 (touch, 1, conversation_id);
      sqlite3_bind_int64 (touch, 2, now);
      if (!store_conn_step_done (self->conn, touch, error))
        break;

      if (role == STARLING_STORE_ROLE_USER && parent_id <= 0)
        {
          g_autofree char *title = make_title (text);
          g_autoptr(StoreStmt) set_title = NULL;

          if (title[0] != '\0')
            {
              set_title = store_conn_prepare (self->conn, sql_auto_title, error);
              if (set_title == NULL)
                break;
              sqlite3_bind_int64 (set_title, 1, conversation_id);
              bind_text (set_title, 2, title);
              if (!store_conn_step_done (self->conn, set_title, error))
                break;
            }
        }

      ok = TRUE;
    }
  while (FALSE);

  if (!end_if_began (self, began, ok, error))
    return 0;

  emit_changed (self, conversation_id);
  return message_id;
}

static gboolean
write_parts (StarlingStore        *self,
             gint64                message_id,
             const char           *parts_json,
             StarlingStoreStatus   status,
             GError              **error)
{
  g_autofree char *text = NULL;
  g_autofree char *thought_text = NULL;
  g_autofree char *stored = NULL;
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify) store_blob_ref_free);
  g_autoptr(StoreStmt) stmt = NULL;
  gboolean began = FALSE;
  gboolean ok = FALSE;

  stored = starling_parts_pack (self->blob_dir, parts_json, refs, &text, &thought_text, error);
  if (stored == NULL)
    return FALSE;

  /* the common case while streaming is one UPDATE, its own transaction */
  if (refs->len > 0 && !begin_if_needed (self, &began, error))
    return FALSE;

  do
    {
      stmt = store_conn_prepare (self->conn, sql_update_parts, error);
      if (stmt == NULL)
        break;
      sqlite3_bind_int64 (stmt, 1, message_id);
      bind_text (stmt, 2, stored);
      bind_text (stmt, 3, text);
      bind_text (stmt, 4, thought_text);
      bind_text (stmt, 5, starling_store_status_to_string (status));
      sqlite3_bind_int64 (stmt, 6, store_now ());
      if (!store_conn_step_done (self->conn, stmt, error))
        break;
      if (sqlite3_changes (self->conn->db) == 0)
        {
          not_found (error, "message", message_id);
          break;
        }

      if (!insert_blob_refs (self, sql_insert_message_blob, message_id, refs, error))
        break;

      ok = TRUE;
    }
  while (FALSE);

  return end_if_began (self, began, ok, error);
}

/**
 * starling_store_update_message:
 * @self: a #StarlingStore
 * @message_id: the message
 * @parts_json: all its parts so far, a JSON array
 * @status: its status
 * @error: a place for an error
 *
 * Saves an answer as it grows: one small write, cheap enough for every half
 * second of a stream. The text is searchable once the status is no longer
 * %STARLING_STORE_STATUS_STREAMING.
 */
gboolean
starling_store_update_message (StarlingStore        *self,
                               gint64                message_id,
                               const char           *parts_json,
                               StarlingStoreStatus   status,
                               GError              **error)
{
  g_return_val_if_fail (STARLING_IS_STORE (self), FALSE);
  g_return_val_if_fail (parts_json != NULL, FALSE);

  return write_parts (self, message_id, parts_json, status, error);
}

/**
 * starling_store_finish_message:
 * @self: a #StarlingStore
 * @message_id: the message
 * @parts_json: (nullable): its final parts, or %NULL to keep those saved
 * @status: its final status
 * @finish_reason: (nullable): the API's `finishReason`
 * @usage_json: (nullable): the `usageMetadata` object, JSON text
 * @grounding_json: (nullable): the `groundingMetadata` object, JSON text
 * @model_version: (nullable): the `modelVersion`
 * @error_json: (nullable): what went wrong, JSON text (for example the API's
 *   `{"error": {...}}` body)
 * @error: a place for an error
 */
gboolean
starling_store_finish_message (StarlingStore        *self,
                               gint64                message_id,
                               const char           *parts_json,
                               StarlingStoreStatus   status,
                               const char           *finish_reason,
                               const char           *usage_json,
                               const char           *grounding_json,
                               const char           *model_version,
                               const char           *error_json,
                               GError              **error)
{
  gint64 now = store_now ();
  gboolean began;
  gboolean ok = FALSE;

  g_return_val_if_fail (STARLING_IS_STORE (self), FALSE);

  if (!check_json (usage_json, "usage", error) ||
      !check_json (grounding_json, "grounding metadata", error) ||
      !check_json (error_json, "error", error))
    return FALSE;

  if (!begin_if_needed (self, &began, error))
    return FALSE;

  do
    {
      g_autoptr(StoreStmt) stmt = NULL;
      g_autoptr(StoreStmt) touch = NULL;

      if (parts_json != NULL && !write_parts (self, message_id, parts_json, status, error))
        break;

      stmt = store_conn_prepare (self->conn, sql_finish_message, error);
      if (stmt == NULL)
        break;
      sqlite3_bind_int64 (stmt, 1, message_id);
      bind_text (stmt, 2, starling_store_status_to_string (status));
      bind_text (stmt, 3, finish_reason);
      bind_text (stmt, 4, usage_json);
      bind_text (stmt, 5, grounding_json);
      bind_text (stmt, 6, model_version);
      bind_text (stmt, 7, error_json);
      sqlite3_bind_int64 (stmt, 8, now);
      if (!store_conn_step_done (self->conn, stmt, error))
        break;
      if (sqlite3_changes (self->conn->db) == 0)
        {
          not_found (error, "message", message_id);
          break;
        }

      touch = store_conn_prepare (self->conn, sql_touch_conversation_of, error);
      if (touch == NULL)
        break;
      sqlite3_bind_int64 (touch, 1, message_id);
      sqlite3_bind_int64 (touch, 2, now);
      if (!store_conn_step_done (self->conn, touch, error))
        break;

      ok = TRUE;
    }
  while (FALSE);

  if (!end_if_began (self, began, ok, error))
    return FALSE;

  emit_changed (self, conversation_of (self, message_id));
  return TRUE;
}

/**
 * starling_store_set_message_request:
 * @self: a #StarlingStore
 * @message_id: the answer
 * @request_json: the request body that was sent for it (never holding the
 *   key: the key travels in a header); large images go to blob files
 * @error: a place for an error
 */
gboolean
starling_store_set_message_request (StarlingStore  *self,
                                    gint64          message_id,
                                    const char     *request_json,
                                    GError        **error)
{
  g_autofree char *stored = NULL;
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify) store_blob_ref_free);
  gboolean began;
  gboolean ok = FALSE;

  g_return_val_if_fail (STARLING_IS_STORE (self), FALSE);

  if (!check_json (request_json, "request", error))
    return FALSE;

  if (request_json != NULL)
    {
      stored = starling_parts_externalize (self->blob_dir, request_json, refs, error);
      if (stored == NULL)
        return FALSE;
    }

  if (!begin_if_needed (self, &began, error))
    return FALSE;

  do
    {
      g_autoptr(StoreStmt) stmt = store_conn_prepare (self->conn, sql_set_request, error);

      if (stmt == NULL)
        break;
      sqlite3_bind_int64 (stmt, 1, message_id);
      bind_text (stmt, 2, stored);
      if (!store_conn_step_done (self->conn, stmt, error))
        break;
      if (sqlite3_changes (self->conn->db) == 0)
        {
          not_found (error, "message", message_id);
          break;
        }
      if (!insert_blob_refs (self, sql_insert_message_blob, message_id, refs, error))
        break;
      ok = TRUE;
    }
  while (FALSE);

  return end_if_began (self, began, ok, error);
}

/**
 * starling_store_dup_message_request:
 *
 * Returns: (transfer full) (nullable): the request saved for the message,
 *   images back inline, or %NULL (with @error unset if none was saved)
 */
char *
starling_store_dup_message_request (StarlingStore  *self,
                                    gint64          message_id,
                                    GError        **error)
{
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (STARLING_IS_STORE (self), NULL);

  stmt = store_conn_prepare (self->conn, sql_get_request, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, message_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      not_found (error, "message", message_id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      store_set_error (error, self->conn, rc);
      return NULL;
    }

  return starling_parts_restore (self->blob_dir, (const char *) sqlite3_column_text (stmt, 0),
                                 NULL);
}

static StarlingStoredMessage *
conn_get_message (StarlingStore  *self,
                  StoreConn      *conn,
                  gint64          message_id,
                  GError        **error)
{
  g_autoptr(StoreStmt) stmt = store_conn_prepare (conn, sql_get_message, error);
  int rc;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, message_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return message_from_row (self, stmt);

  if (rc == SQLITE_DONE)
    not_found (error, "message", message_id);
  else
    store_set_error (error, conn, rc);

  return NULL;
}

/**
 * starling_store_get_message:
 *
 * Returns: (transfer full): the message, its parts with images back inline
 */
StarlingStoredMessage *
starling_store_get_message (StarlingStore  *self,
                            gint64          message_id,
                            GError        **error)
{
  g_return_val_if_fail (STARLING_IS_STORE (self), NULL);

  return conn_get_message (self, self->conn, message_id, error);
}

static gint64
top_sibling (StarlingStore  *self,
             gint64          conversation_id,
             gint64          parent_id,
             GError        **error)
{
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  stmt = store_conn_prepare (self->conn, parent_id > 0 ? sql_top_child : sql_top_root, error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, parent_id > 0 ? parent_id : conversation_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  if (rc == SQLITE_DONE)
    return 0;

  store_set_error (error, self->conn, rc);
  return -1;
}

static gboolean
set_selected (StarlingStore  *self,
              gint64          message_id,
              gint64          when,
              GError        **error)
{
  g_autoptr(StoreStmt) stmt = store_conn_prepare (self->conn, sql_set_selected, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, message_id);
  sqlite3_bind_int64 (stmt, 2, when);

  return store_conn_step_done (self->conn, stmt, error);
}

/**
 * starling_store_select_message:
 * @self: a #StarlingStore
 * @message_id: a message
 * @error: a place for an error
 *
 * Makes the branch holding @message_id the conversation's active path (the
 * user switched branch with ‹ ›, or opened a search result in another
 * branch). Below @message_id, the branch selected there before stays.
 */
gboolean
starling_store_select_message (StarlingStore  *self,
                               gint64          message_id,
                               GError        **error)
{
  gint64 now = store_now ();
  gint64 current = message_id;
  gboolean began;
  gboolean ok = TRUE;

  g_return_val_if_fail (STARLING_IS_STORE (self), FALSE);

  if (!begin_if_needed (self, &began, error))
    return FALSE;

  while (ok && current > 0)
    {
      gint64 conversation_id = 0;
      gint64 parent_id = 0;
      gint64 top;

      ok = get_message_basics (self, current, &conversation_id, &parent_id, NULL, error);
      if (!ok)
        break;

      top = top_sibling (self, conversation_id, parent_id, error);
      ok = top >= 0;
      if (ok && top != current)
        ok = set_selected (self, current, now, error);

      current = parent_id;
    }

  return end_if_began (self, began, ok, error);
}

/**
 * starling_store_list_siblings:
 * @self: a #StarlingStore
 * @message_id: a message
 * @error: a place for an error
 *
 * Returns: (transfer full) (element-type StarlingStoredMessage): the message
 *   and the other versions at its place (same parent), oldest first
 */
GPtrArray *
starling_store_list_siblings (StarlingStore  *self,
                              gint64          message_id,
                              GError        **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(StoreStmt) stmt = NULL;
  gint64 conversation_id = 0;
  gint64 parent_id = 0;
  int rc;

  g_return_val_if_fail (STARLING_IS_STORE (self), NULL);

  if (!get_message_basics (self, message_id, &conversation_id, &parent_id, NULL, error))
    return NULL;

  stmt = store_conn_prepare (self->conn, parent_id > 0 ? sql_child_siblings : sql_root_siblings,
                             error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, parent_id > 0 ? parent_id : conversation_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, message_from_row (self, stmt));

  if (rc != SQLITE_DONE)
    {
      store_set_error (error, self->conn, rc);
      return NULL;
    }

  return g_steal_pointer (&list);
}

static gint64
conn_active_leaf (StoreConn  *conn,
                  gint64      conversation_id,
                  GError    **error)
{
  g_autoptr(StoreStmt) stmt = store_conn_prepare (conn, sql_active_path, error);
  gint64 leaf = 0;
  int rc;

  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, conversation_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    leaf = sqlite3_column_int64 (stmt, 0);

  if (rc != SQLITE_DONE)
    {
      store_set_error (error, conn, rc);
      return -1;
    }

  return leaf;
}

/**
 * starling_store_get_active_leaf:
 *
 * Returns: the last message of the conversation's active path, 0 for an
 *   empty conversation, -1 on error
 */
gint64
starling_store_get_active_leaf (StarlingStore  *self,
                                gint64          conversation_id,
                                GError        **error)
{
  g_return_val_if_fail (STARLING_IS_STORE (self), -1);

  return conn_active_leaf (self->conn, conversation_id, error);
}

GPtrArray *
starling_store_conn_load_path (StarlingStore  *self,
                               StoreConn      *conn,
                               gint64          conversation_id,
                               gint64          leaf_id,
                               guint           limit,
                               GError        **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(StoreStmt) stmt = NULL;
  int rc;

  if (leaf_id <= 0)
    {
      leaf_id = conn_active_leaf (conn, conversation_id, error);
      if (leaf_id < 0)
        return NULL;
      if (leaf_id == 0)
        return g_steal_pointer (&list);
    }

  stmt = store_conn_prepare (conn, sql_path_up, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, leaf_id);
  sqlite3_bind_int64 (stmt, 2, conversation_id);
  sqlite3_bind_int64 (stmt, 3, limit == 0 ? G_MAXINT64 : (gint64) limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, message_from_row (self, stmt));

  if (rc != SQLITE_DONE)
    {
      store_set_error (error, conn, rc);
      return NULL;
    }

  if (list->len == 0)
    {
      not_found (error, "message", leaf_id);
      return NULL;
    }

  return g_steal_pointer (&list);
}

/**
 * starling_store_load_path:
 * @self: a #StarlingStore
 * @conversation_id: the conversation
 * @leaf_id: the last message to load, or 0 for the end of the active path
 * @limit: how many messages at most, counted back from the leaf (0: all)
 * @error: a place for an error
 *
 * A conversation as the user reads it: from the first message (or the
 * @limit-th before the leaf) to the leaf, oldest first. Older pages: call
 * again with the parent of the oldest message loaded.
 *
 * Returns: (transfer full) (element-type StarlingStoredMessage): the messages
 */
GPtrArray *
starling_store_load_path (StarlingStore  *self,
                          gint64          conversation_id,
                          gint64          leaf_id,
                          guint           limit,
                          GError        **error)
{
  g_return_val_if_fail (STARLING_IS_STORE (self), NULL);

  return starling_store_conn_load_path (self, self->conn, conversation_id, leaf_id, limit, error);
}

static void
load_path_job (StarlingStore *self,
               StoreConn     *conn,
               GTask         *task)
{
  JobData *d = g_task_get_task_data (task);
  GError *error = NULL;
  GPtrArray *list = starling_store_conn_load_path (self, conn, d->conversation_id, d->leaf_id,
                                                   d->limit, &error);

  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

void
starling_store_load_path_async (StarlingStore       *self,
                                gint64               conversation_id,
                                gint64               leaf_id,
                                guint                limit,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  JobData *d;

  g_return_if_fail (STARLING_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, starling_store_load_path_async);
  d = g_new0 (JobData, 1);
  d->conversation_id = conversation_id;
  d->leaf_id = leaf_id;
  d->limit = limit;
  g_task_set_task_data (task, d, job_data_free);
  push_job (self, task, load_path_job);
}

/**
 * starling_store_load_path_finish:
 *
 * Returns: (transfer full) (element-type StarlingStoredMessage): the messages
 */
GPtrArray *
starling_store_load_path_finish (StarlingStore  *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static GArray *
children_of (StarlingStore  *self,
             gint64          message_id,
             GError        **error)
{
  g_autoptr(StoreStmt) stmt = store_conn_prepare (self->conn, sql_children_ids, error);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, message_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }

  if (rc != SQLITE_DONE)
    {
      store_set_error (error, self->conn, rc);
      return NULL;
    }

  return g_steal_pointer (&ids);
}

/* The children of @message_id go up one level, then it goes. */
static gboolean
unlink_message (StarlingStore  *self,
                gint64          message_id,
                gint64          new_parent,
                GError        **error)
{
  g_autoptr(StoreStmt) reparent = store_conn_prepare (self->conn, sql_reparent, error);
  g_autoptr(StoreStmt) delete = NULL;

  if (reparent == NULL)
    return FALSE;
  sqlite3_bind_int64 (reparent, 1, message_id);
  bind_id (reparent, 2, new_parent);
  if (!store_conn_step_done (self->conn, reparent, error))
    return FALSE;

  delete = store_conn_prepare (self->conn, sql_delete_message, error);
  if (delete == NULL)
    return FALSE;
  sqlite3_bind_int64 (delete, 1, message_id);

  return store_conn_step_done (self->conn, delete, error);
}

/**
 * starling_store_delete_message_pair:
 * @self: a #StarlingStore
 * @message_id: a prompt (or an answer)
 * @error: a place for an error
 *
 * Deletes a prompt with its answers (all the regenerated versions), or an
 * answer alone. What followed moves up to take their place, so the rest of
 * the conversation stays.
 */
gboolean
starling_store_delete_message_pair (StarlingStore  *self,
                                    gint64          message_id,
                                    GError        **error)
{
  gint64 conversation_id = 0;
  gint64 parent_id = 0;
  StarlingStoreRole role = STARLING_STORE_ROLE_USER;
  gboolean began;
  gboolean ok = FALSE;

  g_return_val_if_fail (STARLING_IS_STORE (self), FALSE);

  if (!begin_if_needed (self, &began, error))
    return FALSE;

  do
    {
      g_autoptr(GArray) replies = NULL;
      gint64 successor = 0;
      gint64 top;
      gboolean was_active;

      if (!get_message_basics (self, message_id, &conversation_id, &parent_id, &role, error))
        break;

      top = top_sibling (self, conversation_id, parent_id, error);
      if (top < 0)
        break;
      was_active = top == message_id;

      if (role == STARLING_STORE_ROLE_USER)
        {
          gint64 active_reply = top_sibling (self, conversation_id, message_id, error);

          if (active_reply < 0)
            break;
          if (active_reply > 0)
            {
              successor = top_sibling (self, conversation_id, active_reply, error);
              if (successor < 0)
                break;
            }

          replies = children_of (self, message_id, error);
          if (replies == NULL)
            break;
          for (guint i = 0; i < replies->len; i++)
            if (!unlink_message (self, g_array_index (replies, gint64, i), parent_id, error))
              goto out;
        }
      else
        {
          successor = top_sibling (self, conversation_id, message_id, error);
          if (successor < 0)
            break;
        }

      if (!unlink_message (self, message_id, parent_id, error))
        break;

      /* the conversation goes on where it went before */
      if (was_active && successor > 0 && !set_selected (self, successor, store_now (), error))
        break;

      ok = TRUE;
    }
  while (FALSE);

out:
  if (!end_if_began (self, began, ok, error))
    return FALSE;

  emit_changed (self, conversation_id);
  return starling_store_collect_garbage (self, error) >= 0;
}

/* Search */

typedef struct
{
  char     *text;
  gboolean  prefix;
} QueryTerm;

static void
query_term_free (QueryTerm *term)
{
  g_free (term->text);
  g_free (term);
}

static guint
count_searchable_chars (const char *s)
{
  guint n = 0;

  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isalnum (g_utf8_get_char (p)))
      n++;

  return n;
}

static void
add_term (GPtrArray  *terms,
          const char *text,
          gsize       len,
          gboolean    prefix)
{
  QueryTerm *term;
  g_autofree char *copy = g_strndup (text, len);
  guint n = count_searchable_chars (copy);

  if (n == 0)
    return;

  term = g_new0 (QueryTerm, 1);
  term->text = g_steal_pointer (&copy);
  /* every word starting with one letter would be too many to be useful */
  term->prefix = prefix && n >= 2;
  g_ptr_array_add (terms, term);
}

/* Words, "quoted phrases", and whether the last word is still being typed. */
static GPtrArray *
parse_query (const char *text)
{
  g_autoptr(GPtrArray) terms = g_ptr_array_new_with_free_func ((GDestroyNotify) query_term_free);
  g_autofree char *valid = NULL;
  const char *p;
  const char *last_word = NULL;
  gsize last_len = 0;

  if (text == NULL)
    return g_steal_pointer (&terms);

  valid = g_utf8_make_valid (text, -1);
  p = valid;

  while (*p != '\0')
    {
      const char *start;

      if (g_unichar_isspace (g_utf8_get_char (p)))
        {
          p = g_utf8_next_char (p);
          continue;
        }

      if (*p == '"')
        {
          if (last_word != NULL)
            add_term (terms, last_word, last_len, FALSE);
          last_word = NULL;
          start = ++p;
          while (*p != '\0' && *p != '"')
            p++;
          add_term (terms, start, p - start, FALSE);
          if (*p == '"')
            p++;
          continue;
        }

      start = p;
      while (*p != '\0' && *p != '"' && !g_unichar_isspace (g_utf8_get_char (p)))
        p = g_utf8_next_char (p);

      if (last_word != NULL)
        add_term (terms, last_word, last_len, FALSE);
      last_word = start;
      last_len = p - start;
    }

  /* still being typed, unless a space followed it */
  if (last_word != NULL)
    add_term (terms, last_word, last_len, last_word + last_len == valid + strlen (valid));

  return g_steal_pointer (&terms);
}

static char *
terms_to_query (GPtrArray *terms,
                gboolean   allow_prefix)
{
  g_autoptr(GString) query = g_string_new (NULL);

  if (terms->len == 0)
    return NULL;

  for (guint i = 0; i < terms->len; i++)
    {
      QueryTerm *term = g_ptr_array_index (terms, i);

      if (i > 0)
        g_string_append_c (query, ' ');
      g_string_append_c (query, '"');
      for (const char *p = term->text; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (query, '"');
          g_string_append_c (query, *p);
        }
      g_string_append_c (query, '"');
      if (term->prefix && allow_prefix)
        g_string_append_c (query, '*');
    }

  return g_string_free (g_steal_pointer (&query), FALSE);
}

/**
 * starling_store_build_fts_query:
 * @text: what the user typed
 *
 * Every word becomes a quoted FTS5 string, so operators (`AND`, `NOT`, `*`,
 * `-`, `:`, parentheses) are plain words; "quoted text" is a phrase; the
 * last word, while being typed, matches as a prefix (from two letters on).
 *
 * Returns: (transfer full) (nullable): an FTS5 query, or %NULL if @text has
 *   nothing to search for
 */
char *
starling_store_build_fts_query (const char *text)
{
  g_autoptr(GPtrArray) terms = parse_query (text);

  return terms_to_query (terms, TRUE);
}

/* Snippets: the window of the text with the most query words, marked. */

#define SNIPPET_TOKENS 24

typedef struct
{
  StoreTokenizer *tokenizer;
  GHashTable     *exact;
  GPtrArray      *prefixes;
} Highlighter;

static void
highlighter_free (Highlighter *h)
{
  g_clear_pointer (&h->tokenizer, store_tokenizer_free);
  g_clear_pointer (&h->exact, g_hash_table_unref);
  g_clear_pointer (&h->prefixes, g_ptr_array_unref);
  g_free (h);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Highlighter, highlighter_free)

static Highlighter *
highlighter_new (StoreConn *conn,
                 GPtrArray *terms,
                 gboolean   allow_prefix)
{
  Highlighter *h = g_new0 (Highlighter, 1);

  h->tokenizer = store_tokenizer_new (conn->db);
  h->exact = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  h->prefixes = g_ptr_array_new_with_free_func (g_free);
  if (h->tokenizer == NULL)
    return h;

  for (guint i = 0; i < terms->len; i++)
    {
      QueryTerm *term = g_ptr_array_index (terms, i);
      g_autoptr(GArray) tokens = store_tokenizer_run (h->tokenizer, term->text, TRUE);

      for (guint j = 0; j < tokens->len; j++)
        {
          StoreToken *t = &g_array_index (tokens, StoreToken, j);

          if (term->prefix && allow_prefix && j + 1 == tokens->len)
            g_ptr_array_add (h->prefixes, g_strdup (t->folded));
          else
            g_hash_table_add (h->exact, g_strdup (t->folded));
        }
    }

  return h;
}

static gboolean
highlighter_matches (Highlighter *h,
                     const char  *folded)
{
  if (g_hash_table_contains (h->exact, folded))
    return TRUE;

  for (guint i = 0; i < h->prefixes->len; i++)
    if (g_str_has_prefix (folded, g_ptr_array_index (h->prefixes, i)))
      return TRUE;

  return FALSE;
}

static void
append_snippet_text (GString    *out,
                     const char *text,
                     gsize       len)
{
  /* one line for a list row */
  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (c == '\n' || c == '\r' || c == '\t')
        {
          if (out->len > 0 && out->str[out->len - 1] != ' ')
            g_string_append_c (out, ' ');
        }
      else
        g_string_append_c (out, c);
    }
}

static char *
make_snippet (Highlighter *h,
              const char  *text)
{
  g_autoptr(GArray) tokens = NULL;
  g_autofree gboolean *matched = NULL;
  GString *out;
  guint n;
  guint best_start = 0;
  guint best_score = 0;
  guint first_match = G_MAXUINT;
  guint start, end;
  gsize pos;

  if (h->tokenizer == NULL || text == NULL)
    return g_strdup (text ? text : "");

  tokens = store_tokenizer_run (h->tokenizer, text, FALSE);
  n = tokens->len;
  matched = g_new0 (gboolean, n + 1);
  for (guint i = 0; i < n; i++)
    matched[i] = highlighter_matches (h, g_array_index (tokens, StoreToken, i).folded);

  /* the window with the most distinct words found, then the most hits */
  for (guint s = 0; s < MAX (n, 1); s++)
    {
      g_autoptr(GHashTable) distinct = NULL;
      guint hits = 0;
      guint score;

      if (!matched[s] && s > 0)
        continue;

      distinct = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = s; i < MIN (n, s + SNIPPET_TOKENS); i++)
        if (matched[i])
          {
            hits++;
            g_hash_table_add (distinct, g_array_index (tokens, StoreToken, i).folded);
          }

      score = g_hash_table_size (distinct) * 1000 + hits;
      if (score > best_score)
        {
          best_score = score;
          best_start = s;
        }
    }

  for (guint i = best_start; i < n; i++)
    if (matched[i])
      {
        first_match = i;
        break;
      }

  /* a few words of context before the first match */
  start = best_start;
  if (first_match != G_MAXUINT)
    start = first_match > 3 ? first_match - 3 : 0;
  if (n > SNIPPET_TOKENS && start > n - SNIPPET_TOKENS)
    start = n - SNIPPET_TOKENS;
  end = MIN (n, start + SNIPPET_TOKENS);

  out = g_string_new (NULL);
  if (start > 0)
    g_string_append (out, "…");
  pos = start > 0 ? (gsize) g_array_index (tokens, StoreToken, start).start : 0;

  for (guint i = start; i < end; i++)
    {
      StoreToken *t = &g_array_index (tokens, StoreToken, i);
      /* characters found together (a CJK phrase) are one match */
      gboolean joined_before = i > start && matched[i - 1] &&
                               g_array_index (tokens, StoreToken, i - 1).end == t->start;
      gboolean joined_after = i + 1 < end && matched[i + 1] &&
                              g_array_index (tokens, StoreToken, i + 1).start == t->end;

      append_snippet_text (out, text + pos, t->start - pos);
      if (matched[i] && !joined_before)
        g_string_append (out, STARLING_SEARCH_MATCH_START);
      g_string_append_len (out, text + t->start, t->end - t->start);
      if (matched[i] && !joined_after)
        g_string_append (out, STARLING_SEARCH_MATCH_END);
      pos = t->end;
    }

  if (end == n)
    append_snippet_text (out, text + pos, strlen (text) - pos);
  else
    g_string_append (out, "…");

  g_strstrip (out->str);
  out->len = strlen (out->str);

  return g_string_free (out, FALSE);
}

typedef struct
{
  gint64 id;
  double rank;
} Candidate;

static int
candidate_compare (gconstpointer a,
                   gconstpointer b)
{
  const Candidate *ca = a;
  const Candidate *cb = b;

  if (ca->rank != cb->rank)
    return ca->rank < cb->rank ? -1 : 1;

  /* then the most recent: ids grow with time */
  return (ca->id < cb->id) - (ca->id > cb->id);
}

static GArray *
search_candidates (StoreConn   *conn,
                   const char  *query,
                   gint64       conversation_id,
                   GError     **error)
{
  g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));
  g_autoptr(StoreStmt) stmt = store_conn_prepare (conn, conversation_id > 0
                                                    ? sql_search_candidates_in
                                                    : sql_search_candidates,
                                                  error);
  int rc;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, query);
  sqlite3_bind_int64 (stmt, 2, SEARCH_CANDIDATES);
  if (conversation_id > 0)
    sqlite3_bind_int64 (stmt, 3, conversation_id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Candidate c = { sqlite3_column_int64 (stmt, 0), sqlite3_column_double (stmt, 1) };

      g_array_append_val (candidates, c);
    }
  if (rc != SQLITE_DONE)
    {
      store_set_error (error, conn, rc);
      return NULL;
    }

  return g_steal_pointer (&candidates);
}

static GPtrArray *
conn_search (StarlingStore        *self,
             StoreConn            *conn,
             const char           *text,
             gint64                conversation_id,
             guint                 limit,
             StarlingSearchFlags   flags,
             GError              **error)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GPtrArray) terms = parse_query (text);
  g_autofree char *query = starling_store_build_fts_query (text);
  g_autoptr(GArray) candidates = NULL;
  g_autoptr(Highlighter) highlighter = NULL;
  gboolean one_per = (flags & STARLING_SEARCH_FLAGS_ONE_PER_CONVERSATION) != 0;
  gboolean allow_prefix = TRUE;
  QueryTerm *last;
  int rc;

  if (query == NULL || limit == 0)
    return g_steal_pointer (&results);

  if (!(flags & STARLING_SEARCH_FLAGS_NO_TITLES))
    {
      g_autoptr(StoreStmt) stmt = store_conn_prepare (conn, conversation_id > 0
                                                        ? sql_search_title_in
                                                        : sql_search_titles,
                                                      error);

      if (stmt == NULL)
        return NULL;
      bind_text (stmt, 1, query);
      sqlite3_bind_int64 (stmt, 2, limit);
      if (conversation_id > 0)
        sqlite3_bind_int64 (stmt, 3, conversation_id);

      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 cid = sqlite3_column_int64 (stmt, 0);

          g_hash_table_add (seen, g_memdup2 (&cid, sizeof cid));
          g_ptr_array_add (results,
                           starling_search_result_new (cid, 0,
                                                       (const char *) sqlite3_column_text (stmt, 2),
                                                       (const char *) sqlite3_column_text (stmt, 3),
                                                       sqlite3_column_double (stmt, 4),
                                                       sqlite3_column_int64 (stmt, 5)));
        }
      if (rc != SQLITE_DONE)
        {
          store_set_error (error, conn, rc);
          return NULL;
        }
    }

  if (results->len >= limit)
    return g_steal_pointer (&results);

  /* The newest matching messages, ranked. A word of four letters or more
   * being typed is first searched whole: if it is common enough to fill the
   * candidates, its longer forms add little, and expanding a prefix the index
   * does not cover means merging the lists of every word it starts. */
  last = g_ptr_array_index (terms, terms->len - 1);
  if (last->prefix && count_searchable_chars (last->text) >= 4)
    {
      g_autofree char *exact = terms_to_query (terms, FALSE);

      candidates = search_candidates (conn, exact, conversation_id, error);
      if (candidates == NULL)
        return NULL;
      if (candidates->len >= SEARCH_CANDIDATES)
        allow_prefix = FALSE;
      else
        g_clear_pointer (&candidates, g_array_unref);
    }

  if (candidates == NULL)
    {
      candidates = search_candidates (conn, query, conversation_id, error);
      if (candidates == NULL)
        return NULL;
    }
  g_array_sort (candidates, candidate_compare);

  highlighter = highlighter_new (conn, terms, allow_prefix);

  for (guint i = 0; i < candidates->len && results->len < limit; i++)
    {
      Candidate *c = &g_array_index (candidates, Candidate, i);
      g_autoptr(StoreStmt) stmt = store_conn_prepare (conn, sql_search_hit, error);
      g_autofree char *snippet = NULL;
      gint64 cid;

      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, c->id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        continue;   /* in a deleted conversation */
      if (rc != SQLITE_ROW)
        {
          store_set_error (error, conn, rc);
          return NULL;
        }

      cid = sqlite3_column_int64 (stmt, 0);
      if (one_per && g_hash_table_contains (seen, &cid))
        continue;
      g_hash_table_add (seen, g_memdup2 (&cid, sizeof cid));

      snippet = make_snippet (highlighter, (const char *) sqlite3_column_text (stmt, 2));
      g_ptr_array_add (results,
                       starling_search_result_new (cid, c->id,
                                                   (const char *) sqlite3_column_text (stmt, 1),
                                                   snippet, c->rank,
                                                   sqlite3_column_int64 (stmt, 3)));
    }

  return g_steal_pointer (&results);
}

/**
 * starling_store_search:
 * @self: a #StarlingStore
 * @text: what the user typed
 * @conversation_id: a conversation to search in, or 0 for all
 * @limit: how many results at most
 * @flags: #StarlingSearchFlags
 * @error: a place for an error
 *
 * Searches titles and messages, diacritics and case ignored. Title hits come
 * first, then message hits; each by relevance, then the most recent. For a
 * query that matches very many messages (common words), the ranking covers
 * the newest 1,000 matching messages.
 *
 * Returns: (transfer full) (element-type StarlingSearchResult): the results
 */
GPtrArray *
starling_store_search (StarlingStore        *self,
                       const char           *text,
                       gint64                conversation_id,
                       guint                 limit,
                       StarlingSearchFlags   flags,
                       GError              **error)
{
  g_return_val_if_fail (STARLING_IS_STORE (self), NULL);

  return conn_search (self, self->conn, text, conversation_id, limit, flags, error);
}

static void
search_job (StarlingStore *self,
            StoreConn     *conn,
            GTask         *task)
{
  JobData *d = g_task_get_task_data (task);
  GError *error = NULL;
  GPtrArray *list = conn_search (self, conn, d->text, d->conversation_id, d->limit, d->flags,
                                 &error);

  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * starling_store_search_async:
 *
 * As starling_store_search(), on the store's worker thread. A search
 * cancelled (the user typed on) stops early or does not run at all.
 */
void
starling_store_search_async (StarlingStore        *self,
                             const char           *text,
                             gint64                conversation_id,
                             guint                 limit,
                             StarlingSearchFlags   flags,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data)
{
  GTask *task;
  JobData *d;

  g_return_if_fail (STARLING_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, starling_store_search_async);
  d = g_new0 (JobData, 1);
  d->text = g_strdup (text);
  d->conversation_id = conversation_id;
  d->limit = limit;
  d->flags = flags;
  g_task_set_task_data (task, d, job_data_free);
  push_job (self, task, search_job);
}

/**
 * starling_store_search_finish:
 *
 * Returns: (transfer full) (element-type StarlingSearchResult): the results
 */
GPtrArray *
starling_store_search_finish (StarlingStore  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Images */

static char *
conn_dup_prompt (StoreConn  *conn,
                 gint64      message_id,
                 GError    **error)
{
  g_autoptr(StoreStmt) stmt = store_conn_prepare (conn, sql_prompt_of, error);
  int rc;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, message_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (rc == SQLITE_DONE)
    return g_strdup ("");

  store_set_error (error, conn, rc);
  return NULL;
}

static GPtrArray *
conn_list_images (StarlingStore  *self,
                  StoreConn      *conn,
                  GError        **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(StoreStmt) stmt = store_conn_prepare (conn, sql_image_messages, error);
  int rc;

  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(GPtrArray) refs = starling_parts_list_images (self->blob_dir,
                                                              (const char *) sqlite3_column_text (stmt, 3));
      g_autofree char *prompt = NULL;
      StarlingStoreRole role = STARLING_STORE_ROLE_USER;

      if (refs->len == 0)
        continue;

      prompt = conn_dup_prompt (conn, sqlite3_column_int64 (stmt, 0), error);
      if (prompt == NULL)
        return NULL;
      starling_store_role_from_string ((const char *) sqlite3_column_text (stmt, 2), &role);

      for (guint i = 0; i < refs->len; i++)
        {
          StoreImageRef *ref = g_ptr_array_index (refs, i);
          StarlingStoredImage *image = g_object_new (STARLING_TYPE_STORED_IMAGE, NULL);

          image->message_id = sqlite3_column_int64 (stmt, 0);
          image->conversation_id = sqlite3_column_int64 (stmt, 1);
          image->role = role;
          image->index = i;
          image->created = sqlite3_column_int64 (stmt, 4);
          image->conversation_title = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
          image->prompt = g_strdup (prompt);
          image->mime_type = g_steal_pointer (&ref->mime_type);
          image->path = g_steal_pointer (&ref->path);
          image->base64 = g_steal_pointer (&ref->base64);
          if (image->conversation_title == NULL)
            image->conversation_title = g_strdup ("");
          g_ptr_array_add (list, image);
        }
    }

  if (rc != SQLITE_DONE)
    {
      store_set_error (error, conn, rc);
      return NULL;
    }

  return g_steal_pointer (&list);
}

/**
 * starling_store_list_images:
 * @self: a #StarlingStore
 * @error: a place for an error
 *
 * Every image of the history, for the gallery: the images the model drew
 * and those the user sent, in every branch of every conversation not
 * deleted, newest message first (a message's images in their order), each
 * with the prompt that made it. No image file is read: see
 * starling_stored_image_load_bytes().
 *
 * Returns: (transfer full) (element-type StarlingStoredImage): the images
 */
GPtrArray *
starling_store_list_images (StarlingStore  *self,
                            GError        **error)
{
  g_return_val_if_fail (STARLING_IS_STORE (self), NULL);

  return conn_list_images (self, self->conn, error);
}

static void
list_images_job (StarlingStore *self,
                 StoreConn     *conn,
                 GTask         *task)
{
  GError *error = NULL;
  GPtrArray *list = conn_list_images (self, conn, &error);

  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * starling_store_list_images_async:
 *
 * As starling_store_list_images(), on the store's worker thread.
 */
void
starling_store_list_images_async (StarlingStore       *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (STARLING_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, starling_store_list_images_async);
  push_job (self, task, list_images_job);
}

/**
 * starling_store_list_images_finish:
 *
 * Returns: (transfer full) (element-type StarlingStoredImage): the images
 */
GPtrArray *
starling_store_list_images_finish (StarlingStore  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Maintenance */

static void
check_job (StarlingStore *self,
           StoreConn     *conn,
           GTask         *task)
{
  BrokenReason reason = BROKEN_NONE;
  GError *error = NULL;

  if (run_quick_check (conn, &reason, &error))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      return;
    }

  g_message ("The history failed its check: %s", error->message);
  g_clear_error (&error);

  {
    g_autofree char *mark = g_strconcat (self->path, NEEDS_CHECK_SUFFIX, NULL);

    g_file_set_contents (mark, "", 0, NULL);
  }

  g_task_return_new_error (task, STARLING_STORE_ERROR, STARLING_STORE_ERROR_CORRUPT,
                           _("Your history is damaged. When Starling starts again, it will keep "
                             "the damaged history aside and start a new one."));
}

/**
 * starling_store_check_async:
 * @self: a #StarlingStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the check is done
 * @user_data: data for @callback
 *
 * Runs `PRAGMA quick_check` on the worker thread: what the store does at
 * every start for a small history, for a big one (seconds of reading) when
 * the app is idle. A damaged history is marked, and the next start moves it
 * aside.
 */
void
starling_store_check_async (StarlingStore       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (STARLING_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, starling_store_check_async);
  push_job (self, task, check_job);
}

/**
 * starling_store_check_finish:
 *
 * Returns: %TRUE if the history is sound; %FALSE with
 *   %STARLING_STORE_ERROR_CORRUPT (a sentence for the user) if not
 */
gboolean
starling_store_check_finish (StarlingStore  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
starling_store_get_stats (StarlingStore       *self,
                          StarlingStoreStats  *stats,
                          GError             **error)
{
  g_autoptr(StoreStmt) stmt = NULL;
  g_autofree char *wal_path = NULL;
  int rc;

  g_return_val_if_fail (STARLING_IS_STORE (self), FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);

  stmt = store_conn_prepare (self->conn, sql_stats, error);
  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return store_set_error (error, self->conn, rc);

  stats->n_conversations = sqlite3_column_int64 (stmt, 0);
  stats->n_deleted_conversations = sqlite3_column_int64 (stmt, 1);
  stats->n_messages = sqlite3_column_int64 (stmt, 2);
  stats->n_blobs = sqlite3_column_int64 (stmt, 3);
  stats->blob_bytes = sqlite3_column_int64 (stmt, 4);

  wal_path = g_strconcat (self->path, "-wal", NULL);
  stats->db_bytes = MAX (file_size (self->path), 0) + MAX (file_size (wal_path), 0);

  return TRUE;
}

/**
 * starling_store_collect_garbage:
 * @self: a #StarlingStore
 * @error: a place for an error
 *
 * Removes the blob files no message refers to any more.
 *
 * Returns: how many were removed, or -1
 */
gint64
starling_store_collect_garbage (StarlingStore  *self,
                                GError        **error)
{
  g_autoptr(GPtrArray) orphans = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  gboolean began;
  gboolean ok = TRUE;
  int rc;

  g_return_val_if_fail (STARLING_IS_STORE (self), -1);

  {
    g_autoptr(StoreStmt) stmt = store_conn_prepare (self->conn, sql_orphan_blobs, error);

    if (stmt == NULL)
      return -1;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      g_ptr_array_add (orphans, column_dup (stmt, 0));
    if (rc != SQLITE_DONE)
      {
        store_set_error (error, self->conn, rc);
        return -1;
      }
  }

  if (orphans->len == 0)
    return 0;

  if (!begin_if_needed (self, &began, error))
    return -1;

  for (guint i = 0; ok && i < orphans->len; i++)
    {
      g_autoptr(StoreStmt) stmt = store_conn_prepare (self->conn, sql_delete_blob, error);

      ok = stmt != NULL;
      if (!ok)
        break;
      bind_text (stmt, 1, g_ptr_array_index (orphans, i));
      ok = store_conn_step_done (self->conn, stmt, error);
      if (ok && sqlite3_changes (self->conn->db) > 0)
        g_ptr_array_add (removed, g_strdup (g_ptr_array_index (orphans, i)));
    }

  if (!end_if_began (self, began, ok, error))
    return -1;

  /* Files go after the rows: a crash in between leaves a file, never a row
   * without its file. Inside a caller's transaction, a rollback could bring
   * a row back, so keep the files then. */
  if (began)
    for (guint i = 0; i < removed->len; i++)
      {
        g_autofree char *path = starling_blob_path (self->blob_dir,
                                                    g_ptr_array_index (removed, i));

        if (g_unlink (path) != 0 && errno != ENOENT)
          g_debug ("Could not remove %s: %s", path, g_strerror (errno));
      }

  return removed->len;
}

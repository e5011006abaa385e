/* starling-store-private.h: what the store's own files (and its tests) share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "starling-store.h"

G_BEGIN_DECLS

/* One SQLite connection and its cache of prepared statements. A connection is
 * used by one thread at a time. */
typedef struct
{
  sqlite3      *db;
  GHashTable   *stmts;        /* static SQL text -> sqlite3_stmt */
  GCancellable *cancellable;  /* checked by the progress handler while set */
} StoreConn;

/* A cached statement, reset and unbound when it goes out of scope. */
typedef sqlite3_stmt StoreStmt;

void        store_stmt_release   (StoreStmt   *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreStmt, store_stmt_release)

StoreConn  *store_conn_open      (const char  *path,
                                  gboolean     read_only,
                                  GError     **error);
void        store_conn_close     (StoreConn   *conn,
                                  gboolean     checkpoint);
StoreStmt  *store_conn_prepare   (StoreConn   *conn,
                                  const char  *sql,
                                  GError     **error);
gboolean    store_conn_exec      (StoreConn   *conn,
                                  const char  *sql,
                                  GError     **error);
gboolean    store_conn_step_done (StoreConn   *conn,
                                  StoreStmt   *stmt,
                                  GError     **error);
gboolean    store_conn_begin     (StoreConn   *conn,
                                  GError     **error);
gboolean    store_conn_commit    (StoreConn   *conn,
                                  GError     **error);
void        store_conn_rollback  (StoreConn   *conn);
gboolean    store_set_error      (GError     **error,
                                  StoreConn   *conn,
                                  int          rc);

void        store_conn_close_default (StoreConn *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreConn, store_conn_close_default)

/* The FTS5 tokenizer "starling": unicode61, with CJK runs cut into single
 * characters so that words inside unspaced text can be found. */
gboolean    starling_fts_tokenizer_register (sqlite3  *db,
                                             GError  **error);

typedef struct _StoreTokenizer StoreTokenizer;

typedef struct
{
  char *folded;   /* as indexed: lower case, no diacritics */
  int   start;    /* its bytes in the text */
  int   end;
} StoreToken;

StoreTokenizer *store_tokenizer_new   (sqlite3        *db);
void            store_tokenizer_free  (StoreTokenizer *self);
GArray         *store_tokenizer_run   (StoreTokenizer *self,
                                       const char     *text,
                                       gboolean        query);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreTokenizer, store_tokenizer_free)

/* Schema: starling_store_migrations[i] takes a database from user_version i
 * to i + 1. Kept verbatim forever: tests build old databases with them. */
extern const char * const starling_store_migrations[];
#define STARLING_STORE_LATEST_VERSION 6

/* Parts JSON: large inlineData out to blobs and back, display text. */
char       *starling_parts_externalize   (const char  *blob_dir,
                                          const char  *json,
                                          GPtrArray   *blobs_out,
                                          GError     **error);
char       *starling_parts_restore       (const char  *blob_dir,
                                          const char  *json,
                                          gboolean    *missing);
char       *starling_parts_pack          (const char  *blob_dir,
                                          const char  *json,
                                          GPtrArray   *blobs_out,
                                          char       **text,
                                          char       **thought_text,
                                          GError     **error);
char       *starling_parts_unpack        (const char  *blob_dir,
                                          const char  *stored,
                                          const char  *text,
                                          const char  *thought_text,
                                          gboolean    *missing);
char       *starling_blob_path           (const char  *blob_dir,
                                          const char  *sha256);

/* An image part found in stored parts, its bytes not read. */
typedef struct
{
  char   *mime_type;
  char   *path;      /* the blob file, or */
  char   *base64;    /* the data kept inline */
} StoreImageRef;

void        store_image_ref_free         (StoreImageRef *ref);
GPtrArray  *starling_parts_list_images   (const char  *blob_dir,
                                          const char  *stored);

typedef struct
{
  char   *sha256;
  char   *mime_type;
  gint64  size;
} StoreBlobRef;

void        store_blob_ref_free          (StoreBlobRef *ref);

/* Objects built by the store */
struct _StarlingConversationInfo
{
  GObject   parent_instance;

  gint64    id;
  char     *title;
  gboolean  title_is_custom;
  gint64    created;
  gint64    updated;
  gboolean  pinned;
  char     *model;
  char     *settings_json;
  char     *snippet;
  char     *draft;
  char     *draft_attachments;
  gboolean  deleted;
  gboolean  answering;   /* the app's, not the history's */
  gboolean  unread;
};

struct _StarlingStoredMessage
{
  GObject              parent_instance;

  gint64               id;
  gint64               conversation_id;
  gint64               parent_id;
  StarlingStoreRole    role;
  StarlingStoreStatus  status;
  char                *parts_json;
  char                *text;
  char                *thought_text;
  char                *finish_reason;
  char                *usage_json;
  char                *grounding_json;
  char                *model_version;
  char                *error_json;
  char                *edit_draft;
  gint64               created;
  gint64               updated;
  guint                sibling_index;
  guint                n_siblings;
  gboolean             blobs_missing;
};

struct _StarlingStoredImage
{
  GObject              parent_instance;

  gint64               conversation_id;
  char                *conversation_title;
  gint64               message_id;
  StarlingStoreRole    role;
  guint                index;
  char                *mime_type;
  gint64               created;
  char                *prompt;
  char                *path;      /* a blob file, or */
  char                *base64;    /* the data kept in the message */
};

StarlingSearchResult *starling_search_result_new (gint64      conversation_id,
                                                  gint64      message_id,
                                                  const char *title,
                                                  const char *raw_snippet,
                                                  double      rank,
                                                  gint64      time);

/* Internal queries on a given connection: the public functions call them with
 * the store's own connection, the worker and the exporter with theirs. */
StoreConn                *starling_store_open_reader      (StarlingStore  *self,
                                                           GError        **error);
StoreConn                *starling_store_get_conn         (StarlingStore  *self);
StarlingConversationInfo *starling_store_conn_get_conversation (StarlingStore *self,
                                                           StoreConn      *conn,
                                                           gint64          conversation_id,
                                                           GError        **error);
GPtrArray                *starling_store_conn_list_conversations (StarlingStore *self,
                                                           StoreConn      *conn,
                                                           guint           offset,
                                                           guint           limit,
                                                           GError        **error);
GPtrArray                *starling_store_conn_load_path   (StarlingStore  *self,
                                                           StoreConn      *conn,
                                                           gint64          conversation_id,
                                                           gint64          leaf_id,
                                                           guint           limit,
                                                           GError        **error);

/* One transaction around many writes (import, benchmark generation). */
gboolean  starling_store_begin    (StarlingStore  *self,
                                   GError        **error);
gboolean  starling_store_commit   (StarlingStore  *self,
                                   GError        **error);
void      starling_store_rollback (StarlingStore  *self);

/* Set the created/updated times of a conversation (import keeps them). */
gboolean  starling_store_set_conversation_times (StarlingStore  *self,
                                                 gint64          conversation_id,
                                                 gint64          created,
                                                 gint64          updated,
                                                 GError        **error);

G_END_DECLS

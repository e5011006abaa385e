/* starling-store.h: the history, in SQLite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "starling-conversation-info.h"
#include "starling-search-result.h"
#include "starling-stored-image.h"
#include "starling-stored-message.h"

G_BEGIN_DECLS

#define STARLING_STORE_ERROR (starling_store_error_quark ())

/**
 * StarlingStoreError:
 * @STARLING_STORE_ERROR_FAILED: the database reported an error
 * @STARLING_STORE_ERROR_CORRUPT: the database file is damaged
 * @STARLING_STORE_ERROR_BUSY: another program holds the database
 * @STARLING_STORE_ERROR_DISK_FULL: the disk is full
 * @STARLING_STORE_ERROR_NOT_FOUND: no such conversation or message
 * @STARLING_STORE_ERROR_INVALID: an argument is not valid (bad JSON, wrong parent, ...)
 * @STARLING_STORE_ERROR_BLOB: an image or attachment file could not be written or read
 */
typedef enum
{
  STARLING_STORE_ERROR_FAILED,
  STARLING_STORE_ERROR_CORRUPT,
  STARLING_STORE_ERROR_BUSY,
  STARLING_STORE_ERROR_DISK_FULL,
  STARLING_STORE_ERROR_NOT_FOUND,
  STARLING_STORE_ERROR_INVALID,
  STARLING_STORE_ERROR_BLOB,
} StarlingStoreError;

/**
 * StarlingSearchFlags:
 * @STARLING_SEARCH_FLAGS_NONE: titles first, then messages
 * @STARLING_SEARCH_FLAGS_ONE_PER_CONVERSATION: the best hit of each conversation only
 *   (for the GNOME Shell search provider and the sidebar filter)
 * @STARLING_SEARCH_FLAGS_NO_TITLES: messages only
 */
typedef enum
{
  STARLING_SEARCH_FLAGS_NONE                 = 0,
  STARLING_SEARCH_FLAGS_ONE_PER_CONVERSATION = 1 << 0,
  STARLING_SEARCH_FLAGS_NO_TITLES            = 1 << 1,
} StarlingSearchFlags;

/**
 * StarlingStoreStats:
 * @n_conversations: conversations not deleted
 * @n_deleted_conversations: conversations deleted but not purged yet
 * @n_messages: messages, all branches
 * @n_blobs: images and attachments kept as files
 * @blob_bytes: their total size
 * @db_bytes: size of the database file and its write-ahead log
 */
typedef struct
{
  gint64 n_conversations;
  gint64 n_deleted_conversations;
  gint64 n_messages;
  gint64 n_blobs;
  gint64 blob_bytes;
  gint64 db_bytes;
} StarlingStoreStats;

/* inlineData whose base64 text is longer than this goes to a blob file. */
#define STARLING_STORE_BLOB_THRESHOLD 4096

#define STARLING_TYPE_STORE (starling_store_get_type ())

G_DECLARE_FINAL_TYPE (StarlingStore, starling_store, STARLING, STORE, GObject)

GQuark                    starling_store_error_quark             (void);

char                     *starling_store_dup_default_path        (void);

StarlingStore            *starling_store_new                     (const char           *path,
                                                                  GCancellable         *cancellable,
                                                                  GError              **error);
void                      starling_store_new_async               (const char           *path,
                                                                  GCancellable         *cancellable,
                                                                  GAsyncReadyCallback   callback,
                                                                  gpointer              user_data);
StarlingStore            *starling_store_new_finish              (GAsyncResult         *result,
                                                                  GError              **error);

const char               *starling_store_get_path                (StarlingStore        *self);
const char               *starling_store_get_blob_dir            (StarlingStore        *self);
const char               *starling_store_get_broken_path         (StarlingStore        *self);
char                     *starling_store_dup_recovery_message    (StarlingStore        *self);
guint                     starling_store_get_n_interrupted       (StarlingStore        *self);

/* Conversations */
gint64                    starling_store_create_conversation     (StarlingStore        *self,
                                                                  const char           *title,
                                                                  const char           *model,
                                                                  const char           *settings_json,
                                                                  GError              **error);
gboolean                  starling_store_rename_conversation     (StarlingStore        *self,
                                                                  gint64                conversation_id,
                                                                  const char           *title,
                                                                  GError              **error);
gboolean                  starling_store_set_pinned              (StarlingStore        *self,
                                                                  gint64                conversation_id,
                                                                  gboolean              pinned,
                                                                  GError              **error);
gboolean                  starling_store_set_conversation_model  (StarlingStore        *self,
                                                                  gint64                conversation_id,
                                                                  const char           *model,
                                                                  GError              **error);
gboolean                  starling_store_set_conversation_settings (StarlingStore      *self,
                                                                  gint64                conversation_id,
                                                                  const char           *settings_json,
                                                                  GError              **error);
gboolean                  starling_store_set_draft               (StarlingStore        *self,
                                                                  gint64                conversation_id,
                                                                  const char           *text,
                                                                  GError              **error);
char                     *starling_store_dup_draft               (StarlingStore        *self,
                                                                  gint64                conversation_id,
                                                                  GError              **error);
gboolean                  starling_store_set_message_edit_draft  (StarlingStore        *self,
                                                                  gint64                message_id,
                                                                  const char           *text,
                                                                  GError              **error);
gboolean                  starling_store_set_draft_attachments   (StarlingStore        *self,
                                                                  gint64                conversation_id,
                                                                  const char           *parts_json,
                                                                  const char           *names,
                                                                  GError              **error);
char                     *starling_store_dup_draft_attachments   (StarlingStore        *self,
                                                                  gint64                conversation_id,
                                                                  gboolean             *missing,
                                                                  GError              **error);
gboolean                  starling_store_delete_conversation     (StarlingStore        *self,
                                                                  gint64                conversation_id,
                                                                  GError              **error);
gboolean                  starling_store_undelete_conversation   (StarlingStore        *self,
                                                                  gint64                conversation_id,
                                                                  GError              **error);
gboolean                  starling_store_purge_conversation      (StarlingStore        *self,
                                                                  gint64                conversation_id,
                                                                  GError              **error);
gint64                    starling_store_purge_deleted           (StarlingStore        *self,
                                                                  GError              **error);
StarlingConversationInfo *starling_store_get_conversation        (StarlingStore        *self,
                                                                  gint64                conversation_id,
                                                                  GError              **error);
gint64                    starling_store_count_conversations     (StarlingStore        *self,
                                                                  GError              **error);
GPtrArray                *starling_store_list_conversations      (StarlingStore        *self,
                                                                  guint                 offset,
                                                                  guint                 limit,
                                                                  GError              **error);
void                      starling_store_list_conversations_async (StarlingStore       *self,
                                                                  guint                 offset,
                                                                  guint                 limit,
                                                                  GCancellable         *cancellable,
                                                                  GAsyncReadyCallback   callback,
                                                                  gpointer              user_data);
GPtrArray                *starling_store_list_conversations_finish (StarlingStore      *self,
                                                                  GAsyncResult         *result,
                                                                  GError              **error);

/* Messages */
gint64                    starling_store_append_message          (StarlingStore        *self,
                                                                  gint64                conversation_id,
                                                                  gint64                parent_id,
                                                                  StarlingStoreRole     role,
                                                                  const char           *parts_json,
                                                                  StarlingStoreStatus   status,
                                                                  GError              **error);
gboolean                  starling_store_update_message          (StarlingStore        *self,
                                                                  gint64                message_id,
                                                                  const char           *parts_json,
                                                                  StarlingStoreStatus   status,
                                                                  GError              **error);
gboolean                  starling_store_finish_message          (StarlingStore        *self,
                                                                  gint64                message_id,
                                                                  const char           *parts_json,
                                                                  StarlingStoreStatus   status,
                                                                  const char           *finish_reason,
                                                                  const char           *usage_json,
                                                                  const char           *grounding_json,
                                                                  const char           *model_version,
                                                                  const char           *error_json,
                                                                  GError              **error);
gboolean                  starling_store_set_message_request     (StarlingStore        *self,
                                                                  gint64                message_id,
                                                                  const char           *request_json,
                                                                  GError              **error);
char                     *starling_store_dup_message_request     (StarlingStore        *self,
                                                                  gint64                message_id,
                                                                  GError              **error);
StarlingStoredMessage    *starling_store_get_message             (StarlingStore        *self,
                                                                  gint64                message_id,
                                                                  GError              **error);
gboolean                  starling_store_delete_message_pair     (StarlingStore        *self,
                                                                  gint64                message_id,
                                                                  GError              **error);

/* Branches */
gboolean                  starling_store_select_message          (StarlingStore        *self,
                                                                  gint64                message_id,
                                                                  GError              **error);
GPtrArray                *starling_store_list_siblings           (StarlingStore        *self,
                                                                  gint64                message_id,
                                                                  GError              **error);
gint64                    starling_store_get_active_leaf         (StarlingStore        *self,
                                                                  gint64                conversation_id,
                                                                  GError              **error);
GPtrArray                *starling_store_load_path               (StarlingStore        *self,
                                                                  gint64                conversation_id,
                                                                  gint64                leaf_id,
                                                                  guint                 limit,
                                                                  GError              **error);
void                      starling_store_load_path_async         (StarlingStore        *self,
                                                                  gint64                conversation_id,
                                                                  gint64                leaf_id,
                                                                  guint                 limit,
                                                                  GCancellable         *cancellable,
                                                                  GAsyncReadyCallback   callback,
                                                                  gpointer              user_data);
GPtrArray                *starling_store_load_path_finish        (StarlingStore        *self,
                                                                  GAsyncResult         *result,
                                                                  GError              **error);

/* Search */
GPtrArray                *starling_store_search                  (StarlingStore        *self,
                                                                  const char           *text,
                                                                  gint64                conversation_id,
                                                                  guint                 limit,
                                                                  StarlingSearchFlags   flags,
                                                                  GError              **error);
void                      starling_store_search_async            (StarlingStore        *self,
                                                                  const char           *text,
                                                                  gint64                conversation_id,
                                                                  guint                 limit,
                                                                  StarlingSearchFlags   flags,
                                                                  GCancellable         *cancellable,
                                                                  GAsyncReadyCallback   callback,
                                                                  gpointer              user_data);
GPtrArray                *starling_store_search_finish           (StarlingStore        *self,
                                                                  GAsyncResult         *result,
                                                                  GError              **error);
char                     *starling_store_build_fts_query         (const char           *text);

/* Images */
GPtrArray                *starling_store_list_images             (StarlingStore        *self,
                                                                  GError              **error);
void                      starling_store_list_images_async       (StarlingStore        *self,
                                                                  GCancellable         *cancellable,
                                                                  GAsyncReadyCallback   callback,
                                                                  gpointer              user_data);
GPtrArray                *starling_store_list_images_finish      (StarlingStore        *self,
                                                                  GAsyncResult         *result,
                                                                  GError              **error);

/* Maintenance */
void                      starling_store_check_async             (StarlingStore        *self,
                                                                  GCancellable         *cancellable,
                                                                  GAsyncReadyCallback   callback,
                                                                  gpointer              user_data);
gboolean                  starling_store_check_finish            (StarlingStore        *self,
                                                                  GAsyncResult         *result,
                                                                  GError              **error);
gboolean                  starling_store_get_stats               (StarlingStore        *self,
                                                                  StarlingStoreStats   *stats,
                                                                  GError              **error);
gint64                    starling_store_collect_garbage         (StarlingStore        *self,
                                                                  GError              **error);

G_END_DECLS

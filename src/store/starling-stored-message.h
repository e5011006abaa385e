/* starling-stored-message.h: one message as the history keeps it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * StarlingStoreRole:
 * @STARLING_STORE_ROLE_USER: `"user"`
 * @STARLING_STORE_ROLE_MODEL: `"model"`
 *
 * The same values, in the same order, as the app's `StarlingRole`.
 */
typedef enum
{
  STARLING_STORE_ROLE_USER,
  STARLING_STORE_ROLE_MODEL,
} StarlingStoreRole;

/**
 * StarlingStoreStatus:
 * @STARLING_STORE_STATUS_COMPLETE: the message is whole
 * @STARLING_STORE_STATUS_STREAMING: the answer is arriving
 * @STARLING_STORE_STATUS_STOPPED: the user stopped the answer
 * @STARLING_STORE_STATUS_INTERRUPTED: the answer was cut short (network, crash, kill)
 * @STARLING_STORE_STATUS_ERROR: the request failed; see the error JSON
 *
 * The same values, in the same order, as the app's `StarlingMessageStatus`.
 */
typedef enum
{
  STARLING_STORE_STATUS_COMPLETE,
  STARLING_STORE_STATUS_STREAMING,
  STARLING_STORE_STATUS_STOPPED,
  STARLING_STORE_STATUS_INTERRUPTED,
  STARLING_STORE_STATUS_ERROR,
} StarlingStoreStatus;

GType       starling_store_role_get_type      (void) G_GNUC_CONST;
GType       starling_store_status_get_type    (void) G_GNUC_CONST;
#define STARLING_TYPE_STORE_ROLE (starling_store_role_get_type ())
#define STARLING_TYPE_STORE_STATUS (starling_store_status_get_type ())

const char *starling_store_role_to_string     (StarlingStoreRole    role);
gboolean    starling_store_role_from_string   (const char          *str,
                                               StarlingStoreRole   *role);
const char *starling_store_status_to_string   (StarlingStoreStatus  status);
gboolean    starling_store_status_from_string (const char          *str,
                                               StarlingStoreStatus *status);

#define STARLING_TYPE_STORED_MESSAGE (starling_stored_message_get_type ())

G_DECLARE_FINAL_TYPE (StarlingStoredMessage, starling_stored_message,
                      STARLING, STORED_MESSAGE, GObject)

gint64               starling_stored_message_get_id              (StarlingStoredMessage *self);
gint64               starling_stored_message_get_conversation_id (StarlingStoredMessage *self);
gint64               starling_stored_message_get_parent_id       (StarlingStoredMessage *self);
StarlingStoreRole    starling_stored_message_get_role            (StarlingStoredMessage *self);
StarlingStoreStatus  starling_stored_message_get_status          (StarlingStoredMessage *self);
const char          *starling_stored_message_get_parts_json      (StarlingStoredMessage *self);
const char          *starling_stored_message_get_text            (StarlingStoredMessage *self);
const char          *starling_stored_message_get_thought_text    (StarlingStoredMessage *self);
const char          *starling_stored_message_get_finish_reason   (StarlingStoredMessage *self);
const char          *starling_stored_message_get_usage_json      (StarlingStoredMessage *self);
const char          *starling_stored_message_get_grounding_json  (StarlingStoredMessage *self);
const char          *starling_stored_message_get_model_version   (StarlingStoredMessage *self);
const char          *starling_stored_message_get_error_json      (StarlingStoredMessage *self);
const char          *starling_stored_message_get_edit_draft      (StarlingStoredMessage *self);
gint64               starling_stored_message_get_created         (StarlingStoredMessage *self);
gint64               starling_stored_message_get_updated         (StarlingStoredMessage *self);
guint                starling_stored_message_get_sibling_index   (StarlingStoredMessage *self);
guint                starling_stored_message_get_n_siblings      (StarlingStoredMessage *self);
gboolean             starling_stored_message_get_blobs_missing   (StarlingStoredMessage *self);

G_END_DECLS

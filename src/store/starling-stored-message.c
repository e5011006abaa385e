/* starling-stored-message.c: one message as the history keeps it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "starling-store-private.h"

G_DEFINE_ENUM_TYPE (StarlingStoreRole, starling_store_role,
  G_DEFINE_ENUM_VALUE (STARLING_STORE_ROLE_USER, "user"),
  G_DEFINE_ENUM_VALUE (STARLING_STORE_ROLE_MODEL, "model"))

G_DEFINE_ENUM_TYPE (StarlingStoreStatus, starling_store_status,
  G_DEFINE_ENUM_VALUE (STARLING_STORE_STATUS_COMPLETE, "complete"),
  G_DEFINE_ENUM_VALUE (STARLING_STORE_STATUS_STREAMING, "streaming"),
  G_DEFINE_ENUM_VALUE (STARLING_STORE_STATUS_STOPPED, "stopped"),
  G_DEFINE_ENUM_VALUE (STARLING_STORE_STATUS_INTERRUPTED, "interrupted"),
  G_DEFINE_ENUM_VALUE (STARLING_STORE_STATUS_ERROR, "error"))

static const char * const role_names[] = { "user", "model" };
static const char * const status_names[] = { "complete", "streaming", "stopped", "interrupted",
                                             "error" };

/**
 * starling_store_role_to_string:
 *
 * Returns: the role as the API and the database spell it
 */
const char *
starling_store_role_to_string (StarlingStoreRole role)
{
  g_return_val_if_fail ((guint) role < G_N_ELEMENTS (role_names), NULL);

  return role_names[role];
}

gboolean
starling_store_role_from_string (const char        *str,
                                 StarlingStoreRole *role)
{
  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    if (g_strcmp0 (str, role_names[i]) == 0)
      {
        *role = i;
        return TRUE;
      }

  return FALSE;
}

const char *
starling_store_status_to_string (StarlingStoreStatus status)
{
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (status_names), NULL);

  return status_names[status];
}

gboolean
starling_store_status_from_string (const char          *str,
                                   StarlingStoreStatus *status)
{
  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_strcmp0 (str, status_names[i]) == 0)
      {
        *status = i;
        return TRUE;
      }

  return FALSE;
}

G_DEFINE_FINAL_TYPE (StarlingStoredMessage, starling_stored_message, G_TYPE_OBJECT)

static void
starling_stored_message_finalize (GObject *object)
{
  StarlingStoredMessage *self = (StarlingStoredMessage *) object;

  g_free (self->parts_json);
  g_free (self->text);
  g_free (self->thought_text);
  g_free (self->finish_reason);
  g_free (self->usage_json);
  g_free (self->grounding_json);
  g_free (self->model_version);
  g_free (self->error_json);
  g_free (self->edit_draft);

  G_OBJECT_CLASS (starling_stored_message_parent_class)->finalize (object);
}

static void
starling_stored_message_class_init (StarlingStoredMessageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = starling_stored_message_finalize;
}

static void
starling_stored_message_init (StarlingStoredMessage *self)
{
}

gint64
starling_stored_message_get_id (StarlingStoredMessage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (self), 0);
  return self->id;
}

gint64
starling_stored_message_get_conversation_id (StarlingStoredMessage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (self), 0);
  return self->conversation_id;
}

/**
 * starling_stored_message_get_parent_id:
 *
 * Returns: the message this one follows, 0 for the first of a conversation
 */
gint64
starling_stored_message_get_parent_id (StarlingStoredMessage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (self), 0);
  return self->parent_id;
}

StarlingStoreRole
starling_stored_message_get_role (StarlingStoredMessage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (self), STARLING_STORE_ROLE_USER);
  return self->role;
}

StarlingStoreStatus
starling_stored_message_get_status (StarlingStoredMessage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (self), STARLING_STORE_STATUS_COMPLETE);
  return self->status;
}

/**
 * starling_stored_message_get_parts_json:
 *
 * Returns: the raw parts, a JSON array, byte for byte as they were stored
 *   (images back inline); what to send to the API for this turn
 */
const char *
starling_stored_message_get_parts_json (StarlingStoredMessage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (self), NULL);
  return self->parts_json;
}

/**
 * starling_stored_message_get_text:
 *
 * Returns: the text derived from the parts (thoughts apart), for display and search
 */
const char *
starling_stored_message_get_text (StarlingStoredMessage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (self), NULL);
  return self->text;
}

const char *
starling_stored_message_get_thought_text (StarlingStoredMessage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (self), NULL);
  return self->thought_text;
}

const char *
starling_stored_message_get_finish_reason (StarlingStoredMessage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (self), NULL);
  return self->finish_reason;
}

const char *
starling_stored_message_get_usage_json (StarlingStoredMessage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (self), NULL);
  return self->usage_json;
}

const char *
starling_stored_message_get_grounding_json (StarlingStoredMessage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (self), NULL);
  return self->grounding_json;
}

const char *
starling_stored_message_get_model_version (StarlingStoredMessage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (self), NULL);
  return self->model_version;
}

/**
 * starling_stored_message_get_edit_draft:
 *
 * Returns: (nullable): the text of the prompt's Edit and Resend, not sent
 *   yet, or %NULL when it is not being edited
 */
const char *
starling_stored_message_get_edit_draft (StarlingStoredMessage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (self), NULL);

  return self->edit_draft;
}

const char *
starling_stored_message_get_error_json (StarlingStoredMessage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (self), NULL);
  return self->error_json;
}

/**
 * starling_stored_message_get_created:
 *
 * Returns: microseconds since the epoch (UTC)
 */
gint64
starling_stored_message_get_created (StarlingStoredMessage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (self), 0);
  return self->created;
}

gint64
starling_stored_message_get_updated (StarlingStoredMessage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (self), 0);
  return self->updated;
}

/**
 * starling_stored_message_get_sibling_index:
 *
 * Returns: the position of this version among the messages with the same
 *   parent, from 0, oldest first: "‹ index + 1 / n ›"
 */
guint
starling_stored_message_get_sibling_index (StarlingStoredMessage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (self), 0);
  return self->sibling_index;
}

guint
starling_stored_message_get_n_siblings (StarlingStoredMessage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (self), 0);
  return self->n_siblings;
}

/**
 * starling_stored_message_get_blobs_missing:
 *
 * Returns: %TRUE if an image file of this message could not be read; its
 *   `data` then still holds the blob reference
 */
gboolean
starling_stored_message_get_blobs_missing (StarlingStoredMessage *self)
{
  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (self), FALSE);
  return self->blobs_missing;
}

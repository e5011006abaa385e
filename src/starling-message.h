/* starling-message.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "gem-response.h"
#include "starling-stored-message.h"

G_BEGIN_DECLS

typedef enum
{
  STARLING_ROLE_USER,
  STARLING_ROLE_MODEL,
} StarlingRole;

typedef enum
{
  STARLING_MESSAGE_COMPLETE,
  STARLING_MESSAGE_STREAMING,
  STARLING_MESSAGE_STOPPED,
  STARLING_MESSAGE_INTERRUPTED,
  STARLING_MESSAGE_ERROR,
} StarlingMessageStatus;

#define STARLING_TYPE_MESSAGE (starling_message_get_type ())

G_DECLARE_FINAL_TYPE (StarlingMessage, starling_message, STARLING, MESSAGE, GObject)

StarlingMessage       *starling_message_new_user          (JsonArray             *parts);
StarlingMessage       *starling_message_new_model         (void);
StarlingMessage       *starling_message_new_from_stored   (StarlingStoredMessage *stored);
gint64                 starling_message_get_id            (StarlingMessage       *self);
void                   starling_message_set_id            (StarlingMessage       *self,
                                                           gint64                 id);
gboolean               starling_message_get_children_loaded (StarlingMessage     *self);
void                   starling_message_set_children_loaded (StarlingMessage     *self,
                                                           gboolean               loaded);
char                  *starling_message_dup_parts_json    (StarlingMessage       *self);
char                  *starling_message_dup_display_markdown (StarlingMessage     *self);

StarlingRole           starling_message_get_role          (StarlingMessage       *self);
StarlingMessageStatus  starling_message_get_status        (StarlingMessage       *self);
void                   starling_message_set_status        (StarlingMessage       *self,
                                                           StarlingMessageStatus  status);
const char            *starling_message_get_text          (StarlingMessage       *self);
const char            *starling_message_get_edit_draft    (StarlingMessage       *self);
void                   starling_message_set_edit_draft    (StarlingMessage       *self,
                                                           const char            *text);
const char            *starling_message_get_thought_text  (StarlingMessage       *self);
JsonArray             *starling_message_get_parts         (StarlingMessage       *self);
GemResponse           *starling_message_get_response      (StarlingMessage       *self);
void                   starling_message_update_response   (StarlingMessage       *self,
                                                           GemResponse           *response);
const GError          *starling_message_get_error         (StarlingMessage       *self);
void                   starling_message_set_retry         (StarlingMessage       *self,
                                                           const GError          *error,
                                                           gint64                 retry_time);
gint64                 starling_message_get_retry_time    (StarlingMessage       *self);
char                  *starling_message_dup_retry_notice  (StarlingMessage       *self);
void                   starling_message_set_error         (StarlingMessage       *self,
                                                           const GError          *error);
char                  *starling_message_dup_status_line   (StarlingMessage       *self);
char                  *starling_message_dup_notice        (StarlingMessage       *self);
const char            *starling_message_get_request_json  (StarlingMessage       *self);
void                   starling_message_set_request_json  (StarlingMessage       *self,
                                                           const char            *request_json);
GPtrArray             *starling_message_dup_user_images   (StarlingMessage       *self);

/* The branch tree: edits and regenerations are siblings under one parent. */
StarlingMessage       *starling_message_get_parent        (StarlingMessage       *self);
GPtrArray             *starling_message_get_children      (StarlingMessage       *self);
StarlingMessage       *starling_message_get_active_child  (StarlingMessage       *self);
void                   starling_message_set_active_child  (StarlingMessage       *self,
                                                           StarlingMessage       *child);
void                   starling_message_add_child         (StarlingMessage       *self,
                                                           StarlingMessage       *child);
void                   starling_message_remove_child      (StarlingMessage       *self,
                                                           StarlingMessage       *child);
guint                  starling_message_get_sibling_index (StarlingMessage       *self);
guint                  starling_message_get_n_siblings    (StarlingMessage       *self);

G_END_DECLS

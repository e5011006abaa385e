/* starling-conversation.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gem-client.h"
#include "gem-request.h"
#include "starling-message.h"
#include "starling-store.h"

G_BEGIN_DECLS

#define STARLING_TYPE_CONVERSATION (starling_conversation_get_type ())

G_DECLARE_FINAL_TYPE (StarlingConversation, starling_conversation, STARLING, CONVERSATION, GObject)

StarlingConversation *starling_conversation_new            (GemClient            *client,
                                                            const char           *model);
StarlingConversation *starling_conversation_new_for_store  (GemClient            *client,
                                                            StarlingStore        *store,
                                                            const char           *model);
StarlingConversation *starling_conversation_load           (GemClient            *client,
                                                            StarlingStore        *store,
                                                            gint64                id,
                                                            GError              **error);
gint64                starling_conversation_get_id         (StarlingConversation *self);
const char           *starling_conversation_get_draft      (StarlingConversation *self);
void                  starling_conversation_keep_edit_draft (StarlingConversation *self,
                                                            StarlingMessage      *message);
void                  starling_conversation_save_edit_drafts (StarlingConversation *self);
GPtrArray            *starling_conversation_dup_draft_attachments (StarlingConversation *self,
                                                                   guint                *n_lost);
void                  starling_conversation_set_draft      (StarlingConversation *self,
                                                            const char           *text,
                                                            GPtrArray            *attachments,
                                                            gboolean              create);
StarlingStore        *starling_conversation_get_store      (StarlingConversation *self);
GListModel           *starling_conversation_get_messages   (StarlingConversation *self);
guint                 starling_conversation_find_message   (StarlingConversation *self,
                                                            gint64                message_id);
void                  starling_conversation_continue       (StarlingConversation *self);
const GemGenerationSettings *starling_conversation_get_settings (StarlingConversation *self);
void                  starling_conversation_set_settings   (StarlingConversation        *self,
                                                            const GemGenerationSettings *settings);
gboolean              starling_conversation_get_stream     (StarlingConversation *self);
void                  starling_conversation_set_stream     (StarlingConversation *self,
                                                            gboolean              stream);
const char           *starling_conversation_get_title      (StarlingConversation *self);
void                  starling_conversation_set_title      (StarlingConversation *self,
                                                            const char           *title);
const char           *starling_conversation_get_model      (StarlingConversation *self);
void                  starling_conversation_set_model      (StarlingConversation *self,
                                                            const char           *model);
gboolean              starling_conversation_get_busy       (StarlingConversation *self);
GemClient            *starling_conversation_get_client     (StarlingConversation *self);
GListModel           *starling_conversation_dup_images     (StarlingConversation *self);

void                  starling_conversation_send           (StarlingConversation *self,
                                                            const char           *text,
                                                            GPtrArray            *attachments);
void                  starling_conversation_stop           (StarlingConversation *self);
void                  starling_conversation_regenerate     (StarlingConversation *self,
                                                            StarlingMessage      *answer);
void                  starling_conversation_retry          (StarlingConversation *self,
                                                            StarlingMessage      *answer);
void                  starling_conversation_edit           (StarlingConversation *self,
                                                            StarlingMessage      *prompt,
                                                            const char           *text);
void                  starling_conversation_delete_pair    (StarlingConversation *self,
                                                            StarlingMessage      *message);
void                  starling_conversation_switch_branch  (StarlingConversation *self,
                                                            StarlingMessage      *message,
                                                            int                   direction);

G_END_DECLS

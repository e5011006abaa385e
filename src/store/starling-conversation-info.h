/* starling-conversation-info.h: one conversation as the sidebar shows it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define STARLING_TYPE_CONVERSATION_INFO (starling_conversation_info_get_type ())

G_DECLARE_FINAL_TYPE (StarlingConversationInfo, starling_conversation_info,
                      STARLING, CONVERSATION_INFO, GObject)

gint64      starling_conversation_info_get_id              (StarlingConversationInfo *self);
const char *starling_conversation_info_get_title           (StarlingConversationInfo *self);
void        starling_conversation_info_set_title           (StarlingConversationInfo *self,
                                                            const char               *title);
gboolean    starling_conversation_info_get_title_is_custom (StarlingConversationInfo *self);
gint64      starling_conversation_info_get_created         (StarlingConversationInfo *self);
gint64      starling_conversation_info_get_updated         (StarlingConversationInfo *self);
void        starling_conversation_info_set_updated         (StarlingConversationInfo *self,
                                                            gint64                    updated);
gboolean    starling_conversation_info_get_pinned          (StarlingConversationInfo *self);
void        starling_conversation_info_set_pinned          (StarlingConversationInfo *self,
                                                            gboolean                  pinned);
const char *starling_conversation_info_get_model           (StarlingConversationInfo *self);
const char *starling_conversation_info_get_settings_json   (StarlingConversationInfo *self);
const char *starling_conversation_info_get_snippet         (StarlingConversationInfo *self);
void        starling_conversation_info_set_snippet         (StarlingConversationInfo *self,
                                                            const char               *snippet);
const char *starling_conversation_info_get_draft           (StarlingConversationInfo *self);
void        starling_conversation_info_set_draft           (StarlingConversationInfo *self,
                                                            const char               *draft);
const char *starling_conversation_info_get_draft_attachments (StarlingConversationInfo *self);
void        starling_conversation_info_set_draft_attachments (StarlingConversationInfo *self,
                                                              const char               *names);
gboolean    starling_conversation_info_get_answering       (StarlingConversationInfo *self);
void        starling_conversation_info_set_answering       (StarlingConversationInfo *self,
                                                            gboolean                  answering);
gboolean    starling_conversation_info_get_unread          (StarlingConversationInfo *self);
void        starling_conversation_info_set_unread          (StarlingConversationInfo *self,
                                                            gboolean                  unread);
gboolean    starling_conversation_info_get_deleted         (StarlingConversationInfo *self);

G_END_DECLS

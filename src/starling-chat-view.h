/* starling-chat-view.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "starling-composer.h"
#include "starling-conversation.h"

G_BEGIN_DECLS

#define STARLING_TYPE_CHAT_VIEW (starling_chat_view_get_type ())

G_DECLARE_FINAL_TYPE (StarlingChatView, starling_chat_view, STARLING, CHAT_VIEW, GtkWidget)

GtkWidget            *starling_chat_view_new              (StarlingConversation *conversation);
StarlingConversation *starling_chat_view_get_conversation (StarlingChatView     *self);
void                  starling_chat_view_save_draft       (StarlingChatView     *self);
StarlingComposer     *starling_chat_view_get_composer     (StarlingChatView     *self);
GtkListBox           *starling_chat_view_get_list         (StarlingChatView     *self);
gboolean              starling_chat_view_get_sticky       (StarlingChatView     *self);
void                  starling_chat_view_set_can_send     (StarlingChatView     *self,
                                                           gboolean              can_send);
void                  starling_chat_view_scroll_to_bottom (StarlingChatView     *self);
void                  starling_chat_view_reveal_message   (StarlingChatView     *self,
                                                           gint64                message_id,
                                                           const char           *query);

G_END_DECLS

/* starling-message-row.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "starling-conversation.h"
#include "starling-message.h"

G_BEGIN_DECLS

#define STARLING_TYPE_MESSAGE_ROW (starling_message_row_get_type ())

G_DECLARE_FINAL_TYPE (StarlingMessageRow, starling_message_row, STARLING, MESSAGE_ROW, GtkListBoxRow)

GtkWidget       *starling_message_row_new         (StarlingMessage      *message,
                                                   StarlingConversation *conversation);
StarlingMessage *starling_message_row_get_message (StarlingMessageRow   *self);

G_END_DECLS

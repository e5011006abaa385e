/* starling-conversation-row.h: one row of the sidebar (header, conversation or search hit)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "starling-conversation-info.h"
#include "starling-search-result.h"

G_BEGIN_DECLS

#define STARLING_TYPE_CONVERSATION_ROW (starling_conversation_row_get_type ())

G_DECLARE_FINAL_TYPE (StarlingConversationRow, starling_conversation_row,
                      STARLING, CONVERSATION_ROW, GtkWidget)

GtkWidget                *starling_conversation_row_new               (void);
void                      starling_conversation_row_bind_header       (StarlingConversationRow  *self,
                                                                       const char               *label);
void                      starling_conversation_row_bind_conversation (StarlingConversationRow  *self,
                                                                       StarlingConversationInfo *info);
void                      starling_conversation_row_bind_result       (StarlingConversationRow  *self,
                                                                       StarlingSearchResult     *result,
                                                                       GDateTime                *now);
void                      starling_conversation_row_unbind            (StarlingConversationRow  *self);
StarlingConversationInfo *starling_conversation_row_get_info          (StarlingConversationRow  *self);
StarlingSearchResult     *starling_conversation_row_get_result        (StarlingConversationRow  *self);
void                      starling_conversation_row_start_rename      (StarlingConversationRow  *self);
void                      starling_conversation_row_stop_rename       (StarlingConversationRow  *self,
                                                                       gboolean                  commit);
gboolean                  starling_conversation_row_get_editing       (StarlingConversationRow  *self);
void                      starling_conversation_row_popup_menu        (StarlingConversationRow  *self,
                                                                       double                    x,
                                                                       double                    y);
const char               *starling_conversation_row_get_title         (StarlingConversationRow  *self);
const char               *starling_conversation_row_get_subtitle      (StarlingConversationRow  *self);
char                     *starling_conversation_format_date           (gint64                    time_us,
                                                                       GDateTime                *now);

G_END_DECLS

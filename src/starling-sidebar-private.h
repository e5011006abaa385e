/* starling-sidebar-private.h: what the sidebar's tests and benchmark look at
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "starling-conversation-row.h"
#include "starling-sidebar.h"

G_BEGIN_DECLS

#define STARLING_TYPE_SIDEBAR_HEADER (starling_sidebar_header_get_type ())

G_DECLARE_FINAL_TYPE (StarlingSidebarHeader, starling_sidebar_header,
                      STARLING, SIDEBAR_HEADER, GObject)

const char              *starling_sidebar_header_get_label (StarlingSidebarHeader *self);

void                     starling_sidebar_set_now          (StarlingSidebar *self,
                                                            GDateTime       *now);
GListModel              *starling_sidebar_get_results      (StarlingSidebar *self);
GtkListView             *starling_sidebar_get_list_view    (StarlingSidebar *self);
GtkListView             *starling_sidebar_get_results_view (StarlingSidebar *self);
GtkEditable             *starling_sidebar_get_search_entry (StarlingSidebar *self);
const char              *starling_sidebar_get_visible_page (StarlingSidebar *self);
gboolean                 starling_sidebar_get_searching    (StarlingSidebar *self);
StarlingConversationRow *starling_sidebar_find_row         (StarlingSidebar *self,
                                                            gint64           conversation_id);

G_END_DECLS

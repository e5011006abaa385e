/* starling-sidebar.h: the conversations, grouped by day, and the history search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "starling-store.h"

G_BEGIN_DECLS

#define STARLING_TYPE_SIDEBAR (starling_sidebar_get_type ())

G_DECLARE_FINAL_TYPE (StarlingSidebar, starling_sidebar, STARLING, SIDEBAR, GtkWidget)

GtkWidget     *starling_sidebar_new                      (void);
StarlingStore *starling_sidebar_get_store                (StarlingSidebar *self);
void           starling_sidebar_set_store                (StarlingSidebar *self,
                                                          StarlingStore   *store);
void           starling_sidebar_set_toast_overlay        (StarlingSidebar *self,
                                                          AdwToastOverlay *overlay);
void           starling_sidebar_reload                   (StarlingSidebar *self);
gboolean       starling_sidebar_get_loading              (StarlingSidebar *self);
void           starling_sidebar_conversation_changed     (StarlingSidebar *self,
                                                          gint64           conversation_id);
gint64         starling_sidebar_get_adjacent_conversation (StarlingSidebar *self,
                                                           gint64           conversation_id,
                                                           int              direction);
void           starling_sidebar_set_conversation_activity (StarlingSidebar *self,
                                                           gint64           conversation_id,
                                                           gboolean         answering,
                                                           gboolean         unread);
gboolean       starling_sidebar_select_conversation      (StarlingSidebar *self,
                                                          gint64           conversation_id);
gint64         starling_sidebar_get_selected_conversation (StarlingSidebar *self);
void           starling_sidebar_start_search             (StarlingSidebar *self);
void           starling_sidebar_start_global_search      (StarlingSidebar *self);
void           starling_sidebar_search_for               (StarlingSidebar *self,
                                                          const char      *text);
void           starling_sidebar_stop_search              (StarlingSidebar *self);
gboolean       starling_sidebar_get_search_mode          (StarlingSidebar *self);
void           starling_sidebar_set_search_mode          (StarlingSidebar *self,
                                                          gboolean         search_mode);
GListModel    *starling_sidebar_get_model                (StarlingSidebar *self);

G_END_DECLS

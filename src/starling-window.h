/* starling-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "starling-application.h"

G_BEGIN_DECLS

#define STARLING_TYPE_WINDOW (starling_window_get_type ())

G_DECLARE_FINAL_TYPE (StarlingWindow, starling_window, STARLING, WINDOW, AdwApplicationWindow)

StarlingWindow *starling_window_new        (StarlingApplication *application);
void            starling_window_show_toast (StarlingWindow      *self,
                                            const char          *message);
void            starling_window_search_for (StarlingWindow *self,
                                            const char     *text);
gboolean        starling_window_open_conversation (StarlingWindow *self,
                                                   gint64          id,
                                                   gint64          message_id);
gboolean        starling_window_open_search_result (StarlingWindow *self,
                                                    gint64          id,
                                                    gint64          message_id,
                                                    const char     *query);

G_END_DECLS

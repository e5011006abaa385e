/* starling-preferences-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "gem-request.h"
#include "starling-application.h"

G_BEGIN_DECLS

#define STARLING_TYPE_PREFERENCES_WINDOW (starling_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (StarlingPreferencesWindow, starling_preferences_window, STARLING, PREFERENCES_WINDOW, AdwPreferencesWindow)

StarlingPreferencesWindow *starling_preferences_window_new            (StarlingApplication       *application);
const char                *starling_preferences_window_get_key_status (StarlingPreferencesWindow *self);
gboolean                   starling_preferences_window_get_keyring_checked
                                                                      (StarlingPreferencesWindow *self);

void                       starling_preferences_setup_application     (StarlingApplication       *application);
GemGenerationSettings     *starling_preferences_new_default_settings  (GSettings                 *settings);
char                      *starling_preferences_dup_font_css          (int                        points);
const char                *starling_preferences_get_key_variable      (void);

G_END_DECLS

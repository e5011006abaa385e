/* starling-preferences-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "starling-application.h"

G_BEGIN_DECLS

#define STARLING_TYPE_PREFERENCES_WINDOW (starling_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (StarlingPreferencesWindow, starling_preferences_window, STARLING, PREFERENCES_WINDOW, AdwPreferencesWindow)

StarlingPreferencesWindow *starling_preferences_window_new (StarlingApplication *application);

G_END_DECLS

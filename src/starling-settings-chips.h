/* starling-settings-chips.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "starling-chat-settings.h"

G_BEGIN_DECLS

#define STARLING_TYPE_SETTINGS_CHIPS (starling_settings_chips_get_type ())

G_DECLARE_FINAL_TYPE (StarlingSettingsChips, starling_settings_chips, STARLING, SETTINGS_CHIPS, GtkWidget)

GtkWidget                   *starling_settings_chips_new            (void);
StarlingChatSettings        *starling_settings_chips_get_editor     (StarlingSettingsChips       *self);
GtkPopover                  *starling_settings_chips_get_popover    (StarlingSettingsChips       *self);
void                         starling_settings_chips_set_model_list (StarlingSettingsChips       *self,
                                                                     StarlingModelList           *model_list);
const GemGenerationSettings *starling_settings_chips_get_settings   (StarlingSettingsChips       *self);
void                         starling_settings_chips_set_settings   (StarlingSettingsChips       *self,
                                                                     const GemGenerationSettings *settings);
char                        *starling_settings_chips_dup_summary    (StarlingSettingsChips       *self);
void                         starling_settings_chips_popup          (StarlingSettingsChips       *self);

G_END_DECLS

/* starling-chat-settings.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "gem-request.h"
#include "starling-model-list.h"

G_BEGIN_DECLS

#define STARLING_TYPE_CHAT_SETTINGS (starling_chat_settings_get_type ())

G_DECLARE_FINAL_TYPE (StarlingChatSettings, starling_chat_settings, STARLING, CHAT_SETTINGS, GtkWidget)

GtkWidget                   *starling_chat_settings_new             (void);
void                         starling_chat_settings_set_model_list  (StarlingChatSettings        *self,
                                                                     StarlingModelList           *model_list);
StarlingModelList           *starling_chat_settings_get_model_list  (StarlingChatSettings        *self);
const GemGenerationSettings *starling_chat_settings_get_settings    (StarlingChatSettings        *self);
GemGenerationSettings       *starling_chat_settings_dup_settings    (StarlingChatSettings        *self);
void                         starling_chat_settings_set_settings    (StarlingChatSettings        *self,
                                                                     const GemGenerationSettings *settings);
gboolean                     starling_chat_settings_validate        (StarlingChatSettings        *self,
                                                                     GError                     **error);

gboolean                     starling_chat_settings_constrain       (GemGenerationSettings       *settings,
                                                                     GemModelInfo                *info);
char                        *starling_chat_settings_describe_thinking (const GemGenerationSettings *settings);

G_END_DECLS

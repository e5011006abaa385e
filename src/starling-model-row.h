/* starling-model-row.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "starling-model-list.h"

G_BEGIN_DECLS

#define STARLING_TYPE_MODEL_ROW (starling_model_row_get_type ())

G_DECLARE_FINAL_TYPE (StarlingModelRow, starling_model_row, STARLING, MODEL_ROW, AdwEntryRow)

GtkWidget         *starling_model_row_new            (void);
StarlingModelList *starling_model_row_get_model_list (StarlingModelRow  *self);
void               starling_model_row_set_model_list (StarlingModelRow  *self,
                                                      StarlingModelList *model_list);
const char        *starling_model_row_get_model_id   (StarlingModelRow  *self);
void               starling_model_row_set_model_id   (StarlingModelRow  *self,
                                                      const char        *model_id);
void               starling_model_row_choose         (StarlingModelRow  *self,
                                                      const char        *model_id);
GtkPopover        *starling_model_row_get_popover    (StarlingModelRow  *self);

G_END_DECLS

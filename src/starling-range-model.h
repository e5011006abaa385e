/* starling-range-model.h: a stretch of a list model, moved without rebuilding what stays
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define STARLING_TYPE_RANGE_MODEL (starling_range_model_get_type ())

G_DECLARE_FINAL_TYPE (StarlingRangeModel, starling_range_model, STARLING, RANGE_MODEL, GObject)

StarlingRangeModel *starling_range_model_new       (GListModel         *model,
                                                    guint               start,
                                                    guint               end);
void                starling_range_model_set_range (StarlingRangeModel *self,
                                                    guint               start,
                                                    guint               end);
guint               starling_range_model_get_start (StarlingRangeModel *self);
guint               starling_range_model_get_end   (StarlingRangeModel *self);

G_END_DECLS

/* starling-gallery-item.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "starling-image.h"
#include "starling-stored-image.h"

G_BEGIN_DECLS

#define STARLING_TYPE_GALLERY_ITEM (starling_gallery_item_get_type ())

G_DECLARE_FINAL_TYPE (StarlingGalleryItem, starling_gallery_item, STARLING, GALLERY_ITEM, GObject)

StarlingGalleryItem *starling_gallery_item_new            (StarlingStoredImage *stored);
StarlingStoredImage *starling_gallery_item_get_stored     (StarlingGalleryItem *self);
const char          *starling_gallery_item_get_prompt     (StarlingGalleryItem *self);
const char          *starling_gallery_item_get_title      (StarlingGalleryItem *self);
GdkPaintable        *starling_gallery_item_get_paintable  (StarlingGalleryItem *self);
const char          *starling_gallery_item_get_error      (StarlingGalleryItem *self);
gboolean             starling_gallery_item_get_loading    (StarlingGalleryItem *self);
void                 starling_gallery_item_load_thumbnail (StarlingGalleryItem *self,
                                                           int                  max_side,
                                                           GCancellable        *cancellable);
StarlingImage       *starling_gallery_item_dup_image      (StarlingGalleryItem *self);

G_END_DECLS

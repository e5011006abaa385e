/* starling-gallery-cell.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "starling-gallery-item.h"

G_BEGIN_DECLS

/* The side of a thumbnail, in application pixels. */
#define STARLING_GALLERY_THUMBNAIL_SIZE 180

#define STARLING_TYPE_GALLERY_CELL (starling_gallery_cell_get_type ())

G_DECLARE_FINAL_TYPE (StarlingGalleryCell, starling_gallery_cell, STARLING, GALLERY_CELL, GtkWidget)

GtkWidget           *starling_gallery_cell_new      (void);
StarlingGalleryItem *starling_gallery_cell_get_item (StarlingGalleryCell *self);
void                 starling_gallery_cell_set_item (StarlingGalleryCell *self,
                                                     StarlingGalleryItem *item);

G_END_DECLS

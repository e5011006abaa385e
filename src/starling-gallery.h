/* starling-gallery.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "starling-store.h"

G_BEGIN_DECLS

#define STARLING_TYPE_GALLERY (starling_gallery_get_type ())

G_DECLARE_FINAL_TYPE (StarlingGallery, starling_gallery, STARLING, GALLERY, AdwWindow)

StarlingGallery *starling_gallery_new       (GtkWindow       *parent,
                                             StarlingStore   *store);
GListModel      *starling_gallery_get_items (StarlingGallery *self);
gboolean         starling_gallery_is_loaded (StarlingGallery *self);

G_END_DECLS

/* starling-image-viewer.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "starling-image.h"

G_BEGIN_DECLS

#define STARLING_TYPE_IMAGE_VIEWER (starling_image_viewer_get_type ())

G_DECLARE_FINAL_TYPE (StarlingImageViewer, starling_image_viewer, STARLING, IMAGE_VIEWER, AdwWindow)

StarlingImageViewer *starling_image_viewer_new        (GListModel          *images,
                                                       guint                position,
                                                       const char          *title);
guint                starling_image_viewer_get_position (StarlingImageViewer *self);
double               starling_image_viewer_get_zoom   (StarlingImageViewer *self);
gboolean             starling_image_viewer_get_fit    (StarlingImageViewer *self);
void                 starling_image_save_with_dialog  (GtkWindow           *parent,
                                                       StarlingImage       *image,
                                                       const char          *title,
                                                       guint                index);
void                 starling_image_save_all_with_dialog (GtkWindow        *parent,
                                                       GListModel          *images,
                                                       const char          *title);
gboolean             starling_image_write_file        (StarlingImage       *image,
                                                       GFile               *file,
                                                       GError             **error);

G_END_DECLS

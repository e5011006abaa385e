/* starling-image.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Images larger than this on either side are not decoded at full size. */
#define STARLING_IMAGE_MAX_SIDE 4096

#define STARLING_TYPE_IMAGE (starling_image_get_type ())

G_DECLARE_FINAL_TYPE (StarlingImage, starling_image, STARLING, IMAGE, GObject)

StarlingImage *starling_image_new               (GBytes              *bytes,
                                                 const char          *mime_type,
                                                 const char          *caption);
StarlingImage *starling_image_new_from_base64   (JsonNode            *base64,
                                                 const char          *mime_type,
                                                 const char          *caption);
StarlingImage *starling_image_new_for_file      (GFile               *file,
                                                 const char          *mime_type,
                                                 const char          *caption);
gboolean       starling_image_equal             (StarlingImage       *self,
                                                 StarlingImage       *other);
GBytes        *starling_image_get_bytes         (StarlingImage       *self);
const char    *starling_image_get_mime_type     (StarlingImage       *self);
const char    *starling_image_get_caption       (StarlingImage       *self);
GdkTexture    *starling_image_get_texture       (StarlingImage       *self);
const char    *starling_image_get_error         (StarlingImage       *self);
void           starling_image_decode_async      (StarlingImage       *self,
                                                 int                  max_side,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GdkTexture    *starling_image_decode_finish     (StarlingImage       *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
char          *starling_image_suggest_name      (const char          *title,
                                                 GDateTime           *when,
                                                 guint                index,
                                                 const char          *mime_type);
const char    *starling_image_extension_for_mime (const char         *mime_type);
char          *starling_image_sniff_mime_type   (GBytes              *bytes);

G_END_DECLS

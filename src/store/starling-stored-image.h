/* starling-stored-image.h: one image of the history, as the gallery lists it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "starling-stored-message.h"

G_BEGIN_DECLS

#define STARLING_TYPE_STORED_IMAGE (starling_stored_image_get_type ())

G_DECLARE_FINAL_TYPE (StarlingStoredImage, starling_stored_image,
                      STARLING, STORED_IMAGE, GObject)

gint64             starling_stored_image_get_conversation_id    (StarlingStoredImage  *self);
const char        *starling_stored_image_get_conversation_title (StarlingStoredImage  *self);
gint64             starling_stored_image_get_message_id         (StarlingStoredImage  *self);
StarlingStoreRole  starling_stored_image_get_role               (StarlingStoredImage  *self);
guint              starling_stored_image_get_index              (StarlingStoredImage  *self);
const char        *starling_stored_image_get_mime_type          (StarlingStoredImage  *self);
gint64             starling_stored_image_get_created            (StarlingStoredImage  *self);
const char        *starling_stored_image_get_prompt             (StarlingStoredImage  *self);
const char        *starling_stored_image_get_path               (StarlingStoredImage  *self);
const char        *starling_stored_image_get_base64             (StarlingStoredImage  *self);
GBytes            *starling_stored_image_load_bytes             (StarlingStoredImage  *self,
                                                                 GCancellable         *cancellable,
                                                                 GError              **error);

G_END_DECLS

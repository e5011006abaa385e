/* starling-attachment.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The API takes inline data up to 20 MB per request. */
#define STARLING_ATTACHMENT_MAX_SIZE (20 * 1000 * 1000)

#define STARLING_TYPE_ATTACHMENT (starling_attachment_get_type ())

G_DECLARE_FINAL_TYPE (StarlingAttachment, starling_attachment, STARLING, ATTACHMENT, GObject)

StarlingAttachment *starling_attachment_new             (const char          *name,
                                                         const char          *mime_type,
                                                         GBytes              *bytes);
void                starling_attachment_load_async      (GFile               *file,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
StarlingAttachment *starling_attachment_load_finish     (GAsyncResult        *result,
                                                         GError             **error);
const char         *starling_attachment_get_name        (StarlingAttachment  *self);
const char         *starling_attachment_get_mime_type   (StarlingAttachment  *self);
GBytes             *starling_attachment_get_bytes       (StarlingAttachment  *self);
gboolean            starling_attachment_is_image        (StarlingAttachment  *self);
GdkTexture         *starling_attachment_get_thumbnail   (StarlingAttachment  *self);
gboolean            starling_attachment_mime_supported  (const char          *mime_type);

char               *starling_attachments_to_json        (GPtrArray           *attachments,
                                                         char               **names);
GPtrArray          *starling_attachments_from_json      (const char          *json,
                                                         guint               *n_lost);

G_END_DECLS

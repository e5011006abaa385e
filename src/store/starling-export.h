/* starling-export.h: conversations to Markdown and JSON, and back from JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "starling-store.h"

G_BEGIN_DECLS

#define STARLING_EXPORT_ERROR (starling_export_error_quark ())

/**
 * StarlingExportError:
 * @STARLING_EXPORT_ERROR_NOT_JSON: the file is not JSON
 * @STARLING_EXPORT_ERROR_BAD_SHAPE: JSON, but not a conversation
 * @STARLING_EXPORT_ERROR_UNSUPPORTED_VERSION: made by a newer Starling
 * @STARLING_EXPORT_ERROR_UNKNOWN_ROLE: a message is neither "user" nor "model"
 * @STARLING_EXPORT_ERROR_EMPTY_PART: a part has no content
 * @STARLING_EXPORT_ERROR_BAD_BASE64: inline data that is not base64
 */
typedef enum
{
  STARLING_EXPORT_ERROR_NOT_JSON,
  STARLING_EXPORT_ERROR_BAD_SHAPE,
  STARLING_EXPORT_ERROR_UNSUPPORTED_VERSION,
  STARLING_EXPORT_ERROR_UNKNOWN_ROLE,
  STARLING_EXPORT_ERROR_EMPTY_PART,
  STARLING_EXPORT_ERROR_BAD_BASE64,
} StarlingExportError;

/* The "version" written in "starling" metadata. */
#define STARLING_EXPORT_FORMAT_VERSION 1

GQuark    starling_export_error_quark     (void);

gboolean  starling_export_markdown        (StarlingStore        *store,
                                           gint64                conversation_id,
                                           GFile                *file,
                                           GError              **error);
char     *starling_export_json_to_string  (StarlingStore        *store,
                                           gint64                conversation_id,
                                           GError              **error);
gboolean  starling_export_json            (StarlingStore        *store,
                                           gint64                conversation_id,
                                           GFile                *file,
                                           GError              **error);

gint64    starling_import_json_data       (StarlingStore        *store,
                                           const char           *data,
                                           gsize                 len,
                                           GError              **error);
gint64    starling_import_json            (StarlingStore        *store,
                                           GFile                *file,
                                           GError              **error);

gboolean  starling_export_all             (StarlingStore        *store,
                                           GFile                *folder,
                                           guint                *n_exported,
                                           GCancellable         *cancellable,
                                           GError              **error);
void      starling_export_all_async       (StarlingStore        *store,
                                           GFile                *folder,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean  starling_export_all_finish      (StarlingStore        *store,
                                           GAsyncResult         *result,
                                           guint                *n_exported,
                                           GError              **error);

G_END_DECLS

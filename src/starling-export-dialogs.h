/* starling-export-dialogs.h: export and import, with file choosers and error dialogs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "starling-store.h"

G_BEGIN_DECLS

void    starling_export_conversation_with_dialog (GtkWindow           *parent,
                                                  StarlingStore       *store,
                                                  gint64               conversation_id);
void    starling_export_all_with_dialog          (GtkWindow           *parent,
                                                  StarlingStore       *store);
void    starling_import_with_dialog              (GtkWindow           *parent,
                                                  StarlingStore       *store,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gint64  starling_import_with_dialog_finish       (GAsyncResult        *result,
                                                  GError             **error);

/* The pieces behind the dialogs, for tests. */
gboolean starling_export_conversation_to_file    (StarlingStore       *store,
                                                  gint64               conversation_id,
                                                  GFile               *file,
                                                  GError             **error);
gint64   starling_import_file                    (GtkWindow           *parent,
                                                  StarlingStore       *store,
                                                  GFile               *file,
                                                  GError             **error);
void     starling_show_error_dialog              (GtkWindow           *parent,
                                                  const char          *heading,
                                                  const char          *body);

G_END_DECLS

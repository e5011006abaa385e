/* starling-secret.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

const char *starling_secret_key_from_environment (void);

void        starling_secret_lookup_async  (GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
char       *starling_secret_lookup_finish (GAsyncResult         *result,
                                           GError              **error);
void        starling_secret_store_async   (const char           *key,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean    starling_secret_store_finish  (GAsyncResult         *result,
                                           GError              **error);
void        starling_secret_clear_sync    (void);

G_END_DECLS

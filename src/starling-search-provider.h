/* starling-search-provider.h: the history in GNOME Shell's search (org.gnome.Shell.SearchProvider2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "starling-store.h"

G_BEGIN_DECLS

#define STARLING_SEARCH_PROVIDER_OBJECT_PATH "/io/github/starlingchat/Starling/SearchProvider"

#define STARLING_TYPE_SEARCH_PROVIDER (starling_search_provider_get_type ())

G_DECLARE_FINAL_TYPE (StarlingSearchProvider, starling_search_provider,
                      STARLING, SEARCH_PROVIDER, GObject)

StarlingSearchProvider *starling_search_provider_new       (GApplication           *application);
StarlingStore          *starling_search_provider_get_store (StarlingSearchProvider *self);
void                    starling_search_provider_set_store (StarlingSearchProvider *self,
                                                            StarlingStore          *store);
gboolean                starling_search_provider_export    (StarlingSearchProvider *self,
                                                            GDBusConnection        *connection,
                                                            const char             *object_path,
                                                            GError                **error);
void                    starling_search_provider_unexport  (StarlingSearchProvider *self);

G_END_DECLS

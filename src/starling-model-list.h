/* starling-model-list.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gem-client.h"
#include "gem-model-info.h"

G_BEGIN_DECLS

#define STARLING_TYPE_MODEL_LIST (starling_model_list_get_type ())

G_DECLARE_FINAL_TYPE (StarlingModelList, starling_model_list, STARLING, MODEL_LIST, GObject)

StarlingModelList *starling_model_list_new                (GemClient          *client,
                                                           const char         *cache_path);
StarlingModelList *starling_model_list_get_for_client     (GemClient          *client);
GemClient         *starling_model_list_get_client         (StarlingModelList  *self);
const char        *starling_model_list_get_cache_path     (StarlingModelList  *self);
const char        *starling_model_list_get_base_url       (StarlingModelList  *self);
guint              starling_model_list_get_page_size      (StarlingModelList  *self);
void               starling_model_list_set_page_size      (StarlingModelList  *self,
                                                           guint               page_size);
gboolean           starling_model_list_get_loading        (StarlingModelList  *self);
const char        *starling_model_list_get_error_message  (StarlingModelList  *self);
GDateTime         *starling_model_list_get_updated        (StarlingModelList  *self);
GemModelInfo      *starling_model_list_lookup             (StarlingModelList  *self,
                                                           const char         *model_id);

gboolean           starling_model_list_load_cache         (StarlingModelList  *self);
void               starling_model_list_ensure             (StarlingModelList  *self);
void               starling_model_list_refresh            (StarlingModelList  *self);
void               starling_model_list_refresh_async      (StarlingModelList  *self,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
gboolean           starling_model_list_refresh_finish     (StarlingModelList  *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);
void               starling_model_list_set_models         (StarlingModelList  *self,
                                                           GPtrArray          *models);

char              *starling_model_list_format_tokens      (gint64              tokens);
char              *starling_model_list_describe           (GemModelInfo       *info);
char              *starling_model_list_describe_error     (const GError       *error,
                                                           const char         *base_url);
char              *starling_model_list_default_cache_path (void);

G_END_DECLS

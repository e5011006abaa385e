/* gem-client.h: the HTTP client of the Gemini native API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "gem-response.h"

G_BEGIN_DECLS

#define GEM_CLIENT_DEFAULT_BASE_URL "https://api.cometapi.com"

/**
 * GemAuthStyle:
 * @GEM_AUTH_STYLE_X_GOOG_API_KEY: send the key as `x-goog-api-key: KEY`
 * @GEM_AUTH_STYLE_BEARER: send the key as `Authorization: Bearer KEY`
 */
typedef enum
{
  GEM_AUTH_STYLE_X_GOOG_API_KEY,
  GEM_AUTH_STYLE_BEARER,
} GemAuthStyle;

#define GEM_TYPE_AUTH_STYLE (gem_auth_style_get_type ())
GType gem_auth_style_get_type (void) G_GNUC_CONST;

/**
 * GemGenerateFlags:
 * @GEM_GENERATE_FLAGS_NONE: one `:generateContent` request, the answer in one piece
 * @GEM_GENERATE_FLAGS_STREAM: `:streamGenerateContent?alt=sse`, deltas as they arrive
 */
typedef enum
{
  GEM_GENERATE_FLAGS_NONE   = 0,
  GEM_GENERATE_FLAGS_STREAM = 1 << 0,
} GemGenerateFlags;

#define GEM_TYPE_GENERATE_FLAGS (gem_generate_flags_get_type ())
GType gem_generate_flags_get_type (void) G_GNUC_CONST;

#define GEM_TYPE_CLIENT (gem_client_get_type ())
G_DECLARE_FINAL_TYPE (GemClient, gem_client, GEM, CLIENT, GObject)

GemClient    *gem_client_new                      (const char           *base_url,
                                                   const char           *api_key);

const char   *gem_client_get_base_url             (GemClient            *self);
void          gem_client_set_base_url             (GemClient            *self,
                                                   const char           *base_url);
const char   *gem_client_get_api_key              (GemClient            *self);
void          gem_client_set_api_key              (GemClient            *self,
                                                   const char           *api_key);
GemAuthStyle  gem_client_get_auth_style           (GemClient            *self);
void          gem_client_set_auth_style           (GemClient            *self,
                                                   GemAuthStyle          auth_style);
const char   *gem_client_get_user_agent           (GemClient            *self);
void          gem_client_set_user_agent           (GemClient            *self,
                                                   const char           *user_agent);
guint         gem_client_get_connect_timeout      (GemClient            *self);
void          gem_client_set_connect_timeout      (GemClient            *self,
                                                   guint                 seconds);
guint         gem_client_get_idle_timeout         (GemClient            *self);
void          gem_client_set_idle_timeout         (GemClient            *self,
                                                   guint                 seconds);
guint         gem_client_get_max_retries          (GemClient            *self);
void          gem_client_set_max_retries          (GemClient            *self,
                                                   guint                 max_retries);
guint         gem_client_get_retry_base_delay_ms  (GemClient            *self);
void          gem_client_set_retry_base_delay_ms  (GemClient            *self,
                                                   guint                 delay_ms);

gboolean      gem_client_check_base_url           (const char           *base_url,
                                                   GError              **error);
char         *gem_client_build_url                (GemClient            *self,
                                                   const char           *path,
                                                   GError              **error);
guint         gem_client_compute_retry_delay_ms   (GemClient            *self,
                                                   guint                 retry,
                                                   gint64                retry_after_ms);

void          gem_client_generate_async           (GemClient            *self,
                                                   const char           *model,
                                                   JsonNode             *request,
                                                   GemGenerateFlags      flags,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
GemResponse  *gem_client_generate_finish          (GemClient            *self,
                                                   GAsyncResult         *result,
                                                   GemResponse         **partial,
                                                   GError              **error);

void          gem_client_list_models_async        (GemClient            *self,
                                                   guint                 page_size,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
GPtrArray    *gem_client_list_models_finish       (GemClient            *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

G_END_DECLS

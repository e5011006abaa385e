/* starling-inspector.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "gem-client.h"
#include "starling-message.h"

G_BEGIN_DECLS

#define STARLING_TYPE_INSPECTOR (starling_inspector_get_type ())

G_DECLARE_FINAL_TYPE (StarlingInspector, starling_inspector, STARLING, INSPECTOR, AdwWindow)

StarlingInspector *starling_inspector_new                (const char      *request_json,
                                                          const char      *response_json,
                                                          const char      *base_url,
                                                          GemAuthStyle     style,
                                                          const char      *model,
                                                          gboolean         streamed);
void               starling_inspector_present            (GtkWindow       *parent,
                                                          StarlingMessage *answer,
                                                          const char      *base_url,
                                                          GemAuthStyle     style,
                                                          const char      *model);
void               starling_inspector_present_full       (GtkWindow       *parent,
                                                          StarlingMessage *answer,
                                                          const char      *base_url,
                                                          GemAuthStyle     style,
                                                          const char      *model,
                                                          gboolean         streamed);
const char        *starling_inspector_get_request_text   (StarlingInspector *self);
const char        *starling_inspector_get_response_text  (StarlingInspector *self);
const char        *starling_inspector_get_curl           (StarlingInspector *self);
const char        *starling_inspector_get_url            (StarlingInspector *self);
void               starling_inspector_set_secret         (StarlingInspector *self,
                                                          const char        *secret);

char              *starling_inspector_redact_json        (const char      *json,
                                                          const char      *secret);
char              *starling_inspector_build_url          (const char      *base_url,
                                                          const char      *model,
                                                          gboolean         streamed,
                                                          GError         **error);
char              *starling_inspector_build_curl         (const char      *request_json,
                                                          const char      *base_url,
                                                          GemAuthStyle     style,
                                                          const char      *model,
                                                          gboolean         streamed,
                                                          GError         **error);

G_END_DECLS

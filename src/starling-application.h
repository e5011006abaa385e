/* starling-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "gem-client.h"
#include "starling-store.h"

G_BEGIN_DECLS

typedef enum
{
  STARLING_KEY_SOURCE_NONE,
  STARLING_KEY_SOURCE_ENVIRONMENT,
  STARLING_KEY_SOURCE_KEYRING,
  STARLING_KEY_SOURCE_SESSION,
} StarlingKeySource;

#define STARLING_TYPE_APPLICATION (starling_application_get_type ())

G_DECLARE_FINAL_TYPE (StarlingApplication, starling_application, STARLING, APPLICATION, AdwApplication)

StarlingApplication *starling_application_new            (void);
GSettings           *starling_application_get_settings   (StarlingApplication *self);
const char          *starling_application_get_base_url   (StarlingApplication *self);
gboolean             starling_application_has_api_key    (StarlingApplication *self);
const char          *starling_application_get_api_key    (StarlingApplication *self);
StarlingKeySource    starling_application_get_key_source (StarlingApplication *self);
void                 starling_application_set_api_key    (StarlingApplication *self,
                                                          const char          *key);
GemClient           *starling_application_get_client     (StarlingApplication *self);
gboolean             starling_application_get_demo       (StarlingApplication *self);
StarlingStore       *starling_application_get_store      (StarlingApplication *self);
char                *starling_application_dup_store_notice (StarlingApplication *self);

G_END_DECLS

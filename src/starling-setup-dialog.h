/* starling-setup-dialog.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "starling-application.h"

G_BEGIN_DECLS

#define STARLING_TYPE_SETUP_DIALOG (starling_setup_dialog_get_type ())

G_DECLARE_FINAL_TYPE (StarlingSetupDialog, starling_setup_dialog, STARLING, SETUP_DIALOG, AdwWindow)

StarlingSetupDialog *starling_setup_dialog_new          (StarlingApplication *application);
void                 starling_setup_dialog_present      (GtkWindow           *parent,
                                                         StarlingApplication *application);
gboolean             starling_setup_dialog_get_testing  (StarlingSetupDialog *self);
const char          *starling_setup_dialog_get_result   (StarlingSetupDialog *self);
gboolean             starling_setup_dialog_get_success  (StarlingSetupDialog *self);
char                *starling_setup_dialog_dup_base_url (StarlingSetupDialog *self);

G_END_DECLS

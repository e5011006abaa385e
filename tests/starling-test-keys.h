/* starling-test-keys.h: key presses in tests without a keyboard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

gboolean starling_test_send_key_press (GtkWidget       *window,
                                       guint            keyval,
                                       GdkModifierType  modifiers);

G_END_DECLS

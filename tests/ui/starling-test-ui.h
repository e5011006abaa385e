/* starling-test-ui.h: helpers for tests that open the real window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void       starling_test_ui_init            (int         *argc,
                                             char      ***argv);
void       starling_test_wait_until_drawn   (GtkWidget   *widget);
gboolean   starling_test_wait_for           (gboolean   (*condition) (gpointer user_data),
                                             gpointer     user_data,
                                             guint        timeout_ms);
GtkWidget *starling_test_find_widget        (GtkWidget   *root,
                                             GType        type,
                                             const char  *label);
GtkWidget *starling_test_find_visible_status_page (GtkWidget *root);
guint      starling_test_count_distinct_colors (GtkWidget *widget);

G_END_DECLS

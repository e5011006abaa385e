/* starling-test-ui.h: helpers for tests that open the real window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "starling-application.h"
#include "starling-test-keys.h"

G_BEGIN_DECLS

typedef struct
{
  StarlingApplication *app;
  GtkWindow           *window;
  gpointer             data;
} StarlingTestContext;

typedef void (*StarlingTestBody) (StarlingTestContext *context);

void       starling_test_run_in_app         (StarlingTestBody body,
                                             gpointer         data);
void       starling_test_run_in_app_with_args (StarlingTestBody    body,
                                               gpointer            data,
                                               const char * const *args);
void       starling_test_iterate            (guint            ms);

void       starling_test_ui_init            (int         *argc,
                                             char      ***argv);
void       starling_test_wait_until_drawn   (GtkWidget   *widget);
gboolean   starling_test_wait_for           (gboolean   (*condition) (gpointer user_data),
                                             gpointer     user_data,
                                             guint        timeout_ms);
GtkWidget *starling_test_find_widget        (GtkWidget   *root,
                                             GType        type,
                                             const char  *label);
GtkWidget *starling_test_find_with_css_class (GtkWidget  *root,
                                              const char *css_class);
GtkWidget *starling_test_find_visible_status_page (GtkWidget *root);
guint      starling_test_count_distinct_colors (GtkWidget *widget);
char      *starling_test_collect_text       (GtkWidget   *widget);
gboolean   starling_test_save_screenshot    (GtkWidget   *widget,
                                             const char  *filename);

G_END_DECLS

/* starling-markdown-table.h: a Markdown table, a grid of labels in a horizontal scroller
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "starling-markdown-parser.h"

G_BEGIN_DECLS

#define STARLING_TYPE_MARKDOWN_TABLE (starling_markdown_table_get_type ())

G_DECLARE_FINAL_TYPE (StarlingMarkdownTable, starling_markdown_table,
                      STARLING, MARKDOWN_TABLE, GtkWidget)

GtkWidget *starling_markdown_table_new        (const StarlingMdUnit  *unit);
void       starling_markdown_table_update     (StarlingMarkdownTable *self,
                                               const StarlingMdUnit  *old_unit,
                                               const StarlingMdUnit  *unit);
guint      starling_markdown_table_get_n_rows (StarlingMarkdownTable *self);
guint      starling_markdown_table_get_n_cols (StarlingMarkdownTable *self);
GtkLabel  *starling_markdown_table_get_cell   (StarlingMarkdownTable *self,
                                               guint                  row,
                                               guint                  col);
char      *starling_markdown_table_dup_text   (StarlingMarkdownTable *self);
guint      starling_markdown_table_get_cell_at (StarlingMarkdownTable *self,
                                                double                 x,
                                                double                 y);
void       starling_markdown_table_select_cells (StarlingMarkdownTable *self,
                                                 guint                  first,
                                                 guint                  end);
gboolean   starling_markdown_table_get_selected_cells (StarlingMarkdownTable *self,
                                                       guint                 *first,
                                                       guint                 *end);
char      *starling_markdown_table_dup_cells_text (StarlingMarkdownTable *self,
                                                   guint                  first,
                                                   guint                  end);

G_END_DECLS

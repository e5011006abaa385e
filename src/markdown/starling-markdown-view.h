/* starling-markdown-view.h: Markdown rendered into GTK widgets, incrementally while it streams
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define STARLING_TYPE_MARKDOWN_VIEW (starling_markdown_view_get_type ())

G_DECLARE_FINAL_TYPE (StarlingMarkdownView, starling_markdown_view, STARLING, MARKDOWN_VIEW, GtkWidget)

GtkWidget       *starling_markdown_view_new              (void);
void             starling_markdown_view_set_text         (StarlingMarkdownView *self,
                                                          const char           *markdown);
void             starling_markdown_view_append           (StarlingMarkdownView *self,
                                                          const char           *delta,
                                                          gsize                 len);
void             starling_markdown_view_finish           (StarlingMarkdownView *self);
const char      *starling_markdown_view_get_text         (StarlingMarkdownView *self);
char            *starling_markdown_view_dup_visible_text (StarlingMarkdownView *self);
char            *starling_markdown_view_dup_selected_text (StarlingMarkdownView *self);
gboolean         starling_markdown_view_get_streaming    (StarlingMarkdownView *self);
const char      *starling_markdown_view_get_link_at_iter (StarlingMarkdownView *self,
                                                          const GtkTextIter    *iter);
void             starling_markdown_view_get_link_area    (StarlingMarkdownView *self,
                                                          GdkRectangle         *area);
int              starling_markdown_view_highlight_before_link (StarlingMarkdownView *self,
                                                               const char * const   *candidates);
void             starling_markdown_view_describe_link    (StarlingMarkdownView *self,
                                                          const char           *description);
GtkTextTagTable *starling_markdown_view_get_tag_table    (void);

G_END_DECLS

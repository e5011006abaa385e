/* starling-markdown-text-view.h: a block of Markdown prose whose links work from the keyboard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "starling-markdown-parser.h"

G_BEGIN_DECLS

#define STARLING_TYPE_MARKDOWN_TEXT_VIEW (starling_markdown_text_view_get_type ())

G_DECLARE_FINAL_TYPE (StarlingMarkdownTextView, starling_markdown_text_view, STARLING, MARKDOWN_TEXT_VIEW, GtkTextView)

GtkWidget            *starling_markdown_text_view_new                 (GtkTextBuffer            *buffer);
const StarlingMdLink *starling_markdown_text_view_get_focus_link      (StarlingMarkdownTextView *self);
void                  starling_markdown_text_view_get_link_rectangle  (StarlingMarkdownTextView *self,
                                                                       const StarlingMdLink     *link,
                                                                       GdkRectangle             *rect);
void                  starling_markdown_text_view_describe_focus_link (StarlingMarkdownTextView *self,
                                                                       guint                     start,
                                                                       const char               *description);

G_END_DECLS

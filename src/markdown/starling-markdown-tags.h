/* starling-markdown-tags.h: the text tags every Markdown text view shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Deeper nesting is drawn at the deepest level. */
#define STARLING_MARKDOWN_MAX_QUOTE_DEPTH 4
#define STARLING_MARKDOWN_MAX_LIST_DEPTH  6

/* Pixels per level, also used to indent code blocks and tables. */
#define STARLING_MARKDOWN_QUOTE_INDENT 14
#define STARLING_MARKDOWN_LIST_INDENT  26
#define STARLING_MARKDOWN_LIST_OFFSET  8

typedef struct
{
  GtkTextTag *bold;
  GtkTextTag *italic;
  GtkTextTag *strikethrough;
  GtkTextTag *code;
  GtkTextTag *link;
  GtkTextTag *highlight;     /* the sentence a hovered citation marker stands for */
  GtkTextTag *link_focus;    /* the link that has the keyboard focus */
  GtkTextTag *heading[6];
  GtkTextTag *quote;
  GtkTextTag *rule;
  GtkTextTag *rule_spacer;
  GtkTextTag *wrap_char;
  GtkTextTag *gap_item;
  GtkTextTag *gap_block;
  GtkTextTag *gap_heading;
} StarlingMarkdownTags;

void                        starling_markdown_ensure_resources (void);
void                        starling_markdown_ensure_style     (GdkDisplay *display);
GtkTextTagTable            *starling_markdown_tags_get_table  (void);
const StarlingMarkdownTags *starling_markdown_tags_get        (void);
GtkTextTag                 *starling_markdown_tags_get_margin (guint    quote_depth,
                                                               guint    list_depth,
                                                               gboolean hanging);
int                         starling_markdown_tags_indent     (guint    quote_depth,
                                                               guint    list_depth);

G_END_DECLS

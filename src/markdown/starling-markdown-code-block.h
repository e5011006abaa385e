/* starling-markdown-code-block.h: a fenced code block with its language and a copy button
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define STARLING_TYPE_MARKDOWN_CODE_BLOCK (starling_markdown_code_block_get_type ())

G_DECLARE_FINAL_TYPE (StarlingMarkdownCodeBlock, starling_markdown_code_block,
                      STARLING, MARKDOWN_CODE_BLOCK, GtkWidget)

GtkWidget  *starling_markdown_code_block_new             (const char                *language);
const char *starling_markdown_code_block_get_language    (StarlingMarkdownCodeBlock *self);
void        starling_markdown_code_block_set_code        (StarlingMarkdownCodeBlock *self,
                                                          const char                *code,
                                                          gsize                      len);
void        starling_markdown_code_block_append_code     (StarlingMarkdownCodeBlock *self,
                                                          const char                *code,
                                                          gsize                      len);
char       *starling_markdown_code_block_dup_code        (StarlingMarkdownCodeBlock *self);
GtkTextView *starling_markdown_code_block_get_text_view  (StarlingMarkdownCodeBlock *self);
const char *starling_markdown_language_id                (const char                *fence_language);

G_END_DECLS

/* starling-markdown-view-private.h: counters for tests and benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "starling-markdown-view.h"

G_BEGIN_DECLS

typedef struct
{
  guint renders;           /* renders of pending text (at most one per frame while streaming) */
  guint commits;           /* times completed blocks were set aside for good */
  guint units_committed;
  guint units_placed;      /* units put into widgets, re-renders of the tail included */
  guint segments_created;  /* text views, code blocks and tables created */
  guint chars_removed;     /* text deleted from text views to re-render a tail */
  guint full_rebuilds;     /* whole-document renders after streaming (should stay 0) */
  gsize bytes_parsed;
  gint64 render_usec;      /* time spent rendering pending text */
  gint64 max_render_usec;
} StarlingMarkdownViewStats;

const StarlingMarkdownViewStats *starling_markdown_view_get_stats        (StarlingMarkdownView  *self);
void                             starling_markdown_view_flush            (StarlingMarkdownView  *self);
void                             starling_markdown_view_get_commit_point (StarlingMarkdownView  *self,
                                                                          GtkWidget            **widget,
                                                                          int                   *offset);

/* For the text views of the prose: the links in @buffer, if it is one of a view's. */
GArray                          *starling_markdown_view_get_buffer_links (GtkTextBuffer         *buffer);

G_END_DECLS

/* gem-citations.h: where grounding citations go in an answer's text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "gem-response.h"

G_BEGIN_DECLS

typedef struct
{
  gsize   start;              /* byte offset where the supported segment starts */
  gsize   end;                /* byte offset right after it: the marker goes here */
  GArray *chunk_indices;      /* guint, into groundingChunks; sorted, unique */
  GArray *confidence_scores;  /* double, parallel to chunk_indices when known */
} GemCitationMark;

void       gem_citation_mark_free          (GemCitationMark *mark);
GPtrArray *gem_citation_marks_compute      (const char      *text,
                                            GPtrArray       *supports);
char      *gem_citations_annotate_markdown (const char      *markdown,
                                            GPtrArray       *marks);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GemCitationMark, gem_citation_mark_free)

G_END_DECLS

/* starling-citation-popover.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "gem-response.h"

G_BEGIN_DECLS

#define STARLING_TYPE_CITATION_POPOVER (starling_citation_popover_get_type ())

G_DECLARE_FINAL_TYPE (StarlingCitationPopover, starling_citation_popover,
                      STARLING, CITATION_POPOVER, GtkPopover)

GtkWidget  *starling_citation_popover_new     (GemResponse             *response,
                                               guint                    chunk_index);
const char *starling_citation_popover_get_uri (StarlingCitationPopover *self);

G_END_DECLS

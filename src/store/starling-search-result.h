/* starling-search-result.h: one hit of a history search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Marks around a match in starling_search_result_get_raw_snippet(). */
#define STARLING_SEARCH_MATCH_START "\x02"
#define STARLING_SEARCH_MATCH_END   "\x03"

#define STARLING_TYPE_SEARCH_RESULT (starling_search_result_get_type ())

G_DECLARE_FINAL_TYPE (StarlingSearchResult, starling_search_result,
                      STARLING, SEARCH_RESULT, GObject)

gint64       starling_search_result_get_conversation_id (StarlingSearchResult *self);
gint64       starling_search_result_get_message_id      (StarlingSearchResult *self);
const char  *starling_search_result_get_title           (StarlingSearchResult *self);
const char  *starling_search_result_get_raw_snippet     (StarlingSearchResult *self);
const char  *starling_search_result_get_snippet         (StarlingSearchResult *self);
const char  *starling_search_result_get_snippet_markup  (StarlingSearchResult *self);
const char * const *starling_search_result_get_matches  (StarlingSearchResult *self);
double       starling_search_result_get_rank            (StarlingSearchResult *self);
gint64       starling_search_result_get_time            (StarlingSearchResult *self);

G_END_DECLS

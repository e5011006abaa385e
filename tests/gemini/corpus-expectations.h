/* corpus-expectations.h: what every recorded corpus file must yield
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row per file of gemini-corpus/recorded (both folders), with literal
 * expected values read from the files. Paths are relative to the corpus
 * directory ($STARLING_CORPUS_DIR). The table is meant to be reused by every
 * layer that can read a recorded body: the parser (test-response), the HTTP
 * client against the fake server, the CLI.
 */

#pragma once

#include <glib.h>

#include "gem-error.h"
#include "gem-response.h"

G_BEGIN_DECLS

/* error_code of a row whose answer is fine */
#define CORPUS_NO_ERROR (-1)

typedef struct
{
  const char *path;              /* e.g. "recorded/googleai/streaming-success-utf8.txt" */
  gboolean    streaming;         /* a :streamGenerateContent body (MANIFEST mode) */
  guint       http_status;       /* 200, or the status of a json-error-NNN body */
  guint       n_events;          /* SSE events in a streaming 200 body */

  /* The error the whole pipeline ends with: an HTTP error for a non-200 row;
   * otherwise, for streaming rows gem_response_is_complete(), then for all
   * gem_response_check_finish(); CORPUS_NO_ERROR for a good answer. */
  int         error_code;
  const char *api_status;        /* gem_error_get_api_status() */
  const char *error_reason;      /* gem_error_get_reason(): ErrorInfo, finish or block reason */
  const char *error_message_start; /* start of gem_error_get_api_message() */

  /* non-thought text of the first candidate, UTF-8 */
  gsize       text_len;          /* bytes */
  const char *text_start;
  const char *text_end;
  const char *text_sha256;
  /* thought summaries */
  gsize       thought_len;
  const char *thought_start;

  const char *finish_reason;
  const char *finish_message;
  const char *block_reason;
  const char *block_reason_message;

  guint       n_candidates;
  guint       n_parts;           /* merged parts of the first candidate */
  guint       n_thought_signatures;

  guint       n_function_calls;
  const char *function_call_name;  /* the first call */
  const char *function_call_args;  /* its args as JSON */

  guint       n_images;
  const char *image_mime;        /* the first image */
  gsize       image_bytes;       /* its decoded size */

  gboolean    has_usage;
  gint64      usage_prompt;
  gint64      usage_candidates;
  gint64      usage_thoughts;
  gint64      usage_total;
  gint64      usage_tool_use;

  guint       n_grounding_chunks;
  guint       n_grounding_supports;
  guint       n_web_search_queries;
  const char *grounding_first_uri;
  const char *first_web_search_query;
  gboolean    has_search_entry_point;
  guint       n_citations;

  const char *model_version;
  const char *response_id;
} CorpusExpectation;

extern const CorpusExpectation corpus_expectations[];
extern const guint             corpus_expectations_count;

const CorpusExpectation *corpus_expectation_lookup     (const char              *path);
char                    *corpus_expectation_full_path  (const CorpusExpectation *row);
gboolean                 corpus_expectation_load       (const CorpusExpectation *row,
                                                        GemResponse            **response,
                                                        GError                 **error);
char                    *corpus_expectation_check      (const CorpusExpectation *row,
                                                        GemResponse             *response,
                                                        const GError            *error);

G_END_DECLS

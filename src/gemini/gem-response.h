/* gem-response.h: a GenerateContentResponse, merged from streamed chunks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * GemFinishKind:
 * @GEM_FINISH_NONE: no `finishReason` (yet)
 * @GEM_FINISH_STOP: STOP
 * @GEM_FINISH_MAX_TOKENS: MAX_TOKENS
 * @GEM_FINISH_SAFETY: SAFETY, BLOCKLIST, PROHIBITED_CONTENT, SPII, IMAGE_SAFETY,
 *   IMAGE_PROHIBITED_CONTENT
 * @GEM_FINISH_RECITATION: RECITATION, IMAGE_RECITATION
 * @GEM_FINISH_OTHER: any other documented reason (LANGUAGE, OTHER, NO_IMAGE, ...)
 * @GEM_FINISH_UNKNOWN: a value this version does not know
 */
typedef enum
{
  GEM_FINISH_NONE,
  GEM_FINISH_STOP,
  GEM_FINISH_MAX_TOKENS,
  GEM_FINISH_SAFETY,
  GEM_FINISH_RECITATION,
  GEM_FINISH_OTHER,
  GEM_FINISH_UNKNOWN,
} GemFinishKind;

/**
 * GemUsage:
 * @prompt: `promptTokenCount`
 * @candidates: `candidatesTokenCount`
 * @thoughts: `thoughtsTokenCount`
 * @cached: `cachedContentTokenCount`
 * @total: `totalTokenCount`
 * @tool_use: `toolUsePromptTokenCount`
 *
 * Token counts of the last `usageMetadata`; a missing count is 0.
 */
typedef struct
{
  gint64 prompt;
  gint64 candidates;
  gint64 thoughts;
  gint64 cached;
  gint64 total;
  gint64 tool_use;
} GemUsage;

/**
 * GemImage:
 * @mime_type: the `inlineData.mimeType`
 * @data: the decoded bytes
 * @thought: %TRUE for an interim image of the model's thinking
 * @part_index: the position of its part in gem_response_get_parts()
 */
typedef struct
{
  char     *mime_type;
  GBytes   *data;
  gboolean  thought;
  guint     part_index;
} GemImage;

/**
 * GemFunctionCall:
 * @name: the function's name
 * @args_json: its arguments as compact JSON text (`{}` when absent)
 * @id: (nullable): the call's id, if the server sent one
 * @part_index: the position of its part in gem_response_get_parts()
 */
typedef struct
{
  char  *name;
  char  *args_json;
  char  *id;
  guint  part_index;
} GemFunctionCall;

typedef enum
{
  GEM_GROUNDING_SOURCE_UNKNOWN,
  GEM_GROUNDING_SOURCE_WEB,
  GEM_GROUNDING_SOURCE_MAPS,
  GEM_GROUNDING_SOURCE_RETRIEVED_CONTEXT,
} GemGroundingSourceKind;

/**
 * GemGroundingChunk:
 * @kind: which kind of source
 * @uri: (nullable): its address (for the web, a redirect URL)
 * @title: (nullable): its title (for the web, usually the domain)
 * @text: (nullable): the retrieved text, for a retrieved context
 * @place_id: (nullable): the place id, for a Maps source
 */
typedef struct
{
  GemGroundingSourceKind  kind;
  char                   *uri;
  char                   *title;
  char                   *text;
  char                   *place_id;
} GemGroundingChunk;

/**
 * GemGroundingSupport:
 * @start_index: UTF-8 byte offset of the segment's start in the candidate's text (missing: 0)
 * @end_index: UTF-8 byte offset of its end
 * @part_index: the part the offsets refer to (missing: 0)
 * @text: (nullable): the segment's text
 * @chunk_indices: indices into gem_response_get_grounding_chunks()
 * @n_chunk_indices: how many
 * @confidence_scores: one score per chunk index, when sent
 * @n_confidence_scores: how many
 */
typedef struct
{
  guint    start_index;
  guint    end_index;
  guint    part_index;
  char    *text;
  guint   *chunk_indices;
  guint    n_chunk_indices;
  double  *confidence_scores;
  guint    n_confidence_scores;
} GemGroundingSupport;

/**
 * GemCitation:
 * @start_index: start of the cited segment (missing: 0)
 * @end_index: its end
 * @uri: (nullable): the source
 * @title: (nullable): its title
 * @license: (nullable): its license
 */
typedef struct
{
  guint  start_index;
  guint  end_index;
  char  *uri;
  char  *title;
  char  *license;
} GemCitation;

void gem_image_free              (GemImage            *image);
void gem_function_call_free      (GemFunctionCall     *call);
void gem_grounding_chunk_free    (GemGroundingChunk   *chunk);
void gem_grounding_support_free  (GemGroundingSupport *support);
void gem_citation_free           (GemCitation         *citation);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GemImage, gem_image_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GemFunctionCall, gem_function_call_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GemGroundingChunk, gem_grounding_chunk_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GemGroundingSupport, gem_grounding_support_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GemCitation, gem_citation_free)

#define GEM_TYPE_RESPONSE (gem_response_get_type ())
G_DECLARE_FINAL_TYPE (GemResponse, gem_response, GEM, RESPONSE, GObject)

GemResponse   *gem_response_new                      (void);
GemResponse   *gem_response_new_from_json            (const char    *data,
                                                      gssize         len,
                                                      GError       **error);
gboolean       gem_response_merge_chunk              (GemResponse   *self,
                                                      JsonObject    *chunk,
                                                      GError       **error);
gboolean       gem_response_merge_event              (GemResponse   *self,
                                                      const char    *json,
                                                      gsize          len,
                                                      GError       **error);
gboolean       gem_response_check_finish             (GemResponse   *self,
                                                      GError       **error);
gboolean       gem_response_is_complete              (GemResponse   *self,
                                                      GError       **error);

JsonObject    *gem_response_get_json                 (GemResponse   *self);
char          *gem_response_to_string                (GemResponse   *self,
                                                      gboolean       pretty);
JsonArray     *gem_response_get_parts                (GemResponse   *self);
guint          gem_response_get_n_candidates         (GemResponse   *self);
guint          gem_response_get_n_chunks             (GemResponse   *self);

const char    *gem_response_get_text                 (GemResponse   *self);
gsize          gem_response_get_text_length          (GemResponse   *self);
const char    *gem_response_get_thought_text         (GemResponse   *self);
gsize          gem_response_get_thought_text_length  (GemResponse   *self);
const char    *gem_response_get_finish_reason        (GemResponse   *self);
GemFinishKind  gem_response_get_finish_kind          (GemResponse   *self);
const char    *gem_response_get_finish_message       (GemResponse   *self);
const char    *gem_response_get_block_reason         (GemResponse   *self);
const char    *gem_response_get_block_reason_message (GemResponse   *self);
gboolean       gem_response_get_usage                (GemResponse   *self,
                                                      GemUsage      *usage);
const char    *gem_response_get_model_version        (GemResponse   *self);
const char    *gem_response_get_response_id          (GemResponse   *self);
guint          gem_response_get_thought_signature_count
                                                     (GemResponse   *self);

guint          gem_response_get_image_count          (GemResponse   *self);
GPtrArray     *gem_response_get_images               (GemResponse   *self);
GPtrArray     *gem_response_get_function_calls       (GemResponse   *self);
GPtrArray     *gem_response_get_citations            (GemResponse   *self);
GPtrArray     *gem_response_get_grounding_chunks     (GemResponse   *self);
GPtrArray     *gem_response_get_grounding_supports   (GemResponse   *self);
GStrv          gem_response_get_web_search_queries   (GemResponse   *self);
const char    *gem_response_get_search_entry_point   (GemResponse   *self);

GemFinishKind  gem_finish_reason_classify            (const char    *reason);
const char    *gem_finish_reason_to_user_message     (const char    *reason);
const char    *gem_block_reason_to_user_message      (const char    *reason);

G_END_DECLS

/* gem-model-info.h: what a Gemini model is and can do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * GemThinkingStyle:
 * @GEM_THINKING_STYLE_NONE: no thinking control (older models, image models, unknown ones)
 * @GEM_THINKING_STYLE_BUDGET: `thinkingConfig.thinkingBudget` (Gemini 2.5)
 * @GEM_THINKING_STYLE_LEVEL: `thinkingConfig.thinkingLevel` (Gemini 3 and later)
 *
 * How a model's reasoning is controlled. Sending the wrong one for the
 * model's generation is an error.
 */
typedef enum
{
  GEM_THINKING_STYLE_NONE,
  GEM_THINKING_STYLE_BUDGET,
  GEM_THINKING_STYLE_LEVEL,
} GemThinkingStyle;

/**
 * GemThinkingInfo:
 * @style: how thinking is controlled
 * @thinks: the model reasons before answering (includeThoughts is meaningful)
 * @can_disable: a budget of 0 turns thinking off
 * @default_on: the model thinks when nothing is set
 * @min_budget: the smallest positive budget accepted
 * @max_budget: the largest budget accepted
 *
 * The budget fields are only meaningful for %GEM_THINKING_STYLE_BUDGET;
 * -1 (dynamic) is always accepted there.
 */
typedef struct
{
  GemThinkingStyle style;
  gboolean         thinks;
  gboolean         can_disable;
  gboolean         default_on;
  int              min_budget;
  int              max_budget;
} GemThinkingInfo;

GemThinkingStyle gem_model_thinking_style      (const char      *model_id);
void             gem_model_get_thinking_info   (const char      *model_id,
                                                GemThinkingInfo *info);
int              gem_model_clamp_thinking_budget (const char    *model_id,
                                                  int            budget);
gboolean         gem_model_can_output_images   (const char      *model_id);
const char      *gem_model_id_from_name        (const char      *name);

#define GEM_TYPE_MODEL_INFO (gem_model_info_get_type ())

G_DECLARE_FINAL_TYPE (GemModelInfo, gem_model_info, GEM, MODEL_INFO, GObject)

GemModelInfo       *gem_model_info_new                     (const char    *model_id);
GemModelInfo       *gem_model_info_new_from_json           (JsonObject    *object,
                                                            GError       **error);
GPtrArray          *gem_model_info_parse_list              (JsonNode      *page,
                                                            char         **next_page_token,
                                                            GError       **error);
const char         *gem_model_info_get_name                (GemModelInfo  *self);
const char         *gem_model_info_get_id                  (GemModelInfo  *self);
const char         *gem_model_info_get_display_name        (GemModelInfo  *self);
const char         *gem_model_info_get_description         (GemModelInfo  *self);
const char         *gem_model_info_get_version             (GemModelInfo  *self);
gint64              gem_model_info_get_input_token_limit   (GemModelInfo  *self);
gint64              gem_model_info_get_output_token_limit  (GemModelInfo  *self);
const char * const *gem_model_info_get_generation_methods  (GemModelInfo  *self);
gboolean            gem_model_info_supports_method         (GemModelInfo  *self,
                                                            const char    *method);
gboolean            gem_model_info_supports_generate       (GemModelInfo  *self);
gboolean            gem_model_info_get_thinking            (GemModelInfo  *self);
GemThinkingStyle    gem_model_info_get_thinking_style      (GemModelInfo  *self);
gboolean            gem_model_info_can_output_images       (GemModelInfo  *self);

G_END_DECLS

/* gem-request.h: generation settings and the GenerateContentRequest body
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * GemResponseModalities:
 * @GEM_RESPONSE_MODALITIES_DEFAULT: not sent; the model decides
 * @GEM_RESPONSE_MODALITIES_TEXT: `["TEXT"]`
 * @GEM_RESPONSE_MODALITIES_TEXT_IMAGE: `["TEXT", "IMAGE"]` (image models only)
 * @GEM_RESPONSE_MODALITIES_IMAGE: `["IMAGE"]` (image models only)
 */
typedef enum
{
  GEM_RESPONSE_MODALITIES_DEFAULT,
  GEM_RESPONSE_MODALITIES_TEXT,
  GEM_RESPONSE_MODALITIES_TEXT_IMAGE,
  GEM_RESPONSE_MODALITIES_IMAGE,
} GemResponseModalities;

/**
 * GemThinkingLevel:
 * @GEM_THINKING_LEVEL_UNSET: not sent; the model's default
 *
 * `thinkingConfig.thinkingLevel`, for Gemini 3 models.
 */
typedef enum
{
  GEM_THINKING_LEVEL_UNSET,
  GEM_THINKING_LEVEL_MINIMAL,
  GEM_THINKING_LEVEL_LOW,
  GEM_THINKING_LEVEL_MEDIUM,
  GEM_THINKING_LEVEL_HIGH,
} GemThinkingLevel;

/**
 * GemGenerationSettings:
 * @model: the model id ("gemini-2.5-flash"), decides which thinking control is sent
 * @system_instruction: (nullable): sent as `systemInstruction` when not empty
 * @has_temperature: @temperature is set (likewise for the other `has_` fields)
 * @stop_sequences: (nullable) (array zero-terminated=1): `stopSequences`
 * @response_mime_type: (nullable): e.g. "application/json"
 * @response_schema: (nullable): a Schema as JSON text, parsed when building
 * @response_modalities: what the answer may contain
 * @aspect_ratio: (nullable): `imageConfig.aspectRatio` (see gem_aspect_ratio_is_valid())
 * @image_size: (nullable): `imageConfig.imageSize`: "1K", "2K" or "4K"
 * @thinking_level: for models taking a level (Gemini 3)
 * @has_thinking_budget: @thinking_budget is set
 * @thinking_budget: for models taking a budget (Gemini 2.5): tokens, -1 dynamic, 0 off
 * @include_thoughts: ask for thought summaries (only sent to models that think)
 * @google_search: the `google_search` grounding tool
 * @google_maps: the `googleMaps` tool
 * @url_context: the `urlContext` tool
 * @code_execution: the `codeExecution` tool
 * @function_declarations: (nullable): a JSON array of FunctionDeclaration, as text
 * @safety_settings: category ("HARM_CATEGORY_...") -> threshold ("BLOCK_...");
 *   never %NULL
 * @cached_content: (nullable): "cachedContents/{id}"
 *
 * What a conversation asks of the model, besides its turns. Unset fields are
 * left out of the request so the server's defaults apply. A plain struct:
 * set the fields directly, copy with gem_generation_settings_copy(), store
 * with gem_generation_settings_to_json().
 */
typedef struct
{
  char                   *model;
  char                   *system_instruction;

  gboolean                has_temperature;
  double                  temperature;
  gboolean                has_top_p;
  double                  top_p;
  gboolean                has_top_k;
  int                     top_k;
  gboolean                has_max_output_tokens;
  int                     max_output_tokens;
  gboolean                has_candidate_count;
  int                     candidate_count;
  char                  **stop_sequences;

  char                   *response_mime_type;
  char                   *response_schema;
  GemResponseModalities   response_modalities;
  char                   *aspect_ratio;
  char                   *image_size;

  GemThinkingLevel        thinking_level;
  gboolean                has_thinking_budget;
  int                     thinking_budget;
  gboolean                include_thoughts;

  gboolean                google_search;
  gboolean                google_maps;
  gboolean                url_context;
  gboolean                code_execution;
  char                   *function_declarations;

  GHashTable             *safety_settings;
  char                   *cached_content;
} GemGenerationSettings;

/**
 * GemTurn:
 * @role: "user" or "model"
 * @parts: the parts, raw, exactly as stored or received (never rebuilt)
 *
 * One turn of a conversation.
 */
typedef struct
{
  char      *role;
  JsonArray *parts;
} GemTurn;

#define GEM_TYPE_GENERATION_SETTINGS (gem_generation_settings_get_type ())
#define GEM_TYPE_TURN (gem_turn_get_type ())

GType                  gem_generation_settings_get_type      (void) G_GNUC_CONST;
GemGenerationSettings *gem_generation_settings_new           (const char                   *model);
GemGenerationSettings *gem_generation_settings_copy          (const GemGenerationSettings  *settings);
void                   gem_generation_settings_free          (GemGenerationSettings        *settings);
void                   gem_generation_settings_set_safety    (GemGenerationSettings        *settings,
                                                              const char                   *category,
                                                              const char                   *threshold);
JsonNode              *gem_generation_settings_to_json       (const GemGenerationSettings  *settings);
GemGenerationSettings *gem_generation_settings_new_from_json (JsonNode                     *node,
                                                              GError                      **error);
char                  *gem_generation_settings_to_string     (const GemGenerationSettings  *settings);
GemGenerationSettings *gem_generation_settings_new_from_string (const char                 *text,
                                                                GError                    **error);

const char            *gem_thinking_level_to_string          (GemThinkingLevel              level);
GemThinkingLevel       gem_thinking_level_from_string        (const char                   *text);
gboolean               gem_aspect_ratio_is_valid             (const char                   *ratio);
const char * const    *gem_aspect_ratios                     (void);
gboolean               gem_image_size_is_valid               (const char                   *size);

GType                  gem_turn_get_type                     (void) G_GNUC_CONST;
GemTurn               *gem_turn_new                          (const char                   *role,
                                                              JsonArray                    *parts);
GemTurn               *gem_turn_new_text                     (const char                   *role,
                                                              const char                   *text);
GemTurn               *gem_turn_copy                         (const GemTurn                *turn);
void                   gem_turn_free                         (GemTurn                      *turn);

JsonNode              *gem_request_build                     (GemGenerationSettings        *settings,
                                                              GPtrArray                    *turns,
                                                              GError                      **error);
char                  *gem_request_to_string                 (JsonNode                     *request,
                                                              gboolean                      pretty);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GemGenerationSettings, gem_generation_settings_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GemTurn, gem_turn_free)

G_END_DECLS

/* gem-request.c: generation settings and the GenerateContentRequest body
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "GemRequest"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "gem-error.h"
#include "gem-json.h"
#include "gem-model-info.h"
#include "gem-request.h"

#define SETTINGS_FORMAT_VERSION 1

static const char * const aspect_ratios[] = {
  "1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9", NULL
};

static const char * const image_sizes[] = { "1K", "2K", "4K", NULL };

static const char * const thinking_levels[] = {
  [GEM_THINKING_LEVEL_UNSET] = NULL,
  [GEM_THINKING_LEVEL_MINIMAL] = "MINIMAL",
  [GEM_THINKING_LEVEL_LOW] = "LOW",
  [GEM_THINKING_LEVEL_MEDIUM] = "MEDIUM",
  [GEM_THINKING_LEVEL_HIGH] = "HIGH",
};

static const char * const modality_names[] = {
  [GEM_RESPONSE_MODALITIES_DEFAULT] = NULL,
  [GEM_RESPONSE_MODALITIES_TEXT] = "TEXT",
  [GEM_RESPONSE_MODALITIES_TEXT_IMAGE] = "TEXT_IMAGE",
  [GEM_RESPONSE_MODALITIES_IMAGE] = "IMAGE",
};

G_DEFINE_BOXED_TYPE (GemGenerationSettings, gem_generation_settings,
                     gem_generation_settings_copy, gem_generation_settings_free)

G_DEFINE_BOXED_TYPE (GemTurn, gem_turn, gem_turn_copy, gem_turn_free)

/* ---- small helpers ---- */

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;

  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;

  return TRUE;
}

static JsonNode *
member_of_type (JsonObject *object,
                const char *member,
                GType       value_type)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  if (json_node_get_value_type (node) == value_type)
    return node;

  return NULL;
}

static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node = member_of_type (object, member, G_TYPE_STRING);

  return node ? json_node_get_string (node) : NULL;
}

static gboolean
get_number (JsonObject *object,
            const char *member,
            double     *out)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      *out = (double) json_node_get_int (node);
      return TRUE;
    case G_TYPE_DOUBLE:
      *out = json_node_get_double (node);
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
get_int (JsonObject *object,
         const char *member,
         int        *out)
{
  double value;

  if (!get_number (object, member, &value) || value < G_MININT || value > G_MAXINT ||
      value != (double) (gint64) value)
    return FALSE;

  *out = (int) value;
  return TRUE;
}

static gboolean
get_bool (JsonObject *object,
          const char *member)
{
  JsonNode *node = member_of_type (object, member, G_TYPE_BOOLEAN);

  return node ? json_node_get_boolean (node) : FALSE;
}

/* ---- settings ---- */

/**
 * gem_generation_settings_new:
 * @model: (nullable): the model id
 *
 * Returns: (transfer full): settings with everything unset
 */
GemGenerationSettings *
gem_generation_settings_new (const char *model)
{
  GemGenerationSettings *settings = g_new0 (GemGenerationSettings, 1);

  settings->model = g_strdup (model);
  settings->safety_settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  return settings;
}

GemGenerationSettings *
gem_generation_settings_copy (const GemGenerationSettings *settings)
{
  GemGenerationSettings *copy;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (settings != NULL, NULL);

  copy = g_new0 (GemGenerationSettings, 1);
  *copy = *settings;

  copy->model = g_strdup (settings->model);
  copy->system_instruction = g_strdup (settings->system_instruction);
  copy->stop_sequences = g_strdupv (settings->stop_sequences);
  copy->response_mime_type = g_strdup (settings->response_mime_type);
  copy->response_schema = g_strdup (settings->response_schema);
  copy->aspect_ratio = g_strdup (settings->aspect_ratio);
  copy->image_size = g_strdup (settings->image_size);
  copy->function_declarations = g_strdup (settings->function_declarations);
  copy->cached_content = g_strdup (settings->cached_content);

  copy->safety_settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (settings->safety_settings != NULL)
    {
      g_hash_table_iter_init (&iter, settings->safety_settings);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (copy->safety_settings, g_strdup (key), g_strdup (value));
    }

  return copy;
}

void
gem_generation_settings_free (GemGenerationSettings *settings)
{
  if (settings == NULL)
    return;

  g_free (settings->model);
  g_free (settings->system_instruction);
  g_strfreev (settings->stop_sequences);
  g_free (settings->response_mime_type);
  g_free (settings->response_schema);
  g_free (settings->aspect_ratio);
  g_free (settings->image_size);
  g_free (settings->function_declarations);
  g_clear_pointer (&settings->safety_settings, g_hash_table_unref);
  g_free (settings->cached_content);
  g_free (settings);
}

/**
 * gem_generation_settings_set_safety:
 * @category: a harm category, e.g. "HARM_CATEGORY_HARASSMENT"
 * @threshold: (nullable): e.g. "BLOCK_ONLY_HIGH"; %NULL removes the category
 */
void
gem_generation_settings_set_safety (GemGenerationSettings *settings,
                                    const char            *category,
                                    const char            *threshold)
{
  g_return_if_fail (settings != NULL);
  g_return_if_fail (category != NULL);

  if (settings->safety_settings == NULL)
    settings->safety_settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (threshold == NULL)
    g_hash_table_remove (settings->safety_settings, category);
  else
    g_hash_table_insert (settings->safety_settings, g_strdup (category), g_strdup (threshold));
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Safety categories sorted, so that equal settings give equal requests. */
static GPtrArray *
sorted_safety_categories (const GemGenerationSettings *settings)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  if (settings->safety_settings != NULL)
    {
      g_hash_table_iter_init (&iter, settings->safety_settings);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (keys, key);
    }

  g_ptr_array_sort (keys, compare_strings);

  return keys;
}

const char *
gem_thinking_level_to_string (GemThinkingLevel level)
{
  if ((guint) level >= G_N_ELEMENTS (thinking_levels))
    return NULL;

  return thinking_levels[level];
}

GemThinkingLevel
gem_thinking_level_from_string (const char *text)
{
  if (text == NULL)
    return GEM_THINKING_LEVEL_UNSET;

  for (guint i = 1; i < G_N_ELEMENTS (thinking_levels); i++)
    if (g_ascii_strcasecmp (text, thinking_levels[i]) == 0)
      return (GemThinkingLevel) i;

  return GEM_THINKING_LEVEL_UNSET;
}

/**
 * gem_aspect_ratios:
 *
 * Returns: (transfer none): the aspect ratios image models accept
 */
const char * const *
gem_aspect_ratios (void)
{
  return aspect_ratios;
}

gboolean
gem_aspect_ratio_is_valid (const char *ratio)
{
  return ratio != NULL && g_strv_contains (aspect_ratios, ratio);
}

gboolean
gem_image_size_is_valid (const char *size)
{
  return size != NULL && g_strv_contains (image_sizes, size);
}

static void
set_string_if (JsonObject *object,
               const char *member,
               const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, member, value);
}

/**
 * gem_generation_settings_to_json:
 *
 * The storage form of the settings (not the request form): a JSON object
 * with only the fields that are set, and a "version".
 *
 * Returns: (transfer full): a JSON object node
 */
JsonNode *
gem_generation_settings_to_json (const GemGenerationSettings *settings)
{
  g_autoptr(GPtrArray) categories = NULL;
  JsonObject *object;
  JsonObject *tools;
  JsonNode *node;

  g_return_val_if_fail (settings != NULL, NULL);

  object = json_object_new ();
  json_object_set_int_member (object, "version", SETTINGS_FORMAT_VERSION);
  set_string_if (object, "model", settings->model);
  set_string_if (object, "systemInstruction", settings->system_instruction);

  if (settings->has_temperature)
    json_object_set_double_member (object, "temperature", settings->temperature);
  if (settings->has_top_p)
    json_object_set_double_member (object, "topP", settings->top_p);
  if (settings->has_top_k)
    json_object_set_int_member (object, "topK", settings->top_k);
  if (settings->has_max_output_tokens)
    json_object_set_int_member (object, "maxOutputTokens", settings->max_output_tokens);
  if (settings->has_candidate_count)
    json_object_set_int_member (object, "candidateCount", settings->candidate_count);

  if (settings->stop_sequences != NULL)
    {
      JsonArray *array = json_array_new ();

      for (guint i = 0; settings->stop_sequences[i] != NULL; i++)
        json_array_add_string_element (array, settings->stop_sequences[i]);
      json_object_set_array_member (object, "stopSequences", array);
    }

  set_string_if (object, "responseMimeType", settings->response_mime_type);
  set_string_if (object, "responseSchema", settings->response_schema);
  if ((guint) settings->response_modalities < G_N_ELEMENTS (modality_names))
    set_string_if (object, "responseModalities", modality_names[settings->response_modalities]);
  set_string_if (object, "aspectRatio", settings->aspect_ratio);
  set_string_if (object, "imageSize", settings->image_size);

  set_string_if (object, "thinkingLevel", gem_thinking_level_to_string (settings->thinking_level));
  if (settings->has_thinking_budget)
    json_object_set_int_member (object, "thinkingBudget", settings->thinking_budget);
  if (settings->include_thoughts)
    json_object_set_boolean_member (object, "includeThoughts", TRUE);

  tools = json_object_new ();
  if (settings->google_search)
    json_object_set_boolean_member (tools, "googleSearch", TRUE);
  if (settings->google_maps)
    json_object_set_boolean_member (tools, "googleMaps", TRUE);
  if (settings->url_context)
    json_object_set_boolean_member (tools, "urlContext", TRUE);
  if (settings->code_execution)
    json_object_set_boolean_member (tools, "codeExecution", TRUE);
  if (json_object_get_size (tools) > 0)
    json_object_set_object_member (object, "tools", tools);
  else
    json_object_unref (tools);

  set_string_if (object, "functionDeclarations", settings->function_declarations);

  categories = sorted_safety_categories (settings);
  if (categories->len > 0)
    {
      JsonObject *safety = json_object_new ();

      for (guint i = 0; i < categories->len; i++)
        {
          const char *category = g_ptr_array_index (categories, i);

          json_object_set_string_member (safety, category,
                                         g_hash_table_lookup (settings->safety_settings, category));
        }
      json_object_set_object_member (object, "safetySettings", safety);
    }

  set_string_if (object, "cachedContent", settings->cached_content);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);

  return node;
}

/**
 * gem_generation_settings_new_from_json:
 * @node: what gem_generation_settings_to_json() gave
 *
 * Unknown members are ignored (a newer version may have written them);
 * members of the wrong type are left unset.
 *
 * Returns: (transfer full): the settings, or %NULL when @node is not an object
 */
GemGenerationSettings *
gem_generation_settings_new_from_json (JsonNode  *node,
                                       GError   **error)
{
  g_autoptr(GemGenerationSettings) settings = NULL;
  JsonObject *object;
  JsonNode *member;
  double number;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                           _("The saved settings of this conversation could not be read."));
      return NULL;
    }

  object = json_node_get_object (node);
  settings = gem_generation_settings_new (get_string (object, "model"));
  settings->system_instruction = g_strdup (get_string (object, "systemInstruction"));

  if (get_number (object, "temperature", &number))
    {
      settings->has_temperature = TRUE;
      settings->temperature = number;
    }
  if (get_number (object, "topP", &number))
    {
      settings->has_top_p = TRUE;
      settings->top_p = number;
    }
  settings->has_top_k = get_int (object, "topK", &settings->top_k);
  settings->has_max_output_tokens = get_int (object, "maxOutputTokens", &settings->max_output_tokens);
  settings->has_candidate_count = get_int (object, "candidateCount", &settings->candidate_count);

  member = json_object_get_member (object, "stopSequences");
  if (member != NULL && JSON_NODE_HOLDS_ARRAY (member))
    {
      JsonArray *array = json_node_get_array (member);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (element));
        }
      settings->stop_sequences = g_strv_builder_end (builder);
    }

  settings->response_mime_type = g_strdup (get_string (object, "responseMimeType"));
  settings->response_schema = g_strdup (get_string (object, "responseSchema"));
  {
    const char *modalities = get_string (object, "responseModalities");

    for (guint i = 1; modalities != NULL && i < G_N_ELEMENTS (modality_names); i++)
      if (strcmp (modalities, modality_names[i]) == 0)
        settings->response_modalities = (GemResponseModalities) i;
  }
  settings->aspect_ratio = g_strdup (get_string (object, "aspectRatio"));
  settings->image_size = g_strdup (get_string (object, "imageSize"));

  settings->thinking_level = gem_thinking_level_from_string (get_string (object, "thinkingLevel"));
  settings->has_thinking_budget = get_int (object, "thinkingBudget", &settings->thinking_budget);
  settings->include_thoughts = get_bool (object, "includeThoughts");

  member = json_object_get_member (object, "tools");
  if (member != NULL && JSON_NODE_HOLDS_OBJECT (member))
    {
      JsonObject *tools = json_node_get_object (member);

      settings->google_search = get_bool (tools, "googleSearch");
      settings->google_maps = get_bool (tools, "googleMaps");
      settings->url_context = get_bool (tools, "urlContext");
      settings->code_execution = get_bool (tools, "codeExecution");
    }

  settings->function_declarations = g_strdup (get_string (object, "functionDeclarations"));

  member = json_object_get_member (object, "safetySettings");
  if (member != NULL && JSON_NODE_HOLDS_OBJECT (member))
    {
      JsonObject *safety = json_node_get_object (member);
      JsonObjectIter iter;
      const char *category;
      JsonNode *threshold;

      json_object_iter_init (&iter, safety);
      while (json_object_iter_next (&iter, &category, &threshold))
        if (JSON_NODE_HOLDS_VALUE (threshold) && json_node_get_value_type (threshold) == G_TYPE_STRING)
          gem_generation_settings_set_safety (settings, category, json_node_get_string (threshold));
    }

  settings->cached_content = g_strdup (get_string (object, "cachedContent"));

  return g_steal_pointer (&settings);
}

char *
gem_generation_settings_to_string (const GemGenerationSettings *settings)
{
  g_autoptr(JsonNode) node = gem_generation_settings_to_json (settings);

  return gem_request_to_string (node, FALSE);
}

GemGenerationSettings *
gem_generation_settings_new_from_string (const char  *text,
                                         GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (text == NULL || !gem_json_parser_load (parser, text, -1, NULL))
    {
      g_set_error_literal (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                           _("The saved settings of this conversation could not be read."));
      return NULL;
    }

  return gem_generation_settings_new_from_json (json_parser_get_root (parser), error);
}

/* ---- turns ---- */

/**
 * gem_turn_new:
 * @role: "user" or "model"
 * @parts: the raw parts; referenced, not copied: treat them as immutable
 *
 * Returns: (transfer full): a turn
 */
GemTurn *
gem_turn_new (const char *role,
              JsonArray  *parts)
{
  GemTurn *turn;

  g_return_val_if_fail (role != NULL, NULL);
  g_return_val_if_fail (parts != NULL, NULL);

  turn = g_new0 (GemTurn, 1);
  turn->role = g_strdup (role);
  turn->parts = json_array_ref (parts);

  return turn;
}

GemTurn *
gem_turn_new_text (const char *role,
                   const char *text)
{
  g_autoptr(JsonArray) parts = json_array_new ();
  JsonObject *part = json_object_new ();

  g_return_val_if_fail (text != NULL, NULL);

  json_object_set_string_member (part, "text", text);
  json_array_add_object_element (parts, part);

  return gem_turn_new (role, parts);
}

/**
 * gem_turn_copy:
 *
 * Returns: (transfer full): a new turn sharing the same (immutable) parts
 */
GemTurn *
gem_turn_copy (const GemTurn *turn)
{
  g_return_val_if_fail (turn != NULL, NULL);

  return gem_turn_new (turn->role, turn->parts);
}

void
gem_turn_free (GemTurn *turn)
{
  if (turn == NULL)
    return;

  g_free (turn->role);
  g_clear_pointer (&turn->parts, json_array_unref);
  g_free (turn);
}

/* ---- the request ---- */

static JsonNode *
parse_json_text (const char  *text,
                 GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!gem_json_parser_load (parser, text, -1, error))
    return NULL;

  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE, "empty");
      return NULL;
    }

  return json_node_ref (json_parser_get_root (parser));
}

static guint
model_generation (const char *model)
{
  const char *id;
  guint64 major;

  if (model == NULL)
    return 0;

  id = gem_model_id_from_name (model);
  if (!g_str_has_prefix (id, "gemini-") || !g_ascii_isdigit (id[strlen ("gemini-")]))
    return 0;

  major = g_ascii_strtoull (id + strlen ("gemini-"), NULL, 10);

  return (guint) MIN (major, G_MAXUINT);
}

static gboolean
add_contents (JsonObject  *request,
              GPtrArray   *turns,
              GError     **error)
{
  JsonArray *contents = json_array_new ();

  for (guint i = 0; turns != NULL && i < turns->len; i++)
    {
      GemTurn *turn = g_ptr_array_index (turns, i);
      JsonObject *content;

      if (g_strcmp0 (turn->role, "user") != 0 && g_strcmp0 (turn->role, "model") != 0)
        {
          g_set_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                       _("A message has an unknown role “%s”."), turn->role ? turn->role : "");
          json_array_unref (contents);
          return FALSE;
        }

      /* A turn without parts (say, a blocked answer) cannot be sent. */
      if (turn->parts == NULL || json_array_get_length (turn->parts) == 0)
        continue;

      content = json_object_new ();
      json_object_set_string_member (content, "role", turn->role);
      json_object_set_array_member (content, "parts", json_array_ref (turn->parts));
      json_array_add_object_element (contents, content);
    }

  if (json_array_get_length (contents) == 0)
    {
      g_set_error_literal (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST, _("There is no message to send."));
      json_array_unref (contents);
      return FALSE;
    }

  json_object_set_array_member (request, "contents", contents);

  return TRUE;
}

static JsonObject *
build_thinking_config (GemGenerationSettings *settings)
{
  JsonObject *config = json_object_new ();
  GemThinkingInfo info;
  gboolean thinking_off = FALSE;

  gem_model_get_thinking_info (settings->model, &info);

  switch (info.style)
    {
    case GEM_THINKING_STYLE_LEVEL:
      if (gem_thinking_level_to_string (settings->thinking_level) != NULL)
        json_object_set_string_member (config, "thinkingLevel",
                                       gem_thinking_level_to_string (settings->thinking_level));
      break;

    case GEM_THINKING_STYLE_BUDGET:
      if (settings->has_thinking_budget)
        {
          int budget = gem_model_clamp_thinking_budget (settings->model, settings->thinking_budget);

          json_object_set_int_member (config, "thinkingBudget", budget);
          thinking_off = budget == 0;
        }
      break;

    case GEM_THINKING_STYLE_NONE:
    default:
      break;
    }

  if (settings->include_thoughts && info.thinks && !thinking_off)
    json_object_set_boolean_member (config, "includeThoughts", TRUE);

  return config;
}

static gboolean
build_generation_config (GemGenerationSettings  *settings,
                         JsonObject             *request,
                         GError                **error)
{
  g_autoptr(JsonObject) config = json_object_new ();
  g_autoptr(JsonObject) thinking = NULL;
  gboolean image_model = gem_model_can_output_images (settings->model);

  if (settings->stop_sequences != NULL && settings->stop_sequences[0] != NULL)
    {
      JsonArray *array = json_array_new ();

      for (guint i = 0; settings->stop_sequences[i] != NULL; i++)
        json_array_add_string_element (array, settings->stop_sequences[i]);
      json_object_set_array_member (config, "stopSequences", array);
    }

  if (!is_blank (settings->response_mime_type))
    json_object_set_string_member (config, "responseMimeType", settings->response_mime_type);

  if (!is_blank (settings->response_schema))
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(JsonNode) schema = parse_json_text (settings->response_schema, &local_error);

      if (schema == NULL)
        {
          g_set_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                       _("The response schema is not valid JSON: %s"), local_error->message);
          return FALSE;
        }

      if (!JSON_NODE_HOLDS_OBJECT (schema))
        {
          g_set_error_literal (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                               _("The response schema must be a JSON object."));
          return FALSE;
        }

      json_object_set_member (config, "responseSchema", g_steal_pointer (&schema));
    }

  /* Image output only where the model can give it: a setting carried over
   * from an image model must not break a text model. */
  if (settings->response_modalities == GEM_RESPONSE_MODALITIES_TEXT ||
      (settings->response_modalities != GEM_RESPONSE_MODALITIES_DEFAULT && image_model))
    {
      JsonArray *modalities = json_array_new ();

      if (settings->response_modalities != GEM_RESPONSE_MODALITIES_IMAGE)
        json_array_add_string_element (modalities, "TEXT");
      if (settings->response_modalities != GEM_RESPONSE_MODALITIES_TEXT)
        json_array_add_string_element (modalities, "IMAGE");
      json_object_set_array_member (config, "responseModalities", modalities);
    }

  if (settings->has_candidate_count)
    json_object_set_int_member (config, "candidateCount", settings->candidate_count);
  if (settings->has_max_output_tokens)
    json_object_set_int_member (config, "maxOutputTokens", settings->max_output_tokens);
  if (settings->has_temperature)
    json_object_set_double_member (config, "temperature", settings->temperature);
  if (settings->has_top_p)
    json_object_set_double_member (config, "topP", settings->top_p);
  if (settings->has_top_k)
    json_object_set_int_member (config, "topK", settings->top_k);

  thinking = build_thinking_config (settings);
  if (json_object_get_size (thinking) > 0)
    json_object_set_object_member (config, "thinkingConfig", g_steal_pointer (&thinking));

  if (image_model)
    {
      JsonObject *image = json_object_new ();

      if (settings->aspect_ratio != NULL)
        {
          if (!gem_aspect_ratio_is_valid (settings->aspect_ratio))
            {
              g_set_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                           _("“%s” is not a supported aspect ratio."), settings->aspect_ratio);
              json_object_unref (image);
              return FALSE;
            }
          json_object_set_string_member (image, "aspectRatio", settings->aspect_ratio);
        }

      /* Only Gemini 3 image models choose a resolution. */
      if (settings->image_size != NULL && model_generation (settings->model) >= 3)
        {
          if (!gem_image_size_is_valid (settings->image_size))
            {
              g_set_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                           _("“%s” is not a supported image size: choose 1K, 2K or 4K."),
                           settings->image_size);
              json_object_unref (image);
              return FALSE;
            }
          json_object_set_string_member (image, "imageSize", settings->image_size);
        }

      if (json_object_get_size (image) > 0)
        json_object_set_object_member (config, "imageConfig", image);
      else
        json_object_unref (image);
    }

  if (json_object_get_size (config) > 0)
    json_object_set_object_member (request, "generationConfig", g_steal_pointer (&config));

  return TRUE;
}

static void
add_tool (JsonArray  *tools,
          const char *name)
{
  JsonObject *tool = json_object_new ();

  json_object_set_object_member (tool, name, json_object_new ());
  json_array_add_object_element (tools, tool);
}

static gboolean
build_tools (GemGenerationSettings  *settings,
             JsonObject             *request,
             GError                **error)
{
  g_autoptr(JsonArray) tools = json_array_new ();

  /* snake case, as the user's reference page writes it */
  if (settings->google_search)
    add_tool (tools, "google_search");
  if (settings->google_maps)
    add_tool (tools, "googleMaps");
  if (settings->url_context)
    add_tool (tools, "urlContext");
  if (settings->code_execution)
    add_tool (tools, "codeExecution");

  if (!is_blank (settings->function_declarations))
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(JsonNode) declarations = parse_json_text (settings->function_declarations, &local_error);
      JsonArray *array;

      if (declarations == NULL)
        {
          g_set_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                       _("The function declarations are not valid JSON: %s"), local_error->message);
          return FALSE;
        }

      if (!JSON_NODE_HOLDS_ARRAY (declarations))
        {
          g_set_error_literal (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                               _("The function declarations must be a JSON array of objects."));
          return FALSE;
        }

      array = json_node_get_array (declarations);
      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, i)))
          {
            g_set_error_literal (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                                 _("The function declarations must be a JSON array of objects."));
            return FALSE;
          }

      if (json_array_get_length (array) > 0)
        {
          JsonObject *tool = json_object_new ();

          json_object_set_array_member (tool, "functionDeclarations", json_array_ref (array));
          json_array_add_object_element (tools, tool);
        }
    }

  if (json_array_get_length (tools) > 0)
    json_object_set_array_member (request, "tools", g_steal_pointer (&tools));

  return TRUE;
}

/**
 * gem_request_build:
 * @settings: the conversation's settings
 * @turns: (element-type GemTurn): the conversation, oldest first
 * @error: a %GEM_ERROR_BAD_REQUEST when a setting cannot be sent
 *
 * Builds the body of `generateContent` / `streamGenerateContent`. Turns go
 * out with their raw parts untouched (every field: `thoughtSignature`,
 * `inlineData`, function calls); turns without parts are left out.
 * `generationConfig` holds only what is set. The thinking control follows
 * the model: `thinkingLevel` for Gemini 3, `thinkingBudget` for Gemini 2.5
 * (clamped to what the model accepts), nothing for other models;
 * `includeThoughts` only for models that think. Image settings
 * (`imageConfig`, image modalities) go only to image models, `imageSize`
 * only to Gemini 3 ones. With `cachedContent`, the system instruction and
 * the tools are left out: the API refuses them next to a cache, which
 * already holds them.
 *
 * Returns: (transfer full): the request, sharing the turns' parts arrays
 */
JsonNode *
gem_request_build (GemGenerationSettings  *settings,
                   GPtrArray              *turns,
                   GError                **error)
{
  g_autoptr(JsonObject) request = json_object_new ();
  gboolean cached;
  JsonNode *node;

  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  cached = !is_blank (settings->cached_content);

  if (!add_contents (request, turns, error))
    return NULL;

  if (!cached && !is_blank (settings->system_instruction))
    {
      JsonObject *instruction = json_object_new ();
      JsonArray *parts = json_array_new ();
      JsonObject *part = json_object_new ();

      json_object_set_string_member (part, "text", settings->system_instruction);
      json_array_add_object_element (parts, part);
      json_object_set_array_member (instruction, "parts", parts);
      json_object_set_object_member (request, "systemInstruction", instruction);
    }

  if (!build_generation_config (settings, request, error))
    return NULL;

  if (!cached && !build_tools (settings, request, error))
    return NULL;

  if (settings->safety_settings != NULL && g_hash_table_size (settings->safety_settings) > 0)
    {
      g_autoptr(GPtrArray) categories = sorted_safety_categories (settings);
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < categories->len; i++)
        {
          const char *category = g_ptr_array_index (categories, i);
          JsonObject *setting = json_object_new ();

          json_object_set_string_member (setting, "category", category);
          json_object_set_string_member (setting, "threshold",
                                         g_hash_table_lookup (settings->safety_settings, category));
          json_array_add_object_element (array, setting);
        }
      json_object_set_array_member (request, "safetySettings", array);
    }

  if (cached)
    json_object_set_string_member (request, "cachedContent", settings->cached_content);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, g_steal_pointer (&request));

  return node;
}

/* ---- serialization ---- */

static void
append_json_string (GString    *out,
                    const char *text)
{
  const char *span = text;
  const char *p;

  g_string_append_c (out, '"');

  for (p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;

      g_string_append_len (out, span, p - span);
      span = p + 1;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        case '\b':
          g_string_append (out, "\\b");
          break;
        case '\f':
          g_string_append (out, "\\f");
          break;
        default:
          g_string_append_printf (out, "\\u%04x", c);
          break;
        }
    }

  g_string_append_len (out, span, p - span);
  g_string_append_c (out, '"');
}

/* The shortest text that reads back as the same double (0.7, not
 * 0.69999999999999996); integral values keep a ".0" so they stay doubles. */
static void
append_json_double (GString *out,
                    double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }

  for (int precision = 1; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buffer, sizeof buffer, format, value);
      if (g_ascii_strtod (buffer, NULL) == value)
        break;
    }

  g_string_append (out, buffer);
  if (strpbrk (buffer, ".eEn") == NULL)
    g_string_append (out, ".0");
}

static void
append_indent (GString  *out,
               gboolean  pretty,
               guint     depth)
{
  if (!pretty)
    return;

  g_string_append_c (out, '\n');
  for (guint i = 0; i < depth; i++)
    g_string_append (out, "  ");
}

static void
append_json_node (GString  *out,
                  JsonNode *node,
                  gboolean  pretty,
                  guint     depth)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        gboolean first = TRUE;

        g_string_append_c (out, '{');
        json_object_iter_init_ordered (&iter, object);
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            append_indent (out, pretty, depth + 1);
            append_json_string (out, name);
            g_string_append (out, pretty ? ": " : ":");
            append_json_node (out, member, pretty, depth + 1);
          }
        if (!first)
          append_indent (out, pretty, depth);
        g_string_append_c (out, '}');
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            append_indent (out, pretty, depth + 1);
            append_json_node (out, json_array_get_element (array, i), pretty, depth + 1);
          }
        if (n > 0)
          append_indent (out, pretty, depth);
        g_string_append_c (out, ']');
      }
      break;

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          append_json_string (out, json_node_get_string (node));
          break;
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          append_json_double (out, json_node_get_double (node));
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        default:
          g_string_append (out, "null");
          break;
        }
      break;

    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

/**
 * gem_request_to_string:
 * @request: a JSON node, usually from gem_request_build()
 * @pretty: indent with two spaces
 *
 * Serializes JSON with member order kept, strings escaped minimally (UTF-8
 * passes through) and doubles in their shortest exact form.
 *
 * Returns: (transfer full): the JSON text
 */
char *
gem_request_to_string (JsonNode *request,
                       gboolean  pretty)
{
  GString *out;

  g_return_val_if_fail (request != NULL, NULL);

  out = g_string_sized_new (256);
  append_json_node (out, request, pretty, 0);

  return g_string_free (out, FALSE);
}

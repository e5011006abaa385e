/* gem-model-info.c: what a Gemini model is and can do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "GemModelInfo"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "gem-error.h"
#include "gem-model-info.h"

struct _GemModelInfo
{
  GObject  parent_instance;

  char    *name;
  char    *id;
  char    *display_name;
  char    *description;
  char    *version;
  gint64   input_token_limit;
  gint64   output_token_limit;
  char   **methods;
  gboolean thinking;
};

G_DEFINE_FINAL_TYPE (GemModelInfo, gem_model_info, G_TYPE_OBJECT)

/* "gemini-2.5-flash" -> 2, 5; FALSE when the id has no version number. */
static gboolean
parse_gemini_version (const char *id,
                      guint      *major,
                      guint      *minor)
{
  const char *p;
  char *end = NULL;
  guint64 value;

  if (!g_str_has_prefix (id, "gemini-"))
    return FALSE;

  p = id + strlen ("gemini-");
  if (!g_ascii_isdigit (*p))
    return FALSE;

  value = g_ascii_strtoull (p, &end, 10);
  *major = (guint) MIN (value, G_MAXUINT);
  *minor = 0;

  if (*end == '.' && g_ascii_isdigit (end[1]))
    {
      value = g_ascii_strtoull (end + 1, &end, 10);
      *minor = (guint) MIN (value, G_MAXUINT);
    }

  return *end == '\0' || *end == '-';
}

static gboolean
has_word (const char *id,
          const char *word)
{
  gsize len = strlen (word);

  for (const char *p = strstr (id, word); p != NULL; p = strstr (p + 1, word))
    {
      gboolean starts = p == id || p[-1] == '-';
      gboolean ends = p[len] == '\0' || p[len] == '-';

      if (starts && ends)
        return TRUE;
    }

  return FALSE;
}

static void
set_budget_family (GemThinkingInfo *info,
                   const char      *id)
{
  info->style = GEM_THINKING_STYLE_BUDGET;
  info->thinks = TRUE;

  if (strstr (id, "flash-lite") != NULL)
    {
      /* Flash-Lite does not think unless asked to */
      info->can_disable = TRUE;
      info->default_on = FALSE;
      info->min_budget = 512;
      info->max_budget = 24576;
    }
  else if (has_word (id, "pro"))
    {
      /* 2.5 Pro only works in thinking mode */
      info->can_disable = FALSE;
      info->default_on = TRUE;
      info->min_budget = 128;
      info->max_budget = 32768;
    }
  else
    {
      info->can_disable = TRUE;
      info->default_on = TRUE;
      info->min_budget = 1;
      info->max_budget = 24576;
    }
}

/**
 * gem_model_id_from_name:
 * @name: "models/gemini-2.5-flash" or "gemini-2.5-flash"
 *
 * Returns: (transfer none): the id, inside @name
 */
const char *
gem_model_id_from_name (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  if (g_str_has_prefix (name, "models/"))
    return name + strlen ("models/");

  return name;
}

/**
 * gem_model_get_thinking_info:
 * @model_id: (nullable): a model id, with or without "models/"
 * @info: (out caller-allocates): what the model's thinking accepts
 *
 * Classifies a model by its name: Gemini 3 and later take a thinking
 * level, Gemini 2.5 a budget (2.5 Pro cannot turn it off, Flash can,
 * Flash-Lite is off by default), image models and older or unknown ones
 * take no thinking configuration (Gemini 3 image models still think; only
 * includeThoughts applies to them).
 */
void
gem_model_get_thinking_info (const char      *model_id,
                             GemThinkingInfo *info)
{
  g_autofree char *id = NULL;
  guint major = 0, minor = 0;
  gboolean image;

  g_return_if_fail (info != NULL);

  memset (info, 0, sizeof *info);
  info->style = GEM_THINKING_STYLE_NONE;
  info->min_budget = -1;
  info->max_budget = -1;

  if (model_id == NULL || model_id[0] == '\0')
    return;

  id = g_ascii_strdown (gem_model_id_from_name (model_id), -1);
  image = strstr (id, "-image") != NULL;

  if (parse_gemini_version (id, &major, &minor))
    {
      if (major >= 3)
        {
          info->thinks = TRUE;
          info->default_on = TRUE;
          if (!image)
            info->style = GEM_THINKING_STYLE_LEVEL;
        }
      else if (major == 2 && minor == 5 && !image)
        set_budget_family (info, id);

      return;
    }

  /* Aliases such as gemini-flash-latest: Gemini 2.5 accepts only a budget
   * and Gemini 3 still accepts one, so a budget is the safe choice. */
  if (g_str_has_prefix (id, "gemini-") && g_str_has_suffix (id, "-latest") && !image)
    set_budget_family (info, id);
}

GemThinkingStyle
gem_model_thinking_style (const char *model_id)
{
  GemThinkingInfo info;

  gem_model_get_thinking_info (model_id, &info);

  return info.style;
}

/**
 * gem_model_clamp_thinking_budget:
 * @model_id: a model id
 * @budget: a thinking budget in tokens, -1 for dynamic, 0 for off
 *
 * Returns: the nearest budget the model accepts (0 becomes the minimum on
 *   models that cannot stop thinking)
 */
int
gem_model_clamp_thinking_budget (const char *model_id,
                                 int         budget)
{
  GemThinkingInfo info;

  gem_model_get_thinking_info (model_id, &info);

  if (info.style != GEM_THINKING_STYLE_BUDGET || budget < 0)
    return budget < 0 ? -1 : budget;

  if (budget == 0)
    return info.can_disable ? 0 : info.min_budget;

  return CLAMP (budget, info.min_budget, info.max_budget);
}

gboolean
gem_model_can_output_images (const char *model_id)
{
  g_autofree char *id = NULL;

  if (model_id == NULL)
    return FALSE;

  id = g_ascii_strdown (gem_model_id_from_name (model_id), -1);

  return strstr (id, "-image") != NULL;
}

static void
gem_model_info_finalize (GObject *object)
{
  GemModelInfo *self = (GemModelInfo *) object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->version, g_free);
  g_clear_pointer (&self->methods, g_strfreev);

  G_OBJECT_CLASS (gem_model_info_parent_class)->finalize (object);
}

static void
gem_model_info_class_init (GemModelInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gem_model_info_finalize;
}

static void
gem_model_info_init (GemModelInfo *self)
{
}

/**
 * gem_model_info_new:
 * @model_id: a model id, e.g. typed by the user
 *
 * Returns: (transfer full): a model known by its id only; it is assumed to
 *   support generateContent
 */
GemModelInfo *
gem_model_info_new (const char *model_id)
{
  GemModelInfo *self;

  g_return_val_if_fail (model_id != NULL && model_id[0] != '\0', NULL);

  self = g_object_new (GEM_TYPE_MODEL_INFO, NULL);
  self->id = g_strdup (gem_model_id_from_name (model_id));
  self->name = g_strconcat ("models/", self->id, NULL);
  self->methods = g_new0 (char *, 2);
  self->methods[0] = g_strdup ("generateContent");
  self->thinking = gem_model_thinking_style (self->id) != GEM_THINKING_STYLE_NONE;

  return self;
}

static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static gint64
get_int (JsonObject *object,
         const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return json_node_get_int (node);
    case G_TYPE_DOUBLE:
      return (gint64) json_node_get_double (node);
    case G_TYPE_STRING:
      return g_ascii_strtoll (json_node_get_string (node), NULL, 10);
    default:
      return 0;
    }
}

/**
 * gem_model_info_new_from_json:
 * @object: a Model object from `GET /v1beta/models`
 *
 * Returns: (transfer full): the model, or %NULL with
 *   %GEM_ERROR_MALFORMED_RESPONSE when it has no name
 */
GemModelInfo *
gem_model_info_new_from_json (JsonObject  *object,
                              GError     **error)
{
  GemModelInfo *self;
  JsonNode *methods;
  JsonNode *thinking;
  const char *name;

  g_return_val_if_fail (object != NULL, NULL);

  name = get_string (object, "name");
  if (name == NULL || gem_model_id_from_name (name)[0] == '\0')
    {
      g_set_error_literal (error, GEM_ERROR, GEM_ERROR_MALFORMED_RESPONSE,
                           _("The server listed a model without a name."));
      return NULL;
    }

  self = g_object_new (GEM_TYPE_MODEL_INFO, NULL);
  self->id = g_strdup (gem_model_id_from_name (name));
  self->name = g_strconcat ("models/", self->id, NULL);
  self->display_name = g_strdup (get_string (object, "displayName"));
  self->description = g_strdup (get_string (object, "description"));
  self->version = g_strdup (get_string (object, "version"));
  self->input_token_limit = get_int (object, "inputTokenLimit");
  self->output_token_limit = get_int (object, "outputTokenLimit");

  methods = json_object_get_member (object, "supportedGenerationMethods");
  if (methods != NULL && JSON_NODE_HOLDS_ARRAY (methods))
    {
      JsonArray *array = json_node_get_array (methods);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (element));
        }

      self->methods = g_strv_builder_end (builder);
    }
  else
    self->methods = g_new0 (char *, 1);

  thinking = json_object_get_member (object, "thinking");
  if (thinking != NULL && JSON_NODE_HOLDS_VALUE (thinking) &&
      json_node_get_value_type (thinking) == G_TYPE_BOOLEAN)
    self->thinking = json_node_get_boolean (thinking);
  else
    self->thinking = gem_model_thinking_style (self->id) != GEM_THINKING_STYLE_NONE;

  return self;
}

/**
 * gem_model_info_parse_list:
 * @page: one page of `GET /v1beta/models`
 * @next_page_token: (out) (optional) (nullable): the token of the next page,
 *   %NULL on the last one
 *
 * Entries without a name are skipped.
 *
 * Returns: (transfer full) (element-type GemModelInfo): the models, or %NULL
 *   with %GEM_ERROR_MALFORMED_RESPONSE
 */
GPtrArray *
gem_model_info_parse_list (JsonNode  *page,
                           char     **next_page_token,
                           GError   **error)
{
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func (g_object_unref);
  JsonObject *object;
  JsonNode *list;
  const char *token;

  if (next_page_token != NULL)
    *next_page_token = NULL;

  if (page == NULL || !JSON_NODE_HOLDS_OBJECT (page))
    {
      g_set_error_literal (error, GEM_ERROR, GEM_ERROR_MALFORMED_RESPONSE,
                           _("The list of models could not be read."));
      return NULL;
    }

  object = json_node_get_object (page);
  list = json_object_get_member (object, "models");
  if (list != NULL && !JSON_NODE_HOLDS_ARRAY (list) && !JSON_NODE_HOLDS_NULL (list))
    {
      g_set_error_literal (error, GEM_ERROR, GEM_ERROR_MALFORMED_RESPONSE,
                           _("The list of models could not be read."));
      return NULL;
    }

  if (list != NULL && JSON_NODE_HOLDS_ARRAY (list))
    {
      JsonArray *array = json_node_get_array (list);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          GemModelInfo *info;

          if (!JSON_NODE_HOLDS_OBJECT (element))
            continue;

          info = gem_model_info_new_from_json (json_node_get_object (element), NULL);
          if (info != NULL)
            g_ptr_array_add (models, info);
        }
    }

  token = get_string (object, "nextPageToken");
  if (next_page_token != NULL && token != NULL && token[0] != '\0')
    *next_page_token = g_strdup (token);

  return g_steal_pointer (&models);
}

const char *
gem_model_info_get_name (GemModelInfo *self)
{
  g_return_val_if_fail (GEM_IS_MODEL_INFO (self), NULL);

  return self->name;
}

const char *
gem_model_info_get_id (GemModelInfo *self)
{
  g_return_val_if_fail (GEM_IS_MODEL_INFO (self), NULL);

  return self->id;
}

/**
 * gem_model_info_get_display_name:
 *
 * Returns: the display name, or the id when the server gave none
 */
const char *
gem_model_info_get_display_name (GemModelInfo *self)
{
  g_return_val_if_fail (GEM_IS_MODEL_INFO (self), NULL);

  if (self->display_name != NULL && self->display_name[0] != '\0')
    return self->display_name;

  return self->id;
}

const char *
gem_model_info_get_description (GemModelInfo *self)
{
  g_return_val_if_fail (GEM_IS_MODEL_INFO (self), NULL);

  return self->description;
}

const char *
gem_model_info_get_version (GemModelInfo *self)
{
  g_return_val_if_fail (GEM_IS_MODEL_INFO (self), NULL);

  return self->version;
}

gint64
gem_model_info_get_input_token_limit (GemModelInfo *self)
{
  g_return_val_if_fail (GEM_IS_MODEL_INFO (self), 0);

  return self->input_token_limit;
}

gint64
gem_model_info_get_output_token_limit (GemModelInfo *self)
{
  g_return_val_if_fail (GEM_IS_MODEL_INFO (self), 0);

  return self->output_token_limit;
}

const char * const *
gem_model_info_get_generation_methods (GemModelInfo *self)
{
  g_return_val_if_fail (GEM_IS_MODEL_INFO (self), NULL);

  return (const char * const *) self->methods;
}

gboolean
gem_model_info_supports_method (GemModelInfo *self,
                                const char   *method)
{
  g_return_val_if_fail (GEM_IS_MODEL_INFO (self), FALSE);
  g_return_val_if_fail (method != NULL, FALSE);

  return g_strv_contains ((const char * const *) self->methods, method);
}

/**
 * gem_model_info_supports_generate:
 *
 * Returns: whether the model can chat (`generateContent`; streaming
 *   comes with it)
 */
gboolean
gem_model_info_supports_generate (GemModelInfo *self)
{
  return gem_model_info_supports_method (self, "generateContent");
}

/**
 * gem_model_info_get_thinking:
 *
 * Returns: the model list's `thinking` flag (guessed from the id when the
 *   server did not say)
 */
gboolean
gem_model_info_get_thinking (GemModelInfo *self)
{
  g_return_val_if_fail (GEM_IS_MODEL_INFO (self), FALSE);

  return self->thinking;
}

GemThinkingStyle
gem_model_info_get_thinking_style (GemModelInfo *self)
{
  g_return_val_if_fail (GEM_IS_MODEL_INFO (self), GEM_THINKING_STYLE_NONE);

  return gem_model_thinking_style (self->id);
}

gboolean
gem_model_info_can_output_images (GemModelInfo *self)
{
  g_return_val_if_fail (GEM_IS_MODEL_INFO (self), FALSE);

  return gem_model_can_output_images (self->id);
}

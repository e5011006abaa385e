/* starling-chat-settings.c: every generation control of one conversation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "StarlingChatSettings"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "gem-error.h"
#include "starling-chat-settings.h"
#include "starling-model-row.h"

#define MAX_STOP_SEQUENCES 5
#define FALLBACK_OUTPUT_LIMIT 65536

/* What a model accepts, from its id (and the server's list when known). */
typedef struct
{
  GemThinkingInfo thinking;
  gboolean        minimal_level;
  gboolean        images;
  gboolean        image_size;
  gboolean        tools;
  gboolean        only_search;
  gboolean        system_instruction;
  gboolean        json_with_tools;
  gint64          output_limit;
} ModelCaps;

typedef enum
{
  BUDGET_MODE_DEFAULT,
  BUDGET_MODE_OFF,
  BUDGET_MODE_DYNAMIC,
  BUDGET_MODE_CUSTOM,
} BudgetMode;

static const char * const safety_categories[] = {
  "HARM_CATEGORY_HARASSMENT",
  "HARM_CATEGORY_HATE_SPEECH",
  "HARM_CATEGORY_SEXUALLY_EXPLICIT",
  "HARM_CATEGORY_DANGEROUS_CONTENT",
};

/* In the order of the safety rows' items; NULL is the model's default. */
static const char * const safety_thresholds[] = {
  NULL,
  "OFF",
  "BLOCK_NONE",
  "BLOCK_ONLY_HIGH",
  "BLOCK_MEDIUM_AND_ABOVE",
  "BLOCK_LOW_AND_ABOVE",
};

static const char * const image_sizes[] = { NULL, "1K", "2K", "4K" };

struct _StarlingChatSettings
{
  GtkWidget              parent_instance;

  GemGenerationSettings *settings;
  StarlingModelList     *model_list;
  guint                  updating;

  GemThinkingLevel       level_values[5];
  guint                  n_level_values;
  BudgetMode             mode_values[4];
  guint                  n_mode_values;
  int                    level_model_minimal;
  int                    mode_model_off;

  /* Template widgets */
  GtkWidget             *scroller;
  AdwPreferencesGroup   *model_group;
  StarlingModelRow      *model_row;

  AdwPreferencesGroup   *thinking_group;
  AdwComboRow           *thinking_level_row;
  AdwComboRow           *thinking_mode_row;
  AdwActionRow          *thinking_budget_row;
  GtkSpinButton         *thinking_budget_spin;
  AdwActionRow          *show_thoughts_row;
  GtkSwitch             *show_thoughts_switch;

  AdwPreferencesGroup   *tools_group;
  AdwActionRow          *google_search_row;
  GtkSwitch             *google_search_switch;
  AdwActionRow          *google_maps_row;
  GtkSwitch             *google_maps_switch;
  AdwActionRow          *url_context_row;
  GtkSwitch             *url_context_switch;
  AdwActionRow          *code_execution_row;
  GtkSwitch             *code_execution_switch;

  AdwPreferencesGroup   *image_group;
  AdwComboRow           *image_output_row;
  AdwComboRow           *aspect_ratio_row;
  AdwComboRow           *image_size_row;

  AdwPreferencesGroup   *generation_group;
  GtkSpinButton         *temperature_spin;
  GtkButton             *temperature_reset;
  GtkSpinButton         *top_p_spin;
  GtkButton             *top_p_reset;
  GtkSpinButton         *top_k_spin;
  GtkButton             *top_k_reset;
  AdwActionRow          *max_tokens_row;
  GtkSpinButton         *max_tokens_spin;
  GtkButton             *max_tokens_reset;
  AdwExpanderRow        *stop_row;
  GtkTextView           *stop_view;
  GtkLabel              *stop_error;

  AdwPreferencesGroup   *instruction_group;
  AdwExpanderRow        *system_row;
  GtkTextView           *system_view;

  AdwPreferencesGroup   *format_group;
  AdwExpanderRow        *json_row;
  GtkTextView           *schema_view;
  GtkLabel              *schema_error;

  AdwPreferencesGroup   *safety_group;
  AdwComboRow           *safety_harassment_row;
  AdwComboRow           *safety_hate_row;
  AdwComboRow           *safety_sexual_row;
  AdwComboRow           *safety_dangerous_row;

  AdwPreferencesGroup   *advanced_group;
  AdwEntryRow           *cached_row;
  AdwExpanderRow        *functions_row;
  GtkTextView           *functions_view;
  GtkLabel              *functions_error;
};

G_DEFINE_FINAL_TYPE (StarlingChatSettings, starling_chat_settings, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char settings_css[] =
  "chatsettings .settings-text {"
  "  border-radius: 6px;"
  "  box-shadow: inset 0 0 0 1px alpha(currentColor, 0.15);"
  "}"
  "chatsettings .settings-text textview, chatsettings .settings-text text {"
  "  background: none;"
  "}";

/* ---- what a model can take ---- */

static guint
model_major (const char *model)
{
  const char *id;

  if (model == NULL)
    return 0;

  id = gem_model_id_from_name (model);
  if (!g_str_has_prefix (id, "gemini-") || !g_ascii_isdigit (id[strlen ("gemini-")]))
    return 0;

  return (guint) MIN (g_ascii_strtoull (id + strlen ("gemini-"), NULL, 10), 100);
}

static gboolean
has_word (const char *id,
          const char *word)
{
  gsize len = strlen (word);

  for (const char *p = strstr (id, word); p != NULL; p = strstr (p + 1, word))
    if ((p == id || p[-1] == '-') && (p[len] == '\0' || p[len] == '-'))
      return TRUE;

  return FALSE;
}

static void
get_caps (const char   *model,
          GemModelInfo *info,
          ModelCaps    *caps)
{
  g_autofree char *id = g_ascii_strdown (model != NULL ? gem_model_id_from_name (model) : "", -1);
  guint major = model_major (id);

  memset (caps, 0, sizeof *caps);
  gem_model_get_thinking_info (id, &caps->thinking);

  /* Gemini 3 Pro reasons at least a little: it has no MINIMAL level. */
  caps->minimal_level = caps->thinking.style == GEM_THINKING_STYLE_LEVEL && !has_word (id, "pro");
  caps->images = gem_model_can_output_images (id);
  caps->image_size = caps->images && major >= 3;

  /* Gemma takes neither tools nor a system instruction. */
  caps->system_instruction = !g_str_has_prefix (id, "gemma-");
  caps->tools = caps->system_instruction && (!caps->images || major >= 3);
  caps->only_search = caps->images && major >= 3;

  /* Before Gemini 3, JSON output and tools exclude each other. */
  caps->json_with_tools = major >= 3;

  if (info != NULL)
    caps->output_limit = gem_model_info_get_output_token_limit (info);
}

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;

  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;

  return TRUE;
}

static gboolean
json_mode (const GemGenerationSettings *settings)
{
  return !is_blank (settings->response_mime_type);
}

static gboolean
image_modality (const GemGenerationSettings *settings)
{
  return settings->response_modalities == GEM_RESPONSE_MODALITIES_TEXT_IMAGE ||
         settings->response_modalities == GEM_RESPONSE_MODALITIES_IMAGE;
}

static gboolean
any_tool (const GemGenerationSettings *settings)
{
  return settings->google_search || settings->google_maps || settings->url_context ||
         settings->code_execution || !is_blank (settings->function_declarations);
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static gboolean
clear_flag (gboolean *flag)
{
  gboolean was = *flag;

  *flag = FALSE;
  return was;
}

static gboolean
clear_tools (GemGenerationSettings *settings,
             gboolean               keep_search)
{
  gboolean changed = FALSE;

  if (!keep_search)
    changed |= clear_flag (&settings->google_search);
  changed |= clear_flag (&settings->google_maps);
  changed |= clear_flag (&settings->url_context);
  changed |= clear_flag (&settings->code_execution);
  changed |= set_string (&settings->function_declarations, NULL);

  return changed;
}

/**
 * starling_chat_settings_constrain:
 * @settings: settings whose model may have just changed
 * @info: (nullable): the model as the server listed it
 *
 * Clears or adjusts every value the model cannot take: the other thinking
 * control, a budget out of range, thoughts from a model that does not think,
 * image options for a text model, tools an image model lacks, tools next to
 * JSON output before Gemini 3, JSON next to image output, a token limit above
 * the model's.
 *
 * Returns: whether anything changed
 */
gboolean
starling_chat_settings_constrain (GemGenerationSettings *settings,
                                  GemModelInfo          *info)
{
  gboolean changed = FALSE;
  ModelCaps caps;

  g_return_val_if_fail (settings != NULL, FALSE);

  get_caps (settings->model, info, &caps);

  if (caps.thinking.style != GEM_THINKING_STYLE_LEVEL ||
      (settings->thinking_level == GEM_THINKING_LEVEL_MINIMAL && !caps.minimal_level))
    {
      changed |= settings->thinking_level != GEM_THINKING_LEVEL_UNSET;
      settings->thinking_level = GEM_THINKING_LEVEL_UNSET;
    }

  if (caps.thinking.style != GEM_THINKING_STYLE_BUDGET)
    changed |= clear_flag (&settings->has_thinking_budget);
  else if (settings->has_thinking_budget)
    {
      int budget = gem_model_clamp_thinking_budget (settings->model, settings->thinking_budget);

      changed |= budget != settings->thinking_budget;
      settings->thinking_budget = budget;
    }

  if (!caps.thinking.thinks ||
      (settings->has_thinking_budget && settings->thinking_budget == 0))
    changed |= clear_flag (&settings->include_thoughts);

  if (!caps.images)
    {
      changed |= settings->response_modalities != GEM_RESPONSE_MODALITIES_DEFAULT;
      settings->response_modalities = GEM_RESPONSE_MODALITIES_DEFAULT;
      changed |= set_string (&settings->aspect_ratio, NULL);
    }
  if (!caps.image_size)
    changed |= set_string (&settings->image_size, NULL);

  if (!caps.tools)
    changed |= clear_tools (settings, FALSE);
  else if (caps.only_search)
    changed |= clear_tools (settings, TRUE);

  if (!caps.system_instruction)
    changed |= set_string (&settings->system_instruction, NULL);

  if (json_mode (settings) && image_modality (settings))
    {
      changed |= set_string (&settings->response_mime_type, NULL);
      changed |= set_string (&settings->response_schema, NULL);
    }

  if (json_mode (settings) && !caps.json_with_tools && any_tool (settings))
    changed |= clear_tools (settings, FALSE);

  if (settings->has_max_output_tokens && caps.output_limit > 0 &&
      settings->max_output_tokens > caps.output_limit)
    {
      settings->max_output_tokens = (int) MIN (caps.output_limit, G_MAXINT);
      changed = TRUE;
    }

  return changed;
}

static char *
format_budget (int budget)
{
  if (budget >= 1024 && budget % 1024 == 0)
    return g_strdup_printf ("%dK", budget / 1024);

  return g_strdup_printf ("%d", budget);
}

/**
 * starling_chat_settings_describe_thinking:
 *
 * Returns: (transfer full) (nullable): a short label for the thinking
 *   setting ("Thinking: High", "Thinking Off", "Thinking: 8K Tokens"), or
 *   %NULL when the model's thinking cannot be set
 */
char *
starling_chat_settings_describe_thinking (const GemGenerationSettings *settings)
{
  ModelCaps caps;

  g_return_val_if_fail (settings != NULL, NULL);

  get_caps (settings->model, NULL, &caps);

  switch (caps.thinking.style)
    {
    case GEM_THINKING_STYLE_LEVEL:
      switch (settings->thinking_level)
        {
        case GEM_THINKING_LEVEL_MINIMAL:
          return g_strdup (_("Thinking: Minimal"));
        case GEM_THINKING_LEVEL_LOW:
          return g_strdup (_("Thinking: Low"));
        case GEM_THINKING_LEVEL_MEDIUM:
          return g_strdup (_("Thinking: Medium"));
        case GEM_THINKING_LEVEL_HIGH:
          return g_strdup (_("Thinking: High"));
        case GEM_THINKING_LEVEL_UNSET:
        default:
          return g_strdup (_("Thinking: Default"));
        }

    case GEM_THINKING_STYLE_BUDGET:
      if (!settings->has_thinking_budget)
        return g_strdup (_("Thinking: Default"));
      else
        {
          int budget = gem_model_clamp_thinking_budget (settings->model, settings->thinking_budget);
          g_autofree char *amount = NULL;

          if (budget == 0)
            return g_strdup (_("Thinking Off"));
          if (budget < 0)
            return g_strdup (_("Thinking: Dynamic"));

          amount = format_budget (budget);
          /* Translators: a thinking budget, e.g. "Thinking: 8K Tokens" */
          return g_strdup_printf (_("Thinking: %s Tokens"), amount);
        }

    case GEM_THINKING_STYLE_NONE:
    default:
      return NULL;
    }
}

/* ---- helpers for the widgets ---- */

static GemModelInfo *
lookup_info (StarlingChatSettings *self)
{
  if (self->model_list == NULL || self->settings->model == NULL)
    return NULL;

  return starling_model_list_lookup (self->model_list, self->settings->model);
}

static void
emit_changed (StarlingChatSettings *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static char *
buffer_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
set_buffer_text (GtkTextView *view,
                 const char  *text)
{
  g_autofree char *current = buffer_text (view);

  if (g_strcmp0 (current, text != NULL ? text : "") != 0)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), text != NULL ? text : "", -1);
}

/* Leaves a blank buffer alone when the setting is unset, so typing a first space works. */
static void
sync_buffer_text (GtkTextView *view,
                  const char  *text)
{
  g_autofree char *current = buffer_text (view);

  if (text == NULL && is_blank (current))
    return;

  set_buffer_text (view, text);
}

static void
show_error (GtkLabel   *label,
            const char *message)
{
  gtk_label_set_label (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
}

/* A JSON text that must parse into an object (a schema) or an array of objects. */
static gboolean
check_json (const char  *text,
            gboolean     array_of_objects,
            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, &local_error))
    {
      g_set_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST, _("This is not valid JSON: %s"),
                   local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (!array_of_objects)
    {
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          g_set_error_literal (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                               _("The response schema must be a JSON object, such as {\"type\": \"OBJECT\", …}."));
          return FALSE;
        }
      return TRUE;
    }

  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error_literal (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                           _("Function declarations must be a JSON array, such as [{\"name\": \"…\"}]."));
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (json_node_get_array (root)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (root), i);

      if (!JSON_NODE_HOLDS_OBJECT (element) ||
          !json_object_has_member (json_node_get_object (element), "name"))
        {
          g_set_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                       _("Function declaration %u must be an object with a “name”."), i + 1);
          return FALSE;
        }
    }

  return TRUE;
}

static char *
normalize_cached_content (const char  *text,
                          GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));

  if (*trimmed == '\0')
    return NULL;

  if (strchr (trimmed, '/') == NULL)
    return g_strconcat ("cachedContents/", trimmed, NULL);

  if (!g_str_has_prefix (trimmed, "cachedContents/") || trimmed[strlen ("cachedContents/")] == '\0' ||
      strchr (trimmed + strlen ("cachedContents/"), '/') != NULL)
    {
      g_set_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                   _("“%s” is not the name of cached content: it looks like cachedContents/ID."), trimmed);
      return NULL;
    }

  return g_steal_pointer (&trimmed);
}

/* ---- settings to widgets ---- */

static void
sync_level_row (StarlingChatSettings *self,
                const ModelCaps      *caps)
{
  static const struct { GemThinkingLevel level; const char *label; } levels[] = {
    { GEM_THINKING_LEVEL_UNSET, N_("Model Default") },
    { GEM_THINKING_LEVEL_MINIMAL, N_("Minimal") },
    { GEM_THINKING_LEVEL_LOW, N_("Low") },
    { GEM_THINKING_LEVEL_MEDIUM, N_("Medium") },
    { GEM_THINKING_LEVEL_HIGH, N_("High") },
  };
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  guint selected = 0;

  self->n_level_values = 0;
  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    {
      if (levels[i].level == GEM_THINKING_LEVEL_MINIMAL && !caps->minimal_level)
        continue;
      if (levels[i].level == self->settings->thinking_level)
        selected = self->n_level_values;
      self->level_values[self->n_level_values++] = levels[i].level;
      gtk_string_list_append (list, _(levels[i].label));
    }

  /* Swapping the model while its popover is in use would disturb it. */
  if (self->level_model_minimal != (int) caps->minimal_level)
    {
      self->level_model_minimal = caps->minimal_level;
      adw_combo_row_set_model (self->thinking_level_row, G_LIST_MODEL (list));
    }
  adw_combo_row_set_selected (self->thinking_level_row, selected);
}

static BudgetMode
current_budget_mode (const GemGenerationSettings *settings)
{
  if (!settings->has_thinking_budget)
    return BUDGET_MODE_DEFAULT;
  if (settings->thinking_budget == 0)
    return BUDGET_MODE_OFF;
  if (settings->thinking_budget < 0)
    return BUDGET_MODE_DYNAMIC;
  return BUDGET_MODE_CUSTOM;
}

static void
sync_mode_row (StarlingChatSettings *self,
               const ModelCaps      *caps)
{
  static const struct { BudgetMode mode; const char *label; } modes[] = {
    { BUDGET_MODE_DEFAULT, N_("Model Default") },
    { BUDGET_MODE_OFF, N_("Off") },
    { BUDGET_MODE_DYNAMIC, N_("Dynamic") },
    { BUDGET_MODE_CUSTOM, N_("Custom Budget") },
  };
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  BudgetMode mode = current_budget_mode (self->settings);
  guint selected = 0;

  self->n_mode_values = 0;
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      if (modes[i].mode == BUDGET_MODE_OFF && !caps->thinking.can_disable)
        continue;
      if (modes[i].mode == mode)
        selected = self->n_mode_values;
      self->mode_values[self->n_mode_values++] = modes[i].mode;
      gtk_string_list_append (list, _(modes[i].label));
    }

  if (self->mode_model_off != (int) caps->thinking.can_disable)
    {
      self->mode_model_off = caps->thinking.can_disable;
      adw_combo_row_set_model (self->thinking_mode_row, G_LIST_MODEL (list));
    }
  adw_combo_row_set_selected (self->thinking_mode_row, selected);
}

static void
set_spin (GtkSpinButton *spin,
          GtkButton     *reset,
          gboolean       has_value,
          double         value,
          double         fallback)
{
  gboolean handled = FALSE;

  gtk_spin_button_set_value (spin, has_value ? value : fallback);
  /* The text says "Default" when unset: refresh it even if the value did not move. */
  g_signal_emit_by_name (spin, "output", &handled);
  if (reset != NULL)
    gtk_widget_set_visible (GTK_WIDGET (reset), has_value);
}

static guint
safety_index (const GemGenerationSettings *settings,
              const char                  *category)
{
  const char *threshold = g_hash_table_lookup (settings->safety_settings, category);

  for (guint i = 1; threshold != NULL && i < G_N_ELEMENTS (safety_thresholds); i++)
    if (g_str_equal (threshold, safety_thresholds[i]))
      return i;

  return 0;
}

static AdwComboRow *
safety_row (StarlingChatSettings *self,
            guint                 i)
{
  AdwComboRow *rows[] = {
    self->safety_harassment_row, self->safety_hate_row,
    self->safety_sexual_row, self->safety_dangerous_row,
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (rows) == G_N_ELEMENTS (safety_categories));

  return rows[i];
}

static char *
first_line (const char *text)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));
  char *newline = strchr (trimmed, '\n');

  if (newline != NULL)
    *newline = '\0';
  if (g_utf8_strlen (trimmed, -1) > 48)
    {
      char *cut = g_utf8_offset_to_pointer (trimmed, 47);

      *cut = '\0';
      return g_strconcat (trimmed, "…", NULL);
    }

  return g_steal_pointer (&trimmed);
}

static void
sync_widgets (StarlingChatSettings *self)
{
  GemGenerationSettings *s = self->settings;
  GemModelInfo *info = lookup_info (self);
  g_autofree char *model_description = NULL;
  gboolean cached = !is_blank (s->cached_content);
  gboolean json = json_mode (s);
  gboolean tools_blocked_by_json;
  gboolean json_blocked;
  const char *tools_note = NULL;
  ModelCaps caps;

  self->updating++;

  get_caps (s->model, info, &caps);

  /* Model */
  starling_model_row_set_model_id (self->model_row, s->model);
  if (info != NULL)
    {
      g_autofree char *context = starling_model_list_format_tokens (gem_model_info_get_input_token_limit (info));

      model_description = context != NULL
        /* Translators: a model's name and its context size, e.g. "Gemini 2.5 Flash · 1M tokens of context" */
        ? g_strdup_printf (_("%s · %s of context"), gem_model_info_get_display_name (info), context)
        : g_strdup (gem_model_info_get_display_name (info));
    }
  else if (s->model != NULL && self->model_list != NULL &&
           g_list_model_get_n_items (G_LIST_MODEL (self->model_list)) > 0)
    model_description = g_strdup (_("Not in the server’s list of models: it is sent as typed."));
  adw_preferences_group_set_description (self->model_group, model_description);

  /* Thinking */
  gtk_widget_set_visible (GTK_WIDGET (self->thinking_group),
                          caps.thinking.thinks || caps.thinking.style != GEM_THINKING_STYLE_NONE);
  adw_preferences_group_set_description (self->thinking_group,
                                         caps.thinking.thinks && caps.thinking.style == GEM_THINKING_STYLE_NONE
                                         ? _("This model always thinks; how much cannot be set.")
                                         : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->thinking_level_row), caps.thinking.style == GEM_THINKING_STYLE_LEVEL);
  gtk_widget_set_visible (GTK_WIDGET (self->thinking_mode_row), caps.thinking.style == GEM_THINKING_STYLE_BUDGET);
  sync_level_row (self, &caps);
  sync_mode_row (self, &caps);

  if (caps.thinking.style == GEM_THINKING_STYLE_BUDGET)
    {
      g_autofree char *range = g_strdup_printf (_("Between %d and %d tokens"),
                                                caps.thinking.min_budget, caps.thinking.max_budget);

      gtk_spin_button_set_range (self->thinking_budget_spin, caps.thinking.min_budget, caps.thinking.max_budget);
      adw_action_row_set_subtitle (self->thinking_budget_row, range);
      set_spin (self->thinking_budget_spin, NULL, TRUE,
                s->has_thinking_budget && s->thinking_budget > 0 ? s->thinking_budget : 8192, 8192);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->thinking_budget_row),
                          caps.thinking.style == GEM_THINKING_STYLE_BUDGET &&
                          current_budget_mode (s) == BUDGET_MODE_CUSTOM);

  gtk_widget_set_visible (GTK_WIDGET (self->show_thoughts_row), caps.thinking.thinks);
  gtk_widget_set_sensitive (GTK_WIDGET (self->show_thoughts_row),
                            !(s->has_thinking_budget && s->thinking_budget == 0));
  gtk_switch_set_active (self->show_thoughts_switch, s->include_thoughts);

  /* Tools */
  tools_blocked_by_json = json && !caps.json_with_tools;
  if (cached)
    tools_note = _("Cached content already holds the tools; these are not sent with it.");
  else if (tools_blocked_by_json)
    tools_note = _("This model cannot use tools together with JSON output.");
  else if (caps.only_search)
    tools_note = _("Image models can search the web, but take no other tools.");
  gtk_widget_set_visible (GTK_WIDGET (self->tools_group), caps.tools);
  adw_preferences_group_set_description (self->tools_group, tools_note);
  gtk_widget_set_visible (GTK_WIDGET (self->google_maps_row), !caps.only_search);
  gtk_widget_set_visible (GTK_WIDGET (self->url_context_row), !caps.only_search);
  gtk_widget_set_visible (GTK_WIDGET (self->code_execution_row), !caps.only_search);
  gtk_switch_set_active (self->google_search_switch, s->google_search);
  gtk_switch_set_active (self->google_maps_switch, s->google_maps);
  gtk_switch_set_active (self->url_context_switch, s->url_context);
  gtk_switch_set_active (self->code_execution_switch, s->code_execution);
  {
    GtkWidget *tool_rows[] = {
      GTK_WIDGET (self->google_search_row), GTK_WIDGET (self->google_maps_row),
      GTK_WIDGET (self->url_context_row), GTK_WIDGET (self->code_execution_row),
    };

    for (guint i = 0; i < G_N_ELEMENTS (tool_rows); i++)
      gtk_widget_set_sensitive (tool_rows[i], !cached && !tools_blocked_by_json);
  }

  /* Images */
  gtk_widget_set_visible (GTK_WIDGET (self->image_group), caps.images);
  gtk_widget_set_visible (GTK_WIDGET (self->image_size_row), caps.image_size);
  adw_combo_row_set_selected (self->image_output_row, (guint) s->response_modalities);
  gtk_widget_set_sensitive (GTK_WIDGET (self->image_output_row), !json);
  adw_preferences_group_set_description (self->image_group,
                                         json ? _("Images cannot be asked for together with JSON output.") : NULL);
  {
    const char * const *ratios = gem_aspect_ratios ();
    guint selected = 0;

    for (guint i = 0; s->aspect_ratio != NULL && ratios[i] != NULL; i++)
      if (g_str_equal (ratios[i], s->aspect_ratio))
        selected = i + 1;
    adw_combo_row_set_selected (self->aspect_ratio_row, selected);
  }
  {
    guint selected = 0;

    for (guint i = 1; s->image_size != NULL && i < G_N_ELEMENTS (image_sizes); i++)
      if (g_str_equal (image_sizes[i], s->image_size))
        selected = i;
    adw_combo_row_set_selected (self->image_size_row, selected);
  }

  /* Generation */
  set_spin (self->temperature_spin, self->temperature_reset, s->has_temperature, s->temperature, 1.0);
  set_spin (self->top_p_spin, self->top_p_reset, s->has_top_p, s->top_p, 0.95);
  set_spin (self->top_k_spin, self->top_k_reset, s->has_top_k, s->top_k, 40);
  {
    gint64 limit = caps.output_limit > 0 ? caps.output_limit : FALLBACK_OUTPUT_LIMIT;
    g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, limit);
    /* Translators: %s is a number of tokens */
    g_autofree char *subtitle = g_strdup_printf (_("The longest answer, in tokens (at most %s)"), count);

    gtk_spin_button_set_range (self->max_tokens_spin, 1, (double) limit);
    adw_action_row_set_subtitle (self->max_tokens_row, subtitle);
    set_spin (self->max_tokens_spin, self->max_tokens_reset, s->has_max_output_tokens,
              s->max_output_tokens, (double) MIN (limit, 8192));
  }
  {
    g_autofree char *joined = s->stop_sequences != NULL ? g_strjoinv ("\n", s->stop_sequences) : NULL;
    guint n = s->stop_sequences != NULL ? g_strv_length (s->stop_sequences) : 0;
    g_autofree char *subtitle = n > 0
      ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u sequence", "%u sequences", n), n)
      : g_strdup (_("None: one per line, at most 5"));
    g_autofree char *shown = buffer_text (self->stop_view);

    /* Keep what the user is typing (blank lines, a sixth line) unless the settings differ. */
    {
      g_auto(GStrv) typed = g_strsplit (shown, "\n", -1);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) kept = NULL;
      g_autofree char *kept_joined = NULL;
      guint count = 0;

      for (guint i = 0; typed[i] != NULL && count < MAX_STOP_SEQUENCES; i++)
        if (typed[i][0] != '\0')
          {
            g_strv_builder_add (builder, typed[i]);
            count++;
          }
      kept = g_strv_builder_end (builder);
      kept_joined = g_strjoinv ("\n", kept);
      if (g_strcmp0 (kept_joined, joined != NULL ? joined : "") != 0)
        set_buffer_text (self->stop_view, joined);
    }
    adw_expander_row_set_subtitle (self->stop_row, subtitle);
  }

  /* System instruction */
  gtk_widget_set_visible (GTK_WIDGET (self->instruction_group), caps.system_instruction);
  sync_buffer_text (self->system_view, s->system_instruction);
  {
    g_autofree char *line = first_line (s->system_instruction);

    adw_expander_row_set_subtitle (self->system_row,
                                   cached ? _("Cached content already holds it; this one is not sent.")
                                          : *line != '\0' ? line : _("None"));
  }
  gtk_widget_set_sensitive (GTK_WIDGET (self->system_view), !cached);

  /* JSON output */
  json_blocked = !json && (image_modality (s) ||
                           (!caps.json_with_tools && caps.tools && any_tool (s)));
  adw_expander_row_set_enable_expansion (self->json_row, json);
  gtk_widget_set_sensitive (GTK_WIDGET (self->json_row), !json_blocked);
  if (json_blocked && image_modality (s))
    adw_expander_row_set_subtitle (self->json_row, _("Not available while images are asked for"));
  else if (json_blocked)
    adw_expander_row_set_subtitle (self->json_row, _("Not available with tools on this model: turn the tools off first"));
  else
    adw_expander_row_set_subtitle (self->json_row, _("Answer with JSON; optionally give a response schema below"));
  if (json && s->response_schema != NULL)
    set_buffer_text (self->schema_view, s->response_schema);

  /* Safety */
  for (guint i = 0; i < G_N_ELEMENTS (safety_categories); i++)
    adw_combo_row_set_selected (safety_row (self, i), safety_index (s, safety_categories[i]));

  /* Advanced */
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->cached_row)), s->cached_content ? s->cached_content : "") != 0 &&
      !gtk_widget_has_css_class (GTK_WIDGET (self->cached_row), "error"))
    gtk_editable_set_text (GTK_EDITABLE (self->cached_row), s->cached_content ? s->cached_content : "");
  gtk_widget_set_visible (GTK_WIDGET (self->functions_row), caps.tools && !caps.only_search);
  gtk_widget_set_sensitive (GTK_WIDGET (self->functions_row), !cached && !tools_blocked_by_json);
  if (s->function_declarations != NULL)
    set_buffer_text (self->functions_view, s->function_declarations);

  self->updating--;
}

/* ---- widgets to settings ---- */

static void
update_schema (StarlingChatSettings *self)
{
  g_autofree char *text = buffer_text (self->schema_view);
  g_autoptr(GError) error = NULL;

  if (!json_mode (self->settings) || is_blank (text))
    {
      show_error (self->schema_error, NULL);
      set_string (&self->settings->response_schema, NULL);
      return;
    }

  check_json (text, FALSE, &error);
  show_error (self->schema_error, error != NULL ? error->message : NULL);
  /* Kept even when invalid: the request builder refuses it with this same reason. */
  set_string (&self->settings->response_schema, text);
}

static void
update_functions (StarlingChatSettings *self)
{
  g_autofree char *text = buffer_text (self->functions_view);
  g_autoptr(GError) error = NULL;

  if (is_blank (text))
    {
      show_error (self->functions_error, NULL);
      set_string (&self->settings->function_declarations, NULL);
      return;
    }

  check_json (text, TRUE, &error);
  show_error (self->functions_error, error != NULL ? error->message : NULL);
  set_string (&self->settings->function_declarations, text);
}

static void
update_stop_sequences (StarlingChatSettings *self)
{
  g_autofree char *text = buffer_text (self->stop_view);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint count = 0;
  guint typed = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0')
        continue;
      typed++;
      if (count < MAX_STOP_SEQUENCES)
        {
          g_strv_builder_add (builder, lines[i]);
          count++;
        }
    }

  g_clear_pointer (&self->settings->stop_sequences, g_strfreev);
  if (count > 0)
    self->settings->stop_sequences = g_strv_builder_end (builder);

  show_error (self->stop_error,
              typed > MAX_STOP_SEQUENCES ? _("At most 5 stop sequences can be given: the lines after the fifth are left out.")
                                         : NULL);
}

static void
buffer_changed_cb (StarlingChatSettings *self,
                   GtkTextBuffer        *buffer)
{
  if (self->updating > 0)
    return;

  if (buffer == gtk_text_view_get_buffer (self->system_view))
    {
      g_autofree char *text = buffer_text (self->system_view);

      set_string (&self->settings->system_instruction, is_blank (text) ? NULL : text);
    }
  else if (buffer == gtk_text_view_get_buffer (self->schema_view))
    update_schema (self);
  else if (buffer == gtk_text_view_get_buffer (self->functions_view))
    update_functions (self);
  else if (buffer == gtk_text_view_get_buffer (self->stop_view))
    update_stop_sequences (self);

  sync_widgets (self);
  emit_changed (self);
}

static void
model_chosen_cb (StarlingChatSettings *self)
{
  const char *id = starling_model_row_get_model_id (self->model_row);

  if (self->updating > 0 || g_strcmp0 (id, self->settings->model) == 0)
    return;

  set_string (&self->settings->model, id);
  starling_chat_settings_constrain (self->settings, lookup_info (self));
  sync_widgets (self);
  emit_changed (self);
}

static void
combo_selected_cb (StarlingChatSettings *self,
                   GParamSpec           *pspec,
                   AdwComboRow          *row)
{
  GemGenerationSettings *s = self->settings;
  guint selected = adw_combo_row_get_selected (row);

  if (self->updating > 0 || selected == GTK_INVALID_LIST_POSITION)
    return;

  if (row == self->thinking_level_row)
    {
      if (selected >= self->n_level_values)
        return;
      s->thinking_level = self->level_values[selected];
    }
  else if (row == self->thinking_mode_row)
    {
      if (selected >= self->n_mode_values)
        return;

      switch (self->mode_values[selected])
        {
        case BUDGET_MODE_OFF:
          s->has_thinking_budget = TRUE;
          s->thinking_budget = 0;
          s->include_thoughts = FALSE;
          break;

        case BUDGET_MODE_DYNAMIC:
          s->has_thinking_budget = TRUE;
          s->thinking_budget = -1;
          break;

        case BUDGET_MODE_CUSTOM:
          s->has_thinking_budget = TRUE;
          s->thinking_budget = gem_model_clamp_thinking_budget (s->model,
                                                                gtk_spin_button_get_value_as_int (self->thinking_budget_spin));
          break;

        case BUDGET_MODE_DEFAULT:
        default:
          s->has_thinking_budget = FALSE;
          s->thinking_budget = 0;
          break;
        }
    }
  else if (row == self->image_output_row)
    {
      s->response_modalities = (GemResponseModalities) MIN (selected, GEM_RESPONSE_MODALITIES_IMAGE);
      if (image_modality (s))
        {
          set_string (&s->response_mime_type, NULL);
          set_string (&s->response_schema, NULL);
        }
    }
  else if (row == self->aspect_ratio_row)
    set_string (&s->aspect_ratio, selected == 0 ? NULL : gem_aspect_ratios ()[selected - 1]);
  else if (row == self->image_size_row)
    set_string (&s->image_size, selected < G_N_ELEMENTS (image_sizes) ? image_sizes[selected] : NULL);
  else
    {
      for (guint i = 0; i < G_N_ELEMENTS (safety_categories); i++)
        if (row == safety_row (self, i))
          gem_generation_settings_set_safety (s, safety_categories[i],
                                              selected < G_N_ELEMENTS (safety_thresholds)
                                              ? safety_thresholds[selected] : NULL);
    }

  sync_widgets (self);
  emit_changed (self);
}

static void
switch_toggled_cb (StarlingChatSettings *self,
                   GParamSpec           *pspec,
                   GtkSwitch            *toggle)
{
  GemGenerationSettings *s = self->settings;
  gboolean active = gtk_switch_get_active (toggle);

  if (self->updating > 0)
    return;

  if (toggle == self->show_thoughts_switch)
    s->include_thoughts = active;
  else if (toggle == self->google_search_switch)
    s->google_search = active;
  else if (toggle == self->google_maps_switch)
    s->google_maps = active;
  else if (toggle == self->url_context_switch)
    s->url_context = active;
  else if (toggle == self->code_execution_switch)
    s->code_execution = active;

  sync_widgets (self);
  emit_changed (self);
}

static gboolean
spin_has_value (StarlingChatSettings *self,
                GtkSpinButton        *spin)
{
  GemGenerationSettings *s = self->settings;

  if (s == NULL)
    return FALSE;
  if (spin == self->temperature_spin)
    return s->has_temperature;
  if (spin == self->top_p_spin)
    return s->has_top_p;
  if (spin == self->top_k_spin)
    return s->has_top_k;
  if (spin == self->max_tokens_spin)
    return s->has_max_output_tokens;

  return TRUE;
}

static gboolean
spin_output_cb (StarlingChatSettings *self,
                GtkSpinButton        *spin)
{
  g_autofree char *text = NULL;

  if (!spin_has_value (self, spin))
    text = g_strdup (_("Default"));
  else
    text = g_strdup_printf ("%.*f", (int) gtk_spin_button_get_digits (spin), gtk_spin_button_get_value (spin));

  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (spin)), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);

  return TRUE;
}

static int
spin_input_cb (StarlingChatSettings *self,
               double               *new_value,
               GtkSpinButton        *spin)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));

  /* "Default" is not a number: keep the value underneath. */
  if (g_strcmp0 (text, _("Default")) == 0)
    {
      *new_value = gtk_spin_button_get_value (spin);
      return TRUE;
    }

  return FALSE;
}

static void
spin_value_changed_cb (StarlingChatSettings *self,
                       GtkSpinButton        *spin)
{
  GemGenerationSettings *s = self->settings;
  double value = gtk_spin_button_get_value (spin);

  if (self->updating > 0)
    return;

  if (spin == self->temperature_spin)
    {
      s->has_temperature = TRUE;
      s->temperature = value;
    }
  else if (spin == self->top_p_spin)
    {
      s->has_top_p = TRUE;
      s->top_p = value;
    }
  else if (spin == self->top_k_spin)
    {
      s->has_top_k = TRUE;
      s->top_k = gtk_spin_button_get_value_as_int (spin);
    }
  else if (spin == self->max_tokens_spin)
    {
      s->has_max_output_tokens = TRUE;
      s->max_output_tokens = gtk_spin_button_get_value_as_int (spin);
    }
  else if (spin == self->thinking_budget_spin)
    {
      s->has_thinking_budget = TRUE;
      s->thinking_budget = gem_model_clamp_thinking_budget (s->model, gtk_spin_button_get_value_as_int (spin));
    }

  sync_widgets (self);
  emit_changed (self);
}

static void
reset_clicked_cb (StarlingChatSettings *self,
                  GtkButton            *button)
{
  GemGenerationSettings *s = self->settings;

  if (button == self->temperature_reset)
    s->has_temperature = FALSE;
  else if (button == self->top_p_reset)
    s->has_top_p = FALSE;
  else if (button == self->top_k_reset)
    s->has_top_k = FALSE;
  else if (button == self->max_tokens_reset)
    s->has_max_output_tokens = FALSE;

  sync_widgets (self);
  emit_changed (self);
}

static void
json_enabled_cb (StarlingChatSettings *self)
{
  gboolean enabled = adw_expander_row_get_enable_expansion (self->json_row);

  if (self->updating > 0)
    return;

  set_string (&self->settings->response_mime_type, enabled ? "application/json" : NULL);
  if (enabled && image_modality (self->settings))
    self->settings->response_modalities = GEM_RESPONSE_MODALITIES_DEFAULT;
  update_schema (self);

  sync_widgets (self);
  emit_changed (self);
}

static void
cached_apply_cb (StarlingChatSettings *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = normalize_cached_content (gtk_editable_get_text (GTK_EDITABLE (self->cached_row)), &error);

  if (error != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->cached_row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->cached_row), error->message);
      adw_preferences_group_set_description (self->advanced_group, error->message);
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->cached_row), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->cached_row), NULL);
  adw_preferences_group_set_description (self->advanced_group, NULL);
  set_string (&self->settings->cached_content, name);
  gtk_editable_set_text (GTK_EDITABLE (self->cached_row), name != NULL ? name : "");

  sync_widgets (self);
  emit_changed (self);
}

/* ---- the class ---- */

/* Expands as its content does, so it fills a side panel. */
static void
starling_chat_settings_compute_expand (GtkWidget *widget,
                                       gboolean  *hexpand,
                                       gboolean  *vexpand)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  *hexpand = child != NULL && gtk_widget_compute_expand (child, GTK_ORIENTATION_HORIZONTAL);
  *vexpand = child != NULL && gtk_widget_compute_expand (child, GTK_ORIENTATION_VERTICAL);
}

static void
starling_chat_settings_dispose (GObject *object)
{
  StarlingChatSettings *self = STARLING_CHAT_SETTINGS (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), STARLING_TYPE_CHAT_SETTINGS);
  g_clear_object (&self->model_list);

  G_OBJECT_CLASS (starling_chat_settings_parent_class)->dispose (object);
}

static void
starling_chat_settings_finalize (GObject *object)
{
  StarlingChatSettings *self = STARLING_CHAT_SETTINGS (object);

  g_clear_pointer (&self->settings, gem_generation_settings_free);

  G_OBJECT_CLASS (starling_chat_settings_parent_class)->finalize (object);
}

static void
starling_chat_settings_class_init (StarlingChatSettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = starling_chat_settings_dispose;
  object_class->finalize = starling_chat_settings_finalize;
  widget_class->compute_expand = starling_chat_settings_compute_expand;

  /**
   * StarlingChatSettings::changed:
   *
   * Emitted after the user changed a setting (text fields: on every edit).
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (STARLING_TYPE_MODEL_ROW);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "chatsettings");
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/starlingchat/Starling/ui/starling-chat-settings.ui");

#define BIND(name) gtk_widget_class_bind_template_child (widget_class, StarlingChatSettings, name)
  BIND (scroller);
  BIND (model_group);
  BIND (model_row);
  BIND (thinking_group);
  BIND (thinking_level_row);
  BIND (thinking_mode_row);
  BIND (thinking_budget_row);
  BIND (thinking_budget_spin);
  BIND (show_thoughts_row);
  BIND (show_thoughts_switch);
  BIND (tools_group);
  BIND (google_search_row);
  BIND (google_search_switch);
  BIND (google_maps_row);
  BIND (google_maps_switch);
  BIND (url_context_row);
  BIND (url_context_switch);
  BIND (code_execution_row);
  BIND (code_execution_switch);
  BIND (image_group);
  BIND (image_output_row);
  BIND (aspect_ratio_row);
  BIND (image_size_row);
  BIND (generation_group);
  BIND (temperature_spin);
  BIND (temperature_reset);
  BIND (top_p_spin);
  BIND (top_p_reset);
  BIND (top_k_spin);
  BIND (top_k_reset);
  BIND (max_tokens_row);
  BIND (max_tokens_spin);
  BIND (max_tokens_reset);
  BIND (stop_row);
  BIND (stop_view);
  BIND (stop_error);
  BIND (instruction_group);
  BIND (system_row);
  BIND (system_view);
  BIND (format_group);
  BIND (json_row);
  BIND (schema_view);
  BIND (schema_error);
  BIND (safety_group);
  BIND (safety_harassment_row);
  BIND (safety_hate_row);
  BIND (safety_sexual_row);
  BIND (safety_dangerous_row);
  BIND (advanced_group);
  BIND (cached_row);
  BIND (functions_row);
  BIND (functions_view);
  BIND (functions_error);
#undef BIND

  gtk_widget_class_bind_template_callback (widget_class, model_chosen_cb);
  gtk_widget_class_bind_template_callback (widget_class, combo_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, switch_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, spin_output_cb);
  gtk_widget_class_bind_template_callback (widget_class, spin_input_cb);
  gtk_widget_class_bind_template_callback (widget_class, spin_value_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, reset_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, json_enabled_cb);
  gtk_widget_class_bind_template_callback (widget_class, cached_apply_cb);
}

static void
install_css (void)
{
  static gboolean installed;
  g_autoptr(GtkCssProvider) provider = NULL;
  GdkDisplay *display = gdk_display_get_default ();

  if (installed || display == NULL)
    return;

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider, settings_css, -1);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  installed = TRUE;
}

static void
starling_chat_settings_init (StarlingChatSettings *self)
{
  static const char * const threshold_labels[] = {
    N_("Model Default"),
    N_("Off"),
    N_("Block None"),
    N_("Block Few"),
    N_("Block Some"),
    N_("Block Most"),
  };
  g_autoptr(GtkStringList) thresholds = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) ratios = gtk_string_list_new (NULL);
  GtkTextView *views[4];

  G_STATIC_ASSERT (G_N_ELEMENTS (threshold_labels) == G_N_ELEMENTS (safety_thresholds));

  install_css ();
  self->settings = gem_generation_settings_new (NULL);
  self->level_model_minimal = -1;
  self->mode_model_off = -1;
  self->updating++;

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (threshold_labels); i++)
    gtk_string_list_append (thresholds, _(threshold_labels[i]));
  for (guint i = 0; i < G_N_ELEMENTS (safety_categories); i++)
    adw_combo_row_set_model (safety_row (self, i), G_LIST_MODEL (thresholds));

  gtk_string_list_append (ratios, _("Model Default"));
  for (const char * const *r = gem_aspect_ratios (); *r != NULL; r++)
    gtk_string_list_append (ratios, *r);
  adw_combo_row_set_model (self->aspect_ratio_row, G_LIST_MODEL (ratios));

  views[0] = self->stop_view;
  views[1] = self->system_view;
  views[2] = self->schema_view;
  views[3] = self->functions_view;
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    g_signal_connect_object (gtk_text_view_get_buffer (views[i]), "changed",
                             G_CALLBACK (buffer_changed_cb), self, G_CONNECT_SWAPPED);

  self->updating--;
  sync_widgets (self);
}

GtkWidget *
starling_chat_settings_new (void)
{
  return g_object_new (STARLING_TYPE_CHAT_SETTINGS, NULL);
}

static void
model_list_changed_cb (StarlingChatSettings *self)
{
  sync_widgets (self);
}

/**
 * starling_chat_settings_set_model_list:
 * @model_list: (nullable): the server's models, for the model picker, the
 *   context sizes and output limits
 */
void
starling_chat_settings_set_model_list (StarlingChatSettings *self,
                                       StarlingModelList    *model_list)
{
  g_return_if_fail (STARLING_IS_CHAT_SETTINGS (self));
  g_return_if_fail (!model_list || STARLING_IS_MODEL_LIST (model_list));

  if (self->model_list == model_list)
    return;

  if (self->model_list != NULL)
    g_signal_handlers_disconnect_by_data (self->model_list, self);

  g_set_object (&self->model_list, model_list);
  starling_model_row_set_model_list (self->model_row, model_list);

  if (model_list != NULL)
    g_signal_connect_object (model_list, "items-changed",
                             G_CALLBACK (model_list_changed_cb), self, G_CONNECT_SWAPPED);

  sync_widgets (self);
}

StarlingModelList *
starling_chat_settings_get_model_list (StarlingChatSettings *self)
{
  g_return_val_if_fail (STARLING_IS_CHAT_SETTINGS (self), NULL);

  return self->model_list;
}

/**
 * starling_chat_settings_get_settings:
 *
 * Returns: (transfer none): the settings as edited so far; valid until the
 *   next change
 */
const GemGenerationSettings *
starling_chat_settings_get_settings (StarlingChatSettings *self)
{
  g_return_val_if_fail (STARLING_IS_CHAT_SETTINGS (self), NULL);

  return self->settings;
}

/**
 * starling_chat_settings_dup_settings:
 *
 * Returns: (transfer full): a copy of the settings
 */
GemGenerationSettings *
starling_chat_settings_dup_settings (StarlingChatSettings *self)
{
  g_return_val_if_fail (STARLING_IS_CHAT_SETTINGS (self), NULL);

  return gem_generation_settings_copy (self->settings);
}

/**
 * starling_chat_settings_set_settings:
 * @settings: the conversation's settings; copied
 *
 * Shows the settings. Values the model cannot take are cleared (see
 * starling_chat_settings_constrain()); #StarlingChatSettings::changed is not
 * emitted.
 */
void
starling_chat_settings_set_settings (StarlingChatSettings        *self,
                                     const GemGenerationSettings *settings)
{
  g_return_if_fail (STARLING_IS_CHAT_SETTINGS (self));
  g_return_if_fail (settings != NULL);

  g_clear_pointer (&self->settings, gem_generation_settings_free);
  self->settings = gem_generation_settings_copy (settings);
  starling_chat_settings_constrain (self->settings, lookup_info (self));

  /* The text views show exactly what the settings hold. */
  self->updating++;
  set_buffer_text (self->schema_view, self->settings->response_schema);
  set_buffer_text (self->functions_view, self->settings->function_declarations);
  set_buffer_text (self->stop_view, NULL);
  show_error (self->schema_error, NULL);
  show_error (self->functions_error, NULL);
  show_error (self->stop_error, NULL);
  gtk_widget_remove_css_class (GTK_WIDGET (self->cached_row), "error");
  adw_preferences_group_set_description (self->advanced_group, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->cached_row),
                         self->settings->cached_content ? self->settings->cached_content : "");
  self->updating--;

  sync_widgets (self);
}

/**
 * starling_chat_settings_validate:
 *
 * Checks what the user typed: the response schema, the function
 * declarations, the cached content name.
 *
 * Returns: %TRUE when the settings can be sent; else @error says what to fix
 */
gboolean
starling_chat_settings_validate (StarlingChatSettings  *self,
                                 GError               **error)
{
  GemGenerationSettings *s;
  g_autofree char *cached = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (STARLING_IS_CHAT_SETTINGS (self), FALSE);

  s = self->settings;

  if (json_mode (s) && !is_blank (s->response_schema) && !check_json (s->response_schema, FALSE, error))
    {
      g_prefix_error (error, "%s ", _("Response schema:"));
      return FALSE;
    }

  if (!is_blank (s->function_declarations) && !check_json (s->function_declarations, TRUE, error))
    {
      g_prefix_error (error, "%s ", _("Function declarations:"));
      return FALSE;
    }

  cached = normalize_cached_content (gtk_editable_get_text (GTK_EDITABLE (self->cached_row)), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

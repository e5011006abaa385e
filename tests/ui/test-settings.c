/* test-settings.c: every chat setting into the request, the model list, the key, the inspector
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "fake-gemini.h"
#include "gem-error.h"
#include "gem-request.h"
#include "starling-application.h"
#include "starling-chat-settings.h"
#include "starling-chat-view.h"
#include "starling-conversation.h"
#include "starling-inspector.h"
#include "starling-message.h"
#include "starling-model-list.h"
#include "starling-model-row.h"
#include "starling-preferences-window.h"
#include "starling-secret.h"
#include "starling-settings-chips.h"
#include "starling-setup-dialog.h"
#include "starling-test-ui.h"

#define CONTENTS "\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]}]"
#define SECRET_KEY "sk-starling-SECRET-7f3a9c41d2"

/* ---- finding widgets as a user sees them ---- */

/* Compares a string setting (and frees it). */
#define assert_string_setting(settings, key, expected) \
  G_STMT_START { \
    g_autofree char *value_ = g_settings_get_string ((settings), (key)); \
    g_assert_cmpstr (value_, ==, (expected)); \
  } G_STMT_END

static GtkWidget *
find_row (GtkWidget  *root,
          const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (root) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, title);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
find_descendant (GtkWidget *root,
                 GType      type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        return child;
      found = find_descendant (child, type);
      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Shown: the widget and every ancestor up to its window or popover are
 * visible (a hidden group hides its rows); whether that popover is open is
 * another matter. */
static gboolean
is_shown (GtkWidget *widget)
{
  for (GtkWidget *w = widget; w != NULL && !GTK_IS_NATIVE (w); w = gtk_widget_get_parent (w))
    if (!gtk_widget_get_visible (w))
      return FALSE;

  return TRUE;
}

static GtkWidget *
row (GtkWidget  *root,
     const char *title)
{
  GtkWidget *found = find_row (root, title);

  if (found == NULL)
    g_error ("no row titled “%s”", title);

  return found;
}

static GtkWidget *
shown_row (GtkWidget  *root,
           const char *title)
{
  GtkWidget *found = row (root, title);

  g_assert_true (is_shown (found));
  g_assert_true (gtk_widget_is_sensitive (found));
  return found;
}

static GtkSwitch *
row_switch (GtkWidget  *root,
            const char *title)
{
  GtkWidget *toggle = find_descendant (shown_row (root, title), GTK_TYPE_SWITCH);

  g_assert_nonnull (toggle);
  return GTK_SWITCH (toggle);
}

static GtkSpinButton *
row_spin (GtkWidget  *root,
          const char *title)
{
  GtkWidget *spin = find_descendant (shown_row (root, title), GTK_TYPE_SPIN_BUTTON);

  g_assert_nonnull (spin);
  return GTK_SPIN_BUTTON (spin);
}

static GtkTextView *
row_text_view (GtkWidget  *root,
               const char *title)
{
  GtkWidget *view = find_descendant (shown_row (root, title), GTK_TYPE_TEXT_VIEW);

  g_assert_nonnull (view);
  return GTK_TEXT_VIEW (view);
}

static gboolean
combo_has_item (AdwComboRow *combo,
                const char  *label)
{
  GListModel *model = adw_combo_row_get_model (combo);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), label) == 0)
      return TRUE;

  return FALSE;
}

static void
choose_item (GtkWidget  *root,
             const char *title,
             const char *label)
{
  AdwComboRow *combo = ADW_COMBO_ROW (shown_row (root, title));
  GListModel *model = adw_combo_row_get_model (combo);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), label) == 0)
      {
        adw_combo_row_set_selected (combo, i);
        return;
      }

  g_error ("“%s” offers no “%s”", title, label);
}

static const char *
selected_item (GtkWidget  *root,
               const char *title)
{
  AdwComboRow *combo = ADW_COMBO_ROW (row (root, title));

  return gtk_string_list_get_string (GTK_STRING_LIST (adw_combo_row_get_model (combo)),
                                     adw_combo_row_get_selected (combo));
}

static void
type_text (GtkTextView *view,
           const char  *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), text, -1);
}

static void
choose_model (GtkWidget  *editor,
              const char *model)
{
  GtkWidget *model_row = find_descendant (editor, STARLING_TYPE_MODEL_ROW);

  g_assert_nonnull (model_row);
  starling_model_row_choose (STARLING_MODEL_ROW (model_row), model);
}

static char *
request_of (const GemGenerationSettings *settings,
            GError                     **error)
{
  g_autoptr(GPtrArray) turns = g_ptr_array_new_with_free_func ((GDestroyNotify) gem_turn_free);
  g_autoptr(GemGenerationSettings) copy = gem_generation_settings_copy (settings);
  g_autoptr(JsonNode) request = NULL;

  g_ptr_array_add (turns, gem_turn_new_text ("user", "Hi"));
  request = gem_request_build (copy, turns, error);
  if (request == NULL)
    return NULL;

  return gem_request_to_string (request, FALSE);
}

#define assert_request(editor, expected) \
  G_STMT_START { \
    g_autoptr(GError) request_error = NULL; \
    g_autofree char *request_text = request_of (starling_chat_settings_get_settings (STARLING_CHAT_SETTINGS (editor)), &request_error); \
    g_assert_no_error (request_error); \
    g_assert_cmpstr (request_text, ==, expected); \
  } G_STMT_END

/* ---- a model list without a server ---- */

static GemModelInfo *
model_info (const char *id,
            const char *display_name,
            gint64      input_limit,
            gint64      output_limit,
            const char *methods)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonArray) array = json_array_new ();
  g_auto(GStrv) names = g_strsplit (methods, ",", -1);
  g_autofree char *name = g_strconcat ("models/", id, NULL);

  for (guint i = 0; names[i] != NULL; i++)
    json_array_add_string_element (array, names[i]);
  json_object_set_string_member (object, "name", name);
  json_object_set_string_member (object, "displayName", display_name);
  json_object_set_int_member (object, "inputTokenLimit", input_limit);
  json_object_set_int_member (object, "outputTokenLimit", output_limit);
  json_object_set_array_member (object, "supportedGenerationMethods", json_array_ref (array));

  return gem_model_info_new_from_json (object, NULL);
}

typedef struct
{
  GemClient         *client;
  StarlingModelList *list;
  GtkWidget         *editor;
  char              *cache;
} Editor;

static void
editor_setup (Editor        *fixture,
              gconstpointer  data)
{
  /* Here, not in main(): a subprocess test must choose its D-Bus before libadwaita connects. */
  adw_init ();

  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *folder = g_dir_make_tmp ("starling-models-XXXXXX", NULL);

  fixture->cache = g_build_filename (folder, "models.json", NULL);
  fixture->client = gem_client_new ("http://127.0.0.1:9", NULL);
  fixture->list = starling_model_list_new (fixture->client, fixture->cache);

  g_ptr_array_add (models, model_info ("gemini-2.5-flash", "Gemini 2.5 Flash", 1048576, 65536, "generateContent,countTokens"));
  g_ptr_array_add (models, model_info ("gemini-2.0-flash", "Gemini 2.0 Flash", 1048576, 8192, "generateContent"));
  g_ptr_array_add (models, model_info ("gemini-3-pro-preview", "Gemini 3 Pro Preview", 1048576, 65536, "generateContent"));
  g_ptr_array_add (models, model_info ("text-embedding-004", "Text Embedding 004", 2048, 1, "embedContent"));
  starling_model_list_set_models (fixture->list, models);

  fixture->editor = g_object_ref_sink (starling_chat_settings_new ());
  starling_chat_settings_set_model_list (STARLING_CHAT_SETTINGS (fixture->editor), fixture->list);

  {
    g_autoptr(GemGenerationSettings) settings = gem_generation_settings_new (data != NULL ? data : "gemini-2.5-flash");

    starling_chat_settings_set_settings (STARLING_CHAT_SETTINGS (fixture->editor), settings);
  }
}

static void
editor_teardown (Editor        *fixture,
                 gconstpointer  data)
{
  g_autofree char *folder = g_path_get_dirname (fixture->cache);

  g_clear_object (&fixture->editor);
  g_clear_object (&fixture->list);
  g_clear_object (&fixture->client);
  g_unlink (fixture->cache);
  g_rmdir (folder);
  g_free (fixture->cache);
}

static const GemGenerationSettings *
settings_of (Editor *fixture)
{
  return starling_chat_settings_get_settings (STARLING_CHAT_SETTINGS (fixture->editor));
}

/* ---- every control, one at a time ---- */

static void
test_control_nothing_set (Editor        *fixture,
                          gconstpointer  data)
{
  assert_request (fixture->editor, "{" CONTENTS "}");
}

static void
count_changed_cb (GtkWidget *editor,
                  guint     *count)
{
  (*count)++;
}

static void
test_control_model (Editor        *fixture,
                    gconstpointer  data)
{
  guint changes = 0;

  g_signal_connect (fixture->editor, "changed", G_CALLBACK (count_changed_cb), &changes);

  choose_model (fixture->editor, "models/gemini-2.0-flash");
  g_assert_cmpstr (settings_of (fixture)->model, ==, "gemini-2.0-flash");
  g_assert_cmpuint (changes, ==, 1);

  /* The group says what the model is; an id the server did not list is accepted. */
  g_assert_cmpstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (gtk_widget_get_ancestor (row (fixture->editor, "Model"), ADW_TYPE_PREFERENCES_GROUP))),
                   ==, "Gemini 2.0 Flash · 1M tokens of context");
  choose_model (fixture->editor, "gemini-exp-unlisted");
  g_assert_cmpstr (settings_of (fixture)->model, ==, "gemini-exp-unlisted");
  g_assert_cmpstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (gtk_widget_get_ancestor (row (fixture->editor, "Model"), ADW_TYPE_PREFERENCES_GROUP))),
                   ==, "Not in the server’s list of models: it is sent as typed.");

  /* The model goes in the URL, never in the body. */
  assert_request (fixture->editor, "{" CONTENTS "}");
}

static void
test_control_thinking_level (Editor        *fixture,
                             gconstpointer  data)
{
  GtkWidget *editor = fixture->editor;

  choose_model (editor, "gemini-3-pro-preview");
  g_assert_true (is_shown (row (editor, "Thinking Level")));
  g_assert_false (is_shown (row (editor, "Thinking")));
  g_assert_false (is_shown (row (editor, "Thinking Budget")));
  /* Gemini 3 Pro has no MINIMAL level; Flash has. */
  g_assert_false (combo_has_item (ADW_COMBO_ROW (row (editor, "Thinking Level")), "Minimal"));

  choose_item (editor, "Thinking Level", "High");
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"thinkingConfig\":{\"thinkingLevel\":\"HIGH\"}}}");
  choose_item (editor, "Thinking Level", "Low");
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"thinkingConfig\":{\"thinkingLevel\":\"LOW\"}}}");

  choose_model (editor, "gemini-3-flash-preview");
  g_assert_cmpstr (selected_item (editor, "Thinking Level"), ==, "Low");
  choose_item (editor, "Thinking Level", "Minimal");
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"thinkingConfig\":{\"thinkingLevel\":\"MINIMAL\"}}}");
  choose_item (editor, "Thinking Level", "Medium");
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"thinkingConfig\":{\"thinkingLevel\":\"MEDIUM\"}}}");
  choose_item (editor, "Thinking Level", "Model Default");
  assert_request (editor, "{" CONTENTS "}");
}

static void
test_control_thinking_budget (Editor        *fixture,
                              gconstpointer  data)
{
  GtkWidget *editor = fixture->editor;
  GtkSpinButton *spin;

  g_assert_true (is_shown (row (editor, "Thinking")));
  g_assert_false (is_shown (row (editor, "Thinking Level")));

  choose_item (editor, "Thinking", "Off");
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"thinkingConfig\":{\"thinkingBudget\":0}}}");
  g_assert_false (is_shown (row (editor, "Thinking Budget")));

  choose_item (editor, "Thinking", "Dynamic");
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"thinkingConfig\":{\"thinkingBudget\":-1}}}");

  choose_item (editor, "Thinking", "Custom Budget");
  spin = row_spin (editor, "Thinking Budget");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row (editor, "Thinking Budget"))), ==,
                   "Between 1 and 24576 tokens");
  gtk_spin_button_set_value (spin, 2048);
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"thinkingConfig\":{\"thinkingBudget\":2048}}}");

  /* The spin button cannot go past the model's range. */
  gtk_spin_button_set_value (spin, 100000);
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"thinkingConfig\":{\"thinkingBudget\":24576}}}");

  /* 2.5 Pro cannot stop thinking: no Off to choose, and its own range. */
  choose_model (editor, "gemini-2.5-pro");
  g_assert_false (combo_has_item (ADW_COMBO_ROW (row (editor, "Thinking")), "Off"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row (editor, "Thinking Budget"))), ==,
                   "Between 128 and 32768 tokens");
  choose_item (editor, "Thinking", "Model Default");
  assert_request (editor, "{" CONTENTS "}");
}

static void
test_control_show_thoughts (Editor        *fixture,
                            gconstpointer  data)
{
  GtkWidget *editor = fixture->editor;

  gtk_switch_set_active (row_switch (editor, "Show Thoughts"), TRUE);
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"thinkingConfig\":{\"includeThoughts\":true}}}");

  /* Thinking off leaves nothing to show: the switch goes off and grey. */
  choose_item (editor, "Thinking", "Off");
  g_assert_false (gtk_widget_is_sensitive (row (editor, "Show Thoughts")));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (find_descendant (row (editor, "Show Thoughts"), GTK_TYPE_SWITCH))));
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"thinkingConfig\":{\"thinkingBudget\":0}}}");

  /* A model that does not think shows neither. */
  choose_model (editor, "gemini-2.0-flash");
  g_assert_false (is_shown (row (editor, "Show Thoughts")));
  g_assert_false (is_shown (row (editor, "Thinking")));
  assert_request (editor, "{" CONTENTS "}");
}

static void
test_control_tools (Editor        *fixture,
                    gconstpointer  data)
{
  GtkWidget *editor = fixture->editor;
  const struct { const char *title; const char *json; } tools[] = {
    { "Google Search", "{\"google_search\":{}}" },
    { "Google Maps", "{\"googleMaps\":{}}" },
    { "URL Context", "{\"urlContext\":{}}" },
    { "Code Execution", "{\"codeExecution\":{}}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (tools); i++)
    {
      g_autofree char *expected = g_strdup_printf ("{" CONTENTS ",\"tools\":[%s]}", tools[i].json);

      g_test_message ("%s", tools[i].title);
      gtk_switch_set_active (row_switch (editor, tools[i].title), TRUE);
      assert_request (editor, expected);
      gtk_switch_set_active (row_switch (editor, tools[i].title), FALSE);
      assert_request (editor, "{" CONTENTS "}");
    }

  for (guint i = 0; i < G_N_ELEMENTS (tools); i++)
    gtk_switch_set_active (row_switch (editor, tools[i].title), TRUE);
  assert_request (editor, "{" CONTENTS ",\"tools\":[{\"google_search\":{}},{\"googleMaps\":{}},{\"urlContext\":{}},{\"codeExecution\":{}}]}");
}

static void
test_control_function_declarations (Editor        *fixture,
                                    gconstpointer  data)
{
  GtkWidget *editor = fixture->editor;
  GtkTextView *view = row_text_view (editor, "Function Declarations");
  GtkWidget *error_label;
  g_autoptr(GError) error = NULL;

  type_text (view, "[{\"name\": \"get_weather\", \"parameters\": {\"type\": \"OBJECT\"}}]");
  assert_request (editor, "{" CONTENTS ",\"tools\":[{\"functionDeclarations\":[{\"name\":\"get_weather\",\"parameters\":{\"type\":\"OBJECT\"}}]}]}");
  g_assert_true (starling_chat_settings_validate (STARLING_CHAT_SETTINGS (editor), NULL));

  type_text (view, "{\"name\": \"not an array\"}");
  error_label = gtk_widget_get_next_sibling (gtk_widget_get_parent (GTK_WIDGET (view)));
  g_assert_true (is_shown (error_label));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (error_label)), ==,
                   "Function declarations must be a JSON array, such as [{\"name\": \"…\"}].");
  g_assert_false (starling_chat_settings_validate (STARLING_CHAT_SETTINGS (editor), &error));
  g_assert_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST);
}

static void
test_control_images (Editor        *fixture,
                     gconstpointer  data)
{
  GtkWidget *editor = fixture->editor;

  /* A text model offers no image options. */
  g_assert_false (is_shown (row (editor, "Answer With")));

  choose_model (editor, "gemini-2.5-flash-image");
  g_assert_true (is_shown (row (editor, "Answer With")));
  g_assert_true (is_shown (row (editor, "Aspect Ratio")));
  /* Only Gemini 3 image models choose a resolution. */
  g_assert_false (is_shown (row (editor, "Image Size")));
  /* Gemini 2.5 Flash Image neither thinks nor takes tools. */
  g_assert_false (is_shown (row (editor, "Show Thoughts")));
  g_assert_false (is_shown (row (editor, "Google Search")));

  choose_item (editor, "Answer With", "Text and Images");
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"responseModalities\":[\"TEXT\",\"IMAGE\"]}}");
  choose_item (editor, "Answer With", "Images Only");
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"responseModalities\":[\"IMAGE\"]}}");
  choose_item (editor, "Answer With", "Text Only");
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"responseModalities\":[\"TEXT\"]}}");
  choose_item (editor, "Answer With", "Text and Images");
  choose_item (editor, "Aspect Ratio", "16:9");
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"responseModalities\":[\"TEXT\",\"IMAGE\"],\"imageConfig\":{\"aspectRatio\":\"16:9\"}}}");

  choose_model (editor, "gemini-3-pro-image-preview");
  g_assert_true (is_shown (row (editor, "Image Size")));
  choose_item (editor, "Image Size", "2K");
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"responseModalities\":[\"TEXT\",\"IMAGE\"],\"imageConfig\":{\"aspectRatio\":\"16:9\",\"imageSize\":\"2K\"}}}");
  /* Gemini 3 image models think and may search, nothing else. */
  g_assert_true (is_shown (row (editor, "Show Thoughts")));
  g_assert_true (is_shown (row (editor, "Google Search")));
  g_assert_false (is_shown (row (editor, "Code Execution")));
  g_assert_false (is_shown (row (editor, "Thinking Level")));

  /* Back to a text model: the image options go. */
  choose_model (editor, "gemini-2.5-flash");
  assert_request (editor, "{" CONTENTS "}");
}

static void
test_control_sampling (Editor        *fixture,
                       gconstpointer  data)
{
  GtkWidget *editor = fixture->editor;
  const struct { const char *title; double value; const char *json; } cases[] = {
    { "Temperature", 0.7, "\"temperature\":0.7" },
    { "Top-P", 0.9, "\"topP\":0.9" },
    { "Top-K", 32, "\"topK\":32" },
    { "Maximum Output Tokens", 1024, "\"maxOutputTokens\":1024" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GtkSpinButton *spin = row_spin (editor, cases[i].title);
      GtkWidget *reset = find_descendant (row (editor, cases[i].title), GTK_TYPE_BUTTON);
      g_autofree char *expected = g_strdup_printf ("{" CONTENTS ",\"generationConfig\":{%s}}", cases[i].json);

      g_test_message ("%s", cases[i].title);
      /* Unset, the field says so. */
      g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (spin)), ==, "Default");
      g_assert_false (gtk_widget_get_visible (reset));

      gtk_spin_button_set_value (spin, cases[i].value);
      assert_request (editor, expected);
      g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (spin)), !=, "Default");
      g_assert_true (gtk_widget_get_visible (reset));

      g_signal_emit_by_name (reset, "clicked");
      assert_request (editor, "{" CONTENTS "}");
      g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (spin)), ==, "Default");
    }

  /* The output limit is the model's. */
  gtk_spin_button_set_value (row_spin (editor, "Maximum Output Tokens"), 1e9);
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"maxOutputTokens\":65536}}");
  choose_model (editor, "gemini-2.0-flash");
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"maxOutputTokens\":8192}}");
}

static void
test_control_stop_sequences (Editor        *fixture,
                             gconstpointer  data)
{
  GtkWidget *editor = fixture->editor;
  GtkTextView *view = row_text_view (editor, "Stop Sequences");
  GtkWidget *error_label = gtk_widget_get_next_sibling (gtk_widget_get_parent (GTK_WIDGET (view)));

  type_text (view, "END\n\n## Done");
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"stopSequences\":[\"END\",\"## Done\"]}}");
  g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row (editor, "Stop Sequences"))), ==, "2 sequences");
  g_assert_false (is_shown (error_label));

  type_text (view, "a\nb\nc\nd\ne\nf");
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"stopSequences\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}}");
  g_assert_true (is_shown (error_label));

  type_text (view, "");
  assert_request (editor, "{" CONTENTS "}");
}

static void
test_control_system_instruction (Editor        *fixture,
                                 gconstpointer  data)
{
  GtkWidget *editor = fixture->editor;
  GtkTextView *view = row_text_view (editor, "System Instruction");

  type_text (view, "You are a math tutor.\nAlways show your work.");
  assert_request (editor, "{" CONTENTS ",\"systemInstruction\":{\"parts\":[{\"text\":\"You are a math tutor.\\nAlways show your work.\"}]}}");
  g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row (editor, "System Instruction"))), ==,
                   "You are a math tutor.");

  /* White space alone is no instruction, and typing it is not undone under the cursor. */
  type_text (view, "  ");
  assert_request (editor, "{" CONTENTS "}");
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
    GtkTextIter start, end;
    g_autofree char *text = NULL;

    gtk_text_buffer_get_bounds (buffer, &start, &end);
    text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    g_assert_cmpstr (text, ==, "  ");
  }
}

static void
test_control_json (Editor        *fixture,
                   gconstpointer  data)
{
  GtkWidget *editor = fixture->editor;
  AdwExpanderRow *json = ADW_EXPANDER_ROW (shown_row (editor, "JSON Output"));
  GtkTextView *schema = GTK_TEXT_VIEW (find_descendant (GTK_WIDGET (json), GTK_TYPE_TEXT_VIEW));
  GtkWidget *error_label = gtk_widget_get_next_sibling (gtk_widget_get_parent (GTK_WIDGET (schema)));
  g_autoptr(GError) error = NULL;

  adw_expander_row_set_enable_expansion (json, TRUE);
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"responseMimeType\":\"application/json\"}}");

  type_text (schema, "{\"type\": \"ARRAY\", \"items\": {\"type\": \"STRING\"}}");
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"responseMimeType\":\"application/json\",\"responseSchema\":{\"type\":\"ARRAY\",\"items\":{\"type\":\"STRING\"}}}}");
  g_assert_false (is_shown (error_label));

  /* A broken schema says so at once, and is not sent. */
  type_text (schema, "{\"type\": ");
  g_assert_true (is_shown (error_label));
  g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (error_label)), "This is not valid JSON: "));
  g_assert_false (starling_chat_settings_validate (STARLING_CHAT_SETTINGS (editor), &error));
  g_assert_true (g_str_has_prefix (error->message, "Response schema: This is not valid JSON"));
  g_clear_error (&error);
  g_assert_null (request_of (settings_of (fixture), &error));
  g_assert_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST);
  g_clear_error (&error);

  type_text (schema, "[1, 2]");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (error_label)), ==,
                   "The response schema must be a JSON object, such as {\"type\": \"OBJECT\", …}.");

  /* Before Gemini 3, tools and JSON exclude each other: the tools grey out. */
  g_assert_false (gtk_widget_is_sensitive (row (editor, "Google Search")));
  adw_expander_row_set_enable_expansion (json, FALSE);
  assert_request (editor, "{" CONTENTS "}");
  g_assert_true (gtk_widget_is_sensitive (row (editor, "Google Search")));
  gtk_switch_set_active (row_switch (editor, "Google Search"), TRUE);
  g_assert_false (gtk_widget_is_sensitive (row (editor, "JSON Output")));

  /* Gemini 3 takes both. */
  choose_model (editor, "gemini-3-pro-preview");
  g_assert_true (gtk_widget_is_sensitive (row (editor, "JSON Output")));
  adw_expander_row_set_enable_expansion (json, TRUE);
  type_text (schema, "{\"type\": \"OBJECT\"}");
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"responseMimeType\":\"application/json\",\"responseSchema\":{\"type\":\"OBJECT\"}},\"tools\":[{\"google_search\":{}}]}");
}

static void
test_control_safety (Editor        *fixture,
                     gconstpointer  data)
{
  GtkWidget *editor = fixture->editor;

  choose_item (editor, "Harassment", "Block Few");
  assert_request (editor, "{" CONTENTS ",\"safetySettings\":[{\"category\":\"HARM_CATEGORY_HARASSMENT\",\"threshold\":\"BLOCK_ONLY_HIGH\"}]}");

  choose_item (editor, "Hate Speech", "Block None");
  choose_item (editor, "Sexually Explicit", "Block Most");
  choose_item (editor, "Dangerous Content", "Off");
  assert_request (editor, "{" CONTENTS ",\"safetySettings\":["
                  "{\"category\":\"HARM_CATEGORY_DANGEROUS_CONTENT\",\"threshold\":\"OFF\"},"
                  "{\"category\":\"HARM_CATEGORY_HARASSMENT\",\"threshold\":\"BLOCK_ONLY_HIGH\"},"
                  "{\"category\":\"HARM_CATEGORY_HATE_SPEECH\",\"threshold\":\"BLOCK_NONE\"},"
                  "{\"category\":\"HARM_CATEGORY_SEXUALLY_EXPLICIT\",\"threshold\":\"BLOCK_LOW_AND_ABOVE\"}]}");

  choose_item (editor, "Harassment", "Model Default");
  choose_item (editor, "Hate Speech", "Model Default");
  choose_item (editor, "Sexually Explicit", "Block Some");
  choose_item (editor, "Dangerous Content", "Model Default");
  assert_request (editor, "{" CONTENTS ",\"safetySettings\":[{\"category\":\"HARM_CATEGORY_SEXUALLY_EXPLICIT\",\"threshold\":\"BLOCK_MEDIUM_AND_ABOVE\"}]}");
}

static void
test_control_cached_content (Editor        *fixture,
                             gconstpointer  data)
{
  GtkWidget *editor = fixture->editor;
  GtkWidget *cached = shown_row (editor, "Cached Content (cachedContents/…)");
  g_autoptr(GError) error = NULL;

  type_text (row_text_view (editor, "System Instruction"), "Be brief.");
  gtk_switch_set_active (row_switch (editor, "Google Search"), TRUE);

  gtk_editable_set_text (GTK_EDITABLE (cached), "abc123");
  g_signal_emit_by_name (cached, "apply");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cached)), ==, "cachedContents/abc123");
  /* The cache holds the instruction and tools: they are left out, and greyed. */
  assert_request (editor, "{" CONTENTS ",\"cachedContent\":\"cachedContents/abc123\"}");
  g_assert_false (gtk_widget_is_sensitive (row (editor, "Google Search")));

  gtk_editable_set_text (GTK_EDITABLE (cached), "files/abc");
  g_signal_emit_by_name (cached, "apply");
  g_assert_true (gtk_widget_has_css_class (cached, "error"));
  g_assert_false (starling_chat_settings_validate (STARLING_CHAT_SETTINGS (editor), &error));
  g_assert_cmpstr (error->message, ==, "“files/abc” is not the name of cached content: it looks like cachedContents/ID.");

  gtk_editable_set_text (GTK_EDITABLE (cached), "");
  g_signal_emit_by_name (cached, "apply");
  assert_request (editor, "{" CONTENTS ",\"systemInstruction\":{\"parts\":[{\"text\":\"Be brief.\"}]},\"tools\":[{\"google_search\":{}}]}");
}

/* ---- switching models ---- */

static void
test_model_switch (Editor        *fixture,
                   gconstpointer  data)
{
  GtkWidget *editor = fixture->editor;
  g_autoptr(GemGenerationSettings) settings = gem_generation_settings_new ("gemini-3-pro-preview");

  settings->thinking_level = GEM_THINKING_LEVEL_HIGH;
  settings->include_thoughts = TRUE;
  settings->google_search = TRUE;
  settings->code_execution = TRUE;
  starling_chat_settings_set_settings (STARLING_CHAT_SETTINGS (editor), settings);
  g_assert_cmpstr (selected_item (editor, "Thinking Level"), ==, "High");
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"thinkingConfig\":{\"thinkingLevel\":\"HIGH\",\"includeThoughts\":true}},"
                  "\"tools\":[{\"google_search\":{}},{\"codeExecution\":{}}]}");

  /* 2.5 takes a budget: the level goes, the budget control comes. */
  choose_model (editor, "gemini-2.5-flash");
  g_assert_false (is_shown (row (editor, "Thinking Level")));
  g_assert_true (is_shown (row (editor, "Thinking")));
  g_assert_cmpstr (selected_item (editor, "Thinking"), ==, "Model Default");
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"thinkingConfig\":{\"includeThoughts\":true}},"
                  "\"tools\":[{\"google_search\":{}},{\"codeExecution\":{}}]}");

  choose_item (editor, "Thinking", "Custom Budget");
  gtk_spin_button_set_value (row_spin (editor, "Thinking Budget"), 30000);
  assert_request (editor, "{" CONTENTS ",\"generationConfig\":{\"thinkingConfig\":{\"thinkingBudget\":24576,\"includeThoughts\":true}},"
                  "\"tools\":[{\"google_search\":{}},{\"codeExecution\":{}}]}");

  /* Pro goes higher but never below 128; the budget kept fits. */
  choose_model (editor, "gemini-2.5-pro");
  g_assert_cmpint (settings_of (fixture)->thinking_budget, ==, 24576);

  /* Back to Gemini 3: the budget goes. */
  choose_model (editor, "gemini-3-flash-preview");
  g_assert_false (settings_of (fixture)->has_thinking_budget);
  g_assert_true (is_shown (row (editor, "Thinking Level")));
  g_assert_cmpstr (selected_item (editor, "Thinking Level"), ==, "Model Default");

  /* An image model of 2.5: no thinking, no tools. */
  choose_model (editor, "gemini-2.5-flash-image");
  g_assert_false (is_shown (row (editor, "Show Thoughts")));
  g_assert_false (is_shown (row (editor, "Google Search")));
  assert_request (editor, "{" CONTENTS "}");

  /* Gemma: no system instruction either. */
  type_text (row_text_view (editor, "System Instruction"), "Be brief.");
  choose_model (editor, "gemma-3-27b-it");
  g_assert_false (is_shown (row (editor, "System Instruction")));
  assert_request (editor, "{" CONTENTS "}");
}

static void
test_describe_thinking (void)
{
  adw_init ();

  const struct { const char *model; int level; int budget; const char *expected; } cases[] = {
    { "gemini-3-pro-preview", GEM_THINKING_LEVEL_HIGH, G_MININT, "Thinking: High" },
    { "gemini-3-pro-preview", GEM_THINKING_LEVEL_UNSET, G_MININT, "Thinking: Default" },
    { "gemini-2.5-flash", GEM_THINKING_LEVEL_UNSET, 0, "Thinking Off" },
    { "gemini-2.5-flash", GEM_THINKING_LEVEL_UNSET, -1, "Thinking: Dynamic" },
    { "gemini-2.5-flash", GEM_THINKING_LEVEL_UNSET, 8192, "Thinking: 8K Tokens" },
    { "gemini-2.5-pro", GEM_THINKING_LEVEL_UNSET, 0, "Thinking: 128 Tokens" },
    { "gemini-2.0-flash", GEM_THINKING_LEVEL_UNSET, G_MININT, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GemGenerationSettings) settings = gem_generation_settings_new (cases[i].model);
      g_autofree char *text = NULL;

      settings->thinking_level = cases[i].level;
      settings->has_thinking_budget = cases[i].budget != G_MININT;
      settings->thinking_budget = cases[i].budget != G_MININT ? cases[i].budget : 0;
      text = starling_chat_settings_describe_thinking (settings);
      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

/* ---- the chips ---- */

static void
test_chips (Editor        *fixture,
            gconstpointer  data)
{
  g_autoptr(GtkWidget) chips = g_object_ref_sink (starling_settings_chips_new ());
  g_autoptr(GemGenerationSettings) settings = gem_generation_settings_new ("gemini-2.5-flash");
  StarlingChatSettings *editor = starling_settings_chips_get_editor (STARLING_SETTINGS_CHIPS (chips));
  g_autofree char *summary = NULL;
  guint changes = 0;

  starling_settings_chips_set_model_list (STARLING_SETTINGS_CHIPS (chips), fixture->list);
  settings->has_thinking_budget = TRUE;
  settings->thinking_budget = 0;
  starling_settings_chips_set_settings (STARLING_SETTINGS_CHIPS (chips), settings);
  summary = starling_settings_chips_dup_summary (STARLING_SETTINGS_CHIPS (chips));
  g_assert_cmpstr (summary, ==, "Gemini 2.5 Flash\nThinking Off\n");
  g_clear_pointer (&summary, g_free);

  g_signal_connect (chips, "changed", G_CALLBACK (count_changed_cb), &changes);
  gtk_switch_set_active (row_switch (GTK_WIDGET (editor), "Google Search"), TRUE);
  type_text (row_text_view (GTK_WIDGET (editor), "System Instruction"), "Be brief.");
  choose_model (GTK_WIDGET (editor), "gemini-2.5-flash-image");
  choose_item (GTK_WIDGET (editor), "Aspect Ratio", "16:9");
  g_assert_cmpuint (changes, ==, 4);

  summary = starling_settings_chips_dup_summary (STARLING_SETTINGS_CHIPS (chips));
  g_assert_cmpstr (summary, ==, "gemini-2.5-flash-image\nImages · 16:9\nSystem Instruction\n");
  g_clear_pointer (&summary, g_free);

  choose_model (GTK_WIDGET (editor), "gemini-3-pro-preview");
  choose_item (GTK_WIDGET (editor), "Thinking Level", "Low");
  gtk_switch_set_active (row_switch (GTK_WIDGET (editor), "Google Search"), TRUE);
  gtk_spin_button_set_value (row_spin (GTK_WIDGET (editor), "Temperature"), 0.5);
  summary = starling_settings_chips_dup_summary (STARLING_SETTINGS_CHIPS (chips));
  g_assert_cmpstr (summary, ==, "Gemini 3 Pro Preview\nThinking: Low\nGoogle Search\n+2\n");
}

/* The chips show a conversation's settings before the editor exists: it is
 * built when the popover first opens, and then starts from them. */
static void
test_chips_before_the_editor (Editor        *fixture,
                              gconstpointer  data)
{
  g_autoptr(GtkWidget) widget = g_object_ref_sink (starling_settings_chips_new ());
  StarlingSettingsChips *chips = STARLING_SETTINGS_CHIPS (widget);
  GtkPopover *popover = starling_settings_chips_get_popover (chips);
  g_autoptr(GemGenerationSettings) settings = gem_generation_settings_new ("gemini-2.5-flash");
  StarlingChatSettings *editor;
  g_autofree char *summary = NULL;
  guint changes = 0;

  starling_settings_chips_set_model_list (chips, fixture->list);
  /* A thinking level is for Gemini 3: the chips clear it, as the editor does. */
  settings->thinking_level = GEM_THINKING_LEVEL_HIGH;
  settings->google_search = TRUE;
  settings->has_temperature = TRUE;
  settings->temperature = 0.25;
  starling_settings_chips_set_settings (chips, settings);
  g_assert_null (gtk_popover_get_child (popover));
  g_assert_cmpint (starling_settings_chips_get_settings (chips)->thinking_level, ==, GEM_THINKING_LEVEL_UNSET);
  summary = starling_settings_chips_dup_summary (chips);
  g_assert_cmpstr (summary, ==, "Gemini 2.5 Flash\nThinking: Default\nGoogle Search\nTemperature\n");
  g_clear_pointer (&summary, g_free);

  editor = starling_settings_chips_get_editor (chips);
  g_assert_true (gtk_popover_get_child (popover) == GTK_WIDGET (editor));
  g_assert_true (starling_settings_chips_get_editor (chips) == editor);
  g_assert_cmpstr (starling_chat_settings_get_settings (editor)->model, ==, "gemini-2.5-flash");
  g_assert_true (gtk_switch_get_active (row_switch (GTK_WIDGET (editor), "Google Search")));
  g_assert_cmpfloat (gtk_spin_button_get_value (row_spin (GTK_WIDGET (editor), "Temperature")), ==, 0.25);

  /* What the user changes there reaches the chips and whoever saves them. */
  g_signal_connect (widget, "changed", G_CALLBACK (count_changed_cb), &changes);
  gtk_switch_set_active (row_switch (GTK_WIDGET (editor), "Google Search"), FALSE);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_false (starling_settings_chips_get_settings (chips)->google_search);
  summary = starling_settings_chips_dup_summary (chips);
  g_assert_cmpstr (summary, ==, "Gemini 2.5 Flash\nThinking: Default\nTemperature\n");
  g_clear_pointer (&summary, g_free);

  /* Settings set later go to the editor too. */
  g_clear_pointer (&settings, gem_generation_settings_free);
  settings = gem_generation_settings_new ("gemini-3-pro-preview");
  settings->thinking_level = GEM_THINKING_LEVEL_LOW;
  starling_settings_chips_set_settings (chips, settings);
  g_assert_cmpstr (selected_item (GTK_WIDGET (editor), "Thinking Level"), ==, "Low");
  summary = starling_settings_chips_dup_summary (chips);
  g_assert_cmpstr (summary, ==, "Gemini 3 Pro Preview\nThinking: Low\n");
}

/* A model set in code (not in the popover) shows in the chat view's chips. */
static void
test_chips_follow_the_conversation (Editor        *fixture,
                                    gconstpointer  data)
{
  g_autoptr(StarlingConversation) conversation = starling_conversation_new (fixture->client, "gemini-2.5-flash");
  g_autoptr(GtkWidget) view = g_object_ref_sink (starling_chat_view_new (conversation));
  StarlingSettingsChips *chips = STARLING_SETTINGS_CHIPS (starling_test_find_widget (view, STARLING_TYPE_SETTINGS_CHIPS, NULL));
  g_autofree char *summary = NULL;

  summary = starling_settings_chips_dup_summary (chips);
  g_assert_true (g_str_has_prefix (summary, "gemini-2.5-flash\n") || g_str_has_prefix (summary, "Gemini 2.5 Flash\n"));
  g_clear_pointer (&summary, g_free);

  starling_conversation_set_model (conversation, "gemini-3-pro-preview");
  g_assert_cmpstr (starling_settings_chips_get_settings (chips)->model, ==, "gemini-3-pro-preview");
  summary = starling_settings_chips_dup_summary (chips);
  g_assert_true (g_str_has_prefix (summary, "gemini-3-pro-preview\n") || g_str_has_prefix (summary, "Gemini 3 Pro Preview\n"));
}

/* ---- through the fake server ---- */

typedef struct
{
  gboolean     done;
  GemResponse *response;
  GError      *error;
} Generation;

static void
generate_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Generation *generation = user_data;

  generation->response = gem_client_generate_finish (GEM_CLIENT (object), result, NULL, &generation->error);
  generation->done = TRUE;
}

static gboolean
flag_is_set (gpointer user_data)
{
  return *(gboolean *) user_data;
}

static char *
send_and_record (FakeGemini                  *fake,
                 const GemGenerationSettings *settings,
                 GemGenerateFlags             flags,
                 char                       **path)
{
  g_autoptr(GemClient) client = gem_client_new (fake_gemini_get_base_url (fake), FAKE_GEMINI_DEFAULT_API_KEY);
  g_autoptr(GPtrArray) turns = g_ptr_array_new_with_free_func ((GDestroyNotify) gem_turn_free);
  g_autoptr(GemGenerationSettings) copy = gem_generation_settings_copy (settings);
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GError) error = NULL;
  Generation generation = { 0 };
  FakeGeminiRequest *recorded;

  fake_gemini_clear_requests (fake);
  g_ptr_array_add (turns, gem_turn_new_text ("user", "Hi"));
  request = gem_request_build (copy, turns, &error);
  g_assert_no_error (error);

  gem_client_generate_async (client, settings->model, request, flags, NULL, generate_cb, &generation);
  g_assert_true (starling_test_wait_for (flag_is_set, &generation.done, 10000));
  g_assert_no_error (generation.error);
  g_clear_object (&generation.response);

  requests = fake_gemini_dup_requests (fake);
  g_assert_cmpuint (requests->len, ==, 1);
  recorded = g_ptr_array_index (requests, 0);
  *path = g_strdup_printf ("%s%s%s", recorded->path, recorded->query ? "?" : "", recorded->query ? recorded->query : "");
  body = fake_gemini_request_dup_json (recorded);
  g_assert_nonnull (body);

  return gem_request_to_string (body, FALSE);
}

static void
test_end_to_end (Editor        *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FakeGemini) fake = fake_gemini_new (g_getenv ("STARLING_CORPUS_DIR"), &error);
  GtkWidget *editor = fixture->editor;
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;

  g_assert_no_error (error);

  /* Gemini 3, streamed: a thinking level, thoughts, search, an instruction. */
  choose_model (editor, "gemini-3-pro-preview");
  choose_item (editor, "Thinking Level", "Low");
  gtk_switch_set_active (row_switch (editor, "Show Thoughts"), TRUE);
  gtk_switch_set_active (row_switch (editor, "Google Search"), TRUE);
  type_text (row_text_view (editor, "System Instruction"), "You are a math tutor.");
  body = send_and_record (fake, settings_of (fixture), GEM_GENERATE_FLAGS_STREAM, &path);
  g_assert_cmpstr (path, ==, "/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse");
  g_assert_cmpstr (body, ==, "{" CONTENTS ",\"systemInstruction\":{\"parts\":[{\"text\":\"You are a math tutor.\"}]},"
                   "\"generationConfig\":{\"thinkingConfig\":{\"thinkingLevel\":\"LOW\",\"includeThoughts\":true}},"
                   "\"tools\":[{\"google_search\":{}}]}");
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&body, g_free);

  /* Gemini 2.5, unary: a budget, sampling, stop sequences, safety, JSON. */
  choose_model (editor, "gemini-2.5-flash");
  gtk_switch_set_active (row_switch (editor, "Google Search"), FALSE);
  choose_item (editor, "Thinking", "Custom Budget");
  gtk_spin_button_set_value (row_spin (editor, "Thinking Budget"), 512);
  gtk_spin_button_set_value (row_spin (editor, "Temperature"), 0.25);
  gtk_spin_button_set_value (row_spin (editor, "Maximum Output Tokens"), 300);
  type_text (row_text_view (editor, "Stop Sequences"), "END");
  choose_item (editor, "Dangerous Content", "Block None");
  adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (shown_row (editor, "JSON Output")), TRUE);
  body = send_and_record (fake, settings_of (fixture), GEM_GENERATE_FLAGS_NONE, &path);
  g_assert_cmpstr (path, ==, "/v1beta/models/gemini-2.5-flash:generateContent");
  g_assert_cmpstr (body, ==, "{" CONTENTS ",\"systemInstruction\":{\"parts\":[{\"text\":\"You are a math tutor.\"}]},"
                   "\"generationConfig\":{\"stopSequences\":[\"END\"],\"responseMimeType\":\"application/json\","
                   "\"maxOutputTokens\":300,\"temperature\":0.25,"
                   "\"thinkingConfig\":{\"thinkingBudget\":512,\"includeThoughts\":true}},"
                   "\"safetySettings\":[{\"category\":\"HARM_CATEGORY_DANGEROUS_CONTENT\",\"threshold\":\"BLOCK_NONE\"}]}");
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&body, g_free);

  /* A Gemini 3 image model: images, aspect ratio, size. */
  {
    g_autoptr(GemGenerationSettings) fresh = gem_generation_settings_new ("gemini-3-pro-image-preview");

    starling_chat_settings_set_settings (STARLING_CHAT_SETTINGS (editor), fresh);
  }
  choose_item (editor, "Answer With", "Images Only");
  choose_item (editor, "Aspect Ratio", "9:16");
  choose_item (editor, "Image Size", "4K");
  body = send_and_record (fake, settings_of (fixture), GEM_GENERATE_FLAGS_STREAM, &path);
  g_assert_cmpstr (path, ==, "/v1beta/models/gemini-3-pro-image-preview:streamGenerateContent?alt=sse");
  g_assert_cmpstr (body, ==, "{" CONTENTS ",\"generationConfig\":{\"responseModalities\":[\"IMAGE\"],"
                   "\"imageConfig\":{\"aspectRatio\":\"9:16\",\"imageSize\":\"4K\"}}}");
}

/* ---- the model list ---- */

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Refresh;

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Refresh *refresh = user_data;

  refresh->ok = starling_model_list_refresh_finish (STARLING_MODEL_LIST (object), result, &refresh->error);
  refresh->done = TRUE;
}

static gboolean
refresh_list (StarlingModelList  *list,
              GError            **error)
{
  Refresh refresh = { 0 };

  starling_model_list_refresh_async (list, NULL, refresh_cb, &refresh);
  g_assert_true (starling_model_list_get_loading (list));
  g_assert_true (starling_test_wait_for (flag_is_set, &refresh.done, 20000));
  g_assert_false (starling_model_list_get_loading (list));
  if (refresh.error != NULL)
    g_propagate_error (error, refresh.error);

  return refresh.ok;
}

static char *
temp_cache_path (void)
{
  g_autofree char *folder = g_build_filename (g_get_user_cache_dir (), "starling-test", NULL);
  static guint counter;

  g_mkdir_with_parents (folder, 0700);
  return g_strdup_printf ("%s/models-%u.json", folder, counter++);
}

static void
test_model_list_paging_and_cache (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FakeGemini) fake = fake_gemini_new (g_getenv ("STARLING_CORPUS_DIR"), &error);
  g_autoptr(GemClient) client = NULL;
  g_autoptr(StarlingModelList) list = NULL;
  g_autoptr(StarlingModelList) again = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *cache = temp_cache_path ();
  g_autofree char *contents = NULL;
  g_autofree char *subtitle = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  GemModelInfo *flash;

  g_assert_no_error (error);
  client = gem_client_new (fake_gemini_get_base_url (fake), FAKE_GEMINI_DEFAULT_API_KEY);
  list = starling_model_list_new (client, cache);
  starling_model_list_set_page_size (list, 5);

  g_assert_false (starling_model_list_load_cache (list));
  g_assert_true (refresh_list (list, &error));
  g_assert_no_error (error);

  /* 13 models in pages of 5: three requests, each following the last token. */
  requests = fake_gemini_dup_requests (fake);
  g_assert_cmpuint (requests->len, ==, 3);
  for (guint i = 0; i < requests->len; i++)
    {
      FakeGeminiRequest *request = g_ptr_array_index (requests, i);

      g_assert_cmpstr (request->method, ==, "GET");
      g_assert_cmpstr (request->path, ==, "/v1beta/models");
      g_assert_nonnull (strstr (request->query, "pageSize=5"));
      g_assert_true ((strstr (request->query, "pageToken=") != NULL) == (i > 0));
      /* The key travels in a header, never in the URL. */
      g_assert_null (strstr (request->query, "key="));
      g_assert_cmpstr (fake_gemini_request_get_header (request, "x-goog-api-key"), ==, FAKE_GEMINI_DEFAULT_API_KEY);
    }

  /* Only models that can chat: the two embedding models are left out. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 11);
  g_assert_null (starling_model_list_lookup (list, "text-embedding-004"));
  flash = starling_model_list_lookup (list, "models/gemini-2.5-flash");
  g_assert_nonnull (flash);
  g_assert_cmpstr (gem_model_info_get_display_name (flash), ==, "Gemini 2.5 Flash");
  subtitle = starling_model_list_describe (flash);
  g_assert_cmpstr (subtitle, ==, "gemini-2.5-flash · 1M tokens");

  /* The cache names its server and holds the list. */
  g_assert_true (g_file_get_contents (cache, &contents, NULL, NULL));
  g_assert_true (json_parser_load_from_data (parser, contents, -1, NULL));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "baseUrl"),
                   ==, fake_gemini_get_base_url (fake));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "models")),
                    ==, 13);

  /* Next start: the list comes from the cache, without a request. */
  fake_gemini_clear_requests (fake);
  again = starling_model_list_new (client, cache);
  starling_model_list_ensure (again);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 11);
  g_assert_nonnull (starling_model_list_get_updated (again));
  g_assert_cmpstr (gem_model_info_get_display_name (starling_model_list_lookup (again, "gemini-2.5-flash-image")), ==, "Nano Banana");
  starling_test_iterate (100);
  g_assert_cmpuint (fake_gemini_get_request_count (fake), ==, 0);

  /* A refresh asks again (default page size: one page). */
  g_assert_true (refresh_list (again, &error));
  g_assert_cmpuint (fake_gemini_get_request_count (fake), ==, 1);

  /* Another server: the cache is not its list. */
  gem_client_set_base_url (client, "https://other.example.com");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 0);
  g_assert_false (starling_model_list_load_cache (again));

  g_unlink (cache);
}

static void
test_format_tokens (void)
{
  const struct { gint64 tokens; const char *text; } cases[] = {
    { 1048576, "1M tokens" },
    { 2097152, "2M tokens" },
    { 1000000, "1M tokens" },
    { 131072, "128K tokens" },
    { 32768, "32K tokens" },
    { 1500, "1.5K tokens" },
    { 500, "500 tokens" },
    { 0, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = starling_model_list_format_tokens (cases[i].tokens);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* A server that answers every request with an HTML page. */
static void
html_handler (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  static const char page[] = "<!DOCTYPE html><html><head><title>Welcome</title></head><body><h1>It works</h1></body></html>";

  soup_server_message_set_status (msg, GPOINTER_TO_UINT (user_data), NULL);
  soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, page, strlen (page));
}

static char *
list_error (const char *base_url,
            const char *key)
{
  g_autoptr(GemClient) client = gem_client_new (base_url, key);
  g_autofree char *cache = temp_cache_path ();
  g_autoptr(StarlingModelList) list = NULL;
  g_autoptr(GError) error = NULL;

  gem_client_set_max_retries (client, 0);
  gem_client_set_connect_timeout (client, 5);
  list = starling_model_list_new (client, cache);
  g_assert_false (refresh_list (list, &error));
  g_assert_nonnull (error);
  /* The same sentence is kept for the picker and the preferences. */
  g_assert_cmpstr (starling_model_list_get_error_message (list), ==, error->message);
  g_assert_false (g_file_test (cache, G_FILE_TEST_EXISTS));

  return g_strdup (error->message);
}

static void
test_model_list_failures (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FakeGemini) fake = fake_gemini_new (g_getenv ("STARLING_CORPUS_DIR"), &error);
  g_autoptr(SoupServer) html_ok = soup_server_new (NULL, NULL);
  g_autoptr(SoupServer) html_404 = soup_server_new (NULL, NULL);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *message = NULL;
  g_autofree char *dead_url = NULL;
  g_autofree char *ok_url = NULL;
  g_autofree char *missing_url = NULL;
  GSList *uris;

  g_assert_no_error (error);

  /* A wrong key. */
  message = list_error (fake_gemini_get_base_url (fake), "wrong-key");
  g_assert_nonnull (strstr (message, "rejected the API key"));
  g_clear_pointer (&message, g_free);

  /* No key at all. */
  message = list_error (fake_gemini_get_base_url (fake), NULL);
  g_assert_cmpstr (message, ==, "Enter an API key first.");
  g_clear_pointer (&message, g_free);

  /* A port nobody listens on: bound, then closed. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  g_clear_object (&address);
  address = g_socket_get_local_address (socket, &error);
  dead_url = g_strdup_printf ("http://127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
  g_socket_close (socket, NULL);
  message = list_error (dead_url, "some-key");
  g_assert_nonnull (strstr (message, "Could not connect to 127.0.0.1"));
  g_clear_pointer (&message, g_free);

  /* A web server, not a Gemini API: an HTML page with 200, and with 404. */
  soup_server_add_handler (html_ok, NULL, html_handler, GUINT_TO_POINTER (200), NULL);
  soup_server_add_handler (html_404, NULL, html_handler, GUINT_TO_POINTER (404), NULL);
  g_assert_true (soup_server_listen_local (html_ok, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_true (soup_server_listen_local (html_404, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (html_ok);
  ok_url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  uris = soup_server_get_uris (html_404);
  missing_url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  message = list_error (ok_url, "some-key");
  g_assert_nonnull (strstr (message, "answered, but not as a Gemini API"));
  g_assert_nonnull (strstr (message, "Check the base URL"));
  g_clear_pointer (&message, g_free);

  message = list_error (missing_url, "some-key");
  g_assert_nonnull (strstr (message, "is not a Gemini API: it has no model list at /v1beta/models (HTTP 404)"));
  g_clear_pointer (&message, g_free);

  /* A secure connection that fails keeps the client's own sentence. */
  {
    g_autoptr(GError) tls = g_error_new_literal (GEM_ERROR, GEM_ERROR_TLS,
                                                 "The secure connection to example.com could not be trusted: the certificate has expired.");
    g_autofree char *sentence = starling_model_list_describe_error (tls, "https://example.com");

    g_assert_cmpstr (sentence, ==, tls->message);
  }
}

/* ---- the keyring ---- */

typedef struct
{
  gboolean  done;
  char     *key;
  GError   *error;
} Lookup;

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Lookup *lookup = user_data;

  lookup->key = starling_secret_lookup_finish (result, &lookup->error);
  lookup->done = TRUE;
}

static char *
fresh_lookup (GError **error)
{
  Lookup lookup = { 0 };

  starling_secret_lookup_async (NULL, lookup_cb, &lookup);
  g_assert_true (starling_test_wait_for (flag_is_set, &lookup.done, 10000));
  if (lookup.error != NULL)
    g_propagate_error (error, lookup.error);

  return lookup.key;
}

typedef struct
{
  const char *expected;
} KeyWait;

static gboolean
keyring_holds (gpointer user_data)
{
  KeyWait *wait = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = fresh_lookup (&error);

  g_assert_no_error (error);
  return g_strcmp0 (key, wait->expected) == 0;
}

/* Waits for the keyring to hold the key (or none): pending keyring calls
 * cancelled at shutdown would outlive the application. */
static void
set_key_and_wait (StarlingApplication *app,
                  const char          *key)
{
  KeyWait wait = { key };

  starling_application_set_api_key (app, key);
  g_assert_true (starling_test_wait_for (keyring_holds, &wait, 10000));
}

/* ---- screenshots ---- */

static GdkTexture *
render (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  return gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                      &GRAPHENE_RECT_INIT (0, 0, width, height));
}

/* Saves what the widget shows now; returns its average brightness, 0 (black) to 255 (white). */
static double
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *pixels = NULL;
  g_autofree char *path = NULL;
  gsize stride;
  double sum = 0;
  int width, height;

  texture = render (widget);
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  stride = (gsize) width * 4;
  pixels = g_malloc (stride * height);
  gdk_texture_download (texture, pixels, stride);
  for (gsize i = 0; i < stride * height; i += 4)
    sum += (pixels[i] + pixels[i + 1] + pixels[i + 2]) / 3.0;

  path = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".", name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);

  return sum / ((double) width * height);
}

/* ---- the inspector ---- */

static void
test_inspector_redaction_and_curl (void)
{
  g_autofree char *redacted = NULL;
  g_autofree char *curl = NULL;
  g_autoptr(GError) error = NULL;
  const char *request = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"It's 2+2\"}]}],"
                        "\"generationConfig\":{\"temperature\":0.7},\"key\":\"leaked\","
                        "\"extra\":{\"x-goog-api-key\":\"leaked\",\"Authorization\":\"Bearer leaked\"}}";

  redacted = starling_inspector_redact_json (request, NULL);
  g_assert_null (strstr (redacted, "leaked"));
  g_assert_nonnull (strstr (redacted, "\"key\": \"[REDACTED]\""));
  g_assert_nonnull (strstr (redacted, "\"x-goog-api-key\": \"[REDACTED]\""));
  g_assert_nonnull (strstr (redacted, "\"temperature\": 0.7"));
  g_clear_pointer (&redacted, g_free);

  /* Text that is not JSON still loses the key. */
  redacted = starling_inspector_redact_json ("upstream said: bad key " SECRET_KEY, SECRET_KEY);
  g_assert_cmpstr (redacted, ==, "upstream said: bad key [REDACTED]");

  curl = starling_inspector_build_curl ("{\"contents\":[{\"parts\":[{\"text\":\"It's\"}]}]}",
                                        "https://api.cometapi.com", GEM_AUTH_STYLE_X_GOOG_API_KEY,
                                        "gemini-2.5-flash", TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (curl, ==,
                   "curl \"https://api.cometapi.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse\" \\\n"
                   "  -H \"Content-Type: application/json\" \\\n"
                   "  -H \"x-goog-api-key: $COMETAPI_KEY\" \\\n"
                   "  --no-buffer \\\n"
                   "  -d '{\n"
                   "  \"contents\": [\n"
                   "    {\n"
                   "      \"parts\": [\n"
                   "        {\n"
                   "          \"text\": \"It'\\''s\"\n"
                   "        }\n"
                   "      ]\n"
                   "    }\n"
                   "  ]\n"
                   "}'\n");
  g_clear_pointer (&curl, g_free);

  curl = starling_inspector_build_curl ("{}", "https://generativelanguage.googleapis.com/", GEM_AUTH_STYLE_BEARER,
                                        "models/gemini-3-pro-preview", FALSE, &error);
  g_assert_cmpstr (curl, ==,
                   "curl \"https://generativelanguage.googleapis.com/v1beta/models/gemini-3-pro-preview:generateContent\" \\\n"
                   "  -H \"Content-Type: application/json\" \\\n"
                   "  -H \"Authorization: Bearer $GEMINI_API_KEY\" \\\n"
                   "  -d '{}'\n");
}

static gboolean
inspector_shown (gpointer user_data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      if (STARLING_IS_INSPECTOR (toplevel) && gtk_widget_get_mapped (toplevel))
        {
          *(StarlingInspector **) user_data = STARLING_INSPECTOR (toplevel);
          return TRUE;
        }
    }

  return FALSE;
}

static StarlingMessage *
answered_message (const char *request_json)
{
  static const char response[] = "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"4\"}]},"
                                 "\"finishReason\":\"STOP\"}],\"modelVersion\":\"gemini-2.5-flash\"}";
  g_autoptr(GemResponse) gem_response = gem_response_new ();
  StarlingMessage *answer = starling_message_new_model ();

  g_assert_true (gem_response_merge_event (gem_response, response, strlen (response), NULL));
  starling_message_set_request_json (answer, request_json);
  starling_message_update_response (answer, gem_response);

  return answer;
}

static void
check_inspector (StarlingTestContext *context)
{
  g_autoptr(StarlingMessage) answer = answered_message ("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"2+2?\"}]}]}");
  StarlingInspector *inspector = NULL;
  g_autofree char *shown = NULL;

  set_key_and_wait (context->app, SECRET_KEY);
  starling_inspector_present (context->window, answer, "https://api.cometapi.com", GEM_AUTH_STYLE_X_GOOG_API_KEY,
                              "gemini-2.5-flash");
  g_assert_true (starling_test_wait_for (inspector_shown, &inspector, 5000));
  starling_test_wait_until_drawn (GTK_WIDGET (inspector));

  g_assert_cmpstr (starling_inspector_get_url (inspector), ==,
                   "https://api.cometapi.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
  g_assert_nonnull (strstr (starling_inspector_get_request_text (inspector), "\"text\": \"2+2?\""));
  g_assert_nonnull (strstr (starling_inspector_get_response_text (inspector), "\"finishReason\": \"STOP\""));
  g_assert_nonnull (strstr (starling_inspector_get_curl (inspector), "-H \"x-goog-api-key: $COMETAPI_KEY\""));

  save_screenshot (GTK_WIDGET (inspector), "screenshot-inspector.png");
  shown = starling_test_collect_text (GTK_WIDGET (inspector));
  g_assert_nonnull (strstr (shown, "POST https://api.cometapi.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"));
  g_assert_nonnull (strstr (shown, "\"2+2?\""));
  g_assert_null (strstr (shown, SECRET_KEY));
  g_assert_null (strstr (starling_inspector_get_curl (inspector), SECRET_KEY));

  /* Copy as curl puts the command on the clipboard. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (inspector), "inspector.copy-curl", NULL));
  {
    GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (inspector));
    GdkContentProvider *content = gdk_clipboard_get_content (clipboard);
    GValue value = G_VALUE_INIT;

    g_assert_nonnull (content);
    g_value_init (&value, G_TYPE_STRING);
    g_assert_true (gdk_content_provider_get_value (content, &value, NULL));
    g_assert_cmpstr (g_value_get_string (&value), ==, starling_inspector_get_curl (inspector));
    g_value_unset (&value);
  }

  gtk_window_destroy (GTK_WINDOW (inspector));
  set_key_and_wait (context->app, NULL);
}

/* ---- the setup dialog ---- */

static FakeGemini *setup_fake;

static gboolean
setup_finished (gpointer user_data)
{
  return !starling_setup_dialog_get_testing (user_data);
}

static void
run_connection_test (StarlingSetupDialog *dialog)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "setup.test", NULL));
  g_assert_true (starling_setup_dialog_get_testing (dialog));
  g_assert_true (starling_test_wait_for (setup_finished, dialog, 20000));
}

static void
check_setup_dialog (StarlingTestContext *context)
{
  GSettings *settings = starling_application_get_settings (context->app);
  StarlingSetupDialog *dialog = starling_setup_dialog_new (context->app);
  GtkWidget *root = GTK_WIDGET (dialog);
  StarlingModelList *list;
  g_autofree char *shown = NULL;

  gtk_window_set_transient_for (GTK_WINDOW (dialog), context->window);
  gtk_window_present (GTK_WINDOW (dialog));
  starling_test_wait_until_drawn (root);

  /* CometAPI first; the base URL row only for a custom server. */
  g_assert_cmpstr (selected_item (root, "Provider"), ==, "CometAPI");
  g_assert_false (is_shown (row (root, "Base URL")));
  g_assert_false (gtk_widget_activate_action (root, "setup.test", NULL) &&
                  starling_setup_dialog_get_testing (dialog));

  choose_item (root, "Provider", "Custom Server");
  g_assert_true (is_shown (row (root, "Base URL")));
  gtk_editable_set_text (GTK_EDITABLE (row (root, "Base URL")), fake_gemini_get_base_url (setup_fake));
  g_assert_true (GTK_IS_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (row (root, "API Key")))));
  g_assert_false (gtk_text_get_visibility (GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (row (root, "API Key"))))));

  gtk_editable_set_text (GTK_EDITABLE (row (root, "API Key")), "wrong-key");
  run_connection_test (dialog);
  g_assert_false (starling_setup_dialog_get_success (dialog));
  g_assert_nonnull (strstr (starling_setup_dialog_get_result (dialog), "rejected the API key"));
  shown = starling_test_collect_text (root);
  g_assert_nonnull (strstr (shown, "rejected the API key"));
  g_clear_pointer (&shown, g_free);

  gtk_editable_set_text (GTK_EDITABLE (row (root, "API Key")), " " FAKE_GEMINI_DEFAULT_API_KEY "\n");
  run_connection_test (dialog);
  g_assert_true (starling_setup_dialog_get_success (dialog));
  g_assert_cmpstr (starling_setup_dialog_get_result (dialog), ==, "Connected: 11 models can chat.");
  starling_test_iterate (100);
  save_screenshot (root, "screenshot-setup-dialog.png");

  /* Save: the key goes to the application (and the keyring), the server to the settings. */
  fake_gemini_clear_requests (setup_fake);
  g_assert_true (gtk_widget_activate_action (root, "setup.save", NULL));
  g_assert_cmpstr (starling_application_get_api_key (context->app), ==, FAKE_GEMINI_DEFAULT_API_KEY);
  {
    KeyWait wait = { FAKE_GEMINI_DEFAULT_API_KEY };

    g_assert_true (starling_test_wait_for (keyring_holds, &wait, 10000));
  }
  assert_string_setting (settings, "base-url", fake_gemini_get_base_url (setup_fake));
  assert_string_setting (settings, "provider", "custom");

  /* The models just listed are the list: no second request. */
  list = starling_model_list_get_for_client (starling_application_get_client (context->app));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 11);
  g_assert_cmpuint (fake_gemini_get_request_count (setup_fake), ==, 0);

  set_key_and_wait (context->app, NULL);
  g_settings_reset (settings, "base-url");
  g_settings_reset (settings, "provider");
}

static gboolean
prefs_checked_keyring (gpointer user_data)
{
  return starling_preferences_window_get_keyring_checked (user_data);
}

static void
check_keyring (StarlingTestContext *context)
{
  StarlingPreferencesWindow *prefs = starling_preferences_window_new (context->app);
  GtkWidget *root = GTK_WIDGET (prefs);
  KeyWait wait = { SECRET_KEY };
  GtkWidget *key_row;

  gtk_window_present (GTK_WINDOW (prefs));
  g_assert_true (starling_test_wait_for (prefs_checked_keyring, prefs, 10000));
  g_assert_cmpstr (starling_preferences_window_get_key_status (prefs), ==, "Not set");

  key_row = row (root, "API Key");
  gtk_editable_set_text (GTK_EDITABLE (key_row), SECRET_KEY);
  g_signal_emit_by_name (key_row, "apply");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (key_row)), ==, "");

  /* A fresh lookup, as the next start would do, finds it. */
  g_assert_true (starling_test_wait_for (keyring_holds, &wait, 10000));
  g_assert_cmpint (starling_application_get_key_source (context->app), ==, STARLING_KEY_SOURCE_KEYRING);
  g_assert_cmpstr (starling_preferences_window_get_key_status (prefs), ==, "Stored in the keyring");

  /* Forget removes it from the keyring too. */
  g_signal_emit_by_name (find_descendant (row (root, "Key Status"), GTK_TYPE_BUTTON), "clicked");
  wait.expected = NULL;
  g_assert_true (starling_test_wait_for (keyring_holds, &wait, 10000));
  g_assert_false (starling_application_has_api_key (context->app));
  g_assert_cmpstr (starling_preferences_window_get_key_status (prefs), ==, "Not set");

  gtk_window_destroy (GTK_WINDOW (prefs));
}

static gboolean
key_source_is_session (gpointer user_data)
{
  return starling_application_get_key_source (user_data) == STARLING_KEY_SOURCE_SESSION;
}

static void
check_no_keyring (StarlingTestContext *context)
{
  StarlingPreferencesWindow *prefs = starling_preferences_window_new (context->app);
  GtkWidget *root = GTK_WIDGET (prefs);
  GtkWidget *key_row;

  gtk_window_present (GTK_WINDOW (prefs));
  g_assert_true (starling_test_wait_for (prefs_checked_keyring, prefs, 10000));
  g_assert_cmpstr (starling_preferences_window_get_key_status (prefs), ==,
                   "Not set. No keyring is available: a key entered here is kept only until Starling quits");
  g_assert_cmpstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (gtk_widget_get_ancestor (row (root, "Key Status"), ADW_TYPE_PREFERENCES_GROUP))),
                   ==, "No keyring (Secret Service) is available on this system: the key cannot be stored, only kept while Starling runs.");

  key_row = row (root, "API Key");
  gtk_editable_set_text (GTK_EDITABLE (key_row), "session-key");
  g_signal_emit_by_name (key_row, "apply");

  /* The key works for this session, and the window says it will not be kept. */
  g_assert_true (starling_test_wait_for (key_source_is_session, context->app, 10000));
  g_assert_cmpstr (starling_application_get_api_key (context->app), ==, "session-key");
  g_assert_cmpstr (gem_client_get_api_key (starling_application_get_client (context->app)), ==, "session-key");
  g_assert_cmpstr (starling_preferences_window_get_key_status (prefs), ==,
                   "Kept for this session only: no keyring is available, so Starling forgets the key when it quits");

  gtk_window_destroy (GTK_WINDOW (prefs));
}

static void
test_no_keyring (void)
{
  if (g_test_subprocess ())
    {
      /* No session bus, hence no Secret Service: set before anything connects. */
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/starling-test-bus", TRUE);
      starling_test_run_in_app (check_no_keyring, NULL);
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* ---- the key never leaks ---- */

/* Files may be binary (a database): look at the bytes, not at a C string. */
static gboolean
contains_bytes (const char *data,
                gsize       length,
                const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= length; i++)
    if (data[i] == needle[0] && memcmp (data + i, needle, n) == 0)
      return TRUE;

  return FALSE;
}

static void
scan_tree (const char *path,
           const char *needle,
           guint      *n_files)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        scan_tree (child, needle, n_files);
      else
        {
          g_autofree char *contents = NULL;
          gsize length = 0;

          if (!g_file_get_contents (child, &contents, &length, NULL))
            continue;
          (*n_files)++;
          if (contains_bytes (contents, length, needle))
            g_error ("the key is in %s", child);
        }
    }
}

static void
check_no_leak (StarlingTestContext *context)
{
  FakeGemini *fake = context->data;
  GSettings *settings = starling_application_get_settings (context->app);
  StarlingPreferencesWindow *prefs = starling_preferences_window_new (context->app);
  GemClient *client = starling_application_get_client (context->app);
  StarlingModelList *list = starling_model_list_get_for_client (client);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;
  g_autoptr(GemGenerationSettings) chat = gem_generation_settings_new ("gemini-2.5-flash");
  g_autoptr(GPtrArray) turns = g_ptr_array_new_with_free_func ((GDestroyNotify) gem_turn_free);
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(StarlingMessage) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *request_text = NULL;
  Generation generation = { 0 };
  StarlingInspector *inspector = NULL;
  KeyWait wait = { SECRET_KEY };
  guint n_files = 0;
  GtkWidget *key_row;

  fake_gemini_set_api_key (fake, SECRET_KEY);
  g_settings_set_string (settings, "base-url", fake_gemini_get_base_url (fake));
  gtk_window_present (GTK_WINDOW (prefs));

  /* The user enters the key in the preferences. */
  key_row = row (GTK_WIDGET (prefs), "API Key");
  gtk_editable_set_text (GTK_EDITABLE (key_row), SECRET_KEY);
  g_signal_emit_by_name (key_row, "apply");
  g_assert_true (starling_test_wait_for (keyring_holds, &wait, 10000));

  /* It is used: a model list (and its cache) and an answer, with every debug message on. */
  g_assert_true (refresh_list (list, &error));
  g_assert_no_error (error);
  g_ptr_array_add (turns, gem_turn_new_text ("user", "Hi"));
  request = gem_request_build (chat, turns, &error);
  g_assert_no_error (error);
  request_text = gem_request_to_string (request, TRUE);
  gem_client_generate_async (client, "gemini-2.5-flash", request, GEM_GENERATE_FLAGS_STREAM, NULL, generate_cb, &generation);
  g_assert_true (starling_test_wait_for (flag_is_set, &generation.done, 10000));
  g_assert_no_error (generation.error);

  answer = starling_message_new_model ();
  starling_message_set_request_json (answer, request_text);
  starling_message_update_response (answer, generation.response);
  g_clear_object (&generation.response);
  starling_inspector_present (context->window, answer, fake_gemini_get_base_url (fake),
                              GEM_AUTH_STYLE_X_GOOG_API_KEY, "gemini-2.5-flash");
  g_assert_true (starling_test_wait_for (inspector_shown, &inspector, 5000));
  {
    g_autofree char *shown = starling_test_collect_text (GTK_WIDGET (inspector));

    g_assert_nonnull (strstr (shown, "\"text\": \"Hi\""));
    g_assert_null (strstr (shown, SECRET_KEY));
    g_assert_null (strstr (starling_inspector_get_curl (inspector), SECRET_KEY));
    g_assert_null (strstr (starling_inspector_get_request_text (inspector), SECRET_KEY));
    g_assert_null (strstr (starling_inspector_get_response_text (inspector), SECRET_KEY));
  }

  /* Not in any GSettings key. */
  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  g_assert_cmpuint (g_strv_length (keys), >=, 18);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (settings, keys[i]);
      g_autofree char *printed = g_variant_print (value, FALSE);

      g_assert_null (strstr (printed, SECRET_KEY));
    }

  /* Not in any file Starling writes. */
  g_assert_true (g_file_test (starling_model_list_get_cache_path (list), G_FILE_TEST_EXISTS));
  scan_tree (g_get_user_data_dir (), SECRET_KEY, &n_files);
  scan_tree (g_get_user_config_dir (), SECRET_KEY, &n_files);
  scan_tree (g_get_user_cache_dir (), SECRET_KEY, &n_files);
  g_assert_cmpuint (n_files, >=, 1);

  gtk_window_destroy (GTK_WINDOW (inspector));
  gtk_window_destroy (GTK_WINDOW (prefs));
  set_key_and_wait (context->app, NULL);
  g_settings_reset (settings, "base-url");
}

static void
test_key_never_leaks (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FakeGemini) fake = NULL;

      g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
      fake = fake_gemini_new (g_getenv ("STARLING_CORPUS_DIR"), &error);
      g_assert_no_error (error);
      starling_test_run_in_app (check_no_leak, fake);
      return;
    }

  /* The logs are the subprocess's output: all of it, with debug messages on
   * (a test prints them on standard output, as TAP comments). */
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*models: 13 model(s)*");
  g_test_trap_assert_stderr_unmatched ("*" SECRET_KEY "*");
  g_test_trap_assert_stdout_unmatched ("*" SECRET_KEY "*");
}

/* ---- preferences ---- */

static void
test_default_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  const struct { const char *model; const char *thinking; const char *expected; } cases[] = {
    { "gemini-3-pro-preview", "high", "\"thinkingConfig\":{\"thinkingLevel\":\"HIGH\",\"includeThoughts\":true}" },
    { "gemini-3-pro-preview", "minimal", "\"thinkingConfig\":{\"thinkingLevel\":\"LOW\",\"includeThoughts\":true}" },
    { "gemini-3-flash-preview", "minimal", "\"thinkingConfig\":{\"thinkingLevel\":\"MINIMAL\",\"includeThoughts\":true}" },
    { "gemini-2.5-flash", "high", "\"thinkingConfig\":{\"thinkingBudget\":24576,\"includeThoughts\":true}" },
    { "gemini-2.5-flash", "low", "\"thinkingConfig\":{\"thinkingBudget\":1024,\"includeThoughts\":true}" },
    { "gemini-2.5-flash", "minimal", "\"thinkingConfig\":{\"thinkingBudget\":0}" },
    { "gemini-2.5-pro", "minimal", "\"thinkingConfig\":{\"thinkingBudget\":128,\"includeThoughts\":true}" },
    { "gemini-2.5-pro", "default", "\"thinkingConfig\":{\"includeThoughts\":true}" },
  };

  g_settings_set_boolean (settings, "default-show-thoughts", TRUE);
  g_settings_set_boolean (settings, "default-google-search", TRUE);
  g_settings_set_string (settings, "default-system-instruction", "Answer in Italian.");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GemGenerationSettings) defaults = NULL;
      g_autofree char *expected = NULL;
      g_autofree char *request = NULL;

      g_test_message ("%s %s", cases[i].model, cases[i].thinking);
      g_settings_set_string (settings, "default-model", cases[i].model);
      g_settings_set_string (settings, "default-thinking", cases[i].thinking);
      defaults = starling_preferences_new_default_settings (settings);
      g_assert_cmpstr (defaults->model, ==, cases[i].model);
      request = request_of (defaults, NULL);
      expected = g_strdup_printf ("{" CONTENTS ",\"systemInstruction\":{\"parts\":[{\"text\":\"Answer in Italian.\"}]},"
                                  "\"generationConfig\":{%s},\"tools\":[{\"google_search\":{}}]}", cases[i].expected);
      g_assert_cmpstr (request, ==, expected);
    }

  /* Image defaults reach image models only. */
  g_settings_set_string (settings, "default-image-output", "text-image");
  g_settings_set_string (settings, "default-aspect-ratio", "3:2");
  g_settings_set_string (settings, "default-image-size", "2K");
  g_settings_set_string (settings, "default-model", "gemini-3-pro-image-preview");
  g_settings_set_string (settings, "default-thinking", "default");
  {
    g_autoptr(GemGenerationSettings) defaults = starling_preferences_new_default_settings (settings);
    g_autofree char *request = request_of (defaults, NULL);

    g_assert_cmpstr (request, ==, "{" CONTENTS ",\"systemInstruction\":{\"parts\":[{\"text\":\"Answer in Italian.\"}]},"
                     "\"generationConfig\":{\"responseModalities\":[\"TEXT\",\"IMAGE\"],"
                     "\"thinkingConfig\":{\"includeThoughts\":true},\"imageConfig\":{\"aspectRatio\":\"3:2\",\"imageSize\":\"2K\"}},"
                     "\"tools\":[{\"google_search\":{}}]}");
  }
  g_settings_set_string (settings, "default-model", "gemini-2.0-flash");
  {
    g_autoptr(GemGenerationSettings) defaults = starling_preferences_new_default_settings (settings);
    g_autofree char *request = request_of (defaults, NULL);

    g_assert_cmpstr (request, ==, "{" CONTENTS ",\"systemInstruction\":{\"parts\":[{\"text\":\"Answer in Italian.\"}]},"
                     "\"tools\":[{\"google_search\":{}}]}");
  }

  {
    g_autofree char *css = starling_preferences_dup_font_css (14);
    g_autofree char *none = starling_preferences_dup_font_css (0);

    g_assert_cmpstr (css, ==, ".chat-list, .conversation-text { font-size: 14pt; }");
    g_assert_cmpstr (none, ==, "");
  }

  for (const char * const *k = (const char * const[]) { "default-show-thoughts", "default-google-search",
                                                        "default-system-instruction", "default-model", "default-thinking",
                                                        "default-image-output", "default-aspect-ratio", "default-image-size", NULL };
       *k != NULL; k++)
    g_settings_reset (settings, *k);
}

static void
check_preferences_window (StarlingTestContext *context)
{
  GSettings *settings = starling_application_get_settings (context->app);
  StarlingPreferencesWindow *prefs = starling_preferences_window_new (context->app);
  GtkWidget *root = GTK_WIDGET (prefs);
  GtkSpinButton *font;
  GemClient *client = starling_application_get_client (context->app);

  starling_preferences_setup_application (context->app);
  gtk_window_present (GTK_WINDOW (prefs));
  starling_test_wait_until_drawn (root);

  /* Provider: Google sets Google's address, and the field is fixed. */
  choose_item (root, "Provider", "Google");
  assert_string_setting (settings, "base-url", "https://generativelanguage.googleapis.com");
  g_assert_false (gtk_widget_is_sensitive (row (root, "Base URL")));
  choose_item (root, "Provider", "Custom");
  g_assert_true (gtk_widget_is_sensitive (row (root, "Base URL")));
  gtk_editable_set_text (GTK_EDITABLE (row (root, "Base URL")), "http://example.com");
  g_signal_emit_by_name (row (root, "Base URL"), "apply");
  /* The key never goes unencrypted to another machine. */
  assert_string_setting (settings, "base-url", "https://generativelanguage.googleapis.com");
  gtk_editable_set_text (GTK_EDITABLE (row (root, "Base URL")), "https://gemini.example.com/");
  g_signal_emit_by_name (row (root, "Base URL"), "apply");
  assert_string_setting (settings, "base-url", "https://gemini.example.com/");

  choose_item (root, "Authentication Header", "Authorization: Bearer");
  assert_string_setting (settings, "auth-style", "bearer");
  g_assert_cmpint (gem_client_get_auth_style (client), ==, GEM_AUTH_STYLE_BEARER);

  /* The timeout is the client's idle timeout. */
  gtk_spin_button_set_value (row_spin (root, "Request Timeout"), 120);
  g_assert_cmpuint (g_settings_get_uint (settings, "request-timeout"), ==, 120);
  g_assert_cmpuint (gem_client_get_idle_timeout (client), ==, 120);

  /* Defaults for new chats. */
  starling_model_row_choose (STARLING_MODEL_ROW (row (root, "Default Model")), "gemini-3-pro-preview");
  assert_string_setting (settings, "default-model", "gemini-3-pro-preview");
  choose_item (root, "Thinking", "High");
  assert_string_setting (settings, "default-thinking", "high");
  gtk_switch_set_active (row_switch (root, "Show Thoughts"), TRUE);
  g_assert_true (g_settings_get_boolean (settings, "default-show-thoughts"));
  gtk_switch_set_active (row_switch (root, "Google Search"), TRUE);
  g_assert_true (g_settings_get_boolean (settings, "default-google-search"));
  gtk_switch_set_active (row_switch (root, "Stream Answers"), FALSE);
  g_assert_false (g_settings_get_boolean (settings, "stream-answers"));
  type_text (row_text_view (root, "System Instruction"), "Be brief.");
  assert_string_setting (settings, "default-system-instruction", "Be brief.");
  choose_item (root, "Answer With", "Images Only");
  assert_string_setting (settings, "default-image-output", "image");
  choose_item (root, "Aspect Ratio", "21:9");
  assert_string_setting (settings, "default-aspect-ratio", "21:9");
  choose_item (root, "Image Size", "4K");
  assert_string_setting (settings, "default-image-size", "4K");

  /* Appearance. */
  choose_item (root, "Style", "Dark");
  g_assert_true (adw_style_manager_get_dark (adw_style_manager_get_default ()));
  choose_item (root, "Style", "Follow System");

  font = row_spin (root, "Conversation Text Size");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (font)), ==, "Default");
  gtk_spin_button_spin (font, GTK_SPIN_STEP_FORWARD, 1);
  g_assert_cmpint (g_settings_get_int (settings, "conversation-font-size"), ==, 8);
  gtk_spin_button_set_value (font, 15);
  g_assert_cmpint (g_settings_get_int (settings, "conversation-font-size"), ==, 15);
  {
    /* The conversation list picks the size up from the provider. */
    GtkWidget *label = gtk_label_new ("x");
    GtkWidget *window = gtk_window_new ();
    PangoFontDescription *font_description = NULL;
    PangoContext *pango;

    gtk_widget_add_css_class (label, "conversation-text");
    gtk_window_set_child (GTK_WINDOW (window), label);
    gtk_window_present (GTK_WINDOW (window));
    starling_test_wait_until_drawn (label);
    pango = gtk_widget_get_pango_context (label);
    font_description = pango_context_get_font_description (pango);
    /* 15 points are 20 CSS pixels, which GTK gives Pango as the size. */
    g_assert_cmpint (pango_font_description_get_size (font_description), ==, 20 * PANGO_SCALE);
    gtk_window_destroy (GTK_WINDOW (window));
  }
  gtk_spin_button_spin (font, GTK_SPIN_STEP_BACKWARD, 7);
  g_assert_cmpint (g_settings_get_int (settings, "conversation-font-size"), ==, 8);
  gtk_spin_button_spin (font, GTK_SPIN_STEP_BACKWARD, 1);
  g_assert_cmpint (g_settings_get_int (settings, "conversation-font-size"), ==, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (font)), ==, "Default");

  gtk_window_destroy (GTK_WINDOW (prefs));
  for (const char * const *k = (const char * const[]) { "base-url", "provider", "auth-style", "request-timeout", "default-model",
                                                        "default-thinking", "default-show-thoughts", "default-google-search",
                                                        "stream-answers", "default-system-instruction", "default-image-output",
                                                        "default-aspect-ratio", "default-image-size", "color-scheme",
                                                        "conversation-font-size", NULL };
       *k != NULL; k++)
    g_settings_reset (settings, *k);
}

static void
check_environment_key_status (StarlingTestContext *context)
{
  StarlingPreferencesWindow *prefs = starling_preferences_window_new (context->app);

  g_assert_cmpstr (starling_preferences_window_get_key_status (prefs), ==,
                   "Set by the GEMINI_API_KEY environment variable, which overrides the keyring");
  g_assert_cmpstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (gtk_widget_get_ancestor (row (GTK_WIDGET (prefs), "Provider"), ADW_TYPE_PREFERENCES_GROUP))),
                   ==, "For now Starling uses https://gemini.example.net, given by STARLING_BASE_URL or --base-url; the address below is used otherwise.");
  gtk_window_destroy (GTK_WINDOW (prefs));
}

static void
test_environment_key_status (void)
{
  g_setenv ("GEMINI_API_KEY", "environment-key", TRUE);
  g_setenv ("STARLING_BASE_URL", "https://gemini.example.net", TRUE);
  starling_test_run_in_app (check_environment_key_status, NULL);
  g_unsetenv ("GEMINI_API_KEY");
  g_unsetenv ("STARLING_BASE_URL");
}

/* ---- the screenshots of the settings ---- */

static GtkWidget *
chat_settings_window (StarlingModelList *list)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *chips = starling_settings_chips_new ();
  GtkWidget *editor = starling_chat_settings_new ();
  g_autoptr(GemGenerationSettings) settings = gem_generation_settings_new ("gemini-2.5-flash");

  settings->has_thinking_budget = TRUE;
  settings->thinking_budget = 8192;
  settings->include_thoughts = TRUE;
  settings->google_search = TRUE;
  settings->has_temperature = TRUE;
  settings->temperature = 0.7;
  settings->system_instruction = g_strdup ("You are a math tutor. Always show your work.");
  gem_generation_settings_set_safety (settings, "HARM_CATEGORY_HARASSMENT", "BLOCK_ONLY_HIGH");
  starling_settings_chips_set_model_list (STARLING_SETTINGS_CHIPS (chips), list);
  starling_settings_chips_set_settings (STARLING_SETTINGS_CHIPS (chips), settings);
  starling_chat_settings_set_model_list (STARLING_CHAT_SETTINGS (editor), list);
  starling_chat_settings_set_settings (STARLING_CHAT_SETTINGS (editor), settings);

  gtk_widget_set_halign (chips, GTK_ALIGN_START);
  gtk_widget_set_margin_start (chips, 6);
  gtk_widget_set_margin_top (chips, 6);
  gtk_box_append (GTK_BOX (box), chips);
  gtk_box_append (GTK_BOX (box), editor);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_title (GTK_WINDOW (window), "Chat Settings");
  gtk_window_set_default_size (GTK_WINDOW (window), 520, 780);
  g_object_set_data (G_OBJECT (window), "editor", editor);

  return window;
}

static void
check_screenshots (StarlingTestContext *context)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  StarlingModelList *list = starling_model_list_get_for_client (starling_application_get_client (context->app));
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func (g_object_unref);
  double light[5], dark[5];

  g_ptr_array_add (models, model_info ("gemini-2.5-flash", "Gemini 2.5 Flash", 1048576, 65536, "generateContent"));
  g_ptr_array_add (models, model_info ("gemini-3-pro-preview", "Gemini 3 Pro Preview", 1048576, 65536, "generateContent"));
  starling_model_list_set_models (list, models);

  for (guint pass = 0; pass < 2; pass++)
    {
      gboolean is_dark = pass == 1;
      double *out = is_dark ? dark : light;
      StarlingPreferencesWindow *prefs;
      GtkWidget *window;

      adw_style_manager_set_color_scheme (style, is_dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
      g_assert_true (adw_style_manager_get_dark (style) == is_dark);

      /* One window on screen at a time, each drawn before it is shot. */
      prefs = starling_preferences_window_new (context->app);
      gtk_window_set_default_size (GTK_WINDOW (prefs), 640, 760);
      gtk_window_present (GTK_WINDOW (prefs));
      starling_test_wait_until_drawn (GTK_WIDGET (prefs));
      out[0] = save_screenshot (GTK_WIDGET (prefs), is_dark ? "screenshot-preferences-connection-dark.png"
                                                            : "screenshot-preferences-connection-light.png");
      gtk_window_destroy (GTK_WINDOW (prefs));

      prefs = starling_preferences_window_new (context->app);
      gtk_window_set_default_size (GTK_WINDOW (prefs), 640, 760);
      adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "conversations");
      gtk_window_present (GTK_WINDOW (prefs));
      starling_test_wait_until_drawn (GTK_WIDGET (prefs));
      out[1] = save_screenshot (GTK_WIDGET (prefs), is_dark ? "screenshot-preferences-conversations-dark.png"
                                                            : "screenshot-preferences-conversations-light.png");
      gtk_window_destroy (GTK_WINDOW (prefs));

      window = chat_settings_window (list);
      gtk_window_present (GTK_WINDOW (window));
      starling_test_wait_until_drawn (window);
      out[2] = save_screenshot (window, is_dark ? "screenshot-chat-settings-dark.png" : "screenshot-chat-settings-light.png");
      {
        /* The lower half: sampling, instructions, JSON, safety, advanced. */
        GtkWidget *scroller = find_descendant (g_object_get_data (G_OBJECT (window), "editor"), GTK_TYPE_SCROLLED_WINDOW);
        GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

        /* In a side panel, the settings fill the height they are given. */
        g_assert_cmpint (gtk_widget_get_height (scroller), >, 700);
        gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
        starling_test_iterate (300);
        g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 0);
        out[3] = save_screenshot (window, is_dark ? "screenshot-chat-settings-lower-dark.png"
                                                  : "screenshot-chat-settings-lower-light.png");
      }
      {
        /* As the chat view shows it: the chips, and the popover they open. */
        StarlingSettingsChips *chips = STARLING_SETTINGS_CHIPS (find_descendant (window, STARLING_TYPE_SETTINGS_CHIPS));
        GtkPopover *popover = starling_settings_chips_get_popover (chips);

        starling_settings_chips_popup (chips);
        starling_test_wait_until_drawn (GTK_WIDGET (popover));
        /* A popover of a sensible width, however long the subtitles. */
        g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (popover)), <, 560);
        out[4] = save_screenshot (GTK_WIDGET (popover), is_dark ? "screenshot-chat-settings-popover-dark.png"
                                                                : "screenshot-chat-settings-popover-light.png");
        gtk_popover_popdown (popover);
      }
      gtk_window_destroy (GTK_WINDOW (window));
    }

  /* Dark really is darker, everywhere. */
  for (guint i = 0; i < G_N_ELEMENTS (light); i++)
    {
      g_test_message ("brightness %u: light %.0f, dark %.0f", i, light[i], dark[i]);
      g_assert_cmpfloat (light[i], >, 150);
      g_assert_cmpfloat (dark[i], <, 100);
    }

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

static void
check_model_picker (StarlingTestContext *context)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *editor = starling_chat_settings_new ();
  g_autoptr(GemGenerationSettings) settings = gem_generation_settings_new ("gemini-2.5-flash");
  StarlingModelList *list = starling_model_list_get_for_client (starling_application_get_client (context->app));
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func (g_object_unref);
  StarlingModelRow *model_row;
  GtkPopover *popover;
  GtkWidget *list_box;
  g_autofree char *shown = NULL;

  g_ptr_array_add (models, model_info ("gemini-2.5-flash", "Gemini 2.5 Flash", 1048576, 65536, "generateContent"));
  g_ptr_array_add (models, model_info ("gemini-3-pro-preview", "Gemini 3 Pro Preview", 1048576, 65536, "generateContent"));
  g_ptr_array_add (models, model_info ("text-embedding-004", "Text Embedding 004", 2048, 1, "embedContent"));
  starling_model_list_set_models (list, models);

  starling_chat_settings_set_model_list (STARLING_CHAT_SETTINGS (editor), list);
  starling_chat_settings_set_settings (STARLING_CHAT_SETTINGS (editor), settings);
  gtk_window_set_child (GTK_WINDOW (window), editor);
  gtk_window_present (GTK_WINDOW (window));
  starling_test_wait_until_drawn (editor);

  model_row = STARLING_MODEL_ROW (find_descendant (editor, STARLING_TYPE_MODEL_ROW));
  popover = starling_model_row_get_popover (model_row);
  gtk_popover_popup (popover);
  starling_test_wait_until_drawn (GTK_WIDGET (popover));

  shown = starling_test_collect_text (GTK_WIDGET (popover));
  g_assert_nonnull (strstr (shown, "Gemini 2.5 Flash\ngemini-2.5-flash · 1M tokens"));
  g_assert_nonnull (strstr (shown, "Gemini 3 Pro Preview"));
  g_assert_null (strstr (shown, "Text Embedding"));
  g_assert_nonnull (strstr (shown, "2 models, listed"));

  list_box = find_descendant (GTK_WIDGET (popover), GTK_TYPE_LIST_BOX);
  g_signal_emit_by_name (list_box, "row-activated", gtk_list_box_get_row_at_index (GTK_LIST_BOX (list_box), 1));
  g_assert_cmpstr (starling_chat_settings_get_settings (STARLING_CHAT_SETTINGS (editor))->model, ==, "gemini-3-pro-preview");
  g_assert_true (is_shown (row (editor, "Thinking Level")));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
run_test (gconstpointer body)
{
  starling_test_run_in_app ((StarlingTestBody) body, NULL);
}

static void
test_setup_dialog (void)
{
  g_autoptr(GError) error = NULL;

  setup_fake = fake_gemini_new (g_getenv ("STARLING_CORPUS_DIR"), &error);
  g_assert_no_error (error);
  starling_test_run_in_app (check_setup_dialog, NULL);
  g_clear_object (&setup_fake);
}

#define ADD_APP_TEST(path, body) \
  g_test_add_data_func (path, (gconstpointer) body, run_test)

#define ADD_EDITOR_TEST(path, model, body) \
  g_test_add (path, Editor, model, editor_setup, body, editor_teardown)

int
main (int   argc,
      char *argv[])
{
  starling_test_ui_init (&argc, &argv);
  /* Under Xvfb the GL renderer compiles its shaders in software for every new
   * window, a second or two each; Cairo draws the same widgets at once. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);

  ADD_EDITOR_TEST ("/settings/control/nothing-set", NULL, test_control_nothing_set);
  ADD_EDITOR_TEST ("/settings/control/model", NULL, test_control_model);
  ADD_EDITOR_TEST ("/settings/control/thinking-level", NULL, test_control_thinking_level);
  ADD_EDITOR_TEST ("/settings/control/thinking-budget", NULL, test_control_thinking_budget);
  ADD_EDITOR_TEST ("/settings/control/show-thoughts", NULL, test_control_show_thoughts);
  ADD_EDITOR_TEST ("/settings/control/tools", NULL, test_control_tools);
  ADD_EDITOR_TEST ("/settings/control/function-declarations", NULL, test_control_function_declarations);
  ADD_EDITOR_TEST ("/settings/control/images", NULL, test_control_images);
  ADD_EDITOR_TEST ("/settings/control/sampling", NULL, test_control_sampling);
  ADD_EDITOR_TEST ("/settings/control/stop-sequences", NULL, test_control_stop_sequences);
  ADD_EDITOR_TEST ("/settings/control/system-instruction", NULL, test_control_system_instruction);
  ADD_EDITOR_TEST ("/settings/control/json", NULL, test_control_json);
  ADD_EDITOR_TEST ("/settings/control/safety", NULL, test_control_safety);
  ADD_EDITOR_TEST ("/settings/control/cached-content", NULL, test_control_cached_content);
  ADD_EDITOR_TEST ("/settings/model-switch", NULL, test_model_switch);
  g_test_add_func ("/settings/describe-thinking", test_describe_thinking);
  ADD_EDITOR_TEST ("/settings/chips", NULL, test_chips);
  ADD_EDITOR_TEST ("/settings/chips/before-the-editor", NULL, test_chips_before_the_editor);
  ADD_EDITOR_TEST ("/settings/chips/follow-the-conversation", NULL, test_chips_follow_the_conversation);
  ADD_EDITOR_TEST ("/settings/end-to-end", NULL, test_end_to_end);
  g_test_add_func ("/model-list/paging-and-cache", test_model_list_paging_and_cache);
  g_test_add_func ("/model-list/format-tokens", test_format_tokens);
  g_test_add_func ("/model-list/failures", test_model_list_failures);
  ADD_APP_TEST ("/model-list/picker", check_model_picker);
  g_test_add_func ("/inspector/redaction-and-curl", test_inspector_redaction_and_curl);
  ADD_APP_TEST ("/inspector/window", check_inspector);
  g_test_add_func ("/setup/test-and-save", test_setup_dialog);
  ADD_APP_TEST ("/keys/keyring", check_keyring);
  g_test_add_func ("/keys/no-keyring", test_no_keyring);
  g_test_add_func ("/keys/environment", test_environment_key_status);
  g_test_add_func ("/keys/never-leaks", test_key_never_leaks);
  g_test_add_func ("/preferences/default-settings", test_default_settings);
  ADD_APP_TEST ("/preferences/window", check_preferences_window);
  ADD_APP_TEST ("/preferences/screenshots", check_screenshots);

  return g_test_run ();
}

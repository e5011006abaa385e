/* starling-settings-chips.c: a conversation's settings at a glance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "starling-settings-chips.h"

struct _StarlingSettingsChips
{
  GtkWidget             parent_instance;

  GtkMenuButton        *button;
  GtkLabel             *model_chip;
  GtkLabel             *thinking_chip;
  GtkLabel             *search_chip;
  GtkLabel             *image_chip;
  GtkLabel             *more_chip;
  GtkPopover           *popover;

  /* What the chips show. The editor in the popover is built the first time
   * the popover opens: it costs as much as the rest of a chat view. */
  GemGenerationSettings *settings;
  StarlingModelList    *model_list;
  StarlingChatSettings *editor;
};

G_DEFINE_FINAL_TYPE (StarlingSettingsChips, starling_settings_chips, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char chips_css[] =
  ".settings-chips .chip {"
  "  padding: 1px 8px;"
  "  border-radius: 9999px;"
  "  background-color: alpha(currentColor, 0.08);"
  "  font-size: smaller;"
  "}"
  ".settings-chips .chip.accent {"
  "  background-color: alpha(@accent_bg_color, 0.18);"
  "}";

static gboolean
is_set (const char *text)
{
  return text != NULL && *text != '\0';
}

static void
update_chips (StarlingSettingsChips *self)
{
  const GemGenerationSettings *s = self->settings;
  StarlingModelList *list = self->model_list;
  GemModelInfo *info = list != NULL && s->model != NULL ? starling_model_list_lookup (list, s->model) : NULL;
  g_autofree char *thinking = starling_chat_settings_describe_thinking (s);
  g_autoptr(GPtrArray) more = g_ptr_array_new ();
  g_autoptr(GString) tooltip = g_string_new (NULL);

  gtk_label_set_label (self->model_chip,
                       info != NULL ? gem_model_info_get_display_name (info)
                                    : s->model != NULL ? s->model : _("No Model"));

  gtk_widget_set_visible (GTK_WIDGET (self->thinking_chip), thinking != NULL);
  gtk_label_set_label (self->thinking_chip, thinking != NULL ? thinking : "");

  gtk_widget_set_visible (GTK_WIDGET (self->search_chip), s->google_search);

  if (gem_model_can_output_images (s->model))
    {
      g_autoptr(GString) image = g_string_new (NULL);

      if (s->response_modalities == GEM_RESPONSE_MODALITIES_TEXT)
        g_string_append (image, _("Text Only"));
      else if (s->response_modalities == GEM_RESPONSE_MODALITIES_IMAGE)
        g_string_append (image, _("Images Only"));
      else
        g_string_append (image, _("Images"));
      if (s->response_modalities != GEM_RESPONSE_MODALITIES_TEXT)
        {
          if (is_set (s->aspect_ratio))
            g_string_append_printf (image, " · %s", s->aspect_ratio);
          if (is_set (s->image_size))
            g_string_append_printf (image, " · %s", s->image_size);
        }
      gtk_label_set_label (self->image_chip, image->str);
      gtk_widget_set_visible (GTK_WIDGET (self->image_chip), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->image_chip), FALSE);

  if (s->include_thoughts)
    g_ptr_array_add (more, _("Show Thoughts"));
  if (s->google_maps)
    g_ptr_array_add (more, _("Google Maps"));
  if (s->url_context)
    g_ptr_array_add (more, _("URL Context"));
  if (s->code_execution)
    g_ptr_array_add (more, _("Code Execution"));
  if (is_set (s->function_declarations))
    g_ptr_array_add (more, _("Function Declarations"));
  if (is_set (s->response_mime_type))
    g_ptr_array_add (more, _("JSON Output"));
  if (is_set (s->system_instruction))
    g_ptr_array_add (more, _("System Instruction"));
  if (s->has_temperature)
    g_ptr_array_add (more, _("Temperature"));
  if (s->has_top_p)
    g_ptr_array_add (more, _("Top-P"));
  if (s->has_top_k)
    g_ptr_array_add (more, _("Top-K"));
  if (s->has_max_output_tokens)
    g_ptr_array_add (more, _("Maximum Output Tokens"));
  if (s->stop_sequences != NULL && s->stop_sequences[0] != NULL)
    g_ptr_array_add (more, _("Stop Sequences"));
  if (s->safety_settings != NULL && g_hash_table_size (s->safety_settings) > 0)
    g_ptr_array_add (more, _("Safety Filters"));
  if (is_set (s->cached_content))
    g_ptr_array_add (more, _("Cached Content"));

  if (more->len == 1)
    gtk_label_set_label (self->more_chip, g_ptr_array_index (more, 0));
  else if (more->len > 1)
    {
      /* Translators: a chip counting further chat settings that are set, e.g. "+3" */
      g_autofree char *count = g_strdup_printf (_("+%u"), more->len);

      gtk_label_set_label (self->more_chip, count);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->more_chip), more->len > 0);

  g_string_append (tooltip, _("Chat Settings"));
  for (guint i = 0; i < more->len; i++)
    g_string_append_printf (tooltip, "\n• %s", (const char *) g_ptr_array_index (more, i));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), tooltip->str);
}

static void
editor_changed_cb (StarlingSettingsChips *self)
{
  gem_generation_settings_free (self->settings);
  self->settings = starling_chat_settings_dup_settings (self->editor);
  update_chips (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
ensure_editor (StarlingSettingsChips *self)
{
  if (self->editor != NULL)
    return;

  self->editor = g_object_new (STARLING_TYPE_CHAT_SETTINGS, NULL);
  starling_chat_settings_set_model_list (self->editor, self->model_list);
  starling_chat_settings_set_settings (self->editor, self->settings);
  g_signal_connect_object (self->editor, "changed", G_CALLBACK (editor_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_popover_set_child (self->popover, GTK_WIDGET (self->editor));
}

static void
popover_show_cb (StarlingSettingsChips *self)
{
  ensure_editor (self);
}

static void
model_list_changed_cb (StarlingSettingsChips *self)
{
  update_chips (self);
}

static void
starling_settings_chips_dispose (GObject *object)
{
  StarlingSettingsChips *self = STARLING_SETTINGS_CHIPS (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), STARLING_TYPE_SETTINGS_CHIPS);
  self->editor = NULL;
  g_clear_object (&self->model_list);

  G_OBJECT_CLASS (starling_settings_chips_parent_class)->dispose (object);
}

static void
starling_settings_chips_finalize (GObject *object)
{
  StarlingSettingsChips *self = STARLING_SETTINGS_CHIPS (object);

  g_clear_pointer (&self->settings, gem_generation_settings_free);

  G_OBJECT_CLASS (starling_settings_chips_parent_class)->finalize (object);
}

static void
starling_settings_chips_class_init (StarlingSettingsChipsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = starling_settings_chips_dispose;
  object_class->finalize = starling_settings_chips_finalize;

  /**
   * StarlingSettingsChips::changed:
   *
   * Emitted after the user changed a setting in the popover.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/starlingchat/Starling/ui/starling-settings-chips.ui");
  gtk_widget_class_bind_template_child (widget_class, StarlingSettingsChips, button);
  gtk_widget_class_bind_template_child (widget_class, StarlingSettingsChips, model_chip);
  gtk_widget_class_bind_template_child (widget_class, StarlingSettingsChips, thinking_chip);
  gtk_widget_class_bind_template_child (widget_class, StarlingSettingsChips, search_chip);
  gtk_widget_class_bind_template_child (widget_class, StarlingSettingsChips, image_chip);
  gtk_widget_class_bind_template_child (widget_class, StarlingSettingsChips, more_chip);
  gtk_widget_class_bind_template_child (widget_class, StarlingSettingsChips, popover);
  gtk_widget_class_bind_template_callback (widget_class, popover_show_cb);
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
  gtk_css_provider_load_from_data (provider, chips_css, -1);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  installed = TRUE;
}

static void
starling_settings_chips_init (StarlingSettingsChips *self)
{
  install_css ();
  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = gem_generation_settings_new (NULL);
  update_chips (self);
}

GtkWidget *
starling_settings_chips_new (void)
{
  return g_object_new (STARLING_TYPE_SETTINGS_CHIPS, NULL);
}

/**
 * starling_settings_chips_get_editor:
 *
 * The editor is built on first use, as when the popover first opens.
 *
 * Returns: (transfer none): the settings editor inside the popover
 */
StarlingChatSettings *
starling_settings_chips_get_editor (StarlingSettingsChips *self)
{
  g_return_val_if_fail (STARLING_IS_SETTINGS_CHIPS (self), NULL);

  ensure_editor (self);
  return self->editor;
}

GtkPopover *
starling_settings_chips_get_popover (StarlingSettingsChips *self)
{
  g_return_val_if_fail (STARLING_IS_SETTINGS_CHIPS (self), NULL);

  return self->popover;
}

void
starling_settings_chips_set_model_list (StarlingSettingsChips *self,
                                        StarlingModelList     *model_list)
{
  g_return_if_fail (STARLING_IS_SETTINGS_CHIPS (self));

  g_return_if_fail (!model_list || STARLING_IS_MODEL_LIST (model_list));

  if (self->model_list == model_list)
    return;

  if (self->model_list != NULL)
    g_signal_handlers_disconnect_by_func (self->model_list, model_list_changed_cb, self);
  g_set_object (&self->model_list, model_list);
  if (self->editor != NULL)
    starling_chat_settings_set_model_list (self->editor, model_list);
  if (model_list != NULL)
    g_signal_connect_object (model_list, "items-changed",
                             G_CALLBACK (model_list_changed_cb), self, G_CONNECT_SWAPPED);
  update_chips (self);
}

const GemGenerationSettings *
starling_settings_chips_get_settings (StarlingSettingsChips *self)
{
  g_return_val_if_fail (STARLING_IS_SETTINGS_CHIPS (self), NULL);

  return self->settings;
}

/**
 * starling_settings_chips_set_settings:
 *
 * Shows a conversation's settings (copied); does not emit
 * #StarlingSettingsChips::changed.
 */
void
starling_settings_chips_set_settings (StarlingSettingsChips       *self,
                                      const GemGenerationSettings *settings)
{
  g_return_if_fail (STARLING_IS_SETTINGS_CHIPS (self));
  g_return_if_fail (settings != NULL);

  if (settings != self->settings)
    {
      GemGenerationSettings *copy = gem_generation_settings_copy (settings);

      gem_generation_settings_free (self->settings);
      self->settings = copy;
    }
  /* Values the model cannot take are cleared, as the editor does. */
  starling_chat_settings_constrain (self->settings,
                                    self->model_list != NULL && self->settings->model != NULL
                                    ? starling_model_list_lookup (self->model_list, self->settings->model)
                                    : NULL);
  if (self->editor != NULL)
    starling_chat_settings_set_settings (self->editor, self->settings);
  update_chips (self);
}

/**
 * starling_settings_chips_dup_summary:
 *
 * Returns: (transfer full): the visible chips' text, one per line
 */
char *
starling_settings_chips_dup_summary (StarlingSettingsChips *self)
{
  GtkLabel *chips[] = { self->model_chip, self->thinking_chip, self->search_chip, self->image_chip, self->more_chip };
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (chips); i++)
    if (gtk_widget_get_visible (GTK_WIDGET (chips[i])))
      g_string_append_printf (out, "%s\n", gtk_label_get_label (chips[i]));

  return g_string_free (out, FALSE);
}

void
starling_settings_chips_popup (StarlingSettingsChips *self)
{
  g_return_if_fail (STARLING_IS_SETTINGS_CHIPS (self));

  gtk_menu_button_popup (self->button);
}

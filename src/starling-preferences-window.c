/* starling-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "gem-model-info.h"
#include "starling-chat-settings.h"
#include "starling-model-list.h"
#include "starling-model-row.h"
#include "starling-preferences-window.h"
#include "starling-secret.h"

#define COMETAPI_BASE_URL "https://api.cometapi.com"
#define GOOGLE_BASE_URL   "https://generativelanguage.googleapis.com"

/* Below this a text is unreadable; the spin button jumps between Default (0) and it. */
#define MIN_FONT_SIZE 8

typedef enum
{
  KEYRING_UNKNOWN,
  KEYRING_AVAILABLE,
  KEYRING_MISSING,
} KeyringState;

struct _StarlingPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  StarlingApplication  *application;
  GSettings            *settings;
  StarlingModelList    *model_list;
  GCancellable         *cancellable;
  KeyringState          keyring;
  char                 *key_status;
  guint                 updating;

  AdwPreferencesGroup  *server_group;
  AdwComboRow          *provider_row;
  AdwEntryRow          *base_url_row;
  AdwComboRow          *auth_style_row;
  AdwPreferencesGroup  *key_group;
  AdwPasswordEntryRow  *api_key_row;
  AdwActionRow         *key_status_row;
  GtkButton            *forget_key_button;
  AdwActionRow         *models_row;
  GtkStack             *models_stack;
  GtkSpinButton        *timeout_spin;
  StarlingModelRow     *default_model_row;
  AdwComboRow          *default_thinking_row;
  GtkSwitch            *default_thoughts_switch;
  GtkSwitch            *default_search_switch;
  GtkSwitch            *stream_switch;
  AdwExpanderRow       *default_system_row;
  GtkTextView          *default_system_view;
  AdwComboRow          *default_image_output_row;
  AdwComboRow          *default_aspect_ratio_row;
  AdwComboRow          *default_image_size_row;
  AdwComboRow          *color_scheme_row;
  GtkSpinButton        *font_size_spin;
};

G_DEFINE_FINAL_TYPE (StarlingPreferencesWindow, starling_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static const char * const provider_nicks[] = { "cometapi", "google", "custom", NULL };
static const char * const auth_style_nicks[] = { "x-goog-api-key", "bearer", NULL };
static const char * const color_scheme_nicks[] = { "default", "light", "dark", NULL };
static const char * const thinking_nicks[] = { "default", "minimal", "low", "medium", "high", NULL };
static const char * const image_output_nicks[] = { "default", "text-image", "image", NULL };
static const char * const image_sizes[] = { "", "1K", "2K", "4K", NULL };

/* Combo rows list an enum's values in the order of the nicks array. */
static gboolean
enum_to_selected (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  const char * const *nicks = user_data;
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; nicks[i] != NULL; i++)
    {
      if (g_str_equal (nick, nicks[i]))
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }

  return FALSE;
}

static GVariant *
selected_to_enum (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  const char * const *nicks = user_data;
  guint selected = g_value_get_uint (value);

  if (selected >= g_strv_length ((char **) nicks))
    return NULL;

  return g_variant_new_string (nicks[selected]);
}

/**
 * starling_preferences_get_key_variable:
 *
 * Returns: (nullable): the environment variable the key comes from, if any
 */
const char *
starling_preferences_get_key_variable (void)
{
  static const char * const names[] = { "STARLING_API_KEY", "GEMINI_API_KEY", "COMETAPI_KEY" };

  /* The same order as starling_secret_key_from_environment(). */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *value = g_getenv (names[i]);

      if (value != NULL && *value != '\0')
        return names[i];
    }

  return NULL;
}

static void
update_key_status (StarlingPreferencesWindow *self)
{
  StarlingKeySource source = starling_application_get_key_source (self->application);
  g_autofree char *status = NULL;

  switch (source)
    {
    case STARLING_KEY_SOURCE_ENVIRONMENT:
      status = g_strdup_printf (_("Set by the %s environment variable, which overrides the keyring"),
                                starling_preferences_get_key_variable () ? starling_preferences_get_key_variable () : "STARLING_API_KEY");
      break;

    case STARLING_KEY_SOURCE_KEYRING:
      status = g_strdup (_("Stored in the keyring"));
      break;

    case STARLING_KEY_SOURCE_SESSION:
      status = g_strdup (_("Kept for this session only: no keyring is available, so Starling forgets the key when it quits"));
      break;

    case STARLING_KEY_SOURCE_NONE:
    default:
      if (self->keyring == KEYRING_MISSING)
        status = g_strdup (_("Not set. No keyring is available: a key entered here is kept only until Starling quits"));
      else
        status = g_strdup (_("Not set"));
      break;
    }

  g_free (self->key_status);
  self->key_status = g_steal_pointer (&status);
  adw_action_row_set_subtitle (self->key_status_row, self->key_status);
  gtk_widget_set_visible (GTK_WIDGET (self->forget_key_button),
                          source == STARLING_KEY_SOURCE_KEYRING || source == STARLING_KEY_SOURCE_SESSION);

  adw_preferences_group_set_description (self->key_group,
                                         self->keyring == KEYRING_MISSING
                                         ? _("No keyring (Secret Service) is available on this system: the key cannot be stored, only kept while Starling runs.")
                                         : _("The key is kept in the system keyring, never in a settings file. The environment variables STARLING_API_KEY, GEMINI_API_KEY and COMETAPI_KEY override it."));
}

static void
keyring_lookup_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  StarlingPreferencesWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = starling_secret_lookup_finish (result, &error);

  if (key != NULL)
    explicit_bzero (key, strlen (key));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->keyring = error != NULL ? KEYRING_MISSING : KEYRING_AVAILABLE;
  update_key_status (self);
}

static void
update_server_note (StarlingPreferencesWindow *self)
{
  g_autofree char *setting = g_settings_get_string (self->settings, "base-url");
  const char *effective = starling_application_get_base_url (self->application);
  g_autofree char *note = NULL;

  if (g_strcmp0 (setting, effective) != 0)
    note = g_strdup_printf (_("For now Starling uses %s, given by STARLING_BASE_URL or --base-url; the address below is used otherwise."),
                            effective);
  else
    note = g_strdup (_("Starling speaks the Gemini native API. CometAPI serves it unchanged; so does Google."));

  adw_preferences_group_set_description (self->server_group, note);
}

static void
update_models_row (StarlingPreferencesWindow *self)
{
  const char *error = starling_model_list_get_error_message (self->model_list);
  GDateTime *updated = starling_model_list_get_updated (self->model_list);
  gboolean loading = starling_model_list_get_loading (self->model_list);
  g_autofree char *subtitle = NULL;

  if (loading)
    subtitle = g_strdup (_("Listing the models…"));
  else if (error != NULL)
    subtitle = g_strdup (error);
  else if (updated != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (updated);
      g_autofree char *when = g_date_time_format (local, "%x %H:%M");
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model_list));

      subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "%u model can chat (listed %s)",
                                               "%u models can chat (listed %s)", n),
                                  n, when);
    }
  else
    subtitle = g_strdup (_("Not listed yet"));

  adw_action_row_set_subtitle (self->models_row, subtitle);
  gtk_stack_set_visible_child_name (self->models_stack, loading ? "spinner" : "button");
}

static void
provider_selected_cb (StarlingPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->provider_row);
  const char *url = NULL;

  if (selected == 0)
    url = COMETAPI_BASE_URL;
  else if (selected == 1)
    url = GOOGLE_BASE_URL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->base_url_row), url == NULL);
  if (url != NULL && self->settings != NULL)
    {
      g_settings_set_string (self->settings, "base-url", url);
      gtk_editable_set_text (GTK_EDITABLE (self->base_url_row), url);
    }
}

static void
base_url_apply_cb (StarlingPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->base_url_row));
  g_autofree char *url = g_strstrip (g_strdup (text));
  g_autoptr(GError) error = NULL;

  if (!gem_client_check_base_url (url, &error))
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (error->message));
      return;
    }

  g_settings_set_string (self->settings, "base-url", url);
}

static void
api_key_apply_cb (StarlingPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->api_key_row));
  g_autofree char *key = g_strstrip (g_strdup (text));

  starling_application_set_api_key (self->application, key);
  gtk_editable_set_text (GTK_EDITABLE (self->api_key_row), "");
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (*key != '\0' ? _("API key saved")
                                                                : _("API key removed")));
  explicit_bzero (key, strlen (key));

  /* A new key may see other models. */
  if (starling_application_has_api_key (self->application))
    starling_model_list_refresh (self->model_list);
}

static void
forget_key_clicked_cb (StarlingPreferencesWindow *self)
{
  starling_application_set_api_key (self->application, NULL);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (_("API key removed")));
}

static void
refresh_models_clicked_cb (StarlingPreferencesWindow *self)
{
  starling_model_list_refresh (self->model_list);
  update_models_row (self);
}

static void
default_model_chosen_cb (StarlingPreferencesWindow *self)
{
  const char *model = starling_model_row_get_model_id (self->default_model_row);

  if (model != NULL && *model != '\0')
    g_settings_set_string (self->settings, "default-model", model);
}

static void
default_aspect_ratio_cb (StarlingPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->default_aspect_ratio_row);

  if (self->updating > 0 || self->settings == NULL || selected == GTK_INVALID_LIST_POSITION)
    return;

  g_settings_set_string (self->settings, "default-aspect-ratio",
                         selected == 0 ? "" : gem_aspect_ratios ()[selected - 1]);
}

static void
default_image_size_cb (StarlingPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->default_image_size_row);

  if (self->updating > 0 || self->settings == NULL || selected >= G_N_ELEMENTS (image_sizes) - 1)
    return;

  g_settings_set_string (self->settings, "default-image-size", image_sizes[selected]);
}

static void
default_system_changed_cb (StarlingPreferencesWindow *self,
                           GtkTextBuffer             *buffer)
{
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  if (self->updating > 0)
    return;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_settings_set_string (self->settings, "default-system-instruction", text);
}

static gboolean
font_size_output_cb (StarlingPreferencesWindow *self,
                     GtkSpinButton             *spin)
{
  int value = gtk_spin_button_get_value_as_int (spin);
  g_autofree char *text = value == 0 ? g_strdup (_("Default")) : g_strdup_printf ("%d", value);

  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (spin)), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);

  return TRUE;
}

static int
font_size_input_cb (StarlingPreferencesWindow *self,
                    double                    *new_value,
                    GtkSpinButton             *spin)
{
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (spin)), _("Default")) == 0)
    {
      *new_value = 0;
      return TRUE;
    }

  return FALSE;
}

static void
font_size_value_changed_cb (StarlingPreferencesWindow *self)
{
  int value = gtk_spin_button_get_value_as_int (self->font_size_spin);
  int stored = g_settings_get_int (self->settings, "conversation-font-size");

  if (self->updating > 0)
    return;

  /* Between Default and the smallest readable size there is nothing to pick. */
  if (value > 0 && value < MIN_FONT_SIZE)
    {
      value = stored == 0 ? MIN_FONT_SIZE : 0;
      self->updating++;
      gtk_spin_button_set_value (self->font_size_spin, value);
      self->updating--;
    }

  g_settings_set_int (self->settings, "conversation-font-size", value);
}

static void
starling_preferences_window_dispose (GObject *object)
{
  StarlingPreferencesWindow *self = STARLING_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), STARLING_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->model_list);
  g_clear_object (&self->application);

  G_OBJECT_CLASS (starling_preferences_window_parent_class)->dispose (object);
}

static void
starling_preferences_window_finalize (GObject *object)
{
  StarlingPreferencesWindow *self = STARLING_PREFERENCES_WINDOW (object);

  g_clear_pointer (&self->key_status, g_free);

  G_OBJECT_CLASS (starling_preferences_window_parent_class)->finalize (object);
}

static void
starling_preferences_window_class_init (StarlingPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = starling_preferences_window_dispose;
  object_class->finalize = starling_preferences_window_finalize;

  g_type_ensure (STARLING_TYPE_MODEL_ROW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/starlingchat/Starling/ui/starling-preferences-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, StarlingPreferencesWindow, name)
  BIND (server_group);
  BIND (provider_row);
  BIND (base_url_row);
  BIND (auth_style_row);
  BIND (key_group);
  BIND (api_key_row);
  BIND (key_status_row);
  BIND (forget_key_button);
  BIND (models_row);
  BIND (models_stack);
  BIND (timeout_spin);
  BIND (default_model_row);
  BIND (default_thinking_row);
  BIND (default_thoughts_switch);
  BIND (default_search_switch);
  BIND (stream_switch);
  BIND (default_system_row);
  BIND (default_system_view);
  BIND (default_image_output_row);
  BIND (default_aspect_ratio_row);
  BIND (default_image_size_row);
  BIND (color_scheme_row);
  BIND (font_size_spin);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, provider_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, base_url_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, api_key_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, forget_key_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, refresh_models_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, default_model_chosen_cb);
  gtk_widget_class_bind_template_callback (widget_class, default_aspect_ratio_cb);
  gtk_widget_class_bind_template_callback (widget_class, default_image_size_cb);
  gtk_widget_class_bind_template_callback (widget_class, font_size_output_cb);
  gtk_widget_class_bind_template_callback (widget_class, font_size_input_cb);
}

static void
starling_preferences_window_init (StarlingPreferencesWindow *self)
{
  g_autoptr(GtkStringList) ratios = gtk_string_list_new (NULL);

  self->updating++;
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_string_list_append (ratios, _("Model Default"));
  for (const char * const *r = gem_aspect_ratios (); *r != NULL; r++)
    gtk_string_list_append (ratios, *r);
  adw_combo_row_set_model (self->default_aspect_ratio_row, G_LIST_MODEL (ratios));
  self->updating--;
}

static void
bind_enum_row (StarlingPreferencesWindow *self,
               const char                *key,
               AdwComboRow               *row,
               const char * const        *nicks)
{
  g_settings_bind_with_mapping (self->settings, key, row, "selected", G_SETTINGS_BIND_DEFAULT,
                                enum_to_selected, selected_to_enum,
                                (gpointer) nicks, NULL);
}

static void
load_image_defaults (StarlingPreferencesWindow *self)
{
  g_autofree char *ratio = g_settings_get_string (self->settings, "default-aspect-ratio");
  g_autofree char *size = g_settings_get_string (self->settings, "default-image-size");
  const char * const *ratios = gem_aspect_ratios ();
  guint selected = 0;

  self->updating++;
  for (guint i = 0; ratios[i] != NULL; i++)
    if (g_str_equal (ratios[i], ratio))
      selected = i + 1;
  adw_combo_row_set_selected (self->default_aspect_ratio_row, selected);

  selected = 0;
  for (guint i = 1; image_sizes[i] != NULL; i++)
    if (g_str_equal (image_sizes[i], size))
      selected = i;
  adw_combo_row_set_selected (self->default_image_size_row, selected);
  self->updating--;
}

static void
reload_default_model (StarlingPreferencesWindow *self)
{
  g_autofree char *model = g_settings_get_string (self->settings, "default-model");

  starling_model_row_set_model_id (self->default_model_row, model);
}

static void
load_font_size (StarlingPreferencesWindow *self)
{
  self->updating++;
  gtk_spin_button_set_value (self->font_size_spin, g_settings_get_int (self->settings, "conversation-font-size"));
  self->updating--;
}

StarlingPreferencesWindow *
starling_preferences_window_new (StarlingApplication *application)
{
  StarlingPreferencesWindow *self;
  g_autofree char *base_url = NULL;
  g_autofree char *model = NULL;
  g_autofree char *system = NULL;

  self = g_object_new (STARLING_TYPE_PREFERENCES_WINDOW, NULL);
  self->application = g_object_ref (application);
  self->settings = g_object_ref (starling_application_get_settings (application));
  self->model_list = g_object_ref (starling_model_list_get_for_client (starling_application_get_client (application)));
  self->cancellable = g_cancellable_new ();

  base_url = g_settings_get_string (self->settings, "base-url");
  model = g_settings_get_string (self->settings, "default-model");
  system = g_settings_get_string (self->settings, "default-system-instruction");
  gtk_editable_set_text (GTK_EDITABLE (self->base_url_row), base_url);

  starling_model_row_set_model_list (self->default_model_row, self->model_list);
  starling_model_row_set_model_id (self->default_model_row, model);

  bind_enum_row (self, "auth-style", self->auth_style_row, auth_style_nicks);
  bind_enum_row (self, "color-scheme", self->color_scheme_row, color_scheme_nicks);
  bind_enum_row (self, "provider", self->provider_row, provider_nicks);
  bind_enum_row (self, "default-thinking", self->default_thinking_row, thinking_nicks);
  bind_enum_row (self, "default-image-output", self->default_image_output_row, image_output_nicks);
  gtk_widget_set_sensitive (GTK_WIDGET (self->base_url_row),
                            adw_combo_row_get_selected (self->provider_row) == 2);

  g_settings_bind (self->settings, "default-show-thoughts", self->default_thoughts_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "default-google-search", self->default_search_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "stream-answers", self->stream_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "request-timeout", self->timeout_spin, "value", G_SETTINGS_BIND_DEFAULT);

  self->updating++;
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->default_system_view), system, -1);
  self->updating--;
  g_signal_connect_object (gtk_text_view_get_buffer (self->default_system_view), "changed",
                           G_CALLBACK (default_system_changed_cb), self, G_CONNECT_SWAPPED);

  load_image_defaults (self);
  load_font_size (self);
  g_signal_connect_object (self->font_size_spin, "value-changed",
                           G_CALLBACK (font_size_value_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::conversation-font-size",
                           G_CALLBACK (load_font_size), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::default-model",
                           G_CALLBACK (reload_default_model), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (application, "notify::key-source",
                           G_CALLBACK (update_key_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (application, "notify::base-url",
                           G_CALLBACK (update_server_note), self, G_CONNECT_SWAPPED);
  update_key_status (self);
  update_server_note (self);

  g_signal_connect_object (self->model_list, "notify::loading", G_CALLBACK (update_models_row), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model_list, "notify::error-message", G_CALLBACK (update_models_row), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model_list, "notify::updated", G_CALLBACK (update_models_row), self, G_CONNECT_SWAPPED);
  starling_model_list_ensure (self->model_list);
  update_models_row (self);

  /* Whether a key can be stored at all, asked the way the application asks. */
  starling_secret_lookup_async (self->cancellable, keyring_lookup_cb, self);

  return self;
}

/**
 * starling_preferences_window_get_key_status:
 *
 * Returns: where the key comes from, as the window says it
 */
const char *
starling_preferences_window_get_key_status (StarlingPreferencesWindow *self)
{
  g_return_val_if_fail (STARLING_IS_PREFERENCES_WINDOW (self), NULL);

  return self->key_status;
}

/**
 * starling_preferences_window_get_keyring_checked:
 *
 * Returns: whether the window knows if a keyring is available
 */
gboolean
starling_preferences_window_get_keyring_checked (StarlingPreferencesWindow *self)
{
  g_return_val_if_fail (STARLING_IS_PREFERENCES_WINDOW (self), FALSE);

  return self->keyring != KEYRING_UNKNOWN;
}

/* ---- for the application ---- */

/**
 * starling_preferences_dup_font_css:
 * @points: the conversation's font size, 0 for the system's
 *
 * Returns: (transfer full): the CSS that sets it on `.chat-list` and
 *   `.conversation-text`
 */
char *
starling_preferences_dup_font_css (int points)
{
  if (points <= 0)
    return g_strdup ("");

  return g_strdup_printf (".chat-list, .conversation-text { font-size: %dpt; }", points);
}

static void
font_size_changed_cb (GSettings      *settings,
                      const char     *key,
                      GtkCssProvider *provider)
{
  g_autofree char *css = starling_preferences_dup_font_css (g_settings_get_int (settings, "conversation-font-size"));

  gtk_css_provider_load_from_data (provider, css, -1);
}

static void
timeout_changed_cb (GSettings           *settings,
                    const char          *key,
                    StarlingApplication *application)
{
  gem_client_set_idle_timeout (starling_application_get_client (application),
                               g_settings_get_uint (settings, "request-timeout"));
}

/**
 * starling_preferences_setup_application:
 *
 * Applies the preferences the application does not apply itself, now and
 * whenever they change: the conversation font size (a CSS provider on the
 * display, for `.chat-list` and `.conversation-text`) and the request
 * timeout (the client's idle timeout). Call once from startup.
 */
void
starling_preferences_setup_application (StarlingApplication *application)
{
  GSettings *settings = starling_application_get_settings (application);
  GdkDisplay *display = gdk_display_get_default ();

  g_return_if_fail (STARLING_IS_APPLICATION (application));

  if (display != NULL)
    {
      GtkCssProvider *provider = gtk_css_provider_new ();

      gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                                  GTK_STYLE_PROVIDER_PRIORITY_USER);
      g_object_set_data_full (G_OBJECT (application), "starling-font-css", provider, g_object_unref);
      g_signal_connect_object (settings, "changed::conversation-font-size",
                               G_CALLBACK (font_size_changed_cb), provider, 0);
      font_size_changed_cb (settings, NULL, provider);
    }

  g_signal_connect_object (settings, "changed::request-timeout",
                           G_CALLBACK (timeout_changed_cb), application, 0);
  timeout_changed_cb (settings, NULL, application);
}

/* Gemini 3 levels and 2.5 budgets of about the same depth. */
static int
budget_for_level (GemThinkingLevel level,
                  const char      *model)
{
  GemThinkingInfo info;

  gem_model_get_thinking_info (model, &info);

  switch (level)
    {
    case GEM_THINKING_LEVEL_MINIMAL:
      return info.can_disable ? 0 : info.min_budget;
    case GEM_THINKING_LEVEL_LOW:
      return gem_model_clamp_thinking_budget (model, 1024);
    case GEM_THINKING_LEVEL_MEDIUM:
      return gem_model_clamp_thinking_budget (model, 8192);
    case GEM_THINKING_LEVEL_HIGH:
      return gem_model_clamp_thinking_budget (model, 24576);
    case GEM_THINKING_LEVEL_UNSET:
    default:
      return -1;
    }
}

/**
 * starling_preferences_new_default_settings:
 * @settings: the application's settings
 *
 * The settings a new conversation starts with: the default model, thinking
 * (a level for Gemini 3, the matching budget for 2.5, nothing for models
 * that do not think), thoughts, Google Search, image output, aspect ratio,
 * image size and system instruction, minus what the model cannot take.
 *
 * Returns: (transfer full): the settings
 */
GemGenerationSettings *
starling_preferences_new_default_settings (GSettings *settings)
{
  g_autofree char *model = g_settings_get_string (settings, "default-model");
  g_autofree char *ratio = g_settings_get_string (settings, "default-aspect-ratio");
  g_autofree char *size = g_settings_get_string (settings, "default-image-size");
  g_autofree char *system = g_settings_get_string (settings, "default-system-instruction");
  GemGenerationSettings *result = gem_generation_settings_new (model);
  GemThinkingLevel level = (GemThinkingLevel) g_settings_get_enum (settings, "default-thinking");

  switch (gem_model_thinking_style (model))
    {
    case GEM_THINKING_STYLE_LEVEL:
      result->thinking_level = level;
      /* Gemini 3 Pro has no MINIMAL: the nearest it has. */
      if (level == GEM_THINKING_LEVEL_MINIMAL)
        {
          result->thinking_level = GEM_THINKING_LEVEL_MINIMAL;
          if (starling_chat_settings_constrain (result, NULL))
            result->thinking_level = GEM_THINKING_LEVEL_LOW;
        }
      break;

    case GEM_THINKING_STYLE_BUDGET:
      if (level != GEM_THINKING_LEVEL_UNSET)
        {
          result->has_thinking_budget = TRUE;
          result->thinking_budget = budget_for_level (level, model);
        }
      break;

    case GEM_THINKING_STYLE_NONE:
    default:
      break;
    }

  result->include_thoughts = g_settings_get_boolean (settings, "default-show-thoughts");
  result->google_search = g_settings_get_boolean (settings, "default-google-search");

  switch (g_settings_get_enum (settings, "default-image-output"))
    {
    case 1:
      result->response_modalities = GEM_RESPONSE_MODALITIES_TEXT_IMAGE;
      break;
    case 2:
      result->response_modalities = GEM_RESPONSE_MODALITIES_IMAGE;
      break;
    default:
      break;
    }
  if (gem_aspect_ratio_is_valid (ratio))
    result->aspect_ratio = g_strdup (ratio);
  if (gem_image_size_is_valid (size))
    result->image_size = g_strdup (size);

  {
    g_autofree char *trimmed = g_strstrip (g_strdup (system));

    if (*trimmed != '\0')
      result->system_instruction = g_steal_pointer (&system);
  }

  starling_chat_settings_constrain (result, NULL);

  return result;
}

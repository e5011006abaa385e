/* starling-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "starling-preferences-window.h"

#define COMETAPI_BASE_URL "https://api.cometapi.com"
#define GOOGLE_BASE_URL   "https://generativelanguage.googleapis.com"

struct _StarlingPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  StarlingApplication  *application;
  GSettings            *settings;

  AdwComboRow          *provider_row;
  AdwEntryRow          *base_url_row;
  AdwComboRow          *auth_style_row;
  AdwPasswordEntryRow  *api_key_row;
  AdwActionRow         *key_status_row;
  AdwEntryRow          *default_model_row;
  AdwComboRow          *color_scheme_row;
};

G_DEFINE_FINAL_TYPE (StarlingPreferencesWindow, starling_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

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

static const char * const provider_nicks[] = { "cometapi", "google", "custom", NULL };
static const char * const auth_style_nicks[] = { "x-goog-api-key", "bearer", NULL };
static const char * const color_scheme_nicks[] = { "default", "light", "dark", NULL };

static void
update_key_status (StarlingPreferencesWindow *self)
{
  const char *status;

  switch (starling_application_get_key_source (self->application))
    {
    case STARLING_KEY_SOURCE_ENVIRONMENT:
      status = _("Set by an environment variable");
      break;

    case STARLING_KEY_SOURCE_KEYRING:
      status = _("Stored in the keyring");
      break;

    case STARLING_KEY_SOURCE_SESSION:
      status = _("Kept for this session only (no keyring available)");
      break;

    case STARLING_KEY_SOURCE_NONE:
    default:
      status = _("Not set");
      break;
    }

  adw_action_row_set_subtitle (self->key_status_row, status);
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
  if (url != NULL)
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

  if (!g_str_has_prefix (url, "https://") && !g_str_has_prefix (url, "http://"))
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (_("The base URL must start with https://")));
      return;
    }

  g_settings_set_string (self->settings, "base-url", url);
}

static void
api_key_apply_cb (StarlingPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->api_key_row));

  starling_application_set_api_key (self->application, text);
  gtk_editable_set_text (GTK_EDITABLE (self->api_key_row), "");
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (*text != '\0' ? _("API key saved")
                                                                 : _("API key removed")));
}

static void
default_model_apply_cb (StarlingPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->default_model_row));
  g_autofree char *model = g_strstrip (g_strdup (text));

  if (*model == '\0')
    return;

  g_settings_set_string (self->settings, "default-model", model);
}

static void
starling_preferences_window_dispose (GObject *object)
{
  StarlingPreferencesWindow *self = STARLING_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), STARLING_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->application);

  G_OBJECT_CLASS (starling_preferences_window_parent_class)->dispose (object);
}

static void
starling_preferences_window_class_init (StarlingPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = starling_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/starlingchat/Starling/ui/starling-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, StarlingPreferencesWindow, provider_row);
  gtk_widget_class_bind_template_child (widget_class, StarlingPreferencesWindow, base_url_row);
  gtk_widget_class_bind_template_child (widget_class, StarlingPreferencesWindow, auth_style_row);
  gtk_widget_class_bind_template_child (widget_class, StarlingPreferencesWindow, api_key_row);
  gtk_widget_class_bind_template_child (widget_class, StarlingPreferencesWindow, key_status_row);
  gtk_widget_class_bind_template_child (widget_class, StarlingPreferencesWindow, default_model_row);
  gtk_widget_class_bind_template_child (widget_class, StarlingPreferencesWindow, color_scheme_row);
  gtk_widget_class_bind_template_callback (widget_class, provider_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, base_url_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, api_key_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, default_model_apply_cb);
}

static void
starling_preferences_window_init (StarlingPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
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

StarlingPreferencesWindow *
starling_preferences_window_new (StarlingApplication *application)
{
  StarlingPreferencesWindow *self;
  g_autofree char *base_url = NULL;
  g_autofree char *model = NULL;

  self = g_object_new (STARLING_TYPE_PREFERENCES_WINDOW, NULL);
  self->application = g_object_ref (application);
  self->settings = g_object_ref (starling_application_get_settings (application));

  base_url = g_settings_get_string (self->settings, "base-url");
  model = g_settings_get_string (self->settings, "default-model");
  gtk_editable_set_text (GTK_EDITABLE (self->base_url_row), base_url);
  gtk_editable_set_text (GTK_EDITABLE (self->default_model_row), model);

  bind_enum_row (self, "auth-style", self->auth_style_row, auth_style_nicks);
  bind_enum_row (self, "color-scheme", self->color_scheme_row, color_scheme_nicks);
  bind_enum_row (self, "provider", self->provider_row, provider_nicks);
  gtk_widget_set_sensitive (GTK_WIDGET (self->base_url_row),
                            adw_combo_row_get_selected (self->provider_row) == 2);

  g_signal_connect_object (application, "notify::key-source",
                           G_CALLBACK (update_key_status), self, G_CONNECT_SWAPPED);
  update_key_status (self);

  return self;
}

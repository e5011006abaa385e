/* starling-setup-dialog.c: the first run: a provider, a key, a connection test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "StarlingSetup"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "gem-error.h"
#include "starling-model-list.h"
#include "starling-setup-dialog.h"

#define COMETAPI_BASE_URL "https://api.cometapi.com"
#define GOOGLE_BASE_URL   "https://generativelanguage.googleapis.com"

enum {
  PROVIDER_COMETAPI,
  PROVIDER_GOOGLE,
  PROVIDER_CUSTOM,
};

static const char * const provider_nicks[] = { "cometapi", "google", "custom" };

struct _StarlingSetupDialog
{
  AdwWindow            parent_instance;

  StarlingApplication *application;
  GCancellable        *cancellable;
  GPtrArray           *tested_models;
  char                *tested_url;
  char                *result;
  gboolean             success;
  gboolean             testing;

  AdwComboRow         *provider_row;
  AdwEntryRow         *base_url_row;
  AdwPasswordEntryRow *key_row;
  GtkLabel            *help_label;
  GtkSpinner          *spinner;
  GtkWidget           *result_box;
  GtkImage            *result_icon;
  GtkLabel            *result_label;
};

G_DEFINE_FINAL_TYPE (StarlingSetupDialog, starling_setup_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_TESTING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
current_key (StarlingSetupDialog *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->key_row))));
}

/**
 * starling_setup_dialog_dup_base_url:
 *
 * Returns: (transfer full): the base URL of the chosen provider
 */
char *
starling_setup_dialog_dup_base_url (StarlingSetupDialog *self)
{
  g_return_val_if_fail (STARLING_IS_SETUP_DIALOG (self), NULL);

  switch (adw_combo_row_get_selected (self->provider_row))
    {
    case PROVIDER_COMETAPI:
      return g_strdup (COMETAPI_BASE_URL);
    case PROVIDER_GOOGLE:
      return g_strdup (GOOGLE_BASE_URL);
    default:
      return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->base_url_row))));
    }
}

static void
show_result (StarlingSetupDialog *self,
             gboolean             success,
             const char          *message)
{
  self->success = success;
  g_free (self->result);
  self->result = g_strdup (message);

  gtk_widget_set_visible (self->result_box, message != NULL);
  gtk_label_set_label (self->result_label, message != NULL ? message : "");
  gtk_image_set_from_icon_name (self->result_icon, success ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
  if (success)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->result_icon), "success");
      gtk_widget_remove_css_class (GTK_WIDGET (self->result_icon), "error");
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->result_icon), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->result_icon), "success");
    }
}

static void
set_testing (StarlingSetupDialog *self,
             gboolean             testing)
{
  self->testing = testing;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), testing);
  gtk_spinner_set_spinning (self->spinner, testing);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TESTING]);
}

static void
update_actions (StarlingSetupDialog *self)
{
  g_autofree char *key = current_key (self);
  g_autofree char *url = starling_setup_dialog_dup_base_url (self);
  gboolean ready = *key != '\0' && *url != '\0';

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.test", ready && !self->testing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.save", ready);
}

static void
update_help (StarlingSetupDialog *self)
{
  guint provider = adw_combo_row_get_selected (self->provider_row);
  g_autofree char *markup = NULL;

  if (provider == PROVIDER_COMETAPI)
    markup = g_strdup_printf (_("Get a key in your <a href=\"%s\">CometAPI</a> account. Starling sends it in the %s header."),
                              "https://www.cometapi.com", "x-goog-api-key");
  else if (provider == PROVIDER_GOOGLE)
    markup = g_strdup_printf (_("Create a key in <a href=\"%s\">Google AI Studio</a>."),
                              "https://aistudio.google.com/apikey");
  else
    markup = g_strdup (_("The base URL is the server’s address without /v1beta, such as https://example.com. Plain http:// is only allowed for this computer."));

  gtk_label_set_markup (self->help_label, markup);
}

static void
provider_changed_cb (StarlingSetupDialog *self)
{
  gboolean custom = adw_combo_row_get_selected (self->provider_row) == PROVIDER_CUSTOM;

  gtk_widget_set_visible (GTK_WIDGET (self->base_url_row), custom);
  update_help (self);
  update_actions (self);
  show_result (self, FALSE, NULL);
}

static void
input_changed_cb (StarlingSetupDialog *self)
{
  update_actions (self);
  /* An old verdict does not describe the new input. */
  if (!self->testing)
    show_result (self, FALSE, NULL);
}

static void
list_models_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(StarlingSetupDialog) self = user_data;
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GError) error = NULL;

  models = gem_client_list_models_finish (GEM_CLIENT (object), result, &error);

  if (g_error_matches (error, GEM_ERROR, GEM_ERROR_CANCELLED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_testing (self, FALSE);
  update_actions (self);

  if (models == NULL)
    {
      g_autofree char *message = starling_model_list_describe_error (error, gem_client_get_base_url (GEM_CLIENT (object)));

      show_result (self, FALSE, message);
      return;
    }

  {
    guint chat = 0;
    g_autofree char *message = NULL;

    for (guint i = 0; i < models->len; i++)
      if (gem_model_info_supports_generate (g_ptr_array_index (models, i)))
        chat++;

    if (chat == 0)
      message = g_strdup (_("Connected, but the server lists no model that can chat. You can still type a model id in the chat settings."));
    else
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "Connected: %u model can chat.",
                                              "Connected: %u models can chat.", chat),
                                 chat);

    g_clear_pointer (&self->tested_models, g_ptr_array_unref);
    self->tested_models = g_ptr_array_ref (models);
    g_free (self->tested_url);
    self->tested_url = g_strdup (gem_client_get_base_url (GEM_CLIENT (object)));
    show_result (self, TRUE, message);
  }
}

static void
test_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  StarlingSetupDialog *self = STARLING_SETUP_DIALOG (widget);
  g_autofree char *url = starling_setup_dialog_dup_base_url (self);
  g_autofree char *key = current_key (self);
  g_autoptr(GemClient) client = NULL;
  g_autoptr(GError) error = NULL;
  GSettings *settings = starling_application_get_settings (self->application);

  if (!gem_client_check_base_url (url, &error))
    {
      show_result (self, FALSE, error->message);
      return;
    }

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  /* A client of its own: nothing is saved until the user says so. */
  client = gem_client_new (url, key);
  gem_client_set_auth_style (client, g_settings_get_enum (settings, "auth-style") == 1
                                     ? GEM_AUTH_STYLE_BEARER : GEM_AUTH_STYLE_X_GOOG_API_KEY);
  gem_client_set_max_retries (client, 0);
  gem_client_set_connect_timeout (client, 15);
  gem_client_set_idle_timeout (client, 30);

  show_result (self, FALSE, NULL);
  set_testing (self, TRUE);
  update_actions (self);
  gem_client_list_models_async (client, 200, self->cancellable, list_models_cb, g_object_ref (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  StarlingSetupDialog *self = STARLING_SETUP_DIALOG (widget);
  GSettings *settings = starling_application_get_settings (self->application);
  guint provider = adw_combo_row_get_selected (self->provider_row);
  g_autofree char *url = starling_setup_dialog_dup_base_url (self);
  g_autofree char *key = current_key (self);
  g_autoptr(GError) error = NULL;

  if (!gem_client_check_base_url (url, &error))
    {
      show_result (self, FALSE, error->message);
      return;
    }

  g_settings_set_enum (settings, "provider", (int) MIN (provider, PROVIDER_CUSTOM));
  g_settings_set_string (settings, "base-url", url);
  starling_application_set_api_key (self->application, key);

  /* The models just listed are this server's list: no need to ask again. */
  if (self->tested_models != NULL && g_strcmp0 (self->tested_url, url) == 0)
    {
      GemClient *client = starling_application_get_client (self->application);

      if (g_strcmp0 (gem_client_get_base_url (client), url) == 0)
        starling_model_list_set_models (starling_model_list_get_for_client (client), self->tested_models);
    }

  explicit_bzero (key, strlen (key));
  gtk_editable_set_text (GTK_EDITABLE (self->key_row), "");
  gtk_window_close (GTK_WINDOW (self));
}

static void
paste_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(StarlingSetupDialog) self = user_data;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, NULL);

  if (text == NULL)
    return;

  /* A key is one token: drop the spaces and line breaks a copy picks up. */
  g_strstrip (text);
  gtk_editable_set_text (GTK_EDITABLE (self->key_row), text);
  explicit_bzero (text, strlen (text));
}

static void
paste_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, paste_cb, g_object_ref (widget));
}

static void
key_activated_cb (StarlingSetupDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "setup.test", NULL);
}

static void
starling_setup_dialog_dispose (GObject *object)
{
  StarlingSetupDialog *self = STARLING_SETUP_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), STARLING_TYPE_SETUP_DIALOG);
  g_clear_object (&self->application);
  g_clear_pointer (&self->tested_models, g_ptr_array_unref);

  G_OBJECT_CLASS (starling_setup_dialog_parent_class)->dispose (object);
}

static void
starling_setup_dialog_finalize (GObject *object)
{
  StarlingSetupDialog *self = STARLING_SETUP_DIALOG (object);

  g_clear_pointer (&self->tested_url, g_free);
  g_clear_pointer (&self->result, g_free);

  G_OBJECT_CLASS (starling_setup_dialog_parent_class)->finalize (object);
}

static void
starling_setup_dialog_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  StarlingSetupDialog *self = STARLING_SETUP_DIALOG (object);

  switch (prop_id)
    {
    case PROP_TESTING:
      g_value_set_boolean (value, self->testing);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_setup_dialog_class_init (StarlingSetupDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = starling_setup_dialog_dispose;
  object_class->finalize = starling_setup_dialog_finalize;
  object_class->get_property = starling_setup_dialog_get_property;

  properties[PROP_TESTING] =
    g_param_spec_boolean ("testing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/starlingchat/Starling/ui/starling-setup-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, StarlingSetupDialog, provider_row);
  gtk_widget_class_bind_template_child (widget_class, StarlingSetupDialog, base_url_row);
  gtk_widget_class_bind_template_child (widget_class, StarlingSetupDialog, key_row);
  gtk_widget_class_bind_template_child (widget_class, StarlingSetupDialog, help_label);
  gtk_widget_class_bind_template_child (widget_class, StarlingSetupDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, StarlingSetupDialog, result_box);
  gtk_widget_class_bind_template_child (widget_class, StarlingSetupDialog, result_icon);
  gtk_widget_class_bind_template_child (widget_class, StarlingSetupDialog, result_label);
  gtk_widget_class_bind_template_callback (widget_class, provider_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, input_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, key_activated_cb);

  gtk_widget_class_install_action (widget_class, "setup.test", NULL, test_action);
  gtk_widget_class_install_action (widget_class, "setup.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "setup.paste", NULL, paste_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
starling_setup_dialog_init (StarlingSetupDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * starling_setup_dialog_new:
 *
 * Returns: (transfer full): the dialog, filled from the current settings
 */
StarlingSetupDialog *
starling_setup_dialog_new (StarlingApplication *application)
{
  StarlingSetupDialog *self;
  GSettings *settings;
  g_autofree char *base_url = NULL;
  g_autofree char *provider = NULL;

  g_return_val_if_fail (STARLING_IS_APPLICATION (application), NULL);

  self = g_object_new (STARLING_TYPE_SETUP_DIALOG, NULL);
  self->application = g_object_ref (application);

  settings = starling_application_get_settings (application);
  base_url = g_settings_get_string (settings, "base-url");
  provider = g_settings_get_string (settings, "provider");

  gtk_editable_set_text (GTK_EDITABLE (self->base_url_row), base_url);
  for (guint i = 0; i < G_N_ELEMENTS (provider_nicks); i++)
    if (g_str_equal (provider, provider_nicks[i]))
      adw_combo_row_set_selected (self->provider_row, i);

  provider_changed_cb (self);

  return self;
}

/**
 * starling_setup_dialog_present:
 * @parent: (nullable): the window the dialog belongs to
 *
 * Opens the first-run setup: provider, key, connection test, save.
 */
void
starling_setup_dialog_present (GtkWindow           *parent,
                               StarlingApplication *application)
{
  StarlingSetupDialog *self = starling_setup_dialog_new (application);

  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  gtk_window_present (GTK_WINDOW (self));
}

gboolean
starling_setup_dialog_get_testing (StarlingSetupDialog *self)
{
  g_return_val_if_fail (STARLING_IS_SETUP_DIALOG (self), FALSE);

  return self->testing;
}

/**
 * starling_setup_dialog_get_result:
 *
 * Returns: (nullable): what the last connection test said
 */
const char *
starling_setup_dialog_get_result (StarlingSetupDialog *self)
{
  g_return_val_if_fail (STARLING_IS_SETUP_DIALOG (self), NULL);

  return self->result;
}

gboolean
starling_setup_dialog_get_success (StarlingSetupDialog *self)
{
  g_return_val_if_fail (STARLING_IS_SETUP_DIALOG (self), FALSE);

  return self->success;
}

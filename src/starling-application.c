/* starling-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "starling-application.h"
#include "starling-preferences-window.h"
#include "starling-search-provider.h"
#include "starling-secret.h"
#include "starling-window.h"

struct _StarlingApplication
{
  AdwApplication     parent_instance;

  GSettings         *settings;
  GCancellable      *cancellable;
  char              *base_url_override;
  char              *base_url_setting;
  char              *api_key;
  StarlingKeySource  key_source;
  GemClient         *client;
  gboolean           demo;
  StarlingStore     *store;
  char              *store_notice;
  StarlingSearchProvider *search_provider;
};

G_DEFINE_FINAL_TYPE (StarlingApplication, starling_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_HAS_API_KEY,
  PROP_KEY_SOURCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void sync_client (StarlingApplication *self);

static void
starling_application_set_key_internal (StarlingApplication *self,
                                       const char          *key,
                                       StarlingKeySource    source)
{
  gboolean had_key = self->api_key != NULL;

  if (self->api_key != NULL)
    explicit_bzero (self->api_key, strlen (self->api_key));
  g_clear_pointer (&self->api_key, g_free);

  if (key != NULL && *key != '\0')
    self->api_key = g_strstrip (g_strdup (key));
  self->key_source = self->api_key != NULL ? source : STARLING_KEY_SOURCE_NONE;

  sync_client (self);
  if (had_key != (self->api_key != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_API_KEY]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEY_SOURCE]);
}

/* One client, one HTTP session, for every conversation of every window. */
static void
sync_client (StarlingApplication *self)
{
  if (self->client == NULL)
    return;

  gem_client_set_base_url (self->client, starling_application_get_base_url (self));
  gem_client_set_api_key (self->client, self->api_key);
  gem_client_set_auth_style (self->client,
                             g_settings_get_enum (self->settings, "auth-style") == 1
                             ? GEM_AUTH_STYLE_BEARER : GEM_AUTH_STYLE_X_GOOG_API_KEY);
}

static void
apply_color_scheme (StarlingApplication *self)
{
  static const AdwColorScheme schemes[] = {
    ADW_COLOR_SCHEME_DEFAULT,
    ADW_COLOR_SCHEME_FORCE_LIGHT,
    ADW_COLOR_SCHEME_FORCE_DARK,
  };
  guint value = (guint) g_settings_get_enum (self->settings, "color-scheme");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      schemes[MIN (value, G_N_ELEMENTS (schemes) - 1)]);
}

static void
color_scheme_changed_cb (StarlingApplication *self)
{
  apply_color_scheme (self);
}

static void
base_url_changed_cb (StarlingApplication *self)
{
  g_free (self->base_url_setting);
  self->base_url_setting = g_settings_get_string (self->settings, "base-url");
  sync_client (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASE_URL]);
}

static void
key_lookup_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(StarlingApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;

  key = starling_secret_lookup_finish (result, &error);
  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Keyring unavailable: %s", error->message);
      return;
    }

  /* A key typed in meanwhile wins over the stored one. */
  if (key != NULL && self->api_key == NULL)
    starling_application_set_key_internal (self, key, STARLING_KEY_SOURCE_KEYRING);
}

static void
key_store_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(StarlingApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  GtkWindow *window;

  if (starling_secret_store_finish (result, &error))
    return;

  if (self->key_source == STARLING_KEY_SOURCE_KEYRING)
    {
      self->key_source = STARLING_KEY_SOURCE_SESSION;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEY_SOURCE]);
    }

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (STARLING_IS_WINDOW (window))
    starling_window_show_toast (STARLING_WINDOW (window),
                                _("No keyring is available: the key is kept only until Starling quits"));
}

static StarlingWindow *
ensure_window (StarlingApplication *self)
{
  GtkWindow *window;

  g_application_activate (G_APPLICATION (self));
  window = gtk_application_get_active_window (GTK_APPLICATION (self));

  return STARLING_IS_WINDOW (window) ? STARLING_WINDOW (window) : NULL;
}

/* GNOME Shell's overview: a result was chosen. */
static void
provider_activate_cb (StarlingApplication *self,
                      gint64               id,
                      GStrv                terms,
                      guint                timestamp)
{
  StarlingWindow *window = ensure_window (self);

  if (window == NULL)
    return;
  starling_window_open_conversation (window, id, 0);
  gtk_window_present_with_time (GTK_WINDOW (window), timestamp);
}

/* GNOME Shell's overview: "search in Starling" for the terms typed there. */
static void
provider_launch_cb (StarlingApplication *self,
                    GStrv                terms,
                    guint                timestamp)
{
  StarlingWindow *window = ensure_window (self);
  g_autofree char *text = g_strjoinv (" ", terms);

  if (window == NULL)
    return;
  starling_window_search_for (window, text);
  gtk_window_present_with_time (GTK_WINDOW (window), timestamp);
}

static gboolean
starling_application_dbus_register (GApplication     *app,
                                    GDBusConnection  *connection,
                                    const char       *object_path,
                                    GError          **error)
{
  StarlingApplication *self = STARLING_APPLICATION (app);

  if (!G_APPLICATION_CLASS (starling_application_parent_class)->dbus_register (app, connection, object_path, error))
    return FALSE;

  self->search_provider = starling_search_provider_new (app);
  g_signal_connect_object (self->search_provider, "activate-result",
                           G_CALLBACK (provider_activate_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_provider, "launch-search",
                           G_CALLBACK (provider_launch_cb), self, G_CONNECT_SWAPPED);

  return starling_search_provider_export (self->search_provider, connection, NULL, error);
}

static void
starling_application_dbus_unregister (GApplication    *app,
                                      GDBusConnection *connection,
                                      const char      *object_path)
{
  StarlingApplication *self = STARLING_APPLICATION (app);

  if (self->search_provider != NULL)
    starling_search_provider_unexport (self->search_provider);
  g_clear_object (&self->search_provider);

  G_APPLICATION_CLASS (starling_application_parent_class)->dbus_unregister (app, connection, object_path);
}

static void
starling_application_activate (GApplication *app)
{
  StarlingApplication *self = STARLING_APPLICATION (app);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    window = GTK_WINDOW (starling_window_new (self));

  gtk_window_present (window);
}

static gint
starling_application_handle_local_options (GApplication *app,
                                           GVariantDict *options)
{
  StarlingApplication *self = STARLING_APPLICATION (app);
  const char *base_url = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("starling %s\n", PACKAGE_VERSION);
      return 0;
    }

  self->demo = g_variant_dict_contains (options, "demo");

  if (!g_variant_dict_lookup (options, "base-url", "&s", &base_url) || *base_url == '\0')
    base_url = g_getenv ("STARLING_BASE_URL");
  if (base_url != NULL && *base_url != '\0')
    {
      g_free (self->base_url_override);
      self->base_url_override = g_strdup (base_url);
    }

  return -1;
}

static void
starling_application_startup (GApplication *app)
{
  StarlingApplication *self = STARLING_APPLICATION (app);
  const char *env_key;

  G_APPLICATION_CLASS (starling_application_parent_class)->startup (app);

  gtk_window_set_default_icon_name (APP_ID);

  self->settings = g_settings_new (APP_ID);
  g_signal_connect_object (self->settings, "changed::color-scheme",
                           G_CALLBACK (color_scheme_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::base-url",
                           G_CALLBACK (base_url_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::auth-style",
                           G_CALLBACK (sync_client), self, G_CONNECT_SWAPPED);
  self->base_url_setting = g_settings_get_string (self->settings, "base-url");
  apply_color_scheme (self);
  starling_preferences_setup_application (self);

  /* The Shell's search provider reads the history too. */
  if (self->search_provider != NULL)
    starling_search_provider_set_store (self->search_provider, starling_application_get_store (self));

  env_key = starling_secret_key_from_environment ();
  if (env_key != NULL)
    starling_application_set_key_internal (self, env_key, STARLING_KEY_SOURCE_ENVIRONMENT);
  else
    starling_secret_lookup_async (self->cancellable, key_lookup_cb, g_object_ref (self));
}

static void
starling_application_shutdown (GApplication *app)
{
  StarlingApplication *self = STARLING_APPLICATION (app);

  g_cancellable_cancel (self->cancellable);

  G_APPLICATION_CLASS (starling_application_parent_class)->shutdown (app);
}

static void
starling_application_finalize (GObject *object)
{
  StarlingApplication *self = STARLING_APPLICATION (object);

  if (self->api_key != NULL)
    explicit_bzero (self->api_key, strlen (self->api_key));
  g_clear_pointer (&self->api_key, g_free);
  g_clear_pointer (&self->base_url_override, g_free);
  g_clear_pointer (&self->base_url_setting, g_free);
  g_clear_object (&self->client);
  g_clear_object (&self->store);
  g_clear_pointer (&self->store_notice, g_free);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (starling_application_parent_class)->finalize (object);
}

static void
starling_application_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  StarlingApplication *self = STARLING_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, starling_application_get_base_url (self));
      break;

    case PROP_HAS_API_KEY:
      g_value_set_boolean (value, starling_application_has_api_key (self));
      break;

    case PROP_KEY_SOURCE:
      g_value_set_int (value, self->key_source);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_application_class_init (StarlingApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = starling_application_finalize;
  object_class->get_property = starling_application_get_property;

  app_class->activate = starling_application_activate;
  app_class->startup = starling_application_startup;
  app_class->shutdown = starling_application_shutdown;
  app_class->handle_local_options = starling_application_handle_local_options;
  app_class->dbus_register = starling_application_dbus_register;
  app_class->dbus_unregister = starling_application_dbus_unregister;

  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_HAS_API_KEY] =
    g_param_spec_boolean ("has-api-key", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_KEY_SOURCE] =
    g_param_spec_int ("key-source", NULL, NULL,
                      STARLING_KEY_SOURCE_NONE, STARLING_KEY_SOURCE_SESSION, STARLING_KEY_SOURCE_NONE,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
starling_application_quit_action (GSimpleAction *action,
                                  GVariant      *parameter,
                                  gpointer       user_data)
{
  StarlingApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Closing each window lets it save its state and cancel its requests. */
  for (GList *l = windows; l != NULL;)
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }

  g_application_quit (G_APPLICATION (self));
}

static void
starling_application_about_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  static const char *developers[] = { "The Starling developers", NULL };
  StarlingApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  adw_show_about_window (window,
                         "application-name", "Starling",
                         "application-icon", APP_ID,
                         "developer-name", _("The Starling developers"),
                         "version", PACKAGE_VERSION,
                         "comments", _("Chat with Gemini models, read the sources behind each answer, and make images."),
                         "website", "https://github.com/starlingchat/starling",
                         "issue-url", "https://github.com/starlingchat/starling/issues",
                         "developers", developers,
                         /* Translators: your name(s), one per line, to be credited in the About window */
                         "translator-credits", _("translator-credits"),
                         "copyright", "© 2026 The Starling developers",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
starling_application_preferences_action (GSimpleAction *action,
                                         GVariant      *parameter,
                                         gpointer       user_data)
{
  StarlingApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  StarlingPreferencesWindow *prefs;

  prefs = starling_preferences_window_new (self);
  if (window != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (prefs), window);
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
starling_application_shortcuts_action (GSimpleAction *action,
                                       GVariant      *parameter,
                                       gpointer       user_data)
{
  StarlingApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWindow *shortcuts;

  builder = gtk_builder_new_from_resource ("/io/github/starlingchat/Starling/ui/starling-shortcuts-window.ui");
  shortcuts = GTK_WINDOW (gtk_builder_get_object (builder, "shortcuts_window"));
  /* As the window's help overlay, the shortcuts given by action (New Chat,
   * Preferences…) show their keys: only then can it ask the application. */
  if (GTK_IS_APPLICATION_WINDOW (window))
    gtk_application_window_set_help_overlay (GTK_APPLICATION_WINDOW (window), GTK_SHORTCUTS_WINDOW (shortcuts));
  else if (window != NULL)
    gtk_window_set_transient_for (shortcuts, window);
  gtk_window_present (shortcuts);
}

static const GActionEntry app_actions[] = {
  { "quit", starling_application_quit_action },
  { "about", starling_application_about_action },
  { "preferences", starling_application_preferences_action },
  { "shortcuts", starling_application_shortcuts_action },
};

static const GOptionEntry option_entries[] = {
  { "base-url", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Base URL of the Gemini API (overrides the preferences)"), N_("URL") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and quit"), NULL },
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Say that answers come from recordings (for the demo server)"), NULL },
  { NULL }
};

static void
starling_application_init (StarlingApplication *self)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *shortcuts_accels[] = { "<Control>question", NULL };
  static const char *new_chat_accels[] = { "<Control>n", NULL };
  static const char *gallery_accels[] = { "<Control><Shift>g", NULL };

  self->cancellable = g_cancellable_new ();

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.shortcuts", shortcuts_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.new-chat", new_chat_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.gallery", gallery_accels);
}

StarlingApplication *
starling_application_new (void)
{
  return g_object_new (STARLING_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/starlingchat/Starling",
                       NULL);
}

GSettings *
starling_application_get_settings (StarlingApplication *self)
{
  g_return_val_if_fail (STARLING_IS_APPLICATION (self), NULL);

  return self->settings;
}

const char *
starling_application_get_base_url (StarlingApplication *self)
{
  g_return_val_if_fail (STARLING_IS_APPLICATION (self), NULL);

  if (self->base_url_override != NULL)
    return self->base_url_override;

  return self->base_url_setting;
}

gboolean
starling_application_has_api_key (StarlingApplication *self)
{
  g_return_val_if_fail (STARLING_IS_APPLICATION (self), FALSE);

  return self->api_key != NULL;
}

/* The caller must never log or persist the returned key. */
const char *
starling_application_get_api_key (StarlingApplication *self)
{
  g_return_val_if_fail (STARLING_IS_APPLICATION (self), NULL);

  return self->api_key;
}

StarlingKeySource
starling_application_get_key_source (StarlingApplication *self)
{
  g_return_val_if_fail (STARLING_IS_APPLICATION (self), STARLING_KEY_SOURCE_NONE);

  return self->key_source;
}

/* Stores the key in the keyring; without one it stays for this session only. */
void
starling_application_set_api_key (StarlingApplication *self,
                                  const char          *key)
{
  g_return_if_fail (STARLING_IS_APPLICATION (self));

  starling_application_set_key_internal (self, key, STARLING_KEY_SOURCE_KEYRING);
  starling_secret_store_async (self->api_key, self->cancellable, key_store_cb, g_object_ref (self));
}

GemClient *
starling_application_get_client (StarlingApplication *self)
{
  g_return_val_if_fail (STARLING_IS_APPLICATION (self), NULL);

  if (self->client == NULL)
    {
      g_autofree char *user_agent = g_strdup_printf ("Starling/%s", PACKAGE_VERSION);

      self->client = gem_client_new (starling_application_get_base_url (self), self->api_key);
      gem_client_set_user_agent (self->client, user_agent);
      sync_client (self);
    }

  return self->client;
}

/* Started by `build-aux/starling demo` against the fake server and its recordings. */
gboolean
starling_application_get_demo (StarlingApplication *self)
{
  g_return_val_if_fail (STARLING_IS_APPLICATION (self), FALSE);

  return self->demo;
}

/* Returns: (nullable): the history, opened on first use; NULL when it can't be */
StarlingStore *
starling_application_get_store (StarlingApplication *self)
{
  g_return_val_if_fail (STARLING_IS_APPLICATION (self), NULL);

  if (self->store == NULL && self->store_notice == NULL)
    {
      g_autoptr(GError) error = NULL;

      self->store = starling_store_new (NULL, NULL, &error);
      if (self->store == NULL)
        /* Translators: %s says why the history database could not be opened */
        self->store_notice = g_strdup_printf (_("The history could not be opened, so conversations will not be kept: %s"),
                                              error->message);
      else
        self->store_notice = starling_store_dup_recovery_message (self->store);
      if (self->store_notice == NULL)
        self->store_notice = g_strdup ("");
    }

  return self->store;
}

/* Returns: (nullable): a sentence about the history the user should read once */
char *
starling_application_dup_store_notice (StarlingApplication *self)
{
  g_return_val_if_fail (STARLING_IS_APPLICATION (self), NULL);

  starling_application_get_store (self);
  return self->store_notice != NULL && *self->store_notice != '\0' ? g_strdup (self->store_notice) : NULL;
}

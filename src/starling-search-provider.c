/* starling-search-provider.c: the history in GNOME Shell's search (org.gnome.Shell.SearchProvider2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "starling-search-provider.h"

/* The shell shows a handful; a few more let it refine without a new query. */
#define MAX_RESULTS 20

static const char introspection_xml[] =
  "<node>"
  "  <interface name='org.gnome.Shell.SearchProvider2'>"
  "    <method name='GetInitialResultSet'>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='as' name='results' direction='out'/>"
  "    </method>"
  "    <method name='GetSubsearchResultSet'>"
  "      <arg type='as' name='previous_results' direction='in'/>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='as' name='results' direction='out'/>"
  "    </method>"
  "    <method name='GetResultMetas'>"
  "      <arg type='as' name='identifiers' direction='in'/>"
  "      <arg type='aa{sv}' name='metas' direction='out'/>"
  "    </method>"
  "    <method name='ActivateResult'>"
  "      <arg type='s' name='identifier' direction='in'/>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='u' name='timestamp' direction='in'/>"
  "    </method>"
  "    <method name='LaunchSearch'>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='u' name='timestamp' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

typedef struct
{
  char *title;
  char *description;
} Meta;

struct _StarlingSearchProvider
{
  GObject          parent_instance;

  GApplication    *application;   /* weak */
  StarlingStore   *store;
  GDBusConnection *connection;
  guint            registration_id;
  GHashTable      *metas;         /* id string -> Meta, from the last searches */
  GCancellable    *cancellable;
};

G_DEFINE_FINAL_TYPE (StarlingSearchProvider, starling_search_provider, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

enum {
  ACTIVATE_RESULT,
  LAUNCH_SEARCH,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
meta_free (gpointer data)
{
  Meta *meta = data;

  g_free (meta->title);
  g_free (meta->description);
  g_free (meta);
}

static char *
one_line (const char *text)
{
  char *copy = g_strdup (text ? text : "");

  for (char *c = copy; *c != '\0'; c++)
    if (*c == '\n' || *c == '\r' || *c == '\t')
      *c = ' ';

  return g_strstrip (copy);
}

static void
remember_meta (StarlingSearchProvider *self,
               gint64                  id,
               const char             *title,
               const char             *description)
{
  Meta *meta = g_new0 (Meta, 1);
  g_autofree char *title_line = one_line (title);

  meta->title = title_line[0] != '\0' ? g_steal_pointer (&title_line) : g_strdup (_("New Chat"));
  meta->description = one_line (description);
  g_hash_table_insert (self->metas, g_strdup_printf ("%" G_GINT64_FORMAT, id), meta);
}

static gboolean
parse_id (const char *identifier,
          gint64     *id)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (identifier, 10, 1, G_MAXINT64, &value, NULL))
    return FALSE;

  *id = (gint64) value;
  return TRUE;
}

/* Keeps a service-mode application running while the shell waits. */
static void
hold (StarlingSearchProvider *self)
{
  if (self->application != NULL)
    g_application_hold (self->application);
}

static void
release (StarlingSearchProvider *self)
{
  if (self->application != NULL)
    g_application_release (self->application);
}

typedef struct
{
  StarlingSearchProvider *self;
  GDBusMethodInvocation  *invocation;
} SearchCall;

static void
search_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  SearchCall *call = user_data;
  StarlingSearchProvider *self = call->self;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  GVariantBuilder builder;

  hits = starling_store_search_finish (STARLING_STORE (object), result, &error);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("as"));

  if (hits == NULL)
    {
      g_debug ("Shell search failed: %s", error->message);
    }
  else
    {
      for (guint i = 0; i < hits->len; i++)
        {
          StarlingSearchResult *hit = g_ptr_array_index (hits, i);
          gint64 id = starling_search_result_get_conversation_id (hit);
          g_autofree char *identifier = NULL;

          if (g_hash_table_contains (seen, &id))
            continue;
          g_hash_table_add (seen, g_memdup2 (&id, sizeof id));

          identifier = g_strdup_printf ("%" G_GINT64_FORMAT, id);
          g_variant_builder_add (&builder, "s", identifier);
          remember_meta (self, id, starling_search_result_get_title (hit),
                         starling_search_result_get_snippet (hit));
        }
    }

  g_dbus_method_invocation_return_value (call->invocation, g_variant_new ("(as)", &builder));

  release (self);
  g_object_unref (call->invocation);
  g_object_unref (call->self);
  g_free (call);
}

static void
start_search (StarlingSearchProvider *self,
              GDBusMethodInvocation  *invocation,
              const char * const     *terms)
{
  g_autofree char *text = g_strjoinv (" ", (char **) terms);
  SearchCall *call;

  if (self->store == NULL)
    {
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(@as)", g_variant_new_strv (NULL, 0)));
      return;
    }

  call = g_new0 (SearchCall, 1);
  call->self = g_object_ref (self);
  call->invocation = g_object_ref (invocation);
  hold (self);
  starling_store_search_async (self->store, text, 0, MAX_RESULTS,
                               STARLING_SEARCH_FLAGS_ONE_PER_CONVERSATION,
                               self->cancellable, search_done_cb, call);
}

static void
add_meta (StarlingSearchProvider *self,
          GVariantBuilder        *builder,
          const char             *identifier)
{
  Meta *meta = g_hash_table_lookup (self->metas, identifier);
  gint64 id;

  if (meta == NULL && self->store != NULL && parse_id (identifier, &id))
    {
      g_autoptr(StarlingConversationInfo) info = starling_store_get_conversation (self->store, id, NULL);

      if (info != NULL && !starling_conversation_info_get_deleted (info))
        {
          remember_meta (self, id, starling_conversation_info_get_title (info),
                         starling_conversation_info_get_snippet (info));
          meta = g_hash_table_lookup (self->metas, identifier);
        }
    }

  /* An id the shell kept from an older search, since deleted: no meta. */
  if (meta == NULL)
    return;

  g_variant_builder_open (builder, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (builder, "{sv}", "id", g_variant_new_string (identifier));
  g_variant_builder_add (builder, "{sv}", "name", g_variant_new_string (meta->title));
  if (meta->description[0] != '\0')
    g_variant_builder_add (builder, "{sv}", "description", g_variant_new_string (meta->description));
  g_variant_builder_close (builder);
}

static void
method_call_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *object_path,
                const char            *interface_name,
                const char            *method_name,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  StarlingSearchProvider *self = user_data;

  if (g_str_equal (method_name, "GetInitialResultSet"))
    {
      g_autofree const char **terms = NULL;

      g_variant_get (parameters, "(^a&s)", &terms);
      start_search (self, invocation, terms);
    }
  else if (g_str_equal (method_name, "GetSubsearchResultSet"))
    {
      g_autofree const char **previous = NULL;
      g_autofree const char **terms = NULL;

      /* FTS answers a longer query as fast as it filters: ask again. */
      g_variant_get (parameters, "(^a&s^a&s)", &previous, &terms);
      start_search (self, invocation, terms);
    }
  else if (g_str_equal (method_name, "GetResultMetas"))
    {
      g_autofree const char **identifiers = NULL;
      GVariantBuilder builder;

      g_variant_get (parameters, "(^a&s)", &identifiers);
      g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
      for (guint i = 0; identifiers[i] != NULL; i++)
        add_meta (self, &builder, identifiers[i]);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(aa{sv})", &builder));
    }
  else if (g_str_equal (method_name, "ActivateResult"))
    {
      const char *identifier;
      g_autofree const char **terms = NULL;
      guint32 timestamp;
      gint64 id;

      g_variant_get (parameters, "(&s^a&su)", &identifier, &terms, &timestamp);
      if (!parse_id (identifier, &id))
        {
          g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                                 "Not a conversation: %s", identifier);
          return;
        }

      g_signal_emit (self, signals[ACTIVATE_RESULT], 0, id, terms, timestamp);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "LaunchSearch"))
    {
      g_autofree const char **terms = NULL;
      guint32 timestamp;

      g_variant_get (parameters, "(^a&su)", &terms, &timestamp);
      g_signal_emit (self, signals[LAUNCH_SEARCH], 0, terms, timestamp);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                             "No such method: %s", method_name);
    }
}

static const GDBusInterfaceVTable vtable = {
  .method_call = method_call_cb,
};

static void
starling_search_provider_dispose (GObject *object)
{
  StarlingSearchProvider *self = STARLING_SEARCH_PROVIDER (object);

  starling_search_provider_unexport (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_weak_pointer (&self->application);

  G_OBJECT_CLASS (starling_search_provider_parent_class)->dispose (object);
}

static void
starling_search_provider_finalize (GObject *object)
{
  StarlingSearchProvider *self = STARLING_SEARCH_PROVIDER (object);

  g_clear_pointer (&self->metas, g_hash_table_unref);

  G_OBJECT_CLASS (starling_search_provider_parent_class)->finalize (object);
}

static void
starling_search_provider_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  StarlingSearchProvider *self = STARLING_SEARCH_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_search_provider_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  StarlingSearchProvider *self = STARLING_SEARCH_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      starling_search_provider_set_store (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_search_provider_class_init (StarlingSearchProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = starling_search_provider_dispose;
  object_class->finalize = starling_search_provider_finalize;
  object_class->get_property = starling_search_provider_get_property;
  object_class->set_property = starling_search_provider_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, STARLING_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * StarlingSearchProvider::activate-result:
   * @conversation_id: the conversation the user picked in the overview
   * @terms: what they typed
   * @timestamp: the event time, for presenting the window
   */
  signals[ACTIVATE_RESULT] =
    g_signal_new ("activate-result", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_STRV, G_TYPE_UINT);

  /**
   * StarlingSearchProvider::launch-search:
   * @terms: what the user typed in the overview
   * @timestamp: the event time
   *
   * The user asked to see all results in the app.
   */
  signals[LAUNCH_SEARCH] =
    g_signal_new ("launch-search", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRV, G_TYPE_UINT);
}

static void
starling_search_provider_init (StarlingSearchProvider *self)
{
  self->metas = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, meta_free);
  self->cancellable = g_cancellable_new ();
}

/**
 * starling_search_provider_new:
 * @application: (nullable): held while a query runs, so that an instance
 *   started by the shell (`--gapplication-service`) stays up to answer
 */
StarlingSearchProvider *
starling_search_provider_new (GApplication *application)
{
  StarlingSearchProvider *self = g_object_new (STARLING_TYPE_SEARCH_PROVIDER, NULL);

  g_set_weak_pointer (&self->application, application);

  return self;
}

StarlingStore *
starling_search_provider_get_store (StarlingSearchProvider *self)
{
  g_return_val_if_fail (STARLING_IS_SEARCH_PROVIDER (self), NULL);

  return self->store;
}

/**
 * starling_search_provider_set_store:
 * @store: (nullable): the history to search; without one, nothing is found
 */
void
starling_search_provider_set_store (StarlingSearchProvider *self,
                                    StarlingStore          *store)
{
  g_return_if_fail (STARLING_IS_SEARCH_PROVIDER (self));
  g_return_if_fail (store == NULL || STARLING_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  g_hash_table_remove_all (self->metas);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

/**
 * starling_search_provider_export:
 * @connection: the application's connection (from the dbus_register vfunc)
 * @object_path: (nullable): where, %NULL for
 *   %STARLING_SEARCH_PROVIDER_OBJECT_PATH (the path in the .ini file)
 */
gboolean
starling_search_provider_export (StarlingSearchProvider  *self,
                                 GDBusConnection         *connection,
                                 const char              *object_path,
                                 GError                 **error)
{
  static GDBusNodeInfo *node_info;

  g_return_val_if_fail (STARLING_IS_SEARCH_PROVIDER (self), FALSE);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (self->registration_id == 0, FALSE);

  if (g_once_init_enter (&node_info))
    g_once_init_leave (&node_info, g_dbus_node_info_new_for_xml (introspection_xml, NULL));

  self->registration_id =
    g_dbus_connection_register_object (connection,
                                       object_path ? object_path : STARLING_SEARCH_PROVIDER_OBJECT_PATH,
                                       node_info->interfaces[0], &vtable, self, NULL, error);
  if (self->registration_id == 0)
    return FALSE;

  self->connection = g_object_ref (connection);
  return TRUE;
}

void
starling_search_provider_unexport (StarlingSearchProvider *self)
{
  g_return_if_fail (STARLING_IS_SEARCH_PROVIDER (self));

  if (self->registration_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->registration_id);
  self->registration_id = 0;
  g_clear_object (&self->connection);
}

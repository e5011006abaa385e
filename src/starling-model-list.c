/* starling-model-list.c: the models a server offers, cached on disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "StarlingModelList"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "gem-error.h"
#include "starling-model-list.h"

#define CACHE_FORMAT_VERSION 1
#define DEFAULT_PAGE_SIZE 200

struct _StarlingModelList
{
  GObject       parent_instance;

  GWeakRef      client;
  char         *cache_path;
  char         *base_url;     /* the server the items came from */
  guint         page_size;

  GPtrArray    *all;          /* every model, as listed */
  GPtrArray    *items;        /* those that can chat */
  GDateTime    *updated;
  char         *error_message;
  GCancellable *cancellable;
  guint         loading;
};

static void starling_model_list_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (StarlingModelList, starling_model_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      starling_model_list_list_model_init))

enum {
  PROP_0,
  PROP_LOADING,
  PROP_ERROR_MESSAGE,
  PROP_UPDATED,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
normalize_base_url (const char *url)
{
  g_autofree char *copy = g_strstrip (g_strdup (url != NULL ? url : ""));
  gsize len = strlen (copy);

  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';

  return g_steal_pointer (&copy);
}

static char *
host_of (const char *base_url)
{
  g_autoptr(GUri) uri = NULL;

  if (base_url != NULL)
    uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL && g_uri_get_host (uri) != NULL)
    {
      if (g_uri_get_port (uri) > 0)
        return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
      return g_strdup (g_uri_get_host (uri));
    }

  return g_strdup (base_url != NULL ? base_url : "");
}

static void
set_error_message (StarlingModelList *self,
                   const char        *message)
{
  if (g_strcmp0 (self->error_message, message) == 0)
    return;

  g_free (self->error_message);
  self->error_message = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
}

static void
set_loading (StarlingModelList *self,
             gboolean           loading)
{
  guint before = self->loading;

  if (loading)
    self->loading++;
  else if (self->loading > 0)
    self->loading--;

  if ((before > 0) != (self->loading > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* Replaces the items; only models that can chat (generateContent) are offered. */
static void
replace_models (StarlingModelList *self,
                GPtrArray         *models,
                const char        *base_url,
                GDateTime         *updated)
{
  guint removed = self->items->len;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; models != NULL && i < models->len; i++)
    {
      GemModelInfo *info = g_ptr_array_index (models, i);

      if (gem_model_info_supports_generate (info))
        g_ptr_array_add (items, g_object_ref (info));
    }

  g_clear_pointer (&self->all, g_ptr_array_unref);
  self->all = models != NULL ? g_ptr_array_ref (models)
                             : g_ptr_array_new_with_free_func (g_object_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  self->items = g_steal_pointer (&items);

  g_free (self->base_url);
  self->base_url = normalize_base_url (base_url);

  g_clear_pointer (&self->updated, g_date_time_unref);
  if (updated != NULL)
    self->updated = g_date_time_ref (updated);

  if (removed > 0 || self->items->len > 0)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->items->len);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPDATED]);
}

static const char *
client_base_url (StarlingModelList *self,
                 char             **storage)
{
  g_autoptr(GemClient) client = g_weak_ref_get (&self->client);

  *storage = normalize_base_url (client != NULL ? gem_client_get_base_url (client) : NULL);
  return *storage;
}

static JsonNode *
model_to_json (GemModelInfo *info)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char * const *methods = gem_model_info_get_generation_methods (info);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, gem_model_info_get_name (info));
  if (g_strcmp0 (gem_model_info_get_display_name (info), gem_model_info_get_id (info)) != 0)
    {
      json_builder_set_member_name (builder, "displayName");
      json_builder_add_string_value (builder, gem_model_info_get_display_name (info));
    }
  if (gem_model_info_get_description (info) != NULL)
    {
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, gem_model_info_get_description (info));
    }
  if (gem_model_info_get_version (info) != NULL)
    {
      json_builder_set_member_name (builder, "version");
      json_builder_add_string_value (builder, gem_model_info_get_version (info));
    }
  json_builder_set_member_name (builder, "inputTokenLimit");
  json_builder_add_int_value (builder, gem_model_info_get_input_token_limit (info));
  json_builder_set_member_name (builder, "outputTokenLimit");
  json_builder_add_int_value (builder, gem_model_info_get_output_token_limit (info));
  json_builder_set_member_name (builder, "supportedGenerationMethods");
  json_builder_begin_array (builder);
  for (guint i = 0; methods != NULL && methods[i] != NULL; i++)
    json_builder_add_string_value (builder, methods[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "thinking");
  json_builder_add_boolean_value (builder, gem_model_info_get_thinking (info));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
write_cache (StarlingModelList *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *text = NULL;
  g_autofree char *updated = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, CACHE_FORMAT_VERSION);
  json_builder_set_member_name (builder, "baseUrl");
  json_builder_add_string_value (builder, self->base_url);
  if (self->updated != NULL)
    {
      updated = g_date_time_format_iso8601 (self->updated);
      json_builder_set_member_name (builder, "updated");
      json_builder_add_string_value (builder, updated);
    }
  json_builder_set_member_name (builder, "models");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->all->len; i++)
    json_builder_add_value (builder, model_to_json (g_ptr_array_index (self->all, i)));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);

  folder = g_path_get_dirname (self->cache_path);
  if (g_mkdir_with_parents (folder, 0700) != 0 ||
      !g_file_set_contents (self->cache_path, text, -1, &error))
    g_debug ("Could not write the model cache: %s", error != NULL ? error->message : g_strerror (errno));
}

static void
client_base_url_changed_cb (StarlingModelList *self)
{
  g_autofree char *url = NULL;

  if (g_strcmp0 (client_base_url (self, &url), self->base_url) == 0)
    return;

  /* Another server: what we listed belongs to the old one. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  set_error_message (self, NULL);
  replace_models (self, NULL, url, NULL);
  starling_model_list_load_cache (self);
}

static gpointer
starling_model_list_get_item (GListModel *model,
                              guint       position)
{
  StarlingModelList *self = STARLING_MODEL_LIST (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static guint
starling_model_list_get_n_items (GListModel *model)
{
  return STARLING_MODEL_LIST (model)->items->len;
}

static GType
starling_model_list_get_item_type (GListModel *model)
{
  return GEM_TYPE_MODEL_INFO;
}

static void
starling_model_list_list_model_init (GListModelInterface *iface)
{
  iface->get_item = starling_model_list_get_item;
  iface->get_n_items = starling_model_list_get_n_items;
  iface->get_item_type = starling_model_list_get_item_type;
}

static void
starling_model_list_dispose (GObject *object)
{
  StarlingModelList *self = STARLING_MODEL_LIST (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (starling_model_list_parent_class)->dispose (object);
}

static void
starling_model_list_finalize (GObject *object)
{
  StarlingModelList *self = STARLING_MODEL_LIST (object);

  g_weak_ref_clear (&self->client);
  g_clear_pointer (&self->cache_path, g_free);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->all, g_ptr_array_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->updated, g_date_time_unref);
  g_clear_pointer (&self->error_message, g_free);

  G_OBJECT_CLASS (starling_model_list_parent_class)->finalize (object);
}

static void
starling_model_list_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  StarlingModelList *self = STARLING_MODEL_LIST (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading > 0);
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;

    case PROP_UPDATED:
      g_value_set_boxed (value, self->updated);
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_model_list_class_init (StarlingModelListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = starling_model_list_dispose;
  object_class->finalize = starling_model_list_finalize;
  object_class->get_property = starling_model_list_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UPDATED] =
    g_param_spec_boxed ("updated", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
starling_model_list_init (StarlingModelList *self)
{
  g_weak_ref_init (&self->client, NULL);
  self->all = g_ptr_array_new_with_free_func (g_object_unref);
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->page_size = DEFAULT_PAGE_SIZE;
}

/**
 * starling_model_list_default_cache_path:
 *
 * Returns: (transfer full): `$XDG_CACHE_HOME/starling/models.json`
 */
char *
starling_model_list_default_cache_path (void)
{
  return g_build_filename (g_get_user_cache_dir (), "starling", "models.json", NULL);
}

/**
 * starling_model_list_new:
 * @client: the client that lists the models; not referenced: keep it alive
 * @cache_path: (nullable): where to cache the list, %NULL for the default
 *
 * The list follows the client's base URL: when it changes, the items are
 * dropped and the cache of the new server (if any) is read.
 *
 * Returns: (transfer full): an empty list; call starling_model_list_ensure()
 */
StarlingModelList *
starling_model_list_new (GemClient  *client,
                         const char *cache_path)
{
  StarlingModelList *self;

  g_return_val_if_fail (GEM_IS_CLIENT (client), NULL);

  self = g_object_new (STARLING_TYPE_MODEL_LIST, NULL);
  g_weak_ref_set (&self->client, client);
  self->cache_path = cache_path != NULL ? g_strdup (cache_path) : starling_model_list_default_cache_path ();
  self->base_url = normalize_base_url (gem_client_get_base_url (client));
  g_signal_connect_object (client, "notify::base-url",
                           G_CALLBACK (client_base_url_changed_cb), self, G_CONNECT_SWAPPED);

  return self;
}

/**
 * starling_model_list_get_for_client:
 *
 * Returns: (transfer none): the one list of this client, made on first use
 *   (with the default cache path) and kept as long as the client
 */
StarlingModelList *
starling_model_list_get_for_client (GemClient *client)
{
  StarlingModelList *self;

  g_return_val_if_fail (GEM_IS_CLIENT (client), NULL);

  self = g_object_get_data (G_OBJECT (client), "starling-model-list");
  if (self == NULL)
    {
      self = starling_model_list_new (client, NULL);
      g_object_set_data_full (G_OBJECT (client), "starling-model-list", self, g_object_unref);
    }

  return self;
}

/**
 * starling_model_list_get_client:
 *
 * Returns: (transfer none) (nullable): the client, if still alive
 */
GemClient *
starling_model_list_get_client (StarlingModelList *self)
{
  g_autoptr(GemClient) client = NULL;

  g_return_val_if_fail (STARLING_IS_MODEL_LIST (self), NULL);

  client = g_weak_ref_get (&self->client);
  /* Alive while someone else holds it; the reference returned is borrowed. */
  return client;
}

const char *
starling_model_list_get_cache_path (StarlingModelList *self)
{
  g_return_val_if_fail (STARLING_IS_MODEL_LIST (self), NULL);

  return self->cache_path;
}

const char *
starling_model_list_get_base_url (StarlingModelList *self)
{
  g_return_val_if_fail (STARLING_IS_MODEL_LIST (self), NULL);

  return self->base_url;
}

guint
starling_model_list_get_page_size (StarlingModelList *self)
{
  g_return_val_if_fail (STARLING_IS_MODEL_LIST (self), 0);

  return self->page_size;
}

/**
 * starling_model_list_set_page_size:
 * @page_size: models per request, 0 for the server's default (50)
 */
void
starling_model_list_set_page_size (StarlingModelList *self,
                                   guint              page_size)
{
  g_return_if_fail (STARLING_IS_MODEL_LIST (self));

  self->page_size = MIN (page_size, 1000);
}

gboolean
starling_model_list_get_loading (StarlingModelList *self)
{
  g_return_val_if_fail (STARLING_IS_MODEL_LIST (self), FALSE);

  return self->loading > 0;
}

/**
 * starling_model_list_get_error_message:
 *
 * Returns: (nullable): why the last refresh failed, as a sentence
 */
const char *
starling_model_list_get_error_message (StarlingModelList *self)
{
  g_return_val_if_fail (STARLING_IS_MODEL_LIST (self), NULL);

  return self->error_message;
}

/**
 * starling_model_list_get_updated:
 *
 * Returns: (transfer none) (nullable): when the items were listed by the server
 */
GDateTime *
starling_model_list_get_updated (StarlingModelList *self)
{
  g_return_val_if_fail (STARLING_IS_MODEL_LIST (self), NULL);

  return self->updated;
}

/**
 * starling_model_list_lookup:
 * @model_id: "gemini-2.5-flash" or "models/gemini-2.5-flash"
 *
 * Returns: (transfer none) (nullable): the listed model that can chat
 */
GemModelInfo *
starling_model_list_lookup (StarlingModelList *self,
                            const char        *model_id)
{
  const char *id;

  g_return_val_if_fail (STARLING_IS_MODEL_LIST (self), NULL);

  if (model_id == NULL || *model_id == '\0')
    return NULL;

  id = gem_model_id_from_name (model_id);
  for (guint i = 0; i < self->items->len; i++)
    {
      GemModelInfo *info = g_ptr_array_index (self->items, i);

      if (g_strcmp0 (gem_model_info_get_id (info), id) == 0)
        return info;
    }

  return NULL;
}

/**
 * starling_model_list_load_cache:
 *
 * Reads the cache file when it was written for the client's base URL.
 *
 * Returns: whether the items now come from the cache
 */
gboolean
starling_model_list_load_cache (StarlingModelList *self)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GDateTime) updated = NULL;
  g_autofree char *url = NULL;
  g_autofree char *cached_url = NULL;
  JsonObject *root;
  JsonNode *list;
  const char *text;

  g_return_val_if_fail (STARLING_IS_MODEL_LIST (self), FALSE);

  if (!json_parser_load_from_file (parser, self->cache_path, NULL) ||
      json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;

  root = json_node_get_object (json_parser_get_root (parser));
  if (json_object_get_int_member_with_default (root, "version", 0) != CACHE_FORMAT_VERSION)
    return FALSE;

  cached_url = normalize_base_url (json_object_get_string_member_with_default (root, "baseUrl", ""));
  if (g_strcmp0 (cached_url, client_base_url (self, &url)) != 0)
    return FALSE;

  list = json_object_get_member (root, "models");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    return FALSE;

  models = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (list), i);
      GemModelInfo *info;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      info = gem_model_info_new_from_json (json_node_get_object (element), NULL);
      if (info != NULL)
        g_ptr_array_add (models, info);
    }

  text = json_object_get_string_member_with_default (root, "updated", NULL);
  if (text != NULL)
    updated = g_date_time_new_from_iso8601 (text, NULL);

  replace_models (self, models, cached_url, updated);
  return TRUE;
}

static void
list_models_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  StarlingModelList *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GError) error = NULL;
  const char *base_url = g_task_get_task_data (task);

  models = gem_client_list_models_finish (GEM_CLIENT (object), result, &error);
  set_loading (self, FALSE);

  if (models == NULL)
    {
      g_autofree char *message = starling_model_list_describe_error (error, base_url);

      if (!g_error_matches (error, GEM_ERROR, GEM_ERROR_CANCELLED) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_error_message (self, message);
      g_task_return_new_error (task, error->domain, error->code, "%s", message);
      return;
    }

  /* A list for a server we left meanwhile is of no use. */
  {
    g_autofree char *current = NULL;

    if (g_strcmp0 (client_base_url (self, &current), base_url) != 0)
      {
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 "%s", _("The server address changed while the models were listed."));
        return;
      }
  }

  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

    set_error_message (self, NULL);
    replace_models (self, models, base_url, now);
    write_cache (self);
  }

  g_task_return_boolean (task, TRUE);
}

/**
 * starling_model_list_refresh_async:
 *
 * Lists every page of `GET /v1beta/models` and, on success, replaces the
 * items and rewrites the cache. A failure keeps the items and sets
 * #StarlingModelList:error-message; the #GError's message is the same sentence.
 */
void
starling_model_list_refresh_async (StarlingModelList   *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GemClient) client = NULL;
  g_autofree char *url = NULL;

  g_return_if_fail (STARLING_IS_MODEL_LIST (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, starling_model_list_refresh_async);

  client = g_weak_ref_get (&self->client);
  if (client == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED, "%s",
                               _("The models cannot be listed now."));
      return;
    }

  g_task_set_task_data (task, g_strdup (client_base_url (self, &url)), g_free);
  set_loading (self, TRUE);
  gem_client_list_models_async (client, self->page_size, cancellable,
                                list_models_cb, g_steal_pointer (&task));
}

gboolean
starling_model_list_refresh_finish (StarlingModelList  *self,
                                    GAsyncResult       *result,
                                    GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The error is in the error-message property already. */
  starling_model_list_refresh_finish (STARLING_MODEL_LIST (object), result, &error);
}

/**
 * starling_model_list_refresh:
 *
 * Lists the models again unless a refresh is under way.
 */
void
starling_model_list_refresh (StarlingModelList *self)
{
  g_return_if_fail (STARLING_IS_MODEL_LIST (self));

  if (self->cancellable != NULL && self->loading > 0)
    return;

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  starling_model_list_refresh_async (self, self->cancellable, refresh_cb, NULL);
}

/**
 * starling_model_list_ensure:
 *
 * Makes sure there is a list: from the cache, else from the server (when the
 * client has a key).
 */
void
starling_model_list_ensure (StarlingModelList *self)
{
  g_autoptr(GemClient) client = NULL;

  g_return_if_fail (STARLING_IS_MODEL_LIST (self));

  if (self->updated != NULL || self->loading > 0)
    return;

  if (starling_model_list_load_cache (self))
    return;

  client = g_weak_ref_get (&self->client);
  if (client != NULL && gem_client_get_api_key (client) != NULL)
    starling_model_list_refresh (self);
}

/**
 * starling_model_list_set_models:
 * @models: (element-type GemModelInfo): every model the client's server listed
 *
 * Takes a list fetched elsewhere (say, by a connection test) as this
 * server's list, and caches it.
 */
void
starling_model_list_set_models (StarlingModelList *self,
                                GPtrArray         *models)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *url = NULL;

  g_return_if_fail (STARLING_IS_MODEL_LIST (self));
  g_return_if_fail (models != NULL);

  set_error_message (self, NULL);
  replace_models (self, models, client_base_url (self, &url), now);
  write_cache (self);
}

static char *
format_amount (gint64 tokens,
               gint64 binary_unit,
               gint64 decimal_unit,
               const char *suffix)
{
  double value = tokens % binary_unit == 0 ? (double) tokens / (double) binary_unit
                                           : (double) tokens / (double) decimal_unit;
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (value >= 100 || value == (double) (gint64) value)
    g_snprintf (buffer, sizeof buffer, "%.0f%s", value, suffix);
  else
    g_snprintf (buffer, sizeof buffer, "%.1f%s", value, suffix);

  return g_strdup (buffer);
}

/**
 * starling_model_list_format_tokens:
 * @tokens: a token count, e.g. an input token limit
 *
 * Returns: (transfer full) (nullable): "1M tokens", "128K tokens", "500 tokens";
 *   %NULL for 0
 */
char *
starling_model_list_format_tokens (gint64 tokens)
{
  g_autofree char *amount = NULL;

  if (tokens <= 0)
    return NULL;

  if (tokens >= 1000 * 1000)
    amount = format_amount (tokens, 1024 * 1024, 1000 * 1000, "M");
  else if (tokens >= 1000)
    amount = format_amount (tokens, 1024, 1000, "K");
  else
    amount = g_strdup_printf ("%" G_GINT64_FORMAT, tokens);

  /* Translators: a context size, e.g. "1M tokens", "128K tokens" */
  return g_strdup_printf (_("%s tokens"), amount);
}

/**
 * starling_model_list_describe:
 *
 * Returns: (transfer full): the id and the context size, for a row subtitle
 */
char *
starling_model_list_describe (GemModelInfo *info)
{
  g_autofree char *context = NULL;

  g_return_val_if_fail (GEM_IS_MODEL_INFO (info), NULL);

  context = starling_model_list_format_tokens (gem_model_info_get_input_token_limit (info));
  if (context == NULL)
    return g_strdup (gem_model_info_get_id (info));

  /* Translators: a model id and its context size, e.g. "gemini-2.5-flash · 1M tokens" */
  return g_strdup_printf (_("%s · %s"), gem_model_info_get_id (info), context);
}

/**
 * starling_model_list_describe_error:
 * @error: why listing the models failed
 * @base_url: (nullable): the server that was asked
 *
 * Returns: (transfer full): a sentence saying what went wrong in terms of a
 *   connection check: a rejected key, an unreachable host, a failed secure
 *   connection, a server that is not a Gemini API
 */
char *
starling_model_list_describe_error (const GError *error,
                                    const char   *base_url)
{
  g_autofree char *host = host_of (base_url);
  guint status = gem_error_get_http_status (error);

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != GEM_ERROR)
    return g_strdup (error->message);

  switch ((GemErrorCode) error->code)
    {
    case GEM_ERROR_NO_KEY:
      return g_strdup (_("Enter an API key first."));

    case GEM_ERROR_INVALID_KEY:
      return g_strdup_printf (_("%s rejected the API key. Check that the whole key was copied, and that it belongs to this provider."),
                              host);

    case GEM_ERROR_MALFORMED_RESPONSE:
      return g_strdup_printf (_("%s answered, but not as a Gemini API: its model list could not be read. Check the base URL; it is the server’s address, such as https://api.cometapi.com."),
                              host);

    case GEM_ERROR_MODEL_NOT_FOUND:
      return g_strdup_printf (_("%s is not a Gemini API: it has no model list at /v1beta/models (HTTP %u). Check the base URL; it is the server’s address, such as https://api.cometapi.com."),
                              host, status != 0 ? status : 404);

    case GEM_ERROR_HTTP:
      if (status == 404 || status == 405 || (status >= 200 && status < 300))
        return g_strdup_printf (_("%s is not a Gemini API: it has no model list at /v1beta/models (HTTP %u). Check the base URL; it is the server’s address, such as https://api.cometapi.com."),
                                host, status);
      return g_strdup (error->message);

    case GEM_ERROR_CANCELLED:
      return g_strdup (_("Listing the models was cancelled."));

    case GEM_ERROR_BAD_REQUEST:
    case GEM_ERROR_PERMISSION_DENIED:
    case GEM_ERROR_RATE_LIMITED:
    case GEM_ERROR_QUOTA_EXHAUSTED:
    case GEM_ERROR_SERVER_ERROR:
    case GEM_ERROR_OVERLOADED:
    case GEM_ERROR_NETWORK:
    case GEM_ERROR_TLS:
    case GEM_ERROR_TIMEOUT:
    case GEM_ERROR_BLOCKED_PROMPT:
    case GEM_ERROR_STOPPED_SAFETY:
    case GEM_ERROR_STOPPED_RECITATION:
    case GEM_ERROR_STOPPED_OTHER:
    case GEM_ERROR_INTERRUPTED:
    case GEM_ERROR_EVENT_TOO_LARGE:
    case GEM_ERROR_EMPTY_RESPONSE:
    case GEM_ERROR_UNSUPPORTED_LOCATION:
    default:
      /* The protocol library's sentences name the host and the cause already. */
      return g_strdup (error->message);
    }
}

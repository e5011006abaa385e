/* starling-conversation.c: a conversation's branch tree, its active path and its request
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "gem-error.h"
#include "gem-request.h"
#include "starling-attachment.h"
#include "starling-conversation.h"
#include "starling-image.h"

struct _StarlingConversation
{
  GObject          parent_instance;

  GemClient       *client;
  char            *model;
  char            *title;

  /* A hidden root whose children are the first prompts, so even those can be edited. */
  StarlingMessage *root;
  GListStore      *messages;

  StarlingMessage *streaming;
  GCancellable    *cancellable;
  gulong           delta_handler;
  gulong           retrying_handler;

  GemGenerationSettings *settings;
  gboolean         stream;

  /* The history; NULL for a conversation kept in memory only. */
  StarlingStore   *store;
  gint64           id;
  guint            save_source;
  gboolean         partial_dirty;

  /* What the user typed and has not sent: never NULL; and the files
   * attached to it (StarlingAttachment), read from the history only when
   * asked for (draft_files_stored: it has some there, not read yet). */
  char            *draft;
  GPtrArray       *draft_files;
  gboolean         draft_files_stored;
  /* In the history only to keep its draft: no message was ever sent. */
  gboolean         only_draft;
  /* Prompts whose Edit and Resend text changed, not written yet */
  GPtrArray       *edits;
  guint            edits_source;
};

G_DEFINE_FINAL_TYPE (StarlingConversation, starling_conversation, G_TYPE_OBJECT)

/* As for the composer's draft: a crash loses at most this moment of typing. */
#define SAVE_EDIT_DELAY_MS 500

enum {
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_MODEL,
  PROP_BUSY,
  PROP_DRAFT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void start_request (StarlingConversation *self,
                           StarlingMessage      *answer);

/* Brings the list model in line with the tree's active path, touching only what changed. */
static void
sync_path (StarlingConversation *self)
{
  g_autoptr(GPtrArray) path = g_ptr_array_new ();
  GListModel *model = G_LIST_MODEL (self->messages);
  guint n_old = g_list_model_get_n_items (model);
  guint common = 0;

  for (StarlingMessage *m = starling_message_get_active_child (self->root);
       m != NULL;
       m = starling_message_get_active_child (m))
    g_ptr_array_add (path, m);

  while (common < n_old && common < path->len)
    {
      g_autoptr(StarlingMessage) item = g_list_model_get_item (model, common);

      if (item != g_ptr_array_index (path, common))
        break;
      common++;
    }

  if (common == n_old && common == path->len)
    return;

  g_list_store_splice (self->messages, common, n_old - common,
                       path->pdata + common, path->len - common);
}

static StarlingMessage *
last_of_path (StarlingConversation *self)
{
  StarlingMessage *last = self->root;

  while (starling_message_get_active_child (last) != NULL)
    last = starling_message_get_active_child (last);

  return last;
}


/* --- The history: every turn is written as it happens --- */

static void
warn_store (const char   *what,
            const GError *error)
{
  if (error != NULL)
    g_warning ("Could not %s in the history: %s", what, error->message);
}

static gboolean
ensure_stored (StarlingConversation *self)
{
  g_autoptr(GError) error = NULL;

  if (self->store == NULL)
    return FALSE;
  if (self->id != 0)
    return TRUE;

  {
    g_autofree char *settings = gem_generation_settings_to_string (self->settings);

    self->id = starling_store_create_conversation (self->store, self->title, self->model, settings, &error);
  }
  warn_store ("create the conversation", error);
  if (self->id != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
  return self->id != 0;
}

static gint64
parent_id_of (StarlingConversation *self,
              StarlingMessage      *message)
{
  StarlingMessage *parent = starling_message_get_parent (message);

  return parent == NULL || parent == self->root ? 0 : starling_message_get_id (parent);
}

static StarlingStoreStatus
store_status (StarlingMessageStatus status)
{
  switch (status)
    {
    case STARLING_MESSAGE_STREAMING:
      return STARLING_STORE_STATUS_STREAMING;
    case STARLING_MESSAGE_STOPPED:
      return STARLING_STORE_STATUS_STOPPED;
    case STARLING_MESSAGE_INTERRUPTED:
      return STARLING_STORE_STATUS_INTERRUPTED;
    case STARLING_MESSAGE_ERROR:
      return STARLING_STORE_STATUS_ERROR;
    case STARLING_MESSAGE_COMPLETE:
    default:
      return STARLING_STORE_STATUS_COMPLETE;
    }
}

static void
store_message (StarlingConversation *self,
               StarlingMessage      *message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *parts = NULL;
  gint64 id;

  if (!ensure_stored (self))
    return;

  parts = starling_message_dup_parts_json (message);
  id = starling_store_append_message (self->store, self->id, parent_id_of (self, message),
                                      starling_message_get_role (message) == STARLING_ROLE_USER
                                      ? STARLING_STORE_ROLE_USER : STARLING_STORE_ROLE_MODEL,
                                      parts, store_status (starling_message_get_status (message)), &error);
  warn_store ("save a message", error);
  starling_message_set_id (message, id);
}

static char *
member_to_json (JsonObject *object,
                const char *member)
{
  if (object == NULL || !json_object_has_member (object, member))
    return NULL;

  return json_to_string (json_object_get_member (object, member), FALSE);
}

static char *
error_to_json (const GError *error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (error == NULL)
    return NULL;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "domain");
  json_builder_add_string_value (builder, g_quark_to_string (error->domain));
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, error->code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, error->message);
  if (error->domain == GEM_ERROR)
    {
      json_builder_set_member_name (builder, "httpStatus");
      json_builder_add_int_value (builder, gem_error_get_http_status (error));
      json_builder_set_member_name (builder, "apiStatus");
      json_builder_add_string_value (builder, gem_error_get_api_status (error));
      json_builder_set_member_name (builder, "apiMessage");
      json_builder_add_string_value (builder, gem_error_get_api_message (error));
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static void
store_finish (StarlingConversation *self,
              StarlingMessage      *answer)
{
  GemResponse *response = starling_message_get_response (answer);
  JsonObject *json = response != NULL ? gem_response_get_json (response) : NULL;
  JsonObject *candidate = NULL;
  g_autofree char *parts = NULL;
  g_autofree char *usage = NULL;
  g_autofree char *grounding = NULL;
  g_autofree char *error_json = NULL;
  g_autoptr(GError) error = NULL;

  if (self->store == NULL || starling_message_get_id (answer) == 0)
    return;

  if (json != NULL && json_object_has_member (json, "candidates") &&
      json_array_get_length (json_object_get_array_member (json, "candidates")) > 0)
    candidate = json_array_get_object_element (json_object_get_array_member (json, "candidates"), 0);

  parts = starling_message_dup_parts_json (answer);
  usage = member_to_json (json, "usageMetadata");
  grounding = member_to_json (candidate, "groundingMetadata");
  error_json = error_to_json (starling_message_get_error (answer));

  starling_store_finish_message (self->store, starling_message_get_id (answer), parts,
                                 store_status (starling_message_get_status (answer)),
                                 response != NULL ? gem_response_get_finish_reason (response) : NULL,
                                 usage, grounding,
                                 response != NULL ? gem_response_get_model_version (response) : NULL,
                                 error_json, &error);
  warn_store ("save the answer", error);

  if (starling_message_get_request_json (answer) != NULL)
    {
      g_clear_error (&error);
      starling_store_set_message_request (self->store, starling_message_get_id (answer),
                                          starling_message_get_request_json (answer), &error);
      warn_store ("save the request", error);
    }
}

/* Twice a second at most: what has arrived so far survives a crash. */
static gboolean
save_partial_cb (gpointer user_data)
{
  StarlingConversation *self = user_data;
  g_autofree char *parts = NULL;
  g_autoptr(GError) error = NULL;

  if (self->streaming == NULL || !self->partial_dirty || self->store == NULL ||
      starling_message_get_id (self->streaming) == 0)
    return G_SOURCE_CONTINUE;

  self->partial_dirty = FALSE;
  parts = starling_message_dup_parts_json (self->streaming);
  starling_store_update_message (self->store, starling_message_get_id (self->streaming), parts,
                                 STARLING_STORE_STATUS_STREAMING, &error);
  warn_store ("save the partial answer", error);

  return G_SOURCE_CONTINUE;
}

/* A path only ever hangs under its parent: no need to search the whole tree. */
static StarlingMessage *
find_child (StarlingMessage *parent,
            gint64           id)
{
  GPtrArray *children = starling_message_get_children (parent);

  for (guint i = 0; i < children->len; i++)
    if (starling_message_get_id (g_ptr_array_index (children, i)) == id)
      return g_ptr_array_index (children, i);

  return NULL;
}

/* Hangs the stored path under the tree, with the other versions at each place. */
static void
attach_path (StarlingConversation *self,
             GPtrArray            *path)
{
  StarlingMessage *parent = self->root;

  for (guint i = 0; i < path->len; i++)
    {
      StarlingStoredMessage *stored = g_ptr_array_index (path, i);
      gint64 id = starling_stored_message_get_id (stored);
      StarlingMessage *message = find_child (parent, id);

      if (message == NULL)
        {
          if (starling_stored_message_get_n_siblings (stored) > 1)
            {
              g_autoptr(GError) error = NULL;
              g_autoptr(GPtrArray) siblings = starling_store_list_siblings (self->store, id, &error);

              warn_store ("read the versions of a message", error);
              for (guint j = 0; siblings != NULL && j < siblings->len; j++)
                {
                  StarlingStoredMessage *other = g_ptr_array_index (siblings, j);
                  g_autoptr(StarlingMessage) sibling = NULL;

                  if (find_child (parent, starling_stored_message_get_id (other)) != NULL)
                    continue;
                  sibling = starling_message_new_from_stored (other);
                  starling_message_set_children_loaded (sibling, FALSE);
                  starling_message_add_child (parent, sibling);
                }
              message = find_child (parent, id);
            }

          if (message == NULL)
            {
              g_autoptr(StarlingMessage) fresh = starling_message_new_from_stored (stored);

              starling_message_add_child (parent, fresh);
              message = fresh;
            }
        }

      starling_message_set_children_loaded (message, TRUE);
      starling_message_set_active_child (parent, message);
      parent = message;
    }
}

static gboolean
load_active_path (StarlingConversation  *self,
                  GError               **error)
{
  g_autoptr(GPtrArray) path = NULL;

  path = starling_store_load_path (self->store, self->id, 0, 0, error);
  if (path == NULL)
    return FALSE;

  attach_path (self, path);
  sync_path (self);
  return TRUE;
}

static void
set_busy (StarlingConversation *self,
          StarlingMessage      *streaming)
{
  if (self->streaming == streaming)
    return;

  g_set_object (&self->streaming, streaming);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* One client serves every conversation: the cancellable says whose call an
 * event of the client is about. */
static gboolean
is_own_call (StarlingConversation *self,
             GCancellable         *cancellable)
{
  return cancellable != NULL && cancellable == self->cancellable && self->streaming != NULL;
}

static void
delta_received_cb (GemClient            *client,
                   GemResponse          *response,
                   JsonObject           *chunk,
                   GCancellable         *cancellable,
                   StarlingConversation *self)
{
  if (!is_own_call (self, cancellable))
    return;

  starling_message_set_retry (self->streaming, NULL, 0);
  starling_message_update_response (self->streaming, response);
  self->partial_dirty = TRUE;
}

/* The request failed before any answer came and is sent again after a
 * pause: the answer says so meanwhile (Stop still cancels it). */
static void
retrying_cb (GemClient            *client,
             guint                 retry,
             guint                 delay_ms,
             const GError         *error,
             GCancellable         *cancellable,
             StarlingConversation *self)
{
  if (!is_own_call (self, cancellable))
    return;

  starling_message_set_retry (self->streaming, error, g_get_monotonic_time () + (gint64) delay_ms * 1000);
}

static void
generate_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(StarlingMessage) answer = user_data;
  StarlingConversation *self = g_object_get_data (G_OBJECT (answer), "starling-conversation");
  g_autoptr(GemResponse) response = NULL;
  g_autoptr(GemResponse) partial = NULL;
  g_autoptr(GError) error = NULL;

  response = gem_client_generate_finish (GEM_CLIENT (object), result, &partial, &error);
  starling_message_set_retry (answer, NULL, 0);

  if (response != NULL)
    {
      g_autoptr(GError) finish_error = NULL;

      starling_message_update_response (answer, response);
      if (!gem_response_check_finish (response, &finish_error) &&
          g_error_matches (finish_error, GEM_ERROR, GEM_ERROR_BLOCKED_PROMPT))
        {
          starling_message_set_error (answer, finish_error);
          starling_message_set_status (answer, STARLING_MESSAGE_ERROR);
        }
      else
        {
          starling_message_set_status (answer, STARLING_MESSAGE_COMPLETE);
        }
    }
  else
    {
      /* Whatever arrived stays: a partial answer is never thrown away. */
      if (partial != NULL)
        starling_message_update_response (answer, partial);

      if (g_error_matches (error, GEM_ERROR, GEM_ERROR_CANCELLED) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          starling_message_set_status (answer, STARLING_MESSAGE_STOPPED);
        }
      else
        {
          starling_message_set_error (answer, error);
          starling_message_set_status (answer, STARLING_MESSAGE_ERROR);
        }
    }

  if (self != NULL && self->streaming == answer)
    {
      g_clear_handle_id (&self->save_source, g_source_remove);
      store_finish (self, answer);
      g_clear_object (&self->cancellable);
      set_busy (self, NULL);
    }
}

static GPtrArray *
turns_before (StarlingConversation *self,
              StarlingMessage      *answer)
{
  GPtrArray *turns = g_ptr_array_new_with_free_func ((GDestroyNotify) gem_turn_free);
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();

  for (StarlingMessage *m = starling_message_get_parent (answer);
       m != NULL && m != self->root;
       m = starling_message_get_parent (m))
    g_ptr_array_insert (chain, 0, m);

  for (guint i = 0; i < chain->len; i++)
    {
      StarlingMessage *m = g_ptr_array_index (chain, i);
      JsonArray *parts = starling_message_get_parts (m);
      gboolean user = starling_message_get_role (m) == STARLING_ROLE_USER;

      /* A failed answer with nothing in it is not part of the dialogue. */
      if (parts == NULL || json_array_get_length (parts) == 0)
        continue;

      g_ptr_array_add (turns, gem_turn_new (user ? "user" : "model", parts));
    }

  return turns;
}

static void
start_request (StarlingConversation *self,
               StarlingMessage      *answer)
{
  g_autoptr(GPtrArray) turns = NULL;
  g_autoptr(GemGenerationSettings) settings = NULL;
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (self->streaming == NULL);

  turns = turns_before (self, answer);
  settings = gem_generation_settings_copy (self->settings);

  request = gem_request_build (settings, turns, &error);
  if (request == NULL)
    {
      starling_message_set_error (answer, error);
      starling_message_set_status (answer, STARLING_MESSAGE_ERROR);
      return;
    }

  {
    g_autofree char *json = gem_request_to_string (request, TRUE);

    starling_message_set_request_json (answer, json);
  }

  starling_message_set_status (answer, STARLING_MESSAGE_STREAMING);
  g_object_set_data (G_OBJECT (answer), "starling-conversation", self);

  /* The prompt is in the history before the request leaves. */
  if (self->store != NULL)
    {
      StarlingMessage *prompt = starling_message_get_parent (answer);

      if (prompt != NULL && prompt != self->root && starling_message_get_id (prompt) == 0)
        store_message (self, prompt);
      store_message (self, answer);
      self->partial_dirty = FALSE;
      self->save_source = g_timeout_add (500, save_partial_cb, self);
    }

  self->cancellable = g_cancellable_new ();
  set_busy (self, answer);

  g_object_set_data (G_OBJECT (answer), "starling-streamed", GINT_TO_POINTER (self->stream));
  g_object_set_data_full (G_OBJECT (answer), "starling-model", g_strdup (self->model), g_free);
  gem_client_generate_async (self->client, self->model, request,
                             self->stream ? GEM_GENERATE_FLAGS_STREAM : GEM_GENERATE_FLAGS_NONE,
                             self->cancellable, generate_cb, g_object_ref (answer));
}

static JsonArray *
parts_for_prompt (const char *text,
                  GPtrArray  *attachments)
{
  JsonArray *parts = json_array_new ();

  /* Files first, then the words about them, as Google's examples do. */
  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    {
      StarlingAttachment *attachment = g_ptr_array_index (attachments, i);
      GBytes *bytes = starling_attachment_get_bytes (attachment);
      g_autofree char *data = g_base64_encode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      JsonObject *part = json_object_new ();
      JsonObject *inline_data = json_object_new ();

      json_object_set_string_member (inline_data, "mimeType", starling_attachment_get_mime_type (attachment));
      json_object_set_string_member (inline_data, "data", data);
      json_object_set_object_member (part, "inlineData", inline_data);
      json_array_add_object_element (parts, part);
    }

  if (text != NULL && *text != '\0')
    {
      JsonObject *part = json_object_new ();

      json_object_set_string_member (part, "text", text);
      json_array_add_object_element (parts, part);
    }

  return parts;
}

static char *
title_from_prompt (const char *text)
{
  const char *end = strchr (text, '\n');
  g_autofree char *line = g_strndup (text, end != NULL ? (gsize) (end - text) : strlen (text));

  g_strstrip (line);
  if (g_utf8_strlen (line, -1) > 60)
    {
      char *cut = g_utf8_offset_to_pointer (line, 59);

      *cut = '\0';
      return g_strconcat (line, "…", NULL);
    }

  return g_steal_pointer (&line);
}

static void
starling_conversation_dispose (GObject *object)
{
  StarlingConversation *self = STARLING_CONVERSATION (object);

  if (self->edits != NULL)
    starling_conversation_save_edit_drafts (self);
  g_clear_pointer (&self->edits, g_ptr_array_unref);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_signal_handler (&self->delta_handler, self->client);
  g_clear_signal_handler (&self->retrying_handler, self->client);
  g_clear_handle_id (&self->save_source, g_source_remove);
  if (self->streaming != NULL)
    g_object_set_data (G_OBJECT (self->streaming), "starling-conversation", NULL);
  g_clear_object (&self->streaming);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->store);
  if (self->messages != NULL)
    g_list_store_remove_all (self->messages);
  g_clear_object (&self->messages);
  g_clear_object (&self->root);

  G_OBJECT_CLASS (starling_conversation_parent_class)->dispose (object);
}

static void
starling_conversation_finalize (GObject *object)
{
  StarlingConversation *self = STARLING_CONVERSATION (object);

  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->draft, g_free);
  g_clear_pointer (&self->draft_files, g_ptr_array_unref);
  g_clear_pointer (&self->settings, gem_generation_settings_free);

  G_OBJECT_CLASS (starling_conversation_parent_class)->finalize (object);
}

static void
starling_conversation_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  StarlingConversation *self = STARLING_CONVERSATION (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;

    case PROP_DRAFT:
      g_value_set_string (value, self->draft);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->streaming != NULL);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_conversation_class_init (StarlingConversationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = starling_conversation_dispose;
  object_class->finalize = starling_conversation_finalize;
  object_class->get_property = starling_conversation_get_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* Notified once the history holds the new draft. */
  properties[PROP_DRAFT] =
    g_param_spec_string ("draft", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
starling_conversation_init (StarlingConversation *self)
{
  self->root = starling_message_new_user (NULL);
  self->messages = g_list_store_new (STARLING_TYPE_MESSAGE);
  self->title = g_strdup ("");
  self->draft = g_strdup ("");
  self->draft_files = g_ptr_array_new_with_free_func (g_object_unref);
}

StarlingConversation *
starling_conversation_new (GemClient  *client,
                           const char *model)
{
  StarlingConversation *self;

  g_return_val_if_fail (GEM_IS_CLIENT (client), NULL);

  self = g_object_new (STARLING_TYPE_CONVERSATION, NULL);
  self->client = g_object_ref (client);
  self->model = g_strdup (model != NULL ? model : "gemini-2.5-flash");
  self->settings = gem_generation_settings_new (self->model);
  self->stream = TRUE;
  self->delta_handler = g_signal_connect (client, "delta-received", G_CALLBACK (delta_received_cb), self);
  self->retrying_handler = g_signal_connect (client, "retrying", G_CALLBACK (retrying_cb), self);

  return self;
}

GListModel *
starling_conversation_get_messages (StarlingConversation *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION (self), NULL);

  return G_LIST_MODEL (self->messages);
}

const char *
starling_conversation_get_title (StarlingConversation *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION (self), NULL);

  return self->title;
}

void
starling_conversation_set_title (StarlingConversation *self,
                                 const char           *title)
{
  g_return_if_fail (STARLING_IS_CONVERSATION (self));

  if (g_strcmp0 (self->title, title) == 0)
    return;

  g_free (self->title);
  self->title = g_strdup (title != NULL ? title : "");
  if (self->store != NULL && self->id != 0)
    {
      g_autoptr(GError) error = NULL;

      starling_store_rename_conversation (self->store, self->id, self->title, &error);
      warn_store ("rename the conversation", error);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char *
starling_conversation_get_model (StarlingConversation *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION (self), NULL);

  return self->model;
}

void
starling_conversation_set_model (StarlingConversation *self,
                                 const char           *model)
{
  g_return_if_fail (STARLING_IS_CONVERSATION (self));
  g_return_if_fail (model != NULL && *model != '\0');

  if (g_strcmp0 (self->model, model) == 0)
    return;

  g_free (self->model);
  self->model = g_strdup (model);
  if (self->settings->model != model)
    {
      g_free (self->settings->model);
      self->settings->model = g_strdup (model);
    }
  if (self->store != NULL && self->id != 0)
    {
      g_autoptr(GError) error = NULL;

      starling_store_set_conversation_model (self->store, self->id, self->model, &error);
      warn_store ("save the model", error);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

gboolean
starling_conversation_get_busy (StarlingConversation *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION (self), FALSE);

  return self->streaming != NULL;
}

GemClient *
starling_conversation_get_client (StarlingConversation *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION (self), NULL);

  return self->client;
}

void
starling_conversation_send (StarlingConversation *self,
                            const char           *text,
                            GPtrArray            *attachments)
{
  g_autoptr(JsonArray) parts = NULL;
  g_autoptr(StarlingMessage) prompt = NULL;
  g_autoptr(StarlingMessage) answer = NULL;

  g_return_if_fail (STARLING_IS_CONVERSATION (self));

  if (self->streaming != NULL)
    return;

  parts = parts_for_prompt (text, attachments);
  if (json_array_get_length (parts) == 0)
    return;

  if (*self->title == '\0' && text != NULL && *text != '\0')
    {
      g_autofree char *title = title_from_prompt (text);

      starling_conversation_set_title (self, title);
    }

  prompt = starling_message_new_user (parts);
  answer = starling_message_new_model ();
  starling_message_add_child (last_of_path (self), prompt);
  starling_message_add_child (prompt, answer);
  sync_path (self);

  start_request (self, answer);

  /* The prompt is in the history now: the draft it was is gone. */
  self->only_draft = FALSE;
  starling_conversation_set_draft (self, NULL, NULL, FALSE);
}

void
starling_conversation_stop (StarlingConversation *self)
{
  g_return_if_fail (STARLING_IS_CONVERSATION (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

/* A new answer beside the old one: both stay reachable through the branch switcher. */
void
starling_conversation_regenerate (StarlingConversation *self,
                                  StarlingMessage      *answer)
{
  g_autoptr(StarlingMessage) fresh = NULL;
  StarlingMessage *prompt;

  g_return_if_fail (STARLING_IS_CONVERSATION (self));
  g_return_if_fail (STARLING_IS_MESSAGE (answer));

  prompt = starling_message_get_parent (answer);
  if (self->streaming != NULL || prompt == NULL || starling_message_get_role (answer) != STARLING_ROLE_MODEL)
    return;

  fresh = starling_message_new_model ();
  starling_message_add_child (prompt, fresh);
  sync_path (self);
  start_request (self, fresh);
}

/* After an error the failed answer is replaced, not kept as a branch. */
void
starling_conversation_retry (StarlingConversation *self,
                             StarlingMessage      *answer)
{
  g_autoptr(StarlingMessage) keep = NULL;
  g_autoptr(StarlingMessage) fresh = NULL;
  StarlingMessage *prompt;

  g_return_if_fail (STARLING_IS_CONVERSATION (self));
  g_return_if_fail (STARLING_IS_MESSAGE (answer));

  prompt = starling_message_get_parent (answer);
  if (self->streaming != NULL || prompt == NULL)
    return;

  keep = g_object_ref (answer);
  fresh = starling_message_new_model ();
  starling_message_remove_child (prompt, answer);
  starling_message_add_child (prompt, fresh);
  sync_path (self);
  start_request (self, fresh);
}

void
starling_conversation_edit (StarlingConversation *self,
                            StarlingMessage      *prompt,
                            const char           *text)
{
  g_autoptr(JsonArray) parts = json_array_new ();
  g_autoptr(StarlingMessage) edited = NULL;
  g_autoptr(StarlingMessage) answer = NULL;
  StarlingMessage *parent;
  JsonArray *old_parts;

  g_return_if_fail (STARLING_IS_CONVERSATION (self));
  g_return_if_fail (STARLING_IS_MESSAGE (prompt));

  parent = starling_message_get_parent (prompt);
  if (self->streaming != NULL || parent == NULL || starling_message_get_role (prompt) != STARLING_ROLE_USER)
    return;

  /* Attachments stay; the words are replaced. */
  old_parts = starling_message_get_parts (prompt);
  for (guint i = 0; i < json_array_get_length (old_parts); i++)
    {
      JsonObject *part = json_array_get_object_element (old_parts, i);

      if (part != NULL && !json_object_has_member (part, "text"))
        json_array_add_element (parts, json_node_copy (json_array_get_element (old_parts, i)));
    }
  if (text != NULL && *text != '\0')
    {
      JsonObject *part = json_object_new ();

      json_object_set_string_member (part, "text", text);
      json_array_add_object_element (parts, part);
    }
  if (json_array_get_length (parts) == 0)
    return;

  edited = starling_message_new_user (parts);
  answer = starling_message_new_model ();
  starling_message_add_child (parent, edited);
  starling_message_add_child (edited, answer);
  sync_path (self);
  start_request (self, answer);
}

void
starling_conversation_delete_pair (StarlingConversation *self,
                                   StarlingMessage      *message)
{
  g_autoptr(StarlingMessage) prompt = NULL;
  g_autoptr(GPtrArray) continuation = NULL;
  StarlingMessage *parent, *answer;

  g_return_if_fail (STARLING_IS_CONVERSATION (self));
  g_return_if_fail (STARLING_IS_MESSAGE (message));

  if (starling_message_get_role (message) == STARLING_ROLE_MODEL)
    message = starling_message_get_parent (message);
  if (message == NULL || message == self->root)
    return;

  prompt = g_object_ref (message);
  parent = starling_message_get_parent (prompt);
  answer = starling_message_get_active_child (prompt);
  if (parent == NULL || (self->streaming != NULL && self->streaming == answer))
    return;

  /* What followed the pair moves up to follow what came before it. */
  continuation = g_ptr_array_new_with_free_func (g_object_unref);
  if (answer != NULL)
    {
      GPtrArray *children = starling_message_get_children (answer);

      while (children->len > 0)
        {
          StarlingMessage *child = g_object_ref (g_ptr_array_index (children, 0));

          starling_message_remove_child (answer, child);
          g_ptr_array_add (continuation, child);
        }
    }

  if (self->store != NULL && starling_message_get_id (prompt) != 0)
    {
      g_autoptr(GError) error = NULL;

      starling_store_delete_message_pair (self->store, starling_message_get_id (prompt), &error);
      warn_store ("delete the messages", error);
    }

  starling_message_remove_child (parent, prompt);
  for (guint i = 0; i < continuation->len; i++)
    starling_message_add_child (parent, g_ptr_array_index (continuation, i));

  sync_path (self);
}

void
starling_conversation_switch_branch (StarlingConversation *self,
                                     StarlingMessage      *message,
                                     int                   direction)
{
  StarlingMessage *parent, *target;
  GPtrArray *siblings;
  int index;

  g_return_if_fail (STARLING_IS_CONVERSATION (self));
  g_return_if_fail (STARLING_IS_MESSAGE (message));

  parent = starling_message_get_parent (message);
  if (parent == NULL || self->streaming != NULL)
    return;

  siblings = starling_message_get_children (parent);
  index = (int) starling_message_get_sibling_index (message) + direction;
  if (index < 0 || index >= (int) siblings->len)
    return;

  target = g_ptr_array_index (siblings, index);
  starling_message_set_active_child (parent, target);

  if (self->store != NULL && starling_message_get_id (target) != 0)
    {
      g_autoptr(GError) error = NULL;

      starling_store_select_message (self->store, starling_message_get_id (target), &error);
      warn_store ("remember the chosen version", error);

      /* A version read from the history brings its own continuation along. */
      if (error == NULL && !starling_message_get_children_loaded (target))
        {
          load_active_path (self, &error);
          warn_store ("read the chosen version", error);
        }
    }

  sync_path (self);
}

/* Every image on the active path, oldest first: the viewer pages through them. */
GListModel *
starling_conversation_dup_images (StarlingConversation *self)
{
  GListStore *store = g_list_store_new (STARLING_TYPE_IMAGE);
  GListModel *messages;

  g_return_val_if_fail (STARLING_IS_CONVERSATION (self), G_LIST_MODEL (store));

  messages = G_LIST_MODEL (self->messages);
  for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr(StarlingMessage) message = g_list_model_get_item (messages, i);
      g_autoptr(StarlingMessage) prompt = NULL;
      JsonArray *parts = starling_message_get_parts (message);
      const char *caption = NULL;

      /* The prompt that made an image is its caption. */
      if (starling_message_get_role (message) == STARLING_ROLE_MODEL && i > 0)
        {
          prompt = g_list_model_get_item (messages, i - 1);
          caption = starling_message_get_text (prompt);
        }

      for (guint j = 0; parts != NULL && j < json_array_get_length (parts); j++)
        {
          JsonObject *part = json_array_get_object_element (parts, j);
          JsonObject *inline_data = part != NULL && json_object_has_member (part, "inlineData")
                                    ? json_object_get_object_member (part, "inlineData") : NULL;
          const char *mime, *data;
          g_autoptr(StarlingImage) image = NULL;

          if (inline_data == NULL || json_object_get_boolean_member_with_default (part, "thought", FALSE))
            continue;
          mime = json_object_get_string_member_with_default (inline_data, "mimeType", "");
          data = json_object_get_string_member_with_default (inline_data, "data", NULL);
          if (data == NULL || !g_str_has_prefix (mime, "image/"))
            continue;

          image = starling_image_new_from_base64 (json_object_get_member (inline_data, "data"), mime, caption);
          g_list_store_append (store, image);
        }
    }

  return G_LIST_MODEL (store);
}

StarlingConversation *
starling_conversation_new_for_store (GemClient     *client,
                                     StarlingStore *store,
                                     const char    *model)
{
  StarlingConversation *self = starling_conversation_new (client, model);

  g_set_object (&self->store, store);
  return self;
}

/* Reads a conversation back: its active path, and the other versions at each place. */
StarlingConversation *
starling_conversation_load (GemClient      *client,
                            StarlingStore  *store,
                            gint64          id,
                            GError        **error)
{
  g_autoptr(StarlingConversationInfo) info = NULL;
  g_autoptr(StarlingConversation) self = NULL;

  g_return_val_if_fail (STARLING_IS_STORE (store), NULL);

  info = starling_store_get_conversation (store, id, error);
  if (info == NULL)
    return NULL;

  self = starling_conversation_new_for_store (client, store, starling_conversation_info_get_model (info));
  self->id = id;
  if (starling_conversation_info_get_settings_json (info) != NULL)
    {
      g_autoptr(GemGenerationSettings) settings =
        gem_generation_settings_new_from_string (starling_conversation_info_get_settings_json (info), NULL);

      /* Settings that can't be read fall back to the model's defaults. */
      if (settings != NULL)
        {
          gem_generation_settings_free (self->settings);
          self->settings = g_steal_pointer (&settings);
          g_free (self->settings->model);
          self->settings->model = g_strdup (self->model);
        }
    }
  g_free (self->title);
  self->title = g_strdup (starling_conversation_info_get_title (info));
  g_free (self->draft);
  self->draft = g_strdup (starling_conversation_info_get_draft (info) ? starling_conversation_info_get_draft (info) : "");

  if (!load_active_path (self, error))
    return NULL;
  self->draft_files_stored = starling_conversation_info_get_draft_attachments (info) != NULL &&
                             *starling_conversation_info_get_draft_attachments (info) != '\0';
  self->only_draft = (*self->draft != '\0' || self->draft_files_stored) &&
                     g_list_model_get_n_items (G_LIST_MODEL (self->messages)) == 0;

  return g_steal_pointer (&self);
}

/**
 * starling_conversation_get_draft:
 *
 * Returns: what the user typed for this conversation and has not sent yet
 */
const char *
starling_conversation_get_draft (StarlingConversation *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION (self), NULL);

  return self->draft;
}

/* The files of the draft the history has and memory does not yet. */
static guint
read_draft_files (StarlingConversation *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  guint n_lost = 0;

  if (!self->draft_files_stored)
    return 0;
  self->draft_files_stored = FALSE;
  if (self->store == NULL || self->id == 0)
    return 0;

  json = starling_store_dup_draft_attachments (self->store, self->id, NULL, &error);
  warn_store ("read the files of the draft", error);
  if (json == NULL)
    return 1;

  g_ptr_array_unref (self->draft_files);
  self->draft_files = starling_attachments_from_json (json, &n_lost);
  return n_lost;
}

static gpointer
ref_object (gconstpointer object,
            gpointer      user_data)
{
  return g_object_ref ((gpointer) object);
}

/**
 * starling_conversation_dup_draft_attachments:
 * @n_lost: (out) (optional): how many files of the draft could not be read
 *   back from the history (the first time they are asked for)
 *
 * Returns: (transfer container) (element-type StarlingAttachment): the
 *   files attached to the draft
 */
GPtrArray *
starling_conversation_dup_draft_attachments (StarlingConversation *self,
                                             guint                *n_lost)
{
  guint lost;

  g_return_val_if_fail (STARLING_IS_CONVERSATION (self), NULL);

  lost = read_draft_files (self);
  if (n_lost != NULL)
    *n_lost = lost;

  return g_ptr_array_copy (self->draft_files, ref_object, NULL);
}

static gboolean
same_files (GPtrArray *a,
            GPtrArray *b)
{
  guint n = b != NULL ? b->len : 0;

  if (a->len != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (g_ptr_array_index (a, i) != g_ptr_array_index (b, i))
      return FALSE;
  return TRUE;
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

/**
 * starling_conversation_set_draft:
 * @text: (nullable): what the composer holds; %NULL or empty: no text
 * @attachments: (nullable) (element-type StarlingAttachment): the files
 *   attached in the composer; %NULL: none
 * @create: whether a conversation that is not in the history yet should be
 *   added to it to keep a draft (a new chat when the window closes); when
 *   %FALSE such a draft is kept in memory only
 *
 * Keeps the draft, and writes it to the history: the text, and the files
 * when they changed.
 */
void
starling_conversation_set_draft (StarlingConversation *self,
                                 const char           *text,
                                 GPtrArray            *attachments,
                                 gboolean              create)
{
  g_autoptr(GError) error = NULL;
  gboolean text_changed;
  gboolean files_changed;
  gboolean empty;

  g_return_if_fail (STARLING_IS_CONVERSATION (self));

  read_draft_files (self);
  text = text != NULL ? text : "";
  text_changed = g_strcmp0 (self->draft, text) != 0;
  files_changed = !same_files (self->draft_files, attachments);
  if (text_changed)
    {
      g_free (self->draft);
      self->draft = g_strdup (text);
    }
  if (files_changed)
    {
      g_ptr_array_set_size (self->draft_files, 0);
      for (guint i = 0; attachments != NULL && i < attachments->len; i++)
        g_ptr_array_add (self->draft_files, g_object_ref (g_ptr_array_index (attachments, i)));
    }
  empty = is_blank (text) && self->draft_files->len == 0;

  if (self->store == NULL)
    return;

  /* A chat that was in the history only for its draft, left empty: it goes,
   * rather than stay in the list as an empty "New Chat". */
  if (create && empty && self->only_draft && g_list_model_get_n_items (G_LIST_MODEL (self->messages)) == 0)
    {
      gint64 id = self->id;

      if (!starling_store_purge_conversation (self->store, id, &error))
        {
          warn_store ("remove the empty conversation", error);
          return;
        }
      /* The list hears of it while the id is still the old one. */
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DRAFT]);
      self->id = 0;
      self->only_draft = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
      return;
    }

  if (self->id == 0)
    {
      /* Added to the history for its draft: the list needs to hear of it. */
      if (!create || empty || !ensure_stored (self))
        return;
      self->only_draft = TRUE;
      text_changed = TRUE;
      files_changed = self->draft_files->len > 0;
    }
  else if (!text_changed && !files_changed && !create)
    {
      return;
    }

  if (starling_store_set_draft (self->store, self->id, text, &error) && files_changed)
    {
      g_autofree char *names = NULL;
      g_autofree char *json = starling_attachments_to_json (self->draft_files, &names);

      starling_store_set_draft_attachments (self->store, self->id, json, names, &error);
    }
  if (error == NULL && (text_changed || files_changed))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DRAFT]);
  warn_store ("keep the draft", error);
}

gint64
starling_conversation_get_id (StarlingConversation *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION (self), 0);

  return self->id;
}

StarlingStore *
starling_conversation_get_store (StarlingConversation *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION (self), NULL);

  return self->store;
}

/* Returns: the message's position in the active path, or G_MAXUINT */
guint
starling_conversation_find_message (StarlingConversation *self,
                                    gint64                message_id)
{
  GListModel *model;

  g_return_val_if_fail (STARLING_IS_CONVERSATION (self), G_MAXUINT);

  model = G_LIST_MODEL (self->messages);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(StarlingMessage) message = g_list_model_get_item (model, i);

      if (starling_message_get_id (message) == message_id)
        return i;
    }

  return G_MAXUINT;
}

/* After an interrupted or stopped answer: ask the model to carry on. */
void
starling_conversation_continue (StarlingConversation *self)
{
  g_return_if_fail (STARLING_IS_CONVERSATION (self));

  starling_conversation_send (self, _("Please continue from where you stopped."), NULL);
}

const GemGenerationSettings *
starling_conversation_get_settings (StarlingConversation *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION (self), NULL);

  return self->settings;
}

/* Saved with the conversation; the model in them becomes the conversation's. */
void
starling_conversation_set_settings (StarlingConversation        *self,
                                    const GemGenerationSettings *settings)
{
  g_return_if_fail (STARLING_IS_CONVERSATION (self));
  g_return_if_fail (settings != NULL);

  gem_generation_settings_free (self->settings);
  self->settings = gem_generation_settings_copy (settings);
  if (self->settings->model != NULL && *self->settings->model != '\0')
    {
      g_autofree char *model = g_strdup (self->settings->model);

      starling_conversation_set_model (self, model);
    }

  if (self->store != NULL && self->id != 0)
    {
      g_autofree char *json = gem_generation_settings_to_string (self->settings);
      g_autoptr(GError) error = NULL;

      starling_store_set_conversation_settings (self->store, self->id, json, &error);
      warn_store ("save the chat settings", error);
    }
}

gboolean
starling_conversation_get_stream (StarlingConversation *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION (self), TRUE);

  return self->stream;
}

void
starling_conversation_set_stream (StarlingConversation *self,
                                  gboolean              stream)
{
  g_return_if_fail (STARLING_IS_CONVERSATION (self));

  self->stream = !!stream;
}

/**
 * starling_conversation_save_edit_drafts:
 *
 * Writes to the history, now, the text of each prompt being edited that
 * changed since the last time.
 */
void
starling_conversation_save_edit_drafts (StarlingConversation *self)
{
  g_autoptr(GPtrArray) edits = NULL;

  g_return_if_fail (STARLING_IS_CONVERSATION (self));

  g_clear_handle_id (&self->edits_source, g_source_remove);
  edits = g_steal_pointer (&self->edits);
  if (edits == NULL || self->store == NULL)
    return;

  for (guint i = 0; i < edits->len; i++)
    {
      StarlingMessage *message = g_ptr_array_index (edits, i);
      g_autoptr(GError) error = NULL;

      if (starling_message_get_id (message) == 0)
        continue;
      starling_store_set_message_edit_draft (self->store, starling_message_get_id (message),
                                             starling_message_get_edit_draft (message), &error);
      warn_store ("keep the edited prompt", error);
    }
}

static gboolean
save_edits_cb (gpointer user_data)
{
  StarlingConversation *self = user_data;

  self->edits_source = 0;
  starling_conversation_save_edit_drafts (self);
  return G_SOURCE_REMOVE;
}

/**
 * starling_conversation_keep_edit_draft:
 * @message: a prompt of the conversation whose edit draft changed
 *
 * Writes the text of the prompt's Edit and Resend to the history a moment
 * later (once typing pauses), or at the latest when the conversation goes.
 */
void
starling_conversation_keep_edit_draft (StarlingConversation *self,
                                       StarlingMessage      *message)
{
  g_return_if_fail (STARLING_IS_CONVERSATION (self));
  g_return_if_fail (STARLING_IS_MESSAGE (message));

  if (self->store == NULL)
    return;
  if (self->edits == NULL)
    self->edits = g_ptr_array_new_with_free_func (g_object_unref);
  if (!g_ptr_array_find (self->edits, message, NULL))
    g_ptr_array_add (self->edits, g_object_ref (message));
  g_clear_handle_id (&self->edits_source, g_source_remove);
  self->edits_source = g_timeout_add (SAVE_EDIT_DELAY_MS, save_edits_cb, self);
}

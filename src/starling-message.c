/* starling-message.c: one turn of a conversation, all of its state on the item
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "gem-error.h"
#include "gem-json.h"
#include "starling-message.h"

struct _StarlingMessage
{
  GObject                parent_instance;

  StarlingRole           role;
  StarlingMessageStatus  status;

  /* User turns: the raw parts sent. Model turns: the merged response. */
  JsonArray             *parts;
  GemResponse           *response;

  char                  *text;
  char                  *thought_text;
  GError                *error;
  GError                *retry_error;       /* why the request waits to be sent again */
  gint64                 retry_time;        /* when (monotonic µs); 0 when it does not wait */
  char                  *request_json;
  guint                  n_images;
  gint64                 id;                /* in the history; 0 until stored */
  gboolean               children_loaded;   /* FALSE for a branch not read from the history yet */
  char                  *edit_draft;        /* a prompt being edited: the text so far */

  StarlingMessage       *parent;       /* weak: the parent owns its children */
  GPtrArray             *children;
  StarlingMessage       *active_child; /* weak, one of children */
};

G_DEFINE_FINAL_TYPE (StarlingMessage, starling_message, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATUS,
  PROP_TEXT,
  PROP_THOUGHT_TEXT,
  PROP_RESPONSE,
  PROP_ERROR,
  PROP_SIBLINGS,
  PROP_RETRY_TIME,
  PROP_EDIT_DRAFT,
  N_PROPS
};

enum {
  TEXT_APPENDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static char *
text_of_parts (JsonArray *parts)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
    {
      JsonObject *part = json_array_get_object_element (parts, i);

      if (part != NULL && json_object_has_member (part, "text") &&
          !json_object_get_boolean_member_with_default (part, "thought", FALSE))
        g_string_append (text, json_object_get_string_member_with_default (part, "text", ""));
    }

  return g_string_free (text, FALSE);
}

static void
notify_siblings (StarlingMessage *parent)
{
  for (guint i = 0; i < parent->children->len; i++)
    g_object_notify_by_pspec (g_ptr_array_index (parent->children, i), properties[PROP_SIBLINGS]);
}

static void
starling_message_dispose (GObject *object)
{
  StarlingMessage *self = STARLING_MESSAGE (object);

  for (guint i = 0; i < self->children->len; i++)
    STARLING_MESSAGE (g_ptr_array_index (self->children, i))->parent = NULL;
  g_ptr_array_set_size (self->children, 0);
  self->active_child = NULL;

  G_OBJECT_CLASS (starling_message_parent_class)->dispose (object);
}

static void
starling_message_finalize (GObject *object)
{
  StarlingMessage *self = STARLING_MESSAGE (object);

  g_clear_pointer (&self->parts, json_array_unref);
  g_clear_object (&self->response);
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->thought_text, g_free);
  g_clear_pointer (&self->request_json, g_free);
  g_clear_pointer (&self->edit_draft, g_free);
  g_clear_error (&self->error);
  g_clear_error (&self->retry_error);
  g_clear_pointer (&self->children, g_ptr_array_unref);

  G_OBJECT_CLASS (starling_message_parent_class)->finalize (object);
}

static void
starling_message_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  StarlingMessage *self = STARLING_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_int (value, self->status);
      break;

    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;

    case PROP_THOUGHT_TEXT:
      g_value_set_string (value, self->thought_text);
      break;

    case PROP_RESPONSE:
      g_value_set_object (value, self->response);
      break;

    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;

    case PROP_SIBLINGS:
      g_value_set_uint (value, starling_message_get_n_siblings (self));
      break;

    case PROP_RETRY_TIME:
      g_value_set_int64 (value, self->retry_time);
      break;

    case PROP_EDIT_DRAFT:
      g_value_set_string (value, self->edit_draft);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_message_class_init (StarlingMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = starling_message_dispose;
  object_class->finalize = starling_message_finalize;
  object_class->get_property = starling_message_get_property;

  properties[PROP_STATUS] =
    g_param_spec_int ("status", NULL, NULL,
                      STARLING_MESSAGE_COMPLETE, STARLING_MESSAGE_ERROR, STARLING_MESSAGE_COMPLETE,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_THOUGHT_TEXT] =
    g_param_spec_string ("thought-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_RESPONSE] =
    g_param_spec_object ("response", NULL, NULL, GEM_TYPE_RESPONSE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SIBLINGS] =
    g_param_spec_uint ("siblings", NULL, NULL, 0, G_MAXUINT, 1,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_RETRY_TIME] =
    g_param_spec_int64 ("retry-time", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The text of a prompt being edited (Edit and Resend), or NULL. */
  properties[PROP_EDIT_DRAFT] =
    g_param_spec_string ("edit-draft", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * StarlingMessage::text-appended:
   * @delta: the text added at the end of #StarlingMessage:text
   *
   * Emitted while an answer streams, so a view can append instead of re-render.
   * A change that is not an append notifies #StarlingMessage:text instead.
   */
  signals[TEXT_APPENDED] = g_signal_new ("text-appended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
starling_message_init (StarlingMessage *self)
{
  self->children_loaded = TRUE;
  self->children = g_ptr_array_new_with_free_func (g_object_unref);
  self->text = g_strdup ("");
  self->thought_text = g_strdup ("");
}

StarlingMessage *
starling_message_new_user (JsonArray *parts)
{
  StarlingMessage *self = g_object_new (STARLING_TYPE_MESSAGE, NULL);

  self->role = STARLING_ROLE_USER;
  self->parts = parts != NULL ? json_array_ref (parts) : json_array_new ();
  g_free (self->text);
  self->text = text_of_parts (self->parts);

  return self;
}

StarlingMessage *
starling_message_new_model (void)
{
  StarlingMessage *self = g_object_new (STARLING_TYPE_MESSAGE, NULL);

  self->role = STARLING_ROLE_MODEL;
  self->response = gem_response_new ();

  return self;
}

StarlingRole
starling_message_get_role (StarlingMessage *self)
{
  g_return_val_if_fail (STARLING_IS_MESSAGE (self), STARLING_ROLE_USER);

  return self->role;
}

StarlingMessageStatus
starling_message_get_status (StarlingMessage *self)
{
  g_return_val_if_fail (STARLING_IS_MESSAGE (self), STARLING_MESSAGE_COMPLETE);

  return self->status;
}

void
starling_message_set_status (StarlingMessage       *self,
                             StarlingMessageStatus  status)
{
  g_return_if_fail (STARLING_IS_MESSAGE (self));

  if (self->status == status)
    return;

  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

const char *
starling_message_get_text (StarlingMessage *self)
{
  g_return_val_if_fail (STARLING_IS_MESSAGE (self), NULL);

  return self->text;
}

const char *
starling_message_get_thought_text (StarlingMessage *self)
{
  g_return_val_if_fail (STARLING_IS_MESSAGE (self), NULL);

  return self->thought_text;
}

/* Returns: (transfer none): the raw parts to send back, exactly as received */
JsonArray *
starling_message_get_parts (StarlingMessage *self)
{
  g_return_val_if_fail (STARLING_IS_MESSAGE (self), NULL);

  if (self->role == STARLING_ROLE_MODEL)
    return gem_response_get_parts (self->response);

  return self->parts;
}

GemResponse *
starling_message_get_response (StarlingMessage *self)
{
  g_return_val_if_fail (STARLING_IS_MESSAGE (self), NULL);

  return self->response;
}

/* Takes the merged response so far; emits ::text-appended for the new tail. */
void
starling_message_update_response (StarlingMessage *self,
                                  GemResponse     *response)
{
  const char *text, *thought;
  gsize old_len;

  g_return_if_fail (STARLING_IS_MESSAGE (self));
  g_return_if_fail (GEM_IS_RESPONSE (response));

  if (self->response != response)
    g_set_object (&self->response, response);

  text = gem_response_get_text (response);
  thought = gem_response_get_thought_text (response);
  if (text == NULL)
    text = "";
  if (thought == NULL)
    thought = "";

  if (!g_str_equal (thought, self->thought_text))
    {
      g_free (self->thought_text);
      self->thought_text = g_strdup (thought);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THOUGHT_TEXT]);
    }

  old_len = strlen (self->text);
  if (!g_str_equal (text, self->text))
    {
      gboolean appended = g_str_has_prefix (text, self->text);

      g_free (self->text);
      self->text = g_strdup (text);
      if (appended)
        g_signal_emit (self, signals[TEXT_APPENDED], 0, text + old_len);
      else
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
    }

  if (gem_response_get_image_count (response) != self->n_images)
    self->n_images = gem_response_get_image_count (response);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESPONSE]);
}

const GError *
starling_message_get_error (StarlingMessage *self)
{
  g_return_val_if_fail (STARLING_IS_MESSAGE (self), NULL);

  return self->error;
}

void
starling_message_set_error (StarlingMessage *self,
                            const GError    *error)
{
  g_return_if_fail (STARLING_IS_MESSAGE (self));

  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

/**
 * starling_message_set_retry:
 * @error: (nullable): why the request failed, or %NULL when it no longer waits
 * @retry_time: when it is sent again (g_get_monotonic_time()), 0 with a %NULL @error
 *
 * A request that failed before any answer came is sent again after a pause:
 * the answer says so while it waits. Not kept in the history.
 */
void
starling_message_set_retry (StarlingMessage *self,
                            const GError    *error,
                            gint64           retry_time)
{
  g_return_if_fail (STARLING_IS_MESSAGE (self));

  if (error == NULL)
    retry_time = 0;
  if (self->retry_time == retry_time && (error == NULL) == (self->retry_error == NULL))
    return;

  g_clear_error (&self->retry_error);
  if (error != NULL)
    self->retry_error = g_error_copy (error);
  self->retry_time = retry_time;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_TIME]);
}

gint64
starling_message_get_retry_time (StarlingMessage *self)
{
  g_return_val_if_fail (STARLING_IS_MESSAGE (self), 0);

  return self->retry_time;
}

/* What failed, in a few words, for the sentence that says a request will be
 * sent again. */
static const char *
retry_reason (const GError *error)
{
  if (error == NULL || error->domain != GEM_ERROR)
    return _("The request failed.");

  switch (error->code)
    {
    case GEM_ERROR_NETWORK:
    case GEM_ERROR_TLS:
    case GEM_ERROR_TIMEOUT:
      return _("Could not reach the server.");
    case GEM_ERROR_RATE_LIMITED:
    case GEM_ERROR_QUOTA_EXHAUSTED:
      return _("Too many requests at once.");
    case GEM_ERROR_OVERLOADED:
      return _("The model is overloaded right now.");
    case GEM_ERROR_SERVER_ERROR:
      return _("The server had an internal error.");
    default:
      return _("The request failed.");
    }
}

/**
 * starling_message_dup_retry_notice:
 *
 * Returns: (transfer full) (nullable): while a streaming answer waits to
 *   send its request again, what failed and when it is sent again ("Too
 *   many requests at once. Trying again in 4 seconds…"); %NULL otherwise
 */
char *
starling_message_dup_retry_notice (StarlingMessage *self)
{
  gint64 remaining;
  guint seconds;
  g_autofree char *when = NULL;

  g_return_val_if_fail (STARLING_IS_MESSAGE (self), NULL);

  if (self->retry_time == 0 || self->status != STARLING_MESSAGE_STREAMING)
    return NULL;

  remaining = self->retry_time - g_get_monotonic_time ();
  seconds = remaining > 0 ? (guint) ((remaining + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0;
  if (seconds == 0)
    when = g_strdup (_("Trying again…"));
  else
    when = g_strdup_printf (ngettext ("Trying again in %u second…",
                                      "Trying again in %u seconds…", seconds), seconds);

  /* Translators: what failed, then when the request is sent again */
  return g_strdup_printf (_("%s %s"), retry_reason (self->retry_error), when);
}

const char *
starling_message_get_request_json (StarlingMessage *self)
{
  g_return_val_if_fail (STARLING_IS_MESSAGE (self), NULL);

  return self->request_json;
}

void
starling_message_set_request_json (StarlingMessage *self,
                                   const char      *request_json)
{
  g_return_if_fail (STARLING_IS_MESSAGE (self));

  g_free (self->request_json);
  self->request_json = g_strdup (request_json);
}

/* "gemini-2.5-flash · 12 in · 340 out · 120 thinking" */
char *
starling_message_dup_status_line (StarlingMessage *self)
{
  GString *line;
  GemUsage usage = { 0 };
  const char *version;

  g_return_val_if_fail (STARLING_IS_MESSAGE (self), NULL);

  if (self->role != STARLING_ROLE_MODEL || self->status == STARLING_MESSAGE_STREAMING)
    return NULL;

  line = g_string_new (NULL);
  version = gem_response_get_model_version (self->response);
  if (version != NULL && *version != '\0')
    g_string_append (line, version);

  if (gem_response_get_usage (self->response, &usage))
    {
      if (line->len > 0)
        g_string_append (line, " · ");
      g_autofree char *in = g_strdup_printf ("%" G_GINT64_FORMAT, usage.prompt);
      g_autofree char *out = g_strdup_printf ("%" G_GINT64_FORMAT, usage.candidates);

      /* The answer's count comes with the last chunk: an answer stopped or
       * cut off before it has none, which is not the same as none at all. */
      if (usage.candidates == 0 && self->status != STARLING_MESSAGE_COMPLETE)
        /* Translators: token count of the prompt of an answer that did not finish */
        g_string_append_printf (line, _("%s tokens in"), in);
      else
        /* Translators: token counts of an answer: the prompt's, then the answer's */
        g_string_append_printf (line, _("%s tokens in, %s out"), in, out);
      if (usage.thoughts > 0)
        {
          g_autofree char *thoughts = g_strdup_printf ("%" G_GINT64_FORMAT, usage.thoughts);

          /* Translators: appended to the token counts: the tokens the model spent thinking */
          g_string_append_printf (line, _(", %s thinking"), thoughts);
        }
    }

  if (line->len == 0)
    return g_string_free (line, TRUE);

  return g_string_free (line, FALSE);
}

/* A sentence for anything but a plain, complete answer; NULL otherwise. */
char *
starling_message_dup_notice (StarlingMessage *self)
{
  const char *reason;

  g_return_val_if_fail (STARLING_IS_MESSAGE (self), NULL);

  if (self->role != STARLING_ROLE_MODEL)
    return NULL;

  switch (self->status)
    {
    case STARLING_MESSAGE_STOPPED:
      return g_strdup (_("You stopped this answer."));

    case STARLING_MESSAGE_INTERRUPTED:
      return g_strdup (_("This answer was interrupted before it was finished."));

    case STARLING_MESSAGE_ERROR:
    case STARLING_MESSAGE_STREAMING:
      return NULL;

    case STARLING_MESSAGE_COMPLETE:
    default:
      break;
    }

  reason = gem_response_get_finish_reason (self->response);
  if (reason == NULL || g_str_equal (reason, "STOP") || g_str_equal (reason, "FINISH_REASON_UNSPECIFIED"))
    return NULL;

  return g_strdup (gem_finish_reason_to_user_message (reason));
}

/* Returns: (transfer container) (element-type GemImage): images the user attached */
GPtrArray *
starling_message_dup_user_images (StarlingMessage *self)
{
  GPtrArray *images = g_ptr_array_new_with_free_func ((GDestroyNotify) gem_image_free);

  g_return_val_if_fail (STARLING_IS_MESSAGE (self), images);

  for (guint i = 0; self->parts != NULL && i < json_array_get_length (self->parts); i++)
    {
      JsonObject *part = json_array_get_object_element (self->parts, i);
      JsonObject *inline_data;
      GemImage *image;
      const char *mime, *data;
      gsize len = 0;
      guchar *decoded;

      if (part == NULL || !json_object_has_member (part, "inlineData"))
        continue;
      inline_data = json_object_get_object_member (part, "inlineData");
      if (inline_data == NULL)
        continue;
      mime = json_object_get_string_member_with_default (inline_data, "mimeType", "");
      data = json_object_get_string_member_with_default (inline_data, "data", "");
      if (!g_str_has_prefix (mime, "image/"))
        continue;

      decoded = g_base64_decode (data, &len);
      image = g_new0 (GemImage, 1);
      image->mime_type = g_strdup (mime);
      image->data = g_bytes_new_take (decoded, len);
      image->part_index = i;
      g_ptr_array_add (images, image);
    }

  return images;
}

StarlingMessage *
starling_message_get_parent (StarlingMessage *self)
{
  g_return_val_if_fail (STARLING_IS_MESSAGE (self), NULL);

  return self->parent;
}

GPtrArray *
starling_message_get_children (StarlingMessage *self)
{
  g_return_val_if_fail (STARLING_IS_MESSAGE (self), NULL);

  return self->children;
}

StarlingMessage *
starling_message_get_active_child (StarlingMessage *self)
{
  g_return_val_if_fail (STARLING_IS_MESSAGE (self), NULL);

  return self->active_child;
}

void
starling_message_set_active_child (StarlingMessage *self,
                                   StarlingMessage *child)
{
  g_return_if_fail (STARLING_IS_MESSAGE (self));
  g_return_if_fail (child == NULL || child->parent == self);

  self->active_child = child;
  notify_siblings (self);
}

/* The new child becomes the active one. */
void
starling_message_add_child (StarlingMessage *self,
                            StarlingMessage *child)
{
  g_return_if_fail (STARLING_IS_MESSAGE (self));
  g_return_if_fail (STARLING_IS_MESSAGE (child));
  g_return_if_fail (child->parent == NULL);

  child->parent = self;
  g_ptr_array_add (self->children, g_object_ref (child));
  self->active_child = child;
  notify_siblings (self);
}

void
starling_message_remove_child (StarlingMessage *self,
                               StarlingMessage *child)
{
  guint index;

  g_return_if_fail (STARLING_IS_MESSAGE (self));
  g_return_if_fail (STARLING_IS_MESSAGE (child));

  if (!g_ptr_array_find (self->children, child, &index))
    return;

  child->parent = NULL;
  if (self->active_child == child)
    self->active_child = NULL;
  g_ptr_array_remove_index (self->children, index);
  if (self->active_child == NULL && self->children->len > 0)
    self->active_child = g_ptr_array_index (self->children, MIN (index, self->children->len - 1));
  notify_siblings (self);
}

guint
starling_message_get_sibling_index (StarlingMessage *self)
{
  guint index = 0;

  g_return_val_if_fail (STARLING_IS_MESSAGE (self), 0);

  if (self->parent != NULL)
    g_ptr_array_find (self->parent->children, self, &index);

  return index;
}

guint
starling_message_get_n_siblings (StarlingMessage *self)
{
  g_return_val_if_fail (STARLING_IS_MESSAGE (self), 1);

  return self->parent != NULL ? self->parent->children->len : 1;
}

static StarlingMessageStatus
status_from_store (StarlingStoreStatus status)
{
  switch (status)
    {
    case STARLING_STORE_STATUS_STREAMING:
      /* Still "streaming" in the history means the app died mid-answer. */
    case STARLING_STORE_STATUS_INTERRUPTED:
      return STARLING_MESSAGE_INTERRUPTED;
    case STARLING_STORE_STATUS_STOPPED:
      return STARLING_MESSAGE_STOPPED;
    case STARLING_STORE_STATUS_ERROR:
      return STARLING_MESSAGE_ERROR;
    case STARLING_STORE_STATUS_COMPLETE:
    default:
      return STARLING_MESSAGE_COMPLETE;
    }
}

static void
set_member_from_json (JsonObject *object,
                      const char *member,
                      const char *json)
{
  g_autoptr(JsonNode) node = NULL;

  if (json == NULL || *json == '\0')
    return;

  node = gem_json_from_string (json, NULL);
  if (node != NULL)
    json_object_set_member (object, member, g_steal_pointer (&node));
}

/* A message read back from the history, its raw parts exactly as they were received. */
StarlingMessage *
starling_message_new_from_stored (StarlingStoredMessage *stored)
{
  StarlingMessage *self;
  g_autoptr(JsonNode) parts = NULL;
  const char *error_json;

  g_return_val_if_fail (STARLING_IS_STORED_MESSAGE (stored), NULL);

  parts = gem_json_from_string (starling_stored_message_get_parts_json (stored), NULL);
  if (parts == NULL || !JSON_NODE_HOLDS_ARRAY (parts))
    {
      g_clear_pointer (&parts, json_node_unref);
      parts = json_node_init_array (json_node_alloc (), json_array_new ());
    }

  if (starling_stored_message_get_role (stored) == STARLING_STORE_ROLE_USER)
    {
      self = starling_message_new_user (json_node_get_array (parts));
    }
  else
    {
      g_autoptr(JsonObject) response = json_object_new ();
      g_autoptr(JsonObject) candidate = json_object_new ();
      g_autoptr(JsonObject) content = json_object_new ();
      g_autoptr(JsonArray) candidates = json_array_new ();
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
      g_autoptr(GemResponse) merged = NULL;
      g_autofree char *json = NULL;
      const char *finish = starling_stored_message_get_finish_reason (stored);
      const char *version = starling_stored_message_get_model_version (stored);

      json_object_set_string_member (content, "role", "model");
      json_object_set_member (content, "parts", json_node_ref (parts));
      json_object_set_object_member (candidate, "content", g_steal_pointer (&content));
      if (finish != NULL && *finish != '\0')
        json_object_set_string_member (candidate, "finishReason", finish);
      set_member_from_json (candidate, "groundingMetadata", starling_stored_message_get_grounding_json (stored));
      json_array_add_object_element (candidates, g_steal_pointer (&candidate));
      json_object_set_array_member (response, "candidates", g_steal_pointer (&candidates));
      set_member_from_json (response, "usageMetadata", starling_stored_message_get_usage_json (stored));
      if (version != NULL && *version != '\0')
        json_object_set_string_member (response, "modelVersion", version);

      json_node_set_object (root, response);
      json = json_to_string (root, FALSE);
      merged = gem_response_new_from_json (json, -1, NULL);

      self = starling_message_new_model ();
      if (merged != NULL)
        starling_message_update_response (self, merged);
    }

  self->id = starling_stored_message_get_id (stored);
  self->status = status_from_store (starling_stored_message_get_status (stored));
  self->edit_draft = g_strdup (starling_stored_message_get_edit_draft (stored));

  error_json = starling_stored_message_get_error_json (stored);
  if (self->status == STARLING_MESSAGE_ERROR && error_json != NULL && *error_json != '\0')
    {
      g_autoptr(JsonNode) node = gem_json_from_string (error_json, NULL);
      JsonObject *object = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *message = object != NULL ? json_object_get_string_member_with_default (object, "message", NULL) : NULL;
      gint64 code = object != NULL ? json_object_get_int_member_with_default (object, "code", 0) : 0;
      const char *domain = object != NULL ? json_object_get_string_member_with_default (object, "domain", "") : "";
      g_autoptr(GError) error = NULL;

      if (message == NULL)
        message = _("This answer failed.");
      error = g_error_new_literal (g_str_equal (domain, "gem-error-quark") ? GEM_ERROR : G_IO_ERROR,
                                   (int) code, message);
      if (error->domain == GEM_ERROR)
        {
          gem_error_set_api_message (error, json_object_get_string_member_with_default (object, "apiMessage", NULL));
          gem_error_set_http_status (error, (guint) json_object_get_int_member_with_default (object, "httpStatus", 0));
          gem_error_set_api_status (error, json_object_get_string_member_with_default (object, "apiStatus", NULL));
        }
      self->error = g_steal_pointer (&error);
    }

  return self;
}

gint64
starling_message_get_id (StarlingMessage *self)
{
  g_return_val_if_fail (STARLING_IS_MESSAGE (self), 0);

  return self->id;
}

void
starling_message_set_id (StarlingMessage *self,
                         gint64           id)
{
  g_return_if_fail (STARLING_IS_MESSAGE (self));

  self->id = id;
}

gboolean
starling_message_get_children_loaded (StarlingMessage *self)
{
  g_return_val_if_fail (STARLING_IS_MESSAGE (self), TRUE);

  return self->children_loaded;
}

void
starling_message_set_children_loaded (StarlingMessage *self,
                                      gboolean         loaded)
{
  g_return_if_fail (STARLING_IS_MESSAGE (self));

  self->children_loaded = loaded;
}

/* The raw parts as JSON text, for the history. */
char *
starling_message_dup_parts_json (StarlingMessage *self)
{
  JsonArray *parts = starling_message_get_parts (self);
  g_autoptr(JsonNode) node = NULL;

  if (parts == NULL)
    return g_strdup ("[]");

  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, parts);
  return json_to_string (node, FALSE);
}

static void
append_fence (GString    *out,
              const char *language,
              const char *body)
{
  gsize longest = 0, run = 0;
  g_autofree char *fence = NULL;

  /* A fence longer than any backtick run inside, so code can't close it early. */
  for (const char *p = body; *p != '\0'; p++)
    {
      run = *p == '`' ? run + 1 : 0;
      longest = MAX (longest, run);
    }
  fence = g_strnfill (MAX (3, longest + 1), '`');

  if (out->len > 0 && out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
  g_string_append_printf (out, "\n%s%s\n%s", fence, language, body);
  if (*body != '\0' && body[strlen (body) - 1] != '\n')
    g_string_append_c (out, '\n');
  g_string_append_printf (out, "%s\n\n", fence);
}

/* What the answer shows: its text, with the code the model ran and what that
 * code printed as code blocks, and the functions it asked to call. */
char *
starling_message_dup_display_markdown (StarlingMessage *self)
{
  JsonArray *parts;
  GString *out;

  g_return_val_if_fail (STARLING_IS_MESSAGE (self), NULL);

  parts = starling_message_get_parts (self);
  out = g_string_new (NULL);

  for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
    {
      JsonObject *part = json_array_get_object_element (parts, i);

      if (part == NULL || json_object_get_boolean_member_with_default (part, "thought", FALSE))
        continue;

      if (json_object_has_member (part, "text"))
        {
          g_string_append (out, json_object_get_string_member_with_default (part, "text", ""));
        }
      else if (json_object_has_member (part, "executableCode"))
        {
          JsonObject *code = json_object_get_object_member (part, "executableCode");
          g_autofree char *language = NULL;

          if (code == NULL)
            continue;
          language = g_ascii_strdown (json_object_get_string_member_with_default (code, "language", ""), -1);
          if (g_str_equal (language, "language_unspecified"))
            g_clear_pointer (&language, g_free);
          append_fence (out, language != NULL ? language : "",
                        json_object_get_string_member_with_default (code, "code", ""));
        }
      else if (json_object_has_member (part, "codeExecutionResult"))
        {
          JsonObject *result = json_object_get_object_member (part, "codeExecutionResult");
          const char *outcome;

          if (result == NULL)
            continue;
          outcome = json_object_get_string_member_with_default (result, "outcome", "OUTCOME_OK");
          /* Translators: heading above what the model's code printed */
          g_string_append_printf (out, "\n\n**%s**\n", g_str_equal (outcome, "OUTCOME_OK") ? _("Output") : _("The code failed"));
          append_fence (out, "", json_object_get_string_member_with_default (result, "output", ""));
        }
      else if (json_object_has_member (part, "functionCall"))
        {
          JsonObject *call = json_object_get_object_member (part, "functionCall");
          g_autofree char *args = NULL;

          if (call == NULL)
            continue;
          if (json_object_has_member (call, "args"))
            args = json_to_string (json_object_get_member (call, "args"), TRUE);
          /* Translators: heading above a function the model asked to call */
          g_string_append_printf (out, "\n\n**%s**\n", _("Function call"));
          {
            g_autofree char *body = g_strdup_printf ("%s(%s)", json_object_get_string_member_with_default (call, "name", ""),
                                                     args != NULL ? args : "");
            append_fence (out, "json", body);
          }
        }
    }

  return g_string_free (out, FALSE);
}

/**
 * starling_message_get_edit_draft:
 *
 * Returns: (nullable): the text of the prompt's Edit and Resend so far, or
 *   %NULL when it is not being edited
 */
const char *
starling_message_get_edit_draft (StarlingMessage *self)
{
  g_return_val_if_fail (STARLING_IS_MESSAGE (self), NULL);

  return self->edit_draft;
}

/**
 * starling_message_set_edit_draft:
 * @text: (nullable): the text being edited, or %NULL: not edited any more
 *
 * Keeps the state of Edit and Resend on the message, so a row made again
 * for it (scrolled away and back, another window) opens its editor again.
 */
void
starling_message_set_edit_draft (StarlingMessage *self,
                                 const char      *text)
{
  g_return_if_fail (STARLING_IS_MESSAGE (self));

  if (g_strcmp0 (self->edit_draft, text) == 0)
    return;
  g_free (self->edit_draft);
  self->edit_draft = g_strdup (text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EDIT_DRAFT]);
}

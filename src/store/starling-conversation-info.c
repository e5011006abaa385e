/* starling-conversation-info.c: one conversation as the sidebar shows it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "starling-store-private.h"

G_DEFINE_FINAL_TYPE (StarlingConversationInfo, starling_conversation_info, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_TITLE_IS_CUSTOM,
  PROP_CREATED,
  PROP_UPDATED,
  PROP_PINNED,
  PROP_MODEL,
  PROP_SNIPPET,
  PROP_DRAFT,
  PROP_DRAFT_ATTACHMENTS,
  PROP_ANSWERING,
  PROP_UNREAD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
starling_conversation_info_finalize (GObject *object)
{
  StarlingConversationInfo *self = (StarlingConversationInfo *) object;

  g_free (self->title);
  g_free (self->model);
  g_free (self->settings_json);
  g_free (self->snippet);
  g_free (self->draft);
  g_free (self->draft_attachments);

  G_OBJECT_CLASS (starling_conversation_info_parent_class)->finalize (object);
}

static void
starling_conversation_info_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  StarlingConversationInfo *self = STARLING_CONVERSATION_INFO (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_TITLE_IS_CUSTOM:
      g_value_set_boolean (value, self->title_is_custom);
      break;

    case PROP_CREATED:
      g_value_set_int64 (value, self->created);
      break;

    case PROP_UPDATED:
      g_value_set_int64 (value, self->updated);
      break;

    case PROP_PINNED:
      g_value_set_boolean (value, self->pinned);
      break;

    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;

    case PROP_SNIPPET:
      g_value_set_string (value, self->snippet);
      break;

    case PROP_DRAFT:
      g_value_set_string (value, self->draft);
      break;

    case PROP_DRAFT_ATTACHMENTS:
      g_value_set_string (value, self->draft_attachments);
      break;

    case PROP_ANSWERING:
      g_value_set_boolean (value, self->answering);
      break;

    case PROP_UNREAD:
      g_value_set_boolean (value, self->unread);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_conversation_info_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  StarlingConversationInfo *self = STARLING_CONVERSATION_INFO (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      starling_conversation_info_set_title (self, g_value_get_string (value));
      break;

    case PROP_UPDATED:
      starling_conversation_info_set_updated (self, g_value_get_int64 (value));
      break;

    case PROP_PINNED:
      starling_conversation_info_set_pinned (self, g_value_get_boolean (value));
      break;

    case PROP_SNIPPET:
      starling_conversation_info_set_snippet (self, g_value_get_string (value));
      break;

    case PROP_DRAFT:
      starling_conversation_info_set_draft (self, g_value_get_string (value));
      break;

    case PROP_DRAFT_ATTACHMENTS:
      starling_conversation_info_set_draft_attachments (self, g_value_get_string (value));
      break;

    case PROP_ANSWERING:
      starling_conversation_info_set_answering (self, g_value_get_boolean (value));
      break;

    case PROP_UNREAD:
      starling_conversation_info_set_unread (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_conversation_info_class_init (StarlingConversationInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = starling_conversation_info_finalize;
  object_class->get_property = starling_conversation_info_get_property;
  object_class->set_property = starling_conversation_info_set_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, rw);
  properties[PROP_TITLE_IS_CUSTOM] = g_param_spec_boolean ("title-is-custom", NULL, NULL, FALSE, ro);
  properties[PROP_CREATED] = g_param_spec_int64 ("created", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_UPDATED] = g_param_spec_int64 ("updated", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_PINNED] = g_param_spec_boolean ("pinned", NULL, NULL, FALSE, rw);
  properties[PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, ro);
  properties[PROP_SNIPPET] = g_param_spec_string ("snippet", NULL, NULL, NULL, rw);
  properties[PROP_DRAFT] = g_param_spec_string ("draft", NULL, NULL, NULL, rw);
  properties[PROP_DRAFT_ATTACHMENTS] = g_param_spec_string ("draft-attachments", NULL, NULL, NULL, rw);
  /* Not in the history: what the app knows of a conversation open in it. */
  properties[PROP_ANSWERING] = g_param_spec_boolean ("answering", NULL, NULL, FALSE, rw);
  properties[PROP_UNREAD] = g_param_spec_boolean ("unread", NULL, NULL, FALSE, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
starling_conversation_info_init (StarlingConversationInfo *self)
{
}

gint64
starling_conversation_info_get_id (StarlingConversationInfo *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION_INFO (self), 0);

  return self->id;
}

/**
 * starling_conversation_info_get_title:
 *
 * Returns: the title; empty while the conversation has no prompt yet
 */
const char *
starling_conversation_info_get_title (StarlingConversationInfo *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION_INFO (self), NULL);

  return self->title;
}

/* For the list model's item after a rename; the store is changed apart. */
void
starling_conversation_info_set_title (StarlingConversationInfo *self,
                                      const char               *title)
{
  g_return_if_fail (STARLING_IS_CONVERSATION_INFO (self));

  if (set_string (&self->title, title ? title : ""))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

gboolean
starling_conversation_info_get_title_is_custom (StarlingConversationInfo *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION_INFO (self), FALSE);

  return self->title_is_custom;
}

/**
 * starling_conversation_info_get_created:
 *
 * Returns: when it was created, in microseconds since the epoch (UTC)
 */
gint64
starling_conversation_info_get_created (StarlingConversationInfo *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION_INFO (self), 0);

  return self->created;
}

/**
 * starling_conversation_info_get_updated:
 *
 * Returns: when a message was last added or finished, in microseconds since
 *   the epoch (UTC): the list's order and its day groups
 */
gint64
starling_conversation_info_get_updated (StarlingConversationInfo *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION_INFO (self), 0);

  return self->updated;
}

void
starling_conversation_info_set_updated (StarlingConversationInfo *self,
                                        gint64                    updated)
{
  g_return_if_fail (STARLING_IS_CONVERSATION_INFO (self));

  if (self->updated == updated)
    return;

  self->updated = updated;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPDATED]);
}

gboolean
starling_conversation_info_get_pinned (StarlingConversationInfo *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION_INFO (self), FALSE);

  return self->pinned;
}

void
starling_conversation_info_set_pinned (StarlingConversationInfo *self,
                                       gboolean                  pinned)
{
  g_return_if_fail (STARLING_IS_CONVERSATION_INFO (self));

  pinned = !!pinned;
  if (self->pinned == pinned)
    return;

  self->pinned = pinned;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED]);
}

const char *
starling_conversation_info_get_model (StarlingConversationInfo *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION_INFO (self), NULL);

  return self->model;
}

/**
 * starling_conversation_info_get_settings_json:
 *
 * Returns: (nullable): the conversation's generation settings, as stored
 */
const char *
starling_conversation_info_get_settings_json (StarlingConversationInfo *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION_INFO (self), NULL);

  return self->settings_json;
}

/**
 * starling_conversation_info_get_snippet:
 *
 * Returns: (nullable): the start of the last message, on one line
 */
const char *
starling_conversation_info_get_snippet (StarlingConversationInfo *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION_INFO (self), NULL);

  return self->snippet;
}

void
starling_conversation_info_set_snippet (StarlingConversationInfo *self,
                                        const char               *snippet)
{
  g_return_if_fail (STARLING_IS_CONVERSATION_INFO (self));

  if (set_string (&self->snippet, snippet))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SNIPPET]);
}

/**
 * starling_conversation_info_get_draft:
 *
 * Returns: (nullable): what the user typed in the conversation and has not
 *   sent yet, or %NULL
 */
const char *
starling_conversation_info_get_draft (StarlingConversationInfo *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION_INFO (self), NULL);

  return self->draft;
}

void
starling_conversation_info_set_draft (StarlingConversationInfo *self,
                                      const char               *draft)
{
  g_return_if_fail (STARLING_IS_CONVERSATION_INFO (self));

  if (set_string (&self->draft, draft))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DRAFT]);
}

/**
 * starling_conversation_info_get_draft_attachments:
 *
 * Returns: (nullable): the names of the files attached to the draft,
 *   separated by ", ", or %NULL or "" when there are none
 */
const char *
starling_conversation_info_get_draft_attachments (StarlingConversationInfo *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION_INFO (self), NULL);

  return self->draft_attachments;
}

void
starling_conversation_info_set_draft_attachments (StarlingConversationInfo *self,
                                                  const char               *names)
{
  g_return_if_fail (STARLING_IS_CONVERSATION_INFO (self));

  if (set_string (&self->draft_attachments, names))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DRAFT_ATTACHMENTS]);
}

/**
 * starling_conversation_info_get_answering:
 *
 * Returns: whether an answer is being written in the conversation now (set
 *   by the app; not kept in the history)
 */
gboolean
starling_conversation_info_get_answering (StarlingConversationInfo *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION_INFO (self), FALSE);

  return self->answering;
}

void
starling_conversation_info_set_answering (StarlingConversationInfo *self,
                                          gboolean                  answering)
{
  g_return_if_fail (STARLING_IS_CONVERSATION_INFO (self));

  if (self->answering == !!answering)
    return;
  self->answering = !!answering;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANSWERING]);
}

/**
 * starling_conversation_info_get_unread:
 *
 * Returns: whether an answer finished while the user was elsewhere and has
 *   not been seen yet (set by the app; not kept in the history)
 */
gboolean
starling_conversation_info_get_unread (StarlingConversationInfo *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION_INFO (self), FALSE);

  return self->unread;
}

void
starling_conversation_info_set_unread (StarlingConversationInfo *self,
                                       gboolean                  unread)
{
  g_return_if_fail (STARLING_IS_CONVERSATION_INFO (self));

  if (self->unread == !!unread)
    return;
  self->unread = !!unread;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
}

gboolean
starling_conversation_info_get_deleted (StarlingConversationInfo *self)
{
  g_return_val_if_fail (STARLING_IS_CONVERSATION_INFO (self), FALSE);

  return self->deleted;
}

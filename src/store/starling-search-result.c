/* starling-search-result.c: one hit of a history search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "starling-store-private.h"

struct _StarlingSearchResult
{
  GObject   parent_instance;

  gint64    conversation_id;
  gint64    message_id;
  char     *title;
  char     *raw_snippet;
  char     *snippet;
  char     *snippet_markup;
  GStrv     matches;
  double    rank;
  gint64    time;
};

G_DEFINE_FINAL_TYPE (StarlingSearchResult, starling_search_result, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONVERSATION_ID,
  PROP_MESSAGE_ID,
  PROP_TITLE,
  PROP_SNIPPET,
  PROP_SNIPPET_MARKUP,
  PROP_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* From the marked snippet: plain text, Pango markup with the matches in
 * bold, and the matched words themselves (for highlighting in the view). */
static void
parse_snippet (StarlingSearchResult *self)
{
  g_autoptr(GString) plain = g_string_new (NULL);
  g_autoptr(GString) markup = g_string_new (NULL);
  g_autoptr(GPtrArray) matches = g_ptr_array_new_with_free_func (g_free);
  const char *p = self->raw_snippet;

  while (*p != '\0')
    {
      const char *start = strstr (p, STARLING_SEARCH_MATCH_START);
      const char *end;
      g_autofree char *escaped = NULL;
      g_autofree char *match = NULL;

      if (start == NULL)
        start = p + strlen (p);

      g_string_append_len (plain, p, start - p);
      escaped = g_markup_escape_text (p, start - p);
      g_string_append (markup, escaped);
      if (*start == '\0')
        break;

      start += strlen (STARLING_SEARCH_MATCH_START);
      end = strstr (start, STARLING_SEARCH_MATCH_END);
      if (end == NULL)
        end = start + strlen (start);

      match = g_strndup (start, end - start);
      g_string_append (plain, match);
      g_clear_pointer (&escaped, g_free);
      escaped = g_markup_escape_text (match, -1);
      g_string_append_printf (markup, "<b>%s</b>", escaped);

      if (!g_ptr_array_find_with_equal_func (matches, match, g_str_equal, NULL))
        g_ptr_array_add (matches, g_steal_pointer (&match));

      p = *end != '\0' ? end + strlen (STARLING_SEARCH_MATCH_END) : end;
    }

  g_ptr_array_add (matches, NULL);
  self->snippet = g_string_free (g_steal_pointer (&plain), FALSE);
  self->snippet_markup = g_string_free (g_steal_pointer (&markup), FALSE);
  self->matches = (GStrv) g_ptr_array_free (g_steal_pointer (&matches), FALSE);
}

StarlingSearchResult *
starling_search_result_new (gint64      conversation_id,
                            gint64      message_id,
                            const char *title,
                            const char *raw_snippet,
                            double      rank,
                            gint64      time)
{
  StarlingSearchResult *self = g_object_new (STARLING_TYPE_SEARCH_RESULT, NULL);

  self->conversation_id = conversation_id;
  self->message_id = message_id;
  self->title = g_strdup (title ? title : "");
  self->raw_snippet = g_strdup (raw_snippet ? raw_snippet : "");
  self->rank = rank;
  self->time = time;
  parse_snippet (self);

  return self;
}

static void
starling_search_result_finalize (GObject *object)
{
  StarlingSearchResult *self = (StarlingSearchResult *) object;

  g_free (self->title);
  g_free (self->raw_snippet);
  g_free (self->snippet);
  g_free (self->snippet_markup);
  g_strfreev (self->matches);

  G_OBJECT_CLASS (starling_search_result_parent_class)->finalize (object);
}

static void
starling_search_result_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  StarlingSearchResult *self = STARLING_SEARCH_RESULT (object);

  switch (prop_id)
    {
    case PROP_CONVERSATION_ID:
      g_value_set_int64 (value, self->conversation_id);
      break;

    case PROP_MESSAGE_ID:
      g_value_set_int64 (value, self->message_id);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_SNIPPET:
      g_value_set_string (value, self->snippet);
      break;

    case PROP_SNIPPET_MARKUP:
      g_value_set_string (value, self->snippet_markup);
      break;

    case PROP_TIME:
      g_value_set_int64 (value, self->time);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_search_result_class_init (StarlingSearchResultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = starling_search_result_finalize;
  object_class->get_property = starling_search_result_get_property;

  properties[PROP_CONVERSATION_ID] =
    g_param_spec_int64 ("conversation-id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_MESSAGE_ID] =
    g_param_spec_int64 ("message-id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, ro);
  properties[PROP_SNIPPET] = g_param_spec_string ("snippet", NULL, NULL, NULL, ro);
  properties[PROP_SNIPPET_MARKUP] = g_param_spec_string ("snippet-markup", NULL, NULL, NULL, ro);
  properties[PROP_TIME] = g_param_spec_int64 ("time", NULL, NULL, 0, G_MAXINT64, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
starling_search_result_init (StarlingSearchResult *self)
{
}

gint64
starling_search_result_get_conversation_id (StarlingSearchResult *self)
{
  g_return_val_if_fail (STARLING_IS_SEARCH_RESULT (self), 0);
  return self->conversation_id;
}

/**
 * starling_search_result_get_message_id:
 *
 * Returns: the message that matched, or 0 when the conversation's title did
 */
gint64
starling_search_result_get_message_id (StarlingSearchResult *self)
{
  g_return_val_if_fail (STARLING_IS_SEARCH_RESULT (self), 0);
  return self->message_id;
}

const char *
starling_search_result_get_title (StarlingSearchResult *self)
{
  g_return_val_if_fail (STARLING_IS_SEARCH_RESULT (self), NULL);
  return self->title;
}

/**
 * starling_search_result_get_raw_snippet:
 *
 * Returns: the snippet with %STARLING_SEARCH_MATCH_START and
 *   %STARLING_SEARCH_MATCH_END around each match
 */
const char *
starling_search_result_get_raw_snippet (StarlingSearchResult *self)
{
  g_return_val_if_fail (STARLING_IS_SEARCH_RESULT (self), NULL);
  return self->raw_snippet;
}

/**
 * starling_search_result_get_snippet:
 *
 * Returns: the text around the match, "…" where it was cut, no marks
 */
const char *
starling_search_result_get_snippet (StarlingSearchResult *self)
{
  g_return_val_if_fail (STARLING_IS_SEARCH_RESULT (self), NULL);
  return self->snippet;
}

/**
 * starling_search_result_get_snippet_markup:
 *
 * Returns: the snippet as Pango markup, matches in `<b>`
 */
const char *
starling_search_result_get_snippet_markup (StarlingSearchResult *self)
{
  g_return_val_if_fail (STARLING_IS_SEARCH_RESULT (self), NULL);
  return self->snippet_markup;
}

/**
 * starling_search_result_get_matches:
 *
 * Returns: (transfer none): the distinct words of the text that matched, as
 *   written there ("Perché" for the query "perche")
 */
const char * const *
starling_search_result_get_matches (StarlingSearchResult *self)
{
  g_return_val_if_fail (STARLING_IS_SEARCH_RESULT (self), NULL);
  return (const char * const *) self->matches;
}

/**
 * starling_search_result_get_rank:
 *
 * Returns: the BM25 rank: lower is more relevant
 */
double
starling_search_result_get_rank (StarlingSearchResult *self)
{
  g_return_val_if_fail (STARLING_IS_SEARCH_RESULT (self), 0);
  return self->rank;
}

/**
 * starling_search_result_get_time:
 *
 * Returns: when the message was written (for a title: last updated), in
 *   microseconds since the epoch
 */
gint64
starling_search_result_get_time (StarlingSearchResult *self)
{
  g_return_val_if_fail (STARLING_IS_SEARCH_RESULT (self), 0);
  return self->time;
}

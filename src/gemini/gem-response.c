/* gem-response.c: a GenerateContentResponse, merged from streamed chunks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "gem-error.h"
#include "gem-json.h"
#include "gem-request.h"
#include "gem-response.h"

/*
 * The merged response is kept in the API's own JSON shape, so that a model
 * turn can be sent back exactly as it came and `starling-cli --json` prints
 * what the API would have answered in one piece. Streamed text deltas are
 * joined into one part; every other part stays whole and in order.
 */

typedef struct
{
  JsonObject *object;       /* the merged candidate; owned by the candidates array */
  JsonObject *content;      /* owned by object */
  JsonArray  *parts;        /* owned by content */
  JsonObject *open_part;    /* the last part while it is plain text that may still grow */
  GString    *open_buffer;  /* its text, from open_start on; copied into open_part when synced */
  gsize       open_start;
  GString    *own_text;     /* the buffer of a candidate other than the first */
  gint64      index;
  guint       open_thought : 1;
  guint       open_dirty : 1;
} Candidate;

struct _GemResponse
{
  GObject      parent_instance;

  JsonObject  *root;
  JsonArray   *candidates;  /* owned by root, NULL until a chunk has candidates */
  GPtrArray   *states;      /* Candidate, in the order of candidates */
  GString     *text;        /* non-thought text of the first candidate */
  GString     *thought_text;
  JsonParser  *parser;
  GPtrArray   *image_cache; /* GemImage, NULL when stale */
  guint        n_images;
  guint        n_chunks;
};

G_DEFINE_FINAL_TYPE (GemResponse, gem_response, G_TYPE_OBJECT)

/* ---- small JSON helpers that never warn on unexpected shapes ---- */

static JsonObject *
obj_member (JsonObject *object,
            const char *name)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, name)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

static JsonArray *
arr_member (JsonObject *object,
            const char *name)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, name)) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  return json_node_get_array (node);
}

static const char *
str_member (JsonObject *object,
            const char *name)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, name)) == NULL ||
      !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static gint64
node_to_int (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE || type == G_TYPE_BOOLEAN)
    return json_node_get_int (node);
  /* proto3 JSON writes 64-bit integers as strings */
  if (type == G_TYPE_STRING)
    return g_ascii_strtoll (json_node_get_string (node), NULL, 10);

  return 0;
}

static gint64
int_member (JsonObject *object,
            const char *name)
{
  if (object == NULL)
    return 0;

  return node_to_int (json_object_get_member (object, name));
}

static guint
uint_member (JsonObject *object,
             const char *name)
{
  return (guint) CLAMP (int_member (object, name), 0, G_MAXUINT);
}

static gboolean
bool_member (JsonObject *object,
             const char *name)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, name)) == NULL ||
      !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;

  return json_node_get_boolean (node);
}

static double
node_to_double (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0.0;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE)
    return json_node_get_double (node);

  return 0.0;
}

/* ---- the boxed records ---- */

void
gem_image_free (GemImage *image)
{
  if (image == NULL)
    return;

  g_free (image->mime_type);
  g_clear_pointer (&image->data, g_bytes_unref);
  g_free (image);
}

static GemImage *
gem_image_copy (const GemImage *image)
{
  GemImage *copy = g_new0 (GemImage, 1);

  copy->mime_type = g_strdup (image->mime_type);
  copy->data = g_bytes_ref (image->data);
  copy->thought = image->thought;
  copy->part_index = image->part_index;

  return copy;
}

void
gem_function_call_free (GemFunctionCall *call)
{
  if (call == NULL)
    return;

  g_free (call->name);
  g_free (call->args_json);
  g_free (call->id);
  g_free (call);
}

void
gem_grounding_chunk_free (GemGroundingChunk *chunk)
{
  if (chunk == NULL)
    return;

  g_free (chunk->uri);
  g_free (chunk->title);
  g_free (chunk->text);
  g_free (chunk->place_id);
  g_free (chunk);
}

void
gem_grounding_support_free (GemGroundingSupport *support)
{
  if (support == NULL)
    return;

  g_free (support->text);
  g_free (support->chunk_indices);
  g_free (support->confidence_scores);
  g_free (support);
}

void
gem_citation_free (GemCitation *citation)
{
  if (citation == NULL)
    return;

  g_free (citation->uri);
  g_free (citation->title);
  g_free (citation->license);
  g_free (citation);
}

/* ---- candidates ---- */

static void
candidate_free (Candidate *state)
{
  if (state->own_text != NULL)
    g_string_free (state->own_text, TRUE);
  g_free (state);
}

static void
candidate_sync (Candidate *state)
{
  if (state->open_part != NULL && state->open_dirty)
    {
      json_object_set_string_member (state->open_part, "text",
                                     state->open_buffer->str + state->open_start);
      state->open_dirty = FALSE;
    }
}

static void
candidate_close_open_part (Candidate *state)
{
  candidate_sync (state);
  state->open_part = NULL;
  state->open_buffer = NULL;
}

static void
sync_all (GemResponse *self)
{
  for (guint i = 0; i < self->states->len; i++)
    candidate_sync (g_ptr_array_index (self->states, i));
}

static Candidate *
first_candidate (GemResponse *self)
{
  return self->states->len > 0 ? g_ptr_array_index (self->states, 0) : NULL;
}

/* A part that is only text (and maybe the thought flag) can absorb the next
 * delta of the same kind without losing anything. A part with any other field,
 * thoughtSignature above all, must stay exactly as it came. */
static gboolean
part_is_plain_text (JsonObject  *part,
                    const char **text,
                    gboolean    *thought)
{
  guint size = json_object_get_size (part);
  JsonNode *thought_node;

  *text = str_member (part, "text");
  if (*text == NULL)
    return FALSE;

  thought_node = json_object_get_member (part, "thought");
  if (thought_node != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (thought_node) ||
          json_node_get_value_type (thought_node) != G_TYPE_BOOLEAN)
        return FALSE;
      *thought = json_node_get_boolean (thought_node);
      return size == 2;
    }

  *thought = FALSE;
  return size == 1;
}

static gboolean
part_is_image (JsonObject *part)
{
  const char *mime = str_member (obj_member (part, "inlineData"), "mimeType");

  return mime != NULL && g_str_has_prefix (mime, "image/");
}

/* json-glib 1.6 reads a lone surrogate escape ("\ud800x") as bytes that are
 * not UTF-8; the text is shown in a text view, so it must be UTF-8. */
static const char *
valid_text (const char  *text,
            char       **copy)
{
  if (text == NULL || g_utf8_validate (text, -1, NULL))
    return text;

  *copy = g_utf8_make_valid (text, -1);

  return *copy;
}

/* Keeps the first candidate's text and counters current as parts arrive. */
static void
note_whole_part (GemResponse *self,
                 JsonObject  *part)
{
  g_autofree char *copy = NULL;
  const char *text = valid_text (str_member (part, "text"), &copy);

  if (text != NULL)
    g_string_append (bool_member (part, "thought") ? self->thought_text : self->text, text);

  if (part_is_image (part))
    {
      self->n_images++;
      g_clear_pointer (&self->image_cache, g_ptr_array_unref);
    }
}

static void
merge_parts (GemResponse *self,
             Candidate   *state,
             gboolean     is_first,
             JsonArray   *parts)
{
  guint n = json_array_get_length (parts);

  if (state->parts == NULL)
    {
      state->parts = json_array_sized_new (n);
      json_object_set_array_member (state->content, "parts", state->parts);
    }

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (parts, i);
      g_autofree char *copy = NULL;
      const char *text = NULL;
      gboolean thought = FALSE;

      if (JSON_NODE_HOLDS_OBJECT (node) &&
          part_is_plain_text (json_node_get_object (node), &text, &thought))
        {
          text = valid_text (text, &copy);
          if (state->open_part != NULL && (gboolean) state->open_thought == thought)
            state->open_dirty = TRUE;
          else
            {
              JsonObject *part = json_object_new ();

              candidate_close_open_part (state);
              json_object_set_string_member (part, "text", text);
              if (thought)
                json_object_set_boolean_member (part, "thought", TRUE);
              json_array_add_object_element (state->parts, part);
              state->open_part = part;
              state->open_thought = thought;
              state->open_dirty = FALSE;

              /* The first candidate's open part is the tail of its text or
               * thought text: no second copy of a long answer. */
              if (is_first)
                state->open_buffer = thought ? self->thought_text : self->text;
              else
                {
                  if (state->own_text == NULL)
                    state->own_text = g_string_new (NULL);
                  g_string_truncate (state->own_text, 0);
                  state->open_buffer = state->own_text;
                }
              state->open_start = state->open_buffer->len;
            }

          g_string_append (state->open_buffer, text);
        }
      else
        {
          candidate_close_open_part (state);
          json_array_add_element (state->parts, json_node_copy (node));
          if (is_first && JSON_NODE_HOLDS_OBJECT (node))
            note_whole_part (self, json_node_get_object (node));
        }
    }
}

static void
merge_content (GemResponse *self,
               Candidate   *state,
               gboolean     is_first,
               JsonObject  *content)
{
  g_autoptr(GList) names = json_object_get_members (content);

  if (state->content == NULL)
    {
      state->content = json_object_new ();
      json_object_set_object_member (state->object, "content", state->content);
    }

  for (const GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (content, name);

      if (g_str_equal (name, "parts"))
        {
          if (JSON_NODE_HOLDS_ARRAY (node))
            merge_parts (self, state, is_first, json_node_get_array (node));
        }
      else if (!JSON_NODE_HOLDS_NULL (node))
        json_object_set_member (state->content, name, json_node_copy (node));
    }
}

typedef enum
{
  APPEND_NEW,       /* append; skip a prefix the server resent */
  APPEND_UNIQUE,    /* append values not already there */
} AppendMode;

static void
append_array (JsonArray  *dest,
              JsonArray  *src,
              AppendMode  mode)
{
  guint n_dest = json_array_get_length (dest);
  guint n_src = json_array_get_length (src);
  guint skip = 0;

  if (mode == APPEND_NEW && n_dest > 0 && n_src >= n_dest)
    {
      /* Some servers resend everything so far instead of the new items. */
      skip = n_dest;
      for (guint i = 0; i < n_dest; i++)
        if (!json_node_equal (json_array_get_element (dest, i), json_array_get_element (src, i)))
          {
            skip = 0;
            break;
          }
    }

  for (guint i = skip; i < n_src; i++)
    {
      JsonNode *node = json_array_get_element (src, i);

      if (mode == APPEND_UNIQUE)
        {
          gboolean found = FALSE;

          for (guint j = 0; j < n_dest && !found; j++)
            found = json_node_equal (json_array_get_element (dest, j), node);
          if (found)
            continue;
        }

      json_array_add_element (dest, json_node_copy (node));
    }
}

typedef struct
{
  const char *name;
  AppendMode  mode;
} AppendRule;

/* Merges a metadata object whose lists grow across chunks; other members: last wins. */
static void
merge_metadata (JsonObject       *parent,
                const char       *name,
                JsonObject       *incoming,
                const AppendRule *rules,
                guint             n_rules)
{
  g_autoptr(GList) names = json_object_get_members (incoming);
  JsonObject *target = obj_member (parent, name);

  if (target == NULL)
    {
      target = json_object_new ();
      json_object_set_object_member (parent, name, target);
    }

  for (const GList *l = names; l != NULL; l = l->next)
    {
      const char *member = l->data;
      JsonNode *node = json_object_get_member (incoming, member);
      const AppendRule *rule = NULL;

      if (JSON_NODE_HOLDS_NULL (node))
        continue;

      for (guint i = 0; i < n_rules && rule == NULL; i++)
        if (g_str_equal (rules[i].name, member))
          rule = &rules[i];

      if (rule != NULL && JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *dest = arr_member (target, member);

          if (dest == NULL)
            {
              dest = json_array_new ();
              json_object_set_array_member (target, member, dest);
            }
          append_array (dest, json_node_get_array (node), rule->mode);
        }
      else
        json_object_set_member (target, member, json_node_copy (node));
    }
}

static const AppendRule citation_rules[] = {
  { "citationSources", APPEND_NEW },
};

static const AppendRule grounding_rules[] = {
  { "groundingChunks", APPEND_NEW },
  { "groundingSupports", APPEND_NEW },
  { "groundingAttributions", APPEND_NEW },
  { "webSearchQueries", APPEND_UNIQUE },
  { "retrievalQueries", APPEND_UNIQUE },
};

static const AppendRule url_context_rules[] = {
  { "urlMetadata", APPEND_NEW },
};

static void
merge_candidate (GemResponse *self,
                 Candidate   *state,
                 gboolean     is_first,
                 JsonObject  *candidate)
{
  g_autoptr(GList) names = json_object_get_members (candidate);

  for (const GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (candidate, name);

      if (JSON_NODE_HOLDS_NULL (node))
        continue;

      if (g_str_equal (name, "content"))
        {
          /* never replaced: state->content and state->parts point into it */
          if (JSON_NODE_HOLDS_OBJECT (node))
            merge_content (self, state, is_first, json_node_get_object (node));
        }
      else if (g_str_equal (name, "citationMetadata") && JSON_NODE_HOLDS_OBJECT (node))
        merge_metadata (state->object, name, json_node_get_object (node),
                        citation_rules, G_N_ELEMENTS (citation_rules));
      else if (g_str_equal (name, "groundingMetadata") && JSON_NODE_HOLDS_OBJECT (node))
        merge_metadata (state->object, name, json_node_get_object (node),
                        grounding_rules, G_N_ELEMENTS (grounding_rules));
      else if (g_str_equal (name, "urlContextMetadata") && JSON_NODE_HOLDS_OBJECT (node))
        merge_metadata (state->object, name, json_node_get_object (node),
                        url_context_rules, G_N_ELEMENTS (url_context_rules));
      else
        json_object_set_member (state->object, name, json_node_copy (node));
    }
}

static Candidate *
lookup_candidate (GemResponse *self,
                  gint64       index)
{
  Candidate *state;

  for (guint i = 0; i < self->states->len; i++)
    {
      state = g_ptr_array_index (self->states, i);
      if (state->index == index)
        return state;
    }

  state = g_new0 (Candidate, 1);
  state->index = index;
  state->object = json_object_new ();
  /* proto3 leaves "index": 0 out; at another position in the merged JSON,
   * the candidate would be read back as a different one */
  if (index != (gint64) self->states->len)
    json_object_set_int_member (state->object, "index", index);
  json_array_add_object_element (self->candidates, state->object);
  g_ptr_array_add (self->states, state);

  return state;
}

static void
merge_candidates (GemResponse *self,
                  JsonArray   *candidates)
{
  guint n = json_array_get_length (candidates);

  if (self->candidates == NULL)
    {
      self->candidates = json_array_new ();
      json_object_set_array_member (self->root, "candidates", self->candidates);
    }

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (candidates, i);
      JsonObject *candidate;
      Candidate *state;
      gint64 index;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;

      candidate = json_node_get_object (node);
      index = json_object_has_member (candidate, "index") ? int_member (candidate, "index") : i;
      state = lookup_candidate (self, index);
      merge_candidate (self, state, state == first_candidate (self), candidate);
    }
}

/* ---- GObject ---- */

static void
gem_response_finalize (GObject *object)
{
  GemResponse *self = (GemResponse *) object;

  g_clear_pointer (&self->states, g_ptr_array_unref);
  g_clear_pointer (&self->root, json_object_unref);
  g_clear_object (&self->parser);
  g_string_free (self->text, TRUE);
  g_string_free (self->thought_text, TRUE);
  g_clear_pointer (&self->image_cache, g_ptr_array_unref);

  G_OBJECT_CLASS (gem_response_parent_class)->finalize (object);
}

static void
gem_response_class_init (GemResponseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gem_response_finalize;
}

static void
gem_response_init (GemResponse *self)
{
  self->root = json_object_new ();
  self->states = g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);
  self->text = g_string_new (NULL);
  self->thought_text = g_string_new (NULL);
}

/* ---- public API: building ---- */

GemResponse *
gem_response_new (void)
{
  return g_object_new (GEM_TYPE_RESPONSE, NULL);
}

/**
 * gem_response_merge_chunk:
 * @self: a #GemResponse
 * @chunk: one GenerateContentResponse: a streamed delta, or a whole answer
 * @error: a place for an error
 *
 * Merges @chunk: consecutive plain text parts of the same kind (thought or
 * not) are joined, every other part (thoughtSignature, images, function calls,
 * code) is kept whole and in order; `finishReason`, `usageMetadata`,
 * `promptFeedback` and other single values: the last one wins; citations,
 * grounding chunks, supports and queries are appended. Text only ever grows
 * at its end, so a view may render just the new tail of gem_response_get_text().
 *
 * Returns: %FALSE if @chunk is an `{"error": ...}` object, with @error set
 *   from it
 */
gboolean
gem_response_merge_chunk (GemResponse  *self,
                          JsonObject   *chunk,
                          GError      **error)
{
  g_autoptr(GList) names = NULL;
  JsonObject *error_object;

  g_return_val_if_fail (GEM_IS_RESPONSE (self), FALSE);
  g_return_val_if_fail (chunk != NULL, FALSE);

  error_object = obj_member (chunk, "error");
  if (error_object != NULL)
    {
      g_propagate_error (error, gem_error_new_from_json (0, NULL, error_object));
      return FALSE;
    }

  names = json_object_get_members (chunk);
  for (const GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (chunk, name);

      if (JSON_NODE_HOLDS_NULL (node))
        continue;

      if (g_str_equal (name, "candidates"))
        {
          if (JSON_NODE_HOLDS_ARRAY (node))
            merge_candidates (self, json_node_get_array (node));
        }
      else
        json_object_set_member (self->root, name, json_node_copy (node));
    }

  self->n_chunks++;

  return TRUE;
}

static gboolean
merge_node (GemResponse  *self,
            JsonNode     *root,
            GError      **error)
{
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    return gem_response_merge_chunk (self, json_node_get_object (root), error);

  /* streamGenerateContent without alt=sse answers with an array of chunks. */
  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);
      guint n = json_array_get_length (array);
      guint i;

      for (i = 0; i < n && JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, i)); i++)
        ;

      if (i == n)
        {
          for (i = 0; i < n; i++)
            if (!gem_response_merge_chunk (self, json_array_get_object_element (array, i), error))
              return FALSE;
          return TRUE;
        }
    }

  g_propagate_error (error, gem_error_new_with_details (GEM_ERROR_MALFORMED_RESPONSE,
                                                        "the JSON is not a "
                                                        "GenerateContentResponse object"));
  return FALSE;
}

/**
 * gem_response_merge_event:
 * @self: a #GemResponse
 * @json: (array length=len): the JSON text of one event
 * @len: its length
 * @error: a place for an error
 *
 * Parses one streamed event and merges it (see gem_response_merge_chunk()).
 *
 * Returns: %FALSE with %GEM_ERROR_MALFORMED_RESPONSE if @json does not
 *   parse, or with the API's error if it is an `{"error": ...}` object
 */
gboolean
gem_response_merge_event (GemResponse  *self,
                          const char   *json,
                          gsize         len,
                          GError      **error)
{
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (GEM_IS_RESPONSE (self), FALSE);
  g_return_val_if_fail (json != NULL || len == 0, FALSE);

  if (self->parser == NULL)
    self->parser = json_parser_new ();

  if (len > G_MAXSSIZE ||
      !gem_json_parser_load (self->parser, json != NULL ? json : "", (gssize) len, &local))
    {
      g_propagate_error (error, gem_error_new_with_details (GEM_ERROR_MALFORMED_RESPONSE,
                                                            local != NULL ? local->message : NULL));
      return FALSE;
    }

  return merge_node (self, json_parser_get_root (self->parser), error);
}

/**
 * gem_response_new_from_json:
 * @data: (array length=len): a `:generateContent` response body
 * @len: its length, or -1 if NUL-terminated
 * @error: a place for an error
 *
 * Returns: (transfer full) (nullable): the response, or %NULL with @error set
 *   if the body does not parse or is an API error
 */
GemResponse *
gem_response_new_from_json (const char  *data,
                            gssize       len,
                            GError     **error)
{
  g_autoptr(GemResponse) self = gem_response_new ();

  g_return_val_if_fail (data != NULL, NULL);

  if (len < 0)
    len = strlen (data);

  if (!gem_response_merge_event (self, data, len, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* ---- public API: reading ---- */

/**
 * gem_response_get_json:
 * @self: a #GemResponse
 *
 * Returns: (transfer none): the merged response in the API's JSON shape
 */
JsonObject *
gem_response_get_json (GemResponse *self)
{
  g_return_val_if_fail (GEM_IS_RESPONSE (self), NULL);

  sync_all (self);

  return self->root;
}

/**
 * gem_response_to_string:
 * @self: a #GemResponse
 * @pretty: whether to indent
 *
 * Returns: (transfer full): the merged response as JSON text
 */
char *
gem_response_to_string (GemResponse *self,
                        gboolean     pretty)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (GEM_IS_RESPONSE (self), NULL);

  sync_all (self);
  node = json_node_init_object (json_node_alloc (), self->root);

  /* not json_to_string(): json-glib 1.6 writes 1e80 as "1e+80.0", not JSON */
  return gem_request_to_string (node, pretty);
}

/**
 * gem_response_get_parts:
 * @self: a #GemResponse
 *
 * Returns: (transfer none) (nullable): the merged parts of the first
 *   candidate, as they must be sent back in a later turn
 */
JsonArray *
gem_response_get_parts (GemResponse *self)
{
  Candidate *state;

  g_return_val_if_fail (GEM_IS_RESPONSE (self), NULL);

  state = first_candidate (self);
  if (state == NULL)
    return NULL;

  candidate_sync (state);

  return state->parts;
}

guint
gem_response_get_n_candidates (GemResponse *self)
{
  g_return_val_if_fail (GEM_IS_RESPONSE (self), 0);

  return self->states->len;
}

/**
 * gem_response_get_n_chunks:
 * @self: a #GemResponse
 *
 * Returns: how many chunks were merged
 */
guint
gem_response_get_n_chunks (GemResponse *self)
{
  g_return_val_if_fail (GEM_IS_RESPONSE (self), 0);

  return self->n_chunks;
}

/**
 * gem_response_get_text:
 * @self: a #GemResponse
 *
 * Returns: (transfer none): the answer's text (non-thought text parts of the
 *   first candidate, joined); empty if none
 */
const char *
gem_response_get_text (GemResponse *self)
{
  g_return_val_if_fail (GEM_IS_RESPONSE (self), NULL);

  return self->text->str;
}

gsize
gem_response_get_text_length (GemResponse *self)
{
  g_return_val_if_fail (GEM_IS_RESPONSE (self), 0);

  return self->text->len;
}

/**
 * gem_response_get_thought_text:
 * @self: a #GemResponse
 *
 * Returns: (transfer none): the thought summaries (parts with `thought: true`), joined
 */
const char *
gem_response_get_thought_text (GemResponse *self)
{
  g_return_val_if_fail (GEM_IS_RESPONSE (self), NULL);

  return self->thought_text->str;
}

gsize
gem_response_get_thought_text_length (GemResponse *self)
{
  g_return_val_if_fail (GEM_IS_RESPONSE (self), 0);

  return self->thought_text->len;
}

/**
 * gem_response_get_finish_reason:
 * @self: a #GemResponse
 *
 * Returns: (nullable): the first candidate's last `finishReason`, any
 *   value (unknown ones included), or %NULL while none has come
 */
const char *
gem_response_get_finish_reason (GemResponse *self)
{
  Candidate *state;

  g_return_val_if_fail (GEM_IS_RESPONSE (self), NULL);

  state = first_candidate (self);

  return state != NULL ? str_member (state->object, "finishReason") : NULL;
}

GemFinishKind
gem_response_get_finish_kind (GemResponse *self)
{
  return gem_finish_reason_classify (gem_response_get_finish_reason (self));
}

const char *
gem_response_get_finish_message (GemResponse *self)
{
  Candidate *state;

  g_return_val_if_fail (GEM_IS_RESPONSE (self), NULL);

  state = first_candidate (self);

  return state != NULL ? str_member (state->object, "finishMessage") : NULL;
}

const char *
gem_response_get_block_reason (GemResponse *self)
{
  g_return_val_if_fail (GEM_IS_RESPONSE (self), NULL);

  return str_member (obj_member (self->root, "promptFeedback"), "blockReason");
}

const char *
gem_response_get_block_reason_message (GemResponse *self)
{
  g_return_val_if_fail (GEM_IS_RESPONSE (self), NULL);

  return str_member (obj_member (self->root, "promptFeedback"), "blockReasonMessage");
}

/**
 * gem_response_get_usage:
 * @self: a #GemResponse
 * @usage: (out caller-allocates): the token counts
 *
 * Returns: %TRUE if the response has `usageMetadata`; @usage is zeroed otherwise
 */
gboolean
gem_response_get_usage (GemResponse *self,
                        GemUsage    *usage)
{
  JsonObject *metadata;

  g_return_val_if_fail (GEM_IS_RESPONSE (self), FALSE);
  g_return_val_if_fail (usage != NULL, FALSE);

  memset (usage, 0, sizeof *usage);

  metadata = obj_member (self->root, "usageMetadata");
  if (metadata == NULL)
    return FALSE;

  usage->prompt = int_member (metadata, "promptTokenCount");
  usage->candidates = int_member (metadata, "candidatesTokenCount");
  usage->thoughts = int_member (metadata, "thoughtsTokenCount");
  usage->cached = int_member (metadata, "cachedContentTokenCount");
  usage->total = int_member (metadata, "totalTokenCount");
  usage->tool_use = int_member (metadata, "toolUsePromptTokenCount");

  return TRUE;
}

const char *
gem_response_get_model_version (GemResponse *self)
{
  g_return_val_if_fail (GEM_IS_RESPONSE (self), NULL);

  return str_member (self->root, "modelVersion");
}

const char *
gem_response_get_response_id (GemResponse *self)
{
  g_return_val_if_fail (GEM_IS_RESPONSE (self), NULL);

  return str_member (self->root, "responseId");
}

/**
 * gem_response_get_thought_signature_count:
 * @self: a #GemResponse
 *
 * Returns: how many parts of the first candidate carry a `thoughtSignature`
 */
guint
gem_response_get_thought_signature_count (GemResponse *self)
{
  JsonArray *parts = gem_response_get_parts (self);
  guint count = 0;

  if (parts == NULL)
    return 0;

  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonNode *node = json_array_get_element (parts, i);

      if (JSON_NODE_HOLDS_OBJECT (node) &&
          str_member (json_node_get_object (node), "thoughtSignature") != NULL)
        count++;
    }

  return count;
}

/**
 * gem_response_get_image_count:
 * @self: a #GemResponse
 *
 * Returns: how many image parts (`inlineData` with an image MIME type) the
 *   first candidate has, thought images included
 */
guint
gem_response_get_image_count (GemResponse *self)
{
  g_return_val_if_fail (GEM_IS_RESPONSE (self), 0);

  return self->n_images;
}

/**
 * gem_response_get_images:
 * @self: a #GemResponse
 *
 * Decodes the first candidate's images (once; later calls share the bytes).
 *
 * Returns: (transfer full) (element-type GemImage): the images, in order
 */
GPtrArray *
gem_response_get_images (GemResponse *self)
{
  GPtrArray *result;
  JsonArray *parts;

  g_return_val_if_fail (GEM_IS_RESPONSE (self), NULL);

  if (self->image_cache == NULL)
    {
      self->image_cache = g_ptr_array_new_with_free_func ((GDestroyNotify) gem_image_free);
      parts = gem_response_get_parts (self);

      for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
        {
          JsonNode *node = json_array_get_element (parts, i);
          JsonObject *part;
          JsonObject *inline_data;
          const char *data;
          GemImage *image;
          guchar *decoded;
          gsize decoded_len = 0;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            continue;

          part = json_node_get_object (node);
          if (!part_is_image (part))
            continue;

          inline_data = obj_member (part, "inlineData");
          data = str_member (inline_data, "data");
          decoded = data != NULL && *data != '\0' ? g_base64_decode (data, &decoded_len) : NULL;

          image = g_new0 (GemImage, 1);
          image->mime_type = g_strdup (str_member (inline_data, "mimeType"));
          image->data = g_bytes_new_take (decoded, decoded_len);
          image->thought = bool_member (part, "thought");
          image->part_index = i;
          g_ptr_array_add (self->image_cache, image);
        }
    }

  result = g_ptr_array_new_full (self->image_cache->len, (GDestroyNotify) gem_image_free);
  for (guint i = 0; i < self->image_cache->len; i++)
    g_ptr_array_add (result, gem_image_copy (g_ptr_array_index (self->image_cache, i)));

  return result;
}

/**
 * gem_response_get_function_calls:
 * @self: a #GemResponse
 *
 * Returns: (transfer full) (element-type GemFunctionCall): the first
 *   candidate's function calls, in order
 */
GPtrArray *
gem_response_get_function_calls (GemResponse *self)
{
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) gem_function_call_free);
  JsonArray *parts = gem_response_get_parts (self);

  for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
    {
      JsonNode *node = json_array_get_element (parts, i);
      JsonObject *call_object;
      GemFunctionCall *call;
      JsonNode *args;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          (call_object = obj_member (json_node_get_object (node), "functionCall")) == NULL)
        continue;

      call = g_new0 (GemFunctionCall, 1);
      call->name = g_strdup (str_member (call_object, "name"));
      args = json_object_get_member (call_object, "args");
      call->args_json = args != NULL && !JSON_NODE_HOLDS_NULL (args) ? json_to_string (args, FALSE)
                                                                      : g_strdup ("{}");
      call->id = g_strdup (str_member (call_object, "id"));
      call->part_index = i;
      g_ptr_array_add (result, call);
    }

  return result;
}

/**
 * gem_response_get_citations:
 * @self: a #GemResponse
 *
 * Returns: (transfer full) (element-type GemCitation): the first
 *   candidate's `citationMetadata.citationSources`
 */
GPtrArray *
gem_response_get_citations (GemResponse *self)
{
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) gem_citation_free);
  Candidate *state = first_candidate (self);
  JsonArray *sources;

  if (state == NULL)
    return result;

  sources = arr_member (obj_member (state->object, "citationMetadata"), "citationSources");
  for (guint i = 0; sources != NULL && i < json_array_get_length (sources); i++)
    {
      JsonNode *node = json_array_get_element (sources, i);
      JsonObject *source;
      GemCitation *citation;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;

      source = json_node_get_object (node);
      citation = g_new0 (GemCitation, 1);
      citation->start_index = uint_member (source, "startIndex");
      citation->end_index = uint_member (source, "endIndex");
      citation->uri = g_strdup (str_member (source, "uri"));
      citation->title = g_strdup (str_member (source, "title"));
      citation->license = g_strdup (str_member (source, "license"));
      g_ptr_array_add (result, citation);
    }

  return result;
}

static JsonObject *
grounding_metadata (GemResponse *self)
{
  Candidate *state = first_candidate (self);

  return state != NULL ? obj_member (state->object, "groundingMetadata") : NULL;
}

/**
 * gem_response_get_grounding_chunks:
 * @self: a #GemResponse
 *
 * Returns: (transfer full) (element-type GemGroundingChunk): the sources
 *   of the first candidate's grounding, in order (supports refer to them by index)
 */
GPtrArray *
gem_response_get_grounding_chunks (GemResponse *self)
{
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) gem_grounding_chunk_free);
  JsonArray *chunks;

  g_return_val_if_fail (GEM_IS_RESPONSE (self), result);

  chunks = arr_member (grounding_metadata (self), "groundingChunks");
  for (guint i = 0; chunks != NULL && i < json_array_get_length (chunks); i++)
    {
      JsonNode *node = json_array_get_element (chunks, i);
      GemGroundingChunk *chunk = g_new0 (GemGroundingChunk, 1);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonObject *source;

      /* Keep one entry per index even for an empty `{}`, so indices still match. */
      if ((source = obj_member (object, "web")) != NULL)
        chunk->kind = GEM_GROUNDING_SOURCE_WEB;
      else if ((source = obj_member (object, "maps")) != NULL)
        chunk->kind = GEM_GROUNDING_SOURCE_MAPS;
      else if ((source = obj_member (object, "retrievedContext")) != NULL)
        chunk->kind = GEM_GROUNDING_SOURCE_RETRIEVED_CONTEXT;
      else
        chunk->kind = GEM_GROUNDING_SOURCE_UNKNOWN;

      chunk->uri = g_strdup (str_member (source, "uri"));
      chunk->title = g_strdup (str_member (source, "title"));
      chunk->text = g_strdup (str_member (source, "text"));
      chunk->place_id = g_strdup (str_member (source, "placeId"));
      g_ptr_array_add (result, chunk);
    }

  return result;
}

/**
 * gem_response_get_grounding_supports:
 * @self: a #GemResponse
 *
 * Segment offsets are UTF-8 byte offsets into the candidate's text, as sent.
 *
 * Returns: (transfer full) (element-type GemGroundingSupport): the
 *   first candidate's grounding supports, in order
 */
GPtrArray *
gem_response_get_grounding_supports (GemResponse *self)
{
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) gem_grounding_support_free);
  JsonArray *supports;

  g_return_val_if_fail (GEM_IS_RESPONSE (self), result);

  supports = arr_member (grounding_metadata (self), "groundingSupports");
  for (guint i = 0; supports != NULL && i < json_array_get_length (supports); i++)
    {
      JsonNode *node = json_array_get_element (supports, i);
      JsonObject *object;
      JsonObject *segment;
      JsonArray *indices;
      JsonArray *scores;
      GemGroundingSupport *support;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;

      object = json_node_get_object (node);
      segment = obj_member (object, "segment");
      support = g_new0 (GemGroundingSupport, 1);
      support->start_index = uint_member (segment, "startIndex");
      support->end_index = uint_member (segment, "endIndex");
      support->part_index = uint_member (segment, "partIndex");
      support->text = g_strdup (str_member (segment, "text"));

      indices = arr_member (object, "groundingChunkIndices");
      if (indices != NULL)
        {
          support->n_chunk_indices = json_array_get_length (indices);
          support->chunk_indices = g_new0 (guint, MAX (support->n_chunk_indices, 1));
          for (guint j = 0; j < support->n_chunk_indices; j++)
            support->chunk_indices[j] =
              (guint) CLAMP (node_to_int (json_array_get_element (indices, j)), 0, G_MAXUINT);
        }

      scores = arr_member (object, "confidenceScores");
      if (scores != NULL)
        {
          support->n_confidence_scores = json_array_get_length (scores);
          support->confidence_scores = g_new0 (double, MAX (support->n_confidence_scores, 1));
          for (guint j = 0; j < support->n_confidence_scores; j++)
            support->confidence_scores[j] = node_to_double (json_array_get_element (scores, j));
        }

      g_ptr_array_add (result, support);
    }

  return result;
}

/**
 * gem_response_get_web_search_queries:
 * @self: a #GemResponse
 *
 * Returns: (transfer full): the search queries the model made; empty if none
 */
GStrv
gem_response_get_web_search_queries (GemResponse *self)
{
  GPtrArray *result = g_ptr_array_new ();
  JsonArray *queries;

  queries = GEM_IS_RESPONSE (self) ? arr_member (grounding_metadata (self), "webSearchQueries")
                                   : NULL;
  for (guint i = 0; queries != NULL && i < json_array_get_length (queries); i++)
    {
      JsonNode *node = json_array_get_element (queries, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        g_ptr_array_add (result, g_strdup (json_node_get_string (node)));
    }
  g_ptr_array_add (result, NULL);

  return (GStrv) g_ptr_array_free (result, FALSE);
}

/**
 * gem_response_get_search_entry_point:
 * @self: a #GemResponse
 *
 * Returns: (nullable): the HTML of the search suggestions
 *   (`searchEntryPoint.renderedContent`) that Google asks to show
 */
const char *
gem_response_get_search_entry_point (GemResponse *self)
{
  g_return_val_if_fail (GEM_IS_RESPONSE (self), NULL);

  return str_member (obj_member (grounding_metadata (self), "searchEntryPoint"),
                     "renderedContent");
}

/* ---- finish and block reasons ---- */

GemFinishKind
gem_finish_reason_classify (const char *reason)
{
  static const struct { const char *name; GemFinishKind kind; } kinds[] = {
    { "STOP", GEM_FINISH_STOP },
    { "MAX_TOKENS", GEM_FINISH_MAX_TOKENS },
    { "SAFETY", GEM_FINISH_SAFETY },
    { "BLOCKLIST", GEM_FINISH_SAFETY },
    { "PROHIBITED_CONTENT", GEM_FINISH_SAFETY },
    { "SPII", GEM_FINISH_SAFETY },
    { "IMAGE_SAFETY", GEM_FINISH_SAFETY },
    { "IMAGE_PROHIBITED_CONTENT", GEM_FINISH_SAFETY },
    { "RECITATION", GEM_FINISH_RECITATION },
    { "IMAGE_RECITATION", GEM_FINISH_RECITATION },
    { "FINISH_REASON_UNSPECIFIED", GEM_FINISH_OTHER },
    { "LANGUAGE", GEM_FINISH_OTHER },
    { "OTHER", GEM_FINISH_OTHER },
    { "MALFORMED_FUNCTION_CALL", GEM_FINISH_OTHER },
    { "IMAGE_OTHER", GEM_FINISH_OTHER },
    { "NO_IMAGE", GEM_FINISH_OTHER },
    { "UNEXPECTED_TOOL_CALL", GEM_FINISH_OTHER },
    { "TOO_MANY_TOOL_CALLS", GEM_FINISH_OTHER },
  };

  if (reason == NULL)
    return GEM_FINISH_NONE;

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_str_equal (kinds[i].name, reason))
      return kinds[i].kind;

  return GEM_FINISH_UNKNOWN;
}

/**
 * gem_finish_reason_to_user_message:
 * @reason: (nullable): a `finishReason` value
 *
 * Returns: (transfer none): a translated sentence explaining @reason to the
 *   user, with what to do; a generic one for values not known
 */
const char *
gem_finish_reason_to_user_message (const char *reason)
{
  if (reason == NULL)
    return _("The answer is not finished yet.");
  if (g_str_equal (reason, "STOP"))
    return _("The answer is complete.");
  if (g_str_equal (reason, "MAX_TOKENS"))
    return _("The answer reached the maximum length and was cut short. Raise the output limit in "
             "the chat settings or ask the model to continue.");
  if (g_str_equal (reason, "SAFETY"))
    return _("The answer was stopped by the safety filters. Rephrase the message and try again.");
  if (g_str_equal (reason, "RECITATION"))
    return _("The answer was stopped because it repeated existing material, such as copyrighted "
             "text, too closely. Rephrase the message and try again.");
  if (g_str_equal (reason, "LANGUAGE"))
    return _("The answer was stopped because it used a language the model does not support. Ask "
             "in another language.");
  if (g_str_equal (reason, "OTHER"))
    return _("The answer stopped early for an unspecified reason. Try again.");
  if (g_str_equal (reason, "BLOCKLIST"))
    return _("The answer was stopped because it contained blocked terms. Rephrase the message and "
             "try again.");
  if (g_str_equal (reason, "PROHIBITED_CONTENT"))
    return _("The answer was stopped because it may contain prohibited content. Rephrase the "
             "message and try again.");
  if (g_str_equal (reason, "SPII"))
    return _("The answer was stopped because it may contain sensitive personal information. "
             "Rephrase the message and try again.");
  if (g_str_equal (reason, "MALFORMED_FUNCTION_CALL"))
    return _("The model produced an invalid tool call. Try again.");
  if (g_str_equal (reason, "IMAGE_SAFETY"))
    return _("The image was not generated because the safety filters flagged it. Change the "
             "request and try again.");
  if (g_str_equal (reason, "IMAGE_PROHIBITED_CONTENT"))
    return _("The image was not generated because it may contain prohibited content. Change the "
             "request and try again.");
  if (g_str_equal (reason, "IMAGE_OTHER"))
    return _("The image could not be generated for an unspecified reason. Try again.");
  if (g_str_equal (reason, "NO_IMAGE"))
    return _("The model did not produce an image. Ask for an image explicitly, or try again.");
  if (g_str_equal (reason, "IMAGE_RECITATION"))
    return _("The image was not generated because it resembled existing material too closely. "
             "Change the request and try again.");
  if (g_str_equal (reason, "UNEXPECTED_TOOL_CALL"))
    return _("The model tried to use a tool that is not enabled. Enable the tool in the chat "
             "settings or try again.");
  if (g_str_equal (reason, "TOO_MANY_TOOL_CALLS"))
    return _("The model made too many tool calls in a row and was stopped. Simplify the request "
             "and try again.");
  if (g_str_equal (reason, "FINISH_REASON_UNSPECIFIED"))
    return _("The answer stopped for an unspecified reason. Try again.");

  return _("The answer stopped for a reason that is not recognized. Try again.");
}

/**
 * gem_block_reason_to_user_message:
 * @reason: (nullable): a `promptFeedback.blockReason` value
 *
 * Returns: (transfer none): a translated sentence explaining why the prompt was blocked
 */
const char *
gem_block_reason_to_user_message (const char *reason)
{
  if (g_strcmp0 (reason, "SAFETY") == 0)
    return _("The message was blocked by the safety filters. Rephrase it and try again.");
  if (g_strcmp0 (reason, "BLOCKLIST") == 0)
    return _("The message was blocked because it contains blocked terms. Rephrase it and try "
             "again.");
  if (g_strcmp0 (reason, "PROHIBITED_CONTENT") == 0)
    return _("The message was blocked because it may ask for prohibited content. Rephrase it and "
             "try again.");
  if (g_strcmp0 (reason, "IMAGE_SAFETY") == 0)
    return _("The message was blocked because an attached image was flagged by the safety "
             "filters. Try another image.");
  if (g_strcmp0 (reason, "OTHER") == 0)
    return _("The message was blocked for an unspecified reason. Rephrase it and try again.");

  return _("The message was blocked. Rephrase it and try again.");
}

/* Something the user would see as the answer: not a thought, not an empty signature carrier. */
static gboolean
candidate_has_visible_content (Candidate *state)
{
  for (guint i = 0; state->parts != NULL && i < json_array_get_length (state->parts); i++)
    {
      JsonNode *node = json_array_get_element (state->parts, i);
      g_autoptr(GList) names = NULL;
      JsonObject *part;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;

      part = json_node_get_object (node);
      if (bool_member (part, "thought"))
        continue;

      if (part == state->open_part ? state->open_buffer->len > state->open_start
                                   : (str_member (part, "text") != NULL &&
                                      *str_member (part, "text") != '\0'))
        return TRUE;

      names = json_object_get_members (part);
      for (const GList *l = names; l != NULL; l = l->next)
        if (!g_str_equal (l->data, "text") && !g_str_equal (l->data, "thought") &&
            !g_str_equal (l->data, "thoughtSignature"))
          return TRUE;
    }

  return FALSE;
}

static GError *
finish_error (GemErrorCode  code,
              const char   *message,
              const char   *reason,
              const char   *api_message)
{
  GError *error = g_error_new_literal (GEM_ERROR, code, message);

  gem_error_set_reason (error, reason);
  gem_error_set_api_message (error, api_message);

  return error;
}

/**
 * gem_response_check_finish:
 * @self: a #GemResponse
 * @error: a place for an error
 *
 * Turns an answer that did not end well into an error whose message says why:
 * a blocked prompt (%GEM_ERROR_BLOCKED_PROMPT), an answer stopped for safety
 * (%GEM_ERROR_STOPPED_SAFETY), recitation (%GEM_ERROR_STOPPED_RECITATION) or
 * any other reason but STOP and MAX_TOKENS (%GEM_ERROR_STOPPED_OTHER), or an
 * answer with nothing in it (%GEM_ERROR_EMPTY_RESPONSE). The reason is in
 * gem_error_get_reason(), a `finishMessage` or `blockReasonMessage` in
 * gem_error_get_api_message(). A missing `finishReason` is not an error
 * here (unary answers may lack one); see gem_response_is_complete().
 *
 * Returns: %TRUE if the answer can be shown as a complete answer
 */
gboolean
gem_response_check_finish (GemResponse  *self,
                           GError      **error)
{
  const char *block_reason;
  const char *block_message;
  const char *reason;
  const char *finish_message;
  Candidate *state;

  g_return_val_if_fail (GEM_IS_RESPONSE (self), FALSE);

  block_reason = gem_response_get_block_reason (self);
  block_message = gem_response_get_block_reason_message (self);
  state = first_candidate (self);

  if (block_reason != NULL || (state == NULL && block_message != NULL))
    {
      g_propagate_error (error, finish_error (GEM_ERROR_BLOCKED_PROMPT,
                                              gem_block_reason_to_user_message (block_reason),
                                              block_reason, block_message));
      return FALSE;
    }

  if (state == NULL)
    {
      const char *message = gem_error_code_to_user_message (GEM_ERROR_EMPTY_RESPONSE);

      g_propagate_error (error, finish_error (GEM_ERROR_EMPTY_RESPONSE, message, NULL, NULL));
      return FALSE;
    }

  reason = str_member (state->object, "finishReason");
  finish_message = str_member (state->object, "finishMessage");

  switch (gem_finish_reason_classify (reason))
    {
    case GEM_FINISH_SAFETY:
      g_propagate_error (error, finish_error (GEM_ERROR_STOPPED_SAFETY,
                                              gem_finish_reason_to_user_message (reason),
                                              reason, finish_message));
      return FALSE;

    case GEM_FINISH_RECITATION:
      g_propagate_error (error, finish_error (GEM_ERROR_STOPPED_RECITATION,
                                              gem_finish_reason_to_user_message (reason),
                                              reason, finish_message));
      return FALSE;

    case GEM_FINISH_OTHER:
      g_propagate_error (error, finish_error (GEM_ERROR_STOPPED_OTHER,
                                              gem_finish_reason_to_user_message (reason),
                                              reason, finish_message));
      return FALSE;

    case GEM_FINISH_UNKNOWN:
      {
        /* the reason is shown: make it UTF-8 (see valid_text()) */
        g_autofree char *shown = g_utf8_make_valid (reason, -1);
        /* Translators: %s is the API's code for why the answer stopped, e.g. "FAKE_ENUM" */
        g_autofree char *message = g_strdup_printf (_("The answer stopped for a reason that is "
                                                      "not recognized (%s). Try again."),
                                                    shown);

        g_propagate_error (error, finish_error (GEM_ERROR_STOPPED_OTHER, message,
                                                reason, finish_message));
        return FALSE;
      }

    case GEM_FINISH_MAX_TOKENS:
    case GEM_FINISH_STOP:
    case GEM_FINISH_NONE:
    default:
      break;
    }

  if (!candidate_has_visible_content (state))
    {
      const char *message = g_strcmp0 (reason, "MAX_TOKENS") == 0
                              ? _("The answer reached the maximum length before any text was "
                                  "written. Raise the output limit or lower the thinking budget "
                                  "in the chat settings.")
                              : gem_error_code_to_user_message (GEM_ERROR_EMPTY_RESPONSE);

      g_propagate_error (error, finish_error (GEM_ERROR_EMPTY_RESPONSE, message,
                                              reason, finish_message));
      return FALSE;
    }

  return TRUE;
}

/**
 * gem_response_is_complete:
 * @self: a #GemResponse
 * @error: a place for an error
 *
 * For a streamed answer: whether the stream reached its end. A stream has no
 * end marker; an answer is complete once it has a `finishReason`, or when the
 * prompt was blocked.
 *
 * Returns: %TRUE if complete, or %FALSE with %GEM_ERROR_INTERRUPTED
 */
gboolean
gem_response_is_complete (GemResponse  *self,
                          GError      **error)
{
  Candidate *state;

  g_return_val_if_fail (GEM_IS_RESPONSE (self), FALSE);

  state = first_candidate (self);

  if (state != NULL && str_member (state->object, "finishReason") != NULL)
    return TRUE;

  if (gem_response_get_block_reason (self) != NULL ||
      (state == NULL && gem_response_get_block_reason_message (self) != NULL))
    return TRUE;

  g_propagate_error (error, gem_error_new_with_details (GEM_ERROR_INTERRUPTED,
                                                        "the stream ended without a finishReason"));
  return FALSE;
}

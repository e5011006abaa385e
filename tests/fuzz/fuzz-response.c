/* fuzz-response.c: the response parser, the chunk merger and the error parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input: a response body, as the client gets it. It goes through the paths
 * the client takes:
 *  - as a stream: the SSE decoder, then every event merged into one
 *    GemResponse (as gem-client.c does: a JSON object with
 *    gem_response_merge_chunk(), anything else with gem_response_merge_event());
 *    after each event the text must still begin with the text before it, the
 *    promise a streaming view relies on; at the end every accessor is called
 *    and the merged JSON, parsed again, must give the same answer;
 *  - as a whole (unary) body, with gem_response_new_from_json();
 *  - as an HTTP error body, with gem_error_new_from_http().
 */

#include "config.h"

#include <string.h>

#include "gem-error.h"
#include "gem-json.h"
#include "gem-response.h"
#include "gem-sse-decoder.h"

#include "fuzz-common.h"

typedef struct
{
  GemResponse *response;
  JsonParser  *parser;
  GString     *previous_text;
  GString     *previous_thought;
} Stream;

/* Error details are shown to the user (a "Details" expander): valid UTF-8. */
static void
check_text (const char *what,
            const char *s)
{
  if (s != NULL && !g_utf8_validate (s, -1, NULL))
    {
      g_autofree char *escaped = g_strescape (s, NULL);

      fprintf (stderr, "%s is not valid UTF-8: \"%s\"\n", what, escaped);
      FUZZ_CHECK (!"an error detail is not valid UTF-8");
    }
}

static void
check_error (const GError *error)
{
  FUZZ_CHECK (error != NULL);
  FUZZ_CHECK (error->message != NULL && error->message[0] != '\0');
  check_text ("message", error->message);

  if (error->domain == GEM_ERROR)
    {
      FUZZ_CHECK (error->code >= 0 && error->code < GEM_ERROR_N_CODES);
      (void) gem_error_get_http_status (error);
      (void) gem_error_get_retry_after_ms (error);
      check_text ("api status", gem_error_get_api_status (error));
      check_text ("api message", gem_error_get_api_message (error));
      check_text ("reason", gem_error_get_reason (error));
      check_text ("body excerpt", gem_error_get_body_excerpt (error));
    }
}

/* The answer goes into a text view: UTF-8 (NULs, from "\u0000", aside). */
static void
check_display_text (const char *what,
                    const char *text,
                    gsize       len)
{
  for (gsize start = 0; start <= len; start += strlen (text + start) + 1)
    check_text (what, text + start);
}

static void
check_string (const char *s)
{
  if (s != NULL)
    FUZZ_CHECK (strlen (s) < G_MAXSIZE);
}

/* Every accessor, with what its documentation promises. */
static void
check_accessors (GemResponse *response)
{
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GPtrArray) citations = NULL;
  g_autoptr(GPtrArray) chunks = NULL;
  g_autoptr(GPtrArray) supports = NULL;
  g_auto(GStrv) queries = NULL;
  g_autofree char *compact = NULL;
  g_autofree char *pretty = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *parts;
  guint n_parts;
  GemUsage usage;
  const char *text;
  gsize len;
  gboolean complete;
  gboolean finished;

  FUZZ_CHECK (gem_response_get_json (response) != NULL);
  parts = gem_response_get_parts (response);
  n_parts = parts != NULL ? json_array_get_length (parts) : 0;
  (void) gem_response_get_n_candidates (response);
  (void) gem_response_get_n_chunks (response);

  text = gem_response_get_text (response);
  len = gem_response_get_text_length (response);
  FUZZ_CHECK (text != NULL && text[len] == '\0' && strlen (text) <= len);
  check_display_text ("text", text, len);
  text = gem_response_get_thought_text (response);
  len = gem_response_get_thought_text_length (response);
  FUZZ_CHECK (text != NULL && text[len] == '\0' && strlen (text) <= len);
  check_display_text ("thought text", text, len);

  check_string (gem_response_get_finish_reason (response));
  FUZZ_CHECK (gem_response_get_finish_kind (response) <= GEM_FINISH_UNKNOWN);
  FUZZ_CHECK ((gem_response_get_finish_reason (response) == NULL) ==
              (gem_response_get_finish_kind (response) == GEM_FINISH_NONE));
  check_string (gem_response_get_finish_message (response));
  check_string (gem_response_get_block_reason (response));
  check_string (gem_response_get_block_reason_message (response));
  (void) gem_response_get_usage (response, &usage);
  check_string (gem_response_get_model_version (response));
  check_string (gem_response_get_response_id (response));
  FUZZ_CHECK (gem_response_get_thought_signature_count (response) <= n_parts);

  images = gem_response_get_images (response);
  FUZZ_CHECK (images->len == gem_response_get_image_count (response));
  for (guint i = 0; i < images->len; i++)
    {
      GemImage *image = g_ptr_array_index (images, i);

      FUZZ_CHECK (image->part_index < n_parts);
      FUZZ_CHECK (image->data != NULL);
    }

  calls = gem_response_get_function_calls (response);
  for (guint i = 0; i < calls->len; i++)
    {
      GemFunctionCall *call = g_ptr_array_index (calls, i);
      g_autoptr(JsonNode) args = NULL;

      FUZZ_CHECK (call->part_index < n_parts);
      FUZZ_CHECK (call->args_json != NULL);
      /* the arguments are handed on as JSON text: it must parse */
      args = json_from_string (call->args_json, NULL);
      FUZZ_CHECK (args != NULL);
    }

  citations = gem_response_get_citations (response);
  for (guint i = 0; i < citations->len; i++)
    {
      GemCitation *citation = g_ptr_array_index (citations, i);

      check_string (citation->uri);
      check_string (citation->title);
      check_string (citation->license);
    }

  chunks = gem_response_get_grounding_chunks (response);
  for (guint i = 0; i < chunks->len; i++)
    {
      GemGroundingChunk *chunk = g_ptr_array_index (chunks, i);

      FUZZ_CHECK (chunk->kind <= GEM_GROUNDING_SOURCE_RETRIEVED_CONTEXT);
      check_string (chunk->uri);
      check_string (chunk->title);
    }

  supports = gem_response_get_grounding_supports (response);
  for (guint i = 0; i < supports->len; i++)
    {
      GemGroundingSupport *support = g_ptr_array_index (supports, i);

      FUZZ_CHECK (support->n_chunk_indices == 0 || support->chunk_indices != NULL);
      FUZZ_CHECK (support->n_confidence_scores == 0 || support->confidence_scores != NULL);
      check_string (support->text);
    }

  queries = gem_response_get_web_search_queries (response);
  for (guint i = 0; queries != NULL && queries[i] != NULL; i++)
    check_string (queries[i]);
  check_string (gem_response_get_search_entry_point (response));

  finished = gem_response_check_finish (response, &error);
  if (!finished)
    check_error (error);
  else
    FUZZ_CHECK (error == NULL);
  g_clear_error (&error);

  complete = gem_response_is_complete (response, &error);
  if (!complete)
    check_error (error);
  g_clear_error (&error);

  compact = gem_response_to_string (response, FALSE);
  pretty = gem_response_to_string (response, TRUE);
  FUZZ_CHECK (compact != NULL && pretty != NULL);
}

static void
check_same_answer (GemResponse *a,
                   GemResponse *b)
{
  FUZZ_CHECK (gem_response_get_text_length (a) == gem_response_get_text_length (b));
  FUZZ_CHECK (memcmp (gem_response_get_text (a), gem_response_get_text (b),
                      gem_response_get_text_length (b)) == 0);
  FUZZ_CHECK (gem_response_get_thought_text_length (a) == gem_response_get_thought_text_length (b));
  FUZZ_CHECK (g_strcmp0 (gem_response_get_finish_reason (a),
                         gem_response_get_finish_reason (b)) == 0);
  FUZZ_CHECK (g_strcmp0 (gem_response_get_block_reason (a),
                         gem_response_get_block_reason (b)) == 0);
  FUZZ_CHECK (gem_response_get_image_count (a) == gem_response_get_image_count (b));
  FUZZ_CHECK (gem_response_get_thought_signature_count (a) ==
              gem_response_get_thought_signature_count (b));
}

/* A candidate "index" that JSON cannot write back as it was read (1e400 is
 * infinite and becomes null) may pick another candidate once read again. */
static gboolean
has_odd_candidate_index (GemResponse *response)
{
  JsonObject *root = gem_response_get_json (response);
  JsonNode *node = json_object_get_member (root, "candidates");
  JsonArray *candidates;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  candidates = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (candidates); i++)
    {
      JsonNode *candidate = json_array_get_element (candidates, i);
      JsonNode *index;

      if (!JSON_NODE_HOLDS_OBJECT (candidate))
        continue;
      index = json_object_get_member (json_node_get_object (candidate), "index");
      if (index != NULL && JSON_NODE_HOLDS_VALUE (index) &&
          json_node_get_value_type (index) == G_TYPE_DOUBLE)
        return TRUE;
    }

  return FALSE;
}

/* The merged JSON is what `starling-cli --json` prints and what is sent back
 * as the model's turn: read again, it must be the same answer, and writing
 * that out must give the very same text. */
static void
check_round_trip (GemResponse *response)
{
  g_autofree char *json = gem_response_to_string (response, FALSE);
  g_autofree char *json_again = NULL;
  g_autoptr(GemResponse) again = NULL;
  g_autoptr(GemResponse) third = NULL;
  g_autoptr(GError) error = NULL;

  /* (json-glib reads a lone surrogate escape as bytes that are not UTF-8;
   * gem-json makes it U+FFFD, in member names too) */
  FUZZ_CHECK (g_utf8_validate (json, -1, NULL));

  again = gem_response_new_from_json (json, -1, &error);
  if (again == NULL)
    {
      /* only a merged `{"error": ...}` member reads back as an API error */
      FUZZ_CHECK (error != NULL);
      if (error->code == GEM_ERROR_MALFORMED_RESPONSE)
        fprintf (stderr, "the merged JSON does not parse: %s\n", json);
      FUZZ_CHECK (json_object_has_member (gem_response_get_json (response), "error"));
      return;
    }

  if (!has_odd_candidate_index (response))
    check_same_answer (again, response);

  json_again = gem_response_to_string (again, FALSE);
  third = gem_response_new_from_json (json_again, -1, NULL);
  FUZZ_CHECK (third != NULL);
  check_same_answer (third, again);
}

static gboolean
event_cb (GemSseEventKind   kind,
          const char       *payload,
          gsize             len,
          gpointer          user_data,
          GError          **error)
{
  Stream *stream = user_data;
  JsonNode *root;
  gboolean ok;

  /* as the client does (gem-client.c) */
  if (gem_json_parser_load (stream->parser, payload, (gssize) len, NULL) &&
      (root = json_parser_get_root (stream->parser)) != NULL &&
      JSON_NODE_HOLDS_OBJECT (root))
    ok = gem_response_merge_chunk (stream->response, json_node_get_object (root), error);
  else
    ok = gem_response_merge_event (stream->response, payload, len, error);

  /* Text only ever grows at its end. */
  FUZZ_CHECK (gem_response_get_text_length (stream->response) >= stream->previous_text->len);
  FUZZ_CHECK (memcmp (gem_response_get_text (stream->response), stream->previous_text->str,
                      stream->previous_text->len) == 0);
  FUZZ_CHECK (gem_response_get_thought_text_length (stream->response) >=
              stream->previous_thought->len);
  FUZZ_CHECK (memcmp (gem_response_get_thought_text (stream->response),
                      stream->previous_thought->str, stream->previous_thought->len) == 0);

  g_string_truncate (stream->previous_text, 0);
  g_string_append_len (stream->previous_text, gem_response_get_text (stream->response),
                       gem_response_get_text_length (stream->response));
  g_string_truncate (stream->previous_thought, 0);
  g_string_append_len (stream->previous_thought, gem_response_get_thought_text (stream->response),
                       gem_response_get_thought_text_length (stream->response));

  /* Like the client, go on after a bad event to see what the rest does. */
  if (!ok && error != NULL && *error != NULL)
    {
      check_error (*error);
      g_clear_error (error);
    }

  return TRUE;
}

static void
fuzz_stream (const char *body,
             gsize       len)
{
  g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (0);
  g_autoptr(GemResponse) response = gem_response_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) previous_text = g_string_new (NULL);
  g_autoptr(GString) previous_thought = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  Stream stream = { response, parser, previous_text, previous_thought };

  if (!gem_sse_decoder_feed (decoder, body, len, event_cb, &stream, &error) ||
      !gem_sse_decoder_finish (decoder, event_cb, &stream, &error))
    check_error (error);

  check_accessors (response);
  check_round_trip (response);
}

static void
fuzz_unary (const char *body,
            gsize       len)
{
  g_autoptr(GemResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  response = gem_response_new_from_json (body, (gssize) len, &error);
  if (response == NULL)
    {
      check_error (error);
      return;
    }

  check_accessors (response);
  check_round_trip (response);
}

static void
fuzz_http_error (const char *body,
                 gsize       len)
{
  static const guint statuses[] = { 400, 401, 403, 404, 408, 429, 500, 502, 503, 504, 418, 200 };
  static const char * const retry_after[] = { NULL, "3", "Wed, 21 Oct 2015 07:28:00 GMT", "-1",
                                              "99999999999999999999", "" };
  g_autoptr(GError) error = NULL;
  guint32 h = 0;

  for (gsize i = 0; i < MIN (len, 16); i++)
    h = h * 31 + (guchar) body[i];

  error = gem_error_new_from_http (statuses[h % G_N_ELEMENTS (statuses)],
                                   retry_after[(h >> 8) % G_N_ELEMENTS (retry_after)],
                                   body, len);
  check_error (error);
  FUZZ_CHECK (error->domain == GEM_ERROR);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  /* a copy with a NUL after it, as a body read into a buffer has */
  g_autofree char *body = g_malloc (size + 1);

  memcpy (body, data, size);
  body[size] = '\0';

  fuzz_stream ((const char *) data, size);
  fuzz_unary (body, size);
  fuzz_http_error ((const char *) data, size);

  return 0;
}

/* test-response.c: the response model, chunk merging and errors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "corpus-expectations.h"
#include "gem-error.h"
#include "gem-json.h"
#include "gem-response.h"
#include "gem-sse-decoder.h"

static GemResponse *
merge_all (const char * const *events)
{
  GemResponse *response = gem_response_new ();

  for (guint i = 0; events[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      gem_response_merge_event (response, events[i], strlen (events[i]), &error);
      g_assert_no_error (error);
    }

  return response;
}

static JsonObject *
part_at (GemResponse *response,
         guint        index)
{
  JsonArray *parts = gem_response_get_parts (response);

  g_assert_nonnull (parts);
  g_assert_cmpuint (index, <, json_array_get_length (parts));

  return json_array_get_object_element (parts, index);
}

static const char *
part_string (JsonObject *part,
             const char *name)
{
  return json_object_has_member (part, name) ? json_object_get_string_member (part, name) : NULL;
}

/* ---- the corpus ---- */

static gboolean
merge_cb (GemSseEventKind   kind,
          const char       *payload,
          gsize             len,
          gpointer          user_data,
          GError          **error)
{
  return gem_response_merge_event (user_data, payload, len, error);
}

static void
test_corpus_file (gconstpointer data)
{
  const CorpusExpectation *row = data;
  g_autoptr(GemResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *mismatch = NULL;
  gboolean ok;

  ok = corpus_expectation_load (row, &response, &error);
  g_assert_true (ok == (row->error_code == CORPUS_NO_ERROR));

  mismatch = corpus_expectation_check (row, response, error);
  if (mismatch != NULL)
    g_error ("%s: %s", row->path, mismatch);

  if (row->http_status != 200)
    {
      g_assert_null (response);
      return;
    }

  /* What `starling-cli --json` prints is itself a response that reads the same. */
  {
    g_autofree char *json = gem_response_to_string (response, FALSE);
    g_autoptr(GError) json_error = NULL;
    g_autoptr(GemResponse) again = gem_response_new_from_json (json, -1, &json_error);
    g_autofree char *json_again = NULL;

    g_assert_no_error (json_error);
    mismatch = corpus_expectation_check (row, again, NULL);
    if (mismatch != NULL)
      g_error ("%s (after a round trip through its JSON): %s", row->path, mismatch);

    json_again = gem_response_to_string (again, FALSE);
    g_assert_cmpstr (json, ==, json_again);
  }

  /* A stream fed in small slices merges to exactly the same JSON. */
  if (row->streaming)
    {
      g_autofree char *path = corpus_expectation_full_path (row);
      g_autofree char *body = NULL;
      g_autofree char *whole = gem_response_to_string (response, TRUE);
      g_autofree char *sliced_json = NULL;
      g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (0);
      g_autoptr(GemResponse) sliced = gem_response_new ();
      g_autoptr(GError) slice_error = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (path, &body, &len, NULL));
      for (gsize offset = 0; offset < len; offset += 7)
        {
          gem_sse_decoder_feed (decoder, body + offset, MIN (7, len - offset), merge_cb, sliced,
                                &slice_error);
          g_assert_no_error (slice_error);
        }
      gem_sse_decoder_finish (decoder, merge_cb, sliced, &slice_error);
      g_assert_no_error (slice_error);

      sliced_json = gem_response_to_string (sliced, TRUE);
      g_assert_cmpstr (whole, ==, sliced_json);
      g_assert_cmpuint (gem_response_get_n_chunks (sliced), ==, row->n_events);
    }
}

static void
test_corpus_table_complete (void)
{
  g_autofree char *manifest_path = g_build_filename (g_getenv ("STARLING_CORPUS_DIR"),
                                                     "MANIFEST.tsv", NULL);
  g_autofree char *manifest = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_files = 0;

  g_assert_true (g_file_get_contents (manifest_path, &manifest, NULL, NULL));
  lines = g_strsplit (manifest, "\n", -1);

  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], "\t", -1);
      const CorpusExpectation *row;

      if (*lines[i] == '\0')
        continue;

      g_assert_cmpuint (g_strv_length (fields), ==, 7);
      row = corpus_expectation_lookup (fields[0]);
      if (row == NULL)
        g_error ("%s has no row in the expectations table", fields[0]);

      g_assert_true (row->streaming == g_str_equal (fields[3], "streaming"));
      if (g_str_has_prefix (fields[5], "json-error-"))
        g_assert_cmpuint (row->http_status, ==, atoi (fields[5] + strlen ("json-error-")));
      else
        g_assert_cmpuint (row->http_status, ==, 200);
      n_files++;
    }

  g_assert_cmpuint (n_files, ==, corpus_expectations_count);
  g_assert_cmpuint (n_files, ==, 58);
}

/* ---- merging ---- */

static void
test_merge_text_deltas (void)
{
  static const char * const events[] = {
    "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hel\"}], \"role\": \"model\"}}]}",
    "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"lo, \"}], \"role\": \"model\"}}]}",
    "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"world\"}, {\"text\": \"!\"}], "
    "\"role\": \"model\"},"
    " \"finishReason\": \"STOP\"}], \"usageMetadata\": {\"promptTokenCount\": 3, "
    "\"totalTokenCount\": 9}}",
    NULL
  };
  g_autoptr(GemResponse) response = merge_all (events);
  JsonArray *candidates;
  JsonObject *candidate;
  JsonObject *content;

  g_assert_cmpstr (gem_response_get_text (response), ==, "Hello, world!");
  g_assert_cmpuint (json_array_get_length (gem_response_get_parts (response)), ==, 1);
  g_assert_cmpstr (part_string (part_at (response, 0), "text"), ==, "Hello, world!");
  g_assert_cmpstr (gem_response_get_finish_reason (response), ==, "STOP");
  g_assert_cmpint (gem_response_get_finish_kind (response), ==, GEM_FINISH_STOP);
  g_assert_cmpuint (gem_response_get_n_chunks (response), ==, 3);

  candidates = json_object_get_array_member (gem_response_get_json (response), "candidates");
  candidate = json_array_get_object_element (candidates, 0);
  content = json_object_get_object_member (candidate, "content");
  g_assert_cmpstr (json_object_get_string_member (content, "role"), ==, "model");
  g_assert_true (gem_response_check_finish (response, NULL));
}

static void
test_merge_keeps_thought_signatures (void)
{
  static const char * const events[] = {
    "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Let me \", \"thought\": true}], "
    "\"role\": \"model\"}}]}",
    "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"think.\", \"thought\": true}], "
    "\"role\": \"model\"}}]}",
    "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"\", \"thoughtSignature\": "
    "\"SIG1\"}], \"role\": \"model\"}}]}",
    "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hello\"}], \"role\": \"model\"}}]}",
    "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \" world\", \"thoughtSignature\": "
    "\"SIG2\"}], \"role\": \"model\"}}]}",
    "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"!\"}], \"role\": \"model\"}}]}",
    "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \" Bye.\"}], \"role\": \"model\"}}]}",
    "{\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": {\"name\": \"now\", "
    "\"args\": {}},"
    " \"thoughtSignature\": \"SIG3\"}], \"role\": \"model\"}, \"finishReason\": \"STOP\"}]}",
    NULL
  };
  g_autoptr(GemResponse) response = merge_all (events);
  g_autoptr(GemResponse) again = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autofree char *json = NULL;
  JsonArray *parts = gem_response_get_parts (response);
  JsonObject *part;

  g_assert_cmpuint (json_array_get_length (parts), ==, 6);

  part = part_at (response, 0);
  g_assert_cmpstr (part_string (part, "text"), ==, "Let me think.");
  g_assert_true (json_object_get_boolean_member (part, "thought"));
  g_assert_false (json_object_has_member (part, "thoughtSignature"));

  part = part_at (response, 1);
  g_assert_cmpstr (part_string (part, "text"), ==, "");
  g_assert_cmpstr (part_string (part, "thoughtSignature"), ==, "SIG1");

  part = part_at (response, 2);
  g_assert_cmpstr (part_string (part, "text"), ==, "Hello");
  g_assert_false (json_object_has_member (part, "thoughtSignature"));

  /* the signed delta keeps its own text and signature; later text is not glued onto it */
  part = part_at (response, 3);
  g_assert_cmpstr (part_string (part, "text"), ==, " world");
  g_assert_cmpstr (part_string (part, "thoughtSignature"), ==, "SIG2");

  part = part_at (response, 4);
  g_assert_cmpstr (part_string (part, "text"), ==, "! Bye.");
  g_assert_false (json_object_has_member (part, "thoughtSignature"));

  part = part_at (response, 5);
  g_assert_cmpstr (part_string (part, "thoughtSignature"), ==, "SIG3");
  g_assert_true (json_object_has_member (part, "functionCall"));

  g_assert_cmpstr (gem_response_get_text (response), ==, "Hello world! Bye.");
  g_assert_cmpstr (gem_response_get_thought_text (response), ==, "Let me think.");
  g_assert_cmpuint (gem_response_get_thought_signature_count (response), ==, 3);

  calls = gem_response_get_function_calls (response);
  g_assert_cmpuint (calls->len, ==, 1);
  g_assert_cmpstr (((GemFunctionCall *) g_ptr_array_index (calls, 0))->name, ==, "now");
  g_assert_cmpstr (((GemFunctionCall *) g_ptr_array_index (calls, 0))->args_json, ==, "{}");
  g_assert_cmpuint (((GemFunctionCall *) g_ptr_array_index (calls, 0))->part_index, ==, 5);

  /* The turn sent back later (its JSON) still has every signature on its part. */
  json = gem_response_to_string (response, FALSE);
  again = gem_response_new_from_json (json, -1, NULL);
  g_assert_nonnull (again);
  g_assert_cmpuint (json_array_get_length (gem_response_get_parts (again)), ==, 6);
  g_assert_cmpstr (part_string (part_at (again, 3), "thoughtSignature"), ==, "SIG2");
  g_assert_cmpstr (part_string (part_at (again, 3), "text"), ==, " world");
}

static void
test_merge_does_not_touch_chunks (void)
{
  g_autoptr(JsonNode) first = json_from_string ("{\"candidates\": [{\"content\": {\"parts\": "
                                                "[{\"text\": \"a\"}]},"
                                                " \"citationMetadata\": {\"citationSources\": "
                                                "[{\"uri\": \"u1\"}]}}]}", NULL);
  g_autoptr(JsonNode) second = json_from_string ("{\"candidates\": [{\"content\": {\"parts\": "
                                                 "[{\"text\": \"b\"}]},"
                                                 " \"citationMetadata\": {\"citationSources\": "
                                                 "[{\"uri\": \"u2\"}]}}]}", NULL);
  g_autoptr(GemResponse) response = gem_response_new ();
  g_autofree char *first_after = NULL;
  g_autoptr(GPtrArray) citations = NULL;

  g_assert_true (gem_response_merge_chunk (response, json_node_get_object (first), NULL));
  g_assert_true (gem_response_merge_chunk (response, json_node_get_object (second), NULL));
  gem_response_get_json (response);

  first_after = json_to_string (first, FALSE);
  g_assert_cmpstr (first_after, ==,
                   "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a\"}]},"
                   "\"citationMetadata\":{\"citationSources\":[{\"uri\":\"u1\"}]}}]}");

  citations = gem_response_get_citations (response);
  g_assert_cmpuint (citations->len, ==, 2);
  g_assert_cmpstr (((GemCitation *) g_ptr_array_index (citations, 1))->uri, ==, "u2");
  g_assert_cmpuint (((GemCitation *) g_ptr_array_index (citations, 1))->start_index, ==, 0);
  g_assert_cmpstr (gem_response_get_text (response), ==, "ab");
}

static void
test_merge_empty_content (void)
{
  static const char * const events[] = {
    "{\"candidates\": [{\"content\": {}, \"index\": 0}]}",
    "{\"candidates\": [{\"content\": {\"parts\": []}, \"index\": 0}]}",
    "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"a\"}], \"role\": \"model\"}, "
    "\"index\": 0}]}",
    "{\"candidates\": [{\"content\": {\"role\": \"model\"}, \"finishReason\": \"STOP\", "
    "\"index\": 0}]}",
    NULL
  };
  g_autoptr(GemResponse) response = merge_all (events);
  g_autoptr(GemResponse) empty = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (gem_response_get_text (response), ==, "a");
  g_assert_cmpuint (json_array_get_length (gem_response_get_parts (response)), ==, 1);
  g_assert_cmpuint (gem_response_get_n_candidates (response), ==, 1);
  g_assert_true (gem_response_check_finish (response, NULL));

  /* `content: {}` alone: nothing to show, and the user is told */
  empty = gem_response_new_from_json ("{\"candidates\": [{\"content\": {}, \"finishReason\": "
                                      "\"STOP\"}]}", -1, &error);
  g_assert_no_error (error);
  g_assert_null (gem_response_get_parts (empty));
  g_assert_cmpstr (gem_response_get_text (empty), ==, "");
  g_assert_false (gem_response_check_finish (empty, &error));
  g_assert_error (error, GEM_ERROR, GEM_ERROR_EMPTY_RESPONSE);
  g_assert_cmpstr (error->message, ==, gem_error_code_to_user_message (GEM_ERROR_EMPTY_RESPONSE));
}

static void
test_merge_max_tokens_only_thoughts (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GemResponse) response =
    gem_response_new_from_json ("{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"hmm\", "
                                "\"thought\": true}]},"
                                " \"finishReason\": \"MAX_TOKENS\"}]}", -1, &error);

  g_assert_no_error (error);
  g_assert_cmpint (gem_response_get_finish_kind (response), ==, GEM_FINISH_MAX_TOKENS);
  g_assert_false (gem_response_check_finish (response, &error));
  g_assert_error (error, GEM_ERROR, GEM_ERROR_EMPTY_RESPONSE);
  g_assert_nonnull (strstr (error->message, "maximum length"));
  g_clear_error (&error);

  /* with text, MAX_TOKENS is a usable (if short) answer */
  g_clear_object (&response);
  response = gem_response_new_from_json ("{\"candidates\": [{\"content\": {\"parts\": [{\"text\": "
                                         "\"Once upon\"}]},"
                                         " \"finishReason\": \"MAX_TOKENS\"}]}", -1, &error);
  g_assert_no_error (error);
  g_assert_true (gem_response_check_finish (response, &error));
  g_assert_no_error (error);
}

static void
test_merge_grounding (void)
{
  static const char * const events[] = {
    "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"One.\"}]}, \"groundingMetadata\": "
    "{\"webSearchQueries\": [\"q1\"]}}]}",
    "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \" Two.\"}]}, \"groundingMetadata\": {"
    "\"groundingChunks\": [{\"web\": {\"uri\": \"https://a.example/\", \"title\": \"a.example\"}}],"
    "\"groundingSupports\": [{\"segment\": {\"endIndex\": 4, \"text\": \"One.\"}, "
    "\"groundingChunkIndices\": [0],"
    " \"confidenceScores\": [0.5]}]}}]}",
    "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \" Three.\"}]}, "
    "\"groundingMetadata\": {"
    "\"groundingChunks\": [{\"web\": {\"uri\": \"https://b.example/\", \"title\": \"b.example\"}}],"
    "\"groundingSupports\": [{\"segment\": {\"startIndex\": 5, \"endIndex\": 9, \"text\": "
    "\"Two.\"},"
    " \"groundingChunkIndices\": [1, 0], \"confidenceScores\": [0.9, 0.25]}],"
    "\"webSearchQueries\": [\"q1\", \"q2\"], \"searchEntryPoint\": {\"renderedContent\": "
    "\"<b>old</b>\"}}}]}",
    /* a server that resends everything so far adds nothing twice */
    "{\"candidates\": [{\"finishReason\": \"STOP\", \"groundingMetadata\": {"
    "\"groundingChunks\": [{\"web\": {\"uri\": \"https://a.example/\", \"title\": \"a.example\"}},"
    " {\"web\": {\"uri\": \"https://b.example/\", \"title\": \"b.example\"}}],"
    "\"searchEntryPoint\": {\"renderedContent\": \"<b>new</b>\"}}}]}",
    NULL
  };
  g_autoptr(GemResponse) response = merge_all (events);
  g_autoptr(GPtrArray) chunks = gem_response_get_grounding_chunks (response);
  g_autoptr(GPtrArray) supports = gem_response_get_grounding_supports (response);
  g_auto(GStrv) queries = gem_response_get_web_search_queries (response);
  GemGroundingChunk *chunk;
  GemGroundingSupport *support;

  g_assert_cmpstr (gem_response_get_text (response), ==, "One. Two. Three.");

  g_assert_cmpuint (chunks->len, ==, 2);
  chunk = g_ptr_array_index (chunks, 0);
  g_assert_cmpint (chunk->kind, ==, GEM_GROUNDING_SOURCE_WEB);
  g_assert_cmpstr (chunk->uri, ==, "https://a.example/");
  g_assert_cmpstr (chunk->title, ==, "a.example");
  chunk = g_ptr_array_index (chunks, 1);
  g_assert_cmpstr (chunk->uri, ==, "https://b.example/");

  g_assert_cmpuint (supports->len, ==, 2);
  support = g_ptr_array_index (supports, 0);
  g_assert_cmpuint (support->start_index, ==, 0);
  g_assert_cmpuint (support->end_index, ==, 4);
  g_assert_cmpstr (support->text, ==, "One.");
  g_assert_cmpuint (support->n_chunk_indices, ==, 1);
  g_assert_cmpuint (support->chunk_indices[0], ==, 0);
  g_assert_cmpfloat_with_epsilon (support->confidence_scores[0], 0.5, 1e-9);
  support = g_ptr_array_index (supports, 1);
  g_assert_cmpuint (support->start_index, ==, 5);
  g_assert_cmpuint (support->n_chunk_indices, ==, 2);
  g_assert_cmpuint (support->chunk_indices[0], ==, 1);
  g_assert_cmpuint (support->chunk_indices[1], ==, 0);
  g_assert_cmpuint (support->n_confidence_scores, ==, 2);
  g_assert_cmpfloat_with_epsilon (support->confidence_scores[1], 0.25, 1e-9);

  g_assert_cmpuint (g_strv_length (queries), ==, 2);
  g_assert_cmpstr (queries[0], ==, "q1");
  g_assert_cmpstr (queries[1], ==, "q2");
  g_assert_cmpstr (gem_response_get_search_entry_point (response), ==, "<b>new</b>");
}

static void
test_grounding_utf8_offsets (void)
{
  /* "°" and "€" are multi-byte: offsets are bytes into the UTF-8 text, kept as sent. */
  static const char text[] = "Oggi fa 21 °C. Il caffè costa 1,20 €.";
  const char *segment = "Il caffè costa 1,20 €.";
  guint start = (guint) (strstr (text, segment) - text);
  guint end = start + (guint) strlen (segment);
  g_autofree char *json = NULL;
  g_autoptr(GemResponse) response = NULL;
  g_autoptr(GPtrArray) supports = NULL;
  g_autoptr(GError) error = NULL;
  GemGroundingSupport *support;
  const char *merged;

  g_assert_cmpuint (start, ==, 16);
  g_assert_cmpuint (g_utf8_pointer_to_offset (text, text + start), ==, 15);

  json = g_strdup_printf ("{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"%s\"}]},"
                          " \"finishReason\": \"STOP\", \"groundingMetadata\": "
                          "{\"groundingChunks\":"
                          " [{\"web\": {\"uri\": \"https://x.example/\", \"title\": "
                          "\"x.example\"}}],"
                          " \"groundingSupports\": [{\"segment\": {\"startIndex\": %u, "
                          "\"endIndex\": %u,"
                          " \"text\": \"%s\"}, \"groundingChunkIndices\": [0]}]}}]}",
                          text, start, end, segment);
  response = gem_response_new_from_json (json, -1, &error);
  g_assert_no_error (error);

  supports = gem_response_get_grounding_supports (response);
  g_assert_cmpuint (supports->len, ==, 1);
  support = g_ptr_array_index (supports, 0);
  g_assert_cmpuint (support->start_index, ==, start);
  g_assert_cmpuint (support->end_index, ==, end);

  merged = gem_response_get_text (response);
  g_assert_cmpstr (merged, ==, text);
  g_assert_cmpint (strncmp (merged + support->start_index, support->text,
                            support->end_index - support->start_index), ==, 0);
}

static void
test_grounding_corpus_stream (void)
{
  const CorpusExpectation *row =
    corpus_expectation_lookup ("recorded/generative-ai-js/streaming-success-search-grounding.txt");
  g_autoptr(GemResponse) response = NULL;
  g_autoptr(GPtrArray) supports = NULL;
  g_autoptr(GPtrArray) chunks = NULL;
  GemGroundingSupport *support;
  const char *text;

  g_assert_nonnull (row);
  g_assert_true (corpus_expectation_load (row, &response, NULL));
  text = gem_response_get_text (response);
  supports = gem_response_get_grounding_supports (response);
  chunks = gem_response_get_grounding_chunks (response);

  /* the first support has no startIndex: it means 0 */
  support = g_ptr_array_index (supports, 0);
  g_assert_cmpuint (support->start_index, ==, 0);
  g_assert_cmpuint (support->end_index, ==, 41);
  g_assert_cmpint (strncmp (text + support->start_index, support->text, 41), ==, 0);
  g_assert_cmpfloat_with_epsilon (support->confidence_scores[0], 0.68925554, 1e-7);

  /* every segment's text is at its byte offsets in the merged text */
  for (guint i = 0; i < supports->len; i++)
    {
      support = g_ptr_array_index (supports, i);
      g_assert_cmpuint (support->end_index, <=, strlen (text));
      g_assert_cmpuint (support->end_index - support->start_index, ==, strlen (support->text));
      g_assert_cmpint (strncmp (text + support->start_index, support->text,
                                strlen (support->text)), ==, 0);
      for (guint j = 0; j < support->n_chunk_indices; j++)
        g_assert_cmpuint (support->chunk_indices[j], <, chunks->len);
    }

  g_assert_cmpstr (gem_response_get_search_entry_point (response), ==, "test_rendered_content");
  g_assert_cmpstr (((GemGroundingChunk *) g_ptr_array_index (chunks, 1))->title, ==,
                   "test_title_2");
}

static void
test_grounding_maps_and_empty_chunks (void)
{
  const CorpusExpectation *maps_row =
    corpus_expectation_lookup ("recorded/googleai/unary-success-google-maps-grounding.json");
  const CorpusExpectation *empty_row =
    corpus_expectation_lookup ("recorded/googleai/"
                               "unary-success-google-search-grounding-empty-grounding-chunks.json");
  g_autoptr(GemResponse) maps = NULL;
  g_autoptr(GemResponse) empty = NULL;
  g_autoptr(GPtrArray) maps_chunks = NULL;
  g_autoptr(GPtrArray) empty_chunks = NULL;
  GemGroundingChunk *chunk;

  g_assert_true (corpus_expectation_load (maps_row, &maps, NULL));
  maps_chunks = gem_response_get_grounding_chunks (maps);
  chunk = g_ptr_array_index (maps_chunks, 0);
  g_assert_cmpint (chunk->kind, ==, GEM_GROUNDING_SOURCE_MAPS);
  g_assert_cmpstr (chunk->title, ==, "Joe’s Pizza");
  g_assert_cmpstr (chunk->place_id, ==, "places/ChIJqdNaaBVbwokRLTafYrQlZI8");

  /* `{}` chunks still count, so that support indices keep pointing at the right entry */
  g_assert_true (corpus_expectation_load (empty_row, &empty, NULL));
  empty_chunks = gem_response_get_grounding_chunks (empty);
  g_assert_cmpuint (empty_chunks->len, ==, 2);
  chunk = g_ptr_array_index (empty_chunks, 1);
  g_assert_cmpint (chunk->kind, ==, GEM_GROUNDING_SOURCE_UNKNOWN);
  g_assert_null (chunk->uri);
  g_assert_true (g_str_has_prefix (gem_response_get_search_entry_point (empty), "<style>"));
}

/* ---- enums, finish and block reasons ---- */

static void
test_unknown_enums (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GemResponse) response =
    gem_response_new_from_json ("{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hi\", "
                                "\"newField\": 1}]},"
                                " \"finishReason\": \"BRAND_NEW_REASON\", \"safetyRatings\": "
                                "[{\"category\": \"HARM_X\","
                                " \"probability\": \"SOMEWHAT\"}], \"futureThing\": {\"a\": 1}}],"
                                " \"futureTopLevel\": [1, 2]}", -1, &error);
  JsonObject *json;

  g_assert_no_error (error);
  g_assert_cmpstr (gem_response_get_text (response), ==, "Hi");
  g_assert_cmpstr (gem_response_get_finish_reason (response), ==, "BRAND_NEW_REASON");
  g_assert_cmpint (gem_response_get_finish_kind (response), ==, GEM_FINISH_UNKNOWN);
  g_assert_cmpint (gem_finish_reason_classify ("BRAND_NEW_REASON"), ==, GEM_FINISH_UNKNOWN);

  /* unknown fields are kept, for the JSON output and for sending the turn back */
  json = gem_response_get_json (response);
  g_assert_true (json_object_has_member (json, "futureTopLevel"));
  g_assert_true (json_object_has_member (
    json_array_get_object_element (json_object_get_array_member (json, "candidates"), 0),
    "futureThing"));
  g_assert_true (json_object_has_member (part_at (response, 0), "newField"));

  g_assert_false (gem_response_check_finish (response, &error));
  g_assert_error (error, GEM_ERROR, GEM_ERROR_STOPPED_OTHER);
  g_assert_nonnull (strstr (error->message, "BRAND_NEW_REASON"));
  g_assert_cmpstr (gem_error_get_reason (error), ==, "BRAND_NEW_REASON");
  g_clear_error (&error);

  /* an unknown block reason still blocks, with a generic sentence */
  g_clear_object (&response);
  response = gem_response_new_from_json ("{\"promptFeedback\": {\"blockReason\": \"NEW_BLOCK\"}}",
                                         -1, &error);
  g_assert_no_error (error);
  g_assert_false (gem_response_check_finish (response, &error));
  g_assert_error (error, GEM_ERROR, GEM_ERROR_BLOCKED_PROMPT);
  g_assert_cmpstr (error->message, ==, gem_block_reason_to_user_message (NULL));
  g_assert_cmpstr (gem_error_get_reason (error), ==, "NEW_BLOCK");
}

static void
test_finish_reason_messages (void)
{
  static const struct { const char *reason; GemFinishKind kind; int code; } reasons[] = {
    { "STOP", GEM_FINISH_STOP, CORPUS_NO_ERROR },
    { "MAX_TOKENS", GEM_FINISH_MAX_TOKENS, CORPUS_NO_ERROR },
    { "SAFETY", GEM_FINISH_SAFETY, GEM_ERROR_STOPPED_SAFETY },
    { "RECITATION", GEM_FINISH_RECITATION, GEM_ERROR_STOPPED_RECITATION },
    { "LANGUAGE", GEM_FINISH_OTHER, GEM_ERROR_STOPPED_OTHER },
    { "OTHER", GEM_FINISH_OTHER, GEM_ERROR_STOPPED_OTHER },
    { "BLOCKLIST", GEM_FINISH_SAFETY, GEM_ERROR_STOPPED_SAFETY },
    { "PROHIBITED_CONTENT", GEM_FINISH_SAFETY, GEM_ERROR_STOPPED_SAFETY },
    { "SPII", GEM_FINISH_SAFETY, GEM_ERROR_STOPPED_SAFETY },
    { "MALFORMED_FUNCTION_CALL", GEM_FINISH_OTHER, GEM_ERROR_STOPPED_OTHER },
    { "IMAGE_SAFETY", GEM_FINISH_SAFETY, GEM_ERROR_STOPPED_SAFETY },
    { "IMAGE_PROHIBITED_CONTENT", GEM_FINISH_SAFETY, GEM_ERROR_STOPPED_SAFETY },
    { "IMAGE_OTHER", GEM_FINISH_OTHER, GEM_ERROR_STOPPED_OTHER },
    { "NO_IMAGE", GEM_FINISH_OTHER, GEM_ERROR_STOPPED_OTHER },
    { "IMAGE_RECITATION", GEM_FINISH_RECITATION, GEM_ERROR_STOPPED_RECITATION },
    { "UNEXPECTED_TOOL_CALL", GEM_FINISH_OTHER, GEM_ERROR_STOPPED_OTHER },
    { "TOO_MANY_TOOL_CALLS", GEM_FINISH_OTHER, GEM_ERROR_STOPPED_OTHER },
  };
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const char *generic = gem_finish_reason_to_user_message ("NOT_A_REASON_YET");

  g_assert_nonnull (generic);
  g_assert_cmpint (gem_finish_reason_classify (NULL), ==, GEM_FINISH_NONE);

  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    {
      const char *message = gem_finish_reason_to_user_message (reasons[i].reason);
      g_autofree char *json = g_strdup_printf ("{\"candidates\": [{\"content\": {\"parts\": "
                                               "[{\"text\": \"x\"}]},"
                                               " \"finishReason\": \"%s\", \"finishMessage\": "
                                               "\"details\"}]}",
                                               reasons[i].reason);
      g_autoptr(GemResponse) response = gem_response_new_from_json (json, -1, NULL);
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (gem_finish_reason_classify (reasons[i].reason), ==, reasons[i].kind);
      /* one distinct sentence per reason, ending with a full stop */
      g_assert_cmpstr (message, !=, generic);
      g_assert_true (g_str_has_suffix (message, "."));
      g_assert_false (g_hash_table_contains (seen, message));
      g_hash_table_add (seen, (gpointer) message);

      if (reasons[i].code == CORPUS_NO_ERROR)
        {
          g_assert_true (gem_response_check_finish (response, &error));
          g_assert_no_error (error);
        }
      else
        {
          g_assert_false (gem_response_check_finish (response, &error));
          g_assert_error (error, GEM_ERROR, reasons[i].code);
          g_assert_cmpstr (error->message, ==, message);
          g_assert_cmpstr (gem_error_get_reason (error), ==, reasons[i].reason);
          g_assert_cmpstr (gem_error_get_api_message (error), ==, "details");
        }
    }
}

static void
test_is_complete (void)
{
  g_autoptr(GemResponse) response = gem_response_new ();
  g_autoptr(GError) error = NULL;

  gem_response_merge_event (response, "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": "
                                      "\"Half an\"}]}}]}",
                            strlen ("{\"candidates\": [{\"content\": {\"parts\": [{\"text\": "
                                    "\"Half an\"}]}}]}"), NULL);
  g_assert_false (gem_response_is_complete (response, &error));
  g_assert_error (error, GEM_ERROR, GEM_ERROR_INTERRUPTED);
  g_assert_cmpstr (error->message, ==, gem_error_code_to_user_message (GEM_ERROR_INTERRUPTED));
  /* what arrived is kept */
  g_assert_cmpstr (gem_response_get_text (response), ==, "Half an");
}

/* ---- errors inside responses ---- */

static void
test_error_mid_stream (void)
{
  static const char first[] = "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": "
                              "\"Partial\"}]}}]}";
  static const char failure[] = "{\n  \"error\": {\n    \"code\": 499,\n    \"message\": \"The "
                                "operation was cancelled.\",\n"
                                "    \"status\": \"CANCELLED\"\n  }\n}";
  g_autoptr(GemResponse) response = gem_response_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (gem_response_merge_event (response, first, strlen (first), &error));
  g_assert_false (gem_response_merge_event (response, failure, strlen (failure), &error));
  g_assert_error (error, GEM_ERROR, GEM_ERROR_CANCELLED);
  g_assert_cmpuint (gem_error_get_http_status (error), ==, 499);
  g_assert_cmpstr (gem_error_get_api_status (error), ==, "CANCELLED");
  g_assert_cmpstr (gem_error_get_api_message (error), ==, "The operation was cancelled.");
  g_assert_cmpstr (error->message, ==, gem_error_code_to_user_message (GEM_ERROR_CANCELLED));
  g_assert_cmpstr (gem_response_get_text (response), ==, "Partial");
}

static void
test_malformed (void)
{
  static const char * const bodies[] = { "{\"candidates\": [", "not json", "42", "[1, 2]", "" };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GemResponse) response = gem_response_new_from_json (bodies[i], -1, &error);

      g_assert_null (response);
      g_assert_error (error, GEM_ERROR, GEM_ERROR_MALFORMED_RESPONSE);
      g_assert_cmpstr (error->message, ==,
                       gem_error_code_to_user_message (GEM_ERROR_MALFORMED_RESPONSE));
    }
}

static void
test_array_body (void)
{
  /* streamGenerateContent without alt=sse: one JSON array of chunks */
  static const char body[] =
    "[{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"A\"}], \"role\": \"model\"}}]},\r\n"
    "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"B\"}], \"role\": \"model\"}, "
    "\"finishReason\": \"STOP\"}],"
    " \"usageMetadata\": {\"promptTokenCount\": 1, \"candidatesTokenCount\": 2, "
    "\"totalTokenCount\": 3}}]";
  g_autoptr(GError) error = NULL;
  g_autoptr(GemResponse) response = gem_response_new_from_json (body, -1, &error);
  GemUsage usage;

  g_assert_no_error (error);
  g_assert_cmpstr (gem_response_get_text (response), ==, "AB");
  g_assert_cmpuint (gem_response_get_n_chunks (response), ==, 2);
  g_assert_true (gem_response_get_usage (response, &usage));
  g_assert_cmpint (usage.total, ==, 3);
}

/* ---- typed accessors on the corpus ---- */

static void
test_image_decoded (void)
{
  const CorpusExpectation *row =
    corpus_expectation_lookup ("recorded/googleai/streaming-success-empty-parts.txt");
  g_autoptr(GemResponse) response = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) images_again = NULL;
  GemImage *image;
  const guchar *bytes;

  g_assert_true (corpus_expectation_load (row, &response, NULL));
  images = gem_response_get_images (response);
  g_assert_cmpuint (images->len, ==, 1);
  image = g_ptr_array_index (images, 0);
  g_assert_cmpstr (image->mime_type, ==, "image/png");
  g_assert_false (image->thought);
  g_assert_cmpuint (image->part_index, ==, 1);
  bytes = g_bytes_get_data (image->data, NULL);
  g_assert_cmpmem (bytes, 8, "\x89PNG\r\n\x1a\n", 8);

  /* decoded once: a second call shares the bytes */
  images_again = gem_response_get_images (response);
  g_assert_true (((GemImage *) g_ptr_array_index (images_again, 0))->data == image->data);
}

static void
test_function_call_args (void)
{
  const CorpusExpectation *row =
    corpus_expectation_lookup ("recorded/generative-ai-js/"
                               "streaming-success-function-call-short.txt");
  g_autoptr(GemResponse) response = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  GemFunctionCall *call;

  g_assert_true (corpus_expectation_load (row, &response, NULL));
  calls = gem_response_get_function_calls (response);
  g_assert_cmpuint (calls->len, ==, 1);
  call = g_ptr_array_index (calls, 0);
  g_assert_cmpstr (call->name, ==, "getTemperature");
  g_assert_cmpstr (call->args_json, ==, "{\"city\":\"San Jose\"}");
  g_assert_null (call->id);
  g_assert_cmpstr (gem_response_get_text (response), ==, "");
}

static void
test_usage (void)
{
  const CorpusExpectation *row =
    corpus_expectation_lookup ("recorded/googleai/streaming-success-code-execution.txt");
  g_autoptr(GemResponse) response = NULL;
  g_autoptr(GemResponse) none = gem_response_new ();
  GemUsage usage;
  JsonArray *parts;

  g_assert_true (corpus_expectation_load (row, &response, NULL));
  g_assert_true (gem_response_get_usage (response, &usage));
  g_assert_cmpint (usage.prompt, ==, 21);
  g_assert_cmpint (usage.candidates, ==, 126);
  g_assert_cmpint (usage.thoughts, ==, 95);
  g_assert_cmpint (usage.cached, ==, 0);
  g_assert_cmpint (usage.total, ==, 485);
  g_assert_cmpint (usage.tool_use, ==, 243);

  /* text, code, result, text: the code parts stay whole between the joined text */
  parts = gem_response_get_parts (response);
  g_assert_cmpuint (json_array_get_length (parts), ==, 4);
  g_assert_true (json_object_has_member (json_array_get_object_element (parts, 1),
                                         "executableCode"));
  g_assert_true (json_object_has_member (json_array_get_object_element (parts, 2),
                                         "codeExecutionResult"));
  g_assert_cmpstr (part_string (json_array_get_object_element (parts, 3), "text"), ==,
                   "The sum of the first 5 prime numbers is 28.");

  g_assert_false (gem_response_get_usage (none, &usage));
  g_assert_cmpint (usage.total, ==, 0);
}

/* ---- HTTP errors ---- */

static void
test_error_html_body (void)
{
  static const char body[] =
    "<html>\r\n<head><title>502 Bad Gateway</title>\r\n<style>body { color: red; "
    "}</style></head>\r\n"
    "<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx &amp; "
    "friends</center>\r\n"
    "<script>alert('x')</script>\r\n</body>\r\n</html>\r\n";
  g_autoptr(GError) error = gem_error_new_from_http (502, NULL, body, strlen (body));

  g_assert_error (error, GEM_ERROR, GEM_ERROR_SERVER_ERROR);
  g_assert_cmpuint (gem_error_get_http_status (error), ==, 502);
  g_assert_cmpstr (gem_error_get_body_excerpt (error), ==, "502 Bad Gateway 502 Bad Gateway nginx "
                                                           "& friends");
  g_assert_null (gem_error_get_api_status (error));
  g_assert_true (g_str_has_prefix (error->message,
                                   gem_error_code_to_user_message (GEM_ERROR_SERVER_ERROR)));
  g_assert_nonnull (strstr (error->message, "HTTP 502"));
  g_assert_nonnull (strstr (error->message, "502 Bad Gateway nginx & friends"));
  g_assert_null (strchr (error->message, '<'));
}

static void
test_error_long_text_body (void)
{
  g_autoptr(GString) body = g_string_new ("<!DOCTYPE html><p>");
  g_autoptr(GError) error = NULL;
  const char *excerpt;

  for (guint i = 0; i < 100; i++)
    g_string_append (body, "Servizio non disponibile — riprova più tardi.\n");
  g_string_append (body, "</p>");

  error = gem_error_new_from_http (503, NULL, body->str, body->len);
  g_assert_error (error, GEM_ERROR, GEM_ERROR_OVERLOADED);
  excerpt = gem_error_get_body_excerpt (error);
  g_assert_true (g_utf8_validate (excerpt, -1, NULL));
  g_assert_cmpint (g_utf8_strlen (excerpt, -1), <=, 200);
  g_assert_cmpint (g_utf8_strlen (excerpt, -1), >=, 190);
  g_assert_true (g_str_has_prefix (excerpt, "Servizio non disponibile — riprova più tardi. "
                                            "Servizio"));
  g_assert_true (g_str_has_suffix (excerpt, "…"));
  g_assert_null (strchr (excerpt, '\n'));
  g_clear_error (&error);

  /* plain text and an empty body */
  error = gem_error_new_from_http (429, NULL, "Too Many Requests\n", 18);
  g_assert_error (error, GEM_ERROR, GEM_ERROR_RATE_LIMITED);
  g_assert_cmpstr (gem_error_get_body_excerpt (error), ==, "Too Many Requests");
  g_clear_error (&error);

  error = gem_error_new_from_http (504, NULL, NULL, 0);
  g_assert_error (error, GEM_ERROR, GEM_ERROR_SERVER_ERROR);
  g_assert_cmpstr (gem_error_get_body_excerpt (error), ==, "");
  g_assert_nonnull (strstr (error->message, "HTTP 504"));
}

static void
test_error_status_mapping (void)
{
  static const struct { guint status; const char *body; int code; } cases[] = {
    { 400, "{\"error\": {\"code\": 400, \"message\": \"API key not valid. Please pass a valid API "
           "key.\", \"status\": \"INVALID_ARGUMENT\"}}", GEM_ERROR_INVALID_KEY },
    { 400, "{\"error\": {\"code\": 400, \"message\": \"Invalid JSON payload received.\", "
           "\"status\": \"INVALID_ARGUMENT\"}}", GEM_ERROR_BAD_REQUEST },
    { 400, "{\"error\": {\"code\": 400, \"message\": \"User location is not supported for the API "
           "use.\", \"status\": \"FAILED_PRECONDITION\"}}", GEM_ERROR_UNSUPPORTED_LOCATION },
    { 401, "{\"error\": {\"code\": 401, \"message\": \"Request had invalid authentication "
           "credentials.\", \"status\": \"UNAUTHENTICATED\"}}", GEM_ERROR_INVALID_KEY },
    { 403, "{\"error\": {\"code\": 403, \"message\": \"Method doesn't allow unregistered callers "
           "(callers without established identity).\", \"status\": \"PERMISSION_DENIED\"}}",
      GEM_ERROR_NO_KEY },
    { 403, "{\"error\": {\"code\": 403, \"message\": \"The caller does not have permission\", "
           "\"status\": \"PERMISSION_DENIED\"}}", GEM_ERROR_PERMISSION_DENIED },
    { 404, "{\"error\": {\"code\": 404, \"message\": \"models/x is not found\", \"status\": "
           "\"NOT_FOUND\"}}", GEM_ERROR_MODEL_NOT_FOUND },
    { 408, "", GEM_ERROR_TIMEOUT },
    { 429, "{\"error\": {\"code\": 429, \"message\": \"Resource has been exhausted (e.g. check "
           "quota).\", \"status\": \"RESOURCE_EXHAUSTED\"}}", GEM_ERROR_QUOTA_EXHAUSTED },
    { 429, "{\"error\": {\"code\": 429, \"message\": \"Too many requests, slow down.\", "
           "\"status\": \"RESOURCE_EXHAUSTED\"}}", GEM_ERROR_RATE_LIMITED },
    { 500, "{\"error\": {\"code\": 500, \"message\": \"An internal error has occurred.\", "
           "\"status\": \"INTERNAL\"}}", GEM_ERROR_SERVER_ERROR },
    { 502, "Bad Gateway", GEM_ERROR_SERVER_ERROR },
    { 503, "{\"error\": {\"code\": 503, \"message\": \"The model is overloaded. Please try again "
           "later.\", \"status\": \"UNAVAILABLE\"}}", GEM_ERROR_OVERLOADED },
    { 504, "{\"error\": {\"code\": 504, \"message\": \"Deadline expired.\", \"status\": "
           "\"DEADLINE_EXCEEDED\"}}", GEM_ERROR_SERVER_ERROR },
    { 418, "I'm a teapot", GEM_ERROR_BAD_REQUEST },
    { 302, "", GEM_ERROR_HTTP },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = gem_error_new_from_http (cases[i].status, NULL, cases[i].body,
                                                         strlen (cases[i].body));

      if (!g_error_matches (error, GEM_ERROR, cases[i].code))
        g_error ("HTTP %u %s: expected %s, got %s (%s)", cases[i].status, cases[i].body,
                 gem_error_code_to_string (cases[i].code), gem_error_code_to_string (error->code),
                 error->message);
      g_assert_cmpuint (gem_error_get_http_status (error), ==, cases[i].status);
      g_assert_cmpstr (error->message, !=, "");
    }

  for (guint status = 100; status < 600; status++)
    g_assert_true (gem_error_is_retryable_status (status) ==
                   (status == 408 || status == 429 || status == 500 || status == 502 ||
                    status == 503 || status == 504));

  /* every code has its own sentence */
  for (int code = 0; code < GEM_ERROR_N_CODES; code++)
    for (int other = code + 1; other < GEM_ERROR_N_CODES; other++)
      g_assert_cmpstr (gem_error_code_to_user_message (code), !=,
                       gem_error_code_to_user_message (other));
}

static void
test_error_retry_after (void)
{
  static const char quota_body[] =
    "{\"error\": {\"code\": 429, \"message\": \"You exceeded your current quota, please check "
    "your plan and billing details.\","
    " \"status\": \"RESOURCE_EXHAUSTED\", \"details\": ["
    "{\"@type\": \"type.googleapis.com/google.rpc.QuotaFailure\", \"violations\": "
    "[{\"quotaMetric\":"
    " \"generativelanguage.googleapis.com/generate_content_free_tier_requests\", \"quotaId\":"
    " \"GenerateRequestsPerMinutePerProjectPerModel-FreeTier\", \"quotaValue\": \"10\"}]},"
    "{\"@type\": \"type.googleapis.com/google.rpc.RetryInfo\", \"retryDelay\": \"17s\"}]}}";
  static const char daily_body[] =
    "{\"error\": {\"code\": 429, \"message\": \"You exceeded your current quota.\", \"status\": "
    "\"RESOURCE_EXHAUSTED\","
    " \"details\": [{\"@type\": \"type.googleapis.com/google.rpc.QuotaFailure\", \"violations\": "
    "[{\"quotaId\":"
    " \"GenerateRequestsPerDayPerProjectPerModel-FreeTier\"}]},"
    " {\"@type\": \"type.googleapis.com/google.rpc.RetryInfo\", \"retryDelay\": \"36000s\"}]}}";
  static const char no_delay_body[] = "{\"error\": {\"code\": 429, \"status\": "
                                      "\"RESOURCE_EXHAUSTED\"}}";
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) later = NULL;
  g_autofree char *date = NULL;
  gint64 ms;

  /* RetryInfo: per-minute quota is a rate limit, with the wait in the sentence */
  error = gem_error_new_from_http (429, NULL, quota_body, strlen (quota_body));
  g_assert_error (error, GEM_ERROR, GEM_ERROR_RATE_LIMITED);
  g_assert_cmpint (gem_error_get_retry_after_ms (error), ==, 17000);
  g_assert_cmpstr (error->message, ==, "Too many requests at once. Try again in 17 seconds.");
  g_assert_cmpstr (gem_error_get_api_message (error), ==,
                   "You exceeded your current quota, please check your plan and billing details.");
  g_clear_error (&error);

  /* a daily quota is exhausted; the wait is given in hours */
  error = gem_error_new_from_http (429, NULL, daily_body, strlen (daily_body));
  g_assert_error (error, GEM_ERROR, GEM_ERROR_QUOTA_EXHAUSTED);
  g_assert_cmpint (gem_error_get_retry_after_ms (error), ==, 36000000);
  g_assert_cmpstr (error->message, ==, "The API quota is used up. Try again in 10 hours.");
  g_clear_error (&error);

  /* the Retry-After header, in seconds, wins over RetryInfo */
  error = gem_error_new_from_http (429, "3", quota_body, strlen (quota_body));
  g_assert_cmpint (gem_error_get_retry_after_ms (error), ==, 3000);
  g_assert_cmpstr (error->message, ==, "Too many requests at once. Try again in 3 seconds.");
  g_clear_error (&error);

  /* one second, singular */
  error = gem_error_new_from_http (503, "1", "", 0);
  g_assert_error (error, GEM_ERROR, GEM_ERROR_OVERLOADED);
  g_assert_true (g_str_has_prefix (error->message, "The model is overloaded right now. Try again "
                                                   "in 1 second. "));
  g_clear_error (&error);

  /* an HTTP date */
  now = g_date_time_new_now_utc ();
  later = g_date_time_add_seconds (now, 120);
  date = g_date_time_format (later, "%a, %d %b %Y %H:%M:%S GMT");
  ms = gem_error_parse_retry_after (date);
  g_assert_cmpint (ms, >, 100000);
  g_assert_cmpint (ms, <=, 121000);
  g_assert_cmpint (gem_error_parse_retry_after ("Wed, 21 Oct 2015 07:28:00 GMT"), ==, 0);

  g_assert_cmpint (gem_error_parse_retry_after (NULL), ==, -1);
  g_assert_cmpint (gem_error_parse_retry_after ("soon"), ==, -1);
  g_assert_cmpint (gem_error_parse_duration_ms ("0.5s"), ==, 500);
  g_assert_cmpint (gem_error_parse_duration_ms ("1.25s"), ==, 1250);
  g_assert_cmpint (gem_error_parse_duration_ms ("s"), ==, -1);

  /* no delay known: the sentence says to wait a moment */
  error = gem_error_new_from_http (429, NULL, no_delay_body, strlen (no_delay_body));
  g_assert_error (error, GEM_ERROR, GEM_ERROR_RATE_LIMITED);
  g_assert_cmpint (gem_error_get_retry_after_ms (error), ==, -1);
  g_assert_cmpstr (error->message, ==, gem_error_code_to_user_message (GEM_ERROR_RATE_LIMITED));
}

static void
test_error_private_data (void)
{
  const CorpusExpectation *row =
    corpus_expectation_lookup ("recorded/googleai/unary-failure-api-key.json");
  g_autoptr(GemResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) copy = NULL;
  g_autoptr(GError) other = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");

  g_assert_false (corpus_expectation_load (row, &response, &error));
  g_assert_error (error, GEM_ERROR, GEM_ERROR_INVALID_KEY);
  g_assert_cmpstr (error->message, ==, "The API key was rejected. Check it in Preferences.");

  /* the extended data survives a copy */
  copy = g_error_copy (error);
  g_assert_cmpuint (gem_error_get_http_status (copy), ==, 400);
  g_assert_cmpstr (gem_error_get_reason (copy), ==, "API_KEY_INVALID");
  g_assert_cmpstr (gem_error_get_api_status (copy), ==, "INVALID_ARGUMENT");
  g_assert_cmpstr (gem_error_get_api_message (copy), ==, "API key not valid. Please pass a valid "
                                                         "API key.");
  g_assert_cmpint (gem_error_get_retry_after_ms (copy), ==, -1);

  /* the accessors accept errors of other domains */
  g_assert_cmpuint (gem_error_get_http_status (other), ==, 0);
  g_assert_null (gem_error_get_api_message (other));
  g_assert_cmpint (gem_error_get_retry_after_ms (other), ==, -1);
  g_assert_cmpuint (gem_error_get_http_status (NULL), ==, 0);
}

/* json-glib 1.6 decodes a lone surrogate escape into bytes that are not
 * UTF-8, and an octal escape into the byte it names; gem-json rewrites those
 * escapes, each into one as long, and leaves everything else as it is. */
static void
test_json_repair_escapes (void)
{
  struct {
    const char *text;
    const char *repaired;   /* NULL: nothing to repair */
  } cases[] = {
    { "{\"a\": \"plain\"}", NULL },
    { "\"\\ud83d\\ude00 a pair\"", NULL },
    { "\"\\uD83D\\uDE00 a pair in capitals\"", NULL },
    { "\"\\\\ud800 an escaped backslash\"", NULL },
    { "\"\\u00e9 \\n \\\" \\/ \\u \\12 other escapes\"", NULL },
    { "\"\\ud800x\"", "\"\\ufffdx\"" },
    { "\"\\udc00 low alone\"", "\"\\ufffd low alone\"" },
    { "{\"key \\udfff\": 1}", "{\"key \\ufffd\": 1}" },
    { "\"ends \\ud800", "\"ends \\ufffd" },
    /* cut short: json-glib reads "\ud8Z" as U+D800 */
    { "\"\\ud8Zx\"", "\"\\uffZx\"" },
    { "\"cut \\ud8", "\"cut \\uff" },
    /* halves in the wrong order or with no partner (json-glib would refuse
     * them as a "malformed surrogate pair", and leak) */
    { "\"\\uDBFF\\u0041\"", "\"\\ufffd\\u0041\"" },
    { "\"\\ude00\\ud83d\"", "\"\\ufffd\\ufffd\"" },
    { "\"\\ud800\\ud800\\ude00\"", "\"\\ufffd\\ud800\\ude00\"" },
    { "\"\\ud800\\uZ\"", "\"\\ufffd\\uZ\"" },
    /* cut short before a character that is not ASCII: json-glib would end
     * the escape on its first byte (found by the import fuzzer) */
    { "\"\\u8d7\xc3\xa9\"", "\"\\?8d7\xc3\xa9\"" },
    { "\"\\ud8\xc3\xa9\"", "\"\\?d8\xc3\xa9\"" },
    { "\"\\ud83d\\ude0\xc3\xa9\"", "\"\\ufffd\\?de0\xc3\xa9\"" },
    { "\"\\u8d7Z\\u00e\\u0041\"", NULL },
    /* octal: a NUL or a byte over 0x7f becomes "?" */
    { "\"\\377\"", "\"\\077\"" },
    { "\"\\200 \\0 \\00\"", "\"\\077 \\? \\77\"" },
    { "\"\\477 is 0x13f, read as 0x3f\"", NULL },
    { "\"\\ud800\\377\"", "\"\\ufffd\\077\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *repaired = gem_json_repair_escapes (cases[i].text, strlen (cases[i].text));

      g_autoptr(JsonParser) parser = json_parser_new ();

      g_test_message ("%s", cases[i].text);
      g_assert_cmpstr (repaired, ==, cases[i].repaired);

      /* and what json-glib reads of it is UTF-8, without NUL */
      if (json_parser_load_from_data (parser, repaired != NULL ? repaired : cases[i].text, -1, NULL))
        {
          g_autofree char *read = json_to_string (json_parser_get_root (parser), FALSE);

          g_assert_true (g_utf8_validate (read, -1, NULL));
          g_assert_null (strstr (read, "\\u0000"));
        }
    }
}

/* Whatever comes in, the strings and member names of the tree are UTF-8, and
 * what is written back out reads again (as json-glib itself checks). */
static void
test_json_lone_surrogates_read_as_text (void)
{
  const char *body = "{\"candidates\": [{\"content\": {\"role\": \"model\", \"parts\": "
                     "[{\"text\": \"tea \\ud800 time\"}]}, \"finishReason\": \"STOP\"}],"
                     " \"odd \\udc00 member\": {\"\\udbff\": \"\\ude00\"}}";
  g_autoptr(GError) error = NULL;
  g_autoptr(GemResponse) response = gem_response_new_from_json (body, -1, &error);
  g_autoptr(GemResponse) again = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (gem_response_get_text (response), ==, "tea \xef\xbf\xbd time");

  json = gem_response_to_string (response, FALSE);
  g_assert_true (g_utf8_validate (json, -1, NULL));
  g_assert_nonnull (strstr (json, "\"odd \xef\xbf\xbd member\""));
  again = gem_response_new_from_json (json, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gem_response_get_text (again), ==, "tea \xef\xbf\xbd time");

  node = gem_json_from_string ("[\"\\udc00\"]", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_array_get_string_element (json_node_get_array (node), 0), ==, "\xef\xbf\xbd");
  g_assert_null (gem_json_from_string (NULL, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/response/corpus/table-complete", test_corpus_table_complete);
  for (guint i = 0; i < corpus_expectations_count; i++)
    {
      g_autofree char *name = g_strdup_printf ("/response/corpus/%s", corpus_expectations[i].path);

      g_test_add_data_func (name, &corpus_expectations[i], test_corpus_file);
    }

  g_test_add_func ("/response/json/repair-escapes", test_json_repair_escapes);
  g_test_add_func ("/response/json/lone-surrogates-read-as-text", test_json_lone_surrogates_read_as_text);
  g_test_add_func ("/response/merge/text-deltas", test_merge_text_deltas);
  g_test_add_func ("/response/merge/thought-signatures", test_merge_keeps_thought_signatures);
  g_test_add_func ("/response/merge/chunks-untouched", test_merge_does_not_touch_chunks);
  g_test_add_func ("/response/merge/empty-content", test_merge_empty_content);
  g_test_add_func ("/response/merge/max-tokens-only-thoughts", test_merge_max_tokens_only_thoughts);
  g_test_add_func ("/response/merge/grounding", test_merge_grounding);
  g_test_add_func ("/response/grounding/utf8-offsets", test_grounding_utf8_offsets);
  g_test_add_func ("/response/grounding/corpus-stream", test_grounding_corpus_stream);
  g_test_add_func ("/response/grounding/maps-and-empty-chunks",
                   test_grounding_maps_and_empty_chunks);
  g_test_add_func ("/response/finish/unknown-enums", test_unknown_enums);
  g_test_add_func ("/response/finish/messages", test_finish_reason_messages);
  g_test_add_func ("/response/finish/is-complete", test_is_complete);
  g_test_add_func ("/response/errors/mid-stream", test_error_mid_stream);
  g_test_add_func ("/response/errors/malformed", test_malformed);
  g_test_add_func ("/response/array-body", test_array_body);
  g_test_add_func ("/response/accessors/image", test_image_decoded);
  g_test_add_func ("/response/accessors/function-call", test_function_call_args);
  g_test_add_func ("/response/accessors/usage", test_usage);
  g_test_add_func ("/error/html-body", test_error_html_body);
  g_test_add_func ("/error/long-text-body", test_error_long_text_body);
  g_test_add_func ("/error/status-mapping", test_error_status_mapping);
  g_test_add_func ("/error/retry-after", test_error_retry_after);
  g_test_add_func ("/error/private-data", test_error_private_data);

  return g_test_run ();
}

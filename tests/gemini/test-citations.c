/* test-citations.c: grounding segments land on the right words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "corpus-expectations.h"
#include "gem-citations.h"
#include "gem-response.h"

static const char *grounding_files[] = {
  "recorded/generative-ai-js/streaming-success-search-grounding.txt",
  "recorded/generative-ai-js/unary-success-search-grounding.json",
  "recorded/googleai/unary-success-google-search-grounding.json",
  "recorded/googleai/unary-success-google-maps-grounding.json",
  "recorded/googleai/unary-success-google-search-grounding-empty-grounding-chunks.json",
};

static void
test_corpus_segments (gconstpointer data)
{
  const char *path = data;
  const CorpusExpectation *row = corpus_expectation_lookup (path);
  g_autoptr(GemResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) supports = NULL;
  g_autoptr(GPtrArray) marks = NULL;
  g_autofree char *annotated = NULL;
  const char *text;
  guint checked = 0;

  g_assert_nonnull (row);
  corpus_expectation_load (row, &response, &error);
  g_assert_nonnull (response);
  text = gem_response_get_text (response);
  supports = gem_response_get_grounding_supports (response);
  marks = gem_citation_marks_compute (text, supports);

  /* Every segment's own text is exactly what its byte offsets point at. */
  for (guint i = 0; i < supports->len; i++)
    {
      GemGroundingSupport *support = g_ptr_array_index (supports, i);

      if (support->text == NULL || support->n_chunk_indices == 0)
        continue;
      g_assert_cmpuint (support->end_index, <=, strlen (text));
      g_assert_cmpmem (text + support->start_index, support->end_index - support->start_index,
                       support->text, strlen (support->text));
      checked++;
    }
  g_test_message ("%s: %u segments checked, %u marks", path, checked, marks->len);
  if (checked > 0)
    g_assert_cmpuint (marks->len, >, 0);

  /* Each mark ends a segment, and the annotated text has its marker right there. */
  annotated = gem_citations_annotate_markdown (text, marks);
  for (guint i = 0; i < marks->len; i++)
    {
      GemCitationMark *mark = g_ptr_array_index (marks, i);
      g_autofree char *before = g_strndup (text + mark->start, mark->end - mark->start);
      g_autofree char *expected = g_strdup_printf ("%s[\\[%u\\]](cite:%u)", before,
                                                   g_array_index (mark->chunk_indices, guint, 0) + 1,
                                                   g_array_index (mark->chunk_indices, guint, 0));

      g_assert_nonnull (strstr (annotated, expected));
    }
}

static GemGroundingSupport *
support_new (const char *text,
             const char *segment,
             guint       chunk)
{
  GemGroundingSupport *support = g_new0 (GemGroundingSupport, 1);
  const char *at = strstr (text, segment);

  g_assert_nonnull (at);
  support->start_index = (guint) (at - text);
  support->end_index = support->start_index + (guint) strlen (segment);
  support->text = g_strdup (segment);
  support->chunk_indices = g_new (guint, 1);
  support->chunk_indices[0] = chunk;
  support->n_chunk_indices = 1;
  support->confidence_scores = g_new (double, 1);
  support->confidence_scores[0] = 0.9;
  support->n_confidence_scores = 1;

  return support;
}

static char *
annotate (const char          *text,
          GemGroundingSupport *first,
          ...)
{
  g_autoptr(GPtrArray) supports = g_ptr_array_new_with_free_func ((GDestroyNotify) gem_grounding_support_free);
  g_autoptr(GPtrArray) marks = NULL;
  va_list args;

  va_start (args, first);
  for (GemGroundingSupport *s = first; s != NULL; s = va_arg (args, GemGroundingSupport *))
    g_ptr_array_add (supports, s);
  va_end (args);

  marks = gem_citation_marks_compute (text, supports);
  return gem_citations_annotate_markdown (text, marks);
}

static void
test_non_ascii_offsets (void)
{
  const char *text = "Oggi a Milano ci sono 20 °C. Perché il cielo è blu? Größe: 日本語です。";
  g_autofree char *out = annotate (text,
                                   support_new (text, "Oggi a Milano ci sono 20 °C.", 0),
                                   support_new (text, "Perché il cielo è blu?", 1),
                                   support_new (text, "日本語です。", 2),
                                   NULL);

  g_assert_cmpstr (out, ==,
                   "Oggi a Milano ci sono 20 °C.[\\[1\\]](cite:0) Perché il cielo è blu?[\\[2\\]](cite:1) "
                   "Größe: 日本語です。[\\[3\\]](cite:2)");
}

static void
test_character_offsets_recovered (void)
{
  const char *text = "Città già piena. Poi è finita.";
  GemGroundingSupport *support = support_new (text, "Poi è finita.", 0);
  g_autofree char *out = NULL;

  /* A server counting characters, not bytes, is off by the three accents before. */
  support->start_index -= 3;
  support->end_index -= 3;
  out = annotate (text, support, NULL);
  g_assert_cmpstr (out, ==, "Città già piena. Poi è finita.[\\[1\\]](cite:0)");
}

/* A segment whose text is cut inside a character (not UTF-8, found by the
 * fuzzer) and whose offsets are wrong: the marker goes before that
 * character, never inside it. */
static void
test_segment_cut_in_a_character (void)
{
  const char *text = "Il caffè è pronto.";
  GemGroundingSupport *support = support_new (text, "Il caff", 0);
  g_autofree char *out = NULL;

  g_free (support->text);
  support->text = g_strndup (text, strlen ("Il caff") + 1);   /* "Il caff" and half of "è" */
  support->start_index += 2;
  support->end_index += 2;
  out = annotate (text, support, NULL);
  g_assert_true (g_utf8_validate (out, -1, NULL));
  g_assert_cmpstr (out, ==, "Il caff[\\[1\\]](cite:0)è è pronto.");
}

static void
test_merged_sources (void)
{
  const char *text = "Water boils at 100 °C at sea level.";
  g_autofree char *out = annotate (text,
                                   support_new (text, "Water boils at 100 °C at sea level.", 3),
                                   support_new (text, "Water boils at 100 °C at sea level.", 1),
                                   NULL);

  g_assert_cmpstr (out, ==, "Water boils at 100 °C at sea level.[\\[2\\]](cite:1)[\\[4\\]](cite:3)");
}

static void
test_markers_avoid_code (void)
{
  const char *text = "Run this:\n\n```sh\nls -la\n```\n\nThe `ls` command lists files.";
  g_autofree char *fence = annotate (text, support_new (text, "Run this:\n\n```sh\nls", 0), NULL);
  g_autofree char *inline_code = annotate (text, support_new (text, "The `ls", 1), NULL);

  /* Never inside a code block: after its closing fence. */
  g_assert_cmpstr (fence, ==, "Run this:\n\n```sh\nls -la\n```\n\n[\\[1\\]](cite:0)\n\nThe `ls` command lists files.");
  /* Never inside an inline code span: after it. */
  g_assert_cmpstr (inline_code, ==, "Run this:\n\n```sh\nls -la\n```\n\nThe `ls`[\\[2\\]](cite:1) command lists files.");
}

static void
test_markers_avoid_links (void)
{
  const char *text = "See [the docs](https://example.com/docs) for more.";
  g_autofree char *out = annotate (text, support_new (text, "See [the docs](https://example", 0), NULL);

  g_assert_cmpstr (out, ==, "See [the docs](https://example.com/docs)[\\[1\\]](cite:0) for more.");
}

static void
test_table_cell (void)
{
  const char *text = "| City | Temp |\n|---|---|\n| Rome | 21 °C |\n";
  g_autofree char *out = annotate (text, support_new (text, "21 °C", 0), NULL);

  /* Inside the cell, so the table keeps its shape. */
  g_assert_cmpstr (out, ==, "| City | Temp |\n|---|---|\n| Rome | 21 °C[\\[1\\]](cite:0) |\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (grounding_files); i++)
    {
      g_autofree char *name = g_strdup_printf ("/citations/corpus/%s", strrchr (grounding_files[i], '/') + 1);

      g_test_add_data_func (name, grounding_files[i], test_corpus_segments);
    }
  g_test_add_func ("/citations/non-ascii-offsets", test_non_ascii_offsets);
  g_test_add_func ("/citations/character-offsets-recovered", test_character_offsets_recovered);
  g_test_add_func ("/citations/merged-sources", test_merged_sources);
  g_test_add_func ("/citations/segment-cut-in-a-character", test_segment_cut_in_a_character);
  g_test_add_func ("/citations/markers-avoid-code", test_markers_avoid_code);
  g_test_add_func ("/citations/markers-avoid-links", test_markers_avoid_links);
  g_test_add_func ("/citations/table-cell", test_table_cell);

  return g_test_run ();
}

/* fuzz-citations.c: the citation offset mapper and the Markdown annotator
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input (little-endian):
 *   u8   flags: bit 0 set = the text and segments are made valid UTF-8 first,
 *        as text from json-glib always is
 *   u16  length of the answer's text, then its bytes (cut at a NUL)
 *   then supports, until the input ends:
 *     u32 startIndex, u32 endIndex
 *     u8  segment text: 0 none, 1 a slice of the answer (u16 start, u16 length),
 *         2 literal (u8 length, bytes), 3 the exact bytes at [start, end)
 *     u8  number of chunk indices (at most 15), then a u16 each
 *     u8  number of confidence scores (at most 15), then a u8 each (score / 255)
 *
 * Checks: the marks are sorted by offset, distinct, inside the text and on
 * character boundaries; their chunk lists are sorted and unique; annotating
 * only inserts (the text's bytes are all still there, in order), and valid
 * UTF-8 stays valid.
 */

#include "config.h"

#include <string.h>

#include "gem-citations.h"

#include "fuzz-common.h"

static char *
read_text (FuzzReader *r,
           gsize       max,
           gboolean    make_valid)
{
  gsize len;
  const guint8 *bytes = fuzz_read_bytes (r, max, &len);
  g_autofree char *text = g_strndup ((const char *) bytes, len);

  if (make_valid)
    return g_utf8_make_valid (text, -1);

  return g_steal_pointer (&text);
}

static GemGroundingSupport *
read_support (FuzzReader *r,
              const char *text,
              gboolean    make_valid)
{
  GemGroundingSupport *support = g_new0 (GemGroundingSupport, 1);
  gsize len = strlen (text);
  guint8 kind;
  guint n;

  support->start_index = fuzz_read_u32 (r);
  support->end_index = fuzz_read_u32 (r);

  kind = fuzz_read_u8 (r) & 3;
  if (kind == 1)
    {
      gsize start = fuzz_read_u16 (r);
      gsize seg_len = fuzz_read_u16 (r);
      g_autofree char *slice = NULL;

      start = MIN (start, len);
      seg_len = MIN (seg_len, len - start);
      slice = g_strndup (text + start, seg_len);

      support->text = make_valid ? g_utf8_make_valid (slice, -1) : g_steal_pointer (&slice);
    }
  else if (kind == 2)
    {
      support->text = read_text (r, fuzz_read_u8 (r), make_valid);
    }
  else if (kind == 3)
    {
      gsize start = MIN (support->start_index, len);
      gsize end = MIN (MAX (support->end_index, start), len);
      g_autofree char *slice = g_strndup (text + start, end - start);

      support->text = make_valid ? g_utf8_make_valid (slice, -1) : g_steal_pointer (&slice);
    }

  n = fuzz_read_u8 (r) & 15;
  support->chunk_indices = g_new0 (guint, n);
  support->n_chunk_indices = n;
  for (guint i = 0; i < n; i++)
    support->chunk_indices[i] = fuzz_read_u16 (r);

  n = fuzz_read_u8 (r) & 15;
  support->confidence_scores = g_new0 (double, n);
  support->n_confidence_scores = n;
  for (guint i = 0; i < n; i++)
    support->confidence_scores[i] = fuzz_read_u8 (r) / 255.0;

  return support;
}

static void
check_marks (const char *text,
             GPtrArray  *marks,
             gboolean    valid)
{
  gsize len = strlen (text);

  for (guint i = 0; i < marks->len; i++)
    {
      const GemCitationMark *mark = g_ptr_array_index (marks, i);

      FUZZ_CHECK (mark->start <= mark->end);
      FUZZ_CHECK (mark->end <= len);
      /* one mark per distinct end, in order */
      if (i > 0)
        FUZZ_CHECK (((const GemCitationMark *) g_ptr_array_index (marks, i - 1))->end < mark->end);
      /* a marker never splits a character */
      if (valid && mark->end < len)
        FUZZ_CHECK (((guchar) text[mark->end] & 0xC0) != 0x80);

      FUZZ_CHECK (mark->chunk_indices != NULL && mark->chunk_indices->len > 0);
      FUZZ_CHECK (mark->confidence_scores != NULL &&
                  mark->confidence_scores->len == mark->chunk_indices->len);
      for (guint j = 1; j < mark->chunk_indices->len; j++)
        FUZZ_CHECK (g_array_index (mark->chunk_indices, guint, j - 1) <
                    g_array_index (mark->chunk_indices, guint, j));
    }
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
  FuzzReader r = { data, size, 0 };
  g_autoptr(GPtrArray) supports = g_ptr_array_new_with_free_func ((GDestroyNotify) gem_grounding_support_free);
  g_autoptr(GPtrArray) marks = NULL;
  g_autofree char *text = NULL;
  g_autofree char *annotated = NULL;
  gboolean make_valid;
  gboolean valid;

  make_valid = (fuzz_read_u8 (&r) & 1) != 0;
  text = read_text (&r, fuzz_read_u16 (&r), make_valid);
  valid = g_utf8_validate (text, -1, NULL);
  FUZZ_CHECK (valid || !make_valid);

  while (r.pos < r.size && supports->len < 256)
    g_ptr_array_add (supports, read_support (&r, text, make_valid));

  marks = gem_citation_marks_compute (text, supports);
  FUZZ_CHECK (marks != NULL);
  check_marks (text, marks, valid);

  annotated = gem_citations_annotate_markdown (text, marks);
  FUZZ_CHECK (annotated != NULL);
  /* only insertions: every byte of the answer is still there, in order */
  FUZZ_CHECK (fuzz_is_subsequence (text, strlen (text), annotated, strlen (annotated)));
  if (valid)
    FUZZ_CHECK (g_utf8_validate (annotated, -1, NULL));
  /* no sources, nothing to insert */
  if (marks->len == 0)
    FUZZ_CHECK (strcmp (text, annotated) == 0);

  /* the same with no supports at all, and with no text */
  {
    g_autoptr(GPtrArray) none = gem_citation_marks_compute (text, NULL);
    g_autoptr(GPtrArray) empty = gem_citation_marks_compute (NULL, supports);
    g_autofree char *plain = gem_citations_annotate_markdown (text, none);

    FUZZ_CHECK (none->len == 0 && empty->len == 0);
    FUZZ_CHECK (strcmp (plain, text) == 0);
  }

  return 0;
}

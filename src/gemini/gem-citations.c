/* gem-citations.c: where grounding citations go in an answer's text
 *
 * groundingSupports[].segment gives UTF-8 *byte* offsets into the candidate's
 * text (all its non-thought text parts, joined). Markers go right after each
 * segment, but never where they would break Markdown: not inside a code
 * block, an inline code span or a link.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "gem-citations.h"

void
gem_citation_mark_free (GemCitationMark *mark)
{
  if (mark == NULL)
    return;

  g_clear_pointer (&mark->chunk_indices, g_array_unref);
  g_clear_pointer (&mark->confidence_scores, g_array_unref);
  g_free (mark);
}

static gsize
utf8_floor (const char *text,
            gsize       len,
            gsize       offset)
{
  offset = MIN (offset, len);
  while (offset > 0 && offset < len && ((guchar) text[offset] & 0xC0) == 0x80)
    offset--;

  return offset;
}

/* Offsets are trusted when the segment's own text agrees; otherwise the text is
 * looked for nearby, since some servers count characters instead of bytes. */
static gboolean
locate_segment (const char                *text,
                gsize                      len,
                const GemGroundingSupport *support,
                gsize                     *start_out,
                gsize                     *end_out)
{
  gsize start = MIN (support->start_index, len);
  gsize end = MIN (MAX (support->end_index, start), len);
  const char *segment = support->text;
  gsize seg_len = segment != NULL ? strlen (segment) : 0;

  if (seg_len == 0 || (end - start == seg_len && memcmp (text + start, segment, seg_len) == 0))
    {
      *start_out = utf8_floor (text, len, start);
      *end_out = utf8_floor (text, len, end);
      return end > 0;
    }

  {
    const char *found = NULL;
    gsize from = start > 256 ? start - 256 : 0;
    const char *p = text + from;

    /* The nearest occurrence at or after a little before the claimed offset. */
    while ((p = g_strstr_len (p, len - (gsize) (p - text), segment)) != NULL)
      {
        found = p;
        if ((gsize) (p - text) + 256 >= start)
          break;
        p++;
      }
    if (found == NULL)
      found = g_strstr_len (text, len, segment);
    if (found == NULL)
      return FALSE;

    /* A segment that is not valid UTF-8 may match part of a character:
     * a marker goes between characters, never inside one. */
    *start_out = utf8_floor (text, len, (gsize) (found - text));
    *end_out = utf8_floor (text, len, (gsize) (found - text) + seg_len);
    return TRUE;
  }
}

static int
compare_marks (gconstpointer a,
               gconstpointer b)
{
  const GemCitationMark *ma = *(GemCitationMark * const *) a;
  const GemCitationMark *mb = *(GemCitationMark * const *) b;

  if (ma->end != mb->end)
    return ma->end < mb->end ? -1 : 1;
  return 0;
}

static void
add_chunk (GemCitationMark *mark,
           guint            index,
           double           confidence)
{
  for (guint i = 0; i < mark->chunk_indices->len; i++)
    {
      if (g_array_index (mark->chunk_indices, guint, i) == index)
        {
          double *known = &g_array_index (mark->confidence_scores, double, i);

          *known = MAX (*known, confidence);
          return;
        }
      if (g_array_index (mark->chunk_indices, guint, i) > index)
        {
          g_array_insert_val (mark->chunk_indices, i, index);
          g_array_insert_val (mark->confidence_scores, i, confidence);
          return;
        }
    }

  g_array_append_val (mark->chunk_indices, index);
  g_array_append_val (mark->confidence_scores, confidence);
}

/**
 * gem_citation_marks_compute:
 * @text: the answer's text (non-thought text parts joined)
 * @supports: (element-type GemGroundingSupport): the grounding supports
 *
 * Returns: (transfer full) (element-type GemCitationMark): one mark per
 *   distinct segment end, sorted by offset; sources of segments that end at
 *   the same place are merged. Confidence -1 means unknown.
 */
GPtrArray *
gem_citation_marks_compute (const char *text,
                            GPtrArray  *supports)
{
  GPtrArray *marks = g_ptr_array_new_with_free_func ((GDestroyNotify) gem_citation_mark_free);
  gsize len = text != NULL ? strlen (text) : 0;

  /* no text (yet): nothing to point at, and nothing to search */
  for (guint i = 0; text != NULL && supports != NULL && i < supports->len; i++)
    {
      const GemGroundingSupport *support = g_ptr_array_index (supports, i);
      GemCitationMark *mark = NULL;
      gsize start, end;

      if (support->n_chunk_indices == 0 || !locate_segment (text, len, support, &start, &end))
        continue;

      for (guint j = 0; j < marks->len && mark == NULL; j++)
        if (((GemCitationMark *) g_ptr_array_index (marks, j))->end == end)
          mark = g_ptr_array_index (marks, j);

      if (mark == NULL)
        {
          mark = g_new0 (GemCitationMark, 1);
          mark->start = start;
          mark->end = end;
          mark->chunk_indices = g_array_new (FALSE, FALSE, sizeof (guint));
          mark->confidence_scores = g_array_new (FALSE, FALSE, sizeof (double));
          g_ptr_array_add (marks, mark);
        }
      mark->start = MIN (mark->start, start);

      for (guint j = 0; j < support->n_chunk_indices; j++)
        add_chunk (mark, support->chunk_indices[j],
                   j < support->n_confidence_scores ? support->confidence_scores[j] : -1.0);
    }

  g_ptr_array_sort (marks, compare_marks);
  return marks;
}

/* Where a marker meant for @offset can go without breaking Markdown. */
static gsize
safe_offset (const char *text,
             gsize       len,
             gsize       offset)
{
  gboolean in_fence = FALSE;
  char fence_char = 0;
  gsize fence_len = 0;
  gsize line = 0;

  while (line < len)
    {
      const char *nl = memchr (text + line, '\n', len - line);
      gsize line_end = nl != NULL ? (gsize) (nl - text) : len;
      gsize p = line;
      gsize run = 0;

      while (p < line_end && p - line < 4 && text[p] == ' ')
        p++;
      if (p < line_end && (text[p] == '`' || text[p] == '~'))
        {
          char c = text[p];

          while (p + run < line_end && text[p + run] == c)
            run++;
          if (run >= 3)
            {
              if (!in_fence)
                {
                  in_fence = TRUE;
                  fence_char = c;
                  fence_len = run;
                }
              else if (c == fence_char && run >= fence_len)
                {
                  in_fence = FALSE;
                  /* A marker meant for inside the block goes on its own line after it. */
                  if (offset <= line_end && offset >= line)
                    return MIN (line_end + 1, len);
                }
            }
        }

      if (offset >= line && offset <= line_end)
        {
          if (in_fence)
            {
              offset = line_end + 1;
            }
          else
            {
              gboolean in_code = FALSE;
              gssize link_depth = -1;
              gsize safe = offset;

              /* Inline code spans and link targets on this line. */
              for (gsize q = line; q < line_end; q++)
                {
                  if (text[q] == '`')
                    in_code = !in_code;
                  else if (!in_code && text[q] == ']' && q + 1 < line_end && text[q + 1] == '(')
                    link_depth = (gssize) q;
                  else if (!in_code && text[q] == ')' && link_depth >= 0)
                    {
                      if (offset > (gsize) link_depth && offset <= q)
                        safe = q + 1;
                      link_depth = -1;
                    }

                  if (q + 1 == offset && in_code)
                    {
                      const char *close = memchr (text + offset, '`', line_end - offset);

                      safe = close != NULL ? (gsize) (close - text) + 1 : line_end;
                    }
                }
              return MIN (safe, len);
            }
        }

      line = line_end + 1;
    }

  return MIN (offset, len);
}

/**
 * gem_citations_annotate_markdown:
 * @markdown: the answer's text
 * @marks: (element-type GemCitationMark): from gem_citation_marks_compute()
 *
 * Returns: (transfer full): the text with a link `[N](cite:I,J)` after each
 *   supported segment, N the 1-based source numbers shown to the user.
 */
char *
gem_citations_annotate_markdown (const char *markdown,
                                 GPtrArray  *marks)
{
  gsize len = markdown != NULL ? strlen (markdown) : 0;
  GString *out = g_string_sized_new (len + 16 * (marks != NULL ? marks->len : 0));
  g_autoptr(GArray) positions = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize copied = 0;

  for (guint i = 0; marks != NULL && i < marks->len; i++)
    {
      const GemCitationMark *mark = g_ptr_array_index (marks, i);
      gsize at = safe_offset (markdown, len, mark->end);

      g_array_append_val (positions, at);
    }

  for (guint i = 0; marks != NULL && i < marks->len; i++)
    {
      const GemCitationMark *mark = g_ptr_array_index (marks, i);
      gsize at = g_array_index (positions, gsize, i);
      gboolean own_line;

      if (at < copied)
        at = copied;
      g_string_append_len (out, markdown + copied, at - copied);
      copied = at;

      /* At the start of a line the markers form a paragraph of their own. */
      own_line = at > 0 && markdown[at - 1] == '\n' &&
                 (i == 0 || g_array_index (positions, gsize, i - 1) != at);
      if (own_line)
        g_string_append_c (out, '\n');

      for (guint j = 0; j < mark->chunk_indices->len; j++)
        {
          guint chunk = g_array_index (mark->chunk_indices, guint, j);

          g_string_append_printf (out, "[\\[%u\\]](cite:%u)", chunk + 1, chunk);
        }

      if (own_line && (i + 1 == marks->len || g_array_index (positions, gsize, i + 1) != at))
        g_string_append (out, at < len && markdown[at] == '\n' ? "\n" : "\n\n");
    }

  g_string_append_len (out, markdown + copied, len - copied);
  return g_string_free (out, FALSE);
}

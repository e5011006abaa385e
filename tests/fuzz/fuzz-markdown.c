/* fuzz-markdown.c: the Markdown parser behind StarlingMarkdownView
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The view itself needs a display; starling_md_parse() does not (its text
 * tags are plain objects), and it is where the answer's text is taken apart.
 * Input: an answer's text. Answers come out of json-glib, so they are valid
 * UTF-8 (NULs included): the input is made valid first.
 *
 * Checks, for what the view does with the units: text that goes into a text
 * buffer is valid UTF-8 without NULs and its character count is right; spans
 * and links lie inside their unit; links only use allowed schemes; table cell
 * markup is well formed, with only the elements a label understands; a
 * table's cells fill its rows; parsing is deterministic.
 */

#include "config.h"

#include <string.h>

#include "starling-markdown-parser.h"

#include "fuzz-common.h"

static void
markup_start_cb (GMarkupParseContext  *context,
                 const char           *element,
                 const char          **names,
                 const char          **values,
                 gpointer              user_data,
                 GError              **error)
{
  static const char * const allowed[] = { "markup", "b", "i", "s", "tt", "u", "a", "span",
                                          "big", "small", "sub", "sup" };
  gboolean known = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (allowed) && !known; i++)
    known = strcmp (element, allowed[i]) == 0;
  if (!known)
    {
      fprintf (stderr, "unexpected element <%s> in cell markup\n", element);
      FUZZ_CHECK (!"cell markup has an element a label does not know");
    }

  if (strcmp (element, "a") == 0)
    {
      FUZZ_CHECK (names[0] != NULL && strcmp (names[0], "href") == 0 && names[1] == NULL);
      FUZZ_CHECK (starling_md_uri_is_allowed (values[0]));
    }
}

/* Whether every closing tag closes the element open at that point; text is
 * escaped, so a '<' always starts a tag. */
static gboolean
tags_balanced (const char *markup)
{
  g_autoptr(GPtrArray) open = g_ptr_array_new_with_free_func (g_free);

  for (const char *p = strchr (markup, '<'); p != NULL; p = strchr (p + 1, '<'))
    {
      gboolean closing = p[1] == '/';
      const char *name = p + (closing ? 2 : 1);
      gsize len = strcspn (name, " >");
      g_autofree char *tag = g_strndup (name, len);

      if (!closing)
        {
          g_ptr_array_add (open, g_steal_pointer (&tag));
          continue;
        }
      if (open->len == 0 || strcmp (g_ptr_array_index (open, open->len - 1), tag) != 0)
        return FALSE;
      g_ptr_array_remove_index (open, open->len - 1);
    }

  return open->len == 0;
}

static void
check_cell_markup (const char *markup)
{
  static const GMarkupParser parser = { markup_start_cb, NULL, NULL, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = g_markup_parse_context_new (&parser, 0, NULL, NULL);
  g_autofree char *document = g_strconcat ("<markup>", markup, "</markup>", NULL);
  g_autoptr(GError) error = NULL;

  /* reported: md4c 0.4.8 may leave a span it never entered (after a
   * permissive autolink), and cells write a closing tag for it */
  if (!tags_balanced (markup))
    {
      FUZZ_CHECK_KNOWN ("md-cell-unbalanced", FALSE);
      return;
    }

  if (!g_markup_parse_context_parse (context, document, -1, &error) ||
      !g_markup_parse_context_end_parse (context, &error))
    {
      fprintf (stderr, "bad cell markup (%s): %s\n", error->message, markup);
      FUZZ_CHECK (!"table cell markup is not well formed");
    }
}

static gboolean
is_buffer_text (const char *text,
                gsize       len)
{
  return g_utf8_validate_len (text, len, NULL);
}

/* Characters, a NUL counting as one (g_utf8_strlen() stops there). */
static guint
count_chars (const char *text,
             gsize       len)
{
  guint n = 0;

  for (gsize i = 0; i < len; i++)
    if (((guchar) text[i] & 0xC0) != 0x80)
      n++;

  return n;
}

static void
check_unit (const StarlingMdUnit *unit)
{
  FUZZ_CHECK (unit->text != NULL);
  /* reported: md4c hands over a NUL inside code (blocks and spans) raw */
  if (memchr (unit->text->str, '\0', unit->text->len) != NULL)
    {
      g_autoptr(GString) without = g_string_new (NULL);

      FUZZ_CHECK_KNOWN ("md-code-nul", FALSE);
      for (gsize i = 0; i < unit->text->len; i++)
        if (unit->text->str[i] != '\0')
          g_string_append_c (without, unit->text->str[i]);
      FUZZ_CHECK (g_utf8_validate_len (without->str, without->len, NULL));
    }
  else if (!is_buffer_text (unit->text->str, unit->text->len))
    {
      g_autoptr(GString) shown = g_string_new (NULL);

      for (gsize i = 0; i < unit->text->len; i++)
        if ((guchar) unit->text->str[i] < 0x20 || (guchar) unit->text->str[i] >= 0x7f)
          g_string_append_printf (shown, "\\x%02x", (guchar) unit->text->str[i]);
        else
          g_string_append_c (shown, unit->text->str[i]);
      fprintf (stderr, "unit of kind %d has text that is not valid UTF-8 or has a NUL: \"%s\"\n",
               unit->kind, shown->str);
      FUZZ_CHECK (!"a unit's text cannot go into a text buffer");
    }
  FUZZ_CHECK (unit->indent >= 0);

  switch (unit->kind)
    {
    case STARLING_MD_UNIT_PROSE:
      /* (with a raw NUL, md-code-nul, the count is off too: the prose_append()
       * g_utf8_strlen() stops at it) */
      if (memchr (unit->text->str, '\0', unit->text->len) == NULL)
        FUZZ_CHECK (unit->n_chars == count_chars (unit->text->str, unit->text->len));
      FUZZ_CHECK (unit->spans != NULL && unit->links != NULL);
      for (guint i = 0; i < unit->spans->len; i++)
        {
          const StarlingMdSpan *span = &g_array_index (unit->spans, StarlingMdSpan, i);

          FUZZ_CHECK (span->start < span->end && span->end <= unit->n_chars);
          FUZZ_CHECK (GTK_IS_TEXT_TAG (span->tag));
        }
      for (guint i = 0; i < unit->links->len; i++)
        {
          const StarlingMdLink *link = &g_array_index (unit->links, StarlingMdLink, i);

          FUZZ_CHECK (link->start < link->end && link->end <= unit->n_chars);
          FUZZ_CHECK (starling_md_uri_is_allowed (link->uri));
        }
      FUZZ_CHECK (unit->gap == NULL || GTK_IS_TEXT_TAG (unit->gap));
      break;

    case STARLING_MD_UNIT_CODE:
      if (unit->lang != NULL)
        FUZZ_CHECK (g_utf8_validate (unit->lang, -1, NULL));
      break;

    case STARLING_MD_UNIT_TABLE:
      FUZZ_CHECK (unit->n_cols > 0 && unit->n_rows > 0);
      FUZZ_CHECK (unit->aligns != NULL);
      FUZZ_CHECK (unit->cells != NULL && unit->cells->len == unit->n_cols * unit->n_rows);
      for (guint i = 0; i < unit->n_cols; i++)
        FUZZ_CHECK (unit->aligns[i] <= STARLING_MD_ALIGN_RIGHT);
      for (guint i = 0; i < unit->cells->len; i++)
        {
          const StarlingMdCell *cell = g_ptr_array_index (unit->cells, i);

          FUZZ_CHECK (cell->text != NULL && is_buffer_text (cell->text, strlen (cell->text)));
          FUZZ_CHECK (cell->markup != NULL);
          check_cell_markup (cell->markup);
        }
      break;

    default:
      FUZZ_CHECK (!"unknown unit kind");
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
  g_autoptr(GString) text = g_string_sized_new (size);
  g_autoptr(GPtrArray) units = NULL;
  g_autoptr(GPtrArray) again = NULL;
  gsize start = 0;

  if (size == 0)
    return 0;

  /* g_utf8_make_valid() would turn a NUL into U+FFFD: keep them, between
   * valid pieces, since a JSON "\u0000" puts one in an answer */
  while (start <= size)
    {
      const guint8 *nul = memchr (data + start, '\0', size - start);
      gsize piece = nul != NULL ? (gsize) (nul - data) - start : size - start;
      g_autofree char *valid = g_utf8_make_valid ((const char *) data + start, piece);

      g_string_append (text, valid);
      if (nul == NULL)
        break;
      g_string_append_c (text, '\0');
      start += piece + 1;
    }

  units = starling_md_parse (text->str, text->len);
  FUZZ_CHECK (units != NULL);
  for (guint i = 0; i < units->len; i++)
    check_unit (g_ptr_array_index (units, i));
  if (units->len > 0)
    FUZZ_CHECK (((StarlingMdUnit *) g_ptr_array_index (units, 0))->block_start);

  again = starling_md_parse (text->str, text->len);
  FUZZ_CHECK (again->len == units->len);
  for (guint i = 0; i < units->len; i++)
    FUZZ_CHECK (starling_md_unit_equal (g_ptr_array_index (units, i),
                                        g_ptr_array_index (again, i)));

  return 0;
}

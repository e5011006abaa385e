/* starling-markdown-parser.c: Markdown (md4c) to display units
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <md4c.h>
#include <string.h>

#include "starling-markdown-parser.h"
#include "starling-markdown-tags.h"

/* Styling past this many spans in one paragraph is dropped (the text stays):
 * a text buffer line with a huge number of tag toggles gets slow to edit. */
#define MAX_SPANS_PER_UNIT 2000
#define MAX_URI_LENGTH     8192

/* A paragraph longer than this is cut into pieces of about this size, at a
 * line break or a space when there is one: GTK lays out and redraws a text
 * buffer line as a whole, and edits within one line cost its length. */
#define MAX_UNIT_BYTES 16384

/* A paragraph with a word longer than this wraps anywhere. */
#define MAX_WORD_BYTES 1024

#define REPLACEMENT_CHARACTER "\xef\xbf\xbd"
#define RULE_TEXT             "\xe2\x80\x95\xe2\x80\x95\xe2\x80\x95"   /* ――― */

enum
{
  STYLE_BOLD,
  STYLE_ITALIC,
  STYLE_STRIKE,
  STYLE_CODE,
  N_STYLES
};

typedef struct
{
  MD_BLOCKTYPE type;
  gboolean     tight;
  gboolean     ordered;
  guint        number;
  char         delimiter;
} Container;

typedef struct
{
  GPtrArray      *units;
  GArray         *containers;
  guint           quote_depth;
  guint           list_depth;
  guint           units_in_block;

  StarlingMdUnit *unit;
  GtkTextTag     *para_tag;        /* heading or rule */
  gboolean        hanging;         /* the unit starts with a list marker */
  guint           first_newline;   /* character offset, G_MAXUINT when none */
  char           *marker;          /* pending list marker */

  guint           style_depth[N_STYLES];
  guint           style_start[N_STYLES];
  guint           link_depth;
  guint           link_start;
  char           *link_uri;        /* the current link, when its scheme is allowed */

  /* tables */
  guint           cell_col;
  GString        *cell_markup;
  GArray         *cell_open;       /* MD_SPANTYPE of the elements open in the cell markup */
  GString        *cell_text;
} Builder;

static const struct
{
  const char *name;
  const char *utf8;
} named_entities[] = {
  { "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" },
  { "nbsp", "\xc2\xa0" }, { "copy", "\xc2\xa9" }, { "reg", "\xc2\xae" },
  { "trade", "\xe2\x84\xa2" }, { "hellip", "\xe2\x80\xa6" }, { "mdash", "\xe2\x80\x94" },
  { "ndash", "\xe2\x80\x93" }, { "lsquo", "\xe2\x80\x98" }, { "rsquo", "\xe2\x80\x99" },
  { "ldquo", "\xe2\x80\x9c" }, { "rdquo", "\xe2\x80\x9d" }, { "laquo", "\xc2\xab" },
  { "raquo", "\xc2\xbb" }, { "bull", "\xe2\x80\xa2" }, { "middot", "\xc2\xb7" },
  { "times", "\xc3\x97" }, { "divide", "\xc3\xb7" }, { "deg", "\xc2\xb0" },
  { "plusmn", "\xc2\xb1" }, { "micro", "\xc2\xb5" }, { "para", "\xc2\xb6" },
  { "sect", "\xc2\xa7" }, { "euro", "\xe2\x82\xac" }, { "pound", "\xc2\xa3" },
  { "yen", "\xc2\xa5" }, { "cent", "\xc2\xa2" }, { "larr", "\xe2\x86\x90" },
  { "rarr", "\xe2\x86\x92" }, { "uarr", "\xe2\x86\x91" }, { "darr", "\xe2\x86\x93" },
  { "harr", "\xe2\x86\x94" }, { "rArr", "\xe2\x87\x92" }, { "lArr", "\xe2\x87\x90" },
  { "le", "\xe2\x89\xa4" }, { "ge", "\xe2\x89\xa5" }, { "ne", "\xe2\x89\xa0" },
  { "asymp", "\xe2\x89\x88" }, { "infin", "\xe2\x88\x9e" }, { "minus", "\xe2\x88\x92" },
  { "check", "\xe2\x9c\x93" }, { "shy", "\xc2\xad" }, { "zwj", "\xe2\x80\x8d" },
  { "zwnj", "\xe2\x80\x8c" }, { "ensp", "\xe2\x80\x82" }, { "emsp", "\xe2\x80\x83" },
  { "thinsp", "\xe2\x80\x89" }, { "alpha", "\xce\xb1" }, { "beta", "\xce\xb2" },
  { "gamma", "\xce\xb3" }, { "delta", "\xce\xb4" }, { "pi", "\xcf\x80" },
  { "sigma", "\xcf\x83" }, { "mu", "\xce\xbc" }, { "lambda", "\xce\xbb" },
  { "sum", "\xe2\x88\x91" }, { "prod", "\xe2\x88\x8f" }, { "radic", "\xe2\x88\x9a" },
  { "frac12", "\xc2\xbd" }, { "frac14", "\xc2\xbc" }, { "frac34", "\xc2\xbe" },
};

static void
append_entity (GString    *out,
               const char *entity,
               gsize       len)
{
  /* md4c hands over "&name;", "&#123;" or "&#x1F;" */
  if (len >= 4 && entity[1] == '#')
    {
      gboolean hex = entity[2] == 'x' || entity[2] == 'X';
      gunichar c = 0;
      gboolean overflow = FALSE;

      for (gsize i = hex ? 3 : 2; i + 1 < len; i++)
        {
          int digit = hex ? g_ascii_xdigit_value (entity[i]) : g_ascii_digit_value (entity[i]);

          if (digit < 0 || c > 0x10FFFF)
            {
              overflow = TRUE;
              break;
            }
          c = c * (hex ? 16 : 10) + digit;
        }

      if (overflow || c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        g_string_append (out, REPLACEMENT_CHARACTER);
      else
        g_string_append_unichar (out, c);
      return;
    }

  if (len >= 3)
    {
      for (guint i = 0; i < G_N_ELEMENTS (named_entities); i++)
        {
          if (strlen (named_entities[i].name) == len - 2 &&
              strncmp (named_entities[i].name, entity + 1, len - 2) == 0)
            {
              g_string_append (out, named_entities[i].utf8);
              return;
            }
        }
    }

  g_string_append_len (out, entity, len);
}

/* md4c hands over a NUL inside code as it is: a text buffer cannot hold one. */
static void
append_without_nul (GString    *out,
                    const char *text,
                    gsize       len)
{
  const char *nul;

  while ((nul = memchr (text, '\0', len)) != NULL)
    {
      g_string_append_len (out, text, nul - text);
      g_string_append (out, REPLACEMENT_CHARACTER);
      len -= nul - text + 1;
      text = nul + 1;
    }
  g_string_append_len (out, text, len);
}

static char *
attribute_to_string (const MD_ATTRIBUTE *attribute)
{
  GString *out;

  if (attribute->size == 0 || attribute->substr_offsets == NULL)
    return g_strdup ("");

  out = g_string_sized_new (attribute->size);
  for (guint i = 0; attribute->substr_offsets[i] < attribute->size; i++)
    {
      const char *text = attribute->text + attribute->substr_offsets[i];
      gsize len = attribute->substr_offsets[i + 1] - attribute->substr_offsets[i];

      switch (attribute->substr_types[i])
        {
        case MD_TEXT_ENTITY:
          append_entity (out, text, len);
          break;
        case MD_TEXT_NULLCHAR:
          g_string_append (out, REPLACEMENT_CHARACTER);
          break;
        default:
          append_without_nul (out, text, len);
          break;
        }
    }

  return g_string_free (out, FALSE);
}

gboolean
starling_md_uri_is_allowed (const char *uri)
{
  const char *scheme;

  if (uri == NULL || strlen (uri) > MAX_URI_LENGTH)
    return FALSE;

  for (const char *p = uri; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        return FALSE;
    }

  scheme = g_uri_peek_scheme (uri);

  return g_strcmp0 (scheme, "http") == 0 ||
         g_strcmp0 (scheme, "https") == 0 ||
         g_strcmp0 (scheme, "mailto") == 0 ||
         starling_md_uri_get_citation (uri, NULL);
}

/**
 * starling_md_uri_get_citation:
 * @uri: a link's target
 * @index: (out) (optional): the source's index
 *
 * Citation markers are links `cite:N` (see gem_citations_annotate_markdown()),
 * N the index of a grounding source: they open the source's details in the
 * app, never anything outside it.
 *
 * Returns: whether @uri is a citation marker
 */
gboolean
starling_md_uri_get_citation (const char *uri,
                              guint      *index)
{
  guint64 value;

  if (uri == NULL || !g_str_has_prefix (uri, "cite:") || uri[5] == '\0')
    return FALSE;
  if (!g_ascii_string_to_unsigned (uri + 5, 10, 0, G_MAXUINT, &value, NULL))
    return FALSE;
  if (index != NULL)
    *index = (guint) value;

  return TRUE;
}

void
starling_md_unit_free (StarlingMdUnit *unit)
{
  if (unit == NULL)
    return;

  if (unit->text != NULL)
    g_string_free (unit->text, TRUE);
  g_clear_pointer (&unit->spans, g_array_unref);
  if (unit->links != NULL)
    {
      for (guint i = 0; i < unit->links->len; i++)
        g_free (g_array_index (unit->links, StarlingMdLink, i).uri);
      g_array_unref (unit->links);
    }
  g_free (unit->lang);
  g_free (unit->aligns);
  g_clear_pointer (&unit->cells, g_ptr_array_unref);
  g_free (unit);
}

static void
cell_free (gpointer data)
{
  StarlingMdCell *cell = data;

  g_free (cell->markup);
  g_free (cell->text);
  g_free (cell);
}

/* FNV-1a, to reject unequal units quickly and to check a whole stream. */
static guint64
hash_bytes (guint64     hash,
            const void *data,
            gsize       len)
{
  const guchar *p = data;

  for (gsize i = 0; i < len; i++)
    {
      hash ^= p[i];
      hash *= G_GUINT64_CONSTANT (1099511628211);
    }

  return hash;
}

static guint64
hash_string (guint64     hash,
             const char *str)
{
  if (str == NULL)
    return hash_bytes (hash, "\1", 1);

  return hash_bytes (hash, str, strlen (str) + 1);
}

static void
unit_compute_hash (StarlingMdUnit *unit)
{
  guint64 hash = G_GUINT64_CONSTANT (14695981039346656037);
  guint32 header[6] = { unit->kind, unit->block_start, unit->continuation, (guint32) unit->indent,
                        unit->n_cols, unit->n_rows };

  hash = hash_bytes (hash, header, sizeof header);
  hash = hash_bytes (hash, unit->text->str, unit->text->len);
  hash = hash_bytes (hash, &unit->gap, sizeof unit->gap);
  if (unit->spans != NULL && unit->spans->len > 0)
    hash = hash_bytes (hash, unit->spans->data, unit->spans->len * sizeof (StarlingMdSpan));
  if (unit->links != NULL)
    {
      for (guint i = 0; i < unit->links->len; i++)
        {
          const StarlingMdLink *link = &g_array_index (unit->links, StarlingMdLink, i);

          hash = hash_bytes (hash, &link->start, sizeof link->start);
          hash = hash_bytes (hash, &link->end, sizeof link->end);
          hash = hash_string (hash, link->uri);
        }
    }
  hash = hash_string (hash, unit->lang);
  if (unit->aligns != NULL)
    hash = hash_bytes (hash, unit->aligns, unit->n_cols * sizeof (StarlingMdAlign));
  if (unit->cells != NULL)
    {
      for (guint i = 0; i < unit->cells->len; i++)
        hash = hash_string (hash, ((StarlingMdCell *) g_ptr_array_index (unit->cells, i))->markup);
    }

  unit->hash = hash;
}

gboolean
starling_md_unit_equal (const StarlingMdUnit *a,
                        const StarlingMdUnit *b)
{
  if (a->hash != b->hash ||
      a->kind != b->kind ||
      a->block_start != b->block_start ||
      a->continuation != b->continuation ||
      a->indent != b->indent ||
      a->gap != b->gap ||
      a->n_cols != b->n_cols ||
      a->n_rows != b->n_rows ||
      a->text->len != b->text->len ||
      (a->text->len > 0 && memcmp (a->text->str, b->text->str, a->text->len) != 0) ||
      g_strcmp0 (a->lang, b->lang) != 0)
    return FALSE;

  /* (an empty GArray's data may be NULL, which memcmp() must not get) */
  if ((a->spans == NULL) != (b->spans == NULL) ||
      (a->spans != NULL &&
       (a->spans->len != b->spans->len ||
        (a->spans->len > 0 &&
         memcmp (a->spans->data, b->spans->data, a->spans->len * sizeof (StarlingMdSpan)) != 0))))
    return FALSE;

  if ((a->links == NULL) != (b->links == NULL) ||
      (a->links != NULL && a->links->len != b->links->len))
    return FALSE;
  for (guint i = 0; a->links != NULL && i < a->links->len; i++)
    {
      const StarlingMdLink *la = &g_array_index (a->links, StarlingMdLink, i);
      const StarlingMdLink *lb = &g_array_index (b->links, StarlingMdLink, i);

      if (la->start != lb->start || la->end != lb->end || strcmp (la->uri, lb->uri) != 0)
        return FALSE;
    }

  if (a->n_cols > 0 && memcmp (a->aligns, b->aligns, a->n_cols * sizeof (StarlingMdAlign)) != 0)
    return FALSE;
  if ((a->cells == NULL) != (b->cells == NULL) ||
      (a->cells != NULL && a->cells->len != b->cells->len))
    return FALSE;
  for (guint i = 0; a->cells != NULL && i < a->cells->len; i++)
    {
      const StarlingMdCell *ca = g_ptr_array_index (a->cells, i);
      const StarlingMdCell *cb = g_ptr_array_index (b->cells, i);

      if (strcmp (ca->markup, cb->markup) != 0)
        return FALSE;
    }

  return TRUE;
}

static StarlingMdUnit *
unit_new (Builder            *b,
          StarlingMdUnitKind  kind)
{
  StarlingMdUnit *unit = g_new0 (StarlingMdUnit, 1);

  unit->kind = kind;
  unit->block_start = b->units_in_block == 0;
  unit->indent = starling_markdown_tags_indent (b->quote_depth, b->list_depth);
  unit->text = g_string_new (NULL);
  b->units_in_block++;

  return unit;
}

/* The space above a paragraph: lists keep tight items close together. */
static GtkTextTag *
paragraph_gap (Builder    *b,
               gboolean    heading)
{
  const StarlingMarkdownTags *tags = starling_markdown_tags_get ();

  if (heading)
    return tags->gap_heading;
  if (b->units_in_block == 0)
    return tags->gap_block;

  for (guint i = b->containers->len; i > 0; i--)
    {
      const Container *container = &g_array_index (b->containers, Container, i - 1);

      if (container->type == MD_BLOCK_QUOTE)
        break;
      if (container->type == MD_BLOCK_UL || container->type == MD_BLOCK_OL)
        return container->tight ? tags->gap_item : tags->gap_block;
    }

  return tags->gap_block;
}

static void
add_span (StarlingMdUnit *unit,
          guint           start,
          guint           end,
          GtkTextTag     *tag)
{
  StarlingMdSpan span = { start, end, tag };

  if (start >= end || unit->spans->len >= MAX_SPANS_PER_UNIT)
    return;

  g_array_append_val (unit->spans, span);
}

/* Paragraph tags (headings, margins, quotes) are kept whatever the count. */
static void
add_paragraph_span (StarlingMdUnit *unit,
                    guint           start,
                    guint           end,
                    GtkTextTag     *tag)
{
  StarlingMdSpan span = { start, end, tag };

  if (start < end)
    g_array_append_val (unit->spans, span);
}

static gboolean
has_long_word (const char *text,
               gsize       len)
{
  gsize run = 0;

  for (gsize i = 0; i < len; i++)
    {
      if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n')
        run = 0;
      else if (++run > MAX_WORD_BYTES)
        return TRUE;
    }

  return FALSE;
}

static void
add_wrap_char_if_needed (StarlingMdUnit *unit)
{
  if (has_long_word (unit->text->str, unit->text->len))
    add_paragraph_span (unit, 0, unit->n_chars, starling_markdown_tags_get ()->wrap_char);
}

static StarlingMdUnit *
piece_new (const StarlingMdUnit *unit,
           const char           *text,
           gsize                 len,
           guint                 char_start,
           guint                 char_end,
           gboolean              first)
{
  StarlingMdUnit *piece = g_new0 (StarlingMdUnit, 1);

  piece->kind = STARLING_MD_UNIT_PROSE;
  piece->block_start = first && unit->block_start;
  piece->continuation = !first;
  piece->indent = unit->indent;
  piece->gap = first ? unit->gap : NULL;
  piece->text = g_string_new_len (text, len);
  piece->n_chars = char_end - char_start;
  piece->n_lines = 1;
  for (gsize i = 0; i < len; i++)
    {
      if (text[i] == '\n')
        piece->n_lines++;
    }

  piece->spans = g_array_new (FALSE, FALSE, sizeof (StarlingMdSpan));
  for (guint i = 0; i < unit->spans->len; i++)
    {
      const StarlingMdSpan *span = &g_array_index (unit->spans, StarlingMdSpan, i);
      StarlingMdSpan clipped = { MAX (span->start, char_start) - char_start,
                                 MIN (span->end, char_end) - char_start, span->tag };

      if (span->start < char_end && span->end > char_start && clipped.start < clipped.end)
        g_array_append_val (piece->spans, clipped);
    }

  piece->links = g_array_new (FALSE, FALSE, sizeof (StarlingMdLink));
  for (guint i = 0; i < unit->links->len; i++)
    {
      const StarlingMdLink *link = &g_array_index (unit->links, StarlingMdLink, i);
      StarlingMdLink clipped = { MAX (link->start, char_start) - char_start,
                                 MIN (link->end, char_end) - char_start, NULL };

      if (link->start < char_end && link->end > char_start && clipped.start < clipped.end)
        {
          clipped.uri = g_strdup (link->uri);
          g_array_append_val (piece->links, clipped);
        }
    }

  return piece;
}

/* Cuts a long paragraph at a line break, else at a space (either becomes
 * the line break between the pieces), else between two characters. */
static void
add_prose_unit (Builder        *b,
                StarlingMdUnit *unit)
{
  const char *text = unit->text->str;
  gsize len = unit->text->len;
  gsize start = 0;
  guint char_start = 0;
  gboolean first = TRUE;

  if (len <= MAX_UNIT_BYTES)
    {
      add_wrap_char_if_needed (unit);
      unit_compute_hash (unit);
      g_ptr_array_add (b->units, unit);
      return;
    }

  while (start < len)
    {
      gsize end, next;
      StarlingMdUnit *piece;
      guint n_chars;

      if (len - start <= MAX_UNIT_BYTES)
        {
          end = next = len;
        }
      else
        {
          gsize cut = 0;

          for (gsize i = start + MAX_UNIT_BYTES; i > start + MAX_UNIT_BYTES / 2 && cut == 0; i--)
            {
              if (text[i] == '\n')
                cut = i;
            }
          for (gsize i = start + MAX_UNIT_BYTES; i > start + MAX_UNIT_BYTES / 2 && cut == 0; i--)
            {
              if (text[i] == ' ' || text[i] == '\t')
                cut = i;
            }

          if (cut != 0)
            {
              end = cut;
              next = cut + 1;
            }
          else
            {
              end = start + MAX_UNIT_BYTES;
              while (end > start && ((guchar) text[end] & 0xC0) == 0x80)
                end--;
              next = end;
            }
        }

      n_chars = g_utf8_strlen (text + start, end - start);
      piece = piece_new (unit, text + start, end - start, char_start, char_start + n_chars, first);
      add_wrap_char_if_needed (piece);
      unit_compute_hash (piece);
      g_ptr_array_add (b->units, piece);

      char_start += n_chars + (next > end ? 1 : 0);
      start = next;
      first = FALSE;
    }

  starling_md_unit_free (unit);
}

static void
prose_append (Builder    *b,
              const char *text,
              gsize       len)
{
  StarlingMdUnit *unit = b->unit;

  g_string_append_len (unit->text, text, len);
  unit->n_chars += g_utf8_strlen (text, len);
}

static void
prose_newline (Builder *b)
{
  if (b->first_newline == G_MAXUINT)
    b->first_newline = b->unit->n_chars;
  g_string_append_c (b->unit->text, '\n');
  b->unit->n_chars++;
  b->unit->n_lines++;
}

static void
start_prose (Builder    *b,
             GtkTextTag *para_tag)
{
  const StarlingMarkdownTags *tags = starling_markdown_tags_get ();
  gboolean heading = para_tag != NULL && para_tag != tags->rule;
  GtkTextTag *gap = paragraph_gap (b, heading);

  b->unit = unit_new (b, STARLING_MD_UNIT_PROSE);
  b->unit->gap = gap;
  b->unit->n_lines = 1;
  b->unit->spans = g_array_new (FALSE, FALSE, sizeof (StarlingMdSpan));
  b->unit->links = g_array_new (FALSE, FALSE, sizeof (StarlingMdLink));
  b->para_tag = para_tag;
  b->first_newline = G_MAXUINT;
  b->hanging = b->marker != NULL;
  memset (b->style_depth, 0, sizeof b->style_depth);
  b->link_depth = 0;
  g_clear_pointer (&b->link_uri, g_free);

  if (b->marker != NULL)
    {
      prose_append (b, b->marker, strlen (b->marker));
      g_clear_pointer (&b->marker, g_free);
    }
}

static void
end_prose (Builder *b)
{
  const StarlingMarkdownTags *tags = starling_markdown_tags_get ();
  StarlingMdUnit *unit = b->unit;
  guint n_chars;

  if (unit == NULL || unit->kind != STARLING_MD_UNIT_PROSE)
    return;

  n_chars = unit->n_chars;
  if (b->para_tag != NULL)
    add_paragraph_span (unit, 0, n_chars, b->para_tag);
  if (b->quote_depth > 0)
    add_paragraph_span (unit, 0, n_chars, tags->quote);
  if (b->quote_depth > 0 || b->list_depth > 0)
    {
      if (b->hanging)
        {
          guint first_end = MIN (b->first_newline, n_chars);

          add_paragraph_span (unit, 0, first_end,
                              starling_markdown_tags_get_margin (b->quote_depth, b->list_depth, TRUE));
          if (first_end < n_chars)
            add_paragraph_span (unit, first_end + 1, n_chars,
                                starling_markdown_tags_get_margin (b->quote_depth, b->list_depth, FALSE));
        }
      else
        {
          add_paragraph_span (unit, 0, n_chars,
                              starling_markdown_tags_get_margin (b->quote_depth, b->list_depth, FALSE));
        }
    }

  add_prose_unit (b, unit);
  b->unit = NULL;
  b->para_tag = NULL;
  g_clear_pointer (&b->link_uri, g_free);
}

/* A list item that starts with something other than a paragraph keeps its
 * bullet on a line of its own. */
static void
flush_marker (Builder *b)
{
  if (b->marker == NULL)
    return;

  start_prose (b, NULL);
  end_prose (b);
}

static void
finish_unit (Builder *b)
{
  if (b->unit == NULL)
    return;

  if (b->unit->kind == STARLING_MD_UNIT_PROSE)
    {
      end_prose (b);
      return;
    }

  unit_compute_hash (b->unit);
  g_ptr_array_add (b->units, b->unit);
  b->unit = NULL;
}

static Container *
innermost_list (Builder *b)
{
  for (guint i = b->containers->len; i > 0; i--)
    {
      Container *container = &g_array_index (b->containers, Container, i - 1);

      if (container->type == MD_BLOCK_UL || container->type == MD_BLOCK_OL)
        return container;
    }

  return NULL;
}

static char *
list_marker (Builder           *b,
             MD_BLOCK_LI_DETAIL *detail)
{
  static const char *bullets[] = { "\xe2\x80\xa2", "\xe2\x97\xa6", "\xe2\x96\xaa" };  /* • ◦ ▪ */
  Container *list = innermost_list (b);

  if (detail->is_task)
    return g_strdup (detail->task_mark == ' ' ? "\xe2\x98\x90\t" : "\xe2\x98\x91\t");  /* ☐ ☑ */

  if (list != NULL && list->ordered)
    return g_strdup_printf ("%u%c\t", list->number++, list->delimiter);

  return g_strdup_printf ("%s\t", bullets[(MAX (b->list_depth, 1) - 1) % G_N_ELEMENTS (bullets)]);
}

static const char *
span_markup (MD_SPANTYPE type,
             gboolean    enter)
{
  switch (type)
    {
    case MD_SPAN_EM:
      return enter ? "<i>" : "</i>";
    case MD_SPAN_STRONG:
      return enter ? "<b>" : "</b>";
    case MD_SPAN_DEL:
      return enter ? "<s>" : "</s>";
    case MD_SPAN_CODE:
      return enter ? "<tt>" : "</tt>";
    case MD_SPAN_A:
      return enter ? NULL : "</a>";
    default:
      return NULL;
    }
}

static int
enter_block_cb (MD_BLOCKTYPE  type,
                void         *detail,
                void         *user_data)
{
  Builder *b = user_data;
  Container container = { type, FALSE, FALSE, 0, 0 };

  /* A child of the document starts a new top-level block. */
  if (b->containers->len == 1)
    b->units_in_block = 0;

  switch (type)
    {
    case MD_BLOCK_DOC:
      break;

    case MD_BLOCK_QUOTE:
      finish_unit (b);
      flush_marker (b);
      b->quote_depth++;
      break;

    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      finish_unit (b);
      flush_marker (b);
      if (type == MD_BLOCK_UL)
        {
          container.tight = ((MD_BLOCK_UL_DETAIL *) detail)->is_tight;
        }
      else
        {
          MD_BLOCK_OL_DETAIL *ol = detail;

          container.tight = ol->is_tight;
          container.ordered = TRUE;
          container.number = ol->start;
          container.delimiter = ol->mark_delimiter;
        }
      b->list_depth++;
      break;

    case MD_BLOCK_LI:
      finish_unit (b);
      flush_marker (b);
      b->marker = list_marker (b, detail);
      break;

    case MD_BLOCK_HR:
      /* A thin spacer line, then the rule line: the rule's background would
       * otherwise fill the space above it too. */
      finish_unit (b);
      flush_marker (b);
      start_prose (b, NULL);
      prose_newline (b);
      add_paragraph_span (b->unit, 0, 1, starling_markdown_tags_get ()->rule_spacer);
      prose_append (b, RULE_TEXT, strlen (RULE_TEXT));
      add_paragraph_span (b->unit, 1, b->unit->n_chars, starling_markdown_tags_get ()->rule);
      end_prose (b);
      break;

    case MD_BLOCK_H:
      {
        guint level = CLAMP (((MD_BLOCK_H_DETAIL *) detail)->level, 1, 6);

        finish_unit (b);
        start_prose (b, starling_markdown_tags_get ()->heading[level - 1]);
      }
      break;

    case MD_BLOCK_P:
      finish_unit (b);
      start_prose (b, NULL);
      break;

    case MD_BLOCK_CODE:
    case MD_BLOCK_HTML:
      {
        MD_BLOCK_CODE_DETAIL *code = type == MD_BLOCK_CODE ? detail : NULL;

        finish_unit (b);
        flush_marker (b);
        b->unit = unit_new (b, STARLING_MD_UNIT_CODE);
        if (code != NULL && code->lang.size > 0)
          b->unit->lang = attribute_to_string (&code->lang);
      }
      break;

    case MD_BLOCK_TABLE:
      {
        MD_BLOCK_TABLE_DETAIL *table = detail;

        finish_unit (b);
        flush_marker (b);
        b->unit = unit_new (b, STARLING_MD_UNIT_TABLE);
        b->unit->n_cols = MAX (table->col_count, 1);
        b->unit->aligns = g_new0 (StarlingMdAlign, b->unit->n_cols);
        b->unit->cells = g_ptr_array_new_with_free_func (cell_free);
      }
      break;

    case MD_BLOCK_THEAD:
    case MD_BLOCK_TBODY:
      break;

    case MD_BLOCK_TR:
      if (b->unit != NULL && b->unit->kind == STARLING_MD_UNIT_TABLE)
        b->unit->n_rows++;
      b->cell_col = 0;
      break;

    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      if (b->unit != NULL && b->unit->kind == STARLING_MD_UNIT_TABLE)
        {
          MD_BLOCK_TD_DETAIL *td = detail;

          if (b->unit->n_rows == 1 && b->cell_col < b->unit->n_cols)
            b->unit->aligns[b->cell_col] = (StarlingMdAlign) td->align;
          b->cell_markup = g_string_new (NULL);
          b->cell_text = g_string_new (NULL);
          g_array_set_size (b->cell_open, 0);
          b->link_depth = 0;
          g_clear_pointer (&b->link_uri, g_free);
        }
      break;

    default:
      break;
    }

  g_array_append_val (b->containers, container);

  return 0;
}

static int
leave_block_cb (MD_BLOCKTYPE  type,
                void         *detail,
                void         *user_data)
{
  Builder *b = user_data;

  switch (type)
    {
    case MD_BLOCK_QUOTE:
      finish_unit (b);
      b->quote_depth--;
      break;

    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      finish_unit (b);
      b->list_depth--;
      break;

    case MD_BLOCK_LI:
      finish_unit (b);
      flush_marker (b);
      break;

    case MD_BLOCK_H:
    case MD_BLOCK_P:
    case MD_BLOCK_DOC:
      finish_unit (b);
      break;

    case MD_BLOCK_CODE:
    case MD_BLOCK_HTML:
      if (b->unit != NULL && b->unit->text->len > 0 &&
          b->unit->text->str[b->unit->text->len - 1] == '\n')
        g_string_truncate (b->unit->text, b->unit->text->len - 1);
      finish_unit (b);
      break;

    case MD_BLOCK_TABLE:
      finish_unit (b);
      break;

    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      if (b->unit != NULL && b->unit->kind == STARLING_MD_UNIT_TABLE && b->cell_markup != NULL)
        {
          StarlingMdCell *cell = g_new0 (StarlingMdCell, 1);

          /* Whatever md4c left open is closed, innermost first. */
          for (guint i = b->cell_open->len; i > 0; i--)
            {
              MD_SPANTYPE open = g_array_index (b->cell_open, MD_SPANTYPE, i - 1);

              g_string_append (b->cell_markup, span_markup (open, FALSE));
            }
          g_array_set_size (b->cell_open, 0);
          g_clear_pointer (&b->link_uri, g_free);
          cell->markup = g_string_free (g_steal_pointer (&b->cell_markup), FALSE);
          cell->text = g_string_free (g_steal_pointer (&b->cell_text), FALSE);
          g_ptr_array_add (b->unit->cells, cell);
          b->cell_col++;
        }
      break;

    default:
      break;
    }

  g_array_set_size (b->containers, b->containers->len - 1);

  return 0;
}

static int
style_of_span (MD_SPANTYPE type)
{
  switch (type)
    {
    case MD_SPAN_EM:
      return STYLE_ITALIC;
    case MD_SPAN_STRONG:
      return STYLE_BOLD;
    case MD_SPAN_DEL:
      return STYLE_STRIKE;
    case MD_SPAN_CODE:
      return STYLE_CODE;
    default:
      return -1;
    }
}

static GtkTextTag *
style_tag (int style)
{
  const StarlingMarkdownTags *tags = starling_markdown_tags_get ();

  switch (style)
    {
    case STYLE_BOLD:
      return tags->bold;
    case STYLE_ITALIC:
      return tags->italic;
    case STYLE_STRIKE:
      return tags->strikethrough;
    case STYLE_CODE:
      return tags->code;
    default:
      g_return_val_if_reached (NULL);
    }
}

static gboolean
cell_is_open (Builder     *b,
              MD_SPANTYPE  type)
{
  for (guint i = 0; i < b->cell_open->len; i++)
    {
      if (g_array_index (b->cell_open, MD_SPANTYPE, i) == type)
        return TRUE;
    }

  return FALSE;
}

static gboolean
in_cell (Builder *b)
{
  return b->cell_markup != NULL;
}

static gboolean
in_prose (Builder *b)
{
  return b->unit != NULL && b->unit->kind == STARLING_MD_UNIT_PROSE;
}

static int
enter_span_cb (MD_SPANTYPE  type,
               void        *detail,
               void        *user_data)
{
  Builder *b = user_data;
  int style = style_of_span (type);

  if (in_cell (b))
    {
      if (type == MD_SPAN_A)
        {
          g_autofree char *uri = attribute_to_string (&((MD_SPAN_A_DETAIL *) detail)->href);

          if (starling_md_uri_is_allowed (uri) && !cell_is_open (b, MD_SPAN_A))
            {
              g_autofree char *escaped = g_markup_escape_text (uri, -1);

              g_string_append_printf (b->cell_markup, "<a href=\"%s\">", escaped);
              g_array_append_val (b->cell_open, type);
            }
        }
      else if (span_markup (type, TRUE) != NULL)
        {
          g_string_append (b->cell_markup, span_markup (type, TRUE));
          g_array_append_val (b->cell_open, type);
        }
      return 0;
    }

  if (!in_prose (b))
    {
      if (b->unit != NULL)
        return 0;
      start_prose (b, NULL);
    }

  if (style >= 0)
    {
      if (b->style_depth[style]++ == 0)
        b->style_start[style] = b->unit->n_chars;
    }
  else if (type == MD_SPAN_A && b->link_depth++ == 0)
    {
      g_autofree char *uri = attribute_to_string (&((MD_SPAN_A_DETAIL *) detail)->href);

      if (starling_md_uri_is_allowed (uri))
        {
          b->link_uri = g_steal_pointer (&uri);
          b->link_start = b->unit->n_chars;
        }
    }

  return 0;
}

static int
leave_span_cb (MD_SPANTYPE  type,
               void        *detail,
               void        *user_data)
{
  Builder *b = user_data;
  int style = style_of_span (type);

  /* Only what is open is closed: md4c 0.4.8 may leave a span it never
   * entered (after a permissive autolink), and a label drops markup that
   * is not well formed. */
  if (in_cell (b))
    {
      if (b->cell_open->len > 0 &&
          g_array_index (b->cell_open, MD_SPANTYPE, b->cell_open->len - 1) == type)
        {
          g_string_append (b->cell_markup, span_markup (type, FALSE));
          g_array_set_size (b->cell_open, b->cell_open->len - 1);
        }
      return 0;
    }

  if (!in_prose (b))
    return 0;

  if (style >= 0)
    {
      if (b->style_depth[style] > 0 && --b->style_depth[style] == 0)
        add_span (b->unit, b->style_start[style], b->unit->n_chars, style_tag (style));
    }
  else if (type == MD_SPAN_A && b->link_depth > 0 && --b->link_depth == 0 && b->link_uri != NULL)
    {
      if (b->link_start < b->unit->n_chars && b->unit->spans->len < MAX_SPANS_PER_UNIT)
        {
          StarlingMdLink link = { b->link_start, b->unit->n_chars, g_steal_pointer (&b->link_uri) };

          g_array_append_val (b->unit->links, link);
          add_span (b->unit, link.start, link.end, starling_markdown_tags_get ()->link);
        }
      g_clear_pointer (&b->link_uri, g_free);
    }

  return 0;
}

static void
cell_append (Builder    *b,
             const char *text,
             gsize       len)
{
  g_autofree char *escaped = g_markup_escape_text (text, len);

  g_string_append_len (b->cell_text, text, len);
  g_string_append (b->cell_markup, escaped);
}

static int
text_cb (MD_TEXTTYPE    type,
         const MD_CHAR *text,
         MD_SIZE        size,
         void          *user_data)
{
  Builder *b = user_data;
  gboolean in_code_span = b->style_depth[STYLE_CODE] > 0;

  if (size > 0 && memchr (text, '\0', size) != NULL)
    {
      g_autoptr(GString) clean = g_string_sized_new (size + 8);

      append_without_nul (clean, text, size);
      return text_cb (type, clean->str, clean->len, user_data);
    }

  /* In a code block md4c 0.4.8 reports a NUL twice: as MD_TEXT_NULLCHAR,
   * then raw in the code text (replaced above). */
  if (b->unit != NULL && b->unit->kind == STARLING_MD_UNIT_CODE)
    {
      if (type != MD_TEXT_NULLCHAR)
        g_string_append_len (b->unit->text, text, size);
      return 0;
    }

  if (in_cell (b))
    {
      switch (type)
        {
        case MD_TEXT_NULLCHAR:
          cell_append (b, REPLACEMENT_CHARACTER, strlen (REPLACEMENT_CHARACTER));
          break;
        case MD_TEXT_BR:
        case MD_TEXT_SOFTBR:
          cell_append (b, " ", 1);
          break;
        case MD_TEXT_ENTITY:
          {
            g_autoptr(GString) decoded = g_string_new (NULL);

            append_entity (decoded, text, size);
            cell_append (b, decoded->str, decoded->len);
          }
          break;
        default:
          cell_append (b, text, size);
          break;
        }
      return 0;
    }

  if (b->unit != NULL && b->unit->kind != STARLING_MD_UNIT_PROSE)
    return 0;
  if (b->unit == NULL)
    start_prose (b, NULL);

  switch (type)
    {
    case MD_TEXT_NULLCHAR:
      prose_append (b, REPLACEMENT_CHARACTER, strlen (REPLACEMENT_CHARACTER));
      break;
    case MD_TEXT_BR:
    case MD_TEXT_SOFTBR:
      if (in_code_span)
        prose_append (b, " ", 1);
      else
        prose_newline (b);
      break;
    case MD_TEXT_ENTITY:
      {
        g_autoptr(GString) decoded = g_string_new (NULL);

        append_entity (decoded, text, size);
        prose_append (b, decoded->str, decoded->len);
      }
      break;
    default:
      {
        /* Raw text may still hold line breaks (HTML passes through as text). */
        const char *p = text;
        const char *end = text + size;

        while (p < end)
          {
            const char *nl = memchr (p, '\n', end - p);

            if (nl == NULL)
              {
                prose_append (b, p, end - p);
                break;
              }
            prose_append (b, p, nl - p);
            prose_newline (b);
            p = nl + 1;
          }
      }
      break;
    }

  return 0;
}

GPtrArray *
starling_md_parse (const char *text,
                   gsize       len)
{
  MD_PARSER parser = {
    .abi_version = 0,
    .flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS |
             MD_FLAG_PERMISSIVEURLAUTOLINKS | MD_FLAG_PERMISSIVEEMAILAUTOLINKS |
             MD_FLAG_PERMISSIVEWWWAUTOLINKS | MD_FLAG_NOHTML,
    .enter_block = enter_block_cb,
    .leave_block = leave_block_cb,
    .enter_span = enter_span_cb,
    .leave_span = leave_span_cb,
    .text = text_cb,
  };
  Builder b = { 0 };

  b.units = g_ptr_array_new_with_free_func ((GDestroyNotify) starling_md_unit_free);
  b.containers = g_array_new (FALSE, FALSE, sizeof (Container));
  b.cell_open = g_array_new (FALSE, FALSE, sizeof (MD_SPANTYPE));

  if (len > 0 && len <= G_MAXUINT32)
    md_parse (text, (MD_SIZE) len, &parser, &b);

  /* md4c only stops early when out of memory; drop a half-built unit. */
  g_clear_pointer (&b.unit, starling_md_unit_free);
  g_clear_pointer (&b.marker, g_free);
  g_clear_pointer (&b.link_uri, g_free);
  if (b.cell_markup != NULL)
    g_string_free (b.cell_markup, TRUE);
  if (b.cell_text != NULL)
    g_string_free (b.cell_text, TRUE);
  g_array_unref (b.containers);
  g_array_unref (b.cell_open);

  return b.units;
}

/**
 * starling_md_to_plain_text:
 * @text: Markdown, such as a sentence of an answer that a source supports
 * @len: its length in bytes
 *
 * The text a reader sees of @text, without its syntax: escapes, emphasis
 * marks, link targets. Blocks are joined with a space; table cells with
 * tabs between them.
 *
 * Returns: (transfer full): the text, valid UTF-8, trimmed
 */
char *
starling_md_to_plain_text (const char *text,
                           gsize       len)
{
  g_autoptr(GPtrArray) units = starling_md_parse (text, len);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < units->len; i++)
    {
      StarlingMdUnit *unit = g_ptr_array_index (units, i);

      if (out->len > 0)
        g_string_append_c (out, ' ');

      if (unit->kind == STARLING_MD_UNIT_TABLE)
        {
          for (guint c = 0; c < unit->cells->len; c++)
            {
              StarlingMdCell *cell = g_ptr_array_index (unit->cells, c);

              if (c > 0)
                g_string_append_c (out, (c % unit->n_cols) == 0 ? ' ' : '\t');
              g_string_append (out, cell->text);
            }
        }
      else
        {
          g_string_append_len (out, unit->text->str, unit->text->len);
        }
    }

  g_strstrip (out->str);
  out->len = strlen (out->str);

  return g_string_free (out, FALSE);
}

/* gem-json.c: reading JSON text that json-glib would read wrongly
 *
 * json-glib 1.6 refuses JSON text that is not UTF-8, but two of the escapes
 * it decodes give strings that are not: a UTF-16 surrogate escape that is
 * not half of a pair ("\ud800x", "\udc00") becomes three bytes that are
 * not UTF-8, and an octal escape, which JSON does not have, becomes the byte
 * it names ("\377" is 0xff, "\0" a NUL). This happens in strings and member
 * names alike. Such strings break whatever expects text: a text view, the
 * JSON json-glib writes (it cannot read it back), an export. Every text that
 * comes from outside (answers, error bodies, imported files, what the store
 * kept of them) is read through here, so the strings of the tree are UTF-8.
 *
 * The repair follows json-glib 1.6's decoder (json-scanner.c) character by
 * character, so it changes exactly the escapes that decoder would turn into
 * bytes that are not UTF-8, and rewrites each into one as long.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "gem-json.h"

typedef struct
{
  const char *data;
  gsize len;
  char *copy;
} Repair;

/* The character at @i, or 0 past the end (as json-glib's scanner reads). */
static char
char_at (const Repair *r,
         gsize         i)
{
  return i < r->len ? r->data[i] : '\0';
}

static void
rewrite (Repair     *r,
         gsize       at,
         const char *text,
         gsize       n)
{
  if (r->copy == NULL)
    {
      r->copy = g_malloc (r->len + 1);
      memcpy (r->copy, r->data, r->len);
      r->copy[r->len] = '\0';
    }
  memcpy (r->copy + at, text, n);
}

/* Reads the hex digits of a "\u" escape from @i as json-glib does: up to
 * four characters, the first that is not a hex digit ending it (and lost),
 * the digits read standing for the high ones. Returns the unit, sets @end
 * past what was read and @n_digits. */
static gunichar
read_unit (const Repair *r,
           gsize         i,
           gsize        *end,
           gsize        *n_digits)
{
  gunichar unit = 0;
  gsize k;

  *n_digits = 0;
  for (k = 0; k < 4; k++)
    {
      int digit = g_ascii_xdigit_value (char_at (r, i + k));

      if (digit < 0)
        {
          k++;
          break;
        }
      unit += (gunichar) digit << ((3 - k) * 4);
      (*n_digits)++;
    }
  *end = i + k;

  return unit;
}

/* Whether the escape whose digits start at @at, cut short after @n_digits,
 * ends on the first byte of a character that is not ASCII: json-glib would
 * take that byte as the end of the escape, and leave the rest of the
 * character behind, which is not UTF-8. */
static gboolean
cut_before_non_ascii (const Repair *r,
                      gsize         at,
                      gsize         n_digits)
{
  return n_digits < 4 && (guchar) char_at (r, at + n_digits) >= 0x80;
}

/* The "\u" escape at @i (its hex digits start at @i + 2). Returns the index
 * after what json-glib reads for it. */
static gsize
repair_unicode_escape (Repair *r,
                       gsize   i)
{
  gsize end, n_digits;
  gunichar unit;

  if (g_ascii_xdigit_value (char_at (r, i + 2)) < 0)
    return i + 2;   /* "\u" alone is skipped */

  unit = read_unit (r, i + 2, &end, &n_digits);
  if (cut_before_non_ascii (r, i + 2, n_digits))
    {
      /* "\?" reads as "?", and the digits as text */
      rewrite (r, i + 1, "?", 1);
      return i + 2;
    }
  if (unit < 0xd800 || unit > 0xdfff)
    return end;

  /* a high half and a low one: a pair */
  if (unit <= 0xdbff && char_at (r, end) == '\\' && char_at (r, end + 1) == 'u')
    {
      gsize low_end, low_digits;
      gunichar low = read_unit (r, end + 2, &low_end, &low_digits);

      if (low >= 0xdc00 && low <= 0xdfff)
        {
          if (!cut_before_non_ascii (r, end + 2, low_digits))
            return low_end;
          /* the low half as above; the high one, alone now, as below */
          rewrite (r, end + 1, "?", 1);
        }
    }

  /* Anything else becomes U+FFFD (U+FFF0, U+FF00 for escapes cut short).
   * Left alone, json-glib would keep a lone half as bytes that are not UTF-8
   * (dropping the character after it), and would refuse a half followed by
   * another escape ("malformed surrogate pair"), leaking memory as it does. */
  rewrite (r, i + 2, "fffd", n_digits);
  return end;
}

/* The octal escape at @i (json-glib reads up to three digits). */
static gsize
repair_octal_escape (Repair *r,
                     gsize   i)
{
  guint value = 0;
  gsize n = 0;

  while (n < 3 && char_at (r, i + 1 + n) >= '0' && char_at (r, i + 1 + n) <= '7')
    {
      value = value * 8 + (guint) (char_at (r, i + 1 + n) - '0');
      n++;
    }

  /* the byte (value & 0xff) is a NUL or not UTF-8: make it a "?" */
  if ((value & 0xff) == 0 || (value & 0xff) >= 0x80)
    {
      static const char *question[] = { NULL, "?", "77", "077" };

      rewrite (r, i + 1, question[n], n);
    }

  return i + 1 + n;
}

/**
 * gem_json_repair_escapes:
 * @data: JSON text
 * @len: its length in bytes
 *
 * Rewrites the escapes that json-glib 1.6 would decode into bytes that are
 * not UTF-8, or into a NUL: a `\uXXXX` surrogate that is not half of a
 * pair becomes `\ufffd` (U+FFFD, the replacement character), an octal
 * escape a question mark, a `\u` escape cut short before a character
 * that is not ASCII `\?` (json-glib would end the escape on the first byte
 * of that character). (JSON allows lone halves; a reader makes them U+FFFD,
 * as this does.) Each replacement is as long as what it replaces,
 * so every byte offset into the text stays right.
 *
 * Returns: (transfer full) (nullable): a NUL-terminated copy of @data with
 *   the escapes rewritten, or %NULL when there is none (the usual case)
 */
char *
gem_json_repair_escapes (const char *data,
                         gsize       len)
{
  Repair r = { data, len, NULL };
  gsize i = 0;

  while (i < len)
    {
      const char *backslash = memchr (data + i, '\\', len - i);
      char next;

      if (backslash == NULL)
        break;
      i = (gsize) (backslash - data);
      next = char_at (&r, i + 1);

      if (next == 'u')
        i = repair_unicode_escape (&r, i);
      else if (next >= '0' && next <= '7')
        i = repair_octal_escape (&r, i);
      else
        i += 2;
    }

  return r.copy;
}

/**
 * gem_json_parser_load:
 * @parser: a #JsonParser
 * @data: JSON text
 * @len: its length in bytes, or -1 if it is NUL-terminated
 * @error: return location for a #GError
 *
 * json_parser_load_from_data(), with the escapes json-glib would read as
 * bytes that are not UTF-8 repaired first (see gem_json_repair_escapes()):
 * every string and member name of the tree is UTF-8.
 *
 * Returns: %TRUE if @data was read
 */
gboolean
gem_json_parser_load (JsonParser  *parser,
                      const char  *data,
                      gssize       len,
                      GError     **error)
{
  gsize n = len < 0 ? strlen (data) : (gsize) len;
  g_autofree char *repaired = gem_json_repair_escapes (data, n);

  return json_parser_load_from_data (parser, repaired != NULL ? repaired : data, (gssize) n, error);
}

/**
 * gem_json_from_string:
 * @text: (nullable): NUL-terminated JSON text
 * @error: return location for a #GError
 *
 * json_from_string(), with the escapes json-glib would read as bytes that
 * are not UTF-8 repaired first (see gem_json_repair_escapes()).
 *
 * Returns: (transfer full) (nullable): the root of the tree, or %NULL if
 *   @text is %NULL, empty or not JSON
 */
JsonNode *
gem_json_from_string (const char  *text,
                      GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;

  if (text == NULL)
    return NULL;

  parser = json_parser_new ();
  if (!gem_json_parser_load (parser, text, -1, error))
    return NULL;

  root = json_parser_get_root (parser);

  return root != NULL ? json_node_ref (root) : NULL;
}

/* starling-json-span.c: a JSON parser that remembers where every value is
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "starling-json-span.h"

#define MAX_DEPTH 512

typedef struct
{
  const char *text;
  gsize       len;
  gsize       pos;
  guint       depth;
  GError    **error;
} Scanner;

static gboolean
scanner_fail (Scanner    *s,
              const char *what)
{
  g_set_error (s->error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "Invalid JSON at byte %" G_GSIZE_FORMAT ": %s", s->pos, what);
  return FALSE;
}

static void
skip_space (Scanner *s)
{
  while (s->pos < s->len)
    {
      char c = s->text[s->pos];

      if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
        break;
      s->pos++;
    }
}

static gboolean
scan_string (Scanner *s)
{
  /* s->pos is on the opening quote */
  s->pos++;
  while (s->pos < s->len)
    {
      guchar c = s->text[s->pos];

      if (c == '"')
        {
          s->pos++;
          return TRUE;
        }
      /* raw control characters are not JSON, but json-glib writes U+001F
       * that way and reads them back: accept what it accepts */
      if (c == '\\')
        {
          if (s->pos + 1 >= s->len)
            break;
          c = s->text[s->pos + 1];
          if (c == 'u')
            {
              if (s->pos + 6 > s->len)
                break;
              for (guint i = 2; i < 6; i++)
                if (!g_ascii_isxdigit (s->text[s->pos + i]))
                  return scanner_fail (s, "bad \\u escape");
              s->pos += 6;
            }
          else if (strchr ("\"\\/bfnrt", c) != NULL && c != '\0')
            s->pos += 2;
          else
            return scanner_fail (s, "bad escape");
        }
      else
        s->pos++;
    }

  return scanner_fail (s, "unterminated string");
}

static gboolean
scan_number (Scanner *s)
{
  gsize start = s->pos;
  gboolean digits = FALSE;

  if (s->pos < s->len && s->text[s->pos] == '-')
    s->pos++;
  while (s->pos < s->len && g_ascii_isdigit (s->text[s->pos]))
    {
      s->pos++;
      digits = TRUE;
    }
  if (s->pos < s->len && s->text[s->pos] == '.')
    {
      s->pos++;
      while (s->pos < s->len && g_ascii_isdigit (s->text[s->pos]))
        s->pos++;
    }
  if (s->pos < s->len && (s->text[s->pos] == 'e' || s->text[s->pos] == 'E'))
    {
      s->pos++;
      if (s->pos < s->len && (s->text[s->pos] == '+' || s->text[s->pos] == '-'))
        s->pos++;
      while (s->pos < s->len && g_ascii_isdigit (s->text[s->pos]))
        s->pos++;
    }

  if (!digits || s->pos == start)
    return scanner_fail (s, "bad number");

  return TRUE;
}

static gboolean
scan_literal (Scanner    *s,
              const char *word)
{
  gsize n = strlen (word);

  if (s->len - s->pos < n || memcmp (s->text + s->pos, word, n) != 0)
    return scanner_fail (s, "unexpected character");
  s->pos += n;
  return TRUE;
}

static char *
unescape (const char *raw,
          gsize       len)
{
  GString *out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      char c = raw[i];

      if (c != '\\' || i + 1 >= len)
        {
          g_string_append_c (out, c);
          continue;
        }

      c = raw[++i];
      switch (c)
        {
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'u':
          if (i + 4 < len)
            {
              char hex[5] = { raw[i + 1], raw[i + 2], raw[i + 3], raw[i + 4], 0 };
              gunichar ch = g_ascii_strtoull (hex, NULL, 16);

              i += 4;
              /* a surrogate pair spells one character */
              if (ch >= 0xD800 && ch < 0xDC00 && i + 6 < len &&
                  raw[i + 1] == '\\' && raw[i + 2] == 'u')
                {
                  char lo_hex[5] = { raw[i + 3], raw[i + 4], raw[i + 5], raw[i + 6], 0 };
                  gunichar lo = g_ascii_strtoull (lo_hex, NULL, 16);

                  if (lo >= 0xDC00 && lo < 0xE000)
                    {
                      ch = 0x10000 + ((ch - 0xD800) << 10) + (lo - 0xDC00);
                      i += 6;
                    }
                }
              if (g_unichar_validate (ch))
                g_string_append_unichar (out, ch);
              else
                g_string_append (out, "\xEF\xBF\xBD");
            }
          break;
        default:
          g_string_append_c (out, c);
          break;
        }
    }

  return g_string_free (out, FALSE);
}

static StarlingJsonSpan *scan_value (Scanner *s);

static StarlingJsonSpan *
span_new (StarlingJsonSpanType type,
          gsize                start)
{
  StarlingJsonSpan *span = g_new0 (StarlingJsonSpan, 1);

  span->type = type;
  span->start = start;
  return span;
}

static StarlingJsonSpan *
scan_container (Scanner *s,
                gboolean object)
{
  g_autoptr(StarlingJsonSpan) span = span_new (object ? STARLING_JSON_SPAN_OBJECT
                                                      : STARLING_JSON_SPAN_ARRAY, s->pos);
  char close = object ? '}' : ']';

  if (++s->depth > MAX_DEPTH)
    {
      scanner_fail (s, "nested too deeply");
      return NULL;
    }

  span->children = g_ptr_array_new_with_free_func ((GDestroyNotify) starling_json_span_free);
  s->pos++;
  skip_space (s);

  if (s->pos < s->len && s->text[s->pos] == close)
    {
      s->pos++;
      span->end = s->pos;
      s->depth--;
      return g_steal_pointer (&span);
    }

  for (;;)
    {
      g_autofree char *key = NULL;
      StarlingJsonSpan *child;

      skip_space (s);
      if (object)
        {
          gsize key_start = s->pos;

          if (s->pos >= s->len || s->text[s->pos] != '"')
            {
              scanner_fail (s, "expected a member name");
              return NULL;
            }
          if (!scan_string (s))
            return NULL;
          key = unescape (s->text + key_start + 1, s->pos - key_start - 2);
          skip_space (s);
          if (s->pos >= s->len || s->text[s->pos] != ':')
            {
              scanner_fail (s, "expected “:”");
              return NULL;
            }
          s->pos++;
          skip_space (s);
        }

      child = scan_value (s);
      if (child == NULL)
        return NULL;
      child->key = g_steal_pointer (&key);
      g_ptr_array_add (span->children, child);

      skip_space (s);
      if (s->pos < s->len && s->text[s->pos] == ',')
        {
          s->pos++;
          continue;
        }
      if (s->pos < s->len && s->text[s->pos] == close)
        {
          s->pos++;
          break;
        }
      scanner_fail (s, object ? "expected “,” or “}”" : "expected “,” or “]”");
      return NULL;
    }

  span->end = s->pos;
  s->depth--;
  return g_steal_pointer (&span);
}

static StarlingJsonSpan *
scan_value (Scanner *s)
{
  gsize start;
  StarlingJsonSpanType type;

  skip_space (s);
  if (s->pos >= s->len)
    {
      scanner_fail (s, "unexpected end");
      return NULL;
    }

  start = s->pos;
  switch (s->text[s->pos])
    {
    case '{':
      return scan_container (s, TRUE);
    case '[':
      return scan_container (s, FALSE);
    case '"':
      if (!scan_string (s))
        return NULL;
      type = STARLING_JSON_SPAN_STRING;
      break;
    case 't':
      if (!scan_literal (s, "true"))
        return NULL;
      type = STARLING_JSON_SPAN_BOOLEAN;
      break;
    case 'f':
      if (!scan_literal (s, "false"))
        return NULL;
      type = STARLING_JSON_SPAN_BOOLEAN;
      break;
    case 'n':
      if (!scan_literal (s, "null"))
        return NULL;
      type = STARLING_JSON_SPAN_NULL;
      break;
    default:
      if (!scan_number (s))
        return NULL;
      type = STARLING_JSON_SPAN_NUMBER;
      break;
    }

  {
    StarlingJsonSpan *span = span_new (type, start);

    span->end = s->pos;
    return span;
  }
}

/**
 * starling_json_span_parse:
 * @text: JSON text
 * @len: its length in bytes
 * @error: a place for an error
 *
 * Returns: (transfer full): the tree of the document's values with their byte
 *   offsets, or %NULL if @text is not one JSON value
 */
StarlingJsonSpan *
starling_json_span_parse (const char  *text,
                          gsize        len,
                          GError     **error)
{
  Scanner s = { text, len, 0, 0, error };
  g_autoptr(StarlingJsonSpan) root = NULL;

  /* a UTF-8 byte order mark is allowed before the value */
  if (len >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
    s.pos = 3;

  root = scan_value (&s);
  if (root == NULL)
    return NULL;

  skip_space (&s);
  if (s.pos != len)
    {
      scanner_fail (&s, "trailing characters");
      return NULL;
    }

  return g_steal_pointer (&root);
}

void
starling_json_span_free (StarlingJsonSpan *span)
{
  if (span == NULL)
    return;

  g_clear_pointer (&span->children, g_ptr_array_unref);
  g_free (span->key);
  g_free (span);
}

/* The last member of that name wins, as in json-glib. */
StarlingJsonSpan *
starling_json_span_get_member (StarlingJsonSpan *object,
                               const char       *key)
{
  if (object == NULL || object->type != STARLING_JSON_SPAN_OBJECT)
    return NULL;

  for (guint i = object->children->len; i > 0; i--)
    {
      StarlingJsonSpan *child = g_ptr_array_index (object->children, i - 1);

      if (g_strcmp0 (child->key, key) == 0)
        return child;
    }

  return NULL;
}

char *
starling_json_span_dup_string (StarlingJsonSpan *span,
                               const char       *text)
{
  if (span == NULL || span->type != STARLING_JSON_SPAN_STRING)
    return NULL;

  return unescape (text + span->start + 1, span->end - span->start - 2);
}

gboolean
starling_json_span_string_has_escapes (StarlingJsonSpan *span,
                                       const char       *text)
{
  g_return_val_if_fail (span->type == STARLING_JSON_SPAN_STRING, FALSE);

  return memchr (text + span->start + 1, '\\', span->end - span->start - 2) != NULL;
}

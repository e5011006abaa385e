/* fuzz-import.c: importing a conversation from JSON into the history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input: the contents of a file the user picked to import. One history for
 * the whole run, in a fresh folder on a tmpfs (/dev/shm when there is one),
 * removed at exit.
 *
 * Checks: a refused file fails with a sentence for the user; an accepted one
 * exports again, that export imports again, and exporting the copy gives
 * the very same text (the parts are kept byte for byte, so a conversation
 * survives any number of export and import rounds). The byte-offset JSON
 * parser the import uses for that must accept any strictly valid JSON text
 * (json-glib, which checks the file first, also takes some invalid ones).
 * The input is not NUL-terminated: nothing may read past its end.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "starling-export.h"
#include "starling-json-span.h"
#include "starling-store.h"

#include "fuzz-common.h"

static StarlingStore *store;
static char *folder;
static guint n_imported;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
cleanup (void)
{
  g_clear_object (&store);
  if (folder != NULL)
    remove_tree (folder);
  g_clear_pointer (&folder, g_free);
}

static void
check_error (const GError *error)
{
  FUZZ_CHECK (error != NULL);
  FUZZ_CHECK (error->domain == STARLING_EXPORT_ERROR || error->domain == STARLING_STORE_ERROR);
  FUZZ_CHECK (error->message != NULL && error->message[0] != '\0');
  FUZZ_CHECK_KNOWN ("import-message-utf8", g_utf8_validate (error->message, -1, NULL));
}

/* A strict RFC 8259 recognizer, the reference for the span parser: json-glib
 * is more lenient (raw control characters in strings, \U escapes, ...). */
typedef struct
{
  const char *p;
  const char *end;
  guint       depth;
} Strict;

static gboolean strict_value (Strict *s);

static void
strict_ws (Strict *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static gboolean
strict_literal (Strict     *s,
                const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (s->end - s->p) < n || memcmp (s->p, word, n) != 0)
    return FALSE;
  s->p += n;

  return TRUE;
}

static gboolean
strict_digits (Strict *s)
{
  const char *start = s->p;

  while (s->p < s->end && g_ascii_isdigit (*s->p))
    s->p++;

  return s->p > start;
}

static gboolean
strict_number (Strict *s)
{
  if (s->p < s->end && *s->p == '-')
    s->p++;
  if (s->p < s->end && *s->p == '0')
    s->p++;
  else if (s->p >= s->end || *s->p < '1' || *s->p > '9' || !strict_digits (s))
    return FALSE;
  if (s->p < s->end && *s->p == '.')
    {
      s->p++;
      if (!strict_digits (s))
        return FALSE;
    }
  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
    {
      s->p++;
      if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
        s->p++;
      if (!strict_digits (s))
        return FALSE;
    }

  return TRUE;
}

static gboolean
strict_string (Strict *s)
{
  if (s->p >= s->end || *s->p != '"')
    return FALSE;
  s->p++;

  while (s->p < s->end)
    {
      guchar c = *s->p++;

      if (c == '"')
        return TRUE;
      if (c < 0x20)
        return FALSE;
      if (c != '\\')
        continue;
      if (s->p >= s->end)
        return FALSE;
      c = *s->p++;
      if (c == 'u')
        {
          for (guint i = 0; i < 4; i++, s->p++)
            if (s->p >= s->end || !g_ascii_isxdigit (*s->p))
              return FALSE;
        }
      else if (strchr ("\"\\/bfnrt", c) == NULL || c == '\0')
        return FALSE;
    }

  return FALSE;
}

static gboolean
strict_value (Strict *s)
{
  gboolean ok = FALSE;

  strict_ws (s);
  if (s->p >= s->end || ++s->depth > 256)
    return FALSE;

  switch (*s->p)
    {
    case '{':
    case '[':
      {
        char close = *s->p == '{' ? '}' : ']';
        gboolean object = close == '}';

        s->p++;
        strict_ws (s);
        if (s->p < s->end && *s->p == close)
          {
            s->p++;
            ok = TRUE;
            break;
          }
        for (;;)
          {
            if (object)
              {
                strict_ws (s);
                if (!strict_string (s))
                  break;
                strict_ws (s);
                if (s->p >= s->end || *s->p++ != ':')
                  break;
              }
            if (!strict_value (s))
              break;
            strict_ws (s);
            if (s->p < s->end && *s->p == ',')
              {
                s->p++;
                continue;
              }
            if (s->p < s->end && *s->p == close)
              {
                s->p++;
                ok = TRUE;
              }
            break;
          }
      }
      break;

    case '"':
      ok = strict_string (s);
      break;

    case 't':
      ok = strict_literal (s, "true");
      break;

    case 'f':
      ok = strict_literal (s, "false");
      break;

    case 'n':
      ok = strict_literal (s, "null");
      break;

    default:
      ok = strict_number (s);
      break;
    }

  s->depth--;

  return ok;
}

static gboolean
is_strict_json (const char *data,
                gsize       len)
{
  Strict s = { data, data + len, 0 };

  if (!g_utf8_validate (data, len, NULL) || !strict_value (&s))
    return FALSE;
  strict_ws (&s);

  return s.p == s.end;
}

static void
check_spans (StarlingJsonSpan *span,
             gsize             start,
             gsize             end)
{
  FUZZ_CHECK (span->start >= start && span->start < span->end && span->end <= end);
  for (guint i = 0; span->children != NULL && i < span->children->len; i++)
    {
      StarlingJsonSpan *child = g_ptr_array_index (span->children, i);

      check_spans (child, span->start, span->end);
      if (span->type == STARLING_JSON_SPAN_OBJECT)
        FUZZ_CHECK (child->key != NULL);
    }
}

/* The byte-offset parser must accept any (strictly) valid JSON, with every
 * value inside its parent. */
static void
fuzz_spans (const char *data,
            gsize       len)
{
  g_autoptr(StarlingJsonSpan) spans = NULL;
  g_autoptr(GError) error = NULL;

  spans = starling_json_span_parse (data, len, &error);

  if (spans == NULL)
    {
      FUZZ_CHECK (error != NULL);
      if (is_strict_json (data, len))
        {
          fprintf (stderr, "valid JSON, refused by the span parser: %s\n", error->message);
          FUZZ_CHECK (!"the span parser refused valid JSON");
        }
      return;
    }

  check_spans (spans, 0, len);
  for (gsize i = spans->end; i < len; i++)
    FUZZ_CHECK (g_ascii_isspace (data[i]));

  if (spans->type == STARLING_JSON_SPAN_STRING)
    {
      g_autofree char *s = starling_json_span_dup_string (spans, data);

      (void) starling_json_span_string_has_escapes (spans, data);
      FUZZ_CHECK (s != NULL);
    }
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  const char *base = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir ();
  g_autofree char *template = g_build_filename (base, "starling-fuzz-import-XXXXXX", NULL);

  fuzz_init_logging ();

  folder = g_mkdtemp (g_steal_pointer (&template));
  if (folder == NULL)
    g_error ("cannot make a folder in %s", base);
  db = g_build_filename (folder, "history.db", NULL);
  store = starling_store_new (db, NULL, &error);
  if (store == NULL)
    g_error ("cannot open the history: %s", error->message);
  atexit (cleanup);

  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  const char *text = (const char *) data;
  gint64 id;
  gint64 copy;

  fuzz_spans (text, size);

  id = starling_import_json_data (store, text, size, &error);
  if (id <= 0)
    {
      check_error (error);
      return 0;
    }
  FUZZ_CHECK (error == NULL);

  first = starling_export_json_to_string (store, id, &error);
  FUZZ_CHECK (first != NULL);

  copy = starling_import_json_data (store, first, strlen (first), &error);
  if (copy <= 0)
    {
      fprintf (stderr, "the export of an imported file does not import: %s\n%s\n",
               error != NULL ? error->message : "(no error)", first);
      FUZZ_CHECK (!"an export does not import");
    }
  FUZZ_CHECK (copy != id);

  second = starling_export_json_to_string (store, copy, &error);
  FUZZ_CHECK (second != NULL);
  if (strcmp (first, second) != 0)
    {
      fprintf (stderr, "first export:\n%s\nits import, exported:\n%s\n", first, second);
      FUZZ_CHECK (!"a conversation changed in an export and import round");
    }

  FUZZ_CHECK (starling_store_purge_conversation (store, id, &error));
  FUZZ_CHECK (starling_store_purge_conversation (store, copy, &error));

  /* images of purged conversations leave blob files behind until collected */
  if (++n_imported % 256 == 0)
    FUZZ_CHECK (starling_store_collect_garbage (store, &error) >= 0);

  return 0;
}

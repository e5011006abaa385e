/* starling-fts-tokenizer.c: unicode61, with CJK text cut into characters
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "starling-store-private.h"

/* unicode61 keeps a run of letters together: "日本語のテキスト" would be one
 * token and "テキスト" could not be found in it. Chinese and Japanese have no
 * spaces between words (Korean mixes particles into words), so every CJK
 * character becomes a token of its own; a quoted query of several characters
 * is then a phrase that matches them in a row, anywhere. */

typedef struct
{
  fts5_tokenizer  base;
  void           *base_context;
} TokenizerModule;

typedef struct
{
  TokenizerModule *module;
  Fts5Tokenizer   *inner;
} StarlingTokenizer;

typedef struct
{
  void *ctx;
  int (*token) (void *, int, const char *, int, int, int);
} TokenizeContext;

static gboolean
is_cjk (gunichar c)
{
  return (c >= 0x2E80 && c <= 0x2FDF) ||   /* radicals */
         (c >= 0x3040 && c <= 0x312F) ||   /* hiragana, katakana, bopomofo */
         (c >= 0x31F0 && c <= 0x31FF) ||   /* katakana extension */
         (c >= 0x3400 && c <= 0x4DBF) ||   /* CJK extension A */
         (c >= 0x4E00 && c <= 0x9FFF) ||   /* CJK unified ideographs */
         (c >= 0xAC00 && c <= 0xD7AF) ||   /* hangul syllables */
         (c >= 0xF900 && c <= 0xFAFF) ||   /* compatibility ideographs */
         (c >= 0xFF66 && c <= 0xFF9F) ||   /* halfwidth katakana */
         (c >= 0x20000 && c <= 0x3FFFF);   /* supplementary ideographs */
}

static int
emit_piece (TokenizeContext *tc,
            int              tflags,
            const char      *token,
            const char      *piece,
            const char      *piece_end,
            gboolean         offsets_match,
            int              start,
            int              end)
{
  int s = offsets_match ? start + (int) (piece - token) : start;
  int e = offsets_match ? start + (int) (piece_end - token) : end;

  return tc->token (tc->ctx, tflags, piece, piece_end - piece, s, e);
}

static int
token_cb (void       *user_data,
          int         tflags,
          const char *token,
          int         n_token,
          int         start,
          int         end)
{
  TokenizeContext *tc = user_data;
  const char *limit = token + n_token;
  const char *run = NULL;
  gboolean has_cjk = FALSE;
  gboolean offsets_match;
  int rc;

  if (!g_utf8_validate (token, n_token, NULL))
    return tc->token (tc->ctx, tflags, token, n_token, start, end);

  for (const char *p = token; p < limit; p = g_utf8_next_char (p))
    if ((guchar) *p >= 0xE0 && is_cjk (g_utf8_get_char (p)))
      {
        has_cjk = TRUE;
        break;
      }

  if (!has_cjk)
    return tc->token (tc->ctx, tflags, token, n_token, start, end);

  /* Folding leaves CJK alone, so the token's bytes are those of the text
   * unless a letter around them changed length; then use the whole span. */
  offsets_match = (end - start) == n_token;

  for (const char *p = token; p < limit;)
    {
      const char *next = g_utf8_next_char (p);

      if (is_cjk (g_utf8_get_char (p)))
        {
          if (run != NULL)
            {
              rc = emit_piece (tc, tflags, token, run, p, offsets_match, start, end);
              if (rc != SQLITE_OK)
                return rc;
              run = NULL;
            }
          rc = emit_piece (tc, tflags, token, p, next, offsets_match, start, end);
          if (rc != SQLITE_OK)
            return rc;
        }
      else if (run == NULL)
        run = p;

      p = next;
    }

  if (run != NULL)
    return emit_piece (tc, tflags, token, run, limit, offsets_match, start, end);

  return SQLITE_OK;
}

static int
tokenizer_create (void           *context,
                  const char    **args,
                  int             n_args,
                  Fts5Tokenizer **out)
{
  TokenizerModule *module = context;
  StarlingTokenizer *self = g_new0 (StarlingTokenizer, 1);
  int rc;

  self->module = module;
  rc = module->base.xCreate (module->base_context, args, n_args, &self->inner);
  if (rc != SQLITE_OK)
    {
      g_free (self);
      return rc;
    }

  *out = (Fts5Tokenizer *) self;
  return SQLITE_OK;
}

static void
tokenizer_delete (Fts5Tokenizer *tokenizer)
{
  StarlingTokenizer *self = (StarlingTokenizer *) tokenizer;

  self->module->base.xDelete (self->inner);
  g_free (self);
}

static int
tokenizer_tokenize (Fts5Tokenizer *tokenizer,
                    void          *ctx,
                    int            flags,
                    const char    *text,
                    int            n_text,
                    int          (*token) (void *, int, const char *, int, int, int))
{
  StarlingTokenizer *self = (StarlingTokenizer *) tokenizer;
  TokenizeContext tc = { ctx, token };

  return self->module->base.xTokenize (self->inner, &tc, flags, text, n_text, token_cb);
}

static fts5_api *
get_fts5_api (sqlite3 *db)
{
  fts5_api *api = NULL;
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT fts5(?1)", -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_pointer (stmt, 1, (void *) &api, "fts5_api_ptr", NULL);
  sqlite3_step (stmt);
  sqlite3_finalize (stmt);

  return api;
}

gboolean
starling_fts_tokenizer_register (sqlite3  *db,
                                 GError  **error)
{
  fts5_api *api = get_fts5_api (db);
  TokenizerModule *module;
  fts5_tokenizer methods = { tokenizer_create, tokenizer_delete, tokenizer_tokenize };

  if (api == NULL || api->iVersion < 2)
    {
      g_set_error_literal (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_FAILED,
                           "SQLite was built without FTS5");
      return FALSE;
    }

  module = g_new0 (TokenizerModule, 1);
  if (api->xFindTokenizer (api, "unicode61", &module->base_context, &module->base) != SQLITE_OK)
    {
      g_free (module);
      g_set_error_literal (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_FAILED,
                           "The FTS5 tokenizer unicode61 is missing");
      return FALSE;
    }

  if (api->xCreateTokenizer (api, "starling", module, &methods, g_free) != SQLITE_OK)
    {
      g_free (module);
      g_set_error_literal (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_FAILED,
                           "Could not register the FTS5 tokenizer");
      return FALSE;
    }

  return TRUE;
}

/* The tokenizer outside FTS5: the same words the index has, with their
 * places in the text, for snippets made in C. */

struct _StoreTokenizer
{
  fts5_tokenizer  methods;
  Fts5Tokenizer  *instance;
};

static void
store_token_clear (gpointer data)
{
  g_free (((StoreToken *) data)->folded);
}

StoreTokenizer *
store_tokenizer_new (sqlite3 *db)
{
  static const char *args[] = { "remove_diacritics", "2" };
  fts5_api *api = get_fts5_api (db);
  StoreTokenizer *self;
  void *context = NULL;

  if (api == NULL)
    return NULL;

  self = g_new0 (StoreTokenizer, 1);
  if (api->xFindTokenizer (api, "starling", &context, &self->methods) != SQLITE_OK ||
      self->methods.xCreate (context, args, G_N_ELEMENTS (args), &self->instance) != SQLITE_OK)
    {
      g_free (self);
      return NULL;
    }

  return self;
}

void
store_tokenizer_free (StoreTokenizer *self)
{
  if (self == NULL)
    return;

  self->methods.xDelete (self->instance);
  g_free (self);
}

static int
collect_token_cb (void       *user_data,
                  int         tflags,
                  const char *token,
                  int         n_token,
                  int         start,
                  int         end)
{
  GArray *tokens = user_data;
  StoreToken t;

  if (tflags & FTS5_TOKEN_COLOCATED)
    return SQLITE_OK;

  t.folded = g_strndup (token, n_token);
  t.start = start;
  t.end = end;
  g_array_append_val (tokens, t);

  return SQLITE_OK;
}

/**
 * store_tokenizer_run:
 * @self: a #StoreTokenizer
 * @text: text
 * @query: %TRUE to tokenize a query, %FALSE a document
 *
 * Returns: (transfer full) (element-type StoreToken): the tokens
 */
GArray *
store_tokenizer_run (StoreTokenizer *self,
                     const char     *text,
                     gboolean        query)
{
  GArray *tokens = g_array_new (FALSE, FALSE, sizeof (StoreToken));

  g_array_set_clear_func (tokens, store_token_clear);
  self->methods.xTokenize (self->instance, tokens,
                           query ? FTS5_TOKENIZE_QUERY : FTS5_TOKENIZE_DOCUMENT,
                           text, strlen (text), collect_token_cb);

  return tokens;
}

/* gem-sse-decoder.c: incremental decoder of server-sent events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "gem-error.h"
#include "gem-sse-decoder.h"

/* Room for the field name in front of a data line at the size limit. */
#define LINE_SLACK 64

/* A data line at least this long that starts an event becomes the event's
 * buffer as it is, instead of being copied into it (images: megabytes). */
#define ADOPT_LINE_SIZE (64 * 1024)

struct _GemSseDecoder
{
  gsize    max_event_size;

  GString *line;        /* the unfinished line, only when a line spans two feeds */
  GString *data;        /* data lines of the current event, joined with \n, from data_start */
  gsize    data_start;  /* where the event starts in data: after "data: " of an adopted line */
  GString *raw;         /* a raw JSON value being collected */
  guint    n_data_lines;
  guint    raw_depth;
  guint    bom_matched;

  guint    mid_line : 1;       /* some bytes of the current line were consumed */
  guint    discard_line : 1;   /* drop the rest of the current line (after raw JSON) */
  guint    skip_lf : 1;        /* the last line ended with \r: a \n next belongs to it */
  guint    bom_checked : 1;
  guint    in_raw : 1;
  guint    raw_in_string : 1;
  guint    raw_escape : 1;

  GString **emitting;   /* while an event handler runs: the buffer it was given */
  gsize     emitting_start;

  GError  *failure;     /* sticky: a failed decoder keeps failing */
};

static const char bom[] = "\xEF\xBB\xBF";

static gboolean
fail (GemSseDecoder  *self,
      GError         *error,
      GError        **out_error)
{
  g_clear_error (&self->failure);
  self->failure = g_error_copy (error);
  g_propagate_error (out_error, error);

  return FALSE;
}

static gboolean
fail_too_large (GemSseDecoder  *self,
                gsize           size,
                GError        **error)
{
  g_autofree char *limit = g_format_size_full (self->max_event_size, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *details = NULL;
  GError *local;

  details = g_strdup_printf ("SSE event of at least %" G_GSIZE_FORMAT " bytes, limit %"
                             G_GSIZE_FORMAT, size, self->max_event_size);
  local = g_error_new (GEM_ERROR, GEM_ERROR_EVENT_TOO_LARGE,
                       /* Translators: %s is a size such as "64.0 MiB" */
                       _("The server sent a part of the answer larger than %s, the most that is "
                         "accepted."),
                       limit);
  gem_error_set_api_message (local, details);

  return fail (self, local, error);
}

static gboolean
emit (GemSseDecoder    *self,
      GemSseEventKind   kind,
      GString         **payload,
      gsize             start,
      GemSseEventFunc   func,
      gpointer          user_data,
      GError          **error)
{
  GError *local = NULL;
  gboolean ok;

  self->emitting = payload;
  self->emitting_start = start;
  ok = func (kind, (*payload)->str + start, (*payload)->len - start, user_data, &local);
  self->emitting = NULL;

  if (ok)
    return TRUE;

  if (local == NULL)
    local = gem_error_new_with_details (GEM_ERROR_MALFORMED_RESPONSE,
                                        "the event handler failed without an error");

  return fail (self, local, error);
}

static gboolean
dispatch (GemSseDecoder    *self,
          GemSseEventFunc   func,
          gpointer          user_data,
          GError          **error)
{
  gboolean ret = TRUE;

  if (self->n_data_lines == 0)
    return TRUE;

  self->n_data_lines = 0;

  /* As in the SSE spec, an event whose data is empty is not dispatched. */
  if (self->data->len > self->data_start)
    ret = emit (self, GEM_SSE_EVENT_DATA, &self->data, self->data_start, func, user_data, error);

  g_string_truncate (self->data, 0);
  self->data_start = 0;

  return ret;
}

static gboolean
process_line (GemSseDecoder    *self,
              const char       *line,
              gsize             len,
              GemSseEventFunc   func,
              gpointer          user_data,
              GError          **error)
{
  const char *colon;
  const char *value;
  gsize name_len;
  gsize value_len;
  gsize needed;

  if (len == 0)
    return dispatch (self, func, user_data, error);

  if (line[0] == ':')
    return TRUE;

  colon = memchr (line, ':', len);
  if (colon != NULL)
    {
      name_len = colon - line;
      value = colon + 1;
      if (value < line + len && *value == ' ')
        value++;
      value_len = line + len - value;
    }
  else
    {
      name_len = len;
      value = "";
      value_len = 0;
    }

  /* event:, id:, retry: and anything unknown carry nothing for us. */
  if (name_len != 4 || memcmp (line, "data", 4) != 0)
    return TRUE;

  needed = self->data->len - self->data_start + (self->n_data_lines > 0 ? 1 : 0) + value_len;
  if (needed > self->max_event_size)
    return fail_too_large (self, needed, error);

  /* The first data line of an event, held in self->line: take its buffer
   * (the caller empties self->line, which is then the old data buffer). */
  if (self->n_data_lines == 0 && line == self->line->str && value_len >= ADOPT_LINE_SIZE)
    {
      GString *swap = self->data;

      self->data = self->line;
      self->line = swap;
      self->data_start = value - self->data->str;
      self->n_data_lines++;
      return TRUE;
    }

  if (self->n_data_lines > 0)
    g_string_append_c (self->data, '\n');
  g_string_append_len (self->data, value, value_len);
  self->n_data_lines++;

  return TRUE;
}

/* Collects a JSON value until its brackets balance, minding strings and escapes. */
static gboolean
scan_raw (GemSseDecoder    *self,
          const char      **pp,
          const char       *end,
          GemSseEventFunc   func,
          gpointer          user_data,
          GError          **error)
{
  const char *start = *pp;
  const char *p = start;
  gboolean complete = FALSE;

  while (p < end)
    {
      char c = *p++;

      if (self->raw_in_string)
        {
          if (self->raw_escape)
            self->raw_escape = FALSE;
          else if (c == '\\')
            self->raw_escape = TRUE;
          else if (c == '"')
            self->raw_in_string = FALSE;
          continue;
        }

      if (c == '"')
        self->raw_in_string = TRUE;
      else if (c == '{' || c == '[')
        self->raw_depth++;
      else if ((c == '}' || c == ']') && --self->raw_depth == 0)
        {
          complete = TRUE;
          break;
        }
    }

  *pp = p;

  if (self->raw->len + (p - start) > self->max_event_size)
    return fail_too_large (self, self->raw->len + (p - start), error);

  g_string_append_len (self->raw, start, p - start);

  if (!complete)
    return TRUE;

  self->in_raw = FALSE;
  self->mid_line = TRUE;
  self->discard_line = TRUE;

  if (!emit (self, GEM_SSE_EVENT_RAW_JSON, &self->raw, 0, func, user_data, error))
    return FALSE;

  g_string_truncate (self->raw, 0);

  return TRUE;
}

/* The first \r or \n in [p, end), or NULL. */
static inline const char *
find_eol (const char *p,
          const char *end)
{
  const char *lf = memchr (p, '\n', end - p);
  const char *cr = memchr (p, '\r', (lf != NULL ? lf : end) - p);

  return cr != NULL ? cr : lf;
}

/**
 * gem_sse_decoder_new:
 * @max_event_size: the largest event accepted, in bytes; 0 for the default (64 MiB)
 *
 * Returns: (transfer full): a new decoder
 */
GemSseDecoder *
gem_sse_decoder_new (gsize max_event_size)
{
  GemSseDecoder *self = g_new0 (GemSseDecoder, 1);

  self->max_event_size = max_event_size > 0 ? max_event_size
                                             : GEM_SSE_DECODER_DEFAULT_MAX_EVENT_SIZE;
  self->line = g_string_new (NULL);
  self->data = g_string_sized_new (4096);
  self->raw = g_string_new (NULL);

  return self;
}

void
gem_sse_decoder_free (GemSseDecoder *self)
{
  if (self == NULL)
    return;

  g_string_free (self->line, TRUE);
  g_string_free (self->data, TRUE);
  g_string_free (self->raw, TRUE);
  g_clear_error (&self->failure);
  g_free (self);
}

/**
 * gem_sse_decoder_reset:
 * @self: a #GemSseDecoder
 *
 * Forgets everything fed so far, including a failure, to decode a new body.
 */
void
gem_sse_decoder_reset (GemSseDecoder *self)
{
  g_return_if_fail (self != NULL);

  g_string_truncate (self->line, 0);
  g_string_truncate (self->data, 0);
  self->data_start = 0;
  g_string_truncate (self->raw, 0);
  self->n_data_lines = 0;
  self->raw_depth = 0;
  self->bom_matched = 0;
  self->mid_line = FALSE;
  self->discard_line = FALSE;
  self->skip_lf = FALSE;
  self->bom_checked = FALSE;
  self->in_raw = FALSE;
  self->raw_in_string = FALSE;
  self->raw_escape = FALSE;
  g_clear_error (&self->failure);
}

/**
 * gem_sse_decoder_feed:
 * @self: a #GemSseDecoder
 * @data: (array length=len): the next bytes of the body, split anywhere
 * @len: how many
 * @func: called for every complete event
 * @user_data: passed to @func
 * @error: a place for an error
 *
 * Decodes as many events as @data completes. Line ends may be `\n`, `\r\n`
 * or `\r`; several `data:` lines of one event are joined with `\n`; comment
 * lines and fields other than `data` are ignored. A line that starts with
 * `{` or `[` begins a raw JSON value, collected until its brackets balance
 * and passed as %GEM_SSE_EVENT_RAW_JSON.
 *
 * Returns: %FALSE if an event was too large or @func failed; the decoder
 *   then keeps failing until reset
 */
gboolean
gem_sse_decoder_feed (GemSseDecoder    *self,
                      const char       *data,
                      gsize             len,
                      GemSseEventFunc   func,
                      gpointer          user_data,
                      GError          **error)
{
  const char *p = data;
  const char *end = data + len;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (self->failure != NULL)
    {
      g_propagate_error (error, g_error_copy (self->failure));
      return FALSE;
    }

  while (p < end)
    {
      const char *eol;

      if (self->skip_lf)
        {
          self->skip_lf = FALSE;
          if (*p == '\n')
            {
              p++;
              continue;
            }
        }

      if (G_UNLIKELY (!self->bom_checked))
        {
          if ((guchar) *p == (guchar) bom[self->bom_matched])
            {
              p++;
              if (++self->bom_matched == 3)
                self->bom_checked = TRUE;
              continue;
            }

          /* Not a byte-order mark after all: what matched is the start of a line. */
          self->bom_checked = TRUE;
          if (self->bom_matched > 0)
            {
              g_string_append_len (self->line, bom, self->bom_matched);
              self->mid_line = TRUE;
            }
        }

      if (self->in_raw)
        {
          if (!scan_raw (self, &p, end, func, user_data, error))
            return FALSE;
          continue;
        }

      if (!self->mid_line && (*p == '{' || *p == '['))
        {
          if (!dispatch (self, func, user_data, error))
            return FALSE;

          self->in_raw = TRUE;
          self->raw_depth = 0;
          self->raw_in_string = FALSE;
          self->raw_escape = FALSE;
          g_string_truncate (self->raw, 0);
          continue;
        }

      eol = find_eol (p, end);

      if (eol == NULL)
        {
          if (!self->discard_line)
            {
              if (self->line->len + (end - p) > self->max_event_size + LINE_SLACK)
                return fail_too_large (self, self->line->len + (end - p), error);
              g_string_append_len (self->line, p, end - p);
            }
          self->mid_line = TRUE;
          break;
        }

      if (*eol == '\r')
        self->skip_lf = TRUE;

      if (self->discard_line)
        self->discard_line = FALSE;
      else if (self->line->len > 0)
        {
          if (self->line->len + (eol - p) > self->max_event_size + LINE_SLACK)
            return fail_too_large (self, self->line->len + (eol - p), error);

          g_string_append_len (self->line, p, eol - p);
          if (!process_line (self, self->line->str, self->line->len, func, user_data, error))
            return FALSE;
          g_string_truncate (self->line, 0);
        }
      else
        {
          if ((gsize) (eol - p) > self->max_event_size + LINE_SLACK)
            return fail_too_large (self, eol - p, error);
          if (!process_line (self, p, eol - p, func, user_data, error))
            return FALSE;
        }

      self->mid_line = FALSE;
      p = eol + 1;
    }

  return TRUE;
}

/**
 * gem_sse_decoder_finish:
 * @self: a #GemSseDecoder
 * @func: called for the last event, if the body did not end with a blank line
 * @user_data: passed to @func
 * @error: a place for an error
 *
 * Ends the body: emits a last event left without its blank line, and fails
 * with %GEM_ERROR_INTERRUPTED if the body ended inside a raw JSON value. The
 * decoder is then reset, ready for another body.
 *
 * Returns: %TRUE if the body ended cleanly
 */
gboolean
gem_sse_decoder_finish (GemSseDecoder    *self,
                        GemSseEventFunc   func,
                        gpointer          user_data,
                        GError          **error)
{
  gboolean ret = TRUE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (self->failure != NULL)
    {
      g_propagate_error (error, g_error_copy (self->failure));
      gem_sse_decoder_reset (self);
      return FALSE;
    }

  if (self->in_raw)
    {
      g_autofree char *details = g_strdup_printf ("the body ended inside a JSON value after %"
                                                  G_GSIZE_FORMAT " bytes", self->raw->len);

      g_propagate_error (error, gem_error_new_with_details (GEM_ERROR_INTERRUPTED, details));
      gem_sse_decoder_reset (self);
      return FALSE;
    }

  if (self->line->len > 0 && !self->discard_line)
    ret = process_line (self, self->line->str, self->line->len, func, user_data, error);

  if (ret)
    ret = dispatch (self, func, user_data, error);

  gem_sse_decoder_reset (self);

  return ret;
}

/**
 * gem_sse_decoder_steal_payload:
 * @self: a #GemSseDecoder
 *
 * Only from inside a #GemSseEventFunc: takes the event's payload, the same
 * bytes the handler was given (they stay valid), without copying them. The
 * decoder goes on with a new buffer. For large events that are kept after
 * the handler returns.
 *
 * Returns: (transfer full): the payload, NUL-terminated after its length
 */
GBytes *
gem_sse_decoder_steal_payload (GemSseDecoder *self)
{
  GString *buffer;
  gsize start;
  g_autoptr(GBytes) whole = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->emitting != NULL, NULL);

  buffer = *self->emitting;
  start = self->emitting_start;
  *self->emitting = g_string_sized_new (4096);
  if (self->emitting == &self->data)
    self->data_start = 0;
  self->emitting = NULL;

  whole = g_string_free_to_bytes (buffer);
  if (start == 0)
    return g_steal_pointer (&whole);

  return g_bytes_new_from_bytes (whole, start, g_bytes_get_size (whole) - start);
}

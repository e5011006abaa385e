/* fuzz-sse-decoder.c: the incremental SSE decoder, whole and in slices
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input: 4 control bytes, then the body.
 *   [0] the event size limit (0-3: the default, else a small one)
 *   [1] the handler fails on this event (0-127), never (128-255)
 *   [2..3] the seed of the slicing
 *
 * The body is decoded twice with the same decoder (the first finish resets
 * it): in one feed, then in slices whose lengths come from the seed (single
 * bytes, small, medium or large, with empty feeds among them). Both runs must
 * deliver the same events and end the same way: a decoder for bytes from a
 * socket cannot depend on where the reads happened to split them.
 */

#include "config.h"

#include <string.h>

#include "gem-error.h"
#include "gem-sse-decoder.h"

#include "fuzz-common.h"

typedef struct
{
  GByteArray *log;        /* kind, length, payload of each event */
  guint       n_events;
  guint       fail_at;    /* G_MAXUINT: never */
  GemSseDecoder *steal_from;  /* NULL: leave the payloads to the decoder */
} Run;

static gboolean
event_cb (GemSseEventKind   kind,
          const char       *payload,
          gsize             len,
          gpointer          user_data,
          GError          **error)
{
  Run *run = user_data;
  guint8 k = (guint8) kind;
  guint64 l = len;
  g_autoptr(GBytes) stolen = NULL;

  /* What the header promises about every payload. */
  FUZZ_CHECK (payload != NULL);
  FUZZ_CHECK (payload[len] == '\0');
  FUZZ_CHECK (kind == GEM_SSE_EVENT_DATA || kind == GEM_SSE_EVENT_RAW_JSON);
  if (kind == GEM_SSE_EVENT_DATA)
    {
      /* lines end at \r or \n, and an empty event is never dispatched */
      FUZZ_CHECK (len > 0);
      FUZZ_CHECK (memchr (payload, '\r', len) == NULL);
    }
  else
    {
      FUZZ_CHECK (len > 0);
      FUZZ_CHECK (payload[0] == '{' || payload[0] == '[');
    }

  if (run->steal_from != NULL)
    {
      stolen = gem_sse_decoder_steal_payload (run->steal_from);
      FUZZ_CHECK (g_bytes_get_data (stolen, NULL) == (gconstpointer) payload);
      FUZZ_CHECK (g_bytes_get_size (stolen) == len);
    }

  g_byte_array_append (run->log, &k, 1);
  g_byte_array_append (run->log, (const guint8 *) &l, sizeof l);
  g_byte_array_append (run->log, (const guint8 *) payload, len);

  if (run->n_events++ == run->fail_at)
    {
      g_set_error_literal (error, GEM_ERROR, GEM_ERROR_MALFORMED_RESPONSE, "handler failed");
      return FALSE;
    }

  return TRUE;
}

/* The outcome of a whole body: how feeding ended and how finishing ended. */
typedef struct
{
  gboolean feed_ok;
  int      feed_code;
  gboolean finish_ok;
  int      finish_code;
} Outcome;

static void
check_error (const GError *error)
{
  FUZZ_CHECK (error != NULL);
  FUZZ_CHECK (error->domain == GEM_ERROR);
  FUZZ_CHECK (error->message != NULL && error->message[0] != '\0');
  FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL));
}

static void
finish (GemSseDecoder *decoder,
        Run           *run,
        Outcome       *out)
{
  g_autoptr(GError) error = NULL;

  out->finish_ok = gem_sse_decoder_finish (decoder, event_cb, run, &error);
  if (!out->finish_ok)
    {
      check_error (error);
      out->finish_code = error->code;
    }
  else
    FUZZ_CHECK (error == NULL);
}

static void
feed_whole (GemSseDecoder *decoder,
            const char    *body,
            gsize          len,
            Run           *run,
            Outcome       *out)
{
  g_autoptr(GError) error = NULL;

  out->feed_ok = gem_sse_decoder_feed (decoder, body, len, event_cb, run, &error);
  if (!out->feed_ok)
    {
      check_error (error);
      out->feed_code = error->code;
    }
  finish (decoder, run, out);
}

static void
feed_sliced (GemSseDecoder *decoder,
             const char    *body,
             gsize          len,
             guint32        seed,
             Run           *run,
             Outcome       *out)
{
  static const gsize max_slice[] = { 1, 8, 64, 4096 };
  gsize largest = max_slice[seed & 3];
  guint32 state = seed | 0x10000;
  gsize offset = 0;

  out->feed_ok = TRUE;

  while (offset < len)
    {
      g_autoptr(GError) error = NULL;
      guint32 r = fuzz_next (&state);
      gsize slice = (r & 15) == 0 ? 0 : MIN (1 + (r >> 4) % largest, len - offset);
      gboolean ok = gem_sse_decoder_feed (decoder, body + offset, slice, event_cb, run, &error);

      if (!ok)
        {
          check_error (error);
          /* a failed decoder keeps failing the same way */
          if (out->feed_ok)
            out->feed_code = error->code;
          else
            FUZZ_CHECK (out->feed_code == error->code);
          out->feed_ok = FALSE;
        }
      else
        FUZZ_CHECK (out->feed_ok);

      offset += slice;
    }

  finish (decoder, run, out);
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
  static const gsize limits[] = { 1, 2, 7, 32, 100, 1000, 4096, 65536 };
  g_autoptr(GemSseDecoder) decoder = NULL;
  Run whole = { 0, };
  Run sliced = { 0, };
  Outcome whole_out = { 0, };
  Outcome sliced_out = { 0, };
  const char *body;
  gsize len;
  gsize limit;
  guint fail_at;
  guint32 seed;

  if (size < 4)
    return 0;

  limit = data[0] < 4 ? 0 : limits[data[0] % G_N_ELEMENTS (limits)];
  fail_at = data[1] < 128 ? data[1] : G_MAXUINT;
  seed = data[2] | (data[3] << 8);
  body = (const char *) data + 4;
  len = size - 4;

  decoder = gem_sse_decoder_new (limit);
  whole.log = g_byte_array_new ();
  whole.fail_at = fail_at;
  sliced.log = g_byte_array_new ();
  sliced.fail_at = fail_at;
  sliced.steal_from = decoder;

  feed_whole (decoder, body, len, &whole, &whole_out);
  /* finish reset the decoder: the same one must decode the body afresh */
  feed_sliced (decoder, body, len, seed, &sliced, &sliced_out);

  if (whole.n_events != sliced.n_events ||
      whole.log->len != sliced.log->len ||
      (whole.log->len > 0 && memcmp (whole.log->data, sliced.log->data, whole.log->len) != 0) ||
      whole_out.feed_ok != sliced_out.feed_ok ||
      (!whole_out.feed_ok && whole_out.feed_code != sliced_out.feed_code) ||
      whole_out.finish_ok != sliced_out.finish_ok ||
      (!whole_out.finish_ok && whole_out.finish_code != sliced_out.finish_code))
    {
      fprintf (stderr, "one feed: %u events, feed %d (%d), finish %d (%d)\n"
               "slices:   %u events, feed %d (%d), finish %d (%d)\n",
               whole.n_events, whole_out.feed_ok, whole_out.feed_code,
               whole_out.finish_ok, whole_out.finish_code,
               sliced.n_events, sliced_out.feed_ok, sliced_out.feed_code,
               sliced_out.finish_ok, sliced_out.finish_code);
      FUZZ_CHECK (!"the body decoded differently when sliced");
    }

  /* a failure is sticky until finish, and finish reports it */
  FUZZ_CHECK (whole_out.feed_ok || !whole_out.finish_ok);

  g_byte_array_unref (whole.log);
  g_byte_array_unref (sliced.log);

  return 0;
}

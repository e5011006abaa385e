/* bench-decode.c: SSE + JSON decoding and chunk merging, throughput and latency
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Takes the long recorded stream, repeats its events to about 10 MB and
 * measures: the whole pipeline (SSE decoder, JSON parse, merge) in MB/s,
 * best of 5, fed in 16 KiB reads as from a socket; the SSE decoder alone;
 * and the latency from the bytes of one delta to the merged message, as
 * median and 99th percentile.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gem-response.h"
#include "gem-sse-decoder.h"

#define TARGET_BYTES (10 * 1000 * 1000)
#define READ_SIZE    (16 * 1024)
#define RUNS         5

static double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);

  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static gboolean
merge_cb (GemSseEventKind   kind,
          const char       *payload,
          gsize             len,
          gpointer          user_data,
          GError          **error)
{
  return gem_response_merge_event (user_data, payload, len, error);
}

static gboolean
count_cb (GemSseEventKind   kind,
          const char       *payload,
          gsize             len,
          gpointer          user_data,
          GError          **error)
{
  gsize *total = user_data;

  *total += len;

  return TRUE;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static GemResponse *
decode_all (const char *body,
            gsize       len,
            double     *seconds)
{
  g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (0);
  g_autoptr(GemResponse) response = gem_response_new ();
  g_autoptr(GError) error = NULL;
  double start = now_seconds ();

  for (gsize offset = 0; offset < len; offset += READ_SIZE)
    if (!gem_sse_decoder_feed (decoder, body + offset, MIN (READ_SIZE, len - offset),
                               merge_cb, response, &error))
      g_error ("decoding failed: %s", error->message);
  if (!gem_sse_decoder_finish (decoder, merge_cb, response, &error))
    g_error ("decoding failed: %s", error->message);

  *seconds = now_seconds () - start;

  return g_steal_pointer (&response);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *path = NULL;
  g_autofree char *one = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GArray) event_ends = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autoptr(GemResponse) single = NULL;
  g_autofree double *latencies = NULL;
  const char *corpus = g_getenv ("STARLING_CORPUS_DIR");
  double best = G_MAXDOUBLE;
  double best_sse = G_MAXDOUBLE;
  double seconds;
  gsize one_len;
  guint repeats;
  guint n_events;

  if (corpus == NULL)
    g_error ("STARLING_CORPUS_DIR is not set");

  path = g_build_filename (corpus, "recorded", "googleai",
                           "streaming-success-basic-reply-long.txt", NULL);
  if (!g_file_get_contents (path, &one, &one_len, NULL))
    g_error ("cannot read %s", path);

  single = decode_all (one, one_len, &seconds);
  repeats = (TARGET_BYTES + one_len - 1) / one_len;
  for (guint i = 0; i < repeats; i++)
    g_string_append_len (body, one, one_len);

  /* Where each event's bytes end: right after its blank line. */
  for (const char *p = body->str; (p = strstr (p, "\r\n\r\n")) != NULL; p += 4)
    {
      gsize end = p + 4 - body->str;

      g_array_append_val (event_ends, end);
    }
  n_events = event_ends->len;

  g_print ("# the long recorded stream repeated %u times: %" G_GSIZE_FORMAT " bytes, %u events, %"
           G_GSIZE_FORMAT " bytes of text\n", repeats, body->len, n_events,
           repeats * gem_response_get_text_length (single));

  for (guint run = 0; run < RUNS; run++)
    {
      g_autoptr(GemResponse) response = decode_all (body->str, body->len, &seconds);

      /* The merged text is the one answer's text, repeated: nothing lost or doubled. */
      if (gem_response_get_text_length (response) !=
            repeats * gem_response_get_text_length (single) ||
          gem_response_get_n_chunks (response) != n_events ||
          json_array_get_length (gem_response_get_parts (response)) != 1)
        g_error ("the merged response is wrong");

      best = MIN (best, seconds);
    }

  for (guint run = 0; run < RUNS; run++)
    {
      g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (0);
      gsize payload = 0;
      double start = now_seconds ();

      for (gsize offset = 0; offset < body->len; offset += READ_SIZE)
        gem_sse_decoder_feed (decoder, body->str + offset, MIN (READ_SIZE, body->len - offset),
                              count_cb, &payload, NULL);
      gem_sse_decoder_finish (decoder, count_cb, &payload, NULL);
      best_sse = MIN (best_sse, now_seconds () - start);

      /* every byte but the framing ("data: " and the blank lines) is payload */
      if (payload != body->len - n_events * strlen ("data: \r\n\r\n"))
        g_error ("the SSE decoder delivered %" G_GSIZE_FORMAT " bytes of payload", payload);
    }

  /* Latency: the bytes of one event in, the merged message out. */
  {
    g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (0);
    g_autoptr(GemResponse) response = gem_response_new ();
    gsize start = 0;

    latencies = g_new (double, n_events);
    for (guint i = 0; i < n_events; i++)
      {
        gsize end = g_array_index (event_ends, gsize, i);
        double t0 = now_seconds ();

        gem_sse_decoder_feed (decoder, body->str + start, end - start, merge_cb, response, NULL);
        latencies[i] = (now_seconds () - t0) * 1e6;
        start = end;
      }

    if (gem_response_get_n_chunks (response) != n_events)
      g_error ("latency run merged %u events of %u", gem_response_get_n_chunks (response),
               n_events);

    qsort (latencies, n_events, sizeof (double), compare_doubles);
  }

  g_print ("decode_throughput_mb_s %.1f\n", body->len / 1e6 / best);
  g_print ("sse_only_throughput_mb_s %.1f\n", body->len / 1e6 / best_sse);
  g_print ("delta_latency_median_us %.1f\n", latencies[n_events / 2]);
  g_print ("delta_latency_p99_us %.1f\n", latencies[(gsize) (n_events * 0.99)]);

  return EXIT_SUCCESS;
}

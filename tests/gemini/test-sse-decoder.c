/* test-sse-decoder.c: the incremental SSE decoder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "corpus-expectations.h"
#include "gem-error.h"
#include "gem-sse-decoder.h"

/* Events are recorded as "D:" or "R:" + payload, each followed by a NUL. */
static gboolean
record_cb (GemSseEventKind   kind,
           const char       *payload,
           gsize             len,
           gpointer          user_data,
           GError          **error)
{
  GString *out = user_data;

  g_assert_true (kind == GEM_SSE_EVENT_DATA || kind == GEM_SSE_EVENT_RAW_JSON);
  g_assert_cmpint (payload[len], ==, '\0');
  g_string_append (out, kind == GEM_SSE_EVENT_DATA ? "D:" : "R:");
  g_string_append_len (out, payload, len);
  g_string_append_c (out, '\0');

  return TRUE;
}

static GString *
decode_slices (const char  *data,
               gsize        len,
               const gsize *cuts,
               guint        n_cuts)
{
  g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (0);
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);
  gsize start = 0;

  for (guint i = 0; i <= n_cuts; i++)
    {
      gsize end = i < n_cuts ? cuts[i] : len;

      gem_sse_decoder_feed (decoder, data + start, end - start, record_cb, out, &error);
      g_assert_no_error (error);
      start = end;
    }

  gem_sse_decoder_finish (decoder, record_cb, out, &error);
  g_assert_no_error (error);

  return out;
}

static GString *
decode_whole (const char *data)
{
  return decode_slices (data, strlen (data), NULL, 0);
}

static GString *
decode_bytewise (const char *data,
                 gsize       len)
{
  g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (0);
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);

  for (gsize i = 0; i < len; i++)
    {
      gem_sse_decoder_feed (decoder, data + i, 1, record_cb, out, &error);
      g_assert_no_error (error);
    }
  gem_sse_decoder_finish (decoder, record_cb, out, &error);
  g_assert_no_error (error);

  return out;
}

/* Turns the recording into a NULL-terminated list, for readable assertions. */
static GStrv
events_of (GString *recording)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new ();

  for (gsize i = 0; i < recording->len; i += strlen (recording->str + i) + 1)
    g_ptr_array_add (events, g_strdup (recording->str + i));
  g_ptr_array_add (events, NULL);

  return (GStrv) g_ptr_array_free (g_steal_pointer (&events), FALSE);
}

static void
assert_events (const char         *body,
               const char * const *expected)
{
  g_autoptr(GString) whole = decode_whole (body);
  g_autoptr(GString) bytewise = decode_bytewise (body, strlen (body));
  g_auto(GStrv) events = events_of (whole);

  g_assert_cmpstrv (events, expected);
  g_assert_cmpmem (whole->str, whole->len, bytewise->str, bytewise->len);
}

static void
assert_equal_recordings (GString    *a,
                         GString    *b,
                         const char *what,
                         gsize       offset)
{
  if (a->len != b->len || memcmp (a->str, b->str, a->len) != 0)
    g_error ("%s (at %" G_GSIZE_FORMAT "): events differ from those of the whole body",
             what, offset);
}

/* ---- the corpus, split everywhere ---- */

static void
test_corpus_splits (gconstpointer data)
{
  const CorpusExpectation *row = data;
  g_autofree char *path = corpus_expectation_full_path (row);
  g_autofree char *body = NULL;
  g_autoptr(GString) reference = NULL;
  g_autoptr(GString) bytewise = NULL;
  g_auto(GStrv) events = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &body, &len, NULL));

  reference = decode_slices (body, len, NULL, 0);
  events = events_of (reference);

  if (row->http_status != 200)
    {
      /* a JSON error body: one raw JSON value, the whole body but its final newline */
      g_autofree char *expected = g_strconcat ("R:", body, NULL);

      g_strchomp (expected);
      g_assert_cmpuint (g_strv_length (events), ==, 1);
      g_assert_cmpstr (events[0], ==, expected);
    }
  else
    {
      g_assert_cmpuint (g_strv_length (events), ==, row->n_events);
      for (guint i = 0; events[i] != NULL; i++)
        {
          g_autoptr(JsonNode) node = NULL;
          g_autoptr(GError) error = NULL;

          g_assert_true (g_str_has_prefix (events[i], "D:{"));
          g_assert_true (g_str_has_suffix (events[i], "}"));
          node = json_from_string (events[i] + 2, &error);
          g_assert_no_error (error);
          g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
        }
    }

  for (gsize offset = 0; offset <= len; offset++)
    {
      g_autoptr(GString) split = decode_slices (body, len, &offset, 1);

      assert_equal_recordings (reference, split, "two slices", offset);
    }

  bytewise = decode_bytewise (body, len);
  assert_equal_recordings (reference, bytewise, "one byte at a time", 0);
}

/* ---- framing ---- */

static void
test_line_endings (void)
{
  static const char lf[] = "data: {\"a\": 1}\n\ndata: {\"b\": 2}\ndata: {\"c\": 3}\n\n: "
                           "ping\n\ndata: {\"d\": 4}\n\n";
  static const char * const expected[] = {
    "D:{\"a\": 1}", "D:{\"b\": 2}\n{\"c\": 3}", "D:{\"d\": 4}", NULL
  };
  g_autoptr(GString) crlf = g_string_new (lf);
  g_autoptr(GString) cr = g_string_new (lf);

  g_string_replace (crlf, "\n", "\r\n", 0);
  g_string_replace (cr, "\n", "\r", 0);

  assert_events (lf, expected);
  assert_events (crlf->str, expected);
  assert_events (cr->str, expected);

  /* \r\n split between two feeds is one line end, not two */
  {
    static const char body[] = "data: x\r\n\r\ndata: y\r\n\r\n";
    gsize cut = strlen ("data: x\r");
    g_autoptr(GString) split = decode_slices (body, strlen (body), &cut, 1);
    g_auto(GStrv) events = events_of (split);
    static const char * const two[] = { "D:x", "D:y", NULL };

    g_assert_cmpstrv (events, two);
  }
}

static void
test_multiline_data (void)
{
  static const char * const joined[] = { "D:{\"a\":\n1}", NULL };
  static const char * const no_space[] = { "D:x", NULL };
  static const char * const two_spaces[] = { "D: two", NULL };
  static const char * const empty_line[] = { "D:a\n", NULL };
  static const char * const none[] = { NULL };

  assert_events ("data: {\"a\":\ndata: 1}\n\n", joined);
  assert_events ("data:x\n\n", no_space);
  assert_events ("data:  two\n\n", two_spaces);
  assert_events ("data: a\ndata\n\n", empty_line);
  /* an event whose data is empty is not dispatched */
  assert_events ("data\n\ndata:\n\n", none);
  assert_events ("\n\n\n", none);
}

static void
test_comments_and_fields (void)
{
  static const char body[] =
    ": this is a comment\n"
    "event: message\n"
    "id: 42\n"
    "retry: 1000\n"
    "data: one\n"
    ": a comment between data lines\n"
    "data: two\n"
    "unknown-field: whatever\n"
    "\n"
    ":\n"
    "\n";
  static const char * const expected[] = { "D:one\ntwo", NULL };

  assert_events (body, expected);
}

static void
test_final_event_without_blank_line (void)
{
  static const char body[] = "data: a\n\ndata: b";
  g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (0);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) before = NULL;
  g_auto(GStrv) after = NULL;
  static const char * const first[] = { "D:a", NULL };
  static const char * const both[] = { "D:a", "D:b", NULL };

  g_assert_true (gem_sse_decoder_feed (decoder, body, strlen (body), record_cb, out, &error));
  before = events_of (out);
  g_assert_cmpstrv (before, first);

  g_assert_true (gem_sse_decoder_finish (decoder, record_cb, out, &error));
  g_assert_no_error (error);
  after = events_of (out);
  g_assert_cmpstrv (after, both);

  /* one newline but no blank line */
  assert_events ("data: a\n\ndata: b\n", both);
  assert_events ("data: a\r\n\r\ndata: b\r\n", both);

  /* the decoder is ready for another body after finish */
  g_string_truncate (out, 0);
  g_assert_true (gem_sse_decoder_feed (decoder, "data: c\n\n", 9, record_cb, out, &error));
  g_assert_cmpstr (out->str, ==, "D:c");
}

static void
test_raw_json_mid_stream (void)
{
  static const char body[] =
    "data: {\"n\": 1}\r\n\r\n"
    "{\n"
    "  \"error\": {\n"
    "    \"code\": 499,\n"
    "    \"message\": \"a } brace, a { brace and a \\\" quote inside\",\n"
    "    \"status\": \"CANCELLED\"\n"
    "  }\n"
    "}\n"
    "data: {\"n\": 2}\n\n";
  static const char * const expected[] = {
    "D:{\"n\": 1}",
    "R:{\n  \"error\": {\n    \"code\": 499,\n    \"message\": \"a } brace, a { brace and a \\\" "
    "quote inside\",\n"
    "    \"status\": \"CANCELLED\"\n  }\n}",
    "D:{\"n\": 2}",
    NULL
  };
  static const char * const flushed[] = { "D:x", "R:{\"e\": \"\\\\\"}", NULL };
  static const char * const whole[] = { "R:[{\"a\": [1, {\"b\": \"]\"}]}, {}]", NULL };
  g_autoptr(GString) split = NULL;
  gsize cut;

  assert_events (body, expected);

  /* data waiting for its blank line goes out before the raw value */
  assert_events ("data: x\n{\"e\": \"\\\\\"}\n", flushed);

  /* a whole non-SSE body (JSON array), without a final newline */
  assert_events ("[{\"a\": [1, {\"b\": \"]\"}]}, {}]", whole);

  /* the raw value is emitted as soon as it closes, before finish */
  {
    g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (0);
    g_autoptr(GString) out = g_string_new (NULL);

    g_assert_true (gem_sse_decoder_feed (decoder, "{\"error\": {}}", 13, record_cb, out, NULL));
    g_assert_cmpstr (out->str, ==, "R:{\"error\": {}}");
  }

  /* a split inside the escaped quote */
  cut = strstr (body, "\\\"") - body + 1;
  split = decode_slices (body, strlen (body), &cut, 1);
  {
    g_auto(GStrv) events = events_of (split);

    g_assert_cmpstrv (events, expected);
  }
}

static void
test_raw_json_truncated (void)
{
  static const char body[] = "data: {\"n\": 1}\n\n{\"error\": {\"code\": 500,";
  g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (0);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (gem_sse_decoder_feed (decoder, body, strlen (body), record_cb, out, &error));
  g_assert_false (gem_sse_decoder_finish (decoder, record_cb, out, &error));
  g_assert_error (error, GEM_ERROR, GEM_ERROR_INTERRUPTED);
  g_assert_cmpstr (out->str, ==, "D:{\"n\": 1}");
}

static void
test_byte_order_mark (void)
{
  static const char * const one[] = { "D:x", NULL };
  static const char * const none[] = { NULL };

  assert_events ("\xEF\xBB\xBF" "data: x\n\n", one);
  /* the start of a BOM that is not one: part of the first line (an unknown field) */
  assert_events ("\xEF\xBB" "data: x\n\n", none);
  assert_events ("\xEF\xBB\n" "data: x\n\n", one);
}

/* ---- limits and failures ---- */

static gboolean
feed_string (GemSseDecoder  *decoder,
             const char     *text,
             GString        *out,
             GError        **error)
{
  return gem_sse_decoder_feed (decoder, text, strlen (text), record_cb, out, error);
}

static void
test_size_cap (void)
{
  g_autofree char *payload_100 = g_strnfill (100, 'a');
  g_autofree char *payload_101 = g_strnfill (101, 'b');
  g_autofree char *ok_body = g_strdup_printf ("data: %s\n\n", payload_100);
  g_autofree char *big_body = g_strdup_printf ("data: %s\n\n", payload_101);
  g_autofree char *big_raw = g_strdup_printf ("{\"error\": \"%s\"}", payload_100);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  {
    g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (100);

    g_assert_true (feed_string (decoder, ok_body, out, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (out->len, ==, 2 + 100 + 1);
  }

  {
    g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (100);

    g_string_truncate (out, 0);
    g_assert_false (feed_string (decoder, big_body, out, &error));
    g_assert_error (error, GEM_ERROR, GEM_ERROR_EVENT_TOO_LARGE);
    g_assert_nonnull (strstr (error->message, "larger than 100 bytes"));
    g_assert_nonnull (gem_error_get_api_message (error));
    g_assert_cmpuint (out->len, ==, 0);
    g_clear_error (&error);

    /* a failed decoder keeps failing */
    g_assert_false (feed_string (decoder, ok_body, out, &error));
    g_assert_error (error, GEM_ERROR, GEM_ERROR_EVENT_TOO_LARGE);
    g_assert_cmpuint (out->len, ==, 0);
    g_clear_error (&error);

    /* until reset */
    gem_sse_decoder_reset (decoder);
    g_assert_true (feed_string (decoder, ok_body, out, &error));
    g_assert_cmpuint (out->len, ==, 2 + 100 + 1);
  }

  /* several data lines add up */
  {
    g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (100);
    static const char lines[] =
      "data: 0123456789012345678901234567890123456789\n"
      "data: 0123456789012345678901234567890123456789\n"
      "data: 0123456789012345678901234567890123456789\n\n";

    g_assert_false (gem_sse_decoder_feed (decoder, lines, strlen (lines), record_cb, out, &error));
    g_assert_error (error, GEM_ERROR, GEM_ERROR_EVENT_TOO_LARGE);
    g_clear_error (&error);
  }

  /* a raw JSON value */
  {
    g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (100);

    g_assert_false (feed_string (decoder, big_raw, out, &error));
    g_assert_error (error, GEM_ERROR, GEM_ERROR_EVENT_TOO_LARGE);
    g_clear_error (&error);
  }

  /* a line that never ends fails while it grows, not when it ends */
  {
    g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (100);
    gboolean ok = TRUE;
    guint fed = 0;

    while (ok && fed < 10000)
      {
        ok = gem_sse_decoder_feed (decoder, "data: xxxxxxxxxx", 16, record_cb, out, &error);
        fed++;
      }
    g_assert_false (ok);
    g_assert_cmpuint (fed, <, 20);
    g_assert_error (error, GEM_ERROR, GEM_ERROR_EVENT_TOO_LARGE);
    g_clear_error (&error);
  }

  /* the default limit takes a big event (an image) */
  {
    g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (0);
    g_autoptr(GString) big = g_string_new ("data: ");
    g_autoptr(GString) received = g_string_new (NULL);

    for (guint i = 0; i < 4 * 1024 * 1024 / 64; i++)
      g_string_append (big, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    g_string_append (big, "\n\n");
    g_assert_true (gem_sse_decoder_feed (decoder, big->str, big->len, record_cb, received, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (received->len, ==, 2 + 4 * 1024 * 1024 + 1);
  }
}

static gboolean
fail_second_cb (GemSseEventKind   kind,
                const char       *payload,
                gsize             len,
                gpointer          user_data,
                GError          **error)
{
  guint *count = user_data;

  if (++*count == 2)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no thanks");
      return FALSE;
    }

  return TRUE;
}

static void
test_callback_error (void)
{
  static const char body[] = "data: 1\n\ndata: 2\n\ndata: 3\n\n";
  g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (0);
  g_autoptr(GError) error = NULL;
  guint count = 0;

  g_assert_false (gem_sse_decoder_feed (decoder, body, strlen (body), fail_second_cb, &count,
                                        &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpuint (count, ==, 2);
  g_clear_error (&error);

  g_assert_false (gem_sse_decoder_finish (decoder, fail_second_cb, &count, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpuint (count, ==, 2);
}

typedef struct
{
  GemSseDecoder *decoder;
  GPtrArray     *stolen;   /* GBytes */
} StealData;

/* Takes every payload of 100 KB or more, as the client does with images. */
static gboolean
steal_cb (GemSseEventKind   kind,
          const char       *payload,
          gsize             len,
          gpointer          user_data,
          GError          **error)
{
  StealData *data = user_data;
  GBytes *bytes;

  g_assert_cmpint (payload[len], ==, '\0');
  if (len < 100 * 1024)
    {
      g_ptr_array_add (data->stolen, g_bytes_new (payload, len));
      return TRUE;
    }

  bytes = gem_sse_decoder_steal_payload (data->decoder);
  /* The same bytes, not a copy, and still readable as the handler's. */
  g_assert_true (g_bytes_get_data (bytes, NULL) == (gconstpointer) payload);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, len);
  g_assert_cmpint (payload[len], ==, '\0');
  g_ptr_array_add (data->stolen, bytes);

  return TRUE;
}

/* Events of megabytes (images) come in many reads; the decoder keeps the
 * long line as the event's buffer and the handler may take it. */
static void
test_large_events (void)
{
  g_autoptr(GString) big = g_string_new (NULL);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GPtrArray) stolen = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (0);
  g_autoptr(GError) error = NULL;
  StealData data = { decoder, stolen };
  g_autofree char *expected_multi = NULL;
  g_autofree char *expected_json = NULL;

  for (guint i = 0; big->len < 150 * 1024; i++)
    g_string_append_printf (big, "%08x", i * 2654435761u);

  /* One long data line; two lines joined with \n, the first long; a small
   * event after them; a long raw JSON value; a final event without its
   * blank line. */
  g_string_append_printf (body, "data: {\"a\":\"%s\"}\r\n\r\n", big->str);
  g_string_append_printf (body, "data:%s\ndata: tail\n\n", big->str);
  g_string_append (body, "data: small\n\n");
  g_string_append_printf (body, "{\"raw\": \"%s\"}\n", big->str);
  g_string_append_printf (body, "data: %s", big->str);

  /* In reads of 16 KiB, as the client gets them. */
  for (gsize pos = 0; pos < body->len; pos += 16384)
    {
      gem_sse_decoder_feed (decoder, body->str + pos, MIN (16384, body->len - pos), steal_cb, &data, &error);
      g_assert_no_error (error);
    }
  gem_sse_decoder_finish (decoder, steal_cb, &data, &error);
  g_assert_no_error (error);

  expected_multi = g_strconcat (big->str, "\ntail", NULL);
  expected_json = g_strdup_printf ("{\"raw\": \"%s\"}", big->str);
  g_assert_cmpuint (stolen->len, ==, 5);
  {
    g_autofree char *first = g_strdup_printf ("{\"a\":\"%s\"}", big->str);
    const char *expected[] = { first, expected_multi, "small", expected_json, big->str };

    for (guint i = 0; i < 5; i++)
      {
        gsize len;
        const char *payload = g_bytes_get_data (g_ptr_array_index (stolen, i), &len);

        g_assert_cmpuint (len, ==, strlen (expected[i]));
        g_assert_true (memcmp (payload, expected[i], len) == 0);
      }
  }

  /* The same body byte by byte, without taking: the same events. */
  {
    g_autoptr(GString) whole = decode_slices (body->str, body->len, NULL, 0);
    g_autoptr(GString) expected = g_string_new (NULL);

    for (guint i = 0; i < 5; i++)
      {
        gsize len;
        const char *payload = g_bytes_get_data (g_ptr_array_index (stolen, i), &len);

        g_string_append (expected, i == 3 ? "R:" : "D:");
        g_string_append_len (expected, payload, len);
        g_string_append_c (expected, '\0');
      }
    g_assert_cmpuint (whole->len, ==, expected->len);
    g_assert_true (memcmp (whole->str, expected->str, whole->len) == 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < corpus_expectations_count; i++)
    {
      const CorpusExpectation *row = &corpus_expectations[i];
      g_autofree char *name = NULL;

      if (!row->streaming)
        continue;

      name = g_strdup_printf ("/sse/corpus/%s", row->path);
      g_test_add_data_func (name, row, test_corpus_splits);
    }

  g_test_add_func ("/sse/line-endings", test_line_endings);
  g_test_add_func ("/sse/multiline-data", test_multiline_data);
  g_test_add_func ("/sse/comments-and-fields", test_comments_and_fields);
  g_test_add_func ("/sse/final-event-without-blank-line", test_final_event_without_blank_line);
  g_test_add_func ("/sse/raw-json-mid-stream", test_raw_json_mid_stream);
  g_test_add_func ("/sse/raw-json-truncated", test_raw_json_truncated);
  g_test_add_func ("/sse/byte-order-mark", test_byte_order_mark);
  g_test_add_func ("/sse/size-cap", test_size_cap);
  g_test_add_func ("/sse/callback-error", test_callback_error);
  g_test_add_func ("/sse/large-events", test_large_events);

  return g_test_run ();
}

/* test-faults.c: the fault matrix. For every way a server or network can fail,
 * the app says what happened, keeps every byte of the partial answer (on
 * screen and in the history) and keeps drawing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <time.h>

#include <libsoup/soup.h>

#include "fake-gemini.h"
#include "gem-error.h"
#include "gem-sse-decoder.h"
#include "starling-chat-view.h"
#include "starling-test-time.h"
#include "starling-test-ui.h"

#define LONG_STREAM "googleai/streaming-success-basic-reply-long.txt"

static FakeGemini *fake;
static guint n_scenarios;
static guint n_passed;
static gint64 worst_gap;

/* Self-signed, trusted by nobody: for the TLS failure. */
static const char untrusted_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIBmDCCAT2gAwIBAgIUOg8c34MIOKZVK/dFCZvsHgJ5264wCgYIKoZIzj0EAwIw\n"
  "IDEeMBwGA1UEAwwVc3RhcmxpbmctdGVzdC5pbnZhbGlkMCAXDTI2MTEyNTE4MDM1\n"
  "N1oYDzIxMjYxMTAxMTgwMzU3WjAgMR4wHAYDVQQDDBVzdGFybGluZy10ZXN0Lmlu\n"
  "dmFsaWQwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARc8jfXPHxKKNlh05L3mPQ0\n"
  "6gpNy0t7/QtDhp7gQEKqTyPTTb2kCeFZpkr+PDR7xtgWzoupeOq6rLIwJXdOhyL0\n"
  "o1MwUTAdBgNVHQ4EFgQUtvIZ7XJDwelodSpdDPhEOnW5EP0wHwYDVR0jBBgwFoAU\n"
  "tvIZ7XJDwelodSpdDPhEOnW5EP0wDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQD\n"
  "AgNJADBGAiEAkR/9+8lfYEiVgkW+Otwdd6daOJORogJv9nHYah0tZCMCIQD25I6K\n"
  "NwyDkcQ4FoFq+C5As4aJq74IAKcB5c3QC7SW9g==\n"
  "-----END CERTIFICATE-----\n"
  "-----BEGIN PRIVATE KEY-----\n"
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgMQZQP3SovQ9W10J8\n"
  "mKqyGL8mzq8Cm9x3yXZ0Y3nmAwChRANCAARc8jfXPHxKKNlh05L3mPQ06gpNy0t7\n"
  "/QtDhp7gQEKqTyPTTb2kCeFZpkr+PDR7xtgWzoupeOq6rLIwJXdOhyL0\n"
  "-----END PRIVATE KEY-----\n";

typedef struct
{
  const char *name;
  const char *route;        /* NULL: a special server, see base_url */
  const char *base_url;     /* "refused" or "tls" */
  int         code;         /* expected GemErrorCode, -1 for a complete answer */
  int         drop_after;   /* > 0: the partial answer is the first N events */
  const char *in_message;   /* the sentence mentions this */
} Scenario;

typedef struct
{
  GPtrArray *events;
} Recording;

static gboolean
collect_event_cb (GemSseEventKind   kind,
                  const char       *payload,
                  gsize             len,
                  gpointer          user_data,
                  GError          **error)
{
  g_ptr_array_add (user_data, g_strndup (payload, len));
  return TRUE;
}

static GPtrArray *
read_events (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("STARLING_CORPUS_DIR"), "recorded", name, NULL);
  g_autofree char *body = NULL;
  g_autoptr(GemSseDecoder) decoder = gem_sse_decoder_new (0);
  GPtrArray *events = g_ptr_array_new_with_free_func (g_free);
  gsize len;

  g_assert_true (g_file_get_contents (path, &body, &len, NULL));
  g_assert_true (gem_sse_decoder_feed (decoder, body, len, collect_event_cb, events, NULL));
  g_assert_true (gem_sse_decoder_finish (decoder, collect_event_cb, events, NULL));
  return events;
}

/* What the user must still see: the text of the first @n events, merged. */
static char *
expected_partial (GPtrArray *events,
                  guint      n)
{
  g_autoptr(GemResponse) response = gem_response_new ();

  for (guint i = 0; i < n; i++)
    g_assert_true (gem_response_merge_event (response, g_ptr_array_index (events, i),
                                             strlen (g_ptr_array_index (events, i)), NULL));
  return g_strdup (gem_response_get_text (response));
}

static gint64 last_tick;
static gint64 last_cpu;
static gint64 max_gap;
static gint64 max_cpu_gap;

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Wall gaps include waiting for a core while the in-process fake server
 * builds a 50 MB answer; the main thread's own CPU time between ticks is
 * what the app makes the user wait. */
static gboolean
tick_cb (gpointer user_data)
{
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_us ();

  if (last_tick != 0)
    {
      max_gap = MAX (max_gap, now - last_tick);
      max_cpu_gap = MAX (max_cpu_gap, cpu - last_cpu);
    }
  last_tick = now;
  last_cpu = cpu;
  return G_SOURCE_CONTINUE;
}

static gboolean
not_busy (gpointer user_data)
{
  return !starling_conversation_get_busy (user_data);
}

static char *
stored_text (StarlingStore *store,
             gint64         id)
{
  g_autoptr(StarlingStoredMessage) stored = starling_store_get_message (store, id, NULL);

  return stored != NULL ? g_strdup (starling_stored_message_get_text (stored)) : NULL;
}

static gboolean warming_up;

static void
run_scenario (StarlingTestContext *context,
              const Scenario      *scenario,
              GPtrArray           *events)
{
  StarlingStore *store = starling_application_get_store (context->app);
  GemClient *client = starling_application_get_client (context->app);
  g_autoptr(StarlingConversation) conversation = NULL;
  g_autoptr(StarlingMessage) answer = NULL;
  g_autoptr(SoupServer) tls_server = NULL;
  g_autofree char *saved_url = g_strdup (gem_client_get_base_url (client));
  g_autofree char *shown = NULL;
  g_autofree char *in_store = NULL;
  g_autofree char *model = g_strdup_printf ("fault-%u", n_scenarios);
  GtkWidget *view, *row;
  guint tick;

  n_scenarios++;
  g_test_message ("scenario %s (%s)", scenario->name, scenario->route != NULL ? scenario->route : scenario->base_url);

  if (g_strcmp0 (scenario->base_url, "refused") == 0)
    {
      /* A port that was just free: nobody listens there. */
      g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
      g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
      g_autoptr(GSocketAddress) bound = NULL;
      g_autofree char *url = NULL;

      g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
      bound = g_socket_get_local_address (socket, NULL);
      url = g_strdup_printf ("http://127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
      g_socket_close (socket, NULL);
      gem_client_set_base_url (client, url);
    }
  else if (g_strcmp0 (scenario->base_url, "tls") == 0)
    {
      g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_pem (untrusted_pem, -1, NULL);
      g_autofree char *url = NULL;
      GSList *uris;

      tls_server = soup_server_new ("tls-certificate", certificate, NULL);
      g_assert_true (soup_server_listen_local (tls_server, 0, SOUP_SERVER_LISTEN_HTTPS | SOUP_SERVER_LISTEN_IPV4_ONLY, NULL));
      uris = soup_server_get_uris (tls_server);
      url = g_strdup_printf ("https://127.0.0.1:%d", g_uri_get_port (uris->data));
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
      gem_client_set_base_url (client, url);
    }
  else
    {
      fake_gemini_route (fake, model, scenario->route);
    }

  conversation = starling_conversation_new_for_store (client, store, model);
  view = starling_chat_view_new (conversation);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (context->window), view);
  starling_test_wait_until_drawn (view);

  gem_client_set_idle_timeout (client, strstr (scenario->name, "stall") != NULL ? 2 : 60);

  last_tick = 0;
  max_gap = 0;
  max_cpu_gap = 0;
  tick = g_timeout_add (5, tick_cb, NULL);
  starling_conversation_send (conversation, "Tell me something long", NULL);
  g_assert_true (starling_test_wait_for (not_busy, conversation, 30000));
  starling_test_wait_until_drawn (view);
  g_source_remove (tick);
  gem_client_set_base_url (client, saved_url);

  answer = g_list_model_get_item (starling_conversation_get_messages (conversation), 1);
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (starling_chat_view_get_list (STARLING_CHAT_VIEW (view)), 1));
  shown = starling_test_collect_text (row);

  if (scenario->code < 0)
    {
      g_assert_cmpint (starling_message_get_status (answer), ==, STARLING_MESSAGE_COMPLETE);
    }
  else
    {
      const GError *error = starling_message_get_error (answer);

      /* A clear sentence, on screen. */
      g_assert_cmpint (starling_message_get_status (answer), ==, STARLING_MESSAGE_ERROR);
      g_assert_nonnull (error);
      g_assert_error (error, GEM_ERROR, scenario->code);
      g_assert_nonnull (strstr (shown, error->message));
      if (scenario->in_message != NULL)
        g_assert_nonnull (strstr (error->message, scenario->in_message));
    }

  /* Every byte that arrived is kept, on screen and in the history. */
  if (scenario->drop_after > 0)
    {
      g_autofree char *expected = expected_partial (events, scenario->drop_after);

      g_assert_cmpstr (starling_message_get_text (answer), ==, expected);
      if (*expected != '\0')
        {
          g_autofree char *first_line = g_strndup (expected, strcspn (expected, "\n"));

          g_assert_nonnull (strstr (shown, first_line));
        }
    }
  in_store = stored_text (store, starling_message_get_id (answer));
  g_assert_cmpstr (in_store, ==, starling_message_get_text (answer));

  /* The window kept turning. */
  g_test_message ("  longest main-loop stall %.1f ms of main-thread work (%.1f ms wall)",
                  max_cpu_gap / 1000.0, max_gap / 1000.0);
  /* Warm-ups pay for first-time costs (see below): only the matrix is timed. */
  if (!warming_up)
    {
      worst_gap = MAX (worst_gap, max_cpu_gap);
      /* (stretched only for the sanitizer build, STARLING_TEST_TIME_SCALE) */
      g_assert_cmpint (max_cpu_gap, <, starling_test_scaled_ms (250) * (gint64) 1000);
    }

  n_passed++;
}

static void
check_matrix (StarlingTestContext *context)
{
  g_autoptr(GPtrArray) events = read_events (LONG_STREAM);
  g_autoptr(GPtrArray) scenarios = g_ptr_array_new_with_free_func (g_free);
  static const guint statuses[] = { 408, 429, 500, 502, 503, 504 };
  static const int codes[] = { GEM_ERROR_TIMEOUT, GEM_ERROR_RATE_LIMITED, GEM_ERROR_SERVER_ERROR,
                               GEM_ERROR_SERVER_ERROR, GEM_ERROR_OVERLOADED, GEM_ERROR_SERVER_ERROR };
  GemClient *client = starling_application_get_client (context->app);
  g_autoptr(GPtrArray) routes = g_ptr_array_new_with_free_func (g_free);

  /* Final: no retries. Only the stall scenario shortens the idle timeout. */
  gem_client_set_max_retries (client, 0);

  for (guint k = 1; k < events->len; k++)
    {
      Scenario *s = g_new0 (Scenario, 1);
      char *route = g_strdup_printf ("replay=%s;drop_after=%u", LONG_STREAM, k);

      g_ptr_array_add (routes, route);
      *s = (Scenario) { "drop after an event", route, NULL, GEM_ERROR_INTERRUPTED, (int) k, NULL };
      g_ptr_array_add (scenarios, s);
    }
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    for (guint with_retry_after = 0; with_retry_after < 2; with_retry_after++)
      {
        Scenario *s = g_new0 (Scenario, 1);
        char *route = g_strdup_printf ("status=%u%s", statuses[i], with_retry_after ? ";retry_after=2" : "");

        g_ptr_array_add (routes, route);
        *s = (Scenario) { "HTTP error", route, NULL, codes[i], 0, NULL };
        g_ptr_array_add (scenarios, s);
      }

  {
    static const Scenario fixed[] = {
      { "stall past the idle timeout", "replay=" LONG_STREAM ";stall_after=5", NULL, GEM_ERROR_TIMEOUT, 5, NULL },
      { "garbage", "garbage=1", NULL, GEM_ERROR_MALFORMED_RESPONSE, 0, NULL },
      { "HTML error page", "html_status=502", NULL, GEM_ERROR_SERVER_ERROR, 0, "502" },
      /* 50 MB of PNG is 67 MB of base64: over the 64 MiB cap on one event, refused with a sentence. */
      { "50 MB answer", "huge_image_mb=50", NULL, GEM_ERROR_EVENT_TOO_LARGE, 0, NULL },
      { "connection refused", NULL, "refused", GEM_ERROR_NETWORK, 0, NULL },
      { "TLS failure", NULL, "tls", GEM_ERROR_TLS, 0, "127.0.0.1" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
      g_ptr_array_add (scenarios, g_memdup2 (&fixed[i], sizeof fixed[i]));
  }

  /* The first chat of a run pays once for styles, fonts and the history: not a fault. */
  {
    static const Scenario warm_up = { "warm-up", "text=Hello.", NULL, -1, 0, NULL };
    /* The first error row too: with software GL (Xvfb) the first frame
     * that draws its kind of node compiles shaders, 250 ms and more of
     * Mesa's work that says nothing about the app's handling of faults. */
    static const Scenario warm_up_error = { "warm-up with an error", "replay=" LONG_STREAM ";drop_after=1", NULL,
                                            GEM_ERROR_INTERRUPTED, 1, NULL };


    warming_up = TRUE;
    run_scenario (context, &warm_up, events);
    run_scenario (context, &warm_up_error, events);
    warming_up = FALSE;
    n_scenarios = n_passed = 0;
    worst_gap = 0;
  }

  for (guint i = 0; i < scenarios->len; i++)
    run_scenario (context, g_ptr_array_index (scenarios, i), events);

  g_test_message ("fault matrix: %u scenarios, %u passed, longest main-loop gap %.1f ms",
                  n_scenarios, n_passed, worst_gap / 1000.0);
  g_assert_cmpuint (n_passed, ==, n_scenarios);
}

static void
test_matrix (void)
{
  starling_test_run_in_app (check_matrix, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  starling_test_ui_init (&argc, &argv);

  fake = fake_gemini_new (g_getenv ("STARLING_CORPUS_DIR"), &error);
  g_assert_no_error (error);
  g_setenv ("STARLING_BASE_URL", fake_gemini_get_base_url (fake), TRUE);
  g_setenv ("STARLING_API_KEY", "test-key", TRUE);

  g_test_add_func ("/faults/matrix", test_matrix);

  status = g_test_run ();
  g_clear_object (&fake);
  return status;
}

/* gem-client.c: the HTTP client of the Gemini native API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "Gemini"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "gem-client.h"
#include "gem-error.h"
#include "gem-json.h"
#include "gem-model-info.h"
#include "gem-sse-decoder.h"

#define DEFAULT_CONNECT_TIMEOUT 30
#define DEFAULT_IDLE_TIMEOUT    60
#define DEFAULT_MAX_RETRIES     4
#define DEFAULT_RETRY_BASE_MS   1000
#define RETRY_CAP_MS            30000
/* A server asking for a longer pause than this gets the error shown instead. */
#define RETRY_AFTER_LIMIT_MS    60000
/* Waiting for a whole unary answer may take much longer than a gap in a stream. */
#define UNARY_WAIT_FACTOR       10
#define READ_CHUNK_SIZE         (64 * 1024)
#define ERROR_BODY_LIMIT        (1024 * 1024)
#define UNARY_BODY_LIMIT        ((gsize) 512 * 1024 * 1024)

struct _GemClient
{
  GObject       parent_instance;

  SoupSession  *session;
  char         *base_url;
  char         *api_key;
  char         *user_agent;
  GemAuthStyle  auth_style;
  guint         connect_timeout;
  guint         idle_timeout;
  guint         max_retries;
  guint         retry_base_delay_ms;
  gboolean      direct;          /* loopback server: no proxy */
};

G_DEFINE_FINAL_TYPE (GemClient, gem_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_API_KEY,
  PROP_AUTH_STYLE,
  PROP_USER_AGENT,
  PROP_CONNECT_TIMEOUT,
  PROP_IDLE_TIMEOUT,
  PROP_MAX_RETRIES,
  PROP_RETRY_BASE_DELAY_MS,
  N_PROPS
};

enum {
  DELTA_RECEIVED,
  RETRYING,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef enum
{
  CALL_GENERATE,
  CALL_LIST_MODELS,
} CallKind;

typedef enum
{
  PHASE_IDLE,
  PHASE_CONNECTING,   /* until the request headers are written */
  PHASE_WAITING,      /* request sent, waiting for the answer */
  PHASE_READING,      /* reading the body */
  PHASE_BACKOFF,      /* sleeping before a retry */
  PHASE_DONE,
} Phase;

typedef struct
{
  GTask         *task;          /* not owned: the task owns this struct */
  GemClient     *self;          /* owned */
  CallKind       kind;
  char          *what;          /* "models/x:generateContent", for logs */
  char          *method;
  GBytes        *body;
  gboolean       stream;
  guint          attempt;       /* 1-based, per page for the model list */

  GMainContext  *context;
  GCancellable  *user_cancellable;
  GSource       *cancel_source;
  gboolean       user_cancelled;

  Phase          phase;
  GCancellable  *io_cancellable; /* per attempt: cancelled by a timer or the user */
  GSource       *timer;
  Phase          timer_phase;
  gboolean       timed_out;

  SoupMessage   *msg;
  char          *host;
  GInputStream  *in;
  GByteArray    *buffer;
  guint64        n_body_bytes;
  gboolean       body_has_text;

  GemSseDecoder *decoder;
  GemResponse   *response;
  guint          n_events;
  GQueue         pending;        /* GBytes: large events waiting to be parsed off the main thread */
  gboolean       parsing;        /* a worker parses pending's head */
  gboolean       ended;          /* the body ended while events were pending */

  GPtrArray     *models;
  char          *page_token;
  guint          page_size;
} Call;

static void call_start_attempt (GTask *task);
static void call_read_next (GTask *task);

static gboolean
set_str (char       **str_pointer,
         const char  *new_str)
{
  if (g_strcmp0 (*str_pointer, new_str) == 0)
    return FALSE;

  g_free (*str_pointer);
  *str_pointer = g_strdup (new_str);
  return TRUE;
}

static void
call_clear_timer (Call *call)
{
  if (call->timer != NULL)
    {
      g_source_destroy (call->timer);
      g_clear_pointer (&call->timer, g_source_unref);
    }
}

static void
call_free (gpointer data)
{
  Call *call = data;

  call_clear_timer (call);
  if (call->cancel_source != NULL)
    {
      g_source_destroy (call->cancel_source);
      g_clear_pointer (&call->cancel_source, g_source_unref);
    }
  g_clear_object (&call->io_cancellable);
  g_clear_object (&call->user_cancellable);
  g_clear_pointer (&call->context, g_main_context_unref);
  if (call->msg != NULL)
    g_signal_handlers_disconnect_by_data (call->msg, call);
  g_clear_object (&call->msg);
  g_clear_object (&call->in);
  g_clear_pointer (&call->buffer, g_byte_array_unref);
  g_clear_pointer (&call->decoder, gem_sse_decoder_free);
  g_queue_clear_full (&call->pending, (GDestroyNotify) g_bytes_unref);
  g_clear_object (&call->response);
  g_clear_pointer (&call->models, g_ptr_array_unref);
  g_clear_pointer (&call->body, g_bytes_unref);
  g_free (call->page_token);
  g_free (call->what);
  g_free (call->method);
  g_free (call->host);
  g_clear_object (&call->self);
  g_free (call);
}

GType
gem_auth_style_get_type (void)
{
  static gsize type_id;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { GEM_AUTH_STYLE_X_GOOG_API_KEY, "GEM_AUTH_STYLE_X_GOOG_API_KEY", "x-goog-api-key" },
        { GEM_AUTH_STYLE_BEARER, "GEM_AUTH_STYLE_BEARER", "bearer" },
        { 0, NULL, NULL }
      };
      GType type = g_enum_register_static (g_intern_static_string ("GemAuthStyle"), values);

      g_once_init_leave (&type_id, type);
    }

  return type_id;
}

GType
gem_generate_flags_get_type (void)
{
  static gsize type_id;

  if (g_once_init_enter (&type_id))
    {
      static const GFlagsValue values[] = {
        { GEM_GENERATE_FLAGS_NONE, "GEM_GENERATE_FLAGS_NONE", "none" },
        { GEM_GENERATE_FLAGS_STREAM, "GEM_GENERATE_FLAGS_STREAM", "stream" },
        { 0, NULL, NULL }
      };
      GType type = g_flags_register_static (g_intern_static_string ("GemGenerateFlags"), values);

      g_once_init_leave (&type_id, type);
    }

  return type_id;
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;

  if (g_ascii_strcasecmp (host, "localhost") == 0 ||
      g_ascii_strcasecmp (host, "localhost.") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);

  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* A server on this computer is reached directly, never through a proxy
 * (and the system's proxy settings are then not even looked up). */
static void
update_proxy (GemClient  *self,
              const char *host)
{
  gboolean direct = host_is_loopback (host);

  if (direct == self->direct)
    return;

  self->direct = direct;
  soup_session_set_proxy_resolver (self->session, direct ? NULL : g_proxy_resolver_get_default ());
}

/* Splits the base into an origin-and-prefix part and an API version: the
 * base may already name the version ("…/v1beta"), and may end in slashes. */
static gboolean
split_base_url (const char  *base_url,
                char       **prefix_out,
                char       **version_out,
                GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *trimmed = NULL;
  const char *scheme;
  const char *host;
  const char *version = "v1beta";
  const char *slash;
  gsize len;

  if (base_url == NULL || base_url[0] == '\0')
    base_url = GEM_CLIENT_DEFAULT_BASE_URL;

  trimmed = g_strstrip (g_strdup (base_url));
  len = strlen (trimmed);
  while (len > 0 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';

  uri = g_uri_parse (trimmed, G_URI_FLAGS_NONE, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                   _("The server address “%s” is not a valid URL."), base_url);
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);

  if (host == NULL || host[0] == '\0')
    {
      g_set_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                   _("The server address “%s” has no host name."), base_url);
      return FALSE;
    }

  if (g_ascii_strcasecmp (scheme, "http") == 0)
    {
      if (!host_is_loopback (host))
        {
          g_set_error (error, GEM_ERROR, GEM_ERROR_TLS,
                       _("Refusing to send the API key unencrypted to %s: use an https:// address "
                         "(plain http:// is only allowed for this computer)."),
                       host);
          return FALSE;
        }
    }
  else if (g_ascii_strcasecmp (scheme, "https") != 0)
    {
      g_set_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                   _("The server address “%s” must start with https://."), base_url);
      return FALSE;
    }

  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                   _("The server address “%s” must not contain a query or a fragment."),
                   base_url);
      return FALSE;
    }

  slash = strrchr (trimmed, '/');
  if (slash != NULL && slash > trimmed && slash[-1] != '/')
    {
      const char *last = slash + 1;

      if (g_str_equal (last, "v1beta") || g_str_equal (last, "v1") ||
          g_str_equal (last, "v1alpha"))
        {
          version = last;
          if (version_out != NULL)
            *version_out = g_strdup (version);
          if (prefix_out != NULL)
            *prefix_out = g_strndup (trimmed, slash - trimmed);
          return TRUE;
        }
    }

  if (version_out != NULL)
    *version_out = g_strdup (version);
  if (prefix_out != NULL)
    *prefix_out = g_steal_pointer (&trimmed);

  return TRUE;
}

static char *
describe_tls_flags (GTlsCertificateFlags flags)
{
  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    return g_strdup (_("its certificate is not signed by a known authority"));
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return g_strdup (_("its certificate belongs to a different site"));
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    return g_strdup (_("its certificate has expired"));
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    return g_strdup (_("its certificate is not valid yet"));
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    return g_strdup (_("its certificate has been revoked"));
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    return g_strdup (_("its certificate uses an insecure algorithm"));
  if (flags != 0)
    return g_strdup (_("its certificate is not valid"));
  return NULL;
}

static gboolean
io_error_is_retryable (const GError *error)
{
  if (error->domain == G_RESOLVER_ERROR)
    return error->code == G_RESOLVER_ERROR_TEMPORARY_FAILURE;

  if (error->domain == G_IO_ERROR)
    return !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
           !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED) &&
           !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

  return FALSE;
}

/* Turns an I/O failure of the current attempt into a GEM_ERROR: a sentence
 * for the user as the message, the technical cause as the details. */
static GError *
call_map_io_error (Call         *call,
                   const GError *io_error)
{
  GemClient *self = call->self;
  const char *details = io_error != NULL ? io_error->message : NULL;
  GError *error;

  if (call->user_cancelled)
    return gem_error_new_with_details (GEM_ERROR_CANCELLED, NULL);

  if (call->timed_out)
    {
      if (call->timer_phase == PHASE_CONNECTING)
        error = g_error_new (GEM_ERROR, GEM_ERROR_TIMEOUT,
                             g_dngettext (GETTEXT_PACKAGE,
                                          "Could not reach %s within %u second. Check your network connection.",
                                          "Could not reach %s within %u seconds. Check your network connection.",
                                          self->connect_timeout),
                             call->host, self->connect_timeout);
      else if (call->n_events > 0)
        error = g_error_new (GEM_ERROR, GEM_ERROR_TIMEOUT,
                             g_dngettext (GETTEXT_PACKAGE,
                                          "The answer stopped: %s sent nothing for %u second. Try again.",
                                          "The answer stopped: %s sent nothing for %u seconds. Try again.",
                                          self->idle_timeout),
                             call->host, self->idle_timeout);
      else
        error = g_error_new (GEM_ERROR, GEM_ERROR_TIMEOUT,
                             _("%s did not answer in time. Try again later."),
                             call->host);
      details = NULL;
    }
  else if (io_error->domain == G_TLS_ERROR)
    {
      g_autofree char *why = NULL;

      if (call->msg != NULL)
        why = describe_tls_flags (soup_message_get_tls_peer_certificate_errors (call->msg));

      if (why != NULL)
        error = g_error_new (GEM_ERROR, GEM_ERROR_TLS,
                             _("The secure connection to %s could not be trusted: %s."),
                             call->host, why);
      else
        error = g_error_new (GEM_ERROR, GEM_ERROR_TLS,
                             _("The secure connection to %s failed. Check the server address and your system clock."),
                             call->host);
    }
  else if (io_error->domain == G_RESOLVER_ERROR)
    error = g_error_new (GEM_ERROR, GEM_ERROR_NETWORK,
                         _("Could not find the server %s. Check the address and your network connection."),
                         call->host);
  else if (io_error->domain == SOUP_SESSION_ERROR)
    error = g_error_new (GEM_ERROR, GEM_ERROR_MALFORMED_RESPONSE,
                         _("%s sent an answer that is not valid HTTP. Check the server address."),
                         call->host);
  else if (call->n_body_bytes > 0 && call->phase == PHASE_READING)
    error = g_error_new (GEM_ERROR, GEM_ERROR_INTERRUPTED,
                         _("The connection to %s was lost before the answer was complete. Try again."),
                         call->host);
  else
    error = g_error_new (GEM_ERROR, GEM_ERROR_NETWORK,
                         _("Could not connect to %s. Check your internet connection and the server address."),
                         call->host);

  if (details != NULL)
    gem_error_set_api_message (error, details);

  return error;
}

static void
call_return_error (GTask  *task,
                   GError *error)
{
  Call *call = g_task_get_task_data (task);

  call->phase = PHASE_DONE;
  call_clear_timer (call);
  g_debug ("%s failed: %s", call->what, error->message);
  g_task_return_error (task, error);
}

static gboolean
timer_fired_cb (gpointer user_data)
{
  Call *call = user_data;

  g_clear_pointer (&call->timer, g_source_unref);
  call->timed_out = TRUE;
  g_debug ("%s: timed out (phase %d)", call->what, call->timer_phase);
  g_cancellable_cancel (call->io_cancellable);

  return G_SOURCE_REMOVE;
}

static void
call_arm_timer (GTask *task,
                Phase  phase,
                guint  seconds)
{
  Call *call = g_task_get_task_data (task);

  call_clear_timer (call);
  call->timer_phase = phase;

  if (seconds == 0)
    return;

  call->timer = g_timeout_source_new (seconds * 1000);
  g_source_set_callback (call->timer, timer_fired_cb, call, NULL);
  g_source_set_static_name (call->timer, "[gem] request timeout");
  g_source_attach (call->timer, call->context);
}

static guint
call_wait_timeout (Call *call)
{
  if (call->stream)
    return call->self->idle_timeout;
  return call->self->idle_timeout * UNARY_WAIT_FACTOR;
}

guint
gem_client_compute_retry_delay_ms (GemClient *self,
                                   guint      retry,
                                   gint64     retry_after_ms)
{
  guint64 delay;
  guint64 cap;

  g_return_val_if_fail (GEM_IS_CLIENT (self), 0);

  if (retry == 0)
    retry = 1;

  cap = MAX (RETRY_CAP_MS, self->retry_base_delay_ms);
  delay = self->retry_base_delay_ms;
  for (guint i = 1; i < retry && delay < cap; i++)
    delay *= 2;
  delay = MIN (delay, cap);

  /* Jitter only lengthens the pause, so it never undercuts the schedule. */
  delay += (guint64) g_random_int_range (0, (gint32) MAX (1, delay / 4 + 1));

  if (retry_after_ms > 0 && (guint64) retry_after_ms > delay)
    delay = retry_after_ms;

  return (guint) MIN (delay, G_MAXUINT);
}

static gboolean
backoff_done_cb (gpointer user_data)
{
  Call *call = user_data;
  /* The reference taken when the pause began. */
  g_autoptr(GTask) task = call->task;

  g_clear_pointer (&call->timer, g_source_unref);
  call->attempt++;
  call_start_attempt (task);

  return G_SOURCE_REMOVE;
}

/* Either schedules another attempt (and returns TRUE, taking @error) or
 * leaves the error to the caller. */
static gboolean
call_maybe_retry (GTask   *task,
                  GError **error)
{
  Call *call = g_task_get_task_data (task);
  GemClient *self = call->self;
  gint64 retry_after_ms = -1;
  guint delay_ms;

  if (call->attempt > self->max_retries || call->n_body_bytes > 0 || call->user_cancelled)
    return FALSE;

  if ((*error)->domain == GEM_ERROR)
    retry_after_ms = gem_error_get_retry_after_ms (*error);

  if (retry_after_ms > RETRY_AFTER_LIMIT_MS)
    {
      g_debug ("%s: server asks to wait %" G_GINT64_FORMAT " ms, not retrying",
               call->what, retry_after_ms);
      return FALSE;
    }

  delay_ms = gem_client_compute_retry_delay_ms (self, call->attempt, retry_after_ms);

  g_debug ("%s: attempt %u failed (%s), retrying in %u ms",
           call->what, call->attempt, (*error)->message, delay_ms);

  call->phase = PHASE_BACKOFF;
  call_clear_timer (call);
  call->timer_phase = PHASE_BACKOFF;
  call->timer = g_timeout_source_new (delay_ms);
  g_source_set_callback (call->timer, backoff_done_cb, call, NULL);
  g_object_ref (task);
  g_source_set_static_name (call->timer, "[gem] retry backoff");
  g_source_attach (call->timer, call->context);

  g_signal_emit (self, signals[RETRYING], 0,
                 call->attempt, delay_ms, *error, call->user_cancellable);

  g_clear_error (error);

  return TRUE;
}

static void
call_fail_attempt (GTask  *task,
                   GError *error)
{
  if (call_maybe_retry (task, &error))
    return;

  call_return_error (task, error);
}

/* ---- the end of a generate call ---- */

static void
call_complete_generate (GTask *task)
{
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  call->phase = PHASE_DONE;
  call_clear_timer (call);

  /* A stream has no end marker: only a finishReason (or a blocked prompt) ends it. */
  if (call->stream && !gem_response_is_complete (call->response, &error))
    {
      call_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!gem_response_check_finish (call->response, &error))
    {
      call_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_debug ("%s: complete after %u event(s), %" G_GUINT64_FORMAT " bytes",
           call->what, call->n_events, call->n_body_bytes);
  g_task_return_pointer (task, g_object_ref (call->response), g_object_unref);
}

/* ---- streaming ---- */

/* Events above this size (an image, say) are parsed on a worker thread, so
 * the window keeps drawing while megabytes of base64 go through json-glib. */
#define LARGE_EVENT_SIZE (256 * 1024)

static gboolean
merge_parsed (Call        *call,
              JsonNode    *root,
              const char  *payload,
              gsize        len,
              GError     **error)
{
  JsonObject *chunk;

  /* Anything but one JSON object is left to the response to judge. */
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return gem_response_merge_event (call->response, payload, len, error);

  chunk = json_node_get_object (root);
  if (!gem_response_merge_chunk (call->response, chunk, error))
    return FALSE;

  g_signal_emit (call->self, signals[DELTA_RECEIVED], 0,
                 call->response, chunk, call->user_cancellable);

  return TRUE;
}

static gboolean
sse_event_cb (GemSseEventKind   kind,
              const char       *payload,
              gsize             len,
              gpointer          user_data,
              GError          **error)
{
  Call *call = user_data;
  g_autoptr(JsonParser) parser = NULL;

  call->n_events++;

  /* Order is kept: once one event waits for a worker, later ones queue behind it. */
  if (len >= LARGE_EVENT_SIZE)
    {
      /* Megabytes of an image: taken from the decoder, not copied. */
      g_queue_push_tail (&call->pending, gem_sse_decoder_steal_payload (call->decoder));
      return TRUE;
    }

  if (!g_queue_is_empty (&call->pending))
    {
      g_queue_push_tail (&call->pending, g_bytes_new (payload, len));
      return TRUE;
    }

  parser = json_parser_new_immutable ();
  if (len > G_MAXSSIZE || !gem_json_parser_load (parser, payload, (gssize) len, NULL))
    return gem_response_merge_event (call->response, payload, len, error);

  return merge_parsed (call, json_parser_get_root (parser), payload, len, error);
}

static void
parse_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GBytes *bytes = task_data;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (len <= G_MAXSSIZE && gem_json_parser_load (parser, data, (gssize) len, NULL) &&
      json_parser_get_root (parser) != NULL)
    g_task_return_pointer (task, json_node_copy (json_parser_get_root (parser)),
                           (GDestroyNotify) json_node_unref);
  else
    g_task_return_pointer (task, NULL, NULL);
}

static void call_stream_ended (GTask *task);
static void process_pending (GTask *task);

static void
parsed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = g_queue_pop_head (&call->pending);
  g_autoptr(JsonNode) root = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  call->parsing = FALSE;
  if (g_task_get_completed (task) || call->phase == PHASE_DONE)
    return;

  if (!merge_parsed (call, root, data, len, &error))
    {
      g_queue_clear_full (&call->pending, (GDestroyNotify) g_bytes_unref);
      call_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (call->user_cancelled)
    {
      call_return_error (task, call_map_io_error (call, NULL));
      return;
    }

  process_pending (task);
}

/* Works through queued events, then reads on (or finishes, if the body ended). */
static void
process_pending (GTask *task)
{
  Call *call = g_task_get_task_data (task);

  while (!g_queue_is_empty (&call->pending))
    {
      GBytes *head = g_queue_peek_head (&call->pending);
      g_autoptr(GTask) parse = NULL;

      if (g_bytes_get_size (head) < LARGE_EVENT_SIZE)
        {
          g_autoptr(GBytes) bytes = g_queue_pop_head (&call->pending);
          g_autoptr(JsonParser) parser = json_parser_new_immutable ();
          g_autoptr(GError) error = NULL;
          gsize len;
          const char *data = g_bytes_get_data (bytes, &len);
          JsonNode *root = NULL;

          if (gem_json_parser_load (parser, data, (gssize) len, NULL))
            root = json_parser_get_root (parser);
          if (!merge_parsed (call, root, data, len, &error))
            {
              g_queue_clear_full (&call->pending, (GDestroyNotify) g_bytes_unref);
              call_return_error (task, g_steal_pointer (&error));
              return;
            }
          continue;
        }

      call->parsing = TRUE;
      parse = g_task_new (NULL, NULL, parsed_cb, g_object_ref (task));
      g_task_set_task_data (parse, g_bytes_ref (head), (GDestroyNotify) g_bytes_unref);
      g_task_run_in_thread (parse, parse_in_thread);
      return;
    }

  if (call->ended)
    call_stream_ended (task);
  else
    call_read_next (task);
}

static void
call_stream_ended (GTask *task)
{
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!call->ended)
    {
      call->ended = TRUE;
      if (!gem_sse_decoder_finish (call->decoder, sse_event_cb, call, &error))
        {
          call_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  /* The last events may still be on their way through a worker. */
  if (call->parsing || !g_queue_is_empty (&call->pending))
    {
      if (!call->parsing)
        process_pending (task);
      return;
    }

  if (call->n_events == 0 && call->body_has_text)
    {
      call_return_error (task,
                         g_error_new (GEM_ERROR, GEM_ERROR_MALFORMED_RESPONSE,
                                      _("%s answered with something that is not a Gemini event stream."),
                                      call->host));
      return;
    }

  call_complete_generate (task);
}

static gboolean
bytes_have_text (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (data[i]))
      return TRUE;

  return FALSE;
}

static void
stream_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);

  if (bytes == NULL)
    {
      call_clear_timer (call);
      /* Safe to send again only while no byte of the answer has come. */
      if (call->n_body_bytes == 0 && !call->user_cancelled && !call->timed_out &&
          io_error_is_retryable (error))
        call_fail_attempt (task, call_map_io_error (call, error));
      else
        call_return_error (task, call_map_io_error (call, error));
      return;
    }

  len = g_bytes_get_size (bytes);
  if (len == 0)
    {
      call_clear_timer (call);
      call_stream_ended (task);
      return;
    }

  call->n_body_bytes += len;
  if (!call->body_has_text)
    call->body_has_text = bytes_have_text (bytes);

  if (!gem_sse_decoder_feed (call->decoder, g_bytes_get_data (bytes, NULL), len,
                             sse_event_cb, call, &error))
    {
      call_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (call->user_cancelled)
    {
      call_return_error (task, call_map_io_error (call, NULL));
      return;
    }

  /* Large events go through a worker first; reading resumes after them. */
  if (!g_queue_is_empty (&call->pending))
    {
      call_clear_timer (call);
      if (!call->parsing)
        process_pending (task);
      return;
    }

  call_read_next (task);
}

/* ---- whole bodies (unary answers, errors, model pages) ---- */

static void
call_body_complete (GTask *task)
{
  Call *call = g_task_get_task_data (task);
  guint status = soup_message_get_status (call->msg);
  const char *data = (const char *) call->buffer->data;
  gsize len = call->buffer->len;
  g_autoptr(GError) error = NULL;

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      SoupMessageHeaders *headers = soup_message_get_response_headers (call->msg);
      const char *retry_after = soup_message_headers_get_one (headers, "Retry-After");
      GError *http_error;

      http_error = gem_error_new_from_http (status, retry_after, data, len);
      g_debug ("%s: HTTP %u: %s", call->what, status, http_error->message);

      /* The retry decision looks at answer bytes, and an error body is none. */
      call->n_body_bytes = 0;

      if (gem_error_is_retryable_status (status))
        call_fail_attempt (task, http_error);
      else
        call_return_error (task, http_error);
      return;
    }

  if (call->kind == CALL_GENERATE)
    {
      g_autoptr(GemResponse) response = gem_response_new_from_json (data, len, &error);

      if (response == NULL)
        {
          call_return_error (task, g_steal_pointer (&error));
          return;
        }

      g_set_object (&call->response, response);
      call->n_events = 1;
      call_complete_generate (task);
      return;
    }

  /* A page of the model list. */
  {
    g_autoptr(JsonParser) parser = json_parser_new_immutable ();
    g_autoptr(GPtrArray) page = NULL;
    g_autofree char *next = NULL;
    JsonNode *root = NULL;

    if (len <= G_MAXSSIZE && gem_json_parser_load (parser, data, (gssize) len, NULL))
      root = json_parser_get_root (parser);

    if (root == NULL)
      {
        call_return_error (task,
                           gem_error_new_with_details (GEM_ERROR_MALFORMED_RESPONSE,
                                                       "the model list is not JSON"));
        return;
      }

    page = gem_model_info_parse_list (root, &next, &error);
    if (page == NULL)
      {
        call_return_error (task, g_steal_pointer (&error));
        return;
      }

    g_ptr_array_extend_and_steal (call->models, g_steal_pointer (&page));

    if (next != NULL && next[0] != '\0')
      {
        if (g_strcmp0 (next, call->page_token) == 0)
          {
            call_return_error (task,
                               gem_error_new_with_details (GEM_ERROR_MALFORMED_RESPONSE,
                                                           "the server sent the same model list page twice"));
            return;
          }

        g_free (call->page_token);
        call->page_token = g_steal_pointer (&next);
        call->attempt = 1;
        call_start_attempt (task);
        return;
      }

    call->phase = PHASE_DONE;
    call_clear_timer (call);
    g_debug ("%s: %u model(s)", call->what, call->models->len);
    g_task_return_pointer (task, g_ptr_array_ref (call->models),
                           (GDestroyNotify) g_ptr_array_unref);
  }
}

static void
body_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gboolean is_error_body;
  gsize limit;
  gsize len;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);

  is_error_body = !SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (call->msg));
  limit = is_error_body ? ERROR_BODY_LIMIT : UNARY_BODY_LIMIT;

  if (bytes == NULL)
    {
      call_clear_timer (call);
      if (is_error_body && !call->user_cancelled && !call->timed_out)
        {
          /* What arrived of an error body is still worth showing. */
          call_body_complete (task);
          return;
        }
      call_return_error (task, call_map_io_error (call, error));
      return;
    }

  len = g_bytes_get_size (bytes);
  if (len == 0 || call->buffer->len >= limit)
    {
      call_clear_timer (call);
      if (!is_error_body && call->buffer->len >= limit)
        {
          call_return_error (task,
                             g_error_new (GEM_ERROR, GEM_ERROR_EVENT_TOO_LARGE,
                                          _("The answer from %s is too large."), call->host));
          return;
        }
      call_body_complete (task);
      return;
    }

  call->n_body_bytes += len;
  g_byte_array_append (call->buffer, g_bytes_get_data (bytes, NULL),
                       MIN (len, limit - call->buffer->len + 1));

  call_read_next (task);
}

static void
call_read_next (GTask *task)
{
  Call *call = g_task_get_task_data (task);
  gboolean streaming;

  streaming = call->kind == CALL_GENERATE && call->stream &&
              SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (call->msg));

  call->phase = PHASE_READING;
  call_arm_timer (task, PHASE_READING,
                  streaming ? call->self->idle_timeout : call_wait_timeout (call));

  g_input_stream_read_bytes_async (call->in, READ_CHUNK_SIZE, G_PRIORITY_DEFAULT,
                                   call->io_cancellable,
                                   streaming ? stream_read_cb : body_read_cb,
                                   g_object_ref (task));
}

/* ---- sending ---- */

static void
wrote_headers_cb (SoupMessage *msg,
                  Call        *call)
{
  if (call->phase == PHASE_CONNECTING)
    {
      call->phase = PHASE_WAITING;
      call_arm_timer (call->task, PHASE_WAITING, call_wait_timeout (call));
    }
}

static void
wrote_body_data_cb (SoupMessage *msg,
                    guint        chunk_size,
                    Call        *call)
{
  /* A large upload (images) counts as activity, not as a silent server. */
  if (call->phase == PHASE_WAITING)
    call_arm_timer (call->task, PHASE_WAITING, call_wait_timeout (call));
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  in = soup_session_send_finish (SOUP_SESSION (object), result, &error);

  if (in == NULL)
    {
      gboolean retryable;
      Phase timer_phase = call->timer_phase;

      call_clear_timer (call);
      retryable = !call->user_cancelled &&
                  (call->timed_out ? timer_phase == PHASE_CONNECTING
                                   : io_error_is_retryable (error));

      g_debug ("%s: attempt %u: %s", call->what, call->attempt, error->message);

      if (retryable)
        call_fail_attempt (task, call_map_io_error (call, error));
      else
        call_return_error (task, call_map_io_error (call, error));
      return;
    }

  status = soup_message_get_status (call->msg);
  g_debug ("%s: HTTP %u %s", call->what, status,
           soup_message_get_reason_phrase (call->msg) ? soup_message_get_reason_phrase (call->msg) : "");

  g_set_object (&call->in, in);
  g_byte_array_set_size (call->buffer, 0);

  if (call->kind == CALL_GENERATE && call->stream && SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      if (call->decoder == NULL)
        call->decoder = gem_sse_decoder_new (GEM_SSE_DECODER_DEFAULT_MAX_EVENT_SIZE);
    }

  call_read_next (task);
}

static gboolean
cancel_source_cb (GCancellable *cancellable,
                  gpointer      user_data)
{
  Call *call = user_data;

  if (call->user_cancelled || call->phase == PHASE_DONE)
    return G_SOURCE_REMOVE;

  call->user_cancelled = TRUE;
  g_debug ("%s: cancelled", call->what);

  if (call->phase == PHASE_BACKOFF)
    {
      /* Nothing is in flight: answer now, and drop the pause's reference. */
      g_autoptr(GTask) task = call->task;

      call_clear_timer (call);
      call_return_error (task, call_map_io_error (call, NULL));
      return G_SOURCE_REMOVE;
    }

  g_cancellable_cancel (call->io_cancellable);

  return G_SOURCE_REMOVE;
}

static char *
call_build_path (Call *call)
{
  if (call->kind == CALL_LIST_MODELS)
    {
      GString *path = g_string_new ("models");
      char sep = '?';

      if (call->page_size > 0)
        {
          g_string_append_printf (path, "%cpageSize=%u", sep, call->page_size);
          sep = '&';
        }
      if (call->page_token != NULL)
        {
          g_autofree char *escaped = g_uri_escape_string (call->page_token, NULL, FALSE);
          g_string_append_printf (path, "%cpageToken=%s", sep, escaped);
        }
      return g_string_free (path, FALSE);
    }

  return g_strdup (call->what);
}

static void
call_start_attempt (GTask *task)
{
  Call *call = g_task_get_task_data (task);
  GemClient *self = call->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GUri) uri = NULL;
  SoupMessageHeaders *headers;

  if (call->user_cancelled)
    {
      call_return_error (task, call_map_io_error (call, NULL));
      return;
    }

  path = call_build_path (call);
  url = gem_client_build_url (self, path, &error);
  if (url == NULL)
    {
      call_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (self->api_key == NULL || self->api_key[0] == '\0')
    {
      call_return_error (task, gem_error_new_with_details (GEM_ERROR_NO_KEY, NULL));
      return;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, &error);
  if (uri == NULL)
    {
      call_return_error (task,
                         g_error_new (GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                                      _("Could not build a request address: %s"), error->message));
      return;
    }

  g_free (call->host);
  call->host = g_strdup (g_uri_get_host (uri));
  update_proxy (self, call->host);

  if (call->msg != NULL)
    g_signal_handlers_disconnect_by_data (call->msg, call);
  g_clear_object (&call->msg);
  g_clear_object (&call->in);
  g_clear_object (&call->io_cancellable);

  call->io_cancellable = g_cancellable_new ();
  call->timed_out = FALSE;
  call->n_body_bytes = 0;
  call->body_has_text = FALSE;

  call->msg = soup_message_new_from_uri (call->method, uri);
  /* A redirect could carry the key to another host. */
  soup_message_add_flags (call->msg, SOUP_MESSAGE_NO_REDIRECT);

  headers = soup_message_get_request_headers (call->msg);
  if (self->auth_style == GEM_AUTH_STYLE_BEARER)
    {
      g_autofree char *value = g_strconcat ("Bearer ", self->api_key, NULL);
      soup_message_headers_replace (headers, "Authorization", value);
    }
  else
    soup_message_headers_replace (headers, "x-goog-api-key", self->api_key);

  if (call->stream)
    soup_message_headers_replace (headers, "Accept", "text/event-stream");
  else
    soup_message_headers_replace (headers, "Accept", "application/json");

  if (call->body != NULL)
    soup_message_set_request_body_from_bytes (call->msg, "application/json", call->body);

  g_signal_connect (call->msg, "wrote-headers", G_CALLBACK (wrote_headers_cb), call);
  g_signal_connect (call->msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), call);

  /* The key is never part of the URL, so the URL may be logged. */
  g_debug ("%s %s (attempt %u, %s: [redacted])", call->method, url, call->attempt,
           self->auth_style == GEM_AUTH_STYLE_BEARER ? "Authorization" : "x-goog-api-key");

  call->phase = PHASE_CONNECTING;
  call_arm_timer (task, PHASE_CONNECTING, self->connect_timeout);

  soup_session_send_async (self->session, call->msg, G_PRIORITY_DEFAULT,
                           call->io_cancellable, send_cb, g_object_ref (task));
}

static GTask *
call_new_task (GemClient           *self,
               CallKind             kind,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data,
               gpointer             source_tag)
{
  GTask *task;
  Call *call;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  /* Cancellation is reported as GEM_ERROR_CANCELLED, with the partial answer kept. */
  g_task_set_check_cancellable (task, FALSE);

  call = g_new0 (Call, 1);
  call->task = task;
  call->self = g_object_ref (self);
  call->kind = kind;
  call->attempt = 1;
  call->phase = PHASE_IDLE;
  call->context = g_main_context_ref_thread_default ();
  call->buffer = g_byte_array_new ();
  g_set_object (&call->user_cancellable, cancellable);
  g_task_set_task_data (task, call, call_free);

  if (cancellable != NULL)
    {
      /* Dispatched on the caller's context, so all state stays on one thread. */
      call->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (call->cancel_source, G_SOURCE_FUNC (cancel_source_cb), call, NULL);
      g_source_set_priority (call->cancel_source, G_PRIORITY_HIGH);
      g_source_set_static_name (call->cancel_source, "[gem] request cancelled");
      g_source_attach (call->cancel_source, call->context);
    }

  return task;
}

/* ---- GObject ---- */

static void
gem_client_finalize (GObject *object)
{
  GemClient *self = (GemClient *) object;

  g_clear_object (&self->session);
  g_clear_pointer (&self->base_url, g_free);
  if (self->api_key != NULL)
    memset (self->api_key, 0, strlen (self->api_key));
  g_clear_pointer (&self->api_key, g_free);
  g_clear_pointer (&self->user_agent, g_free);

  G_OBJECT_CLASS (gem_client_parent_class)->finalize (object);
}

static void
gem_client_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  GemClient *self = GEM_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;

    case PROP_API_KEY:
      g_value_set_string (value, self->api_key);
      break;

    case PROP_AUTH_STYLE:
      g_value_set_enum (value, self->auth_style);
      break;

    case PROP_USER_AGENT:
      g_value_set_string (value, self->user_agent);
      break;

    case PROP_CONNECT_TIMEOUT:
      g_value_set_uint (value, self->connect_timeout);
      break;

    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout);
      break;

    case PROP_MAX_RETRIES:
      g_value_set_uint (value, self->max_retries);
      break;

    case PROP_RETRY_BASE_DELAY_MS:
      g_value_set_uint (value, self->retry_base_delay_ms);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gem_client_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  GemClient *self = GEM_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      gem_client_set_base_url (self, g_value_get_string (value));
      break;

    case PROP_API_KEY:
      gem_client_set_api_key (self, g_value_get_string (value));
      break;

    case PROP_AUTH_STYLE:
      gem_client_set_auth_style (self, g_value_get_enum (value));
      break;

    case PROP_USER_AGENT:
      gem_client_set_user_agent (self, g_value_get_string (value));
      break;

    case PROP_CONNECT_TIMEOUT:
      gem_client_set_connect_timeout (self, g_value_get_uint (value));
      break;

    case PROP_IDLE_TIMEOUT:
      gem_client_set_idle_timeout (self, g_value_get_uint (value));
      break;

    case PROP_MAX_RETRIES:
      gem_client_set_max_retries (self, g_value_get_uint (value));
      break;

    case PROP_RETRY_BASE_DELAY_MS:
      gem_client_set_retry_base_delay_ms (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gem_client_class_init (GemClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gem_client_finalize;
  object_class->get_property = gem_client_get_property;
  object_class->set_property = gem_client_set_property;

  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL,
                         GEM_CLIENT_DEFAULT_BASE_URL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_API_KEY] =
    g_param_spec_string ("api-key", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_AUTH_STYLE] =
    g_param_spec_enum ("auth-style", NULL, NULL,
                       GEM_TYPE_AUTH_STYLE,
                       GEM_AUTH_STYLE_X_GOOG_API_KEY,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_USER_AGENT] =
    g_param_spec_string ("user-agent", NULL, NULL,
                         "Starling/" PACKAGE_VERSION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CONNECT_TIMEOUT] =
    g_param_spec_uint ("connect-timeout", NULL, NULL,
                       0, 3600, DEFAULT_CONNECT_TIMEOUT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_uint ("idle-timeout", NULL, NULL,
                       0, 3600, DEFAULT_IDLE_TIMEOUT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_MAX_RETRIES] =
    g_param_spec_uint ("max-retries", NULL, NULL,
                       0, 100, DEFAULT_MAX_RETRIES,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_RETRY_BASE_DELAY_MS] =
    g_param_spec_uint ("retry-base-delay-ms", NULL, NULL,
                       0, 600000, DEFAULT_RETRY_BASE_MS,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * GemClient::delta-received:
   * @self: the client
   * @response: the answer merged so far
   * @chunk: the event just merged, a GenerateContentResponse holding a delta
   * @cancellable: (nullable): the cancellable given to gem_client_generate_async(),
   *   which tells concurrent requests apart
   *
   * Emitted for each streamed event, on the main context that started the request.
   */
  signals[DELTA_RECEIVED] =
    g_signal_new ("delta-received",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3,
                  GEM_TYPE_RESPONSE,
                  JSON_TYPE_OBJECT,
                  G_TYPE_CANCELLABLE);

  /**
   * GemClient::retrying:
   * @self: the client
   * @retry: 1 for the first retry, 2 for the second, …
   * @delay_ms: the pause before the retry
   * @error: why the previous attempt failed
   * @cancellable: (nullable): the request's cancellable
   *
   * Emitted when a request that failed before any answer arrived will be sent again.
   */
  signals[RETRYING] =
    g_signal_new ("retrying",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4,
                  G_TYPE_UINT,
                  G_TYPE_UINT,
                  G_TYPE_ERROR,
                  G_TYPE_CANCELLABLE);
}

static void
gem_client_init (GemClient *self)
{
  self->auth_style = GEM_AUTH_STYLE_X_GOOG_API_KEY;
  self->connect_timeout = DEFAULT_CONNECT_TIMEOUT;
  self->idle_timeout = DEFAULT_IDLE_TIMEOUT;
  self->max_retries = DEFAULT_MAX_RETRIES;
  self->retry_base_delay_ms = DEFAULT_RETRY_BASE_MS;

  /* Our own timers watch the connection; libsoup's would race them. */
  self->session = soup_session_new_with_options ("timeout", 0,
                                                 "user-agent", "Starling/" PACKAGE_VERSION,
                                                 NULL);
}

/* ---- public API ---- */

/**
 * gem_client_new:
 * @base_url: (nullable): the server, e.g. "https://api.cometapi.com"; %NULL for the default
 * @api_key: (nullable): the API key
 *
 * Returns: (transfer full): a new client
 */
GemClient *
gem_client_new (const char *base_url,
                const char *api_key)
{
  return g_object_new (GEM_TYPE_CLIENT,
                       "base-url", base_url ? base_url : GEM_CLIENT_DEFAULT_BASE_URL,
                       "api-key", api_key,
                       NULL);
}

const char *
gem_client_get_base_url (GemClient *self)
{
  g_return_val_if_fail (GEM_IS_CLIENT (self), NULL);
  return self->base_url;
}

/* The first https request loads the system's trusted certificates during its
 * handshake, on the thread that makes the connection: the main thread. A
 * client that will speak https has them loaded on a worker as soon as it
 * knows (once per process; GLib guards the default database with a lock). */
static gpointer
load_tls_database_thread (gpointer data)
{
  GTlsDatabase *database = g_tls_backend_get_default_database (g_tls_backend_get_default ());

  g_clear_object (&database);
  return NULL;
}

static void
preload_tls_database (void)
{
  static gsize started;

  if (g_once_init_enter (&started))
    {
      g_thread_unref (g_thread_new ("gem-tls-database", load_tls_database_thread, NULL));
      g_once_init_leave (&started, 1);
    }
}

/**
 * gem_client_set_base_url:
 *
 * Any string is stored; an unusable one (plain http:// to another host, not
 * a URL) makes each request fail with a GError saying why. Use
 * gem_client_check_base_url() to validate user input early.
 */
void
gem_client_set_base_url (GemClient  *self,
                         const char *base_url)
{
  g_return_if_fail (GEM_IS_CLIENT (self));

  if (base_url == NULL || base_url[0] == '\0')
    base_url = GEM_CLIENT_DEFAULT_BASE_URL;

  if (!set_str (&self->base_url, base_url))
    return;

  if (g_ascii_strncasecmp (base_url, "https://", 8) == 0)
    preload_tls_database ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASE_URL]);
}

const char *
gem_client_get_api_key (GemClient *self)
{
  g_return_val_if_fail (GEM_IS_CLIENT (self), NULL);
  return self->api_key;
}

void
gem_client_set_api_key (GemClient  *self,
                        const char *api_key)
{
  g_return_if_fail (GEM_IS_CLIENT (self));

  if (g_strcmp0 (api_key, self->api_key) == 0)
    return;

  if (self->api_key != NULL)
    memset (self->api_key, 0, strlen (self->api_key));
  g_free (self->api_key);
  self->api_key = api_key ? g_strstrip (g_strdup (api_key)) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_API_KEY]);
}

GemAuthStyle
gem_client_get_auth_style (GemClient *self)
{
  g_return_val_if_fail (GEM_IS_CLIENT (self), GEM_AUTH_STYLE_X_GOOG_API_KEY);
  return self->auth_style;
}

void
gem_client_set_auth_style (GemClient    *self,
                           GemAuthStyle  auth_style)
{
  g_return_if_fail (GEM_IS_CLIENT (self));

  if (self->auth_style == auth_style)
    return;

  self->auth_style = auth_style;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTH_STYLE]);
}

const char *
gem_client_get_user_agent (GemClient *self)
{
  g_return_val_if_fail (GEM_IS_CLIENT (self), NULL);
  return self->user_agent;
}

void
gem_client_set_user_agent (GemClient  *self,
                           const char *user_agent)
{
  g_return_if_fail (GEM_IS_CLIENT (self));

  if (user_agent == NULL)
    user_agent = "Starling/" PACKAGE_VERSION;

  if (set_str (&self->user_agent, user_agent))
    {
      g_object_set (self->session, "user-agent", user_agent, NULL);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_AGENT]);
    }
}

guint
gem_client_get_connect_timeout (GemClient *self)
{
  g_return_val_if_fail (GEM_IS_CLIENT (self), 0);
  return self->connect_timeout;
}

/**
 * gem_client_set_connect_timeout:
 * @seconds: how long connecting (and sending the request headers) may take; 0 for no limit
 */
void
gem_client_set_connect_timeout (GemClient *self,
                                guint      seconds)
{
  g_return_if_fail (GEM_IS_CLIENT (self));

  if (self->connect_timeout == seconds)
    return;

  self->connect_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECT_TIMEOUT]);
}

guint
gem_client_get_idle_timeout (GemClient *self)
{
  g_return_val_if_fail (GEM_IS_CLIENT (self), 0);
  return self->idle_timeout;
}

/**
 * gem_client_set_idle_timeout:
 * @seconds: the longest silence allowed between two chunks of an answer; 0 for no limit
 *
 * A unary request (no streaming) may wait ten times as long for its answer to begin,
 * since the server sends nothing until the whole answer is ready.
 */
void
gem_client_set_idle_timeout (GemClient *self,
                             guint      seconds)
{
  g_return_if_fail (GEM_IS_CLIENT (self));

  if (self->idle_timeout == seconds)
    return;

  self->idle_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDLE_TIMEOUT]);
}

guint
gem_client_get_max_retries (GemClient *self)
{
  g_return_val_if_fail (GEM_IS_CLIENT (self), 0);
  return self->max_retries;
}

void
gem_client_set_max_retries (GemClient *self,
                            guint      max_retries)
{
  g_return_if_fail (GEM_IS_CLIENT (self));

  if (self->max_retries == max_retries)
    return;

  self->max_retries = max_retries;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_RETRIES]);
}

guint
gem_client_get_retry_base_delay_ms (GemClient *self)
{
  g_return_val_if_fail (GEM_IS_CLIENT (self), 0);
  return self->retry_base_delay_ms;
}

/**
 * gem_client_set_retry_base_delay_ms:
 * @delay_ms: the pause before the first retry; it doubles for each further
 *   retry (capped at 30 s), plus up to a quarter of random jitter
 */
void
gem_client_set_retry_base_delay_ms (GemClient *self,
                                    guint      delay_ms)
{
  g_return_if_fail (GEM_IS_CLIENT (self));

  if (self->retry_base_delay_ms == delay_ms)
    return;

  self->retry_base_delay_ms = delay_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_BASE_DELAY_MS]);
}

/**
 * gem_client_check_base_url:
 * @base_url: a server address as a user would type it
 *
 * Returns: %TRUE if requests can be sent there: https://, or http:// to this
 *   computer (127.0.0.0/8, ::1, localhost) only
 */
gboolean
gem_client_check_base_url (const char  *base_url,
                           GError     **error)
{
  return split_base_url (base_url, NULL, NULL, error);
}

/**
 * gem_client_build_url:
 * @path: what follows the API version, e.g. "models/gemini-2.5-flash:generateContent"
 *
 * Returns: (transfer full): the full URL, e.g.
 *   "https://api.cometapi.com/v1beta/models/gemini-2.5-flash:generateContent"
 */
char *
gem_client_build_url (GemClient   *self,
                      const char  *path,
                      GError     **error)
{
  g_autofree char *prefix = NULL;
  g_autofree char *version = NULL;

  g_return_val_if_fail (GEM_IS_CLIENT (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (!split_base_url (self->base_url, &prefix, &version, error))
    return NULL;

  while (path[0] == '/')
    path++;

  return g_strconcat (prefix, "/", version, "/", path, NULL);
}

/* "gemini-2.5-flash", "models/gemini-2.5-flash" and "tunedModels/x" all name a model. */
static char *
model_resource_path (const char  *model,
                     GError     **error)
{
  g_auto(GStrv) segments = NULL;
  g_autoptr(GString) path = g_string_new (NULL);

  if (model == NULL || model[0] == '\0')
    {
      g_set_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST, _("No model was chosen."));
      return NULL;
    }

  if (strchr (model, '/') == NULL)
    g_string_append (path, "models/");

  segments = g_strsplit (model, "/", -1);
  for (guint i = 0; segments[i] != NULL; i++)
    {
      g_autofree char *escaped = NULL;

      if (segments[i][0] == '\0' || g_str_equal (segments[i], ".") || g_str_equal (segments[i], ".."))
        {
          g_set_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST,
                       _("“%s” is not a valid model name."), model);
          return NULL;
        }

      escaped = g_uri_escape_string (segments[i], NULL, FALSE);
      if (i > 0)
        g_string_append_c (path, '/');
      g_string_append (path, escaped);
    }

  return g_string_free (g_steal_pointer (&path), FALSE);
}

/**
 * gem_client_generate_async:
 * @model: the model, e.g. "gemini-2.5-flash" or "models/gemini-2.5-flash"
 * @request: a GenerateContentRequest (see gem_request_build())
 * @flags: %GEM_GENERATE_FLAGS_STREAM to stream the answer
 *
 * Sends the request. A streamed answer emits #GemClient::delta-received for
 * each event. Failures before any answer byte (HTTP 408, 429, 500, 502, 503,
 * 504 and lost connections) are retried with exponential backoff; once part of
 * the answer arrived, nothing is retried.
 */
void
gem_client_generate_async (GemClient           *self,
                           const char          *model,
                           JsonNode            *request,
                           GemGenerateFlags     flags,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *resource = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  Call *call;

  g_return_if_fail (GEM_IS_CLIENT (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = call_new_task (self, CALL_GENERATE, cancellable, callback, user_data,
                        gem_client_generate_async);
  call = g_task_get_task_data (task);
  call->stream = (flags & GEM_GENERATE_FLAGS_STREAM) != 0;
  call->method = g_strdup ("POST");
  call->response = gem_response_new ();

  resource = model_resource_path (model, &error);
  if (resource == NULL)
    {
      call_return_error (task, g_steal_pointer (&error));
      return;
    }

  call->what = g_strconcat (resource,
                            call->stream ? ":streamGenerateContent?alt=sse" : ":generateContent",
                            NULL);

  body = json_to_string (request, FALSE);
  len = strlen (body);
  call->body = g_bytes_new_take (g_steal_pointer (&body), len);

  if (g_cancellable_is_cancelled (cancellable))
    {
      call->user_cancelled = TRUE;
      call_return_error (task, call_map_io_error (call, NULL));
      return;
    }

  call_start_attempt (task);
}

/**
 * gem_client_generate_finish:
 * @partial: (out) (optional) (nullable) (transfer full): on error, the answer
 *   received before the failure (every event merged so far), or %NULL if
 *   nothing arrived
 *
 * A complete answer is one with a finishReason of STOP or MAX_TOKENS (see
 * gem_response_check_finish()). A blocked prompt, an answer stopped for
 * safety or another reason, a stream that ended without a finishReason
 * (%GEM_ERROR_INTERRUPTED), a silent server (%GEM_ERROR_TIMEOUT) and a
 * cancelled request (%GEM_ERROR_CANCELLED) are errors, with @partial set.
 *
 * Returns: (transfer full): the whole answer, or %NULL with @error set
 */
GemResponse *
gem_client_generate_finish (GemClient     *self,
                            GAsyncResult  *result,
                            GemResponse  **partial,
                            GError       **error)
{
  GemResponse *response;
  Call *call;

  g_return_val_if_fail (GEM_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gem_client_generate_async, NULL);

  call = g_task_get_task_data (G_TASK (result));
  response = g_task_propagate_pointer (G_TASK (result), error);

  if (partial != NULL)
    {
      *partial = NULL;
      if (response == NULL && call->response != NULL && call->n_events > 0)
        *partial = g_object_ref (call->response);
    }

  return response;
}

/**
 * gem_client_list_models_async:
 * @page_size: models per page, 0 for the server's default
 *
 * Lists every model, following `nextPageToken` over all pages.
 */
void
gem_client_list_models_async (GemClient           *self,
                              guint                page_size,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Call *call;

  g_return_if_fail (GEM_IS_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = call_new_task (self, CALL_LIST_MODELS, cancellable, callback, user_data,
                        gem_client_list_models_async);
  call = g_task_get_task_data (task);
  call->method = g_strdup ("GET");
  call->what = g_strdup ("models");
  call->page_size = page_size;
  call->models = g_ptr_array_new_with_free_func (g_object_unref);

  if (g_cancellable_is_cancelled (cancellable))
    {
      call->user_cancelled = TRUE;
      call_return_error (task, call_map_io_error (call, NULL));
      return;
    }

  call_start_attempt (task);
}

/**
 * gem_client_list_models_finish:
 *
 * Returns: (transfer container) (element-type GemModelInfo): every model of every page
 */
GPtrArray *
gem_client_list_models_finish (GemClient     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (GEM_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gem_client_list_models_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

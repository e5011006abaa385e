/* fake-gemini.c: a fake Gemini API server on loopback, for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "FakeGemini"

#include "fake-gemini.h"
#include "fake-gemini-private.h"

#include <libsoup/soup.h>
#include <string.h>

#define API_PREFIX "/v1beta/models"
#define JSON_CONTENT_TYPE "application/json; charset=UTF-8"
#define SSE_CONTENT_TYPE "text/event-stream"
#define DEFAULT_TEXT "This is the fake Gemini server. Route this model to a scenario to script its answers."
#define SMALL_IMAGE_SIZE 64

typedef struct
{
  FakeScenario *scenario;
  guint         hits;
} FakeRoute;

typedef struct
{
  FakeGemini        *self;
  SoupServerMessage *msg;
  GPtrArray         *events;          /* GBytes */
  guint              event_index;
  gsize              byte_offset;     /* inside the current event, when trickling */
  guint              events_sent;
  int                delay_ms;
  int                trickle_ms;
  int                drop_after;
  int                stall_after;
  guint              appended_chunks;
  guint              written_chunks;
  gboolean           headers_written;
  gboolean           drop_pending;
  gboolean           stalled;
  GSource           *timer;
  GSource           *drop_idle;
  GSource           *hangup_watch;
} FakeStream;

struct _FakeGemini
{
  GObject       parent_instance;

  char         *corpus_dir;
  guint16       requested_port;
  GBytes       *api_key_error;
  GBytes       *unknown_model_error;
  FakeScenario *default_scenario;

  /* Guards the fields up to the server thread's own. */
  GMutex        mutex;
  char         *api_key;
  gboolean      verbose;
  GHashTable   *routes;           /* model -> FakeRoute */
  GPtrArray    *requests;         /* FakeGeminiRequest */
  GHashTable   *signatures;       /* thought signatures handed out */

  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  GMutex        start_mutex;
  GCond         start_cond;
  gboolean      start_done;
  GError       *start_error;
  char         *base_url;
  guint16       port;

  /* Touched by the server thread only. */
  SoupServer   *server;
  GHashTable   *streams;          /* FakeStream set */
};

G_DEFINE_FINAL_TYPE (FakeGemini, fake_gemini, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (FakeGeminiRequest, fake_gemini_request,
                     fake_gemini_request_ref, fake_gemini_request_unref)

/* Used when the corpus is not at hand; same text as the recordings. */
static const char builtin_api_key_error[] =
  "{\n"
  "  \"error\": {\n"
  "    \"code\": 400,\n"
  "    \"message\": \"API key not valid. Please pass a valid API key.\",\n"
  "    \"status\": \"INVALID_ARGUMENT\",\n"
  "    \"details\": [\n"
  "      {\n"
  "        \"@type\": \"type.googleapis.com/google.rpc.ErrorInfo\",\n"
  "        \"reason\": \"API_KEY_INVALID\",\n"
  "        \"domain\": \"googleapis.com\",\n"
  "        \"metadata\": {\n"
  "          \"service\": \"generativelanguage.googleapis.com\"\n"
  "        }\n"
  "      }\n"
  "    ]\n"
  "  }\n"
  "}\n";

static const char builtin_unknown_model_error[] =
  "{\n"
  "  \"error\": {\n"
  "    \"code\": 404,\n"
  "    \"message\": \"models/unknown is not found for API version v1beta, or is not supported for "
  "generateContent. Call ListModels to see the list of available models and their supported methods.\",\n"
  "    \"status\": \"NOT_FOUND\"\n"
  "  }\n"
  "}\n";

static const char demo_markdown[] =
  "# Brewing a better cup of coffee\n"
  "\n"
  "Good coffee comes down to a few **variables** you control at home:\n"
  "\n"
  "1. **Grind size**: finer for espresso, coarser for a French press.\n"
  "2. **Water temperature**: between 90 and 96 °C, just off the boil.\n"
  "3. **Ratio**: start at 1:16, one gram of coffee for 16 g of water.\n"
  "\n"
  "## A brewing timer in Python\n"
  "\n"
  "```python\n"
  "import time\n"
  "\n"
  "def brew(seconds: int = 240) -> None:\n"
  "    for remaining in range(seconds, 0, -30):\n"
  "        print(f\"{remaining} s left\")\n"
  "        time.sleep(30)\n"
  "    print(\"Press the plunger and pour.\")\n"
  "```\n"
  "\n"
  "## Methods compared\n"
  "\n"
  "| Method | Grind | Time |\n"
  "|---|---|---|\n"
  "| Espresso | Fine | 25–30 s |\n"
  "| Pour-over | Medium | 3 min |\n"
  "| French press | Coarse | 4 min |\n"
  "\n"
  "> **Tip:** weigh your beans; scoops vary by up to 30 %.\n"
  "\n"
  "That's all there is to it: *enjoy your cup!*";

/* FakeGeminiRequest */

FakeGeminiRequest *
fake_gemini_request_ref (FakeGeminiRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);

  g_atomic_ref_count_inc (&request->ref_count);
  return request;
}

void
fake_gemini_request_unref (FakeGeminiRequest *request)
{
  g_return_if_fail (request != NULL);

  if (!g_atomic_ref_count_dec (&request->ref_count))
    return;

  g_free (request->method);
  g_free (request->path);
  g_free (request->query);
  g_free (request->model);
  g_clear_pointer (&request->headers, g_hash_table_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request);
}

const char *
fake_gemini_request_get_header (FakeGeminiRequest *request,
                                const char        *name)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  lower = g_ascii_strdown (name, -1);

  return g_hash_table_lookup (request->headers, lower);
}

JsonNode *
fake_gemini_request_dup_json (FakeGeminiRequest *request)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data;

  g_return_val_if_fail (request != NULL, NULL);

  data = g_bytes_get_data (request->body, &len);
  if (len == 0 || !json_parser_load_from_data (parser, data, len, NULL))
    return NULL;

  return json_node_ref (json_parser_get_root (parser));
}

gboolean
fake_gemini_request_is_stream (FakeGeminiRequest *request)
{
  g_return_val_if_fail (request != NULL, FALSE);

  return g_str_has_suffix (request->path, ":streamGenerateContent");
}

static void
collect_header (const char *name,
                const char *value,
                gpointer    user_data)
{
  GHashTable *headers = user_data;
  g_autofree char *lower = g_ascii_strdown (name, -1);
  const char *previous = g_hash_table_lookup (headers, lower);

  if (previous != NULL)
    g_hash_table_insert (headers, g_steal_pointer (&lower),
                         g_strconcat (previous, ", ", value, NULL));
  else
    g_hash_table_insert (headers, g_steal_pointer (&lower), g_strdup (value));
}

static char *
model_from_path (const char *path)
{
  const char *name;
  const char *colon;

  if (!g_str_has_prefix (path, API_PREFIX "/"))
    return NULL;

  name = path + strlen (API_PREFIX "/");
  colon = strchr (name, ':');

  if (colon == NULL)
    colon = name + strlen (name);
  if (colon == name)
    return NULL;

  return g_strndup (name, colon - name);
}

static FakeGeminiRequest *
request_new (SoupServerMessage *msg,
             const char        *path)
{
  FakeGeminiRequest *request = g_new0 (FakeGeminiRequest, 1);
  GUri *uri = soup_server_message_get_uri (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  g_atomic_ref_count_init (&request->ref_count);
  request->monotonic_time = g_get_monotonic_time ();
  request->real_time = g_get_real_time ();
  request->method = g_strdup (soup_server_message_get_method (msg));
  request->path = g_uri_unescape_string (path, NULL);
  if (request->path == NULL)
    request->path = g_strdup (path);
  request->query = g_strdup (g_uri_get_query (uri));
  request->model = model_from_path (request->path);
  request->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  soup_message_headers_foreach (soup_server_message_get_request_headers (msg),
                                collect_header, request->headers);
  request->body = body ? soup_message_body_flatten (body) : g_bytes_new (NULL, 0);

  return request;
}

/* Routes */

static void
route_free (gpointer data)
{
  FakeRoute *route = data;

  g_clear_pointer (&route->scenario, fake_scenario_unref);
  g_free (route);
}

/* Responses */

static void
respond (SoupServerMessage *msg,
         guint              status,
         const char        *content_type,
         const char        *data,
         gsize              len)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, data, len);
}

static void
respond_bytes (SoupServerMessage *msg,
               guint              status,
               const char        *content_type,
               GBytes            *bytes)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  respond (msg, status, content_type, data, len);
}

static guint
respond_error (SoupServerMessage *msg,
               guint              status,
               int                retry_after,
               const char        *message)
{
  g_autofree char *body = fake_error_body (status, retry_after, message);

  if (retry_after >= 0)
    {
      g_autofree char *value = g_strdup_printf ("%d", retry_after);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", value);
    }

  respond (msg, status, JSON_CONTENT_TYPE, body, strlen (body));

  return status;
}

/* Streams: events written one by one from timers in the server thread */

static void stream_tick (FakeStream *stream);

static void
stream_free (FakeStream *stream)
{
  if (stream->timer != NULL)
    {
      g_source_destroy (stream->timer);
      g_clear_pointer (&stream->timer, g_source_unref);
    }
  if (stream->drop_idle != NULL)
    {
      g_source_destroy (stream->drop_idle);
      g_clear_pointer (&stream->drop_idle, g_source_unref);
    }
  if (stream->hangup_watch != NULL)
    {
      g_source_destroy (stream->hangup_watch);
      g_clear_pointer (&stream->hangup_watch, g_source_unref);
    }

  g_signal_handlers_disconnect_by_data (stream->msg, stream);
  g_clear_object (&stream->msg);
  g_clear_pointer (&stream->events, g_ptr_array_unref);
  g_free (stream);
}

static void
stream_forget (FakeStream *stream)
{
  /* the hash table's free function frees it */
  g_hash_table_remove (stream->self->streams, stream);
}

static gboolean
stream_timer_cb (gpointer user_data)
{
  FakeStream *stream = user_data;

  g_clear_pointer (&stream->timer, g_source_unref);
  stream_tick (stream);

  return G_SOURCE_REMOVE;
}

static void
stream_schedule (FakeStream *stream,
                 guint       ms)
{
  g_assert (stream->timer == NULL);

  stream->timer = g_timeout_source_new (ms);
  g_source_set_callback (stream->timer, stream_timer_cb, stream, NULL);
  g_source_attach (stream->timer, stream->self->context);
}

/* Closes the TCP connection under libsoup's feet: no final chunk, no
 * complete body, like a proxy or a server that died mid-answer. */
static void
stream_close_connection (FakeStream *stream)
{
  GSocket *socket = soup_server_message_get_socket (stream->msg);
  g_autoptr(GIOStream) connection = NULL;

  /* Shut the socket first: once stolen, libsoup's body stream would
   * otherwise write the final "0" chunk as it is disposed. */
  if (socket != NULL)
    {
      /* libsoup looks these up while stealing; a shut socket has none */
      soup_server_message_get_local_address (stream->msg);
      soup_server_message_get_remote_address (stream->msg);
      g_socket_shutdown (socket, TRUE, TRUE, NULL);
    }

  connection = soup_server_message_steal_connection (stream->msg);

  if (connection != NULL)
    g_io_stream_close (connection, NULL, NULL);

  stream_forget (stream);
}

static gboolean
stream_drop_idle_cb (gpointer user_data)
{
  FakeStream *stream = user_data;

  g_clear_pointer (&stream->drop_idle, g_source_unref);
  stream_close_connection (stream);

  return G_SOURCE_REMOVE;
}

static void
stream_maybe_drop (FakeStream *stream)
{
  if (!stream->drop_pending || stream->drop_idle != NULL)
    return;

  /* only once everything handed to libsoup is on the wire */
  if (!stream->headers_written || stream->written_chunks < stream->appended_chunks)
    return;

  stream->drop_idle = g_idle_source_new ();
  g_source_set_callback (stream->drop_idle, stream_drop_idle_cb, stream, NULL);
  g_source_attach (stream->drop_idle, stream->self->context);
}

static gboolean
stream_hangup_cb (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  FakeStream *stream = user_data;

  g_clear_pointer (&stream->hangup_watch, g_source_unref);

  /* readable with nothing to read: the client closed its end */
  if ((condition & (G_IO_HUP | G_IO_ERR)) != 0 || g_socket_get_available_bytes (socket) <= 0)
    stream_close_connection (stream);

  /* else the client sent more bytes: stop watching rather than spin */
  return G_SOURCE_REMOVE;
}

static void
stream_stall (FakeStream *stream)
{
  GSocket *socket = soup_server_message_get_socket (stream->msg);

  stream->stalled = TRUE;

  if (socket == NULL || stream->hangup_watch != NULL)
    return;

  stream->hangup_watch = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (stream->hangup_watch, G_SOURCE_FUNC (stream_hangup_cb), stream, NULL);
  g_source_attach (stream->hangup_watch, stream->self->context);
}

/* Decides what happens after events_sent events went out. Returns TRUE
 * when the stream goes on. */
static gboolean
stream_check_stop (FakeStream *stream)
{
  if (stream->drop_after >= 0 && stream->events_sent >= (guint) stream->drop_after)
    {
      stream->drop_pending = TRUE;
      stream_maybe_drop (stream);
      return FALSE;
    }

  if (stream->stall_after >= 0 && stream->events_sent >= (guint) stream->stall_after)
    {
      stream_stall (stream);
      return FALSE;
    }

  return TRUE;
}

static void
stream_tick (FakeStream *stream)
{
  SoupMessageBody *body = soup_server_message_get_response_body (stream->msg);
  GBytes *event = g_ptr_array_index (stream->events, stream->event_index);
  gboolean event_done;
  gboolean last;

  if (stream->trickle_ms >= 0)
    {
      g_autoptr(GBytes) byte = g_bytes_new_from_bytes (event, stream->byte_offset, 1);

      soup_message_body_append_bytes (body, byte);
      stream->byte_offset++;
      event_done = stream->byte_offset == g_bytes_get_size (event);
    }
  else
    {
      soup_message_body_append_bytes (body, event);
      event_done = TRUE;
    }

  stream->appended_chunks++;

  if (event_done)
    {
      stream->event_index++;
      stream->events_sent++;
      stream->byte_offset = 0;
    }

  last = stream->event_index == stream->events->len;
  if (last && stream->drop_after < 0 && stream->stall_after < 0)
    soup_message_body_complete (body);

  soup_server_message_unpause (stream->msg);

  if (event_done && !stream_check_stop (stream))
    return;

  if (last)
    {
      /* drop_after or stall_after beyond the last event: all, then no end */
      if (stream->drop_after >= 0)
        {
          stream->drop_pending = TRUE;
          stream_maybe_drop (stream);
        }
      else if (stream->stall_after >= 0)
        stream_stall (stream);
      return;
    }

  if (stream->trickle_ms >= 0)
    stream_schedule (stream, stream->trickle_ms + (event_done ? stream->delay_ms : 0));
  else
    stream_schedule (stream, stream->delay_ms);
}

static void
stream_wrote_headers_cb (SoupServerMessage *msg,
                         FakeStream        *stream)
{
  stream->headers_written = TRUE;
  stream_maybe_drop (stream);
}

static void
stream_wrote_chunk_cb (SoupServerMessage *msg,
                       FakeStream        *stream)
{
  stream->written_chunks++;
  stream_maybe_drop (stream);
}

static void
stream_finished_cb (SoupServerMessage *msg,
                    FakeStream        *stream)
{
  stream_forget (stream);
}

static void
deliver (FakeGemini        *self,
         SoupServerMessage *msg,
         GPtrArray         *events,
         gboolean           stream_mode,
         FakeScenario      *scenario)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *content_type = stream_mode ? SSE_CONTENT_TYPE : JSON_CONTENT_TYPE;
  FakeStream *stream;
  gsize total = 0;

  if (!stream_mode && events->len != 1)
    {
      /* a unary answer is one body */
      GByteArray *joined = g_byte_array_new ();

      for (guint i = 0; i < events->len; i++)
        {
          gsize len = 0;
          const guint8 *data = g_bytes_get_data (g_ptr_array_index (events, i), &len);

          g_byte_array_append (joined, data, len);
        }
      g_ptr_array_set_size (events, 0);
      g_ptr_array_add (events, g_byte_array_free_to_bytes (joined));
    }

  if (!stream_mode && scenario->delay_ms == 0 && scenario->trickle_ms < 0 &&
      scenario->drop_after < 0 && scenario->stall_after < 0)
    {
      respond_bytes (msg, SOUP_STATUS_OK, content_type, g_ptr_array_index (events, 0));
      return;
    }

  stream = g_new0 (FakeStream, 1);
  stream->self = self;
  stream->msg = g_object_ref (msg);
  stream->delay_ms = scenario->delay_ms;
  stream->trickle_ms = scenario->trickle_ms;
  stream->drop_after = scenario->drop_after;
  stream->stall_after = scenario->stall_after;

  if (!stream_mode && (stream->drop_after > 0 || stream->stall_after > 0))
    {
      /* a unary body breaks in the middle */
      GBytes *whole = g_ptr_array_index (events, 0);
      gsize len = g_bytes_get_size (whole);
      GPtrArray *halves = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

      g_ptr_array_add (halves, g_bytes_new_from_bytes (whole, 0, len / 2));
      g_ptr_array_add (halves, g_bytes_new_from_bytes (whole, len / 2, len - len / 2));
      stream->events = halves;
      if (stream->drop_after > 0)
        stream->drop_after = 1;
      if (stream->stall_after > 0)
        stream->stall_after = 1;
    }
  else
    stream->events = g_ptr_array_ref (events);

  for (guint i = 0; i < stream->events->len; i++)
    total += g_bytes_get_size (g_ptr_array_index (stream->events, i));

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (headers, "Content-Type", content_type);
  if (stream_mode)
    soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  else
    soup_message_headers_set_content_length (headers, total);

  g_signal_connect (msg, "wrote-headers", G_CALLBACK (stream_wrote_headers_cb), stream);
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (stream_wrote_chunk_cb), stream);
  g_signal_connect (msg, "finished", G_CALLBACK (stream_finished_cb), stream);

  g_hash_table_add (self->streams, stream);

  /* libsoup sends the headers now and waits for body chunks */
  if (stream->events->len == 0)
    {
      soup_message_body_complete (soup_server_message_get_response_body (msg));
      return;
    }

  if (!stream_check_stop (stream))
    return;

  stream_schedule (stream, stream->delay_ms);
}

/* Request handling */

static const char *
provided_key (FakeGeminiRequest *request)
{
  const char *key = fake_gemini_request_get_header (request, "x-goog-api-key");
  const char *auth;

  if (key != NULL)
    return key;

  auth = fake_gemini_request_get_header (request, "authorization");
  if (auth != NULL && g_ascii_strncasecmp (auth, "Bearer ", 7) == 0)
    return auth + 7;

  return NULL;
}

static char **
dup_extra_models (FakeGemini *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GHashTableIter iter;
  const char *model;

  g_mutex_lock (&self->mutex);
  g_hash_table_iter_init (&iter, self->routes);
  while (g_hash_table_iter_next (&iter, (gpointer *) &model, NULL))
    if (strcmp (model, "*") != 0)
      g_strv_builder_add (builder, model);
  g_mutex_unlock (&self->mutex);

  return g_strv_builder_end (builder);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static guint
handle_models_list (FakeGemini        *self,
                    SoupServerMessage *msg,
                    GHashTable        *query)
{
  g_auto(GStrv) extra = dup_extra_models (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) page = NULL;
  g_autofree char *json = NULL;
  const char *size_text = query ? g_hash_table_lookup (query, "pageSize") : NULL;
  const char *token = query ? g_hash_table_lookup (query, "pageToken") : NULL;
  gint64 size = 0;

  qsort (extra, g_strv_length (extra), sizeof (char *), compare_strings);

  if (size_text != NULL && !g_ascii_string_to_signed (size_text, 10, G_MININT32, G_MAXINT32, &size, NULL))
    {
      g_autofree char *message = g_strdup_printf ("Invalid value at 'page_size' (TYPE_INT32), \"%s\"",
                                                  size_text);

      return respond_error (msg, 400, -1, message);
    }

  page = fake_models_list_page (token, (int) size, (const char * const *) extra, &error);
  if (page == NULL)
    return respond_error (msg, 400, -1, error->message);

  json = json_to_string (page, TRUE);
  respond (msg, SOUP_STATUS_OK, JSON_CONTENT_TYPE, json, strlen (json));

  return SOUP_STATUS_OK;
}

static guint
handle_model_get (FakeGemini        *self,
                  SoupServerMessage *msg,
                  const char        *model)
{
  g_auto(GStrv) extra = dup_extra_models (self);
  g_autoptr(JsonNode) node = fake_models_lookup (model, (const char * const *) extra);
  g_autofree char *json = NULL;

  if (node == NULL)
    {
      respond_bytes (msg, SOUP_STATUS_NOT_FOUND, JSON_CONTENT_TYPE, self->unknown_model_error);
      return SOUP_STATUS_NOT_FOUND;
    }

  json = json_to_string (node, TRUE);
  respond (msg, SOUP_STATUS_OK, JSON_CONTENT_TYPE, json, strlen (json));

  return SOUP_STATUS_OK;
}

/* Gemini 3 image models refuse a history whose images lost their signature. */
static char *
check_image_signatures (FakeGemini *self,
                        JsonArray  *contents,
                        guint      *n_model_turns)
{
  *n_model_turns = 0;

  for (guint i = 0; i < json_array_get_length (contents); i++)
    {
      JsonNode *node = json_array_get_element (contents, i);
      JsonObject *content;
      JsonArray *parts;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;

      content = json_node_get_object (node);
      if (g_strcmp0 (fake_json_get_string (content, "role"), "model") != 0)
        continue;

      (*n_model_turns)++;

      if (!json_object_has_member (content, "parts") ||
          !JSON_NODE_HOLDS_ARRAY (json_object_get_member (content, "parts")))
        continue;

      parts = json_object_get_array_member (content, "parts");
      for (guint j = 0; j < json_array_get_length (parts); j++)
        {
          JsonNode *part_node = json_array_get_element (parts, j);
          JsonObject *part;
          const char *signature;
          gboolean known;

          if (!JSON_NODE_HOLDS_OBJECT (part_node))
            continue;

          part = json_node_get_object (part_node);
          if (!json_object_has_member (part, "inlineData"))
            continue;

          signature = fake_json_get_string (part, "thoughtSignature");
          if (signature == NULL || signature[0] == '\0')
            return g_strdup_printf ("Image part is missing a thought_signature in content position %u, "
                                    "part position %u. Learn more: "
                                    "https://ai.google.dev/gemini-api/docs/thought-signatures",
                                    i + 1, j + 1);

          g_mutex_lock (&self->mutex);
          known = g_hash_table_contains (self->signatures, signature);
          g_mutex_unlock (&self->mutex);

          if (!known)
            return g_strdup_printf ("Image part has an invalid thought_signature in content position %u, "
                                    "part position %u. Learn more: "
                                    "https://ai.google.dev/gemini-api/docs/thought-signatures",
                                    i + 1, j + 1);
        }
    }

  return NULL;
}

static GBytes *
compact_json_event (GBytes   *bytes,
                    gboolean  crlf)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  char *event;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  if (!json_parser_load_from_data (parser, data, len, NULL))
    return g_bytes_ref (bytes);

  json = json_to_string (json_parser_get_root (parser), FALSE);
  event = fake_sse_event_from_json (json, crlf);

  return g_bytes_new_take (event, strlen (event));
}

static guint
handle_generate (FakeGemini        *self,
                 SoupServerMessage *msg,
                 FakeGeminiRequest *request,
                 gboolean           stream_mode)
{
  g_autoptr(JsonNode) root = fake_gemini_request_dup_json (request);
  g_autoptr(FakeScenario) scenario = NULL;
  g_autoptr(GPtrArray) events = NULL;
  FakeAnswerContext ctx = { 0, };
  JsonObject *body;
  JsonArray *contents;
  FakeRoute *route;
  guint hits = 0;
  gboolean fail;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return respond_error (msg, 400, -1,
                          "Invalid JSON payload received. Expected a JSON object as the request body.");

  body = json_node_get_object (root);
  if (!json_object_has_member (body, "contents") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (body, "contents")) ||
      json_array_get_length (json_object_get_array_member (body, "contents")) == 0)
    return respond_error (msg, 400, -1, "* GenerateContentRequest.contents: contents is not specified\n");

  contents = json_object_get_array_member (body, "contents");

  g_mutex_lock (&self->mutex);
  route = g_hash_table_lookup (self->routes, request->model);
  if (route == NULL)
    route = g_hash_table_lookup (self->routes, "*");
  if (route != NULL)
    {
      scenario = fake_scenario_ref (route->scenario);
      hits = ++route->hits;
    }
  g_mutex_unlock (&self->mutex);

  if (scenario == NULL)
    {
      if (!fake_models_can_generate (request->model))
        {
          respond_bytes (msg, SOUP_STATUS_NOT_FOUND, JSON_CONTENT_TYPE, self->unknown_model_error);
          return SOUP_STATUS_NOT_FOUND;
        }

      scenario = fake_scenario_ref (self->default_scenario);
    }

  fail = (scenario->status != 0 || scenario->html_status != 0) &&
         (scenario->fail_times == 0 || hits <= scenario->fail_times);
  if (fail && scenario->status != 0)
    return respond_error (msg, scenario->status, scenario->retry_after, NULL);

  if (fail)
    {
      g_autofree char *page = fake_html_error_page (scenario->html_status);

      if (scenario->retry_after >= 0)
        {
          g_autofree char *value = g_strdup_printf ("%d", scenario->retry_after);

          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Retry-After", value);
        }
      respond (msg, scenario->html_status, "text/html", page, strlen (page));
      return scenario->html_status;
    }

  ctx.model = request->model;
  ctx.request_size = g_bytes_get_size (request->body);
  ctx.stream = stream_mode;
  ctx.crlf = scenario->sse_crlf;

  if (scenario->replay_bytes != NULL)
    {
      if (stream_mode && scenario->replay_status != 0)
        {
          respond_bytes (msg, scenario->replay_status, JSON_CONTENT_TYPE, scenario->replay_bytes);
          return scenario->replay_status;
        }

      if (!stream_mode && scenario->replay_unary_status != 0)
        {
          respond_bytes (msg, scenario->replay_unary_status, JSON_CONTENT_TYPE,
                         scenario->replay_unary_bytes);
          return scenario->replay_unary_status;
        }

      events = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      if (!stream_mode)
        g_ptr_array_add (events, g_bytes_ref (scenario->replay_unary_bytes));
      else if (scenario->replay_unary_bytes == scenario->replay_bytes)
        g_ptr_array_add (events, compact_json_event (scenario->replay_bytes, scenario->sse_crlf));
      else
        {
          g_ptr_array_unref (events);
          events = fake_sse_split_events (scenario->replay_bytes);
        }
    }
  else if (scenario->garbage)
    events = fake_answer_garbage (stream_mode, scenario->seed);
  else if (scenario->huge_image_mb > 0)
    {
      g_autoptr(GBytes) png = fake_gemini_png_new_of_size ((gsize) scenario->huge_image_mb * 1024 * 1024,
                                                           scenario->seed);

      events = fake_answer_image (&ctx, "Here is the large image you asked for.",
                                  scenario->thinking, png, NULL);
    }
  else if (scenario->image_model)
    {
      g_autofree char *problem = NULL;
      g_autofree char *signature = NULL;
      g_autofree char *text = NULL;
      g_autoptr(GBytes) png = NULL;
      guint n_model_turns = 0;

      problem = check_image_signatures (self, contents, &n_model_turns);
      if (problem != NULL)
        return respond_error (msg, 400, -1, problem);

      signature = fake_random_base64 (96);
      g_mutex_lock (&self->mutex);
      g_hash_table_add (self->signatures, g_strdup (signature));
      g_mutex_unlock (&self->mutex);

      png = fake_gemini_png_new (SMALL_IMAGE_SIZE, SMALL_IMAGE_SIZE, n_model_turns + 1);
      if (n_model_turns == 0)
        text = g_strdup ("Here is your image.");
      else
        text = g_strdup_printf ("Here is your image, edited (version %u).", n_model_turns + 1);

      events = fake_answer_image (&ctx, text, scenario->thinking, png, signature);
    }
  else
    events = fake_answer_text (&ctx, scenario->text ? scenario->text : DEFAULT_TEXT,
                               scenario->thinking);

  deliver (self, msg, events, stream_mode, scenario);

  return SOUP_STATUS_OK;
}

static guint
handle_request (FakeGemini        *self,
                SoupServerMessage *msg,
                FakeGeminiRequest *request,
                GHashTable        *query)
{
  g_autofree char *expected_key = NULL;
  const char *path = request->path;
  const char *rest;
  const char *colon;

  /* A key in the URL ends up in logs: refused even when it is right. */
  if (query != NULL && g_hash_table_contains (query, "key"))
    {
      respond_bytes (msg, SOUP_STATUS_BAD_REQUEST, JSON_CONTENT_TYPE, self->api_key_error);
      return SOUP_STATUS_BAD_REQUEST;
    }

  g_mutex_lock (&self->mutex);
  expected_key = g_strdup (self->api_key);
  g_mutex_unlock (&self->mutex);

  if (expected_key != NULL && g_strcmp0 (provided_key (request), expected_key) != 0)
    {
      respond_bytes (msg, SOUP_STATUS_BAD_REQUEST, JSON_CONTENT_TYPE, self->api_key_error);
      return SOUP_STATUS_BAD_REQUEST;
    }

  if (!g_str_has_prefix (path, API_PREFIX))
    goto not_found;

  rest = path + strlen (API_PREFIX);
  if (rest[0] == '\0' || strcmp (rest, "/") == 0)
    {
      if (strcmp (request->method, "GET") == 0)
        return handle_models_list (self, msg, query);
      goto not_found;
    }

  if (rest[0] != '/' || request->model == NULL)
    goto not_found;

  colon = strchr (rest, ':');
  if (colon == NULL)
    {
      if (strcmp (request->method, "GET") == 0)
        return handle_model_get (self, msg, request->model);
      goto not_found;
    }

  if (strcmp (request->method, "POST") != 0)
    goto not_found;

  if (strcmp (colon + 1, "generateContent") == 0)
    return handle_generate (self, msg, request, FALSE);

  if (strcmp (colon + 1, "streamGenerateContent") == 0)
    {
      const char *alt = query ? g_hash_table_lookup (query, "alt") : NULL;

      if (g_strcmp0 (alt, "sse") != 0)
        return respond_error (msg, 400, -1,
                              "fake-gemini: streamGenerateContent is only served with alt=sse");

      return handle_generate (self, msg, request, TRUE);
    }

not_found:
  {
    g_autofree char *body = fake_error_body_full (404, "NOT_FOUND", "fake-gemini: no such endpoint");

    respond (msg, SOUP_STATUS_NOT_FOUND, JSON_CONTENT_TYPE, body, strlen (body));
    return SOUP_STATUS_NOT_FOUND;
  }
}

static void
server_handler_cb (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  FakeGemini *self = user_data;
  FakeGeminiRequest *request = request_new (msg, path);
  gboolean verbose;

  request->status = handle_request (self, msg, request, query);

  g_mutex_lock (&self->mutex);
  g_ptr_array_add (self->requests, request);
  verbose = self->verbose;
  g_mutex_unlock (&self->mutex);

  if (verbose)
    g_printerr ("fake-gemini: %s %s%s%s -> %u\n",
                request->method, request->path,
                request->query ? "?" : "", request->query ? request->query : "",
                request->status);
}

static gboolean
quit_loop_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_REMOVE;
}

static gpointer
server_thread_func (gpointer user_data)
{
  FakeGemini *self = user_data;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (self->context);

  self->server = soup_server_new ("server-header", "fake-gemini ", NULL);
  soup_server_add_handler (self->server, NULL, server_handler_cb, self, NULL);

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, self->requested_port);

  if (soup_server_listen (self->server, address, 0, &error))
    {
      GSList *uris = soup_server_get_uris (self->server);

      g_assert (uris != NULL);
      self->port = g_uri_get_port (uris->data);
      self->base_url = g_strdup_printf ("http://127.0.0.1:%u", self->port);
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
    }

  g_mutex_lock (&self->start_mutex);
  self->start_error = g_steal_pointer (&error);
  self->start_done = TRUE;
  g_cond_signal (&self->start_cond);
  g_mutex_unlock (&self->start_mutex);

  if (self->base_url != NULL)
    g_main_loop_run (self->loop);

  soup_server_disconnect (self->server);
  g_hash_table_remove_all (self->streams);
  g_clear_object (&self->server);

  g_main_context_pop_thread_default (self->context);

  return NULL;
}

static GBytes *
load_recorded_or (const char *corpus_dir,
                  const char *relative,
                  const char *fallback)
{
  GBytes *bytes = NULL;

  if (corpus_dir != NULL)
    bytes = fake_corpus_load (corpus_dir, relative, NULL);

  if (bytes == NULL)
    bytes = g_bytes_new_static (fallback, strlen (fallback));

  return bytes;
}

static void
fake_gemini_finalize (GObject *object)
{
  FakeGemini *self = (FakeGemini *) object;

  fake_gemini_stop (self);

  g_clear_pointer (&self->corpus_dir, g_free);
  g_clear_pointer (&self->api_key_error, g_bytes_unref);
  g_clear_pointer (&self->unknown_model_error, g_bytes_unref);
  g_clear_pointer (&self->default_scenario, fake_scenario_unref);
  g_clear_pointer (&self->api_key, g_free);
  g_clear_pointer (&self->routes, g_hash_table_unref);
  g_clear_pointer (&self->requests, g_ptr_array_unref);
  g_clear_pointer (&self->signatures, g_hash_table_unref);
  g_clear_pointer (&self->streams, g_hash_table_unref);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_error (&self->start_error);
  g_clear_pointer (&self->base_url, g_free);
  g_mutex_clear (&self->mutex);
  g_mutex_clear (&self->start_mutex);
  g_cond_clear (&self->start_cond);

  G_OBJECT_CLASS (fake_gemini_parent_class)->finalize (object);
}

static void
fake_gemini_class_init (FakeGeminiClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fake_gemini_finalize;
}

static void
fake_gemini_init (FakeGemini *self)
{
  g_mutex_init (&self->mutex);
  g_mutex_init (&self->start_mutex);
  g_cond_init (&self->start_cond);

  self->api_key = g_strdup (FAKE_GEMINI_DEFAULT_API_KEY);
  self->routes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, route_free);
  self->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_gemini_request_unref);
  self->signatures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->streams = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) stream_free, NULL);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
}

/**
 * fake_gemini_new_with_port:
 * @corpus_dir: (nullable): the gemini-corpus folder that replay paths are relative to
 * @port: the loopback port to listen on, 0 for a free one
 * @error: return location for an error
 *
 * Starts a fake Gemini API server on 127.0.0.1 in its own thread. It
 * answers at once; stop it with fake_gemini_stop() or by dropping the
 * last reference.
 */
FakeGemini *
fake_gemini_new_with_port (const char  *corpus_dir,
                           guint16      port,
                           GError     **error)
{
  g_autoptr(FakeGemini) self = g_object_new (FAKE_TYPE_GEMINI, NULL);
  g_autoptr(GError) local_error = NULL;

  self->corpus_dir = g_strdup (corpus_dir);
  self->requested_port = port;
  self->api_key_error = load_recorded_or (corpus_dir, "googleai/unary-failure-api-key.json",
                                          builtin_api_key_error);
  self->unknown_model_error = load_recorded_or (corpus_dir, "googleai/unary-failure-unknown-model.json",
                                                builtin_unknown_model_error);
  self->default_scenario = fake_scenario_parse ("", NULL, &local_error);
  g_assert_no_error (local_error);

  self->thread = g_thread_new ("fake-gemini", server_thread_func, self);

  g_mutex_lock (&self->start_mutex);
  while (!self->start_done)
    g_cond_wait (&self->start_cond, &self->start_mutex);
  g_mutex_unlock (&self->start_mutex);

  if (self->start_error != NULL)
    {
      g_thread_join (g_steal_pointer (&self->thread));
      g_propagate_prefixed_error (error, g_steal_pointer (&self->start_error),
                                  "Cannot listen on 127.0.0.1:%u: ", port);
      return NULL;
    }

  return g_steal_pointer (&self);
}

FakeGemini *
fake_gemini_new (const char  *corpus_dir,
                 GError     **error)
{
  return fake_gemini_new_with_port (corpus_dir, 0, error);
}

const char *
fake_gemini_get_base_url (FakeGemini *self)
{
  g_return_val_if_fail (FAKE_IS_GEMINI (self), NULL);

  return self->base_url;
}

guint16
fake_gemini_get_port (FakeGemini *self)
{
  g_return_val_if_fail (FAKE_IS_GEMINI (self), 0);

  return self->port;
}

const char *
fake_gemini_get_corpus_dir (FakeGemini *self)
{
  g_return_val_if_fail (FAKE_IS_GEMINI (self), NULL);

  return self->corpus_dir;
}

/**
 * fake_gemini_set_api_key:
 * @key: (nullable): the key requests must carry, or %NULL to accept any
 *
 * A key passed in the URL (`?key=`) is refused in any case.
 */
void
fake_gemini_set_api_key (FakeGemini *self,
                         const char *key)
{
  g_return_if_fail (FAKE_IS_GEMINI (self));

  g_mutex_lock (&self->mutex);
  g_free (self->api_key);
  self->api_key = g_strdup (key);
  g_mutex_unlock (&self->mutex);
}

void
fake_gemini_set_verbose (FakeGemini *self,
                         gboolean    verbose)
{
  g_return_if_fail (FAKE_IS_GEMINI (self));

  g_mutex_lock (&self->mutex);
  self->verbose = !!verbose;
  g_mutex_unlock (&self->mutex);
}

/**
 * fake_gemini_try_route:
 * @model: a model id, or "*" for every model without a route of its own
 * @scenario: (nullable): a scenario (see README.md), or %NULL to remove the route
 *
 * Replacing a route restarts its request count (for `fail_times`).
 */
gboolean
fake_gemini_try_route (FakeGemini  *self,
                       const char  *model,
                       const char  *scenario,
                       GError     **error)
{
  FakeScenario *parsed = NULL;

  g_return_val_if_fail (FAKE_IS_GEMINI (self), FALSE);
  g_return_val_if_fail (model != NULL && model[0] != '\0', FALSE);

  if (scenario != NULL)
    {
      parsed = fake_scenario_parse (scenario, self->corpus_dir, error);
      if (parsed == NULL)
        return FALSE;
    }

  g_mutex_lock (&self->mutex);
  if (parsed == NULL)
    g_hash_table_remove (self->routes, model);
  else
    {
      FakeRoute *route = g_new0 (FakeRoute, 1);

      route->scenario = parsed;
      g_hash_table_replace (self->routes, g_strdup (model), route);
    }
  g_mutex_unlock (&self->mutex);

  return TRUE;
}

void
fake_gemini_route (FakeGemini *self,
                   const char *model,
                   const char *scenario)
{
  g_autoptr(GError) error = NULL;

  if (!fake_gemini_try_route (self, model, scenario, &error))
    g_critical ("fake-gemini: bad route %s=%s: %s", model, scenario, error->message);
}

void
fake_gemini_install_demo_routes (FakeGemini *self)
{
  g_autofree char *escaped = fake_gemini_escape_value (demo_markdown);
  g_autofree char *flash = g_strdup_printf ("text=%s;delay_ms=40", escaped);

  g_return_if_fail (FAKE_IS_GEMINI (self));

  fake_gemini_route (self, "gemini-2.5-flash", flash);
  fake_gemini_route (self, "gemini-2.5-pro",
                     "replay=googleai/streaming-success-thinking-reply-thought-summary.txt;delay_ms=150");
  fake_gemini_route (self, "gemini-2.5-flash-grounded",
                     "replay=generative-ai-js/streaming-success-search-grounding.txt;delay_ms=120");
  fake_gemini_route (self, "gemini-2.5-flash-image", "image_model=1;delay_ms=300");
  fake_gemini_route (self, "gemini-3-pro-image-preview", "image_model=1;thinking=1;delay_ms=300");
  fake_gemini_route (self, "gemini-error-demo", "status=503");
}

/**
 * fake_gemini_dup_requests:
 *
 * Returns: (transfer container) (element-type FakeGeminiRequest): the
 *   requests received so far, oldest first
 */
GPtrArray *
fake_gemini_dup_requests (FakeGemini *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (FAKE_IS_GEMINI (self), NULL);

  copy = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_gemini_request_unref);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->requests->len; i++)
    g_ptr_array_add (copy, fake_gemini_request_ref (g_ptr_array_index (self->requests, i)));
  g_mutex_unlock (&self->mutex);

  return copy;
}

void
fake_gemini_clear_requests (FakeGemini *self)
{
  g_return_if_fail (FAKE_IS_GEMINI (self));

  g_mutex_lock (&self->mutex);
  g_ptr_array_set_size (self->requests, 0);
  g_mutex_unlock (&self->mutex);
}

guint
fake_gemini_get_request_count (FakeGemini *self)
{
  guint count;

  g_return_val_if_fail (FAKE_IS_GEMINI (self), 0);

  g_mutex_lock (&self->mutex);
  count = self->requests->len;
  g_mutex_unlock (&self->mutex);

  return count;
}

/**
 * fake_gemini_stop:
 *
 * Stops serving and closes every open connection; waits for the server
 * thread to end. Safe to call more than once.
 */
void
fake_gemini_stop (FakeGemini *self)
{
  GSource *source;

  g_return_if_fail (FAKE_IS_GEMINI (self));

  if (self->thread == NULL)
    return;

  source = g_idle_source_new ();
  g_source_set_callback (source, quit_loop_cb, self->loop, NULL);
  g_source_attach (source, self->context);
  g_source_unref (source);

  g_thread_join (g_steal_pointer (&self->thread));
}

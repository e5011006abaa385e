/* store-crash-child.c: streams one answer into the history, to be killed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * store-crash-child DB BASE_URL CONVERSATION_ID PROMPT
 *
 * As the app does: the prompt is stored before the request is sent, the
 * answer is saved as it grows (every 100 ms at most) and when it ends.
 * Prints "streaming" once the request is sent.
 * test-store-crash kills it with SIGKILL at random moments.
 */

#include <stdio.h>
#include <stdlib.h>

#include "gem-client.h"
#include "starling-store.h"

#define SAVE_INTERVAL_USEC (100 * 1000)

typedef struct
{
  StarlingStore *store;
  gint64         answer_id;
  gint64         last_save;
  gboolean       done;
  int            status;
} Child;

static char *
parts_of (GemResponse *response)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  JsonArray *parts = gem_response_get_parts (response);

  json_node_set_array (node, parts ? parts : json_array_new ());
  if (parts == NULL)
    json_array_unref (json_node_get_array (node));

  return json_to_string (node, FALSE);
}

static char *
member_json (GemResponse *response,
             const char  *name)
{
  JsonObject *json = gem_response_get_json (response);
  JsonNode *member = json ? json_object_get_member (json, name) : NULL;

  return member ? json_to_string (member, FALSE) : NULL;
}

static void
delta_received_cb (GemClient    *client,
                   GemResponse  *response,
                   JsonObject   *chunk,
                   GCancellable *cancellable,
                   Child        *child)
{
  gint64 now = g_get_monotonic_time ();
  g_autofree char *parts = NULL;
  g_autoptr(GError) error = NULL;

  if (now - child->last_save < SAVE_INTERVAL_USEC)
    return;

  parts = parts_of (response);
  if (!starling_store_update_message (child->store, child->answer_id, parts,
                                      STARLING_STORE_STATUS_STREAMING, &error))
    g_error ("Could not save the partial answer: %s", error->message);
  child->last_save = now;
}

static void
generate_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Child *child = user_data;
  g_autoptr(GemResponse) partial = NULL;
  g_autoptr(GemResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) store_error = NULL;
  g_autofree char *parts = NULL;
  g_autofree char *usage = NULL;

  response = gem_client_generate_finish (GEM_CLIENT (source), result, &partial, &error);
  if (response != NULL)
    {
      parts = parts_of (response);
      usage = member_json (response, "usageMetadata");
      starling_store_finish_message (child->store, child->answer_id, parts,
                                     STARLING_STORE_STATUS_COMPLETE,
                                     gem_response_get_finish_reason (response), usage, NULL,
                                     gem_response_get_model_version (response), NULL,
                                     &store_error);
    }
  else
    {
      g_printerr ("The request failed: %s\n", error->message);
      if (partial != NULL)
        parts = parts_of (partial);
      starling_store_finish_message (child->store, child->answer_id, parts,
                                     STARLING_STORE_STATUS_ERROR, NULL, NULL, NULL, NULL,
                                     "{\"error\": {}}", &store_error);
      child->status = 1;
    }

  if (store_error != NULL)
    g_error ("Could not save the answer: %s", store_error->message);

  child->done = TRUE;
}

static JsonNode *
build_request (StarlingStore *store,
               gint64         conversation_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) path = starling_store_load_path (store, conversation_id, 0, 0, &error);
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (path == NULL)
    g_error ("Could not load the conversation: %s", error->message);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "contents");
  json_builder_begin_array (builder);
  for (guint i = 0; i < path->len; i++)
    {
      StarlingStoredMessage *m = g_ptr_array_index (path, i);
      g_autoptr(JsonNode) parts = json_from_string (starling_stored_message_get_parts_json (m),
                                                    NULL);

      if (starling_stored_message_get_status (m) != STARLING_STORE_STATUS_COMPLETE)
        continue;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder,
                                     starling_store_role_to_string (starling_stored_message_get_role (m)));
      json_builder_set_member_name (builder, "parts");
      json_builder_add_value (builder, g_steal_pointer (&parts));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(StarlingStore) store = NULL;
  g_autoptr(GemClient) client = NULL;
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) prompt_parts = NULL;
  g_autofree char *prompt_json = NULL;
  g_autoptr(GError) error = NULL;
  Child child = { 0, };
  gint64 conversation_id;
  gint64 leaf;
  gint64 user_id;

  if (argc != 5)
    {
      g_printerr ("Usage: %s DB BASE_URL CONVERSATION_ID PROMPT\n", argv[0]);
      return 2;
    }

  conversation_id = g_ascii_strtoll (argv[3], NULL, 10);

  store = starling_store_new (argv[1], NULL, &error);
  if (store == NULL)
    g_error ("Could not open the history: %s", error->message);
  child.store = store;

  leaf = starling_store_get_active_leaf (store, conversation_id, &error);
  if (leaf < 0)
    g_error ("%s", error->message);

  /* the prompt is safe before anything is sent */
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, argv[4]);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  prompt_parts = json_builder_get_root (builder);
  prompt_json = json_to_string (prompt_parts, FALSE);
  user_id = starling_store_append_message (store, conversation_id, leaf, STARLING_STORE_ROLE_USER,
                                           prompt_json, STARLING_STORE_STATUS_COMPLETE, &error);
  if (user_id <= 0)
    g_error ("Could not save the prompt: %s", error->message);

  request = build_request (store, conversation_id);

  child.answer_id = starling_store_append_message (store, conversation_id, user_id,
                                                   STARLING_STORE_ROLE_MODEL, "[]",
                                                   STARLING_STORE_STATUS_STREAMING, &error);
  if (child.answer_id <= 0)
    g_error ("Could not start the answer: %s", error->message);
  child.last_save = g_get_monotonic_time ();

  client = gem_client_new (argv[2], "test-key");
  gem_client_set_max_retries (client, 0);
  g_signal_connect (client, "delta-received", G_CALLBACK (delta_received_cb), &child);
  gem_client_generate_async (client, "crash-model", request, GEM_GENERATE_FLAGS_STREAM, NULL,
                             generate_cb, &child);

  /* tell the test the answer is on its way */
  g_print ("streaming\n");
  fflush (stdout);

  while (!child.done)
    g_main_context_iteration (NULL, TRUE);

  return child.status;
}

/* test-export.c: Markdown and JSON export, JSON import
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "starling-export.h"
#include "starling-store.h"
#include "store-test-util.h"

/* 2025-03-01 10:00:00 UTC */
#define FIXED_CREATED ((gint64) 1740823200 * G_USEC_PER_SEC)

static StarlingStore *
open_store (void)
{
  g_autoptr(GError) error = NULL;
  StarlingStore *store = starling_store_new (NULL, NULL, &error);

  g_assert_no_error (error);
  return store;
}

static char *
grounding_json (void)
{
  g_autofree char *path = test_corpus_path ("googleai/unary-success-google-search-grounding.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *candidate;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  candidate = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                  "candidates"), 0);

  return json_to_string (json_object_get_member (candidate, "groundingMetadata"), FALSE);
}

typedef struct
{
  gint64   conversation;
  GBytes  *photo;
  GBytes  *drawing;
} Fixture;

static void
fixture_clear (Fixture *f)
{
  g_clear_pointer (&f->photo, g_bytes_unref);
  g_clear_pointer (&f->drawing, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Fixture, fixture_clear)

/* A conversation with a photo sent by the user, a grounded answer with a
 * drawing and thoughts, then an answer with code that was interrupted. */
static void
make_conversation (StarlingStore *store,
                   Fixture       *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *photo_b64 = NULL;
  g_autofree char *drawing_b64 = NULL;
  g_autofree char *user_parts = NULL;
  g_autofree char *model_parts = NULL;
  g_autofree char *corpus_text = NULL;
  g_autofree char *grounding = grounding_json ();
  gint64 u1, m1, u2, m2;

  f->photo = test_make_png (6000, 31);
  f->drawing = test_make_png (9000, 32);
  photo_b64 = g_base64_encode (g_bytes_get_data (f->photo, NULL), g_bytes_get_size (f->photo));
  drawing_b64 = g_base64_encode (g_bytes_get_data (f->drawing, NULL),
                                 g_bytes_get_size (f->drawing));

  corpus_text = test_corpus_parts ("googleai/unary-success-google-search-grounding.json");
  /* [{"text": "..."}] -> its object */
  corpus_text[strlen (corpus_text) - 1] = '\0';

  user_parts = g_strdup_printf ("[{\"text\": \"What's the weather in London?\\nAnd draw a cat.\"},"
                                " {\"inlineData\": {\"mimeType\": \"image/jpeg\", \"data\": \"%s\"}}]",
                                photo_b64);
  model_parts = g_strdup_printf ("[{\"text\": \"Looking up the weather.\\n\\nThen the cat.\", "
                                 "\"thought\": true}, %s, {\"inlineData\": {\"mimeType\": "
                                 "\"image/png\", \"data\": \"%s\"}, \"thoughtSignature\": \"c2ln\"}]",
                                 corpus_text + 1, drawing_b64);

  f->conversation = starling_store_create_conversation (store, "Weather and a cat",
                                                        "gemini-2.5-flash",
                                                        "{\"temperature\": 0.7, \"tools\": "
                                                        "[{\"google_search\": {}}]}", &error);
  g_assert_no_error (error);
  starling_store_set_conversation_times (store, f->conversation, FIXED_CREATED, FIXED_CREATED,
                                         &error);
  g_assert_no_error (error);

  u1 = starling_store_append_message (store, f->conversation, 0, STARLING_STORE_ROLE_USER,
                                      user_parts, STARLING_STORE_STATUS_COMPLETE, &error);
  g_assert_no_error (error);
  m1 = starling_store_append_message (store, f->conversation, u1, STARLING_STORE_ROLE_MODEL,
                                      model_parts, STARLING_STORE_STATUS_STREAMING, &error);
  g_assert_no_error (error);
  starling_store_finish_message (store, m1, NULL, STARLING_STORE_STATUS_COMPLETE, "STOP", NULL,
                                 grounding, "gemini-2.5-flash", NULL, &error);
  g_assert_no_error (error);
  u2 = starling_store_append_message (store, f->conversation, m1, STARLING_STORE_ROLE_USER,
                                      "[{\"text\": \"Compute 2+2 in Python\"}]",
                                      STARLING_STORE_STATUS_COMPLETE, &error);
  g_assert_no_error (error);
  m2 = starling_store_append_message (store, f->conversation, u2, STARLING_STORE_ROLE_MODEL,
                                      "[{\"executableCode\": {\"language\": \"PYTHON\", "
                                      "\"code\": \"print(2 + 2)\\n\"}}, {\"codeExecutionResult\": "
                                      "{\"outcome\": \"OUTCOME_OK\", \"output\": \"4\\n\"}}, "
                                      "{\"text\": \"The answer is\"}]",
                                      STARLING_STORE_STATUS_INTERRUPTED, &error);
  g_assert_no_error (error);
  (void) m2;
}

static void
test_markdown (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_auto(Fixture) f = { 0, };
  g_autofree char *dir = g_build_filename (g_get_home_dir (), "out", NULL);
  g_autofree char *md_path = g_build_filename (dir, "my chat.md", NULL);
  g_autofree char *photo_path = g_build_filename (dir, "my chat-1.jpg", NULL);
  g_autofree char *drawing_path = g_build_filename (dir, "my chat-2.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (md_path);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  const char *expected[] = {
    "# Weather and a cat",
    "",
    "*gemini-2.5-flash · 2025-03-01 10:00*",
    "",
    "## You",
    "",
    "What's the weather in London?",
    "And draw a cat.",
    "",
    "![Image](<my chat-1.jpg>)",
    "",
    "## Gemini",
    "",
    "> **Thoughts**",
    ">",
    "> Looking up the weather.",
    ">",
    "> Then the cat.",
    "",
    "The current weather in London, United Kingdom is cloudy.[^1] The temperature is 67°F "
    "(19°C), but it feels like 75°F (24°C).[^2] There is a 0% chance of rain, and the humidity "
    "is around 41%.[^2]",
    "",
    "![Image](<my chat-2.png>)",
    "",
    "[^1]: [accuweather.com](https://vertexaisearch.cloud.google.com/grounding-api-redirect/"
    "AbF9wXHS4dqThDQYaHdj81DtSjCLnxmtgYPqLKTfc8-Ea4_ATkuKibe-C2xm9XLREootlLWWk7o7FN6Ktd7PpgEIaA9"
    "KH38l33kunUQcrqm77_xaHI9tsqJ1LOgkCG9fV6HKw6WC_fbQ-9JMkaFoJT0Xwkwb1rog-kHLu6qCTv810KzfSBUcH-"
    "lZLVxOow==)",
    "[^2]: [Weather information for locality: London]"
    "(https://www.google.com/search?q=weather+in+London)",
    "",
    "## You",
    "",
    "Compute 2+2 in Python",
    "",
    "## Gemini",
    "",
    "```python",
    "print(2 + 2)",
    "```",
    "",
    "```",
    "4",
    "```",
    "",
    "The answer is",
    "",
    "*The answer was interrupted.*",
    "",
  };

  make_conversation (store, &f);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  starling_export_markdown (store, f.conversation, file, &error);
  g_assert_no_error (error);

  g_file_get_contents (md_path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; i < G_N_ELEMENTS (expected) && lines[i] != NULL; i++)
    g_assert_cmpstr (lines[i], ==, expected[i]);
  g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (expected));

  /* the images beside it, byte for byte, named by their type */
  g_assert_true (test_file_equals (photo_path, g_bytes_get_data (f.photo, NULL),
                                   g_bytes_get_size (f.photo)));
  g_assert_true (test_file_equals (drawing_path, g_bytes_get_data (f.drawing, NULL),
                                   g_bytes_get_size (f.drawing)));
}

static void
test_json_round_trip (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_auto(Fixture) f = { 0, };
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) original = NULL;
  g_autoptr(GPtrArray) imported = NULL;
  g_autoptr(StarlingConversationInfo) info = NULL;
  g_autofree char *photo_b64 = NULL;
  JsonObject *root;
  JsonObject *meta;
  gint64 copy;

  make_conversation (store, &f);
  first = starling_export_json_to_string (store, f.conversation, &error);
  g_assert_no_error (error);

  /* the shape: Starling's metadata and the API's own contents, images inline */
  json_parser_load_from_data (parser, first, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  meta = json_object_get_object_member (root, "starling");
  g_assert_cmpint (json_object_get_int_member (meta, "version"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (meta, "title"), ==, "Weather and a cat");
  g_assert_cmpstr (json_object_get_string_member (meta, "created"), ==, "2025-03-01T10:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (meta, "model"), ==, "gemini-2.5-flash");
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (meta, "settings"),
                                                    "temperature"), ==, 0.7);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "contents")), ==, 4);
  {
    /* the answer keeps its sources (the names the API gives them on a candidate) */
    JsonObject *answer = json_array_get_object_element (json_object_get_array_member (root, "contents"), 1);
    JsonObject *grounding = json_object_get_object_member (answer, "groundingMetadata");

    g_assert_nonnull (grounding);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (grounding, "groundingChunks")), >, 0);
    g_assert_cmpstr (json_object_get_string_member (answer, "finishReason"), ==, "STOP");
    g_assert_cmpstr (json_object_get_string_member (answer, "modelVersion"), ==, "gemini-2.5-flash");
  }
  photo_b64 = g_base64_encode (g_bytes_get_data (f.photo, NULL), g_bytes_get_size (f.photo));
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (
                       json_array_get_object_element (
                         json_object_get_array_member (
                           json_array_get_object_element (json_object_get_array_member (root, "contents"), 0),
                           "parts"), 1),
                       "inlineData"),
                     "data"), ==, photo_b64);

  /* import, export again: the same file */
  copy = starling_import_json_data (store, first, strlen (first), &error);
  g_assert_no_error (error);
  g_assert_cmpint (copy, >, f.conversation);
  second = starling_export_json_to_string (store, copy, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second, ==, first);

  /* every part came back exactly, signatures and images included */
  original = starling_store_load_path (store, f.conversation, 0, 0, &error);
  imported = starling_store_load_path (store, copy, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imported->len, ==, original->len);
  for (guint i = 0; i < original->len; i++)
    {
      StarlingStoredMessage *a = g_ptr_array_index (original, i);
      StarlingStoredMessage *b = g_ptr_array_index (imported, i);

      g_assert_cmpstr (starling_stored_message_get_parts_json (b), ==,
                       starling_stored_message_get_parts_json (a));
      g_assert_cmpint (starling_stored_message_get_role (b), ==,
                       starling_stored_message_get_role (a));
      /* and what came with each answer: its sources, why it stopped, the model */
      g_assert_cmpstr (starling_stored_message_get_grounding_json (b), ==,
                       starling_stored_message_get_grounding_json (a));
      g_assert_cmpstr (starling_stored_message_get_finish_reason (b), ==,
                       starling_stored_message_get_finish_reason (a));
      g_assert_cmpstr (starling_stored_message_get_model_version (b), ==,
                       starling_stored_message_get_model_version (a));
    }
  g_assert_nonnull (starling_stored_message_get_grounding_json (g_ptr_array_index (imported, 1)));
  g_assert_cmpstr (starling_stored_message_get_finish_reason (g_ptr_array_index (imported, 1)), ==, "STOP");
  info = starling_store_get_conversation (store, copy, &error);
  g_assert_cmpstr (starling_conversation_info_get_title (info), ==, "Weather and a cat");
  g_assert_cmpint (starling_conversation_info_get_created (info), ==, FIXED_CREATED);

  /* a file on disk too */
  {
    g_autofree char *path = g_build_filename (g_get_home_dir (), "conversation.json", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autofree char *written = NULL;
    gint64 third;

    g_assert_cmpint (g_mkdir_with_parents (g_get_home_dir (), 0700), ==, 0);
    starling_export_json (store, f.conversation, file, &error);
    g_assert_no_error (error);
    g_file_get_contents (path, &written, NULL, &error);
    g_assert_cmpstr (written, ==, first);
    third = starling_import_json (store, file, &error);
    g_assert_no_error (error);
    g_assert_cmpint (third, >, copy);
  }
}

/* A request body or API contents without Starling's metadata imports too. */
static void
test_import_plain_contents (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(StarlingConversationInfo) info = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  const char *request = "{\"contents\": [{\"role\": \"user\", \"parts\": [{\"text\": \"Ciao!\\nCome va?\"}]},"
                        " {\"role\": \"model\", \"parts\": [{\"text\": \"\", \"thoughtSignature\": \"eHl6\"},"
                        " {\"text\": \"Bene, grazie.\"}]}],"
                        " \"generationConfig\": {\"temperature\": 1}}";
  gint64 id;

  id = starling_import_json_data (store, request, strlen (request), &error);
  g_assert_no_error (error);
  info = starling_store_get_conversation (store, id, &error);
  g_assert_cmpstr (starling_conversation_info_get_title (info), ==, "Ciao!");
  messages = starling_store_load_path (store, id, 0, 0, &error);
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_cmpstr (starling_stored_message_get_parts_json (g_ptr_array_index (messages, 1)), ==,
                   "[{\"text\": \"\", \"thoughtSignature\": \"eHl6\"},"
                   " {\"text\": \"Bene, grazie.\"}]");
  g_assert_cmpstr (starling_stored_message_get_text (g_ptr_array_index (messages, 1)), ==,
                   "Bene, grazie.");
}

/* json-glib 1.6 reads a lone surrogate escape, or an octal one, as bytes that
 * are not UTF-8: the import reads the file through gem-json, so that all it
 * keeps is text and its export imports again (found by the import fuzzer). */
static void
test_import_lone_surrogates (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(StarlingConversationInfo) info = NULL;
  g_autofree char *exported = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  const char *file = "{\"starling\": {\"version\": 1, \"title\": \"Tea \\ude00 time \\377\","
                     " \"model\": \"gemini-\\udc00-x\", \"settings\": {\"systemInstruction\": \"x\\udfffy\"}},"
                     " \"contents\": [{\"role\": \"user\", \"parts\": [{\"text\": \"Hi \\ud800 \\200\"}]}]}";
  gint64 id, copy;

  id = starling_import_json_data (store, file, strlen (file), &error);
  g_assert_no_error (error);
  info = starling_store_get_conversation (store, id, &error);
  g_assert_no_error (error);
  g_assert_true (g_utf8_validate (starling_conversation_info_get_title (info), -1, NULL));
  g_assert_true (g_str_has_prefix (starling_conversation_info_get_title (info), "Tea "));
  g_assert_true (g_utf8_validate (starling_conversation_info_get_model (info), -1, NULL));
  g_assert_true (g_utf8_validate (starling_conversation_info_get_settings_json (info), -1, NULL));
  messages = starling_store_load_path (store, id, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (starling_stored_message_get_text (g_ptr_array_index (messages, 0)), ==,
                   "Hi \xef\xbf\xbd ?");

  exported = starling_export_json_to_string (store, id, &error);
  g_assert_no_error (error);
  g_assert_true (g_utf8_validate (exported, -1, NULL));
  copy = starling_import_json_data (store, exported, strlen (exported), &error);
  g_assert_no_error (error);
  g_assert_cmpint (copy, >, 0);
}

static void
test_import_errors (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  struct {
    const char *data;
    int code;
    const char *message;
  } cases[] = {
    { "", STARLING_EXPORT_ERROR_NOT_JSON, NULL },
    { "not json {", STARLING_EXPORT_ERROR_NOT_JSON, NULL },
    { "\xff\xfe{}", STARLING_EXPORT_ERROR_NOT_JSON, NULL },
    { "[1, 2]", STARLING_EXPORT_ERROR_BAD_SHAPE,
      "The file is not a conversation: it is not a JSON object." },
    { "{}", STARLING_EXPORT_ERROR_BAD_SHAPE,
      "The file is not a conversation: it has no “contents” list." },
    { "{\"contents\": \"hello\"}", STARLING_EXPORT_ERROR_BAD_SHAPE,
      "The file is not a conversation: it has no “contents” list." },
    { "{\"contents\": []}", STARLING_EXPORT_ERROR_BAD_SHAPE,
      "The file is not a conversation: it holds no messages." },
    { "{\"contents\": [42]}", STARLING_EXPORT_ERROR_BAD_SHAPE, "Message 1 is not a JSON object." },
    { "{\"contents\": [{\"role\": \"user\"}]}", STARLING_EXPORT_ERROR_BAD_SHAPE,
      "Message 1 has no “parts” list." },
    { "{\"contents\": [{\"role\": \"user\", \"parts\": [{\"text\": \"a\"}]},"
      " {\"role\": \"assistant\", \"parts\": [{\"text\": \"b\"}]}]}",
      STARLING_EXPORT_ERROR_UNKNOWN_ROLE,
      "Message 2 has an unknown role “assistant” (expected “user” or “model”)." },
    { "{\"contents\": [{\"parts\": [{\"text\": \"a\"}]}]}", STARLING_EXPORT_ERROR_UNKNOWN_ROLE,
      "Message 1 has no role (“user” or “model”)." },
    { "{\"contents\": [{\"role\": \"user\", \"parts\": [{\"text\": \"a\"},"
      " {\"thoughtSignature\": \"c2ln\"}]}]}", STARLING_EXPORT_ERROR_EMPTY_PART,
      "Part 2 of message 1 has no content." },
    { "{\"contents\": [{\"role\": \"user\", \"parts\": []}]}", STARLING_EXPORT_ERROR_EMPTY_PART,
      "Message 1 has no parts." },
    { "{\"contents\": [{\"role\": \"user\", \"parts\": [{\"text\": 5}]}]}",
      STARLING_EXPORT_ERROR_EMPTY_PART, "Part 1 of message 1 has no content." },
    { "{\"contents\": [{\"role\": \"user\", \"parts\": [{\"inlineData\": {\"mimeType\": "
      "\"image/png\", \"data\": \"iVBORw0K@@@@\"}}]}]}", STARLING_EXPORT_ERROR_BAD_BASE64,
      "The data of part 1 of message 1 is not valid base64." },
    { "{\"contents\": [{\"role\": \"user\", \"parts\": [{\"inlineData\": {\"mimeType\": "
      "\"image/png\", \"data\": \"abc=d\"}}]}]}", STARLING_EXPORT_ERROR_BAD_BASE64, NULL },
    { "{\"contents\": [{\"role\": \"user\", \"parts\": [{\"inlineData\": {\"data\": \"AAAA\"}}]}]}",
      STARLING_EXPORT_ERROR_EMPTY_PART,
      "Part 1 of message 1 has inline data without its type or bytes." },
    { "{\"starling\": {\"version\": 2}, \"contents\": [{\"role\": \"user\", \"parts\": "
      "[{\"text\": \"a\"}]}]}", STARLING_EXPORT_ERROR_UNSUPPORTED_VERSION,
      "The file was made by a newer version of Starling (format 2); update Starling to import it." },
    { "{\"starling\": \"x\", \"contents\": [{\"role\": \"user\", \"parts\": [{\"text\": \"a\"}]}]}",
      STARLING_EXPORT_ERROR_BAD_SHAPE, "The file is not a conversation: “starling” must be an object." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 id = starling_import_json_data (store, cases[i].data, strlen (cases[i].data), &error);

      g_test_message ("case %u: %s", i, error ? error->message : "(no error)");
      g_assert_cmpint (id, ==, 0);
      g_assert_error (error, STARLING_EXPORT_ERROR, cases[i].code);
      if (cases[i].message != NULL)
        g_assert_cmpstr (error->message, ==, cases[i].message);
    }

  /* nothing half-imported */
  g_assert_cmpint (starling_store_count_conversations (store, NULL), ==, 0);
  g_assert_cmpint (test_sql_int (starling_store_get_path (store), "SELECT count(*) FROM messages"),
                   ==, 0);
}

static void
export_all_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  guint *n = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (starling_export_all_finish (STARLING_STORE (source), result, n, &error));
  g_assert_no_error (error);
}

static void
test_export_all (void)
{
  g_autoptr(StarlingStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_auto(Fixture) f = { 0, };
  g_autofree char *dir = g_build_filename (g_get_home_dir (), "all", "nested", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autofree char *md1 = NULL;
  g_autofree char *json1 = NULL;
  g_autofree char *image1 = NULL;
  g_autofree char *md2 = NULL;
  g_autofree char *json2 = NULL;
  g_autofree char *expected_json = NULL;
  guint n = G_MAXUINT;
  gint64 other;

  make_conversation (store, &f);
  other = starling_store_create_conversation (store, "a/b: \"odd\" name?", NULL, NULL, &error);
  starling_store_append_message (store, other, 0, STARLING_STORE_ROLE_USER,
                                 "[{\"text\": \"hello\"}]", STARLING_STORE_STATUS_COMPLETE, &error);
  g_assert_no_error (error);

  starling_export_all_async (store, folder, NULL, export_all_cb, &n);
  while (n == G_MAXUINT)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (n, ==, 2);

  md1 = g_strdup_printf ("%s/Weather and a cat (%" G_GINT64_FORMAT ").md", dir, f.conversation);
  json1 = g_strdup_printf ("%s/Weather and a cat (%" G_GINT64_FORMAT ").json", dir, f.conversation);
  image1 = g_strdup_printf ("%s/Weather and a cat (%" G_GINT64_FORMAT ")-2.png", dir, f.conversation);
  md2 = g_strdup_printf ("%s/a b   odd  name (%" G_GINT64_FORMAT ").md", dir, other);
  json2 = g_strdup_printf ("%s/a b   odd  name (%" G_GINT64_FORMAT ").json", dir, other);
  g_assert_true (g_file_test (md1, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (md2, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (json2, G_FILE_TEST_IS_REGULAR));
  g_assert_true (test_file_equals (image1, g_bytes_get_data (f.drawing, NULL),
                                   g_bytes_get_size (f.drawing)));

  expected_json = starling_export_json_to_string (store, f.conversation, &error);
  g_assert_true (test_file_equals (json1, expected_json, strlen (expected_json)));

  /* the same, synchronously, into a folder that exists */
  starling_export_all (store, folder, &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/export/markdown", test_markdown);
  g_test_add_func ("/store/export/json-round-trip", test_json_round_trip);
  g_test_add_func ("/store/export/import-plain-contents", test_import_plain_contents);
  g_test_add_func ("/store/export/import-errors", test_import_errors);
  g_test_add_func ("/store/export/import-lone-surrogates", test_import_lone_surrogates);
  g_test_add_func ("/store/export/all", test_export_all);

  return g_test_run ();
}

/* test-request.c: the request builder, the model classification, and the
 * builder's output checked against the official .proto field names
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "gem-error.h"
#include "gem-model-info.h"
#include "gem-request.h"

#include <string.h>

/* ---- the .proto schema ---- */

typedef struct
{
  char    *type;       /* as written: "Content", "google.protobuf.Struct", "string" */
  char    *map_value;  /* the value type of a map<K, V>, else NULL */
  gboolean repeated;
} ProtoField;

typedef struct
{
  char       *full_name;  /* "Tool.GoogleSearch" */
  char       *scope;      /* "Tool", or "" at top level */
  GHashTable *fields;     /* lowerCamel name -> ProtoField */
  GHashTable *raw_names;  /* the names as written in the .proto */
} ProtoMessage;

typedef struct
{
  GHashTable *messages;  /* full name -> ProtoMessage */
  GHashTable *enums;     /* full names */
  guint       n_files;
} ProtoSchema;

static ProtoSchema *schema;

static void
proto_field_free (gpointer data)
{
  ProtoField *field = data;

  g_free (field->type);
  g_free (field->map_value);
  g_free (field);
}

static void
proto_message_free (gpointer data)
{
  ProtoMessage *message = data;

  g_free (message->full_name);
  g_free (message->scope);
  g_hash_table_unref (message->fields);
  g_hash_table_unref (message->raw_names);
  g_free (message);
}

static char *
snake_to_camel (const char *name)
{
  GString *out = g_string_new (NULL);
  gboolean upper = FALSE;

  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '_')
        {
          upper = TRUE;
          continue;
        }
      g_string_append_c (out, upper ? g_ascii_toupper (*p) : *p);
      upper = FALSE;
    }

  return g_string_free (out, FALSE);
}

/* Identifiers (dots included), string literals, single punctuation. */
static GPtrArray *
proto_tokenize (const char *text)
{
  GPtrArray *tokens = g_ptr_array_new_with_free_func (g_free);
  const char *p = text;

  while (*p != '\0')
    {
      if (g_ascii_isspace (*p))
        p++;
      else if (p[0] == '/' && p[1] == '/')
        {
          while (*p != '\0' && *p != '\n')
            p++;
        }
      else if (p[0] == '/' && p[1] == '*')
        {
          const char *end = strstr (p + 2, "*/");

          p = end ? end + 2 : p + strlen (p);
        }
      else if (*p == '"' || *p == '\'')
        {
          char quote = *p;
          const char *start = p++;

          while (*p != '\0' && *p != quote)
            p += (*p == '\\' && p[1] != '\0') ? 2 : 1;
          if (*p == quote)
            p++;
          g_ptr_array_add (tokens, g_strndup (start, p - start));
        }
      else if (g_ascii_isalnum (*p) || *p == '_' || *p == '.')
        {
          const char *start = p;

          while (g_ascii_isalnum (*p) || *p == '_' || *p == '.')
            p++;
          g_ptr_array_add (tokens, g_strndup (start, p - start));
        }
      else
        {
          g_ptr_array_add (tokens, g_strndup (p, 1));
          p++;
        }
    }

  return tokens;
}

#define TOK(i) ((const char *) g_ptr_array_index (tokens, (i)))

/* Skips from an opening token to just past its matching closing one. */
static void
skip_balanced (GPtrArray  *tokens,
               guint      *i,
               const char *open,
               const char *close)
{
  int depth = 0;

  while (*i < tokens->len)
    {
      if (strcmp (TOK (*i), open) == 0)
        depth++;
      else if (strcmp (TOK (*i), close) == 0 && --depth == 0)
        {
          (*i)++;
          return;
        }
      (*i)++;
    }
}

static void
skip_statement (GPtrArray *tokens,
                guint     *i)
{
  while (*i < tokens->len && strcmp (TOK (*i), ";") != 0)
    {
      if (strcmp (TOK (*i), "{") == 0)
        skip_balanced (tokens, i, "{", "}");
      else
        (*i)++;
    }
  (*i)++;
}

static char *
scoped (const char *scope,
        const char *name)
{
  if (scope == NULL || scope[0] == '\0')
    return g_strdup (name);

  return g_strconcat (scope, ".", name, NULL);
}

static void
proto_parse_body (GPtrArray    *tokens,
                  guint        *i,
                  const char   *scope,
                  ProtoMessage *message)
{
  while (*i < tokens->len)
    {
      const char *tok = TOK (*i);

      if (strcmp (tok, "}") == 0)
        {
          (*i)++;
          return;
        }
      else if (strcmp (tok, ";") == 0)
        (*i)++;
      else if (strcmp (tok, "message") == 0)
        {
          ProtoMessage *inner = g_new0 (ProtoMessage, 1);

          inner->full_name = scoped (scope, TOK (*i + 1));
          inner->scope = g_strdup (scope ? scope : "");
          inner->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, proto_field_free);
          inner->raw_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          g_assert_cmpstr (TOK (*i + 2), ==, "{");
          g_hash_table_replace (schema->messages, g_strdup (inner->full_name), inner);
          *i += 3;
          proto_parse_body (tokens, i, inner->full_name, inner);
        }
      else if (strcmp (tok, "enum") == 0)
        {
          g_hash_table_add (schema->enums, scoped (scope, TOK (*i + 1)));
          *i += 2;
          skip_balanced (tokens, i, "{", "}");
        }
      else if (strcmp (tok, "oneof") == 0)
        {
          g_assert_cmpstr (TOK (*i + 2), ==, "{");
          *i += 3;
          proto_parse_body (tokens, i, scope, message);
        }
      else if (strcmp (tok, "service") == 0)
        {
          *i += 2;
          skip_balanced (tokens, i, "{", "}");
        }
      else if (strcmp (tok, "syntax") == 0 || strcmp (tok, "package") == 0 ||
               strcmp (tok, "import") == 0 || strcmp (tok, "option") == 0 ||
               strcmp (tok, "reserved") == 0 || strcmp (tok, "extensions") == 0)
        skip_statement (tokens, i);
      else
        {
          ProtoField *field = g_new0 (ProtoField, 1);
          const char *name;

          if (strcmp (tok, "repeated") == 0)
            {
              field->repeated = TRUE;
              (*i)++;
            }
          else if (strcmp (tok, "optional") == 0 || strcmp (tok, "required") == 0)
            (*i)++;

          if (strcmp (TOK (*i), "map") == 0)
            {
              g_assert_cmpstr (TOK (*i + 1), ==, "<");
              g_assert_cmpstr (TOK (*i + 3), ==, ",");
              g_assert_cmpstr (TOK (*i + 5), ==, ">");
              field->type = g_strdup ("map");
              field->map_value = g_strdup (TOK (*i + 4));
              *i += 6;
            }
          else
            field->type = g_strdup (TOK ((*i)++));

          name = TOK ((*i)++);
          g_assert_cmpstr (TOK (*i), ==, "=");
          *i += 2;
          if (*i < tokens->len && strcmp (TOK (*i), "[") == 0)
            skip_balanced (tokens, i, "[", "]");
          g_assert_cmpstr (TOK (*i), ==, ";");
          (*i)++;

          g_assert_nonnull (message);
          g_hash_table_add (message->raw_names, g_strdup (name));
          g_hash_table_replace (message->fields, snake_to_camel (name), field);
        }
    }
}

static void
load_schema (void)
{
  g_autofree char *dir_path = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  if (schema != NULL)
    return;

  schema = g_new0 (ProtoSchema, 1);
  schema->messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, proto_message_free);
  schema->enums = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_assert_nonnull (g_getenv ("STARLING_CORPUS_DIR"));
  dir_path = g_build_filename (g_getenv ("STARLING_CORPUS_DIR"), "schema", "v1beta", NULL);
  dir = g_dir_open (dir_path, 0, &error);
  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *text = NULL;
      g_autoptr(GPtrArray) tokens = NULL;
      guint i = 0;

      if (!g_str_has_suffix (name, ".proto"))
        continue;

      path = g_build_filename (dir_path, name, NULL);
      g_file_get_contents (path, &text, NULL, &error);
      g_assert_no_error (error);

      tokens = proto_tokenize (text);
      proto_parse_body (tokens, &i, NULL, NULL);
      schema->n_files++;
    }
}

typedef enum
{
  KIND_SCALAR,
  KIND_FREE,       /* google.protobuf.Struct, Value, ...: any keys */
  KIND_MESSAGE,
  KIND_UNKNOWN,
} TypeKind;

static TypeKind
resolve_type (const char    *type,
              const char    *scope,
              ProtoMessage **out)
{
  static const char * const scalars[] = {
    "double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32",
    "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes", NULL
  };
  const char *package = "google.ai.generativelanguage.v1beta.";
  g_autofree char *current = g_strdup (scope);

  *out = NULL;

  if (g_strv_contains (scalars, type))
    return KIND_SCALAR;
  if (g_str_has_prefix (type, "google.protobuf.") || g_str_has_prefix (type, "google.type."))
    return KIND_FREE;
  if (g_str_has_prefix (type, package))
    type += strlen (package);

  /* inner scopes first, as protoc resolves names */
  for (;;)
    {
      g_autofree char *candidate = scoped (current, type);
      char *dot;

      if ((*out = g_hash_table_lookup (schema->messages, candidate)) != NULL)
        return KIND_MESSAGE;
      if (g_hash_table_contains (schema->enums, candidate))
        return KIND_SCALAR;

      if (current == NULL || current[0] == '\0')
        break;
      dot = strrchr (current, '.');
      if (dot != NULL)
        *dot = '\0';
      else
        current[0] = '\0';
    }

  return KIND_UNKNOWN;
}

/* Keys newer than the protos, documented in GEMINI-API.md and the corpus README. */
static const char *
allowed_extra (const ProtoMessage *message,
               const char         *key)
{
  if (strcmp (message->full_name, "ThinkingConfig") == 0 && strcmp (key, "thinkingLevel") == 0)
    return "string";
  if (strcmp (message->full_name, "ImageConfig") == 0 && strcmp (key, "imageSize") == 0)
    return "string";
  /* the proto's own snake-case name of Tool.google_search, which the API
   * accepts and the user's reference page uses */
  if (strcmp (message->full_name, "Tool") == 0 && strcmp (key, "google_search") == 0 &&
      g_hash_table_contains (message->raw_names, "google_search"))
    return "GoogleSearch";

  return NULL;
}

static void check_message (ProtoMessage *message, JsonNode *node, const char *path, GPtrArray *problems);

static void
check_typed (const char *type,
             const char *scope,
             JsonNode   *node,
             const char *path,
             GPtrArray  *problems)
{
  ProtoMessage *message = NULL;

  switch (resolve_type (type, scope, &message))
    {
    case KIND_SCALAR:
      if (!JSON_NODE_HOLDS_VALUE (node))
        g_ptr_array_add (problems, g_strdup_printf ("%s: a %s should be a plain value", path, type));
      break;
    case KIND_FREE:
      break;
    case KIND_MESSAGE:
      check_message (message, node, path, problems);
      break;
    case KIND_UNKNOWN:
    default:
      g_ptr_array_add (problems, g_strdup_printf ("%s: unknown type %s", path, type));
      break;
    }
}

static void
check_message (ProtoMessage *message,
               JsonNode     *node,
               const char   *path,
               GPtrArray    *problems)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_ptr_array_add (problems, g_strdup_printf ("%s: %s should be an object", path, message->full_name));
      return;
    }

  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &key, &value))
    {
      g_autofree char *child = path[0] ? g_strconcat (path, ".", key, NULL) : g_strdup (key);
      ProtoField *field = g_hash_table_lookup (message->fields, key);
      const char *extra;

      if (field == NULL)
        {
          extra = allowed_extra (message, key);
          if (extra == NULL)
            g_ptr_array_add (problems, g_strdup_printf ("%s: not a field of %s", child, message->full_name));
          else
            check_typed (extra, message->full_name, value, child, problems);
          continue;
        }

      if (field->repeated)
        {
          JsonArray *array;

          if (!JSON_NODE_HOLDS_ARRAY (value))
            {
              g_ptr_array_add (problems, g_strdup_printf ("%s: should be an array", child));
              continue;
            }

          array = json_node_get_array (value);
          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              g_autofree char *item = g_strdup_printf ("%s[%u]", child, i);

              check_typed (field->type, message->full_name, json_array_get_element (array, i), item, problems);
            }
        }
      else if (field->map_value != NULL)
        {
          JsonObjectIter map_iter;
          const char *map_key;
          JsonNode *map_value;

          if (!JSON_NODE_HOLDS_OBJECT (value))
            {
              g_ptr_array_add (problems, g_strdup_printf ("%s: should be a map", child));
              continue;
            }

          json_object_iter_init (&map_iter, json_node_get_object (value));
          while (json_object_iter_next (&map_iter, &map_key, &map_value))
            {
              g_autofree char *item = g_strdup_printf ("%s[%s]", child, map_key);

              check_typed (field->map_value, message->full_name, map_value, item, problems);
            }
        }
      else
        check_typed (field->type, message->full_name, value, child, problems);
    }
}

static GPtrArray *
check_request (JsonNode *request)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func (g_free);
  ProtoMessage *root;

  load_schema ();
  root = g_hash_table_lookup (schema->messages, "GenerateContentRequest");
  g_assert_nonnull (root);
  check_message (root, request, "", problems);

  return problems;
}

static void
assert_known_fields (JsonNode *request)
{
  g_autoptr(GPtrArray) problems = check_request (request);

  for (guint i = 0; i < problems->len; i++)
    g_test_message ("unknown to the proto: %s", (char *) g_ptr_array_index (problems, i));
  g_assert_cmpuint (problems->len, ==, 0);
}

/* ---- helpers ---- */

static GPtrArray *
text_turns (const char *first,
            ...)
{
  GPtrArray *turns = g_ptr_array_new_with_free_func ((GDestroyNotify) gem_turn_free);
  const char *text = first;
  va_list args;
  guint i = 0;

  va_start (args, first);
  while (text != NULL)
    {
      g_ptr_array_add (turns, gem_turn_new_text (i % 2 == 0 ? "user" : "model", text));
      text = va_arg (args, const char *);
      i++;
    }
  va_end (args);

  return turns;
}

/* Every request built in these tests goes through the proto check. */
static JsonNode *
build (GemGenerationSettings *settings,
       GPtrArray             *turns)
{
  g_autoptr(GError) error = NULL;
  JsonNode *request = gem_request_build (settings, turns, &error);

  g_assert_no_error (error);
  g_assert_nonnull (request);
  assert_known_fields (request);

  return request;
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_node_ref (json_parser_get_root (parser));
}

/* Same members, same order, same values. */
static void
assert_json (JsonNode   *node,
             const char *expected)
{
  g_autoptr(JsonNode) expected_node = parse (expected);
  g_autofree char *a = gem_request_to_string (node, FALSE);
  g_autofree char *b = gem_request_to_string (expected_node, FALSE);

  g_assert_cmpstr (a, ==, b);
}

static void
assert_build_json (GemGenerationSettings *settings,
                   const char            *expected)
{
  g_autoptr(GPtrArray) turns = text_turns ("Hi", NULL);
  g_autoptr(JsonNode) request = build (settings, turns);

  assert_json (request, expected);
}

/* The generationConfig of a one-turn request, or "null". */
static char *
generation_config_of (GemGenerationSettings *settings)
{
  g_autoptr(GPtrArray) turns = text_turns ("Hi", NULL);
  g_autoptr(JsonNode) request = build (settings, turns);
  JsonNode *config = json_object_get_member (json_node_get_object (request), "generationConfig");

  return config ? gem_request_to_string (config, FALSE) : g_strdup ("null");
}

static JsonObject *
corpus_json (const char *relative)
{
  g_autofree char *path = g_build_filename (g_getenv ("STARLING_CORPUS_DIR"), "recorded", relative, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static JsonArray *
candidate_parts (JsonObject *response)
{
  JsonObject *candidate = json_array_get_object_element (json_object_get_array_member (response, "candidates"), 0);

  return json_object_get_array_member (json_object_get_object_member (candidate, "content"), "parts");
}

/* ---- request tests ---- */

static void
test_minimal (void)
{
  g_autoptr(GemGenerationSettings) settings = gem_generation_settings_new ("gemini-2.5-flash");

  assert_build_json (settings, "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]}]}");

  /* a blank system instruction is not sent */
  settings->system_instruction = g_strdup ("  \n\t");
  assert_build_json (settings, "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]}]}");

  g_free (settings->system_instruction);
  settings->system_instruction = g_strdup ("You are a math tutor. Always show your work.");
  assert_build_json (settings,
                     "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]}],"
                     "\"systemInstruction\":{\"parts\":[{\"text\":\"You are a math tutor. Always show your work.\"}]}}");
}

static void
test_generation_config (void)
{
  g_autoptr(GemGenerationSettings) settings = gem_generation_settings_new ("gemini-2.5-flash");
  const char *stops[] = { "END", "###", NULL };
  g_autofree char *config = NULL;

  settings->has_temperature = TRUE;
  settings->temperature = 0.7;
  settings->has_top_p = TRUE;
  settings->top_p = 0.95;
  settings->has_top_k = TRUE;
  settings->top_k = 40;
  settings->has_max_output_tokens = TRUE;
  settings->max_output_tokens = 2048;
  settings->has_candidate_count = TRUE;
  settings->candidate_count = 1;
  settings->stop_sequences = g_strdupv ((char **) stops);
  settings->response_mime_type = g_strdup ("application/json");
  settings->response_schema = g_strdup ("{\"type\": \"OBJECT\", \"properties\": {"
                                        "\"planet\": {\"type\": \"STRING\"}, "
                                        "\"distance\": {\"type\": \"NUMBER\", \"description\": \"in AU\"}},"
                                        " \"required\": [\"planet\"], \"propertyOrdering\": [\"planet\", \"distance\"]}");

  config = generation_config_of (settings);
  g_assert_cmpstr (config, ==,
                   "{\"stopSequences\":[\"END\",\"###\"],"
                   "\"responseMimeType\":\"application/json\","
                   "\"responseSchema\":{\"type\":\"OBJECT\",\"properties\":{"
                   "\"planet\":{\"type\":\"STRING\"},"
                   "\"distance\":{\"type\":\"NUMBER\",\"description\":\"in AU\"}},"
                   "\"required\":[\"planet\"],\"propertyOrdering\":[\"planet\",\"distance\"]},"
                   "\"candidateCount\":1,\"maxOutputTokens\":2048,"
                   "\"temperature\":0.7,\"topP\":0.95,\"topK\":40}");

  /* zero is a value, not "unset" */
  {
    g_autoptr(GemGenerationSettings) zero = gem_generation_settings_new ("gemini-2.5-flash");
    g_autofree char *zero_config = NULL;

    zero->has_temperature = TRUE;
    zero->temperature = 0.0;
    zero_config = generation_config_of (zero);
    g_assert_cmpstr (zero_config, ==, "{\"temperature\":0.0}");
  }

  /* nothing set, no generationConfig at all */
  {
    g_autoptr(GemGenerationSettings) empty = gem_generation_settings_new ("gemini-2.5-flash");
    g_autofree char *empty_config = NULL;

    empty->response_mime_type = g_strdup ("");
    empty->stop_sequences = g_new0 (char *, 1);
    empty_config = generation_config_of (empty);
    g_assert_cmpstr (empty_config, ==, "null");
  }
}

static void
test_schema_errors (void)
{
  g_autoptr(GemGenerationSettings) settings = gem_generation_settings_new ("gemini-2.5-flash");
  g_autoptr(GPtrArray) turns = text_turns ("Hi", NULL);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) request = NULL;

    settings->response_schema = g_strdup ("{\"type\": \"OBJECT\",");
    request = gem_request_build (settings, turns, &error);
    g_assert_null (request);
    g_assert_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST);
    g_assert_true (g_str_has_prefix (error->message, "The response schema is not valid JSON: "));
  }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) request = NULL;

    g_free (settings->response_schema);
    settings->response_schema = g_strdup ("[\"STRING\"]");
    request = gem_request_build (settings, turns, &error);
    g_assert_null (request);
    g_assert_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST);
    g_assert_cmpstr (error->message, ==, "The response schema must be a JSON object.");
  }
}

typedef struct
{
  const char      *model;
  GemThinkingLevel level;
  int              budget;          /* G_MININT: unset */
  gboolean         include_thoughts;
  const char      *expected;        /* the generationConfig, or "null" */
} ThinkingCase;

static void
test_thinking_by_model (void)
{
  const ThinkingCase cases[] = {
    /* Gemini 3: the level only, never a budget */
    { "gemini-3-pro-preview", GEM_THINKING_LEVEL_HIGH, 1024, TRUE,
      "{\"thinkingConfig\":{\"thinkingLevel\":\"HIGH\",\"includeThoughts\":true}}" },
    { "models/gemini-3-flash-preview", GEM_THINKING_LEVEL_MINIMAL, G_MININT, FALSE,
      "{\"thinkingConfig\":{\"thinkingLevel\":\"MINIMAL\"}}" },
    { "gemini-3-pro-preview", GEM_THINKING_LEVEL_UNSET, 1024, TRUE,
      "{\"thinkingConfig\":{\"includeThoughts\":true}}" },
    /* Gemini 2.5: the budget only, clamped to what the model takes */
    { "gemini-2.5-flash", GEM_THINKING_LEVEL_HIGH, 1024, TRUE,
      "{\"thinkingConfig\":{\"thinkingBudget\":1024,\"includeThoughts\":true}}" },
    { "gemini-2.5-flash", GEM_THINKING_LEVEL_UNSET, 0, TRUE,
      "{\"thinkingConfig\":{\"thinkingBudget\":0}}" },
    { "gemini-2.5-flash", GEM_THINKING_LEVEL_UNSET, -1, FALSE,
      "{\"thinkingConfig\":{\"thinkingBudget\":-1}}" },
    { "gemini-2.5-flash", GEM_THINKING_LEVEL_UNSET, 100000, FALSE,
      "{\"thinkingConfig\":{\"thinkingBudget\":24576}}" },
    { "gemini-2.5-pro", GEM_THINKING_LEVEL_UNSET, 0, TRUE,
      "{\"thinkingConfig\":{\"thinkingBudget\":128,\"includeThoughts\":true}}" },
    { "gemini-2.5-pro", GEM_THINKING_LEVEL_LOW, 100000, FALSE,
      "{\"thinkingConfig\":{\"thinkingBudget\":32768}}" },
    { "gemini-2.5-flash-lite", GEM_THINKING_LEVEL_UNSET, 100, FALSE,
      "{\"thinkingConfig\":{\"thinkingBudget\":512}}" },
    { "gemini-2.5-flash-lite", GEM_THINKING_LEVEL_UNSET, 0, FALSE,
      "{\"thinkingConfig\":{\"thinkingBudget\":0}}" },
    { "gemini-flash-latest", GEM_THINKING_LEVEL_HIGH, 2048, FALSE,
      "{\"thinkingConfig\":{\"thinkingBudget\":2048}}" },
    /* no thinking control at all */
    { "gemini-2.0-flash", GEM_THINKING_LEVEL_HIGH, 1024, TRUE, "null" },
    { "gemini-1.5-pro", GEM_THINKING_LEVEL_LOW, 1024, TRUE, "null" },
    { "gemma-3-27b-it", GEM_THINKING_LEVEL_LOW, 1024, TRUE, "null" },
    { "gemini-2.5-flash-image", GEM_THINKING_LEVEL_HIGH, 1024, TRUE, "null" },
    { "some-other-model", GEM_THINKING_LEVEL_HIGH, 1024, TRUE, "null" },
    /* a Gemini 3 image model thinks, but takes neither a level nor a budget */
    { "gemini-3-pro-image-preview", GEM_THINKING_LEVEL_HIGH, 1024, TRUE,
      "{\"thinkingConfig\":{\"includeThoughts\":true}}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GemGenerationSettings) settings = gem_generation_settings_new (cases[i].model);
      g_autofree char *config = NULL;

      settings->thinking_level = cases[i].level;
      settings->has_thinking_budget = cases[i].budget != G_MININT;
      settings->thinking_budget = cases[i].budget;
      settings->include_thoughts = cases[i].include_thoughts;

      config = generation_config_of (settings);
      g_test_message ("%s", cases[i].model);
      g_assert_cmpstr (config, ==, cases[i].expected);
    }
}

static void
test_images (void)
{
  g_autoptr(GemGenerationSettings) settings = gem_generation_settings_new ("gemini-3-pro-image-preview");
  g_autofree char *config = NULL;

  settings->response_modalities = GEM_RESPONSE_MODALITIES_TEXT_IMAGE;
  settings->aspect_ratio = g_strdup ("16:9");
  settings->image_size = g_strdup ("2K");

  config = generation_config_of (settings);
  g_assert_cmpstr (config, ==,
                   "{\"responseModalities\":[\"TEXT\",\"IMAGE\"],"
                   "\"imageConfig\":{\"aspectRatio\":\"16:9\",\"imageSize\":\"2K\"}}");

  /* Gemini 2.5 image: no resolution choice */
  g_free (settings->model);
  settings->model = g_strdup ("gemini-2.5-flash-image");
  settings->response_modalities = GEM_RESPONSE_MODALITIES_IMAGE;
  g_clear_pointer (&config, g_free);
  config = generation_config_of (settings);
  g_assert_cmpstr (config, ==, "{\"responseModalities\":[\"IMAGE\"],\"imageConfig\":{\"aspectRatio\":\"16:9\"}}");

  /* a text model gets none of it */
  g_free (settings->model);
  settings->model = g_strdup ("gemini-2.5-flash");
  g_clear_pointer (&config, g_free);
  config = generation_config_of (settings);
  g_assert_cmpstr (config, ==, "null");

  /* but text-only output can be asked of any model */
  settings->response_modalities = GEM_RESPONSE_MODALITIES_TEXT;
  g_clear_pointer (&config, g_free);
  config = generation_config_of (settings);
  g_assert_cmpstr (config, ==, "{\"responseModalities\":[\"TEXT\"]}");

  /* every documented ratio is accepted; others are an error */
  for (const char * const *r = gem_aspect_ratios (); *r != NULL; r++)
    g_assert_true (gem_aspect_ratio_is_valid (*r));
  g_assert_cmpuint (g_strv_length ((char **) gem_aspect_ratios ()), ==, 10);
  g_assert_true (gem_aspect_ratio_is_valid ("21:9"));
  g_assert_true (gem_aspect_ratio_is_valid ("4:5"));
  g_assert_false (gem_aspect_ratio_is_valid ("7:3"));
  g_assert_true (gem_image_size_is_valid ("4K"));
  g_assert_false (gem_image_size_is_valid ("4k"));

  {
    g_autoptr(GPtrArray) turns = text_turns ("Draw", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) request = NULL;

    g_free (settings->model);
    settings->model = g_strdup ("gemini-3-pro-image-preview");
    g_free (settings->aspect_ratio);
    settings->aspect_ratio = g_strdup ("7:3");
    request = gem_request_build (settings, turns, &error);
    g_assert_null (request);
    g_assert_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST);
    g_assert_cmpstr (error->message, ==, "“7:3” is not a supported aspect ratio.");
  }

  {
    g_autoptr(GPtrArray) turns = text_turns ("Draw", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) request = NULL;

    g_free (settings->aspect_ratio);
    settings->aspect_ratio = g_strdup ("1:1");
    g_free (settings->image_size);
    settings->image_size = g_strdup ("3K");
    request = gem_request_build (settings, turns, &error);
    g_assert_null (request);
    g_assert_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST);
  }
}

static void
test_tools_and_safety (void)
{
  g_autoptr(GemGenerationSettings) settings = gem_generation_settings_new ("gemini-2.5-flash");

  settings->google_search = TRUE;
  settings->google_maps = TRUE;
  settings->url_context = TRUE;
  settings->code_execution = TRUE;
  settings->function_declarations =
    g_strdup ("[{\"name\": \"get_weather\", \"description\": \"Weather of a city\", "
              "\"parameters\": {\"type\": \"OBJECT\", \"properties\": {\"city\": {\"type\": \"STRING\"}}, "
              "\"required\": [\"city\"]}}]");
  gem_generation_settings_set_safety (settings, "HARM_CATEGORY_HATE_SPEECH", "BLOCK_ONLY_HIGH");
  gem_generation_settings_set_safety (settings, "HARM_CATEGORY_DANGEROUS_CONTENT", "BLOCK_NONE");
  gem_generation_settings_set_safety (settings, "HARM_CATEGORY_HARASSMENT", "BLOCK_LOW_AND_ABOVE");
  gem_generation_settings_set_safety (settings, "HARM_CATEGORY_HARASSMENT", NULL);

  assert_build_json (settings,
                     "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]}],"
                     "\"tools\":[{\"google_search\":{}},{\"googleMaps\":{}},{\"urlContext\":{}},"
                     "{\"codeExecution\":{}},"
                     "{\"functionDeclarations\":[{\"name\":\"get_weather\",\"description\":\"Weather of a city\","
                     "\"parameters\":{\"type\":\"OBJECT\",\"properties\":{\"city\":{\"type\":\"STRING\"}},"
                     "\"required\":[\"city\"]}}]}],"
                     "\"safetySettings\":["
                     "{\"category\":\"HARM_CATEGORY_DANGEROUS_CONTENT\",\"threshold\":\"BLOCK_NONE\"},"
                     "{\"category\":\"HARM_CATEGORY_HATE_SPEECH\",\"threshold\":\"BLOCK_ONLY_HIGH\"}]}");

  /* search only: the request of the user's reference page */
  {
    g_autoptr(GemGenerationSettings) search = gem_generation_settings_new ("gemini-2.5-flash");

    search->google_search = TRUE;
    search->function_declarations = g_strdup ("[]");
    assert_build_json (search,
                       "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]}],"
                       "\"tools\":[{\"google_search\":{}}]}");
  }

  /* bad declarations */
  {
    const char *bad[] = { "[{\"name\": ", "{\"name\": \"f\"}", "[\"f\"]" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GemGenerationSettings) broken = gem_generation_settings_new ("gemini-2.5-flash");
        g_autoptr(GPtrArray) turns = text_turns ("Hi", NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonNode) request = NULL;

        broken->function_declarations = g_strdup (bad[i]);
        request = gem_request_build (broken, turns, &error);
        g_assert_null (request);
        g_assert_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST);
        g_assert_true (g_str_has_prefix (error->message, "The function declarations "));
      }
  }
}

static void
test_cached_content (void)
{
  g_autoptr(GemGenerationSettings) settings = gem_generation_settings_new ("gemini-2.5-flash");

  settings->system_instruction = g_strdup ("Be brief.");
  settings->google_search = TRUE;
  settings->has_temperature = TRUE;
  settings->temperature = 1.0;
  settings->cached_content = g_strdup ("cachedContents/abc123");

  /* the cache holds the instruction and tools; the API refuses them again */
  assert_build_json (settings,
                     "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]}],"
                     "\"generationConfig\":{\"temperature\":1.0},"
                     "\"cachedContent\":\"cachedContents/abc123\"}");
}

static void
assert_parts_identical (JsonArray *sent,
                        JsonArray *stored)
{
  g_autoptr(JsonNode) a = json_node_new (JSON_NODE_ARRAY);
  g_autoptr(JsonNode) b = json_node_new (JSON_NODE_ARRAY);
  g_autofree char *text_a = NULL;
  g_autofree char *text_b = NULL;
  g_autofree char *glib_a = NULL;
  g_autofree char *glib_b = NULL;

  json_node_set_array (a, sent);
  json_node_set_array (b, stored);
  text_a = gem_request_to_string (a, FALSE);
  text_b = gem_request_to_string (b, FALSE);
  g_assert_cmpstr (text_a, ==, text_b);

  /* and by an independent serializer */
  glib_a = json_to_string (a, FALSE);
  glib_b = json_to_string (b, FALSE);
  g_assert_cmpstr (glib_a, ==, glib_b);
  g_assert_true (json_node_equal (a, b));
}

static void
test_model_turns_faithful (void)
{
  g_autoptr(GemGenerationSettings) settings = gem_generation_settings_new ("gemini-3-pro-preview");
  g_autoptr(JsonObject) thinking = corpus_json ("googleai/unary-success-thinking-function-call-thought-summary-signature.json");
  g_autoptr(JsonObject) code = corpus_json ("googleai/unary-success-code-execution.json");
  g_autoptr(GPtrArray) turns = g_ptr_array_new_with_free_func ((GDestroyNotify) gem_turn_free);
  g_autoptr(JsonArray) image_parts = NULL;
  g_autoptr(JsonArray) response_parts = json_array_new ();
  g_autoptr(JsonNode) request = NULL;
  g_autofree char *stored_signature = NULL;
  JsonArray *contents;
  JsonObject *function_response = json_object_new ();
  JsonObject *response_value = json_object_new ();
  JsonObject *part = json_object_new ();

  /* a model image with its signature, as a Gemini 3 image model sends it */
  {
    g_autoptr(JsonNode) parts = parse ("[{\"text\":\"Here is a cat.\"},"
                                       "{\"inlineData\":{\"mimeType\":\"image/png\","
                                       "\"data\":\"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVQImWNwav0CAALIAbzDqqRyAAAAAElFTkSuQmCC\"},"
                                       "\"thoughtSignature\":\"c2lnbmF0dXJlIG9mIHRoZSBpbWFnZQ==\"},"
                                       "{\"text\":\"It thinks.\",\"thought\":true,\"thoughtSignature\":\"dGhvdWdodA==\"}]");

    image_parts = json_array_ref (json_node_get_array (parts));
  }

  json_object_set_string_member (response_value, "now", "2025-07-28T12:00:00Z");
  json_object_set_string_member (function_response, "name", "now");
  json_object_set_object_member (function_response, "response", response_value);
  json_object_set_object_member (part, "functionResponse", function_response);
  json_array_add_object_element (response_parts, part);

  g_ptr_array_add (turns, gem_turn_new_text ("user", "How many days until New Year's Eve?"));
  g_ptr_array_add (turns, gem_turn_new ("model", candidate_parts (thinking)));
  g_ptr_array_add (turns, gem_turn_new ("user", response_parts));
  g_ptr_array_add (turns, gem_turn_new ("model", candidate_parts (code)));
  g_ptr_array_add (turns, gem_turn_new_text ("user", "Draw a cat"));
  g_ptr_array_add (turns, gem_turn_new ("model", image_parts));
  g_ptr_array_add (turns, gem_turn_new_text ("user", "Now make it orange"));

  stored_signature = g_strdup (json_object_get_string_member (json_array_get_object_element (candidate_parts (thinking), 1),
                                                              "thoughtSignature"));
  g_assert_cmpuint (strlen (stored_signature), >, 100);

  request = build (settings, turns);
  contents = json_object_get_array_member (json_node_get_object (request), "contents");
  g_assert_cmpuint (json_array_get_length (contents), ==, turns->len);

  for (guint i = 0; i < turns->len; i++)
    {
      GemTurn *turn = g_ptr_array_index (turns, i);
      JsonObject *content = json_array_get_object_element (contents, i);

      g_assert_cmpstr (json_object_get_string_member (content, "role"), ==, turn->role);
      g_assert_cmpuint (json_object_get_size (content), ==, 2);
      assert_parts_identical (json_object_get_array_member (content, "parts"), turn->parts);
    }

  /* the function call keeps its signature, the thought part its flag */
  {
    JsonArray *sent = json_object_get_array_member (json_array_get_object_element (contents, 1), "parts");

    g_assert_true (json_object_get_boolean_member (json_array_get_object_element (sent, 0), "thought"));
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (sent, 1), "thoughtSignature"),
                     ==, stored_signature);
    g_assert_true (json_object_has_member (json_array_get_object_element (sent, 1), "functionCall"));
  }

  /* and the request text carries the signature verbatim */
  {
    g_autofree char *text = gem_request_to_string (request, FALSE);

    g_assert_nonnull (strstr (text, stored_signature));
    g_assert_nonnull (strstr (text, "\"thoughtSignature\":\"c2lnbmF0dXJlIG9mIHRoZSBpbWFnZQ==\""));
    g_assert_nonnull (strstr (text, "\"executableCode\":{\"language\":\"PYTHON\""));
  }
}

static void
test_turn_errors (void)
{
  g_autoptr(GemGenerationSettings) settings = gem_generation_settings_new ("gemini-2.5-flash");

  {
    g_autoptr(GPtrArray) turns = g_ptr_array_new_with_free_func ((GDestroyNotify) gem_turn_free);
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) request = gem_request_build (settings, turns, &error);

    g_assert_null (request);
    g_assert_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST);
    g_assert_cmpstr (error->message, ==, "There is no message to send.");
  }

  {
    g_autoptr(GPtrArray) turns = g_ptr_array_new_with_free_func ((GDestroyNotify) gem_turn_free);
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) request = NULL;

    g_ptr_array_add (turns, gem_turn_new_text ("system", "Be nice"));
    request = gem_request_build (settings, turns, &error);
    g_assert_null (request);
    g_assert_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST);
    g_assert_cmpstr (error->message, ==, "A message has an unknown role “system”.");
  }

  /* a blocked answer left no parts: it is not sent */
  {
    g_autoptr(GPtrArray) turns = g_ptr_array_new_with_free_func ((GDestroyNotify) gem_turn_free);
    g_autoptr(JsonArray) empty = json_array_new ();
    g_autoptr(JsonNode) request = NULL;

    g_ptr_array_add (turns, gem_turn_new_text ("user", "Something"));
    g_ptr_array_add (turns, gem_turn_new ("model", empty));
    g_ptr_array_add (turns, gem_turn_new_text ("user", "Something else"));
    request = build (settings, turns);
    assert_json (request,
                 "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Something\"}]},"
                 "{\"role\":\"user\",\"parts\":[{\"text\":\"Something else\"}]}]}");
  }

  /* a conversation, oldest first */
  {
    g_autoptr(GPtrArray) turns = text_turns ("Hello", "Hi! How can I help?", "Tell me a joke", NULL);
    g_autoptr(JsonNode) request = build (settings, turns);

    assert_json (request,
                 "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hello\"}]},"
                 "{\"role\":\"model\",\"parts\":[{\"text\":\"Hi! How can I help?\"}]},"
                 "{\"role\":\"user\",\"parts\":[{\"text\":\"Tell me a joke\"}]}]}");
  }
}

static void
test_to_string (void)
{
  g_autoptr(JsonNode) node = parse ("{\"b\": 1, \"a\": [true, false, null, 0.1, -2.5e-7, 3.0, 1e300],"
                                    " \"s\": \"quote \\\" back \\\\ nl \\n tab \\t ctl \\u0001 è 🐦\","
                                    " \"o\": {}, \"e\": []}");
  g_autofree char *compact = gem_request_to_string (node, FALSE);
  g_autofree char *pretty = NULL;
  g_autoptr(JsonNode) back = NULL;

  g_assert_cmpstr (compact, ==,
                   "{\"b\":1,\"a\":[true,false,null,0.1,-2.5e-07,3.0,1e+300],"
                   "\"s\":\"quote \\\" back \\\\ nl \\n tab \\t ctl \\u0001 è 🐦\",\"o\":{},\"e\":[]}");
  back = parse (compact);
  g_assert_true (json_node_equal (node, back));

  {
    g_autoptr(JsonNode) small = parse ("{\"a\": [1, {\"b\": \"c\"}], \"d\": {}}");

    pretty = gem_request_to_string (small, TRUE);
    g_assert_cmpstr (pretty, ==,
                     "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"c\"\n    }\n  ],\n  \"d\": {}\n}");
  }

  /* temperatures print as people write them */
  {
    g_autoptr(GemGenerationSettings) settings = gem_generation_settings_new ("gemini-2.5-flash");
    g_autoptr(GPtrArray) turns = text_turns ("Hi", NULL);
    g_autoptr(JsonNode) request = NULL;
    g_autofree char *text = NULL;

    settings->has_temperature = TRUE;
    settings->temperature = 0.3;
    settings->has_top_p = TRUE;
    settings->top_p = 0.1 + 0.2;
    request = build (settings, turns);
    text = gem_request_to_string (request, FALSE);
    g_assert_nonnull (strstr (text, "\"temperature\":0.3,\"topP\":0.30000000000000004}"));
  }
}

/* ---- settings storage ---- */

static GemGenerationSettings *
full_settings (void)
{
  GemGenerationSettings *settings = gem_generation_settings_new ("gemini-3-pro-image-preview");
  const char *stops[] = { "STOP", "fin", NULL };

  settings->system_instruction = g_strdup ("Reply in Italian.\nAlways.");
  settings->has_temperature = TRUE;
  settings->temperature = 0.4;
  settings->has_top_p = TRUE;
  settings->top_p = 0.9;
  settings->has_top_k = TRUE;
  settings->top_k = 32;
  settings->has_max_output_tokens = TRUE;
  settings->max_output_tokens = 8192;
  settings->has_candidate_count = TRUE;
  settings->candidate_count = 1;
  settings->stop_sequences = g_strdupv ((char **) stops);
  settings->response_mime_type = g_strdup ("text/plain");
  settings->response_schema = g_strdup ("{\"type\": \"STRING\"}");
  settings->response_modalities = GEM_RESPONSE_MODALITIES_TEXT_IMAGE;
  settings->aspect_ratio = g_strdup ("3:2");
  settings->image_size = g_strdup ("4K");
  settings->thinking_level = GEM_THINKING_LEVEL_LOW;
  settings->has_thinking_budget = TRUE;
  settings->thinking_budget = -1;
  settings->include_thoughts = TRUE;
  settings->google_search = TRUE;
  settings->url_context = TRUE;
  settings->code_execution = TRUE;
  settings->google_maps = TRUE;
  settings->function_declarations = g_strdup ("[{\"name\": \"now\"}]");
  gem_generation_settings_set_safety (settings, "HARM_CATEGORY_HARASSMENT", "BLOCK_ONLY_HIGH");
  gem_generation_settings_set_safety (settings, "HARM_CATEGORY_CIVIC_INTEGRITY", "BLOCK_NONE");

  return settings;
}

static void
test_settings_json (void)
{
  g_autoptr(GemGenerationSettings) settings = full_settings ();
  g_autoptr(GemGenerationSettings) copy = gem_generation_settings_copy (settings);
  g_autoptr(GemGenerationSettings) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) turns = text_turns ("Hi", NULL);
  g_autoptr(JsonNode) request_a = NULL;
  g_autoptr(JsonNode) request_b = NULL;
  g_autofree char *stored = gem_generation_settings_to_string (settings);
  g_autofree char *stored_again = NULL;
  g_autofree char *text_a = NULL;
  g_autofree char *text_b = NULL;

  g_assert_cmpstr (stored, ==,
                   "{\"version\":1,\"model\":\"gemini-3-pro-image-preview\","
                   "\"systemInstruction\":\"Reply in Italian.\\nAlways.\","
                   "\"temperature\":0.4,\"topP\":0.9,\"topK\":32,\"maxOutputTokens\":8192,\"candidateCount\":1,"
                   "\"stopSequences\":[\"STOP\",\"fin\"],\"responseMimeType\":\"text/plain\","
                   "\"responseSchema\":\"{\\\"type\\\": \\\"STRING\\\"}\",\"responseModalities\":\"TEXT_IMAGE\","
                   "\"aspectRatio\":\"3:2\",\"imageSize\":\"4K\",\"thinkingLevel\":\"LOW\",\"thinkingBudget\":-1,"
                   "\"includeThoughts\":true,"
                   "\"tools\":{\"googleSearch\":true,\"googleMaps\":true,\"urlContext\":true,\"codeExecution\":true},"
                   "\"functionDeclarations\":\"[{\\\"name\\\": \\\"now\\\"}]\","
                   "\"safetySettings\":{\"HARM_CATEGORY_CIVIC_INTEGRITY\":\"BLOCK_NONE\","
                   "\"HARM_CATEGORY_HARASSMENT\":\"BLOCK_ONLY_HIGH\"}}");

  back = gem_generation_settings_new_from_string (stored, &error);
  g_assert_no_error (error);
  stored_again = gem_generation_settings_to_string (back);
  g_assert_cmpstr (stored_again, ==, stored);

  /* the same settings give the same request, before and after storage */
  request_a = build (settings, turns);
  request_b = build (back, turns);
  text_a = gem_request_to_string (request_a, FALSE);
  text_b = gem_request_to_string (request_b, FALSE);
  g_assert_cmpstr (text_a, ==, text_b);

  /* a copy is deep */
  gem_generation_settings_set_safety (copy, "HARM_CATEGORY_HARASSMENT", NULL);
  g_free (copy->model);
  copy->model = g_strdup ("gemini-2.5-pro");
  g_assert_cmpstr (settings->model, ==, "gemini-3-pro-image-preview");
  g_assert_cmpuint (g_hash_table_size (settings->safety_settings), ==, 2);

  /* empty settings store as almost nothing */
  {
    g_autoptr(GemGenerationSettings) empty = gem_generation_settings_new (NULL);
    g_autofree char *text = gem_generation_settings_to_string (empty);

    g_assert_cmpstr (text, ==, "{\"version\":1}");
  }

  /* unknown members are ignored, wrongly typed ones stay unset */
  {
    g_autoptr(GemGenerationSettings) odd =
      gem_generation_settings_new_from_string ("{\"version\": 2, \"model\": \"gemini-2.5-flash\", "
                                               "\"temperature\": \"hot\", \"topK\": 2.5, \"maxOutputTokens\": 100, "
                                               "\"thinkingLevel\": \"EXTREME\", \"futureThing\": [1, 2], "
                                               "\"tools\": {\"googleSearch\": 1, \"urlContext\": true}}",
                                               &error);

    g_assert_no_error (error);
    g_assert_cmpstr (odd->model, ==, "gemini-2.5-flash");
    g_assert_false (odd->has_temperature);
    g_assert_false (odd->has_top_k);
    g_assert_true (odd->has_max_output_tokens);
    g_assert_cmpint (odd->max_output_tokens, ==, 100);
    g_assert_cmpint (odd->thinking_level, ==, GEM_THINKING_LEVEL_UNSET);
    g_assert_false (odd->google_search);
    g_assert_true (odd->url_context);
  }

  {
    g_autoptr(GemGenerationSettings) none = gem_generation_settings_new_from_string ("[1]", &error);

    g_assert_null (none);
    g_assert_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST);
    g_clear_error (&error);
  }

  {
    g_autoptr(GemGenerationSettings) none = gem_generation_settings_new_from_string ("{oops", &error);

    g_assert_null (none);
    g_assert_error (error, GEM_ERROR, GEM_ERROR_BAD_REQUEST);
    g_clear_error (&error);
  }

  g_assert_cmpstr (gem_thinking_level_to_string (GEM_THINKING_LEVEL_MEDIUM), ==, "MEDIUM");
  g_assert_cmpint (gem_thinking_level_from_string ("high"), ==, GEM_THINKING_LEVEL_HIGH);
  g_assert_null (gem_thinking_level_to_string (GEM_THINKING_LEVEL_UNSET));
}

/* ---- model info ---- */

static void
test_model_classification (void)
{
  const struct { const char *id; GemThinkingStyle style; gboolean images; } cases[] = {
    { "gemini-3-pro-preview", GEM_THINKING_STYLE_LEVEL, FALSE },
    { "gemini-3-flash-preview", GEM_THINKING_STYLE_LEVEL, FALSE },
    { "models/gemini-3.1-pro-preview", GEM_THINKING_STYLE_LEVEL, FALSE },
    { "gemini-3-pro-image-preview", GEM_THINKING_STYLE_NONE, TRUE },
    { "gemini-2.5-pro", GEM_THINKING_STYLE_BUDGET, FALSE },
    { "gemini-2.5-flash", GEM_THINKING_STYLE_BUDGET, FALSE },
    { "gemini-2.5-flash-lite", GEM_THINKING_STYLE_BUDGET, FALSE },
    { "gemini-2.5-flash-preview-09-2025", GEM_THINKING_STYLE_BUDGET, FALSE },
    { "gemini-2.5-flash-image", GEM_THINKING_STYLE_NONE, TRUE },
    { "gemini-2.5-flash-image-preview", GEM_THINKING_STYLE_NONE, TRUE },
    { "gemini-2.0-flash", GEM_THINKING_STYLE_NONE, FALSE },
    { "gemini-2.0-flash-preview-image-generation", GEM_THINKING_STYLE_NONE, TRUE },
    { "gemini-1.5-pro", GEM_THINKING_STYLE_NONE, FALSE },
    { "gemma-3-27b-it", GEM_THINKING_STYLE_NONE, FALSE },
    { "gemini-flash-latest", GEM_THINKING_STYLE_BUDGET, FALSE },
    { "gemini-exp-1206", GEM_THINKING_STYLE_NONE, FALSE },
    { "text-embedding-004", GEM_THINKING_STYLE_NONE, FALSE },
    { "", GEM_THINKING_STYLE_NONE, FALSE },
  };
  GemThinkingInfo info;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].id);
      g_assert_cmpint (gem_model_thinking_style (cases[i].id), ==, cases[i].style);
      g_assert_cmpint (gem_model_can_output_images (cases[i].id), ==, cases[i].images);
    }
  g_assert_cmpint (gem_model_thinking_style (NULL), ==, GEM_THINKING_STYLE_NONE);

  gem_model_get_thinking_info ("gemini-2.5-pro", &info);
  g_assert_false (info.can_disable);
  g_assert_true (info.default_on);
  g_assert_cmpint (info.min_budget, ==, 128);
  g_assert_cmpint (info.max_budget, ==, 32768);

  gem_model_get_thinking_info ("gemini-2.5-flash", &info);
  g_assert_true (info.can_disable);
  g_assert_true (info.default_on);
  g_assert_cmpint (info.max_budget, ==, 24576);

  gem_model_get_thinking_info ("gemini-2.5-flash-lite", &info);
  g_assert_true (info.can_disable);
  g_assert_false (info.default_on);
  g_assert_cmpint (info.min_budget, ==, 512);

  gem_model_get_thinking_info ("gemini-2.5-flash-image", &info);
  g_assert_false (info.thinks);

  gem_model_get_thinking_info ("gemini-3-pro-image-preview", &info);
  g_assert_true (info.thinks);

  g_assert_cmpint (gem_model_clamp_thinking_budget ("gemini-2.5-pro", 0), ==, 128);
  g_assert_cmpint (gem_model_clamp_thinking_budget ("gemini-2.5-pro", -1), ==, -1);
  g_assert_cmpint (gem_model_clamp_thinking_budget ("gemini-2.5-pro", 5000), ==, 5000);
  g_assert_cmpint (gem_model_clamp_thinking_budget ("gemini-2.5-flash", 0), ==, 0);
  g_assert_cmpint (gem_model_clamp_thinking_budget ("gemini-2.5-flash-lite", 1), ==, 512);
  g_assert_cmpint (gem_model_clamp_thinking_budget ("gemini-2.5-flash-lite", -7), ==, -1);

  g_assert_cmpstr (gem_model_id_from_name ("models/gemini-2.5-flash"), ==, "gemini-2.5-flash");
  g_assert_cmpstr (gem_model_id_from_name ("gemini-2.5-flash"), ==, "gemini-2.5-flash");
}

static void
test_model_list (void)
{
  g_autoptr(JsonNode) page = parse (
    "{\"models\": ["
    " {\"name\": \"models/gemini-2.5-flash\", \"version\": \"001\", \"displayName\": \"Gemini 2.5 Flash\","
    "  \"description\": \"Fast\", \"inputTokenLimit\": 1048576, \"outputTokenLimit\": 65536,"
    "  \"supportedGenerationMethods\": [\"generateContent\", \"countTokens\"], \"thinking\": true},"
    " {\"name\": \"models/text-embedding-004\", \"inputTokenLimit\": 2048, \"outputTokenLimit\": 1,"
    "  \"supportedGenerationMethods\": [\"embedContent\"]},"
    " {\"displayName\": \"no name\"},"
    " 42,"
    " {\"name\": \"models/gemini-3-pro-image-preview\", \"displayName\": \"Nano Banana Pro\","
    "  \"supportedGenerationMethods\": [\"generateContent\"], \"thinking\": true}"
    "], \"nextPageToken\": \"Cg5nZW1pbmktMi41LWZsYXNo\"}");
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  GemModelInfo *flash, *embedding, *image;

  models = gem_model_info_parse_list (page, &token, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (models->len, ==, 3);
  g_assert_cmpstr (token, ==, "Cg5nZW1pbmktMi41LWZsYXNo");

  flash = g_ptr_array_index (models, 0);
  g_assert_cmpstr (gem_model_info_get_name (flash), ==, "models/gemini-2.5-flash");
  g_assert_cmpstr (gem_model_info_get_id (flash), ==, "gemini-2.5-flash");
  g_assert_cmpstr (gem_model_info_get_display_name (flash), ==, "Gemini 2.5 Flash");
  g_assert_cmpstr (gem_model_info_get_description (flash), ==, "Fast");
  g_assert_cmpstr (gem_model_info_get_version (flash), ==, "001");
  g_assert_cmpint (gem_model_info_get_input_token_limit (flash), ==, 1048576);
  g_assert_cmpint (gem_model_info_get_output_token_limit (flash), ==, 65536);
  g_assert_true (gem_model_info_supports_generate (flash));
  g_assert_true (gem_model_info_supports_method (flash, "countTokens"));
  g_assert_true (gem_model_info_get_thinking (flash));
  g_assert_cmpint (gem_model_info_get_thinking_style (flash), ==, GEM_THINKING_STYLE_BUDGET);
  g_assert_false (gem_model_info_can_output_images (flash));
  g_assert_cmpuint (g_strv_length ((char **) gem_model_info_get_generation_methods (flash)), ==, 2);

  embedding = g_ptr_array_index (models, 1);
  g_assert_false (gem_model_info_supports_generate (embedding));
  g_assert_cmpstr (gem_model_info_get_display_name (embedding), ==, "text-embedding-004");
  g_assert_false (gem_model_info_get_thinking (embedding));

  image = g_ptr_array_index (models, 2);
  g_assert_true (gem_model_info_can_output_images (image));
  g_assert_true (gem_model_info_get_thinking (image));
  g_assert_cmpint (gem_model_info_get_thinking_style (image), ==, GEM_THINKING_STYLE_NONE);

  /* the last page has no token */
  {
    g_autoptr(JsonNode) last = parse ("{\"models\": []}");
    g_autoptr(GPtrArray) none = NULL;
    g_autofree char *no_token = NULL;

    none = gem_model_info_parse_list (last, &no_token, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (none->len, ==, 0);
    g_assert_null (no_token);
  }

  {
    g_autoptr(JsonNode) bad = parse ("[1, 2]");
    g_autoptr(GPtrArray) none = gem_model_info_parse_list (bad, NULL, &error);

    g_assert_null (none);
    g_assert_error (error, GEM_ERROR, GEM_ERROR_MALFORMED_RESPONSE);
    g_clear_error (&error);
  }

  {
    g_autoptr(JsonNode) nameless = parse ("{\"displayName\": \"x\"}");
    g_autoptr(GemModelInfo) info = gem_model_info_new_from_json (json_node_get_object (nameless), &error);

    g_assert_null (info);
    g_assert_error (error, GEM_ERROR, GEM_ERROR_MALFORMED_RESPONSE);
    g_clear_error (&error);
  }

  {
    g_autoptr(GemModelInfo) typed = gem_model_info_new ("models/gemini-3-pro-preview");

    g_assert_cmpstr (gem_model_info_get_id (typed), ==, "gemini-3-pro-preview");
    g_assert_cmpstr (gem_model_info_get_name (typed), ==, "models/gemini-3-pro-preview");
    g_assert_true (gem_model_info_supports_generate (typed));
    g_assert_true (gem_model_info_get_thinking (typed));
    g_assert_cmpint (gem_model_info_get_thinking_style (typed), ==, GEM_THINKING_STYLE_LEVEL);
  }
}

/* ---- the proto check itself ---- */

static ProtoField *
proto_field (const char *message,
             const char *field)
{
  ProtoMessage *m;

  load_schema ();
  m = g_hash_table_lookup (schema->messages, message);
  g_assert_nonnull (m);

  return g_hash_table_lookup (m->fields, field);
}

static void
test_proto_schema (void)
{
  load_schema ();
  g_assert_cmpuint (schema->n_files, >=, 10);

  /* the messages a request is made of */
  g_assert_nonnull (proto_field ("GenerateContentRequest", "contents"));
  g_assert_true (proto_field ("GenerateContentRequest", "contents")->repeated);
  g_assert_nonnull (proto_field ("GenerateContentRequest", "systemInstruction"));
  g_assert_nonnull (proto_field ("GenerateContentRequest", "generationConfig"));
  g_assert_nonnull (proto_field ("GenerateContentRequest", "safetySettings"));
  g_assert_nonnull (proto_field ("GenerateContentRequest", "cachedContent"));
  g_assert_nonnull (proto_field ("Content", "parts"));
  g_assert_nonnull (proto_field ("Part", "inlineData"));
  g_assert_nonnull (proto_field ("Part", "thoughtSignature"));
  g_assert_nonnull (proto_field ("Part", "functionCall"));
  g_assert_nonnull (proto_field ("GenerationConfig", "thinkingConfig"));
  g_assert_nonnull (proto_field ("GenerationConfig", "imageConfig"));
  g_assert_nonnull (proto_field ("GenerationConfig", "responseModalities"));
  g_assert_nonnull (proto_field ("GenerationConfig", "topK"));
  g_assert_nonnull (proto_field ("ThinkingConfig", "thinkingBudget"));
  g_assert_nonnull (proto_field ("ThinkingConfig", "includeThoughts"));
  g_assert_nonnull (proto_field ("ImageConfig", "aspectRatio"));
  g_assert_nonnull (proto_field ("Tool", "googleSearch"));
  g_assert_nonnull (proto_field ("Tool", "googleMaps"));
  g_assert_nonnull (proto_field ("Tool", "urlContext"));
  g_assert_nonnull (proto_field ("Tool", "codeExecution"));
  g_assert_nonnull (proto_field ("Tool", "functionDeclarations"));
  g_assert_nonnull (proto_field ("SafetySetting", "category"));
  g_assert_nonnull (proto_field ("Schema", "properties"));
  g_assert_cmpstr (proto_field ("Schema", "properties")->map_value, ==, "Schema");

  /* the protos trail the API: these are the documented extras */
  g_assert_null (proto_field ("ThinkingConfig", "thinkingLevel"));
  g_assert_null (proto_field ("ImageConfig", "imageSize"));
  /* google_search is the proto's own field name, in snake case */
  g_assert_true (g_hash_table_contains (((ProtoMessage *) g_hash_table_lookup (schema->messages, "Tool"))->raw_names,
                                        "google_search"));
  g_assert_true (g_hash_table_contains (((ProtoMessage *) g_hash_table_lookup (schema->messages, "Tool"))->raw_names,
                                        "google_search_retrieval"));
}

static void
test_proto_check_catches_bogus_keys (void)
{
  g_autoptr(GemGenerationSettings) settings = full_settings ();
  g_autoptr(GPtrArray) turns = text_turns ("Hi", "Hello", "Again", NULL);
  g_autoptr(JsonNode) request = build (settings, turns);
  g_autoptr(GPtrArray) problems = NULL;
  JsonObject *root = json_node_get_object (request);
  JsonObject *config = json_object_get_object_member (root, "generationConfig");
  const char *expected[] = {
    "generationConfig.bogusKey: not a field of GenerationConfig",
    "generationConfig.thinkingConfig.thinkingLevell: not a field of ThinkingConfig",
    "generationConfig.thinkingLevel: not a field of GenerationConfig",
    "tools[1].googleSearchh: not a field of Tool",
    "contents[0].parts[0].notAField: not a field of Part",
    "system_instruction: not a field of GenerateContentRequest",
    "generationConfig.responseSchema.properties[x].typo: not a field of Schema",
  };

  /* as built: clean, with the newer imageSize in it */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (config, "imageConfig"), "imageSize"),
                   ==, "4K");
  g_assert_true (json_object_has_member (config, "thinkingConfig"));
  assert_known_fields (request);

  json_object_set_boolean_member (config, "bogusKey", TRUE);
  json_object_set_string_member (json_object_get_object_member (config, "thinkingConfig"), "thinkingLevell", "LOW");
  json_object_set_string_member (config, "thinkingLevel", "LOW");
  json_object_set_object_member (json_array_get_object_element (json_object_get_array_member (root, "tools"), 1),
                                 "googleSearchh", json_object_new ());
  json_object_set_int_member (json_array_get_object_element (json_object_get_array_member (json_array_get_object_element (json_object_get_array_member (root, "contents"), 0), "parts"), 0),
                              "notAField", 1);
  json_object_set_string_member (root, "system_instruction", "snake case is not what we send");
  {
    JsonObject *schema_object = json_object_get_object_member (config, "responseSchema");
    JsonObject *properties = json_object_new ();
    JsonObject *x = json_object_new ();

    json_object_set_string_member (x, "typo", "STRING");
    json_object_set_object_member (properties, "x", x);
    json_object_set_object_member (schema_object, "properties", properties);
  }

  problems = check_request (request);
  for (guint i = 0; i < problems->len; i++)
    g_test_message ("%s", (char *) g_ptr_array_index (problems, i));

  g_assert_cmpuint (problems->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < problems->len; j++)
        found |= g_strcmp0 (g_ptr_array_index (problems, j), expected[i]) == 0;
      g_assert_true (found);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/gemini/request/minimal", test_minimal);
  g_test_add_func ("/gemini/request/generation-config", test_generation_config);
  g_test_add_func ("/gemini/request/schema-errors", test_schema_errors);
  g_test_add_func ("/gemini/request/thinking-by-model", test_thinking_by_model);
  g_test_add_func ("/gemini/request/images", test_images);
  g_test_add_func ("/gemini/request/tools-and-safety", test_tools_and_safety);
  g_test_add_func ("/gemini/request/cached-content", test_cached_content);
  g_test_add_func ("/gemini/request/model-turns-faithful", test_model_turns_faithful);
  g_test_add_func ("/gemini/request/turn-errors", test_turn_errors);
  g_test_add_func ("/gemini/request/to-string", test_to_string);
  g_test_add_func ("/gemini/request/settings-json", test_settings_json);
  g_test_add_func ("/gemini/model-info/classification", test_model_classification);
  g_test_add_func ("/gemini/model-info/list", test_model_list);
  g_test_add_func ("/gemini/request/proto/schema", test_proto_schema);
  g_test_add_func ("/gemini/request/proto/catches-bogus-keys", test_proto_check_catches_bogus_keys);

  return g_test_run ();
}

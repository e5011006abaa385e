/* fake-gemini-models.c: the fake server's model list and error bodies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fake-gemini-private.h"

#include <libsoup/soup.h>
#include <string.h>

#define DEFAULT_PAGE_SIZE 50
#define MAX_PAGE_SIZE 1000

typedef struct
{
  const char *id;
  const char *version;
  const char *display_name;
  const char *description;
  gint64      input_limit;
  gint64      output_limit;
  const char *methods;          /* comma separated */
  gboolean    thinking;
  gboolean    sampling;         /* has temperature, topP, topK */
} FakeModel;

#define CHAT_METHODS "generateContent,countTokens,createCachedContent,batchGenerateContent"

static const FakeModel models[] = {
  { "gemini-2.5-flash", "001", "Gemini 2.5 Flash",
    "Stable version of Gemini 2.5 Flash, our mid-size multimodal model that supports up to 1 million tokens, released in June of 2025.",
    1048576, 65536, CHAT_METHODS, TRUE, TRUE },
  { "gemini-2.5-pro", "2.5", "Gemini 2.5 Pro",
    "Stable release (June 17th, 2025) of Gemini 2.5 Pro",
    1048576, 65536, CHAT_METHODS, TRUE, TRUE },
  { "gemini-2.5-flash-lite", "001", "Gemini 2.5 Flash-Lite",
    "Stable version of Gemini 2.5 Flash-Lite, released in July of 2025",
    1048576, 65536, CHAT_METHODS, TRUE, TRUE },
  { "gemini-2.5-flash-image", "2.0", "Nano Banana",
    "Gemini 2.5 Flash Image",
    32768, 32768, "generateContent,countTokens,batchGenerateContent", FALSE, TRUE },
  { "gemini-3-pro-preview", "3-pro-preview-11-2025", "Gemini 3 Pro Preview",
    "Gemini 3 Pro Preview",
    1048576, 65536, CHAT_METHODS, TRUE, TRUE },
  { "gemini-3-pro-image-preview", "3.0", "Nano Banana Pro",
    "Gemini 3 Pro Image Preview",
    131072, 32768, "generateContent,countTokens,batchGenerateContent", TRUE, TRUE },
  { "gemini-3-flash-preview", "3-flash-preview-12-2025", "Gemini 3 Flash Preview",
    "Gemini 3 Flash Preview",
    1048576, 65536, CHAT_METHODS, TRUE, TRUE },
  { "gemini-flash-latest", "Gemini Flash Latest", "Gemini Flash Latest",
    "Latest release of Gemini Flash",
    1048576, 65536, CHAT_METHODS, TRUE, TRUE },
  { "gemini-2.0-flash", "2.0", "Gemini 2.0 Flash",
    "Gemini 2.0 Flash",
    1048576, 8192, CHAT_METHODS, FALSE, TRUE },
  { "gemini-2.0-flash-lite", "2.0", "Gemini 2.0 Flash-Lite",
    "Gemini 2.0 Flash-Lite",
    1048576, 8192, CHAT_METHODS, FALSE, TRUE },
  { "gemma-3-27b-it", "001", "Gemma 3 27B",
    "",
    131072, 8192, "generateContent,countTokens", FALSE, TRUE },
  { "text-embedding-004", "004", "Text Embedding 004",
    "Obtain a distributed representation of a text.",
    2048, 1, "embedContent", FALSE, FALSE },
  { "gemini-embedding-001", "001", "Gemini Embedding 001",
    "Obtain a distributed representation of a text.",
    2048, 1, "embedContent,countTextTokens,countTokens,asyncBatchEmbedContent", FALSE, FALSE },
};

GQuark
fake_gemini_error_quark (void)
{
  return g_quark_from_static_string ("fake-gemini-error-quark");
}

static const FakeModel *
find_model (const char *id)
{
  if (id == NULL)
    return NULL;

  if (g_str_has_prefix (id, "models/"))
    id += strlen ("models/");

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    if (strcmp (models[i].id, id) == 0)
      return &models[i];

  return NULL;
}

static JsonNode *
model_to_json (const FakeModel *m)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_auto(GStrv) methods = g_strsplit (m->methods, ",", -1);
  g_autofree char *name = g_strconcat ("models/", m->id, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, m->version);
  json_builder_set_member_name (builder, "displayName");
  json_builder_add_string_value (builder, m->display_name);
  if (m->description[0] != '\0')
    {
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, m->description);
    }
  json_builder_set_member_name (builder, "inputTokenLimit");
  json_builder_add_int_value (builder, m->input_limit);
  json_builder_set_member_name (builder, "outputTokenLimit");
  json_builder_add_int_value (builder, m->output_limit);
  json_builder_set_member_name (builder, "supportedGenerationMethods");
  json_builder_begin_array (builder);
  for (guint i = 0; methods[i] != NULL; i++)
    json_builder_add_string_value (builder, methods[i]);
  json_builder_end_array (builder);
  if (m->sampling)
    {
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_int_value (builder, 1);
      json_builder_set_member_name (builder, "topP");
      json_builder_add_double_value (builder, 0.95);
      json_builder_set_member_name (builder, "topK");
      json_builder_add_int_value (builder, 64);
      json_builder_set_member_name (builder, "maxTemperature");
      json_builder_add_int_value (builder, 2);
    }
  if (m->thinking)
    {
      json_builder_set_member_name (builder, "thinking");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static gboolean
is_extra (const char         *id,
          const char * const *extra_models)
{
  if (find_model (id) != NULL || extra_models == NULL)
    return FALSE;

  return g_strv_contains (extra_models, id);
}

static JsonNode *
extra_model_to_json (const char *id)
{
  FakeModel m = {
    id, "001", id, "A model scripted by the fake Gemini server",
    1048576, 65536, "generateContent,countTokens", FALSE, TRUE
  };

  return model_to_json (&m);
}

gboolean
fake_models_can_generate (const char *model_id)
{
  const FakeModel *m = find_model (model_id);

  return m != NULL && strstr (m->methods, "generateContent") != NULL;
}

JsonNode *
fake_models_lookup (const char         *model_id,
                    const char * const *extra_models)
{
  const FakeModel *m = find_model (model_id);

  if (m != NULL)
    return model_to_json (m);

  if (is_extra (model_id, extra_models))
    return extra_model_to_json (model_id);

  return NULL;
}

JsonNode *
fake_models_list_page (const char          *page_token,
                       int                  page_size,
                       const char * const  *extra_models,
                       GError             **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  guint64 offset = 0;
  guint end;

  if (page_size < 0)
    {
      g_set_error (error, FAKE_GEMINI_ERROR, FAKE_GEMINI_ERROR_BAD_SCENARIO,
                   "Invalid value at 'page_size' (TYPE_INT32), \"%d\"", page_size);
      return NULL;
    }
  if (page_size == 0)
    page_size = DEFAULT_PAGE_SIZE;
  page_size = MIN (page_size, MAX_PAGE_SIZE);

  if (page_token != NULL && page_token[0] != '\0')
    {
      gsize len = 0;
      g_autofree guchar *decoded = g_base64_decode (page_token, &len);
      g_autofree char *text = g_strndup ((const char *) decoded, len);

      if (!g_str_has_prefix (text, "offset:") ||
          !g_ascii_string_to_unsigned (text + strlen ("offset:"), 10, 1, G_MAXINT, &offset, NULL))
        {
          g_set_error (error, FAKE_GEMINI_ERROR, FAKE_GEMINI_ERROR_BAD_SCENARIO,
                       "Invalid page token: %s", page_token);
          return NULL;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    g_ptr_array_add (all, model_to_json (&models[i]));
  for (guint i = 0; extra_models != NULL && extra_models[i] != NULL; i++)
    if (is_extra (extra_models[i], extra_models))
      g_ptr_array_add (all, extra_model_to_json (extra_models[i]));

  if (offset > all->len)
    offset = all->len;
  end = MIN (all->len, (guint) offset + (guint) page_size);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "models");
  json_builder_begin_array (builder);
  for (guint i = offset; i < end; i++)
    json_builder_add_value (builder, json_node_ref (g_ptr_array_index (all, i)));
  json_builder_end_array (builder);
  if (end < all->len)
    {
      g_autofree char *token_text = g_strdup_printf ("offset:%u", end);
      g_autofree char *token = g_base64_encode ((const guchar *) token_text, strlen (token_text));

      json_builder_set_member_name (builder, "nextPageToken");
      json_builder_add_string_value (builder, token);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

char *
fake_error_body_full (guint       code,
                      const char *status_name,
                      const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, status_name);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);

  return json_to_string (root, TRUE);
}

static void
add_error_info (JsonBuilder *builder,
                const char  *reason)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "@type");
  json_builder_add_string_value (builder, "type.googleapis.com/google.rpc.ErrorInfo");
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, reason);
  json_builder_set_member_name (builder, "domain");
  json_builder_add_string_value (builder, "googleapis.com");
  json_builder_set_member_name (builder, "metadata");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "service");
  json_builder_add_string_value (builder, "generativelanguage.googleapis.com");
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

/* Realistic Google API error bodies for scripted failures. */
char *
fake_error_body (guint       status,
                 int         retry_after,
                 const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const char *status_name;
  const char *default_message;

  switch (status)
    {
    case 400:
      status_name = "INVALID_ARGUMENT";
      default_message = "Request contains an invalid argument.";
      break;
    case 401:
      status_name = "UNAUTHENTICATED";
      default_message = "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                        "login cookie or other valid authentication credential. "
                        "See https://developers.google.com/identity/sign-in/web/devconsole-project.";
      break;
    case 403:
      status_name = "PERMISSION_DENIED";
      default_message = "The caller does not have permission";
      break;
    case 404:
      status_name = "NOT_FOUND";
      default_message = "Requested entity was not found.";
      break;
    case 408:
      status_name = "DEADLINE_EXCEEDED";
      default_message = "The request timed out before the server received all of it.";
      break;
    case 409:
      status_name = "ABORTED";
      default_message = "The operation was aborted.";
      break;
    case 429:
      status_name = "RESOURCE_EXHAUSTED";
      default_message = "You exceeded your current quota, please check your plan and billing details. "
                        "For more information on this error, head to: "
                        "https://ai.google.dev/gemini-api/docs/rate-limits.";
      break;
    case 499:
      status_name = "CANCELLED";
      default_message = "The operation was cancelled.";
      break;
    case 500:
      status_name = "INTERNAL";
      default_message = "An internal error has occurred. Please retry or report in "
                        "https://developers.generativeai.google/guide/troubleshooting";
      break;
    case 501:
      status_name = "UNIMPLEMENTED";
      default_message = "Operation is not implemented, or supported, or enabled.";
      break;
    case 502:
      status_name = "UNAVAILABLE";
      default_message = "The service received an invalid response from an upstream server.";
      break;
    case 503:
      status_name = "UNAVAILABLE";
      default_message = "The model is overloaded. Please try again later.";
      break;
    case 504:
      status_name = "DEADLINE_EXCEEDED";
      default_message = "Deadline expired before operation could complete.";
      break;
    default:
      status_name = status < 500 ? "FAILED_PRECONDITION" : "UNKNOWN";
      default_message = soup_status_get_phrase (status);
      if (default_message == NULL)
        default_message = "Unknown error.";
      break;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, status);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message ? message : default_message);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, status_name);

  if (status == 401 || status == 403 || status == 429)
    {
      json_builder_set_member_name (builder, "details");
      json_builder_begin_array (builder);

      if (status == 401)
        add_error_info (builder, "CREDENTIALS_MISSING");
      else if (status == 403)
        add_error_info (builder, "ACCESS_TOKEN_SCOPE_INSUFFICIENT");
      else
        {
          g_autofree char *delay = g_strdup_printf ("%ds", retry_after >= 0 ? retry_after : 2);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "@type");
          json_builder_add_string_value (builder, "type.googleapis.com/google.rpc.QuotaFailure");
          json_builder_set_member_name (builder, "violations");
          json_builder_begin_array (builder);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "quotaMetric");
          json_builder_add_string_value (builder, "generativelanguage.googleapis.com/generate_content_free_tier_requests");
          json_builder_set_member_name (builder, "quotaId");
          json_builder_add_string_value (builder, "GenerateRequestsPerMinutePerProjectPerModel-FreeTier");
          json_builder_set_member_name (builder, "quotaDimensions");
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "location");
          json_builder_add_string_value (builder, "global");
          json_builder_set_member_name (builder, "model");
          json_builder_add_string_value (builder, "gemini-2.5-flash");
          json_builder_end_object (builder);
          json_builder_set_member_name (builder, "quotaValue");
          json_builder_add_string_value (builder, "10");
          json_builder_end_object (builder);
          json_builder_end_array (builder);
          json_builder_end_object (builder);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "@type");
          json_builder_add_string_value (builder, "type.googleapis.com/google.rpc.Help");
          json_builder_set_member_name (builder, "links");
          json_builder_begin_array (builder);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "description");
          json_builder_add_string_value (builder, "Learn more about Gemini API quotas");
          json_builder_set_member_name (builder, "url");
          json_builder_add_string_value (builder, "https://ai.google.dev/gemini-api/docs/rate-limits");
          json_builder_end_object (builder);
          json_builder_end_array (builder);
          json_builder_end_object (builder);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "@type");
          json_builder_add_string_value (builder, "type.googleapis.com/google.rpc.RetryInfo");
          json_builder_set_member_name (builder, "retryDelay");
          json_builder_add_string_value (builder, delay);
          json_builder_end_object (builder);
        }

      json_builder_end_array (builder);
    }

  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);

  return json_to_string (root, TRUE);
}

/* What nginx in front of an API sends when the upstream fails. */
char *
fake_html_error_page (guint status)
{
  const char *phrase = soup_status_get_phrase (status);

  if (phrase == NULL)
    phrase = "Error";

  return g_strdup_printf ("<html>\r\n"
                          "<head><title>%u %s</title></head>\r\n"
                          "<body>\r\n"
                          "<center><h1>%u %s</h1></center>\r\n"
                          "<hr><center>nginx</center>\r\n"
                          "</body>\r\n"
                          "</html>\r\n",
                          status, phrase, status, phrase);
}

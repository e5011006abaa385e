/* gem-error.c: the error domain of the protocol library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "gem-error.h"
#include "gem-json.h"

#define EXCERPT_MAX_CHARS 200

typedef struct
{
  guint   http_status;
  char   *api_status;
  char   *api_message;
  char   *reason;
  gint64  retry_after_ms;
  char   *body_excerpt;
} GemErrorPrivate;

static void
gem_error_private_init (GemErrorPrivate *priv)
{
  priv->retry_after_ms = -1;
}

static void
gem_error_private_copy (const GemErrorPrivate *src,
                        GemErrorPrivate       *dest)
{
  dest->http_status = src->http_status;
  dest->api_status = g_strdup (src->api_status);
  dest->api_message = g_strdup (src->api_message);
  dest->reason = g_strdup (src->reason);
  dest->retry_after_ms = src->retry_after_ms;
  dest->body_excerpt = g_strdup (src->body_excerpt);
}

static void
gem_error_private_clear (GemErrorPrivate *priv)
{
  g_clear_pointer (&priv->api_status, g_free);
  g_clear_pointer (&priv->api_message, g_free);
  g_clear_pointer (&priv->reason, g_free);
  g_clear_pointer (&priv->body_excerpt, g_free);
}

G_DEFINE_EXTENDED_ERROR (GemError, gem_error)

/* The accessors accept errors of any domain, so callers need not check first. */
static GemErrorPrivate *
get_priv (const GError *error)
{
  if (error == NULL || error->domain != GEM_ERROR)
    return NULL;

  return gem_error_get_private (error);
}

static gboolean
contains_nocase (const char *haystack,
                 const char *needle)
{
  g_autofree char *h = NULL;
  g_autofree char *n = NULL;

  if (haystack == NULL || needle == NULL)
    return FALSE;

  h = g_ascii_strdown (haystack, -1);
  n = g_ascii_strdown (needle, -1);

  return strstr (h, n) != NULL;
}

static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, name);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* ---- user sentences ---- */

const char *
gem_error_code_to_string (GemErrorCode code)
{
  static const char * const names[] = {
    "NO_KEY", "INVALID_KEY", "PERMISSION_DENIED", "MODEL_NOT_FOUND", "BAD_REQUEST",
    "RATE_LIMITED", "QUOTA_EXHAUSTED", "SERVER_ERROR", "OVERLOADED", "NETWORK", "TLS",
    "TIMEOUT", "CANCELLED", "BLOCKED_PROMPT", "STOPPED_SAFETY", "STOPPED_RECITATION",
    "STOPPED_OTHER", "MALFORMED_RESPONSE", "INTERRUPTED", "EVENT_TOO_LARGE",
    "EMPTY_RESPONSE", "UNSUPPORTED_LOCATION", "HTTP",
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == GEM_ERROR_N_CODES);

  if ((guint) code >= G_N_ELEMENTS (names))
    return "UNKNOWN";

  return names[code];
}

/**
 * gem_error_code_to_user_message:
 * @code: a #GemErrorCode
 *
 * Returns: (transfer none): one translated sentence saying what happened and
 *   what the user can do about it
 */
const char *
gem_error_code_to_user_message (GemErrorCode code)
{
  switch (code)
    {
    case GEM_ERROR_NO_KEY:
      return _("No API key is set. Add one in Preferences.");
    case GEM_ERROR_INVALID_KEY:
      return _("The API key was rejected. Check it in Preferences.");
    case GEM_ERROR_PERMISSION_DENIED:
      return _("The API key is not allowed to use this service. Check that the Gemini API is "
               "enabled for it.");
    case GEM_ERROR_MODEL_NOT_FOUND:
      return _("The chosen model was not found. Pick another model.");
    case GEM_ERROR_BAD_REQUEST:
      return _("The server rejected the request as invalid. See the details, then change the "
               "message or the chat settings.");
    case GEM_ERROR_RATE_LIMITED:
      return _("Too many requests at once. Wait a moment and try again.");
    case GEM_ERROR_QUOTA_EXHAUSTED:
      return _("The API quota is used up. Wait for it to reset or check your plan and billing.");
    case GEM_ERROR_SERVER_ERROR:
      return _("The server had an internal error. Try again in a moment.");
    case GEM_ERROR_OVERLOADED:
      return _("The model is overloaded right now. Try again in a moment or pick another model.");
    case GEM_ERROR_NETWORK:
      return _("Could not reach the server. Check your internet connection and the server "
               "address.");
    case GEM_ERROR_TLS:
      return _("The secure connection to the server failed. Check the server address and your "
               "system clock.");
    case GEM_ERROR_TIMEOUT:
      return _("The server took too long to answer. Try again.");
    case GEM_ERROR_CANCELLED:
      return _("The request was cancelled.");
    case GEM_ERROR_BLOCKED_PROMPT:
      return _("The message was blocked by the safety filters. Rephrase it and try again.");
    case GEM_ERROR_STOPPED_SAFETY:
      return _("The answer was stopped by the safety filters. Rephrase the message and try again.");
    case GEM_ERROR_STOPPED_RECITATION:
      return _("The answer was stopped because it repeated existing material too closely. "
               "Rephrase the message and try again.");
    case GEM_ERROR_STOPPED_OTHER:
      return _("The answer stopped early for an unexpected reason. Try again.");
    case GEM_ERROR_MALFORMED_RESPONSE:
      return _("The server sent an answer that could not be read. Check the server address, or "
               "try again.");
    case GEM_ERROR_INTERRUPTED:
      return _("The answer was cut off before it finished. Try again.");
    case GEM_ERROR_EVENT_TOO_LARGE:
      return _("The server sent a part of the answer that is too large to handle.");
    case GEM_ERROR_EMPTY_RESPONSE:
      return _("The model returned an empty answer. Try again or rephrase the message.");
    case GEM_ERROR_UNSUPPORTED_LOCATION:
      return _("The Gemini API is not available in your location. Use another server or enable "
               "billing for your key.");
    case GEM_ERROR_HTTP:
    default:
      return _("The server answered with an unexpected error. Check the server address.");
    }
}

/* What happened, without the advice, for codes that get a retry time instead. */
static const char *
short_message (GemErrorCode code)
{
  switch (code)
    {
    case GEM_ERROR_RATE_LIMITED:
      return _("Too many requests at once.");
    case GEM_ERROR_QUOTA_EXHAUSTED:
      return _("The API quota is used up.");
    case GEM_ERROR_OVERLOADED:
      return _("The model is overloaded right now.");
    case GEM_ERROR_SERVER_ERROR:
      return _("The server had an internal error.");
    default:
      return NULL;
    }
}

static char *
retry_sentence (gint64 retry_after_ms)
{
  guint64 seconds = ((guint64) retry_after_ms + 999) / 1000;

  if (seconds < 120)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Try again in %u second.",
                                         "Try again in %u seconds.", (gulong) seconds),
                            (guint) seconds);
  else if (seconds < 2 * 3600)
    {
      guint minutes = (guint) ((seconds + 59) / 60);

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Try again in %u minute.",
                                           "Try again in %u minutes.", minutes),
                              minutes);
    }
  else
    {
      guint hours = (guint) MIN ((seconds + 3599) / 3600, G_MAXUINT);

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Try again in %u hour.",
                                           "Try again in %u hours.", hours),
                              hours);
    }
}

static char *
compose_message (GemErrorCode  code,
                 gint64        retry_after_ms,
                 guint         http_status,
                 gboolean      show_status,
                 const char   *excerpt)
{
  g_autofree char *base = NULL;
  const char *shorter = short_message (code);

  if (retry_after_ms > 0 && shorter != NULL)
    {
      g_autofree char *retry = retry_sentence (retry_after_ms);

      base = g_strdup_printf ("%s %s", shorter, retry);
    }
  else
    base = g_strdup (gem_error_code_to_user_message (code));

  if (show_status && excerpt != NULL && *excerpt != '\0')
    /* Translators: an error sentence, then the HTTP status and a short excerpt of
     * what the server answered, e.g. "… (HTTP 502: Bad Gateway nginx)" */
    return g_strdup_printf (_("%s (HTTP %u: %s)"), base, http_status, excerpt);
  else if (show_status && http_status != 0)
    /* Translators: an error sentence, then the HTTP status, e.g. "… (HTTP 418)" */
    return g_strdup_printf (_("%s (HTTP %u)"), base, http_status);

  return g_steal_pointer (&base);
}

/* ---- parsing helpers ---- */

gboolean
gem_error_is_retryable_status (guint status)
{
  switch (status)
    {
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return TRUE;
    default:
      return FALSE;
    }
}

/**
 * gem_error_parse_duration_ms:
 * @duration: a protobuf JSON duration such as "17s" or "0.5s"
 *
 * Returns: the duration in milliseconds (rounded up), or -1 if unreadable
 */
gint64
gem_error_parse_duration_ms (const char *duration)
{
  g_autofree char *copy = NULL;
  char *end = NULL;
  double seconds;
  gsize len;

  if (duration == NULL)
    return -1;

  copy = g_strstrip (g_strdup (duration));
  len = strlen (copy);
  if (len > 0 && copy[len - 1] == 's')
    copy[--len] = '\0';
  if (len == 0 || !g_ascii_isdigit (copy[0]))
    return -1;

  seconds = g_ascii_strtod (copy, &end);
  if (end == NULL || *end != '\0' || seconds < 0 || seconds > (double) G_MAXINT32)
    return -1;

  return (gint64) (seconds * 1000.0 + 0.999);
}

/**
 * gem_error_parse_retry_after:
 * @header_value: (nullable): the value of a `Retry-After` header: seconds or an HTTP date
 *
 * Returns: the delay in milliseconds, or -1 if absent or unreadable
 */
gint64
gem_error_parse_retry_after (const char *header_value)
{
  g_autofree char *copy = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) now = NULL;
  const char *p;

  if (header_value == NULL)
    return -1;

  copy = g_strstrip (g_strdup (header_value));
  if (*copy == '\0')
    return -1;

  for (p = copy; *p != '\0' && (g_ascii_isdigit (*p) || *p == '.'); p++)
    ;
  if (*p == '\0')
    return gem_error_parse_duration_ms (copy);

  when = soup_date_time_new_from_http_string (copy);
  if (when == NULL)
    return -1;

  now = g_date_time_new_now_utc ();
  return MAX (0, g_date_time_difference (when, now) / 1000);
}

static void
append_excerpt_space (GString *out)
{
  if (out->len > 0 && out->str[out->len - 1] != ' ')
    g_string_append_c (out, ' ');
}

static const char *
skip_past (const char *p,
           const char *end,
           const char *needle)
{
  gsize nlen = strlen (needle);

  for (; p + nlen <= end; p++)
    if (g_ascii_strncasecmp (p, needle, nlen) == 0)
      return p + nlen;

  return end;
}

static gboolean
decode_entity (const char **pp,
               const char  *end,
               GString     *out)
{
  static const struct { const char *name; const char *text; } entities[] = {
    { "amp;", "&" }, { "lt;", "<" }, { "gt;", ">" }, { "quot;", "\"" },
    { "apos;", "'" }, { "nbsp;", " " },
  };
  const char *p = *pp + 1;

  if (p < end && *p == '#')
    {
      gunichar c = 0;
      gboolean hex = FALSE;
      const char *q = p + 1;
      guint digits = 0;

      if (q < end && (*q == 'x' || *q == 'X'))
        {
          hex = TRUE;
          q++;
        }
      for (; q < end && digits < 8 && (hex ? g_ascii_isxdigit (*q) : g_ascii_isdigit (*q));
           q++, digits++)
        c = c * (hex ? 16 : 10) + (hex ? g_ascii_xdigit_value (*q) : g_ascii_digit_value (*q));
      if (digits == 0 || q >= end || *q != ';' || !g_unichar_validate (c) || c == 0)
        return FALSE;
      g_string_append_unichar (out, c);
      *pp = q + 1;
      return TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
    {
      gsize nlen = strlen (entities[i].name);

      if (p + nlen <= end && g_ascii_strncasecmp (p, entities[i].name, nlen) == 0)
        {
          g_string_append (out, entities[i].text);
          *pp = p + nlen;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * gem_error_make_excerpt:
 * @body: (nullable): a response body, possibly HTML
 * @body_len: its length in bytes
 * @max_chars: the longest excerpt, in characters
 *
 * Makes one line of plain text out of a body: tags, scripts and styles
 * removed, entities decoded, white space collapsed, cut to @max_chars
 * characters with an ellipsis.
 *
 * Returns: (transfer full): the excerpt, possibly empty
 */
char *
gem_error_make_excerpt (const char *body,
                        gsize       body_len,
                        guint       max_chars)
{
  g_autofree char *valid = NULL;
  g_autoptr(GString) out = NULL;
  const char *p;
  const char *end;

  if (body == NULL || body_len == 0)
    return g_strdup ("");

  valid = g_utf8_make_valid (body, body_len);
  p = valid;
  end = valid + strlen (valid);
  out = g_string_sized_new (MIN (body_len, 4 * (gsize) max_chars + 8));

  /* 4 bytes per character at most: enough text to cut max_chars characters from. */
  while (p < end && out->len < 4 * ((gsize) max_chars + 2))
    {
      char c = *p;

      if (c == '<' && p + 1 < end &&
          (g_ascii_isalpha (p[1]) || p[1] == '/' || p[1] == '!' || p[1] == '?'))
        {
          if (g_ascii_strncasecmp (p, "<!--", 4) == 0)
            p = skip_past (p + 4, end, "-->");
          else if (g_ascii_strncasecmp (p, "<script", 7) == 0)
            p = skip_past (p + 7, end, "</script>");
          else if (g_ascii_strncasecmp (p, "<style", 6) == 0)
            p = skip_past (p + 6, end, "</style>");
          else
            p = skip_past (p + 1, end, ">");
          append_excerpt_space (out);
        }
      else if (c == '&' && decode_entity (&p, end, out))
        ;
      else if (g_ascii_isspace (c))
        {
          append_excerpt_space (out);
          p++;
        }
      else if ((guchar) c < 0x20 || c == 0x7f)
        p++;
      else
        g_string_append_c (out, *p++);
    }

  while (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  if (out->len > 0 && out->str[0] == ' ')
    g_string_erase (out, 0, 1);

  if (g_utf8_strlen (out->str, out->len) > (glong) max_chars)
    {
      const char *cut = g_utf8_offset_to_pointer (out->str, max_chars > 0 ? max_chars - 1 : 0);

      g_string_truncate (out, cut - out->str);
      while (out->len > 0 && out->str[out->len - 1] == ' ')
        g_string_truncate (out, out->len - 1);
      g_string_append (out, "…");
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ---- building errors ---- */

static gboolean
is_location_message (const char *message)
{
  return contains_nocase (message, "location") ||
         contains_nocase (message, "country") ||
         contains_nocase (message, "region");
}

static gboolean
quota_is_daily (const char *text)
{
  return contains_nocase (text, "PerDay") || contains_nocase (text, "per_day") ||
         contains_nocase (text, "per day") || contains_nocase (text, "daily");
}

static gboolean
quota_is_per_minute (const char *text)
{
  return contains_nocase (text, "PerMinute") || contains_nocase (text, "per_minute") ||
         contains_nocase (text, "per minute");
}

static GemErrorCode
classify_exhausted (const char *message,
                    const char *quota_ids)
{
  if (quota_ids != NULL && *quota_ids != '\0')
    {
      if (quota_is_daily (quota_ids))
        return GEM_ERROR_QUOTA_EXHAUSTED;
      if (quota_is_per_minute (quota_ids))
        return GEM_ERROR_RATE_LIMITED;
    }

  if (contains_nocase (message, "quota") || quota_is_daily (message) ||
      contains_nocase (message, "billing") || contains_nocase (message, "balance"))
    return GEM_ERROR_QUOTA_EXHAUSTED;

  return GEM_ERROR_RATE_LIMITED;
}

static GemErrorCode
classify (guint       status,
          const char *api_status,
          const char *reason,
          const char *message,
          const char *quota_ids)
{
  if (g_strcmp0 (reason, "API_KEY_INVALID") == 0 ||
      g_strcmp0 (reason, "API_KEY_EXPIRED") == 0 ||
      g_strcmp0 (reason, "invalid_api_key") == 0 ||
      contains_nocase (message, "API key not valid") ||
      contains_nocase (message, "API key expired") ||
      g_strcmp0 (api_status, "UNAUTHENTICATED") == 0 ||
      status == 401)
    return GEM_ERROR_INVALID_KEY;

  if (contains_nocase (message, "unregistered callers"))
    return GEM_ERROR_NO_KEY;

  switch (status)
    {
    case 400:
      if (g_strcmp0 (api_status, "FAILED_PRECONDITION") == 0)
        return is_location_message (message) ? GEM_ERROR_UNSUPPORTED_LOCATION
                                             : GEM_ERROR_PERMISSION_DENIED;
      return GEM_ERROR_BAD_REQUEST;
    case 402:
      return GEM_ERROR_QUOTA_EXHAUSTED;
    case 403:
      return GEM_ERROR_PERMISSION_DENIED;
    case 404:
      return GEM_ERROR_MODEL_NOT_FOUND;
    case 408:
      return GEM_ERROR_TIMEOUT;
    case 429:
      return classify_exhausted (message, quota_ids);
    case 499:
      return GEM_ERROR_CANCELLED;
    case 503:
      return GEM_ERROR_OVERLOADED;
    default:
      break;
    }

  if (status >= 500 && status < 600)
    return GEM_ERROR_SERVER_ERROR;
  if (status >= 400 && status < 500)
    return GEM_ERROR_BAD_REQUEST;

  /* No usable HTTP status (an error inside a stream): go by the API's status. */
  if (g_strcmp0 (api_status, "INVALID_ARGUMENT") == 0 ||
      g_strcmp0 (api_status, "OUT_OF_RANGE") == 0)
    return GEM_ERROR_BAD_REQUEST;
  if (g_strcmp0 (api_status, "FAILED_PRECONDITION") == 0)
    return is_location_message (message) ? GEM_ERROR_UNSUPPORTED_LOCATION
                                         : GEM_ERROR_PERMISSION_DENIED;
  if (g_strcmp0 (api_status, "PERMISSION_DENIED") == 0)
    return GEM_ERROR_PERMISSION_DENIED;
  if (g_strcmp0 (api_status, "NOT_FOUND") == 0)
    return GEM_ERROR_MODEL_NOT_FOUND;
  if (g_strcmp0 (api_status, "RESOURCE_EXHAUSTED") == 0)
    return classify_exhausted (message, quota_ids);
  if (g_strcmp0 (api_status, "CANCELLED") == 0)
    return GEM_ERROR_CANCELLED;
  if (g_strcmp0 (api_status, "DEADLINE_EXCEEDED") == 0)
    return GEM_ERROR_TIMEOUT;
  if (g_strcmp0 (api_status, "UNAVAILABLE") == 0)
    return GEM_ERROR_OVERLOADED;
  if (g_strcmp0 (api_status, "INTERNAL") == 0 ||
      g_strcmp0 (api_status, "UNKNOWN") == 0 ||
      g_strcmp0 (api_status, "DATA_LOSS") == 0)
    return GEM_ERROR_SERVER_ERROR;

  return GEM_ERROR_HTTP;
}

static const char *
detail_type (JsonObject *detail)
{
  const char *type = get_string_member (detail, "@type");
  const char *slash;

  if (type == NULL)
    return "";

  slash = strrchr (type, '/');
  return slash != NULL ? slash + 1 : type;
}

/**
 * gem_error_new_from_json:
 * @status: the HTTP status, or 0 to take the `code` of @error_object
 * @retry_after_header: (nullable): the `Retry-After` header
 * @error_object: the value of the `error` member of an API error body
 *
 * Returns: (transfer full): a %GEM_ERROR whose message is a user sentence and
 *   whose private data holds the API's status, message, reason and retry delay
 */
GError *
gem_error_new_from_json (guint       status,
                         const char *retry_after_header,
                         JsonObject *error_object)
{
  g_autoptr(GString) quota_ids = g_string_new (NULL);
  g_autofree char *message = NULL;
  const char *api_message;
  const char *api_status;
  const char *reason = NULL;
  gint64 retry_after_ms;
  GemErrorPrivate *priv;
  GemErrorCode code;
  JsonNode *node;
  GError *error;

  g_return_val_if_fail (error_object != NULL, NULL);

  api_message = get_string_member (error_object, "message");
  api_status = get_string_member (error_object, "status");
  if (api_status == NULL)
    api_status = get_string_member (error_object, "type");

  node = json_object_get_member (error_object, "code");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);

      if (status == 0 && (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE))
        {
          gint64 code_value = json_node_get_int (node);

          if (code_value > 0 && code_value < 1000)
            status = (guint) code_value;
        }
      else if (type == G_TYPE_STRING)
        reason = json_node_get_string (node);
    }

  retry_after_ms = gem_error_parse_retry_after (retry_after_header);

  node = json_object_get_member (error_object, "details");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *details = json_node_get_array (node);
      guint n = json_array_get_length (details);

      for (guint i = 0; i < n; i++)
        {
          JsonNode *element = json_array_get_element (details, i);
          JsonObject *detail;
          const char *type;

          if (!JSON_NODE_HOLDS_OBJECT (element))
            continue;

          detail = json_node_get_object (element);
          type = detail_type (detail);

          if (g_str_equal (type, "google.rpc.ErrorInfo"))
            {
              const char *detail_reason = get_string_member (detail, "reason");

              if (detail_reason != NULL)
                reason = detail_reason;
            }
          else if (g_str_equal (type, "google.rpc.RetryInfo") && retry_after_ms < 0)
            retry_after_ms = gem_error_parse_duration_ms (get_string_member (detail, "retryDelay"));
          else if (g_str_equal (type, "google.rpc.QuotaFailure") &&
                   json_object_has_member (detail, "violations") &&
                   JSON_NODE_HOLDS_ARRAY (json_object_get_member (detail, "violations")))
            {
              JsonArray *violations = json_object_get_array_member (detail, "violations");

              for (guint j = 0; j < json_array_get_length (violations); j++)
                {
                  JsonNode *v = json_array_get_element (violations, j);

                  const char *quota_id;
                  const char *quota_metric;

                  if (!JSON_NODE_HOLDS_OBJECT (v))
                    continue;
                  quota_id = get_string_member (json_node_get_object (v), "quotaId");
                  quota_metric = get_string_member (json_node_get_object (v), "quotaMetric");
                  g_string_append_printf (quota_ids, "%s %s ", quota_id ? quota_id : "",
                                          quota_metric ? quota_metric : "");
                }
            }
        }
    }

  code = classify (status, api_status, reason, api_message, quota_ids->str);
  message = compose_message (code, retry_after_ms, status, code == GEM_ERROR_HTTP, NULL);

  error = g_error_new_literal (GEM_ERROR, code, message);
  priv = gem_error_get_private (error);
  priv->http_status = status;
  /* shown in a "Details" expander; json-glib 1.6 lets a lone surrogate
   * escape ("\ud800") through as bytes that are not UTF-8 */
  priv->api_status = api_status != NULL ? g_utf8_make_valid (api_status, -1) : NULL;
  priv->api_message = api_message != NULL ? g_utf8_make_valid (api_message, -1) : NULL;
  priv->reason = reason != NULL ? g_utf8_make_valid (reason, -1) : NULL;
  priv->retry_after_ms = retry_after_ms;

  return error;
}

static JsonObject *
find_error_object (JsonNode *root)
{
  JsonObject *object;
  JsonNode *member;

  if (root == NULL)
    return NULL;

  /* Non-SSE streaming answers wrap everything in an array. */
  if (JSON_NODE_HOLDS_ARRAY (root) && json_array_get_length (json_node_get_array (root)) > 0)
    root = json_array_get_element (json_node_get_array (root), 0);

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  object = json_node_get_object (root);
  member = json_object_get_member (object, "error");
  if (member != NULL && JSON_NODE_HOLDS_OBJECT (member))
    return json_node_get_object (member);

  return NULL;
}

/**
 * gem_error_new_from_http:
 * @status: the HTTP status of the failed request
 * @retry_after_header: (nullable): the `Retry-After` header
 * @body: (nullable) (array length=body_len): the response body
 * @body_len: its length
 *
 * Builds the error for a request that failed with an HTTP error status. A
 * JSON body `{"error": {...}}` is read for the API's status, message, reason
 * and retry delay; any other body (HTML, plain text) gives a one-line excerpt
 * shown after the status.
 *
 * Returns: (transfer full): a %GEM_ERROR
 */
GError *
gem_error_new_from_http (guint       status,
                         const char *retry_after_header,
                         const char *body,
                         gsize       body_len)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *excerpt = NULL;
  g_autofree char *message = NULL;
  const char *api_message = NULL;
  GemErrorPrivate *priv;
  GemErrorCode code;
  GError *error;
  gsize i = 0;

  if (body == NULL)
    body_len = 0;

  while (i < body_len && g_ascii_isspace (body[i]))
    i++;

  if (i < body_len && (body[i] == '{' || body[i] == '['))
    {
      parser = json_parser_new ();
      if (gem_json_parser_load (parser, body, body_len, NULL))
        {
          JsonNode *root = json_parser_get_root (parser);
          JsonObject *error_object = find_error_object (root);

          if (error_object != NULL)
            return gem_error_new_from_json (status, retry_after_header, error_object);

          if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
            api_message = get_string_member (json_node_get_object (root), "message");
        }
    }

  excerpt = gem_error_make_excerpt (body, body_len, EXCERPT_MAX_CHARS);
  code = classify (status, NULL, NULL, api_message, NULL);
  message = compose_message (code, gem_error_parse_retry_after (retry_after_header),
                             status, TRUE, excerpt);

  error = g_error_new_literal (GEM_ERROR, code, message);
  priv = gem_error_get_private (error);
  priv->http_status = status;
  priv->api_message = api_message != NULL ? g_utf8_make_valid (api_message, -1) : NULL;
  priv->retry_after_ms = gem_error_parse_retry_after (retry_after_header);
  priv->body_excerpt = g_steal_pointer (&excerpt);

  return error;
}

/**
 * gem_error_new_with_details:
 * @code: a #GemErrorCode
 * @details: (nullable): technical details, kept as the API message
 *
 * Returns: (transfer full): a %GEM_ERROR with the user sentence of @code as message
 */
GError *
gem_error_new_with_details (GemErrorCode  code,
                            const char   *details)
{
  GError *error = g_error_new_literal (GEM_ERROR, code, gem_error_code_to_user_message (code));

  /* Details may quote what failed to parse (json-glib cuts its quotes
   * mid-character); they are shown to the user, so they must be UTF-8. */
  gem_error_get_private (error)->api_message = details != NULL ? g_utf8_make_valid (details, -1)
                                                               : NULL;

  return error;
}

/* ---- accessors ---- */

guint
gem_error_get_http_status (const GError *error)
{
  GemErrorPrivate *priv = get_priv (error);

  return priv != NULL ? priv->http_status : 0;
}

const char *
gem_error_get_api_status (const GError *error)
{
  GemErrorPrivate *priv = get_priv (error);

  return priv != NULL ? priv->api_status : NULL;
}

const char *
gem_error_get_api_message (const GError *error)
{
  GemErrorPrivate *priv = get_priv (error);

  return priv != NULL ? priv->api_message : NULL;
}

const char *
gem_error_get_reason (const GError *error)
{
  GemErrorPrivate *priv = get_priv (error);

  return priv != NULL ? priv->reason : NULL;
}

/**
 * gem_error_get_retry_after_ms:
 * @error: (nullable): an error
 *
 * Returns: how long the server asked to wait, in milliseconds, or -1 if it did not say
 */
gint64
gem_error_get_retry_after_ms (const GError *error)
{
  GemErrorPrivate *priv = get_priv (error);

  return priv != NULL ? priv->retry_after_ms : -1;
}

const char *
gem_error_get_body_excerpt (const GError *error)
{
  GemErrorPrivate *priv = get_priv (error);

  return priv != NULL ? priv->body_excerpt : NULL;
}

void
gem_error_set_http_status (GError *error,
                           guint   status)
{
  GemErrorPrivate *priv = get_priv (error);

  g_return_if_fail (priv != NULL);
  priv->http_status = status;
}

void
gem_error_set_api_status (GError     *error,
                          const char *api_status)
{
  GemErrorPrivate *priv = get_priv (error);

  g_return_if_fail (priv != NULL);
  g_free (priv->api_status);
  priv->api_status = api_status != NULL ? g_utf8_make_valid (api_status, -1) : NULL;
}

void
gem_error_set_api_message (GError     *error,
                           const char *api_message)
{
  GemErrorPrivate *priv = get_priv (error);

  g_return_if_fail (priv != NULL);
  g_free (priv->api_message);
  priv->api_message = api_message != NULL ? g_utf8_make_valid (api_message, -1) : NULL;
}

void
gem_error_set_reason (GError     *error,
                      const char *reason)
{
  GemErrorPrivate *priv = get_priv (error);

  g_return_if_fail (priv != NULL);
  g_free (priv->reason);
  priv->reason = reason != NULL ? g_utf8_make_valid (reason, -1) : NULL;
}

void
gem_error_set_retry_after_ms (GError *error,
                              gint64  retry_after_ms)
{
  GemErrorPrivate *priv = get_priv (error);

  g_return_if_fail (priv != NULL);
  priv->retry_after_ms = retry_after_ms;
}

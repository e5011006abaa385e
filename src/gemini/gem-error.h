/* gem-error.h: the error domain of the protocol library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define GEM_ERROR (gem_error_quark ())

/**
 * GemErrorCode:
 * @GEM_ERROR_NO_KEY: no API key is configured
 * @GEM_ERROR_INVALID_KEY: the server rejected the API key (400 API_KEY_INVALID, 401)
 * @GEM_ERROR_PERMISSION_DENIED: the key may not use the service (403)
 * @GEM_ERROR_MODEL_NOT_FOUND: unknown model (404)
 * @GEM_ERROR_BAD_REQUEST: the request was rejected as invalid (400 and other 4xx)
 * @GEM_ERROR_RATE_LIMITED: too many requests (429)
 * @GEM_ERROR_QUOTA_EXHAUSTED: the quota is used up (429 mentioning quota or a daily limit)
 * @GEM_ERROR_SERVER_ERROR: internal error of the server (500, 502, 504, other 5xx)
 * @GEM_ERROR_OVERLOADED: the model is overloaded (503)
 * @GEM_ERROR_NETWORK: the server could not be reached
 * @GEM_ERROR_TLS: the secure connection failed
 * @GEM_ERROR_TIMEOUT: the server took too long (408, or a local timeout)
 * @GEM_ERROR_CANCELLED: the request was cancelled
 * @GEM_ERROR_BLOCKED_PROMPT: the prompt was blocked (`promptFeedback.blockReason`)
 * @GEM_ERROR_STOPPED_SAFETY: the answer stopped for safety (SAFETY, BLOCKLIST, ...)
 * @GEM_ERROR_STOPPED_RECITATION: the answer stopped for recitation
 * @GEM_ERROR_STOPPED_OTHER: the answer stopped for another non-STOP/MAX_TOKENS reason
 * @GEM_ERROR_MALFORMED_RESPONSE: the body could not be read as a Gemini response
 * @GEM_ERROR_INTERRUPTED: the stream ended before the answer was finished
 * @GEM_ERROR_EVENT_TOO_LARGE: one streamed event exceeded the size limit
 * @GEM_ERROR_EMPTY_RESPONSE: the answer has no content and no reason was given
 * @GEM_ERROR_UNSUPPORTED_LOCATION: the API is not offered where the user is
 *   (400 FAILED_PRECONDITION)
 * @GEM_ERROR_HTTP: any other unexpected HTTP status
 *
 * Every #GError of the %GEM_ERROR domain carries extra data (HTTP status, the
 * API's own status and message, ...) readable with the `gem_error_get_*()`
 * accessors. Its `message` is a sentence for the user (see
 * gem_error_code_to_user_message()); the API's own text is in
 * gem_error_get_api_message(), meant for a "Details" expander.
 */
typedef enum
{
  GEM_ERROR_NO_KEY,
  GEM_ERROR_INVALID_KEY,
  GEM_ERROR_PERMISSION_DENIED,
  GEM_ERROR_MODEL_NOT_FOUND,
  GEM_ERROR_BAD_REQUEST,
  GEM_ERROR_RATE_LIMITED,
  GEM_ERROR_QUOTA_EXHAUSTED,
  GEM_ERROR_SERVER_ERROR,
  GEM_ERROR_OVERLOADED,
  GEM_ERROR_NETWORK,
  GEM_ERROR_TLS,
  GEM_ERROR_TIMEOUT,
  GEM_ERROR_CANCELLED,
  GEM_ERROR_BLOCKED_PROMPT,
  GEM_ERROR_STOPPED_SAFETY,
  GEM_ERROR_STOPPED_RECITATION,
  GEM_ERROR_STOPPED_OTHER,
  GEM_ERROR_MALFORMED_RESPONSE,
  GEM_ERROR_INTERRUPTED,
  GEM_ERROR_EVENT_TOO_LARGE,
  GEM_ERROR_EMPTY_RESPONSE,
  GEM_ERROR_UNSUPPORTED_LOCATION,
  GEM_ERROR_HTTP,
} GemErrorCode;

#define GEM_ERROR_N_CODES (GEM_ERROR_HTTP + 1)

GQuark       gem_error_quark                (void);

const char  *gem_error_code_to_string       (GemErrorCode  code);
const char  *gem_error_code_to_user_message (GemErrorCode  code);
gboolean     gem_error_is_retryable_status  (guint         status);

GError      *gem_error_new_from_http        (guint         status,
                                             const char   *retry_after_header,
                                             const char   *body,
                                             gsize         body_len);
GError      *gem_error_new_from_json        (guint         status,
                                             const char   *retry_after_header,
                                             JsonObject   *error_object);
GError      *gem_error_new_with_details     (GemErrorCode  code,
                                             const char   *details);

guint        gem_error_get_http_status      (const GError *error);
const char  *gem_error_get_api_status       (const GError *error);
const char  *gem_error_get_api_message      (const GError *error);
const char  *gem_error_get_reason           (const GError *error);
gint64       gem_error_get_retry_after_ms   (const GError *error);
const char  *gem_error_get_body_excerpt     (const GError *error);

void         gem_error_set_http_status      (GError       *error,
                                             guint         status);
void         gem_error_set_api_status       (GError       *error,
                                             const char   *api_status);
void         gem_error_set_api_message      (GError       *error,
                                             const char   *api_message);
void         gem_error_set_reason           (GError       *error,
                                             const char   *reason);
void         gem_error_set_retry_after_ms   (GError       *error,
                                             gint64        retry_after_ms);

gint64       gem_error_parse_retry_after    (const char   *header_value);
gint64       gem_error_parse_duration_ms    (const char   *duration);
char        *gem_error_make_excerpt         (const char   *body,
                                             gsize         body_len,
                                             guint         max_chars);

G_END_DECLS

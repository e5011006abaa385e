/* gem-sse-decoder.h: incremental decoder of server-sent events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * GemSseEventKind:
 * @GEM_SSE_EVENT_DATA: the `data:` lines of one event, joined with `\n`
 * @GEM_SSE_EVENT_RAW_JSON: a JSON value that came outside `data:` lines, such
 *   as an `{"error": {...}}` object in the middle of a stream or a whole
 *   non-SSE body
 */
typedef enum
{
  GEM_SSE_EVENT_DATA,
  GEM_SSE_EVENT_RAW_JSON,
} GemSseEventKind;

/**
 * GemSseEventFunc:
 * @kind: what the payload is
 * @payload: the payload, NUL-terminated, valid only during the call
 * @len: its length in bytes, without the terminating NUL
 * @user_data: the data passed to the decoder
 * @error: a place for an error
 *
 * Returns: %FALSE (with @error set) to stop decoding
 */
typedef gboolean (*GemSseEventFunc) (GemSseEventKind   kind,
                                     const char       *payload,
                                     gsize             len,
                                     gpointer          user_data,
                                     GError          **error);

#define GEM_SSE_DECODER_DEFAULT_MAX_EVENT_SIZE ((gsize) 64 * 1024 * 1024)

typedef struct _GemSseDecoder GemSseDecoder;

GemSseDecoder *gem_sse_decoder_new    (gsize            max_event_size);
void           gem_sse_decoder_free   (GemSseDecoder   *self);
void           gem_sse_decoder_reset  (GemSseDecoder   *self);
gboolean       gem_sse_decoder_feed   (GemSseDecoder   *self,
                                       const char      *data,
                                       gsize            len,
                                       GemSseEventFunc  func,
                                       gpointer         user_data,
                                       GError         **error);
gboolean       gem_sse_decoder_finish (GemSseDecoder   *self,
                                       GemSseEventFunc  func,
                                       gpointer         user_data,
                                       GError         **error);
GBytes        *gem_sse_decoder_steal_payload (GemSseDecoder *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GemSseDecoder, gem_sse_decoder_free)

G_END_DECLS

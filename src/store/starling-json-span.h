/* starling-json-span.h: a JSON parser that remembers where every value is
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* json-glib forgets byte offsets; the store needs them to replace one string
 * inside a document without re-serializing (and so changing) the rest. */

typedef enum
{
  STARLING_JSON_SPAN_NULL,
  STARLING_JSON_SPAN_BOOLEAN,
  STARLING_JSON_SPAN_NUMBER,
  STARLING_JSON_SPAN_STRING,
  STARLING_JSON_SPAN_ARRAY,
  STARLING_JSON_SPAN_OBJECT,
} StarlingJsonSpanType;

typedef struct _StarlingJsonSpan StarlingJsonSpan;

/**
 * StarlingJsonSpan:
 * @type: the kind of value
 * @start: offset of its first byte (the opening quote of a string)
 * @end: offset just after its last byte
 * @key: (nullable): the unescaped member name, for a value inside an object
 * @children: (nullable): the elements or members, in document order
 */
struct _StarlingJsonSpan
{
  StarlingJsonSpanType  type;
  gsize                 start;
  gsize                 end;
  char                 *key;
  GPtrArray            *children;
};

StarlingJsonSpan *starling_json_span_parse       (const char        *text,
                                                  gsize              len,
                                                  GError           **error);
void              starling_json_span_free        (StarlingJsonSpan  *span);
StarlingJsonSpan *starling_json_span_get_member  (StarlingJsonSpan  *object,
                                                  const char        *key);
char             *starling_json_span_dup_string  (StarlingJsonSpan  *span,
                                                  const char        *text);
gboolean          starling_json_span_string_has_escapes (StarlingJsonSpan *span,
                                                         const char       *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StarlingJsonSpan, starling_json_span_free)

G_END_DECLS

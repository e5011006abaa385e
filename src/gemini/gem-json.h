/* gem-json.h: reading JSON text that json-glib would read wrongly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

char     *gem_json_repair_escapes (const char  *data,
                                      gsize        len);

gboolean  gem_json_parser_load       (JsonParser  *parser,
                                      const char  *data,
                                      gssize       len,
                                      GError     **error);

JsonNode *gem_json_from_string       (const char  *text,
                                      GError     **error);

G_END_DECLS

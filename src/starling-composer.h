/* starling-composer.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "starling-attachment.h"

G_BEGIN_DECLS

#define STARLING_TYPE_COMPOSER (starling_composer_get_type ())

G_DECLARE_FINAL_TYPE (StarlingComposer, starling_composer, STARLING, COMPOSER, GtkWidget)

GtkWidget  *starling_composer_new              (void);
char       *starling_composer_dup_text         (StarlingComposer   *self);
void        starling_composer_set_text         (StarlingComposer   *self,
                                                const char         *text);
GPtrArray  *starling_composer_dup_attachments  (StarlingComposer   *self);
void        starling_composer_add_attachment   (StarlingComposer   *self,
                                                StarlingAttachment *attachment);
void        starling_composer_set_attachments  (StarlingComposer   *self,
                                                GPtrArray          *attachments);
void        starling_composer_add_file         (StarlingComposer   *self,
                                                GFile              *file);
gboolean    starling_composer_add_dropped      (StarlingComposer   *self,
                                                const GValue       *value);
void        starling_composer_clear            (StarlingComposer   *self);
gboolean    starling_composer_get_busy         (StarlingComposer   *self);
void        starling_composer_set_busy         (StarlingComposer   *self,
                                                gboolean            busy);
gboolean    starling_composer_get_can_send     (StarlingComposer   *self);
void        starling_composer_set_can_send     (StarlingComposer   *self,
                                                gboolean            can_send);
void        starling_composer_show_error       (StarlingComposer   *self,
                                                const char         *message);
void        starling_composer_focus            (StarlingComposer   *self);

G_END_DECLS

/* starling-markdown-parser.h: Markdown (md4c) to display units
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A document becomes a flat list of units: prose units (a paragraph, a heading,
 * a list item's paragraph, a rule) go into text views, code and table units
 * into widgets of their own. Units depend only on their own top-level block,
 * so a document cut at a block boundary parses into the same units. */
typedef enum
{
  STARLING_MD_UNIT_PROSE,
  STARLING_MD_UNIT_CODE,
  STARLING_MD_UNIT_TABLE,
} StarlingMdUnitKind;

typedef enum
{
  STARLING_MD_ALIGN_DEFAULT,
  STARLING_MD_ALIGN_LEFT,
  STARLING_MD_ALIGN_CENTER,
  STARLING_MD_ALIGN_RIGHT,
} StarlingMdAlign;

/* Offsets in characters, relative to the unit's text. */
typedef struct
{
  guint       start;
  guint       end;
  GtkTextTag *tag;
} StarlingMdSpan;

typedef struct
{
  guint  start;
  guint  end;
  char  *uri;
} StarlingMdLink;

typedef struct
{
  char *markup;
  char *text;
} StarlingMdCell;

typedef struct
{
  StarlingMdUnitKind  kind;
  gboolean            block_start;   /* first unit of a top-level block */
  gboolean            continuation;  /* a later piece of a long paragraph */
  int                 indent;        /* pixels, for code and tables inside quotes and lists */

  /* prose: the visible text; code: the code */
  GString            *text;

  /* prose */
  guint               n_chars;
  guint               n_lines;
  GtkTextTag         *gap;           /* space above, dropped at the top of a text view */
  GArray             *spans;         /* StarlingMdSpan */
  GArray             *links;         /* StarlingMdLink, only allowed schemes */

  /* code */
  char               *lang;

  /* table */
  guint               n_cols;
  guint               n_rows;        /* the header row included */
  StarlingMdAlign    *aligns;
  GPtrArray          *cells;         /* StarlingMdCell, n_rows * n_cols */

  guint64             hash;
} StarlingMdUnit;

GPtrArray *starling_md_parse              (const char           *text,
                                           gsize                 len);
void       starling_md_unit_free          (StarlingMdUnit       *unit);
gboolean   starling_md_unit_equal         (const StarlingMdUnit *a,
                                           const StarlingMdUnit *b);
char      *starling_md_to_plain_text      (const char           *text,
                                           gsize                 len);
gboolean   starling_md_uri_is_allowed     (const char           *uri);
gboolean   starling_md_uri_get_citation   (const char           *uri,
                                           guint                *index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StarlingMdUnit, starling_md_unit_free)

G_END_DECLS

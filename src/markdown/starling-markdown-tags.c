/* starling-markdown-tags.c: the text tags every Markdown text view shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "starling-markdown-resources.h"
#include "starling-markdown-tags.h"

/* One table for the whole process: a conversation of a thousand messages would
 * otherwise hold a thousand copies of the same tags. */
#define N_QUOTE_LEVELS (STARLING_MARKDOWN_MAX_QUOTE_DEPTH + 1)
#define N_LIST_LEVELS  (STARLING_MARKDOWN_MAX_LIST_DEPTH + 1)

static GtkTextTagTable      *tag_table;
static StarlingMarkdownTags  tags;
static GtkTextTag           *margins[N_QUOTE_LEVELS][N_LIST_LEVELS][2];

void
starling_markdown_ensure_resources (void)
{
  static gsize registered;

  if (g_once_init_enter (&registered))
    {
      starling_markdown_register_resource ();
      g_once_init_leave (&registered, 1);
    }
}

/* The stylesheet of the Markdown widgets, once per display. */
void
starling_markdown_ensure_style (GdkDisplay *display)
{
  g_autoptr(GtkCssProvider) provider = NULL;

  if (display == NULL || g_object_get_data (G_OBJECT (display), "starling-markdown-style") != NULL)
    return;

  starling_markdown_ensure_resources ();
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider,
                                       "/io/github/starlingchat/Starling/markdown/starling-markdown.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_data_full (G_OBJECT (display), "starling-markdown-style",
                          g_steal_pointer (&provider), g_object_unref);
}

static GtkTextTag *
add_tag (const char *name,
         const char *first_property,
         ...)
{
  GtkTextTag *tag = gtk_text_tag_new (name);
  va_list args;

  va_start (args, first_property);
  g_object_set_valist (G_OBJECT (tag), first_property, args);
  va_end (args);

  gtk_text_tag_table_add (tag_table, tag);
  g_object_unref (tag);

  return tag;
}

/* Colours that must stay readable on light and dark backgrounds. */
static void
update_colors (AdwStyleManager *style_manager)
{
  gboolean dark = style_manager != NULL && adw_style_manager_get_dark (style_manager);
  GdkRGBA link = { 0.110, 0.443, 0.847, 1.0 };        /* Adwaita accent #1c71d8 */
  GdkRGBA link_dark = { 0.471, 0.682, 0.929, 1.0 };   /* #78aeed */
  GdkRGBA quote = { 0.0, 0.0, 0.0, 0.58 };
  GdkRGBA quote_dark = { 1.0, 1.0, 1.0, 0.62 };
  GdkRGBA highlight = { 0.110, 0.443, 0.847, 0.16 };
  GdkRGBA highlight_dark = { 0.471, 0.682, 0.929, 0.24 };
  GdkRGBA on_link = { 1.0, 1.0, 1.0, 1.0 };
  GdkRGBA on_link_dark = { 0.0, 0.0, 0.0, 0.87 };

  g_object_set (tags.link, "foreground-rgba", dark ? &link_dark : &link, NULL);
  g_object_set (tags.quote, "foreground-rgba", dark ? &quote_dark : &quote, NULL);
  g_object_set (tags.highlight, "background-rgba", dark ? &highlight_dark : &highlight, NULL);
  /* the link's colours swapped: clear on any background, highlight included */
  g_object_set (tags.link_focus,
                "background-rgba", dark ? &link_dark : &link,
                "foreground-rgba", dark ? &on_link_dark : &on_link,
                NULL);
}

static void
dark_changed_cb (AdwStyleManager *style_manager,
                 GParamSpec      *pspec,
                 gpointer         user_data)
{
  update_colors (style_manager);
}

static void
ensure_tags (void)
{
  static const double heading_scale[6] = { 1.6, 1.4, 1.2, 1.1, 1.0, 0.95 };
  GdkRGBA code_background = { 0.5, 0.5, 0.5, 0.16 };
  GdkRGBA rule_color = { 0.5, 0.5, 0.5, 0.45 };
  GdkRGBA transparent = { 0.0, 0.0, 0.0, 0.0 };
  AdwStyleManager *style_manager = NULL;

  if (tag_table != NULL)
    return;

  tag_table = gtk_text_tag_table_new ();

  /* Paragraph spacing first: a heading's own gap must win over the default one. */
  tags.gap_item = add_tag ("gap-item", "pixels-above-lines", 3, NULL);
  tags.gap_block = add_tag ("gap-block", "pixels-above-lines", 10, NULL);
  tags.gap_heading = add_tag ("gap-heading", "pixels-above-lines", 16, NULL);

  tags.quote = add_tag ("quote", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (tags.heading); i++)
    {
      g_autofree char *name = g_strdup_printf ("h%u", i + 1);

      tags.heading[i] = add_tag (name,
                                 "weight", PANGO_WEIGHT_BOLD,
                                 "scale", heading_scale[i],
                                 NULL);
    }

  tags.bold = add_tag ("bold", "weight", PANGO_WEIGHT_BOLD, NULL);
  tags.italic = add_tag ("italic", "style", PANGO_STYLE_ITALIC, NULL);
  tags.strikethrough = add_tag ("strikethrough", "strikethrough", TRUE, NULL);
  tags.code = add_tag ("code",
                       "family", "monospace",
                       "scale", 0.94,
                       "background-rgba", &code_background,
                       NULL);
  tags.link = add_tag ("link", "underline", PANGO_UNDERLINE_SINGLE, NULL);
  tags.highlight = add_tag ("highlight", NULL);
  tags.rule_spacer = add_tag ("rule-spacer", "size-points", 2.0, NULL);
  /* Pango wraps a very long word slowly (quadratic) unless told it may cut
   * anywhere. */
  tags.wrap_char = add_tag ("wrap-char", "wrap-mode", GTK_WRAP_CHAR, NULL);
  /* A thin full-width bar: the paragraph background of a tiny, invisible line. */
  tags.rule = add_tag ("rule",
                       "paragraph-background-rgba", &rule_color,
                       "foreground-rgba", &transparent,
                       "size-points", 1.5,
                       NULL);
  /* Last, so that it wins over a link's colour and a highlighted sentence. */
  tags.link_focus = add_tag ("link-focus", "underline", PANGO_UNDERLINE_SINGLE, NULL);

  if (adw_is_initialized ())
    {
      style_manager = adw_style_manager_get_default ();
      g_signal_connect (style_manager, "notify::dark", G_CALLBACK (dark_changed_cb), NULL);
    }
  update_colors (style_manager);
}

GtkTextTagTable *
starling_markdown_tags_get_table (void)
{
  ensure_tags ();

  return tag_table;
}

const StarlingMarkdownTags *
starling_markdown_tags_get (void)
{
  ensure_tags ();

  return &tags;
}

int
starling_markdown_tags_indent (guint quote_depth,
                               guint list_depth)
{
  quote_depth = MIN (quote_depth, STARLING_MARKDOWN_MAX_QUOTE_DEPTH);
  list_depth = MIN (list_depth, STARLING_MARKDOWN_MAX_LIST_DEPTH);

  return quote_depth * STARLING_MARKDOWN_QUOTE_INDENT + list_depth * STARLING_MARKDOWN_LIST_INDENT +
         (list_depth > 0 ? STARLING_MARKDOWN_LIST_OFFSET : 0);
}

/* Left margin for a nesting level; a hanging line starts one list indent to
 * the left, where the bullet or number goes. */
GtkTextTag *
starling_markdown_tags_get_margin (guint    quote_depth,
                                   guint    list_depth,
                                   gboolean hanging)
{
  GtkTextTag **slot;

  ensure_tags ();

  quote_depth = MIN (quote_depth, STARLING_MARKDOWN_MAX_QUOTE_DEPTH);
  list_depth = MIN (list_depth, STARLING_MARKDOWN_MAX_LIST_DEPTH);
  hanging = hanging && list_depth > 0;
  slot = &margins[quote_depth][list_depth][hanging ? 1 : 0];

  if (*slot == NULL)
    {
      g_autofree char *name = g_strdup_printf ("margin-%u-%u%s", quote_depth, list_depth,
                                               hanging ? "-hanging" : "");
      PangoTabArray *tabs = pango_tab_array_new_with_positions (1, TRUE, PANGO_TAB_LEFT,
                                                                STARLING_MARKDOWN_LIST_INDENT);

      /* Pango hangs a negative indent: the first line starts at the margin,
       * the bullet there, its text at the tab stop, wrapped lines under it. */
      int margin = starling_markdown_tags_indent (quote_depth, list_depth);

      *slot = add_tag (name,
                       "left-margin", hanging ? margin - STARLING_MARKDOWN_LIST_INDENT : margin,
                       "indent", hanging ? -STARLING_MARKDOWN_LIST_INDENT : 0,
                       "tabs", tabs,
                       NULL);
      pango_tab_array_free (tabs);
    }

  return *slot;
}

/* starling-citation-popover.c: what a citation marker [N] points at
 *
 * Clicking a marker in an answer opens this: the source's number, title and
 * domain, the sentences of the answer it supports with how confident the
 * model was, and a button that opens it in the browser (web links only).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "starling-citation-popover.h"
#include "starling-markdown-parser.h"

/* Sentences shown under a source at most: the Sources list has the rest. */
#define MAX_SUPPORTS 3

struct _StarlingCitationPopover
{
  GtkPopover  parent_instance;

  GtkLabel   *number_label;
  GtkLabel   *title_label;
  GtkLabel   *domain_label;
  GtkBox     *supports_box;
  GtkButton  *open_button;

  char       *uri;
};

G_DEFINE_FINAL_TYPE (StarlingCitationPopover, starling_citation_popover, GTK_TYPE_POPOVER)

static gboolean
is_web_uri (const char *uri)
{
  return uri != NULL && (g_str_has_prefix (uri, "https://") || g_str_has_prefix (uri, "http://"));
}

static char *
host_of (const char *uri)
{
  g_autoptr(GUri) parsed = uri != NULL ? g_uri_parse (uri, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *host = parsed != NULL ? g_uri_get_host (parsed) : NULL;

  return g_strdup (host != NULL ? host : "");
}

static void
add_support (StarlingCitationPopover   *self,
             const GemGroundingSupport *support,
             guint                      position)
{
  g_autofree char *sentence = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *line = NULL;
  GtkWidget *label;

  if (support->text == NULL || *support->text == '\0')
    return;

  /* The segment is Markdown source (“\\$166”, “**bold**”): quote what the answer shows. */
  sentence = starling_md_to_plain_text (support->text, strlen (support->text));
  if (*sentence == '\0')
    return;

  /* Translators: a sentence of the answer that a source supports, in quotes */
  quoted = g_strdup_printf (_("“%s”"), sentence);
  if (position < support->n_confidence_scores)
    /* Translators: %s is a quoted sentence, %d the model's confidence in percent */
    line = g_strdup_printf (_("%s — %d%% confident"), quoted,
                            (int) (support->confidence_scores[position] * 100.0 + 0.5));
  else
    line = g_steal_pointer (&quoted);

  label = gtk_label_new (line);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (self->supports_box, label);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  StarlingCitationPopover *self = STARLING_CITATION_POPOVER (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  /* Only web links leave the app, through the desktop's handler. */
  if (is_web_uri (self->uri))
    gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->uri, GDK_CURRENT_TIME);
  gtk_popover_popdown (GTK_POPOVER (self));
}

static void
starling_citation_popover_finalize (GObject *object)
{
  StarlingCitationPopover *self = STARLING_CITATION_POPOVER (object);

  g_free (self->uri);

  G_OBJECT_CLASS (starling_citation_popover_parent_class)->finalize (object);
}

static void
starling_citation_popover_class_init (StarlingCitationPopoverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = starling_citation_popover_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/starlingchat/Starling/ui/"
                                                             "starling-citation-popover.ui");
  gtk_widget_class_bind_template_child (widget_class, StarlingCitationPopover, number_label);
  gtk_widget_class_bind_template_child (widget_class, StarlingCitationPopover, title_label);
  gtk_widget_class_bind_template_child (widget_class, StarlingCitationPopover, domain_label);
  gtk_widget_class_bind_template_child (widget_class, StarlingCitationPopover, supports_box);
  gtk_widget_class_bind_template_child (widget_class, StarlingCitationPopover, open_button);

  gtk_widget_class_install_action (widget_class, "citation.open", NULL, open_action);
}

static void
starling_citation_popover_init (StarlingCitationPopover *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * starling_citation_popover_new:
 * @response: the answer
 * @chunk_index: the source, an index into its grounding chunks
 *
 * Returns: (transfer floating): the popover, to be given a parent
 */
GtkWidget *
starling_citation_popover_new (GemResponse *response,
                               guint        chunk_index)
{
  StarlingCitationPopover *self = g_object_new (STARLING_TYPE_CITATION_POPOVER, NULL);
  g_autoptr(GPtrArray) chunks = gem_response_get_grounding_chunks (response);
  g_autoptr(GPtrArray) supports = gem_response_get_grounding_supports (response);
  g_autofree char *number = NULL;
  g_autofree char *domain = NULL;
  GemGroundingChunk *chunk;
  guint n_shown = 0;

  /* Translators: heading of a citation's details; %u is the number of the marker, [1] */
  number = g_strdup_printf (_("Source %u"), chunk_index + 1);
  gtk_label_set_label (self->number_label, number);

  if (chunk_index >= chunks->len)
    {
      gtk_label_set_label (self->title_label, _("This source is not in the answer"));
      gtk_widget_set_visible (GTK_WIDGET (self->domain_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->open_button), FALSE);
      return GTK_WIDGET (self);
    }

  chunk = g_ptr_array_index (chunks, chunk_index);
  domain = host_of (chunk->uri);
  self->uri = g_strdup (chunk->uri);
  gtk_label_set_label (self->title_label,
                       chunk->title != NULL && *chunk->title != '\0' ? chunk->title
                       : *domain != '\0' ? domain : _("Unnamed source"));
  /* Search results point at a Google redirect: its host says nothing about the source. */
  gtk_label_set_label (self->domain_label, strstr (domain, "vertexaisearch") != NULL ? "" : domain);
  gtk_widget_set_visible (GTK_WIDGET (self->domain_label), *gtk_label_get_label (self->domain_label) != '\0');
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "citation.open", is_web_uri (chunk->uri));
  gtk_widget_set_visible (GTK_WIDGET (self->open_button), is_web_uri (chunk->uri));

  for (guint i = 0; i < supports->len && n_shown < MAX_SUPPORTS; i++)
    {
      const GemGroundingSupport *support = g_ptr_array_index (supports, i);

      for (guint j = 0; j < support->n_chunk_indices; j++)
        {
          if (support->chunk_indices[j] == chunk_index)
            {
              add_support (self, support, j);
              n_shown++;
              break;
            }
        }
    }

  return GTK_WIDGET (self);
}

/**
 * starling_citation_popover_get_uri:
 * @self: a #StarlingCitationPopover
 *
 * Returns: (nullable): the address of the source shown
 */
const char *
starling_citation_popover_get_uri (StarlingCitationPopover *self)
{
  g_return_val_if_fail (STARLING_IS_CITATION_POPOVER (self), NULL);

  return self->uri;
}

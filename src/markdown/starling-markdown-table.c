/* starling-markdown-table.c: a Markdown table, a grid of labels in a horizontal scroller
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "starling-markdown-table.h"

struct _StarlingMarkdownTable
{
  GtkWidget        parent_instance;

  GtkWidget       *scroller;
  GtkGrid         *grid;
  GPtrArray       *cells;    /* GtkLabel, row-major */
  guint            n_rows;
  guint            n_cols;
  StarlingMdAlign *aligns;
  /* Cells selected, row-major, from the first to before the end. */
  guint            select_first;
  guint            select_end;
};

G_DEFINE_FINAL_TYPE (StarlingMarkdownTable, starling_markdown_table, GTK_TYPE_WIDGET)

enum {
  ACTIVATE_LINK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The widest a cell gets before its text wraps, in characters. */
#define MAX_CELL_CHARS 40

/* Links in cells go where links in text go: through the view. */
static gboolean
label_activate_link_cb (StarlingMarkdownTable *self,
                        const char            *uri)
{
  gboolean handled = FALSE;

  g_signal_emit (self, signals[ACTIVATE_LINK], 0, uri, &handled);

  return handled;
}

static GtkLabel *
create_cell (StarlingMarkdownTable *self,
             guint                  row,
             guint                  col)
{
  GtkLabel *label = GTK_LABEL (gtk_label_new (NULL));
  float xalign = 0.0;
  GtkJustification justify = GTK_JUSTIFY_LEFT;

  switch (self->aligns[col])
    {
    case STARLING_MD_ALIGN_CENTER:
      xalign = 0.5;
      justify = GTK_JUSTIFY_CENTER;
      break;
    case STARLING_MD_ALIGN_RIGHT:
      xalign = 1.0;
      justify = GTK_JUSTIFY_RIGHT;
      break;
    default:
      break;
    }

  gtk_label_set_wrap_mode (label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (label, MAX_CELL_CHARS);
  gtk_label_set_xalign (label, xalign);
  gtk_label_set_justify (label, justify);
  gtk_widget_set_valign (GTK_WIDGET (label), GTK_ALIGN_START);
  if (row == 0)
    gtk_widget_add_css_class (GTK_WIDGET (label), "header");
  g_signal_connect_object (label, "activate-link", G_CALLBACK (label_activate_link_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_grid_attach (self->grid, GTK_WIDGET (label), col, row, 1, 1);

  return label;
}

static void
set_cell (StarlingMarkdownTable *self,
          const StarlingMdUnit  *unit,
          guint                  row,
          guint                  col)
{
  const StarlingMdCell *cell = g_ptr_array_index (unit->cells, row * unit->n_cols + col);
  guint index = row * self->n_cols + col;
  GtkLabel *label;

  if (index < self->cells->len)
    {
      label = g_ptr_array_index (self->cells, index);
    }
  else
    {
      label = create_cell (self, row, col);
      g_ptr_array_add (self->cells, label);
    }

  /* A label that wraps is measured again for every width GtkGrid tries;
   * a cell too short to reach the 40 characters it may take never wraps. */
  gtk_label_set_wrap (label, g_utf8_strlen (cell->text, -1) > MAX_CELL_CHARS);

  /* The markup was built from escaped text; the header row is bold. */
  if (row == 0)
    {
      g_autofree char *markup = g_strconcat ("<b>", cell->markup, "</b>", NULL);

      gtk_label_set_markup (label, markup);
    }
  else
    {
      gtk_label_set_markup (label, cell->markup);
    }
}

static void
show_selection (StarlingMarkdownTable *self)
{
  self->select_end = MIN (self->select_end, self->cells->len);
  self->select_first = MIN (self->select_first, self->select_end);

  for (guint i = 0; i < self->cells->len; i++)
    {
      GtkWidget *label = g_ptr_array_index (self->cells, i);

      if (i >= self->select_first && i < self->select_end)
        gtk_widget_add_css_class (label, "selected");
      else
        gtk_widget_remove_css_class (label, "selected");
    }
}

/* The stock scrolled window asks its child for its height at no particular
 * width, which for wrapping labels is the height at their narrowest: ask the
 * grid for its height at the width it will get instead. */
static void
starling_markdown_table_measure (GtkWidget      *widget,
                                 GtkOrientation  orientation,
                                 int             for_size,
                                 int            *minimum,
                                 int            *natural,
                                 int            *minimum_baseline,
                                 int            *natural_baseline)
{
  StarlingMarkdownTable *self = STARLING_MARKDOWN_TABLE (widget);
  int grid_min, grid_nat, width;

  gtk_widget_measure (self->scroller, orientation, for_size, minimum, natural, NULL, NULL);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    return;

  gtk_widget_measure (GTK_WIDGET (self->grid), GTK_ORIENTATION_HORIZONTAL, -1,
                      &grid_min, &grid_nat, NULL, NULL);
  width = for_size < 0 ? grid_nat : MAX (for_size, grid_min);
  gtk_widget_measure (GTK_WIDGET (self->grid), GTK_ORIENTATION_VERTICAL, width,
                      minimum, natural, NULL, NULL);
  *natural = *minimum;
}

static void
starling_markdown_table_size_allocate (GtkWidget *widget,
                                       int        width,
                                       int        height,
                                       int        baseline)
{
  StarlingMarkdownTable *self = STARLING_MARKDOWN_TABLE (widget);

  gtk_widget_allocate (self->scroller, width, height, baseline, NULL);
}

static void
starling_markdown_table_dispose (GObject *object)
{
  StarlingMarkdownTable *self = STARLING_MARKDOWN_TABLE (object);

  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  self->grid = NULL;
  g_clear_pointer (&self->cells, g_ptr_array_unref);

  G_OBJECT_CLASS (starling_markdown_table_parent_class)->dispose (object);
}

static void
starling_markdown_table_finalize (GObject *object)
{
  StarlingMarkdownTable *self = STARLING_MARKDOWN_TABLE (object);

  g_free (self->aligns);

  G_OBJECT_CLASS (starling_markdown_table_parent_class)->finalize (object);
}

static void
starling_markdown_table_class_init (StarlingMarkdownTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = starling_markdown_table_dispose;
  object_class->finalize = starling_markdown_table_finalize;
  widget_class->measure = starling_markdown_table_measure;
  widget_class->size_allocate = starling_markdown_table_size_allocate;

  gtk_widget_class_set_css_name (widget_class, "mdtable");

  /**
   * StarlingMarkdownTable::activate-link:
   * @self: a #StarlingMarkdownTable
   * @uri: the target of the link clicked in a cell
   *
   * Returns: %TRUE if the link was handled (else the label opens it)
   */
  signals[ACTIVATE_LINK] =
    g_signal_new ("activate-link",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  g_signal_accumulator_true_handled, NULL,
                  NULL,
                  G_TYPE_BOOLEAN, 1, G_TYPE_STRING);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
starling_markdown_table_init (StarlingMarkdownTable *self)
{
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller),
                                  GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));

  self->grid = GTK_GRID (gtk_grid_new ());
  gtk_grid_set_column_spacing (self->grid, 18);
  gtk_grid_set_row_spacing (self->grid, 6);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), GTK_WIDGET (self->grid));

  self->cells = g_ptr_array_new ();

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Table"),
                                  -1);
}

GtkWidget *
starling_markdown_table_new (const StarlingMdUnit *unit)
{
  StarlingMarkdownTable *self;

  g_return_val_if_fail (unit != NULL && unit->kind == STARLING_MD_UNIT_TABLE, NULL);

  self = g_object_new (STARLING_TYPE_MARKDOWN_TABLE, NULL);
  self->n_cols = unit->n_cols;
  self->aligns = g_memdup2 (unit->aligns, unit->n_cols * sizeof (StarlingMdAlign));
  starling_markdown_table_update (self, NULL, unit);

  return GTK_WIDGET (self);
}

/* Streaming: only cells that changed are set again, new rows are added. */
void
starling_markdown_table_update (StarlingMarkdownTable *self,
                                const StarlingMdUnit  *old_unit,
                                const StarlingMdUnit  *unit)
{
  g_return_if_fail (STARLING_IS_MARKDOWN_TABLE (self));
  g_return_if_fail (unit->n_cols == self->n_cols);

  for (guint row = 0; row < unit->n_rows; row++)
    {
      for (guint col = 0; col < unit->n_cols; col++)
        {
          guint index = row * unit->n_cols + col;

          if (old_unit != NULL && row < old_unit->n_rows &&
              strcmp (((StarlingMdCell *) g_ptr_array_index (old_unit->cells, index))->markup,
                      ((StarlingMdCell *) g_ptr_array_index (unit->cells, index))->markup) == 0)
            continue;
          set_cell (self, unit, row, col);
        }
    }

  while (self->n_rows > unit->n_rows)
    {
      self->n_rows--;
      gtk_grid_remove_row (self->grid, self->n_rows);
      g_ptr_array_set_size (self->cells, self->n_rows * self->n_cols);
    }
  self->n_rows = unit->n_rows;

  if (self->select_end > self->select_first)
    show_selection (self);
}

guint
starling_markdown_table_get_n_rows (StarlingMarkdownTable *self)
{
  g_return_val_if_fail (STARLING_IS_MARKDOWN_TABLE (self), 0);

  return self->n_rows;
}

guint
starling_markdown_table_get_n_cols (StarlingMarkdownTable *self)
{
  g_return_val_if_fail (STARLING_IS_MARKDOWN_TABLE (self), 0);

  return self->n_cols;
}

GtkLabel *
starling_markdown_table_get_cell (StarlingMarkdownTable *self,
                                  guint                  row,
                                  guint                  col)
{
  g_return_val_if_fail (STARLING_IS_MARKDOWN_TABLE (self), NULL);
  g_return_val_if_fail (row < self->n_rows && col < self->n_cols, NULL);

  return g_ptr_array_index (self->cells, row * self->n_cols + col);
}

/* A row per line, cells separated by tabs. */
char *
starling_markdown_table_dup_text (StarlingMarkdownTable *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (STARLING_IS_MARKDOWN_TABLE (self), NULL);

  for (guint row = 0; row < self->n_rows; row++)
    {
      if (row > 0)
        g_string_append_c (text, '\n');
      for (guint col = 0; col < self->n_cols; col++)
        {
          if (col > 0)
            g_string_append_c (text, '\t');
          g_string_append (text, gtk_label_get_text (starling_markdown_table_get_cell (self, row, col)));
        }
    }

  return g_string_free (text, FALSE);
}

/**
 * starling_markdown_table_get_cell_at:
 * @self: a #StarlingMarkdownTable
 * @x: a point in @self's coordinates
 * @y: a point in @self's coordinates
 *
 * Returns: the row-major index of the cell at or before the point: the cell
 *   whose row and column start last before it
 */
guint
starling_markdown_table_get_cell_at (StarlingMarkdownTable *self,
                                     double                 x,
                                     double                 y)
{
  guint row = 0, col = 0;

  g_return_val_if_fail (STARLING_IS_MARKDOWN_TABLE (self), 0);

  if (self->n_rows == 0 || self->n_cols == 0)
    return 0;

  for (guint r = 1; r < self->n_rows; r++)
    {
      graphene_rect_t bounds;

      GtkWidget *cell = g_ptr_array_index (self->cells, r * self->n_cols);

      if (!gtk_widget_compute_bounds (cell, GTK_WIDGET (self), &bounds) || bounds.origin.y > y)
        break;
      row = r;
    }

  for (guint c = 1; c < self->n_cols; c++)
    {
      graphene_rect_t bounds;

      GtkWidget *cell = g_ptr_array_index (self->cells, c);

      if (!gtk_widget_compute_bounds (cell, GTK_WIDGET (self), &bounds) || bounds.origin.x > x)
        break;
      col = c;
    }

  return row * self->n_cols + col;
}

/**
 * starling_markdown_table_select_cells:
 * @self: a #StarlingMarkdownTable
 * @first: the first cell selected, row-major
 * @end: the cell after the last one selected; @first to select none
 *
 * Shows cells as selected, as part of a selection across an answer.
 */
void
starling_markdown_table_select_cells (StarlingMarkdownTable *self,
                                      guint                  first,
                                      guint                  end)
{
  g_return_if_fail (STARLING_IS_MARKDOWN_TABLE (self));

  if (end <= first)
    first = end = 0;
  if (first == self->select_first && end == self->select_end)
    return;

  self->select_first = first;
  self->select_end = end;
  show_selection (self);
}

/**
 * starling_markdown_table_get_selected_cells:
 * @self: a #StarlingMarkdownTable
 * @first: (out) (optional): the first cell selected
 * @end: (out) (optional): the cell after the last one selected
 *
 * Returns: whether any cell is selected
 */
gboolean
starling_markdown_table_get_selected_cells (StarlingMarkdownTable *self,
                                            guint                 *first,
                                            guint                 *end)
{
  g_return_val_if_fail (STARLING_IS_MARKDOWN_TABLE (self), FALSE);

  if (first != NULL)
    *first = self->select_first;
  if (end != NULL)
    *end = self->select_end;

  return self->select_end > self->select_first;
}

/**
 * starling_markdown_table_dup_cells_text:
 * @self: a #StarlingMarkdownTable
 * @first: the first cell, row-major
 * @end: the cell after the last one
 *
 * Returns: (transfer full): the text of the cells, a row per line, cells
 *   separated by tabs
 */
char *
starling_markdown_table_dup_cells_text (StarlingMarkdownTable *self,
                                        guint                  first,
                                        guint                  end)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (STARLING_IS_MARKDOWN_TABLE (self), NULL);

  end = MIN (end, self->cells->len);
  for (guint i = first; i < end; i++)
    {
      if (i > first)
        g_string_append_c (text, i % self->n_cols == 0 ? '\n' : '\t');
      g_string_append (text, gtk_label_get_text (g_ptr_array_index (self->cells, i)));
    }

  return g_string_free (text, FALSE);
}

/* starling-range-model.c: a stretch of a list model, moved without rebuilding what stays
 *
 * The conversation view shows a window of the newest messages. GtkSliceListModel
 * reports every change of its offset as "all items changed", and a list box
 * then builds every row again: opening a page of older messages, or a new
 * turn moving the window along, re-rendered all the Markdown on screen. This
 * model reports only the rows that come and go at either end.
 *
 * While the range reaches the end of the model, items added there join it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "starling-range-model.h"

struct _StarlingRangeModel
{
  GObject     parent_instance;

  GListModel *model;
  guint       start;
  guint       end;   /* exclusive; never past the model's end */
};

static void starling_range_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (StarlingRangeModel, starling_range_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, starling_range_model_list_model_init))

static GType
starling_range_model_get_item_type (GListModel *list)
{
  StarlingRangeModel *self = STARLING_RANGE_MODEL (list);

  return g_list_model_get_item_type (self->model);
}

static guint
starling_range_model_get_n_items (GListModel *list)
{
  StarlingRangeModel *self = STARLING_RANGE_MODEL (list);

  return self->end - self->start;
}

static gpointer
starling_range_model_get_item (GListModel *list,
                               guint       position)
{
  StarlingRangeModel *self = STARLING_RANGE_MODEL (list);

  if (position >= self->end - self->start)
    return NULL;

  return g_list_model_get_item (self->model, self->start + position);
}

static void
starling_range_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = starling_range_model_get_item_type;
  iface->get_n_items = starling_range_model_get_n_items;
  iface->get_item = starling_range_model_get_item;
}

static void
model_items_changed_cb (StarlingRangeModel *self,
                        guint               position,
                        guint               removed,
                        guint               added,
                        GListModel         *model)
{
  guint n_new = g_list_model_get_n_items (model);
  guint n_old = n_new - added + removed;
  gboolean at_end = self->end == n_old;
  guint old_start = self->start;
  guint old_end = self->end;
  guint new_start, new_end;

  /* After the range: it grows only if it reached the end. */
  if (position >= old_end)
    {
      if (at_end && added > 0)
        {
          self->end = n_new;
          g_list_model_items_changed (G_LIST_MODEL (self), old_end - old_start, 0, n_new - old_end);
        }
      return;
    }

  /* Before the range: the same items, at other positions. */
  if (position + removed <= old_start)
    {
      self->start = old_start + added - removed;
      self->end = old_end + added - removed;
      return;
    }

  /* Across it: what came before the change and what follows it stay. */
  new_start = MIN (old_start, position);
  if (at_end)
    new_end = n_new;
  else if (position + removed < old_end)
    new_end = old_end + added - removed;
  else
    new_end = position + added;

  self->start = new_start;
  self->end = new_end;
  g_list_model_items_changed (G_LIST_MODEL (self),
                              position > old_start ? position - old_start : 0,
                              MIN (position + removed, old_end) - MAX (position, old_start),
                              MIN (position + added, new_end) - MAX (position, new_start));
}

static void
starling_range_model_dispose (GObject *object)
{
  StarlingRangeModel *self = STARLING_RANGE_MODEL (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, model_items_changed_cb, self);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (starling_range_model_parent_class)->dispose (object);
}

static void
starling_range_model_class_init (StarlingRangeModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = starling_range_model_dispose;
}

static void
starling_range_model_init (StarlingRangeModel *self)
{
}

/**
 * starling_range_model_new:
 * @model: the model to show a stretch of
 * @start: the first position shown
 * @end: the position after the last one shown (clamped to the model)
 *
 * Returns: (transfer full): a new range model
 */
StarlingRangeModel *
starling_range_model_new (GListModel *model,
                          guint       start,
                          guint       end)
{
  StarlingRangeModel *self;
  guint n;

  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);

  self = g_object_new (STARLING_TYPE_RANGE_MODEL, NULL);
  self->model = g_object_ref (model);
  n = g_list_model_get_n_items (model);
  self->end = MIN (end, n);
  self->start = MIN (start, self->end);
  g_signal_connect_object (model, "items-changed", G_CALLBACK (model_items_changed_cb), self, G_CONNECT_SWAPPED);

  return self;
}

/**
 * starling_range_model_set_range:
 * @self: a #StarlingRangeModel
 * @start: the first position to show
 * @end: the position after the last one (clamped to the model)
 *
 * Moves the range; items that stay in it are not reported as changed.
 */
void
starling_range_model_set_range (StarlingRangeModel *self,
                                guint               start,
                                guint               end)
{
  guint n, old_start, old_end;

  g_return_if_fail (STARLING_IS_RANGE_MODEL (self));

  n = g_list_model_get_n_items (self->model);
  end = MIN (end, n);
  start = MIN (start, end);
  old_start = self->start;
  old_end = self->end;

  if (start == old_start && end == old_end)
    return;

  /* No item in common: everything changes. */
  if (start >= old_end || end <= old_start || start == end || old_start == old_end)
    {
      self->start = start;
      self->end = end;
      g_list_model_items_changed (G_LIST_MODEL (self), 0, old_end - old_start, end - start);
      return;
    }

  /* The bottom end first, then the top, each as it is. */
  self->end = end;
  if (end > old_end)
    g_list_model_items_changed (G_LIST_MODEL (self), old_end - old_start, 0, end - old_end);
  else if (end < old_end)
    g_list_model_items_changed (G_LIST_MODEL (self), end - old_start, old_end - end, 0);

  self->start = start;
  if (start < old_start)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, old_start - start);
  else if (start > old_start)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, start - old_start, 0);
}

guint
starling_range_model_get_start (StarlingRangeModel *self)
{
  g_return_val_if_fail (STARLING_IS_RANGE_MODEL (self), 0);

  return self->start;
}

guint
starling_range_model_get_end (StarlingRangeModel *self)
{
  g_return_val_if_fail (STARLING_IS_RANGE_MODEL (self), 0);

  return self->end;
}

/* test-range-model.c: the conversation's window reports only the rows that change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "starling-range-model.h"

/* A list that applies each change the range model reports, as a list box
 * does with its rows; it must always equal the range. */
typedef struct
{
  GPtrArray *mirror;   /* GObject, the items the "rows" were built for */
  guint      n_built;  /* rows built since the last reset */
} Rows;

static void
items_changed_cb (GListModel *range,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Rows       *rows)
{
  g_assert_cmpuint (position + removed, <=, rows->mirror->len);
  g_ptr_array_remove_range (rows->mirror, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (rows->mirror, position + i, g_list_model_get_item (range, position + i));
  rows->n_built += added;
}

static GObject *
item_new (guint tag)
{
  GObject *item = g_object_new (G_TYPE_OBJECT, NULL);

  g_object_set_data (item, "tag", GUINT_TO_POINTER (tag));
  return item;
}

static void
check_rows (StarlingRangeModel *range,
            GListStore         *store,
            Rows               *rows)
{
  guint start = starling_range_model_get_start (range);
  guint end = starling_range_model_get_end (range);

  g_assert_cmpuint (end, <=, g_list_model_get_n_items (G_LIST_MODEL (store)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (range)), ==, end - start);
  g_assert_cmpuint (rows->mirror->len, ==, end - start);
  for (guint i = start; i < end; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (store), i);

      g_assert_true (g_ptr_array_index (rows->mirror, i - start) == item);
    }
}

static void
fill (GListStore *store,
      guint       n,
      guint       first_tag)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = item_new (first_tag + i);

      g_list_store_append (store, item);
    }
}

/* What the chat view does: open at the end, fill upwards, grow with new
 * turns, trim back, page older messages in. Each step builds only the rows
 * that come. */
static void
test_window_moves (void)
{
  g_autoptr(GListStore) store = g_list_store_new (G_TYPE_OBJECT);
  g_autoptr(StarlingRangeModel) range = NULL;
  Rows rows = { g_ptr_array_new_with_free_func (g_object_unref), 0 };

  fill (store, 1000, 0);
  range = starling_range_model_new (G_LIST_MODEL (store), 994, 1000);
  rows.n_built = 0;
  for (guint i = 0; i < 6; i++)
    g_ptr_array_add (rows.mirror, g_list_model_get_item (G_LIST_MODEL (range), i));
  g_signal_connect (range, "items-changed", G_CALLBACK (items_changed_cb), &rows);
  check_rows (range, store, &rows);

  /* Four rows above, then more: only those are built. */
  starling_range_model_set_range (range, 990, 1000);
  g_assert_cmpuint (rows.n_built, ==, 4);
  starling_range_model_set_range (range, 976, 1000);
  g_assert_cmpuint (rows.n_built, ==, 18);
  check_rows (range, store, &rows);

  /* A new turn at the end joins the window (it reaches the end). */
  fill (store, 2, 1000);
  g_assert_cmpuint (rows.n_built, ==, 20);
  g_assert_cmpuint (starling_range_model_get_end (range), ==, 1002);
  check_rows (range, store, &rows);

  /* Trimmed back to 24 rows at the top: nothing is built. */
  starling_range_model_set_range (range, 1002 - 24, 1002);
  g_assert_cmpuint (rows.n_built, ==, 20);
  check_rows (range, store, &rows);

  /* A page of older messages: 24 rows built, none again. */
  starling_range_model_set_range (range, 1002 - 48, 1002);
  g_assert_cmpuint (rows.n_built, ==, 44);
  check_rows (range, store, &rows);

  /* The last answer regenerated (removed and added again): one row. */
  {
    g_autoptr(GObject) item = item_new (5000);

    g_list_store_splice (store, 1001, 1, (gpointer *) &item, 1);
  }
  g_assert_cmpuint (rows.n_built, ==, 45);
  check_rows (range, store, &rows);

  /* An edit far above the window: the window's rows stay, at new positions. */
  g_list_store_remove (store, 10);
  g_assert_cmpuint (rows.n_built, ==, 45);
  check_rows (range, store, &rows);

  /* An edit inside it: the later turns replaced (a branch). */
  {
    g_autoptr(GObject) a = item_new (6000);
    g_autoptr(GObject) b = item_new (6001);
    gpointer items[] = { a, b };
    guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

    g_list_store_splice (store, n - 6, 6, items, 2);
  }
  g_assert_cmpuint (rows.n_built, ==, 47);
  check_rows (range, store, &rows);

  g_ptr_array_unref (rows.mirror);
}

/* A range that does not reach the end stays put when turns are added. */
static void
test_not_at_end (void)
{
  g_autoptr(GListStore) store = g_list_store_new (G_TYPE_OBJECT);
  g_autoptr(StarlingRangeModel) range = NULL;
  Rows rows = { g_ptr_array_new_with_free_func (g_object_unref), 0 };

  fill (store, 50, 0);
  range = starling_range_model_new (G_LIST_MODEL (store), 10, 20);
  for (guint i = 0; i < 10; i++)
    g_ptr_array_add (rows.mirror, g_list_model_get_item (G_LIST_MODEL (range), i));
  g_signal_connect (range, "items-changed", G_CALLBACK (items_changed_cb), &rows);

  fill (store, 5, 100);
  g_assert_cmpuint (rows.n_built, ==, 0);
  check_rows (range, store, &rows);
  g_assert_cmpuint (starling_range_model_get_end (range), ==, 20);

  /* A range past the end is clamped; one with nothing in common is rebuilt. */
  starling_range_model_set_range (range, 40, 500);
  check_rows (range, store, &rows);
  g_assert_cmpuint (starling_range_model_get_end (range), ==, 55);
  g_ptr_array_unref (rows.mirror);
}

/* Random edits and moves: the rows always equal the range. */
static void
test_random (void)
{
  g_autoptr(GListStore) store = g_list_store_new (G_TYPE_OBJECT);
  g_autoptr(StarlingRangeModel) range = NULL;
  Rows rows = { g_ptr_array_new_with_free_func (g_object_unref), 0 };
  GRand *rand = g_rand_new_with_seed (42);
  guint tag = 0;

  fill (store, 30, tag);
  tag += 30;
  range = starling_range_model_new (G_LIST_MODEL (store), 20, 30);
  for (guint i = 0; i < 10; i++)
    g_ptr_array_add (rows.mirror, g_list_model_get_item (G_LIST_MODEL (range), i));
  g_signal_connect (range, "items-changed", G_CALLBACK (items_changed_cb), &rows);

  for (guint step = 0; step < 5000; step++)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

      if (g_rand_int_range (rand, 0, 3) == 0)
        {
          guint start = g_rand_int_range (rand, 0, n + 2);
          guint end = start + g_rand_int_range (rand, 0, 20);

          starling_range_model_set_range (range, start, end);
        }
      else
        {
          guint position = g_rand_int_range (rand, 0, n + 1);
          guint removed = g_rand_int_range (rand, 0, MIN (n - position, 4) + 1);
          guint added = g_rand_int_range (rand, 0, 4);
          g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

          /* Keep the list from running dry or growing without end. */
          if (n > 80)
            added = 0;
          for (guint i = 0; i < added; i++)
            g_ptr_array_add (items, item_new (tag++));
          g_list_store_splice (store, position, removed, items->pdata, added);
        }
      check_rows (range, store, &rows);
    }

  g_rand_free (rand);
  g_ptr_array_unref (rows.mirror);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/range-model/window-moves", test_window_moves);
  g_test_add_func ("/range-model/not-at-end", test_not_at_end);
  g_test_add_func ("/range-model/random", test_random);

  return g_test_run ();
}

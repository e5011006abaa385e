/* starling-sidebar.c: the conversations, grouped by day, and the history search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "starling-conversation-row.h"
#include "starling-export-dialogs.h"
#include "starling-sidebar-private.h"

/* The first page is small so the first frame comes quickly; the rest follows
 * in one query on the store's worker thread. GtkListView (4.8) keeps a widget
 * for up to 200 items near the top: the rest is handed to it a few dozen
 * rows per frame until then, so no frame makes them all at once. */
#define FIRST_PAGE     30
#define ROWS_PER_FRAME 40
#define ROWS_KEPT      200
#define SEARCH_LIMIT   200

enum {
  GROUP_PINNED = -1,
  GROUP_TODAY = -2,
  GROUP_YESTERDAY = -3,
  GROUP_WEEK = -4,
};

/* Header rows: GtkListView in GTK 4.8 has no sections, so the model is a flat
 * list of headers and conversations. */
struct _StarlingSidebarHeader
{
  GObject  parent_instance;

  gint64   key;
  char    *label;
};

G_DEFINE_FINAL_TYPE (StarlingSidebarHeader, starling_sidebar_header, G_TYPE_OBJECT)

struct _StarlingSidebar
{
  GtkWidget           parent_instance;

  GtkSearchBar       *search_bar;
  GtkSearchEntry     *search_entry;
  GtkStack           *stack;
  GtkListView        *list_view;
  GtkListView        *results_view;

  StarlingStore      *store;
  gulong              store_changed_handler;
  GThread            *thread;          /* the one the sidebar lives in */
  AdwToastOverlay    *toast_overlay;   /* weak */

  GListStore         *rows;            /* headers and StarlingConversationInfo */
  GtkSingleSelection *selection;
  GHashTable         *by_id;           /* id -> StarlingConversationInfo (borrowed from rows) */
  GHashTable         *activity;        /* id -> Activity, for conversations open in the window */
  gint64              selected_id;
  guint               selection_guard;
  gint64              press_id;

  GCancellable       *load_cancellable;
  GHashTable         *touched;         /* ids changed while a load ran */
  GPtrArray          *pending;         /* the whole list, being handed over */
  guint               pending_shown;
  guint               pending_source;
  guint               loading : 1;
  guint               searching : 1;

  GListStore         *results;
  GtkSingleSelection *results_selection;
  GCancellable       *search_cancellable;
  char               *results_query;   /* the text the results are for */

  GDateTime          *now_override;
  gint64              today_start;
  gint64              yesterday_start;
  gint64              week_start;
  guint               midnight_source;
};

G_DEFINE_FINAL_TYPE (StarlingSidebar, starling_sidebar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SEARCH_MODE_ENABLED,
  PROP_LOADING,
  N_PROPS
};

enum {
  CONVERSATION_ACTIVATED,
  SEARCH_RESULT_ACTIVATED,
  CONVERSATION_DELETED,
  CONVERSATION_RENAMED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void starling_sidebar_header_finalize (GObject *object);

static void
starling_sidebar_header_class_init (StarlingSidebarHeaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = starling_sidebar_header_finalize;
}

static void
starling_sidebar_header_init (StarlingSidebarHeader *self)
{
}

static void
starling_sidebar_header_finalize (GObject *object)
{
  g_free (STARLING_SIDEBAR_HEADER (object)->label);

  G_OBJECT_CLASS (starling_sidebar_header_parent_class)->finalize (object);
}

const char *
starling_sidebar_header_get_label (StarlingSidebarHeader *self)
{
  g_return_val_if_fail (STARLING_IS_SIDEBAR_HEADER (self), NULL);

  return self->label;
}

/* Grouping */

static GDateTime *
dup_now (StarlingSidebar *self)
{
  if (self->now_override != NULL)
    return g_date_time_ref (self->now_override);

  return g_date_time_new_now_local ();
}

static void
update_day_bounds (StarlingSidebar *self)
{
  g_autoptr(GDateTime) now = dup_now (self);
  g_autoptr(GDateTime) local = g_date_time_to_local (now);
  g_autoptr(GDateTime) today = g_date_time_new_local (g_date_time_get_year (local),
                                                      g_date_time_get_month (local),
                                                      g_date_time_get_day_of_month (local),
                                                      0, 0, 0);
  g_autoptr(GDateTime) yesterday = g_date_time_add_days (today, -1);
  g_autoptr(GDateTime) week = g_date_time_add_days (today, -7);

  self->today_start = g_date_time_to_unix (today) * G_USEC_PER_SEC;
  self->yesterday_start = g_date_time_to_unix (yesterday) * G_USEC_PER_SEC;
  self->week_start = g_date_time_to_unix (week) * G_USEC_PER_SEC;
}

static gint64
group_key (StarlingSidebar          *self,
           StarlingConversationInfo *info)
{
  gint64 updated = starling_conversation_info_get_updated (info);
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (starling_conversation_info_get_pinned (info))
    return GROUP_PINNED;
  if (updated >= self->today_start)
    return GROUP_TODAY;
  if (updated >= self->yesterday_start)
    return GROUP_YESTERDAY;
  if (updated >= self->week_start)
    return GROUP_WEEK;

  utc = g_date_time_new_from_unix_utc (MAX (updated, 0) / G_USEC_PER_SEC);
  local = g_date_time_to_local (utc);

  return (gint64) g_date_time_get_year (local) * 100 + g_date_time_get_month (local);
}

static StarlingSidebarHeader *
header_new (gint64 key)
{
  StarlingSidebarHeader *header = g_object_new (STARLING_TYPE_SIDEBAR_HEADER, NULL);

  header->key = key;
  switch (key)
    {
    case GROUP_PINNED:
      header->label = g_strdup (_("Pinned"));
      break;

    case GROUP_TODAY:
      header->label = g_strdup (_("Today"));
      break;

    case GROUP_YESTERDAY:
      header->label = g_strdup (_("Yesterday"));
      break;

    case GROUP_WEEK:
      header->label = g_strdup (_("Previous 7 Days"));
      break;

    default:
      {
        g_autoptr(GDateTime) month = g_date_time_new_local (key / 100, key % 100, 1, 0, 0, 0);

        /* Translators: a group of conversations, as "November 2026"; %OB is the
         * month's name on its own, see g_date_time_format() */
        header->label = g_date_time_format (month, _("%OB %Y"));
      }
      break;
    }

  return header;
}

/* Pinned first, then the most recently updated: the store's own order. */
static int
compare_infos (StarlingConversationInfo *a,
               StarlingConversationInfo *b)
{
  gboolean pa = starling_conversation_info_get_pinned (a);
  gboolean pb = starling_conversation_info_get_pinned (b);
  gint64 ua = starling_conversation_info_get_updated (a);
  gint64 ub = starling_conversation_info_get_updated (b);
  gint64 ia = starling_conversation_info_get_id (a);
  gint64 ib = starling_conversation_info_get_id (b);

  if (pa != pb)
    return pa ? -1 : 1;
  if (ua != ub)
    return ua > ub ? -1 : 1;
  if (ia != ib)
    return ia > ib ? -1 : 1;
  return 0;
}

static gboolean
same_info (StarlingConversationInfo *a,
           StarlingConversationInfo *b)
{
  return starling_conversation_info_get_id (a) == starling_conversation_info_get_id (b) &&
         starling_conversation_info_get_pinned (a) == starling_conversation_info_get_pinned (b) &&
         starling_conversation_info_get_updated (a) == starling_conversation_info_get_updated (b) &&
         g_strcmp0 (starling_conversation_info_get_title (a), starling_conversation_info_get_title (b)) == 0 &&
         g_strcmp0 (starling_conversation_info_get_snippet (a), starling_conversation_info_get_snippet (b)) == 0 &&
         g_strcmp0 (starling_conversation_info_get_model (a), starling_conversation_info_get_model (b)) == 0;
}

static gboolean
same_row (GObject *a,
          GObject *b)
{
  if (STARLING_IS_SIDEBAR_HEADER (a) && STARLING_IS_SIDEBAR_HEADER (b))
    return STARLING_SIDEBAR_HEADER (a)->key == STARLING_SIDEBAR_HEADER (b)->key &&
           g_strcmp0 (STARLING_SIDEBAR_HEADER (a)->label, STARLING_SIDEBAR_HEADER (b)->label) == 0;

  if (STARLING_IS_CONVERSATION_INFO (a) && STARLING_IS_CONVERSATION_INFO (b))
    return same_info (STARLING_CONVERSATION_INFO (a), STARLING_CONVERSATION_INFO (b));

  return FALSE;
}

static gpointer
row_at (StarlingSidebar *self,
        guint            position)
{
  /* GListStore keeps a borrowed pointer cheap to reach; drop our reference. */
  GObject *item = g_list_model_get_item (G_LIST_MODEL (self->rows), position);

  if (item != NULL)
    g_object_unref (item);

  return item;
}

/* Selection */

static void
sync_selection (StarlingSidebar *self)
{
  guint position = GTK_INVALID_LIST_POSITION;

  if (self->selected_id != 0)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));

      for (guint i = 0; i < n; i++)
        {
          gpointer item = row_at (self, i);

          if (STARLING_IS_CONVERSATION_INFO (item) &&
              starling_conversation_info_get_id (item) == self->selected_id)
            {
              position = i;
              break;
            }
        }
    }

  if (gtk_single_selection_get_selected (self->selection) != position)
    {
      self->selection_guard++;
      gtk_single_selection_set_selected (self->selection, position);
      self->selection_guard--;
    }
}

static void
update_page (StarlingSidebar *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  const char *page;

  if (gtk_search_bar_get_search_mode (self->search_bar) && text[0] != '\0' && self->results_query != NULL)
    {
      if (g_list_model_get_n_items (G_LIST_MODEL (self->results)) > 0)
        page = "results";
      else
        page = "no-results";
    }
  else if (gtk_search_bar_get_search_mode (self->search_bar) && text[0] != '\0')
    return;  /* the first query is still running: keep what is shown */
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->rows)) > 0 || self->loading)
    page = "list";
  else
    page = "empty";

  gtk_stack_set_visible_child_name (self->stack, page);
}

/* What is going on in conversations open in the window: kept here, as
 * the list's items are made again from the history when it reloads. */
typedef enum
{
  ACTIVITY_ANSWERING = 1 << 0,
  ACTIVITY_UNREAD    = 1 << 1,
} Activity;

static void
apply_activity (StarlingSidebar          *self,
                StarlingConversationInfo *info)
{
  gint64 id = starling_conversation_info_get_id (info);
  Activity activity = GPOINTER_TO_UINT (g_hash_table_lookup (self->activity, &id));

  starling_conversation_info_set_answering (info, (activity & ACTIVITY_ANSWERING) != 0);
  starling_conversation_info_set_unread (info, (activity & ACTIVITY_UNREAD) != 0);
}

/* Model edits */

static void
rebuild_index (StarlingSidebar *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));

  g_hash_table_remove_all (self->by_id);
  for (guint i = 0; i < n; i++)
    {
      gpointer item = row_at (self, i);

      if (STARLING_IS_CONVERSATION_INFO (item))
        {
          gint64 *id = g_new (gint64, 1);

          *id = starling_conversation_info_get_id (item);
          g_hash_table_insert (self->by_id, id, item);
          apply_activity (self, item);
        }
    }
}

/* Replaces the list with @infos (in the store's order), touching only the
 * rows from the first difference on, so appending a page keeps the rows on
 * screen bound and the scroll position where it is. */
static void
set_conversations (StarlingSidebar *self,
                   GPtrArray       *infos)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  guint common = 0;
  gint64 previous_key = G_MININT64;

  for (guint i = 0; i < infos->len; i++)
    {
      StarlingConversationInfo *info = g_ptr_array_index (infos, i);
      gint64 key = group_key (self, info);

      if (starling_conversation_info_get_deleted (info))
        continue;
      if (key != previous_key)
        g_ptr_array_add (rows, header_new (key));
      g_ptr_array_add (rows, g_object_ref (info));
      previous_key = key;
    }

  while (common < n_old && common < rows->len && same_row (row_at (self, common), g_ptr_array_index (rows, common)))
    common++;

  self->selection_guard++;
  g_list_store_splice (self->rows, common, n_old - common,
                       rows->pdata + common, rows->len - common);
  self->selection_guard--;

  rebuild_index (self);
  sync_selection (self);
  update_page (self);
}

static gboolean
find_position (StarlingSidebar *self,
               gint64           id,
               guint           *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));

  for (guint i = 0; i < n; i++)
    {
      gpointer item = row_at (self, i);

      if (STARLING_IS_CONVERSATION_INFO (item) && starling_conversation_info_get_id (item) == id)
        {
          *position = i;
          return TRUE;
        }
    }

  return FALSE;
}

static void
remove_conversation (StarlingSidebar *self,
                     gint64           id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  guint position;
  gboolean header_before;
  gboolean group_ends;

  if (!find_position (self, id, &position))
    return;

  header_before = position > 0 && STARLING_IS_SIDEBAR_HEADER (row_at (self, position - 1));
  group_ends = position + 1 >= n || STARLING_IS_SIDEBAR_HEADER (row_at (self, position + 1));

  g_hash_table_remove (self->by_id, &id);
  self->selection_guard++;
  if (header_before && group_ends)
    g_list_store_splice (self->rows, position - 1, 2, NULL, 0);
  else
    g_list_store_remove (self->rows, position);
  self->selection_guard--;
}

static void
insert_conversation (StarlingSidebar          *self,
                     StarlingConversationInfo *info)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  gint64 key = group_key (self, info);
  guint position = n;
  guint insert_at;
  gint64 *id;

  for (guint i = 0; i < n; i++)
    {
      gpointer item = row_at (self, i);

      if (STARLING_IS_CONVERSATION_INFO (item) && compare_infos (info, item) < 0)
        {
          position = i;
          break;
        }
    }

  insert_at = position;
  self->selection_guard++;

  if (position > 0 && STARLING_IS_SIDEBAR_HEADER (row_at (self, position - 1)))
    {
      if (STARLING_SIDEBAR_HEADER (row_at (self, position - 1))->key == key)
        {
          g_list_store_insert (self->rows, position, info);
          goto done;
        }
      insert_at = position - 1;
    }

  if (insert_at > 0 && group_key (self, row_at (self, insert_at - 1)) == key)
    {
      g_list_store_insert (self->rows, insert_at, info);
    }
  else
    {
      g_autoptr(StarlingSidebarHeader) header = header_new (key);
      gpointer items[2] = { header, info };

      g_list_store_splice (self->rows, insert_at, 0, items, 2);
    }

done:
  self->selection_guard--;
  id = g_new (gint64, 1);
  *id = starling_conversation_info_get_id (info);
  g_hash_table_insert (self->by_id, id, info);
  apply_activity (self, info);
}

static void
regroup (StarlingSidebar *self)
{
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));

  for (guint i = 0; i < n; i++)
    {
      gpointer item = row_at (self, i);

      if (STARLING_IS_CONVERSATION_INFO (item))
        g_ptr_array_add (infos, g_object_ref (item));
    }

  update_day_bounds (self);
  set_conversations (self, infos);
}

static void schedule_midnight (StarlingSidebar *self);

static gboolean
midnight_cb (gpointer user_data)
{
  StarlingSidebar *self = user_data;

  self->midnight_source = 0;
  regroup (self);
  schedule_midnight (self);

  return G_SOURCE_REMOVE;
}

/* "Today" becomes "Yesterday" at midnight, with the app left open. */
static void
schedule_midnight (StarlingSidebar *self)
{
  g_autoptr(GDateTime) now = NULL;
  gint64 seconds;

  g_clear_handle_id (&self->midnight_source, g_source_remove);
  if (self->now_override != NULL)
    return;

  now = g_date_time_new_now_local ();
  seconds = 24 * 3600 - (g_date_time_get_hour (now) * 3600 + g_date_time_get_minute (now) * 60 +
                         g_date_time_get_second (now)) + 1;
  self->midnight_source = g_timeout_add_seconds_full (G_PRIORITY_LOW, (guint) seconds,
                                                      midnight_cb, self, NULL);
}

/* Toasts */

static AdwToastOverlay *
get_toast_overlay (StarlingSidebar *self)
{
  if (self->toast_overlay != NULL)
    return self->toast_overlay;

  return (AdwToastOverlay *) gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
}

static void
show_toast (StarlingSidebar *self,
            AdwToast        *toast)
{
  AdwToastOverlay *overlay = get_toast_overlay (self);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (overlay, toast);
  else
    g_object_unref (g_object_ref_sink (toast));
}

static void
show_error (StarlingSidebar *self,
            const char      *what,
            const GError    *error)
{
  g_autofree char *message = g_strdup_printf ("%s: %s", what, error->message);

  g_debug ("%s", message);
  show_toast (self, adw_toast_new (message));
}

/* Loading */

/* A change while the list loads: looked at again once it has. */
static void
touch (StarlingSidebar *self,
       gint64           id)
{
  gint64 *key;

  if (!self->loading)
    return;

  key = g_new (gint64, 1);
  *key = id;
  g_hash_table_add (self->touched, key);
}

static void
set_loading (StarlingSidebar *self,
             gboolean         loading)
{
  if (self->loading == !!loading)
    return;

  self->loading = !!loading;
  if (!loading)
    g_hash_table_remove_all (self->touched);
  update_page (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
finish_load (StarlingSidebar *self)
{
  g_autoptr(GList) touched = NULL;

  /* What changed while the query ran may be older in its answer. */
  touched = g_hash_table_get_keys (self->touched);
  g_hash_table_steal_all (self->touched);
  set_loading (self, FALSE);
  for (GList *l = touched; l != NULL; l = l->next)
    {
      starling_sidebar_conversation_changed (self, *(gint64 *) l->data);
      g_free (l->data);
    }
}

static gboolean
hand_over_cb (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       user_data)
{
  StarlingSidebar *self = STARLING_SIDEBAR (widget);
  g_autoptr(GPtrArray) prefix = NULL;
  guint n_rows = g_list_model_get_n_items (G_LIST_MODEL (self->rows));

  /* Past the rows the list keeps widgets for, the rest costs no widgets. */
  if (n_rows >= ROWS_KEPT || self->pending_shown + ROWS_PER_FRAME >= self->pending->len)
    {
      g_autoptr(GPtrArray) all = g_steal_pointer (&self->pending);

      self->pending_source = 0;
      set_conversations (self, all);
      finish_load (self);
      return G_SOURCE_REMOVE;
    }

  self->pending_shown += ROWS_PER_FRAME;
  prefix = g_ptr_array_new_full (self->pending_shown, NULL);
  for (guint i = 0; i < self->pending_shown; i++)
    g_ptr_array_add (prefix, g_ptr_array_index (self->pending, i));
  set_conversations (self, prefix);

  return G_SOURCE_CONTINUE;
}

static void
rest_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(StarlingSidebar) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) infos = NULL;

  infos = starling_store_list_conversations_finish (STARLING_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || STARLING_STORE (object) != self->store)
    return;

  if (infos == NULL)
    {
      show_error (self, _("The conversation list could not be read"), error);
      set_loading (self, FALSE);
      return;
    }

  /* A reload of a list already long, or a change meanwhile: all at once. */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->rows)) > FIRST_PAGE * 2 ||
      g_hash_table_size (self->touched) > 0)
    {
      set_conversations (self, infos);
      finish_load (self);
      return;
    }

  self->pending = g_steal_pointer (&infos);
  self->pending_shown = FIRST_PAGE;
  /* one step per frame */
  self->pending_source = gtk_widget_add_tick_callback (GTK_WIDGET (self), hand_over_cb, NULL, NULL);
}

static void
first_page_loaded_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(StarlingSidebar) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) infos = NULL;

  infos = starling_store_list_conversations_finish (STARLING_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || STARLING_STORE (object) != self->store)
    return;

  if (infos == NULL)
    {
      show_error (self, _("The conversation list could not be read"), error);
      set_loading (self, FALSE);
      return;
    }

  /* Until the rest comes, a partial list must not pretend to end: keep the
   * rows already shown (a reload) past the first page. */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->rows)) == 0 || infos->len < FIRST_PAGE)
    set_conversations (self, infos);

  if (infos->len < FIRST_PAGE && g_hash_table_size (self->touched) == 0)
    {
      set_loading (self, FALSE);
      return;
    }

  /* From the start again: offsets shift if anything moved meanwhile. */
  starling_store_list_conversations_async (self->store, 0, 0, self->load_cancellable,
                                           rest_loaded_cb, g_object_ref (self));
}

/* Search */

static void
clear_results (StarlingSidebar *self)
{
  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  g_clear_pointer (&self->results_query, g_free);
  self->searching = FALSE;
  g_list_store_remove_all (self->results);
}

typedef struct
{
  StarlingSidebar *self;
  char            *query;
} SearchData;

static void
search_data_free (SearchData *data)
{
  g_object_unref (data->self);
  g_free (data->query);
  g_free (data);
}

static void
search_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  SearchData *data = user_data;
  StarlingSidebar *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;

  hits = starling_store_search_finish (STARLING_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      search_data_free (data);
      return;
    }

  self->searching = FALSE;
  g_clear_object (&self->search_cancellable);
  g_free (self->results_query);
  self->results_query = g_steal_pointer (&data->query);

  self->selection_guard++;
  if (hits != NULL)
    g_list_store_splice (self->results, 0, g_list_model_get_n_items (G_LIST_MODEL (self->results)),
                         hits->pdata, hits->len);
  else
    g_list_store_remove_all (self->results);
  gtk_single_selection_set_selected (self->results_selection, GTK_INVALID_LIST_POSITION);
  self->selection_guard--;

  if (hits == NULL)
    show_error (self, _("The history could not be searched"), error);

  update_page (self);
  search_data_free (data);
}

static void
run_search (StarlingSidebar *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *query = starling_store_build_fts_query (text);
  SearchData *data;

  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);

  if (!gtk_search_bar_get_search_mode (self->search_bar) || text[0] == '\0' || self->store == NULL)
    {
      clear_results (self);
      update_page (self);
      return;
    }

  if (query == NULL)
    {
      /* Only spaces or quotes: nothing to look for, and nothing found. */
      self->searching = FALSE;
      g_free (self->results_query);
      self->results_query = g_strdup (text);
      g_list_store_remove_all (self->results);
      update_page (self);
      return;
    }

  self->searching = TRUE;
  self->search_cancellable = g_cancellable_new ();
  data = g_new0 (SearchData, 1);
  data->self = g_object_ref (self);
  data->query = g_strdup (text);
  starling_store_search_async (self->store, text, 0, SEARCH_LIMIT, STARLING_SEARCH_FLAGS_NONE,
                               self->search_cancellable, search_done_cb, data);
}

static void
emit_result (StarlingSidebar      *self,
             StarlingSearchResult *result)
{
  gint64 conversation_id = starling_search_result_get_conversation_id (result);

  self->selected_id = conversation_id;
  g_signal_emit (self, signals[SEARCH_RESULT_ACTIVATED], 0, conversation_id,
                 starling_search_result_get_message_id (result),
                 self->results_query ? self->results_query : "");
}

static void
emit_conversation (StarlingSidebar *self,
                   gint64           id)
{
  self->selected_id = id;
  sync_selection (self);
  g_signal_emit (self, signals[CONVERSATION_ACTIVATED], 0, id);
}

/* Rows */

static StarlingConversationRow *
row_in_list_item (GtkWidget *list_item_widget)
{
  GtkWidget *child = gtk_widget_get_first_child (list_item_widget);

  return STARLING_IS_CONVERSATION_ROW (child) ? STARLING_CONVERSATION_ROW (child) : NULL;
}

static StarlingConversationRow *
focused_row (StarlingSidebar *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list_view)))
    {
      StarlingConversationRow *row;

      for (GtkWidget *w = focus; w != NULL && w != GTK_WIDGET (self->list_view); w = gtk_widget_get_parent (w))
        if (STARLING_IS_CONVERSATION_ROW (w))
          return STARLING_CONVERSATION_ROW (w);

      row = row_in_list_item (focus);
      if (row != NULL && starling_conversation_row_get_info (row) != NULL)
        return row;
    }

  return starling_sidebar_find_row (self, self->selected_id);
}

static void
row_pressed_cb (StarlingSidebar *self,
                int              n_press,
                double           x,
                double           y,
                GtkGestureClick *gesture)
{
  StarlingConversationRow *row = STARLING_CONVERSATION_ROW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture)));
  StarlingConversationInfo *info = starling_conversation_row_get_info (row);
  StarlingSearchResult *result = starling_conversation_row_get_result (row);

  self->press_id = 0;
  if (info != NULL && starling_conversation_info_get_id (info) == self->selected_id &&
      gtk_widget_get_state_flags (gtk_widget_get_parent (GTK_WIDGET (row))) & GTK_STATE_FLAG_SELECTED)
    self->press_id = self->selected_id;
  else if (result != NULL &&
           gtk_widget_get_state_flags (gtk_widget_get_parent (GTK_WIDGET (row))) & GTK_STATE_FLAG_SELECTED)
    self->press_id = -1;
}

/* A click on the row already selected opens it again (the list only reports
 * changes of selection): the way back to a conversation in a folded window. */
static void
row_released_cb (StarlingSidebar *self,
                 int              n_press,
                 double           x,
                 double           y,
                 GtkGestureClick *gesture)
{
  StarlingConversationRow *row = STARLING_CONVERSATION_ROW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture)));
  StarlingConversationInfo *info = starling_conversation_row_get_info (row);
  StarlingSearchResult *result = starling_conversation_row_get_result (row);
  gint64 pressed = self->press_id;

  self->press_id = 0;
  if (n_press != 1 || starling_conversation_row_get_editing (row))
    return;

  if (info != NULL && pressed != 0 && pressed == starling_conversation_info_get_id (info))
    emit_conversation (self, pressed);
  else if (result != NULL && pressed == -1)
    emit_result (self, result);
}

static GtkWidget *
make_row (StarlingSidebar *self)
{
  GtkWidget *row = starling_conversation_row_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect_object (click, "pressed", G_CALLBACK (row_pressed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (click, "released", G_CALLBACK (row_released_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (click));

  return row;
}

static void
list_setup_cb (StarlingSidebar          *self,
               GtkListItem              *list_item,
               GtkSignalListItemFactory *factory)
{
  gtk_list_item_set_child (list_item, make_row (self));
}

static void
list_bind_cb (StarlingSidebar          *self,
              GtkListItem              *list_item,
              GtkSignalListItemFactory *factory)
{
  StarlingConversationRow *row = STARLING_CONVERSATION_ROW (gtk_list_item_get_child (list_item));
  gpointer item = gtk_list_item_get_item (list_item);

  if (STARLING_IS_SIDEBAR_HEADER (item))
    {
      gtk_list_item_set_selectable (list_item, FALSE);
      gtk_list_item_set_activatable (list_item, FALSE);
      starling_conversation_row_bind_header (row, STARLING_SIDEBAR_HEADER (item)->label);
    }
  else
    {
      gtk_list_item_set_selectable (list_item, TRUE);
      gtk_list_item_set_activatable (list_item, TRUE);
      starling_conversation_row_bind_conversation (row, item);
    }
}

static void
list_unbind_cb (StarlingSidebar          *self,
                GtkListItem              *list_item,
                GtkSignalListItemFactory *factory)
{
  starling_conversation_row_unbind (STARLING_CONVERSATION_ROW (gtk_list_item_get_child (list_item)));
}

static void
results_setup_cb (StarlingSidebar          *self,
                  GtkListItem              *list_item,
                  GtkSignalListItemFactory *factory)
{
  gtk_list_item_set_child (list_item, make_row (self));
}

static void
results_bind_cb (StarlingSidebar          *self,
                 GtkListItem              *list_item,
                 GtkSignalListItemFactory *factory)
{
  g_autoptr(GDateTime) now = dup_now (self);

  starling_conversation_row_bind_result (STARLING_CONVERSATION_ROW (gtk_list_item_get_child (list_item)),
                                         gtk_list_item_get_item (list_item), now);
}

static void
list_activate_cb (StarlingSidebar *self,
                  guint            position,
                  GtkListView     *list_view)
{
  gpointer item = row_at (self, position);

  if (STARLING_IS_CONVERSATION_INFO (item))
    emit_conversation (self, starling_conversation_info_get_id (item));
}

static void
results_activate_cb (StarlingSidebar *self,
                     guint            position,
                     GtkListView     *list_view)
{
  g_autoptr(StarlingSearchResult) result = g_list_model_get_item (G_LIST_MODEL (self->results), position);

  if (result != NULL)
    emit_result (self, result);
}

static void
selection_changed_cb (StarlingSidebar    *self,
                      guint               position,
                      guint               n_items,
                      GtkSelectionModel  *model)
{
  gpointer item;

  if (self->selection_guard > 0)
    return;

  item = gtk_single_selection_get_selected_item (self->selection);
  if (STARLING_IS_CONVERSATION_INFO (item))
    emit_conversation (self, starling_conversation_info_get_id (item));
  else
    sync_selection (self);  /* keyboard focus on a header: keep the conversation */
}

static void
results_selection_changed_cb (StarlingSidebar   *self,
                              guint              position,
                              guint              n_items,
                              GtkSelectionModel *model)
{
  gpointer item;

  if (self->selection_guard > 0)
    return;

  item = gtk_single_selection_get_selected_item (self->results_selection);
  if (item != NULL)
    emit_result (self, item);
}

static void
search_changed_cb (StarlingSidebar *self,
                   GtkSearchEntry  *entry)
{
  run_search (self);
}

static void
search_activate_cb (StarlingSidebar *self,
                    GtkSearchEntry  *entry)
{
  g_autoptr(StarlingSearchResult) first = NULL;

  /* The results on screen must be those of the text typed. */
  if (self->searching || g_list_model_get_n_items (G_LIST_MODEL (self->results)) == 0)
    return;

  first = g_list_model_get_item (G_LIST_MODEL (self->results), 0);
  self->selection_guard++;
  gtk_single_selection_set_selected (self->results_selection, 0);
  self->selection_guard--;
  emit_result (self, first);
}

static gboolean
search_key_pressed_cb (StarlingSidebar       *self,
                       guint                  keyval,
                       guint                  keycode,
                       GdkModifierType        state,
                       GtkEventControllerKey *controller)
{
  if ((keyval == GDK_KEY_Down || keyval == GDK_KEY_KP_Down) &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "results") == 0)
    return gtk_widget_child_focus (GTK_WIDGET (self->results_view), GTK_DIR_TAB_FORWARD);

  return GDK_EVENT_PROPAGATE;
}

static void
search_mode_notify_cb (StarlingSidebar *self,
                       GParamSpec      *pspec,
                       GtkSearchBar    *search_bar)
{
  if (!gtk_search_bar_get_search_mode (search_bar))
    {
      gboolean had_focus = gtk_widget_get_focus_child (GTK_WIDGET (search_bar)) != NULL;

      clear_results (self);
      sync_selection (self);
      if (had_focus)
        gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
    }
  else
    {
      run_search (self);
    }

  update_page (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_MODE_ENABLED]);
}

/* Actions */

typedef struct
{
  GWeakRef       sidebar;
  StarlingStore *store;
  gint64         id;
  gboolean       undone;
} UndoDelete;

static void
undo_delete_free (gpointer data)
{
  UndoDelete *undo = data;

  g_weak_ref_clear (&undo->sidebar);
  g_clear_object (&undo->store);
  g_free (undo);
}

static void
undo_clicked_cb (AdwToast   *toast,
                 UndoDelete *undo)
{
  g_autoptr(StarlingSidebar) self = g_weak_ref_get (&undo->sidebar);
  g_autoptr(GError) error = NULL;

  undo->undone = TRUE;
  if (!starling_store_undelete_conversation (undo->store, undo->id, &error))
    {
      if (self != NULL)
        show_error (self, _("The conversation could not be restored"), error);
      return;
    }

  if (self != NULL && self->store == undo->store)
    starling_sidebar_conversation_changed (self, undo->id);
}

/* Gone for good once the chance to undo has passed. */
static void
toast_dismissed_cb (AdwToast   *toast,
                    UndoDelete *undo)
{
  g_autoptr(GError) error = NULL;

  if (undo->undone)
    return;

  undo->undone = TRUE;
  if (!starling_store_purge_conversation (undo->store, undo->id, &error))
    g_debug ("Conversation %" G_GINT64_FORMAT " stays deleted, not purged: %s", undo->id, error->message);
}

static void
delete_conversation (StarlingSidebar *self,
                     gint64           id)
{
  g_autoptr(GError) error = NULL;
  AdwToast *toast;
  UndoDelete *undo;

  if (self->store == NULL)
    return;

  if (!starling_store_delete_conversation (self->store, id, &error))
    {
      show_error (self, _("The conversation could not be deleted"), error);
      return;
    }

  touch (self, id);
  remove_conversation (self, id);
  if (self->selected_id == id)
    self->selected_id = 0;
  sync_selection (self);
  update_page (self);
  g_signal_emit (self, signals[CONVERSATION_DELETED], 0, id);

  undo = g_new0 (UndoDelete, 1);
  g_weak_ref_init (&undo->sidebar, self);
  undo->store = g_object_ref (self->store);
  undo->id = id;

  toast = adw_toast_new (_("Conversation deleted"));
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect (toast, "button-clicked", G_CALLBACK (undo_clicked_cb), undo);
  g_signal_connect_data (toast, "dismissed", G_CALLBACK (toast_dismissed_cb), undo,
                         (GClosureNotify) undo_delete_free, 0);
  show_toast (self, toast);
}

static void
set_pinned (StarlingSidebar *self,
            gint64           id,
            gboolean         pinned)
{
  g_autoptr(GError) error = NULL;

  if (self->store == NULL)
    return;

  if (!starling_store_set_pinned (self->store, id, pinned, &error))
    {
      show_error (self, pinned ? _("The conversation could not be pinned")
                               : _("The conversation could not be unpinned"), error);
      return;
    }

  starling_sidebar_conversation_changed (self, id);
  if (self->selected_id == id)
    {
      guint position;

      if (find_position (self, id, &position))
        gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
    }
}

static void
conversation_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  StarlingSidebar *self = STARLING_SIDEBAR (widget);
  gint64 id = g_variant_get_int64 (parameter);

  if (g_str_equal (action_name, "sidebar.pin"))
    set_pinned (self, id, TRUE);
  else if (g_str_equal (action_name, "sidebar.unpin"))
    set_pinned (self, id, FALSE);
  else if (g_str_equal (action_name, "sidebar.delete"))
    delete_conversation (self, id);
  else if (g_str_equal (action_name, "sidebar.export") && self->store != NULL)
    starling_export_conversation_with_dialog (GTK_WINDOW (gtk_widget_get_root (widget)), self->store, id);
}

static void
commit_rename_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  StarlingSidebar *self = STARLING_SIDEBAR (widget);
  g_autoptr(GError) error = NULL;
  const char *title;
  gint64 id;

  if (self->store == NULL)
    return;

  g_variant_get (parameter, "(x&s)", &id, &title);
  if (!starling_store_rename_conversation (self->store, id, title, &error))
    {
      show_error (self, _("The conversation could not be renamed"), error);
      return;
    }

  starling_sidebar_conversation_changed (self, id);

  {
    StarlingConversationInfo *info = g_hash_table_lookup (self->by_id, &id);

    if (info != NULL)
      g_signal_emit (self, signals[CONVERSATION_RENAMED], 0, id, starling_conversation_info_get_title (info));
  }
}

static void
focused_row_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  StarlingSidebar *self = STARLING_SIDEBAR (widget);
  StarlingConversationRow *row = focused_row (self);
  StarlingConversationInfo *info;

  if (row == NULL || (info = starling_conversation_row_get_info (row)) == NULL ||
      starling_conversation_row_get_editing (row))
    return;

  if (g_str_equal (action_name, "sidebar.popup-menu"))
    starling_conversation_row_popup_menu (row, -1, -1);
  else if (g_str_equal (action_name, "sidebar.rename-focused"))
    starling_conversation_row_start_rename (row);
  else if (g_str_equal (action_name, "sidebar.delete-focused"))
    delete_conversation (self, starling_conversation_info_get_id (info));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  starling_sidebar_start_search (STARLING_SIDEBAR (widget));
}

/* GObject */

static void
starling_sidebar_dispose (GObject *object)
{
  StarlingSidebar *self = STARLING_SIDEBAR (object);

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  g_clear_handle_id (&self->midnight_source, g_source_remove);
  if (self->pending_source != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->pending_source);
  self->pending_source = 0;
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_weak_pointer (&self->toast_overlay);

  gtk_widget_dispose_template (GTK_WIDGET (self), STARLING_TYPE_SIDEBAR);

  g_clear_object (&self->selection);
  g_clear_object (&self->results_selection);
  g_clear_object (&self->rows);
  g_clear_object (&self->results);
  g_clear_signal_handler (&self->store_changed_handler, self->store);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (starling_sidebar_parent_class)->dispose (object);
}

static void
starling_sidebar_finalize (GObject *object)
{
  StarlingSidebar *self = STARLING_SIDEBAR (object);

  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->activity, g_hash_table_unref);
  g_clear_pointer (&self->touched, g_hash_table_unref);
  g_clear_pointer (&self->results_query, g_free);
  g_clear_pointer (&self->now_override, g_date_time_unref);

  G_OBJECT_CLASS (starling_sidebar_parent_class)->finalize (object);
}

static void
starling_sidebar_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  StarlingSidebar *self = STARLING_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SEARCH_MODE_ENABLED:
      g_value_set_boolean (value, starling_sidebar_get_search_mode (self));
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_sidebar_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  StarlingSidebar *self = STARLING_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      starling_sidebar_set_store (self, g_value_get_object (value));
      break;

    case PROP_SEARCH_MODE_ENABLED:
      starling_sidebar_set_search_mode (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_sidebar_class_init (StarlingSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = starling_sidebar_dispose;
  object_class->finalize = starling_sidebar_finalize;
  object_class->get_property = starling_sidebar_get_property;
  object_class->set_property = starling_sidebar_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, STARLING_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEARCH_MODE_ENABLED] =
    g_param_spec_boolean ("search-mode-enabled", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * StarlingSidebar::conversation-activated:
   * @conversation_id: the conversation the user chose
   *
   * The user chose a conversation (click, Enter, or moving the selection).
   * May be emitted again for the conversation already open.
   */
  signals[CONVERSATION_ACTIVATED] =
    g_signal_new ("conversation-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  /**
   * StarlingSidebar::search-result-activated:
   * @conversation_id: the conversation of the hit
   * @message_id: the message that matched, 0 when the title did
   * @query: what the user typed
   */
  signals[SEARCH_RESULT_ACTIVATED] =
    g_signal_new ("search-result-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_STRING);

  /**
   * StarlingSidebar::conversation-deleted:
   * @conversation_id: the conversation the user deleted (it may come back with Undo)
   */
  signals[CONVERSATION_DELETED] =
    g_signal_new ("conversation-deleted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  /**
   * StarlingSidebar::conversation-renamed:
   * @conversation_id: the conversation the user renamed in the list
   * @title: its title now (made from the first prompt if the user cleared it)
   *
   * The store has the new title already; an open conversation should show it.
   */
  signals[CONVERSATION_RENAMED] =
    g_signal_new ("conversation-renamed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/starlingchat/Starling/ui/starling-sidebar.ui");
  gtk_widget_class_bind_template_child (widget_class, StarlingSidebar, search_bar);
  gtk_widget_class_bind_template_child (widget_class, StarlingSidebar, search_entry);
  gtk_widget_class_bind_template_child (widget_class, StarlingSidebar, stack);
  gtk_widget_class_bind_template_child (widget_class, StarlingSidebar, list_view);
  gtk_widget_class_bind_template_child (widget_class, StarlingSidebar, results_view);
  gtk_widget_class_bind_template_callback (widget_class, list_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, results_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, results_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, results_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_key_pressed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_mode_notify_cb);

  gtk_widget_class_install_action (widget_class, "sidebar.pin", "x", conversation_action);
  gtk_widget_class_install_action (widget_class, "sidebar.unpin", "x", conversation_action);
  gtk_widget_class_install_action (widget_class, "sidebar.delete", "x", conversation_action);
  gtk_widget_class_install_action (widget_class, "sidebar.export", "x", conversation_action);
  gtk_widget_class_install_action (widget_class, "sidebar.commit-rename", "(xs)", commit_rename_action);
  gtk_widget_class_install_action (widget_class, "sidebar.popup-menu", NULL, focused_row_action);
  gtk_widget_class_install_action (widget_class, "sidebar.rename-focused", NULL, focused_row_action);
  gtk_widget_class_install_action (widget_class, "sidebar.delete-focused", NULL, focused_row_action);
  gtk_widget_class_install_action (widget_class, "sidebar.search", NULL, search_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "sidebar.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "sidebar.popup-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "sidebar.popup-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "sidebar.rename-focused", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "sidebar.delete-focused", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "sidebar.delete-focused", NULL);

  g_type_ensure (STARLING_TYPE_CONVERSATION_ROW);
}

static void
starling_sidebar_init (StarlingSidebar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->thread = g_thread_self ();
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->activity = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->touched = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  self->rows = g_list_store_new (G_TYPE_OBJECT);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->rows)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_object (self->selection, "selection-changed", G_CALLBACK (selection_changed_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  self->results = g_list_store_new (STARLING_TYPE_SEARCH_RESULT);
  self->results_selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->results)));
  gtk_single_selection_set_autoselect (self->results_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->results_selection, TRUE);
  g_signal_connect_object (self->results_selection, "selection-changed",
                           G_CALLBACK (results_selection_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_list_view_set_model (self->results_view, GTK_SELECTION_MODEL (self->results_selection));

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));

  update_day_bounds (self);
  schedule_midnight (self);
  update_page (self);
}

/* Public API */

GtkWidget *
starling_sidebar_new (void)
{
  return g_object_new (STARLING_TYPE_SIDEBAR, NULL);
}

StarlingStore *
starling_sidebar_get_store (StarlingSidebar *self)
{
  g_return_val_if_fail (STARLING_IS_SIDEBAR (self), NULL);

  return self->store;
}

/* What the store's signal handler holds: never the sidebar itself, which the
 * handler may outlive on another thread. */
typedef struct
{
  gatomicrefcount ref_count;
  GWeakRef        sidebar;
  GThread        *thread;    /* the sidebar's */
} StoreLink;

typedef struct
{
  StoreLink *link;
  gint64     id;
} Changed;

static StoreLink *
store_link_ref (StoreLink *link)
{
  g_atomic_ref_count_inc (&link->ref_count);
  return link;
}

static void
store_link_unref (gpointer data,
                  GClosure *closure)
{
  StoreLink *link = data;

  if (!g_atomic_ref_count_dec (&link->ref_count))
    return;
  g_weak_ref_clear (&link->sidebar);
  g_free (link);
}

static gboolean
changed_in_thread_cb (gpointer user_data)
{
  Changed *changed = user_data;
  g_autoptr(StarlingSidebar) self = g_weak_ref_get (&changed->link->sidebar);

  if (self != NULL)
    starling_sidebar_conversation_changed (self, changed->id);
  store_link_unref (changed->link, NULL);
  g_free (changed);
  return G_SOURCE_REMOVE;
}

static void
store_changed_cb (StarlingStore *store,
                  gint64         conversation_id,
                  StoreLink     *link)
{
  Changed *changed;

  if (g_thread_self () == link->thread)
    {
      g_autoptr(StarlingSidebar) self = g_weak_ref_get (&link->sidebar);

      if (self != NULL)
        starling_sidebar_conversation_changed (self, conversation_id);
      return;
    }

  /* made on the store's worker thread: read it back in the sidebar's */
  changed = g_new0 (Changed, 1);
  changed->link = store_link_ref (link);
  changed->id = conversation_id;
  g_idle_add (changed_in_thread_cb, changed);
}

/**
 * starling_sidebar_set_store:
 * @store: (nullable): the history
 *
 * Shows the conversations of @store, loading them on the store's worker
 * thread.
 */
void
starling_sidebar_set_store (StarlingSidebar *self,
                            StarlingStore   *store)
{
  g_return_if_fail (STARLING_IS_SIDEBAR (self));
  g_return_if_fail (store == NULL || STARLING_IS_STORE (store));

  if (self->store == store)
    return;

  g_clear_signal_handler (&self->store_changed_handler, self->store);
  g_set_object (&self->store, store);
  /* Changes made elsewhere (another window, the search provider) show here too. */
  if (store != NULL)
    {
      StoreLink *link = g_new0 (StoreLink, 1);

      g_atomic_ref_count_init (&link->ref_count);
      g_weak_ref_init (&link->sidebar, self);
      link->thread = self->thread;
      self->store_changed_handler = g_signal_connect_data (store, "conversation-changed",
                                                           G_CALLBACK (store_changed_cb), link,
                                                           store_link_unref, 0);
    }

  self->selected_id = 0;
  clear_results (self);
  self->selection_guard++;
  g_list_store_remove_all (self->rows);
  self->selection_guard--;
  g_hash_table_remove_all (self->by_id);
  starling_sidebar_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

/**
 * starling_sidebar_set_toast_overlay:
 * @overlay: (nullable): where to show "Conversation deleted" and errors;
 *   %NULL for the nearest #AdwToastOverlay above the sidebar
 */
void
starling_sidebar_set_toast_overlay (StarlingSidebar *self,
                                    AdwToastOverlay *overlay)
{
  g_return_if_fail (STARLING_IS_SIDEBAR (self));

  g_set_weak_pointer (&self->toast_overlay, overlay);
}

/**
 * starling_sidebar_reload:
 *
 * Reads the conversation list again: a small first page at once, the rest
 * right after, both off the main thread. The rows already shown stay until
 * the new list replaces them.
 */
void
starling_sidebar_reload (StarlingSidebar *self)
{
  g_return_if_fail (STARLING_IS_SIDEBAR (self));

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  if (self->pending_source != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->pending_source);
  self->pending_source = 0;
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_hash_table_remove_all (self->touched);
  update_day_bounds (self);

  if (self->store == NULL)
    {
      set_loading (self, FALSE);
      update_page (self);
      return;
    }

  self->load_cancellable = g_cancellable_new ();
  set_loading (self, TRUE);
  starling_store_list_conversations_async (self->store, 0, FIRST_PAGE, self->load_cancellable,
                                           first_page_loaded_cb, g_object_ref (self));
}

gboolean
starling_sidebar_get_loading (StarlingSidebar *self)
{
  g_return_val_if_fail (STARLING_IS_SIDEBAR (self), FALSE);

  return self->loading;
}

/**
 * starling_sidebar_conversation_changed:
 * @conversation_id: a conversation created, renamed, pinned, deleted or
 *   given a new message
 *
 * Reads that one conversation from the store and updates its row in place,
 * moving it to its group if its time or pin changed; adds it if new, removes
 * it if deleted.
 */
void
starling_sidebar_conversation_changed (StarlingSidebar *self,
                                       gint64           conversation_id)
{
  g_autoptr(StarlingConversationInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  StarlingConversationInfo *existing;

  g_return_if_fail (STARLING_IS_SIDEBAR (self));

  if (self->store == NULL)
    return;

  touch (self, conversation_id);

  info = starling_store_get_conversation (self->store, conversation_id, &error);
  if (info == NULL && !g_error_matches (error, STARLING_STORE_ERROR, STARLING_STORE_ERROR_NOT_FOUND))
    {
      show_error (self, _("The conversation list could not be updated"), error);
      return;
    }

  update_day_bounds (self);
  existing = g_hash_table_lookup (self->by_id, &conversation_id);

  if (info == NULL || starling_conversation_info_get_deleted (info))
    {
      if (existing != NULL)
        remove_conversation (self, conversation_id);
    }
  else if (existing != NULL &&
           starling_conversation_info_get_pinned (existing) == starling_conversation_info_get_pinned (info) &&
           starling_conversation_info_get_updated (existing) == starling_conversation_info_get_updated (info) &&
           g_strcmp0 (starling_conversation_info_get_model (existing), starling_conversation_info_get_model (info)) == 0)
    {
      /* Same place: the bound row follows the item's notifications. */
      starling_conversation_info_set_title (existing, starling_conversation_info_get_title (info));
      starling_conversation_info_set_snippet (existing, starling_conversation_info_get_snippet (info));
      starling_conversation_info_set_draft (existing, starling_conversation_info_get_draft (info));
      starling_conversation_info_set_draft_attachments (existing,
                                                        starling_conversation_info_get_draft_attachments (info));
    }
  else
    {
      if (existing != NULL)
        remove_conversation (self, conversation_id);
      insert_conversation (self, info);
    }

  sync_selection (self);
  update_page (self);
}

/**
 * starling_sidebar_get_adjacent_conversation:
 * @conversation_id: a conversation in the list, or 0 for none
 * @direction: -1 for the one above, 1 for the one below
 *
 * Returns: the conversation next to @conversation_id in the list as shown
 *   (headers skipped), the first or last one when @conversation_id is not
 *   in it, or 0 when there is none
 */
gint64
starling_sidebar_get_adjacent_conversation (StarlingSidebar *self,
                                            gint64           conversation_id,
                                            int              direction)
{
  guint n, i;
  int step = direction < 0 ? -1 : 1;
  int start = -1;

  g_return_val_if_fail (STARLING_IS_SIDEBAR (self), 0);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  for (i = 0; conversation_id != 0 && i < n; i++)
    {
      gpointer item = row_at (self, i);

      if (STARLING_IS_CONVERSATION_INFO (item) && starling_conversation_info_get_id (item) == conversation_id)
        {
          start = (int) i;
          break;
        }
    }

  if (start < 0)
    start = step > 0 ? -1 : (int) n;
  for (int j = start + step; j >= 0 && j < (int) n; j += step)
    {
      gpointer item = row_at (self, j);

      if (STARLING_IS_CONVERSATION_INFO (item))
        return starling_conversation_info_get_id (item);
    }

  return 0;
}

/**
 * starling_sidebar_set_conversation_activity:
 * @conversation_id: a conversation open in the window
 * @answering: whether an answer is being written in it
 * @unread: whether an answer finished there while the user was elsewhere
 *
 * What the conversation's row shows besides the history: a spinner while it
 * answers, a dot for an answer not seen yet.
 */
void
starling_sidebar_set_conversation_activity (StarlingSidebar *self,
                                            gint64           conversation_id,
                                            gboolean         answering,
                                            gboolean         unread)
{
  Activity activity = (answering ? ACTIVITY_ANSWERING : 0) | (unread ? ACTIVITY_UNREAD : 0);
  StarlingConversationInfo *info;

  g_return_if_fail (STARLING_IS_SIDEBAR (self));

  if (conversation_id == 0)
    return;
  if (activity != 0)
    g_hash_table_insert (self->activity, g_memdup2 (&conversation_id, sizeof conversation_id),
                         GUINT_TO_POINTER (activity));
  else
    g_hash_table_remove (self->activity, &conversation_id);

  info = g_hash_table_lookup (self->by_id, &conversation_id);
  if (info != NULL)
    apply_activity (self, info);
}

/**
 * starling_sidebar_select_conversation:
 * @conversation_id: the conversation open in the window, or 0 for none
 *
 * Marks the conversation as the current one and scrolls to it, without
 * emitting #StarlingSidebar::conversation-activated. If it is not in the
 * list yet (still loading), it is selected when it arrives.
 *
 * Returns: whether the conversation is in the list now
 */
gboolean
starling_sidebar_select_conversation (StarlingSidebar *self,
                                      gint64           conversation_id)
{
  guint position;

  g_return_val_if_fail (STARLING_IS_SIDEBAR (self), FALSE);

  self->selected_id = conversation_id;
  sync_selection (self);

  if (conversation_id == 0 || !find_position (self, conversation_id, &position))
    return FALSE;

  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
  return TRUE;
}

gint64
starling_sidebar_get_selected_conversation (StarlingSidebar *self)
{
  g_return_val_if_fail (STARLING_IS_SIDEBAR (self), 0);

  return self->selected_id;
}

/**
 * starling_sidebar_start_search:
 *
 * Opens the search bar and puts the cursor in it (Ctrl+F in the sidebar).
 */
void
starling_sidebar_start_search (StarlingSidebar *self)
{
  g_return_if_fail (STARLING_IS_SIDEBAR (self));

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/**
 * starling_sidebar_start_global_search:
 *
 * Like starling_sidebar_start_search(), from anywhere in the window
 * (Ctrl+Shift+F): the text already there is selected, to be typed over.
 */
void
starling_sidebar_start_global_search (StarlingSidebar *self)
{
  g_return_if_fail (STARLING_IS_SIDEBAR (self));

  starling_sidebar_start_search (self);
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

/**
 * starling_sidebar_search_for:
 * @text: what to look for (the terms of GNOME Shell's LaunchSearch, joined)
 *
 * Opens the search with @text typed in.
 */
void
starling_sidebar_search_for (StarlingSidebar *self,
                             const char      *text)
{
  g_return_if_fail (STARLING_IS_SIDEBAR (self));

  starling_sidebar_start_search (self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
  gtk_editable_set_position (GTK_EDITABLE (self->search_entry), -1);
}

void
starling_sidebar_stop_search (StarlingSidebar *self)
{
  g_return_if_fail (STARLING_IS_SIDEBAR (self));

  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

gboolean
starling_sidebar_get_search_mode (StarlingSidebar *self)
{
  g_return_val_if_fail (STARLING_IS_SIDEBAR (self), FALSE);

  return gtk_search_bar_get_search_mode (self->search_bar);
}

void
starling_sidebar_set_search_mode (StarlingSidebar *self,
                                  gboolean         search_mode)
{
  g_return_if_fail (STARLING_IS_SIDEBAR (self));

  if (search_mode)
    starling_sidebar_start_search (self);
  else
    starling_sidebar_stop_search (self);
}

/**
 * starling_sidebar_get_model:
 *
 * Returns: (transfer none): the rows: #StarlingConversationInfo items with
 *   header items between groups
 */
GListModel *
starling_sidebar_get_model (StarlingSidebar *self)
{
  g_return_val_if_fail (STARLING_IS_SIDEBAR (self), NULL);

  return G_LIST_MODEL (self->rows);
}

/* For tests */

void
starling_sidebar_set_now (StarlingSidebar *self,
                          GDateTime       *now)
{
  g_return_if_fail (STARLING_IS_SIDEBAR (self));

  g_clear_pointer (&self->now_override, g_date_time_unref);
  if (now != NULL)
    self->now_override = g_date_time_ref (now);
  schedule_midnight (self);
  regroup (self);
}

GListModel *
starling_sidebar_get_results (StarlingSidebar *self)
{
  return G_LIST_MODEL (self->results);
}

GtkListView *
starling_sidebar_get_list_view (StarlingSidebar *self)
{
  return self->list_view;
}

GtkListView *
starling_sidebar_get_results_view (StarlingSidebar *self)
{
  return self->results_view;
}

GtkEditable *
starling_sidebar_get_search_entry (StarlingSidebar *self)
{
  return GTK_EDITABLE (self->search_entry);
}

const char *
starling_sidebar_get_visible_page (StarlingSidebar *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

gboolean
starling_sidebar_get_searching (StarlingSidebar *self)
{
  return self->searching;
}

/**
 * starling_sidebar_find_row:
 *
 * Returns: (nullable) (transfer none): the row on screen showing the
 *   conversation (or a search hit in it, while searching)
 */
StarlingConversationRow *
starling_sidebar_find_row (StarlingSidebar *self,
                           gint64           conversation_id)
{
  GtkWidget *view = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "results") == 0
                    ? GTK_WIDGET (self->results_view) : GTK_WIDGET (self->list_view);

  if (conversation_id == 0)
    return NULL;

  for (GtkWidget *child = gtk_widget_get_first_child (view);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      StarlingConversationRow *row = row_in_list_item (child);
      StarlingConversationInfo *info;
      StarlingSearchResult *result;

      if (row == NULL || !gtk_widget_get_child_visible (child))
        continue;

      info = starling_conversation_row_get_info (row);
      result = starling_conversation_row_get_result (row);
      if ((info != NULL && starling_conversation_info_get_id (info) == conversation_id) ||
          (result != NULL && starling_search_result_get_conversation_id (result) == conversation_id))
        return row;
    }

  return NULL;
}

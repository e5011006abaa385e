/* starling-model-row.c: a model id, typed or picked from the server's list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "starling-model-row.h"

struct _StarlingModelRow
{
  AdwEntryRow         parent_instance;

  StarlingModelList  *model_list;
  GtkFilterListModel *filtered;
  char               *model_id;

  GtkMenuButton      *menu_button;
  GtkPopover         *popover;
  GtkSearchEntry     *search_entry;
  GtkListBox         *list_box;
  GtkLabel           *status_label;
  GtkStack           *refresh_stack;
};

G_DEFINE_FINAL_TYPE (StarlingModelRow, starling_model_row, ADW_TYPE_ENTRY_ROW)

enum {
  PROP_0,
  PROP_MODEL_ID,
  PROP_MODEL_LIST,
  N_PROPS
};

enum {
  CHOSEN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
filter_match (gpointer item,
              gpointer user_data)
{
  StarlingModelRow *self = user_data;
  GemModelInfo *info = item;
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *folded_query = NULL;
  g_autofree char *folded_id = NULL;
  g_autofree char *folded_name = NULL;

  if (query == NULL || *query == '\0')
    return TRUE;

  folded_query = g_utf8_casefold (query, -1);
  folded_id = g_utf8_casefold (gem_model_info_get_id (info), -1);
  folded_name = g_utf8_casefold (gem_model_info_get_display_name (info), -1);

  return strstr (folded_id, folded_query) != NULL || strstr (folded_name, folded_query) != NULL;
}

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  StarlingModelRow *self = user_data;
  GemModelInfo *info = item;
  g_autofree char *subtitle = starling_model_list_describe (info);
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), gem_model_info_get_display_name (info));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "model-id", g_strdup (gem_model_info_get_id (info)), g_free);

  if (g_strcmp0 (gem_model_info_get_id (info), self->model_id) == 0)
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("object-select-symbolic"));

  return row;
}

static void
update_status (StarlingModelRow *self)
{
  const char *error = NULL;
  g_autofree char *text = NULL;
  gboolean loading = FALSE;

  if (self->model_list != NULL)
    {
      GDateTime *updated = starling_model_list_get_updated (self->model_list);

      error = starling_model_list_get_error_message (self->model_list);
      loading = starling_model_list_get_loading (self->model_list);

      if (loading)
        text = g_strdup (_("Listing the models…"));
      else if (error != NULL)
        text = g_strdup (error);
      else if (updated != NULL)
        {
          g_autoptr(GDateTime) local = g_date_time_to_local (updated);
          g_autofree char *when = g_date_time_format (local, "%x %H:%M");
          guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model_list));

          text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u model, listed %s", "%u models, listed %s", n),
                                  n, when);
        }
    }
  else
    text = g_strdup (_("The model list is not available."));

  gtk_label_set_label (self->status_label, text != NULL ? text : "");
  if (error != NULL && !loading)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");

  gtk_stack_set_visible_child_name (self->refresh_stack, loading ? "spinner" : "button");
}

static void
rebind (StarlingModelRow *self)
{
  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->filtered), create_row_cb, self, NULL);
}

static void
choose (StarlingModelRow *self,
        const char       *model_id)
{
  g_autofree char *id = g_strstrip (g_strdup (model_id != NULL ? model_id : ""));

  if (*id == '\0')
    {
      /* An empty id is no model: show the current one again. */
      gtk_editable_set_text (GTK_EDITABLE (self), self->model_id != NULL ? self->model_id : "");
      return;
    }

  starling_model_row_set_model_id (self, gem_model_id_from_name (id));
  g_signal_emit (self, signals[CHOSEN], 0);
}

static void
apply_cb (StarlingModelRow *self)
{
  choose (self, gtk_editable_get_text (GTK_EDITABLE (self)));
}

static void
popover_show_cb (StarlingModelRow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  if (self->model_list != NULL)
    starling_model_list_ensure (self->model_list);
  rebind (self);
  update_status (self);
}

static void
search_changed_cb (StarlingModelRow *self)
{
  GtkFilter *filter = gtk_filter_list_model_get_filter (self->filtered);

  gtk_filter_changed (filter, GTK_FILTER_CHANGE_DIFFERENT);
}

static void
search_activate_cb (StarlingModelRow *self)
{
  g_autoptr(GemModelInfo) first = g_list_model_get_item (G_LIST_MODEL (self->filtered), 0);

  if (first != NULL)
    {
      choose (self, gem_model_info_get_id (first));
      gtk_popover_popdown (self->popover);
    }
}

static void
row_activated_cb (StarlingModelRow *self,
                  GtkListBoxRow    *row)
{
  const char *id = g_object_get_data (G_OBJECT (row), "model-id");

  if (id == NULL)
    return;

  choose (self, id);
  gtk_popover_popdown (self->popover);
}

static void
refresh_clicked_cb (StarlingModelRow *self)
{
  if (self->model_list != NULL)
    starling_model_list_refresh (self->model_list);
  update_status (self);
}

static void
starling_model_row_dispose (GObject *object)
{
  StarlingModelRow *self = STARLING_MODEL_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), STARLING_TYPE_MODEL_ROW);
  g_clear_object (&self->filtered);
  g_clear_object (&self->model_list);

  G_OBJECT_CLASS (starling_model_row_parent_class)->dispose (object);
}

static void
starling_model_row_finalize (GObject *object)
{
  StarlingModelRow *self = STARLING_MODEL_ROW (object);

  g_clear_pointer (&self->model_id, g_free);

  G_OBJECT_CLASS (starling_model_row_parent_class)->finalize (object);
}

static void
starling_model_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  StarlingModelRow *self = STARLING_MODEL_ROW (object);

  switch (prop_id)
    {
    case PROP_MODEL_ID:
      g_value_set_string (value, self->model_id);
      break;

    case PROP_MODEL_LIST:
      g_value_set_object (value, self->model_list);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_model_row_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  StarlingModelRow *self = STARLING_MODEL_ROW (object);

  switch (prop_id)
    {
    case PROP_MODEL_ID:
      starling_model_row_set_model_id (self, g_value_get_string (value));
      break;

    case PROP_MODEL_LIST:
      starling_model_row_set_model_list (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
starling_model_row_class_init (StarlingModelRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = starling_model_row_dispose;
  object_class->finalize = starling_model_row_finalize;
  object_class->get_property = starling_model_row_get_property;
  object_class->set_property = starling_model_row_set_property;

  properties[PROP_MODEL_ID] =
    g_param_spec_string ("model-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODEL_LIST] =
    g_param_spec_object ("model-list", NULL, NULL, STARLING_TYPE_MODEL_LIST,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * StarlingModelRow::chosen:
   *
   * Emitted when the user picked a model from the list or applied a typed id.
   */
  signals[CHOSEN] =
    g_signal_new ("chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/starlingchat/Starling/ui/starling-model-row.ui");
  gtk_widget_class_bind_template_child (widget_class, StarlingModelRow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, StarlingModelRow, popover);
  gtk_widget_class_bind_template_child (widget_class, StarlingModelRow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, StarlingModelRow, list_box);
  gtk_widget_class_bind_template_child (widget_class, StarlingModelRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, StarlingModelRow, refresh_stack);
  gtk_widget_class_bind_template_callback (widget_class, apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, refresh_clicked_cb);
}

static void
starling_model_row_init (StarlingModelRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (gtk_custom_filter_new (filter_match, self, NULL)));
  rebind (self);
  update_status (self);
}

GtkWidget *
starling_model_row_new (void)
{
  return g_object_new (STARLING_TYPE_MODEL_ROW, NULL);
}

StarlingModelList *
starling_model_row_get_model_list (StarlingModelRow *self)
{
  g_return_val_if_fail (STARLING_IS_MODEL_ROW (self), NULL);

  return self->model_list;
}

/**
 * starling_model_row_set_model_list:
 * @model_list: (nullable): the models to offer
 */
void
starling_model_row_set_model_list (StarlingModelRow  *self,
                                   StarlingModelList *model_list)
{
  g_return_if_fail (STARLING_IS_MODEL_ROW (self));
  g_return_if_fail (!model_list || STARLING_IS_MODEL_LIST (model_list));

  if (self->model_list == model_list)
    return;

  if (self->model_list != NULL)
    g_signal_handlers_disconnect_by_data (self->model_list, self);

  g_set_object (&self->model_list, model_list);
  gtk_filter_list_model_set_model (self->filtered, G_LIST_MODEL (model_list));

  if (model_list != NULL)
    {
      g_signal_connect_object (model_list, "notify::loading", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (model_list, "notify::error-message", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (model_list, "notify::updated", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
    }

  update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_LIST]);
}

const char *
starling_model_row_get_model_id (StarlingModelRow *self)
{
  g_return_val_if_fail (STARLING_IS_MODEL_ROW (self), NULL);

  return self->model_id;
}

/**
 * starling_model_row_set_model_id:
 *
 * Shows the model id; does not emit #StarlingModelRow::chosen.
 */
void
starling_model_row_set_model_id (StarlingModelRow *self,
                                 const char       *model_id)
{
  g_return_if_fail (STARLING_IS_MODEL_ROW (self));

  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self)), model_id != NULL ? model_id : "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (self), model_id != NULL ? model_id : "");

  if (g_strcmp0 (self->model_id, model_id) == 0)
    return;

  g_free (self->model_id);
  self->model_id = g_strdup (model_id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_ID]);
}

/**
 * starling_model_row_choose:
 *
 * Picks a model as the user would: sets it and emits #StarlingModelRow::chosen.
 */
void
starling_model_row_choose (StarlingModelRow *self,
                           const char       *model_id)
{
  g_return_if_fail (STARLING_IS_MODEL_ROW (self));

  choose (self, model_id);
}

GtkPopover *
starling_model_row_get_popover (StarlingModelRow *self)
{
  g_return_val_if_fail (STARLING_IS_MODEL_ROW (self), NULL);

  return self->popover;
}

/* starling-export-dialogs.c: export and import, with file choosers and error dialogs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>

#include "starling-export-dialogs.h"
#include "starling-export.h"

/* The window's toast overlay, wherever the window keeps it. */
static AdwToastOverlay *
find_toast_overlay (GtkWidget *widget)
{
  if (widget == NULL)
    return NULL;
  if (ADW_IS_TOAST_OVERLAY (widget))
    return ADW_TOAST_OVERLAY (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwToastOverlay *found = find_toast_overlay (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
show_toast (GtkWindow  *parent,
            const char *message)
{
  AdwToastOverlay *overlay = find_toast_overlay (GTK_WIDGET (parent));

  if (overlay != NULL)
    adw_toast_overlay_add_toast (overlay, adw_toast_new (message));
}

/**
 * starling_show_error_dialog:
 * @heading: what failed, as a title ("Could Not Import")
 * @body: the sentence that says why, and what to do
 */
void
starling_show_error_dialog (GtkWindow  *parent,
                            const char *heading,
                            const char *body)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

static char *
suggested_stem (StarlingStore *store,
                gint64         conversation_id)
{
  g_autoptr(StarlingConversationInfo) info = starling_store_get_conversation (store, conversation_id, NULL);
  const char *title = info != NULL ? starling_conversation_info_get_title (info) : NULL;
  g_autoptr(GString) stem = g_string_new (NULL);
  guint n = 0;

  if (title == NULL || title[0] == '\0')
    title = _("New Chat");

  /* Characters file systems or portals refuse become spaces. */
  for (const char *p = title; *p != '\0' && n < 60; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '/' || c == '\\' || c == ':' || c == '*' || c == '?' || c == '"' ||
          c == '<' || c == '>' || c == '|' || g_unichar_iscntrl (c))
        g_string_append_c (stem, ' ');
      else
        g_string_append_unichar (stem, c);
    }

  return g_strstrip (g_string_free (g_steal_pointer (&stem), FALSE));
}

/**
 * starling_export_conversation_to_file:
 * @file: where to write: JSON if its name ends in `.json`, else Markdown
 */
gboolean
starling_export_conversation_to_file (StarlingStore  *store,
                                      gint64          conversation_id,
                                      GFile          *file,
                                      GError        **error)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *lower = g_utf8_strdown (name, -1);

  if (g_str_has_suffix (lower, ".json"))
    return starling_export_json (store, conversation_id, file, error);

  return starling_export_markdown (store, conversation_id, file, error);
}

typedef struct
{
  GtkWindow     *parent;
  StarlingStore *store;
  gint64         conversation_id;
  GtkFileFilter *markdown;
  GtkFileFilter *json;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_clear_object (&data->parent);
  g_clear_object (&data->store);
  g_clear_object (&data->markdown);
  g_clear_object (&data->json);
  g_free (data);
}

static void
export_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    ExportData      *data)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *lower = NULL;

  if (response != GTK_RESPONSE_ACCEPT)
    goto out;

  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  name = g_file_get_basename (file);
  lower = g_utf8_strdown (name, -1);

  /* No known extension: the type chosen in the dialog decides. */
  if (!g_str_has_suffix (lower, ".md") && !g_str_has_suffix (lower, ".markdown") &&
      !g_str_has_suffix (lower, ".json"))
    {
      gboolean json = gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (dialog)) == data->json;
      g_autofree char *with_ext = g_strconcat (name, json ? ".json" : ".md", NULL);
      g_autoptr(GFile) parent = g_file_get_parent (file);

      g_set_object (&file, g_file_get_child (parent, with_ext));
    }

  if (!starling_export_conversation_to_file (data->store, data->conversation_id, file, &error))
    starling_show_error_dialog (data->parent, _("Could Not Export"), error->message);
  else
    show_toast (data->parent, _("Conversation exported"));

out:
  export_data_free (data);
  g_object_unref (dialog);
}

static GtkFileFilter *
make_filter (const char *name,
             const char *mime_type,
             const char *pattern)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  gtk_file_filter_add_mime_type (filter, mime_type);
  gtk_file_filter_add_pattern (filter, pattern);

  return filter;
}

/**
 * starling_export_conversation_with_dialog:
 * @parent: the window
 * @store: the history
 * @conversation_id: the conversation
 *
 * Asks where to save the conversation, as Markdown (images beside it) or as
 * JSON (the API's `contents` plus Starling's metadata), and writes it; a
 * toast says it is done, a dialog says why it failed.
 */
void
starling_export_conversation_with_dialog (GtkWindow     *parent,
                                          StarlingStore *store,
                                          gint64         conversation_id)
{
  GtkFileChooserNative *dialog;
  ExportData *data;
  g_autofree char *stem = NULL;
  g_autofree char *name = NULL;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (STARLING_IS_STORE (store));

  data = g_new0 (ExportData, 1);
  data->parent = parent != NULL ? g_object_ref (parent) : NULL;
  data->store = g_object_ref (store);
  data->conversation_id = conversation_id;
  data->markdown = make_filter (_("Markdown"), "text/markdown", "*.md");
  data->json = make_filter (_("JSON"), "application/json", "*.json");

  dialog = gtk_file_chooser_native_new (_("Export Conversation"), parent,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), data->markdown);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), data->json);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (dialog), data->markdown);

  stem = suggested_stem (store, conversation_id);
  name = g_strconcat (stem, ".md", NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);

  g_signal_connect (dialog, "response", G_CALLBACK (export_response_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

typedef struct
{
  GtkWindow     *parent;
  StarlingStore *store;
} ExportAllData;

static void
export_all_data_free (ExportAllData *data)
{
  g_clear_object (&data->parent);
  g_clear_object (&data->store);
  g_free (data);
}

static void
export_all_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  ExportAllData *data = user_data;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  if (!starling_export_all_finish (STARLING_STORE (object), result, &n, &error))
    {
      starling_show_error_dialog (data->parent, _("Could Not Export"), error->message);
    }
  else
    {
      g_autofree char *message =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u conversation exported",
                                      "%u conversations exported", n), n);

      show_toast (data->parent, message);
    }

  export_all_data_free (data);
}

static void
export_all_response_cb (GtkNativeDialog *dialog,
                        int              response,
                        ExportAllData   *data)
{
  g_autoptr(GFile) folder = NULL;

  if (response == GTK_RESPONSE_ACCEPT &&
      (folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog))) != NULL)
    starling_export_all_async (data->store, folder, NULL, export_all_done_cb, data);
  else
    export_all_data_free (data);

  g_object_unref (dialog);
}

/**
 * starling_export_all_with_dialog:
 *
 * Asks for a folder and writes every conversation there, as Markdown and
 * JSON, off the main thread.
 */
void
starling_export_all_with_dialog (GtkWindow     *parent,
                                 StarlingStore *store)
{
  GtkFileChooserNative *dialog;
  ExportAllData *data;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (STARLING_IS_STORE (store));

  data = g_new0 (ExportAllData, 1);
  data->parent = parent != NULL ? g_object_ref (parent) : NULL;
  data->store = g_object_ref (store);

  dialog = gtk_file_chooser_native_new (_("Export All Conversations"), parent,
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Export"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (export_all_response_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/**
 * starling_import_file:
 * @parent: (nullable): the window, for the error dialog and the toast
 * @file: a JSON file chosen by the user
 *
 * Imports @file; says "Conversation imported" in a toast, or shows the
 * store's sentence in a dialog and returns it in @error.
 *
 * Returns: the new conversation's id, or 0
 */
gint64
starling_import_file (GtkWindow      *parent,
                      StarlingStore  *store,
                      GFile          *file,
                      GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 id;

  g_return_val_if_fail (STARLING_IS_STORE (store), 0);
  g_return_val_if_fail (G_IS_FILE (file), 0);

  id = starling_import_json (store, file, &local_error);
  if (id <= 0)
    {
      starling_show_error_dialog (parent, _("Could Not Import"), local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return 0;
    }

  show_toast (parent, _("Conversation imported"));
  return id;
}

static void
import_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    GTask           *task)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  g_object_unref (dialog);

  if (file == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("Import was cancelled"));
      g_object_unref (task);
      return;
    }

  id = starling_import_file (g_task_get_task_data (task), g_task_get_source_object (task), file, &error);
  if (id <= 0)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, id);

  g_object_unref (task);
}

/**
 * starling_import_with_dialog:
 *
 * Asks for a JSON file (a Starling export, or any JSON with the API's
 * `contents`) and adds it to the history as a new conversation. Errors are
 * shown to the user in a dialog with the store's sentence; the callback
 * gets the new conversation's id from starling_import_with_dialog_finish().
 */
void
starling_import_with_dialog (GtkWindow           *parent,
                             StarlingStore       *store,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GtkFileChooserNative *dialog;
  GtkFileFilter *filter;
  GTask *task;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (STARLING_IS_STORE (store));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, starling_import_with_dialog);
  if (parent != NULL)
    g_task_set_task_data (task, g_object_ref (parent), g_object_unref);

  dialog = gtk_file_chooser_native_new (_("Import Conversation"), parent,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  filter = make_filter (_("JSON"), "application/json", "*.json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);

  g_signal_connect (dialog, "response", G_CALLBACK (import_response_cb), task);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/**
 * starling_import_with_dialog_finish:
 *
 * Returns: the imported conversation's id, or 0 (cancelled, or an error
 *   the user has already been shown)
 */
gint64
starling_import_with_dialog_finish (GAsyncResult  *result,
                                    GError       **error)
{
  gssize id;

  g_return_val_if_fail (G_IS_TASK (result), 0);

  id = g_task_propagate_int (G_TASK (result), error);

  return id > 0 ? id : 0;
}

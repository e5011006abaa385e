/* starling-test-keys.c: key presses in tests without a keyboard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "starling-test-keys.h"

static gboolean
trigger_matches (GtkShortcutTrigger *trigger,
                 guint               keyval,
                 GdkModifierType     modifiers)
{
  if (GTK_IS_KEYVAL_TRIGGER (trigger))
    return gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == keyval &&
           gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == modifiers;

  if (GTK_IS_ALTERNATIVE_TRIGGER (trigger))
    return trigger_matches (gtk_alternative_trigger_get_first (GTK_ALTERNATIVE_TRIGGER (trigger)), keyval, modifiers) ||
           trigger_matches (gtk_alternative_trigger_get_second (GTK_ALTERNATIVE_TRIGGER (trigger)), keyval, modifiers);

  return FALSE;
}

static gboolean
activate_shortcuts (GtkWidget           *widget,
                    GtkPropagationPhase  phase,
                    guint                keyval,
                    GdkModifierType      modifiers)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller) ||
          gtk_event_controller_get_propagation_phase (controller) != phase)
        continue;

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (trigger_matches (gtk_shortcut_get_trigger (shortcut), keyval, modifiers) &&
              gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), GTK_SHORTCUT_ACTION_EXCLUSIVE,
                                            widget, gtk_shortcut_get_arguments (shortcut)))
            return TRUE;
        }
    }

  return FALSE;
}

/* GTK 4 cannot make a key event. A key press goes where GTK sends it:
 * down from the window to the focus widget (the capture phase), then from
 * the focus widget up to the window, to the key bindings of each (Tab is
 * the window's, Enter the focused widget's), until one handles it.
 * Returns whether one did. */
gboolean
starling_test_send_key_press (GtkWidget       *window,
                              guint            keyval,
                              GdkModifierType  modifiers)
{
  GtkWidget *widget = gtk_root_get_focus (GTK_ROOT (window));
  g_autoptr(GPtrArray) path = g_ptr_array_new ();

  for (widget = widget != NULL ? widget : window; widget != NULL; widget = gtk_widget_get_parent (widget))
    g_ptr_array_add (path, widget);

  for (guint i = path->len; i > 0; i--)
    {
      if (activate_shortcuts (g_ptr_array_index (path, i - 1), GTK_PHASE_CAPTURE, keyval, modifiers))
        return TRUE;
    }

  for (guint i = 0; i < path->len; i++)
    {
      if (activate_shortcuts (g_ptr_array_index (path, i), GTK_PHASE_BUBBLE, keyval, modifiers))
        return TRUE;
    }

  return FALSE;
}

/* starling-secret.c: the API key in the keyring (libsecret)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "starling-secret.h"

static const SecretSchema *
starling_secret_get_schema (void)
{
  static const SecretSchema schema = {
    APP_ID ".ApiKey", SECRET_SCHEMA_NONE,
    {
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

/* Environment variables win over the keyring, for CI and scripts. */
const char *
starling_secret_key_from_environment (void)
{
  static const char * const names[] = { "STARLING_API_KEY", "GEMINI_API_KEY", "COMETAPI_KEY" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *value = g_getenv (names[i]);

      if (value != NULL && *value != '\0')
        return value;
    }

  return NULL;
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *key;

  key = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, key, (GDestroyNotify) secret_password_free);
}

void
starling_secret_lookup_async (GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, starling_secret_lookup_async);
  secret_password_lookup (starling_secret_get_schema (), cancellable, lookup_cb, task,
                          "kind", "gemini-api-key",
                          NULL);
}

char *
starling_secret_lookup_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_autofree char *secret = NULL;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  secret = g_task_propagate_pointer (G_TASK (result), error);
  return g_strdup (secret);
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* An empty or NULL key removes the stored one. */
void
starling_secret_store_async (const char          *key,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, starling_secret_store_async);

  if (key == NULL || *key == '\0')
    secret_password_clear (starling_secret_get_schema (), cancellable, clear_cb, task,
                           "kind", "gemini-api-key",
                           NULL);
  else
    secret_password_store (starling_secret_get_schema (), SECRET_COLLECTION_DEFAULT,
                           _("Starling: Gemini API key"), key, cancellable, store_cb, task,
                           "kind", "gemini-api-key",
                           NULL);
}

gboolean
starling_secret_store_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Forgets the stored key, waiting for the keyring; for tests that need a clean start. */
void
starling_secret_clear_sync (void)
{
  secret_password_clear_sync (starling_secret_get_schema (), NULL, NULL,
                              "kind", "gemini-api-key",
                              NULL);
}

/* fake-gemini-main.c: the fake Gemini server as a program
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fake-gemini.h"

#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FakeGemini) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *corpus = NULL;
  g_autofree char *key = NULL;
  g_auto(GStrv) routes = NULL;
  gboolean no_auth = FALSE;
  gboolean demo = FALSE;
  gboolean quiet = FALSE;
  int port = 0;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Port on 127.0.0.1 (0: a free one)", "N" },
    { "corpus", 'c', 0, G_OPTION_ARG_FILENAME, &corpus,
      "The gemini-corpus folder (default: $STARLING_CORPUS_DIR)", "DIR" },
    { "key", 'k', 0, G_OPTION_ARG_STRING, &key, "API key to require (default: test-key)", "KEY" },
    { "no-auth", 0, 0, G_OPTION_ARG_NONE, &no_auth, "Accept requests with any key or none", NULL },
    { "route", 'r', 0, G_OPTION_ARG_STRING_ARRAY, &routes,
      "Script a model (repeatable; see tests/fake-gemini/README.md)", "MODEL=SCENARIO" },
    { "demo", 'd', 0, G_OPTION_ARG_NONE, &demo, "Install the demo routes", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Do not log requests on standard error", NULL },
    { NULL }
  };

  g_set_prgname ("fake-gemini");

  context = g_option_context_new ("- a fake Gemini API server on loopback");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("fake-gemini: %s\n", error->message);
      return 2;
    }

  if (port < 0 || port > 65535)
    {
      g_printerr ("fake-gemini: bad port %d\n", port);
      return 2;
    }

  if (corpus == NULL && g_getenv ("STARLING_CORPUS_DIR") != NULL)
    corpus = g_strdup (g_getenv ("STARLING_CORPUS_DIR"));

  server = fake_gemini_new_with_port (corpus, (guint16) port, &error);
  if (server == NULL)
    {
      g_printerr ("fake-gemini: %s\n", error->message);
      return 1;
    }

  if (no_auth)
    fake_gemini_set_api_key (server, NULL);
  else if (key != NULL)
    fake_gemini_set_api_key (server, key);

  fake_gemini_set_verbose (server, !quiet);

  if (demo)
    fake_gemini_install_demo_routes (server);

  for (guint i = 0; routes != NULL && routes[i] != NULL; i++)
    {
      const char *eq = strchr (routes[i], '=');
      g_autofree char *model = NULL;

      if (eq == NULL || eq == routes[i])
        {
          g_printerr ("fake-gemini: --route wants MODEL=SCENARIO, got “%s”\n", routes[i]);
          return 2;
        }

      model = g_strndup (routes[i], eq - routes[i]);
      if (!fake_gemini_try_route (server, model, eq + 1, &error))
        {
          g_printerr ("fake-gemini: route %s: %s\n", model, error->message);
          return 2;
        }
    }

  printf ("listening on %s\n", fake_gemini_get_base_url (server));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  fake_gemini_stop (server);

  return 0;
}

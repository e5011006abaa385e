/* markdown-demo.c: a window with a Markdown view, part set at once and part
 * streamed, for the accessibility test and for looking at
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib-unix.h>
#include <string.h>

#include "starling-markdown-view.h"

static const char first_part[] =
  "# Markdown over AT-SPI\n"
  "\n"
  "Some **bold text**, *slanted*, `inline code` and a [link](https://example.com/a) or [another](javascript:alert(1)).\n"
  "\n"
  "- first item\n"
  "- second item\n"
  "  - [x] nested task\n"
  "\n"
  "> A quoted line.\n"
  "\n";

static const char streamed_part[] =
  "| Name | Value |\n"
  "|:-----|------:|\n"
  "| Cell A | 1.5 |\n"
  "| Cell B | 22 |\n"
  "| [docs](https://example.org/docs) | 3 |\n"
  "\n"
  "```python\n"
  "print('streamed')\n"
  "```\n"
  "\n"
  "The streamed end.\n";

typedef struct
{
  StarlingMarkdownView *view;
  gsize                 offset;
} Stream;

static gboolean
stream_cb (gpointer user_data)
{
  Stream *stream = user_data;
  gsize n = MIN (7, strlen (streamed_part) - stream->offset);

  starling_markdown_view_append (stream->view, streamed_part + stream->offset, n);
  stream->offset += n;
  if (stream->offset < strlen (streamed_part))
    return G_SOURCE_CONTINUE;

  starling_markdown_view_finish (stream->view);
  return G_SOURCE_REMOVE;
}

/* Links are printed instead of opened: the test clicks them. */
static gboolean
activate_link_cb (StarlingMarkdownView *view,
                  const char           *uri)
{
  g_print ("activated %s\n", uri);
  fflush (stdout);

  return TRUE;
}

/* SIGTERM closes the window: the demo ends as an app does, and in the
 * sanitizer build LeakSanitizer checks it at exit. */
static gboolean
terminate_cb (gpointer user_data)
{
  gtk_window_destroy (GTK_WINDOW (user_data));

  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Stream stream = { NULL, 0 };
  GtkWidget *window, *scroller, *view;

  g_set_prgname ("starling-markdown-demo");
  gtk_init ();
  adw_init ();

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "Markdown");
  gtk_window_set_default_size (GTK_WINDOW (window), 700, 700);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  view = starling_markdown_view_new ();
  gtk_widget_set_margin_start (view, 12);
  gtk_widget_set_margin_end (view, 12);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_window_set_child (GTK_WINDOW (window), scroller);
  g_signal_connect_swapped (window, "destroy", G_CALLBACK (g_main_loop_quit), loop);
  g_signal_connect (view, "activate-link", G_CALLBACK (activate_link_cb), NULL);
  g_unix_signal_add (SIGTERM, terminate_cb, window);

  /* A finished text that goes on streaming: its last block may continue. */
  starling_markdown_view_set_text (STARLING_MARKDOWN_VIEW (view), first_part);
  stream.view = STARLING_MARKDOWN_VIEW (view);
  g_timeout_add (5, stream_cb, &stream);

  gtk_window_present (GTK_WINDOW (window));
  g_main_loop_run (loop);

  return 0;
}

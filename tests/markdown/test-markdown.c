/* test-markdown.c: Markdown rendered into real widgets, whole and streamed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <gtksourceview/gtksource.h>
#include <string.h>

#if defined (GDK_WINDOWING_X11) && defined (HAVE_TEST_X11)
#define TEST_POINTER 1
#include <dlfcn.h>
#include <gdk/x11/gdkx.h>
#endif

#include "starling-markdown-code-block.h"
#include "starling-markdown-parser.h"
#include "starling-markdown-table.h"
#include "starling-markdown-text-view.h"
#include "starling-test-keys.h"
#include "starling-test-time.h"
#include "starling-markdown-view.h"
#include "starling-markdown-view-private.h"

typedef struct
{
  GtkWidget            *window;
  GtkWidget            *scroller;
  StarlingMarkdownView *view;
} Fixture;

static guint n_frames;

/* Helpers */

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  n_frames++;
}

/* Waits until @count more frames have been painted, for at most @limit_ms
 * (scaled; a bound against hanging, not a speed asserted). */
static void
wait_frames_at_most (GtkWidget *widget,
                     guint      count,
                     guint      limit_ms)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gulong handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);
  guint target = n_frames + count;
  gint64 deadline = g_get_monotonic_time () + starling_test_scaled_ms (limit_ms) * (gint64) 1000;

  gtk_widget_queue_draw (widget);
  while (n_frames < target && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
  g_assert_cmpuint (n_frames, >=, target);
}

static void
wait_frames (GtkWidget *widget,
             guint      count)
{
  wait_frames_at_most (widget, count, 20000);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  fixture->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 640, 480);
  fixture->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (fixture->scroller),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  fixture->view = STARLING_MARKDOWN_VIEW (starling_markdown_view_new ());
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (fixture->scroller), GTK_WIDGET (fixture->view));
  gtk_window_set_child (GTK_WINDOW (fixture->window), fixture->scroller);
  gtk_window_present (GTK_WINDOW (fixture->window));

  while (!gtk_widget_get_mapped (fixture->window) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (fixture->view)));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static guint
n_blocks (StarlingMarkdownView *view)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;

  return n;
}

static GtkWidget *
block_at (StarlingMarkdownView *view,
          guint                 index)
{
  GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (view));

  for (guint i = 0; i < index && child != NULL; i++)
    child = gtk_widget_get_next_sibling (child);
  g_assert_nonnull (child);

  return child;
}

static char *
buffer_text (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

static GtkWidget *
find_descendant (GtkWidget *root,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The text view holding @needle, and where: the prose of the view is
 * looked up as the user reads it. */
static GtkTextBuffer *
find_text (StarlingMarkdownView *view,
           const char           *needle,
           GtkTextIter          *start,
           GtkTextIter          *end)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkTextBuffer *buffer;
      g_autofree char *text = NULL;
      const char *found;

      if (!GTK_IS_TEXT_VIEW (child) || GTK_SOURCE_IS_VIEW (child))
        continue;

      buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (child));
      text = buffer_text (buffer);
      found = strstr (text, needle);
      if (found == NULL)
        continue;

      gtk_text_buffer_get_iter_at_offset (buffer, start, g_utf8_pointer_to_offset (text, found));
      gtk_text_buffer_get_iter_at_offset (buffer, end, g_utf8_pointer_to_offset (text, found + strlen (needle)));
      return buffer;
    }

  g_error ("“%s” is not shown", needle);
  return NULL;
}

static gboolean
range_has_tag (GtkTextBuffer     *buffer,
               const GtkTextIter *start,
               const GtkTextIter *end,
               const char        *tag_name)
{
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), tag_name);
  GtkTextIter iter = *start;

  g_assert_nonnull (tag);
  while (gtk_text_iter_compare (&iter, end) < 0)
    {
      if (!gtk_text_iter_has_tag (&iter, tag))
        return FALSE;
      gtk_text_iter_forward_char (&iter);
    }

  return TRUE;
}

static gboolean
range_has_no_tag (GtkTextBuffer     *buffer,
                  const GtkTextIter *start,
                  const GtkTextIter *end,
                  const char        *tag_name)
{
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), tag_name);
  GtkTextIter iter = *start;

  g_assert_nonnull (tag);
  while (gtk_text_iter_compare (&iter, end) < 0)
    {
      if (gtk_text_iter_has_tag (&iter, tag))
        return FALSE;
      gtk_text_iter_forward_char (&iter);
    }

  return TRUE;
}

/* @needle, and only @needle around it, carries the tag. */
static void
assert_tag_exactly (StarlingMarkdownView *view,
                    const char           *needle,
                    const char           *tag_name)
{
  GtkTextIter start, end;
  GtkTextBuffer *buffer = find_text (view, needle, &start, &end);
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), tag_name);

  g_assert_true (range_has_tag (buffer, &start, &end, tag_name));
  g_assert_true (gtk_text_iter_starts_tag (&start, tag));
  g_assert_true (gtk_text_iter_ends_tag (&end, tag));
}

static void
assert_no_tag (StarlingMarkdownView *view,
               const char           *needle,
               const char           *tag_name)
{
  GtkTextIter start, end;
  GtkTextBuffer *buffer = find_text (view, needle, &start, &end);

  g_assert_true (range_has_no_tag (buffer, &start, &end, tag_name));
}

static void
assert_visible_text (StarlingMarkdownView *view,
                     const char           *expected)
{
  g_autofree char *text = starling_markdown_view_dup_visible_text (view);

  g_assert_cmpstr (text, ==, expected);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  char *name_a = NULL, *name_b = NULL;
  int result;

  g_object_get (*(GtkTextTag **) a, "name", &name_a, NULL);
  g_object_get (*(GtkTextTag **) b, "name", &name_b, NULL);
  result = g_strcmp0 (name_a, name_b);
  g_free (name_a);
  g_free (name_b);

  return result;
}

static void
append_toggles (GString           *out,
                const GtkTextIter *iter,
                gboolean           on)
{
  GSList *tags = gtk_text_iter_get_toggled_tags (iter, on);
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();

  for (GSList *l = tags; l != NULL; l = l->next)
    g_ptr_array_add (sorted, l->data);
  g_ptr_array_sort (sorted, compare_names);
  for (guint i = 0; i < sorted->len; i++)
    {
      g_autofree char *name = NULL;

      g_object_get (g_ptr_array_index (sorted, i), "name", &name, NULL);
      g_string_append_printf (out, on ? "<%s>" : "</%s>", name);
    }
  g_slist_free (tags);
}

/* Everything a user sees, as text: the blocks, their text, every tag
 * toggle and link target, code with its language, table cells with their
 * markup and alignment. */
static char *
dump_view (StarlingMarkdownView *view)
{
  GString *out = g_string_new (NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      g_string_append_printf (out, "[%s margin %d]\n", G_OBJECT_TYPE_NAME (child),
                              gtk_widget_get_margin_start (child));

      if (STARLING_IS_MARKDOWN_CODE_BLOCK (child))
        {
          StarlingMarkdownCodeBlock *block = STARLING_MARKDOWN_CODE_BLOCK (child);
          GtkSourceView *source_view = GTK_SOURCE_VIEW (find_descendant (child, GTK_SOURCE_TYPE_VIEW));
          GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (source_view)));
          GtkSourceLanguage *language = gtk_source_buffer_get_language (buffer);
          g_autofree char *code = starling_markdown_code_block_dup_code (block);

          g_string_append_printf (out, "%s %s\n%s\n", starling_markdown_code_block_get_language (block),
                                  language != NULL ? gtk_source_language_get_id (language) : "-", code);
        }
      else if (STARLING_IS_MARKDOWN_TABLE (child))
        {
          StarlingMarkdownTable *table = STARLING_MARKDOWN_TABLE (child);

          for (guint row = 0; row < starling_markdown_table_get_n_rows (table); row++)
            {
              for (guint col = 0; col < starling_markdown_table_get_n_cols (table); col++)
                {
                  GtkLabel *label = starling_markdown_table_get_cell (table, row, col);

                  g_string_append_printf (out, "%s@%.1f|", gtk_label_get_label (label),
                                          gtk_label_get_xalign (label));
                }
              g_string_append_c (out, '\n');
            }
        }
      else if (GTK_IS_TEXT_VIEW (child))
        {
          GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (child));
          GtkTextIter iter, next;

          gtk_text_buffer_get_start_iter (buffer, &iter);
          while (!gtk_text_iter_is_end (&iter))
            {
              g_autofree char *slice = NULL;
              const char *uri;

              append_toggles (out, &iter, FALSE);
              append_toggles (out, &iter, TRUE);
              uri = starling_markdown_view_get_link_at_iter (view, &iter);
              if (uri != NULL && gtk_text_iter_starts_tag (&iter, gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "link")))
                g_string_append_printf (out, "{%s}", uri);

              next = iter;
              gtk_text_iter_forward_to_tag_toggle (&next, NULL);
              slice = gtk_text_iter_get_text (&iter, &next);
              g_string_append (out, slice);
              iter = next;
            }
          append_toggles (out, &iter, FALSE);
          g_string_append_c (out, '\n');
        }
      else
        {
          g_assert_not_reached ();
        }
    }

  return g_string_free (out, FALSE);
}

static char *
read_bench_file (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("STARLING_BENCH_DIR"), name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_nonnull (g_getenv ("STARLING_BENCH_DIR"));
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

/* Constructs */

static void
test_emphasis (Fixture       *fixture,
               gconstpointer  data)
{
  starling_markdown_view_set_text (fixture->view,
                                   "Some **bold**, *italic*, ~~struck~~, ***both*** and `code <b>`.");

  assert_visible_text (fixture->view, "Some bold, italic, struck, both and code <b>.");
  assert_tag_exactly (fixture->view, "bold", "bold");
  assert_tag_exactly (fixture->view, "italic", "italic");
  assert_tag_exactly (fixture->view, "struck", "strikethrough");
  assert_tag_exactly (fixture->view, "both", "bold");
  assert_tag_exactly (fixture->view, "both", "italic");
  assert_tag_exactly (fixture->view, "code <b>", "code");
  assert_no_tag (fixture->view, "Some ", "bold");
  assert_no_tag (fixture->view, "Some ", "code");
  assert_no_tag (fixture->view, " and ", "italic");
  g_assert_cmpuint (n_blocks (fixture->view), ==, 1);
  g_assert_true (GTK_IS_TEXT_VIEW (block_at (fixture->view, 0)));
  g_assert_false (gtk_text_view_get_editable (GTK_TEXT_VIEW (block_at (fixture->view, 0))));
  g_assert_cmpint (gtk_text_view_get_wrap_mode (GTK_TEXT_VIEW (block_at (fixture->view, 0))), ==, GTK_WRAP_WORD_CHAR);
}

static void
test_headings (Fixture       *fixture,
               gconstpointer  data)
{
  starling_markdown_view_set_text (fixture->view,
                                   "# One\n\n## Two *x*\n\n### Three\n\n###### Six\n\nBody\n\nSetext\n======\n");

  assert_visible_text (fixture->view, "One\nTwo x\nThree\nSix\nBody\nSetext");
  assert_tag_exactly (fixture->view, "One", "h1");
  assert_tag_exactly (fixture->view, "Two x", "h2");
  assert_tag_exactly (fixture->view, "x", "italic");
  assert_tag_exactly (fixture->view, "Three", "h3");
  assert_tag_exactly (fixture->view, "Six", "h6");
  assert_tag_exactly (fixture->view, "Setext", "h1");
  for (guint level = 1; level <= 6; level++)
    {
      g_autofree char *name = g_strdup_printf ("h%u", level);

      assert_no_tag (fixture->view, "Body", name);
    }
}

static void
test_links (Fixture       *fixture,
            gconstpointer  data)
{
  static const struct
  {
    const char *text;
    const char *uri;
  } cases[] = {
    { "web", "https://example.com/a?b=1&c=2" },
    { "plain", "http://example.org/" },
    { "mail", "mailto:someone@example.com" },
    { "https://auto.example.net/path", "https://auto.example.net/path" },
    { "js", NULL },
    { "file", NULL },
    { "data", NULL },
    { "relative", NULL },
    { "ftp", NULL },
  };
  GtkTextIter start, end;
  GtkTextBuffer *buffer;

  starling_markdown_view_set_text (fixture->view,
                                   "[web](https://example.com/a?b=1&amp;c=2) [plain](http://example.org/) "
                                   "[mail](mailto:someone@example.com) <https://auto.example.net/path> "
                                   "[js](javascript:alert(1)) [file](file:///etc/passwd) "
                                   "[data](data:text/html,<b>x</b>) [relative](/somewhere) "
                                   "[ftp](ftp://example.com/f)");

  assert_visible_text (fixture->view, "web plain mail https://auto.example.net/path js file data relative ftp");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      buffer = find_text (fixture->view, cases[i].text, &start, &end);

      if (cases[i].uri != NULL)
        {
          assert_tag_exactly (fixture->view, cases[i].text, "link");
          g_assert_cmpstr (starling_markdown_view_get_link_at_iter (fixture->view, &start), ==, cases[i].uri);
          gtk_text_iter_backward_char (&end);
          g_assert_cmpstr (starling_markdown_view_get_link_at_iter (fixture->view, &end), ==, cases[i].uri);
        }
      else
        {
          g_assert_true (range_has_no_tag (buffer, &start, &end, "link"));
          g_assert_null (starling_markdown_view_get_link_at_iter (fixture->view, &start));
        }
    }

  /* Between the links, nothing is clickable. */
  buffer = find_text (fixture->view, " plain", &start, &end);
  g_assert_null (starling_markdown_view_get_link_at_iter (fixture->view, &start));
}

static void
test_lists (Fixture       *fixture,
            gconstpointer  data)
{
  GtkTextIter start, end;
  GtkTextBuffer *buffer;

  starling_markdown_view_set_text (fixture->view,
                                   "- first\n- second\n  - nested\n    - deeper\n- third\n\n"
                                   "1. one\n2. two\n3. three\n\n"
                                   "7) seven\n8) eight\n");

  assert_visible_text (fixture->view,
                       "•\tfirst\n•\tsecond\n◦\tnested\n▪\tdeeper\n•\tthird\n"
                       "1.\tone\n2.\ttwo\n3.\tthree\n"
                       "7)\tseven\n8)\teight");

  buffer = find_text (fixture->view, "•\tfirst", &start, &end);
  g_assert_true (range_has_tag (buffer, &start, &end, "margin-0-1-hanging"));
  buffer = find_text (fixture->view, "◦\tnested", &start, &end);
  g_assert_true (range_has_tag (buffer, &start, &end, "margin-0-2-hanging"));
  buffer = find_text (fixture->view, "▪\tdeeper", &start, &end);
  g_assert_true (range_has_tag (buffer, &start, &end, "margin-0-3-hanging"));
  buffer = find_text (fixture->view, "2.\ttwo", &start, &end);
  g_assert_true (range_has_tag (buffer, &start, &end, "margin-0-1-hanging"));
  /* Tight items sit close together, a new list gets the space of a block. */
  buffer = find_text (fixture->view, "•\tsecond", &start, &end);
  g_assert_true (range_has_tag (buffer, &start, &end, "gap-item"));
  buffer = find_text (fixture->view, "1.\tone", &start, &end);
  g_assert_true (range_has_tag (buffer, &start, &end, "gap-block"));
}

static void
test_loose_list_paragraphs (Fixture       *fixture,
                            gconstpointer  data)
{
  GtkTextIter start, end;
  GtkTextBuffer *buffer;

  starling_markdown_view_set_text (fixture->view, "- item one\n  goes on\n\n  second paragraph\n\n- item two\n");

  assert_visible_text (fixture->view, "•\titem one\ngoes on\nsecond paragraph\n•\titem two");
  /* Lines after the first of an item align with its text, not its bullet. */
  buffer = find_text (fixture->view, "goes on", &start, &end);
  g_assert_true (range_has_tag (buffer, &start, &end, "margin-0-1"));
  buffer = find_text (fixture->view, "second paragraph", &start, &end);
  g_assert_true (range_has_tag (buffer, &start, &end, "margin-0-1"));
  g_assert_true (range_has_tag (buffer, &start, &end, "gap-block"));
}

static void
test_task_list (Fixture       *fixture,
                gconstpointer  data)
{
  starling_markdown_view_set_text (fixture->view, "- [ ] open task\n- [x] done task\n- [X] also done\n");

  assert_visible_text (fixture->view, "☐\topen task\n☑\tdone task\n☑\talso done");
}

static void
test_quote (Fixture       *fixture,
            gconstpointer  data)
{
  starling_markdown_view_set_text (fixture->view, "> quoted *text*\n> > inner\n\nafter");

  assert_visible_text (fixture->view, "quoted text\ninner\nafter");
  assert_tag_exactly (fixture->view, "quoted text", "quote");
  assert_tag_exactly (fixture->view, "quoted text", "margin-1-0");
  assert_tag_exactly (fixture->view, "inner", "margin-2-0");
  assert_no_tag (fixture->view, "after", "quote");
}

static void
test_rule (Fixture       *fixture,
           gconstpointer  data)
{
  GtkTextIter start, end;
  GtkTextBuffer *buffer;

  starling_markdown_view_set_text (fixture->view, "above\n\n---\n\nbelow\n\n***\n");

  assert_visible_text (fixture->view, "above\n\n―――\nbelow\n\n―――");
  buffer = find_text (fixture->view, "―――", &start, &end);
  g_assert_true (range_has_tag (buffer, &start, &end, "rule"));
  gtk_text_iter_backward_char (&start);
  g_assert_cmpint (gtk_text_iter_get_char (&start), ==, '\n');
  g_assert_true (gtk_text_iter_has_tag (&start, gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "rule-spacer")));
  assert_no_tag (fixture->view, "above", "rule");
  assert_no_tag (fixture->view, "below", "rule");
}

static void
read_text_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);
  g_assert_no_error (error);
}

static void
test_code_block (Fixture       *fixture,
                 gconstpointer  data)
{
  const char *code = "def hello(name):\n    print(f\"<b>{name}</b> & co\")\n\n    return 1";
  g_autofree char *markdown = g_strdup_printf ("Before\n\n```py\n%s\n```\n\nAfter", code);
  g_autofree char *copied = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *visible = NULL;
  StarlingMarkdownCodeBlock *block;
  GtkWidget *source_view, *button, *label;
  GtkSourceBuffer *buffer;
  GdkClipboard *clipboard;

  starling_markdown_view_set_text (fixture->view, markdown);

  g_assert_cmpuint (n_blocks (fixture->view), ==, 3);
  g_assert_true (STARLING_IS_MARKDOWN_CODE_BLOCK (block_at (fixture->view, 1)));
  block = STARLING_MARKDOWN_CODE_BLOCK (block_at (fixture->view, 1));
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (block)), ==, GTK_ACCESSIBLE_ROLE_GROUP);

  source_view = find_descendant (GTK_WIDGET (block), GTK_SOURCE_TYPE_VIEW);
  g_assert_nonnull (source_view);
  g_assert_false (gtk_text_view_get_editable (GTK_TEXT_VIEW (source_view)));
  g_assert_true (gtk_text_view_get_monospace (GTK_TEXT_VIEW (source_view)));
  g_assert_true (GTK_IS_SCROLLED_WINDOW (gtk_widget_get_parent (gtk_widget_get_parent (source_view))) ||
                 GTK_IS_SCROLLED_WINDOW (gtk_widget_get_parent (source_view)));
  buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (source_view)));
  g_assert_nonnull (gtk_source_buffer_get_language (buffer));
  g_assert_cmpstr (gtk_source_language_get_id (gtk_source_buffer_get_language (buffer)), ==, "python3");
  g_assert_true (gtk_source_buffer_get_highlight_syntax (buffer));
  g_assert_nonnull (gtk_source_buffer_get_style_scheme (buffer));
  g_assert_cmpstr (gtk_source_style_scheme_get_id (gtk_source_buffer_get_style_scheme (buffer)), ==, "Adwaita");
  shown = buffer_text (GTK_TEXT_BUFFER (buffer));
  g_assert_cmpstr (shown, ==, code);

  label = find_descendant (GTK_WIDGET (block), GTK_TYPE_LABEL);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, "py");

  visible = starling_markdown_view_dup_visible_text (fixture->view);
  g_assert_cmpstr (visible, ==, "Before\ndef hello(name):\n    print(f\"<b>{name}</b> & co\")\n\n    return 1\nAfter");

  /* The copy button puts the code, as written, on the clipboard. */
  button = find_descendant (GTK_WIDGET (block), GTK_TYPE_BUTTON);
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "Copy Code");
  clipboard = gtk_widget_get_clipboard (button);
  gdk_clipboard_set_text (clipboard, "something else");
  g_signal_emit_by_name (button, "clicked");
  gdk_clipboard_read_text_async (clipboard, NULL, read_text_cb, &copied);
  while (copied == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (copied, ==, code);
}

static void
test_code_languages (Fixture       *fixture,
                     gconstpointer  data)
{
  static const struct
  {
    const char *fence;
    const char *id;
  } cases[] = {
    { "js", "js" }, { "javascript", "js" }, { "ts", "typescript" }, { "python", "python3" },
    { "sh", "sh" }, { "bash", "sh" }, { "c++", "cpp" }, { "C", "c" }, { "yml", "yaml" },
    { "rust", "rust" }, { "json", "json" }, { "diff", "diff" }, { "no-such-language", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *markdown = g_strdup_printf ("```%s\nx = 1\n```", cases[i].fence);
      GtkWidget *source_view;
      GtkSourceLanguage *language;

      starling_markdown_view_set_text (fixture->view, markdown);
      g_assert_cmpuint (n_blocks (fixture->view), ==, 1);
      source_view = find_descendant (block_at (fixture->view, 0), GTK_SOURCE_TYPE_VIEW);
      language = gtk_source_buffer_get_language (GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (source_view))));
      g_assert_cmpstr (language != NULL ? gtk_source_language_get_id (language) : NULL, ==, cases[i].id);
    }
}

static void
test_code_dark (Fixture       *fixture,
                gconstpointer  data)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  GtkWidget *source_view;
  GtkSourceBuffer *buffer;

  starling_markdown_view_set_text (fixture->view, "```c\nint x;\n```");
  source_view = find_descendant (block_at (fixture->view, 0), GTK_SOURCE_TYPE_VIEW);
  buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (source_view)));

  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_cmpstr (gtk_source_style_scheme_get_id (gtk_source_buffer_get_style_scheme (buffer)), ==, "Adwaita-dark");
  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  g_assert_cmpstr (gtk_source_style_scheme_get_id (gtk_source_buffer_get_style_scheme (buffer)), ==, "Adwaita");
  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_DEFAULT);
}

static void
test_table (Fixture       *fixture,
            gconstpointer  data)
{
  StarlingMarkdownTable *table;
  static const char *texts[3][3] = {
    { "Left", "Center", "Right" },
    { "x", "y & <z>", "1.5" },
    { "two", "", "" },
  };

  starling_markdown_view_set_text (fixture->view,
                                   "Intro\n\n"
                                   "| Left | Center | Right |\n"
                                   "|:-----|:------:|------:|\n"
                                   "| **x** | `y & <z>` | 1.5 |\n"
                                   "| two |\n\n"
                                   "Outro");

  g_assert_cmpuint (n_blocks (fixture->view), ==, 3);
  g_assert_true (STARLING_IS_MARKDOWN_TABLE (block_at (fixture->view, 1)));
  table = STARLING_MARKDOWN_TABLE (block_at (fixture->view, 1));
  g_assert_nonnull (find_descendant (GTK_WIDGET (table), GTK_TYPE_SCROLLED_WINDOW));
  g_assert_nonnull (find_descendant (GTK_WIDGET (table), GTK_TYPE_GRID));
  g_assert_cmpuint (starling_markdown_table_get_n_rows (table), ==, 3);
  g_assert_cmpuint (starling_markdown_table_get_n_cols (table), ==, 3);

  for (guint row = 0; row < 3; row++)
    {
      for (guint col = 0; col < 3; col++)
        {
          GtkLabel *label = starling_markdown_table_get_cell (table, row, col);

          g_assert_cmpstr (gtk_label_get_text (label), ==, texts[row][col]);
          /* Short cells never wrap (see below for a long one). */
          g_assert_false (gtk_label_get_wrap (label));
          g_assert_cmpfloat (gtk_label_get_xalign (label), ==, col * 0.5);
        }
    }

  /* The header is bold; inline markup is rendered, text stays text. */
  g_assert_cmpstr (gtk_label_get_label (starling_markdown_table_get_cell (table, 0, 0)), ==, "<b>Left</b>");
  g_assert_cmpstr (gtk_label_get_label (starling_markdown_table_get_cell (table, 1, 0)), ==, "<b>x</b>");
  g_assert_cmpstr (gtk_label_get_label (starling_markdown_table_get_cell (table, 1, 1)), ==, "<tt>y &amp; &lt;z&gt;</tt>");
  g_assert_false (g_str_has_prefix (gtk_label_get_label (starling_markdown_table_get_cell (table, 1, 2)), "<b>"));

  assert_visible_text (fixture->view, "Intro\nLeft\tCenter\tRight\nx\ty & <z>\t1.5\ntwo\t\t\nOutro");

  /* A cell longer than the 40 characters a column may take wraps there. */
  starling_markdown_view_set_text (fixture->view,
                                   "| Short | Long |\n|---|---|\n"
                                   "| x | Forty-one characters, then a few more words to wrap. |\n");
  table = STARLING_MARKDOWN_TABLE (block_at (fixture->view, 0));
  g_assert_false (gtk_label_get_wrap (starling_markdown_table_get_cell (table, 1, 0)));
  g_assert_true (gtk_label_get_wrap (starling_markdown_table_get_cell (table, 1, 1)));
  wait_frames (fixture->window, 2);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (starling_markdown_table_get_cell (table, 1, 1))), <,
                   gtk_widget_get_width (fixture->window));
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (starling_markdown_table_get_cell (table, 1, 1))), >,
                   gtk_widget_get_height (GTK_WIDGET (starling_markdown_table_get_cell (table, 1, 0))));
}

static void
test_table_links_and_hostile_cells (Fixture       *fixture,
                                    gconstpointer  data)
{
  StarlingMarkdownTable *table;

  starling_markdown_view_set_text (fixture->view,
                                   "| a | b |\n|---|---|\n"
                                   "| [ok](https://example.com/?q=1&amp;r=\"2\") | [no](javascript:alert(1)) |\n"
                                   "| <span foreground=\"red\">x</span> | &lt;/b&gt; &amp; ' \" |\n");

  table = STARLING_MARKDOWN_TABLE (block_at (fixture->view, 0));
  g_assert_cmpstr (gtk_label_get_label (starling_markdown_table_get_cell (table, 1, 0)), ==,
                   "<a href=\"https://example.com/?q=1&amp;r=&quot;2&quot;\">ok</a>");
  g_assert_cmpstr (gtk_label_get_label (starling_markdown_table_get_cell (table, 1, 1)), ==, "no");
  g_assert_cmpstr (gtk_label_get_text (starling_markdown_table_get_cell (table, 2, 0)), ==,
                   "<span foreground=\"red\">x</span>");
  g_assert_cmpstr (gtk_label_get_text (starling_markdown_table_get_cell (table, 2, 1)), ==, "</b> & ' \"");
}

static void
test_image_and_entities (Fixture       *fixture,
                         gconstpointer  data)
{
  starling_markdown_view_set_text (fixture->view,
                                   "![a *diagram* of it](https://example.com/x.png \"title\") "
                                   "&amp; &copy; &#x1F600; &#0; &bogus; a\\*b");

  assert_visible_text (fixture->view, "a diagram of it & © 😀 \xef\xbf\xbd &bogus; a*b");
}

/* Hostile input */

static void
test_hostile_markup (Fixture       *fixture,
                     gconstpointer  data)
{
  const char *text = "<span foreground='red' size='99999'>x</span> &lt;b&gt; <b>not bold</b> %s %n";

  starling_markdown_view_set_text (fixture->view, text);

  assert_visible_text (fixture->view, "<span foreground='red' size='99999'>x</span> <b> <b>not bold</b> %s %n");
  assert_no_tag (fixture->view, "not bold", "bold");
}

static void
test_hostile_invalid_utf8 (Fixture       *fixture,
                           gconstpointer  data)
{
  starling_markdown_view_set_text (fixture->view, "ok \xff\xfe bad \xc3 **x\xe2\x82**");

  assert_visible_text (fixture->view, "ok \xef\xbf\xbd\xef\xbf\xbd bad \xef\xbf\xbd x\xef\xbf\xbd\xef\xbf\xbd");
  g_assert_true (g_utf8_validate (starling_markdown_view_get_text (fixture->view), -1, NULL));
  assert_tag_exactly (fixture->view, "x\xef\xbf\xbd\xef\xbf\xbd", "bold");
}

static void
test_hostile_nul_bytes (Fixture       *fixture,
                        gconstpointer  data)
{
  static const char data_with_nul[] = "a\0b **c\0**\n\n```\n\0\n```";

  starling_markdown_view_append (fixture->view, data_with_nul, sizeof data_with_nul - 1);
  starling_markdown_view_finish (fixture->view);

  assert_visible_text (fixture->view, "a\xef\xbf\xbd" "b c\xef\xbf\xbd\n\xef\xbf\xbd");
  g_assert_cmpuint (strlen (starling_markdown_view_get_text (fixture->view)), ==, sizeof data_with_nul - 1 + 3 * 2);
}

static void
test_hostile_split_characters (Fixture       *fixture,
                               gconstpointer  data)
{
  const char *text = "é 😀 ☑ \xff end";
  gsize len = strlen (text);

  /* Every character cut in two or more pieces, one byte per delta. */
  for (gsize i = 0; i < len; i++)
    starling_markdown_view_append (fixture->view, text + i, 1);
  starling_markdown_view_finish (fixture->view);

  assert_visible_text (fixture->view, "é 😀 ☑ \xef\xbf\xbd end");
}

static void
test_hostile_huge_line (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *piece = "lorem **ipsum** <dolor> `sit` [amet](https://example.com) ";
  const char *shown = "lorem ipsum <dolor> sit amet ";
  gsize target = 10 * 1024 * 1024;
  g_autoptr(GString) text = g_string_sized_new (target + 64);
  g_autofree char *visible = NULL;
  guint repeats = 0;
  gint64 start;

  while (text->len + strlen (piece) <= target)
    {
      g_string_append (text, piece);
      repeats++;
    }

  start = g_get_monotonic_time ();
  starling_markdown_view_set_text (fixture->view, text->str);
  g_test_message ("10 MB line: set_text took %.0f ms", (g_get_monotonic_time () - start) / 1000.0);

  visible = starling_markdown_view_dup_visible_text (fixture->view);
  /* The line is cut into pieces at spaces, which become line breaks. */
  g_assert_cmpuint (g_utf8_strlen (visible, -1), ==, (gsize) repeats * g_utf8_strlen (shown, -1) - 1);
  g_assert_true (g_str_has_prefix (visible, "lorem ipsum <dolor> sit amet lorem"));
  assert_tag_exactly (fixture->view, "ipsum", "bold");

  /* Laying out 10 MB of text makes millions of allocations: under the
   * sanitizers with leak checking, each one walks its stack, and the first
   * frames take over a minute on a busy machine. */
  start = g_get_monotonic_time ();
  wait_frames_at_most (fixture->window, 2, 60000);
  g_test_message ("10 MB line: first frames took %.0f ms", (g_get_monotonic_time () - start) / 1000.0);
}

static void
test_hostile_long_word (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *word = g_strnfill (3 * 1024 * 1024, 'x');
  g_autofree char *visible = NULL;
  gint64 start = g_get_monotonic_time ();

  starling_markdown_view_set_text (fixture->view, word);
  wait_frames (fixture->window, 1);
  g_test_message ("3 MB word: %.0f ms", (g_get_monotonic_time () - start) / 1000.0);

  /* No space to cut at: the pieces are separated by line breaks. */
  visible = starling_markdown_view_dup_visible_text (fixture->view);
  g_assert_cmpuint (strlen (visible), ==, 3 * 1024 * 1024 + 3 * 1024 * 1024 / 16384 - 1);
  g_assert_cmpuint (strspn (visible, "x\n"), ==, strlen (visible));
}

static void
test_hostile_unclosed_fence (Fixture       *fixture,
                             gconstpointer  data)
{
  starling_markdown_view_set_text (fixture->view, "text\n\n```python\ndef f():\n    return '<b>'\n\n  more");

  g_assert_cmpuint (n_blocks (fixture->view), ==, 2);
  g_assert_true (STARLING_IS_MARKDOWN_CODE_BLOCK (block_at (fixture->view, 1)));
  assert_visible_text (fixture->view, "text\ndef f():\n    return '<b>'\n\n  more");
}

static void
test_hostile_deep_nesting (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GString) quotes = g_string_new (NULL);
  g_autoptr(GString) lists = g_string_new (NULL);
  g_autoptr(GString) brackets = g_string_new (NULL);
  g_autofree char *visible = NULL;
  guint n_brackets;
  GtkTextIter start, end;
  GtkTextBuffer *buffer;

  for (guint i = 0; i < 5000; i++)
    g_string_append (quotes, "> ");
  g_string_append (quotes, "deep quote");
  starling_markdown_view_set_text (fixture->view, quotes->str);
  assert_visible_text (fixture->view, "deep quote");
  /* Nesting is drawn up to a depth, not further. */
  buffer = find_text (fixture->view, "deep quote", &start, &end);
  g_assert_true (range_has_tag (buffer, &start, &end, "margin-4-0"));

  for (guint i = 0; i < 300; i++)
    {
      for (guint j = 0; j < i; j++)
        g_string_append (lists, "  ");
      g_string_append_printf (lists, "- level %u\n", i);
    }
  starling_markdown_view_set_text (fixture->view, lists->str);
  visible = starling_markdown_view_dup_visible_text (fixture->view);
  g_assert_nonnull (strstr (visible, "level 299"));
  buffer = find_text (fixture->view, "level 299", &start, &end);
  g_assert_true (range_has_tag (buffer, &start, &end, "margin-0-6-hanging"));

  for (guint i = 0; i < 100000; i++)
    g_string_append (brackets, "[*_`");
  starling_markdown_view_set_text (fixture->view, brackets->str);
  g_clear_pointer (&visible, g_free);
  visible = starling_markdown_view_dup_visible_text (fixture->view);
  /* No bracket is part of a link: every one of them is shown. */
  n_brackets = 0;
  for (const char *p = visible; *p != '\0'; p++)
    n_brackets += *p == '[';
  g_assert_cmpuint (n_brackets, ==, 100000);
}

/* The parser alone, on what the fuzzer found (tests/fuzz/regressions/markdown)
 * and on NULs, which the view turns into U+FFFD before parsing but the
 * parser must stand too. */
static void
check_units (GPtrArray *units)
{
  for (guint i = 0; i < units->len; i++)
    {
      const StarlingMdUnit *unit = g_ptr_array_index (units, i);

      g_assert_null (memchr (unit->text->str, '\0', unit->text->len));
      g_assert_true (g_utf8_validate (unit->text->str, unit->text->len, NULL));
      if (unit->kind == STARLING_MD_UNIT_PROSE)
        g_assert_cmpuint (unit->n_chars, ==, g_utf8_strlen (unit->text->str, unit->text->len));
      if (unit->kind == STARLING_MD_UNIT_TABLE)
        {
          for (guint j = 0; j < unit->cells->len; j++)
            {
              const StarlingMdCell *cell = g_ptr_array_index (unit->cells, j);
              GtkWidget *label = g_object_ref_sink (gtk_label_new (NULL));

              /* A label warns (fatal in tests) about markup it cannot parse. */
              gtk_label_set_markup (GTK_LABEL (label), cell->markup);
              g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, cell->text);
              g_object_unref (label);
            }
        }
      g_assert_true (starling_md_unit_equal (unit, unit));
    }
}

static void
test_parser_nul_and_regressions (void)
{
  static const char code_nul[] = "`a\0b` and\n\n```\nx\0y\n```\n| h |\n|---|\n| `\0` |";
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "fuzz", "regressions", "markdown", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) units = NULL;
  const char *name;
  guint n_files = 0;

  units = starling_md_parse (code_nul, sizeof code_nul - 1);
  check_units (units);
  g_assert_cmpuint (units->len, ==, 3);
  g_assert_cmpstr (((StarlingMdUnit *) g_ptr_array_index (units, 0))->text->str, ==, "a\xef\xbf\xbd" "b and");
  g_assert_cmpstr (((StarlingMdUnit *) g_ptr_array_index (units, 1))->text->str, ==, "x\xef\xbf\xbdy");

  /* In a table cell, md4c may close an emphasis it never opened. */
  g_clear_pointer (&units, g_ptr_array_unref);
  units = starling_md_parse ("| http://.m*o* |\n|---|\n| *a* **b |", strlen ("| http://.m*o* |\n|---|\n| *a* **b |"));
  check_units (units);

  dir = g_dir_open (dir_path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *contents = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      g_clear_pointer (&units, g_ptr_array_unref);
      units = starling_md_parse (contents, len);
      check_units (units);
      n_files++;
    }
  g_test_message ("%u fuzzer regressions", n_files);
  g_assert_cmpuint (n_files, >, 0);
}

/* Streaming */

typedef struct
{
  StarlingMarkdownView *view;
  GPtrArray            *children;    /* the view's children before the render */
  guint                 commit_index;
  int                   commit_offset;
  guint                 n_deletions;
} Watch;

static int
child_index (StarlingMarkdownView *view,
             GtkWidget            *widget)
{
  int index = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child), index++)
    {
      if (child == widget)
        return index;
    }

  return -1;
}

/* Text deleted from a text view must lie after the commit point. */
static void
delete_range_cb (GtkTextBuffer *buffer,
                 GtkTextIter   *start,
                 GtkTextIter   *end,
                 Watch         *watch)
{
  GtkWidget *text_view = g_object_get_data (G_OBJECT (buffer), "test-text-view");
  int index = child_index (watch->view, text_view);

  watch->n_deletions++;
  g_assert_cmpint (index, >=, 0);
  g_assert_cmpint ((guint) index, >=, watch->commit_index);
  if ((guint) index == watch->commit_index)
    g_assert_cmpint (gtk_text_iter_get_offset (start), >=, watch->commit_offset);
}

static void
watch_before_render (Watch *watch)
{
  GtkWidget *commit_widget;
  int offset;

  g_ptr_array_set_size (watch->children, 0);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (watch->view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      g_ptr_array_add (watch->children, child);

      if (GTK_IS_TEXT_VIEW (child) && !GTK_SOURCE_IS_VIEW (child))
        {
          GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (child));

          if (g_object_get_data (G_OBJECT (buffer), "test-text-view") == NULL)
            {
              g_object_set_data (G_OBJECT (buffer), "test-text-view", child);
              g_signal_connect (buffer, "delete-range", G_CALLBACK (delete_range_cb), watch);
            }
        }
    }

  starling_markdown_view_get_commit_point (watch->view, &commit_widget, &offset);
  watch->commit_index = commit_widget != NULL ? (guint) child_index (watch->view, commit_widget)
                                              : watch->children->len;
  watch->commit_offset = offset;
}

/* Widgets before the commit point are the very same after the render. */
static void
watch_after_render (Watch *watch)
{
  guint index = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (watch->view));
       child != NULL && index < watch->commit_index && index < watch->children->len;
       child = gtk_widget_get_next_sibling (child), index++)
    g_assert_true (child == g_ptr_array_index (watch->children, index));
  g_assert_cmpuint (index, >=, MIN (watch->commit_index, watch->children->len));
}

typedef enum
{
  DELTAS_FIXED,
  DELTAS_RANDOM,
} DeltaMode;

/* Streams @text in deltas, rendering after each one as if every delta
 * came in its own frame, then compares with rendering the whole at once. */
static void
stream_and_compare (Fixture    *fixture,
                    const char *text,
                    DeltaMode   mode,
                    gsize       delta_size,
                    gboolean    expect_no_rebuild)
{
  Watch watch = { fixture->view, g_ptr_array_new (), 0, 0, 0 };
  const StarlingMarkdownViewStats *stats;
  g_autofree char *streamed = NULL;
  g_autofree char *whole = NULL;
  g_autofree char *streamed_text = NULL;
  g_autofree char *whole_text = NULL;
  gsize len = strlen (text);
  gsize offset = 0;
  guint rebuilds_before;
  StarlingMarkdownViewStats before;

  starling_markdown_view_set_text (fixture->view, NULL);
  before = *starling_markdown_view_get_stats (fixture->view);
  rebuilds_before = before.full_rebuilds;

  while (offset < len)
    {
      gsize n = mode == DELTAS_FIXED ? delta_size : (gsize) g_test_rand_int_range (1, (int) delta_size + 1);

      n = MIN (n, len - offset);
      starling_markdown_view_append (fixture->view, text + offset, n);
      offset += n;

      watch_before_render (&watch);
      starling_markdown_view_flush (fixture->view);
      watch_after_render (&watch);
    }

  watch_before_render (&watch);
  starling_markdown_view_finish (fixture->view);
  starling_markdown_view_flush (fixture->view);
  g_assert_false (starling_markdown_view_get_streaming (fixture->view));
  if (expect_no_rebuild)
    watch_after_render (&watch);

  stats = starling_markdown_view_get_stats (fixture->view);
  if (expect_no_rebuild)
    g_assert_cmpuint (stats->full_rebuilds, ==, rebuilds_before);
  g_test_message ("%u renders, %u commits, %u units placed for %u, %u text views/blocks created for %u, "
                  "%u characters re-rendered",
                  stats->renders - before.renders, stats->commits - before.commits,
                  stats->units_placed - before.units_placed,
                  stats->units_committed - before.units_committed,
                  stats->segments_created - before.segments_created, n_blocks (fixture->view),
                  stats->chars_removed - before.chars_removed);
  /* Each block shown got its widget once: only a few (a table that was a
   * paragraph until its second line came) are made twice. */
  g_assert_cmpuint (stats->segments_created - before.segments_created, <=, n_blocks (fixture->view) + 8);

  g_assert_cmpstr (starling_markdown_view_get_text (fixture->view), ==, text);
  streamed = dump_view (fixture->view);
  streamed_text = starling_markdown_view_dup_visible_text (fixture->view);

  starling_markdown_view_set_text (fixture->view, text);
  whole = dump_view (fixture->view);
  whole_text = starling_markdown_view_dup_visible_text (fixture->view);

  g_assert_cmpstr (streamed_text, ==, whole_text);
  g_assert_cmpstr (streamed, ==, whole);

  g_ptr_array_unref (watch.children);
}

static void
test_stream_corpus_20 (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *text = read_bench_file ("answer-100k.md");
  const StarlingMarkdownViewStats *stats;

  stream_and_compare (fixture, text, DELTAS_FIXED, 20, TRUE);

  /* Only tails are rendered again: well under one extra widget per block. */
  stats = starling_markdown_view_get_stats (fixture->view);
  g_assert_cmpuint (stats->full_rebuilds, ==, 0);
}

static void
test_stream_corpus_random (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *text = read_bench_file ("answer-100k.md");

  stream_and_compare (fixture, text, DELTAS_RANDOM, 300, TRUE);
}

static const char sample_document[] =
  "# Streaming *sample*\n"
  "\n"
  "Intro with **bold**, `code`, ~~gone~~, a [link](https://example.com/x) and \xc3\xa9\xe2\x98\x83\xf0\x9f\x98\x80.\n"
  "A soft break, then a hard one  \n"
  "here.\n"
  "\n"
  "Setext heading\n"
  "--------------\n"
  "\n"
  "- one\n"
  "- two\n"
  "  - nested *item*\n"
  "\n"
  "- loose\n"
  "\n"
  "1. first\n"
  "2. second\n"
  "\n"
  "   continued\n"
  "\n"
  "- [ ] task\n"
  "- [x] done\n"
  "\n"
  "> quote\n"
  "> > inner\n"
  ">\n"
  "> ```c\n"
  "> int x;\n"
  "> ```\n"
  "\n"
  "***\n"
  "\n"
  "| h1 | h2 |\n"
  "|:---|---:|\n"
  "| a  | **b** |\n"
  "| c  | d |\n"
  "\n"
  "```python\n"
  "def f():\n"
  "\n"
  "    return '<x>'\n"
  "```\n"
  "\n"
  "    indented code\n"
  "\n"
  "Text after\n"
  "```\n"
  "unclosed fence at the end\n";

static void
test_stream_bytes (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *corpus = read_bench_file ("answer-100k.md");
  g_autofree char *start = NULL;
  const char *cut;

  stream_and_compare (fixture, sample_document, DELTAS_FIXED, 1, TRUE);

  /* The start of the corpus, up to a line end, one byte at a time. */
  cut = strchr (corpus + 6000, '\n');
  start = g_strndup (corpus, cut - corpus);
  stream_and_compare (fixture, start, DELTAS_FIXED, 1, TRUE);
}

static void
test_stream_reference_links (Fixture       *fixture,
                             gconstpointer  data)
{
  /* A link reference defined after its use changes a block already shown:
   * the stream is checked against the whole at the end and corrected. */
  const char *text = "See [the spec][spec].\n\nMore text.\n\n[spec]: https://example.com/spec\n";
  GtkTextIter start, end;

  stream_and_compare (fixture, text, DELTAS_FIXED, 5, FALSE);

  find_text (fixture->view, "the spec", &start, &end);
  g_assert_cmpstr (starling_markdown_view_get_link_at_iter (fixture->view, &start), ==, "https://example.com/spec");
}

typedef struct
{
  StarlingMarkdownView *view;
  const char           *text;
  gsize                 len;
  gsize                 offset;
  gsize                 delta;
} Feeder;

static gboolean
feed_cb (gpointer user_data)
{
  Feeder *feeder = user_data;
  gsize n = MIN (feeder->delta, feeder->len - feeder->offset);

  starling_markdown_view_append (feeder->view, feeder->text + feeder->offset, n);
  feeder->offset += n;
  if (feeder->offset < feeder->len)
    return G_SOURCE_CONTINUE;

  starling_markdown_view_finish (feeder->view);

  return G_SOURCE_REMOVE;
}

/* The real path: deltas from the main loop, renders on the frame clock. */
static void
test_stream_frames (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *corpus = read_bench_file ("answer-100k.md");
  g_autofree char *text = g_strconcat (sample_document, "\n\n", corpus, NULL);
  Feeder feeder = { fixture->view, text, strlen (text), 0, 37 };
  const StarlingMarkdownViewStats *stats;
  g_autofree char *streamed = NULL;
  g_autofree char *whole = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  GdkFrameClock *clock = gtk_widget_get_frame_clock (fixture->window);
  gulong handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);
  guint frames_start = n_frames;

  g_timeout_add (1, feed_cb, &feeder);
  while ((feeder.offset < feeder.len || starling_markdown_view_get_streaming (fixture->view)) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
  g_assert_false (starling_markdown_view_get_streaming (fixture->view));

  stats = starling_markdown_view_get_stats (fixture->view);
  g_test_message ("%u renders in %u frames", stats->renders, n_frames - frames_start);
  g_assert_cmpuint (stats->renders, >, 1);
  /* Deltas were coalesced: far fewer renders than deltas, at most one a frame. */
  g_assert_cmpuint (stats->renders, <, feeder.len / feeder.delta / 4);
  g_assert_cmpuint (stats->renders, <=, n_frames - frames_start + 1);
  g_assert_cmpuint (stats->full_rebuilds, ==, 0);

  streamed = dump_view (fixture->view);
  starling_markdown_view_set_text (fixture->view, text);
  whole = dump_view (fixture->view);
  g_assert_cmpstr (streamed, ==, whole);
}

static guint
n_widget_blocks (StarlingMarkdownView *view)
{
  guint n = 0;

  for (guint i = 0; i < n_blocks (view); i++)
    {
      GtkWidget *block = block_at (view, i);

      n += STARLING_IS_MARKDOWN_CODE_BLOCK (block) || STARLING_IS_MARKDOWN_TABLE (block);
    }

  return n;
}

typedef struct
{
  StarlingMarkdownView *view;
  guint                 last;
  guint                 most_in_a_frame;
} WidgetBlockCount;

static void
count_widget_blocks_cb (GdkFrameClock *clock,
                        gpointer       user_data)
{
  WidgetBlockCount *count = user_data;
  guint n = n_widget_blocks (count->view);

  count->most_in_a_frame = MAX (count->most_in_a_frame, n - MIN (n, count->last));
  count->last = n;
}

/* Code blocks and tables are laid out for the first time in the frame that
 * shows them, several milliseconds each: text that arrives with several of
 * them at once is shown over as many frames, one new one in each. */
static void
test_stream_one_widget_block_a_frame (Fixture       *fixture,
                                      gconstpointer  data)
{
  static const char text[] =
    "Some prose first.\n\n"
    "```python\nprint('one')\n```\n\n"
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    "```c\nint two;\n```\n"
    "~~~\nthree\n~~~\n"
    "| c |\n|---|\n| 3 |\n"
    "And prose to end.\n";
  GdkFrameClock *clock = gtk_widget_get_frame_clock (fixture->window);
  WidgetBlockCount count = { fixture->view, 0, 0 };
  gulong handler = g_signal_connect (clock, "after-paint", G_CALLBACK (count_widget_blocks_cb), &count);
  gint64 deadline = g_get_monotonic_time () + starling_test_scaled_ms (20000) * (gint64) 1000;
  g_autofree char *streamed = NULL;
  g_autofree char *whole = NULL;

  starling_markdown_view_append (fixture->view, text, strlen (text));
  starling_markdown_view_finish (fixture->view);
  while (starling_markdown_view_get_streaming (fixture->view) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
  g_assert_false (starling_markdown_view_get_streaming (fixture->view));

  g_assert_cmpuint (n_widget_blocks (fixture->view), ==, 5);
  g_assert_cmpuint (count.most_in_a_frame, ==, 1);

  streamed = dump_view (fixture->view);
  starling_markdown_view_set_text (fixture->view, text);
  whole = dump_view (fixture->view);
  g_assert_cmpstr (streamed, ==, whole);
}

static void
test_stream_coalescing (Fixture       *fixture,
                        gconstpointer  data)
{
  const StarlingMarkdownViewStats *stats = starling_markdown_view_get_stats (fixture->view);
  const char *delta = "plain *slanted* ";
  g_autoptr(GString) expected = g_string_new (NULL);

  /* Appending only buffers: nothing is rendered until a frame. */
  for (guint i = 0; i < 50; i++)
    {
      starling_markdown_view_append (fixture->view, delta, strlen (delta));
      g_string_append (expected, "plain slanted ");
    }
  g_string_truncate (expected, expected->len - 1);
  g_assert_cmpuint (stats->renders, ==, 0);
  g_assert_cmpuint (n_blocks (fixture->view), ==, 0);
  g_assert_true (starling_markdown_view_get_streaming (fixture->view));

  /* All fifty deltas are shown by one render, at the next frame. */
  wait_frames (fixture->window, 2);
  g_assert_cmpuint (stats->renders, ==, 1);
  g_assert_cmpuint (n_blocks (fixture->view), ==, 1);
  assert_tag_exactly (fixture->view, "slanted", "italic");
  assert_no_tag (fixture->view, "plain", "italic");
  starling_markdown_view_finish (fixture->view);
  assert_visible_text (fixture->view, expected->str);
}

static void
test_text_and_append_after_set (Fixture       *fixture,
                                gconstpointer  data)
{
  starling_markdown_view_set_text (fixture->view, "- a\n- b");
  g_assert_cmpstr (starling_markdown_view_get_text (fixture->view), ==, "- a\n- b");
  g_assert_false (starling_markdown_view_get_streaming (fixture->view));

  /* A finished text can go on: its last block continues. */
  starling_markdown_view_append (fixture->view, "\n- c", 4);
  g_assert_true (starling_markdown_view_get_streaming (fixture->view));
  starling_markdown_view_finish (fixture->view);
  assert_visible_text (fixture->view, "•\ta\n•\tb\n•\tc");
  g_assert_cmpstr (starling_markdown_view_get_text (fixture->view), ==, "- a\n- b\n- c");

  starling_markdown_view_set_text (fixture->view, NULL);
  assert_visible_text (fixture->view, "");
  g_assert_cmpuint (n_blocks (fixture->view), ==, 0);
}

static gboolean
record_link_cb (StarlingMarkdownView *view,
                const char           *uri,
                GPtrArray            *activated)
{
  g_ptr_array_add (activated, g_strdup (uri));

  return TRUE;
}

static void
record_hover_cb (StarlingMarkdownView  *view,
                 const char            *uri,
                 char                 **hovered)
{
  g_free (*hovered);
  *hovered = g_strdup (uri);
}

/* The link with the keyboard focus is @needle, drawn as focused, and no
 * other text is. */
static void
assert_focus_on (Fixture    *fixture,
                 const char *needle,
                 const char *uri)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (fixture->window));
  GtkTextIter start, end, all_start, all_end;
  GtkTextBuffer *buffer = find_text (fixture->view, needle, &start, &end);
  const StarlingMdLink *link;

  g_assert_true (STARLING_IS_MARKDOWN_TEXT_VIEW (focus));
  g_assert_true (gtk_text_view_get_buffer (GTK_TEXT_VIEW (focus)) == buffer);
  link = starling_markdown_text_view_get_focus_link (STARLING_MARKDOWN_TEXT_VIEW (focus));
  g_assert_nonnull (link);
  g_assert_cmpstr (link->uri, ==, uri);
  g_assert_cmpuint (link->start, ==, gtk_text_iter_get_offset (&start));
  g_assert_cmpuint (link->end, ==, gtk_text_iter_get_offset (&end));

  assert_tag_exactly (fixture->view, needle, "link-focus");
  gtk_text_buffer_get_bounds (buffer, &all_start, &all_end);
  g_assert_true (range_has_no_tag (buffer, &all_start, &start, "link-focus"));
  g_assert_true (range_has_no_tag (buffer, &end, &all_end, "link-focus"));
}

static void
test_keyboard_links (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) activated = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *hovered = NULL;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *before = gtk_button_new_with_label ("before");
  GtkWidget *after = gtk_button_new_with_label ("after");
  GtkWidget *window = fixture->window;
  GtkWidget *second_text;
  GtkLabel *cell;
  GtkTextIter start, end;
  GtkTextBuffer *buffer;

  /* Something to tab to before and after the answer. */
  g_object_ref (fixture->scroller);
  gtk_window_set_child (GTK_WINDOW (window), NULL);
  gtk_box_append (GTK_BOX (box), before);
  gtk_box_append (GTK_BOX (box), fixture->scroller);
  gtk_box_append (GTK_BOX (box), after);
  gtk_widget_set_vexpand (fixture->scroller, TRUE);
  gtk_window_set_child (GTK_WINDOW (window), box);
  g_object_unref (fixture->scroller);

  g_signal_connect (fixture->view, "activate-link", G_CALLBACK (record_link_cb), activated);
  g_signal_connect (fixture->view, "link-hovered", G_CALLBACK (record_hover_cb), &hovered);
  starling_markdown_view_set_text (fixture->view,
                                   "Read [the docs](https://example.com/docs) and "
                                   "[mail us](mailto:a@example.com), or [bad](javascript:x).\n\n"
                                   "A claim.[\\[1\\]](cite:0) Plain text.\n\n"
                                   "| t |\n|---|\n| [cell](https://example.org/cell) |\n\n"
                                   "Last [end](http://example.net/).");
  g_assert_cmpuint (n_blocks (fixture->view), ==, 3);
  second_text = block_at (fixture->view, 2);
  cell = starling_markdown_table_get_cell (STARLING_MARKDOWN_TABLE (block_at (fixture->view, 1)), 1, 0);
  wait_frames (window, 2);

  /* Tab: into the text, on its first link, then link after link in reading order */
  gtk_widget_grab_focus (before);
  g_assert_true (starling_test_send_key_press (window, GDK_KEY_Tab, 0));
  assert_focus_on (fixture, "the docs", "https://example.com/docs");
  g_assert_cmpstr (hovered, ==, "https://example.com/docs");
  g_assert_true (starling_test_send_key_press (window, GDK_KEY_Tab, 0));
  assert_focus_on (fixture, "mail us", "mailto:a@example.com");

  /* Enter activates it as a click does */
  g_assert_true (starling_test_send_key_press (window, GDK_KEY_Return, 0));
  g_assert_cmpuint (activated->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (activated, 0), ==, "mailto:a@example.com");
  assert_focus_on (fixture, "mail us", "mailto:a@example.com");

  /* the citation marker, focused as hovered; Space activates it */
  g_assert_true (starling_test_send_key_press (window, GDK_KEY_Tab, 0));
  assert_focus_on (fixture, "[1]", "cite:0");
  g_assert_cmpstr (hovered, ==, "cite:0");
  g_assert_true (starling_test_send_key_press (window, GDK_KEY_space, 0));
  g_assert_cmpuint (activated->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (activated, 1), ==, "cite:0");

  /* Shift+Tab goes back */
  g_assert_true (starling_test_send_key_press (window, GDK_KEY_Tab, GDK_SHIFT_MASK));
  assert_focus_on (fixture, "mail us", "mailto:a@example.com");
  g_assert_cmpstr (hovered, ==, "mailto:a@example.com");
  g_assert_true (starling_test_send_key_press (window, GDK_KEY_Tab, 0));
  assert_focus_on (fixture, "[1]", "cite:0");

  /* past the last link the focus leaves the text, nothing drawn focused there */
  g_assert_true (starling_test_send_key_press (window, GDK_KEY_Tab, 0));
  buffer = find_text (fixture->view, "Read", &start, &end);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  g_assert_true (range_has_no_tag (buffer, &start, &end, "link-focus"));
  g_assert_null (hovered);

  /* to the link in the table cell: GtkLabel's own, activated the same way */
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), GTK_WIDGET (cell)) ||
                 gtk_root_get_focus (GTK_ROOT (window)) == GTK_WIDGET (cell));
  g_assert_true (starling_test_send_key_press (window, GDK_KEY_Return, 0));
  g_assert_cmpuint (activated->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (activated, 2), ==, "https://example.org/cell");

  /* the next text, then out of the answer */
  g_assert_true (starling_test_send_key_press (window, GDK_KEY_Tab, 0));
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == second_text);
  assert_focus_on (fixture, "end", "http://example.net/");
  g_assert_true (starling_test_send_key_press (window, GDK_KEY_Tab, 0));
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == after);
  g_assert_null (starling_markdown_text_view_get_focus_link (STARLING_MARKDOWN_TEXT_VIEW (second_text)));

  /* and back: coming in backwards, on the last link */
  g_assert_true (starling_test_send_key_press (window, GDK_KEY_Tab, GDK_SHIFT_MASK));
  assert_focus_on (fixture, "end", "http://example.net/");
  g_assert_true (starling_test_send_key_press (window, GDK_KEY_Tab, GDK_SHIFT_MASK));
  g_assert_true (starling_test_send_key_press (window, GDK_KEY_Tab, GDK_SHIFT_MASK));
  assert_focus_on (fixture, "[1]", "cite:0");
  g_assert_true (starling_test_send_key_press (window, GDK_KEY_Tab, GDK_SHIFT_MASK));
  g_assert_true (starling_test_send_key_press (window, GDK_KEY_Tab, GDK_SHIFT_MASK));
  assert_focus_on (fixture, "the docs", "https://example.com/docs");
  g_assert_true (starling_test_send_key_press (window, GDK_KEY_Tab, GDK_SHIFT_MASK));
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == before);

  /* Focused otherwise than with Tab, the text has no link focused: Enter goes on. */
  gtk_widget_grab_focus (second_text);
  g_assert_null (starling_markdown_text_view_get_focus_link (STARLING_MARKDOWN_TEXT_VIEW (second_text)));
  starling_test_send_key_press (window, GDK_KEY_Return, 0);
  g_assert_cmpuint (activated->len, ==, 3);
}

static void
test_accessible_roles (Fixture       *fixture,
                       gconstpointer  data)
{
  starling_markdown_view_set_text (fixture->view, "Para\n\n```c\nx\n```\n\n| a |\n|---|\n| b |\n");

  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (fixture->view)), ==, GTK_ACCESSIBLE_ROLE_GROUP);
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (block_at (fixture->view, 0))), ==, GTK_ACCESSIBLE_ROLE_TEXT_BOX);
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (block_at (fixture->view, 1))), ==, GTK_ACCESSIBLE_ROLE_GROUP);
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (block_at (fixture->view, 2))), ==, GTK_ACCESSIBLE_ROLE_GROUP);
}

/* Selection across blocks */

/* A real pointer: XTest has the X server make the events a mouse makes,
 * and GTK takes them its usual way, implicit grab and gestures included. */
typedef struct
{
  GtkWidget *window;
  guint      n_presses;
  guint      n_releases;
  double     x, y;      /* of the last motion, in the surface */
#ifdef TEST_POINTER
  Display   *display;
  int      (*fake_motion) (Display *display, int screen, int x, int y, unsigned long delay);
  int      (*fake_button) (Display *display, unsigned int button, Bool is_press,
                           unsigned long delay);
  int      (*fake_key)    (Display *display, unsigned int keycode, Bool is_press,
                           unsigned long delay);
#endif
} Pointer;

static gboolean
pointer_event_cb (GtkEventControllerLegacy *controller,
                  GdkEvent                 *event,
                  Pointer                  *pointer)
{
  switch ((int) gdk_event_get_event_type (event))
    {
    case GDK_BUTTON_PRESS:
      pointer->n_presses++;
      break;
    case GDK_BUTTON_RELEASE:
      pointer->n_releases++;
      break;
    case GDK_MOTION_NOTIFY:
      gdk_event_get_position (event, &pointer->x, &pointer->y);
      break;
    default:
      break;
    }

  return FALSE;
}

/* %FALSE, and the test skipped, where the X server cannot fake a mouse. */
static gboolean
pointer_init (Pointer   *pointer,
              GtkWidget *window)
{
#ifdef TEST_POINTER
  GdkDisplay *display = gtk_widget_get_display (window);
  GtkEventController *legacy;
  void *xtst;

  if (GDK_IS_X11_DISPLAY (display) &&
      (xtst = dlopen ("libXtst.so.6", RTLD_NOW | RTLD_LOCAL)) != NULL)
    {
      pointer->window = window;
      pointer->display = gdk_x11_display_get_xdisplay (display);
      pointer->fake_motion = dlsym (xtst, "XTestFakeMotionEvent");
      pointer->fake_button = dlsym (xtst, "XTestFakeButtonEvent");
      pointer->fake_key = dlsym (xtst, "XTestFakeKeyEvent");
      g_assert_nonnull (pointer->fake_motion);
      g_assert_nonnull (pointer->fake_button);
      g_assert_nonnull (pointer->fake_key);

      /* Seen first, whatever the widgets below do with them. */
      legacy = gtk_event_controller_legacy_new ();
      gtk_event_controller_set_propagation_phase (legacy, GTK_PHASE_CAPTURE);
      g_signal_connect (legacy, "event", G_CALLBACK (pointer_event_cb), pointer);
      gtk_widget_add_controller (window, legacy);
      return TRUE;
    }
#endif

  /* The suite runs under Xvfb with XTest (libxtst6 is in the packages the
   * test command installs): a missing pointer is a failure, not a skip. */
  g_test_fail_printf ("needs an X server with XTest (libXtst.so.6) to move a pointer");
  return FALSE;
}

static void
pointer_wait (Pointer  *pointer,
              gboolean (*done) (Pointer *pointer, gconstpointer data),
              gconstpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!done (pointer, data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, g_main_context_pending (NULL));
  g_assert_true (done (pointer, data));
  /* and whatever the event set off */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
pointer_is_at (Pointer       *pointer,
               gconstpointer  data)
{
  const double *at = data;

  return G_APPROX_VALUE (pointer->x, at[0], 0.5) && G_APPROX_VALUE (pointer->y, at[1], 0.5);
}

/* To the point (@x, @y) of @widget. */
static void
pointer_move (Pointer   *pointer,
              GtkWidget *widget,
              double     x,
              double     y)
{
#ifdef TEST_POINTER
  GtkNative *native = gtk_widget_get_native (widget);
  GdkSurface *surface = gtk_native_get_surface (native);
  double native_x, native_y, at[2];
  int root_x, root_y;
  Window child;

  g_assert_true (gtk_widget_translate_coordinates (widget, GTK_WIDGET (native), x, y,
                                                   &at[0], &at[1]));
  gtk_native_get_surface_transform (native, &native_x, &native_y);
  at[0] = (int) (at[0] + native_x);
  at[1] = (int) (at[1] + native_y);
  XTranslateCoordinates (pointer->display, gdk_x11_surface_get_xid (surface),
                         DefaultRootWindow (pointer->display), (int) at[0], (int) at[1],
                         &root_x, &root_y, &child);
  pointer->fake_motion (pointer->display, -1, root_x, root_y, 0);
  XSync (pointer->display, False);
  pointer_wait (pointer, pointer_is_at, at);
#endif
}

static gboolean
pointer_pressed (Pointer       *pointer,
                 gconstpointer  data)
{
  return pointer->n_presses >= GPOINTER_TO_UINT (data);
}

static gboolean
pointer_released (Pointer       *pointer,
                  gconstpointer  data)
{
  return pointer->n_releases >= GPOINTER_TO_UINT (data);
}

static void
pointer_button (Pointer  *pointer,
                gboolean  press)
{
#ifdef TEST_POINTER
  guint target = (press ? pointer->n_presses : pointer->n_releases) + 1;

  pointer->fake_button (pointer->display, 1, press, 0);
  XSync (pointer->display, False);
  pointer_wait (pointer, press ? pointer_pressed : pointer_released, GUINT_TO_POINTER (target));
#endif
}

static void
pointer_shift (Pointer  *pointer,
               gboolean  press)
{
#ifdef TEST_POINTER
  pointer->fake_key (pointer->display, XKeysymToKeycode (pointer->display, XK_Shift_L), press, 0);
  XSync (pointer->display, False);
  wait_frames (pointer->window, 1);
#endif
}

static void
pointer_click (Pointer   *pointer,
               GtkWidget *widget,
               double     x,
               double     y)
{
  pointer_move (pointer, widget, x, y);
  pointer_button (pointer, TRUE);
  pointer_button (pointer, FALSE);
  /* not a double click with the next one */
  g_usleep (G_USEC_PER_SEC / 2);
  wait_frames (pointer->window, 1);
}

/* Presses at one point and lets go at the other, moving as a hand does:
 * a little way first, then there in steps. */
static void
pointer_drag (Pointer   *pointer,
              GtkWidget *from,
              double     from_x,
              double     from_y,
              GtkWidget *to,
              double     to_x,
              double     to_y)
{
  GtkWidget *window = gtk_widget_get_ancestor (from, GTK_TYPE_WINDOW);
  double x0, y0, x1, y1;

  g_assert_true (gtk_widget_translate_coordinates (from, window, from_x, from_y, &x0, &y0));
  g_assert_true (gtk_widget_translate_coordinates (to, window, to_x, to_y, &x1, &y1));

  pointer_move (pointer, window, x0, y0);
  pointer_button (pointer, TRUE);
  pointer_move (pointer, window, x0 + 10, y0);
  for (guint i = 1; i <= 8; i++)
    pointer_move (pointer, window, x0 + 10 + (x1 - x0 - 10) * i / 8, y0 + (y1 - y0) * i / 8);
  pointer_button (pointer, FALSE);
  g_usleep (G_USEC_PER_SEC / 2);
}

/* Whether @child has its whole height: a text view lays out its lines in
 * idles after the text is set, and counts a line not laid out yet as 0
 * pixels high. */
static gboolean
block_sized (GtkWidget *child)
{
  GtkTextIter line;
  int y = 0, height = 0;

  if (gtk_widget_get_height (child) <= 0)
    return FALSE;
  if (!GTK_IS_TEXT_VIEW (child))
    return TRUE;

  gtk_text_buffer_get_start_iter (gtk_text_view_get_buffer (GTK_TEXT_VIEW (child)), &line);
  do
    {
      gtk_text_view_get_line_yrange (GTK_TEXT_VIEW (child), &line, &y, &height);
      if (height <= 0)
        return FALSE;
    }
  while (gtk_text_iter_forward_line (&line));

  return gtk_widget_get_height (child) >= y + height;
}

/* Text views lay out their text in the frames after it is set: until every
 * block has its height and the answer stops growing. (The height alone,
 * unchanged for a frame, was not enough: with the accessibility registry up,
 * as after the end-to-end tests, a paragraph and its list still measured
 * one line when the pointer was sent to the last block.) */
static void
wait_layout (StarlingMarkdownView *view)
{
  int last_height = -1;

  for (guint i = 0; i < 100; i++)
    {
      gboolean sized = TRUE;
      int height = gtk_widget_get_height (GTK_WIDGET (view));

      for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (view));
           child != NULL;
           child = gtk_widget_get_next_sibling (child))
        sized = sized && block_sized (child);
      if (sized && height == last_height)
        return;
      last_height = height;
      wait_frames (GTK_WIDGET (view), 1);
    }

  g_assert_not_reached ();
}

static GtkWidget *
text_view_of (StarlingMarkdownView *view,
              GtkTextBuffer        *buffer)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_TEXT_VIEW (child) && gtk_text_view_get_buffer (GTK_TEXT_VIEW (child)) == buffer)
        return child;
    }

  g_assert_not_reached ();
}

/* A point on the character @index characters into @needle, in the text
 * view that shows it. */
static GtkWidget *
text_point (StarlingMarkdownView *view,
            const char           *needle,
            int                   index,
            double               *x,
            double               *y)
{
  GtkTextIter start, end;
  GtkTextBuffer *buffer = find_text (view, needle, &start, &end);
  GtkWidget *text_view = text_view_of (view, buffer);
  GdkRectangle rect;
  int window_x, window_y;

  gtk_text_iter_forward_chars (&start, index);
  gtk_text_view_get_iter_location (GTK_TEXT_VIEW (text_view), &start, &rect);
  gtk_text_view_buffer_to_window_coords (GTK_TEXT_VIEW (text_view), GTK_TEXT_WINDOW_WIDGET,
                                         rect.x, rect.y, &window_x, &window_y);
  /* in the first half of the character: the position before it */
  *x = window_x + 2;
  *y = window_y + rect.height / 2;

  return text_view;
}

/* [@lo, @hi) of the text in @text_view is selected; nothing if @lo == @hi. */
static void
assert_text_selected (GtkWidget *text_view,
                      int        lo,
                      int        hi)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));
  GtkTextIter start, end;

  if (lo == hi)
    {
      g_assert_false (gtk_text_buffer_get_selection_bounds (buffer, &start, &end));
      return;
    }

  g_assert_true (gtk_text_buffer_get_selection_bounds (buffer, &start, &end));
  g_assert_cmpint (gtk_text_iter_get_offset (&start), ==, lo);
  g_assert_cmpint (gtk_text_iter_get_offset (&end), ==, hi);
}

/* Cells [@first, @end) of @table are selected, and shown so. */
static void
assert_cells_selected (StarlingMarkdownTable *table,
                       guint                  first,
                       guint                  end)
{
  guint n_cols = starling_markdown_table_get_n_cols (table);
  guint n_cells = starling_markdown_table_get_n_rows (table) * n_cols;
  guint selected_first, selected_end;

  g_assert_cmpint (starling_markdown_table_get_selected_cells (table, &selected_first, &selected_end),
                   ==, end > first);
  if (end > first)
    {
      g_assert_cmpuint (selected_first, ==, first);
      g_assert_cmpuint (selected_end, ==, end);
    }
  for (guint i = 0; i < n_cells; i++)
    {
      GtkWidget *cell = GTK_WIDGET (starling_markdown_table_get_cell (table, i / n_cols, i % n_cols));

      g_assert_cmpint (gtk_widget_has_css_class (cell, "selected"), ==, i >= first && i < end);
    }
}

static char *
read_clipboard (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, read_text_cb, &text);
  while (text == NULL)
    g_main_context_iteration (NULL, TRUE);

  return text;
}

static int
char_count (GtkWidget *text_view)
{
  return gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view)));
}

static const char selection_document[] =
  "First paragraph here.\n\n"
  "- one\n- two\n\n"
  "```\nline 1\nline 2\n```\n\n"
  "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
  "Last [paragraph](https://example.com/p) here.";

typedef struct
{
  GtkWidget             *first;
  GtkWidget             *code;
  StarlingMarkdownTable *table;
  GtkWidget             *last;
} Blocks;

static void
get_blocks (Fixture *fixture,
            Blocks  *blocks)
{
  g_assert_cmpuint (n_blocks (fixture->view), ==, 4);
  blocks->first = block_at (fixture->view, 0);
  blocks->code = find_descendant (block_at (fixture->view, 1), GTK_SOURCE_TYPE_VIEW);
  blocks->table = STARLING_MARKDOWN_TABLE (block_at (fixture->view, 2));
  blocks->last = block_at (fixture->view, 3);
  g_assert_true (STARLING_IS_MARKDOWN_TEXT_VIEW (blocks->first));
  g_assert_nonnull (blocks->code);
  g_assert_true (STARLING_IS_MARKDOWN_TABLE (blocks->table));
  g_assert_true (STARLING_IS_MARKDOWN_TEXT_VIEW (blocks->last));
}

static void
assert_nothing_selected (Fixture *fixture,
                         Blocks  *blocks)
{
  g_assert_null (starling_markdown_view_dup_selected_text (fixture->view));
  assert_text_selected (blocks->first, 0, 0);
  assert_text_selected (blocks->code, 0, 0);
  assert_cells_selected (blocks->table, 0, 0);
  assert_text_selected (blocks->last, 0, 0);
}

/* From “paragraph here.” in the first paragraph to “Last ” in the last one. */
static void
assert_middle_selected (Fixture *fixture,
                        Blocks  *blocks)
{
  const char *expected = "paragraph here.\n\n•\tone\n•\ttwo\n\nline 1\nline 2\n\na\tb\n1\t2\n\nLast ";
  g_autofree char *selected = starling_markdown_view_dup_selected_text (fixture->view);
  g_autofree char *copied = NULL;
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (fixture->window));

  assert_text_selected (blocks->first, 6, char_count (blocks->first));
  assert_text_selected (blocks->code, 0, char_count (blocks->code));
  assert_cells_selected (blocks->table, 0, 4);
  assert_text_selected (blocks->last, 0, 5);
  g_assert_cmpstr (selected, ==, expected);

  /* Ctrl+C where the focus is: in the answer, after the drag */
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (fixture->view)));
  gdk_clipboard_set_text (gtk_widget_get_clipboard (fixture->window), "something else");
  g_assert_true (starling_test_send_key_press (fixture->window, GDK_KEY_c, GDK_CONTROL_MASK));
  copied = read_clipboard (fixture->window);
  g_assert_cmpstr (copied, ==, expected);
}

static void
test_select_across_blocks (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) activated = g_ptr_array_new_with_free_func (g_free);
  Pointer pointer = { NULL, };
  Blocks blocks;
  GtkWidget *from, *to;
  double from_x, from_y, to_x, to_y, x, y;
  g_autofree char *all = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *menu_copied = NULL;

  if (!pointer_init (&pointer, fixture->window))
    return;

  g_signal_connect (fixture->view, "activate-link", G_CALLBACK (record_link_cb), activated);
  starling_markdown_view_set_text (fixture->view, selection_document);
  get_blocks (fixture, &blocks);
  wait_layout (fixture->view);
  assert_nothing_selected (fixture, &blocks);

  from = text_point (fixture->view, "paragraph here.", 0, &from_x, &from_y);
  to = text_point (fixture->view, "Last paragraph", 5, &to_x, &to_y);
  g_assert_true (from == blocks.first);
  g_assert_true (to == blocks.last);

  /* Down from the first paragraph to the last: the list, the code and the
   * table between are wholly selected, and dropping on a link opens nothing. */
  pointer_drag (&pointer, from, from_x, from_y, to, to_x, to_y);
  assert_middle_selected (fixture, &blocks);
  g_assert_cmpuint (activated->len, ==, 0);

  /* Copy in a text's context menu copies the same */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (fixture->window), "something else");
  g_assert_true (gtk_widget_activate_action (blocks.code, "clipboard.copy", NULL));
  menu_copied = read_clipboard (fixture->window);
  g_assert_cmpstr (menu_copied, ==,
                   "paragraph here.\n\n•\tone\n•\ttwo\n\nline 1\nline 2\n\na\tb\n1\t2\n\nLast ");

  /* A click elsewhere clears it all */
  pointer_click (&pointer, blocks.code, 20, gtk_widget_get_height (blocks.code) / 2.0);
  assert_nothing_selected (fixture, &blocks);

  /* Up from the last paragraph to the first: the same */
  pointer_drag (&pointer, to, to_x, to_y, from, from_x, from_y);
  assert_middle_selected (fixture, &blocks);
  g_assert_cmpuint (activated->len, ==, 0);
  pointer_click (&pointer, from, from_x, from_y);
  assert_nothing_selected (fixture, &blocks);

  /* A click, then Shift and a click further on: the same again */
  pointer_click (&pointer, from, from_x, from_y);
  pointer_shift (&pointer, TRUE);
  pointer_click (&pointer, to, to_x, to_y);
  pointer_shift (&pointer, FALSE);
  assert_middle_selected (fixture, &blocks);
  g_assert_cmpuint (activated->len, ==, 0);

  /* Ctrl+A: the whole answer */
  g_assert_true (starling_test_send_key_press (fixture->window, GDK_KEY_a, GDK_CONTROL_MASK));
  assert_text_selected (blocks.first, 0, char_count (blocks.first));
  assert_text_selected (blocks.code, 0, char_count (blocks.code));
  assert_cells_selected (blocks.table, 0, 4);
  assert_text_selected (blocks.last, 0, char_count (blocks.last));
  all = starling_markdown_view_dup_selected_text (fixture->view);
  g_assert_cmpstr (all, ==,
                   "First paragraph here.\n\n•\tone\n•\ttwo\n\nline 1\nline 2\n\n"
                   "a\tb\n1\t2\n\nLast paragraph here.");
  g_assert_true (starling_test_send_key_press (fixture->window, GDK_KEY_c, GDK_CONTROL_MASK));
  copied = read_clipboard (fixture->window);
  g_assert_cmpstr (copied, ==, all);

  /* A click clears it */
  pointer_click (&pointer, from, from_x, from_y);
  assert_nothing_selected (fixture, &blocks);

  /* A click on a link opens it and selects nothing */
  text_point (fixture->view, "Last paragraph", 7, &x, &y);
  pointer_click (&pointer, to, x, y);
  g_assert_cmpuint (activated->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (activated, 0), ==, "https://example.com/p");
  assert_nothing_selected (fixture, &blocks);

  /* A drag inside one block is that block's own */
  text_point (fixture->view, "Last paragraph", 10, &x, &y);
  pointer_drag (&pointer, to, to_x, to_y, to, x, y);
  assert_text_selected (blocks.last, 5, 10);
  assert_text_selected (blocks.first, 0, 0);
  g_assert_cmpuint (activated->len, ==, 1);
}

static gboolean
scrolled_to (Pointer       *pointer,
             gconstpointer  data)
{
  GtkAdjustment *adjustment = (GtkAdjustment *) data;

  return gtk_adjustment_get_value (adjustment) >= gtk_adjustment_get_upper (adjustment) -
                                                  gtk_adjustment_get_page_size (adjustment) - 1;
}

/* Dragged past the bottom of the scrolled window, the answer scrolls and
 * the selection follows. */
static void
test_select_autoscroll (Fixture       *fixture,
                        gconstpointer  data)
{
  Pointer pointer = { NULL, };
  g_autoptr(GString) markdown = g_string_new (NULL);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (fixture->scroller));
  g_autofree char *selected = NULL;
  GtkWidget *from;
  double x, y;

  if (!pointer_init (&pointer, fixture->window))
    return;

  for (guint i = 1; i <= 30; i++)
    g_string_append_printf (markdown, "Paragraph %u.\n\n%s", i, i % 10 == 0 ? "```\ncode\n```\n\n" : "");
  starling_markdown_view_set_text (fixture->view, markdown->str);
  wait_layout (fixture->view);
  g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), >, 2 * gtk_adjustment_get_page_size (adjustment));

  from = text_point (fixture->view, "Paragraph 2.", 0, &x, &y);
  pointer_move (&pointer, from, x, y);
  pointer_button (&pointer, TRUE);
  pointer_move (&pointer, fixture->window, x + 10, gtk_widget_get_height (fixture->window) - 20);
  pointer_move (&pointer, fixture->window, x + 10, gtk_widget_get_height (fixture->window) + 40);
  pointer_wait (&pointer, scrolled_to, adjustment);
  wait_frames (fixture->window, 1);
  pointer_move (&pointer, fixture->window, x + 10, gtk_widget_get_height (fixture->window) + 41);
  pointer_button (&pointer, FALSE);

  selected = starling_markdown_view_dup_selected_text (fixture->view);
  g_assert_true (g_str_has_prefix (selected, "Paragraph 2.\n\nParagraph 3."));
  g_assert_true (g_str_has_suffix (selected, "Paragraph 30.\n\ncode"));
}

static void
append_and_flush (StarlingMarkdownView *view,
                  const char           *text)
{
  starling_markdown_view_append (view, text, strlen (text));
  starling_markdown_view_flush (view);
}

/* A selection in finished blocks stays while the answer streams on; a
 * selected block that is rendered again loses its part, nothing worse. */
static void
test_select_while_streaming (Fixture       *fixture,
                             gconstpointer  data)
{
  Pointer pointer = { NULL, };
  g_autofree char *selected = NULL;
  g_autofree char *grown = NULL;
  g_autofree char *replaced = NULL;
  g_autofree char *after = NULL;
  GtkWidget *first, *table;
  double from_x, from_y, to_x, to_y;

  append_and_flush (fixture->view, "Intro text.\n\n```\ncode\n```\n\nTail para");
  wait_frames (fixture->window, 2);
  first = block_at (fixture->view, 0);
  gtk_widget_grab_focus (first);
  g_assert_true (starling_test_send_key_press (fixture->window, GDK_KEY_a, GDK_CONTROL_MASK));
  selected = starling_markdown_view_dup_selected_text (fixture->view);
  g_assert_cmpstr (selected, ==, "Intro text.\n\ncode\n\nTail para");

  /* More text: what was selected stays so, what comes is not */
  append_and_flush (fixture->view, " grows.\n\nNext para.\n\n");
  wait_frames (fixture->window, 1);
  grown = starling_markdown_view_dup_selected_text (fixture->view);
  g_assert_true (g_str_has_prefix (grown, "Intro text.\n\ncode"));
  g_assert_null (strstr (grown, "Next"));
  g_assert_null (strstr (grown, "grows"));

  /* A table at the tail, selected, then no table after all */
  append_and_flush (fixture->view, "| a |\n|---|");
  wait_frames (fixture->window, 2);
  g_assert_true (STARLING_IS_MARKDOWN_TABLE (block_at (fixture->view, n_blocks (fixture->view) - 1)));
  table = block_at (fixture->view, n_blocks (fixture->view) - 1);
  g_object_add_weak_pointer (G_OBJECT (table), (gpointer *) &table);
  g_assert_true (starling_test_send_key_press (fixture->window, GDK_KEY_a, GDK_CONTROL_MASK));
  assert_cells_selected (STARLING_MARKDOWN_TABLE (table), 0, 1);

  append_and_flush (fixture->view, "x\n");
  wait_frames (fixture->window, 1);
  g_assert_null (table);
  g_assert_false (STARLING_IS_MARKDOWN_TABLE (block_at (fixture->view, n_blocks (fixture->view) - 1)));
  replaced = starling_markdown_view_dup_selected_text (fixture->view);
  g_assert_true (g_str_has_prefix (replaced, "Intro text.\n\ncode"));

  /* Again, with the selection dragged up from the table while it goes */
  append_and_flush (fixture->view, "\n\n| b |\n|---|");
  wait_frames (fixture->window, 2);
  table = block_at (fixture->view, n_blocks (fixture->view) - 1);
  g_assert_true (STARLING_IS_MARKDOWN_TABLE (table));
  g_object_add_weak_pointer (G_OBJECT (table), (gpointer *) &table);
  if (!pointer_init (&pointer, fixture->window))
    return;
  /* aimed at laid-out blocks only (see wait_layout ()) */
  wait_layout (fixture->view);

  text_point (fixture->view, "Intro text.", 6, &to_x, &to_y);
  from_x = 4;
  from_y = gtk_widget_get_height (table) / 2.0;
  pointer_move (&pointer, table, from_x, from_y);
  pointer_button (&pointer, TRUE);
  pointer_move (&pointer, first, to_x, to_y);
  after = starling_markdown_view_dup_selected_text (fixture->view);
  g_assert_true (g_str_has_prefix (after, "text.\n\ncode"));
  g_assert_true (g_str_has_suffix (after, "\n\nb"));

  append_and_flush (fixture->view, "y\n");
  wait_frames (fixture->window, 1);
  g_assert_null (table);
  pointer_move (&pointer, first, to_x + 20, to_y);
  pointer_button (&pointer, FALSE);
  g_clear_pointer (&after, g_free);
  after = starling_markdown_view_dup_selected_text (fixture->view);
  g_assert_true (g_str_has_prefix (after, "text.\n\ncode"));

  starling_markdown_view_finish (fixture->view);
  starling_markdown_view_flush (fixture->view);
}

/* GtkSourceView finds its languages in the system data folders, which
 * G_TEST_OPTION_ISOLATE_DIRS hides: point it there explicitly. */
static void
set_source_search_paths (const char *data_dirs)
{
  g_auto(GStrv) dirs = g_strsplit (data_dirs != NULL && *data_dirs != '\0' ? data_dirs
                                   : "/usr/local/share:/usr/share", ":", -1);
  g_autoptr(GPtrArray) languages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) styles = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_ptr_array_add (languages, g_build_filename (dirs[i], "gtksourceview-5", "language-specs", NULL));
      g_ptr_array_add (styles, g_build_filename (dirs[i], "gtksourceview-5", "styles", NULL));
    }
  g_ptr_array_add (languages, NULL);
  g_ptr_array_add (styles, NULL);

  gtk_source_language_manager_set_search_path (gtk_source_language_manager_get_default (),
                                               (const char * const *) languages->pdata);
  gtk_source_style_scheme_manager_set_search_path (gtk_source_style_scheme_manager_get_default (),
                                                   (const char * const *) styles->pdata);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *data_dirs = g_strdup (g_getenv ("XDG_DATA_DIRS"));

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_init ();
  adw_init ();
  gtk_source_init ();
  set_source_search_paths (data_dirs);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/markdown/emphasis", test_emphasis);
  ADD ("/markdown/headings", test_headings);
  ADD ("/markdown/links", test_links);
  ADD ("/markdown/links/keyboard", test_keyboard_links);
  ADD ("/markdown/lists", test_lists);
  ADD ("/markdown/lists/loose", test_loose_list_paragraphs);
  ADD ("/markdown/lists/tasks", test_task_list);
  ADD ("/markdown/quote", test_quote);
  ADD ("/markdown/rule", test_rule);
  ADD ("/markdown/code/block", test_code_block);
  ADD ("/markdown/code/languages", test_code_languages);
  ADD ("/markdown/code/dark", test_code_dark);
  ADD ("/markdown/table", test_table);
  ADD ("/markdown/table/links-and-hostile-cells", test_table_links_and_hostile_cells);
  ADD ("/markdown/image-and-entities", test_image_and_entities);
  ADD ("/markdown/accessible-roles", test_accessible_roles);
  ADD ("/markdown/hostile/pango-markup", test_hostile_markup);
  ADD ("/markdown/hostile/invalid-utf8", test_hostile_invalid_utf8);
  ADD ("/markdown/hostile/nul-bytes", test_hostile_nul_bytes);
  ADD ("/markdown/hostile/split-characters", test_hostile_split_characters);
  ADD ("/markdown/hostile/huge-line", test_hostile_huge_line);
  ADD ("/markdown/hostile/long-word", test_hostile_long_word);
  ADD ("/markdown/hostile/unclosed-fence", test_hostile_unclosed_fence);
  ADD ("/markdown/hostile/deep-nesting", test_hostile_deep_nesting);
  ADD ("/markdown/stream/coalescing", test_stream_coalescing);
  ADD ("/markdown/stream/corpus-20-bytes", test_stream_corpus_20);
  ADD ("/markdown/stream/corpus-random", test_stream_corpus_random);
  ADD ("/markdown/stream/one-byte", test_stream_bytes);
  ADD ("/markdown/stream/reference-links", test_stream_reference_links);
  ADD ("/markdown/stream/frames", test_stream_frames);
  ADD ("/markdown/stream/one-widget-block-a-frame", test_stream_one_widget_block_a_frame);
  ADD ("/markdown/text", test_text_and_append_after_set);
  ADD ("/markdown/select/across-blocks", test_select_across_blocks);
  ADD ("/markdown/select/while-streaming", test_select_while_streaming);
  ADD ("/markdown/select/autoscroll", test_select_autoscroll);
#undef ADD
  g_test_add_func ("/markdown/parser/nul-and-regressions", test_parser_nul_and_regressions);

  return g_test_run ();
}

/* starling-markdown-code-block.c: a fenced code block with its language and a copy button
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>
#include <gtksourceview/gtksource.h>
#include <string.h>

#include "starling-markdown-code-block.h"
#include "starling-markdown-tags.h"

struct _StarlingMarkdownCodeBlock
{
  GtkWidget        parent_instance;

  GtkSourceBuffer *buffer;
  char            *language;
  guint            copied_id;

  /* Template widgets */
  GtkWidget       *header;
  GtkLabel        *language_label;
  GtkButton       *copy_button;
  GtkWidget       *scroller;
  GtkSourceView   *source_view;
};

G_DEFINE_FINAL_TYPE (StarlingMarkdownCodeBlock, starling_markdown_code_block, GTK_TYPE_WIDGET)

/* Fence words as people write them, to GtkSourceView language ids. */
static const struct
{
  const char *alias;
  const char *id;
} language_aliases[] = {
  { "bash", "sh" }, { "shell", "sh" }, { "zsh", "sh" }, { "console", "sh" }, { "shellsession", "sh" },
  { "ksh", "sh" }, { "c++", "cpp" }, { "cxx", "cpp" }, { "cc", "cpp" }, { "hpp", "cpp" },
  { "h", "c" }, { "cs", "c-sharp" }, { "csharp", "c-sharp" }, { "c#", "c-sharp" },
  { "fs", "fsharp" }, { "f#", "fsharp" }, { "js", "js" }, { "javascript", "js" },
  { "node", "js" }, { "mjs", "js" }, { "cjs", "js" }, { "jsx", "jsx" }, { "ts", "typescript" },
  { "tsx", "typescript-jsx" }, { "py", "python3" }, { "python", "python3" },
  { "py3", "python3" }, { "python2", "python" }, { "rb", "ruby" }, { "rs", "rust" },
  { "golang", "go" }, { "kt", "kotlin" }, { "kts", "kotlin" }, { "yml", "yaml" },
  { "md", "markdown" }, { "htm", "html" }, { "xhtml", "html" }, { "svg", "xml" },
  { "pl", "perl" }, { "pm", "perl" }, { "ps1", "powershell" }, { "pwsh", "powershell" },
  { "dockerfile", "docker" }, { "containerfile", "docker" }, { "make", "makefile" },
  { "mk", "makefile" }, { "tex", "latex" }, { "patch", "diff" }, { "proto", "protobuf" },
  { "jsonc", "json" }, { "json5", "json" }, { "objective-c", "objc" }, { "objectivec", "objc" },
  { "m", "objc" }, { "hs", "haskell" }, { "ml", "ocaml" }, { "ex", "elixir" },
  { "tf", "terraform" }, { "hcl", "terraform" }, { "vb", "vbnet" }, { "sol", "solidity" },
  { "gd", "gdscript" }, { "glslang", "glsl" }, { "bat", "dosbatch" }, { "cmd", "dosbatch" },
  { "r", "r" }, { "jl", "julia" }, { "cu", "cuda" }, { "scm", "scheme" }, { "lisp", "commonlisp" },
  { "ini", "ini" }, { "cfg", "ini" }, { "conf", "ini" }, { "toml", "toml" }, { "sql", "sql" },
};

const char *
starling_markdown_language_id (const char *fence_language)
{
  g_autofree char *lower = NULL;

  if (fence_language == NULL || *fence_language == '\0')
    return NULL;

  lower = g_ascii_strdown (fence_language, -1);
  for (guint i = 0; i < G_N_ELEMENTS (language_aliases); i++)
    {
      if (strcmp (language_aliases[i].alias, lower) == 0)
        return language_aliases[i].id;
    }

  return g_intern_string (lower);
}

static GtkSourceLanguage *
find_language (const char *fence_language)
{
  GtkSourceLanguageManager *manager = gtk_source_language_manager_get_default ();
  const char *id = starling_markdown_language_id (fence_language);
  GtkSourceLanguage *language;
  g_autofree char *file_name = NULL;

  if (id == NULL)
    return NULL;

  language = gtk_source_language_manager_get_language (manager, id);
  if (language != NULL)
    return language;

  /* An extension works too: ```vala, ```lua, ```swift ... */
  file_name = g_strdup_printf ("file.%s", id);
  return gtk_source_language_manager_guess_language (manager, file_name, NULL);
}

/* GtkSourceView frees a language's compiled definition when no buffer uses
 * it, and parses it again for the next one (tens of milliseconds): one idle
 * buffer per language keeps it. */
static void
keep_language_loaded (GtkSourceLanguage *language)
{
  static GHashTable *buffers;
  const char *id = gtk_source_language_get_id (language);
  GtkSourceBuffer *buffer;

  if (buffers == NULL)
    buffers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  if (g_hash_table_contains (buffers, id))
    return;

  buffer = gtk_source_buffer_new_with_language (language);
  gtk_text_buffer_set_enable_undo (GTK_TEXT_BUFFER (buffer), FALSE);
  g_hash_table_insert (buffers, g_strdup (id), buffer);
}

static void
update_style_scheme (StarlingMarkdownCodeBlock *self)
{
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  gboolean dark = adw_is_initialized () && adw_style_manager_get_dark (adw_style_manager_get_default ());
  GtkSourceStyleScheme *scheme;

  scheme = gtk_source_style_scheme_manager_get_scheme (schemes, dark ? "Adwaita-dark" : "Adwaita");
  if (scheme == NULL)
    scheme = gtk_source_style_scheme_manager_get_scheme (schemes, dark ? "classic-dark" : "classic");
  gtk_source_buffer_set_style_scheme (self->buffer, scheme);
}

static void
dark_changed_cb (StarlingMarkdownCodeBlock *self)
{
  update_style_scheme (self);
}

static gboolean
copied_timeout_cb (gpointer user_data)
{
  StarlingMarkdownCodeBlock *self = user_data;

  self->copied_id = 0;
  gtk_button_set_icon_name (self->copy_button, "edit-copy-symbolic");

  return G_SOURCE_REMOVE;
}

static void
copy_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  StarlingMarkdownCodeBlock *self = STARLING_MARKDOWN_CODE_BLOCK (widget);
  g_autofree char *code = starling_markdown_code_block_dup_code (self);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), code);

  /* A moment of feedback that the copy happened. */
  gtk_button_set_icon_name (self->copy_button, "object-select-symbolic");
  g_clear_handle_id (&self->copied_id, g_source_remove);
  self->copied_id = g_timeout_add_seconds (2, copied_timeout_cb, self);
}

static void
starling_markdown_code_block_dispose (GObject *object)
{
  StarlingMarkdownCodeBlock *self = STARLING_MARKDOWN_CODE_BLOCK (object);

  g_clear_handle_id (&self->copied_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), STARLING_TYPE_MARKDOWN_CODE_BLOCK);
  g_clear_object (&self->buffer);

  G_OBJECT_CLASS (starling_markdown_code_block_parent_class)->dispose (object);
}

static void
starling_markdown_code_block_finalize (GObject *object)
{
  StarlingMarkdownCodeBlock *self = STARLING_MARKDOWN_CODE_BLOCK (object);

  g_free (self->language);

  G_OBJECT_CLASS (starling_markdown_code_block_parent_class)->finalize (object);
}

static void
starling_markdown_code_block_class_init (StarlingMarkdownCodeBlockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = starling_markdown_code_block_dispose;
  object_class->finalize = starling_markdown_code_block_finalize;

  gtk_source_init ();
  g_type_ensure (GTK_SOURCE_TYPE_VIEW);

  starling_markdown_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/starlingchat/Starling/markdown/"
                                                             "starling-markdown-code-block.ui");
  gtk_widget_class_bind_template_child (widget_class, StarlingMarkdownCodeBlock, header);
  gtk_widget_class_bind_template_child (widget_class, StarlingMarkdownCodeBlock, language_label);
  gtk_widget_class_bind_template_child (widget_class, StarlingMarkdownCodeBlock, copy_button);
  gtk_widget_class_bind_template_child (widget_class, StarlingMarkdownCodeBlock, scroller);
  gtk_widget_class_bind_template_child (widget_class, StarlingMarkdownCodeBlock, source_view);

  gtk_widget_class_install_action (widget_class, "code-block.copy", NULL, copy_action_cb);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_css_name (widget_class, "codeblock");
}

static void
starling_markdown_code_block_init (StarlingMarkdownCodeBlock *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->buffer = gtk_source_buffer_new (NULL);
  gtk_text_buffer_set_enable_undo (GTK_TEXT_BUFFER (self->buffer), FALSE);
  gtk_source_buffer_set_highlight_matching_brackets (self->buffer, FALSE);
  gtk_text_view_set_buffer (GTK_TEXT_VIEW (self->source_view), GTK_TEXT_BUFFER (self->buffer));
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  update_style_scheme (self);
  if (adw_is_initialized ())
    g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                             G_CALLBACK (dark_changed_cb), self, G_CONNECT_SWAPPED);
}

GtkWidget *
starling_markdown_code_block_new (const char *language)
{
  StarlingMarkdownCodeBlock *self = g_object_new (STARLING_TYPE_MARKDOWN_CODE_BLOCK, NULL);
  GtkSourceLanguage *source_language = find_language (language);
  g_autofree char *accessible_label = NULL;

  self->language = g_strdup (language);
  if (source_language != NULL)
    keep_language_loaded (source_language);
  gtk_source_buffer_set_language (self->buffer, source_language);
  gtk_source_buffer_set_highlight_syntax (self->buffer, source_language != NULL);

  if (language != NULL && *language != '\0')
    {
      gtk_label_set_text (self->language_label, language);
      /* Translators: the accessible name of a code block, %s is its language (python, c...) */
      accessible_label = g_strdup_printf (_("%s code block"), language);
    }
  else
    {
      gtk_label_set_text (self->language_label, _("Code"));
      accessible_label = g_strdup (_("Code block"));
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label,
                                  -1);

  return GTK_WIDGET (self);
}

const char *
starling_markdown_code_block_get_language (StarlingMarkdownCodeBlock *self)
{
  g_return_val_if_fail (STARLING_IS_MARKDOWN_CODE_BLOCK (self), NULL);

  return self->language;
}

void
starling_markdown_code_block_set_code (StarlingMarkdownCodeBlock *self,
                                       const char                *code,
                                       gsize                      len)
{
  g_return_if_fail (STARLING_IS_MARKDOWN_CODE_BLOCK (self));

  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (self->buffer), code, len);
}

/* Streaming: the code only grows at its end. */
void
starling_markdown_code_block_append_code (StarlingMarkdownCodeBlock *self,
                                          const char                *code,
                                          gsize                      len)
{
  GtkTextIter end;

  g_return_if_fail (STARLING_IS_MARKDOWN_CODE_BLOCK (self));

  gtk_text_buffer_get_end_iter (GTK_TEXT_BUFFER (self->buffer), &end);
  gtk_text_buffer_insert (GTK_TEXT_BUFFER (self->buffer), &end, code, len);
}

char *
starling_markdown_code_block_dup_code (StarlingMarkdownCodeBlock *self)
{
  GtkTextIter start, end;

  g_return_val_if_fail (STARLING_IS_MARKDOWN_CODE_BLOCK (self), NULL);

  gtk_text_buffer_get_bounds (GTK_TEXT_BUFFER (self->buffer), &start, &end);

  return gtk_text_buffer_get_text (GTK_TEXT_BUFFER (self->buffer), &start, &end, TRUE);
}

/* For a selection across the answer the code is part of. */
GtkTextView *
starling_markdown_code_block_get_text_view (StarlingMarkdownCodeBlock *self)
{
  g_return_val_if_fail (STARLING_IS_MARKDOWN_CODE_BLOCK (self), NULL);

  return GTK_TEXT_VIEW (self->source_view);
}

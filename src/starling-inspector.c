/* starling-inspector.c: the exact request behind an answer, its raw response, and curl
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>
#include <string.h>

#include "gem-request.h"
#include "starling-application.h"
#include "starling-inspector.h"

#define GOOGLE_HOST "generativelanguage.googleapis.com"
#define REDACTED "[REDACTED]"

struct _StarlingInspector
{
  AdwWindow        parent_instance;

  char            *request_raw;
  char            *response_raw;
  char            *request_text;
  char            *response_text;
  char            *curl;
  char            *url;
  char            *secret;
  char            *base_url;
  char            *model;
  GemAuthStyle     style;
  gboolean         streamed;

  AdwViewStack    *view_stack;
  AdwToastOverlay *toast_overlay;
  GtkLabel        *endpoint_label;
  GtkStack        *request_stack;
  GtkStack        *response_stack;
  GtkSourceView   *request_view;
  GtkSourceView   *response_view;
  AdwStatusPage   *response_status;
};

G_DEFINE_FINAL_TYPE (StarlingInspector, starling_inspector, ADW_TYPE_WINDOW)

static gboolean
is_secret_name (const char *name)
{
  static const char * const names[] = {
    "key", "apikey", "api_key", "api-key", "x-goog-api-key", "authorization",
    "access_token", "accesstoken", "bearer",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name, names[i]) == 0)
      return TRUE;

  return FALSE;
}

static void
redact_node (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          const char *name = l->data;
          JsonNode *member = json_object_get_member (object, name);

          if (is_secret_name (name) && JSON_NODE_HOLDS_VALUE (member))
            json_object_set_string_member (object, name, REDACTED);
          else
            redact_node (member);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        redact_node (json_array_get_element (array, i));
    }
}

static char *
replace_all (const char *text,
             const char *needle,
             const char *replacement)
{
  g_auto(GStrv) pieces = NULL;

  if (needle == NULL || strlen (needle) < 4)
    return g_strdup (text);

  pieces = g_strsplit (text, needle, -1);
  return g_strjoinv (replacement, pieces);
}

/**
 * starling_inspector_redact_json:
 * @json: a request or response as JSON text
 * @secret: (nullable): the key in use, removed wherever it appears
 *
 * Pretty-prints the JSON (member order and numbers kept) with the value of
 * any member that looks like a credential (`key`, `apiKey`,
 * `x-goog-api-key`, `authorization`, …) replaced by "[REDACTED]". Text that
 * is not JSON is returned as it is, minus @secret.
 *
 * Returns: (transfer full): the text to show
 */
char *
starling_inspector_redact_json (const char *json,
                                const char *secret)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *pretty = NULL;

  if (json == NULL)
    return g_strdup ("");

  if (json_parser_load_from_data (parser, json, -1, NULL) && json_parser_get_root (parser) != NULL)
    {
      JsonNode *root = json_parser_get_root (parser);

      redact_node (root);
      pretty = gem_request_to_string (root, TRUE);
    }
  else
    pretty = g_strdup (json);

  return replace_all (pretty, secret, REDACTED);
}

static char *
model_path (const char  *model,
            GError     **error)
{
  g_auto(GStrv) segments = NULL;
  g_autoptr(GString) path = g_string_new (NULL);

  if (model == NULL || *model == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("No model was chosen."));
      return NULL;
    }

  /* As the client names it: "gemini-2.5-flash" is "models/gemini-2.5-flash". */
  if (strchr (model, '/') == NULL)
    g_string_append (path, "models/");

  segments = g_strsplit (model, "/", -1);
  for (guint i = 0; segments[i] != NULL; i++)
    {
      g_autofree char *escaped = g_uri_escape_string (segments[i], NULL, FALSE);

      if (i > 0)
        g_string_append_c (path, '/');
      g_string_append (path, escaped);
    }

  return g_string_free (g_steal_pointer (&path), FALSE);
}

/**
 * starling_inspector_build_url:
 * @streamed: the streaming endpoint, `:streamGenerateContent?alt=sse`
 *
 * Returns: (transfer full) (nullable): the URL the client posts to
 */
char *
starling_inspector_build_url (const char  *base_url,
                              const char  *model,
                              gboolean     streamed,
                              GError     **error)
{
  g_autoptr(GemClient) client = gem_client_new (base_url, NULL);
  g_autofree char *resource = model_path (model, error);
  g_autofree char *path = NULL;

  if (resource == NULL)
    return NULL;

  path = g_strconcat (resource, streamed ? ":streamGenerateContent?alt=sse" : ":generateContent", NULL);
  return gem_client_build_url (client, path, error);
}

static gboolean
is_google (const char *base_url)
{
  g_autoptr(GUri) uri = base_url != NULL ? g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL) : NULL;

  return uri != NULL && g_uri_get_host (uri) != NULL &&
         g_ascii_strcasecmp (g_uri_get_host (uri), GOOGLE_HOST) == 0;
}

static void
append_single_quoted (GString    *out,
                      const char *text)
{
  g_string_append_c (out, '\'');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append (out, "'\\''");
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
}

/**
 * starling_inspector_build_curl:
 * @request_json: the request body as sent
 *
 * A curl command in the shape of the user's reference page. The key is never
 * in it: the header reads `$GEMINI_API_KEY` for Google's server and
 * `$COMETAPI_KEY` for any other; a streamed request gets the streaming URL
 * and `--no-buffer`.
 *
 * Returns: (transfer full) (nullable): the command
 */
char *
starling_inspector_build_curl (const char    *request_json,
                               const char    *base_url,
                               GemAuthStyle   style,
                               const char    *model,
                               gboolean       streamed,
                               GError       **error)
{
  g_autofree char *url = starling_inspector_build_url (base_url, model, streamed, error);
  g_autofree char *body = NULL;
  const char *variable = is_google (base_url) ? "$GEMINI_API_KEY" : "$COMETAPI_KEY";
  GString *out;

  if (url == NULL)
    return NULL;

  body = starling_inspector_redact_json (request_json != NULL ? request_json : "{}", NULL);

  out = g_string_new ("curl ");
  g_string_append_printf (out, "\"%s\" \\\n", url);
  g_string_append (out, "  -H \"Content-Type: application/json\" \\\n");
  if (style == GEM_AUTH_STYLE_BEARER)
    g_string_append_printf (out, "  -H \"Authorization: Bearer %s\" \\\n", variable);
  else
    g_string_append_printf (out, "  -H \"x-goog-api-key: %s\" \\\n", variable);
  if (streamed)
    g_string_append (out, "  --no-buffer \\\n");
  g_string_append (out, "  -d ");
  append_single_quoted (out, body);
  g_string_append_c (out, '\n');

  return g_string_free (out, FALSE);
}

static void
update_scheme (StarlingInspector *self)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  GtkSourceStyleScheme *scheme;

  scheme = gtk_source_style_scheme_manager_get_scheme (schemes, adw_style_manager_get_dark (manager)
                                                                ? "Adwaita-dark" : "Adwaita");
  if (scheme == NULL)
    return;

  gtk_source_buffer_set_style_scheme (GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->request_view))), scheme);
  gtk_source_buffer_set_style_scheme (GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->response_view))), scheme);
}

static void
copy_text (StarlingInspector *self,
           const char        *text,
           const char        *toast)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (toast));
}

static void
copy_curl_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  StarlingInspector *self = STARLING_INSPECTOR (widget);

  if (self->curl != NULL)
    copy_text (self, self->curl, _("Copied. Set COMETAPI_KEY or GEMINI_API_KEY in your shell before running it."));
}

static void
copy_json_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  StarlingInspector *self = STARLING_INSPECTOR (widget);
  gboolean response = g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "response") == 0;
  const char *text = response ? self->response_text : self->request_text;

  if (text != NULL && *text != '\0')
    copy_text (self, text, response ? _("Response copied") : _("Request copied"));
}

static void
refresh (StarlingInspector *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *endpoint = NULL;

  g_clear_pointer (&self->request_text, g_free);
  g_clear_pointer (&self->response_text, g_free);
  g_clear_pointer (&self->curl, g_free);
  g_clear_pointer (&self->url, g_free);

  if (self->request_raw != NULL)
    self->request_text = starling_inspector_redact_json (self->request_raw, self->secret);
  if (self->response_raw != NULL)
    self->response_text = starling_inspector_redact_json (self->response_raw, self->secret);

  self->url = starling_inspector_build_url (self->base_url, self->model, self->streamed, &error);
  if (self->request_raw != NULL && self->url != NULL)
    {
      g_autofree char *curl = starling_inspector_build_curl (self->request_raw, self->base_url, self->style,
                                                             self->model, self->streamed, NULL);

      self->curl = replace_all (curl, self->secret, REDACTED);
    }

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->request_view)),
                            self->request_text != NULL ? self->request_text : "", -1);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->response_view)),
                            self->response_text != NULL ? self->response_text : "", -1);
  gtk_stack_set_visible_child_name (self->request_stack, self->request_text != NULL ? "text" : "empty");
  gtk_stack_set_visible_child_name (self->response_stack, self->response_text != NULL ? "text" : "empty");

  endpoint = self->url != NULL ? g_strdup_printf ("POST %s", self->url) : g_strdup (error->message);
  gtk_label_set_label (self->endpoint_label, endpoint);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.copy-curl", self->curl != NULL);
}

static void
starling_inspector_finalize (GObject *object)
{
  StarlingInspector *self = STARLING_INSPECTOR (object);

  g_clear_pointer (&self->request_raw, g_free);
  g_clear_pointer (&self->response_raw, g_free);
  g_clear_pointer (&self->request_text, g_free);
  g_clear_pointer (&self->response_text, g_free);
  g_clear_pointer (&self->curl, g_free);
  g_clear_pointer (&self->url, g_free);
  if (self->secret != NULL)
    explicit_bzero (self->secret, strlen (self->secret));
  g_clear_pointer (&self->secret, g_free);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->model, g_free);

  G_OBJECT_CLASS (starling_inspector_parent_class)->finalize (object);
}

static void
starling_inspector_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), STARLING_TYPE_INSPECTOR);

  G_OBJECT_CLASS (starling_inspector_parent_class)->dispose (object);
}

static void
starling_inspector_class_init (StarlingInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = starling_inspector_dispose;
  object_class->finalize = starling_inspector_finalize;

  gtk_source_init ();
  g_type_ensure (GTK_SOURCE_TYPE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/starlingchat/Starling/ui/starling-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, StarlingInspector, view_stack);
  gtk_widget_class_bind_template_child (widget_class, StarlingInspector, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, StarlingInspector, endpoint_label);
  gtk_widget_class_bind_template_child (widget_class, StarlingInspector, request_stack);
  gtk_widget_class_bind_template_child (widget_class, StarlingInspector, response_stack);
  gtk_widget_class_bind_template_child (widget_class, StarlingInspector, request_view);
  gtk_widget_class_bind_template_child (widget_class, StarlingInspector, response_view);
  gtk_widget_class_bind_template_child (widget_class, StarlingInspector, response_status);

  gtk_widget_class_install_action (widget_class, "inspector.copy-curl", NULL, copy_curl_action);
  gtk_widget_class_install_action (widget_class, "inspector.copy-json", NULL, copy_json_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
starling_inspector_init (StarlingInspector *self)
{
  GtkSourceLanguage *json;

  gtk_widget_init_template (GTK_WIDGET (self));

  json = gtk_source_language_manager_get_language (gtk_source_language_manager_get_default (), "json");
  gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->request_view))), json);
  gtk_source_buffer_set_language (GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->response_view))), json);

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_scheme), self, G_CONNECT_SWAPPED);
  update_scheme (self);
}

/**
 * starling_inspector_new:
 * @request_json: (nullable): the request body exactly as sent
 * @response_json: (nullable): the raw (merged) response
 * @streamed: whether the request went to the streaming endpoint
 *
 * Returns: (transfer full): the window, not yet shown
 */
StarlingInspector *
starling_inspector_new (const char   *request_json,
                        const char   *response_json,
                        const char   *base_url,
                        GemAuthStyle  style,
                        const char   *model,
                        gboolean      streamed)
{
  StarlingInspector *self = g_object_new (STARLING_TYPE_INSPECTOR, NULL);

  self->request_raw = g_strdup (request_json);
  self->response_raw = g_strdup (response_json);
  self->base_url = g_strdup (base_url);
  self->model = g_strdup (model);
  self->style = style;
  self->streamed = streamed;
  refresh (self);

  return self;
}

/**
 * starling_inspector_set_secret:
 * @secret: (nullable): the API key in use, scrubbed from everything shown
 *
 * The key is never part of a request body; this guards against it showing
 * up anyway (say, echoed back in an error).
 */
void
starling_inspector_set_secret (StarlingInspector *self,
                               const char        *secret)
{
  g_return_if_fail (STARLING_IS_INSPECTOR (self));

  if (self->secret != NULL)
    explicit_bzero (self->secret, strlen (self->secret));
  g_free (self->secret);
  self->secret = g_strdup (secret);
  refresh (self);
}

/**
 * starling_inspector_present_full:
 * @parent: (nullable): the window it belongs to
 * @answer: a model message
 * @base_url: the server it was sent to
 * @style: how the key was sent
 * @model: the model it was sent to
 * @streamed: whether it went to `:streamGenerateContent?alt=sse`
 *
 * Opens the inspector for one answer.
 */
void
starling_inspector_present_full (GtkWindow       *parent,
                                 StarlingMessage *answer,
                                 const char      *base_url,
                                 GemAuthStyle     style,
                                 const char      *model,
                                 gboolean         streamed)
{
  g_autofree char *response_json = NULL;
  StarlingInspector *self;
  GemResponse *response;

  g_return_if_fail (STARLING_IS_MESSAGE (answer));

  response = starling_message_get_response (answer);
  if (response != NULL && gem_response_get_n_chunks (response) > 0)
    response_json = gem_response_to_string (response, FALSE);

  self = starling_inspector_new (starling_message_get_request_json (answer), response_json,
                                 base_url, style, model, streamed);

  if (response_json == NULL)
    {
      const GError *error = starling_message_get_error (answer);

      adw_status_page_set_description (self->response_status,
                                       error != NULL ? error->message : _("No answer has arrived yet."));
    }

  if (parent != NULL)
    {
      GtkApplication *app = gtk_window_get_application (parent);

      gtk_window_set_transient_for (GTK_WINDOW (self), parent);
      if (STARLING_IS_APPLICATION (app))
        starling_inspector_set_secret (self, starling_application_get_api_key (STARLING_APPLICATION (app)));
    }

  gtk_window_present (GTK_WINDOW (self));
}

/**
 * starling_inspector_present:
 *
 * As starling_inspector_present_full() for a streamed answer (how the
 * conversation sends every request).
 */
void
starling_inspector_present (GtkWindow       *parent,
                            StarlingMessage *answer,
                            const char      *base_url,
                            GemAuthStyle     style,
                            const char      *model)
{
  starling_inspector_present_full (parent, answer, base_url, style, model, TRUE);
}

const char *
starling_inspector_get_request_text (StarlingInspector *self)
{
  g_return_val_if_fail (STARLING_IS_INSPECTOR (self), NULL);

  return self->request_text;
}

const char *
starling_inspector_get_response_text (StarlingInspector *self)
{
  g_return_val_if_fail (STARLING_IS_INSPECTOR (self), NULL);

  return self->response_text;
}

/**
 * starling_inspector_get_curl:
 *
 * Returns: (nullable): what "Copy as curl" copies
 */
const char *
starling_inspector_get_curl (StarlingInspector *self)
{
  g_return_val_if_fail (STARLING_IS_INSPECTOR (self), NULL);

  return self->curl;
}

const char *
starling_inspector_get_url (StarlingInspector *self)
{
  g_return_val_if_fail (STARLING_IS_INSPECTOR (self), NULL);

  return self->url;
}

//! The configuration page: the lifecycles as configured, and the notification templates, which
//! administrators edit with a preview beside the editor (rendered by the server; a small script
//! of our own keeps it live while typing).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped};
use portico_domain::Language;
use portico_service::{template_language, Portico, ServiceError};

use super::shared::{app_layout, refusal_in_page, refused, then_to};
use super::web::{WebForm, WebPage};
use crate::i18n::t;

/// `GET /static/portico.js`
pub async fn script() -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/javascript; charset=utf-8",
        )],
        include_str!("../../static/portico.js"),
    )
}

/// `GET /configuration`
pub async fn overview(State(app): State<Portico>, WebPage { caller, csrf }: WebPage) -> Response {
    let templates = match app.notification_templates(&caller, Language::En).await {
        Ok(t) => t,
        Err(e) => return refused(e),
    };
    let content = html! {
        @for ty in &app.config().types {
            section {
                h2 { (ty.label) " (" (ty.object) ")" }
                p { (t("config-constraint")) " " code { (ty.constraint.source()) } }
                table {
                    thead { tr { th { (t("col-state")) } th { (t("config-on-entry")) } th { (t("config-moves")) } } }
                    tbody {
                        @for s in &ty.lifecycle.states {
                            tr {
                                td { (s.label) " " code { (s.name) } }
                                td { @match s.entry_action {
                                    Some(portico_domain::lifecycle::EntryAction::CreateActivate) => (t("config-entry-activate")),
                                    Some(portico_domain::lifecycle::EntryAction::Inactivate) => (t("config-entry-inactivate")),
                                    None => {},
                                } }
                                td { @for a in ty.lifecycle.actions_in(&s.name) { (a.label) "; " } }
                            }
                        }
                    }
                }
                p { (t("config-templates")) " "
                    @for tpl in templates.iter().filter(|x| x.object_type == ty.object_type) {
                        a href=(format!("/configuration/templates/{}", tpl.name)) { (tpl.kind.key()) }
                        @if tpl.customized { " " (t("config-changed")) }
                        " · "
                    }
                }
            }
        }
    };
    app_layout(&caller, &csrf.0, &t("nav-configuration"), content).into_response()
}

fn preview_pane(result: Result<portico_domain::config::RenderedEmail, String>) -> Markup {
    html! {
        @match result {
            Ok(r) => {
                p { strong { (t("tpl-subject")) ": " } (r.subject) }
                pre class="mail" { (r.text) }
                // The HTML part as the recipient sees it, shown as an isolated document.
                iframe title=(t("tpl-html-part")) sandbox="" srcdoc=(PreEscaped(r.html).into_string()) {}
            }
            Err(message) => { p class="error" role="alert" { (message) } }
        }
    }
}

/// `?language=de` on the editor: which language's text it edits.
#[derive(serde::Deserialize)]
pub struct EditorLanguage {
    language: Option<String>,
}

/// The language a form of the editor names (its hidden `language` field).
fn form_language(form: &WebForm) -> Result<Language, ServiceError> {
    template_language(form.fields.get("language").map(String::as_str))
}

/// `GET /configuration/templates/{name}?language=de` (administrators)
pub async fn editor(
    State(app): State<Portico>,
    WebPage { caller, csrf }: WebPage,
    Path(name): Path<String>,
    Query(q): Query<EditorLanguage>,
) -> Response {
    let language = match template_language(q.language.as_deref()) {
        Ok(l) => l,
        Err(e) => return refused(e),
    };
    let t = match app.notification_template(&caller, &name, language).await {
        Ok(t) => t,
        Err(e) => return refused(e),
    };
    let preview = app
        .preview_notification_template(
            &caller,
            &name,
            language,
            &t.subject,
            &t.body,
            t.html.as_deref(),
        )
        .await;
    let preview = match refusal_in_page(preview) {
        Ok(preview) => preview,
        Err(e) => return refused(e),
    };
    page(
        &caller,
        &csrf.0,
        &Draft {
            name: &name,
            language,
            subject: &t.subject,
            body: &t.body,
            html_part: t.html.as_deref().unwrap_or(""),
        },
        preview,
        None,
    )
    .into_response()
}

/// What the editor shows: one template's text in one language.
struct Draft<'a> {
    name: &'a str,
    language: Language,
    subject: &'a str,
    body: &'a str,
    html_part: &'a str,
}

fn page(
    caller: &portico_service::Caller,
    csrf: &str,
    d: &Draft<'_>,
    preview: Result<portico_domain::config::RenderedEmail, String>,
    notice: Option<&str>,
) -> Markup {
    let name = d.name;
    let content = html! {
        @if let Some(n) = notice { p class="ok" role="status" { (n) } }
        nav class="languages" aria-label=(t("tpl-language")) {
            @for l in Language::ALL {
                @if l == d.language {
                    strong aria-current="page" lang=(l.code()) { (l.native_name()) }
                } @else {
                    a href=(format!("/configuration/templates/{name}?language={}", l.code())) lang=(l.code()) hreflang=(l.code()) { (l.native_name()) }
                }
                " "
            }
        }
        div class="editor" {
            form method="post" action=(format!("/configuration/templates/{name}")) data-live-preview=(format!("/configuration/templates/{name}/preview")) lang=(d.language.code()) {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="language" value=(d.language.code());
                label for="subject" { (t("tpl-subject")) }
                input type="text" id="subject" name="subject" value=(d.subject);
                label for="body" { (t("tpl-text")) }
                textarea id="body" name="body" rows="14" { (d.body) }
                label for="html" { (t("tpl-html")) }
                textarea id="html" name="html" rows="6" { (d.html_part) }
                button type="submit" name="action" value="preview" { (t("preview-button")) }
                " "
                button type="submit" name="action" value="save" { (t("language-save")) }
                " "
                button type="submit" name="action" value="reset" { (t("tpl-reset")) }
            }
            div id="preview" aria-live="polite" lang=(d.language.code()) { (preview_pane(preview)) }
        }
    };
    let title = format!("{name} ({})", d.language.native_name());
    app_layout(caller, csrf, &title, content)
}

/// `POST /configuration/templates/{name}`: preview, save or reset, in the form's language.
pub async fn submit(
    State(app): State<Portico>,
    Path(name): Path<String>,
    form: WebForm,
) -> Response {
    let language = match form_language(&form) {
        Ok(l) => l,
        Err(e) => return refused(e),
    };
    let get = |k: &str| form.value(k).to_string();
    let (subject, body) = (get("subject"), get("body"));
    let html_part = form
        .fields
        .get("html")
        .filter(|h| !h.trim().is_empty())
        .cloned();
    let preview = app
        .preview_notification_template(
            &form.caller,
            &name,
            language,
            &subject,
            &body,
            html_part.as_deref(),
        )
        .await;
    let preview = match refusal_in_page(preview) {
        Ok(preview) => preview,
        Err(e) => return refused(e),
    };
    let draft = Draft {
        name: &name,
        language,
        subject: &subject,
        body: &body,
        html_part: html_part.as_deref().unwrap_or(""),
    };
    match form.fields.get("action").map(String::as_str) {
        Some("save") => match app
            .put_notification_template(
                &form.caller,
                &name,
                language,
                &subject,
                &body,
                html_part.as_deref(),
            )
            .await
        {
            Ok(_) => page(
                &form.caller,
                &form.csrf.0,
                &draft,
                preview,
                Some(&t("language-saved")),
            )
            .into_response(),
            Err(ServiceError::InvalidData(m)) => (
                StatusCode::BAD_REQUEST,
                page(&form.caller, &form.csrf.0, &draft, Err(m.into()), None),
            )
                .into_response(),
            Err(e) => refused(e),
        },
        Some("reset") => then_to(
            app.reset_notification_template(&form.caller, &name, language)
                .await,
            |_| format!("/configuration/templates/{name}?language={language}"),
        ),
        _ => page(&form.caller, &form.csrf.0, &draft, preview, None).into_response(),
    }
}

/// `POST /configuration/templates/{name}/preview`: just the preview pane (for the script).
pub async fn fragment(
    State(app): State<Portico>,
    Path(name): Path<String>,
    form: WebForm,
) -> Response {
    let language = match form_language(&form) {
        Ok(l) => l,
        Err(e) => return refused(e),
    };
    let get = |k: &str| form.value(k).to_string();
    let html_part = form
        .fields
        .get("html")
        .filter(|h| !h.trim().is_empty())
        .cloned();
    let preview = app
        .preview_notification_template(
            &form.caller,
            &name,
            language,
            &get("subject"),
            &get("body"),
            html_part.as_deref(),
        )
        .await;
    let preview = match refusal_in_page(preview) {
        Ok(preview) => preview,
        Err(e) => return refused(e),
    };
    preview_pane(preview).into_response()
}

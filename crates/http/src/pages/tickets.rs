//! Comments on a record page, and the tickets page: an external collaborator submits support or
//! service requests; internal users answer them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use portico_service::{Page, Portico, ServiceError};

use super::shared::{app_layout, error_page, refused, then_to, RecordPage};
use super::web::{csrf_refusal, WebForm, WebPage, WebUser};
use crate::i18n::t;
use crate::{plain, tr};

/// The comments section of a record page; without its form when the record is read-only for
/// the caller.
pub(crate) async fn comments_section(page: &RecordPage<'_>) -> Result<Markup, ServiceError> {
    let comments = page.app.comments(page.caller, page.object, page.id).await?;
    Ok(html! {
        section {
            h2 { (t("comments-title")) }
            @for c in &comments {
                article class="comment" {
                    p class="hint" { (c.author_name) " · " (plain::when(c.created_at)) }
                    p { (c.body) }
                }
            }
            @if !page.read_only {
                form method="post" action=(format!("{}/comments", page.path())) {
                    input type="hidden" name="csrf" value=(page.csrf);
                    label for="comment" { (t("comment-add")) }
                    textarea id="comment" name="body" rows="3" required maxlength=(portico_domain::MAX_TEXT_CHARS) {}
                    button type="submit" { (t("comment-submit")) }
                }
            }
        }
    })
}

/// `POST /records/{object}/{id}/comments`
pub async fn add_comment(
    State(app): State<Portico>,
    Path((object, id)): Path<(String, String)>,
    form: WebForm,
) -> Response {
    then_to(
        app.add_comment(&form.caller, &object, &id, form.value("body"))
            .await,
        |_| format!("/records/{object}/{id}"),
    )
}

/// `GET /tickets`
pub async fn page(State(app): State<Portico>, WebPage { caller, csrf }: WebPage) -> Response {
    let tickets = match app.tickets(&caller, Page::default()).await {
        Ok(t) => t,
        Err(e) => return refused(e),
    };
    let content = html! {
        @if !caller.is_internal() {
            section {
                h2 { (t("tickets-ask")) }
                form method="post" action="/tickets" {
                    input type="hidden" name="csrf" value=(csrf.0);
                    label for="kind" { (t("ticket-kind")) }
                    select id="kind" name="kind" { option value="support" { (t("ticket-support")) } option value="service" { (t("ticket-service")) } }
                    label for="subject" { (t("ticket-subject")) }
                    input type="text" id="subject" name="subject" required maxlength="200";
                    label for="body" { (t("ticket-body")) }
                    textarea id="body" name="body" rows="4" required {}
                    button type="submit" { (t("ticket-send")) }
                }
            }
        }
        @for ticket in &tickets {
            article {
                h3 { (ticket.subject) }
                p class="hint" {
                    @if ticket.kind == "service" { (t("ticket-service")) } @else { (t("ticket-support")) }
                    " · " (plain::status(&ticket.status)) " · " (plain::when(ticket.created_at))
                }
                p { (ticket.body) }
                @if let Some(a) = &ticket.answer { p { strong { (t("ticket-answer-label")) " " } (a) } }
                @if caller.is_internal() && ticket.answer.is_none() {
                    form method="post" action=(format!("/tickets/{}/answer", ticket.id)) {
                        input type="hidden" name="csrf" value=(csrf.0);
                        label for=(format!("answer-{}", ticket.id)) { (t("ticket-answer")) }
                        textarea id=(format!("answer-{}", ticket.id)) name="answer" rows="3" required {}
                        button type="submit" { (t("ticket-answer")) }
                    }
                }
            }
        }
    };
    app_layout(&caller, &csrf.0, &t("tickets-title"), content).into_response()
}

/// `POST /tickets`
pub async fn create(State(app): State<Portico>, form: WebForm) -> Response {
    let get = |k: &str| form.value(k).to_string();
    then_to(
        app.create_ticket(&form.caller, &get("kind"), &get("subject"), &get("body"))
            .await,
        |_| "/tickets".into(),
    )
}

/// `POST /tickets/{id}/answer`
pub async fn answer(State(app): State<Portico>, Path(id): Path<String>, form: WebForm) -> Response {
    then_to(
        app.answer_ticket(&form.caller, &id, form.value("answer"))
            .await,
        |_| "/tickets".into(),
    )
}

/// The files section of a record page; without its form when the record is read-only for the
/// caller.
pub(crate) async fn files_section(page: &RecordPage<'_>) -> Result<Markup, ServiceError> {
    let files = page.app.files(page.caller, page.object, page.id).await?;
    let max_bytes = page.app.settings().max_file_bytes;
    let max_mb = max_bytes / 1_000_000;
    Ok(html! {
        section {
            h2 { (t("files-title")) }
            @if files.is_empty() { p class="hint" { (t("files-none")) } }
            ul {
                @for f in &files {
                    li { a href=(format!("/files/{}", f.id)) { (f.name) } " · " (plain::size(f.size)) }
                }
            }
            @if !page.read_only {
                form method="post" action=(format!("{}/files", page.path())) enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(page.csrf);
                    label for="file" { (tr!("files-add", mb = max_mb)) }
                    // `image/*` lets a phone offer its camera beside its files; the list
                    // of document types keeps a desktop's file dialog to what we accept.
                    input type="file" id="file" name="file" required
                        accept=(ACCEPT)
                        data-max-bytes=(max_bytes) data-too-large=(too_large(max_bytes));
                    button type="submit" { (t("files-upload")) }
                }
            }
        }
    })
}

/// What the upload field offers: photos (a phone's camera too) and the document types we
/// keep.
const ACCEPT: &str =
    "image/*,.pdf,.png,.jpg,.jpeg,.gif,.webp,.txt,.csv,application/pdf,text/plain,text/csv";

/// The sentence for a file over the limit, said by the page's script at once and by the
/// server after an upload.
fn too_large(max_bytes: usize) -> String {
    tr!("files-too-large", mb = max_bytes / 1_000_000)
}

/// `POST /records/{object}/{id}/files` (multipart: `csrf`, `file`)
pub async fn upload(
    State(app): State<Portico>,
    WebPage { caller, csrf }: WebPage,
    Path((object, id)): Path<(String, String)>,
    mut multipart: axum::extract::Multipart,
) -> Response {
    let mut form_csrf = String::new();
    let mut file = None;
    let mut over_limit = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                over_limit = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
                break;
            }
        };
        match field.name() {
            Some("csrf") => form_csrf = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let kind = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_string();
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, kind, bytes)),
                    Err(e) => over_limit = e.status() == StatusCode::PAYLOAD_TOO_LARGE,
                }
            }
            _ => {}
        }
    }
    let max = app.settings().max_file_bytes;
    if over_limit || file.as_ref().is_some_and(|(_, _, bytes)| bytes.len() > max) {
        // The body was cut at the limit, CSRF field or not: nothing was stored; say why in
        // words a person with a phone can act on.
        return error_page(StatusCode::PAYLOAD_TOO_LARGE, &too_large(max));
    }
    if let Some(r) = csrf_refusal(&csrf, &form_csrf) {
        return r;
    }
    let Some((name, kind, bytes)) = file else {
        return refused(
            ServiceError::InvalidData("choose a file to upload".into())
                .because("refusal-file-choose", &[]),
        );
    };
    then_to(
        app.upload_file(&caller, &object, &id, &name, &kind, &bytes)
            .await,
        |_| format!("/records/{object}/{id}"),
    )
}

/// `GET /files/{id}`
pub async fn download(
    State(app): State<Portico>,
    WebUser(caller): WebUser,
    Path(id): Path<String>,
) -> Response {
    match app.download(&caller, &id).await {
        Ok((f, bytes)) => crate::api::extranet::attachment(&f, bytes),
        Err(e) => refused(e),
    }
}

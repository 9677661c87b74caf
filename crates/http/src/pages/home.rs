//! The pages of a signed-in user: the home page (a dashboard for internal users, "your
//! requests" for external collaborators), a record page, and the forms that answer tasks and
//! checklists. What a page shows comes from the same use cases as the API, so it is authorised
//! the same way: an external collaborator sees only what was shared with it.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup, DOCTYPE};
use portico_service::store::{RecordFilter, TaskFilter, TaskRow};
use portico_service::{Caller, Page, Portico, RecordView, ServiceError};

use super::web::{form_refusal, CsrfToken, WebUser};
use crate::api::wire::time;

/// A signed-in page: navigation, the user, a sign-out button.
pub(super) fn app_layout(caller: &Caller, csrf: &str, title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Portico" }
                link rel="stylesheet" href="/static/portico.css";
            }
            body {
                header class="bar" {
                    a href="/home" class="brand" { "Portico" }
                    a href="/tickets" { "Tickets" }
                    @if caller.is_internal() {
                        a href="/records/car__v" { "SCARs" }
                        a href="/organizations" { "Organizations" }
                        a href="/users" { "Users" }
                        a href="/licenses" { "Licenses" }
                    }
                    @if caller.is_admin() {
                        a href="/outbox" { "Outbox" }
                        a href="/configuration" { "Configuration" }
                    }
                    span class="who" { (caller.user.first_name) " " (caller.user.last_name) }
                    form method="post" action="/logout" class="inline" {
                        input type="hidden" name="csrf" value=(csrf);
                        button type="submit" class="link" { "Sign out" }
                    }
                }
                main class="page" {
                    h1 { (title) }
                    (content)
                }
            }
        }
    }
}

fn error_page(status: StatusCode, message: &str) -> Response {
    (
        status,
        super::layout(
            "Not available",
            html! { p { (message) } a href="/home" { "Home" } },
        ),
    )
        .into_response()
}

/// "All of them" for the lists a page shows in full (pick lists, contact lists).
pub(super) const MANY: portico_service::Page = portico_service::Page {
    limit: portico_service::Page::MAX_LIMIT,
    offset: 0,
};

/// Where a form goes once its use case ran: the page `to` names from the result, or the
/// refusal.
pub(super) fn then_to<T>(
    result: Result<T, ServiceError>,
    to: impl FnOnce(T) -> String,
) -> Response {
    match result {
        Ok(v) => Redirect::to(&to(v)).into_response(),
        Err(e) => refused(e),
    }
}

/// The page of a refused or failed use case, with the status and the sentence the API would
/// answer. A failure on our side says only that (its cause is logged, never shown).
pub(super) fn refused(e: ServiceError) -> Response {
    if let ServiceError::NotFound(_) = e {
        return error_page(StatusCode::NOT_FOUND, "There is nothing here for you.");
    }
    let answer = crate::ApiError::from(e);
    error_page(answer.status(), answer.message())
}

/// The result of a use case whose refusal a page shows in place (a template that does not
/// parse, an action not possible now); a failure on our side stays an error, for the error
/// page.
pub(super) fn refusal_in_page<T>(
    result: Result<T, ServiceError>,
) -> Result<Result<T, String>, ServiceError> {
    match result {
        Ok(v) => Ok(Ok(v)),
        Err(e @ ServiceError::Internal(_)) => Err(e),
        Err(e) => Ok(Err(e.to_string())),
    }
}

/// A page, or the page of why it cannot be shown.
pub(super) fn shown(page: Result<Markup, ServiceError>) -> Response {
    match page {
        Ok(page) => page.into_response(),
        Err(e) => refused(e),
    }
}

fn state_label(state: &str) -> String {
    state.trim_end_matches("__c").replace('_', " ")
}

pub(super) fn records_table(records: &[(String, RecordView)]) -> Markup {
    html! {
        @if records.is_empty() {
            p class="hint" { "Nothing here." }
        } @else {
            table {
                thead { tr { th { "Record" } th { "Type" } th { "State" } } }
                tbody {
                    @for (object, r) in records {
                        tr {
                            td { a href=(format!("/records/{object}/{}", r.record.id)) { (r.record.name) } }
                            td { (r.record.object_type) }
                            td { (state_label(&r.record.state)) }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /`
pub async fn root() -> Redirect {
    Redirect::to("/home")
}

/// `GET /home`
pub async fn home(
    State(app): State<Portico>,
    WebUser(caller): WebUser,
    csrf: CsrfToken,
) -> Response {
    shown(home_page(&app, &caller, &csrf.0).await)
}

async fn home_page(app: &Portico, caller: &Caller, csrf: &str) -> Result<Markup, ServiceError> {
    let mut records = vec![];
    for target in &app.config().types {
        let filter = RecordFilter {
            state: caller
                .is_internal()
                .then(|| "pending_response__c".to_string()),
            ..RecordFilter::default()
        };
        let found = app
            .records(caller, &target.object, filter, Page::default())
            .await?;
        records.extend(found.into_iter().map(|r| (target.object.clone(), r)));
    }
    let tasks = app
        .tasks(
            caller,
            TaskFilter {
                status: Some("open".into()),
                ..TaskFilter::default()
            },
            Page::default(),
        )
        .await?;
    let notifications = app.notifications(caller, true, Page::default()).await?;
    let content = if caller.is_internal() {
        let l = app.licenses(caller).await?;
        html! {
            section {
                h2 { "External licenses" }
                p { strong { (l.active) } " of " (l.seats) " seats in use, " (l.available) " free." }
            }
            section {
                h2 { "Waiting for a supplier's response" }
                (records_table(&records))
            }
            section {
                h2 { "Open tasks" }
                p { (tasks.len()) " open tasks." }
            }
        }
    } else {
        html! {
            @if !notifications.is_empty() {
                section {
                    h2 { "News" }
                    ul { @for n in &notifications { li { (n.message) } } }
                    form method="post" action="/notifications/read" {
                        input type="hidden" name="csrf" value=(csrf);
                        button type="submit" { "Mark all as read" }
                    }
                }
            }
            section {
                h2 { "Your requests" }
                (records_table(&records))
            }
            section {
                h2 { "Your open tasks" }
                @if tasks.is_empty() { p class="hint" { "No task is waiting for you." } }
                ul {
                    @for t in &tasks {
                        li { (t.label) " — due " (t.due_at.map(time).unwrap_or_default()) }
                    }
                }
            }
        }
    };
    let title = if caller.is_internal() {
        "Dashboard"
    } else {
        "Your requests"
    };
    Ok(app_layout(caller, csrf, title, content))
}

fn task_form(t: &TaskRow, csrf: &str, back: &str) -> Markup {
    html! {
        form method="post" action=(format!("/tasks/{}/complete", t.id)) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="back" value=(back);
            label for=(format!("response-{}", t.id)) { "Your response" }
            textarea id=(format!("response-{}", t.id)) name="response" rows="4" required maxlength=(portico_domain::MAX_TEXT_CHARS) {}
            button type="submit" { "Send response" }
        }
    }
}

/// `GET /records/{object}/{id}`
pub async fn record(
    State(app): State<Portico>,
    WebUser(caller): WebUser,
    csrf: CsrfToken,
    Path((object, id)): Path<(String, String)>,
) -> Response {
    shown(record_page(&app, &caller, &csrf.0, &object, &id).await)
}

async fn record_page(
    app: &Portico,
    caller: &Caller,
    csrf: &str,
    object: &str,
    id: &str,
) -> Result<Markup, ServiceError> {
    let view = app.record(caller, object, id).await?;
    let back = format!("/records/{object}/{id}");
    let tasks = app
        .tasks(
            caller,
            TaskFilter {
                record: Some(id.to_string()),
                ..TaskFilter::default()
            },
            Page::default(),
        )
        .await?;
    let checklists = app.checklists(caller, object, id).await?;
    let visible = |f: &str| {
        view.visible_fields
            .as_ref()
            .is_none_or(|v| v.iter().any(|x| x == f))
    };
    let actions = if caller.is_internal() {
        super::internal::actions_section(app, caller, object, id).await?
    } else {
        html! {}
    };
    // A closed record stays readable for its external collaborators, without the forms they
    // could no longer use.
    let read_only = app.is_read_only_for(caller, &view.record);
    let comments =
        super::tickets::comments_section(app, caller, csrf, object, id, read_only).await?;
    let files = super::tickets::files_section(app, caller, csrf, object, id, read_only).await?;
    let r = &view.record;
    let supplier_name = app
        .supplier_name(caller, object, id)
        .await?
        .or_else(|| r.supplier.as_ref().map(ToString::to_string))
        .unwrap_or_default();
    let content = html! {
        (actions)
        @if read_only {
            p class="hint" { "This record is closed: you can still read it, but no longer answer, comment or add files." }
        }
        dl class="fields" {
            @if visible("object_type__v") {
                dt { "Type" }
                dd { (app.config().target(object).map_or(r.object_type.clone(), |t| t.label.clone())) }
            }
            @if visible("state__v") { dt { "State" } dd { (state_label(&r.state)) } }
            @if visible("supplier__v") { dt { "Supplier" } dd { (supplier_name) } }
        }
        section {
            h2 { "Tasks" }
            @if tasks.is_empty() { p class="hint" { "No tasks." } }
            @for t in &tasks {
                article class="task" {
                    h3 { (t.label) " · " (t.status) }
                    p { (t.instructions) }
                    @if let Some(resp) = &t.response { p { strong { "Response: " } (resp) } }
                    @if t.status == "open" && !read_only && (t.assignee == caller.user.id || caller.is_internal()) {
                        (task_form(t, csrf, &back))
                    }
                }
            }
        }
        section {
            h2 { "Checklists" }
            @if checklists.is_empty() { p class="hint" { "No checklists." } }
            @for c in &checklists {
                article class="checklist" {
                    h3 { (c.checklist.name) @if c.checklist.completed { " · completed" } }
                    @if c.checklist.completed || read_only {
                        dl {
                            @for item in &c.checklist.items {
                                dt { (item.question) }
                                dd { (item.answer.clone().unwrap_or_default()) }
                            }
                        }
                    } @else {
                        form method="post" action=(format!("/checklists/{}/answer", c.checklist.id)) {
                            input type="hidden" name="csrf" value=(csrf);
                            input type="hidden" name="back" value=(back);
                            @for (i, item) in c.checklist.items.iter().enumerate() {
                                label for=(format!("a-{}-{i}", c.checklist.id)) { (item.question) }
                                input type="text" id=(format!("a-{}-{i}", c.checklist.id)) name=(format!("answer_{i}"))
                                    maxlength=(portico_domain::MAX_TEXT_CHARS)
                                    value=(item.answer.clone().unwrap_or_default());
                            }
                            button type="submit" name="action" value="save" { "Save answers" }
                            " "
                            button type="submit" name="action" value="complete" { "Complete" }
                        }
                    }
                }
            }
        }
    };
    let history = if caller.is_internal() {
        let entries = app.record_history(caller, object, id).await?;
        let mut names = Vec::new();
        for p in &view.record.collaborators {
            // A person removed since is left out; any other failure is one.
            match app.person(caller, p.as_str()).await {
                Ok(person) => names.push(person.display_name()),
                Err(ServiceError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        html! {
            section {
                h2 { "Supplier and collaborators" }
                p { (supplier_name) @if !names.is_empty() { " — " (names.join(", ")) } }
            }
            section {
                h2 { "History" }
                table {
                    thead { tr { th { "When" } th { "What" } th { "Why" } } }
                    tbody {
                        @for e in &entries {
                            tr { td { (time(e.entry.at)) } td { (e.entry.action) } td { (e.entry.cause.clone().unwrap_or_default()) } }
                        }
                    }
                }
            }
        }
    } else {
        html! {}
    };
    let content = html! { (content) (files) (comments) (history) };
    Ok(app_layout(caller, csrf, &r.name, content))
}

/// Only local paths are followed after a form (no open redirect).
fn local(back: &str) -> String {
    if back.starts_with('/') && !back.starts_with("//") {
        back.to_string()
    } else {
        "/home".to_string()
    }
}

/// `POST /tasks/{id}/complete`
pub async fn complete_task(
    State(app): State<Portico>,
    WebUser(caller): WebUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Response {
    if let Some(r) = form_refusal(&csrf, &f) {
        return r;
    }
    then_to(
        app.complete_task(
            &caller,
            &id,
            f.get("response").map(String::as_str).unwrap_or(""),
        )
        .await,
        |_| local(f.get("back").map(String::as_str).unwrap_or("/home")),
    )
}

/// `POST /checklists/{id}/answer`: saves the answers, and completes with `action=complete`.
pub async fn answer_checklist(
    State(app): State<Portico>,
    WebUser(caller): WebUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Response {
    if let Some(r) = form_refusal(&csrf, &f) {
        return r;
    }
    let mut answers = vec![];
    while let Some(a) = f.get(&format!("answer_{}", answers.len())) {
        answers.push((!a.trim().is_empty()).then(|| a.clone()));
    }
    let back = local(f.get("back").map(String::as_str).unwrap_or("/home"));
    if let Err(e) = app.answer_checklist(&caller, &id, &answers, false).await {
        return refused(e);
    }
    if f.get("action").map(String::as_str) == Some("complete") {
        if let Err(e) = app.answer_checklist(&caller, &id, &[], true).await {
            return refused(e);
        }
    }
    Redirect::to(&back).into_response()
}

/// `POST /notifications/read`: marks the caller's notifications read.
pub async fn read_all(
    State(app): State<Portico>,
    WebUser(caller): WebUser,
    csrf: CsrfToken,
    Form(f): Form<BTreeMap<String, String>>,
) -> Response {
    if let Some(r) = form_refusal(&csrf, &f) {
        return r;
    }
    then_to(app.mark_all_notifications_read(&caller).await, |_| {
        "/home".into()
    })
}

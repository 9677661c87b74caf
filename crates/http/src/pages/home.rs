//! The pages of a signed-in user: the home page (a dashboard for internal users, "your
//! requests" for external collaborators), a record page, and the forms that answer tasks and
//! checklists. What a page shows comes from the same use cases as the API, so it is authorised
//! the same way: an external collaborator sees only what was shared with it.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use portico_service::store::{RecordFilter, TaskFilter, TaskRow};
use portico_service::{Caller, Page, Portico, ServiceError};

use super::shared::{
    app_layout, local, records_table, refused, shown, sign_dialog, sponsor_list, then_to,
    RecordPage, SignBy,
};
use super::web::{WebForm, WebPage};
use crate::i18n::t;
use crate::{plain, tr};

/// `GET /`
pub async fn root() -> Redirect {
    Redirect::to("/home")
}

/// `GET /home`
pub async fn home(State(app): State<Portico>, WebPage { caller, csrf }: WebPage) -> Response {
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
    let open_tasks = task_list(app, caller, &records, tasks).await?;
    let content = if caller.is_internal() {
        let l = app.licenses(caller).await?;
        let to_review = app.review_items_to_decide(caller).await?.len();
        html! {
            @if to_review > 0 {
                section {
                    h2 { (t("nav-reviews")) }
                    p { a href="/reviews" { (tr!("dashboard-to-review", count = to_review)) } }
                }
            }
            section {
                h2 { (t("dashboard-licenses")) }
                // Our own words and numbers only, so the count can stand out in bold.
                p { (maud::PreEscaped(tr!("dashboard-seats", active = format!("<strong>{}</strong>", l.active), seats = l.seats, available = l.available))) }
            }
            section {
                h2 { (t("dashboard-waiting")) }
                (records_table(app, &records))
            }
            section {
                h2 { (t("dashboard-open-tasks")) }
                (open_tasks)
            }
        }
    } else {
        html! {
            @if !notifications.is_empty() {
                section {
                    h2 { (t("home-news")) }
                    ul { @for n in &notifications { li { (plain::news(app, n)) " · " (plain::when(n.created_at)) } } }
                    form method="post" action="/notifications/read" {
                        input type="hidden" name="csrf" value=(csrf);
                        button type="submit" { (t("home-mark-read")) }
                    }
                }
            }
            section {
                h2 { (t("home-title")) }
                (records_table(app, &records))
            }
            section {
                h2 { (t("home-your-tasks")) }
                (open_tasks)
            }
        }
    };
    let title = if caller.is_internal() {
        t("dashboard-title")
    } else {
        t("home-title")
    };
    Ok(app_layout(caller, csrf, &title, content))
}

/// Open tasks, soonest due first, each leading to its record's answer form, with whom it
/// waits for (internal users) and how far its due date is (overdue ones marked).
async fn task_list(
    app: &Portico,
    caller: &Caller,
    records: &[(String, portico_service::RecordView)],
    mut tasks: Vec<TaskRow>,
) -> Result<Markup, ServiceError> {
    tasks.sort_by_key(|t| (t.due_at.unwrap_or(i64::MAX), t.created_at));
    let mut rows = Vec::with_capacity(tasks.len());
    for t in &tasks {
        let known = records
            .iter()
            .find(|(_, r)| r.record.id == t.record)
            .map(|(object, r)| (object.clone(), r.record.name.clone()));
        let Some((object, name)) = (match known {
            Some(k) => Some(k),
            None => find_record(app, caller, t.record.as_str()).await?,
        }) else {
            continue;
        };
        let who = match (&t.person, caller.is_internal()) {
            (Some(p), true) => match app.person(caller, p.as_str()).await {
                Ok(p) => Some(p.display_name()),
                Err(ServiceError::NotFound(_)) => None,
                Err(e) => return Err(e),
            },
            _ => None,
        };
        rows.push((t, object, name, who));
    }
    Ok(html! {
        @if rows.is_empty() {
            p class="hint" { @if caller.is_internal() { (t("dashboard-no-tasks")) } @else { (t("home-no-task")) } }
        } @else {
            ul class="tasks" {
                @for (t, object, name, who) in &rows {
                    li {
                        a href=(format!("/records/{object}/{}#task-{}", t.record, t.id)) { (plain::task_label(app, object, t)) " · " (name) }
                        @if let Some(who) = who { " — " (who) }
                        @if let Some(due) = t.due_at { " — " (plain::due(due)) }
                    }
                }
            }
        }
    })
}

/// The object and name of a record the caller may read, whatever its type.
async fn find_record(
    app: &Portico,
    caller: &Caller,
    id: &str,
) -> Result<Option<(String, String)>, ServiceError> {
    for target in &app.config().types {
        match app.record(caller, &target.object, id).await {
            Ok(view) => return Ok(Some((target.object.clone(), view.record.name))),
            Err(ServiceError::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

fn task_form(task: &TaskRow, csrf: &str, back: &str, signature: Option<(&str, &SignBy)>) -> Markup {
    html! {
        form method="post" action=(format!("/tasks/{}/complete", task.id)) {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="back" value=(back);
            label for=(format!("response-{}", task.id)) { (t("task-your-response")) }
            textarea id=(format!("response-{}", task.id)) name="response" rows="4" required maxlength=(portico_domain::MAX_TEXT_CHARS) {}
            @if let Some((meaning, by)) = signature {
                (sign_dialog(task.id.as_str(), meaning, by, &t("task-sign-send")))
            } @else {
                button type="submit" { (t("task-send")) }
            }
        }
    }
}

/// `GET /records/{object}/{id}`
pub async fn record(
    State(app): State<Portico>,
    WebPage { caller, csrf }: WebPage,
    Path((object, id)): Path<(String, String)>,
    Query(q): Query<std::collections::BTreeMap<String, String>>,
) -> Response {
    // Back from signing in again at the provider for one task: its grant.
    let granted = q.get("sign_task").zip(q.get("signing_grant"));
    shown(record_page(&app, &caller, &csrf.0, &object, &id, granted).await)
}

async fn record_page(
    app: &Portico,
    caller: &Caller,
    csrf: &str,
    object: &str,
    id: &str,
    granted: Option<(&String, &String)>,
) -> Result<Markup, ServiceError> {
    let view = app.record(caller, object, id).await?;
    // A closed record stays readable for its external collaborators, without the forms they
    // could no longer use.
    let read_only = app.is_read_only_for(caller, &view.record);
    let page = RecordPage {
        app,
        caller,
        csrf,
        object,
        id,
        read_only,
    };
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
    let mut task_signatures = std::collections::BTreeMap::new();
    for t in tasks.iter().filter(|t| t.status == "open") {
        if let Some(m) = app.signature_for_task(t).await? {
            let grant = granted
                .filter(|(task, _)| task.as_str() == t.id.as_str())
                .map(|(_, g)| g);
            let by = SignBy::of(app, caller, grant, || {
                let mut start = form_urlencoded::Serializer::new(String::new());
                start
                    .append_pair("task", t.id.as_str())
                    .append_pair("back", &format!("{back}?sign_task={}", t.id));
                format!("/auth/oidc/sign?{}", start.finish())
            })
            .await?;
            task_signatures.insert(t.id.to_string(), (m.as_str().to_string(), by));
        }
    }
    let signatures = app.signatures(caller, object, id).await?;
    let checklists = app.checklists(caller, object, id).await?;
    let visible = |f: &str| {
        view.visible_fields
            .as_ref()
            .is_none_or(|v| v.iter().any(|x| x == f))
    };
    let actions = if caller.is_internal() {
        super::internal::actions_section(&page).await?
    } else {
        html! {}
    };
    let comments = super::tickets::comments_section(&page).await?;
    let files = super::tickets::files_section(&page).await?;
    let r = &view.record;
    let supplier_name = app
        .supplier_name(caller, object, id)
        .await?
        .or_else(|| r.supplier.as_ref().map(ToString::to_string))
        .unwrap_or_default();
    let content = html! {
        (actions)
        @if read_only {
            p class="hint" { (t("record-closed")) }
        }
        dl class="fields" {
            @if visible("object_type__v") {
                dt { (t("field-type")) }
                dd { (plain::type_label(app, object)) }
            }
            @if visible("state__v") { dt { (t("field-state")) } dd { (plain::state(app, object, &r.state)) } }
            @if visible("supplier__v") { dt { (t("field-supplier")) } dd { (supplier_name) } }
            @if visible("access_end_date__v") {
                @if let Some(end) = &r.access_end_date { dt { (t("field-access-ends")) } dd class="access-end" { (end) } }
            }
        }
        section {
            h2 { (t("tasks-title")) }
            @if tasks.is_empty() { p class="hint" { (t("tasks-none")) } }
            @for task in &tasks {
                article class="task" id=(format!("task-{}", task.id)) {
                    h3 { (plain::task_label(app, object, task)) " · " (plain::status(&task.status)) }
                    @if let (Some(due), "open") = (task.due_at, task.status.as_str()) { p { (plain::due(due)) } }
                    p { (plain::task_instructions(app, object, task, r)) }
                    @if let Some(resp) = &task.response { p { strong { (t("task-response")) " " } (resp) } }
                    @if task.status == "open" && !read_only && (task.assignee == caller.user.id || caller.is_internal()) {
                        (task_form(task, csrf, &back, task_signatures.get(task.id.as_str()).map(|(m, by)| (m.as_str(), by))))
                    }
                }
            }
        }
        @if !signatures.is_empty() {
            section class="signatures" {
                h2 { (t("signatures-title")) }
                ul {
                    @for s in &signatures {
                        li {
                            (s.manifestation())
                            @if !s.current { " " em class="hint" { (t("signature-earlier")) } }
                        }
                    }
                }
            }
        }
        section {
            h2 { (t("checklists-title")) }
            @if checklists.is_empty() { p class="hint" { (t("checklists-none")) } }
            @for c in &checklists {
                article class="checklist" {
                    h3 { (c.checklist.name) @if c.checklist.completed { " · " (t("checklist-completed")) } }
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
                            button type="submit" name="action" value="save" { (t("checklist-save")) }
                            " "
                            button type="submit" name="action" value="complete" { (t("checklist-complete")) }
                        }
                    }
                }
            }
        }
    };
    let history = if caller.is_internal() {
        let entries = app.record_history(caller, object, id).await?;
        let sentences = app.describe_audit(caller, &entries).await?;
        let mut names = Vec::new();
        for p in &view.record.collaborators {
            // A person removed since is left out; any other failure is one.
            match app.person(caller, p.as_str()).await {
                Ok(person) => names.push(person.display_name()),
                Err(ServiceError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        let sponsors = app.sponsorships(caller, Some(id)).await?;
        // Who waits, with names and times, only when the record read says someone does.
        let waiting = match view.waiting.as_deref() {
            Some([_, ..]) => app.record_waitlist(caller, id).await?,
            _ => Vec::new(),
        };
        html! {
            section {
                h2 { (t("record-people")) }
                p { (supplier_name) @if !names.is_empty() { " — " (names.join(", ")) } }
                (sponsor_list(sponsors.iter()))
                @if !waiting.is_empty() {
                    h3 { (t("record-waiting")) }
                    ul class="waiting" {
                        @for w in &waiting {
                            li { (w.person_name) " — " (t("record-waiting-since")) " " (plain::when(w.entry.queued_at)) ", " (tr!("record-asked-by", who = w.requested_by_name.as_str())) }
                        }
                    }
                }
            }
            section {
                h2 { (t("record-history")) }
                ol class="history" {
                    @for (e, said) in entries.iter().zip(&sentences) {
                        @if !said.folded {
                            li { (plain::when(e.entry.at)) " — " (plain::sentence(said)) }
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

/// `POST /tasks/{id}/complete`
pub async fn complete_task(
    State(app): State<Portico>,
    Path(id): Path<String>,
    form: WebForm,
) -> Response {
    then_to(
        app.complete_task(&form.caller, &id, form.value("response"), form.signature())
            .await,
        |_| local(form.value("back")),
    )
}

/// `POST /checklists/{id}/answer`: saves the answers, and completes with `action=complete`.
pub async fn answer_checklist(
    State(app): State<Portico>,
    Path(id): Path<String>,
    form: WebForm,
) -> Response {
    let mut answers = vec![];
    while let Some(a) = form.fields.get(&format!("answer_{}", answers.len())) {
        answers.push((!a.trim().is_empty()).then(|| a.clone()));
    }
    let back = local(form.value("back"));
    if let Err(e) = app
        .answer_checklist(&form.caller, &id, &answers, false)
        .await
    {
        return refused(e);
    }
    if form.value("action") == "complete" {
        if let Err(e) = app.answer_checklist(&form.caller, &id, &[], true).await {
            return refused(e);
        }
    }
    Redirect::to(&back).into_response()
}

/// `POST /notifications/read`: marks the caller's notifications read.
pub async fn read_all(State(app): State<Portico>, WebForm { caller, .. }: WebForm) -> Response {
    then_to(app.mark_all_notifications_read(&caller).await, |_| {
        "/home".into()
    })
}

#[cfg(test)]
mod tests {
    use super::super::shared::local;

    #[test]
    fn only_our_own_paths_are_followed_after_a_form() {
        assert_eq!(local("/records/car__v/rec_1"), "/records/car__v/rec_1");
        for elsewhere in [
            "//evil.example/x",
            "/\\evil.example/x",
            "https://evil.example",
            "/home\r\nLocation: x",
            "home",
        ] {
            assert_eq!(local(elsewhere), "/home", "{elsewhere}");
        }
    }
}

//! Pages where internal users work records: the list of a type, a new record, and the
//! lifecycle actions with their dry-run preview shown before confirming (C7).

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use portico_domain::collab::{ActionArgs, Plan};
use portico_domain::PersonId;
use portico_service::store::RecordFilter;
use portico_service::{Page, Portico, RecordInput, RunMode, ServiceError};

use super::shared::{
    app_layout, records_table, refusal_in_page, refused, sign_dialog, then_to, RecordPage, SignBy,
    MANY,
};
use super::web::{WebForm, WebPage};
use crate::i18n::t;
use crate::{plain, tr};

/// `GET /records/{object}`: the records of a type (an external collaborator's are filtered
/// by the use case like everywhere else).
pub async fn list(
    State(app): State<Portico>,
    WebPage { caller, csrf }: WebPage,
    Path(object): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let Ok(target) = app.target(&object) else {
        return refused(ServiceError::NotFound(object.into()));
    };
    let filter = RecordFilter {
        state: q.get("state").filter(|s| !s.is_empty()).cloned(),
        ..RecordFilter::default()
    };
    let records = match app.records(&caller, &object, filter, Page::default()).await {
        Ok(r) => r
            .into_iter()
            .map(|r| (object.clone(), r))
            .collect::<Vec<_>>(),
        Err(e) => return refused(e),
    };
    let content = html! {
        @if caller.is_internal() {
            p { a class="button" href=(format!("/records/{object}/new")) { (tr!("records-new", kind = target.label.as_str())) } }
        }
        (records_table(&app, &records))
    };
    app_layout(
        &caller,
        &csrf.0,
        &tr!("records-list-title", kind = target.label.as_str()),
        content,
    )
    .into_response()
}

/// `GET /records/{object}/new`
pub async fn new_form(
    State(app): State<Portico>,
    WebPage { caller, csrf }: WebPage,
    Path(object): Path<String>,
) -> Response {
    let Ok(target) = app.target(&object) else {
        return refused(ServiceError::NotFound(object.into()));
    };
    let orgs = match app.organizations(&caller, None, Page::default()).await {
        Ok(o) => o,
        Err(e) => return refused(e),
    };
    let persons = match app.persons(&caller, None, None, None, MANY).await {
        Ok(p) => p,
        Err(e) => return refused(e),
    };
    let content = html! {
        form method="post" action=(format!("/records/{object}")) {
            input type="hidden" name="csrf" value=(csrf.0);
            label for="name" { (t("records-name")) }
            input type="text" id="name" name="name" required;
            label for="supplier" { (t("records-supplier")) }
            select id="supplier" name="supplier" {
                @for o in &orgs { option value=(o.id) { (o.name) } }
            }
            label for="collaborator" { (t("records-collaborator")) }
            select id="collaborator" name="collaborator" {
                option value="" { (t("records-choose-later")) }
                @for p in &persons {
                    option value=(p.id) { (p.display_name()) " — " (p.email) }
                }
            }
            p class="hint" { (t("records-collaborator-hint")) }
            label for="access_end_date" { (t("records-access-end")) }
            input type="date" id="access_end_date" name="access_end_date";
            button type="submit" { (tr!("records-create", kind = target.label.as_str())) }
        }
    };
    app_layout(
        &caller,
        &csrf.0,
        &tr!("records-new", kind = target.label.as_str()),
        content,
    )
    .into_response()
}

/// `POST /records/{object}`
pub async fn create(
    State(app): State<Portico>,
    Path(object): Path<String>,
    form: WebForm,
) -> Response {
    let input = RecordInput {
        name: form.fields.get("name").cloned(),
        object_type: None,
        supplier: Some(
            form.fields
                .get("supplier")
                .filter(|s| !s.is_empty())
                .cloned(),
        ),
        collaborators: Some(
            form.fields
                .get("collaborator")
                .filter(|s| !s.is_empty())
                .cloned()
                .into_iter()
                .collect(),
        ),
        access_end_date: Some(
            form.fields
                .get("access_end_date")
                .filter(|s| !s.is_empty())
                .cloned(),
        ),
    };
    then_to(
        app.create_record(&form.caller, &object, input).await,
        |view| format!("/records/{object}/{}", view.record.id),
    )
}

/// The actions offered on a record page (internal users).
pub(crate) async fn actions_section(page: &RecordPage<'_>) -> Result<Markup, ServiceError> {
    let actions = page
        .app
        .record_actions(page.caller, page.object, page.id)
        .await?;
    Ok(html! {
        @if !actions.is_empty() {
            section {
                h2 { (t("actions-title")) }
                p class="hint" { (t("actions-hint")) }
                @for a in &actions {
                    form method="get" action=(format!("{}/preview", page.path())) class="inline" {
                        input type="hidden" name="action" value=(a.name);
                        button type="submit" { (a.label) }
                    }
                    " "
                }
            }
        }
    })
}

fn plan_summary(app: &Portico, object: &str, plan: &Plan) -> Markup {
    html! {
        ul class="plan" {
            @if let Some(c) = &plan.state_change { li { (tr!("plan-state", from = plain::state(app, object, &c.from), to = plain::state(app, object, &c.to))) } }
            @if !plan.users_created.is_empty() { li { (tr!("plan-users-created", count = plan.users_created.len())) } }
            @if !plan.activations.is_empty() { li { (tr!("plan-users-activated", count = plan.activations.len(), seats = plan.seats_taken())) } }
            @if !plan.inactivations.is_empty() { li { (tr!("plan-users-inactivated", count = plan.inactivations.len(), seats = plan.seats_freed())) } }
            @if !plan.roles_granted.is_empty() { li { (tr!("plan-grants", count = plan.roles_granted.len())) } }
            @if !plan.roles_removed.is_empty() { li { (tr!("plan-removals", count = plan.roles_removed.len())) } }
            @if !plan.tasks_created.is_empty() { li { (tr!("plan-tasks-assigned", count = plan.tasks_created.len())) } }
            @if !plan.tasks_cancelled.is_empty() { li { (tr!("plan-tasks-cancelled", count = plan.tasks_cancelled.len())) } }
            @if !plan.waiting.is_empty() { li { (tr!("plan-waiting", count = plan.waiting.len())) } }
            @if plan.waits_ended.iter().any(|w| !w.served) { li { (tr!("plan-waits-ended", count = plan.waits_ended.iter().filter(|w| !w.served).count())) } }
            @for e in &plan.emails { li { (tr!("plan-email", email = plain::template(app, &e.template), to = e.to.as_str())) } }
        }
    }
}

fn args(f: &BTreeMap<String, String>) -> ActionArgs {
    ActionArgs {
        from: None,
        to: f
            .get("to")
            .filter(|s| !s.is_empty())
            .map(|s| PersonId::new(s.clone())),
        reason: f.get("reason").filter(|s| !s.is_empty()).cloned(),
    }
}

/// `GET /records/{object}/{id}/preview?action=…`: the dry run, then a confirm form.
pub async fn preview(
    State(app): State<Portico>,
    WebPage { caller, csrf }: WebPage,
    Path((object, id)): Path<(String, String)>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let action = q.get("action").cloned().unwrap_or_default();
    let needs_to = action == "reassign_external_collaborator__v";
    let needs_reason = action == "change_state_to_pending_response__c";
    let preview = if needs_to && !q.contains_key("to") {
        None
    } else {
        let dry_run = app
            .run_action(&caller, &object, &id, &action, args(&q), RunMode::DryRun)
            .await;
        match refusal_in_page(dry_run) {
            Ok(preview) => Some(preview),
            Err(e) => return refused(e),
        }
    };
    // A user of single sign-on signs at the provider: the round trip comes back to this page
    // with its grant.
    let back = {
        let mut back = form_urlencoded::Serializer::new(String::new());
        for (k, v) in q.iter().filter(|(k, _)| k.as_str() != "signing_grant") {
            back.append_pair(k, v);
        }
        format!("/records/{object}/{id}/preview?{}", back.finish())
    };
    let sign_by = match SignBy::of(&app, &caller, q.get("signing_grant"), || {
        let mut start = form_urlencoded::Serializer::new(String::new());
        start
            .append_pair("object", &object)
            .append_pair("id", &id)
            .append_pair("action", &action)
            .append_pair("back", &back);
        format!("/auth/oidc/sign?{}", start.finish())
    })
    .await
    {
        Ok(by) => by,
        Err(e) => return refused(e),
    };
    let persons = if needs_to {
        match app.persons(&caller, None, None, None, MANY).await {
            Ok(persons) => persons,
            Err(e) => return refused(e),
        }
    } else {
        vec![]
    };
    let content = html! {
        @if needs_to {
            form method="get" action=(format!("/records/{object}/{id}/preview")) {
                input type="hidden" name="action" value=(action);
                label for="to" { (t("preview-hand-to")) }
                select id="to" name="to" { @for p in &persons { option value=(p.id) selected[q.get("to") == Some(&p.id.to_string())] { (p.display_name()) } } }
                button type="submit" { (t("preview-button")) }
            }
        }
        @if needs_reason {
            form method="get" action=(format!("/records/{object}/{id}/preview")) {
                input type="hidden" name="action" value=(action);
                label for="reason" { (t("preview-reason")) }
                textarea id="reason" name="reason" rows="3" required {}
                button type="submit" { (t("preview-button")) }
            }
        }
        @match &preview {
            Some(Ok(outcome)) => {
                h2 { (t("preview-what")) }
                (plan_summary(&app, &object, &outcome.plan))
                form method="post" action=(format!("/records/{object}/{id}/actions/{action}")) {
                    input type="hidden" name="csrf" value=(csrf.0);
                    @if let Some(to) = q.get("to") { input type="hidden" name="to" value=(to); }
                    @if let Some(reason) = q.get("reason") { input type="hidden" name="reason" value=(reason); }
                    @if let Some(meaning) = &outcome.signature_required {
                        (sign_dialog("action", meaning, &sign_by, &t("preview-sign-confirm")))
                    } @else {
                        button type="submit" { (t("preview-confirm")) }
                    }
                }
            }
            Some(Err(message)) => { p class="error" role="alert" { (message) } }
            None => {}
        }
        p { a href=(format!("/records/{object}/{id}")) { (t("back-to-record")) } }
    };
    // The action's label in the record's current state ("Send to Supplier").
    let label = match app.record(&caller, &object, &id).await {
        Ok(view) => plain::action(&app, &object, &view.record.state, &action),
        Err(e) => return refused(e),
    };
    app_layout(&caller, &csrf.0, &label, content).into_response()
}

/// `POST /records/{object}/{id}/actions/{action}`
pub async fn run(
    State(app): State<Portico>,
    Path((object, id, action)): Path<(String, String, String)>,
    form: WebForm,
) -> Response {
    match app
        .run_action(
            &form.caller,
            &object,
            &id,
            &action,
            args(&form.fields),
            RunMode::Apply(form.signature()),
        )
        .await
    {
        Ok(_) => Redirect::to(&format!("/records/{object}/{id}")).into_response(),
        Err(e @ ServiceError::Internal { .. }) => refused(e),
        Err(e) => (
            StatusCode::CONFLICT,
            app_layout(
                &form.caller,
                &form.csrf.0,
                &t("not-done"),
                html! {
                    p class="error" role="alert" { (plain::refusal(&e.to_string())) }
                    p { a href=(format!("/records/{object}/{id}")) { (t("back-to-record")) } }
                },
            ),
        )
            .into_response(),
    }
}

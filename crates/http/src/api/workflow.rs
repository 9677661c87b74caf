//! Tasks, checklists and notifications.

use axum::extract::Path;
use portico_service::store::{ChecklistRow, NotificationRow, TaskFilter, TaskRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::plan::StateChange;
use super::signatures::SignatureRequest;
use super::wire::{long_text, ok, time, Answer, Created, Empty, Paged, Success};
use crate::error::Refusals;
use crate::extract::{Auth, Json, JsonObject, Query};
use crate::ApiError;

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Task {
    id: String,
    record__v: String,
    /// The user who should respond.
    assignee__v: String,
    #[schema(required)]
    person__v: Option<String>,
    /// The record's state the task belongs to.
    state__v: String,
    label__v: String,
    instructions__v: String,
    /// `open__v`, `completed__v` or `cancelled__v`.
    status__v: String,
    #[schema(required)]
    response__v: Option<String>,
    #[schema(required, format = DateTime)]
    due_date__v: Option<String>,
    #[schema(format = DateTime)]
    created_date__v: String,
    #[schema(required)]
    completed_by__v: Option<String>,
    on_behalf_of_assignee: bool,
    /// After completing: the record's move, if the response moved it (`null`: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<StateChange>)]
    state_change: Option<Option<StateChange>>,
}

impl From<TaskRow> for Task {
    fn from(t: TaskRow) -> Self {
        Task {
            id: t.id.to_string(),
            record__v: t.record.to_string(),
            assignee__v: t.assignee.to_string(),
            person__v: t.person.as_ref().map(ToString::to_string),
            state__v: t.state,
            label__v: t.label,
            instructions__v: t.instructions,
            status__v: format!("{}__v", t.status),
            response__v: t.response,
            due_date__v: t.due_at.map(time),
            created_date__v: time(t.created_at),
            completed_by__v: t.closed_by,
            on_behalf_of_assignee: t.on_behalf_by.is_some(),
            state_change: None,
        }
    }
}

/// `open__v`, `completed__v` or `cancelled__v`.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
pub enum TaskStatus {
    #[serde(rename = "open__v")]
    Open,
    #[serde(rename = "completed__v")]
    Completed,
    #[serde(rename = "cancelled__v")]
    Cancelled,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TaskFilters {
    assignee__v: Option<String>,
    record__v: Option<String>,
    #[param(inline)]
    status__v: Option<TaskStatus>,
}

/// List tasks
#[utoipa::path(get, path = "/tasks", params(Paged<TaskFilters>), responses((status = 200, body = Success<Vec<Task>>), Refusals))]
pub async fn list_tasks(
    Auth(app, caller): Auth,
    Query(Paged { page, filters: f }): Query<Paged<TaskFilters>>,
) -> Answer<Vec<Task>> {
    let filter = TaskFilter {
        assignee: f.assignee__v,
        record: f.record__v,
        status: f.status__v.map(|s| {
            match s {
                TaskStatus::Open => "open",
                TaskStatus::Completed => "completed",
                TaskStatus::Cancelled => "cancelled",
            }
            .to_string()
        }),
        ..TaskFilter::default()
    };
    let rows = app.tasks(&caller, filter, page).await?;
    Ok(ok(rows.into_iter().map(Task::from).collect()))
}

/// Read a task
#[utoipa::path(get, path = "/tasks/{id}", responses((status = 200, body = Success<Task>), Refusals))]
pub async fn read_task(Auth(app, caller): Auth, Path(id): Path<String>) -> Answer<Task> {
    Ok(ok(app.task(&caller, &id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskResponse {
    #[schema(schema_with = long_text)]
    response: String,
    /// Tasks the configuration marks as signed: the electronic signature.
    signature: Option<SignatureRequest>,
}

/// Complete a task with a response
#[utoipa::path(post, path = "/tasks/{id}/complete", responses((status = 200, body = Success<Task>), Refusals))]
pub async fn complete_task(
    Auth(app, caller): Auth,
    Path(id): Path<String>,
    Json(b): Json<TaskResponse>,
) -> Answer<Task> {
    let (task, plan) = app
        .complete_task(&caller, &id, &b.response, b.signature.map(Into::into))
        .await?;
    Ok(ok(Task {
        state_change: Some(plan.state_change.as_ref().map(StateChange::from)),
        ..task.into()
    }))
}

/// Cancel a task
#[utoipa::path(post, path = "/tasks/{id}/cancel", responses((status = 200, body = Success<Task>), Refusals))]
pub async fn cancel_task(Auth(app, caller): Auth, Path(id): Path<String>) -> Answer<Task> {
    let (task, _) = app.cancel_task(&caller, &id).await?;
    Ok(ok(task.into()))
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    id: String,
    record__v: String,
    name__v: String,
    /// A person who is a collaborator of the record (`null` once it left the record).
    #[schema(required)]
    assignee__v: Option<String>,
    /// `open__v` or `completed__v`.
    status__v: String,
    items: Vec<ChecklistItem>,
    #[schema(format = DateTime)]
    created_date__v: String,
    #[schema(required, format = DateTime)]
    completed_date__v: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    question: String,
    #[schema(required)]
    answer: Option<String>,
}

impl From<ChecklistRow> for Checklist {
    fn from(c: ChecklistRow) -> Self {
        let l = c.checklist;
        Checklist {
            id: l.id.to_string(),
            record__v: l.record.to_string(),
            name__v: l.name,
            assignee__v: l.assignee.as_ref().map(ToString::to_string),
            status__v: if l.completed {
                "completed__v"
            } else {
                "open__v"
            }
            .to_string(),
            items: l
                .items
                .into_iter()
                .map(|i| ChecklistItem {
                    question: i.question,
                    answer: i.answer,
                })
                .collect(),
            created_date__v: time(c.created_at),
            completed_date__v: c.completed_at.map(time),
        }
    }
}

/// Checklists of a record
#[utoipa::path(get, path = "/vobjects/{object}/{id}/checklists", responses((status = 200, body = Success<Vec<Checklist>>), Refusals))]
pub async fn list_checklists(
    Auth(app, caller): Auth,
    Path((object, id)): Path<(String, String)>,
) -> Answer<Vec<Checklist>> {
    let lists = app.checklists(&caller, &object, &id).await?;
    Ok(ok(lists.into_iter().map(Checklist::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChecklist {
    name__v: String,
    /// A person who is a collaborator of the record.
    assignee__v: String,
    #[schema(value_type = Vec<Question>)]
    items: Vec<JsonObject<Question>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    question: String,
}

/// Create a checklist
#[utoipa::path(post, path = "/vobjects/{object}/{id}/checklists", responses((status = 201, body = Success<Checklist>), Refusals))]
pub async fn create_checklist(
    Auth(app, caller): Auth,
    Path((object, id)): Path<(String, String)>,
    Json(b): Json<NewChecklist>,
) -> Result<Created<Checklist>, ApiError> {
    let questions: Vec<String> = b.items.into_iter().map(|i| i.0.question).collect();
    let list = app
        .create_checklist(
            &caller,
            &object,
            &id,
            &b.name__v,
            &b.assignee__v,
            &questions,
        )
        .await?;
    Ok(Created(list.into()))
}

/// Read a checklist
#[utoipa::path(get, path = "/checklists/{id}", responses((status = 200, body = Success<Checklist>), Refusals))]
pub async fn read_checklist(Auth(app, caller): Auth, Path(id): Path<String>) -> Answer<Checklist> {
    Ok(ok(app.checklist(&caller, &id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    /// Answers by position; an item without `answer` stays as it is.
    #[schema(value_type = Vec<AnswerItem>)]
    items: Vec<JsonObject<AnswerItem>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerItem {
    answer: Option<String>,
}

/// Answer items
#[utoipa::path(patch, path = "/checklists/{id}", responses((status = 200, body = Success<Checklist>), Refusals))]
pub async fn answer_checklist(
    Auth(app, caller): Auth,
    Path(id): Path<String>,
    Json(b): Json<Answers>,
) -> Answer<Checklist> {
    let answers: Vec<Option<String>> = b.items.into_iter().map(|i| i.0.answer).collect();
    Ok(ok(app
        .answer_checklist(&caller, &id, &answers, false)
        .await?
        .into()))
}

/// Complete a checklist
#[utoipa::path(post, path = "/checklists/{id}/complete", request_body = Option<Empty>, responses((status = 200, body = Success<Checklist>), Refusals))]
pub async fn complete_checklist(
    Auth(app, caller): Auth,
    Path(id): Path<String>,
    Json(_nothing): Json<Option<Empty>>,
) -> Answer<Checklist> {
    Ok(ok(app
        .answer_checklist(&caller, &id, &[], true)
        .await?
        .into()))
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Notification {
    id: String,
    kind: String,
    message: String,
    #[schema(required)]
    object__v: Option<String>,
    #[schema(required)]
    record__v: Option<String>,
    #[schema(format = DateTime)]
    created_date__v: String,
    read: bool,
}

impl From<NotificationRow> for Notification {
    fn from(n: NotificationRow) -> Self {
        Notification {
            id: n.id,
            kind: n.kind,
            message: n.message,
            object__v: n.object,
            record__v: n.record,
            created_date__v: time(n.created_at),
            read: n.read_at.is_some(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NotificationFilters {
    /// Only the unread ones.
    unread: Option<bool>,
}

/// The caller's notifications
#[utoipa::path(get, path = "/notifications", params(Paged<NotificationFilters>), responses((status = 200, body = Success<Vec<Notification>>), Refusals))]
pub async fn notifications(
    Auth(app, caller): Auth,
    Query(Paged { page, filters }): Query<Paged<NotificationFilters>>,
) -> Answer<Vec<Notification>> {
    let unread = filters.unread.unwrap_or(false);
    let rows = app.notifications(&caller, unread, page).await?;
    Ok(ok(rows.into_iter().map(Notification::from).collect()))
}

/// `{"id": ..., "read": true}`
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkedRead {
    id: String,
    read: bool,
}

/// Mark one read
#[utoipa::path(post, path = "/notifications/{id}/read", responses((status = 200, body = Success<MarkedRead>), Refusals))]
pub async fn read_notification(
    Auth(app, caller): Auth,
    Path(id): Path<String>,
) -> Answer<MarkedRead> {
    app.mark_notification_read(&caller, &id).await?;
    Ok(ok(MarkedRead { id, read: true }))
}

/// `{"marked_read": n}`
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllRead {
    marked_read: u64,
}

/// Mark all read
#[utoipa::path(post, path = "/notifications/read", responses((status = 200, body = Success<AllRead>), Refusals))]
pub async fn read_all_notifications(Auth(app, caller): Auth) -> Answer<AllRead> {
    let marked_read = app.mark_all_notifications_read(&caller).await?;
    Ok(ok(AllRead { marked_read }))
}

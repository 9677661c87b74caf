//! Tasks, checklists, notifications and bulk actions.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use portico_domain::collab::ActionArgs;
use portico_domain::PersonId;
use portico_service::{Page, Portico};
use serde_json::{json, Value};

use super::fields::Fields;
use super::users::page as page_params;
use crate::dto::{self, ok};
use crate::extract::{Auth, Body, Internal, Params};
use crate::ApiError;

fn required<T>(v: Option<T>, name: &str) -> Result<T, ApiError> {
    v.ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "PARAMETER_REQUIRED",
            format!("{name} is required"),
        )
    })
}

pub async fn task(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(ok(dto::task(&app.task(&caller, &id).await?)))
}

pub async fn complete_task(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    Body(body): Body<Value>,
) -> Result<impl IntoResponse, ApiError> {
    let f = Fields::parse(body, &["response"], &[])?;
    let response = required(f.text("response")?, "response")?;
    let (task, plan) = app.complete_task(&caller, &id, &response).await?;
    let mut data = dto::task(&task);
    data["state_change"] = plan
        .state_change
        .as_ref()
        .map_or(Value::Null, |c| json!({"from": c.from, "to": c.to}));
    Ok(ok(data))
}

pub async fn cancel_task(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let (task, _) = app.cancel_task(&caller, &id).await?;
    Ok(ok(dto::task(&task)))
}

pub async fn list_checklists(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path((object, id)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let lists = app.checklists(&caller, &object, &id).await?;
    Ok(ok(lists.iter().map(dto::checklist).collect::<Vec<_>>()))
}

pub async fn create_checklist(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path((object, id)): Path<(String, String)>,
    Body(body): Body<Value>,
) -> Result<impl IntoResponse, ApiError> {
    let questions = match &body {
        Value::Object(map) => match map.get("items") {
            None => None,
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .map(|i| match i.get("question") {
                        Some(Value::String(q)) => Ok(q.clone()),
                        _ => Err(ApiError::invalid("each item needs a \"question\" string")),
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Some(_) => {
                return Err(ApiError::invalid(
                    "items must be a list of {\"question\": ...}",
                ))
            }
        },
        _ => None,
    };
    let f = Fields::parse(
        body,
        &["name__v", "assignee__v", "items"],
        &["id", "status__v"],
    )?;
    let name = required(f.text("name__v")?, "name__v")?;
    let assignee = required(f.text("assignee__v")?, "assignee__v")?;
    let questions = required(questions, "items")?;
    let list = app
        .create_checklist(&caller, &object, &id, &name, &assignee, &questions)
        .await?;
    Ok((StatusCode::CREATED, ok(dto::checklist(&list))))
}

pub async fn checklist(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(ok(dto::checklist(&app.checklist(&caller, &id).await?)))
}

pub async fn answer_checklist(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    Body(body): Body<Value>,
) -> Result<impl IntoResponse, ApiError> {
    let answers = match &body {
        Value::Object(map) => match map.get("items") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| match i.get("answer") {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(a)) => Ok(Some(a.clone())),
                    Some(_) => Err(ApiError::invalid("an answer must be a string")),
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "PARAMETER_REQUIRED",
                    "items is required",
                ))
            }
            Some(_) => {
                return Err(ApiError::invalid(
                    "items must be a list of {\"answer\": ...}",
                ))
            }
        },
        _ => return Err(ApiError::invalid("the request body must be a JSON object")),
    };
    Fields::parse(
        body,
        &["items"],
        &["id", "name__v", "assignee__v", "status__v"],
    )?;
    Ok(ok(dto::checklist(
        &app.answer_checklist(&caller, &id, &answers, false).await?,
    )))
}

pub async fn complete_checklist(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    Body(body): Body<Value>,
) -> Result<impl IntoResponse, ApiError> {
    Fields::parse(body, &[], &[])?;
    Ok(ok(dto::checklist(
        &app.answer_checklist(&caller, &id, &[], true).await?,
    )))
}

pub async fn notifications(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Params(mut q): Params<BTreeMap<String, String>>,
) -> Result<impl IntoResponse, ApiError> {
    let page: Page = page_params(&mut q, &["unread"])?;
    let unread = match q.get("unread").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "unread '{other}' is not true or false"
            )))
        }
    };
    let rows = app.notifications(&caller, unread, page).await?;
    Ok(ok(rows.iter().map(dto::notification).collect::<Vec<_>>()))
}

pub async fn read_notification(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    app.mark_notification_read(&caller, &id).await?;
    Ok(ok(json!({"id": id, "read": true})))
}

pub async fn read_all_notifications(
    State(app): State<Portico>,
    Auth(caller): Auth,
) -> Result<impl IntoResponse, ApiError> {
    let n = app.mark_all_notifications_read(&caller).await?;
    Ok(ok(json!({"marked_read": n})))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DryRun {
    dry_run: Option<bool>,
}

pub async fn bulk(
    State(app): State<Portico>,
    Internal(caller): Internal,
    Path((object, action)): Path<(String, String)>,
    Params(q): Params<DryRun>,
    Body(body): Body<Value>,
) -> Result<impl IntoResponse, ApiError> {
    let f = Fields::parse(body, &["ids", "from", "to", "reason"], &[])?;
    let ids = required(f.ids("ids")?, "ids")?;
    let args = ActionArgs {
        from: f.text("from")?.map(PersonId::new),
        to: f.text("to")?.map(PersonId::new),
        reason: f.text("reason")?,
    };
    let results = app
        .run_bulk(
            &caller,
            &object,
            &action,
            &ids,
            args,
            q.dry_run.unwrap_or(false),
        )
        .await?;
    let data: Vec<Value> = results
        .into_iter()
        .map(|(id, outcome)| match outcome {
            Ok(done) => json!({
                "id": id,
                "responseStatus": "SUCCESS",
                "data": dto::plan(&done.plan, done.dry_run, json!({"id": id, "state__v": done.record.state})),
            }),
            Err(e) => {
                let e = ApiError::from(e);
                json!({"id": id, "responseStatus": "FAILURE", "errors": [{"type": e.kind(), "message": e.message()}]})
            }
        })
        .collect();
    Ok(ok(data))
}

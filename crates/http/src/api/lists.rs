//! Assignments, tasks, outbox, audit trail.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::IntoResponse;
use portico_service::store::{AssignmentFilter, AuditFilter, OutboxFilter, TaskFilter};
use portico_service::{Page, Portico};

use super::users::page as page_params;
use crate::dto::{self, ok};
use crate::extract::{Auth, Params};
use crate::ApiError;

pub(super) type Query = BTreeMap<String, String>;

pub async fn assignments(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Params(mut q): Params<Query>,
) -> Result<impl IntoResponse, ApiError> {
    let page = page_params(
        &mut q,
        &[
            "record__v",
            "person__v",
            "user__v",
            "assignment_activity__v",
        ],
    )?;
    let active = match q.get("assignment_activity__v").map(String::as_str) {
        None => None,
        Some("active__v") => Some(true),
        Some("inactive__v") => Some(false),
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "assignment_activity__v '{other}' is not active__v or inactive__v"
            )))
        }
    };
    let filter = AssignmentFilter {
        record: q.get("record__v").cloned(),
        person: q.get("person__v").cloned(),
        user: q.get("user__v").cloned(),
        active,
        ..AssignmentFilter::default()
    };
    let rows = app.assignments(&caller, filter, page).await?;
    Ok(ok(rows.iter().map(dto::assignment).collect::<Vec<_>>()))
}

pub async fn tasks(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Params(mut q): Params<Query>,
) -> Result<impl IntoResponse, ApiError> {
    let page = page_params(&mut q, &["assignee__v", "record__v", "status__v"])?;
    let status = match q.get("status__v").map(String::as_str) {
        None => None,
        Some(s @ ("open__v" | "completed__v" | "cancelled__v")) => {
            Some(s.trim_end_matches("__v").to_string())
        }
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "status__v '{other}' is not open__v, completed__v or cancelled__v"
            )))
        }
    };
    let filter = TaskFilter {
        assignee: q.get("assignee__v").cloned(),
        record: q.get("record__v").cloned(),
        status,
        ..TaskFilter::default()
    };
    let rows = app.tasks(&caller, filter, page).await?;
    Ok(ok(rows.iter().map(dto::task).collect::<Vec<_>>()))
}

pub async fn outbox(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Params(mut q): Params<Query>,
) -> Result<impl IntoResponse, ApiError> {
    let page = page_params(&mut q, &["to", "status", "template"])?;
    let filter = OutboxFilter {
        to: q.get("to").map(|t| t.trim().to_lowercase()),
        status: match q.get("status").map(String::as_str) {
            None => None,
            Some(s @ ("pending" | "sent" | "failed")) => Some(s.to_string()),
            Some(other) => {
                return Err(ApiError::invalid(format!(
                    "status '{other}' is not pending, sent or failed"
                )))
            }
        },
        template: q.get("template").cloned(),
        ..OutboxFilter::default()
    };
    let rows = app.outbox(&caller, filter, page).await?;
    Ok(ok(rows.iter().map(dto::outbox).collect::<Vec<_>>()))
}

pub(super) fn audit_filter(q: &mut Query) -> Result<(Page, AuditFilter), ApiError> {
    let page = page_params(
        q,
        &["record__v", "user__v", "person__v", "action", "from", "to"],
    )?;
    let time = |k: &str| -> Result<Option<i64>, ApiError> {
        q.get(k)
            .map(|v| {
                chrono::DateTime::parse_from_rfc3339(v)
                    .map(|t| t.timestamp_millis())
                    .map_err(|_| {
                        ApiError::invalid(format!(
                            "{k} must be a time such as 2026-11-23T08:00:00Z"
                        ))
                    })
            })
            .transpose()
    };
    let filter = AuditFilter {
        record: q.get("record__v").cloned(),
        user: q.get("user__v").cloned(),
        person: q.get("person__v").cloned(),
        action: q.get("action").cloned(),
        from: time("from")?,
        to: time("to")?,
        ..AuditFilter::default()
    };
    Ok((page, filter))
}

pub async fn audit(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Params(mut q): Params<Query>,
) -> Result<impl IntoResponse, ApiError> {
    let (page, filter) = audit_filter(&mut q)?;
    let rows = app.audit(&caller, filter, page).await?;
    Ok(ok(rows.iter().map(dto::audit).collect::<Vec<_>>()))
}

/// `GET /api/v1/audit/verify`: whether the chain is intact, and where it breaks.
pub async fn audit_verify(
    State(app): State<Portico>,
    Auth(caller): Auth,
) -> Result<impl IntoResponse, ApiError> {
    let r = app.verify_audit(Some(&caller)).await?;
    Ok(ok(serde_json::json!({
        "intact": r.intact,
        "entries": r.entries,
        "broken_at": r.broken_at,
        "reason": r.reason,
    })))
}

//! Lifecycle actions: list them, run one, or preview it with `?dry_run=true` (C7).

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use portico_domain::collab::ActionArgs;
use portico_domain::PersonId;
use portico_service::Portico;
use serde::Deserialize;
use serde_json::{json, Value};

use super::fields::Fields;
use crate::dto::{self, ok};
use crate::extract::{Auth, Body, Params};
use crate::ApiError;

pub async fn list(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path((object, id)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let actions = app.record_actions(&caller, &object, &id).await?;
    Ok(ok(actions
        .iter()
        .map(|a| json!({"name": a.name, "label": a.label}))
        .collect::<Vec<_>>()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunQuery {
    dry_run: Option<bool>,
}

pub async fn run(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path((object, id, action)): Path<(String, String, String)>,
    Params(q): Params<RunQuery>,
    Body(body): Body<Value>,
) -> Result<impl IntoResponse, ApiError> {
    let f = Fields::parse(body, &["from", "to", "reason"], &[])?;
    let args = ActionArgs {
        from: f.text("from")?.map(PersonId::new),
        to: f.text("to")?.map(PersonId::new),
        reason: f.text("reason")?,
    };
    let outcome = app
        .run_action(
            &caller,
            &object,
            &id,
            &action,
            args,
            q.dry_run.unwrap_or(false),
        )
        .await?;
    let view = app.record(&caller, &object, &id).await.ok();
    let record = view.as_ref().map_or(
        json!({"id": id, "state__v": outcome.record.state}),
        dto::record,
    );
    Ok(ok(dto::plan(&outcome.plan, outcome.dry_run, record)))
}

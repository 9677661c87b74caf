//! Lifecycle actions: list them, run one, or preview it with `?dry_run=true` (C7); run one on
//! many records at once (bulk).

use axum::extract::Path;
use portico_domain::collab::ActionArgs;
use portico_domain::PersonId;
use portico_service::{RunMode, BULK_LIMIT};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ArrayBuilder, Schema};
use utoipa::openapi::{ObjectBuilder, Type};
use utoipa::{IntoParams, ToSchema};

use super::plan::PlanResult;
use super::records::Record;
use super::signatures::SignatureRequest;
use super::wire::{id_list, ok, Answer, Success, SuccessStatus};
use crate::error::{ErrorItem, FailureStatus, Refusals};
use crate::extract::{Auth, Internal, Json, Query};
use crate::ApiError;

/// An action the caller may run now.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// What to `POST` to: `change_state_to_<state>`, `reassign_external_collaborator__v`, …
    name: String,
    label: String,
}

/// Actions the caller may run now
#[utoipa::path(get, path = "/vobjects/{object}/{id}/actions", responses((status = 200, body = Success<Vec<Action>>), Refusals))]
pub async fn list_actions(
    Auth(app, caller): Auth,
    Path((object, id)): Path<(String, String)>,
) -> Answer<Vec<Action>> {
    let actions = app.record_actions(&caller, &object, &id).await?;
    Ok(ok(actions
        .into_iter()
        .map(|a| Action {
            name: a.name,
            label: a.label,
        })
        .collect()))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DryRun {
    /// Answer what the action would do, and change nothing.
    #[serde(default)]
    dry_run: bool,
}

impl DryRun {
    /// A dry run takes no signature; a real run the one it was sent.
    fn mode(&self, signature: Option<SignatureRequest>) -> RunMode {
        match self.dry_run {
            true => RunMode::DryRun,
            false => RunMode::Apply(signature.map(Into::into)),
        }
    }
}

/// What some actions need to know.
#[derive(Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// Reassign: the collaborator to replace (may be left out when there is one).
    from: Option<String>,
    /// Reassign: the new collaborator.
    to: Option<String>,
    /// Moves that need a reason (a rejection tells the collaborator in its new task).
    reason: Option<String>,
    /// Actions the configuration marks as signed: the electronic signature.
    signature: Option<SignatureRequest>,
}

fn args(from: Option<String>, to: Option<String>, reason: Option<String>) -> ActionArgs {
    ActionArgs {
        from: from.map(PersonId::new),
        to: to.map(PersonId::new),
        reason,
    }
}

/// Run a lifecycle action (or preview it)
#[utoipa::path(post, path = "/vobjects/{object}/{id}/actions/{action}", params(DryRun), request_body = Option<ActionRequest>, responses((status = 200, body = Success<PlanResult>), Refusals))]
pub async fn run_action(
    Auth(app, caller): Auth,
    Path((object, id, action)): Path<(String, String, String)>,
    Query(q): Query<DryRun>,
    Json(body): Json<Option<ActionRequest>>,
) -> Answer<PlanResult> {
    let b = body.unwrap_or_default();
    let args = args(b.from, b.to, b.reason);
    let outcome = app
        .run_action(&caller, &object, &id, &action, args, q.mode(b.signature))
        .await?;
    // The record as the caller sees it now; one it can no longer read answers its state.
    let record = match app.record(&caller, &object, &id).await {
        Ok(view) => Record::from(&view),
        Err(_) => Record::bare(id, Some(outcome.record.state.clone())),
    };
    Ok(ok(PlanResult::new(
        &outcome.plan,
        outcome.dry_run,
        record,
        outcome.signature_required,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    /// The records, each run all-or-nothing, in this order.
    #[serde(deserialize_with = "id_list")]
    #[schema(schema_with = bulk_ids)]
    ids: Vec<String>,
    from: Option<String>,
    to: Option<String>,
    reason: Option<String>,
    /// One signature for the batch, recorded on each record the action changes.
    signature: Option<SignatureRequest>,
}

fn bulk_ids() -> Schema {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1)),
        )
        .min_items(Some(1))
        .max_items(Some(BULK_LIMIT))
        .description(Some(format!("At most {BULK_LIMIT} record ids.")))
        .into()
}

/// One record's result in a bulk action: done, or refused.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum BulkResult {
    Done(BulkDone),
    Refused(BulkRefused),
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkDone {
    id: String,
    #[serde(rename = "responseStatus")]
    response_status: SuccessStatus,
    data: Box<PlanResult>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRefused {
    id: String,
    #[serde(rename = "responseStatus")]
    response_status: FailureStatus,
    errors: [ErrorItem; 1],
}

/// Run an action on many records
#[utoipa::path(post, path = "/vobjects/{object}/actions/{action}", params(DryRun), responses((status = 200, body = Success<Vec<BulkResult>>), Refusals))]
pub async fn bulk(
    Internal(app, caller): Internal,
    Path((object, action)): Path<(String, String)>,
    Query(q): Query<DryRun>,
    Json(b): Json<BulkRequest>,
) -> Answer<Vec<BulkResult>> {
    let args = args(b.from, b.to, b.reason);
    let results = app
        .run_bulk(&caller, &object, &action, &b.ids, args, q.mode(b.signature))
        .await?;
    Ok(ok(results
        .into_iter()
        .map(|(id, outcome)| match outcome {
            Ok(done) => BulkResult::Done(BulkDone {
                data: Box::new(PlanResult::new(
                    &done.plan,
                    done.dry_run,
                    Record::bare(id.clone(), Some(done.record.state)),
                    done.signature_required,
                )),
                id,
                response_status: SuccessStatus::Success,
            }),
            Err(e) => BulkResult::Refused(BulkRefused {
                id,
                response_status: FailureStatus::Failure,
                errors: [ApiError::from(e).item()],
            }),
        })
        .collect()))
}

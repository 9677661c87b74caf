//! `/api/v1/vobjects/{object}` and `/api/v1/vobjects/{object}/{id}` for the target objects
//! (`car__v`, `ncr__v`, …).

use axum::extract::Path;
use portico_service::store::RecordFilter;
use portico_service::{RecordInput, RecordView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::plan::PlanResult;
use super::wire::{ok, time, Answer, Clearable, Created, Ids, Paged, Success};
use crate::error::Refusals;
use crate::extract::{Auth, Internal, Json, Query};
use crate::ApiError;

/// A record. An external collaborator gets `id` and the fields its type marks visible; an
/// action's answer may carry only `id` and `state__v`.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Record {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    object_type__v: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    name__v: Option<String>,
    /// An organization id, or `null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    supplier__v: Option<Option<String>>,
    /// Person ids, in the order they were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    external_collaborator__v: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    state__v: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    created_by__v: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, format = DateTime)]
    created_date__v: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, format = DateTime)]
    modified_date__v: Option<String>,
    /// The day after which the collaborators' access ends (`YYYY-MM-DD`), or `null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    access_end_date__v: Option<Option<String>>,
    /// Collaborators (person ids) waiting for an external seat on this record, oldest first:
    /// answered when an internal user reads one record (the license waitlist).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    waiting_collaborators__v: Option<Vec<String>>,
}

impl From<&RecordView> for Record {
    fn from(v: &RecordView) -> Self {
        let r = &v.record;
        let shown = |field: &str| {
            v.visible_fields
                .as_ref()
                .is_none_or(|visible| visible.iter().any(|f| f == field))
        };
        Record {
            id: r.id.to_string(),
            object_type__v: shown("object_type__v").then(|| r.object_type.clone()),
            name__v: shown("name__v").then(|| r.name.clone()),
            supplier__v: shown("supplier__v").then(|| r.supplier.as_ref().map(|s| s.to_string())),
            external_collaborator__v: shown("external_collaborator__v")
                .then(|| r.collaborators.iter().map(|p| p.to_string()).collect()),
            state__v: shown("state__v").then(|| r.state.clone()),
            created_by__v: shown("created_by__v").then(|| r.created_by.to_string()),
            created_date__v: shown("created_date__v").then(|| time(v.created_at)),
            modified_date__v: shown("modified_date__v").then(|| time(v.updated_at)),
            access_end_date__v: shown("access_end_date__v").then(|| r.access_end_date.clone()),
            waiting_collaborators__v: v
                .waiting
                .as_ref()
                .map(|w| w.iter().map(|p| p.to_string()).collect()),
        }
    }
}

impl Record {
    /// Only the id (and the state, when known): a record the caller can no longer read.
    pub fn bare(id: String, state: Option<String>) -> Self {
        Record {
            id,
            object_type__v: None,
            name__v: None,
            supplier__v: None,
            external_collaborator__v: None,
            state__v: state,
            created_by__v: None,
            created_date__v: None,
            modified_date__v: None,
            access_end_date__v: None,
            waiting_collaborators__v: None,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRecord {
    name__v: String,
    /// The object's type (the only one it has, e.g. `scar__v` for `car__v`).
    object_type__v: Option<String>,
    /// An organization id.
    #[serde(default)]
    supplier__v: Clearable,
    /// Person ids.
    #[serde(default)]
    external_collaborator__v: Ids,
    /// `YYYY-MM-DD`: past this day the collaborators' access ends.
    #[serde(default)]
    access_end_date__v: Clearable,
}

/// The fields to change; the others stay as they are.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordChanges {
    name__v: Option<String>,
    object_type__v: Option<String>,
    #[serde(default)]
    supplier__v: Clearable,
    /// The whole new list.
    #[serde(default)]
    external_collaborator__v: Ids,
    /// `YYYY-MM-DD`: past this day the collaborators' access ends.
    #[serde(default)]
    access_end_date__v: Clearable,
}

impl From<RecordChanges> for RecordInput {
    fn from(b: RecordChanges) -> Self {
        RecordInput {
            name: b.name__v,
            object_type: b.object_type__v,
            supplier: b.supplier__v.0,
            collaborators: b.external_collaborator__v.0,
            access_end_date: b.access_end_date__v.0,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecordFilters {
    supplier__v: Option<String>,
    state__v: Option<String>,
    name__v: Option<String>,
    object_type__v: Option<String>,
    /// Records whose field names this person.
    external_collaborator__v: Option<String>,
}

/// List records
#[utoipa::path(get, path = "/vobjects/{object}", params(Paged<RecordFilters>), responses((status = 200, body = Success<Vec<Record>>), Refusals))]
pub async fn list_records(
    Auth(app, caller): Auth,
    Path(object): Path<String>,
    Query(Paged { page, filters: f }): Query<Paged<RecordFilters>>,
) -> Answer<Vec<Record>> {
    app.target(&object)?;
    let filter = RecordFilter {
        supplier: f.supplier__v,
        state: f.state__v,
        name: f.name__v,
        object_type: f.object_type__v,
        collaborator: f.external_collaborator__v,
        ..RecordFilter::default()
    };
    let views = app.records(&caller, &object, filter, page).await?;
    Ok(ok(views.iter().map(Record::from).collect()))
}

/// Create a record
#[utoipa::path(post, path = "/vobjects/{object}", responses((status = 201, body = Success<Record>), Refusals))]
pub async fn create_record(
    Internal(app, caller): Internal,
    Path(object): Path<String>,
    Json(body): Json<NewRecord>,
) -> Result<Created<Record>, ApiError> {
    app.target(&object)?;
    let input = RecordInput {
        name: Some(body.name__v),
        object_type: body.object_type__v,
        supplier: body.supplier__v.0,
        collaborators: body.external_collaborator__v.0,
        access_end_date: body.access_end_date__v.0,
    };
    let view = app.create_record(&caller, &object, input).await?;
    Ok(Created(Record::from(&view)))
}

/// Read a record
#[utoipa::path(get, path = "/vobjects/{object}/{id}", responses((status = 200, body = Success<Record>), Refusals))]
pub async fn read_record(
    Auth(app, caller): Auth,
    Path((object, id)): Path<(String, String)>,
) -> Answer<Record> {
    // An internal user's read carries who waits for a seat (`RecordView::waiting`).
    Ok(ok(Record::from(&app.record(&caller, &object, &id).await?)))
}

/// Change a record
#[utoipa::path(patch, path = "/vobjects/{object}/{id}", request_body = Option<RecordChanges>, responses((status = 200, body = Success<Record>), Refusals))]
pub async fn update_record(
    Auth(app, caller): Auth,
    Path((object, id)): Path<(String, String)>,
    Json(body): Json<Option<RecordChanges>>,
) -> Answer<Record> {
    app.target(&object)?;
    let input = body.map(RecordInput::from).unwrap_or_default();
    let view = app.update_record(&caller, &object, &id, input).await?;
    Ok(ok(Record::from(&view)))
}

/// Delete a record
///
/// Answers what deleting did, as an action does.
#[utoipa::path(delete, path = "/vobjects/{object}/{id}", responses((status = 200, body = Success<PlanResult>), Refusals))]
pub async fn delete_record(
    Auth(app, caller): Auth,
    Path((object, id)): Path<(String, String)>,
) -> Answer<PlanResult> {
    let plan = app.delete_record(&caller, &object, &id).await?;
    Ok(ok(PlanResult::new(
        &plan,
        false,
        Record::bare(id, None),
        None,
    )))
}

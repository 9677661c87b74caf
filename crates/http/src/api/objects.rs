//! `/api/v1/vobjects/{object}` and `/api/v1/vobjects/{object}/{id}` for organizations,
//! persons and the target objects.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use portico_service::store::RecordFilter;
use portico_service::{OrganizationInput, Page, PersonInput, Portico, RecordInput};
use serde_json::Value;

use super::fields::Fields;
use crate::dto::{self, ok};
use crate::extract::{Auth, Body, Internal, Params};
use crate::ApiError;

const ORG: &str = "organization__v";
const PERSON: &str = "person__v";

const ORG_FIELDS: [&str; 2] = ["name__v", "status__v"];
const PERSON_FIELDS: [&str; 5] = [
    "first_name__v",
    "last_name__v",
    "email__v",
    "organization__v",
    "language__v",
];
const RECORD_FIELDS: [&str; 4] = [
    "name__v",
    "object_type__v",
    "supplier__v",
    "external_collaborator__v",
];
const RECORD_READ_ONLY: [&str; 5] = [
    "id",
    "state__v",
    "created_by__v",
    "created_date__v",
    "modified_date__v",
];

type Query = BTreeMap<String, String>;

/// Takes the paging parameters out of a query and refuses any parameter not in `allowed`.
fn page_and_filters(mut q: Query, allowed: &[&str]) -> Result<(Page, Query), ApiError> {
    let number = |v: Option<String>, name: &str| -> Result<Option<i64>, ApiError> {
        v.map(|s| {
            s.parse::<i64>()
                .map_err(|_| ApiError::invalid(format!("{name} must be a whole number")))
        })
        .transpose()
    };
    let limit = number(q.remove("limit"), "limit")?;
    let offset = number(q.remove("offset"), "offset")?;
    if let Some(k) = q.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::invalid(format!(
            "unknown filter '{k}'; filters are {}",
            allowed.join(", ")
        )));
    }
    Ok((Page::new(limit, offset)?, q))
}

fn record_input(f: &Fields) -> Result<RecordInput, ApiError> {
    Ok(RecordInput {
        name: f.text("name__v")?,
        object_type: f.text("object_type__v")?,
        supplier: f.nullable_text("supplier__v")?,
        collaborators: f.ids("external_collaborator__v")?,
    })
}

fn person_input(f: &Fields) -> Result<PersonInput, ApiError> {
    Ok(PersonInput {
        first_name: f.text("first_name__v")?,
        last_name: f.text("last_name__v")?,
        email: f.text("email__v")?,
        organization: f.nullable_text("organization__v")?,
        language: f.text("language__v")?,
    })
}

fn org_input(f: &Fields) -> Result<OrganizationInput, ApiError> {
    Ok(OrganizationInput {
        name: f.text("name__v")?,
        status: f.text("status__v")?,
    })
}

pub async fn create(
    State(app): State<Portico>,
    Internal(caller): Internal,
    Path(object): Path<String>,
    Body(body): Body<Value>,
) -> Result<impl IntoResponse, ApiError> {
    let data = match object.as_str() {
        ORG => dto::organization(
            &app.create_organization(
                &caller,
                org_input(&Fields::parse(body, &ORG_FIELDS, &["id"])?)?,
            )
            .await?,
        ),
        PERSON => dto::person(
            &app.create_person(
                &caller,
                person_input(&Fields::parse(body, &PERSON_FIELDS, &["id", "user__v"])?)?,
            )
            .await?,
        ),
        _ => {
            app.target(&object)?;
            let f = Fields::parse(body, &RECORD_FIELDS, &RECORD_READ_ONLY)?;
            dto::record(
                &app.create_record(&caller, &object, record_input(&f)?)
                    .await?,
            )
        }
    };
    Ok((StatusCode::CREATED, ok(data)))
}

pub async fn list(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path(object): Path<String>,
    Params(q): Params<Query>,
) -> Result<impl IntoResponse, ApiError> {
    let data: Vec<Value> = match object.as_str() {
        ORG => {
            let (page, q) = page_and_filters(q, &["name__v"])?;
            app.organizations(&caller, q.get("name__v").map(String::as_str), page)
                .await?
                .iter()
                .map(dto::organization)
                .collect()
        }
        PERSON => {
            let (page, q) = page_and_filters(q, &["organization__v", "email__v", "user__v"])?;
            let get = |k: &str| q.get(k).map(String::as_str);
            app.persons(
                &caller,
                get("organization__v"),
                get("email__v"),
                get("user__v"),
                page,
            )
            .await?
            .iter()
            .map(dto::person)
            .collect()
        }
        _ => {
            app.target(&object)?;
            let (page, q) = page_and_filters(
                q,
                &[
                    "supplier__v",
                    "state__v",
                    "name__v",
                    "object_type__v",
                    "external_collaborator__v",
                ],
            )?;
            let filter = RecordFilter {
                supplier: q.get("supplier__v").cloned(),
                state: q.get("state__v").cloned(),
                name: q.get("name__v").cloned(),
                object_type: q.get("object_type__v").cloned(),
                collaborator: q.get("external_collaborator__v").cloned(),
                ..RecordFilter::default()
            };
            app.records(&caller, &object, filter, page)
                .await?
                .iter()
                .map(dto::record)
                .collect()
        }
    };
    Ok(ok(data))
}

pub async fn read(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path((object, id)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let data = match object.as_str() {
        ORG => dto::organization(&app.organization(&caller, &id).await?),
        PERSON => dto::person(&app.person(&caller, &id).await?),
        _ => dto::record(&app.record(&caller, &object, &id).await?),
    };
    Ok(ok(data))
}

pub async fn update(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path((object, id)): Path<(String, String)>,
    Body(body): Body<Value>,
) -> Result<impl IntoResponse, ApiError> {
    let data = match object.as_str() {
        ORG => dto::organization(
            &app.update_organization(
                &caller,
                &id,
                org_input(&Fields::parse(body, &ORG_FIELDS, &["id"])?)?,
            )
            .await?,
        ),
        PERSON => dto::person(
            &app.update_person(
                &caller,
                &id,
                person_input(&Fields::parse(body, &PERSON_FIELDS, &["id", "user__v"])?)?,
            )
            .await?,
        ),
        _ => {
            app.target(&object)?;
            let f = Fields::parse(body, &RECORD_FIELDS, &RECORD_READ_ONLY)?;
            dto::record(
                &app.update_record(&caller, &object, &id, record_input(&f)?)
                    .await?,
            )
        }
    };
    Ok(ok(data))
}

pub async fn delete(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path((object, id)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let data = match object.as_str() {
        ORG => {
            app.delete_organization(&caller, &id).await?;
            serde_json::json!({"id": id})
        }
        PERSON => {
            app.delete_person(&caller, &id).await?;
            serde_json::json!({"id": id})
        }
        _ => {
            let plan = app.delete_record(&caller, &object, &id).await?;
            dto::plan(&plan, false, serde_json::json!({"id": id}))
        }
    };
    Ok(ok(data))
}

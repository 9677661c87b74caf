//! `/api/v1/vobjects/organization__v` and `/api/v1/vobjects/person__v`: the suppliers and
//! their contacts. (Their paths are concrete, so they take precedence over the target
//! objects' `/api/v1/vobjects/{object}`.)

use axum::extract::Path;
use portico_domain::model;
use portico_domain::{OrgId, UserId};
use portico_service::store::OrganizationRow;
use portico_service::{OrganizationInput, PersonInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::wire::{ok, time, Activity, Answer, Clearable, Created, Deleted, Paged, Success};
use crate::error::Refusals;
use crate::extract::{Auth, Internal, Json, Query};
use crate::ApiError;

/// A supplier.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    id: String,
    name__v: String,
    /// `active__v` or `inactive__v`.
    status__v: String,
    #[schema(format = DateTime)]
    created_date__v: String,
}

impl From<OrganizationRow> for Organization {
    fn from(o: OrganizationRow) -> Self {
        Organization {
            id: o.id.to_string(),
            name__v: o.name,
            status__v: o.status,
            created_date__v: time(o.created_at),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganization {
    name__v: String,
    /// Default `active__v`.
    status__v: Option<Activity>,
}

/// The fields to change; the others stay as they are.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationChanges {
    name__v: Option<String>,
    status__v: Option<Activity>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganizationFilters {
    /// The exact name.
    name__v: Option<String>,
}

/// List organizations
#[utoipa::path(get, path = "/vobjects/organization__v", params(Paged<OrganizationFilters>), responses((status = 200, body = Success<Vec<Organization>>), Refusals))]
pub async fn list_organizations(
    Auth(app, caller): Auth,
    Query(q): Query<Paged<OrganizationFilters>>,
) -> Answer<Vec<Organization>> {
    let rows = app
        .organizations(&caller, q.filters.name__v.as_deref(), q.page)
        .await?;
    Ok(ok(rows.into_iter().map(Organization::from).collect()))
}

/// Create an organization
#[utoipa::path(post, path = "/vobjects/organization__v", responses((status = 201, body = Success<Organization>), Refusals))]
pub async fn create_organization(
    Internal(app, caller): Internal,
    Json(body): Json<NewOrganization>,
) -> Result<Created<Organization>, ApiError> {
    let input = OrganizationInput {
        name: Some(body.name__v),
        status: body.status__v.map(|s| s.name().to_string()),
    };
    Ok(Created(
        app.create_organization(&caller, input).await?.into(),
    ))
}

/// Read an organization
#[utoipa::path(get, path = "/vobjects/organization__v/{id}", responses((status = 200, body = Success<Organization>), Refusals))]
pub async fn read_organization(
    Auth(app, caller): Auth,
    Path(id): Path<String>,
) -> Answer<Organization> {
    Ok(ok(app.organization(&caller, &id).await?.into()))
}

/// Change an organization
#[utoipa::path(patch, path = "/vobjects/organization__v/{id}", request_body = Option<OrganizationChanges>, responses((status = 200, body = Success<Organization>), Refusals))]
pub async fn update_organization(
    Auth(app, caller): Auth,
    Path(id): Path<String>,
    Json(body): Json<Option<OrganizationChanges>>,
) -> Answer<Organization> {
    let input = body.map_or_else(OrganizationInput::default, |b| OrganizationInput {
        name: b.name__v,
        status: b.status__v.map(|s| s.name().to_string()),
    });
    Ok(ok(app
        .update_organization(&caller, &id, input)
        .await?
        .into()))
}

/// Delete an organization
#[utoipa::path(delete, path = "/vobjects/organization__v/{id}", responses((status = 200, body = Success<Deleted>), Refusals))]
pub async fn delete_organization(
    Auth(app, caller): Auth,
    Path(id): Path<String>,
) -> Answer<Deleted> {
    app.delete_organization(&caller, &id).await?;
    Ok(ok(Deleted { id }))
}

/// A contact of a supplier (or an internal person).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    id: String,
    first_name__v: String,
    last_name__v: String,
    email__v: String,
    #[schema(required)]
    organization__v: Option<String>,
    language__v: String,
    /// An IANA time zone ("Europe/Berlin") for the dates it reads; `null`: the company's.
    #[schema(required)]
    timezone__v: Option<String>,
    /// Its user, once it has one (read-only).
    #[schema(required)]
    user__v: Option<String>,
}

impl From<model::Person> for Person {
    fn from(p: model::Person) -> Self {
        Person {
            id: p.id.to_string(),
            first_name__v: p.first_name,
            last_name__v: p.last_name,
            email__v: p.email.as_str().to_string(),
            organization__v: p.organization.as_ref().map(OrgId::to_string),
            language__v: p.language,
            timezone__v: p.timezone,
            user__v: p.user.as_ref().map(UserId::to_string),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    first_name__v: String,
    last_name__v: String,
    email__v: String,
    #[serde(default)]
    organization__v: Clearable,
    /// `en` (the default), `de`, `fr`, `es`, `ja` or `zh`; another code is kept and reads
    /// English.
    language__v: Option<String>,
    /// An IANA time zone ("Europe/Berlin"); none: the company's.
    #[serde(default)]
    timezone__v: Clearable,
}

/// The fields to change; the others stay as they are.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonChanges {
    first_name__v: Option<String>,
    last_name__v: Option<String>,
    email__v: Option<String>,
    #[serde(default)]
    organization__v: Clearable,
    language__v: Option<String>,
    /// `null` clears it (the company's zone applies).
    #[serde(default)]
    timezone__v: Clearable,
}

impl From<PersonChanges> for PersonInput {
    fn from(b: PersonChanges) -> Self {
        PersonInput {
            first_name: b.first_name__v,
            last_name: b.last_name__v,
            email: b.email__v,
            organization: b.organization__v.0,
            language: b.language__v,
            timezone: b.timezone__v.0,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PersonFilters {
    organization__v: Option<String>,
    email__v: Option<String>,
    user__v: Option<String>,
}

/// List persons
#[utoipa::path(get, path = "/vobjects/person__v", params(Paged<PersonFilters>), responses((status = 200, body = Success<Vec<Person>>), Refusals))]
pub async fn list_persons(
    Auth(app, caller): Auth,
    Query(Paged { page, filters: f }): Query<Paged<PersonFilters>>,
) -> Answer<Vec<Person>> {
    let rows = app
        .persons(
            &caller,
            f.organization__v.as_deref(),
            f.email__v.as_deref(),
            f.user__v.as_deref(),
            page,
        )
        .await?;
    Ok(ok(rows.into_iter().map(Person::from).collect()))
}

/// Create a person
#[utoipa::path(post, path = "/vobjects/person__v", responses((status = 201, body = Success<Person>), Refusals))]
pub async fn create_person(
    Internal(app, caller): Internal,
    Json(body): Json<NewPerson>,
) -> Result<Created<Person>, ApiError> {
    let input = PersonInput {
        first_name: Some(body.first_name__v),
        last_name: Some(body.last_name__v),
        email: Some(body.email__v),
        organization: body.organization__v.0,
        language: body.language__v,
        timezone: body.timezone__v.0,
    };
    Ok(Created(app.create_person(&caller, input).await?.into()))
}

/// Read a person
#[utoipa::path(get, path = "/vobjects/person__v/{id}", responses((status = 200, body = Success<Person>), Refusals))]
pub async fn read_person(Auth(app, caller): Auth, Path(id): Path<String>) -> Answer<Person> {
    Ok(ok(app.person(&caller, &id).await?.into()))
}

/// Change a person
#[utoipa::path(patch, path = "/vobjects/person__v/{id}", request_body = Option<PersonChanges>, responses((status = 200, body = Success<Person>), Refusals))]
pub async fn update_person(
    Auth(app, caller): Auth,
    Path(id): Path<String>,
    Json(body): Json<Option<PersonChanges>>,
) -> Answer<Person> {
    let input = body.map(PersonInput::from).unwrap_or_default();
    Ok(ok(app.update_person(&caller, &id, input).await?.into()))
}

/// Delete a person
#[utoipa::path(delete, path = "/vobjects/person__v/{id}", responses((status = 200, body = Success<Deleted>), Refusals))]
pub async fn delete_person(Auth(app, caller): Auth, Path(id): Path<String>) -> Answer<Deleted> {
    app.delete_person(&caller, &id).await?;
    Ok(ok(Deleted { id }))
}

//! `/api/v1/users` and `/api/v1/licenses`.

use axum::extract::Path;
use portico_domain::model::{self, LicenseType, UserStatus};
use portico_service::store::UserFilter;
use portico_service::{LicenseUsage, NewUserInput, UserPatch};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::wire::{ok, Activity, Answer, Created, Paged, Success};
use crate::error::Refusals;
use crate::extract::{Admin, Auth, Json, Query};
use crate::ApiError;

/// `full__v` (internal users) or `external__v`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub enum License {
    #[serde(rename = "full__v")]
    Full,
    #[serde(rename = "external__v")]
    External,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    id: String,
    username__v: String,
    email__v: String,
    first_name__v: String,
    last_name__v: String,
    status__v: Activity,
    license_type__v: License,
    /// `system_admin`, `vault_owner`, `internal_user` or `external_user`.
    security_profile__v: String,
    managed_by_qms_automation__v: bool,
    /// The person it signs in for (external collaborators).
    #[schema(required)]
    person__v: Option<String>,
}

impl From<model::User> for User {
    fn from(u: model::User) -> Self {
        User {
            id: u.id.to_string(),
            username__v: u.username,
            email__v: u.email.as_str().to_string(),
            first_name__v: u.first_name,
            last_name__v: u.last_name,
            status__v: Activity::of(u.status == UserStatus::Active),
            license_type__v: match u.license {
                LicenseType::Full => License::Full,
                LicenseType::External => License::External,
            },
            security_profile__v: u.security_profile.name().to_string(),
            managed_by_qms_automation__v: u.managed,
            person__v: u.person.as_ref().map(ToString::to_string),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserFilters {
    person__v: Option<String>,
    #[param(inline)]
    status__v: Option<Activity>,
    #[param(inline)]
    license_type__v: Option<License>,
}

/// List users
#[utoipa::path(get, path = "/users", params(Paged<UserFilters>), responses((status = 200, body = Success<Vec<User>>), Refusals))]
pub async fn list_users(
    Auth(app, caller): Auth,
    Query(Paged { page, filters: f }): Query<Paged<UserFilters>>,
) -> Answer<Vec<User>> {
    let filter = UserFilter {
        person: f.person__v,
        status: f.status__v.map(|s| s.stored().to_string()),
        license: f.license_type__v.map(|l| {
            match l {
                License::Full => "full",
                License::External => "external",
            }
            .to_string()
        }),
        ..UserFilter::default()
    };
    let users = app.users(&caller, filter, page).await?;
    Ok(ok(users.into_iter().map(User::from).collect()))
}

/// Read a user
#[utoipa::path(get, path = "/users/{id}", responses((status = 200, body = Success<User>), Refusals))]
pub async fn read_user(Auth(app, caller): Auth, Path(id): Path<String>) -> Answer<User> {
    Ok(ok(app.user(&caller, &id).await?.into()))
}

/// The fields to change; the others stay as they are.
#[derive(Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChanges {
    /// By hand only for users not managed by automation.
    status__v: Option<Activity>,
    /// `false` stops tracking (Active assignments close); `true` hands the user back.
    managed_by_qms_automation__v: Option<bool>,
}

/// Change status or managed flag
#[utoipa::path(patch, path = "/users/{id}", request_body = Option<UserChanges>, responses((status = 200, body = Success<User>), Refusals))]
pub async fn update_user(
    Admin(app, caller): Admin,
    Path(id): Path<String>,
    Json(body): Json<Option<UserChanges>>,
) -> Answer<User> {
    let b = body.unwrap_or_default();
    let patch = UserPatch {
        status: b.status__v.map(|s| match s {
            Activity::Active => UserStatus::Active,
            Activity::Inactive => UserStatus::Inactive,
        }),
        managed: b.managed_by_qms_automation__v,
    };
    Ok(ok(app.update_user(&caller, &id, patch).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    username__v: String,
    first_name__v: String,
    last_name__v: String,
    email__v: String,
    /// `system_admin`, `vault_owner` or `internal_user` (default).
    security_profile__v: Option<String>,
    /// Its first password.
    password: String,
}

/// Create an internal user
#[utoipa::path(post, path = "/users", responses((status = 201, body = Success<User>), Refusals))]
pub async fn create_user(
    Admin(app, caller): Admin,
    Json(b): Json<NewUser>,
) -> Result<Created<User>, ApiError> {
    let input = NewUserInput {
        username: Some(b.username__v),
        first_name: Some(b.first_name__v),
        last_name: Some(b.last_name__v),
        email: Some(b.email__v),
        security_profile: b.security_profile__v,
        password: Some(b.password),
    };
    Ok(Created(app.create_user(&caller, input).await?.into()))
}

/// `{"external": ...}`
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Licenses {
    external: ExternalLicenses,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExternalLicenses {
    seats: u32,
    active: u32,
    available: u32,
    by_organization: Vec<OrgUsage>,
    /// Active external users flagged as inactive (none unless `PORTICO_STALE_AFTER_DAYS` is
    /// set): not signed in for that many days, or never since their Welcome.
    inactive_users: Vec<super::reviews::InactiveExternal>,
}

/// Active external users of one organization (`null`: users without one).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgUsage {
    #[schema(required)]
    organization__v: Option<String>,
    #[schema(required)]
    name__v: Option<String>,
    active: i64,
}

impl From<LicenseUsage> for Licenses {
    fn from(l: LicenseUsage) -> Self {
        Licenses {
            external: ExternalLicenses {
                seats: l.seats,
                active: l.active,
                available: l.available,
                by_organization: l
                    .by_organization
                    .into_iter()
                    .map(|o| OrgUsage {
                        organization__v: o.organization,
                        name__v: o.name,
                        active: o.active,
                    })
                    .collect(),
                inactive_users: vec![],
            },
        }
    }
}

/// The usage with the inactive users flagged.
async fn with_inactive(
    app: &portico_service::Portico,
    caller: &portico_service::Caller,
    usage: LicenseUsage,
) -> Answer<Licenses> {
    let mut l = Licenses::from(usage);
    l.external.inactive_users = app
        .stale_externals(caller)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(ok(l))
}

/// External license usage
#[utoipa::path(get, path = "/licenses", responses((status = 200, body = Success<Licenses>), Refusals))]
pub async fn licenses(Auth(app, caller): Auth) -> Answer<Licenses> {
    let usage = app.licenses(&caller).await?;
    with_inactive(&app, &caller, usage).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Seats {
    /// 10, 20, 50, 100, 200, 300, then any multiple of 100.
    external_seats: i64,
}

/// Set the external seats
#[utoipa::path(put, path = "/licenses", responses((status = 200, body = Success<Licenses>), Refusals))]
pub async fn set_licenses(Admin(app, caller): Admin, Json(b): Json<Seats>) -> Answer<Licenses> {
    let usage = app.set_seats(&caller, b.external_seats).await?;
    with_inactive(&app, &caller, usage).await
}

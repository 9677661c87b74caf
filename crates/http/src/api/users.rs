//! `/api/v1/users` and `/api/v1/licenses`.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use portico_domain::model::UserStatus;
use portico_service::store::UserFilter;
use portico_service::{NewUserInput, Page, Portico, UserPatch};
use serde_json::Value;

use super::fields::Fields;
use crate::dto::{self, ok};
use crate::extract::{Admin, Auth, Body, Params};
use crate::ApiError;

pub(crate) fn page(q: &mut BTreeMap<String, String>, allowed: &[&str]) -> Result<Page, ApiError> {
    let mut num = |k: &str| -> Result<Option<i64>, ApiError> {
        q.remove(k)
            .map(|v| {
                v.parse()
                    .map_err(|_| ApiError::invalid(format!("{k} must be a whole number")))
            })
            .transpose()
    };
    let (limit, offset) = (num("limit")?, num("offset")?);
    if let Some(k) = q.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::invalid(format!(
            "unknown filter '{k}'; filters are {}",
            allowed.join(", ")
        )));
    }
    Ok(Page::new(limit, offset)?)
}

/// `active__v`/`inactive__v` → stored status.
pub(crate) fn status_param(v: &str) -> Result<String, ApiError> {
    match v {
        "active__v" => Ok("active".into()),
        "inactive__v" => Ok("inactive".into()),
        other => Err(ApiError::invalid(format!(
            "status__v '{other}' is not active__v or inactive__v"
        ))),
    }
}

pub async fn list(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Params(mut q): Params<BTreeMap<String, String>>,
) -> Result<impl IntoResponse, ApiError> {
    let page = page(&mut q, &["person__v", "status__v", "license_type__v"])?;
    let license = match q.get("license_type__v").map(String::as_str) {
        None => None,
        Some("full__v") => Some("full".to_string()),
        Some("external__v") => Some("external".to_string()),
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "license_type__v '{other}' is not full__v or external__v"
            )))
        }
    };
    let filter = UserFilter {
        person: q.get("person__v").cloned(),
        status: q.get("status__v").map(|s| status_param(s)).transpose()?,
        license,
        ..UserFilter::default()
    };
    let users = app.users(&caller, filter, page).await?;
    Ok(ok(users.iter().map(dto::user).collect::<Vec<_>>()))
}

pub async fn read(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(ok(dto::user(&app.user(&caller, &id).await?)))
}

pub async fn update(
    State(app): State<Portico>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    Body(body): Body<Value>,
) -> Result<impl IntoResponse, ApiError> {
    let f = Fields::parse(
        body,
        &["status__v", "managed_by_qms_automation__v"],
        &[
            "id",
            "username__v",
            "email__v",
            "first_name__v",
            "last_name__v",
            "license_type__v",
            "security_profile__v",
            "person__v",
        ],
    )?;
    let status = match f.text("status__v")?.as_deref() {
        None => None,
        Some("active__v") => Some(UserStatus::Active),
        Some("inactive__v") => Some(UserStatus::Inactive),
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "status__v '{other}' is not active__v or inactive__v"
            )))
        }
    };
    let patch = UserPatch {
        status,
        managed: f.boolean("managed_by_qms_automation__v")?,
    };
    Ok(ok(dto::user(&app.update_user(&caller, &id, patch).await?)))
}

pub async fn licenses(
    State(app): State<Portico>,
    Auth(caller): Auth,
) -> Result<impl IntoResponse, ApiError> {
    Ok(ok(dto::licenses(&app.licenses(&caller).await?)))
}

pub async fn set_licenses(
    State(app): State<Portico>,
    Admin(caller): Admin,
    Body(body): Body<Value>,
) -> Result<impl IntoResponse, ApiError> {
    let f = Fields::parse(body, &["external_seats"], &[])?;
    let seats = f.integer("external_seats")?.ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "PARAMETER_REQUIRED",
            "external_seats is required",
        )
    })?;
    Ok(ok(dto::licenses(&app.set_seats(&caller, seats).await?)))
}

pub async fn create(
    State(app): State<Portico>,
    Admin(caller): Admin,
    Body(body): Body<Value>,
) -> Result<impl IntoResponse, ApiError> {
    let f = Fields::parse(
        body,
        &[
            "username__v",
            "first_name__v",
            "last_name__v",
            "email__v",
            "security_profile__v",
            "password",
        ],
        &[
            "id",
            "status__v",
            "license_type__v",
            "managed_by_qms_automation__v",
            "person__v",
        ],
    )?;
    let input = NewUserInput {
        username: f.text("username__v")?,
        first_name: f.text("first_name__v")?,
        last_name: f.text("last_name__v")?,
        email: f.text("email__v")?,
        security_profile: f.text("security_profile__v")?,
        password: f.text("password")?,
    };
    let user = app.create_user(&caller, input).await?;
    Ok((axum::http::StatusCode::CREATED, ok(dto::user(&user))))
}

//! The SCIM 2.0 service provider at `/scim/v2` (RFC 7643/7644, SPEC section 11): discovery
//! (`ServiceProviderConfig`, `ResourceTypes`, `Schemas`; read-only) and `Users`. It speaks
//! `application/scim+json` and answers SCIM's own error body (`status`, `scimType`,
//! `detail`), not the API's envelope, so it lives beside the JSON API and outside its OpenAPI
//! document. A request is authenticated by an identity provider's token
//! (`POST /api/v1/scim-tokens`), never by a session; the use cases are the service's
//! (`portico_service::scim`), filters, sorting, paging, attribute selection and PATCH are
//! applied here to users as SCIM shows them.

mod filter;
mod list;
mod patch;
mod schema;
mod users;

use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use portico_service::{Portico, ScimClient, ScimError, ServiceError};
use serde_json::{json, Value};

use crate::ApiError;

/// The media type of every SCIM body.
pub const SCIM_JSON: &str = "application/scim+json";

/// The routes under `/scim/v2`.
pub fn router() -> Router<Portico> {
    Router::new()
        .route(
            "/ServiceProviderConfig",
            get(users::service_provider_config).fallback(not_allowed),
        )
        .route(
            "/ResourceTypes",
            get(users::resource_types).fallback(not_allowed),
        )
        .route(
            "/ResourceTypes/{id}",
            get(users::resource_type).fallback(not_allowed),
        )
        .route("/Schemas", get(users::schemas).fallback(not_allowed))
        .route("/Schemas/{id}", get(users::schema).fallback(not_allowed))
        .route(
            "/Users",
            get(users::list).post(users::create).fallback(not_allowed),
        )
        .route("/Users/.search", post(users::search).fallback(not_allowed))
        .route("/.search", post(users::search).fallback(not_allowed))
        .route(
            "/Users/{id}",
            get(users::read)
                .put(users::replace)
                .patch(users::modify)
                .delete(users::delete)
                .fallback(not_allowed),
        )
        .fallback(not_found)
}

/// A SCIM error (RFC 7644 section 3.12).
#[derive(Debug)]
pub struct ScimFailure {
    status: StatusCode,
    scim_type: Option<&'static str>,
    detail: String,
}

impl ScimFailure {
    /// A failure with a status, an optional `scimType` and what went wrong.
    pub fn new(
        status: StatusCode,
        scim_type: Option<&'static str>,
        detail: impl Into<String>,
    ) -> Self {
        ScimFailure {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    /// 400 with a `scimType`.
    pub fn bad(scim_type: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some(scim_type), detail)
    }
}

impl IntoResponse for ScimFailure {
    fn into_response(self) -> Response {
        let mut body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": self.status.as_u16().to_string(),
            "detail": self.detail,
        });
        if let Some(t) = self.scim_type {
            body["scimType"] = Value::String(t.into());
        }
        scim_response(self.status, &body, HeaderMap::new())
    }
}

impl From<ServiceError> for ScimFailure {
    fn from(e: ServiceError) -> Self {
        // The API's one mapping decides the status (and logs an internal error once).
        let api = ApiError::from(e);
        let status = api.status();
        let scim_type = (status == StatusCode::BAD_REQUEST).then_some("invalidValue");
        ScimFailure::new(status, scim_type, api.message())
    }
}

impl From<ScimError> for ScimFailure {
    fn from(e: ScimError) -> Self {
        match e {
            ScimError::Uniqueness(m) => {
                ScimFailure::new(StatusCode::CONFLICT, Some("uniqueness"), m)
            }
            ScimError::Mutability(m) => ScimFailure::bad("mutability", m),
            ScimError::InvalidValue(m) => ScimFailure::bad("invalidValue", m),
            ScimError::VersionMismatch(m) => {
                ScimFailure::new(StatusCode::PRECONDITION_FAILED, None, m)
            }
            ScimError::Forbidden(m) => ScimFailure::new(StatusCode::FORBIDDEN, None, m),
            ScimError::Service(e) => e.into(),
        }
    }
}

/// A SCIM body with its media type.
pub fn scim_response(status: StatusCode, body: &Value, mut headers: HeaderMap) -> Response {
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
    (status, headers, body.to_string()).into_response()
}

/// The identity provider a request comes from, from `Authorization: Bearer <SCIM token>`.
pub struct ScimAuth(pub Portico, pub ScimClient);

impl FromRequestParts<Portico> for ScimAuth {
    type Rejection = ScimFailure;

    async fn from_request_parts(parts: &mut Parts, app: &Portico) -> Result<Self, ScimFailure> {
        let token = crate::extract::bearer_token(parts).ok_or_else(|| {
                ScimFailure::new(
                    StatusCode::UNAUTHORIZED,
                    None,
                    "send Authorization: Bearer <token> with a SCIM token from POST /api/v1/scim-tokens",
                )
            })?;
        let client = app.scim_client(token).await?;
        Ok(ScimAuth(app.clone(), client))
    }
}

/// A request body as JSON: `application/scim+json` or `application/json` (what Okta sends).
/// Another type is refused, as the API refuses it: it is what a page of another site sends
/// without asking.
pub fn json_body(headers: &HeaderMap, bytes: &Bytes) -> Result<Value, ScimFailure> {
    let json_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase())
        .is_some_and(|t| t == SCIM_JSON || t == "application/json");
    if !json_type {
        return Err(ScimFailure::bad(
            "invalidSyntax",
            "send the body as JSON, with Content-Type: application/scim+json",
        ));
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        ScimFailure::bad("invalidSyntax", format!("the body is not valid JSON: {e}"))
    })?;
    if !value.is_object() {
        return Err(ScimFailure::bad(
            "invalidSyntax",
            "the body must be a JSON object",
        ));
    }
    Ok(value)
}

/// A path under `/scim/v2` that is not there.
async fn not_found() -> ScimFailure {
    ScimFailure::new(
        StatusCode::NOT_FOUND,
        None,
        "there is no such SCIM endpoint: see /scim/v2/ResourceTypes",
    )
}

/// A method an endpoint does not take: the discovery endpoints are read-only.
async fn not_allowed() -> ScimFailure {
    ScimFailure::new(
        StatusCode::METHOD_NOT_ALLOWED,
        None,
        "this SCIM endpoint does not support that HTTP method",
    )
}

//! Handlers: parse, call one use case, shape the answer.

pub mod actions;
pub mod audit_csv;
pub mod auth;
pub mod extranet;
mod fields;
pub mod lists;
pub mod objects;
pub mod templates;
pub mod users;
pub mod workflow;

use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::ApiError;

/// `GET /healthz`: 200 once Portico serves.
pub async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Any unknown path.
pub async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "there is no such endpoint; see SPEC section 9 for the API",
    )
}

/// A known path with a method it does not offer: axum's answer (with its `Allow` header) gets
/// the SPEC envelope as body.
pub async fn method_not_allowed(response: axum::response::Response) -> axum::response::Response {
    use axum::response::IntoResponse;
    if response.status() != StatusCode::METHOD_NOT_ALLOWED {
        return response;
    }
    let (parts, _) = response.into_parts();
    let mut fresh = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_SUPPORTED",
        "this endpoint does not support that HTTP method",
    )
    .into_response();
    if let Some(allow) = parts.headers.get(axum::http::header::ALLOW) {
        fresh
            .headers_mut()
            .insert(axum::http::header::ALLOW, allow.clone());
    }
    fresh
}

//! The JSON API: handlers that parse, call one use case and shape the answer, each with its
//! request and answer types beside it. Every handler carries `#[utoipa::path]` and is routed
//! only through `routes!` below, so the OpenAPI document is generated from the same handlers
//! and types that serve: a route cannot exist undocumented, nor a documented one unrouted
//! (`crates/http/tests/openapi_routes.rs` holds the whole router to it).

pub mod actions;
pub mod audit_csv;
pub mod auth;
pub mod directory;
pub mod extranet;
pub mod governance;
pub mod lists;
pub mod plan;
pub mod records;
pub mod reviews;
pub mod scim_tokens;
pub mod signatures;
pub mod templates;
pub mod users;
pub mod waitlist;
pub mod wire;
pub mod workflow;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use portico_service::Portico;
use serde::Serialize;
use utoipa::openapi::OpenApi;
use utoipa::ToSchema;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::error::{ErrorType, Refusals};
use crate::ApiError;

/// Every operation of the API, each with its document; uploads may be `upload_limit` bytes.
pub fn routes(upload_limit: usize) -> OpenApiRouter<Portico> {
    let v1 = OpenApiRouter::new()
        .routes(routes!(auth::login, auth::logout))
        .routes(routes!(auth::set_password))
        .routes(routes!(auth::change_password))
        .routes(routes!(auth::password_link))
        .routes(routes!(
            directory::list_organizations,
            directory::create_organization
        ))
        .routes(routes!(
            directory::read_organization,
            directory::update_organization,
            directory::delete_organization
        ))
        .routes(routes!(directory::list_persons, directory::create_person))
        .routes(routes!(
            directory::read_person,
            directory::update_person,
            directory::delete_person
        ))
        .routes(routes!(records::list_records, records::create_record))
        .routes(routes!(
            records::read_record,
            records::update_record,
            records::delete_record
        ))
        .routes(routes!(actions::list_actions))
        .routes(routes!(actions::run_action))
        .routes(routes!(actions::bulk))
        .routes(routes!(signatures::list_signatures))
        .routes(routes!(
            workflow::list_checklists,
            workflow::create_checklist
        ))
        .routes(routes!(
            workflow::read_checklist,
            workflow::answer_checklist
        ))
        .routes(routes!(workflow::complete_checklist))
        .routes(routes!(workflow::list_tasks))
        .routes(routes!(workflow::read_task))
        .routes(routes!(workflow::complete_task))
        .routes(routes!(workflow::cancel_task))
        .routes(routes!(workflow::notifications))
        .routes(routes!(workflow::read_all_notifications))
        .routes(routes!(workflow::read_notification))
        .routes(routes!(extranet::list_comments, extranet::add_comment))
        .routes(routes!(extranet::list_tickets, extranet::create_ticket))
        .routes(routes!(extranet::answer_ticket))
        .routes(
            routes!(extranet::list_files, extranet::upload)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .routes(routes!(extranet::download))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::read_user, users::update_user))
        .routes(routes!(users::licenses, users::set_licenses))
        .routes(routes!(
            scim_tokens::list_scim_tokens,
            scim_tokens::create_scim_token
        ))
        .routes(routes!(scim_tokens::revoke_scim_token))
        .routes(routes!(lists::assignments))
        .routes(routes!(governance::unsponsored))
        .routes(routes!(governance::set_sponsor))
        .routes(routes!(governance::run_due))
        .routes(routes!(reviews::list_reviews, reviews::open_review))
        .routes(routes!(reviews::read_review))
        .routes(routes!(reviews::decide_item))
        .routes(routes!(reviews::export_review))
        .routes(routes!(governance::seat_history))
        .routes(routes!(waitlist::waitlist))
        .routes(routes!(lists::outbox))
        .routes(routes!(lists::retry_email))
        .routes(routes!(lists::audit))
        .routes(routes!(audit_csv::export))
        .routes(routes!(lists::audit_verify))
        .routes(routes!(lists::audit_checkpoints))
        .routes(routes!(lists::audit_public_key))
        .routes(routes!(templates::list_templates))
        .routes(routes!(templates::read_template, templates::put_template))
        .routes(routes!(templates::reset_template))
        .routes(routes!(templates::preview_template));
    OpenApiRouter::with_openapi(crate::openapi::base())
        .routes(routes!(health))
        .routes(routes!(openapi_json))
        .nest("/api/v1", v1)
}

/// `{"status": "ok"}`
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Health {
    status: &'static str,
}

/// Answers 200 once Portico serves
#[utoipa::path(get, path = "/healthz", security(()), responses((status = 200, body = Health), Refusals))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The document served, made once when the router is.
pub type Document = Arc<OpenApi>;

/// This OpenAPI 3.1 document
#[utoipa::path(get, path = "/api/openapi.json", security(()), responses((status = 200, body = Object), Refusals))]
pub async fn openapi_json(Extension(document): Extension<Document>) -> Json<OpenApi> {
    Json(document.as_ref().clone())
}

/// Any unknown path.
pub async fn not_found() -> ApiError {
    ApiError::new(
        ErrorType::NotFound,
        "there is no such endpoint; see SPEC section 9 for the API",
    )
}

/// A known path with a method it does not offer: axum's answer (with its `Allow` header) gets
/// the SPEC envelope as body.
pub async fn method_not_allowed(response: Response) -> Response {
    // SCIM answers its own error body (`/scim/v2`, RFC 7644 section 3.12).
    let scim = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(crate::scim::SCIM_JSON.as_bytes()));
    if response.status() != StatusCode::METHOD_NOT_ALLOWED || scim {
        return response;
    }
    let (parts, _) = response.into_parts();
    let mut fresh = ApiError::new(
        ErrorType::MethodNotSupported,
        "this endpoint does not support that HTTP method",
    )
    .into_response();
    if let Some(allow) = parts.headers.get(header::ALLOW) {
        fresh.headers_mut().insert(header::ALLOW, allow.clone());
    }
    fresh
}

//! Portico's HTTP interface: the JSON API of SPEC section 9.
//!
//! Invariants: only this crate knows the wire (JSON, HTML; below it JSON is only the audit
//! trail's `before`/`after` text); request and response bodies are its own structs
//! (domain types are not `Serialize`), and the same structs generate the OpenAPI document;
//! every error leaves through [`error::ApiError`], the one mapping to the SPEC envelope; no
//! handler decides authorisation — the service does.

// Request and answer fields are named as on the wire (`name__v`), so that the code reads as
// SPEC section 9 does.
#[allow(non_snake_case)]
mod api;
mod error;
mod extract;
pub mod i18n;
mod invalid;
mod openapi;
pub mod ops;
mod pages;
mod plain;
pub(crate) mod scim;
pub mod sso;
mod trace;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::{Extension, Router};
use portico_service::Portico;

pub use error::{ApiError, ErrorType};

/// Room for the multipart framing around an upload of the largest file.
const MULTIPART_FRAMING: usize = 1_000_000;

/// The whole HTTP application: the pages and the API, whose OpenAPI document is served at
/// `/api/openapi.json`.
pub fn router(app: Portico) -> Router {
    let (routes, document) = routes(app.settings().max_file_bytes + MULTIPART_FRAMING);
    let objects: Vec<&str> = app
        .config()
        .types
        .iter()
        .map(|t| t.object.as_str())
        .collect();
    let document = openapi::finish(document, &objects);
    routes
        .fallback(api::not_found)
        .layer(axum::middleware::map_response(api::method_not_allowed))
        .layer(Extension(Arc::new(document)))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            pages::web::headers,
        ))
        .layer(trace::layer())
        .with_state(app)
}

/// Every route, and the API's document generated with them.
fn routes(upload_limit: usize) -> (Router<Portico>, utoipa::openapi::OpenApi) {
    let (api, document) = api::routes(upload_limit).split_for_parts();
    (
        pages(upload_limit)
            .merge(api)
            .nest("/scim/v2", scim::router()),
        document,
    )
}

/// The server-rendered pages.
fn pages(upload_limit: usize) -> Router<Portico> {
    Router::new()
        .route("/static/portico.css", get(pages::stylesheet))
        .route(
            "/set-password",
            get(pages::set_password::page).post(pages::set_password::submit),
        )
        .route(
            "/set-password/new-link",
            get(pages::set_password::new_link_page).post(pages::set_password::new_link),
        )
        .route(
            "/account/password",
            get(pages::account::password_page).post(pages::account::change_password),
        )
        .route(
            pages::account::LANGUAGE,
            get(pages::account::language).post(pages::account::choose_language),
        )
        .route("/", get(pages::home::root))
        .route(
            "/login",
            get(pages::session::login_page).post(pages::session::login),
        )
        .route("/logout", post(pages::session::logout))
        .route("/home", get(pages::home::home))
        .route(
            "/organizations",
            get(pages::admin::organizations).post(pages::admin::add_organization),
        )
        .route("/organizations/{id}", get(pages::admin::organization))
        .route(
            "/organizations/{id}/persons",
            post(pages::admin::add_person),
        )
        .route("/users", get(pages::admin::users))
        .route("/notifications/read", post(pages::home::read_all))
        .route(
            "/persons/{id}/edit",
            get(pages::admin::edit_person).post(pages::admin::save_person),
        )
        .route(
            "/tickets",
            get(pages::tickets::page).post(pages::tickets::create),
        )
        .route("/tickets/{id}/answer", post(pages::tickets::answer))
        .route(
            "/records/{object}/{id}/comments",
            post(pages::tickets::add_comment),
        )
        .route(
            "/records/{object}/{id}/files",
            post(pages::tickets::upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/files/{id}", get(pages::tickets::download))
        .route("/static/portico.js", get(pages::config::script))
        .route("/configuration", get(pages::config::overview))
        .route(
            "/configuration/templates/{name}",
            get(pages::config::editor).post(pages::config::submit),
        )
        .route(
            "/configuration/templates/{name}/preview",
            post(pages::config::fragment),
        )
        .route("/licenses", get(pages::admin::licenses))
        .route("/assignments/{id}/sponsor", post(pages::admin::re_sponsor))
        .route(
            "/reviews",
            get(pages::reviews::page).post(pages::reviews::open),
        )
        .route("/reviews/{id}", get(pages::reviews::detail))
        .route("/reviews/{id}/export.csv", get(pages::reviews::export))
        .route(
            "/reviews/{id}/items/{item}/decide",
            post(pages::reviews::decide),
        )
        .route("/outbox", get(pages::admin::outbox))
        .route("/outbox/{id}/retry", post(pages::admin::retry))
        .route(
            "/records/{object}",
            get(pages::internal::list).post(pages::internal::create),
        )
        .route("/records/{object}/new", get(pages::internal::new_form))
        .route("/records/{object}/{id}", get(pages::home::record))
        .route(
            "/records/{object}/{id}/preview",
            get(pages::internal::preview),
        )
        .route(
            "/records/{object}/{id}/actions/{action}",
            post(pages::internal::run),
        )
        .route("/tasks/{id}/complete", post(pages::home::complete_task))
        .route(
            "/checklists/{id}/answer",
            post(pages::home::answer_checklist),
        )
}

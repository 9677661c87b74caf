//! Portico's HTTP interface: the JSON API of SPEC section 9.
//!
//! Invariants: only this crate knows JSON; request and response bodies are its own structs
//! (domain types are not `Serialize`); every error leaves through [`error::ApiError`], the one
//! mapping to the SPEC envelope; no handler decides authorisation — the service does.

mod api;
mod dto;
mod error;
mod extract;
pub mod openapi;
pub mod ops;
mod pages;
mod trace;

use axum::routing::{get, post};
use axum::Router;
use portico_service::Portico;

pub use error::ApiError;

/// The whole HTTP application.
pub fn router(app: Portico) -> Router {
    let v1 = Router::new()
        .route("/auth", post(api::auth::login).delete(api::auth::logout))
        .route("/auth/set-password", post(api::auth::set_password))
        .route("/auth/password", post(api::auth::change_password))
        .route("/auth/password-link", post(api::auth::password_link))
        .route("/notification-templates", get(api::templates::list))
        .route(
            "/notification-templates/{name}",
            get(api::templates::read).put(api::templates::put),
        )
        .route(
            "/notification-templates/{name}/preview",
            post(api::templates::preview),
        )
        .route(
            "/notification-templates/{name}/reset",
            post(api::templates::reset),
        )
        .route("/outbox/{id}/retry", post(api::templates::retry_email))
        .route(
            "/vobjects/{object}",
            get(api::objects::list).post(api::objects::create),
        )
        .route(
            "/vobjects/{object}/{id}",
            get(api::objects::read)
                .patch(api::objects::update)
                .delete(api::objects::delete),
        )
        .route("/vobjects/{object}/{id}/actions", get(api::actions::list))
        .route(
            "/vobjects/{object}/{id}/actions/{action}",
            post(api::actions::run),
        )
        .route("/users", get(api::users::list).post(api::users::create))
        .route(
            "/users/{id}",
            get(api::users::read).patch(api::users::update),
        )
        .route(
            "/licenses",
            get(api::users::licenses).put(api::users::set_licenses),
        )
        .route("/assignments", get(api::lists::assignments))
        .route(
            "/vobjects/{object}/actions/{action}",
            post(api::workflow::bulk),
        )
        .route(
            "/vobjects/{object}/{id}/checklists",
            get(api::workflow::list_checklists).post(api::workflow::create_checklist),
        )
        .route(
            "/checklists/{id}",
            get(api::workflow::checklist).patch(api::workflow::answer_checklist),
        )
        .route(
            "/checklists/{id}/complete",
            post(api::workflow::complete_checklist),
        )
        .route(
            "/vobjects/{object}/{id}/comments",
            get(api::extranet::list_comments).post(api::extranet::add_comment),
        )
        .route(
            "/tickets",
            get(api::extranet::list_tickets).post(api::extranet::create_ticket),
        )
        .route("/tickets/{id}/answer", post(api::extranet::answer_ticket))
        .route(
            "/vobjects/{object}/{id}/files",
            get(api::extranet::list_files)
                .post(api::extranet::upload)
                .layer(axum::extract::DefaultBodyLimit::max(11_000_000)),
        )
        .route("/files/{id}", get(api::extranet::download))
        .route("/tasks", get(api::lists::tasks))
        .route("/tasks/{id}", get(api::workflow::task))
        .route("/tasks/{id}/complete", post(api::workflow::complete_task))
        .route("/tasks/{id}/cancel", post(api::workflow::cancel_task))
        .route("/notifications", get(api::workflow::notifications))
        .route(
            "/notifications/read",
            post(api::workflow::read_all_notifications),
        )
        .route(
            "/notifications/{id}/read",
            post(api::workflow::read_notification),
        )
        .route("/outbox", get(api::lists::outbox))
        .route("/audit", get(api::lists::audit))
        .route("/audit/export", get(api::audit_csv::export))
        .route("/audit/verify", get(api::lists::audit_verify));
    Router::new()
        .route("/healthz", get(api::health))
        .route("/api/openapi.json", get(openapi::serve))
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
            post(pages::tickets::upload).layer(axum::extract::DefaultBodyLimit::max(11_000_000)),
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
        .nest("/api/v1", v1)
        .fallback(api::not_found)
        .layer(axum::middleware::map_response(api::method_not_allowed))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            pages::web::headers,
        ))
        .layer(trace::layer())
        .with_state(app)
}

//! Server-rendered pages (maud: checked at compile time). Every page uses the one layout and
//! our own stylesheet; no inline scripts.

pub mod account;
pub mod admin;
pub mod config;
pub mod home;
pub mod internal;
pub mod session;
pub mod set_password;
pub mod shared;
pub mod tickets;
pub mod web;

use axum::http::header;
use axum::response::IntoResponse;

/// The stylesheet, built into the binary.
pub const CSS: &str = include_str!("../../static/portico.css");

/// `GET /static/portico.css`.
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

//! The page a Welcome email's `${utp?url}` leads to: set a password once; a used or expired
//! link says so and offers a new one. Both forms carry the CSRF token of the browser.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::{html, Markup};
use portico_service::{Portico, ServiceError};
use serde::Deserialize;

use super::shared::layout;
use super::web::{csrf_refusal, CsrfToken};
use crate::extract::ClientAddress;

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

fn form(csrf: &str, token: &str, error: Option<&str>) -> Markup {
    layout(
        "Set your password",
        html! {
            p { "Choose the password for your Portico account. The link works once." }
            @if let Some(e) = error { p class="error" role="alert" { (e) } }
            form method="post" action="/set-password" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="token" value=(token);
                label for="password" { "New password" }
                input type="password" id="password" name="password" autocomplete="new-password" required minlength="10";
                p class="hint" { "At least 10 characters, hard to guess: a few uncommon words work well." }
                label for="confirm" { "Repeat the password" }
                input type="password" id="confirm" name="confirm" autocomplete="new-password" required minlength="10";
                button type="submit" { "Set password" }
            }
        },
    )
}

fn new_link_form(csrf: &str, title: &str, intro: &str, error: Option<&str>) -> Markup {
    layout(
        title,
        html! {
            p { (intro) }
            @if let Some(e) = error { p class="error" role="alert" { (e) } }
            form method="post" action="/set-password/new-link" {
                input type="hidden" name="csrf" value=(csrf);
                label for="username" { "Your username or email" }
                input type="text" id="username" name="username" autocomplete="username" required;
                button type="submit" { "Send me a new link" }
            }
        },
    )
}

fn link_gone(csrf: &str) -> Markup {
    new_link_form(
        csrf,
        "This link no longer works",
        "The link has already been used, or it has expired. Ask for a new one:",
        None,
    )
}

/// `GET /set-password?token=…`
pub async fn page(
    State(app): State<Portico>,
    csrf: CsrfToken,
    Query(q): Query<TokenQuery>,
) -> Response {
    let token = q.token.unwrap_or_default();
    match app.password_link_usable(&token).await {
        Ok(true) => (StatusCode::OK, form(&csrf.0, &token, None)).into_response(),
        Ok(false) => (StatusCode::GONE, link_gone(&csrf.0)).into_response(),
        Err(e) => unavailable(e),
    }
}

/// A failure on our side: the error page, its cause logged (by the one error mapping).
fn unavailable(e: ServiceError) -> Response {
    super::shared::refused(e)
}

#[derive(Deserialize)]
pub struct SetPasswordForm {
    #[serde(default)]
    csrf: String,
    token: String,
    password: String,
    confirm: String,
}

/// `POST /set-password`
pub async fn submit(
    State(app): State<Portico>,
    csrf: CsrfToken,
    Form(f): Form<SetPasswordForm>,
) -> Response {
    if let Some(refused) = csrf_refusal(&csrf, &f.csrf) {
        return refused;
    }
    if f.password != f.confirm {
        let page = form(&csrf.0, &f.token, Some("The two passwords differ."));
        return (StatusCode::BAD_REQUEST, page).into_response();
    }
    match app.set_password_with_token(&f.token, &f.password).await {
        Ok(_) => (
            StatusCode::OK,
            layout(
                "Your password is set",
                html! {
                    p class="ok" { "You can now sign in with your username and this password." }
                    a class="button" href="/login" { "Sign in" }
                },
            ),
        )
            .into_response(),
        Err(ServiceError::InvalidData(message)) if message.contains("link") => {
            (StatusCode::GONE, link_gone(&csrf.0)).into_response()
        }
        Err(ServiceError::InvalidData(message)) => (
            StatusCode::BAD_REQUEST,
            form(&csrf.0, &f.token, Some(&message)),
        )
            .into_response(),
        Err(e) => unavailable(e),
    }
}

/// `GET /set-password/new-link`: "forgot your password?".
pub async fn new_link_page(csrf: CsrfToken) -> Markup {
    new_link_form(
        &csrf.0,
        "Get a new link",
        "We will email a link to set a new password to the address of your account.",
        None,
    )
}

#[derive(Deserialize)]
pub struct NewLinkForm {
    #[serde(default)]
    csrf: String,
    username: String,
}

/// `POST /set-password/new-link`: the same answer whether or not the account exists; limited
/// per username and per address.
pub async fn new_link(
    State(app): State<Portico>,
    csrf: CsrfToken,
    address: ClientAddress,
    Form(f): Form<NewLinkForm>,
) -> Response {
    if let Some(refused) = csrf_refusal(&csrf, &f.csrf) {
        return refused;
    }
    match app
        .request_password_link(&f.username, address.0.as_deref())
        .await
    {
        Ok(()) => layout(
            "Check your email",
            html! { p { "If an active account has that username or email, a new link is on its way. It works once and expires." } },
        )
        .into_response(),
        Err(ServiceError::LimitExceeded(m)) => (
            StatusCode::TOO_MANY_REQUESTS,
            new_link_form(&csrf.0, "Get a new link", "Too many links were asked for.", Some(&m)),
        )
            .into_response(),
        Err(ServiceError::ParameterRequired(m)) => (
            StatusCode::BAD_REQUEST,
            new_link_form(&csrf.0, "Get a new link", "Give your username or email.", Some(&m)),
        )
            .into_response(),
        Err(e) => unavailable(e),
    }
}

//! The page a Welcome email's `${utp?url}` leads to: set a password once; a used or expired
//! link says so and offers a new one.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Form;
use maud::{html, Markup};
use portico_service::{Portico, ServiceError};
use serde::Deserialize;

use super::layout;

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

fn form(token: &str, error: Option<&str>) -> Markup {
    layout(
        "Set your password",
        html! {
            p { "Choose the password for your Portico account. The link works once." }
            @if let Some(e) = error { p class="error" role="alert" { (e) } }
            form method="post" action="/set-password" {
                input type="hidden" name="token" value=(token);
                label for="password" { "New password" }
                input type="password" id="password" name="password" autocomplete="new-password" required minlength="10";
                p class="hint" { "At least 10 characters." }
                label for="confirm" { "Repeat the password" }
                input type="password" id="confirm" name="confirm" autocomplete="new-password" required minlength="10";
                button type="submit" { "Set password" }
            }
        },
    )
}

fn link_gone() -> Markup {
    layout(
        "This link no longer works",
        html! {
            p { "The link has already been used, or it has expired. Ask for a new one:" }
            form method="post" action="/set-password/new-link" {
                label for="username" { "Your username or email" }
                input type="text" id="username" name="username" autocomplete="username" required;
                button type="submit" { "Send me a new link" }
            }
        },
    )
}

/// `GET /set-password?token=…`
pub async fn page(State(app): State<Portico>, Query(q): Query<TokenQuery>) -> impl IntoResponse {
    let token = q.token.unwrap_or_default();
    match app.password_link_usable(&token).await {
        Ok(true) => (StatusCode::OK, form(&token, None)),
        Ok(false) => (StatusCode::GONE, link_gone()),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, unavailable()),
    }
}

fn unavailable() -> Markup {
    layout(
        "Please try again",
        html! { p { "Something went wrong on our side; nothing was changed." } },
    )
}

#[derive(Deserialize)]
pub struct SetPasswordForm {
    token: String,
    password: String,
    confirm: String,
}

/// `POST /set-password`
pub async fn submit(
    State(app): State<Portico>,
    Form(f): Form<SetPasswordForm>,
) -> impl IntoResponse {
    if f.password != f.confirm {
        return (
            StatusCode::BAD_REQUEST,
            form(&f.token, Some("The two passwords differ.")),
        );
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
        ),
        Err(ServiceError::InvalidData(message)) if message.contains("link") => {
            (StatusCode::GONE, link_gone())
        }
        Err(ServiceError::InvalidData(message)) => {
            (StatusCode::BAD_REQUEST, form(&f.token, Some(&message)))
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, unavailable()),
    }
}

#[derive(Deserialize)]
pub struct NewLinkForm {
    username: String,
}

/// `POST /set-password/new-link`
pub async fn new_link(State(app): State<Portico>, Form(f): Form<NewLinkForm>) -> impl IntoResponse {
    let _ = app.request_password_link(&f.username).await;
    layout(
        "Check your email",
        html! { p { "If an active account has that username or email, a new link is on its way. It works once and expires." } },
    )
}

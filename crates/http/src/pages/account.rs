//! The signed-in user's own account: changing the password. A user who signed in with a
//! one-time password is sent here first and can do nothing else until it has changed it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::{html, Markup};
use portico_service::{Portico, ServiceError};
use serde::Deserialize;

use super::shared::layout;
use super::web::{csrf_refusal, CsrfToken, WebUserAny};

fn form(csrf: &str, one_time: bool, error: Option<&str>) -> Markup {
    layout(
        "Change your password",
        html! {
            @if one_time {
                p { "You signed in with a one-time password. Choose your own password to go on." }
            }
            @if let Some(e) = error { p class="error" role="alert" { (e) } }
            form method="post" action="/account/password" {
                input type="hidden" name="csrf" value=(csrf);
                label for="current" { @if one_time { "One-time password" } @else { "Current password" } }
                input type="password" id="current" name="current" autocomplete="current-password" required;
                label for="password" { "New password" }
                input type="password" id="password" name="password" autocomplete="new-password" required minlength="10";
                p class="hint" { "At least 10 characters, hard to guess: a few uncommon words work well." }
                label for="confirm" { "Repeat the new password" }
                input type="password" id="confirm" name="confirm" autocomplete="new-password" required minlength="10";
                button type="submit" { "Change password" }
            }
        },
    )
}

/// `GET /account/password`
pub async fn password_page(WebUserAny(caller, _): WebUserAny, csrf: CsrfToken) -> Markup {
    form(&csrf.0, caller.must_change_password, None)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: String,
    current: String,
    password: String,
    confirm: String,
}

/// `POST /account/password`: changes the password; the user's other sessions and unused
/// set-password links end.
pub async fn change_password(
    State(app): State<Portico>,
    WebUserAny(caller, token): WebUserAny,
    csrf: CsrfToken,
    Form(f): Form<PasswordForm>,
) -> Response {
    if let Some(refused) = csrf_refusal(&csrf, &f.csrf) {
        return refused;
    }
    let one_time = caller.must_change_password;
    if f.password != f.confirm {
        let page = form(&csrf.0, one_time, Some("The two new passwords differ."));
        return (StatusCode::BAD_REQUEST, page).into_response();
    }
    match app
        .change_password(&caller, &token, &f.current, &f.password)
        .await
    {
        Ok(()) => layout(
            "Your password is changed",
            html! {
                p class="ok" { "Your new password is in force. Other sessions of your account have been signed out." }
                a class="button" href="/home" { "Continue" }
            },
        )
        .into_response(),
        Err(ServiceError::InvalidData(m)) => {
            (StatusCode::BAD_REQUEST, form(&csrf.0, one_time, Some(&m))).into_response()
        }
        Err(ServiceError::LimitExceeded(m)) => {
            (StatusCode::TOO_MANY_REQUESTS, form(&csrf.0, one_time, Some(&m))).into_response()
        }
        Err(e) => super::shared::refused(e),
    }
}

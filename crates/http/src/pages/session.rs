//! The login page, signing in and out in a browser.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::CookieJar;
use maud::{html, Markup};
use portico_service::{Portico, ServiceError};
use serde::Deserialize;

use super::shared::layout;
use super::web::{csrf_refusal, secure, session_cookie, session_removal, CsrfToken, SESSION};
use crate::extract::ClientAddress;

fn page(csrf: &str, error: Option<&str>) -> Markup {
    layout(
        "Sign in to Portico",
        html! {
            @if let Some(e) = error { p class="error" role="alert" { (e) } }
            form method="post" action="/login" {
                input type="hidden" name="csrf" value=(csrf);
                label for="username" { "Username" }
                input type="text" id="username" name="username" autocomplete="username" required autofocus;
                label for="password" { "Password" }
                input type="password" id="password" name="password" autocomplete="current-password" required;
                button type="submit" { "Sign in" }
            }
            p class="hint" { "New here? Use the link in your invitation email to set a password." }
            p class="hint" { a href="/set-password/new-link" { "Forgot your password? Get a new link" } }
        },
    )
}

/// `GET /login`
pub async fn login_page(csrf: CsrfToken) -> Markup {
    page(&csrf.0, None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    csrf: String,
    username: String,
    password: String,
}

/// `POST /login`: a session cookie and the home page, or the form again.
pub async fn login(
    State(app): State<Portico>,
    csrf: CsrfToken,
    address: ClientAddress,
    Form(f): Form<LoginForm>,
) -> Response {
    if let Some(refused) = csrf_refusal(&csrf, &f.csrf) {
        return refused;
    }
    match app
        .login(&f.username, &f.password, address.0.as_deref())
        .await
    {
        Ok(login) => {
            // A one-time password opens only the page that changes it.
            let next = if login.password_change_required {
                super::web::CHANGE_PASSWORD
            } else {
                "/home"
            };
            let jar = CookieJar::new().add(session_cookie(&login.session_id, secure(&app)));
            (jar, Redirect::to(next)).into_response()
        }
        Err(ServiceError::LimitExceeded(m)) => {
            (StatusCode::TOO_MANY_REQUESTS, page(&csrf.0, Some(&m))).into_response()
        }
        // A failure on our side is not a wrong password.
        Err(e @ ServiceError::Internal { .. }) => super::shared::refused(e),
        Err(_) => (
            StatusCode::UNAUTHORIZED,
            page(
                &csrf.0,
                Some("The username or password is not correct, or the account is not active."),
            ),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// `POST /logout`
pub async fn logout(
    State(app): State<Portico>,
    csrf: CsrfToken,
    jar: CookieJar,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Some(refused) = csrf_refusal(&csrf, &f.csrf) {
        return refused;
    }
    if let Some(token) = jar.get(SESSION).map(|c| c.value().to_string()) {
        // The session must end for real: a failure says so (and keeps the cookie, to try
        // again) rather than look like a sign-out. One that is no longer valid is over.
        let ended = match app.authenticate(&token).await {
            Ok(caller) => app.logout(&caller, &token).await,
            Err(ServiceError::InvalidSession(_)) => Ok(()),
            Err(e) => Err(e),
        };
        if let Err(e) = ended {
            return super::shared::refused(e);
        }
    }
    let removed = jar.add(session_removal(secure(&app)));
    (removed, Redirect::to("/login")).into_response()
}

//! The login page, signing in and out in a browser.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use axum::Form;
use axum_extra::extract::cookie::CookieJar;
use maud::{html, Markup};
use portico_service::{Portico, ServiceError};
use serde::Deserialize;

use super::shared::layout;
use super::web::{csrf_refusal, secure, session_cookie, session_removal, CsrfToken, SESSION};
use crate::extract::ClientAddress;
use crate::i18n::t;
use crate::sso::Sso;
use crate::tr;

fn page(csrf: &str, error: Option<&str>, sso: Option<&Sso>) -> Markup {
    layout(
        &t("signin-title"),
        html! {
            @if let Some(e) = error { p class="error" role="alert" { (e) } }
            @if let Some(sso) = sso {
                p { a class="button" href="/auth/oidc/login" { (tr!("signin-with", provider = sso.name().to_string())) } }
                p class="hint" { (t("signin-sso-hint")) }
            }
            form method="post" action="/login" {
                input type="hidden" name="csrf" value=(csrf);
                label for="username" { (t("signin-username")) }
                input type="text" id="username" name="username" autocomplete="username" required autofocus;
                label for="password" { (t("signin-password")) }
                input type="password" id="password" name="password" autocomplete="current-password" required;
                button type="submit" { (t("signin-submit")) }
            }
            p class="hint" { (t("signin-new-here")) }
            p class="hint" { a href="/set-password/new-link" { (t("signin-forgot")) } }
        },
    )
}

/// The single sign-on of the server, if it has one.
type MaybeSso = Option<Extension<Arc<Sso>>>;

#[derive(Deserialize)]
pub struct LoginQuery {
    signed_out: Option<String>,
}

/// `GET /login`; after a sign-out, the provider's own sign-out is offered too.
pub async fn login_page(csrf: CsrfToken, sso: MaybeSso, Query(q): Query<LoginQuery>) -> Markup {
    let sso = sso.map(|Extension(s)| s);
    let end = match (&sso, q.signed_out.is_some()) {
        (Some(sso), true) => sso.end_session_url().await,
        _ => None,
    };
    let form = page(&csrf.0, None, sso.as_deref());
    match (end, sso) {
        (Some(end), Some(sso)) => layout(
            &t("signed-out-title"),
            html! {
                p { (tr!("signed-out-text", provider = sso.name().to_string())) }
                p { a class="button" href=(end) { (tr!("signed-out-provider", provider = sso.name().to_string())) } }
                p { a href="/login" { (t("signin-again")) } }
            },
        ),
        _ => form,
    }
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
    sso: MaybeSso,
    Form(f): Form<LoginForm>,
) -> Response {
    let sso = sso.map(|Extension(s)| s);
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
        Err(e @ ServiceError::LimitExceeded(_)) => {
            let words = super::shared::refusal_words(&e).unwrap_or_else(|| e.to_string());
            (
                StatusCode::TOO_MANY_REQUESTS,
                page(&csrf.0, Some(&words), sso.as_deref()),
            )
                .into_response()
        }
        // A failure on our side is not a wrong password.
        Err(e @ ServiceError::Internal { .. }) => super::shared::refused(e),
        Err(_) => (
            StatusCode::UNAUTHORIZED,
            page(&csrf.0, Some(&t("signin-wrong")), sso.as_deref()),
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
    (removed, Redirect::to("/login?signed_out=1")).into_response()
}

//! The page a Welcome email's `${utp?url}` leads to: set a password once; a used or expired
//! link says so and offers a new one. Both forms carry the CSRF token of the browser.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::{html, Markup};
use portico_service::{Portico, ServiceError};
use serde::Deserialize;

use super::shared::{layout, refusal_words};
use super::web::{csrf_refusal, secure, CsrfToken};
use crate::extract::ClientAddress;
use crate::i18n::t;

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

fn form(csrf: &str, token: &str, error: Option<&str>) -> Markup {
    layout(
        &t("setpw-title"),
        html! {
            p { (t("setpw-intro")) }
            @if let Some(e) = error { p class="error" role="alert" { (e) } }
            form method="post" action="/set-password" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="token" value=(token);
                label for="password" { (t("password-new")) }
                input type="password" id="password" name="password" autocomplete="new-password" required minlength="10";
                p class="hint" { (t("password-hint")) }
                label for="confirm" { (t("setpw-repeat")) }
                input type="password" id="confirm" name="confirm" autocomplete="new-password" required minlength="10";
                button type="submit" { (t("setpw-submit")) }
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
                label for="username" { (t("newlink-username")) }
                input type="text" id="username" name="username" autocomplete="username" required;
                button type="submit" { (t("newlink-submit")) }
            }
        },
    )
}

fn link_gone(csrf: &str) -> Markup {
    new_link_form(csrf, &t("link-gone-title"), &t("link-gone-intro"), None)
}

/// `GET /set-password?token=…`, in the language of the person the link is for (kept in the
/// language cookie for the pages that follow: the answer, the sign-in page).
pub async fn page(
    State(app): State<Portico>,
    csrf: CsrfToken,
    Query(q): Query<TokenQuery>,
) -> Response {
    let token = q.token.unwrap_or_default();
    let language = match app.password_link_language(&token).await {
        Ok(language) => language,
        Err(e) => return unavailable(e),
    };
    if let Some(language) = language {
        crate::i18n::set_language(language);
    }
    let answer = match app.password_link_usable(&token).await {
        Ok(true) => (StatusCode::OK, form(&csrf.0, &token, None)).into_response(),
        Ok(false) => (StatusCode::GONE, link_gone(&csrf.0)).into_response(),
        Err(e) => return unavailable(e),
    };
    match language {
        Some(language) => {
            let cookie = axum_extra::extract::cookie::Cookie::build((
                crate::i18n::LANG_COOKIE,
                language.code(),
            ))
            .path("/")
            .same_site(axum_extra::extract::cookie::SameSite::Strict)
            .http_only(true)
            .secure(secure(&app))
            .build();
            let jar = axum_extra::extract::cookie::CookieJar::new().add(cookie);
            (jar, answer).into_response()
        }
        None => answer,
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
        let page = form(&csrf.0, &f.token, Some(&t("setpw-differ")));
        return (StatusCode::BAD_REQUEST, page).into_response();
    }
    match app.set_password_with_token(&f.token, &f.password).await {
        Ok(_) => (
            StatusCode::OK,
            layout(
                &t("setpw-done-title"),
                html! {
                    p class="ok" { (t("setpw-done-text")) }
                    a class="button" href="/login" { (t("signin-submit")) }
                },
            ),
        )
            .into_response(),
        Err(e) if e.reason().is_some_and(|r| r.key == "refusal-link-gone") => {
            (StatusCode::GONE, link_gone(&csrf.0)).into_response()
        }
        Err(e @ ServiceError::InvalidData(_)) => {
            // The password policy's rule in the reader's words (zxcvbn's advice is English).
            let words = refusal_words(&e).unwrap_or_else(|| e.to_string());
            (
                StatusCode::BAD_REQUEST,
                form(&csrf.0, &f.token, Some(&words)),
            )
                .into_response()
        }
        Err(e) => unavailable(e),
    }
}

/// `GET /set-password/new-link`: "forgot your password?".
pub async fn new_link_page(csrf: CsrfToken) -> Markup {
    new_link_form(&csrf.0, &t("newlink-title"), &t("newlink-intro"), None)
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
            &t("newlink-sent-title"),
            html! { p { (t("newlink-sent-text")) } },
        )
        .into_response(),
        Err(e @ ServiceError::LimitExceeded(_)) => {
            let words = refusal_words(&e).unwrap_or_else(|| e.to_string());
            let page = new_link_form(
                &csrf.0,
                &t("newlink-title"),
                &t("newlink-too-many"),
                Some(&words),
            );
            (StatusCode::TOO_MANY_REQUESTS, page).into_response()
        }
        Err(e @ ServiceError::ParameterRequired(_)) => {
            let words = refusal_words(&e).unwrap_or_else(|| e.to_string());
            let page = new_link_form(
                &csrf.0,
                &t("newlink-title"),
                &t("newlink-give"),
                Some(&words),
            );
            (StatusCode::BAD_REQUEST, page).into_response()
        }
        Err(e) => unavailable(e),
    }
}

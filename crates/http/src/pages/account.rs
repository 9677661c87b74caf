//! The signed-in user's own account: changing the password, and (internal users) the
//! language of its pages. A user who signed in with a one-time password is sent here first
//! and can do nothing else until it has changed it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::{html, Markup};
use portico_service::{Portico, ServiceError};
use serde::Deserialize;

use portico_domain::Language;

use super::shared::{app_layout, layout, refused};
use super::web::{csrf_refusal, CsrfToken, WebForm, WebPage, WebUserAny};
use crate::i18n::t;

fn form(csrf: &str, one_time: bool, error: Option<&str>) -> Markup {
    layout(
        &t("password-title"),
        html! {
            @if one_time {
                p { (t("password-one-time-intro")) }
            }
            @if let Some(e) = error { p class="error" role="alert" { (e) } }
            form method="post" action="/account/password" {
                input type="hidden" name="csrf" value=(csrf);
                label for="current" { @if one_time { (t("password-one-time")) } @else { (t("password-current")) } }
                input type="password" id="current" name="current" autocomplete="current-password" required;
                label for="password" { (t("password-new")) }
                input type="password" id="password" name="password" autocomplete="new-password" required minlength="10";
                p class="hint" { (t("password-hint")) }
                label for="confirm" { (t("password-repeat-new")) }
                input type="password" id="confirm" name="confirm" autocomplete="new-password" required minlength="10";
                button type="submit" { (t("password-change")) }
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
        let page = form(&csrf.0, one_time, Some(&t("password-differ-new")));
        return (StatusCode::BAD_REQUEST, page).into_response();
    }
    match app
        .change_password(&caller, &token, &f.current, &f.password)
        .await
    {
        Ok(()) => layout(
            &t("password-changed-title"),
            html! {
                p class="ok" { (t("password-changed-text")) }
                a class="button" href="/home" { (t("continue")) }
            },
        )
        .into_response(),
        Err(e @ (ServiceError::InvalidData(_) | ServiceError::LimitExceeded(_))) => {
            let status = match e {
                ServiceError::LimitExceeded(_) => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::BAD_REQUEST,
            };
            let words = super::shared::refusal_words(&e).unwrap_or_else(|| e.to_string());
            (status, form(&csrf.0, one_time, Some(&words))).into_response()
        }
        Err(e) => super::shared::refused(e),
    }
}

/// The page where an internal user chooses the language of its pages.
pub const LANGUAGE: &str = "/account/language";

fn language_page(
    caller: &portico_service::Caller,
    csrf: &str,
    chosen: Option<Language>,
    notice: Option<&str>,
) -> Markup {
    let content = html! {
        @if let Some(n) = notice { p class="ok" role="status" { (n) } }
        p { (t("language-intro")) }
        form method="post" action=(LANGUAGE) {
            input type="hidden" name="csrf" value=(csrf);
            fieldset {
                legend { (t("language-title")) }
                label class="choice" {
                    input type="radio" name="language" value="" checked[chosen.is_none()];
                    " " (t("language-browser"))
                }
                @for l in Language::ALL {
                    label class="choice" lang=(l.code()) {
                        input type="radio" name="language" value=(l.code()) checked[chosen == Some(l)];
                        " " (l.native_name())
                    }
                }
            }
            button type="submit" { (t("language-save")) }
        }
    };
    app_layout(caller, csrf, &t("language-title"), content)
}

/// `GET /account/language` (internal users; an external collaborator's language is its
/// person's `language__v`).
pub async fn language(State(app): State<Portico>, WebPage { caller, csrf }: WebPage) -> Response {
    if !caller.is_internal() {
        return refused(ServiceError::NotFound("no such page".into()));
    }
    match app.reader(&caller).await {
        Ok(reader) => language_page(&caller, &csrf.0, reader.chosen, None).into_response(),
        Err(e) => refused(e),
    }
}

/// `POST /account/language`: keeps the choice; the page answers in the chosen language.
pub async fn choose_language(State(app): State<Portico>, form: WebForm) -> Response {
    let value = form.value("language");
    let chosen = (!value.is_empty()).then_some(value);
    match app.choose_page_language(&form.caller, chosen).await {
        Ok(()) => {
            let chosen = chosen.and_then(Language::parse);
            if let Some(l) = chosen {
                crate::i18n::set_language(l);
            }
            language_page(
                &form.caller,
                &form.csrf.0,
                chosen,
                Some(&t("language-saved")),
            )
            .into_response()
        }
        Err(e) => refused(e),
    }
}

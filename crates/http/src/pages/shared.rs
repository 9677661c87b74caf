//! What the pages share, below all of them: the two layouts (a plain card, and a signed-in
//! page with its navigation), the error page of a refused or failed use case, where a form
//! goes next, and a table of records. Pages import from here, never from each other's
//! handlers, except the record page (`home.rs`), which puts together the sections of
//! `internal.rs` (actions) and `tickets.rs` (comments and files).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup, DOCTYPE};
use portico_service::store::Sponsorship;
use portico_service::{Caller, Portico, RecordView, ServiceError};

use crate::i18n::t;

/// The document around a page's body: our stylesheet, the title in the tab, and the reader's
/// language.
fn document(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(crate::i18n::language().code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Portico" }
                link rel="stylesheet" href="/static/portico.css";
                script src="/static/portico.js" defer {}
            }
            body { (body) }
        }
    }
}

/// A page with a title and a card of content.
pub fn layout(title: &str, content: Markup) -> Markup {
    document(
        title,
        html! {
            main class="card" {
                h1 { (title) }
                (content)
            }
        },
    )
}

/// A signed-in page: navigation, the user, a sign-out button.
pub(crate) fn app_layout(caller: &Caller, csrf: &str, title: &str, content: Markup) -> Markup {
    document(
        title,
        html! {
            header class="bar" {
                a href="/home" class="brand" { "Portico" }
                a href="/tickets" { (t("nav-tickets")) }
                @if caller.is_internal() {
                    a href="/records/car__v" { (t("nav-records")) }
                    a href="/organizations" { (t("nav-organizations")) }
                    a href="/users" { (t("nav-users")) }
                    a href="/licenses" { (t("nav-licenses")) }
                    a href="/reviews" { (t("nav-reviews")) }
                }
                @if caller.is_admin() {
                    a href="/outbox" { (t("nav-outbox")) }
                    a href="/configuration" { (t("nav-configuration")) }
                }
                @if caller.is_internal() {
                    a href="/account/language" { (t("nav-language")) }
                }
                span class="who" { (caller.user.first_name) " " (caller.user.last_name) }
                form method="post" action="/logout" class="inline" {
                    input type="hidden" name="csrf" value=(csrf);
                    button type="submit" class="link" { (t("sign-out")) }
                }
            }
            main class="page" {
                h1 { (title) }
                (content)
            }
        },
    )
}

/// What the sections of a record page (actions, comments, files) are drawn for.
pub(crate) struct RecordPage<'a> {
    pub app: &'a Portico,
    pub caller: &'a Caller,
    /// The CSRF token for the sections' forms.
    pub csrf: &'a str,
    pub object: &'a str,
    pub id: &'a str,
    /// Closed for this caller: shown without the forms it could no longer use.
    pub read_only: bool,
}

impl RecordPage<'_> {
    /// The record page's own address; its forms post below it.
    pub fn path(&self) -> String {
        format!("/records/{}/{}", self.object, self.id)
    }
}

/// The page of a refusal: its status and sentence, and the way home.
pub(crate) fn error_page(status: StatusCode, message: &str) -> Response {
    (
        status,
        layout(
            &t("error-title"),
            html! { p { (message) } a href="/home" { (t("error-home")) } },
        ),
    )
        .into_response()
}

/// "All of them" for the lists a page shows in full (pick lists, contact lists).
pub(crate) const MANY: portico_service::Page = portico_service::Page {
    limit: portico_service::Page::MAX_LIMIT,
    offset: 0,
};

/// Where a form goes once its use case ran: the page `to` names from the result, or the
/// refusal.
pub(crate) fn then_to<T>(
    result: Result<T, ServiceError>,
    to: impl FnOnce(T) -> String,
) -> Response {
    match result {
        Ok(v) => Redirect::to(&to(v)).into_response(),
        Err(e) => refused(e),
    }
}

/// The page of a refused or failed use case, with the status and the sentence the API would
/// answer. A failure on our side says only that (its cause is logged, never shown). A reader
/// of another language than English reads the refusal's reason in its language when the use
/// case named one (`refusals.ftl`), else the kind of refusal.
pub(crate) fn refused(e: ServiceError) -> Response {
    if let ServiceError::NotFound(_) = e {
        return error_page(StatusCode::NOT_FOUND, &t("error-nothing-here"));
    }
    let own_words = refusal_words(&e);
    let answer = crate::ApiError::from(e);
    match own_words {
        Some(words) => error_page(answer.status(), &words),
        None => error_page(answer.status(), &crate::plain::refusal(answer.message())),
    }
}

/// A refusal in the reader's words when it does not read English: its reason when the use
/// case gave one, else its kind (`None`: the use case's own English sentence, which says
/// more).
pub(crate) fn refusal_words(e: &ServiceError) -> Option<String> {
    if crate::i18n::language() == portico_domain::Language::En {
        return None;
    }
    if let Some(words) = e.reason().and_then(|r| crate::i18n::keyed(r.key, &r.args)) {
        return Some(words);
    }
    let key = match e {
        ServiceError::InvalidData(_)
        | ServiceError::ParameterRequired(_)
        | ServiceError::ConstraintViolation(_) => "error-invalid-data",
        ServiceError::InsufficientAccess(_) | ServiceError::InvalidSession(_) => {
            "error-insufficient-access"
        }
        ServiceError::NotFound(_) => "error-nothing-here",
        ServiceError::OperationNotAllowed(_) | ServiceError::LicenseLimitExceeded(_) => {
            "error-not-allowed"
        }
        ServiceError::LimitExceeded(_) => "error-limit-exceeded",
        ServiceError::Conflict(_) => "error-conflict",
        ServiceError::Internal { .. } => "error-internal",
        _ => "error-other",
    };
    Some(t(key))
}

/// The result of a use case whose refusal a page shows in place (a template that does not
/// parse, an action not possible now); a failure on our side stays an error, for the error
/// page.
pub(crate) fn refusal_in_page<T>(
    result: Result<T, ServiceError>,
) -> Result<Result<T, String>, ServiceError> {
    match result {
        Ok(v) => Ok(Ok(v)),
        Err(e @ ServiceError::Internal { .. }) => Err(e),
        Err(e) => Ok(Err(
            refusal_words(&e).unwrap_or_else(|| crate::plain::refusal(&e.to_string()))
        )),
    }
}

/// A page, or the page of why it cannot be shown.
pub(crate) fn shown(page: Result<Markup, ServiceError>) -> Response {
    match page {
        Ok(page) => page.into_response(),
        Err(e) => refused(e),
    }
}

/// Records as a table (a list on a phone: see `table.stack` in the stylesheet), with their
/// type and state in the configuration's words.
pub(crate) fn records_table(app: &Portico, records: &[(String, RecordView)]) -> Markup {
    use crate::plain;
    html! {
        @if records.is_empty() {
            p class="hint" { (t("table-empty")) }
        } @else {
            @let (record, kind, state) = (t("col-record"), t("col-type"), t("col-state"));
            table class="stack" {
                thead { tr { th { (record) } th { (kind) } th { (state) } } }
                tbody {
                    @for (object, r) in records {
                        tr {
                            td data-label=(record) { a href=(format!("/records/{object}/{}", r.record.id)) { (r.record.name) } }
                            td data-label=(kind) { (plain::type_label(app, object)) }
                            td data-label=(state) { (plain::state(app, object, &r.record.state)) }
                        }
                    }
                }
            }
        }
    }
}

/// Only local paths are followed after a form (no open redirect).
pub(crate) fn local(back: &str) -> String {
    // `//host` and `/\host` are other sites to a browser; a backslash or a control character
    // has no place in our paths.
    let ours = back.starts_with('/')
        && !back.starts_with("//")
        && !back.contains('\\')
        && !back.chars().any(char::is_control);
    if ours {
        back.to_string()
    } else {
        "/home".to_string()
    }
}

/// The sign dialog of a form (SPEC section 11): the meaning the signer affirms, shown, and
/// the password entered again. `key` keeps the field ids of several forms apart.
pub(crate) fn sign_fields(key: &str, meaning: &str) -> Markup {
    html! {
        fieldset class="signature" {
            legend { (t("signature-legend")) }
            p { (t("signature-affirm")) " " strong { (meaning) } }
            input type="hidden" name="signature_meaning" value=(meaning);
            label for=(format!("signature-password-{key}")) { (t("signature-password")) }
            input type="password" id=(format!("signature-password-{key}")) name="signature_password" required autocomplete="current-password";
        }
    }
}

/// How the signed-in user signs on a page.
pub(crate) enum SignBy {
    /// With its password ([`sign_fields`]).
    Password,
    /// By signing in again at the identity provider (a user of single sign-on): the address
    /// that starts the round trip.
    Provider(String),
    /// With the grant the round trip to the provider gave.
    Granted(String),
}

impl SignBy {
    /// How `caller` signs: with its password, or at the provider when it has none (`grant`:
    /// the one the page was given back from the provider; `start`: the address of the round
    /// trip for this signature).
    pub(crate) async fn of(
        app: &Portico,
        caller: &portico_service::Caller,
        grant: Option<&String>,
        start: impl FnOnce() -> String,
    ) -> Result<SignBy, ServiceError> {
        if !app.signs_at_provider(caller).await? {
            return Ok(SignBy::Password);
        }
        Ok(match grant.filter(|g| !g.is_empty()) {
            Some(g) => SignBy::Granted(g.clone()),
            None => SignBy::Provider(start()),
        })
    }
}

/// The sign dialog and its button (`label`), as the signer signs.
pub(crate) fn sign_dialog(key: &str, meaning: &str, by: &SignBy, label: &str) -> Markup {
    match by {
        SignBy::Password => html! {
            (sign_fields(key, meaning))
            button type="submit" { (label) }
        },
        SignBy::Granted(grant) => html! {
            fieldset class="signature" {
                legend { (t("signature-legend")) }
                p { (t("signature-affirm")) " " strong { (meaning) } }
                p { (t("sign-provider-done")) }
                input type="hidden" name="signature_meaning" value=(meaning);
                input type="hidden" name="signature_grant" value=(grant);
            }
            button type="submit" { (label) }
        },
        SignBy::Provider(start) => html! {
            fieldset class="signature" {
                legend { (t("signature-legend")) }
                p { (t("signature-affirm")) " " strong { (meaning) } }
                p { (t("sign-provider-how")) }
                a class="button" href=(start) { (t("sign-provider-go")) }
            }
        },
    }
}

/// Active access and who sponsors it, one line each (the record page, the licenses page); an
/// inactive sponsor's line says the access is to re-sponsor.
pub(crate) fn sponsor_list<'a>(sponsorships: impl IntoIterator<Item = &'a Sponsorship>) -> Markup {
    html! {
        ul class="sponsors" {
            @for s in sponsorships {
                li {
                    (crate::tr!("sponsor-line", user = s.username.as_str(), record = s.record_name.as_str(), sponsor = s.sponsor_username.clone().unwrap_or_else(|| t("unknown"))))
                    @if !s.sponsor_active { " — " (t("sponsor-to-re-sponsor")) }
                }
            }
        }
    }
}

//! What every page shares: the session cookie, the CSRF check, and the security headers.
//!
//! The session is the same bearer session as the API's, carried in an HttpOnly, SameSite=Strict
//! cookie (Secure under https). Every form carries a CSRF token. Signed in, the token is
//! derived from the session token, so it is bound to that session: a token seen before
//! sign-in or in another session does not pass. Before sign-in (the sign-in and set-password
//! forms) it must equal the one in the `portico_csrf` cookie (double submit): another site can
//! make a browser send the cookie, but cannot read it to put it in the form.
//!
//! Every answer but our static files carries `Cache-Control: no-store`: signed-in pages, API
//! answers and downloads must not stay in a shared or browser cache.

use std::collections::BTreeMap;

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use portico_service::{Caller, Portico};

/// The session cookie.
pub const SESSION: &str = "portico_session";
/// The CSRF cookie.
pub const CSRF: &str = "portico_csrf";

/// A cookie's value from the request.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    CookieJar::from_headers(&parts.headers)
        .get(name)
        .map(|c| c.value().to_string())
}

/// One of our cookies: for the whole site, never sent by another site's request
/// (SameSite=Strict), Secure when the public address is https, HttpOnly unless a page's form
/// must read it.
fn ours(name: &'static str, value: String, secure: bool, http_only: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .same_site(SameSite::Strict)
        .http_only(http_only)
        .secure(secure)
        .build()
}

/// The session cookie for a new session (HttpOnly: no script reads it).
pub fn session_cookie(token: &str, secure: bool) -> Cookie<'static> {
    ours(SESSION, token.to_string(), secure, true)
}

/// The cookie that removes the session cookie.
pub fn session_removal(secure: bool) -> Cookie<'static> {
    let mut c = ours(SESSION, String::new(), secure, true);
    c.make_removal();
    c
}

/// Whether cookies must be Secure: the public address is https.
pub fn secure(app: &Portico) -> bool {
    app.settings().public_url.starts_with("https://")
}

/// Where a user who signed in with a one-time password must go first.
pub const CHANGE_PASSWORD: &str = "/account/password";

/// The signed-in user of a page; without a valid session the page redirects to `/login`, and
/// when the session cannot be checked it answers the error page. A user who signed in with a
/// one-time password is sent to change it: every other page and form (reading records,
/// completing tasks, commenting) waits until it has.
pub struct WebUser(pub Caller);

impl FromRequestParts<Portico> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Portico) -> Result<Self, Response> {
        let WebUserAny(caller, _) = WebUserAny::from_request_parts(parts, app).await?;
        if caller.must_change_password {
            return Err(Redirect::to(CHANGE_PASSWORD).into_response());
        }
        Ok(WebUser(caller))
    }
}

/// The signed-in user and its session token, also one that must still change its one-time
/// password (for the page that changes it).
pub struct WebUserAny(pub Caller, pub String);

impl FromRequestParts<Portico> for WebUserAny {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Portico) -> Result<Self, Response> {
        let token = cookie(parts, SESSION).ok_or_else(|| Redirect::to("/login").into_response())?;
        match app.authenticate(&token).await {
            Ok(caller) => {
                // The reader's own language and time zone, for the rest of the request.
                let reader = app.reader(&caller).await.map_err(super::shared::refused)?;
                if let Some(language) = reader.language {
                    crate::i18n::set_language(language);
                }
                if let Some(zone) = &reader.timezone {
                    crate::plain::set_reader_zone(zone);
                }
                Ok(WebUserAny(caller, token))
            }
            Err(portico_service::ServiceError::InvalidSession(_)) => {
                Err(Redirect::to("/login").into_response())
            }
            // Not a sign-in to ask for again: the session could not be read.
            Err(e) => Err(super::shared::refused(e)),
        }
    }
}

/// A signed-in user's page: the user ([`WebUser`]) and the CSRF token its forms carry.
pub struct WebPage {
    /// Who asks.
    pub caller: Caller,
    /// The token for the page's forms.
    pub csrf: CsrfToken,
}

impl FromRequestParts<Portico> for WebPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Portico) -> Result<Self, Response> {
        let WebUser(caller) = WebUser::from_request_parts(parts, app).await?;
        let csrf = CsrfToken::from_request_parts(parts, app).await?;
        Ok(WebPage { caller, csrf })
    }
}

/// The CSRF token of the request (pages put it in their forms): the one bound to its session
/// cookie, else the one of its CSRF cookie.
pub struct CsrfToken(pub String);

impl FromRequestParts<Portico> for CsrfToken {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &Portico) -> Result<Self, Response> {
        if let Some(session) = cookie(parts, SESSION).filter(|s| !s.is_empty()) {
            return Ok(CsrfToken(portico_service::csrf_token_for_session(&session)));
        }
        // A first visit has no cookie yet: the token the answer will set comes from `headers`.
        let fresh = parts.extensions.get::<NewCsrf>().map(|n| n.0.clone());
        Ok(CsrfToken(cookie(parts, CSRF).or(fresh).unwrap_or_default()))
    }
}

/// The refusal of a form whose CSRF field does not match the cookie, if it does not.
pub fn csrf_refusal(token: &CsrfToken, field: &str) -> Option<Response> {
    if token.0.len() >= 32 && token.0 == field {
        None
    } else {
        Some(
            (
                axum::http::StatusCode::FORBIDDEN,
                super::shared::layout(
                    &crate::i18n::t("form-expired-title"),
                    maud::html! {
                        p { (crate::i18n::t("form-expired-text")) }
                    },
                ),
            )
                .into_response(),
        )
    }
}

/// The CSRF token made for a request that came without one.
#[derive(Clone)]
struct NewCsrf(String);

/// A form posted by a signed-in user ([`WebUser`]) whose `csrf` field matched its token: the
/// user, the token (for a page shown in answer) and the fields. Anything else is refused before
/// the handler runs: no session, a form that does not parse, a CSRF token that does not match.
pub struct WebForm {
    /// Who posted it.
    pub caller: Caller,
    /// The request's CSRF token.
    pub csrf: CsrfToken,
    /// The fields, by name.
    pub fields: BTreeMap<String, String>,
}

impl WebForm {
    /// The electronic signature the form carries, if its sign dialog
    /// ([`super::shared::sign_fields`]) was filled in.
    pub fn signature(&self) -> Option<portico_service::SignatureInput> {
        use portico_service::SignedWith;
        let password = self.value("signature_password");
        let grant = self.value("signature_grant");
        let with = if !password.is_empty() {
            SignedWith::Password(password.to_string())
        } else if !grant.is_empty() {
            SignedWith::Grant(grant.to_string())
        } else {
            return None;
        };
        Some(portico_service::SignatureInput {
            with,
            meaning: self.value("signature_meaning").to_string(),
        })
    }

    /// A field's value; "" when the form has no such field.
    pub fn value(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

impl FromRequest<Portico> for WebForm {
    type Rejection = Response;

    async fn from_request(request: Request, app: &Portico) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let WebPage { caller, csrf } = WebPage::from_request_parts(&mut parts, app).await?;
        let Form(fields) =
            Form::<BTreeMap<String, String>>::from_request(Request::from_parts(parts, body), app)
                .await
                .map_err(IntoResponse::into_response)?;
        let field = fields.get("csrf").map_or("", String::as_str);
        if let Some(refused) = csrf_refusal(&csrf, field) {
            return Err(refused);
        }
        Ok(WebForm {
            caller,
            csrf,
            fields,
        })
    }
}

/// Security headers on every answer, and a CSRF cookie for browsers that have none yet.
pub async fn headers(State(app): State<Portico>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    // Pages need the double-submit cookie; the API authenticates with bearer tokens only, so
    // its answers carry no cookie (and cost no random token).
    let new_csrf = (!parts.uri.path().starts_with("/api/") && cookie(&parts, CSRF).is_none())
        .then(portico_service::random_token);
    if let Some(token) = &new_csrf {
        parts.extensions.insert(NewCsrf(token.clone()));
    }
    // Pages write dates in the reader's time zone (see `crate::plain`) and words in its
    // language (see `crate::i18n`); a signed-in reader's own settings replace both.
    let zone = crate::plain::reader_zone(&app, cookie(&parts, crate::plain::TZ_COOKIE).as_deref());
    let asked = parts.uri.query().and_then(crate::i18n::lang_parameter);
    let language = crate::i18n::request_language(
        asked.as_deref(),
        cookie(&parts, crate::i18n::LANG_COOKIE).as_deref(),
        parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let run = next.run(Request::from_parts(parts, body));
    let mut response =
        crate::i18n::with_language(language, crate::plain::with_reader_zone(zone, run)).await;
    let h = response.headers_mut();
    // A link that names a language (`?lang=de`) keeps it for the pages that follow.
    if let Some(chosen) = asked.as_deref().and_then(portico_domain::Language::parse) {
        let cookie = ours(
            crate::i18n::LANG_COOKIE,
            chosen.code().to_string(),
            secure(&app),
            true,
        );
        if let Ok(value) = HeaderValue::from_str(&cookie.encoded().to_string()) {
            h.append(header::SET_COOKIE, value);
        }
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // Static files say how long they keep; everything else is for this request only.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Some(token) = new_csrf {
        // The double-submit cookie is not HttpOnly: it is the form's token before sign-in.
        let cookie = ours(CSRF, token, secure(&app), false);
        if let Ok(value) = HeaderValue::from_str(&cookie.encoded().to_string()) {
            h.append(header::SET_COOKIE, value);
        }
    }
    response
}

//! Staff single sign-on with the company's OpenID provider (SPEC section 11): the
//! authorization code flow with PKCE, `state` and `nonce`, the ID token verified against the
//! issuer's published keys — all by the `openidconnect` crate, no JWT checks of our own.
//!
//! `/auth/oidc/login` sends the browser to the provider with a fresh state, nonce and PKCE
//! challenge; the three travel in a short-lived cookie of the browser that started the
//! sign-in (HttpOnly; SameSite=Lax, so that the provider's redirect back brings it), so any
//! server can finish the flow and none stores a secret. `/auth/oidc/callback` checks the state
//! against the cookie, exchanges the code with the PKCE verifier, verifies the ID token (issuer,
//! audience, signature with the provider's keys, expiry within a minute of clock skew, nonce),
//! and hands the verified identity to the service, which finds the staff member by verified
//! email. The provider's discovery document and keys are cached for an hour, and fetched again
//! at once when a token names a key Portico does not know (the provider rotated its keys).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use maud::html;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreClaimName, CoreClaimType, CoreClient,
    CoreClientAuthMethod, CoreGrantType, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm, CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AuthenticationFlow, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret,
    CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    SignatureVerificationError,
};
use portico_service::{PendingSignature, Portico, ProviderIdentity};
use serde::Deserialize;
use tokio::sync::RwLock;

use crate::i18n::t;
use crate::pages::shared::layout;
use crate::pages::web::{secure, session_cookie, WebPage};
use crate::tr;

/// The cookie that carries one sign-in's state, nonce and PKCE verifier.
const FLOW: &str = "portico_oidc";
/// The cookie that carries one signing round trip's state, nonce, PKCE verifier, round-trip
/// token and the page to go back to.
const SIGN_FLOW: &str = "portico_oidc_sign";
/// How long a sign-in at the provider may take.
const FLOW_MINUTES: i64 = 10;
/// How long the provider's discovery document and keys are trusted before they are fetched
/// again.
const METADATA_FOR: Duration = Duration::from_secs(3600);
/// How far the provider's clock may be from ours.
const CLOCK_SKEW: chrono::Duration = chrono::Duration::seconds(60);

/// The provider, as configured (`PORTICO_OIDC_*`).
#[derive(Debug, Clone)]
pub struct SsoSettings {
    /// `PORTICO_OIDC_ISSUER`
    pub issuer: String,
    /// `PORTICO_OIDC_CLIENT_ID`
    pub client_id: String,
    /// `PORTICO_OIDC_CLIENT_SECRET`
    pub client_secret: String,
    /// `PORTICO_OIDC_NAME`: the button reads "Sign in with <name>".
    pub name: String,
    /// `PORTICO_OIDC_CREATE_USERS`: an unknown verified email becomes an internal user.
    pub create_users: bool,
    /// `PORTICO_PUBLIC_URL`: the provider sends the browser back to its
    /// `/auth/oidc/callback`.
    pub public_url: String,
}

/// Single sign-on: the settings, an HTTP client for the provider, and its cached metadata.
pub struct Sso {
    settings: SsoSettings,
    redirect: RedirectUrl,
    http: openidconnect::reqwest::Client,
    metadata: RwLock<Option<(Instant, CoreProviderMetadata)>>,
}

/// What Portico reads of the discovery document beyond the core: where the provider ends its
/// own session (RP-initiated logout), when it has that.
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
struct EndSession {
    end_session_endpoint: Option<String>,
}

impl openidconnect::AdditionalProviderMetadata for EndSession {}

/// The provider's discovery document.
type CoreProviderMetadata = openidconnect::ProviderMetadata<
    EndSession,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// The client of the provider's metadata (authorization endpoint known, token endpoint maybe).
type Client = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

impl Sso {
    /// Checks the settings (the issuer and the callback must be URLs); the provider itself is
    /// asked at the first sign-in, so that Portico starts while the provider is down.
    pub fn new(settings: SsoSettings) -> Result<Arc<Sso>, String> {
        IssuerUrl::new(settings.issuer.clone())
            .map_err(|e| format!("PORTICO_OIDC_ISSUER '{}': {e}", settings.issuer))?;
        let redirect = RedirectUrl::new(callback_url(&settings.public_url))
            .map_err(|e| format!("PORTICO_PUBLIC_URL '{}': {e}", settings.public_url))?;
        let http = openidconnect::reqwest::ClientBuilder::new()
            // Following redirects would let a provider point Portico anywhere (SSRF).
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| format!("the HTTP client for the OpenID provider: {e}"))?;
        Ok(Arc::new(Sso {
            settings,
            redirect,
            http,
            metadata: RwLock::new(None),
        }))
    }

    /// The button's label.
    pub fn name(&self) -> &str {
        &self.settings.name
    }

    /// The provider's metadata and keys: cached, or fetched when missing, old, or `refresh`.
    async fn metadata(&self, refresh: bool) -> Result<CoreProviderMetadata, String> {
        if !refresh {
            if let Some((at, md)) = self.metadata.read().await.as_ref() {
                if at.elapsed() < METADATA_FOR {
                    return Ok(md.clone());
                }
            }
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone()).map_err(|e| e.to_string())?;
        let md = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| format!("the OpenID provider's discovery document: {e}"))?;
        *self.metadata.write().await = Some((Instant::now(), md.clone()));
        Ok(md)
    }

    /// The end-session address of the provider, when it has one (offered after sign-out).
    pub async fn end_session_url(&self) -> Option<String> {
        let md = self.metadata(false).await.ok()?;
        let end = md.additional_metadata().end_session_endpoint.clone()?;
        Some(format!(
            "{end}?client_id={}",
            form_urlencoded::byte_serialize(self.settings.client_id.as_bytes()).collect::<String>()
        ))
    }
}

fn callback_url(public_url: &str) -> String {
    format!("{}/auth/oidc/callback", public_url.trim_end_matches('/'))
}

/// `router` with the sign-on routes and the `Sso` the sign-in page reads its button from.
pub fn with_sso(router: Router, app: Portico, sso: Arc<Sso>) -> Router {
    let routes = Router::new()
        .route("/auth/oidc/login", get(start))
        .route("/auth/oidc/callback", get(callback))
        .route("/auth/oidc/sign", get(start_signing))
        .with_state(app);
    router.merge(routes).layer(Extension(sso))
}

/// `GET /auth/oidc/login`: to the provider.
async fn start(State(app): State<Portico>, Extension(sso): Extension<Arc<Sso>>) -> Response {
    to_provider(&app, &sso, FLOW, false, "").await
}

/// To the provider's authorization endpoint with a fresh state, nonce and PKCE challenge, kept
/// in the flow cookie `name` as `state.nonce.verifier` and `extra` after them. `again`: the
/// person must sign in again (`prompt=login`, `max_age=0`), whatever session the provider has.
async fn to_provider(
    app: &Portico,
    sso: &Sso,
    name: &'static str,
    again: bool,
    extra: &str,
) -> Response {
    let md = match sso.metadata(false).await {
        Ok(md) => md,
        Err(e) => return unavailable(sso, &e),
    };
    let client = client(sso, md);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge);
    if again {
        request = request
            .add_prompt(CoreAuthPrompt::Login)
            .set_max_age(Duration::ZERO);
    }
    let (url, state, nonce) = request.url();
    let flow = format!(
        "{}.{}.{}{extra}",
        state.secret(),
        nonce.secret(),
        verifier.secret()
    );
    let cookie = Cookie::build((name, flow))
        .path("/auth/oidc")
        .http_only(true)
        // The provider's redirect back is a top-level navigation from its site: Lax lets the
        // cookie come with it, Strict would not.
        .same_site(SameSite::Lax)
        .secure(secure(app))
        .max_age(cookie::time::Duration::minutes(FLOW_MINUTES))
        .build();
    (CookieJar::new().add(cookie), Redirect::to(url.as_str())).into_response()
}

#[derive(Deserialize)]
struct Returned {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// `GET /auth/oidc/callback`: back from the provider.
async fn callback(
    State(app): State<Portico>,
    Extension(sso): Extension<Arc<Sso>>,
    jar: CookieJar,
    Query(back): Query<Returned>,
) -> Response {
    // A signing round trip whose state this is (a sign-in may be under way beside it).
    let signing = jar
        .get(SIGN_FLOW)
        .map(|c| c.value().to_string())
        .filter(|f| {
            back.state.as_deref().is_some_and(|state| {
                f.split('.')
                    .next()
                    .is_some_and(|s| constant_time_eq(s.as_bytes(), state.as_bytes()))
            })
        });
    if let Some(signing) = signing {
        let mut spent = Cookie::build((SIGN_FLOW, "")).path("/auth/oidc").build();
        spent.make_removal();
        let answer = finish_signing(&app, &sso, &signing, back).await;
        return (jar.add(spent), answer).into_response();
    }
    let flow = jar.get(FLOW).map(|c| c.value().to_string());
    // The flow cookie is spent whatever happens next.
    let mut spent = Cookie::build((FLOW, "")).path("/auth/oidc").build();
    spent.make_removal();
    let jar = jar.add(spent);
    let answer = finish(&app, &sso, flow.as_deref(), back).await;
    (jar, answer).into_response()
}

/// What to sign, from the sign dialog: a task, or records (comma-separated ids) and an action;
/// and the page to come back to, under `/records/`.
#[derive(Deserialize)]
struct ToSign {
    task: Option<String>,
    object: Option<String>,
    id: Option<String>,
    action: Option<String>,
    back: Option<String>,
}

/// `GET /auth/oidc/sign`: to the provider, to sign in again there (`prompt=login`,
/// `max_age=0`) for one pending signature of the signed-in user.
async fn start_signing(
    State(app): State<Portico>,
    Extension(sso): Extension<Arc<Sso>>,
    WebPage { caller, .. }: WebPage,
    Query(q): Query<ToSign>,
) -> Response {
    let pending = match (q.task, q.object, q.id, q.action) {
        (Some(id), _, _, _) => PendingSignature::Task { id },
        (None, Some(object), Some(ids), Some(action)) => PendingSignature::Action {
            object,
            ids: ids.split(',').map(str::to_string).collect(),
            action,
        },
        _ => return crate::pages::shared::error_page(StatusCode::BAD_REQUEST, &t("sso-say-what")),
    };
    // Only a page of ours to come back to.
    let back = q
        .back
        .filter(|b| b.starts_with("/records/") && !b.contains("//") && !b.contains('\\'))
        .unwrap_or_default();
    let trip = match app.start_signing_at_provider(&caller, &pending).await {
        Ok(trip) => trip,
        Err(e) => return crate::pages::shared::refused(e),
    };
    let back: String = form_urlencoded::byte_serialize(back.as_bytes()).collect();
    to_provider(&app, &sso, SIGN_FLOW, true, &format!(".{trip}.{back}")).await
}

/// Back from signing in again at the provider: the grant, handed to the page that asked for
/// it (by a page of ours, so that the next request is our own site's and brings the session).
async fn finish_signing(app: &Portico, sso: &Sso, flow: &str, back: Returned) -> Response {
    let parts: Vec<&str> = flow.splitn(5, '.').collect();
    let (Some(code), [_, nonce, verifier, trip, return_to]) = (back.code, parts.as_slice()) else {
        let why = back
            .error_description
            .or(back.error)
            .unwrap_or_else(|| "the provider's answer has no code".into());
        return not_signed(app, sso, &format!("the provider answered: {why}")).await;
    };
    let identity = match verified_identity(sso, code, nonce, verifier).await {
        Ok(identity) => identity,
        Err(why) => return not_signed(app, sso, &why).await,
    };
    match app.grant_signing(trip, &identity).await {
        Ok(Ok(grant)) => {
            let return_to = form_urlencoded::parse(format!("b={return_to}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .filter(|b| !b.is_empty())
                .unwrap_or_else(|| format!("/records/{}/{}", grant.object, grant.record));
            let joiner = if return_to.contains('?') { '&' } else { '?' };
            let to = format!("{return_to}{joiner}signing_grant={}", grant.token);
            (
                [(axum::http::header::REFERRER_POLICY, "no-referrer")],
                layout(
                    &t("sso-signed-again"),
                    html! {
                        meta http-equiv="refresh" content=(format!("0;url={to}"));
                        p role="status" { (tr!("sso-signed-again-text", provider = sso.name(), minutes = portico_service::GRANT_MINUTES)) }
                        p { a id="continue" href=(to) { (t("sso-continue")) } }
                    },
                ),
            )
                .into_response()
        }
        Ok(Err(refusal)) => (
            StatusCode::FORBIDDEN,
            layout(
                &t("sso-not-signed"),
                html! {
                    p role="alert" { (tr!("sso-nothing-signed", why = refusal.to_string())) }
                    p { a href="/home" { (t("error-home")) } }
                },
            ),
        )
            .into_response(),
        Err(e) => crate::pages::shared::refused(e),
    }
}

/// A signing round trip the provider's answer does not complete: audited, and said.
async fn not_signed(app: &Portico, sso: &Sso, why: &str) -> Response {
    tracing::warn!(reason = why, "signing at the provider refused");
    if let Err(e) = app.audit_sso_failure(&sso.settings.issuer, why).await {
        return crate::pages::shared::refused(e);
    }
    (
        StatusCode::BAD_REQUEST,
        layout(
            &t("sso-not-signed"),
            html! {
                p role="alert" { (tr!("sso-nothing-signed", why = why)) }
                p { a href="/home" { (t("error-home")) } }
            },
        ),
    )
        .into_response()
}

async fn finish(app: &Portico, sso: &Sso, flow: Option<&str>, back: Returned) -> Response {
    if let Some(error) = back.error {
        let why = back.error_description.unwrap_or(error);
        return refused(
            app,
            sso,
            &format!("the provider answered: {why}"),
            &t("sso-title-not-completed"),
        )
        .await;
    }
    let parts: Vec<&str> = flow.map(|f| f.split('.').collect()).unwrap_or_default();
    let (Some(code), Some(state), [expected, nonce, verifier]) =
        (back.code, back.state, parts.as_slice())
    else {
        return refused(
            app,
            sso,
            "no sign-in in progress in this browser (or it took longer than 10 minutes)",
            &t("sso-title-not-here"),
        )
        .await;
    };
    if !constant_time_eq(state.as_bytes(), expected.as_bytes()) {
        return refused(
            app,
            sso,
            "the state does not match the sign-in this browser started",
            &t("sso-title-not-here"),
        )
        .await;
    }
    let identity = match verified_identity(sso, code, nonce, verifier).await {
        Ok(identity) => identity,
        Err(why) => return refused(app, sso, &why, &t("sso-title-not-confirmed")).await,
    };
    match app
        .login_with_provider(&identity, sso.settings.create_users)
        .await
    {
        Ok(Ok(login)) => {
            let jar = CookieJar::new().add(session_cookie(&login.session_id, secure(app)));
            (jar, Redirect::to("/home")).into_response()
        }
        Ok(Err(refusal)) => (
            StatusCode::FORBIDDEN,
            layout(
                &t("sso-no-access"),
                html! {
                    p role="alert" { (tr!("sso-no-access-text", provider = sso.name(), why = refusal.to_string())) }
                    p { a href="/login" { (t("sso-back-to-sign-in")) } }
                },
            ),
        )
            .into_response(),
        Err(e) => crate::pages::shared::refused(e),
    }
}

/// Exchanges the code (with the PKCE verifier) and verifies the ID token; on a key it does not
/// know, fetches the provider's keys again and verifies once more.
async fn verified_identity(
    sso: &Sso,
    code: String,
    nonce: &str,
    verifier: &str,
) -> Result<ProviderIdentity, String> {
    let first = client(sso, sso.metadata(false).await?);
    let tokens = first
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| format!("the provider has no token endpoint: {e}"))?
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_string()))
        .request_async(&sso.http)
        .await
        .map_err(|e| format!("the provider would not exchange the code: {}", chain(&e)))?;
    let id_token = openidconnect::TokenResponse::id_token(&tokens)
        .ok_or("the provider's answer has no ID token")?
        .clone();
    let nonce = Nonce::new(nonce.to_string());
    let verify = |client: &Client| {
        let verifier = client
            .id_token_verifier()
            .set_time_fn(|| chrono::Utc::now() - CLOCK_SKEW)
            .set_issue_time_verifier_fn(|iat| {
                if iat > chrono::Utc::now() + CLOCK_SKEW {
                    Err("the token was issued in the future".to_string())
                } else {
                    Ok(())
                }
            });
        id_token.claims(&verifier, &nonce).cloned()
    };
    let claims = match verify(&first) {
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        )) => {
            let fresh = client(sso, sso.metadata(true).await?);
            verify(&fresh)
        }
        other => other,
    }
    .map_err(|e| format!("the ID token does not verify: {e}"))?;
    let mut identity = Identity {
        email: claims.email().map(|e| e.to_string()),
        email_verified: claims.email_verified().unwrap_or(false),
        name: claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.to_string()),
        given: claims
            .given_name()
            .and_then(|n| n.get(None))
            .map(|n| n.to_string()),
        family: claims
            .family_name()
            .and_then(|n| n.get(None))
            .map(|n| n.to_string()),
    };
    // Providers that follow OpenID Connect to the letter keep profile claims out of the ID
    // token when they also issue an access token: the UserInfo endpoint has them, for the
    // same subject (checked).
    if identity.email.is_none() {
        let access = openidconnect::OAuth2TokenResponse::access_token(&tokens).clone();
        let info: openidconnect::core::CoreUserInfoClaims = first
            .user_info(access, Some(claims.subject().clone()))
            .map_err(|e| format!("the provider has no UserInfo endpoint: {e}"))?
            .request_async(&sso.http)
            .await
            .map_err(|e| format!("the provider's UserInfo answer: {}", chain(&e)))?;
        identity = Identity {
            email: info.email().map(|e| e.to_string()),
            email_verified: info.email_verified().unwrap_or(false),
            name: info.name().and_then(|n| n.get(None)).map(|n| n.to_string()),
            given: info
                .given_name()
                .and_then(|n| n.get(None))
                .map(|n| n.to_string()),
            family: info
                .family_name()
                .and_then(|n| n.get(None))
                .map(|n| n.to_string()),
        };
    }
    let (first_from_name, last_from_name) =
        match identity.name.as_deref().map(|n| n.split_once(' ')) {
            Some(Some((f, l))) => (Some(f.to_string()), Some(l.to_string())),
            _ => (identity.name.clone(), None),
        };
    Ok(ProviderIdentity {
        issuer: claims.issuer().to_string(),
        subject: claims.subject().to_string(),
        email: identity.email,
        email_verified: identity.email_verified,
        first_name: identity.given.or(first_from_name),
        last_name: identity.family.or(last_from_name),
        auth_time: claims.auth_time().map(|t| t.timestamp_millis()),
    })
}

/// What the provider says of the person, from the ID token or the UserInfo endpoint.
struct Identity {
    email: Option<String>,
    email_verified: bool,
    name: Option<String>,
    given: Option<String>,
    family: Option<String>,
}

fn client(sso: &Sso, md: CoreProviderMetadata) -> Client {
    CoreClient::from_provider_metadata(
        md,
        ClientId::new(sso.settings.client_id.clone()),
        Some(ClientSecret::new(sso.settings.client_secret.clone())),
    )
    .set_redirect_uri(sso.redirect.clone())
}

/// An error with its causes, for the page and the log (the provider's own words, e.g.
/// `invalid_grant`, are in the causes).
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

/// Compares without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A refusal at the edge: audited, and a page that says what happened and offers to try again.
async fn refused(app: &Portico, sso: &Sso, why: &str, title: &str) -> Response {
    tracing::warn!(reason = why, "single sign-on refused");
    if let Err(e) = app.audit_sso_failure(&sso.settings.issuer, why).await {
        return crate::pages::shared::refused(e);
    }
    (
        StatusCode::BAD_REQUEST,
        layout(
            title,
            html! {
                p role="alert" { (tr!("sso-could-not", why = why)) }
                p { a href="/auth/oidc/login" { (tr!("sso-try-again", provider = sso.name())) } " · " a href="/login" { (t("sso-back-to-sign-in")) } }
            },
        ),
    )
        .into_response()
}

fn unavailable(sso: &Sso, why: &str) -> Response {
    tracing::error!(reason = why, "the OpenID provider cannot be reached");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        layout(
            &t("sso-unavailable"),
            html! {
                p role="alert" { (tr!("sso-unavailable-text", provider = sso.name())) }
                p { a href="/login" { (t("sso-back-to-sign-in")) } }
            },
        ),
    )
        .into_response()
}

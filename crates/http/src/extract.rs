//! Extractors whose failures are API errors in the envelope, not axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use portico_service::{Caller, Portico};
use serde::de::DeserializeOwned;

use crate::ApiError;

/// The signed-in caller, from `Authorization: Bearer <sessionId>`. A caller that signed in
/// with a one-time password is refused until it changed it.
pub struct Auth(pub Caller);

impl FromRequestParts<Portico> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Portico) -> Result<Self, ApiError> {
        let AuthAny(caller, _) = AuthAny::from_request_parts(parts, app).await?;
        if caller.must_change_password {
            return Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "PASSWORD_CHANGE_REQUIRED",
                "you signed in with a one-time password: set your own with POST /api/v1/auth/password first",
            ));
        }
        Ok(Auth(caller))
    }
}

/// A signed-in internal user: for endpoints whose whole use case is internal, so that an
/// external caller is refused before its request body is even looked at (the use case checks
/// again).
pub struct Internal(pub Caller);

impl FromRequestParts<Portico> for Internal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Portico) -> Result<Self, ApiError> {
        let Auth(caller) = Auth::from_request_parts(parts, app).await?;
        caller.require_internal()?;
        Ok(Internal(caller))
    }
}

/// A signed-in administrator, refused like [`Internal`] before the body is read.
pub struct Admin(pub Caller);

impl FromRequestParts<Portico> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Portico) -> Result<Self, ApiError> {
        let Auth(caller) = Auth::from_request_parts(parts, app).await?;
        caller.require_admin()?;
        Ok(Admin(caller))
    }
}

/// The signed-in caller, also one that must still change its one-time password (for changing
/// it and signing out).
pub struct AuthAny(pub Caller, pub String);

impl FromRequestParts<Portico> for AuthAny {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Portico) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::session(
                    "sign in first: send Authorization: Bearer <sessionId> from POST /api/v1/auth",
                )
            })?;
        let caller = app.authenticate(token).await?;
        Ok(AuthAny(caller, token.to_string()))
    }
}

/// A JSON body; an empty body reads as `{}`, and malformed JSON is `INVALID_DATA` with the
/// parser's explanation.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned> FromRequest<Portico> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, app: &Portico) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, app)
            .await
            .map_err(|e| ApiError::invalid(format!("the request body could not be read: {e}")))?;
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        serde_json::from_slice(bytes)
            .map(Body)
            .map_err(|e| ApiError::invalid(format!("the request body is not valid: {e}")))
    }
}

/// Query parameters; unknown ones are refused so that a typo does not silently list everything.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<Portico> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &Portico) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded_from(query)
            .map(Params)
            .map_err(|e| ApiError::invalid(format!("query parameters: {e}")))
    }
}

fn serde_urlencoded_from<T: DeserializeOwned>(query: &str) -> Result<T, String> {
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{query}").parse().map_err(|e| format!("{e}"))?,
    )
    .map(|q| q.0)
    .map_err(|e| e.body_text())
}

/// The address a request came from: the peer's, or with `trust_proxy` the first of
/// `X-Forwarded-For` (set by a proxy in front of Portico).
pub struct ClientAddress(pub Option<String>);

impl FromRequestParts<Portico> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Portico) -> Result<Self, ApiError> {
        if app.settings().trust_proxy {
            if let Some(forwarded) = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
            {
                if let Some(first) = forwarded
                    .split(',')
                    .next()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                {
                    return Ok(ClientAddress(Some(first.to_string())));
                }
            }
        }
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        Ok(ClientAddress(peer))
    }
}

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

/// The address a request came from: the peer's, or with `trust_proxy` the one the proxies in
/// front of Portico saw. Each proxy appends the address it received the request from to
/// `X-Forwarded-For`, so with `hops` proxies the client is the entry `hops` places from the
/// right; anything left of it was written by the client and proves nothing.
pub struct ClientAddress(pub Option<String>);

impl FromRequestParts<Portico> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Portico) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        if !app.settings().trust_proxy {
            return Ok(ClientAddress(peer));
        }
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        Ok(ClientAddress(
            forwarded_client(&forwarded, app.settings().trusted_proxy_hops)
                .map(str::to_string)
                .or(peer),
        ))
    }
}

/// The entry `hops` places from the right of `X-Forwarded-For` (all headers in order), when
/// there are that many and it is not empty.
fn forwarded_client<'a>(entries: &[&'a str], hops: usize) -> Option<&'a str> {
    let hops = hops.max(1);
    entries
        .len()
        .checked_sub(hops)
        .and_then(|i| entries.get(i))
        .copied()
        .filter(|e| !e.is_empty())
}

#[cfg(test)]
mod tests {
    use super::forwarded_client;

    #[test]
    fn the_client_is_the_entry_the_trusted_proxies_added() {
        // The client wrote "6.6.6.6" itself; the one proxy appended the real peer.
        assert_eq!(
            forwarded_client(&["6.6.6.6", "203.0.113.7"], 1),
            Some("203.0.113.7")
        );
        // Two proxies: the second appended the first's address.
        assert_eq!(
            forwarded_client(&["6.6.6.6", "203.0.113.7", "10.0.0.2"], 2),
            Some("203.0.113.7")
        );
        // Fewer entries than proxies: none can be trusted.
        assert_eq!(forwarded_client(&["203.0.113.7"], 2), None);
        assert_eq!(forwarded_client(&[], 1), None);
        assert_eq!(forwarded_client(&["6.6.6.6", ""], 1), None);
    }
}

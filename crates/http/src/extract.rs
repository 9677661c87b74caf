//! Extractors whose failures are API errors in the envelope, not axum's plain-text rejections.

use std::marker::PhantomData;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, MatchedPath};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::Method;
use portico_service::{Caller, Portico};
use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::api::Document;
use crate::invalid::{self, Place};
use crate::openapi;
use crate::{ApiError, ErrorType};

/// The application and the signed-in caller, from `Authorization: Bearer <sessionId>`. A
/// caller that signed in with a one-time password is refused until it changed it.
pub struct Auth(pub Portico, pub Caller);

impl FromRequestParts<Portico> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Portico) -> Result<Self, ApiError> {
        let AuthAny(app, caller, _) = AuthAny::from_request_parts(parts, app).await?;
        if caller.must_change_password {
            return Err(ApiError::new(
                ErrorType::PasswordChangeRequired,
                "you signed in with a one-time password: set your own with POST /api/v1/auth/password first",
            ));
        }
        Ok(Auth(app, caller))
    }
}

/// A signed-in internal user: for endpoints whose whole use case is internal, so that an
/// external caller is refused before its request body is even looked at (the use case checks
/// again).
pub struct Internal(pub Portico, pub Caller);

impl FromRequestParts<Portico> for Internal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Portico) -> Result<Self, ApiError> {
        let Auth(app, caller) = Auth::from_request_parts(parts, app).await?;
        caller.require_internal()?;
        Ok(Internal(app, caller))
    }
}

/// A signed-in administrator, refused like [`Internal`] before the body is read.
pub struct Admin(pub Portico, pub Caller);

impl FromRequestParts<Portico> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Portico) -> Result<Self, ApiError> {
        let Auth(app, caller) = Auth::from_request_parts(parts, app).await?;
        caller.require_admin()?;
        Ok(Admin(app, caller))
    }
}

/// The application and the signed-in caller with its session token, also a caller that must
/// still change its one-time password (for changing it and signing out).
pub struct AuthAny(pub Portico, pub Caller, pub String);

impl FromRequestParts<Portico> for AuthAny {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Portico) -> Result<Self, ApiError> {
        let token = bearer_token(parts).ok_or_else(|| {
            ApiError::session(
                "sign in first: send Authorization: Bearer <sessionId> from POST /api/v1/auth",
            )
        })?;
        let caller = app.authenticate(token).await?;
        Ok(AuthAny(app.clone(), caller, token.to_string()))
    }
}

/// The token of `Authorization: Bearer <token>`, if the request has one (a session's, or on
/// `/scim/v2` an identity provider's).
pub(crate) fn bearer_token(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// A JSON request body of a type that also documents it (`#[utoipa::path]` reads the
/// handler's `Json<T>` argument); its type is `deny_unknown_fields`, so that a typo is refused,
/// not ignored. An empty body reads as `{}`; malformed JSON is `INVALID_DATA` with the
/// parser's explanation; a body that does not fit `T` is refused with the field named
/// ([`crate::invalid`]) — a field the operation answers but does not take as read-only.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let operation = Operation::of(&req);
        let json_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|t| t.trim().to_ascii_lowercase())
            .is_some_and(|t| t == "application/json" || t.ends_with("+json"));
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::invalid(format!("the request body could not be read: {e}")))?;
        // Only a body with nothing in it reads as `{}`: blank text is not JSON (schemathesis
        // sent a lone tab to a PATCH and it was taken as an empty change).
        let value: serde_json::Value = if bytes.is_empty() {
            serde_json::Value::Object(serde_json::Map::new())
        } else if !json_type {
            // A body of another type is what a form or a `text/plain` request from another
            // site sends without asking the browser first: JSON must say it is JSON.
            return Err(ApiError::invalid(
                "send the request body as JSON, with the header Content-Type: application/json",
            ));
        } else {
            serde_json::from_slice(&bytes).map_err(|e| {
                ApiError::invalid(format!("the request body is not valid JSON: {e}"))
            })?
        };
        // serde would read a struct from a list of its fields in order; the API takes objects.
        if value.is_array() {
            return Err(ApiError::invalid("the request body must be a JSON object"));
        }
        serde_path_to_error::deserialize(value)
            .map(Json)
            .map_err(|e| {
                let answered = operation.answered_fields();
                invalid::refusal(
                    &e.path().to_string(),
                    &e.inner().to_string(),
                    Place::Body,
                    |field| answered.iter().any(|f| f == field),
                )
            })
    }
}

/// The documented operation a request is for.
struct Operation {
    document: Option<Document>,
    method: Method,
    path: Option<MatchedPath>,
}

impl Operation {
    fn of(req: &axum::extract::Request) -> Self {
        Operation {
            document: req.extensions().get::<Document>().cloned(),
            method: req.method().clone(),
            path: req.extensions().get::<MatchedPath>().cloned(),
        }
    }

    /// The fields its success answer has (none when it is not documented).
    fn answered_fields(&self) -> Vec<String> {
        match (&self.document, &self.path) {
            (Some(doc), Some(path)) => openapi::answered_fields(doc, &self.method, path.as_str()),
            _ => vec![],
        }
    }
}

/// A JSON object inside a body, read as `T`: unlike `T` itself, never from a list of its
/// fields in order (which serde would allow).
#[derive(Debug)]
pub struct JsonObject<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for JsonObject<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Fields<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Fields<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(Fields(PhantomData)).map(JsonObject)
    }
}

/// Query parameters of a type that also documents them (`IntoParams`); unknown ones are
/// refused so that a typo does not silently list everything.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        query(parts.uri.query().unwrap_or(""), "parameter").map(Query)
    }
}

/// Reads a query string as `T`; `noun` is what its parameters are called in messages.
pub fn query<T: DeserializeOwned>(query: &str, noun: &'static str) -> Result<T, ApiError> {
    let pairs = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(pairs).map_err(|e| {
        invalid::refusal(
            &e.path().to_string(),
            &e.inner().to_string(),
            Place::Query(noun),
            |_| false,
        )
    })
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

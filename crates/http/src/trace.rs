//! Every request in a span of its own, with a request id: the caller's `x-request-id` when it
//! is a sane one (a proxy's or a client's, so one id follows a request across systems), else a
//! new UUID. The id goes back as `x-request-id`, and every line logged while the request is
//! served carries it (the span is the context of every event in it, also in
//! `PORTICO_LOG_FORMAT=json`). One line at INFO says how each request ended (status,
//! latency); an internal error is logged once, with its causes, where it becomes the 500
//! (`error.rs`), so the trace does not log 5xx answers a second time.

use std::convert::Infallible;

use axum::body::Body;
use axum::http::{HeaderName, Request};
use axum::response::IntoResponse;
use axum::routing::Route;
use tower::util::MapRequestLayer;
use tower::{Layer, Service, ServiceBuilder};
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use tracing::{Level, Span};

/// The header that carries the id, both ways.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest incoming id kept.
const MAX_ID_LEN: usize = 128;

/// The layers, outermost first: drop an incoming id that is not sane, set one where none is,
/// open the request's span, send the id back.
pub(crate) fn layer() -> impl Layer<
    Route,
    Service = impl Service<
        Request<Body>,
        Response = impl IntoResponse + 'static,
        Error = Infallible,
        Future = impl Send + 'static,
    > + Clone
                  + Send
                  + Sync
                  + 'static,
> + Clone
       + Send
       + Sync
       + 'static {
    ServiceBuilder::new()
        .layer(MapRequestLayer::new(drop_insane_id))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(span)
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(LatencyUnit::Micros),
                )
                .on_failure(()),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
}

/// Whether an incoming id may be kept: short, and only letters, digits and `-_.:` (it goes
/// into every log line and back to the caller).
fn sane(id: &[u8]) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len())
        && id
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.:".contains(c))
}

fn drop_insane_id(mut request: Request<Body>) -> Request<Body> {
    if let Some(id) = request.headers().get(&REQUEST_ID) {
        if !sane(id.as_bytes()) {
            request.headers_mut().remove(&REQUEST_ID);
        }
    }
    request
}

/// The request's span. ERROR is its level so that it is on whenever anything is logged at
/// all: with `PORTICO_LOG=warn` a warning still carries its request id. The path has no query
/// (set-password links carry their token there).
fn span(request: &Request<Body>) -> Span {
    let id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-");
    tracing::error_span!(
        "request",
        request_id = id,
        method = %request.method(),
        path = request.uri().path(),
    )
}

#[cfg(test)]
mod tests {
    use super::{sane, MAX_ID_LEN};

    #[test]
    fn only_short_plain_ids_are_kept() {
        assert!(sane(b"0b6f9c1e-7a2d-4c7e-9f3a-1d2e3f4a5b6c"));
        assert!(sane(b"edge:1234_abc.5"));
        for bad in [
            &b""[..],
            b"two words",
            b"quote\"d",
            b"line\nbreak",
            b"caf\xc3\xa9",
            &[b'a'; MAX_ID_LEN + 1],
        ] {
            assert!(!sane(bad), "{:?}", String::from_utf8_lossy(bad));
        }
        assert!(sane(&[b'a'; MAX_ID_LEN]));
    }
}

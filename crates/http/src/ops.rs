//! Operations (SPEC section 11): `/readyz` answers 200 only while the database answers, and
//! `/metrics` is Prometheus text — request counts and durations by method, route and status,
//! the license seats and the outbox by status.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use portico_service::Portico;

const REQUESTS: &str = "portico_http_requests_total";
const DURATION: &str = "portico_http_request_duration_seconds";

/// The process's one Prometheus recorder (several servers in one process, as in the tests,
/// share it).
fn recorder() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let buckets = [
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ];
            let installed = PrometheusBuilder::new()
                .set_buckets(&buckets)
                .and_then(PrometheusBuilder::install_recorder);
            match installed {
                Ok(handle) => {
                    metrics::describe_counter!(REQUESTS, "HTTP requests answered");
                    metrics::describe_histogram!(
                        DURATION,
                        metrics::Unit::Seconds,
                        "time to answer an HTTP request"
                    );
                    Some(handle)
                }
                Err(e) => {
                    tracing::error!(error = %e, "the metrics recorder could not be installed");
                    None
                }
            }
        })
        .as_ref()
}

/// `router` with `/readyz` and `/metrics`, every request counted and timed.
pub fn with_operations(router: Router, app: Portico) -> Router {
    recorder();
    let ops = Router::new()
        .route("/readyz", get(readyz))
        .route("/metrics", get(scrape))
        .with_state(app);
    router.merge(ops).layer(axum::middleware::from_fn(count))
}

/// Counts and times a request under its route's pattern (`/api/v1/vobjects/{object}/{id}`,
/// never the ids: one series per route, not per record).
async fn count(request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let started = Instant::now();
    let response = next.run(request).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!(REQUESTS, &labels).increment(1);
    metrics::histogram!(DURATION, &labels).record(started.elapsed().as_secs_f64());
    response
}

/// `GET /readyz`
async fn readyz(State(app): State<Portico>) -> Response {
    match app.ready().await {
        Ok(()) => (StatusCode::OK, "ready\n").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer\n",
            )
                .into_response()
        }
    }
}

/// `GET /metrics`
async fn scrape(State(app): State<Portico>) -> Response {
    let Some(handle) = recorder() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "metrics are off\n").into_response();
    };
    match app.gauges().await {
        Ok(g) => {
            metrics::gauge!("portico_license_seats", "state" => "total").set(g.seats_total as f64);
            metrics::gauge!("portico_license_seats", "state" => "active")
                .set(g.seats_active as f64);
            for (status, n) in g.emails {
                metrics::gauge!("portico_outbox_emails", "status" => status).set(n as f64);
            }
        }
        // The request figures are still worth having; readyz says what is wrong.
        Err(e) => tracing::warn!(error = %e, "the gauges could not be read"),
    }
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

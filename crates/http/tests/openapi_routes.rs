//! The API's routes and its OpenAPI document are one: every route the router has under `/api`
//! (and `/healthz`) is documented, every documented operation is routed, with the same methods.
//! And the document is the contract committed in `docs/openapi.json`: a field renamed, added or
//! dropped changes it, and that has to be on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use portico_domain::config::Config;
use portico_service::store::Store;
use portico_service::{Portico, ServiceSettings};
use tower::ServiceExt;

async fn app() -> (Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create_or_connect(&format!("sqlite://{}/routes.db", dir.path().display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let app = Portico::new(
        store,
        Config::default_config().unwrap(),
        ServiceSettings::default(),
    );
    (portico_http::router(app), dir)
}

async fn send(router: &Router, method: Method, path: &str) -> axum::response::Response {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .body(Body::empty())
        .unwrap();
    router.clone().oneshot(request).await.unwrap()
}

/// The paths of the router's route table. axum shows them only in its `Debug` output
/// (`RouteId(7): "/api/v1/users"`), so that is read.
fn route_table(router: &Router) -> BTreeSet<String> {
    format!("{router:?}")
        .split("RouteId(")
        .filter_map(|entry| {
            let (_, rest) = entry.split_once("): \"")?;
            rest.split_once('"').map(|(path, _)| path.to_string())
        })
        .collect()
}

/// The document as served.
async fn document(router: &Router) -> serde_json::Value {
    let response = send(router, Method::GET, "/api/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 22)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn the_document_is_the_committed_contract() {
    let (router, _dir) = app().await;
    let served = serde_json::to_string_pretty(&document(&router).await).unwrap() + "\n";
    let committed =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var_os("PORTICO_BLESS_OPENAPI").is_some() {
        std::fs::write(&committed, &served).unwrap();
    }
    let expected = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        served == expected,
        "the API contract changed. If that is on purpose, write the new one with \
         `PORTICO_BLESS_OPENAPI=1 cargo test -p portico-http --test openapi_routes` and commit \
         docs/openapi.json (its diff is the change to review)"
    );
}

#[tokio::test]
async fn every_route_is_documented_and_every_documented_operation_is_routed() {
    let (router, _dir) = app().await;
    let doc = document(&router).await;
    assert_eq!(doc["openapi"], "3.1.0");

    let mut documented: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut operation_ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            documented
                .entry(path.clone())
                .or_default()
                .insert(method.to_uppercase());
            let id = op["operationId"].as_str().unwrap().to_string();
            assert!(operation_ids.insert(id.clone()), "operationId {id} twice");
        }
    }

    // Paths: the route table's API paths are the documented ones.
    let table = route_table(&router);
    assert!(
        table.contains("/login") && table.contains("/api/v1/users"),
        "axum's route table could not be read: {table:?}"
    );
    let routed: BTreeSet<&String> = table
        .iter()
        .filter(|p| p.starts_with("/api/") || *p == "/healthz")
        .collect();
    let documented_paths: BTreeSet<&String> = documented.keys().collect();
    let undocumented: Vec<_> = routed.difference(&documented_paths).collect();
    let unrouted: Vec<_> = documented_paths.difference(&routed).collect();
    assert!(
        undocumented.is_empty() && unrouted.is_empty(),
        "routed but not documented: {undocumented:?}; documented but not routed: {unrouted:?}"
    );

    // Methods: a method a path does not offer answers 405 with the ones it does, which are
    // the documented ones (HEAD comes with GET).
    for (path, methods) in &documented {
        let concrete = path
            .split('/')
            .map(|s| if s.starts_with('{') { "x" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let response = send(&router, Method::TRACE, &concrete).await;
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "TRACE {concrete}"
        );
        let allowed: BTreeSet<String> = response.headers()[header::ALLOW]
            .to_str()
            .unwrap()
            .split(',')
            .map(|m| m.trim().to_string())
            .filter(|m| m != "HEAD")
            .collect();
        assert_eq!(
            &allowed, methods,
            "{path}: routed methods (left) and documented ones (right) differ"
        );
    }
}

/// Whether a path parameter's documented schema admits `value`: a string schema does, unless
/// it lists its values.
fn admits(schema: &serde_json::Value, value: &str) -> bool {
    match schema["enum"].as_array() {
        Some(values) => values.iter().any(|v| v == value),
        None => true,
    }
}

#[tokio::test]
async fn a_request_is_documented_by_one_operation() {
    let (router, _dir) = app().await;
    let doc = document(&router).await;
    let paths = doc["paths"].as_object().unwrap();
    for (concrete, item) in paths {
        let segments: Vec<&str> = concrete.split('/').collect();
        for (template, template_item) in paths.iter().filter(|(t, _)| *t != concrete) {
            let template_segments: Vec<&str> = template.split('/').collect();
            if template_segments.len() != segments.len() {
                continue;
            }
            // Does every request to `concrete` also fit `template`, for a method both have?
            let overlaps = segments.iter().zip(&template_segments).all(|(s, t)| {
                let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) else {
                    return s == t;
                };
                s.starts_with('{')
                    || template_item.as_object().unwrap().values().any(|op| {
                        op["parameters"].as_array().into_iter().flatten().any(|p| {
                            p["name"] == name && p["in"] == "path" && admits(&p["schema"], s)
                        })
                    })
            });
            let shared: Vec<&String> = item
                .as_object()
                .unwrap()
                .keys()
                .filter(|m| template_item.get(m.as_str()).is_some())
                .collect();
            assert!(
                !overlaps || shared.is_empty(),
                "{shared:?} {concrete} is also documented as {template}: its parameter must not admit the value"
            );
        }
    }
}

//! The OpenAPI document lists every route the router has, and no route the router lacks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use portico_domain::config::Config;
use portico_service::{Portico, ServiceSettings};
use portico_store::Store;
use tower::ServiceExt;

#[tokio::test]
async fn every_documented_operation_is_routed() {
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
    let router = portico_http::router(app);
    let doc = portico_http::openapi::document();
    assert_eq!(serde_json::to_value(&doc).unwrap()["openapi"], "3.1.0");
    for op in portico_http::openapi::OPERATIONS {
        let path = op
            .path
            .replace("{object}", "car__v")
            .replace('{', "x")
            .replace('}', "");
        let method = portico_http::openapi::method_name(&op.method).to_uppercase();
        let request = Request::builder()
            .method(method.as_str())
            .uri(&path)
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert_ne!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} is documented but not routed"
        );
        assert!(
            !text.contains("there is no such endpoint"),
            "{method} {path} is documented but not routed"
        );
    }
}

//! Operations (SPEC section 11): `/readyz`, `/metrics` in Prometheus text with the named
//! series, and a SIGTERM that lets the requests and the email in flight finish, gives the
//! other claimed emails back and exits 0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::smtp::SmtpSink;
use support::TestApp;

async fn text(app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// The value of the series whose line starts with `series` (name and labels as written).
fn value(metrics: &str, series: &str) -> Option<f64> {
    metrics
        .lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

async fn readyz_and_metrics_tell_the_operator_what_holds(app: TestApp) {
    assert_eq!(text(&app, "/readyz").await.0, StatusCode::OK);
    let (_, _, scar) = app.contact_on_sent_scar("Mia", "Metric").await;
    app.ok(Method::GET, &app.admin, "/api/v1/users", None).await;
    app.ok(
        Method::GET,
        &app.admin,
        &format!("/api/v1/vobjects/car__v/{scar}"),
        None,
    )
    .await;
    let (status, metrics) = text(&app, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    // Requests by method, route (the pattern, never an id) and status.
    let users = r#"portico_http_requests_total{method="GET",route="/api/v1/users",status="200"}"#;
    assert!(value(&metrics, users).unwrap() >= 1.0, "{metrics}");
    assert!(
        metrics.contains(r#"route="/api/v1/vobjects/{object}/{id}""#) && !metrics.contains(&scar),
        "{metrics}"
    );
    assert!(metrics.contains(r#"portico_http_request_duration_seconds_bucket{method="GET",route="/api/v1/users",status="200",le="#));
    // Seats and the outbox, as they are now.
    assert_eq!(
        value(&metrics, r#"portico_license_seats{state="total"}"#),
        Some(10.0)
    );
    assert_eq!(
        value(&metrics, r#"portico_license_seats{state="active"}"#),
        Some(1.0)
    );
    assert_eq!(
        value(&metrics, r#"portico_outbox_emails{status="pending"}"#),
        Some(2.0)
    );
    app.deliver().await;
    let (_, metrics) = text(&app, "/metrics").await;
    assert_eq!(
        value(&metrics, r#"portico_outbox_emails{status="sent"}"#),
        Some(2.0)
    );

    // Without its database the server is not ready.
    app.running.app.store().close().await;
    let (status, body) = text(&app, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
}
both_backends!(
    readyz_and_metrics,
    readyz_and_metrics_tell_the_operator_what_holds
);

/// A `portico serve` process whose emails go to a slow SMTP server: SIGTERM while it sends
/// lets the email in flight finish, gives the other claims back, and exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_the_email_in_flight_and_exits_zero() {
    let sink = SmtpSink::start_slow(Duration::from_millis(1500)).await;
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let database = format!("sqlite://{}/portico.db", dir.path().display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args([
            "serve",
            "--create",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .args(["--database-url", &database, "--smtp-url", &sink.url()])
        .env("PORTICO_DATA_DIR", dir.path())
        .env("PORTICO_ADMIN_PASSWORD", support::ADMIN_PASSWORD)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let token: String = client
        .post(format!("{base}/api/v1/auth"))
        .json(&json!({"username": "admin", "password": support::ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["sessionId"]
        .as_str()
        .unwrap()
        .to_string();
    let post = |path: &str, body: serde_json::Value| {
        client
            .post(format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let data = |r: reqwest::Response| async move {
        r.json::<serde_json::Value>().await.unwrap()["data"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let org = data(
        post(
            "/api/v1/vobjects/organization__v",
            json!({"name__v": "Acme"}),
        )
        .await
        .unwrap(),
    )
    .await;
    for i in 0..3 {
        let person = data(
            post(
                "/api/v1/vobjects/person__v",
                json!({"first_name__v": format!("T{i}"), "last_name__v": "Term", "email__v": format!("t{i}@acme.example"), "organization__v": org}),
            )
            .await
            .unwrap(),
        )
        .await;
        let scar = data(
            post(
                "/api/v1/vobjects/car__v",
                json!({"name__v": format!("SCAR-{i}"), "supplier__v": org, "external_collaborator__v": [person]}),
            )
            .await
            .unwrap(),
        )
        .await;
        let sent = post(
            &format!("/api/v1/vobjects/car__v/{scar}/actions/change_state_to_pending_response__c"),
            json!({}),
        )
        .await
        .unwrap();
        assert_eq!(sent.status(), StatusCode::OK);
    }
    // Six emails; the worker takes 1.5 s for each. Stop it while it is sending the first.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let stopping = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            stopping.elapsed() < Duration::from_secs(30),
            "it did not stop"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status {status}");
    let delivered = sink.messages().len();
    assert!((1..6).contains(&delivered), "{delivered} delivered");

    // What was sent is recorded; nothing else is left claimed.
    use sqlx::{Connection, Row};
    let mut db = sqlx::SqliteConnection::connect(&database).await.unwrap();
    let rows = sqlx::query("SELECT status, claimed_until FROM outbox")
        .fetch_all(&mut db)
        .await
        .unwrap();
    let sent = rows
        .iter()
        .filter(|r| r.get::<String, _>("status") == "sent")
        .count();
    assert_eq!(
        sent, delivered,
        "every email the server took was recorded as sent"
    );
    let claimed = rows
        .iter()
        .filter(|r| {
            r.get::<String, _>("status") == "pending"
                && r.get::<Option<i64>, _>("claimed_until").is_some()
        })
        .count();
    assert_eq!(
        claimed, 0,
        "the claims of the emails not sent were given back"
    );
}

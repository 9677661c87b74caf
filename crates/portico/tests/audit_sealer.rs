//! The audit chain without a lock on the write path (issue 14): writes append their entries
//! unsealed and a sealer chains them after commit. A write never waits for the chain, entries
//! committed before a crash are sealed later, and two servers writing side by side leave one
//! intact chain holding every entry.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::TestApp;

async fn verify(app: &TestApp) -> Value {
    app.ok(Method::GET, &app.admin, "/api/v1/audit/verify", None)
        .await
}

async fn unsealed(app: &TestApp) -> i64 {
    let mut tx = app.running.app.store().write().await.unwrap();
    let n = tx
        .raw(
            "UPDATE audit_trail SET chain_seq = chain_seq WHERE chain_seq IS NULL",
            &[],
        )
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    i64::try_from(n).unwrap()
}

/// On PostgreSQL a sealer holding the chain's head does not hold up any write. (On SQLite
/// one writer at a time is the database's own rule.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_never_waits_for_the_chain() {
    let Some(app) = TestApp::spawn(support::Backend::Postgres).await else {
        return;
    };
    use sqlx::Connection;
    let url = app.database_url.clone();
    let mut sealer = sqlx::PgConnection::connect(&url).await.unwrap();
    let mut held = sealer.begin().await.unwrap();
    sqlx::query("SELECT hash FROM audit_head WHERE id = 1 FOR UPDATE")
        .fetch_one(&mut *held)
        .await
        .unwrap();
    // While the head is held, writes (each with its audit entries) go through.
    let started = Instant::now();
    let write = app.call(
        Method::POST,
        Some(&app.admin),
        "/api/v1/vobjects/organization__v",
        Some(json!({"name__v": "Written while the chain is held"})),
    );
    let (status, body) = tokio::time::timeout(Duration::from_secs(10), write)
        .await
        .expect("the write waited for the audit chain's head");
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(started.elapsed() < Duration::from_secs(5));
    held.rollback().await.unwrap();
    let report = verify(&app).await;
    assert_eq!(report["intact"], true, "{report}");
    assert_eq!(unsealed(&app).await, 0);
}

/// Entries committed by a server that died before sealing them are sealed by the next one.
async fn entries_committed_before_a_crash_are_sealed_later(backend: support::Backend) {
    let Some(first) = TestApp::spawn(backend).await else {
        return;
    };
    for i in 0..5 {
        first.org(&format!("Before the crash {i}")).await;
    }
    let waiting = unsealed(&first).await;
    assert!(waiting >= 5, "{waiting}");
    let all = first
        .ok(Method::GET, &first.admin, "/api/v1/audit?limit=1000", None)
        .await
        .as_array()
        .unwrap()
        .len();
    // The next server (its sealer on) seals them by itself.
    let next = TestApp::spawn_on(backend, Some(first.database_url.clone()), |s| {
        s.audit_sealer = true;
    })
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while unsealed(&next).await > 0 {
        assert!(Instant::now() < deadline, "nothing sealed them");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let report = verify(&next).await;
    assert_eq!(report["intact"], true, "{report}");
    assert!(report["entries"].as_i64().unwrap() >= i64::try_from(all).unwrap());
}
per_backend!(crash, entries_committed_before_a_crash_are_sealed_later);

/// Two servers on one PostgreSQL database, both sealing, many writes at once: one chain,
/// every entry in it once, intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_writing_at_once_keep_one_chain() {
    let backend = support::Backend::Postgres;
    let Some(a) = TestApp::spawn_with(backend, |s| s.audit_sealer = true).await else {
        return;
    };
    let b = TestApp::spawn_on(backend, Some(a.database_url.clone()), |s| {
        s.audit_sealer = true;
    })
    .await
    .unwrap();
    let writes = (0..40).map(|i| {
        let app = if i % 2 == 0 { &a } else { &b };
        app.call(
            Method::POST,
            Some(&app.admin),
            "/api/v1/vobjects/organization__v",
            Some(json!({"name__v": format!("Parallel {i}")})),
        )
    });
    for (status, body) in join_all(writes).await {
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while unsealed(&a).await > 0 {
        assert!(Instant::now() < deadline, "entries left unsealed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let listed = a
        .ok(Method::GET, &a.admin, "/api/v1/audit?limit=1000", None)
        .await;
    let report = verify(&b).await;
    assert_eq!(report["intact"], true, "{report}");
    assert_eq!(
        report["entries"].as_u64().unwrap(),
        listed.as_array().unwrap().len() as u64,
        "every entry is in the chain once"
    );
}

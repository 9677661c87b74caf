#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Every lookup the rules make per action is served by an index, on both backends: deciding
//! whether a user has any other Active assignment must never scan the assignments.

use portico_store::{rule_lookups, Store};

async fn check(store: &Store, backend: &str) {
    for lookup in rule_lookups() {
        let plan = store
            .explain(&lookup.sql, lookup.params)
            .await
            .expect("explain");
        assert!(
            lookup.indexes.iter().any(|i| plan.contains(i)),
            "{backend}: '{}' uses none of {:?}:\n{plan}",
            lookup.name,
            lookup.indexes
        );
        let scans = plan
            .lines()
            .any(|l| (l.starts_with("SCAN ") && !l.contains(" INDEX ")) || l.contains("Seq Scan"));
        assert!(
            !scans,
            "{backend}: '{}' scans a table:\n{plan}",
            lookup.name
        );
    }
}

#[tokio::test]
async fn rule_lookups_use_indexes_on_sqlite() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = Store::connect(&format!("sqlite://{}/plans.db", dir.path().display()))
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    check(&store, "sqlite").await;
}

#[tokio::test]
async fn rule_lookups_use_indexes_on_postgres() {
    let url = match std::env::var("PORTICO_TEST_POSTGRES_URL") {
        Ok(url) => url,
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
            "postgres://postgres@127.0.0.1:5432/test".into()
        }
        Err(_) => {
            eprintln!(
                "skipping PostgreSQL tests: set PORTICO_TEST_POSTGRES_URL (or CI=true) to run them"
            );
            return;
        }
    };
    let schema = format!("pt_{}", uuid::Uuid::now_v7().simple());
    let admin = Store::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {url} cannot be reached: {e}"));
    admin
        .execute_raw(&format!("CREATE SCHEMA {schema}"))
        .await
        .expect("schema");
    let sep = if url.contains('?') { '&' } else { '?' };
    let store = Store::connect(&format!("{url}{sep}options=-c%20search_path%3D{schema}"))
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    check(&store, "postgres").await;
}

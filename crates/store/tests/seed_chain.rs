#![allow(clippy::unwrap_used, clippy::expect_used)]

//! `portico seed` leaves the audit trail sealed: a server started on a seeded database has no
//! backlog to chain, and `audit verify` judges every generated entry.

mod common;

use portico_store::{SeedSpec, Store};

async fn check(store: &Store, backend: &str) {
    common::admin(store).await;
    let report = store
        .seed(
            SeedSpec {
                records: 300,
                persons: 60,
            },
            "chain",
            0,
        )
        .await
        .expect("seed");
    let mut read = store.read().await.expect("read");
    assert!(
        !read.db().audit_unsealed().await.expect("unsealed"),
        "{backend}: the seed left entries for the sealer"
    );
    let chain = read.db().verify_audit_chain().await.expect("verify");
    assert!(chain.intact, "{backend}: {:?}", chain.reason);
    assert_eq!(chain.unsealed, 0, "{backend}");
    assert!(
        chain.entries >= i64::try_from(report.audit_entries).expect("count"),
        "{backend}: {} entries in the chain, {} generated",
        chain.entries,
        report.audit_entries
    );
}

#[tokio::test]
async fn a_seeded_trail_is_sealed_and_intact_on_sqlite() {
    let dir = tempfile::tempdir().expect("temporary folder");
    check(&common::sqlite(&dir, "seed").await, "sqlite").await;
}

#[tokio::test]
async fn a_seeded_trail_is_sealed_and_intact_on_postgres() {
    if let Some(store) = common::postgres().await {
        check(&store, "postgres").await;
    }
}

#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Expired signing round trips and grants are purged; live ones stay.

mod common;

use portico_domain::UserId;
use portico_store::{SigningGrantRow, Store};

fn round_trip(expires_at: i64) -> SigningGrantRow {
    SigningGrantRow {
        session_hash: "session".into(),
        user: UserId::new("usr_admin"),
        object: "car__v".into(),
        records: "rec_1".into(),
        signing: "action:change_state_to_closed__c".into(),
        meaning: "Approved".into(),
        started_at: 0,
        confirmed_at: None,
        expires_at,
        used_at: None,
    }
}

async fn check(store: &Store, backend: &str) {
    common::admin(store).await;
    let now = 1_000_000;
    let mut tx = store.write().await.unwrap();
    let db = &mut tx.db();
    db.insert_signing_round_trip("expired", &round_trip(now - 1))
        .await
        .unwrap();
    db.insert_signing_round_trip("used-and-expired", &round_trip(now - 60_000))
        .await
        .unwrap();
    db.confirm_signing_grant("used-and-expired", "grant", now - 120_000, now - 60_000)
        .await
        .unwrap();
    db.use_signing_grant("grant", now - 90_000).await.unwrap();
    db.insert_signing_round_trip("live", &round_trip(now + 300_000))
        .await
        .unwrap();
    assert_eq!(db.purge_signing_grants(now).await.unwrap(), 2, "{backend}");
    assert!(db.signing_round_trip("expired").await.unwrap().is_none());
    assert!(db.signing_grant("grant").await.unwrap().is_none());
    assert!(
        db.signing_round_trip("live").await.unwrap().is_some(),
        "{backend}"
    );
    assert_eq!(db.purge_signing_grants(now).await.unwrap(), 0, "{backend}");
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn expired_signing_grants_are_purged_on_sqlite() {
    let dir = tempfile::tempdir().expect("temporary folder");
    check(&common::sqlite(&dir, "grants").await, "sqlite").await;
}

#[tokio::test]
async fn expired_signing_grants_are_purged_on_postgres() {
    if let Some(store) = common::postgres().await {
        check(&store, "postgres").await;
    }
}

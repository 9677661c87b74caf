#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Every lookup the rules make per action is served by an index, on both backends: deciding
//! whether a user has any other Active assignment must never scan the assignments. The plans
//! are asked of a database with 20 000 generated records and fresh statistics: on empty tables
//! a planner's choices say nothing.

use portico_domain::model::SecurityProfile;
use portico_domain::{EmailAddress, UserId};
use portico_store::{internal_user, NewUserRow, SeedSpec, Store};
use portico_store::{rule_lookups, scim_lookups};

async fn seed(store: &Store) {
    let mut tx = store.write().await.expect("write");
    let admin = internal_user(
        UserId::new("usr_admin"),
        "admin",
        "Ada",
        "Admin",
        EmailAddress::parse("admin@example.com").expect("email"),
        SecurityProfile::SystemAdmin,
    );
    tx.db()
        .insert_user(
            &NewUserRow {
                user: admin,
                language: "en".into(),
                password_hash: None,
            },
            0,
        )
        .await
        .expect("admin");
    tx.commit().await.expect("commit");
    store
        .seed(
            SeedSpec {
                records: 20_000,
                persons: 1_000,
            },
            "qp",
            0,
        )
        .await
        .expect("seed");
}

async fn check(store: &Store, backend: &str) {
    seed(store).await;
    for lookup in rule_lookups()
        .into_iter()
        .chain(scim_lookups(store.backend()))
    {
        let plan = store
            .explain(&lookup.sql, &lookup.args)
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
        // A supplier's page comes in the list's order from its index, and stops there: a
        // sort would first read every record of the supplier in that state. (Each record's
        // few collaborators are put in order on their own.)
        if lookup.name.starts_with("a supplier's records") {
            let sorts = plan.lines().any(|l| {
                (l.contains("TEMP B-TREE") && !l.contains("string_agg")) || l.contains("Sort")
            });
            assert!(!sorts, "{backend}: '{}' sorts:\n{plan}", lookup.name);
        }
    }
}

#[tokio::test]
async fn rule_lookups_use_indexes_on_sqlite() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = Store::create_or_connect(&format!("sqlite://{}/plans.db", dir.path().display()))
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

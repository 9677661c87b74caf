#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Every lookup the rules make per action is served by an index, on both backends: deciding
//! whether a user has any other Active assignment must never scan the assignments. The plans
//! are asked of a database with 20 000 generated records and fresh statistics: on empty tables
//! a planner's choices say nothing.

use portico_store::{rule_lookups, scim_lookups};
use portico_store::{SeedSpec, Store};

mod common;

async fn seed(store: &Store) {
    common::admin(store).await;
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
        // sort below the page's LIMIT would first read every record of the supplier in that
        // state. (PostgreSQL then puts the page's rows, read by id, in order: a sort above
        // the LIMIT. Each record's few collaborators are put in order on their own.) Both
        // of PostgreSQL's plans are checked, for the values and the generic one.
        if lookup.name.starts_with("a supplier's records") {
            for part in plan.split("-- generic plan") {
                let below_limit = part.find("Limit").map_or(part, |at| &part[at..]);
                let sorts = below_limit.lines().any(|l| {
                    (l.contains("TEMP B-TREE") && !l.contains("string_agg")) || l.contains("Sort")
                });
                assert!(!sorts, "{backend}: '{}' sorts:\n{plan}", lookup.name);
            }
        }
    }
}

#[tokio::test]
async fn rule_lookups_use_indexes_on_sqlite() {
    let dir = tempfile::tempdir().expect("temporary folder");
    check(&common::sqlite(&dir, "plans").await, "sqlite").await;
}

#[tokio::test]
async fn rule_lookups_use_indexes_on_postgres() {
    if let Some(store) = common::postgres().await {
        check(&store, "postgres").await;
    }
}

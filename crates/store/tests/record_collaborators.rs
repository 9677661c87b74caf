#![allow(clippy::unwrap_used, clippy::expect_used)]

//! A record's collaborators are kept twice (migration 0024): in order in the record's own
//! `collaborators` column, which every read and list of records reads, and as rows of
//! `record_collaborators`, which the lookups by person read. Both must always say the same:
//! after a seed, a new record, a change, and the migration's fill of the column from the rows.

use portico_domain::model::Record;
use portico_domain::{PersonId, RecordId, UserId};
use portico_store::{Backend, RecordFilter, SeedSpec, Store};

mod common;

/// Records whose column differs from their rows in order (counted by an update that changes
/// nothing, rolled back).
async fn disagreeing(store: &Store) -> u64 {
    let mut tx = store.write().await.expect("write");
    tx.raw(
        "UPDATE records SET name = name WHERE collaborators IS DISTINCT FROM \
         (SELECT string_agg(c.person_id, ',' ORDER BY c.position) \
          FROM record_collaborators c WHERE c.record_id = records.id)",
        &[],
    )
    .await
    .expect("count")
}

async fn collaborators(store: &Store, id: &str) -> Vec<String> {
    let mut r = store.read().await.expect("read");
    let (record, _, _) = r
        .db()
        .record("car__v", &RecordId::new(id), false)
        .await
        .expect("read")
        .expect("found");
    record.collaborators.iter().map(|p| p.to_string()).collect()
}

/// The records listed for a contact (a lookup by person: the rows).
async fn records_of(store: &Store, person: &str) -> Vec<String> {
    let mut r = store.read().await.expect("read");
    let filter = RecordFilter {
        collaborator: Some(person.into()),
        limit: 100,
        ..RecordFilter::default()
    };
    r.db()
        .records("car__v", &filter)
        .await
        .expect("list")
        .into_iter()
        .map(|(rec, _, _)| rec.id.to_string())
        .collect()
}

async fn check(store: Store) {
    common::admin(&store).await;
    store
        .seed(
            SeedSpec {
                records: 200,
                persons: 50,
            },
            "rc",
            0,
        )
        .await
        .expect("seed");
    assert_eq!(disagreeing(&store).await, 0, "after the seed");

    // Given in an order that is not the ids' order: the order given is kept.
    let (a, b) = (PersonId::new("per_rc_7"), PersonId::new("per_rc_3"));
    let record = Record {
        id: RecordId::new("rec_two"),
        object: "car__v".into(),
        object_type: "scar__v".into(),
        name: "Two".into(),
        state: "draft__c".into(),
        supplier: None,
        collaborators: vec![a.clone(), b.clone()],
        created_by: UserId::new("usr_admin"),
        access_end_date: None,
    };
    let mut tx = store.write().await.expect("write");
    tx.db().insert_record(&record, 1).await.expect("insert");
    tx.commit().await.expect("commit");
    assert_eq!(
        collaborators(&store, "rec_two").await,
        ["per_rc_7", "per_rc_3"]
    );
    assert!(records_of(&store, "per_rc_3")
        .await
        .contains(&"rec_two".to_string()));

    let mut tx = store.write().await.expect("write");
    tx.db()
        .set_collaborators(&record.id, std::slice::from_ref(&b))
        .await
        .expect("set");
    tx.commit().await.expect("commit");
    assert_eq!(collaborators(&store, "rec_two").await, ["per_rc_3"]);
    assert!(!records_of(&store, "per_rc_7")
        .await
        .contains(&"rec_two".to_string()));

    let mut tx = store.write().await.expect("write");
    tx.db()
        .set_collaborators(&record.id, &[])
        .await
        .expect("set");
    tx.commit().await.expect("commit");
    assert!(collaborators(&store, "rec_two").await.is_empty());
    assert_eq!(disagreeing(&store).await, 0, "after the changes");

    // The migration fills the column of every record from its rows.
    let mut tx = store.write().await.expect("write");
    tx.db()
        .set_collaborators(&record.id, &[a, b])
        .await
        .expect("set");
    tx.commit().await.expect("commit");
    store
        .execute_raw("UPDATE records SET collaborators = NULL")
        .await
        .expect("empty the column");
    assert!(disagreeing(&store).await > 200, "the column emptied");
    let migration = match store.backend() {
        Backend::Postgres => {
            include_str!("../migrations/postgres/0024_record_collaborators_column.sql")
        }
        Backend::Sqlite => {
            include_str!("../migrations/sqlite/0024_record_collaborators_column.sql")
        }
    };
    let fill = &migration[migration.find("UPDATE records").expect("the fill")..];
    store.execute_raw(fill).await.expect("fill");
    assert_eq!(disagreeing(&store).await, 0, "after the fill");
    assert_eq!(
        collaborators(&store, "rec_two").await,
        ["per_rc_7", "per_rc_3"]
    );
}

#[tokio::test]
async fn the_column_and_the_rows_agree_on_sqlite() {
    let dir = tempfile::tempdir().expect("temporary folder");
    check(common::sqlite(&dir, "collaborators").await).await;
}

#[tokio::test]
async fn the_column_and_the_rows_agree_on_postgres() {
    if let Some(store) = common::postgres().await {
        check(store).await;
    }
}

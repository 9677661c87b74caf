#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Migration 0025 on a database that migration 0021 left with active external users beyond
//! its seats: 0021 gave slots to the first `seats` of them only, and freeing the seat of one
//! without a slot failed ("1 seats to free, 0 held"). After 0025 every active external user
//! holds a slot (a free one first, else a new one), the pool grows to the smallest bundle that
//! holds them, the seat history agrees, and their seats free like any other.

mod common;

use std::path::Path;

use portico_domain::model::UserStatus;
use portico_domain::UserId;
use portico_store::Store;

/// Runs the migrations of `backend` up to and including `last` through a pool of its own on
/// `url`, as a database last migrated by an older build.
async fn migrate_until(url: &str, backend: &str, last: i64) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&from).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let version: i64 = name[..4].parse().unwrap();
        if version <= last {
            std::fs::copy(&path, dir.path().join(&name)).unwrap();
        }
    }
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    sqlx::migrate::Migrator::new(dir.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    pool.close().await;
}

/// Active external users `usr_ext0..n`, written as 0024's schema has them.
async fn active_externals(store: &Store, n: usize) -> Vec<UserId> {
    let rows = common::external_rows(n, UserStatus::Active, |i| i.to_string());
    let mut tx = store.write().await.unwrap();
    tx.db().insert_users(&rows, 0).await.unwrap();
    tx.commit().await.unwrap();
    rows.into_iter().map(|r| r.user.id).collect()
}

/// `slots` as 0021 made them: `(slot, holder)`.
async fn slots(store: &Store, slots: &[(i64, Option<String>)]) {
    let mut tx = store.write().await.unwrap();
    for (slot, holder) in slots {
        let slot = slot.to_string();
        match holder {
            Some(h) => tx
                .raw(
                    "INSERT INTO license_seats (slot, holder) VALUES (CAST($1 AS BIGINT), $2)",
                    &[&slot, h.as_str()],
                )
                .await
                .unwrap(),
            None => tx
                .raw(
                    "INSERT INTO license_seats (slot) VALUES (CAST($1 AS BIGINT))",
                    &[&slot],
                )
                .await
                .unwrap(),
        };
    }
    tx.commit().await.unwrap();
}

async fn check(store: Store, url: &str, backend: &str) {
    migrate_until(url, backend, 24).await;
    let users = active_externals(&store, 12).await;
    // Ten seats sold and twelve users active: 0021 gave slots to the first ten; here one of
    // those slots is free (its holder left), so the tenth user can take it.
    let mut made: Vec<(i64, Option<String>)> = (1..=9)
        .map(|i| (i, Some(format!("usr_ext{}", i - 1))))
        .collect();
    made.push((10, None));
    slots(&store, &made).await;
    store.migrate().await.expect("migration 0025");

    let mut reader = store.read().await.unwrap();
    let pool = reader.db().pool().await.unwrap();
    assert_eq!(
        (pool.seats.get(), pool.active),
        (20, 12),
        "{backend}: every active external user holds a seat, in the smallest bundle that holds them"
    );
    let seen = reader.db().pool_for(100).await.unwrap();
    assert_eq!(seen.available(), 8, "{backend}: the padding is free");
    let today = portico_store::epoch_day(
        i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis(),
        )
        .unwrap(),
    );
    let history = reader.db().seat_history(today, today).await.unwrap();
    let last = history.last().expect("a line today");
    assert_eq!(
        (last.active, last.seats),
        (12, 20),
        "{backend}: the history agrees"
    );
    drop(reader);

    // The seats of the users 0021 left without a slot free like any other.
    let mut tx = store.write().await.unwrap();
    tx.db()
        .free_seats(&users[9..])
        .await
        .unwrap_or_else(|e| panic!("{backend}: freeing the repaired seats: {e}"));
    tx.commit().await.unwrap();
    let pool = store.read().await.unwrap().db().pool().await.unwrap();
    assert_eq!((pool.seats.get(), pool.active), (20, 9), "{backend}");
}

#[tokio::test]
async fn migration_0025_gives_every_active_external_a_seat_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/repair.db", dir.path().display());
    let store = Store::create_or_connect(&url).await.unwrap();
    check(store, &url, "sqlite").await;
}

#[tokio::test]
async fn migration_0025_gives_every_active_external_a_seat_on_postgres() {
    if let Some((store, url)) = common::unmigrated_postgres().await {
        check(store, &url, "postgres").await;
    }
}

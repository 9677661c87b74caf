#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Folding the seat changes of finished days into the seat history's lines
//! (`Db::fold_seat_changes`) keeps every line as it read before, and leaves one change of
//! those days: the table does not grow with the years.

mod common;

use portico_store::{SeatDay, Store};

/// Appends changes `(day, delta, seats)` as the seat paths do.
async fn changes(store: &Store, rows: &[(i64, i64, Option<i64>)]) {
    let mut tx = store.write().await.unwrap();
    for (day, delta, seats) in rows {
        let (day, delta) = (day.to_string(), delta.to_string());
        match seats {
            Some(s) => tx
                .raw(
                    "INSERT INTO seat_changes (day, delta, seats) \
                     VALUES (CAST($1 AS BIGINT), CAST($2 AS BIGINT), CAST($3 AS BIGINT))",
                    &[&day, &delta, &s.to_string()],
                )
                .await
                .unwrap(),
            None => tx
                .raw(
                    "INSERT INTO seat_changes (day, delta) \
                     VALUES (CAST($1 AS BIGINT), CAST($2 AS BIGINT))",
                    &[&day, &delta],
                )
                .await
                .unwrap(),
        };
    }
    tx.commit().await.unwrap();
}

async fn history(store: &Store) -> Vec<SeatDay> {
    let mut reader = store.read().await.unwrap();
    reader.db().seat_history(0, 1_000).await.unwrap()
}

async fn fold(store: &Store, before: i64) -> u64 {
    let mut tx = store.write().await.unwrap();
    let removed = tx.db().fold_seat_changes(before).await.unwrap();
    tx.commit().await.unwrap();
    removed
}

async fn kept(store: &Store) -> usize {
    let mut tx = store.write().await.unwrap();
    tx.raw_texts("SELECT CAST(id AS TEXT) FROM seat_changes")
        .await
        .unwrap()
        .len()
}

fn day(day: i64, active: i64, peak: i64, seats: i64) -> SeatDay {
    SeatDay {
        day,
        active,
        peak,
        seats,
    }
}

async fn check(store: Store, backend: &str) {
    // Day 100: the pool of 5, three taken, one freed; day 101: two taken, one freed (peak 4);
    // day 103: the pool grows to 8, one taken.
    changes(
        &store,
        &[
            (100, 0, Some(5)),
            (100, 3, None),
            (100, -1, None),
            (101, 2, None),
            (101, -1, None),
            (103, 0, Some(8)),
            (103, 1, None),
        ],
    )
    .await;
    let before = history(&store).await;
    assert_eq!(
        before,
        vec![day(100, 2, 3, 5), day(101, 3, 4, 5), day(103, 4, 4, 8)],
        "{backend}: the lines from the changes"
    );

    assert_eq!(
        fold(&store, 103).await,
        4,
        "{backend}: days 100 and 101 folded"
    );
    assert_eq!(
        kept(&store).await,
        3,
        "{backend}: their carry and day 103's two"
    );
    assert_eq!(
        history(&store).await,
        before,
        "{backend}: every line as before"
    );
    assert_eq!(fold(&store, 103).await, 0, "{backend}: nothing new to fold");

    // Later changes count on from the carried sum; a second fold takes in a day that was
    // partly folded before, its peak the higher of its two parts.
    changes(&store, &[(103, 3, None), (103, -2, None), (104, -1, None)]).await;
    let later = history(&store).await;
    assert_eq!(
        later,
        vec![
            day(100, 2, 3, 5),
            day(101, 3, 4, 5),
            day(103, 5, 7, 8),
            day(104, 4, 4, 8)
        ],
        "{backend}"
    );
    assert_eq!(fold(&store, 104).await, 4, "{backend}: day 103 folded");
    assert_eq!(
        history(&store).await,
        later,
        "{backend}: every line as before"
    );
    changes(&store, &[(104, 2, None)]).await;
    assert_eq!(
        history(&store).await.last().copied(),
        Some(day(104, 6, 6, 8)),
        "{backend}: the running sum goes on from the carry"
    );
    assert_eq!(fold(&store, 200).await, 2, "{backend}");
    assert_eq!(
        history(&store).await.last().copied(),
        Some(day(104, 6, 6, 8)),
        "{backend}: a folded day reads from its line"
    );
}

#[tokio::test]
async fn folding_the_seat_changes_keeps_every_line_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    check(common::sqlite(&dir, "fold").await, "sqlite").await;
}

#[tokio::test]
async fn folding_the_seat_changes_keeps_every_line_on_postgres() {
    if let Some(store) = common::postgres().await {
        check(store, "postgres").await;
    }
}

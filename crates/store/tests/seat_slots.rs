#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The external seats as slots (migration 0021): concurrent activations through two pools (two
//! servers) never hold more seats than the pool has, and the slots name exactly the active
//! external users; lowering the seats below the active count changes nothing.

mod common;

use portico_domain::model::UserStatus;
use portico_domain::{SeatCount, UserId};
use portico_store::{Store, StoreError};

fn seats(n: i64) -> SeatCount {
    SeatCount::parse(n).unwrap()
}

/// `n` external users, inactive, and the pool with `pool` seats.
async fn set_up(store: &Store, n: usize, pool: i64) -> Vec<UserId> {
    let rows = common::external_rows(n, UserStatus::Inactive, |i| format!("{i:03}"));
    let ids: Vec<UserId> = rows.iter().map(|r| r.user.id.clone()).collect();
    let mut tx = store.write().await.unwrap();
    tx.db().init_pool(seats(pool)).await.unwrap();
    tx.db().insert_users(&rows, 0).await.unwrap();
    tx.commit().await.unwrap();
    ids
}

/// Activates `user` as every path does: its seat, then its status. Answers whether it got one;
/// a collision (deadlock, SQLite busy) runs it again.
async fn activate(store: &Store, user: &UserId) -> bool {
    loop {
        let mut tx = store.write().await.unwrap();
        let taken = tx.db().take_seats(std::slice::from_ref(user)).await;
        match taken {
            Ok(()) => {}
            Err(StoreError::NoSeat) => return false,
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => panic!("{e}"),
        }
        tx.db()
            .set_user_status(user, UserStatus::Active)
            .await
            .unwrap();
        match tx.commit().await {
            Ok(()) => return true,
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => panic!("{e}"),
        }
    }
}

/// Every line of the seat history.
async fn all_history(store: &Store) -> Vec<portico_store::SeatDay> {
    let mut reader = store.read().await.unwrap();
    reader.db().seat_history(0, i64::MAX / 2).await.unwrap()
}

/// Activates `users` all at once, the i-th through `store(i)`; answers how many got a seat.
async fn activate_at_once<'s>(users: &[UserId], store: impl Fn(usize) -> &'s Store) -> usize {
    let handles: Vec<_> = users
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let (store, u) = (store(i).clone(), u.clone());
            tokio::spawn(async move { activate(&store, &u).await })
        })
        .collect();
    let mut got = 0;
    for h in handles {
        got += usize::from(h.await.unwrap());
    }
    got
}

/// The holders of the slots, and the active external users, sorted.
async fn holders_and_active(store: &Store) -> (Vec<String>, Vec<String>) {
    let mut tx = store.write().await.unwrap();
    let mut holders = tx
        .raw_texts("SELECT holder FROM license_seats WHERE holder IS NOT NULL")
        .await
        .unwrap();
    let mut active = tx
        .raw_texts("SELECT id FROM users WHERE status = 'active' AND license = 'external'")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    holders.sort();
    active.sort();
    (holders, active)
}

async fn concurrent(a: Store, b: Store, backend: &str) {
    common::admin(&a).await;
    let users = set_up(&a, 40, 10).await;
    let got = activate_at_once(&users, |i| if i % 2 == 0 { &a } else { &b }).await;
    assert_eq!(got, 10, "{backend}: as many activations as seats");
    let pool = a.read().await.unwrap().db().pool().await.unwrap();
    assert_eq!((pool.seats.get(), pool.active), (10, 10), "{backend}");
    let (holders, active) = holders_and_active(&a).await;
    assert_eq!(holders.len(), 10, "{backend}: one seat each");
    assert_eq!(
        holders, active,
        "{backend}: the slots name the active users"
    );

    // Seats freed on one pool while the other claims them: still exact.
    let freeing: Vec<UserId> = active
        .iter()
        .take(4)
        .map(|s| UserId::new(s.as_str()))
        .collect();
    let waiting: Vec<UserId> = users
        .iter()
        .filter(|u| !active.contains(&u.to_string()))
        .take(8)
        .cloned()
        .collect();
    let mut tx = a.write().await.unwrap();
    tx.db().free_seats(&freeing).await.unwrap();
    for u in &freeing {
        tx.db()
            .set_user_status(u, UserStatus::Inactive)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let got = activate_at_once(&waiting, |_| &b).await;
    assert_eq!(got, 4, "{backend}: the four freed seats, no more");
    let (holders, active) = holders_and_active(&b).await;
    assert_eq!((holders.len(), &holders), (10, &active), "{backend}");

    // The history counts what the slots hold.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let today = portico_store::epoch_day(i64::try_from(now).unwrap());
    let mut reader = a.read().await.unwrap();
    let lines = reader.db().seat_history(today, i64::MAX / 2).await.unwrap();
    let last = lines.last().expect("a line");
    assert_eq!(
        (last.active, last.peak, last.seats),
        (10, 10, 10),
        "{backend}"
    );
}

#[tokio::test]
async fn concurrent_activations_through_two_pools_take_exactly_the_seats_on_sqlite() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let a = common::sqlite(&dir, "seats").await;
    let b = common::sqlite(&dir, "seats").await;
    concurrent(a, b, "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_activations_through_two_pools_take_exactly_the_seats_on_postgres() {
    if let Some((a, url)) = common::postgres_url().await {
        let b = Store::connect(&url).await.expect("second pool");
        concurrent(a, b, "postgres").await;
    }
}

async fn lowering(store: Store, backend: &str) {
    common::admin(&store).await;
    let users = set_up(&store, 15, 20).await;
    for u in &users {
        assert!(activate(&store, u).await, "{backend}");
    }
    let slots = |store: Store| async move {
        let mut tx = store.write().await.unwrap();
        let s = tx
            .raw_texts(
                "SELECT CAST(slot AS TEXT) || ':' || COALESCE(holder, '') FROM license_seats ORDER BY slot",
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        s
    };
    let before = slots(store.clone()).await;
    let history = all_history(&store).await;
    let mut tx = store.write().await.unwrap();
    assert!(
        !tx.db().set_seats(seats(10)).await.unwrap(),
        "{backend}: 10 seats for 15 active users is refused"
    );
    tx.commit().await.unwrap();
    assert_eq!(
        slots(store.clone()).await,
        before,
        "{backend}: no slot changed"
    );
    let pool = store.read().await.unwrap().db().pool().await.unwrap();
    assert_eq!((pool.seats.get(), pool.active), (20, 15), "{backend}");
    assert_eq!(
        all_history(&store).await,
        history,
        "{backend}: the history unchanged"
    );

    // Down to the active count works, up again gives free slots; holders keep their seats.
    for n in [50, 20] {
        let mut tx = store.write().await.unwrap();
        assert!(tx.db().set_seats(seats(n)).await.unwrap(), "{backend}: {n}");
        tx.commit().await.unwrap();
        let pool = store.read().await.unwrap().db().pool().await.unwrap();
        assert_eq!(
            (i64::from(pool.seats.get()), pool.active),
            (n, 15),
            "{backend}"
        );
    }
    let (holders, active) = holders_and_active(&store).await;
    assert_eq!(holders, active, "{backend}");
}

#[tokio::test]
async fn lowering_the_seats_below_the_active_users_changes_nothing_on_sqlite() {
    let dir = tempfile::tempdir().expect("temporary folder");
    lowering(common::sqlite(&dir, "lower").await, "sqlite").await;
}

#[tokio::test]
async fn lowering_the_seats_below_the_active_users_changes_nothing_on_postgres() {
    if let Some(store) = common::postgres().await {
        lowering(store, "postgres").await;
    }
}

/// What migration 0021 is for: a seat taken and a seat freed while another transaction holds
/// a claim it has not committed wait for nothing (with the pool's one counter row both waited
/// for that transaction's commit, and fail here on the lock timeout).
#[tokio::test]
async fn a_seat_change_waits_for_no_other_transaction_on_postgres() {
    let Some((a, url)) = common::postgres_url().await else {
        return;
    };
    let b = Store::connect(&url).await.expect("second pool");
    common::admin(&a).await;
    let users = set_up(&a, 3, 10).await;
    assert!(activate(&a, &users[2]).await);
    let mut open = a.write().await.unwrap();
    open.db().take_seats(&users[..1]).await.unwrap();
    let mut tx = b.write().await.unwrap();
    tx.raw("SET LOCAL lock_timeout = '5s'", &[]).await.unwrap();
    tx.db().take_seats(&users[1..2]).await.unwrap();
    tx.db().free_seats(&users[2..3]).await.unwrap();
    tx.commit().await.unwrap();
    open.commit().await.unwrap();
    let pool = a.read().await.unwrap().db().pool().await.unwrap();
    assert_eq!(pool.active, 2);
}

/// Two servers starting together on a new database both create the pool: one makes it, the
/// other waits for that and finds it — one set of slots, one start of the history, no error.
#[tokio::test]
async fn two_servers_creating_the_pool_at_once_make_one_on_postgres() {
    let Some((a, url)) = common::postgres_url().await else {
        return;
    };
    let b = Store::connect(&url).await.expect("second pool");
    let mut first = a.write().await.unwrap();
    first.db().init_pool(seats(10)).await.unwrap();
    let second = tokio::spawn(async move {
        let mut tx = b.write().await.unwrap();
        tx.db().init_pool(seats(10)).await?;
        tx.commit().await
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    first.commit().await.unwrap();
    second.await.unwrap().expect("the second server's start");
    let pool = a.read().await.unwrap().db().pool().await.unwrap();
    assert_eq!((pool.seats.get(), pool.active), (10, 0));
    let mut tx = a.write().await.unwrap();
    let counted = tx
        .raw_texts(
            "SELECT CAST(COUNT(*) AS TEXT) FROM license_seats \
             UNION ALL SELECT CAST(COUNT(*) AS TEXT) FROM seat_changes WHERE seats IS NOT NULL",
        )
        .await
        .unwrap();
    assert_eq!(counted, ["10", "1"], "slots, and pool sizes in the history");
}

//! Writes racing each other through the real server, on SQLite and on PostgreSQL: the one
//! lock order (records, then persons, then users), usernames picked by concurrent activations,
//! and a write PostgreSQL aborts to break a deadlock, which is run again instead of answering
//! 500.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;

use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::names::{CANCEL, SCAR};
use support::{Backend, TestApp};

const SEND: &str = "change_state_to_pending_response__c";
const OPEN: [&str; 2] = ["pending_response__c", "in_review__c"];

async fn state_of(app: &TestApp, record: &str) -> String {
    let r = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/{SCAR}/{record}"),
            None,
        )
        .await;
    r["state__v"].as_str().unwrap().to_string()
}

async fn active_assignments_of(app: &TestApp, user: &str) -> BTreeSet<String> {
    let list = app
        .ok(
            Method::GET,
            &app.admin,
            &format!(
                "/api/v1/assignments?user__v={user}&assignment_activity__v=active__v&limit=1000"
            ),
            None,
        )
        .await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a["record__v"].as_str().unwrap().to_string())
        .collect()
}

fn action_path(record: &str, action: &str) -> String {
    format!("/api/v1/vobjects/{SCAR}/{record}/actions/{action}")
}

/// The invariants of a managed user: its Active assignments are exactly its open
/// collaborations, it is active exactly when it has one, and the seats count it.
async fn assert_managed_invariants(app: &TestApp, user: &str, records: &[String], round: usize) {
    let u = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/users/{user}"),
            None,
        )
        .await;
    assert_eq!(
        u["managed_by_qms_automation__v"], true,
        "round {round}: {u}"
    );
    let mut open = BTreeSet::new();
    for r in records {
        if OPEN.contains(&state_of(app, r).await.as_str()) {
            open.insert(r.clone());
        }
    }
    let active = active_assignments_of(app, user).await;
    assert_eq!(
        active, open,
        "round {round}: Active assignments must be exactly the open collaborations (a lost update leaves one on a cancelled record, or none on an open one)"
    );
    let is_active = u["status__v"] == "active__v";
    assert_eq!(
        is_active,
        !active.is_empty(),
        "round {round}: a managed user is active exactly when it has an Active assignment: {u}"
    );
    assert_eq!(
        app.licenses().await["active"],
        i64::from(is_active),
        "round {round}: seats"
    );
}

/// Many changes of a managed user's flag race lifecycle actions on the records it works on.
/// Before the lock order, a cancellation decided from the assignments it read before the
/// user change committed, and left the assignment that change had opened Active on a
/// cancelled record.
async fn managed_flag_changes_racing_lifecycle_actions_lose_no_update(app: TestApp) {
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let first = app.record(SCAR, "SCAR-0", &acme, &[&anna]).await;
    app.send(SCAR, &first).await;
    let user = app.user_of(&anna).await["id"].as_str().unwrap().to_string();
    let user_path = format!("/api/v1/users/{user}");
    let mut records = vec![first];
    for round in 0..12 {
        let cancelled = app
            .record(SCAR, &format!("SCAR-{round}-a"), &acme, &[&anna])
            .await;
        app.send(SCAR, &cancelled).await;
        let sent = app
            .record(SCAR, &format!("SCAR-{round}-b"), &acme, &[&anna])
            .await;
        records.push(cancelled.clone());
        records.push(sent.clone());
        let flags = async {
            let mut out = vec![];
            for managed in [false, true, false, true] {
                out.push(
                    app.patch(
                        &app.admin,
                        &user_path,
                        json!({"managed_by_qms_automation__v": managed}),
                    )
                    .await,
                );
            }
            out
        };
        let (cancel, send) = (action_path(&cancelled, CANCEL), action_path(&sent, SEND));
        let actions = join_all([
            app.post(&app.admin, &cancel, json!({})),
            app.post(&app.admin, &send, json!({})),
        ]);
        let (flags, actions) = tokio::join!(flags, actions);
        for (status, body) in flags.iter().chain(actions.iter()) {
            assert_eq!(*status, StatusCode::OK, "round {round}: {body}");
        }
        assert_managed_invariants(&app, &user, &records, round).await;
    }
}
both_backends!(
    managed_flag_changes_racing_lifecycle_actions_lose_no_update,
    managed_flag_changes_racing_lifecycle_actions_lose_no_update
);

/// Two contacts with one email address (two people sharing a mailbox) get users whose
/// usernames would be the same; activated at the same time, both succeed with distinct
/// usernames. Before, the second insert hit the unique index and answered a 409 naming it.
async fn parallel_activations_with_colliding_usernames_all_succeed(app: TestApp) {
    let acme = app.org("Acme").await;
    app.ok(
        Method::PUT,
        &app.admin,
        "/api/v1/licenses",
        Some(json!({"external_seats": 20})),
    )
    .await;
    let mut pairs = vec![];
    for i in 0..6 {
        let mut people = vec![];
        for first in ["Ann", "Bob"] {
            let p = app
                .ok(
                    Method::POST,
                    &app.admin,
                    "/api/v1/vobjects/person__v",
                    Some(json!({"first_name__v": first, "last_name__v": format!("Shared{i}"),
                                "email__v": format!("desk{i}@acme.example"), "organization__v": acme})),
                )
                .await;
            let person = p["id"].as_str().unwrap().to_string();
            people.push(
                app.record(SCAR, &format!("SCAR-{first}-{i}"), &acme, &[&person])
                    .await,
            );
        }
        pairs.push(people);
    }
    let paths: Vec<String> = pairs
        .iter()
        .flatten()
        .map(|r| action_path(r, SEND))
        .collect();
    let answers: Vec<(StatusCode, Value)> =
        join_all(paths.iter().map(|p| app.post(&app.admin, p, json!({})))).await;
    for (status, body) in &answers {
        assert_eq!(*status, StatusCode::OK, "{body}");
    }
    let users = app
        .ok(Method::GET, &app.admin, "/api/v1/users?limit=1000", None)
        .await;
    let names: Vec<String> = users
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["email__v"].as_str().unwrap().starts_with("desk"))
        .map(|u| u["username__v"].as_str().unwrap().to_lowercase())
        .collect();
    assert_eq!(names.len(), 12, "{names:?}");
    let distinct: BTreeSet<&String> = names.iter().collect();
    assert_eq!(distinct.len(), 12, "usernames must be unique: {names:?}");
}
both_backends!(
    parallel_activations_with_colliding_usernames_all_succeed,
    parallel_activations_with_colliding_usernames_all_succeed
);

/// A real deadlock on PostgreSQL: another session holds the user's row and then asks for the
/// record's row, which the action holds while it waits for the user. PostgreSQL aborts the
/// action's transaction (the other session is told to wait longer before it checks); the
/// action runs again once the other session ends and succeeds. Before, it answered 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_aborted_by_a_postgresql_deadlock_is_run_again_and_succeeds() {
    use sqlx::{Connection, Row};
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let first = app.record(SCAR, "SCAR-1", &acme, &[&anna]).await;
    app.send(SCAR, &first).await;
    let user = app.user_of(&anna).await["id"].as_str().unwrap().to_string();
    let second = app.record(SCAR, "SCAR-2", &acme, &[&anna]).await;

    let url = app.running.app.store().url().to_string();
    let mut other = sqlx::PgConnection::connect(&url).await.expect("a session");
    let mut watcher = sqlx::PgConnection::connect(&url).await.expect("a session");
    let other_pid: i32 = sqlx::query("SELECT pg_backend_pid()")
        .fetch_one(&mut other)
        .await
        .unwrap()
        .get(0);
    let mut tx = other.begin().await.unwrap();
    sqlx::query("SET LOCAL deadlock_timeout = '30s'")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
        .bind(&user)
        .execute(&mut *tx)
        .await
        .unwrap();

    let send = action_path(&second, SEND);
    let action = app.post(&app.admin, &send, json!({}));
    let deadlock = async {
        // Wait until the action waits for the user's row (it then holds the record's).
        for _ in 0..200 {
            let waiting: i64 = sqlx::query(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))",
            )
            .bind(other_pid)
            .fetch_one(&mut watcher)
            .await
            .unwrap()
            .get(0);
            if waiting > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        // The cycle: PostgreSQL ends the action's transaction, which frees the record.
        sqlx::query("SELECT id FROM records WHERE id = $1 FOR UPDATE")
            .bind(&second)
            .execute(&mut *tx)
            .await
            .expect("the other session is not the deadlock's victim");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        tx.rollback().await.unwrap();
    };
    let ((status, body), ()) = tokio::join!(action, deadlock);
    assert_eq!(
        status,
        StatusCode::OK,
        "run again after the deadlock: {body}"
    );
    assert_eq!(state_of(&app, &second).await, "pending_response__c");
    assert_eq!(
        active_assignments_of(&app, &user).await,
        BTreeSet::from([first, second])
    );
}

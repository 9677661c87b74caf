//! Two Portico servers on one database, as an operator runs them behind a load balancer
//! (SPEC sections 8 and 11): a write never rests on what the other server cached, seats hold
//! under activations split across both, a file uploaded on one is read on the other, each email
//! goes out once with both workers running, the audit chain is sealed once, and what one server
//! keeps in its read cache (a page, a record's waiting collaborators) ends within a second of a
//! change made through the other.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::names::WAITLIST;
use support::smtp::SmtpSink;
use support::TestApp;

/// A second server on `a`'s database, with a data folder of its own and `change` applied.
async fn second(a: &TestApp, change: impl FnOnce(&mut portico::Settings)) -> TestApp {
    TestApp::spawn_on(a.backend, Some(a.database_url.clone()), change)
        .await
        .unwrap()
}

/// A token that B has just used (so B's cache holds its session) and A then signs out: B's
/// next write with it is refused at once, and so is a comment of an external user that A
/// inactivated meanwhile.
async fn a_write_on_one_server_checks_what_the_other_changed(backend: support::Backend) {
    let Some(a) = TestApp::spawn(backend).await else {
        return;
    };
    let b = second(&a, |_| {}).await;
    let token = a.login("admin", support::ADMIN_PASSWORD).await;
    assert_eq!(b.get(&token, "/api/v1/users").await.0, StatusCode::OK);
    let (status, _) = a.delete(&token, "/api/v1/auth").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = b
        .post(
            &token,
            "/api/v1/vobjects/organization__v",
            json!({"name__v": "Made after sign-out"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let orgs = a
        .ok(
            Method::GET,
            &a.admin,
            "/api/v1/vobjects/organization__v",
            None,
        )
        .await;
    assert!(!orgs.to_string().contains("Made after sign-out"));

    // An external user, seen by B a moment ago, inactivated through A.
    let (person, email, scar) = a.contact_on_sent_scar("Ines", "Active").await;
    let external = a.accept_welcome(&email, "ines's long password").await;
    let path = format!("/api/v1/vobjects/car__v/{scar}/comments");
    assert_eq!(
        b.get(&external, &format!("/api/v1/vobjects/car__v/{scar}"))
            .await
            .0,
        StatusCode::OK
    );
    let user = a.user_of(&person).await["id"].as_str().unwrap().to_string();
    a.ok(
        Method::PATCH,
        &a.admin,
        &format!("/api/v1/users/{user}"),
        Some(json!({"managed_by_qms_automation__v": false})),
    )
    .await;
    a.ok(
        Method::PATCH,
        &a.admin,
        &format!("/api/v1/users/{user}"),
        Some(json!({"status__v": "inactive__v"})),
    )
    .await;
    let (status, body) = b
        .post(&external, &path, json!({"body": "still here?"}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let comments = a.ok(Method::GET, &a.admin, &path, None).await;
    assert_eq!(comments.as_array().unwrap().len(), 0, "{comments}");
}
per_backend!(
    writes_check_the_other_server,
    a_write_on_one_server_checks_what_the_other_changed
);

/// Forty activations for ten seats, split across both servers at once: exactly ten succeed.
async fn seats_hold_under_activations_split_across_servers(backend: support::Backend) {
    let Some(a) = TestApp::spawn(backend).await else {
        return;
    };
    let b = second(&a, |_| {}).await;
    let acme = a.org("Acme").await;
    let mut records = vec![];
    for i in 0..40 {
        let p = a.person(&acme, &format!("Seat{i}"), "Split").await;
        records.push(a.record("car__v", &format!("SCAR-{i}"), &acme, &[&p]).await);
    }
    let sends = records.iter().enumerate().map(|(i, r)| {
        let app = if i % 2 == 0 { &a } else { &b };
        app.action(
            "car__v",
            r,
            "change_state_to_pending_response__c",
            json!({}),
        )
    });
    let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
    for (status, body) in join_all(sends).await {
        assert!(
            status == StatusCode::OK
                || (status == StatusCode::CONFLICT
                    && body.to_string().contains("LICENSE_LIMIT_EXCEEDED")),
            "{status} {body}"
        );
        *by_status.entry(status.as_u16()).or_default() += 1;
    }
    assert_eq!(by_status.get(&200), Some(&10), "{by_status:?}");
    let seats = a.licenses().await;
    assert_eq!(
        (seats["seats"].as_i64(), seats["active"].as_i64()),
        (Some(10), Some(10))
    );
}
per_backend!(
    seats_across_servers,
    seats_hold_under_activations_split_across_servers
);

/// Both servers' email workers run; every email goes out once.
async fn each_email_goes_out_once_with_both_workers(backend: support::Backend) {
    let sink = SmtpSink::start_slow(Duration::from_millis(50)).await;
    let url = sink.url();
    let Some(a) = TestApp::spawn_with(backend, |s| {
        s.smtp_url = Some(url.clone());
        s.mail_worker = true;
    })
    .await
    else {
        return;
    };
    let b = second(&a, |s| {
        s.smtp_url = Some(sink.url());
        s.mail_worker = true;
    })
    .await;
    for i in 0..6 {
        let app = if i % 2 == 0 { &a } else { &b };
        app.contact_on_sent_scar(&format!("Mail{i}"), "Once").await;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while sink.messages().len() < 12 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {} arrived",
            sink.messages().len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let ids = sink.message_ids();
    let mut seen = std::collections::BTreeSet::new();
    assert!(
        ids.iter().all(|id| seen.insert(id.clone())),
        "an email went out twice"
    );
    assert_eq!(ids.len(), 12);
    let outbox = b.outbox().await;
    assert!(
        outbox
            .iter()
            .all(|m| m["status"] == "sent" && m["attempts"] == 1),
        "{outbox:?}"
    );
}
per_backend!(
    emails_once_across_servers,
    each_email_goes_out_once_with_both_workers
);

/// A list read a moment ago (the read cache keeps pages too) serves only the query it was
/// read for: two external users asking for the same URL see each their own record, an
/// internal user sees both. A write through the same server ends every kept page at once; a
/// write through the other server is seen within the cache's second.
async fn a_kept_list_serves_only_its_caller_and_ends_at_a_write(backend: support::Backend) {
    let Some(a) = TestApp::spawn(backend).await else {
        return;
    };
    let b = second(&a, |_| {}).await;
    let (_, anna_email, anna_scar) = a.contact_on_sent_scar("Anna", "Lister").await;
    let (_, bo_email, bo_scar) = a.contact_on_sent_scar("Bo", "Lister").await;
    let anna = a.accept_welcome(&anna_email, "anna's long password").await;
    let bo = a.accept_welcome(&bo_email, "bo's long password").await;
    let list = "/api/v1/vobjects/car__v?state__v=pending_response__c";
    let ids = |v: serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    for _ in 0..2 {
        // The second round is served from what the first kept.
        assert_eq!(
            ids(b.ok(Method::GET, &anna, list, None).await),
            std::slice::from_ref(&anna_scar)
        );
        assert_eq!(
            ids(b.ok(Method::GET, &bo, list, None).await),
            std::slice::from_ref(&bo_scar)
        );
        let all = ids(b.ok(Method::GET, &b.admin, list, None).await);
        assert!(
            all.contains(&anna_scar) && all.contains(&bo_scar),
            "{all:?}"
        );
    }

    // Through B itself: B's next list shows it at once. (Cancelling an external's only
    // record also closes the account, so the internal user's list is the one to ask.)
    let (status, body) = b
        .action(
            "car__v",
            &anna_scar,
            "change_state_to_cancelled__c",
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let all = ids(b.ok(Method::GET, &b.admin, list, None).await);
    assert!(
        !all.contains(&anna_scar) && all.contains(&bo_scar),
        "{all:?}"
    );

    // Through A: B's kept page may serve for up to a second, never longer.
    let (status, body) = a
        .action(
            "car__v",
            &bo_scar,
            "change_state_to_cancelled__c",
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let all = ids(b.ok(Method::GET, &b.admin, list, None).await);
    assert!(!all.contains(&bo_scar), "{all:?}");
}
per_backend!(
    kept_lists,
    a_kept_list_serves_only_its_caller_and_ends_at_a_write
);

/// A record's waiting collaborators are kept in B's read cache like the record itself: a
/// wait served through A (a seat freed there) leaves B's answer within the cache's second,
/// and the collaborator, once in, reads the record on B without anyone's waiting list.
async fn kept_waiting_collaborators_end_within_a_second(backend: support::Backend) {
    let Some(a) = TestApp::spawn_waitlist(backend).await else {
        return;
    };
    let b = second(&a, |s| s.config = Some(WAITLIST.into())).await;
    let (ncrs, acme) = a.fill_pool().await;
    let anna = a.person(&acme, "Anna", "Wait").await;
    let (scar, _) = a.scar_sent_by(&a.admin, "SCAR-W", &acme, &anna).await;
    let path = format!("/api/v1/vobjects/car__v/{scar}");
    for _ in 0..2 {
        // The second read is served from what the first kept.
        let record = b.ok(Method::GET, &b.admin, &path, None).await;
        assert_eq!(
            record["waiting_collaborators__v"],
            json!([anna]),
            "{record}"
        );
    }

    let (status, body) = a
        .action("ncr__v", &ncrs[0], "change_state_to_closed__c", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(a.user_of(&anna).await["status__v"], "active__v");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let record = b.ok(Method::GET, &b.admin, &path, None).await;
    assert_eq!(record["waiting_collaborators__v"], json!([]), "{record}");

    let email = a.email_of(&anna).await;
    let external = a.accept_welcome(&email, "anna's long password").await;
    let seen = b.ok(Method::GET, &external, &path, None).await;
    assert!(
        seen.get("waiting_collaborators__v")
            .is_none_or(Value::is_null),
        "an external user is never shown who waits: {seen}"
    );
}
per_backend!(
    kept_waitlists,
    kept_waiting_collaborators_end_within_a_second
);

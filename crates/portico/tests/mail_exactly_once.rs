//! The outbox keeps no live secret, and each email goes out exactly once: two workers on one
//! database with a slow SMTP server, claims that are lost, and an idle worker that writes
//! nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::names::SCAR;
use support::smtp::{decoded, header, SmtpSink};
use support::TestApp;

/// Whether `text` holds 64 hex characters in a row: the shape of every live token.
fn has_token(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        run = if c.is_ascii_hexdigit() { run + 1 } else { 0 };
        if run >= 64 {
            return true;
        }
    }
    false
}

async fn the_outbox_holds_no_live_secret(app: TestApp) {
    // A template that also sends a one-time password.
    app.ok(
        Method::PUT,
        &app.admin,
        "/api/v1/notification-templates/ext_collab_welcome_scar__v",
        Some(json!({"subject": "Welcome ${firstName}",
                    "body": "User ${userName}, one-time password ${userPassword} , link ${utp?url} ."})),
    )
    .await;
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let email = app.email_of(&anna).await;
    let scar = app.record(SCAR, "SCAR-1", &acme, &[&anna]).await;
    app.send(SCAR, &scar).await;

    // Before and after delivery, the listing and the table hold placeholders only.
    let check_outbox = || async {
        let listed = app.outbox().await;
        let welcome = listed
            .iter()
            .find(|m| m["template"] == "ext_collab_welcome_scar__v")
            .expect("the Welcome is listed");
        let body = welcome["body"].as_str().unwrap();
        assert!(
            body.contains("[one-time password: made when the email is sent]")
                && body.contains("[set-password link: made when the email is sent]"),
            "{body}"
        );
        for m in &listed {
            let all = m.to_string();
            assert!(!has_token(&all) && !all.contains("token="), "{all}");
        }
        let mut rows = 0;
        for row in app
            .running
            .app
            .store()
            .read()
            .await
            .unwrap()
            .db()
            .outbox(&portico_store::OutboxFilter {
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap()
        {
            rows += 1;
            let html = row.email.html.clone().unwrap_or_default();
            assert!(
                !has_token(&row.email.body) && !has_token(&html),
                "a stored body holds a token: {}",
                row.email.body
            );
            assert!(!row.email.body.contains("token="));
        }
        assert!(rows >= 2, "{rows}");
    };
    check_outbox().await;

    // The email as delivered carries a working link and a working one-time password.
    let delivered = app.delivered_to(&email).await;
    let welcome = delivered
        .iter()
        .find(|m| m.contains("one-time password "))
        .expect("the Welcome as delivered");
    let password = welcome
        .split("one-time password ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let token = support::token_in(welcome);
    assert_eq!(token.len(), 64);
    // The delivered file holds the live secret: for the server's own user only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let new = app.running.mailer_dir().join("new");
        for f in std::fs::read_dir(&new).unwrap() {
            let mode = f.unwrap().metadata().unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "a delivered email is readable by others");
        }
        let mode = std::fs::metadata(&new).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }
    check_outbox().await;
    let username = app.user_of(&anna).await["username__v"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = app
        .call(
            Method::POST,
            None,
            "/api/v1/auth",
            Some(json!({"username": username, "password": password})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["passwordChangeRequired"], true);
    let (status, body) = app
        .call(
            Method::POST,
            None,
            "/api/v1/auth/set-password",
            Some(json!({"token": token, "password": "anna's long password"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
both_backends!(no_live_secret, the_outbox_holds_no_live_secret);

/// `n` SCARs sent to `n` new contacts: `2 n` emails (Welcome and task) in the outbox.
async fn queue_emails(app: &TestApp, n: usize) {
    let acme = app.org("Acme").await;
    app.put(
        &app.admin,
        "/api/v1/licenses",
        json!({"external_seats": 50}),
    )
    .await;
    let mut ids = vec![];
    for i in 0..n {
        let p = app.person(&acme, &format!("Slow{i}"), "Mail").await;
        ids.push(app.record(SCAR, &format!("SCAR-{i}"), &acme, &[&p]).await);
    }
    app.ok(
        Method::POST,
        &app.admin,
        &format!("/api/v1/vobjects/{SCAR}/actions/change_state_to_pending_response__c"),
        Some(json!({"ids": ids})),
    )
    .await;
}

/// Two workers of two servers on one database, an SMTP server that takes 150 ms a message,
/// and a lease (1 s) far shorter than a batch of 20 takes to send (3 s): each email still
/// arrives once, and every outcome is recorded.
async fn two_workers_and_a_slow_server_send_each_email_once(backend: support::Backend) {
    let sink = SmtpSink::start_slow(Duration::from_millis(150)).await;
    let url = sink.url();
    let Some(app) = TestApp::spawn_with(backend, move |s| {
        s.smtp_url = Some(url);
    })
    .await
    else {
        return;
    };
    queue_emails(&app, 12).await;
    let lease = Duration::from_secs(1);
    let mut settings = portico::Settings::new("127.0.0.1:0", "sqlite::memory:");
    settings.smtp_url = Some(sink.url());
    let first = app.running.mailer.clone().with_lease(lease);
    let second = portico::mail_worker(&settings, &app.running.app)
        .unwrap()
        .with_lease(lease);
    let (a, b) = tokio::join!(drain(&app, first), drain(&app, second));
    let ids = sink.message_ids();
    let mut counts: BTreeMap<&String, usize> = BTreeMap::new();
    for id in &ids {
        *counts.entry(id).or_default() += 1;
    }
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert_eq!(ids.len(), 24, "every email arrived");
    assert_eq!(a.sent + b.sent, 24, "first {a:?}, second {b:?}");
    let outbox = app.outbox().await;
    assert!(
        outbox
            .iter()
            .all(|m| m["status"] == "sent" && m["attempts"] == 1),
        "{outbox:?}"
    );
}
per_backend!(
    slow_smtp,
    two_workers_and_a_slow_server_send_each_email_once
);

/// Runs a worker until the outbox has nothing pending (at most a minute).
async fn drain(app: &TestApp, w: portico_mail::Worker) -> portico_mail::Delivery {
    let mut total = portico_mail::Delivery::default();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while tokio::time::Instant::now() < deadline {
        let d = w.run_once().await.unwrap();
        total.sent += d.sent;
        total.deferred += d.deferred;
        total.lost += d.lost;
        if d.sent + d.deferred + d.failed + d.lost == 0 {
            if app_idle(app).await {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    total
}

async fn app_idle(app: &TestApp) -> bool {
    app.running
        .app
        .store()
        .read()
        .await
        .unwrap()
        .db()
        .pending_email_count()
        .await
        .unwrap()
        == 0
}

/// A worker whose lease ran out while another took the email cannot record anything for it:
/// a late failure never sets a sent email back to pending, a late success never marks it twice.
async fn a_lost_claim_records_nothing(app: TestApp) {
    queue_emails(&app, 1).await;
    let store = app.running.app.store().clone();
    let now = portico_service::now_ms();
    let mut tx = store.write().await.unwrap();
    let mine = tx
        .db()
        .claim_due_emails("worker-a", now, 10, 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let id = mine[0].email.id.clone();
    // Worker A's lease (10 ms) runs out; worker B claims the email and sends it.
    let later = now + 1_000;
    let mut tx = store.write().await.unwrap();
    let theirs = tx
        .db()
        .claim_due_emails("worker-b", later, 60_000, 5)
        .await
        .unwrap();
    assert!(theirs.iter().any(|e| e.email.id == id));
    assert!(tx
        .db()
        .mark_email_sent(&id, "worker-b", later)
        .await
        .unwrap());
    // A's late outcomes change nothing.
    assert!(!tx
        .db()
        .mark_email_attempt_failed(&id, "worker-a", "timed out", later, false)
        .await
        .unwrap());
    assert!(!tx
        .db()
        .mark_email_sent(&id, "worker-a", later)
        .await
        .unwrap());
    assert!(!tx
        .db()
        .renew_email_claim(&id, "worker-a", later + 60_000)
        .await
        .unwrap());
    let row = tx.db().email(&id).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("sent", 1));
}
both_backends!(lost_claim, a_lost_claim_records_nothing);

/// An idle worker's poll writes nothing, so it does not end the read cache of the server.
async fn an_idle_worker_writes_nothing(app: TestApp) {
    let store = app.running.app.store();
    let before = store.generation();
    for _ in 0..5 {
        let d = app.running.mailer.run_once().await.unwrap();
        assert_eq!(d, portico_mail::Delivery::default());
    }
    assert_eq!(store.generation(), before, "an idle poll committed a write");
    // With something due it does write (claim and mark).
    queue_emails(&app, 1).await;
    let queued = store.generation();
    assert_eq!(app.running.mailer.run_once().await.unwrap().sent, 2);
    assert!(store.generation() > queued);
}
both_backends!(idle_worker, an_idle_worker_writes_nothing);

/// A sent Welcome's link and subject survive the trip: the secret is put into both parts.
async fn secrets_reach_both_parts_of_the_email(backend: support::Backend) {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let Some(app) = TestApp::spawn_with(backend, move |s| s.smtp_url = Some(url)).await else {
        return;
    };
    queue_emails(&app, 1).await;
    app.deliver().await;
    let welcome = sink
        .messages()
        .into_iter()
        .find(|m| header(m, "Subject").unwrap_or_default().contains("invited"))
        .expect("a Welcome");
    let text = decoded(&welcome);
    let tokens: Vec<String> = text
        .split("set-password?token=")
        .skip(1)
        .map(|rest| rest.chars().take_while(char::is_ascii_hexdigit).collect())
        .collect();
    assert!(
        tokens.len() >= 2,
        "the link is in the text and the HTML part: {text}"
    );
    assert!(tokens.iter().all(|t| t.len() == 64 && *t == tokens[0]));
    assert!(!text.contains("made when the email is sent"), "{text}");
}
per_backend!(both_parts, secrets_reach_both_parts_of_the_email);

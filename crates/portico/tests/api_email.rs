//! Email: the real SMTP path from Welcome to sign-in, Goodbye, Welcome Back, an SMTP outage,
//! retries, two workers on one database, the Maildir fallback, and templates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::names::SCAR;
use support::smtp::{decoded, header, SmtpSink};
use support::TestApp;

async fn app_with_smtp(backend: support::Backend, sink: &SmtpSink) -> Option<TestApp> {
    let url = sink.url();
    TestApp::spawn_with(backend, move |s| {
        s.smtp_url = Some(url);
        s.mail_retry_ms = 1;
        s.mail_max_attempts = 3;
    })
    .await
}

fn to_of(message: &str) -> String {
    header(message, "To").unwrap_or_default()
}

fn subject_of(message: &str) -> String {
    header(message, "Subject").unwrap_or_default()
}

async fn scar_for(app: &TestApp, first: &str) -> (String, String, String) {
    let acme = app.org("Acme").await;
    let person = app.person(&acme, first, "Berg").await;
    let email = app.email_of(&person).await;
    let scar = app.record(SCAR, "SCAR-1", &acme, &[&person]).await;
    (person, email, scar)
}

async fn welcome_email_leads_to_a_password_and_a_sign_in(backend: support::Backend) {
    let sink = SmtpSink::start().await;
    let Some(app) = app_with_smtp(backend, &sink).await else {
        return;
    };
    let (person, email, scar) = scar_for(&app, "Anna").await;
    app.send(SCAR, &scar).await;
    let done = app.deliver().await;
    assert_eq!(done.sent, 2, "Welcome and the task email");
    let messages = sink.messages();
    let welcome = messages
        .iter()
        .find(|m| subject_of(m).contains("invited to respond to SCAR-1"))
        .expect("a Welcome email");
    assert_eq!(to_of(welcome), email);
    assert!(header(welcome, "Message-ID")
        .unwrap()
        .contains("@portico.mail>"));
    let text = decoded(welcome);
    assert!(
        text.contains("multipart/alternative") && text.contains("text/html"),
        "plain text and HTML"
    );
    let username = app.user_of(&person).await["username__v"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.contains(&username), "the Welcome carries the username");
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/set-password?token="))
        .expect("a set-password link")
        .trim_end_matches(['"', '>', '<'])
        .to_string();
    let token = link
        .split("token=")
        .nth(1)
        .unwrap()
        .split(['"', '<', '&'])
        .next()
        .unwrap()
        .to_string();

    // The page of the link, then the form.
    let browser = support::browser();
    let page = browser
        .get(format!("{}/set-password?token={token}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("Set your password"));
    let set = browser
        .post(format!("{}/set-password", app.base))
        .form(&[
            ("csrf", support::csrf_of(&page).as_str()),
            ("token", token.as_str()),
            ("password", "correct horse battery"),
            ("confirm", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::OK);
    assert!(set.text().await.unwrap().contains("Your password is set"));
    let session = app.login(&username, "correct horse battery").await;
    let (status, _) = app
        .get(&session, &format!("/api/v1/vobjects/{SCAR}/{scar}"))
        .await;
    assert_eq!(status, StatusCode::OK);

    // The link works once; the page says so and offers a new one.
    let again = browser
        .get(format!("{}/set-password?token={token}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::GONE);
    let again = again.text().await.unwrap();
    assert!(again.contains("Send me a new link"));
    let (status, body) = app
        .call(
            Method::POST,
            None,
            "/api/v1/auth/set-password",
            Some(json!({"token": token, "password": "another long password"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let asked = browser
        .post(format!("{}/set-password/new-link", app.base))
        .form(&[
            ("csrf", support::csrf_of(&again).as_str()),
            ("username", email.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), StatusCode::OK);
    app.deliver().await;
    assert!(sink
        .messages()
        .iter()
        .any(|m| subject_of(m).contains("your link to set a password") && to_of(m) == email));
}

per_backend!(
    welcome_set_password_sign_in,
    welcome_email_leads_to_a_password_and_a_sign_in
);

async fn goodbye_and_welcome_back_arrive_over_smtp(backend: support::Backend) {
    let sink = SmtpSink::start().await;
    let Some(app) = app_with_smtp(backend, &sink).await else {
        return;
    };
    let (person, email, scar) = scar_for(&app, "Bo").await;
    app.send(SCAR, &scar).await;
    app.action(SCAR, &scar, "change_state_to_cancelled__c", json!({}))
        .await;
    app.deliver().await;
    let subjects: Vec<String> = sink
        .messages()
        .iter()
        .filter(|m| to_of(m) == email)
        .map(|m| subject_of(m))
        .collect();
    assert!(
        subjects.iter().any(|s| s.contains("your work is complete")),
        "{subjects:?}"
    );
    let acme = app.first_org().await;
    let ncr = app.record("ncr__v", "NCR-2", &acme, &[&person]).await;
    app.send("ncr__v", &ncr).await;
    app.deliver().await;
    let subjects: Vec<String> = sink
        .messages()
        .iter()
        .filter(|m| to_of(m) == email)
        .map(|m| subject_of(m))
        .collect();
    assert!(
        subjects.iter().any(|s| s.contains("welcome back")),
        "{subjects:?}"
    );
    let ids = sink.message_ids();
    assert_eq!(
        ids.len(),
        ids.iter().collect::<BTreeSet<_>>().len(),
        "every email has its own Message-ID"
    );
}

per_backend!(
    goodbye_and_welcome_back,
    goodbye_and_welcome_back_arrive_over_smtp
);

async fn an_smtp_outage_loses_nothing_and_sends_each_email_once(backend: support::Backend) {
    let mut sink = SmtpSink::start().await;
    let url = sink.url();
    let Some(app) = TestApp::spawn_with(backend, move |s| {
        s.smtp_url = Some(url);
        s.mail_retry_ms = 1;
        s.mail_max_attempts = 50;
    })
    .await
    else {
        return;
    };
    sink.stop().await;
    let acme = app.org("Acme").await;
    for i in 0..3 {
        let p = app.person(&acme, &format!("Out{i}"), "Age").await;
        let r = app.record(SCAR, &format!("SCAR-{i}"), &acme, &[&p]).await;
        app.send(SCAR, &r).await;
    }
    let down = app.running.mailer.run_once().await.unwrap();
    assert_eq!(
        (down.sent, down.deferred),
        (0, 6),
        "nothing can be sent while the server is down"
    );
    let outbox = app.outbox().await;
    assert!(
        outbox
            .iter()
            .all(|m| m["status"] == "pending" && m["attempts"] == 1 && m["last_error"].is_string()),
        "{outbox:?}"
    );

    sink.resume().await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let up = app.deliver().await;
    assert_eq!(up.sent, 6);
    assert_eq!(app.deliver().await.sent, 0, "nothing is sent twice");
    let ids = sink.message_ids();
    assert_eq!(ids.len(), 6);
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        6,
        "each email exactly once"
    );
    assert!(app.outbox().await.iter().all(|m| m["status"] == "sent"));
}

per_backend!(
    smtp_outage,
    an_smtp_outage_loses_nothing_and_sends_each_email_once
);

async fn an_email_that_keeps_failing_is_marked_failed_and_can_be_retried(
    backend: support::Backend,
) {
    let mut sink = SmtpSink::start().await;
    let Some(app) = app_with_smtp(backend, &sink).await else {
        return;
    };
    sink.stop().await;
    let (_, _, scar) = scar_for(&app, "Cy").await;
    app.send(SCAR, &scar).await;
    for _ in 0..3 {
        app.running.mailer.run_once().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let failed = app
        .ok(
            Method::GET,
            &app.admin,
            "/api/v1/outbox?status=failed",
            None,
        )
        .await;
    assert_eq!(
        failed.as_array().unwrap().len(),
        2,
        "after 3 attempts both are failed"
    );
    assert_eq!(failed[0]["attempts"], 3);
    let id = failed[0]["id"].as_str().unwrap();
    sink.resume().await;
    let retried = app
        .ok(
            Method::POST,
            &app.admin,
            &format!("/api/v1/outbox/{id}/retry"),
            Some(json!({})),
        )
        .await;
    assert_eq!(retried["status"], "pending");
    let (status, _) = app
        .post(&app.admin, &format!("/api/v1/outbox/{id}/retry"), json!({}))
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "only failed emails are retried"
    );
    assert_eq!(app.deliver().await.sent, 1);
    assert_eq!(sink.messages().len(), 1);
}

per_backend!(
    failed_and_retried,
    an_email_that_keeps_failing_is_marked_failed_and_can_be_retried
);

async fn two_workers_on_one_database_never_send_an_email_twice(backend: support::Backend) {
    let sink = SmtpSink::start().await;
    let Some(app) = app_with_smtp(backend, &sink).await else {
        return;
    };
    let acme = app.org("Acme").await;
    let mut ids = vec![];
    for i in 0..20 {
        let p = app.person(&acme, &format!("W{i}"), "Two").await;
        ids.push(app.record(SCAR, &format!("SCAR-{i}"), &acme, &[&p]).await);
    }
    app.put(
        &app.admin,
        "/api/v1/licenses",
        json!({"external_seats": 20}),
    )
    .await;
    app.ok(
        Method::POST,
        &app.admin,
        &format!("/api/v1/vobjects/{SCAR}/actions/change_state_to_pending_response__c"),
        Some(json!({"ids": ids})),
    )
    .await;
    let url = sink.url();
    let mut settings = portico::Settings::new("127.0.0.1:0", "sqlite::memory:");
    settings.smtp_url = Some(url);
    let second = portico::mail_worker(&settings, &app.running.app).unwrap();
    let first = app.running.mailer.clone();
    let (a, b) = tokio::join!(
        async {
            let mut n = 0;
            for _ in 0..30 {
                n += first.run_once().await.unwrap().sent;
            }
            n
        },
        async {
            let mut n = 0;
            for _ in 0..30 {
                n += second.run_once().await.unwrap().sent;
            }
            n
        }
    );
    assert_eq!(a + b, 40, "first sent {a}, second {b}");
    let ids = sink.message_ids();
    assert_eq!(ids.len(), 40);
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        40,
        "no email twice"
    );
}

per_backend!(
    two_workers,
    two_workers_on_one_database_never_send_an_email_twice
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_emails_land_in_a_maildir() {
    let app = TestApp::spawn(support::Backend::Sqlite).await.unwrap();
    let (_, email, scar) = scar_for(&app, "Dee").await;
    app.send(SCAR, &scar).await;
    assert_eq!(app.deliver().await.sent, 2);
    let new = app.running.mailer_dir().join("new");
    let files: Vec<_> = std::fs::read_dir(&new)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 2);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.contains(&format!("To: {email}")), "{text}");
}

async fn templates_are_checked_when_saved_and_used_when_sending(app: TestApp) {
    let all = app
        .ok(
            Method::GET,
            &app.admin,
            "/api/v1/notification-templates",
            None,
        )
        .await;
    assert_eq!(
        all.as_array().unwrap().len(),
        25,
        "five templates (welcome, welcome back, goodbye, task, access ending) for each of the five types"
    );
    let path = "/api/v1/notification-templates/ext_collab_welcome_scar__v";
    let (status, body) = app
        .put(
            &app.admin,
            path,
            json!({"subject": "Hi", "body": "Dear ${firstname}"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["type"], "INVALID_DATA");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("${firstname}") && message.contains("position 6"),
        "{message}"
    );
    let (status, body) = app
        .put(
            &app.admin,
            path,
            json!({"subject": "Hi", "body": "Dear ${firstName"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = app
        .put(
            &app.admin,
            "/api/v1/notification-templates/ext_collab_nothing__v",
            json!({"subject": "a", "body": "b"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let preview = app
        .ok(
            Method::POST,
            &app.admin,
            &format!("{path}/preview"),
            Some(json!({"subject": "Welcome ${firstName}", "body": "Your user: ${userName}"})),
        )
        .await;
    assert_eq!(preview["subject"], "Welcome Anna");

    let saved = app
        .ok(Method::PUT, &app.admin, path, Some(json!({
            "subject": "Welcome to ${vaultName}, ${firstName}",
            "body": "Hello ${firstName}. Your user is ${userName}, your one-time password ${userPassword}. Then: ${utp?url}",
        })))
        .await;
    assert_eq!(saved["customized"], true);

    // A name with markup is escaped in the HTML part; the one-time password must be changed.
    let acme = app.org("Acme").await;
    let body = json!({"first_name__v": "<b>Eve</b>", "last_name__v": "Stone", "email__v": "eve@acme.example", "organization__v": acme});
    let eve = app
        .ok(
            Method::POST,
            &app.admin,
            "/api/v1/vobjects/person__v",
            Some(body),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let scar = app.record(SCAR, "SCAR-9", &acme, &[&eve]).await;
    app.send(SCAR, &scar).await;
    let mail = app
        .outbox()
        .await
        .into_iter()
        .find(|m| m["template"] == "ext_collab_welcome_scar__v")
        .unwrap();
    assert_eq!(mail["subject"], "Welcome to Portico Quality, <b>Eve</b>");
    let html = mail["html"].as_str().unwrap();
    assert!(
        html.contains("&lt;b&gt;Eve&lt;/b&gt;") && !html.contains("<b>Eve</b>"),
        "{html}"
    );
    // The outbox keeps placeholders; the password exists only in the email as sent.
    assert!(
        mail["body"]
            .as_str()
            .unwrap()
            .contains("your one-time password [one-time password: made when the email is sent]"),
        "{mail}"
    );
    let delivered = app.delivered_to("eve@acme.example").await;
    let text = delivered
        .iter()
        .find(|m| m.contains("one-time password "))
        .expect("the Welcome as delivered");
    let password = text
        .split("one-time password ")
        .nth(1)
        .unwrap()
        .split('.')
        .next()
        .unwrap();
    assert_eq!(password.len(), 16, "{password}");
    let username = app.user_of(&eve).await["username__v"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, login) = app
        .call(
            Method::POST,
            None,
            "/api/v1/auth",
            Some(json!({"username": username, "password": password})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{login}");
    assert_eq!(login["passwordChangeRequired"], true);
    let token = login["sessionId"].as_str().unwrap();
    let (status, body) = app.get(token, "/api/v1/tasks").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["errors"][0]["type"], "PASSWORD_CHANGE_REQUIRED");
    let (status, body) = app
        .post(
            token,
            "/api/v1/auth/password",
            json!({"current_password": password, "new_password": "eve's own long password"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app.get(token, "/api/v1/tasks").await;
    assert_eq!(status, StatusCode::OK);

    // Back to the configured text.
    let reset = app
        .ok(
            Method::POST,
            &app.admin,
            &format!("{path}/reset"),
            Some(json!({})),
        )
        .await;
    assert_eq!(reset["customized"], false);
    assert!(reset["subject"]
        .as_str()
        .unwrap()
        .contains("invited to respond"));
    let (status, _) = app.get(token, path).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "templates are for admins");
}
both_backends!(
    templates,
    templates_are_checked_when_saved_and_used_when_sending
);

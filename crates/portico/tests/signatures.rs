//! Electronic signatures (SPEC section 11) over the API, on both backends, with the shipped
//! `examples/part11.toml`: required on the response task (`Responded`), on accepting
//! (`Approved`) and on rejecting (`Rejected`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use support::names::PART11;
use support::{Backend, TestApp, ADMIN_PASSWORD};

async fn part11(backend: Backend, failures_per_user: i64) -> Option<TestApp> {
    TestApp::spawn_with(backend, |s| {
        s.config = Some(PART11.into());
        s.login_failures_per_user = failures_per_user;
    })
    .await
}

fn error_type(body: &Value) -> &str {
    body["errors"][0]["type"].as_str().unwrap_or_default()
}

/// A SCAR sent to Anna Berg of Acme, whose account is set up: (record, Anna's session, her
/// open task).
async fn sent_scar(app: &TestApp, name: &str) -> (String, String, String) {
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let r = app.record("car__v", name, &acme, &[&anna]).await;
    app.send("car__v", &r).await;
    let token = app
        .accept_welcome(&app.email_of(&anna).await, "anna's long password")
        .await;
    let task = open_task(app, &r).await;
    (r, token, task)
}

async fn open_task(app: &TestApp, record: &str) -> String {
    let tasks = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/tasks?record__v={record}&status__v=open__v"),
            None,
        )
        .await;
    tasks[0]["id"].as_str().unwrap().to_string()
}

/// SHA-256 of the record's signed content, computed here from what the API shows: its fields
/// but not its state, as canonical JSON (sorted keys, no white space), with the task's
/// response for a task's signature.
async fn expected_hash(app: &TestApp, record: &str, task: Option<(&str, &str)>) -> String {
    let r = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/car__v/{record}"),
            None,
        )
        .await;
    let people: Vec<String> = r["external_collaborator__v"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("\"{}\"", p.as_str().unwrap()))
        .collect();
    let mut content = format!(
        r#"{{"created_by__v":"{}","external_collaborator__v":[{}],"id":"{record}","name__v":{},"object":"car__v","object_type__v":"scar__v","supplier__v":"{}""#,
        r["created_by__v"].as_str().unwrap(),
        people.join(","),
        r["name__v"],
        r["supplier__v"].as_str().unwrap(),
    );
    if let Some((id, response)) = task {
        content.push_str(&format!(
            r#","task":{{"id":"{id}","response__v":{}}}"#,
            Value::String(response.into())
        ));
    }
    content.push('}');
    hex::encode(Sha256::digest(content.as_bytes()))
}

/// A task completion's body with a signature.
fn signed(response: &str, password: &str, meaning: &str) -> Value {
    json!({"response": response, "signature": {"password": password, "meaning": meaning}})
}

/// Asserts a refusal: its status, its error type, and what its message says.
fn assert_refused(answer: &(StatusCode, Value), status: StatusCode, kind: &str, says: &str) {
    let (got, body) = answer;
    assert_eq!(*got, status, "{body}");
    assert_eq!(error_type(body), kind, "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(says), "{message}");
}

async fn respond(app: &TestApp, token: &str, task: &str, body: Value) -> (StatusCode, Value) {
    app.post(token, &format!("/api/v1/tasks/{task}/complete"), body)
        .await
}

async fn signing_a_response_and_an_approval(backend: Backend) {
    let Some(app) = part11(backend, 10).await else {
        return;
    };
    let (r, anna, task) = sent_scar(&app, "SCAR-1").await;
    let answer = "Root cause: a worn die. Replaced, and checked weekly.";

    // Without a signature, with another meaning than the configured one, with a wrong
    // password: refused (the last audited), and the task stays open.
    let bad = respond(&app, &anna, &task, json!({"response": answer})).await;
    assert_refused(
        &bad,
        StatusCode::BAD_REQUEST,
        "SIGNATURE_REQUIRED",
        "Responded",
    );
    let body = signed(answer, "anna's long password", "Approved");
    let bad = respond(&app, &anna, &task, body).await;
    assert_refused(&bad, StatusCode::BAD_REQUEST, "INVALID_DATA", "'Responded'");
    let body = signed(answer, "not her password", "Responded");
    let bad = respond(&app, &anna, &task, body).await;
    assert_refused(
        &bad,
        StatusCode::UNAUTHORIZED,
        "INVALID_SIGNATURE",
        "not correct",
    );
    let failed = app
        .ok(
            Method::GET,
            &app.admin,
            "/api/v1/audit?action=signature.failed",
            None,
        )
        .await;
    assert_eq!(failed.as_array().unwrap().len(), 1, "{failed}");
    let t = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/tasks/{task}"),
            None,
        )
        .await;
    assert_eq!(
        t["status__v"], "open__v",
        "a refused signature changes nothing"
    );
    assert!(app.signatures(&app.admin, "car__v", &r).await.is_empty());

    // Signed: the task completes, the record moves on, the signature is listed.
    let (status, body) = respond(
        &app,
        &anna,
        &task,
        signed(answer, "anna's long password", "Responded"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["state_change"]["to"], "in_review__c");
    let anna_user = app
        .user_by_email(&app.email_of(t["person__v"].as_str().unwrap()).await)
        .await["id"]
        .clone();
    let listed = app.signatures(&anna, "car__v", &r).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let s = &listed[0];
    assert_eq!(s["signer"], anna_user);
    assert_eq!(s["printed_name"], "Anna Berg");
    assert_eq!(s["meaning"], "Responded");
    assert_eq!(s["task"], task.as_str());
    assert!(s.get("action").is_none());
    assert_eq!(s["current"], true);
    let signed_at = s["signed_at"].as_str().unwrap();
    // RFC 3339 with its offset: 2026-11-26T03:11:29.123+00:00
    assert!(
        signed_at.len() == 29 && &signed_at[10..11] == "T" && signed_at.ends_with("+00:00"),
        "{signed_at}"
    );
    assert_eq!(
        s["record_hash"],
        expected_hash(&app, &r, Some((&task, answer))).await
    );
    assert_eq!(
        s["manifestation"],
        format!("Anna Berg — Responded — {signed_at}")
    );

    // The reviewer's dry run says a signature is needed, and signs nothing.
    let accept = format!("/api/v1/vobjects/car__v/{r}/actions/change_state_to_closed__c");
    let (status, body) = app
        .post(&app.admin, &format!("{accept}?dry_run=true"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["signature_required"], "Approved");
    assert_eq!(body["data"]["dry_run"], true);
    let (status, body) = app.post(&app.admin, &accept, json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_type(&body), "SIGNATURE_REQUIRED");
    let (status, body) = app
        .post(
            &app.admin,
            &accept,
            json!({"signature": {"password": ADMIN_PASSWORD, "meaning": "Approved"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["record"]["state__v"], "closed__c");
    assert_eq!(body["data"]["signature_required"], "Approved");
    let listed = app.signatures(&app.admin, "car__v", &r).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1]["meaning"], "Approved");
    assert_eq!(listed[1]["printed_name"], "Portico Admin");
    assert_eq!(listed[1]["action"], "change_state_to_closed__c");
    assert_eq!(
        listed[1]["record_hash"],
        expected_hash(&app, &r, None).await
    );
    assert!(
        listed.iter().all(|s| s["current"] == true),
        "a signed move does not change what was signed"
    );

    // The audit export carries each signature's manifestation.
    let csv = app
        .client
        .get(format!("{}/api/v1/audit/export?record__v={r}", app.base))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains(&format!("Anna Berg — Responded — {signed_at}")),
        "{csv}"
    );
    assert!(csv.contains("Portico Admin — Approved — "), "{csv}");

    // A record changed after signing: its signatures refer to an earlier version.
    app.ok(
        Method::PATCH,
        &app.admin,
        &format!("/api/v1/vobjects/car__v/{r}"),
        Some(json!({"name__v": "SCAR-1 (renamed)"})),
    )
    .await;
    let listed = app.signatures(&app.admin, "car__v", &r).await;
    assert!(listed.iter().all(|s| s["current"] == false), "{listed:?}");
}
per_backend!(
    signing_a_response_and_an_approval_records_and_checks_both,
    signing_a_response_and_an_approval
);

async fn signatures_cannot_be_changed_deleted_or_moved(backend: Backend) {
    let Some(app) = part11(backend, 10).await else {
        return;
    };
    let (r, anna, task) = sent_scar(&app, "SCAR-T").await;
    let (status, body) = respond(
        &app,
        &anna,
        &task,
        signed("done", "anna's long password", "Responded"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let store = app.running.app.store();
    let before = app.signatures(&app.admin, "car__v", &r).await;
    for sql in [
        "UPDATE signatures SET meaning = 'Approved'".to_string(),
        "UPDATE signatures SET printed_name = 'Someone Else'".to_string(),
        "DELETE FROM signatures".to_string(),
    ] {
        let refused = store.execute_raw(&sql).await;
        assert!(refused.is_err(), "{sql} must be refused by the schema");
    }
    assert_eq!(app.signatures(&app.admin, "car__v", &r).await, before);

    // A copy onto another record (an INSERT, which the schema allows) does not verify there.
    let acme = app.first_org().await;
    let other = app.record("car__v", "SCAR-U", &acme, &[]).await;
    store
        .execute_raw(&format!(
            "INSERT INTO signatures (id, record_id, object, signer_id, printed_name, meaning, signed_at, action, task_id, record_hash) \
             SELECT 'sig_copy', '{other}', object, signer_id, printed_name, meaning, signed_at, action, task_id, record_hash FROM signatures"
        ))
        .await
        .unwrap();
    let copied = app.signatures(&app.admin, "car__v", &other).await;
    assert_eq!(copied.len(), 1);
    assert_eq!(copied[0]["current"], false);
    assert_eq!(
        app.signatures(&app.admin, "car__v", &r).await[0]["current"],
        true
    );
}
per_backend!(
    signatures_cannot_be_changed_deleted_or_moved_to_another_record,
    signatures_cannot_be_changed_deleted_or_moved
);

async fn wrong_passwords_count_like_failed_sign_ins(backend: Backend) {
    let Some(app) = part11(backend, 3).await else {
        return;
    };
    let (_, anna, task) = sent_scar(&app, "SCAR-L").await;
    let wrong = signed("x", "guess", "Responded");
    for _ in 0..3 {
        let (status, body) = respond(&app, &anna, &task, wrong.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    // Past the limit even the right password waits, and so does signing in.
    let right = signed("x", "anna's long password", "Responded");
    let (status, body) = respond(&app, &anna, &task, right).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(error_type(&body), "API_LIMIT_EXCEEDED");
    let anna_name = app
        .ok(Method::GET, &app.admin, "/api/v1/users?limit=1000", None)
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["first_name__v"] == "Anna")
        .unwrap()["username__v"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = app.try_login(&anna_name, "anna's long password").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let t = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/tasks/{task}"),
            None,
        )
        .await;
    assert_eq!(t["status__v"], "open__v");
}
per_backend!(
    wrong_signature_passwords_count_against_the_sign_in_limit,
    wrong_passwords_count_like_failed_sign_ins
);

async fn bulk_accept(backend: Backend) {
    let Some(app) = part11(backend, 10).await else {
        return;
    };
    let acme = app.org("Acme").await;
    let mut ids = vec![];
    for n in 0..3 {
        let p = app.person(&acme, "Pat", &format!("Doe{n}")).await;
        let r = app
            .record("car__v", &format!("SCAR-B{n}"), &acme, &[&p])
            .await;
        app.send("car__v", &r).await;
        let (status, body) = app
            .action("car__v", &r, "change_state_to_in_review__c", json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        ids.push(r);
    }
    let bulk = "/api/v1/vobjects/car__v/actions/change_state_to_closed__c";
    let (status, body) = app.post(&app.admin, bulk, json!({"ids": ids})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_type(&body), "SIGNATURE_REQUIRED");
    let (status, body) = app
        .post(
            &app.admin,
            bulk,
            json!({"ids": ids, "signature": {"password": ADMIN_PASSWORD, "meaning": "Approved"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut signed_at = vec![];
    for (i, r) in ids.iter().enumerate() {
        assert_eq!(body["data"][i]["responseStatus"], "SUCCESS", "{body}");
        let listed = app.signatures(&app.admin, "car__v", r).await;
        assert_eq!(listed.len(), 1, "one signature on each record");
        assert_eq!(listed[0]["meaning"], "Approved");
        assert_eq!(listed[0]["current"], true);
        assert_eq!(listed[0]["record_hash"], expected_hash(&app, r, None).await);
        signed_at.push(listed[0]["signed_at"].clone());
    }
    assert!(
        signed_at.iter().all(|t| *t == signed_at[0]),
        "one signature for the batch: {signed_at:?}"
    );
    // One password check for the batch: one audited signature per record, no failure.
    let signed = app
        .ok(
            Method::GET,
            &app.admin,
            "/api/v1/audit?action=signature.signed",
            None,
        )
        .await;
    assert_eq!(signed.as_array().unwrap().len(), 3);
}
per_backend!(
    a_bulk_action_takes_one_signature_and_records_it_on_each_record,
    bulk_accept
);

async fn without_a_password(backend: Backend) {
    let Some(app) = part11(backend, 10).await else {
        return;
    };
    let (_, anna, task) = sent_scar(&app, "SCAR-S").await;
    // As a user who signs in only through the identity provider: no password stored.
    app.running
        .app
        .store()
        .execute_raw("UPDATE users SET password_hash = NULL WHERE username <> 'admin'")
        .await
        .unwrap();
    let (status, body) = respond(&app, &anna, &task, signed("x", "anything", "Responded")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(error_type(&body), "SSO_REAUTHENTICATION_REQUIRED");
}
per_backend!(
    a_user_without_a_password_is_told_to_reauthenticate_at_the_provider,
    without_a_password
);

async fn unsigned_configuration(app: TestApp) {
    // The built-in default requires no signature, and refuses one sent anyway.
    let (r, anna, task) = sent_scar(&app, "SCAR-D").await;
    let (status, body) = respond(
        &app,
        &anna,
        &task,
        signed("x", "anna's long password", "Responded"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_type(&body), "INVALID_DATA");
    let (status, body) = respond(&app, &anna, &task, json!({"response": "x"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(app.signatures(&anna, "car__v", &r).await.is_empty());
}
both_backends!(
    the_default_configuration_asks_for_no_signature,
    unsigned_configuration
);

async fn empty_signature_fields(backend: Backend) {
    // What the schema says (1 to 100 / 256 characters) is what the server takes: an empty
    // meaning or password, or an overlong one, is refused before anything runs, also on a
    // bulk dry run naming no real record (schemathesis found this one accepted).
    let Some(app) = part11(backend, 5).await else {
        return;
    };
    for signature in [
        json!({"password": "x", "meaning": ""}),
        json!({"password": "", "meaning": "Approved"}),
        json!({"password": "x", "meaning": "M".repeat(101)}),
    ] {
        let (status, body) = app
            .call(
                Method::POST,
                Some(&app.admin),
                "/api/v1/vobjects/car__v/actions/change_state_to_closed__c?dry_run=true",
                Some(json!({"ids": ["0"], "signature": signature})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{signature}: {body}");
        assert_eq!(error_type(&body), "INVALID_DATA", "{body}");
    }
}
per_backend!(
    signature_fields_are_checked_as_the_schema_says,
    empty_signature_fields
);

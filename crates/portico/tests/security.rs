//! Security: the authorisation matrix over every endpoint and role, lists checked for leaks,
//! sessions that end, rate-limited sign-in, and the tamper-evident audit trail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::TestApp;

const ROLES: [&str; 7] = [
    "admin",
    "internal",
    "collaborator",
    "same supplier",
    "other supplier",
    "inactive",
    "no session",
];

struct World {
    tokens: [Option<String>; 7],
    r1: String,
    r3: String,
    anna: String,
    anna_user: String,
    anna_task: String,
    checklist: String,
    ticket: String,
}

/// Acme (Anna on SCAR r1, Bo on NCR r2, Cy on SCAR r4 then cancelled), Globex (Eve on SCAR r3).
async fn world(app: &TestApp) -> World {
    let acme = app.org("Acme").await;
    let globex = app.org("Globex").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let bo = app.person(&acme, "Bo", "Lind").await;
    let cy = app.person(&acme, "Cy", "Moss").await;
    let eve = app.person(&globex, "Eve", "Stone").await;
    let r1 = app.record("car__v", "SCAR-1", &acme, &[&anna]).await;
    let r2 = app.record("ncr__v", "NCR-2", &acme, &[&bo]).await;
    let r3 = app.record("car__v", "SCAR-3", &globex, &[&eve]).await;
    let r4 = app.record("car__v", "SCAR-4", &acme, &[&cy]).await;
    for (o, r) in [
        ("car__v", &r1),
        ("ncr__v", &r2),
        ("car__v", &r3),
        ("car__v", &r4),
    ] {
        app.send(o, r).await;
    }
    let body = json!({"username__v": "quinn", "first_name__v": "Quinn", "last_name__v": "Lead", "email__v": "quinn@portico.example", "password": "quinn's long password"});
    let (status, created) = app.post(&app.admin, "/api/v1/users", body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let internal = app.login("quinn", "quinn's long password").await;
    let anna_t = app
        .accept_welcome(&app.email_of(&anna).await, "anna's long password")
        .await;
    let bo_t = app
        .accept_welcome(&app.email_of(&bo).await, "bo's long password1")
        .await;
    let eve_t = app
        .accept_welcome(&app.email_of(&eve).await, "eve's long password")
        .await;
    let cy_t = app
        .accept_welcome(&app.email_of(&cy).await, "cy's long password1")
        .await;
    app.action("car__v", &r4, "change_state_to_cancelled__c", json!({}))
        .await;
    let anna_user = app.user_of(&anna).await["id"].as_str().unwrap().to_string();
    let tasks = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/tasks?record__v={r1}"),
            None,
        )
        .await;
    let anna_task = tasks[0]["id"].as_str().unwrap().to_string();
    let checklist = app
        .ok(
            Method::POST,
            &app.admin,
            &format!("/api/v1/vobjects/car__v/{r1}/checklists"),
            Some(json!({"name__v": "8D", "assignee__v": anna, "items": [{"question": "Why?"}]})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ticket = app
        .ok(
            Method::POST,
            &anna_t,
            "/api/v1/tickets",
            Some(json!({"subject": "Access", "body": "Please add my colleague"})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    World {
        ticket,
        tokens: [
            Some(app.admin.clone()),
            Some(internal),
            Some(anna_t),
            Some(bo_t),
            Some(eve_t),
            Some(cy_t),
            None,
        ],
        r1,
        r3,
        anna,
        anna_user,
        anna_task,
        checklist,
    }
}

async fn every_endpoint_answers_every_role_as_it_should(app: TestApp) {
    let w = world(&app).await;
    let (r1, r3, anna, au, task, cl) = (
        &w.r1,
        &w.r3,
        &w.anna,
        &w.anna_user,
        &w.anna_task,
        &w.checklist,
    );
    let g = Method::GET;
    let p = Method::POST;
    // Expected status per role: admin, internal, collaborator of r1, same supplier, other
    // supplier, inactive, no session. Calls that change something come in an order that keeps
    // the later ones meaningful (refused roles first within a row).
    let table: Vec<(Method, String, Option<Value>, [u16; 7])> = vec![
        (
            g.clone(),
            format!("/api/v1/vobjects/car__v/{r1}"),
            None,
            [200, 200, 200, 404, 404, 401, 401],
        ),
        (
            g.clone(),
            format!("/api/v1/vobjects/car__v/{r3}"),
            None,
            [200, 200, 404, 404, 200, 401, 401],
        ),
        (
            Method::PATCH,
            format!("/api/v1/vobjects/car__v/{r1}"),
            Some(json!({"name__v": "SCAR-1"})),
            [200, 200, 403, 404, 404, 401, 401],
        ),
        (
            Method::DELETE,
            format!("/api/v1/vobjects/car__v/{r3}"),
            None,
            [0, 0, 404, 404, 403, 401, 401],
        ),
        (
            g.clone(),
            format!("/api/v1/vobjects/car__v/{r1}/actions"),
            None,
            [200, 200, 200, 404, 404, 401, 401],
        ),
        (
            p.clone(),
            format!(
                "/api/v1/vobjects/car__v/{r1}/actions/change_state_to_cancelled__c?dry_run=true"
            ),
            Some(json!({})),
            [200, 200, 403, 404, 404, 401, 401],
        ),
        (
            p.clone(),
            "/api/v1/vobjects/car__v/actions/change_state_to_cancelled__c?dry_run=true".into(),
            Some(json!({"ids": [r1]})),
            [200, 200, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            format!("/api/v1/vobjects/car__v/{r1}/signatures"),
            None,
            [200, 200, 200, 404, 404, 401, 401],
        ),
        (
            g.clone(),
            format!("/api/v1/vobjects/car__v/{r3}/signatures"),
            None,
            [200, 200, 404, 404, 200, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/vobjects/organization__v".into(),
            None,
            [200, 200, 403, 403, 403, 401, 401],
        ),
        (
            p.clone(),
            "/api/v1/vobjects/organization__v".into(),
            Some(json!({"name__v": "New"})),
            [201, 201, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            format!("/api/v1/vobjects/person__v/{anna}"),
            None,
            [200, 200, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/vobjects/person__v".into(),
            None,
            [200, 200, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            format!("/api/v1/users/{au}"),
            None,
            [200, 200, 200, 404, 404, 401, 401],
        ),
        (
            Method::PATCH,
            format!("/api/v1/users/{au}"),
            Some(json!({"managed_by_qms_automation__v": true})),
            [200, 403, 403, 403, 403, 401, 401],
        ),
        (
            p.clone(),
            "/api/v1/users".into(),
            Some(json!({"username__v": "x"})),
            [400, 403, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/licenses".into(),
            None,
            [200, 200, 403, 403, 403, 401, 401],
        ),
        (
            Method::PUT,
            "/api/v1/licenses".into(),
            Some(json!({"external_seats": 20})),
            [200, 403, 403, 403, 403, 401, 401],
        ),
        (
            p.clone(),
            "/api/v1/scim-tokens".into(),
            Some(json!({"name": "Okta"})),
            [201, 403, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/scim-tokens".into(),
            None,
            [200, 403, 403, 403, 403, 401, 401],
        ),
        (
            Method::DELETE,
            "/api/v1/scim-tokens/sct_none".into(),
            None,
            [404, 403, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/assignments".into(),
            None,
            [200, 200, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/assignments/unsponsored".into(),
            None,
            [200, 403, 403, 403, 403, 401, 401],
        ),
        (
            Method::PUT,
            "/api/v1/assignments/asg_unknown/sponsor".into(),
            Some(json!({"sponsor__v": "usr_unknown"})),
            [404, 403, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/licenses/history".into(),
            None,
            [200, 200, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/licenses/waitlist".into(),
            None,
            [200, 403, 403, 403, 403, 401, 401],
        ),
        (
            p.clone(),
            "/api/v1/jobs/run-due".into(),
            Some(json!({})),
            [200, 403, 403, 403, 403, 401, 401],
        ),
        (
            p.clone(),
            "/api/v1/access-reviews".into(),
            Some(json!({"due_in_days": 14, "default_decision": "keep"})),
            [201, 403, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/access-reviews".into(),
            None,
            [200, 403, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/access-reviews/arv_none".into(),
            None,
            [404, 404, 403, 403, 403, 401, 401],
        ),
        (
            p.clone(),
            "/api/v1/access-reviews/arv_none/items/ari_none/decide".into(),
            Some(json!({"decision": "keep", "reason": "still needed"})),
            [404, 404, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/access-reviews/arv_none/export.csv".into(),
            None,
            [404, 403, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            format!("/api/v1/tasks/{task}"),
            None,
            [200, 200, 200, 404, 404, 401, 401],
        ),
        (
            p.clone(),
            format!("/api/v1/tasks/{task}/complete"),
            Some(json!({"response": "x"})),
            [0, 0, 0, 404, 404, 401, 401],
        ),
        (
            p.clone(),
            format!("/api/v1/tasks/{task}/cancel"),
            Some(json!({})),
            [0, 0, 403, 404, 404, 401, 401],
        ),
        (
            g.clone(),
            format!("/api/v1/vobjects/car__v/{r1}/checklists"),
            None,
            [200, 200, 200, 404, 404, 401, 401],
        ),
        (
            p.clone(),
            format!("/api/v1/vobjects/car__v/{r1}/checklists"),
            Some(json!({"name__v": "x", "assignee__v": anna, "items": [{"question": "q"}]})),
            [201, 201, 403, 404, 404, 401, 401],
        ),
        (
            g.clone(),
            format!("/api/v1/checklists/{cl}"),
            None,
            [200, 200, 200, 404, 404, 401, 401],
        ),
        (
            Method::PATCH,
            format!("/api/v1/checklists/{cl}"),
            Some(json!({"items": [{"answer": "because"}]})),
            [200, 200, 200, 404, 404, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/outbox".into(),
            None,
            [200, 403, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/audit".into(),
            None,
            [200, 403, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/audit/verify".into(),
            None,
            [200, 403, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/audit/export".into(),
            None,
            [0, 403, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/audit/checkpoints".into(),
            None,
            [200, 403, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/audit/public-key".into(),
            None,
            [200, 200, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/notification-templates".into(),
            None,
            [200, 403, 403, 403, 403, 401, 401],
        ),
        (
            Method::PUT,
            "/api/v1/notification-templates/ext_collab_task_scar__v".into(),
            Some(json!({"subject": "s", "body": "b"})),
            [200, 403, 403, 403, 403, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/notifications".into(),
            None,
            [200, 200, 200, 200, 200, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/users".into(),
            None,
            [200, 200, 200, 200, 200, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/tasks".into(),
            None,
            [200, 200, 200, 200, 200, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/vobjects/car__v".into(),
            None,
            [200, 200, 200, 200, 200, 401, 401],
        ),
        (
            g.clone(),
            format!("/api/v1/vobjects/car__v/{r1}/comments"),
            None,
            [200, 200, 200, 404, 404, 401, 401],
        ),
        (
            p.clone(),
            format!("/api/v1/vobjects/car__v/{r1}/comments"),
            Some(json!({"body": "a note"})),
            [201, 201, 201, 404, 404, 401, 401],
        ),
        (
            g.clone(),
            "/api/v1/tickets".into(),
            None,
            [200, 200, 200, 200, 200, 401, 401],
        ),
        (
            p.clone(),
            "/api/v1/tickets".into(),
            Some(json!({"subject": "s", "body": "b"})),
            [201, 201, 201, 201, 201, 401, 401],
        ),
        (
            p.clone(),
            format!("/api/v1/tickets/{}/answer", w.ticket),
            Some(json!({"answer": "done"})),
            [200, 200, 403, 403, 403, 401, 401],
        ),
    ];
    let mut wrong = vec![];
    for (method, path, body, expected) in &table {
        // Refused roles first, so that a successful change does not alter what they see.
        let mut order: Vec<usize> = (0..7).collect();
        order.sort_by_key(|i| expected[*i] < 300);
        for i in order {
            if expected[i] == 0 {
                continue;
            }
            let (status, value) = app
                .call(method.clone(), w.tokens[i].as_deref(), path, body.clone())
                .await;
            if status.as_u16() != expected[i] {
                wrong.push(format!(
                    "{method} {path} as {}: {status} (expected {}) {value}",
                    ROLES[i], expected[i]
                ));
            }
            if status.is_client_error() {
                assert_eq!(
                    value["responseStatus"], "FAILURE",
                    "{method} {path}: {value}"
                );
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    // Lists are filtered, not only single reads.
    let ids = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let anna_t = w.tokens[2].as_deref().unwrap();
    let bo_t = w.tokens[3].as_deref().unwrap();
    let eve_t = w.tokens[4].as_deref().unwrap();
    assert_eq!(
        ids(&app
            .ok(g.clone(), anna_t, "/api/v1/vobjects/car__v", None)
            .await),
        std::slice::from_ref(r1)
    );
    assert!(ids(&app
        .ok(g.clone(), bo_t, "/api/v1/vobjects/car__v", None)
        .await)
    .is_empty());
    assert_eq!(
        ids(&app
            .ok(g.clone(), eve_t, "/api/v1/vobjects/car__v", None)
            .await),
        std::slice::from_ref(r3)
    );
    assert_eq!(
        ids(&app.ok(g.clone(), anna_t, "/api/v1/users", None).await),
        std::slice::from_ref(au)
    );
    let tasks = app
        .ok(g.clone(), anna_t, "/api/v1/tasks?limit=1000", None)
        .await;
    assert!(tasks
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["assignee__v"] == json!(au)));
    let tickets = app.ok(g.clone(), bo_t, "/api/v1/tickets", None).await;
    assert!(
        tickets
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["author__v"] != json!(au)),
        "another's tickets stay private"
    );
    let tasks = app
        .ok(
            g.clone(),
            bo_t,
            &format!("/api/v1/tasks?record__v={r1}"),
            None,
        )
        .await;
    assert!(
        tasks.as_array().unwrap().is_empty(),
        "a filter cannot widen what is visible"
    );
    let mine = app
        .ok(
            g.clone(),
            anna_t,
            &format!("/api/v1/vobjects/car__v/{r1}"),
            None,
        )
        .await;
    let keys: Vec<&String> = mine.as_object().unwrap().keys().collect();
    assert!(
        !keys
            .iter()
            .any(|k| *k == "created_by__v" || *k == "created_date__v"),
        "only visible fields: {keys:?}"
    );
}
both_backends!(
    authorisation_matrix,
    every_endpoint_answers_every_role_as_it_should
);

/// A caller without the role an endpoint needs is refused before its body is looked at: a
/// malformed body from it answers 403, not a 400 that would describe what the body lacks.
async fn refusals_come_before_body_checks(app: TestApp) {
    let w = world(&app).await;
    let internal = w.tokens[1].clone().unwrap();
    let external = w.tokens[2].clone().unwrap();
    let bad = json!({"no_such_field": 1});
    let admin_only: [(Method, String); 6] = [
        (Method::POST, "/api/v1/users".into()),
        (Method::POST, "/api/v1/scim-tokens".into()),
        (Method::PATCH, format!("/api/v1/users/{}", w.anna_user)),
        (Method::PUT, "/api/v1/licenses".into()),
        (
            Method::PUT,
            "/api/v1/notification-templates/ext_collab_welcome_scar__v".into(),
        ),
        (
            Method::POST,
            "/api/v1/notification-templates/ext_collab_welcome_scar__v/preview".into(),
        ),
    ];
    for (method, path) in &admin_only {
        for token in [&internal, &external] {
            let (status, body) = app
                .call(method.clone(), Some(token), path, Some(bad.clone()))
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {body}");
            assert_eq!(body["errors"][0]["type"], "INSUFFICIENT_ACCESS");
        }
    }
    let internal_only: [(Method, String); 4] = [
        (Method::POST, "/api/v1/vobjects/car__v".into()),
        (Method::POST, "/api/v1/vobjects/organization__v".into()),
        (
            Method::POST,
            "/api/v1/vobjects/car__v/actions/change_state_to_pending_response__c".into(),
        ),
        (Method::POST, format!("/api/v1/tickets/{}/answer", w.ticket)),
    ];
    for (method, path) in &internal_only {
        let (status, body) = app
            .call(method.clone(), Some(&external), path, Some(bad.clone()))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {body}");
    }
}
both_backends!(refusals_first, refusals_come_before_body_checks);

async fn sign_in_attempts_are_limited_per_user_and_per_address(backend: support::Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.login_failures_per_user = 3;
        s.login_failures_per_address = 6;
    })
    .await
    else {
        return;
    };
    for _ in 0..3 {
        assert_eq!(
            app.try_login("admin", "wrong password!").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, body) = app.try_login("admin", support::ADMIN_PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits: {body}"
    );
    assert_eq!(body["errors"][0]["type"], "API_LIMIT_EXCEEDED");
    // Other usernames from the same address, until the address limit: every attempt counts,
    // also the refused one above (4 so far).
    for name in ["nobody-1", "nobody-2"] {
        let (status, _) = app.try_login(name, "whatever password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = app.try_login("nobody-3", "whatever password").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
}
per_backend!(
    rate_limits,
    sign_in_attempts_are_limited_per_user_and_per_address
);

async fn sessions_end_when_idle_too_long(backend: support::Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| s.session_idle_seconds = 1).await else {
        return;
    };
    let (status, _) = app.get(&app.admin, "/api/v1/users").await;
    assert_eq!(status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    let (status, body) = app.get(&app.admin, "/api/v1/users").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}
per_backend!(idle_sessions, sessions_end_when_idle_too_long);

async fn sessions_end_at_their_absolute_limit(backend: support::Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| s.session_max_seconds = 1).await else {
        return;
    };
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        let _ = app.get(&app.admin, "/api/v1/users").await;
    }
    let (status, _) = app.get(&app.admin, "/api/v1/users").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "used all along, but older than its limit"
    );
}
per_backend!(absolute_sessions, sessions_end_at_their_absolute_limit);

async fn the_audit_trail_exports_filters_and_verifies(app: TestApp) {
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let r = app.record("car__v", "SCAR-1", &acme, &[&anna]).await;
    app.send("car__v", &r).await;
    let verify = app
        .ok(Method::GET, &app.admin, "/api/v1/audit/verify", None)
        .await;
    assert_eq!(verify["intact"], true, "{verify}");
    assert!(verify["entries"].as_i64().unwrap() > 10);

    let all = app
        .ok(Method::GET, &app.admin, "/api/v1/audit?limit=1000", None)
        .await;
    let first = all.as_array().unwrap().last().unwrap()["timestamp"]
        .as_str()
        .unwrap()
        .to_string();
    let future = app
        .ok(
            Method::GET,
            &app.admin,
            "/api/v1/audit?from=2999-01-01T00:00:00Z",
            None,
        )
        .await;
    assert!(future.as_array().unwrap().is_empty());
    let since = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/audit?limit=1000&from={first}"),
            None,
        )
        .await;
    assert_eq!(
        since.as_array().unwrap().len(),
        all.as_array().unwrap().len()
    );
    let sharing = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/audit?record__v={r}&action=sharing.granted"),
            None,
        )
        .await;
    assert_eq!(
        sharing[0]["after"]["sponsor"],
        all.as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "record.created")
            .unwrap()["actor"],
        "every external access has its sponsor"
    );

    let resp = app
        .client
        .get(format!("{}/api/v1/audit/export?record__v={r}", app.base))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = resp.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("id,timestamp,actor,action"));
    assert!(
        lines.iter().any(|l| l.contains(",user.activated,")),
        "{csv}"
    );
    assert!(
        lines.iter().any(|l| l.contains("\"{\"\"state__v\"\":")),
        "JSON cells are quoted: {csv}"
    );

    // Someone edits the trail behind Portico's back: verification names the entry.
    let store = app.running.app.store();
    store
        .execute_raw(
            "UPDATE audit_trail SET cause = 'nothing to see' WHERE action = 'user.activated'",
        )
        .await
        .unwrap();
    let verify = app
        .ok(Method::GET, &app.admin, "/api/v1/audit/verify", None)
        .await;
    assert_eq!(verify["intact"], false);
    let activated = app
        .ok(
            Method::GET,
            &app.admin,
            "/api/v1/audit?action=user.activated",
            None,
        )
        .await;
    assert_eq!(verify["broken_at"], activated[0]["id"]);
    assert!(verify["reason"].as_str().unwrap().contains("changed"));
}
both_backends!(audit_trail, the_audit_trail_exports_filters_and_verifies);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portico_audit_verify_names_an_edited_entry() {
    let app = TestApp::spawn(support::Backend::Sqlite).await.unwrap();
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let r = app.record("car__v", "SCAR-1", &acme, &[&anna]).await;
    app.send("car__v", &r).await;
    let url = app.running.app.store().url().to_string();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
            .args(["audit", "verify", "--database-url", &url])
            .output()
            .unwrap()
    };
    let ok = run();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("intact"));
    let created = app
        .ok(
            Method::GET,
            &app.admin,
            "/api/v1/audit?action=organization.created",
            None,
        )
        .await;
    let seq = created[0]["id"].as_i64().unwrap();
    app.running
        .app
        .store()
        .execute_raw(&format!(
            "UPDATE audit_trail SET after_json = '{{\"name__v\":\"Evil\"}}' WHERE seq = {seq}"
        ))
        .await
        .unwrap();
    let broken = run();
    assert!(!broken.status.success());
    let out = String::from_utf8_lossy(&broken.stdout);
    assert!(out.contains(&format!("BROKEN at entry {seq}")), "{out}");
}

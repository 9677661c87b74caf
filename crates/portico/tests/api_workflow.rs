//! Tasks, the review loop, reassignment with checklists, notifications and bulk actions over
//! HTTP, on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::names::SCAR;
use support::TestApp;

async fn open_tasks(app: &TestApp, token: &str, record: &str) -> Vec<Value> {
    let d = app
        .ok(
            Method::GET,
            token,
            &format!("/api/v1/tasks?record__v={record}&status__v=open__v"),
            None,
        )
        .await;
    d.as_array().unwrap().clone()
}

async fn state(app: &TestApp, record: &str) -> String {
    app.ok(
        Method::GET,
        &app.admin,
        &format!("/api/v1/vobjects/{SCAR}/{record}"),
        None,
    )
    .await["state__v"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn notification_kinds(app: &TestApp, token: &str) -> Vec<String> {
    let d = app
        .ok(Method::GET, token, "/api/v1/notifications", None)
        .await;
    d.as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn the_response_review_loop_runs_to_closure(app: TestApp) {
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let scar = app.record(SCAR, "SCAR-1", &acme, &[&anna]).await;
    app.send(SCAR, &scar).await;
    let ext = app
        .accept_welcome(&app.email_of(&anna).await, "anna-secret-password")
        .await;

    // The collaborator sees its task and answers it; the record goes to review.
    let tasks = open_tasks(&app, &ext, &scar).await;
    assert_eq!(tasks.len(), 1);
    assert!(tasks[0]["instructions__v"]
        .as_str()
        .unwrap()
        .contains("SCAR-1"));
    assert!(tasks[0]["due_date__v"].is_string());
    let (status, body) = app
        .post(
            &ext,
            &format!(
                "/api/v1/tasks/{}/complete",
                tasks[0]["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a response is required: {body}"
    );
    assert_eq!(body["errors"][0]["type"], "PARAMETER_REQUIRED");
    let done = app
        .ok(
            Method::POST,
            &ext,
            &format!(
                "/api/v1/tasks/{}/complete",
                tasks[0]["id"].as_str().unwrap()
            ),
            Some(json!({"response": "Root cause: worn tool"})),
        )
        .await;
    assert_eq!(done["status__v"], "completed__v");
    assert_eq!(done["response__v"], "Root cause: worn tool");
    assert_eq!(done["state_change"]["to"], "in_review__c");
    assert_eq!(state(&app, &scar).await, "in_review__c");

    // Reject: a reason is required, and it reaches the collaborator's new task.
    let (status, body) = app
        .action(
            SCAR,
            &scar,
            "change_state_to_pending_response__c",
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["type"], "PARAMETER_REQUIRED");
    let (status, body) = app
        .action(
            SCAR,
            &scar,
            "change_state_to_pending_response__c",
            json!({"reason": "no evidence of the tool change"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body["data"]["users_activated"]
            .as_array()
            .unwrap()
            .is_empty(),
        "no new welcome on a rejection"
    );
    let tasks = open_tasks(&app, &ext, &scar).await;
    assert_eq!(tasks.len(), 1);
    assert!(tasks[0]["instructions__v"]
        .as_str()
        .unwrap()
        .contains("no evidence of the tool change"));
    let kinds = notification_kinds(&app, &ext).await;
    assert_eq!(
        kinds,
        ["task_assigned", "response_rejected", "task_assigned"],
        "newest first"
    );

    // Respond again, accept: closed, and the account is done.
    app.ok(
        Method::POST,
        &ext,
        &format!(
            "/api/v1/tasks/{}/complete",
            tasks[0]["id"].as_str().unwrap()
        ),
        Some(json!({"response": "Photo of the new tool attached"})),
    )
    .await;
    assert_eq!(state(&app, &scar).await, "in_review__c");
    let (status, body) = app
        .action(SCAR, &scar, "change_state_to_closed__c", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["data"]["notifications"][0]["kind"],
        "response_accepted"
    );
    assert_eq!(app.user_of(&anna).await["status__v"], "inactive__v");
}
both_backends!(review_loop, the_response_review_loop_runs_to_closure);

async fn internal_users_complete_on_behalf_and_cancel_tasks(app: TestApp) {
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let bo = app.person(&acme, "Bo", "Lind").await;
    let scar = app.record(SCAR, "SCAR-1", &acme, &[&anna, &bo]).await;
    app.send(SCAR, &scar).await;
    let tasks = open_tasks(&app, &app.admin, &scar).await;
    assert_eq!(tasks.len(), 2);
    let ext = app
        .accept_welcome(&app.email_of(&anna).await, "anna-secret-password")
        .await;
    let bos = tasks.iter().find(|t| t["person__v"] == json!(bo)).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let annas = tasks
        .iter()
        .find(|t| t["person__v"] == json!(anna))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // An external collaborator neither sees nor touches another's task.
    let (status, _) = app.get(&ext, &format!("/api/v1/tasks/{bos}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .post(
            &ext,
            &format!("/api/v1/tasks/{bos}/complete"),
            json!({"response": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .post(&ext, &format!("/api/v1/tasks/{annas}/cancel"), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // The admin answers for Bo: recorded as on behalf.
    let done = app
        .ok(
            Method::POST,
            &app.admin,
            &format!("/api/v1/tasks/{bos}/complete"),
            Some(json!({"response": "answered by phone"})),
        )
        .await;
    assert_eq!(done["on_behalf_of_assignee"], true);
    let audit = app
        .ok(
            Method::GET,
            &app.admin,
            "/api/v1/audit?action=task.completed",
            None,
        )
        .await;
    assert!(
        audit[0]["cause"].as_str().unwrap().contains("on behalf"),
        "{audit}"
    );
    assert_eq!(
        state(&app, &scar).await,
        "pending_response__c",
        "Anna has not answered yet"
    );

    // Cancelling Anna's task leaves the record where it is.
    let cancelled = app
        .ok(
            Method::POST,
            &app.admin,
            &format!("/api/v1/tasks/{annas}/cancel"),
            Some(json!({})),
        )
        .await;
    assert_eq!(cancelled["status__v"], "cancelled__v");
    assert_eq!(state(&app, &scar).await, "pending_response__c");
    let (status, body) = app
        .post(
            &app.admin,
            &format!("/api/v1/tasks/{annas}/complete"),
            json!({"response": "late"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a cancelled task cannot be completed: {body}"
    );
}
both_backends!(
    on_behalf,
    internal_users_complete_on_behalf_and_cancel_tasks
);

async fn reassignment_moves_open_checklists_and_ends_the_prior_access(app: TestApp) {
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let bo = app.person(&acme, "Bo", "Lind").await;
    let scar = app.record(SCAR, "SCAR-1", &acme, &[&anna]).await;
    app.send(SCAR, &scar).await;
    let ext = app
        .accept_welcome(&app.email_of(&anna).await, "anna-secret-password")
        .await;
    let path = format!("/api/v1/vobjects/{SCAR}/{scar}/checklists");
    let open = app
        .ok(Method::POST, &app.admin, &path, Some(json!({"name__v": "8D", "assignee__v": anna, "items": [{"question": "Root cause?"}, {"question": "Containment?"}]})))
        .await;
    let done = app
        .ok(Method::POST, &app.admin, &path, Some(json!({"name__v": "Initial", "assignee__v": anna, "items": [{"question": "Received?"}]})))
        .await;
    // Anna answers her checklists item by item.
    let open_id = open["id"].as_str().unwrap();
    let done_id = done["id"].as_str().unwrap();
    let answered = app
        .ok(
            Method::PATCH,
            &ext,
            &format!("/api/v1/checklists/{open_id}"),
            Some(json!({"items": [{"answer": "worn tool"}]})),
        )
        .await;
    assert_eq!(answered["items"][0]["answer"], "worn tool");
    assert_eq!(answered["items"][1]["answer"], Value::Null);
    let (status, body) = app
        .post(
            &ext,
            &format!("/api/v1/checklists/{open_id}/complete"),
            json!({}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "one question is unanswered: {body}"
    );
    app.ok(
        Method::PATCH,
        &ext,
        &format!("/api/v1/checklists/{done_id}"),
        Some(json!({"items": [{"answer": "yes"}]})),
    )
    .await;
    let completed = app
        .ok(
            Method::POST,
            &ext,
            &format!("/api/v1/checklists/{done_id}/complete"),
            Some(json!({})),
        )
        .await;
    assert_eq!(completed["status__v"], "completed__v");
    let (status, _) = app
        .patch(
            &ext,
            &format!("/api/v1/checklists/{done_id}"),
            json!({"items": [{"answer": "changed"}]}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "completed checklists are read-only"
    );

    // A dry run of the reassignment changes nothing.
    let (status, preview) = app
        .post(&app.admin, &format!("/api/v1/vobjects/{SCAR}/{scar}/actions/reassign_external_collaborator__v?dry_run=true"), json!({"to": bo}))
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(
        preview["data"]["checklists_reassigned"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(app.user_of(&bo).await, Value::Null);

    let (status, body) = app
        .action(
            SCAR,
            &scar,
            "reassign_external_collaborator__v",
            json!({"to": bo}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let lists = app.ok(Method::GET, &app.admin, &path, None).await;
    let assignee = |id: &str| {
        lists
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == id)
            .unwrap()["assignee__v"]
            .clone()
    };
    assert_eq!(assignee(open_id), json!(bo), "the open checklist moves");
    assert_eq!(assignee(done_id), json!(anna), "the completed one stays");
    assert!(notification_kinds(&app, &app.admin)
        .await
        .contains(&"reassignment_succeeded".to_string()));
    // Anna is inactive now: her session ended. Bo has the task.
    let (status, _) = app
        .get(&ext, &format!("/api/v1/vobjects/{SCAR}/{scar}"))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let tasks = open_tasks(&app, &app.admin, &scar).await;
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["person__v"], json!(bo));
    let (status, body) = app
        .action(
            SCAR,
            &scar,
            "reassign_external_collaborator__v",
            json!({"to": anna, "from": "per_nobody"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}
both_backends!(
    reassign_checklists,
    reassignment_moves_open_checklists_and_ends_the_prior_access
);

async fn a_bulk_action_reports_each_record_and_keeps_the_good_ones(app: TestApp) {
    let acme = app.org("Acme").await;
    let mut ids = vec![];
    for i in 0..3 {
        let p = app.person(&acme, &format!("B{i}"), "Bulk").await;
        ids.push(app.record(SCAR, &format!("SCAR-{i}"), &acme, &[&p]).await);
    }
    let empty = app.record(SCAR, "SCAR-empty", &acme, &[]).await;
    ids.insert(1, empty.clone());
    let path = format!("/api/v1/vobjects/{SCAR}/actions/change_state_to_pending_response__c");

    let preview = app
        .ok(
            Method::POST,
            &app.admin,
            &format!("{path}?dry_run=true"),
            Some(json!({"ids": ids})),
        )
        .await;
    assert_eq!(preview.as_array().unwrap().len(), 4);
    assert_eq!(
        app.licenses().await["active"],
        0,
        "a bulk dry run changes nothing"
    );

    let results = app
        .ok(Method::POST, &app.admin, &path, Some(json!({"ids": ids})))
        .await;
    let statuses: Vec<&str> = results
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["responseStatus"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["SUCCESS", "FAILURE", "SUCCESS", "SUCCESS"]);
    assert_eq!(results[1]["id"], json!(empty));
    assert_eq!(results[1]["errors"][0]["type"], "OPERATION_NOT_ALLOWED");
    assert_eq!(app.licenses().await["active"], 3);
    assert_eq!(state(&app, &empty).await, "draft__c");

    let too_many: Vec<String> = (0..501).map(|i| format!("rec_{i}")).collect();
    let (status, body) = app.post(&app.admin, &path, json!({"ids": too_many})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = app.post(&app.admin, &path, json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
both_backends!(
    bulk,
    a_bulk_action_reports_each_record_and_keeps_the_good_ones
);

/// Builds the same company on any server: 12 contacts, records sharing some of them, one
/// record with nobody, one already sent; answers the record ids in the order to run them (with
/// an unknown id) and each person's id by name.
async fn bulk_scenario(app: &TestApp) -> (Vec<String>, Vec<(String, String)>) {
    let acme = app.org("Acme").await;
    let mut people = vec![];
    for i in 0..12 {
        let name = format!("P{i}");
        people.push((name.clone(), app.person(&acme, &name, "Order").await));
    }
    let p = |i: usize| people[i].1.clone();
    let mut ids = vec![app.record(SCAR, "R0", &acme, &[&p(0)]).await];
    // R1 shares P0 with R0: P0 is activated once and answers both.
    ids.push(app.record(SCAR, "R1", &acme, &[&p(0), &p(1)]).await);
    for i in 2..10 {
        ids.push(app.record(SCAR, &format!("R{i}"), &acme, &[&p(i)]).await);
    }
    // The ten seats are gone by now: P10 is refused, P1 (already active) is not.
    ids.push(app.record(SCAR, "R10", &acme, &[&p(10)]).await);
    ids.push(app.record(SCAR, "R11", &acme, &[&p(1)]).await);
    ids.push(app.record(SCAR, "R-empty", &acme, &[]).await);
    let sent = app.record(SCAR, "R-sent", &acme, &[&p(11)]).await;
    app.send(SCAR, &sent).await;
    app.action(SCAR, &sent, "change_state_to_cancelled__c", json!({}))
        .await;
    ids.push(sent);
    ids.push("rec_unknown".into());
    (ids, people)
}

/// Everything the scenario's actions can change, named so that two servers compare equal.
async fn bulk_state(app: &TestApp, people: &[(String, String)], ids: &[String]) -> Vec<String> {
    let licenses = app.licenses().await;
    let mut out = vec![format!(
        "licenses {} of {}",
        licenses["active"], licenses["seats"]
    )];
    for (name, id) in people {
        let u = app.user_of(id).await;
        out.push(format!("{name}: {} {}", u["username__v"], u["status__v"]));
    }
    for id in ids.iter().filter(|id| id.as_str() != "rec_unknown") {
        let tasks = open_tasks(app, &app.admin, id).await.len();
        out.push(format!("{}: {} tasks", state(app, id).await, tasks));
    }
    let mut mails: Vec<String> = app
        .outbox()
        .await
        .iter()
        .map(|m| format!("{} {}", m["to"], m["template"]))
        .collect();
    mails.sort();
    out.extend(mails);
    let audit = app
        .ok(Method::GET, &app.admin, "/api/v1/audit/verify", None)
        .await;
    out.push(format!("audit intact {}", audit["intact"]));
    // Addresses end with the organization's id, which differs from server to server.
    let org = app.first_org().await;
    let suffix = &org[org.len() - 6..];
    out.iter().map(|l| l.replace(suffix, "ORG")).collect()
}

async fn a_bulk_action_decides_as_single_actions_in_order(backend: support::Backend) {
    let send = "change_state_to_pending_response__c";
    let (Some(bulk), Some(single)) = (TestApp::spawn(backend).await, TestApp::spawn(backend).await)
    else {
        return;
    };
    let (ids, people) = bulk_scenario(&bulk).await;
    let path = format!("/api/v1/vobjects/{SCAR}/actions/{send}");
    let outcomes = |results: Value| -> Vec<String> {
        results
            .as_array()
            .unwrap()
            .iter()
            .map(|r| format!("{} {}", r["responseStatus"], r["errors"][0]["type"]))
            .collect()
    };
    let before = bulk_state(&bulk, &people, &ids).await;
    let preview = bulk
        .ok(
            Method::POST,
            &bulk.admin,
            &format!("{path}?dry_run=true"),
            Some(json!({ "ids": ids })),
        )
        .await;
    assert_eq!(bulk_state(&bulk, &people, &ids).await, before);
    let results = bulk
        .ok(
            Method::POST,
            &bulk.admin,
            &path,
            Some(json!({ "ids": ids })),
        )
        .await;
    let bulk_outcomes = outcomes(results);
    assert_eq!(
        outcomes(preview),
        bulk_outcomes,
        "the preview is the action"
    );

    let (single_ids, single_people) = bulk_scenario(&single).await;
    let mut single_outcomes = vec![];
    for id in &single_ids {
        let (_, body) = single.action(SCAR, id, send, json!({})).await;
        single_outcomes.push(format!(
            "{} {}",
            body["responseStatus"], body["errors"][0]["type"]
        ));
    }
    assert_eq!(bulk_outcomes, single_outcomes);
    assert_eq!(
        bulk_outcomes
            .iter()
            .filter(|o| o.starts_with("\"SUCCESS"))
            .count(),
        11,
        "{bulk_outcomes:?}"
    );
    assert!(bulk_outcomes[10].contains("LICENSE_LIMIT_EXCEEDED"));
    assert_eq!(
        bulk_state(&bulk, &people, &ids).await,
        bulk_state(&single, &single_people, &single_ids).await
    );
}
per_backend!(
    bulk_in_order,
    a_bulk_action_decides_as_single_actions_in_order
);

async fn notifications_are_private_and_can_be_marked_read(app: TestApp) {
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let scar = app.record(SCAR, "SCAR-1", &acme, &[&anna]).await;
    app.send(SCAR, &scar).await;
    let ext = app
        .accept_welcome(&app.email_of(&anna).await, "anna-secret-password")
        .await;
    let mine = app
        .ok(Method::GET, &ext, "/api/v1/notifications?unread=true", None)
        .await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["record__v"], json!(scar));
    let id = mine[0]["id"].as_str().unwrap();
    let (status, _) = app
        .post(
            &app.admin,
            &format!("/api/v1/notifications/{id}/read"),
            json!({}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "someone else's notification does not exist for the admin"
    );
    app.ok(
        Method::POST,
        &ext,
        &format!("/api/v1/notifications/{id}/read"),
        Some(json!({})),
    )
    .await;
    let unread = app
        .ok(Method::GET, &ext, "/api/v1/notifications?unread=true", None)
        .await;
    assert!(unread.as_array().unwrap().is_empty());
}
both_backends!(
    notifications,
    notifications_are_private_and_can_be_marked_read
);

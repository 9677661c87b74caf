//! The license waitlist (issue 17, SPEC sections 10 and 11) through the HTTP API, on SQLite and
//! on PostgreSQL, with the shipped `examples/waitlist.toml` (CARs queue, the other types
//! refuse): who waits, in which order, what frees a seat and who gets it, and that the seats
//! hold under concurrent frees and activations.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::names::{CANCEL, CLOSE, NCR, SCAR};
use support::{Backend, TestApp};

/// A server with the waitlist configuration and a full pool (`TestApp::fill_pool`).
async fn full_app(backend: Backend) -> Option<(TestApp, Vec<String>, String)> {
    let app = TestApp::spawn_waitlist(backend).await?;
    let (ncrs, acme) = app.fill_pool().await;
    Some((app, ncrs, acme))
}

async fn waitlist(app: &TestApp) -> Vec<Value> {
    app.ok(Method::GET, &app.admin, "/api/v1/licenses/waitlist", None)
        .await
        .as_array()
        .unwrap()
        .clone()
}

/// (person, record) of each entry, in order.
async fn queue(app: &TestApp) -> Vec<(String, String)> {
    waitlist(app)
        .await
        .iter()
        .map(|w| {
            (
                w["person__v"].as_str().unwrap().to_string(),
                w["record__v"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn audit(app: &TestApp, action: &str) -> Vec<Value> {
    app.ok(
        Method::GET,
        &app.admin,
        &format!("/api/v1/audit?action={action}"),
        None,
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

/// The text of some HTML as a reader sees it: tags (and their attributes) left out.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn error_type(body: &Value) -> &str {
    body["errors"][0]["type"].as_str().unwrap_or_default()
}

async fn no_seat_queues_in_order_and_other_types_still_refuse(backend: Backend) {
    let Some((app, _, acme)) = full_app(backend).await else {
        return;
    };
    let anna = app.person(&acme, "Anna", "Berg").await;
    let bob = app.person(&acme, "Bob", "Carr").await;
    let carl = app.person(&acme, "Carl", "Dahl").await;

    let (first, plan) = app.scar_sent_by(&app.admin, "SCAR-A", &acme, &anna).await;
    assert_eq!(plan["waiting"], json!([anna]), "{plan}");
    assert_eq!(plan["seats_taken"], 0);
    assert_eq!(plan["users_created"], json!([]));
    assert_eq!(plan["users_activated"], json!([]));
    assert_eq!(plan["tasks_created"], json!([]));
    assert_eq!(plan["emails"], json!([]));
    assert_eq!(plan["record"]["state__v"], "pending_response__c");
    assert!(
        app.user_of(&anna).await.is_null(),
        "no user is made while waiting"
    );
    let (second, _) = app.scar_sent_by(&app.admin, "SCAR-B", &acme, &bob).await;
    assert_eq!(app.licenses().await["active"], 10);

    // The dry run says who would wait and changes nothing.
    let third = app.record(SCAR, "SCAR-C", &acme, &[&carl]).await;
    let (status, preview) = app
        .post(
            &app.admin,
            &format!("/api/v1/vobjects/{SCAR}/{third}/actions/change_state_to_pending_response__c?dry_run=true"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["data"]["dry_run"], true);
    assert_eq!(preview["data"]["waiting"], json!([carl]));
    // So does a bulk preview.
    let (status, bulk) = app
        .post(
            &app.admin,
            &format!(
                "/api/v1/vobjects/{SCAR}/actions/change_state_to_pending_response__c?dry_run=true"
            ),
            json!({"ids": [third]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{bulk}");
    assert_eq!(bulk["data"][0]["data"]["waiting"], json!([carl]), "{bulk}");

    // FIFO, with who asked and when.
    let entries = waitlist(&app).await;
    assert_eq!(
        queue(&app).await,
        [(anna.clone(), first.clone()), (bob.clone(), second.clone())]
    );
    assert_eq!(entries[0]["person_name"], "Anna Berg");
    assert_eq!(entries[0]["record_name"], "SCAR-A");
    assert_eq!(entries[0]["object__v"], SCAR);
    assert_eq!(
        entries[0]["requested_by_name"].as_str().map(str::is_empty),
        Some(false)
    );
    let queued_at = entries[0]["queued_at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(queued_at).is_ok(),
        "{queued_at}"
    );
    assert!(entries[0]["queued_at"].as_str() <= entries[1]["queued_at"].as_str());

    // The record shows who waits.
    let record = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/{SCAR}/{first}"),
            None,
        )
        .await;
    assert_eq!(record["waiting_collaborators__v"], json!([anna]));
    let queued = audit(&app, "waitlist.queued").await;
    assert_eq!(queued.len(), 2);

    // The pages say it in plain words: names, labels, dates as people read them.
    let licenses = app.admin_page("/licenses").await;
    assert!(
        licenses.contains("Waiting for an external seat"),
        "{licenses}"
    );
    let row = &licenses[licenses.find("Waiting for an external seat").unwrap()..];
    let row = &row[..row.find("</table>").unwrap()];
    let requester = entries[0]["requested_by_name"].as_str().unwrap();
    for shown in [
        "Anna Berg",
        "Bob Carr",
        "SCAR-A",
        "SCAR-B",
        "SCAR",
        requester,
    ] {
        assert!(row.contains(shown), "{shown}: {row}");
    }
    assert!(row.find("Anna Berg") < row.find("Bob Carr"), "oldest first");
    let visible = visible_text(row);
    for hidden in [anna.as_str(), first.as_str(), "car__v", queued_at] {
        assert!(!visible.contains(hidden), "{hidden} is shown: {visible}");
    }
    let page = app.admin_page(&format!("/records/{SCAR}/{first}")).await;
    assert!(page.contains("Waiting for a free external seat"), "{page}");
    assert!(visible_text(&page).contains("Anna Berg — waiting since"));
    // Its history says it in words too.
    assert!(
        visible_text(&page).contains("Anna Berg waits for a free external seat to work on SCAR-A"),
        "{page}"
    );

    // A type without the queue refuses as before, and keeps nothing.
    let dave = app.person(&acme, "Dave", "Eck").await;
    let ncr = app.record(NCR, "NCR-X", &acme, &[&dave]).await;
    let (status, body) = app
        .action(NCR, &ncr, "change_state_to_pending_response__c", json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_type(&body), "LICENSE_LIMIT_EXCEEDED");
    assert_eq!(waitlist(&app).await.len(), 2);
    assert!(app.user_of(&dave).await.is_null());
}

per_backend!(
    no_seat_queues_in_order_and_other_types_still_refuse,
    no_seat_queues_in_order_and_other_types_still_refuse
);

async fn a_seat_freed_by_an_exit_goes_to_the_oldest_and_the_requester_is_told(backend: Backend) {
    let Some((app, ncrs, acme)) = full_app(backend).await else {
        return;
    };
    let (lead, lead_token) = app.internal_user("lead").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let bob = app.person(&acme, "Bob", "Carr").await;
    let (first, _) = app.scar_sent_by(&lead_token, "SCAR-A", &acme, &anna).await;
    let (second, _) = app.scar_sent_by(&app.admin, "SCAR-B", &acme, &bob).await;
    // Anna waits on a second SCAR too, behind Bob.
    let (third, _) = app.scar_sent_by(&app.admin, "SCAR-C", &acme, &anna).await;

    let (status, body) = app.action(NCR, &ncrs[0], CLOSE, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["seats_freed"], 1);

    // Anna got the seat in that same request: activated, welcomed, tasked, sponsored by the
    // lead who asked for her; the lead is told.
    let user = app.user_of(&anna).await;
    assert_eq!(user["status__v"], "active__v", "{user}");
    assert_eq!(app.licenses().await["active"], 10);
    let welcome: Vec<Value> = app
        .outbox()
        .await
        .into_iter()
        .filter(|e| e["template"] == "ext_collab_welcome_scar__v")
        .collect();
    assert_eq!(welcome.len(), 1);
    assert_eq!(welcome[0]["to"], app.email_of(&anna).await);
    let assignments = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/assignments?record__v={first}&assignment_activity__v=active__v"),
            None,
        )
        .await;
    assert_eq!(assignments[0]["sponsor__v"], lead);
    let tasks = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/tasks?record__v={first}&status__v=open__v"),
            None,
        )
        .await;
    assert_eq!(tasks.as_array().unwrap().len(), 1, "{tasks}");
    let told = app
        .ok(Method::GET, &lead_token, "/api/v1/notifications", None)
        .await;
    let told: Vec<&Value> = told
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "waitlist_served")
        .collect();
    assert_eq!(told.len(), 1);
    assert!(told[0]["message"].as_str().unwrap().contains("Anna Berg"));
    assert_eq!(told[0]["record__v"], first);
    // Audited with the cause.
    // Her account active, her wait on the third SCAR needed no seat: served at once too.
    let served = audit(&app, "waitlist.served").await;
    assert_eq!(served.len(), 2);
    assert!(served.iter().all(|e| e["cause"] == "waitlist"));
    let on_third = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/assignments?record__v={third}&assignment_activity__v=active__v"),
            None,
        )
        .await;
    assert_eq!(on_third.as_array().unwrap().len(), 1, "{on_third}");
    let activated = audit(&app, "user.activated").await;
    assert!(activated.iter().any(|e| e["cause"] == "waitlist"));

    assert_eq!(queue(&app).await, [(bob.clone(), second.clone())]);
    let record = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/{SCAR}/{first}"),
            None,
        )
        .await;
    assert_eq!(record["waiting_collaborators__v"], json!([]));

    // Seats bought go to the queue at once too.
    app.ok(
        Method::PUT,
        &app.admin,
        "/api/v1/licenses",
        Some(json!({"external_seats": 20})),
    )
    .await;
    assert!(queue(&app).await.is_empty());
    assert_eq!(app.user_of(&bob).await["status__v"], "active__v");
    assert_eq!(app.licenses().await["active"], 11);
}

per_backend!(
    a_seat_freed_by_an_exit_goes_to_the_oldest_and_the_requester_is_told,
    a_seat_freed_by_an_exit_goes_to_the_oldest_and_the_requester_is_told
);

async fn removal_and_cancelling_drop_the_entry_and_a_removal_frees_a_seat(backend: Backend) {
    let Some((app, ncrs, acme)) = full_app(backend).await else {
        return;
    };
    let anna = app.person(&acme, "Anna", "Berg").await;
    let bob = app.person(&acme, "Bob", "Carr").await;
    let carl = app.person(&acme, "Carl", "Dahl").await;
    let (first, _) = app.scar_sent_by(&app.admin, "SCAR-A", &acme, &anna).await;
    let (second, _) = app.scar_sent_by(&app.admin, "SCAR-B", &acme, &bob).await;
    let (third, _) = app.scar_sent_by(&app.admin, "SCAR-C", &acme, &carl).await;

    // Anna taken off her SCAR: her wait is dropped.
    let (status, body) = app
        .patch(
            &app.admin,
            &format!("/api/v1/vobjects/{SCAR}/{first}"),
            json!({"external_collaborator__v": []}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Bob's SCAR cancelled: his wait is dropped.
    let (status, body) = app.action(SCAR, &second, CANCEL, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["data"]["waits_ended"],
        json!([{"person__v": bob, "served": false}])
    );
    let dropped = audit(&app, "waitlist.dropped").await;
    assert_eq!(dropped.len(), 2, "{dropped:?}");
    assert_eq!(queue(&app).await, [(carl.clone(), third.clone())]);

    // A seat holder removed from its NCR frees the seat: Carl, next in line, gets it.
    let (status, body) = app
        .patch(
            &app.admin,
            &format!("/api/v1/vobjects/{NCR}/{}", ncrs[0]),
            json!({"external_collaborator__v": []}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(queue(&app).await.is_empty());
    assert_eq!(app.user_of(&carl).await["status__v"], "active__v");
    assert!(app.user_of(&anna).await.is_null() && app.user_of(&bob).await.is_null());
    assert_eq!(app.licenses().await["active"], 10);

    // With nobody waiting, a freed seat stays free.
    let (status, body) = app.action(NCR, &ncrs[1], CLOSE, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.licenses().await["available"], 1);
}

per_backend!(
    removal_and_cancelling_drop_the_entry_and_a_removal_frees_a_seat,
    removal_and_cancelling_drop_the_entry_and_a_removal_frees_a_seat
);

/// The user of the collaborator of an NCR, taken out of automation (its status is then set by
/// hand or by an identity provider); answers its id.
async fn holder_out_of_automation(app: &TestApp, ncr: &str) -> String {
    let record = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/{NCR}/{ncr}"),
            None,
        )
        .await;
    let holder = record["external_collaborator__v"][0]
        .as_str()
        .unwrap()
        .to_string();
    let user = app.user_of(&holder).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.ok(
        Method::PATCH,
        &app.admin,
        &format!("/api/v1/users/{user}"),
        Some(json!({"managed_by_qms_automation__v": false})),
    )
    .await;
    user
}

/// Runs a request again while it collides (409 "try again"), as a client would.
async fn persist(app: &TestApp, method: Method, path: String, body: Value) -> (StatusCode, Value) {
    for _ in 0..10 {
        let (status, answer) = app
            .call(method.clone(), Some(&app.admin), &path, Some(body.clone()))
            .await;
        if status == StatusCode::CONFLICT && error_type(&answer) == "OPERATION_NOT_ALLOWED" {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        }
        return (status, answer);
    }
    panic!("{path} kept colliding");
}

async fn concurrent_frees_and_activations_never_exceed_the_seats_and_keep_the_order(
    backend: Backend,
) {
    let Some((app, ncrs, acme)) = full_app(backend).await else {
        return;
    };
    // Ten collaborators wait, in a known order.
    let waiting = app.sent_scars(&acme, "Wait", "Er", 10).await;
    // Records whose sending races the frees: more SCARs (they wait behind) and NCRs (refused:
    // every seat that frees is given to the queue before anyone else sees it).
    let mut late_scars = vec![];
    let mut late_ncrs = vec![];
    for i in 0..5 {
        let p = app.person(&acme, &format!("Late{i}"), "Scar").await;
        late_scars.push(app.record(SCAR, &format!("SCAR-L{i}"), &acme, &[&p]).await);
        let q = app.person(&acme, &format!("Late{i}"), "Ncr").await;
        late_ncrs.push(app.record(NCR, &format!("NCR-L{i}"), &acme, &[&q]).await);
    }
    let send = "change_state_to_pending_response__c";
    let mut calls = vec![];
    for ncr in &ncrs[..6] {
        calls.push(persist(
            &app,
            Method::POST,
            format!("/api/v1/vobjects/{NCR}/{ncr}/actions/{CLOSE}"),
            json!({}),
        ));
    }
    for r in &late_scars {
        calls.push(persist(
            &app,
            Method::POST,
            format!("/api/v1/vobjects/{SCAR}/{r}/actions/{send}"),
            json!({}),
        ));
    }
    for r in &late_ncrs {
        calls.push(persist(
            &app,
            Method::POST,
            format!("/api/v1/vobjects/{NCR}/{r}/actions/{send}"),
            json!({}),
        ));
    }
    let answers = futures::future::join_all(calls).await;
    for (status, body) in &answers[..11] {
        assert_eq!(*status, StatusCode::OK, "{body}");
    }
    for (status, body) in &answers[11..] {
        assert_eq!(*status, StatusCode::CONFLICT, "{body}");
        assert_eq!(error_type(body), "LICENSE_LIMIT_EXCEEDED", "{body}");
    }

    // Never more than the seats, and the pool counts the active external users.
    let licenses = app.licenses().await;
    assert_eq!(licenses["active"], 10, "{licenses}");
    let users = app
        .ok(Method::GET, &app.admin, "/api/v1/users?limit=1000", None)
        .await;
    let active_external = users
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["status__v"] == "active__v" && u["license_type__v"] == "external__v")
        .count();
    assert_eq!(active_external, 10);
    // The six freed seats went to the six who waited longest; the rest wait in order, the
    // late ones behind them.
    for (i, (p, _)) in waiting.iter().enumerate() {
        let user = app.user_of(p).await;
        if i < 6 {
            assert_eq!(user["status__v"], "active__v", "Wait{i}");
        } else {
            assert!(user.is_null(), "Wait{i} still waits");
        }
    }
    let q = queue(&app).await;
    assert_eq!(q.len(), 4 + 5);
    let head: Vec<(String, String)> = waiting[6..].to_vec();
    assert_eq!(q[..4], head[..]);
    assert!(q[4..].iter().all(|(_, r)| late_scars.contains(r)));
}

per_backend!(
    concurrent_frees_and_activations_never_exceed_the_seats_and_keep_the_order,
    concurrent_frees_and_activations_never_exceed_the_seats_and_keep_the_order
);

async fn seats_freed_by_an_end_date_by_hand_and_over_scim_go_to_the_queue(backend: Backend) {
    let Some((app, ncrs, acme)) = full_app(backend).await else {
        return;
    };
    let anna = app.person(&acme, "Anna", "Berg").await;
    let bob = app.person(&acme, "Bob", "Carr").await;
    app.scar_sent_by(&app.admin, "SCAR-A", &acme, &anna).await;
    app.scar_sent_by(&app.admin, "SCAR-B", &acme, &bob).await;

    // An NCR's end date passed: the scheduled work ends its access, and Anna gets the seat.
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    app.ok(
        Method::PATCH,
        &app.admin,
        &format!("/api/v1/vobjects/{NCR}/{}", ncrs[0]),
        Some(json!({"access_end_date__v": yesterday})),
    )
    .await;
    let run = app
        .ok(
            Method::POST,
            &app.admin,
            "/api/v1/jobs/run-due",
            Some(json!({})),
        )
        .await;
    assert_eq!(run["ended"][0]["users_inactivated"], 1, "{run}");
    assert_eq!(app.user_of(&anna).await["status__v"], "active__v");
    assert_eq!(app.licenses().await["active"], 10);

    // A holder taken out of automation and inactivated by hand: Bob gets the seat.
    let user = holder_out_of_automation(&app, &ncrs[1]).await;
    app.ok(
        Method::PATCH,
        &app.admin,
        &format!("/api/v1/users/{user}"),
        Some(json!({"status__v": "inactive__v"})),
    )
    .await;
    assert_eq!(app.user_of(&bob).await["status__v"], "active__v");
    assert!(queue(&app).await.is_empty());
    assert_eq!(app.licenses().await["active"], 10);

    // An identity provider inactivates another holder taken out of automation (SCIM
    // `active: false`): Carl, waiting, gets the seat.
    let carl = app.person(&acme, "Carl", "Dahl").await;
    app.scar_sent_by(&app.admin, "SCAR-C", &acme, &carl).await;
    let user = holder_out_of_automation(&app, &ncrs[2]).await;
    let scim_token = support::scim::token(&app, "Okta").await;
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                       "Operations": [{"op": "replace", "value": {"active": false}}]});
    let r = app
        .client
        .patch(format!("{}/scim/v2/Users/{user}", app.base))
        .bearer_auth(&scim_token)
        .header("content-type", "application/scim+json")
        .body(patch.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    assert_eq!(app.user_of(&carl).await["status__v"], "active__v");
    assert!(queue(&app).await.is_empty());
    assert_eq!(app.licenses().await["active"], 10);

    let served = audit(&app, "waitlist.served").await;
    assert_eq!(served.len(), 3);
    assert!(served.iter().all(|e| e["cause"] == "waitlist"));
}

per_backend!(
    seats_freed_by_an_end_date_by_hand_and_over_scim_go_to_the_queue,
    seats_freed_by_an_end_date_by_hand_and_over_scim_go_to_the_queue
);

/// An access review that removes a seat holder's access frees its seat, and the seat goes to
/// the oldest waiting collaborator in the same transaction, like every other path.
async fn a_seat_freed_by_an_access_review_goes_to_the_queue(backend: Backend) {
    let Some((app, ncrs, acme)) = full_app(backend).await else {
        return;
    };
    let anna = app.person(&acme, "Anna", "Berg").await;
    app.scar_sent_by(&app.admin, "SCAR-A", &acme, &anna).await;
    assert_eq!(queue(&app).await.len(), 1);

    let record = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/{NCR}/{}", ncrs[0]),
            None,
        )
        .await;
    let holder = record["external_collaborator__v"][0].as_str().unwrap();
    let holder_user = app.user_of(holder).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let opened =
        support::staff::open_review(&app, json!({"due_in_days": 7, "default_decision": "keep"}))
            .await;
    let review = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/access-reviews/{}", opened["id"].as_str().unwrap()),
            None,
        )
        .await;
    let path = support::staff::decide_path(&review, support::staff::item_of(&review, &holder_user));
    app.ok(
        Method::POST,
        &app.admin,
        &path,
        Some(json!({"decision": "remove", "reason": "contract ended"})),
    )
    .await;

    assert_eq!(app.user_of(holder).await["status__v"], "inactive__v");
    assert_eq!(app.user_of(&anna).await["status__v"], "active__v");
    assert!(queue(&app).await.is_empty());
    assert_eq!(app.licenses().await["active"], 10);
    let served = audit(&app, "waitlist.served").await;
    assert_eq!(served.len(), 1);
    assert_eq!(served[0]["cause"], "waitlist");
}

per_backend!(
    a_seat_freed_by_an_access_review,
    a_seat_freed_by_an_access_review_goes_to_the_queue
);

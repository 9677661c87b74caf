//! The collaboration rules through the HTTP API, on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::names::SCAR;
use support::TestApp;

fn emails_to<'a>(outbox: &'a [Value], to: &str) -> Vec<&'a str> {
    outbox
        .iter()
        .filter(|m| m["to"] == to)
        .map(|m| m["template"].as_str().unwrap_or(""))
        .collect()
}

async fn a_scar_sent_to_the_supplier_activates_its_contact_end_to_end(app: TestApp) {
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let anna_email = app.email_of(&anna).await;
    let scar = app.record(SCAR, "SCAR-1", &acme, &[&anna]).await;

    // Dry run: the plan, and nothing changed.
    let (status, preview) = app
        .post(&app.admin, &format!("/api/v1/vobjects/{SCAR}/{scar}/actions/change_state_to_pending_response__c?dry_run=true"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let plan = &preview["data"];
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["users_created"].as_array().unwrap().len(), 1);
    assert_eq!(plan["seats_taken"], 1);
    assert_eq!(
        plan["emails"].as_array().unwrap().len(),
        2,
        "Welcome and task: {plan}"
    );
    assert_eq!(
        app.user_of(&anna).await,
        Value::Null,
        "a dry run creates no user"
    );
    assert!(app.outbox().await.is_empty(), "a dry run sends nothing");
    assert_eq!(app.licenses().await["active"], 0);

    // The real thing.
    let done = app.send(SCAR, &scar).await;
    assert_eq!(done["dry_run"], false);
    assert_eq!(done["record"]["state__v"], "pending_response__c");
    let user = app.user_of(&anna).await;
    assert_eq!(user["status__v"], "active__v");
    assert_eq!(user["license_type__v"], "external__v");
    assert_eq!(user["managed_by_qms_automation__v"], true);
    assert_eq!(user["security_profile__v"], "external_collaborator");
    assert_eq!(app.licenses().await["active"], 1);
    let assignments = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/assignments?record__v={scar}&assignment_activity__v=active__v"),
            None,
        )
        .await;
    assert_eq!(assignments.as_array().unwrap().len(), 1);
    let outbox = app.outbox().await;
    let mut sent = emails_to(&outbox, &anna_email);
    sent.sort();
    assert_eq!(
        sent,
        ["ext_collab_task_scar__v", "ext_collab_welcome_scar__v"]
    );
    let tasks = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/tasks?record__v={scar}&status__v=open__v"),
            None,
        )
        .await;
    assert_eq!(tasks.as_array().unwrap().len(), 1);

    // The collaborator sets its password from the Welcome link and sees exactly its record.
    let ext = app
        .accept_welcome(&anna_email, "anna-secret-password")
        .await;
    let other = app.record(SCAR, "SCAR-2", &acme, &[&anna]).await;
    let (status, mine) = app
        .get(&ext, &format!("/api/v1/vobjects/{SCAR}/{scar}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["data"]["name__v"], "SCAR-1");
    assert!(
        mine["data"].get("created_by__v").is_none(),
        "only fields visible to externals"
    );
    let (status, _) = app
        .get(&ext, &format!("/api/v1/vobjects/{SCAR}/{other}"))
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a record not shared does not exist for it"
    );
    let listed = app
        .ok(Method::GET, &ext, &format!("/api/v1/vobjects/{SCAR}"), None)
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let (status, body) = app
        .patch(
            &ext,
            &format!("/api/v1/vobjects/{SCAR}/{scar}"),
            json!({"name__v": "mine now"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["errors"][0]["type"], "INSUFFICIENT_ACCESS");
    let (status, _) = app.get(&ext, "/api/v1/vobjects/organization__v").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Closing the last request inactivates the user, frees its seat, says Goodbye and ends
    // its session at once.
    for action in ["change_state_to_in_review__c", "change_state_to_closed__c"] {
        let (status, body) = app.action(SCAR, &scar, action, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(app.user_of(&anna).await["status__v"], "inactive__v");
    assert_eq!(app.licenses().await["active"], 0);
    assert!(emails_to(&app.outbox().await, &anna_email).contains(&"ext_collab_goodbye_scar__v"));
    let (status, body) = app
        .get(&ext, &format!("/api/v1/vobjects/{SCAR}/{scar}"))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["errors"][0]["type"], "INVALID_SESSION_ID");
    let (status, body) = app
        .call(
            Method::POST,
            None,
            "/api/v1/auth",
            Some(json!({"username": anna_email, "password": "anna-secret-password"})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "an inactive user cannot sign in: {body}"
    );

    // A new request brings the same user back with Welcome Back.
    let again = app.record("ncr__v", "NCR-1", &acme, &[&anna]).await;
    app.send("ncr__v", &again).await;
    let back = app.user_of(&anna).await;
    assert_eq!(back["id"], user["id"]);
    assert_eq!(back["status__v"], "active__v");
    assert!(emails_to(&app.outbox().await, &anna_email)
        .contains(&"ext_collab_welcome_back_supplier_ncr__v"));
    let audit = app
        .ok(
            Method::GET,
            &app.admin,
            &format!(
                "/api/v1/audit?user__v={}&action=user.activated",
                user["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    let causes: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cause"].as_str().unwrap())
        .collect();
    assert_eq!(
        causes.len(),
        2,
        "each activation is in the audit trail with its cause"
    );
    assert!(causes.iter().any(|c| c.contains(&again)), "{causes:?}");
}
both_backends!(
    scar_end_to_end,
    a_scar_sent_to_the_supplier_activates_its_contact_end_to_end
);

async fn a_contact_of_another_supplier_is_refused_and_nothing_is_saved(app: TestApp) {
    let acme = app.org("Acme").await;
    let globex = app.org("Globex").await;
    let eve = app.person(&globex, "Eve", "Stone").await;
    let (status, body) = app
        .post(
            &app.admin,
            &format!("/api/v1/vobjects/{SCAR}"),
            json!({"name__v": "SCAR-X", "supplier__v": acme, "external_collaborator__v": [eve]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["responseStatus"], "FAILURE");
    assert_eq!(body["errors"][0]["type"], "CONSTRAINT_VIOLATION");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("Eve Stone") && message.contains("organization__v = {{this.supplier__v}}"),
        "{message}"
    );
    let listed = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/{SCAR}"),
            None,
        )
        .await;
    assert!(listed.as_array().unwrap().is_empty());

    let anna = app.person(&acme, "Anna", "Berg").await;
    let scar = app.record(SCAR, "SCAR-1", &acme, &[&anna]).await;
    let (status, body) = app
        .patch(
            &app.admin,
            &format!("/api/v1/vobjects/{SCAR}/{scar}"),
            json!({"external_collaborator__v": [anna, eve]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["type"], "CONSTRAINT_VIOLATION");
    let kept = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/{SCAR}/{scar}"),
            None,
        )
        .await;
    assert_eq!(kept["external_collaborator__v"], json!([anna]));
}
both_backends!(
    constraint,
    a_contact_of_another_supplier_is_refused_and_nothing_is_saved
);

async fn no_free_seat_refuses_the_transition_and_keeps_nothing(app: TestApp) {
    let acme = app.org("Acme").await;
    for i in 0..10 {
        let p = app.person(&acme, &format!("P{i}"), "Full").await;
        let r = app
            .record("audit__qdm", &format!("AUD-{i}"), &acme, &[&p])
            .await;
        app.send("audit__qdm", &r).await;
    }
    let late = app.person(&acme, "Late", "Comer").await;
    let r = app.record("audit__qdm", "AUD-late", &acme, &[&late]).await;
    let before = app.outbox().await.len();
    let (status, body) = app
        .action(
            "audit__qdm",
            &r,
            "change_state_to_pending_response__c",
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["errors"][0]["type"], "LICENSE_LIMIT_EXCEEDED");
    assert_eq!(app.user_of(&late).await, Value::Null, "no user is kept");
    assert_eq!(app.outbox().await.len(), before, "no email is kept");
    let rec = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/audit__qdm/{r}"),
            None,
        )
        .await;
    assert_eq!(rec["state__v"], "draft__c");
    assert_eq!(app.licenses().await["active"], 10);

    // More seats, then it works.
    let (status, body) = app
        .put(
            &app.admin,
            "/api/v1/licenses",
            json!({"external_seats": 15}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "15 is not a bundle: {body}"
    );
    let (status, body) = app
        .put(
            &app.admin,
            "/api/v1/licenses",
            json!({"external_seats": 20}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["external"]["available"], 10);
    app.send("audit__qdm", &r).await;
    let (status, body) = app
        .put(
            &app.admin,
            "/api/v1/licenses",
            json!({"external_seats": 10}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "11 are active: {body}");
}
both_backends!(
    license_limit,
    no_free_seat_refuses_the_transition_and_keeps_nothing
);

async fn thirty_simultaneous_activations_for_ten_seats_let_exactly_ten_through(app: TestApp) {
    let acme = app.org("Acme").await;
    let mut records = vec![];
    for i in 0..30 {
        let p = app.person(&acme, &format!("C{i}"), "Rush").await;
        records.push(app.record(SCAR, &format!("SCAR-{i}"), &acme, &[&p]).await);
    }
    let calls = records
        .iter()
        .map(|r| app.action(SCAR, r, "change_state_to_pending_response__c", json!({})));
    let results = futures::future::join_all(calls).await;
    let ok = results.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    let refused = results
        .iter()
        .filter(|(s, b)| {
            *s == StatusCode::CONFLICT && b["errors"][0]["type"] == "LICENSE_LIMIT_EXCEEDED"
        })
        .count();
    assert_eq!(
        (ok, refused),
        (10, 20),
        "{:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    let pool = app.licenses().await;
    assert_eq!(pool["active"], 10);
    let active = app
        .ok(
            Method::GET,
            &app.admin,
            "/api/v1/users?status__v=active__v&license_type__v=external__v",
            None,
        )
        .await;
    assert_eq!(
        active.as_array().unwrap().len(),
        10,
        "the pool counter and the users agree"
    );
}
both_backends!(
    concurrent_seats,
    thirty_simultaneous_activations_for_ten_seats_let_exactly_ten_through
);

async fn removing_a_collaborator_releases_it_and_the_second_request_reuses_the_user(app: TestApp) {
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let bo = app.person(&acme, "Bo", "Lind").await;
    let first = app.record(SCAR, "SCAR-1", &acme, &[&anna, &bo]).await;
    let second = app
        .record("change_control__v", "CC-1", &acme, &[&anna])
        .await;
    app.send(SCAR, &first).await;
    let plan = app.send("change_control__v", &second).await;
    assert!(
        plan["users_created"].as_array().unwrap().is_empty(),
        "the second request reuses Anna's user"
    );
    assert!(plan["users_activated"].as_array().unwrap().is_empty());

    // Anna leaves the SCAR: her role there goes, her user stays (she still has CC-1).
    let (status, body) = app
        .patch(
            &app.admin,
            &format!("/api/v1/vobjects/{SCAR}/{first}"),
            json!({"external_collaborator__v": [bo]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.user_of(&anna).await["status__v"], "active__v");
    // Deleting CC-1 ends her last assignment.
    let (status, body) = app
        .delete(
            &app.admin,
            &format!("/api/v1/vobjects/change_control__v/{second}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.user_of(&anna).await["status__v"], "inactive__v");
    let (status, _) = app
        .get(
            &app.admin,
            &format!("/api/v1/vobjects/change_control__v/{second}"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.licenses().await["active"], 1, "only Bo holds a seat");
    let active = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/assignments?person__v={anna}&assignment_activity__v=active__v"),
            None,
        )
        .await;
    assert!(active.as_array().unwrap().is_empty());
}
both_backends!(
    removal_and_deletion,
    removing_a_collaborator_releases_it_and_the_second_request_reuses_the_user
);

async fn reassign_moves_the_work_to_another_contact(app: TestApp) {
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let bo = app.person(&acme, "Bo", "Lind").await;
    let scar = app.record(SCAR, "SCAR-1", &acme, &[&anna]).await;
    app.send(SCAR, &scar).await;
    let (status, body) = app
        .action(
            SCAR,
            &scar,
            "reassign_external_collaborator__v",
            json!({"to": bo}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rec = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/{SCAR}/{scar}"),
            None,
        )
        .await;
    assert_eq!(rec["external_collaborator__v"], json!([bo]));
    assert_eq!(app.user_of(&anna).await["status__v"], "inactive__v");
    assert_eq!(app.user_of(&bo).await["status__v"], "active__v");
    let open = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/tasks?record__v={scar}&status__v=open__v"),
            None,
        )
        .await;
    let open = open.as_array().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["person__v"], json!(bo));
}
both_backends!(reassign, reassign_moves_the_work_to_another_contact);

async fn actions_are_offered_and_refused_by_state(app: TestApp) {
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let bo = app.person(&acme, "Bo", "Lind").await;
    let scar = app.record(SCAR, "SCAR-1", &acme, &[&anna]).await;
    let actions = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/{SCAR}/{scar}/actions"),
            None,
        )
        .await;
    let names: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "change_state_to_pending_response__c",
            "change_state_to_cancelled__c"
        ]
    );
    assert_eq!(actions[0]["label"], "Send to Supplier");
    let (status, body) = app
        .action(SCAR, &scar, "change_state_to_closed__c", json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["errors"][0]["type"], "OPERATION_NOT_ALLOWED");
    let (status, body) = app
        .action(SCAR, &scar, "change_state_to_nowhere__c", json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    app.action(SCAR, &scar, "change_state_to_cancelled__c", json!({}))
        .await;
    let (status, body) = app
        .patch(
            &app.admin,
            &format!("/api/v1/vobjects/{SCAR}/{scar}"),
            json!({"external_collaborator__v": [bo]}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "the field is locked in an exit state: {body}"
    );
}
both_backends!(actions_by_state, actions_are_offered_and_refused_by_state);

async fn a_user_with_the_contacts_exact_details_is_linked_not_duplicated(app: TestApp) {
    let acme = app.org("Acme").await;
    let person = app.person(&acme, "Robin", "Exact").await;
    let email = app.email_of(&person).await;
    // An external user with the contact's details and no contact, as an import leaves one
    // (no API makes such a user).
    let existing_id = "usr_imported_robin";
    let mut tx = app.running.app.store().write().await.unwrap();
    tx.raw(
        "INSERT INTO users (id, username, first_name, last_name, email, status, license, security_profile, managed, language, created_at) \
         VALUES ($1, 'robin.imported', 'Robin', 'Exact', $2, 'inactive', 'external', 'external_collaborator', 1, 'en', 1)",
        &[existing_id, &email],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let users_before = app
        .ok(Method::GET, &app.admin, "/api/v1/users?limit=1000", None)
        .await
        .as_array()
        .unwrap()
        .len();
    let r = app.record(SCAR, "SCAR-exact", &acme, &[&person]).await;
    app.send(SCAR, &r).await;
    let user = app.user_of(&person).await;
    assert_eq!(user["id"], existing_id, "C2 step 1 links the existing user");
    assert_eq!(user["status__v"], "active__v");
    let users_after = app
        .ok(Method::GET, &app.admin, "/api/v1/users?limit=1000", None)
        .await
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        users_after, users_before,
        "no second user for the same person"
    );
}
both_backends!(
    exact_details_link,
    a_user_with_the_contacts_exact_details_is_linked_not_duplicated
);

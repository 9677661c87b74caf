//! Access reviews and inactivity (issue 17, SPEC section 11 "Guest governance") through the
//! HTTP API, on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::staff::{
    decide_path, internal_user, item_now, item_of, open_review as open, sent_by, signed_in_page,
    SCAR,
};
use support::{Backend, TestApp};

/// Anna (Acme) sent SCAR-A by quinn, Bo (Acme) SCAR-B by rita, Cy (Globex) SCAR-C by the admin.
struct Cast {
    quinn: (String, String),
    rita: (String, String),
    acme: String,
    anna: String,
    bo: String,
    cy: String,
    scar_b: String,
}

async fn cast(app: &TestApp) -> Cast {
    let quinn = internal_user(app, "quinn").await;
    let rita = internal_user(app, "rita").await;
    let acme = app.org("Acme").await;
    let globex = app.org("Globex").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let bo = app.person(&acme, "Bo", "Lind").await;
    let cy = app.person(&globex, "Cy", "Moss").await;
    sent_by(app, &quinn.1, "SCAR-A", &acme, &anna).await;
    let scar_b = sent_by(app, &rita.1, "SCAR-B", &acme, &bo).await;
    let scar_c = app.record(SCAR, "SCAR-C", &globex, &[&cy]).await;
    app.send(SCAR, &scar_c).await;
    Cast {
        quinn,
        rita,
        acme,
        anna,
        bo,
        cy,
        scar_b,
    }
}

/// A server whose external users count as inactive at once (`PORTICO_STALE_AFTER_DAYS=0`).
async fn stale_app(backend: support::Backend, inactivate: bool) -> Option<TestApp> {
    TestApp::spawn_with(backend, |s| {
        s.reviews.stale_after_days = Some(0);
        s.reviews.stale_inactivate = inactivate;
    })
    .await
}

async fn user_id(app: &TestApp, person: &str) -> String {
    app.user_of(person).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn run_due(app: &TestApp) -> Value {
    app.ok(Method::POST, &app.admin, "/api/v1/jobs/run-due", None)
        .await
}

async fn a_review_asks_each_externals_sponsors_and_only_they_decide_once(app: TestApp) {
    let c = cast(&app).await;
    let (anna, bo, cy) = (
        user_id(&app, &c.anna).await,
        user_id(&app, &c.bo).await,
        user_id(&app, &c.cy).await,
    );

    // Refusals first: nothing is opened by them.
    for (body, why) in [
        (
            json!({"due_in_days": 0, "default_decision": "keep"}),
            "no days",
        ),
        (
            json!({"due_in_days": 400, "default_decision": "keep"}),
            "too far",
        ),
        (
            json!({"due_in_days": 14, "default_decision": "maybe"}),
            "no such default",
        ),
        (
            json!({"organization__v": "org_nobody", "due_in_days": 14, "default_decision": "keep"}),
            "unknown organization",
        ),
        (json!({"due_in_days": 14}), "no default"),
        (
            json!({"due_in_days": 14, "default_decision": "keep", "extra": 1}),
            "unknown field",
        ),
    ] {
        let (status, body) = app.post(&app.admin, "/api/v1/access-reviews", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {body}");
        assert_eq!(body["responseStatus"], "FAILURE", "{why}");
        assert!(body["errors"][0]["message"].as_str().unwrap().len() > 10);
    }
    let (status, _) = app
        .post(
            &c.quinn.1,
            "/api/v1/access-reviews",
            json!({"due_in_days": 14, "default_decision": "keep"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only administrators open reviews"
    );
    let listed = app
        .ok(Method::GET, &app.admin, "/api/v1/access-reviews", None)
        .await;
    assert!(listed.as_array().unwrap().is_empty());

    // Everyone, or one organization's.
    let all = open(&app, json!({"due_in_days": 30, "default_decision": "keep"})).await;
    assert_eq!(all["items_total"], 3);
    assert_eq!(all["organization__v"], Value::Null);
    let review = open(
        &app,
        json!({"organization__v": c.acme, "due_in_days": 14, "default_decision": "keep"}),
    )
    .await;
    assert_eq!(review["items_total"], 2, "{review}");
    assert_eq!(review["organization_name"], "Acme");
    assert_eq!(review["default_decision"], "keep");
    assert_eq!(review["closed_at"], Value::Null);
    let annas = item_of(&review, &anna);
    assert_eq!(annas["sponsors"][0]["id"], c.quinn.0.as_str());
    assert_eq!(annas["organization_name"], "Acme");
    assert_eq!(annas["decision"], Value::Null);
    assert_eq!(
        item_of(&review, &bo)["sponsors"][0]["id"],
        c.rita.0.as_str()
    );
    assert!(review["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["user__v"] != cy.as_str()));
    let listed = app
        .ok(Method::GET, &app.admin, "/api/v1/access-reviews", None)
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 2);

    // A sponsor sees its items only; the list is for administrators.
    let id = review["id"].as_str().unwrap();
    let quinns = app
        .ok(
            Method::GET,
            &c.quinn.1,
            &format!("/api/v1/access-reviews/{id}"),
            None,
        )
        .await;
    assert_eq!(quinns["items"].as_array().unwrap().len(), 1);
    assert_eq!(quinns["items"][0]["user__v"], anna.as_str());
    let (status, _) = app.get(&c.quinn.1, "/api/v1/access-reviews").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Only the item's sponsors (or an administrator) decide; a refusal changes nothing.
    let anna_path = decide_path(&review, item_of(&review, &anna));
    let (status, body) = app
        .post(
            &c.rita.1,
            &anna_path,
            json!({"decision": "remove", "reason": "not mine"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["errors"][0]["type"], "INSUFFICIENT_ACCESS");
    for (body, kind, why) in [
        (
            json!({"decision": "keep"}),
            "PARAMETER_REQUIRED",
            "no reason field",
        ),
        (
            json!({"decision": "keep", "reason": "  "}),
            "PARAMETER_REQUIRED",
            "blank reason",
        ),
        (
            json!({"decision": "keep", "reason": "x".repeat(1001)}),
            "INVALID_DATA",
            "reason too long",
        ),
        (
            json!({"decision": "maybe", "reason": "hm"}),
            "INVALID_DATA",
            "no such decision",
        ),
    ] {
        let (status, body) = app.post(&c.quinn.1, &anna_path, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {body}");
        assert_eq!(body["errors"][0]["type"], kind, "{why}: {body}");
    }
    let (status, _) = app
        .post(
            &c.quinn.1,
            "/api/v1/access-reviews/arv_nobody/items/ari_nobody/decide",
            json!({"decision": "keep", "reason": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let again = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/access-reviews/{id}"),
            None,
        )
        .await;
    assert_eq!(again["items_decided"], 0, "refusals decide nothing");

    // Quinn keeps Anna; a second decision is a clear 409.
    let (status, body) = app
        .post(
            &c.quinn.1,
            &anna_path,
            json!({"decision": "keep", "reason": "Still audits our supplier"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["decision"], "keep");
    assert_eq!(body["data"]["decided_by"], c.quinn.0.as_str());
    assert_eq!(body["data"]["by_default"], false);
    let (status, body) = app
        .post(
            &app.admin,
            &anna_path,
            json!({"decision": "remove", "reason": "changed my mind"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["errors"][0]["type"], "OPERATION_NOT_ALLOWED");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("decided already"),
        "{body}"
    );
    assert_eq!(app.user_of(&c.anna).await["status__v"], "active__v");

    // Rita removes Bo: his only access ends as the exit action ends it (Goodbye, seat freed).
    let seats_before = app.licenses().await["active"].as_i64().unwrap();
    let (status, body) = app
        .post(
            &c.rita.1,
            &decide_path(&review, item_of(&review, &bo)),
            json!({"decision": "remove", "reason": "The audit is over"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.user_of(&c.bo).await["status__v"], "inactive__v");
    assert_eq!(
        app.licenses().await["active"].as_i64().unwrap(),
        seats_before - 1
    );
    let goodbye: Vec<Value> = app
        .outbox()
        .await
        .into_iter()
        .filter(|e| {
            e["user__v"] == bo.as_str() && e["template"].as_str().unwrap().contains("goodbye")
        })
        .collect();
    assert_eq!(goodbye.len(), 1, "one Goodbye");
    let audit = app
        .ok(
            Method::GET,
            &app.admin,
            &format!(
                "/api/v1/audit?record__v={}&action=assignment.inactivated",
                c.scar_b
            ),
            None,
        )
        .await;
    assert_eq!(audit[0]["cause"], "access review", "{audit}");
    let decided = app
        .ok(
            Method::GET,
            &app.admin,
            "/api/v1/audit?action=access_review.decided",
            None,
        )
        .await;
    assert_eq!(decided.as_array().unwrap().len(), 2);

    // Every item decided: the review is closed.
    let done = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/access-reviews/{id}"),
            None,
        )
        .await;
    assert_eq!(done["items_decided"], 2);
    assert!(done["closed_at"].is_string(), "{done}");

    // The result as CSV evidence (administrators).
    let r = app
        .client
        .get(format!(
            "{}/api/v1/access-reviews/{id}/export.csv",
            app.base
        ))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("review,due_date,default_decision,item,user__v"));
    assert!(csv.contains("Still audits our supplier") && csv.contains("The audit is over"));
    assert!(csv.contains("keep") && csv.contains("remove"));
    assert!(csv.contains("by quinn Staff at "), "{csv}");
    let (status, _) = app
        .get(
            &c.quinn.1,
            &format!("/api/v1/access-reviews/{id}/export.csv"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
both_backends!(
    a_review_asks_each_externals_sponsors_and_only_they_decide_once,
    a_review_asks_each_externals_sponsors_and_only_they_decide_once
);

async fn sponsors_are_reminded_and_undecided_items_take_the_default_at_the_due_date(app: TestApp) {
    let c = cast(&app).await;
    let (anna, bo) = (user_id(&app, &c.anna).await, user_id(&app, &c.bo).await);
    // Due tomorrow: within the reminder's 3 days.
    let review = open(
        &app,
        json!({"organization__v": c.acme, "due_in_days": 1, "default_decision": "remove"}),
    )
    .await;
    let id = review["id"].as_str().unwrap().to_string();
    let run = run_due(&app).await;
    assert_eq!(
        run["access_reviews_reminded"][0]["review"],
        id.as_str(),
        "{run}"
    );
    assert_eq!(run["access_reviews_reminded"][0]["emails"], 2);
    let reminders: Vec<Value> = app
        .outbox()
        .await
        .into_iter()
        .filter(|e| e["template"] == "portico_access_review_reminder")
        .collect();
    assert_eq!(reminders.len(), 2, "quinn and rita");
    let to_quinn = reminders
        .iter()
        .find(|e| e["to"] == "quinn@portico.example")
        .unwrap();
    assert!(to_quinn["body"].as_str().unwrap().contains("/reviews"));
    assert!(to_quinn["body"]
        .as_str()
        .unwrap()
        .contains("their access ends"));
    // Once only.
    let run = run_due(&app).await;
    assert!(run["access_reviews_reminded"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(
        run["access_review_defaults"].as_array().unwrap().is_empty(),
        "not yet due"
    );

    // Quinn keeps Anna; Bo is left undecided. The due date comes.
    app.ok(
        Method::POST,
        &c.quinn.1,
        &decide_path(&review, item_of(&review, &anna)),
        Some(json!({"decision": "keep", "reason": "needed"})),
    )
    .await;
    app.running
        .app
        .store()
        .execute_raw(&format!(
            "UPDATE access_reviews SET due_date = '{}' WHERE id = '{id}'",
            chrono::Utc::now().date_naive().format("%Y-%m-%d")
        ))
        .await
        .unwrap();
    let run = run_due(&app).await;
    let defaults = run["access_review_defaults"].as_array().unwrap();
    assert_eq!(defaults.len(), 1, "{run}");
    assert_eq!(defaults[0]["user__v"], bo.as_str());
    assert_eq!(defaults[0]["decision"], "remove");
    assert_eq!(app.user_of(&c.bo).await["status__v"], "inactive__v");
    assert_eq!(app.user_of(&c.anna).await["status__v"], "active__v");
    let done = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/access-reviews/{id}"),
            None,
        )
        .await;
    let bos = item_of(&done, &bo);
    assert_eq!(bos["by_default"], true);
    assert_eq!(bos["decided_by"], Value::Null);
    assert!(bos["reason"]
        .as_str()
        .unwrap()
        .contains("No decision by the due date"));
    assert!(done["closed_at"].is_string());
    let audit = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/audit?user__v={bo}&action=access_review.decided"),
            None,
        )
        .await;
    assert!(
        audit[0]["cause"].as_str().unwrap().contains("default"),
        "{audit}"
    );

    // A closed review decides nothing more.
    let (status, body) = app
        .post(
            &app.admin,
            &decide_path(&review, item_of(&review, &bo)),
            json!({"decision": "keep", "reason": "too late"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let run = run_due(&app).await;
    assert!(run["access_review_defaults"].as_array().unwrap().is_empty());
}
both_backends!(
    sponsors_are_reminded_and_undecided_items_take_the_default_at_the_due_date,
    sponsors_are_reminded_and_undecided_items_take_the_default_at_the_due_date
);

async fn externals_who_do_not_sign_in_are_flagged_and_with_the_setting_lose_access(
    backend: support::Backend,
) {
    let Some(app) = stale_app(backend, false).await else {
        return;
    };
    let (anna, email, _) = app.contact_on_sent_scar("Anna", "Berg").await;
    let anna_user = user_id(&app, &anna).await;
    let flagged = app.licenses().await["inactive_users"].clone();
    assert_eq!(flagged[0]["user__v"], anna_user.as_str(), "{flagged}");
    assert_eq!(flagged[0]["last_sign_in"], Value::Null, "never signed in");
    assert!(flagged[0]["welcomed_at"].is_string());
    // Signed in since: flagged with the sign-in (zero days make anyone stale at once).
    app.accept_welcome(&email, "Anna's long password 1").await;
    let flagged = app.licenses().await["inactive_users"].clone();
    assert!(flagged[0]["last_sign_in"].is_string(), "{flagged}");
    let page = signed_in_page(&app, "/licenses").await;
    assert!(page.contains("Not signed in lately"), "{page}");
    assert!(page.contains("Anna Berg"), "{page}");
    // Without the setting to inactivate, nothing ends.
    let run = run_due(&app).await;
    assert!(run["inactivated"].as_array().unwrap().is_empty());
    assert_eq!(app.user_of(&anna).await["status__v"], "active__v");
    drop(app);

    // Nobody is flagged without PORTICO_STALE_AFTER_DAYS; a day is not yet over.
    for days in [None, Some(1)] {
        let Some(app) = TestApp::spawn_with(backend, |s| s.reviews.stale_after_days = days).await
        else {
            return;
        };
        app.contact_on_sent_scar("Bo", "Lind").await;
        let licenses = app.licenses().await;
        assert!(
            licenses["inactive_users"].as_array().unwrap().is_empty(),
            "{days:?}: {licenses}"
        );
    }

    // With PORTICO_STALE_INACTIVATE=true the scheduler ends the access: C3, audited, Goodbye.
    let Some(app) = stale_app(backend, true).await else {
        return;
    };
    let (cy, _, scar) = app.contact_on_sent_scar("Cy", "Moss").await;
    let cy_user = user_id(&app, &cy).await;
    let run = run_due(&app).await;
    assert_eq!(run["inactivated"][0]["user__v"], cy_user.as_str(), "{run}");
    assert_eq!(run["inactivated"][0]["assignments_ended"], 1);
    assert_eq!(run["inactivated"][0]["user_inactivated"], true);
    assert_eq!(app.user_of(&cy).await["status__v"], "inactive__v");
    assert_eq!(app.licenses().await["active"], 0);
    let audit = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/audit?record__v={scar}&action=assignment.inactivated"),
            None,
        )
        .await;
    assert_eq!(audit[0]["cause"], "inactivity");
    assert!(app
        .outbox()
        .await
        .iter()
        .any(|e| e["user__v"] == cy_user.as_str()
            && e["template"].as_str().unwrap().contains("goodbye")));
    let run = run_due(&app).await;
    assert!(
        run["inactivated"].as_array().unwrap().is_empty(),
        "done once"
    );
}
per_backend!(
    externals_who_do_not_sign_in_are_flagged_and_with_the_setting_lose_access,
    externals_who_do_not_sign_in_are_flagged_and_with_the_setting_lose_access
);

/// `portico demo` runs `examples/waitlist.toml` unless told otherwise: it opens an access
/// review and leaves one SCAR contact waiting for a seat.
async fn the_demo_has_an_access_review_open_and_a_collaborator_waiting(backend: Backend) {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/waitlist.toml");
    assert_eq!(
        std::fs::read_to_string(demo).unwrap(),
        portico::demo::CONFIGURATION
    );
    let Some(app) = TestApp::spawn_with(backend, |s| s.config = Some(demo.into())).await else {
        return;
    };
    let said = portico::demo::seed(&app.running.app).await.unwrap();
    assert!(said.contains("an access review of"), "{said}");
    assert!(said.contains("1 waiting for a seat"), "{said}");
    let queue = app
        .ok(Method::GET, &app.admin, "/api/v1/licenses/waitlist", None)
        .await;
    assert_eq!(queue.as_array().unwrap().len(), 1, "{queue}");
    assert_eq!(app.licenses().await["available"], 0);
    let reviews = app
        .ok(Method::GET, &app.admin, "/api/v1/access-reviews", None)
        .await;
    let reviews = reviews.as_array().unwrap();
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0]["closed_at"], Value::Null);
    assert!(
        reviews[0]["items_total"].as_i64().unwrap() > 0,
        "{reviews:?}"
    );
    // The quality lead sponsors the suppliers' access: the items wait for its decision.
    let lead = app
        .login(
            portico::demo::QUALITY_LEAD,
            portico::demo::QUALITY_LEAD_PASSWORD,
        )
        .await;
    let id = reviews[0]["id"].as_str().unwrap();
    let mine = app
        .ok(
            Method::GET,
            &lead,
            &format!("/api/v1/access-reviews/{id}"),
            None,
        )
        .await;
    assert!(!mine["items"].as_array().unwrap().is_empty(), "{mine}");
}
per_backend!(
    the_demo_has_an_access_review_open_and_a_collaborator_waiting,
    the_demo_has_an_access_review_open_and_a_collaborator_waiting
);

async fn the_licenses_page_re_sponsors_access_with_a_form(app: TestApp) {
    let (quinn, quinn_t) = internal_user(&app, "quinn").await;
    let (rita, _) = internal_user(&app, "rita").await;
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let scar = sent_by(&app, &quinn_t, "SCAR-A", &acme, &anna).await;
    let (status, body) = app
        .patch(
            &app.admin,
            &format!("/api/v1/users/{quinn}"),
            json!({"status__v": "inactive__v"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let b = support::staff::admin_browser(&app).await;
    let page = b
        .get(format!("{}/licenses", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Re-sponsor"), "{page}");
    assert!(page.contains("rita Staff"), "{page}");
    assert!(!page.contains("(assignment"), "no id in the words: {page}");
    let action = page
        .split("action=\"")
        .map(|rest| rest.split('"').next().unwrap())
        .find(|a| a.starts_with("/assignments/") && a.ends_with("/sponsor"))
        .expect("a re-sponsor form")
        .to_string();
    let csrf = support::csrf_of(&page);
    let r = b
        .post(format!("{}{action}", app.base))
        .form(&[("csrf", csrf.as_str()), ("sponsor", rita.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let unsponsored = app
        .ok(
            Method::GET,
            &app.admin,
            "/api/v1/assignments/unsponsored",
            None,
        )
        .await;
    assert!(unsponsored.as_array().unwrap().is_empty(), "{unsponsored}");
    let now = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/assignments?record__v={scar}"),
            None,
        )
        .await;
    assert_eq!(now[0]["sponsor__v"], rita.as_str());
    // Without the form's token nothing changes.
    let r = b
        .post(format!("{}{action}", app.base))
        .form(&[("sponsor", quinn.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
both_backends!(
    the_licenses_page_re_sponsors_access_with_a_form,
    the_licenses_page_re_sponsors_access_with_a_form
);

async fn two_deciders_at_once_decide_an_item_once(app: TestApp) {
    let c = cast(&app).await;
    let bo = user_id(&app, &c.bo).await;
    let review = open(
        &app,
        json!({"organization__v": c.acme, "due_in_days": 14, "default_decision": "keep"}),
    )
    .await;
    let path = decide_path(&review, item_of(&review, &bo));
    let remove = json!({"decision": "remove", "reason": "The audit is over"});
    let keep = json!({"decision": "keep", "reason": "Still needed"});
    let (a, b) = tokio::join!(
        app.post(&c.rita.1, &path, remove),
        app.post(&app.admin, &path, keep)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{} / {}",
        a.1,
        b.1
    );
    let won = if a.0 == StatusCode::OK { &a.1 } else { &b.1 };
    assert_eq!(
        item_now(&app, &review, &bo).await["decision"],
        won["data"]["decision"]
    );
    // The access is as the winner decided, and the loser changed nothing.
    let status = app.user_of(&c.bo).await["status__v"].clone();
    if won["data"]["decision"] == "remove" {
        assert_eq!(status, "inactive__v");
    } else {
        assert_eq!(status, "active__v");
    }
    let decided = app
        .ok(
            Method::GET,
            &app.admin,
            "/api/v1/audit?action=access_review.decided",
            None,
        )
        .await;
    assert_eq!(decided.as_array().unwrap().len(), 1);
}
both_backends!(
    two_deciders_at_once_decide_an_item_once,
    two_deciders_at_once_decide_an_item_once
);

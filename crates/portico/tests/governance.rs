//! Guest governance (issue 17, SPEC section 11) through the HTTP API and the pages, on SQLite
//! and on PostgreSQL: sponsors, end dates and the scheduled work that runs them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::staff::{internal_user, sent_by, signed_in_page, SCAR};
use support::TestApp;

async fn assignments(app: &TestApp, query: &str) -> Vec<Value> {
    app.ok(
        Method::GET,
        &app.admin,
        &format!("/api/v1/assignments?{query}"),
        None,
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

async fn unsponsored(app: &TestApp) -> Vec<Value> {
    app.ok(
        Method::GET,
        &app.admin,
        "/api/v1/assignments/unsponsored",
        None,
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

async fn the_user_whose_action_granted_access_is_its_sponsor(app: TestApp) {
    let (quinn, quinn_t) = internal_user(&app, "quinn").await;
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    // The admin created nothing here; quinn sends the SCAR: quinn granted the access.
    let scar = sent_by(&app, &quinn_t, "SCAR-1", &acme, &anna).await;
    let mine = assignments(&app, &format!("record__v={scar}")).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["sponsor__v"], quinn.as_str());
    assert_eq!(
        assignments(&app, &format!("sponsor__v={quinn}"))
            .await
            .len(),
        1,
        "filtered by sponsor"
    );
    assert!(assignments(&app, &format!("sponsor__v={}", "usr_nobody"))
        .await
        .is_empty());
    // The audit trail keeps who invited whom.
    let audit = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/audit?record__v={scar}&action=assignment.activated"),
            None,
        )
        .await;
    assert_eq!(audit[0]["after"]["sponsor__v"], quinn.as_str());
    assert_eq!(audit[0]["actor"], quinn.as_str());

    // Shown on the record page, the users page and the licenses page.
    let record_page = signed_in_page(&app, &format!("/records/{SCAR}/{scar}")).await;
    assert!(record_page.contains("sponsored by quinn"), "{record_page}");
    let users_page = signed_in_page(&app, "/users").await;
    let anna_row = users_page
        .split("<tr>")
        .find(|row| row.contains("anna.berg"))
        .expect("Anna's row");
    assert!(anna_row.contains("quinn"), "{anna_row}");
    let licenses_page = signed_in_page(&app, "/licenses").await;
    assert!(licenses_page.contains("Sponsors"), "{licenses_page}");
    assert!(
        licenses_page.contains("<td>quinn</td><td>1</td>"),
        "{licenses_page}"
    );
    assert!(
        !licenses_page.contains("Access to re-sponsor"),
        "nothing to re-sponsor while quinn is active"
    );
    assert!(unsponsored(&app).await.is_empty());
}
both_backends!(
    the_user_whose_action_granted_access_is_its_sponsor,
    the_user_whose_action_granted_access_is_its_sponsor
);

async fn an_inactivated_sponsors_externals_are_listed_to_re_sponsor(app: TestApp) {
    let (quinn, quinn_t) = internal_user(&app, "quinn").await;
    let (rita, _) = internal_user(&app, "rita").await;
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let bo = app.person(&acme, "Bo", "Lind").await;
    let mut scars = vec![];
    for (name, person) in [("SCAR-A", &anna), ("SCAR-B", &bo)] {
        scars.push(sent_by(&app, &quinn_t, name, &acme, person).await);
    }
    // Access the admin granted is not quinn's.
    let cy = app.person(&acme, "Cy", "Moss").await;
    let admins = app.record(SCAR, "SCAR-C", &acme, &[&cy]).await;
    app.send(SCAR, &admins).await;
    assert!(unsponsored(&app).await.is_empty());

    let (status, body) = app
        .patch(
            &app.admin,
            &format!("/api/v1/users/{quinn}"),
            json!({"status__v": "inactive__v"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let listed = unsponsored(&app).await;
    let records: Vec<&str> = listed
        .iter()
        .map(|a| a["record__v"].as_str().unwrap())
        .collect();
    assert_eq!(
        records,
        [scars[0].as_str(), scars[1].as_str()],
        "oldest first, only quinn's"
    );
    assert!(listed.iter().all(|a| a["sponsor__v"] == quinn.as_str()));
    let licenses_page = signed_in_page(&app, "/licenses").await;
    assert!(
        licenses_page.contains("Access to re-sponsor"),
        "{licenses_page}"
    );
    assert!(
        licenses_page.contains("quinn (inactive)"),
        "{licenses_page}"
    );

    // Refusals change nothing.
    let first = listed[0]["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/assignments/{first}/sponsor");
    let anna_user = app.user_of(&anna).await["id"].as_str().unwrap().to_string();
    for (sponsor, why) in [
        (quinn.as_str(), "inactive"),
        (anna_user.as_str(), "an external collaborator"),
        ("usr_nobody", "unknown"),
    ] {
        let (status, body) = app
            .put(&app.admin, &path, json!({"sponsor__v": sponsor}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {body}");
        assert_eq!(body["errors"][0]["type"], "INVALID_DATA", "{why}");
    }
    let (status, body) = app.put(&app.admin, &path, json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(unsponsored(&app).await.len(), 2);

    // Re-sponsored: off the list, audited.
    let (status, body) = app
        .put(&app.admin, &path, json!({"sponsor__v": rita}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["sponsor__v"], rita.as_str());
    let left = unsponsored(&app).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["record__v"], scars[1].as_str());
    let audit = app
        .ok(
            Method::GET,
            &app.admin,
            "/api/v1/audit?action=assignment.sponsor_changed",
            None,
        )
        .await;
    assert_eq!(audit.as_array().unwrap().len(), 1);
    assert_eq!(audit[0]["before"]["sponsor__v"], quinn.as_str());
    assert_eq!(audit[0]["after"]["sponsor__v"], rita.as_str());

    // Access that ended has no sponsor to answer for it.
    app.action(SCAR, &scars[1], "change_state_to_cancelled__c", json!({}))
        .await;
    assert!(
        unsponsored(&app).await.is_empty(),
        "ended access is not to re-sponsor"
    );
    let ended = assignments(&app, &format!("record__v={}", scars[1])).await;
    let (status, body) = app
        .put(
            &app.admin,
            &format!(
                "/api/v1/assignments/{}/sponsor",
                ended[0]["id"].as_str().unwrap()
            ),
            json!({"sponsor__v": rita}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["errors"][0]["type"], "OPERATION_NOT_ALLOWED");
}
both_backends!(
    an_inactivated_sponsors_externals_are_listed_to_re_sponsor,
    an_inactivated_sponsors_externals_are_listed_to_re_sponsor
);

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset))
        .format("%Y-%m-%d")
        .to_string()
}

async fn set_end_date(app: &TestApp, scar: &str, date: Value) -> Value {
    let (status, body) = app
        .patch(
            &app.admin,
            &format!("/api/v1/vobjects/{SCAR}/{scar}"),
            json!({"access_end_date__v": date}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"].clone()
}

async fn run_due(app: &TestApp) -> Value {
    app.ok(
        Method::POST,
        &app.admin,
        "/api/v1/jobs/run-due",
        Some(json!({})),
    )
    .await
}

async fn past_its_end_date_access_ends_as_the_exit_action_ends_it(app: TestApp) {
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let bo = app.person(&acme, "Bo", "Lind").await;
    let ending = app.record(SCAR, "SCAR-END", &acme, &[&anna, &bo]).await;
    let other = app.record(SCAR, "SCAR-OTHER", &acme, &[&anna]).await;
    app.send(SCAR, &ending).await;
    app.send(SCAR, &other).await;
    assert_eq!(app.licenses().await["active"], 2);

    // Checked when given; a refused date changes nothing.
    for bad in ["tomorrow", "2026-02-30", "26-01-01"] {
        let (status, body) = app
            .patch(
                &app.admin,
                &format!("/api/v1/vobjects/{SCAR}/{ending}"),
                json!({"access_end_date__v": bad}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["errors"][0]["type"], "INVALID_DATA");
        assert!(body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("YYYY-MM-DD"));
    }
    let today = set_end_date(&app, &ending, json!(day(0))).await;
    assert_eq!(today["access_end_date__v"], day(0));
    // The end date itself is the last day of access.
    let run = run_due(&app).await;
    assert!(run["ended"].as_array().unwrap().is_empty(), "{run}");

    set_end_date(&app, &ending, json!(day(-1))).await;
    let run = run_due(&app).await;
    let ended = run["ended"].as_array().unwrap();
    assert_eq!(ended.len(), 1, "{run}");
    assert_eq!(ended[0]["record__v"], ending.as_str());
    assert_eq!(ended[0]["access_end_date__v"], day(-1));
    assert_eq!(ended[0]["assignments_ended"], 2);
    assert_eq!(ended[0]["users_inactivated"], 1);

    // As C3: Bo had nothing else (inactive, Goodbye, seat freed, task cancelled); Anna keeps
    // her other request; the record stays in its state.
    assert_eq!(app.user_of(&bo).await["status__v"], "inactive__v");
    assert_eq!(app.user_of(&anna).await["status__v"], "active__v");
    assert_eq!(app.licenses().await["active"], 1);
    let bo_email = app.email_of(&bo).await;
    assert!(app
        .outbox()
        .await
        .iter()
        .any(|m| m["to"] == bo_email.as_str() && m["template"] == "ext_collab_goodbye_scar__v"));
    let record = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/{SCAR}/{ending}"),
            None,
        )
        .await;
    assert_eq!(record["state__v"], "pending_response__c");
    let open = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/tasks?record__v={ending}&status__v=open__v"),
            None,
        )
        .await;
    assert!(open.as_array().unwrap().is_empty());
    assert!(assignments(
        &app,
        &format!("record__v={ending}&assignment_activity__v=active__v")
    )
    .await
    .is_empty());
    assert_eq!(
        assignments(
            &app,
            &format!("record__v={other}&assignment_activity__v=active__v")
        )
        .await
        .len(),
        1
    );

    // Audited with its cause.
    let audit = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/audit?record__v={ending}&action=assignment.inactivated"),
            None,
        )
        .await;
    let audit = audit.as_array().unwrap();
    assert_eq!(audit.len(), 2);
    assert!(audit.iter().all(|e| e["cause"] == "end date"), "{audit:?}");
    let bo_user = app.user_of(&bo).await["id"].as_str().unwrap().to_string();
    let inactivated = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/audit?user__v={bo_user}&action=user.inactivated"),
            None,
        )
        .await;
    assert_eq!(inactivated[0]["cause"], "end date");

    // Done once: the next run finds nothing to do.
    let run = run_due(&app).await;
    assert!(run["ended"].as_array().unwrap().is_empty(), "{run}");
    assert!(run["failed"].as_array().unwrap().is_empty(), "{run}");
    // Cleared with null.
    let cleared = set_end_date(&app, &ending, Value::Null).await;
    assert_eq!(cleared["access_end_date__v"], Value::Null);
}
both_backends!(
    past_its_end_date_access_ends_as_the_exit_action_ends_it,
    past_its_end_date_access_ends_as_the_exit_action_ends_it
);

async fn collaborators_are_reminded_of_a_near_end_date_once_per_date(app: TestApp) {
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let anna_email = app.email_of(&anna).await;
    let scar = app.record(SCAR, "SCAR-R", &acme, &[&anna]).await;
    let far = app.record(SCAR, "SCAR-FAR", &acme, &[&anna]).await;
    app.send(SCAR, &scar).await;
    app.send(SCAR, &far).await;
    set_end_date(&app, &far, json!(day(30))).await;
    set_end_date(&app, &scar, json!(day(3))).await;
    let reminders = |outbox: Vec<Value>| -> Vec<Value> {
        outbox
            .into_iter()
            .filter(|m| m["template"] == "ext_collab_access_ending_scar__v")
            .collect()
    };

    let run = run_due(&app).await;
    let reminded = run["reminded"].as_array().unwrap();
    assert_eq!(reminded.len(), 1, "only the date within 7 days: {run}");
    assert_eq!(reminded[0]["record__v"], scar.as_str());
    assert_eq!(reminded[0]["emails"], 1);
    assert_eq!(reminded[0]["assignments_ended"], 0);
    let sent = reminders(app.outbox().await);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["to"], anna_email.as_str());
    // The date as a reader writes it ("5 December 2026"), not as stored.
    let long = portico_domain::Language::En.long_date(&day(3)).unwrap();
    assert!(!long.contains('-'), "{long}");
    assert!(
        sent[0]["subject"].as_str().unwrap().contains(&long),
        "{}",
        sent[0]
    );
    assert!(sent[0]["body"].as_str().unwrap().contains("SCAR-R"));
    assert_eq!(app.user_of(&anna).await["status__v"], "active__v");

    // Once per date: again nothing; a new date is reminded again.
    let run = run_due(&app).await;
    assert!(run["reminded"].as_array().unwrap().is_empty(), "{run}");
    assert_eq!(reminders(app.outbox().await).len(), 1);
    set_end_date(&app, &scar, json!(day(5))).await;
    let run = run_due(&app).await;
    assert_eq!(run["reminded"].as_array().unwrap().len(), 1, "{run}");
    assert_eq!(reminders(app.outbox().await).len(), 2);

    // The template is one per type, editable like the others.
    let (status, body) = app
        .get(
            &app.admin,
            "/api/v1/notification-templates/ext_collab_access_ending_scar__v",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
both_backends!(
    collaborators_are_reminded_of_a_near_end_date_once_per_date,
    collaborators_are_reminded_of_a_near_end_date_once_per_date
);

/// A SCAR past its end date with one collaborator: (person, SCAR).
async fn a_record_past_its_end_date(app: &TestApp) -> (String, String) {
    let (person, _, scar) = app.contact_on_sent_scar("Anna", "Berg").await;
    set_end_date(app, &scar, json!(day(-2))).await;
    (person, scar)
}

async fn active_on(app: &TestApp, scar: &str) -> usize {
    assignments(
        app,
        &format!("record__v={scar}&assignment_activity__v=active__v"),
    )
    .await
    .len()
}

async fn scheduled_work_is_claimed_once_across_servers_and_a_dead_claim_expires(
    backend: support::Backend,
) {
    let Some(one) = TestApp::spawn(backend).await else {
        return;
    };
    let Some(two) = TestApp::spawn_on(backend, Some(one.database_url.clone()), |_| {}).await else {
        return;
    };
    let (_, scar) = a_record_past_its_end_date(&one).await;
    let hour = 3_600_000;

    // A server killed while holding the job (kill -9: it neither finishes nor gives it back)
    // keeps it only until its lease runs out.
    {
        let mut tx = one.running.app.store().write().await.unwrap();
        let mut db = tx.db();
        db.ensure_jobs(&[portico_service::GOVERNANCE_JOB])
            .await
            .unwrap();
        let now = portico_service::now_ms();
        assert!(db
            .claim_job(portico_service::GOVERNANCE_JOB, "killed", now, 1_500)
            .await
            .unwrap());
        tx.commit().await.unwrap();
    }
    let held = two
        .running
        .app
        .run_scheduled("server-two", hour, 60_000)
        .await;
    assert!(
        held.unwrap().is_none(),
        "the dead server's claim still holds"
    );
    assert_eq!(active_on(&one, &scar).await, 1);
    tokio::time::sleep(std::time::Duration::from_millis(1_700)).await;

    // Then both servers ask at the same moment: exactly one runs it.
    let (a, b) = tokio::join!(
        one.running.app.run_scheduled("server-one", hour, 60_000),
        two.running.app.run_scheduled("server-two", hour, 60_000),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(
        a.is_some() != b.is_some(),
        "exactly one claims it: {a:?} {b:?}"
    );
    let winner = if a.is_some() {
        "server-one"
    } else {
        "server-two"
    };
    let report = a.or(b).unwrap();
    assert_eq!(report.ended.len(), 1);
    assert_eq!(active_on(&one, &scar).await, 0);
    let state = {
        let mut reader = one.running.app.store().read().await.unwrap();
        reader
            .db()
            .job_state(portico_service::GOVERNANCE_JOB)
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(state.claimed_by.as_deref(), Some(winner));
    assert_eq!(state.claimed_until, None, "given back when done");
    assert!(state.last_run_at.is_some());
    assert!(state.due_at > portico_service::now_ms() + hour - 60_000);

    // Not due again before its interval, on either server.
    for (app, worker) in [(&one, "server-one"), (&two, "server-two")] {
        let again = app.running.app.run_scheduled(worker, hour, 60_000).await;
        assert!(
            again.unwrap().is_none(),
            "{worker}: ran less than an hour ago"
        );
    }
}
per_backend!(
    scheduled_work_is_claimed_once_across_servers_and_a_dead_claim_expires,
    scheduled_work_is_claimed_once_across_servers_and_a_dead_claim_expires
);

async fn the_scheduler_runs_every_portico_scheduler_seconds_by_itself(backend: support::Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.scheduler = true;
        s.scheduler_seconds = 1;
    })
    .await
    else {
        return;
    };
    let (person, scar) = a_record_past_its_end_date(&app).await;
    let mut waited = 0;
    while active_on(&app, &scar).await > 0 {
        assert!(
            waited < 100,
            "the scheduler did not end the access within 10 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    assert_eq!(app.user_of(&person).await["status__v"], "inactive__v");
}
per_backend!(
    the_scheduler_runs_every_portico_scheduler_seconds_by_itself,
    the_scheduler_runs_every_portico_scheduler_seconds_by_itself
);

async fn history(app: &TestApp, query: &str) -> (StatusCode, Value) {
    app.get(&app.admin, &format!("/api/v1/licenses/history{query}"))
        .await
}

async fn seats_in_use_are_kept_per_day_with_the_pool_size(app: TestApp) {
    let (first, _, scar) = app.contact_on_sent_scar("Anna", "Berg").await;
    app.contact_on_sent_scar("Bo", "Lind").await;
    app.action(SCAR, &scar, "change_state_to_cancelled__c", json!({}))
        .await;
    assert_eq!(app.user_of(&first).await["status__v"], "inactive__v");
    let (status, body) = history(&app, "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let days = body["data"].as_array().unwrap();
    assert_eq!(days.len(), 1, "the history began today: {body}");
    assert_eq!(
        days[0],
        json!({"date": day(0), "active": 1, "peak": 2, "seats": 10})
    );
    let (status, body) = app
        .put(
            &app.admin,
            "/api/v1/licenses",
            json!({"external_seats": 20}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = history(&app, &format!("?from={}&to={}", day(-3), day(0))).await;
    assert_eq!(body["data"][0]["seats"], 20);

    // Days without a change keep what the last change left; days before the history began
    // are left out. (Earlier days written as a past server would have written them.)
    let epoch_day = |offset: i64| {
        (chrono::Utc::now().date_naive() + chrono::Duration::days(offset)
            - chrono::NaiveDate::default())
        .num_days()
    };
    app.running
        .app
        .store()
        .execute_raw(&format!(
            "INSERT INTO seat_history (day, active, peak, seats) VALUES ({}, 3, 4, 10), ({}, 1, 3, 10)",
            epoch_day(-5),
            epoch_day(-2)
        ))
        .await
        .unwrap();
    let (_, body) = history(&app, &format!("?from={}&to={}", day(-6), day(0))).await;
    let got: Vec<(String, i64, i64)> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap().to_string(),
                d["active"].as_i64().unwrap(),
                d["peak"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (day(-5), 3, 4),
            (day(-4), 3, 3),
            (day(-3), 3, 3),
            (day(-2), 1, 3),
            (day(-1), 1, 1),
            (day(0), 1, 2),
        ]
    );
    // The range ends today whatever `to` says.
    let (_, body) = history(&app, &format!("?from={}&to={}", day(-1), day(5))).await;
    assert_eq!(body["data"].as_array().unwrap().len(), 2);

    for (query, why) in [
        (format!("?from={}&to={}", day(0), day(-1)), "from after to"),
        (
            format!("?from={}&to={}", day(-400), day(0)),
            "more than 366 days",
        ),
        ("?from=yesterday".to_string(), "not a date"),
        ("?since=2026-01-01".to_string(), "unknown parameter"),
    ] {
        let (status, body) = history(&app, &query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {body}");
    }

    // The licenses page draws it.
    let page = signed_in_page(&app, "/licenses").await;
    assert!(page.contains("<svg"), "{page}");
    assert!(page.contains("class=\"in-use\""));
    assert!(page.contains("at most 4 of 20"), "{page}");
}
both_backends!(
    seats_in_use_are_kept_per_day_with_the_pool_size,
    seats_in_use_are_kept_per_day_with_the_pool_size
);

//! Who may do what, tried as an attacker would (issue 17's access reviews and waitlist): through
//! the pages as well as the API, with a second server on the same database, in parallel, and
//! by reading what the database and the listings hold at rest.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use futures::future::join_all;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use support::at_rest::{hashed, secrets_in_clear, tables_holding};
use support::names::{CANCEL, CLOSE, NCR, SCAR, WAITLIST};
use support::staff::{decide_path, item_now, item_of, open_review, sent_by};
use support::{csrf_of, Backend, TestApp};

/// A second server on `a`'s database, with `a`'s configuration file.
async fn second(a: &TestApp, config: Option<&str>) -> TestApp {
    let config = config.map(str::to_string);
    TestApp::spawn_on(a.backend, Some(a.database_url.clone()), move |s| {
        s.config = config.map(Into::into);
    })
    .await
    .unwrap()
}

/// A browser signed in on `app`'s pages as `username`: the browser and its session token.
async fn signed_in(app: &TestApp, username: &str, password: &str) -> (Client, String) {
    let b = Client::builder()
        .cookie_provider(Arc::new(reqwest::cookie::Jar::default()))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = text(&b, &format!("{}/login", app.base)).await;
    let r = b
        .post(format!("{}/login", app.base))
        .form(&[
            ("csrf", csrf_of(&login).as_str()),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .find_map(|v| {
            v.to_str()
                .unwrap()
                .strip_prefix("portico_session=")
                .map(|v| v.split(';').next().unwrap().to_string())
        })
        .expect("a session cookie");
    (b, session)
}

async fn text(b: &Client, url: &str) -> String {
    b.get(url).send().await.unwrap().text().await.unwrap()
}

/// Posts a form; answers the status and where it leads.
async fn post_form<K: AsRef<str>, V: AsRef<str>>(
    b: &Client,
    url: &str,
    form: &[(K, V)],
) -> (StatusCode, String) {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
    let r = b.post(url).form(&form).send().await.unwrap();
    let to = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (r.status(), to)
}

async fn user_id(app: &TestApp, person: &str) -> String {
    app.user_of(person).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn audit(app: &TestApp, query: &str) -> Vec<Value> {
    app.ok(
        Method::GET,
        &app.admin,
        &format!("/api/v1/audit?limit=1000&{query}"),
        None,
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

/// The page form's action of an item (the API's path without `/api/v1/access-`).
fn page_path(review: &Value, item: &Value) -> String {
    decide_path(review, item).replace("/api/v1/access-reviews", "/reviews")
}

/// Whether a refused form went anywhere but where a decision leads (the sign-in page is a
/// refusal too).
fn refused(status: StatusCode, to: &str) -> bool {
    status.is_client_error() || (status == StatusCode::SEE_OTHER && to.starts_with("/login"))
}

/// Access reviews through the pages of server B while server A changes things: a decision made
/// on A is refused on B, a non-sponsor and a form without its token are refused, a sponsor
/// signed out or inactivated on A is refused on B's next form at once; re-sponsoring through B's
/// licenses page is for administrators whose session still holds.
async fn review_pages_on_a_second_server_refuse_what_the_first_changed(backend: Backend) {
    let Some(a) = TestApp::spawn(backend).await else {
        return;
    };
    let b = second(&a, None).await;
    let (quinn, quinn_api) = a.internal_user("quinn").await;
    let (rita, rita_api) = a.internal_user("rita").await;
    let acme = a.org("Acme").await;
    let anna = a.person(&acme, "Anna", "Berg").await;
    let bo = a.person(&acme, "Bo", "Lind").await;
    sent_by(&a, &quinn_api, "SCAR-A", &acme, &anna).await;
    sent_by(&a, &rita_api, "SCAR-B", &acme, &bo).await;
    let (anna_u, bo_u) = (user_id(&a, &anna).await, user_id(&a, &bo).await);
    let review = open_review(
        &a,
        json!({"organization__v": acme, "due_in_days": 14, "default_decision": "keep"}),
    )
    .await;
    let annas = page_path(&review, item_of(&review, &anna_u));
    let bos = page_path(&review, item_of(&review, &bo_u));

    // Quinn's reviews page on B: Anna's item, not Bo's.
    let (qb, _) = signed_in(&b, "quinn", "quinn's long password").await;
    let page = text(&qb, &format!("{}/reviews", b.base)).await;
    assert!(page.contains(&annas), "{page}");
    assert!(!page.contains(&bos), "{page}");
    let csrf = csrf_of(&page);

    // Decided on A over the API; B's form for the same item is refused: decided once.
    a.ok(
        Method::POST,
        &quinn_api,
        &decide_path(&review, item_of(&review, &anna_u)),
        Some(json!({"decision": "keep", "reason": "Still audits our supplier"})),
    )
    .await;
    let form = |csrf: &str, decision: &str| {
        vec![
            ("csrf".to_string(), csrf.to_string()),
            ("back".to_string(), "/reviews".to_string()),
            ("decision".to_string(), decision.to_string()),
            ("reason".to_string(), "changed my mind".to_string()),
        ]
    };
    let r = qb
        .post(format!("{}{annas}", b.base))
        .form(&form(&csrf, "remove"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(item_now(&a, &review, &anna_u).await["decision"], "keep");
    assert_eq!(a.user_of(&anna).await["status__v"], "active__v");

    // Quinn does not sponsor Bo: refused on B, nothing decided.
    let r = qb
        .post(format!("{}{bos}", b.base))
        .form(&form(&csrf, "remove"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Rita's form without its token: refused.
    let (rb, rita_session) = signed_in(&b, "rita", "rita's long password").await;
    let page = text(&rb, &format!("{}/reviews", b.base)).await;
    assert!(page.contains(&bos), "{page}");
    let rita_csrf = csrf_of(&page);
    let (status, to) = post_form(
        &rb,
        &format!("{}{bos}", b.base),
        &[("decision", "remove"), ("reason", "no token")],
    )
    .await;
    assert!(refused(status, &to), "{status} {to}");

    // Rita signs out on A (B saw her session a moment ago): B's next form is refused at once.
    assert_eq!(
        a.delete(&rita_session, "/api/v1/auth").await.0,
        StatusCode::OK
    );
    let (status, to) = post_form(
        &rb,
        &format!("{}{bos}", b.base),
        &form(&rita_csrf, "remove"),
    )
    .await;
    assert!(refused(status, &to), "{status} {to}");

    // Signed in again on B, then inactivated on A: refused at once too.
    let (rb, _) = signed_in(&b, "rita", "rita's long password").await;
    let rita_csrf = csrf_of(&text(&rb, &format!("{}/reviews", b.base)).await);
    a.ok(
        Method::PATCH,
        &a.admin,
        &format!("/api/v1/users/{rita}"),
        Some(json!({"status__v": "inactive__v"})),
    )
    .await;
    let (status, to) = post_form(
        &rb,
        &format!("{}{bos}", b.base),
        &form(&rita_csrf, "remove"),
    )
    .await;
    assert!(refused(status, &to), "{status} {to}");
    let bos_item = item_now(&a, &review, &bo_u).await;
    assert_eq!(bos_item["decision"], Value::Null, "{bos_item}");
    assert_eq!(a.user_of(&bo).await["status__v"], "active__v");
    assert_eq!(
        audit(&a, "action=access_review.decided").await.len(),
        1,
        "one decision, Anna's"
    );

    // Bo's access lost its sponsor (Rita is inactive). Re-sponsoring on B's licenses page: a
    // non-administrator's form is refused; so is the administrator's once signed out on A.
    let (ab, admin_session) = signed_in(&b, "admin", support::ADMIN_PASSWORD).await;
    let licenses = text(&ab, &format!("{}/licenses", b.base)).await;
    let action = licenses
        .split("action=\"")
        .map(|rest| rest.split('"').next().unwrap())
        .find(|a| a.starts_with("/assignments/") && a.ends_with("/sponsor"))
        .expect("a re-sponsor form")
        .to_string();
    let admin_csrf = csrf_of(&licenses);
    let r = qb
        .post(format!("{}{action}", b.base))
        .form(&[("csrf", csrf.as_str()), ("sponsor", quinn.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        a.delete(&admin_session, "/api/v1/auth").await.0,
        StatusCode::OK
    );
    let (status, to) = post_form(
        &ab,
        &format!("{}{action}", b.base),
        &[("csrf", admin_csrf.as_str()), ("sponsor", quinn.as_str())],
    )
    .await;
    assert!(refused(status, &to), "{status} {to}");
    let unsponsored = a
        .ok(
            Method::GET,
            &a.admin,
            "/api/v1/assignments/unsponsored",
            None,
        )
        .await;
    assert_eq!(unsponsored.as_array().unwrap().len(), 1, "{unsponsored}");
    assert!(audit(&a, "action=assignment.sponsor_changed")
        .await
        .is_empty());

    // Signed in again, the administrator gives Bo's access to Quinn on B.
    let (ab, _) = signed_in(&b, "admin", support::ADMIN_PASSWORD).await;
    let admin_csrf = csrf_of(&text(&ab, &format!("{}/licenses", b.base)).await);
    let (status, to) = post_form(
        &ab,
        &format!("{}{action}", b.base),
        &[("csrf", admin_csrf.as_str()), ("sponsor", quinn.as_str())],
    )
    .await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/licenses"));
    let now = a
        .ok(
            Method::GET,
            &a.admin,
            "/api/v1/assignments/unsponsored",
            None,
        )
        .await;
    assert!(now.as_array().unwrap().is_empty(), "{now}");

    // Quinn answers for Bo's access now: the open review's item is his to decide, on his page
    // on B; Rita, back at work, no longer answers for it.
    a.ok(
        Method::PATCH,
        &a.admin,
        &format!("/api/v1/users/{rita}"),
        Some(json!({"status__v": "active__v"})),
    )
    .await;
    let rita_api = a.login("rita", "rita's long password").await;
    let bos_api = decide_path(&review, item_of(&review, &bo_u));
    let (status, body) = b
        .post(
            &rita_api,
            &bos_api,
            json!({"decision": "remove", "reason": "not mine any more"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let page = text(&qb, &format!("{}/reviews", b.base)).await;
    assert!(page.contains(&bos), "{page}");
    let (status, to) = post_form(
        &qb,
        &format!("{}{bos}", b.base),
        &[
            ("csrf", csrf_of(&page).as_str()),
            ("back", "/reviews"),
            ("decision", "keep"),
            ("reason", "I answer for Bo now"),
        ],
    )
    .await;
    assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, "/reviews"));
    let decided = item_now(&a, &review, &bo_u).await;
    assert_eq!(decided["decision"], "keep", "{decided}");
    assert_eq!(decided["decided_by"], quinn.as_str());
}
per_backend!(
    review_pages_on_a_second_server,
    review_pages_on_a_second_server_refuse_what_the_first_changed
);

/// Every external seat (10) taken, four by collaborators Quinn sponsors; four more wait. Quinn on
/// server A and the administrator on server B remove each holder's access at the same moment:
/// each item is decided once, audited once, each seat freed once and given once, to the oldest.
async fn two_servers_deciding_at_once_decide_once_and_serve_the_queue_once(backend: Backend) {
    let Some(a) = TestApp::spawn_waitlist(backend).await else {
        return;
    };
    let b = second(&a, Some(WAITLIST)).await;
    let (_, quinn_api) = a.internal_user("quinn").await;
    let acme = a.org("Acme").await;
    fill(&a, &acme, 6).await;
    let mut holders = vec![];
    for i in 0..4 {
        let p = a.person(&acme, &format!("Holder{i}"), "Seat").await;
        sent_by(&a, &quinn_api, &format!("SCAR-H{i}"), &acme, &p).await;
        holders.push((p.clone(), user_id(&a, &p).await));
    }
    let waiters: Vec<String> = a
        .sent_scars(&acme, "Waiter", "Queue", 4)
        .await
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(a.licenses().await["available"], 0);
    let review = open_review(&a, json!({"due_in_days": 14, "default_decision": "keep"})).await;
    assert_eq!(review["items_total"], 10);

    let paths: Vec<String> = holders
        .iter()
        .map(|(_, user)| decide_path(&review, item_of(&review, user)))
        .collect();
    let body = json!({"decision": "remove", "reason": "The audit is over"});
    let mut calls = vec![];
    for (i, path) in paths.iter().enumerate() {
        // Which server each decider uses alternates, so both orders race.
        let (q, ad) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
        calls.push(q.call(Method::POST, Some(&quinn_api), path, Some(body.clone())));
        calls.push(ad.call(Method::POST, Some(&a.admin), path, Some(body.clone())));
    }
    let answers = join_all(calls).await;
    for pair in answers.chunks(2) {
        let mut statuses = [pair[0].0, pair[1].0];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "{} / {}",
            pair[0].1,
            pair[1].1
        );
    }

    assert_eq!(audit(&a, "action=access_review.decided").await.len(), 4);
    for (person, user) in &holders {
        assert_eq!(a.user_of(person).await["status__v"], "inactive__v");
        let inactivated = audit(&a, &format!("action=user.inactivated&user__v={user}")).await;
        assert_eq!(inactivated.len(), 1, "{inactivated:?}");
    }
    let served = audit(&a, "action=waitlist.served").await;
    assert_eq!(served.len(), 4, "{served:?}");
    for p in &waiters {
        assert_eq!(a.user_of(p).await["status__v"], "active__v");
        let to = a.email_of(p).await;
        let welcomes = a
            .outbox()
            .await
            .into_iter()
            .filter(|e| {
                e["to"] == to.as_str() && e["template"].as_str().unwrap().contains("welcome")
            })
            .count();
        assert_eq!(welcomes, 1, "one Welcome each");
    }
    let queue = a
        .ok(Method::GET, &a.admin, "/api/v1/licenses/waitlist", None)
        .await;
    assert!(queue.as_array().unwrap().is_empty(), "{queue}");
    let seats = a.licenses().await;
    assert_eq!(
        (seats["active"].as_i64(), seats["available"].as_i64()),
        (Some(10), Some(0))
    );
}
per_backend!(
    two_servers_deciding_at_once,
    two_servers_deciding_at_once_decide_once_and_serve_the_queue_once
);

/// Takes `n` more external seats: one NCR sent to `n` new collaborators of `org`.
async fn fill(app: &TestApp, org: &str, n: usize) {
    let mut people = vec![];
    for i in 0..n {
        people.push(app.person(org, &format!("Filler{i}"), "Seat").await);
    }
    let people: Vec<&str> = people.iter().map(String::as_str).collect();
    let ncr = app.record(NCR, "NCR-FILL", org, &people).await;
    app.send(NCR, &ncr).await;
}

/// Runs a request again while it collides (409 "try again"), as a client would.
async fn persist(app: &TestApp, method: Method, path: String, body: Value) -> (StatusCode, Value) {
    for _ in 0..20 {
        let (status, answer) = app
            .call(method.clone(), Some(&app.admin), &path, Some(body.clone()))
            .await;
        if status == StatusCode::CONFLICT && answer["errors"][0]["type"] == "OPERATION_NOT_ALLOWED"
        {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        }
        return (status, answer);
    }
    panic!("{path} kept colliding");
}

/// Every seat taken, four by NCR collaborators; four collaborators wait, then two more. Server A
/// frees those four seats while server B takes the first four off their SCARs (two removed from the field,
/// two SCARs cancelled): whoever is taken off never keeps a seat, the two behind get theirs, and
/// the pool counts exactly the active external users.
async fn waits_dropped_on_one_server_while_the_other_frees_seats(backend: Backend) {
    let Some(a) = TestApp::spawn_waitlist(backend).await else {
        return;
    };
    let b = second(&a, Some(WAITLIST)).await;
    let acme = a.org("Acme").await;
    fill(&a, &acme, 6).await;
    let ncrs = a.ncrs_in_review(&acme, 4).await;
    let dropped = a.sent_scars(&acme, "Dropped", "Off", 4).await;
    let stayers: Vec<String> = a
        .sent_scars(&acme, "Stayer", "On", 2)
        .await
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        a.ok(Method::GET, &a.admin, "/api/v1/licenses/waitlist", None)
            .await
            .as_array()
            .unwrap()
            .len(),
        6
    );

    let mut calls = vec![];
    for (i, ncr) in ncrs.iter().enumerate() {
        calls.push(persist(
            &a,
            Method::POST,
            format!("/api/v1/vobjects/{NCR}/{ncr}/actions/{CLOSE}"),
            json!({}),
        ));
        let (_, scar) = &dropped[i];
        calls.push(if i % 2 == 0 {
            persist(
                &b,
                Method::PATCH,
                format!("/api/v1/vobjects/{SCAR}/{scar}"),
                json!({"external_collaborator__v": []}),
            )
        } else {
            persist(
                &b,
                Method::POST,
                format!("/api/v1/vobjects/{SCAR}/{scar}/actions/{CANCEL}"),
                json!({}),
            )
        });
    }
    for (status, body) in join_all(calls).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    for (p, scar) in &dropped {
        let user = a.user_of(p).await;
        assert!(
            user.is_null() || user["status__v"] == "inactive__v",
            "{user}"
        );
        let active = a
            .ok(
                Method::GET,
                &a.admin,
                &format!("/api/v1/assignments?record__v={scar}&assignment_activity__v=active__v"),
                None,
            )
            .await;
        assert!(active.as_array().unwrap().is_empty(), "{active}");
    }
    for p in &stayers {
        assert_eq!(a.user_of(p).await["status__v"], "active__v");
    }
    let queue = a
        .ok(Method::GET, &a.admin, "/api/v1/licenses/waitlist", None)
        .await;
    assert!(queue.as_array().unwrap().is_empty(), "{queue}");
    let users = a
        .ok(Method::GET, &a.admin, "/api/v1/users?limit=1000", None)
        .await;
    let active_external = users
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["status__v"] == "active__v" && u["license_type__v"] == "external__v")
        .count();
    let seats = a.licenses().await;
    assert_eq!(active_external, 8, "six fillers and the two who stayed");
    assert_eq!(
        (seats["active"].as_i64(), seats["available"].as_i64()),
        (Some(8), Some(2))
    );
    // Nobody was given a seat twice.
    for p in &stayers {
        let served = audit(&a, &format!("action=waitlist.served&person__v={p}")).await;
        assert_eq!(served.len(), 1, "{served:?}");
    }
    for (p, _) in &dropped {
        let served = audit(&a, &format!("action=waitlist.served&person__v={p}")).await;
        assert!(served.len() <= 1, "{served:?}");
    }
}
per_backend!(
    waits_dropped_while_seats_free,
    waits_dropped_on_one_server_while_the_other_frees_seats
);

/// An external collaborator of a SCAR on which another collaborator waits for a seat sees
/// nothing of that wait: not the queue, not the record's waiting list, not on its pages.
async fn an_external_never_sees_anothers_wait(backend: Backend) {
    let Some(app) = TestApp::spawn_waitlist(backend).await else {
        return;
    };
    let acme = app.org("Acme").await;
    fill(&app, &acme, 9).await;
    // One seat left for the two collaborators of SCAR-1: one gets it, the other waits.
    let erin = app.person(&acme, "Erin", "One").await;
    let wendelin = app.person(&acme, "Wendelin", "Two").await;
    let first = app.record(SCAR, "SCAR-1", &acme, &[&erin, &wendelin]).await;
    app.send(SCAR, &first).await;
    let (ext, waiter) = if app.user_of(&erin).await["status__v"] == "active__v" {
        (erin, wendelin)
    } else {
        (wendelin, erin)
    };
    app.scar_sent_by(&app.admin, "SCAR-2", &acme, &waiter).await;
    let queue = app
        .ok(Method::GET, &app.admin, "/api/v1/licenses/waitlist", None)
        .await;
    assert_eq!(queue.as_array().unwrap().len(), 2, "{queue}");
    let internal = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/{SCAR}/{first}"),
            None,
        )
        .await;
    assert_eq!(internal["waiting_collaborators__v"], json!([waiter]));

    let email = app.email_of(&ext).await;
    let token = app.accept_welcome(&email, "Erin's long password 1").await;
    let (status, body) = app.get(&token, "/api/v1/licenses/waitlist").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, record) = app
        .get(&token, &format!("/api/v1/vobjects/{SCAR}/{first}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{record}");
    assert!(
        record["data"].get("waiting_collaborators__v").is_none()
            || record["data"]["waiting_collaborators__v"].is_null(),
        "{record}"
    );
    let username = app.user_by_email(&email).await["username__v"]
        .as_str()
        .unwrap()
        .to_string();
    let (eb, _) = signed_in(&app, &username, "Erin's long password 1").await;
    for path in [
        "/".to_string(),
        format!("/records/{SCAR}/{first}"),
        "/licenses".to_string(),
    ] {
        let page = text(&eb, &format!("{}{path}", app.base)).await;
        assert!(!page.contains("Waiting for a free"), "{path}: {page}");
        assert!(!page.contains("waiting since"), "{path}: {page}");
    }
}
per_backend!(
    an_external_never_sees_anothers_wait,
    an_external_never_sees_anothers_wait
);

/// Every live secret made by the features since issue 15 — sessions (API and pages), a
/// set-password link, a SCIM token — is stored only as its hash, in every table (waitlist,
/// reviews, sessions, links, tokens, outbox, audit), and no listing or export shows one.
async fn no_live_secret_rests_in_clear_or_shows_in_a_listing(backend: Backend) {
    let Some(app) = TestApp::spawn_waitlist(backend).await else {
        return;
    };
    let (_, quinn_api) = app.internal_user("quinn").await;
    let (_, page_session) = signed_in(&app, "quinn", "quinn's long password").await;
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    sent_by(&app, &quinn_api, "SCAR-A", &acme, &anna).await;
    let link = app.link_token(&app.email_of(&anna).await).await;
    let scim = support::scim::token(&app, "Okta").await;
    // A review and a wait, so that their tables have rows.
    let review = open_review(&app, json!({"due_in_days": 14, "default_decision": "keep"})).await;
    fill(&app, &acme, 9).await;
    let bo = app.person(&acme, "Bo", "Lind").await;
    app.scar_sent_by(&quinn_api, "SCAR-B", &acme, &bo).await;

    let secrets = [
        app.admin.as_str(),
        quinn_api.as_str(),
        page_session.as_str(),
        link.as_str(),
        scim.as_str(),
    ];
    let found = secrets_in_clear(&app, &secrets).await;
    assert!(found.is_empty(), "secrets stored in clear: {found:?}");
    // The reading sees them where they belong, hashed (so the search above can fail).
    assert_eq!(
        tables_holding(&app, &hashed(&quinn_api)).await,
        ["sessions"]
    );
    assert_eq!(
        tables_holding(&app, &hashed(&page_session)).await,
        ["sessions"]
    );
    assert_eq!(
        tables_holding(&app, &hashed(&link)).await,
        ["password_tokens"]
    );
    assert_eq!(tables_holding(&app, &hashed(&scim)).await, ["scim_tokens"]);
    let rows = support::at_rest::rows(&app).await;
    for table in ["waitlist", "access_reviews", "access_review_items"] {
        assert!(rows.iter().any(|(t, _)| t == table), "no rows of {table}");
    }

    // No listing or export shows a secret, nor its hash.
    let id = review["id"].as_str().unwrap();
    let mut shown = String::new();
    for path in [
        "/api/v1/scim-tokens".to_string(),
        "/api/v1/audit?limit=1000".to_string(),
        "/api/v1/outbox".to_string(),
        "/api/v1/users?limit=1000".to_string(),
        "/api/v1/licenses".to_string(),
        "/api/v1/licenses/waitlist".to_string(),
        "/api/v1/access-reviews".to_string(),
        format!("/api/v1/access-reviews/{id}"),
        "/api/v1/assignments".to_string(),
        "/api/v1/notifications".to_string(),
    ] {
        let (status, body) = app.get(&app.admin, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        shown.push_str(&body.to_string());
    }
    for path in [
        format!("/api/v1/access-reviews/{id}/export.csv"),
        "/api/v1/audit/export".to_string(),
    ] {
        let r = app
            .client
            .get(format!("{}{path}", app.base))
            .bearer_auth(&app.admin)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        shown.push_str(&r.text().await.unwrap());
    }
    let b = support::staff::admin_browser(&app).await;
    for path in [
        "/licenses",
        "/reviews",
        "/outbox",
        "/users",
        "/configuration",
    ] {
        shown.push_str(&text(&b, &format!("{}{path}", app.base)).await);
    }
    assert!(shown.contains("Anna"), "the listings were read");
    for s in secrets {
        assert!(!shown.contains(s), "a secret is shown: {s}");
        assert!(!shown.contains(&hashed(s)), "a secret's hash is shown: {s}");
    }
}
per_backend!(
    no_live_secret_rests_in_clear_or_shows_in_a_listing,
    no_live_secret_rests_in_clear_or_shows_in_a_listing
);

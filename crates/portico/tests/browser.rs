//! In a real browser (headless Chromium through chromedriver): an external collaborator opens
//! the Welcome link from the real email, sets a password, signs in, sees exactly its SCAR and
//! answers it; another supplier's SCAR is not reachable, also by typing its address.
//!
//! Runs when chromedriver is installed (the test command installs Debian's chromium and
//! chromium-driver); in CI a missing browser fails the test, elsewhere it is skipped with one
//! line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use fantoccini::Locator;
use reqwest::Method;
use serde_json::json;
use support::browser::{
    axe_source, axe_violations, browser, browser_sized, click, eventually, screenshot,
    screenshot_of, sign_in, sign_in_as_admin, text_of, type_into, unplain, PHONE_WIDTH,
};
use support::smtp::decoded;
use support::TestApp;

async fn an_external_collaborator_answers_its_scar_in_chromium(app: TestApp) {
    let Some((c, _driver, _profile)) = browser().await else {
        return;
    };
    let acme = app.org("Acme Components").await;
    let globex = app.org("Globex Metals").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let eve = app.person(&globex, "Eve", "Stone").await;
    let mine = app.record("car__v", "SCAR-0042", &acme, &[&anna]).await;
    let theirs = app.record("car__v", "SCAR-0099", &globex, &[&eve]).await;
    app.send("car__v", &mine).await;
    app.send("car__v", &theirs).await;
    app.ok(Method::POST, &app.admin, &format!("/api/v1/vobjects/car__v/{mine}/checklists"), Some(json!({"name__v": "8D response", "assignee__v": anna, "items": [{"question": "What is the root cause?"}]})))
        .await;
    app.deliver().await;

    // The Welcome email, as delivered to the Maildir.
    let email = app.email_of(&anna).await;
    let new = app.running.mailer_dir().join("new");
    let welcome = std::fs::read_dir(&new)
        .unwrap()
        .map(|e| decoded(&std::fs::read_to_string(e.unwrap().path()).unwrap()))
        .find(|m| m.contains(&format!("To: {email}")) && m.contains("set-password?token="))
        .expect("the Welcome email");
    let link = welcome
        .split_whitespace()
        .find(|w| w.starts_with("http") && w.contains("set-password?token="))
        .unwrap();
    let username = app.user_of(&anna).await["username__v"]
        .as_str()
        .unwrap()
        .to_string();

    c.goto(link).await.unwrap();
    screenshot(&c, &app, "set-password").await;
    type_into(&c, Locator::Id("password"), "anna's long password").await;
    type_into(&c, Locator::Id("confirm"), "anna's long password").await;
    click(&c, Locator::Css("button[type=submit]")).await;
    c.wait()
        .for_element(Locator::LinkText("Sign in"))
        .await
        .unwrap();
    let done = text_of(&c, Locator::Css("h1")).await;
    assert_eq!(done, "Your password is set");
    click(&c, Locator::LinkText("Sign in")).await;
    type_into(&c, Locator::Id("username"), &username).await;
    type_into(&c, Locator::Id("password"), "anna's long password").await;
    screenshot(&c, &app, "login").await;
    click(&c, Locator::Css("button[type=submit]")).await;

    // Wait for the next page before reading it: the click returns before it loads.
    c.wait()
        .for_element(Locator::LinkText("SCAR-0042"))
        .await
        .unwrap();
    let home = text_of(&c, Locator::Css("main")).await;
    assert!(
        home.contains("SCAR-0042") && !home.contains("SCAR-0099"),
        "{home}"
    );
    screenshot(&c, &app, "extranet-home").await;
    click(&c, Locator::LinkText("SCAR-0042")).await;
    // A photo, uploaded from the record page.
    let photo = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    std::fs::write(
        photo.path(),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR-signature-only",
    )
    .unwrap();
    type_into(&c, Locator::Id("file"), &photo.path().display().to_string()).await;
    click(&c, Locator::XPath("//button[text()='Upload']")).await;
    let files_path = format!("/api/v1/vobjects/car__v/{mine}/files");
    eventually(|| async {
        app.ok(Method::GET, &app.admin, &files_path, None)
            .await
            .as_array()
            .is_some_and(|a| a.len() == 1)
    })
    .await;
    // Load the page afresh: a navigation waits for the load, a click does not.
    c.goto(&format!("{}/records/car__v/{mine}", app.base))
        .await
        .unwrap();
    type_into(
        &c,
        Locator::Css("input[name=answer_0]"),
        "A worn cutting tool",
    )
    .await;
    screenshot(&c, &app, "extranet-record").await;
    click(&c, Locator::Css("button[value=save]")).await;
    // The form posts and the page comes back; wait for Portico to have the answer.
    let checklist_path = format!("/api/v1/vobjects/car__v/{mine}/checklists");
    eventually(|| async {
        app.ok(Method::GET, &app.admin, &checklist_path, None).await[0]["items"][0]["answer"]
            == "A worn cutting tool"
    })
    .await;
    // Load the page afresh: a navigation waits for the load, a click does not.
    c.goto(&format!("{}/records/car__v/{mine}", app.base))
        .await
        .unwrap();
    type_into(
        &c,
        Locator::Css("textarea[name=response]"),
        "Tool replaced; first-article inspection attached.",
    )
    .await;
    click(&c, Locator::XPath("//button[text()='Send response']")).await;
    let record_path = format!("/api/v1/vobjects/car__v/{mine}");
    eventually(|| async {
        app.ok(Method::GET, &app.admin, &record_path, None).await["state__v"] == "in_review__c"
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    screenshot(&c, &app, "extranet-answered").await;

    // Typing another supplier's record address shows nothing.
    c.goto(&format!("{}/records/car__v/{theirs}", app.base))
        .await
        .unwrap();
    let body = text_of(&c, Locator::Css("body")).await;
    assert!(
        body.contains("There is nothing here for you") && !body.contains("SCAR-0099"),
        "{body}"
    );
    c.close().await.unwrap();
}

async fn an_admin_edits_a_template_with_a_live_preview_in_chromium(app: TestApp) {
    let Some((c, _driver, _profile)) = browser().await else {
        return;
    };
    sign_in_as_admin(&c, &app).await;
    click(&c, Locator::LinkText("Configuration")).await;
    click(&c, Locator::LinkText("welcome")).await;
    let subject = c.wait().for_element(Locator::Id("subject")).await.unwrap();
    subject.clear().await.unwrap();
    subject
        .send_keys("Welcome aboard, ${firstName}")
        .await
        .unwrap();
    // The preview follows the typing (our script, allowed by the page's CSP).
    let mut seen = String::new();
    for _ in 0..50 {
        seen = text_of(&c, Locator::Id("preview")).await;
        if seen.contains("Welcome aboard, Anna") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        seen.contains("Welcome aboard, Anna"),
        "the preview did not follow: {seen}"
    );
    screenshot(&c, &app, "template-editor").await;
    click(&c, Locator::Css("button[value=save]")).await;
    let t = "/api/v1/notification-templates/ext_collab_welcome_scar__v";
    eventually(|| async { app.ok(Method::GET, &app.admin, t, None).await["customized"] == true })
        .await;
    assert_eq!(
        app.ok(Method::GET, &app.admin, t, None).await["subject"],
        "Welcome aboard, ${firstName}"
    );
    c.close().await.unwrap();
}

async fn an_internal_user_sends_a_scar_and_reassigns_it_in_chromium(app: TestApp) {
    let Some((c, _driver, _profile)) = browser().await else {
        return;
    };
    let acme = app.org("Acme Components").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let bo = app.person(&acme, "Bo", "Lind").await;
    sign_in_as_admin(&c, &app).await;
    click(&c, Locator::LinkText("SCARs")).await;
    click(&c, Locator::LinkText("New SCAR")).await;
    type_into(&c, Locator::Id("name"), "SCAR-0100").await;
    c.find(Locator::Id("supplier"))
        .await
        .unwrap()
        .select_by_value(&acme)
        .await
        .unwrap();
    c.find(Locator::Id("collaborator"))
        .await
        .unwrap()
        .select_by_value(&anna)
        .await
        .unwrap();
    click(
        &c,
        Locator::Css("form[action='/records/car__v'] button[type=submit]"),
    )
    .await;
    click(&c, Locator::XPath("//button[text()='Send to Supplier']")).await;
    let plan = c
        .wait()
        .for_element(Locator::Css("ul.plan"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        plan.contains("1 user created") && plan.contains("Welcome email (SCAR)"),
        "{plan}"
    );
    screenshot(&c, &app, "action-preview").await;
    assert_eq!(
        app.user_of(&anna).await,
        serde_json::Value::Null,
        "the preview changed nothing"
    );
    click(&c, Locator::XPath("//button[text()='Confirm']")).await;
    eventually(|| async { app.user_of(&anna).await["status__v"] == "active__v" }).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Anna signs in (over the API here), then the SCAR is handed to Bo: her access ends.
    app.deliver().await;
    let email = app.email_of(&anna).await;
    let anna_token = app.accept_welcome(&email, "anna's long password").await;
    let record = app
        .ok(Method::GET, &app.admin, "/api/v1/vobjects/car__v", None)
        .await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = app
        .get(&anna_token, &format!("/api/v1/vobjects/car__v/{record}"))
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    click(
        &c,
        Locator::XPath("//button[text()='Reassign External Collaborator']"),
    )
    .await;
    c.wait()
        .for_element(Locator::Id("to"))
        .await
        .unwrap()
        .select_by_value(&bo)
        .await
        .unwrap();
    click(&c, Locator::XPath("//button[text()='Preview']")).await;
    click(&c, Locator::XPath("//button[text()='Confirm']")).await;
    let rec_path = format!("/api/v1/vobjects/car__v/{record}");
    eventually(|| async {
        app.ok(Method::GET, &app.admin, &rec_path, None).await["external_collaborator__v"]
            == json!([bo])
    })
    .await;
    let (status, _) = app
        .get(&anna_token, &format!("/api/v1/vobjects/car__v/{record}"))
        .await;
    assert_eq!(
        status,
        reqwest::StatusCode::UNAUTHORIZED,
        "the prior collaborator lost her access"
    );
    c.close().await.unwrap();
}

/// A page as a person meets it: its visible text holds no field code, id or stamp, and
/// axe-core finds no WCAG 2.1 A/AA violation.
async fn check_page(c: &fantoccini::Client, axe: Option<&str>, path: &str, width: &str) {
    let body = text_of(c, Locator::Css("body")).await;
    // The configuration pages show the configuration's own names (what an administrator
    // writes in the file): codes are their subject there, never ids or stamps.
    let codes_allowed = path.starts_with("/configuration");
    let unplain = unplain(&body, codes_allowed);
    assert!(
        unplain.is_empty(),
        "{path} at {width} shows {unplain:?}:\n{body}"
    );
    if let Some(axe) = axe {
        let violations = axe_violations(c, axe).await;
        assert!(violations.is_empty(), "{path} at {width}: {violations:#?}");
    }
}

/// Visits `paths` in `c` and checks each page.
async fn visit_all(
    c: &fantoccini::Client,
    app: &TestApp,
    axe: Option<&str>,
    paths: &[String],
    width: &str,
) {
    for path in paths {
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        check_page(c, axe, path, width).await;
    }
}

async fn every_page_reads_plainly_and_passes_axe_in_chromium(app: TestApp) {
    let axe = axe_source();
    let Some((desktop, _driver, _profile)) = browser().await else {
        return;
    };
    let Some((phone, _phone_driver, _phone_profile)) = browser_sized(Some(PHONE_WIDTH)).await
    else {
        return;
    };
    // Quinn Lead, an internal user, runs the work; Anna Berg answers for Acme.
    let (status, body) = app
        .post(
            &app.admin,
            "/api/v1/users",
            json!({"username__v": "quinn", "first_name__v": "Quinn", "last_name__v": "Lead",
                   "email__v": "quinn@portico.example", "security_profile__v": "internal_user",
                   "password": "quinn's long password"}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    let quinn = app.login("quinn", "quinn's long password").await;
    let acme = app.org("Acme Components").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let new_record = |object: &'static str, name: &'static str| {
        let (quinn, acme, anna) = (quinn.clone(), acme.clone(), anna.clone());
        let app = &app;
        async move {
            app.ok(Method::POST, &quinn, &format!("/api/v1/vobjects/{object}"),
                Some(json!({"name__v": name, "supplier__v": acme, "external_collaborator__v": [anna]})))
                .await["id"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let scar = new_record("car__v", "SCAR-004").await;
    let ncr = new_record("ncr__v", "NCR-007").await;
    let draft = new_record("change_control__v", "CHG-001").await;
    let send = |object: &'static str, id: String, body: serde_json::Value| {
        let quinn = quinn.clone();
        let app = &app;
        async move {
            let path = format!(
                "/api/v1/vobjects/{object}/{id}/actions/change_state_to_pending_response__c"
            );
            app.ok(Method::POST, &quinn, &path, Some(body)).await
        }
    };
    send("car__v", scar.clone(), json!({})).await;
    send("ncr__v", ncr.clone(), json!({})).await;
    app.ok(Method::POST, &quinn, &format!("/api/v1/vobjects/car__v/{scar}/checklists"),
        Some(json!({"name__v": "8D response", "assignee__v": anna, "items": [{"question": "What is the root cause?"}]})))
        .await;
    app.ok(
        Method::POST,
        &quinn,
        &format!("/api/v1/vobjects/car__v/{scar}/comments"),
        Some(json!({"body": "Please include the tool change record."})),
    )
    .await;
    // Quinn answers for Anna (she called), then rejects: Anna gets a new task.
    let task = app
        .ok(
            Method::GET,
            &quinn,
            &format!("/api/v1/tasks?record__v={scar}&status__v=open__v"),
            None,
        )
        .await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.ok(
        Method::POST,
        &quinn,
        &format!("/api/v1/tasks/{task}/complete"),
        Some(json!({"response": "Tool worn; replaced (by phone)."})),
    )
    .await;
    let reject =
        format!("/api/v1/vobjects/car__v/{scar}/actions/change_state_to_pending_response__c");
    app.ok(
        Method::POST,
        &quinn,
        &reject,
        Some(json!({"reason": "Attach the inspection report."})),
    )
    .await;
    // NCR-007's task is two days overdue.
    app.running
        .app
        .store()
        .execute_raw(&format!(
            "UPDATE tasks SET due_at = {} WHERE record_id = '{ncr}'",
            chrono_like_now_ms() - 2 * 86_400_000 - 3_600_000
        ))
        .await
        .unwrap();
    app.deliver().await;
    let email = app.email_of(&anna).await;
    let anna_token = app.accept_welcome(&email, "anna's long password").await;
    app.ok(Method::POST, &anna_token, "/api/v1/tickets",
        Some(json!({"kind": "support", "subject": "Access for a colleague", "body": "Please add Bo."})))
        .await;
    let anna_username = app.user_of(&anna).await["username__v"]
        .as_str()
        .unwrap()
        .to_string();

    // An access review: Quinn sponsors Anna's access and is to decide it.
    let review =
        support::staff::open_review(&app, json!({"due_in_days": 14, "default_decision": "keep"}))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();

    let internal: Vec<String> = [
        "/home".to_string(),
        "/reviews".into(),
        format!("/reviews/{review}"),
        "/records/car__v".into(),
        "/records/ncr__v".into(),
        "/records/audit__qdm".into(),
        "/records/change_control__v".into(),
        "/records/inspection__v".into(),
        "/records/car__v/new".into(),
        format!("/records/car__v/{scar}"),
        format!("/records/ncr__v/{ncr}"),
        format!("/records/change_control__v/{draft}"),
        format!(
            "/records/change_control__v/{draft}/preview?action=change_state_to_pending_response__c"
        ),
        format!("/records/car__v/{scar}/preview?action=reassign_external_collaborator__v"),
        // A refusal shown in the page: accepting is not possible while the supplier answers.
        format!("/records/car__v/{scar}/preview?action=change_state_to_closed__c"),
        "/organizations".into(),
        format!("/organizations/{acme}"),
        format!("/persons/{anna}/edit"),
        "/users".into(),
        "/licenses".into(),
        "/tickets".into(),
        "/account/password".into(),
    ]
    .into();
    let admin_only: Vec<String> = [
        "/outbox".to_string(),
        "/reviews".into(),
        "/configuration".into(),
        "/configuration/templates/ext_collab_welcome_scar__v".into(),
    ]
    .into();
    let extranet: Vec<String> = [
        "/home".to_string(),
        format!("/records/car__v/{scar}"),
        format!("/records/ncr__v/{ncr}"),
        "/tickets".into(),
        "/account/password".into(),
    ]
    .into();
    let signed_out: Vec<String> = [
        "/login".to_string(),
        "/set-password?token=not-a-token".into(),
        "/set-password/new-link".into(),
    ]
    .into();
    for (c, width) in [(&desktop, "desktop"), (&phone, "375 px")] {
        sign_in(c, &app, "quinn", "quinn's long password").await;
        visit_all(c, &app, axe.as_deref(), &internal, width).await;
        sign_in(c, &app, "admin", support::ADMIN_PASSWORD).await;
        visit_all(c, &app, axe.as_deref(), &admin_only, width).await;
        sign_in(c, &app, &anna_username, "anna's long password").await;
        visit_all(c, &app, axe.as_deref(), &extranet, width).await;
        c.delete_all_cookies().await.unwrap();
        visit_all(c, &app, axe.as_deref(), &signed_out, width).await;
    }

    // The record page tells its history in sentences, with names and links.
    sign_in(&desktop, &app, "quinn", "quinn's long password").await;
    // A refusal after a confirmation (the "Not done" page) reads plainly too: accepting a
    // response the supplier has not sent yet.
    desktop
        .goto(&format!("{}/records/car__v/{scar}", app.base))
        .await
        .unwrap();
    desktop
        .execute(
            "const f = document.createElement('form'); f.method = 'post'; f.action = arguments[0];
             const c = document.createElement('input'); c.type = 'hidden'; c.name = 'csrf';
             c.value = document.querySelector('input[name=csrf]').value; f.appendChild(c);
             document.body.appendChild(f); f.submit();",
            vec![json!(format!(
                "/records/car__v/{scar}/actions/change_state_to_closed__c"
            ))],
        )
        .await
        .unwrap();
    desktop
        .wait()
        .for_element(Locator::Css("p.error[role=alert]"))
        .await
        .unwrap();
    check_page(&desktop, axe.as_deref(), "the Not done page", "desktop").await;
    desktop
        .goto(&format!("{}/records/car__v/{scar}", app.base))
        .await
        .unwrap();
    let history = text_of(&desktop, Locator::Css("ol.history")).await;
    for said in [
        "Quinn Lead created SCAR-004",
        "Quinn Lead sent SCAR-004 to the supplier",
        "Anna Berg's account was activated (Welcome email queued)",
        "Quinn Lead answered for Anna Berg on SCAR-004",
        "Quinn Lead rejected the response to SCAR-004",
        "SCAR-004 moved from Draft to Pending Response",
    ] {
        assert!(
            history.contains(said),
            "{said:?} is not in the history:\n{history}"
        );
    }
    let anna_link = desktop
        .find(Locator::XPath(
            "//ol[@class='history']//a[text()='Anna Berg']",
        ))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap();
    assert_eq!(
        anna_link.as_deref(),
        Some(format!("/persons/{anna}/edit").as_str())
    );
    screenshot_of(
        &desktop,
        &app,
        Locator::XPath("//section[h2='History']"),
        "history",
    )
    .await;

    // The dashboard lists the open tasks with links and due dates, the overdue one marked.
    desktop.goto(&format!("{}/home", app.base)).await.unwrap();
    let overdue = text_of(&desktop, Locator::Css("ul.tasks .overdue")).await;
    assert_eq!(overdue, "overdue by 2 days");
    let tasks = text_of(&desktop, Locator::Css("ul.tasks")).await;
    assert!(
        tasks.contains("Respond · SCAR-004 — Anna Berg — due in 14 days"),
        "{tasks}"
    );

    // The audit export says the same in its description column.
    let csv = app
        .client
        .get(format!("{}/api/v1/audit/export?record__v={scar}", app.base))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(reader.headers().unwrap().get(12), Some("description"));
    let described: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[12].to_string())
        .collect();
    for said in [
        "Quinn Lead sent SCAR-004 to the supplier",
        "Anna Berg's account was activated (Welcome email queued)",
        "Quinn Lead answered for Anna Berg on SCAR-004",
    ] {
        assert!(
            described.iter().any(|d| d == said),
            "{said:?} not in {described:#?}"
        );
    }

    // On a phone, Anna's open task leads to the answer form of its record.
    sign_in(&phone, &app, &anna_username, "anna's long password").await;
    let width: i64 = phone
        .execute("return window.innerWidth", vec![])
        .await
        .unwrap()
        .as_i64()
        .unwrap();
    assert_eq!(width, i64::from(PHONE_WIDTH));
    screenshot(&phone, &app, "extranet-phone").await;
    let open = phone
        .find(Locator::XPath(
            "//ul[@class='tasks']//a[contains(., 'SCAR-004')]",
        ))
        .await
        .unwrap();
    let href = open.attr("href").await.unwrap().unwrap();
    assert!(
        href.starts_with(&format!("/records/car__v/{scar}#task-")),
        "{href}"
    );
    open.click().await.unwrap();
    let form = phone
        .wait()
        .for_element(Locator::Css(":target textarea[name=response]"))
        .await
        .unwrap();
    assert!(form.is_displayed().await.unwrap());
    let accept = phone
        .find(Locator::Id("file"))
        .await
        .unwrap()
        .attr("accept")
        .await
        .unwrap()
        .unwrap();
    assert!(
        accept.starts_with("image/*,") && accept.contains(".pdf"),
        "{accept}"
    );
    screenshot(&phone, &app, "extranet-phone-record").await;
    desktop.close().await.unwrap();
    phone.close().await.unwrap();
}

fn chrono_like_now_ms() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

#[test]
fn the_page_scan_finds_codes_ids_and_stamps() {
    assert_eq!(
        unplain(
            "SCAR · Pending Response · due in 14 days · 26 Nov 2026, 14:05",
            false
        ),
        Vec::<String>::new()
    );
    assert_eq!(unplain("Type scar__v", false), ["field code scar__v"]);
    assert_eq!(unplain("state closed__c", false), ["field code closed__c"]);
    assert!(unplain("state closed__c", true).is_empty());
    assert_eq!(
        unplain("by usr_0192a4b0c1d2e3f4a5b6c7d8e9f0a1b2 on behalf", false),
        ["id usr_0192a4b0c1d2e3f4a5b6c7d8e9f0a1b2"]
    );
    assert_eq!(
        unplain("due 2026-12-09T22:18:52.706Z", false),
        ["stamp 2026-12-09T22:18:52"]
    );
    assert_eq!(
        unplain("Seats in use from 2026-11-01 to 2026-11-26", false),
        ["stamp 2026-11-01", "stamp 2026-11-26"]
    );
    assert!(unplain("order 12026-11-01x", false).is_empty());
}

/// A sponsor signs in, finds the access review waiting on the dashboard, opens it and removes
/// an external user's access with a reason; the access ends (C3) and the page says so.
async fn a_sponsor_decides_an_access_review_in_chromium(app: TestApp) {
    let Some((c, _driver, _profile)) = browser().await else {
        return;
    };
    let axe = axe_source();
    let (_, quinn_t) = support::staff::internal_user(&app, "quinn").await;
    let acme = app.org("Acme Components").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let bo = app.person(&acme, "Bo", "Lind").await;
    support::staff::sent_by(&app, &quinn_t, "SCAR-0042", &acme, &anna).await;
    support::staff::sent_by(&app, &quinn_t, "SCAR-0043", &acme, &bo).await;
    let review =
        support::staff::open_review(&app, json!({"due_in_days": 14, "default_decision": "keep"}))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();

    sign_in(&c, &app, "quinn", "quinn's long password").await;
    let home = text_of(&c, Locator::Css("main")).await;
    assert!(
        home.contains("2 external users wait for your access review"),
        "{home}"
    );
    click(
        &c,
        Locator::LinkText("2 external users wait for your access review"),
    )
    .await;
    c.wait()
        .for_element(Locator::XPath("//h2[text()='Waiting for your decision']"))
        .await
        .unwrap();
    check_page(&c, axe.as_deref(), "/reviews", "desktop").await;
    screenshot(&c, &app, "access-review").await;
    let page = text_of(&c, Locator::Css("main")).await;
    assert!(
        page.contains("Anna Berg") && page.contains("Bo Lind"),
        "{page}"
    );
    assert!(page.contains("Acme Components"), "{page}");

    // Remove Bo's access, with a reason.
    let bo_form = "//form[.//legend[text()='Access of Bo Lind']]";
    click(
        &c,
        Locator::XPath(&format!("{bo_form}//input[@value='remove']")),
    )
    .await;
    type_into(
        &c,
        Locator::XPath(&format!("{bo_form}//textarea")),
        "The supplier audit is over",
    )
    .await;
    click(&c, Locator::XPath(&format!("{bo_form}//button"))).await;
    let path = format!("/api/v1/access-reviews/{review}");
    eventually(|| async {
        app.ok(Method::GET, &app.admin, &path, None).await["items_decided"] == 1
    })
    .await;
    assert_eq!(app.user_of(&bo).await["status__v"], "inactive__v");
    assert_eq!(app.user_of(&anna).await["status__v"], "active__v");
    let page = text_of(&c, Locator::Css("main")).await;
    assert!(
        !page.contains("Bo Lind"),
        "decided: no longer waiting: {page}"
    );
    assert!(page.contains("Anna Berg"), "{page}");

    // The review's page shows the decision in words.
    c.goto(&format!("{}/reviews/{review}", app.base))
        .await
        .unwrap();
    check_page(&c, axe.as_deref(), "/reviews/{id}", "desktop").await;
    let page = text_of(&c, Locator::Css("main")).await;
    assert!(page.contains("Removed by quinn Staff"), "{page}");
    assert!(page.contains("The supplier audit is over"), "{page}");
    c.close().await.unwrap();
}

both_backends!(
    sponsor_decides_a_review_in_chromium,
    a_sponsor_decides_an_access_review_in_chromium
);

both_backends!(
    external_answers_in_chromium,
    an_external_collaborator_answers_its_scar_in_chromium
);
both_backends!(
    template_preview_in_chromium,
    an_admin_edits_a_template_with_a_live_preview_in_chromium
);
both_backends!(
    send_and_reassign_in_chromium,
    an_internal_user_sends_a_scar_and_reassigns_it_in_chromium
);
both_backends!(
    every_page_plain_and_accessible_in_chromium,
    every_page_reads_plainly_and_passes_axe_in_chromium
);

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
use support::browser::{browser, click, eventually, screenshot, sign_in_as_admin, type_into};
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
    let done = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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
    let home = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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
    let body = c
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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
        seen = c
            .find(Locator::Id("preview"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
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
        plan.contains("1 user(s) created") && plan.contains("ext_collab_welcome_scar__v"),
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

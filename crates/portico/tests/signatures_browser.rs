//! Electronic signatures in a real browser (headless Chromium), with `examples/part11.toml`: an
//! external collaborator signs its response on the extranet's record page, then a reviewer
//! approves with a signature (a wrong password first); both signatures show as
//! *printed name — meaning — date and time*.
//!
//! Skipped with one line where chromedriver is not installed (in CI a missing browser fails).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use fantoccini::Locator;
use reqwest::Method;
use support::browser::{browser, click, eventually, screenshot, sign_in_as_admin, type_into};
use support::names::PART11;
use support::{Backend, TestApp, ADMIN_PASSWORD};

async fn main_text(c: &fantoccini::Client) -> String {
    c.find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn sign_in_chromium(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| s.config = Some(PART11.into())).await else {
        return;
    };
    let Some((c, _driver, _profile)) = browser().await else {
        return;
    };
    let acme = app.org("Acme Components").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let r = app.record("car__v", "SCAR-0077", &acme, &[&anna]).await;
    app.send("car__v", &r).await;
    app.accept_welcome(&app.email_of(&anna).await, "anna's long password")
        .await;
    let username = app.user_of(&anna).await["username__v"]
        .as_str()
        .unwrap()
        .to_string();

    // The external collaborator signs its response in the extranet.
    c.goto(&format!("{}/login", app.base)).await.unwrap();
    type_into(&c, Locator::Id("username"), &username).await;
    type_into(&c, Locator::Id("password"), "anna's long password").await;
    click(&c, Locator::Css("button[type=submit]")).await;
    click(&c, Locator::LinkText("SCAR-0077")).await;
    type_into(
        &c,
        Locator::Css("textarea[name=response]"),
        "Root cause: a worn die; replaced and checked weekly.",
    )
    .await;
    let page = main_text(&c).await;
    assert!(page.contains("By signing you affirm: Responded"), "{page}");
    type_into(
        &c,
        Locator::Css("input[name=signature_password]"),
        "anna's long password",
    )
    .await;
    screenshot(&c, &app, "sign-response").await;
    click(
        &c,
        Locator::XPath("//button[text()='Sign and send response']"),
    )
    .await;
    eventually(|| async { app.signatures(&app.admin, "car__v", &r).await.len() == 1 }).await;
    c.goto(&format!("{}/records/car__v/{r}", app.base))
        .await
        .unwrap();
    let page = main_text(&c).await;
    let signed_at = app.signatures(&app.admin, "car__v", &r).await[0]["signed_at"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        page.contains(&format!("Anna Berg — Responded — {signed_at}")),
        "{page}"
    );

    // The reviewer approves, signing: first with a wrong password, which changes nothing.
    c.delete_all_cookies().await.unwrap();
    sign_in_as_admin(&c, &app).await;
    c.wait().for_element(Locator::Css("main")).await.unwrap();
    let preview = format!(
        "{}/records/car__v/{r}/preview?action=change_state_to_closed__c",
        app.base
    );
    c.goto(&preview).await.unwrap();
    let page = main_text(&c).await;
    assert!(page.contains("By signing you affirm: Approved"), "{page}");
    type_into(
        &c,
        Locator::Css("input[name=signature_password]"),
        "not the password",
    )
    .await;
    click(&c, Locator::XPath("//button[text()='Sign and confirm']")).await;
    c.wait().for_element(Locator::Css("p.error")).await.unwrap();
    let page = main_text(&c).await;
    assert!(page.contains("password is not correct"), "{page}");
    assert_eq!(app.signatures(&app.admin, "car__v", &r).await.len(), 1);

    c.goto(&preview).await.unwrap();
    type_into(
        &c,
        Locator::Css("input[name=signature_password]"),
        ADMIN_PASSWORD,
    )
    .await;
    click(&c, Locator::XPath("//button[text()='Sign and confirm']")).await;
    eventually(|| async { app.signatures(&app.admin, "car__v", &r).await.len() == 2 }).await;
    let record = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/car__v/{r}"),
            None,
        )
        .await;
    assert_eq!(record["state__v"], "closed__c");
    c.goto(&format!("{}/records/car__v/{r}", app.base))
        .await
        .unwrap();
    let page = main_text(&c).await;
    assert!(page.contains("Portico Admin — Approved — "), "{page}");
    assert!(page.contains("Anna Berg — Responded — "), "{page}");
    screenshot(&c, &app, "record-signatures").await;
    c.close().await.unwrap();
}
per_backend!(
    an_external_signs_its_response_and_a_reviewer_approves_with_a_signature_in_chromium,
    sign_in_chromium
);

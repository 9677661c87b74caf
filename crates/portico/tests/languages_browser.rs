//! In a real browser (headless Chromium through chromedriver), in the collaborator's own
//! language (SPEC section 11): a German and a Japanese contact each get the Welcome in their
//! language, open its link, set a password on a page in their language, sign in and answer
//! their SCAR on the extranet in their language; axe-core finds no WCAG 2.1 A/AA violation on
//! those pages.
//!
//! Runs when chromedriver is installed, as `browser.rs` does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use fantoccini::Locator;
use reqwest::Method;
use serde_json::json;
use support::browser::{
    axe_source, axe_violations, browser, click, eventually, screenshot, text_of, type_into,
};
use support::smtp::header;
use support::TestApp;

/// What a reader of one language meets on the way.
struct Way {
    language: &'static str,
    first: &'static str,
    last: &'static str,
    local: &'static str,
    record: &'static str,
    subject: &'static str,
    set_password: &'static str,
    password_set: &'static str,
    sign_in_link: &'static str,
    sign_in_title: &'static str,
    home_title: &'static str,
    send_response: &'static str,
    comments: &'static str,
}

const WAYS: [Way; 2] = [
    Way {
        language: "de",
        first: "Jürgen",
        last: "Weiß",
        local: "weiss",
        record: "SCAR-0101",
        subject: "Portico Quality: Einladung zur Stellungnahme zu SCAR-0101",
        set_password: "Passwort festlegen",
        password_set: "Ihr Passwort ist festgelegt",
        sign_in_link: "Anmelden",
        sign_in_title: "Bei Portico anmelden",
        home_title: "Ihre Anfragen",
        send_response: "Antwort senden",
        comments: "Kommentare",
    },
    Way {
        language: "ja",
        first: "太郎",
        last: "山田",
        local: "yamada",
        record: "SCAR-0202",
        subject: "Portico Quality：SCAR-0202 へのご回答のお願い",
        set_password: "パスワードの設定",
        password_set: "パスワードを設定しました",
        sign_in_link: "サインイン",
        sign_in_title: "Portico にサインイン",
        home_title: "ご依頼一覧",
        send_response: "回答を送信",
        comments: "コメント",
    },
];

/// The page's language and its axe-core violations (none expected).
async fn check(c: &fantoccini::Client, axe: Option<&str>, language: &str, what: &str) {
    let lang = c
        .find(Locator::Css("html"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap();
    assert_eq!(lang.as_deref(), Some(language), "{what}");
    if let Some(axe) = axe {
        let violations = axe_violations(c, axe).await;
        assert!(
            violations.is_empty(),
            "{what} ({language}): {violations:#?}"
        );
    }
}

async fn collaborators_answer_in_their_own_language_in_chromium(app: TestApp) {
    let Some((c, _driver, _profile)) = browser().await else {
        return;
    };
    let axe = axe_source();
    let acme = app.org("Acme Components").await;
    for way in &WAYS {
        let email = format!("{}@{}.example", way.local, way.language);
        let person = app
            .ok(
                Method::POST,
                &app.admin,
                "/api/v1/vobjects/person__v",
                Some(
                    json!({"first_name__v": way.first, "last_name__v": way.last, "email__v": email,
                            "organization__v": acme, "language__v": way.language}),
                ),
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let scar = app.record("car__v", way.record, &acme, &[&person]).await;
        app.send("car__v", &scar).await;

        // The Welcome, as delivered: its subject in the person's language, a working link.
        let welcome = app
            .delivered_to(&email)
            .await
            .into_iter()
            .find(|m| m.contains("set-password?token="))
            .expect("the Welcome email");
        assert_eq!(header(&welcome, "Subject").as_deref(), Some(way.subject));
        let link = welcome
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains("set-password?token="))
            .unwrap()
            .to_string();
        let username = app.user_of(&person).await["username__v"]
            .as_str()
            .unwrap()
            .to_string();
        let password = format!("{}'s rather long password", way.local);

        c.delete_all_cookies().await.unwrap();
        c.goto(&link).await.unwrap();
        assert_eq!(text_of(&c, Locator::Css("h1")).await, way.set_password);
        check(&c, axe.as_deref(), way.language, "the set-password page").await;
        if way.language == "de" {
            screenshot(&c, &app, "set-password-de").await;
        }
        type_into(&c, Locator::Id("password"), &password).await;
        type_into(&c, Locator::Id("confirm"), &password).await;
        click(&c, Locator::Css("button[type=submit]")).await;
        c.wait()
            .for_element(Locator::LinkText(way.sign_in_link))
            .await
            .unwrap();
        assert_eq!(text_of(&c, Locator::Css("h1")).await, way.password_set);
        click(&c, Locator::LinkText(way.sign_in_link)).await;
        c.wait().for_element(Locator::Id("username")).await.unwrap();
        assert_eq!(text_of(&c, Locator::Css("h1")).await, way.sign_in_title);
        check(&c, axe.as_deref(), way.language, "the sign-in page").await;
        type_into(&c, Locator::Id("username"), &username).await;
        type_into(&c, Locator::Id("password"), &password).await;
        click(&c, Locator::Css("button[type=submit]")).await;

        c.wait()
            .for_element(Locator::LinkText(way.record))
            .await
            .unwrap();
        assert_eq!(text_of(&c, Locator::Css("h1")).await, way.home_title);
        check(&c, axe.as_deref(), way.language, "the requests").await;
        c.goto(&format!("{}/records/car__v/{scar}", app.base))
            .await
            .unwrap();
        let page = text_of(&c, Locator::Css("main")).await;
        assert!(page.contains(way.comments), "{page}");
        check(&c, axe.as_deref(), way.language, "the record page").await;
        type_into(
            &c,
            Locator::Css("textarea[name=response]"),
            "Tool replaced; first-article inspection attached.",
        )
        .await;
        click(
            &c,
            Locator::XPath(&format!("//button[text()='{}']", way.send_response)),
        )
        .await;
        let record_path = format!("/api/v1/vobjects/car__v/{scar}");
        eventually(|| async {
            app.ok(Method::GET, &app.admin, &record_path, None).await["state__v"] == "in_review__c"
        })
        .await;
        c.goto(&format!("{}/records/car__v/{scar}", app.base))
            .await
            .unwrap();
        check(&c, axe.as_deref(), way.language, "the answered record").await;
    }
    c.close().await.unwrap();
}

both_backends!(
    collaborators_answer_in_their_own_language_in_chromium,
    collaborators_answer_in_their_own_language_in_chromium
);

//! Internal pages in the reader's language (SPEC section 11, Languages): an internal user who
//! chose German on its language page, and one whose browser asks for Japanese, read the
//! dashboard, a record with its action preview, the lists of records, organizations and users,
//! the licenses, the access reviews, the outbox and the configuration in that language, with
//! the page's `lang` saying so and none of the English the pages used to hard-code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT_LANGUAGE};
use reqwest::{Client, StatusCode};
use support::names::SCAR;
use support::{csrf_of, TestApp};

/// The administrator signed in through a browser that sends `accept` as its language.
async fn admin_reading(app: &TestApp, accept: &str) -> Client {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_str(accept).unwrap());
    let b = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap();
    support::staff::admin_signed_in(app, b).await
}

async fn page(b: &Client, app: &TestApp, path: &str) -> String {
    let r = b.get(format!("{}{path}", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.unwrap()
}

/// The pages of one SCAR in draft (its preview plans a new user and a Welcome), and of the
/// same SCAR sent (a seat taken, emails queued).
async fn pages_of(app: &TestApp) -> (String, String) {
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let draft = app.record(SCAR, "SCAR-D", &acme, &[&anna]).await;
    let bo = app.person(&acme, "Bo", "Lind").await;
    let sent = app.record(SCAR, "SCAR-S", &acme, &[&bo]).await;
    app.send(SCAR, &sent).await;
    (draft, sent)
}

fn check(language: &str, path: &str, page: &str, said: &[&str], english: &[&str]) {
    assert!(
        page.contains(&format!("<html lang=\"{language}\">")),
        "{path} in {language}: {page}"
    );
    for s in said {
        assert!(page.contains(s), "{path} in {language} lacks {s:?}: {page}");
    }
    for e in english {
        assert!(
            !page.contains(e),
            "{path} in {language} still says {e:?}: {page}"
        );
    }
}

/// Headings and labels every internal page used to write in English, whatever the reader.
const ENGLISH: &[&str] = &[
    "Add an organization",
    "Contact list",
    "Managed by automation",
    "Seats in use",
    "By organization",
    "Active external users",
    "Open a review",
    "Waiting for your decision",
    "Constraint of the External Collaborator field",
    "On entry",
    "Supplier and collaborators",
    "What it will do",
    "1 user created",
    "Attempts",
    "Last error",
    "Each action shows",
    ">History<",
    ">Actions<",
    "Username",
];

/// The words a language must show on the pages.
struct Tr<'a> {
    dashboard: &'a str,
    record: &'a [&'a str],
    preview: &'a [&'a str],
    list: &'a [&'a str],
    licenses: &'a [&'a str],
    users: &'a [&'a str],
    organizations: &'a [&'a str],
    configuration: &'a [&'a str],
    reviews: &'a [&'a str],
    outbox: &'a [&'a str],
    editor: &'a [&'a str],
}

async fn internal_pages_read_in(app: &TestApp, b: &Client, language: &str, tr: &Tr<'_>) {
    let (draft, sent) = pages_of(app).await;
    let pages: Vec<(String, &[&str])> = vec![
        ("/home".into(), std::slice::from_ref(&tr.dashboard)),
        (format!("/records/{SCAR}/{sent}"), tr.record),
        (
            format!("/records/{SCAR}/{draft}/preview?action=change_state_to_pending_response__c"),
            tr.preview,
        ),
        (format!("/records/{SCAR}"), tr.list),
        ("/licenses".into(), tr.licenses),
        ("/users".into(), tr.users),
        ("/organizations".into(), tr.organizations),
        ("/configuration".into(), tr.configuration),
        ("/reviews".into(), tr.reviews),
        ("/outbox".into(), tr.outbox),
        (
            "/configuration/templates/ext_collab_welcome_scar__v".into(),
            tr.editor,
        ),
    ];
    for (path, said) in pages {
        let text = page(b, app, &path).await;
        check(language, &path, &text, said, ENGLISH);
    }
}

async fn an_internal_user_who_chose_german_reads_internal_pages_in_german(app: TestApp) {
    let b = admin_reading(&app, "en").await;
    let choose = page(&b, &app, "/account/language").await;
    let r = b
        .post(format!("{}/account/language", app.base))
        .form(&[("csrf", csrf_of(&choose).as_str()), ("language", "de")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status().is_redirection());
    let german = Tr {
        dashboard: "Übersicht",
        record: &["Aktionen", "Lieferant und Mitwirkende", "Verlauf"],
        preview: &[
            "Was geschehen wird",
            "1 Benutzer wird angelegt",
            "E-Mail „Willkommen“ (SCAR)",
        ],
        list: &["SCAR anlegen", "<h1>SCAR-Liste</h1>"],
        licenses: &[
            "Belegte Plätze in den letzten 30 Tagen",
            "Nach Organisation",
            "Aktive externe Benutzer",
        ],
        users: &["Benutzername", "Automatisch verwaltet"],
        organizations: &["Organisation hinzufügen"],
        configuration: &["Beim Eintritt", "Übergänge", "Vorlagen:"],
        reviews: &["Wartet auf Ihre Entscheidung", "Prüfung eröffnen"],
        outbox: &["Versuche", "Letzter Fehler", "E-Mail „Willkommen“ (SCAR)"],
        editor: &["Betreff", "Zurück zum ausgelieferten Text"],
    };
    internal_pages_read_in(&app, &b, "de", &german).await;
}

both_backends!(
    an_internal_user_who_chose_german_reads_internal_pages_in_german,
    an_internal_user_who_chose_german_reads_internal_pages_in_german
);

async fn an_internal_user_whose_browser_reads_japanese_reads_internal_pages_in_japanese(
    app: TestApp,
) {
    let b = admin_reading(&app, "ja-JP,ja;q=0.9,en;q=0.5").await;
    let japanese = Tr {
        dashboard: "ダッシュボード",
        record: &["アクション", "サプライヤーと協力者", "履歴"],
        preview: &["実行内容", "1 人のユーザーを作成", "ようこそメール（SCAR）"],
        list: &["SCAR の新規作成", "<h1>SCAR 一覧</h1>"],
        licenses: &["使用中の席数（過去 30 日間）", "組織別"],
        users: &["ユーザー名", "自動管理"],
        organizations: &["組織を追加"],
        configuration: &["移行時の処理", "遷移"],
        reviews: &["あなたの判断待ち", "レビューを開始"],
        outbox: &["試行回数", "最後のエラー"],
        editor: &["件名", "初期の文面に戻す"],
    };
    internal_pages_read_in(&app, &b, "ja", &japanese).await;
}

both_backends!(
    an_internal_user_whose_browser_reads_japanese_reads_internal_pages_in_japanese,
    an_internal_user_whose_browser_reads_japanese_reads_internal_pages_in_japanese
);

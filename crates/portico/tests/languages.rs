//! Languages (SPEC section 11): email templates per language through the API, the email to a
//! person in its `language__v`, non-ASCII subjects encoded per RFC 2047 over real SMTP, and
//! the pages in the reader's language.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::names::SCAR;
use support::smtp::{decode_words, header, readable, SmtpSink};
use support::TestApp;

const WELCOME: &str = "/api/v1/notification-templates/ext_collab_welcome_scar__v";

/// A contact of `org` whose address is `<local>@<language>.example`.
async fn contact(
    app: &TestApp,
    org: &str,
    (first, last, local): (&str, &str, &str),
    language: &str,
) -> String {
    let body = json!({
        "first_name__v": first, "last_name__v": last,
        "email__v": format!("{local}@{language}.example"),
        "organization__v": org, "language__v": language,
    });
    app.ok(
        Method::POST,
        &app.admin,
        "/api/v1/vobjects/person__v",
        Some(body),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn welcome_of<'a>(outbox: &'a [Value], to: &str) -> &'a Value {
    outbox
        .iter()
        .find(|m| m["template"] == "ext_collab_welcome_scar__v" && m["to"] == to)
        .unwrap_or_else(|| panic!("a Welcome to {to} in {outbox:?}"))
}

/// The Welcome template as the API answers it in `language`.
async fn welcome_in(app: &TestApp, language: &str) -> Value {
    let path = format!("{WELCOME}?language={language}");
    app.ok(Method::GET, &app.admin, &path, None).await
}

async fn templates_are_kept_per_language(app: TestApp) {
    // No language: English, as configured; each shipped language has its own default.
    let en = app.ok(Method::GET, &app.admin, WELCOME, None).await;
    assert_eq!(
        (en["language"].as_str(), en["customized"].as_bool()),
        (Some("en"), Some(false))
    );
    assert!(
        en["subject"].as_str().unwrap().contains("you are invited"),
        "{en}"
    );
    let de = welcome_in(&app, "de").await;
    assert_eq!(de["language"], "de");
    assert!(
        de["subject"].as_str().unwrap().contains("Einladung"),
        "{de}"
    );
    let ja = welcome_in(&app, "ja").await;
    assert!(
        ja["body"]
            .as_str()
            .unwrap()
            .contains("${lastName} ${firstName} 様"),
        "{ja}"
    );
    let all_zh = app
        .ok(
            Method::GET,
            &app.admin,
            "/api/v1/notification-templates?language=zh",
            None,
        )
        .await;
    assert_eq!(all_zh.as_array().unwrap().len(), 25);
    assert!(all_zh
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["language"] == "zh"));

    // A language Portico does not ship is refused in the SPEC envelope, naming those it does.
    for bad in ["pt", "de-DE", "xx%3Cb%3E"] {
        let (status, body) = app
            .get(&app.admin, &format!("{WELCOME}?language={bad}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["responseStatus"], "FAILURE");
        assert_eq!(body["errors"][0]["type"], "INVALID_DATA");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("en, de, fr, es, ja, zh"), "{message}");
    }
    let (status, _) = app
        .put(
            &app.admin,
            &format!("{WELCOME}?language=pt"),
            json!({"subject": "Olá", "body": "${utp?url}"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Saving German changes German only.
    let saved = app
        .ok(
            Method::PUT,
            &app.admin,
            &format!("{WELCOME}?language=de"),
            Some(json!({"subject": "Hallo ${firstName}: ${name__v}", "body": "Passwort: ${utp?url}"})),
        )
        .await;
    assert_eq!(
        (saved["language"].as_str(), saved["customized"].as_bool()),
        (Some("de"), Some(true))
    );
    let en_after = app.ok(Method::GET, &app.admin, WELCOME, None).await;
    assert_eq!(en_after, en, "English is untouched");
    let ja_after = welcome_in(&app, "ja").await;
    assert_eq!(ja_after, ja, "Japanese is untouched");
    let de_after = welcome_in(&app, "de").await;
    assert_eq!(de_after["subject"], "Hallo ${firstName}: ${name__v}");

    // Saving English later leaves German as saved; resetting German leaves English as saved.
    app.ok(
        Method::PUT,
        &app.admin,
        WELCOME,
        Some(json!({"subject": "Hi ${firstName}", "body": "Link: ${utp?url}"})),
    )
    .await;
    let de_still = welcome_in(&app, "de").await;
    assert_eq!(de_still["subject"], "Hallo ${firstName}: ${name__v}");
    let reset = app
        .ok(
            Method::POST,
            &app.admin,
            &format!("{WELCOME}/reset?language=de"),
            None,
        )
        .await;
    assert_eq!(
        reset["subject"], de["subject"],
        "back to the shipped German"
    );
    let en_kept = app.ok(Method::GET, &app.admin, WELCOME, None).await;
    assert_eq!(en_kept["subject"], "Hi ${firstName}");

    // The preview renders in the language asked for.
    let preview = app
        .ok(
            Method::POST,
            &app.admin,
            &format!("{WELCOME}/preview?language=fr"),
            Some(json!({"subject": "${userLanguage}: ${firstName}", "body": "x"})),
        )
        .await;
    assert_eq!(preview["subject"], "fr: Anna");
}

both_backends!(
    templates_are_kept_per_language,
    templates_are_kept_per_language
);

async fn each_person_gets_the_welcome_in_its_language(app: TestApp) {
    let acme = app.org("Acme").await;
    let anna = contact(&app, &acme, ("Anna", "Berg", "berg"), "de").await;
    let taro = contact(&app, &acme, ("太郎", "山田", "yamada"), "ja").await;
    let joao = contact(&app, &acme, ("João", "Silva", "silva"), "pt").await;
    let li = contact(&app, &acme, ("Wei", "Li", "li"), "zh").await;
    // An administrator's Chinese text replaces the shipped one for Chinese readers only.
    app.ok(
        Method::PUT,
        &app.admin,
        &format!("{WELCOME}?language=zh"),
        Some(json!({"subject": "欢迎 ${firstName}", "body": "${utp?url}"})),
    )
    .await;
    let scar = app
        .record(SCAR, "SCAR-7", &acme, &[&anna, &taro, &joao, &li])
        .await;
    app.send(SCAR, &scar).await;
    let outbox = app.outbox().await;
    let subject = |to: &str| {
        welcome_of(&outbox, to)["subject"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        subject("berg@de.example"),
        "Portico Quality: Einladung zur Stellungnahme zu SCAR-7"
    );
    assert_eq!(
        subject("yamada@ja.example"),
        "Portico Quality：SCAR-7 へのご回答のお願い"
    );
    assert_eq!(
        subject("silva@pt.example"),
        "Portico Quality: you are invited to respond to SCAR-7",
        "a language Portico does not ship reads English"
    );
    assert_eq!(subject("li@zh.example"), "欢迎 Wei");
    let ja = welcome_of(&outbox, "yamada@ja.example");
    assert!(
        ja["body"].as_str().unwrap().starts_with("山田 太郎 様"),
        "{ja}"
    );
}

both_backends!(
    each_person_gets_the_welcome_in_its_language,
    each_person_gets_the_welcome_in_its_language
);

async fn non_ascii_subjects_are_encoded_words_over_smtp(backend: support::Backend) {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let Some(app) = TestApp::spawn_with(backend, move |s| {
        s.smtp_url = Some(url);
        s.mail_retry_ms = 1;
    })
    .await
    else {
        return;
    };
    let acme = app.org("Acme").await;
    let taro = contact(&app, &acme, ("太郎", "山田", "yamada"), "ja").await;
    let jurgen = contact(&app, &acme, ("Jürgen", "Weiß", "weiss"), "de").await;
    let scar = app.record(SCAR, "SCAR-Ü1", &acme, &[&taro, &jurgen]).await;
    app.send(SCAR, &scar).await;
    app.deliver().await;
    let messages = sink.messages();
    let welcome = |to: &str| {
        messages
            .iter()
            .find(|m| {
                header(m, "To").is_some_and(|t| t.contains(to))
                    && readable(m).contains("set-password?token=")
            })
            .unwrap_or_else(|| panic!("a Welcome to {to}"))
            .clone()
    };
    for (to, expected, greeting) in [
        (
            "yamada@ja.example",
            "Portico Quality：SCAR-Ü1 へのご回答のお願い",
            "山田 太郎 様",
        ),
        (
            "weiss@de.example",
            "Portico Quality: Einladung zur Stellungnahme zu SCAR-Ü1",
            "Guten Tag Jürgen Weiß,",
        ),
    ] {
        let raw = welcome(to);
        let subject = header(&raw, "Subject").unwrap();
        assert!(subject.is_ascii(), "the raw header is ASCII: {subject}");
        assert!(subject.contains("=?utf-8?"), "encoded words: {subject}");
        assert_eq!(decode_words(&subject), expected);
        let text = readable(&raw);
        assert!(text.contains(greeting), "{text}");
    }
}

per_backend!(
    non_ascii_subjects_are_encoded_words_over_smtp,
    non_ascii_subjects_are_encoded_words_over_smtp
);

async fn a_german_collaborator_reads_its_pages_in_german(app: TestApp) {
    use support::{browser, csrf_of};
    let acme = app.org("Acme").await;
    let anna = contact(&app, &acme, ("Anna", "Müller", "mueller"), "de").await;
    app.ok(
        Method::PATCH,
        &app.admin,
        &format!("/api/v1/vobjects/person__v/{anna}"),
        Some(json!({"timezone__v": "Asia/Tokyo"})),
    )
    .await;
    let (status, refused) = app
        .patch(
            &app.admin,
            &format!("/api/v1/vobjects/person__v/{anna}"),
            json!({"timezone__v": "Mars/Olympus"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    let scar = app.record(SCAR, "SCAR-3", &acme, &[&anna]).await;
    app.send(SCAR, &scar).await;
    app.deliver().await;
    let token = app.link_token("mueller@de.example").await;

    // The set-password page speaks the invited person's language, and so do the pages after.
    let b = browser();
    let get = |path: String| {
        let b = b.clone();
        let base = app.base.clone();
        async move {
            let r = b.get(format!("{base}{path}")).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (status, form) = get(format!("/set-password?token={token}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("<html lang=\"de\">"), "{form}");
    assert!(form.contains("Passwort festlegen"), "{form}");
    let r = b
        .post(format!("{}/set-password", app.base))
        .form(&[
            ("csrf", csrf_of(&form).as_str()),
            ("token", token.as_str()),
            ("password", "grüne Wiesen am Bodensee"),
            ("confirm", "grüne Wiesen am Bodensee"),
        ])
        .send()
        .await
        .unwrap();
    let done = r.text().await.unwrap();
    assert!(done.contains("Ihr Passwort ist festgelegt"), "{done}");
    let (_, login) = get("/login".into()).await;
    assert!(
        login.contains("Bei Portico anmelden"),
        "the language cookie: {login}"
    );
    let username = app.user_by_email("mueller@de.example").await["username__v"]
        .as_str()
        .unwrap()
        .to_string();
    let r = b
        .post(format!("{}/login", app.base))
        .form(&[
            ("csrf", csrf_of(&login).as_str()),
            ("username", username.as_str()),
            ("password", "grüne Wiesen am Bodensee"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, home) = get("/home".into()).await;
    assert!(home.contains("<html lang=\"de\">"), "{home}");
    assert!(home.contains("Ihre offenen Aufgaben"), "{home}");
    assert!(home.contains("fällig in 14 Tagen"), "{home}");
    let (_, record) = get(format!("/records/{SCAR}/{scar}")).await;
    assert!(
        record.contains("Antwort senden") && record.contains("Kommentare"),
        "{record}"
    );
    assert!(!record.contains("Send response"), "{record}");

    // Its language is its contact's: it has no language page, and cannot post one.
    let (status, _) = get("/account/language".into()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let r = b
        .post(format!("{}/account/language", app.base))
        .form(&[("csrf", csrf_of(&record).as_str()), ("language", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (_, home) = get("/home".into()).await;
    assert!(home.contains("<html lang=\"de\">"), "unchanged: {home}");

    // A stranger's browser that prefers Japanese gets the Japanese sign-in page.
    let stranger = browser();
    let r = stranger
        .get(format!("{}/login", app.base))
        .header("Accept-Language", "ja-JP,ja;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    let page = r.text().await.unwrap();
    assert!(
        page.contains("<html lang=\"ja\">") && page.contains("Portico にサインイン"),
        "{page}"
    );
}

both_backends!(
    a_german_collaborator_reads_its_pages_in_german,
    a_german_collaborator_reads_its_pages_in_german
);

async fn an_internal_user_chooses_its_language(app: TestApp) {
    use support::{browser, csrf_of};
    let b = browser();
    let base = app.base.clone();
    let (_, login) = {
        let r = b.get(format!("{base}/login")).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    };
    let r = b
        .post(format!("{base}/login"))
        .form(&[
            ("csrf", csrf_of(&login).as_str()),
            ("username", "admin"),
            ("password", support::ADMIN_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = b
        .get(format!("{base}/account/language"))
        .header("Accept-Language", "fr")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<html lang=\"fr\">"),
        "the browser's language first: {page}"
    );
    let saved = b
        .post(format!("{base}/account/language"))
        .form(&[("csrf", csrf_of(&page).as_str()), ("language", "es")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(saved.contains("Guardado."), "{saved}");
    let home = b
        .get(format!("{base}/home"))
        .header("Accept-Language", "fr")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("<html lang=\"es\">") && home.contains("Panel"),
        "{home}"
    );
    let (status, body) = app
        .post(&app.admin, "/api/v1/vobjects/person__v", json!({"first_name__v": "A", "last_name__v": "B", "email__v": "a@b.example", "timezone__v": "Nowhere/Land"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

both_backends!(
    an_internal_user_chooses_its_language,
    an_internal_user_chooses_its_language
);

/// A browser signed in as the contact at `email`, whose set-password link was sent.
async fn signed_in(app: &TestApp, email: &str, password: &str) -> reqwest::Client {
    use support::{browser, csrf_of};
    let token = app.link_token(email).await;
    let (status, body) = app.set_password(&token, password).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let username = app.user_by_email(email).await["username__v"]
        .as_str()
        .unwrap()
        .to_string();
    let b = browser();
    let login = b.get(format!("{}/login", app.base)).send().await.unwrap();
    let login = login.text().await.unwrap();
    let r = b
        .post(format!("{}/login", app.base))
        .form(&[
            ("csrf", csrf_of(&login).as_str()),
            ("username", username.as_str()),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    b
}

/// Posts `form` (with the CSRF token of `page`) and answers the status and the page shown.
async fn post_form(
    b: &reqwest::Client,
    app: &TestApp,
    path: &str,
    page: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let csrf = support::csrf_of(page);
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(form);
    let r = b
        .post(format!("{}{path}", app.base))
        .form(&fields)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn a_german_collaborator_meets_refusals_and_configured_words_in_german(app: TestApp) {
    let acme = app.org("Acme").await;
    let anna = contact(&app, &acme, ("Anna", "Weiß", "weiss"), "de").await;
    let scar = app.record(SCAR, "SCAR-7", &acme, &[&anna]).await;
    app.send(SCAR, &scar).await;
    // A second record keeps her account active once the first one closes.
    let other = app.record(SCAR, "SCAR-9", &acme, &[&anna]).await;
    app.send(SCAR, &other).await;
    app.deliver().await;
    let password = "Kirschblüten im Schwarzwald";
    let b = signed_in(&app, "weiss@de.example", password).await;
    let record_path = format!("/records/{SCAR}/{scar}");
    let page = b.get(format!("{}{record_path}", app.base)).send().await;
    let page = page.unwrap().text().await.unwrap();

    // The configuration's words in German: the state, the task and its instructions.
    assert!(page.contains("Antwort ausstehend"), "{page}");
    assert!(page.contains("Antworten"), "{page}");
    assert!(
        page.contains("Antworten Sie auf SCAR-7: Beschreiben Sie die Ursache"),
        "{page}"
    );
    assert!(!page.contains("Pending Response"), "{page}");

    // An empty comment: the reason, in German.
    let comments = format!("{record_path}/comments");
    let (status, refused) = post_form(&b, &app, &comments, &page, &[("body", "  ")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        refused.contains("Bitte schreiben Sie einen Text, bevor Sie ihn senden."),
        "{refused}"
    );

    // The task answered twice: the second time it is no longer open.
    let task = page
        .split("id=\"task-")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let complete = format!("/tasks/{task}/complete");
    let answer = [
        ("response", "Ursache gefunden"),
        ("back", record_path.as_str()),
    ];
    let (status, _) = post_form(&b, &app, &complete, &page, &answer).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, refused) = post_form(&b, &app, &complete, &page, &answer).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        refused.contains("Diese Aufgabe ist nicht mehr offen"),
        "{refused}"
    );

    // A closed record: read, but no longer commented on; the API keeps its English sentence.
    let (status, body) = app
        .action(SCAR, &scar, "change_state_to_closed__c", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, refused) =
        post_form(&b, &app, &comments, &page, &[("body", "Noch eine Frage")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        refused.contains("SCAR-7 ist abgeschlossen: Sie können den Vorgang weiterhin lesen"),
        "{refused}"
    );
    let username = app.user_by_email("weiss@de.example").await["username__v"]
        .as_str()
        .unwrap()
        .to_string();
    let token = app.login(&username, password).await;
    let (status, body) = app
        .post(
            &token,
            &format!("/api/v1/vobjects/{SCAR}/{scar}/comments"),
            json!({"body": "Noch eine Frage"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body["errors"][0]["message"],
        "SCAR-7 is closed: you can still read it, but no longer comment, add files or answer on it",
        "{body}"
    );
}

both_backends!(
    a_german_collaborator_meets_refusals_and_configured_words_in_german,
    a_german_collaborator_meets_refusals_and_configured_words_in_german
);

async fn a_japanese_collaborator_reads_its_news_in_japanese(app: TestApp) {
    let acme = app.org("Acme").await;
    let kenji = contact(&app, &acme, ("健二", "山田", "yamada"), "ja").await;
    let scar = app.record(SCAR, "SCAR-8", &acme, &[&kenji]).await;
    app.send(SCAR, &scar).await;
    app.deliver().await;
    let password = "桜の季節に富士山を見る";
    let b = signed_in(&app, "yamada@ja.example", password).await;
    let home = b.get(format!("{}/home", app.base)).send().await;
    let home = home.unwrap().text().await.unwrap();
    assert!(
        home.contains("SCAR-8 に新しいタスクがあります: 回答"),
        "the task's news in Japanese, its label as configured: {home}"
    );
    assert!(!home.contains("New task on"), "{home}");

    // The API keeps the stored English sentence.
    let username = app.user_by_email("yamada@ja.example").await["username__v"]
        .as_str()
        .unwrap()
        .to_string();
    let token = app.login(&username, password).await;
    let (status, body) = app.get(&token, "/api/v1/notifications").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["data"][0]["message"], "New task on SCAR-8: Respond",
        "{body}"
    );
}

both_backends!(
    a_japanese_collaborator_reads_its_news_in_japanese,
    a_japanese_collaborator_reads_its_news_in_japanese
);

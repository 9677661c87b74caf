//! The smaller holes of the outside review, closed: file types come from the content, responses
//! and answers have a length limit, closed records are read-only for external collaborators,
//! the audit export is consistent and streamed, and a page whose data cannot be read says so
//! instead of showing empty sections.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::redirect::Policy;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use support::names::SCAR;
use support::TestApp;

fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

async fn page(b: &Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = b.get(format!("{}{path}", app.base)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn form(
    b: &Client,
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let r = b
        .post(format!("{}{path}", app.base))
        .form(fields)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn sign_in(app: &TestApp, user: &str, password: &str) -> Client {
    let b = browser();
    let (_, login) = page(&b, app, "/login").await;
    let (status, body) = form(
        &b,
        app,
        "/login",
        &[
            ("csrf", &csrf_of(&login)),
            ("username", user),
            ("password", password),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    b
}

/// Anna of Acme, collaborator on SCARs sent to her, signed in over the API and in a browser.
struct Anna {
    person: String,
    token: String,
    browser: Client,
    records: Vec<String>,
}

async fn anna_on(app: &TestApp, names: &[&str]) -> Anna {
    let acme = app.org("Acme").await;
    let person = app.person(&acme, "Anna", "Berg").await;
    let mut records = vec![];
    for name in names {
        let r = app.record(SCAR, name, &acme, &[&person]).await;
        app.send(SCAR, &r).await;
        records.push(r);
    }
    let password = "anna's long password";
    let token = app
        .accept_welcome(&app.email_of(&person).await, password)
        .await;
    let username = app.user_of(&person).await["username__v"]
        .as_str()
        .unwrap()
        .to_string();
    let browser = sign_in(app, &username, password).await;
    Anna {
        person,
        token,
        browser,
        records,
    }
}

/// Uploads over the API: the status and the JSON answer.
async fn upload(
    app: &TestApp,
    token: &str,
    record: &str,
    bytes: &[u8],
    name: &str,
    kind: &str,
) -> (StatusCode, Value) {
    let part = reqwest::multipart::Part::bytes(bytes.to_vec())
        .file_name(name.to_string())
        .mime_str(kind)
        .unwrap();
    let res = app
        .client
        .post(format!(
            "{}/api/v1/vobjects/{SCAR}/{record}/files",
            app.base
        ))
        .bearer_auth(token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap())
}

/// Uploads through the record page's form.
async fn upload_on_page(
    app: &TestApp,
    b: &Client,
    record: &str,
    bytes: &[u8],
    name: &str,
    kind: &str,
) -> (StatusCode, String) {
    let (_, record_page) = page(b, app, &format!("/records/{SCAR}/{record}")).await;
    let part = reqwest::multipart::Part::bytes(bytes.to_vec())
        .file_name(name.to_string())
        .mime_str(kind)
        .unwrap();
    let res = b
        .post(format!("{}/records/{SCAR}/{record}/files", app.base))
        .multipart(
            reqwest::multipart::Form::new()
                .text("csrf", csrf_of(&record_page))
                .part("file", part),
        )
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn files_of(app: &TestApp, record: &str) -> Vec<Value> {
    app.ok(
        Method::GET,
        &app.admin,
        &format!("/api/v1/vobjects/{SCAR}/{record}/files"),
        None,
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89";
const WEBP: &[u8] = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00";
const AVI: &[u8] = b"RIFF\x1a\x00\x00\x00AVI LIST\x0d\x00\x00\x00hdrlavih\x38\x00\x00\x00\x00\x00";
const PDF: &[u8] =
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn file_types_come_from_the_content_and_names_follow_them(app: TestApp) {
    let anna = anna_on(&app, &["SCAR-F"]).await;
    let r = &anna.records[0];

    // Any RIFF container is not a WebP image.
    let (status, body) = upload(&app, &app.admin, r, AVI, "clip.webp", "image/webp").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["errors"][0]["type"], "INVALID_DATA");
    let (status, body) = upload(&app, &app.admin, r, WEBP, "pic.webp", "image/webp").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["data"]["content_type"], "image/webp");
    assert_eq!(body["data"]["name"], "pic.webp");

    // A PNG that is also an HTML page keeps neither the name nor the type it was sent with.
    let polyglot = [PNG, b"<html><script>alert(document.cookie)</script></html>"].concat();
    let (status, body) = upload(&app, &anna.token, r, &polyglot, "poly.html", "text/html").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["data"]["content_type"], "image/png");
    assert_eq!(body["data"]["name"], "poly.png");
    let id = body["data"]["id"].as_str().unwrap().to_string();
    for (client, url) in [
        (&app.client, format!("{}/api/v1/files/{id}", app.base)),
        (&anna.browser, format!("{}/files/{id}", app.base)),
    ] {
        let res = client
            .get(&url)
            .bearer_auth(&anna.token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{url}");
        let h = res.headers();
        assert_eq!(h["content-type"], "image/png", "{url}");
        assert_eq!(
            h["content-disposition"], "attachment; filename=\"poly.png\"",
            "{url}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{url}");
        assert_eq!(res.bytes().await.unwrap().as_ref(), polyglot.as_slice());
    }

    // The record page's form does the same.
    let (status, body) =
        upload_on_page(&app, &anna.browser, r, &polyglot, "again.html", "text/html").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, body) =
        upload_on_page(&app, &anna.browser, r, AVI, "clip.webp", "image/webp").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // A name without the type's extension gets it; a right one (any case) is kept.
    let (status, body) = upload(&app, &app.admin, r, PDF, "report", "application/pdf").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["data"]["name"], "report.pdf");
    let (_, body) = upload(&app, &app.admin, r, PNG, "Photo.PNG", "image/png").await;
    assert_eq!(body["data"]["name"], "Photo.PNG");
    // Text is text: a CSV by its name or declared type, plain text otherwise.
    let (status, body) = upload(
        &app,
        &app.admin,
        r,
        b"part,count\nA-1,3\n",
        "counts.csv",
        "application/vnd.ms-excel",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["data"]["content_type"], "text/csv");
    assert_eq!(body["data"]["name"], "counts.csv");
    let (_, body) = upload(&app, &app.admin, r, b"all good", "notes.html", "text/html").await;
    assert_eq!(body["data"]["content_type"], "text/plain");
    assert_eq!(body["data"]["name"], "notes.txt");
    // What is neither an accepted type nor text is refused, whatever it claims.
    for (bytes, name, kind) in [
        (
            &b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"[..],
            "tool.png",
            "image/png",
        ),
        (
            &b"PK\x03\x04\x14\x00\x00\x00\x08\x00"[..],
            "data.csv",
            "text/csv",
        ),
        (&[0xff, 0xfe, 0x00, 0x41][..], "notes.txt", "text/plain"),
    ] {
        let (status, body) = upload(&app, &app.admin, r, bytes, name, kind).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}: {body}");
        assert_eq!(body["errors"][0]["type"], "INVALID_DATA", "{name}");
    }

    let names: Vec<String> = files_of(&app, r)
        .await
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    assert!(
        names.iter().all(|n| !n.ends_with(".html")),
        "no stored name keeps .html: {names:?}"
    );
    assert!(names.contains(&"again.png".to_string()), "{names:?}");
}
both_backends!(
    file_types,
    file_types_come_from_the_content_and_names_follow_them
);

async fn open_task_of(app: &TestApp, record: &str) -> String {
    app.ok(
        Method::GET,
        &app.admin,
        &format!("/api/v1/tasks?record__v={record}&status__v=open__v"),
        None,
    )
    .await[0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn checklist_on(app: &TestApp, record: &str, person: &str, questions: usize) -> String {
    let items: Vec<Value> = (0..questions)
        .map(|i| json!({"question": format!("Question {i}?")}))
        .collect();
    app.ok(
        Method::POST,
        &app.admin,
        &format!("/api/v1/vobjects/{SCAR}/{record}/checklists"),
        Some(json!({"name__v": "8D", "assignee__v": person, "items": items})),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn responses_and_answers_have_the_length_limit_of_comments(app: TestApp) {
    let anna = anna_on(&app, &["SCAR-L"]).await;
    let r = &anna.records[0];
    let task = open_task_of(&app, r).await;
    let checklist = checklist_on(&app, r, &anna.person, 2).await;
    let long = "x".repeat(10_001);
    let huge = "y".repeat(1_500_000);

    for text in [&long, &huge] {
        let (status, body) = app
            .post(
                &anna.token,
                &format!("/api/v1/tasks/{task}/complete"),
                json!({ "response": text }),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{}", body["errors"]);
        assert_eq!(body["errors"][0]["type"], "INVALID_DATA");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("10000 characters"), "{message}");

        let (status, body) = app
            .patch(
                &anna.token,
                &format!("/api/v1/checklists/{checklist}"),
                json!({"items": [{"answer": "fine"}, {"answer": text}]}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["errors"][0]["type"], "INVALID_DATA");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("answer 2") && message.contains("10000 characters"),
            "{message}"
        );
    }
    // The pages refuse the same, with the reason.
    let (_, record_page) = page(&anna.browser, &app, &format!("/records/{SCAR}/{r}")).await;
    let csrf = csrf_of(&record_page);
    let (status, body) = form(
        &anna.browser,
        &app,
        &format!("/tasks/{task}/complete"),
        &[("csrf", &csrf), ("response", &long)],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("at most 10000 characters"), "{body}");
    let (status, body) = form(
        &anna.browser,
        &app,
        &format!("/checklists/{checklist}/answer"),
        &[("csrf", &csrf), ("answer_0", &long), ("answer_1", "ok")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("at most 10000 characters"), "{body}");

    // Nothing was kept: the task is open, the checklist unanswered.
    let t = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/tasks/{task}"),
            None,
        )
        .await;
    assert_eq!(t["status__v"], "open__v", "{t}");
    let c = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/checklists/{checklist}"),
            None,
        )
        .await;
    assert!(c.to_string().len() < 5_000, "no long answer stored");
    assert!(!c.to_string().contains("fine"), "nothing stored: {c}");

    // At the limit it is accepted.
    let exact = "z".repeat(10_000);
    let (status, body) = app
        .patch(
            &anna.token,
            &format!("/api/v1/checklists/{checklist}"),
            json!({"items": [{"answer": exact}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app
        .post(
            &anna.token,
            &format!("/api/v1/tasks/{task}/complete"),
            json!({ "response": exact }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}
both_backends!(
    length_limits,
    responses_and_answers_have_the_length_limit_of_comments
);

/// Anna is on SCAR-OPEN (pending), SCAR-CANCELLED (cancelled) and SCAR-CLOSED (accepted and
/// closed); the first keeps her account active, so she can still sign in and read the others.
async fn closed_records_are_read_only_for_external_collaborators(app: TestApp) {
    let anna = anna_on(&app, &["SCAR-OPEN", "SCAR-CANCELLED", "SCAR-CLOSED"]).await;
    let (open, cancelled, closed) = (&anna.records[0], &anna.records[1], &anna.records[2]);
    let cancelled_task = open_task_of(&app, cancelled).await;
    let cancelled_list = checklist_on(&app, cancelled, &anna.person, 1).await;
    let closed_list = checklist_on(&app, closed, &anna.person, 1).await;
    let (status, body) = app
        .action(SCAR, cancelled, "change_state_to_cancelled__c", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let closed_task = open_task_of(&app, closed).await;
    app.ok(
        Method::POST,
        &anna.token,
        &format!("/api/v1/tasks/{closed_task}/complete"),
        Some(json!({"response": "fixed"})),
    )
    .await;
    let (status, body) = app
        .action(SCAR, closed, "change_state_to_closed__c", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    for (record, list, task) in [
        (cancelled, &cancelled_list, Some(&cancelled_task)),
        (closed, &closed_list, None),
    ] {
        // She may still read it.
        let (status, _) = app
            .get(&anna.token, &format!("/api/v1/vobjects/{SCAR}/{record}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        let mut refused = vec![
            app.post(
                &anna.token,
                &format!("/api/v1/vobjects/{SCAR}/{record}/comments"),
                json!({"body": "one more thing"}),
            )
            .await,
            app.patch(
                &anna.token,
                &format!("/api/v1/checklists/{list}"),
                json!({"items": [{"answer": "late"}]}),
            )
            .await,
            app.post(
                &anna.token,
                &format!("/api/v1/checklists/{list}/complete"),
                json!({}),
            )
            .await,
            upload(&app, &anna.token, record, PNG, "late.png", "image/png").await,
        ];
        if let Some(task) = task {
            refused.push(
                app.post(
                    &anna.token,
                    &format!("/api/v1/tasks/{task}/complete"),
                    json!({"response": "late"}),
                )
                .await,
            );
        }
        for (status, body) in refused {
            assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
            assert_eq!(body["errors"][0]["type"], "INSUFFICIENT_ACCESS");
            let message = body["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains("closed"), "{message}");
        }
        // Nothing was stored.
        let comments = app
            .ok(
                Method::GET,
                &app.admin,
                &format!("/api/v1/vobjects/{SCAR}/{record}/comments"),
                None,
            )
            .await;
        assert_eq!(comments, json!([]));
        assert!(files_of(&app, record).await.is_empty());
        let c = app
            .ok(
                Method::GET,
                &app.admin,
                &format!("/api/v1/checklists/{list}"),
                None,
            )
            .await;
        assert!(!c.to_string().contains("late"), "{c}");

        // The page shows it read-only: no comment, upload, answer or response form.
        let (status, html) = page(&anna.browser, &app, &format!("/records/{SCAR}/{record}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("is closed"), "{html}");
        for action in [
            format!("/records/{SCAR}/{record}/comments"),
            format!("/records/{SCAR}/{record}/files"),
            format!("/checklists/{list}/answer"),
            "/complete\"".to_string(),
        ] {
            assert!(!html.contains(&action), "{action} offered: {html}");
        }
        // And a form posted anyway is refused with the reason.
        let (_, open_page) = page(&anna.browser, &app, &format!("/records/{SCAR}/{open}")).await;
        let (status, body) = form(
            &anna.browser,
            &app,
            &format!("/records/{SCAR}/{record}/comments"),
            &[("csrf", &csrf_of(&open_page)), ("body", "late")],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body.contains("closed"), "{body}");
        let (status, _) =
            upload_on_page(&app, &anna.browser, open, PNG, "fine.png", "image/png").await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        // Internal users keep their rights.
        let (status, body) = app
            .post(
                &app.admin,
                &format!("/api/v1/vobjects/{SCAR}/{record}/comments"),
                json!({"body": "closing note"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = upload(&app, &app.admin, record, PNG, "final.png", "image/png").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = app
            .patch(
                &app.admin,
                &format!("/api/v1/checklists/{list}"),
                json!({"items": [{"answer": "answered by us"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    // The open record keeps every form.
    let (_, html) = page(&anna.browser, &app, &format!("/records/{SCAR}/{open}")).await;
    assert!(html.contains(&format!("/records/{SCAR}/{open}/comments")));
    assert!(html.contains(&format!("/records/{SCAR}/{open}/files")));
    let (status, _) = app
        .post(
            &anna.token,
            &format!("/api/v1/vobjects/{SCAR}/{open}/comments"),
            json!({"body": "still here"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}
both_backends!(
    closed_records,
    closed_records_are_read_only_for_external_collaborators
);

/// The audit export as CSV records: (id, the other cells).
fn export_rows(csv: &str) -> Vec<(i64, Vec<String>)> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().take(4).collect::<Vec<_>>(),
        ["id", "timestamp", "actor", "action"]
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].parse().unwrap(),
                r.iter().map(str::to_string).collect(),
            )
        })
        .collect()
}

/// Every id of the trail, oldest first (read while nothing writes).
async fn all_ids(app: &TestApp) -> Vec<i64> {
    let mut ids = vec![];
    loop {
        let page = app
            .ok(
                Method::GET,
                &app.admin,
                &format!("/api/v1/audit?limit=1000&offset={}", ids.len()),
                None,
            )
            .await;
        let page = page.as_array().unwrap();
        ids.extend(page.iter().map(|e| e["id"].as_i64().unwrap()));
        if page.len() < 1000 {
            break;
        }
    }
    ids.reverse();
    ids
}

async fn export(app: &TestApp, query: &str) -> reqwest::Response {
    let res = app
        .client
        .get(format!("{}/api/v1/audit/export{query}", app.base))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res
}

async fn the_audit_export_is_a_consistent_stream(app: TestApp) {
    // A quiet trail: the export holds exactly its entries, oldest first.
    let anna = anna_on(&app, &["SCAR-A"]).await;
    let res = export(&app, "").await;
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(
        res.headers().get("content-length").is_none(),
        "streamed, not built in memory first"
    );
    let rows = export_rows(&res.text().await.unwrap());
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, all_ids(&app).await);
    let filtered = export_rows(
        &export(&app, &format!("?record__v={}", anna.records[0]))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(!filtered.is_empty());
    assert!(filtered
        .iter()
        .all(|(_, cells)| cells[6] == anna.records[0]));

    // Cells a spreadsheet would run as a formula are neutralised.
    let store = app.running.app.store();
    store
        .execute_raw(
            "INSERT INTO audit_trail (at, actor_id, action, object, object_id, record_id, after_json, cause) \
             VALUES (1, '\tTAB', '=1+1', '+SUM(A1)', '-2', '=HYPERLINK(\"http://evil\")', '{\"a\":\"=x\"}', '@cmd')",
        )
        .await
        .unwrap();
    let rows = export_rows(&export(&app, "").await.text().await.unwrap());
    let (_, cells) = rows.last().unwrap();
    assert_eq!(
        cells[2..],
        [
            "'\tTAB",
            "'=1+1",
            "'+SUM(A1)",
            "'-2",
            "'=HYPERLINK(\"http://evil\")",
            "",
            "",
            "",
            "{\"a\":\"=x\"}",
            "'@cmd",
            // The description names no one it cannot find, and quotes nothing a spreadsheet
            // would run.
            "a removed user: =1+1"
        ]
    );

    // A long trail, exported while other requests keep writing: every entry that existed when
    // the export began comes once, in order, and nothing is skipped.
    store
        .execute_raw(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000) \
             INSERT INTO audit_trail (at, action, object, object_id) \
             SELECT 1700000000000 + i, 'test.filler', 'test', 'filler' FROM n",
        )
        .await
        .unwrap();
    let before = *all_ids(&app).await.last().unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writes = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writer = {
        let (stop, writes) = (stop.clone(), writes.clone());
        let (base, admin, client) = (app.base.clone(), app.admin.clone(), app.client.clone());
        tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let n = writes.load(std::sync::atomic::Ordering::SeqCst);
                let res = client
                    .post(format!("{base}/api/v1/vobjects/organization__v"))
                    .bearer_auth(&admin)
                    .json(&json!({"name__v": format!("Writer {n}")}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::CREATED);
                writes.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        })
    };
    while writes.load(std::sync::atomic::Ordering::SeqCst) < 3 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let during = writes.load(std::sync::atomic::Ordering::SeqCst);
    let mut res = export(&app, "").await;
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await.unwrap() {
        body.extend_from_slice(&chunk);
        // A slow reader: the server reads its pages while the writer goes on.
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let written_meanwhile = writes.load(std::sync::atomic::Ordering::SeqCst) - during;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    writer.await.unwrap();
    assert!(written_meanwhile > 0, "the writer wrote during the export");
    let exported: Vec<i64> = export_rows(&String::from_utf8(body).unwrap())
        .iter()
        .map(|(id, _)| *id)
        .collect();
    assert!(
        exported.windows(2).all(|w| w[0] < w[1]),
        "each entry once, in order"
    );
    let last = *exported.last().unwrap();
    assert!(last >= before, "every entry written before it began");
    let trail: Vec<i64> = all_ids(&app)
        .await
        .into_iter()
        .take_while(|id| *id <= last)
        .collect();
    assert_eq!(exported.len(), trail.len(), "no gaps");
    assert_eq!(exported, trail);
}
both_backends!(audit_export, the_audit_export_is_a_consistent_stream);

/// What an error page may not show: the cause.
fn assert_plain_error(status: StatusCode, html: &str) {
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{html}");
    assert!(html.contains("went wrong"), "{html}");
    for leak in [
        "no such table",
        "does not exist",
        "database",
        "internal error",
        "comments",
        "notifications",
    ] {
        assert!(!html.to_lowercase().contains(leak), "leaks {leak}: {html}");
    }
}

async fn pages_whose_data_cannot_be_read_show_an_error(app: TestApp) {
    let anna = anna_on(&app, &["SCAR-E"]).await;
    let r = &anna.records[0];
    let admin = sign_in(&app, "admin", support::ADMIN_PASSWORD).await;
    let record_path = format!("/records/{SCAR}/{r}");
    let (status, html) = page(&admin, &app, &record_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Comments"));
    let (status, _) = page(&admin, &app, "/home").await;
    assert_eq!(status, StatusCode::OK);

    // A table the record page reads is gone: the page says something went wrong, not "no
    // comments", and a form that writes to it fails the same way.
    let store = app.running.app.store();
    store.execute_raw("DROP TABLE comments").await.unwrap();
    let (status, html) = page(&admin, &app, &record_path).await;
    assert_plain_error(status, &html);
    let (status, html) = page(&anna.browser, &app, &record_path).await;
    assert_plain_error(status, &html);
    let (_, home) = page(&admin, &app, "/home").await;
    let (status, html) = form(
        &admin,
        &app,
        &format!("{record_path}/comments"),
        &[("csrf", &csrf_of(&home)), ("body", "hello")],
    )
    .await;
    assert_plain_error(status, &html);

    // The home pages read the notifications.
    store.execute_raw("DROP TABLE notifications").await.unwrap();
    for b in [&admin, &anna.browser] {
        let (status, html) = page(b, &app, "/home").await;
        assert_plain_error(status, &html);
    }

    // A session that cannot be checked is not a session to sign in again for.
    store.execute_raw("DROP TABLE sessions").await.unwrap();
    let (status, html) = page(&admin, &app, "/tickets").await;
    assert_plain_error(status, &html);
    // Nor is a sign-in that fails on our side a wrong password.
    let b = browser();
    let (_, login) = page(&b, &app, "/login").await;
    let (status, html) = form(
        &b,
        &app,
        "/login",
        &[
            ("csrf", &csrf_of(&login)),
            ("username", "admin"),
            ("password", support::ADMIN_PASSWORD),
        ],
    )
    .await;
    assert_plain_error(status, &html);
}
both_backends!(page_errors, pages_whose_data_cannot_be_read_show_an_error);

async fn blank_json_body(app: TestApp) {
    // A body of blank text says JSON and is not JSON: refused, and nothing changes.
    let acme = app.org("Acme").await;
    let path = format!("/api/v1/vobjects/organization__v/{acme}");
    let r = app
        .client
        .patch(format!("{}{path}", app.base))
        .bearer_auth(&app.admin)
        .header("content-type", "application/json")
        .body("\t")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["type"], "INVALID_DATA", "{body}");
    let org = app.ok(Method::GET, &app.admin, &path, None).await;
    assert_eq!(org["name__v"], "Acme");
}
both_backends!(a_blank_json_body_is_refused, blank_json_body);

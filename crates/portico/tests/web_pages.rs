//! The browser side: sign-in with a session cookie, CSRF on every form, security headers, and
//! an external collaborator who sees and answers exactly what was shared with it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::redirect::Policy;
use reqwest::{Client, Method, StatusCode};
use serde_json::json;
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

/// Every form of a page that posts carries the `csrf` field (each section draws its own).
fn assert_posting_forms_carry_the_csrf_field(html: &str) {
    let mut posting = 0;
    for form in html.split("<form").skip(1) {
        let form = form.split("</form>").next().unwrap();
        if form.contains(r#"method="post""#) {
            posting += 1;
            assert!(form.contains(r#"name="csrf""#), "{form}");
        }
    }
    assert!(posting > 1, "a page with forms: {html}");
}

/// A browser signed in as the admin.
async fn admin_browser(app: &TestApp) -> Client {
    let b = browser();
    sign_in(&b, app, "admin", support::ADMIN_PASSWORD).await;
    b
}

async fn page(b: &Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = b.get(format!("{}{path}", app.base)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn sign_in(b: &Client, app: &TestApp, user: &str, password: &str) {
    let (_, login) = page(b, app, "/login").await;
    let r = b
        .post(format!("{}/login", app.base))
        .form(&[
            ("csrf", csrf_of(&login).as_str()),
            ("username", user),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
}

async fn a_collaborator_answers_its_request_in_the_browser(app: TestApp) {
    let acme = app.org("Acme").await;
    let globex = app.org("Globex").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let eve = app.person(&globex, "Eve", "Stone").await;
    let mine = app.record("car__v", "SCAR-MINE", &acme, &[&anna]).await;
    let theirs = app.record("car__v", "SCAR-THEIRS", &globex, &[&eve]).await;
    app.send("car__v", &mine).await;
    app.send("car__v", &theirs).await;
    app.ok(
        Method::POST,
        &app.admin,
        &format!("/api/v1/vobjects/car__v/{mine}/checklists"),
        Some(json!({"name__v": "8D", "assignee__v": anna, "items": [{"question": "Root cause?"}]})),
    )
    .await;
    let email = app.email_of(&anna).await;
    app.accept_welcome(&email, "anna's long password").await;
    let username = app.user_of(&anna).await["username__v"]
        .as_str()
        .unwrap()
        .to_string();

    let b = browser();
    let r = b.get(format!("{}/login", app.base)).send().await.unwrap();
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    let (status, _) = page(&b, &app, "/home").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "signed out: to the login page"
    );

    // A form without the CSRF token is refused.
    let r = b
        .post(format!("{}/login", app.base))
        .form(&[
            ("csrf", "forged"),
            ("username", username.as_str()),
            ("password", "anna's long password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (_, login) = page(&b, &app, "/login").await;
    let r = b
        .post(format!("{}/login", app.base))
        .form(&[
            ("csrf", csrf_of(&login).as_str()),
            ("username", username.as_str()),
            ("password", "anna's long password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("portico_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );

    let (status, home) = page(&b, &app, "/home").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.contains("SCAR-MINE") && !home.contains("SCAR-THEIRS"),
        "{home}"
    );
    let (status, _) = page(&b, &app, &format!("/records/car__v/{theirs}")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "typing another record's address shows nothing"
    );
    for internal_only in [
        "/organizations",
        "/licenses",
        "/outbox",
        "/records/car__v/new",
    ] {
        let (status, _) = page(&b, &app, internal_only).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{internal_only}");
    }

    let (status, record) = page(&b, &app, &format!("/records/car__v/{mine}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(record.contains("Root cause?"));
    assert_posting_forms_carry_the_csrf_field(&record);
    assert!(
        record.contains("<dd>Acme</dd>") && !record.contains(&acme),
        "the supplier by its name, not its id: {record}"
    );
    let csrf = csrf_of(&record);
    let task = record
        .split("action=\"/tasks/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let checklist = record
        .split("action=\"/checklists/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let back = format!("/records/car__v/{mine}");
    let r = b
        .post(format!("{}/checklists/{checklist}/answer", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("back", back.as_str()),
            ("answer_0", "a worn tool"),
            ("action", "complete"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = b
        .post(format!("{}/tasks/{task}/complete", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("back", "https://evil.example/"),
            ("response", "Replaced the tool; photos attached."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/home", "no redirect off the site");
    let rec = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/car__v/{mine}"),
            None,
        )
        .await;
    assert_eq!(rec["state__v"], "in_review__c");
    let lists = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/car__v/{mine}/checklists"),
            None,
        )
        .await;
    assert_eq!(lists[0]["status__v"], "completed__v");

    // Signing out ends the session.
    let (_, home) = page(&b, &app, "/home").await;
    let r = b
        .post(format!("{}/logout", app.base))
        .form(&[("csrf", csrf_of(&home).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, _) = page(&b, &app, "/home").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}
both_backends!(
    collaborator_in_the_browser,
    a_collaborator_answers_its_request_in_the_browser
);

async fn an_internal_user_sees_the_dashboard(app: TestApp) {
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let r = app.record("audit__qdm", "AUD-1", &acme, &[&anna]).await;
    app.send("audit__qdm", &r).await;
    let b = browser();
    sign_in(&b, &app, "admin", support::ADMIN_PASSWORD).await;
    let (status, home) = page(&b, &app, "/home").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.contains("Dashboard")
            && home.contains("AUD-1")
            && home.contains("1</strong> of 10 seats"),
        "{home}"
    );
}
both_backends!(dashboard, an_internal_user_sees_the_dashboard);

async fn an_internal_user_creates_sends_and_reassigns_with_a_preview(app: TestApp) {
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let bo = app.person(&acme, "Bo", "Lind").await;
    let b = browser();
    sign_in(&b, &app, "admin", support::ADMIN_PASSWORD).await;
    let (status, form) = page(&b, &app, "/records/car__v/new").await;
    assert_eq!(status, StatusCode::OK);
    let r = b
        .post(format!("{}/records/car__v", app.base))
        .form(&[
            ("csrf", csrf_of(&form).as_str()),
            ("name", "SCAR-WEB"),
            ("supplier", acme.as_str()),
            ("collaborator", anna.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let record_page = r.headers()["location"].to_str().unwrap().to_string();
    let id = record_page.rsplit('/').next().unwrap().to_string();
    let (_, record) = page(&b, &app, &record_page).await;
    assert!(record.contains("Send to Supplier"), "{record}");
    assert!(
        record.contains("Anna Berg")
            && record.contains("History")
            && record.contains(&format!(
                "Portico Admin created <a href=\"/records/car__v/{id}\">SCAR-WEB</a>"
            ))
            && !record.contains("record.created"),
        "{record}"
    );

    // The preview says what will happen, and changes nothing.
    let (status, preview) = page(
        &b,
        &app,
        &format!("{record_page}/preview?action=change_state_to_pending_response__c"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        preview.contains("<h1>Send to Supplier</h1>")
            && preview.contains("1 user created")
            && preview.contains("State: Draft → Pending Response")
            && preview.contains("Welcome email (SCAR)"),
        "{preview}"
    );
    assert_eq!(app.user_of(&anna).await, serde_json::Value::Null);
    let r = b
        .post(format!(
            "{}{record_page}/actions/change_state_to_pending_response__c",
            app.base
        ))
        .form(&[("csrf", csrf_of(&preview).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.user_of(&anna).await["status__v"], "active__v");

    // Reassign to Bo: Anna loses her access.
    let (_, preview) = page(
        &b,
        &app,
        &format!("{record_page}/preview?action=reassign_external_collaborator__v&to={bo}"),
    )
    .await;
    assert!(preview.contains("1 user inactivated"), "{preview}");
    let r = b
        .post(format!(
            "{}{record_page}/actions/reassign_external_collaborator__v",
            app.base
        ))
        .form(&[("csrf", csrf_of(&preview).as_str()), ("to", bo.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let rec = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/car__v/{id}"),
            None,
        )
        .await;
    assert_eq!(rec["external_collaborator__v"], json!([bo]));
    assert_eq!(app.user_of(&anna).await["status__v"], "inactive__v");

    // A rejection asks for its reason, previews, and puts the reason in the new task.
    let tasks = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/tasks?record__v={id}&status__v=open__v"),
            None,
        )
        .await;
    let task = tasks[0]["id"].as_str().unwrap();
    app.ok(
        Method::POST,
        &app.admin,
        &format!("/api/v1/tasks/{task}/complete"),
        Some(json!({"response": "done"})),
    )
    .await;
    let reject = format!("{record_page}/preview?action=change_state_to_pending_response__c");
    let (_, ask) = page(&b, &app, &reject).await;
    assert!(ask.contains("Why?"), "{ask}");
    let (_, preview) = page(&b, &app, &format!("{reject}&reason=no%20photos")).await;
    assert!(preview.contains("1 task assigned"), "{preview}");
    let r = b
        .post(format!(
            "{}{record_page}/actions/change_state_to_pending_response__c",
            app.base
        ))
        .form(&[
            ("csrf", csrf_of(&preview).as_str()),
            ("reason", "no photos"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let open = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/tasks?record__v={id}&status__v=open__v"),
            None,
        )
        .await;
    assert!(open[0]["instructions__v"]
        .as_str()
        .unwrap()
        .contains("no photos"));
}
both_backends!(
    internal_workflow,
    an_internal_user_creates_sends_and_reassigns_with_a_preview
);

async fn contact_lists_users_licenses_and_the_outbox_have_pages(app: TestApp) {
    let b = browser();
    sign_in(&b, &app, "admin", support::ADMIN_PASSWORD).await;
    let (status, orgs) = page(&b, &app, "/organizations").await;
    assert_eq!(status, StatusCode::OK);
    let r = b
        .post(format!("{}/organizations", app.base))
        .form(&[("csrf", csrf_of(&orgs).as_str()), ("name", "Initech")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let org_page = r.headers()["location"].to_str().unwrap().to_string();
    let org = org_page.rsplit('/').next().unwrap().to_string();
    let (_, contacts) = page(&b, &app, &org_page).await;
    let r = b
        .post(format!("{}{org_page}/persons", app.base))
        .form(&[
            ("csrf", csrf_of(&contacts).as_str()),
            ("first_name", "Ivy"),
            ("last_name", "Ng"),
            ("email", "ivy@initech.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, contacts) = page(&b, &app, &org_page).await;
    assert!(
        contacts.contains("Ivy Ng") && contacts.contains("ivy@initech.example"),
        "{contacts}"
    );
    let edit = contacts
        .split("href=\"/persons/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let (_, form) = page(&b, &app, &format!("/persons/{edit}")).await;
    let r = b
        .post(format!("{}/persons/{edit}", app.base))
        .form(&[
            ("csrf", csrf_of(&form).as_str()),
            ("first_name", "Ivy"),
            ("last_name", "Ng-Park"),
            ("email", "ivy@initech.example"),
            ("language", "de"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, contacts) = page(&b, &app, &org_page).await;
    assert!(contacts.contains("Ivy Ng-Park"), "{contacts}");

    let ivy = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/person__v?organization__v={org}"),
            None,
        )
        .await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app.record("car__v", "SCAR-IVY", &org, &[&ivy]).await;
    app.send("car__v", &r).await;
    let (_, licenses) = page(&b, &app, "/licenses").await;
    assert!(
        licenses.contains("1</strong> of 10") && licenses.contains("Initech"),
        "{licenses}"
    );
    let (_, users) = page(&b, &app, "/users").await;
    assert!(users.contains("ivy@initech.example"), "{users}");
    let (status, outbox) = page(&b, &app, "/outbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        outbox.contains("Welcome email (SCAR)") && !outbox.contains("ext_collab_welcome_scar__v"),
        "{outbox}"
    );

    // An internal user who is not an admin sees no outbox.
    app.post(&app.admin, "/api/v1/users", json!({"username__v": "quinn", "first_name__v": "Quinn", "last_name__v": "Lead", "email__v": "quinn@portico.example", "password": "quinn's long password"}))
        .await;
    let other = browser();
    sign_in(&other, &app, "quinn", "quinn's long password").await;
    let (status, _) = page(&other, &app, "/outbox").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = page(&other, &app, "/organizations").await;
    assert_eq!(status, StatusCode::OK);
}
both_backends!(
    admin_pages,
    contact_lists_users_licenses_and_the_outbox_have_pages
);

async fn comments_and_tickets_go_both_ways(app: TestApp) {
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let r = app.record("car__v", "SCAR-C", &acme, &[&anna]).await;
    app.send("car__v", &r).await;
    let email = app.email_of(&anna).await;
    app.accept_welcome(&email, "anna's long password").await;
    let username = app.user_of(&anna).await["username__v"]
        .as_str()
        .unwrap()
        .to_string();
    let ext = browser();
    sign_in(&ext, &app, &username, "anna's long password").await;
    let record_page = format!("/records/car__v/{r}");
    let (_, record) = page(&ext, &app, &record_page).await;
    assert_posting_forms_carry_the_csrf_field(&record);
    let (_, as_admin) = page(&admin_browser(&app).await, &app, &record_page).await;
    assert!(as_admin.contains("Actions"), "{as_admin}");
    assert_posting_forms_carry_the_csrf_field(&as_admin);
    let res = ext
        .post(format!("{}{record_page}/comments", app.base))
        .form(&[
            ("csrf", csrf_of(&record).as_str()),
            ("body", "Photos follow <tomorrow>"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, tickets) = page(&ext, &app, "/tickets").await;
    let res = ext
        .post(format!("{}/tickets", app.base))
        .form(&[
            ("csrf", csrf_of(&tickets).as_str()),
            ("kind", "service"),
            ("subject", "Calibration"),
            ("body", "Our gauge needs a visit"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let admin = browser();
    sign_in(&admin, &app, "admin", support::ADMIN_PASSWORD).await;
    let (_, record) = page(&admin, &app, &record_page).await;
    assert!(
        record.contains("Photos follow &lt;tomorrow&gt;"),
        "escaped: {record}"
    );
    let (_, tickets) = page(&admin, &app, "/tickets").await;
    assert!(tickets.contains("Calibration"));
    let ticket = tickets
        .split("action=\"/tickets/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let res = admin
        .post(format!("{}/tickets/{ticket}/answer", app.base))
        .form(&[
            ("csrf", csrf_of(&tickets).as_str()),
            ("answer", "A technician comes on Monday"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, mine) = page(&ext, &app, "/tickets").await;
    assert!(mine.contains("A technician comes on Monday"), "{mine}");
    let (_, home) = page(&ext, &app, "/home").await;
    assert!(home.contains("was answered"), "{home}");
    let r = ext
        .post(format!("{}/notifications/read", app.base))
        .form(&[("csrf", csrf_of(&home).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, home) = page(&ext, &app, "/home").await;
    assert!(
        !home.contains("was answered"),
        "read news leave the page: {home}"
    );
}
both_backends!(comments_and_tickets, comments_and_tickets_go_both_ways);

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR-not-a-real-image-but-a-png-signature";

async fn files_are_checked_stored_once_and_only_shared_with_the_record(app: TestApp) {
    let acme = app.org("Acme").await;
    let globex = app.org("Globex").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let eve = app.person(&globex, "Eve", "Stone").await;
    let r = app.record("car__v", "SCAR-F", &acme, &[&anna]).await;
    let other = app.record("car__v", "SCAR-G", &globex, &[&eve]).await;
    app.send("car__v", &r).await;
    app.send("car__v", &other).await;
    let ext = browser();
    for (person, password) in [
        (&anna, "anna's long password"),
        (&eve, "eve's long password"),
    ] {
        let email = app.email_of(person).await;
        app.accept_welcome(&email, password).await;
    }
    let username = app.user_of(&anna).await["username__v"]
        .as_str()
        .unwrap()
        .to_string();
    sign_in(&ext, &app, &username, "anna's long password").await;
    let record_page = format!("/records/car__v/{r}");
    let (_, record) = page(&ext, &app, &record_page).await;
    let upload = |bytes: &'static [u8], name: &'static str, kind: &'static str, csrf: String| {
        let form = reqwest::multipart::Form::new().text("csrf", csrf).part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name)
                .mime_str(kind)
                .unwrap(),
        );
        ext.post(format!("{}{record_page}/files", app.base))
            .multipart(form)
            .send()
    };
    let res = upload(PNG, "photo.png", "image/png", csrf_of(&record))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = upload(b"MZ\x90\x00", "tool.png", "image/png", csrf_of(&record))
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "the content must match the type"
    );
    let res = upload(
        b"MZ\x90\x00",
        "tool.exe",
        "application/x-msdownload",
        csrf_of(&record),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // A photo over the limit, just over it or far over it (the body is cut at the limit),
    // is refused with a sentence a person with a phone can act on; nothing is stored.
    for size in [10_000_001, 14_000_000] {
        let mut photo = PNG.to_vec();
        photo.resize(size, 0);
        let res = upload(
            Box::leak(photo.into_boxed_slice()),
            "IMG_0001.png",
            "image/png",
            csrf_of(&record),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE, "{size}");
        let body = res.text().await.unwrap();
        assert!(
            body.contains(
                "This file is larger than 10 MB. For a photo, take it again at a lower resolution"
            ),
            "{body}"
        );
    }
    // The field offers the camera beside the document types, and says the limit.
    assert!(
        record.contains("accept=\"image/*,.pdf,") && record.contains("data-max-bytes=\"10000000\""),
        "{record}"
    );

    // Over the API too; the same content is stored once.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(PNG)
            .file_name("again.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let res = app
        .client
        .post(format!("{}/api/v1/vobjects/car__v/{r}/files", app.base))
        .bearer_auth(&app.admin)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let files = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/car__v/{r}/files"),
            None,
        )
        .await;
    let files = files.as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["sha256"], files[1]["sha256"]);
    let sha = files[0]["sha256"].as_str().unwrap();
    let stored = app
        .running
        .mailer_dir()
        .parent()
        .unwrap()
        .join("files")
        .join(&sha[..2])
        .join(sha);
    assert_eq!(std::fs::read(&stored).unwrap(), PNG);

    // The collaborator downloads it; someone of another supplier cannot, even by its address.
    let id = files[0]["id"].as_str().unwrap();
    let res = ext
        .get(format!("{}/files/{id}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    let eve_user = app.user_of(&eve).await["username__v"]
        .as_str()
        .unwrap()
        .to_string();
    let intruder = browser();
    sign_in(&intruder, &app, &eve_user, "eve's long password").await;
    let res = intruder
        .get(format!("{}/files/{id}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let eve_token = app.login(&eve_user, "eve's long password").await;
    let (status, _) = app
        .get(&eve_token, &format!("/api/v1/vobjects/car__v/{r}/files"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
both_backends!(
    files,
    files_are_checked_stored_once_and_only_shared_with_the_record
);

/// Dates are written in the reader's time zone: the browser's, as our script keeps it in the
/// `portico_tz` cookie; without it, or with a zone no one knows, the company's (UTC here).
async fn dates_are_written_in_the_readers_time_zone(app: TestApp) {
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let r = app.record("car__v", "SCAR-TZ", &acme, &[&anna]).await;
    let record_page = format!("{}/records/car__v/{r}", app.base);
    // A client of its own that sends exactly the cookies given (the session is the API's).
    let plain = Client::builder().redirect(Policy::none()).build().unwrap();
    let page_with = |zone: Option<&'static str>| {
        let cookie = match zone {
            Some(zone) => format!("portico_session={}; portico_tz={zone}", app.admin),
            None => format!("portico_session={}", app.admin),
        };
        plain.get(&record_page).header("cookie", cookie).send()
    };
    let history_title = |html: &str| {
        html.split("<ol class=\"history\">")
            .nth(1)
            .and_then(|h| h.split("title=\"").nth(1))
            .and_then(|t| t.split('"').next())
            .unwrap()
            .to_string()
    };
    let mut seen = vec![];
    for zone in [None, Some("Asia/Tokyo"), Some("Mars/Olympus_Mons")] {
        let res = page_with(zone).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        seen.push(history_title(&res.text().await.unwrap()));
    }
    assert!(seen[0].ends_with(" UTC"), "{seen:?}");
    assert!(seen[1].ends_with(" JST"), "{seen:?}");
    assert!(
        seen[2].ends_with(" UTC"),
        "an unknown zone is not used: {seen:?}"
    );
    // The same moment, nine hours apart on the clock.
    let hour = |t: &str| -> i64 { t.rsplit(", ").next().unwrap()[..2].parse().unwrap() };
    assert_eq!((hour(&seen[0]) + 9) % 24, hour(&seen[1]), "{seen:?}");
}

both_backends!(reader_time_zone, dates_are_written_in_the_readers_time_zone);

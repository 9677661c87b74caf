//! The edges of authentication, tried as an attacker would: one-time passwords through the
//! pages, limits under parallel attempts, what a password set or change revokes, link
//! flooding, forged proxy headers, weak passwords, CSRF and caching, usernames that differ in
//! case, and a contact named like an internal user.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use futures::future::join_all;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use support::names::SCAR;
use support::{browser, csrf_of, TestApp};

/// A page's answer: status, body, and where it redirects.
type Answer = (StatusCode, String, Option<String>);

async fn answer(r: reqwest::Response) -> Answer {
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    (r.status(), r.text().await.unwrap(), location)
}

async fn page(b: &Client, app: &TestApp, path: &str) -> Answer {
    answer(b.get(format!("{}{path}", app.base)).send().await.unwrap()).await
}

async fn post_form(b: &Client, app: &TestApp, path: &str, form: &[(&str, &str)]) -> Answer {
    let url = format!("{}{path}", app.base);
    answer(b.post(url).form(form).send().await.unwrap()).await
}

/// Signs in through the page; answers where it led.
async fn sign_in_page(
    b: &Client,
    app: &TestApp,
    user: &str,
    password: &str,
) -> (StatusCode, Option<String>) {
    let (_, login, _) = page(b, app, "/login").await;
    let (status, _, location) = post_form(
        b,
        app,
        "/login",
        &[
            ("csrf", &csrf_of(&login)),
            ("username", user),
            ("password", password),
        ],
    )
    .await;
    (status, location)
}

/// A contact on a SCAR sent to it, with a Welcome that gives a one-time password.
struct OneTime {
    person: String,
    email: String,
    username: String,
    password: String,
    scar: String,
}

async fn one_time_user(app: &TestApp, first: &str) -> OneTime {
    app.ok(
        Method::PUT,
        &app.admin,
        "/api/v1/notification-templates/ext_collab_welcome_scar__v",
        Some(json!({"subject": "Welcome", "body": "User ${userName}, one-time password ${userPassword} ."})),
    )
    .await;
    let acme = app.org(&format!("{first} Ltd")).await;
    let person = app.person(&acme, first, "Otp").await;
    let email = app.email_of(&person).await;
    let scar = app
        .record(SCAR, &format!("SCAR-{first}"), &acme, &[&person])
        .await;
    app.send(SCAR, &scar).await;
    let delivered = app.delivered_to(&email).await;
    let password = delivered
        .iter()
        .find_map(|m| m.split("one-time password ").nth(1))
        .expect("a one-time password")
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let username = app.user_of(&person).await["username__v"]
        .as_str()
        .unwrap()
        .to_string();
    OneTime {
        person,
        email,
        username,
        password,
        scar,
    }
}

// 1. A one-time password opens only the page that changes it, once, and it expires.
async fn a_one_time_password_opens_only_the_password_page(app: TestApp) {
    let u = one_time_user(&app, "Olga").await;
    let task = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/tasks?record__v={}", u.scar),
            None,
        )
        .await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let b = browser();
    let (status, location) = sign_in_page(&b, &app, &u.username, &u.password).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/account/password"));
    // Every other page and form sends it back to the password page, and does nothing.
    for path in ["/home", &format!("/records/{SCAR}/{}", u.scar), "/tickets"] {
        let (status, body, location) = page(&b, &app, path).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}: {body}");
        assert_eq!(location.as_deref(), Some("/account/password"), "{path}");
    }
    let (_, form, _) = page(&b, &app, "/account/password").await;
    assert!(form.contains("one-time password"), "{form}");
    let csrf = csrf_of(&form);
    let (status, _, location) = post_form(
        &b,
        &app,
        &format!("/tasks/{task}/complete"),
        &[("csrf", &csrf), ("response", "done by a one-time password")],
    )
    .await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/account/password"))
    );
    let (status, _, _) = post_form(
        &b,
        &app,
        &format!("/records/{SCAR}/{}/comments", u.scar),
        &[("csrf", &csrf), ("body", "a comment")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = post_form(
        &b,
        &app,
        "/tickets",
        &[
            ("csrf", &csrf),
            ("subject", "help"),
            ("body", "a ticket"),
            ("kind", "support"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let tasks = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/tasks?record__v={}", u.scar),
            None,
        )
        .await;
    assert_eq!(tasks[0]["status__v"], "open__v", "the task is still open");
    let comments = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/{SCAR}/{}/comments", u.scar),
            None,
        )
        .await;
    assert_eq!(comments.as_array().unwrap().len(), 0, "{comments}");

    // It works for one sign-in only.
    let (status, _) = app.try_login(&u.username, &u.password).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a second sign-in with the one-time password"
    );
    let (status, _) = sign_in_page(&browser(), &app, &u.username, &u.password).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Changing it opens the rest.
    let (status, body, _) = post_form(
        &b,
        &app,
        "/account/password",
        &[
            ("csrf", &csrf),
            ("current", &u.password),
            ("password", "olga's own long password"),
            ("confirm", "olga's own long password"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, _) = page(&b, &app, "/home").await;
    assert_eq!(status, StatusCode::OK);
    app.login(&u.username, "olga's own long password").await;

    // A one-time password past its time does not sign in.
    let late = one_time_user(&app, "Lara").await;
    let mut tx = app.running.app.store().write().await.unwrap();
    let user_id = app.user_of(&late.person).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    tx.raw(
        "UPDATE users SET password_expires_at = 1 WHERE id = $1",
        &[&user_id],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (status, _) = app.try_login(&late.username, &late.password).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "an expired one-time password"
    );
    let _ = late.email;
}
both_backends!(
    one_time_pages,
    a_one_time_password_opens_only_the_password_page
);

// 2. Parallel attempts cannot get past the limits.
async fn parallel_attempts_cannot_pass_the_limits(backend: support::Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.login_failures_per_user = 5;
        s.login_failures_per_address = 50;
    })
    .await
    else {
        return;
    };
    let statuses = |results: Vec<(StatusCode, Value)>| {
        let mut unauthorized = 0;
        let mut limited = 0;
        for (s, _) in results {
            match s {
                StatusCode::UNAUTHORIZED | StatusCode::BAD_REQUEST => unauthorized += 1,
                StatusCode::TOO_MANY_REQUESTS => limited += 1,
                other => panic!("unexpected {other}"),
            }
        }
        (unauthorized, limited)
    };
    // 40 wrong passwords for one user at once: exactly 5 are checked.
    let attempts = (0..40).map(|_| app.try_login("admin", "a wrong password"));
    assert_eq!(statuses(join_all(attempts).await), (5, 35));

    // 30 usernames at once from one address: 50 attempts in all, 40 spent above.
    let names: Vec<String> = (0..30).map(|i| format!("nobody-{i}")).collect();
    let attempts = names.iter().map(|n| app.try_login(n, "whatever password"));
    assert_eq!(statuses(join_all(attempts).await), (10, 20));

    // Guessing the current password when changing it counts like a sign-in.
    let Some(app) = TestApp::spawn_with(backend, |s| s.login_failures_per_user = 4).await else {
        return;
    };
    let guesses = (0..20).map(|i| {
        app.post(
            &app.admin,
            "/api/v1/auth/password",
            json!({"current_password": format!("guess number {i}"), "new_password": "a brand new long password"}),
        )
    });
    assert_eq!(statuses(join_all(guesses).await), (4, 16));
}
per_backend!(parallel_limits, parallel_attempts_cannot_pass_the_limits);

// 3. Setting or changing a password ends the other links and sessions.
async fn a_password_set_or_change_ends_other_links_and_sessions(app: TestApp) {
    let (person, email, _) = app.contact_on_sent_scar("Rita", "Reset").await;
    let first = app.link_token(&email).await;
    let (status, _) = app.ask_for_link(&email).await;
    assert_eq!(status, StatusCode::OK);
    let second = app.link_token(&email).await;
    assert_ne!(first, second);
    assert_eq!(
        app.set_password(&second, "rita's first long password")
            .await
            .0,
        StatusCode::OK
    );
    let (status, body) = app.set_password(&first, "rita's other long password").await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the older link ended: {body}"
    );

    let username = app.user_of(&person).await["username__v"]
        .as_str()
        .unwrap()
        .to_string();
    let a = app.login(&username, "rita's first long password").await;
    let b = app.login(&username, "rita's first long password").await;
    let (status, _) = app
        .post(
            &a,
            "/api/v1/auth/password",
            json!({"current_password": "rita's first long password", "new_password": "rita's second long password"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.get(&b, "/api/v1/tasks").await.0,
        StatusCode::UNAUTHORIZED,
        "the other session ended"
    );
    assert_eq!(
        app.get(&a, "/api/v1/tasks").await.0,
        StatusCode::OK,
        "the changing session stays"
    );

    // A link asked for before a change no longer works after it; a set ends every session.
    app.ask_for_link(&username).await;
    let before_change = app.link_token(&email).await;
    let c = app.login(&username, "rita's second long password").await;
    app.post(
        &c,
        "/api/v1/auth/password",
        json!({"current_password": "rita's second long password", "new_password": "rita's third long password"}),
    )
    .await;
    assert_eq!(
        app.set_password(&before_change, "rita's fourth long password")
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    app.ask_for_link(&username).await;
    let last = app.link_token(&email).await;
    assert_eq!(
        app.set_password(&last, "rita's fifth long password")
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&c, "/api/v1/tasks").await.0,
        StatusCode::UNAUTHORIZED,
        "a set ends every session"
    );
}
both_backends!(
    revocation,
    a_password_set_or_change_ends_other_links_and_sessions
);

// 4. Links are limited, need the form's token, and answer alike for unknown names.
async fn link_requests_are_limited_and_need_the_form_token(app: TestApp) {
    let (_, email, _) = app.contact_on_sent_scar("Lin", "Flood").await;
    let queued = app.outbox().await.len();

    // A cross-site form post without the token: refused, nothing sent.
    let (status, _, _) = post_form(
        &app.client,
        &app,
        "/set-password/new-link",
        &[("username", &email)],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.outbox().await.len(), queued);

    // Nor through the API with a body another site's page can send without asking (a
    // `text/plain` or form body): JSON must say it is JSON.
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let r = app
            .client
            .post(format!("{}/api/v1/auth/password-link", app.base))
            .header("content-type", content_type)
            .header("origin", "https://evil.example")
            .body(format!("{{\"username\":\"{email}\"}}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{content_type}");
    }
    assert_eq!(app.outbox().await.len(), queued);

    // Three links for one account, then the limit (also for the API, and for its username).
    let b = browser();
    let (_, form, _) = page(&b, &app, "/set-password/new-link").await;
    let csrf = csrf_of(&form);
    for _ in 0..3 {
        let (status, body, _) = post_form(
            &b,
            &app,
            "/set-password/new-link",
            &[("csrf", &csrf), ("username", &email)],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, _, _) = post_form(
        &b,
        &app,
        "/set-password/new-link",
        &[("csrf", &csrf), ("username", &email)],
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, body) = app.ask_for_link(&email.to_uppercase()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(app.outbox().await.len(), queued + 3);

    // Unknown names answer the same and leave the same trace: one audit entry.
    let (status, known) = app.ask_for_link("admin").await;
    assert_eq!(status, StatusCode::OK);
    let (status, unknown) = app.ask_for_link("no.such.user").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(known, unknown);
    let refused = app
        .ok(
            Method::GET,
            &app.admin,
            "/api/v1/audit?action=auth.password_link_refused",
            None,
        )
        .await;
    assert_eq!(refused.as_array().unwrap().len(), 1, "{refused}");
    // What was typed is not kept (it might be a password typed in the wrong field).
    assert!(!refused.to_string().contains("no.such.user"), "{refused}");
    assert!(
        refused[0]["after"].to_string().contains("login_sha256"),
        "{refused}"
    );

    // From one address, at most 20 requests an hour whatever the names.
    let names: Vec<String> = (0..20).map(|i| format!("someone-{i}")).collect();
    let mut limited = 0;
    for n in &names {
        let (status, _) = app.ask_for_link(n).await;
        limited += usize::from(status == StatusCode::TOO_MANY_REQUESTS);
    }
    // 4 form posts + 3 API calls before, 20 now: the last 7 are refused.
    assert_eq!(limited, 7);
}
both_backends!(
    link_flooding,
    link_requests_are_limited_and_need_the_form_token
);

// 5. Behind a proxy, the client-written part of X-Forwarded-For does not choose the address.
async fn forged_forwarded_addresses_do_not_escape_the_limit(backend: support::Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.trust_proxy = true;
        s.login_failures_per_user = 1000;
        s.login_failures_per_address = 3;
    })
    .await
    else {
        return;
    };
    let mut statuses = vec![];
    for i in 0..5 {
        let r = app
            .client
            .post(format!("{}/api/v1/auth", app.base))
            .header("x-forwarded-for", format!("10.9.8.{i}, 203.0.113.7"))
            .json(&json!({"username": format!("u{i}"), "password": "wrong password here"}))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(
        statuses,
        [401, 401, 401, 429, 429],
        "the proxy's entry is the address"
    );
    // Another client behind the same proxy has its own allowance.
    let r = app
        .client
        .post(format!("{}/api/v1/auth", app.base))
        .header("x-forwarded-for", "198.51.100.2")
        .json(&json!({"username": "u9", "password": "wrong password here"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
per_backend!(
    forwarded_for,
    forged_forwarded_addresses_do_not_escape_the_limit
);

// 6. Weak passwords are refused with the reason, and the link stays usable.
async fn weak_passwords_are_refused_with_a_reason(app: TestApp) {
    let (_, email, _) = app.contact_on_sent_scar("Wes", "Weak").await;
    let token = app.link_token(&email).await;
    for weak in ["1234567890", "password12", "qwertyuiop"] {
        let (status, body) = app.set_password(&token, weak).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{weak}");
        assert_eq!(body["errors"][0]["type"], "INVALID_DATA");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("too easy to guess"), "{message}");
    }
    let (status, _) = app.set_password(&token, "a much better passphrase").await;
    assert_eq!(status, StatusCode::OK, "the link survived the refusals");
    let (status, body) = app
        .post(
            &app.admin,
            "/api/v1/users",
            json!({"username__v": "weak.one", "first_name__v": "Weak", "last_name__v": "One",
                   "email__v": "weak@portico.example", "password": "1234567890"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}
both_backends!(weak_passwords, weak_passwords_are_refused_with_a_reason);

// 7. The CSRF token is bound to the session; the cookie is Secure under https; nothing signed
// in is cached.
async fn csrf_is_bound_to_the_session_and_nothing_is_cached(app: TestApp) {
    let b = browser();
    let (_, login, _) = page(&b, &app, "/login").await;
    let before = csrf_of(&login);
    sign_in_page(&b, &app, "admin", support::ADMIN_PASSWORD).await;
    let (status, home, _) = page(&b, &app, "/home").await;
    assert_eq!(status, StatusCode::OK);
    let mine = csrf_of(&home);
    assert_ne!(mine, before, "signing in changes the token");
    // The token from before sign-in, or from another session, does not pass.
    let other = browser();
    sign_in_page(&other, &app, "admin", support::ADMIN_PASSWORD).await;
    let (_, other_home, _) = page(&other, &app, "/home").await;
    let theirs = csrf_of(&other_home);
    assert_ne!(theirs, mine);
    for token in [&before, &theirs] {
        let (status, _, _) = post_form(
            &b,
            &app,
            "/organizations",
            &[("csrf", token), ("name", "Forged Ltd")],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, _, _) = post_form(
        &b,
        &app,
        "/organizations",
        &[("csrf", &mine), ("name", "Real Ltd")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // No signed-in page, API answer or download stays in a cache.
    let r = b.get(format!("{}/home", app.base)).send().await.unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    let r = app
        .client
        .get(format!("{}/api/v1/users", app.base))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    let acme = app.org("Acme").await;
    let scar = app.record(SCAR, "SCAR-F", &acme, &[]).await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"a,b\n1,2\n".to_vec())
            .file_name("data.csv")
            .mime_str("text/csv")
            .unwrap(),
    );
    let uploaded: Value = app
        .client
        .post(format!("{}/api/v1/vobjects/{SCAR}/{scar}/files", app.base))
        .bearer_auth(&app.admin)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let file = uploaded["data"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("an uploaded file: {uploaded}"));
    let r = app
        .client
        .get(format!("{}/api/v1/files/{file}", app.base))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let r = app
        .client
        .get(format!("{}/static/portico.css", app.base))
        .send()
        .await
        .unwrap();
    assert_ne!(
        r.headers()["cache-control"],
        "no-store",
        "static files may be cached"
    );
}
both_backends!(
    csrf_and_caching,
    csrf_is_bound_to_the_session_and_nothing_is_cached
);

/// The `Set-Cookie` of an answer for the cookie `name`, and its value.
fn set_cookie(r: &reqwest::Response, name: &str) -> (String, String) {
    let line = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie set: {:?}", r.headers()));
    let value = line[name.len() + 1..]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    (line, value)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cookies_are_secure_under_https_and_signing_out_removes_the_session_cookie() {
    let app = TestApp::spawn_with(support::Backend::Sqlite, |s| {
        s.public_url = Some("https://portico.example".into());
    })
    .await
    .unwrap();
    // The test talks plain HTTP, where a client keeps no Secure cookie: cookies by hand.
    let b = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = b.get(format!("{}/login", app.base)).send().await.unwrap();
    let (cookie, csrf) = set_cookie(&r, "portico_csrf");
    // Not HttpOnly: before sign-in it is the form's token (double submit).
    for part in ["; Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(part), "{part}: {cookie}");
    }
    assert!(!cookie.contains("HttpOnly"), "{cookie}");
    assert!(csrf.len() >= 32, "{cookie}");

    // Among other cookies, in any order, the CSRF cookie is found.
    let r = b
        .post(format!("{}/login", app.base))
        .header("cookie", format!("theme=dark; portico_csrf={csrf}"))
        .header("cookie", "other=1")
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "admin"),
            ("password", support::ADMIN_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (cookie, session) = set_cookie(&r, "portico_session");
    for part in ["; Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(part), "{part}: {cookie}");
    }
    let with_session = format!("portico_csrf={csrf}; portico_session={session}");
    let home = b
        .get(format!("{}/home", app.base))
        .header("cookie", &with_session)
        .send()
        .await
        .unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    let home = home.text().await.unwrap();

    let r = b
        .post(format!("{}/logout", app.base))
        .header("cookie", &with_session)
        .form(&[("csrf", csrf_of(&home).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (cookie, value) = set_cookie(&r, "portico_session");
    assert!(
        value.is_empty() && cookie.contains("Max-Age=0") && cookie.contains("Path=/"),
        "{cookie}"
    );
    let r = b
        .get(format!("{}/home", app.base))
        .header("cookie", &with_session)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the session ended");
}

// 8. Usernames are one name whatever their case.
async fn usernames_are_unique_and_matched_whatever_their_case(app: TestApp) {
    let create = |username: &'static str, email: &'static str| {
        let app = &app;
        async move {
            app.post(
                &app.admin,
                "/api/v1/users",
                json!({"username__v": username, "first_name__v": "Ida", "last_name__v": "Two",
                       "email__v": email, "password": "ida's long password"}),
            )
            .await
        }
    };
    let (status, body) = create("Internal.Two", "ida@portico.example").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = create("internal.two", "ida2@portico.example").await;
    assert!(status.is_client_error(), "{status} {body}");
    assert_eq!(
        app.ok(Method::GET, &app.admin, "/api/v1/users?limit=1000", None)
            .await
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["username__v"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case("internal.two"))
            .count(),
        1
    );
    app.login("INTERNAL.TWO", "ida's long password").await;
    app.login("internal.two", "ida's long password").await;

    // A generated username never clashes with a name that differs only in case.
    let acme = app.org("Acme").await;
    let person = app.person(&acme, "Case", "Clash").await;
    let email = app.email_of(&person).await;
    let upper: &'static str = Box::leak(email.to_uppercase().into_boxed_str());
    let (status, body) = create(upper, "other@portico.example").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let scar = app.record(SCAR, "SCAR-C", &acme, &[&person]).await;
    app.send(SCAR, &scar).await;
    let generated = app.user_of(&person).await["username__v"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(generated, format!("{email}.2"));
}
both_backends!(
    username_case,
    usernames_are_unique_and_matched_whatever_their_case
);

/// A database from before migration 8 with names that differ only in case: migrating stops
/// with both names and how to fix them, and changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_username_clash_stops_the_migration_with_the_names() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/portico.db", dir.path().display());
    let store = portico::open_store(&url, true).await.unwrap();
    let mut tx = store.write().await.unwrap();
    // Back to before migration 8: its index and its row in the migrations table.
    tx.raw("DROP INDEX users_username_lower", &[])
        .await
        .unwrap();
    tx.raw("DELETE FROM _sqlx_migrations WHERE version = 8", &[])
        .await
        .unwrap();
    for name in ["INTERNAL.TWO", "internal.two"] {
        tx.raw(
            "INSERT INTO users (id, username, first_name, last_name, email, status, license, security_profile, managed, language, created_at) \
             VALUES ($1, $1, 'I', 'T', 'it@portico.example', 'active', 'full', 'internal_user', 0, 'en', 1)",
            &[name],
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let error = format!(
        "{:#}",
        portico::open_store(&url, false).await.expect_err("refused")
    );
    assert!(
        error.contains("INTERNAL.TWO")
            && error.contains("internal.two")
            && error.contains("Rename"),
        "{error}"
    );
}

// 9. A contact named like an internal user never takes over its account.
async fn a_contact_named_like_an_internal_user_gets_its_own_account(app: TestApp) {
    let (status, body) = app
        .post(
            &app.admin,
            "/api/v1/users",
            json!({"username__v": "quinn", "first_name__v": "Quinn", "last_name__v": "Lead",
                   "email__v": "quinn@portico.example", "password": "quinn's long password"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let quinn = app.login("quinn", "quinn's long password").await;
    let admin = app
        .ok(Method::GET, &app.admin, "/api/v1/users?limit=1000", None)
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username__v"] == "admin")
        .cloned()
        .unwrap();
    let org = app
        .ok(
            Method::POST,
            &quinn,
            "/api/v1/vobjects/organization__v",
            Some(json!({"name__v": "Trojan Ltd"})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let fake = app
        .ok(
            Method::POST,
            &quinn,
            "/api/v1/vobjects/person__v",
            Some(json!({"first_name__v": admin["first_name__v"], "last_name__v": admin["last_name__v"],
                        "email__v": admin["email__v"], "organization__v": org})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let scar = app
        .ok(
            Method::POST,
            &quinn,
            &format!("/api/v1/vobjects/{SCAR}"),
            Some(json!({"name__v": "SCAR-T", "supplier__v": org, "external_collaborator__v": [fake]})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = app
        .post(
            &quinn,
            &format!("/api/v1/vobjects/{SCAR}/{scar}/actions/change_state_to_pending_response__c"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let user = app.user_of(&fake).await;
    assert_ne!(user["id"], admin["id"], "the admin's account was linked");
    assert_eq!(user["license_type__v"], "external__v");
    let admin_tasks = app
        .ok(
            Method::GET,
            &app.admin,
            &format!(
                "/api/v1/tasks?assignee__v={}",
                admin["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(admin_tasks.as_array().unwrap().len(), 0, "{admin_tasks}");
    let after = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/users/{}", admin["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert!(after["person__v"].is_null(), "{after}");
}
both_backends!(
    internal_not_linked,
    a_contact_named_like_an_internal_user_gets_its_own_account
);

// A spelling of a name that the database lowers to the same name (PostgreSQL lowers `İ` to
// `i`) shares its counter: no spelling gets a fresh allowance for the same account.
async fn every_spelling_of_a_name_shares_its_limit(backend: support::Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| s.login_failures_per_user = 3).await else {
        return;
    };
    for spelling in ["admin", "ADMIN", "Admin"] {
        let (status, _) = app.try_login(spelling, "a wrong password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Whatever the backend makes of `admİn` (the admin on PostgreSQL, nobody on SQLite), the
    // right password under it does not sign the admin in past the limit.
    let (status, body) = app.try_login("adm\u{130}n", support::ADMIN_PASSWORD).await;
    assert_ne!(status, StatusCode::OK, "{body}");
    if app.backend == support::Backend::Postgres {
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    }
}
per_backend!(spellings, every_spelling_of_a_name_shares_its_limit);

// A one-time password only where an account opens, and no secret in a subject.
async fn secrets_go_only_where_they_belong(app: TestApp) {
    let put = |name: &'static str, subject: &'static str, body: &'static str| {
        let app = &app;
        async move {
            app.put(
                &app.admin,
                &format!("/api/v1/notification-templates/{name}"),
                json!({"subject": subject, "body": body}),
            )
            .await
        }
    };
    let (status, body) = put("ext_collab_task_scar__v", "A task", "pw ${userPassword}").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("welcome"));
    let (status, body) = put("ext_collab_goodbye_scar__v", "Bye", "pw ${userPassword}").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = put("ext_collab_welcome_scar__v", "Link ${utp?url}", "hello").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("subject"));
    let (status, body) = put(
        "ext_collab_welcome_back_scar__v",
        "Back",
        "pw ${userPassword}",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
both_backends!(secret_places, secrets_go_only_where_they_belong);

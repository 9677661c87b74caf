//! Staff single sign-on against a real OpenID provider: the `oidc-provider` package (npm,
//! OpenID-certified) run by Node.js with our configuration (`tests/oidc/provider.mjs`). In
//! headless Chromium: the button, the provider's login page, the return, the dashboard. Over
//! plain HTTP: an unknown email, an unverified email, an external collaborator's email, an
//! inactive user, a wrong state, a replayed code, a code issued to another client, a user made
//! on first sign-on, and the provider's keys rotated under a running Portico.
//!
//! The test command installs the package (`npm ci` in `tests/oidc`); in CI a missing provider
//! fails, elsewhere the tests are skipped with one line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use fantoccini::Locator;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use support::browser::{browser, click, screenshot, type_into};
use support::TestApp;

const SECRET: &str = "portico-test-client-secret";

/// The provider process; killed when dropped.
struct Provider {
    child: Child,
    port: u16,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn provider_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

/// Whether the provider can run here; under CI it must.
fn provider_available() -> bool {
    let ok = provider_dir().join("node_modules/oidc-provider").exists()
        && Command::new("node").arg("--version").output().is_ok();
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI runs the sign-on tests: the test command runs npm ci in crates/portico/tests/oidc"
        );
        eprintln!("skipping the sign-on tests: run ./scripts/test.sh (npm ci in crates/portico/tests/oidc)");
    }
    ok
}

/// Starts the provider on `port` with Portico (at `portico`) as client `portico` and a second
/// client `other` that returns to Portico too.
fn start_provider(port: u16, portico: &str) -> Provider {
    let callback = format!("{portico}/auth/oidc/callback");
    let clients = json!([
        {"client_id": "portico", "client_secret": SECRET, "redirect_uris": [callback],
         "grant_types": ["authorization_code"], "response_types": ["code"]},
        {"client_id": "other", "client_secret": "other-secret", "redirect_uris": [callback],
         "grant_types": ["authorization_code"], "response_types": ["code"]},
    ]);
    let accounts = json!({
        "lead": {"email": "quality.lead@portico.example", "email_verified": true,
                 "name": "Quinn Lead", "given_name": "Quinn", "family_name": "Lead"},
        "stranger": {"email": "stranger@elsewhere.example", "email_verified": true, "name": "Sam Stranger"},
        "unverified": {"email": "quality.lead@portico.example", "email_verified": false},
        "supplier": {"email": "anna.berg@acme.example", "email_verified": true},
        "leaver": {"email": "leaver@portico.example", "email_verified": true},
        "newcomer": {"email": "new.colleague@portico.example", "email_verified": true,
                     "given_name": "Nina", "family_name": "New"},
    });
    let mut child = Command::new("node")
        .arg(provider_dir().join("provider.mjs"))
        .env("PORT", port.to_string())
        .env("CLIENTS", clients.to_string())
        .env("ACCOUNTS", accounts.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node runs the provider");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(
        line.starts_with("ready"),
        "the provider did not start: {line}"
    );
    // Whatever it prints later must find an open pipe (a closed one would end it).
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    Provider { child, port }
}

fn free_port() -> u16 {
    support::browser::free_port()
}

/// Portico with sign-on at the provider on `port` (started after it, to know Portico's address).
async fn portico_with_sso(
    backend: support::Backend,
    port: u16,
    create_users: bool,
) -> Option<TestApp> {
    TestApp::spawn_with(backend, move |s| {
        s.oidc_issuer = Some(format!("http://127.0.0.1:{port}"));
        s.oidc_client_id = Some("portico".into());
        s.oidc_client_secret = Some(SECRET.into());
        s.oidc_name = "Test IdP".into();
        s.oidc_create_users = create_users;
    })
    .await
}

/// An external collaborator with the email of the provider's `supplier` account.
async fn external_anna(app: &TestApp) {
    let acme = app.org("Acme").await;
    let anna = app
        .ok(
            Method::POST,
            &app.admin,
            "/api/v1/vobjects/person__v",
            Some(json!({"first_name__v": "Anna", "last_name__v": "Berg",
                        "email__v": "anna.berg@acme.example", "organization__v": acme})),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let scar = app.record("car__v", "SCAR-1", &acme, &[&anna]).await;
    app.send("car__v", &scar).await;
    assert_eq!(
        app.user_by_email("anna.berg@acme.example").await["license_type__v"],
        "external__v"
    );
}

/// The staff member the provider's `lead` account names.
async fn quality_lead(app: &TestApp) -> String {
    let (status, body) = app
        .post(
            &app.admin,
            "/api/v1/users",
            json!({"username__v": "quality.lead", "first_name__v": "Quinn", "last_name__v": "Lead",
                   "email__v": "quality.lead@portico.example", "password": "quinn's long password"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["data"]["id"].as_str().unwrap().to_string()
}

fn location(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
}

/// Where a sign-on at the provider as `account` ends: the callback URL Portico is sent to
/// (not yet followed), and the flow cookie Portico set at the start.
struct AtCallback {
    callback: String,
    flow_cookie: String,
}

/// Starts a sign-on at Portico and signs in at the provider as `account`, stopping before the
/// provider's redirect back to Portico is followed. `rewrite` may change the provider's
/// authorization URL (another client id).
async fn sign_on_until_callback(
    b: &Client,
    app: &TestApp,
    account: &str,
    rewrite: impl Fn(String) -> String,
) -> AtCallback {
    let start = b
        .get(format!("{}/auth/oidc/login", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let flow_cookie = start
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("portico_oidc="))
        .expect("the flow cookie");
    assert!(
        flow_cookie.contains("HttpOnly") && flow_cookie.contains("SameSite=Lax"),
        "{flow_cookie}"
    );
    let mut url = rewrite(location(&start).unwrap());
    // Through the provider's pages: its login form once, then redirects.
    for _ in 0..10 {
        if url.starts_with(&app.base) {
            return AtCallback {
                callback: url,
                flow_cookie: flow_cookie.split(';').next().unwrap().to_string(),
            };
        }
        let r = b.get(&url).send().await.unwrap();
        if let Some(next) = location(&r) {
            url = absolute(&url, &next);
            continue;
        }
        let page = r.text().await.unwrap();
        assert!(
            page.contains("name=\"login\""),
            "not the provider's login form: {page}"
        );
        let action = page
            .split("action=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let posted = b
            .post(absolute(&url, &action))
            .form(&[
                ("prompt", "login"),
                ("login", account),
                ("password", "anything"),
            ])
            .send()
            .await
            .unwrap();
        url = absolute(
            &url,
            &location(&posted).expect("the provider redirects after sign-in"),
        );
    }
    panic!("the provider never sent the browser back to Portico");
}

fn absolute(base: &str, next: &str) -> String {
    if next.starts_with("http") {
        next.to_string()
    } else {
        let origin: String = base.split('/').take(3).collect::<Vec<_>>().join("/");
        format!("{origin}{next}")
    }
}

/// Follows the callback in the same browser; answers its status, body and where it leads.
async fn follow(b: &Client, url: &str) -> (StatusCode, String, Option<String>) {
    let r = b.get(url).send().await.unwrap();
    let to = location(&r);
    (r.status(), r.text().await.unwrap(), to)
}

fn http_browser() -> Client {
    support::browser()
}

async fn audit_actions(app: &TestApp, action: &str) -> Vec<Value> {
    app.ok(
        Method::GET,
        &app.admin,
        &format!("/api/v1/audit?action={action}"),
        None,
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

async fn staff_sign_in_through_the_provider_in_chromium(backend: support::Backend) {
    if !provider_available() {
        return;
    }
    let port = free_port();
    let Some(app) = portico_with_sso(backend, port, false).await else {
        return;
    };
    let _provider = start_provider(port, &app.base);
    quality_lead(&app).await;
    let Some((c, _driver, _profile)) = browser().await else {
        return;
    };
    c.goto(&format!("{}/login", app.base)).await.unwrap();
    click(&c, Locator::LinkText("Sign in with Test IdP")).await;
    // The provider's own login page.
    type_into(&c, Locator::Css("input[name=login]"), "lead").await;
    type_into(&c, Locator::Css("input[name=password]"), "anything").await;
    screenshot(&c, &app, "sso-provider").await;
    click(&c, Locator::Css("button[type=submit]")).await;
    // Back at Portico, signed in: the dashboard.
    c.wait()
        .for_element(Locator::Css("span.who"))
        .await
        .unwrap();
    let url = c.current_url().await.unwrap();
    assert!(url.as_str().ends_with("/home"), "{url}");
    let who = c
        .find(Locator::Css("span.who"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(who, "Quinn Lead");
    screenshot(&c, &app, "sso-dashboard").await;
    let started = audit_actions(&app, "session.started").await;
    assert!(
        started
            .iter()
            .any(|e| e["after"].to_string().contains("single sign-on")
                && e["after"]
                    .to_string()
                    .contains(&format!("127.0.0.1:{port}"))),
        "{started:?}"
    );
    // Signing out offers the provider's sign-out too.
    click(&c, Locator::Css("form[action='/logout'] button")).await;
    c.wait()
        .for_element(Locator::LinkText("Sign out of Test IdP too"))
        .await
        .unwrap();
    c.close().await.unwrap();
}
per_backend!(
    sso_in_chromium,
    staff_sign_in_through_the_provider_in_chromium
);

async fn sign_on_refusals_are_clear_and_audited(backend: support::Backend) {
    if !provider_available() {
        return;
    }
    let port = free_port();
    let Some(app) = portico_with_sso(backend, port, false).await else {
        return;
    };
    let mut provider = start_provider(port, &app.base);
    quality_lead(&app).await;

    // The right person: signed in, the same session as a password gives.
    let b = http_browser();
    let at = sign_on_until_callback(&b, &app, "lead", |u| u).await;
    let (status, _, to) = follow(&b, &at.callback).await;
    assert_eq!(
        (status, to.as_deref()),
        (StatusCode::SEE_OTHER, Some("/home"))
    );
    let (status, home, _) = follow(&b, &format!("{}/home", app.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Quinn Lead"));

    // The same code again (its flow cookie put back by hand): the provider refuses it.
    let replay = Client::new()
        .get(&at.callback)
        .header("cookie", &at.flow_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
    assert!(replay
        .text()
        .await
        .unwrap()
        .contains("would not exchange the code"));

    // A state that is not the one this browser started with.
    let b = http_browser();
    let at = sign_on_until_callback(&b, &app, "lead", |u| u).await;
    let forged = at.callback.replace("state=", "state=x");
    let (status, page, _) = follow(&b, &forged).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("did not start here"), "{page}");
    // Nor without the flow cookie (another browser).
    let (status, _, _) = follow(&http_browser(), &at.callback).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A code the provider issued to another client, brought back with this flow's state.
    let b = http_browser();
    let at = sign_on_until_callback(&b, &app, "lead", |u| {
        u.replace("client_id=portico", "client_id=other")
    })
    .await;
    let (status, page, _) = follow(&b, &at.callback).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("would not exchange the code"), "{page}");

    // Identities that are not a Portico staff member.
    external_anna(&app).await;
    let leaver = app
        .post(
            &app.admin,
            "/api/v1/users",
            json!({"username__v": "leaver", "first_name__v": "Lee", "last_name__v": "Ver",
                   "email__v": "leaver@portico.example", "password": "lee's long password"}),
        )
        .await
        .1["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.ok(
        Method::PATCH,
        &app.admin,
        &format!("/api/v1/users/{leaver}"),
        Some(json!({"status__v": "inactive__v"})),
    )
    .await;
    for (account, says) in [
        (
            "stranger",
            "there is no Portico account for stranger@elsewhere.example",
        ),
        ("unverified", "no verified email address"),
        ("supplier", "belongs to an external collaborator"),
        ("leaver", "is inactive"),
    ] {
        let b = http_browser();
        let at = sign_on_until_callback(&b, &app, account, |u| u).await;
        let (status, page, _) = follow(&b, &at.callback).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{account}: {page}");
        assert!(page.contains(says), "{account}: {page}");
        let (status, _, to) = follow(&b, &format!("{}/home", app.base)).await;
        assert_eq!(
            (status, to.as_deref()),
            (StatusCode::SEE_OTHER, Some("/login")),
            "{account}"
        );
    }
    let refused = audit_actions(&app, "auth.sso_refused").await;
    for reason in [
        "unknown email",
        "email not verified",
        "external collaborator",
        "inactive user",
        "would not exchange the code",
        "state does not match",
    ] {
        assert!(
            refused
                .iter()
                .any(|e| e["after"].to_string().contains(reason)),
            "no refusal audited for {reason}: {refused:?}"
        );
    }

    // The provider restarts with new signing keys: Portico, holding the old ones, fetches the
    // new set when a token names a key it does not know.
    let port = provider.port;
    drop(provider);
    provider = start_provider(port, &app.base);
    let b = http_browser();
    let at = sign_on_until_callback(&b, &app, "lead", |u| u).await;
    let (status, page, to) = follow(&b, &at.callback).await;
    assert_eq!(
        (status, to.as_deref()),
        (StatusCode::SEE_OTHER, Some("/home")),
        "{page}"
    );
    drop(provider);
}
per_backend!(sso_refusals, sign_on_refusals_are_clear_and_audited);

async fn a_first_sign_on_can_make_the_staff_member(backend: support::Backend) {
    if !provider_available() {
        return;
    }
    let port = free_port();
    let Some(app) = portico_with_sso(backend, port, true).await else {
        return;
    };
    let _provider = start_provider(port, &app.base);
    let b = http_browser();
    let at = sign_on_until_callback(&b, &app, "newcomer", |u| u).await;
    let (status, page, to) = follow(&b, &at.callback).await;
    assert_eq!(
        (status, to.as_deref()),
        (StatusCode::SEE_OTHER, Some("/home")),
        "{page}"
    );
    let user = app.user_by_email("new.colleague@portico.example").await;
    assert_eq!(user["security_profile__v"], "internal_user");
    assert_eq!(user["license_type__v"], "full__v");
    assert_eq!(
        (
            user["first_name__v"].as_str(),
            user["last_name__v"].as_str()
        ),
        (Some("Nina"), Some("New"))
    );
    let created = audit_actions(&app, "user.created").await;
    assert!(
        created
            .iter()
            .any(|e| e["after"].to_string().contains("newcomer")),
        "{created:?}"
    );
    // An external collaborator's email is still refused, even with creation on.
    external_anna(&app).await;
    let b = http_browser();
    let at = sign_on_until_callback(&b, &app, "supplier", |u| u).await;
    let (status, _, _) = follow(&b, &at.callback).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
per_backend!(sso_creates_users, a_first_sign_on_can_make_the_staff_member);

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
use support::names::PART11;
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
        "colleague": {"email": "colleague@portico.example", "email_verified": true,
                      "given_name": "Cole", "family_name": "League"},
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
    at_provider_until_callback(b, app, "/auth/oidc/login", account, rewrite).await
}

/// [`sign_on_until_callback`] for a round trip that starts at `start` (a path of Portico's):
/// a sign-in, or a signature.
async fn at_provider_until_callback(
    b: &Client,
    app: &TestApp,
    start: &str,
    account: &str,
    rewrite: impl Fn(String) -> String,
) -> AtCallback {
    let start = b.get(format!("{}{start}", app.base)).send().await.unwrap();
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let flow_cookie = start
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("portico_oidc"))
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
    audited_each(
        &app,
        "auth.sso_refused",
        &[
            "unknown email",
            "email not verified",
            "external collaborator",
            "inactive user",
            "would not exchange the code",
            "state does not match",
        ],
    )
    .await;

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

/// A SCAR of Acme answered by its supplier with a signed response: in review, to accept.
async fn scar_in_review(app: &TestApp, acme: &str, name: &str) -> String {
    let anna = app.person(acme, "Anna", name).await;
    let r = app.record("car__v", name, acme, &[&anna]).await;
    app.send("car__v", &r).await;
    let token = app
        .accept_welcome(&app.email_of(&anna).await, "anna's long password")
        .await;
    let tasks = app
        .ok(
            Method::GET,
            &token,
            &format!("/api/v1/tasks?record__v={r}&status__v=open__v"),
            None,
        )
        .await;
    let task = tasks[0]["id"].as_str().unwrap().to_string();
    app.ok(
        Method::POST,
        &token,
        &format!("/api/v1/tasks/{task}/complete"),
        Some(json!({"response": "fixed",
                    "signature": {"password": "anna's long password", "meaning": "Responded"}})),
    )
    .await;
    r
}

/// Signs on as `account` in a new browser: the browser and its session token.
async fn signed_on(app: &TestApp, account: &str) -> (Client, String) {
    let b = http_browser();
    let at = sign_on_until_callback(&b, app, account, |u| u).await;
    let r = b.get(&at.callback).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find_map(|c| {
            c.strip_prefix("portico_session=")
                .map(|v| v.split(';').next().unwrap().to_string())
        })
        .expect("a session cookie");
    (b, session)
}

/// Where the record's preview of accepting starts the signature at the provider.
fn start_of_accepting(record: &str) -> String {
    format!("/auth/oidc/sign?object=car__v&id={record}&action=change_state_to_closed__c")
}

/// Signs in again at the provider as `account` for the round trip at `start`: the callback's
/// status and page.
async fn reauthenticate(
    b: &Client,
    app: &TestApp,
    start: &str,
    account: &str,
    rewrite: impl Fn(String) -> String,
) -> (StatusCode, String) {
    let at = at_provider_until_callback(b, app, start, account, rewrite).await;
    let (status, page, _) = follow(b, &at.callback).await;
    (status, page)
}

/// The grant in the page the callback answers with (its "Continue to sign" link).
fn grant_in(page: &str) -> String {
    page.split("signing_grant=")
        .nth(1)
        .unwrap_or_else(|| panic!("no grant in {page}"))
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

async fn accept_with(
    app: &TestApp,
    session: &str,
    record: &str,
    signature: Value,
) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        Some(session),
        &format!("/api/v1/vobjects/car__v/{record}/actions/change_state_to_closed__c"),
        Some(json!({"signature": signature})),
    )
    .await
}

/// Asserts that an audit entry of `action` names each of `reasons`.
async fn audited_each(app: &TestApp, action: &str, reasons: &[&str]) {
    let entries = audit_actions(app, action).await;
    for reason in reasons {
        assert!(
            entries
                .iter()
                .any(|e| e["after"].to_string().contains(reason)),
            "no {action} audited for {reason}: {entries:?}"
        );
    }
}

/// [`accept_with`], refused with `status` and the error type `kind`; answers the body.
async fn refused(
    app: &TestApp,
    session: &str,
    record: &str,
    signature: Value,
    status: StatusCode,
    kind: &str,
) -> Value {
    let (got, body) = accept_with(app, session, record, signature).await;
    assert_eq!((got, error_type(&body)), (status, kind), "{body}");
    body
}

/// The sign-in-again link of a page (after `/auth/oidc/sign?`), as a browser follows it.
fn sign_in_again_link(page: &str) -> String {
    link_after(page, "href=\"/auth/oidc/sign?")
}

/// The "continue" link of the page that ends a sign-in again.
fn continue_link(page: &str) -> String {
    link_after(page, "id=\"continue\" href=\"")
}

fn link_after(page: &str, marker: &str) -> String {
    page.split(marker)
        .nth(1)
        .unwrap_or_else(|| panic!("no {marker} in {page}"))
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
}

fn error_type(body: &Value) -> &str {
    body["errors"][0]["type"].as_str().unwrap_or_default()
}

/// Settings of a server whose staff sign on at the provider on `port` (users made at first
/// sign-on) and sign records under Part 11 (`examples/part11.toml`).
fn signing_with_provider(port: u16) -> impl Fn(&mut portico::Settings) + Copy {
    move |s: &mut portico::Settings| {
        s.oidc_issuer = Some(format!("http://127.0.0.1:{port}"));
        s.oidc_client_id = Some("portico".into());
        s.oidc_client_secret = Some(SECRET.into());
        s.oidc_name = "Test IdP".into();
        s.oidc_create_users = true;
        s.config = Some(PART11.into());
    }
}

/// Three SCARs of `org` in review (SCAR-1, -2, -3), each waiting for a signed closing.
async fn three_in_review(app: &TestApp, org: &str) -> [String; 3] {
    [
        scar_in_review(app, org, "SCAR-1").await,
        scar_in_review(app, org, "SCAR-2").await,
        scar_in_review(app, org, "SCAR-3").await,
    ]
}

async fn an_sso_user_signs_by_signing_in_again_at_the_provider(backend: support::Backend) {
    if !provider_available() {
        return;
    }
    let port = free_port();
    let Some(app) = TestApp::spawn_with(backend, signing_with_provider(port)).await else {
        return;
    };
    let _provider = start_provider(port, &app.base);
    let acme = app.org("Acme").await;
    let [first, second, third] = three_in_review(&app, &acme).await;
    // Quinn Lead and a colleague sign in only through the provider: no Portico password.
    let (b, lead) = signed_on(&app, "lead").await;
    let (cb, colleague) = signed_on(&app, "colleague").await;

    // Without a grant: the password way is closed to them, and says how to sign.
    let (status, body) = accept_with(
        &app,
        &lead,
        &first,
        json!({"password": "x", "meaning": "Approved"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(error_type(&body), "SSO_REAUTHENTICATION_REQUIRED");

    // The preview's sign dialog sends the lead to the provider; back from there with a grant,
    // the dialog carries it and the confirmation signs.
    let preview = format!("/records/car__v/{first}/preview?action=change_state_to_closed__c");
    let (_, page, _) = follow(&b, &format!("{}{preview}", app.base)).await;
    let start = sign_in_again_link(&page);
    let start = format!("/auth/oidc/sign?{start}");
    let begun = b.get(format!("{}{start}", app.base)).send().await.unwrap();
    let to_provider = location(&begun).unwrap();
    assert!(
        to_provider.contains("prompt=login") && to_provider.contains("max_age=0"),
        "{to_provider}"
    );
    let (status, page) = reauthenticate(&b, &app, &start, "lead", |u| u).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("You signed in again at Test IdP"), "{page}");
    let back = continue_link(&page);
    assert!(back.starts_with(&preview), "{back}");
    let (_, dialog, _) = follow(&b, &format!("{}{back}", app.base)).await;
    assert!(dialog.contains("name=\"signature_grant\""), "{dialog}");
    let csrf = support::csrf_of(&dialog);
    let signed = b
        .post(format!(
            "{}/records/car__v/{first}/actions/change_state_to_closed__c",
            app.base
        ))
        .form(&[
            ("csrf", csrf.as_str()),
            ("signature_meaning", "Approved"),
            ("signature_grant", grant_in(&back).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    let signatures = app
        .ok(
            Method::GET,
            &lead,
            &format!("/api/v1/vobjects/car__v/{first}/signatures"),
            None,
        )
        .await;
    let approved = signatures.as_array().unwrap().last().unwrap();
    assert_eq!(approved["printed_name"], "Quinn Lead", "{signatures}");
    assert_eq!(approved["meaning"], "Approved");
    assert_eq!(approved["action"], "change_state_to_closed__c");
    assert_eq!(approved["current"], true);

    // The same grant again, on another record: spent.
    let grant = grant_in(&back);
    let (status, body) = accept_with(
        &app,
        &lead,
        &second,
        json!({"grant": grant, "meaning": "Approved"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(error_type(&body), "INVALID_SIGNATURE");
    assert!(body.to_string().contains("used already"), "{body}");

    // Over the API: a grant for the second record does not sign the third, nor for another
    // user; it signs the second, once.
    let (status, page) =
        reauthenticate(&b, &app, &start_of_accepting(&second), "lead", |u| u).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let grant = grant_in(&page);
    let body = refused(
        &app,
        &lead,
        &third,
        json!({"grant": grant, "meaning": "Approved"}),
        StatusCode::UNAUTHORIZED,
        "INVALID_SIGNATURE",
    )
    .await;
    assert!(body.to_string().contains("another record"), "{body}");
    let body = refused(
        &app,
        &colleague,
        &second,
        json!({"grant": grant, "meaning": "Approved"}),
        StatusCode::UNAUTHORIZED,
        "INVALID_SIGNATURE",
    )
    .await;
    assert!(body.to_string().contains("another user"), "{body}");
    let (status, body) = accept_with(
        &app,
        &lead,
        &second,
        json!({"grant": grant, "meaning": "Approved"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = accept_with(
        &app,
        &lead,
        &third,
        json!({"grant": grant, "meaning": "Approved"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // Both proofs at once, or neither: refused before anything runs.
    refused(
        &app,
        &lead,
        &third,
        json!({"grant": grant, "password": "x", "meaning": "Approved"}),
        StatusCode::BAD_REQUEST,
        "INVALID_DATA",
    )
    .await;

    // Someone else signs in at the provider for the lead's signature (in a browser with the
    // lead's Portico session and no session at the provider): no grant.
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    jar.add_cookie_str(
        &format!("portico_session={lead}"),
        &app.base.parse::<reqwest::Url>().unwrap(),
    );
    let other = Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let (status, page) = reauthenticate(
        &other,
        &app,
        &start_of_accepting(&third),
        "colleague",
        |u| u,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(page.contains("not the one signed in to Portico"), "{page}");
    assert!(!page.contains("signing_grant="), "{page}");

    // A task: the record page's answer form sends the lead to the provider for that task; the
    // grant it brings back signs the response (here over the API, on behalf of the supplier).
    let dana = app.person(&acme, "Dana", "Four").await;
    let fourth = app.record("car__v", "SCAR-4", &acme, &[&dana]).await;
    app.send("car__v", &fourth).await;
    let (_, page, _) = follow(&b, &format!("{}/records/car__v/{fourth}", app.base)).await;
    let start = sign_in_again_link(&page);
    assert!(start.starts_with("task="), "{start}");
    let task = start["task=".len()..]
        .split('&')
        .next()
        .unwrap()
        .to_string();
    let (status, page) =
        reauthenticate(&b, &app, &format!("/auth/oidc/sign?{start}"), "lead", |u| u).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let grant = grant_in(&page);
    let back = continue_link(&page);
    let (_, answer_form, _) = follow(&b, &format!("{}{back}", app.base)).await;
    assert!(
        answer_form.contains(&format!("name=\"signature_grant\" value=\"{grant}\"")),
        "{answer_form}"
    );
    // A task's grant does not sign an action.
    let (status, _) = accept_with(
        &app,
        &lead,
        &third,
        json!({"grant": grant, "meaning": "Approved"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = app
        .call(
            Method::POST,
            Some(&lead),
            &format!("/api/v1/tasks/{task}/complete"),
            Some(json!({"response": "answered for Dana",
                        "signature": {"grant": grant, "meaning": "Responded"}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let signatures = app
        .ok(
            Method::GET,
            &lead,
            &format!("/api/v1/vobjects/car__v/{fourth}/signatures"),
            None,
        )
        .await;
    assert_eq!(signatures[0]["printed_name"], "Quinn Lead", "{signatures}");
    assert_eq!(signatures[0]["task"], task.as_str());

    // A provider session from before the round trip (the request altered so that the provider
    // does not ask again): its auth_time is stale, no grant.
    tokio::time::sleep(std::time::Duration::from_secs(21)).await;
    let (status, page) = reauthenticate(&cb, &app, &start_of_accepting(&third), "colleague", |u| {
        u.replace("prompt=login", "prompt=none")
            .replace("max_age=0", "max_age=3600")
    })
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(
        page.contains("did not ask for your password again"),
        "{page}"
    );
    let third_state = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/vobjects/car__v/{third}"),
            None,
        )
        .await;
    assert_eq!(third_state["state__v"], "in_review__c");

    // Each refusal is in the trail; each grant made too.
    audited_each(
        &app,
        "signature.failed",
        &[
            "used already",
            "another record",
            "another user",
            "not the one signed in",
            "did not ask for your password again",
        ],
    )
    .await;
    assert_eq!(
        audit_actions(&app, "signature.reauthenticated").await.len(),
        3
    );
}
per_backend!(
    sso_signing,
    an_sso_user_signs_by_signing_in_again_at_the_provider
);

/// The parts of a signing round trip's flow cookie that are secrets: state, nonce, PKCE
/// verifier and the round trip's token.
fn flow_secrets(flow_cookie: &str) -> Vec<String> {
    let value = flow_cookie.split_once('=').unwrap().1;
    let parts: Vec<String> = value.splitn(5, '.').take(4).map(str::to_string).collect();
    assert!(parts.iter().all(|p| p.len() >= 16), "{parts:?}");
    parts
}

/// The acceptances signed on a record (its supplier's response is signed too).
async fn approvals(app: &TestApp, record: &str) -> Vec<Value> {
    app.signatures(&app.admin, "car__v", record)
        .await
        .into_iter()
        .filter(|s| s["meaning"] == "Approved")
        .collect()
}

/// Signing grants attacked with a second server on the same database: a grant used on A is
/// refused through B's pages; on B a grant signs neither another record nor for another user
/// nor with another meaning; one grant used at once on both servers signs once. Neither the
/// grant nor the round trip's token, state, nonce or verifier is stored in clear, and no
/// listing shows one.
async fn a_grant_signs_once_across_two_servers(backend: support::Backend) {
    if !provider_available() {
        return;
    }
    let port = free_port();
    let sso = signing_with_provider(port);
    let Some(a) = TestApp::spawn_with(backend, sso).await else {
        return;
    };
    let b = TestApp::spawn_on(backend, Some(a.database_url.clone()), sso)
        .await
        .unwrap();
    let _provider = start_provider(port, &a.base);
    let acme = a.org("Acme").await;
    let [first, second, third] = three_in_review(&a, &acme).await;
    let (br, lead) = signed_on(&a, "lead").await;
    let (_, colleague) = signed_on(&a, "colleague").await;
    let mut secrets = vec![lead.clone(), colleague.clone()];

    // A grant for the first record, made on A: at rest only its hash.
    let at = at_provider_until_callback(&br, &a, &start_of_accepting(&first), "lead", |u| u).await;
    secrets.extend(flow_secrets(&at.flow_cookie));
    let (status, page, _) = follow(&br, &at.callback).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let used = grant_in(&page);
    secrets.push(used.clone());
    assert_eq!(
        support::at_rest::tables_holding(&a, &support::at_rest::hashed(&used)).await,
        ["signing_grants"]
    );
    let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let found = support::at_rest::secrets_in_clear(&a, &refs).await;
    assert!(found.is_empty(), "in clear: {found:?}");

    // Used on A; replayed through B's pages on the second record: refused, nothing signed.
    let (status, body) = accept_with(
        &a,
        &lead,
        &first,
        json!({"grant": used, "meaning": "Approved"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let preview = format!(
        "{}/records/car__v/{second}/preview?action=change_state_to_closed__c&signing_grant={used}",
        b.base
    );
    let (_, dialog, _) = follow(&br, &preview).await;
    let replayed = br
        .post(format!(
            "{}/records/car__v/{second}/actions/change_state_to_closed__c",
            b.base
        ))
        .form(&[
            ("csrf", support::csrf_of(&dialog).as_str()),
            ("signature_meaning", "Approved"),
            ("signature_grant", used.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(replayed.status(), StatusCode::CONFLICT);
    let page = replayed.text().await.unwrap();
    assert!(page.contains("used already"), "{page}");
    assert!(approvals(&a, &second).await.is_empty());

    // A grant for the second record: on B it signs neither the third, nor for the colleague,
    // nor with another meaning; those refusals leave it unspent.
    let (status, page) = reauthenticate(&br, &a, &start_of_accepting(&second), "lead", |u| u).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let grant = grant_in(&page);
    secrets.push(grant.clone());
    for (token, record, meaning, status) in [
        (&lead, &third, "Approved", StatusCode::UNAUTHORIZED),
        (&colleague, &second, "Approved", StatusCode::UNAUTHORIZED),
        (&lead, &second, "Reviewed", StatusCode::BAD_REQUEST),
    ] {
        let (got, body) = accept_with(
            &b,
            token,
            record,
            json!({"grant": grant, "meaning": meaning}),
        )
        .await;
        assert_eq!(got, status, "{body}");
    }
    // Used at once on A and on B: one signature.
    let body = json!({"grant": grant, "meaning": "Approved"});
    let (on_a, on_b) = tokio::join!(
        accept_with(&a, &lead, &second, body.clone()),
        accept_with(&b, &lead, &second, body.clone())
    );
    let oks = [&on_a, &on_b]
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .count();
    assert_eq!(oks, 1, "{} / {}", on_a.1, on_b.1);
    assert!(
        on_a.0.is_client_error() || on_b.0.is_client_error(),
        "{} / {}",
        on_a.1,
        on_b.1
    );
    let signed = approvals(&a, &second).await;
    assert_eq!(signed.len(), 1, "{signed:?}");
    assert!(approvals(&a, &third).await.is_empty());
    let third_now = a
        .ok(
            Method::GET,
            &a.admin,
            &format!("/api/v1/vobjects/car__v/{third}"),
            None,
        )
        .await;
    assert_eq!(third_now["state__v"], "in_review__c");

    // A grant for the third record, then the lead signs out on A: B (which served that session
    // a moment ago) refuses the grant at once, and nothing is signed.
    let (status, page) = reauthenticate(&br, &a, &start_of_accepting(&third), "lead", |u| u).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let last = grant_in(&page);
    secrets.push(last.clone());
    assert_eq!(a.delete(&lead, "/api/v1/auth").await.0, StatusCode::OK);
    let (status, body) = accept_with(
        &b,
        &lead,
        &third,
        json!({"grant": last, "meaning": "Approved"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(approvals(&a, &third).await.is_empty());

    // At rest and in the listings: no grant, no round trip's secret, no session.
    let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let found = support::at_rest::secrets_in_clear(&a, &refs).await;
    assert!(found.is_empty(), "in clear: {found:?}");
    let mut shown = String::new();
    for path in ["/api/v1/audit?limit=1000", "/api/v1/users?limit=1000"] {
        shown.push_str(&a.ok(Method::GET, &a.admin, path, None).await.to_string());
    }
    shown.push_str(
        &a.ok(
            Method::GET,
            &a.admin,
            &format!("/api/v1/vobjects/car__v/{second}/signatures"),
            None,
        )
        .await
        .to_string(),
    );
    assert!(shown.contains("signature.reauthenticated"), "{shown}");
    for s in &secrets {
        assert!(!shown.contains(s.as_str()), "shown: {s}");
    }
}
per_backend!(
    signing_grants_across_servers,
    a_grant_signs_once_across_two_servers
);

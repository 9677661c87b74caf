//! `TestApp`: a real Portico server on a random port over a fresh database — a SQLite file in
//! a temporary folder, or a schema of its own in the PostgreSQL server — with typed helpers.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod at_rest;
pub mod browser;
pub mod contract;
pub mod scim;
pub mod smtp;
pub mod staff;

use std::sync::atomic::{AtomicBool, Ordering};

use portico::{Running, Settings};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

pub const ADMIN_PASSWORD: &str = "test-admin-password";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server of the tests: from `PORTICO_TEST_POSTGRES_URL`, or the machine's
/// server when `CI=true`; `None` elsewhere.
fn postgres_url() -> Option<String> {
    if let Ok(url) = std::env::var("PORTICO_TEST_POSTGRES_URL") {
        return Some(url);
    }
    (std::env::var("CI").as_deref() == Ok("true"))
        .then(|| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

static SKIP_NOTICE: AtomicBool = AtomicBool::new(false);

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub running: Running,
    pub admin: String,
    pub backend: Backend,
    contract: contract::Contract,
    /// The database it runs on (for a second server of the same company).
    pub database_url: String,
    _dir: tempfile::TempDir,
}

/// Runs a test body once per backend: `both_backends!(name, body_fn);`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) =
                    $crate::support::TestApp::spawn($crate::support::Backend::Sqlite).await
                {
                    super::$body(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) =
                    $crate::support::TestApp::spawn($crate::support::Backend::Postgres).await
                {
                    super::$body(app).await;
                }
            }
        }
    };
}

/// Runs a test body that starts its own server once per backend:
/// `per_backend!(name, body_fn)` with `async fn body_fn(backend: Backend)`.
#[macro_export]
macro_rules! per_backend {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body($crate::support::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$body($crate::support::Backend::Postgres).await;
            }
        }
    };
}

impl TestApp {
    /// Starts a server on a fresh database; `None` (with one line saying why) when the backend
    /// is PostgreSQL and no server is configured for the tests.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Like [`TestApp::spawn`], with settings changed first (an SMTP server, …). The email
    /// worker does not run by itself: tests drive it with `app.deliver()`.
    pub async fn spawn_with(
        backend: Backend,
        change: impl FnOnce(&mut Settings),
    ) -> Option<TestApp> {
        Self::spawn_on(backend, None, change).await
    }

    /// Like [`TestApp::spawn_with`], on the database of `database` (another server's
    /// `database_url`: a second server of the same company) or a fresh one; the data folder is
    /// always its own.
    pub async fn spawn_on(
        backend: Backend,
        database: Option<String>,
        change: impl FnOnce(&mut Settings),
    ) -> Option<TestApp> {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = match (backend, database) {
            (_, Some(url)) => url,
            (Backend::Sqlite, None) => format!("sqlite://{}/portico.db", dir.path().display()),
            (Backend::Postgres, None) => {
                let Some(base) = postgres_url() else {
                    if !SKIP_NOTICE.swap(true, Ordering::SeqCst) {
                        eprintln!("skipping PostgreSQL tests: set PORTICO_TEST_POSTGRES_URL (or CI=true) to run them");
                    }
                    return None;
                };
                fresh_schema(&base).await
            }
        };
        let mut settings = Settings::new("127.0.0.1:0", &url);
        settings.admin_password = Some(ADMIN_PASSWORD.into());
        settings.mail_worker = false;
        // Tests seal the audit trail on demand (verify and export seal first), so that what
        // they measure is not moved by a background writer.
        settings.audit_sealer = false;
        // Likewise checkpoints are made on demand (a scheduled one would seal at start).
        settings.checkpoints.audit_checkpoints = false;
        // Scheduled work runs when a test asks (`POST /api/v1/jobs/run-due`) or starts it.
        settings.scheduler = false;
        // Every test's SQLite file is new.
        settings.create_database = true;
        settings.data_dir = dir.path().to_path_buf();
        change(&mut settings);
        let running = portico::start(&settings).await.expect("the server starts");
        let base = format!("http://{}", running.addr);
        let client = Client::new();
        let doc: serde_json::Value = client
            .get(format!("{base}/api/openapi.json"))
            .send()
            .await
            .expect("the OpenAPI document")
            .json()
            .await
            .expect("the OpenAPI document is JSON");
        let mut app = TestApp {
            base,
            client,
            running,
            admin: String::new(),
            backend,
            contract: contract::Contract::new(doc),
            database_url: url,
            _dir: dir,
        };
        app.admin = app.login("admin", ADMIN_PASSWORD).await;
        Some(app)
    }

    pub async fn call(
        &self,
        method: Method,
        token: Option<&str>,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let method_name = method.clone();
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("the server answers");
        let status = resp.status();
        let text = resp.text().await.expect("a body");
        let value =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
        if let Err(e) = self
            .contract
            .check(method_name.as_str(), path, status.as_u16(), &value)
        {
            panic!("{e}");
        }
        (status, value)
    }

    pub async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, Some(token), path, None).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, Some(token), path, Some(body)).await
    }

    pub async fn patch(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, Some(token), path, Some(body))
            .await
    }

    pub async fn put(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, Some(token), path, Some(body)).await
    }

    pub async fn delete(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, Some(token), path, None).await
    }

    /// Signs in and answers the session id.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                None,
                "/api/v1/auth",
                Some(json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login of {username}: {body}");
        body["sessionId"].as_str().expect("sessionId").to_string()
    }

    /// A sign-in attempt, whatever its outcome.
    pub async fn try_login(&self, username: &str, password: &str) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            None,
            "/api/v1/auth",
            Some(json!({"username": username, "password": password})),
        )
        .await
    }

    /// `POST /api/v1/auth/set-password` with a link's token.
    pub async fn set_password(&self, token: &str, password: &str) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            None,
            "/api/v1/auth/set-password",
            Some(json!({"token": token, "password": password})),
        )
        .await
    }

    /// `POST /api/v1/auth/password-link` for a username or email.
    pub async fn ask_for_link(&self, login: &str) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            None,
            "/api/v1/auth/password-link",
            Some(json!({"username": login})),
        )
        .await
    }

    /// A new supplier with one contact on a SCAR sent to it: (person, email, SCAR).
    pub async fn contact_on_sent_scar(&self, first: &str, last: &str) -> (String, String, String) {
        let org = self.org(&format!("{first} {last} Ltd")).await;
        let person = self.person(&org, first, last).await;
        let email = self.email_of(&person).await;
        let scar = self
            .record("car__v", &format!("SCAR-{first}"), &org, &[&person])
            .await;
        self.send("car__v", &scar).await;
        (person, email, scar)
    }

    /// Runs the email worker until nothing is due (at most `rounds` rounds).
    pub async fn deliver(&self) -> portico_mail::Delivery {
        let mut total = portico_mail::Delivery::default();
        for _ in 0..20 {
            let d = self
                .running
                .mailer
                .run_once()
                .await
                .expect("the outbox worker runs");
            total.sent += d.sent;
            total.deferred += d.deferred;
            total.failed += d.failed;
            if d.sent + d.deferred + d.failed == 0 {
                break;
            }
        }
        total
    }

    /// Data of a successful call.
    pub async fn ok(&self, method: Method, token: &str, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self.call(method.clone(), Some(token), path, body).await;
        assert!(
            status.is_success(),
            "{method} {path} answered {status}: {value}"
        );
        assert_eq!(value["responseStatus"], "SUCCESS");
        value["data"].clone()
    }

    pub async fn org(&self, name: &str) -> String {
        let d = self
            .ok(
                Method::POST,
                &self.admin,
                "/api/v1/vobjects/organization__v",
                Some(json!({"name__v": name})),
            )
            .await;
        d["id"].as_str().unwrap().to_string()
    }

    /// The id of the first organization listed.
    pub async fn first_org(&self) -> String {
        self.ok(
            Method::GET,
            &self.admin,
            "/api/v1/vobjects/organization__v",
            None,
        )
        .await[0]["id"]
            .as_str()
            .expect("an organization")
            .to_string()
    }

    pub async fn person(&self, org: &str, first: &str, last: &str) -> String {
        let body = json!({
            "first_name__v": first, "last_name__v": last,
            "email__v": format!("{}.{}@{}.example", first.to_lowercase(), last.to_lowercase(), &org[org.len() - 6..]),
            "organization__v": org,
        });
        let d = self
            .ok(
                Method::POST,
                &self.admin,
                "/api/v1/vobjects/person__v",
                Some(body),
            )
            .await;
        d["id"].as_str().unwrap().to_string()
    }

    pub async fn record(
        &self,
        object: &str,
        name: &str,
        supplier: &str,
        people: &[&str],
    ) -> String {
        let body =
            json!({"name__v": name, "supplier__v": supplier, "external_collaborator__v": people});
        let d = self
            .ok(
                Method::POST,
                &self.admin,
                &format!("/api/v1/vobjects/{object}"),
                Some(body),
            )
            .await;
        d["id"].as_str().unwrap().to_string()
    }

    pub async fn action(
        &self,
        object: &str,
        id: &str,
        action: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        self.post(
            &self.admin,
            &format!("/api/v1/vobjects/{object}/{id}/actions/{action}"),
            body,
        )
        .await
    }

    pub async fn send(&self, object: &str, id: &str) -> Value {
        let (status, body) = self
            .action(object, id, "change_state_to_pending_response__c", json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["data"].clone()
    }

    pub async fn user_of(&self, person: &str) -> Value {
        let d = self
            .ok(
                Method::GET,
                &self.admin,
                &format!("/api/v1/users?person__v={person}"),
                None,
            )
            .await;
        d.as_array()
            .and_then(|a| a.first().cloned())
            .unwrap_or(Value::Null)
    }

    /// A record's electronic signatures, as `token` may read them.
    pub async fn signatures(&self, token: &str, object: &str, record: &str) -> Vec<Value> {
        self.ok(
            Method::GET,
            token,
            &format!("/api/v1/vobjects/{object}/{record}/signatures"),
            None,
        )
        .await
        .as_array()
        .expect("a list")
        .clone()
    }

    pub async fn outbox(&self) -> Vec<Value> {
        let d = self
            .ok(Method::GET, &self.admin, "/api/v1/outbox?limit=1000", None)
            .await;
        d.as_array().cloned().unwrap_or_default()
    }

    /// A server with the license waitlist's configuration (`examples/waitlist.toml`).
    pub async fn spawn_waitlist(backend: Backend) -> Option<TestApp> {
        TestApp::spawn_with(backend, |s| s.config = Some(names::WAITLIST.into())).await
    }

    /// Every seat of the pool (10) taken by a collaborator of an NCR of its own, each sent
    /// and moved to review (one action from its exit); answers the NCRs and Acme.
    pub async fn fill_pool(&self) -> (Vec<String>, String) {
        let acme = self.org("Acme").await;
        let ncrs = self.ncrs_in_review(&acme, 10).await;
        assert_eq!(self.licenses().await["available"], 0);
        (ncrs, acme)
    }

    /// `n` NCRs of `org` (NCR-0…), each with a collaborator of its own (Holder0 Seat…), sent
    /// and moved to review: each holds a seat, one action from its exit.
    pub async fn ncrs_in_review(&self, org: &str, n: usize) -> Vec<String> {
        let mut ncrs = vec![];
        for i in 0..n {
            let holder = self.person(org, &format!("Holder{i}"), "Seat").await;
            let ncr = self
                .record(names::NCR, &format!("NCR-{i}"), org, &[&holder])
                .await;
            self.send(names::NCR, &ncr).await;
            let (status, body) = self
                .action(names::NCR, &ncr, names::REVIEW, json!({}))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            ncrs.push(ncr);
        }
        ncrs
    }

    /// `n` new contacts of `org` (first names `{first}0`…, last name `last`), each on a SCAR of
    /// its own (`SCAR-{first}0`…) that the administrator sends; answers (person, SCAR) each.
    pub async fn sent_scars(
        &self,
        org: &str,
        first: &str,
        last: &str,
        n: usize,
    ) -> Vec<(String, String)> {
        let mut out = vec![];
        for i in 0..n {
            let p = self.person(org, &format!("{first}{i}"), last).await;
            let (scar, _) = self
                .scar_sent_by(&self.admin, &format!("SCAR-{first}{i}"), org, &p)
                .await;
            out.push((p, scar));
        }
        out
    }

    pub async fn licenses(&self) -> Value {
        self.ok(Method::GET, &self.admin, "/api/v1/licenses", None)
            .await["external"]
            .clone()
    }

    /// A SCAR `token`'s user creates for `person` of `org` and sends to it; answers (its id,
    /// the plan the sending answered).
    pub async fn scar_sent_by(
        &self,
        token: &str,
        name: &str,
        org: &str,
        person: &str,
    ) -> (String, Value) {
        let body =
            json!({"name__v": name, "supplier__v": org, "external_collaborator__v": [person]});
        let path = "/api/v1/vobjects/car__v";
        let id = self.ok(Method::POST, token, path, Some(body)).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let send = format!("{path}/{id}/actions/change_state_to_pending_response__c");
        let plan = self.ok(Method::POST, token, &send, Some(json!({}))).await;
        (id, plan)
    }

    /// A page as the signed-in admin sees it, by a fresh browser session (asserting 200).
    pub async fn admin_page(&self, path: &str) -> String {
        let b = staff::admin_browser(self).await;
        let r = b.get(format!("{}{path}", self.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.text().await.unwrap()
    }

    /// An internal user (profile `internal_user`) with a password; answers (id, session).
    pub async fn internal_user(&self, username: &str) -> (String, String) {
        let password = format!("{username}'s long password");
        let body = json!({"username__v": username, "first_name__v": username, "last_name__v": "Staff",
                          "email__v": format!("{username}@portico.example"), "password": password});
        let created = self
            .ok(Method::POST, &self.admin, "/api/v1/users", Some(body))
            .await;
        let id = created["id"].as_str().unwrap().to_string();
        (id, self.login(username, &password).await)
    }

    /// Its data folder (the Maildir, local files).
    pub fn data_dir(&self) -> std::path::PathBuf {
        self._dir.path().to_path_buf()
    }

    /// Delivers the outbox to the Maildir and answers the decoded messages to `email` (headers'
    /// encoded words, quoted-printable and base64 parts decoded), oldest first. (The outbox itself holds no secret: links and one-time passwords exist only in
    /// the delivered email.)
    pub async fn delivered_to(&self, email: &str) -> Vec<String> {
        self.deliver().await;
        let new = self.running.mailer_dir().join("new");
        let mut files: Vec<_> = std::fs::read_dir(&new)
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .iter()
            .map(|p| smtp::readable(&std::fs::read_to_string(p).unwrap()))
            .filter(|m| m.contains(&format!("To: {email}")))
            .collect()
    }

    /// The token of the newest set-password link delivered to `email`.
    pub async fn link_token(&self, email: &str) -> String {
        let messages = self.delivered_to(email).await;
        let message = messages
            .iter()
            .rev()
            .find(|m| m.contains("set-password?token="))
            .unwrap_or_else(|| panic!("no set-password link delivered to {email}"));
        token_in(message)
    }

    /// Sets a password through the set-password link of the person's Welcome email and signs in.
    pub async fn accept_welcome(&self, email: &str, password: &str) -> String {
        let token = self.link_token(email).await;
        let (status, value) = self.set_password(&token, password).await;
        assert_eq!(status, StatusCode::OK, "{value}");
        let username = self.user_by_email(email).await["username__v"]
            .as_str()
            .unwrap()
            .to_string();
        self.login(&username, password).await
    }

    /// A person's email address.
    pub async fn email_of(&self, person: &str) -> String {
        let p = self
            .ok(
                Method::GET,
                &self.admin,
                &format!("/api/v1/vobjects/person__v/{person}"),
                None,
            )
            .await;
        p["email__v"].as_str().expect("an email").to_string()
    }

    pub async fn user_by_email(&self, email: &str) -> Value {
        let users = self
            .ok(Method::GET, &self.admin, "/api/v1/users?limit=1000", None)
            .await;
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["email__v"] == email)
            .cloned()
            .expect("a user with that email")
    }
}

/// The token of the first set-password link in a message.
pub fn token_in(message: &str) -> String {
    message
        .split("set-password?token=")
        .nth(1)
        .expect("a set-password link")
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

/// A client that keeps cookies, as a browser does (session and CSRF cookies).
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The CSRF token of a page's first form.
pub fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string()
}

/// Creates a schema of its own for one test and answers a URL that uses it.
async fn fresh_schema(base: &str) -> String {
    use sqlx::Connection;
    let schema = format!("pt_{}", uuid::Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(base)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL tests are on but {base} cannot be reached: {e}"));
    sqlx::Executor::execute(&mut conn, format!("CREATE SCHEMA {schema}").as_str())
        .await
        .expect("create the test schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

/// The names tests use again and again: record types, lifecycle actions, example configurations.
pub mod names {
    /// Supplier corrective action requests.
    pub const SCAR: &str = "car__v";
    /// Nonconformance reports.
    pub const NCR: &str = "ncr__v";
    pub const REVIEW: &str = "change_state_to_in_review__c";
    pub const CLOSE: &str = "change_state_to_closed__c";
    pub const CANCEL: &str = "change_state_to_cancelled__c";
    /// `examples/waitlist.toml`: CARs queue for a seat, the other types refuse.
    pub const WAITLIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/waitlist.toml");
    /// `examples/part11.toml`: closing a CAR needs an electronic signature.
    pub const PART11: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/part11.toml");
}

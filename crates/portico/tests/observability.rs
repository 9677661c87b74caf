//! Logs an operator can follow (SPEC section 11 "Operations"): the binary run with
//! `PORTICO_LOG_FORMAT=json` writes one JSON object a line on standard error; every request has
//! an id — the caller's sane `x-request-id`, else a new one — sent back as `x-request-id` and
//! carried by every line logged for the request; an internal failure is logged once, with its
//! causes, and answered without them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use serde_json::{json, Value};
use support::TestApp;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

const PASSWORD: &str = "observability-admin-password-1";

/// The server, and its standard error read to the end once it is stopped.
struct Server {
    child: Child,
    base: String,
    stderr: std::thread::JoinHandle<String>,
    _dir: tempfile::TempDir,
    db: String,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().expect("temporary folder");
        let db = format!("sqlite://{}", dir.path().join("portico.db").display());
        let mut child = Command::new(env!("CARGO_BIN_EXE_portico"))
            .args([
                "serve",
                "--create",
                "--listen",
                "127.0.0.1:0",
                "--database-url",
                &db,
            ])
            .arg("--data-dir")
            .arg(dir.path())
            .env("PORTICO_LOG_FORMAT", "json")
            .env("PORTICO_LOG", "info")
            .env("PORTICO_ADMIN_PASSWORD", PASSWORD)
            .env("PORTICO_MAIL_WORKER", "false")
            .env_remove("PORTICO_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run portico");
        let mut stderr = child.stderr.take().expect("stderr");
        let stderr = std::thread::spawn(move || {
            let mut all = String::new();
            stderr.read_to_string(&mut all).expect("read stderr");
            all
        });
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let base = stdout
            .lines()
            .map(|l| l.expect("stdout line"))
            .find_map(|l| {
                l.strip_prefix("Portico listens on ")
                    .map(|a| a.trim().to_string())
            })
            .expect("the address it listens on");
        Server {
            child,
            base,
            stderr,
            _dir: dir,
            db,
        }
    }

    /// Stops the server; answers its log, one JSON object a line.
    fn stop(mut self) -> Vec<Value> {
        self.child.kill().expect("stop portico");
        self.child.wait().expect("wait for portico");
        let text = self.stderr.join().expect("stderr reader");
        text.lines()
            .map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}"))
            })
            .collect()
    }
}

/// The request id of the spans a line was logged in, if any.
fn request_id_of(line: &Value) -> Option<&str> {
    line["spans"]
        .as_array()?
        .iter()
        .find(|s| s["name"] == "request")?["request_id"]
        .as_str()
}

fn lines_of<'a>(log: &'a [Value], id: &str) -> Vec<&'a Value> {
    log.iter()
        .filter(|l| request_id_of(l) == Some(id))
        .collect()
}

fn id_of(res: &reqwest::Response) -> String {
    res.headers()
        .get("x-request-id")
        .expect("an x-request-id")
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn every_request_has_an_id_that_its_answer_and_its_log_lines_carry() {
    let server = Server::start();
    let client = reqwest::Client::new();
    let health = format!("{}/healthz", server.base);

    // The caller's id is kept.
    let res = client
        .get(&health)
        .header("x-request-id", "obs-given-1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(id_of(&res), "obs-given-1");

    // Without one, or with one that is not sane, a new one is made, different each time.
    let made = id_of(&client.get(&health).send().await.unwrap());
    let replaced = id_of(
        &client
            .get(&health)
            .header("x-request-id", "not a sane id \"quoted\"")
            .send()
            .await
            .unwrap(),
    );
    for id in [&made, &replaced] {
        assert_eq!(id.len(), 36, "a UUID: {id}");
        assert!(
            id.chars().all(|c| c.is_ascii_hexdigit() || c == '-'),
            "{id}"
        );
    }
    assert_ne!(made, replaced);

    // A failure on our side: a table the service reads is gone.
    let login: Value = client
        .post(format!("{}/api/v1/auth", server.base))
        .json(&serde_json::json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["sessionId"].as_str().expect("sessionId").to_string();
    let store = portico_store::Store::connect(&server.db).await.unwrap();
    store.execute_raw("DROP TABLE notifications").await.unwrap();
    store.close().await;
    let res = client
        .get(format!("{}/api/v1/notifications", server.base))
        .bearer_auth(&token)
        .header("x-request-id", "obs-failing-1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 500);
    assert_eq!(id_of(&res), "obs-failing-1");
    let body = res.text().await.unwrap();
    assert!(body.contains("INTERNAL_ERROR"), "{body}");
    assert!(
        !body.contains("notifications"),
        "the cause is not shown: {body}"
    );

    let log = server.stop();

    // Each request's lines carry its id; the last says how it ended.
    for (id, status) in [
        ("obs-given-1", 200),
        (made.as_str(), 200),
        (replaced.as_str(), 200),
        ("obs-failing-1", 500),
    ] {
        let lines = lines_of(&log, id);
        let end = lines
            .iter()
            .find(|l| l["fields"]["message"] == "finished processing request")
            .unwrap_or_else(|| panic!("no line ends request {id}: {lines:?}"));
        assert_eq!(end["fields"]["status"], status, "{end}");
    }
    assert!(lines_of(&log, "not a sane id \"quoted\"").is_empty());

    // The failure: logged once, at ERROR, with the database's own words in its causes.
    let errors: Vec<_> = lines_of(&log, "obs-failing-1")
        .into_iter()
        .filter(|l| l["level"] == "ERROR")
        .collect();
    assert_eq!(errors.len(), 1, "logged once: {errors:?}");
    let cause = errors[0]["fields"]["error"].as_str().expect("its error");
    assert!(
        cause.starts_with("internal error: the database failed: ")
            && cause.contains("no such table: notifications"),
        "{cause}"
    );
    assert!(
        log.iter().filter(|l| l["level"] == "ERROR").count() == 1,
        "nothing else failed: {log:?}"
    );
}

#[test]
fn an_unknown_log_format_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(["check-config"])
        .env("PORTICO_LOG_FORMAT", "xml")
        .env_remove("PORTICO_CONFIG")
        .output()
        .expect("run portico");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("PORTICO_LOG_FORMAT must be text or json"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A span opened while the server ran: its name, fields, and the request id of the request
/// span it is inside (its own, for the request span).
#[derive(Debug, Clone)]
struct Seen {
    name: &'static str,
    fields: BTreeMap<String, String>,
    request_id: Option<String>,
}

#[derive(Default, Clone)]
struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().into(), format!("{value:?}"));
    }
}

/// Records every span of Portico's crates (the server runs in this process).
struct Capture;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        let span = ctx.span(id).expect("the new span");
        let request_id = fields.0.get("request_id").cloned().or_else(|| {
            span.scope().skip(1).find_map(|s| {
                s.extensions()
                    .get::<Fields>()
                    .and_then(|f| f.0.get("request_id").cloned())
            })
        });
        spans().lock().unwrap().push(Seen {
            name: attrs.metadata().name(),
            fields: fields.0.clone(),
            request_id,
        });
        span.extensions_mut().insert(fields);
    }
}

fn spans() -> &'static Mutex<Vec<Seen>> {
    static SPANS: OnceLock<Mutex<Vec<Seen>>> = OnceLock::new();
    SPANS.get_or_init(|| {
        let filter = tracing_subscriber::filter::Targets::new()
            .with_target("portico_service", tracing::Level::DEBUG)
            .with_target("portico_http", tracing::Level::DEBUG);
        tracing::subscriber::set_global_default(
            tracing_subscriber::registry().with(Capture.with_filter(filter)),
        )
        .expect("the only subscriber of this test process");
        Mutex::new(Vec::new())
    })
}

fn seen(request_id: &str, name: &str) -> Vec<Seen> {
    spans()
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.request_id.as_deref() == Some(request_id) && s.name == name)
        .cloned()
        .collect()
}

async fn use_cases_run_in_spans_with_their_key_fields_inside_the_request(app: TestApp) {
    spans();
    let backend = format!("{:?}", app.backend);
    let org = app.org(&format!("Spans {backend}")).await;
    let person = app.person(&org, "Spa", "Nner").await;
    let scar = app.record("car__v", "SCAR-SPANS", &org, &[&person]).await;

    let action = "change_state_to_pending_response__c";
    let id = format!("obs-action-{backend}");
    let res = app
        .client
        .post(format!(
            "{}/api/v1/vobjects/car__v/{scar}/actions/{action}",
            app.base
        ))
        .bearer_auth(&app.admin)
        .header("x-request-id", &id)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(id_of(&res), id);
    let run = seen(&id, "run_action");
    assert_eq!(run.len(), 1, "{run:?}");
    let f = &run[0].fields;
    assert_eq!(f["object"], "car__v");
    assert_eq!(f["id"], scar);
    assert_eq!(f["action"], action);
    assert_eq!(f["dry_run"], "false");
    assert!(f["caller"].starts_with("usr"), "{f:?}");

    // Signing in: the username is in its span, the password in no span, nor the token.
    let id = format!("obs-login-{backend}");
    let res = app
        .client
        .post(format!("{}/api/v1/auth", app.base))
        .header("x-request-id", &id)
        .json(&json!({"username": "admin", "password": support::ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let token = res.json::<Value>().await.unwrap()["sessionId"]
        .as_str()
        .unwrap()
        .to_string();
    let login = seen(&id, "login");
    assert_eq!(login.len(), 1, "{login:?}");
    assert_eq!(login[0].fields["username"], "admin");
    app.get(&token, "/api/v1/users").await;
    for s in spans().lock().unwrap().iter() {
        for value in s.fields.values() {
            assert!(
                !value.contains(support::ADMIN_PASSWORD)
                    && !value.contains(&token)
                    && !value.contains(&app.admin),
                "a secret in span {}: {:?}",
                s.name,
                s.fields
            );
        }
    }
}
both_backends!(
    use_case_spans,
    use_cases_run_in_spans_with_their_key_fields_inside_the_request
);

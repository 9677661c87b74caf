//! `portico qualify --out DIR` (SPEC section 11, "Qualification evidence"): installation checks
//! of the configuration it is given (the same settings as `portico serve`), then operational
//! scenarios run through the HTTP API of a real server on a scratch database, each step with
//! what was expected, what happened, when and how long it took, and whether it passed. The
//! report is `DIR/report.json` and `DIR/index.html`; the command exits 0 only when every step
//! passed.
//!
//! A scenario is a list of steps, each a function of the running scenario's state: a step is
//! added by writing one more `step(...)` call.
//!
//! The scenarios sign as 21 CFR Part 11 asks (SPEC section 11, "respond and sign", "reject and
//! re-sign"): with the configuration under qualification when it requires signatures on the
//! response, on accepting and on rejecting; otherwise with the Part 11 configuration the
//! repository ships (`examples/part11.toml`), and the report says which.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use serde_json::{json, Value};

use crate::settings::Settings;

/// One step of the evidence.
#[derive(Debug, Clone)]
pub struct Step {
    /// `installation` or the scenario's name.
    pub scenario: String,
    /// What was checked.
    pub name: String,
    /// What a qualified installation shows.
    pub expected: String,
    /// What it showed.
    pub actual: String,
    /// When the step began (RFC 3339).
    pub started: String,
    /// How long it took.
    pub millis: u128,
    /// Whether `actual` is what was expected.
    pub pass: bool,
}

/// What the evidence does not cover yet, said in the report rather than left out silently.
const NOT_COVERED: &[&str] = &[];

/// The Part 11 configuration the repository ships: the scenarios sign with it when the
/// configuration under qualification requires no signatures.
const PART11_CONFIG: &str = include_str!("../../../examples/part11.toml");

/// The meanings the scenarios sign with (those of `examples/part11.toml`).
const RESPONDED: &str = "Responded";
const APPROVED: &str = "Approved";
const REJECTED: &str = "Rejected";

/// Whether `config` requires the signatures the scenarios make: the response, accepting and
/// rejecting a SCAR, with the meanings above.
fn signs_as_part11(config: &portico_domain::config::Config) -> bool {
    let Some(scar) = config.target("car__v") else {
        return false;
    };
    let l = &scar.lifecycle;
    let is = |m: Option<&portico_domain::lifecycle::SignatureMeaning>, want: &str| {
        m.is_some_and(|m| m.as_str() == want)
    };
    is(l.signature_for_task("pending_response__c"), RESPONDED)
        && is(
            l.signature_for("in_review__c", "change_state_to_closed__c"),
            APPROVED,
        )
        && is(
            l.signature_for("in_review__c", "change_state_to_pending_response__c"),
            REJECTED,
        )
}

/// The steps taken so far.
struct Evidence {
    steps: Vec<Step>,
}

impl Evidence {
    /// Runs one step: `check` answers what happened and whether it is what was expected.
    async fn step<F>(&mut self, scenario: &str, name: &str, expected: &str, check: F) -> bool
    where
        F: std::future::Future<Output = anyhow::Result<(bool, String)>>,
    {
        let started = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let clock = Instant::now();
        let (pass, actual) = match check.await {
            Ok(outcome) => outcome,
            Err(e) => (false, format!("failed: {e:#}")),
        };
        self.steps.push(Step {
            scenario: scenario.into(),
            name: name.into(),
            expected: expected.into(),
            actual,
            started,
            millis: clock.elapsed().as_millis(),
            pass,
        });
        pass
    }
}

/// Runs the qualification and writes its report into `out`; answers whether every step passed.
pub async fn qualify(settings: &Settings, out: &Path) -> anyhow::Result<bool> {
    let began = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut evidence = Evidence { steps: vec![] };
    let binary = binary_sha256();
    installation(&mut evidence, settings, &binary).await;
    operation(&mut evidence, settings).await;
    let passed = evidence.steps.iter().all(|s| s.pass);
    let report = json!({
        "product": "Portico",
        "version": env!("CARGO_PKG_VERSION"),
        "binary_sha256": binary.as_ref().map(|(_, sha)| sha.clone()).unwrap_or_default(),
        "started": began,
        "finished": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "database": crate::redact(&settings.database_url),
        "passed": passed,
        "steps": evidence.steps.iter().map(|s| json!({
            "scenario": s.scenario,
            "step": s.name,
            "expected": s.expected,
            "actual": s.actual,
            "started": s.started,
            "duration_ms": s.millis,
            "pass": s.pass,
        })).collect::<Vec<_>>(),
        "not_covered": NOT_COVERED,
    });
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    std::fs::write(
        out.join("report.json"),
        serde_json::to_string_pretty(&report)? + "\n",
    )
    .with_context(|| format!("cannot write {}", out.join("report.json").display()))?;
    std::fs::write(out.join("index.html"), html(&report))
        .with_context(|| format!("cannot write {}", out.join("index.html").display()))?;
    Ok(passed)
}

/// The running binary's path and SHA-256.
fn binary_sha256() -> anyhow::Result<(String, String)> {
    use sha2::{Digest, Sha256};
    let path = std::env::current_exe()?;
    let bytes = std::fs::read(&path)?;
    Ok((
        path.display().to_string(),
        hex::encode(Sha256::digest(bytes)),
    ))
}

const INSTALLATION: &str = "installation";

async fn installation(
    e: &mut Evidence,
    settings: &Settings,
    binary: &anyhow::Result<(String, String)>,
) {
    e.step(
        INSTALLATION,
        "version and binary",
        "the version and the SHA-256 of the binary that runs",
        async {
            let (path, sha) = binary.as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok((
                true,
                format!(
                    "Portico {} at {path}, SHA-256 {sha}",
                    env!("CARGO_PKG_VERSION")
                ),
            ))
        },
    )
    .await;
    e.step(
        INSTALLATION,
        "configuration checked",
        "the configuration file (or the built-in one) loads and passes every check",
        async {
            let config = crate::load_config(settings.config.as_deref())?;
            let source = settings
                .config
                .as_ref()
                .map_or("the built-in configuration".to_string(), |p| {
                    p.display().to_string()
                });
            Ok((
                true,
                format!("{source}: {} target object types", config.types.len()),
            ))
        },
    )
    .await;
    let store = portico_store::Store::connect(&settings.database_url).await;
    e.step(INSTALLATION, "database", "the database answers", async {
        let store = store.as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;
        store.ping().await?;
        Ok((
            true,
            format!(
                "{:?} at {} answers",
                store.backend(),
                crate::redact(&settings.database_url)
            ),
        ))
    })
    .await;
    e.step(
        INSTALLATION,
        "migrations applied",
        "every migration of this version is applied to the database",
        async {
            let store = store.as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;
            let pending = store.pending_migrations().await?;
            Ok(if pending.is_empty() {
                (true, "all applied".to_string())
            } else {
                (false, format!("not applied: {}", pending.join(", ")))
            })
        },
    )
    .await;
    e.step(
        INSTALLATION,
        "email delivery",
        "the SMTP server greets (220), or the Maildir folder is writable",
        email_delivery(settings),
    )
    .await;
    e.step(
        INSTALLATION,
        "file storage",
        "a file stored is read back the same, and removed",
        async {
            let blobs = crate::file_storage(settings)?;
            let probe = format!("portico qualify {}", portico_service::random_token());
            let sha = {
                use sha2::{Digest, Sha256};
                hex::encode(Sha256::digest(probe.as_bytes()))
            };
            blobs.put(&sha, probe.clone().into_bytes()).await?;
            let back = blobs.get(&sha).await?;
            blobs.delete(&sha).await?;
            let same = back.as_deref() == Some(probe.as_bytes());
            Ok((
                same,
                format!(
                    "{}: {}",
                    blobs.url(),
                    if same {
                        "read back the same"
                    } else {
                        "read back differently"
                    }
                ),
            ))
        },
    )
    .await;
    e.step(
        INSTALLATION,
        "audit key",
        "the audit checkpoints' key file exists outside the database, readable by its owner only",
        async {
            let path = settings.checkpoints.key_path(&settings.data_dir);
            let key = portico_service::AuditKey::open(&path).map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok((
                true,
                format!("key {} at {} (owner only)", key.key_id(), path.display()),
            ))
        },
    )
    .await;
}

/// The SMTP server's greeting, or a file written to and removed from the Maildir.
async fn email_delivery(settings: &Settings) -> anyhow::Result<(bool, String)> {
    match &settings.smtp_url {
        Some(url) => {
            let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
            let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
            let host = rest.split(['/', '?']).next().unwrap_or(rest);
            let mut stream = tokio::time::timeout(
                std::time::Duration::from_secs(10),
                tokio::net::TcpStream::connect(host),
            )
            .await
            .context("the SMTP server did not answer within 10 s")??;
            let mut greeting = [0u8; 256];
            let n = tokio::time::timeout(
                std::time::Duration::from_secs(10),
                tokio::io::AsyncReadExt::read(&mut stream, &mut greeting),
            )
            .await
            .context("the SMTP server did not greet within 10 s")??;
            let text = String::from_utf8_lossy(&greeting[..n]).trim().to_string();
            Ok((
                text.starts_with("220"),
                format!("{}: {text}", crate::redact(url)),
            ))
        }
        None => {
            let dir = settings.data_dir.join("mail");
            std::fs::create_dir_all(&dir)?;
            let probe = dir.join(format!(".qualify-{}", portico_service::random_token()));
            std::fs::write(&probe, b"probe")?;
            std::fs::remove_file(&probe)?;
            Ok((true, format!("Maildir {} is writable", dir.display())))
        }
    }
}

/// A scratch server: its own SQLite database, data folder, Maildir, files and audit key,
/// with the configuration under qualification; removed afterwards.
struct Scratch {
    running: crate::Running,
    base: String,
    client: reqwest::Client,
    dir: std::path::PathBuf,
    admin_password: String,
    /// Which configuration the scenarios run with.
    config: String,
}

impl Scratch {
    async fn call(
        &self,
        method: reqwest::Method,
        token: Option<&str>,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let value = response.json::<Value>().await.unwrap_or(Value::Null);
        Ok((status, value))
    }

    /// The data of a successful call; an error naming the call otherwise.
    async fn ok(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let (status, value) = self.call(method.clone(), Some(token), path, body).await?;
        anyhow::ensure!(
            (200..300).contains(&status),
            "{method} {path} answered {status}: {value}"
        );
        Ok(value["data"].clone())
    }

    async fn sign_in(&self, username: &str, password: &str) -> anyhow::Result<(u16, String)> {
        let (status, value) = self
            .call(
                reqwest::Method::POST,
                None,
                "/api/v1/auth",
                Some(json!({"username": username, "password": password})),
            )
            .await?;
        Ok((
            status,
            value["sessionId"].as_str().unwrap_or_default().to_string(),
        ))
    }

    /// Delivers the outbox to the scratch Maildir and answers the newest set-password token
    /// sent to `to`.
    async fn link_token(&self, to: &str) -> anyhow::Result<String> {
        while self.running.mailer.run_once().await?.sent > 0 {}
        let mut newest: Option<(std::time::SystemTime, String)> = None;
        for file in std::fs::read_dir(self.running.mailer_dir().join("new"))? {
            let path = file?.path();
            let text = unfold_quoted_printable(&std::fs::read_to_string(&path)?);
            let when = std::fs::metadata(&path)?.modified()?;
            if !text.contains(&format!("To: {to}")) {
                continue;
            }
            if let Some(rest) = text.split("set-password?token=").nth(1) {
                let token: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
                if newest.as_ref().is_none_or(|(w, _)| when >= *w) {
                    newest = Some((when, token));
                }
            }
        }
        newest
            .map(|(_, t)| t)
            .ok_or_else(|| anyhow::anyhow!("no set-password link was delivered to {to}"))
    }
}

/// A quoted-printable body made readable enough to find a link: soft line breaks joined,
/// `=3D` made `=` again.
fn unfold_quoted_printable(text: &str) -> String {
    text.replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=")
}

async fn scratch(settings: &Settings) -> anyhow::Result<Scratch> {
    let dir = std::env::temp_dir().join(format!(
        "portico-qualify-{}-{}",
        std::process::id(),
        &portico_service::random_token()[..8]
    ));
    std::fs::create_dir_all(&dir)?;
    let mut s = Settings::new(
        "127.0.0.1:0",
        &format!("sqlite://{}/scratch.db", dir.display()),
    );
    s.create_database = true;
    s.data_dir = dir.clone();
    let under_qualification = crate::load_config(settings.config.as_deref())?;
    let config = if signs_as_part11(&under_qualification) {
        s.config = settings.config.clone();
        "the configuration under qualification".to_string()
    } else {
        let path = dir.join("part11.toml");
        std::fs::write(&path, PART11_CONFIG)?;
        s.config = Some(path);
        "examples/part11.toml (the configuration under qualification requires no signatures)"
            .to_string()
    };
    let admin_password = format!("Q-{}", portico_service::random_token());
    s.admin_password = Some(admin_password.clone());
    // The steps deliver the email themselves, so that they know when it went.
    s.mail_worker = false;
    s.checkpoints.audit_checkpoints = false;
    let running = crate::start(&s).await?;
    Ok(Scratch {
        base: format!("http://{}", running.addr),
        running,
        client: reqwest::Client::new(),
        dir,
        admin_password,
        config,
    })
}

/// What the scenarios share as they go.
#[derive(Default)]
struct Case {
    admin: String,
    admin_password: String,
    record: String,
    person: String,
    email: String,
    username: String,
    external: String,
    /// The contact's password (it signs its responses with it).
    external_password: String,
}

const OPERATION: &str = "operation";
/// The scenarios of SPEC section 11 that sign.
const RESPOND: &str = "respond and sign";
const RESIGN: &str = "reject and re-sign";

/// Why the reviewer rejects the first response.
const REASON: &str = "Evidence of the corrective action is missing.";

async fn operation(e: &mut Evidence, settings: &Settings) {
    let mut server = None;
    let started = e
        .step(
            OPERATION,
            "scratch server",
            "a server starts on a new, empty SQLite database with a configuration that requires signatures on the response, on accepting and on rejecting",
            async {
                let s = scratch(settings).await?;
                let actual = format!("serving {} on {} with {}", s.base, s.dir.display(), s.config);
                server = Some(s);
                Ok((true, actual))
            },
        )
        .await;
    let Some(s) = server.filter(|_| started) else {
        return;
    };
    let mut case = Case {
        admin_password: s.admin_password.clone(),
        ..Case::default()
    };
    scenarios(e, &s, &mut case).await;
    s.running.stop();
    let _ = std::fs::remove_dir_all(&s.dir);
}

async fn scenarios(e: &mut Evidence, s: &Scratch, case: &mut Case) {
    use reqwest::Method;
    let steps_ok = e
        .step(
            "create and activate",
            "sign in as admin",
            "admin signs in with its password",
            async {
                let (status, token) = s.sign_in("admin", &case.admin_password).await?;
                case.admin = token;
                Ok((status == 200, format!("status {status}")))
            },
        )
        .await;
    if !steps_ok {
        return;
    }
    e.step(
        "create and activate",
        "supplier, contact and SCAR",
        "a supplier, its contact and a SCAR naming the contact are created (201)",
        async {
            let org = s
                .ok(
                    Method::POST,
                    &case.admin,
                    "/api/v1/vobjects/organization__v",
                    Some(json!({"name__v": "Qualification Supplier"})),
                )
                .await?;
            let org = org["id"].as_str().unwrap_or_default().to_string();
            case.email = "q.contact@supplier.example".into();
            let person = s
                .ok(
                    Method::POST,
                    &case.admin,
                    "/api/v1/vobjects/person__v",
                    Some(json!({"first_name__v": "Quinn", "last_name__v": "Contact",
                        "email__v": case.email, "organization__v": org})),
                )
                .await?;
            case.person = person["id"].as_str().unwrap_or_default().to_string();
            let record = s
                .ok(
                    Method::POST,
                    &case.admin,
                    "/api/v1/vobjects/car__v",
                    Some(json!({"name__v": "QUAL-SCAR-1", "supplier__v": org,
                        "external_collaborator__v": [case.person]})),
                )
                .await?;
            case.record = record["id"].as_str().unwrap_or_default().to_string();
            Ok((
                !case.record.is_empty(),
                format!("record {} for contact {}", case.record, case.person),
            ))
        },
    )
    .await;
    e.step(
        "create and activate",
        "send to the supplier",
        "the record is pending_response__c; the contact has an active external user holding one seat, an open response task and a Welcome email",
        async {
            run_action(s, case, "change_state_to_pending_response__c", json!({})).await?;
            let state = record_state(s, case).await?;
            let user = user_of(s, case).await?;
            case.username = user["username__v"].as_str().unwrap_or_default().to_string();
            let seats = s.ok(Method::GET, &case.admin, "/api/v1/licenses", None).await?;
            let tasks = open_tasks(s, case).await?.len();
            let outbox = s
                .ok(
                    Method::GET,
                    &case.admin,
                    &format!("/api/v1/outbox?to={}", case.email),
                    None,
                )
                .await?;
            let welcome = outbox
                .as_array()
                .is_some_and(|a| a.iter().any(|m| m["template"].as_str().is_some_and(|t| t.contains("welcome"))));
            let pass = state == "pending_response__c"
                && user["status__v"] == "active__v"
                && user["license_type__v"] == "external__v"
                && seats["external"]["active"] == 1
                && tasks == 1
                && welcome;
            Ok((
                pass,
                format!(
                    "state {state}; user {} {} {}; seats active {}; open tasks {tasks}; Welcome queued {welcome}",
                    case.username, user["status__v"], user["license_type__v"], seats["external"]["active"]
                ),
            ))
        },
    )
    .await;
    e.step(
        RESPOND,
        "the contact sets a password and signs in",
        "the Welcome email's link sets the password once; the contact signs in",
        async {
            let token = s.link_token(&case.email).await?;
            let password = format!("Qualify-{}", portico_service::random_token());
            let (status, body) = s
                .call(
                    Method::POST,
                    None,
                    "/api/v1/auth/set-password",
                    Some(json!({"token": token, "password": password})),
                )
                .await?;
            anyhow::ensure!(status == 200, "set-password answered {status}: {body}");
            let (status, session) = s.sign_in(&case.username, &password).await?;
            case.external = session;
            case.external_password = password;
            Ok((
                status == 200,
                format!("signed in as {}: status {status}", case.username),
            ))
        },
    )
    .await;
    e.step(
        RESPOND,
        "an unsigned or wrongly signed response is refused",
        "completing the response task without a signature answers 400 SIGNATURE_REQUIRED, with a wrong password 401 INVALID_SIGNATURE (audited); the record stays pending_response__c",
        async {
            let task = open_task_of_contact(s, case).await?;
            let path = format!("/api/v1/tasks/{task}/complete");
            let (unsigned, body) = s
                .call(Method::POST, Some(&case.external), &path, Some(json!({"response": "unsigned"})))
                .await?;
            let unsigned_type = error_type(&body);
            let (wrong, body) = s
                .call(
                    Method::POST,
                    Some(&case.external),
                    &path,
                    Some(json!({"response": "wrongly signed",
                        "signature": {"password": "not the password", "meaning": RESPONDED}})),
                )
                .await?;
            let wrong_type = error_type(&body);
            let state = record_state(s, case).await?;
            let failed = s
                .ok(Method::GET, &case.admin, "/api/v1/audit?action=signature.failed", None)
                .await?
                .as_array()
                .map_or(0, Vec::len);
            Ok((
                unsigned == 400
                    && unsigned_type == "SIGNATURE_REQUIRED"
                    && wrong == 401
                    && wrong_type == "INVALID_SIGNATURE"
                    && state == "pending_response__c"
                    && failed >= 1,
                format!(
                    "without: {unsigned} {unsigned_type}; wrong password: {wrong} {wrong_type}; state {state}; failed signatures audited {failed}"
                ),
            ))
        },
    )
    .await;
    e.step(
        RESPOND,
        "the contact signs its response",
        "the contact completes its response task signing 'Responded' with its password; the record moves to in_review__c and shows the signature: printed name — meaning — date and time, bound to the record as signed",
        async {
            let actual = respond(s, case, "Root cause found; corrective action planned.").await?;
            let state = record_state(s, case).await?;
            let (ok, said) = signed(s, case, 1, RESPONDED, "Quinn Contact").await?;
            Ok((state == "in_review__c" && ok, format!("{actual}; state {state}; {said}")))
        },
    )
    .await;
    e.step(
        RESIGN,
        "the reviewer rejects, signing",
        "rejecting without a signature answers 400 SIGNATURE_REQUIRED; signed 'Rejected' with the reviewer's password, the record goes back to pending_response__c with a new open task carrying the reason",
        async {
            let path = format!(
                "/api/v1/vobjects/car__v/{}/actions/change_state_to_pending_response__c",
                case.record
            );
            let (unsigned, body) = s
                .call(Method::POST, Some(&case.admin), &path, Some(json!({"reason": REASON})))
                .await?;
            let unsigned_type = error_type(&body);
            run_action(
                s,
                case,
                "change_state_to_pending_response__c",
                json!({"reason": REASON, "signature": {"password": case.admin_password, "meaning": REJECTED}}),
            )
            .await?;
            let state = record_state(s, case).await?;
            let tasks = open_tasks(s, case).await?;
            let carried = tasks.iter().any(|t| {
                t["instructions__v"]
                    .as_str()
                    .is_some_and(|i| i.contains(REASON))
            });
            let (ok, said) = signed(s, case, 2, REJECTED, "").await?;
            Ok((
                unsigned == 400
                    && unsigned_type == "SIGNATURE_REQUIRED"
                    && state == "pending_response__c"
                    && tasks.len() == 1
                    && carried
                    && ok,
                format!(
                    "without: {unsigned} {unsigned_type}; state {state}; open tasks {}; the reason is in the task: {carried}; {said}",
                    tasks.len()
                ),
            ))
        },
    )
    .await;
    e.step(
        RESIGN,
        "the contact responds again and signs",
        "the contact completes the new task signing 'Responded' again; the record is in_review__c and has a second response signature",
        async {
            let actual = respond(s, case, "Evidence attached: training records.").await?;
            let state = record_state(s, case).await?;
            let (ok, said) = signed(s, case, 3, RESPONDED, "Quinn Contact").await?;
            Ok((state == "in_review__c" && ok, format!("{actual}; state {state}; {said}")))
        },
    )
    .await;
    e.step(
        "inactivate and free the seat",
        "the reviewer accepts, signing",
        "signed 'Approved' with the reviewer's password, the record is closed__c; the contact's user is inactive and its seat is free",
        async {
            run_action(
                s,
                case,
                "change_state_to_closed__c",
                json!({"signature": {"password": case.admin_password, "meaning": APPROVED}}),
            )
            .await?;
            let state = record_state(s, case).await?;
            let user = user_of(s, case).await?;
            let seats = s
                .ok(Method::GET, &case.admin, "/api/v1/licenses", None)
                .await?;
            let (ok, said) = signed(s, case, 4, APPROVED, "").await?;
            Ok((
                state == "closed__c"
                    && user["status__v"] == "inactive__v"
                    && seats["external"]["active"] == 0
                    && ok,
                format!(
                    "state {state}; user {}; seats active {}; {said}",
                    user["status__v"], seats["external"]["active"]
                ),
            ))
        },
    )
    .await;
    e.step(
        "inactivate and free the seat",
        "the inactive contact is signed out",
        "the contact's session no longer works (401)",
        async {
            let (status, _) = s
                .call(Method::GET, Some(&case.external), "/api/v1/tasks", None)
                .await?;
            Ok((status == 401, format!("status {status}")))
        },
    )
    .await;
    e.step(
        "audit verify",
        "who and why",
        "the activation and the inactivation are in the audit trail with their cause",
        async {
            let mut found = vec![];
            for action in ["user.activated", "user.inactivated"] {
                let entries = s
                    .ok(
                        Method::GET,
                        &case.admin,
                        &format!("/api/v1/audit?action={action}&person__v={}", case.person),
                        None,
                    )
                    .await?;
                let with_cause = entries
                    .as_array()
                    .map_or(0, |a| a.iter().filter(|x| !x["cause"].is_null()).count());
                found.push(format!("{action}: {with_cause} with a cause"));
            }
            let pass = found.iter().all(|f| !f.contains(": 0 "));
            Ok((pass, found.join("; ")))
        },
    )
    .await;
    e.step(
        "audit verify",
        "the signatures are in the trail",
        "each of the four signatures is an audit entry of the record whose cause is its manifestation",
        async {
            let entries = s
                .ok(
                    Method::GET,
                    &case.admin,
                    &format!("/api/v1/audit?action=signature.signed&record__v={}", case.record),
                    None,
                )
                .await?;
            let causes: Vec<String> = entries
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x["cause"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            let meanings = [RESPONDED, REJECTED, APPROVED];
            let pass = causes.len() == 4
                && meanings
                    .iter()
                    .all(|m| causes.iter().any(|c| c.contains(&format!(" — {m} — "))));
            Ok((pass, format!("{} signature entries: {}", causes.len(), causes.join("; "))))
        },
    )
    .await;
    e.step(
        "audit verify",
        "the chain is intact",
        "the audit trail verifies: every entry links to the one before",
        async {
            let report = s
                .ok(Method::GET, &case.admin, "/api/v1/audit/verify", None)
                .await?;
            Ok((
                report["intact"] == true,
                format!("intact {}; {} entries", report["intact"], report["entries"]),
            ))
        },
    )
    .await;
    e.step(
        "audit verify",
        "a signed checkpoint holds",
        "a checkpoint is signed with the audit key and the chain verifies against it",
        async {
            let app = &s.running.app;
            let checkpoint = app.make_checkpoint().await?;
            let key = app
                .settings()
                .checkpoints
                .key
                .as_ref()
                .map(|k| k.public_key())
                .ok_or_else(|| anyhow::anyhow!("no audit key"))?;
            let check = app.verify_audit_against(&checkpoint, &key).await?;
            Ok((
                check.report.intact,
                format!(
                    "checkpoint {} by key {}: intact {}",
                    checkpoint.seq, checkpoint.key_id, check.report.intact
                ),
            ))
        },
    )
    .await;
}

/// The reviewer (admin) runs a lifecycle action on the record.
async fn run_action(s: &Scratch, case: &Case, action: &str, body: Value) -> anyhow::Result<()> {
    let path = format!("/api/v1/vobjects/car__v/{}/actions/{action}", case.record);
    s.ok(reqwest::Method::POST, &case.admin, &path, Some(body))
        .await?;
    Ok(())
}

async fn record_state(s: &Scratch, case: &Case) -> anyhow::Result<String> {
    let record = s
        .ok(
            reqwest::Method::GET,
            &case.admin,
            &format!("/api/v1/vobjects/car__v/{}", case.record),
            None,
        )
        .await?;
    Ok(record["state__v"].as_str().unwrap_or_default().to_string())
}

async fn user_of(s: &Scratch, case: &Case) -> anyhow::Result<Value> {
    let users = s
        .ok(
            reqwest::Method::GET,
            &case.admin,
            &format!("/api/v1/users?person__v={}", case.person),
            None,
        )
        .await?;
    users
        .as_array()
        .and_then(|a| a.first().cloned())
        .ok_or_else(|| anyhow::anyhow!("the contact has no user"))
}

async fn open_tasks(s: &Scratch, case: &Case) -> anyhow::Result<Vec<Value>> {
    let tasks = s
        .ok(
            reqwest::Method::GET,
            &case.admin,
            &format!("/api/v1/tasks?record__v={}&status__v=open__v", case.record),
            None,
        )
        .await?;
    Ok(tasks.as_array().cloned().unwrap_or_default())
}

/// The contact completes its open task on the record.
async fn respond(s: &Scratch, case: &Case, text: &str) -> anyhow::Result<String> {
    let task = open_task_of_contact(s, case).await?;
    s.ok(
        reqwest::Method::POST,
        &case.external,
        &format!("/api/v1/tasks/{task}/complete"),
        Some(json!({"response": text,
            "signature": {"password": case.external_password, "meaning": RESPONDED}})),
    )
    .await?;
    Ok(format!("task {task} completed, signed"))
}

/// The contact's open task on the record.
async fn open_task_of_contact(s: &Scratch, case: &Case) -> anyhow::Result<String> {
    let tasks = s
        .ok(
            reqwest::Method::GET,
            &case.external,
            &format!("/api/v1/tasks?record__v={}&status__v=open__v", case.record),
            None,
        )
        .await?;
    Ok(tasks
        .as_array()
        .and_then(|a| a.first())
        .and_then(|t| t["id"].as_str())
        .ok_or_else(|| anyhow::anyhow!("the contact sees no open task"))?
        .to_string())
}

/// The first error type of a refusal's envelope.
fn error_type(body: &Value) -> String {
    body["errors"][0]["type"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Whether the record has `count` signatures, the newest with `meaning` by `printed` (any
/// name when empty), still bound to the record as it is, with its manifestation.
async fn signed(
    s: &Scratch,
    case: &Case,
    count: usize,
    meaning: &str,
    printed: &str,
) -> anyhow::Result<(bool, String)> {
    let list = s
        .ok(
            reqwest::Method::GET,
            &case.admin,
            &format!("/api/v1/vobjects/car__v/{}/signatures", case.record),
            None,
        )
        .await?;
    let list = list.as_array().cloned().unwrap_or_default();
    let Some(newest) = list.last() else {
        return Ok((false, "no signature".into()));
    };
    let manifestation = newest["manifestation"].as_str().unwrap_or_default();
    let pass = list.len() == count
        && newest["meaning"] == meaning
        && (printed.is_empty() || newest["printed_name"] == printed)
        && newest["record_hash"]
            .as_str()
            .is_some_and(|h| h.len() == 64)
        && newest["current"] == true
        && manifestation.contains(&format!(" — {meaning} — "));
    Ok((
        pass,
        format!(
            "{} signature(s); the newest reads \"{manifestation}\", record hash {}",
            list.len(),
            newest["record_hash"].as_str().unwrap_or_default()
        ),
    ))
}

/// The report as a page a person can read and file.
fn html(report: &Value) -> String {
    let esc = |v: &Value| {
        let text = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut rows = String::new();
    for s in report["steps"].as_array().into_iter().flatten() {
        let pass = s["pass"] == true;
        rows.push_str(&format!(
            "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} ms</td><td>{}</td></tr>\n",
            if pass { "pass" } else { "fail" },
            esc(&s["scenario"]),
            esc(&s["step"]),
            esc(&s["expected"]),
            esc(&s["actual"]),
            esc(&s["started"]),
            esc(&s["duration_ms"]),
            if pass { "PASS" } else { "FAIL" }
        ));
    }
    let gaps: String = report["not_covered"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| format!("<li>{}</li>", esc(g)))
        .collect();
    let gaps = if gaps.is_empty() {
        "<li>Nothing: every installation check and scenario SPEC section 11 names is run.</li>"
            .to_string()
    } else {
        gaps
    };
    let verdict = if report["passed"] == true {
        "PASSED: every step passed"
    } else {
        "FAILED: at least one step failed"
    };
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Portico qualification evidence</title>\n\
         <style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:4px 8px;vertical-align:top;text-align:left}}\
         tr.pass td:last-child{{color:#060}}tr.fail td{{background:#fdd}}</style></head><body>\n\
         <h1>Portico qualification evidence</h1>\n<p><strong>{verdict}</strong></p>\n\
         <p>Portico {version}; binary SHA-256 {sha}<br>database {db}<br>started {started}, finished {finished}</p>\n\
         <table><tr><th>scenario</th><th>step</th><th>expected</th><th>actual</th><th>time</th><th>took</th><th>result</th></tr>\n{rows}</table>\n\
         <h2>Not covered by this build</h2><ul>{gaps}</ul>\n<p>The same evidence as data: <a href=\"report.json\">report.json</a>.</p>\n</body></html>\n",
        version = esc(&report["version"]),
        sha = esc(&report["binary_sha256"]),
        db = esc(&report["database"]),
        started = esc(&report["started"]),
        finished = esc(&report["finished"]),
    )
}

//! The `portico` binary's wiring: settings, start-up (migrations, bootstrap, configuration),
//! the HTTP server, and the demo company. Tests start the same server with [`start`].

pub mod demo;
pub mod qualify;
pub mod settings;

use std::net::SocketAddr;

use anyhow::Context;
use portico_domain::config::Config;
use portico_mail::{MadeSecrets, Mailbox, SecretMaker, Transport, Worker, WorkerSettings};
use portico_service::{Portico, ServiceSettings};
use portico_store::Store;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use settings::Settings;

/// Sends log lines to standard error, filtered by `PORTICO_LOG` (default `info,sqlx=warn`),
/// as text or, with `PORTICO_LOG_FORMAT=json`, one JSON object a line (each with the spans it
/// was logged in: a request's id among them). Standard output stays for what a command prints.
pub fn init_logging() -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PORTICO_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match std::env::var("PORTICO_LOG_FORMAT").as_deref() {
        Err(std::env::VarError::NotPresent) | Ok("" | "text") => logs.init(),
        Ok("json") => logs.json().init(),
        _ => anyhow::bail!("PORTICO_LOG_FORMAT must be text or json"),
    }
    Ok(())
}

/// Reads the configuration: the file named by `PORTICO_CONFIG`, else the built-in default.
/// A bad file is refused with its line and the problem.
pub fn load_config(path: Option<&std::path::Path>) -> anyhow::Result<Config> {
    match path {
        None => {
            Config::default_config().map_err(|e| anyhow::anyhow!("built-in configuration: {e}"))
        }
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read the configuration file {}", p.display()))?;
            Config::parse(&text)
                .map_err(|e| anyhow::anyhow!("configuration file {}: {e}", p.display()))
        }
    }
}

/// Connects to the database and runs the migrations. A missing SQLite file is created only when
/// `create` is set or it is a default one ([`settings::DEFAULT_DATABASE_URL`],
/// [`settings::DEMO_DATABASE_URL`]): a mistyped path must not silently become an empty database
/// with a new admin.
pub async fn open_store(database_url: &str, create: bool) -> anyhow::Result<Store> {
    open(database_url, create || is_default_database(database_url)).await
}

/// Like [`open_store`], never creating a database (for commands that only read one).
pub async fn open_existing_store(database_url: &str) -> anyhow::Result<Store> {
    open(database_url, false).await
}

async fn open(database_url: &str, create: bool) -> anyhow::Result<Store> {
    let opened = if create {
        Store::create_or_connect(database_url).await
    } else {
        Store::connect(database_url).await
    };
    let store = match opened {
        Err(portico_store::StoreError::Missing(path)) => anyhow::bail!(
            "the SQLite database {path} does not exist. Check the path; to create a new, empty database there, add --create (or set PORTICO_CREATE_DATABASE=true)"
        ),
        other => other
            .with_context(|| format!("cannot open the database {}", redact(database_url)))?,
    };
    store
        .migrate()
        .await
        .context("cannot migrate the database")?;
    Ok(store)
}

/// Whether `url` names the file of a default database (however the URL spells it).
fn is_default_database(url: &str) -> bool {
    let file = portico_store::sqlite_file(url);
    [settings::DEFAULT_DATABASE_URL, settings::DEMO_DATABASE_URL]
        .iter()
        .any(|d| file.is_some() && portico_store::sqlite_file(d) == file)
}

/// The URL without a password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}***{}", &url[..s + 3], &url[at..]),
        _ => url.to_string(),
    }
}

/// A running server.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The application, for tests that need to look behind the API.
    pub app: Portico,
    /// The admin password generated at first start, if one was.
    pub generated_admin_password: Option<String>,
    /// Ends when the server has stopped: its requests in flight answered, its email worker's
    /// email in flight sent and its other claims given back.
    pub handle: JoinHandle<()>,
    /// The email worker (also running in the background unless `mail_worker` is off).
    pub mailer: Worker,
    mail_dir: std::path::PathBuf,
    stop: tokio::sync::watch::Sender<bool>,
}

impl Running {
    /// Stops it as SIGTERM or Ctrl-C does.
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }

    /// Where emails go when no SMTP server is set.
    pub fn mailer_dir(&self) -> std::path::PathBuf {
        self.mail_dir.clone()
    }
}

/// The email worker the settings describe, making the secrets of emails through `app`.
pub fn mail_worker(settings: &Settings, app: &Portico) -> anyhow::Result<Worker> {
    let from: Mailbox = settings.mail_from.parse().with_context(|| {
        format!(
            "PORTICO_MAIL_FROM '{}' is not an email address",
            settings.mail_from
        )
    })?;
    // Unique per worker, not per process: claims are told apart by it, and two servers can
    // share a host name and a process id (containers all start as pid 1).
    let worker_id = format!(
        "{}-{}-{}",
        hostname(),
        std::process::id(),
        &portico_service::random_token()[..8]
    );
    let mut worker = WorkerSettings::new(worker_id, from);
    worker.max_attempts = settings.mail_max_attempts.max(1);
    worker.first_retry = std::time::Duration::from_millis(settings.mail_retry_ms);
    let transport = Transport::new(
        settings.smtp_url.as_deref(),
        settings.data_dir.join("mail"),
        (worker.lease / 4).min(std::time::Duration::from_secs(30)),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Worker::new(app.store().clone(), transport, worker)
        .with_secrets(std::sync::Arc::new(ServiceSecrets(app.clone()))))
}

/// The email worker's secrets, made by the service (it owns passwords and links).
struct ServiceSecrets(Portico);

impl SecretMaker for ServiceSecrets {
    fn make<'a>(
        &'a self,
        email: &'a portico_store::OutboxRow,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<MadeSecrets, String>> + Send + 'a>>
    {
        Box::pin(async move {
            let user = email.email.user_id.as_deref().ok_or_else(|| {
                format!(
                    "email {} carries a secret but names no user",
                    email.email.id
                )
            })?;
            self.0
                .make_email_secrets(
                    &email.email.id,
                    &portico_domain::UserId::new(user),
                    &email.email.secrets,
                )
                .await
                .map_err(|e| e.with_causes())
        })
    }
}

/// Staff single sign-on, when `PORTICO_OIDC_ISSUER` is set (then the client id and secret
/// must be too).
fn single_sign_on(
    settings: &Settings,
    public_url: &str,
) -> anyhow::Result<Option<std::sync::Arc<portico_http::sso::Sso>>> {
    let Some(issuer) = &settings.oidc_issuer else {
        return Ok(None);
    };
    let (Some(client_id), Some(client_secret)) =
        (&settings.oidc_client_id, &settings.oidc_client_secret)
    else {
        anyhow::bail!(
            "PORTICO_OIDC_ISSUER is set: PORTICO_OIDC_CLIENT_ID and PORTICO_OIDC_CLIENT_SECRET must be too"
        );
    };
    let sso = portico_http::sso::Sso::new(portico_http::sso::SsoSettings {
        issuer: issuer.clone(),
        client_id: client_id.clone(),
        client_secret: client_secret.clone(),
        name: settings.oidc_name.clone(),
        create_users: settings.oidc_create_users,
        public_url: public_url.to_string(),
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Some(sso))
}

/// Where uploaded files are kept: `PORTICO_STORAGE_URL`, else `files/` under the data folder.
pub fn file_storage(settings: &Settings) -> anyhow::Result<portico_store::Blobs> {
    let blobs = match &settings.storage_url {
        Some(url) => portico_store::Blobs::open(url),
        None => portico_store::Blobs::folder(&settings.data_dir.join("files")),
    };
    blobs.map_err(|e| anyhow::anyhow!("{e}"))
}

/// Seals the audit trail's new entries into its chain, a few times a second, until the server
/// stops (then once more, so that what it wrote last is sealed too). Every server runs one;
/// the head row lets one seal at a time.
async fn seal_audit_until(app: Portico, mut stopped: tokio::sync::watch::Receiver<bool>) {
    loop {
        if let Err(e) = app.seal_audit().await {
            tracing::error!(error = %e.with_causes(), "the audit sealer failed; it tries again");
        }
        if *stopped.borrow() {
            break;
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_millis(250)) => {}
            changed = stopped.changed() => if changed.is_err() { break },
        }
    }
}

/// The checkpoints' settings: the key (created when missing), the schedule, where copies go.
pub fn checkpoint_settings(
    args: &settings::CheckpointArgs,
    data_dir: &std::path::Path,
) -> anyhow::Result<portico_service::CheckpointSettings> {
    let key = portico_service::AuditKey::open_or_create(&args.key_path(data_dir))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if args.audit_checkpoint_minutes < 1 {
        anyhow::bail!("PORTICO_AUDIT_CHECKPOINT_MINUTES must be at least 1");
    }
    Ok(portico_service::CheckpointSettings {
        key: Some(std::sync::Arc::new(key)),
        every_minutes: args.audit_checkpoint_minutes,
        email: args.audit_checkpoint_email.clone(),
        dir: args.audit_checkpoint_dir.clone(),
    })
}

/// How one server takes part in the scheduled work.
struct Schedule {
    /// Its claims are told apart by this (unique per process, as the email worker's).
    worker: String,
    /// `PORTICO_SCHEDULER_SECONDS`.
    every: std::time::Duration,
    /// How long a claim holds if this server dies holding it.
    lease: std::time::Duration,
    /// Whether it runs guest governance's work (`PORTICO_SCHEDULER`).
    governance: bool,
    /// How often it looks for a due audit checkpoint (none: checkpoints are off here).
    checkpoints: Option<std::time::Duration>,
}

/// Asks for the scheduled work every few seconds until the server stops; the database decides
/// which server runs it when it is due (`Portico::run_scheduled`). The audit checkpoints ride
/// on the same loop: every `checkpoints` it asks for the scheduled one, which the database
/// gives to one server of all (`Portico::scheduled_checkpoint`). A stopping server gives its
/// claim back.
async fn schedule_until(
    app: Portico,
    schedule: Schedule,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    let every_ms = i64::try_from(schedule.every.as_millis()).unwrap_or(i64::MAX);
    let lease_ms = i64::try_from(schedule.lease.as_millis()).unwrap_or(i64::MAX);
    // Asked more often than it is due, so that a server picks up soon after another died.
    let poll = (schedule.every / 4).clamp(
        std::time::Duration::from_millis(200),
        std::time::Duration::from_secs(15),
    );
    let poll = schedule.checkpoints.map_or(poll, |c| poll.min(c));
    let mut next_checkpoint_look = tokio::time::Instant::now();
    loop {
        if *stopped.borrow() {
            break;
        }
        if schedule.governance {
            match app
                .run_scheduled(&schedule.worker, every_ms, lease_ms)
                .await
            {
                Ok(Some(report)) => tracing::info!(
                    ended = report.ended.len(),
                    reminded = report.reminded.len(),
                    failed = report.failed.len(),
                    reviews_defaulted = report.reviews.defaulted.len(),
                    inactivated = report.inactivated.len(),
                    "scheduled work ran"
                ),
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(error = %e.with_causes(), "scheduled work failed; it tries again")
                }
            }
        }
        if let Some(pause) = schedule.checkpoints {
            if tokio::time::Instant::now() >= next_checkpoint_look {
                next_checkpoint_look = tokio::time::Instant::now() + pause;
                if let Err(e) = app.scheduled_checkpoint().await {
                    tracing::error!(error = %e.with_causes(), "the scheduled audit checkpoint failed; it is tried again");
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            changed = stopped.changed() => if changed.is_err() { break },
        }
    }
    if schedule.governance {
        if let Err(e) = app.release_scheduled(&schedule.worker).await {
            tracing::warn!(error = %e.with_causes(), "could not give back the scheduler's claim");
        }
    }
}

/// Ctrl-C, or SIGTERM (what a service manager or a container runtime sends).
async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "SIGTERM cannot be caught; Ctrl-C still stops");
                ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}

fn hostname() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "portico".into())
}

/// The review reminder's text: the default, with what `PORTICO_REVIEW_REMINDER_SUBJECT` and
/// `PORTICO_REVIEW_REMINDER_BODY` replace, checked before the server starts.
fn review_reminder(args: &settings::ReviewArgs) -> anyhow::Result<(String, String)> {
    let (subject, body) = portico_service::default_review_reminder();
    let t = (
        args.review_reminder_subject.clone().unwrap_or(subject),
        args.review_reminder_body.clone().unwrap_or(body),
    );
    portico_service::reminder_template(&t)
        .map_err(|e| anyhow::anyhow!("the review reminder template: {e}"))?;
    Ok(t)
}

/// Opens the database, bootstraps, and serves the API on `settings.listen` (port 0 picks one).
pub async fn start(settings: &Settings) -> anyhow::Result<Running> {
    start_with(settings, load_config(settings.config.as_deref())?).await
}

/// [`start`] with a configuration already read (the demo's own).
pub async fn start_with(settings: &Settings, config: Config) -> anyhow::Result<Running> {
    let store = open_store(&settings.database_url, settings.create_database).await?;
    let listener = TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let addr = listener.local_addr()?;
    // With port 0 the links in emails must name the port actually taken.
    let public_url = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let service_settings = ServiceSettings {
        public_url,
        password_link_ms: settings.password_link_hours.max(1) * 3_600_000,
        session_idle_ms: settings.session_idle_seconds.max(1) * 1000,
        session_absolute_ms: settings.session_max_seconds.max(1) * 1000,
        login_failures_per_user: settings.login_failures_per_user.max(1),
        login_failures_per_address: settings.login_failures_per_address.max(1),
        trust_proxy: settings.trust_proxy,
        trusted_proxy_hops: settings.trusted_proxy_hops.max(1),
        files: file_storage(settings)?,
        checkpoints: checkpoint_settings(&settings.checkpoints, &settings.data_dir)?,
        end_reminder_days: settings.end_date_reminder_days,
        review_reminder_days: settings.reviews.review_reminder_days,
        review_reminder_template: review_reminder(&settings.reviews)?,
        stale_after_days: settings.reviews.stale_after_days,
        stale_inactivate: settings.reviews.stale_inactivate,
        ..ServiceSettings::default()
    };
    let app = Portico::new(store, config, service_settings);
    let mailer = mail_worker(settings, &app)?;
    let generated_admin_password = app
        .bootstrap(settings.admin_password.as_deref())
        .await
        .map_err(|e| anyhow::anyhow!("bootstrap: {e}"))?;
    let mut router = portico_http::router(app.clone());
    if let Some(sso) = single_sign_on(settings, &app.settings().public_url)? {
        router = portico_http::sso::with_sso(router, app.clone(), sso);
    }
    let router = portico_http::ops::with_operations(router, app.clone());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn({
        let stop = stop.clone();
        async move {
            stop_signal().await;
            tracing::info!(
                "stopping: no new connections; finishing requests and the email in flight"
            );
            let _ = stop.send(true);
        }
    });
    let server = {
        let mut stopped = stopped.clone();
        let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            if let Err(e) = axum::serve(listener, service)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!(error = %e, "the server stopped");
            }
        })
    };
    let worker = settings
        .mail_worker
        .then(|| tokio::spawn(mailer.clone().run_until(stopped.clone())));
    let sealer = settings
        .audit_sealer
        .then(|| tokio::spawn(seal_audit_until(app.clone(), stopped.clone())));
    // Every server looks for a due checkpoint each minute (or sooner when the interval is
    // shorter); the one that claims it in the database makes it.
    let checkpoints = settings.checkpoints.audit_checkpoints.then(|| {
        let every = app.settings().checkpoints.every_minutes.max(1);
        std::time::Duration::from_secs(u64::try_from(every * 60).unwrap_or(60).min(60))
    });
    let scheduler = (settings.scheduler || checkpoints.is_some()).then(|| {
        tokio::spawn(schedule_until(
            app.clone(),
            Schedule {
                worker: format!(
                    "{}-{}-{}",
                    hostname(),
                    std::process::id(),
                    &portico_service::random_token()[..8]
                ),
                every: std::time::Duration::from_secs(settings.scheduler_seconds.max(1)),
                lease: std::time::Duration::from_secs(settings.scheduler_lease_seconds.max(1)),
                governance: settings.scheduler,
                checkpoints,
            },
            stopped.clone(),
        ))
    });
    let handle = tokio::spawn(async move {
        let _ = server.await;
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        if let Some(sealer) = sealer {
            let _ = sealer.await;
        }
        if let Some(scheduler) = scheduler {
            let _ = scheduler.await;
        }
    });
    Ok(Running {
        addr,
        app,
        generated_admin_password,
        handle,
        mailer,
        mail_dir: settings.data_dir.join("mail"),
        stop,
    })
}

/// The application for a command that works on the database without serving (the built-in
/// configuration, default settings).
pub fn tool_app(store: Store) -> anyhow::Result<Portico> {
    tool_app_with(store, ServiceSettings::default())
}

/// Like [`tool_app`], with `settings`.
pub fn tool_app_with(store: Store, settings: ServiceSettings) -> anyhow::Result<Portico> {
    let config = Config::default_config().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Portico::new(store, config, settings))
}

/// Creates the admin and the pool in an empty database (for `portico seed`), with
/// `admin_password` or a generated password that is printed.
pub async fn start_bootstrap(store: &Store, admin_password: Option<&str>) -> anyhow::Result<()> {
    let app = tool_app(store.clone())?;
    if let Some(password) = app
        .bootstrap(admin_password)
        .await
        .map_err(|e| anyhow::anyhow!("bootstrap: {e}"))?
    {
        println!("created the admin user 'admin' with the password {password}");
    }
    Ok(())
}

//! Settings of SPEC section 9, from flags or `PORTICO_*` environment variables.

use std::path::PathBuf;

use clap::Args;

/// The database when none is named: the one SQLite file Portico creates without being asked.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://portico-data/portico.db";

/// The demo's own database when none is named (created too).
pub const DEMO_DATABASE_URL: &str = "sqlite://portico-data/demo.db";

/// Where and how Portico runs.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "PORTICO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Database: sqlite://path or postgres://… (only the default SQLite file is created
    /// when missing; another needs --create)
    #[arg(long, env = "PORTICO_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
    /// Create the SQLite database file (and its folder) if it does not exist.
    #[arg(long = "create", env = "PORTICO_CREATE_DATABASE")]
    pub create_database: bool,
    /// SMTP server for emails (unset: a Maildir under portico-data/).
    #[arg(long, env = "PORTICO_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Configuration file (unset: the built-in default).
    #[arg(long, env = "PORTICO_CONFIG")]
    pub config: Option<PathBuf>,
    /// Base of links in emails (default: http://<listen>).
    #[arg(long, env = "PORTICO_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Password of the bootstrap admin on first start (unset: generated and printed once).
    #[arg(long, env = "PORTICO_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// Folder for local data: the Maildir (mail/) when no SMTP server is set.
    #[arg(long, env = "PORTICO_DATA_DIR", default_value = "portico-data")]
    pub data_dir: PathBuf,
    /// Where uploaded files are kept: file:///absolute/folder or s3://bucket[/prefix] (with the
    /// AWS_* variables); unset: files/ under the data folder.
    #[arg(long, env = "PORTICO_STORAGE_URL")]
    pub storage_url: Option<String>,
    /// Sender of Portico's emails.
    #[arg(
        long,
        env = "PORTICO_MAIL_FROM",
        default_value = "Portico <portico@localhost>"
    )]
    pub mail_from: String,
    /// Delivery attempts before an email is marked failed.
    #[arg(long, env = "PORTICO_MAIL_MAX_ATTEMPTS", default_value_t = 8)]
    pub mail_max_attempts: i64,
    /// Wait before the first retry of an email, in milliseconds (doubling each time).
    #[arg(long, env = "PORTICO_MAIL_RETRY_MS", default_value_t = 30_000)]
    pub mail_retry_ms: u64,
    /// Hours a set-password link works.
    #[arg(long, env = "PORTICO_PASSWORD_LINK_HOURS", default_value_t = 72)]
    pub password_link_hours: i64,
    /// A session ends after this many seconds without use.
    #[arg(long, env = "PORTICO_SESSION_IDLE_SECONDS", default_value_t = 8 * 3600)]
    pub session_idle_seconds: i64,
    /// A session ends this many seconds after sign-in, used or not.
    #[arg(long, env = "PORTICO_SESSION_MAX_SECONDS", default_value_t = 7 * 24 * 3600)]
    pub session_max_seconds: i64,
    /// Failed sign-ins of one user within 15 minutes before it must wait.
    #[arg(long, env = "PORTICO_LOGIN_FAILURES_PER_USER", default_value_t = 10)]
    pub login_failures_per_user: i64,
    /// Failed sign-ins from one address within 15 minutes before it must wait.
    #[arg(
        long,
        env = "PORTICO_LOGIN_FAILURES_PER_ADDRESS",
        default_value_t = 100
    )]
    pub login_failures_per_address: i64,
    /// Take the client address from X-Forwarded-For (only behind a proxy that sets it).
    #[arg(long, env = "PORTICO_TRUST_PROXY", default_value_t = false, action = clap::ArgAction::Set)]
    pub trust_proxy: bool,
    /// How many proxies in front of Portico append to X-Forwarded-For (with PORTICO_TRUST_PROXY):
    /// the client is the entry that many places from the right.
    #[arg(long, env = "PORTICO_TRUSTED_PROXY_HOPS", default_value_t = 1)]
    pub trusted_proxy_hops: usize,
    /// Staff single sign-on: the OpenID provider's issuer URL (unset: no sign-on).
    #[arg(long, env = "PORTICO_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// Portico's client id at the OpenID provider.
    #[arg(long, env = "PORTICO_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// Portico's client secret at the OpenID provider.
    #[arg(long, env = "PORTICO_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,
    /// The provider's name on the sign-in button ("Sign in with <name>").
    #[arg(
        long,
        env = "PORTICO_OIDC_NAME",
        default_value = "your company account"
    )]
    pub oidc_name: String,
    /// Create an internal user at the first sign-on of an unknown verified email.
    #[arg(long, env = "PORTICO_OIDC_CREATE_USERS", default_value_t = false, action = clap::ArgAction::Set)]
    pub oidc_create_users: bool,
    /// Signed audit checkpoints: the key, the schedule, where copies go.
    #[command(flatten)]
    pub checkpoints: CheckpointArgs,
    /// Seal the audit trail's new entries into its chain in this process (tests seal on demand).
    #[arg(long, env = "PORTICO_AUDIT_SEALER", default_value_t = true, action = clap::ArgAction::Set, hide = true)]
    pub audit_sealer: bool,
    /// Run the email worker in this process (tests drive it by hand).
    #[arg(long, env = "PORTICO_MAIL_WORKER", default_value_t = true, action = clap::ArgAction::Set)]
    pub mail_worker: bool,
    /// Seconds between runs of the scheduled work (end dates, reminders), once across all
    /// servers on the database.
    #[arg(long, env = "PORTICO_SCHEDULER_SECONDS", default_value_t = 60)]
    pub scheduler_seconds: u64,
    /// Run the scheduler in this process (tests run scheduled work on demand).
    #[arg(long, env = "PORTICO_SCHEDULER", default_value_t = true, action = clap::ArgAction::Set, hide = true)]
    pub scheduler: bool,
    /// How long a server's claim on scheduled work holds: a server killed while running it
    /// gives it up to another after this many seconds.
    #[arg(
        long,
        env = "PORTICO_SCHEDULER_LEASE_SECONDS",
        default_value_t = 300,
        hide = true
    )]
    pub scheduler_lease_seconds: u64,
    /// Days before a record's access end date its collaborators are reminded.
    #[arg(long, env = "PORTICO_END_DATE_REMINDER_DAYS", default_value_t = 7)]
    pub end_date_reminder_days: u64,
    /// Access reviews, inactivity: reminders and when externals count as inactive.
    #[command(flatten)]
    pub reviews: ReviewArgs,
}

/// Access reviews and inactivity (SPEC section 11, "Guest governance").
#[derive(Debug, Clone, Args)]
pub struct ReviewArgs {
    /// Days before an access review's due date the sponsors of undecided items are reminded.
    #[arg(long, env = "PORTICO_REVIEW_REMINDER_DAYS", default_value_t = 3)]
    pub review_reminder_days: u64,
    /// The review reminder's subject (tokens: ${firstName}, ${lastName}, ${vaultName},
    /// ${undecidedCount}, ${dueDate}, ${defaultDecision}, ${reviewUrl}).
    #[arg(long, env = "PORTICO_REVIEW_REMINDER_SUBJECT")]
    pub review_reminder_subject: Option<String>,
    /// The review reminder's body (the same tokens).
    #[arg(long, env = "PORTICO_REVIEW_REMINDER_BODY")]
    pub review_reminder_body: Option<String>,
    /// Days without a sign-in after which an active external user is flagged as inactive
    /// (counted from the last sign-in, or from the Welcome when it never signed in since).
    /// Unset: never.
    #[arg(long, env = "PORTICO_STALE_AFTER_DAYS")]
    pub stale_after_days: Option<u32>,
    /// End the access of flagged users (C3, Goodbye), on the scheduler's next run.
    #[arg(long, env = "PORTICO_STALE_INACTIVATE", default_value_t = false, action = clap::ArgAction::Set)]
    pub stale_inactivate: bool,
}

impl Default for ReviewArgs {
    fn default() -> Self {
        ReviewArgs {
            review_reminder_days: 3,
            review_reminder_subject: None,
            review_reminder_body: None,
            stale_after_days: None,
            stale_inactivate: false,
        }
    }
}

/// Signed audit checkpoints (SPEC section 11).
#[derive(Debug, Clone, Args)]
pub struct CheckpointArgs {
    /// The Ed25519 key that signs audit checkpoints, a PKCS#8 PEM file outside the database
    /// (default: audit-key.pem in the data folder, created on first start, mode 0600).
    #[arg(long, env = "PORTICO_AUDIT_KEY")]
    pub audit_key: Option<PathBuf>,
    /// Minutes between scheduled audit checkpoints (one server of all makes each).
    #[arg(long, env = "PORTICO_AUDIT_CHECKPOINT_MINUTES", default_value_t = 60)]
    pub audit_checkpoint_minutes: i64,
    /// Email each new checkpoint to this address (a compliance mailbox).
    #[arg(long, env = "PORTICO_AUDIT_CHECKPOINT_EMAIL")]
    pub audit_checkpoint_email: Option<String>,
    /// Write each new checkpoint into this folder (best on storage the database's
    /// administrators cannot write).
    #[arg(long, env = "PORTICO_AUDIT_CHECKPOINT_DIR")]
    pub audit_checkpoint_dir: Option<PathBuf>,
    /// Make the scheduled checkpoints in this process (tests make them on demand).
    #[arg(long, env = "PORTICO_AUDIT_CHECKPOINTS", default_value_t = true, action = clap::ArgAction::Set, hide = true)]
    pub audit_checkpoints: bool,
}

impl CheckpointArgs {
    /// The key file: `--audit-key`, else `audit-key.pem` in `data_dir`.
    pub fn key_path(&self, data_dir: &std::path::Path) -> PathBuf {
        self.audit_key
            .clone()
            .unwrap_or_else(|| data_dir.join("audit-key.pem"))
    }
}

impl Default for CheckpointArgs {
    fn default() -> Self {
        CheckpointArgs {
            audit_key: None,
            audit_checkpoint_minutes: 60,
            audit_checkpoint_email: None,
            audit_checkpoint_dir: None,
            audit_checkpoints: true,
        }
    }
}

/// The database of the commands that only open it (`migrate`, `seed`).
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database URL.
    #[arg(long, env = "PORTICO_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
    /// Create the SQLite database file (and its folder) if it does not exist.
    #[arg(long = "create", env = "PORTICO_CREATE_DATABASE")]
    pub create_database: bool,
}

impl Settings {
    /// Settings for tests and examples: a listen address and a database, defaults elsewhere.
    pub fn new(listen: &str, database_url: &str) -> Settings {
        Settings {
            listen: listen.to_string(),
            database_url: database_url.to_string(),
            create_database: false,
            smtp_url: None,
            config: None,
            public_url: None,
            admin_password: None,
            data_dir: PathBuf::from("portico-data"),
            storage_url: None,
            mail_from: "Portico <portico@localhost>".into(),
            mail_max_attempts: 8,
            mail_retry_ms: 30_000,
            password_link_hours: 72,
            session_idle_seconds: 8 * 3600,
            session_max_seconds: 7 * 24 * 3600,
            login_failures_per_user: 10,
            login_failures_per_address: 100,
            trust_proxy: false,
            trusted_proxy_hops: 1,
            mail_worker: true,
            audit_sealer: true,
            checkpoints: CheckpointArgs::default(),
            scheduler_seconds: 60,
            scheduler: true,
            scheduler_lease_seconds: 300,
            end_date_reminder_days: 7,
            reviews: ReviewArgs::default(),
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_client_secret: None,
            oidc_name: "your company account".into(),
            oidc_create_users: false,
        }
    }
}

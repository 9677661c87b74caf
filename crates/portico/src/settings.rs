//! Settings of SPEC section 9, from flags or `PORTICO_*` environment variables.

use std::path::PathBuf;

use clap::Args;

/// Where and how Portico runs.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "PORTICO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Database: sqlite://path (created if missing) or postgres://…
    #[arg(
        long,
        env = "PORTICO_DATABASE_URL",
        default_value = "sqlite://portico-data/portico.db"
    )]
    pub database_url: String,
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
}

impl Settings {
    /// The base of links in emails.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
    }

    /// Settings for tests and examples: a listen address and a database, defaults elsewhere.
    pub fn new(listen: &str, database_url: &str) -> Settings {
        Settings {
            listen: listen.to_string(),
            database_url: database_url.to_string(),
            smtp_url: None,
            config: None,
            public_url: None,
            admin_password: None,
        }
    }
}

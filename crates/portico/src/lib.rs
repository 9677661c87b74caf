//! The `portico` binary's wiring: settings, start-up (migrations, bootstrap, configuration),
//! the HTTP server, and the demo company. Tests start the same server with [`start`].

pub mod demo;
pub mod settings;

use std::net::SocketAddr;

use anyhow::Context;
use portico_domain::config::Config;
use portico_service::{Portico, ServiceSettings};
use portico_store::Store;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use settings::Settings;

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

/// Connects to the database and runs the migrations.
pub async fn open_store(database_url: &str) -> anyhow::Result<Store> {
    let store = Store::connect(database_url)
        .await
        .with_context(|| format!("cannot open the database {}", redact(database_url)))?;
    store
        .migrate()
        .await
        .context("cannot migrate the database")?;
    Ok(store)
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
    /// The server task.
    pub handle: JoinHandle<()>,
}

/// Opens the database, bootstraps, and serves the API on `settings.listen` (port 0 picks one).
pub async fn start(settings: &Settings) -> anyhow::Result<Running> {
    let config = load_config(settings.config.as_deref())?;
    let store = open_store(&settings.database_url).await?;
    let service_settings = ServiceSettings {
        public_url: settings.public_url(),
        ..ServiceSettings::default()
    };
    let app = Portico::new(store, config, service_settings);
    let generated_admin_password = app
        .bootstrap(settings.admin_password.as_deref())
        .await
        .map_err(|e| anyhow::anyhow!("bootstrap: {e}"))?;
    let listener = TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let addr = listener.local_addr()?;
    let router = portico_http::router(app.clone());
    let handle = tokio::spawn(async move {
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        if let Err(e) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(error = %e, "the server stopped");
        }
    });
    Ok(Running {
        addr,
        app,
        generated_admin_password,
        handle,
    })
}

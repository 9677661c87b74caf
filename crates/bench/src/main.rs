//! `portico-bench`: measuring tools for developers, kept out of the product binary. They write
//! rows by hand (the baselines) through the store's `raw-sql` feature, which the product never
//! enables: in `portico` only the store's own API touches the database.

mod bare_http;
mod measure;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "portico-bench",
    about = "Portico's measurements (development only; see README \"Performance\")"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Measure the write paths against hand-written SQL, and the rule lookups as data grows.
    Measure {
        /// SQLite file prefix to run on (one file per measurement is made next to it).
        #[arg(long, default_value = "sqlite://target/bench/portico")]
        sqlite: String,
        /// PostgreSQL database to run on too (a schema per measurement).
        #[arg(long, env = "PORTICO_BENCH_POSTGRES_URL")]
        postgres: Option<String>,
        /// Records per write measurement.
        #[arg(long, default_value_t = 200)]
        ops: usize,
        /// Size of the small data set of the scale measurement.
        #[arg(long, default_value_t = 10_000)]
        scale_small: usize,
        /// Size of the large data set.
        #[arg(long, default_value_t = 1_000_000)]
        scale_large: usize,
        /// Where to write the table as JSON.
        #[arg(long, default_value = "target/bench/bench.json")]
        json: std::path::PathBuf,
    },
    /// A bare axum server answering a fixed JSON body: the HTTP stack's own ceiling.
    BareHttp {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8099")]
        listen: String,
        /// Size of the JSON body in bytes.
        #[arg(long, default_value_t = 400)]
        bytes: usize,
    },
}

// The same allocator as the product binary: the bare server is its ceiling, so it must not
// differ in anything but Portico's own work.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PORTICO_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .init();
    match Cli::parse().command {
        Command::Measure {
            sqlite,
            postgres,
            ops,
            scale_small,
            scale_large,
            json,
        } => {
            if let Some(dir) = std::path::Path::new(sqlite.trim_start_matches("sqlite://")).parent()
            {
                std::fs::create_dir_all(dir)?;
            }
            let mut databases = vec![sqlite];
            databases.extend(postgres);
            let opts = measure::BenchOptions {
                databases,
                ops,
                scale: (scale_small, scale_large),
            };
            let table = measure::run(&opts).await?;
            if let Some(dir) = json.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&json, serde_json::to_string_pretty(&table)?)?;
            println!("\nwritten to {}", json.display());
            Ok(())
        }
        Command::BareHttp { listen, bytes } => bare_http::serve(&listen, bytes).await,
    }
}

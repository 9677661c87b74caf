//! `portico`: serve, demo, migrate, check-config.

use clap::{Parser, Subcommand};
use portico::settings::{DatabaseArgs, DEFAULT_DATABASE_URL, DEMO_DATABASE_URL};
use portico::{demo, Settings};

#[derive(Parser)]
#[command(
    name = "portico",
    version,
    about = "Temporary, exact access for external collaborators to quality records"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API.
    Serve(#[command(flatten)] Settings),
    /// Serve with a ready demo company (its own database unless --database-url is given).
    Demo(#[command(flatten)] Settings),
    /// Run the database migrations and stop.
    Migrate(#[command(flatten)] DatabaseArgs),
    /// Fill a database with generated data (suppliers, contacts, users, records in every state).
    Seed {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Records to add.
        #[arg(long, default_value_t = 10_000)]
        records: usize,
        /// Contacts to add (default: a twentieth of the records).
        #[arg(long)]
        persons: Option<usize>,
    },
    /// Measure the write paths against hand-written SQL, and the rule lookups as data grows.
    Bench {
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
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Check a configuration file and stop.
    CheckConfig {
        /// The file (default: PORTICO_CONFIG, else the built-in configuration).
        #[arg(long, env = "PORTICO_CONFIG")]
        config: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Checks that no entry was changed, removed or inserted; exits 1 when the chain is broken.
    Verify {
        /// Database URL.
        #[arg(
            long,
            env = "PORTICO_DATABASE_URL",
            default_value = portico::settings::DEFAULT_DATABASE_URL
        )]
        database_url: String,
    },
}

// Requests allocate many small short-lived values (JSON, rows); mimalloc serves them with less
// contention and fragmentation than the system allocator (measured in `scripts/bench-http.sh`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PORTICO_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    match Cli::parse().command {
        Command::Serve(settings) => serve(settings).await,
        Command::Demo(mut settings) => {
            if std::env::var_os("PORTICO_DATABASE_URL").is_none()
                && settings.database_url == DEFAULT_DATABASE_URL
            {
                settings.database_url = DEMO_DATABASE_URL.into();
            }
            if settings.admin_password.is_none() {
                settings.admin_password = Some(demo::ADMIN_PASSWORD.into());
            }
            let running = portico::start(&settings).await?;
            let summary = demo::seed(&running.app).await?;
            println!("\nPortico demo is running at http://{}", running.addr);
            println!("  database: {}", portico::redact(&settings.database_url));
            println!("  sign in:  POST http://{}/api/v1/auth", running.addr);
            println!(
                "            admin / {}",
                settings.admin_password.as_deref().unwrap_or("")
            );
            println!(
                "            {} / {}",
                demo::QUALITY_LEAD,
                demo::QUALITY_LEAD_PASSWORD
            );
            println!("  {summary}");
            println!("  stop with Ctrl-C\n");
            running.handle.await?;
            Ok(())
        }
        Command::Migrate(db) => {
            portico::open_store(&db.database_url, db.create_database).await?;
            println!(
                "migrations applied to {}",
                portico::redact(&db.database_url)
            );
            Ok(())
        }
        Command::Seed {
            database,
            records,
            persons,
        } => {
            let store =
                portico::open_store(&database.database_url, database.create_database).await?;
            let admin_password = std::env::var("PORTICO_ADMIN_PASSWORD").ok();
            portico::start_bootstrap(&store, admin_password.as_deref()).await?;
            let started = std::time::Instant::now();
            let tag = format!("{:x}", portico_service::now_ms());
            let spec = portico_store::SeedSpec {
                records,
                persons: persons.unwrap_or((records / 20).max(50)),
            };
            let report = store.seed(spec, &tag, portico_service::now_ms()).await?;
            println!(
                "seeded in {:.1} s: {} organizations, {} persons, {} users ({} active), {} records, {} assignments, {} audit entries",
                started.elapsed().as_secs_f64(),
                report.organizations,
                report.persons,
                report.users,
                report.active_users,
                report.records,
                report.assignments,
                report.audit_entries
            );
            Ok(())
        }
        Command::Bench {
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
            let opts = portico::bench::BenchOptions {
                databases,
                ops,
                scale: (scale_small, scale_large),
            };
            let table = portico::bench::run(&opts).await?;
            if let Some(dir) = json.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&json, serde_json::to_string_pretty(&table)?)?;
            println!(
                "
written to {}",
                json.display()
            );
            Ok(())
        }
        Command::BareHttp { listen, bytes } => portico::bare_http(&listen, bytes).await,
        Command::Audit {
            command: AuditCommand::Verify { database_url },
        } => {
            let store = portico::open_existing_store(&database_url).await?;
            let report = store.read().await?.db().verify_audit_chain().await?;
            if report.intact {
                println!("audit trail intact: {} entries", report.entries);
                Ok(())
            } else {
                println!(
                    "audit trail BROKEN at entry {}: {} ({} entries checked)",
                    report.broken_at.unwrap_or_default(),
                    report.reason.unwrap_or_default(),
                    report.entries
                );
                std::process::exit(1);
            }
        }
        Command::CheckConfig { config } => {
            let config = portico::load_config(config.as_deref())?;
            println!(
                "configuration OK: {} target object types",
                config.types.len()
            );
            Ok(())
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let running = portico::start(&settings).await?;
    if let Some(password) = &running.generated_admin_password {
        println!("First start: created the admin user 'admin' with the password\n\n    {password}\n\nIt is shown only this once.");
    }
    println!("Portico listens on http://{}", running.addr);
    running.handle.await?;
    Ok(())
}

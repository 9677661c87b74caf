//! `portico`: serve, demo, migrate, seed, audit verify, check-config.

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
    portico::init_logging()?;
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
        Command::Audit {
            command: AuditCommand::Verify { database_url },
        } => {
            let store = portico::open_existing_store(&database_url).await?;
            // What has committed is judged too: it is sealed into the chain first.
            store.seal_audit().await?;
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

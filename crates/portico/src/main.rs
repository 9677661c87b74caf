//! `portico`: serve, demo, migrate, seed, audit verify, check-config.

use std::path::PathBuf;

use anyhow::Context;
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
    /// Qualification evidence: installation checks of these settings and operational scenarios
    /// on a scratch database, written to DIR/index.html and DIR/report.json; exits 0 only when
    /// every step passes.
    Qualify {
        #[command(flatten)]
        settings: Settings,
        /// The folder for the report.
        #[arg(long)]
        out: PathBuf,
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
    /// With --checkpoint, also holds the chain to a signed checkpoint kept elsewhere: a rewrite
    /// of an entry at or before it is caught even when every hash after it was recomputed.
    Verify {
        /// Database URL.
        #[arg(
            long,
            env = "PORTICO_DATABASE_URL",
            default_value = portico::settings::DEFAULT_DATABASE_URL
        )]
        database_url: String,
        /// A checkpoint file (JSON, as emailed, written or listed by the API).
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// The public key that signed it (PEM, from GET /api/v1/audit/public-key); default:
        /// the public half of the audit key file.
        #[arg(long)]
        public_key: Option<PathBuf>,
        /// The audit key file (default: audit-key.pem in the data folder).
        #[arg(long, env = "PORTICO_AUDIT_KEY")]
        audit_key: Option<PathBuf>,
        /// The data folder.
        #[arg(long, env = "PORTICO_DATA_DIR", default_value = "portico-data")]
        data_dir: PathBuf,
    },
    /// Makes a signed checkpoint of the audit chain now and prints it (JSON); it is kept in the
    /// database and emailed and written out as configured.
    Checkpoint {
        /// Database URL.
        #[arg(
            long,
            env = "PORTICO_DATABASE_URL",
            default_value = portico::settings::DEFAULT_DATABASE_URL
        )]
        database_url: String,
        /// The data folder.
        #[arg(long, env = "PORTICO_DATA_DIR", default_value = "portico-data")]
        data_dir: PathBuf,
        #[command(flatten)]
        checkpoints: portico::settings::CheckpointArgs,
        /// Also write the checkpoint to this file.
        #[arg(long)]
        out: Option<PathBuf>,
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
            let config = demo::configuration(&settings)?;
            let running = portico::start_with(&settings, config).await?;
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
            command:
                AuditCommand::Verify {
                    database_url,
                    checkpoint: Some(checkpoint),
                    public_key,
                    audit_key,
                    data_dir,
                },
        } => {
            let key = match public_key {
                Some(file) => {
                    let pem = std::fs::read_to_string(&file).with_context(|| {
                        format!("cannot read the public key {}", file.display())
                    })?;
                    portico_service::PublicKey::from_pem(&pem)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?
                }
                None => {
                    let path = audit_key.unwrap_or_else(|| data_dir.join("audit-key.pem"));
                    portico_service::AuditKey::open(&path)
                        .map_err(|e| {
                            anyhow::anyhow!("{e} (or give the public key with --public-key)")
                        })?
                        .public_key()
                }
            };
            let text = std::fs::read_to_string(&checkpoint)
                .with_context(|| format!("cannot read the checkpoint {}", checkpoint.display()))?;
            let checkpoint = portico_service::Checkpoint::from_json(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", checkpoint.display()))?;
            let store = portico::open_existing_store(&database_url).await?;
            let app = portico::tool_app(store)?;
            let check = match app.verify_audit_against(&checkpoint, &key).await {
                Ok(check) => check,
                Err(e) => {
                    println!("checkpoint REFUSED: {e}");
                    std::process::exit(2);
                }
            };
            for why in &check.anchors_refused {
                println!("not used: {why}");
            }
            let report = check.report;
            if report.intact {
                println!(
                    "audit trail intact: {} entries; it matches checkpoint {} signed by key {} at {}",
                    report.entries, checkpoint.seq, checkpoint.key_id, checkpoint.at
                );
                Ok(())
            } else {
                println!(
                    "audit trail BROKEN at entry {}: {} (checked against checkpoint {} signed by key {} at {})",
                    report.broken_at.unwrap_or_default(),
                    report.reason.unwrap_or_default(),
                    checkpoint.seq,
                    checkpoint.key_id,
                    checkpoint.at
                );
                std::process::exit(1);
            }
        }
        Command::Audit {
            command:
                AuditCommand::Checkpoint {
                    database_url,
                    data_dir,
                    checkpoints,
                    out,
                },
        } => {
            let store = portico::open_existing_store(&database_url).await?;
            let app_settings = portico_service::ServiceSettings {
                checkpoints: portico::checkpoint_settings(&checkpoints, &data_dir)?,
                ..Default::default()
            };
            let app = portico::tool_app_with(store, app_settings)?;
            let made = app.make_checkpoint().await?;
            let json = format!(
                "{}\n",
                serde_json::to_string_pretty(&made.to_json()).unwrap_or_default()
            );
            if let Some(out) = out {
                std::fs::write(&out, &json)
                    .with_context(|| format!("cannot write {}", out.display()))?;
            }
            print!("{json}");
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify { database_url, .. },
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
        Command::Qualify { settings, out } => {
            let passed = portico::qualify::qualify(&settings, &out).await?;
            println!(
                "qualification {}: {}",
                if passed { "PASSED" } else { "FAILED" },
                out.join("index.html").display()
            );
            if !passed {
                std::process::exit(1);
            }
            Ok(())
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

//! Portico's persistence: SQLite (the default) and PostgreSQL through sqlx's `Any` driver with
//! runtime-checked queries, one set of SQL for both backends.
//!
//! Invariants:
//! - only this crate knows SQL;
//! - a use case writes in a [`Tx`] begun with [`Store::write`], which on SQLite is
//!   `BEGIN IMMEDIATE` (one writer, no lock upgrade failures) and on PostgreSQL locks the rows a
//!   decision reads with `FOR UPDATE`, so a plan is applied to the state it was made from (a
//!   [`Reader`] runs the same queries outside a transaction: the service writes through one
//!   only to end or touch a session, see ARCHITECTURE.md);
//! - the seat check is one conditional `UPDATE` of the pool row, never a read-then-write.

mod audit;
mod batch;
mod blobs;
mod checklists;
mod checkpoints;
mod error;
mod extranet;
mod facts;
mod jobs;
mod licenses;
mod lookups;
mod notifications;
mod orgs;
mod outbox;
mod people;
mod plan;
#[cfg(feature = "raw-sql")]
mod raw;
mod records;
mod reviews;
mod rows;
mod scim;
mod seat_history;
mod seed;
mod sessions;
mod signatures;
mod signing_grants;
mod tasks;
mod templates;
mod users;
mod waitlist;

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, ConnectOptions, Connection, Executor, Transaction};

pub use audit::{chain_hash, AuditEntry, AuditFilter, AuditRow, ChainReport, Sealed};
pub use blobs::Blobs;
pub use checklists::ChecklistRow;
pub use checkpoints::{ChainHead, CheckpointRow};
pub use error::{Conflict, StoreError, Unique};
pub use extranet::{CommentRow, FileRow, TicketRow};
pub use facts::{ActiveAssignment, RecordsFacts};
pub use jobs::JobState;
pub use licenses::{epoch_day, SeatDay};
pub use lookups::{rule_lookups, scim_lookups, Lookup};
pub use notifications::NotificationRow;
pub use orgs::OrganizationRow;
pub use outbox::{EmailSecret, OutboxFilter, OutboxRow, QueuedEmail};
pub use plan::Writes;
pub use records::{AssignmentFilter, AssignmentRow, RecordFilter, Sponsorship, SponsorshipFilter};
pub use reviews::{Decision, NewReviewItem, ReviewItemRow, ReviewRow, SignInRow};
pub use scim::{
    scim_after_sql, scim_page_sql, ScimOrder, ScimTokenRow, ScimUserDetails, ScimUserQuery,
    ScimUserRow, ScimWhere,
};
pub use seed::{SeedReport, SeedSpec};
pub use sessions::SessionRow;
pub use signatures::{SignatureRow, Signed};
pub use signing_grants::SigningGrantRow;
pub use tasks::{TaskFilter, TaskRow};
pub use templates::TemplateRow;
pub use users::{internal_user, LoginRow, NewUserRow, ReaderRow, UserFilter};
pub use waitlist::{WaitEntry, WaitRow};

/// Result of store operations.
pub type Result<T> = std::result::Result<T, StoreError>;

/// The database Portico runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (a single file).
    Sqlite,
    /// PostgreSQL, for several servers sharing one database.
    Postgres,
}

impl Backend {
    /// Picks the backend from the URL scheme; anything else is refused with a clear message.
    pub fn from_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Config(format!(
                "unsupported database URL '{}': use sqlite://path/to/file.db or postgres://user@host/db",
                url.split('@').next_back().unwrap_or(url)
            )))
        }
    }

    /// Row locking for the decisions a write makes (a no-op under SQLite's single writer).
    pub(crate) fn for_update(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    /// Row locking that passes over rows another transaction holds: concurrent claimers take
    /// different rows (the seat slots). A no-op under SQLite's single writer.
    pub(crate) fn for_update_skip_locked(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }
}

/// The file of a SQLite URL whose opening mode is ours to choose: `None` for PostgreSQL, an
/// in-memory database, or a URL that sets `mode=` itself (its author chose).
pub fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let memory = path.is_empty() || path == ":memory:" || query.contains("mode=memory");
    (!memory && !query.contains("mode=")).then_some(path)
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A connection pool to Portico's database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url: Arc<str>,
    /// Counts the write transactions this process committed: what was read before a commit
    /// may have changed since (see [`Store::generation`]).
    generation: Arc<AtomicU64>,
}

impl Store {
    /// Connects to `url`. A SQLite file must exist (a mistyped path must not silently become
    /// a new, empty database); a PostgreSQL database must exist.
    pub async fn connect(url: &str) -> Result<Store> {
        Self::open(url, false).await
    }

    /// Connects to `url`, creating a missing SQLite file and its folder.
    pub async fn create_or_connect(url: &str) -> Result<Store> {
        Self::open(url, true).await
    }

    async fn open(url: &str, create: bool) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let mut url = url.to_string();
        if let Some(path) = sqlite_file(&url) {
            let path = std::path::Path::new(path);
            if create {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        StoreError::Config(format!("cannot create {}: {e}", dir.display()))
                    })?;
                }
                url.push_str(if url.contains('?') {
                    "&mode=rwc"
                } else {
                    "?mode=rwc"
                });
            } else if !path.exists() {
                return Err(StoreError::Missing(path.display().to_string()));
            }
        }
        let options = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                // Two cores: four SQLite connections keep them busy; every connection holds a
                // page cache of its own, so more would only repeat the same pages in memory.
                Backend::Sqlite => 4,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(30))
            // A ping before every acquire is a round trip per request (on SQLite a hop to the
            // connection's thread and back); a broken connection fails its query instead, and
            // the pool drops it.
            .test_before_acquire(false)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers go on while one writer writes; the busy timeout
                        // makes a second writer wait instead of failing; 32 MiB of page cache
                        // per connection (4 connections) keeps hot index pages in memory
                        // within the server's memory budget of 200 MB.
                        // synchronous = FULL syncs the log at every commit: a change and its
                        // audit entry survive a power cut once the request has answered
                        // (NORMAL could lose the last commits; the cost is in README
                        // "Performance").
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                             PRAGMA cache_size = -32768;",
                        )
                        .await?;
                    } else {
                        // Random page reads costed as on solid-state storage (1.1, not 4,
                        // which prices a disk seek), unless the operator chose a cost: with 4
                        // a list's planner read *all* of a big supplier's records in a state
                        // and sorted them (0.6-0.9 ms for 500) rather than take the page in
                        // the index's order and stop (0.09-0.16 ms), whenever it estimated
                        // the supplier to have fewer records than a page — always so in the
                        // generic plan a prepared statement takes after five runs (test
                        // `query_plans` explains that plan too).
                        conn.execute(
                            "SELECT set_config('random_page_cost', '1.1', false) \
                             WHERE current_setting('random_page_cost') = '4'",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Store {
            pool,
            backend,
            url: Arc::from(url.as_str()),
            generation: Arc::new(AtomicU64::new(0)),
        })
    }

    /// The URL it was opened with (it may hold a password: do not show it).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How many write transactions this process has committed. Read it *before* reading
    /// something to keep: if it is unchanged later, no write of this process can have changed
    /// what was read. (Writes of other processes are not counted.)
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs the embedded migrations of the backend.
    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        self.refuse_username_clashes().await?;
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// The migrations this build knows that the database has not applied (or failed), by
    /// version and description; empty when the schema is current. Reads only.
    pub async fn pending_migrations(&self) -> Result<Vec<String>> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        let mut conn = self.pool.acquire().await?;
        // A database never migrated has no table: every migration is pending.
        let applied: Vec<i64> =
            sqlx::query("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_all(&mut *conn)
                .await
                .map(|rows| {
                    rows.iter()
                        .filter_map(|r| rows::get::<i64>(r, "version").ok())
                        .collect()
                })
                .unwrap_or_default();
        Ok(migrator
            .iter()
            .filter(|m| !applied.contains(&m.version))
            .map(|m| format!("{} {}", m.version, m.description))
            .collect())
    }

    /// Migration 8 makes usernames unique whatever their case. Where a database already holds
    /// names that differ only in case, it would fail on its index with a message naming
    /// neither user: stop before it with the names to change instead.
    async fn refuse_username_clashes(&self) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        // A fresh database (no migrations table) or one already past migration 8 has nothing
        // to check.
        let pending = sqlx::query("SELECT COUNT(*) AS n FROM _sqlx_migrations WHERE version = 8")
            .fetch_one(&mut *conn)
            .await
            .ok()
            .map(|r| rows::get::<i64>(&r, "n"))
            .transpose()?;
        if pending != Some(0) {
            return Ok(());
        }
        let clashes = sqlx::query(
            "SELECT username FROM users WHERE lower(username) IN \
             (SELECT lower(username) FROM users GROUP BY lower(username) HAVING COUNT(*) > 1) \
             ORDER BY lower(username), username",
        )
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| rows::get::<String>(r, "username"))
        .collect::<Result<Vec<_>>>()?;
        if clashes.is_empty() {
            return Ok(());
        }
        Err(StoreError::Config(format!(
            "usernames must be unique whatever their case, and these differ only in case: {}. \
             Rename all but one of each (e.g. UPDATE users SET username = 'new.name' WHERE username = '…') and start again",
            clashes.join(", ")
        )))
    }

    /// Begins a write transaction.
    pub async fn write(&self) -> Result<Tx> {
        self.begin("BEGIN IMMEDIATE").await
    }

    /// Begins a transaction, on SQLite with `sqlite_begin`.
    async fn begin(&self, sqlite_begin: &'static str) -> Result<Tx> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with(sqlite_begin).await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx {
            tx,
            backend: self.backend,
            generation: self.generation.clone(),
            reading: self.backend == Backend::Sqlite && sqlite_begin != "BEGIN IMMEDIATE",
        })
    }

    /// A transaction for a preview that writes nothing (a dry run): one consistent view of
    /// the data without SQLite's write lock, so previews run beside each other and beside the
    /// writer. (PostgreSQL locks rows, not the database: a preview takes the write path's row
    /// locks there, as the decision it previews would.)
    pub async fn preview(&self) -> Result<Tx> {
        self.begin("BEGIN DEFERRED").await
    }

    /// A connection for reads that need no transaction.
    pub async fn read(&self) -> Result<Reader> {
        Ok(Reader {
            conn: self.pool.acquire().await?,
            backend: self.backend,
        })
    }

    /// Seals every committed audit entry into the chain (see [`Db::seal_audit`]), in rounds of
    /// 500 so that no round holds SQLite's writer for long; answers how many it sealed. An
    /// idle call is one read and writes nothing.
    pub async fn seal_audit(&self) -> Result<u64> {
        let mut sealed = 0;
        while self.read().await?.db().audit_unsealed().await? {
            let mut tx = self.write().await?;
            let round = tx.db().seal_audit(500).await?;
            tx.commit().await?;
            sealed += round.entries;
            if round.entries == 0 {
                // Another server's sealer holds the head (PostgreSQL): it seals them.
                break;
            }
        }
        Ok(sealed)
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        conn.ping().await?;
        Ok(())
    }

    /// SQLite's `synchronous` setting of a pooled connection (2 = FULL); `None` on PostgreSQL,
    /// which syncs every commit unless its own settings say otherwise.
    pub async fn sqlite_synchronous(&self) -> Result<Option<i64>> {
        if self.backend != Backend::Sqlite {
            return Ok(None);
        }
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await?;
        Ok(Some(sqlx::Row::try_get::<i64, _>(&row, 0)?))
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A write transaction; dropped without [`Tx::commit`] it rolls back.
pub struct Tx {
    tx: Transaction<'static, Any>,
    backend: Backend,
    generation: Arc<AtomicU64>,
    /// A SQLite transaction begun without the write lock ([`Store::preview`]).
    reading: bool,
}

impl Tx {
    /// Whether the transaction may write. A SQLite preview may not: its first write would
    /// have to take the write lock after reading, which fails at once (no waiting) when
    /// another transaction holds it or has written since the preview began. A PostgreSQL
    /// preview may (rows, not the database, are locked).
    pub fn can_write(&self) -> bool {
        !self.reading
    }

    /// Queries inside the transaction.
    pub fn db(&mut self) -> Db<'_> {
        Db {
            conn: &mut self.tx,
            backend: self.backend,
        }
    }

    /// Makes everything of the transaction durable.
    pub async fn commit(self) -> Result<()> {
        // Counted however the commit ends — done, failed (its outcome then unknown), or
        // abandoned half-way when the request's future is dropped — so that no cached read
        // outlives a write that may have happened.
        let _count = Counted(self.generation.clone());
        self.tx.commit().await?;
        Ok(())
    }

    /// Undoes everything of the transaction (a dry run ends here).
    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

/// Bumps the generation when dropped.
struct Counted(Arc<AtomicU64>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

/// A pooled connection for reads.
pub struct Reader {
    conn: PoolConnection<Any>,
    backend: Backend,
}

impl Reader {
    /// Queries on this connection.
    pub fn db(&mut self) -> Db<'_> {
        Db {
            conn: &mut self.conn,
            backend: self.backend,
        }
    }
}

/// All queries, on a connection or inside a transaction.
pub struct Db<'a> {
    pub(crate) conn: &'a mut AnyConnection,
    backend: Backend,
}

impl Tx {
    /// A savepoint inside the transaction: everything done through it is kept or undone as one,
    /// without ending the transaction.
    pub async fn savepoint(&mut self) -> Result<Savepoint<'_>> {
        Ok(Savepoint {
            tx: Connection::begin(&mut *self.tx).await?,
            backend: self.backend,
        })
    }
}

/// A savepoint; dropped without [`Savepoint::commit`] it rolls back to where it began.
pub struct Savepoint<'t> {
    tx: Transaction<'t, Any>,
    backend: Backend,
}

impl Savepoint<'_> {
    /// Queries inside the savepoint.
    pub fn db(&mut self) -> Db<'_> {
        Db {
            conn: &mut self.tx,
            backend: self.backend,
        }
    }

    /// Keeps what was done since the savepoint.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    /// Undoes what was done since the savepoint.
    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

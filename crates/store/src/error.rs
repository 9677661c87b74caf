//! Storage errors, with constraint violations turned into what they mean at the edge.

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule of the schema was hit, e.g. a username already taken.
    #[error("{0} already exists")]
    Duplicate(String),
    /// A row the caller relied on is not there.
    #[error("{0} not found")]
    NotFound(String),
    /// The seat check of the pool refused (another request took the last seat).
    #[error("no external license seat is free")]
    NoSeat,
    /// The SQLite database file named does not exist (and was not to be created).
    #[error("the SQLite database {0} does not exist")]
    Missing(String),
    /// Bad settings, such as an unsupported URL.
    #[error("{0}")]
    Config(String),
    /// Stored data that does not parse back (a bug or a hand edit).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// Migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                let what = db
                    .constraint()
                    .map(str::to_string)
                    .unwrap_or_else(|| unique_target(db.message()));
                return StoreError::Duplicate(what);
            }
        }
        StoreError::Database(e)
    }
}

/// SQLite names the columns, not the index: "UNIQUE constraint failed: users.username".
fn unique_target(message: &str) -> String {
    message
        .rsplit(": ")
        .next()
        .unwrap_or("a row with the same key")
        .to_string()
}

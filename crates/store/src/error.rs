//! Storage errors. Database errors are turned into what they mean at this edge (as
//! realworld-axum-sqlx's `on_constraint` does): a uniqueness rule the schema names becomes a
//! [`Unique`], a write that collided with a concurrent one a [`Conflict`] (the caller may run
//! the whole transaction again); anything else stays a [`StoreError::Database`], an internal
//! error whose text is logged and never shown.

/// A uniqueness rule of the schema, by what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    /// Usernames are unique (`users.username`, and its case-insensitive index).
    Username,
    /// A person has one user and a user one person (`users.person_id`, `persons.user_id`).
    UserOfPerson,
    /// One Active assignment per record and person (`assignments_one_active`).
    ActiveAssignment,
}

impl Unique {
    /// The rule, as a person reads it.
    pub fn message(self) -> &'static str {
        match self {
            Unique::Username => "a user with this username already exists",
            Unique::UserOfPerson => "this person already has a user",
            Unique::ActiveAssignment => {
                "this person already has an Active assignment on the record"
            }
        }
    }
}

/// A write that collided with a concurrent one. Its transaction is rolled back whole, so
/// running it again is safe and will likely succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// PostgreSQL broke a deadlock by aborting this transaction (`40P01`).
    Deadlock,
    /// PostgreSQL could not serialize this transaction with a concurrent one (`40001`).
    Serialization,
    /// SQLite's database stayed locked by another writer past the busy timeout.
    Busy,
    /// A username picked by automation was taken by a concurrent transaction meanwhile.
    UsernameTaken,
    /// A collaborator was to wait for a seat, but one was freed meanwhile: run again, it gets it.
    SeatFreed,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Conflict::Deadlock => "deadlock",
            Conflict::Serialization => "serialization failure",
            Conflict::Busy => "database busy",
            Conflict::UsernameTaken => "username taken meanwhile",
            Conflict::SeatFreed => "a license seat freed meanwhile",
        })
    }
}

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule of the schema was hit, e.g. a username already taken.
    #[error("{}", .0.message())]
    Duplicate(Unique),
    /// The write collided with a concurrent one; the whole transaction may be run again.
    #[error("the write collided with a concurrent one ({0})")]
    Conflict(Conflict),
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
    /// The file storage (a folder or S3-compatible object storage) failed.
    #[error("file storage: {0}")]
    Files(#[from] object_store::Error),
    /// Any other database error: internal, its text for the log only. (Its text is in the
    /// message for logs that print only the message; the chain printers skip the repeat.)
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
}

impl StoreError {
    /// Whether running the whole transaction again may succeed.
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict(_))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            let code = db.code();
            let known = classify(&Raw {
                sqlite: db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some(),
                code: code.as_deref(),
                unique: db.is_unique_violation(),
                constraint: db.constraint(),
                message: db.message(),
            });
            if let Some(known) = known {
                return known;
            }
        }
        StoreError::Database(e)
    }
}

/// The parts of a database error the mapping reads.
struct Raw<'a> {
    /// From SQLite (else PostgreSQL).
    sqlite: bool,
    /// SQLSTATE on PostgreSQL, the (extended) result code on SQLite.
    code: Option<&'a str>,
    unique: bool,
    /// PostgreSQL names the constraint or index; SQLite does not.
    constraint: Option<&'a str>,
    message: &'a str,
}

/// What a database error means, when it is one the code knows; `None` keeps it internal.
fn classify(raw: &Raw<'_>) -> Option<StoreError> {
    match raw.code {
        Some("40P01") => return Some(StoreError::Conflict(Conflict::Deadlock)),
        Some("40001") => return Some(StoreError::Conflict(Conflict::Serialization)),
        _ => {}
    }
    // SQLite's extended codes keep the primary code in the low byte: BUSY 5, LOCKED 6.
    if let Some(code) = raw.code.and_then(|c| c.parse::<i64>().ok()) {
        if raw.sqlite && matches!(code & 0xff, 5 | 6) {
            return Some(StoreError::Conflict(Conflict::Busy));
        }
    }
    if !raw.unique {
        return None;
    }
    // PostgreSQL: the constraint or index name. SQLite: "UNIQUE constraint failed:
    // users.username" (the columns) or "…: index 'users_username_lower'" (an expression index).
    let target = raw
        .constraint
        .unwrap_or_else(|| raw.message.rsplit(": ").next().unwrap_or(""));
    let unique = match target.trim_start_matches("index ").trim_matches('\'') {
        "users_username_key" | "users_username_lower" | "users.username" => Unique::Username,
        "users_person_id_key" | "persons_user_id_key" | "users.person_id" | "persons.user_id" => {
            Unique::UserOfPerson
        }
        "assignments_one_active" | "assignments.record_id, assignments.person_id" => {
            Unique::ActiveAssignment
        }
        _ => return None,
    };
    Some(StoreError::Duplicate(unique))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unique(constraint: Option<&str>, message: &str) -> Option<StoreError> {
        classify(&Raw {
            sqlite: constraint.is_none(),
            code: Some(if constraint.is_none() {
                "2067"
            } else {
                "23505"
            }),
            unique: true,
            constraint,
            message,
        })
    }

    fn code(code: &str) -> Option<StoreError> {
        classify(&Raw {
            sqlite: code.len() < 5,
            code: Some(code),
            unique: false,
            constraint: None,
            message: "whatever the database says",
        })
    }

    #[test]
    fn named_unique_constraints_of_postgresql_become_what_they_mean() {
        let cases = [
            ("users_username_key", Unique::Username),
            ("users_username_lower", Unique::Username),
            ("users_person_id_key", Unique::UserOfPerson),
            ("persons_user_id_key", Unique::UserOfPerson),
            ("assignments_one_active", Unique::ActiveAssignment),
        ];
        for (name, meaning) in cases {
            let msg = format!("duplicate key value violates unique constraint \"{name}\"");
            match unique(Some(name), &msg) {
                Some(StoreError::Duplicate(u)) => assert_eq!(u, meaning, "{name}"),
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn sqlite_unique_messages_become_what_they_mean() {
        let cases = [
            ("UNIQUE constraint failed: users.username", Unique::Username),
            (
                "UNIQUE constraint failed: index 'users_username_lower'",
                Unique::Username,
            ),
            (
                "UNIQUE constraint failed: persons.user_id",
                Unique::UserOfPerson,
            ),
            (
                "UNIQUE constraint failed: assignments.record_id, assignments.person_id",
                Unique::ActiveAssignment,
            ),
        ];
        for (msg, meaning) in cases {
            match unique(None, msg) {
                Some(StoreError::Duplicate(u)) => assert_eq!(u, meaning, "{msg}"),
                other => panic!("{msg}: {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_unique_violations_stay_internal() {
        assert!(unique(Some("sessions_pkey"), "duplicate key").is_none());
        assert!(unique(None, "UNIQUE constraint failed: sessions.token_hash").is_none());
    }

    #[test]
    fn the_message_of_a_known_rule_names_no_index() {
        for u in [
            Unique::Username,
            Unique::UserOfPerson,
            Unique::ActiveAssignment,
        ] {
            let shown = StoreError::Duplicate(u).to_string();
            assert!(
                !shown.contains('_') && !shown.contains("constraint"),
                "{shown}"
            );
        }
    }

    #[test]
    fn deadlocks_serialization_failures_and_busy_are_conflicts() {
        for (c, kind) in [
            ("40P01", Conflict::Deadlock),
            ("40001", Conflict::Serialization),
            ("5", Conflict::Busy),
            ("517", Conflict::Busy),
            ("6", Conflict::Busy),
        ] {
            match code(c) {
                Some(StoreError::Conflict(k)) => assert_eq!(k, kind, "{c}"),
                other => panic!("{c}: {other:?}"),
            }
        }
        assert!(
            code("23503").is_none(),
            "a foreign key violation is a bug: internal"
        );
        assert!(
            code("19").is_none(),
            "SQLite's constraint code alone says nothing known"
        );
        assert!(code("22021").is_none(), "a SQLSTATE is not a SQLite code");
    }
}

//! The append-only audit trail (SPEC section 6): every write adds entries in its own
//! transaction.

use sqlx::any::AnyRow;

use crate::batch::{Sql, V};
use crate::rows;
use crate::{Db, Result};

/// An entry to append.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditEntry {
    /// When.
    pub at: i64,
    /// Who (none for automation at start-up).
    pub actor: Option<String>,
    /// What, e.g. `user.activated`, `record.state_changed`.
    pub action: String,
    /// The kind of object changed, e.g. `user`, `car__v`.
    pub object: String,
    /// Its id.
    pub object_id: String,
    /// The record concerned, if any.
    pub record: Option<String>,
    /// The person concerned, if any.
    pub person: Option<String>,
    /// The user concerned, if any.
    pub user: Option<String>,
    /// JSON before the change.
    pub before: Option<String>,
    /// JSON after the change.
    pub after: Option<String>,
    /// Why: the action, rule or request that caused it.
    pub cause: Option<String>,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// Position in the trail.
    pub seq: i64,
    /// The entry.
    pub entry: AuditEntry,
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Entries checked.
    pub entries: i64,
    /// Whether every link holds.
    pub intact: bool,
    /// The first entry that does not hold.
    pub broken_at: Option<i64>,
    /// Why.
    pub reason: Option<String>,
}

/// The hash that links an entry to the one before: SHA-256 over the previous hash and every
/// field, each length-prefixed so that no two different entries encode alike.
pub fn chain_hash(prev: &str, e: &AuditEntry) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut field = |v: Option<&str>| match v {
        Some(s) => {
            h.update(s.len().to_string().as_bytes());
            h.update(b":");
            h.update(s.as_bytes());
            h.update(b";");
        }
        None => h.update(b"-;"),
    };
    let at = e.at.to_string();
    field(Some(prev));
    field(Some(&at));
    field(e.actor.as_deref());
    field(Some(&e.action));
    field(Some(&e.object));
    field(Some(&e.object_id));
    field(e.record.as_deref());
    field(e.person.as_deref());
    field(e.user.as_deref());
    field(e.before.as_deref());
    field(e.after.as_deref());
    field(e.cause.as_deref());
    hex::encode(h.finalize())
}

/// Filters of `GET /api/v1/audit`.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// `record__v`
    pub record: Option<String>,
    /// `user__v`
    pub user: Option<String>,
    /// `person__v`
    pub person: Option<String>,
    /// `action`
    pub action: Option<String>,
    /// From this time (milliseconds, inclusive).
    pub from: Option<i64>,
    /// Until this time (milliseconds, exclusive).
    pub to: Option<i64>,
    /// Page size.
    pub limit: i64,
    /// Page start.
    pub offset: i64,
}

fn audit_row(r: &AnyRow) -> Result<AuditRow> {
    Ok(AuditRow {
        seq: rows::get(r, "seq")?,
        entry: AuditEntry {
            at: rows::get(r, "at")?,
            actor: rows::get(r, "actor_id")?,
            action: rows::get(r, "action")?,
            object: rows::get(r, "object")?,
            object_id: rows::get(r, "object_id")?,
            record: rows::get(r, "record_id")?,
            person: rows::get(r, "person_id")?,
            user: rows::get(r, "user_id")?,
            before: rows::get(r, "before_json")?,
            after: rows::get(r, "after_json")?,
            cause: rows::get(r, "cause")?,
        },
    })
}

impl Db<'_> {
    /// Appends an entry, chained to the one before by its hash. The head row is updated in the
    /// same transaction: on PostgreSQL its row lock makes writers append one after the other,
    /// so the chain never forks.
    pub async fn audit(&mut self, e: &AuditEntry) -> Result<()> {
        self.audit_all(std::slice::from_ref(e)).await
    }

    /// Appends entries in order: the head is read once, the chain computed here, the entries
    /// written in one statement and the head moved once.
    pub async fn audit_all(&mut self, entries: &[AuditEntry]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let head = sqlx::query(&format!(
            "SELECT hash FROM audit_head WHERE id = 1{}",
            self.backend.for_update()
        ))
        .fetch_one(&mut *self.conn)
        .await?;
        let mut prev: String = rows::get(&head, "hash")?;
        let mut rows = Vec::with_capacity(entries.len());
        for e in entries {
            let hash = chain_hash(&prev, e);
            rows.push(vec![
                V::I(e.at),
                V::opt(e.actor.as_deref()),
                V::t(e.action.as_str()),
                V::t(e.object.as_str()),
                V::t(e.object_id.as_str()),
                V::opt(e.record.as_deref()),
                V::opt(e.person.as_deref()),
                V::opt(e.user.as_deref()),
                V::opt(e.before.as_deref()),
                V::opt(e.after.as_deref()),
                V::opt(e.cause.as_deref()),
                V::T(std::mem::replace(&mut prev, hash.clone())),
                V::T(hash),
            ]);
        }
        self.insert_rows(
            "audit_trail",
            &[
                "at",
                "actor_id",
                "action",
                "object",
                "object_id",
                "record_id",
                "person_id",
                "user_id",
                "before_json",
                "after_json",
                "cause",
                "prev_hash",
                "hash",
            ],
            rows,
        )
        .await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&prev)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Walks the whole trail in order and checks every link of the chain.
    pub async fn verify_audit_chain(&mut self) -> Result<ChainReport> {
        let mut prev = "genesis".to_string();
        let mut after_seq = 0_i64;
        let mut entries = 0_i64;
        loop {
            let batch = sqlx::query(
                "SELECT seq, at, actor_id, action, object, object_id, record_id, person_id, user_id, before_json, after_json, cause, prev_hash, hash \
                 FROM audit_trail WHERE seq > $1 ORDER BY seq LIMIT 5000",
            )
            .bind(after_seq)
            .fetch_all(&mut *self.conn)
            .await?;
            if batch.is_empty() {
                break;
            }
            for r in &batch {
                let row = audit_row(r)?;
                let stored_prev: Option<String> = rows::get(r, "prev_hash")?;
                let stored: Option<String> = rows::get(r, "hash")?;
                entries += 1;
                let broken = |reason: &str| ChainReport {
                    entries,
                    intact: false,
                    broken_at: Some(row.seq),
                    reason: Some(reason.to_string()),
                };
                if stored_prev.as_deref() != Some(prev.as_str()) {
                    return Ok(broken("it does not follow the entry before it (an entry was removed, reordered or inserted)"));
                }
                let expected = chain_hash(&prev, &row.entry);
                if stored.as_deref() != Some(expected.as_str()) {
                    return Ok(broken(
                        "its content does not match its hash (the entry was changed)",
                    ));
                }
                prev = expected;
                after_seq = row.seq;
            }
        }
        let head = sqlx::query("SELECT hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *self.conn)
            .await?;
        let head: String = rows::get(&head, "hash")?;
        if head != prev {
            return Ok(ChainReport {
                entries,
                intact: false,
                broken_at: Some(after_seq),
                reason: Some("the trail ends before its last recorded entry (entries were removed at the end)".into()),
            });
        }
        Ok(ChainReport {
            entries,
            intact: true,
            broken_at: None,
            reason: None,
        })
    }

    /// Entries, filtered, newest first.
    pub async fn audit_entries(&mut self, filter: &AuditFilter) -> Result<Vec<AuditRow>> {
        let mut sql = self.audit_select(filter);
        sql.push(" ORDER BY seq DESC")
            .page(filter.limit, filter.offset);
        sql.fetch_all(self).await?.iter().map(audit_row).collect()
    }

    /// The sequence of the newest entry (0 when the trail is empty). Entries are appended
    /// under the head row's lock and committed in their sequence's order, so every entry up
    /// to it is there to read: an export that stops at it is the trail as it was.
    pub async fn audit_last_seq(&mut self) -> Result<i64> {
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS seq FROM audit_trail")
            .fetch_one(&mut *self.conn)
            .await?;
        rows::get(&row, "seq")
    }

    /// One page of an export: at most `limit` entries matching `filter` (its page ignored)
    /// with `after < seq <= upto`, oldest first. The page is found by its sequence (a key,
    /// not an offset), so entries appended meanwhile neither shift nor repeat a page, and
    /// each page costs the same however deep it is.
    pub async fn audit_entries_between(
        &mut self,
        filter: &AuditFilter,
        after: i64,
        upto: i64,
        limit: i64,
    ) -> Result<Vec<AuditRow>> {
        let mut sql = self.audit_select(filter);
        sql.and("seq > {}", [V::I(after)])
            .and("seq <= {}", [V::I(upto)])
            .push(&format!(" ORDER BY seq LIMIT {limit}"));
        sql.fetch_all(self).await?.iter().map(audit_row).collect()
    }

    /// The entries' columns, with the conditions of `filter` (its page left out).
    fn audit_select(&self, filter: &AuditFilter) -> Sql {
        let mut sql = Sql::new(
            self.backend,
            "SELECT seq, at, actor_id, action, object, object_id, record_id, person_id, user_id, before_json, after_json, cause \
             FROM audit_trail",
        );
        sql.and_eq("record_id", filter.record.as_deref())
            .and_eq("user_id", filter.user.as_deref())
            .and_eq("person_id", filter.person.as_deref())
            .and_eq("action", filter.action.as_deref());
        if let Some(from) = filter.from {
            sql.and("at >= {}", [V::I(from)]);
        }
        if let Some(to) = filter.to {
            sql.and("at < {}", [V::I(to)]);
        }
        sql
    }
}

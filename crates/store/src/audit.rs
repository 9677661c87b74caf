//! The append-only audit trail (SPEC section 6): every write adds entries in its own
//! transaction.

use sqlx::any::AnyRow;

use crate::rows::{self, Filters};
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
    /// Appends an entry.
    pub async fn audit(&mut self, e: &AuditEntry) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_trail (at, actor_id, action, object, object_id, record_id, person_id, user_id, before_json, after_json, cause) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(e.at)
        .bind(e.actor.as_deref())
        .bind(&e.action)
        .bind(&e.object)
        .bind(&e.object_id)
        .bind(e.record.as_deref())
        .bind(e.person.as_deref())
        .bind(e.user.as_deref())
        .bind(e.before.as_deref())
        .bind(e.after.as_deref())
        .bind(e.cause.as_deref())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Entries, filtered, newest first.
    pub async fn audit_entries(&mut self, filter: &AuditFilter) -> Result<Vec<AuditRow>> {
        let mut f = Filters::default();
        f.eq("record_id", filter.record.as_deref())
            .eq("user_id", filter.user.as_deref())
            .eq("person_id", filter.person.as_deref())
            .eq("action", filter.action.as_deref());
        let sql = format!(
            "SELECT seq, at, actor_id, action, object, object_id, record_id, person_id, user_id, before_json, after_json, cause \
             FROM audit_trail{} ORDER BY seq DESC LIMIT {} OFFSET {}",
            f.sql(),
            filter.limit,
            filter.offset
        );
        let mut q = sqlx::query(&sql);
        for v in &f.values {
            q = q.bind(v.as_str());
        }
        q.fetch_all(&mut *self.conn)
            .await?
            .iter()
            .map(audit_row)
            .collect()
    }
}

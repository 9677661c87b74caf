//! The license waitlist (SPEC section 11, "License waitlist"): collaborators of records whose
//! type queues (`when_no_seat = "queue"`) waiting for an external seat, oldest first. Entries
//! are written and removed by plans (`Writes`); the one guarded statement of the pool says
//! whether an entry may be written at all (`Db::queue_behind_full_pool`).

use std::collections::{BTreeMap, BTreeSet};

use portico_domain::{PersonId, RecordId, UserId};

use crate::batch::{strs, Sql};
use crate::rows;
use crate::{Db, Result};

/// One collaborator waiting for a seat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitEntry {
    /// Its place: lower waited longer.
    pub seq: i64,
    /// The record.
    pub record: RecordId,
    /// The record's object.
    pub object: String,
    /// The person who waits.
    pub person: PersonId,
    /// Who ran the action that queued it.
    pub requested_by: UserId,
    /// When, in milliseconds since the epoch.
    pub queued_at: i64,
}

/// A waiting collaborator with the names people read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitRow {
    /// The entry.
    pub entry: WaitEntry,
    /// The person's first and last name.
    pub person_name: String,
    /// The record's name.
    pub record_name: String,
    /// The record's object type (`scar__v`, …).
    pub object_type: String,
    /// The requester's first and last name.
    pub requested_by_name: String,
}

const ENTRY_COLS: &str = "w.seq, w.record_id, w.object, w.person_id, w.requested_by, w.queued_at";

fn entry(r: &sqlx::any::AnyRow) -> Result<WaitEntry> {
    Ok(WaitEntry {
        seq: rows::get(r, "seq")?,
        record: RecordId::new(rows::get::<String>(r, "record_id")?),
        object: rows::get(r, "object")?,
        person: PersonId::new(rows::get::<String>(r, "person_id")?),
        requested_by: UserId::new(rows::get::<String>(r, "requested_by")?),
        queued_at: rows::get(r, "queued_at")?,
    })
}

impl Db<'_> {
    /// The persons waiting on each of `records`.
    pub async fn waiting_on(
        &mut self,
        records: &[RecordId],
    ) -> Result<BTreeMap<RecordId, BTreeSet<PersonId>>> {
        let mut out: BTreeMap<RecordId, BTreeSet<PersonId>> = BTreeMap::new();
        for r in self
            .fetch_in(
                "SELECT record_id, person_id FROM waitlist WHERE record_id",
                &[],
                &strs(records),
                "",
            )
            .await?
        {
            out.entry(RecordId::new(rows::get::<String>(&r, "record_id")?))
                .or_default()
                .insert(PersonId::new(rows::get::<String>(&r, "person_id")?));
        }
        Ok(out)
    }

    /// The entry that waited longest, if any.
    pub async fn waitlist_head(&mut self) -> Result<Option<WaitEntry>> {
        let row = sqlx::query(&format!(
            "SELECT {ENTRY_COLS} FROM waitlist w ORDER BY w.seq LIMIT 1"
        ))
        .fetch_optional(&mut *self.conn)
        .await?;
        row.as_ref().map(entry).transpose()
    }

    /// The oldest entry whose person's account is active already (serving it takes no seat),
    /// if any.
    pub async fn waitlist_ready(&mut self) -> Result<Option<WaitEntry>> {
        let row = sqlx::query(&format!(
            "SELECT {ENTRY_COLS} FROM waitlist w JOIN persons p ON p.id = w.person_id \
             JOIN users u ON u.id = p.user_id WHERE u.status = 'active' ORDER BY w.seq LIMIT 1"
        ))
        .fetch_optional(&mut *self.conn)
        .await?;
        row.as_ref().map(entry).transpose()
    }

    /// The queue in order, with names; only `record`'s when given.
    pub async fn waitlist(
        &mut self,
        record: Option<&RecordId>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<WaitRow>> {
        let mut sql = Sql::new(
            self.backend,
            &format!(
                "SELECT {ENTRY_COLS}, p.first_name AS p_first, p.last_name AS p_last, \
                 r.name AS record_name, r.object_type AS object_type, \
                 u.first_name AS u_first, u.last_name AS u_last \
                 FROM waitlist w JOIN persons p ON p.id = w.person_id \
                 JOIN records r ON r.id = w.record_id JOIN users u ON u.id = w.requested_by"
            ),
        );
        sql.and_eq("w.record_id", record.map(RecordId::as_str));
        sql.push(" ORDER BY w.seq").page(limit, offset);
        let name = |first: String, last: String| format!("{first} {last}").trim().to_string();
        sql.fetch_all(self)
            .await?
            .iter()
            .map(|r| {
                Ok(WaitRow {
                    entry: entry(r)?,
                    person_name: name(rows::get(r, "p_first")?, rows::get(r, "p_last")?),
                    record_name: rows::get(r, "record_name")?,
                    object_type: rows::get(r, "object_type")?,
                    requested_by_name: name(rows::get(r, "u_first")?, rows::get(r, "u_last")?),
                })
            })
            .collect()
    }

    /// Removes one entry outside a plan (its record is gone); answers whether it was there.
    pub async fn drop_wait(&mut self, record: &RecordId, person: &PersonId) -> Result<bool> {
        let done = sqlx::query("DELETE FROM waitlist WHERE record_id = $1 AND person_id = $2")
            .bind(record.as_str())
            .bind(person.as_str())
            .execute(&mut *self.conn)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

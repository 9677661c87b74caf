//! The append-only audit trail (SPEC section 6): every write adds entries in its own
//! transaction.

use sqlx::any::AnyRow;

use crate::batch::{Sql, V};
use crate::rows;
use crate::{Db, Result, StoreError};

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
    /// Position in the trail, in the order entries were written.
    pub seq: i64,
    /// Place in the tamper-evident chain, once sealed (`None` for the second or so before).
    pub chain_seq: Option<i64>,
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
    /// Entries committed but not sealed yet (the sealer chains them within a second).
    pub unsealed: i64,
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

/// An entry's values in the order of [`ENTRY_INSERT_COLS`].
fn entry_values(e: &AuditEntry) -> Vec<V> {
    vec![
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
    ]
}

fn audit_row(r: &AnyRow) -> Result<AuditRow> {
    Ok(AuditRow {
        seq: rows::get(r, "seq")?,
        chain_seq: rows::get(r, "chain_seq")?,
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

/// What one round of sealing did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sealed {
    /// Entries chained in this round.
    pub entries: u64,
    /// The place in the chain of the last of them (the head's).
    pub head: i64,
}

/// The columns an entry is appended with (the chain's columns are the sealer's).
const ENTRY_INSERT_COLS: &[&str] = &[
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
];

const ENTRY_COLS: &str = "seq, chain_seq, at, actor_id, action, object, object_id, record_id, person_id, user_id, before_json, after_json, cause";

impl Db<'_> {
    /// Appends an entry. It is sealed into the chain after its transaction commits (see
    /// [`Db::seal_audit`]): appending takes no lock shared by all writers.
    pub async fn audit(&mut self, e: &AuditEntry) -> Result<()> {
        self.audit_all(std::slice::from_ref(e)).await
    }

    /// Appends entries in order, in one statement, unsealed.
    pub async fn audit_all(&mut self, entries: &[AuditEntry]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let rows = entries.iter().map(entry_values).collect();
        self.insert_rows("audit_trail", ENTRY_INSERT_COLS, rows)
            .await
    }

    /// Appends entries already sealed: each is chained onto the head in this transaction, as
    /// the sealer would chain it. For a writer that is alone on the database (`portico seed`):
    /// it holds the head until commit, so it must not run beside a serving server. Entries
    /// committed earlier and not yet sealed are sealed first, so the chain's order stays the
    /// order of commit.
    pub async fn audit_all_sealed(&mut self, entries: &[AuditEntry]) -> Result<()> {
        while self.audit_unsealed().await? {
            if self.seal_audit(500).await?.entries == 0 {
                break;
            }
        }
        let head = sqlx::query("SELECT hash, chain_seq FROM audit_head WHERE id = 1")
            .fetch_one(&mut *self.conn)
            .await?;
        let mut prev: String = rows::get(&head, "hash")?;
        let mut place: i64 = rows::get(&head, "chain_seq")?;
        let mut rows = Vec::with_capacity(entries.len());
        for e in entries {
            let hash = chain_hash(&prev, e);
            place += 1;
            let mut row = entry_values(e);
            row.extend([
                V::I(place),
                V::t(std::mem::replace(&mut prev, hash.clone())),
                V::t(hash),
            ]);
            rows.push(row);
        }
        self.insert_rows(
            "audit_trail",
            &[ENTRY_INSERT_COLS, &["chain_seq", "prev_hash", "hash"]].concat(),
            rows,
        )
        .await?;
        sqlx::query("UPDATE audit_head SET hash = $1, chain_seq = $2 WHERE id = 1")
            .bind(&prev)
            .bind(place)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Whether committed entries wait to be sealed (a read: an idle sealer writes nothing).
    pub async fn audit_unsealed(&mut self) -> Result<bool> {
        let row = sqlx::query("SELECT seq FROM audit_trail WHERE chain_seq IS NULL LIMIT 1")
            .fetch_optional(&mut *self.conn)
            .await?;
        Ok(row.is_some())
    }

    /// Seals up to `limit` committed entries into the chain, oldest first: each gets the next
    /// place (`chain_seq`), the previous hash and its own. The head row is locked by the sealer
    /// only — one sealer at a time across all servers; on PostgreSQL another sealer finding it
    /// locked skips the round (`SKIP LOCKED`) instead of waiting. An entry whose transaction
    /// commits late is sealed when it is seen: the chain's order is the order of sealing.
    pub async fn seal_audit(&mut self, limit: i64) -> Result<Sealed> {
        let lock = match self.backend {
            crate::Backend::Sqlite => "",
            crate::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let Some(head) = sqlx::query(&format!(
            "SELECT hash, chain_seq FROM audit_head WHERE id = 1{lock}"
        ))
        .fetch_optional(&mut *self.conn)
        .await?
        else {
            return Ok(Sealed::default());
        };
        let mut prev: String = rows::get(&head, "hash")?;
        let mut place: i64 = rows::get(&head, "chain_seq")?;
        let unsealed = sqlx::query(&format!(
            "SELECT {ENTRY_COLS} FROM audit_trail WHERE chain_seq IS NULL ORDER BY seq LIMIT {limit}"
        ))
        .fetch_all(&mut *self.conn)
        .await?;
        if unsealed.is_empty() {
            return Ok(Sealed {
                entries: 0,
                head: place,
            });
        }
        // Chained in order, written in one statement per round (a statement per entry was
        // a third of an activation's statements: it writes nine entries).
        let mut sealed = Vec::with_capacity(unsealed.len());
        for r in &unsealed {
            let row = audit_row(r)?;
            let hash = chain_hash(&prev, &row.entry);
            place += 1;
            sealed.push((
                V::I(row.seq),
                vec![V::I(place), V::t(prev.as_str()), V::t(hash.as_str())],
            ));
            prev = hash;
        }
        let written = self
            .set_by_key(
                "audit_trail",
                "seq",
                &["chain_seq", "prev_hash", "hash"],
                &sealed,
                " AND chain_seq IS NULL",
            )
            .await?;
        if written != sealed.len() as u64 {
            // Only the holder of the head's lock seals: an entry sealed meanwhile is a bug.
            return Err(StoreError::Corrupt(format!(
                "{} audit entries to seal, {written} were unsealed",
                sealed.len()
            )));
        }
        sqlx::query("UPDATE audit_head SET hash = $1, chain_seq = $2 WHERE id = 1")
            .bind(&prev)
            .bind(place)
            .execute(&mut *self.conn)
            .await?;
        Ok(Sealed {
            entries: u64::try_from(unsealed.len()).unwrap_or(u64::MAX),
            head: place,
        })
    }

    /// Walks the sealed trail in chain order and checks every link; entries not yet sealed
    /// are counted, not judged.
    pub async fn verify_audit_chain(&mut self) -> Result<ChainReport> {
        self.verify_audit_chain_against(&std::collections::BTreeMap::new(), None)
            .await
    }

    /// Like [`Db::verify_audit_chain`], also holding the chain to what signed checkpoints
    /// recorded: `anchors` are the hashes they kept by place, `reach` the place and hash the
    /// chain must reach. A writer of the database can rewrite an entry and recompute every hash
    /// after it, so that each link holds; the recomputed hashes then differ from the signed
    /// ones from that entry on, and the first that differs is the entry changed.
    pub async fn verify_audit_chain_against(
        &mut self,
        anchors: &std::collections::BTreeMap<i64, String>,
        reach: Option<&crate::ChainHead>,
    ) -> Result<ChainReport> {
        let mut prev = "genesis".to_string();
        let mut after = 0_i64;
        let mut entries = 0_i64;
        loop {
            let batch = sqlx::query(&format!(
                "SELECT {ENTRY_COLS}, prev_hash, hash \
                 FROM audit_trail WHERE chain_seq > $1 ORDER BY chain_seq LIMIT 5000"
            ))
            .bind(after)
            .fetch_all(&mut *self.conn)
            .await?;
            if batch.is_empty() {
                break;
            }
            for r in &batch {
                let row = audit_row(r)?;
                let place: i64 = rows::get(r, "chain_seq")?;
                let stored_prev: Option<String> = rows::get(r, "prev_hash")?;
                let stored: Option<String> = rows::get(r, "hash")?;
                entries += 1;
                let broken = |reason: &str| ChainReport {
                    entries,
                    intact: false,
                    broken_at: Some(row.seq),
                    reason: Some(reason.to_string()),
                    unsealed: 0,
                };
                if place != after + 1 || stored_prev.as_deref() != Some(prev.as_str()) {
                    return Ok(broken("it does not follow the entry before it (an entry was removed, reordered or inserted)"));
                }
                let expected = chain_hash(&prev, &row.entry);
                if stored.as_deref() != Some(expected.as_str()) {
                    return Ok(broken(
                        "its content does not match its hash (the entry was changed)",
                    ));
                }
                if anchors
                    .get(&place)
                    .is_some_and(|signed| *signed != expected)
                {
                    return Ok(broken(
                        "it no longer matches the signed checkpoint (the entry was changed and the hashes after it recomputed)",
                    ));
                }
                if reach.is_some_and(|r| r.seq == place && r.hash != expected) {
                    return Ok(broken(
                        "the chain up to here does not end at the signed checkpoint's head: this entry or one before it was changed (the checkpoints that would name it are missing)",
                    ));
                }
                prev = expected;
                after = place;
            }
        }
        if let Some(r) = reach.filter(|r| r.seq > after) {
            return Ok(ChainReport {
                entries,
                intact: false,
                broken_at: Some(after + 1),
                reason: Some(format!(
                    "the trail ends at entry {after}, but the signed checkpoint covers {} entries: entries {}..={} were removed",
                    r.seq,
                    after + 1,
                    r.seq
                )),
                unsealed: 0,
            });
        }
        let head = sqlx::query("SELECT hash, chain_seq FROM audit_head WHERE id = 1")
            .fetch_one(&mut *self.conn)
            .await?;
        let head_hash: String = rows::get(&head, "hash")?;
        let head_place: i64 = rows::get(&head, "chain_seq")?;
        let unsealed = sqlx::query("SELECT COUNT(*) AS n FROM audit_trail WHERE chain_seq IS NULL")
            .fetch_one(&mut *self.conn)
            .await?;
        let unsealed: i64 = rows::get(&unsealed, "n")?;
        if head_hash != prev || head_place != after {
            return Ok(ChainReport {
                entries,
                intact: false,
                broken_at: Some(after),
                reason: Some("the trail ends before its last recorded entry (entries were removed at the end)".into()),
                unsealed,
            });
        }
        Ok(ChainReport {
            entries,
            intact: true,
            broken_at: None,
            reason: None,
            unsealed,
        })
    }

    /// Entries, filtered, newest first.
    pub async fn audit_entries(&mut self, filter: &AuditFilter) -> Result<Vec<AuditRow>> {
        let mut sql = self.audit_select(filter);
        sql.push(" ORDER BY seq DESC")
            .page(filter.limit, filter.offset);
        sql.fetch_all(self).await?.iter().map(audit_row).collect()
    }

    /// The place of the last sealed entry (0 when none is). Sealed entries never change
    /// place, so an export that stops here is the sealed trail as it was when it began.
    pub async fn audit_sealed_head(&mut self) -> Result<i64> {
        let row = sqlx::query("SELECT chain_seq FROM audit_head WHERE id = 1")
            .fetch_one(&mut *self.conn)
            .await?;
        rows::get(&row, "chain_seq")
    }

    /// One page of an export: at most `limit` sealed entries matching `filter` (its page
    /// ignored) with `after < chain_seq <= upto`, in chain order. The page is found by its
    /// place (a key, not an offset), so entries sealed meanwhile neither shift nor repeat a
    /// page, and each page costs the same however deep it is.
    pub async fn audit_entries_between(
        &mut self,
        filter: &AuditFilter,
        after: i64,
        upto: i64,
        limit: i64,
    ) -> Result<Vec<AuditRow>> {
        let mut sql = self.audit_select(filter);
        sql.and("chain_seq > {}", [V::I(after)])
            .and("chain_seq <= {}", [V::I(upto)])
            .push(&format!(" ORDER BY chain_seq LIMIT {limit}"));
        sql.fetch_all(self).await?.iter().map(audit_row).collect()
    }

    /// The entries' columns, with the conditions of `filter` (its page left out).
    fn audit_select(&self, filter: &AuditFilter) -> Sql {
        let mut sql = Sql::new(
            self.backend,
            &format!("SELECT {ENTRY_COLS} FROM audit_trail"),
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

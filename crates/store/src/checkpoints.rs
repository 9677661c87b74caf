//! Signed checkpoints of the audit chain (issue 16). The store keeps them and claims the
//! scheduled one; signing and checking signatures is the service's (the key is a file, never
//! in the database).

use sqlx::any::AnyRow;

use crate::rows;
use crate::{Db, Result};

/// A checkpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointRow {
    /// The place in the chain it covers up to.
    pub seq: i64,
    /// The place of the checkpoint before it (0: none).
    pub previous: i64,
    /// The chain's hash at `seq`.
    pub head: String,
    /// When, RFC 3339, as signed.
    pub at: String,
    /// When, in milliseconds.
    pub at_ms: i64,
    /// Which key signed it.
    pub key_id: String,
    /// SHA-256 over `hashes`, as signed.
    pub entries_sha256: String,
    /// The hashes of the entries `previous + 1 ..= seq`, in chain order.
    pub hashes: Vec<String>,
    /// The Ed25519 signature (hex).
    pub signature: String,
}

/// The chain's head: the last sealed entry's place and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    /// Its place (0: nothing sealed yet).
    pub seq: i64,
    /// Its hash.
    pub hash: String,
}

const COLS: &str = "seq, previous, head, at, at_ms, key_id, entries_sha256, hashes, signature";

fn checkpoint_row(r: &AnyRow) -> Result<CheckpointRow> {
    let hashes: String = rows::get(r, "hashes")?;
    Ok(CheckpointRow {
        seq: rows::get(r, "seq")?,
        previous: rows::get(r, "previous")?,
        head: rows::get(r, "head")?,
        at: rows::get(r, "at")?,
        at_ms: rows::get(r, "at_ms")?,
        key_id: rows::get(r, "key_id")?,
        entries_sha256: rows::get(r, "entries_sha256")?,
        hashes: hashes
            .split(',')
            .filter(|h| !h.is_empty())
            .map(str::to_string)
            .collect(),
        signature: rows::get(r, "signature")?,
    })
}

impl Db<'_> {
    /// Claims the scheduled checkpoint when it is due: moves its time to `next_at` in one
    /// conditional statement, so of several servers exactly one gets `true`.
    pub async fn claim_audit_checkpoint(&mut self, now: i64, next_at: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE audit_checkpoint_schedule SET next_at = $1 WHERE id = 1 AND next_at <= $2",
        )
        .bind(next_at)
        .bind(now)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes the schedule's row (a checkpoint made on demand), so that checkpoints are made one
    /// at a time across servers, and moves the next scheduled one to `next_at`.
    pub async fn lock_audit_checkpoints(&mut self, next_at: i64) -> Result<()> {
        sqlx::query("UPDATE audit_checkpoint_schedule SET next_at = $1 WHERE id = 1")
            .bind(next_at)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// The chain's head as sealed.
    pub async fn audit_head(&mut self) -> Result<ChainHead> {
        let row = sqlx::query("SELECT hash, chain_seq FROM audit_head WHERE id = 1")
            .fetch_one(&mut *self.conn)
            .await?;
        Ok(ChainHead {
            seq: rows::get(&row, "chain_seq")?,
            hash: rows::get(&row, "hash")?,
        })
    }

    /// The stored hashes of the sealed entries with `after < chain_seq <= upto`, in chain order.
    pub async fn audit_hashes_between(&mut self, after: i64, upto: i64) -> Result<Vec<String>> {
        sqlx::query(
            "SELECT hash FROM audit_trail WHERE chain_seq > $1 AND chain_seq <= $2 ORDER BY chain_seq",
        )
        .bind(after)
        .bind(upto)
        .fetch_all(&mut *self.conn)
        .await?
        .iter()
        .map(|r| rows::get::<Option<String>>(r, "hash").map(Option::unwrap_or_default))
        .collect()
    }

    /// Keeps a checkpoint.
    pub async fn insert_checkpoint(&mut self, c: &CheckpointRow) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO audit_checkpoints ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(c.seq)
        .bind(c.previous)
        .bind(&c.head)
        .bind(&c.at)
        .bind(c.at_ms)
        .bind(&c.key_id)
        .bind(&c.entries_sha256)
        .bind(c.hashes.join(","))
        .bind(&c.signature)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// The latest checkpoint.
    pub async fn last_checkpoint(&mut self) -> Result<Option<CheckpointRow>> {
        sqlx::query(&format!(
            "SELECT {COLS} FROM audit_checkpoints ORDER BY seq DESC LIMIT 1"
        ))
        .fetch_optional(&mut *self.conn)
        .await?
        .as_ref()
        .map(checkpoint_row)
        .transpose()
    }

    /// Checkpoints, newest first, a page at a time.
    pub async fn checkpoints(&mut self, limit: i64, offset: i64) -> Result<Vec<CheckpointRow>> {
        sqlx::query(&format!(
            "SELECT {COLS} FROM audit_checkpoints ORDER BY seq DESC LIMIT $1 OFFSET $2"
        ))
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *self.conn)
        .await?
        .iter()
        .map(checkpoint_row)
        .collect()
    }

    /// Every checkpoint up to the place `upto`, oldest first (the anchors of a check).
    pub async fn checkpoints_upto(&mut self, upto: i64) -> Result<Vec<CheckpointRow>> {
        sqlx::query(&format!(
            "SELECT {COLS} FROM audit_checkpoints WHERE seq <= $1 ORDER BY seq"
        ))
        .bind(upto)
        .fetch_all(&mut *self.conn)
        .await?
        .iter()
        .map(checkpoint_row)
        .collect()
    }
}

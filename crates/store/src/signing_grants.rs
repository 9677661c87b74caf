//! Signing at the identity provider (SPEC section 11): the round trip a user who signs in
//! through single sign-on makes to sign, and the single-use grant it leaves. Only hashes of the
//! round trip's and the grant's tokens are stored.

use portico_domain::UserId;
use sqlx::any::AnyRow;

use crate::rows;
use crate::{Db, Result};

/// A signing round trip, and its grant once the provider confirmed the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningGrantRow {
    /// The hash of the session that started it.
    pub session_hash: String,
    /// Who is to sign.
    pub user: UserId,
    /// The records' object, e.g. `car__v`.
    pub object: String,
    /// The records to be signed, sorted, comma-separated.
    pub records: String,
    /// `action:<name>` or `task:<id>`.
    pub signing: String,
    /// The meaning to be signed.
    pub meaning: String,
    /// When the round trip began (ms).
    pub started_at: i64,
    /// When the provider confirmed the person (ms); `None` while the round trip is under way.
    pub confirmed_at: Option<i64>,
    /// Past this (ms) the round trip, or its grant, is of no use.
    pub expires_at: i64,
    /// When the grant signed (ms); a grant signs once.
    pub used_at: Option<i64>,
}

const COLS: &str = "session_hash, user_id, object, records, signing, meaning, started_at, confirmed_at, expires_at, used_at";

fn grant(r: &AnyRow) -> Result<SigningGrantRow> {
    Ok(SigningGrantRow {
        session_hash: rows::get(r, "session_hash")?,
        user: UserId::new(rows::get::<String>(r, "user_id")?),
        object: rows::get(r, "object")?,
        records: rows::get(r, "records")?,
        signing: rows::get(r, "signing")?,
        meaning: rows::get(r, "meaning")?,
        started_at: rows::get(r, "started_at")?,
        confirmed_at: rows::get(r, "confirmed_at")?,
        expires_at: rows::get(r, "expires_at")?,
        used_at: rows::get(r, "used_at")?,
    })
}

impl Db<'_> {
    /// Records a signing round trip as it starts, under the hash of its token.
    pub async fn insert_signing_round_trip(
        &mut self,
        flow_hash: &str,
        g: &SigningGrantRow,
    ) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO signing_grants (flow_hash, {COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, NULL)"
        ))
        .bind(flow_hash)
        .bind(g.session_hash.as_str())
        .bind(g.user.as_str())
        .bind(g.object.as_str())
        .bind(g.records.as_str())
        .bind(g.signing.as_str())
        .bind(g.meaning.as_str())
        .bind(g.started_at)
        .bind(g.expires_at)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// The round trip of a token hash.
    pub async fn signing_round_trip(&mut self, flow_hash: &str) -> Result<Option<SigningGrantRow>> {
        let row = sqlx::query(&format!(
            "SELECT {COLS} FROM signing_grants WHERE flow_hash = $1"
        ))
        .bind(flow_hash)
        .fetch_optional(&mut *self.conn)
        .await?;
        row.as_ref().map(grant).transpose()
    }

    /// Gives a round trip under way its grant (by hash), valid until `expires_at`. Answers
    /// false when the round trip was confirmed already (its answer came back twice).
    pub async fn confirm_signing_grant(
        &mut self,
        flow_hash: &str,
        token_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE signing_grants SET token_hash = $1, confirmed_at = $2, expires_at = $3 WHERE flow_hash = $4 AND confirmed_at IS NULL",
        )
        .bind(token_hash)
        .bind(now)
        .bind(expires_at)
        .bind(flow_hash)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The grant of a token hash.
    pub async fn signing_grant(&mut self, token_hash: &str) -> Result<Option<SigningGrantRow>> {
        let row = sqlx::query(&format!(
            "SELECT {COLS} FROM signing_grants WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&mut *self.conn)
        .await?;
        row.as_ref().map(grant).transpose()
    }

    /// Spends a grant: answers false when it was spent already (by a request running at the
    /// same time, say).
    pub async fn use_signing_grant(&mut self, token_hash: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE signing_grants SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
        )
        .bind(now)
        .bind(token_hash)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes the round trips and grants that expired before `now` (used or not): past its
    /// expiry a grant signs nothing, and what it signed is kept in the signature and the audit
    /// trail. Answers how many went. Served by the `signing_grants_expiry` index.
    pub async fn purge_signing_grants(&mut self, now: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM signing_grants WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *self.conn)
            .await?;
        Ok(done.rows_affected())
    }

    /// Notes the provider's issuer and subject on a session opened by single sign-on.
    pub async fn set_session_provider(
        &mut self,
        token_hash: &str,
        issuer: &str,
        subject: &str,
    ) -> Result<()> {
        sqlx::query("UPDATE sessions SET sso_issuer = $1, sso_subject = $2 WHERE token_hash = $3")
            .bind(issuer)
            .bind(subject)
            .bind(token_hash)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// The provider's issuer and subject of a session opened by single sign-on.
    pub async fn session_provider(&mut self, token_hash: &str) -> Result<Option<(String, String)>> {
        let row = sqlx::query(
            "SELECT sso_issuer, sso_subject FROM sessions WHERE token_hash = $1 AND sso_issuer IS NOT NULL",
        )
        .bind(token_hash)
        .fetch_optional(&mut *self.conn)
        .await?;
        row.map(|r| Ok((rows::get(&r, "sso_issuer")?, rows::get(&r, "sso_subject")?)))
            .transpose()
    }
}

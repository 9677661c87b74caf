//! What SCIM 2.0 provisioning keeps: the identity providers' bearer tokens (by hash) and, per
//! user, the provider's `externalId`, the time of the last SCIM change and SCIM deletion.

use portico_domain::model::User;
use portico_domain::UserId;
use sqlx::any::AnyRow;

use crate::rows::{self, USER_COLS};
use crate::{Db, Result};

/// A SCIM token as listed (never the token itself: only its hash is kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimTokenRow {
    /// Its id.
    pub id: String,
    /// The identity provider it was made for, e.g. "Okta".
    pub name: String,
    /// When it was made.
    pub created_at: i64,
    /// The administrator who made it.
    pub created_by: Option<String>,
    /// When it was revoked; a revoked token opens nothing.
    pub revoked_at: Option<i64>,
}

/// A user as SCIM shows it: Portico's user with what SCIM adds.
#[derive(Debug, Clone)]
pub struct ScimUserRow {
    /// The user.
    pub user: User,
    /// `externalId`, the provider's own id.
    pub external_id: Option<String>,
    /// `meta.created`.
    pub created_at: i64,
    /// `meta.lastModified`: the last SCIM change (the creation when none).
    pub updated_at: i64,
}

/// What a SCIM replace writes of a user besides its status.
#[derive(Debug, Clone)]
pub struct ScimUserDetails {
    /// `userName`
    pub username: String,
    /// `name.givenName`
    pub first_name: String,
    /// `name.familyName`
    pub last_name: String,
    /// The primary email.
    pub email: String,
    /// `externalId`
    pub external_id: Option<String>,
}

const TOKEN_COLS: &str = "id, name, created_at, created_by, revoked_at";

fn token(row: &AnyRow) -> Result<ScimTokenRow> {
    Ok(ScimTokenRow {
        id: rows::get(row, "id")?,
        name: rows::get(row, "name")?,
        created_at: rows::get(row, "created_at")?,
        created_by: rows::get(row, "created_by")?,
        revoked_at: rows::get(row, "revoked_at")?,
    })
}

fn scim_user(row: &AnyRow) -> Result<ScimUserRow> {
    let created_at: i64 = rows::get(row, "created_at")?;
    Ok(ScimUserRow {
        user: rows::user(row)?,
        external_id: rows::get(row, "external_id")?,
        created_at,
        updated_at: rows::get::<Option<i64>>(row, "updated_at")?.unwrap_or(created_at),
    })
}

impl Db<'_> {
    /// Stores a new token under its hash.
    pub async fn insert_scim_token(&mut self, row: &ScimTokenRow, token_hash: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO scim_tokens (id, name, token_hash, created_at, created_by) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(row.id.as_str())
        .bind(row.name.as_str())
        .bind(token_hash)
        .bind(row.created_at)
        .bind(row.created_by.as_deref())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Every token, revoked ones too, oldest first.
    pub async fn scim_tokens(&mut self) -> Result<Vec<ScimTokenRow>> {
        let sql = format!("SELECT {TOKEN_COLS} FROM scim_tokens ORDER BY created_at, id");
        sqlx::query(&sql)
            .fetch_all(&mut *self.conn)
            .await?
            .iter()
            .map(token)
            .collect()
    }

    /// The token with this hash, if it was not revoked.
    pub async fn live_scim_token(&mut self, token_hash: &str) -> Result<Option<ScimTokenRow>> {
        let sql = format!(
            "SELECT {TOKEN_COLS} FROM scim_tokens WHERE token_hash = $1 AND revoked_at IS NULL"
        );
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(token).transpose()
    }

    /// Revokes a token; answers the token as it was, `None` when there is no such token.
    pub async fn revoke_scim_token(&mut self, id: &str, now: i64) -> Result<Option<ScimTokenRow>> {
        let sql = format!("SELECT {TOKEN_COLS} FROM scim_tokens WHERE id = $1");
        let Some(before) = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&mut *self.conn)
            .await?
        else {
            return Ok(None);
        };
        sqlx::query("UPDATE scim_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *self.conn)
            .await?;
        token(&before).map(Some)
    }

    /// Every user SCIM sees (all but those deleted over SCIM), oldest first.
    pub async fn scim_users(&mut self) -> Result<Vec<ScimUserRow>> {
        let sql = format!(
            "SELECT {USER_COLS}, external_id, created_at, updated_at FROM users WHERE scim_deleted_at IS NULL ORDER BY created_at, id"
        );
        sqlx::query(&sql)
            .fetch_all(&mut *self.conn)
            .await?
            .iter()
            .map(scim_user)
            .collect()
    }

    /// One user as SCIM sees it (`None` when deleted over SCIM).
    pub async fn scim_user(&mut self, id: &UserId) -> Result<Option<ScimUserRow>> {
        let sql = format!(
            "SELECT {USER_COLS}, external_id, created_at, updated_at FROM users WHERE id = $1 AND scim_deleted_at IS NULL"
        );
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(scim_user).transpose()
    }

    /// Writes what a SCIM create or replace sets besides the status.
    pub async fn set_scim_details(
        &mut self,
        id: &UserId,
        details: &ScimUserDetails,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE users SET username = $1, first_name = $2, last_name = $3, email = $4, external_id = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(details.username.as_str())
        .bind(details.first_name.as_str())
        .bind(details.last_name.as_str())
        .bind(details.email.as_str())
        .bind(details.external_id.as_deref())
        .bind(now)
        .bind(id.as_str())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Marks a user deleted over SCIM (its status is changed separately, with its seat).
    pub async fn mark_scim_deleted(&mut self, id: &UserId, now: i64) -> Result<()> {
        sqlx::query("UPDATE users SET scim_deleted_at = $1, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id.as_str())
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }
}

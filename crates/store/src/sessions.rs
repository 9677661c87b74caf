//! Bearer sessions, kept in the database so that any server can check any session.

use portico_domain::model::User;
use portico_domain::UserId;

use crate::rows::{self, USER_COLS};
use crate::{Db, Result};

/// A session with its user.
#[derive(Debug, Clone)]
pub struct SessionRow {
    /// The signed-in user, as it is now.
    pub user: User,
    /// Last use.
    pub last_seen_at: i64,
    /// Absolute end.
    pub expires_at: i64,
    /// Whether the user signed in with a one-time password it must change first.
    pub must_change_password: bool,
}

impl Db<'_> {
    /// Stores a new session under the hash of its token.
    pub async fn insert_session(
        &mut self,
        token_hash: &str,
        user: &UserId,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $4)",
        )
        .bind(token_hash)
        .bind(user.as_str())
        .bind(now)
        .bind(expires_at)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// The session of a token hash with its user.
    pub async fn session(&mut self, token_hash: &str) -> Result<Option<SessionRow>> {
        let cols = USER_COLS
            .split(", ")
            .map(|c| format!("u.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {cols}, s.last_seen_at, s.expires_at, u.must_change_password FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1"
        );
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .fetch_optional(&mut *self.conn)
            .await?;
        match row {
            Some(r) => Ok(Some(SessionRow {
                user: rows::user(&r)?,
                last_seen_at: rows::get(&r, "last_seen_at")?,
                expires_at: rows::get(&r, "expires_at")?,
                must_change_password: rows::get::<i64>(&r, "must_change_password")? != 0,
            })),
            None => Ok(None),
        }
    }

    /// Records a use of the session.
    pub async fn touch_session(&mut self, token_hash: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Ends one session.
    pub async fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Ends every session of a user (on inactivation, SPEC section 6).
    pub async fn delete_sessions_of(&mut self, user: &UserId) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.as_str())
            .execute(&mut *self.conn)
            .await?;
        Ok(done.rows_affected())
    }

    /// Ends every session of a user but the one with `keep` as its token hash (a password
    /// change ends the sessions opened before it, except the one that made the change).
    pub async fn delete_other_sessions_of(&mut self, user: &UserId, keep: &str) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user.as_str())
            .bind(keep)
            .execute(&mut *self.conn)
            .await?;
        Ok(done.rows_affected())
    }
}

impl Db<'_> {
    /// Stores a set-password token (by hash).
    pub async fn insert_password_token(
        &mut self,
        token_hash: &str,
        user: &UserId,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query("INSERT INTO password_tokens (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user.as_str())
            .bind(now)
            .bind(expires_at)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Uses a set-password token once: answers its user when it was unused and not expired.
    pub async fn use_password_token(
        &mut self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<UserId>> {
        let row = sqlx::query(
            "UPDATE password_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
        )
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&mut *self.conn)
        .await?;
        row.map(|r| Ok(UserId::new(rows::get::<String>(&r, "user_id")?)))
            .transpose()
    }
}

impl Db<'_> {
    /// Ends every set-password link of a user that is still usable (a password was set or
    /// changed: older links must not set it again). Answers how many ended.
    pub async fn end_password_links_of(&mut self, user: &UserId, now: i64) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE password_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
        )
        .bind(now)
        .bind(user.as_str())
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected())
    }

    /// The user of a set-password token that can still be used (not used, not expired).
    pub async fn password_token_user(
        &mut self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<UserId>> {
        let row = sqlx::query(
            "SELECT user_id FROM password_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *self.conn)
        .await?;
        row.map(|r| Ok(UserId::new(rows::get::<String>(&r, "user_id")?)))
            .transpose()
    }

    /// Whether a set-password token can still be used (not used, not expired).
    pub async fn password_token_usable(&mut self, token_hash: &str, now: i64) -> Result<bool> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM password_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_one(&mut *self.conn)
        .await?;
        Ok(rows::get::<i64>(&row, "n")? > 0)
    }

    /// The `language__v` of the person behind a usable set-password link, for the page it
    /// opens; `None` for a used or expired link, or a user without a person.
    pub async fn password_token_language(
        &mut self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT p.language FROM password_tokens t JOIN users u ON u.id = t.user_id \
             JOIN persons p ON p.id = u.person_id \
             WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *self.conn)
        .await?;
        row.map(|r| rows::get(&r, "language")).transpose()
    }
}

impl Db<'_> {
    /// Counts one attempt for `key` (a user, an address, a kind of request) in the window that
    /// began at `window_start`, and answers the count including this attempt. One statement:
    /// parallel attempts each see their own count, so no burst gets past the limit between a
    /// read and a write. A window older than `window_start` starts over.
    ///
    /// The key is `kind` followed by `value` lower-cased by the database — the same `lower()`
    /// that finds a user by its username — so that no spelling of one name (`ADMİN`, say,
    /// which PostgreSQL lowers to `admin`) gets a counter of its own.
    pub async fn count_attempt(
        &mut self,
        kind: &str,
        value: &str,
        window_start: i64,
        now: i64,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO login_failures (key, window_start, failures) VALUES ($1 || lower($4), $3, 1) \
             ON CONFLICT (key) DO UPDATE SET \
             failures = CASE WHEN login_failures.window_start < $2 THEN 1 ELSE login_failures.failures + 1 END, \
             window_start = CASE WHEN login_failures.window_start < $2 THEN $3 ELSE login_failures.window_start END \
             RETURNING failures",
        )
        .bind(kind)
        .bind(window_start)
        .bind(now)
        .bind(value)
        .fetch_one(&mut *self.conn)
        .await?;
        rows::get(&row, "failures")
    }

    /// Takes back one counted attempt (it succeeded, so it is no failure).
    pub async fn uncount_attempt(&mut self, kind: &str, value: &str) -> Result<()> {
        sqlx::query(
            "UPDATE login_failures SET failures = failures - 1 WHERE key = $1 || lower($2) AND failures > 0",
        )
        .bind(kind)
        .bind(value)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Forgets the attempts of a key (after a successful sign-in).
    pub async fn clear_login_failures(&mut self, kind: &str, value: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1 || lower($2)")
            .bind(kind)
            .bind(value)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }
}

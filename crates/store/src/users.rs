//! Users, passwords, and the lookups of C2 step 1.

use portico_domain::model::{LicenseType, SecurityProfile, User, UserStatus};
use portico_domain::{PersonId, UserId};
use sqlx::Row;

use crate::batch::{Sql, V};
use crate::rows::{self, license_name, status_name, USER_COLS};
use crate::{Db, Result};

/// A user to insert.
#[derive(Debug, Clone)]
pub struct NewUserRow {
    /// The user.
    pub user: User,
    /// Its language.
    pub language: String,
    /// Its Argon2id hash, when it has a password.
    pub password_hash: Option<String>,
}

/// The condition that finds a user by its username whatever its case (the expression of the
/// unique index `users_username_lower`).
pub(crate) const BY_USERNAME: &str = "lower(username) = lower($1)";

/// What sign-in needs to know of a user.
#[derive(Debug, Clone)]
pub struct LoginRow {
    /// The user.
    pub user: User,
    /// Its Argon2id hash, when it has a password.
    pub password_hash: Option<String>,
    /// Whether the password is a one-time password (it must be changed first).
    pub one_time: bool,
    /// When the password stops working (one-time passwords).
    pub expires_at: Option<i64>,
    /// Whether the one sign-in a one-time password allows has happened.
    pub one_time_used: bool,
}

/// Filters of `GET /api/v1/users`.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// `person__v`
    pub person: Option<String>,
    /// `status__v` as stored (`active`/`inactive`).
    pub status: Option<String>,
    /// `license_type__v` as stored.
    pub license: Option<String>,
    /// Page size.
    pub limit: i64,
    /// Page start.
    pub offset: i64,
}

/// The columns a new user row fills, in this order.
pub(crate) const USER_INSERT_COLS: &[&str] = &[
    "id",
    "username",
    "first_name",
    "last_name",
    "email",
    "status",
    "license",
    "security_profile",
    "managed",
    "person_id",
    "language",
    "password_hash",
    "created_at",
];

impl Db<'_> {
    /// Inserts a user.
    pub async fn insert_user(&mut self, new: &NewUserRow, now: i64) -> Result<()> {
        self.insert_users(std::slice::from_ref(new), now).await
    }

    /// Inserts new users, one statement for all.
    pub async fn insert_users(&mut self, new: &[NewUserRow], now: i64) -> Result<()> {
        let rows = new
            .iter()
            .map(|n| {
                let u = &n.user;
                vec![
                    V::t(u.id.as_str()),
                    V::t(u.username.as_str()),
                    V::t(u.first_name.as_str()),
                    V::t(u.last_name.as_str()),
                    V::t(u.email.as_str()),
                    V::t(status_name(u.status)),
                    V::t(license_name(u.license)),
                    V::t(u.security_profile.name()),
                    V::I(i64::from(u.managed)),
                    V::opt(u.person.as_ref().map(PersonId::as_str)),
                    V::t(n.language.as_str()),
                    V::opt(n.password_hash.as_deref()),
                    V::I(now),
                ]
            })
            .collect();
        self.insert_rows("users", USER_INSERT_COLS, rows).await
    }

    /// The user with this id.
    pub async fn user(&mut self, id: &UserId) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(rows::user).transpose()
    }

    /// Locks and reads users, in id order so that concurrent writers never deadlock.
    pub async fn lock_users(&mut self, ids: &[UserId]) -> Result<Vec<User>> {
        let ids: Vec<&str> = ids.iter().map(UserId::as_str).collect();
        self.lock_rows("users", USER_COLS, &ids, rows::user).await
    }

    /// The user with this username (whatever its case) and its password, for sign-in.
    pub async fn user_for_login(&mut self, username: &str) -> Result<Option<LoginRow>> {
        let sql = format!(
            "SELECT {USER_COLS}, password_hash, must_change_password, password_expires_at, one_time_used_at \
             FROM users WHERE {BY_USERNAME}"
        );
        let row = sqlx::query(&sql)
            .bind(username.trim())
            .fetch_optional(&mut *self.conn)
            .await?;
        match row {
            Some(r) => Ok(Some(LoginRow {
                user: rows::user(&r)?,
                password_hash: rows::get(&r, "password_hash")?,
                one_time: rows::get::<i64>(&r, "must_change_password")? != 0,
                expires_at: rows::get(&r, "password_expires_at")?,
                one_time_used: rows::get::<Option<i64>>(&r, "one_time_used_at")?.is_some(),
            })),
            None => Ok(None),
        }
    }

    /// Records the one sign-in a one-time password allows; answers false when it had already
    /// been used (by a parallel sign-in, say).
    pub async fn use_one_time_password(&mut self, id: &UserId, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE users SET one_time_used_at = $1 WHERE id = $2 AND must_change_password = 1 AND one_time_used_at IS NULL",
        )
        .bind(now)
        .bind(id.as_str())
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A user and its password hash by id (to check a current password).
    pub async fn user_with_password(
        &mut self,
        id: &UserId,
    ) -> Result<Option<(User, Option<String>)>> {
        let sql = format!("SELECT {USER_COLS}, password_hash FROM users WHERE id = $1");
        self.user_with_hash(&sql, id.as_str()).await
    }

    /// Every user with this email address (whatever its case), oldest first: single sign-on
    /// finds the staff member among them.
    pub async fn users_by_email(&mut self, email: &str) -> Result<Vec<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE email = $1 ORDER BY created_at, id");
        sqlx::query(&sql)
            .bind(email.trim().to_lowercase())
            .fetch_all(&mut *self.conn)
            .await?
            .iter()
            .map(rows::user)
            .collect()
    }

    /// An active user by username or email, for a new set-password link.
    pub async fn active_user_by_login(&mut self, login: &str) -> Result<Option<User>> {
        let sql = format!(
            "SELECT {USER_COLS} FROM users WHERE status = 'active' AND (lower(username) = lower($1) OR email = $2) ORDER BY created_at LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(login)
            .bind(login.trim().to_lowercase())
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(rows::user).transpose()
    }

    async fn user_with_hash(
        &mut self,
        sql: &str,
        key: &str,
    ) -> Result<Option<(User, Option<String>)>> {
        let row = sqlx::query(sql)
            .bind(key)
            .fetch_optional(&mut *self.conn)
            .await?;
        match row {
            Some(r) => Ok(Some((rows::user(&r)?, rows::get(&r, "password_hash")?))),
            None => Ok(None),
        }
    }

    /// Users, filtered.
    pub async fn users(&mut self, filter: &UserFilter) -> Result<Vec<User>> {
        let mut sql = Sql::new(self.backend, &format!("SELECT {USER_COLS} FROM users"));
        sql.and_eq("person_id", filter.person.as_deref())
            .and_eq("status", filter.status.as_deref())
            .and_eq("license", filter.license.as_deref())
            .push(" ORDER BY created_at, id")
            .page(filter.limit, filter.offset);
        sql.fetch_all(self).await?.iter().map(rows::user).collect()
    }

    /// Sets a user's status.
    pub async fn set_user_status(&mut self, id: &UserId, status: UserStatus) -> Result<()> {
        sqlx::query("UPDATE users SET status = $1 WHERE id = $2")
            .bind(status_name(status))
            .bind(id.as_str())
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Sets a user's managed flag.
    pub async fn set_user_managed(&mut self, id: &UserId, managed: bool) -> Result<()> {
        sqlx::query("UPDATE users SET managed = $1 WHERE id = $2")
            .bind(i64::from(managed))
            .bind(id.as_str())
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Sets a user's own password (its hash): no longer a one-time password.
    pub async fn set_password_hash(&mut self, id: &UserId, hash: &str) -> Result<()> {
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = 0, password_expires_at = NULL, one_time_used_at = NULL WHERE id = $2",
        )
        .bind(hash)
        .bind(id.as_str())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Gives a user a one-time password (its hash) that works for one sign-in before
    /// `expires_at`, after which only changing it is allowed.
    pub async fn set_one_time_password(
        &mut self,
        id: &UserId,
        hash: &str,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = 1, password_expires_at = $2, one_time_used_at = NULL WHERE id = $3",
        )
        .bind(hash)
        .bind(expires_at)
        .bind(id.as_str())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Links a user and a person both ways.
    pub async fn link_user_person(&mut self, user: &UserId, person: &PersonId) -> Result<()> {
        sqlx::query("UPDATE users SET person_id = $1 WHERE id = $2")
            .bind(person.as_str())
            .bind(user.as_str())
            .execute(&mut *self.conn)
            .await?;
        sqlx::query("UPDATE persons SET user_id = $1 WHERE id = $2")
            .bind(user.as_str())
            .bind(person.as_str())
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// How many users exist (zero means a first start).
    pub async fn user_count(&mut self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&mut *self.conn)
            .await?;
        rows::get(&row, "n")
    }

    /// A user's username by id, for messages and templates (`${creator}`).
    pub async fn user_brief(&mut self, id: &UserId) -> Result<Option<(String, String)>> {
        let row = sqlx::query("SELECT first_name, last_name, email FROM users WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&mut *self.conn)
            .await?;
        match row {
            Some(r) => {
                let first: String = r.try_get("first_name")?;
                let last: String = r.try_get("last_name")?;
                Ok(Some((format!("{first} {last}"), r.try_get("email")?)))
            }
            None => Ok(None),
        }
    }
}

/// What a user reads pages in (SPEC section 11): the language and time zone of its person,
/// and the language it chose on its own page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReaderRow {
    /// `language__v` of its person, if it has one.
    pub person_language: Option<String>,
    /// `timezone__v` of its person, if set.
    pub person_timezone: Option<String>,
    /// Chosen on its own page; `None`: its browser's.
    pub page_language: Option<String>,
}

impl Db<'_> {
    /// The language and time zone settings of `id`'s pages.
    pub async fn reader(&mut self, id: &UserId) -> Result<ReaderRow> {
        let row = sqlx::query(
            "SELECT p.language AS person_language, p.timezone AS person_timezone, u.page_language \
             FROM users u LEFT JOIN persons p ON p.id = u.person_id WHERE u.id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&mut *self.conn)
        .await?;
        match row {
            Some(r) => Ok(ReaderRow {
                person_language: r.try_get("person_language")?,
                person_timezone: r.try_get("person_timezone")?,
                page_language: r.try_get("page_language")?,
            }),
            None => Ok(ReaderRow::default()),
        }
    }

    /// Keeps the language a user chose for its pages (`None`: its browser's).
    pub async fn set_page_language(&mut self, id: &UserId, language: Option<&str>) -> Result<()> {
        sqlx::query("UPDATE users SET page_language = $1 WHERE id = $2")
            .bind(language)
            .bind(id.as_str())
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }
}

/// Internal users never need the external pool; helper for creating them.
pub fn internal_user(
    id: UserId,
    username: &str,
    first: &str,
    last: &str,
    email: portico_domain::EmailAddress,
    profile: SecurityProfile,
) -> User {
    User {
        id,
        username: username.to_string(),
        first_name: first.to_string(),
        last_name: last.to_string(),
        email,
        status: UserStatus::Active,
        license: LicenseType::Full,
        security_profile: profile,
        managed: false,
        person: None,
    }
}

//! What SCIM 2.0 provisioning keeps: the identity providers' bearer tokens (by hash) and, per
//! user, the provider's `externalId`, the time of the last SCIM change and SCIM deletion.

use portico_domain::model::User;
use portico_domain::UserId;
use sqlx::any::AnyRow;

use crate::rows::{self, USER_COLS};
use crate::{Backend, Db, Result};

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
    /// When it was last used (to the minute: see [`Db::touch_scim_token`]).
    pub last_used_at: Option<i64>,
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

const TOKEN_COLS: &str = "id, name, created_at, created_by, revoked_at, last_used_at";

/// The one condition of a SCIM list that the database decides (RFC 7644 filters of the forms
/// identity providers send); anything else is decided over SCIM's JSON by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScimWhere {
    /// Every user SCIM sees.
    All,
    /// `id eq "…"` (case-exact).
    Id(String),
    /// `userName eq "…"`: whatever the case (`users_username_lower`).
    UserName(String),
    /// `externalId eq "…"` (case-exact).
    ExternalId(String),
    /// `emails.value eq "…"`: the value as Portico keeps emails (lower case).
    Email(String),
    /// `active eq true|false`.
    Active(bool),
}

/// The order of a SCIM list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScimOrder {
    /// Any order: the few users an `eq` finds, which the caller puts in order (an `ORDER BY`
    /// could lead the planner to walk the users in order rather than look the value up).
    Any,
    /// Creation (no `sortBy`).
    Created,
    /// `sortBy=userName`: lower-cased in ASCII and compared byte by byte (no ties: names are
    /// unique whatever their case).
    UserName {
        /// `sortOrder=descending`
        descending: bool,
    },
}

/// A page of a SCIM list as the database cuts it.
#[derive(Debug, Clone)]
pub struct ScimUserQuery {
    /// Which users.
    pub condition: ScimWhere,
    /// In which order.
    pub order: ScimOrder,
    /// Users skipped (`startIndex - 1`).
    pub offset: i64,
    /// At most this many (`count`).
    pub limit: i64,
}

fn where_sql(condition: &ScimWhere) -> (&'static str, Vec<String>) {
    match condition {
        ScimWhere::All => ("", vec![]),
        ScimWhere::Id(v) => (" AND id = $1", vec![v.clone()]),
        ScimWhere::UserName(v) => (" AND lower(username) = lower($1)", vec![v.clone()]),
        ScimWhere::ExternalId(v) => (" AND external_id = $1", vec![v.clone()]),
        ScimWhere::Email(v) => (" AND email = $1", vec![v.clone()]),
        ScimWhere::Active(a) => (
            " AND status = $1",
            vec![rows::status_name(if *a {
                portico_domain::model::UserStatus::Active
            } else {
                portico_domain::model::UserStatus::Inactive
            })
            .to_string()],
        ),
    }
}

/// The SQL of a batch of [`Db::scim_users_after`] (`$1` the creation time, `$2` the id).
pub fn scim_after_sql(limit: i64) -> String {
    format!(
        "SELECT {USER_COLS}, external_id, created_at, updated_at FROM users WHERE scim_deleted_at IS NULL AND (created_at, id) > ($1, $2) ORDER BY created_at, id LIMIT {}",
        limit.max(0)
    )
}

/// The SQL of a SCIM page (and its values), as [`Db::scim_user_page`] runs it; public for the
/// query-plan test.
pub fn scim_page_sql(backend: Backend, q: &ScimUserQuery) -> (String, Vec<String>) {
    let (condition, args) = where_sql(&q.condition);
    let order = match q.order {
        ScimOrder::Any => String::new(),
        ScimOrder::Created => " ORDER BY created_at, id".to_string(),
        ScimOrder::UserName { descending } => {
            let key = match backend {
                Backend::Sqlite => "lower(username)",
                Backend::Postgres => "lower(username COLLATE \"C\")",
            };
            // No tie to break: usernames are unique whatever their (ASCII) case.
            let dir = if descending { " DESC" } else { "" };
            format!(" ORDER BY {key}{dir}")
        }
    };
    let sql = format!(
        "SELECT {USER_COLS}, external_id, created_at, updated_at FROM users WHERE scim_deleted_at IS NULL{condition}{order} LIMIT {} OFFSET {}",
        q.limit.max(0),
        q.offset.max(0)
    );
    (sql, args)
}

fn token(row: &AnyRow) -> Result<ScimTokenRow> {
    Ok(ScimTokenRow {
        id: rows::get(row, "id")?,
        name: rows::get(row, "name")?,
        created_at: rows::get(row, "created_at")?,
        created_by: rows::get(row, "created_by")?,
        revoked_at: rows::get(row, "revoked_at")?,
        last_used_at: rows::get(row, "last_used_at")?,
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

    /// Notes that a token was used `now`, unless it was noted less than a minute before: the
    /// token list shows when each provider last came without a write per request.
    pub async fn touch_scim_token(&mut self, id: &str, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE scim_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(now)
        .bind(id)
        .bind(now - 60_000)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// A page of the users SCIM sees (all but those deleted over SCIM) matching `q`, and how
    /// many match in all.
    pub async fn scim_user_page(&mut self, q: &ScimUserQuery) -> Result<(i64, Vec<ScimUserRow>)> {
        let (sql, args) = scim_page_sql(self.backend, q);
        let mut query = sqlx::query(&sql);
        for a in &args {
            query = query.bind(a.as_str());
        }
        let page = query
            .fetch_all(&mut *self.conn)
            .await?
            .iter()
            .map(scim_user)
            .collect::<Result<Vec<_>>>()?;
        // A page that is not full and did not skip tells the total itself (a lookup by id,
        // userName or email: one user or none).
        if q.offset == 0 && (page.len() as i64) < q.limit {
            return Ok((page.len() as i64, page));
        }
        let (condition, args) = where_sql(&q.condition);
        let count = format!("SELECT COUNT(*) FROM users WHERE scim_deleted_at IS NULL{condition}");
        let mut query = sqlx::query_scalar::<_, i64>(&count);
        for a in &args {
            query = query.bind(a.as_str());
        }
        let total = query.fetch_one(&mut *self.conn).await?;
        Ok((total, page))
    }

    /// Up to `limit` users SCIM sees, in creation order, after the one created at `after`
    /// (`(created_at, id)`): the batches a filter the database cannot decide is evaluated
    /// over, so that no list holds every user at once.
    pub async fn scim_users_after(
        &mut self,
        after: Option<(i64, &str)>,
        limit: i64,
    ) -> Result<Vec<ScimUserRow>> {
        let (created, id) = after.unwrap_or((i64::MIN, ""));
        sqlx::query(&scim_after_sql(limit))
            .bind(created)
            .bind(id)
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

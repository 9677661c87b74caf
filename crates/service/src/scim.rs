//! SCIM 2.0 provisioning (SPEC section 11): identity providers create, change, inactivate and
//! delete users with a bearer token of their own. A token opens `/scim/v2` only and a session
//! opens everything but it: they are kept in different tables, so neither is the other.
//!
//! Status changes go through the one path every other way of changing a user takes
//! (`collab::change_status` and the seat check of `apply_status`): `active: false` ends the
//! user's sessions and frees an external seat, `active: true` on an external user takes a seat
//! or is refused, and a user managed by automation is never activated or inactivated here.
//! Every change, and every refused change, is in the audit trail with the token's name; reads
//! are not (see [`Portico::scim_client`]).

use portico_domain::collab::{self, RuleError};
use portico_domain::model::{LicenseType, SecurityProfile, User, UserStatus};
use portico_domain::{EmailAddress, UserId};
use portico_store::{
    internal_user, AuditEntry, Db, NewUserRow, ScimTokenRow, ScimUserDetails, ScimUserQuery,
    ScimUserRow, StoreError, Unique,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::directory::required_text;
use crate::passwords::{random_token, token_hash};
use crate::retry::ATTEMPTS;
use crate::users::apply_status;
use crate::{new_id, now_ms, Caller, Portico, ServiceError, ServiceResult};

/// The identity provider a SCIM request comes from: its token's id and name.
#[derive(Debug, Clone)]
pub struct ScimClient {
    /// The token's id.
    pub token_id: String,
    /// The token's name (the provider), as the audit trail shows it.
    pub name: String,
}

/// A token just made: the only time the token itself is known.
#[derive(Debug, Clone)]
pub struct NewScimToken {
    /// The token as listed.
    pub row: ScimTokenRow,
    /// The bearer token, shown once.
    pub token: String,
}

/// What a SCIM create or replace sets: SCIM's attributes that Portico keeps.
#[derive(Debug, Clone)]
pub struct ScimUserInput {
    /// `userName`
    pub username: Option<String>,
    /// `name.givenName`
    pub first_name: Option<String>,
    /// `name.familyName`
    pub last_name: Option<String>,
    /// The primary (or only) email's `value`.
    pub email: Option<String>,
    /// `externalId`
    pub external_id: Option<String>,
    /// `active` (absent: active).
    pub active: Option<bool>,
}

/// Why a SCIM request was refused, in the kinds RFC 7644 section 3.12 names.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ScimError {
    /// 409 `uniqueness`: the `userName` is taken.
    #[error("{0}")]
    Uniqueness(String),
    /// 400 `mutability`: the change does not fit the user's current state (managed by
    /// automation, no seat free, an external user's details).
    #[error("{0}")]
    Mutability(String),
    /// 400 `invalidValue`: a value Portico cannot take.
    #[error("{0}")]
    InvalidValue(String),
    /// 412: `If-Match` named another version.
    #[error("{0}")]
    VersionMismatch(String),
    /// 403: the token may not do this to this user (an administrator, see
    /// [`guard_administrator`]).
    #[error("{0}")]
    Forbidden(String),
    /// Anything else, as the rest of the API answers it.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<StoreError> for ScimError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate(Unique::Username) => {
                ScimError::Uniqueness("a user with this userName already exists".into())
            }
            StoreError::NoSeat => ScimError::Mutability(
                "no external license seat is free: another request took the last one".into(),
            ),
            other => ScimError::Service(other.into()),
        }
    }
}

impl From<RuleError> for ScimError {
    fn from(e: RuleError) -> Self {
        match e {
            RuleError::ManagedByAutomation { .. } | RuleError::LicenseLimitExceeded { .. } => {
                ScimError::Mutability(e.to_string())
            }
            other => ScimError::Service(other.into()),
        }
    }
}

/// A SCIM use case's result.
pub type ScimResult<T> = Result<T, ScimError>;

/// The version of a user as SCIM shows it (`meta.version`, the `ETag`): a digest of every
/// attribute shown, so that any change, by any path (lifecycle, an administrator, SCIM),
/// gives a new version without a counter every writer would have to remember.
pub fn scim_version(row: &ScimUserRow) -> String {
    let u = &row.user;
    let text = json!([
        u.username,
        u.first_name,
        u.last_name,
        u.email.as_str(),
        u.is_active(),
        u.license == LicenseType::External,
        u.security_profile.name(),
        u.managed,
        u.person.as_ref().map(ToString::to_string),
        row.external_id,
    ])
    .to_string();
    let digest = hex::encode(Sha256::digest(text.as_bytes()));
    format!("W/\"{}\"", &digest[..16])
}

fn user_json(u: &User, external_id: Option<&str>) -> String {
    json!({"username__v": u.username, "first_name__v": u.first_name,
           "last_name__v": u.last_name, "email__v": u.email.as_str(),
           "status__v": if u.is_active() { "active__v" } else { "inactive__v" },
           "externalId": external_id})
    .to_string()
}

fn cause(client: &ScimClient) -> String {
    format!("SCIM provisioning (token '{}')", client.name)
}

/// An identity provider must not be able to lock the company out (SPEC section 11: password
/// sign-in stays for `admin`, the break-glass account). Administrators (`system_admin`,
/// `vault_owner`) are managed in Portico, not by the provider: over SCIM their names and
/// `externalId` may change, never their `userName` (the break-glass sign-in), their email (a
/// set-password link goes there: a new one would hand the account to whoever owns it) nor
/// their status. `to` is what a replace would set (`None` for a delete). Checked before
/// anything is written, so a refusal leaves the user as it was.
///
/// RFC 7644 section 3.12: a replace or PATCH is refused with 400 `mutability` ("the attempted
/// modification is not compatible with the target attribute's mutability or current
/// state"): the attributes are read-only for this user, which the provider can correct by
/// not sending them. A DELETE changes no attribute, so it is 403 ("operation is not permitted
/// based on the supplied authorization"): the token's authority stops at administrators.
fn guard_administrator(user: &User, to: Option<(&ScimUserDetails, UserStatus)>) -> ScimResult<()> {
    if !user.security_profile.is_admin() {
        return Ok(());
    }
    let who = format!(
        "{} is a Portico administrator ({})",
        user.username,
        user.security_profile.name()
    );
    let Some((details, status)) = to else {
        return Err(ScimError::Forbidden(format!(
            "{who}: administrators are not deleted by an identity provider; an administrator of Portico changes their profile first"
        )));
    };
    let mut read_only = vec![];
    if details.username != user.username {
        read_only.push("userName");
    }
    if details.email != user.email.as_str() {
        read_only.push("emails");
    }
    if status != user.status {
        read_only.push("active");
    }
    if read_only.is_empty() {
        return Ok(());
    }
    Err(ScimError::Mutability(format!(
        "{who}: {} cannot be changed over SCIM, so that the company cannot be locked out; an administrator of Portico changes their profile first",
        read_only.join(", ")
    )))
}

/// Runs a SCIM write again when it collided with a concurrent one, as `retrying` does for
/// the rest of the API.
async fn retry_scim<T, F, Fut>(mut body: F) -> ScimResult<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ScimResult<T>>,
{
    let mut attempt = 1;
    loop {
        match body().await {
            Err(ScimError::Service(ServiceError::Conflict(_))) if attempt < ATTEMPTS => {
                attempt += 1;
            }
            done => return done,
        }
    }
}

/// The details a create or replace writes, checked.
fn details(input: &ScimUserInput) -> ScimResult<(ScimUserDetails, EmailAddress)> {
    let username = required_text(input.username.as_deref(), "userName")?;
    let first_name = required_text(input.first_name.as_deref(), "name.givenName")?;
    let last_name = required_text(input.last_name.as_deref(), "name.familyName")?;
    let raw = input
        .email
        .as_deref()
        .ok_or_else(|| ScimError::InvalidValue("emails: a user needs an email address".into()))?;
    let email = EmailAddress::parse(raw)
        .map_err(|_| ScimError::InvalidValue(format!("emails: '{raw}' is not an email address")))?;
    let external_id = input
        .external_id
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string);
    Ok((
        ScimUserDetails {
            username,
            first_name,
            last_name,
            email: email.as_str().to_string(),
            external_id,
        },
        email,
    ))
}

impl Portico {
    /// `POST /api/v1/scim-tokens` (admins): a token for one identity provider, shown once.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn create_scim_token(
        &self,
        caller: &Caller,
        name: &str,
    ) -> ServiceResult<NewScimToken> {
        caller.require_admin()?;
        let name = required_text(Some(name), "name")?;
        let token = format!("scim_{}", random_token());
        let row = ScimTokenRow {
            id: new_id("sct"),
            name,
            created_at: now_ms(),
            created_by: Some(caller.user.id.to_string()),
            revoked_at: None,
            last_used_at: None,
        };
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        db.insert_scim_token(&row, &token_hash(&token)).await?;
        db.audit(&AuditEntry {
            at: row.created_at,
            actor: Some(caller.user.id.to_string()),
            action: "scim_token.created".into(),
            object: "scim_token".into(),
            object_id: row.id.clone(),
            after: Some(json!({"name": row.name}).to_string()),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(NewScimToken { row, token })
    }

    /// `GET /api/v1/scim-tokens` (admins): every token, revoked ones too, never the token.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn scim_tokens(&self, caller: &Caller) -> ServiceResult<Vec<ScimTokenRow>> {
        caller.require_admin()?;
        Ok(self.store.read().await?.db().scim_tokens().await?)
    }

    /// `DELETE /api/v1/scim-tokens/{id}` (admins): the token opens nothing from now on, on
    /// every server (each request reads the token from the database).
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id))]
    pub async fn revoke_scim_token(&self, caller: &Caller, id: &str) -> ServiceResult<()> {
        caller.require_admin()?;
        let now = now_ms();
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let Some(before) = db.revoke_scim_token(id, now).await? else {
            return Err(ServiceError::NotFound(
                format!("SCIM token {id} not found").into(),
            ));
        };
        if before.revoked_at.is_none() {
            db.audit(&AuditEntry {
                at: now,
                actor: Some(caller.user.id.to_string()),
                action: "scim_token.revoked".into(),
                object: "scim_token".into(),
                object_id: before.id.clone(),
                before: Some(json!({"name": before.name}).to_string()),
                ..AuditEntry::default()
            })
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The identity provider behind a SCIM bearer token; `INVALID_SESSION_ID` when the token
    /// is unknown or revoked (a session token is unknown here).
    ///
    /// A read is not an audit entry of its own: a provider polls (Entra ID reads every user
    /// it provisions each cycle), and a row per read would make every GET a write and bury
    /// the changes in the trail. The token's `last_used_at` says when it last came (written
    /// at most once a minute), the request log has each request with the token's name, and
    /// every change, and every refused change, is audited with it.
    pub async fn scim_client(&self, token: &str) -> ServiceResult<ScimClient> {
        let row = self
            .store
            .read()
            .await?
            .db()
            .live_scim_token(&token_hash(token))
            .await?
            .ok_or_else(|| {
                ServiceError::InvalidSession(
                    "the SCIM token is unknown or revoked; an administrator makes one with POST /api/v1/scim-tokens".into(),
                )
            })?;
        let now = now_ms();
        if row.last_used_at.is_none_or(|at| at < now - 60_000) {
            // Best effort: a request is not refused for want of this note.
            if let Err(e) = self.touch_scim_token(&row.id, now).await {
                tracing::warn!(error = %e, "could not note when the SCIM token was used");
            }
        }
        Ok(ScimClient {
            token_id: row.id,
            name: row.name,
        })
    }

    /// Audits a SCIM write that was refused (a change is audited in its own transaction),
    /// with the token's name: the trail shows what each provider tried. Reads are not each
    /// audited: see [`Portico::scim_client`].
    pub async fn audit_scim_refusal(
        &self,
        client: &ScimClient,
        request: &str,
        outcome: u16,
    ) -> ServiceResult<()> {
        let mut tx = self.store.write().await?;
        tx.db()
            .audit(&AuditEntry {
                at: now_ms(),
                action: "scim.request".into(),
                object: "scim_token".into(),
                object_id: client.token_id.clone(),
                after: Some(json!({"request": request, "status": outcome}).to_string()),
                cause: Some(cause(client)),
                ..AuditEntry::default()
            })
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn touch_scim_token(&self, id: &str, now: i64) -> ServiceResult<()> {
        let mut tx = self.store.write().await?;
        tx.db().touch_scim_token(id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A page of the users SCIM sees, as the database cuts it, and how many match in all.
    pub async fn scim_user_page(
        &self,
        _client: &ScimClient,
        query: &ScimUserQuery,
    ) -> ScimResult<(i64, Vec<ScimUserRow>)> {
        Ok(self.store.read().await?.db().scim_user_page(query).await?)
    }

    /// Up to `limit` users SCIM sees in creation order after `(created_at, id)`: the batches
    /// a filter the database cannot decide is evaluated over.
    pub async fn scim_users_after(
        &self,
        _client: &ScimClient,
        after: Option<(i64, &str)>,
        limit: i64,
    ) -> ScimResult<Vec<ScimUserRow>> {
        Ok(self
            .store
            .read()
            .await?
            .db()
            .scim_users_after(after, limit)
            .await?)
    }

    /// One user as SCIM sees it.
    pub async fn scim_user(&self, _client: &ScimClient, id: &str) -> ScimResult<ScimUserRow> {
        self.store
            .read()
            .await?
            .db()
            .scim_user(&UserId::new(id))
            .await?
            .ok_or_else(|| {
                ScimError::Service(ServiceError::NotFound(
                    format!("user {id} not found").into(),
                ))
            })
    }

    /// `POST /scim/v2/Users`: a new internal user (profile `internal_user`, no password: it
    /// signs in through the company's provider, or asks for a set-password link).
    #[tracing::instrument(skip_all, fields(scim = %client.name))]
    pub async fn scim_create_user(
        &self,
        client: &ScimClient,
        input: &ScimUserInput,
    ) -> ScimResult<ScimUserRow> {
        let (details, email) = details(input)?;
        let active = input.active.unwrap_or(true);
        retry_scim(|| async {
            let now = now_ms();
            let mut user = internal_user(
                UserId::new(new_id("usr")),
                &details.username,
                &details.first_name,
                &details.last_name,
                email.clone(),
                SecurityProfile::InternalUser,
            );
            if !active {
                user.status = UserStatus::Inactive;
            }
            let mut tx = self.store.write().await?;
            let mut db = tx.db();
            db.insert_user(
                &NewUserRow {
                    user: user.clone(),
                    language: "en".into(),
                    password_hash: None,
                },
                now,
            )
            .await?;
            db.set_scim_details(&user.id, &details, now).await?;
            db.audit(&AuditEntry {
                at: now,
                action: "user.created".into(),
                object: "user".into(),
                object_id: user.id.to_string(),
                user: Some(user.id.to_string()),
                after: Some(user_json(&user, details.external_id.as_deref())),
                cause: Some(cause(client)),
                ..AuditEntry::default()
            })
            .await?;
            let row = db.scim_user(&user.id).await?.ok_or_else(|| {
                ServiceError::broken("a user just created over SCIM is not there")
            })?;
            tx.commit().await?;
            Ok(row)
        })
        .await
    }

    /// `PUT /scim/v2/Users/{id}` (and PATCH, which computes the whole user first): the
    /// details, then the status through the one seat check. `expected` is the version the
    /// provider saw (`If-Match`, or the one a PATCH was computed from).
    #[tracing::instrument(skip_all, fields(scim = %client.name, id = id))]
    pub async fn scim_replace_user(
        &self,
        client: &ScimClient,
        id: &str,
        input: &ScimUserInput,
        expected: Option<&str>,
    ) -> ScimResult<ScimUserRow> {
        let (details, _) = details(input)?;
        let id = UserId::new(id);
        retry_scim(|| async {
            let now = now_ms();
            let mut tx = self.store.write().await?;
            let mut db = tx.db();
            let before = self.lock_scim_user(&mut db, &id, expected).await?;
            let user = &before.user;
            let to = if input.active.unwrap_or(true) {
                UserStatus::Active
            } else {
                UserStatus::Inactive
            };
            guard_administrator(user, Some((&details, to)))?;
            let changes_details = user.username != details.username
                || user.first_name != details.first_name
                || user.last_name != details.last_name
                || user.email.as_str() != details.email;
            if changes_details && user.license == LicenseType::External {
                return Err(ScimError::Mutability(format!(
                    "{} is an external collaborator: its name and email come from its person in Portico, not from the identity provider",
                    user.username
                )));
            }
            db.set_scim_details(&id, &details, now).await?;
            let change = collab::change_status(user, to, db.pool_for(1).await?)?;
            apply_status(&mut db, &id, change).await?;
            self.serve_waitlist_after(&mut db, change).await?;
            let after = db
                .scim_user(&id)
                .await?
                .ok_or_else(|| ServiceError::broken("a user changed over SCIM is not there"))?;
            db.audit(&AuditEntry {
                at: now,
                action: "user.updated".into(),
                object: "user".into(),
                object_id: id.to_string(),
                user: Some(id.to_string()),
                person: user.person.as_ref().map(ToString::to_string),
                before: Some(user_json(user, before.external_id.as_deref())),
                after: Some(user_json(&after.user, after.external_id.as_deref())),
                cause: Some(cause(client)),
                ..AuditEntry::default()
            })
            .await?;
            tx.commit().await?;
            Ok(after)
        })
        .await
    }

    /// `DELETE /scim/v2/Users/{id}`: the user is inactivated (its sessions end, an external
    /// seat frees) and gone for SCIM; Portico keeps it for the records and the audit trail
    /// that name it. A user managed by automation is refused, as for `active: false`.
    #[tracing::instrument(skip_all, fields(scim = %client.name, id = id))]
    pub async fn scim_delete_user(
        &self,
        client: &ScimClient,
        id: &str,
        expected: Option<&str>,
    ) -> ScimResult<()> {
        let id = UserId::new(id);
        retry_scim(|| async {
            let now = now_ms();
            let mut tx = self.store.write().await?;
            let mut db = tx.db();
            let before = self.lock_scim_user(&mut db, &id, expected).await?;
            guard_administrator(&before.user, None)?;
            let change =
                collab::change_status(&before.user, UserStatus::Inactive, db.pool_for(1).await?)?;
            apply_status(&mut db, &id, change).await?;
            self.serve_waitlist_after(&mut db, change).await?;
            db.mark_scim_deleted(&id, now).await?;
            db.audit(&AuditEntry {
                at: now,
                action: "user.deleted".into(),
                object: "user".into(),
                object_id: id.to_string(),
                user: Some(id.to_string()),
                person: before.user.person.as_ref().map(ToString::to_string),
                before: Some(user_json(&before.user, before.external_id.as_deref())),
                after: Some(json!({"status__v": "inactive__v", "scim": "deleted"}).to_string()),
                cause: Some(cause(client)),
                ..AuditEntry::default()
            })
            .await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Locks a user SCIM sees and checks the version the provider expects.
    async fn lock_scim_user(
        &self,
        db: &mut Db<'_>,
        id: &UserId,
        expected: Option<&str>,
    ) -> ScimResult<ScimUserRow> {
        let not_found = || {
            ScimError::Service(ServiceError::NotFound(
                format!("user {id} not found").into(),
            ))
        };
        if db.lock_users(std::slice::from_ref(id)).await?.is_empty() {
            return Err(not_found());
        }
        let row = db.scim_user(id).await?.ok_or_else(not_found)?;
        if let Some(expected) = expected {
            let version = scim_version(&row);
            if expected.trim() != "*" && expected.trim() != version {
                return Err(ScimError::VersionMismatch(format!(
                    "the user is at version {version}, not {expected}: read it again"
                )));
            }
        }
        Ok(row)
    }
}

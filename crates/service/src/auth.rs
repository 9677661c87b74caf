//! Sign-in, bearer sessions kept in the database, attempt limits, and the bootstrap admin of
//! SPEC section 9. Passwords themselves are in `passwords.rs`.

use portico_domain::model::{SecurityProfile, User, UserStatus};
use portico_domain::{EmailAddress, SeatCount, UserId};
use portico_store::{internal_user, AuditEntry, NewUserRow};

use crate::passwords::{hash_password, random_token, token_hash, verify_password, NewPassword};
use crate::{now_ms, Caller, Portico, ServiceError, ServiceResult};

/// A successful sign-in.
#[derive(Debug, Clone)]
pub struct Login {
    /// Whether the password was a one-time password that must be changed before anything else.
    pub password_change_required: bool,
    /// The bearer token; only its hash is stored.
    pub session_id: String,
    /// The user.
    pub user_id: UserId,
}

/// One counted attempt: under the counter `kind` + `value` (lower-cased by the database, like
/// the username lookup), at most `limit` in the window.
pub(crate) struct Attempt<'a> {
    pub kind: &'static str,
    pub value: &'a str,
    pub limit: i64,
}

/// The counter of a username: sign-ins, password changes and signatures of one account share
/// it, whatever the case or spelling the name was typed in.
pub(crate) const PER_USER: &str = "user:";
/// The counter of a client address.
const PER_ADDRESS: &str = "addr:";

impl Portico {
    /// First start: creates the admin user and the license pool. Answers the generated
    /// password when none was given, to be printed once.
    #[tracing::instrument(skip_all)]
    pub async fn bootstrap(&self, admin_password: Option<&str>) -> ServiceResult<Option<String>> {
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        db.init_pool(SeatCount::default()).await?;
        if db.user_count().await? > 0 {
            tx.commit().await?;
            return Ok(None);
        }
        let (password, generated) = match admin_password {
            Some(p) => (p.to_string(), None),
            None => {
                let p = random_token()[..20].to_string();
                (p.clone(), Some(p))
            }
        };
        let password = NewPassword::parse(&password, &["admin"]).map_err(|e| {
            ServiceError::InvalidData(format!("PORTICO_ADMIN_PASSWORD: {e}").into())
        })?;
        let hash = hash_password(password).await?;
        let email = EmailAddress::parse("admin@portico.invalid")
            .map_err(|e| ServiceError::internal("the admin's email address", e))?;
        let admin = internal_user(
            UserId::new(crate::new_id("usr")),
            "admin",
            "Portico",
            "Admin",
            email,
            SecurityProfile::SystemAdmin,
        );
        let mut db = tx.db();
        db.insert_user(
            &NewUserRow {
                user: admin.clone(),
                language: "en".into(),
                password_hash: Some(hash),
            },
            now_ms(),
        )
        .await?;
        db.audit(&AuditEntry {
            at: now_ms(),
            action: "user.created".into(),
            object: "user".into(),
            object_id: admin.id.to_string(),
            user: Some(admin.id.to_string()),
            cause: Some("bootstrap: first start with an empty database".into()),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(generated)
    }

    /// Creates an internal user with a password (demo data, admin tasks).
    #[tracing::instrument(skip_all, fields(username = username, profile = ?profile))]
    pub async fn create_internal_user(
        &self,
        username: &str,
        first: &str,
        last: &str,
        email: &str,
        profile: SecurityProfile,
        password: &str,
    ) -> ServiceResult<User> {
        let email = EmailAddress::parse(email)
            .map_err(|e| ServiceError::InvalidData(e.to_string().into()))?;
        let hash = hash_password(NewPassword::parse(
            password,
            &[username, email.as_str(), first, last],
        )?)
        .await?;
        let user = internal_user(
            UserId::new(crate::new_id("usr")),
            username,
            first,
            last,
            email,
            profile,
        );
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        db.insert_user(
            &NewUserRow {
                user: user.clone(),
                language: "en".into(),
                password_hash: Some(hash),
            },
            now_ms(),
        )
        .await?;
        db.audit(&AuditEntry {
            at: now_ms(),
            action: "user.created".into(),
            object: "user".into(),
            object_id: user.id.to_string(),
            user: Some(user.id.to_string()),
            after: Some(
                serde_json::json!({"username__v": username, "security_profile__v": profile.name()})
                    .to_string(),
            ),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// `POST /api/v1/auth`: a wrong password, an unknown or an inactive user all answer the same.
    /// Every attempt is counted per user and per address before the password is checked (in
    /// the database, so that every server sees them, and in one statement, so that parallel
    /// attempts cannot slip past the limit); past the limit the answer is
    /// `API_LIMIT_EXCEEDED` until the window has passed. A one-time password works for one
    /// sign-in, before it expires.
    #[tracing::instrument(skip_all, fields(username = username, address = address))]
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        address: Option<&str>,
    ) -> ServiceResult<Login> {
        let username = username.trim();
        let mut attempts = vec![Attempt {
            kind: PER_USER,
            value: username,
            limit: self.settings.login_failures_per_user,
        }];
        if let Some(address) = address {
            attempts.push(Attempt {
                kind: PER_ADDRESS,
                value: address,
                limit: self.settings.login_failures_per_address,
            });
        }
        self.count_attempts(&attempts).await?;
        let found = self
            .store
            .read()
            .await?
            .db()
            .user_for_login(username)
            .await?;
        let hash = found.as_ref().and_then(|f| f.password_hash.clone());
        let ok = verify_password(password.to_string(), hash).await;
        let now = now_ms();
        let Some(found) = found.filter(|f| {
            ok && f.user.status == UserStatus::Active
                && !(f.one_time && (f.one_time_used || f.expires_at.is_some_and(|e| now >= e)))
        }) else {
            return Err(ServiceError::BadCredentials);
        };
        let user = found.user;
        let token = random_token();
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        // Two sign-ins racing with one one-time password: only one gets a session.
        if found.one_time && !db.use_one_time_password(&user.id, now).await? {
            return Err(ServiceError::BadCredentials);
        }
        db.clear_login_failures(PER_USER, username).await?;
        if let Some(address) = address {
            // A success is no failure: it must not use up the address's allowance.
            db.uncount_attempt(PER_ADDRESS, address).await?;
        }
        db.insert_session(
            &token_hash(&token),
            &user.id,
            now,
            now + self.settings.session_absolute_ms,
        )
        .await?;
        db.audit(&session_entry(&user.id, "session.started", now))
            .await?;
        tx.commit().await?;
        Ok(Login {
            password_change_required: found.one_time,
            session_id: token,
            user_id: user.id,
        })
    }

    /// Counts one attempt under each key within the sign-in window; refuses with
    /// `API_LIMIT_EXCEEDED` when any key is past its limit. The counts are committed either
    /// way, before the caller does anything slow.
    pub(crate) async fn count_attempts(&self, attempts: &[Attempt<'_>]) -> ServiceResult<()> {
        self.count_attempts_in(attempts, self.settings.login_window_ms)
            .await
    }

    /// [`Portico::count_attempts`] with a window of `window_ms`.
    pub(crate) async fn count_attempts_in(
        &self,
        attempts: &[Attempt<'_>],
        window_ms: i64,
    ) -> ServiceResult<()> {
        let now = now_ms();
        let mut over = false;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        for a in attempts {
            over |= db
                .count_attempt(a.kind, a.value, now - window_ms, now)
                .await?
                > a.limit;
        }
        tx.commit().await?;
        if over {
            let minutes = (window_ms / 60_000).max(1);
            return Err(ServiceError::LimitExceeded(
                format!("too many attempts; try again in {minutes} minutes").into(),
            )
            .because("refusal-too-many-attempts", &[("minutes", &minutes)]));
        }
        Ok(())
    }

    /// Checks a bearer token: the session exists, has not expired, and its user is active.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn authenticate(&self, token: &str) -> ServiceResult<Caller> {
        let invalid = || {
            ServiceError::InvalidSession(
                "the session is invalid or has expired; sign in again".into(),
            )
        };
        let hash = token_hash(token);
        let now = now_ms();
        let generation = self.store.generation();
        let session = self
            .sessions
            .get_or_read(hash.clone(), generation, now, || async {
                self.store
                    .read()
                    .await?
                    .db()
                    .session(&hash)
                    .await?
                    .ok_or_else(invalid)
            })
            .await?;
        if now >= session.expires_at || now - session.last_seen_at > self.settings.session_idle_ms {
            self.sessions.forget(&hash);
            self.store.read().await?.db().delete_session(&hash).await?;
            return Err(invalid());
        }
        if session.user.status != UserStatus::Active {
            return Err(invalid());
        }
        // Writing on every request would serialise readers behind SQLite's single writer;
        // a minute of precision is plenty for an idle limit counted in hours.
        if now - session.last_seen_at > 60_000 {
            self.sessions.forget(&hash);
            self.store
                .read()
                .await?
                .db()
                .touch_session(&hash, now)
                .await?;
        }
        Ok(Caller {
            user: session.user,
            must_change_password: session.must_change_password,
            session: Some(hash),
        })
    }

    /// `DELETE /api/v1/auth`.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn logout(&self, caller: &Caller, token: &str) -> ServiceResult<()> {
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        db.delete_session(&token_hash(token)).await?;
        db.audit(&session_entry(&caller.user.id, "session.ended", now_ms()))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn session_entry(user: &UserId, action: &str, now: i64) -> AuditEntry {
    AuditEntry {
        at: now,
        actor: Some(user.to_string()),
        action: action.into(),
        object: "session".into(),
        object_id: user.to_string(),
        user: Some(user.to_string()),
        ..AuditEntry::default()
    }
}

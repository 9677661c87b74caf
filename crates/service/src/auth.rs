//! Sign-in (Argon2id), bearer sessions kept in the database, set-password links, and the
//! bootstrap admin of SPEC section 9.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use portico_domain::model::{SecurityProfile, User, UserStatus};
use portico_domain::{EmailAddress, SeatCount, UserId};
use portico_store::{internal_user, AuditEntry, NewUserRow};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

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

/// A password that meets the minimum policy.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    /// At least 10 characters, not only one repeated character, not the username.
    pub fn parse(raw: &str, username: Option<&str>) -> ServiceResult<Self> {
        let chars: Vec<char> = raw.chars().collect();
        if chars.len() < 10 {
            return Err(ServiceError::InvalidData(
                "the password must have at least 10 characters".into(),
            ));
        }
        if chars.len() > 256 {
            return Err(ServiceError::InvalidData(
                "the password must have at most 256 characters".into(),
            ));
        }
        if chars.iter().all(|c| *c == chars[0]) {
            return Err(ServiceError::InvalidData(
                "the password must not repeat a single character".into(),
            ));
        }
        if username.is_some_and(|u| u.eq_ignore_ascii_case(raw)) {
            return Err(ServiceError::InvalidData(
                "the password must not be the username".into(),
            ));
        }
        Ok(NewPassword(raw.to_string()))
    }
}

/// A random token, hex; 256 bits.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// How tokens are stored: a leaked table gives no usable session.
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Hashes a password Portico made itself (a one-time password), which needs no policy check.
pub(crate) async fn hash_password_unchecked(password: String) -> ServiceResult<String> {
    hash_password(NewPassword(password)).await
}

async fn hash_password(password: NewPassword) -> ServiceResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.0.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ServiceError::Internal(format!("hashing failed: {e}")))
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))?
}

/// A hash to verify against when the user does not exist, so that unknown users take as long
/// as wrong passwords.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"portico-dummy-password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

async fn verify_password(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let (hash, real) = match hash {
            Some(h) => (h, true),
            None => (dummy_hash().to_string(), false),
        };
        let ok = PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && real
    })
    .await
    .unwrap_or(false)
}

impl Portico {
    /// First start: creates the admin user and the license pool. Answers the generated
    /// password when none was given, to be printed once.
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
        let password = NewPassword::parse(&password, Some("admin"))
            .map_err(|e| ServiceError::InvalidData(format!("PORTICO_ADMIN_PASSWORD: {e}")))?;
        let hash = hash_password(password).await?;
        let email = EmailAddress::parse("admin@portico.invalid")
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
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
    pub async fn create_internal_user(
        &self,
        username: &str,
        first: &str,
        last: &str,
        email: &str,
        profile: SecurityProfile,
        password: &str,
    ) -> ServiceResult<User> {
        let email =
            EmailAddress::parse(email).map_err(|e| ServiceError::InvalidData(e.to_string()))?;
        let hash = hash_password(NewPassword::parse(password, Some(username))?).await?;
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
    /// Failed attempts are counted per user and per address (in the database, so that every
    /// server sees them); past the limit the answer is `API_LIMIT_EXCEEDED` until the window
    /// has passed.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        address: Option<&str>,
    ) -> ServiceResult<Login> {
        let now = now_ms();
        let window_start = now - self.settings.login_window_ms;
        let user_key = format!("user:{}", username.trim().to_lowercase());
        let address_key = address.map(|a| format!("addr:{a}"));
        {
            let mut reader = self.store.read().await?;
            let mut db = reader.db();
            let user_blocked = db
                .login_blocked(
                    &user_key,
                    window_start,
                    self.settings.login_failures_per_user,
                )
                .await?;
            let address_blocked = match &address_key {
                Some(k) => {
                    db.login_blocked(k, window_start, self.settings.login_failures_per_address)
                        .await?
                }
                None => false,
            };
            if user_blocked || address_blocked {
                return Err(ServiceError::LimitExceeded(format!(
                    "too many failed sign-ins; try again in {} minutes",
                    self.settings.login_window_ms / 60_000
                )));
            }
        }
        let found = self
            .store
            .read()
            .await?
            .db()
            .user_for_login(username)
            .await?;
        let (user, hash) = match found {
            Some((u, h)) => (Some(u), h),
            None => (None, None),
        };
        let ok = verify_password(password.to_string(), hash).await;
        let user = match user {
            Some(u) if ok && u.status == UserStatus::Active => u,
            _ => {
                let mut tx = self.store.write().await?;
                let mut db = tx.db();
                db.record_login_failure(&user_key, window_start, now)
                    .await?;
                if let Some(k) = &address_key {
                    db.record_login_failure(k, window_start, now).await?;
                }
                tx.commit().await?;
                return Err(ServiceError::BadCredentials);
            }
        };
        let token = random_token();
        let now = now_ms();
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        db.clear_login_failures(&user_key).await?;
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
        let password_change_required = self
            .store
            .read()
            .await?
            .db()
            .must_change_password(&user.id)
            .await?;
        Ok(Login {
            password_change_required,
            session_id: token,
            user_id: user.id,
        })
    }

    /// Checks a bearer token: the session exists, has not expired, and its user is active.
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
        })
    }

    /// `DELETE /api/v1/auth`.
    pub async fn logout(&self, caller: &Caller, token: &str) -> ServiceResult<()> {
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        db.delete_session(&token_hash(token)).await?;
        db.audit(&session_entry(&caller.user.id, "session.ended", now_ms()))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// `POST /api/v1/auth/password`: the signed-in user changes its password (required after
    /// signing in with a one-time password).
    pub async fn change_password(
        &self,
        caller: &Caller,
        current: &str,
        new: &str,
    ) -> ServiceResult<()> {
        let (user, hash) = self
            .store
            .read()
            .await?
            .db()
            .user_with_password(&caller.user.id)
            .await?
            .ok_or_else(|| ServiceError::InvalidSession("the user no longer exists".into()))?;
        if !verify_password(current.to_string(), hash).await {
            return Err(ServiceError::InvalidData(
                "the current password is not correct".into(),
            ));
        }
        if current == new {
            return Err(ServiceError::InvalidData(
                "the new password must differ from the current one".into(),
            ));
        }
        let hash = hash_password(NewPassword::parse(new, Some(&user.username))?).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        db.set_password_hash(&user.id, &hash, false).await?;
        db.audit(&session_entry(&user.id, "user.password_changed", now_ms()))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// `POST /api/v1/auth/password-link`: sends an active user a new set-password link. The
    /// answer is the same whether or not such a user exists, so it reveals no accounts.
    pub async fn request_password_link(&self, login: &str) -> ServiceResult<()> {
        let login = login.trim();
        if login.is_empty() {
            return Err(ServiceError::ParameterRequired(
                "username is required".into(),
            ));
        }
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let Some(user) = db.active_user_by_login(login).await? else {
            return Ok(());
        };
        let template = crate::emails::password_link_template().ok_or_else(|| {
            ServiceError::Internal("the password link template does not parse".into())
        })?;
        let token = random_token();
        let now = now_ms();
        let mut values = std::collections::BTreeMap::new();
        values.insert("firstName".to_string(), user.first_name.clone());
        values.insert("userName".to_string(), user.username.clone());
        values.insert("vaultName".to_string(), self.config.vault_name.clone());
        values.insert(
            "utp?url".to_string(),
            crate::emails::set_password_url(&self.settings.public_url, &token),
        );
        let rendered = template.render(&values);
        let email = portico_store::QueuedEmail {
            id: crate::new_id("eml"),
            to: user.email.to_string(),
            user_id: Some(user.id.to_string()),
            record_id: None,
            template: "portico_password_link".into(),
            subject: rendered.subject,
            body: rendered.text,
            html: Some(rendered.html),
        };
        db.insert_password_token(
            &token_hash(&token),
            &user.id,
            now,
            now + self.settings.password_link_ms,
        )
        .await?;
        db.queue_email(&email, now).await?;
        db.audit(&AuditEntry {
            at: now,
            action: "user.password_link_sent".into(),
            object: "user".into(),
            object_id: user.id.to_string(),
            user: Some(user.id.to_string()),
            cause: Some("asked for from the set-password page".into()),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether a set-password link can still be used (for the page it leads to).
    pub async fn password_link_usable(&self, token: &str) -> ServiceResult<bool> {
        Ok(self
            .store
            .read()
            .await?
            .db()
            .password_token_usable(&token_hash(token), now_ms())
            .await?)
    }

    /// `POST /api/v1/auth/set-password`: uses a link token once.
    pub async fn set_password_with_token(
        &self,
        token: &str,
        password: &str,
    ) -> ServiceResult<UserId> {
        let now = now_ms();
        let mut tx = self.store.write().await?;
        let user = tx
            .db()
            .use_password_token(&token_hash(token), now)
            .await?
            .ok_or_else(|| {
                ServiceError::InvalidData(
                    "this link has already been used or has expired; ask your contact for a new invitation".into(),
                )
            })?;
        let username = tx.db().user(&user).await?.map(|u| u.username);
        let hash = hash_password(NewPassword::parse(password, username.as_deref())?).await?;
        let mut db = tx.db();
        db.set_password_hash(&user, &hash, false).await?;
        db.audit(&AuditEntry {
            at: now,
            actor: Some(user.to_string()),
            action: "user.password_set".into(),
            object: "user".into(),
            object_id: user.to_string(),
            user: Some(user.to_string()),
            cause: Some("set-password link".into()),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(user)
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

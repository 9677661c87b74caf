//! Passwords: the strength policy, Argon2id hashing, changing a password, set-password links,
//! and the secrets an email carries, made only when it is sent.
//!
//! A set or change of a password ends every other way into the account: the user's unused
//! set-password links and its other sessions.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use portico_domain::{Language, UserId};
use portico_store::{AuditEntry, EmailSecret};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::auth::{Attempt, PER_USER};
use crate::{now_ms, Caller, Portico, ServiceError, ServiceResult};

/// A password that meets the policy: 10 to 256 characters, and not guessable.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    /// Checks the length, then the strength with zxcvbn (common passwords, names, dates,
    /// keyboard walks, repeats, and the user's own details in `user_inputs`). A password it
    /// scores below 3 of 4 (crackable with fewer than 10^10 guesses) is refused with its
    /// reason.
    pub fn parse(raw: &str, user_inputs: &[&str]) -> ServiceResult<Self> {
        let chars = raw.chars().count();
        if chars < 10 {
            return Err(ServiceError::InvalidData(
                "the password must have at least 10 characters".into(),
            )
            .because("refusal-password-too-short", &[("min", &10)]));
        }
        if chars > 256 {
            return Err(ServiceError::InvalidData(
                "the password must have at most 256 characters".into(),
            )
            .because("refusal-password-too-long", &[("max", &256)]));
        }
        if user_inputs
            .iter()
            .any(|u| !u.is_empty() && u.eq_ignore_ascii_case(raw))
        {
            return Err(ServiceError::InvalidData(
                "the password must not be your username or email".into(),
            )
            .because("refusal-password-is-username", &[]));
        }
        let entropy = zxcvbn::zxcvbn(raw, user_inputs);
        if entropy.score() >= zxcvbn::Score::Three {
            return Ok(NewPassword(raw.to_string()));
        }
        let mut why = String::from("this password is too easy to guess");
        if let Some(feedback) = entropy.feedback() {
            if let Some(warning) = feedback.warning() {
                why.push_str(&format!(" ({})", warning.to_string().trim_end_matches('.')));
            }
            let tips: Vec<String> = feedback
                .suggestions()
                .iter()
                .map(ToString::to_string)
                .collect();
            if !tips.is_empty() {
                why.push_str(": ");
                why.push_str(&tips.join(" "));
            }
        }
        if !why.contains(':') {
            why.push_str(
                ": use a few uncommon words, or a longer mix of letters, digits and signs",
            );
        }
        // zxcvbn's advice is English; other readers get the rule without it.
        Err(ServiceError::InvalidData(why.into()).because("refusal-password-weak", &[]))
    }
}

/// A random token, hex; 256 bits.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The CSRF token of a signed-in browser: derived from its session token, so it is bound to
/// that session (a token from another session, or from before sign-in, does not pass) and
/// needs no storage. The session token cannot be recovered from it.
pub fn csrf_token_for_session(session_token: &str) -> String {
    hex::encode(Sha256::digest(
        format!("portico-csrf:{session_token}").as_bytes(),
    ))
}

/// How tokens are stored: a leaked table gives no usable session or link.
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Hashes a password with Argon2id, off the async threads.
pub(crate) async fn hash_password(password: NewPassword) -> ServiceResult<String> {
    hash(password.0).await
}

async fn hash(password: String) -> ServiceResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ServiceError::internal("hashing the password", e))
    })
    .await
    .map_err(|e| ServiceError::internal("the hashing task", e))?
}

/// A hash to verify against when the user does not exist or has no password, so that unknown
/// users take as long as wrong passwords.
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

/// Whether `password` matches `hash`; always one Argon2 verification, also without a hash.
pub(crate) async fn verify_password(password: String, hash: Option<String>) -> bool {
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

/// The link of `${utp?url}`.
pub(crate) fn set_password_url(public_url: &str, token: &str) -> String {
    format!(
        "{}/set-password?token={token}",
        public_url.trim_end_matches('/')
    )
}

impl Portico {
    /// The caller's user and password hash, for a check of its password that counts as an
    /// attempt against the per-user sign-in limit (refused with `API_LIMIT_EXCEEDED` past it):
    /// changing the password and signing re-enter it.
    pub(crate) async fn counted_password_of(
        &self,
        caller: &Caller,
    ) -> ServiceResult<(portico_domain::model::User, Option<String>)> {
        self.count_attempts(&[Attempt {
            kind: PER_USER,
            value: &caller.user.username,
            limit: self.settings.login_failures_per_user,
        }])
        .await?;
        self.store
            .read()
            .await?
            .db()
            .user_with_password(&caller.user.id)
            .await?
            .ok_or_else(|| ServiceError::InvalidSession("the user no longer exists".into()))
    }

    /// `POST /api/v1/auth/password`: the signed-in user changes its password (required after
    /// signing in with a one-time password). Wrong current passwords count against the same
    /// limit as failed sign-ins. The change ends the user's other sessions (`session_token`
    /// is the one that stays) and its unused set-password links.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn change_password(
        &self,
        caller: &Caller,
        session_token: &str,
        current: &str,
        new: &str,
    ) -> ServiceResult<()> {
        let (user, hash) = self.counted_password_of(caller).await?;
        if !verify_password(current.to_string(), hash).await {
            return Err(
                ServiceError::InvalidData("the current password is not correct".into())
                    .because("refusal-current-password", &[]),
            );
        }
        if current == new {
            return Err(ServiceError::InvalidData(
                "the new password must differ from the current one".into(),
            )
            .because("refusal-password-unchanged", &[]));
        }
        let inputs = [
            user.username.as_str(),
            user.email.as_str(),
            &user.first_name,
            &user.last_name,
        ];
        let hash = hash_password(NewPassword::parse(new, &inputs)?).await?;
        let now = now_ms();
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        db.clear_login_failures(PER_USER, &user.username).await?;
        db.set_password_hash(&user.id, &hash).await?;
        let sessions = db
            .delete_other_sessions_of(&user.id, &token_hash(session_token))
            .await?;
        let links = db.end_password_links_of(&user.id, now).await?;
        db.audit(&revocation_entry(
            &user.id,
            "user.password_changed",
            now,
            sessions,
            links,
            "changed by the user",
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// `POST /api/v1/auth/password-link`: sends an active user a new set-password link.
    /// Requests are limited per username (or email) and per address. The answer, and the
    /// work done, are the same whether or not such a user exists: both write one audit entry
    /// in one transaction, so neither the answer nor its time reveals an account.
    #[tracing::instrument(skip_all, fields(address = address))]
    pub async fn request_password_link(
        &self,
        login: &str,
        address: Option<&str>,
    ) -> ServiceResult<()> {
        let login = login.trim();
        if login.is_empty() {
            return Err(
                ServiceError::ParameterRequired("username is required".into())
                    .because("refusal-username-required", &[]),
            );
        }
        let login: String = login.chars().take(200).collect();
        let mut attempts = vec![Attempt {
            kind: "link:",
            value: &login,
            limit: self.settings.link_requests_per_user,
        }];
        if let Some(address) = address {
            attempts.push(Attempt {
                kind: "link-addr:",
                value: address,
                limit: self.settings.link_requests_per_address,
            });
        }
        self.count_attempts_in(&attempts, self.settings.link_window_ms)
            .await?;
        let now = now_ms();
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let user = db.active_user_by_login(&login).await?;
        let entry = match &user {
            Some(user) => {
                let language = match &user.person {
                    Some(p) => db.person(p).await?.map(|p| p.language),
                    None => None,
                };
                let email = crate::emails::password_link_email(
                    user,
                    &self.config.vault_name,
                    Language::of(language.as_deref().unwrap_or_default()),
                )?;
                db.queue_email(&email, now).await?;
                AuditEntry {
                    at: now,
                    action: "user.password_link_sent".into(),
                    object: "user".into(),
                    object_id: user.id.to_string(),
                    user: Some(user.id.to_string()),
                    cause: Some("asked for from the set-password page".into()),
                    ..AuditEntry::default()
                }
            }
            None => AuditEntry {
                at: now,
                action: "auth.password_link_refused".into(),
                object: "session".into(),
                object_id: "-".into(),
                // What was typed may be anything, even a password in the wrong field: the
                // trail keeps only a fingerprint, enough to see one name asked for again.
                after: Some(
                    serde_json::json!({ "login_sha256": &token_hash(&login.to_lowercase())[..16] })
                        .to_string(),
                ),
                cause: Some("no active user has this username or email".into()),
                ..AuditEntry::default()
            },
        };
        db.audit(&entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether a set-password link can still be used (for the page it leads to).
    #[tracing::instrument(skip_all)]
    pub async fn password_link_usable(&self, token: &str) -> ServiceResult<bool> {
        Ok(self
            .store
            .read()
            .await?
            .db()
            .password_token_usable(&token_hash(token), now_ms())
            .await?)
    }

    /// The language of the person a usable set-password link is for (its page speaks it).
    pub async fn password_link_language(&self, token: &str) -> ServiceResult<Option<Language>> {
        let code = self
            .store
            .read()
            .await?
            .db()
            .password_token_language(&token_hash(token), now_ms())
            .await?;
        Ok(code.as_deref().map(Language::of))
    }

    /// `POST /api/v1/auth/set-password`: uses a link token once. Setting the password ends
    /// the user's other links and every session it had.
    #[tracing::instrument(skip_all)]
    pub async fn set_password_with_token(
        &self,
        token: &str,
        password: &str,
    ) -> ServiceResult<UserId> {
        let gone = || {
            ServiceError::InvalidData(
                "this link has already been used or has expired; ask your contact for a new invitation".into(),
            )
            .because("refusal-link-gone", &[])
        };
        // Check the policy before using the link up, so that a refused password leaves the
        // link usable for the next try.
        let user = {
            let mut reader = self.store.read().await?;
            let mut db = reader.db();
            let id = db
                .password_token_user(&token_hash(token), now_ms())
                .await?
                .ok_or_else(gone)?;
            db.user(&id).await?.ok_or_else(gone)?
        };
        let inputs = [
            user.username.as_str(),
            user.email.as_str(),
            &user.first_name,
            &user.last_name,
        ];
        let hash = hash_password(NewPassword::parse(password, &inputs)?).await?;
        let now = now_ms();
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let used_by = db
            .use_password_token(&token_hash(token), now)
            .await?
            .ok_or_else(gone)?;
        if used_by != user.id {
            return Err(gone());
        }
        db.set_password_hash(&user.id, &hash).await?;
        let links = db.end_password_links_of(&user.id, now).await?;
        let sessions = db.delete_sessions_of(&user.id).await?;
        db.audit(&revocation_entry(
            &user.id,
            "user.password_set",
            now,
            sessions,
            links,
            "set-password link",
        ))
        .await?;
        tx.commit().await?;
        Ok(user.id)
    }

    /// The secrets an outbox email carries, made now that it is being sent: a fresh
    /// set-password link (its token stored hashed) and a one-time password (stored as its
    /// Argon2id hash, expiring like a link). Answers each secret's text for the message; it
    /// is never stored.
    #[tracing::instrument(skip_all, fields(email = email_id, user = %user))]
    pub async fn make_email_secrets(
        &self,
        email_id: &str,
        user: &UserId,
        secrets: &[EmailSecret],
    ) -> ServiceResult<Vec<(EmailSecret, String)>> {
        let now = now_ms();
        let expires = now + self.settings.password_link_ms;
        let mut made = Vec::with_capacity(secrets.len());
        let mut password_hash = None;
        for secret in secrets {
            match secret {
                EmailSecret::SetPasswordLink => {
                    let token = random_token();
                    made.push((
                        *secret,
                        set_password_url(&self.settings.public_url, &token),
                        Some(token_hash(&token)),
                    ));
                }
                EmailSecret::OneTimePassword => {
                    let password = random_token()[..16].to_string();
                    password_hash = Some(hash(password.clone()).await?);
                    made.push((*secret, password, None));
                }
            }
        }
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        for (_, _, token_hash) in &made {
            if let Some(h) = token_hash {
                db.insert_password_token(h, user, now, expires).await?;
            }
        }
        if let Some(h) = &password_hash {
            db.set_one_time_password(user, h, expires).await?;
        }
        for (secret, _, _) in &made {
            let action = match secret {
                EmailSecret::SetPasswordLink => "user.password_link_made",
                EmailSecret::OneTimePassword => "user.one_time_password_made",
            };
            db.audit(&AuditEntry {
                at: now,
                action: action.into(),
                object: "user".into(),
                object_id: user.to_string(),
                user: Some(user.to_string()),
                cause: Some(format!("email {email_id} being sent")),
                ..AuditEntry::default()
            })
            .await?;
        }
        tx.commit().await?;
        Ok(made.into_iter().map(|(s, text, _)| (s, text)).collect())
    }
}

/// The audit entry of a password set or change, with what it ended.
fn revocation_entry(
    user: &UserId,
    action: &str,
    now: i64,
    sessions: u64,
    links: u64,
    cause: &str,
) -> AuditEntry {
    AuditEntry {
        at: now,
        actor: Some(user.to_string()),
        action: action.into(),
        object: "user".into(),
        object_id: user.to_string(),
        user: Some(user.to_string()),
        after: Some(
            serde_json::json!({"sessions_ended": sessions, "links_ended": links}).to_string(),
        ),
        cause: Some(cause.into()),
        ..AuditEntry::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(raw: &str, inputs: &[&str]) -> String {
        match NewPassword::parse(raw, inputs) {
            Err(ServiceError::InvalidData(m)) => m.into(),
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("{raw} was accepted"),
        }
    }

    #[test]
    fn common_and_guessable_passwords_are_refused_with_a_reason() {
        for weak in [
            "1234567890",
            "password123",
            "qwertyuiop",
            "aaaaaaaaaa",
            "iloveyou12",
            "abcdefghij",
        ] {
            let why = refusal(weak, &[]);
            assert!(
                why.starts_with("this password is too easy to guess"),
                "{weak}: {why}"
            );
            assert!(
                why.len() > "this password is too easy to guess".len() + 5,
                "{why}"
            );
        }
    }

    #[test]
    fn the_users_own_details_do_not_make_a_password() {
        let why = refusal("anna.berg", &["anna.berg"]);
        assert!(why.contains("at least 10"), "{why}");
        let why = refusal("anna.berg@acme.example", &["anna.berg@acme.example"]);
        assert!(why.contains("username or email"), "{why}");
        refusal("anna.berg12", &["anna.berg", "Anna", "Berg"]);
    }

    #[test]
    fn long_uncommon_passwords_are_accepted() {
        for strong in [
            "correct horse battery staple",
            "Tr0ub4dor&3-lantern-mosaic",
            "9f2c81d07ab34e55",
        ] {
            assert!(NewPassword::parse(strong, &[]).is_ok(), "{strong}");
        }
    }

    #[test]
    fn length_limits_come_first() {
        assert!(refusal("short", &[]).contains("at least 10"));
        assert!(refusal(&"x".repeat(257), &[]).contains("at most 256"));
    }
}

//! Staff single sign-on (SPEC section 11): an identity the company's OpenID provider vouched
//! for — its ID token already verified at the HTTP edge — becomes a session of the internal
//! user with that verified email, the same kind of session a password gives. External
//! collaborators never sign in this way. Every sign-in, refusal and user creation is audited
//! with the provider's issuer and the subject.

use portico_domain::model::{LicenseType, SecurityProfile, UserStatus};
use portico_domain::{EmailAddress, UserId};
use portico_store::{internal_user, AuditEntry, NewUserRow};
use serde_json::json;

use crate::passwords::{random_token, token_hash};
use crate::{new_id, now_ms, Login, Portico, ServiceResult};

/// Who the provider says signed in, from a verified ID token.
#[derive(Debug, Clone)]
pub struct ProviderIdentity {
    /// The provider (`iss`).
    pub issuer: String,
    /// The person at the provider (`sub`).
    pub subject: String,
    /// `email`, if the token has one.
    pub email: Option<String>,
    /// `email_verified`.
    pub email_verified: bool,
    /// `given_name` (or the first word of `name`).
    pub first_name: Option<String>,
    /// `family_name` (or the rest of `name`).
    pub last_name: Option<String>,
    /// `auth_time`: when the person last signed in at the provider (ms), if the token says.
    pub auth_time: Option<i64>,
}

/// Why single sign-on was refused, in words for the person (the page shows them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SsoRefusal {
    /// The token has no email, or the provider has not verified it.
    EmailNotVerified,
    /// No Portico user has this email (and users are not created by sign-on).
    UnknownEmail(String),
    /// The user is inactive.
    Inactive(String),
    /// The email is an external collaborator's: they sign in with their password.
    External(String),
}

impl std::fmt::Display for SsoRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SsoRefusal::EmailNotVerified => f.write_str(
                "your company account has no verified email address, so Portico cannot tell who you are; ask your IT team to verify it",
            ),
            SsoRefusal::UnknownEmail(e) => write!(
                f,
                "there is no Portico account for {e}; ask a Portico administrator to create one"
            ),
            SsoRefusal::Inactive(e) => write!(
                f,
                "the Portico account of {e} is inactive; ask a Portico administrator"
            ),
            SsoRefusal::External(e) => write!(
                f,
                "{e} belongs to an external collaborator, who signs in with a username and password, not with the company's sign-on"
            ),
        }
    }
}

impl SsoRefusal {
    fn code(&self) -> &'static str {
        match self {
            SsoRefusal::EmailNotVerified => "email not verified",
            SsoRefusal::UnknownEmail(_) => "unknown email",
            SsoRefusal::Inactive(_) => "inactive user",
            SsoRefusal::External(_) => "external collaborator",
        }
    }
}

impl Portico {
    /// Opens a session for the staff member the provider vouched for: the one active internal
    /// user with the verified email — created (profile `internal_user`) when none exists and
    /// `create_users` is on. Answers the refusal, audited, otherwise.
    #[tracing::instrument(skip_all, fields(issuer = %identity.issuer, subject = %identity.subject))]
    pub async fn login_with_provider(
        &self,
        identity: &ProviderIdentity,
        create_users: bool,
    ) -> ServiceResult<Result<Login, SsoRefusal>> {
        let now = now_ms();
        let email = identity
            .email
            .as_deref()
            .filter(|_| identity.email_verified)
            .and_then(|e| EmailAddress::parse(e).ok());
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let refused = |refusal: SsoRefusal| AuditEntry {
            at: now,
            action: "auth.sso_refused".into(),
            object: "session".into(),
            object_id: identity.subject.clone(),
            after: Some(
                json!({"issuer": identity.issuer, "subject": identity.subject,
                       "email": identity.email, "reason": refusal.code()})
                .to_string(),
            ),
            cause: Some("single sign-on".into()),
            ..AuditEntry::default()
        };
        let Some(email) = email else {
            db.audit(&refused(SsoRefusal::EmailNotVerified)).await?;
            tx.commit().await?;
            return Ok(Err(SsoRefusal::EmailNotVerified));
        };
        let users = db.users_by_email(email.as_str()).await?;
        let staff = users.iter().find(|u| u.license == LicenseType::Full);
        let user = match staff {
            Some(u) if u.status == UserStatus::Active => u.clone(),
            Some(_) => {
                let refusal = SsoRefusal::Inactive(email.to_string());
                db.audit(&refused(refusal.clone())).await?;
                tx.commit().await?;
                return Ok(Err(refusal));
            }
            None if !users.is_empty() => {
                let refusal = SsoRefusal::External(email.to_string());
                db.audit(&refused(refusal.clone())).await?;
                tx.commit().await?;
                return Ok(Err(refusal));
            }
            None if !create_users => {
                let refusal = SsoRefusal::UnknownEmail(email.to_string());
                db.audit(&refused(refusal.clone())).await?;
                tx.commit().await?;
                return Ok(Err(refusal));
            }
            None => {
                let local = email.as_str().split('@').next().unwrap_or("user");
                let user = internal_user(
                    UserId::new(new_id("usr")),
                    email.as_str(),
                    identity.first_name.as_deref().unwrap_or(local),
                    identity.last_name.as_deref().unwrap_or(""),
                    email.clone(),
                    SecurityProfile::InternalUser,
                );
                db.insert_user(
                    &NewUserRow {
                        user: user.clone(),
                        language: "en".into(),
                        // No password: this user signs in through the provider only.
                        password_hash: None,
                    },
                    now,
                )
                .await?;
                db.audit(&AuditEntry {
                    at: now,
                    action: "user.created".into(),
                    object: "user".into(),
                    object_id: user.id.to_string(),
                    user: Some(user.id.to_string()),
                    after: Some(
                        json!({"username__v": user.username, "security_profile__v": "internal_user",
                               "issuer": identity.issuer, "subject": identity.subject})
                        .to_string(),
                    ),
                    cause: Some("first single sign-on (PORTICO_OIDC_CREATE_USERS)".into()),
                    ..AuditEntry::default()
                })
                .await?;
                user
            }
        };
        let token = random_token();
        db.insert_session(
            &token_hash(&token),
            &user.id,
            now,
            now + self.settings.session_absolute_ms,
        )
        .await?;
        // Signing at the provider later must be this same person there.
        db.set_session_provider(&token_hash(&token), &identity.issuer, &identity.subject)
            .await?;
        db.audit(&AuditEntry {
            at: now,
            actor: Some(user.id.to_string()),
            action: "session.started".into(),
            object: "session".into(),
            object_id: user.id.to_string(),
            user: Some(user.id.to_string()),
            after: Some(
                json!({"method": "single sign-on", "issuer": identity.issuer,
                       "subject": identity.subject})
                .to_string(),
            ),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(Ok(Login {
            password_change_required: false,
            session_id: token,
            user_id: user.id,
        }))
    }

    /// Audits a sign-on refused at the HTTP edge (a state that does not match, a code the
    /// provider would not exchange, a token that does not verify): the attempt is in the trail
    /// even when no identity came of it.
    pub async fn audit_sso_failure(&self, issuer: &str, reason: &str) -> ServiceResult<()> {
        let mut tx = self.store.write().await?;
        tx.db()
            .audit(&AuditEntry {
                at: now_ms(),
                action: "auth.sso_refused".into(),
                object: "session".into(),
                object_id: "-".into(),
                after: Some(json!({"issuer": issuer, "reason": reason}).to_string()),
                cause: Some("single sign-on".into()),
                ..AuditEntry::default()
            })
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

//! Signing at the identity provider (SPEC section 11; 21 CFR 11.200(a)(1), 11.300): a user
//! who signs in through the company's OpenID provider has no Portico password to sign with, so
//! it signs by signing in at the provider again.
//!
//! The round trip is recorded when it starts: the session, the user, the pending signature (the
//! records, the action or task, the meaning the configuration requires) and the time. When the
//! provider sends the person back, the HTTP edge has verified the ID token (issuer, audience,
//! signature, nonce); here the person must be the one who started the round trip (the same
//! verified email, and the same issuer and subject as the session's sign-on), and must have
//! signed in at the provider after the round trip started (`auth_time`: a provider session
//! from before does not count). The answer is a grant: a random token, stored hashed, that
//! signs once, within [`GRANT_MINUTES`], in the same session, by the same user, the same
//! pending signature. Every refusal is audited and counted like a failed sign-in.

use portico_domain::lifecycle::SignatureMeaning;
use portico_domain::model::{LicenseType, UserStatus};
use portico_domain::TaskId;
use portico_store::{AuditEntry, SigningGrantRow};
use serde_json::json;

use crate::auth::{Attempt, PER_USER};
use crate::passwords::{random_token, token_hash};
use crate::{now_ms, Caller, Portico, ProviderIdentity, ServiceError, ServiceResult};

/// How long a round trip to the provider may take.
const ROUND_TRIP_MINUTES: i64 = 10;
/// How long a grant signs.
pub const GRANT_MINUTES: i64 = 5;
/// How far the provider's clock may be behind ours when it says when the person signed in.
const AUTH_TIME_SKEW_MS: i64 = 20_000;

/// A signature waiting for its signer to re-authenticate at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PendingSignature {
    /// A lifecycle action on one record, or on several at once (a bulk action).
    Action {
        /// The records' object, e.g. `car__v`.
        object: String,
        /// The records.
        ids: Vec<String>,
        /// The action, e.g. `change_state_to_closed__c`.
        action: String,
    },
    /// Completing a task.
    Task {
        /// The task.
        id: String,
    },
}

/// What a grant is bound to, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Binding {
    object: String,
    records: String,
    signing: String,
}

/// Why the provider's answer gives no grant, in words for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigningRefusal {
    /// No round trip with this token, or it took too long, or its answer came twice.
    NoRoundTrip,
    /// The session that started it has ended.
    SessionEnded,
    /// Someone else signed in at the provider.
    OtherPerson,
    /// The provider did not make the person sign in again.
    NotReauthenticated,
}

impl std::fmt::Display for SigningRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SigningRefusal::NoRoundTrip => "this signature was not started here, was finished already, or took longer than 10 minutes",
            SigningRefusal::SessionEnded => "your Portico session ended meanwhile; sign in again and sign again",
            SigningRefusal::OtherPerson => "the person who signed in at the provider is not the one signed in to Portico",
            SigningRefusal::NotReauthenticated => "the provider did not ask for your password again, so this cannot count as a signature",
        })
    }
}

/// A grant made: its token, and where the pending signature is.
#[derive(Debug, Clone)]
pub struct SigningGrant {
    /// The grant (the only copy; stored hashed).
    pub token: String,
    /// The records' object.
    pub object: String,
    /// The first record to be signed.
    pub record: String,
}

fn joined(ids: &[String]) -> String {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    ids.join(",")
}

impl Portico {
    /// Whether the signed-in user signs by re-authenticating at the provider: it has no
    /// Portico password.
    pub async fn signs_at_provider(&self, caller: &Caller) -> ServiceResult<bool> {
        let (_, hash) = self
            .store
            .read()
            .await?
            .db()
            .user_with_password(&caller.user.id)
            .await?
            .ok_or_else(|| ServiceError::InvalidSession("the user no longer exists".into()))?;
        Ok(hash.is_none())
    }

    /// What `pending` binds a grant to, and the meaning it requires now (`None`: it takes no
    /// signature). Refuses what the caller may not see.
    pub(crate) async fn binding(
        &self,
        caller: &Caller,
        pending: &PendingSignature,
    ) -> ServiceResult<(Binding, Option<SignatureMeaning>)> {
        match pending {
            PendingSignature::Action {
                object,
                ids,
                action,
            } => {
                let required = self
                    .required_for_action(caller, object, ids, action)
                    .await?;
                Ok((
                    Binding {
                        object: object.clone(),
                        records: joined(ids),
                        signing: format!("action:{action}"),
                    },
                    required,
                ))
            }
            PendingSignature::Task { id } => {
                let task = self.task(caller, id).await?;
                let object = self
                    .store
                    .read()
                    .await?
                    .db()
                    .record_object(&task.record)
                    .await?
                    .unwrap_or_default();
                let required = self.signature_for_task(&task).await?;
                Ok((
                    Binding {
                        object,
                        records: task.record.to_string(),
                        signing: format!("task:{id}"),
                    },
                    required,
                ))
            }
        }
    }

    /// Starts a round trip to the provider to sign `pending`: answers its token (for the
    /// browser's flow cookie). Only for a signed-in user of single sign-on, and only for what
    /// requires a signature now.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn start_signing_at_provider(
        &self,
        caller: &Caller,
        pending: &PendingSignature,
    ) -> ServiceResult<String> {
        let session = caller.session.clone().ok_or_else(|| {
            ServiceError::InvalidSession("signing needs a signed-in session".into())
        })?;
        let (binding, required) = self.binding(caller, pending).await?;
        let Some(meaning) = required else {
            return Err(ServiceError::InvalidData(
                "this takes no signature in the record's state".into(),
            ));
        };
        let now = now_ms();
        let token = random_token();
        let mut tx = self.store.write().await?;
        tx.db()
            .insert_signing_round_trip(
                &token_hash(&token),
                &SigningGrantRow {
                    session_hash: session,
                    user: caller.user.id.clone(),
                    object: binding.object,
                    records: binding.records,
                    signing: binding.signing,
                    meaning: meaning.as_str().to_string(),
                    started_at: now,
                    confirmed_at: None,
                    expires_at: now + ROUND_TRIP_MINUTES * 60_000,
                    used_at: None,
                },
            )
            .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The provider sent the person back from the round trip `flow` with a verified
    /// `identity`: answers the grant, or why there is none (audited, and counted against the
    /// user like a failed sign-in).
    #[tracing::instrument(skip_all, fields(issuer = %identity.issuer, subject = %identity.subject))]
    pub async fn grant_signing(
        &self,
        flow: &str,
        identity: &ProviderIdentity,
    ) -> ServiceResult<Result<SigningGrant, SigningRefusal>> {
        let now = now_ms();
        let flow_hash = token_hash(flow);
        let mut reader = self.store.read().await?;
        let mut db = reader.db();
        let Some(trip) = db.signing_round_trip(&flow_hash).await? else {
            drop(reader);
            self.audit_signing_refusal(None, identity, SigningRefusal::NoRoundTrip)
                .await?;
            return Ok(Err(SigningRefusal::NoRoundTrip));
        };
        let session = db.session(&trip.session_hash).await?;
        let session_provider = db.session_provider(&trip.session_hash).await?;
        let same_email = match identity
            .email
            .as_deref()
            .filter(|_| identity.email_verified)
        {
            Some(email) => db.users_by_email(email).await?.iter().any(|u| {
                u.id == trip.user
                    && u.license == LicenseType::Full
                    && u.status == UserStatus::Active
            }),
            None => false,
        };
        drop(reader);
        let refusal = if trip.confirmed_at.is_some() || trip.expires_at < now {
            Some(SigningRefusal::NoRoundTrip)
        } else if !session.is_some_and(|s| s.user.id == trip.user && s.expires_at > now) {
            Some(SigningRefusal::SessionEnded)
        } else if !same_email
            || session_provider
                .is_some_and(|(iss, sub)| iss != identity.issuer || sub != identity.subject)
        {
            Some(SigningRefusal::OtherPerson)
        } else if !identity.auth_time.is_some_and(|t| {
            t >= trip.started_at - AUTH_TIME_SKEW_MS && t <= now + AUTH_TIME_SKEW_MS
        }) {
            Some(SigningRefusal::NotReauthenticated)
        } else {
            None
        };
        if let Some(refusal) = refusal {
            self.audit_signing_refusal(Some(&trip), identity, refusal.clone())
                .await?;
            return Ok(Err(refusal));
        }
        let token = random_token();
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        if !db
            .confirm_signing_grant(
                &flow_hash,
                &token_hash(&token),
                now,
                now + GRANT_MINUTES * 60_000,
            )
            .await?
        {
            tx.rollback().await?;
            self.audit_signing_refusal(Some(&trip), identity, SigningRefusal::NoRoundTrip)
                .await?;
            return Ok(Err(SigningRefusal::NoRoundTrip));
        }
        db.audit(&AuditEntry {
            at: now,
            actor: Some(trip.user.to_string()),
            action: "signature.reauthenticated".into(),
            object: "signature".into(),
            object_id: trip.user.to_string(),
            user: Some(trip.user.to_string()),
            record: trip.records.split(',').next().map(str::to_string),
            after: Some(
                json!({"issuer": identity.issuer, "subject": identity.subject,
                       "meaning": trip.meaning, "signing": trip.signing,
                       "records": trip.records})
                .to_string(),
            ),
            cause: Some("re-authenticated at the identity provider to sign".into()),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(Ok(SigningGrant {
            token,
            object: trip.object,
            record: trip
                .records
                .split(',')
                .next()
                .unwrap_or_default()
                .to_string(),
        }))
    }

    async fn audit_signing_refusal(
        &self,
        trip: Option<&SigningGrantRow>,
        identity: &ProviderIdentity,
        refusal: SigningRefusal,
    ) -> ServiceResult<()> {
        let user = match trip {
            Some(t) => self
                .store
                .read()
                .await?
                .db()
                .user_with_password(&t.user)
                .await?
                .map(|(u, _)| u),
            None => None,
        };
        if let Some(u) = &user {
            // Counted like a failed sign-in; past the limit the next attempt is refused.
            let _ = self
                .count_attempts(&[Attempt {
                    kind: PER_USER,
                    value: &u.username,
                    limit: self.settings.login_failures_per_user,
                }])
                .await;
        }
        let mut tx = self.store.write().await?;
        let id = user.as_ref().map(|u| u.id.to_string());
        tx.db()
            .audit(&AuditEntry {
                at: now_ms(),
                actor: id.clone(),
                action: "signature.failed".into(),
                object: "signature".into(),
                object_id: id.clone().unwrap_or_else(|| "-".into()),
                user: id,
                after: Some(
                    json!({"issuer": identity.issuer, "subject": identity.subject,
                           "meaning": trip.map(|t| t.meaning.clone()),
                           "signing": trip.map(|t| t.signing.clone()),
                           "reason": refusal.to_string()})
                    .to_string(),
                ),
                cause: Some("re-authentication at the identity provider refused".into()),
                ..AuditEntry::default()
            })
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Spends the grant `token` on the pending signature `binding` requiring `meaning`, by
    /// `caller`: answers `INVALID_SIGNATURE` (audited) for a grant that is unknown, expired,
    /// spent, another user's or session's, or for another signature.
    pub(crate) async fn spend_grant(
        &self,
        caller: &Caller,
        token: &str,
        binding: &Binding,
        meaning: &SignatureMeaning,
    ) -> ServiceResult<()> {
        let now = now_ms();
        let hash = token_hash(token);
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let grant = db.signing_grant(&hash).await?;
        let why = match &grant {
            None => Some("the grant is not known"),
            Some(g)
                if g.user != caller.user.id
                    || caller.session.as_deref() != Some(g.session_hash.as_str()) =>
            {
                Some("the grant was made for another user or session")
            }
            Some(g) if g.used_at.is_some() => Some("the grant was used already"),
            Some(g) if g.expires_at < now => Some("the grant has expired"),
            Some(g)
                if g.object != binding.object
                    || g.records != binding.records
                    || g.signing != binding.signing
                    || g.meaning != meaning.as_str() =>
            {
                Some("the grant was made for another record, action or meaning")
            }
            Some(_) => None,
        };
        let spent = match why {
            None => db.use_signing_grant(&hash, now).await?,
            Some(_) => false,
        };
        if spent {
            tx.commit().await?;
            return Ok(());
        }
        let why = why.unwrap_or("the grant was used already");
        db.audit(&AuditEntry {
            at: now,
            actor: Some(caller.user.id.to_string()),
            action: "signature.failed".into(),
            object: "signature".into(),
            object_id: caller.user.id.to_string(),
            user: Some(caller.user.id.to_string()),
            after: Some(
                json!({"meaning": meaning.as_str(), "signing": binding.signing,
                       "records": binding.records, "reason": why})
                .to_string(),
            ),
            cause: Some("a signing grant that does not hold".into()),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Err(ServiceError::InvalidSignature(format!(
            "{why}: re-authenticate at your identity provider for this signature; nothing was signed or changed"
        ).into()))
    }
}

/// The binding of a task (for [`Portico::check_signature`]).
pub(crate) fn task_pending(id: &TaskId) -> PendingSignature {
    PendingSignature::Task { id: id.to_string() }
}

/// The binding of an action on records (for [`Portico::check_signature`]).
pub(crate) fn action_pending(object: &str, ids: &[String], action: &str) -> PendingSignature {
    PendingSignature::Action {
        object: object.to_string(),
        ids: ids.to_vec(),
        action: action.to_string(),
    }
}

//! Electronic signatures (SPEC section 11; 21 CFR 11.50, 11.70, 11.100, 11.200, 11.300).
//!
//! An action or a task completion the configuration marks as signed needs the signer's
//! password again (the username is the signed-in user's: both components, 11.200(a)(1)(i)),
//! and the meaning the configuration names. The password is checked before the write begins,
//! counted against the same per-user limit as sign-in; a wrong one is audited. The signature
//! row is then written in the transaction of the change it signs, with the SHA-256 of the
//! record as signed; reading it recomputes that hash, so a record changed afterwards shows
//! that the signature refers to an earlier version, and a row copied onto another record does
//! not verify.

use chrono::{SecondsFormat, TimeZone, Utc};
use portico_domain::lifecycle::SignatureMeaning;
use portico_domain::model::Record;
use portico_domain::{PersonId, RecordId, TaskId};
use portico_store::{AuditEntry, Db, SignatureRow, Signed};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::auth::PER_USER;
use crate::passwords::verify_password;
use crate::provider_signing::PendingSignature;
use crate::{new_id, now_ms, Caller, Portico, ServiceError, ServiceResult};

/// A signature as a client gives it with an action or a task completion.
#[derive(Debug, Clone)]
pub struct SignatureInput {
    /// How the signer proves it is itself, again.
    pub with: SignedWith,
    /// The meaning the signer affirms; must be the configured one.
    pub meaning: String,
}

/// The signer's second proof of identity (21 CFR 11.200(a)(1)).
#[derive(Debug, Clone)]
pub enum SignedWith {
    /// Its Portico password, entered again.
    Password(String),
    /// A grant from re-authenticating at the identity provider (users of single sign-on;
    /// [`crate::provider_signing`]).
    Grant(String),
}

/// A signer whose password was checked, about to sign.
#[derive(Debug, Clone)]
pub(crate) struct Signer {
    printed_name: String,
    meaning: SignatureMeaning,
    signed_at: String,
}

/// A signature as read back: the row, and whether the record is still as it was signed.
#[derive(Debug, Clone)]
pub struct SignatureView {
    /// The stored signature.
    pub row: SignatureRow,
    /// Whether the SHA-256 of the record (and, for a task, its response) now equals the one
    /// signed: `false` means the signature refers to an earlier version of the record, or was
    /// not made on this record at all.
    pub current: bool,
}

impl SignatureView {
    /// The manifestation of 21 CFR 11.50: printed name — meaning — date and time.
    pub fn manifestation(&self) -> String {
        manifestation(&self.row)
    }
}

/// `printed name — meaning — date and time`.
pub fn manifestation(row: &SignatureRow) -> String {
    format!("{} — {} — {}", row.printed_name, row.meaning, row.signed_at)
}

/// The canonical JSON of a record's signed content: its identity and fields (not its state,
/// which the signed actions themselves move), and for a task's completion the task and its
/// response. Keys are sorted and there is no white space, so the same content always gives
/// the same bytes.
fn signed_content(record: &Record, task: Option<(&TaskId, &str)>) -> String {
    let mut content = json!({
        "id": record.id.as_str(),
        "object": record.object,
        "object_type__v": record.object_type,
        "name__v": record.name,
        "supplier__v": record.supplier.as_ref().map(|s| s.as_str()),
        "external_collaborator__v": record.collaborators.iter().map(PersonId::as_str).collect::<Vec<_>>(),
        "created_by__v": record.created_by.as_str(),
    });
    if let (Some((id, response)), Value::Object(map)) = (task, &mut content) {
        map.insert(
            "task".into(),
            json!({"id": id.as_str(), "response__v": response}),
        );
    }
    canonical(&content)
}

/// JSON with object keys sorted at every level (serde_json may keep insertion order).
fn canonical(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&map[k])))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

/// SHA-256 (hex) of the record as signed.
pub(crate) fn record_hash(record: &Record, task: Option<(&TaskId, &str)>) -> String {
    hex::encode(Sha256::digest(signed_content(record, task).as_bytes()))
}

/// `signed_at`: RFC 3339 with its offset, in UTC, to the millisecond.
fn rfc3339(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, false)
}

/// What an action inside a write transaction signs with.
#[derive(Clone, Copy)]
pub(crate) enum Signing<'a> {
    /// The signer checked before the write began (`None`: no signature was required then).
    Checked(Option<&'a Signer>),
    /// A preview writing in a transaction it rolls back: nothing is signed, nothing asked.
    Preview,
}

impl<'a> Signing<'a> {
    /// The signer of `action` on `record` (locked), which in its state needs `needed`. The
    /// signature was checked against the state read before the write: if the record moved
    /// since, so that the action now needs a signature it was not given, it is refused.
    pub(crate) fn for_record(
        self,
        needed: Option<&SignatureMeaning>,
        record: &Record,
        action: &str,
    ) -> ServiceResult<Option<&'a Signer>> {
        match (self, needed) {
            (Signing::Preview, _) | (_, None) => Ok(None),
            (Signing::Checked(Some(s)), Some(m)) if s.meaning == *m => Ok(Some(s)),
            (Signing::Checked(_), Some(m)) => Err(ServiceError::SignatureRequired(format!(
                "{} changed meanwhile: in its state {} the action {action} requires your electronic signature meaning '{m}'; nothing was changed",
                record.name, record.state
            ).into())
            .because("refusal-changed-meanwhile", &[("record", &record.name)])),
        }
    }
}

impl Signer {
    /// The signature row of this signer on `record` for `signed`.
    pub(crate) fn row(
        &self,
        caller: &Caller,
        record: &Record,
        signed: Signed,
        task: Option<(&TaskId, &str)>,
    ) -> SignatureRow {
        SignatureRow {
            id: new_id("sig"),
            record: record.id.clone(),
            object: record.object.clone(),
            signer: caller.user.id.clone(),
            printed_name: self.printed_name.clone(),
            meaning: self.meaning.as_str().to_string(),
            signed_at: self.signed_at.clone(),
            signed,
            record_hash: record_hash(record, task),
        }
    }

    /// The audit entry of a signature: the record trail then shows who signed what, meaning
    /// and time (the audit export's manifestation of 11.50).
    pub(crate) fn audit(&self, row: &SignatureRow, at: i64) -> AuditEntry {
        let what = match &row.signed {
            Signed::Action(a) => json!({"action": a}),
            Signed::Task(t) => json!({"task": t.as_str()}),
        };
        AuditEntry {
            at,
            actor: Some(row.signer.to_string()),
            action: "signature.signed".into(),
            object: "signature".into(),
            object_id: row.id.clone(),
            record: Some(row.record.to_string()),
            user: Some(row.signer.to_string()),
            after: Some(
                json!({"printed_name": row.printed_name, "meaning": row.meaning,
                       "signed_at": row.signed_at, "signed": what, "record_hash": row.record_hash})
                .to_string(),
            ),
            cause: Some(manifestation(row)),
            ..AuditEntry::default()
        }
    }
}

impl Portico {
    /// Checks the signature `what` (an action or a task, as people read it) needs:
    /// `required` is the configured meaning (`None`: no signature), `pending` what is signed.
    /// Answers the signer when one is required and given rightly. Refusals:
    /// `SIGNATURE_REQUIRED` without one; a meaning other than the configured one;
    /// `SSO_REAUTHENTICATION_REQUIRED` for a password from a user without one (it signs at the
    /// provider, with a grant); past the per-user attempt limit `API_LIMIT_EXCEEDED`; a wrong
    /// password, or a grant that does not hold for this signature, `INVALID_SIGNATURE`,
    /// audited.
    pub(crate) async fn check_signature(
        &self,
        caller: &Caller,
        required: Option<&SignatureMeaning>,
        given: Option<&SignatureInput>,
        what: &str,
        pending: &PendingSignature,
    ) -> ServiceResult<Option<Signer>> {
        let (required, given) = match (required, given) {
            (None, None) => return Ok(None),
            (None, Some(_)) => {
                return Err(ServiceError::InvalidData(format!(
                    "{what} takes no signature; send none"
                ).into()))
            }
            (Some(m), None) => {
                return Err(ServiceError::SignatureRequired(format!(
                    "{what} requires your electronic signature meaning '{m}': send \"signature\": {{\"password\": your password, \"meaning\": \"{m}\"}} (users of single sign-on: {{\"grant\": the grant of re-authenticating at the provider, \"meaning\": \"{m}\"}})"
                ).into()))
            }
            (Some(m), Some(g)) => (m, g),
        };
        if given.meaning.trim() != required.as_str() {
            return Err(ServiceError::InvalidData(
                format!(
                    "signature.meaning: {what} is signed with the meaning '{required}', not '{}'",
                    given.meaning.trim()
                )
                .into(),
            ));
        }
        let (user, hash) = self.counted_password_of(caller).await?;
        let password = match &given.with {
            SignedWith::Grant(grant) => {
                let (binding, _) = self.binding(caller, pending).await?;
                self.spend_grant(caller, grant, &binding, required).await?;
                None
            }
            SignedWith::Password(password) => Some(password),
        };
        let now = now_ms();
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        if let Some(password) = password {
            let Some(hash) = hash else {
                return Err(ServiceError::SsoReauthenticationRequired(
                    "you sign in through your organisation's identity provider and have no Portico password: sign by signing in there again (the sign dialog's button; over the API, a grant from /auth/oidc/sign)".into(),
                ));
            };
            if !verify_password(password.clone(), Some(hash)).await {
                db.audit(&AuditEntry {
                    at: now,
                    actor: Some(user.id.to_string()),
                    action: "signature.failed".into(),
                    object: "signature".into(),
                    object_id: user.id.to_string(),
                    user: Some(user.id.to_string()),
                    after: Some(json!({"meaning": required.as_str(), "signing": what}).to_string()),
                    cause: Some("wrong password for an electronic signature".into()),
                    ..AuditEntry::default()
                })
                .await?;
                tx.commit().await?;
                return Err(ServiceError::InvalidSignature(
                    "the password is not correct: nothing was signed or changed".into(),
                )
                .because("refusal-signature-password", &[]));
            }
        }
        // A success is no failure, as at sign-in.
        db.clear_login_failures(PER_USER, &caller.user.username)
            .await?;
        tx.commit().await?;
        Ok(Some(Signer {
            printed_name: format!("{} {}", user.first_name, user.last_name)
                .trim()
                .to_string(),
            meaning: required.clone(),
            signed_at: rfc3339(now),
        }))
    }

    /// `GET /api/v1/vobjects/{object}/{id}/signatures`: a record's signatures, oldest first,
    /// each checked against the record as it is now. Externals see those of records shared
    /// with them only.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, object = object, id = id))]
    pub async fn signatures(
        &self,
        caller: &Caller,
        object: &str,
        id: &str,
    ) -> ServiceResult<Vec<SignatureView>> {
        let view = self.record(caller, object, id).await?;
        let mut reader = self.store.read().await?;
        let mut db = reader.db();
        let rows = db.signatures(&RecordId::new(id)).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let now_hash = current_hash(&mut db, &view.record, &row).await?;
            out.push(SignatureView {
                current: now_hash.as_deref() == Some(row.record_hash.as_str()),
                row,
            });
        }
        Ok(out)
    }
}

/// The hash the signature's content has now; `None` when its task is gone.
async fn current_hash(
    db: &mut Db<'_>,
    record: &Record,
    row: &SignatureRow,
) -> ServiceResult<Option<String>> {
    Ok(match &row.signed {
        Signed::Action(_) => Some(record_hash(record, None)),
        Signed::Task(t) => db.task(t).await?.map(|task| {
            record_hash(
                record,
                Some((t, task.response.as_deref().unwrap_or_default())),
            )
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_domain::UserId;

    fn record() -> Record {
        Record {
            id: RecordId::new("rec_1"),
            object: "car__v".into(),
            object_type: "scar__v".into(),
            name: "SCAR-1".into(),
            state: "in_review__c".into(),
            supplier: None,
            collaborators: vec![PersonId::new("per_b"), PersonId::new("per_a")],
            created_by: UserId::new("usr_admin"),
            access_end_date: None,
        }
    }

    #[test]
    fn the_signed_content_is_canonical_json_with_sorted_keys() {
        let content = signed_content(&record(), Some((&TaskId::new("tsk_1"), "fixed \"it\"")));
        assert_eq!(
            content,
            r#"{"created_by__v":"usr_admin","external_collaborator__v":["per_b","per_a"],"id":"rec_1","name__v":"SCAR-1","object":"car__v","object_type__v":"scar__v","supplier__v":null,"task":{"id":"tsk_1","response__v":"fixed \"it\""}}"#
        );
    }

    #[test]
    fn the_hash_binds_the_record_its_fields_and_the_response_but_not_the_state() {
        let r = record();
        let h = record_hash(&r, None);
        assert_eq!(h.len(), 64);
        let moved = Record {
            state: "closed__c".into(),
            ..record()
        };
        assert_eq!(
            record_hash(&moved, None),
            h,
            "a signed move changes the state"
        );
        let renamed = Record {
            name: "SCAR-1b".into(),
            ..record()
        };
        assert_ne!(record_hash(&renamed, None), h);
        let other = Record {
            id: RecordId::new("rec_2"),
            ..record()
        };
        assert_ne!(record_hash(&other, None), h, "a copy onto another record");
        let t = TaskId::new("tsk_1");
        assert_ne!(
            record_hash(&r, Some((&t, "a"))),
            record_hash(&r, Some((&t, "b")))
        );
    }

    #[test]
    fn signed_at_is_rfc3339_with_an_offset() {
        assert_eq!(rfc3339(1_700_000_000_123), "2023-11-14T22:13:20.123+00:00");
    }
}

//! Assignments, the outbox and the audit trail.

use axum::extract::Path;
use portico_service::store::{
    AssignmentFilter, AssignmentRow, AuditFilter, AuditRow, OutboxFilter, OutboxRow,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::wire::{ok, time, Activity, Answer, Moment, NoFilters, Paged, Success};
use crate::error::Refusals;
use crate::extract::{Admin, Auth, Internal, Query};

/// A person's access to a record (C2–C4).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    id: String,
    object__v: String,
    record__v: String,
    person__v: String,
    user__v: String,
    assignment_activity__v: Activity,
    #[schema(format = DateTime)]
    activated_date__v: String,
    #[schema(required, format = DateTime)]
    inactivated_date__v: Option<String>,
    /// The internal user whose action granted the access; `null` only for access granted
    /// before sponsors were recorded.
    #[schema(required)]
    sponsor__v: Option<String>,
}

impl From<AssignmentRow> for Assignment {
    fn from(a: AssignmentRow) -> Self {
        Assignment {
            id: a.id.to_string(),
            object__v: a.object,
            record__v: a.record.to_string(),
            person__v: a.person.to_string(),
            user__v: a.user.to_string(),
            assignment_activity__v: Activity::of(a.active),
            activated_date__v: time(a.activated_at),
            inactivated_date__v: a.inactivated_at.map(time),
            sponsor__v: a.sponsor.map(|s| s.to_string()),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssignmentFilters {
    record__v: Option<String>,
    person__v: Option<String>,
    user__v: Option<String>,
    #[param(inline)]
    assignment_activity__v: Option<Activity>,
    /// Access this internal user sponsors.
    sponsor__v: Option<String>,
}

/// List assignments
#[utoipa::path(get, path = "/assignments", params(Paged<AssignmentFilters>), responses((status = 200, body = Success<Vec<Assignment>>), Refusals))]
pub async fn assignments(
    Auth(app, caller): Auth,
    Query(Paged { page, filters: f }): Query<Paged<AssignmentFilters>>,
) -> Answer<Vec<Assignment>> {
    let filter = AssignmentFilter {
        record: f.record__v,
        person: f.person__v,
        user: f.user__v,
        active: f.assignment_activity__v.map(|a| a == Activity::Active),
        sponsor: f.sponsor__v,
        ..AssignmentFilter::default()
    };
    let rows = app.assignments(&caller, filter, page).await?;
    Ok(ok(rows.into_iter().map(Assignment::from).collect()))
}

/// An email in the outbox.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Email {
    id: String,
    to: String,
    template: String,
    subject: String,
    body: String,
    #[schema(required)]
    html: Option<String>,
    /// `pending`, `sent` or `failed`.
    status: String,
    attempts: i64,
    #[schema(required)]
    last_error: Option<String>,
    #[schema(required)]
    user__v: Option<String>,
    #[schema(required)]
    record__v: Option<String>,
    #[schema(format = DateTime)]
    created_date__v: String,
}

/// `pending`, `sent` or `failed`.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EmailStatus {
    Pending,
    Sent,
    Failed,
}

impl EmailStatus {
    fn stored(self) -> &'static str {
        match self {
            EmailStatus::Pending => "pending",
            EmailStatus::Sent => "sent",
            EmailStatus::Failed => "failed",
        }
    }
}

impl From<OutboxRow> for Email {
    fn from(o: OutboxRow) -> Self {
        Email {
            id: o.email.id,
            to: o.email.to,
            template: o.email.template,
            subject: o.email.subject,
            body: o.email.body,
            html: o.email.html,
            status: o.status,
            attempts: o.attempts,
            last_error: o.last_error,
            user__v: o.email.user_id,
            record__v: o.email.record_id,
            created_date__v: time(o.created_at),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutboxFilters {
    /// The recipient's address (any case).
    to: Option<String>,
    #[param(inline)]
    status: Option<EmailStatus>,
    template: Option<String>,
}

/// Emails
#[utoipa::path(get, path = "/outbox", params(Paged<OutboxFilters>), responses((status = 200, body = Success<Vec<Email>>), Refusals))]
pub async fn outbox(
    Auth(app, caller): Auth,
    Query(Paged { page, filters: f }): Query<Paged<OutboxFilters>>,
) -> Answer<Vec<Email>> {
    let filter = OutboxFilter {
        to: f.to.map(|t| t.trim().to_lowercase()),
        status: f.status.map(|s| s.stored().to_string()),
        template: f.template,
        ..OutboxFilter::default()
    };
    let rows = app.outbox(&caller, filter, page).await?;
    Ok(ok(rows.into_iter().map(Email::from).collect()))
}

/// Retry a failed email
#[utoipa::path(post, path = "/outbox/{id}/retry", responses((status = 200, body = Success<Email>), Refusals))]
pub async fn retry_email(Admin(app, caller): Admin, Path(id): Path<String>) -> Answer<Email> {
    Ok(ok(app.retry_email(&caller, &id).await?.into()))
}

/// An entry of the audit trail.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditEntry {
    /// Its place in the chain.
    id: i64,
    #[schema(format = DateTime)]
    timestamp: String,
    /// The user who acted (`null`: Portico itself).
    #[schema(required)]
    actor: Option<String>,
    action: String,
    object: String,
    object_id: String,
    #[schema(required)]
    record__v: Option<String>,
    #[schema(required)]
    person__v: Option<String>,
    #[schema(required)]
    user__v: Option<String>,
    /// The fields before (JSON), or `null`.
    #[schema(required)]
    before: serde_json::Value,
    /// The fields after (JSON), or `null`.
    #[schema(required)]
    after: serde_json::Value,
    #[schema(required)]
    cause: Option<String>,
}

/// Stored JSON as JSON (text that is not JSON as a string).
fn parsed(raw: Option<String>) -> serde_json::Value {
    raw.map_or(serde_json::Value::Null, |s| {
        serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s))
    })
}

impl From<AuditRow> for AuditEntry {
    fn from(a: AuditRow) -> Self {
        let e = a.entry;
        AuditEntry {
            id: a.seq,
            timestamp: time(e.at),
            actor: e.actor,
            action: e.action,
            object: e.object,
            object_id: e.object_id,
            record__v: e.record,
            person__v: e.person,
            user__v: e.user,
            before: parsed(e.before),
            after: parsed(e.after),
            cause: e.cause,
        }
    }
}

/// Which entries: of the list and of the export.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditFilters {
    record__v: Option<String>,
    user__v: Option<String>,
    person__v: Option<String>,
    /// e.g. `user.updated`.
    action: Option<String>,
    /// From this time on.
    #[param(value_type = Option<String>, format = DateTime)]
    from: Option<Moment>,
    /// Before this time.
    #[param(value_type = Option<String>, format = DateTime)]
    to: Option<Moment>,
}

impl From<AuditFilters> for AuditFilter {
    fn from(f: AuditFilters) -> Self {
        AuditFilter {
            record: f.record__v,
            user: f.user__v,
            person: f.person__v,
            action: f.action,
            from: f.from.map(|m| m.0),
            to: f.to.map(|m| m.0),
            ..AuditFilter::default()
        }
    }
}

/// The audit trail
#[utoipa::path(get, path = "/audit", params(Paged<AuditFilters>), responses((status = 200, body = Success<Vec<AuditEntry>>), Refusals))]
pub async fn audit(
    Auth(app, caller): Auth,
    Query(Paged { page, filters }): Query<Paged<AuditFilters>>,
) -> Answer<Vec<AuditEntry>> {
    let rows = app.audit(&caller, filters.into(), page).await?;
    Ok(ok(rows.into_iter().map(AuditEntry::from).collect()))
}

/// Whether the audit chain is intact, and where it breaks.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChainCheck {
    intact: bool,
    entries: i64,
    #[schema(required)]
    broken_at: Option<i64>,
    #[schema(required)]
    reason: Option<String>,
}

/// Check the audit chain
#[utoipa::path(get, path = "/audit/verify", responses((status = 200, body = Success<ChainCheck>), Refusals))]
pub async fn audit_verify(Auth(app, caller): Auth) -> Answer<ChainCheck> {
    let r = app.verify_audit(Some(&caller)).await?;
    Ok(ok(ChainCheck {
        intact: r.intact,
        entries: r.entries,
        broken_at: r.broken_at,
        reason: r.reason,
    }))
}

/// A signed checkpoint of the audit chain: the chain's hash `head` at place `seq`, signed
/// with Ed25519 (`signature`, hex) by the key `key_id`; `previous` and `entries_sha256` (the
/// SHA-256 of the hashes of the entries since the checkpoint before) are signed with them.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditCheckpoint {
    seq: i64,
    head: String,
    #[schema(format = DateTime)]
    at: String,
    key_id: String,
    signature: String,
    previous: i64,
    entries_sha256: String,
}

impl From<portico_service::Checkpoint> for AuditCheckpoint {
    fn from(c: portico_service::Checkpoint) -> Self {
        AuditCheckpoint {
            seq: c.seq,
            head: c.head,
            at: c.at,
            key_id: c.key_id,
            signature: c.signature,
            previous: c.previous,
            entries_sha256: c.entries_sha256,
        }
    }
}

/// The audit chain's signed checkpoints, newest first
#[utoipa::path(get, path = "/audit/checkpoints", params(Paged<NoFilters>), responses((status = 200, body = Success<Vec<AuditCheckpoint>>), Refusals))]
pub async fn audit_checkpoints(
    Admin(app, caller): Admin,
    Query(Paged { page, .. }): Query<Paged<NoFilters>>,
) -> Answer<Vec<AuditCheckpoint>> {
    let rows = app.checkpoints(&caller, page).await?;
    Ok(ok(rows.into_iter().map(AuditCheckpoint::from).collect()))
}

/// The public key that checks the audit checkpoints.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditPublicKey {
    key_id: String,
    /// Always `Ed25519`.
    algorithm: &'static str,
    /// SubjectPublicKeyInfo in PEM: give it to `portico audit verify --public-key`.
    public_key_pem: String,
}

/// The public key of the audit checkpoints
#[utoipa::path(get, path = "/audit/public-key", responses((status = 200, body = Success<AuditPublicKey>), Refusals))]
pub async fn audit_public_key(Internal(app, caller): Internal) -> Answer<AuditPublicKey> {
    let key = app.audit_public_key(&caller)?;
    Ok(ok(AuditPublicKey {
        key_id: key.key_id().to_string(),
        algorithm: "Ed25519",
        public_key_pem: key.pem(),
    }))
}

//! Portico's use cases. Each one loads what a rule needs inside a write transaction (rows it
//! will change locked), asks the domain for a plan, and applies the plan in that same
//! transaction — or, for a dry run, rolls back and answers the plan.
//!
//! Authorisation is checked here, for every use case, from the [`Caller`]: the HTTP layer
//! cannot forget it.

mod auth;
mod bulk;
mod checklists;
mod checkpoints;
mod directory;
mod emails;
mod error;
mod extranet;
mod files;
mod governance;
mod history;
mod inactivity;
mod jobs;
mod languages;
mod notifications;
mod operations;
mod passwords;
mod provider_signing;
mod read_cache;
mod reads;
mod records;
pub mod retry;
mod reviews;
mod scim;
mod signatures;
mod snapshot;
mod sso;
mod tasks;
mod templates;
mod users;
mod waitlist;

use std::sync::Arc;

use portico_domain::config::Config;
use portico_domain::ids::IdSource;
use portico_domain::model::User;
use portico_store::Store;

pub use auth::Login;
pub use bulk::BULK_LIMIT;
pub use checkpoints::{AuditKey, Checkpoint, CheckpointCheck, CheckpointSettings, PublicKey};
pub use directory::{OrganizationInput, PersonInput};
pub use error::{Reason, Refusal, ServiceError, ServiceResult};
pub use extranet::MAX_SUBJECT_CHARS;
pub use history::{Part, Sentence};
pub use inactivity::{InactivityWork, StaleUser, INACTIVITY_CAUSE};
pub use jobs::{JobReport, RecordWork, END_DATE_CAUSE, END_DATE_REMINDER_CAUSE, GOVERNANCE_JOB};
pub use languages::{time_zone, Reader};
pub use operations::Gauges;
pub use passwords::{csrf_token_for_session, random_token, NewPassword};
pub use provider_signing::{PendingSignature, SigningGrant, SigningRefusal, GRANT_MINUTES};
pub use reads::{AuditExport, Page};
pub use records::{ActionOutcome, RecordInput, RecordView, RunMode};
pub use reviews::{
    default_review_reminder, reminder_template, AccessEnded, DefaultedItem, ReviewView, ReviewWork,
    REVIEW_CAUSE, REVIEW_REMINDER_CAUSE,
};
pub use scim::{scim_version, NewScimToken, ScimClient, ScimError, ScimResult, ScimUserInput};
pub use signatures::{manifestation, SignatureInput, SignatureView, SignedWith};
pub use sso::{ProviderIdentity, SsoRefusal};
pub use templates::{template_language, TemplateView};
pub use users::{LicenseUsage, NewUserInput, OrgUsage, SeatUsageDay, UserPatch, HISTORY_MAX_DAYS};
pub use waitlist::WAITLIST_CAUSE;

pub use portico_store as store;

/// Settings the use cases need.
#[derive(Debug, Clone)]
pub struct ServiceSettings {
    /// Base of links in emails (`PORTICO_PUBLIC_URL`).
    pub public_url: String,
    /// A session ends after this long without use.
    pub session_idle_ms: i64,
    /// A session ends this long after sign-in, used or not.
    pub session_absolute_ms: i64,
    /// How long a set-password link works.
    pub password_link_ms: i64,
    /// Failed sign-ins of one user before it must wait for the window to pass.
    pub login_failures_per_user: i64,
    /// Failed sign-ins from one address before it must wait.
    pub login_failures_per_address: i64,
    /// The window those counts are kept for.
    pub login_window_ms: i64,
    /// Set-password link requests for one username or email within `link_window_ms`.
    pub link_requests_per_user: i64,
    /// Set-password link requests from one address within `link_window_ms`.
    pub link_requests_per_address: i64,
    /// The window of the link request counts.
    pub link_window_ms: i64,
    /// Whether `X-Forwarded-For` names the client (Portico behind a proxy).
    pub trust_proxy: bool,
    /// How many proxies in front of Portico append to `X-Forwarded-For`: the client is the
    /// entry that many places from the right (the right-most ones were added by them).
    pub trusted_proxy_hops: usize,
    /// Where uploaded files are kept (by their SHA-256): a folder or object storage.
    pub files: portico_store::Blobs,
    /// The largest file accepted.
    pub max_file_bytes: usize,
    /// Signed audit checkpoints: the key, the schedule, where copies go.
    pub checkpoints: CheckpointSettings,
    /// How many days before a record's end date its collaborators are reminded.
    pub end_reminder_days: u64,
    /// How many days before a review's due date the sponsors of undecided items are reminded.
    pub review_reminder_days: u64,
    /// The review reminder's subject and body ([`reviews::default_review_reminder`]).
    pub review_reminder_template: (String, String),
    /// Days without a sign-in (since the last one, or since the Welcome) after which an active
    /// external user is flagged; `None`: never.
    pub stale_after_days: Option<u32>,
    /// Whether the scheduler ends the access of flagged users.
    pub stale_inactivate: bool,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        ServiceSettings {
            public_url: "http://127.0.0.1:8080".into(),
            session_idle_ms: 8 * 3_600_000,
            session_absolute_ms: 7 * 24 * 3_600_000,
            password_link_ms: 72 * 3_600_000,
            login_failures_per_user: 10,
            login_failures_per_address: 100,
            login_window_ms: 15 * 60_000,
            link_requests_per_user: 3,
            link_requests_per_address: 20,
            link_window_ms: 3_600_000,
            trust_proxy: false,
            trusted_proxy_hops: 1,
            // Tools and tests; `portico serve` always names a folder or a bucket.
            files: portico_store::Blobs::memory(),
            max_file_bytes: 10_000_000,
            checkpoints: CheckpointSettings {
                every_minutes: 60,
                ..CheckpointSettings::default()
            },
            end_reminder_days: 7,
            review_reminder_days: 3,
            review_reminder_template: reviews::default_review_reminder(),
            stale_after_days: None,
            stale_inactivate: false,
        }
    }
}

/// The application: storage, configuration, settings. A handle: cloning it (once per HTTP
/// request) copies one pointer.
#[derive(Clone)]
pub struct Portico(Arc<Parts>);

/// What a [`Portico`] handle points to.
pub struct Parts {
    store: Store,
    config: Config,
    settings: ServiceSettings,
    /// Sessions by token hash.
    sessions: read_cache::ReadCache<String, portico_store::SessionRow>,
    /// Records (with their times) by object and id.
    /// A record read, with who waits for a seat on it (shown to internal users only).
    records: read_cache::ReadCache<(String, String), (RecordRead, Vec<portico_domain::PersonId>)>,
    /// Whether a user holds the External Collaborator role on a record.
    roles: read_cache::ReadCache<(String, String), bool>,
    /// Pages of records by object and filter (an external caller's filter names the caller).
    lists: read_cache::ReadCache<(String, portico_store::RecordFilter), Arc<Vec<RecordRead>>>,
}

impl std::ops::Deref for Portico {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// A record as read, with its creation and last change times.
pub(crate) type RecordRead = (portico_domain::model::Record, i64, i64);

/// The signed-in user a use case runs for.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user, as it was when the request came in.
    pub user: User,
    /// Signed in with a one-time password: it may only change it (or sign out).
    pub must_change_password: bool,
    /// The hash of the session the request came with; `None` for start-up tasks (the demo),
    /// which act without one.
    pub session: Option<String>,
}

impl Caller {
    /// A caller for start-up tasks such as the demo.
    pub fn new(user: User) -> Caller {
        Caller {
            user,
            must_change_password: false,
            session: None,
        }
    }
}

impl Caller {
    /// Admins configure and manage users, licenses, the outbox and the audit trail.
    pub fn is_admin(&self) -> bool {
        self.user.security_profile.is_admin()
    }

    /// Internal users work records.
    pub fn is_internal(&self) -> bool {
        self.user.security_profile.is_internal()
    }

    /// INSUFFICIENT_ACCESS unless the caller is an internal user.
    pub fn require_internal(&self) -> ServiceResult<()> {
        if self.is_internal() {
            Ok(())
        } else {
            Err(ServiceError::InsufficientAccess(
                "external collaborators cannot do this".into(),
            ))
        }
    }

    /// INSUFFICIENT_ACCESS unless the caller is an administrator.
    pub fn require_admin(&self) -> ServiceResult<()> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ServiceError::InsufficientAccess(
                "only administrators can do this".into(),
            ))
        }
    }
}

impl Portico {
    /// Begins a write for `caller`. Requests are authenticated from a read cache (a session
    /// read less than a second ago may serve); a write must not rest on that: inside its own
    /// transaction it reads the session again and the user behind it, and refuses when the
    /// session has ended (signed out here or on another server, expired) or the user is no
    /// longer what the request was authorised as (inactivated, another profile or license).
    pub(crate) async fn write_as(&self, caller: &Caller) -> ServiceResult<portico_store::Tx> {
        let mut tx = self.store.write().await?;
        let Some(hash) = &caller.session else {
            return Ok(tx);
        };
        let fresh = tx.db().session(hash).await?;
        let now = now_ms();
        let valid = fresh.as_ref().is_some_and(|s| {
            now < s.expires_at
                && now - s.last_seen_at <= self.settings.session_idle_ms
                && s.user.status == portico_domain::model::UserStatus::Active
        });
        let Some(fresh) = fresh.filter(|_| valid) else {
            self.sessions.forget(hash);
            return Err(ServiceError::InvalidSession(
                "the session has ended; sign in again".into(),
            ));
        };
        let same = fresh.user.security_profile == caller.user.security_profile
            && fresh.user.license == caller.user.license
            && fresh.must_change_password == caller.must_change_password;
        if !same {
            self.sessions.forget(hash);
            return Err(ServiceError::InvalidSession(
                "your access has changed since this request began; sign in again".into(),
            ));
        }
        Ok(tx)
    }

    /// Wires the application.
    pub fn new(store: Store, config: Config, settings: ServiceSettings) -> Self {
        Portico(Arc::new(Parts {
            store,
            config,
            settings,
            sessions: read_cache::ReadCache::new(10_000),
            records: read_cache::ReadCache::new(10_000),
            roles: read_cache::ReadCache::new(10_000),
            // A page holds up to a few hundred records: fewer entries keep it in the memory
            // budget.
            lists: read_cache::ReadCache::new(1_000),
        }))
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The settings.
    pub fn settings(&self) -> &ServiceSettings {
        &self.settings
    }
}

/// Now, in milliseconds since the epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Ids that sort by creation time (UUIDv7) with a readable prefix.
#[derive(Debug, Default)]
pub struct UuidIds;

impl IdSource for UuidIds {
    fn next_id(&mut self, kind: &str) -> String {
        format!("{kind}_{}", uuid::Uuid::now_v7().simple())
    }
}

/// A fresh id.
pub fn new_id(kind: &str) -> String {
    UuidIds.next_id(kind)
}

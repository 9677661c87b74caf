//! The outbox worker: claim, send, record — each email exactly once, also with several workers
//! on one database and a slow SMTP server.
//!
//! A claim is a lease. Before each email the worker renews its lease, and a send that has not
//! finished within half the lease is abandoned (and retried later), so no claim ever runs out
//! while its email is being sent; the outcome is recorded only where the claim is still this
//! worker's and the email still pending.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;
use portico_store::{EmailSecret, OutboxRow, Store, StoreError};

use crate::transport::{Transport, TransportError};

/// How the worker behaves.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// This worker's name in the outbox (`claimed_by`, `sent_by`).
    pub worker_id: String,
    /// The sender.
    pub from: Mailbox,
    /// The domain of Message-IDs.
    pub message_id_domain: String,
    /// Attempts before an email is `failed`.
    pub max_attempts: i64,
    /// The first retry waits this long; each next one twice as long (at most an hour).
    pub first_retry: Duration,
    /// How long a claim holds before another worker may take the email (a crashed worker).
    pub lease: Duration,
    /// Emails claimed at once.
    pub batch: i64,
    /// Pause between polls when nothing is due.
    pub poll: Duration,
}

impl WorkerSettings {
    /// Defaults: 8 attempts from 30 s apart, leases of 2 minutes, batches of 20, 1 s polls.
    pub fn new(worker_id: impl Into<String>, from: Mailbox) -> Self {
        WorkerSettings {
            worker_id: worker_id.into(),
            from,
            message_id_domain: "portico.mail".into(),
            max_attempts: 8,
            first_retry: Duration::from_secs(30),
            lease: Duration::from_secs(120),
            batch: 20,
            poll: Duration::from_secs(1),
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Emails sent.
    pub sent: usize,
    /// Emails that will be tried again.
    pub deferred: usize,
    /// Emails given up (now `failed`).
    pub failed: usize,
    /// Claimed emails this worker left alone because its claim was gone (another worker
    /// took them after the lease ran out).
    pub lost: usize,
}

/// The secrets of an email and their text, made as it is sent.
pub type MadeSecrets = Vec<(EmailSecret, String)>;

/// Makes the secrets an email carries (a set-password link, a one-time password) when it is
/// sent, storing only their hashes: the outbox itself holds placeholders. The binary wires
/// Portico's service in.
pub trait SecretMaker: Send + Sync {
    /// The secrets `email` names, for its user.
    fn make<'a>(
        &'a self,
        email: &'a OutboxRow,
    ) -> Pin<Box<dyn Future<Output = Result<MadeSecrets, String>> + Send + 'a>>;
}

/// Delivers the outbox.
#[derive(Clone)]
pub struct Worker {
    store: Store,
    transport: Transport,
    settings: WorkerSettings,
    secrets: Option<Arc<dyn SecretMaker>>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("transport", &self.transport)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Worker {
    /// A worker over `store` sending through `transport`.
    pub fn new(store: Store, transport: Transport, settings: WorkerSettings) -> Self {
        Worker {
            store,
            transport,
            settings,
            secrets: None,
        }
    }

    /// The maker of the secrets emails carry; without one such an email cannot be sent.
    pub fn with_secrets(mut self, maker: Arc<dyn SecretMaker>) -> Self {
        self.secrets = Some(maker);
        self
    }

    /// The same worker with another lease (and so another longest send: half of it).
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.settings.lease = lease;
        self
    }

    /// The settings it runs with.
    pub fn settings(&self) -> &WorkerSettings {
        &self.settings
    }

    /// Claims what is due and delivers it; answers what happened. A poll that finds nothing
    /// due writes nothing (an idle worker must not end other readers' cached reads).
    pub async fn run_once(&self) -> Result<Delivery, StoreError> {
        self.run_round(None).await
    }

    /// A round that stops between emails once `stop` says so, giving back the claims of the
    /// emails it did not send (another worker takes them at once).
    async fn run_round(
        &self,
        stop: Option<&tokio::sync::watch::Receiver<bool>>,
    ) -> Result<Delivery, StoreError> {
        let mut delivery = Delivery::default();
        if !self
            .store
            .read()
            .await?
            .db()
            .any_email_due(now_ms())
            .await?
        {
            return Ok(delivery);
        }
        let lease = ms(self.settings.lease);
        let mut tx = self.store.write().await?;
        let claimed = tx
            .db()
            .claim_due_emails(
                &self.settings.worker_id,
                now_ms(),
                lease,
                self.settings.batch,
            )
            .await?;
        if claimed.is_empty() {
            // Another worker was quicker.
            tx.rollback().await?;
            return Ok(delivery);
        }
        tx.commit().await?;
        let worker = self.settings.worker_id.as_str();
        let mut claimed = claimed.into_iter();
        while let Some(email) = claimed.next() {
            if stop.is_some_and(|s| *s.borrow()) {
                let left: Vec<String> = std::iter::once(email)
                    .chain(claimed)
                    .map(|e| e.email.id)
                    .collect();
                let mut tx = self.store.write().await?;
                tx.db().release_email_claims(&left, worker).await?;
                tx.commit().await?;
                tracing::info!(released = left.len(), "stopping: claims given back");
                break;
            }
            let id = email.email.id.as_str();
            // A fresh lease for this email: the batch's first lease may be mostly spent.
            let mut tx = self.store.write().await?;
            let ours = tx
                .db()
                .renew_email_claim(id, worker, now_ms() + lease)
                .await?;
            tx.commit().await?;
            if !ours {
                tracing::warn!(email = %id, "the claim on this email was lost; another worker has it");
                delivery.lost += 1;
                continue;
            }
            let outcome = match tokio::time::timeout(self.send_limit(), self.deliver(&email)).await
            {
                Ok(outcome) => outcome,
                Err(_) => Err(TransportError::Transient(format!(
                    "sending took longer than {} s",
                    self.send_limit().as_secs()
                ))),
            };
            let mut tx = self.store.write().await?;
            let recorded = match &outcome {
                Ok(()) => {
                    delivery.sent += 1;
                    tx.db().mark_email_sent(id, worker, now_ms()).await?
                }
                Err(error) => {
                    let attempts = email.attempts + 1;
                    let give_up = matches!(error, TransportError::Permanent(_))
                        || attempts >= self.settings.max_attempts;
                    let next = now_ms() + self.backoff_ms(attempts);
                    tracing::warn!(email = %id, attempts, give_up, %error, "email not delivered");
                    if give_up {
                        delivery.failed += 1;
                    } else {
                        delivery.deferred += 1;
                    }
                    tx.db()
                        .mark_email_attempt_failed(id, worker, &error.to_string(), next, give_up)
                        .await?
                }
            };
            tx.commit().await?;
            if !recorded {
                // Cannot happen while sends end within half the lease; if it does, the
                // email's state is another worker's to record.
                tracing::error!(email = %id, "the outcome was not recorded: the claim was lost during the send");
            }
        }
        Ok(delivery)
    }

    /// The longest a send may take: half the lease, so that a renewed claim always outlives it.
    fn send_limit(&self) -> Duration {
        self.settings.lease / 2
    }

    /// Makes the email's secrets, then builds and sends it.
    async fn deliver(&self, email: &OutboxRow) -> Result<(), TransportError> {
        let made = if email.email.secrets.is_empty() {
            vec![]
        } else {
            let maker = self.secrets.as_ref().ok_or_else(|| {
                TransportError::Transient("no maker of set-password links is configured".into())
            })?;
            maker.make(email).await.map_err(|e| {
                TransportError::Transient(format!("cannot make the email's secrets: {e}"))
            })?
        };
        let message = self.message(email, &made)?;
        self.transport.send(&message, &email.email.id).await
    }

    /// Runs until the process ends: a round, then a pause when nothing was due.
    pub async fn run(self) {
        let (_keep, stop) = tokio::sync::watch::channel(false);
        self.run_until(stop).await;
    }

    /// Runs until `stop` turns true: the email being sent is finished and recorded, the other
    /// claimed ones are given back, and it returns.
    pub async fn run_until(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        while !*stop.borrow() {
            match self.run_round(Some(&stop)).await {
                Ok(d) if d.sent + d.deferred + d.failed > 0 => continue,
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %e, "the outbox worker could not read the outbox")
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(self.settings.poll) => {}
                // Its owner is gone (the server was dropped): nobody is left to stop it.
                changed = stop.changed() => if changed.is_err() { break },
            }
        }
        tracing::info!("the outbox worker stopped");
    }

    fn backoff_ms(&self, attempts: i64) -> i64 {
        let first = i64::try_from(self.settings.first_retry.as_millis()).unwrap_or(i64::MAX);
        let factor = 1_i64 << attempts.clamp(1, 20).saturating_sub(1);
        first.saturating_mul(factor).min(3_600_000)
    }

    /// The message of an outbox row; its Message-ID comes from the row's id, so every attempt
    /// sends the same email.
    fn message(&self, email: &OutboxRow, secrets: &MadeSecrets) -> Result<Message, TransportError> {
        let e = &email.email;
        let mut subject = e.subject.clone();
        let mut text = e.body.clone();
        let mut html = e.html.clone();
        for (secret, value) in secrets {
            // Templates may no longer put a secret in the subject; one saved before may.
            subject = subject.replace(secret.placeholder(), value);
            text = text.replace(secret.placeholder(), value);
            html = html.map(|h| h.replace(secret.placeholder(), &escape_html(value)));
        }
        let to: Mailbox = e
            .to
            .parse()
            .map_err(|err| TransportError::Permanent(format!("invalid address {}: {err}", e.to)))?;
        let builder = Message::builder()
            .from(self.settings.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!(
                "<{}@{}>",
                e.id, self.settings.message_id_domain
            )));
        let built = match html {
            Some(html) => builder.multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(text),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(html),
                    ),
            ),
            None => builder.header(ContentType::TEXT_PLAIN).body(text),
        };
        built.map_err(|err| TransportError::Permanent(format!("cannot build the email: {err}")))
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A secret put into the HTML part (a link's `&`, say) is escaped like every other value.
fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

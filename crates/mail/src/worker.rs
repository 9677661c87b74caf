//! The outbox worker: claim, send, record.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;
use portico_store::{OutboxRow, Store, StoreError};

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
}

/// Delivers the outbox.
#[derive(Debug, Clone)]
pub struct Worker {
    store: Store,
    transport: Transport,
    settings: WorkerSettings,
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
        }
    }

    /// Claims what is due and delivers it; answers what happened.
    pub async fn run_once(&self) -> Result<Delivery, StoreError> {
        let mut tx = self.store.write().await?;
        let claimed = tx
            .db()
            .claim_due_emails(
                &self.settings.worker_id,
                now_ms(),
                i64::try_from(self.settings.lease.as_millis()).unwrap_or(i64::MAX),
                self.settings.batch,
            )
            .await?;
        tx.commit().await?;
        let mut delivery = Delivery::default();
        for email in claimed {
            let outcome = match self.message(&email) {
                Ok(message) => self.transport.send(&message, &email.email.id).await,
                Err(e) => Err(e),
            };
            let mut tx = self.store.write().await?;
            match outcome {
                Ok(()) => {
                    tx.db()
                        .mark_email_sent(&email.email.id, &self.settings.worker_id, now_ms())
                        .await?;
                    delivery.sent += 1;
                }
                Err(error) => {
                    let attempts = email.attempts + 1;
                    let give_up = matches!(error, TransportError::Permanent(_))
                        || attempts >= self.settings.max_attempts;
                    let next = now_ms() + self.backoff_ms(attempts);
                    tracing::warn!(email = %email.email.id, attempts, give_up, %error, "email not delivered");
                    tx.db()
                        .mark_email_attempt_failed(
                            &email.email.id,
                            &error.to_string(),
                            next,
                            give_up,
                        )
                        .await?;
                    if give_up {
                        delivery.failed += 1;
                    } else {
                        delivery.deferred += 1;
                    }
                }
            }
            tx.commit().await?;
        }
        Ok(delivery)
    }

    /// Runs until the process ends: a round, then a pause when nothing was due.
    pub async fn run(self) {
        loop {
            match self.run_once().await {
                Ok(d) if d.sent + d.deferred + d.failed > 0 => continue,
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %e, "the outbox worker could not read the outbox")
                }
            }
            tokio::time::sleep(self.settings.poll).await;
        }
    }

    fn backoff_ms(&self, attempts: i64) -> i64 {
        let first = i64::try_from(self.settings.first_retry.as_millis()).unwrap_or(i64::MAX);
        let factor = 1_i64 << attempts.clamp(1, 20).saturating_sub(1);
        first.saturating_mul(factor).min(3_600_000)
    }

    /// The message of an outbox row; its Message-ID comes from the row's id, so every attempt
    /// sends the same email.
    fn message(&self, email: &OutboxRow) -> Result<Message, TransportError> {
        let e = &email.email;
        let to: Mailbox = e
            .to
            .parse()
            .map_err(|err| TransportError::Permanent(format!("invalid address {}: {err}", e.to)))?;
        let builder = Message::builder()
            .from(self.settings.from.clone())
            .to(to)
            .subject(e.subject.clone())
            .message_id(Some(format!(
                "<{}@{}>",
                e.id, self.settings.message_id_domain
            )));
        let built = match &e.html {
            Some(html) => builder.multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(e.body.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(html.clone()),
                    ),
            ),
            None => builder.header(ContentType::TEXT_PLAIN).body(e.body.clone()),
        };
        built.map_err(|err| TransportError::Permanent(format!("cannot build the email: {err}")))
    }
}

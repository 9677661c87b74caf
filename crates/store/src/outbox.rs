//! The transactional outbox (SPEC section 4): emails are written with the change that caused
//! them and delivered later.

use sqlx::any::AnyRow;

use crate::batch::{Sql, V};
use crate::rows;
use crate::{Db, Result};

/// A secret an email carries. The stored body holds the secret's placeholder, never the
/// secret: the worker makes it (and stores only its hash) when it sends the email, so no
/// usable link or password is ever at rest in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailSecret {
    /// `${utp?url}`: a single-use, expiring set-password link.
    SetPasswordLink,
    /// `${userPassword}`: a one-time password that must be changed at first sign-in.
    OneTimePassword,
}

impl EmailSecret {
    /// The text that stands for the secret in the stored body (and what the outbox lists).
    pub fn placeholder(self) -> &'static str {
        match self {
            EmailSecret::SetPasswordLink => "[set-password link: made when the email is sent]",
            EmailSecret::OneTimePassword => "[one-time password: made when the email is sent]",
        }
    }

    fn name(self) -> &'static str {
        match self {
            EmailSecret::SetPasswordLink => "link",
            EmailSecret::OneTimePassword => "password",
        }
    }

    fn parse_list(stored: Option<&str>) -> Vec<EmailSecret> {
        stored
            .unwrap_or("")
            .split(',')
            .filter_map(|s| match s {
                "link" => Some(EmailSecret::SetPasswordLink),
                "password" => Some(EmailSecret::OneTimePassword),
                _ => None,
            })
            .collect()
    }

    fn store_list(secrets: &[EmailSecret]) -> Option<String> {
        (!secrets.is_empty()).then(|| {
            secrets
                .iter()
                .map(|s| s.name())
                .collect::<Vec<_>>()
                .join(",")
        })
    }
}

/// An email to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedEmail {
    /// Its id (also the base of its stable Message-ID).
    pub id: String,
    /// Address.
    pub to: String,
    /// The user it is for.
    pub user_id: Option<String>,
    /// The record it is about.
    pub record_id: Option<String>,
    /// Template name.
    pub template: String,
    /// Rendered subject.
    pub subject: String,
    /// Rendered body.
    pub body: String,
    /// Rendered HTML body.
    pub html: Option<String>,
    /// The secrets whose placeholders the bodies hold, made at delivery.
    pub secrets: Vec<EmailSecret>,
}

/// An email in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    /// The email.
    pub email: QueuedEmail,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// The last delivery error.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: i64,
}

/// Filters of `GET /api/v1/outbox`.
#[derive(Debug, Clone, Default)]
pub struct OutboxFilter {
    /// Address.
    pub to: Option<String>,
    /// Status.
    pub status: Option<String>,
    /// Template.
    pub template: Option<String>,
    /// Page size.
    pub limit: i64,
    /// Page start.
    pub offset: i64,
}

fn outbox_row(r: &AnyRow) -> Result<OutboxRow> {
    Ok(OutboxRow {
        email: QueuedEmail {
            id: rows::get(r, "id")?,
            to: rows::get(r, "to_address")?,
            user_id: rows::get(r, "user_id")?,
            record_id: rows::get(r, "record_id")?,
            template: rows::get(r, "template")?,
            subject: rows::get(r, "subject")?,
            body: rows::get(r, "body")?,
            html: rows::get(r, "html")?,
            secrets: EmailSecret::parse_list(rows::get::<Option<String>>(r, "secrets")?.as_deref()),
        },
        status: rows::get(r, "status")?,
        attempts: rows::get(r, "attempts")?,
        last_error: rows::get(r, "last_error")?,
        created_at: rows::get(r, "created_at")?,
    })
}

impl Db<'_> {
    /// Queues an email.
    pub async fn queue_email(&mut self, e: &QueuedEmail, now: i64) -> Result<()> {
        self.queue_emails(std::slice::from_ref(e), now).await
    }

    /// Queues emails, one statement for all.
    pub async fn queue_emails(&mut self, emails: &[QueuedEmail], now: i64) -> Result<()> {
        let rows = emails
            .iter()
            .map(|e| {
                vec![
                    V::t(e.id.as_str()),
                    V::t(e.to.as_str()),
                    V::opt(e.user_id.as_deref()),
                    V::opt(e.record_id.as_deref()),
                    V::t(e.template.as_str()),
                    V::t(e.subject.as_str()),
                    V::t(e.body.as_str()),
                    V::opt(e.html.as_deref()),
                    EmailSecret::store_list(&e.secrets).map_or(V::N, V::T),
                    V::t("pending"),
                    V::I(0),
                    V::I(now),
                    V::I(now),
                ]
            })
            .collect();
        self.insert_rows(
            "outbox",
            &[
                "id",
                "to_address",
                "user_id",
                "record_id",
                "template",
                "subject",
                "body",
                "html",
                "secrets",
                "status",
                "attempts",
                "next_attempt_at",
                "created_at",
            ],
            rows,
        )
        .await
    }

    /// Emails in the outbox, newest first.
    pub async fn outbox(&mut self, filter: &OutboxFilter) -> Result<Vec<OutboxRow>> {
        let mut sql = Sql::new(self.backend, &format!("SELECT {OUTBOX_COLS} FROM outbox"));
        sql.and_eq("to_address", filter.to.as_deref())
            .and_eq("status", filter.status.as_deref())
            .and_eq("template", filter.template.as_deref())
            .push(" ORDER BY created_at DESC, id DESC")
            .page(filter.limit, filter.offset);
        sql.fetch_all(self).await?.iter().map(outbox_row).collect()
    }
}

const OUTBOX_COLS: &str =
    "id, to_address, user_id, record_id, template, subject, body, html, secrets, status, attempts, last_error, created_at";

impl Db<'_> {
    /// Claims up to `limit` emails that are due, for `lease_ms`: the caller sends them and marks
    /// each one. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several workers claim side by side
    /// without ever taking the same email; a claim whose worker died expires after the lease.
    pub async fn claim_due_emails(
        &mut self,
        worker: &str,
        now: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<OutboxRow>> {
        let lock = match self.backend {
            crate::Backend::Sqlite => "",
            crate::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let due = format!(
            "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
             AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY next_attempt_at, id LIMIT {limit}{lock}"
        );
        let ids: Vec<String> = sqlx::query(&due)
            .bind(now)
            .fetch_all(&mut *self.conn)
            .await?
            .iter()
            .map(|r| rows::get::<String>(r, "id"))
            .collect::<Result<_>>()?;
        let mut claimed = Vec::with_capacity(ids.len());
        for id in ids {
            let row = sqlx::query(&format!(
                "UPDATE outbox SET claimed_by = $1, claimed_until = $2 WHERE id = $3 AND status = 'pending' \
                 AND (claimed_until IS NULL OR claimed_until < $4) RETURNING {OUTBOX_COLS}"
            ))
            .bind(worker)
            .bind(now + lease_ms)
            .bind(&id)
            .bind(now)
            .fetch_optional(&mut *self.conn)
            .await?;
            if let Some(r) = row {
                claimed.push(outbox_row(&r)?);
            }
        }
        Ok(claimed)
    }

    /// Whether any email is due and unclaimed: an idle worker asks this with a read, so that
    /// a poll that finds nothing writes nothing.
    pub async fn any_email_due(&mut self, now: i64) -> Result<bool> {
        let row = sqlx::query(
            "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
             AND (claimed_until IS NULL OR claimed_until < $1) LIMIT 1",
        )
        .bind(now)
        .fetch_optional(&mut *self.conn)
        .await?;
        Ok(row.is_some())
    }

    /// Extends `worker`'s claim on a pending email to `until`; false when the claim was lost
    /// (another worker took the email after this one's lease ran out, or it is no longer
    /// pending): the worker must then not send it.
    pub async fn renew_email_claim(&mut self, id: &str, worker: &str, until: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET claimed_until = $1 WHERE id = $2 AND claimed_by = $3 AND status = 'pending'",
        )
        .bind(until)
        .bind(id)
        .bind(worker)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks an email `worker` claimed as sent; false (and nothing changed) when the claim
    /// was lost meanwhile.
    pub async fn mark_email_sent(&mut self, id: &str, worker: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET status = 'sent', sent_at = $1, sent_by = $2, attempts = attempts + 1, \
             last_error = NULL, claimed_until = NULL WHERE id = $3 AND claimed_by = $2 AND status = 'pending'",
        )
        .bind(now)
        .bind(worker)
        .bind(id)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a failed attempt of an email `worker` claimed: tried again at
    /// `next_attempt_at`, or `failed` for good. False (and nothing changed) when the claim was
    /// lost meanwhile, so a late failure never sets a sent email back to pending.
    pub async fn mark_email_attempt_failed(
        &mut self,
        id: &str,
        worker: &str,
        error: &str,
        next_attempt_at: i64,
        give_up: bool,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, claimed_until = NULL, \
             status = CASE WHEN $3 = 1 THEN 'failed' ELSE 'pending' END \
             WHERE id = $4 AND claimed_by = $5 AND status = 'pending'",
        )
        .bind(error)
        .bind(next_attempt_at)
        .bind(i64::from(give_up))
        .bind(id)
        .bind(worker)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives back `worker`'s claims on emails it will not send now (it is stopping): another
    /// worker may take them at once.
    pub async fn release_email_claims(&mut self, ids: &[String], worker: &str) -> Result<()> {
        for id in ids {
            sqlx::query(
                "UPDATE outbox SET claimed_until = NULL WHERE id = $1 AND claimed_by = $2 AND status = 'pending'",
            )
            .bind(id)
            .bind(worker)
            .execute(&mut *self.conn)
            .await?;
        }
        Ok(())
    }

    /// Puts a failed email back in the queue with fresh attempts; answers whether it was failed.
    pub async fn retry_email(&mut self, id: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1, claimed_until = NULL \
             WHERE id = $2 AND status = 'failed'",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// One email.
    pub async fn email(&mut self, id: &str) -> Result<Option<OutboxRow>> {
        let row = sqlx::query(&format!("SELECT {OUTBOX_COLS} FROM outbox WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(outbox_row).transpose()
    }

    /// How many emails there are in each status (`pending`, `sent`, `failed`); one count per
    /// status, from the `outbox_status` index.
    pub async fn email_counts(&mut self) -> Result<Vec<(String, i64)>> {
        let mut out = vec![];
        for status in ["pending", "sent", "failed"] {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE status = $1")
                .bind(status)
                .fetch_one(&mut *self.conn)
                .await?;
            out.push((status.to_string(), rows::get(&row, "n")?));
        }
        Ok(out)
    }

    /// Emails waiting to be sent (pending and due or not).
    pub async fn pending_email_count(&mut self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")
            .fetch_one(&mut *self.conn)
            .await?;
        rows::get(&row, "n")
    }
}

//! The transactional outbox (SPEC section 4): emails are written with the change that caused
//! them and delivered later.

use sqlx::any::AnyRow;

use crate::rows::{self, Filters};
use crate::{Db, Result};

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
        sqlx::query(
            "INSERT INTO outbox (id, to_address, user_id, record_id, template, subject, body, status, attempts, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8)",
        )
        .bind(&e.id)
        .bind(&e.to)
        .bind(e.user_id.as_deref())
        .bind(e.record_id.as_deref())
        .bind(&e.template)
        .bind(&e.subject)
        .bind(&e.body)
        .bind(now)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Emails in the outbox, newest first.
    pub async fn outbox(&mut self, filter: &OutboxFilter) -> Result<Vec<OutboxRow>> {
        let mut f = Filters::default();
        f.eq("to_address", filter.to.as_deref())
            .eq("status", filter.status.as_deref())
            .eq("template", filter.template.as_deref());
        let sql = format!(
            "SELECT id, to_address, user_id, record_id, template, subject, body, status, attempts, last_error, created_at \
             FROM outbox{} ORDER BY created_at DESC, id DESC LIMIT {} OFFSET {}",
            f.sql(),
            filter.limit,
            filter.offset
        );
        let mut q = sqlx::query(&sql);
        for v in &f.values {
            q = q.bind(v.as_str());
        }
        q.fetch_all(&mut *self.conn)
            .await?
            .iter()
            .map(outbox_row)
            .collect()
    }
}

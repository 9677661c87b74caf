//! Comments on records and tickets (SPEC section 5): what an external collaborator may add
//! besides answering its tasks and checklists.

use portico_store::{AuditEntry, CommentRow, TicketRow};
use serde_json::json;

use crate::reads::Page;
use crate::{new_id, now_ms, Caller, Portico, ServiceError, ServiceResult};

/// The longest subject a ticket may have, in characters.
pub const MAX_SUBJECT_CHARS: usize = 200;

fn text(value: &str, field: &str, max: usize) -> ServiceResult<String> {
    let v = value.trim();
    // The pages' words for the field (a comment's or ticket's body, a ticket's subject, an
    // answer); the API keeps the field's name.
    let (required, too_long) = match field {
        "subject" => ("refusal-subject-required", "refusal-subject-too-long"),
        _ => ("refusal-text-required", "refusal-text-too-long"),
    };
    if v.is_empty() {
        return Err(
            ServiceError::ParameterRequired(format!("{field} is required").into())
                .because(required, &[]),
        );
    }
    if v.chars().count() > max {
        return Err(ServiceError::InvalidData(
            format!("{field} must have at most {max} characters").into(),
        )
        .because(too_long, &[("max", &max)]));
    }
    Ok(v.to_string())
}

impl Portico {
    /// `GET /api/v1/vobjects/{object}/{id}/comments`: whoever may read the record.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, object = object, id = id))]
    pub async fn comments(
        &self,
        caller: &Caller,
        object: &str,
        id: &str,
    ) -> ServiceResult<Vec<CommentRow>> {
        let view = self.record(caller, object, id).await?;
        Ok(self
            .store
            .read()
            .await?
            .db()
            .comments(view.record.id.as_str())
            .await?)
    }

    /// `POST /api/v1/vobjects/{object}/{id}/comments`: whoever may read the record (an
    /// external collaborator on a record shared with it and not closed).
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, object = object, id = id))]
    pub async fn add_comment(
        &self,
        caller: &Caller,
        object: &str,
        id: &str,
        body: &str,
    ) -> ServiceResult<CommentRow> {
        let body = text(body, "body", portico_domain::MAX_TEXT_CHARS)?;
        let comment_id = new_id("cmt");
        let now = now_ms();
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let record = self.record_to_add_to(&mut db, caller, object, id).await?;
        db.insert_comment(
            &comment_id,
            record.id.as_str(),
            caller.user.id.as_str(),
            &body,
            now,
        )
        .await?;
        db.audit(&AuditEntry {
            at: now,
            actor: Some(caller.user.id.to_string()),
            action: "comment.added".into(),
            object: "comment".into(),
            object_id: comment_id.clone(),
            record: Some(record.id.to_string()),
            after: Some(json!({"body": body}).to_string()),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(CommentRow {
            id: comment_id,
            record: record.id.to_string(),
            author: caller.user.id.to_string(),
            author_name: format!("{} {}", caller.user.first_name, caller.user.last_name),
            body,
            created_at: now,
        })
    }

    /// `GET /api/v1/tickets`: internal users see all, an external collaborator its own.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn tickets(&self, caller: &Caller, page: Page) -> ServiceResult<Vec<TicketRow>> {
        let author = (!caller.is_internal()).then(|| caller.user.id.to_string());
        Ok(self
            .store
            .read()
            .await?
            .db()
            .tickets(author.as_deref(), page.limit, page.offset)
            .await?)
    }

    /// `POST /api/v1/tickets`: a support or service request to the company.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, kind = kind))]
    pub async fn create_ticket(
        &self,
        caller: &Caller,
        kind: &str,
        subject: &str,
        body: &str,
    ) -> ServiceResult<TicketRow> {
        if !matches!(kind, "support" | "service") {
            return Err(ServiceError::InvalidData(
                format!("kind '{kind}' is not support or service").into(),
            ));
        }
        let t = TicketRow {
            id: new_id("tkt"),
            author: caller.user.id.to_string(),
            kind: kind.to_string(),
            subject: text(subject, "subject", MAX_SUBJECT_CHARS)?,
            body: text(body, "body", portico_domain::MAX_TEXT_CHARS)?,
            status: "open".into(),
            answer: None,
            created_at: now_ms(),
        };
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        db.insert_ticket(&t).await?;
        db.audit(&AuditEntry {
            at: t.created_at,
            actor: Some(caller.user.id.to_string()),
            action: "ticket.created".into(),
            object: "ticket".into(),
            object_id: t.id.clone(),
            user: Some(caller.user.id.to_string()),
            after: Some(json!({"kind": t.kind, "subject": t.subject}).to_string()),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(t)
    }

    /// `POST /api/v1/tickets/{id}/answer` (internal users): the author is notified.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id))]
    pub async fn answer_ticket(
        &self,
        caller: &Caller,
        id: &str,
        answer: &str,
    ) -> ServiceResult<TicketRow> {
        caller.require_internal()?;
        let answer = text(answer, "answer", portico_domain::MAX_TEXT_CHARS)?;
        let now = now_ms();
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let mut t = db
            .ticket(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("ticket {id} not found").into()))?;
        db.answer_ticket(id, &answer, caller.user.id.as_str(), now)
            .await?;
        db.insert_notification(&portico_store::NotificationRow {
            id: new_id("ntf"),
            user: t.author.clone(),
            kind: "ticket_answered".into(),
            message: format!("Your request \"{}\" was answered", t.subject),
            args: Some(serde_json::json!({ "subject": t.subject }).to_string()),
            object: None,
            record: None,
            created_at: now,
            read_at: None,
        })
        .await?;
        db.audit(&AuditEntry {
            at: now,
            actor: Some(caller.user.id.to_string()),
            action: "ticket.answered".into(),
            object: "ticket".into(),
            object_id: id.to_string(),
            user: Some(t.author.clone()),
            after: Some(json!({"answer": answer}).to_string()),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        t.status = "answered".into();
        t.answer = Some(answer);
        Ok(t)
    }
}

//! Listings: assignments, tasks, the outbox, the audit trail.

use portico_store::{
    AssignmentFilter, AssignmentRow, AuditFilter, AuditRow, OutboxFilter, OutboxRow, TaskFilter,
    TaskRow,
};

use crate::{Caller, Portico, ServiceError, ServiceResult};

/// Paging of every list: `limit` (1–[`Page::MAX_LIMIT`], default [`Page::DEFAULT_LIMIT`]) and
/// `offset`.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    /// Page size.
    pub limit: i64,
    /// Page start.
    pub offset: i64,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            limit: Page::DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

impl Page {
    /// The page size when a client names none.
    pub const DEFAULT_LIMIT: i64 = 100;
    /// The largest page a client may ask for.
    pub const MAX_LIMIT: i64 = 1000;

    /// Checks the paging parameters.
    pub fn new(limit: Option<i64>, offset: Option<i64>) -> ServiceResult<Page> {
        let limit = limit.unwrap_or(Page::DEFAULT_LIMIT);
        let offset = offset.unwrap_or(0);
        if !(1..=Page::MAX_LIMIT).contains(&limit) {
            return Err(ServiceError::InvalidData(
                format!("limit must be between 1 and {}", Page::MAX_LIMIT).into(),
            ));
        }
        if offset < 0 {
            return Err(ServiceError::InvalidData(
                "offset must not be negative".into(),
            ));
        }
        Ok(Page { limit, offset })
    }
}

impl Portico {
    /// `GET /api/v1/assignments` (internal users).
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn assignments(
        &self,
        caller: &Caller,
        mut filter: AssignmentFilter,
        page: Page,
    ) -> ServiceResult<Vec<AssignmentRow>> {
        caller.require_internal()?;
        filter.limit = page.limit;
        filter.offset = page.offset;
        Ok(self.store.read().await?.db().assignments(&filter).await?)
    }

    /// `GET /api/v1/tasks`: internal users see all; an external collaborator its own.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn tasks(
        &self,
        caller: &Caller,
        mut filter: TaskFilter,
        page: Page,
    ) -> ServiceResult<Vec<TaskRow>> {
        if !caller.is_internal() {
            filter.assignee = Some(caller.user.id.to_string());
        }
        filter.limit = page.limit;
        filter.offset = page.offset;
        Ok(self.store.read().await?.db().tasks(&filter).await?)
    }

    /// `GET /api/v1/outbox` (admins).
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn outbox(
        &self,
        caller: &Caller,
        mut filter: OutboxFilter,
        page: Page,
    ) -> ServiceResult<Vec<OutboxRow>> {
        caller.require_admin()?;
        filter.limit = page.limit;
        filter.offset = page.offset;
        Ok(self.store.read().await?.db().outbox(&filter).await?)
    }

    /// `GET /api/v1/audit` (admins).
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn audit(
        &self,
        caller: &Caller,
        mut filter: AuditFilter,
        page: Page,
    ) -> ServiceResult<Vec<AuditRow>> {
        caller.require_admin()?;
        filter.limit = page.limit;
        filter.offset = page.offset;
        Ok(self.store.read().await?.db().audit_entries(&filter).await?)
    }
}

impl Portico {
    /// `POST /api/v1/outbox/{id}/retry` (admins): a failed email goes back in the queue.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, id = id))]
    pub async fn retry_email(&self, caller: &Caller, id: &str) -> ServiceResult<OutboxRow> {
        caller.require_admin()?;
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let email = db
            .email(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("email {id} not found").into()))?;
        if !db.retry_email(id, crate::now_ms()).await? {
            return Err(ServiceError::OperationNotAllowed(
                format!(
                    "email {id} is {}; only failed emails can be retried",
                    email.status
                )
                .into(),
            ));
        }
        db.audit(&portico_store::AuditEntry {
            at: crate::now_ms(),
            actor: Some(caller.user.id.to_string()),
            action: "email.retried".into(),
            object: "email".into(),
            object_id: id.to_string(),
            user: email.email.user_id.clone(),
            before: Some(
                serde_json::json!({"status": email.status, "attempts": email.attempts}).to_string(),
            ),
            ..Default::default()
        })
        .await?;
        let row = db
            .email(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("email {id} not found").into()))?;
        tx.commit().await?;
        Ok(row)
    }
}

impl Portico {
    /// `GET /api/v1/audit/verify` (admins) and `portico audit verify`: whether the chain of
    /// the audit trail is intact, and where it breaks. `None` is the command line.
    #[tracing::instrument(skip_all, fields(caller = caller.map(|c| tracing::field::display(&c.user.id))))]
    pub async fn verify_audit(
        &self,
        caller: Option<&Caller>,
    ) -> ServiceResult<portico_store::ChainReport> {
        if let Some(c) = caller {
            c.require_admin()?;
        }
        // What has committed is judged too: it is sealed first.
        self.seal_audit().await?;
        Ok(self.store.read().await?.db().verify_audit_chain().await?)
    }

    /// Seals every committed audit entry into the chain; answers how many it sealed.
    pub async fn seal_audit(&self) -> ServiceResult<u64> {
        Ok(self.store.seal_audit().await?)
    }
}

/// An export of the audit trail: the entries matching a filter as the sealed trail was when
/// the export began (everything committed until then is sealed first), in chain order, read a
/// page at a time. Pages are found by place in the chain, so entries sealed meanwhile are
/// neither repeated nor let in, and no connection is held between pages (a slow reader does
/// not take one from the pool).
pub struct AuditExport {
    app: Portico,
    filter: AuditFilter,
    /// The place in the chain of the last entry read.
    after: i64,
    /// The place of the last sealed entry when the export began.
    upto: i64,
}

impl AuditExport {
    /// Entries per page.
    pub const PAGE: i64 = 2000;

    /// The next page; empty once every entry is read.
    pub async fn next_page(&mut self) -> ServiceResult<Vec<AuditRow>> {
        if self.after >= self.upto {
            return Ok(vec![]);
        }
        let rows = self
            .app
            .store
            .read()
            .await?
            .db()
            .audit_entries_between(&self.filter, self.after, self.upto, Self::PAGE)
            .await?;
        self.after = match rows.last() {
            Some(last) if rows.len() == Self::PAGE as usize => last.chain_seq.unwrap_or(self.upto),
            _ => self.upto,
        };
        Ok(rows)
    }
}

impl Portico {
    /// `GET /api/v1/audit/export` (admins): the export of the entries matching `filter`.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn audit_export(
        &self,
        caller: &Caller,
        filter: AuditFilter,
    ) -> ServiceResult<AuditExport> {
        caller.require_admin()?;
        self.seal_audit().await?;
        let upto = self.store.read().await?.db().audit_sealed_head().await?;
        Ok(AuditExport {
            app: self.clone(),
            filter,
            after: 0,
            upto,
        })
    }
}

impl Portico {
    /// The history of one record (its audit entries, newest first) for internal users who may
    /// read the record.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, object = object, id = id))]
    pub async fn record_history(
        &self,
        caller: &Caller,
        object: &str,
        id: &str,
    ) -> ServiceResult<Vec<AuditRow>> {
        caller.require_internal()?;
        let view = self.record(caller, object, id).await?;
        let filter = AuditFilter {
            record: Some(view.record.id.to_string()),
            limit: 200,
            ..AuditFilter::default()
        };
        Ok(self.store.read().await?.db().audit_entries(&filter).await?)
    }
}

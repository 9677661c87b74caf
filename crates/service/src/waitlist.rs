//! The license waitlist (SPEC sections 10 and 11): the queue as admins read it, and the giving
//! of freed seats. Every use case that frees a seat — a lifecycle exit, a reassignment, a
//! removal from the field, a deletion, an end date, a status set by hand or over SCIM, more
//! seats bought — calls [`Portico::serve_waitlist`] in its own transaction, after its writes:
//! the oldest waiting collaborators get the free seats before anything commits.

use std::collections::BTreeSet;

use portico_domain::collab::{self, StatusChange};
use portico_domain::{PersonId, RecordId};
use portico_store::{Db, WaitRow};

use crate::reads::Page;
use crate::snapshot::{On, Writing};
use crate::{Caller, Portico, ServiceError, ServiceResult};

/// The cause of the audit entries of a collaborator given a seat it waited for.
pub const WAITLIST_CAUSE: &str = "waitlist";

impl Portico {
    /// `GET /api/v1/licenses/waitlist` (admins): who waits for an external seat, oldest first.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn waitlist(&self, caller: &Caller, page: Page) -> ServiceResult<Vec<WaitRow>> {
        caller.require_admin()?;
        Ok(self
            .store
            .read()
            .await?
            .db()
            .waitlist(None, page.limit, page.offset)
            .await?)
    }

    /// Who waits for a seat on one record, with names and times (internal users: the record
    /// page, which asks only when the record's read names someone waiting).
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, record = record))]
    pub async fn record_waitlist(
        &self,
        caller: &Caller,
        record: &str,
    ) -> ServiceResult<Vec<WaitRow>> {
        caller.require_internal()?;
        Ok(self
            .store
            .read()
            .await?
            .db()
            .waitlist(Some(&RecordId::new(record)), i64::MAX, 0)
            .await?)
    }

    /// [`Portico::serve_waitlist`] after a status change outside any caller's action (an
    /// identity provider over SCIM): acts as the bootstrap administrator, as scheduled work.
    pub(crate) async fn serve_waitlist_after(
        &self,
        db: &mut Db<'_>,
        change: StatusChange,
    ) -> ServiceResult<()> {
        if matches!(change, StatusChange::Inactivate { frees_seat: true }) {
            let admin = self.system_caller().await?;
            self.serve_waitlist(db, &admin).await?;
        }
        Ok(())
    }

    /// [`Portico::serve_waitlist`] in a transaction of its own (scheduled work).
    pub(crate) async fn serve_waitlist_now(&self, caller: &Caller) -> ServiceResult<()> {
        let mut tx = self.write_as(caller).await?;
        self.serve_waitlist(&mut tx.db(), caller).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives every free seat to the oldest waiting collaborator, one after the other, inside
    /// the caller's transaction (and serves at once the other waits of a collaborator so
    /// activated: they need no seat): C2 runs for it (cause `waitlist`; its access sponsored by
    /// whoever queued it, who is notified). A wait that can no longer be served is dropped
    /// and the seat goes to the next. Stops when no seat or nobody is left.
    pub(crate) async fn serve_waitlist(
        &self,
        db: &mut Db<'_>,
        caller: &Caller,
    ) -> ServiceResult<()> {
        // Before reading who waits: a wait written meanwhile is either seen here or sees the
        // seat this transaction freed (`Db::queue_behind_full_pool`).
        db.enter_waitlist_gate().await?;
        let mut seen: BTreeSet<(RecordId, PersonId)> = BTreeSet::new();
        loop {
            // A collaborator whose account is active already (served on another record) needs
            // no seat: served first; then the oldest, while a seat is free.
            let next = match db.waitlist_ready().await? {
                Some(ready) => Some(ready),
                None if db.pool_for(1).await?.can_take(1) => db.waitlist_head().await?,
                None => None,
            };
            let Some(head) = next else {
                return Ok(());
            };
            if !seen.insert((head.record.clone(), head.person.clone())) {
                // Served once already and still at the head: never loop on it.
                return Err(ServiceError::broken(format!(
                    "the waitlist entry of {} on {} was not served",
                    head.person, head.record
                )));
            }
            let record = match self.target(&head.object) {
                Ok(_) => db.record(&head.object, &head.record, true).await?,
                Err(_) => None,
            };
            let (Some((record, _, _)), Ok(target)) = (record, self.target(&head.object)) else {
                // Its record is gone (or its type no longer configured): nothing to wait for.
                db.drop_wait(&head.record, &head.person).await?;
                continue;
            };
            let on = On {
                caller,
                target,
                dry_run: false,
            };
            let writing = Writing {
                cause: Some(WAITLIST_CAUSE),
                sponsor: Some(&head.requested_by),
            };
            let person = head.person.clone();
            let requester = head.requested_by.clone();
            let served = self
                .plan_and_apply_as(
                    db,
                    on,
                    record,
                    std::slice::from_ref(&person),
                    writing,
                    |snap, ctx| collab::serve_wait(snap, &person, &requester, ctx),
                )
                .await;
            match served {
                Ok(_) => {}
                // No seat after all: it keeps its place.
                Err(ServiceError::LicenseLimitExceeded(_)) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }
}

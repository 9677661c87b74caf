//! Scheduled work (SPEC section 11, "Guest governance"): what is due now — access past its
//! record's end date ended (C3), collaborators reminded of an end date that is near. Every
//! server runs a scheduler that claims the work in the database (`Db::claim_job`, a lease that
//! expires if its holder dies), so it runs once across servers; `POST /api/v1/jobs/run-due`
//! runs it at once. Each record is done in a transaction of its own that locks the record and
//! reads again what it decides from, so a run cut short (a kill -9) leaves every record either
//! done or not, and whoever runs next does the rest, never the same record twice.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate, Utc};
use portico_domain::collab::{self, Ctx, Plan, RuleError, Snapshot};
use portico_domain::RecordId;

use crate::retry::retrying;
use crate::snapshot::On;
use crate::{now_ms, Caller, Portico, ServiceError, ServiceResult};

/// The job of guest governance, by the name it is claimed under.
pub const GOVERNANCE_JOB: &str = "governance";

/// The cause of the audit entries of access ended by an end date.
pub const END_DATE_CAUSE: &str = "end date";

/// The cause of the audit entries of end-date reminders.
pub const END_DATE_REMINDER_CAUSE: &str = "end date reminder";

/// Records looked at per query: work is fetched in batches so a backlog never loads at once.
const BATCH: i64 = 200;

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobReport {
    /// Records whose end date had passed, and what ending their access did.
    pub ended: Vec<RecordWork>,
    /// Records whose collaborators were reminded of the end date.
    pub reminded: Vec<RecordWork>,
    /// Records whose work failed, with why (each is tried again on the next run).
    pub failed: Vec<(RecordId, String)>,
    /// Access reviews: reminders sent, defaults taken at the due date (`reviews.rs`).
    pub reviews: crate::ReviewWork,
    /// Users whose access ended for inactivity (`inactivity.rs`).
    pub inactivated: Vec<crate::InactivityWork>,
}

/// The work done on one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordWork {
    /// Its object.
    pub object: String,
    /// The record.
    pub record: RecordId,
    /// The end date it was done for.
    pub end_date: String,
    /// Assignments made Inactive.
    pub assignments_ended: usize,
    /// Users inactivated (their last access ended: Goodbye, a seat freed).
    pub users_inactivated: usize,
    /// Emails queued.
    pub emails: usize,
}

/// A rule scheduled work runs on a record.
type Rule = fn(&Snapshot<'_>, &mut Ctx<'_>) -> Result<Plan, RuleError>;

/// Which of the two pieces of work a record gets.
#[derive(Clone, Copy)]
enum Work {
    End,
    Remind,
}

impl Portico {
    /// `POST /api/v1/jobs/run-due` (admins): runs what is due now, as the caller.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn run_due(&self, caller: &Caller) -> ServiceResult<JobReport> {
        caller.require_admin()?;
        self.governance(caller).await
    }

    /// One tick of a server's scheduler: when the governance job is due and nobody holds it,
    /// claims it for `lease_ms`, runs it as the bootstrap administrator, and makes it due again
    /// `interval_ms` after it began. `None` when another server has it or it is not yet due.
    #[tracing::instrument(skip_all, fields(worker = worker))]
    pub async fn run_scheduled(
        &self,
        worker: &str,
        interval_ms: i64,
        lease_ms: i64,
    ) -> ServiceResult<Option<JobReport>> {
        let began = now_ms();
        {
            let mut tx = self.store.write().await?;
            let mut db = tx.db();
            db.ensure_jobs(&[GOVERNANCE_JOB]).await?;
            let claimed = db
                .claim_job(GOVERNANCE_JOB, worker, began, lease_ms)
                .await?;
            tx.commit().await?;
            if !claimed {
                return Ok(None);
            }
        }
        let outcome = match self.system_caller().await {
            Ok(caller) => self.governance(&caller).await,
            Err(e) => Err(e),
        };
        let mut tx = self.store.write().await?;
        match &outcome {
            Ok(_) => {
                tx.db()
                    .finish_job(GOVERNANCE_JOB, worker, now_ms(), began + interval_ms)
                    .await?;
            }
            // Given back at once: the next tick (here or elsewhere) tries again.
            Err(_) => tx.db().release_job(GOVERNANCE_JOB, worker).await?,
        }
        tx.commit().await?;
        outcome.map(Some)
    }

    /// Gives back `worker`'s claim (a server stopping).
    pub async fn release_scheduled(&self, worker: &str) -> ServiceResult<()> {
        let mut tx = self.store.write().await?;
        tx.db().release_job(GOVERNANCE_JOB, worker).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Who scheduled work acts as: the bootstrap administrator (the audit trail names it as
    /// the actor, and the cause says which rule acted).
    pub(crate) async fn system_caller(&self) -> ServiceResult<Caller> {
        let admin = self
            .users_unchecked_by_username("admin")
            .await?
            .ok_or_else(|| ServiceError::Internal {
                context: "scheduled work: the admin user is missing".into(),
                source: None,
            })?;
        Ok(Caller::new(admin))
    }

    async fn governance(&self, caller: &Caller) -> ServiceResult<JobReport> {
        let today = Utc::now().date_naive();
        let mut report = JobReport::default();
        self.each_due(caller, today, Work::End, &mut report).await?;
        self.each_due(caller, today, Work::Remind, &mut report)
            .await?;
        report.reviews = self.review_work(caller).await?;
        let (inactivated, failed) = self.inactivity_work(caller).await?;
        report.inactivated = inactivated;
        report.reviews.failed.extend(failed);
        // Every path that frees a seat gives it away at once; this only catches up on seats
        // bought or freed outside Portico's use cases.
        retrying(|| self.serve_waitlist_now(caller)).await?;
        retrying(|| self.purge_signing_grants(caller)).await?;
        retrying(|| self.fold_seat_history(caller)).await?;
        Ok(report)
    }

    /// Folds the seat changes of the days that ended before yesterday into the seat history's
    /// lines (`Db::fold_seat_changes`): the changes would otherwise grow without end, and every
    /// read of the history with them.
    async fn fold_seat_history(&self, caller: &Caller) -> ServiceResult<()> {
        let mut tx = self.write_as(caller).await?;
        let yesterday = portico_store::epoch_day(crate::now_ms()) - 1;
        tx.db().fold_seat_changes(yesterday).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Drops the signing round trips and grants that have expired (they would otherwise
    /// pile up: a signed-in user may start any number of round trips).
    async fn purge_signing_grants(&self, caller: &Caller) -> ServiceResult<()> {
        let mut tx = self.write_as(caller).await?;
        tx.db().purge_signing_grants(crate::now_ms()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Runs `work` on every record it is due for, batch by batch; a record that fails is
    /// reported and left for the next run.
    async fn each_due(
        &self,
        caller: &Caller,
        today: NaiveDate,
        work: Work,
        report: &mut JobReport,
    ) -> ServiceResult<()> {
        let day = today.format("%Y-%m-%d").to_string();
        let horizon = today
            .checked_add_days(Days::new(self.settings.end_reminder_days))
            .unwrap_or(today)
            .format("%Y-%m-%d")
            .to_string();
        let mut failed: BTreeSet<RecordId> = BTreeSet::new();
        loop {
            let due = {
                let mut reader = self.store.read().await?;
                let mut db = reader.db();
                match work {
                    Work::End => db.records_past_end(&day, BATCH).await?,
                    Work::Remind => db.records_to_remind(&day, &horizon, BATCH).await?,
                }
            };
            let due: Vec<_> = due
                .into_iter()
                .filter(|(_, r)| !failed.contains(r))
                .collect();
            if due.is_empty() {
                return Ok(());
            }
            for (object, record) in due {
                let done =
                    retrying(|| self.record_work(caller, &object, &record, &day, &horizon, work))
                        .await;
                match done {
                    Ok(Some(done)) => match work {
                        Work::End => report.ended.push(done),
                        Work::Remind => report.reminded.push(done),
                    },
                    Ok(None) => {
                        // Changed meanwhile (a new date, access ended by hand): nothing is due.
                        failed.insert(record);
                    }
                    Err(e) => {
                        tracing::warn!(record = %record, error = %e, "scheduled work on a record failed");
                        report.failed.push((record.clone(), e.to_string()));
                        failed.insert(record);
                    }
                }
            }
        }
    }

    /// One record's work in its own transaction: the record locked and read again, so that
    /// work done meanwhile (here or on another server) is not done twice.
    async fn record_work(
        &self,
        caller: &Caller,
        object: &str,
        id: &RecordId,
        today: &str,
        horizon: &str,
        work: Work,
    ) -> ServiceResult<Option<RecordWork>> {
        let target = self.target(object)?;
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let Some((record, _, _)) = db.record(object, id, true).await? else {
            return Ok(None);
        };
        let Some(end) = record.access_end_date.clone() else {
            return Ok(None);
        };
        let on = On {
            caller,
            target,
            dry_run: false,
        };
        let (cause, rule): (&str, Rule) = match work {
            Work::End if end.as_str() < today => (END_DATE_CAUSE, collab::end_access),
            Work::Remind
                if end.as_str() >= today
                    && end.as_str() <= horizon
                    && !db.end_reminded(id, &end).await? =>
            {
                (END_DATE_REMINDER_CAUSE, collab::remind_access_ending)
            }
            _ => return Ok(None),
        };
        let (plan, _) = self
            .plan_and_apply_caused(&mut db, on, record, &[], Some(cause), rule)
            .await?;
        if matches!(work, Work::Remind) {
            db.mark_end_reminded(id, &end).await?;
        }
        tx.commit().await?;
        Ok(Some(RecordWork {
            object: object.to_string(),
            record: id.clone(),
            end_date: end,
            assignments_ended: plan.assignments_closed.len(),
            users_inactivated: plan.inactivations.len(),
            emails: plan.emails.len(),
        }))
    }
}

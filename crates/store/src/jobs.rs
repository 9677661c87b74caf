//! Scheduled work (SPEC section 11): each job is one row, claimed by one server at a time with
//! a lease, as the outbox worker claims emails. A claimant killed without giving its claim back
//! loses it when the lease runs out; the job's work is written record by record in
//! transactions of its own that read again what they decide from, so work a lost claim had half
//! done is neither lost nor done twice.

use portico_domain::RecordId;

use crate::{rows, Db, Result};

impl Db<'_> {
    /// Adds the jobs not yet known, due at once.
    pub async fn ensure_jobs(&mut self, names: &[&str]) -> Result<()> {
        for name in names {
            sqlx::query(
                "INSERT INTO jobs (name, due_at) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING",
            )
            .bind(*name)
            .execute(&mut *self.conn)
            .await?;
        }
        Ok(())
    }

    /// Claims `name` for `worker` until `now + lease_ms` when it is due and nobody holds a
    /// live claim on it: true when this worker now runs it. The one conditional UPDATE decides
    /// between servers asking at the same moment.
    pub async fn claim_job(
        &mut self,
        name: &str,
        worker: &str,
        now: i64,
        lease_ms: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE jobs SET claimed_by = $1, claimed_until = $2 \
             WHERE name = $3 AND due_at <= $4 AND (claimed_until IS NULL OR claimed_until < $4)",
        )
        .bind(worker)
        .bind(now + lease_ms)
        .bind(name)
        .bind(now)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// `worker` ran `name` at `now`: it is due again at `next_due`, and the claim is given back.
    /// False when the claim had been lost meanwhile (then the other claimant reschedules).
    pub async fn finish_job(
        &mut self,
        name: &str,
        worker: &str,
        now: i64,
        next_due: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE jobs SET due_at = $1, last_run_at = $2, claimed_until = NULL \
             WHERE name = $3 AND claimed_by = $4",
        )
        .bind(next_due)
        .bind(now)
        .bind(name)
        .bind(worker)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives back `worker`'s claim on `name` without running it (the server is stopping).
    pub async fn release_job(&mut self, name: &str, worker: &str) -> Result<()> {
        sqlx::query("UPDATE jobs SET claimed_until = NULL WHERE name = $1 AND claimed_by = $2")
            .bind(name)
            .bind(worker)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// When `name` last ran and who holds or held its claim (for tests and operators).
    pub async fn job_state(&mut self, name: &str) -> Result<Option<JobState>> {
        let row = sqlx::query(
            "SELECT due_at, claimed_by, claimed_until, last_run_at FROM jobs WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&mut *self.conn)
        .await?;
        row.map(|r| {
            Ok(JobState {
                due_at: rows::get(&r, "due_at")?,
                claimed_by: rows::get(&r, "claimed_by")?,
                claimed_until: rows::get(&r, "claimed_until")?,
                last_run_at: rows::get(&r, "last_run_at")?,
            })
        })
        .transpose()
    }

    /// Records whose end date is before `today` (`YYYY-MM-DD`) and that still have Active
    /// assignments, oldest end date first, at most `limit`.
    pub async fn records_past_end(
        &mut self,
        today: &str,
        limit: i64,
    ) -> Result<Vec<(String, RecordId)>> {
        let sql = format!(
            "SELECT r.object, r.id FROM records r \
             WHERE r.access_end_date IS NOT NULL AND r.access_end_date < $1 AND r.deleted = 0 \
             AND EXISTS (SELECT 1 FROM assignments a WHERE a.record_id = r.id AND a.activity = 'active') \
             ORDER BY r.access_end_date, r.id LIMIT {limit}"
        );
        self.object_and_ids(&sql, today, None).await
    }

    /// Records whose end date is between `today` and `until` (inclusive), with Active
    /// assignments, whose collaborators were not yet reminded of that date.
    pub async fn records_to_remind(
        &mut self,
        today: &str,
        until: &str,
        limit: i64,
    ) -> Result<Vec<(String, RecordId)>> {
        let sql = format!(
            "SELECT r.object, r.id FROM records r \
             WHERE r.access_end_date IS NOT NULL AND r.access_end_date >= $1 AND r.access_end_date <= $2 \
             AND r.deleted = 0 \
             AND (r.end_reminded_for IS NULL OR r.end_reminded_for <> r.access_end_date) \
             AND EXISTS (SELECT 1 FROM assignments a WHERE a.record_id = r.id AND a.activity = 'active') \
             ORDER BY r.access_end_date, r.id LIMIT {limit}"
        );
        self.object_and_ids(&sql, today, Some(until)).await
    }

    /// Notes that the collaborators of `record` were reminded of the end date `date`.
    pub async fn mark_end_reminded(&mut self, record: &RecordId, date: &str) -> Result<()> {
        sqlx::query("UPDATE records SET end_reminded_for = $1 WHERE id = $2")
            .bind(date)
            .bind(record.as_str())
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Whether `record`'s collaborators were reminded of the end date `date`.
    pub async fn end_reminded(&mut self, record: &RecordId, date: &str) -> Result<bool> {
        let row = sqlx::query("SELECT end_reminded_for FROM records WHERE id = $1")
            .bind(record.as_str())
            .fetch_optional(&mut *self.conn)
            .await?;
        Ok(match row {
            Some(r) => {
                rows::get::<Option<String>>(&r, "end_reminded_for")?.as_deref() == Some(date)
            }
            None => false,
        })
    }

    async fn object_and_ids(
        &mut self,
        sql: &str,
        first: &str,
        second: Option<&str>,
    ) -> Result<Vec<(String, RecordId)>> {
        let mut q = sqlx::query(sql).bind(first);
        if let Some(s) = second {
            q = q.bind(s);
        }
        q.fetch_all(&mut *self.conn)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    rows::get::<String>(r, "object")?,
                    RecordId::new(rows::get::<String>(r, "id")?),
                ))
            })
            .collect()
    }
}

/// A job's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobState {
    /// When it is due next.
    pub due_at: i64,
    /// The worker that claimed it last.
    pub claimed_by: Option<String>,
    /// Until when that claim holds (none once given back).
    pub claimed_until: Option<i64>,
    /// When it last ran to the end.
    pub last_run_at: Option<i64>,
}

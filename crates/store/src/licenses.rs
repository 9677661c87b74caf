//! The external license pool: the one place seats are taken and freed (SPEC sections 3, 10).

use portico_domain::{LicensePool, SeatCount, UserId};

use crate::batch::V;
use crate::rows;
use crate::{Backend, Db, Result, StoreError};

/// A day of the seat history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatDay {
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    /// Seats in use after the day's last change.
    pub active: i64,
    /// The most seats in use that day.
    pub peak: i64,
    /// The pool's size at the end of the day.
    pub seats: i64,
}

/// The UTC day of a time in milliseconds since the epoch.
pub fn epoch_day(ms: i64) -> i64 {
    ms.div_euclid(86_400_000)
}

/// Now, in milliseconds since the epoch, by this server's clock: the day a seat change is
/// written under (servers' clocks are assumed to agree to well within a day; the history's
/// fold leaves the last finished day alone for that).
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The advisory lock (PostgreSQL) that orders a wait against a seat freed meanwhile: a
/// transaction about to leave a collaborator waiting takes it alone, one that may give a freed
/// seat to the waitlist takes it shared (shared holders never wait for each other).
const WAITLIST_GATE: i64 = 0x706f_7274_6963_6f01;
/// The advisory lock (PostgreSQL) of a change of the pool's size: one at a time.
const RESIZE: i64 = 0x706f_7274_6963_6f02;

impl Db<'_> {
    /// Creates the pool with `seats` if it does not exist yet. Servers starting together on a
    /// new database race here: the size row decides (the second insert waits for the first's
    /// commit, then finds the row), so one of them makes the slots and begins the history.
    pub async fn init_pool(&mut self, seats: SeatCount) -> Result<()> {
        let seats = i64::from(seats.get());
        let made = sqlx::query(
            "INSERT INTO license_size (id, seats) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
        )
        .bind(seats)
        .execute(&mut *self.conn)
        .await?
        .rows_affected();
        if made == 0 {
            return Ok(());
        }
        self.add_slots(0, seats).await?;
        // The history begins with the pool.
        self.note_change(0, Some(seats)).await
    }

    /// The pool as it is now, counted exactly: its size, and the seats held. It counts every
    /// held slot, so it is for the reports (licenses, metrics, a resize), not for an action:
    /// that asks `pool_for`.
    pub async fn pool(&mut self) -> Result<LicensePool> {
        let row = sqlx::query(
            "SELECT p.seats AS seats, (SELECT COUNT(holder) FROM license_seats) AS active \
             FROM license_size p WHERE p.id = 1",
        )
        .fetch_optional(&mut *self.conn)
        .await?
        .ok_or_else(|| StoreError::NotFound("license pool".into()))?;
        let seats: i64 = rows::get(&row, "seats")?;
        let active: i64 = rows::get(&row, "active")?;
        Self::pool_of(seats, active)
    }

    /// The pool as an action that takes at most `need` seats sees it: its size, and of the
    /// free slots at most `need` counted (they are read through the free slots' index, so
    /// the cost is `need`, not the pool's size). `active` is exact while fewer than `need`
    /// seats are free; otherwise it shows `need` free, which is every question such an action
    /// can ask (`LicensePool::can_take(n)` for `n <= need`).
    pub async fn pool_for(&mut self, need: usize) -> Result<LicensePool> {
        let row = sqlx::query(
            "SELECT p.seats AS seats, (SELECT COUNT(*) FROM \
             (SELECT slot FROM license_seats WHERE holder IS NULL LIMIT $1) f) AS free \
             FROM license_size p WHERE p.id = 1",
        )
        .bind(i64::try_from(need).unwrap_or(i64::MAX))
        .fetch_optional(&mut *self.conn)
        .await?
        .ok_or_else(|| StoreError::NotFound("license pool".into()))?;
        let seats: i64 = rows::get(&row, "seats")?;
        let free: i64 = rows::get(&row, "free")?;
        Self::pool_of(seats, seats.saturating_sub(free))
    }

    fn pool_of(seats: i64, active: i64) -> Result<LicensePool> {
        Ok(LicensePool {
            seats: SeatCount::parse(seats).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            active: u32::try_from(active).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        })
    }

    /// Gives each of `holders` a free seat, or fails with `NoSeat` (the transaction is then
    /// dropped). Concurrent claimers skip each other's slots (`SKIP LOCKED`), so they need no
    /// common row; only when every free slot is being claimed by a transaction still running
    /// does one wait for it, and then takes the slot if that one gave it up.
    pub async fn take_seats(&mut self, holders: &[UserId]) -> Result<()> {
        if holders.is_empty() {
            return Ok(());
        }
        let mut given = 0;
        let skip = self.backend.for_update_skip_locked();
        if let [holder] = holders {
            // One seat (an activation): claimed and held in one statement.
            given += sqlx::query(&format!(
                "UPDATE license_seats SET holder = $1 WHERE slot IN (SELECT slot FROM \
                 license_seats WHERE holder IS NULL ORDER BY slot LIMIT 1{skip}) RETURNING slot"
            ))
            .bind(holder.as_str())
            .fetch_all(&mut *self.conn)
            .await?
            .len();
        } else {
            let claimed = self
                .slots(&format!(
                    "SELECT slot FROM license_seats WHERE holder IS NULL ORDER BY slot LIMIT {}{skip}",
                    holders.len()
                ))
                .await?;
            given += self.hold(&claimed, &holders[..claimed.len()]).await?;
        }
        while given < holders.len() && self.backend == Backend::Postgres {
            // Every slot left free is locked by a claim in flight: wait for the first
            // (`FOR UPDATE` checks `holder IS NULL` again once it is released).
            let waited = self
                .slots("SELECT slot FROM license_seats WHERE holder IS NULL ORDER BY slot LIMIT 1 FOR UPDATE")
                .await?;
            if waited.is_empty() {
                break;
            }
            given += self.hold(&waited, &holders[given..=given]).await?;
        }
        if given < holders.len() {
            return Err(StoreError::NoSeat);
        }
        self.note_change(i64::try_from(given).unwrap_or(i64::MAX), None)
            .await
    }

    /// Frees the seats of `holders`.
    pub async fn free_seats(&mut self, holders: &[UserId]) -> Result<()> {
        if holders.is_empty() {
            return Ok(());
        }
        let ids: Vec<&str> = holders.iter().map(UserId::as_str).collect();
        let freed = self
            .execute_in(
                "UPDATE license_seats SET holder = NULL WHERE holder",
                &[],
                &ids,
                "",
            )
            .await?;
        if freed != holders.len() as u64 {
            return Err(StoreError::Corrupt(format!(
                "{} seats to free, {freed} held",
                holders.len()
            )));
        }
        self.note_change(-i64::try_from(freed).unwrap_or(i64::MAX), None)
            .await
    }

    /// The seat check of a wait (the license waitlist): a collaborator may be left waiting
    /// only while no seat is free. It takes the waitlist gate alone, after the entry is
    /// written, then looks for a free slot: a transaction that frees a seat meanwhile either
    /// committed before (then this one finds the slot and is run again, `Conflict::SeatFreed`)
    /// or waits at the gate for this one and then sees its entry when it gives the seat to the
    /// oldest (`Db::enter_waitlist_gate`). Only this path, taken when the pool is full, takes
    /// the gate alone.
    pub async fn queue_behind_full_pool(&mut self) -> Result<()> {
        self.advisory_lock("pg_advisory_xact_lock", WAITLIST_GATE)
            .await?;
        let free = self
            .slots("SELECT slot FROM license_seats WHERE holder IS NULL LIMIT 1")
            .await?;
        if free.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Conflict(crate::Conflict::SeatFreed))
        }
    }

    /// Takes the waitlist gate shared, before reading who waits for a freed seat: held to the
    /// commit, it makes a wait being written meanwhile either visible now or see the seat
    /// freed (`Db::queue_behind_full_pool`). Shared holders never wait for each other.
    pub async fn enter_waitlist_gate(&mut self) -> Result<()> {
        self.advisory_lock("pg_advisory_xact_lock_shared", WAITLIST_GATE)
            .await
    }

    /// Sets the seats unless that is below the active count; answers whether it did. More
    /// seats are new free slots; fewer removes free ones, waiting for claims in flight, and
    /// changes nothing if not enough are free.
    pub async fn set_seats(&mut self, seats: SeatCount) -> Result<bool> {
        self.advisory_lock("pg_advisory_xact_lock", RESIZE).await?;
        let row =
            sqlx::query("SELECT COUNT(*) AS n, COALESCE(MAX(slot), 0) AS top FROM license_seats")
                .fetch_one(&mut *self.conn)
                .await?;
        let (now, top): (i64, i64) = (rows::get(&row, "n")?, rows::get(&row, "top")?);
        let want = i64::from(seats.get());
        if want > now {
            self.add_slots(top, want - now).await?;
        } else if want < now {
            let lock = self.backend.for_update();
            let free = self
                .slots(&format!(
                    "SELECT slot FROM license_seats WHERE holder IS NULL ORDER BY slot DESC LIMIT {}{lock}",
                    now - want
                ))
                .await?;
            if (free.len() as i64) < now - want {
                return Ok(false);
            }
            let mut sql =
                crate::batch::Sql::new(self.backend, "DELETE FROM license_seats WHERE slot IN (");
            sql.list(free.iter().map(|s| V::I(*s))).push(")");
            sql.execute(self).await?;
        }
        self.write_size(want).await?;
        self.note_change(0, Some(want)).await?;
        Ok(true)
    }

    /// The pool of a seeded database (`portico seed` writes its users directly): `seats`
    /// slots, one held by each active external user, and the history brought to `active`.
    pub(crate) async fn seed_slots(&mut self, seats: i64, active: i64) -> Result<()> {
        sqlx::query("DELETE FROM license_seats")
            .execute(&mut *self.conn)
            .await?;
        self.add_slots(0, seats).await?;
        self.write_size(seats).await?;
        sqlx::query(
            "UPDATE license_seats SET holder = a.id \
             FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM users \
                   WHERE status = 'active' AND license = 'external') a \
             WHERE a.n = license_seats.slot",
        )
        .execute(&mut *self.conn)
        .await?;
        let row =
            sqlx::query("SELECT CAST(COALESCE(SUM(delta), 0) AS BIGINT) AS n FROM seat_changes")
                .fetch_one(&mut *self.conn)
                .await?;
        let noted: i64 = rows::get(&row, "n")?;
        self.note_change(active - noted, Some(seats)).await
    }

    /// Slots `after + 1 ..= after + n`, free.
    async fn add_slots(&mut self, after: i64, n: i64) -> Result<()> {
        let rows = (after + 1..=after + n).map(|s| vec![V::I(s)]).collect();
        self.insert_rows_ignoring_existing("license_seats", &["slot"], rows, "slot")
            .await
    }

    /// Writes the pool's size (its one row, kept by a resize and by a seeded database).
    async fn write_size(&mut self, seats: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO license_size (id, seats) VALUES (1, $1) \
             ON CONFLICT (id) DO UPDATE SET seats = excluded.seats",
        )
        .bind(seats)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Gives `slots[i]` to `holders[i]`; answers how many.
    async fn hold(&mut self, slots: &[i64], holders: &[UserId]) -> Result<usize> {
        let rows: Vec<(V, Vec<V>)> = slots
            .iter()
            .zip(holders)
            .map(|(slot, holder)| (V::I(*slot), vec![V::t(holder.as_str())]))
            .collect();
        self.set_by_key("license_seats", "slot", &["holder"], &rows, "")
            .await?;
        Ok(rows.len())
    }

    /// The slot numbers a query answers.
    async fn slots(&mut self, sql: &str) -> Result<Vec<i64>> {
        sqlx::query(sql)
            .fetch_all(&mut *self.conn)
            .await?
            .iter()
            .map(|r| rows::get(r, "slot"))
            .collect()
    }

    /// A transaction-scoped advisory lock (PostgreSQL; SQLite's one writer needs none).
    async fn advisory_lock(&mut self, function: &str, key: i64) -> Result<()> {
        if self.backend == Backend::Postgres {
            // Wrapped: the lock functions answer `void`, which the `Any` driver cannot read.
            sqlx::query(&format!(
                "SELECT COUNT(*) AS n FROM (SELECT {function}($1)) l"
            ))
            .bind(key)
            .fetch_one(&mut *self.conn)
            .await?;
        }
        Ok(())
    }

    /// Appends a change of the seats to the history: `delta` seats taken (or freed, below
    /// zero), and the pool's new size when it changed. An insert: no row shared by writers.
    async fn note_change(&mut self, delta: i64, seats: Option<i64>) -> Result<()> {
        sqlx::query("INSERT INTO seat_changes (day, delta, seats) VALUES ($1, $2, $3)")
            .bind(epoch_day(now_ms()))
            .bind(delta)
            .bind(seats)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Active external users per organization (name, count); users without one come last.
    pub async fn active_by_organization(
        &mut self,
    ) -> Result<Vec<(Option<String>, Option<String>, i64)>> {
        let rows = sqlx::query(
            "SELECT o.id AS org_id, o.name AS org_name, COUNT(*) AS n FROM users u \
             LEFT JOIN persons p ON p.id = u.person_id \
             LEFT JOIN organizations o ON o.id = p.organization_id \
             WHERE u.status = 'active' AND u.license = 'external' \
             GROUP BY o.id, o.name ORDER BY o.name",
        )
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    rows::get(r, "org_id")?,
                    rows::get(r, "org_name")?,
                    rows::get(r, "n")?,
                ))
            })
            .collect()
    }
}

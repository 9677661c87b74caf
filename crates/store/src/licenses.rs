//! The external license pool: the one place seats are taken and freed (SPEC sections 3, 10).

use portico_domain::{LicensePool, SeatCount};

use crate::rows;
use crate::{Db, Result, StoreError};

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

/// Now, in milliseconds since the epoch (the history's day is the database writer's clock).
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Db<'_> {
    /// Creates the pool with `seats` if it does not exist yet.
    pub async fn init_pool(&mut self, seats: SeatCount) -> Result<()> {
        sqlx::query(
            "INSERT INTO license_pool (id, seats, active) VALUES (1, $1, 0) ON CONFLICT (id) DO NOTHING",
        )
        .bind(i64::from(seats.get()))
        .execute(&mut *self.conn)
        .await?;
        // The history begins with the pool.
        self.note_seats().await
    }

    /// The pool as it is now.
    pub async fn pool(&mut self) -> Result<LicensePool> {
        let row = sqlx::query("SELECT seats, active FROM license_pool WHERE id = 1")
            .fetch_optional(&mut *self.conn)
            .await?
            .ok_or_else(|| StoreError::NotFound("license pool".into()))?;
        let seats: i64 = rows::get(&row, "seats")?;
        let active: i64 = rows::get(&row, "active")?;
        Ok(LicensePool {
            seats: SeatCount::parse(seats).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            active: u32::try_from(active).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        })
    }

    /// Takes `n` seats if they are free, in one conditional statement: of any number of
    /// concurrent requests, only as many as there are seats succeed.
    pub async fn take_seats(&mut self, n: u32) -> Result<()> {
        if n == 0 {
            return Ok(());
        }
        let done = sqlx::query(
            "UPDATE license_pool SET active = active + $1 WHERE id = 1 AND active + $1 <= seats",
        )
        .bind(i64::from(n))
        .execute(&mut *self.conn)
        .await?;
        if done.rows_affected() == 1 {
            self.note_seats().await
        } else {
            Err(StoreError::NoSeat)
        }
    }

    /// The seat check of a wait (the license waitlist), in the same one statement on the pool
    /// row: a collaborator may be left waiting only while no seat is free. It locks the row, so
    /// a transaction that frees a seat meanwhile either committed before (then this one finds
    /// the seat and is run again, `Conflict::SeatFreed`) or waits for this one and then sees
    /// its entry when it gives the seat to the oldest.
    pub async fn queue_behind_full_pool(&mut self) -> Result<()> {
        let done =
            sqlx::query("UPDATE license_pool SET seats = seats WHERE id = 1 AND active >= seats")
                .execute(&mut *self.conn)
                .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict(crate::Conflict::SeatFreed))
        }
    }

    /// Gives `n` seats back.
    pub async fn free_seats(&mut self, n: u32) -> Result<()> {
        if n == 0 {
            return Ok(());
        }
        let done = sqlx::query(
            "UPDATE license_pool SET active = active - $1 WHERE id = 1 AND active >= $1",
        )
        .bind(i64::from(n))
        .execute(&mut *self.conn)
        .await?;
        if done.rows_affected() == 1 {
            self.note_seats().await
        } else {
            Err(StoreError::Corrupt(
                "the pool counts fewer active users than it frees".into(),
            ))
        }
    }

    /// Sets the seats unless that is below the active count; answers whether it did.
    pub async fn set_seats(&mut self, seats: SeatCount) -> Result<bool> {
        let done = sqlx::query("UPDATE license_pool SET seats = $1 WHERE id = 1 AND active <= $1")
            .bind(i64::from(seats.get()))
            .execute(&mut *self.conn)
            .await?;
        if done.rows_affected() == 1 {
            self.note_seats().await?;
        }
        Ok(done.rows_affected() == 1)
    }

    /// Writes the pool as it now is into today's line of the seat history (the day's last
    /// count, its peak, the pool's size), in the transaction that changed it.
    async fn note_seats(&mut self) -> Result<()> {
        sqlx::query(
            "INSERT INTO seat_history (day, active, peak, seats) \
             SELECT $1, active, active, seats FROM license_pool WHERE id = 1 \
             ON CONFLICT (day) DO UPDATE SET active = excluded.active, seats = excluded.seats, \
             peak = CASE WHEN excluded.active > seat_history.peak THEN excluded.active ELSE seat_history.peak END",
        )
        .bind(epoch_day(now_ms()))
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// The seat history's lines from `from` to `to` (days since the epoch, inclusive), in day
    /// order, with the last line before `from` first when there is one (the days up to the
    /// first change in the range had its count).
    pub async fn seat_history(&mut self, from: i64, to: i64) -> Result<Vec<SeatDay>> {
        let line = |r: &sqlx::any::AnyRow| -> Result<SeatDay> {
            Ok(SeatDay {
                day: rows::get(r, "day")?,
                active: rows::get(r, "active")?,
                peak: rows::get(r, "peak")?,
                seats: rows::get(r, "seats")?,
            })
        };
        let before = sqlx::query(
            "SELECT day, active, peak, seats FROM seat_history WHERE day < $1 ORDER BY day DESC LIMIT 1",
        )
        .bind(from)
        .fetch_optional(&mut *self.conn)
        .await?;
        let mut out: Vec<SeatDay> = before.as_ref().map(line).transpose()?.into_iter().collect();
        let within = sqlx::query(
            "SELECT day, active, peak, seats FROM seat_history WHERE day >= $1 AND day <= $2 ORDER BY day",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&mut *self.conn)
        .await?;
        for r in &within {
            out.push(line(r)?);
        }
        Ok(out)
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

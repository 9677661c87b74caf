//! The seat history (guest governance): seats in use per day. Every change of the seats
//! appends a row to `seat_changes` (`Db::take_seats`, `free_seats`, `set_seats`); a day's line
//! is read from them. Days written before the changes were appended (migration 0021) keep
//! their `seat_history` lines.

use std::collections::BTreeMap;

use crate::licenses::SeatDay;
use crate::rows;
use crate::{Db, Result};

impl Db<'_> {
    /// The seat history's lines from `from` to `to` (days since the epoch, inclusive), in day
    /// order, with the last line before `from` first when there is one (the days up to the
    /// first change in the range had its count).
    ///
    /// A day's count after its last change is the running sum of the changes in the order
    /// they were appended, its peak the highest running sum that day. That order is one the
    /// seats really went through: a slot is claimed only after its freeing committed, and
    /// freed only after its claim did, so each is appended after the other.
    pub async fn seat_history(&mut self, from: i64, to: i64) -> Result<Vec<SeatDay>> {
        let line = |r: &sqlx::any::AnyRow| -> Result<SeatDay> {
            Ok(SeatDay {
                day: rows::get(r, "day")?,
                active: rows::get(r, "active")?,
                peak: rows::get(r, "peak")?,
                seats: rows::get(r, "seats")?,
            })
        };
        let mut days: BTreeMap<i64, SeatDay> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT day, active, peak, seats FROM seat_history WHERE day <= $1 ORDER BY day",
        )
        .bind(to)
        .fetch_all(&mut *self.conn)
        .await?
        {
            let d = line(&r)?;
            days.insert(d.day, d);
        }
        for r in sqlx::query(
            "WITH r AS (SELECT id, day, CAST(SUM(delta) OVER (ORDER BY id) AS BIGINT) AS run FROM seat_changes), \
             d AS (SELECT day, MAX(run) AS peak, MAX(id) AS last FROM r WHERE day <= $1 GROUP BY day) \
             SELECT d.day AS day, r.run AS active, d.peak AS peak, \
             COALESCE((SELECT s.seats FROM seat_changes s WHERE s.seats IS NOT NULL \
              AND s.id <= d.last ORDER BY s.id DESC LIMIT 1), 0) AS seats \
             FROM d JOIN r ON r.id = d.last ORDER BY d.day",
        )
        .bind(to)
        .fetch_all(&mut *self.conn)
        .await?
        {
            let mut d = line(&r)?;
            // A day both written before the migration and changed after it: its peak is the
            // higher of the two.
            if let Some(old) = days.get(&d.day) {
                d.peak = d.peak.max(old.peak);
            }
            days.insert(d.day, d);
        }
        let before = days.range(..from).next_back().map(|(_, d)| *d);
        Ok(before
            .into_iter()
            .chain(days.range(from..=to).map(|(_, d)| *d))
            .collect())
    }
}

//! The seat history (guest governance): seats in use per day. Every change of the seats
//! appends a row to `seat_changes` (`Db::take_seats`, `free_seats`, `set_seats`), so writers
//! share no row; scheduled work folds the changes of finished days into `seat_history`'s
//! lines (`Db::fold_seat_changes`), so neither the table nor a read grows with the years.
//! A day's line is its `seat_history` line, brought up to date by the changes still kept.

use std::collections::BTreeMap;

use crate::licenses::SeatDay;
use crate::rows;
use crate::{Backend, Db, Result};

/// The lines of the days of the changes up to `$1` (an id), from those changes alone. A day's
/// count after its last change is the running sum of the changes in the order they were
/// appended, its peak the highest running sum that day. That order is one the seats really
/// went through: a slot is claimed only after its freeing committed, and freed only after its
/// claim did, so each is appended after the other.
const CHANGE_LINES: &str =
    "WITH r AS (SELECT id, day, CAST(SUM(delta) OVER (ORDER BY id) AS BIGINT) AS run \
     FROM seat_changes WHERE id <= $1), \
     d AS (SELECT day, MAX(run) AS peak, MAX(id) AS last FROM r WHERE day <= $2 GROUP BY day) \
     SELECT d.day AS day, r.run AS active, d.peak AS peak, \
     COALESCE((SELECT s.seats FROM seat_changes s WHERE s.seats IS NOT NULL \
      AND s.id <= d.last ORDER BY s.id DESC LIMIT 1), 0) AS seats \
     FROM d JOIN r ON r.id = d.last ORDER BY d.day";

fn line(r: &sqlx::any::AnyRow) -> Result<SeatDay> {
    Ok(SeatDay {
        day: rows::get(r, "day")?,
        active: rows::get(r, "active")?,
        peak: rows::get(r, "peak")?,
        seats: rows::get(r, "seats")?,
    })
}

impl Db<'_> {
    /// The seat history's lines from `from` to `to` (days since the epoch, inclusive), in day
    /// order, with the last line before `from` first when there is one (the days up to the
    /// first change in the range had its count).
    pub async fn seat_history(&mut self, from: i64, to: i64) -> Result<Vec<SeatDay>> {
        // The changes first: a fold that commits between the two reads moves changes already
        // read into lines read after, which merge to the same line.
        let changed = self.change_lines(i64::MAX, to).await?;
        let mut days: BTreeMap<i64, SeatDay> = BTreeMap::new();
        // The range's lines and the last one before it, by the day's key: a read does not grow
        // with the years of history before the range.
        for r in sqlx::query(
            "SELECT day, active, peak, seats FROM seat_history WHERE day >= $1 AND day <= $2 \
             UNION ALL SELECT day, active, peak, seats FROM \
             (SELECT day, active, peak, seats FROM seat_history WHERE day < $1 \
              ORDER BY day DESC LIMIT 1) b",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&mut *self.conn)
        .await?
        {
            let d = line(&r)?;
            days.insert(d.day, d);
        }
        for mut d in changed {
            // A day whose earlier changes were folded into its line: its count is the one
            // after its last change, its peak the higher of the two parts'.
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

    /// Folds the seat changes of the days before `before_day` into `seat_history`: their days'
    /// lines are written (merged with a line already there), and the changes are replaced by
    /// one that carries their sum and the pool's size, so the running sum of those left is as
    /// before. Answers how many changes it removed. Scheduled work runs it once a day, on days
    /// that ended at least a day ago: no transaction still running appends to them.
    pub async fn fold_seat_changes(&mut self, before_day: i64) -> Result<u64> {
        let row = sqlx::query(
            "SELECT MAX(id) AS last, COUNT(*) AS n FROM seat_changes WHERE id <= \
             (SELECT MAX(id) FROM seat_changes WHERE day < $1)",
        )
        .bind(before_day)
        .fetch_one(&mut *self.conn)
        .await?;
        let (last, n): (Option<i64>, i64) = (rows::get(&row, "last")?, rows::get(&row, "n")?);
        let Some(last) = last.filter(|_| n > 1) else {
            // Nothing, or only the change that carries an earlier fold.
            return Ok(0);
        };
        for d in self.change_lines(last, i64::MAX).await? {
            self.merge_line(&d).await?;
        }
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(delta), 0) AS BIGINT) AS total, \
             (SELECT seats FROM seat_changes WHERE seats IS NOT NULL AND id <= $1 \
              ORDER BY id DESC LIMIT 1) AS seats \
             FROM seat_changes WHERE id <= $1",
        )
        .bind(last)
        .fetch_one(&mut *self.conn)
        .await?;
        let total: i64 = rows::get(&row, "total")?;
        let seats: Option<i64> = rows::get(&row, "seats")?;
        let removed = sqlx::query("DELETE FROM seat_changes WHERE id < $1")
            .bind(last)
            .execute(&mut *self.conn)
            .await?
            .rows_affected();
        sqlx::query("UPDATE seat_changes SET delta = $1, seats = $2 WHERE id = $3")
            .bind(total)
            .bind(seats)
            .bind(last)
            .execute(&mut *self.conn)
            .await?;
        Ok(removed)
    }

    /// [`CHANGE_LINES`]: the lines, up to day `to`, of the changes up to id `last`.
    async fn change_lines(&mut self, last: i64, to: i64) -> Result<Vec<SeatDay>> {
        sqlx::query(CHANGE_LINES)
            .bind(last)
            .bind(to)
            .fetch_all(&mut *self.conn)
            .await?
            .iter()
            .map(line)
            .collect()
    }

    /// Writes a day's line: its count and size as given, its peak the higher of the two.
    async fn merge_line(&mut self, d: &SeatDay) -> Result<()> {
        let higher = match self.backend {
            Backend::Postgres => "GREATEST",
            Backend::Sqlite => "MAX",
        };
        sqlx::query(&format!(
            "INSERT INTO seat_history (day, active, peak, seats) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (day) DO UPDATE SET active = excluded.active, \
             peak = {higher}(seat_history.peak, excluded.peak), seats = excluded.seats"
        ))
        .bind(d.day)
        .bind(d.active)
        .bind(d.peak)
        .bind(d.seats)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }
}

//! The external license pool: the one place seats are taken and freed (SPEC sections 3, 10).

use portico_domain::{LicensePool, SeatCount};

use crate::rows;
use crate::{Db, Result, StoreError};

impl Db<'_> {
    /// Creates the pool with `seats` if it does not exist yet.
    pub async fn init_pool(&mut self, seats: SeatCount) -> Result<()> {
        sqlx::query(
            "INSERT INTO license_pool (id, seats, active) VALUES (1, $1, 0) ON CONFLICT (id) DO NOTHING",
        )
        .bind(i64::from(seats.get()))
        .execute(&mut *self.conn)
        .await?;
        Ok(())
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
            Ok(())
        } else {
            Err(StoreError::NoSeat)
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
            Ok(())
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
        Ok(done.rows_affected() == 1)
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

//! What an operator watches (SPEC section 11, Operations): whether the database answers, and
//! the figures `/metrics` shows beside the request counters.

use crate::{Portico, ServiceResult};

/// Figures read from the database for one scrape.
#[derive(Debug, Clone, Default)]
pub struct Gauges {
    /// External license seats bought.
    pub seats_total: u64,
    /// External license seats in use.
    pub seats_active: u64,
    /// Emails by status (`pending`, `sent`, `failed`).
    pub emails: Vec<(String, i64)>,
}

impl Portico {
    /// Whether the database answers (`/readyz`).
    pub async fn ready(&self) -> ServiceResult<()> {
        Ok(self.store.ping().await?)
    }

    /// The license pool and the outbox, as counted now (`/metrics`). Not per caller: these are
    /// counts without names, for the operator's monitoring.
    pub async fn gauges(&self) -> ServiceResult<Gauges> {
        let mut reader = self.store.read().await?;
        let mut db = reader.db();
        let pool = db.pool().await?;
        Ok(Gauges {
            seats_total: u64::from(pool.seats.get()),
            seats_active: u64::from(pool.active),
            emails: db.email_counts().await?,
        })
    }
}

//! SQL from outside the store, behind the `raw-sql` feature: the bench's hand-written
//! baselines and tests that set up what no use case makes (a dropped table, an old schema).
//! The product never enables the feature, so in `portico` only the store's own API reaches
//! the database ("only the store knows SQL"; `crates/portico/tests/architecture.rs` checks
//! who enables it).

use crate::{Result, Store, Tx};

impl Store {
    /// Runs a statement without parameters outside any use case.
    pub async fn execute_raw(&self, sql: &str) -> Result<()> {
        self.execute_unbound(sql).await
    }
}

impl Tx {
    /// Runs one statement with text parameters inside the transaction.
    pub async fn raw(&mut self, sql: &str, params: &[&str]) -> Result<u64> {
        let mut q = sqlx::query(sql);
        for p in params {
            q = q.bind(*p);
        }
        Ok(q.execute(&mut *self.tx).await?.rows_affected())
    }
}

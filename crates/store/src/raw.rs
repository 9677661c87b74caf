//! SQL from outside the store, behind the `raw-sql` feature: the bench's hand-written
//! baselines, tests that set up what no use case makes (a dropped table, an old schema), and
//! the query-plan test's `explain`. The product never enables the feature, so in `portico`
//! only the store's own API reaches the database ("only the store knows SQL";
//! `crates/portico/tests/sql_boundary.rs` checks who enables it).

use sqlx::{Executor, Row};

use crate::{Backend, Result, Store, Tx};

impl Store {
    /// Runs a statement without parameters outside any use case.
    pub async fn execute_raw(&self, sql: &str) -> Result<()> {
        self.execute_unbound(sql).await
    }

    /// The database's plan for `sql` (text), with `args` bound to its placeholders. On
    /// PostgreSQL sequential scans are discouraged first, so that the answer says whether an
    /// index *can* serve the query even on a table too small for the planner to bother; and
    /// the generic plan follows (after a line `-- generic plan`), the one a prepared statement
    /// switches to after five runs, planned without the values.
    pub async fn explain(&self, sql: &str, args: &[String]) -> Result<String> {
        let custom = self.explain_with_values(sql, args).await?;
        if self.backend == Backend::Sqlite {
            return Ok(custom);
        }
        let mut tx = self.pool.begin().await?;
        (&mut *tx).execute("SET LOCAL enable_seqscan = off").await?;
        (&mut *tx)
            .execute("SET LOCAL plan_cache_mode = force_generic_plan")
            .await?;
        (&mut *tx)
            .execute(format!("PREPARE portico_explained AS {sql}").as_str())
            .await?;
        let values: Vec<String> = args
            .iter()
            .map(|a| format!("'{}'", a.replace('\'', "''")))
            .collect();
        let call = if values.is_empty() {
            String::new()
        } else {
            format!("({})", values.join(", "))
        };
        let rows = sqlx::query(&format!("EXPLAIN EXECUTE portico_explained{call}"))
            .fetch_all(&mut *tx)
            .await?;
        let mut lines = vec![custom, "-- generic plan".to_string()];
        for row in rows {
            lines.push(row.try_get(0)?);
        }
        (&mut *tx).execute("DEALLOCATE portico_explained").await?;
        tx.rollback().await?;
        Ok(lines.join("\n"))
    }

    async fn explain_with_values(&self, sql: &str, args: &[String]) -> Result<String> {
        let mut tx = self.pool.begin().await?;
        let explain = match self.backend {
            Backend::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
            Backend::Postgres => {
                (&mut *tx).execute("SET LOCAL enable_seqscan = off").await?;
                format!("EXPLAIN {sql}")
            }
        };
        let mut q = sqlx::query(&explain);
        for a in args {
            q = q.bind(a.as_str());
        }
        let rows = q.fetch_all(&mut *tx).await?;
        let mut lines = vec![];
        for row in rows {
            let line: String = match self.backend {
                Backend::Sqlite => row.try_get("detail")?,
                Backend::Postgres => row.try_get(0)?,
            };
            lines.push(line);
        }
        tx.rollback().await?;
        Ok(lines.join("\n"))
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

    /// The first column of each row of `sql` (text), inside the transaction: what a test
    /// checks that no use case reads.
    pub async fn raw_texts(&mut self, sql: &str) -> Result<Vec<String>> {
        let rows = sqlx::query(sql).fetch_all(&mut *self.tx).await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>(0).map_err(Into::into))
            .collect()
    }
}

//! The lookups the collaboration rules make on every action, with the index each must use, and
//! a way to ask the database how it runs a query. The query-plan test walks this list on both
//! backends, so a lookup that starts scanning a table fails a test instead of a customer.

use sqlx::{Executor, Row};

use crate::{records, tasks, users, Backend, Result, Store};

/// A lookup: its name, its SQL (as the store runs it), and the index that must serve it.
pub struct Lookup {
    /// What it decides.
    pub name: &'static str,
    /// Its SQL.
    pub sql: String,
    /// How many `$n` parameters it has.
    pub params: usize,
    /// The indexes (or primary key) of which the plan must use one.
    pub indexes: &'static [&'static str],
}

/// Every per-action lookup of the rules.
pub fn rule_lookups() -> Vec<Lookup> {
    vec![
        Lookup {
            name: "any other Active assignment of the user (C3)",
            sql: records::OTHER_ACTIVE_ASSIGNMENTS.to_string(),
            params: 2,
            indexes: &["assignments_user_activity"],
        },
        Lookup {
            name: "Active assignments on the record",
            sql: records::ACTIVE_ASSIGNMENTS_ON.to_string(),
            params: 1,
            indexes: &["assignments_record", "assignments_one_active"],
        },
        Lookup {
            name: "user with the person's exact details (C2 step 1)",
            sql: users::matching_user_sql(""),
            params: 3,
            indexes: &["users_email"],
        },
        Lookup {
            name: "open tasks of the user on the record",
            sql: tasks::OPEN_TASKS.to_string(),
            params: 2,
            indexes: &["tasks_record", "tasks_assignee"],
        },
        Lookup {
            name: "role of the user on the record",
            sql: records::HAS_ROLE.to_string(),
            params: 3,
            indexes: &["sharing"],
        },
    ]
}

impl Store {
    /// The database's plan for `sql` (text), with `params` placeholder values bound. On
    /// PostgreSQL sequential scans are discouraged first, so that the answer says whether an
    /// index *can* serve the query even on a table too small for the planner to bother.
    pub async fn explain(&self, sql: &str, params: usize) -> Result<String> {
        let mut tx = self.pool.begin().await?;
        let explain = match self.backend {
            Backend::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
            Backend::Postgres => {
                (&mut *tx).execute("SET LOCAL enable_seqscan = off").await?;
                format!("EXPLAIN {sql}")
            }
        };
        let mut q = sqlx::query(&explain);
        for _ in 0..params {
            q = q.bind("x");
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

impl Store {
    /// Runs a statement outside any use case (test set-up and admin tasks).
    pub async fn execute_raw(&self, sql: &str) -> Result<()> {
        self.pool.execute(sql).await?;
        Ok(())
    }
}

//! Statements built at run time: multi-row inserts, `IN (…)` lists and optional filters. [`Sql`]
//! is the one place that writes placeholders (`?` on SQLite, `$n` on PostgreSQL) for a
//! statement whose values are not known when the code is written. Batching is what makes bulk
//! work cheap: one statement for many rows costs little more than one statement for one row,
//! whichever backend runs it.

use sqlx::any::AnyRow;

use crate::{Backend, Db, Result};

/// A value bound to a statement.
#[derive(Debug, Clone)]
pub(crate) enum V {
    /// Text.
    T(String),
    /// A number.
    I(i64),
    /// A NULL text.
    N,
    /// A NULL number.
    NI,
}

impl V {
    pub(crate) fn opt(v: Option<&str>) -> V {
        v.map_or(V::N, |s| V::T(s.to_string()))
    }

    pub(crate) fn t(v: impl Into<String>) -> V {
        V::T(v.into())
    }
}

/// SQL text and its values, numbered as the backend wants them.
pub(crate) struct Sql {
    backend: Backend,
    text: String,
    values: Vec<V>,
    /// Conditions added by [`Sql::and`] so far (the first opens the `WHERE`).
    conditions: usize,
}

impl Sql {
    pub(crate) fn new(backend: Backend, text: &str) -> Sql {
        Sql {
            backend,
            text: text.to_string(),
            values: Vec::new(),
            conditions: 0,
        }
    }

    /// Appends `text`, binding `values` in order where it holds `{}`.
    pub(crate) fn push_with(
        &mut self,
        text: &str,
        values: impl IntoIterator<Item = V>,
    ) -> &mut Sql {
        let mut parts = text.split("{}");
        if let Some(first) = parts.next() {
            self.push(first);
        }
        for (part, v) in parts.zip(values) {
            self.bind(v).push(part);
        }
        self
    }

    /// Adds a condition: ` WHERE cond` the first time, ` AND cond` after; `cond` holds `{}`
    /// where each of `values` goes.
    pub(crate) fn and(&mut self, cond: &str, values: impl IntoIterator<Item = V>) -> &mut Sql {
        self.push(if self.conditions == 0 {
            " WHERE "
        } else {
            " AND "
        });
        self.conditions += 1;
        self.push_with(cond, values)
    }

    /// Adds `column = value` when `value` is given (an optional filter).
    pub(crate) fn and_eq(&mut self, column: &str, value: Option<&str>) -> &mut Sql {
        match value {
            Some(v) => self.and(&format!("{column} = {{}}"), [V::t(v)]),
            None => self,
        }
    }

    /// Appends a page: ` LIMIT limit OFFSET offset`.
    pub(crate) fn page(&mut self, limit: i64, offset: i64) -> &mut Sql {
        self.push(&format!(" LIMIT {limit} OFFSET {offset}"))
    }

    /// Appends SQL text.
    pub(crate) fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `v`. SQLite gets positional `?`: it looks `$N` names up one
    /// by one while parsing, which is quadratic with thousands of values in a statement.
    pub(crate) fn bind(&mut self, v: V) -> &mut Sql {
        self.values.push(v);
        match self.backend {
            Backend::Sqlite => self.text.push('?'),
            Backend::Postgres => {
                self.text.push('$');
                self.text.push_str(&self.values.len().to_string());
            }
        }
        self
    }

    /// Appends `v1, v2, …`.
    pub(crate) fn list(&mut self, vs: impl IntoIterator<Item = V>) -> &mut Sql {
        for (i, v) in vs.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(v);
        }
        self
    }

    /// The SQL text with its placeholders.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The values bound, as text (for the query-plan test's `EXPLAIN`).
    pub(crate) fn texts(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|v| match v {
                V::T(s) => s.clone(),
                V::I(i) => i.to_string(),
                V::N | V::NI => String::new(),
            })
            .collect()
    }

    fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for v in &self.values {
            q = match v {
                V::T(s) => q.bind(s.as_str()),
                V::I(i) => q.bind(*i),
                V::N => q.bind(None::<String>),
                V::NI => q.bind(None::<i64>),
            };
        }
        q
    }

    /// Runs it; answers the rows it changed.
    pub(crate) async fn execute(&self, db: &mut Db<'_>) -> Result<u64> {
        Ok(self.query().execute(&mut *db.conn).await?.rows_affected())
    }

    /// Runs it; answers its rows.
    pub(crate) async fn fetch_all(&self, db: &mut Db<'_>) -> Result<Vec<AnyRow>> {
        Ok(self.query().fetch_all(&mut *db.conn).await?)
    }
}

/// The ids of a slice as text, for an `IN (…)` list.
pub(crate) fn strs<T: AsRef<str>>(ids: &[T]) -> Vec<&str> {
    ids.iter().map(AsRef::as_ref).collect()
}

/// Most values one statement binds (SQLite allows 32 766, PostgreSQL 65 535).
fn max_values(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 30_000,
        Backend::Postgres => 60_000,
    }
}

/// Most ids one `IN (…)` list takes; longer lists are split.
pub(crate) const IN_CHUNK: usize = 1000;

impl Db<'_> {
    /// Inserts `rows` into `table`, as few statements as the backend's limit on values allows.
    pub(crate) async fn insert_rows(
        &mut self,
        table: &str,
        cols: &[&str],
        rows: Vec<Vec<V>>,
    ) -> Result<()> {
        let per_stmt = (max_values(self.backend) / cols.len().max(1)).clamp(1, 2000);
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            insert_sql(self.backend, table, cols, rows.by_ref().take(per_stmt))
                .execute(self)
                .await?;
        }
        Ok(())
    }

    /// Runs `head IN (ids) tail` for the ids, in chunks, binding `fixed` first; answers the
    /// rows changed. `head` ends with the column, e.g. `UPDATE users SET status = ? WHERE id`.
    pub(crate) async fn execute_in(
        &mut self,
        head: &str,
        fixed: &[V],
        ids: &[&str],
        tail: &str,
    ) -> Result<u64> {
        let mut changed = 0;
        for chunk in ids.chunks(IN_CHUNK) {
            let sql = self.in_sql(head, fixed, chunk, tail);
            changed += sql.execute(self).await?;
        }
        Ok(changed)
    }

    /// The rows of `head IN (ids) tail`, in chunks.
    pub(crate) async fn fetch_in(
        &mut self,
        head: &str,
        fixed: &[V],
        ids: &[&str],
        tail: &str,
    ) -> Result<Vec<AnyRow>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(IN_CHUNK) {
            let sql = self.in_sql(head, fixed, chunk, tail);
            out.extend(sql.fetch_all(self).await?);
        }
        Ok(out)
    }

    fn in_sql(&self, head: &str, fixed: &[V], ids: &[&str], tail: &str) -> Sql {
        in_sql(self.backend, head, fixed, ids, tail)
    }
}

/// `INSERT INTO table (cols) VALUES (…), (…)` for `rows`.
fn insert_sql(
    backend: Backend,
    table: &str,
    cols: &[&str],
    rows: impl IntoIterator<Item = Vec<V>>,
) -> Sql {
    let mut sql = Sql::new(
        backend,
        &format!("INSERT INTO {table} ({}) VALUES ", cols.join(", ")),
    );
    for (i, row) in rows.into_iter().enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" });
        sql.list(row).push(")");
    }
    sql
}

/// `head IN (ids) tail`, with `fixed` bound where `head` holds `{}`. The list is padded to
/// the next power of two (at most [`IN_CHUNK`]) by repeating its last id, which changes no
/// answer: the same statement then serves lists of many lengths, so a connection keeps a few
/// of them prepared instead of preparing one for each length it meets (a bulk action of 500
/// records prepared about 30 statements anew, README "Scale-out and capacity").
pub(crate) fn in_sql(backend: Backend, head: &str, fixed: &[V], ids: &[&str], tail: &str) -> Sql {
    let padded = ids
        .len()
        .checked_next_power_of_two()
        .unwrap_or(IN_CHUNK)
        .min(IN_CHUNK)
        .max(ids.len());
    let pad = ids.last().into_iter().cycle().take(padded - ids.len());
    let mut sql = Sql::new(backend, "");
    sql.push_with(head, fixed.iter().cloned())
        .push(" IN (")
        .list(ids.iter().chain(pad).map(|s| V::t(*s)))
        .push(")")
        .push(tail);
    sql
}

impl Db<'_> {
    /// Inserts `rows`, skipping those that collide with an existing row on `key`.
    pub(crate) async fn insert_rows_ignoring_existing(
        &mut self,
        table: &str,
        cols: &[&str],
        rows: Vec<Vec<V>>,
        key: &str,
    ) -> Result<()> {
        for chunk in rows.chunks(IN_CHUNK) {
            let mut sql = insert_sql(self.backend, table, cols, chunk.iter().cloned());
            sql.push(&format!(" ON CONFLICT ({key}) DO NOTHING"));
            sql.execute(self).await?;
        }
        Ok(())
    }

    /// Sets `col` of each row `ids[i]` of `table` to `values[i]`, one statement per chunk.
    pub(crate) async fn set_by_id(
        &mut self,
        table: &str,
        col: &str,
        ids: &[String],
        values: &[String],
    ) -> Result<()> {
        let rows: Vec<(V, Vec<V>)> = ids
            .iter()
            .zip(values)
            .map(|(id, value)| (V::t(id.as_str()), vec![V::t(value.as_str())]))
            .collect();
        self.set_by_key(table, "id", &[col], &rows, "").await?;
        Ok(())
    }

    /// Sets `cols` of each row whose `key` is `rows[i].0` to `rows[i].1`, one statement per
    /// chunk: `UPDATE table SET c = CASE key WHEN k THEN v … END, … WHERE key IN (…)` and
    /// `also` (more conditions). A chunk is padded like an IN list (its last row repeated,
    /// which sets nothing twice differently), so one statement serves many lengths. Answers
    /// the rows changed.
    pub(crate) async fn set_by_key(
        &mut self,
        table: &str,
        key: &str,
        cols: &[&str],
        rows: &[(V, Vec<V>)],
        also: &str,
    ) -> Result<u64> {
        let most = (IN_CHUNK / 2 / cols.len().max(1)).max(1);
        let mut changed = 0;
        for chunk in rows.chunks(most) {
            let padded = chunk
                .len()
                .checked_next_power_of_two()
                .unwrap_or(most)
                .min(most)
                .max(chunk.len());
            let pad = chunk.last().into_iter().cycle().take(padded - chunk.len());
            let rows: Vec<&(V, Vec<V>)> = chunk.iter().chain(pad).collect();
            let mut sql = Sql::new(self.backend, &format!("UPDATE {table} SET "));
            for (c, col) in cols.iter().enumerate() {
                sql.push(if c == 0 { "" } else { ", " })
                    .push(&format!("{col} = CASE {key}"));
                for (k, values) in &rows {
                    sql.push(" WHEN ")
                        .bind(k.clone())
                        .push(" THEN ")
                        .bind(values[c].clone());
                }
                sql.push(" END");
            }
            sql.push(&format!(" WHERE {key} IN ("))
                .list(rows.iter().map(|(k, _)| k.clone()))
                .push(")")
                .push(also);
            changed += sql.execute(self).await?;
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filtered(backend: Backend) -> Sql {
        let mut sql = Sql::new(backend, "SELECT id FROM t");
        sql.and_eq("a", Some("x"))
            .and_eq("b", None)
            .and("c IN (", [])
            .list([V::t("y"), V::t("z")])
            .push(")")
            .and("d = {} OR e = {}", [V::I(1), V::t("w")])
            .push(" ORDER BY id")
            .page(20, 40);
        sql
    }

    #[test]
    fn placeholders_are_numbered_as_each_backend_wants_them() {
        let pg = filtered(Backend::Postgres);
        assert_eq!(
            pg.text(),
            "SELECT id FROM t WHERE a = $1 AND c IN ($2, $3) AND d = $4 OR e = $5 ORDER BY id LIMIT 20 OFFSET 40"
        );
        assert_eq!(pg.texts(), ["x", "y", "z", "1", "w"]);
        assert_eq!(
            filtered(Backend::Sqlite).text(),
            "SELECT id FROM t WHERE a = ? AND c IN (?, ?) AND d = ? OR e = ? ORDER BY id LIMIT 20 OFFSET 40"
        );
    }

    #[test]
    fn no_condition_is_no_where() {
        let mut sql = Sql::new(Backend::Postgres, "SELECT id FROM t");
        sql.and_eq("a", None).page(1, 0);
        assert_eq!(sql.text(), "SELECT id FROM t LIMIT 1 OFFSET 0");
        assert!(sql.texts().is_empty());
    }

    #[test]
    fn an_in_list_binds_its_fixed_values_first() {
        let sql = in_sql(
            Backend::Postgres,
            "SELECT 1 FROM s WHERE role = {} AND record_id",
            &[V::t("r")],
            &["a", "b"],
            " ORDER BY 1",
        );
        assert_eq!(
            sql.text(),
            "SELECT 1 FROM s WHERE role = $1 AND record_id IN ($2, $3) ORDER BY 1"
        );
        assert_eq!(sql.texts(), ["r", "a", "b"]);
    }

    #[test]
    fn an_in_list_is_padded_to_a_power_of_two_with_its_last_id() {
        let list = |n: usize| -> Vec<String> { (0..n).map(|i| format!("i{i}")).collect() };
        let placeholders = |ids: &[String]| {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            in_sql(Backend::Postgres, "SELECT 1 FROM t WHERE id", &[], &ids, "").texts()
        };
        assert_eq!(placeholders(&list(3)), ["i0", "i1", "i2", "i2"]);
        assert_eq!(placeholders(&list(1)), ["i0"]);
        assert_eq!(placeholders(&list(0)), Vec::<String>::new());
        for (n, padded) in [(5, 8), (8, 8), (500, 512), (513, 1000), (1000, 1000)] {
            let got = placeholders(&list(n));
            assert_eq!(got.len(), padded, "{n} ids");
            assert!(
                got[n..].iter().all(|v| *v == format!("i{}", n - 1)),
                "{n} ids"
            );
        }
    }
}

//! What a database holds at rest, row by row as text: to show that no live secret (a session,
//! a set-password link, a SCIM token, a signing grant, a nonce) is stored in clear in any table.

use sqlx::Connection;

use super::{Backend, TestApp};

/// Every row of every table of `app`'s database as text, with its table.
pub async fn rows(app: &TestApp) -> Vec<(String, String)> {
    let mut out = Vec::new();
    match app.backend {
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&app.database_url)
                .await
                .unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            assert!(tables.len() > 20, "{tables:?}");
            for t in tables {
                let rows: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT r::text FROM \"{t}\" r"))
                        .fetch_all(&mut conn)
                        .await
                        .unwrap();
                out.extend(rows.into_iter().map(|r| (t.clone(), r)));
            }
        }
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&app.database_url)
                .await
                .unwrap();
            let tables: Vec<String> =
                sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
            assert!(tables.len() > 20, "{tables:?}");
            for t in tables {
                let columns: Vec<String> =
                    sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                        .bind(&t)
                        .fetch_all(&mut conn)
                        .await
                        .unwrap();
                for c in columns {
                    // As bytes: a column may hold anything SQLite stores.
                    let values: Vec<Option<Vec<u8>>> =
                        sqlx::query_scalar(&format!("SELECT CAST(\"{c}\" AS BLOB) FROM \"{t}\""))
                            .fetch_all(&mut conn)
                            .await
                            .unwrap();
                    out.extend(
                        values
                            .into_iter()
                            .flatten()
                            .map(|v| (t.clone(), String::from_utf8_lossy(&v).into_owned())),
                    );
                }
            }
        }
    }
    out
}

/// The `(table, secret)` pairs where one of `secrets` is stored in clear.
pub async fn secrets_in_clear(app: &TestApp, secrets: &[&str]) -> Vec<(String, String)> {
    for s in secrets {
        assert!(s.len() >= 16, "not a secret worth looking for: {s:?}");
    }
    let mut found = Vec::new();
    for (table, row) in rows(app).await {
        for s in secrets {
            if row.contains(s) {
                found.push((table.clone(), (*s).to_string()));
            }
        }
    }
    found
}

/// How Portico stores a token: the hex SHA-256 of it.
pub fn hashed(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

/// The tables holding `text` (to show that the reading sees a secret's hash where it belongs).
pub async fn tables_holding(app: &TestApp, text: &str) -> Vec<String> {
    let mut tables: Vec<String> = rows(app)
        .await
        .into_iter()
        .filter(|(_, row)| row.contains(text))
        .map(|(t, _)| t)
        .collect();
    tables.sort();
    tables.dedup();
    tables
}

//! Fresh stores for the store's own tests: a SQLite file, or a schema of its own in the
//! tests' PostgreSQL server.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use portico_domain::model::{LicenseType, SecurityProfile, UserStatus};
use portico_domain::{EmailAddress, UserId};
use portico_store::{internal_user, NewUserRow, Store};

/// A migrated SQLite store in `dir`.
pub async fn sqlite(dir: &tempfile::TempDir, name: &str) -> Store {
    let store = Store::create_or_connect(&format!("sqlite://{}/{name}.db", dir.path().display()))
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    store
}

/// A migrated store in a new schema of the tests' PostgreSQL server; `None` (with a line
/// saying why) when none is configured.
pub async fn postgres() -> Option<Store> {
    postgres_url().await.map(|(store, _)| store)
}

/// [`postgres`], with the URL that connects to its schema (for a second pool, as a second
/// server would have).
pub async fn postgres_url() -> Option<(Store, String)> {
    let (store, url) = unmigrated_postgres().await?;
    store.migrate().await.expect("migrate");
    Some((store, url))
}

/// A new, empty schema of the tests' PostgreSQL server, not migrated (for a test that runs
/// some of the migrations itself), with the URL that connects to it.
pub async fn unmigrated_postgres() -> Option<(Store, String)> {
    let url = match std::env::var("PORTICO_TEST_POSTGRES_URL") {
        Ok(url) => url,
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
            "postgres://postgres@127.0.0.1:5432/test".into()
        }
        Err(_) => {
            eprintln!(
                "skipping PostgreSQL tests: set PORTICO_TEST_POSTGRES_URL (or CI=true) to run them"
            );
            return None;
        }
    };
    let schema = format!("pt_{}", uuid::Uuid::now_v7().simple());
    let admin = Store::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {url} cannot be reached: {e}"));
    admin
        .execute_raw(&format!("CREATE SCHEMA {schema}"))
        .await
        .expect("schema");
    let sep = if url.contains('?') { '&' } else { '?' };
    let url = format!("{url}{sep}options=-c%20search_path%3D{schema}");
    let store = Store::connect(&url).await.expect("connect");
    Some((store, url))
}

/// The system administrator every seeded company starts with.
pub async fn admin(store: &Store) {
    let mut tx = store.write().await.expect("write");
    let admin = internal_user(
        UserId::new("usr_admin"),
        "admin",
        "Ada",
        "Admin",
        EmailAddress::parse("admin@example.com").expect("email"),
        SecurityProfile::SystemAdmin,
    );
    tx.db()
        .insert_user(
            &NewUserRow {
                user: admin,
                language: "en".into(),
                password_hash: None,
            },
            0,
        )
        .await
        .expect("admin");
    tx.commit().await.expect("commit");
}

/// External users `usr_ext<i>` (the number as `id` writes it) for `i` in `0..n`, with
/// `status`, as rows to insert.
pub fn external_rows(
    n: usize,
    status: UserStatus,
    id: impl Fn(usize) -> String,
) -> Vec<NewUserRow> {
    (0..n)
        .map(|i| {
            let mut user = internal_user(
                UserId::new(format!("usr_ext{}", id(i))),
                &format!("ext{i}"),
                "Ext",
                "Ernal",
                EmailAddress::parse(&format!("ext{i}@example.com")).expect("email"),
                SecurityProfile::ExternalCollaborator,
            );
            user.license = LicenseType::External;
            user.status = status;
            NewUserRow {
                user,
                language: "en".into(),
                password_hash: None,
            }
        })
        .collect()
}

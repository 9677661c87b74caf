#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Opening a SQLite database: a missing file is an error unless asked to create it, and every
//! connection syncs each commit (`synchronous = FULL`), so a committed change and its audit
//! entry survive a power cut.

use portico_store::{Store, StoreError};

#[tokio::test]
async fn a_missing_sqlite_file_is_refused_unless_created() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("sub").join("p.db");
    let url = format!("sqlite://{}", file.display());
    match Store::connect(&url).await {
        Err(StoreError::Missing(path)) => assert_eq!(path, file.display().to_string()),
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a missing database was opened"),
    }
    assert!(!file.exists() && !file.parent().unwrap().exists());
    let store = Store::create_or_connect(&url).await.expect("created");
    store.close().await;
    assert!(file.exists());
    Store::connect(&url).await.expect("an existing file opens");
}

#[tokio::test]
async fn an_in_memory_database_needs_no_file() {
    Store::connect("sqlite::memory:").await.expect("in memory");
}

#[tokio::test]
async fn every_sqlite_connection_syncs_each_commit() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = Store::create_or_connect(&format!("sqlite://{}/s.db", dir.path().display()))
        .await
        .expect("created");
    assert_eq!(
        store.sqlite_synchronous().await.expect("pragma"),
        Some(2),
        "FULL"
    );
}

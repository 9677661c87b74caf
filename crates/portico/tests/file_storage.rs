//! Files in shared object storage (SPEC section 11, `PORTICO_STORAGE_URL=s3://…`), against a
//! real S3-compatible server that the test command starts (moto's server mode): a file
//! uploaded through one server downloads through another, and a lost object is an error,
//! never an empty file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use support::TestApp;

/// The bucket of the tests' S3 server (`PORTICO_TEST_S3_BUCKET`, with the `AWS_*` variables
/// naming the server); `None` (said once) where none runs. Under CI it must run.
fn bucket() -> Option<String> {
    match std::env::var("PORTICO_TEST_S3_BUCKET") {
        Ok(b) => Some(b),
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI runs the S3 tests: the test command sets PORTICO_TEST_S3_BUCKET")
        }
        Err(_) => {
            eprintln!("skipping the S3 tests: run ./scripts/test.sh, which starts an S3 server");
            None
        }
    }
}

/// A server on `database` (a fresh one when `None`) whose files go to `storage`.
async fn server(
    backend: support::Backend,
    storage: &str,
    database: Option<&str>,
) -> Option<TestApp> {
    let storage = storage.to_string();
    let database = database.map(str::to_string);
    TestApp::spawn_on(backend, database, move |s| {
        s.storage_url = Some(storage);
    })
    .await
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde";

async fn upload(app: &TestApp, record: &str, bytes: &[u8], name: &str) -> Value {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes.to_vec())
            .file_name(name.to_string())
            .mime_str("image/png")
            .unwrap(),
    );
    let res = app
        .client
        .post(format!(
            "{}/api/v1/vobjects/car__v/{record}/files",
            app.base
        ))
        .bearer_auth(&app.admin)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["data"].clone()
}

async fn download(app: &TestApp, file: &str) -> (StatusCode, Vec<u8>) {
    let res = app
        .client
        .get(format!("{}/api/v1/files/{file}", app.base))
        .bearer_auth(&app.admin)
        .send()
        .await
        .unwrap();
    (res.status(), res.bytes().await.unwrap().to_vec())
}

async fn a_file_uploaded_on_one_server_downloads_on_another(backend: support::Backend) {
    let Some(bucket) = bucket() else { return };
    let prefix = format!("t{}", uuid::Uuid::now_v7().simple());
    let storage = format!("s3://{bucket}/{prefix}");
    let Some(a) = server(backend, &storage, None).await else {
        return;
    };
    let acme = a.org("Acme").await;
    let scar = a.record("car__v", "SCAR-S3", &acme, &[]).await;
    let file = upload(&a, &scar, PNG, "photo.png").await;
    let id = file["id"].as_str().unwrap();

    // Another server on the same database, with a data folder of its own.
    let b = server(backend, &storage, Some(&a.database_url))
        .await
        .unwrap();
    let (status, bytes) = download(&b, id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PNG);
    assert_ne!(a.data_dir(), b.data_dir());
    assert!(
        !a.data_dir().join("files").exists()
            || std::fs::read_dir(a.data_dir().join("files"))
                .unwrap()
                .next()
                .is_none(),
        "nothing was kept on the first server's disk"
    );

    // The same content uploaded on the second server is kept once, under the same key.
    let again = upload(&b, &scar, PNG, "again.png").await;
    assert_eq!(again["sha256"], file["sha256"]);

    // A lost object is an error that says so (logged), never an empty file.
    let blobs = portico_store::Blobs::open(&storage).unwrap();
    blobs
        .delete(file["sha256"].as_str().unwrap())
        .await
        .unwrap();
    let (status, body) = download(&a, id).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["errors"][0]["type"], "INTERNAL_ERROR");
    let listed = a
        .ok(
            Method::GET,
            &a.admin,
            &format!("/api/v1/vobjects/car__v/{scar}/files"),
            None,
        )
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
}
per_backend!(
    shared_files,
    a_file_uploaded_on_one_server_downloads_on_another
);

/// The storage URL is checked at start: a typo stops the server with what works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_storage_url_stops_the_start() {
    for bad in [
        "s3:/bucket",
        "file://relative/folder",
        "gs://bucket",
        "s3://",
    ] {
        let error = portico_store::Blobs::open(bad).expect_err(bad).to_string();
        assert!(
            error.contains("use file:///absolute/folder or s3://bucket"),
            "{bad}: {error}"
        );
    }
}

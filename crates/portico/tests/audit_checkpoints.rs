//! Signed audit checkpoints (issue 16, SPEC section 11 "Audit checkpoints"). The attack they
//! answer: a writer of the database changes an entry and recomputes every hash after it and
//! the head, and the chain alone still verifies. A checkpoint signed with a key outside the
//! database, kept elsewhere, catches that rewrite and names the entry; it catches entries
//! removed at the end too; a forged checkpoint is refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use portico_store::{chain_hash, AuditFilter};
use reqwest::Method;
use serde_json::Value;
use support::TestApp;

/// Runs the `portico` binary on the test server's database and data folder.
fn portico(app: &TestApp, args: &[&str]) -> Output {
    let data_dir = app.data_dir();
    std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .args(["--database-url", &app.database_url])
        .arg("--data-dir")
        .arg(&data_dir)
        .env_remove("PORTICO_AUDIT_KEY")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Writes `n` organizations (an audit entry each) and seals them.
async fn write_entries(app: &TestApp, n: usize) {
    for i in 0..n {
        app.org(&format!("Supplier {i}")).await;
    }
    let report = app
        .ok(Method::GET, &app.admin, "/api/v1/audit/verify", None)
        .await;
    assert_eq!(report["intact"], true, "{report}");
}

/// `portico audit checkpoint --out FILE`: the file it wrote.
fn checkpoint(app: &TestApp) -> PathBuf {
    let file = app.data_dir().join(format!(
        "kept-elsewhere-{}.json",
        uuid::Uuid::now_v7().simple()
    ));
    let out = portico(
        app,
        &["audit", "checkpoint", "--out", file.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stdout(&out));
    file
}

fn verify(app: &TestApp, checkpoint: Option<&Path>) -> Output {
    match checkpoint {
        Some(file) => portico(
            app,
            &["audit", "verify", "--checkpoint", file.to_str().unwrap()],
        ),
        None => portico(app, &["audit", "verify"]),
    }
}

/// The attack: the entry at `place` in the chain gets another actor, and every hash from it
/// on and the head are recomputed as the sealer would have. Answers the entry's `seq`.
async fn rewrite_consistently(app: &TestApp, place: i64) -> i64 {
    let store = app.running.app.store();
    let rows = store
        .read()
        .await
        .unwrap()
        .db()
        .audit_entries_between(&AuditFilter::default(), 0, i64::MAX, 100_000)
        .await
        .unwrap();
    let mut tx = store.write().await.unwrap();
    let mut prev = "genesis".to_string();
    let mut target = None;
    for mut row in rows {
        let at = row.chain_seq.unwrap();
        if at == place {
            row.entry.actor = Some("usr_someone_else".into());
            tx.raw(
                &format!(
                    "UPDATE audit_trail SET actor_id = $1 WHERE seq = {}",
                    row.seq
                ),
                &["usr_someone_else"],
            )
            .await
            .unwrap();
            target = Some(row.seq);
        }
        let hash = chain_hash(&prev, &row.entry);
        if at >= place {
            tx.raw(
                &format!(
                    "UPDATE audit_trail SET prev_hash = $1, hash = $2 WHERE seq = {}",
                    row.seq
                ),
                &[&prev, &hash],
            )
            .await
            .unwrap();
        }
        prev = hash;
    }
    tx.raw("UPDATE audit_head SET hash = $1 WHERE id = 1", &[&prev])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    target.expect("the chain reaches that place")
}

/// The attack answered: entry 50 rewritten and every later hash recomputed verifies on its
/// own, but not against a checkpoint kept elsewhere, which names entry 50.
async fn a_consistent_rewrite_is_caught_by_a_checkpoint(app: TestApp) {
    write_entries(&app, 60).await;
    let kept = checkpoint(&app);
    let intact = verify(&app, Some(&kept));
    assert!(intact.status.success(), "{}", stdout(&intact));
    assert!(
        stdout(&intact).contains("matches checkpoint"),
        "{}",
        stdout(&intact)
    );
    // Entries written after the checkpoint do not disturb it.
    write_entries(&app, 3).await;
    assert!(verify(&app, Some(&kept)).status.success());

    let seq = rewrite_consistently(&app, 50).await;
    let plain = verify(&app, None);
    assert!(plain.status.success(), "{}", stdout(&plain));
    assert!(stdout(&plain).contains("intact"), "{}", stdout(&plain));
    let api = app
        .ok(Method::GET, &app.admin, "/api/v1/audit/verify", None)
        .await;
    assert_eq!(api["intact"], true, "the chain alone cannot see it: {api}");

    let caught = verify(&app, Some(&kept));
    assert_eq!(caught.status.code(), Some(1), "{}", stdout(&caught));
    let said = stdout(&caught);
    assert!(said.contains(&format!("BROKEN at entry {seq}:")), "{said}");
    assert!(
        said.contains("no longer matches the signed checkpoint"),
        "{said}"
    );
}
both_backends!(
    rewrite_attack,
    a_consistent_rewrite_is_caught_by_a_checkpoint
);

/// Entries removed at the end, the head moved back to the last one left: the chain alone
/// verifies, a checkpoint past them does not.
async fn entries_removed_at_the_end_are_caught_by_a_later_checkpoint(app: TestApp) {
    write_entries(&app, 20).await;
    let kept = checkpoint(&app);
    let head = app
        .running
        .app
        .store()
        .read()
        .await
        .unwrap()
        .db()
        .audit_head()
        .await
        .unwrap();
    let keep = head.seq - 3;
    let rows = app
        .running
        .app
        .store()
        .read()
        .await
        .unwrap()
        .db()
        .audit_entries_between(&AuditFilter::default(), keep - 1, keep, 1)
        .await
        .unwrap();
    let last_kept = rows[0].seq;
    let mut tx = app.running.app.store().write().await.unwrap();
    tx.raw(
        &format!("DELETE FROM audit_trail WHERE chain_seq > {keep}"),
        &[],
    )
    .await
    .unwrap();
    tx.raw(
        &format!(
            "UPDATE audit_head SET chain_seq = {keep}, hash = (SELECT hash FROM audit_trail WHERE seq = {last_kept}) WHERE id = 1"
        ),
        &[],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let plain = verify(&app, None);
    assert!(plain.status.success(), "{}", stdout(&plain));
    let caught = verify(&app, Some(&kept));
    assert_eq!(caught.status.code(), Some(1), "{}", stdout(&caught));
    let said = stdout(&caught);
    assert!(
        said.contains(&format!("BROKEN at entry {}:", keep + 1)),
        "{said}"
    );
    assert!(said.contains("were removed"), "{said}");
}
both_backends!(
    removed_at_the_end,
    entries_removed_at_the_end_are_caught_by_a_later_checkpoint
);

/// A checkpoint whose fields were changed, or one signed by another key, is refused.
async fn a_forged_checkpoint_is_refused(app: TestApp) {
    write_entries(&app, 5).await;
    let kept = checkpoint(&app);
    let mut forged: Value = serde_json::from_str(&std::fs::read_to_string(&kept).unwrap()).unwrap();
    forged["head"] = Value::String("0".repeat(64));
    let file = app.data_dir().join("forged.json");
    std::fs::write(&file, forged.to_string()).unwrap();
    let refused = verify(&app, Some(&file));
    assert_eq!(refused.status.code(), Some(2), "{}", stdout(&refused));
    assert!(stdout(&refused).contains("REFUSED"), "{}", stdout(&refused));
    assert!(
        stdout(&refused).contains("does not verify"),
        "{}",
        stdout(&refused)
    );

    // Signed by a key of its own: the key id is not the installation's.
    let other = app.data_dir().join("other-key.pem");
    let other_key = portico_service::AuditKey::open_or_create(&other).unwrap();
    let mine: Value = serde_json::from_str(&std::fs::read_to_string(&kept).unwrap()).unwrap();
    let mut by_other = mine.clone();
    by_other["key_id"] = Value::String(other_key.key_id().to_string());
    std::fs::write(&file, by_other.to_string()).unwrap();
    let refused = verify(&app, Some(&file));
    assert_eq!(refused.status.code(), Some(2), "{}", stdout(&refused));
    assert!(
        stdout(&refused).contains("not by this key"),
        "{}",
        stdout(&refused)
    );
}
both_backends!(forged, a_forged_checkpoint_is_refused);

/// The API lists the checkpoints (admins) and gives the public key; a listed checkpoint
/// verifies with it, and `--public-key` checks with it alone.
async fn checkpoints_and_the_public_key_are_served(app: TestApp) {
    write_entries(&app, 5).await;
    let kept = checkpoint(&app);
    let listed = app
        .ok(Method::GET, &app.admin, "/api/v1/audit/checkpoints", None)
        .await;
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&kept).unwrap()).unwrap();
    assert_eq!(listed[0], file);
    for field in ["seq", "head", "at", "key_id", "signature"] {
        assert!(!listed[0][field].is_null(), "{field}");
    }
    let key = app
        .ok(Method::GET, &app.admin, "/api/v1/audit/public-key", None)
        .await;
    assert_eq!(key["algorithm"], "Ed25519");
    assert_eq!(key["key_id"], listed[0]["key_id"]);
    let pem = key["public_key_pem"].as_str().unwrap();
    let public = portico_service::PublicKey::from_pem(pem).unwrap();
    let c = portico_service::Checkpoint::from_json(&listed[0].to_string()).unwrap();
    public.verify(&c).unwrap();

    let pem_file = app.data_dir().join("public.pem");
    std::fs::write(&pem_file, pem).unwrap();
    // Without the private key file at hand: the public key alone checks.
    std::fs::remove_file(app.data_dir().join("audit-key.pem")).unwrap();
    let out = portico(
        &app,
        &[
            "audit",
            "verify",
            "--checkpoint",
            kept.to_str().unwrap(),
            "--public-key",
            pem_file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stdout(&out));
}
both_backends!(served, checkpoints_and_the_public_key_are_served);

/// The key file is created readable by its owner only, and a key others may read is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_file_is_its_owners_alone() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn(support::Backend::Sqlite).await.unwrap();
    let key = app.data_dir().join("audit-key.pem");
    let mode = std::fs::metadata(&key).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let refused = portico_service::AuditKey::open(&key).unwrap_err();
    assert!(refused.contains("chmod 600"), "{refused}");
}

/// Two servers on one database (sharing the key file), each with the schedule on: one
/// scheduled checkpoint is made, emailed to the compliance address and written to the folder.
async fn two_servers_make_one_scheduled_checkpoint(backend: support::Backend) {
    let shared = tempfile::tempdir().unwrap();
    let key = shared.path().join("audit-key.pem");
    let folder = shared.path().join("checkpoints");
    let schedule = |s: &mut portico::Settings| {
        s.checkpoints.audit_checkpoints = true;
        s.checkpoints.audit_key = Some(key.clone());
        s.checkpoints.audit_checkpoint_email = Some("compliance@example.com".into());
        s.checkpoints.audit_checkpoint_dir = Some(folder.clone());
    };
    let Some(a) = TestApp::spawn_with(backend, schedule).await else {
        return;
    };
    let b = TestApp::spawn_on(backend, Some(a.database_url.clone()), schedule)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let listed = loop {
        let listed = b
            .ok(Method::GET, &b.admin, "/api/v1/audit/checkpoints", None)
            .await;
        if !listed.as_array().unwrap().is_empty() {
            break listed;
        }
        assert!(
            Instant::now() < deadline,
            "no scheduled checkpoint was made"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // Both servers have looked by now (each looks as it starts); give a late one a moment.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let listed = a
        .ok(Method::GET, &a.admin, "/api/v1/audit/checkpoints", None)
        .await
        .as_array()
        .unwrap()
        .clone()
        .into_iter()
        .chain(std::iter::once(listed[0].clone()))
        .collect::<Vec<_>>();
    assert_eq!(listed.len(), 2, "one checkpoint, seen by both: {listed:?}");
    assert_eq!(listed[0], listed[1]);
    let seq = listed[0]["seq"].as_i64().unwrap();

    let emails: Vec<Value> = a
        .outbox()
        .await
        .into_iter()
        .filter(|e| e["to"] == "compliance@example.com")
        .collect();
    assert_eq!(emails.len(), 1, "{emails:?}");
    assert_eq!(emails[0]["template"], "audit_checkpoint");
    let body = emails[0]["body"].as_str().unwrap();
    assert!(
        body.contains(listed[0]["signature"].as_str().unwrap()),
        "{body}"
    );
    // Delivered as any email is (no user, no record, no secret).
    let delivered = a.delivered_to("compliance@example.com").await;
    assert_eq!(delivered.len(), 1);
    assert!(
        delivered[0].contains(listed[0]["signature"].as_str().unwrap()),
        "{}",
        delivered[0]
    );

    let files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    assert_eq!(written, listed[0]);
    assert!(files[0]
        .to_string_lossy()
        .ends_with(&format!("{seq:012}.json")));
}
per_backend!(scheduled, two_servers_make_one_scheduled_checkpoint);

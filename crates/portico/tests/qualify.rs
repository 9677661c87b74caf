//! `portico qualify --out DIR` (SPEC section 11, "Qualification evidence"): installation checks
//! of the configuration it is given and operational scenarios on a scratch database, each step
//! with expected, actual, time and pass, into DIR/report.json and DIR/index.html; exit 0 only
//! when every step passes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use support::TestApp;

fn qualify(database_url: &str, data_dir: &Path, out: &Path) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(["qualify", "--database-url", database_url])
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--out")
        .arg(out)
        .env_remove("PORTICO_AUDIT_KEY")
        .env_remove("PORTICO_SMTP_URL")
        .env_remove("PORTICO_STORAGE_URL")
        .env_remove("PORTICO_CONFIG")
        .output()
        .unwrap()
}

fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn report(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

/// The steps of `scenario`, by name.
fn steps<'a>(report: &'a Value, scenario: &str) -> Vec<&'a str> {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["scenario"] == scenario)
        .map(|s| s["step"].as_str().unwrap())
        .collect()
}

/// On an installation as `portico serve` leaves it (migrated database, audit key in the data
/// folder, Maildir, local files), every check and scenario passes and the report says so.
async fn a_sound_installation_qualifies(backend: support::Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let out = app.data_dir().join("qualification");
    let run = qualify(&app.database_url, &app.data_dir(), &out);
    let r = report(&out);
    assert!(run.status.success(), "{}\n{r:#}", said(&run));
    assert_eq!(r["passed"], true);
    assert_eq!(r["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(r["binary_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(
        steps(&r, "installation"),
        [
            "version and binary",
            "configuration checked",
            "database",
            "migrations applied",
            "email delivery",
            "file storage",
            "audit key"
        ]
    );
    // Every scenario SPEC section 11 names, the signing ones with their refusals and signatures
    // (with examples/part11.toml: the configuration under qualification requires none).
    for scenario in [
        "create and activate",
        "respond and sign",
        "reject and re-sign",
        "inactivate and free the seat",
        "audit verify",
    ] {
        assert!(
            !steps(&r, scenario).is_empty(),
            "no steps for {scenario}: {r:#}"
        );
    }
    assert_eq!(
        steps(&r, "respond and sign"),
        [
            "the contact sets a password and signs in",
            "an unsigned or wrongly signed response is refused",
            "the contact signs its response"
        ]
    );
    assert_eq!(
        steps(&r, "reject and re-sign"),
        [
            "the reviewer rejects, signing",
            "the contact responds again and signs"
        ]
    );
    assert!(steps(&r, "inactivate and free the seat").contains(&"the reviewer accepts, signing"));
    assert!(steps(&r, "audit verify").contains(&"the signatures are in the trail"));
    let step = |name: &str| {
        r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == name)
            .unwrap()["actual"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(step("scratch server").contains("examples/part11.toml"));
    assert!(
        step("an unsigned or wrongly signed response is refused")
            .contains("without: 400 SIGNATURE_REQUIRED; wrong password: 401 INVALID_SIGNATURE"),
        "{r:#}"
    );
    assert!(
        step("the contact signs its response").contains("Quinn Contact — Responded — "),
        "{r:#}"
    );
    for step in r["steps"].as_array().unwrap() {
        assert_eq!(step["pass"], true, "{step}");
        for field in ["expected", "actual", "started"] {
            assert!(
                !step[field].as_str().unwrap().is_empty(),
                "{field} of {step}"
            );
        }
        assert!(step["duration_ms"].is_u64(), "{step}");
    }
    // Every step SPEC section 11 names is covered.
    assert_eq!(r["not_covered"], serde_json::json!([]));
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(page.contains("PASSED: every step passed"), "{page}");
    assert!(
        page.contains("the contact responds again and signs"),
        "{page}"
    );
    // The installation under qualification was not touched: its audit trail still verifies and
    // none of the scratch data is in it.
    let records = app
        .ok(
            reqwest::Method::GET,
            &app.admin,
            "/api/v1/vobjects/car__v?name__v=QUAL-SCAR-1",
            None,
        )
        .await;
    assert_eq!(records.as_array().unwrap().len(), 0, "{records}");
}
per_backend!(sound, a_sound_installation_qualifies);

/// A database that is not there fails its steps, with the reason in the report, and the
/// command exits 1; the scenarios on their scratch database still run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_check_fails_the_qualification() {
    let dir = tempfile::tempdir().unwrap();
    portico_service::AuditKey::open_or_create(&dir.path().join("audit-key.pem")).unwrap();
    let out = dir.path().join("qualification");
    let missing = format!("sqlite://{}/missing.db", dir.path().display());
    let run = qualify(&missing, dir.path(), &out);
    assert_eq!(run.status.code(), Some(1), "{}", said(&run));
    assert!(
        said(&run).contains("qualification FAILED"),
        "{}",
        said(&run)
    );
    let r = report(&out);
    assert_eq!(r["passed"], false);
    let database = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "database")
        .unwrap();
    assert_eq!(database["pass"], false);
    assert!(
        database["actual"].as_str().unwrap().contains("missing.db"),
        "{database}"
    );
    assert!(!steps(&r, "respond and sign").is_empty(), "{r:#}");
    assert!(
        !std::path::Path::new(&format!("{}/missing.db", dir.path().display())).exists(),
        "qualification created the database it checks"
    );
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(page.contains("FAILED: at least one step failed"));
}

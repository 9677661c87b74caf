//! The binary's start-up: a configuration file Portico cannot use is refused with its line, and
//! a SQLite database is opened, never made by mistake.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn portico() -> Command {
    Command::new(env!("CARGO_BIN_EXE_portico"))
}

fn bad_config(dir: &std::path::Path) -> std::path::PathBuf {
    let text = portico_domain::config::DEFAULT_CONFIG.replacen(
        "to = \"in_review__c\"",
        "to = \"in_reveiw__c\"",
        1,
    );
    let path = dir.join("bad.toml");
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    path
}

#[test]
fn check_config_accepts_the_default_and_names_the_line_of_a_bad_file() {
    let ok = portico()
        .arg("check-config")
        .env_remove("PORTICO_CONFIG")
        .output()
        .expect("run portico");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("5 target object types"));

    let dir = tempfile::tempdir().expect("temporary folder");
    let out = portico()
        .args(["check-config", "--config"])
        .arg(bad_config(dir.path()))
        .output()
        .expect("run portico");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml: line ") && err.contains("no state 'in_reveiw__c'"),
        "{err}"
    );
}

#[test]
fn serve_refuses_to_start_with_a_bad_configuration() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = portico()
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url"])
        .arg(format!("sqlite://{}/p.db", dir.path().display()))
        .env("PORTICO_CONFIG", bad_config(dir.path()))
        .output()
        .expect("run portico");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line ") && err.contains("in_reveiw__c"),
        "{err}"
    );
}

#[test]
fn an_unsupported_database_url_is_refused_clearly() {
    let out = portico()
        .args(["migrate", "--database-url", "mysql://root@localhost/x"])
        .output()
        .expect("run portico");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unsupported database URL"), "{err}");
}

/// Runs `cmd` to its end; a server that is still running after `seconds` (it opened the
/// database and serves) is stopped and the test fails.
fn within_seconds(mut cmd: Command, seconds: u64) -> std::process::Output {
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run portico");
    let until = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > until {
            let _ = child.kill();
            let _ = child.wait();
            panic!("portico still runs after {seconds} s: it opened the database");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().expect("its output")
}

/// `portico` run in `dir`, with no database settings from the environment.
fn portico_in(dir: &std::path::Path) -> Command {
    let mut cmd = portico();
    cmd.current_dir(dir)
        .env_remove("PORTICO_DATABASE_URL")
        .env_remove("PORTICO_CREATE_DATABASE");
    cmd
}

#[test]
fn a_mistyped_sqlite_path_is_refused_and_nothing_is_created() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let missing = dir.path().join("typo").join("portico.db");
    for args in [vec!["serve", "--listen", "127.0.0.1:0"], vec!["migrate"]] {
        let mut cmd = portico_in(dir.path());
        cmd.args(&args)
            .arg("--database-url")
            .arg(format!("sqlite://{}", missing.display()));
        let out = within_seconds(cmd, 30);
        assert!(!out.status.success(), "{args:?} must fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("{} does not exist", missing.display()))
                && err.contains("--create")
                && err.contains("PORTICO_CREATE_DATABASE=true"),
            "{args:?}: {err}"
        );
        assert!(!missing.exists(), "{args:?} created the database");
        assert!(
            !missing.parent().unwrap().exists(),
            "{args:?} created the folder"
        );
    }
}

#[test]
fn create_makes_a_new_sqlite_database_by_flag_or_environment() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let by_flag = dir.path().join("new").join("flag.db");
    let out = portico_in(dir.path())
        .args(["migrate", "--create", "--database-url"])
        .arg(format!("sqlite://{}", by_flag.display()))
        .output()
        .expect("run portico");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(by_flag.exists());

    let by_env = dir.path().join("env.db");
    let out = portico_in(dir.path())
        .args(["migrate", "--database-url"])
        .arg(format!("sqlite://{}", by_env.display()))
        .env("PORTICO_CREATE_DATABASE", "true")
        .output()
        .expect("run portico");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(by_env.exists());

    // An existing database opens without --create.
    let out = portico_in(dir.path())
        .args(["migrate", "--database-url"])
        .arg(format!("sqlite://{}", by_env.display()))
        .output()
        .expect("run portico");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_default_sqlite_database_is_created_without_being_asked() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = portico_in(dir.path())
        .arg("migrate")
        .output()
        .expect("run portico");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("portico-data/portico.db").exists());
}

#[test]
fn audit_verify_never_creates_a_database() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = portico_in(dir.path())
        .args(["audit", "verify"])
        .output()
        .expect("run portico");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
    assert!(!dir.path().join("portico-data").exists());
}

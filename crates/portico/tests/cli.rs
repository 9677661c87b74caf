//! The binary's start-up: a configuration file Portico cannot use is refused with its line.

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

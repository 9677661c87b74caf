#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Shipped migrations never change: a database that ran one must be able to trust that the
//! next release means the same by it (sqlx also refuses to start on a changed one, but only on a
//! database that already ran it — too late). `migrations/CHECKSUMS` lists the SHA-256 of every
//! migration of both backends; this test fails when a listed file changed or is gone, and when
//! a migration exists that is not listed, so adding one means adding its line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn migrations_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations")
}

/// `backend/file.sql` → SHA-256 (hex) from the manifest.
fn manifest(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (sum, file) = line
            .split_once(char::is_whitespace)
            .ok_or_else(|| format!("CHECKSUMS line {}: expected '<sha256>  <file>'", n + 1))?;
        let file = file.trim().trim_start_matches('*').to_string();
        if sum.len() != 64 || !sum.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!(
                "CHECKSUMS line {}: '{sum}' is not a SHA-256",
                n + 1
            ));
        }
        if out.insert(file.clone(), sum.to_lowercase()).is_some() {
            return Err(format!("CHECKSUMS line {}: {file} is listed twice", n + 1));
        }
    }
    Ok(out)
}

/// What is wrong with the migrations in `dir` against its manifest (empty: nothing).
fn problems(dir: &Path) -> Vec<String> {
    let text = match std::fs::read_to_string(dir.join("CHECKSUMS")) {
        Ok(t) => t,
        Err(e) => return vec![format!("cannot read {}/CHECKSUMS: {e}", dir.display())],
    };
    let listed = match manifest(&text) {
        Ok(m) => m,
        Err(e) => return vec![e],
    };
    let mut found = BTreeMap::new();
    for backend in ["sqlite", "postgres"] {
        let entries = std::fs::read_dir(dir.join(backend)).expect("the migrations folder");
        for entry in entries {
            let path = entry.expect("a folder entry").path();
            if path.extension().is_some_and(|e| e == "sql") {
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                let bytes = std::fs::read(&path).expect("a migration file");
                found.insert(
                    format!("{backend}/{name}"),
                    hex::encode(Sha256::digest(bytes)),
                );
            }
        }
    }
    let mut out = vec![];
    for (file, sum) in &listed {
        match found.get(file) {
            None => out.push(format!(
                "{file} has shipped but is gone: a shipped migration is never removed"
            )),
            Some(actual) if actual != sum => out.push(format!(
                "{file} changed after it shipped (SHA-256 {actual}, CHECKSUMS says {sum}): never edit a shipped migration, add a new one"
            )),
            Some(_) => {}
        }
    }
    for (file, sum) in &found {
        if !listed.contains_key(file) {
            out.push(format!(
                "{file} is not in migrations/CHECKSUMS: add the line '{sum}  {file}'"
            ));
        }
    }
    out
}

#[test]
fn shipped_migrations_keep_their_checksums_and_every_migration_is_listed() {
    let problems = problems(&migrations_dir());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A copy of the migrations to break in ways the check must notice.
fn copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temporary folder");
    for backend in ["sqlite", "postgres"] {
        std::fs::create_dir(tmp.path().join(backend)).unwrap();
        for entry in std::fs::read_dir(migrations_dir().join(backend)).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(
                &path,
                tmp.path().join(backend).join(path.file_name().unwrap()),
            )
            .unwrap();
        }
    }
    std::fs::copy(
        migrations_dir().join("CHECKSUMS"),
        tmp.path().join("CHECKSUMS"),
    )
    .unwrap();
    tmp
}

#[test]
fn an_edited_migration_is_caught() {
    let tmp = copy();
    let file = tmp.path().join("sqlite/0001_core.sql");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("\n-- a harmless-looking edit\n");
    std::fs::write(&file, text).unwrap();
    let found = problems(tmp.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("sqlite/0001_core.sql changed after it shipped"));
}

#[test]
fn a_removed_migration_is_caught() {
    let tmp = copy();
    std::fs::remove_file(tmp.path().join("postgres/0002_workflows.sql")).unwrap();
    let found = problems(tmp.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("postgres/0002_workflows.sql has shipped but is gone"));
}

#[test]
fn a_migration_missing_from_the_manifest_is_caught() {
    let tmp = copy();
    std::fs::write(
        tmp.path().join("sqlite/9999_new.sql"),
        "CREATE TABLE t (id TEXT);\n",
    )
    .unwrap();
    let found = problems(tmp.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("sqlite/9999_new.sql is not in migrations/CHECKSUMS"));
}

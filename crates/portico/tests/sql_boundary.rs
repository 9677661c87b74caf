//! The crates' boundaries, kept by the dependency graph (`cargo metadata`) and the domain's
//! source. "Only the store knows SQL": no product crate but `portico-store` depends on sqlx,
//! and none enables the store's `raw-sql` feature (SQL written outside the store) except as a
//! dev-dependency, for tests; the measuring tools that write baselines by hand live in
//! `portico-bench`, which is not part of the product. The crates depend on each other only
//! downward (domain ← store ← service ← http ← portico, and mail ← portico), only `portico-mail`
//! talks SMTP, and the domain does no IO and puts none of its types on the wire.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The workspace's packages as `cargo metadata` describes them (no network: `--no-deps`).
fn packages() -> Vec<Value> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata JSON");
    meta["packages"].as_array().expect("packages").clone()
}

/// The dependencies a package is built with (not dev-dependencies).
fn built_with(package: &Value) -> Vec<&Value> {
    package["dependencies"]
        .as_array()
        .expect("dependencies")
        .iter()
        .filter(|d| d["kind"].as_str() != Some("dev"))
        .collect()
}

#[test]
fn only_the_store_depends_on_sqlx_and_no_product_crate_enables_raw_sql() {
    let packages = packages();
    let names: Vec<&str> = packages
        .iter()
        .map(|p| p["name"].as_str().expect("name"))
        .collect();
    // The product (everything `portico` is built from) and the tools beside it.
    for expected in ["portico", "portico-http", "portico-store", "portico-bench"] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    let mut offenders = vec![];
    for package in &packages {
        let name = package["name"].as_str().expect("name");
        if name == "portico-bench" {
            continue;
        }
        for dep in built_with(package) {
            let dep_name = dep["name"].as_str().expect("dependency name");
            if dep_name == "sqlx" && name != "portico-store" {
                offenders.push(format!("{name} depends on sqlx"));
            }
            let raw = dep["features"]
                .as_array()
                .expect("features")
                .iter()
                .any(|f| f == "raw-sql");
            if dep_name == "portico-store" && raw {
                offenders.push(format!("{name} enables portico-store/raw-sql"));
            }
        }
        let default_features = package["features"]["default"].as_array();
        if name == "portico-store" {
            assert!(
                !default_features.is_some_and(|d| d.iter().any(|f| f == "raw-sql")),
                "raw-sql must not be a default feature of the store"
            );
        }
    }
    assert!(offenders.is_empty(), "{offenders:?}");
}

/// The crates of ours (`portico*`) a package is built with.
fn ours(package: &Value) -> BTreeSet<&str> {
    built_with(package)
        .into_iter()
        .filter_map(|d| d["name"].as_str())
        .filter(|name| name.starts_with("portico"))
        .collect()
}

fn package<'a>(packages: &'a [Value], name: &str) -> &'a Value {
    packages
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no package {name}"))
}

#[test]
fn the_crates_depend_only_downward() {
    let packages = packages();
    // Each crate with exactly the crates of ours it may use (ARCHITECTURE.md's picture). The
    // http layer reaches the store's row and filter types through `portico_service::store`,
    // never by a dependency of its own.
    let allowed: [(&str, &[&str]); 7] = [
        ("portico-domain", &[]),
        ("portico-store", &["portico-domain"]),
        ("portico-service", &["portico-domain", "portico-store"]),
        ("portico-mail", &["portico-store"]),
        ("portico-http", &["portico-domain", "portico-service"]),
        (
            "portico",
            &[
                "portico-domain",
                "portico-http",
                "portico-mail",
                "portico-service",
                "portico-store",
            ],
        ),
        (
            "portico-bench",
            &[
                "portico",
                "portico-domain",
                "portico-service",
                "portico-store",
            ],
        ),
    ];
    let mut wrong = vec![];
    for (name, may) in allowed {
        let has = ours(package(&packages, name));
        let may: BTreeSet<&str> = may.iter().copied().collect();
        if has != may {
            wrong.push(format!("{name} uses {has:?}, may use {may:?}"));
        }
    }
    let listed = packages
        .iter()
        .filter(|p| !allowed.iter().any(|(name, _)| p["name"] == *name))
        .map(|p| p["name"].as_str().unwrap_or("?"))
        .collect::<Vec<_>>();
    assert!(
        listed.is_empty(),
        "crates this test does not know: {listed:?}"
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn only_the_mail_crate_depends_on_lettre() {
    let packages = packages();
    let users: Vec<&str> = packages
        .iter()
        .filter(|p| built_with(p).iter().any(|d| d["name"] == "lettre"))
        .map(|p| p["name"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(users, ["portico-mail"]);
}

/// The lines of code (comments cut off) under `crates/<dir>/src` that `bad` finds, as
/// `file:line: text`.
fn lines_in(dir: &str, bad: impl Fn(&str) -> bool) -> Vec<String> {
    fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read a source folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(dir)
        .join("src");
    let mut files = vec![];
    sources(&root, &mut files);
    assert!(files.len() > 5, "the sources of {dir}: {files:?}");
    let mut found = vec![];
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read a source file");
        for (n, line) in text.lines().enumerate() {
            if bad(line.split("//").next().unwrap_or("")) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    found
}

/// The identifiers a line of code names.
fn words(code: &str) -> impl Iterator<Item = &str> {
    code.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

#[test]
fn the_domain_does_no_io_and_puts_nothing_on_the_wire() {
    let packages = packages();
    let deps: BTreeSet<&str> = built_with(package(&packages, "portico-domain"))
        .into_iter()
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert_eq!(
        deps,
        BTreeSet::from(["serde", "thiserror", "toml"]),
        "the domain is built from pure crates only"
    );
    // What would reach the world or depend on it: files, the network, the process, threads,
    // the clock, randomness; and `Serialize`, which would make a domain type a wire format
    // (the answers are `portico-http`'s own structs).
    let paths = [
        "std::fs",
        "std::net",
        "std::io",
        "std::env",
        "std::process",
        "std::thread",
    ];
    let names = ["SystemTime", "Instant", "rand", "tokio", "Serialize"];
    let found = lines_in("domain", |code| {
        paths.iter().any(|p| code.contains(p)) || words(code).any(|w| names.contains(&w))
    });
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn http_names_the_stores_rows_but_never_calls_the_store() {
    // Rows and filters come through `portico_service::store`; a `Store`, a transaction or a
    // connection is the service's to use.
    let found = lines_in("http", |code| {
        code.contains(".store()")
            || words(code).any(|w| matches!(w, "Store" | "Tx" | "Db" | "Reader" | "Savepoint"))
    });
    assert!(found.is_empty(), "{found:#?}");
}

//! "Only the store knows SQL", kept by the dependency graph: no product crate but
//! `portico-store` depends on sqlx, and none enables the store's `raw-sql` feature (SQL
//! written outside the store) except as a dev-dependency, for tests. The measuring tools that
//! write baselines by hand live in `portico-bench`, which is not part of the product.

#![allow(clippy::unwrap_used, clippy::expect_used)]

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

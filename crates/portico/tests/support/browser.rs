//! Headless Chromium through chromedriver (Debian's packages), for the tests that walk the pages
//! as a person does.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use serde_json::json;

use super::TestApp;

pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub async fn browser() -> Option<(fantoccini::Client, Driver, tempfile::TempDir)> {
    let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(chromedriver) = chromedriver else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI needs chromedriver: apt-get install chromium chromium-driver"
        );
        eprintln!("skipping the browser test: chromedriver is not installed (apt-get install chromium chromium-driver)");
        return None;
    };
    let port = free_port();
    let child = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let driver = Driver(child);
    let profile = tempfile::tempdir().unwrap();
    let caps = json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--window-size=1200,900",
                     format!("--user-data-dir={}", profile.path().display())]
        }
    });
    let caps: serde_json::Map<String, serde_json::Value> = caps.as_object().unwrap().clone();
    for _ in 0..50 {
        if let Ok(c) = ClientBuilder::native()
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            return Some((c, driver, profile));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("chromedriver did not start");
}

/// Signs in as the bootstrap admin on the login page.
pub async fn sign_in_as_admin(c: &fantoccini::Client, app: &TestApp) {
    c.goto(&format!("{}/login", app.base)).await.unwrap();
    type_into(c, Locator::Id("username"), "admin").await;
    type_into(c, Locator::Id("password"), super::ADMIN_PASSWORD).await;
    click(c, Locator::Css("button[type=submit]")).await;
}

/// Clicks the element `at` once it is on the page.
pub async fn click(c: &fantoccini::Client, at: Locator<'_>) {
    c.wait()
        .for_element(at)
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Types `text` into the element `at` once it is on the page.
pub async fn type_into(c: &fantoccini::Client, at: Locator<'_>, text: &str) {
    c.wait()
        .for_element(at)
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// Waits (up to 5 s) until `check` holds; the browser works on its own clock.
pub async fn eventually<F, Fut>(check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..50 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the browser's action did not reach Portico in 5 s");
}

/// Keeps a picture of the page for the README (from the SQLite run: both runs show the same).
pub async fn screenshot(c: &fantoccini::Client, app: &TestApp, name: &str) {
    if app.backend != super::Backend::Sqlite {
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(format!("{name}.png")),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
}

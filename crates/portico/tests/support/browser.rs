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
    browser_sized(None).await
}

/// A phone's screen: 375 CSS pixels wide (Chromium's own device emulation, so that the page
/// really is that wide; a window cannot be made that narrow).
pub const PHONE_WIDTH: u32 = 375;

/// A browser with a desktop window, or with a phone's screen `width` pixels wide.
pub async fn browser_sized(
    phone_width: Option<u32>,
) -> Option<(fantoccini::Client, Driver, tempfile::TempDir)> {
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
    let mut caps: serde_json::Map<String, serde_json::Value> = caps.as_object().unwrap().clone();
    if let Some(width) = phone_width {
        caps["goog:chromeOptions"]["mobileEmulation"] = json!({
            "deviceMetrics": {"width": width, "height": 812, "pixelRatio": 2.0, "touch": true},
            "userAgent": "Mozilla/5.0 (Linux; Android 14) Mobile"
        });
    }
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

/// Signs in on the login page and waits for the first signed-in page.
pub async fn sign_in(c: &fantoccini::Client, app: &TestApp, username: &str, password: &str) {
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{}/login", app.base)).await.unwrap();
    type_into(c, Locator::Id("username"), username).await;
    type_into(c, Locator::Id("password"), password).await;
    click(c, Locator::Css("button[type=submit]")).await;
    c.wait()
        .for_element(Locator::XPath("//button[text()='Sign out']"))
        .await
        .unwrap();
}

/// axe-core's script, as `npm ci --prefix crates/portico/tests/axe` installs it (the test
/// command does); without it the check is skipped with one line, except in CI.
pub fn axe_source() -> Option<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/axe/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(_) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI needs axe-core: npm ci --prefix crates/portico/tests/axe"
            );
            eprintln!("skipping axe-core: npm ci --prefix crates/portico/tests/axe");
            None
        }
    }
}

/// The WCAG 2.1 A and AA violations axe-core finds on the page shown, one line each (rule,
/// impact, the elements). The script is injected through the driver, beside the page's own
/// Content-Security-Policy, which allows no script of another origin.
pub async fn axe_violations(c: &fantoccini::Client, source: &str) -> Vec<String> {
    c.execute(source, vec![]).await.unwrap();
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
               .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at '
                   + v.nodes.map(n => n.target.join(' ')).join(', '))))
               .catch(e => done(['axe-core failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

/// What a person must not meet in a page's visible text: a field code (`__v`, `__c`), an id
/// (`rec_` and 32 hex digits, as the service makes them) or a machine's date or RFC 3339 stamp. Pages that
/// show the configuration itself (its names are what an administrator writes in the file)
/// pass `codes_allowed`.
pub fn unplain(text: &str, codes_allowed: bool) -> Vec<String> {
    let mut found = vec![];
    for word in
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':' || c == '-'))
    {
        if !codes_allowed && (word.contains("__v") || word.contains("__c")) {
            found.push(format!("field code {word}"));
        }
        for token in word.split([':', '-']) {
            let b = token.as_bytes();
            let id = b.len() >= 4 + 16
                && b[..3].iter().all(u8::is_ascii_lowercase)
                && b[3] == b'_'
                && b[4..].iter().all(|c| c.is_ascii_hexdigit());
            if id {
                found.push(format!("id {token}"));
            }
        }
    }
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    for i in 0..b.len() {
        // A machine's date (`2026-12-09`, with or without a time after it): people read
        // "9 Dec 2026".
        let stamp = (i == 0 || !b[i - 1].is_ascii_alphanumeric())
            && (0..4).all(|k| digit(i + k))
            && b.get(i + 4) == Some(&b'-')
            && digit(i + 5)
            && digit(i + 6)
            && b.get(i + 7) == Some(&b'-')
            && digit(i + 8)
            && digit(i + 9)
            && !digit(i + 10);
        if stamp {
            let long = b.get(i + 10) == Some(&b'T');
            found.push(format!(
                "stamp {}",
                text[i..]
                    .chars()
                    .take(if long { 19 } else { 10 })
                    .collect::<String>()
            ));
        }
    }
    found
}

/// Keeps a picture of one element of the page for the README.
pub async fn screenshot_of(c: &fantoccini::Client, app: &TestApp, at: Locator<'_>, name: &str) {
    if app.backend != super::Backend::Sqlite {
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = c.find(at).await.unwrap().screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// The visible text of the element `at`.
pub async fn text_of(c: &fantoccini::Client, at: Locator<'_>) -> String {
    c.find(at).await.unwrap().text().await.unwrap()
}

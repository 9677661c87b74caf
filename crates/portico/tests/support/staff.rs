//! Set-up shared by the governance tests: internal users who act, records they send, pages
//! an administrator sees.

use reqwest::{Client, StatusCode};

use super::{browser, csrf_of, TestApp};

#[allow(unused_imports)] // not every test that has the support module names it
pub use super::names::SCAR;

/// An internal user with a password; answers (id, session).
pub async fn internal_user(app: &TestApp, username: &str) -> (String, String) {
    app.internal_user(username).await
}

/// A SCAR `token`'s user creates for `person` of `org` and sends to it; answers its id.
pub async fn sent_by(app: &TestApp, token: &str, name: &str, org: &str, person: &str) -> String {
    app.scar_sent_by(token, name, org, person).await.0
}

/// A cookie-keeping client signed in on the pages as the bootstrap administrator.
pub async fn admin_browser(app: &TestApp) -> Client {
    admin_signed_in(app, browser()).await
}

/// `b` (a client that keeps cookies) with the administrator signed in.
pub async fn admin_signed_in(app: &TestApp, b: Client) -> Client {
    let login = b
        .get(format!("{}/login", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = b
        .post(format!("{}/login", app.base))
        .form(&[
            ("csrf", csrf_of(&login).as_str()),
            ("username", "admin"),
            ("password", super::ADMIN_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    b
}

/// The page at `path` as the administrator sees it.
pub async fn signed_in_page(app: &TestApp, path: &str) -> String {
    app.admin_page(path).await
}

/// An administrator opens an access review with `body`; answers the review.
pub async fn open_review(app: &TestApp, body: serde_json::Value) -> serde_json::Value {
    let (status, body) = app.post(&app.admin, "/api/v1/access-reviews", body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["data"].clone()
}

/// The item of `user` in a review read with its items.
pub fn item_of<'a>(review: &'a serde_json::Value, user: &str) -> &'a serde_json::Value {
    review["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["user__v"] == user)
        .unwrap_or_else(|| panic!("no item for {user} in {review}"))
}

/// The item of `user` in `review` as it is now (the review read again).
pub async fn item_now(app: &TestApp, review: &serde_json::Value, user: &str) -> serde_json::Value {
    let now = app
        .ok(
            reqwest::Method::GET,
            &app.admin,
            &format!("/api/v1/access-reviews/{}", review["id"].as_str().unwrap()),
            None,
        )
        .await;
    item_of(&now, user).clone()
}

/// Where an item of a review is decided.
pub fn decide_path(review: &serde_json::Value, item: &serde_json::Value) -> String {
    format!(
        "/api/v1/access-reviews/{}/items/{}/decide",
        review["id"].as_str().unwrap(),
        item["id"].as_str().unwrap()
    )
}

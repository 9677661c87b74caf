//! SCIM helpers shared by the SCIM tests: requests under `/scim/v2` with a token (every
//! answer checked to be SCIM's media type and error body), tokens, users and PATCH bodies.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::TestApp;

pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const EXT: &str = "urn:portico:params:scim:schemas:extension:portico:2.0:User";

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

pub async fn scim(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Answer {
    let mut req = app
        .client
        .request(method, format!("{}/scim/v2{path}", app.base))
        .bearer_auth(token);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/scim+json")
            .body(b.to_string());
    }
    let resp = req.send().await.expect("the server answers");
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
    };
    if !body.is_null() {
        assert_eq!(
            headers["content-type"], "application/scim+json",
            "{path}: every SCIM body is application/scim+json"
        );
    }
    if status.is_client_error() || status.is_server_error() {
        assert_eq!(
            body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error",
            "{path}: {body}"
        );
        assert_eq!(body["status"], status.as_u16().to_string(), "{body}");
    }
    Answer {
        status,
        headers,
        body,
    }
}

pub async fn get(app: &TestApp, token: &str, path: &str) -> Answer {
    scim(app, token, Method::GET, path, None, &[]).await
}

/// A SCIM token for `name`, made by the admin.
pub async fn token(app: &TestApp, name: &str) -> String {
    let (status, body) = app
        .post(&app.admin, "/api/v1/scim-tokens", json!({"name": name}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["data"]["token"].as_str().unwrap().to_string()
}

pub fn new_user(user_name: &str, given: &str, family: &str) -> Value {
    json!({
        "schemas": [USER],
        "userName": user_name,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"value": format!("{user_name}@corp.example"), "type": "work", "primary": true}],
        "active": true,
        "externalId": format!("ext-{user_name}"),
    })
}

pub async fn create(app: &TestApp, t: &str, user_name: &str, given: &str, family: &str) -> Value {
    let a = scim(
        app,
        t,
        Method::POST,
        "/Users",
        Some(new_user(user_name, given, family)),
        &[],
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    a.body
}

pub fn patch_ops(ops: Value) -> Value {
    json!({"schemas": [PATCH_OP], "Operations": ops})
}

pub async fn audit_actions(app: &TestApp, action: &str) -> Vec<Value> {
    app.ok(
        Method::GET,
        &app.admin,
        &format!("/api/v1/audit?action={action}&limit=1000"),
        None,
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The SCIM user whose `userName` is `user_name` (it must be there).
pub async fn user_named(app: &TestApp, t: &str, user_name: &str) -> Value {
    let a = get(
        app,
        t,
        &format!(
            "/Users?filter={}",
            urlencode(&format!("userName eq \"{user_name}\""))
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["totalResults"], 1, "{user_name}: {}", a.body);
    a.body["Resources"][0].clone()
}

/// The `userName`s of a list's page, in order.
pub fn names(a: &Answer) -> Vec<String> {
    a.body["Resources"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {}", a.body))
        .iter()
        .map(|r| r["userName"].as_str().unwrap_or("-").to_string())
        .collect()
}

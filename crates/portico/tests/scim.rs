//! SCIM 2.0 provisioning (SPEC section 11): identity providers' tokens, the discovery
//! endpoints, users created, read, replaced, patched (the shapes Okta and Entra ID send),
//! deleted and listed with filters, sorting, paging and attribute selection; `active` through
//! the one seat check and the managed flag; every request in the audit trail with the
//! token's name. Over real HTTP on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::TestApp;

const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const EXT: &str = "urn:portico:params:scim:schemas:extension:portico:2.0:User";

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

async fn scim(
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

async fn get(app: &TestApp, token: &str, path: &str) -> Answer {
    scim(app, token, Method::GET, path, None, &[]).await
}

/// A SCIM token for `name`, made by the admin.
async fn token(app: &TestApp, name: &str) -> String {
    let (status, body) = app
        .post(&app.admin, "/api/v1/scim-tokens", json!({"name": name}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["data"]["token"].as_str().unwrap().to_string()
}

fn new_user(user_name: &str, given: &str, family: &str) -> Value {
    json!({
        "schemas": [USER],
        "userName": user_name,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"value": format!("{user_name}@corp.example"), "type": "work", "primary": true}],
        "active": true,
        "externalId": format!("ext-{user_name}"),
    })
}

async fn create(app: &TestApp, t: &str, user_name: &str, given: &str, family: &str) -> Value {
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

fn patch_ops(ops: Value) -> Value {
    json!({"schemas": [PATCH_OP], "Operations": ops})
}

async fn audit_actions(app: &TestApp, action: &str) -> Vec<Value> {
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

async fn tokens_open_scim_only_and_are_shown_once_and_revocable(app: TestApp) {
    let (status, made) = app
        .post(&app.admin, "/api/v1/scim-tokens", json!({"name": "Okta"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let t = made["data"]["token"].as_str().unwrap().to_string();
    let id = made["data"]["id"].as_str().unwrap().to_string();
    let listed = app
        .ok(Method::GET, &app.admin, "/api/v1/scim-tokens", None)
        .await;
    assert_eq!(listed[0]["name"], "Okta");
    assert!(
        listed[0].get("token").is_none() && !listed.to_string().contains(&t),
        "the token is shown once: {listed}"
    );
    let (status, _) = app
        .post(&app.admin, "/api/v1/scim-tokens", json!({"name": "  "}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a token needs a name");

    // The token opens /scim/v2 and nothing else; a session opens everything but /scim/v2.
    assert_eq!(
        get(&app, &t, "/ServiceProviderConfig").await.status,
        StatusCode::OK
    );
    let (status, body) = app.get(&t, "/api/v1/users").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let a = get(&app, &app.admin, "/Users").await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.body);
    let a = scim(&app, "", Method::GET, "/Users", None, &[]).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);

    // The stored copy is the token's SHA-256, not the token.
    let mut reader = app.running.app.store().read().await.unwrap();
    let dump = format!("{:?}", reader.db().scim_tokens().await.unwrap());
    assert!(!dump.contains(&t), "{dump}");

    // Revoked: refused at once.
    let (status, body) = app
        .delete(&app.admin, &format!("/api/v1/scim-tokens/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        get(&app, &t, "/Users").await.status,
        StatusCode::UNAUTHORIZED
    );
    let listed = app
        .ok(Method::GET, &app.admin, "/api/v1/scim-tokens", None)
        .await;
    assert!(listed[0]["revoked_at"].is_string(), "{listed}");
    let revoked = audit_actions(&app, "scim_token.revoked").await;
    assert_eq!(revoked.len(), 1);
}
both_backends!(
    tokens,
    tokens_open_scim_only_and_are_shown_once_and_revocable
);

async fn discovery_describes_users_and_refuses_writes(app: TestApp) {
    let t = token(&app, "Entra ID").await;
    let spc = get(&app, &t, "/ServiceProviderConfig").await;
    assert_eq!(spc.body["patch"]["supported"], true);
    assert_eq!(spc.body["filter"]["supported"], true);
    assert_eq!(spc.body["etag"]["supported"], true);
    let types = get(&app, &t, "/ResourceTypes").await;
    assert_eq!(types.body["Resources"][0]["endpoint"], "/Users");
    assert_eq!(
        get(&app, &t, "/ResourceTypes/User").await.status,
        StatusCode::OK
    );
    assert_eq!(
        get(&app, &t, "/ResourceTypes/Group").await.status,
        StatusCode::NOT_FOUND
    );
    let schemas = get(&app, &t, "/Schemas").await;
    let ids: Vec<&str> = schemas.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [USER, EXT]);
    assert_eq!(
        get(&app, &t, &format!("/Schemas/{EXT}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        get(&app, &t, "/Schemas/nope").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, &t, "/Nothing").await.status,
        StatusCode::NOT_FOUND
    );
    for path in ["/ServiceProviderConfig", "/ResourceTypes", "/Schemas"] {
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            let a = scim(&app, &t, method.clone(), path, Some(json!({})), &[]).await;
            assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        }
    }
}
both_backends!(discovery, discovery_describes_users_and_refuses_writes);

async fn users_are_created_read_replaced_and_deleted(app: TestApp) {
    let t = token(&app, "Okta").await;
    let a = scim(
        &app,
        &t,
        Method::POST,
        "/Users",
        Some(new_user("grace", "Grace", "Hopper")),
        &[],
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let id = a.body["id"].as_str().unwrap().to_string();
    assert!(a.headers["location"]
        .to_str()
        .unwrap()
        .ends_with(&format!("/scim/v2/Users/{id}")));
    let etag = a.headers["etag"].to_str().unwrap().to_string();
    assert_eq!(a.body["meta"]["version"], etag.as_str());
    assert_eq!(a.body["emails"][0]["value"], "grace@corp.example");
    assert_eq!(a.body["externalId"], "ext-grace");
    assert_eq!(a.body[EXT]["licenseType"], "full");
    assert_eq!(a.body[EXT]["managedByQmsAutomation"], false);

    // An internal user in Portico.
    let user = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/users/{id}"),
            None,
        )
        .await;
    assert_eq!(user["license_type__v"], "full__v");
    assert_eq!(user["security_profile__v"], "internal_user");
    assert_eq!(user["status__v"], "active__v");

    let dup = scim(
        &app,
        &t,
        Method::POST,
        "/Users",
        Some(new_user("GRACE", "G", "H")),
        &[],
    )
    .await;
    assert_eq!(dup.status, StatusCode::CONFLICT, "{}", dup.body);
    assert_eq!(dup.body["scimType"], "uniqueness");
    let mut bad = new_user("nomail", "No", "Mail");
    bad["emails"] = json!([{"value": "not an address"}]);
    let a = scim(&app, &t, Method::POST, "/Users", Some(bad), &[]).await;
    assert_eq!(
        (a.status, a.body["scimType"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalidValue"))
    );
    let a = scim(
        &app,
        &t,
        Method::POST,
        "/Users",
        Some(json!({"userName": "x"})),
        &[],
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    let a = scim(&app, &t, Method::POST, "/Users", Some(json!([1])), &[]).await;
    assert_eq!(a.body["scimType"], "invalidSyntax");

    let read = get(&app, &t, &format!("/Users/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["userName"], "grace");
    assert_eq!(
        get(&app, &t, "/Users/usr_none").await.status,
        StatusCode::NOT_FOUND
    );

    // Replace: a stale If-Match is refused and changes nothing; the current one passes.
    let mut changed = new_user("grace.hopper", "Grace", "Murray Hopper");
    changed["externalId"] = Value::Null;
    let a = scim(
        &app,
        &t,
        Method::PUT,
        &format!("/Users/{id}"),
        Some(changed.clone()),
        &[("if-match", "W/\"stale\"")],
    )
    .await;
    assert_eq!(a.status, StatusCode::PRECONDITION_FAILED, "{}", a.body);
    assert_eq!(
        get(&app, &t, &format!("/Users/{id}")).await.body["userName"],
        "grace"
    );
    let a = scim(
        &app,
        &t,
        Method::PUT,
        &format!("/Users/{id}"),
        Some(changed),
        &[("if-match", &etag)],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["userName"], "grace.hopper");
    assert_eq!(a.body["name"]["familyName"], "Murray Hopper");
    assert!(a.body.get("externalId").is_none());
    assert_ne!(
        a.headers["etag"].to_str().unwrap(),
        etag,
        "a change is a new version"
    );

    // Delete: inactive in Portico (kept for its history), gone for SCIM.
    let a = scim(
        &app,
        &t,
        Method::DELETE,
        &format!("/Users/{id}"),
        None,
        &[("if-match", "W/\"stale\"")],
    )
    .await;
    assert_eq!(a.status, StatusCode::PRECONDITION_FAILED);
    let a = scim(&app, &t, Method::DELETE, &format!("/Users/{id}"), None, &[]).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.body);
    assert_eq!(
        get(&app, &t, &format!("/Users/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let a = scim(&app, &t, Method::DELETE, &format!("/Users/{id}"), None, &[]).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let user = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/users/{id}"),
            None,
        )
        .await;
    assert_eq!(user["status__v"], "inactive__v");

    // Each change is audited with the token's name as its cause.
    for action in ["user.created", "user.updated", "user.deleted"] {
        let entries = audit_actions(&app, action).await;
        assert!(
            entries
                .iter()
                .any(|e| e["cause"].as_str().unwrap_or_default().contains("'Okta'")),
            "{action}: {entries:?}"
        );
    }
}
both_backends!(crud, users_are_created_read_replaced_and_deleted);

async fn lists_filter_sort_page_and_cut_attributes(app: TestApp) {
    let t = token(&app, "Keycloak").await;
    create(&app, &t, "ada", "Ada", "Lovelace").await;
    create(&app, &t, "alan", "Alan", "Turing").await;
    let barbara = create(&app, &t, "barbara", "Barbara", "Liskov").await;
    let b_id = barbara["id"].as_str().unwrap().to_string();
    let a = scim(
        &app,
        &t,
        Method::PATCH,
        &format!("/Users/{b_id}"),
        Some(patch_ops(
            json!([{"op": "replace", "value": {"active": false}}]),
        )),
        &[],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);

    let names = |a: &Answer| -> Vec<String> {
        a.body["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["userName"].as_str().unwrap_or("-").to_string())
            .collect()
    };
    let q = |f: &str| format!("/Users?filter={}", urlencode(f));
    for (filter, want) in [
        (r#"userName eq "ADA""#, vec!["ada"]),
        (
            r#"userName ne "ada" and userName sw "a""#,
            vec!["admin", "alan"],
        ),
        (r#"name.familyName co "ov""#, vec!["ada", "barbara"]),
        (r#"emails.value ew "n@corp.example""#, vec!["alan"]),
        (r#"userName gt "alan" and userName lt "c""#, vec!["barbara"]),
        (r#"userName ge "alan" and userName le "alan""#, vec!["alan"]),
        (r#"externalId pr and active eq false"#, vec!["barbara"]),
        (
            r#"not (active eq true) or userName eq "ada""#,
            vec!["ada", "barbara"],
        ),
        (
            r#"(userName eq "ada" or userName eq "alan") and name.givenName sw "al""#,
            vec!["alan"],
        ),
        (
            r#"emails[type eq "work" and value sw "bar"]"#,
            vec!["barbara"],
        ),
        (
            &format!(r#"{EXT}:licenseType eq "full" and userName sw "a""#),
            vec!["admin", "ada", "alan"],
        ),
    ] {
        let a = get(&app, &t, &q(filter)).await;
        assert_eq!(a.status, StatusCode::OK, "{filter}: {}", a.body);
        assert_eq!(names(&a), want, "{filter}");
        assert_eq!(a.body["totalResults"], want.len(), "{filter}");
    }
    for bad in [
        "userName eq",
        "userName zz \"a\"",
        "active gt true",
        "(userName pr",
    ] {
        let a = get(&app, &t, &q(bad)).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(a.body["scimType"], "invalidFilter", "{bad}");
    }

    // Sorting and paging (the admin is a user too: sorted in with the others).
    let a = get(
        &app,
        &t,
        "/Users?sortBy=name.familyName&sortOrder=descending&filter=userName%20ne%20%22admin%22",
    )
    .await;
    assert_eq!(names(&a), ["alan", "ada", "barbara"]);
    let a = get(&app, &t, "/Users?sortBy=userName&startIndex=2&count=2").await;
    assert_eq!(names(&a), ["admin", "alan"]);
    assert_eq!(a.body["totalResults"], 4);
    assert_eq!(a.body["startIndex"], 2);
    assert_eq!(a.body["itemsPerPage"], 2);
    let a = get(&app, &t, "/Users?count=0").await;
    assert_eq!(
        (
            a.body["totalResults"].as_u64(),
            a.body["Resources"].as_array().unwrap().len()
        ),
        (Some(4), 0)
    );
    let a = get(&app, &t, "/Users?count=many").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);

    // Attributes: only those asked (with id and schemas), or all but the excluded.
    let a = get(
        &app,
        &t,
        &format!("/Users/{b_id}?attributes=userName,name.givenName"),
    )
    .await;
    let keys: Vec<&String> = a.body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "name", "schemas", "userName"]);
    assert_eq!(a.body["name"], json!({"givenName": "Barbara"}));
    let a = get(
        &app,
        &t,
        &format!("/Users?filter=userName%20eq%20%22ada%22&excludedAttributes=emails,{EXT}"),
    )
    .await;
    let ada = &a.body["Resources"][0];
    assert!(ada.get("emails").is_none() && ada.get(EXT).is_none() && ada["userName"] == "ada");

    // POST /.search takes the same in its body.
    let a = scim(&app, &t, Method::POST, "/Users/.search", Some(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": "userName sw \"a\"", "sortBy": "userName", "attributes": ["userName"], "count": 1
    })), &[]).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(names(&a), ["ada"]);
    assert_eq!(a.body["totalResults"], 3, "ada, admin, alan");
}
both_backends!(lists, lists_filter_sort_page_and_cut_attributes);

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A session of a user created over SCIM: it has no password until it follows a link.
async fn session_of(app: &TestApp, user_name: &str) -> String {
    let email = format!("{user_name}@corp.example");
    let (status, body) = app.ask_for_link(&email).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let link = app.link_token(&email).await;
    let (status, body) = app.set_password(&link, "a long enough password 42").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.login(user_name, "a long enough password 42").await
}

async fn patch_takes_the_shapes_okta_and_entra_send(app: TestApp) {
    let t = token(&app, "Entra ID").await;
    let u = create(&app, &t, "linus", "Linus", "Pauling").await;
    let id = u["id"].as_str().unwrap().to_string();
    let session = session_of(&app, "linus").await;
    assert_eq!(app.get(&session, "/api/v1/users").await.0, StatusCode::OK);
    let path = format!("/Users/{id}");

    // Entra ID: capitalised ops, paths, a filtered email, "False" as a string.
    let a = scim(&app, &t, Method::PATCH, &path, Some(patch_ops(json!([
        {"op": "Replace", "path": "name.givenName", "value": "Linus Carl"},
        {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "lcp@corp.example"},
        {"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "QA"},
        {"op": "Replace", "path": "active", "value": "False"}
    ]))), &[]).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["name"]["givenName"], "Linus Carl");
    assert_eq!(a.body["emails"][0]["value"], "lcp@corp.example");
    assert_eq!(a.body["active"], false);
    let (status, _) = app.get(&session, "/api/v1/users").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "inactivation ends the user's sessions at once"
    );
    let user = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/users/{id}"),
            None,
        )
        .await;
    assert_eq!(user["status__v"], "inactive__v");

    // Okta: no path, an object of attributes; active as a boolean.
    let a = scim(
        &app,
        &t,
        Method::PATCH,
        &path,
        Some(patch_ops(json!([
            {"op": "replace", "value": {"active": true, "externalId": "00u1okta"}}
        ]))),
        &[],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(
        (a.body["active"].as_bool(), a.body["externalId"].as_str()),
        (Some(true), Some("00u1okta"))
    );
    let etag = a.headers["etag"].to_str().unwrap().to_string();

    // add without a path, remove with one; If-Match checked.
    let a = scim(
        &app,
        &t,
        Method::PATCH,
        &path,
        Some(patch_ops(json!([
            {"op": "remove", "path": "externalId"}
        ]))),
        &[("if-match", "W/\"old\"")],
    )
    .await;
    assert_eq!(a.status, StatusCode::PRECONDITION_FAILED);
    let a = scim(
        &app,
        &t,
        Method::PATCH,
        &path,
        Some(patch_ops(json!([
            {"op": "remove", "path": "externalId"},
            {"op": "add", "value": {"name": {"familyName": "Pauling-Miller"}}}
        ]))),
        &[("if-match", &etag)],
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(a.body.get("externalId").is_none());
    assert_eq!(
        a.body["name"]["givenName"], "Linus Carl",
        "other sub-attributes stay"
    );
    assert_eq!(a.body["name"]["familyName"], "Pauling-Miller");

    // Refused patches change nothing.
    for (ops, scim_type) in [
        (json!([{"op": "remove"}]), "noTarget"),
        (json!([{"op": "jump", "path": "active"}]), "invalidSyntax"),
        (
            json!([{"op": "replace", "path": "emails[type eq", "value": 1}]),
            "invalidPath",
        ),
        (
            json!([{"op": "replace", "path": "active", "value": "perhaps"}]),
            "invalidValue",
        ),
        (
            json!([{"op": "remove", "path": "userName"}]),
            "invalidValue",
        ),
    ] {
        let a = scim(
            &app,
            &t,
            Method::PATCH,
            &path,
            Some(patch_ops(ops.clone())),
            &[],
        )
        .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{ops}: {}", a.body);
        assert_eq!(a.body["scimType"], scim_type, "{ops}");
    }
    let a = get(&app, &t, &path).await;
    assert_eq!(
        (a.body["userName"].as_str(), a.body["active"].as_bool()),
        (Some("linus"), Some(true))
    );
}
both_backends!(patch, patch_takes_the_shapes_okta_and_entra_send);

async fn externals_keep_the_managed_flag_and_the_one_seat_check(app: TestApp) {
    let t = token(&app, "Okta").await;
    let (_person, email, _scar) = app.contact_on_sent_scar("Anna", "Berg").await;
    let anna = app.user_by_email(&email).await;
    let id = anna["id"].as_str().unwrap().to_string();
    let path = format!("/Users/{id}");

    // Visible to the provider, with the managed flag in Portico's extension.
    let a = get(
        &app,
        &t,
        &format!(
            "/Users?filter={}",
            urlencode(&format!("{EXT}:managedByQmsAutomation eq true"))
        ),
    )
    .await;
    assert_eq!(a.body["totalResults"], 1, "{}", a.body);
    assert_eq!(a.body["Resources"][0]["id"], id.as_str());
    assert_eq!(a.body["Resources"][0][EXT]["licenseType"], "external");
    assert!(a.body["Resources"][0][EXT]["person"].is_string());

    // Managed by automation: SCIM cannot inactivate it (nor delete it).
    let off = patch_ops(json!([{"op": "replace", "path": "active", "value": false}]));
    let a = scim(&app, &t, Method::PATCH, &path, Some(off.clone()), &[]).await;
    assert_eq!(
        (a.status, a.body["scimType"].as_str()),
        (StatusCode::BAD_REQUEST, Some("mutability")),
        "{}",
        a.body
    );
    let a = scim(&app, &t, Method::DELETE, &path, None, &[]).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    // Nor rename it: its details are its person's.
    let a = scim(
        &app,
        &t,
        Method::PATCH,
        &path,
        Some(patch_ops(
            json!([{"op": "replace", "path": "name.familyName", "value": "X"}]),
        )),
        &[],
    )
    .await;
    assert_eq!(a.body["scimType"], "mutability");
    assert_eq!(app.licenses().await["active"], 1);

    // Unmanaged: active false frees its seat.
    let (status, body) = app
        .patch(
            &app.admin,
            &format!("/api/v1/users/{id}"),
            json!({"managed_by_qms_automation__v": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let a = scim(&app, &t, Method::PATCH, &path, Some(off), &[]).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(app.licenses().await["active"], 0);

    // Ten others take every seat: active true is refused through the one seat check.
    let acme = app.org("Acme Ten").await;
    let mut people = vec![];
    for i in 0..10 {
        people.push(app.person(&acme, &format!("P{i}"), "Ten").await);
    }
    let refs: Vec<&str> = people.iter().map(String::as_str).collect();
    let scar = app.record("car__v", "SCAR-TEN", &acme, &refs).await;
    app.send("car__v", &scar).await;
    assert_eq!(app.licenses().await["available"], 0);
    let on = patch_ops(json!([{"op": "replace", "value": {"active": "True"}}]));
    let a = scim(&app, &t, Method::PATCH, &path, Some(on.clone()), &[]).await;
    assert_eq!(
        (a.status, a.body["scimType"].as_str()),
        (StatusCode::BAD_REQUEST, Some("mutability")),
        "{}",
        a.body
    );
    assert!(
        a.body["detail"].as_str().unwrap().contains("seat"),
        "{}",
        a.body
    );
    assert_eq!(
        get(&app, &t, &path).await.body["active"],
        false,
        "nothing was changed"
    );
    let (status, _) = app
        .put(
            &app.admin,
            "/api/v1/licenses",
            json!({"external_seats": 20}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let a = scim(&app, &t, Method::PATCH, &path, Some(on), &[]).await;
    assert_eq!(
        (a.status, a.body["active"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{}",
        a.body
    );
    assert_eq!(app.licenses().await["active"], 11);
}
both_backends!(
    externals,
    externals_keep_the_managed_flag_and_the_one_seat_check
);

async fn every_request_is_audited_with_the_token_name(app: TestApp) {
    let t = token(&app, "Keycloak realm acme").await;
    get(&app, &t, "/Users").await;
    get(&app, &t, "/Users/usr_none").await;
    let entries = audit_actions(&app, "scim.request").await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    for e in &entries {
        assert!(
            e["cause"]
                .as_str()
                .unwrap()
                .contains("'Keycloak realm acme'"),
            "{e}"
        );
    }
    let text = serde_json::to_string(&entries).unwrap();
    assert!(
        text.contains("GET /Users/usr_none") && text.contains("404"),
        "{text}"
    );
}
both_backends!(audit, every_request_is_audited_with_the_token_name);

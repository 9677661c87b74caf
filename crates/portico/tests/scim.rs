//! SCIM 2.0 provisioning (SPEC section 11): identity providers' tokens, the discovery
//! endpoints, users created, read, replaced, patched (the shapes Okta and Entra ID send),
//! deleted and listed with filters, sorting, paging and attribute selection; `active` through
//! the one seat check and the managed flag; every change in the audit trail with the
//! token's name. Over real HTTP on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::scim::*;
use support::TestApp;

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

/// Every change, and every refused change, is in the audit trail with the token's name; a
/// read is not (a provider polls: a row per read would make every GET a write), the token's
/// `last_used_at` says when the provider last came.
async fn changes_are_audited_with_the_token_name_and_reads_are_not(app: TestApp) {
    let t = token(&app, "Keycloak realm acme").await;
    let listed = app
        .ok(Method::GET, &app.admin, "/api/v1/scim-tokens", None)
        .await;
    assert!(listed[0]["last_used_at"].is_null(), "{listed}");
    get(&app, &t, "/Users").await;
    get(&app, &t, "/Users/usr_none").await;
    let grace = create(&app, &t, "grace", "Grace", "Hopper").await;
    let a = scim(&app, &t, Method::DELETE, "/Users/usr_none", None, &[]).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    get(
        &app,
        &t,
        &format!("/Users/{}", grace["id"].as_str().unwrap()),
    )
    .await;

    let requests = audit_actions(&app, "scim.request").await;
    assert_eq!(requests.len(), 1, "only the refused delete: {requests:?}");
    let text = serde_json::to_string(&requests).unwrap();
    assert!(
        text.contains("DELETE /Users/usr_none") && text.contains("404"),
        "{text}"
    );
    let created: Vec<Value> = audit_actions(&app, "user.created")
        .await
        .into_iter()
        .filter(|e| e["object_id"] == grace["id"])
        .collect();
    assert_eq!(created.len(), 1, "{created:?}");
    for e in requests.iter().chain(&created) {
        assert!(
            e["cause"]
                .as_str()
                .unwrap()
                .contains("'Keycloak realm acme'"),
            "{e}"
        );
    }
    let listed = app
        .ok(Method::GET, &app.admin, "/api/v1/scim-tokens", None)
        .await;
    assert!(listed[0]["last_used_at"].is_string(), "{listed}");
}
both_backends!(
    audit,
    changes_are_audited_with_the_token_name_and_reads_are_not
);

/// Asserts that a SCIM request was refused with `status` (and `scimType` when given) and that
/// the user is as it was, in SCIM and in Portico.
async fn refused_unchanged(
    app: &TestApp,
    t: &str,
    a: Answer,
    status: StatusCode,
    scim_type: Option<&str>,
    before: &Value,
) {
    assert_eq!(a.status, status, "{}", a.body);
    assert_eq!(a.body["scimType"].as_str(), scim_type, "{}", a.body);
    let id = before["id"].as_str().unwrap();
    let now = get(app, t, &format!("/Users/{id}")).await;
    assert_eq!(now.status, StatusCode::OK, "still there: {}", now.body);
    assert_eq!(now.body, *before, "unchanged");
    let user = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/users/{id}"),
            None,
        )
        .await;
    assert_eq!(user["status__v"], "active__v", "{user}");
}

/// An identity provider cannot lock the company out: the break-glass `admin` and the other
/// administrators are not inactivated, deleted, renamed or given another email over SCIM (a
/// new email would send the administrator's set-password link to the provider's choice).
/// Their names and `externalId` may still be kept in step.
async fn administrators_cannot_be_locked_out_over_scim(app: TestApp) {
    let t = token(&app, "Entra ID").await;
    let (status, body) = app
        .post(
            &app.admin,
            "/api/v1/users",
            json!({"username__v": "second.admin", "first_name__v": "Second", "last_name__v": "Admin",
                   "email__v": "second.admin@corp.example", "security_profile__v": "system_admin",
                   "password": "second admin's long password"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let admin_session = app.admin.clone();
    for user_name in ["admin", "second.admin"] {
        let before = user_named(&app, &t, user_name).await;
        let id = before["id"].as_str().unwrap().to_string();
        let path = format!("/Users/{id}");
        let mut put = before.clone();
        put["active"] = json!(false);
        let a = scim(&app, &t, Method::PUT, &path, Some(put), &[]).await;
        refused_unchanged(
            &app,
            &t,
            a,
            StatusCode::BAD_REQUEST,
            Some("mutability"),
            &before,
        )
        .await;
        for value in [json!(false), json!("False")] {
            let ops = patch_ops(json!([{"op": "replace", "path": "active", "value": value}]));
            let a = scim(&app, &t, Method::PATCH, &path, Some(ops), &[]).await;
            refused_unchanged(
                &app,
                &t,
                a,
                StatusCode::BAD_REQUEST,
                Some("mutability"),
                &before,
            )
            .await;
        }
        let ops = patch_ops(json!([{"op": "replace", "value": {"active": "False"}}]));
        let a = scim(&app, &t, Method::PATCH, &path, Some(ops), &[]).await;
        refused_unchanged(
            &app,
            &t,
            a,
            StatusCode::BAD_REQUEST,
            Some("mutability"),
            &before,
        )
        .await;
        let mut put = before.clone();
        put["userName"] = json!(format!("{user_name}.renamed"));
        let a = scim(&app, &t, Method::PUT, &path, Some(put), &[]).await;
        refused_unchanged(
            &app,
            &t,
            a,
            StatusCode::BAD_REQUEST,
            Some("mutability"),
            &before,
        )
        .await;
        let ops = patch_ops(
            json!([{"op": "replace", "path": "emails[type eq \"work\"].value",
                                     "value": "someone.else@elsewhere.example"}]),
        );
        let a = scim(&app, &t, Method::PATCH, &path, Some(ops), &[]).await;
        refused_unchanged(
            &app,
            &t,
            a,
            StatusCode::BAD_REQUEST,
            Some("mutability"),
            &before,
        )
        .await;
        let a = scim(&app, &t, Method::DELETE, &path, None, &[]).await;
        refused_unchanged(&app, &t, a, StatusCode::FORBIDDEN, None, &before).await;

        // Names and the provider's own id are still the provider's to keep in step.
        let ops = patch_ops(
            json!([{"op": "replace", "path": "externalId", "value": "entra-1"},
                                   {"op": "replace", "path": "name.familyName", "value": "Kept"}]),
        );
        let a = scim(&app, &t, Method::PATCH, &path, Some(ops), &[]).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(a.body["externalId"], "entra-1");
        assert_eq!(a.body["active"], true);
    }
    // The break-glass admin still signs in, and its session still works.
    app.login("admin", support::ADMIN_PASSWORD).await;
    let (status, _) = app.get(&admin_session, "/api/v1/users").await;
    assert_eq!(status, StatusCode::OK);
    // Each refusal is in the audit trail with the token's name.
    let refusals = audit_actions(&app, "scim.request").await;
    assert!(
        refusals
            .iter()
            .filter(|e| e["cause"]
                .as_str()
                .unwrap_or_default()
                .contains("'Entra ID'"))
            .count()
            >= 14,
        "{refusals:?}"
    );
}
both_backends!(
    administrators,
    administrators_cannot_be_locked_out_over_scim
);

/// The lists the database answers (`userName`, `externalId`, `emails`, `id` and `active` eq,
/// paging, `sortBy=userName`) answer exactly what the evaluator answers over every user: each
/// is compared with a filter that means the same but that only the evaluator decides.
async fn lists_in_sql_answer_what_the_evaluator_answers(app: TestApp) {
    let t = token(&app, "Okta").await;
    let mut ids = vec![];
    for (user_name, given, family) in [
        ("Zed", "Zed", "Last"),
        ("adam", "Adam", "First"),
        ("MiXed.Case", "Mixed", "Case"),
        ("bob", "Bob", "Builder"),
        ("_under", "Under", "Score"),
        ("ÜNAL", "Ünal", "Umlaut"),
        ("carol", "Carol", "Gone"),
        ("dave", "Dave", "Sleeping"),
        ("Erin", "Erin", "Sleeping"),
    ] {
        let made = create(&app, &t, user_name, given, family).await;
        ids.push(made["id"].as_str().unwrap().to_string());
    }
    for id in &ids[7..] {
        let ops = patch_ops(json!([{"op": "replace", "path": "active", "value": false}]));
        let a = scim(
            &app,
            &t,
            Method::PATCH,
            &format!("/Users/{id}"),
            Some(ops),
            &[],
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    }
    let a = scim(
        &app,
        &t,
        Method::DELETE,
        &format!("/Users/{}", ids[6]),
        None,
        &[],
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);

    let f = |filter: &str| format!("filter={}", urlencode(filter));
    let not_not = |filter: &str| f(&format!("not (not ({filter}))"));
    let mixed = ids[2].clone();
    let cases: Vec<(String, String)> = vec![
        (String::new(), f("userName pr")),
        (
            "startIndex=3&count=2".into(),
            format!("startIndex=3&count=2&{}", f("userName pr")),
        ),
        ("count=0".into(), format!("count=0&{}", f("userName pr"))),
        (
            "startIndex=50".into(),
            format!("startIndex=50&{}", f("userName pr")),
        ),
        (f("active eq true"), f("not (active ne true)")),
        (f("active eq false"), f("not (active ne false)")),
        (
            "sortBy=userName".into(),
            format!("sortBy=userName&{}", f("userName pr")),
        ),
        (
            "sortBy=userName&sortOrder=descending&startIndex=2&count=3".into(),
            format!(
                "sortBy=userName&sortOrder=descending&startIndex=2&count=3&{}",
                f("userName pr")
            ),
        ),
        (
            format!(
                "sortBy=userName&startIndex=2&count=2&{}",
                f("active eq true")
            ),
            format!(
                "sortBy=userName&startIndex=2&count=2&{}",
                f("not (active ne true)")
            ),
        ),
        (
            f(r#"userName eq "mixed.case""#),
            not_not(r#"userName eq "mixed.case""#),
        ),
        (
            f(r#"userName eq "carol""#),
            not_not(r#"userName eq "carol""#),
        ),
        (
            f(r#"externalId eq "ext-bob""#),
            not_not(r#"externalId eq "ext-bob""#),
        ),
        (
            f(r#"externalId eq "EXT-BOB""#),
            not_not(r#"externalId eq "EXT-BOB""#),
        ),
        (
            f(r#"emails[value eq "BOB@corp.example"]"#),
            not_not(r#"emails[value eq "BOB@corp.example"]"#),
        ),
        (
            f(r#"emails.value eq "dave@corp.example" and active eq false"#),
            not_not(r#"emails.value eq "dave@corp.example" and active eq false"#),
        ),
        (
            f(&format!(r#"id eq "{mixed}""#)),
            not_not(&format!(r#"id eq "{mixed}""#)),
        ),
        (
            format!(
                "attributes=userName&{}",
                f(r#"userName eq "adam" and name.familyName sw "F""#)
            ),
            format!(
                "attributes=userName&{}",
                not_not(r#"userName eq "adam" and name.familyName sw "F""#)
            ),
        ),
    ];
    for (database, evaluator) in &cases {
        let a = get(&app, &t, &format!("/Users?{database}")).await;
        let b = get(&app, &t, &format!("/Users?{evaluator}")).await;
        assert_eq!(a.status, StatusCode::OK, "{database}: {}", a.body);
        assert_eq!(a.body, b.body, "{database} and {evaluator} differ");
    }
    // And they are what was asked.
    let a = get(&app, &t, "/Users?sortBy=userName").await;
    assert_eq!(
        names(&a),
        [
            "_under",
            "adam",
            "admin",
            "bob",
            "dave",
            "Erin",
            "MiXed.Case",
            "Zed",
            "ÜNAL"
        ]
    );
    let a = get(&app, &t, &format!("/Users?{}", f("active eq false"))).await;
    assert_eq!(names(&a), ["dave", "Erin"]);
    let a = get(
        &app,
        &t,
        &format!("/Users?{}", f(r#"userName eq "mixed.case""#)),
    )
    .await;
    assert_eq!(names(&a), ["MiXed.Case"]);
    let a = get(&app, &t, &format!("/Users?{}", f(r#"userName eq "carol""#))).await;
    assert_eq!(a.body["totalResults"], 0, "deleted over SCIM: {}", a.body);
    // A filter whose operator does not apply is refused whichever way it would be answered.
    for bad in [
        r#"userName eq "nobody" and active gt true"#,
        r#"active gt true"#,
    ] {
        let a = get(&app, &t, &format!("/Users?{}", f(bad))).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}: {}", a.body);
        assert_eq!(a.body["scimType"], "invalidFilter");
    }
}
both_backends!(sql_lists, lists_in_sql_answer_what_the_evaluator_answers);

//! The envelope, auth and error contract of SPEC section 9, and the users endpoints.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::TestApp;

async fn bad_credentials_and_sessions_answer_401_alike(app: TestApp) {
    let (s, _) = app.call(Method::GET, None, "/healthz", None).await;
    assert_eq!(s, StatusCode::OK);
    for (user, password) in [("admin", "wrong-password"), ("nobody", "whatever-password")] {
        let (status, body) = app
            .call(
                Method::POST,
                None,
                "/api/v1/auth",
                Some(json!({"username": user, "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["errors"][0]["type"], "USERNAME_OR_PASSWORD_INCORRECT");
    }
    let (status, body) = app.call(Method::GET, None, "/api/v1/users", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["errors"][0]["type"], "INVALID_SESSION_ID");
    let (status, _) = app.get("not-a-session", "/api/v1/users").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let token = app.login("admin", support::ADMIN_PASSWORD).await;
    let (status, _) = app
        .call(Method::DELETE, Some(&token), "/api/v1/auth", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get(&token, "/api/v1/users").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "logged out");
}
both_backends!(auth, bad_credentials_and_sessions_answer_401_alike);

async fn bad_input_gets_a_clear_error_in_the_envelope(app: TestApp) {
    let resp = app
        .client
        .post(format!("{}/api/v1/vobjects/organization__v", app.base))
        .bearer_auth(&app.admin)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["responseStatus"], "FAILURE");
    assert_eq!(body["errors"][0]["type"], "INVALID_DATA");

    let cases = [
        (
            Method::POST,
            "/api/v1/vobjects/organization__v",
            json!({}),
            StatusCode::BAD_REQUEST,
            "PARAMETER_REQUIRED",
        ),
        (
            Method::POST,
            "/api/v1/vobjects/organization__v",
            json!({"name__v": 7}),
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
        ),
        (
            Method::POST,
            "/api/v1/vobjects/organization__v",
            json!({"name__v": "A", "colour": 1}),
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
        ),
        (
            Method::POST,
            "/api/v1/vobjects/person__v",
            json!({"first_name__v": "A", "last_name__v": "B", "email__v": "nope"}),
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
        ),
        (
            Method::POST,
            "/api/v1/vobjects/car__v",
            json!({"name__v": "X", "state__v": "closed__c"}),
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
        ),
        (
            Method::POST,
            "/api/v1/vobjects/car__v",
            json!({"name__v": "X", "external_collaborator__v": ["per_missing"]}),
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
        ),
        (
            Method::POST,
            "/api/v1/vobjects/car__v",
            json!({"name__v": "X", "object_type__v": "supplier_ncr__v"}),
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
        ),
        (
            Method::GET,
            "/api/v1/vobjects/widget__v",
            json!(null),
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
        (
            Method::GET,
            "/api/v1/vobjects/car__v/rec_missing",
            json!(null),
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
        (
            Method::GET,
            "/api/v1/vobjects/car__v?colour=red",
            json!(null),
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
        ),
        (
            Method::GET,
            "/api/v1/vobjects/car__v?limit=0",
            json!(null),
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
        ),
        (
            Method::GET,
            "/api/v1/nothing-here",
            json!(null),
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
        (
            Method::PUT,
            "/api/v1/licenses",
            json!({}),
            StatusCode::BAD_REQUEST,
            "PARAMETER_REQUIRED",
        ),
        (
            Method::PUT,
            "/api/v1/licenses",
            json!({"external_seats": "ten"}),
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
        ),
        (
            Method::PATCH,
            "/api/v1/users/usr_missing",
            json!({"status__v": "active__v"}),
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
    ];
    for (method, path, body, status, kind) in cases {
        let body = (!body.is_null()).then_some(body);
        let (got, value) = app.call(method.clone(), Some(&app.admin), path, body).await;
        assert_eq!(got, status, "{method} {path}: {value}");
        assert_eq!(value["responseStatus"], "FAILURE", "{method} {path}");
        assert_eq!(value["errors"][0]["type"], kind, "{method} {path}: {value}");
        assert!(!value["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .is_empty());
    }
}
both_backends!(errors, bad_input_gets_a_clear_error_in_the_envelope);

async fn managed_users_follow_automation_and_unmanaged_ones_take_a_seat_by_hand(app: TestApp) {
    let acme = app.org("Acme").await;
    let anna = app.person(&acme, "Anna", "Berg").await;
    let scar = app.record("car__v", "SCAR-1", &acme, &[&anna]).await;
    app.send("car__v", &scar).await;
    let user = app.user_of(&anna).await;
    let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap());
    let (status, body) = app
        .patch(&app.admin, &path, json!({"status__v": "inactive__v"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["errors"][0]["type"], "OPERATION_NOT_ALLOWED");
    let (status, body) = app
        .patch(
            &app.admin,
            &path,
            json!({"managed_by_qms_automation__v": false, "status__v": "inactive__v"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status__v"], "inactive__v");
    assert_eq!(app.licenses().await["active"], 0);
    let tracked = app
        .ok(
            Method::GET,
            &app.admin,
            &format!("/api/v1/assignments?person__v={anna}&assignment_activity__v=active__v"),
            None,
        )
        .await;
    assert!(
        tracked.as_array().unwrap().is_empty(),
        "unmanaged users are not tracked"
    );
    // Handing it back to automation: its open SCAR makes it active again.
    let (status, body) = app
        .patch(
            &app.admin,
            &path,
            json!({"managed_by_qms_automation__v": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status__v"], "active__v");
    assert_eq!(app.licenses().await["active"], 1);

    // Only admins change users.
    let (status, _) = app
        .call(
            Method::POST,
            Some(&app.admin),
            "/api/v1/vobjects/organization__v",
            Some(json!({"name__v": "Other"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let audit = app
        .ok(
            Method::GET,
            &app.admin,
            "/api/v1/audit?action=user.updated",
            None,
        )
        .await;
    assert_eq!(audit.as_array().unwrap().len(), 2);
    assert_eq!(audit[0]["after"]["status__v"], "active__v");
    assert_eq!(
        audit[0]["actor"],
        app.user_by_email("admin@portico.invalid").await["id"]
    );
}
both_backends!(
    users,
    managed_users_follow_automation_and_unmanaged_ones_take_a_seat_by_hand
);

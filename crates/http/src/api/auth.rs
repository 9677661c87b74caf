//! `POST|DELETE /api/v1/auth`, `POST /api/v1/auth/set-password`.

use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use portico_service::Portico;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::dto::ok;
use crate::extract::{AuthAny, Body, ClientAddress};
use crate::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    username: Option<String>,
    password: Option<String>,
}

fn required(v: Option<String>, name: &str) -> Result<String, ApiError> {
    v.ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "PARAMETER_REQUIRED",
            format!("{name} is required"),
        )
    })
}

pub async fn login(
    State(app): State<Portico>,
    address: ClientAddress,
    Body(body): Body<LoginBody>,
) -> Result<Json<Value>, ApiError> {
    let username = required(body.username, "username")?;
    let password = required(body.password, "password")?;
    let login = app
        .login(&username, &password, address.0.as_deref())
        .await?;
    let mut body = json!({
        "responseStatus": "SUCCESS",
        "sessionId": login.session_id,
        "data": {"userId": login.user_id.as_str()},
    });
    if login.password_change_required {
        body["passwordChangeRequired"] = json!(true);
    }
    Ok(Json(body))
}

pub async fn logout(
    State(app): State<Portico>,
    AuthAny(caller, token): AuthAny,
) -> Result<impl IntoResponse, ApiError> {
    app.logout(&caller, &token).await?;
    Ok(ok(json!({})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetPasswordBody {
    token: Option<String>,
    password: Option<String>,
}

pub async fn set_password(
    State(app): State<Portico>,
    Body(body): Body<SetPasswordBody>,
) -> Result<Json<Value>, ApiError> {
    let token = required(body.token, "token")?;
    let password = required(body.password, "password")?;
    let user = app.set_password_with_token(&token, &password).await?;
    Ok(Json(
        json!({"responseStatus": "SUCCESS", "data": {"userId": user.as_str()}}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordBody {
    current_password: Option<String>,
    new_password: Option<String>,
}

pub async fn change_password(
    State(app): State<Portico>,
    AuthAny(caller, token): AuthAny,
    Body(body): Body<ChangePasswordBody>,
) -> Result<impl IntoResponse, ApiError> {
    let current = required(body.current_password, "current_password")?;
    let new = required(body.new_password, "new_password")?;
    app.change_password(&caller, &token, &current, &new).await?;
    Ok(ok(json!({"userId": caller.user.id.as_str()})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordLinkBody {
    username: Option<String>,
}

/// Always the same answer, so that it reveals no accounts.
pub async fn password_link(
    State(app): State<Portico>,
    address: ClientAddress,
    Body(body): Body<PasswordLinkBody>,
) -> Result<impl IntoResponse, ApiError> {
    let login = required(body.username, "username")?;
    app.request_password_link(&login, address.0.as_deref())
        .await?;
    Ok(ok(
        json!({"message": "if an active account has that username or email, a new link is on its way"}),
    ))
}

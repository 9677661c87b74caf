//! `POST|DELETE /api/v1/auth`, `POST /api/v1/auth/set-password`.

use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use portico_service::Portico;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::dto::ok;
use crate::extract::{Auth, Body};
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
    Body(body): Body<LoginBody>,
) -> Result<Json<Value>, ApiError> {
    let username = required(body.username, "username")?;
    let password = required(body.password, "password")?;
    let login = app.login(&username, &password).await?;
    Ok(Json(json!({
        "responseStatus": "SUCCESS",
        "sessionId": login.session_id,
        "data": {"userId": login.user_id.as_str()},
    })))
}

pub async fn logout(
    State(app): State<Portico>,
    Auth(caller, token): Auth,
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

//! `POST|DELETE /api/v1/auth`, setting and changing passwords, asking for a new link.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use portico_service::Portico;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::wire::{ok, Answer, Empty, Success, SuccessStatus};
use crate::error::Refusals;
use crate::extract::{AuthAny, ClientAddress, Json};
use crate::ApiError;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// A username or, for external collaborators, an email address.
    username: String,
    password: String,
}

/// The sign-in answer: the session next to the envelope's `data`, as SPEC section 9 has it.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Session {
    #[serde(rename = "responseStatus")]
    response_status: SuccessStatus,
    /// Send it as `Authorization: Bearer <sessionId>`.
    #[serde(rename = "sessionId")]
    session_id: String,
    data: UserRef,
    /// Present, and true, when the password was a one-time password: set your own with
    /// `POST /api/v1/auth/password` before anything else.
    #[serde(
        rename = "passwordChangeRequired",
        skip_serializing_if = "std::ops::Not::not"
    )]
    password_change_required: bool,
}

impl IntoResponse for Session {
    fn into_response(self) -> Response {
        axum::Json(self).into_response()
    }
}

/// `{"userId": ...}`
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserRef {
    #[serde(rename = "userId")]
    user_id: String,
}

/// Sign in
#[utoipa::path(post, path = "/auth", security(()), responses((status = 200, body = Session), Refusals))]
pub async fn login(
    State(app): State<Portico>,
    address: ClientAddress,
    Json(body): Json<Login>,
) -> Result<Session, ApiError> {
    let login = app
        .login(&body.username, &body.password, address.0.as_deref())
        .await?;
    Ok(Session {
        response_status: SuccessStatus::Success,
        session_id: login.session_id,
        data: UserRef {
            user_id: login.user_id.to_string(),
        },
        password_change_required: login.password_change_required,
    })
}

/// Sign out
#[utoipa::path(delete, path = "/auth", responses((status = 200, body = Success<Empty>), Refusals))]
pub async fn logout(AuthAny(app, caller, token): AuthAny) -> Answer<Empty> {
    app.logout(&caller, &token).await?;
    Ok(ok(Empty {}))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    /// The token of a set-password link.
    token: String,
    password: String,
}

/// Set a password with a link's token
#[utoipa::path(post, path = "/auth/set-password", security(()), responses((status = 200, body = Success<UserRef>), Refusals))]
pub async fn set_password(
    State(app): State<Portico>,
    Json(body): Json<SetPassword>,
) -> Answer<UserRef> {
    let user = app
        .set_password_with_token(&body.token, &body.password)
        .await?;
    Ok(ok(UserRef {
        user_id: user.to_string(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    current_password: String,
    new_password: String,
}

/// Change the own password
///
/// Also for a caller that signed in with a one-time password (and may do nothing else yet).
#[utoipa::path(post, path = "/auth/password", responses((status = 200, body = Success<UserRef>), Refusals))]
pub async fn change_password(
    AuthAny(app, caller, token): AuthAny,
    Json(body): Json<ChangePassword>,
) -> Answer<UserRef> {
    app.change_password(&caller, &token, &body.current_password, &body.new_password)
        .await?;
    Ok(ok(UserRef {
        user_id: caller.user.id.to_string(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordLink {
    /// A username or an email address.
    username: String,
}

/// `{"message": ...}`
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Message {
    message: &'static str,
}

/// Ask for a new set-password link
///
/// Always the same answer, so that it reveals no accounts.
#[utoipa::path(post, path = "/auth/password-link", security(()), responses((status = 200, body = Success<Message>), Refusals))]
pub async fn password_link(
    State(app): State<Portico>,
    address: ClientAddress,
    Json(body): Json<PasswordLink>,
) -> Answer<Message> {
    app.request_password_link(&body.username, address.0.as_deref())
        .await?;
    Ok(ok(Message {
        message: "if an active account has that username or email, a new link is on its way",
    }))
}

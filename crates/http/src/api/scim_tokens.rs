//! `/api/v1/scim-tokens`: the bearer tokens identity providers provision users with over
//! SCIM (`/scim/v2`, outside this document: SCIM has its own, RFC 7644).

use axum::extract::Path;
use portico_service::store::ScimTokenRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::wire::{ok, time, Answer, Created, Deleted, Success};
use crate::error::Refusals;
use crate::extract::{Admin, Json};
use crate::ApiError;

/// A SCIM token as listed: never the token itself, which is shown once.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScimToken {
    id: String,
    /// The identity provider it is for.
    name: String,
    /// When it was made (RFC 3339).
    created_at: String,
    /// The administrator who made it.
    #[schema(required)]
    created_by: Option<String>,
    /// When it was revoked; a revoked token opens nothing.
    #[schema(required)]
    revoked_at: Option<String>,
    /// When the identity provider last used it (to the minute); none yet: never.
    #[schema(required)]
    last_used_at: Option<String>,
}

impl From<ScimTokenRow> for ScimToken {
    fn from(t: ScimTokenRow) -> Self {
        ScimToken {
            id: t.id,
            name: t.name,
            created_at: time(t.created_at),
            created_by: t.created_by,
            revoked_at: t.revoked_at.map(time),
            last_used_at: t.last_used_at.map(time),
        }
    }
}

/// A token just made, with the token: copy it into the identity provider now.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewScimToken {
    id: String,
    name: String,
    /// Send as `Authorization: Bearer <token>` to `/scim/v2`. Shown this once; stored hashed.
    token: String,
}

/// `{"name": "..."}`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScimTokenRequest {
    /// The identity provider, e.g. "Okta" (named in the audit trail of each request).
    name: String,
}

/// Make a SCIM token
#[utoipa::path(post, path = "/scim-tokens", responses((status = 201, body = Success<NewScimToken>), Refusals))]
pub async fn create_scim_token(
    Admin(app, caller): Admin,
    Json(b): Json<ScimTokenRequest>,
) -> Result<Created<NewScimToken>, ApiError> {
    let made = app.create_scim_token(&caller, &b.name).await?;
    Ok(Created(NewScimToken {
        id: made.row.id,
        name: made.row.name,
        token: made.token,
    }))
}

/// List SCIM tokens
#[utoipa::path(get, path = "/scim-tokens", responses((status = 200, body = Success<Vec<ScimToken>>), Refusals))]
pub async fn list_scim_tokens(Admin(app, caller): Admin) -> Answer<Vec<ScimToken>> {
    let tokens = app.scim_tokens(&caller).await?;
    Ok(ok(tokens.into_iter().map(ScimToken::from).collect()))
}

/// Revoke a SCIM token
#[utoipa::path(delete, path = "/scim-tokens/{id}", responses((status = 200, body = Success<Deleted>), Refusals))]
pub async fn revoke_scim_token(
    Admin(app, caller): Admin,
    Path(id): Path<String>,
) -> Answer<Deleted> {
    app.revoke_scim_token(&caller, &id).await?;
    Ok(ok(Deleted { id }))
}

//! `/api/v1/notification-templates` and the outbox retry.

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use portico_service::{Portico, TemplateView};
use serde_json::{json, Value};

use super::fields::Fields;
use crate::dto::{self, ok, time};
use crate::extract::{Admin, Auth, Body};
use crate::ApiError;

fn template(t: &TemplateView) -> Value {
    json!({
        "name": t.name,
        "object_type__v": t.object_type,
        "kind": t.kind.key(),
        "subject": t.subject,
        "body": t.body,
        "html": t.html,
        "customized": t.customized,
        "modified_date__v": t.updated_at.map(time),
    })
}

fn parts(body: Value) -> Result<(String, String, Option<String>), ApiError> {
    let f = Fields::parse(
        body,
        &["subject", "body", "html"],
        &["name", "kind", "object_type__v", "customized"],
    )?;
    let missing = |name: &str| {
        ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "PARAMETER_REQUIRED",
            format!("{name} is required"),
        )
    };
    Ok((
        f.text("subject")?.ok_or_else(|| missing("subject"))?,
        f.text("body")?.ok_or_else(|| missing("body"))?,
        f.nullable_text("html")?.flatten(),
    ))
}

pub async fn list(
    State(app): State<Portico>,
    Auth(caller): Auth,
) -> Result<impl IntoResponse, ApiError> {
    Ok(ok(app
        .notification_templates(&caller)
        .await?
        .iter()
        .map(template)
        .collect::<Vec<_>>()))
}

pub async fn read(
    State(app): State<Portico>,
    Auth(caller): Auth,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(ok(template(
        &app.notification_template(&caller, &name).await?,
    )))
}

pub async fn put(
    State(app): State<Portico>,
    Admin(caller): Admin,
    Path(name): Path<String>,
    Body(body): Body<Value>,
) -> Result<impl IntoResponse, ApiError> {
    let (subject, text, html) = parts(body)?;
    Ok(ok(template(
        &app.put_notification_template(&caller, &name, &subject, &text, html.as_deref())
            .await?,
    )))
}

pub async fn reset(
    State(app): State<Portico>,
    Admin(caller): Admin,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(ok(template(
        &app.reset_notification_template(&caller, &name).await?,
    )))
}

pub async fn preview(
    State(app): State<Portico>,
    Admin(caller): Admin,
    Path(name): Path<String>,
    Body(body): Body<Value>,
) -> Result<impl IntoResponse, ApiError> {
    let (subject, text, html) = parts(body)?;
    let r = app
        .preview_notification_template(&caller, &name, &subject, &text, html.as_deref())
        .await?;
    Ok(ok(
        json!({"subject": r.subject, "body": r.text, "html": r.html}),
    ))
}

pub async fn retry_email(
    State(app): State<Portico>,
    Admin(caller): Admin,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(ok(dto::outbox(&app.retry_email(&caller, &id).await?)))
}

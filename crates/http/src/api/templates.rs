//! `/api/v1/notification-templates`.

use axum::extract::Path;
use portico_service::{template_language, TemplateView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::wire::{ok, time, Answer, Success};
use crate::error::Refusals;
use crate::extract::{Admin, Auth, Json, Query};

/// An email template (SPEC section 4).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// e.g. `ext_collab_welcome_scar__v`.
    name: String,
    object_type__v: String,
    /// `welcome`, `welcome_back`, `goodbye`, `task` or `access_ending`.
    kind: &'static str,
    /// The language of this text: `en`, `de`, `fr`, `es`, `ja` or `zh`.
    language: &'static str,
    subject: String,
    body: String,
    #[schema(required)]
    html: Option<String>,
    /// Changed from the configured text.
    customized: bool,
    #[schema(required, format = DateTime)]
    modified_date__v: Option<String>,
}

impl From<TemplateView> for Template {
    fn from(t: TemplateView) -> Self {
        Template {
            name: t.name,
            object_type__v: t.object_type,
            kind: t.kind.key(),
            language: t.language.code(),
            subject: t.subject,
            body: t.body,
            html: t.html,
            customized: t.customized,
            modified_date__v: t.updated_at.map(time),
        }
    }
}

/// A template's text: `${token}`s are checked when it is saved.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateText {
    subject: String,
    body: String,
    /// An HTML part; `null` or `""`: none.
    html: Option<String>,
}

impl TemplateText {
    fn html(&self) -> Option<&str> {
        self.html.as_deref().filter(|h| !h.is_empty())
    }
}

/// `?language=de`: the texts of one language (none: `en`).
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InLanguage {
    /// `en` (the default), `de`, `fr`, `es`, `ja` or `zh`.
    language: Option<String>,
}

/// List templates
#[utoipa::path(get, path = "/notification-templates", params(InLanguage), responses((status = 200, body = Success<Vec<Template>>), Refusals))]
pub async fn list_templates(
    Auth(app, caller): Auth,
    Query(q): Query<InLanguage>,
) -> Answer<Vec<Template>> {
    let language = template_language(q.language.as_deref())?;
    let views = app.notification_templates(&caller, language).await?;
    Ok(ok(views.into_iter().map(Template::from).collect()))
}

/// Read a template
#[utoipa::path(get, path = "/notification-templates/{name}", params(InLanguage), responses((status = 200, body = Success<Template>), Refusals))]
pub async fn read_template(
    Auth(app, caller): Auth,
    Path(name): Path<String>,
    Query(q): Query<InLanguage>,
) -> Answer<Template> {
    let language = template_language(q.language.as_deref())?;
    Ok(ok(app
        .notification_template(&caller, &name, language)
        .await?
        .into()))
}

/// Replace a template
#[utoipa::path(put, path = "/notification-templates/{name}", params(InLanguage), responses((status = 200, body = Success<Template>), Refusals))]
pub async fn put_template(
    Admin(app, caller): Admin,
    Path(name): Path<String>,
    Query(q): Query<InLanguage>,
    Json(t): Json<TemplateText>,
) -> Answer<Template> {
    let language = template_language(q.language.as_deref())?;
    let view = app
        .put_notification_template(&caller, &name, language, &t.subject, &t.body, t.html())
        .await?;
    Ok(ok(view.into()))
}

/// Back to the shipped text (in one language)
#[utoipa::path(post, path = "/notification-templates/{name}/reset", params(InLanguage), responses((status = 200, body = Success<Template>), Refusals))]
pub async fn reset_template(
    Admin(app, caller): Admin,
    Path(name): Path<String>,
    Query(q): Query<InLanguage>,
) -> Answer<Template> {
    let language = template_language(q.language.as_deref())?;
    Ok(ok(app
        .reset_notification_template(&caller, &name, language)
        .await?
        .into()))
}

/// A draft rendered with sample values.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rendered {
    subject: String,
    body: String,
    html: String,
}

/// Render a draft
#[utoipa::path(post, path = "/notification-templates/{name}/preview", params(InLanguage), responses((status = 200, body = Success<Rendered>), Refusals))]
pub async fn preview_template(
    Admin(app, caller): Admin,
    Path(name): Path<String>,
    Query(q): Query<InLanguage>,
    Json(t): Json<TemplateText>,
) -> Answer<Rendered> {
    let language = template_language(q.language.as_deref())?;
    let r = app
        .preview_notification_template(&caller, &name, language, &t.subject, &t.body, t.html())
        .await?;
    Ok(ok(Rendered {
        subject: r.subject,
        body: r.text,
        html: r.html,
    }))
}

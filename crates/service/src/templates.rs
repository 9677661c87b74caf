//! Notification templates (SPEC section 4): the configuration's texts, replaced by an
//! administrator's where one was saved. A template is checked when it is saved.

use std::collections::BTreeMap;

use portico_domain::config::{EmailKind, EmailTemplate, RenderedEmail, TargetType};
use portico_store::{AuditEntry, Db, TemplateRow};
use serde_json::json;

use crate::{now_ms, Caller, Portico, ServiceError, ServiceResult};

/// A template as an administrator sees it.
#[derive(Debug, Clone)]
pub struct TemplateView {
    /// e.g. `ext_collab_welcome_scar__v`.
    pub name: String,
    /// The object type it belongs to.
    pub object_type: String,
    /// Welcome, Welcome Back, Goodbye or Task.
    pub kind: EmailKind,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// HTML body, when one is given (else it is made from the text).
    pub html: Option<String>,
    /// Whether an administrator changed it.
    pub customized: bool,
    /// When, if changed.
    pub updated_at: Option<i64>,
}

fn view(
    name: &str,
    target: &TargetType,
    kind: EmailKind,
    row: Option<&TemplateRow>,
) -> TemplateView {
    match row {
        Some(r) => TemplateView {
            name: name.to_string(),
            object_type: target.object_type.clone(),
            kind,
            subject: r.subject.clone(),
            body: r.body.clone(),
            html: r.html.clone(),
            customized: true,
            updated_at: Some(r.updated_at),
        },
        None => {
            let t = target.template(kind);
            TemplateView {
                name: name.to_string(),
                object_type: target.object_type.clone(),
                kind,
                subject: t
                    .map(|t| t.subject.source().to_string())
                    .unwrap_or_default(),
                body: t.map(|t| t.body.source().to_string()).unwrap_or_default(),
                html: t
                    .and_then(|t| t.html.as_ref())
                    .map(|h| h.source().to_string()),
                customized: false,
                updated_at: None,
            }
        }
    }
}

fn invalid(e: portico_domain::config::TemplatePartError) -> ServiceError {
    ServiceError::InvalidData(format!(
        "{} (the {} at position {})",
        e, e.part, e.error.position
    ))
}

impl Portico {
    /// The templates of a type as they apply now.
    pub(crate) async fn templates_in_force(
        &self,
        db: &mut Db<'_>,
        target: &TargetType,
    ) -> ServiceResult<BTreeMap<EmailKind, EmailTemplate>> {
        let overrides = db.template_overrides().await?;
        let mut out = BTreeMap::new();
        for kind in EmailKind::ALL {
            let name = kind.template_name(&target.object_type);
            let template = match overrides.iter().find(|o| o.name == name) {
                // A stored template was checked when it was saved; should the configuration
                // have changed since, the configured text is the safe fallback.
                Some(o) => EmailTemplate::parse(&o.subject, &o.body, o.html.as_deref()).ok(),
                None => None,
            };
            if let Some(t) = template.or_else(|| target.template(kind).cloned()) {
                out.insert(kind, t);
            }
        }
        Ok(out)
    }

    /// `GET /api/v1/notification-templates` (admins).
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn notification_templates(
        &self,
        caller: &Caller,
    ) -> ServiceResult<Vec<TemplateView>> {
        caller.require_admin()?;
        let overrides = self.store.read().await?.db().template_overrides().await?;
        Ok(self
            .config
            .template_names()
            .into_iter()
            .map(|(name, target, kind)| {
                let row = overrides.iter().find(|o| o.name == name);
                view(&name, target, kind, row)
            })
            .collect())
    }

    fn template_slot(&self, name: &str) -> ServiceResult<(&TargetType, EmailKind)> {
        self.config.find_template(name).ok_or_else(|| {
            ServiceError::NotFound(format!("there is no notification template {name}"))
        })
    }

    /// `GET /api/v1/notification-templates/{name}` (admins).
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, name = name))]
    pub async fn notification_template(
        &self,
        caller: &Caller,
        name: &str,
    ) -> ServiceResult<TemplateView> {
        caller.require_admin()?;
        let (target, kind) = self.template_slot(name)?;
        let overrides = self.store.read().await?.db().template_overrides().await?;
        Ok(view(
            name,
            target,
            kind,
            overrides.iter().find(|o| o.name == name),
        ))
    }

    /// `PUT /api/v1/notification-templates/{name}` (admins): refused with the token and its
    /// position when a part does not parse.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, name = name))]
    pub async fn put_notification_template(
        &self,
        caller: &Caller,
        name: &str,
        subject: &str,
        body: &str,
        html: Option<&str>,
    ) -> ServiceResult<TemplateView> {
        caller.require_admin()?;
        let (target, kind) = self.template_slot(name)?;
        EmailTemplate::parse(subject, body, html)
            .map_err(invalid)?
            .check_secrets(kind)
            .map_err(ServiceError::InvalidData)?;
        let row = TemplateRow {
            name: name.to_string(),
            subject: subject.to_string(),
            body: body.to_string(),
            html: html.map(str::to_string),
            updated_at: now_ms(),
            updated_by: caller.user.id.to_string(),
        };
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        let before = db
            .template_overrides()
            .await?
            .into_iter()
            .find(|o| o.name == name);
        let before = view(name, target, kind, before.as_ref());
        db.put_template(&row).await?;
        db.audit(&AuditEntry {
            at: row.updated_at,
            actor: Some(caller.user.id.to_string()),
            action: "template.changed".into(),
            object: "notification_template".into(),
            object_id: name.to_string(),
            before: Some(
                json!({"subject": before.subject, "body": before.body, "html": before.html})
                    .to_string(),
            ),
            after: Some(json!({"subject": subject, "body": body, "html": html}).to_string()),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(view(name, target, kind, Some(&row)))
    }

    /// `DELETE /api/v1/notification-templates/{name}` (admins): back to the configured text.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, name = name))]
    pub async fn reset_notification_template(
        &self,
        caller: &Caller,
        name: &str,
    ) -> ServiceResult<TemplateView> {
        caller.require_admin()?;
        let (target, kind) = self.template_slot(name)?;
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        if db.delete_template(name).await? {
            db.audit(&AuditEntry {
                at: now_ms(),
                actor: Some(caller.user.id.to_string()),
                action: "template.reset".into(),
                object: "notification_template".into(),
                object_id: name.to_string(),
                ..AuditEntry::default()
            })
            .await?;
        }
        tx.commit().await?;
        Ok(view(name, target, kind, None))
    }

    /// `POST /api/v1/notification-templates/{name}/preview` (admins): renders a draft with
    /// sample values, checking it as a save would.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, name = name))]
    pub async fn preview_notification_template(
        &self,
        caller: &Caller,
        name: &str,
        subject: &str,
        body: &str,
        html: Option<&str>,
    ) -> ServiceResult<RenderedEmail> {
        caller.require_admin()?;
        let (target, _) = self.template_slot(name)?;
        let template = EmailTemplate::parse(subject, body, html).map_err(invalid)?;
        let base = self.settings.public_url.trim_end_matches('/');
        let sample: BTreeMap<String, String> = [
            ("firstName", "Anna"),
            ("lastName", "Berg"),
            ("userName", "anna.berg@acme.example"),
            ("userEmail", "anna.berg@acme.example"),
            ("userLanguage", "en"),
            ("userPassword", "(a one-time password)"),
            ("creator", "Quinn Lead"),
            ("creatorEmail", "quality.lead@portico.example"),
            ("name__v", "SCAR-001"),
            ("supplier__v", "Acme Components"),
            ("state__v", "pending_response__c"),
            ("id", "rec_example"),
            ("created_by__v", "usr_example"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .chain([
            ("vaultName".to_string(), self.config.vault_name.clone()),
            ("object_type__v".to_string(), target.object_type.clone()),
            ("authServiceExtUrl".to_string(), format!("{base}/login")),
            ("staticContentBaseUrl".to_string(), format!("{base}/static")),
            (
                "utp?url".to_string(),
                format!("{base}/set-password?token=example"),
            ),
        ])
        .collect();
        Ok(template.render(&sample))
    }
}

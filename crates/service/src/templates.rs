//! Notification templates (SPEC sections 4 and 11), per language: an administrator's text
//! where one was saved in that language, else the text Portico ships in that language (for
//! English: the configuration's). A template is checked when it is saved, and a text saved in
//! one language never changes another.

use std::collections::BTreeMap;

use portico_domain::config::{EmailKind, EmailTemplate, RenderedEmail, TargetType};
use portico_domain::language::ShippedEmails;
use portico_domain::Language;
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
    /// The language of this text.
    pub language: Language,
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
    language: Language,
    row: Option<&TemplateRow>,
) -> TemplateView {
    match row {
        Some(r) => TemplateView {
            name: name.to_string(),
            object_type: target.object_type.clone(),
            kind,
            language,
            subject: r.subject.clone(),
            body: r.body.clone(),
            html: r.html.clone(),
            customized: true,
            updated_at: Some(r.updated_at),
        },
        None => {
            let t = shipped_template(target, kind, language);
            TemplateView {
                name: name.to_string(),
                object_type: target.object_type.clone(),
                kind,
                language,
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

/// The email texts Portico ships, per language, loaded once (a test keeps them loading).
pub(crate) fn shipped(language: Language) -> Option<&'static ShippedEmails> {
    static SHIPPED: std::sync::OnceLock<BTreeMap<Language, ShippedEmails>> =
        std::sync::OnceLock::new();
    SHIPPED
        .get_or_init(|| {
            Language::ALL
                .into_iter()
                .filter_map(|l| match ShippedEmails::load(l) {
                    Ok(texts) => Some((l, texts)),
                    Err(e) => {
                        tracing::error!(error = %e, "a shipped language is left out");
                        None
                    }
                })
                .collect()
        })
        .get(&language)
}

/// The text of `kind` for `target` in `language` before any administrator changed it: the
/// configuration's for English (the operator's own words), Portico's own for the others.
fn shipped_template(
    target: &TargetType,
    kind: EmailKind,
    language: Language,
) -> Option<&EmailTemplate> {
    let own = (language != Language::En)
        .then(|| shipped(language).and_then(|s| s.notifications.get(&kind)))
        .flatten();
    own.or_else(|| target.template(kind))
}

/// The texts of one type in force now, in every language.
#[derive(Debug, Clone, Default)]
pub(crate) struct TemplatesInForce {
    by: BTreeMap<(Language, EmailKind), EmailTemplate>,
}

impl TemplatesInForce {
    /// The text of `kind` for a person whose `language__v` is `language` (English when
    /// Portico does not ship that language).
    pub fn get(&self, kind: EmailKind, language: &str) -> Option<&EmailTemplate> {
        self.by
            .get(&(Language::of(language), kind))
            .or_else(|| self.by.get(&(Language::En, kind)))
    }
}

/// The language a client names in `?language=`: none is English; one Portico does not ship is
/// refused, naming those it does.
pub fn template_language(raw: Option<&str>) -> ServiceResult<Language> {
    match raw.map(str::trim) {
        None | Some("") => Ok(Language::En),
        Some(code) => Language::ALL
            .into_iter()
            .find(|l| l.code() == code)
            .ok_or_else(|| {
                let known: Vec<&str> = Language::ALL.iter().map(|l| l.code()).collect();
                ServiceError::InvalidData(
                    format!(
                        "language '{}' is not one Portico ships templates in; use one of {}",
                        code.chars().take(16).collect::<String>(),
                        known.join(", ")
                    )
                    .into(),
                )
            }),
    }
}

fn invalid(e: portico_domain::config::TemplatePartError) -> ServiceError {
    ServiceError::InvalidData(
        format!("{} (the {} at position {})", e, e.part, e.error.position).into(),
    )
}

impl Portico {
    /// The templates of a type as they apply now, in every language.
    pub(crate) async fn templates_in_force(
        &self,
        db: &mut Db<'_>,
        target: &TargetType,
    ) -> ServiceResult<TemplatesInForce> {
        let overrides = db.template_overrides().await?;
        let mut out = TemplatesInForce::default();
        for kind in EmailKind::ALL {
            let name = kind.template_name(&target.object_type);
            for language in Language::ALL {
                let saved = overrides
                    .iter()
                    .find(|o| o.name == name && o.language == language.code());
                let template = match saved {
                    // A stored template was checked when it was saved; should the
                    // configuration have changed since, the shipped text is the safe fallback.
                    Some(o) => EmailTemplate::parse(&o.subject, &o.body, o.html.as_deref()).ok(),
                    None => None,
                };
                let template =
                    template.or_else(|| shipped_template(target, kind, language).cloned());
                if let Some(t) = template {
                    out.by.insert((language, kind), t);
                }
            }
        }
        Ok(out)
    }

    /// `GET /api/v1/notification-templates` (admins).
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn notification_templates(
        &self,
        caller: &Caller,
        language: Language,
    ) -> ServiceResult<Vec<TemplateView>> {
        caller.require_admin()?;
        let overrides = self.store.read().await?.db().template_overrides().await?;
        Ok(self
            .config
            .template_names()
            .into_iter()
            .map(|(name, target, kind)| {
                let row = overrides
                    .iter()
                    .find(|o| o.name == name && o.language == language.code());
                view(&name, target, kind, language, row)
            })
            .collect())
    }

    fn template_slot(&self, name: &str) -> ServiceResult<(&TargetType, EmailKind)> {
        self.config.find_template(name).ok_or_else(|| {
            ServiceError::NotFound(format!("there is no notification template {name}").into())
        })
    }

    /// `GET /api/v1/notification-templates/{name}` (admins).
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, name = name))]
    pub async fn notification_template(
        &self,
        caller: &Caller,
        name: &str,
        language: Language,
    ) -> ServiceResult<TemplateView> {
        caller.require_admin()?;
        let (target, kind) = self.template_slot(name)?;
        let overrides = self.store.read().await?.db().template_overrides().await?;
        Ok(view(
            name,
            target,
            kind,
            language,
            overrides
                .iter()
                .find(|o| o.name == name && o.language == language.code()),
        ))
    }

    /// `PUT /api/v1/notification-templates/{name}` (admins): refused with the token and its
    /// position when a part does not parse.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, name = name))]
    pub async fn put_notification_template(
        &self,
        caller: &Caller,
        name: &str,
        language: Language,
        subject: &str,
        body: &str,
        html: Option<&str>,
    ) -> ServiceResult<TemplateView> {
        caller.require_admin()?;
        let (target, kind) = self.template_slot(name)?;
        EmailTemplate::parse(subject, body, html)
            .map_err(invalid)?
            .check_secrets(kind)
            .map_err(|e| ServiceError::InvalidData(e.into()))?;
        let row = TemplateRow {
            name: name.to_string(),
            language: language.code().to_string(),
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
            .find(|o| o.name == name && o.language == language.code());
        let before = view(name, target, kind, language, before.as_ref());
        db.put_template(&row).await?;
        db.audit(&AuditEntry {
            at: row.updated_at,
            actor: Some(caller.user.id.to_string()),
            action: "template.changed".into(),
            object: "notification_template".into(),
            object_id: name.to_string(),
            before: Some(
                json!({"language": language.code(), "subject": before.subject, "body": before.body, "html": before.html})
                    .to_string(),
            ),
            after: Some(
                json!({"language": language.code(), "subject": subject, "body": body, "html": html})
                    .to_string(),
            ),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(view(name, target, kind, language, Some(&row)))
    }

    /// `POST /api/v1/notification-templates/{name}/reset` (admins): back to the shipped text
    /// in that language; the other languages stay as they are.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, name = name))]
    pub async fn reset_notification_template(
        &self,
        caller: &Caller,
        name: &str,
        language: Language,
    ) -> ServiceResult<TemplateView> {
        caller.require_admin()?;
        let (target, kind) = self.template_slot(name)?;
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        if db.delete_template(name, language.code()).await? {
            db.audit(&AuditEntry {
                at: now_ms(),
                actor: Some(caller.user.id.to_string()),
                action: "template.reset".into(),
                object: "notification_template".into(),
                object_id: name.to_string(),
                after: Some(json!({"language": language.code()}).to_string()),
                ..AuditEntry::default()
            })
            .await?;
        }
        tx.commit().await?;
        Ok(view(name, target, kind, language, None))
    }

    /// `POST /api/v1/notification-templates/{name}/preview` (admins): renders a draft with
    /// sample values, checking it as a save would.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id, name = name))]
    pub async fn preview_notification_template(
        &self,
        caller: &Caller,
        name: &str,
        language: Language,
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
            ("userLanguage".to_string(), language.code().to_string()),
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

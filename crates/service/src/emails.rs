//! Rendering the emails a plan decided into outbox rows (SPEC section 4).

use std::collections::BTreeMap;

use portico_domain::collab::{record_values, PlannedEmail};
use portico_domain::config::{EmailKind, TargetType};
use portico_domain::model::Record;
use portico_domain::template::Escape;
use portico_store::QueuedEmail;

use crate::new_id;

/// What every email of one action shares.
pub(crate) struct EmailContext<'a> {
    pub vault_name: &'a str,
    pub public_url: &'a str,
    pub creator_name: String,
    pub creator_email: String,
    pub record: &'a Record,
}

/// Renders one planned email; `set_password_token` fills `${utp?url}` (Welcome emails).
pub(crate) fn render(
    target: &TargetType,
    email: &PlannedEmail,
    cx: &EmailContext<'_>,
    set_password_token: Option<&str>,
) -> QueuedEmail {
    let base = cx.public_url.trim_end_matches('/');
    let mut values: BTreeMap<String, String> = record_values(cx.record);
    if let Some(supplier) = &cx.record.supplier {
        values.insert("supplier__v".into(), supplier.to_string());
    }
    let mut put = |k: &str, v: String| {
        values.insert(k.to_string(), v);
    };
    put("firstName", email.first_name.clone());
    put("lastName", email.last_name.clone());
    put("userName", email.username.clone());
    put("userEmail", email.to.to_string());
    put("userLanguage", email.language.clone());
    put("vaultName", cx.vault_name.to_string());
    put("authServiceExtUrl", format!("{base}/login"));
    put("staticContentBaseUrl", format!("{base}/static"));
    put("creator", cx.creator_name.clone());
    put("creatorEmail", cx.creator_email.clone());
    if let Some(token) = set_password_token {
        put("utp?url", format!("{base}/set-password?token={token}"));
    }
    let (subject, body) = match target.template(email.kind) {
        Some(t) => (
            t.subject.render(&values, Escape::None),
            t.body.render(&values, Escape::None),
        ),
        None => (email.template.clone(), String::new()),
    };
    QueuedEmail {
        id: new_id("eml"),
        to: email.to.to_string(),
        user_id: Some(email.user.to_string()),
        record_id: Some(cx.record.id.to_string()),
        template: email.template.clone(),
        subject: subject.lines().next().unwrap_or_default().to_string(),
        body,
    }
}

/// Whether an email of this kind carries a set-password link.
pub(crate) fn needs_password_link(kind: EmailKind) -> bool {
    kind == EmailKind::Welcome
}

//! Rendering the emails a plan decided into outbox rows (SPEC section 4), with the templates
//! an administrator changed taking the place of the configuration's.

use std::collections::BTreeMap;

use portico_domain::collab::{record_values, PlannedEmail};
use portico_domain::config::{EmailKind, EmailTemplate};
use portico_domain::model::Record;
use portico_domain::model::User;
use portico_domain::Language;
use portico_store::{EmailSecret, QueuedEmail};

use crate::{new_id, ServiceError, ServiceResult};

/// What every email of one action shares.
pub(crate) struct EmailContext<'a> {
    pub vault_name: &'a str,
    pub public_url: &'a str,
    pub creator_name: String,
    pub creator_email: String,
    pub record: &'a Record,
}

/// The values of the tokens of SPEC section 4 for one email.
pub(crate) fn values(email: &PlannedEmail, cx: &EmailContext<'_>) -> BTreeMap<String, String> {
    let base = cx.public_url.trim_end_matches('/');
    let mut values: BTreeMap<String, String> = record_values(cx.record);
    // A date reads as the reader's language writes it ("5. Dezember 2026"), not as stored.
    let language = Language::parse(&email.language).unwrap_or_default();
    if let Some(date) = values.get_mut("access_end_date__v") {
        if let Some(long) = language.long_date(date) {
            *date = long;
        }
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
    unmask(&mut values);
    values
}

/// A value that contains a secret's placeholder (a record named so, say) must not become a
/// secret at delivery: its brackets are changed so that it no longer matches.
fn unmask(values: &mut BTreeMap<String, String>) {
    for v in values.values_mut() {
        for secret in [EmailSecret::SetPasswordLink, EmailSecret::OneTimePassword] {
            let p = secret.placeholder();
            if v.contains(p) {
                *v = v.replace(p, &p.replace('[', "(").replace(']', ")"));
            }
        }
    }
}

/// Renders one planned email with `template`. A Welcome gets a set-password link; a template
/// that asks for `${userPassword}` gets a one-time password. Both are placeholders here: the
/// worker makes the secrets when it sends the email, so none is stored in the outbox.
pub(crate) fn render(
    template: &EmailTemplate,
    email: &PlannedEmail,
    cx: &EmailContext<'_>,
) -> QueuedEmail {
    let mut values = values(email, cx);
    let mut secrets = vec![];
    if email.kind == EmailKind::Welcome || template.uses("utp?url") {
        values.insert(
            "utp?url".into(),
            EmailSecret::SetPasswordLink.placeholder().into(),
        );
        secrets.push(EmailSecret::SetPasswordLink);
    }
    if template.uses("userPassword") {
        values.insert(
            "userPassword".into(),
            EmailSecret::OneTimePassword.placeholder().into(),
        );
        secrets.push(EmailSecret::OneTimePassword);
    }
    let rendered = template.render(&values);
    QueuedEmail {
        id: new_id("eml"),
        to: email.to.to_string(),
        user_id: Some(email.user.to_string()),
        record_id: Some(cx.record.id.to_string()),
        template: email.template.clone(),
        subject: rendered.subject,
        body: rendered.text,
        html: Some(rendered.html),
        secrets,
    }
}

/// The email with a new set-password link, asked for from the expired-link page, in the
/// person's language.
pub(crate) fn password_link_email(
    user: &User,
    vault_name: &str,
    language: Language,
) -> ServiceResult<QueuedEmail> {
    let template = crate::templates::shipped(language)
        .or_else(|| crate::templates::shipped(Language::En))
        .map(|s| &s.password_link)
        .ok_or_else(|| ServiceError::broken("the shipped password link email does not load"))?;
    let mut values = BTreeMap::new();
    values.insert("firstName".to_string(), user.first_name.clone());
    values.insert("lastName".to_string(), user.last_name.clone());
    values.insert("userName".to_string(), user.username.clone());
    values.insert("vaultName".to_string(), vault_name.to_string());
    unmask(&mut values);
    values.insert(
        "utp?url".to_string(),
        EmailSecret::SetPasswordLink.placeholder().to_string(),
    );
    let rendered = template.render(&values);
    Ok(QueuedEmail {
        id: new_id("eml"),
        to: user.email.to_string(),
        user_id: Some(user.id.to_string()),
        record_id: None,
        template: "portico_password_link".into(),
        subject: rendered.subject,
        body: rendered.text,
        html: Some(rendered.html),
        secrets: vec![EmailSecret::SetPasswordLink],
    })
}

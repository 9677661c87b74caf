//! Rendering the emails a plan decided into outbox rows (SPEC section 4), with the templates
//! an administrator changed taking the place of the configuration's.

use std::collections::BTreeMap;

use portico_domain::collab::{record_values, PlannedEmail};
use portico_domain::config::{EmailKind, EmailTemplate};
use portico_domain::model::Record;
use portico_domain::UserId;
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

/// Secrets an email carries that must be stored once its user exists.
#[derive(Default)]
pub(crate) struct Secrets {
    /// Set-password link tokens `${utp?url}`.
    pub link_tokens: Vec<(UserId, String)>,
    /// One-time passwords `${userPassword}`, to be changed at first sign-in.
    pub one_time_passwords: Vec<(UserId, String)>,
}

/// The values of the tokens of SPEC section 4 for one email.
pub(crate) fn values(email: &PlannedEmail, cx: &EmailContext<'_>) -> BTreeMap<String, String> {
    let base = cx.public_url.trim_end_matches('/');
    let mut values: BTreeMap<String, String> = record_values(cx.record);
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
    values
}

/// The link of `${utp?url}`.
pub(crate) fn set_password_url(public_url: &str, token: &str) -> String {
    format!(
        "{}/set-password?token={token}",
        public_url.trim_end_matches('/')
    )
}

/// Renders one planned email with `template`. A Welcome gets a set-password link; a template
/// that asks for `${userPassword}` gets a random one-time password. Both secrets are returned
/// through `secrets` to be stored with the user.
pub(crate) fn render(
    template: &EmailTemplate,
    email: &PlannedEmail,
    cx: &EmailContext<'_>,
    secrets: &mut Secrets,
) -> QueuedEmail {
    let mut values = values(email, cx);
    if email.kind == EmailKind::Welcome || template.uses("utp?url") {
        let token = crate::auth::random_token();
        values.insert("utp?url".into(), set_password_url(cx.public_url, &token));
        secrets.link_tokens.push((email.user.clone(), token));
    }
    if template.uses("userPassword") {
        let password = crate::auth::random_token()[..16].to_string();
        values.insert("userPassword".into(), password.clone());
        secrets
            .one_time_passwords
            .push((email.user.clone(), password));
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
    }
}

/// The email with a new set-password link, asked for from the expired-link page.
pub(crate) fn password_link_template() -> Option<EmailTemplate> {
    EmailTemplate::parse(
        "${vaultName}: your link to set a password",
        "Hello ${firstName},\n\nYou asked for a new link to set the password of your account ${userName}.\n\
         It works once and expires:\n${utp?url}\n\nIf you did not ask for it, you can ignore this email.\n",
        None,
    )
    .ok()
}

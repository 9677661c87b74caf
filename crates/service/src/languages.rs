//! What language and time zone a person reads Portico in (SPEC section 11): an external
//! collaborator its person's `language__v` and `timezone__v`; an internal user the language it
//! chose on its own page, else its browser's.

use portico_domain::Language;
use portico_store::AuditEntry;
use serde_json::json;

use crate::{now_ms, Caller, Portico, ServiceError, ServiceResult};

/// The language and time zone of a signed-in reader, where its settings name them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reader {
    /// `None`: the browser's (`Accept-Language`), else English.
    pub language: Option<Language>,
    /// An IANA zone name; `None`: the browser's, else the company's.
    pub timezone: Option<String>,
    /// What the user chose on its own page (internal users), for the choice's form.
    pub chosen: Option<Language>,
}

/// A time zone a person may have: an IANA name the server knows ("Europe/Berlin").
pub fn time_zone(raw: &str) -> ServiceResult<String> {
    let name = raw.trim();
    if name.len() <= 64 && jiff::tz::TimeZone::get(name).is_ok() {
        Ok(name.to_string())
    } else {
        Err(ServiceError::InvalidData(
            format!(
                "timezone__v '{}' is not a time zone name such as Europe/Berlin or Asia/Tokyo",
                name.chars().take(64).collect::<String>()
            )
            .into(),
        ))
    }
}

impl Portico {
    /// The language and time zone `caller` reads pages in.
    pub async fn reader(&self, caller: &Caller) -> ServiceResult<Reader> {
        let row = self
            .store
            .read()
            .await?
            .db()
            .reader(&caller.user.id)
            .await?;
        let chosen = row.page_language.as_deref().and_then(Language::parse);
        let language = if caller.is_internal() {
            chosen
        } else {
            Some(Language::of(row.person_language.as_deref().unwrap_or("en")))
        };
        Ok(Reader {
            language,
            timezone: row.person_timezone,
            chosen,
        })
    }

    /// An internal user chooses the language of its own pages (`None`: its browser's). An
    /// external collaborator's language is its person's `language__v`, which its company's
    /// contacts keep.
    #[tracing::instrument(skip_all, fields(caller = %caller.user.id))]
    pub async fn choose_page_language(
        &self,
        caller: &Caller,
        language: Option<&str>,
    ) -> ServiceResult<()> {
        if !caller.is_internal() {
            return Err(ServiceError::InsufficientAccess(
                "your language is the one your contact at the company keeps for you".into(),
            ));
        }
        let language = match language.map(str::trim).filter(|l| !l.is_empty()) {
            None => None,
            Some(code) => Some(crate::template_language(Some(code))?),
        };
        let mut tx = self.write_as(caller).await?;
        let mut db = tx.db();
        db.set_page_language(&caller.user.id, language.map(Language::code))
            .await?;
        db.audit(&AuditEntry {
            at: now_ms(),
            actor: Some(caller.user.id.to_string()),
            action: "user.language_chosen".into(),
            object: "user".into(),
            object_id: caller.user.id.to_string(),
            user: Some(caller.user.id.to_string()),
            after: Some(json!({"page_language": language.map(Language::code)}).to_string()),
            ..AuditEntry::default()
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

//! The six languages Portico speaks (SPEC section 11, Languages) and the email texts it ships
//! in each of them.
//!
//! A person's `language__v` chooses the language of its emails and pages; a code Portico does
//! not ship (or one it cannot read) falls back to English. An administrator may replace any
//! email text per language; the texts here are what applies until one does.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::config::{EmailKind, EmailTemplate};

/// A language Portico ships texts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Language {
    /// English, the fallback.
    #[default]
    En,
    /// German.
    De,
    /// French.
    Fr,
    /// Spanish.
    Es,
    /// Japanese.
    Ja,
    /// Chinese (simplified).
    Zh,
}

impl Language {
    /// Every shipped language, English first.
    pub const ALL: [Language; 6] = [Self::En, Self::De, Self::Fr, Self::Es, Self::Ja, Self::Zh];

    /// The code of SPEC section 11: `en`, `de`, `fr`, `es`, `ja`, `zh`.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
            Self::Fr => "fr",
            Self::Es => "es",
            Self::Ja => "ja",
            Self::Zh => "zh",
        }
    }

    /// The language's own name for itself ("Deutsch", "日本語"), for a language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::De => "Deutsch",
            Self::Fr => "Français",
            Self::Es => "Español",
            Self::Ja => "日本語",
            Self::Zh => "中文",
        }
    }

    /// A calendar date (`YYYY-MM-DD`) as a reader of the language writes it: "15 December
    /// 2026", "15. Dezember 2026", "15 décembre 2026", "15 de diciembre de 2026",
    /// "2026年12月15日". `None` when `date` is not such a date.
    pub fn long_date(self, date: &str) -> Option<String> {
        let mut parts = date.splitn(3, '-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let year: u32 = y.parse().ok()?;
        let month: usize = m.parse().ok()?;
        let day: u32 = d.parse().ok()?;
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        const DE: [&str; 12] = [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ];
        const FR: [&str; 12] = [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ];
        const ES: [&str; 12] = [
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ];
        let i = month - 1;
        Some(match self {
            Self::En => format!("{day} {} {year}", EN[i]),
            Self::De => format!("{day}. {} {year}", DE[i]),
            Self::Fr if day == 1 => format!("1er {} {year}", FR[i]),
            Self::Fr => format!("{day} {} {year}", FR[i]),
            Self::Es => format!("{day} de {} de {year}", ES[i]),
            Self::Ja | Self::Zh => format!("{year}年{month}月{day}日"),
        })
    }

    /// A shipped language named by `code`: `de`, also with a region (`de-CH`, `de_DE`) or in
    /// capitals. `None` for a language Portico does not ship.
    pub fn parse(code: &str) -> Option<Language> {
        let primary = code
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The language of a person whose `language__v` is `code`: English when Portico does not
    /// ship it.
    pub fn of(code: &str) -> Language {
        Self::parse(code).unwrap_or_default()
    }

    /// The first shipped language of an `Accept-Language` header, by its weights.
    pub fn from_accept_language(header: &str) -> Option<Language> {
        let mut choices: Vec<(u16, usize, Language)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, item)| {
                let mut parts = item.split(';');
                let lang = Language::parse(parts.next()?)?;
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                // Weights have at most three decimals (RFC 9110); 0 means "not this one".
                let weight = (q.clamp(0.0, 1.0) * 1000.0).round() as u16;
                (weight > 0).then_some((weight, i, lang))
            })
            .collect();
        choices.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        choices.first().map(|c| c.2)
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The email a person asks for from the expired-link page (not a configured notification).
pub const PASSWORD_LINK: &str = "password_link";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawText {
    subject: String,
    body: String,
}

fn source(language: Language) -> &'static str {
    match language {
        Language::En => include_str!("../config/emails/en.toml"),
        Language::De => include_str!("../config/emails/de.toml"),
        Language::Fr => include_str!("../config/emails/fr.toml"),
        Language::Es => include_str!("../config/emails/es.toml"),
        Language::Ja => include_str!("../config/emails/ja.toml"),
        Language::Zh => include_str!("../config/emails/zh.toml"),
    }
}

/// Why a shipped text does not load (a test keeps every file loading).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the shipped {language} email texts: {message}")]
pub struct ShippedTextError {
    /// Which file.
    pub language: Language,
    /// What is wrong.
    pub message: String,
}

/// The email texts Portico ships in one language.
#[derive(Debug, Clone)]
pub struct ShippedEmails {
    /// One per notification kind.
    pub notifications: BTreeMap<EmailKind, EmailTemplate>,
    /// The email with a new set-password link.
    pub password_link: EmailTemplate,
}

impl ShippedEmails {
    /// Loads the texts of `language` (built into the binary).
    pub fn load(language: Language) -> Result<ShippedEmails, ShippedTextError> {
        let err = |message: String| ShippedTextError { language, message };
        let raw: BTreeMap<String, RawText> =
            toml::from_str(source(language)).map_err(|e| err(e.to_string()))?;
        let parse = |key: &str| -> Result<EmailTemplate, ShippedTextError> {
            let t = raw
                .get(key)
                .ok_or_else(|| err(format!("[{key}] is missing")))?;
            EmailTemplate::parse(&t.subject, &t.body, None).map_err(|e| err(format!("[{key}] {e}")))
        };
        let mut notifications = BTreeMap::new();
        for kind in EmailKind::ALL {
            let t = parse(kind.key())?;
            t.check_secrets(kind)
                .map_err(|e| err(format!("[{}] {e}", kind.key())))?;
            notifications.insert(kind, t);
        }
        let known: Vec<&str> = EmailKind::ALL
            .iter()
            .map(|k| k.key())
            .chain([PASSWORD_LINK])
            .collect();
        if let Some(extra) = raw.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(err(format!("[{extra}] is not an email Portico sends")));
        }
        Ok(ShippedEmails {
            notifications,
            password_link: parse(PASSWORD_LINK)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_with_regions_or_capitals_name_the_language_and_others_fall_back_to_english() {
        assert_eq!(Language::parse("de"), Some(Language::De));
        assert_eq!(Language::parse("de-CH"), Some(Language::De));
        assert_eq!(Language::parse("ja_JP"), Some(Language::Ja));
        assert_eq!(Language::parse("ZH"), Some(Language::Zh));
        assert_eq!(Language::parse("pt"), None);
        assert_eq!(Language::parse(""), None);
        assert_eq!(Language::of("pt-BR"), Language::En);
        assert_eq!(Language::of("fr"), Language::Fr);
    }

    #[test]
    fn accept_language_takes_the_heaviest_shipped_language() {
        let pick = Language::from_accept_language;
        assert_eq!(pick("de-DE,de;q=0.9,en;q=0.8"), Some(Language::De));
        assert_eq!(pick("pt-BR, ja;q=0.5, en;q=0.4"), Some(Language::Ja));
        assert_eq!(pick("en;q=0.2, fr"), Some(Language::Fr));
        assert_eq!(pick("es;q=0, zh;q=0.1"), Some(Language::Zh));
        assert_eq!(pick("pt, it"), None);
        assert_eq!(pick(""), None);
    }

    #[test]
    fn every_language_ships_every_email_with_the_tokens_of_the_english_text() {
        let english = ShippedEmails::load(Language::En).unwrap();
        // How a person is addressed follows the language ("${lastName} 様"); everything else
        // an email says in English it says in every language.
        let names = ["firstName", "lastName"];
        let tokens = |t: &EmailTemplate| -> BTreeSet<String> {
            let all: BTreeSet<&str> = t.subject.tokens().chain(t.body.tokens()).collect();
            assert!(names.iter().any(|n| all.contains(n)), "addressed by name");
            all.into_iter()
                .filter(|t| !names.contains(t))
                .map(str::to_string)
                .collect()
        };
        for language in Language::ALL {
            let shipped = ShippedEmails::load(language).unwrap();
            for kind in EmailKind::ALL {
                assert_eq!(
                    tokens(&shipped.notifications[&kind]),
                    tokens(&english.notifications[&kind]),
                    "{language} {}: the same tokens as in English",
                    kind.key()
                );
            }
            assert_eq!(
                tokens(&shipped.password_link),
                tokens(&english.password_link),
                "{language} password link"
            );
        }
    }

    #[test]
    fn the_shipped_english_texts_are_the_default_configuration() {
        let english = ShippedEmails::load(Language::En).unwrap();
        let config = crate::config::Config::default_config().unwrap();
        for kind in EmailKind::ALL {
            let configured = config.types[0].template(kind).unwrap();
            assert_eq!(
                english.notifications[&kind].subject.source(),
                configured.subject.source(),
                "{}",
                kind.key()
            );
            assert_eq!(
                english.notifications[&kind].body.source(),
                configured.body.source(),
                "{}",
                kind.key()
            );
        }
    }

    #[test]
    fn dates_in_emails_read_as_each_language_writes_them() {
        let d = "2026-12-05";
        assert_eq!(
            Language::En.long_date(d).as_deref(),
            Some("5 December 2026")
        );
        assert_eq!(
            Language::De.long_date(d).as_deref(),
            Some("5. Dezember 2026")
        );
        assert_eq!(
            Language::Fr.long_date(d).as_deref(),
            Some("5 décembre 2026")
        );
        assert_eq!(
            Language::Fr.long_date("2027-03-01").as_deref(),
            Some("1er mars 2027")
        );
        assert_eq!(
            Language::Es.long_date(d).as_deref(),
            Some("5 de diciembre de 2026")
        );
        assert_eq!(Language::Ja.long_date(d).as_deref(), Some("2026年12月5日"));
        assert_eq!(Language::Zh.long_date(d).as_deref(), Some("2026年12月5日"));
        for bad in [
            "",
            "2026-13-01",
            "2026-12",
            "26-12-05",
            "2026-12-05T10:00",
            "tomorrow",
        ] {
            assert_eq!(Language::En.long_date(bad), None, "{bad}");
        }
    }
}

//! Page strings in the reader's language (SPEC section 11, Languages), from Fluent message
//! files: `crates/http/locales/<language>/<area>.ftl`, built into the binary.
//!
//! The reader's language is set for the whole request, like its time zone (see
//! [`crate::plain`]): first from the request (`?lang=`, the `portico_lang` cookie, the
//! browser's `Accept-Language`), then, once the page knows who signed in, from that user (an
//! external collaborator's `language__v`, an internal user's own choice). Page code asks for a
//! message by key with [`t`] or [`tr!`] and never passes the language along.
//!
//! A key missing in a language falls back to English (a test keeps every key in every
//! language), an unknown key to the key itself; a page never fails for a message.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use portico_domain::Language;

pub use fluent_bundle::FluentValue;

/// The cookie that keeps the language a link named (`?lang=de`) for the pages that follow.
pub const LANG_COOKIE: &str = "portico_lang";

/// The message files of one language: (area, source).
fn sources(language: Language) -> [(&'static str, &'static str); 5] {
    macro_rules! files {
        ($code:literal) => {
            [
                (
                    "pages",
                    include_str!(concat!("../locales/", $code, "/pages.ftl")),
                ),
                (
                    "extranet",
                    include_str!(concat!("../locales/", $code, "/extranet.ftl")),
                ),
                (
                    "internal",
                    include_str!(concat!("../locales/", $code, "/internal.ftl")),
                ),
                (
                    "refusals",
                    include_str!(concat!("../locales/", $code, "/refusals.ftl")),
                ),
                (
                    "news",
                    include_str!(concat!("../locales/", $code, "/news.ftl")),
                ),
            ]
        };
    }
    match language {
        Language::En => files!("en"),
        Language::De => files!("de"),
        Language::Fr => files!("fr"),
        Language::Es => files!("es"),
        Language::Ja => files!("ja"),
        Language::Zh => files!("zh"),
    }
}

type Bundle = FluentBundle<FluentResource>;

fn bundle(language: Language) -> Bundle {
    let id = language.code().parse().unwrap_or_default();
    let mut bundle = Bundle::new_concurrent(vec![id]);
    // Unicode isolation marks would end up in titles and attributes; our arguments are names
    // and numbers in running text, where the marks help nothing.
    bundle.set_use_isolating(false);
    for (area, source) in sources(language) {
        let resource = match FluentResource::try_new(source.to_string()) {
            Ok(r) => r,
            Err((r, errors)) => {
                tracing::error!(%language, area, ?errors, "a message file does not parse");
                r
            }
        };
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(%language, area, ?errors, "a message is defined twice");
        }
    }
    bundle
}

fn bundles() -> &'static BTreeMap<Language, Bundle> {
    static BUNDLES: OnceLock<BTreeMap<Language, Bundle>> = OnceLock::new();
    BUNDLES.get_or_init(|| Language::ALL.into_iter().map(|l| (l, bundle(l))).collect())
}

tokio::task_local! {
    static READER_LANGUAGE: Cell<Language>;
}

/// Runs `f` (a request) with `language` as the reader's language.
pub async fn with_language<F: std::future::Future>(language: Language, f: F) -> F::Output {
    READER_LANGUAGE.scope(Cell::new(language), f).await
}

/// Sets the reader's language for the rest of the request (once it knows who reads).
pub fn set_language(language: Language) {
    let _ = READER_LANGUAGE.try_with(|l| l.set(language));
}

/// The reader's language: English outside a request.
pub fn language() -> Language {
    READER_LANGUAGE.try_with(Cell::get).unwrap_or_default()
}

/// The language of a request before anyone signed in: a `?lang=` it names, else the
/// `portico_lang` cookie, else the browser's `Accept-Language`, else English.
pub fn request_language(
    query: Option<&str>,
    cookie: Option<&str>,
    accept: Option<&str>,
) -> Language {
    query
        .and_then(Language::parse)
        .or_else(|| cookie.and_then(Language::parse))
        .or_else(|| accept.and_then(Language::from_accept_language))
        .unwrap_or_default()
}

/// The `lang` parameter of a query string, if it has one.
pub fn lang_parameter(query: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "lang")
        .map(|(_, v)| v.into_owned())
}

fn format(language: Language, key: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
    let bundle = bundles().get(&language)?;
    let pattern = bundle.get_message(key)?.value()?;
    let mut errors = vec![];
    let text = bundle.format_pattern(pattern, args, &mut errors);
    if !errors.is_empty() {
        tracing::warn!(%language, key, ?errors, "a message did not format cleanly");
    }
    Some(text.into_owned())
}

/// The message `key` in the reader's language, with `args`.
pub fn message(key: &str, args: Option<&FluentArgs<'_>>) -> String {
    let language = language();
    format(language, key, args)
        .or_else(|| format(Language::En, key, args))
        .unwrap_or_else(|| key.to_string())
}

/// The message `key` in the reader's language with text `args`, those that read as numbers
/// given as numbers (for plurals); `None` when no language has the key (a reason or a
/// notification this version does not word: the caller falls back to its own sentence).
pub fn keyed(key: &str, args: &[(&str, String)]) -> Option<String> {
    let mut fluent = FluentArgs::new();
    for (name, value) in args {
        // A number only when written as one (a count, for plurals): "Nan", "Infinity", "1e3"
        // or "007" are a person's or a record's name and stay as they are.
        match value.parse::<i64>() {
            Ok(n) if n.to_string() == *value => fluent.set(*name, FluentValue::from(n)),
            _ => fluent.set(*name, FluentValue::from(value.clone())),
        }
    }
    format(language(), key, Some(&fluent)).or_else(|| format(Language::En, key, Some(&fluent)))
}

/// The message `key` in the reader's language.
pub fn t(key: &str) -> String {
    message(key, None)
}

/// `tr!("key")` or `tr!("key", name = value, …)`: a message in the reader's language, its
/// arguments numbers (for plurals) or text.
#[macro_export]
macro_rules! tr {
    ($key:expr) => {
        $crate::i18n::t($key)
    };
    ($key:expr, $($name:ident = $value:expr),+ $(,)?) => {{
        let mut args = ::fluent_bundle::FluentArgs::new();
        $( args.set(stringify!($name), $crate::i18n::FluentValue::from($value)); )+
        $crate::i18n::message($key, Some(&args))
    }};
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(language: Language) -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        for (area, source) in sources(language) {
            let resource = match FluentResource::try_new(source.to_string()) {
                Ok(r) => r,
                Err((_, errors)) => panic!("{language}/{area}.ftl does not parse: {errors:?}"),
            };
            for entry in resource.entries() {
                if let fluent_syntax::ast::Entry::Message(m) = entry {
                    assert!(
                        keys.insert(m.id.name.to_string()),
                        "{language}/{area}.ftl: {} twice",
                        m.id.name
                    );
                }
            }
        }
        keys
    }

    #[test]
    fn a_name_that_reads_like_a_number_stays_as_written() {
        for name in ["Nan", "Infinity", "inf", "1e3", "007"] {
            let said = keyed("task-previous-rejected", &[("reason", name.to_string())])
                .expect("an English message");
            assert!(said.contains(name), "{name}: {said}");
        }
        let counted = keyed("task-previous-rejected", &[("reason", "12".to_string())])
            .expect("an English message");
        assert!(counted.contains("12"), "{counted}");
    }

    #[test]
    fn every_message_exists_in_every_language_and_every_file_parses() {
        let english = keys(Language::En);
        assert!(english.len() > 50, "{}", english.len());
        for language in Language::ALL {
            let own = keys(language);
            let missing: Vec<_> = english.difference(&own).collect();
            let extra: Vec<_> = own.difference(&english).collect();
            assert!(missing.is_empty(), "{language} lacks {missing:?}");
            assert!(
                extra.is_empty(),
                "{language} has keys English lacks: {extra:?}"
            );
        }
    }

    #[test]
    fn every_message_formats_in_every_language_with_its_arguments() {
        for language in Language::ALL {
            for key in keys(language) {
                let mut args = FluentArgs::new();
                for name in [
                    "provider",
                    "mb",
                    "active",
                    "available",
                    "kind",
                    "from",
                    "to",
                    "email",
                    "who",
                    "user",
                    "record",
                    "sponsor",
                    "day",
                    "then",
                    "sponsors",
                    "kind_of_record",
                    "why",
                    "decided",
                    "name",
                    "accepted",
                    "type",
                    "label",
                    "subject",
                    "reason",
                    "person",
                    "replacement",
                ] {
                    args.set(name, FluentValue::from("x"));
                }
                for name in [
                    "seats",
                    "days",
                    "count",
                    "items",
                    "most",
                    "max",
                    "min",
                    "missing",
                    "questions",
                    "answers",
                    "megabytes",
                    "minutes",
                ] {
                    args.set(name, FluentValue::from(3));
                }
                args.set("time", FluentValue::from("12:00"));
                let bundle = &bundles()[&language];
                let pattern = bundle.get_message(&key).and_then(|m| m.value());
                let Some(pattern) = pattern else {
                    panic!("{language} {key} has no value");
                };
                let mut errors = vec![];
                let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
                assert!(errors.is_empty(), "{language} {key}: {errors:?}");
                assert!(!text.trim().is_empty(), "{language} {key} is empty");
            }
        }
    }

    #[tokio::test]
    async fn messages_follow_the_readers_language_with_plurals() {
        let (en, de, ja) = (
            with_language(Language::En, async { tr!("due-in", days = 3) }).await,
            with_language(Language::De, async { tr!("due-in", days = 3) }).await,
            with_language(Language::Ja, async { tr!("due-in", days = 3) }).await,
        );
        assert_eq!(en, "due in 3 days");
        assert_eq!(de, "fällig in 3 Tagen");
        assert_eq!(ja, "期限まであと 3 日");
        let one = with_language(Language::De, async { tr!("overdue-by", days = 1) }).await;
        assert_eq!(one, "seit 1 Tag überfällig");
        assert_eq!(t("signin-submit"), "Sign in", "English outside a request");
        assert_eq!(t("no-such-key"), "no-such-key");
    }

    #[test]
    fn the_language_of_a_request_is_the_links_then_the_cookies_then_the_browsers() {
        let pick = request_language;
        assert_eq!(pick(Some("ja"), Some("de"), Some("fr")), Language::Ja);
        assert_eq!(pick(Some("pt"), Some("de"), Some("fr")), Language::De);
        assert_eq!(pick(None, None, Some("fr-CA,fr;q=0.9")), Language::Fr);
        assert_eq!(pick(None, None, None), Language::En);
        assert_eq!(lang_parameter("token=abc&lang=de").as_deref(), Some("de"));
    }
}

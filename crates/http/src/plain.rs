//! Plain words for people: the pages show configured labels instead of codes and dates as
//! people read them, in the reader's time zone, instead of stamps. (The API keeps the codes
//! and RFC 3339 stamps: they are for programs.)
//!
//! The reader's time zone is the one its browser reports (our script keeps it in the
//! `portico_tz` cookie), else the company's (`[user_template] timezone` of the configuration).
//! It is set for the whole request by [`with_reader_zone`], so that any page's code can write a
//! date without passing the zone along.

use std::cell::RefCell;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use maud::{html, Markup};
use portico_domain::config::in_language;
use portico_domain::model::Record;
use portico_service::store::TaskRow;
use portico_service::Portico;

use crate::tr;

/// The cookie our script writes the browser's time zone into.
pub const TZ_COOKIE: &str = "portico_tz";

tokio::task_local! {
    static READER_ZONE: RefCell<TimeZone>;
}

/// The zone a request's dates are shown in: the browser's, if it names a zone we know, else
/// the company's, else UTC.
pub fn reader_zone(app: &Portico, cookie: Option<&str>) -> TimeZone {
    cookie
        .filter(|name| name.len() <= 64)
        .and_then(|name| TimeZone::get(name).ok())
        .or_else(|| TimeZone::get(&app.config().user_template.timezone).ok())
        .unwrap_or(TimeZone::UTC)
}

/// Runs `f` (a request) with `zone` as the reader's time zone.
pub async fn with_reader_zone<F: std::future::Future>(zone: TimeZone, f: F) -> F::Output {
    READER_ZONE.scope(RefCell::new(zone), f).await
}

/// A signed-in reader's own zone (a person's `timezone__v`) for the rest of the request.
pub fn set_reader_zone(name: &str) {
    if let Ok(zone) = TimeZone::get(name) {
        let _ = READER_ZONE.try_with(|z| z.replace(zone));
    }
}

fn zone() -> TimeZone {
    READER_ZONE
        .try_with(|z| z.borrow().clone())
        .unwrap_or(TimeZone::UTC)
}

fn now_ms() -> i64 {
    Timestamp::now().as_millisecond()
}

/// The exact time of `ms` for `<time datetime>` (RFC 3339, UTC).
fn machine(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// "today, 14:05", "yesterday, 09:30" or "26 Nov 2026, 14:05" in the reader's zone and
/// language ("heute, 14:05", "2026年11月26日 14:05").
pub fn date_time_text(ms: i64) -> String {
    date_time_words(ms, now_ms())
}

fn date_time_words(ms: i64, now: i64) -> String {
    let Ok(t) = Timestamp::from_millisecond(ms) else {
        return String::new();
    };
    let at = t.to_zoned_datetime(zone());
    let time = at.strftime("%H:%M").to_string();
    match days_from_today(ms, now) {
        Some(0) => tr!("date-today", time = time),
        Some(-1) => tr!("date-yesterday", time = time),
        _ => strftime(&at, "date-format"),
    }
}

/// `at` in the reader's language's pattern `key` (a pattern that does not format is shown
/// as the ISO date and time rather than fail the page).
fn strftime(at: &jiff::ZonedDateTime, key: &str) -> String {
    use std::fmt::Write;
    let pattern = crate::i18n::t(key);
    let mut out = String::new();
    if write!(out, "{}", at.strftime(&pattern)).is_err() {
        out = at.strftime("%Y-%m-%d %H:%M").to_string();
    }
    out
}

/// The same with the zone's abbreviation, for the title shown on hover.
fn exact_text(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| strftime(&t.to_zoned_datetime(zone()), "date-exact-format"))
        .unwrap_or_default()
}

/// Calendar days from today to `ms`, in the reader's zone (negative: past).
fn days_from_today(ms: i64, now: i64) -> Option<i64> {
    let z = zone();
    let day = |ms: i64| {
        Timestamp::from_millisecond(ms)
            .ok()
            .map(|t| t.to_zoned_datetime(z.clone()).date())
    };
    let (then, today) = (day(ms)?, day(now)?);
    today.until(then).ok().map(|s| i64::from(s.get_days()))
}

/// A moment as people read it ("26 Nov 2026, 14:05"), the exact time on hover.
pub fn when(ms: i64) -> Markup {
    html! {
        time datetime=(machine(ms)) title=(exact_text(ms)) { (date_time_text(ms)) }
    }
}

/// A calendar date (`YYYY-MM-DD`, a day with no time zone) as people read it: "14 Dec 2026".
pub fn day(date: &str) -> String {
    jiff::civil::Date::strptime("%Y-%m-%d", date)
        .map(|d| {
            use std::fmt::Write;
            let mut out = String::new();
            match write!(out, "{}", d.strftime(&crate::i18n::t("day-format"))) {
                Ok(()) => out,
                Err(_) => d.to_string(),
            }
        })
        .unwrap_or_else(|_| date.to_string())
}

/// How far a due date is: "due today", "due tomorrow", "due in 14 days", "overdue by 2 days"
/// (in the reader's language, with its plurals).
pub fn due_words(due: i64, now: i64) -> (String, bool) {
    if due < now {
        let days = days_from_today(due, now).map_or(0, |d| -d);
        return (tr!("overdue-by", days = days), true);
    }
    let text = match days_from_today(due, now).unwrap_or(0) {
        0 => tr!("due-today"),
        n => tr!("due-in", days = n),
    };
    (text, false)
}

/// A due date: "due in 14 days" (marked when overdue), the date on hover.
pub fn due(ms: i64) -> Markup {
    let (text, overdue) = due_words(ms, now_ms());
    html! {
        time datetime=(machine(ms)) title=(exact_text(ms)) class=[overdue.then_some("overdue")] { (text) }
    }
}

/// A lifecycle state's label ("Pending Response") for a record of `object`, in the reader's
/// language when the configuration gives it.
pub fn state(app: &Portico, object: &str, state: &str) -> String {
    app.config()
        .target(object)
        .and_then(|t| t.lifecycle.state(state))
        .map_or_else(
            || code_words(state),
            |s| in_language(&s.labels, crate::i18n::language(), &s.label).to_string(),
        )
}

/// A type's label ("SCAR") for a record of `object`, in the reader's language when the
/// configuration gives it.
pub fn type_label(app: &Portico, object: &str) -> String {
    app.config().target(object).map_or_else(
        || code_words(object),
        |t| in_language(&t.labels, crate::i18n::language(), &t.label).to_string(),
    )
}

/// The response task the configuration defines for records of `object` in `state`.
fn response_task<'a>(
    app: &'a Portico,
    object: &str,
    state: &str,
) -> Option<&'a portico_domain::lifecycle::ResponseTask> {
    app.config()
        .target(object)?
        .lifecycle
        .state(state)?
        .response_task
        .as_ref()
}

/// A task's label in the reader's language when the configuration gives it, else as the
/// task was created.
pub fn task_label(app: &Portico, object: &str, task: &TaskRow) -> String {
    response_task(app, object, &task.state)
        .and_then(|r| r.labels.get(&crate::i18n::language()))
        .map_or_else(|| task.label.clone(), Clone::clone)
}

/// A task's instructions in the reader's language when the configuration gives them (with
/// `record`'s fields in place, and the reason of a rejected response after them), else as
/// the task was created.
pub fn task_instructions(app: &Portico, object: &str, task: &TaskRow, record: &Record) -> String {
    let Some(template) = response_task(app, object, &task.state)
        .and_then(|r| r.instructions_in.get(&crate::i18n::language()))
    else {
        return task.instructions.clone();
    };
    let mut text =
        portico_domain::template::Template::parse(template, &portico_domain::model::RECORD_FIELDS)
            .map(|t| {
                t.render(
                    &portico_domain::collab::record_values(record),
                    portico_domain::template::Escape::None,
                )
            })
            .unwrap_or_else(|_| template.clone());
    if let Some((_, reason)) = task.instructions.split_once(REJECTED) {
        text.push_str("\n\n");
        text.push_str(
            &crate::i18n::keyed("task-previous-rejected", &[("reason", reason.to_string())])
                .unwrap_or_default(),
        );
    }
    text
}

/// A notification in the reader's language, worded by its kind from its arguments (a task's
/// label as the configuration words it); one written before it kept arguments, or of a kind
/// this version does not word, in its stored sentence.
pub fn news(app: &Portico, n: &portico_service::store::NotificationRow) -> String {
    let Some(args) = n
        .args
        .as_deref()
        .and_then(|a| serde_json::from_str::<std::collections::BTreeMap<String, String>>(a).ok())
    else {
        return n.message.clone();
    };
    let mut list: Vec<(&str, String)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    if let (Some(object), Some(state)) = (&n.object, args.get("state")) {
        if let Some(label) =
            response_task(app, object, state).and_then(|r| r.labels.get(&crate::i18n::language()))
        {
            list.retain(|(k, _)| *k != "label");
            list.push(("label", label.clone()));
        }
    }
    let key = match args.contains_key("reason") {
        true => format!("news-{}-why", n.kind),
        false => format!("news-{}", n.kind),
    };
    crate::i18n::keyed(&key, &list).unwrap_or_else(|| n.message.clone())
}

/// What the rules append to the instructions of a task that follows a rejected response.
const REJECTED: &str = "\n\nYour previous response was rejected: ";

/// An action's label ("Send to Supplier") for a record of `object` in `state`.
pub fn action(app: &Portico, object: &str, state: &str, action: &str) -> String {
    app.config()
        .target(object)
        .and_then(|t| {
            t.lifecycle
                .actions_in(state)
                .into_iter()
                .find(|a| a.name == action)
        })
        .map_or_else(|| code_words(action), |a| a.label)
}

/// An email template's name in words: "Welcome email (SCAR)".
pub fn template(app: &Portico, name: &str) -> String {
    app.config().find_template(name).map_or_else(
        || code_words(name),
        |(t, kind)| {
            let kind = crate::i18n::t(&format!("template-kind-{}", kind.key()));
            tr!(
                "template-name",
                kind = kind,
                kind_of_record = t.label.as_str()
            )
        },
    )
}

/// A code without a configured label, in words (never shown with its `__v`).
pub fn code_words(code: &str) -> String {
    let w = code
        .trim_end_matches("__v")
        .trim_end_matches("__c")
        .trim_end_matches("__qdm")
        .replace('_', " ");
    let mut chars = w.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => w,
    }
}

/// A refusal's message as a page shows it: codes in words ("in_review__c" → "In review"),
/// ids left out (the names beside them stay), and none of the API's instructions to programs
/// (`send "signature": {...}`). The API keeps the message as it is.
pub fn refusal(message: &str) -> String {
    let message = match message.find(": send \"") {
        Some(at) => &message[..at],
        None => message,
    };
    let mut words: Vec<String> = vec![];
    for word in message.split(' ') {
        let core = word.trim_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
        if is_id(core) {
            // "Anna Berg (per_…)": the name says it; a bare id says nothing to a person.
            continue;
        }
        if core.contains("__") {
            // `this.supplier__v` in a constraint: the field is the last part.
            let code = core.rsplit('.').next().unwrap_or(core);
            words.push(word.replacen(code, &code_words(code), 1));
        } else {
            words.push(word.to_string());
        }
    }
    words.join(" ")
}

/// An id as Portico makes them: three letters, `_`, then at least 16 hexadecimal digits.
fn is_id(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() >= 20
        && b[..3].iter().all(u8::is_ascii_lowercase)
        && b[3] == b'_'
        && b[4..].iter().all(u8::is_ascii_hexdigit)
}

/// A task's or ticket's status in words, in the reader's language.
pub fn status(status: &str) -> String {
    match status {
        "open" | "completed" | "cancelled" | "answered" | "pending" | "sent" | "failed"
        | "active__v" | "inactive__v" => crate::i18n::t(&format!("status-{status}")),
        other => code_words(other),
    }
}

/// A file size as people read it: "12 KB", "3.4 MB".
pub fn size(bytes: i64) -> String {
    if bytes < 1_000_000 {
        format!("{} KB", (bytes + 999) / 1000)
    } else {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    }
}

/// An audit entry's sentence, its records and contacts linked to their pages.
pub fn sentence(s: &portico_service::Sentence) -> Markup {
    use portico_service::Part;
    html! {
        @for part in &s.parts {
            @match part {
                Part::Text(t) => { (t) }
                Part::Record { object, id, name } => { a href=(format!("/records/{object}/{id}")) { (name) } }
                Part::Person { id, name } => { a href=(format!("/persons/{id}/edit")) { (name) } }
                Part::User { name, .. } => { (name) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;
    // 2026-11-26T12:00:00Z
    const NOON: i64 = 1_795_694_400_000;

    #[tokio::test]
    async fn dates_read_in_the_readers_zone() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let later = NOON + 30 * DAY;
        let text = with_reader_zone(berlin.clone(), async { date_time_words(NOON, later) }).await;
        assert_eq!(text, "26 Nov 2026, 13:00");
        assert_eq!(
            date_time_words(NOON, later),
            "26 Nov 2026, 12:00",
            "UTC outside a request"
        );
        // 23:30 UTC is already the next day in Berlin.
        let late = NOON + 11 * 3_600_000 + 1_800_000;
        let (today, yesterday) = with_reader_zone(berlin, async {
            (
                date_time_words(late, late + 60_000),
                date_time_words(late, late + DAY),
            )
        })
        .await;
        assert_eq!(
            (today.as_str(), yesterday.as_str()),
            ("today, 00:30", "yesterday, 00:30")
        );
        assert_eq!(date_time_words(late, late + DAY), "yesterday, 23:30");
        let markup = with_reader_zone(TimeZone::UTC, async { when(NOON).into_string() }).await;
        assert!(
            markup.starts_with("<time datetime=\"2026-11-26T12:00:00Z\" title=\"Thursday 26 November 2026, 12:00:00 UTC\">"),
            "{markup}"
        );
    }

    #[tokio::test]
    async fn dates_and_due_dates_read_in_the_readers_language() {
        use portico_domain::Language;
        let later = NOON + 30 * DAY;
        let de = crate::i18n::with_language(Language::De, async {
            (
                date_time_words(NOON, later),
                due_words(NOON + 2 * DAY, NOON).0,
                date_time_words(NOON, NOON + 60_000),
            )
        })
        .await;
        assert_eq!(
            de,
            (
                "26.11.2026, 12:00".to_string(),
                "fällig in 2 Tagen".to_string(),
                "heute, 12:00".to_string()
            )
        );
        let ja = crate::i18n::with_language(Language::Ja, async {
            (
                date_time_words(NOON, later),
                due_words(NOON - 2 * DAY, NOON).0,
            )
        })
        .await;
        assert_eq!(
            ja,
            (
                "2026年11月26日 12:00".to_string(),
                "期限を 2 日超過".to_string()
            )
        );
    }

    #[test]
    fn due_dates_say_how_far_they_are() {
        assert_eq!(
            due_words(NOON + 14 * DAY, NOON),
            ("due in 14 days".into(), false)
        );
        assert_eq!(due_words(NOON + DAY, NOON), ("due tomorrow".into(), false));
        assert_eq!(
            due_words(NOON + 3_600_000, NOON),
            ("due today".into(), false)
        );
        assert_eq!(
            due_words(NOON - 2 * DAY, NOON),
            ("overdue by 2 days".into(), true)
        );
        assert_eq!(
            due_words(NOON - DAY, NOON),
            ("overdue by 1 day".into(), true)
        );
        assert_eq!(
            due_words(NOON - 60_000, NOON),
            ("overdue since today".into(), true)
        );
    }

    #[test]
    fn refusals_read_as_sentences_without_codes_ids_or_instructions() {
        assert_eq!(
            refusal("'change_state_to_closed__c' cannot be run in state pending_response__c"),
            "'Change state to closed' cannot be run in state Pending response"
        );
        assert_eq!(
            refusal("Anna Berg (per_0192a4b0c1d2e3f4a5b6c7d8e9f0a1b2) cannot be an external collaborator of this record: the constraint 'organization__v = {{this.supplier__v}}' is not met"),
            "Anna Berg cannot be an external collaborator of this record: the constraint 'Organization = {{this.Supplier}}' is not met"
        );
        assert_eq!(
            refusal("the action change_state_to_closed__c requires your electronic signature meaning 'Approved': send \"signature\": {\"password\": your password}"),
            "the action Change state to closed requires your electronic signature meaning 'Approved'"
        );
        assert_eq!(
            refusal(
                "no external license seat is free to activate Anna Berg: all 10 seats are in use"
            ),
            "no external license seat is free to activate Anna Berg: all 10 seats are in use"
        );
    }

    #[test]
    fn codes_without_a_label_become_words() {
        assert_eq!(code_words("open"), "Open");
        assert_eq!(code_words("pending_response__c"), "Pending response");
        assert_eq!(size(1), "1 KB");
        assert_eq!(size(3_400_000), "3.4 MB");
    }
}

//! Access reviews and inactivity (SPEC section 11, "Guest governance"): the rules, without
//! IO. Days are days since 1970-01-01 (UTC) and times are milliseconds since the epoch, both
//! passed in.

use std::fmt;

/// The most days a review may run before its due date.
pub const MAX_DUE_IN_DAYS: i64 = 365;

/// The most characters a decision's reason may have.
pub const MAX_REASON_CHARS: usize = 1_000;

const DAY_MS: i64 = 86_400_000;

/// What a sponsor decides about an external user's access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewDecision {
    /// The access stays.
    Keep,
    /// The access ends (C3 on each record; Goodbye when it was the last).
    Remove,
}

impl ReviewDecision {
    /// `keep` or `remove`.
    pub fn parse(s: &str) -> Result<Self, ReviewError> {
        match s {
            "keep" => Ok(Self::Keep),
            "remove" => Ok(Self::Remove),
            other => Err(ReviewError::UnknownDecision(
                other.chars().take(40).collect(),
            )),
        }
    }

    /// As stored and sent: `keep` or `remove`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Keep => "keep",
            Self::Remove => "remove",
        }
    }

    /// In words, for pages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Keep => "Keep access",
            Self::Remove => "Remove access",
        }
    }
}

impl fmt::Display for ReviewDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a review cannot be opened or an item decided.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    /// Neither `keep` nor `remove`.
    #[error("decision must be \"keep\" or \"remove\", not \"{0}\"")]
    UnknownDecision(String),
    /// No reason given.
    #[error("reason is required: say why the access is kept or removed")]
    ReasonRequired,
    /// A reason past [`MAX_REASON_CHARS`].
    #[error("reason is too long: {0} characters, at most 1000")]
    ReasonTooLong(usize),
    /// `due_in_days` out of range.
    #[error("due_in_days must be between 1 and 365, not {0}")]
    DueOutOfRange(i64),
    /// Decided before.
    #[error("this item was decided already ({0}); a decision is final")]
    AlreadyDecided(String),
    /// The review has ended.
    #[error("this review has ended: its undecided items took the default")]
    Closed,
    /// Not a sponsor of the item, nor an administrator.
    #[error(
        "only a sponsor of this external user's access, or an administrator, may decide this item"
    )]
    NotASponsor,
}

/// The reason as kept: trimmed, required, at most [`MAX_REASON_CHARS`] characters.
pub fn check_reason(reason: &str) -> Result<String, ReviewError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ReviewError::ReasonRequired);
    }
    let count = reason.chars().take(MAX_REASON_CHARS + 1).count();
    if count > MAX_REASON_CHARS {
        return Err(ReviewError::ReasonTooLong(reason.chars().count()));
    }
    Ok(reason.to_string())
}

/// The due day of a review opened on `today` to be due in `due_in_days`.
pub fn due_day(today: i64, due_in_days: i64) -> Result<i64, ReviewError> {
    if !(1..=MAX_DUE_IN_DAYS).contains(&due_in_days) {
        return Err(ReviewError::DueOutOfRange(due_in_days));
    }
    Ok(today + due_in_days)
}

/// Whether the sponsors of a review due on `due` are reminded on `today` (`remind_days`
/// before the due date, until it). Reminded once: the caller notes that it did.
pub fn reminder_due(today: i64, due: i64, remind_days: i64) -> bool {
    today < due && today >= due - remind_days.max(0)
}

/// Whether undecided items of a review due on `due` take the default on `today`.
pub fn default_due(today: i64, due: i64) -> bool {
    today >= due
}

/// Whether `caller` may decide an item sponsored by `sponsors`, and whether it still may be.
pub fn may_decide<T: PartialEq>(
    caller: &T,
    caller_is_admin: bool,
    sponsors: &[T],
    decided: Option<ReviewDecision>,
    review_closed: bool,
) -> Result<(), ReviewError> {
    if !caller_is_admin && !sponsors.contains(caller) {
        return Err(ReviewError::NotASponsor);
    }
    if let Some(d) = decided {
        return Err(ReviewError::AlreadyDecided(d.name().to_string()));
    }
    if review_closed {
        return Err(ReviewError::Closed);
    }
    Ok(())
}

/// Why an external user is flagged as inactive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    /// Welcomed at this time and never signed in since.
    NeverSignedIn {
        /// The Welcome (the last activation).
        since: i64,
    },
    /// Signed in last at this time.
    LastSignedIn {
        /// The last sign-in.
        at: i64,
    },
}

/// Whether a user welcomed (last activated) at `activated_at` who last signed in at
/// `last_sign_in` is stale at `now` when `after_days` without a sign-in make one so (`None`:
/// nobody ever is). The clock starts at the later of the two: a user welcomed yesterday is not
/// stale for a sign-in years ago, nor for not having signed in yet.
pub fn stale(
    now: i64,
    last_sign_in: Option<i64>,
    activated_at: i64,
    after_days: Option<u32>,
) -> Option<Stale> {
    let after = i64::from(after_days?) * DAY_MS;
    match last_sign_in.filter(|&at| at >= activated_at) {
        Some(at) if now - at > after => Some(Stale::LastSignedIn { at }),
        Some(_) => None,
        None if now - activated_at > after => Some(Stale::NeverSignedIn {
            since: activated_at,
        }),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_is_keep_or_remove() {
        assert_eq!(ReviewDecision::parse("keep"), Ok(ReviewDecision::Keep));
        assert_eq!(ReviewDecision::parse("remove"), Ok(ReviewDecision::Remove));
        assert!(matches!(
            ReviewDecision::parse("Keep"),
            Err(ReviewError::UnknownDecision(_))
        ));
        assert_eq!(ReviewDecision::Remove.to_string(), "remove");
    }

    #[test]
    fn a_reason_is_required_trimmed_and_bounded() {
        assert_eq!(
            check_reason("  still works with us "),
            Ok("still works with us".into())
        );
        assert_eq!(check_reason(" \n\t"), Err(ReviewError::ReasonRequired));
        assert_eq!(check_reason(&"x".repeat(1000)).map(|r| r.len()), Ok(1000));
        assert_eq!(
            check_reason(&"é".repeat(1001)),
            Err(ReviewError::ReasonTooLong(1001))
        );
    }

    #[test]
    fn a_review_is_due_within_a_year() {
        assert_eq!(due_day(100, 14), Ok(114));
        assert_eq!(due_day(100, 0), Err(ReviewError::DueOutOfRange(0)));
        assert_eq!(due_day(100, 366), Err(ReviewError::DueOutOfRange(366)));
        assert_eq!(due_day(100, -3), Err(ReviewError::DueOutOfRange(-3)));
    }

    #[test]
    fn reminders_come_before_the_due_date_and_the_default_on_it() {
        assert!(!reminder_due(100, 110, 3));
        assert!(reminder_due(107, 110, 3));
        assert!(reminder_due(109, 110, 3));
        assert!(
            !reminder_due(110, 110, 3),
            "on the due date the default decides"
        );
        assert!(!default_due(109, 110));
        assert!(default_due(110, 110));
        assert!(default_due(120, 110));
    }

    #[test]
    fn only_a_sponsor_or_an_administrator_decides_and_only_once() {
        let sponsors = ["ann", "bob"];
        assert_eq!(may_decide(&"ann", false, &sponsors, None, false), Ok(()));
        assert_eq!(may_decide(&"root", true, &sponsors, None, false), Ok(()));
        assert_eq!(
            may_decide(&"eve", false, &sponsors, None, false),
            Err(ReviewError::NotASponsor)
        );
        assert_eq!(
            may_decide(&"eve", false, &sponsors, Some(ReviewDecision::Keep), false),
            Err(ReviewError::NotASponsor),
            "a stranger learns nothing about the item"
        );
        assert_eq!(
            may_decide(&"bob", false, &sponsors, Some(ReviewDecision::Keep), false),
            Err(ReviewError::AlreadyDecided("keep".into()))
        );
        assert_eq!(
            may_decide(&"bob", false, &sponsors, None, true),
            Err(ReviewError::Closed)
        );
    }

    #[test]
    fn inactivity_counts_from_the_later_of_welcome_and_sign_in() {
        let day = DAY_MS;
        // Never flagged without a setting.
        assert_eq!(stale(100 * day, None, 0, None), None);
        // Welcomed 40 days ago, never signed in: flagged after 30 days.
        assert_eq!(
            stale(100 * day, None, 60 * day, Some(30)),
            Some(Stale::NeverSignedIn { since: 60 * day })
        );
        // Welcomed 10 days ago: not yet.
        assert_eq!(stale(100 * day, None, 90 * day, Some(30)), None);
        // A sign-in before the last Welcome does not count as one since.
        assert_eq!(
            stale(100 * day, Some(10 * day), 60 * day, Some(30)),
            Some(Stale::NeverSignedIn { since: 60 * day })
        );
        assert_eq!(stale(100 * day, Some(10 * day), 90 * day, Some(30)), None);
        // Signed in 31 days ago: flagged; 29 days ago: not.
        assert_eq!(
            stale(100 * day, Some(69 * day), 0, Some(30)),
            Some(Stale::LastSignedIn { at: 69 * day })
        );
        assert_eq!(stale(100 * day, Some(71 * day), 0, Some(30)), None);
        // Zero days: anyone not signed in this very moment.
        assert_eq!(
            stale(100 * day, Some(100 * day - 1), 0, Some(0)),
            Some(Stale::LastSignedIn { at: 100 * day - 1 })
        );
    }
}

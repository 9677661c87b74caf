//! Portico's pure rules.
//!
//! Everything here decides; nothing here does. The collaboration rules of SPEC section 2
//! (C1–C7) take a [`collab::Snapshot`] of the state that matters and return a [`collab::Plan`]
//! of what an action would change. The service layer applies a plan in one transaction, and
//! answers a dry run with the same plan. Time and new ids are passed in.
//!
//! Invariant: this crate does no IO — no database, no network, no clock, no randomness.

pub mod checklist;
pub mod collab;
pub mod config;
pub mod email;
pub mod ids;
pub mod language;
pub mod license;
pub mod lifecycle;
pub mod model;
pub mod review;
pub mod template;
pub mod vql;

pub use email::EmailAddress;
pub use language::Language;

/// The most characters a person's free text may have: a comment, a task response, a
/// checklist answer (SPEC section 5). Longer text is refused, not cut.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// `Some(count)` when `text` is longer than [`MAX_TEXT_CHARS`].
pub fn too_long(text: &str) -> Option<usize> {
    // Counting stops just past the limit: a megabyte of text costs no more than the limit.
    let count = text.chars().take(MAX_TEXT_CHARS + 1).count();
    (count > MAX_TEXT_CHARS).then(|| text.chars().count())
}
pub use ids::{AssignmentId, ChecklistId, OrgId, PersonId, RecordId, TaskId, UserId};
pub use license::{LicensePool, SeatCount};

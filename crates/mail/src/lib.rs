//! Email delivery (SPEC section 4). A [`Worker`] claims due emails from the outbox, sends them
//! over SMTP or into a Maildir, and records each outcome: sent, or tried again later with
//! exponential backoff, or `failed` after the last attempt.
//!
//! Invariants: only this crate talks SMTP; an email's Message-ID is derived from its outbox id,
//! so a resend after a crash is the same email to the receiver, not a new one; with several
//! workers on one PostgreSQL database each email is claimed by one worker only.

mod maildir;
mod transport;
mod worker;

/// The address an email is sent from, as the binary parses its setting: lettre's own type, so
/// that lettre stays this crate's alone.
pub use lettre::message::Mailbox;
pub use transport::{Transport, TransportError};
pub use worker::{Delivery, MadeSecrets, SecretMaker, Worker, WorkerSettings};

//! What a use case can answer instead of a result. Each variant is one error type of SPEC
//! section 9; the HTTP layer maps them one to one.

use std::error::Error;
use std::sync::Arc;

use portico_domain::collab::RuleError;
use portico_domain::lifecycle::ActionError;
use portico_store::StoreError;

/// A refused or failed use case. A refusal carries its English sentence (the API's
/// `message`) and, where a person meets it on a page, its [`Reason`] (see [`Refusal`]).
#[derive(Debug, Clone, thiserror::Error)]
pub enum ServiceError {
    /// `INVALID_DATA` 400.
    #[error("{0}")]
    InvalidData(Refusal),
    /// `PARAMETER_REQUIRED` 400.
    #[error("{0}")]
    ParameterRequired(Refusal),
    /// `INVALID_SESSION_ID` 401.
    #[error("{0}")]
    InvalidSession(Refusal),
    /// `USERNAME_OR_PASSWORD_INCORRECT` 401.
    #[error("the username or password is incorrect, or the user is inactive")]
    BadCredentials,
    /// `SIGNATURE_REQUIRED` 400: the action or task needs an electronic signature and the
    /// request carries none (SPEC section 11).
    #[error("{0}")]
    SignatureRequired(Refusal),
    /// `INVALID_SIGNATURE` 401: the signature's password is wrong (counted like a failed
    /// sign-in, and audited).
    #[error("{0}")]
    InvalidSignature(Refusal),
    /// `SSO_REAUTHENTICATION_REQUIRED` 403: the signer signs in through the identity provider
    /// and has no password to sign with.
    #[error("{0}")]
    SsoReauthenticationRequired(Refusal),
    /// `INSUFFICIENT_ACCESS` 403.
    #[error("{0}")]
    InsufficientAccess(Refusal),
    /// `NOT_FOUND` 404.
    #[error("{0}")]
    NotFound(Refusal),
    /// `OPERATION_NOT_ALLOWED` 409.
    #[error("{0}")]
    OperationNotAllowed(Refusal),
    /// `API_LIMIT_EXCEEDED` 429: too many attempts.
    #[error("{0}")]
    LimitExceeded(Refusal),
    /// `LICENSE_LIMIT_EXCEEDED` 409.
    #[error("{0}")]
    LicenseLimitExceeded(Refusal),
    /// `CONSTRAINT_VIOLATION` 400.
    #[error("{0}")]
    ConstraintViolation(Refusal),
    /// `OPERATION_NOT_ALLOWED` 409: the write collided with a concurrent one and was run
    /// again as many times as [`crate::retry`] allows; nothing was changed. Carries the kind of
    /// collision for the log.
    #[error("another request changed the same data at the same time ({0}); nothing was changed. Please try again")]
    Conflict(String),
    /// `INTERNAL_ERROR` 500: never on purpose. What failed, and the error that made it fail
    /// (its whole `source` chain, [`ServiceError::with_causes`]): logged once where it is
    /// answered, never shown.
    #[error("internal error: {context}")]
    Internal {
        /// What was being done, e.g. "storing the file".
        context: String,
        /// Why it failed; `None` when nothing failed below (an invariant of ours broke).
        #[source]
        source: Option<Cause>,
    },
}

/// The refusal an error carries (`&` or `&mut`, as the error is borrowed): every kind but
/// bad credentials, a conflict and an internal error has one. One match for both borrows.
macro_rules! refusal_of {
    ($error:expr) => {
        match $error {
            ServiceError::InvalidData(r)
            | ServiceError::ParameterRequired(r)
            | ServiceError::InvalidSession(r)
            | ServiceError::SignatureRequired(r)
            | ServiceError::InvalidSignature(r)
            | ServiceError::SsoReauthenticationRequired(r)
            | ServiceError::InsufficientAccess(r)
            | ServiceError::NotFound(r)
            | ServiceError::OperationNotAllowed(r)
            | ServiceError::LimitExceeded(r)
            | ServiceError::LicenseLimitExceeded(r)
            | ServiceError::ConstraintViolation(r) => Some(r),
            ServiceError::BadCredentials
            | ServiceError::Conflict(_)
            | ServiceError::Internal { .. } => None,
        }
    };
}

impl ServiceError {
    /// The same refusal with `reason` for the pages (its English sentence unchanged); an
    /// internal error or bad credentials take none.
    pub fn because(mut self, key: &'static str, args: &[(&'static str, &dyn ToString)]) -> Self {
        if let Some(r) = self.refusal_mut() {
            r.reason = Some(Reason {
                key,
                args: args.iter().map(|(n, v)| (*n, v.to_string())).collect(),
            });
        }
        self
    }

    /// Why it was refused, when the use case named it.
    pub fn reason(&self) -> Option<&Reason> {
        refusal_of!(self).and_then(|r| r.reason.as_ref())
    }

    fn refusal_mut(&mut self) -> Option<&mut Refusal> {
        refusal_of!(self)
    }

    /// An internal error: `context` failed because of `source`.
    pub fn internal(
        context: impl Into<String>,
        source: impl Into<Box<dyn Error + Send + Sync>>,
    ) -> Self {
        ServiceError::Internal {
            context: context.into(),
            source: Some(Cause(Arc::from(source.into()))),
        }
    }

    /// An internal error with nothing failing below it: something we rely on does not hold.
    pub fn broken(context: impl Into<String>) -> Self {
        ServiceError::Internal {
            context: context.into(),
            source: None,
        }
    }

    /// The message followed by each of its causes (`message: cause: cause's cause`), for the
    /// log. A cause whose text its error already included is not repeated.
    pub fn with_causes(&self) -> String {
        causes(self)
    }
}

/// A refusal: the English sentence the API answers (SPEC section 9, unchanged by any
/// reason) and, optionally, the [`Reason`] a page words in the reader's language. It reads
/// as its sentence (`Display`, `Deref<Target = str>`), so code that looked at the sentence
/// still does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    message: String,
    reason: Option<Reason>,
}

/// Why a use case refused, for the pages: a stable message key of the page's message files
/// (`refusal-…` in `crates/http/locales/*/refusals.ftl`) and its arguments (names, numbers),
/// never shown raw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// The message key, e.g. `refusal-record-closed`.
    pub key: &'static str,
    /// The message's arguments: name and value.
    pub args: Vec<(&'static str, String)>,
}

impl Refusal {
    /// The English sentence.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<String> for Refusal {
    fn from(message: String) -> Self {
        Refusal {
            message,
            reason: None,
        }
    }
}

impl From<&str> for Refusal {
    fn from(message: &str) -> Self {
        message.to_string().into()
    }
}

impl From<Refusal> for String {
    fn from(r: Refusal) -> Self {
        r.message
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::ops::Deref for Refusal {
    type Target = str;

    fn deref(&self) -> &str {
        &self.message
    }
}

impl PartialEq<str> for Refusal {
    fn eq(&self, other: &str) -> bool {
        self.message == other
    }
}

impl PartialEq<&str> for Refusal {
    fn eq(&self, other: &&str) -> bool {
        self.message == *other
    }
}

/// `e` and its `source` chain on one line, a cause already quoted by its error left out.
pub fn causes(e: &(dyn Error + 'static)) -> String {
    let mut line = e.to_string();
    let mut last = line.clone();
    let mut next = e.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !last.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        last = text;
        next = cause.source();
    }
    line
}

/// The error below an internal one. Shared, so that one failure can answer for several records
/// of a bulk; it stands for the error itself in the `source` chain (downcasts reach it).
#[derive(Debug, Clone)]
pub struct Cause(Arc<dyn Error + Send + Sync>);

impl std::ops::Deref for Cause {
    type Target = dyn Error + Send + Sync + 'static;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

/// Result of a use case.
pub type ServiceResult<T> = Result<T, ServiceError>;

impl From<RuleError> for ServiceError {
    fn from(e: RuleError) -> Self {
        let message: Refusal = e.to_string().into();
        match e {
            RuleError::ConstraintViolation { .. } => ServiceError::ConstraintViolation(message),
            RuleError::LicenseLimitExceeded { seats, .. } => {
                ServiceError::LicenseLimitExceeded(message)
                    .because("refusal-no-seat", &[("seats", &seats)])
            }
            RuleError::Action(ActionError::Unknown { .. }) => ServiceError::NotFound(message),
            RuleError::Action(ActionError::NotInState { .. }) => {
                ServiceError::OperationNotAllowed(message).because("refusal-action-not-now", &[])
            }
            RuleError::FieldLocked { .. }
            | RuleError::NoCollaborators { .. }
            | RuleError::ManagedByAutomation { .. } => ServiceError::OperationNotAllowed(message),
            RuleError::ParameterRequired(_) => ServiceError::ParameterRequired(message),
            RuleError::TaskNotOpen { .. } => {
                ServiceError::OperationNotAllowed(message).because("refusal-task-not-open", &[])
            }
            RuleError::NotACollaborator { .. }
            | RuleError::AlreadyCollaborator { .. }
            | RuleError::InvalidInput(_) => ServiceError::InvalidData(message),
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NoSeat => ServiceError::LicenseLimitExceeded(
                "no external license seat is free: another request took the last one".into(),
            )
            .because("refusal-no-seat-now", &[]),
            StoreError::Duplicate(rule) => ServiceError::OperationNotAllowed(rule.message().into()),
            StoreError::Conflict(kind) => ServiceError::Conflict(kind.to_string()),
            StoreError::NotFound(what) => {
                ServiceError::NotFound(format!("{what} not found").into())
            }
            other => ServiceError::internal("the database failed", other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_failure_keeps_the_store_error_as_its_source() {
        let e = ServiceError::from(StoreError::Corrupt("user status frozen".into()));
        assert!(matches!(e, ServiceError::Internal { .. }));
        let source = e.source().expect("a source");
        assert!(
            matches!(
                source.downcast_ref::<StoreError>(),
                Some(StoreError::Corrupt(_))
            ),
            "{source:?}"
        );
        assert_eq!(
            e.with_causes(),
            "internal error: the database failed: stored data is invalid: user status frozen"
        );
    }

    #[test]
    fn the_causes_are_listed_once_each_even_when_an_error_quotes_its_source() {
        #[derive(Debug, thiserror::Error)]
        #[error("outer: {0}")]
        struct Quoting(#[source] std::io::Error);
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = ServiceError::internal("reading the file", Quoting(io));
        assert_eq!(
            e.with_causes(),
            "internal error: reading the file: outer: no such file"
        );
        assert_eq!(
            ServiceError::broken("no template goodbye").with_causes(),
            "internal error: no template goodbye"
        );
    }
}

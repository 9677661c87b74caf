//! What a use case can answer instead of a result. Each variant is one error type of SPEC
//! section 9; the HTTP layer maps them one to one.

use std::error::Error;
use std::sync::Arc;

use portico_domain::collab::RuleError;
use portico_domain::lifecycle::ActionError;
use portico_store::StoreError;

/// A refused or failed use case.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ServiceError {
    /// `INVALID_DATA` 400.
    #[error("{0}")]
    InvalidData(String),
    /// `PARAMETER_REQUIRED` 400.
    #[error("{0}")]
    ParameterRequired(String),
    /// `INVALID_SESSION_ID` 401.
    #[error("{0}")]
    InvalidSession(String),
    /// `USERNAME_OR_PASSWORD_INCORRECT` 401.
    #[error("the username or password is incorrect, or the user is inactive")]
    BadCredentials,
    /// `SIGNATURE_REQUIRED` 400: the action or task needs an electronic signature and the
    /// request carries none (SPEC section 11).
    #[error("{0}")]
    SignatureRequired(String),
    /// `INVALID_SIGNATURE` 401: the signature's password is wrong (counted like a failed
    /// sign-in, and audited).
    #[error("{0}")]
    InvalidSignature(String),
    /// `SSO_REAUTHENTICATION_REQUIRED` 403: the signer signs in through the identity provider
    /// and has no password to sign with.
    #[error("{0}")]
    SsoReauthenticationRequired(String),
    /// `INSUFFICIENT_ACCESS` 403.
    #[error("{0}")]
    InsufficientAccess(String),
    /// `NOT_FOUND` 404.
    #[error("{0}")]
    NotFound(String),
    /// `OPERATION_NOT_ALLOWED` 409.
    #[error("{0}")]
    OperationNotAllowed(String),
    /// `API_LIMIT_EXCEEDED` 429: too many attempts.
    #[error("{0}")]
    LimitExceeded(String),
    /// `LICENSE_LIMIT_EXCEEDED` 409.
    #[error("{0}")]
    LicenseLimitExceeded(String),
    /// `CONSTRAINT_VIOLATION` 400.
    #[error("{0}")]
    ConstraintViolation(String),
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

impl ServiceError {
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
        let message = e.to_string();
        match e {
            RuleError::ConstraintViolation { .. } => ServiceError::ConstraintViolation(message),
            RuleError::LicenseLimitExceeded { .. } => ServiceError::LicenseLimitExceeded(message),
            RuleError::Action(ActionError::Unknown { .. }) => ServiceError::NotFound(message),
            RuleError::Action(ActionError::NotInState { .. })
            | RuleError::FieldLocked { .. }
            | RuleError::NoCollaborators { .. }
            | RuleError::ManagedByAutomation { .. } => ServiceError::OperationNotAllowed(message),
            RuleError::ParameterRequired(_) => ServiceError::ParameterRequired(message),
            RuleError::TaskNotOpen { .. } => ServiceError::OperationNotAllowed(message),
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
            ),
            StoreError::Duplicate(rule) => ServiceError::OperationNotAllowed(rule.message().into()),
            StoreError::Conflict(kind) => ServiceError::Conflict(kind.to_string()),
            StoreError::NotFound(what) => ServiceError::NotFound(format!("{what} not found")),
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

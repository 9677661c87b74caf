//! What a use case can answer instead of a result. Each variant is one error type of SPEC
//! section 9; the HTTP layer maps them one to one.

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
    /// `INTERNAL_ERROR` 500: never on purpose; the cause is logged, not shown.
    #[error("internal error: {0}")]
    Internal(String),
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
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

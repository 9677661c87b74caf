//! The one error-to-response mapping: every failure leaves as the SPEC envelope
//! `{"responseStatus": "FAILURE", "errors": [{"type": ..., "message": ...}]}`. The envelope's
//! schema in the OpenAPI document is derived from the structs below, and every operation
//! documents the statuses of [`ErrorType`] ([`Refusals`]).

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use portico_service::ServiceError;
use serde::Serialize;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::{Content, Ref, RefOr};
use utoipa::ToSchema;

/// The error types of SPEC section 9, and those Portico adds; each has one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorType {
    InvalidData,
    ParameterRequired,
    InvalidSessionId,
    UsernameOrPasswordIncorrect,
    PasswordChangeRequired,
    InsufficientAccess,
    NotFound,
    MethodNotSupported,
    OperationNotAllowed,
    LicenseLimitExceeded,
    ConstraintViolation,
    ApiLimitExceeded,
    SignatureRequired,
    InvalidSignature,
    SsoReauthenticationRequired,
    InternalError,
}

impl ErrorType {
    const ALL: [ErrorType; 16] = [
        ErrorType::InvalidData,
        ErrorType::ParameterRequired,
        ErrorType::InvalidSessionId,
        ErrorType::UsernameOrPasswordIncorrect,
        ErrorType::PasswordChangeRequired,
        ErrorType::InsufficientAccess,
        ErrorType::NotFound,
        ErrorType::MethodNotSupported,
        ErrorType::OperationNotAllowed,
        ErrorType::LicenseLimitExceeded,
        ErrorType::ConstraintViolation,
        ErrorType::ApiLimitExceeded,
        ErrorType::SignatureRequired,
        ErrorType::InvalidSignature,
        ErrorType::SsoReauthenticationRequired,
        ErrorType::InternalError,
    ];

    /// The HTTP status every error of this type answers with.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorType::InvalidData
            | ErrorType::ParameterRequired
            | ErrorType::ConstraintViolation
            | ErrorType::SignatureRequired => StatusCode::BAD_REQUEST,
            ErrorType::InvalidSessionId
            | ErrorType::UsernameOrPasswordIncorrect
            | ErrorType::InvalidSignature => StatusCode::UNAUTHORIZED,
            ErrorType::PasswordChangeRequired
            | ErrorType::InsufficientAccess
            | ErrorType::SsoReauthenticationRequired => StatusCode::FORBIDDEN,
            ErrorType::NotFound => StatusCode::NOT_FOUND,
            ErrorType::MethodNotSupported => StatusCode::METHOD_NOT_ALLOWED,
            ErrorType::OperationNotAllowed | ErrorType::LicenseLimitExceeded => {
                StatusCode::CONFLICT
            }
            ErrorType::ApiLimitExceeded => StatusCode::TOO_MANY_REQUESTS,
            ErrorType::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An API error: a SPEC error type and a message a person understands.
#[derive(Debug)]
pub struct ApiError {
    kind: ErrorType,
    message: String,
}

/// `"FAILURE"`, the `responseStatus` of a refusal.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FailureStatus {
    Failure,
}

/// `{"responseStatus": "FAILURE", "errors": [...]}`: every refusal.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Failure {
    #[serde(rename = "responseStatus")]
    response_status: FailureStatus,
    /// Always one error.
    errors: [ErrorItem; 1],
}

/// One error of the envelope.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorItem {
    #[serde(rename = "type")]
    kind: ErrorType,
    message: String,
}

impl ApiError {
    /// An error of a given type.
    pub fn new(kind: ErrorType, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            message: message.into(),
        }
    }

    /// `INVALID_DATA` 400.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorType::InvalidData, message)
    }

    /// `PARAMETER_REQUIRED` 400.
    pub fn required(message: impl Into<String>) -> Self {
        Self::new(ErrorType::ParameterRequired, message)
    }

    /// `INVALID_SESSION_ID` 401.
    pub fn session(message: impl Into<String>) -> Self {
        Self::new(ErrorType::InvalidSessionId, message)
    }

    /// The error type.
    pub fn kind(&self) -> ErrorType {
        self.kind
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.kind.status()
    }

    /// The message for a person.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error as one item of an envelope (a bulk action answers one per record).
    pub fn item(self) -> ErrorItem {
        ErrorItem {
            kind: self.kind,
            message: self.message,
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let message = e.to_string();
        let kind = match e {
            ServiceError::InvalidData(_) => ErrorType::InvalidData,
            ServiceError::ParameterRequired(_) => ErrorType::ParameterRequired,
            ServiceError::InvalidSession(_) => ErrorType::InvalidSessionId,
            ServiceError::BadCredentials => ErrorType::UsernameOrPasswordIncorrect,
            ServiceError::InsufficientAccess(_) => ErrorType::InsufficientAccess,
            ServiceError::SignatureRequired(_) => ErrorType::SignatureRequired,
            ServiceError::InvalidSignature(_) => ErrorType::InvalidSignature,
            ServiceError::SsoReauthenticationRequired(_) => ErrorType::SsoReauthenticationRequired,
            ServiceError::NotFound(_) => ErrorType::NotFound,
            ServiceError::OperationNotAllowed(_) => ErrorType::OperationNotAllowed,
            ServiceError::Conflict(ref kind) => {
                tracing::warn!(%kind, "a write still collided after its retries");
                ErrorType::OperationNotAllowed
            }
            ServiceError::LicenseLimitExceeded(_) => ErrorType::LicenseLimitExceeded,
            ServiceError::LimitExceeded(_) => ErrorType::ApiLimitExceeded,
            ServiceError::ConstraintViolation(_) => ErrorType::ConstraintViolation,
            ServiceError::Internal { .. } => {
                // The one place an internal error is logged: here it becomes the 500, inside
                // the request's span (its id, method and path), with every cause.
                tracing::error!(error = %e.with_causes(), "internal error");
                return ApiError::new(
                    ErrorType::InternalError,
                    "something went wrong on our side; nothing was changed. Please try again",
                );
            }
        };
        ApiError { kind, message }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = Failure {
            response_status: FailureStatus::Failure,
            errors: [self.item()],
        };
        (status, Json(body)).into_response()
    }
}

/// The refusals every operation documents: one response per status an [`ErrorType`] has, each
/// the [`Failure`] envelope.
pub struct Refusals;

impl utoipa::IntoResponses for Refusals {
    fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::response::Response>> {
        let mut responses = BTreeMap::new();
        for kind in ErrorType::ALL {
            let status = kind.status();
            responses
                .entry(status.as_str().to_string())
                .or_insert_with(|| {
                    ResponseBuilder::new()
                        .description(format!(
                            "{}: refused, with the SPEC error envelope",
                            status.canonical_reason().unwrap_or("Refused")
                        ))
                        .content(
                            "application/json",
                            Content::new(Some(Ref::from_schema_name("Failure"))),
                        )
                        .into()
                });
        }
        responses
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_still_colliding_after_its_retries_is_a_409_saying_to_try_again() {
        let e = ApiError::from(ServiceError::Conflict("deadlock".into()));
        assert_eq!(e.status(), StatusCode::CONFLICT);
        assert_eq!(e.kind(), ErrorType::OperationNotAllowed);
        assert!(e.message().contains("try again"), "{}", e.message());
    }

    #[test]
    fn a_known_unique_rule_is_a_409_naming_no_index() {
        let e = ApiError::from(ServiceError::from(
            portico_service::store::StoreError::Duplicate(portico_service::store::Unique::Username),
        ));
        assert_eq!(e.status(), StatusCode::CONFLICT);
        assert_eq!(e.message(), "a user with this username already exists");
    }

    #[test]
    fn an_internal_error_shows_no_detail() {
        let e = ApiError::from(ServiceError::internal(
            "the database failed",
            "database error: duplicate key value violates unique constraint \"sessions_pkey\"",
        ));
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.message().contains("sessions_pkey"));
    }
}

//! The one error-to-response mapping: every failure leaves as the SPEC envelope
//! `{"responseStatus": "FAILURE", "errors": [{"type": ..., "message": ...}]}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use portico_service::ServiceError;
use serde::Serialize;

/// An API error: a SPEC error type, its status, and a message a person understands.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    message: String,
}

#[derive(Serialize)]
struct Envelope<'a> {
    #[serde(rename = "responseStatus")]
    response_status: &'static str,
    errors: [ErrorBody<'a>; 1],
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    message: &'a str,
}

impl ApiError {
    /// An error of a given type.
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            kind,
            message: message.into(),
        }
    }

    /// `INVALID_DATA` 400.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "INVALID_DATA", message)
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The SPEC error type, e.g. `INVALID_DATA`.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The message for a person.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// `INVALID_SESSION_ID` 401.
    pub fn session(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "INVALID_SESSION_ID", message)
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let message = e.to_string();
        let (status, kind) = match e {
            ServiceError::InvalidData(_) => (StatusCode::BAD_REQUEST, "INVALID_DATA"),
            ServiceError::ParameterRequired(_) => (StatusCode::BAD_REQUEST, "PARAMETER_REQUIRED"),
            ServiceError::InvalidSession(_) => (StatusCode::UNAUTHORIZED, "INVALID_SESSION_ID"),
            ServiceError::BadCredentials => {
                (StatusCode::UNAUTHORIZED, "USERNAME_OR_PASSWORD_INCORRECT")
            }
            ServiceError::InsufficientAccess(_) => (StatusCode::FORBIDDEN, "INSUFFICIENT_ACCESS"),
            ServiceError::NotFound(_) => (StatusCode::NOT_FOUND, "NOT_FOUND"),
            ServiceError::OperationNotAllowed(_) => (StatusCode::CONFLICT, "OPERATION_NOT_ALLOWED"),
            ServiceError::Conflict(ref kind) => {
                tracing::warn!(%kind, "a write still collided after its retries");
                (StatusCode::CONFLICT, "OPERATION_NOT_ALLOWED")
            }
            ServiceError::LicenseLimitExceeded(_) => {
                (StatusCode::CONFLICT, "LICENSE_LIMIT_EXCEEDED")
            }
            ServiceError::LimitExceeded(_) => (StatusCode::TOO_MANY_REQUESTS, "API_LIMIT_EXCEEDED"),
            ServiceError::ConstraintViolation(_) => {
                (StatusCode::BAD_REQUEST, "CONSTRAINT_VIOLATION")
            }
            ServiceError::Internal { .. } => {
                // The one place an internal error is logged: here it becomes the 500, inside
                // the request's span (its id, method and path), with every cause.
                tracing::error!(error = %e.with_causes(), "internal error");
                return ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL_ERROR",
                    "something went wrong on our side; nothing was changed. Please try again",
                );
            }
        };
        ApiError {
            status,
            kind,
            message,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Envelope {
            response_status: "FAILURE",
            errors: [ErrorBody {
                kind: self.kind,
                message: &self.message,
            }],
        };
        (self.status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_still_colliding_after_its_retries_is_a_409_saying_to_try_again() {
        let e = ApiError::from(ServiceError::Conflict("deadlock".into()));
        assert_eq!(e.status, StatusCode::CONFLICT);
        assert_eq!(e.kind(), "OPERATION_NOT_ALLOWED");
        assert!(e.message().contains("try again"), "{}", e.message());
    }

    #[test]
    fn a_known_unique_rule_is_a_409_naming_no_index() {
        let e = ApiError::from(ServiceError::from(portico_store::StoreError::Duplicate(
            portico_store::Unique::Username,
        )));
        assert_eq!(e.status, StatusCode::CONFLICT);
        assert_eq!(e.message(), "a user with this username already exists");
    }

    #[test]
    fn an_internal_error_shows_no_detail() {
        let e = ApiError::from(ServiceError::internal(
            "the database failed",
            "database error: duplicate key value violates unique constraint \"sessions_pkey\"",
        ));
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.message().contains("sessions_pkey"));
    }
}

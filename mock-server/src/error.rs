//! Every error answer the mock gives, rendered in GP tom's shapes: Spring Boot's error body for the
//! resource endpoints (spec §3) and RFC 6749/6750 bodies for OAuth.
//!
//! An [`ApiError`] does not know the request path or the virtual time; it travels as a response
//! extension and the request pipeline (`routes::pipeline`) renders the final body with both.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::request::FieldError;
use crate::domain::token::TokenError;
use crate::store::{OAuthFailure, StoreError};

/// A refusal of a resource endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Summary message.
    pub message: String,
    /// Every broken field.
    pub errors: Vec<FieldError>,
}

impl ApiError {
    /// An error without field details.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            errors: Vec::new(),
        }
    }

    /// 400 listing every broken field; the message joins them as Spring does.
    #[must_use]
    pub fn fields(errors: Vec<FieldError>) -> Self {
        let message = errors
            .iter()
            .map(|error| format!("{}: {}", error.field, error.message))
            .collect::<Vec<_>>()
            .join("; ");
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message,
            errors,
        }
    }

    /// 404 for an unknown or invisible resource.
    #[must_use]
    pub fn not_found(what: &str) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, format!("{what} not found"))
    }
}

impl From<StoreError> for Rejection {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => Rejection::Api(ApiError::not_found(what)),
            StoreError::NotAnId(message) => {
                Rejection::Api(ApiError::new(StatusCode::NOT_FOUND, message))
            }
            StoreError::Invalid(errors) => Rejection::Api(ApiError::fields(errors)),
            StoreError::Unauthorized(reason) => Rejection::Token(reason),
        }
    }
}

/// The body of a resource-endpoint error (spec §3): Spring Boot's shape, every broken field listed.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ErrorResponse)]
pub struct ErrorBody<'a> {
    /// ISO 8601, virtual time.
    #[schema(format = DateTime)]
    pub timestamp: String,
    /// HTTP status.
    #[schema(example = 400)]
    pub status: u16,
    /// Reason phrase.
    #[schema(example = "Bad Request")]
    pub error: &'a str,
    /// Summary: the field errors joined, `field: rule; …`.
    #[schema(example = "amount: must be greater than 0")]
    pub message: &'a str,
    /// Request path.
    #[schema(example = "/v1/tasks/TRANSACTION")]
    pub path: &'a str,
    /// Every broken field.
    #[schema(value_type = Vec<crate::wire::openapi_types::FieldErrorShape>)]
    pub errors: &'a [FieldError],
}

/// The body of an OAuth refusal (RFC 6749 §5.2, RFC 6750 §3).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = OAuthErrorResponse)]
pub struct OAuthErrorBody<'a> {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unsupported_grant_type` or
    /// `invalid_token`.
    #[schema(value_type = crate::schema::OAuthErrorCode)]
    pub error: &'a str,
    /// Human text.
    #[schema(example = "Bad credentials")]
    pub error_description: &'a str,
}

impl ApiError {
    /// The final body.
    #[must_use]
    pub fn body(&self, path: &str, timestamp: String) -> Vec<u8> {
        let body = ErrorBody {
            timestamp,
            status: self.status.as_u16(),
            error: self.status.canonical_reason().unwrap_or("Error"),
            message: &self.message,
            path,
            errors: &self.errors,
        };
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// Anything a handler can refuse with.
#[derive(Debug)]
pub enum Rejection {
    /// Spring-shaped error.
    Api(ApiError),
    /// Bearer token refused (401, RFC 6750).
    Token(TokenError),
    /// Token endpoint refused (RFC 6749).
    OAuth(OAuthFailure),
}

impl From<ApiError> for Rejection {
    fn from(error: ApiError) -> Self {
        Rejection::Api(error)
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        match self {
            Rejection::Api(error) => error.into_response(),
            Rejection::Token(reason) => {
                let description = reason.to_string();
                let challenge = format!(
                    "Bearer realm=\"gptom\", error=\"invalid_token\", error_description=\"{description}\""
                );
                oauth_response(
                    StatusCode::UNAUTHORIZED,
                    "invalid_token",
                    &description,
                    Some(challenge),
                )
            }
            Rejection::OAuth(failure) => match failure {
                OAuthFailure::InvalidClient(description) => oauth_response(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    &description,
                    Some("Basic realm=\"oauth2/client\"".into()),
                ),
                OAuthFailure::InvalidGrant(description) => {
                    oauth_response(StatusCode::BAD_REQUEST, "invalid_grant", &description, None)
                }
                OAuthFailure::InvalidRequest(description) => oauth_response(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    &description,
                    None,
                ),
                OAuthFailure::UnsupportedGrantType(description) => oauth_response(
                    StatusCode::BAD_REQUEST,
                    "unsupported_grant_type",
                    &description,
                    None,
                ),
            },
        }
    }
}

fn oauth_response(
    status: StatusCode,
    error: &str,
    description: &str,
    challenge: Option<String>,
) -> Response {
    let body = OAuthErrorBody {
        error,
        error_description: description,
    };
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(challenge) = challenge.and_then(|challenge| HeaderValue::from_str(&challenge).ok())
    {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, challenge);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

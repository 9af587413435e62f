//! Extractors of ours, so that every refusal has GP tom's shape and names the field.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde_json::Value;

use crate::clock::Millis;
use crate::domain::token::{Claims, TokenError};
use crate::error::{ApiError, Rejection};
use crate::state::AppState;

/// The virtual time the request arrived at, read once by the pipeline.
#[derive(Clone, Copy, Debug)]
pub struct RequestTime(pub Millis);

impl<S: Send + Sync> FromRequestParts<S> for RequestTime {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<RequestTime>()
            .copied()
            .unwrap_or(RequestTime(Millis(0))))
    }
}

/// A bearer token whose signature and expiry have been checked against the virtual clock.
#[derive(Clone, Debug)]
pub struct Bearer(pub std::sync::Arc<Claims>);

impl FromRequestParts<AppState> for Bearer {
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let now = parts
            .extensions
            .get::<RequestTime>()
            .map_or_else(|| state.now(), |time| time.0);
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or(Rejection::Token(TokenError::Missing))?;
        let text = header
            .to_str()
            .map_err(|_| Rejection::Token(TokenError::Invalid))?;
        let token = text
            .strip_prefix("Bearer ")
            .or_else(|| text.strip_prefix("bearer "))
            .ok_or(Rejection::Token(TokenError::Missing))?
            .trim();
        state
            .keys()
            .verify(token, now)
            .map(Bearer)
            .map_err(Rejection::Token)
    }
}

/// A JSON body: checks the content type (415), the syntax (400 with line and column), and hands
/// over a `serde_json::Value` for field-by-field validation.
#[derive(Clone, Debug)]
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = Rejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_ascii_lowercase);
        let bytes = Bytes::from_request(request, state).await.map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "the request body could not be read",
            )
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) && content_type.is_none() {
            return Ok(JsonBody(Value::Object(serde_json::Map::new())));
        }
        let is_json = content_type.as_deref().is_some_and(|content_type| {
            let essence = content_type.split(';').next().unwrap_or("").trim();
            essence == "application/json" || essence.ends_with("+json")
        });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "Content-Type '{}' is not supported; send application/json",
                    content_type.unwrap_or_default()
                ),
            )
            .into());
        }
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|error| {
                Rejection::Api(ApiError {
                    status: StatusCode::BAD_REQUEST,
                    message: format!("JSON parse error: {error}"),
                    errors: vec![crate::domain::request::FieldError::new(
                        "$",
                        format!(
                            "malformed JSON at line {} column {}",
                            error.line(),
                            error.column()
                        ),
                    )],
                })
            })
    }
}

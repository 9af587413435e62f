//! Extractors of ours, so that every error answer has GP tom's shape and names the field.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
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
        verify_bearer(state, &parts.headers, now).map(Bearer)
    }
}

/// A header's value as text: what [`HeaderValue::to_str`] gives, read word by word rather than
/// byte by byte (a bearer token is a few hundred bytes, read on every request). A `HeaderValue`
/// holds no control character but the tab, so its visible-ASCII values are its ASCII ones.
pub fn header_text(value: &HeaderValue) -> Option<&str> {
    let bytes = value.as_bytes();
    if bytes.is_ascii() {
        std::str::from_utf8(bytes).ok()
    } else {
        None
    }
}

/// Checks the `Authorization: Bearer …` header: signature, expiry at `now`, known token.
pub fn verify_bearer(
    state: &AppState,
    headers: &HeaderMap,
    now: Millis,
) -> Result<std::sync::Arc<Claims>, Rejection> {
    verify_authorization(state, headers.get(header::AUTHORIZATION), now)
}

/// [`verify_bearer`] of an `Authorization` header already found (the pipeline finds it in its
/// one pass over the request's headers).
pub fn verify_authorization(
    state: &AppState,
    header: Option<&HeaderValue>,
    now: Millis,
) -> Result<std::sync::Arc<Claims>, Rejection> {
    let header = header.ok_or(Rejection::Token(TokenError::Missing))?;
    // Read as bytes: a remembered token is found without reading it as text. A header that is
    // not ASCII is refused as invalid, never as missing; past the scheme, any byte that is not
    // ASCII makes a token no signature check passes.
    let bytes = header.as_bytes();
    let Some(token) = bytes
        .strip_prefix(b"Bearer ")
        .or_else(|| bytes.strip_prefix(b"bearer "))
    else {
        return Err(Rejection::Token(if bytes.is_ascii() {
            TokenError::Missing
        } else {
            TokenError::Invalid
        }));
    };
    let token = token.trim_ascii();
    state
        .keys()
        .verify_bytes(token, now)
        .map_err(Rejection::Token)
}

/// A JSON body: checks the content type (415), the syntax (400 with line and column), and hands
/// over a `serde_json::Value` for field-by-field validation.
#[derive(Clone, Debug)]
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = Rejection;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        // The pipeline has already enforced the body limit.
        let bytes = axum::body::to_bytes(body, usize::MAX).await.map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "the request body could not be read",
            )
        })?;
        parse_json_body(&parts.headers, &bytes).map(JsonBody)
    }
}

/// `application/json` or any `…+json`, parameters ignored.
fn is_json_media_type(content_type: &str) -> bool {
    // What nearly every client sends, told without splitting.
    if content_type.eq_ignore_ascii_case("application/json") {
        return true;
    }
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence
            .get(essence.len().saturating_sub(5)..)
            .is_some_and(|suffix| suffix.eq_ignore_ascii_case("+json"))
}

/// Whether a request's `Content-Type` header (as found) says JSON.
pub fn is_json_header(content_type: Option<&HeaderValue>) -> bool {
    content_type
        .and_then(header_text)
        .is_some_and(is_json_media_type)
}

/// A request body as JSON: no body and no content type is `{}`; otherwise the content type must
/// be JSON (415) and the syntax right (400 naming line and column).
pub fn parse_json_body(headers: &HeaderMap, bytes: &[u8]) -> Result<Value, Rejection> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    if bytes.iter().all(u8::is_ascii_whitespace) && content_type.is_none() {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    if !content_type.is_some_and(is_json_media_type) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "Content-Type '{}' is not supported; send application/json",
                content_type.unwrap_or_default().to_ascii_lowercase()
            ),
        )
        .into());
    }
    serde_json::from_slice(bytes).map_err(|error| {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn bearer_refusal(value: &[u8]) -> Option<TokenError> {
        let config = crate::state::MockConfig::embedded().expect("embedded fixtures");
        let clock = std::sync::Arc::new(crate::clock::ManualClock::default());
        let state = AppState::new(config, clock);
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_bytes(value).expect("a header value"),
        );
        match verify_bearer(&state, &headers, state.now()) {
            Err(Rejection::Token(error)) => Some(error),
            _ => None,
        }
    }

    #[test]
    fn a_header_that_is_not_ascii_is_an_invalid_token_not_a_missing_one() {
        assert_eq!(bearer_refusal(b"Basic abc"), Some(TokenError::Missing));
        assert_eq!(bearer_refusal(b"Basic \xc3\xbc"), Some(TokenError::Invalid));
        assert_eq!(
            bearer_refusal(b"Bearer t\xc3\xb6ken"),
            Some(TokenError::Invalid)
        );
        assert_eq!(
            bearer_refusal(b"Bearer \xff\xfe"),
            Some(TokenError::Invalid)
        );
        assert_eq!(bearer_refusal(b"Bearer abc"), Some(TokenError::Invalid));
    }

    proptest::proptest! {
        #[test]
        fn header_text_is_what_to_str_gives(bytes: Vec<u8>) {
            if let Ok(value) = HeaderValue::from_bytes(&bytes) {
                proptest::prop_assert_eq!(header_text(&value), value.to_str().ok());
            }
        }

        #[test]
        fn header_text_of_printable_values(text in "[ -~\t\u{80}-\u{ff}]{0,80}") {
            if let Ok(value) = HeaderValue::from_str(&text) {
                proptest::prop_assert_eq!(header_text(&value), value.to_str().ok());
            }
        }
    }
}

//! The control plane's lock: the browser-origin check and the admin token.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

/// Requires the admin token on the control plane when one is configured.
pub async fn require_admin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    // Following a link to the page from another site (a CI dashboard, a wiki) is a top-level
    // navigation: it shows the page, which no other page can read or script.
    let page_navigation = request.method() == axum::http::Method::GET
        && request.uri().path() == "/__mock/ui"
        && request
            .headers()
            .get("sec-fetch-mode")
            .is_some_and(|mode| mode == "navigate");
    if !page_navigation && let Some(refused) = super::origin::cross_origin(request.headers()) {
        return refused.into_response();
    }
    let Some(expected) = state.config().admin_token.as_deref() else {
        return next.run(request).await;
    };
    let headers = request.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let direct = headers
        .get("x-admin-token")
        .and_then(|value| value.to_str().ok());
    // `?admin_token=` opens the page and its event stream (a browser can send no header
    // there), nothing else: a token in a URL ends up in histories and logs.
    let page_load = request.method() == axum::http::Method::GET
        && matches!(request.uri().path(), "/__mock/ui" | "/__mock/events");
    let query_token = request
        .uri()
        .query()
        .filter(|_| page_load)
        .and_then(|query| {
            form_urlencoded::parse(query.as_bytes())
                .find(|(key, _)| key == "admin_token")
                .map(|(_, value)| value.into_owned())
        });
    let presented = [bearer, direct, query_token.as_deref()];
    // A blank configured token (possible for library users; the CLI refuses it) locks the
    // control plane rather than opening it to a blank header.
    if !expected.trim().is_empty()
        && presented
            .iter()
            .flatten()
            .any(|token| constant_time_eq(token.as_bytes(), expected.as_bytes()))
    {
        next.run(request).await
    } else {
        // A browser cannot send a header: the page (and its stream) take the token in the URL.
        let message = if page_load {
            "this mock is locked with an admin token: open /__mock/ui?admin_token=YOUR_ADMIN_TOKEN (the token given to --admin-token or GPTOM_MOCK_ADMIN_TOKEN)"
        } else {
            "the control plane requires the admin token (Authorization: Bearer or X-Admin-Token)"
        };
        ApiError::new(StatusCode::UNAUTHORIZED, message).into_response()
    }
}

/// Compares in time that depends only on the presented token's length, never on where the two
/// differ or on the expected token's length; an empty expected token matches nothing.
fn constant_time_eq(presented: &[u8], expected: &[u8]) -> bool {
    let mut difference = u8::from(presented.len() != expected.len() || expected.is_empty());
    for (index, byte) in presented.iter().enumerate() {
        let other = expected
            .get(index % expected.len().max(1))
            .copied()
            .unwrap_or(0);
        difference |= byte ^ other;
    }
    difference == 0
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn only_the_whole_token_matches_and_an_empty_one_never() {
        assert!(constant_time_eq(b"0123456789abcdef", b"0123456789abcdef"));
        assert!(!constant_time_eq(b"0123456789abcde", b"0123456789abcdef"));
        assert!(!constant_time_eq(b"0123456789abcdefX", b"0123456789abcdef"));
        assert!(!constant_time_eq(b"", b""));
        assert!(!constant_time_eq(b"", b"0123456789abcdef"));
    }
}

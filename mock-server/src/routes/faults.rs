//! HTTP faults a scenario asks for: a status instead of the answer, added latency, a dropped
//! connection, a malformed or truncated body, an empty 200.

use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::answer::{FaultTag, Wrapped, call_wrapped, is_api_path};
use super::extract::RequestTime;
use crate::clock::Millis;
use crate::scenario::FaultAction;
use crate::state::AppState;

/// The middleware; a no-op unless an active scenario has faults.
pub async fn inject_faults<S: Wrapped>(state: AppState, request: Request, next: S) -> Response {
    let path = request.uri().path().to_owned();
    // The request's one reading of the clock, made by the pipeline.
    let now = request
        .extensions()
        .get::<RequestTime>()
        .map_or_else(|| state.now(), |time| time.0);
    if !state.faults_active() || !is_api_path(&path) {
        return call_wrapped(next, request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let tid = request_terminal(&state, now, &parts.headers, parts.uri.query(), &bytes);
    let fault = state
        .store()
        .fault_for(parts.method.as_str(), &path, tid.as_deref());
    let request = Request::from_parts(parts, Body::from(bytes));
    let Some(fault) = fault else {
        return call_wrapped(next, request).await;
    };
    let label = fault
        .name
        .clone()
        .unwrap_or_else(|| describe(&fault.action));
    tracing::info!(path = %path, fault = %label, "injecting a scenario fault");
    let mut response = match fault.action {
        FaultAction::Respond {
            status,
            body,
            retry_after,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let body = body.unwrap_or_else(|| {
                serde_json::json!({
                    "timestamp": now.to_iso(),
                    "status": status.as_u16(),
                    "error": status.canonical_reason().unwrap_or("Error"),
                    "message": "injected by the scenario",
                    "path": path,
                    "errors": [],
                })
                .to_string()
            });
            let mut response = (status, body).into_response();
            let content_type = if response_looks_json(&response) {
                "application/json"
            } else {
                "text/plain"
            };
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
        FaultAction::Latency { ms } => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            call_wrapped(next, request).await
        }
        FaultAction::Drop => {
            // The request is handled (state changes), but the answer never arrives: the body
            // stream fails, so the server aborts the connection.
            let _ = call_wrapped(next, request).await;
            Response::new(failing_body())
        }
        FaultAction::Malformed => {
            let handled = call_wrapped(next, request).await;
            let (mut parts, _) = handled.into_parts();
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(
                parts,
                Body::from("{\"taskId\": \"<html>502 Bad Gateway</html>"),
            )
        }
        FaultAction::Truncated => {
            let handled = call_wrapped(next, request).await;
            let (mut parts, body) = handled.into_parts();
            let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
            let half = Bytes::copy_from_slice(&bytes[..bytes.len() / 2]);
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(half))
        }
        FaultAction::Empty => {
            let _ = call_wrapped(next, request).await;
            StatusCode::OK.into_response()
        }
    };
    response.extensions_mut().insert(FaultTag(label));
    response
}

fn response_looks_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|value| value.as_bytes().starts_with(b"text/plain"))
}

fn describe(action: &FaultAction) -> String {
    match action {
        FaultAction::Respond { status, .. } => format!("respond {status}"),
        FaultAction::Latency { ms } => format!("latency {ms}ms"),
        FaultAction::Drop => "drop".into(),
        FaultAction::Malformed => "malformed".into(),
        FaultAction::Truncated => "truncated".into(),
        FaultAction::Empty => "empty".into(),
    }
}

/// A body whose first read fails: the server aborts the connection instead of answering.
pub fn failing_body() -> Body {
    Body::from_stream(futures_stream_error())
}

fn futures_stream_error() -> impl futures_core::Stream<Item = Result<Bytes, std::io::Error>> + Send
{
    struct Failing(bool);
    impl futures_core::Stream for Failing {
        type Item = Result<Bytes, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _context: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            if self.0 {
                return std::task::Poll::Ready(None);
            }
            self.0 = true;
            std::task::Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "connection dropped by the scenario",
            ))))
        }
    }
    Failing(false)
}

/// The terminal a request concerns: the bearer token's, the form's or the JSON body's `tid`.
fn request_terminal(
    state: &AppState,
    now: Millis,
    headers: &axum::http::HeaderMap,
    query: Option<&str>,
    body: &[u8],
) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    if let Some(claims) = bearer.and_then(|token| state.keys().verify(token, now).ok())
        && claims.tid.is_some()
    {
        return claims.tid.clone();
    }
    let from_pairs = |bytes: &[u8]| {
        form_urlencoded::parse(bytes)
            .find(|(key, _)| key == "tid")
            .map(|(_, value)| value.into_owned())
    };
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(body)
        && let Some(tid) = map.get("tid").and_then(|tid| tid.as_str())
    {
        return Some(tid.to_owned());
    }
    from_pairs(body).or_else(|| query.and_then(|query| from_pairs(query.as_bytes())))
}

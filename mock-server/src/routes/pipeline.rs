//! The request pipeline around every handler: reads the clock once, enforces the body limit,
//! renders error answers in GP tom's error shape with the path and virtual time, sets
//! `X-Request-Id`, logs, and journals the emulated API's traffic. It wraps the whole router once
//! and answers the two hot Cloud API operations itself (`direct`).

use std::time::Instant;

use axum::body::{Body, Bytes, HttpBody, to_bytes};
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::response::{IntoResponse, Response};
use tower::Service;

use super::answer::{FaultTag, JournalTag, Wrapped, call_wrapped, is_api_path, json_response};
use super::extract::{RequestTime, is_json_content_type, parse_json_body, verify_bearer};
use super::tasks;
use crate::clock::Millis;
use crate::error::{ApiError, Rejection};
use crate::journal::JournalEntry;
use crate::state::AppState;
use crate::wire::fast_request::read_transaction_request;

/// Sets `Content-Length` from a body of known size, as the router does for what it routes.
fn with_content_length(mut response: Response) -> Response {
    if !response.headers().contains_key(header::CONTENT_LENGTH)
        && let Some(size) = HttpBody::size_hint(response.body()).exact()
    {
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, content_length(size));
    }
    response
}

/// `Content-Length` of `size`: the values of small answers formatted once and shared (a task's
/// answer is a few hundred bytes; formatting one per answer cost an allocation).
fn content_length(size: u64) -> HeaderValue {
    const CACHED: usize = 2048;
    // Static text (one leaked string of the digits, ~7 KiB once): cloning such a value copies
    // a pointer, with no reference count to touch.
    static LENGTHS: std::sync::LazyLock<Vec<HeaderValue>> = std::sync::LazyLock::new(|| {
        let digits: &'static str = Box::leak(
            (0..CACHED)
                .map(|size| size.to_string())
                .collect::<String>()
                .into_boxed_str(),
        );
        let mut values = Vec::with_capacity(CACHED);
        let mut start = 0;
        for size in 0..CACHED {
            let end = start + size.checked_ilog10().map_or(1, |log| log as usize + 1);
            values.push(HeaderValue::from_static(&digits[start..end]));
            start = end;
        }
        values
    });
    usize::try_from(size)
        .ok()
        .and_then(|index| LENGTHS.get(index))
        .cloned()
        .unwrap_or_else(|| HeaderValue::from(size))
}

/// The Cloud API's two hottest operations — polling a task and creating a transaction task —
/// answered without the router: no path-parameter map, no extractor chain, no tags in
/// extension maps. They run the handlers' own bodies ([`tasks::get_task_answer`],
/// [`tasks::create_transaction_answer`]) in the extractors' order (token, then body), so the
/// answers are the routed ones (`tests/api/direct.rs` compares both). Anything unusual — HEAD, a
/// percent-encoded id, a path the route table spells differently — goes through the router.
fn direct(
    state: &AppState,
    now: Millis,
    parts: &Parts,
    body: &[u8],
) -> Option<Result<tasks::Answer, Rejection>> {
    let path = parts.uri.path();
    if parts.method == Method::GET {
        let task_id = path.strip_prefix("/v1/tasks/")?;
        if task_id.is_empty()
            || task_id.contains(['/', '%'])
            || task_id == "TRANSACTION"
            || task_id == "BATCH"
        {
            return None;
        }
        Some(
            verify_bearer(state, &parts.headers, now)
                .and_then(|claims| tasks::get_task_answer(state, &claims, now, task_id)),
        )
    } else if parts.method == Method::POST && path == "/v1/tasks/TRANSACTION" {
        Some(
            verify_bearer(state, &parts.headers, now).and_then(|claims| {
                // A well-formed body straight into its type; anything else field by field.
                if is_json_content_type(&parts.headers)
                    && let Some(request) = read_transaction_request(body)
                {
                    return tasks::create_read_transaction_answer(state, &claims, now, request);
                }
                let request = parse_json_body(&parts.headers, body)?;
                tasks::create_transaction_answer(state, &claims, now, &request)
            }),
        )
    } else {
        None
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Why a request body was not read.
enum BodyRefusal {
    /// Over the body limit (declared or counted), which was this many bytes.
    TooLarge(usize),
    /// Not all there within the body-read timeout.
    TooSlow,
}

/// The pipeline around the router: a plain tower service (no per-request boxing of the inner
/// service).
#[derive(Clone, Debug)]
pub struct Pipeline<S> {
    state: AppState,
    inner: S,
    direct_dispatch: bool,
}

impl<S> Pipeline<S> {
    /// `inner` (the router) behind the pipeline of `state`.
    #[must_use]
    pub fn new(state: AppState, inner: S) -> Self {
        Pipeline {
            state,
            inner,
            direct_dispatch: true,
        }
    }

    /// Sends every request through the router, including the hot operations the pipeline
    /// otherwise answers directly (for checking that both paths answer alike).
    #[must_use]
    pub fn without_direct_dispatch(mut self) -> Self {
        self.direct_dispatch = false;
        self
    }
}

impl<S: Wrapped> Service<Request> for Pipeline<S> {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // The router is always ready; readiness is driven per request by `oneshot`.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let inner = self.inner.clone();
        let state = self.state.clone();
        let direct_dispatch = self.direct_dispatch;
        Box::pin(async move {
            // Only a mock with a data dir tracks what each request must wait for.
            Ok(if state.has_data_dir() {
                AppState::scoped(pipeline(state, request, inner, direct_dispatch)).await
            } else {
                pipeline(state, request, inner, direct_dispatch).await
            })
        })
    }
}

/// The middleware.
pub async fn pipeline<S: Wrapped>(
    state: AppState,
    request: Request,
    next: S,
    direct_dispatch: bool,
) -> Response {
    let started = Instant::now();
    let now = state.now();
    let method = request.method().clone();
    let uri = request.uri().clone();
    let path_and_query: Box<str> = uri
        .path_and_query()
        .map_or(uri.path(), |value| value.as_str())
        .into();
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .filter(|value| !value.is_empty() && value.len() <= 128)
        .and_then(|value| HeaderValue::from_bytes(value.as_bytes()).ok())
        .unwrap_or_else(|| request_id_value(state.next_request_id()));
    let journaled = is_api_path(uri.path());
    // Copies, not slices: a HeaderValue shares the connection's read buffer.
    let authorization = journaled
        .then(|| copied(request.headers(), &header::AUTHORIZATION))
        .flatten();
    let content_type = journaled
        .then(|| copied(request.headers(), &header::CONTENT_TYPE))
        .flatten();

    let (parts, body) = request.into_parts();
    let body_bytes = read_body(&state, &parts, body).await;
    let mut direct_tag = None;
    let (response, request_bytes) = match body_bytes {
        Err(unread) => (unread.into_response(&state), Bytes::new()),
        Ok(bytes) => {
            let faults_active = state.faults_active();
            let dispatch = (direct_dispatch && !faults_active)
                .then(|| direct(&state, now, &parts, &bytes))
                .flatten();
            let response = match dispatch {
                Some(answer) => {
                    let (response, tag) = direct_response(answer);
                    direct_tag = tag;
                    response
                }
                None => {
                    let mut request = Request::from_parts(parts, Body::from(bytes.clone()));
                    request.extensions_mut().insert(RequestTime(now));
                    if faults_active {
                        // Scenario faults run inside the pipeline (journaled like any answer).
                        // Boxed: the fault path's state machine is large and rarely taken;
                        // inline it would be copied on every request.
                        Box::pin(super::faults::inject_faults(state.clone(), request, next)).await
                    } else {
                        call_wrapped(next, request).await
                    }
                }
            };
            (response, bytes)
        }
    };

    // With a data dir, nothing this request changed is told before it is on disk.
    let response = match state.durable().await {
        Ok(()) => response,
        Err(error) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the mock could not save this change to its data dir ({error}); the state may \
                 not include it: check the disk and the mock's log"
            ),
        )
        .into_response(),
    };
    let mut response = render_error_answer(response, uri.path(), now).await;
    response
        .headers_mut()
        .insert(REQUEST_ID, request_id.clone());
    let status = response.status();
    tracing::info!(
        target: "gptom_mock::request",
        %method, path = %uri.path(), status = status.as_u16(), request_id = ?request_id,
        elapsed_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "request"
    );
    if !journaled {
        if method != axum::http::Method::GET {
            state.notify();
        }
        return response;
    }

    journal_answer(
        &state,
        Asked {
            request_id,
            now,
            started,
            method,
            path_and_query,
            authorization,
            content_type,
            request_bytes,
        },
        response,
        direct_tag,
    )
    .await
}

/// A directly dispatched answer as the router would have sent it (`Content-Length` included, so
/// an in-process caller sees the same headers whichever way the request went), and the journal's
/// tag the router's handler would have left on it.
fn direct_response(answer: Result<tasks::Answer, Rejection>) -> (Response, Option<JournalTag>) {
    match answer {
        Ok(answer) => {
            let json = Bytes::from(answer.json);
            let tag = JournalTag {
                terminal: Some(answer.terminal),
                body: Some(json.clone()),
            };
            let mut response = json_response(answer.status, json);
            if let Some(warning) = answer.warning {
                response
                    .headers_mut()
                    .insert(tasks::WARNING_HEADER, warning);
            }
            (with_content_length(response), Some(tag))
        }
        Err(rejection) => (with_content_length(rejection.into_response()), None),
    }
}

/// What the journal keeps of the request, gathered before the handler consumed it.
struct Asked {
    request_id: HeaderValue,
    now: Millis,
    started: Instant,
    method: Method,
    path_and_query: Box<str>,
    authorization: Option<Box<str>>,
    content_type: Option<Box<str>>,
    request_bytes: Bytes,
}

/// The journal step: records the request with its answer (shared when the handler rendered it
/// whole, collected otherwise) and returns the answer to send.
async fn journal_answer(
    state: &AppState,
    asked: Asked,
    response: Response,
    direct_tag: Option<JournalTag>,
) -> Response {
    let status = response.status();
    let (mut parts, body) = response.into_parts();
    let mut tag = direct_tag.or_else(|| parts.extensions.remove::<JournalTag>());
    // A whole answer the handler rendered is shared as is; anything else (a fault may have
    // replaced or cut the body) is collected.
    let rendered = if parts.extensions.get::<FaultTag>().is_none() {
        tag.as_mut().and_then(|tag| tag.body.take())
    } else {
        None
    };
    let (response_bytes, kept_body, dropped) = match rendered {
        Some(bytes) => (bytes, Some(body), false),
        None => match to_bytes(body, usize::MAX).await {
            Ok(bytes) => (bytes, None, false),
            Err(_) => (Bytes::new(), None, true),
        },
    };
    let terminal = tag.and_then(|tag| tag.terminal);
    let fault = parts.extensions.get::<FaultTag>().map(|tag| tag.0.clone());
    let retry_after = parts
        .headers
        .get(header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse().ok());
    let entry = JournalEntry {
        seq: 0,
        request_id: asked.request_id,
        time_ms: asked.now,
        method: asked.method,
        uri: crate::journal::stored_uri(asked.path_and_query),
        status: if dropped { 0 } else { status.as_u16() },
        terminal,
        authorization: asked.authorization,
        content_type: asked.content_type,
        request_body: Bytes::copy_from_slice(
            &asked.request_bytes[..asked.request_bytes.len().min(crate::journal::STORE_LIMIT)],
        ),
        request_size: asked.request_bytes.len(),
        // The answer is the mock's own allocation (no connection buffer behind it): shared,
        // unless it is large.
        response_body: crate::journal::stored_body(&response_bytes),
        duration_us: u64::try_from(asked.started.elapsed().as_micros()).unwrap_or(u64::MAX),
        fault,
        retry_after,
    };
    {
        let mut journal = state.journal();
        let seq = journal.next_seq();
        journal.push(JournalEntry { seq, ..entry });
    }
    state.notify();
    if dropped {
        // The answer was meant to be lost: keep failing the body so the connection is cut.
        return Response::from_parts(parts, super::faults::failing_body());
    }
    match kept_body {
        Some(body) => Response::from_parts(parts, body),
        None => Response::from_parts(parts, Body::from(response_bytes)),
    }
}

/// The read step: the whole body, or why not (over the limit, declared or counted; not all
/// there within the body-read timeout, so a trickling body is refused, not waited for forever).
async fn read_body(state: &AppState, parts: &Parts, body: Body) -> Result<Bytes, BodyRefusal> {
    let limit = if parts.uri.path() == super::control::IMPORT_PATH {
        state
            .config()
            .body_limit
            .max(super::control::IMPORT_BODY_LIMIT)
    } else {
        state.config().body_limit
    };
    let declared_too_big = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok())
        .is_some_and(|length| length > limit);
    if declared_too_big {
        return Err(BodyRefusal::TooLarge(limit));
    }
    if HttpBody::size_hint(&body).exact() == Some(0) {
        return Ok(Bytes::new());
    }
    match tokio::time::timeout(state.config().body_read_timeout, collect(body, limit)).await {
        Ok(Some(bytes)) => Ok(bytes),
        Ok(None) => Err(BodyRefusal::TooLarge(limit)),
        Err(_) => Err(BodyRefusal::TooSlow),
    }
}

/// The body's bytes, at most `limit` of them (`None` above it or when the body fails). A body
/// that comes in one frame, as a small JSON body does, is handed on as that frame, not copied.
async fn collect(body: Body, limit: usize) -> Option<Bytes> {
    let mut body = std::pin::pin!(body);
    let mut first: Option<Bytes> = None;
    let mut joined: Option<Vec<u8>> = None;
    let mut total = 0usize;
    while let Some(frame) = std::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
        let Ok(data) = frame.ok()?.into_data() else {
            continue; // trailers
        };
        total = total.checked_add(data.len())?;
        if total > limit {
            return None;
        }
        match (&mut joined, first.take()) {
            (Some(joined), _) => joined.extend_from_slice(&data),
            (None, None) => first = Some(data),
            (None, Some(earlier)) => {
                let mut bytes = Vec::with_capacity(earlier.len() + data.len());
                bytes.extend_from_slice(&earlier);
                bytes.extend_from_slice(&data);
                joined = Some(bytes);
            }
        }
    }
    Some(joined.map_or_else(|| first.unwrap_or_default(), Bytes::from))
}

impl BodyRefusal {
    fn into_response(self, state: &AppState) -> Response {
        match self {
            BodyRefusal::TooLarge(limit) => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request body exceeds the limit of {limit} bytes"),
            ),
            BodyRefusal::TooSlow => ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request body did not arrive within {} s (--body-timeout)",
                    state.config().body_read_timeout.as_secs()
                ),
            ),
        }
        .into_response()
    }
}

/// Gives every error answer GP tom's shape: an [`ApiError`] gets its path and time; any other 4xx/5xx
/// without a JSON body (a framework rejection) is wrapped in the same shape.
async fn render_error_answer(
    response: Response,
    path: &str,
    now: crate::clock::Millis,
) -> Response {
    let (mut parts, body) = response.into_parts();
    let (error, body) = match parts.extensions.remove::<ApiError>() {
        Some(error) => (error, body),
        None => {
            let status = parts.status;
            let is_json = parts
                .headers
                .get(header::CONTENT_TYPE)
                .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
            if !(status.is_client_error() || status.is_server_error()) || is_json {
                return Response::from_parts(parts, body);
            }
            let text = to_bytes(body, 4096).await.unwrap_or_default();
            let text = String::from_utf8_lossy(&text).trim().to_owned();
            let message = if text.is_empty() {
                status.canonical_reason().unwrap_or("Error").to_owned()
            } else {
                text
            };
            (ApiError::new(status, message), Body::empty())
        }
    };
    drop(body);
    parts.status = error.status;
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(error.body(path, now.to_iso())))
}

/// `req-00000042`: at least eight digits, written without the formatting machinery (hot path).
fn request_id_value(number: u64) -> HeaderValue {
    let mut digits = [b'0'; 20];
    let mut rest = number;
    let mut start = digits.len();
    while rest > 0 {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    let start = start.min(digits.len() - 8);
    let mut text = Vec::with_capacity(4 + digits.len() - start);
    text.extend_from_slice(b"req-");
    text.extend_from_slice(&digits[start..]);
    HeaderValue::from_maybe_shared(Bytes::from(text))
        .unwrap_or_else(|_| HeaderValue::from_static("req"))
}

/// A header's value as an owned string (a `HeaderValue` clone would pin the read buffer).
fn copied(headers: &axum::http::HeaderMap, name: &header::HeaderName) -> Option<Box<str>> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(Box::<str>::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_lengths_are_the_sizes_written_out() {
        for size in [0u64, 1, 9, 10, 99, 100, 999, 1000, 2047, 2048, 70_000] {
            assert_eq!(content_length(size), HeaderValue::from(size), "{size}");
        }
    }

    #[test]
    fn request_ids_have_at_least_eight_digits() {
        assert_eq!(request_id_value(0), "req-00000000");
        assert_eq!(request_id_value(42), "req-00000042");
        assert_eq!(request_id_value(123_456_789), "req-123456789");
        assert_eq!(request_id_value(u64::MAX), "req-18446744073709551615");
    }
}

//! An answer's end, after the handler (or the pipeline's direct dispatch) has answered: with a
//! data dir, nothing a request changed is told before it is on disk; then every error answer
//! gets GP tom's error shape, every answer its `X-Request-Id`, a log line, and — for the emulated
//! API's traffic — its journal entry. Nothing here waits unless it must (the data dir, a
//! framework rejection's text, a body the journal has to collect): the pipeline answers a poll
//! without allocating a future.

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes, to_bytes};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::answer::{FaultTag, JournalTag, is_api_path};
use crate::clock::Millis;
use crate::error::ApiError;
use crate::journal::{JournalEntry, RequestId};
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Everything after the answer: with a data dir, nothing this request changed is told before it
/// is on disk; then the error shape, the request id, the log line and the journal.
pub(super) async fn finish(
    state: &AppState,
    asked: Asked,
    response: Response,
    tag: Option<JournalTag>,
) -> Response {
    // Awaited only inside a future already boxed for its wait (the router's, the data dir's).
    let response = if state.has_data_dir() {
        when_durable(state, response).await
    } else {
        response
    };
    match answered(state, asked, response, tag) {
        Ok(response) => response,
        Err(rest) => rest.finish(state).await,
    }
}

/// `response` once what it changed is on disk, or the error that says it may not be.
async fn when_durable(state: &AppState, response: Response) -> Response {
    match state.durable().await {
        Ok(()) => response,
        Err(error) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the mock could not save this change to its data dir ({error}); the state may \
                 not include it: check the disk and the mock's log"
            ),
        )
        .into_response(),
    }
}

/// What is left to do when an answer's end needs waiting for.
pub(super) enum Rest {
    /// A framework rejection whose text is to be read into GP tom's error shape.
    Rejection(Asked, Response, Option<JournalTag>),
    /// An answer whose body the journal must collect.
    Collect(Asked, Response, Option<JournalTag>),
}

impl Rest {
    pub(super) async fn finish(self, state: &AppState) -> Response {
        let (asked, response, tag) = match self {
            Rest::Rejection(asked, rejection, tag) => {
                let response = wrap_rejection(rejection, asked.path(), asked.now).await;
                match stamped(state, asked, response, tag) {
                    Ok(response) => return response,
                    Err(
                        Rest::Collect(asked, response, tag) | Rest::Rejection(asked, response, tag),
                    ) => (asked, response, tag),
                }
            }
            Rest::Collect(asked, response, tag) => (asked, response, tag),
        };
        journal_collected(state, asked, response, tag).await
    }
}

/// The answer's end when nothing has to wait: GP tom's error shape, then [`stamped`].
#[allow(clippy::result_large_err)] // handed straight back to the caller, never propagated
pub(super) fn answered(
    state: &AppState,
    asked: Asked,
    response: Response,
    tag: Option<JournalTag>,
) -> Result<Response, Rest> {
    match error_answer(response, asked.path(), asked.now) {
        Ok(response) => stamped(state, asked, response, tag),
        Err(rejection) => Err(Rest::Rejection(asked, rejection, tag)),
    }
}

/// The request id on the answer, its log line, and its journal entry when the answer's body is
/// at hand.
#[allow(clippy::result_large_err)] // handed straight back to the caller, never propagated
fn stamped(
    state: &AppState,
    asked: Asked,
    mut response: Response,
    tag: Option<JournalTag>,
) -> Result<Response, Rest> {
    response
        .headers_mut()
        .insert(REQUEST_ID, asked.request_id.header_value());
    tracing::info!(
        target: "gptom_mock::request",
        method = %asked.method, path = %asked.path(), status = response.status().as_u16(),
        request_id = %asked.request_id,
        elapsed_us = u64::try_from(asked.started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "request"
    );
    if !asked.journaled {
        if asked.method != Method::GET {
            state.notify();
        }
        return Ok(response);
    }
    journal_rendered(state, asked, response, tag)
}

/// What the pipeline and the journal keep of the request, gathered before the handler consumed
/// it.
pub(super) struct Asked {
    pub(super) request_id: RequestId,
    pub(super) now: Millis,
    pub(super) started: Instant,
    pub(super) method: Method,
    /// Shared with the last request's when the same (a poll loop, a stream of creations).
    pub(super) path_and_query: Arc<str>,
    /// How much of `path_and_query` is the path.
    pub(super) path_length: usize,
    /// What the request's `Content-Length` says (read with the other headers, in one pass).
    pub(super) declared_length: Option<usize>,
    /// Whether the request is the emulated API's (journaled).
    pub(super) journaled: bool,
    pub(super) authorization: Option<Arc<str>>,
    pub(super) content_type: Option<Arc<str>>,
    pub(super) request_bytes: Bytes,
    /// The request's `Authorization` header as sent, for the direct dispatch's token check
    /// (dropped with the request: it shares the connection's read buffer).
    pub(super) bearer: Option<HeaderValue>,
    /// Whether the request's `Content-Type` says JSON.
    pub(super) json_body: bool,
    /// The request's `Host` when it is a name the mock does not answer to (refused 421).
    pub(super) misdirected: Option<HeaderValue>,
}

impl Asked {
    /// Reads the clock (once per request) and what the journal keeps of `request`.
    pub(super) fn gather(state: &AppState, request: &axum::http::request::Parts) -> Asked {
        let started = Instant::now();
        let now = state.now();
        let uri = &request.uri;
        let path_and_query = uri
            .path_and_query()
            .map_or(uri.path(), |value| value.as_str());
        let path_and_query = interned_with(path_and_query.as_bytes(), &LAST_URI, || {
            Some(path_and_query.into())
        })
        .unwrap_or_else(|| path_and_query.into());
        let journaled = is_api_path(uri.path());
        // One pass over the headers for the first of each of the four the pipeline reads.
        let (mut given_id, mut authorization, mut content_type, mut length, mut host) =
            (None, None, None, None, None);
        for (name, value) in &request.headers {
            if name == header::HOST {
                host.get_or_insert(value);
            } else if name == header::AUTHORIZATION {
                authorization.get_or_insert(value);
            } else if name == header::CONTENT_TYPE {
                content_type.get_or_insert(value);
            } else if name == header::CONTENT_LENGTH {
                length.get_or_insert(value);
            } else if name == REQUEST_ID {
                given_id.get_or_insert(value);
            }
        }
        let declared_length = length
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<usize>().ok());
        let request_id = given_id
            .filter(|value| !value.is_empty() && value.len() <= 128)
            .and_then(|value| HeaderValue::from_bytes(value.as_bytes()).ok())
            .map_or_else(
                || RequestId::Numbered(state.next_request_id()),
                RequestId::Given,
            );
        let misdirected = host
            .filter(|host| !super::origin::host_allowed(host, &state.config().allowed_hosts))
            .cloned();
        let bearer = authorization.cloned();
        let json_body = super::extract::is_json_header(content_type);
        // Copies, not slices: a HeaderValue shares the connection's read buffer.
        let authorization = authorization
            .filter(|_| journaled)
            .and_then(|value| interned(value, &LAST_AUTHORIZATION));
        let content_type = content_type
            .filter(|_| journaled)
            .and_then(|value| interned(value, &LAST_CONTENT_TYPE));
        Asked {
            request_id,
            now,
            started,
            method: request.method.clone(),
            path_length: path_and_query.find('?').unwrap_or(path_and_query.len()),
            path_and_query,
            declared_length,
            journaled,
            authorization,
            content_type,
            request_bytes: Bytes::new(),
            bearer,
            json_body,
            misdirected,
        }
    }

    /// The request's path (its query left out).
    pub(super) fn path(&self) -> &str {
        self.path_and_query
            .get(..self.path_length)
            .unwrap_or(&self.path_and_query)
    }
}

/// The journal's tag of an answer, the body it shares when the handler rendered it whole, and
/// the answer's parts.
type Tagged = (
    axum::http::response::Parts,
    Body,
    Option<JournalTag>,
    Option<Bytes>,
);

fn tagged(response: Response, direct_tag: Option<JournalTag>) -> Tagged {
    let (mut parts, body) = response.into_parts();
    let mut tag = direct_tag.or_else(|| parts.extensions.remove::<JournalTag>());
    // A whole answer the handler rendered is shared as is; anything else (a fault may have
    // replaced or cut the body) is collected.
    let rendered = if parts.extensions.get::<FaultTag>().is_none() {
        tag.as_mut().and_then(|tag| tag.body.take())
    } else {
        None
    };
    (parts, body, tag, rendered)
}

/// The journal step for an answer the handler rendered whole: records the request with it (the
/// body shared) and returns the answer to send; any other answer is handed back to be collected
/// ([`journal_collected`]).
#[allow(clippy::result_large_err)] // handed straight back to the caller, never propagated
fn journal_rendered(
    state: &AppState,
    asked: Asked,
    response: Response,
    direct_tag: Option<JournalTag>,
) -> Result<Response, Rest> {
    let (parts, body, tag, rendered) = tagged(response, direct_tag);
    match rendered {
        Some(bytes) => {
            record(state, asked, &parts, tag, &bytes, false);
            Ok(Response::from_parts(parts, body))
        }
        None => Err(Rest::Collect(asked, Response::from_parts(parts, body), tag)),
    }
}

/// The journal step for any other answer: its body collected (a fault may have replaced or cut
/// it), recorded, and sent on.
async fn journal_collected(
    state: &AppState,
    asked: Asked,
    response: Response,
    tag: Option<JournalTag>,
) -> Response {
    let (parts, body) = response.into_parts();
    let (response_bytes, dropped) = match to_bytes(body, usize::MAX).await {
        Ok(bytes) => (bytes, false),
        Err(_) => (Bytes::new(), true),
    };
    record(state, asked, &parts, tag, &response_bytes, dropped);
    if dropped {
        // The answer was meant to be lost: keep failing the body so the connection is cut.
        return Response::from_parts(parts, super::faults::failing_body());
    }
    Response::from_parts(parts, Body::from(response_bytes))
}

/// Writes the journal's entry of one exchange.
fn record(
    state: &AppState,
    asked: Asked,
    parts: &axum::http::response::Parts,
    tag: Option<JournalTag>,
    response_bytes: &Bytes,
    dropped: bool,
) {
    let terminal = tag.and_then(|tag| tag.terminal);
    let fault = parts.extensions.get::<FaultTag>().map(|tag| tag.0.clone());
    // Only a refusal asks the client to wait (a success has no `Retry-After` to look up).
    let retry_after = (!parts.status.is_success())
        .then(|| parts.headers.get(header::RETRY_AFTER))
        .flatten()
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse().ok());
    let entry = JournalEntry {
        seq: 0,
        request_id: asked.request_id,
        time_ms: asked.now,
        method: asked.method,
        uri: crate::journal::stored_uri(asked.path_and_query),
        status: if dropped { 0 } else { parts.status.as_u16() },
        terminal,
        authorization: asked.authorization,
        content_type: asked.content_type,
        request_body: Bytes::copy_from_slice(
            &asked.request_bytes[..asked.request_bytes.len().min(crate::journal::STORE_LIMIT)],
        ),
        request_size: asked.request_bytes.len(),
        // The answer is the mock's own allocation (no connection buffer behind it): shared,
        // unless it is large.
        response_body: crate::journal::stored_body(response_bytes),
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
}

/// Gives every error answer GP tom's shape: an [`ApiError`] gets its path and time; any other 4xx/5xx
/// without a JSON body (a framework rejection) is handed back to be wrapped in the same shape
/// once its text is read ([`wrap_rejection`]).
#[allow(clippy::result_large_err)] // handed straight back to the caller, never propagated
fn error_answer(response: Response, path: &str, now: Millis) -> Result<Response, Response> {
    let (mut parts, body) = response.into_parts();
    let Some(error) = parts.extensions.remove::<ApiError>() else {
        let status = parts.status;
        let is_json = || {
            parts
                .headers
                .get(header::CONTENT_TYPE)
                .is_some_and(|value| value.as_bytes().starts_with(b"application/json"))
        };
        let rejection = (status.is_client_error() || status.is_server_error()) && !is_json();
        let response = Response::from_parts(parts, body);
        return if rejection {
            Err(response)
        } else {
            Ok(response)
        };
    };
    drop(body);
    Ok(shaped(parts, &error, path, now))
}

/// A framework rejection in GP tom's error shape, its text (or the status's reason) the message.
async fn wrap_rejection(rejection: Response, path: &str, now: Millis) -> Response {
    let (parts, body) = rejection.into_parts();
    let status = parts.status;
    let text = to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_owned();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("Error").to_owned()
    } else {
        text
    };
    shaped(parts, &ApiError::new(status, message), path, now)
}

/// `error`'s answer in GP tom's error shape, on the answer's own headers.
fn shaped(
    mut parts: axum::http::response::Parts,
    error: &ApiError,
    path: &str,
    now: Millis,
) -> Response {
    parts.status = error.status;
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(error.body(path, now.to_iso())))
}

/// The last text of a header seen on this thread: a client sends the same token and content
/// type again and again, and the journal's entries share one copy.
type LastText = std::thread::LocalKey<RefCell<Option<Arc<str>>>>;

thread_local! {
    static LAST_AUTHORIZATION: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
    static LAST_CONTENT_TYPE: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
    static LAST_URI: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
}

/// A header's value as text the journal keeps: shared with the last entry's when the same (a
/// copy otherwise — a `HeaderValue` clone would pin the connection's read buffer).
fn interned(value: &HeaderValue, last: &'static LastText) -> Option<Arc<str>> {
    interned_with(value.as_bytes(), last, || {
        super::extract::header_text(value).map(Arc::from)
    })
}

/// The text of `bytes`: the last one kept when the same, else what `make` makes of them (kept
/// as the last from now on).
fn interned_with(
    bytes: &[u8],
    last: &'static LastText,
    make: impl FnOnce() -> Option<Arc<str>>,
) -> Option<Arc<str>> {
    last.with_borrow_mut(|last| {
        if let Some(text) = last.as_ref().filter(|text| text.as_bytes() == bytes) {
            return Some(Arc::clone(text));
        }
        let text = make()?;
        *last = Some(Arc::clone(&text));
        Some(text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_have_at_least_eight_digits() {
        for (number, text) in [
            (0, "req-00000000"),
            (42, "req-00000042"),
            (123_456_789, "req-123456789"),
            (u64::MAX, "req-18446744073709551615"),
        ] {
            assert_eq!(RequestId::Numbered(number).header_value(), text);
            assert_eq!(RequestId::Numbered(number).to_string(), text);
        }
    }

    proptest::proptest! {
        #[test]
        fn a_numbered_request_id_is_its_number_in_at_least_eight_digits(number: u64) {
            let expected = format!("req-{number:08}");
            proptest::prop_assert_eq!(RequestId::Numbered(number).header_value(), expected.as_str());
            proptest::prop_assert_eq!(RequestId::Numbered(number).to_string(), expected);
        }
    }

    #[test]
    fn an_interned_text_is_shared_while_it_repeats() {
        let first = interned(&HeaderValue::from_static("Bearer a"), &LAST_AUTHORIZATION);
        let again = interned(&HeaderValue::from_static("Bearer a"), &LAST_AUTHORIZATION);
        let other = interned(&HeaderValue::from_static("Bearer b"), &LAST_AUTHORIZATION);
        assert!(Arc::ptr_eq(
            first.as_ref().expect("text"),
            again.as_ref().expect("text")
        ));
        assert_eq!(other.as_deref(), Some("Bearer b"));
        assert_eq!(
            interned(
                &HeaderValue::from_bytes(b"caf\xe9").expect("obs-text"),
                &LAST_CONTENT_TYPE
            ),
            None
        );
    }
}

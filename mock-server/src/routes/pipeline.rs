//! The request pipeline around every handler: enforces the body limit, reads the body (in place
//! when it is all there at once), and answers the two hot Cloud API operations itself
//! (`direct`), anything else through the router; an answer's end — the error shape, the request
//! id, the log line and the journal — is `settle`'s. It wraps the whole router once.

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::response::{IntoResponse, Response};
use tower::Service;

use super::answer::{JournalTag, Wrapped, call_wrapped, json_response};
use super::extract::{RequestTime, parse_json_body, verify_authorization};
use super::settle::{Asked, answered, finish};
use super::tasks;
use crate::clock::Millis;
use crate::error::{ApiError, Rejection};
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
    asked: &Asked,
    parts: &Parts,
    body: &[u8],
) -> Option<Result<tasks::Answer, Rejection>> {
    let now = asked.now;
    let path = parts.uri.path();
    if parts.method == Method::GET {
        let task_id = path.strip_prefix("/v1/tasks/")?;
        if task_id.is_empty()
            || task_id.bytes().any(|byte| byte == b'/' || byte == b'%')
            || task_id == "TRANSACTION"
            || task_id == "BATCH"
        {
            return None;
        }
        Some(
            verify_authorization(state, asked.bearer.as_ref(), now)
                .and_then(|claims| tasks::get_task_answer(state, &claims, now, task_id)),
        )
    } else if parts.method == Method::POST && path == "/v1/tasks/TRANSACTION" {
        Some(
            verify_authorization(state, asked.bearer.as_ref(), now).and_then(|claims| {
                // A well-formed body straight into its type; anything else field by field.
                if asked.json_body
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

/// The pipeline's answer to come: ready at once when nothing had to wait (a poll or any other
/// directly answered request without a body, on a mock without a data dir), a body read in place
/// (a small body is all there at the first poll, and then nothing is allocated to wait for it),
/// boxed otherwise.
// Unboxed on purpose: hyper keeps each connection's service future in one box of its own, so
// the request held in place costs a copy there, where a box of our own would cost an allocation.
#[allow(clippy::large_enum_variant)]
pub enum PipelineFuture<S, B = Body> {
    /// Answered without waiting (taken once polled).
    Ready(Option<Response>),
    /// The body to read first, polled in place.
    Reading(Option<Unread<S, B>>),
    /// Answered once what it waits for is done.
    Waiting(Waiting),
}

/// A request whose body is still to be read (as it came: hyper's own body is read without being
/// boxed first).
pub struct Unread<S, B = Body> {
    state: AppState,
    asked: Asked,
    parts: Parts,
    body: B,
    next: S,
    direct_dispatch: bool,
}

impl<S, B> std::fmt::Debug for Unread<S, B> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Unread")
            .field("method", &self.parts.method)
            .field("uri", &self.parts.uri)
            .finish_non_exhaustive()
    }
}

/// What the first poll of a body found.
enum FirstPoll {
    /// The whole body (or why it is refused): nothing to wait for.
    Whole(Result<Bytes, BodyRefusal>),
    /// More is to come, after this frame if one came.
    Started(Option<Bytes>),
}

impl<S, B> std::fmt::Debug for PipelineFuture<S, B> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(match self {
            PipelineFuture::Ready(_) => "PipelineFuture::Ready",
            PipelineFuture::Reading(_) => "PipelineFuture::Reading",
            PipelineFuture::Waiting(_) => "PipelineFuture::Waiting",
        })
    }
}

/// What a request's body must be for the pipeline: any HTTP body of bytes (hyper's, axum's).
pub trait RequestBody:
    HttpBody<Data = Bytes, Error: Into<axum::BoxError>> + Send + Unpin + 'static
{
}

impl<B> RequestBody for B where
    B: HttpBody<Data = Bytes, Error: Into<axum::BoxError>> + Send + Unpin + 'static
{
}

impl<S: Wrapped + Unpin, B: RequestBody> Future for PipelineFuture<S, B> {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            let unread = match this {
                PipelineFuture::Ready(response) => {
                    return Poll::Ready(Ok(response.take().expect("a ready answer is taken once")));
                }
                PipelineFuture::Waiting(future) => return future.as_mut().poll(cx).map(Ok),
                PipelineFuture::Reading(unread) => unread,
            };
            let first = {
                let reading = unread.as_mut().expect("a body is read once");
                first_poll(&reading.state, &reading.parts, &mut reading.body, cx)
            };
            let Some(unread) = unread.take() else {
                unreachable!("taken only here, once")
            };
            *this = match first {
                FirstPoll::Whole(bytes) => match after_body(
                    unread.state,
                    unread.asked,
                    unread.parts,
                    bytes,
                    unread.next,
                    unread.direct_dispatch,
                ) {
                    Ok(response) => return Poll::Ready(Ok(response)),
                    Err(waiting) => PipelineFuture::Waiting(waiting),
                },
                FirstPoll::Started(first) => PipelineFuture::Waiting(Box::pin(pipeline(
                    unread.state,
                    unread.asked,
                    unread.parts,
                    (first, Body::new(unread.body)),
                    unread.next,
                    unread.direct_dispatch,
                ))),
            };
        }
    }
}

/// Polls a body once: whole when its one frame is all of it (or it is refused), started
/// otherwise — the way [`collect`] counts it, so either way a body is taken or refused alike.
fn first_poll<B: RequestBody>(
    state: &AppState,
    parts: &Parts,
    body: &mut B,
    cx: &mut Context<'_>,
) -> FirstPoll {
    let limit = body_limit(state, parts);
    match Pin::new(&mut *body).poll_frame(cx) {
        Poll::Ready(None) => FirstPoll::Whole(Ok(Bytes::new())),
        Poll::Ready(Some(Err(_))) => FirstPoll::Whole(Err(BodyRefusal::TooLarge(limit))),
        Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
            Ok(data) if data.len() > limit => FirstPoll::Whole(Err(BodyRefusal::TooLarge(limit))),
            Ok(data) if HttpBody::is_end_stream(body) => FirstPoll::Whole(Ok(data)),
            Ok(data) => FirstPoll::Started(Some(data)),
            Err(_trailers) => FirstPoll::Started(None),
        },
        Poll::Pending => FirstPoll::Started(None),
    }
}

impl<S: Wrapped + Unpin, B: RequestBody> Service<axum::http::Request<B>> for Pipeline<S> {
    type Response = Response;
    type Error = Infallible;
    type Future = PipelineFuture<S, B>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // The router is always ready; readiness is driven per request by `oneshot`.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        let next = self.inner.clone();
        let state = self.state.clone();
        let direct_dispatch = self.direct_dispatch;
        let (parts, body) = request.into_parts();
        let mut asked = Asked::gather(&state, &parts);
        // A name the mock was not told about: refused before anything runs.
        if let Some(host) = asked.misdirected.take() {
            let refused = super::origin::misdirected(&host).into_response();
            return match settle(state, asked, refused, None) {
                Ok(response) => PipelineFuture::Ready(Some(response)),
                Err(waiting) => PipelineFuture::Waiting(waiting),
            };
        }
        // Only a mock with a data dir tracks what each request must wait for, in a scope around
        // the whole request.
        if state.has_data_dir() {
            let body = Body::new(body);
            let answer = pipeline(state, asked, parts, (None, body), next, direct_dispatch);
            return PipelineFuture::Waiting(Box::pin(AppState::scoped(answer)));
        }
        // Nothing to read: answered here, with no future to allocate unless the answer waits
        // for something (the router's, say).
        let refused = declared_too_big(&state, &parts, asked.declared_length);
        if refused.is_some() || HttpBody::size_hint(&body).exact() == Some(0) {
            let bytes = refused.map_or(Ok(Bytes::new()), Err);
            return match after_body(state, asked, parts, bytes, next, direct_dispatch) {
                Ok(response) => PipelineFuture::Ready(Some(response)),
                Err(waiting) => PipelineFuture::Waiting(waiting),
            };
        }
        PipelineFuture::Reading(Some(Unread {
            state,
            asked,
            parts,
            body,
            next,
            direct_dispatch,
        }))
    }
}

/// What is left of an answer that has to wait for something.
type Waiting = Pin<Box<dyn Future<Output = Response> + Send>>;

/// The middleware: reads the body, then goes on [`after_body`]. Whatever may wait besides the
/// body (the router, a fault, the data dir, a framework rejection's text, an answer's body)
/// waits in a boxed future of its own, so the future a request with a body allocates stays
/// small, and a request without one allocates none when nothing waits.
async fn pipeline<S: Wrapped>(
    state: AppState,
    asked: Asked,
    parts: Parts,
    (first, body): (Option<Bytes>, Body),
    next: S,
    direct_dispatch: bool,
) -> Response {
    let bytes = if first.is_none() && HttpBody::size_hint(&body).exact() == Some(0) {
        declared_too_big(&state, &parts, asked.declared_length).map_or(Ok(Bytes::new()), Err)
    } else {
        // This future is itself boxed and taken only when the body keeps it waiting.
        read_body(&state, &parts, asked.declared_length, first, body).await
    };
    match after_body(state, asked, parts, bytes, next, direct_dispatch) {
        Ok(response) => response,
        Err(waiting) => waiting.await,
    }
}

/// Everything once the body is read: the answer (direct or through the router), then its end
/// ([`settle`]); the answer itself when nothing had to wait.
fn after_body<S: Wrapped>(
    state: AppState,
    mut asked: Asked,
    parts: Parts,
    bytes: Result<Bytes, BodyRefusal>,
    next: S,
    direct_dispatch: bool,
) -> Result<Response, Waiting> {
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(unread) => {
            let response = unread.into_response(&state);
            return settle(state, asked, response, None);
        }
    };
    asked.request_bytes = bytes.clone();
    let faults_active = state.faults_active();
    let dispatch = (direct_dispatch && !faults_active)
        .then(|| direct(&state, &asked, &parts, &bytes))
        .flatten();
    match dispatch {
        Some(answer) => {
            let (response, tag) = direct_response(answer);
            settle(state, asked, response, tag)
        }
        None => Err(Box::pin(async move {
            let response = routed(&state, asked.now, parts, bytes, next, faults_active).await;
            finish(&state, asked, response, None).await
        })),
    }
}

/// An answer's end ([`finish`]) without a future when nothing has to wait.
fn settle(
    state: AppState,
    asked: Asked,
    response: Response,
    tag: Option<JournalTag>,
) -> Result<Response, Waiting> {
    if state.has_data_dir() {
        return Err(Box::pin(async move {
            finish(&state, asked, response, tag).await
        }));
    }
    answered(&state, asked, response, tag)
        .map_err(|rest| -> Waiting { Box::pin(async move { rest.finish(&state).await }) })
}

/// The router's answer (through the scenario's faults when any are active).
async fn routed<S: Wrapped>(
    state: &AppState,
    now: Millis,
    parts: Parts,
    bytes: Bytes,
    next: S,
    faults_active: bool,
) -> Response {
    let mut request = Request::from_parts(parts, Body::from(bytes));
    request.extensions_mut().insert(RequestTime(now));
    if faults_active {
        // Scenario faults run inside the pipeline (journaled like any answer).
        super::faults::inject_faults(state.clone(), request, next).await
    } else {
        call_wrapped(next, request).await
    }
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
            let length = content_length(json.len() as u64);
            let mut response = json_response(answer.status, json);
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_LENGTH, length);
            if let Some(warning) = answer.warning {
                headers.insert(tasks::WARNING_HEADER, warning);
            }
            (response, Some(tag))
        }
        Err(rejection) => (with_content_length(rejection.into_response()), None),
    }
}

/// The read step: the whole body, or why not (over the limit, declared or counted; not all
/// there within the body-read timeout, so a trickling body is refused, not waited for forever).
async fn read_body(
    state: &AppState,
    parts: &Parts,
    declared_length: Option<usize>,
    first: Option<Bytes>,
    body: Body,
) -> Result<Bytes, BodyRefusal> {
    if let Some(refusal) = declared_too_big(state, parts, declared_length) {
        return Err(refusal);
    }
    let limit = body_limit(state, parts);
    let mut collecting = std::pin::pin!(collect(first, body, limit));
    // A body already all there (a small one usually is) needs no timer.
    let at_once = std::future::poll_fn(|cx| Poll::Ready(collecting.as_mut().poll(cx))).await;
    let collected = match at_once {
        Poll::Ready(collected) => collected,
        Poll::Pending => tokio::time::timeout(state.config().body_read_timeout, collecting)
            .await
            .map_err(|_| BodyRefusal::TooSlow)?,
    };
    collected.ok_or(BodyRefusal::TooLarge(limit))
}

/// How large a body the request's path takes.
fn body_limit(state: &AppState, parts: &Parts) -> usize {
    if parts.uri.path() == super::transfer::IMPORT_PATH {
        state
            .config()
            .body_limit
            .max(super::transfer::IMPORT_BODY_LIMIT)
    } else {
        state.config().body_limit
    }
}

/// The refusal of a body whose declared `Content-Length` is over the limit.
/// (`declared_length` is what the request's `Content-Length` says, read with its other headers.)
fn declared_too_big(
    state: &AppState,
    parts: &Parts,
    declared_length: Option<usize>,
) -> Option<BodyRefusal> {
    let limit = body_limit(state, parts);
    declared_length
        .is_some_and(|length| length > limit)
        .then_some(BodyRefusal::TooLarge(limit))
}

/// The body's bytes (after `first`, a frame already read), at most `limit` of them (`None` above
/// it or when the body fails). A body that comes in one frame, as a small JSON body does, is
/// handed on as that frame, not copied.
async fn collect(mut first: Option<Bytes>, body: Body, limit: usize) -> Option<Bytes> {
    let mut body = std::pin::pin!(body);
    let mut joined: Option<Vec<u8>> = None;
    let mut total = first.as_ref().map_or(0, Bytes::len);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_lengths_are_the_sizes_written_out() {
        for size in [0u64, 1, 9, 10, 99, 100, 999, 1000, 2047, 2048, 70_000] {
            assert_eq!(content_length(size), HeaderValue::from(size), "{size}");
        }
    }
}

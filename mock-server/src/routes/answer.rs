//! What a handler hands back to the pipeline besides its response: the journal's tags (which
//! terminal an answer concerns, the body already rendered, the fault injected), the JSON answer
//! builders that set them, and the wrapped router's service type.
//!
//! Invariant: this module names no other route module, so handlers, the fault layer and the
//! pipeline all depend on it and never on each other in a circle (`tests/tidy.rs`).

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use tower::{Service, ServiceExt};

/// Which terminal an answer concerns, set by handlers for the journal.
#[derive(Clone, Debug, Default)]
pub struct JournalTag {
    /// Terminal ID (shared with the store's terminal: no copy per answer).
    pub terminal: Option<Arc<str>>,
    /// The answer's body when the handler rendered it whole (the journal shares it instead of
    /// collecting the body again).
    pub body: Option<Bytes>,
}

/// A JSON answer of the emulated API, tagged with its terminal for the journal.
///
/// Serialised straight into a `Vec` (cheaper than `axum::Json`'s `BytesMut` writer on the hot path).
pub fn api_json<T: serde::Serialize>(status: StatusCode, terminal: Arc<str>, body: &T) -> Response {
    api_json_bytes(
        status,
        terminal,
        serde_json::to_vec(body).unwrap_or_default(),
    )
}

/// A JSON answer already rendered to bytes, tagged with its terminal for the journal.
pub fn api_json_bytes(status: StatusCode, terminal: Arc<str>, bytes: Vec<u8>) -> Response {
    let bytes = Bytes::from(bytes);
    let mut response = json_response(status, bytes.clone());
    response.extensions_mut().insert(JournalTag {
        terminal: Some(terminal),
        body: Some(bytes),
    });
    response
}

pub(super) fn json_response(status: StatusCode, bytes: Bytes) -> Response {
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The fault a scenario injected, set by the fault layer for the journal.
#[derive(Clone, Debug)]
pub struct FaultTag(pub String);

/// Whether a path belongs to the emulated GP tom API (journaled, judged by `verify`, open to
/// scenario faults): `/v1/…`, the token endpoints under `/cloud/` and `/api/`, and `/app2app`.
/// The control plane, the page, `/openapi.json` and what browsers ask on their own
/// (`/favicon.ico`, `/robots.txt`) are not the client's traffic.
#[must_use]
pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/v1/")
        || path.starts_with("/cloud/")
        || path.starts_with("/api/")
        || path == "/app2app"
}

/// What the pipeline wraps: the router's inner service.
pub trait Wrapped:
    Service<Request, Response = Response, Error = Infallible, Future: Send> + Clone + Send + 'static
{
}

impl<S> Wrapped for S where
    S: Service<Request, Response = Response, Error = Infallible, Future: Send>
        + Clone
        + Send
        + 'static
{
}

/// Runs the wrapped service to its answer.
pub async fn call_wrapped<S: Wrapped>(inner: S, request: Request) -> Response {
    match inner.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// Marks an answer that streams for as long as its client reads (the live page's events): the
/// server gives its connection's slot back, and cuts it when the client stops reading.
#[derive(Clone, Copy, Debug)]
pub struct StreamAnswer;

//! The client's errors.

use std::time::Duration;

use serde::Deserialize;

/// GP tom's error body of the resource endpoints (Spring Boot's shape).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ApiErrorBody {
    /// When.
    pub timestamp: Option<String>,
    /// HTTP status.
    pub status: Option<u16>,
    /// Reason phrase.
    pub error: Option<String>,
    /// Summary.
    pub message: Option<String>,
    /// Request path.
    pub path: Option<String>,
    /// Every broken field.
    pub errors: Vec<FieldError>,
    /// OAuth error code (`invalid_token`, `invalid_grant`, …) on OAuth errors.
    #[serde(rename = "error_description")]
    pub error_description: Option<String>,
}

/// One broken field named by GP tom.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct FieldError {
    /// The field.
    pub field: String,
    /// The rule it breaks.
    pub message: String,
}

/// A request the client refuses to send because GP tom would refuse it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// The field, as GP tom names it.
    pub field: &'static str,
    /// The rule.
    pub message: String,
}

impl std::fmt::Display for ValidationError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}: {}", self.field, self.message)
    }
}

/// Everything that can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request never got an HTTP answer (connection refused, reset, timed out).
    #[error("transport error calling {operation}")]
    Transport {
        /// What was being done.
        operation: &'static str,
        /// Why.
        #[source]
        source: reqwest::Error,
    },
    /// GP tom answered with an error status.
    #[error("{operation} failed with HTTP {status}: {}", describe(.body))]
    Http {
        /// What was being done.
        operation: &'static str,
        /// HTTP status.
        status: u16,
        /// The parsed error body, when it had GP tom's shape.
        body: Option<Box<ApiErrorBody>>,
        /// `Retry-After`, when sent.
        retry_after: Option<Duration>,
    },
    /// The answer could not be decoded.
    #[error("cannot decode the answer of {operation}: {snippet}")]
    Decode {
        /// What was being done.
        operation: &'static str,
        /// The start of the body.
        snippet: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// Logging in or refreshing failed (bad credentials, refused refresh, …).
    #[error("authentication failed: {message}")]
    Auth {
        /// OAuth error code or description.
        message: String,
        /// HTTP status.
        status: Option<u16>,
    },
    /// The request breaks GP tom's rules; nothing was sent.
    #[error("invalid request: {}", join(.0))]
    Validation(Vec<ValidationError>),
    /// The task did not reach a final state before the deadline.
    #[error("task {task_id} not final after {waited:?} (last state {last_state})")]
    Timeout {
        /// The task.
        task_id: String,
        /// The last state seen.
        last_state: String,
        /// How long it waited.
        waited: Duration,
    },
    /// A task creation was sent but its answer was lost: the payment may or may not be running.
    /// Do **not** create another sale blindly — see [`crate::Client::reconcile`].
    #[error(
        "outcome unknown for {operation} (reference {reference:?}): the request may have been processed"
    )]
    OutcomeUnknown {
        /// What was being done.
        operation: &'static str,
        /// The `originReferenceNum` sent, to look the payment up.
        reference: Option<String>,
        /// Why the answer was lost.
        #[source]
        source: Box<Error>,
    },
    /// The client was built without something it needs.
    #[error("client configuration: {0}")]
    Config(String),
}

fn describe(body: &Option<Box<ApiErrorBody>>) -> String {
    match body {
        Some(body) => body
            .message
            .clone()
            .or_else(|| body.error_description.clone())
            .or_else(|| body.error.clone())
            .unwrap_or_default(),
        None => String::new(),
    }
}

fn join(errors: &[ValidationError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// The HTTP status, for `Http` errors.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Http { status, .. } => Some(*status),
            Error::Auth { status, .. } => *status,
            Error::OutcomeUnknown { source, .. } => source.status(),
            _ => None,
        }
    }
}

/// The client's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The first 200 characters of a body, for error messages.
pub(crate) fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut cut: String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        cut.push('…');
    }
    if cut.is_empty() {
        "<empty body>".into()
    } else {
        cut
    }
}

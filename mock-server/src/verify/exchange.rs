//! One journal entry as the rules read it: parsed once, classified once, so every rule sees the
//! same request the same way.
//!
//! Invariant: the classification is an order of precedence — an OAuth call is only an OAuth call,
//! a 401 only a rejection, a deep link only a deep link — so no rule judges an entry another kind
//! of rule has already claimed.

use serde_json::Value;

use super::Evidence;
use crate::journal::JournalEntry;

/// What a journal entry was, for the rules.
#[derive(Debug)]
pub enum Kind<'a> {
    /// `POST /oauth/token` (any answer).
    Token {
        /// The form's `grant_type`.
        grant: Option<String>,
    },
    /// Any other request answered 401.
    Unauthorized,
    /// `/app2app`: a deep link handed to the simulated app.
    DeepLink,
    /// `POST /v1/tasks/TRANSACTION`.
    CreateTransaction,
    /// `GET /v1/tasks/{task}`.
    PollTask {
        /// The polled id, as sent.
        task: &'a str,
    },
    /// `GET /v1/transactions/{id}`.
    ReadTransaction {
        /// The read id, as sent.
        transaction: &'a str,
    },
    /// Anything else.
    Other,
}

/// A journal entry with its bodies parsed (`Value::Null` where a body is not JSON).
pub struct Exchange<'a> {
    /// The entry itself.
    pub entry: &'a JournalEntry,
    /// What it was.
    pub kind: Kind<'a>,
    /// Its path, without the query.
    pub path: &'a str,
    /// The request body as JSON.
    pub request: Value,
    /// The answer body as JSON.
    pub response: Value,
    /// The terminal the request acted on (empty when none).
    pub terminal: String,
}

impl<'a> Exchange<'a> {
    /// Reads one entry.
    #[must_use]
    pub fn read(entry: &'a JournalEntry) -> Self {
        let path = entry.path();
        let method = entry.method.as_str();
        let kind = if path.ends_with("/oauth/token") {
            Kind::Token {
                grant: form_urlencoded::parse(&entry.request_body)
                    .filter(|(key, _)| key == "grant_type")
                    .last()
                    .map(|(_, value)| value.into_owned()),
            }
        } else if entry.status == 401 {
            Kind::Unauthorized
        } else if path == "/app2app" {
            Kind::DeepLink
        } else if method == "POST" && path == "/v1/tasks/TRANSACTION" {
            Kind::CreateTransaction
        } else if method == "GET"
            && let Some(task) = path.strip_prefix("/v1/tasks/")
        {
            Kind::PollTask { task }
        } else if method == "GET"
            && let Some(transaction) = path.strip_prefix("/v1/transactions/")
        {
            Kind::ReadTransaction { transaction }
        } else {
            Kind::Other
        };
        Exchange {
            entry,
            kind,
            path,
            request: json(&entry.request_body),
            response: json(&entry.response_body),
            terminal: entry.terminal.as_deref().unwrap_or_default().to_owned(),
        }
    }

    /// A string field of the answer.
    #[must_use]
    pub fn answered(&self, field: &str) -> Option<&str> {
        self.response.get(field).and_then(Value::as_str)
    }

    /// A string field of the request body.
    #[must_use]
    pub fn sent(&self, field: &str) -> Option<&str> {
        self.request.get(field).and_then(Value::as_str)
    }

    /// This entry as evidence against a rule.
    #[must_use]
    pub fn evidence(&self, note: impl Into<String>) -> Evidence {
        Evidence {
            seq: self.entry.seq,
            method: self.entry.method.to_string(),
            path: self.path.to_owned(),
            status: self.entry.status,
            note: note.into(),
        }
    }
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

/// Whether a task state is final (both spellings of cancelled).
#[must_use]
pub fn is_final(state: &str) -> bool {
    matches!(state, "COMPLETED" | "CANCELED" | "CANCELLED" | "ERROR")
}

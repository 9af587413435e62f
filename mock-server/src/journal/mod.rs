//! The journal: a bounded log of the requests the emulated GP tom API received, with their
//! answers. Entries hold what was received, unmasked and uncopied where they can share it; secrets
//! (passwords, tokens) are masked whenever an entry is read — listed, judged by `verify`, shown.

use std::collections::VecDeque;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderValue, Method};
use serde::Serialize;

use crate::clock::Millis;
use crate::domain::token::mask;

mod mask;

pub use mask::mask_body;
use mask::mask_form;

/// The default number of entries kept.
pub const DEFAULT_CAPACITY: usize = 10_000;
/// Bodies longer than this are cut in the journal.
pub const BODY_LIMIT: usize = 8 * 1024;
/// What an entry keeps of a body or a URI: larger ones are cut when recorded (their size is
/// kept), so a stream of huge requests cannot fill memory through the journal.
pub const STORE_LIMIT: usize = 16 * 1024;
/// The journal's default bound in bytes (bodies, URIs and a per-entry overhead).
pub const DEFAULT_MAX_BYTES: usize = 32 * 1024 * 1024;
/// What an entry costs beyond its bodies and URI (the struct, its `Arc`, the deque slot).
const ENTRY_OVERHEAD: usize = 256;

/// One received request. Cheap to record (reference-counted handles, no copies, no masking);
/// secrets are masked when the entry is read.
#[derive(Clone, Debug)]
pub struct JournalEntry {
    /// Sequence number, from 1, never reused until reset.
    pub seq: u64,
    /// The request id (also in the `X-Request-Id` header).
    pub request_id: RequestId,
    /// Virtual time of arrival.
    pub time_ms: Millis,
    /// Method.
    pub method: Method,
    /// Path and query (copied: a slice would pin the connection's read buffer; shared by the
    /// entries of the same one).
    pub uri: std::sync::Arc<str>,
    /// Answer status (0 when the connection was dropped by a fault).
    pub status: u16,
    /// Terminal concerned, when known.
    pub terminal: Option<std::sync::Arc<str>>,
    /// `Authorization` header (copied, shared by the entries of the same token; masked when
    /// read).
    pub authorization: Option<std::sync::Arc<str>>,
    /// Request content type (shared by the entries of the same one).
    pub content_type: Option<std::sync::Arc<str>>,
    /// Request body (masked when read), at most [`STORE_LIMIT`] bytes of it.
    pub request_body: Bytes,
    /// The request body's size as received.
    pub request_size: usize,
    /// Answer body (masked when read).
    pub response_body: Bytes,
    /// Real time spent, microseconds.
    pub duration_us: u64,
    /// A fault injected by the scenario.
    pub fault: Option<String>,
    /// The answer's `Retry-After`, in seconds, when it had one (coverage judges the wait).
    pub retry_after: Option<u32>,
}

/// A request's id: the mock's own number (`req-00000042`) or the client's `X-Request-Id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestId {
    /// The mock's numbering.
    Numbered(u64),
    /// What the client's `X-Request-Id` said.
    Given(HeaderValue),
}

impl RequestId {
    /// The id as the `X-Request-Id` header says it.
    #[must_use]
    pub fn header_value(&self) -> HeaderValue {
        match self {
            RequestId::Numbered(number) => {
                // Copied to its exact size: one allocation (a `Vec` with room to spare would
                // take a second one to be shared).
                let (text, length) = numbered(*number);
                HeaderValue::from_maybe_shared(Bytes::copy_from_slice(&text[..length]))
                    .unwrap_or_else(|_| HeaderValue::from_static("req"))
            }
            RequestId::Given(value) => value.clone(),
        }
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestId::Numbered(number) => {
                let (text, length) = numbered(*number);
                formatter.write_str(std::str::from_utf8(&text[..length]).unwrap_or("req"))
            }
            RequestId::Given(value) => formatter.write_str(value.to_str().unwrap_or("")),
        }
    }
}

/// `req-00000042`: at least eight digits, written without the formatting machinery (hot path),
/// and how many of the 24 bytes it takes.
fn numbered(number: u64) -> ([u8; 24], usize) {
    let mut text = *b"req-00000000000000000000";
    let mut rest = number;
    let mut start = text.len();
    // Two digits at a time.
    while rest >= 10 {
        start -= 2;
        text[start..start + 2].copy_from_slice(&crate::clock::DECIMAL_PAIRS[(rest % 100) as usize]);
        rest /= 100;
    }
    if rest > 0 {
        start -= 1;
        text[start] = b'0' + rest as u8;
    }
    // At least eight digits: start no later than the eighth digit from the end.
    let start = start.min(text.len() - 8);
    text.copy_within(start.., 4);
    (text, 4 + text.len() - start)
}

/// At most [`STORE_LIMIT`] bytes of a body, copied when cut so the rest can be freed.
#[must_use]
pub fn stored_body(bytes: &Bytes) -> Bytes {
    if bytes.len() > STORE_LIMIT {
        Bytes::copy_from_slice(&bytes[..STORE_LIMIT])
    } else {
        bytes.clone()
    }
}

/// At most [`STORE_LIMIT`] bytes of a URI (on a character boundary), marked when cut.
#[must_use]
pub fn stored_uri(uri: std::sync::Arc<str>) -> std::sync::Arc<str> {
    if uri.len() <= STORE_LIMIT {
        return uri;
    }
    let mut end = STORE_LIMIT;
    while !uri.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…({} bytes)", &uri[..end], uri.len()).into()
}

impl JournalEntry {
    /// What the entry holds in memory, for the journal's byte bound.
    #[must_use]
    pub fn weight(&self) -> usize {
        self.uri.len()
            + self.request_body.len()
            + self.response_body.len()
            + self.authorization.as_deref().map_or(0, str::len)
            + ENTRY_OVERHEAD
    }

    /// The path.
    #[must_use]
    pub fn path(&self) -> &str {
        self.uri.split_once('?').map_or(&self.uri, |(path, _)| path)
    }

    /// The query string.
    #[must_use]
    pub fn query(&self) -> Option<&str> {
        self.uri.split_once('?').map(|(_, query)| query)
    }

    /// The request body as text, secrets masked, cut at 8 KiB. Whatever the content type says,
    /// a body that is not a JSON object is masked as a form: the token endpoint reads forms.
    #[must_use]
    pub fn request_text(&self) -> Option<String> {
        let json = self
            .request_body
            .iter()
            .find(|byte| !byte.is_ascii_whitespace())
            == Some(&b'{');
        mask_body(&self.request_body, self.request_size, !json)
    }

    /// The query string, secrets masked (a password in the token endpoint's query, a deep link's
    /// `password` inside `/app2app?url=`).
    #[must_use]
    pub fn query_masked(&self) -> Option<String> {
        self.query().map(mask_form)
    }

    /// The answer body as text, secrets masked, cut at 8 KiB.
    #[must_use]
    pub fn response_text(&self) -> Option<String> {
        mask_body(&self.response_body, self.response_body.len(), false)
    }

    /// `Bearer eyJh…x9Q0`.
    #[must_use]
    pub fn authorization_masked(&self) -> Option<String> {
        self.authorization
            .as_deref()
            .map(|value| match value.split_once(' ') {
                Some((scheme, credentials)) => format!("{scheme} {}", mask(credentials)),
                None => mask(value),
            })
    }
}

impl Serialize for JournalEntry {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("JournalEntry", 15)?;
        out.serialize_field("seq", &self.seq)?;
        out.serialize_field("requestId", &self.request_id.to_string())?;
        out.serialize_field("time", &self.time_ms.to_iso())?;
        out.serialize_field("method", self.method.as_str())?;
        out.serialize_field("path", self.path())?;
        out.serialize_field("query", &self.query_masked())?;
        out.serialize_field("status", &self.status)?;
        out.serialize_field("terminal", &self.terminal)?;
        out.serialize_field("authorization", &self.authorization_masked())?;
        out.serialize_field("contentType", &self.content_type.as_deref())?;
        out.serialize_field("requestBody", &self.request_text())?;
        out.serialize_field("responseBody", &self.response_text())?;
        out.serialize_field("durationUs", &self.duration_us)?;
        if let Some(fault) = &self.fault {
            out.serialize_field("fault", fault)?;
        }
        if let Some(seconds) = self.retry_after {
            out.serialize_field("retryAfter", &seconds)?;
        }
        out.end()
    }
}

/// The bounded log.
#[derive(Debug)]
pub struct Journal {
    entries: VecDeque<Arc<JournalEntry>>,
    capacity: usize,
    max_bytes: usize,
    bytes: usize,
    dropped: u64,
    next_seq: u64,
}

/// A page of the journal.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalPage {
    /// Entries kept now.
    pub total: usize,
    /// Entries dropped because the journal was full.
    pub dropped: u64,
    /// Capacity.
    pub capacity: usize,
    /// The matching entries, oldest first.
    pub entries: Vec<Arc<JournalEntry>>,
}

/// Which entries to list.
#[derive(Clone, Debug, Default)]
pub struct JournalFilter {
    /// Only this terminal.
    pub terminal: Option<String>,
    /// Only paths starting with this.
    pub path_prefix: Option<String>,
    /// Only this method.
    pub method: Option<String>,
    /// Only entries after this sequence number.
    pub since: Option<u64>,
    /// At most this many (the newest).
    pub limit: Option<usize>,
}

impl Journal {
    /// An empty journal keeping `capacity` entries (0 disables it).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self::bounded(capacity, DEFAULT_MAX_BYTES)
    }

    /// An empty journal keeping at most `capacity` entries and `max_bytes` of their weight.
    #[must_use]
    pub fn bounded(capacity: usize, max_bytes: usize) -> Self {
        Journal {
            entries: VecDeque::with_capacity(capacity.min(1024)),
            capacity,
            max_bytes,
            bytes: 0,
            dropped: 0,
            next_seq: 1,
        }
    }

    /// What the kept entries weigh, bytes.
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The next sequence number.
    pub fn next_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// Appends, dropping the oldest entry when full.
    pub fn push(&mut self, entry: JournalEntry) {
        let weight = entry.weight();
        if self.capacity == 0 || weight > self.max_bytes {
            self.dropped += 1;
            return;
        }
        let mut evicted = None;
        while self.entries.len() >= self.capacity || self.bytes + weight > self.max_bytes {
            let Some(oldest) = self.entries.pop_front() else {
                break;
            };
            self.bytes -= oldest.weight();
            self.dropped += 1;
            evicted = Some(oldest);
        }
        self.bytes += weight;
        // A full journal takes in an entry for each it lets go: the new one goes into the
        // place of the last let go, when nobody else holds it (no allocation per entry).
        let entry = match evicted {
            Some(mut place) => match Arc::get_mut(&mut place) {
                Some(slot) => {
                    *slot = entry;
                    place
                }
                None => Arc::new(entry),
            },
            None => Arc::new(entry),
        };
        self.entries.push_back(entry);
    }

    /// Forgets every entry (sequence numbers go on).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
        self.dropped = 0;
    }

    /// Entries kept.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is kept.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries dropped.
    #[must_use]
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Every kept entry, oldest first.
    #[must_use]
    pub fn all(&self) -> Vec<Arc<JournalEntry>> {
        self.entries.iter().cloned().collect()
    }

    /// The entries matching the filter.
    #[must_use]
    pub fn page(&self, filter: &JournalFilter) -> JournalPage {
        let matching: Vec<Arc<JournalEntry>> = self
            .entries
            .iter()
            .filter(|entry| filter.since.is_none_or(|since| entry.seq > since))
            .filter(|entry| {
                filter
                    .terminal
                    .as_ref()
                    .is_none_or(|tid| entry.terminal.as_deref() == Some(tid.as_str()))
            })
            .filter(|entry| {
                filter
                    .path_prefix
                    .as_ref()
                    .is_none_or(|prefix| entry.path().starts_with(prefix.as_str()))
            })
            .filter(|entry| {
                filter
                    .method
                    .as_ref()
                    .is_none_or(|method| entry.method.as_str().eq_ignore_ascii_case(method))
            })
            .cloned()
            .collect();
        let skip = filter
            .limit
            .map_or(0, |limit| matching.len().saturating_sub(limit));
        JournalPage {
            total: self.entries.len(),
            dropped: self.dropped,
            capacity: self.capacity,
            entries: matching.into_iter().skip(skip).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64, terminal: &str) -> JournalEntry {
        JournalEntry {
            seq,
            request_id: RequestId::Numbered(seq),
            time_ms: Millis(0),
            method: Method::GET,
            uri: "/v1/tasks/x".into(),
            status: 200,
            terminal: Some(terminal.into()),
            authorization: None,
            content_type: None,
            request_body: Bytes::new(),
            request_size: 0,
            response_body: Bytes::new(),
            duration_us: 0,
            fault: None,
            retry_after: None,
        }
    }

    #[test]
    fn the_journal_is_bounded_in_bytes_and_cuts_huge_bodies_when_recording() {
        let huge = Bytes::from(vec![b'x'; 60 * 1024]);
        let stored = stored_body(&huge);
        assert_eq!(stored.len(), STORE_LIMIT);
        let uri = format!("/app2app?url={}", "y".repeat(60 * 1024));
        assert!(stored_uri(uri.into()).len() < STORE_LIMIT + 32);
        let mut journal = Journal::bounded(10_000, 64 * 1024);
        for seq in 1..=100 {
            let mut big = entry(seq, "999888");
            big.request_body = stored_body(&huge);
            big.request_size = huge.len();
            journal.push(big);
        }
        assert!(journal.bytes() <= 64 * 1024, "{}", journal.bytes());
        assert_eq!(journal.len() as u64 + journal.dropped(), 100);
        let text = journal.all()[0].request_text().unwrap_or_default();
        assert!(
            text.ends_with(&format!("… ({} bytes)", 60 * 1024)),
            "{}",
            &text[text.len() - 40..]
        );
        journal.clear();
        assert_eq!(journal.bytes(), 0);
    }

    #[test]
    fn a_full_journal_drops_the_oldest_and_counts_it() {
        let mut journal = Journal::new(2);
        for seq in 1..=3 {
            journal.push(entry(seq, "999888"));
        }
        assert_eq!(journal.len(), 2);
        assert_eq!(journal.dropped(), 1);
        assert_eq!(journal.all()[0].seq, 2);
    }

    #[test]
    fn an_entry_someone_still_reads_is_never_overwritten() {
        let mut journal = Journal::new(2);
        journal.push(entry(1, "999888"));
        journal.push(entry(2, "999888"));
        let read = journal.all();
        for seq in 3..=6 {
            journal.push(entry(seq, "777666"));
        }
        let seqs =
            |entries: &[Arc<JournalEntry>]| entries.iter().map(|e| e.seq).collect::<Vec<_>>();
        assert_eq!(seqs(&read), [1, 2]);
        assert!(read.iter().all(|e| e.terminal.as_deref() == Some("999888")));
        assert_eq!(seqs(&journal.all()), [5, 6]);
        assert_eq!(journal.dropped(), 4);
    }

    #[test]
    fn the_filter_selects_by_terminal_and_limit() {
        let mut journal = Journal::new(10);
        journal.push(entry(1, "999888"));
        journal.push(entry(2, "777666"));
        journal.push(entry(3, "999888"));
        let page = journal.page(&JournalFilter {
            terminal: Some("999888".into()),
            limit: Some(1),
            ..JournalFilter::default()
        });
        assert_eq!(page.entries.len(), 1);
        assert_eq!(page.entries[0].seq, 3);
    }
}

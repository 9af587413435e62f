//! The journal retold as a story per client: the tasks it created and what it saw of each, its
//! token grants, the answers a fault replaced, the deep links it opened. The catalogue's cases
//! judge this story, never the raw journal.

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine as _;
use serde_json::Value;

use crate::clock::Millis;
use crate::domain::plan::PaymentResult;
use crate::domain::refusal::Refusal;
use crate::journal::JournalEntry;

/// What the store says a task's payment came to, by task id (the journal shows only what the
/// client read).
pub type Outcomes<'a> = &'a dyn Fn(&str) -> Option<(PaymentResult, Refusal)>;

/// Which requests a report covers: one client, one terminal, or all.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// OAuth client id (`clientID` / the Basic client of the token endpoint); `None`: all.
    pub client: Option<String>,
    /// Terminal id; `None`: all.
    pub terminal: Option<String>,
}

/// One request, as a piece of evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub seq: u64,
    pub time: Millis,
    pub method: &'static str,
    pub path: String,
    pub status: u16,
}

/// One poll of a task and its answer.
#[derive(Clone, Debug)]
pub struct Poll {
    pub seen: Seen,
    pub state: Option<String>,
    pub error_code: Option<u64>,
    pub error_message: String,
    pub fault: bool,
}

/// A task the client created (answered with its id).
#[derive(Clone, Debug)]
pub struct TaskStory {
    pub id: String,
    pub created: Seen,
    pub terminal: String,
    /// `SALE`, `CANCEL`, `REFUND`, … or `BATCH`.
    pub kind: String,
    pub amount: Option<i64>,
    pub reference: Option<String>,
    /// `LAST_TRANSACTION` or `OLDER_TRANSACTION` for a cancellation.
    pub cancel_mode: Option<String>,
    /// The amsID a cancellation names.
    pub origin: Option<String>,
    /// A master token named the terminal with `tid`.
    pub master: bool,
    pub transaction: Option<String>,
    pub polls: Vec<Poll>,
    /// Reads of this task's transaction after the task was created.
    pub reads: Vec<Seen>,
    /// Reads of this batch task's batch.
    pub batch_reads: Vec<Seen>,
    pub batch_number: Option<u64>,
}

impl TaskStory {
    /// The first poll that answered a final state.
    pub fn final_poll(&self) -> Option<&Poll> {
        self.polls
            .iter()
            .find(|poll| poll.state.as_deref().is_some_and(is_final))
    }

    /// Whether the client saw the task end in `state`.
    pub fn ended(&self, state: &str) -> bool {
        self.final_poll()
            .is_some_and(|poll| poll.state.as_deref() == Some(state))
    }

    /// Polls after the final one.
    pub fn polls_after_final(&self) -> Option<&Poll> {
        let first = self.final_poll()?.seen.seq;
        self.polls.iter().find(|poll| poll.seen.seq > first)
    }

    /// The transaction read after the task was seen final.
    pub fn read_after_final(&self) -> Option<&Seen> {
        let first = self.final_poll()?.seen.seq;
        self.reads.iter().find(|read| read.seq > first)
    }

    /// The batch read after the batch task was seen final.
    pub fn batch_read_after_final(&self) -> Option<&Seen> {
        let first = self.final_poll()?.seen.seq;
        self.batch_reads.iter().find(|read| read.seq > first)
    }
}

/// A creation that was not answered with a task: a fault, a lost answer, a refusal.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub seen: Seen,
    pub terminal: String,
    pub kind: String,
    pub reference: Option<String>,
    pub amount: Option<i64>,
    /// The scenario's fault replaced or cut the answer.
    pub fault: bool,
    pub retry_after: Option<u32>,
    /// The answer's body is not the JSON it claims to be (malformed, truncated, empty).
    pub unreadable: bool,
}

/// Any creation, answered with a task or not: what "paid again?" looks through.
#[derive(Clone, Copy, Debug)]
pub struct Creation<'a> {
    pub seen: &'a Seen,
    pub kind: &'a str,
    pub terminal: &'a str,
    pub reference: Option<&'a str>,
    pub amount: Option<i64>,
}

/// An OAuth grant request.
#[derive(Clone, Debug)]
pub struct Grant {
    pub seen: Seen,
    /// `password`, `refresh_token`, …
    pub grant_type: String,
    pub terminal: String,
}

/// A deep link the client opened.
#[derive(Clone, Debug)]
pub struct LinkStory {
    pub seen: Seen,
    /// `transaction/create`, `transaction/cancel`, `batch/close`, …
    pub operation: String,
    /// The answer's `status`: `COMPLETED`, `CANCELLED` (or its spelling), `ERROR`.
    pub status: String,
    /// The refusal word, when the answer has one.
    pub code: Option<String>,
    /// The receipt carried Dynamic Currency Conversion data (`dccData`).
    pub dcc: bool,
    /// The answer's error, as text.
    pub error: Option<String>,
    /// The link carried a `redirectUrl`, so its answer reached the caller.
    pub redirected: bool,
    /// What GP tom's app ignored or guessed in the link.
    pub notices: usize,
    /// The link as sent (the journal's copy), to spot an identical resend.
    pub url: String,
}

/// Everything the catalogue judges.
#[derive(Debug, Default)]
pub struct Story {
    pub tasks: Vec<TaskStory>,
    pub attempts: Vec<Attempt>,
    pub grants: Vec<Grant>,
    /// Requests answered 401 (with the terminal, when known).
    pub unauthorized: Vec<(Seen, String)>,
    pub links: Vec<LinkStory>,
    /// Settled outcomes of the tasks' payments, by task id.
    pub outcomes: HashMap<String, (PaymentResult, Refusal)>,
    /// Requests judged.
    pub requests: usize,
    /// Clients and terminals seen (for per-client reports).
    pub clients: Vec<String>,
    pub terminals: Vec<String>,
}

/// Whether a task state is final.
pub fn is_final(state: &str) -> bool {
    matches!(state, "COMPLETED" | "CANCELED" | "CANCELLED" | "ERROR")
}

fn seen(entry: &JournalEntry) -> Seen {
    Seen {
        seq: entry.seq,
        time: entry.time_ms,
        method: if entry.method.as_str() == "GET" {
            "GET"
        } else if entry.method.as_str() == "POST" {
            "POST"
        } else {
            "OTHER"
        },
        path: entry.path().to_owned(),
        status: entry.status,
    }
}

/// The OAuth client behind a request: the JWT's `client_id`, or the token endpoint's Basic
/// client or `client_id` field. Read without checking the signature: the mock checked it when
/// the request came, and a forged token names whom it pretends to be.
pub fn client_of(entry: &JournalEntry) -> Option<String> {
    let authorization = entry.authorization.as_deref().unwrap_or_default();
    if authorization.len() > 7 && authorization[..7].eq_ignore_ascii_case("bearer ") {
        return claim(entry, "client_id");
    }
    let engine = base64::engine::general_purpose::STANDARD;
    if let Some(basic) = authorization
        .strip_prefix("Basic ")
        .or_else(|| authorization.strip_prefix("basic "))
    {
        let bytes = engine.decode(basic.trim()).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        return Some(
            text.split_once(':')
                .map_or(text.clone(), |(id, _)| id.to_owned()),
        );
    }
    if entry.path().ends_with("/oauth/token") {
        return form_urlencoded::parse(&entry.request_body)
            .find(|(key, _)| key == "client_id")
            .map(|(_, value)| value.into_owned());
    }
    None
}

/// A claim of the request's bearer token, read without checking the signature (see
/// [`client_of`]).
fn claim(entry: &JournalEntry, name: &str) -> Option<String> {
    let authorization = entry.authorization.as_deref()?;
    let token = authorization.get(7..)?;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.get(name).and_then(Value::as_str).map(str::to_owned)
}

fn in_scope(entry: &JournalEntry, scope: &Scope) -> bool {
    if let Some(terminal) = &scope.terminal
        && entry.terminal.as_deref() != Some(terminal.as_str())
    {
        return false;
    }
    if let Some(client) = &scope.client
        && client_of(entry).as_deref() != Some(client.as_str())
    {
        return false;
    }
    true
}

fn json(bytes: &[u8]) -> Option<Value> {
    serde_json::from_slice(bytes).ok()
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

impl Story {
    /// Retells the journal (in order) for one scope; `outcomes` answers what the store settled.
    pub fn read(entries: &[Arc<JournalEntry>], scope: &Scope, outcomes: Outcomes<'_>) -> Story {
        let mut story = Story::default();
        let mut task_at: HashMap<String, usize> = HashMap::new();
        let mut transaction_task: HashMap<String, usize> = HashMap::new();
        let mut batch_task: HashMap<(String, u64), usize> = HashMap::new();
        for entry in entries {
            if let Some(client) = client_of(entry)
                && !story.clients.contains(&client)
            {
                story.clients.push(client);
            }
            if let Some(terminal) = entry.terminal.as_deref()
                && !story.terminals.iter().any(|known| known == terminal)
            {
                story.terminals.push(terminal.to_owned());
            }
            if !in_scope(entry, scope) {
                continue;
            }
            story.requests += 1;
            let path = entry.path();
            // A dropped or faulted answer carries no terminal: the token (or the body's `tid`) says.
            let terminal = entry
                .terminal
                .as_deref()
                .map(str::to_owned)
                .or_else(|| claim(entry, "tid"))
                .or_else(|| json(&entry.request_body).and_then(|body| text(&body, "tid")))
                .unwrap_or_default();
            if entry.status == 401 {
                story.unauthorized.push((seen(entry), terminal.clone()));
            }
            if path.ends_with("/oauth/token") {
                let grant_type = form_urlencoded::parse(&entry.request_body)
                    .find(|(key, _)| key == "grant_type")
                    .map(|(_, value)| value.into_owned())
                    .unwrap_or_default();
                story.grants.push(Grant {
                    seen: seen(entry),
                    grant_type,
                    terminal,
                });
                continue;
            }
            if path == "/app2app" {
                story.read_link(entry);
                continue;
            }
            let post = entry.method.as_str() == "POST";
            let get = entry.method.as_str() == "GET";
            if post && (path == "/v1/tasks/TRANSACTION" || path == "/v1/tasks/BATCH") {
                let request = json(&entry.request_body).unwrap_or(Value::Null);
                let response = json(&entry.response_body);
                let kind = if path.ends_with("BATCH") {
                    "BATCH".to_owned()
                } else {
                    text(&request, "transactionType").unwrap_or_default()
                };
                let task_id = response.as_ref().and_then(|body| text(body, "taskId"));
                match task_id {
                    Some(id) if entry.fault.is_none() && (200..300).contains(&entry.status) => {
                        let transaction = response
                            .as_ref()
                            .and_then(|body| text(body, "transactionId"));
                        let index = story.tasks.len();
                        if let Some(transaction) = &transaction {
                            transaction_task.insert(transaction.clone(), index);
                        }
                        if let Some(outcome) = outcomes(&id) {
                            story.outcomes.insert(id.clone(), outcome);
                        }
                        task_at.insert(id.clone(), index);
                        story.tasks.push(TaskStory {
                            id,
                            created: seen(entry),
                            terminal,
                            kind,
                            amount: request.get("amount").and_then(Value::as_i64),
                            reference: text(&request, "originReferenceNum"),
                            cancel_mode: text(&request, "cancelMode"),
                            origin: text(&request, "originTransactionID"),
                            master: entry.authorization.is_some()
                                && request.get("tid").is_some_and(|tid| !tid.is_null()),
                            transaction,
                            polls: Vec::new(),
                            reads: Vec::new(),
                            batch_reads: Vec::new(),
                            batch_number: None,
                        });
                    }
                    _ => story.attempts.push(Attempt {
                        seen: seen(entry),
                        terminal,
                        kind,
                        reference: text(&request, "originReferenceNum"),
                        amount: request.get("amount").and_then(Value::as_i64),
                        fault: entry.fault.is_some(),
                        retry_after: entry.retry_after,
                        unreadable: entry.fault.is_some()
                            && entry.status != 0
                            && (200..300).contains(&entry.status)
                            && response.is_none(),
                    }),
                }
                continue;
            }
            if get && let Some(id) = path.strip_prefix("/v1/tasks/") {
                let Some(index) = task_at.get(id).copied() else {
                    continue;
                };
                let response = json(&entry.response_body).unwrap_or(Value::Null);
                let error = response.get("error").filter(|error| !error.is_null());
                if story.tasks[index].transaction.is_none()
                    && let Some(transaction) = text(&response, "transactionId")
                {
                    transaction_task.insert(transaction.clone(), index);
                    story.tasks[index].transaction = Some(transaction);
                }
                if let Some(number) = response.get("batchNumber").and_then(Value::as_u64) {
                    let task = &mut story.tasks[index];
                    task.batch_number = Some(number);
                    batch_task.insert((task.terminal.clone(), number), index);
                }
                story.tasks[index].polls.push(Poll {
                    seen: seen(entry),
                    state: text(&response, "state"),
                    error_code: error
                        .and_then(|error| error.get("code"))
                        .and_then(Value::as_u64),
                    error_message: error
                        .and_then(|error| error.get("message"))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    fault: entry.fault.is_some(),
                });
                continue;
            }
            if get && let Some(id) = path.strip_prefix("/v1/transactions/") {
                if let Some(index) = transaction_task.get(id).copied() {
                    story.tasks[index].reads.push(seen(entry));
                }
                continue;
            }
            if get && let Some(number) = path.strip_prefix("/v1/batches/") {
                let number = number.parse::<u64>().unwrap_or(u64::MAX);
                if let Some(index) = batch_task.get(&(terminal.clone(), number)).copied() {
                    story.tasks[index].batch_reads.push(seen(entry));
                } else if let Some(index) = story
                    .tasks
                    .iter()
                    .rposition(|task| task.batch_number == Some(number))
                {
                    story.tasks[index].batch_reads.push(seen(entry));
                }
            }
        }
        story
    }

    fn read_link(&mut self, entry: &JournalEntry) {
        let url = entry
            .query()
            .and_then(|query| {
                form_urlencoded::parse(query.as_bytes())
                    .find(|(key, _)| key == "url")
                    .map(|(_, value)| value.into_owned())
            })
            .unwrap_or_default();
        let Some(response) = json(&entry.response_body) else {
            return;
        };
        let result = response.get("result").cloned().unwrap_or(Value::Null);
        self.links.push(LinkStory {
            seen: seen(entry),
            operation: text(&response, "operation").unwrap_or_default(),
            status: text(&result, "status").unwrap_or_default(),
            code: text(&result, "code"),
            dcc: result
                .get("receipt")
                .and_then(|receipt| receipt.get("dccData"))
                .is_some_and(|dcc| !dcc.is_null()),
            error: result
                .get("error")
                .filter(|error| !error.is_null())
                .map(Value::to_string),
            redirected: response
                .get("redirect")
                .is_some_and(|redirect| !redirect.is_null()),
            notices: result
                .get("notices")
                .and_then(Value::as_array)
                .map_or(0, Vec::len),
            url,
        });
    }

    /// Every creation, tasks and attempts alike (not in order).
    pub fn creations(&self) -> impl Iterator<Item = Creation<'_>> {
        let tasks = self.tasks.iter().map(|task| Creation {
            seen: &task.created,
            kind: &task.kind,
            terminal: &task.terminal,
            reference: task.reference.as_deref(),
            amount: task.amount,
        });
        let attempts = self.attempts.iter().map(|attempt| Creation {
            seen: &attempt.seen,
            kind: &attempt.kind,
            terminal: &attempt.terminal,
            reference: attempt.reference.as_deref(),
            amount: attempt.amount,
        });
        tasks.chain(attempts)
    }

    /// The settled outcome of a task's payment.
    pub fn outcome(&self, task: &TaskStory) -> Option<(PaymentResult, Refusal)> {
        self.outcomes.get(&task.id).copied()
    }
}

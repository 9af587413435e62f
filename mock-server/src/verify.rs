//! Contract checks on a client's behaviour, judged from the journal: does it poll sanely, stop
//! when the task is final, reuse its token, refresh once on a 401, never double-charge, cancel on
//! the right terminal, send only fields GP tom knows? Works for a client in any language.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::journal::JournalEntry;
pub use crate::scenario::VerifySettings;
use crate::wire::request::KNOWN_TRANSACTION_FIELDS;

/// One piece of evidence: a request of the journal.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Evidence {
    /// Journal sequence number.
    pub seq: u64,
    /// Method.
    pub method: String,
    /// Path.
    pub path: String,
    /// Answer status.
    pub status: u16,
    /// What is wrong with it.
    pub note: String,
}

/// One rule's verdict.
#[derive(Clone, Debug, Serialize)]
pub struct RuleResult {
    /// Stable id (`poll-interval`, …).
    pub id: &'static str,
    /// What it checks.
    pub title: &'static str,
    /// `passed`, `failed` or `skipped`.
    pub outcome: &'static str,
    /// The requests that break it.
    pub evidence: Vec<Evidence>,
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Whether no rule failed.
    pub passed: bool,
    /// Requests judged.
    pub requests: usize,
    /// Every rule.
    pub rules: Vec<RuleResult>,
}

const RULES: &[(&str, &str)] = &[
    (
        "poll-interval",
        "polls a task no faster than the minimum interval",
    ),
    (
        "stop-polling-when-final",
        "stops polling a task once it is final",
    ),
    (
        "transaction-after-completed",
        "reads a transaction only after its task reported it",
    ),
    (
        "token-reuse",
        "reuses the access token instead of logging in for every call",
    ),
    (
        "refresh-once-on-401",
        "reacts to a 401 by getting a new token, not by repeating the same token",
    ),
    (
        "no-double-sale",
        "never creates a second sale with the same reference while the first is unresolved",
    ),
    (
        "cancel-rules",
        "cancels on the terminal of the payment, LAST_TRANSACTION only right after the sale",
    ),
    ("known-fields", "sends only the fields GP tom knows"),
    (
        "deep-links-as-gptom-reads-them",
        "sends deep links GP tom's app reads as meant (nothing ignored or guessed, a redirect its SDK can classify)",
    ),
    (
        "valid-requests",
        "sends requests GP tom accepts (no 400 answers)",
    ),
];

fn evidence(entry: &JournalEntry, note: impl Into<String>) -> Evidence {
    Evidence {
        seq: entry.seq,
        method: entry.method.to_string(),
        path: entry.path().to_owned(),
        status: entry.status,
        note: note.into(),
    }
}

fn json_bytes(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

fn is_final(state: &str) -> bool {
    matches!(state, "COMPLETED" | "CANCELED" | "CANCELLED" | "ERROR")
}

/// Judges the journal.
#[must_use]
pub fn verify(entries: &[Arc<JournalEntry>], settings: &VerifySettings) -> Report {
    let mut findings: HashMap<&'static str, Vec<Evidence>> = HashMap::new();
    let mut fail = |rule: &'static str, entry: &JournalEntry, note: String| {
        findings
            .entry(rule)
            .or_default()
            .push(evidence(entry, note));
    };

    let mut last_poll: HashMap<String, i64> = HashMap::new();
    let mut final_seen: HashSet<String> = HashSet::new();
    let mut known_transactions: HashSet<String> = HashSet::new();
    let mut task_state: HashMap<String, String> = HashMap::new();
    let mut open_sales: HashMap<String, (String, u64)> = HashMap::new(); // reference -> (task, seq)
    let mut task_reference: HashMap<String, String> = HashMap::new();
    let mut ams_terminal: HashMap<String, String> = HashMap::new();
    let mut logins_per_terminal: HashMap<String, usize> = HashMap::new();
    let mut unauthorized_since_login: HashMap<String, bool> = HashMap::new();
    let mut rejected_tokens: HashSet<String> = HashSet::new();

    for entry in entries {
        let path = entry.path();
        let request = json_bytes(&entry.request_body);
        let response = json_bytes(&entry.response_body);
        let tid = entry.terminal.as_deref().unwrap_or_default().to_owned();

        if path.ends_with("/oauth/token") {
            let form: HashMap<String, String> = form_urlencoded::parse(&entry.request_body)
                .into_owned()
                .collect();
            if form.get("grant_type").map(String::as_str) == Some("password") && entry.status == 200
            {
                let count = logins_per_terminal.entry(tid.clone()).or_insert(0);
                *count += 1;
                let justified = unauthorized_since_login.get(&tid).copied().unwrap_or(false);
                if *count > 1 && !justified {
                    fail(
                        "token-reuse",
                        entry,
                        format!(
                            "password login #{count} for terminal {tid} while its token was still good"
                        ),
                    );
                }
                unauthorized_since_login.insert(tid.clone(), false);
            }
            if form.get("grant_type").map(String::as_str) == Some("refresh_token")
                && entry.status != 200
            {
                unauthorized_since_login.insert(tid, true);
            }
            continue;
        }

        if entry.status == 401 {
            let token = entry.authorization_masked().unwrap_or_default();
            if !token.is_empty() && !rejected_tokens.insert(token) {
                fail(
                    "refresh-once-on-401",
                    entry,
                    "the same rejected token was sent again".into(),
                );
            }
            if let Some(terminal) = &entry.terminal {
                unauthorized_since_login.insert(terminal.to_string(), true);
            } else {
                for value in unauthorized_since_login.values_mut() {
                    *value = true;
                }
            }
            continue;
        }

        if path == "/app2app" {
            let notices = response
                .get("result")
                .and_then(|result| result.get("notices"))
                .and_then(Value::as_array);
            for notice in notices.into_iter().flatten() {
                fail(
                    "deep-links-as-gptom-reads-them",
                    entry,
                    format!(
                        "`{}` {}",
                        notice
                            .get("parameter")
                            .and_then(Value::as_str)
                            .unwrap_or_default(),
                        notice
                            .get("message")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                    ),
                );
            }
            continue;
        }

        if entry.status == 400 && path.starts_with("/v1/") {
            let message = response
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("refused")
                .to_owned();
            fail("valid-requests", entry, message);
        }

        if entry.method.as_str() == "POST" && path == "/v1/tasks/TRANSACTION" {
            if let Value::Object(map) = &request {
                for key in map.keys() {
                    if !KNOWN_TRANSACTION_FIELDS.contains(&key.as_str()) {
                        let hint = KNOWN_TRANSACTION_FIELDS
                            .iter()
                            .min_by_key(|known| strsim::damerau_levenshtein(key, known))
                            .filter(|known| strsim::damerau_levenshtein(key, known) <= 2)
                            .map_or_else(String::new, |known| {
                                format!(" (did you mean `{known}`?)")
                            });
                        fail(
                            "known-fields",
                            entry,
                            format!("unknown field `{key}`{hint}"),
                        );
                    }
                }
            }
            let kind = request
                .get("transactionType")
                .and_then(Value::as_str)
                .unwrap_or("");
            let task_id = response
                .get("taskId")
                .and_then(Value::as_str)
                .map(str::to_owned);
            if kind == "SALE"
                && let Some(reference) = request.get("originReferenceNum").and_then(Value::as_str)
            {
                let unresolved = open_sales
                    .get(reference)
                    .filter(|(task, _)| task_state.get(task).is_none_or(|state| !is_final(state)));
                if let Some((task, seq)) = unresolved {
                    fail(
                        "no-double-sale",
                        entry,
                        format!(
                            "second sale with reference `{reference}` while task {task} (request #{seq}) was not known to be final"
                        ),
                    );
                }
                if let Some(task) = &task_id {
                    open_sales.insert(reference.to_owned(), (task.clone(), entry.seq));
                    task_reference.insert(task.clone(), reference.to_owned());
                } else if entry.status == 0 || entry.response_body.is_empty() {
                    open_sales.insert(
                        reference.to_owned(),
                        ("<unknown: answer lost>".into(), entry.seq),
                    );
                }
            }
            if kind == "CANCEL"
                && let Some(origin) = request.get("originTransactionID").and_then(Value::as_str)
                && let Some(owner) = ams_terminal.get(origin)
                && owner != &tid
            {
                fail(
                    "cancel-rules",
                    entry,
                    format!("cancels {origin} of terminal {owner} from terminal {tid}"),
                );
            }
            if let Some(task) = task_id {
                task_state.insert(
                    task,
                    response
                        .get("state")
                        .and_then(Value::as_str)
                        .unwrap_or("NEW")
                        .to_owned(),
                );
            }
            continue;
        }

        if entry.method.as_str() == "GET" && path.starts_with("/v1/tasks/") {
            let task = path.trim_start_matches("/v1/tasks/").to_owned();
            if final_seen.contains(&task) {
                fail(
                    "stop-polling-when-final",
                    entry,
                    format!("polled task {task} after it was final"),
                );
            }
            if let Some(previous) = last_poll.get(&task) {
                let gap = entry.time_ms.0 - previous;
                if gap < settings.min_poll_interval_ms {
                    fail(
                        "poll-interval",
                        entry,
                        format!(
                            "polled {gap} ms after the previous poll (minimum {} ms)",
                            settings.min_poll_interval_ms
                        ),
                    );
                }
            }
            last_poll.insert(task.clone(), entry.time_ms.0);
            if let Some(state) = response.get("state").and_then(Value::as_str) {
                task_state.insert(task.clone(), state.to_owned());
                if is_final(state) {
                    final_seen.insert(task.clone());
                    if let Some(reference) = task_reference.get(&task) {
                        open_sales.remove(reference);
                    }
                    if (state != "COMPLETED" || response.get("transactionId").is_some())
                        && let Some(transaction) =
                            response.get("transactionId").and_then(Value::as_str)
                    {
                        known_transactions.insert(transaction.to_owned());
                    }
                    if response
                        .get("error")
                        .and_then(|error| error.get("code"))
                        .and_then(Value::as_u64)
                        == Some(47)
                    {
                        fail(
                            "cancel-rules",
                            entry,
                            format!("task {task} ended 47: cancellation not allowed"),
                        );
                    }
                }
            }
            continue;
        }

        if entry.method.as_str() == "GET" && path.starts_with("/v1/transactions/") {
            let transaction = path.trim_start_matches("/v1/transactions/");
            if !known_transactions.contains(transaction) {
                fail(
                    "transaction-after-completed",
                    entry,
                    format!("read transaction {transaction} before any task reported it as final"),
                );
            }
            if let (Some(ams), Some(terminal)) = (
                response.get("amsID").and_then(Value::as_str),
                response.get("terminalID").and_then(Value::as_str),
            ) {
                ams_terminal.insert(ams.to_owned(), terminal.to_owned());
            }
        }
    }

    let rules: Vec<RuleResult> = RULES
        .iter()
        .map(|(id, title)| {
            let skipped = settings.disabled.iter().any(|disabled| disabled == id);
            let evidence = if skipped {
                Vec::new()
            } else {
                findings.remove(id).unwrap_or_default()
            };
            RuleResult {
                id,
                title,
                outcome: if skipped {
                    "skipped"
                } else if evidence.is_empty() {
                    "passed"
                } else {
                    "failed"
                },
                evidence,
            }
        })
        .collect();
    Report {
        passed: rules.iter().all(|rule| rule.outcome != "failed"),
        requests: entries.len(),
        rules,
    }
}

impl RuleResult {
    /// One line: the rule and its first violation, with how many more there are.
    #[must_use]
    pub fn headline(&self) -> String {
        let Some(first) = self.evidence.first() else {
            return format!("{}: {}", self.id, self.title);
        };
        let more = match self.evidence.len() - 1 {
            0 => String::new(),
            1 => " (and 1 more violation)".to_owned(),
            n => format!(" (and {n} more violations)"),
        };
        format!(
            "{}: {} (request #{} {} {} -> {}){more}",
            self.id, first.note, first.seq, first.method, first.path, first.status
        )
    }
}

impl Report {
    /// Human text: one line per rule, evidence indented.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        for rule in &self.rules {
            let mark = match rule.outcome {
                "passed" => "PASS",
                "failed" => "FAIL",
                _ => "SKIP",
            };
            text.push_str(&format!("{mark} {:<31} {}\n", rule.id, rule.title));
            for item in &rule.evidence {
                text.push_str(&format!(
                    "       #{} {} {} → {}: {}\n",
                    item.seq, item.method, item.path, item.status, item.note
                ));
            }
        }
        let failed = self
            .rules
            .iter()
            .filter(|rule| rule.outcome == "failed")
            .count();
        text.push_str(&format!(
            "{} passed, {failed} failed ({} requests judged)\n",
            self.rules
                .iter()
                .filter(|rule| rule.outcome == "passed")
                .count(),
            self.requests
        ));
        text
    }

    /// JUnit XML: one test case per rule, so CI shows each rule.
    #[must_use]
    pub fn to_junit(&self) -> String {
        let failures = self
            .rules
            .iter()
            .filter(|rule| rule.outcome == "failed")
            .count();
        let skipped = self
            .rules
            .iter()
            .filter(|rule| rule.outcome == "skipped")
            .count();
        // The rules judge a recorded journal: no time passes per rule, but CI viewers want the
        // attribute.
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"gptom-contract\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\">\n",
            self.rules.len()
        );
        for rule in &self.rules {
            xml.push_str(&format!(
                "  <testcase classname=\"gptom.contract\" name=\"{}: {}\" time=\"0\">\n",
                rule.id,
                escape(rule.title)
            ));
            match rule.outcome {
                "failed" => {
                    let details: Vec<String> = rule
                        .evidence
                        .iter()
                        .map(|item| {
                            format!(
                                "#{} {} {} -> {}: {}",
                                item.seq, item.method, item.path, item.status, item.note
                            )
                        })
                        .collect();
                    xml.push_str(&format!(
                        "    <failure message=\"{}\">{}</failure>\n",
                        escape(&rule.headline()),
                        escape(&details.join("\n"))
                    ));
                }
                "skipped" => xml.push_str("    <skipped/>\n"),
                _ => {}
            }
            xml.push_str("  </testcase>\n");
        }
        xml.push_str("</testsuite>\n");
        xml
    }
}

/// XML attribute and text escaping for the JUnit reports.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

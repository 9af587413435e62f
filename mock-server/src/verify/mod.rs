//! Contract checks on a client's behaviour, judged from the journal: does it poll sanely, stop
//! when the task is final, reuse its token, refresh once on a 401, never double-charge, cancel on
//! the right terminal, send only fields GP tom knows? Works for a client in any language.
//!
//! Invariant: a verdict comes from the journal alone (what the client sent and was answered), so
//! it can be given for a client in any language and re-given from a saved journal; each rule is
//! its own unit in `rules/`, and skipping one never changes another's verdict.

mod exchange;
mod report;
mod rules;

use std::sync::Arc;

use serde::Serialize;

use crate::journal::JournalEntry;
pub use crate::scenario::VerifySettings;
use exchange::Exchange;
pub(crate) use report::escape;

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

/// Judges the journal: every entry is read once and shown to every rule, in order.
#[must_use]
pub fn verify(entries: &[Arc<JournalEntry>], settings: &VerifySettings) -> Report {
    let mut rules = rules::all(settings);
    let mut findings: Vec<Vec<Evidence>> = rules.iter().map(|_| Vec::new()).collect();
    for entry in entries {
        let exchange = Exchange::read(entry);
        for (rule, found) in rules.iter_mut().zip(&mut findings) {
            rule.observe(&exchange, found);
        }
    }
    let rules: Vec<RuleResult> = rules
        .iter()
        .zip(findings)
        .map(|(rule, evidence)| {
            let skipped = settings
                .disabled
                .iter()
                .any(|disabled| disabled == rule.id());
            RuleResult {
                id: rule.id(),
                title: rule.title(),
                outcome: if skipped {
                    "skipped"
                } else if evidence.is_empty() {
                    "passed"
                } else {
                    "failed"
                },
                evidence: if skipped { Vec::new() } else { evidence },
            }
        })
        .collect();
    Report {
        passed: rules.iter().all(|rule| rule.outcome != "failed"),
        requests: entries.len(),
        rules,
    }
}

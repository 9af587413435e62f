//! Protocol coverage: which of GP tom's edge cases a client's test suite met, and how it handled
//! each — judged from the journal (and what the store settled), per client or terminal.
//!
//! `verify` asks "did the client break a rule in what it did?"; coverage asks "which of the
//! things GP tom can do to it has the suite never shown it?". The catalogue is in
//! [`catalogue::CASES`]; `scenarios/README.md` has the same table.

pub mod catalogue;
pub mod story;

use std::sync::Arc;

use serde::Serialize;

use crate::journal::JournalEntry;
use crate::verify::escape;
use catalogue::{CASES, Channel, Verdict};
use story::Story;
pub use story::{Outcomes, Scope};

/// One case's line of the report.
#[derive(Clone, Debug, Serialize)]
pub struct CaseResult {
    /// Stable id.
    pub id: &'static str,
    /// `cloud` or `app-to-app`.
    pub channel: Channel,
    /// What the case is.
    pub title: &'static str,
    /// `not-met`, `mishandled` or `handled`.
    pub status: &'static str,
    /// How to make the mock produce it.
    pub produce: &'static str,
    /// What handling it means.
    pub handled: &'static str,
    /// The first request that shows the status (none when not met).
    pub evidence: Option<CaseEvidence>,
}

/// The request behind a verdict.
#[derive(Clone, Debug, Serialize)]
pub struct CaseEvidence {
    /// Journal sequence number (`GET /__mock/requests?since=`).
    pub seq: u64,
    /// Method and path.
    pub request: String,
    /// Its answer's status (0: the connection was dropped).
    pub status: u16,
    /// What the client did.
    pub note: String,
}

/// The coverage report.
#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    /// The client the report is limited to, if any.
    pub client: Option<String>,
    /// The terminal the report is limited to, if any.
    pub terminal: Option<String>,
    /// Requests judged.
    pub requests: usize,
    /// Cases in the catalogue.
    pub total: usize,
    /// Cases handled.
    pub handled: usize,
    /// Cases met but mishandled.
    pub mishandled: usize,
    /// Cases never met.
    pub not_met: usize,
    /// Handled cases as a percentage of the catalogue (rounded down).
    pub percent: u32,
    /// Clients seen in the journal (ask `?client=` for one).
    pub clients: Vec<String>,
    /// Terminals seen in the journal (ask `?terminal=` for one).
    pub terminals: Vec<String>,
    /// Every case.
    pub cases: Vec<CaseResult>,
}

/// Judges the journal against the catalogue.
#[must_use]
pub fn coverage(entries: &[Arc<JournalEntry>], scope: &Scope, outcomes: Outcomes<'_>) -> Coverage {
    let story = Story::read(entries, scope, outcomes);
    let cases: Vec<CaseResult> = CASES
        .iter()
        .map(|case| {
            let (status, found) = match (case.judge)(&story) {
                Verdict::NotMet => ("not-met", None),
                Verdict::Handled(found) => ("handled", Some(found)),
                Verdict::Mishandled(found) => ("mishandled", Some(found)),
            };
            CaseResult {
                id: case.id,
                channel: case.channel,
                title: case.title,
                status,
                produce: case.produce,
                handled: case.handled,
                evidence: found.map(|found| CaseEvidence {
                    seq: found.seen.seq,
                    request: format!("{} {}", found.seen.method, found.seen.path),
                    status: found.seen.status,
                    note: found.note,
                }),
            }
        })
        .collect();
    let count = |status: &str| cases.iter().filter(|case| case.status == status).count();
    let handled = count("handled");
    Coverage {
        client: scope.client.clone(),
        terminal: scope.terminal.clone(),
        requests: story.requests,
        total: cases.len(),
        handled,
        mishandled: count("mishandled"),
        not_met: count("not-met"),
        percent: u32::try_from(handled * 100 / cases.len().max(1)).unwrap_or(100),
        clients: story.clients,
        terminals: story.terminals,
        cases,
    }
}

/// The catalogue as the Markdown table of `scenarios/README.md` (a test keeps the two equal).
#[must_use]
pub fn catalogue_markdown() -> String {
    let mut text = String::from(
        "| case | channel | what | produce it | handled means |\n|---|---|---|---|---|\n",
    );
    for case in CASES {
        let channel = case.channel.name();
        text.push_str(&format!(
            "| `{}` | {channel} | {} | {} | {} |\n",
            case.id,
            case.title.replace('|', "\\|"),
            case.produce.replace('|', "\\|"),
            case.handled.replace('|', "\\|")
        ));
    }
    text
}

impl Coverage {
    /// Human text: one line per case, what to do under each that is not handled.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        for case in &self.cases {
            let mark = match case.status {
                "handled" => "HANDLED   ",
                "mishandled" => "MISHANDLED",
                _ => "NOT MET   ",
            };
            text.push_str(&format!("{mark} {:<28} {}\n", case.id, case.title));
            match (&case.evidence, case.status) {
                (Some(evidence), "mishandled") => text.push_str(&format!(
                    "           #{} {} → {}: {}\n           handled means: {}\n",
                    evidence.seq, evidence.request, evidence.status, evidence.note, case.handled
                )),
                (None, _) => text.push_str(&format!("           produce it: {}\n", case.produce)),
                _ => {}
            }
        }
        text.push_str(&format!(
            "{} of {} cases handled ({} %), {} mishandled, {} not met ({} requests judged{})\n",
            self.handled,
            self.total,
            self.percent,
            self.mishandled,
            self.not_met,
            self.requests,
            self.scope_text()
        ));
        text
    }

    fn scope_text(&self) -> String {
        match (&self.client, &self.terminal) {
            (Some(client), Some(terminal)) => format!("; client {client}, terminal {terminal}"),
            (Some(client), None) => format!("; client {client}"),
            (None, Some(terminal)) => format!("; terminal {terminal}"),
            (None, None) => String::new(),
        }
    }

    /// Markdown: a table to paste into a pull request.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let mut text = format!(
            "**GP tom protocol coverage: {} of {} cases handled ({} %)**, {} mishandled, {} not met\n\n\
             | case | channel | status | evidence or how to produce it |\n|---|---|---|---|\n",
            self.handled, self.total, self.percent, self.mishandled, self.not_met
        );
        for case in &self.cases {
            let detail = match &case.evidence {
                Some(evidence) => format!(
                    "#{} `{}` → {}: {}",
                    evidence.seq, evidence.request, evidence.status, evidence.note
                ),
                None => format!("produce: {}", case.produce),
            };
            let mark = match case.status {
                "handled" => "✅ handled",
                "mishandled" => "❌ mishandled",
                _ => "⬜ not met",
            };
            let channel = case.channel.name();
            text.push_str(&format!(
                "| `{}` {} | {channel} | {mark} | {} |\n",
                case.id,
                case.title.replace('|', "\\|"),
                detail.replace('|', "\\|")
            ));
        }
        text
    }

    /// JUnit XML: one test case per edge case; mishandled fails, not met is skipped (with how
    /// to produce it).
    #[must_use]
    pub fn to_junit(&self) -> String {
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"gptom-coverage\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"0\">\n",
            self.total, self.mishandled, self.not_met
        );
        for case in &self.cases {
            xml.push_str(&format!(
                "  <testcase classname=\"gptom.coverage\" name=\"{}: {}\" time=\"0\">\n",
                case.id,
                escape(case.title)
            ));
            match (case.status, &case.evidence) {
                ("mishandled", Some(evidence)) => xml.push_str(&format!(
                    "    <failure message=\"{}\">#{} {} -> {}: {}\nhandled means: {}</failure>\n",
                    escape(&evidence.note),
                    evidence.seq,
                    escape(&evidence.request),
                    evidence.status,
                    escape(&evidence.note),
                    escape(case.handled)
                )),
                ("not-met", _) => xml.push_str(&format!(
                    "    <skipped message=\"not met; produce it: {}\"/>\n",
                    escape(case.produce)
                )),
                _ => {}
            }
            xml.push_str("  </testcase>\n");
        }
        xml.push_str("</testsuite>\n");
        xml
    }
}

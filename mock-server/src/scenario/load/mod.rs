//! YAML → validated [`Scenario`]. Every problem is reported with its line and column, all at
//! once, with a hint where one helps ("unknown key `amout`, did you mean `amount`?").

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use super::model::*;
use super::tree::{self, Node, NodeKind, Position};
use crate::clock::Millis;
use crate::domain::card::{CardBrand, CardChoice, EntryMode};
use crate::domain::refusal::Refusal;
use crate::domain::request::{CancelMode, PaymentMethod, TransactionType};

mod app;
mod expect;
mod faults;
mod rules;
mod seed;
mod terminals;

/// One problem in a scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where.
    pub position: Position,
    /// What, naming the key and the rule.
    pub message: String,
}

/// Every problem of one file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioError {
    /// The file (or `<request body>`).
    pub file: String,
    /// The problems, in file order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                writeln!(formatter)?;
            }
            write!(
                formatter,
                "{}:{}:{}: {}",
                self.file, problem.position.line, problem.position.column, problem.message
            )?;
        }
        Ok(())
    }
}

/// Reads and validates a scenario file.
pub fn load_file(path: &Path) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| ScenarioError {
        file: file.clone(),
        problems: vec![Problem {
            position: Position { line: 1, column: 1 },
            message: format!("cannot read the file: {error}"),
        }],
    })?;
    load_str(&file, &text)
}

/// Validates a scenario text; `file` names it in messages.
pub fn load_str(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let root = tree::parse(text).map_err(|error| ScenarioError {
        file: file.to_owned(),
        problems: vec![Problem {
            position: error.position,
            message: error.message,
        }],
    })?;
    let mut walker = Walker {
        problems: Vec::new(),
    };
    let scenario = walker.scenario(&root);
    match scenario {
        Some(mut scenario) if walker.problems.is_empty() => {
            scenario.source = Some(text.to_owned());
            Ok(scenario)
        }
        _ => {
            walker
                .problems
                .sort_by_key(|problem| (problem.position.line, problem.position.column));
            Err(ScenarioError {
                file: file.to_owned(),
                problems: walker.problems,
            })
        }
    }
}

struct Walker {
    problems: Vec<Problem>,
}

type Entries<'a> = &'a [(String, Position, Node)];

const TOP_KEYS: &[&str] = &[
    "version",
    "name",
    "description",
    "terminals",
    "timeline",
    "rules",
    "batch",
    "terminal_conditions",
    "tokens",
    "faults",
    "wire",
    "app",
    "initial",
    "expect",
    "verify",
];
const VERIFY_KEYS: &[&str] = &["min_poll_interval", "disable"];
const TIMELINE_KEYS: &[&str] = &["new", "in_progress"];
const RULE_KEYS: &[&str] = &["name", "when", "then", "timeline"];
const WHEN_KEYS: &[&str] = &[
    "amount",
    "tip",
    "currency",
    "payment_method",
    "transaction_type",
    "cancel_mode",
    "terminal",
    "reference",
    "nth",
];
const NUMBER_KEYS: &[&str] = &["exact", "one_of", "min", "max", "ends_with"];
const THEN_KEYS: &[&str] = &[
    "result",
    "refusal",
    "card",
    "task",
    "code",
    "message",
    "not_picked_up",
    "dcc",
];
const APP_KEYS: &[&str] = &["refusals"];
const APP_REFUSAL_KEYS: &[&str] = &["operation", "username", "tid", "error", "message"];
const DCC_KEYS: &[&str] = &["currency", "rate", "markup", "region", "status"];
const CARD_KEYS: &[&str] = &["brand", "entry_mode", "pin_verified"];
const NOT_PICKED_KEYS: &[&str] = &["after", "code", "message"];
const BATCH_KEYS: &[&str] = &["error", "timeline"];
const ERROR_KEYS: &[&str] = &["code", "message"];
const CONDITION_KEYS: &[&str] = &[
    "offline", "inactive", "busy", "currency", "timeline", "manual",
];
const TOKEN_KEYS: &[&str] = &[
    "access_ttl",
    "master_access_ttl",
    "refresh_ttl",
    "access_max_uses",
    "access_expires_at",
    "refresh",
];
const FAULT_KEYS: &[&str] = &[
    "name",
    "method",
    "path",
    "terminal",
    "first",
    "after",
    "probability",
    "respond",
    "latency",
    "drop",
    "malformed",
    "truncated",
    "empty",
];
const RESPOND_KEYS: &[&str] = &["status", "body", "retry_after"];
const WIRE_KEYS: &[&str] = &[
    "canceled_spelling",
    "create_status",
    "reference_max_length",
    "app_canceled_spelling",
    "app_mastercard_spelling",
    "app",
    "cloud_dcc_data",
];
const INITIAL_KEYS: &[&str] = &["terminals", "users", "transactions"];
const SEED_TERMINAL_KEYS: &[&str] = &["tid", "merchant_id", "currency", "name"];
const SEED_USER_KEYS: &[&str] = &["username", "password", "merchant_id", "master"];
const SEED_TRANSACTION_KEYS: &[&str] = &[
    "terminal",
    "amount",
    "tip",
    "age",
    "result",
    "payment_method",
    "reference",
    "ams_id",
];
const EXPECT_KEYS: &[&str] = &[
    "sale",
    "reference",
    "cancel",
    "close_batch",
    "advance",
    "refresh",
    "terminal",
    "status",
    "poll_status",
    "task",
    "result",
    "refusal",
    "error_code",
    "master",
    "elapsed_at_least",
    "batch_total_amount",
];

impl Walker {
    fn fail(&mut self, position: Position, message: impl Into<String>) {
        self.problems.push(Problem {
            position,
            message: message.into(),
        });
    }

    /// The entries of a mapping, reporting unknown keys (with a suggestion) and a wrong kind.
    fn mapping<'a>(&mut self, node: &'a Node, what: &str, allowed: &[&str]) -> Option<Entries<'a>> {
        let NodeKind::Mapping(entries) = &node.kind else {
            self.fail(
                node.position,
                format!("`{what}` must be a mapping, found {}", node.kind_name()),
            );
            return None;
        };
        for (key, position, _) in entries {
            if !allowed.contains(&key.as_str()) {
                let hint = suggest(key, allowed).map_or_else(
                    || format!("; allowed: {}", allowed.join(", ")),
                    |near| format!(", did you mean `{near}`?"),
                );
                self.fail(*position, format!("unknown key `{key}` in `{what}`{hint}"));
            }
        }
        Some(entries)
    }

    fn text(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.kind {
            NodeKind::Scalar { value, quoted } if *quoted || !tree::is_null(value) => {
                Some(value.clone())
            }
            _ => {
                self.fail(
                    node.position,
                    format!("`{what}` must be text, found {}", node.kind_name()),
                );
                None
            }
        }
    }

    fn integer(&mut self, node: &Node, what: &str, min: i64, max: i64) -> Option<i64> {
        let parsed = match &node.kind {
            NodeKind::Scalar {
                value,
                quoted: false,
            } => value.replace('_', "").parse::<i64>().ok(),
            _ => None,
        };
        match parsed {
            Some(number) if (min..=max).contains(&number) => Some(number),
            Some(number) => {
                self.fail(
                    node.position,
                    format!("`{what}` must be between {min} and {max}, found {number}"),
                );
                None
            }
            None => {
                let found = node
                    .scalar()
                    .map_or_else(|| node.kind_name().to_owned(), |text| format!("`{text}`"));
                self.fail(
                    node.position,
                    format!("`{what}` must be a whole number, found {found}"),
                );
                None
            }
        }
    }

    fn boolean(&mut self, node: &Node, what: &str) -> Option<bool> {
        match &node.kind {
            NodeKind::Scalar {
                value,
                quoted: false,
            } if value == "true" => Some(true),
            NodeKind::Scalar {
                value,
                quoted: false,
            } if value == "false" => Some(false),
            _ => {
                self.fail(node.position, format!("`{what}` must be true or false"));
                None
            }
        }
    }

    fn choice<T: Copy>(&mut self, node: &Node, what: &str, options: &[(&str, T)]) -> Option<T> {
        let text = self.text(node, what)?;
        if let Some((_, value)) = options.iter().find(|(name, _)| *name == text) {
            return Some(*value);
        }
        let names: Vec<&str> = options.iter().map(|(name, _)| *name).collect();
        let hint = suggest(&text, &names)
            .map_or_else(String::new, |near| format!(" (did you mean `{near}`?)"));
        self.fail(
            node.position,
            format!(
                "`{what}` must be one of {}, found `{text}`{hint}",
                names.join(", ")
            ),
        );
        None
    }

    /// `500ms`, `2s`, `3m`, `1h`, `92d`.
    fn duration(&mut self, node: &Node, what: &str) -> Option<i64> {
        let text = self.text(node, what)?;
        let parsed = parse_duration(&text);
        if parsed.is_none() {
            self.fail(
                node.position,
                format!(
                    "`{what}` must be a duration such as 500ms, 2s, 3m, 1h or 92d, found `{text}`"
                ),
            );
        }
        parsed
    }

    /// A duration, `N polls`, or `manual`.
    fn phase(&mut self, node: &Node, what: &str) -> Option<Phase> {
        let text = self.text(node, what)?;
        if text == "manual" {
            return Some(Phase::Manual);
        }
        if let Some(count) = text
            .strip_suffix(" polls")
            .or_else(|| text.strip_suffix(" poll"))
        {
            return match count.trim().parse::<u32>() {
                Ok(polls) if (1..=10_000).contains(&polls) => Some(Phase::Polls(polls)),
                _ => {
                    self.fail(
                        node.position,
                        format!("`{what}`: the number of polls must be 1..=10000, found `{count}`"),
                    );
                    None
                }
            };
        }
        match parse_duration(&text) {
            Some(ms) => Some(Phase::Millis(ms)),
            None => {
                self.fail(
                    node.position,
                    format!("`{what}` must be a duration (2s), a number of polls (3 polls) or manual, found `{text}`"),
                );
                None
            }
        }
    }

    fn texts(&mut self, node: &Node, what: &str) -> Option<Vec<String>> {
        match &node.kind {
            NodeKind::Sequence(items) => {
                let values: Vec<Option<String>> =
                    items.iter().map(|item| self.text(item, what)).collect();
                values.into_iter().collect()
            }
            _ => self.text(node, what).map(|text| vec![text]),
        }
    }

    fn scenario(&mut self, root: &Node) -> Option<Scenario> {
        let entries = self.mapping(root, "scenario", TOP_KEYS)?;
        let mut scenario = Scenario {
            name: String::new(),
            description: String::new(),
            rules: Vec::new(),
            ..Scenario::default()
        };
        let mut version_seen = false;
        let mut name_seen = false;
        for (key, _, value) in entries {
            match key.as_str() {
                "version" => {
                    version_seen = true;
                    if value.scalar() != Some("1") {
                        self.fail(
                            value.position,
                            "`version` must be 1 (the only format there is so far)",
                        );
                    }
                }
                "name" => {
                    name_seen = true;
                    if let Some(name) = self.text(value, "name") {
                        if name.is_empty() || name.len() > 80 {
                            self.fail(value.position, "`name` must be 1 to 80 characters");
                        }
                        scenario.name = name;
                    }
                }
                "description" => {
                    scenario.description = self.text(value, "description").unwrap_or_default()
                }
                "terminals" => scenario.terminals = self.texts(value, "terminals"),
                "timeline" => {
                    if let Some(timeline) = self.timeline(value, Timeline::default()) {
                        scenario.timeline = timeline;
                    }
                }
                "rules" => scenario.rules = self.rules(value, scenario.timeline),
                "batch" => scenario.batch = self.batch(value),
                "terminal_conditions" => scenario.terminal_conditions = self.conditions(value),
                "tokens" => scenario.tokens = self.tokens(value),
                "faults" => scenario.faults = self.faults(value),
                "wire" => scenario.wire = self.wire(value),
                "app" => scenario.app_refusals = self.app_section(value),
                "initial" => scenario.initial = self.initial(value),
                "expect" => scenario.expect = self.expectations(value),
                "verify" => {
                    if let Some(entries) = self.mapping(value, "verify", VERIFY_KEYS) {
                        for (key, _, value) in entries {
                            match key.as_str() {
                                "min_poll_interval" => {
                                    if let Some(ms) =
                                        self.duration(value, "verify.min_poll_interval")
                                    {
                                        scenario.verify.min_poll_interval_ms = ms;
                                    }
                                }
                                "disable" => {
                                    scenario.verify.disabled =
                                        self.texts(value, "verify.disable").unwrap_or_default()
                                }
                                _ => {}
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if !version_seen {
            self.fail(
                Position { line: 1, column: 1 },
                "missing key `version` (write `version: 1`)",
            );
        }
        if !name_seen {
            self.fail(Position { line: 1, column: 1 }, "missing key `name`");
        }
        Some(scenario)
    }
}

/// `500ms`, `2s`, `3m`, `1h`, `92d` in milliseconds.
#[must_use]
pub fn parse_duration(text: &str) -> Option<i64> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: i64 = number.parse().ok()?;
    let factor = match unit.trim() {
        "ms" => 1,
        "s" => 1_000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    number
        .checked_mul(factor)
        .filter(|ms| *ms <= 3_660 * 86_400_000)
}

fn default_message(code: u16) -> String {
    match code {
        42 => "Payment declined",
        43 => "PIN timeout or cancelled by customer",
        44 => "Transaction already cancelled",
        45 => "Cancellation period expired",
        47 => "Transaction not allowed",
        48 => "Batch declined",
        50 => "TID not active",
        62 => "Network unavailable",
        65 => "Transaction timeout",
        96 => "Cancelled by the app",
        _ => "Error",
    }
    .to_owned()
}

/// The allowed word nearest to `word`, if it is near enough to be a typo.
fn suggest<'a>(word: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|candidate| (strsim::damerau_levenshtein(word, candidate), *candidate))
        .filter(|(distance, candidate)| {
            *distance <= 2.max(candidate.len() / 4) && *distance < candidate.len()
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units_only() {
        assert_eq!(parse_duration("500ms"), Some(500));
        assert_eq!(parse_duration("2s"), Some(2_000));
        assert_eq!(parse_duration("92d"), Some(92 * 86_400_000));
        assert_eq!(parse_duration("2"), None);
        assert_eq!(parse_duration("s"), None);
        assert_eq!(parse_duration("99999999999999999d"), None);
    }

    #[test]
    fn a_typo_gets_a_suggestion() {
        assert_eq!(suggest("amout", WHEN_KEYS), Some("amount"));
        assert_eq!(suggest("zzzzzz", WHEN_KEYS), None);
    }
}

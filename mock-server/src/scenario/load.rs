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
];
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

    fn timeline(&mut self, node: &Node, base: Timeline) -> Option<Timeline> {
        let entries = self.mapping(node, "timeline", TIMELINE_KEYS)?;
        let mut timeline = base;
        for (key, _, value) in entries {
            match key.as_str() {
                "new" => {
                    if let Some(phase) = self.phase(value, "timeline.new") {
                        timeline.new = phase;
                    }
                }
                "in_progress" => {
                    if let Some(phase) = self.phase(value, "timeline.in_progress") {
                        timeline.in_progress = phase;
                    }
                }
                _ => {}
            }
        }
        if timeline.new == Phase::Manual {
            self.fail(
                node.position,
                "`timeline.new` cannot be manual; use `in_progress: manual`",
            );
        }
        Some(timeline)
    }

    fn rules(&mut self, node: &Node, base: Timeline) -> Vec<Rule> {
        let NodeKind::Sequence(items) = &node.kind else {
            self.fail(
                node.position,
                format!("`rules` must be a list, found {}", node.kind_name()),
            );
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| self.rule(item, base))
            .collect()
    }

    fn rule(&mut self, node: &Node, base: Timeline) -> Option<Rule> {
        let entries = self.mapping(node, "rules[]", RULE_KEYS)?;
        let mut rule = Rule {
            name: None,
            when: Matcher::default(),
            outcome: Outcome::approved(),
            timeline: None,
            card: CardChoice::default(),
        };
        let mut then_seen = false;
        for (key, _, value) in entries {
            match key.as_str() {
                "name" => rule.name = self.text(value, "rules[].name").map(std::sync::Arc::from),
                "when" => rule.when = self.matcher(value).unwrap_or_default(),
                "then" => {
                    then_seen = true;
                    if let Some((outcome, card)) = self.outcome(value) {
                        rule.outcome = outcome;
                        rule.card = card;
                    }
                }
                "timeline" => rule.timeline = self.timeline(value, base),
                _ => {}
            }
        }
        if !then_seen {
            self.fail(
                node.position,
                "a rule needs `then:` (what happens to matching requests)",
            );
        }
        Some(rule)
    }

    fn number_match(&mut self, node: &Node, what: &str) -> Option<NumberMatch> {
        match &node.kind {
            NodeKind::Scalar { .. } => self
                .integer(node, what, i64::MIN, i64::MAX)
                .map(NumberMatch::exact),
            NodeKind::Sequence(items) => {
                let values: Option<Vec<i64>> = items
                    .iter()
                    .map(|item| self.integer(item, what, i64::MIN, i64::MAX))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .collect();
                values.map(|values| NumberMatch {
                    one_of: Some(values),
                    ..NumberMatch::default()
                })
            }
            NodeKind::Mapping(_) => {
                let entries = self.mapping(node, what, NUMBER_KEYS)?;
                let mut matcher = NumberMatch::default();
                for (key, _, value) in entries {
                    let path = format!("{what}.{key}");
                    match key.as_str() {
                        "exact" => {
                            matcher.one_of = self
                                .integer(value, &path, i64::MIN, i64::MAX)
                                .map(|v| vec![v])
                        }
                        "one_of" => {
                            matcher.one_of = self
                                .number_match(value, &path)
                                .and_then(|inner| inner.one_of);
                        }
                        "min" => matcher.min = self.integer(value, &path, i64::MIN, i64::MAX),
                        "max" => matcher.max = self.integer(value, &path, i64::MIN, i64::MAX),
                        "ends_with" => {
                            let digits = value.scalar().unwrap_or_default().to_owned();
                            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                                self.fail(
                                    value.position,
                                    format!("`{path}` must be digits, e.g. \"22\""),
                                );
                            } else {
                                matcher.ends_with = Some(digits);
                            }
                        }
                        _ => {}
                    }
                }
                if let (Some(min), Some(max)) = (matcher.min, matcher.max)
                    && min > max
                {
                    self.fail(
                        node.position,
                        format!("`{what}`: min {min} is above max {max}"),
                    );
                }
                Some(matcher)
            }
        }
    }

    fn matcher(&mut self, node: &Node) -> Option<Matcher> {
        let entries = self.mapping(node, "when", WHEN_KEYS)?;
        let mut matcher = Matcher::default();
        for (key, _, value) in entries {
            match key.as_str() {
                "amount" => matcher.amount = self.number_match(value, "when.amount"),
                "tip" => matcher.tip = self.number_match(value, "when.tip"),
                "currency" => matcher.currency = self.texts(value, "when.currency"),
                "payment_method" => {
                    matcher.payment_method =
                        self.choice(value, "when.payment_method", &PaymentMethod::choices());
                }
                "transaction_type" => {
                    matcher.transaction_type = self.choice(
                        value,
                        "when.transaction_type",
                        &[
                            ("SALE", TransactionType::Sale),
                            ("CANCEL", TransactionType::Cancel),
                        ],
                    );
                }
                "cancel_mode" => {
                    matcher.cancel_mode = self.choice(
                        value,
                        "when.cancel_mode",
                        &[
                            ("LAST_TRANSACTION", CancelMode::LastTransaction),
                            ("OLDER_TRANSACTION", CancelMode::OlderTransaction),
                        ],
                    );
                }
                "terminal" => matcher.terminal = self.texts(value, "when.terminal"),
                "reference" => matcher.reference = self.text_match(value),
                "nth" => {
                    matcher.nth = match &value.kind {
                        NodeKind::Sequence(items) => items
                            .iter()
                            .map(|item| self.integer(item, "when.nth", 1, i64::from(u32::MAX)))
                            .collect::<Vec<_>>()
                            .into_iter()
                            .map(|n| n.and_then(|n| u32::try_from(n).ok()))
                            .collect(),
                        _ => self
                            .integer(value, "when.nth", 1, i64::from(u32::MAX))
                            .and_then(|n| u32::try_from(n).ok())
                            .map(|n| vec![n]),
                    };
                }
                _ => {}
            }
        }
        Some(matcher)
    }

    fn text_match(&mut self, node: &Node) -> Option<TextMatch> {
        if let NodeKind::Mapping(_) = &node.kind {
            let entries = self.mapping(node, "when.reference", &["exact", "regex"])?;
            let (key, _, value) = entries.first()?;
            let text = self.text(value, &format!("when.reference.{key}"))?;
            if key == "exact" {
                return Some(TextMatch::Exact(text));
            }
            return match regex_lite::RegexBuilder::new(&text)
                .size_limit(1 << 20)
                .build()
            {
                Ok(regex) => Some(TextMatch::Regex(regex)),
                Err(error) => {
                    self.fail(
                        value.position,
                        format!(
                            "`when.reference.regex` is not a valid regular expression: {error}"
                        ),
                    );
                    None
                }
            };
        }
        self.text(node, "when.reference").map(TextMatch::Exact)
    }

    fn outcome(&mut self, node: &Node) -> Option<(Outcome, CardChoice)> {
        let entries = self.mapping(node, "then", THEN_KEYS)?;
        let get = |name: &str| {
            entries
                .iter()
                .find(|(key, _, _)| key == name)
                .map(|(_, _, value)| value)
        };
        let mut card = CardChoice::default();
        if let Some(card_node) = get("card") {
            card = self.card(card_node).unwrap_or_default();
        }
        let code = get("code")
            .and_then(|value| self.integer(value, "then.code", 0, 999))
            .map(|c| c as u16);
        let message = get("message").and_then(|value| self.text(value, "then.message"));
        let kinds = ["result", "task", "not_picked_up"]
            .iter()
            .filter(|key| get(key).is_some())
            .count();
        if kinds != 1 {
            self.fail(node.position, "`then` needs exactly one of `result` (the payment), `task` (CANCELED or ERROR) or `not_picked_up`");
            return None;
        }
        if let Some(result_node) = get("result") {
            let result = self.choice(
                result_node,
                "then.result",
                &[
                    ("ACCEPTED", PaymentResult::Accepted),
                    ("DECLINED", PaymentResult::Declined),
                    ("CANCELLED", PaymentResult::Cancelled),
                ],
            )?;
            let refusal = match get("refusal") {
                Some(refusal_node) => self.refusal(refusal_node, "then.refusal")?,
                None if result == PaymentResult::Accepted => Refusal::Approved,
                None if result == PaymentResult::Declined => Refusal::Declined,
                None => Refusal::Unknown,
            };
            if result == PaymentResult::Accepted && !refusal.is_approved() {
                self.fail(node.position, format!("an ACCEPTED payment has refusal `approved` or `approvedRequiredIdentification`, not `{}`; remove `refusal` or change `result`", refusal.as_str()));
            }
            if result != PaymentResult::Accepted && refusal.is_approved() {
                self.fail(
                    node.position,
                    format!(
                        "a {} payment cannot have refusal `{}`",
                        result.as_str(),
                        refusal.as_str()
                    ),
                );
            }
            return Some((Outcome::Payment { result, refusal }, card));
        }
        if let Some(task_node) = get("task") {
            let kind = self.choice(
                task_node,
                "then.task",
                &[("CANCELED", true), ("CANCELLED", true), ("ERROR", false)],
            )?;
            return Some(if kind {
                let code = code.unwrap_or(43);
                (
                    Outcome::Canceled {
                        code,
                        message: message.unwrap_or_else(|| default_message(code)),
                    },
                    card,
                )
            } else {
                let Some(code) = code else {
                    self.fail(node.position, "`task: ERROR` needs `code` (e.g. 62, 65)");
                    return None;
                };
                (
                    Outcome::Error {
                        code,
                        message: message.unwrap_or_else(|| default_message(code)),
                    },
                    card,
                )
            });
        }
        let not_picked = get("not_picked_up")?;
        let entries = self.mapping(not_picked, "then.not_picked_up", NOT_PICKED_KEYS)?;
        let mut after_ms = 180_000;
        let mut code = 62;
        let mut message = None;
        for (key, _, value) in entries {
            match key.as_str() {
                "after" => after_ms = self.duration(value, "then.not_picked_up.after")?,
                "code" => code = self.integer(value, "then.not_picked_up.code", 0, 999)? as u16,
                "message" => message = self.text(value, "then.not_picked_up.message"),
                _ => {}
            }
        }
        Some((
            Outcome::NotPickedUp {
                after_ms,
                code,
                message: message.unwrap_or_else(|| default_message(code)),
            },
            card,
        ))
    }

    /// A refusal word of the SDK's `RefusalCode`, or the authoriser's numeric response code it
    /// groups (`76` is `insufficientFunds`).
    fn refusal(&mut self, node: &Node, what: &str) -> Option<Refusal> {
        if let NodeKind::Scalar {
            value,
            quoted: false,
        } = &node.kind
            && let Ok(code) = value.parse::<u16>()
        {
            let refusal = Refusal::from_code(code);
            if refusal == Refusal::Unknown {
                self.fail(
                    node.position,
                    format!("`{what}`: GP tom groups no refusal word under the numeric code {code}; write the word (e.g. `declined`) or a code such as 51 (expiredCard) or 76 (insufficientFunds)"),
                );
                return None;
            }
            return Some(refusal);
        }
        let options: Vec<(&str, Refusal)> = Refusal::ALL.iter().map(|r| (r.as_str(), *r)).collect();
        self.choice(node, what, &options)
    }

    fn card(&mut self, node: &Node) -> Option<CardChoice> {
        let entries = self.mapping(node, "then.card", CARD_KEYS)?;
        let mut card = CardChoice::default();
        for (key, _, value) in entries {
            match key.as_str() {
                "brand" => {
                    let options: Vec<(&str, CardBrand)> =
                        CardBrand::ALL.iter().map(|b| (b.as_str(), *b)).collect();
                    card.brand = self.choice(value, "then.card.brand", &options);
                }
                "entry_mode" => {
                    card.entry_mode = self.choice(
                        value,
                        "then.card.entry_mode",
                        &[
                            ("CONTACTLESS", EntryMode::Contactless),
                            ("CHIP", EntryMode::Chip),
                            ("MAGSTRIPE", EntryMode::Magstripe),
                            ("MANUAL", EntryMode::Manual),
                        ],
                    );
                }
                "pin_verified" => card.pin_ok = self.boolean(value, "then.card.pin_verified"),
                _ => {}
            }
        }
        Some(card)
    }

    fn batch(&mut self, node: &Node) -> BatchRule {
        let mut batch = BatchRule::default();
        let Some(entries) = self.mapping(node, "batch", BATCH_KEYS) else {
            return batch;
        };
        for (key, _, value) in entries {
            match key.as_str() {
                "error" => {
                    if let Some(entries) = self.mapping(value, "batch.error", ERROR_KEYS) {
                        let mut code = 48;
                        let mut message = None;
                        for (key, _, value) in entries {
                            match key.as_str() {
                                "code" => {
                                    code = self
                                        .integer(value, "batch.error.code", 0, 999)
                                        .unwrap_or(48)
                                        as u16
                                }
                                "message" => message = self.text(value, "batch.error.message"),
                                _ => {}
                            }
                        }
                        batch.error =
                            Some((code, message.unwrap_or_else(|| default_message(code))));
                    }
                }
                "timeline" => batch.timeline = self.timeline(value, Timeline::default()),
                _ => {}
            }
        }
        batch
    }

    fn conditions(&mut self, node: &Node) -> BTreeMap<String, TerminalCondition> {
        let mut conditions = BTreeMap::new();
        let NodeKind::Mapping(entries) = &node.kind else {
            self.fail(
                node.position,
                "`terminal_conditions` must be a mapping of TID to conditions",
            );
            return conditions;
        };
        for (tid, _, value) in entries {
            let what = format!("terminal_conditions.{tid}");
            let Some(fields) = self.mapping(value, &what, CONDITION_KEYS) else {
                continue;
            };
            let mut condition = TerminalCondition::default();
            for (key, _, value) in fields {
                let path = format!("{what}.{key}");
                match key.as_str() {
                    "offline" => condition.offline_ms = self.duration(value, &path),
                    "inactive" => condition.inactive = self.boolean(value, &path).unwrap_or(false),
                    "busy" => condition.busy_ms = self.duration(value, &path),
                    "currency" => {
                        if let Some(code) = self.text(value, &path) {
                            if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                                self.fail(
                                    value.position,
                                    format!("`{path}` must be three upper-case ISO 4217 letters"),
                                );
                            }
                            condition.currency = Some(code);
                        }
                    }
                    "timeline" => condition.timeline = self.timeline(value, Timeline::default()),
                    "manual" => condition.manual = self.boolean(value, &path).unwrap_or(false),
                    _ => {}
                }
            }
            conditions.insert(tid.clone(), condition);
        }
        conditions
    }

    fn tokens(&mut self, node: &Node) -> TokenPolicy {
        let mut policy = TokenPolicy::default();
        let Some(entries) = self.mapping(node, "tokens", TOKEN_KEYS) else {
            return policy;
        };
        for (key, _, value) in entries {
            let path = format!("tokens.{key}");
            let seconds = |ms: i64| (ms / 1000).max(1);
            match key.as_str() {
                "access_ttl" => {
                    policy.access_ttl_s = self
                        .duration(value, &path)
                        .map_or(policy.access_ttl_s, seconds)
                }
                "master_access_ttl" => {
                    policy.master_access_ttl_s = self
                        .duration(value, &path)
                        .map_or(policy.master_access_ttl_s, seconds);
                }
                "refresh_ttl" => {
                    policy.refresh_ttl_s = self
                        .duration(value, &path)
                        .map_or(policy.refresh_ttl_s, seconds)
                }
                "access_max_uses" => {
                    policy.access_max_uses =
                        self.integer(value, &path, 1, 1_000_000).map(|n| n as u32);
                }
                "access_expires_at" => {
                    let text = self.text(value, &path).unwrap_or_default();
                    match Millis::parse_iso(&text) {
                        Some(at) => policy.access_expire_at_ms = Some(at.0),
                        None => self.fail(
                            value.position,
                            format!(
                                "`{path}` must be an RFC 3339 instant, e.g. 2026-01-15T09:05:00Z"
                            ),
                        ),
                    }
                }
                "refresh" => {
                    if let Some(behaviour) = self.choice(
                        value,
                        &path,
                        &[
                            ("reuse", RefreshBehaviour::Reuse),
                            ("rotate", RefreshBehaviour::Rotate),
                            ("reject", RefreshBehaviour::Reject),
                        ],
                    ) {
                        policy.refresh = behaviour;
                    }
                }
                _ => {}
            }
        }
        policy
    }

    fn faults(&mut self, node: &Node) -> Vec<Fault> {
        let NodeKind::Sequence(items) = &node.kind else {
            self.fail(
                node.position,
                format!("`faults` must be a list, found {}", node.kind_name()),
            );
            return Vec::new();
        };
        items.iter().filter_map(|item| self.fault(item)).collect()
    }

    fn fault(&mut self, node: &Node) -> Option<Fault> {
        let entries = self.mapping(node, "faults[]", FAULT_KEYS)?;
        let mut fault = Fault {
            name: None,
            method: None,
            path: String::new(),
            terminal: None,
            first: None,
            after: 0,
            probability: None,
            action: FaultAction::Empty,
        };
        let mut actions = 0;
        let mut path_seen = false;
        for (key, _, value) in entries {
            let path = format!("faults[].{key}");
            match key.as_str() {
                "name" => fault.name = self.text(value, &path),
                "method" => {
                    fault.method = self
                        .choice(
                            value,
                            &path,
                            &[
                                ("GET", "GET"),
                                ("POST", "POST"),
                                ("PUT", "PUT"),
                                ("DELETE", "DELETE"),
                            ],
                        )
                        .map(str::to_owned);
                }
                "path" => {
                    path_seen = true;
                    if let Some(pattern) = self.text(value, &path) {
                        if !pattern.starts_with('/') {
                            self.fail(
                                value.position,
                                "`faults[].path` must start with `/` (a prefix may end in `*`)",
                            );
                        }
                        fault.path = pattern;
                    }
                }
                "terminal" => fault.terminal = self.texts(value, &path),
                "first" => fault.first = self.integer(value, &path, 1, 1_000_000).map(|n| n as u32),
                "after" => {
                    fault.after = self
                        .integer(value, &path, 0, 1_000_000)
                        .map_or(0, |n| n as u32)
                }
                "probability" => {
                    let text = value.scalar().unwrap_or_default();
                    match text.parse::<f64>() {
                        Ok(probability) if (0.0..=1.0).contains(&probability) => {
                            fault.probability = Some(probability)
                        }
                        _ => self.fail(
                            value.position,
                            format!("`{path}` must be a number from 0 to 1, found `{text}`"),
                        ),
                    }
                }
                "respond" => {
                    actions += 1;
                    fault.action = self.respond(value)?;
                }
                "latency" => {
                    actions += 1;
                    fault.action = FaultAction::Latency {
                        ms: self
                            .duration(value, &path)
                            .map_or(0, |ms| ms.clamp(0, 60_000) as u64),
                    };
                }
                "drop" | "malformed" | "truncated" | "empty" => {
                    actions += 1;
                    if self.boolean(value, &path) == Some(false) {
                        self.fail(
                            value.position,
                            format!("`{path}: false` does nothing; remove it"),
                        );
                    }
                    fault.action = match key.as_str() {
                        "drop" => FaultAction::Drop,
                        "malformed" => FaultAction::Malformed,
                        "truncated" => FaultAction::Truncated,
                        _ => FaultAction::Empty,
                    };
                }
                _ => {}
            }
        }
        if !path_seen {
            self.fail(
                node.position,
                "a fault needs `path` (e.g. /v1/tasks/* or /cloud/oauth/token)",
            );
        }
        if actions != 1 {
            self.fail(node.position, "a fault needs exactly one of `respond`, `latency`, `drop`, `malformed`, `truncated`, `empty`");
        }
        Some(fault)
    }

    fn respond(&mut self, node: &Node) -> Option<FaultAction> {
        let entries = self.mapping(node, "faults[].respond", RESPOND_KEYS)?;
        let mut status = None;
        let mut body = None;
        let mut retry_after = None;
        for (key, _, value) in entries {
            let path = format!("faults[].respond.{key}");
            match key.as_str() {
                "status" => status = self.integer(value, &path, 100, 599).map(|n| n as u16),
                "body" => body = self.text(value, &path),
                "retry_after" => {
                    retry_after = self.integer(value, &path, 0, 86_400).map(|n| n as u32)
                }
                _ => {}
            }
        }
        let Some(status) = status else {
            self.fail(node.position, "`faults[].respond` needs `status`");
            return None;
        };
        Some(FaultAction::Respond {
            status,
            body,
            retry_after,
        })
    }

    fn wire(&mut self, node: &Node) -> WireProfile {
        let mut wire = WireProfile::default();
        let Some(entries) = self.mapping(node, "wire", WIRE_KEYS) else {
            return wire;
        };
        for (key, _, value) in entries {
            match key.as_str() {
                "canceled_spelling" => {
                    if let Some(spelling) = self.choice(
                        value,
                        "wire.canceled_spelling",
                        &[
                            ("CANCELED", CanceledSpelling::Canceled),
                            ("CANCELLED", CanceledSpelling::Cancelled),
                        ],
                    ) {
                        wire.canceled_spelling = spelling;
                    }
                }
                "create_status" => {
                    if let Some(status) = self.choice(
                        value,
                        "wire.create_status",
                        &[("200", 200), ("201", 201), ("202", 202)],
                    ) {
                        wire.create_status = status;
                    }
                }
                "reference_max_length" => {
                    if let Some(length) = self.integer(
                        value,
                        "wire.reference_max_length",
                        1,
                        crate::domain::request::MAX_REFERENCE_LEN as i64,
                    ) {
                        wire.reference_max_length = length as u16;
                    }
                }
                "app_canceled_spelling" => {
                    if let Some(spelling) = self.choice(
                        value,
                        "wire.app_canceled_spelling",
                        &[
                            ("CANCELLED", CanceledSpelling::Cancelled),
                            ("CANCELED", CanceledSpelling::Canceled),
                        ],
                    ) {
                        wire.app_canceled_spelling = spelling;
                    }
                }
                "app_mastercard_spelling" => {
                    if let Some(spelling) = self.choice(
                        value,
                        "wire.app_mastercard_spelling",
                        &[
                            ("MASTERCARD", MastercardSpelling::Mastercard),
                            ("MASTER", MastercardSpelling::Master),
                        ],
                    ) {
                        wire.app_mastercard_spelling = spelling;
                    }
                }
                _ => {}
            }
        }
        wire
    }

    fn initial(&mut self, node: &Node) -> InitialData {
        let mut initial = InitialData::default();
        let Some(entries) = self.mapping(node, "initial", INITIAL_KEYS) else {
            return initial;
        };
        for (key, _, value) in entries {
            let NodeKind::Sequence(items) = &value.kind else {
                self.fail(value.position, format!("`initial.{key}` must be a list"));
                continue;
            };
            for item in items {
                match key.as_str() {
                    "terminals" => {
                        if let Some(terminal) = self.seed_terminal(item) {
                            initial.terminals.push(terminal);
                        }
                    }
                    "users" => {
                        if let Some(user) = self.seed_user(item) {
                            initial.users.push(user);
                        }
                    }
                    "transactions" => {
                        if let Some(transaction) = self.seed_transaction(item) {
                            initial.transactions.push(transaction);
                        }
                    }
                    _ => {}
                }
            }
        }
        initial
    }

    fn required<'a>(
        &mut self,
        node: &Node,
        entries: Entries<'a>,
        what: &str,
        key: &str,
    ) -> Option<&'a Node> {
        let found = entries
            .iter()
            .find(|(name, _, _)| name == key)
            .map(|(_, _, value)| value);
        if found.is_none() {
            self.fail(node.position, format!("`{what}` needs `{key}`"));
        }
        found
    }

    fn seed_terminal(&mut self, node: &Node) -> Option<crate::fixtures::Terminal> {
        let entries = self.mapping(node, "initial.terminals[]", SEED_TERMINAL_KEYS)?;
        let what = "initial.terminals[]";
        let tid = self
            .required(node, entries, what, "tid")
            .and_then(|v| self.text(v, "tid"));
        let merchant = self
            .required(node, entries, what, "merchant_id")
            .and_then(|v| self.text(v, "merchant_id"));
        let currency = self
            .required(node, entries, what, "currency")
            .and_then(|v| self.text(v, "currency"));
        let name = entries
            .iter()
            .find(|(key, _, _)| key == "name")
            .and_then(|(_, _, v)| self.text(v, "name"))
            .unwrap_or_default();
        Some(crate::fixtures::Terminal {
            tid: tid?,
            merchant_id: merchant?,
            currency: currency?,
            name,
            first_batch_number: 1,
        })
    }

    fn seed_user(&mut self, node: &Node) -> Option<crate::fixtures::User> {
        let entries = self.mapping(node, "initial.users[]", SEED_USER_KEYS)?;
        let what = "initial.users[]";
        let username = self
            .required(node, entries, what, "username")
            .and_then(|v| self.text(v, "username"));
        let password = self
            .required(node, entries, what, "password")
            .and_then(|v| self.text(v, "password"));
        let merchant = self
            .required(node, entries, what, "merchant_id")
            .and_then(|v| self.text(v, "merchant_id"));
        let master = entries
            .iter()
            .find(|(key, _, _)| key == "master")
            .and_then(|(_, _, v)| self.boolean(v, "master"))
            .unwrap_or(false);
        Some(crate::fixtures::User {
            username: username?,
            password: password?,
            merchant_id: merchant?,
            master,
        })
    }

    fn seed_transaction(&mut self, node: &Node) -> Option<SeedTransaction> {
        let entries = self.mapping(node, "initial.transactions[]", SEED_TRANSACTION_KEYS)?;
        let what = "initial.transactions[]";
        let terminal = self
            .required(node, entries, what, "terminal")
            .and_then(|v| self.text(v, "terminal"));
        let amount = self.required(node, entries, what, "amount").and_then(|v| {
            self.integer(
                v,
                "initial.transactions[].amount",
                1,
                crate::domain::request::MAX_AMOUNT,
            )
        });
        let mut seed = SeedTransaction {
            terminal: terminal.unwrap_or_default(),
            amount: amount.unwrap_or(1),
            tip: 0,
            age_ms: 0,
            result: PaymentResult::Accepted,
            payment_method: PaymentMethod::Card,
            reference: None,
            ams_id: None,
        };
        for (key, _, value) in entries {
            let path = format!("{what}.{key}");
            match key.as_str() {
                "tip" => {
                    seed.tip = self
                        .integer(value, &path, 0, crate::domain::request::MAX_AMOUNT)
                        .unwrap_or(0)
                }
                "age" => seed.age_ms = self.duration(value, &path).unwrap_or(0),
                "result" => {
                    seed.result = self
                        .choice(
                            value,
                            &path,
                            &[
                                ("ACCEPTED", PaymentResult::Accepted),
                                ("DECLINED", PaymentResult::Declined),
                            ],
                        )
                        .unwrap_or(PaymentResult::Accepted);
                }
                "payment_method" => {
                    seed.payment_method = self
                        .choice(value, &path, &PaymentMethod::choices())
                        .unwrap_or(PaymentMethod::Card);
                }
                "reference" => seed.reference = self.text(value, &path),
                "ams_id" => {
                    seed.ams_id = self.text(value, &path);
                    if seed
                        .ams_id
                        .as_deref()
                        .and_then(crate::domain::ids::parse_digits)
                        .is_none()
                    {
                        self.fail(value.position, format!("`{path}` must be 1 to 18 digits without a leading zero, e.g. \"900000000001\""));
                    }
                }
                _ => {}
            }
        }
        Some(seed)
    }

    fn expectations(&mut self, node: &Node) -> Vec<Expectation> {
        let NodeKind::Sequence(items) = &node.kind else {
            self.fail(node.position, "`expect` must be a list of steps");
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| self.expectation(item))
            .collect()
    }

    fn expectation(&mut self, node: &Node) -> Option<Expectation> {
        let entries = self.mapping(node, "expect[]", EXPECT_KEYS)?;
        let get = |name: &str| {
            entries
                .iter()
                .find(|(key, _, _)| key == name)
                .map(|(_, _, value)| value)
        };
        let steps = ["sale", "cancel", "close_batch", "advance", "refresh"]
            .iter()
            .filter(|key| get(key).is_some())
            .count();
        if steps != 1 {
            self.fail(node.position, "an `expect` step needs exactly one of `sale`, `cancel`, `close_batch`, `advance`, `refresh`");
            return None;
        }
        let step = if let Some(value) = get("sale") {
            ExpectStep::Sale {
                amount: self.integer(
                    value,
                    "expect[].sale",
                    1,
                    crate::domain::request::MAX_AMOUNT,
                )?,
                reference: get("reference")
                    .and_then(|value| self.text(value, "expect[].reference")),
            }
        } else if let Some(value) = get("cancel") {
            let text = self.text(value, "expect[].cancel")?;
            if text == "last" {
                ExpectStep::CancelLast
            } else {
                ExpectStep::CancelOlder { ams_id: text }
            }
        } else if get("close_batch").is_some() {
            ExpectStep::CloseBatch
        } else if let Some(value) = get("advance") {
            ExpectStep::Advance {
                ms: self.duration(value, "expect[].advance")?,
            }
        } else {
            ExpectStep::Refresh
        };
        let status = |walker: &mut Walker, key: &str| {
            get(key)
                .and_then(|value| walker.integer(value, &format!("expect[].{key}"), 0, 599))
                .map(|n| n as u16)
        };
        Some(Expectation {
            step,
            terminal: get("terminal").and_then(|value| self.text(value, "expect[].terminal")),
            status: status(self, "status"),
            poll_status: status(self, "poll_status"),
            task: get("task").and_then(|value| {
                self.choice(
                    value,
                    "expect[].task",
                    &[
                        ("COMPLETED", "COMPLETED"),
                        ("CANCELED", "CANCELED"),
                        ("CANCELLED", "CANCELLED"),
                        ("ERROR", "ERROR"),
                    ],
                )
                .map(str::to_owned)
            }),
            result: get("result").and_then(|value| {
                self.choice(
                    value,
                    "expect[].result",
                    &[
                        ("ACCEPTED", PaymentResult::Accepted),
                        ("DECLINED", PaymentResult::Declined),
                        ("CANCELLED", PaymentResult::Cancelled),
                    ],
                )
            }),
            refusal: get("refusal").and_then(|value| self.refusal(value, "expect[].refusal")),
            error_code: get("error_code")
                .and_then(|value| self.integer(value, "expect[].error_code", 0, 999))
                .map(|n| n as u16),
            master: get("master")
                .and_then(|value| self.boolean(value, "expect[].master"))
                .unwrap_or(false),
            elapsed_at_least_ms: get("elapsed_at_least")
                .and_then(|value| self.duration(value, "expect[].elapsed_at_least")),
            batch_total_amount: get("batch_total_amount").and_then(|value| {
                self.integer(value, "expect[].batch_total_amount", i64::MIN, i64::MAX)
            }),
        })
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

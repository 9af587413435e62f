//! The validated scenario model.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::card::CardChoice;
pub use crate::domain::plan::{
    AppProfile, CanceledSpelling, MastercardSpelling, Outcome, PaymentResult, Phase, Timeline,
    WireProfile,
};
use crate::domain::refusal::Refusal;
use crate::domain::request::{CancelMode, PaymentMethod, TransactionType};

/// A whole scenario.
#[derive(Clone, Debug, Serialize)]
pub struct Scenario {
    /// Short name (the file stem for files in `scenarios/`).
    pub name: String,
    /// What it reproduces.
    pub description: String,
    /// When set, the scenario applies only to these terminals; other terminals fall back to the
    /// next active scenario or to the default.
    pub terminals: Option<Vec<String>>,
    /// Timeline of every task no rule gives one to.
    pub timeline: Timeline,
    /// Rules for transaction tasks; the first that matches wins.
    pub rules: Vec<Rule>,
    /// What closing a batch does.
    pub batch: BatchRule,
    /// Terminal conditions by TID.
    pub terminal_conditions: BTreeMap<String, TerminalCondition>,
    /// Token lifetimes and misbehaviour.
    pub tokens: TokenPolicy,
    /// HTTP faults, checked in order for every request.
    pub faults: Vec<Fault>,
    /// Spellings and statuses public docs leave open.
    pub wire: WireProfile,
    /// What the simulated GP tom app refuses (deep links): login and device-setup errors, …
    pub app_refusals: Vec<crate::domain::app::ScriptedRefusal>,
    /// Data added when the scenario is activated.
    pub initial: InitialData,
    /// What the scenario promises (for tests).
    pub expect: Vec<Expectation>,
    /// How `/__mock/verify` judges clients.
    pub verify: VerifySettings,
    /// The YAML it was loaded from (`None` for the built-in default).
    #[serde(skip)]
    pub source: Option<String>,
}

/// Which requests a rule applies to; every given condition must hold.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Matcher {
    /// Amount conditions.
    pub amount: Option<NumberMatch>,
    /// Tip conditions.
    pub tip: Option<NumberMatch>,
    /// Currency letters.
    pub currency: Option<Vec<String>>,
    /// Payment method.
    pub payment_method: Option<PaymentMethod>,
    /// SALE or CANCEL.
    pub transaction_type: Option<TransactionType>,
    /// Cancel mode.
    pub cancel_mode: Option<CancelMode>,
    /// Terminal IDs.
    pub terminal: Option<Vec<String>>,
    /// `originReferenceNum`.
    pub reference: Option<TextMatch>,
    /// The n-th transaction task of the terminal (1-based), any of these.
    pub nth: Option<Vec<u32>>,
}

/// A condition on an integer field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NumberMatch {
    /// Equal to one of these.
    pub one_of: Option<Vec<i64>>,
    /// At least.
    pub min: Option<i64>,
    /// At most.
    pub max: Option<i64>,
    /// The decimal representation ends with these digits.
    pub ends_with: Option<String>,
}

impl NumberMatch {
    /// Whether `value` fulfils every condition.
    #[must_use]
    #[inline]
    pub fn matches(&self, value: i64) -> bool {
        self.one_of.as_ref().is_none_or(|set| set.contains(&value))
            && self.min.is_none_or(|min| value >= min)
            && self.max.is_none_or(|max| value <= max)
            && self
                .ends_with
                .as_ref()
                .is_none_or(|suffix| value.to_string().ends_with(suffix.as_str()))
    }

    /// Exactly `value`.
    #[must_use]
    pub fn exact(value: i64) -> Self {
        NumberMatch {
            one_of: Some(vec![value]),
            ..NumberMatch::default()
        }
    }
}

/// A condition on a text field.
#[derive(Clone, Debug, Serialize)]
pub enum TextMatch {
    /// Equal.
    Exact(String),
    /// Matches the regular expression (anchored as written).
    #[serde(serialize_with = "serialize_regex")]
    Regex(regex_lite::Regex),
}

fn serialize_regex<S: serde::Serializer>(
    regex: &regex_lite::Regex,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(regex.as_str())
}

impl TextMatch {
    /// Whether `text` fulfils the condition.
    #[must_use]
    pub fn matches(&self, text: &str) -> bool {
        match self {
            TextMatch::Exact(expected) => expected == text,
            TextMatch::Regex(regex) => regex.is_match(text),
        }
    }
}

/// What happens to a matching transaction task.
#[derive(Clone, Debug, Serialize)]
pub struct Rule {
    /// Optional label shown in the journal and state.
    pub name: Option<std::sync::Arc<str>>,
    /// Which requests.
    pub when: Matcher,
    /// The result.
    pub outcome: Outcome,
    /// Overrides the scenario's timeline.
    pub timeline: Option<Timeline>,
    /// Card data to use.
    #[serde(skip)]
    pub card: CardChoice,
}

/// What closing a batch does.
#[derive(Clone, Debug, Default, Serialize)]
pub struct BatchRule {
    /// `Some`: the close ends `ERROR` with this code and message (48 = batch declined).
    pub error: Option<(u16, String)>,
    /// Overrides the scenario's timeline for batch tasks.
    pub timeline: Option<Timeline>,
}

/// A terminal's condition.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TerminalCondition {
    /// Offline: tasks stay `NEW` this long, then `ERROR` 62.
    pub offline_ms: Option<i64>,
    /// Inactive: tasks end `ERROR` 50 at once.
    pub inactive: bool,
    /// Busy with something else for this long after the scenario is activated.
    pub busy_ms: Option<i64>,
    /// Another currency than the fixtures give it.
    pub currency: Option<crate::domain::currency::CurrencyCode>,
    /// Overrides the timeline for this terminal.
    pub timeline: Option<Timeline>,
    /// Manual: tasks wait at `IN_PROGRESS` for a decision.
    pub manual: bool,
}

/// Token lifetimes and misbehaviour.
#[derive(Clone, Debug, Serialize)]
pub struct TokenPolicy {
    /// Terminal access tokens, seconds.
    pub access_ttl_s: i64,
    /// Master-account access tokens, seconds.
    pub master_access_ttl_s: i64,
    /// Refresh tokens, seconds.
    pub refresh_ttl_s: i64,
    /// An access token is refused after this many uses.
    pub access_max_uses: Option<u32>,
    /// Every access token is refused from this virtual instant (ms since epoch).
    pub access_expire_at_ms: Option<i64>,
    /// What the refresh grant does.
    pub refresh: RefreshBehaviour,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        TokenPolicy {
            access_ttl_s: 3_600,
            master_access_ttl_s: 86_399,
            refresh_ttl_s: 90 * 86_400,
            access_max_uses: None,
            access_expire_at_ms: None,
            refresh: RefreshBehaviour::Reuse,
        }
    }
}

/// What the refresh grant does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RefreshBehaviour {
    /// The same refresh token is returned and stays valid (Spring's default).
    Reuse,
    /// A new refresh token is returned; the used one is dead (single use).
    Rotate,
    /// Every refresh token is refused (`invalid_grant`).
    Reject,
}

/// An HTTP fault.
#[derive(Clone, Debug, Serialize)]
pub struct Fault {
    /// Optional label.
    pub name: Option<String>,
    /// HTTP method, any when `None`.
    pub method: Option<String>,
    /// Path pattern: exact, or a prefix ending in `*`.
    pub path: String,
    /// Only for requests of these terminals (by token or body).
    pub terminal: Option<Vec<String>>,
    /// Only the first N matching requests.
    pub first: Option<u32>,
    /// Skip this many matching requests before the fault starts.
    pub after: u32,
    /// Probability per matching request under the seed.
    pub probability: Option<f64>,
    /// What happens.
    pub action: FaultAction,
}

/// What a fault does.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FaultAction {
    /// Answer this status and body instead of handling the request.
    Respond {
        /// HTTP status.
        status: u16,
        /// Body (JSON text or plain).
        body: Option<String>,
        /// `Retry-After` seconds.
        retry_after: Option<u32>,
    },
    /// Handle the request normally, after this delay (real time).
    Latency {
        /// Delay.
        ms: u64,
    },
    /// Handle the request, then close the connection without answering.
    Drop,
    /// Handle the request, then answer a body that is not valid JSON.
    Malformed,
    /// Handle the request, then answer only the first half of the body.
    Truncated,
    /// Handle the request, then answer 200 with an empty body.
    Empty,
}

impl Default for Scenario {
    fn default() -> Self {
        let amount_rule =
            |name: &str, amount: i64, outcome: Outcome, timeline: Option<Timeline>| Rule {
                name: Some(name.into()),
                when: Matcher {
                    amount: Some(NumberMatch::exact(amount)),
                    transaction_type: Some(TransactionType::Sale),
                    ..Matcher::default()
                },
                outcome,
                timeline,
                card: CardChoice::default(),
            };
        Scenario {
            name: "default".into(),
            description: "GP tom's simulator: 1111 approved, 1122 declined, 1123 times out (ERROR 65 after 120 s), \
                          1124 fails technically (ERROR 99); every other amount approved."
                .into(),
            terminals: None,
            app_refusals: Vec::new(),
            timeline: Timeline::default(),
            rules: vec![
                amount_rule("test amount 1111: approved", 1111, Outcome::approved(), None),
                amount_rule(
                    "test amount 1122: declined",
                    1122,
                    Outcome::Payment {
                        result: PaymentResult::Declined,
                        refusal: Refusal::Declined,
                    },
                    None,
                ),
                amount_rule(
                    "test amount 1123: transaction timeout",
                    1123,
                    Outcome::Error {
                        code: 65,
                        message: "Transaction timeout".into(),
                    },
                    Some(Timeline {
                        new: Phase::Millis(500),
                        in_progress: Phase::Millis(120_000),
                    }),
                ),
                amount_rule(
                    "test amount 1124: technical failure",
                    1124,
                    Outcome::Error {
                        code: 99,
                        message: "Technical error".into(),
                    },
                    None,
                ),
            ],
            batch: BatchRule::default(),
            terminal_conditions: BTreeMap::new(),
            tokens: TokenPolicy::default(),
            faults: Vec::new(),
            wire: WireProfile::default(),
            initial: InitialData::default(),
            expect: Vec::new(),
            verify: VerifySettings::default(),
            source: None,
        }
    }
}

/// Data a scenario adds at activation.
#[derive(Clone, Debug, Default, Serialize)]
pub struct InitialData {
    /// Extra terminals.
    pub terminals: Vec<crate::fixtures::Terminal>,
    /// Extra users.
    pub users: Vec<crate::fixtures::User>,
    /// Transactions recorded in the past.
    pub transactions: Vec<SeedTransaction>,
}

/// A transaction that already happened when the scenario starts.
#[derive(Clone, Debug, Serialize)]
pub struct SeedTransaction {
    /// Terminal.
    pub terminal: String,
    /// Minor units.
    pub amount: i64,
    /// Tip.
    pub tip: i64,
    /// How long ago, milliseconds.
    pub age_ms: i64,
    /// Result.
    pub result: PaymentResult,
    /// CARD or CASH.
    pub payment_method: PaymentMethod,
    /// The integrator's reference.
    pub reference: Option<String>,
    /// A fixed amsID so tests can cancel it; generated when absent.
    pub ams_id: Option<String>,
}

/// What a scenario promises: steps run through HTTP and what each must show. The engine ignores
/// it; the scenario tests and the harness run it.
#[derive(Clone, Debug, Serialize)]
pub struct Expectation {
    /// What to do.
    pub step: ExpectStep,
    /// On which terminal (default: the scenario's first bound terminal or 999888).
    pub terminal: Option<String>,
    /// HTTP status of the request that starts the step.
    pub status: Option<u16>,
    /// HTTP status of the first poll of the task.
    pub poll_status: Option<u16>,
    /// Final task state.
    pub task: Option<String>,
    /// Transaction result.
    pub result: Option<PaymentResult>,
    /// Refusal word.
    pub refusal: Option<Refusal>,
    /// Task error code.
    pub error_code: Option<u16>,
    /// Act as the master account (the body names the terminal).
    pub master: bool,
    /// Virtual time from the request to the final state is at least this (ms).
    pub elapsed_at_least_ms: Option<i64>,
    /// A closed batch's `totalAmount`.
    pub batch_total_amount: Option<i64>,
}

/// One step of an expectation.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ExpectStep {
    /// A SALE of this amount.
    Sale {
        /// Amount.
        amount: i64,
        /// Reference.
        reference: Option<String>,
    },
    /// A CANCEL of the terminal's last transaction.
    CancelLast,
    /// A CANCEL of the transaction with this amsID.
    CancelOlder {
        /// amsID.
        ams_id: String,
    },
    /// A batch close.
    CloseBatch,
    /// Move the clock.
    Advance {
        /// Milliseconds.
        ms: i64,
    },
    /// A refresh grant with the current refresh token.
    Refresh,
}

/// How the rules are tuned (the scenario's `verify:` section).
#[derive(Clone, Debug, Serialize)]
pub struct VerifySettings {
    /// Polls of one task closer than this (virtual ms) fail `poll-interval`.
    pub min_poll_interval_ms: i64,
    /// Rules switched off by id.
    pub disabled: Vec<String>,
}

impl Default for VerifySettings {
    fn default() -> Self {
        VerifySettings {
            min_poll_interval_ms: 500,
            disabled: Vec::new(),
        }
    }
}

//! The scenario engine: turns a request into a task [`Plan`].

use super::model::{Matcher, Outcome, Phase, Scenario, Timeline};
use crate::domain::card::CardChoice;
use crate::domain::request::TransactionRequest;
use crate::domain::task::Plan;

/// What the engine knows of the request besides its body.
#[derive(Clone, Copy, Debug)]
pub struct RequestFacts<'a> {
    /// Terminal ID.
    pub tid: &'a str,
    /// The terminal's currency (after scenario conditions).
    pub currency: &'a str,
    /// 1-based position among the terminal's transaction tasks.
    pub ordinal: u32,
}

impl Matcher {
    /// Whether every given condition holds for the request.
    #[must_use]
    pub fn matches(&self, request: &TransactionRequest, facts: RequestFacts<'_>) -> bool {
        let amount_ok = self
            .amount
            .as_ref()
            .is_none_or(|amount| request.amount.is_some_and(|value| amount.matches(value)));
        amount_ok
            && self
                .tip
                .as_ref()
                .is_none_or(|tip| tip.matches(request.tip_amount))
            && self
                .currency
                .as_ref()
                .is_none_or(|codes| codes.contains(&request.currency_code))
            && self
                .payment_method
                .is_none_or(|method| method == request.payment_method)
            && self
                .transaction_type
                .is_none_or(|kind| kind == request.transaction_type)
            && self
                .cancel_mode
                .is_none_or(|mode| request.cancel_mode == Some(mode))
            && self
                .terminal
                .as_ref()
                .is_none_or(|tids| tids.iter().any(|tid| tid == facts.tid))
            && self.reference.as_ref().is_none_or(|reference| {
                request
                    .origin_reference_num
                    .as_deref()
                    .is_some_and(|text| reference.matches(text))
            })
            && self
                .nth
                .as_ref()
                .is_none_or(|positions| positions.contains(&facts.ordinal))
    }
}

impl Scenario {
    /// Whether the scenario applies to a terminal.
    #[must_use]
    pub fn applies_to(&self, tid: &str) -> bool {
        self.terminals
            .as_ref()
            .is_none_or(|tids| tids.iter().any(|bound| bound == tid))
    }

    /// The timeline of a terminal's tasks when no rule sets one.
    fn base_timeline(&self, tid: &str) -> Timeline {
        self.terminal_conditions
            .get(tid)
            .and_then(|condition| condition.timeline)
            .unwrap_or(self.timeline)
    }

    fn condition_plan(&self, tid: &str) -> Option<Plan> {
        let condition = self.terminal_conditions.get(tid)?;
        if condition.inactive {
            return Some(Plan {
                new: Phase::Millis(0),
                in_progress: None,
                outcome: Outcome::Error {
                    code: 50,
                    message: "TID not active".into(),
                },
                card: CardChoice::default(),
                rule: Some("terminal inactive".into()),
            });
        }
        if let Some(after_ms) = condition.offline_ms {
            return Some(Plan {
                new: Phase::Millis(after_ms),
                in_progress: None,
                outcome: Outcome::Error {
                    code: 62,
                    message: "Network unavailable: the terminal is offline".into(),
                },
                card: CardChoice::default(),
                rule: Some("terminal offline".into()),
            });
        }
        None
    }

    /// The plan of a transaction task.
    #[must_use]
    pub fn plan_transaction(&self, request: &TransactionRequest, facts: RequestFacts<'_>) -> Plan {
        let base = self.base_timeline(facts.tid);
        if let Some(plan) = self.condition_plan(facts.tid) {
            return plan;
        }
        let manual = self
            .terminal_conditions
            .get(facts.tid)
            .is_some_and(|condition| condition.manual);
        // First matching rule wins; a request no rule matches gets GP tom's test-amount behaviour.
        let rule = self
            .rules
            .iter()
            .chain(default_rules().iter())
            .find(|rule| rule.when.matches(request, facts));
        let (outcome, timeline, card, name) = match rule {
            Some(rule) => (
                rule.outcome.clone(),
                rule.timeline.unwrap_or(base),
                rule.card.clone(),
                rule.name.clone(),
            ),
            None => (Outcome::approved(), base, CardChoice::default(), None),
        };
        finish_plan(outcome, timeline, card, name, manual)
    }

    /// The plan of a batch close.
    #[must_use]
    pub fn plan_batch(&self, tid: &str) -> Plan {
        let base = self
            .batch
            .timeline
            .unwrap_or_else(|| self.base_timeline(tid));
        if let Some(plan) = self.condition_plan(tid) {
            return plan;
        }
        let outcome = match &self.batch.error {
            Some((code, message)) => Outcome::Error {
                code: *code,
                message: message.clone(),
            },
            None => Outcome::approved(),
        };
        finish_plan(outcome, base, CardChoice::default(), None, false)
    }
}

fn default_rules() -> &'static [super::model::Rule] {
    static DEFAULT: std::sync::OnceLock<Scenario> = std::sync::OnceLock::new();
    &DEFAULT.get_or_init(Scenario::default).rules
}

fn finish_plan(
    outcome: Outcome,
    timeline: Timeline,
    card: CardChoice,
    rule: Option<std::sync::Arc<str>>,
    manual: bool,
) -> Plan {
    match outcome {
        Outcome::NotPickedUp { after_ms, .. } => Plan {
            new: Phase::Millis(after_ms),
            in_progress: None,
            outcome,
            card,
            rule,
        },
        _ => Plan {
            new: timeline.new,
            in_progress: Some(if manual {
                Phase::Manual
            } else {
                timeline.in_progress
            }),
            outcome,
            card,
            rule,
        },
    }
}

//! The scenario engine: turns a request into a task [`Plan`].

use super::model::{Matcher, Outcome, Phase, Scenario, Timeline};
use crate::domain::card::CardChoice;
use crate::domain::request::{TransactionRequest, TransactionType};
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
    /// Whether `amount` is one the rule could match: a quick look at the rule's list of
    /// amounts, which most rules are (GP tom's test amounts), before [`Matcher::matches`].
    #[inline]
    #[must_use]
    pub fn may_match_amount(&self, amount: Option<i64>) -> bool {
        match self
            .amount
            .as_ref()
            .and_then(|amount| amount.one_of.as_deref())
        {
            Some(amounts) => amount.is_some_and(|amount| amounts.contains(&amount)),
            None => true,
        }
    }

    /// Whether every given condition holds for the request.
    #[must_use]
    pub fn matches(&self, request: &TransactionRequest, facts: RequestFacts<'_>) -> bool {
        // The cheap comparisons first: every request is tried against every rule until one
        // matches (the order changes nothing but the cost).
        self.transaction_type
            .is_none_or(|kind| kind == request.transaction_type)
            && self
                .payment_method
                .is_none_or(|method| method == request.payment_method)
            && self
                .cancel_mode
                .is_none_or(|mode| request.cancel_mode == Some(mode))
            && self
                .amount
                .as_ref()
                .is_none_or(|amount| request.amount.is_some_and(|value| amount.matches(value)))
            && self
                .tip
                .as_ref()
                .is_none_or(|tip| tip.matches(request.tip_amount))
            && self
                .currency
                .as_ref()
                .is_none_or(|codes| codes.iter().any(|code| request.currency_code == *code))
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
            .chain(fallback_rules(request).iter())
            .find(|rule| {
                rule.when.may_match_amount(request.amount) && rule.when.matches(request, facts)
            });
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

/// GP tom's test-amount rules (the default scenario's), tried after a scenario's own.
struct Fallback {
    rules: Vec<super::model::Rule>,
    /// When every one of them asks for a SALE of one of some amounts: those amounts (a request
    /// for any other cannot match one of them, and skips them all).
    only_sales_of: Option<Vec<i64>>,
}

impl Fallback {
    fn new() -> Self {
        let rules = Scenario::default().rules;
        let only_sales_of = rules.iter().try_fold(Vec::new(), |mut amounts, rule| {
            if rule.when.transaction_type != Some(TransactionType::Sale) {
                return None;
            }
            amounts.extend(rule.when.amount.as_ref()?.one_of.as_ref()?);
            Some(amounts)
        });
        Fallback {
            rules,
            only_sales_of,
        }
    }
}

/// The default rules `request` could match: all of them, or none when its type or amount
/// rules every one out.
fn fallback_rules(request: &TransactionRequest) -> &'static [super::model::Rule] {
    static FALLBACK: std::sync::OnceLock<Fallback> = std::sync::OnceLock::new();
    let fallback = FALLBACK.get_or_init(Fallback::new);
    match &fallback.only_sales_of {
        Some(amounts)
            if request.transaction_type != TransactionType::Sale
                || !request
                    .amount
                    .is_some_and(|amount| amounts.contains(&amount)) =>
        {
            &[]
        }
        _ => &fallback.rules,
    }
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::request::{CancelMode, CurrencyCode, PaymentMethod};

    fn request(
        kind: TransactionType,
        amount: Option<i64>,
        method: PaymentMethod,
    ) -> TransactionRequest {
        TransactionRequest {
            transaction_type: kind,
            amount,
            tip_amount: 0,
            tip_collect: false,
            currency_code: CurrencyCode::parse("CZK").expect("a code"),
            payment_method: method,
            origin_reference_num: None,
            print_by_payment_app: false,
            preferable_receipt_type: None,
            cancel_mode: (kind == TransactionType::Cancel).then_some(CancelMode::LastTransaction),
            extras: None,
        }
    }

    #[test]
    fn the_test_amounts_are_told_apart_without_trying_each_rule() {
        let fallback = Fallback::new();
        assert_eq!(fallback.only_sales_of, Some(vec![1111, 1122, 1123, 1124]));
        let sale = |amount| request(TransactionType::Sale, Some(amount), PaymentMethod::Card);
        assert_eq!(fallback_rules(&sale(1122)).len(), 4);
        assert!(fallback_rules(&sale(1000)).is_empty());
        assert!(
            fallback_rules(&request(
                TransactionType::Cancel,
                Some(1122),
                PaymentMethod::Card
            ))
            .is_empty()
        );
    }

    proptest! {
        #[test]
        fn a_default_rule_left_out_never_matches(
            cancel in any::<bool>(),
            amount in prop_oneof![
                prop::sample::select(vec![1110, 1111, 1122, 1123, 1124, 1125, 4350]).prop_map(Some),
                any::<i64>().prop_map(Some),
                Just(None),
            ],
            method in prop::sample::select(PaymentMethod::choices().map(|(_, method)| method).to_vec()),
            ordinal in 1u32..5,
        ) {
            let kind = if cancel { TransactionType::Cancel } else { TransactionType::Sale };
            let request = request(kind, amount, method);
            let facts = RequestFacts { tid: "999888", currency: "CZK", ordinal };
            let tried = fallback_rules(&request);
            for rule in &Scenario::default().rules {
                if rule.when.matches(&request, facts) {
                    prop_assert!(tried.iter().any(|kept| kept.name == rule.name));
                    prop_assert!(rule.when.may_match_amount(request.amount));
                }
            }
        }
    }
}

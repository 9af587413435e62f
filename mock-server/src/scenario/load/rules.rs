//! Rules: timelines, conditions on a request, outcomes, refusal words, card data, batch closes.

use super::*;
use crate::domain::currency::CurrencyCode;
use crate::domain::dcc::{
    DCC_CURRENCIES, DccOffer, DccStatus, MAX_MARKUP_DECIMALS, MAX_RATE_DECIMALS, exponent_of,
    parse_decimal,
};

impl Walker {
    pub(super) fn timeline(&mut self, node: &Node, base: Timeline) -> Option<Timeline> {
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

    pub(super) fn rules(&mut self, node: &Node, base: Timeline) -> Vec<Rule> {
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

    pub(super) fn rule(&mut self, node: &Node, base: Timeline) -> Option<Rule> {
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

    pub(super) fn number_match(&mut self, node: &Node, what: &str) -> Option<NumberMatch> {
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

    pub(super) fn matcher(&mut self, node: &Node) -> Option<Matcher> {
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

    pub(super) fn text_match(&mut self, node: &Node) -> Option<TextMatch> {
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

    pub(super) fn outcome(&mut self, node: &Node) -> Option<(Outcome, CardChoice)> {
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
        if let Some(dcc_node) = get("dcc") {
            card.dcc = self.dcc(dcc_node).map(Box::new);
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
    pub(super) fn refusal(&mut self, node: &Node, what: &str) -> Option<Refusal> {
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

    pub(super) fn card(&mut self, node: &Node) -> Option<CardChoice> {
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

    /// `then.dcc`: a foreign card offered Dynamic Currency Conversion. Every key has a default
    /// (EUR at 24.385, markup 3.5 %, region 1, ACCEPTED), so `dcc: {}` is an accepted offer.
    pub(super) fn dcc(&mut self, node: &Node) -> Option<DccOffer> {
        let entries = self.mapping(node, "then.dcc", DCC_KEYS)?;
        let mut offer = DccOffer {
            currency: CurrencyCode::parse("EUR")?,
            exponent: 2,
            rate: "24.385".into(),
            markup: "3.5".into(),
            region: 1,
            status: DccStatus::Accepted,
        };
        let mut valid = true;
        for (key, _, value) in entries {
            match key.as_str() {
                "currency" => {
                    let options: Vec<(&str, &str)> = DCC_CURRENCIES
                        .iter()
                        .map(|(code, _)| (*code, *code))
                        .collect();
                    match self.choice(value, "then.dcc.currency", &options) {
                        Some(code) => {
                            offer.currency = CurrencyCode::parse(code)?;
                            offer.exponent = exponent_of(code).unwrap_or(2);
                        }
                        None => valid = false,
                    }
                }
                "rate" | "markup" => {
                    let what = format!("then.dcc.{key}");
                    let decimals = if key == "rate" {
                        MAX_RATE_DECIMALS
                    } else {
                        MAX_MARKUP_DECIMALS
                    };
                    let text = match &value.kind {
                        NodeKind::Scalar { value: text, .. } => Some(text.clone()),
                        _ => None,
                    };
                    match text
                        .as_deref()
                        .map(|text| (text, parse_decimal(text, decimals)))
                    {
                        Some((text, Ok((mantissa, _)))) if key == "markup" || mantissa > 0 => {
                            if key == "rate" {
                                offer.rate = text.into();
                            } else {
                                offer.markup = text.into();
                            }
                        }
                        Some((_, Ok(_))) => {
                            self.fail(value.position, format!("`{what}` must be greater than 0: terminal-currency units per one card-currency unit, e.g. 24.385"));
                            valid = false;
                        }
                        Some((_, Err(error))) => {
                            self.fail(value.position, format!("`{what}`: {}", error.0));
                            valid = false;
                        }
                        None => {
                            self.fail(
                                value.position,
                                format!(
                                    "`{what}` must be a decimal number, e.g. 3.5, found {}",
                                    value.kind_name()
                                ),
                            );
                            valid = false;
                        }
                    }
                }
                "region" => match self.integer(value, "then.dcc.region", 0, 9) {
                    Some(region) => offer.region = region as u8,
                    None => valid = false,
                },
                "status" => {
                    let options: Vec<(&str, DccStatus)> = DccStatus::ALL
                        .iter()
                        .map(|status| (status.as_str(), *status))
                        .collect();
                    match self.choice(value, "then.dcc.status", &options) {
                        Some(status) => offer.status = status,
                        None => valid = false,
                    }
                }
                _ => {}
            }
        }
        valid.then_some(offer)
    }

    pub(super) fn batch(&mut self, node: &Node) -> BatchRule {
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
}

//! What a client sends: requests GP tom accepts, only fields it knows, deep links its app reads
//! as meant.

use serde_json::Value;

use super::Rule;
use crate::verify::Evidence;
use crate::verify::exchange::{Exchange, Kind};
use crate::wire::request::KNOWN_TRANSACTION_FIELDS;

/// `known-fields`: a transaction request names only GP tom's fields (a near miss gets a hint).
pub struct KnownFields;

impl Rule for KnownFields {
    fn id(&self) -> &'static str {
        "known-fields"
    }

    fn title(&self) -> &'static str {
        "sends only the fields GP tom knows"
    }

    fn observe(&mut self, exchange: &Exchange<'_>, findings: &mut Vec<Evidence>) {
        let (Kind::CreateTransaction, Value::Object(map)) = (&exchange.kind, &exchange.request)
        else {
            return;
        };
        for key in map.keys() {
            if KNOWN_TRANSACTION_FIELDS.contains(&key.as_str()) {
                continue;
            }
            let hint = KNOWN_TRANSACTION_FIELDS
                .iter()
                .min_by_key(|known| strsim::damerau_levenshtein(key, known))
                .filter(|known| strsim::damerau_levenshtein(key, known) <= 2)
                .map_or_else(String::new, |known| format!(" (did you mean `{known}`?)"));
            findings.push(exchange.evidence(format!("unknown field `{key}`{hint}")));
        }
    }
}

/// `deep-links-as-gptom-reads-them`: every notice the simulated app gave about a link.
pub struct DeepLinksAsGptomReadsThem;

impl Rule for DeepLinksAsGptomReadsThem {
    fn id(&self) -> &'static str {
        "deep-links-as-gptom-reads-them"
    }

    fn title(&self) -> &'static str {
        "sends deep links GP tom's app reads as meant (nothing ignored or guessed, a redirect its SDK can classify)"
    }

    fn observe(&mut self, exchange: &Exchange<'_>, findings: &mut Vec<Evidence>) {
        if !matches!(exchange.kind, Kind::DeepLink) {
            return;
        }
        let notices = exchange
            .response
            .get("result")
            .and_then(|result| result.get("notices"))
            .and_then(Value::as_array);
        for notice in notices.into_iter().flatten() {
            let text = |field| {
                notice
                    .get(field)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            };
            findings.push(exchange.evidence(format!(
                "`{}` {}",
                text("parameter"),
                text("message")
            )));
        }
    }
}

/// `valid-requests`: no Cloud API request answered 400.
pub struct ValidRequests;

impl Rule for ValidRequests {
    fn id(&self) -> &'static str {
        "valid-requests"
    }

    fn title(&self) -> &'static str {
        "sends requests GP tom accepts (no 400 answers)"
    }

    fn observe(&mut self, exchange: &Exchange<'_>, findings: &mut Vec<Evidence>) {
        if matches!(
            exchange.kind,
            Kind::Token { .. } | Kind::Unauthorized | Kind::DeepLink
        ) {
            return;
        }
        if exchange.entry.status == 400 && exchange.path.starts_with("/v1/") {
            let message = exchange.answered("message").unwrap_or("refused");
            findings.push(exchange.evidence(message));
        }
    }
}

//! The control plane's bodies read into the domain's values with the wire's one kit: a manual
//! decision (`POST /__mock/tasks/{id}/decide`) and a clock advance (`POST /__mock/clock/advance`).

use serde_json::Value;

use super::fields::Fields;
use crate::domain::card::{CardBrand, CardChoice, EntryMode};
use crate::domain::plan::{Outcome, PaymentResult};
use crate::domain::refusal::Refusal;
use crate::domain::request::FieldError;

/// The longest clock advance: ten years.
pub const MAX_ADVANCE_MS: i64 = 10 * 366 * 86_400_000;

/// The body must be an object.
fn object(body: &Value) -> Result<&serde_json::Map<String, Value>, Vec<FieldError>> {
    body.as_object()
        .ok_or_else(|| vec![FieldError::new("$", "the body must be a JSON object")])
}

/// A manual decision: how the task ends, and the card it is paid with.
pub fn read_decision(body: &Value) -> Result<(Outcome, CardChoice), Vec<FieldError>> {
    let mut fields = Fields::new(object(body)?);
    let refusal = fields.word(
        "refusal",
        Refusal::parse,
        "must be a GP tom refusal word such as insufficientFunds",
    );
    let code = fields
        .whole("code", 0, 999, "must be an integer 0..=999")
        .and_then(|code| u16::try_from(code).ok());
    let message = fields.text("message").map(str::to_owned);
    const OUTCOMES: &str = "must be one of approve, decline, customer_cancel, pin_timeout, error";
    let outcome = match fields.text("outcome") {
        Some("approve") => Some(Outcome::approved()),
        Some("decline") => Some(Outcome::Payment {
            result: PaymentResult::Declined,
            refusal: refusal
                .filter(|word| *word != Refusal::Approved)
                .unwrap_or(Refusal::Declined),
        }),
        Some("customer_cancel") => Some(Outcome::Canceled {
            code: code.unwrap_or(43),
            message: message.unwrap_or_else(|| "Cancelled by customer".into()),
        }),
        Some("pin_timeout") => Some(Outcome::Canceled {
            code: code.unwrap_or(43),
            message: message.unwrap_or_else(|| "PIN entry timeout".into()),
        }),
        Some("error") => Some(Outcome::Error {
            code: code.unwrap_or(62),
            message: message.unwrap_or_else(|| "Error".into()),
        }),
        Some(_) => {
            fields.fail("outcome", OUTCOMES);
            None
        }
        None if fields.present("outcome").is_none() => {
            fields.fail("outcome", OUTCOMES);
            None
        }
        None => None,
    };
    let brand = fields.choice(
        "brand",
        &CardBrand::ALL.map(|brand| (brand.as_str(), brand)),
    );
    let entry_mode = fields.choice(
        "entryMode",
        &EntryMode::ALL.map(|mode| (mode.as_str(), mode)),
    );
    let pin_ok = fields.boolean("pinVerified");
    let card = CardChoice {
        brand,
        entry_mode,
        pin_ok,
        dcc: None,
    };
    fields.finish(outcome.map(|outcome| (outcome, card)))
}

/// A clock advance: the sum of the units given, in milliseconds.
pub fn read_advance(body: &Value) -> Result<i64, Vec<FieldError>> {
    const UNITS: [(&str, i64); 5] = [
        ("milliseconds", 1),
        ("seconds", 1_000),
        ("minutes", 60_000),
        ("hours", 3_600_000),
        ("days", 86_400_000),
    ];
    let object = object(body)?;
    let mut total_ms: i64 = 0;
    let mut errors = Vec::new();
    let mut given = false;
    for (name, factor) in UNITS {
        let Some(value) = object.get(name) else {
            continue;
        };
        given = true;
        match value.as_i64() {
            Some(amount) if amount >= 0 && amount.saturating_mul(factor) <= MAX_ADVANCE_MS => {
                total_ms = total_ms.saturating_add(amount * factor);
            }
            Some(_) => errors.push(FieldError::new(name, "must be between 0 and ten years")),
            None => errors.push(FieldError::new(name, "must be a non-negative integer")),
        }
    }
    for key in object.keys() {
        if !UNITS.iter().any(|(name, _)| name == key) {
            errors.push(FieldError::new(
                key.clone(),
                "unknown field; use seconds, milliseconds, minutes, hours or days",
            ));
        }
    }
    if !given && errors.is_empty() {
        errors.push(FieldError::new(
            "$",
            "name at least one of milliseconds, seconds, minutes, hours, days",
        ));
    }
    if total_ms > MAX_ADVANCE_MS {
        errors.push(FieldError::new("$", "the total must be at most ten years"));
    }
    if errors.is_empty() {
        Ok(total_ms)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_decision_names_every_broken_field() {
        let errors = read_decision(&json!({"outcome": "maybe", "refusal": "nope", "code": 1000,
            "brand": "DINERS", "entryMode": 3, "pinVerified": "yes"}))
        .expect_err("broken");
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "refusal",
                "code",
                "outcome",
                "brand",
                "entryMode",
                "pinVerified"
            ]
        );
        let errors = read_decision(&json!({})).expect_err("no outcome");
        assert_eq!(errors[0].field, "outcome");
    }

    #[test]
    fn a_decline_carries_its_refusal_and_a_cancel_its_code() {
        let (outcome, card) = read_decision(
            &json!({"outcome": "decline", "refusal": "insufficientFunds",
                "brand": "VISA", "pinVerified": true}),
        )
        .expect("valid");
        assert_eq!(
            outcome,
            Outcome::Payment {
                result: PaymentResult::Declined,
                refusal: Refusal::InsufficientFunds
            }
        );
        assert_eq!(card.brand, Some(CardBrand::Visa));
        assert_eq!(card.pin_ok, Some(true));
        let (outcome, _) =
            read_decision(&json!({"outcome": "customer_cancel", "code": 96})).expect("valid");
        assert!(matches!(outcome, Outcome::Canceled { code: 96, .. }));
    }

    #[test]
    fn an_advance_sums_its_units_within_ten_years() {
        assert_eq!(
            read_advance(&json!({"minutes": 2, "seconds": 3})),
            Ok(123_000)
        );
        assert!(read_advance(&json!({})).is_err());
        assert!(read_advance(&json!({"days": 4000})).is_err());
        assert!(read_advance(&json!({"weeks": 1})).is_err());
        assert!(read_advance(&json!({"seconds": -1})).is_err());
    }
}

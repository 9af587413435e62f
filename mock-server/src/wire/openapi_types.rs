//! The OpenAPI names of the domain's values: GP tom's words (`Refusal`, `PaymentMethod`, …) and
//! the small shapes (`TaskError`, `FieldError`) as the document shows them, so the
//! domain itself knows nothing of OpenAPI.
//!
//! Invariant: a word list is read from the domain's own `ALL` and serde spelling, never written
//! twice; the shapes mirror the domain's fields, and the committed `fixtures/openapi.json` test
//! (and `tests` below) fails when the two part.

use std::borrow::Cow;

use serde::Serialize;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::domain::app::AppError;
use crate::domain::card::{CardBrand, EntryMode};
use crate::domain::plan::PaymentResult;
use crate::domain::refusal::Refusal;
use crate::domain::request::{CancelMode, PaymentMethod, ReceiptType, TransactionType};
use crate::domain::task::TaskState;

/// The words `values` serialise to (the wire's spelling, from serde).
fn words_of<T: Serialize>(values: &[T]) -> Vec<String> {
    values
        .iter()
        .filter_map(|value| match serde_json::to_value(value) {
            Ok(serde_json::Value::String(word)) => Some(word),
            _ => None,
        })
        .collect()
}

/// A string schema of `words`.
fn word_schema(description: &str, words: Vec<String>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(words))
        .into()
}

/// A stand-in naming one of the domain's word sets in the document.
macro_rules! words {
    ($stand_in:ident, $name:literal, $domain:ty, $description:literal) => {
        #[doc = $description]
        #[derive(Debug)]
        pub struct $stand_in;

        impl PartialSchema for $stand_in {
            fn schema() -> RefOr<Schema> {
                word_schema($description, words_of(&<$domain>::ALL))
            }
        }

        impl ToSchema for $stand_in {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

words!(
    TaskStateWords,
    "TaskState",
    TaskState,
    "A task's state.\n\nA scenario's `wire: {canceledSpelling: CANCELLED}` spells the aborted state `CANCELLED`."
);
words!(
    RefusalWords,
    "Refusal",
    Refusal,
    "Why a payment was approved or refused: one of the 30 words of the SDK's `RefusalCode`."
);
words!(
    PaymentResultWords,
    "PaymentResult",
    PaymentResult,
    "Transaction result."
);
words!(
    TransactionTypeWords,
    "TransactionType",
    TransactionType,
    "SALE or CANCEL."
);
words!(
    PaymentMethodWords,
    "PaymentMethod",
    PaymentMethod,
    "How the customer pays: the SDK's `TransactionType` (spec §2.1), also the Cloud API's\n`paymentMethod`."
);
words!(
    CancelModeWords,
    "CancelMode",
    CancelMode,
    "Which transaction a CANCEL targets."
);
words!(
    ReceiptTypeWords,
    "ReceiptType",
    ReceiptType,
    "Receipt delivery the customer prefers."
);
words!(CardBrandWords, "CardBrand", CardBrand, "Card scheme.");
words!(
    EntryModeWords,
    "EntryMode",
    EntryMode,
    "How the card was read."
);
words!(
    AppErrorWords,
    "AppError",
    AppError,
    "The SDK's `DeeplinkError`: the only words its `error` can hold."
);

/// The error of a task that ended `ERROR` or `CANCELED`.
#[derive(Debug, ToSchema)]
#[schema(as = TaskError)]
#[allow(dead_code)]
pub struct TaskErrorShape {
    /// GP tom code (§1.7).
    #[schema(example = 65)]
    code: u16,
    /// Where it failed: `TERMINAL`, `CLOUD` or `AMS`.
    #[schema(value_type = crate::schema::Platform)]
    platform: &'static str,
    /// Human text.
    message: String,
}

/// One broken field.
#[derive(Debug, ToSchema)]
#[schema(as = FieldError)]
#[allow(dead_code)]
pub struct FieldErrorShape {
    /// The field's JSON path, `clientInfo.contact.email`.
    field: String,
    /// The rule it breaks.
    message: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::batch::Totals;
    use crate::domain::request::FieldError;
    use crate::domain::task::TaskError;

    /// The property names of a shape's schema.
    fn properties(schema: RefOr<Schema>) -> Vec<String> {
        match schema {
            RefOr::T(Schema::Object(object)) => object.properties.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// The keys a value serialises to.
    fn keys(value: impl Serialize) -> Vec<String> {
        match serde_json::to_value(value) {
            Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn the_shapes_have_the_domains_fields() {
        let sorted = |mut names: Vec<String>| {
            names.sort();
            names
        };
        assert_eq!(
            sorted(keys(
                crate::wire::batch::TotalsBody::from(Totals::default())
            )),
            sorted(keys(Totals::default()))
        );
        assert_eq!(
            sorted(properties(FieldErrorShape::schema())),
            sorted(keys(FieldError::new("a", "b")))
        );
        let error = TaskError {
            code: 65,
            platform: "TERMINAL",
            message: "Timeout".into(),
        };
        assert_eq!(
            sorted(properties(TaskErrorShape::schema())),
            sorted(keys(error))
        );
    }

    #[test]
    fn every_word_is_listed() {
        assert_eq!(words_of(&Refusal::ALL).len(), 30);
        assert_eq!(words_of(&TaskState::ALL)[1], "IN_PROGRESS");
        assert_eq!(words_of(&AppError::ALL)[1], "networkError");
    }
}

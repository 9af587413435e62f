//! A well-formed transaction request read straight into its type: one pass of serde over the
//! bytes, no `serde_json::Value` tree, no per-field map lookups. Creating payments is the second
//! most frequent call of an integration, so this is the hot path's reader.
//!
//! Invariant: it accepts a body only when [`super::request::parse_transaction_request`] would,
//! and builds the same request; anything else — a broken field, an unknown or repeated one, an
//! escaped string, `clientInfo` — returns `None`, and the caller reads the body the slow way,
//! which names every problem (a property test in `tests` holds the two together).

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::domain::request::{
    CancelMode, CurrencyCode, MAX_AMOUNT, MAX_REFERENCE_LEN, PaymentMethod, ReceiptType,
    RequestExtras, TransactionRequest, TransactionType,
};

/// The body as JSON spells it; strings borrowed (an escaped one fails and falls back).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body<'a> {
    #[serde(rename = "transactionType", borrow)]
    transaction_type: Option<&'a str>,
    amount: Option<i64>,
    #[serde(rename = "tipAmount")]
    tip_amount: Option<i64>,
    #[serde(rename = "tipCollect")]
    tip_collect: Option<bool>,
    #[serde(rename = "currencyCode", borrow)]
    currency_code: Option<&'a str>,
    #[serde(rename = "paymentMethod", borrow)]
    payment_method: Option<&'a str>,
    #[serde(rename = "originReferenceNum", borrow)]
    origin_reference_num: Option<&'a str>,
    #[serde(rename = "printByPaymentApp")]
    print_by_payment_app: Option<bool>,
    #[serde(rename = "preferableReceiptType", borrow)]
    preferable_receipt_type: Option<&'a str>,
    #[serde(rename = "clientID", borrow)]
    client_id: Option<&'a str>,
    #[serde(rename = "clientInfo")]
    client_info: Option<IgnoredAny>,
    #[serde(borrow)]
    tid: Option<&'a str>,
    #[serde(rename = "cancelMode", borrow)]
    cancel_mode: Option<&'a str>,
    #[serde(rename = "originTransactionID", borrow)]
    origin_transaction_id: Option<&'a str>,
}

/// At most `max` characters.
fn within(text: &str, max: usize) -> bool {
    text.len() <= max || text.chars().count() <= max
}

/// A text field within its limit (absent is fine).
fn text(value: Option<&str>, max: usize) -> Option<Option<&str>> {
    match value {
        Some(text) if !within(text, max) => None,
        other => Some(other),
    }
}

/// The request, when `bytes` is a well-formed, valid transaction body without surprises;
/// `None` sends the caller to the field-by-field reader.
#[must_use]
pub fn read_transaction_request(bytes: &[u8]) -> Option<TransactionRequest> {
    // The body read as text once (ASCII goes word by word), not each of its strings one by one
    // as `from_slice` does; a body that is not UTF-8 is no JSON either way.
    let json = std::str::from_utf8(bytes).ok()?;
    let body: Body<'_> = serde_json::from_str(json).ok()?;
    if body.client_info.is_some() {
        return None;
    }
    let transaction_type = match body.transaction_type? {
        "SALE" => TransactionType::Sale,
        "CANCEL" => TransactionType::Cancel,
        _ => return None,
    };
    let sale = transaction_type == TransactionType::Sale;
    let amount = match body.amount {
        Some(amount) if (1..=MAX_AMOUNT).contains(&amount) => Some(amount),
        Some(_) => return None,
        None if sale => return None,
        None => None,
    };
    let tip_amount = match body.tip_amount {
        Some(tip) if (0..=MAX_AMOUNT).contains(&tip) => tip,
        Some(_) => return None,
        None => 0,
    };
    let currency_code = CurrencyCode::parse(body.currency_code?)?;
    let payment_method = match body.payment_method {
        Some(text) => Some(PaymentMethod::parse(text)?),
        None if sale => return None,
        None => None,
    };
    let origin_reference_num = text(body.origin_reference_num, MAX_REFERENCE_LEN)?;
    let preferable_receipt_type = match body.preferable_receipt_type {
        Some(text) => Some(ReceiptType::parse(text)?),
        None => None,
    };
    let client_id = text(body.client_id, 50)?;
    let tid = text(body.tid, 20)?;
    let cancel_mode = match body.cancel_mode {
        Some("LAST_TRANSACTION") => Some(CancelMode::LastTransaction),
        Some("OLDER_TRANSACTION") => Some(CancelMode::OlderTransaction),
        Some(_) => return None,
        None if !sale => return None,
        None => None,
    };
    let origin_transaction_id = text(body.origin_transaction_id, 64)?;
    if !sale && cancel_mode == Some(CancelMode::OlderTransaction) && origin_transaction_id.is_none()
    {
        return None;
    }
    Some(TransactionRequest {
        transaction_type,
        amount,
        tip_amount,
        tip_collect: body.tip_collect.unwrap_or(false),
        currency_code,
        payment_method: payment_method.unwrap_or(PaymentMethod::Card),
        origin_reference_num: origin_reference_num.map(Box::from),
        print_by_payment_app: body.print_by_payment_app.unwrap_or(false),
        preferable_receipt_type,
        cancel_mode,
        // Most requests give none of the rare fields: nothing to build or compare.
        extras: (client_id.is_some() || tid.is_some() || origin_transaction_id.is_some()).then(
            || {
                Box::new(RequestExtras {
                    client_id: client_id.map(Box::from),
                    client_email: None,
                    client_phone: None,
                    tid: tid.map(str::to_owned),
                    origin_transaction_id: origin_transaction_id.map(Box::from),
                    request_id: None,
                })
            },
        ),
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    use super::*;
    use crate::wire::request::{KNOWN_TRANSACTION_FIELDS, parse_transaction_request};

    /// A value for a field: mostly plausible, often wrong.
    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            prop_oneof![
                Just(0i64),
                Just(1),
                Just(MAX_AMOUNT),
                Just(MAX_AMOUNT + 1),
                Just(-1),
                any::<i64>()
            ]
            .prop_map(|number| json!(number)),
            Just(json!(10.0)),
            Just(json!(u64::MAX)),
            prop::sample::select(vec![
                "SALE",
                "CANCEL",
                "REFUND",
                "sale",
                "CZK",
                "EUR",
                "czk",
                "CZKK",
                "CARD",
                "CASH",
                "GO_CRYPTO",
                "email",
                "SMS",
                "PRINT",
                "LAST_TRANSACTION",
                "OLDER_TRANSACTION",
                "",
                "999888",
                "ř€🙂",
                "a\"quoted\"",
            ])
            .prop_map(|text| json!(text)),
            "[a-zA-Z0-9 ]{0,120}".prop_map(Value::String),
            Just(json!({"contact": {"email": "a@b.cz"}})),
            Just(json!([])),
        ]
    }

    /// GP tom's fields, and a misspelled one.
    fn field() -> impl Strategy<Value = &'static str> {
        prop::sample::select([KNOWN_TRANSACTION_FIELDS, &["amout"]].concat())
    }

    fn body() -> impl Strategy<Value = Map<String, Value>> {
        prop::collection::vec((field(), value()), 0..12).prop_map(|pairs| {
            let mut object = Map::new();
            // A well-formed sale underneath, so valid bodies are common.
            object.insert("transactionType".into(), json!("SALE"));
            object.insert("amount".into(), json!(1000));
            object.insert("currencyCode".into(), json!("CZK"));
            object.insert("paymentMethod".into(), json!("CARD"));
            for (field, value) in pairs {
                object.insert(field.to_owned(), value);
            }
            object
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Whatever the fast reader accepts, the field-by-field reader accepts as the same
        /// request; and a valid body without escapes, unknown fields or `clientInfo` is never
        /// sent the slow way.
        #[test]
        fn the_fast_reader_is_the_slow_one_on_valid_bodies(object in body()) {
            let bytes = serde_json::to_vec(&Value::Object(object.clone())).expect("JSON");
            let fast = read_transaction_request(&bytes);
            let slow = parse_transaction_request(&Value::Object(object.clone()));
            match (&fast, &slow) {
                (Some(fast), Ok(slow)) => prop_assert_eq!(fast, slow),
                (Some(fast), Err(errors)) => {
                    prop_assert!(false, "fast accepted {fast:?}, slow refused {errors:?}")
                }
                (None, Ok(_)) => {
                    let surprising = object.contains_key("amout")
                        || object.get("clientInfo").is_some_and(|info| !info.is_null())
                        || String::from_utf8_lossy(&bytes).contains('\\');
                    prop_assert!(surprising, "a plain valid body went the slow way: {object:?}");
                }
                (None, Err(_)) => {}
            }
        }
    }

    /// The slow reader over raw bytes: JSON first, then field by field.
    fn slow(bytes: &[u8]) -> Option<TransactionRequest> {
        let value: Value = serde_json::from_slice(bytes).ok()?;
        parse_transaction_request(&value).ok()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3_000))]

        /// Bytes edited anywhere (whitespace, escapes, quotes, digits, exponents, braces, a BOM,
        /// control and non-ASCII characters): the fast reader never accepts what the slow one
        /// refuses, nor reads it differently.
        #[test]
        fn edited_bytes_are_never_read_differently(
            edits in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(vec![
                " ", "\t", "\n", "\\", "\"", ".", "e", "E", "0", "9", "-", "+", "}", "{", ",",
                ":", "[", "]", "\u{0}", "\u{1f}", "é", "\u{feff}", "null", "true", "1.5", "\\u0041",
            ])), 0..4),
            cancel in any::<bool>(),
        ) {
            let mut text = if cancel {
                r#"{"transactionType":"CANCEL","cancelMode":"OLDER_TRANSACTION","originTransactionID":"123","currencyCode":"CZK","tipAmount":0}"#.to_owned()
            } else {
                r#"{"transactionType":"SALE","amount":1000,"currencyCode":"CZK","paymentMethod":"CARD","originReferenceNum":"bench-0001","tipCollect":false,"tid":null}"#.to_owned()
            };
            for (index, insert) in edits {
                let mut at = index.index(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                text.insert_str(at, insert);
            }
            let fast = read_transaction_request(text.as_bytes());
            if let Some(fast) = fast {
                prop_assert_eq!(Some(fast), slow(text.as_bytes()), "{}", text);
            }
        }
    }

    #[test]
    fn a_repeated_field_goes_the_slow_way() {
        let body = br#"{"transactionType":"SALE","amount":1,"amount":2,"currencyCode":"CZK","paymentMethod":"CARD"}"#;
        assert_eq!(read_transaction_request(body), None);
        let plain =
            br#"{"transactionType":"SALE","amount":2,"currencyCode":"CZK","paymentMethod":"CARD"}"#;
        assert_eq!(
            read_transaction_request(plain).and_then(|request| request.amount),
            Some(2)
        );
    }
}

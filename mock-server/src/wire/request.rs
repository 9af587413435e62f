//! Task request bodies: JSON in, a typed request or every broken field out.
//!
//! Parsing goes through `serde_json::Value` so that every problem is reported at once, each naming
//! its field and the rule, as GP tom's (Spring's) validation does. The OpenAPI document's shapes
//! of the same bodies live here too, kept in step by a test.

use serde_json::{Map, Value};

use super::fields::Fields;

use crate::domain::currency::CURRENCY_RULE;
use crate::domain::request::{
    BatchRequest, CancelMode, CurrencyCode, FieldError, MAX_AMOUNT, MAX_REFERENCE_LEN,
    PaymentMethod, ReceiptType, RequestExtras, TransactionRequest, TransactionType,
};

/// The fields GP tom knows in a transaction request (for typo hints).
pub const KNOWN_TRANSACTION_FIELDS: &[&str] = &[
    "transactionType",
    "amount",
    "tipAmount",
    "tipCollect",
    "currencyCode",
    "paymentMethod",
    "originReferenceNum",
    "printByPaymentApp",
    "preferableReceiptType",
    "clientID",
    "clientInfo",
    "tid",
    "cancelMode",
    "originTransactionID",
];

/// The known field an unknown one most likely meant: a spelling at most two edits away, the end
/// or the start of a longer name (`transactionId` for `originTransactionID`, `currency` for
/// `currencyCode`), or a longer spelling of a known one (`originReferenceNumber`).
#[must_use]
pub fn likely_meant(unknown: &str) -> Option<&'static str> {
    let lower = unknown.to_ascii_lowercase();
    KNOWN_TRANSACTION_FIELDS
        .iter()
        .copied()
        .filter(|known| {
            let known_lower = known.to_ascii_lowercase();
            strsim::damerau_levenshtein(unknown, known) <= 2
                || (lower.len() >= 6
                    && (known_lower.ends_with(&lower) || known_lower.starts_with(&lower)))
                || (known.len() >= 6 && lower.starts_with(&known_lower))
        })
        .min_by_key(|known| strsim::damerau_levenshtein(unknown, known))
}

/// Fields of a body GP tom does not know, each with the field it most likely meant. GP tom's
/// Spring back end ignores them; the mock says so in a warning header and `verify`.
#[must_use]
pub fn unknown_transaction_fields(body: &Value) -> Vec<(String, Option<&'static str>)> {
    body.as_object()
        .into_iter()
        .flat_map(|object| object.keys())
        .filter(|key| !KNOWN_TRANSACTION_FIELDS.contains(&key.as_str()))
        .map(|key| (key.clone(), likely_meant(key)))
        .collect()
}

/// A refused field whose name the body misspelled gets the hint: `paymentMethod: must not be
/// null (the body has `paymentMetod`: did you mean `paymentMethod`?)`.
fn hint_misspelled_fields(object: &Map<String, Value>, errors: &mut [FieldError]) {
    for key in object.keys() {
        if KNOWN_TRANSACTION_FIELDS.contains(&key.as_str()) {
            continue;
        }
        let Some(meant) = likely_meant(key) else {
            continue;
        };
        for error in errors.iter_mut().filter(|error| error.field == meant) {
            error.message = format!(
                "{} (the body has `{key}`, which GP tom ignores: did you mean `{meant}`?)",
                error.message
            );
        }
    }
}

/// Validates a transaction task body. `body` is the parsed JSON.
pub fn parse_transaction_request(body: &Value) -> Result<TransactionRequest, Vec<FieldError>> {
    let Some(object) = body.as_object() else {
        return Err(vec![FieldError::new("$", "the body must be a JSON object")]);
    };
    let mut fields = Fields {
        object,
        errors: Vec::new(),
    };
    let transaction_type = fields.choice(
        "transactionType",
        &[
            ("SALE", TransactionType::Sale),
            ("CANCEL", TransactionType::Cancel),
        ],
    );
    if fields.present("transactionType").is_none() {
        fields.fail("transactionType", "must not be null");
    }
    let amount = fields.integer("amount", 1, MAX_AMOUNT);
    if transaction_type == Some(TransactionType::Sale) && fields.present("amount").is_none() {
        fields.fail("amount", "must not be null");
    }
    let tip_amount = fields.integer("tipAmount", 0, MAX_AMOUNT).unwrap_or(0);
    let tip_collect = fields.boolean("tipCollect").unwrap_or(false);
    let currency_text = fields.string("currencyCode", 3);
    let currency_code = currency_text.and_then(CurrencyCode::parse);
    match currency_text {
        None if fields.present("currencyCode").is_none() => {
            fields.fail("currencyCode", "must not be null")
        }
        Some(_) if currency_code.is_none() => {
            fields.fail("currencyCode", format!("must be {CURRENCY_RULE}"));
        }
        _ => {}
    }
    let payment_method = fields.choice("paymentMethod", &PaymentMethod::choices());
    if transaction_type == Some(TransactionType::Sale) && fields.present("paymentMethod").is_none()
    {
        fields.fail("paymentMethod", "must not be null");
    }
    let origin_reference_num = fields
        .string("originReferenceNum", MAX_REFERENCE_LEN)
        .map(Box::from);
    let print_by_payment_app = fields.boolean("printByPaymentApp").unwrap_or(false);
    let preferable_receipt_type = fields.word(
        "preferableReceiptType",
        ReceiptType::parse,
        "must be one of EMAIL, PHONE, QR, PRINT",
    );
    let client_id = fields.string("clientID", 50).map(Box::from);
    let (client_email, client_phone) = parse_client_info(&mut fields);
    let tid = fields.string("tid", 20).map(str::to_owned);
    let cancel_mode = fields.choice(
        "cancelMode",
        &[
            ("LAST_TRANSACTION", CancelMode::LastTransaction),
            ("OLDER_TRANSACTION", CancelMode::OlderTransaction),
        ],
    );
    let origin_transaction_id = fields.string("originTransactionID", 64).map(Box::from);
    if transaction_type == Some(TransactionType::Cancel) {
        if fields.present("cancelMode").is_none() {
            fields.fail("cancelMode", "must not be null for a CANCEL");
        }
        if cancel_mode == Some(CancelMode::OlderTransaction)
            && fields.present("originTransactionID").is_none()
        {
            fields.fail(
                "originTransactionID",
                "must not be null when cancelMode is OLDER_TRANSACTION",
            );
        }
    }
    if !fields.errors.is_empty() {
        hint_misspelled_fields(object, &mut fields.errors);
    }
    match (transaction_type, currency_code) {
        (Some(transaction_type), Some(currency_code)) if fields.errors.is_empty() => {
            Ok(TransactionRequest {
                transaction_type,
                amount,
                tip_amount,
                tip_collect,
                currency_code,
                payment_method: payment_method.unwrap_or(PaymentMethod::Card),
                origin_reference_num,
                print_by_payment_app,
                preferable_receipt_type,
                cancel_mode,
                extras: RequestExtras {
                    client_id,
                    client_email,
                    client_phone,
                    tid,
                    origin_transaction_id,
                    request_id: None,
                }
                .boxed(),
            })
        }
        _ => Err(fields.errors),
    }
}

fn parse_client_info(fields: &mut Fields<'_>) -> (Option<Box<str>>, Option<Box<str>>) {
    let Some(info) = fields.present("clientInfo") else {
        return (None, None);
    };
    let Some(contact) = info
        .as_object()
        .map(|info| info.get("contact").filter(|c| !c.is_null()))
    else {
        fields.fail("clientInfo", "must be an object");
        return (None, None);
    };
    let Some(contact) = contact else {
        return (None, None);
    };
    let Some(contact) = contact.as_object() else {
        fields.fail("clientInfo.contact", "must be an object");
        return (None, None);
    };
    let mut text = |name: &str| match contact.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(value)) if value.chars().count() <= 100 => {
            Some(Box::from(value.as_str()))
        }
        Some(Value::String(_)) => {
            fields.fail(
                &format!("clientInfo.contact.{name}"),
                "size must be between 0 and 100",
            );
            None
        }
        Some(_) => {
            fields.fail(&format!("clientInfo.contact.{name}"), "must be a string");
            None
        }
    };
    let email: Option<Box<str>> = text("email");
    let phone: Option<Box<str>> = text("phone");
    if email.as_ref().is_some_and(|address| !address.contains('@')) {
        fields.fail(
            "clientInfo.contact.email",
            "must be a well-formed email address",
        );
    }
    (email, phone)
}

/// Validates a batch task body (`{}` or `{"tid": "…"}`).
pub fn parse_batch_request(body: &Value) -> Result<BatchRequest, Vec<FieldError>> {
    let Some(object) = body.as_object() else {
        return Err(vec![FieldError::new("$", "the body must be a JSON object")]);
    };
    let mut fields = Fields {
        object,
        errors: Vec::new(),
    };
    let tid = fields.string("tid", 20).map(str::to_owned);
    if fields.errors.is_empty() {
        Ok(BatchRequest { tid })
    } else {
        Err(fields.errors)
    }
}

/// The wire shape of `POST /v1/tasks/TRANSACTION` for the OpenAPI document. The mock parses the
/// body field by field ([`parse_transaction_request`]) to report every broken field at once; a
/// unit test keeps this shape, [`KNOWN_TRANSACTION_FIELDS`] and the limits in step.
#[derive(Clone, Debug, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CreateCloudTaskTransactionApiRequest)]
#[allow(dead_code)]
pub struct TransactionRequestSchema {
    /// SALE (a payment) or CANCEL (a storno on the same terminal).
    #[schema(value_type = crate::schema::CloudTransactionType)]
    transaction_type: String,
    /// Minor units (1000 = 10.00). Mandatory for a SALE; a CANCEL may omit it.
    #[schema(minimum = 1, maximum = 99_999_999, example = 1000)]
    amount: Option<i64>,
    /// Tip in minor units.
    #[schema(minimum = 0, maximum = 99_999_999)]
    tip_amount: Option<i64>,
    /// The terminal asks the customer for a tip.
    tip_collect: Option<bool>,
    /// ISO 4217 letters; must be the terminal's currency.
    #[schema(
        pattern = "^[A-Z]{3}$",
        min_length = 3,
        max_length = 3,
        example = "CZK"
    )]
    currency_code: String,
    /// CARD, CASH, ACCOUNT_PAYMENT, BLIK_PAYMENT, PAYMENT_GATEWAY or GO_CRYPTO. Mandatory for a
    /// SALE; a CANCEL defaults to CARD.
    #[schema(value_type = Option<super::openapi_types::PaymentMethodWords>)]
    payment_method: Option<PaymentMethod>,
    /// The integrator's reference, e.g. an invoice number (a scenario's
    /// `wire.reference_max_length` may lower the limit).
    #[schema(max_length = 100, example = "Invoice 37364FD payment")]
    origin_reference_num: Option<String>,
    /// Print the receipt on the terminal.
    print_by_payment_app: Option<bool>,
    /// How the customer wants the receipt (any case; `SMS` means `PHONE`).
    #[schema(value_type = Option<super::openapi_types::ReceiptTypeWords>)]
    preferable_receipt_type: Option<ReceiptType>,
    /// The integrator's client id.
    #[serde(rename = "clientID")]
    #[schema(max_length = 50)]
    client_id: Option<String>,
    /// The customer's contact for the receipt.
    client_info: Option<ClientInfoSchema>,
    /// The target terminal; mandatory for a master API account, otherwise the token's terminal.
    #[schema(max_length = 20, example = "999888")]
    tid: Option<String>,
    /// CANCEL: which transaction it cancels. Mandatory for a CANCEL.
    #[schema(value_type = Option<super::openapi_types::CancelModeWords>)]
    cancel_mode: Option<CancelMode>,
    /// CANCEL with OLDER_TRANSACTION: the original's `amsID`.
    #[serde(rename = "originTransactionID")]
    #[schema(max_length = 64)]
    origin_transaction_id: Option<String>,
}

/// `clientInfo` of a transaction request.
#[derive(Clone, Debug, utoipa::ToSchema)]
#[schema(as = ClientInfo)]
#[allow(dead_code)]
pub struct ClientInfoSchema {
    /// The customer's contact.
    contact: Option<ContactSchema>,
}

/// `clientInfo.contact` of a transaction request.
#[derive(Clone, Debug, utoipa::ToSchema)]
#[schema(as = ClientContact)]
#[allow(dead_code)]
pub struct ContactSchema {
    /// E-mail for the receipt (must contain `@`).
    #[schema(max_length = 100, format = Email)]
    email: Option<String>,
    /// Phone for the receipt.
    #[schema(max_length = 100)]
    phone: Option<String>,
}

/// The wire shape of `POST /v1/tasks/BATCH` (`{}` for a terminal's own token).
#[derive(Clone, Debug, utoipa::ToSchema)]
#[schema(as = CreateCloudTaskBatchApiRequest)]
#[allow(dead_code)]
pub struct BatchRequestSchema {
    /// The target terminal; mandatory for a master API account.
    #[schema(max_length = 20, example = "999888")]
    tid: Option<String>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn near_names_are_meant_ones_required_or_optional() {
        assert_eq!(likely_meant("paymentMetod"), Some("paymentMethod"));
        assert_eq!(likely_meant("currency"), Some("currencyCode"));
        assert_eq!(
            likely_meant("originReferenceNumber"),
            Some("originReferenceNum")
        );
        assert_eq!(likely_meant("transactionId"), Some("originTransactionID"));
        assert_eq!(likely_meant("colour"), None);
        let refused = parse_transaction_request(&serde_json::json!({
            "transactionType": "SALE", "amount": 100, "currency": "CZK", "paymentMethod": "CARD"
        }))
        .expect_err("no currencyCode");
        assert!(
            refused
                .iter()
                .any(|error| error.message.contains("did you mean `currencyCode`?")),
            "{refused:?}"
        );
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn the_documented_example_body_is_valid() {
        let body: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/examples/sale-request.json"
        )))
        .expect("json");
        let request = parse_transaction_request(&body).expect("valid");
        assert_eq!(request.amount, Some(1000));
        assert_eq!(
            request.origin_reference_num.as_deref(),
            Some("Invoice 37364FD")
        );
    }

    #[test]
    fn every_broken_field_is_reported_at_once() {
        let body = json!({"transactionType": "SALE", "amount": 0, "currencyCode": "czk", "paymentMethod": "BITCOIN",
            "originReferenceNum": "x".repeat(MAX_REFERENCE_LEN + 1), "printByPaymentApp": "yes"});
        let errors = parse_transaction_request(&body).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "amount",
                "currencyCode",
                "paymentMethod",
                "originReferenceNum",
                "printByPaymentApp"
            ]
        );
        assert_eq!(errors[0].message, "must be greater than 0");
    }

    #[test]
    fn gp_toms_own_example_reference_and_every_payment_method_are_accepted() {
        for method in PaymentMethod::ALL {
            let body = json!({"transactionType": "SALE", "amount": 1000, "currencyCode": "CZK",
                "paymentMethod": method.as_str(), "originReferenceNum": "Invoice 37364FD payment"});
            let request = parse_transaction_request(&body).expect("valid");
            assert_eq!(request.payment_method, method);
        }
        for (index, method) in PaymentMethod::ALL.into_iter().enumerate() {
            assert_eq!(method as usize, index, "ALL is in declaration order");
        }
    }

    #[test]
    fn a_sale_needs_its_mandatory_fields() {
        let errors =
            parse_transaction_request(&json!({"transactionType": "SALE"})).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["amount", "currencyCode", "paymentMethod"]);
    }

    #[test]
    fn an_older_cancel_needs_the_origin_transaction() {
        let errors = parse_transaction_request(
            &json!({"transactionType": "CANCEL", "cancelMode": "OLDER_TRANSACTION", "currencyCode": "CZK"}),
        )
        .expect_err("invalid");
        assert_eq!(errors[0].field, "originTransactionID");
    }

    #[test]
    fn a_fractional_or_textual_amount_is_refused() {
        for amount in [json!(10.5), json!("1000"), json!(true)] {
            let body = json!({"transactionType": "SALE", "amount": amount, "currencyCode": "CZK", "paymentMethod": "CARD"});
            let errors = parse_transaction_request(&body).expect_err("invalid");
            assert_eq!(errors[0].field, "amount");
        }
    }
}

//! App-to-app deep links: build `gptom://…` URLs and read the redirect GP tom answers with.
//!
//! ```
//! use gptom_client::applink::{AppLink, parse_redirect};
//!
//! let link = AppLink::transaction_create(435)
//!     .reference("Order 7")
//!     .redirect_url("myshop://gptom-result")
//!     .build()?;
//! assert_eq!(link, "gptom://transaction/create?amount=435&originReferenceNum=Order+7&redirectUrl=myshop%3A%2F%2Fgptom-result");
//!
//! let result = parse_redirect("myshop://gptom-result?status=COMPLETED&code=approved&receipt=%7B%22amount%22%3A%224.35%22%7D")?;
//! assert_eq!(result.receipt.and_then(|receipt| receipt.amount), Some(435));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde_json::Value;

use crate::error::{Error, ValidationError};
use crate::request::{MAX_REFERENCE_LEN, PaymentMethod, ReceiptType};

/// A `gptom://` deep link being built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppLink {
    operation: &'static str,
    params: Vec<(&'static str, String)>,
    amount: Option<i64>,
}

impl AppLink {
    fn new(operation: &'static str) -> Self {
        AppLink {
            operation,
            params: Vec::new(),
            amount: None,
        }
    }

    fn with(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.params.retain(|(existing, _)| *existing != key);
        self.params.push((key, value.into()));
        self
    }

    /// `gptom://transaction/create?amount=…` (minor units).
    #[must_use]
    pub fn transaction_create(amount: i64) -> Self {
        let mut link = AppLink::new("transaction/create").with("amount", amount.to_string());
        link.amount = Some(amount);
        link
    }

    /// `gptom://transaction/refund?amount=…`.
    #[must_use]
    pub fn transaction_refund(amount: i64) -> Self {
        let mut link = AppLink::new("transaction/refund").with("amount", amount.to_string());
        link.amount = Some(amount);
        link
    }

    /// `gptom://transaction/cancel?amsID=…`.
    #[must_use]
    pub fn transaction_cancel(ams_id: impl Into<String>) -> Self {
        AppLink::new("transaction/cancel").with("amsID", ams_id)
    }

    /// `gptom://transaction/detail?amsID=…`.
    #[must_use]
    pub fn transaction_detail(ams_id: impl Into<String>) -> Self {
        AppLink::new("transaction/detail").with("amsID", ams_id)
    }

    /// `gptom://transaction/detail?requestID=…`.
    #[must_use]
    pub fn transaction_detail_by_request(request_id: impl Into<String>) -> Self {
        AppLink::new("transaction/detail").with("requestID", request_id)
    }

    /// `gptom://batch/close`.
    #[must_use]
    pub fn batch_close() -> Self {
        AppLink::new("batch/close")
    }

    /// `gptom://batch/detail`.
    #[must_use]
    pub fn batch_detail() -> Self {
        AppLink::new("batch/detail")
    }

    /// `gptom://status`.
    #[must_use]
    pub fn status() -> Self {
        AppLink::new("status")
    }

    /// `gptom://login?username=…&password=…&tid=…`.
    #[must_use]
    pub fn login(
        username: impl Into<String>,
        password: impl Into<String>,
        tid: impl Into<String>,
    ) -> Self {
        AppLink::new("login")
            .with("username", username)
            .with("password", password)
            .with("tid", tid)
    }

    /// `gptom://logout`.
    #[must_use]
    pub fn logout() -> Self {
        AppLink::new("logout")
    }

    /// Your reference (≤ 20 characters).
    #[must_use]
    pub fn reference(self, reference: impl Into<String>) -> Self {
        self.with("originReferenceNum", reference)
    }

    /// Where GP tom sends the result.
    #[must_use]
    pub fn redirect_url(self, url: impl Into<String>) -> Self {
        self.with("redirectUrl", url)
    }

    /// Your client id.
    #[must_use]
    pub fn client_id(self, client_id: impl Into<String>) -> Self {
        self.with("clientID", client_id)
    }

    /// Print the receipt (`true`/`false`).
    #[must_use]
    pub fn print(self, print: bool) -> Self {
        self.with("printByPaymentApp", print.to_string())
    }

    /// A tip in minor units.
    #[must_use]
    pub fn tip(self, tip: i64) -> Self {
        self.with("tipAmount", tip.to_string())
    }

    /// Let GP tom ask for a tip.
    #[must_use]
    pub fn collect_tip(self, collect: bool) -> Self {
        self.with("tipCollect", collect.to_string())
    }

    /// Receipt delivery.
    #[must_use]
    pub fn receipt(self, receipt: ReceiptType) -> Self {
        let word = match receipt {
            ReceiptType::Email => "EMAIL",
            ReceiptType::Phone => "PHONE",
            ReceiptType::Qr => "QR",
            ReceiptType::Print => "PRINT",
        };
        self.with("preferableReceiptType", word)
    }

    /// CARD or CASH (`transactionType` in the deep link).
    #[must_use]
    pub fn method(self, method: PaymentMethod) -> Self {
        self.with(
            "transactionType",
            if method == PaymentMethod::Cash {
                "CASH"
            } else {
                "CARD"
            },
        )
    }

    /// The customer's phone.
    #[must_use]
    pub fn client_phone(self, phone: impl Into<String>) -> Self {
        self.with("clientPhone", phone)
    }

    /// The customer's e-mail.
    #[must_use]
    pub fn client_email(self, email: impl Into<String>) -> Self {
        self.with("clientEmail", email)
    }

    /// Your id of the request (for `transaction/detail?requestID=`).
    #[must_use]
    pub fn request_id(self, request_id: impl Into<String>) -> Self {
        self.with("requestID", request_id)
    }

    /// The URL, percent-encoded; refuses what GP tom would refuse.
    pub fn build(&self) -> Result<String, Error> {
        let mut errors = Vec::new();
        if self.amount.is_some_and(|amount| amount <= 0) {
            errors.push(ValidationError {
                field: "amount",
                message: "must be greater than 0".into(),
            });
        }
        for (key, value) in &self.params {
            if *key == "originReferenceNum" && value.chars().count() > MAX_REFERENCE_LEN {
                errors.push(ValidationError {
                    field: "originReferenceNum",
                    message: format!("must be at most {MAX_REFERENCE_LEN} characters"),
                });
            }
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                self.params
                    .iter()
                    .map(|(key, value)| (*key, value.as_str())),
            )
            .finish();
        Ok(if query.is_empty() {
            format!("gptom://{}", self.operation)
        } else {
            format!("gptom://{}?{query}", self.operation)
        })
    }
}

/// What GP tom put on the redirect.
#[derive(Clone, Debug, PartialEq)]
pub struct AppResult {
    /// `COMPLETED`, `CANCELLED` or `ERROR`.
    pub status: Option<String>,
    /// The receipt.
    pub receipt: Option<Receipt>,
    /// The refusal word (`approved`, `declined`, …).
    pub code: Option<String>,
    /// An error word (`invalidAmount`, `cannotBeVoided`, `userNotLoggedIn`, …).
    pub error: Option<String>,
    /// The batch (batch operations).
    pub batch: Option<Value>,
    /// The app's status (`status`).
    pub app_status: Option<Value>,
}

/// A receipt of the redirect; amounts converted from decimal strings to minor units.
#[derive(Clone, Debug, PartialEq)]
pub struct Receipt {
    /// Minor units.
    pub amount: Option<i64>,
    /// Minor units.
    pub tip_amount: Option<i64>,
    /// Minor units.
    pub total_amount: Option<i64>,
    /// amsID.
    pub ams_id: Option<String>,
    /// 0 approved, -1 declined (as GP tom sends it).
    pub result: Option<i64>,
    /// Every field as sent.
    pub raw: Value,
}

/// A redirect that cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RedirectError {
    /// Not a URL at all.
    #[error("not a URL: {0}")]
    NotAUrl(String),
    /// `receipt`, `batch` or `appStatus` is not JSON.
    #[error("`{field}` is not valid JSON: {reason}")]
    BadJson {
        /// The parameter.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// An amount is not a decimal string such as "4.35".
    #[error("receipt `{field}` is not a decimal amount: {value}")]
    BadAmount {
        /// The field.
        field: &'static str,
        /// What was there.
        value: String,
    },
}

/// Reads the URL GP tom redirected to.
pub fn parse_redirect(redirect: &str) -> Result<AppResult, RedirectError> {
    let url =
        url::Url::parse(redirect).map_err(|error| RedirectError::NotAUrl(error.to_string()))?;
    let mut result = AppResult {
        status: None,
        receipt: None,
        code: None,
        error: None,
        batch: None,
        app_status: None,
    };
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "status" => result.status = Some(value.into_owned()),
            "code" => result.code = Some(value.into_owned()),
            "error" => result.error = Some(value.into_owned()),
            "receipt" => result.receipt = Some(parse_receipt(&value)?),
            "batch" => result.batch = Some(json_field("batch", &value)?),
            "appStatus" => result.app_status = Some(json_field("appStatus", &value)?),
            _ => {}
        }
    }
    Ok(result)
}

fn json_field(field: &'static str, text: &str) -> Result<Value, RedirectError> {
    serde_json::from_str(text).map_err(|error| RedirectError::BadJson {
        field,
        reason: error.to_string(),
    })
}

fn parse_receipt(text: &str) -> Result<Receipt, RedirectError> {
    let raw = json_field("receipt", text)?;
    let amount = |field: &'static str| -> Result<Option<i64>, RedirectError> {
        match raw.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => {
                parse_decimal(text)
                    .map(Some)
                    .ok_or_else(|| RedirectError::BadAmount {
                        field,
                        value: text.clone(),
                    })
            }
            Some(Value::Number(number)) => number
                .as_f64()
                .map(|value| Some((value * 100.0).round() as i64))
                .ok_or_else(|| RedirectError::BadAmount {
                    field,
                    value: number.to_string(),
                }),
            Some(other) => Err(RedirectError::BadAmount {
                field,
                value: other.to_string(),
            }),
        }
    };
    Ok(Receipt {
        amount: amount("amount")?,
        tip_amount: amount("tipAmount")?,
        total_amount: amount("totalAmount")?,
        ams_id: raw.get("amsID").and_then(Value::as_str).map(str::to_owned),
        result: raw
            .get("result")
            .and_then(|value| value.as_i64().or_else(|| value.as_str()?.parse().ok())),
        raw,
    })
}

/// `"4.35"` → 435, `"4"` → 400, `"4.3"` → 430; more than two decimals is refused.
#[must_use]
pub fn parse_decimal(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty()
        || fraction.len() > 2
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
    let value = whole.checked_mul(100)?.checked_add(cents)?;
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_percent_encoded_and_validated() {
        let link = AppLink::transaction_cancel("123 456")
            .redirect_url("app://x?y=1&z=2")
            .build()
            .unwrap_or_default();
        assert_eq!(
            link,
            "gptom://transaction/cancel?amsID=123+456&redirectUrl=app%3A%2F%2Fx%3Fy%3D1%26z%3D2"
        );
        assert!(AppLink::transaction_create(0).build().is_err());
        assert!(
            AppLink::transaction_create(1)
                .reference("x".repeat(21))
                .build()
                .is_err()
        );
        assert_eq!(
            AppLink::status().build().unwrap_or_default(),
            "gptom://status"
        );
    }

    #[test]
    fn decimals_become_minor_units() {
        assert_eq!(parse_decimal("4.35"), Some(435));
        assert_eq!(parse_decimal("4"), Some(400));
        assert_eq!(parse_decimal("4.3"), Some(430));
        assert_eq!(parse_decimal("-1.00"), Some(-100));
        assert_eq!(parse_decimal("4.355"), None);
        assert_eq!(parse_decimal("four"), None);
        assert_eq!(parse_decimal(".5"), None);
    }

    #[test]
    fn malformed_redirects_are_errors_not_panics() {
        assert!(matches!(
            parse_redirect("not a url"),
            Err(RedirectError::NotAUrl(_))
        ));
        assert!(matches!(
            parse_redirect("app://x?receipt=%7Bnope"),
            Err(RedirectError::BadJson {
                field: "receipt",
                ..
            })
        ));
        assert!(matches!(
            parse_redirect("app://x?receipt=%7B%22amount%22%3A%22abc%22%7D"),
            Err(RedirectError::BadAmount {
                field: "amount",
                ..
            })
        ));
        let ok = parse_redirect("app://x?status=ERROR&error=invalidAmount")
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(ok.error.as_deref(), Some("invalidAmount"));
        assert!(ok.receipt.is_none());
    }
}

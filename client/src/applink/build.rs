//! Building `gptom://` links: values percent-encoded as GP tom's app reads them back.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::{Error, ValidationError};
use crate::request::{MAX_APP_REFERENCE_LEN, PaymentMethod, ReceiptType};

/// What a link value may keep unencoded: RFC 3986's unreserved characters.
const LINK_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A value as GP tom's app reads it back after decoding twice: `%` encoded twice, the rest once.
fn encode_link_value(value: &str) -> String {
    utf8_percent_encode(value, LINK_VALUE)
        .to_string()
        .replace("%25", "%2525")
}

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

    /// `gptom://change-password`.
    #[must_use]
    pub fn change_password() -> Self {
        AppLink::new("change-password")
    }

    /// Your reference (≤ 20 characters, GP tom's documented limit for deep links).
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

    /// How the customer pays (`transactionType` in the deep link).
    #[must_use]
    pub fn method(self, method: PaymentMethod) -> Self {
        self.with("transactionType", method.as_str())
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
            if *key == "originReferenceNum" && value.chars().count() > MAX_APP_REFERENCE_LEN {
                errors.push(ValidationError {
                    field: "originReferenceNum",
                    message: format!("must be at most {MAX_APP_REFERENCE_LEN} characters"),
                });
            }
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let query = self
            .params
            .iter()
            .map(|(key, value)| format!("{key}={}", encode_link_value(value)))
            .collect::<Vec<_>>()
            .join("&");
        Ok(if query.is_empty() {
            format!("gptom://{}", self.operation)
        } else {
            format!("gptom://{}?{query}", self.operation)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_percent_encoded_as_the_app_reads_them() {
        let link = AppLink::transaction_cancel("123 456")
            .redirect_url("app://transaction/cancel?y=1&z=2")
            .client_phone("+420606505404")
            .build()
            .unwrap_or_default();
        assert_eq!(
            link,
            "gptom://transaction/cancel?amsID=123%20456&redirectUrl=app%3A%2F%2Ftransaction%2Fcancel%3Fy%3D1%26z%3D2&clientPhone=%2B420606505404"
        );
        let percent = AppLink::transaction_create(1)
            .reference("10% off")
            .build()
            .unwrap_or_default();
        assert!(
            percent.ends_with("originReferenceNum=10%2525%20off"),
            "{percent}"
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
}

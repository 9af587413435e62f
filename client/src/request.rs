//! Task requests, validated before anything is sent with the rules GP tom applies.

use serde::Serialize;

use crate::error::{Error, ValidationError};

/// How the customer pays (`paymentMethod`; in a deep link `transactionType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentMethod {
    /// A card payment on the terminal.
    #[default]
    Card,
    /// Cash recorded on the terminal.
    Cash,
    /// A bank-account (QR) payment.
    AccountPayment,
    /// BLIK.
    BlikPayment,
    /// A payment gateway (WebPay).
    PaymentGateway,
    /// GoCrypto.
    GoCrypto,
}

impl PaymentMethod {
    /// GP tom's spelling: `CARD`, `CASH`, `ACCOUNT_PAYMENT`, `BLIK_PAYMENT`, `PAYMENT_GATEWAY`,
    /// `GO_CRYPTO`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Card => "CARD",
            PaymentMethod::Cash => "CASH",
            PaymentMethod::AccountPayment => "ACCOUNT_PAYMENT",
            PaymentMethod::BlikPayment => "BLIK_PAYMENT",
            PaymentMethod::PaymentGateway => "PAYMENT_GATEWAY",
            PaymentMethod::GoCrypto => "GO_CRYPTO",
        }
    }
}

/// How the customer wants the receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ReceiptType {
    /// E-mail.
    Email,
    /// SMS.
    Phone,
    /// QR code.
    Qr,
    /// Printed.
    Print,
}

/// Which transaction a storno cancels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CancelTarget {
    /// The terminal's last transaction, with nothing in between.
    Last,
    /// An older transaction, by its amsID.
    Older(String),
}

/// The longest Cloud API `originReferenceNum` the client sends (GP tom's own example,
/// `Invoice 37364FD payment`, is 23 characters; the mock accepts 100).
pub const MAX_REFERENCE_LEN: usize = 100;
/// The longest `originReferenceNum` of a deep link (GP tom's documented limit).
pub const MAX_APP_REFERENCE_LEN: usize = 20;

/// A SALE.
///
/// ```
/// let sale = gptom_client::SaleRequest::new(1000, "CZK").reference("Invoice 37364FD");
/// assert!(sale.validate().is_ok());
/// assert!(gptom_client::SaleRequest::new(0, "CZK").validate().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaleRequest {
    amount: i64,
    currency: String,
    tip: Option<i64>,
    tip_collect: bool,
    method: PaymentMethod,
    reference: Option<String>,
    print: bool,
    receipt: Option<ReceiptType>,
    client_id: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

impl SaleRequest {
    /// A card sale of `amount` minor units (1000 = 10.00) in `currency` (ISO 4217 letters).
    #[must_use]
    pub fn new(amount: i64, currency: impl Into<String>) -> Self {
        SaleRequest {
            amount,
            currency: currency.into(),
            tip: None,
            tip_collect: false,
            method: PaymentMethod::Card,
            reference: None,
            print: false,
            receipt: None,
            client_id: None,
            email: None,
            phone: None,
        }
    }

    /// Your reference (≤ 20 characters): how you find the payment again.
    #[must_use]
    pub fn reference(mut self, reference: impl Into<String>) -> Self {
        self.reference = Some(reference.into());
        self
    }

    /// A tip in minor units.
    #[must_use]
    pub fn tip(mut self, tip: i64) -> Self {
        self.tip = Some(tip);
        self
    }

    /// Let the terminal ask the customer for a tip.
    #[must_use]
    pub fn collect_tip(mut self, collect: bool) -> Self {
        self.tip_collect = collect;
        self
    }

    /// CARD (default) or CASH.
    #[must_use]
    pub fn method(mut self, method: PaymentMethod) -> Self {
        self.method = method;
        self
    }

    /// Print the receipt on the terminal.
    #[must_use]
    pub fn print(mut self, print: bool) -> Self {
        self.print = print;
        self
    }

    /// Preferred receipt delivery.
    #[must_use]
    pub fn receipt(mut self, receipt: ReceiptType) -> Self {
        self.receipt = Some(receipt);
        self
    }

    /// Your client id.
    #[must_use]
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// The customer's contact for the receipt.
    #[must_use]
    pub fn contact(mut self, email: Option<String>, phone: Option<String>) -> Self {
        self.email = email;
        self.phone = phone;
        self
    }

    /// The reference, if any.
    #[must_use]
    pub fn reference_text(&self) -> Option<&str> {
        self.reference.as_deref()
    }

    /// Checks GP tom's rules.
    pub fn validate(&self) -> Result<(), Error> {
        let mut errors = Vec::new();
        if self.amount <= 0 {
            errors.push(ValidationError {
                field: "amount",
                message: "must be greater than 0".into(),
            });
        }
        if self.amount > 99_999_999 {
            errors.push(ValidationError {
                field: "amount",
                message: "must be at most 99999999".into(),
            });
        }
        if self.tip.is_some_and(|tip| tip < 0) {
            errors.push(ValidationError {
                field: "tipAmount",
                message: "must not be negative".into(),
            });
        }
        check_currency(&self.currency, &mut errors);
        check_reference(self.reference.as_deref(), &mut errors);
        if self
            .email
            .as_deref()
            .is_some_and(|email| !email.contains('@'))
        {
            errors.push(ValidationError {
                field: "clientInfo.contact.email",
                message: "must be an e-mail address".into(),
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(errors))
        }
    }

    pub(crate) fn body(&self, tid: Option<&str>) -> serde_json::Value {
        let mut body = serde_json::json!({
            "transactionType": "SALE",
            "amount": self.amount,
            "currencyCode": self.currency,
            "paymentMethod": self.method,
            "printByPaymentApp": self.print,
        });
        let object = body
            .as_object_mut()
            .expect("a json! object literal is an object");
        if let Some(tip) = self.tip {
            object.insert("tipAmount".into(), tip.into());
        }
        if self.tip_collect {
            object.insert("tipCollect".into(), true.into());
        }
        if let Some(reference) = &self.reference {
            object.insert("originReferenceNum".into(), reference.clone().into());
        }
        if let Some(receipt) = self.receipt {
            object.insert(
                "preferableReceiptType".into(),
                serde_json::to_value(receipt).unwrap_or_default(),
            );
        }
        if let Some(client_id) = &self.client_id {
            object.insert("clientID".into(), client_id.clone().into());
        }
        if self.email.is_some() || self.phone.is_some() {
            object.insert(
                "clientInfo".into(),
                serde_json::json!({ "contact": { "email": self.email, "phone": self.phone } }),
            );
        }
        if let Some(tid) = tid {
            object.insert("tid".into(), tid.into());
        }
        body
    }
}

/// A CANCEL (storno).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CancelRequest {
    target: CancelTarget,
    currency: String,
    reference: Option<String>,
}

impl CancelRequest {
    /// Cancels the terminal's last transaction.
    #[must_use]
    pub fn last(currency: impl Into<String>) -> Self {
        CancelRequest {
            target: CancelTarget::Last,
            currency: currency.into(),
            reference: None,
        }
    }

    /// Cancels an older transaction by its amsID.
    #[must_use]
    pub fn older(ams_id: impl Into<String>, currency: impl Into<String>) -> Self {
        CancelRequest {
            target: CancelTarget::Older(ams_id.into()),
            currency: currency.into(),
            reference: None,
        }
    }

    /// Your reference for the storno.
    #[must_use]
    pub fn reference(mut self, reference: impl Into<String>) -> Self {
        self.reference = Some(reference.into());
        self
    }

    /// Checks GP tom's rules.
    pub fn validate(&self) -> Result<(), Error> {
        let mut errors = Vec::new();
        check_currency(&self.currency, &mut errors);
        check_reference(self.reference.as_deref(), &mut errors);
        if let CancelTarget::Older(ams_id) = &self.target
            && ams_id.trim().is_empty()
        {
            errors.push(ValidationError {
                field: "originTransactionID",
                message: "must not be empty".into(),
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(errors))
        }
    }

    pub(crate) fn body(&self, tid: Option<&str>) -> serde_json::Value {
        let mut body =
            serde_json::json!({ "transactionType": "CANCEL", "currencyCode": self.currency });
        let object = body
            .as_object_mut()
            .expect("a json! object literal is an object");
        match &self.target {
            CancelTarget::Last => {
                object.insert("cancelMode".into(), "LAST_TRANSACTION".into());
            }
            CancelTarget::Older(ams_id) => {
                object.insert("cancelMode".into(), "OLDER_TRANSACTION".into());
                object.insert("originTransactionID".into(), ams_id.clone().into());
            }
        }
        if let Some(reference) = &self.reference {
            object.insert("originReferenceNum".into(), reference.clone().into());
        }
        if let Some(tid) = tid {
            object.insert("tid".into(), tid.into());
        }
        body
    }
}

fn check_currency(currency: &str, errors: &mut Vec<ValidationError>) {
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        errors.push(ValidationError {
            field: "currencyCode",
            message: "must be three upper-case ISO 4217 letters".into(),
        });
    }
}

fn check_reference(reference: Option<&str>, errors: &mut Vec<ValidationError>) {
    if reference.is_some_and(|reference| reference.chars().count() > MAX_REFERENCE_LEN) {
        errors.push(ValidationError {
            field: "originReferenceNum",
            message: format!("must be at most {MAX_REFERENCE_LEN} characters"),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_broken_field_is_reported() {
        let Err(Error::Validation(errors)) = SaleRequest::new(-5, "czk")
            .reference("x".repeat(MAX_REFERENCE_LEN + 1))
            .tip(-1)
            .validate()
        else {
            panic!("expected a validation error");
        };
        let fields: Vec<&str> = errors.iter().map(|error| error.field).collect();
        assert_eq!(
            fields,
            ["amount", "tipAmount", "currencyCode", "originReferenceNum"]
        );
    }

    #[test]
    fn a_sale_body_has_gp_toms_field_names() {
        let body = SaleRequest::new(435, "CZK")
            .tip(50)
            .reference("Invoice 1")
            .receipt(ReceiptType::Email)
            .body(Some("999889"));
        assert_eq!(body["transactionType"], "SALE");
        assert_eq!(body["amount"], 435);
        assert_eq!(body["tipAmount"], 50);
        assert_eq!(body["paymentMethod"], "CARD");
        assert_eq!(body["originReferenceNum"], "Invoice 1");
        assert_eq!(body["preferableReceiptType"], "EMAIL");
        assert_eq!(body["tid"], "999889");
    }

    #[test]
    fn a_cancel_body_names_its_mode() {
        let body = CancelRequest::older("123456789012", "CZK").body(None);
        assert_eq!(body["cancelMode"], "OLDER_TRANSACTION");
        assert_eq!(body["originTransactionID"], "123456789012");
        assert_eq!(
            CancelRequest::last("CZK").body(None)["cancelMode"],
            "LAST_TRANSACTION"
        );
        assert!(CancelRequest::older(" ", "CZK").validate().is_err());
    }
}

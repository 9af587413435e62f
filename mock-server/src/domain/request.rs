//! The task requests as GP tom defines them: types, limits, and the broken-field report. Reading
//! them from a JSON body is `crate::wire::request`'s job.

use serde::Serialize;

/// One broken field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's JSON path, `clientInfo.contact.email`.
    pub field: String,
    /// The rule it breaks.
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// SALE or CANCEL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TransactionType {
    /// A payment.
    Sale,
    /// A storno of an earlier payment.
    Cancel,
    /// A refund (app-to-app `transaction/refund`).
    Refund,
}

impl TransactionType {
    /// Every variant.
    pub const ALL: [TransactionType; 3] = [
        TransactionType::Sale,
        TransactionType::Cancel,
        TransactionType::Refund,
    ];

    /// Wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            TransactionType::Sale => "SALE",
            TransactionType::Cancel => "CANCEL",
            TransactionType::Refund => "REFUND",
        }
    }
}

/// How the customer pays: the SDK's `TransactionType` (spec §2.1), also the Cloud API's
/// `paymentMethod`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentMethod {
    /// Card payment.
    Card,
    /// Cash recorded on the terminal.
    Cash,
    /// A bank-account (QR) payment.
    AccountPayment,
    /// BLIK (Polish mobile payments).
    BlikPayment,
    /// A payment gateway (WebPay).
    PaymentGateway,
    /// GoCrypto.
    GoCrypto,
}

impl PaymentMethod {
    /// Every method, in the SDK's order of the example app.
    pub const ALL: [PaymentMethod; 6] = [
        PaymentMethod::Card,
        PaymentMethod::Cash,
        PaymentMethod::AccountPayment,
        PaymentMethod::BlikPayment,
        PaymentMethod::PaymentGateway,
        PaymentMethod::GoCrypto,
    ];

    /// Wire spelling.
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

    /// Parses the exact wire spelling.
    #[must_use]
    pub fn parse(text: &str) -> Option<PaymentMethod> {
        PaymentMethod::ALL
            .into_iter()
            .find(|method| method.as_str() == text)
    }

    /// The `(word, method)` pairs, for validators.
    #[must_use]
    pub fn choices() -> [(&'static str, PaymentMethod); 6] {
        PaymentMethod::ALL.map(|method| (method.as_str(), method))
    }
}

/// Which transaction a CANCEL targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CancelMode {
    /// The terminal's last transaction, nothing in between.
    LastTransaction,
    /// An older one, by `originTransactionID` (its amsID).
    OlderTransaction,
}

impl CancelMode {
    /// Every variant.
    pub const ALL: [CancelMode; 2] = [CancelMode::LastTransaction, CancelMode::OlderTransaction];

    /// Wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            CancelMode::LastTransaction => "LAST_TRANSACTION",
            CancelMode::OlderTransaction => "OLDER_TRANSACTION",
        }
    }
}

/// Receipt delivery the customer prefers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ReceiptType {
    /// E-mail.
    Email,
    /// SMS (`PHONE`).
    Phone,
    /// QR code.
    Qr,
    /// Printed.
    Print,
}

impl ReceiptType {
    /// Every variant.
    pub const ALL: [ReceiptType; 4] = [
        ReceiptType::Email,
        ReceiptType::Phone,
        ReceiptType::Qr,
        ReceiptType::Print,
    ];

    /// Parses any case; `SMS` means `PHONE`.
    #[must_use]
    pub fn parse(text: &str) -> Option<ReceiptType> {
        match text.to_ascii_uppercase().as_str() {
            "EMAIL" => Some(ReceiptType::Email),
            "PHONE" | "SMS" => Some(ReceiptType::Phone),
            "QR" => Some(ReceiptType::Qr),
            "PRINT" => Some(ReceiptType::Print),
            _ => None,
        }
    }
}

/// A validated `CreateCloudTaskTransactionApiRequest`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionRequest {
    /// SALE or CANCEL.
    pub transaction_type: TransactionType,
    /// Minor units; `None` for a CANCEL without amount.
    pub amount: Option<i64>,
    /// Tip in minor units.
    pub tip_amount: i64,
    /// The terminal asks for the tip.
    pub tip_collect: bool,
    /// ISO 4217 letters.
    pub currency_code: String,
    /// CARD or CASH (CARD when a CANCEL omits it).
    pub payment_method: PaymentMethod,
    /// The integrator's reference.
    pub origin_reference_num: Option<Box<str>>,
    /// Print the receipt on the terminal.
    pub print_by_payment_app: bool,
    /// Receipt delivery.
    pub preferable_receipt_type: Option<ReceiptType>,
    /// Integrator's client id.
    #[serde(rename = "clientID")]
    pub client_id: Option<Box<str>>,
    /// Customer's e-mail.
    pub client_email: Option<Box<str>>,
    /// Customer's phone.
    pub client_phone: Option<Box<str>>,
    /// Target terminal (master accounts).
    pub tid: Option<String>,
    /// CANCEL only.
    pub cancel_mode: Option<CancelMode>,
    /// CANCEL with OLDER_TRANSACTION: the original's amsID.
    #[serde(rename = "originTransactionID")]
    pub origin_transaction_id: Option<Box<str>>,
    /// App-to-app: the caller's request id (for `transaction/detail?requestID=`).
    #[serde(rename = "requestID", skip_serializing_if = "Option::is_none")]
    pub request_id: Option<Box<str>>,
}

/// The largest amount accepted (999 999.99 in major units).
pub const MAX_AMOUNT: i64 = 99_999_999;
/// The longest Cloud API `originReferenceNum` the mock accepts at all. GP tom's own example,
/// `Invoice 37364FD payment`, is 23 characters, so the deep links' 20 does not apply; a scenario
/// can lower it (`wire: { reference_max_length: N }`).
pub const MAX_REFERENCE_LEN: usize = 100;
/// The longest `originReferenceNum` of a deep link GP tom documents (seed 002); longer ones are
/// accepted and reported by `verify`.
pub const MAX_APP_REFERENCE_LEN: usize = 20;

/// A validated batch close request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchRequest {
    /// Target terminal (master accounts).
    pub tid: Option<String>,
}

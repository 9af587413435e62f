//! The task requests as GP tom defines them: types, limits, and the broken-field report. Reading
//! them from a JSON body is `crate::wire::request`'s job.

use serde::Serialize;

pub use super::currency::CurrencyCode;

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

/// A validated `CreateCloudTaskTransactionApiRequest`. What most requests leave out (client
/// ids and contacts, the target terminal, the cancelled payment, the app's request id) lives in
/// one box, so a stored payment without them does not carry their room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(from = "RequestRecord", into = "RequestRecord")]
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
    pub currency_code: CurrencyCode,
    /// CARD or CASH (CARD when a CANCEL omits it).
    pub payment_method: PaymentMethod,
    /// The integrator's reference.
    pub origin_reference_num: Option<Box<str>>,
    /// Print the receipt on the terminal.
    pub print_by_payment_app: bool,
    /// Receipt delivery.
    pub preferable_receipt_type: Option<ReceiptType>,
    /// CANCEL only.
    pub cancel_mode: Option<CancelMode>,
    /// The rarely given fields ([`TransactionRequest::extras`]); `None` when all are absent.
    pub extras: Option<Box<RequestExtras>>,
}

/// The fields of a transaction request most requests leave out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestExtras {
    /// Integrator's client id.
    pub client_id: Option<Box<str>>,
    /// Customer's e-mail.
    pub client_email: Option<Box<str>>,
    /// Customer's phone.
    pub client_phone: Option<Box<str>>,
    /// Target terminal (master accounts).
    pub tid: Option<String>,
    /// CANCEL with OLDER_TRANSACTION: the original's amsID.
    pub origin_transaction_id: Option<Box<str>>,
    /// App-to-app: the caller's request id (for `transaction/detail?requestID=`).
    pub request_id: Option<Box<str>>,
}

/// No extras.
static NO_EXTRAS: RequestExtras = RequestExtras {
    client_id: None,
    client_email: None,
    client_phone: None,
    tid: None,
    origin_transaction_id: None,
    request_id: None,
};

impl RequestExtras {
    /// Boxed, or `None` when every field is absent.
    #[must_use]
    pub fn boxed(self) -> Option<Box<RequestExtras>> {
        (self != NO_EXTRAS).then(|| Box::new(self))
    }
}

impl TransactionRequest {
    /// The rarely given fields (all absent when none was given).
    #[must_use]
    pub fn extras(&self) -> &RequestExtras {
        self.extras.as_deref().unwrap_or(&NO_EXTRAS)
    }
}

/// A transaction request as the mock writes it to its own files (the data dir's rows, the state
/// file, the state view): flat, every field by its GP tom name.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    transaction_type: TransactionType,
    amount: Option<i64>,
    tip_amount: i64,
    tip_collect: bool,
    currency_code: CurrencyCode,
    payment_method: PaymentMethod,
    origin_reference_num: Option<Box<str>>,
    print_by_payment_app: bool,
    preferable_receipt_type: Option<ReceiptType>,
    #[serde(rename = "clientID")]
    client_id: Option<Box<str>>,
    client_email: Option<Box<str>>,
    client_phone: Option<Box<str>>,
    tid: Option<String>,
    cancel_mode: Option<CancelMode>,
    #[serde(rename = "originTransactionID")]
    origin_transaction_id: Option<Box<str>>,
    #[serde(rename = "requestID", skip_serializing_if = "Option::is_none")]
    request_id: Option<Box<str>>,
}

impl From<RequestRecord> for TransactionRequest {
    fn from(record: RequestRecord) -> Self {
        TransactionRequest {
            transaction_type: record.transaction_type,
            amount: record.amount,
            tip_amount: record.tip_amount,
            tip_collect: record.tip_collect,
            currency_code: record.currency_code,
            payment_method: record.payment_method,
            origin_reference_num: record.origin_reference_num,
            print_by_payment_app: record.print_by_payment_app,
            preferable_receipt_type: record.preferable_receipt_type,
            cancel_mode: record.cancel_mode,
            extras: RequestExtras {
                client_id: record.client_id,
                client_email: record.client_email,
                client_phone: record.client_phone,
                tid: record.tid,
                origin_transaction_id: record.origin_transaction_id,
                request_id: record.request_id,
            }
            .boxed(),
        }
    }
}

impl From<TransactionRequest> for RequestRecord {
    fn from(request: TransactionRequest) -> Self {
        let extras = request.extras.map(|extras| *extras).unwrap_or_default();
        RequestRecord {
            transaction_type: request.transaction_type,
            amount: request.amount,
            tip_amount: request.tip_amount,
            tip_collect: request.tip_collect,
            currency_code: request.currency_code,
            payment_method: request.payment_method,
            origin_reference_num: request.origin_reference_num,
            print_by_payment_app: request.print_by_payment_app,
            preferable_receipt_type: request.preferable_receipt_type,
            client_id: extras.client_id,
            client_email: extras.client_email,
            client_phone: extras.client_phone,
            tid: extras.tid,
            cancel_mode: request.cancel_mode,
            origin_transaction_id: extras.origin_transaction_id,
            request_id: extras.request_id,
        }
    }
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

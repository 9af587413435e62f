//! App-to-app deep links: build `gptom://…` URLs and read the redirect GP tom answers with.
//!
//! Both halves follow GP tom's own iOS SDK (`GPtomSDK`), the client GP tom's app is built to
//! talk to:
//! - a link's values are percent-encoded with `%20` for a space and `%2B` for a plus (the app
//!   keeps `+` as a plus), and a literal `%` is encoded twice (the app decodes twice);
//! - [`parse_redirect`] reads a redirect as `DeeplinkResult.from(url:)` does: the operation from
//!   the redirect URL's own path, every value percent-decoded twice, `status` a `TaskStatus`,
//!   `code` a `RefusalCode`, `error` a `DeeplinkError`, and `receipt`, `batch` and `appStatus`
//!   decoded with the SDK models' types. Whatever the SDK would reject or drop is left out of the
//!   result, exactly as in a Swift app, and listed in [`AppResult::problems`] so you can see why.
//!
//! ```
//! use gptom_client::applink::{AppLink, parse_redirect, ResultKind, TaskStatus};
//!
//! let link = AppLink::transaction_create(435)
//!     .reference("Order 7")
//!     .redirect_url("myshop://transaction/create")
//!     .build()?;
//! assert_eq!(link, "gptom://transaction/create?amount=435&originReferenceNum=Order%207&redirectUrl=myshop%3A%2F%2Ftransaction%2Fcreate");
//!
//! let result = parse_redirect("myshop://transaction/create?status=COMPLETED&code=approved&receipt=%7B%22amount%22%3A%224.35%22%7D")?;
//! assert_eq!(result.kind, Some(ResultKind::CreateTransaction));
//! assert_eq!(result.status, Some(TaskStatus::Completed));
//! assert_eq!(result.receipt.and_then(|receipt| receipt.amount_minor()), Some(435));
//! assert!(result.problems.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Why this file is long: it is both halves of one protocol — the link builder and the redirect
//! reader with a decoder per SDK model (`TransactionData`, `Batch`, `SubBatch`, `AppStatus`) — and
//! the two must change together when GP tom's SDK does.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde_json::{Map, Value};

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

/// Which result the SDK makes of a redirect: it looks for the operation's path anywhere in the
/// redirect URL (`DeeplinkResult.from(url:)`), so the redirect must contain it; a status answer
/// is told by its `appStatus` parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultKind {
    /// `transaction/create`.
    CreateTransaction,
    /// `transaction/cancel`.
    CancelTransaction,
    /// `transaction/refund`.
    RefundTransaction,
    /// `change-password` (SDK `08f1318`; not in 2025's).
    ChangePassword,
    /// `login` (SDK `08f1318`; not in 2025's).
    Login,
    /// `logout` (SDK `08f1318`; not in 2025's).
    Logout,
    /// `batch/close`.
    CloseBatch,
    /// `status`: the redirect carries `appStatus`.
    Status,
}

/// Which generation of GP tom's iOS SDK reads the redirect: the mock's `--app-profile` names the
/// same generations. The SDK's models changed between them (GoCrypto left, DCC data, girocard and
/// thirteen error words came; docs/sdk-versions.md has the table).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SdkGeneration {
    /// `GP-tom/tom-ios-sdk` at `08f1318` (2026-06-10).
    #[default]
    Current,
    /// `GP-tom/tom-ios-sdk` at `a280f7d` (2025-11-10), the last 2025 commit.
    Sdk2025,
}

impl SdkGeneration {
    /// The paths `DeeplinkResult.from(url:)` looks for, in its order.
    #[must_use]
    pub fn result_paths(self) -> &'static [(&'static str, ResultKind)] {
        match self {
            SdkGeneration::Current => &[
                ("transaction/create", ResultKind::CreateTransaction),
                ("transaction/cancel", ResultKind::CancelTransaction),
                ("transaction/refund", ResultKind::RefundTransaction),
                ("change-password", ResultKind::ChangePassword),
                ("login", ResultKind::Login),
                ("logout", ResultKind::Logout),
                ("batch/close", ResultKind::CloseBatch),
                ("appStatus", ResultKind::Status),
            ],
            SdkGeneration::Sdk2025 => &[
                ("transaction/create", ResultKind::CreateTransaction),
                ("transaction/cancel", ResultKind::CancelTransaction),
                ("transaction/refund", ResultKind::RefundTransaction),
                ("batch/close", ResultKind::CloseBatch),
                ("appStatus", ResultKind::Status),
            ],
        }
    }

    /// Its `DeeplinkError` words.
    #[must_use]
    pub fn deeplink_errors(self) -> &'static [&'static str] {
        match self {
            SdkGeneration::Current => &DEEPLINK_ERRORS,
            SdkGeneration::Sdk2025 => &DEEPLINK_ERRORS[..6],
        }
    }

    /// Its `CardType` words.
    #[must_use]
    pub fn card_types(self) -> &'static [&'static str] {
        match self {
            SdkGeneration::Current => &CARD_TYPES,
            SdkGeneration::Sdk2025 => &CARD_TYPES[..11],
        }
    }

    /// Its `TransactionType` words.
    #[must_use]
    pub fn payment_methods(self) -> &'static [&'static str] {
        match self {
            SdkGeneration::Current => PAYMENT_METHODS,
            SdkGeneration::Sdk2025 => &PAYMENT_METHODS_2025,
        }
    }

    /// Its `SubBatches` keys.
    #[must_use]
    pub fn sub_batch_keys(self) -> &'static [&'static str] {
        match self {
            SdkGeneration::Current => PAYMENT_METHODS,
            SdkGeneration::Sdk2025 => &PAYMENT_METHODS_2025,
        }
    }

    /// Its `TransactionData` keys.
    fn receipt_keys(self) -> &'static [&'static str] {
        match self {
            SdkGeneration::Current => &RECEIPT_KEYS,
            SdkGeneration::Sdk2025 => &RECEIPT_KEYS[..RECEIPT_KEYS.len() - 1],
        }
    }
}

/// The SDK's `TaskStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskStatus {
    /// `COMPLETED`.
    Completed,
    /// `CANCELLED`: the customer or the operator aborted.
    Cancelled,
    /// `ERROR`.
    Error,
}

impl TaskStatus {
    /// GP tom's spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Completed => "COMPLETED",
            TaskStatus::Cancelled => "CANCELLED",
            TaskStatus::Error => "ERROR",
        }
    }
}

/// The SDK's `RefusalCode` words.
pub const REFUSAL_CODES: [&str; 30] = [
    "unknown",
    "approved",
    "approvedRequiredIdentification",
    "declined",
    "expiredCard",
    "pinTriesExceeded",
    "callService",
    "technicalIssue",
    "invalidRequest",
    "captureCard",
    "declinedProblemWithCard",
    "invalidData",
    "insufficientFunds",
    "usageLimitReached",
    "duplicateTransaction",
    "amountLimitExceeded",
    "transactionIsNotSupported",
    "callForAuthorization",
    "declinedLowAmount",
    "pinRequired",
    "cardNotSupported",
    "invalidPin",
    "technicalIssueOfTerminal",
    "declinedPurchasePossible",
    "invalidFormat",
    "delivered",
    "stored",
    "noMoreData",
    "moreDataExists",
    "invalidSupervisorCard",
];

/// The SDK's `DeeplinkError` words (`08f1318`; the first six are 2025's).
pub const DEEPLINK_ERRORS: [&str; 19] = [
    "failed",
    "networkError",
    "invalidClientId",
    "merchantInfoMissing",
    "failedTapToPay",
    "failedToCloseBatch",
    "unsupportedTransactionOperationOrType",
    "invalidAmount",
    "cannotBeVoided",
    "userNotLoggedIn",
    "invalidCredentials",
    "tidNotAssignedToThisUser",
    "tidAlreadyOccupied",
    "anotherTidUsedOnThisDevice",
    "passwordChangeRequired",
    "passwordPendingConfirmation",
    "invalidCode",
    "invalidUserName",
    "terminalSetupFailed",
];

/// The SDK's `CardType` words (`08f1318`); all but the last, `GIROCARD` (`6e92710`), are 2025's.
pub const CARD_TYPES: [&str; 12] = [
    "VISA",
    "MASTERCARD",
    "AMEX",
    "DISCOVER",
    "JCB",
    "JCBANDVISA",
    "TROY",
    "UNIONPAY",
    "RUPAY",
    "PURE",
    "UNKNOWN",
    "GIROCARD",
];

/// The 2025 SDK's `TransactionType` words and `SubBatches` keys (`a280f7d`); all but the last,
/// `GO_CRYPTO`, are today's.
pub const PAYMENT_METHODS_2025: [&str; 6] = [
    "CASH",
    "CARD",
    "ACCOUNT_PAYMENT",
    "BLIK_PAYMENT",
    "PAYMENT_GATEWAY",
    "GO_CRYPTO",
];

/// The SDK's `TransactionType` words (the payment method), also its `SubBatches` keys
/// (`08f1318`: GoCrypto left at `5e1ec77`).
pub const PAYMENT_METHODS: &[&str] = PAYMENT_METHODS_2025.split_at(5).0;

/// `TransactionData`'s keys (`08f1318`); 2025's lacks the last, `dccData`.
const RECEIPT_KEYS: [&str; 25] = [
    "batchNumber",
    "receiptNumber",
    "terminalID",
    "emvAid",
    "emvAppLabel",
    "cardNumber",
    "transactionType",
    "currencyCode",
    "amount",
    "totalAmount",
    "pinOk",
    "authorizationCode",
    "sequenceNumber",
    "date",
    "cardType",
    "referenceNumber",
    "transactionID",
    "tipAmount",
    "result",
    "cardEntryMode",
    "merchantID",
    "amsID",
    "blikCode",
    "blikTransactionRef",
    "dccData",
];

/// Dynamic Currency Conversion on a receipt (the SDK's `DCCOptionsWrapper`, `08f1318`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DccData {
    /// The card's currency, ISO 4217 letters.
    pub currency: String,
    /// The amount in the card's currency, decimal text (`"40.97"`, `"622"`, `"1.633"`).
    pub amount: String,
    /// The markup in per cent, text.
    pub markup: String,
    /// The card's region and scheme class.
    pub region_schema_indicator: i64,
    /// Terminal-currency units per one card-currency unit.
    pub exchange_rate: f64,
    /// `ACCEPTED`, `NOT_ACCEPTED` or `NOT_PROCESSED`.
    pub status: Option<String>,
}

/// A postal address (the SDK's `Address`): every part optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Address {
    /// Town.
    pub city: Option<String>,
    /// County.
    pub county: Option<String>,
    /// House number.
    pub house: Option<String>,
    /// The place.
    pub location: Option<String>,
    /// Street.
    pub street: Option<String>,
    /// Postal code.
    pub zip: Option<String>,
}

/// A payment as the SDK's `TransactionData`: every key optional, amounts decimal strings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TransactionData {
    /// Batch number.
    pub batch_number: Option<String>,
    /// Receipt number.
    pub receipt_number: Option<String>,
    /// Terminal (`terminalID`).
    pub terminal_id: Option<String>,
    /// EMV application id.
    pub emv_aid: Option<String>,
    /// EMV application label.
    pub emv_app_label: Option<String>,
    /// Masked PAN.
    pub card_number: Option<String>,
    /// The payment method (`CARD`, `CASH`, …).
    pub transaction_type: Option<String>,
    /// ISO 4217 letters.
    pub currency_code: Option<String>,
    /// Major units, `"4.35"`.
    pub amount: Option<String>,
    /// Major units.
    pub total_amount: Option<String>,
    /// Major units.
    pub tip_amount: Option<String>,
    /// PIN verified.
    pub pin_ok: Option<bool>,
    /// Approved payments only.
    pub authorization_code: Option<String>,
    /// Identifies the payment for a cancellation.
    pub sequence_number: Option<String>,
    /// ISO 8601 with fractional seconds.
    pub date: Option<String>,
    /// `VISA`, `MASTERCARD`, …
    pub card_type: Option<String>,
    /// The reference you entered (`originReferenceNum`).
    pub reference_number: Option<String>,
    /// The payment's id (`transactionID`).
    pub transaction_id: Option<String>,
    /// 0 approved, -1 declined.
    pub result: Option<i64>,
    /// How the card was read.
    pub card_entry_mode: Option<String>,
    /// Merchant (`merchantID`).
    pub merchant_id: Option<String>,
    /// GP tom's id of the payment (`amsID`), for `transaction/cancel`.
    pub ams_id: Option<String>,
    /// The code the customer typed (BLIK).
    pub blik_code: Option<String>,
    /// BLIK's reference (BLIK).
    pub blik_transaction_ref: Option<String>,
    /// Dynamic Currency Conversion offered to a foreign card.
    pub dcc_data: Option<DccData>,
}

impl TransactionData {
    /// `amount` in minor units.
    #[must_use]
    pub fn amount_minor(&self) -> Option<i64> {
        self.amount.as_deref().and_then(parse_decimal)
    }

    /// `tipAmount` in minor units.
    #[must_use]
    pub fn tip_minor(&self) -> Option<i64> {
        self.tip_amount.as_deref().and_then(parse_decimal)
    }

    /// `totalAmount` in minor units.
    #[must_use]
    pub fn total_minor(&self) -> Option<i64> {
        self.total_amount.as_deref().and_then(parse_decimal)
    }
}

/// One payment method's part of a batch (the SDK's `SubBatch`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SubBatch {
    /// The batch number.
    pub close_batch_number: Option<String>,
    /// Major units.
    pub sale_amount: Option<f64>,
    /// Count.
    pub sale_count: Option<f64>,
    /// Major units.
    pub total_amount: Option<f64>,
    /// Count.
    pub total_count: Option<f64>,
    /// Major units.
    pub void_amount: Option<f64>,
    /// Count.
    pub void_count: Option<f64>,
}

/// A batch (the SDK's `Batch`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Batch {
    /// GP tom's id of the batch; `OPEN` for the open transactions. Required.
    pub ams_id: String,
    /// The batch number.
    pub batch_number: Option<String>,
    /// Communication id.
    pub communication_id: Option<String>,
    /// ISO 4217 letters.
    pub currency: Option<String>,
    /// Closed at.
    pub date: Option<String>,
    /// First transaction.
    pub first_transaction_date: Option<String>,
    /// Uncounted transactions.
    pub invalid_count: Option<f64>,
    /// The batch before closed at.
    pub previous_batch_date: Option<String>,
    /// Major units.
    pub sale_amount: Option<f64>,
    /// Count.
    pub sale_count: Option<f64>,
    /// Major units.
    pub total_amount: Option<f64>,
    /// Count.
    pub total_count: Option<f64>,
    /// Major units.
    pub void_amount: Option<f64>,
    /// Count.
    pub void_count: Option<f64>,
    /// Per payment method: `CARD`, `CASH`, `ACCOUNT_PAYMENT`, `BLIK_PAYMENT`,
    /// `PAYMENT_GATEWAY` (and 2025's `GO_CRYPTO`).
    pub sub_batches: Vec<(String, SubBatch)>,
    /// All tips, major units (0 when absent, as the SDK reads it).
    pub tip_amount: f64,
    /// Tipped payments.
    pub tip_count: i64,
    /// The average tip, major units.
    pub tip_average: f64,
    /// Tips as a share of the amounts, per cent.
    pub tip_average_percentage: f64,
}

impl Batch {
    /// Whether this is the pseudo-batch of open transactions.
    #[must_use]
    pub fn is_open(&self) -> bool {
        self.ams_id == "OPEN"
    }
}

/// The logged-in user (the SDK's `UserInfo`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserInfo {
    /// Client id.
    pub client_id: String,
    /// Login e-mail.
    pub email: String,
    /// Company registration number (optional since SDK `c2a7fe6`).
    pub business_id: Option<String>,
    /// VAT id.
    pub vat_id: Option<String>,
    /// Terminal.
    pub tid: String,
    /// Merchant.
    pub mid: String,
    /// Tips on.
    pub tip_enabled: bool,
    /// Printer connected.
    pub printer_available: bool,
    /// Manual card entry forbidden.
    pub manual_transaction_restricted: bool,
    /// Where the merchant is.
    pub merchant_location: Address,
}

/// The app's state (the SDK's `AppStatus`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppStatus {
    /// The app's version.
    pub app_version: String,
    /// Present while someone is logged in.
    pub user_info: Option<UserInfo>,
}

impl AppStatus {
    /// Whether someone is logged in (the SDK's `isLoggedIn`).
    #[must_use]
    pub fn is_logged_in(&self) -> bool {
        self.user_info.is_some()
    }
}

/// Something GP tom's SDK would reject or drop in a redirect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SdkProblem {
    /// The query parameter (`receipt`, `status`, …) or `redirect` for the URL itself.
    pub parameter: String,
    /// What the SDK does with it.
    pub message: String,
}

impl std::fmt::Display for SdkProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.parameter, self.message)
    }
}

/// What GP tom put on the redirect, as GP tom's SDK reads it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppResult {
    /// Which operation the SDK takes the answer for; `None` when the redirect URL names none of
    /// `transaction/create`, `transaction/cancel`, `batch/close`.
    pub kind: Option<ResultKind>,
    /// The task's status; `None` when missing or not a `TaskStatus` (the SDK then returns no
    /// result at all).
    pub status: Option<TaskStatus>,
    /// The refusal word, when it is one of [`REFUSAL_CODES`].
    pub code: Option<String>,
    /// The error word, when it is one of [`DEEPLINK_ERRORS`].
    pub error: Option<String>,
    /// The receipt, when it decodes as `TransactionData`.
    pub receipt: Option<TransactionData>,
    /// The batch, when it decodes as `Batch`.
    pub batch: Option<Batch>,
    /// The app's state, when it decodes as `AppStatus`.
    pub app_status: Option<AppStatus>,
    /// What the SDK would have rejected or dropped; empty for a faithful GP tom answer.
    pub problems: Vec<SdkProblem>,
}

/// A redirect that cannot be read at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RedirectError {
    /// Not a URL at all.
    #[error("not a URL: {0}")]
    NotAUrl(String),
}

/// Decodes `%XX` strictly, as Foundation's `removingPercentEncoding`.
fn decode_strict(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            if !bytes
                .get(index + 1..index + 3)
                .is_some_and(|pair| pair.iter().all(u8::is_ascii_hexdigit))
            {
                return None;
            }
            index += 3;
        } else {
            index += 1;
        }
    }
    percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|decoded| decoded.into_owned())
}

/// Reads the URL GP tom redirected to, as GP tom's current SDK (`08f1318`) reads it.
pub fn parse_redirect(redirect: &str) -> Result<AppResult, RedirectError> {
    parse_redirect_as(redirect, SdkGeneration::Current)
}

/// Reads the URL GP tom redirected to, as the SDK of `generation` reads it (an app built with a
/// 2025 SDK: [`SdkGeneration::Sdk2025`]).
pub fn parse_redirect_as(
    redirect: &str,
    generation: SdkGeneration,
) -> Result<AppResult, RedirectError> {
    let url =
        url::Url::parse(redirect).map_err(|error| RedirectError::NotAUrl(error.to_string()))?;
    let mut result = AppResult::default();
    let text = url.as_str();
    result.kind = generation
        .result_paths()
        .iter()
        .find(|(path, _)| text.contains(path))
        .map(|(_, kind)| *kind);
    let mut problem = |parameter: &str, message: String| {
        result.problems.push(SdkProblem {
            parameter: parameter.to_owned(),
            message,
        });
    };
    // URLComponents.queryItems (decoded once, `+` kept) into a dictionary (the last wins), each
    // value then `removingPercentEncoding` (nil when it fails).
    let mut params: Vec<(String, Option<String>)> = Vec::new();
    for pair in url.query().unwrap_or("").split('&') {
        if pair.is_empty() {
            continue;
        }
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_decode_str(name).decode_utf8_lossy().into_owned();
        let once = percent_decode_str(value).decode_utf8_lossy().into_owned();
        let twice = decode_strict(&once);
        if twice.is_none() {
            problem(
                &name,
                format!("`{once}` fails the SDK's second percent-decoding; the value is dropped"),
            );
        }
        params.retain(|(existing, _)| *existing != name);
        params.push((name, twice));
    }
    let get = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .and_then(|(_, value)| value.clone())
    };
    let mut problems = Vec::new();
    match get("status").as_deref() {
        Some("COMPLETED") => result.status = Some(TaskStatus::Completed),
        Some("CANCELLED") => result.status = Some(TaskStatus::Cancelled),
        Some("ERROR") => result.status = Some(TaskStatus::Error),
        Some(other) => problems.push((
            "status",
            format!("`{other}` is not COMPLETED, CANCELLED or ERROR; the SDK returns no result"),
        )),
        None => problems.push(("status", "is missing; the SDK returns no result".to_owned())),
    }
    if let Some(code) = get("code") {
        if REFUSAL_CODES.contains(&code.as_str()) {
            result.code = Some(code);
        } else {
            problems.push(("code", format!("`{code}` is not a RefusalCode; dropped")));
        }
    }
    if let Some(error) = get("error") {
        if generation.deeplink_errors().contains(&error.as_str()) {
            result.error = Some(error);
        } else {
            problems.push((
                "error",
                format!("`{error}` is not a DeeplinkError; dropped"),
            ));
        }
    }
    if let Some(text) = get("receipt") {
        result.receipt = decode_object(
            &text,
            "receipt",
            generation,
            &mut problems,
            transaction_data,
        );
    }
    if let Some(text) = get("batch") {
        result.batch = decode_object(&text, "batch", generation, &mut problems, batch);
    }
    if let Some(text) = get("appStatus") {
        result.app_status =
            decode_object(&text, "appStatus", generation, &mut problems, app_status);
    }
    for (parameter, message) in problems {
        problem(parameter, message);
    }
    Ok(result)
}

/// Decodes one JSON parameter with `decode`; on failure the SDK's `try?` leaves nothing.
fn decode_object<T>(
    text: &str,
    parameter: &'static str,
    generation: SdkGeneration,
    problems: &mut Vec<(&'static str, String)>,
    decode: fn(&mut Fields<'_>) -> Result<T, String>,
) -> Option<T> {
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(error) => {
            problems.push((parameter, format!("is not JSON ({error}); dropped")));
            return None;
        }
    };
    let Value::Object(object) = value else {
        problems.push((parameter, "is not a JSON object; dropped".to_owned()));
        return None;
    };
    let mut fields = Fields {
        object: &object,
        path: parameter.to_owned(),
        ignored: Vec::new(),
        generation,
    };
    match decode(&mut fields) {
        Ok(decoded) => {
            for key in fields.ignored {
                problems.push((
                    parameter,
                    format!("`{key}` is not a key of the SDK's model; ignored"),
                ));
            }
            Some(decoded)
        }
        Err(reason) => {
            problems.push((
                parameter,
                format!("{reason}; the SDK drops the whole object"),
            ));
            None
        }
    }
}

/// A JSON object read with Swift `Codable`'s rules: `null` and absence are `nil`, a wrong type
/// is an error, keys outside the model are ignored (and collected).
struct Fields<'a> {
    object: &'a Map<String, Value>,
    path: String,
    ignored: Vec<String>,
    /// Whose models the object is read with.
    generation: SdkGeneration,
}

impl<'a> Fields<'a> {
    fn value(&self, key: &str) -> Option<&'a Value> {
        self.object.get(key).filter(|value| !value.is_null())
    }

    fn wrong(&self, key: &str, wanted: &str, value: &Value) -> String {
        format!("`{}.{key}` must be {wanted}, found {value}", self.path)
    }

    fn string(&self, key: &str) -> Result<Option<String>, String> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(other) => Err(self.wrong(key, "a string", other)),
        }
    }

    fn required_string(&self, key: &str) -> Result<String, String> {
        self.string(key)?
            .ok_or_else(|| format!("`{}.{key}` is required", self.path))
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>, String> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(other) => Err(self.wrong(key, "true or false", other)),
        }
    }

    fn required_bool(&self, key: &str) -> Result<bool, String> {
        self.boolean(key)?
            .ok_or_else(|| format!("`{}.{key}` is required", self.path))
    }

    fn integer(&self, key: &str) -> Result<Option<i64>, String> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::Number(number)) if number.as_i64().is_some() => Ok(number.as_i64()),
            Some(other) => Err(self.wrong(key, "an integer", other)),
        }
    }

    /// Foundation's `Decimal` from JSON: a number (`decodeIfPresent(Decimal.self)`).
    fn required_number(&self, key: &str) -> Result<f64, String> {
        self.number(key)?
            .ok_or_else(|| format!("`{}.{key}` is required", self.path))
    }

    fn number(&self, key: &str) -> Result<Option<f64>, String> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::Number(number)) => Ok(number.as_f64()),
            Some(other) => Err(self.wrong(key, "a JSON number", other)),
        }
    }

    fn word(&self, key: &str, words: &[&str]) -> Result<Option<String>, String> {
        match self.string(key)? {
            Some(word) if !words.contains(&word.as_str()) => Err(format!(
                "`{}.{key}` must be one of {}, found `{word}`",
                self.path,
                words.join(", ")
            )),
            other => Ok(other),
        }
    }

    /// ISO 8601 with fractional seconds (`ISO8601DateFormatter` with
    /// `.withInternetDateTime, .withFractionalSeconds`).
    fn date(&self, key: &str) -> Result<Option<String>, String> {
        match self.string(key)? {
            Some(text) if !is_iso_with_fraction(&text) => Err(format!(
                "`{}.{key}` must be an ISO 8601 time with fractional seconds (2024-10-29T12:14:00.112Z), found `{text}`",
                self.path
            )),
            other => Ok(other),
        }
    }

    fn nested<'b>(&self, key: &str, object: &'b Map<String, Value>) -> Fields<'b> {
        Fields {
            object,
            path: format!("{}.{key}", self.path),
            ignored: Vec::new(),
            generation: self.generation,
        }
    }

    fn ignore_others(&mut self, known: &[&str]) {
        for key in self.object.keys() {
            if !known.contains(&key.as_str()) {
                self.ignored.push(key.clone());
            }
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS.fff` followed by `Z` or `±HH:MM`.
fn is_iso_with_fraction(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    let shape = digits(0..4)
        && bytes.get(4) == Some(&b'-')
        && digits(5..7)
        && bytes.get(7) == Some(&b'-')
        && digits(8..10)
        && bytes.get(10) == Some(&b'T')
        && digits(11..13)
        && bytes.get(13) == Some(&b':')
        && digits(14..16)
        && bytes.get(16) == Some(&b':')
        && digits(17..19)
        && bytes.get(19) == Some(&b'.');
    if !shape {
        return false;
    }
    let rest = &text[20..];
    let fraction = rest.bytes().take_while(u8::is_ascii_digit).count();
    let zone = &rest[fraction..];
    fraction > 0
        && (zone == "Z"
            || (zone.len() == 6
                && matches!(zone.as_bytes()[0], b'+' | b'-')
                && zone.as_bytes()[3] == b':'))
}

fn transaction_data(fields: &mut Fields<'_>) -> Result<TransactionData, String> {
    fields.ignore_others(fields.generation.receipt_keys());
    let dcc_data = match fields.value("dccData") {
        Some(Value::Object(object)) if fields.generation == SdkGeneration::Current => {
            let mut dcc = fields.nested("dccData", object);
            let decoded = dcc_data(&mut dcc)?;
            fields
                .ignored
                .extend(dcc.ignored.drain(..).map(|key| format!("dccData.{key}")));
            Some(decoded)
        }
        Some(other) if fields.generation == SdkGeneration::Current => {
            return Err(fields.wrong("dccData", "an object", other));
        }
        _ => None,
    };
    Ok(TransactionData {
        batch_number: fields.string("batchNumber")?,
        receipt_number: fields.string("receiptNumber")?,
        terminal_id: fields.string("terminalID")?,
        emv_aid: fields.string("emvAid")?,
        emv_app_label: fields.string("emvAppLabel")?,
        card_number: fields.string("cardNumber")?,
        transaction_type: fields.word("transactionType", fields.generation.payment_methods())?,
        currency_code: fields.string("currencyCode")?,
        amount: fields.string("amount")?,
        total_amount: fields.string("totalAmount")?,
        tip_amount: fields.string("tipAmount")?,
        pin_ok: fields.boolean("pinOk")?,
        authorization_code: fields.string("authorizationCode")?,
        sequence_number: fields.string("sequenceNumber")?,
        date: fields.date("date")?,
        card_type: fields.word("cardType", fields.generation.card_types())?,
        reference_number: fields.string("referenceNumber")?,
        transaction_id: fields.string("transactionID")?,
        result: fields.integer("result")?,
        card_entry_mode: fields.string("cardEntryMode")?,
        merchant_id: fields.string("merchantID")?,
        ams_id: fields.string("amsID")?,
        blik_code: fields.string("blikCode")?,
        blik_transaction_ref: fields.string("blikTransactionRef")?,
        dcc_data,
    })
}

/// `DCCOptionsWrapper.init(from:)`: `currency` a required string, `amount` a decimal string (or
/// number), `markup` text, `regionSchemaIndicator` an integer, `exchangeRate` a number, `status`
/// optional.
fn dcc_data(fields: &mut Fields<'_>) -> Result<DccData, String> {
    fields.ignore_others(&[
        "currency",
        "amount",
        "markup",
        "regionSchemaIndicator",
        "exchangeRate",
        "status",
    ]);
    let amount = match fields.value("amount") {
        Some(Value::String(text)) if parse_plain_decimal(text) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        Some(other) => return Err(fields.wrong("amount", "a decimal number", other)),
        None => return Err(format!("`{}.amount` is required", fields.path)),
    };
    let markup = match fields.value("markup") {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => "-".to_owned(),
    };
    Ok(DccData {
        currency: fields.required_string("currency")?,
        amount,
        markup,
        region_schema_indicator: fields
            .integer("regionSchemaIndicator")?
            .ok_or_else(|| format!("`{}.regionSchemaIndicator` is required", fields.path))?,
        exchange_rate: fields.required_number("exchangeRate")?,
        status: fields.word("status", &["ACCEPTED", "NOT_ACCEPTED", "NOT_PROCESSED"])?,
    })
}

/// `Decimal(string:)` of a plain decimal: optional sign, digits, optional fraction.
fn parse_plain_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn sub_batch(fields: &mut Fields<'_>) -> Result<SubBatch, String> {
    fields.ignore_others(&[
        "closeBatchNumber",
        "saleAmount",
        "saleCount",
        "totalAmount",
        "totalCount",
        "voidAmount",
        "voidCount",
    ]);
    Ok(SubBatch {
        close_batch_number: fields.string("closeBatchNumber")?,
        sale_amount: fields.number("saleAmount")?,
        sale_count: fields.number("saleCount")?,
        total_amount: fields.number("totalAmount")?,
        total_count: fields.number("totalCount")?,
        void_amount: fields.number("voidAmount")?,
        void_count: fields.number("voidCount")?,
    })
}

fn batch(fields: &mut Fields<'_>) -> Result<Batch, String> {
    fields.ignore_others(&[
        "amsId",
        "batchNumber",
        "communicationId",
        "currency",
        "date",
        "firstTransactionDate",
        "invalidCount",
        "previousBatchDate",
        "saleAmount",
        "saleCount",
        "subBatches",
        "totalAmount",
        "totalCount",
        "voidAmount",
        "voidCount",
        "tipAmount",
        "tipCount",
        "tipAverage",
        "tipAveragePercentage",
    ]);
    let sub_batch_keys = fields.generation.sub_batch_keys();
    let mut sub_batches = Vec::new();
    match fields.value("subBatches") {
        None => {}
        Some(Value::Object(parts)) => {
            let mut outer = fields.nested("subBatches", parts);
            outer.ignore_others(sub_batch_keys);
            fields.ignored.extend(
                outer
                    .ignored
                    .drain(..)
                    .map(|key| format!("subBatches.{key}")),
            );
            for &key in sub_batch_keys {
                match parts.get(key).filter(|value| !value.is_null()) {
                    None => {}
                    Some(Value::Object(part)) => {
                        let mut inner = outer.nested(key, part);
                        let decoded = sub_batch(&mut inner)?;
                        fields.ignored.extend(
                            inner
                                .ignored
                                .drain(..)
                                .map(|ignored| format!("subBatches.{key}.{ignored}")),
                        );
                        sub_batches.push((key.to_owned(), decoded));
                    }
                    Some(other) => return Err(outer.wrong(key, "an object", other)),
                }
            }
        }
        Some(other) => {
            return Err(fields.wrong("subBatches", "an object keyed by payment method", other));
        }
    }
    Ok(Batch {
        ams_id: fields.required_string("amsId")?,
        batch_number: fields.string("batchNumber")?,
        communication_id: fields.string("communicationId")?,
        currency: fields.string("currency")?,
        date: fields.date("date")?,
        first_transaction_date: fields.date("firstTransactionDate")?,
        invalid_count: fields.number("invalidCount")?,
        previous_batch_date: fields.date("previousBatchDate")?,
        sale_amount: fields.number("saleAmount")?,
        sale_count: fields.number("saleCount")?,
        total_amount: fields.number("totalAmount")?,
        total_count: fields.number("totalCount")?,
        void_amount: fields.number("voidAmount")?,
        void_count: fields.number("voidCount")?,
        sub_batches,
        tip_amount: fields.number("tipAmount")?.unwrap_or(0.0),
        tip_count: fields.integer("tipCount")?.unwrap_or(0),
        tip_average: fields.number("tipAverage")?.unwrap_or(0.0),
        tip_average_percentage: fields.number("tipAveragePercentage")?.unwrap_or(0.0),
    })
}

/// `UserInfo.merchantLocation`: a required `Address` object since SDK `db9ab1f` (2025-05-19).
fn address(user: &mut Fields<'_>) -> Result<Address, String> {
    let object = match user.value("merchantLocation") {
        Some(Value::Object(object)) => object,
        Some(other) => return Err(user.wrong("merchantLocation", "an Address object", other)),
        None => return Err(format!("`{}.merchantLocation` is required", user.path)),
    };
    let mut place = user.nested("merchantLocation", object);
    place.ignore_others(&["city", "county", "house", "location", "street", "zip"]);
    let decoded = Address {
        city: place.string("city")?,
        county: place.string("county")?,
        house: place.string("house")?,
        location: place.string("location")?,
        street: place.string("street")?,
        zip: place.string("zip")?,
    };
    user.ignored.extend(
        place
            .ignored
            .drain(..)
            .map(|key| format!("merchantLocation.{key}")),
    );
    Ok(decoded)
}

fn app_status(fields: &mut Fields<'_>) -> Result<AppStatus, String> {
    fields.ignore_others(&["appVersion", "userInfo"]);
    let user_info = match fields.value("userInfo") {
        None => None,
        Some(Value::Object(object)) => {
            let mut user = fields.nested("userInfo", object);
            user.ignore_others(&[
                "clientId",
                "email",
                "businessId",
                "vatId",
                "tid",
                "mid",
                "tipEnabled",
                "printerAvailable",
                "manualTransactionRestricted",
                "merchantLocation",
            ]);
            let info = UserInfo {
                client_id: user.required_string("clientId")?,
                email: user.required_string("email")?,
                business_id: user.string("businessId")?,
                vat_id: user.string("vatId")?,
                tid: user.required_string("tid")?,
                mid: user.required_string("mid")?,
                tip_enabled: user.required_bool("tipEnabled")?,
                printer_available: user.required_bool("printerAvailable")?,
                manual_transaction_restricted: user.required_bool("manualTransactionRestricted")?,
                merchant_location: address(&mut user)?,
            };
            fields
                .ignored
                .extend(user.ignored.drain(..).map(|key| format!("userInfo.{key}")));
            Some(info)
        }
        Some(other) => return Err(fields.wrong("userInfo", "an object", other)),
    };
    Ok(AppStatus {
        app_version: fields.required_string("appVersion")?,
        user_info,
    })
}

/// `"4.35"` → 435, `"4"` → 400, `"4.3"` → 430, `"4,35"` → 435 (the SDK's `String.amount`
/// accepts a decimal comma); more than two decimals is refused.
#[must_use]
pub fn parse_decimal(text: &str) -> Option<i64> {
    let text = text.trim().replace(',', ".");
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
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

    #[test]
    fn decimals_become_minor_units() {
        assert_eq!(parse_decimal("4.35"), Some(435));
        assert_eq!(parse_decimal("4"), Some(400));
        assert_eq!(parse_decimal("4.3"), Some(430));
        assert_eq!(parse_decimal("4,35"), Some(435));
        assert_eq!(parse_decimal("-1.00"), Some(-100));
        assert_eq!(parse_decimal("4.355"), None);
        assert_eq!(parse_decimal("four"), None);
        assert_eq!(parse_decimal(".5"), None);
    }

    fn parse(url: &str) -> AppResult {
        parse_redirect(url).unwrap_or_else(|error| panic!("{url}: {error}"))
    }

    #[test]
    fn what_the_sdk_rejects_is_dropped_and_said() {
        assert!(matches!(
            parse_redirect("not a url"),
            Err(RedirectError::NotAUrl(_))
        ));
        let bad_json = parse("app://transaction/create?status=COMPLETED&receipt=%7Bnope");
        assert!(bad_json.receipt.is_none());
        assert_eq!(bad_json.problems[0].parameter, "receipt");
        // A number where the SDK wants a string drops the whole receipt.
        let typed = parse(
            "app://transaction/create?status=COMPLETED&receipt=%7B%22batchNumber%22%3A1%2C%22amsID%22%3A%2242%22%7D",
        );
        assert!(typed.receipt.is_none());
        assert!(
            typed.problems[0].message.contains("batchNumber"),
            "{:?}",
            typed.problems
        );
        // Words outside the SDK's sets.
        let words =
            parse("app://transaction/create?status=CANCELED&code=nope&error=invalidParameter");
        assert_eq!(words.status, None);
        assert_eq!((words.code, words.error), (None, None));
        assert_eq!(words.problems.len(), 3, "{:?}", words.problems);
        // `+` is not a space; a date needs fractional seconds.
        let plus = parse(
            "app://transaction/create?status=COMPLETED&receipt=%7B%22emvAppLabel%22%3A%22Visa+Debit%22%2C%22date%22%3A%222024-10-29T12%3A14%3A00Z%22%7D",
        );
        assert!(plus.receipt.is_none(), "date without fraction");
        let plus = parse(
            "app://transaction/create?status=COMPLETED&receipt=%7B%22emvAppLabel%22%3A%22Visa+Debit%22%7D",
        );
        assert_eq!(
            plus.receipt
                .and_then(|receipt| receipt.emv_app_label)
                .as_deref(),
            Some("Visa+Debit")
        );
        // An unknown key is ignored and said.
        let extra = parse(
            "app://transaction/create?status=COMPLETED&receipt=%7B%22requestID%22%3A%22x%22%7D",
        );
        assert!(extra.receipt.is_some());
        assert_eq!(extra.problems.len(), 1);
        // Unclassifiable redirect.
        assert_eq!(parse("myshop://gptom-result?status=COMPLETED").kind, None);
        let ok = parse("app://batch/close?status=ERROR&error=failedToCloseBatch");
        assert_eq!(ok.kind, Some(ResultKind::CloseBatch));
        assert_eq!(ok.error.as_deref(), Some("failedToCloseBatch"));
        assert!(ok.problems.is_empty());
    }

    /// The generations differ as GP tom's SDK did between `a280f7d` and `08f1318`.
    #[test]
    fn each_sdk_generation_reads_its_own_models() {
        let encode = |json: &str| {
            percent_encoding::utf8_percent_encode(json, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
        };
        let status = format!(
            "app://status?status=COMPLETED&appStatus={}",
            encode(
                r#"{"appVersion":"1","userInfo":{"clientId":"c","email":"e","tid":"1","mid":"2","tipEnabled":true,"printerAvailable":false,"manualTransactionRestricted":false,"merchantLocation":{"city":"Praha","street":"Pražská","house":"10"}}}"#
            )
        );
        for generation in [SdkGeneration::Current, SdkGeneration::Sdk2025] {
            let read = parse_redirect_as(&status, generation).expect("url");
            assert_eq!(read.kind, Some(ResultKind::Status));
            let user = read
                .app_status
                .and_then(|status| status.user_info)
                .expect("logged in");
            assert_eq!(user.merchant_location.city.as_deref(), Some("Praha"));
            assert_eq!(user.business_id, None);
        }
        // Before May 2025 the location was a string: today's SDK drops the whole status.
        let old = format!(
            "app://status?status=COMPLETED&appStatus={}",
            encode(
                r#"{"appVersion":"1","userInfo":{"clientId":"c","email":"e","businessId":"1","tid":"1","mid":"2","tipEnabled":true,"printerAvailable":false,"manualTransactionRestricted":false,"merchantLocation":"Praha"}}"#
            )
        );
        assert!(parse(&old).app_status.is_none());

        let crypto = format!(
            "app://transaction/create?status=COMPLETED&receipt={}",
            encode(r#"{"transactionType":"GO_CRYPTO","amount":"1.00"}"#)
        );
        assert!(
            parse(&crypto).receipt.is_none(),
            "GO_CRYPTO left at 5e1ec77"
        );
        let read = parse_redirect_as(&crypto, SdkGeneration::Sdk2025).expect("url");
        assert!(read.receipt.is_some() && read.problems.is_empty());

        let dcc = format!(
            "app://transaction/create?status=COMPLETED&receipt={}",
            encode(
                r#"{"cardType":"GIROCARD","dccData":{"currency":"EUR","amount":"40.97","markup":"3.5","regionSchemaIndicator":1,"exchangeRate":24.385,"status":"ACCEPTED"}}"#
            )
        );
        let read = parse(&dcc);
        let offer = read
            .receipt
            .and_then(|receipt| receipt.dcc_data)
            .expect("dcc");
        assert_eq!(
            (offer.amount.as_str(), offer.exchange_rate),
            ("40.97", 24.385)
        );
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        let old = parse_redirect_as(&dcc, SdkGeneration::Sdk2025).expect("url");
        assert!(old.receipt.is_none(), "no GIROCARD in 2025");

        let login = parse_redirect_as(
            "app://login?status=ERROR&error=tidAlreadyOccupied",
            SdkGeneration::Current,
        )
        .expect("url");
        assert_eq!(
            (login.kind, login.error.as_deref()),
            (Some(ResultKind::Login), Some("tidAlreadyOccupied"))
        );
        let old = parse_redirect_as(
            "app://login?status=ERROR&error=tidAlreadyOccupied",
            SdkGeneration::Sdk2025,
        )
        .expect("url");
        assert_eq!((old.kind, old.error), (None, None));
    }

    #[test]
    fn a_batch_and_an_app_status_decode_with_the_sdk_types() {
        let batch = parse(
            "app://batch/close?status=COMPLETED&batch=%7B%22amsId%22%3A%22B1%22%2C%22batchNumber%22%3A%221%22%2C%22saleAmount%22%3A95.5%2C%22subBatches%22%3A%7B%22CARD%22%3A%7B%22totalAmount%22%3A95.5%7D%7D%7D",
        );
        let decoded = batch.batch.expect("batch");
        assert_eq!(decoded.sale_amount, Some(95.5));
        assert_eq!(decoded.sub_batches[0].0, "CARD");
        let missing =
            parse("app://batch/close?status=COMPLETED&batch=%7B%22batchNumber%22%3A%221%22%7D");
        assert!(missing.batch.is_none(), "amsId is required");
        let array = parse(
            "app://batch/close?status=COMPLETED&batch=%7B%22amsId%22%3A%22B1%22%2C%22subBatches%22%3A%5B%5D%7D",
        );
        assert!(array.batch.is_none(), "subBatches must be an object");
        let status =
            parse("app://status?status=COMPLETED&appStatus=%7B%22appVersion%22%3A%221%22%7D");
        assert_eq!(
            status.app_status.map(|status| status.is_logged_in()),
            Some(false)
        );
    }
}

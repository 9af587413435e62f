//! GP tom's iOS SDK's result models and word lists, per SDK generation.

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
    pub(super) fn receipt_keys(self) -> &'static [&'static str] {
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

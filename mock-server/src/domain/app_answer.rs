//! What GP tom's app answers a deep link with, in the shapes of GP tom's iOS SDK (spec §2.2):
//! `receipt` is the SDK's `TransactionData`, `batch` its `Batch`, `appStatus` its `AppStatus`,
//! `code` a `RefusalCode` word and `error` a `DeeplinkError` word.
//!
//! Invariant: every key and type here is one the SDK decodes (strings where it wants strings,
//! numbers in major units where it wants `Decimal`, ISO dates with fractional seconds, enum
//! words from its sets); `harness/tests/contract/sdk.rs` decodes every redirect with the SDK's
//! rules and fails on anything rejected or dropped.

use serde::Serialize;

use super::deeplink::{LinkNotice, redirect_json};
use super::refusal::Refusal;
use super::request::FieldError;

/// The SDK's `DeeplinkError`: the only words its `error` can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum AppError {
    /// Anything else went wrong.
    Failed,
    /// No network.
    NetworkError,
    /// The `clientID` is not valid.
    InvalidClientId,
    /// The merchant's data are missing.
    MerchantInfoMissing,
    /// Tap to Pay failed.
    FailedTapToPay,
    /// The batch could not be closed.
    FailedToCloseBatch,
    /// Unknown operation or payment method.
    UnsupportedTransactionOperationOrType,
    /// The amount is missing or not valid.
    InvalidAmount,
    /// The payment cannot be cancelled.
    CannotBeVoided,
    /// Nobody is logged in.
    UserNotLoggedIn,
    /// Wrong user name or password.
    InvalidCredentials,
    /// The terminal is not the user's.
    TidNotAssignedToThisUser,
    /// The terminal is in use on another device.
    TidAlreadyOccupied,
    /// Another terminal is used on this device.
    AnotherTidUsedOnThisDevice,
    /// The password must be changed first.
    PasswordChangeRequired,
    /// A password change waits for confirmation.
    PasswordPendingConfirmation,
    /// A wrong confirmation code.
    InvalidCode,
    /// The user name is not valid.
    InvalidUserName,
    /// The terminal could not be set up.
    TerminalSetupFailed,
}

impl AppError {
    /// Every word.
    pub const ALL: [AppError; 19] = [
        AppError::Failed,
        AppError::NetworkError,
        AppError::InvalidClientId,
        AppError::MerchantInfoMissing,
        AppError::FailedTapToPay,
        AppError::FailedToCloseBatch,
        AppError::UnsupportedTransactionOperationOrType,
        AppError::InvalidAmount,
        AppError::CannotBeVoided,
        AppError::UserNotLoggedIn,
        AppError::InvalidCredentials,
        AppError::TidNotAssignedToThisUser,
        AppError::TidAlreadyOccupied,
        AppError::AnotherTidUsedOnThisDevice,
        AppError::PasswordChangeRequired,
        AppError::PasswordPendingConfirmation,
        AppError::InvalidCode,
        AppError::InvalidUserName,
        AppError::TerminalSetupFailed,
    ];

    /// Wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            AppError::Failed => "failed",
            AppError::NetworkError => "networkError",
            AppError::InvalidClientId => "invalidClientId",
            AppError::MerchantInfoMissing => "merchantInfoMissing",
            AppError::FailedTapToPay => "failedTapToPay",
            AppError::FailedToCloseBatch => "failedToCloseBatch",
            AppError::UnsupportedTransactionOperationOrType => {
                "unsupportedTransactionOperationOrType"
            }
            AppError::InvalidAmount => "invalidAmount",
            AppError::CannotBeVoided => "cannotBeVoided",
            AppError::UserNotLoggedIn => "userNotLoggedIn",
            AppError::InvalidCredentials => "invalidCredentials",
            AppError::TidNotAssignedToThisUser => "tidNotAssignedToThisUser",
            AppError::TidAlreadyOccupied => "tidAlreadyOccupied",
            AppError::AnotherTidUsedOnThisDevice => "anotherTidUsedOnThisDevice",
            AppError::PasswordChangeRequired => "passwordChangeRequired",
            AppError::PasswordPendingConfirmation => "passwordPendingConfirmation",
            AppError::InvalidCode => "invalidCode",
            AppError::InvalidUserName => "invalidUserName",
            AppError::TerminalSetupFailed => "terminalSetupFailed",
        }
    }

    /// Parses a wire spelling.
    #[must_use]
    pub fn parse(word: &str) -> Option<AppError> {
        AppError::ALL
            .into_iter()
            .find(|error| error.as_str() == word)
    }

    /// The word for a GP tom task error code (spec §1.7): 44/45/47 cannot be voided, 48 batch
    /// declined, 62 no network; anything else `failed`.
    #[must_use]
    pub fn for_task_error(code: u16) -> AppError {
        match code {
            44 | 45 | 47 => AppError::CannotBeVoided,
            48 => AppError::FailedToCloseBatch,
            62 => AppError::NetworkError,
            _ => AppError::Failed,
        }
    }
}

/// A payment as the SDK's `TransactionData` (seed 002's field table): every value a string
/// except `pinOk` and `result`; amounts as decimal strings in major units.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// The batch the payment belongs to.
    pub batch_number: String,
    /// Receipt number.
    pub receipt_number: String,
    /// Terminal.
    #[serde(rename = "terminalID")]
    pub terminal_id: String,
    /// EMV application id (card payments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emv_aid: Option<String>,
    /// EMV application label (card payments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emv_app_label: Option<String>,
    /// Masked PAN (card payments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_number: Option<String>,
    /// The payment method: `CARD`, `CASH`, `ACCOUNT_PAYMENT`, `BLIK_PAYMENT`, …
    pub transaction_type: &'static str,
    /// ISO 4217 letters.
    pub currency_code: String,
    /// Major units, `"4.35"`.
    pub amount: String,
    /// Amount plus tip, major units.
    pub total_amount: String,
    /// Major units.
    pub tip_amount: String,
    /// PIN verified (card payments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pin_ok: Option<bool>,
    /// Approved card payments only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_code: Option<String>,
    /// Nine digits, `001000000`.
    pub sequence_number: String,
    /// ISO 8601 with milliseconds.
    pub date: String,
    /// `VISA`, `MASTERCARD`, `AMEX`, … (card payments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_type: Option<&'static str>,
    /// The reference the caller entered (`originReferenceNum`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_number: Option<String>,
    /// The payment's id (a processed payment only); the Cloud API's `transactionId`.
    #[serde(rename = "transactionID", skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// 0 approved, -1 declined or aborted.
    pub result: i8,
    /// `CONTACTLESS`, `CHIP`, … (card payments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_entry_mode: Option<&'static str>,
    /// Merchant.
    #[serde(rename = "merchantID")]
    pub merchant_id: String,
    /// GP tom's id of the payment, for `transaction/cancel`.
    #[serde(rename = "amsID")]
    pub ams_id: String,
}

/// The counters the SDK's `Batch` and `SubBatch` share: counts, and amounts as JSON numbers in
/// major units.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TotalsReport {
    /// Major units.
    pub sale_amount: f64,
    /// Count.
    pub sale_count: u32,
    /// Major units.
    pub void_amount: f64,
    /// Count.
    pub void_count: u32,
    /// Major units.
    pub total_amount: f64,
    /// Count.
    pub total_count: u32,
}

/// One payment method's part of a batch, as the SDK's `SubBatch`.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubBatchReport {
    /// The batch number.
    pub close_batch_number: String,
    /// Counters.
    #[serde(flatten)]
    pub totals: TotalsReport,
}

/// The SDK's `SubBatches`: keyed by payment method, only its five keys.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SubBatchesReport {
    /// Card payments.
    #[serde(rename = "CARD", skip_serializing_if = "Option::is_none")]
    pub card: Option<SubBatchReport>,
    /// Cash.
    #[serde(rename = "CASH", skip_serializing_if = "Option::is_none")]
    pub cash: Option<SubBatchReport>,
    /// Account (QR) payments.
    #[serde(rename = "ACCOUNT_PAYMENT", skip_serializing_if = "Option::is_none")]
    pub account_payment: Option<SubBatchReport>,
    /// BLIK.
    #[serde(rename = "BLIK", skip_serializing_if = "Option::is_none")]
    pub blik: Option<SubBatchReport>,
    /// GoCrypto.
    #[serde(rename = "GO_CRYPTO", skip_serializing_if = "Option::is_none")]
    pub go_crypto: Option<SubBatchReport>,
}

/// A batch as the SDK's `Batch`.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchReport {
    /// GP tom's id of the batch; `OPEN` for the open transactions.
    pub ams_id: String,
    /// The batch number (absent for the open batch).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_number: Option<String>,
    /// ISO 4217 letters.
    pub currency: String,
    /// When it was closed (absent for the open batch), ISO 8601 with milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// When the batch before it was closed.
    pub previous_batch_date: String,
    /// Transactions that could not be counted.
    pub invalid_count: u32,
    /// Counters.
    #[serde(flatten)]
    pub totals: TotalsReport,
    /// Per payment method.
    pub sub_batches: SubBatchesReport,
}

/// The logged-in user, as the SDK's `UserInfo`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserInfoReport {
    /// GP tom's id of the user's client.
    pub client_id: String,
    /// Login e-mail.
    pub email: String,
    /// Company registration number (IČO).
    pub business_id: String,
    /// VAT id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat_id: Option<String>,
    /// Terminal.
    pub tid: String,
    /// Merchant.
    pub mid: String,
    /// Tips switched on.
    pub tip_enabled: bool,
    /// A printer is connected.
    pub printer_available: bool,
    /// Manual card entry is forbidden.
    pub manual_transaction_restricted: bool,
    /// Where the merchant is.
    pub merchant_location: String,
}

/// The app's state, as the SDK's `AppStatus`: logged in when `userInfo` is present.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppStatusReport {
    /// The app's version.
    pub app_version: String,
    /// The logged-in user; absent when nobody is logged in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_info: Option<UserInfoReport>,
}

/// What the app answers; becomes the query of the redirect.
#[derive(Clone, Debug, Default, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppAnswer {
    /// `COMPLETED`, `CANCELLED` (or the scenario's `wire.app_canceled_spelling`) or `ERROR`.
    #[schema(value_type = crate::schema::AppStatus)]
    pub status: &'static str,
    /// The refusal word of the payment (`RefusalCode`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Refusal>)]
    pub code: Option<Refusal>,
    /// Why the operation failed (`DeeplinkError`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<AppError>,
    /// The payment (`TransactionData`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt: Option<Receipt>,
    /// The batch (`Batch`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<BatchReport>,
    /// The app's state (`AppStatus`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_status: Option<AppStatusReport>,
    /// Which parameter broke which rule (not part of GP tom's redirect; in the JSON body only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<FieldError>,
    /// What GP tom's app ignored or guessed in the link (JSON body only; `verify` reports it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<LinkNotice>,
    /// The terminal concerned.
    #[serde(skip)]
    #[schema(ignore)]
    pub terminal: Option<String>,
}

impl AppAnswer {
    /// A completed operation with nothing to report.
    #[must_use]
    pub fn completed() -> Self {
        AppAnswer {
            status: "COMPLETED",
            ..AppAnswer::default()
        }
    }

    /// A failed operation.
    #[must_use]
    pub fn error(error: AppError, problems: Vec<FieldError>) -> Self {
        AppAnswer {
            status: "ERROR",
            error: Some(error),
            problems,
            ..AppAnswer::default()
        }
    }

    /// The query pairs appended to the redirect URL, in a stable order (not yet
    /// percent-encoded; `deeplink::append_to_redirect` does that).
    #[must_use]
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("status", self.status.to_owned())];
        if let Some(code) = self.code {
            pairs.push(("code", code.as_str().to_owned()));
        }
        if let Some(error) = self.error {
            pairs.push(("error", error.as_str().to_owned()));
        }
        if let Some(receipt) = &self.receipt {
            pairs.push(("receipt", redirect_value(receipt)));
        }
        if let Some(batch) = &self.batch {
            pairs.push(("batch", redirect_value(batch)));
        }
        if let Some(app_status) = &self.app_status {
            pairs.push(("appStatus", redirect_value(app_status)));
        }
        pairs
    }
}

/// One of the answer's parts as redirect JSON.
fn redirect_value<T: Serialize>(value: &T) -> String {
    // Plain structs of strings and numbers: serialising cannot fail.
    redirect_json(&serde_json::to_string(value).unwrap_or_default())
}

/// Minor units as GP tom's app writes them in a receipt: `435` → `"4.35"`.
#[must_use]
pub fn decimal(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    format!("{sign}{}.{:02}", minor / 100, minor % 100)
}

/// Minor units as a JSON number in major units, as the SDK's `Amount` (`Decimal`) decodes it:
/// `9550` → `95.5`.
#[must_use]
pub fn major_units(minor: i64) -> f64 {
    minor as f64 / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_as_the_app_writes_them() {
        assert_eq!(decimal(435), "4.35");
        assert_eq!(decimal(5), "0.05");
        assert_eq!(decimal(100_000), "1000.00");
        assert_eq!(decimal(-250), "-2.50");
        assert_eq!(major_units(9550), 95.5);
        assert_eq!(
            serde_json::to_string(&major_units(123_456)).unwrap_or_default(),
            "1234.56"
        );
    }

    #[test]
    fn error_words_are_the_sdks_and_round_trip() {
        for error in AppError::ALL {
            assert_eq!(AppError::parse(error.as_str()), Some(error));
            assert_eq!(
                serde_json::to_value(error).unwrap_or_default(),
                error.as_str()
            );
        }
        assert_eq!(AppError::for_task_error(45), AppError::CannotBeVoided);
        assert_eq!(AppError::for_task_error(99), AppError::Failed);
    }
}

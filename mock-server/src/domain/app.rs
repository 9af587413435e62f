//! The simulated GP tom app's operations as values: what a deep link asks for, read into types
//! by the wire (`wire::deeplink`), and what the app did, which the wire renders in the SDK's
//! shapes (`wire::app_answer`).
//!
//! Invariant: a command holds only what the app acts on — no parameter names, no percent-encoding;
//! a link the app refuses before acting carries its [`AppRefusal`] in place of the input, so the
//! store still decides in GP tom's order (logged in first, then the input).

use serde::Serialize;

use super::request::{FieldError, PaymentMethod, ReceiptType, TransactionType};

/// The SDK's `DeeplinkError`: the only words its `error` can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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

    /// The words GP tom's SDK had in 2025 (`DeeplinkError.swift` at `a280f7d`).
    pub const SDK_2025: [AppError; 6] = [
        AppError::Failed,
        AppError::NetworkError,
        AppError::InvalidClientId,
        AppError::MerchantInfoMissing,
        AppError::FailedTapToPay,
        AppError::FailedToCloseBatch,
    ];

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

/// An operation the app refuses before acting: the SDK's error word and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppRefusal {
    /// The `DeeplinkError` word.
    pub error: AppError,
    /// Which parameter broke which rule.
    pub problems: Vec<FieldError>,
}

impl AppRefusal {
    /// A refusal for one parameter.
    #[must_use]
    pub fn new(error: AppError, field: &str, message: impl Into<String>) -> Self {
        AppRefusal {
            error,
            problems: vec![FieldError::new(field, message)],
        }
    }
}

/// What the caller adds to a payment or a cancellation, whatever its kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extras {
    /// Whether the app prints the receipt.
    pub print: bool,
    /// The receipt delivery the customer prefers.
    pub receipt_type: Option<ReceiptType>,
    /// The caller's id (`clientID`; empty is absent).
    pub client_id: Option<Box<str>>,
    /// The customer's e-mail (as kept).
    pub client_email: Option<Box<str>>,
    /// The customer's phone (as kept).
    pub client_phone: Option<Box<str>>,
    /// The caller's request id (as kept).
    pub request_id: Option<Box<str>>,
}

/// `transaction/create` and `transaction/refund`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentInput {
    /// SALE or REFUND.
    pub kind: TransactionType,
    /// Minor units, 1 to `MAX_AMOUNT`.
    pub amount: i64,
    /// Minor units (0 when absent or unreadable).
    pub tip_amount: i64,
    /// Whether the app asks for a tip.
    pub tip_collect: bool,
    /// How the customer pays.
    pub method: PaymentMethod,
    /// The caller's reference (as kept).
    pub reference: Option<Box<str>>,
    /// Receipt, contact, ids.
    pub extras: Extras,
}

/// `transaction/cancel`: the payment named by its amsID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CancelInput {
    /// The amsID as sent (not empty).
    pub ams_id: Box<str>,
    /// Receipt, contact, ids.
    pub extras: Extras,
}

/// `transaction/detail`: which payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DetailKey {
    /// By amsID, as sent.
    AmsId(String),
    /// By the caller's request id.
    RequestId(String),
}

/// `login`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginInput {
    /// The user.
    pub username: String,
    /// Their password.
    pub password: String,
    /// The terminal asked for (the user's first when absent).
    pub tid: Option<String>,
}

/// `change-password`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangePasswordInput {
    /// The user.
    pub username: String,
    /// The password now.
    pub password: String,
    /// The password wanted.
    pub new_password: String,
    /// The confirmation code, when the caller has one.
    pub code: Option<String>,
}

/// An operation a scenario can make the app refuse (`app.refusals`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum AppStep {
    /// `login`.
    #[serde(rename = "login")]
    Login,
    /// `change-password`.
    #[serde(rename = "change-password")]
    ChangePassword,
    /// `transaction/create` and `transaction/refund`.
    #[serde(rename = "transaction/create")]
    Payment,
    /// `transaction/cancel`.
    #[serde(rename = "transaction/cancel")]
    Cancel,
    /// `batch/close`.
    #[serde(rename = "batch/close")]
    BatchClose,
}

impl AppStep {
    /// Every step.
    pub const ALL: [AppStep; 5] = [
        AppStep::Login,
        AppStep::ChangePassword,
        AppStep::Payment,
        AppStep::Cancel,
        AppStep::BatchClose,
    ];

    /// Its name in a scenario (the deep link's path).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            AppStep::Login => "login",
            AppStep::ChangePassword => "change-password",
            AppStep::Payment => "transaction/create",
            AppStep::Cancel => "transaction/cancel",
            AppStep::BatchClose => "batch/close",
        }
    }

    /// The error words GP tom's app answers this operation with.
    #[must_use]
    pub fn words(self) -> &'static [AppError] {
        match self {
            AppStep::Login => &[
                AppError::TidAlreadyOccupied,
                AppError::AnotherTidUsedOnThisDevice,
                AppError::PasswordChangeRequired,
                AppError::PasswordPendingConfirmation,
                AppError::TerminalSetupFailed,
                AppError::MerchantInfoMissing,
                AppError::InvalidCredentials,
                AppError::InvalidUserName,
                AppError::TidNotAssignedToThisUser,
                AppError::NetworkError,
                AppError::Failed,
            ],
            AppStep::ChangePassword => &[
                AppError::InvalidCode,
                AppError::PasswordPendingConfirmation,
                AppError::InvalidCredentials,
                AppError::InvalidUserName,
                AppError::NetworkError,
                AppError::Failed,
            ],
            AppStep::Payment => &[
                AppError::MerchantInfoMissing,
                AppError::FailedTapToPay,
                AppError::InvalidClientId,
                AppError::NetworkError,
                AppError::Failed,
            ],
            AppStep::Cancel => &[
                AppError::CannotBeVoided,
                AppError::FailedTapToPay,
                AppError::NetworkError,
                AppError::Failed,
            ],
            AppStep::BatchClose => &[
                AppError::FailedToCloseBatch,
                AppError::NetworkError,
                AppError::Failed,
            ],
        }
    }
}

/// A refusal a scenario scripts for the app (`app.refusals`): the operation, for whom, which
/// word.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScriptedRefusal {
    /// The operation refused.
    pub step: AppStep,
    /// Only for this user (any when absent).
    pub username: Option<String>,
    /// Only for this terminal (any when absent).
    pub tid: Option<String>,
    /// The `DeeplinkError` word.
    pub error: AppError,
    /// Why, for the answer's `problems`.
    pub message: String,
}

impl ScriptedRefusal {
    /// Whether it refuses `step` for this user on this terminal.
    #[must_use]
    pub fn applies(&self, step: AppStep, username: &str, tid: &str) -> bool {
        self.step == step
            && self.username.as_deref().is_none_or(|user| user == username)
            && self.tid.as_deref().is_none_or(|wanted| wanted == tid)
    }

    /// The refusal the app answers with.
    #[must_use]
    pub fn refusal(&self) -> AppRefusal {
        AppRefusal::new(self.error, self.step.as_str(), self.message.clone())
    }
}

/// One deep link, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppCommand {
    /// A path GP tom's app does not know.
    Unknown(String),
    /// `login`.
    Login(Result<LoginInput, AppRefusal>),
    /// `logout`.
    Logout,
    /// `status`.
    Status,
    /// `change-password`: with the SDK's parameters the app changes the password; without any
    /// of them it opens its own password screen for the logged-in user (`None`).
    ChangePassword(Result<Option<ChangePasswordInput>, AppRefusal>),
    /// `transaction/create`, `transaction/refund`.
    Pay(Result<PaymentInput, AppRefusal>),
    /// `transaction/cancel`.
    Cancel(Result<CancelInput, AppRefusal>),
    /// `transaction/detail`.
    Detail(Result<DetailKey, AppRefusal>),
    /// `batch/close`.
    BatchClose,
    /// `batch/detail`.
    BatchDetail,
}

/// What the app did, by index into the store; the wire renders it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppOutcome {
    /// Refused before acting.
    Refused(AppRefusal),
    /// Done, nothing to report.
    Completed,
    /// A payment or cancellation ran as this task.
    Task(u32),
    /// The transaction asked for.
    Transaction(u32),
    /// The batch just closed (its index), with the scenario's refusal already handled.
    BatchClosed(Option<u32>),
    /// The terminal's open batch.
    OpenBatch,
    /// The app's status.
    Status,
}

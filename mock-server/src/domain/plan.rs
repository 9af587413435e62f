//! What a task will do, as decided before it runs: its timeline, its outcome, the transaction result,
//! and the wire spellings the public documentation leaves open. Scenarios build these; tasks,
//! transactions and the storno rules read them.
//!
//! Invariant: plain values; nothing here knows YAML, HTTP or the store.

use serde::Serialize;

use crate::domain::refusal::Refusal;

/// How long a task stays in each non-final state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Timeline {
    /// Time in `NEW` (waiting in the terminal's queue counts on top).
    pub new: Phase,
    /// Time in `IN_PROGRESS`.
    pub in_progress: Phase,
}

impl Default for Timeline {
    fn default() -> Self {
        Timeline {
            new: Phase::Millis(500),
            in_progress: Phase::Millis(2_000),
        }
    }
}

/// The length of one state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Phase {
    /// This much virtual time.
    Millis(i64),
    /// This many polls of the task report the state; the next poll sees the next state.
    Polls(u32),
    /// Until a person or a test decides (`POST /__mock/tasks/{id}/decide`).
    Manual,
}
/// How a task ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// Task `COMPLETED`; the transaction has this result. For a CANCEL task, `Accepted` means
    /// GP tom's storno rules decide.
    Payment {
        /// ACCEPTED, DECLINED or CANCELLED.
        result: PaymentResult,
        /// Refusal word; `approved` for ACCEPTED.
        refusal: Refusal,
    },
    /// Task `CANCELED` (customer or operator aborted); its transaction is `CANCELLED`.
    Canceled {
        /// 43 (customer, PIN timeout) or 96 (the app).
        code: u16,
        /// Error message.
        message: String,
    },
    /// Task `ERROR`, no transaction.
    Error {
        /// GP tom error code.
        code: u16,
        /// Error message.
        message: String,
    },
    /// The terminal never takes the task: it stays `NEW` for `after_ms`, then ends `ERROR`.
    NotPickedUp {
        /// How long the task waits.
        after_ms: i64,
        /// GP tom error code.
        code: u16,
        /// Error message.
        message: String,
    },
}

impl Outcome {
    /// An approved payment.
    #[must_use]
    pub fn approved() -> Self {
        Outcome::Payment {
            result: PaymentResult::Accepted,
            refusal: Refusal::Approved,
        }
    }
}

/// Transaction result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PaymentResult {
    /// Authorised.
    Accepted,
    /// Refused.
    Declined,
    /// Aborted by operator or customer.
    Cancelled,
}

impl PaymentResult {
    /// Every variant.
    pub const ALL: [PaymentResult; 3] = [
        PaymentResult::Accepted,
        PaymentResult::Declined,
        PaymentResult::Cancelled,
    ];

    /// Wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentResult::Accepted => "ACCEPTED",
            PaymentResult::Declined => "DECLINED",
            PaymentResult::Cancelled => "CANCELLED",
        }
    }
}
/// Spellings and statuses public docs leave open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct WireProfile {
    /// The task state for an aborted task: `CANCELED` (default) or `CANCELLED`.
    pub canceled_spelling: CanceledSpelling,
    /// HTTP status of a created task: 200, 201 (default) or 202.
    pub create_status: u16,
    /// The longest Cloud `originReferenceNum` (default and most 100).
    pub reference_max_length: u16,
    /// The deep-link redirect's `status` of an aborted payment: `CANCELLED` (default, the SDK's
    /// `TaskStatus`) or `CANCELED` (seeds 001/002).
    pub app_canceled_spelling: CanceledSpelling,
    /// The receipt's `cardType` of Mastercard and Maestro cards: `MASTERCARD` (default, the SDK's
    /// `CardType`) or `MASTER` (seed 002).
    pub app_mastercard_spelling: MastercardSpelling,
    /// The GP tom app generation the deep links answer as; `None` leaves it to the mock's
    /// `--app-profile` (default [`AppProfile::Current`]).
    pub app: Option<AppProfile>,
    /// Whether the Cloud API's transaction carries `dccData` (GP tom's Cloud documentation has no
    /// spelling for DCC; the mock borrows the iOS SDK's). Off by default.
    pub cloud_dcc_data: bool,
}

/// Which generation of GP tom's app (and so of its iOS SDK's models) the deep-link answers
/// follow. `docs/sdk-versions.md` has the table of differences.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum AppProfile {
    /// GP tom's iOS SDK at `08f1318` (2026-06-10): DCC data, girocard, the login and device-setup
    /// error words, no GoCrypto.
    #[default]
    #[serde(rename = "current")]
    Current,
    /// GP tom's iOS SDK at `a280f7d` (2025-11-10), the last 2025 commit: GoCrypto, six error
    /// words, no DCC data, no girocard.
    #[serde(rename = "2025")]
    Sdk2025,
}

impl AppProfile {
    /// Every profile.
    pub const ALL: [AppProfile; 2] = [AppProfile::Current, AppProfile::Sdk2025];

    /// Its name in a scenario's `wire.app`, `--app-profile` and `GPTOM_MOCK_APP_PROFILE`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            AppProfile::Current => "current",
            AppProfile::Sdk2025 => "2025",
        }
    }

    /// The profile called `name`.
    #[must_use]
    pub fn parse(name: &str) -> Option<AppProfile> {
        AppProfile::ALL
            .into_iter()
            .find(|profile| profile.as_str() == name)
    }

    /// The SDK commit whose models the profile matches.
    #[must_use]
    pub fn sdk_commit(self) -> &'static str {
        match self {
            AppProfile::Current => "08f1318",
            AppProfile::Sdk2025 => "a280f7d",
        }
    }
}

impl Default for WireProfile {
    fn default() -> Self {
        WireProfile {
            canceled_spelling: CanceledSpelling::Canceled,
            create_status: 201,
            reference_max_length: 100,
            app_canceled_spelling: CanceledSpelling::Cancelled,
            app_mastercard_spelling: MastercardSpelling::Mastercard,
            app: None,
            cloud_dcc_data: false,
        }
    }
}

/// `MASTERCARD` or `MASTER`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum MastercardSpelling {
    /// The SDK's `CardType.mastercard`.
    #[serde(rename = "MASTERCARD")]
    Mastercard,
    /// Seed 002's example.
    #[serde(rename = "MASTER")]
    Master,
}

impl CanceledSpelling {
    /// Wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            CanceledSpelling::Canceled => "CANCELED",
            CanceledSpelling::Cancelled => "CANCELLED",
        }
    }
}

/// `CANCELED` or `CANCELLED`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CanceledSpelling {
    /// One L.
    #[serde(rename = "CANCELED")]
    Canceled,
    /// Two Ls.
    #[serde(rename = "CANCELLED")]
    Cancelled,
}

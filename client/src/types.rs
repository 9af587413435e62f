//! GP tom's wire types, as the client reads them. The client owns these: it does not share types
//! with the mock, so a contract test catches drift.

use serde::{Deserialize, Serialize};

/// A task's state.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TaskState {
    /// Waiting for the terminal.
    New,
    /// The terminal works on it.
    InProgress,
    /// Done; read the transaction.
    Completed,
    /// Aborted by customer or operator (`CANCELED` or `CANCELLED` on the wire).
    Canceled,
    /// Failed; the task's `error` says why.
    Error,
    /// A state this client does not know.
    Other(String),
}

impl TaskState {
    /// Whether the state never changes again.
    #[must_use]
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            TaskState::Completed | TaskState::Canceled | TaskState::Error
        )
    }

    /// The wire spelling (`CANCELED` for [`TaskState::Canceled`]).
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            TaskState::New => "NEW",
            TaskState::InProgress => "IN_PROGRESS",
            TaskState::Completed => "COMPLETED",
            TaskState::Canceled => "CANCELED",
            TaskState::Error => "ERROR",
            TaskState::Other(other) => other,
        }
    }
}

impl<'de> Deserialize<'de> for TaskState {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(match text.as_str() {
            "NEW" => TaskState::New,
            "IN_PROGRESS" => TaskState::InProgress,
            "COMPLETED" => TaskState::Completed,
            "CANCELED" | "CANCELLED" => TaskState::Canceled,
            "ERROR" => TaskState::Error,
            _ => TaskState::Other(text),
        })
    }
}

impl Serialize for TaskState {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A task's error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskError {
    /// GP tom's code (43 customer cancel, 44 already cancelled, 45 too old, 47 not allowed,
    /// 62 network, 65 timeout, …).
    pub code: u16,
    /// Where it failed.
    #[serde(default)]
    pub platform: Option<String>,
    /// Human text.
    #[serde(default)]
    pub message: Option<String>,
}

/// A task (`CloudTaskDetailApiResponse`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// Its id.
    pub task_id: String,
    /// `TRANSACTION` or `BATCH`.
    #[serde(default)]
    pub task_type: Option<String>,
    /// State.
    pub state: TaskState,
    /// Terminal.
    #[serde(default)]
    pub tid: Option<String>,
    /// Created.
    #[serde(default)]
    pub created: Option<String>,
    /// Updated.
    #[serde(default)]
    pub updated: Option<String>,
    /// The transaction, once there is one.
    #[serde(default)]
    pub transaction_id: Option<String>,
    /// The closed batch (BATCH tasks).
    #[serde(default)]
    pub batch_number: Option<u32>,
    /// Why it failed.
    #[serde(default)]
    pub error: Option<TaskError>,
}

/// A transaction's result.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PaymentResult {
    /// Authorised.
    Accepted,
    /// Refused.
    Declined,
    /// Aborted.
    Cancelled,
    /// Unknown spelling.
    #[serde(other)]
    Unknown,
}

/// A transaction with its receipt data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    /// Its id.
    pub transaction_id: String,
    /// GP tom's back-end id, used to cancel it.
    #[serde(rename = "amsID")]
    pub ams_id: String,
    /// Result.
    pub result: PaymentResult,
    /// `SALE` or `CANCEL`.
    #[serde(default)]
    pub transaction_type: Option<String>,
    /// `CARD` or `CASH`.
    #[serde(default)]
    pub payment_method: Option<String>,
    /// Terminal.
    #[serde(rename = "terminalID", default)]
    pub terminal_id: Option<String>,
    /// Merchant.
    #[serde(rename = "merchantID", default)]
    pub merchant_id: Option<String>,
    /// Minor units.
    pub amount: i64,
    /// Minor units.
    #[serde(default)]
    pub tip_amount: i64,
    /// amount + tip.
    #[serde(default)]
    pub total_amount: i64,
    /// ISO 4217.
    #[serde(default)]
    pub currency_code: Option<String>,
    /// Masked PAN.
    #[serde(default)]
    pub card_number: Option<String>,
    /// Brand.
    #[serde(default)]
    pub card_type: Option<String>,
    /// Entry mode.
    #[serde(default)]
    pub card_entry_mode: Option<String>,
    /// EMV AID.
    #[serde(default)]
    pub emv_aid: Option<String>,
    /// EMV label.
    #[serde(default)]
    pub emv_app_label: Option<String>,
    /// Approved only.
    #[serde(default)]
    pub authorization_code: Option<String>,
    /// Retrieval reference number.
    #[serde(default)]
    pub reference_number: Option<String>,
    /// Your reference.
    #[serde(default)]
    pub origin_reference_num: Option<String>,
    /// Sequence number.
    #[serde(default)]
    pub sequence_number: Option<u32>,
    /// Batch.
    #[serde(default)]
    pub batch_number: Option<u32>,
    /// Receipt number.
    #[serde(default)]
    pub receipt_number: Option<u32>,
    /// When.
    #[serde(default)]
    pub date: Option<String>,
    /// PIN verified.
    #[serde(default)]
    pub pin_ok: Option<bool>,
    /// Refusal word (`approved`, `declined`, `insufficientFunds`, …).
    #[serde(default)]
    pub refusal_code: Option<String>,
}

/// Totals of a batch or sub-batch.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Totals {
    /// Accepted sales.
    pub sale_count: u32,
    /// Their amounts.
    pub sale_amount: i64,
    /// Stornos.
    pub void_count: u32,
    /// Their amounts.
    pub void_amount: i64,
    /// Sales with a tip.
    pub tip_count: u32,
    /// Tips.
    pub tip_amount: i64,
    /// All counted.
    pub total_count: u32,
    /// Net total.
    pub total_amount: i64,
}

/// A closed batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Batch {
    /// Number.
    pub batch_number: u32,
    /// Terminal.
    #[serde(default)]
    pub tid: Option<String>,
    /// Closed at.
    #[serde(default)]
    pub date: Option<String>,
    /// ISO 4217.
    #[serde(default)]
    pub currency: Option<String>,
    /// Totals.
    #[serde(flatten)]
    pub totals: Totals,
}

/// The token endpoint's answer.
#[derive(Clone, Deserialize)]
pub(crate) struct TokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub expires_in: Option<u64>,
}

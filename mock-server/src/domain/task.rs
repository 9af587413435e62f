//! Tasks: what the cloud asks a terminal to do, and how each moves `NEW` → `IN_PROGRESS` → a final
//! state over virtual time or polls.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::request::TransactionRequest;
use crate::clock::Millis;
use crate::domain::plan::{CanceledSpelling, Outcome, Phase, WireProfile};

/// A task's state.
///
/// A scenario's `wire: {canceledSpelling: CANCELLED}` spells the aborted state `CANCELLED`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskState {
    /// Waiting for the terminal.
    New,
    /// The terminal works on it.
    InProgress,
    /// Done; a transaction task has a transaction.
    Completed,
    /// Aborted by customer or operator.
    Canceled,
    /// Failed; `error` says why.
    Error,
}

impl TaskState {
    /// Whether the state never changes again.
    #[must_use]
    pub fn is_final(self) -> bool {
        matches!(
            self,
            TaskState::Completed | TaskState::Canceled | TaskState::Error
        )
    }

    /// Wire spelling under the profile.
    #[must_use]
    pub fn as_str(self, wire: &WireProfile) -> &'static str {
        match self {
            TaskState::New => "NEW",
            TaskState::InProgress => "IN_PROGRESS",
            TaskState::Completed => "COMPLETED",
            TaskState::Canceled => match wire.canceled_spelling {
                CanceledSpelling::Canceled => "CANCELED",
                CanceledSpelling::Cancelled => "CANCELLED",
            },
            TaskState::Error => "ERROR",
        }
    }
}

/// TRANSACTION or BATCH.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskKind {
    /// A SALE or CANCEL.
    Transaction(Box<TransactionRequest>),
    /// Close the open batch.
    Batch,
}

impl TaskKind {
    /// Wire spelling of `taskType`.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            TaskKind::Transaction(_) => "TRANSACTION",
            TaskKind::Batch => "BATCH",
        }
    }
}

/// The error of a task that ended `ERROR` or `CANCELED`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TaskError {
    /// GP tom code (§1.7).
    #[schema(example = 65)]
    pub code: u16,
    /// Where it failed: `TERMINAL`, `CLOUD` or `AMS`.
    #[schema(value_type = crate::schema::Platform)]
    pub platform: &'static str,
    /// Human text.
    pub message: String,
}

/// A stored error read back (`--data-dir`): the platform becomes the one static spelling it was
/// written from.
impl<'de> Deserialize<'de> for TaskError {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Stored {
            code: u16,
            platform: String,
            message: String,
        }
        let stored = Stored::deserialize(deserializer)?;
        let platform = ["TERMINAL", "AMS", "CLOUD"]
            .into_iter()
            .find(|known| *known == stored.platform)
            .ok_or_else(|| {
                serde::de::Error::custom(format!("unknown platform `{}`", stored.platform))
            })?;
        Ok(TaskError {
            code: stored.code,
            platform,
            message: stored.message,
        })
    }
}

/// How the task will move, decided when it is created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Length of `NEW`.
    pub new: Phase,
    /// Length of `IN_PROGRESS`; `None` ends the task straight from `NEW`.
    pub in_progress: Option<Phase>,
    /// How it ends.
    pub outcome: Outcome,
    /// Card data choices.
    pub card: super::card::CardChoice,
    /// The rule that made the plan.
    pub rule: Option<std::sync::Arc<str>>,
}

/// A task.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Task {
    /// `taskId` (a UUID as a number).
    #[serde(with = "super::ids::uuid_text")]
    pub id: u128,
    /// What it does.
    pub kind: TaskKind,
    /// Index of the terminal in the store.
    pub terminal: u16,
    /// Current state.
    pub state: TaskState,
    /// Creation time.
    pub created: Millis,
    /// Last state change.
    pub updated: Millis,
    /// When it entered `IN_PROGRESS`.
    pub started: Option<Millis>,
    /// The plan.
    pub plan: Plan,
    /// Polls seen in the current state.
    pub polls_in_state: u32,
    /// When a poll-counted or manual phase became ready to end.
    pub ready_at: Option<Millis>,
    /// Resulting transaction (index in the store).
    pub transaction: Option<u32>,
    /// Closed batch number (BATCH tasks).
    pub batch_number: Option<u32>,
    /// Error when `ERROR` or `CANCELED`.
    pub error: Option<TaskError>,
    /// 1-based position among the terminal's transaction tasks.
    pub ordinal: u32,
}

impl Task {
    /// The phase of the current state, if it is not final.
    #[must_use]
    pub fn current_phase(&self) -> Option<Phase> {
        match self.state {
            TaskState::New => Some(self.plan.new),
            TaskState::InProgress => self.plan.in_progress,
            _ => None,
        }
    }

    /// Counts a poll; a poll-counted phase becomes ready after its number of polls.
    pub fn record_poll(&mut self, now: Millis) {
        if self.state.is_final() {
            return;
        }
        self.polls_in_state = self.polls_in_state.saturating_add(1);
        if let Some(Phase::Polls(polls)) = self.current_phase()
            && self.polls_in_state >= polls
            && self.ready_at.is_none()
        {
            self.ready_at = Some(now);
        }
    }
}

/// `CloudTaskDetailApiResponse` as the mock renders it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CloudTaskDetailApiResponse)]
pub struct TaskBody {
    /// `taskId`.
    #[schema(format = "uuid")]
    pub task_id: String,
    /// `TRANSACTION` | `BATCH`.
    #[schema(value_type = crate::schema::TaskType)]
    pub task_type: &'static str,
    /// State.
    #[schema(value_type = TaskState)]
    pub state: &'static str,
    /// Terminal.
    #[schema(example = "999888")]
    pub tid: String,
    /// Created, ISO 8601.
    #[schema(format = DateTime)]
    pub created: String,
    /// Updated, ISO 8601.
    #[schema(format = DateTime)]
    pub updated: String,
    /// Transaction, once there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = "uuid")]
    pub transaction_id: Option<String>,
    /// Closed batch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_number: Option<u32>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<TaskError>,
}

/// Appends `text` as a JSON string (quotes included) to `out`.
pub fn write_json_str(text: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut start = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..index]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(byte >> 4)]);
            out.push(HEX[usize::from(byte & 0x0f)]);
        } else {
            out.extend_from_slice(escape);
        }
        start = index + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Appends a decimal number to `out`.
pub fn write_json_u64(value: u64, out: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let mut rest = value;
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + u8::try_from(rest % 10).unwrap_or(0);
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
}

/// The parts of a task's wire shape, borrowed from the store: rendered straight to JSON bytes on
/// the hot path (polls), the same document [`TaskBody`] serialises to.
#[derive(Clone, Copy, Debug)]
pub struct TaskView<'a> {
    /// `taskId`.
    pub task_id: u128,
    /// `TRANSACTION` | `BATCH`.
    pub task_type: &'static str,
    /// State, as the wire profile spells it.
    pub state: &'static str,
    /// Terminal.
    pub tid: &'a Arc<str>,
    /// Created.
    pub created: Millis,
    /// Updated.
    pub updated: Millis,
    /// The transaction's id, once there is one.
    pub transaction_id: Option<u128>,
    /// Closed batch.
    pub batch_number: Option<u32>,
    /// Why it failed.
    pub error: Option<&'a TaskError>,
}

impl TaskView<'_> {
    /// The JSON document (field order as [`TaskBody`]'s).
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(320);
        out.extend_from_slice(b"{\"taskId\":\"");
        super::ids::write_uuid(self.task_id, &mut out);
        out.extend_from_slice(b"\",\"taskType\":\"");
        out.extend_from_slice(self.task_type.as_bytes());
        out.extend_from_slice(b"\",\"state\":\"");
        out.extend_from_slice(self.state.as_bytes());
        out.extend_from_slice(b"\",\"tid\":");
        write_json_str(self.tid, &mut out);
        out.extend_from_slice(b",\"created\":\"");
        self.created.write_iso(&mut out);
        out.extend_from_slice(b"\",\"updated\":\"");
        self.updated.write_iso(&mut out);
        out.push(b'"');
        if let Some(id) = self.transaction_id {
            out.extend_from_slice(b",\"transactionId\":\"");
            super::ids::write_uuid(id, &mut out);
            out.push(b'"');
        }
        if let Some(number) = self.batch_number {
            out.extend_from_slice(b",\"batchNumber\":");
            write_json_u64(u64::from(number), &mut out);
        }
        if let Some(error) = self.error {
            out.extend_from_slice(b",\"error\":{\"code\":");
            write_json_u64(u64::from(error.code), &mut out);
            out.extend_from_slice(b",\"platform\":");
            write_json_str(error.platform, &mut out);
            out.extend_from_slice(b",\"message\":");
            write_json_str(&error.message, &mut out);
            out.push(b'}');
        }
        out.push(b'}');
        out
    }
}

#[cfg(test)]
mod json_tests {
    use super::*;

    fn body_of(view: &TaskView<'_>) -> TaskBody {
        TaskBody {
            task_id: crate::domain::ids::format_uuid(view.task_id),
            task_type: view.task_type,
            state: view.state,
            tid: view.tid.to_string(),
            created: view.created.to_iso(),
            updated: view.updated.to_iso(),
            transaction_id: view.transaction_id.map(crate::domain::ids::format_uuid),
            batch_number: view.batch_number,
            error: view.error.cloned(),
        }
    }

    #[test]
    fn the_direct_rendering_is_the_serde_document() {
        let error = TaskError {
            code: 65,
            platform: "TERMINAL",
            message: "Timeout \"quoted\" \\ back\nslash\t\u{1}\u{1f} ž €".into(),
        };
        let views = [
            TaskView {
                task_id: 0x0123_4567_89ab_cdef_0123_4567_89ab_cdef,
                task_type: "TRANSACTION",
                state: "NEW",
                tid: &Arc::from("999888"),
                created: Millis(0),
                updated: Millis(1_768_467_600_123),
                transaction_id: None,
                batch_number: None,
                error: None,
            },
            TaskView {
                task_id: u128::MAX,
                task_type: "TRANSACTION",
                state: "COMPLETED",
                tid: &Arc::from("t\"id"),
                created: Millis(-1),
                updated: Millis(253_402_300_799_999),
                transaction_id: Some(7),
                batch_number: None,
                error: None,
            },
            TaskView {
                task_id: 1,
                task_type: "BATCH",
                state: "ERROR",
                tid: &Arc::from("777666"),
                created: Millis(86_400_000),
                updated: Millis(86_400_001),
                transaction_id: None,
                batch_number: Some(u32::MAX),
                error: Some(&error),
            },
        ];
        for view in &views {
            let direct: serde_json::Value =
                serde_json::from_slice(&view.to_json()).expect("valid JSON");
            let serde = serde_json::to_value(body_of(view)).expect("serialises");
            assert_eq!(direct, serde);
        }
    }
}

//! Tasks: what the cloud asks a terminal to do, and how each moves `NEW` → `IN_PROGRESS` → a final
//! state over virtual time or polls.

use serde::{Deserialize, Serialize};

use super::request::TransactionRequest;
use crate::clock::Millis;
use crate::domain::plan::{CanceledSpelling, Outcome, Phase, WireProfile};

/// A task's state.
///
/// A scenario's `wire: {canceledSpelling: CANCELLED}` spells the aborted state `CANCELLED`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    /// Every variant.
    pub const ALL: [TaskState; 5] = [
        TaskState::New,
        TaskState::InProgress,
        TaskState::Completed,
        TaskState::Canceled,
        TaskState::Error,
    ];

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
    Transaction(TransactionRequest),
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TaskError {
    /// GP tom code (§1.7).
    pub code: u16,
    /// Where it failed: `TERMINAL`, `CLOUD` or `AMS`.
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
    /// Error when `ERROR` or `CANCELED` (boxed: most tasks have none, and every stored task
    /// would carry its room).
    pub error: Option<Box<TaskError>>,
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

//! Read-only views of tasks, transactions, batches and the whole store (bounded by `limit`):
//! typed and borrowed; the wire renders them (`wire::task`, `wire::transaction`, `wire::batch`,
//! `wire::state`).
//!
//! Invariant: a view borrows what it shows and spells nothing: no JSON field name, no body type.

use std::sync::Arc;

use crate::clock::Millis;
use crate::domain::batch::BatchTotals;
use crate::domain::card::CardRange;
use crate::domain::ids::parse_uuid;
use crate::domain::plan::PaymentResult;
use crate::domain::refusal::Refusal;
use crate::domain::request::TransactionRequest;
use crate::domain::task::{TaskError, TaskKind};
use crate::domain::terminal::TerminalState;
use crate::domain::transaction::Transaction;

use super::{QUEUE_SHOWN, Store, StoreCounts};

impl Store {
    /// A task's answer, borrowed (rendered to JSON without intermediate strings).
    #[must_use]
    pub fn task_view(&self, index: u32) -> TaskView<'_> {
        let task = &self.tasks[index as usize];
        let terminal = &self.terminals[usize::from(task.terminal)];
        let wire = self.scenario_for(&terminal.tid).wire;
        TaskView {
            task_id: task.id,
            task_type: task.kind.as_str(),
            state: task.state.as_str(&wire),
            tid: &terminal.tid,
            created: task.created,
            updated: task.updated,
            transaction_id: task
                .transaction
                .map(|transaction| self.transactions[transaction as usize].id),
            batch_number: task.batch_number,
            error: task.error.as_deref(),
        }
    }

    /// The terminal a task belongs to (for the journal).
    #[must_use]
    pub fn task_tid(&self, task_id: &str) -> Option<&str> {
        let index = parse_uuid(task_id).and_then(|id| self.task_position(id))?;
        Some(&self.terminals[usize::from(self.tasks[index as usize].terminal)].tid)
    }

    /// What a task's payment came to by `now` (its terminal settled first): the result and
    /// refusal word of its transaction, once it has one. Coverage judges by it, so a decline
    /// counts as met even when the client never read it.
    pub fn task_outcome(&mut self, task_id: &str, now: Millis) -> Option<(PaymentResult, Refusal)> {
        let index = parse_uuid(task_id).and_then(|id| self.task_position(id))?;
        self.settle_terminal(self.tasks[index as usize].terminal, now);
        let transaction = &self.transactions[self.tasks[index as usize].transaction? as usize];
        Some((transaction.result, transaction.refusal))
    }

    /// A transaction with what its answer shows beside it.
    #[must_use]
    pub fn transaction_view(&self, index: u32) -> TransactionView<'_> {
        let transaction = &self.transactions[index as usize];
        TransactionView {
            transaction,
            terminal: &self.terminals[usize::from(transaction.terminal)],
            range: transaction
                .card
                .as_ref()
                .and_then(|card| self.fixtures.cards.get(usize::from(card.range))),
            origin_ams_id: transaction
                .origin
                .map(|origin| self.transactions[origin as usize].ams_id),
            cloud_dcc: transaction.dcc.is_some()
                && self
                    .scenario_for(&self.terminals[usize::from(transaction.terminal)].tid)
                    .wire
                    .cloud_dcc_data,
        }
    }

    /// A closed batch.
    #[must_use]
    pub fn closed_batch_view(&self, index: u32) -> BatchView<'_> {
        let batch = &self.batches[index as usize];
        BatchView {
            totals: &batch.totals,
            terminal: &self.terminals[usize::from(batch.terminal)],
            closed: Some((batch.number, batch.date)),
            previous_batch_date: batch.previous_batch_date,
        }
    }

    /// Counts for health and metrics.
    #[must_use]
    pub fn counts(&self) -> StoreCounts {
        StoreCounts {
            terminals: self.terminals.len(),
            tasks: self.tasks.len(),
            transactions: self.transactions.len(),
            batches: self.batches.len(),
            refresh_tokens: self.refresh_tokens.len(),
        }
    }

    /// The whole state for `GET /__mock/state` and the page (the last `limit` tasks,
    /// transactions and batches), settled to `now`.
    pub fn overview(&mut self, now: Millis, limit: usize) -> Overview<'_> {
        self.settle_all(now);
        let store = &*self;
        let terminals = store
            .terminals
            .iter()
            .enumerate()
            .map(|(position, terminal)| TerminalOverview {
                terminal,
                last_transaction_id: terminal
                    .last_transaction
                    .map(|index| store.transactions[index as usize].id),
                manual: store.is_manual(u16::try_from(position).unwrap_or(u16::MAX)),
                // A queue is shown as its length and its first tasks: a view costs what it
                // shows, not what a fast client queued.
                queue: terminal
                    .queue
                    .iter()
                    .take(limit.min(QUEUE_SHOWN))
                    .map(|index| store.tasks[*index as usize].id)
                    .collect(),
                scenario: &store.scenario_for(&terminal.tid).name,
            })
            .collect();
        let last = |len: usize| {
            (len.saturating_sub(limit)..len).map(|index| u32::try_from(index).unwrap_or(u32::MAX))
        };
        let tasks = last(store.tasks.len())
            .map(|index| {
                let task = &store.tasks[index as usize];
                TaskOverview {
                    view: store.task_view(index),
                    rule: task.plan.rule.as_deref(),
                    request: match &task.kind {
                        TaskKind::Transaction(request) => Some(request),
                        TaskKind::Batch => None,
                    },
                }
            })
            .collect();
        let transactions = last(store.transactions.len())
            .map(|index| store.transaction_view(index))
            .collect();
        let batches = last(store.batches.len())
            .map(|index| store.closed_batch_view(index))
            .collect();
        Overview {
            batches,
            counts: store.counts(),
            now,
            tasks,
            terminals,
            transactions,
        }
    }
}

/// The whole state, borrowed: the last tasks, transactions and batches, every terminal.
#[derive(Debug)]
pub struct Overview<'a> {
    /// The last closed batches.
    pub batches: Vec<BatchView<'a>>,
    /// Sizes.
    pub counts: StoreCounts,
    /// The time it was settled to.
    pub now: Millis,
    /// The last tasks.
    pub tasks: Vec<TaskOverview<'a>>,
    /// Every terminal.
    pub terminals: Vec<TerminalOverview<'a>>,
    /// The last transactions.
    pub transactions: Vec<TransactionView<'a>>,
}

/// A task with the rule that planned it and its request.
#[derive(Debug)]
pub struct TaskOverview<'a> {
    /// Its answer.
    pub view: TaskView<'a>,
    /// The scenario rule that planned it.
    pub rule: Option<&'a str>,
    /// A transaction task's request.
    pub request: Option<&'a TransactionRequest>,
}

/// A terminal with what the state view shows beside it.
#[derive(Debug)]
pub struct TerminalOverview<'a> {
    /// The terminal.
    pub terminal: &'a TerminalState,
    /// Its last transaction's id.
    pub last_transaction_id: Option<u128>,
    /// Whether its tasks wait for manual decisions.
    pub manual: bool,
    /// The ids of its first queued tasks (the length is the terminal's).
    pub queue: Vec<u128>,
    /// Its active scenario.
    pub scenario: &'a str,
}

/// A transaction with what its answer shows beside it.
#[derive(Clone, Copy, Debug)]
pub struct TransactionView<'a> {
    /// The transaction.
    pub transaction: &'a Transaction,
    /// Its terminal.
    pub terminal: &'a TerminalState,
    /// The card range of its card (card payments).
    pub range: Option<&'a CardRange>,
    /// A cancellation's: the amsID of the payment it cancels.
    pub origin_ams_id: Option<u64>,
    /// Whether the terminal's scenario writes a DCC offer into the Cloud body
    /// (`wire.cloud_dcc_data`).
    pub cloud_dcc: bool,
}

/// A batch, closed or open, as its answers need it.
#[derive(Clone, Copy, Debug)]
pub struct BatchView<'a> {
    /// Its totals.
    pub totals: &'a BatchTotals,
    /// Its terminal.
    pub terminal: &'a TerminalState,
    /// Its number and closing time (`None` while open).
    pub closed: Option<(u32, Millis)>,
    /// When the batch before it was closed.
    pub previous_batch_date: Millis,
}

/// The parts of a task's answer, borrowed from the store: the wire renders them (straight to
/// JSON bytes on the hot path).
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

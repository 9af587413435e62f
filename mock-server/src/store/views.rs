//! Read-only views of tasks, transactions, batches and the whole store (bounded by `limit`):
//! typed and borrowed where they can be; the routes serialise them.

use serde::Serialize;

use crate::clock::Millis;
use crate::domain::batch::{BatchBody, Totals};
use crate::domain::ids::{format_uuid, parse_uuid};
use crate::domain::plan::PaymentResult;
use crate::domain::refusal::Refusal;
use crate::domain::request::TransactionRequest;
use crate::domain::task::{TaskBody, TaskKind, TaskView};
use crate::domain::transaction::TransactionBody;

use super::{QUEUE_SHOWN, Store, StoreCounts};

impl Store {
    // ----- reads -------------------------------------------------------------------------------

    /// The wire body of a task.
    #[must_use]
    pub fn task_body(&self, index: u32) -> TaskBody {
        let view = self.task_view(index);
        TaskBody {
            task_id: format_uuid(view.task_id),
            task_type: view.task_type,
            state: view.state,
            tid: view.tid.to_string(),
            created: view.created.to_iso(),
            updated: view.updated.to_iso(),
            transaction_id: view.transaction_id.map(format_uuid),
            batch_number: view.batch_number,
            error: view.error.cloned(),
        }
    }

    /// The wire shape of a task, borrowed (rendered to JSON without intermediate strings).
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
            error: task.error.as_ref(),
        }
    }

    /// The terminal a task belongs to (for the journal).
    #[must_use]
    pub fn task_tid(&self, task_id: &str) -> Option<&str> {
        let index = parse_uuid(task_id).and_then(|id| self.task_index.get(&id))?;
        Some(&self.terminals[usize::from(self.tasks[*index as usize].terminal)].tid)
    }

    /// What a task's payment came to by `now` (its terminal settled first): the result and
    /// refusal word of its transaction, once it has one. Coverage judges by it, so a decline
    /// counts as met even when the client never read it.
    pub fn task_outcome(&mut self, task_id: &str, now: Millis) -> Option<(PaymentResult, Refusal)> {
        let index = *parse_uuid(task_id).and_then(|id| self.task_index.get(&id))?;
        self.settle_terminal(self.tasks[index as usize].terminal, now);
        let transaction = &self.transactions[self.tasks[index as usize].transaction? as usize];
        Some((transaction.result, transaction.refusal))
    }

    /// The wire body of a transaction.
    #[must_use]
    pub fn transaction_body(&self, index: u32) -> TransactionBody {
        let transaction = &self.transactions[index as usize];
        let terminal = &self.terminals[usize::from(transaction.terminal)];
        let origin_ams = transaction
            .origin
            .map(|origin| self.transactions[origin as usize].ams_id);
        transaction.body(
            &terminal.tid,
            &terminal.merchant_id,
            &terminal.currency,
            &self.fixtures.cards,
            origin_ams,
        )
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
    /// transactions and batches), settled to `now`: borrowed, serialised by the caller.
    pub fn state_view(&mut self, now: Millis, limit: usize) -> StateView<'_> {
        self.settle_all(now);
        let store = &*self;
        let terminals = store
            .terminals
            .iter()
            .enumerate()
            .map(|(position, terminal)| TerminalView {
                company: &terminal.company,
                currency: &terminal.currency,
                last_transaction_id: terminal
                    .last_transaction
                    .map(|index| format_uuid(store.transactions[index as usize].id)),
                manual: store.is_manual(u16::try_from(position).unwrap_or(u16::MAX)),
                merchant_id: &terminal.merchant_id,
                name: &terminal.name,
                open_batch: OpenBatchView {
                    batch_number: terminal.batch_number,
                    opened: terminal.batch_opened.to_iso(),
                    totals: &terminal.batch_totals.all,
                },
                // A queue is shown as its length and its first tasks: a view costs what it
                // shows, not what a fast client queued.
                queue: terminal
                    .queue
                    .iter()
                    .take(limit.min(QUEUE_SHOWN))
                    .map(|index| format_uuid(store.tasks[*index as usize].id))
                    .collect(),
                queue_length: terminal.queue.len(),
                scenario: &store.scenario_for(&terminal.tid).name,
                tid: &terminal.tid,
            })
            .collect();
        let tasks = (store.tasks.len().saturating_sub(limit)..store.tasks.len())
            .map(|index| {
                let task = &store.tasks[index];
                TaskStateView {
                    body: store.task_body(u32::try_from(index).unwrap_or(u32::MAX)),
                    rule: task.plan.rule.as_deref(),
                    request: match &task.kind {
                        TaskKind::Transaction(request) => Some(&**request),
                        TaskKind::Batch => None,
                    },
                }
            })
            .collect();
        let transactions = (store.transactions.len().saturating_sub(limit)
            ..store.transactions.len())
            .map(|index| store.transaction_body(u32::try_from(index).unwrap_or(u32::MAX)))
            .collect();
        let batches = store.batches[store.batches.len().saturating_sub(limit)..]
            .iter()
            .map(|batch| {
                let terminal = &store.terminals[usize::from(batch.terminal)];
                batch.body(&terminal.tid, &terminal.currency)
            })
            .collect();
        StateView {
            batches,
            counts: store.counts(),
            now: now.to_iso(),
            tasks,
            terminals,
            transactions,
        }
    }
}

/// The whole state as the control plane shows it (fields in the order of their JSON names).
#[derive(Debug, Serialize)]
pub struct StateView<'a> {
    batches: Vec<BatchBody>,
    counts: StoreCounts,
    now: String,
    tasks: Vec<TaskStateView<'a>>,
    terminals: Vec<TerminalView<'a>>,
    transactions: Vec<TransactionBody>,
}

/// A task as the state view shows it: its wire body, the rule that planned it, its request.
#[derive(Debug, Serialize)]
struct TaskStateView<'a> {
    #[serde(flatten)]
    body: TaskBody,
    rule: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request: Option<&'a TransactionRequest>,
}

/// A terminal as the state view shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TerminalView<'a> {
    company: &'a str,
    currency: &'a str,
    last_transaction_id: Option<String>,
    manual: bool,
    merchant_id: &'a str,
    name: &'a str,
    open_batch: OpenBatchView<'a>,
    queue: Vec<String>,
    queue_length: usize,
    scenario: &'a str,
    tid: &'a str,
}

/// A terminal's open batch.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct OpenBatchView<'a> {
    batch_number: u32,
    opened: String,
    totals: &'a Totals,
}

//! The whole state as the control plane (`GET /__mock/state`) and the live page show it: every
//! terminal, the last tasks, transactions and batches in their GP tom bodies.

use serde::Serialize;

use super::batch::{BatchBody, TotalsBody, batch_body};
use super::task::{TaskBody, task_body};
use super::transaction::{TransactionBody, transaction_body_shown};
use crate::domain::ids::format_uuid;
use crate::domain::request::TransactionRequest;
use crate::store::{Overview, StoreCounts};

/// Sizes of the store, as health and the state view show them.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CountsBody {
    terminals: usize,
    tasks: usize,
    transactions: usize,
    batches: usize,
    refresh_tokens: usize,
}

impl From<StoreCounts> for CountsBody {
    fn from(counts: StoreCounts) -> Self {
        CountsBody {
            terminals: counts.terminals,
            tasks: counts.tasks,
            transactions: counts.transactions,
            batches: counts.batches,
            refresh_tokens: counts.refresh_tokens,
        }
    }
}

/// The whole state (fields in the order of their JSON names).
#[derive(Debug, Serialize)]
pub struct StateView<'a> {
    batches: Vec<BatchBody>,
    counts: CountsBody,
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
    open_batch: OpenBatchView,
    queue: Vec<String>,
    queue_length: usize,
    scenario: &'a str,
    tid: &'a str,
}

/// A terminal's open batch.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct OpenBatchView {
    batch_number: u32,
    opened: String,
    totals: TotalsBody,
}

/// The state view of the store's overview.
#[must_use]
pub fn state_view<'a>(overview: &Overview<'a>) -> StateView<'a> {
    StateView {
        batches: overview.batches.iter().copied().map(batch_body).collect(),
        counts: overview.counts.into(),
        now: overview.now.to_iso(),
        tasks: overview
            .tasks
            .iter()
            .map(|task| TaskStateView {
                body: task_body(&task.view),
                rule: task.rule,
                request: task.request,
            })
            .collect(),
        terminals: overview
            .terminals
            .iter()
            .map(|shown| {
                let terminal = shown.terminal;
                TerminalView {
                    company: &terminal.company,
                    currency: terminal.currency.as_str(),
                    last_transaction_id: shown.last_transaction_id.map(format_uuid),
                    manual: shown.manual,
                    merchant_id: &terminal.merchant_id,
                    name: &terminal.name,
                    open_batch: OpenBatchView {
                        batch_number: terminal.batch_number,
                        opened: terminal.batch_opened.to_iso(),
                        totals: terminal.batch_totals.all.into(),
                    },
                    queue: shown.queue.iter().copied().map(format_uuid).collect(),
                    queue_length: terminal.queue.len(),
                    scenario: shown.scenario,
                    tid: &terminal.tid,
                }
            })
            .collect(),
        transactions: overview
            .transactions
            .iter()
            .copied()
            .map(transaction_body_shown)
            .collect(),
    }
}

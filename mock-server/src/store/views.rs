//! Read-only views of tasks, transactions, batches and the whole store (bounded by `limit`).

use serde_json::Value;

use crate::clock::Millis;
use crate::domain::ids::{format_uuid, parse_uuid};
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

    /// The whole state as JSON for `GET /__mock/state` (the last `limit` tasks and transactions).
    pub fn snapshot(&mut self, now: Millis, limit: usize) -> Value {
        self.settle_all(now);
        let terminals: Vec<Value> = self
            .terminals
            .iter()
            .enumerate()
            .map(|(position, terminal)| {
                serde_json::json!({
                    "tid": terminal.tid,
                    "merchantId": terminal.merchant_id,
                    "company": terminal.company,
                    "name": terminal.name,
                    "currency": terminal.currency,
                    "scenario": self.scenario_for(&terminal.tid).name,
                    "manual": self.is_manual(u16::try_from(position).unwrap_or(u16::MAX)),
                    // A queue is shown as its length and its first tasks: a view costs what
                    // it shows, not what a fast client queued.
                    "queueLength": terminal.queue.len(),
                    "queue": terminal.queue.iter().take(limit.min(QUEUE_SHOWN)).map(|index| format_uuid(self.tasks[*index as usize].id)).collect::<Vec<_>>(),
                    "openBatch": {
                        "batchNumber": terminal.batch_number,
                        "opened": terminal.batch_opened.to_iso(),
                        "totals": terminal.batch_totals.all,
                    },
                    "lastTransactionId": terminal.last_transaction.map(|index| format_uuid(self.transactions[index as usize].id)),
                })
            })
            .collect();
        let skip_tasks = self.tasks.len().saturating_sub(limit);
        let tasks: Vec<Value> = (skip_tasks..self.tasks.len())
            .map(|index| {
                let task = &self.tasks[index];
                let mut body =
                    serde_json::to_value(self.task_body(u32::try_from(index).unwrap_or(u32::MAX)))
                        .unwrap_or(Value::Null);
                if let Value::Object(map) = &mut body {
                    map.insert(
                        "rule".into(),
                        task.plan.rule.as_deref().map_or(Value::Null, Value::from),
                    );
                    if let TaskKind::Transaction(request) = &task.kind {
                        map.insert(
                            "request".into(),
                            serde_json::to_value(request).unwrap_or(Value::Null),
                        );
                    }
                }
                body
            })
            .collect();
        let skip_transactions = self.transactions.len().saturating_sub(limit);
        let transactions: Vec<Value> = (skip_transactions..self.transactions.len())
            .map(|index| {
                serde_json::to_value(
                    self.transaction_body(u32::try_from(index).unwrap_or(u32::MAX)),
                )
                .unwrap_or(Value::Null)
            })
            .collect();
        let skip_batches = self.batches.len().saturating_sub(limit);
        let batches: Vec<Value> = self.batches[skip_batches..]
            .iter()
            .map(|batch| {
                let terminal = &self.terminals[usize::from(batch.terminal)];
                serde_json::to_value(batch.body(&terminal.tid, &terminal.currency))
                    .unwrap_or(Value::Null)
            })
            .collect();
        serde_json::json!({
            "now": now.to_iso(),
            "counts": self.counts(),
            "terminals": terminals,
            "tasks": tasks,
            "transactions": transactions,
            "batches": batches,
        })
    }
}

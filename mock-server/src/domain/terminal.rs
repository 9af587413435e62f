//! A terminal's live state: its queue, its open batch, its counters.

use std::collections::VecDeque;

use super::batch::BatchTotals;
use crate::clock::Millis;

/// One terminal of the store.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TerminalState {
    /// TID.
    pub tid: std::sync::Arc<str>,
    /// Owning merchant.
    pub merchant_id: String,
    /// The merchant's company.
    pub company: String,
    /// ISO 4217.
    pub currency: crate::domain::currency::CurrencyCode,
    /// Display name.
    pub name: String,
    /// Unfinished tasks in order (indices); the front one is the one the device works on. Not
    /// stored: a restore rebuilds it from the tasks.
    #[serde(skip)]
    pub queue: VecDeque<u32>,
    /// When the device finished its last task (it cannot start another before).
    pub free_at: Millis,
    /// The open batch's number.
    pub batch_number: u32,
    /// When the previous batch was closed (or the terminal came up).
    pub batch_opened: Millis,
    /// Running totals of the open batch.
    pub batch_totals: BatchTotals,
    /// The last transaction, while no other transaction or batch close came after it.
    pub last_transaction: Option<u32>,
    /// Transaction tasks created so far.
    pub transaction_tasks: u32,
    /// Last sequence number used.
    pub sequence: u32,
    /// Last receipt number used.
    pub receipt: u32,
}

impl TerminalState {
    /// A copy without the queue (what a data dir stores; cheap however long the queue).
    #[must_use]
    pub fn without_queue(&self) -> TerminalState {
        TerminalState {
            tid: std::sync::Arc::clone(&self.tid),
            merchant_id: self.merchant_id.clone(),
            company: self.company.clone(),
            currency: self.currency,
            name: self.name.clone(),
            queue: VecDeque::new(),
            free_at: self.free_at,
            batch_number: self.batch_number,
            batch_opened: self.batch_opened,
            batch_totals: self.batch_totals,
            last_transaction: self.last_transaction,
            transaction_tasks: self.transaction_tasks,
            sequence: self.sequence,
            receipt: self.receipt,
        }
    }
}

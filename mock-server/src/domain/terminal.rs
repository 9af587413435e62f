//! A terminal's live state: its queue, its open batch, its counters.

use std::collections::VecDeque;

use super::batch::BatchTotals;
use crate::clock::Millis;

/// One terminal of the store.
#[derive(Clone, Debug)]
pub struct TerminalState {
    /// TID.
    pub tid: std::sync::Arc<str>,
    /// Owning merchant.
    pub merchant_id: String,
    /// The merchant's company.
    pub company: String,
    /// ISO 4217.
    pub currency: String,
    /// Display name.
    pub name: String,
    /// Unfinished tasks in order (indices); the front one is the one the device works on.
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

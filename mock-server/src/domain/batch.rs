//! Batches: the running totals of a terminal's open batch, and closed batches.

use serde::Serialize;

use super::request::{PaymentMethod, TransactionType};
use super::transaction::Transaction;
use crate::clock::Millis;
use crate::domain::plan::PaymentResult;

/// Counters of one batch or sub-batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Accepted sales.
    pub sale_count: u32,
    /// Their amounts without tips.
    pub sale_amount: i64,
    /// Accepted cancellations (stornos).
    pub void_count: u32,
    /// Their total amounts (amount + tip).
    pub void_amount: i64,
    /// Accepted sales with a tip.
    pub tip_count: u32,
    /// Their tips.
    pub tip_amount: i64,
    /// sale_count + void_count.
    pub total_count: u32,
    /// sale_amount + tip_amount − void_amount.
    pub total_amount: i64,
}

impl Totals {
    fn add(&mut self, transaction: &Transaction) {
        match transaction.kind {
            TransactionType::Sale => {
                self.sale_count = self.sale_count.saturating_add(1);
                self.sale_amount = self.sale_amount.saturating_add(transaction.amount);
                if transaction.tip > 0 {
                    self.tip_count = self.tip_count.saturating_add(1);
                    self.tip_amount = self.tip_amount.saturating_add(transaction.tip);
                }
                self.total_amount = self.total_amount.saturating_add(transaction.total());
            }
            TransactionType::Cancel | TransactionType::Refund => {
                self.void_count = self.void_count.saturating_add(1);
                self.void_amount = self.void_amount.saturating_add(transaction.total());
                self.total_amount = self.total_amount.saturating_sub(transaction.total());
            }
        }
        self.total_count = self.total_count.saturating_add(1);
    }
}

/// The totals of a batch, overall and per payment method.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct BatchTotals {
    /// All methods.
    pub all: Totals,
    /// Per payment method, in the order of `PaymentMethod::ALL`.
    by_method: [Totals; PaymentMethod::ALL.len()],
}

impl BatchTotals {
    /// Counts a transaction; only accepted ones count.
    pub fn record(&mut self, transaction: &Transaction) {
        if transaction.result != PaymentResult::Accepted {
            return;
        }
        self.all.add(transaction);
        self.by_method[transaction.payment_method as usize].add(transaction);
    }

    /// The totals of one payment method.
    #[must_use]
    pub fn of(&self, method: PaymentMethod) -> Totals {
        self.by_method[method as usize]
    }

    /// Each payment method with its totals.
    pub fn methods(&self) -> impl Iterator<Item = (PaymentMethod, Totals)> + '_ {
        PaymentMethod::ALL
            .into_iter()
            .map(|method| (method, self.of(method)))
    }
}

/// A closed batch.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct Batch {
    /// Terminal index.
    pub terminal: u16,
    /// Number.
    pub number: u32,
    /// When it was closed.
    pub date: Millis,
    /// When the previous batch was closed (or the terminal started).
    pub previous_batch_date: Millis,
    /// Totals.
    pub totals: BatchTotals,
}

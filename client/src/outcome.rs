//! Typed outcomes of the high-level flows.

use crate::types::{Batch, PaymentResult, Task, TaskState, Transaction};

/// How a payment ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// Approved: the transaction carries the receipt data.
    Approved(Transaction),
    /// Declined by the issuer; `refusal` is GP tom's word (`insufficientFunds`, …).
    Declined {
        /// The refusal word.
        refusal: String,
        /// The transaction.
        transaction: Transaction,
    },
    /// Aborted by the customer or the operator.
    Cancelled {
        /// GP tom's code (43, 96), when the task carried one.
        code: Option<u16>,
        /// The transaction, when one was recorded.
        transaction: Option<Transaction>,
    },
    /// The task failed: no payment was made.
    Failed {
        /// The task.
        task: Task,
        /// GP tom's code (62 offline, 65 timeout, …).
        code: Option<u16>,
        /// Its message.
        message: Option<String>,
    },
}

impl PaymentOutcome {
    pub(crate) fn from_parts(task: Task, transaction: Option<Transaction>) -> Self {
        let code = task.error.as_ref().map(|error| error.code);
        match (&task.state, transaction) {
            (TaskState::Canceled, transaction) => PaymentOutcome::Cancelled { code, transaction },
            (TaskState::Completed, Some(transaction)) => match transaction.result {
                PaymentResult::Accepted => PaymentOutcome::Approved(transaction),
                PaymentResult::Declined => PaymentOutcome::Declined {
                    refusal: transaction
                        .refusal_code
                        .clone()
                        .unwrap_or_else(|| "declined".into()),
                    transaction,
                },
                PaymentResult::Cancelled | PaymentResult::Unknown => PaymentOutcome::Cancelled {
                    code,
                    transaction: Some(transaction),
                },
            },
            _ => PaymentOutcome::Failed {
                message: task.error.as_ref().and_then(|error| error.message.clone()),
                code,
                task,
            },
        }
    }

    /// The transaction, if one was recorded.
    #[must_use]
    pub fn transaction(&self) -> Option<&Transaction> {
        match self {
            PaymentOutcome::Approved(transaction)
            | PaymentOutcome::Declined { transaction, .. } => Some(transaction),
            PaymentOutcome::Cancelled { transaction, .. } => transaction.as_ref(),
            PaymentOutcome::Failed { .. } => None,
        }
    }

    /// Whether the money was taken.
    #[must_use]
    pub fn is_approved(&self) -> bool {
        matches!(self, PaymentOutcome::Approved(_))
    }
}

/// How a storno ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(
    clippy::large_enum_variant,
    reason = "an outcome is returned once per storno; boxing would only make matching clumsier"
)]
pub enum CancelOutcome {
    /// The payment is cancelled; this is the CANCEL transaction.
    Cancelled(Transaction),
    /// GP tom refused: 44 already cancelled, 45 older than 93 days, 47 not allowed.
    Refused {
        /// The task.
        task: Task,
        /// The code.
        code: Option<u16>,
        /// The message.
        message: Option<String>,
    },
    /// Anything else (declined, aborted).
    Other(Box<PaymentOutcome>),
}

/// How a batch close ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchOutcome {
    /// Closed; its totals.
    Closed(Batch),
    /// The close failed (48 batch declined, …).
    Failed {
        /// The task.
        task: Task,
        /// The code.
        code: Option<u16>,
        /// The message.
        message: Option<String>,
    },
}

//! GP tom's cancellation (storno) rules (§1.4): same terminal, at most 93 days, not twice,
//! `LAST_TRANSACTION` only for the terminal's last transaction, `OLDER_TRANSACTION` for any older
//! one by its amsID.

use super::request::{CancelMode, TransactionType};
use super::transaction::Transaction;
use crate::clock::Millis;
use crate::domain::plan::PaymentResult;

/// How long after a payment it may be cancelled.
pub const STORNO_WINDOW_DAYS: i64 = 93;

/// Why a cancellation is refused: the task ends `ERROR` with this code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StornoRefusal {
    /// 44: the payment is already cancelled.
    AlreadyCancelled,
    /// 45: more than 93 days old.
    PeriodExpired,
    /// 47: not allowed (wrong terminal, wrong mode, nothing to cancel, not an approved sale).
    NotAllowed(&'static str),
}

impl StornoRefusal {
    /// GP tom's code.
    #[must_use]
    pub fn code(self) -> u16 {
        match self {
            StornoRefusal::AlreadyCancelled => 44,
            StornoRefusal::PeriodExpired => 45,
            StornoRefusal::NotAllowed(_) => 47,
        }
    }

    /// Human text.
    #[must_use]
    pub fn message(self) -> String {
        match self {
            StornoRefusal::AlreadyCancelled => "Transaction already cancelled".into(),
            StornoRefusal::PeriodExpired => {
                format!("Cancellation period expired ({STORNO_WINDOW_DAYS} days)")
            }
            StornoRefusal::NotAllowed(why) => format!("Transaction not allowed: {why}"),
        }
    }
}

/// What a cancellation request names, resolved against the store.
#[derive(Clone, Copy, Debug)]
pub struct StornoRequest<'a> {
    /// The mode.
    pub mode: CancelMode,
    /// The terminal asking (index).
    pub terminal: u16,
    /// The terminal's last transaction, if no other transaction or batch close came after it.
    pub last: Option<(u32, &'a Transaction)>,
    /// OLDER_TRANSACTION: the transaction with the named amsID, wherever it is.
    pub named: Option<(u32, &'a Transaction)>,
}

/// Decides which transaction a cancellation voids, or why it cannot.
pub fn decide_storno(
    request: StornoRequest<'_>,
    transactions: &super::chunked::Chunked<Transaction>,
    now: Millis,
) -> Result<u32, StornoRefusal> {
    let (index, target) = match request.mode {
        CancelMode::LastTransaction => {
            let Some((index, last)) = request.last else {
                return Err(StornoRefusal::NotAllowed("no last transaction to cancel"));
            };
            if last.kind == TransactionType::Cancel {
                // The last thing the terminal did was a storno: cancelling "last" again would hit
                // the same payment a second time.
                return Err(StornoRefusal::AlreadyCancelled);
            }
            (index, last)
        }
        CancelMode::OlderTransaction => {
            let Some((index, named)) = request.named else {
                return Err(StornoRefusal::NotAllowed(
                    "no transaction with this amsID on this terminal",
                ));
            };
            if named.terminal != request.terminal {
                return Err(StornoRefusal::NotAllowed(
                    "no transaction with this amsID on this terminal",
                ));
            }
            (index, named)
        }
    };
    if target.kind != TransactionType::Sale {
        return Err(StornoRefusal::NotAllowed(
            "a cancellation cannot be cancelled",
        ));
    }
    if target
        .cancelled_by
        .is_some_and(|by| transactions.get(by as usize).is_some())
    {
        return Err(StornoRefusal::AlreadyCancelled);
    }
    if target.result != PaymentResult::Accepted {
        return Err(StornoRefusal::NotAllowed(
            "only an accepted payment can be cancelled",
        ));
    }
    if now.0 - target.date.0 > STORNO_WINDOW_DAYS * Millis::DAY {
        return Err(StornoRefusal::PeriodExpired);
    }
    if request.mode == CancelMode::OlderTransaction
        && request.last.is_some_and(|(last, _)| last == index)
    {
        return Err(StornoRefusal::NotAllowed(
            "the last transaction is cancelled with cancelMode LAST_TRANSACTION",
        ));
    }
    Ok(index)
}

//! Transactions: the result of a SALE or CANCEL task, with its receipt data.

use super::card::Card;
use super::refusal::Refusal;
use super::request::{PaymentMethod, TransactionType};
use crate::clock::Millis;
use crate::domain::plan::PaymentResult;

/// A recorded transaction.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Transaction {
    /// `transactionId` (a UUID as a number).
    #[serde(with = "super::ids::uuid_text")]
    pub id: u128,
    /// GP tom's back-end id, used for cancellations.
    pub ams_id: u64,
    /// The task that produced it (index); `None` for data a scenario seeded.
    pub task: Option<u32>,
    /// Terminal index.
    pub terminal: u16,
    /// SALE or CANCEL.
    pub kind: TransactionType,
    /// Result.
    pub result: PaymentResult,
    /// Refusal word.
    pub refusal: Refusal,
    /// CARD or CASH.
    pub payment_method: PaymentMethod,
    /// Minor units.
    pub amount: i64,
    /// Tip, minor units.
    pub tip: i64,
    /// The card (card payments).
    pub card: Option<Card>,
    /// Authorization code (approved card payments only).
    pub authorization_code: Option<[u8; 6]>,
    /// Retrieval reference number (12 digits).
    pub reference_number: u64,
    /// The integrator's reference.
    pub origin_reference: Option<Box<str>>,
    /// Terminal's sequence number.
    pub sequence_number: u32,
    /// Receipt number.
    pub receipt_number: u32,
    /// Batch it belongs to.
    pub batch_number: u32,
    /// When it happened.
    pub date: Millis,
    /// CANCEL: the transaction it cancels (index).
    pub origin: Option<u32>,
    /// SALE: the CANCEL that voided it (index).
    pub cancelled_by: Option<u32>,
    /// The DCC offer made to a foreign card (a cancellation carries its payment's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dcc: Option<Box<super::dcc::DccOffer>>,
}

impl Transaction {
    /// Amount plus tip (saturating: a stored value edited to an extreme cannot overflow it).
    #[must_use]
    pub fn total(&self) -> i64 {
        self.amount.saturating_add(self.tip)
    }
}

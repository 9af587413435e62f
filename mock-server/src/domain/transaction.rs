//! Transactions: the result of a SALE or CANCEL task, with its receipt data.

use serde::Serialize;

use super::card::{Card, CardRange};
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
}

/// The wire shape of a transaction.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = TransactionDetailApiResponse)]
pub struct TransactionBody {
    /// `transactionId`.
    #[schema(format = "uuid")]
    pub transaction_id: String,
    /// `amsID`: the back end's id, used by cancellations and deep links.
    #[serde(rename = "amsID")]
    #[schema(pattern = "^[0-9]+$")]
    pub ams_id: String,
    /// ACCEPTED | DECLINED | CANCELLED.
    #[schema(value_type = PaymentResult)]
    pub result: &'static str,
    /// SALE | CANCEL.
    #[schema(value_type = TransactionType)]
    pub transaction_type: &'static str,
    /// CARD | CASH.
    #[schema(value_type = PaymentMethod)]
    pub payment_method: &'static str,
    /// Terminal.
    #[serde(rename = "terminalID")]
    pub terminal_id: String,
    /// Merchant.
    #[serde(rename = "merchantID")]
    pub merchant_id: String,
    /// Minor units.
    pub amount: i64,
    /// Minor units.
    pub tip_amount: i64,
    /// amount + tip.
    pub total_amount: i64,
    /// ISO 4217.
    #[schema(example = "CZK", pattern = "^[A-Z]{3}$")]
    pub currency_code: String,
    /// Masked PAN.
    pub card_number: Option<String>,
    /// Brand.
    #[schema(value_type = Option<super::card::CardBrand>)]
    pub card_type: Option<&'static str>,
    /// Entry mode.
    #[schema(value_type = Option<super::card::EntryMode>)]
    pub card_entry_mode: Option<&'static str>,
    /// EMV AID.
    pub emv_aid: Option<String>,
    /// EMV label.
    pub emv_app_label: Option<String>,
    /// Approved only.
    pub authorization_code: Option<String>,
    /// RRN.
    pub reference_number: String,
    /// Integrator's reference.
    pub origin_reference_num: Option<String>,
    /// Sequence number.
    pub sequence_number: u32,
    /// Batch.
    pub batch_number: u32,
    /// Receipt number.
    pub receipt_number: u32,
    /// ISO 8601.
    #[schema(format = DateTime)]
    pub date: String,
    /// PIN verified.
    pub pin_ok: bool,
    /// Refusal word.
    #[schema(value_type = Refusal)]
    pub refusal_code: &'static str,
    /// CANCEL: the amsID of the cancelled payment.
    #[serde(rename = "originAmsID", skip_serializing_if = "Option::is_none")]
    pub origin_ams_id: Option<String>,
    /// SALE: whether it has been cancelled (storno).
    pub cancelled: bool,
}

impl Transaction {
    /// Amount plus tip (saturating: a stored value edited to an extreme cannot overflow it).
    #[must_use]
    pub fn total(&self) -> i64 {
        self.amount.saturating_add(self.tip)
    }

    /// Renders the wire shape.
    #[must_use]
    pub fn body(
        &self,
        tid: &str,
        merchant_id: &str,
        currency: &str,
        cards: &[CardRange],
        origin_ams_id: Option<u64>,
    ) -> TransactionBody {
        let range = self
            .card
            .as_ref()
            .and_then(|card| cards.get(usize::from(card.range)));
        TransactionBody {
            transaction_id: super::ids::format_uuid(self.id),
            ams_id: self.ams_id.to_string(),
            result: self.result.as_str(),
            transaction_type: self.kind.as_str(),
            payment_method: self.payment_method.as_str(),
            terminal_id: tid.to_owned(),
            merchant_id: merchant_id.to_owned(),
            amount: self.amount,
            tip_amount: self.tip,
            total_amount: self.total(),
            currency_code: currency.to_owned(),
            card_number: self.card.as_ref().map(Card::masked),
            card_type: range.map(|range| range.brand.as_str()),
            card_entry_mode: self.card.as_ref().map(|card| card.entry_mode.as_str()),
            emv_aid: range.map(|range| range.aid.clone()),
            emv_app_label: range.map(|range| range.label.clone()),
            authorization_code: self
                .authorization_code
                .map(|code| String::from_utf8_lossy(&code).into_owned()),
            reference_number: self.reference_number.to_string(),
            origin_reference_num: self.origin_reference.as_deref().map(str::to_owned),
            sequence_number: self.sequence_number,
            batch_number: self.batch_number,
            receipt_number: self.receipt_number,
            date: self.date.to_iso(),
            pin_ok: self.card.as_ref().is_some_and(|card| card.pin_ok),
            refusal_code: self.refusal.as_str(),
            origin_ams_id: origin_ams_id.map(|ams_id| ams_id.to_string()),
            cancelled: self.cancelled_by.is_some(),
        }
    }
}

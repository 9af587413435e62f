//! A transaction as GP tom's clients see it (`TransactionDetailApiResponse`).

use serde::Serialize;

use crate::domain::card::Card;
use crate::domain::ids::format_uuid;
use crate::store::TransactionView;

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
    #[schema(value_type = super::openapi_types::PaymentResultWords)]
    pub result: &'static str,
    /// SALE | CANCEL.
    #[schema(value_type = super::openapi_types::TransactionTypeWords)]
    pub transaction_type: &'static str,
    /// CARD | CASH.
    #[schema(value_type = super::openapi_types::PaymentMethodWords)]
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
    #[schema(value_type = Option<super::openapi_types::CardBrandWords>)]
    pub card_type: Option<&'static str>,
    /// Entry mode.
    #[schema(value_type = Option<super::openapi_types::EntryModeWords>)]
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
    #[schema(value_type = super::openapi_types::RefusalWords)]
    pub refusal_code: &'static str,
    /// CANCEL: the amsID of the cancelled payment.
    #[serde(rename = "originAmsID", skip_serializing_if = "Option::is_none")]
    pub origin_ams_id: Option<String>,
    /// SALE: whether it has been cancelled (storno).
    pub cancelled: bool,
    /// Dynamic Currency Conversion offered to a foreign card, in the shape of GP tom's iOS SDK
    /// (GP tom documents no Cloud spelling): only under a scenario's `wire.cloud_dcc_data`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dcc_data: Option<super::app_answer::DccReport>,
}

/// A transaction's body from the store's view.
#[must_use]
pub fn transaction_body(view: TransactionView<'_>) -> TransactionBody {
    let TransactionView {
        transaction,
        terminal,
        range,
        origin_ams_id,
        cloud_dcc,
    } = view;
    TransactionBody {
        transaction_id: format_uuid(transaction.id),
        ams_id: transaction.ams_id.to_string(),
        result: transaction.result.as_str(),
        transaction_type: transaction.kind.as_str(),
        payment_method: transaction.payment_method.as_str(),
        terminal_id: terminal.tid.to_string(),
        merchant_id: terminal.merchant_id.clone(),
        amount: transaction.amount,
        tip_amount: transaction.tip,
        total_amount: transaction.total(),
        currency_code: terminal.currency.to_string(),
        card_number: transaction.card.as_ref().map(Card::masked),
        card_type: range.map(|range| range.brand.as_str()),
        card_entry_mode: transaction
            .card
            .as_ref()
            .map(|card| card.entry_mode.as_str()),
        emv_aid: range.map(|range| range.aid.clone()),
        emv_app_label: range.map(|range| range.label.clone()),
        authorization_code: transaction
            .authorization_code
            .map(|code| String::from_utf8_lossy(&code).into_owned()),
        reference_number: transaction.reference_number.to_string(),
        origin_reference_num: transaction.origin_reference.as_deref().map(str::to_owned),
        sequence_number: transaction.sequence_number,
        batch_number: transaction.batch_number,
        receipt_number: transaction.receipt_number,
        date: transaction.date.to_iso(),
        pin_ok: transaction.card.as_ref().is_some_and(|card| card.pin_ok),
        refusal_code: transaction.refusal.as_str(),
        origin_ams_id: origin_ams_id.map(|ams_id| ams_id.to_string()),
        cancelled: transaction.cancelled_by.is_some(),
        dcc_data: transaction
            .dcc
            .as_deref()
            .filter(|_| cloud_dcc)
            .map(|offer| super::app_answer::dcc_report(offer, transaction.amount)),
    }
}

/// A transaction's body as the control plane and the page show it: with its DCC offer whatever
/// the scenario's `wire` says.
#[must_use]
pub fn transaction_body_shown(view: TransactionView<'_>) -> TransactionBody {
    transaction_body(TransactionView {
        cloud_dcc: true,
        ..view
    })
}

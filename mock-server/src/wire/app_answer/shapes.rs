//! The shapes of GP tom's iOS SDK the app answers in (`TransactionData`, `DCCOptionsWrapper`,
//! `Batch`, `SubBatches`, `AppStatus`, `UserInfo`, `Address`) and the answer itself.

use serde::Serialize;

use super::redirect_value;
use crate::domain::app::AppError;
use crate::domain::refusal::Refusal;
use crate::domain::request::FieldError;
use crate::wire::deeplink::LinkNotice;

/// A payment as the SDK's `TransactionData` (seed 002's field table): every value a string
/// except `pinOk` and `result`; amounts as decimal strings in major units.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// The batch the payment belongs to.
    pub batch_number: String,
    /// Receipt number.
    pub receipt_number: String,
    /// Terminal.
    #[serde(rename = "terminalID")]
    pub terminal_id: String,
    /// EMV application id (card payments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emv_aid: Option<String>,
    /// EMV application label (card payments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emv_app_label: Option<String>,
    /// Masked PAN (card payments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_number: Option<String>,
    /// The payment method: `CARD`, `CASH`, `ACCOUNT_PAYMENT`, `BLIK_PAYMENT`,
    /// `PAYMENT_GATEWAY` (and `GO_CRYPTO` for the 2025 app).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_type: Option<&'static str>,
    /// ISO 4217 letters.
    pub currency_code: String,
    /// Major units, `"4.35"`.
    pub amount: String,
    /// Amount plus tip, major units.
    pub total_amount: String,
    /// Major units.
    pub tip_amount: String,
    /// PIN verified (card payments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pin_ok: Option<bool>,
    /// Approved card payments only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_code: Option<String>,
    /// Nine digits, `001000000`.
    pub sequence_number: String,
    /// ISO 8601 with milliseconds.
    pub date: String,
    /// `VISA`, `MASTERCARD`, `AMEX`, … (card payments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_type: Option<&'static str>,
    /// The reference the caller entered (`originReferenceNum`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_number: Option<String>,
    /// The payment's id (a processed payment only); the Cloud API's `transactionId`.
    #[serde(rename = "transactionID", skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// 0 approved, -1 declined or aborted.
    pub result: i8,
    /// `CONTACTLESS`, `CHIP`, … (card payments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_entry_mode: Option<&'static str>,
    /// Merchant.
    #[serde(rename = "merchantID")]
    pub merchant_id: String,
    /// GP tom's id of the payment, for `transaction/cancel`.
    #[serde(rename = "amsID")]
    pub ams_id: String,
    /// The six-digit code the customer typed (BLIK payments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blik_code: Option<String>,
    /// BLIK's reference of the payment (BLIK payments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blik_transaction_ref: Option<String>,
    /// Dynamic Currency Conversion offered to a foreign card (current app only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dcc_data: Option<DccReport>,
}

/// Dynamic Currency Conversion on a receipt, as the SDK's `DCCOptionsWrapper`.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DccReport {
    /// The card's currency, ISO 4217 letters.
    pub currency: String,
    /// The amount in the card's currency, decimal text with that currency's minor digits
    /// (`"40.97"`, `"622"` for JPY, `"1.633"` for BHD).
    pub amount: String,
    /// The markup in per cent, decimal text (`"3.5"`).
    pub markup: String,
    /// The card's region and scheme class.
    pub region_schema_indicator: u8,
    /// Terminal-currency units per one card-currency unit.
    pub exchange_rate: f64,
    /// `ACCEPTED`, `NOT_ACCEPTED` (the customer paid in the terminal's currency) or
    /// `NOT_PROCESSED` (the conversion failed).
    pub status: &'static str,
}

/// The counters the SDK's `Batch` and `SubBatch` share: counts, and amounts as JSON numbers in
/// major units.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TotalsReport {
    /// Major units.
    pub sale_amount: f64,
    /// Count.
    pub sale_count: u32,
    /// Major units.
    pub void_amount: f64,
    /// Count.
    pub void_count: u32,
    /// Major units.
    pub total_amount: f64,
    /// Count.
    pub total_count: u32,
}

/// One payment method's part of a batch, as the SDK's `SubBatch`.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubBatchReport {
    /// The batch number.
    pub close_batch_number: String,
    /// Counters.
    #[serde(flatten)]
    pub totals: TotalsReport,
}

/// The batch's tips, as the SDK's `Batch` has them.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TipsReport {
    /// All tips, major units.
    pub tip_amount: f64,
    /// Payments with a tip.
    pub tip_count: u32,
    /// The average tip, major units.
    pub tip_average: f64,
    /// The tips as a share of the amounts, per cent.
    pub tip_average_percentage: f64,
}

/// The SDK's `SubBatches`: keyed by payment method, only the keys of the profile's SDK.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SubBatchesReport {
    /// Card payments.
    #[serde(rename = "CARD", skip_serializing_if = "Option::is_none")]
    pub card: Option<SubBatchReport>,
    /// Cash.
    #[serde(rename = "CASH", skip_serializing_if = "Option::is_none")]
    pub cash: Option<SubBatchReport>,
    /// Account (QR) payments.
    #[serde(rename = "ACCOUNT_PAYMENT", skip_serializing_if = "Option::is_none")]
    pub account_payment: Option<SubBatchReport>,
    /// BLIK.
    #[serde(rename = "BLIK_PAYMENT", skip_serializing_if = "Option::is_none")]
    pub blik: Option<SubBatchReport>,
    /// Payment gateway (web pay).
    #[serde(rename = "PAYMENT_GATEWAY", skip_serializing_if = "Option::is_none")]
    pub gateway: Option<SubBatchReport>,
    /// GoCrypto (the 2025 app only).
    #[serde(rename = "GO_CRYPTO", skip_serializing_if = "Option::is_none")]
    pub go_crypto: Option<SubBatchReport>,
}

/// A batch as the SDK's `Batch`.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchReport {
    /// GP tom's id of the batch; `OPEN` for the open transactions.
    pub ams_id: String,
    /// The batch number (absent for the open batch).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_number: Option<String>,
    /// ISO 4217 letters.
    pub currency: String,
    /// When it was closed (absent for the open batch), ISO 8601 with milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// When the batch before it was closed.
    pub previous_batch_date: String,
    /// Transactions that could not be counted.
    pub invalid_count: u32,
    /// Counters.
    #[serde(flatten)]
    pub totals: TotalsReport,
    /// Tips.
    #[serde(flatten)]
    pub tips: TipsReport,
    /// Per payment method.
    pub sub_batches: SubBatchesReport,
}

/// The logged-in user, as the SDK's `UserInfo`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserInfoReport {
    /// GP tom's id of the user's client.
    pub client_id: String,
    /// Login e-mail.
    pub email: String,
    /// Company registration number (IČO); optional in the SDK since `c2a7fe6`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_id: Option<String>,
    /// VAT id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat_id: Option<String>,
    /// Terminal.
    pub tid: String,
    /// Merchant.
    pub mid: String,
    /// Tips switched on.
    pub tip_enabled: bool,
    /// A printer is connected.
    pub printer_available: bool,
    /// Manual card entry is forbidden.
    pub manual_transaction_restricted: bool,
    /// Where the merchant is (an `Address` since `db9ab1f`, 2025-05-19).
    pub merchant_location: AddressReport,
}

/// A postal address as the SDK's `Address`: every part optional.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AddressReport {
    /// Town.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// County or region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
    /// House number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub house: Option<String>,
    /// The place (merchant and till).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Street.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
}

/// The app's state, as the SDK's `AppStatus`: logged in when `userInfo` is present.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppStatusReport {
    /// The app's version.
    pub app_version: String,
    /// The logged-in user; absent when nobody is logged in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_info: Option<UserInfoReport>,
}

/// What the app answers; becomes the query of the redirect.
#[derive(Clone, Debug, Default, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppAnswer {
    /// `COMPLETED`, `CANCELLED` (or the scenario's `wire.app_canceled_spelling`) or `ERROR`.
    #[schema(value_type = crate::schema::AppStatus)]
    pub status: &'static str,
    /// The refusal word of the payment (`RefusalCode`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::wire::openapi_types::RefusalWords>)]
    pub code: Option<Refusal>,
    /// Why the operation failed (`DeeplinkError`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::wire::openapi_types::AppErrorWords>)]
    pub error: Option<AppError>,
    /// The payment (`TransactionData`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt: Option<Receipt>,
    /// The batch (`Batch`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<BatchReport>,
    /// The app's state (`AppStatus`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_status: Option<AppStatusReport>,
    /// Which parameter broke which rule (not part of GP tom's redirect; in the JSON body only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<crate::wire::openapi_types::FieldErrorShape>)]
    pub problems: Vec<FieldError>,
    /// What GP tom's app ignored or guessed in the link (JSON body only; `verify` reports it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<LinkNotice>,
    /// The terminal concerned.
    #[serde(skip)]
    #[schema(ignore)]
    pub terminal: Option<String>,
}

impl AppAnswer {
    /// A completed operation with nothing to report.
    #[must_use]
    pub fn completed() -> Self {
        AppAnswer {
            status: "COMPLETED",
            ..AppAnswer::default()
        }
    }

    /// A failed operation.
    #[must_use]
    pub fn error(error: AppError, problems: Vec<FieldError>) -> Self {
        AppAnswer {
            status: "ERROR",
            error: Some(error),
            problems,
            ..AppAnswer::default()
        }
    }

    /// The query pairs appended to the redirect URL, in a stable order (not yet
    /// percent-encoded; `deeplink::append_to_redirect` does that).
    #[must_use]
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("status", self.status.to_owned())];
        if let Some(code) = self.code {
            pairs.push(("code", code.as_str().to_owned()));
        }
        if let Some(error) = self.error {
            pairs.push(("error", error.as_str().to_owned()));
        }
        if let Some(receipt) = &self.receipt {
            pairs.push(("receipt", redirect_value(receipt)));
        }
        if let Some(batch) = &self.batch {
            pairs.push(("batch", redirect_value(batch)));
        }
        if let Some(app_status) = &self.app_status {
            pairs.push(("appStatus", redirect_value(app_status)));
        }
        pairs
    }
}

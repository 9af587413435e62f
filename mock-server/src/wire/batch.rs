//! A closed batch as GP tom's clients see it (`BatchDetailApiResponse`).

use serde::Serialize;

use crate::domain::batch::Totals;
use crate::domain::request::PaymentMethod;
use crate::store::BatchView;

/// Wire shape of a sub-batch.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubBatchBody {
    /// CARD | CASH.
    #[schema(value_type = super::openapi_types::PaymentMethodWords)]
    pub payment_method: &'static str,
    /// Counters.
    #[serde(flatten)]
    pub totals: TotalsBody,
}

/// Wire shape of a batch.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = BatchDetailApiResponse)]
pub struct BatchBody {
    /// Number.
    pub batch_number: u32,
    /// Terminal.
    pub tid: String,
    /// Closed at.
    #[schema(format = DateTime)]
    pub date: String,
    /// Previous close.
    #[schema(format = DateTime)]
    pub previous_batch_date: String,
    /// ISO 4217.
    pub currency: String,
    /// Counters.
    #[serde(flatten)]
    pub totals: TotalsBody,
    /// Per payment method.
    pub sub_batches: Vec<SubBatchBody>,
}

/// Counters of one batch or sub-batch.
#[derive(Clone, Copy, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Totals)]
pub struct TotalsBody {
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

impl From<Totals> for TotalsBody {
    fn from(totals: Totals) -> Self {
        let Totals {
            sale_count,
            sale_amount,
            void_count,
            void_amount,
            tip_count,
            tip_amount,
            total_count,
            total_amount,
        } = totals;
        TotalsBody {
            sale_count,
            sale_amount,
            void_count,
            void_amount,
            tip_count,
            tip_amount,
            total_count,
            total_amount,
        }
    }
}

/// A closed batch's body from the store's view (the open batch has no Cloud API body).
#[must_use]
pub fn batch_body(view: BatchView<'_>) -> BatchBody {
    let (number, date) = view.closed.unwrap_or_default();
    BatchBody {
        batch_number: number,
        tid: view.terminal.tid.to_string(),
        date: date.to_iso(),
        previous_batch_date: view.previous_batch_date.to_iso(),
        currency: view.terminal.currency.to_string(),
        totals: view.totals.all.into(),
        // CARD and CASH always (the shape integrators know); other methods when used.
        sub_batches: view
            .totals
            .methods()
            .filter(|(method, totals)| {
                matches!(method, PaymentMethod::Card | PaymentMethod::Cash)
                    || totals.total_count > 0
            })
            .map(|(method, totals)| SubBatchBody {
                payment_method: method.as_str(),
                totals: totals.into(),
            })
            .collect(),
    }
}

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
    #[schema(value_type = crate::domain::request::PaymentMethod)]
    pub payment_method: &'static str,
    /// Counters.
    #[serde(flatten)]
    pub totals: Totals,
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
    pub totals: Totals,
    /// Per payment method.
    pub sub_batches: Vec<SubBatchBody>,
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
        currency: view.terminal.currency.clone(),
        totals: view.totals.all,
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
                totals,
            })
            .collect(),
    }
}

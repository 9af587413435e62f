//! `GET /v1/transactions/{transactionId}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::answer::api_json;
use super::extract::{Bearer, RequestTime};
use crate::error::{ErrorBody, Rejection};
use crate::state::AppState;
use crate::wire::transaction::{TransactionBody, transaction_body};

/// Reads a transaction: the payment result of a `COMPLETED` task.
#[utoipa::path(
    get,
    path = "/v1/transactions/{transactionId}",
    tag = "Cloud API",
    operation_id = "getTransaction",
    params(("transactionId" = String, Path, description = "The task's `transactionId`", format = "uuid")),
    responses(
        (status = 200, description = "The transaction", body = TransactionBody),
        (status = 404, description = "No such transaction, or one of a terminal the token may not see", body = ErrorBody),
    ),
)]
pub async fn get_transaction(
    State(state): State<AppState>,
    RequestTime(now): RequestTime,
    Bearer(claims): Bearer,
    Path(transaction_id): Path<String>,
) -> Result<Response, Rejection> {
    let transaction = {
        let mut store = state.store();
        let principal = store.authorize(&claims, now)?;
        let index = store.get_transaction(&principal, &transaction_id, now)?;
        transaction_body(store.transaction_view(index))
    };
    Ok(api_json(
        StatusCode::OK,
        transaction.terminal_id.as_str().into(),
        &transaction,
    ))
}

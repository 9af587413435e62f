//! `GET /v1/transactions/{transactionId}`.

use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::extract::{Bearer, RequestTime};
use super::pipeline::JournalTag;
use crate::error::Rejection;
use crate::state::AppState;

/// Reads a transaction.
pub async fn get_transaction(
    State(state): State<AppState>,
    RequestTime(now): RequestTime,
    Bearer(claims): Bearer,
    Path(transaction_id): Path<String>,
) -> Result<Response, Rejection> {
    let transaction = {
        let mut store = state.store();
        let principal = store.authorize(&claims, now)?;
        store.get_transaction(&principal, &transaction_id, now)?
    };
    let tag = JournalTag {
        terminal: Some(transaction.terminal_id.clone()),
    };
    Ok((Extension(tag), axum::Json(transaction)).into_response())
}

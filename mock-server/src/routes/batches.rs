//! `GET /v1/batches/{batchNumber}` (`?tid=` for master accounts).

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::extract::{Bearer, RequestTime};
use super::pipeline::JournalTag;
use crate::domain::request::FieldError;
use crate::error::{ApiError, Rejection};
use crate::state::AppState;

/// Query of a batch read.
#[derive(Debug, Deserialize)]
pub struct BatchQuery {
    tid: Option<String>,
}

/// Reads a closed batch.
pub async fn get_batch(
    State(state): State<AppState>,
    RequestTime(now): RequestTime,
    Bearer(claims): Bearer,
    Path(batch_number): Path<String>,
    Query(query): Query<BatchQuery>,
) -> Result<Response, Rejection> {
    let number: u32 = batch_number.parse().map_err(|_| {
        ApiError::fields(vec![FieldError::new(
            "batchNumber",
            "must be a positive integer",
        )])
    })?;
    let batch = {
        let mut store = state.store();
        let principal = store.authorize(&claims, now)?;
        store.get_batch(&principal, number, query.tid.as_deref(), now)?
    };
    let tag = JournalTag {
        terminal: Some(batch.tid.clone()),
    };
    Ok((Extension(tag), axum::Json(batch)).into_response())
}

//! `GET /v1/batches/{batchNumber}` (`?tid=` for master accounts).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::answer::api_json;
use super::extract::{Bearer, RequestTime};
use crate::domain::request::FieldError;
use crate::error::{ApiError, ErrorBody, Rejection};
use crate::state::AppState;
use crate::wire::batch::{BatchBody, batch_body};

/// Query of a batch read.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchQuery {
    /// The terminal (master accounts).
    #[param(max_length = 20)]
    tid: Option<String>,
}

/// Reads a closed batch.
#[utoipa::path(
    get,
    path = "/v1/batches/{batchNumber}",
    tag = "Cloud API",
    operation_id = "getBatch",
    params(("batchNumber" = u32, Path, description = "The batch number of the finished BATCH task"), BatchQuery),
    responses(
        (status = 200, description = "The closed batch with its totals", body = BatchBody),
        (status = 400, description = "`batchNumber` is not a positive integer", body = ErrorBody),
        (status = 404, description = "No such closed batch on the token's terminal", body = ErrorBody),
    ),
)]
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
        let index = store.get_batch(&principal, number, query.tid.as_deref(), now)?;
        batch_body(store.closed_batch_view(index))
    };
    Ok(api_json(StatusCode::OK, batch.tid.as_str().into(), &batch))
}

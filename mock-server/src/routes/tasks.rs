//! `POST /v1/tasks/{TRANSACTION|BATCH}` and `GET /v1/tasks/{taskId}`.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::extract::{Bearer, JsonBody, RequestTime};
use super::pipeline::JournalTag;
use crate::domain::request::{FieldError, parse_batch_request, parse_transaction_request};
use crate::error::{ApiError, Rejection};
use crate::state::AppState;

/// Creates a TRANSACTION or BATCH task.
pub async fn create_task(
    State(state): State<AppState>,
    RequestTime(now): RequestTime,
    Bearer(claims): Bearer,
    Path(task_type): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, Rejection> {
    let (task, status) = {
        let mut store = state.store();
        let principal = store.authorize(&claims, now)?;
        let task = match task_type.as_str() {
            "TRANSACTION" => {
                let request = parse_transaction_request(&body).map_err(ApiError::fields)?;
                store.create_transaction_task(&principal, request, now)?
            }
            "BATCH" => {
                let request = parse_batch_request(&body).map_err(ApiError::fields)?;
                store.create_batch_task(&principal, &request, now)?
            }
            _ => {
                return Err(ApiError::fields(vec![FieldError::new(
                    "taskType",
                    "must be one of TRANSACTION, BATCH",
                )])
                .into());
            }
        };
        let status = store.scenario_for(&task.tid).wire.create_status;
        (task, status)
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED);
    let tag = JournalTag {
        terminal: Some(task.tid.clone()),
    };
    Ok((status, Extension(tag), axum::Json(task)).into_response())
}

/// Reads (polls) a task.
pub async fn get_task(
    State(state): State<AppState>,
    RequestTime(now): RequestTime,
    Bearer(claims): Bearer,
    Path(task_id): Path<String>,
) -> Result<Response, Rejection> {
    let task = {
        let mut store = state.store();
        let principal = store.authorize(&claims, now)?;
        store.poll_task(&principal, &task_id, now)?
    };
    let tag = JournalTag {
        terminal: Some(task.tid.clone()),
    };
    Ok((Extension(tag), axum::Json(task)).into_response())
}

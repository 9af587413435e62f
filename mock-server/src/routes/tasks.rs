//! `POST /v1/tasks/TRANSACTION`, `POST /v1/tasks/BATCH` and `GET /v1/tasks/{taskId}`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;

use super::answer::api_json_bytes;
use super::extract::{Bearer, JsonBody, RequestTime};
use crate::domain::request::TransactionRequest;
use crate::domain::token::Claims;
use crate::error::{ApiError, ErrorBody, Rejection};
use crate::state::AppState;
use crate::wire::request::{
    parse_batch_request, parse_transaction_request, unknown_transaction_fields,
};
use crate::wire::task::{TaskBody, task_json};

/// Creates a TRANSACTION task (a SALE or a CANCEL) on the token's terminal (or `tid`).
#[utoipa::path(
    post,
    path = "/v1/tasks/TRANSACTION",
    tag = "Cloud API",
    operation_id = "createTransactionTask",
    request_body(content = crate::wire::request::TransactionRequestSchema, content_type = "application/json"),
    responses(
        (status = 201, description = "The task, queued on the terminal (`NEW`)", body = TaskBody,
            links(("GetTask" = (operation_id = "getTask", parameters(("taskId" = "$response.body#/taskId")),
                description = "Poll the task until a final state")))),
        (status = 400, description = "Every broken field, each naming the rule", body = ErrorBody),
        (status = 404, description = "A master account named an unknown terminal", body = ErrorBody),
    ),
)]
pub async fn create_transaction_task(
    State(state): State<AppState>,
    RequestTime(now): RequestTime,
    Bearer(claims): Bearer,
    JsonBody(body): JsonBody,
) -> Result<Response, Rejection> {
    create_transaction_answer(&state, &claims, now, &body).map(Answer::into_response)
}

/// An answer of the emulated API rendered by a handler: the status, the terminal it concerns
/// (for the journal) and the JSON bytes.
#[derive(Debug)]
pub struct Answer {
    /// The HTTP status.
    pub status: StatusCode,
    /// The terminal the answer concerns.
    pub terminal: Arc<str>,
    /// The JSON body.
    pub json: Vec<u8>,
    /// `X-Gptom-Mock-Warning`: what GP tom silently ignored in the request.
    pub warning: Option<HeaderValue>,
}

/// The header that tells a client what GP tom would have ignored without a word.
pub const WARNING_HEADER: HeaderName = HeaderName::from_static("x-gptom-mock-warning");

impl Answer {
    /// The answer as a response tagged for the journal.
    #[must_use]
    pub fn into_response(self) -> Response {
        let mut response = api_json_bytes(self.status, self.terminal, self.json);
        if let Some(warning) = self.warning {
            response.headers_mut().insert(WARNING_HEADER, warning);
        }
        response
    }
}

/// The warning for fields GP tom does not know (its Spring back end ignores them).
fn unknown_fields_warning(body: &serde_json::Value) -> Option<HeaderValue> {
    let unknown = unknown_transaction_fields(body);
    if unknown.is_empty() {
        return None;
    }
    let parts: Vec<String> = unknown
        .iter()
        .map(|(key, meant)| {
            let key = key.escape_default();
            match meant {
                Some(meant) => format!("`{key}` (did you mean `{meant}`?)"),
                None => format!("`{key}`"),
            }
        })
        .collect();
    HeaderValue::from_str(&format!(
        "GP tom ignores unknown field(s) {}",
        parts.join(", ")
    ))
    .ok()
}

/// The body of `createTransactionTask`, shared by the handler and the pipeline's direct dispatch.
pub fn create_transaction_answer(
    state: &AppState,
    claims: &Claims,
    now: crate::clock::Millis,
    body: &serde_json::Value,
) -> Result<Answer, Rejection> {
    let mut answer = create_task(state, claims, now, |store, principal| {
        let request = parse_transaction_request(body).map_err(|mut errors| {
            // Every broken field at once: the terminal's currency too, though the body failed.
            if let Some(error) = store.currency_mismatch(
                principal,
                body.get("currencyCode").and_then(serde_json::Value::as_str),
                body.get("tid").and_then(serde_json::Value::as_str),
            ) {
                errors.push(error);
            }
            ApiError::fields(errors)
        })?;
        Ok(store.create_transaction_task(principal, request, now)?)
    })?;
    answer.warning = unknown_fields_warning(body);
    Ok(answer)
}

/// [`create_transaction_answer`] for a body the fast reader already read (valid, no unknown
/// fields): the same task, the same answer.
pub fn create_read_transaction_answer(
    state: &AppState,
    claims: &Claims,
    now: crate::clock::Millis,
    request: TransactionRequest,
) -> Result<Answer, Rejection> {
    create_task(state, claims, now, |store, principal| {
        Ok(store.create_transaction_task(principal, request, now)?)
    })
}

/// Creates a BATCH task: closes the terminal's open batch once the task runs.
#[utoipa::path(
    post,
    path = "/v1/tasks/BATCH",
    tag = "Cloud API",
    operation_id = "createBatchTask",
    request_body(content = crate::wire::request::BatchRequestSchema, content_type = "application/json",
        description = "Optional: no body (or `{}`) closes the token's terminal's batch"),
    responses(
        (status = 201, description = "The task, queued on the terminal (`NEW`)", body = TaskBody,
            links(("GetTask" = (operation_id = "getTask", parameters(("taskId" = "$response.body#/taskId")),
                description = "Poll the task until a final state")))),
        (status = 400, description = "Every broken field, each naming the rule", body = ErrorBody),
        (status = 404, description = "A master account named an unknown terminal", body = ErrorBody),
    ),
)]
pub async fn create_batch_task(
    State(state): State<AppState>,
    RequestTime(now): RequestTime,
    Bearer(claims): Bearer,
    JsonBody(body): JsonBody,
) -> Result<Response, Rejection> {
    create_task(&state, &claims, now, |store, principal| {
        let request = parse_batch_request(&body).map_err(ApiError::fields)?;
        Ok(store.create_batch_task(principal, &request, now)?)
    })
    .map(Answer::into_response)
}

fn create_task(
    state: &AppState,
    claims: &Claims,
    now: crate::clock::Millis,
    create: impl FnOnce(&mut crate::store::Store, &crate::store::Principal) -> Result<u32, Rejection>,
) -> Result<Answer, Rejection> {
    let (json, terminal, status) = {
        let mut store = state.store();
        let principal = store.authorize(claims, now)?;
        let index = create(&mut store, &principal)?;
        let view = store.task_view(index);
        let status = store.scenario_for(view.tid).wire.create_status;
        (task_json(&view), Arc::clone(view.tid), status)
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED);
    Ok(Answer {
        status,
        terminal,
        json,
        warning: None,
    })
}

/// Reads (polls) a task; each read may move it on (lazy settling over virtual time and polls).
#[utoipa::path(
    get,
    path = "/v1/tasks/{taskId}",
    tag = "Cloud API",
    operation_id = "getTask",
    params(("taskId" = String, Path, description = "The `taskId` of the task", format = "uuid")),
    responses(
        (status = 200, description = "The task", body = TaskBody,
            links(
                ("GetTransaction" = (operation_id = "getTransaction", parameters(("transactionId" = "$response.body#/transactionId")),
                    description = "The payment result of a COMPLETED transaction task")),
                ("GetBatch" = (operation_id = "getBatch", parameters(("batchNumber" = "$response.body#/batchNumber")),
                    description = "The closed batch of a COMPLETED batch task")),
            )),
        (status = 404, description = "No such task, or one of a terminal the token may not see", body = ErrorBody),
    ),
)]
pub async fn get_task(
    State(state): State<AppState>,
    RequestTime(now): RequestTime,
    Bearer(claims): Bearer,
    Path(task_id): Path<String>,
) -> Result<Response, Rejection> {
    get_task_answer(&state, &claims, now, &task_id).map(Answer::into_response)
}

/// The body of `getTask`, shared by the handler and the pipeline's direct dispatch.
pub fn get_task_answer(
    state: &AppState,
    claims: &Claims,
    now: crate::clock::Millis,
    task_id: &str,
) -> Result<Answer, Rejection> {
    let (json, terminal) = {
        let mut store = state.store();
        let principal = store.authorize(claims, now)?;
        let index = store.poll_task(&principal, task_id, now)?;
        let view = store.task_view(index);
        (task_json(&view), Arc::clone(view.tid))
    };
    Ok(Answer {
        status: StatusCode::OK,
        terminal,
        json,
        warning: None,
    })
}

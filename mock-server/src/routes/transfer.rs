//! A whole state moved out of and into a running mock (`/__mock/state/export`, `/import`).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::error::{ApiError, ErrorBody, Rejection};
use crate::state::AppState;

/// The path of `POST /__mock/state/import` (the pipeline reads its body with a larger limit).
pub const IMPORT_PATH: &str = "/__mock/state/import";

/// The largest state file `POST /__mock/state/import` takes (a data dir's `gptom-mock state
/// import --data-dir` reads files of any size).
pub const IMPORT_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// `GET /__mock/state/export`.
#[utoipa::path(
    get,
    path = "/__mock/state/export",
    tag = "Control plane",
    operation_id = "exportState",
    responses(
        (status = 200, description = "The whole state as a state file (`format: gptom-mock-state`): terminals, tasks, transactions, batches, the seed and generators, switches, scenarios and virtual time; no secrets (no signing key, no refresh tokens). `gptom-mock state export FILE` writes it.", body = Object),
    ),
)]
pub async fn export_state(State(state): State<AppState>) -> Response {
    let file = state.export();
    let mut response = Json(file).into_response();
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        header::HeaderValue::from_static("attachment; filename=\"gptom-mock-state.json\""),
    );
    response
}

/// `POST /__mock/state/import`.
#[utoipa::path(
    post,
    path = "/__mock/state/import",
    tag = "Control plane",
    operation_id = "importState",
    request_body(content = Object, description = "A state file written by `GET /__mock/state/export` or `gptom-mock state export` (at most 64 MiB)"),
    responses(
        (status = 200, description = "The state was replaced: `{\"imported\": true, \"now\": …, \"terminals\": n, \"tasks\": n, \"transactions\": n, \"batches\": n}`. The clock moved forward to the file's time (never back), the journal was cleared, earlier refresh tokens are gone.", body = Object),
        (status = 400, description = "Not a state file, a newer version, or rows that do not fit together; nothing was changed", body = ErrorBody),
        (status = 413, description = "Over 64 MiB", body = ErrorBody),
        (status = 415, description = "Not sent as application/json (a web page's form or text body is refused)", body = ErrorBody),
    ),
)]
pub async fn import_state(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<Value>, Rejection> {
    // JSON only: a form or text/plain body is what a web page can send without asking.
    if !super::extract::is_json_header(headers.get(header::CONTENT_TYPE)) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type: the state file is imported as application/json (curl: -H 'Content-Type: application/json' --data-binary @state.json)",
        )
        .into());
    }
    let file = crate::state::read_state_file(&body)
        .map_err(|error| ApiError::new(StatusCode::BAD_REQUEST, error.to_string()))?;
    let imported = state
        .import(file)
        .map_err(|error| ApiError::new(StatusCode::BAD_REQUEST, error.to_string()))?;
    state.notify();
    Ok(Json(json!({
        "imported": true,
        "now": imported.now.to_iso(),
        "terminals": imported.terminals,
        "tasks": imported.tasks,
        "transactions": imported.transactions,
        "batches": imported.batches,
    })))
}

//! The HTTP surface: one route table with the paths spelled as GP tom spells them, plus the
//! control plane under `/__mock/`.

pub mod admin;
pub mod answer;
pub mod app2app;
pub mod batches;
pub mod control;
pub mod coverage;
pub mod extract;
pub mod faults;
pub mod front;
pub mod oauth;
pub mod origin;
pub mod pipeline;
mod settle;
pub mod tasks;
pub mod transactions;
pub mod transfer;
pub mod ui;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode, Uri};
use axum::middleware;
use axum::routing::{get, post};

use crate::domain::request::FieldError;
use crate::error::ApiError;
use crate::state::AppState;

/// The route table (without the pipeline; see [`crate::app`] for the whole application).
pub fn router(state: AppState) -> Router {
    let control = Router::new()
        .route("/__mock/reset", post(control::reset))
        .route("/__mock/clock", get(control::get_clock))
        .route("/__mock/clock/advance", post(control::advance_clock))
        .route(
            "/__mock/requests",
            get(control::list_requests).delete(control::clear_requests),
        )
        .route("/__mock/state", get(control::get_state))
        .route("/__mock/state/export", get(transfer::export_state))
        .route(
            transfer::IMPORT_PATH,
            post(transfer::import_state).layer(DefaultBodyLimit::max(transfer::IMPORT_BODY_LIMIT)),
        )
        .route("/__mock/health", get(control::health))
        .route("/__mock/verify", get(control::verify))
        .route("/__mock/coverage", get(coverage::coverage))
        .route("/__mock/ui", get(ui::page))
        .route("/__mock/events", get(ui::events))
        .route("/__mock/view", get(ui::get_view))
        .route("/__mock/manual", post(ui::set_all_manual))
        .route(
            "/__mock/terminals/{tid}/manual",
            post(ui::set_terminal_manual),
        )
        .route("/__mock/tasks/{task_id}/decide", post(control::decide_task))
        .route(
            "/__mock/scenario",
            get(control::get_scenario)
                .put(control::put_scenario)
                .delete(control::delete_scenario),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            admin::require_admin,
        ));

    Router::new()
        .route("/", get(front::index))
        .route("/__mock", get(front::index))
        .route("/__mock/", get(front::index))
        .route("/__mock/ui/", get(front::page_with_slash))
        .route("/cloud/oauth/token", post(oauth::create_token))
        .route("/app2app", get(app2app::open_deep_link))
        .route("/api/oauth/token", post(oauth::create_token))
        .route(
            "/v1/tasks/TRANSACTION",
            post(tasks::create_transaction_task),
        )
        .route("/v1/tasks/BATCH", post(tasks::create_batch_task))
        .route("/v1/tasks/{task_id}", get(tasks::get_task))
        .route(
            "/v1/transactions/{transaction_id}",
            get(transactions::get_transaction),
        )
        .route("/v1/batches/{batch_number}", get(batches::get_batch))
        .merge(control)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "No endpoint at this path")
}

/// 405 (axum adds `Allow`). A POST to `/v1/tasks/{other}` names the task type it got wrong.
async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    match uri.path().strip_prefix("/v1/tasks/") {
        Some(task_type) if method == Method::POST && !task_type.contains('/') => ApiError {
            status: StatusCode::METHOD_NOT_ALLOWED,
            message: format!(
                "taskType: must be one of TRANSACTION, BATCH (POST /v1/tasks/{task_type} creates nothing)"
            ),
            errors: vec![FieldError::new(
                "taskType",
                "must be one of TRANSACTION, BATCH",
            )],
        },
        _ => ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("Request method {method} not supported at this path"),
        ),
    }
}

//! The virtual terminal in the browser: `GET /__mock/ui` (embedded page), `GET /__mock/events`
//! (server-sent events with the live state) and the manual-mode switches.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::WatchStream;

use super::extract::JsonBody;
use crate::domain::request::FieldError;
use crate::error::{ApiError, ErrorBody, Rejection};
use crate::journal::JournalFilter;
use crate::state::AppState;

const PAGE: &str = include_str!("../ui/index.html");

/// `GET /__mock/ui`.
#[utoipa::path(
    get,
    path = "/__mock/ui",
    tag = "Control plane",
    operation_id = "virtualTerminalPage",
    responses(
        (status = 200, description = "The virtual terminal page", content_type = "text/html", body = String),
    ),
)]
pub async fn page() -> Html<&'static str> {
    Html(PAGE)
}

/// Everything the page shows.
#[must_use]
pub fn view(state: &AppState) -> Value {
    let now = state.now();
    let (snapshot, manual_all, active) = {
        let mut store = state.store();
        let snapshot = store.snapshot(now, 50);
        let active: Vec<Value> = store
            .scenarios()
            .iter()
            .map(|scenario| json!({ "name": scenario.name, "description": scenario.description }))
            .collect();
        (snapshot, store.manual_all(), active)
    };
    let journal = state.journal().page(&JournalFilter {
        limit: Some(100),
        ..JournalFilter::default()
    });
    let default = crate::scenario::Scenario::default();
    json!({
        "version": *state.subscribe().borrow(),
        "now": now.to_iso(),
        "clock": state.clock().mode(),
        "manualAll": manual_all,
        "state": snapshot,
        "journal": journal.entries,
        "scenario": {
            "active": active,
            "default": { "name": default.name, "description": default.description },
            "available": state.config().available_scenarios.iter().map(|scenario| scenario.name.clone()).collect::<Vec<_>>(),
        },
    })
}

/// `GET /__mock/events`: the whole view at once, then again after every change (at most five
/// times a second), plus a keep-alive.
#[utoipa::path(
    get,
    path = "/__mock/events",
    tag = "Control plane",
    operation_id = "events",
    responses(
        (status = 200, description = "Server-sent events: `state` with the whole view, after every change (at most five a second)", content_type = "text/event-stream", body = String),
    ),
)]
pub async fn events(State(state): State<AppState>) -> Response {
    let stream = WatchStream::new(state.subscribe())
        .throttle(Duration::from_millis(200))
        .map(move |_| {
            Ok::<Event, Infallible>(
                Event::default()
                    .event("state")
                    .data(view(&state).to_string()),
            )
        });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// `POST /__mock/terminals/{tid}/manual` with `{"manual": true}`.
#[utoipa::path(
    post,
    path = "/__mock/terminals/{tid}/manual",
    tag = "Control plane",
    operation_id = "setTerminalManual",
    params(("tid" = String, Path, description = "Terminal ID")),
    request_body(content = ManualSwitch, content_type = "application/json"),
    responses(
        (status = 204, description = "The terminal's tasks now wait for a decision (or no longer)"),
        (status = 400, description = "`manual` is not a boolean", body = ErrorBody),
        (status = 404, description = "No such terminal", body = ErrorBody),
    ),
)]
pub async fn set_terminal_manual(
    State(state): State<AppState>,
    Path(tid): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<StatusCode, Rejection> {
    let manual = manual_flag(&body)?;
    state.store().set_manual(Some(&tid), manual)?;
    state.notify();
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /__mock/manual` with `{"manual": true}`: every terminal.
#[utoipa::path(
    post,
    path = "/__mock/manual",
    tag = "Control plane",
    operation_id = "setAllManual",
    request_body(content = ManualSwitch, content_type = "application/json"),
    responses(
        (status = 204, description = "Every terminal's tasks now wait for a decision (or no longer)"),
        (status = 400, description = "`manual` is not a boolean", body = ErrorBody),
    ),
)]
pub async fn set_all_manual(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<StatusCode, Rejection> {
    let manual = manual_flag(&body)?;
    state.store().set_manual(None, manual)?;
    state.notify();
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /__mock/view`: what the page shows, once (for scripts and tests).
#[utoipa::path(
    get,
    path = "/__mock/view",
    tag = "Control plane",
    operation_id = "getView",
    responses(
        (status = 200, description = "What the page shows, once", body = Object),
    ),
)]
pub async fn get_view(State(state): State<AppState>) -> Json<Value> {
    Json(view(&state))
}

/// Body of the manual-mode switches.
#[derive(Clone, Copy, Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ManualSwitch {
    /// Whether tasks wait for a decision from the page or `POST /__mock/tasks/{taskId}/decide`.
    manual: bool,
}

fn manual_flag(body: &Value) -> Result<bool, Rejection> {
    body.get("manual").and_then(Value::as_bool).ok_or_else(|| {
        ApiError::fields(vec![FieldError::new("manual", "must be true or false")]).into()
    })
}

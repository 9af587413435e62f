//! The control plane under `/__mock/`: reset, virtual clock, journal, state, health.

use axum::Json;
use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::extract::JsonBody;
use crate::domain::request::FieldError;
use crate::error::{ApiError, Rejection};
use crate::journal::JournalFilter;
use crate::state::AppState;

/// The longest single clock move: ten years.
const MAX_ADVANCE_SECONDS: i64 = 10 * 366 * 86_400;

/// `POST /__mock/reset`: back to the fixtures' initial state; the id sequence restarts.
pub async fn reset(State(state): State<AppState>) -> Json<Value> {
    state.reset();
    Json(json!({ "reset": true, "now": state.now().to_iso() }))
}

/// `GET /__mock/clock`.
pub async fn get_clock(State(state): State<AppState>) -> Json<Value> {
    Json(clock_body(&state))
}

fn clock_body(state: &AppState) -> Value {
    let now = state.now();
    json!({ "now": now.to_iso(), "epochMillis": now.0, "mode": state.clock().mode() })
}

/// `POST /__mock/clock/advance` with `{"seconds": N}` (or `milliseconds`, `minutes`, `hours`, `days`).
pub async fn advance_clock(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, Rejection> {
    let units: [(&str, i64); 5] = [
        ("milliseconds", 1),
        ("seconds", 1_000),
        ("minutes", 60_000),
        ("hours", 3_600_000),
        ("days", 86_400_000),
    ];
    let Some(object) = body.as_object() else {
        return Err(
            ApiError::fields(vec![FieldError::new("$", "the body must be a JSON object")]).into(),
        );
    };
    let mut total_ms: i64 = 0;
    let mut errors = Vec::new();
    let mut given = false;
    for (name, factor) in units {
        let Some(value) = object.get(name) else {
            continue;
        };
        given = true;
        match value.as_i64() {
            Some(amount)
                if amount >= 0 && amount.saturating_mul(factor) <= MAX_ADVANCE_SECONDS * 1000 =>
            {
                total_ms = total_ms.saturating_add(amount * factor);
            }
            Some(_) => errors.push(FieldError::new(name, "must be between 0 and ten years")),
            None => errors.push(FieldError::new(name, "must be a non-negative integer")),
        }
    }
    for key in object.keys() {
        if !units.iter().any(|(name, _)| name == key) {
            errors.push(FieldError::new(
                key.clone(),
                "unknown field; use seconds, milliseconds, minutes, hours or days",
            ));
        }
    }
    if !given && errors.is_empty() {
        errors.push(FieldError::new("seconds", "must not be null"));
    }
    if total_ms > MAX_ADVANCE_SECONDS * 1000 {
        errors.push(FieldError::new("$", "the total must be at most ten years"));
    }
    if !errors.is_empty() {
        return Err(ApiError::fields(errors).into());
    }
    state.clock().advance(total_ms);
    Ok(Json(clock_body(&state)))
}

/// Query of the journal.
#[derive(Debug, Deserialize)]
pub struct JournalQuery {
    terminal: Option<String>,
    path: Option<String>,
    method: Option<String>,
    since: Option<u64>,
    limit: Option<usize>,
}

/// `GET /__mock/requests`.
pub async fn list_requests(
    State(state): State<AppState>,
    Query(query): Query<JournalQuery>,
) -> Response {
    let filter = JournalFilter {
        terminal: query.terminal,
        path_prefix: query.path,
        method: query.method,
        since: query.since,
        limit: query.limit,
    };
    let page = state.journal().page(&filter);
    Json(page).into_response()
}

/// `DELETE /__mock/requests`.
pub async fn clear_requests(State(state): State<AppState>) -> StatusCode {
    state.journal().clear();
    StatusCode::NO_CONTENT
}

/// Query of the state.
#[derive(Debug, Deserialize)]
pub struct StateQuery {
    limit: Option<usize>,
}

/// `GET /__mock/state`.
pub async fn get_state(
    State(state): State<AppState>,
    Query(query): Query<StateQuery>,
) -> Json<Value> {
    let now = state.now();
    let snapshot = state.store().snapshot(now, query.limit.unwrap_or(1_000));
    Json(snapshot)
}

/// `GET /__mock/health`.
pub async fn health(State(state): State<AppState>) -> Json<Value> {
    let counts = state.store().counts();
    let (journal_len, journal_dropped) = {
        let journal = state.journal();
        (journal.len(), journal.dropped())
    };
    Json(json!({
        "status": "UP",
        "version": env!("CARGO_PKG_VERSION"),
        "now": state.now().to_iso(),
        "store": counts,
        "journal": { "entries": journal_len, "dropped": journal_dropped, "capacity": state.config().journal_capacity },
    }))
}

/// Requires the admin token on the control plane when one is configured.
pub async fn require_admin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(expected) = state.config().admin_token.as_deref() else {
        return next.run(request).await;
    };
    let headers = request.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let direct = headers
        .get("x-admin-token")
        .and_then(|value| value.to_str().ok());
    let query_token = request.uri().query().and_then(|query| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == "admin_token")
            .map(|(_, value)| value.into_owned())
    });
    let presented = [bearer, direct, query_token.as_deref()];
    if presented
        .iter()
        .flatten()
        .any(|token| constant_time_eq(token.as_bytes(), expected.as_bytes()))
    {
        next.run(request).await
    } else {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "the control plane requires the admin token (Authorization: Bearer or X-Admin-Token)",
        )
        .into_response()
    }
}

fn constant_time_eq(left: &[u8], right: &[u8]) -> bool {
    left.len() == right.len()
        && left
            .iter()
            .zip(right)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

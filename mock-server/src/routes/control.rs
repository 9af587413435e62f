//! The control plane under `/__mock/`: reset, virtual clock, journal, state, health.
//!
//! Why this file is long: one handler per control-plane endpoint, each with the OpenAPI attributes
//! that document it; the manual decision's validation is the largest.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use super::extract::{JsonBody, RequestTime};
use crate::domain::request::FieldError;
use crate::error::{ApiError, ErrorBody, Rejection};
use crate::journal::JournalFilter;
use crate::state::AppState;
use crate::wire::control::{read_advance, read_decision};
use crate::wire::state::state_view;
use crate::wire::task::{TaskBody, task_body};

/// `POST /__mock/reset`: back to the fixtures' initial state; the id sequence restarts.
#[utoipa::path(
    post,
    path = "/__mock/reset",
    tag = "Control plane",
    operation_id = "reset",
    responses(
        (status = 200, description = "Back to the fixtures' initial state: `{\"reset\": true, \"now\": …}`", body = Object),
    ),
)]
pub async fn reset(State(state): State<AppState>, RequestTime(now): RequestTime) -> Json<Value> {
    state.reset_at(now);
    Json(json!({ "reset": true, "now": now.to_iso() }))
}

/// `GET /__mock/clock`.
#[utoipa::path(
    get,
    path = "/__mock/clock",
    tag = "Control plane",
    operation_id = "getClock",
    responses(
        (status = 200, description = "The virtual clock", body = ClockBody),
    ),
)]
pub async fn get_clock(State(state): State<AppState>) -> Json<ClockBody> {
    Json(clock_body(&state))
}

/// The virtual clock.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Clock)]
pub struct ClockBody {
    /// Now, ISO 8601 UTC with milliseconds.
    #[schema(format = DateTime)]
    now: String,
    /// Now, milliseconds since the epoch.
    epoch_millis: i64,
    /// `system` or `manual`.
    mode: crate::clock::ClockMode,
}

fn clock_body(state: &AppState) -> ClockBody {
    let now = state.now();
    ClockBody {
        now: now.to_iso(),
        epoch_millis: now.0,
        mode: state.clock().mode(),
    }
}

/// `POST /__mock/clock/advance`: one or more units (at least one), added up (at most ten years in
/// all).
#[derive(Clone, Debug, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
#[allow(dead_code)]
pub struct ClockAdvance {
    /// Milliseconds.
    #[schema(required = false, minimum = 0, maximum = 316_224_000_000_i64)]
    milliseconds: i64,
    /// Seconds.
    #[schema(required = false, minimum = 0, maximum = 316_224_000)]
    seconds: i64,
    /// Minutes.
    #[schema(required = false, minimum = 0, maximum = 5_270_400)]
    minutes: i64,
    /// Hours.
    #[schema(required = false, minimum = 0, maximum = 87_840)]
    hours: i64,
    /// Days.
    #[schema(required = false, minimum = 0, maximum = 3_660)]
    days: i64,
}

/// The decision on a task waiting for a person (a manual terminal).
#[derive(Clone, Debug, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct Decision {
    /// `approve`, `decline`, `customer_cancel`, `pin_timeout` or `error`.
    #[schema(pattern = "^(approve|decline|customer_cancel|pin_timeout|error)$")]
    outcome: String,
    /// The refusal word of a decline.
    #[schema(value_type = Option<crate::wire::openapi_types::RefusalWords>)]
    refusal: Option<crate::domain::refusal::Refusal>,
    /// The GP tom code of a cancel or error.
    #[schema(minimum = 0, maximum = 999)]
    code: Option<u16>,
    /// The task error's message.
    message: Option<String>,
    /// The card brand.
    #[schema(value_type = Option<crate::wire::openapi_types::CardBrandWords>)]
    brand: Option<crate::domain::card::CardBrand>,
    /// How the card was read.
    #[schema(value_type = Option<crate::wire::openapi_types::EntryModeWords>)]
    entry_mode: Option<crate::domain::card::EntryMode>,
    /// Whether the PIN was verified.
    pin_verified: Option<bool>,
}

/// `POST /__mock/clock/advance` with `{"seconds": N}` (or `milliseconds`, `minutes`, `hours`, `days`).
#[utoipa::path(
    post,
    path = "/__mock/clock/advance",
    tag = "Control plane",
    operation_id = "advanceClock",
    request_body(content = ClockAdvance, content_type = "application/json"),
    responses(
        (status = 200, description = "The clock after the move", body = ClockBody),
        (status = 400, description = "A unit is negative, unknown or over ten years", body = ErrorBody),
    ),
)]
pub async fn advance_clock(
    State(state): State<AppState>,
    RequestTime(now): RequestTime,
    JsonBody(body): JsonBody,
) -> Result<Json<ClockBody>, Rejection> {
    let total_ms = read_advance(&body).map_err(ApiError::fields)?;
    let then = now.plus_ms(total_ms);
    if !then.clock_may_stand_at() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "moving the clock by {total_ms} ms from {} would pass {}, the latest the mock's clock may stand (every date it derives must keep a four-digit year); nothing was changed",
                now.to_iso(),
                crate::clock::Millis::LATEST_NOW.to_iso()
            ),
        )
        .into());
    }
    state.clock().advance(total_ms);
    state.clock_moved();
    Ok(Json(clock_body(&state)))
}

/// Query of the journal.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JournalQuery {
    /// Only requests concerning this terminal.
    terminal: Option<String>,
    /// Only paths starting with this prefix.
    path: Option<String>,
    /// Only this method.
    method: Option<String>,
    /// Only entries after this sequence number.
    #[param(minimum = 0)]
    since: Option<i64>,
    /// At most this many entries (the newest).
    #[param(minimum = 0, maximum = 1_000_000)]
    limit: Option<i64>,
}

/// A count from a query: `None` when absent, otherwise within `0..=max` or a field error.
fn bounded(name: &str, value: Option<i64>, max: i64) -> Result<Option<u64>, Rejection> {
    match value {
        None => Ok(None),
        Some(value) if (0..=max).contains(&value) => Ok(u64::try_from(value).ok()),
        Some(_) => Err(ApiError::fields(vec![FieldError::new(
            name,
            format!("must be between 0 and {max}"),
        )])
        .into()),
    }
}

/// `GET /__mock/requests`.
#[utoipa::path(
    get,
    path = "/__mock/requests",
    tag = "Control plane",
    operation_id = "listRequests",
    params(JournalQuery),
    responses(
        (status = 200, description = "A page of the request journal (secrets masked), oldest first: `{\"entries\": […], \"next\": …, \"dropped\": …}`", body = Object),
        (status = 400, description = "A query parameter is malformed", body = ErrorBody),
    ),
)]
pub async fn list_requests(
    State(state): State<AppState>,
    Query(query): Query<JournalQuery>,
) -> Result<Response, Rejection> {
    let filter = JournalFilter {
        terminal: query.terminal,
        path_prefix: query.path,
        method: query.method,
        since: bounded("since", query.since, i64::MAX)?,
        limit: bounded("limit", query.limit, 1_000_000)?
            .and_then(|limit| usize::try_from(limit).ok()),
    };
    let page = state.journal().page(&filter);
    Ok(Json(page).into_response())
}

/// `DELETE /__mock/requests`.
#[utoipa::path(
    delete,
    path = "/__mock/requests",
    tag = "Control plane",
    operation_id = "clearRequests",
    responses(
        (status = 204, description = "The journal is empty"),
    ),
)]
pub async fn clear_requests(State(state): State<AppState>) -> StatusCode {
    state.journal().clear();
    StatusCode::NO_CONTENT
}

/// Query of the state.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StateQuery {
    /// The last this many of each kind (default 100; queues show their length and first 20).
    #[param(minimum = 0, maximum = 10_000)]
    limit: Option<i64>,
}

/// `GET /__mock/state`.
#[utoipa::path(
    get,
    path = "/__mock/state",
    tag = "Control plane",
    operation_id = "getState",
    params(StateQuery),
    responses(
        (status = 200, description = "Terminals, queues, tasks, transactions and batches (the last `limit` of each)", body = Object),
        (status = 400, description = "A query parameter is malformed", body = ErrorBody),
    ),
)]
pub async fn get_state(
    State(state): State<AppState>,
    RequestTime(now): RequestTime,
    Query(query): Query<StateQuery>,
) -> Result<Json<Value>, Rejection> {
    let limit = bounded("limit", query.limit, 10_000)?
        .and_then(|limit| usize::try_from(limit).ok())
        .unwrap_or(100);
    let mut store = state.store();
    let view = serde_json::to_value(state_view(&store.overview(now, limit))).unwrap_or(Value::Null);
    Ok(Json(view))
}

/// `GET /__mock/health`.
#[utoipa::path(
    get,
    path = "/__mock/health",
    tag = "Control plane",
    operation_id = "health",
    responses(
        (status = 200, description = "`UP`, the version, the virtual time, the store sizes and the journal's counters (entries, dropped, capacity)", body = Object),
    ),
)]
pub async fn health(State(state): State<AppState>, RequestTime(now): RequestTime) -> Json<Value> {
    let counts = crate::wire::state::CountsBody::from(state.store().counts());
    let (journal_len, journal_dropped, journal_bytes) = {
        let journal = state.journal();
        (journal.len(), journal.dropped(), journal.bytes())
    };
    Json(json!({
        "status": "UP",
        "version": env!("CARGO_PKG_VERSION"),
        "seed": state.config().seed,
        "now": now.to_iso(),
        "store": counts,
        "journal": { "entries": journal_len, "dropped": journal_dropped, "capacity": state.config().journal_capacity,
                     "bytes": journal_bytes, "maxBytes": state.config().journal_bytes },
    }))
}

/// Query of a scenario switch.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScenarioQuery {
    /// A scenario by name: one loaded at start (`--scenario`) or one of the embedded library
    /// (`gptom-mock scenario list`).
    name: Option<String>,
}

/// `GET /__mock/scenario`: the active scenarios (with their YAML) and the ones available by name.
#[utoipa::path(
    get,
    path = "/__mock/scenario",
    tag = "Control plane",
    operation_id = "getScenario",
    responses(
        (status = 200, description = "The active scenarios (with their YAML) and the names available (loaded at start, then the embedded library)", body = Object),
    ),
)]
pub async fn get_scenario(State(state): State<AppState>) -> Json<Value> {
    let active: Vec<Value> = state
        .store()
        .scenarios()
        .iter()
        .map(|scenario| scenario_summary(scenario))
        .collect();
    let available = state.config().scenario_names();
    let default = gptom_default_summary();
    Json(json!({ "active": active, "default": default, "available": available }))
}

fn gptom_default_summary() -> Value {
    let scenario = crate::scenario::Scenario::default();
    json!({ "name": scenario.name, "description": scenario.description })
}

fn scenario_summary(scenario: &crate::scenario::Scenario) -> Value {
    json!({
        "name": scenario.name,
        "description": scenario.description,
        "terminals": scenario.terminals,
        "rules": scenario.rules.len(),
        "faults": scenario.faults.len(),
        "yaml": scenario.source,
    })
}

/// `PUT /__mock/scenario`: the body is a scenario in YAML (or `?name=` picks one the mock was
/// started with). A broken file is refused with every problem; the previous scenario stays active.
#[utoipa::path(
    put,
    path = "/__mock/scenario",
    tag = "Control plane",
    operation_id = "putScenario",
    params(ScenarioQuery),
    request_body(content = String, content_type = "application/yaml", description = "A scenario (see scenarios/README.md); ignored when `name` is given"),
    responses(
        (status = 200, description = "The scenario now active", body = Object),
        (status = 400, description = "Every problem of the YAML as `line L column C` with the rule; the previous scenario stays active", body = ErrorBody),
    ),
)]
pub async fn put_scenario(
    State(state): State<AppState>,
    Query(query): Query<ScenarioQuery>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, Rejection> {
    let scenario = match query.name {
        Some(name) => state.config().scenario_named(&name).ok_or_else(|| {
            let hint = crate::scenario::library::closest(&name)
                .map_or_else(String::new, |near| format!(" (did you mean `{near}`?)"));
            ApiError::fields(vec![FieldError::new(
                "name",
                format!(
                    "no scenario named `{name}`{hint}: neither loaded at start nor in the library ({})",
                    crate::scenario::library::names()
                ),
            )])
        })?,
        None => {
            let text = std::str::from_utf8(&body).map_err(|_| {
                ApiError::fields(vec![FieldError::new(
                    "$",
                    "the scenario must be UTF-8 YAML",
                )])
            })?;
            // `curl -d @file` drops the line breaks: YAML without them rarely reads.
            let flattened = !text.trim().contains('\n') && text.matches(": ").count() > 1;
            let scenario = crate::scenario::load_str("<request body>", text).map_err(|error| {
                let mut problems: Vec<FieldError> = error
                    .problems
                    .iter()
                    .map(|problem| {
                        FieldError::new(
                            format!(
                                "line {} column {}",
                                problem.position.line, problem.position.column
                            ),
                            problem.message.clone(),
                        )
                    })
                    .collect();
                if flattened {
                    problems.push(FieldError::new(
                        "$",
                        "the body has no line breaks, as when `curl -d @scenario.yaml` strips them: send the file with `curl --data-binary @scenario.yaml` (or -T scenario.yaml)",
                    ));
                }
                ApiError::fields(problems)
            })?;
            std::sync::Arc::new(scenario)
        }
    };
    let summary = scenario_summary(&scenario);
    state.activate(vec![scenario]);
    Ok(Json(json!({ "active": [summary] })))
}

/// `DELETE /__mock/scenario`: back to the default scenario.
#[utoipa::path(
    delete,
    path = "/__mock/scenario",
    tag = "Control plane",
    operation_id = "deleteScenario",
    responses(
        (status = 204, description = "Back to the default scenario"),
    ),
)]
pub async fn delete_scenario(State(state): State<AppState>) -> StatusCode {
    state.activate(Vec::new());
    StatusCode::NO_CONTENT
}

/// `POST /__mock/tasks/{taskId}/decide`: the outcome of a task waiting for a person.
///
/// Body: `{"outcome": "approve" | "decline" | "customer_cancel" | "pin_timeout" | "error",
/// "refusal": "insufficientFunds", "code": 62, "message": "…", "brand": "VISA",
/// "entryMode": "CHIP", "pinVerified": true}`.
#[utoipa::path(
    post,
    path = "/__mock/tasks/{taskId}/decide",
    tag = "Control plane",
    operation_id = "decideTask",
    params(("taskId" = String, Path, description = "A task waiting on a manual terminal")),
    request_body(content = Decision, content_type = "application/json"),
    responses(
        (status = 200, description = "The task after the decision", body = TaskBody),
        (status = 400, description = "Every broken field, or the task is not waiting for a person", body = ErrorBody),
        (status = 404, description = "No such task", body = ErrorBody),
    ),
)]
pub async fn decide_task(
    State(state): State<AppState>,
    RequestTime(now): RequestTime,
    axum::extract::Path(task_id): axum::extract::Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, Rejection> {
    let (outcome, card) = read_decision(&body).map_err(ApiError::fields)?;
    let task = {
        let mut store = state.store();
        let index = store.decide_task(&task_id, outcome, card, now)?;
        task_body(&store.task_view(index))
    };
    Ok(Json(serde_json::to_value(task).unwrap_or(Value::Null)))
}

/// Query of the verification.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// `json` (default), `text` or `junit`.
    #[param(inline)]
    format: Option<ReportFormat>,
}

/// The format of the verification report.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    /// JSON (default).
    Json,
    /// Plain text.
    Text,
    /// JUnit XML.
    Junit,
}

/// `GET /__mock/verify`: judges the journal against GP tom's protocol (`?format=json|text|junit`).
#[utoipa::path(
    get,
    path = "/__mock/verify",
    tag = "Control plane",
    operation_id = "verify",
    params(VerifyQuery),
    responses(
        (status = 200, description = "The journal judged against GP tom's protocol rules", content(
            (Object = "application/json"),
            (String = "text/plain"),
            (String = "application/xml"),
        )),
        (status = 400, description = "`format` is not json, text or junit", body = ErrorBody),
    ),
)]
pub async fn verify(State(state): State<AppState>, Query(query): Query<VerifyQuery>) -> Response {
    let settings = state.store().scenario_for("").verify.clone();
    let entries = state.journal().all();
    let report = crate::verify::verify(&entries, &settings);
    match query.format {
        Some(ReportFormat::Text) => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            report.to_text(),
        )
            .into_response(),
        Some(ReportFormat::Junit) => (
            [(header::CONTENT_TYPE, "application/xml")],
            report.to_junit(),
        )
            .into_response(),
        _ => Json(report).into_response(),
    }
}

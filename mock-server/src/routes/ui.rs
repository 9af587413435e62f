//! The virtual terminal in the browser: `GET /__mock/ui` (embedded page), `GET /__mock/events`
//! (server-sent events with the live state) and the manual-mode switches.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::WatchStream;

use super::extract::{JsonBody, RequestTime};
use crate::clock::Millis;
use crate::domain::request::FieldError;
use crate::error::{ApiError, ErrorBody, Rejection};
use crate::journal::JournalFilter;
use crate::state::{AppState, PageFrame};

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
pub async fn page() -> impl axum::response::IntoResponse {
    // The page's URL may carry `?admin_token=`: no link on it may pass that on.
    (
        [(axum::http::header::REFERRER_POLICY, "no-referrer")],
        Html(PAGE),
    )
}

/// How many tasks, transactions, batches and journal entries the page shows by default, and at
/// most (`?limit=`): a view costs what it shows, never what the store holds.
pub const VIEW_LIMIT: usize = 50;
/// The most a view shows of each list.
pub const VIEW_LIMIT_MAX: usize = 500;

/// Everything the page shows: the last `limit` of each list.
#[must_use]
pub fn view(state: &AppState, now: Millis, limit: usize) -> Value {
    let (snapshot, manual_all, active) = {
        let mut store = state.store();
        let snapshot =
            serde_json::to_value(crate::wire::state::state_view(&store.overview(now, limit)))
                .unwrap_or(Value::Null);
        let active: Vec<Value> = store
            .scenarios()
            .iter()
            .map(|scenario| json!({ "name": scenario.name, "description": scenario.description }))
            .collect();
        (snapshot, store.manual_all(), active)
    };
    let journal = state.journal().page(&JournalFilter {
        limit: Some(limit.saturating_mul(2)),
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
            "available": state.config().scenario_names(),
        },
    })
}

/// The parts of the view a patch may carry, in the order they are sent.
const SECTIONS: [&str; 6] = [
    "terminals",
    "tasks",
    "transactions",
    "batches",
    "counts",
    "scenario",
];

/// Renders the view once into a frame of separately serialised parts.
fn render_frame(state: &AppState, version: u64) -> PageFrame {
    // A frame is rendered for the page's feed, not for one request: it reads the clock itself.
    let mut whole = view(state, state.now(), VIEW_LIMIT);
    let mut sections = Vec::with_capacity(SECTIONS.len() + 3);
    for name in ["now", "clock", "manualAll"] {
        sections.push(section(name, whole[name].to_string()));
    }
    for name in SECTIONS {
        let part = if name == "scenario" {
            whole["scenario"].take()
        } else {
            whole["state"][name].take()
        };
        sections.push(section(name, part.to_string()));
    }
    let journal = match whole["journal"].take() {
        Value::Array(entries) => entries
            .into_iter()
            .map(|entry| (entry["seq"].as_u64().unwrap_or(0), entry.to_string()))
            .collect(),
        _ => Vec::new(),
    };
    PageFrame {
        version,
        sections,
        journal,
    }
}

fn section(name: &'static str, text: String) -> (&'static str, String, u64) {
    let print = fingerprint(&text);
    (name, text, print)
}

/// The one renderer of the page's frames: wakes on changes at most five times a second, renders
/// once for every subscriber, and stops with the last one (the next subscriber starts another).
async fn render_frames(state: AppState) {
    let changes = WatchStream::new(state.subscribe()).throttle(Duration::from_millis(200));
    tokio::pin!(changes);
    while let Some(version) = changes.next().await {
        if state.renderer_unwatched() {
            return;
        }
        state.publish_frame(Arc::new(render_frame(&state, version)));
    }
}

/// What one subscriber was last sent: a fingerprint per part and the newest journal entry.
#[derive(Default)]
struct Sent {
    parts: std::collections::HashMap<&'static str, u64>,
    journal_seq: u64,
}

fn fingerprint(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// The JSON of a patch: the header, the parts that changed since `sent`, the journal entries
/// newer than it. The first patch of a subscriber carries everything (the `state` event).
fn patch(frame: &PageFrame, sent: &mut Sent) -> String {
    let mut header = format!("{{\"version\":{}", frame.version);
    let mut state = String::new();
    for (name, text, print) in &frame.sections {
        let changed = sent.parts.insert(name, *print) != Some(*print);
        match *name {
            "now" | "clock" | "manualAll" => {
                header.push_str(&format!(",\"{name}\":{text}"));
            }
            "scenario" if changed => header.push_str(&format!(",\"scenario\":{text}")),
            _ if changed => {
                if !state.is_empty() {
                    state.push(',');
                }
                state.push_str(&format!("\"{name}\":{text}"));
            }
            _ => {}
        }
    }
    let journal: Vec<&str> = frame
        .journal
        .iter()
        .filter(|(seq, _)| *seq > sent.journal_seq)
        .map(|(_, text)| text.as_str())
        .collect();
    if let Some((seq, _)) = frame.journal.last() {
        sent.journal_seq = sent.journal_seq.max(*seq);
    }
    format!(
        "{header},\"state\":{{{state}}},\"journal\":[{}]}}",
        journal.join(",")
    )
}

/// `GET /__mock/events`: the whole view at once (`state`), then after every change (at most
/// five times a second) only what changed (`patch`: the parts that differ, the new journal
/// entries). The frame is rendered once per change for every subscriber together.
#[utoipa::path(
    get,
    path = "/__mock/events",
    tag = "Control plane",
    operation_id = "events",
    responses(
        (status = 200, description = "Server-sent events: `state` with the whole view, then `patch` with what changed (at most five a second)", content_type = "text/event-stream", body = String),
    ),
)]
pub async fn events(State(state): State<AppState>) -> Response {
    // Streams have a pool of their own: a page left open in many tabs, or sockets that never
    // read, cannot take the API's connections.
    let Some(place) = state.stream_place() else {
        let max = state.config().max_streams;
        let mut refused = crate::error::ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "{max} live pages are open already (--max-streams {max}); close one, or start the mock with a larger --max-streams"
            ),
        )
        .into_response();
        // The connection goes too: a refused stream keeps no connection slot.
        refused.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
        return refused;
    };
    let keep_alive = state.config().stream_keep_alive;
    let mut sent = Sent::default();
    // Subscribe before claiming, so a renderer that just found nobody watching cannot miss us.
    let frames = WatchStream::new(state.frames());
    if state.claim_renderer() {
        tokio::spawn(render_frames(state.clone()));
    }
    let stream = frames.filter_map(move |frame| {
        let _place = &place;
        let frame = frame?;
        let first = sent.parts.is_empty();
        let data = patch(&frame, &mut sent);
        Some(Ok::<Event, Infallible>(
            Event::default()
                .event(if first { "state" } else { "patch" })
                .data(data),
        ))
    });
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(keep_alive))
        .into_response();
    response
        .extensions_mut()
        .insert(super::answer::StreamAnswer);
    response
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
    params(ViewQuery),
    responses(
        (status = 200, description = "What the page shows, once", body = Object),
        (status = 400, description = "`limit` is not a number from 1 to 500", body = ErrorBody),
    ),
)]
pub async fn get_view(
    State(state): State<AppState>,
    RequestTime(now): RequestTime,
    axum::extract::Query(query): axum::extract::Query<ViewQuery>,
) -> Result<Json<Value>, Rejection> {
    let limit = match query.limit {
        None => VIEW_LIMIT,
        Some(limit) if (1..=VIEW_LIMIT_MAX as i64).contains(&limit) => limit as usize,
        Some(_) => {
            return Err(ApiError::fields(vec![FieldError::new(
                "limit",
                format!("must be between 1 and {VIEW_LIMIT_MAX}"),
            )])
            .into());
        }
    };
    Ok(Json(view(&state, now, limit)))
}

/// Query of `GET /__mock/view`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ViewQuery {
    /// The last this many tasks, transactions and batches (and twice as many journal entries);
    /// default 50.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
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

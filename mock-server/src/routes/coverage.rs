//! `GET /__mock/coverage`: which of GP tom's edge cases the client's suite met and how it handled
//! each (`?format=json|text|junit|markdown`, `?client=`, `?terminal=`).

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::RequestTime;
use crate::coverage::{Scope, coverage as judge};
use crate::error::ErrorBody;
use crate::state::AppState;

/// Query of the coverage report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {
    /// `json` (default), `text`, `junit` or `markdown`.
    #[param(inline)]
    format: Option<CoverageFormat>,
    /// Only this OAuth client's requests (`clientID`, the Basic client of the token endpoint).
    client: Option<String>,
    /// Only this terminal's requests.
    terminal: Option<String>,
}

/// The format of the coverage report.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CoverageFormat {
    /// JSON (default).
    Json,
    /// Plain text.
    Text,
    /// JUnit XML: mishandled cases fail, cases not met are skipped.
    Junit,
    /// A Markdown table.
    Markdown,
}

/// `GET /__mock/coverage`: the catalogue of GP tom edge cases judged from the journal.
#[utoipa::path(
    get,
    path = "/__mock/coverage",
    tag = "Control plane",
    operation_id = "coverage",
    params(CoverageQuery),
    responses(
        (status = 200, description = "Per edge case: not met (with how to produce it), mishandled (with the first evidence) or handled", content(
            (Object = "application/json"),
            (String = "text/plain"),
            (String = "application/xml"),
            (String = "text/markdown"),
        )),
        (status = 400, description = "`format` is not json, text, junit or markdown", body = ErrorBody),
    ),
)]
pub async fn coverage(
    State(state): State<AppState>,
    RequestTime(now): RequestTime,
    Query(query): Query<CoverageQuery>,
) -> Response {
    let entries = state.journal().all();
    let scope = Scope {
        client: query.client.filter(|client| !client.is_empty()),
        terminal: query.terminal.filter(|terminal| !terminal.is_empty()),
    };
    // One short store lock per task looked up, so a long journal never stalls the API.
    let report = judge(&entries, &scope, &|task| {
        state.store().task_outcome(task, now)
    });
    match query.format {
        Some(CoverageFormat::Text) => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            report.to_text(),
        )
            .into_response(),
        Some(CoverageFormat::Junit) => (
            [(header::CONTENT_TYPE, "application/xml")],
            report.to_junit(),
        )
            .into_response(),
        Some(CoverageFormat::Markdown) => (
            [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
            report.to_markdown(),
        )
            .into_response(),
        Some(CoverageFormat::Json) | None => Json(report).into_response(),
    }
}

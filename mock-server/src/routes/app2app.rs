//! `GET /app2app?url=<gptom:// deep link>`: the mock plays the GP tom app and answers with
//! `303 See Other` to the caller's `redirectUrl` (the JSON body carries the same result).

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::extract::RequestTime;
use super::pipeline::JournalTag;
use crate::domain::app2app::parse_deep_link;
use crate::domain::request::FieldError;
use crate::error::{ApiError, Rejection};
use crate::state::AppState;

/// Handles one deep link.
pub async fn open_deep_link(
    State(state): State<AppState>,
    RequestTime(now): RequestTime,
    RawQuery(query): RawQuery,
) -> Result<Response, Rejection> {
    let url = form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .find(|(key, _)| key == "url")
        .map(|(_, value)| value.into_owned())
        .ok_or_else(|| {
            ApiError::fields(vec![FieldError::new(
                "url",
                "must not be null: pass the gptom:// link, URL-encoded",
            )])
        })?;
    let link = parse_deep_link(&url)
        .map_err(|error| ApiError::fields(vec![FieldError::new("url", error.0)]))?;
    let answer = state.store().handle_deep_link(&link, now);
    let redirect = link.redirect_url.clone().map(|mut redirect| {
        {
            let mut pairs = redirect.query_pairs_mut();
            for (key, value) in answer.query_pairs() {
                pairs.append_pair(key, &value);
            }
        }
        redirect.to_string()
    });
    let body = json!({
        "operation": link.operation_path,
        "result": answer,
        "redirect": redirect,
    });
    let tag = JournalTag {
        terminal: answer.terminal.clone(),
    };
    let status = if redirect.is_some() {
        StatusCode::SEE_OTHER
    } else {
        StatusCode::OK
    };
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(location) = redirect.and_then(|location| HeaderValue::from_str(&location).ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response.extensions_mut().insert(tag);
    Ok(response)
}

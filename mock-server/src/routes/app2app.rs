//! `GET /app2app?url=<gptom:// deep link>`: the mock plays the GP tom app and answers with
//! `303 See Other` to the caller's `redirectUrl` (the JSON body carries the same result).

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::answer::JournalTag;
use super::extract::RequestTime;
use crate::domain::request::FieldError;
use crate::error::{ApiError, ErrorBody, Rejection};
use crate::state::AppState;
use crate::wire::app_answer::{AppAnswer, open};
use crate::wire::deeplink::{append_to_redirect, parse_deep_link};

/// The JSON answer of a deep link.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = DeepLinkResponse)]
pub struct DeepLinkAnswer {
    /// The operation, `transaction/create`.
    #[schema(example = "transaction/create")]
    pub operation: String,
    /// What GP tom answers; these become the redirect's query parameters.
    pub result: AppAnswer,
    /// The caller's `redirectUrl` with the answer appended (also in `Location`), when given.
    pub redirect: Option<String>,
}

/// Opens one `gptom://` deep link as the GP tom app would, on the shared state.
#[utoipa::path(
    get,
    path = "/app2app",
    tag = "App-to-app",
    operation_id = "openDeepLink",
    params(("url" = String, Query, description = "The `gptom://` link, URL-encoded: `transaction/create`, `transaction/cancel`, `transaction/refund`, `transaction/detail`, `batch/close`, `batch/detail`, `status`, `login`, `logout`, `change-password`. Read as GP tom's app reads it: `+` is a plus, values are percent-decoded twice", example = "gptom://transaction/create?amount=1000")),
    responses(
        (status = 200, description = "The answer (the link had no `redirectUrl`)", body = DeepLinkAnswer),
        (status = 303, description = "The answer; `Location` is the caller's `redirectUrl` with it appended", body = DeepLinkAnswer,
            headers(("Location" = String, description = "`redirectUrl?status=…&receipt=…`"))),
        (status = 400, description = "`url` is missing or not a well-formed `gptom://` link", body = ErrorBody),
    ),
)]
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
    let answer = open(&mut state.store(), &link, now);
    let redirect = link
        .redirect_url
        .as_deref()
        .map(|redirect| append_to_redirect(redirect, &answer.query_pairs()));
    let tag = JournalTag {
        terminal: answer.terminal.as_deref().map(std::sync::Arc::from),
        body: None,
    };
    let body = DeepLinkAnswer {
        operation: link.operation_path.clone(),
        result: answer,
        redirect: redirect.clone(),
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

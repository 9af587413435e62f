//! `POST /cloud/oauth/token` and `POST /api/oauth/token`: both grants on both paths.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;

use super::answer::JournalTag;
use super::extract::RequestTime;
use crate::error::{OAuthErrorBody, Rejection};
use crate::state::AppState;
use crate::store::OAuthFailure;
use crate::wire::oauth::{TokenBody, TokenRequestShape, near_misses, read_token_form};

/// `POST /cloud/oauth/token`: GP tom's login (password grant); the refresh grant works too. Also
/// routed at `/api/oauth/token` (GP tom's refresh path), which the OpenAPI document lists as well.
/// Issues tokens, RFC 6749 errors otherwise.
#[utoipa::path(
    post,
    path = "/cloud/oauth/token",
    tag = "Cloud API",
    operation_id = "createToken",
    security(("client" = [])),
    request_body(content = TokenRequestShape, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A token pair", body = TokenBody,
            headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 400, description = "`invalid_request`, `invalid_grant` or `unsupported_grant_type`", body = OAuthErrorBody),
        (status = 401, description = "`invalid_client`: bad or missing Basic client credentials", body = OAuthErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Basic realm=\"oauth2/client\"`"))),
    ),
)]
pub async fn create_token(
    State(state): State<AppState>,
    RequestTime(now): RequestTime,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Rejection> {
    let (client_id, secret) = basic_credentials(&headers).ok_or_else(|| {
        Rejection::OAuth(OAuthFailure::InvalidClient(
            "Full authentication is required: send `Authorization: Basic base64(client_id:client_secret)` (GP tom's example client: `Basic YXRvbTphc2hmdWY0ZTVmYQ==`)".into(),
        ))
    })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    if !body.is_empty()
        && !content_type
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
    {
        return Err(Rejection::OAuth(OAuthFailure::InvalidRequest(
            "Content-Type must be application/x-www-form-urlencoded".into(),
        )));
    }
    let params = read_token_form(query.as_deref().unwrap_or("").as_bytes(), &body);
    let grant = {
        let mut store = state.store();
        store
            .check_client(&client_id, &secret)
            .map_err(Rejection::OAuth)?;
        store
            .grant_token(state.keys(), &client_id, &params, now)
            .map_err(|failure| {
                let query = query.as_deref().unwrap_or("").as_bytes();
                Rejection::OAuth(did_you_mean(failure, &near_misses(query, &body)))
            })?
    };
    let tag = JournalTag {
        terminal: grant.tid.as_deref().map(std::sync::Arc::from),
        body: None,
    };
    let mut response = (Extension(tag), axum::Json(TokenBody::from(grant))).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (client_id, secret) = text.split_once(':')?;
    Some((client_id.to_owned(), secret.to_owned()))
}

/// A refusal for a missing parameter names the near miss the form carried instead.
fn did_you_mean(failure: OAuthFailure, misses: &[(String, &'static str)]) -> OAuthFailure {
    let Some(hint) = misses
        .iter()
        .map(|(sent, meant)| format!("`{sent}`: did you mean `{meant}`?"))
        .reduce(|all, next| format!("{all} {next}"))
    else {
        return failure;
    };
    match failure {
        OAuthFailure::InvalidRequest(message) => {
            OAuthFailure::InvalidRequest(format!("{message} (the form has {hint})"))
        }
        OAuthFailure::InvalidGrant(message) => {
            OAuthFailure::InvalidGrant(format!("{message} (the form has {hint})"))
        }
        other => other,
    }
}

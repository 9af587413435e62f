//! The front door: `GET /` (and `/__mock`, `/__mock/`) names where everything is — the page, the
//! OpenAPI document, both APIs and the control plane — so a user who opens the address the
//! start-up log printed finds the rest. A browser is sent on to the page.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use crate::state::AppState;

/// The control plane's operations, as the index lists them.
const CONTROL_PLANE: &[(&str, &str, &str)] = &[
    ("GET", "/__mock/health", "is the mock up"),
    (
        "POST",
        "/__mock/reset",
        "back to the start: no payments, the id sequence restarted",
    ),
    ("GET", "/__mock/clock", "the virtual clock"),
    (
        "POST",
        "/__mock/clock/advance",
        "move the virtual clock: {\"seconds\": 5}",
    ),
    (
        "GET",
        "/__mock/requests",
        "what your client sent (the journal)",
    ),
    (
        "GET",
        "/__mock/state",
        "terminals, tasks, transactions, batches",
    ),
    ("GET", "/__mock/state/export", "the whole state as a file"),
    (
        "POST",
        "/__mock/state/import",
        "replace the whole state with a file (JSON)",
    ),
    ("GET", "/__mock/scenario", "the active scenarios"),
    (
        "PUT",
        "/__mock/scenario",
        "activate a scenario: ?name= from the library, or YAML",
    ),
    ("DELETE", "/__mock/scenario", "back to the default scenario"),
    ("GET", "/__mock/verify", "was your client well behaved"),
    (
        "GET",
        "/__mock/coverage",
        "which of GP tom's edge cases your tests met",
    ),
];

/// `GET /`, `/__mock`, `/__mock/`: a browser goes on to the page; anything else gets the index.
#[utoipa::path(
    get,
    path = "/",
    tag = "Control plane",
    operation_id = "index",
    security(()),
    responses(
        (status = 200, description = "Where the page, the OpenAPI document, both APIs and the control plane are", content_type = "application/json", body = Object),
        (status = 303, description = "A browser (`Accept: text/html`) is sent on to the page"),
    ),
)]
pub async fn index(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let browser = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if browser {
        return Redirect::to("/__mock/ui").into_response();
    }
    let locked = state.config().admin_token.is_some();
    let scenarios: Option<Vec<String>> = (!locked).then(|| {
        let store = state.store();
        let names: Vec<String> = store
            .scenarios()
            .iter()
            .map(|scenario| scenario.name.clone())
            .collect();
        if names.is_empty() {
            vec!["default".to_owned()]
        } else {
            names
        }
    });
    let body = json!({
        "name": "gptom-mock",
        "version": env!("CARGO_PKG_VERSION"),
        "page": if locked { "/__mock/ui?admin_token=YOUR_ADMIN_TOKEN" } else { "/__mock/ui" },
        "openapi": "/openapi.json",
        "cloudApi": {
            "token": "POST /cloud/oauth/token",
            "sale": "POST /v1/tasks/TRANSACTION",
            "closeBatch": "POST /v1/tasks/BATCH",
            "task": "GET /v1/tasks/{taskId}",
            "transaction": "GET /v1/transactions/{transactionId}",
            "batch": "GET /v1/batches/{batchNumber}",
        },
        "appToApp": "GET /app2app?url=gptom://transaction/create?amount=1000%26redirectUrl=myshop://transaction/create",
        "controlPlane": CONTROL_PLANE
            .iter()
            .map(|(method, path, what)| json!({"method": method, "path": path, "what": what}))
            .collect::<Vec<_>>(),
        "locked": locked,
        "activeScenarios": scenarios,
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// `GET /__mock/ui/`: the page lives without the trailing slash (the query, an
/// `?admin_token=`, goes along).
pub async fn page_with_slash(uri: Uri) -> Redirect {
    match uri.query() {
        Some(query) => Redirect::permanent(&format!("/__mock/ui?{query}")),
        None => Redirect::permanent("/__mock/ui"),
    }
}

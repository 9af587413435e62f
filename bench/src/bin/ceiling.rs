//! The practical ceiling of this machine: a bare axum handler answering a fixed JSON on the
//! benchmark's three paths (no state, no auth, no journal).
//!
//! `ceiling PORT`

use axum::Router;
use axum::routing::{get, post};

const TOKEN: &str = r#"{"access_token":"x","token_type":"bearer","refresh_token":"y","expires_in":3600,"scope":"read write","tid":"999888"}"#;
const TASK: &str = r#"{"taskId":"00000000-0000-4000-8000-000000000001","taskType":"TRANSACTION","state":"COMPLETED","tid":"999888"}"#;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .map(|text| text.parse())
        .transpose()?
        .unwrap_or(18085);
    let json = |body: &'static str| {
        (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            body,
        )
    };
    let app = Router::new()
        .route(
            "/cloud/oauth/token",
            post(move || async move { json(TOKEN) }),
        )
        .route(
            "/v1/tasks/TRANSACTION",
            post(move || async move { (axum::http::StatusCode::CREATED, json(TASK)) }),
        )
        .route("/v1/tasks/{id}", get(move || async move { json(TASK) }))
        .route("/__mock/health", get(|| async { "UP" }));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

//! `gptom-mock`: a stateful, scriptable test double of GP tom's Cloud API.
//!
//! Start it in-process in a test:
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let state = gptom_mock::AppState::for_tests()?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let address = listener.local_addr()?;
//! tokio::spawn(gptom_mock::serve(listener, state, std::future::pending()));
//! println!("mock at http://{address}");
//! # Ok(()) }
//! ```

pub mod clock;
pub mod coverage;
pub mod domain;
pub mod error;
pub mod fixtures;
pub mod journal;
pub mod openapi;
#[cfg(feature = "durable")]
pub mod persist;
pub mod routes;
pub mod scenario;
pub mod schema;
mod server;
pub mod state;
pub mod store;
pub mod verify;
pub mod wire;

use std::future::Future;

use axum::Router;
use axum::routing::get;
use tokio::net::TcpListener;

pub use clock::{Clock, ClockMode, ManualClock, Millis, SystemClock, WarpClock};
pub use state::{AppState, MockConfig};

/// The whole application: the request pipeline around the route table, as one tower service.
///
/// The pipeline wraps the router once (rather than being layered onto every route), so routing
/// happens inside it and a request pays for one boxed future, not one per layer.
pub type App = routes::pipeline::Pipeline<Router>;

/// The application for in-process tests (`tower::ServiceExt::oneshot`).
pub fn app(state: AppState) -> App {
    // The document lists the routes, so it is served from here rather than from the route table.
    let router = routes::router(state.clone()).route("/openapi.json", get(openapi::openapi_json));
    routes::pipeline::Pipeline::new(state, router)
}

/// Serves the mock on `listener` until `shutdown` completes; in-flight requests finish first.
/// Connections are bounded as [`ConnectionLimits::default`] says.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::serve_with_limits(listener, state, shutdown, ConnectionLimits::default()).await
}

pub use server::{ConnectionLimits, serve_with_limits};

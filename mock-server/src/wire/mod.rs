//! The wire: what GP tom's clients send, read into the domain's types with every problem named,
//! and the deep-link answers written in the shapes GP tom's SDK reads.
//!
//! Invariant: the wire names only what is below it (domain, scenario, store views, clock, the
//! OpenAPI names); the routes, the control plane and `verify` read bodies through it, and a deep
//! link is read and answered nowhere else (`tests/tidy.rs`).

pub mod app_answer;
pub mod batch;
pub mod control;
pub mod deeplink;
pub mod fast_request;
mod fields;
pub mod json;
pub mod oauth;
pub mod openapi_types;
pub mod request;
pub mod state;
pub mod task;
pub mod transaction;

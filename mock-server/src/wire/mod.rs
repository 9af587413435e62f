//! The wire: what GP tom's clients send, read into the domain's types, with every problem named.
//!
//! Invariant: the wire names only the domain, the clock and the OpenAPI names below it; the
//! routes, the control plane and `verify` read bodies through it (`tests/tidy.rs`).

pub mod request;

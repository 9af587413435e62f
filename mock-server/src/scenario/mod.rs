//! Scenarios: what the mock decides for each request — payment outcomes, task timelines, terminal
//! conditions, token behaviour, HTTP faults and the wire profile.
//!
//! [`Scenario`] is the validated model the engine uses; `load` turns YAML into it (the YAML crate is
//! used in `tree` only). [`Scenario::default`] is GP tom's simulator behaviour (§1.6 of the spec):
//! 1111 approved, 1122 declined, 1123 times out, 1124 fails technically, every other amount approved.

mod engine;
mod load;
mod model;
mod tree;

pub mod library;
pub use engine::RequestFacts;
pub use load::{Problem, ScenarioError, load_file, load_str, parse_duration};
pub use model::*;
pub use tree::{MAX_BYTES, Position};

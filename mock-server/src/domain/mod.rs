//! Pure domain logic: terminals, tasks, transactions, tokens, batches, storno rules.
//! No axum, no IO, no clock: `now` is always a parameter.

pub mod app;
pub mod batch;
pub mod card;
pub mod chunked;
pub mod currency;
pub mod dcc;
pub mod ids;
pub mod plan;
pub mod refusal;
pub mod request;
pub mod storno;
pub mod task;
pub mod terminal;
pub mod token;
pub mod transaction;

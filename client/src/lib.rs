//! `gptom-client`: a typed async client of GP tom's Cloud API (Global Payments' payment app)
//! and a builder/parser of its app-to-app deep links.
//!
//! A complete payment:
//!
//! ```no_run
//! use gptom_client::{Client, PaymentOutcome, SaleRequest};
//!
//! # async fn demo() -> Result<(), gptom_client::Error> {
//! let client = Client::builder("http://127.0.0.1:8080")      // the mock, or GP tom's cloud
//!     .client_credentials("atom", "ashfuf4e5fa")
//!     .user("jan.novak@example.com", "ABCDEFGHIJKL")
//!     .terminal("999888")
//!     .build()?;
//! match client.pay(SaleRequest::new(1000, "CZK").reference("Invoice 37364FD")).await? {
//!     PaymentOutcome::Approved(receipt) => println!("paid, auth code {:?}", receipt.authorization_code),
//!     PaymentOutcome::Declined { refusal, .. } => println!("declined: {refusal}"),
//!     PaymentOutcome::Cancelled { .. } => println!("the customer cancelled"),
//!     PaymentOutcome::Failed { code, .. } => println!("the terminal failed with {code:?}"),
//! }
//! # Ok(()) }
//! ```
//!
//! # Never paying twice
//!
//! A task creation that got no answer (connection reset, timeout, a body cut short) may or may
//! not have reached the terminal. Re-sending it could charge the customer twice, so the client
//! never does: it returns [`Error::OutcomeUnknown`] with the reference you sent. Before creating
//! another sale, find out what happened — [`Client::reconcile`] for tasks this client heard of,
//! the terminal's screen, or (against the mock) `GET /__mock/state`. Creations that GP tom
//! refused explicitly (429, 503 with `Retry-After`) are safe to re-send, and [`Client::pay`] does.
//!
//! # Authentication
//!
//! The client logs in on first use, reuses the access token, refreshes it 30 s before it
//! expires or after a `401 invalid_token` (once per request), and logs in again when the refresh
//! token is refused. Concurrent calls share one refresh. Credentials never appear in `Debug`.

#![warn(missing_docs)]

pub mod applink;
mod auth;
mod client;
mod error;
mod outcome;
mod request;
pub mod types;

pub use client::{Client, ClientBuilder, WaitOptions};
pub use error::{ApiErrorBody, Error, FieldError, Result, ValidationError};
pub use outcome::{BatchOutcome, CancelOutcome, PaymentOutcome};
pub use request::{
    CancelRequest, CancelTarget, MAX_REFERENCE_LEN, PaymentMethod, ReceiptType, SaleRequest,
};
pub use types::{Batch, PaymentResult, Task, TaskError, TaskState, Totals, Transaction};

//! Names the OpenAPI document gives to wire values the code keeps as plain strings or numbers
//! (`taskType`, `platform`, `status`, `transactionType`, `grant_type`, the OAuth `error`): types
//! that exist only to be named by `#[schema(value_type = …)]`.
//!
//! Invariant: this module names nothing else in the crate, so any layer may use it without
//! making an import circle (`tests/tidy.rs`).

use utoipa::ToSchema;

/// `taskType` of a task.
#[derive(Clone, Copy, Debug, ToSchema)]
#[allow(clippy::upper_case_acronyms)]
pub enum TaskType {
    /// A SALE or CANCEL.
    TRANSACTION,
    /// A batch close.
    BATCH,
}

/// Where a task failed.
#[derive(Clone, Copy, Debug, ToSchema)]
#[allow(clippy::upper_case_acronyms)]
pub enum Platform {
    /// The device (timeouts, customer cancels, network).
    TERMINAL,
    /// The cloud.
    CLOUD,
    /// The back end (storno and batch rules).
    AMS,
}

/// `status` of an app-to-app answer.
#[derive(Clone, Copy, Debug, ToSchema)]
#[allow(clippy::upper_case_acronyms)]
pub enum AppStatus {
    /// Done (the receipt says whether the payment was approved).
    COMPLETED,
    /// Aborted.
    CANCELLED,
    /// Refused or failed; `error` says why.
    ERROR,
}

/// `transactionType` of a Cloud API task.
#[derive(Clone, Copy, Debug, ToSchema)]
#[allow(clippy::upper_case_acronyms)]
pub enum CloudTransactionType {
    /// A payment.
    SALE,
    /// A storno of an earlier payment on the same terminal.
    CANCEL,
}

/// `grant_type` of a token request.
#[derive(Clone, Copy, Debug, ToSchema)]
#[allow(non_camel_case_types)]
pub enum GrantType {
    /// Login with `username`, `password` and `tid`.
    password,
    /// Exchange a refresh token.
    refresh_token,
}

/// `error` of an OAuth refusal.
#[derive(Clone, Copy, Debug, ToSchema)]
#[allow(non_camel_case_types)]
pub enum OAuthErrorCode {
    /// A parameter is missing or malformed.
    invalid_request,
    /// Bad or missing client credentials (401).
    invalid_client,
    /// Bad user, password or refresh token.
    invalid_grant,
    /// Neither `password` nor `refresh_token`.
    unsupported_grant_type,
    /// A bearer token that is missing, malformed, tampered with, expired or for another terminal.
    invalid_token,
}

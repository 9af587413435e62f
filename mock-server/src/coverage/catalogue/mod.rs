//! The catalogue of GP tom edge cases: each case in one place — its id, what it is, how the mock
//! produces it, what "handled" means, and the judge that reads it from the story.
//!
//! A case is *met* when the mock produced it for the client (a task it created came to that
//! outcome, a fault replaced one of its answers, a deep link it opened was answered so). It is
//! *handled* when every time it was met the client then did what a sound integration does;
//! otherwise *mishandled*, with the first request that shows it.
//!
//! The catalogue is one table on purpose — each case's words and its judge stand together, so the
//! README's table, the reports and the judging can never drift apart; the steps the judges share
//! are in `judges`.

use crate::domain::plan::PaymentResult;
use crate::domain::refusal::Refusal;

mod judges;

use judges::*;

use super::story::{Seen, Story};

/// Which API a case belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    /// The Cloud API (OAuth, tasks, transactions, batches).
    Cloud,
    /// App-to-app deep links.
    AppToApp,
}

impl Channel {
    /// Its name in reports.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Channel::Cloud => "cloud",
            Channel::AppToApp => "app-to-app",
        }
    }
}

/// What a case's judge found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The mock never produced it for this client.
    NotMet,
    /// Met, and every time handled; the first occurrence.
    Handled(Found),
    /// Met, and at least once mishandled; the first mishandling.
    Mishandled(Found),
}

/// One request that shows a verdict, and what it shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The request.
    pub seen: Seen,
    /// What the client did (or did not do).
    pub note: String,
}

/// One edge case.
#[derive(Debug)]
pub struct Case {
    /// Stable id.
    pub id: &'static str,
    /// Cloud API or deep links.
    pub channel: Channel,
    /// What it is.
    pub title: &'static str,
    /// How to make the mock produce it.
    pub produce: &'static str,
    /// What the client must do to have handled it.
    pub handled: &'static str,
    /// Reads the verdict from the story.
    pub judge: fn(&Story) -> Verdict,
}

/// Every case, in the order reports show them.
pub static CASES: &[Case] = &[
    Case {
        id: "sale-approved",
        channel: Channel::Cloud,
        title: "an approved sale",
        produce: "any amount but a test amount, default scenario (e.g. a SALE of 1000)",
        handled: "the task polled to COMPLETED, then its transaction read",
        judge: |story| sales(story, |result, _| result == PaymentResult::Accepted),
    },
    Case {
        id: "decline-generic",
        channel: Channel::Cloud,
        title: "a sale declined without a reason (refusal `declined`)",
        produce: "test amount 1122, default scenario",
        handled: "the transaction read after COMPLETED; no sale with the same reference before that read",
        judge: |story| {
            declines(
                story,
                &[Refusal::Declined, Refusal::DeclinedPurchasePossible],
            )
        },
    },
    Case {
        id: "decline-funds",
        channel: Channel::Cloud,
        title: "a sale declined for funds or limits (insufficientFunds, usageLimitReached, amountLimitExceeded)",
        produce: "scenario insufficient-funds, a SALE of 50000",
        handled: "the transaction read after COMPLETED; no sale with the same reference before that read",
        judge: |story| {
            declines(
                story,
                &[
                    Refusal::InsufficientFunds,
                    Refusal::UsageLimitReached,
                    Refusal::AmountLimitExceeded,
                    Refusal::DeclinedLowAmount,
                ],
            )
        },
    },
    Case {
        id: "decline-card",
        channel: Channel::Cloud,
        title: "a sale declined for the card (expiredCard, captureCard, cardNotSupported, …)",
        produce: "scenario expired-card, any SALE",
        handled: "the transaction read after COMPLETED; no sale with the same reference before that read",
        judge: |story| {
            declines(
                story,
                &[
                    Refusal::ExpiredCard,
                    Refusal::DeclinedProblemWithCard,
                    Refusal::CaptureCard,
                    Refusal::CardNotSupported,
                    Refusal::TransactionIsNotSupported,
                    Refusal::CallService,
                    Refusal::CallForAuthorization,
                ],
            )
        },
    },
    Case {
        id: "decline-pin",
        channel: Channel::Cloud,
        title: "a sale declined for the PIN (invalidPin, pinTriesExceeded, pinRequired)",
        produce: "scenario wrong-pin, any card SALE",
        handled: "the transaction read after COMPLETED; no sale with the same reference before that read",
        judge: |story| {
            declines(
                story,
                &[
                    Refusal::InvalidPin,
                    Refusal::PinTriesExceeded,
                    Refusal::PinRequired,
                ],
            )
        },
    },
    Case {
        id: "decline-technical",
        channel: Channel::Cloud,
        title: "a sale declined for a technical reason (technicalIssue, invalidData, duplicateTransaction, …)",
        produce: "scenario issuer-unavailable, any SALE",
        handled: "the transaction read after COMPLETED; no sale with the same reference before that read",
        judge: |story| {
            declines(
                story,
                &[
                    Refusal::TechnicalIssue,
                    Refusal::TechnicalIssueOfTerminal,
                    Refusal::InvalidRequest,
                    Refusal::InvalidData,
                    Refusal::InvalidFormat,
                    Refusal::DuplicateTransaction,
                    Refusal::Unknown,
                ],
            )
        },
    },
    Case {
        id: "error-65-timeout",
        channel: Channel::Cloud,
        title: "a sale that times out: task ERROR 65",
        produce: "test amount 1123 (ERROR 65 after 0.5 s NEW and 120 s IN_PROGRESS; scenario transaction-timeout scripts the same for any terminal); move the clock on rather than waiting",
        handled: "polled until the task said ERROR, then no more polls of it",
        judge: |story| task_ends(story, "ERROR", &[65], None),
    },
    Case {
        id: "error-99-technical",
        channel: Channel::Cloud,
        title: "a technical failure: task ERROR 99",
        produce: "test amount 1124, default scenario (or scenario technical-failure)",
        handled: "polled until the task said ERROR, then no more polls of it",
        judge: |story| task_ends(story, "ERROR", &[99], None),
    },
    Case {
        id: "customer-cancel",
        channel: Channel::Cloud,
        title: "the customer cancels at the terminal: task CANCELED 43",
        produce: "scenario customer-cancels, any SALE",
        handled: "polled until the task said CANCELED, then no more polls of it",
        judge: |story| task_ends(story, "CANCELED", &[43], Some(false)),
    },
    Case {
        id: "pin-timeout",
        channel: Channel::Cloud,
        title: "the customer never enters the PIN: task CANCELED 43 (PIN entry timeout)",
        produce: "scenario pin-timeout, a card SALE",
        handled: "polled until the task said CANCELED, then no more polls of it",
        judge: |story| task_ends(story, "CANCELED", &[43], Some(true)),
    },
    Case {
        id: "terminal-offline",
        channel: Channel::Cloud,
        title: "the terminal is offline: task ERROR 62",
        produce: "scenario terminal-offline (terminal 999888, 180 s)",
        handled: "polled until the task said ERROR, then no more polls of it",
        judge: |story| task_ends(story, "ERROR", &[62], None),
    },
    Case {
        id: "terminal-inactive",
        channel: Channel::Cloud,
        title: "the terminal is not active: task ERROR 50",
        produce: "scenario terminal-inactive (terminal 999888)",
        handled: "polled until the task said ERROR, then no more polls of it",
        judge: |story| task_ends(story, "ERROR", &[50], None),
    },
    Case {
        id: "busy-terminal",
        channel: Channel::Cloud,
        title: "a busy terminal: the task still waits NEW a second after its creation (queued)",
        produce: "scenario busy-terminal-queue (999888 busy 30 s), any SALE",
        handled: "kept polling (no second sale with the same reference) until the task was final",
        judge: busy_terminal,
    },
    Case {
        id: "token-expired-mid-flow",
        channel: Channel::Cloud,
        title: "the access token expires between creating a task and polling it (401)",
        produce: "scenario token-expires-between-create-and-poll, any SALE",
        handled: "exactly one new token (refresh or login), then the same task polled again",
        judge: token_expired,
    },
    Case {
        id: "refresh-refused",
        channel: Channel::Cloud,
        title: "a refresh token refused (400 invalid_grant)",
        produce: "scenario refresh-token-rejected, then a refresh_token grant",
        handled: "a fresh password login next, not the same refresh again",
        judge: refresh_refused,
    },
    Case {
        id: "retry-after",
        channel: Channel::Cloud,
        title: "the cloud overloaded: 503 with Retry-After on creation",
        produce: "scenario cloud-flaky (the first two creations answer 503, Retry-After: 1)",
        handled: "the next creation on that terminal no sooner than Retry-After",
        judge: retry_after,
    },
    Case {
        id: "answer-lost-on-create",
        channel: Channel::Cloud,
        title: "the connection drops after the mock committed a sale (no answer)",
        produce: "scenario dropped-connection-on-create, a SALE with originReferenceNum",
        handled: "the sale carried an originReferenceNum and no second sale with it followed (reconcile, do not pay twice)",
        judge: |story| lost_answers(story, false),
    },
    Case {
        id: "answer-unreadable",
        channel: Channel::Cloud,
        title: "a malformed, truncated or empty answer to a committed creation",
        produce: "scenario malformed-answer, a SALE with originReferenceNum",
        handled: "the sale carried an originReferenceNum and no second sale with it followed",
        judge: |story| lost_answers(story, true),
    },
    Case {
        id: "poll-fault",
        channel: Channel::Cloud,
        title: "a poll answered by a gateway error (502 or another injected fault)",
        produce: "scenario flaky-poll-probability (20 % of polls answer 502)",
        handled: "kept polling the task until it was final",
        judge: poll_fault,
    },
    Case {
        id: "storno-last",
        channel: Channel::Cloud,
        title: "a storno of the last transaction (LAST_TRANSACTION) completed",
        produce: "scenario storno-last (or: a SALE, then a CANCEL with cancelMode LAST_TRANSACTION)",
        handled: "the CANCEL task polled to COMPLETED, then its transaction read",
        judge: |story| stornos(story, "LAST_TRANSACTION"),
    },
    Case {
        id: "storno-older",
        channel: Channel::Cloud,
        title: "a storno of an older transaction (OLDER_TRANSACTION by amsID) completed",
        produce: "scenario storno-older",
        handled: "the CANCEL task polled to COMPLETED, then its transaction read",
        judge: |story| stornos(story, "OLDER_TRANSACTION"),
    },
    Case {
        id: "storno-44-already-cancelled",
        channel: Channel::Cloud,
        title: "a storno refused because the payment is already cancelled: ERROR 44",
        produce: "scenario double-storno (the same payment cancelled twice)",
        handled: "polled to ERROR; the same payment not cancelled again",
        judge: |story| storno_refused(story, 44),
    },
    Case {
        id: "storno-45-too-old",
        channel: Channel::Cloud,
        title: "a storno refused because the payment is older than 93 days: ERROR 45",
        produce: "scenario storno-after-93-days (or POST /__mock/clock/advance 94 days)",
        handled: "polled to ERROR; the same payment not cancelled again",
        judge: |story| storno_refused(story, 45),
    },
    Case {
        id: "storno-47-not-allowed",
        channel: Channel::Cloud,
        title: "a storno refused as not allowed (another terminal, not the last one): ERROR 47",
        produce: "scenario storno-from-another-terminal",
        handled: "polled to ERROR; the same payment not cancelled again from there",
        judge: |story| storno_refused(story, 47),
    },
    Case {
        id: "batch-closed",
        channel: Channel::Cloud,
        title: "a batch close completed",
        produce: "POST /v1/tasks/BATCH (scenario close-batch-mixed fills the batch first)",
        handled: "the BATCH task polled to COMPLETED, then the batch read back (GET /v1/batches/{n})",
        judge: batch_closed,
    },
    Case {
        id: "batch-refused",
        channel: Channel::Cloud,
        title: "a batch close refused: task ERROR (48, batch declined)",
        produce: "a scenario with `batch: { error: { code: 48, message: Batch declined } }`",
        handled: "polled until the BATCH task said ERROR, then no more polls of it",
        judge: batch_refused,
    },
    Case {
        id: "master-account",
        channel: Channel::Cloud,
        title: "a master account naming the terminal with `tid`",
        produce: "scenario master-account (login as the master user, `tid` in each body)",
        handled: "the task polled to its final state",
        judge: master_account,
    },
    Case {
        id: "app-payment-approved",
        channel: Channel::AppToApp,
        title: "a deep-link payment approved",
        produce: "gptom://transaction/create?amount=1000&…&redirectUrl=… (any amount but the test amounts)",
        handled: "the link had a redirectUrl and nothing GP tom's app ignores or guesses",
        judge: |story| {
            links(
                story,
                |link| link.operation == "transaction/create" && approved(link),
                false,
            )
        },
    },
    Case {
        id: "app-payment-declined",
        channel: Channel::AppToApp,
        title: "a deep-link payment declined (status COMPLETED, code not approved)",
        produce: "gptom://transaction/create?amount=1122&redirectUrl=… (test amount 1122)",
        handled: "the link had a redirectUrl; the same link not sent again blindly",
        judge: |story| {
            links(
                story,
                |link| {
                    link.operation == "transaction/create"
                        && link.status == "COMPLETED"
                        && !approved(link)
                },
                true,
            )
        },
    },
    Case {
        id: "app-payment-cancelled",
        channel: Channel::AppToApp,
        title: "a deep-link payment cancelled by the customer (status CANCELLED)",
        produce: "scenario customer-cancels, then gptom://transaction/create",
        handled: "the link had a redirectUrl; the same link not sent again blindly",
        judge: |story| {
            links(
                story,
                |link| link.operation == "transaction/create" && link.status.starts_with("CANCEL"),
                true,
            )
        },
    },
    Case {
        id: "app-payment-failed",
        channel: Channel::AppToApp,
        title: "a deep-link payment failed (status ERROR, error failed)",
        produce: "gptom://transaction/create?amount=1124&redirectUrl=… (test amount 1124)",
        handled: "the link had a redirectUrl; the same link not sent again blindly",
        judge: |story| {
            links(
                story,
                |link| {
                    link.operation == "transaction/create"
                        && link.status == "ERROR"
                        && error_is(link, "failed")
                },
                true,
            )
        },
    },
    Case {
        id: "app-network-error",
        channel: Channel::AppToApp,
        title: "a deep-link payment on an offline terminal (status ERROR, networkError)",
        produce: "scenario terminal-offline, then gptom://transaction/create",
        handled: "the link had a redirectUrl; the same link not sent again blindly",
        judge: |story| {
            links(
                story,
                |link| link.status == "ERROR" && error_is(link, "networkError"),
                true,
            )
        },
    },
    Case {
        id: "app-storno-done",
        channel: Channel::AppToApp,
        title: "a deep-link storno completed",
        produce: "gptom://transaction/cancel?amsID=…&redirectUrl=… (the amsID of an earlier payment)",
        handled: "the link had a redirectUrl and nothing GP tom's app ignores or guesses",
        judge: |story| {
            links(
                story,
                |link| link.operation == "transaction/cancel" && link.status == "COMPLETED",
                false,
            )
        },
    },
    Case {
        id: "app-storno-refused",
        channel: Channel::AppToApp,
        title: "a deep-link storno refused (status ERROR, cannotBeVoided)",
        produce: "the same gptom://transaction/cancel twice",
        handled: "the link had a redirectUrl; the same link not sent again blindly",
        judge: |story| {
            links(
                story,
                |link| link.operation == "transaction/cancel" && link.status == "ERROR",
                true,
            )
        },
    },
    Case {
        id: "app-batch-closed",
        channel: Channel::AppToApp,
        title: "a batch closed by deep link",
        produce: "gptom://batch/close?redirectUrl=…",
        handled: "the link had a redirectUrl and nothing GP tom's app ignores or guesses",
        judge: |story| {
            links(
                story,
                |link| link.operation == "batch/close" && link.status == "COMPLETED",
                false,
            )
        },
    },
    Case {
        id: "app-dcc-receipt",
        channel: Channel::AppToApp,
        title: "a deep-link payment of a foreign card offered currency conversion (receipt dccData)",
        produce: "scenario dcc-accepted (or dcc-not-accepted, dcc-not-processed), then gptom://transaction/create",
        handled: "the link had a redirectUrl and nothing GP tom's app ignores or guesses",
        judge: |story| links(story, |link| link.dcc, false),
    },
    Case {
        id: "app-device-refused",
        channel: Channel::AppToApp,
        title: "a deep-link login refused for the device or account (tidAlreadyOccupied, anotherTidUsedOnThisDevice, passwordChangeRequired, passwordPendingConfirmation, terminalSetupFailed)",
        produce: "scenario app-device-setup, then gptom://login with tid 999889",
        handled: "the link had a redirectUrl; the same link not sent again blindly",
        judge: |story| {
            links(
                story,
                |link| {
                    link.operation == "login"
                        && [
                            "tidAlreadyOccupied",
                            "anotherTidUsedOnThisDevice",
                            "passwordChangeRequired",
                            "passwordPendingConfirmation",
                            "terminalSetupFailed",
                        ]
                        .iter()
                        .any(|word| error_is(link, word))
                },
                true,
            )
        },
    },
    Case {
        id: "app-not-logged-in",
        channel: Channel::AppToApp,
        title: "a deep link while nobody is logged in to GP tom (userNotLoggedIn)",
        produce: "gptom://logout, then gptom://transaction/create",
        handled: "the next deep link is a login (or a status check), not the same operation again",
        judge: not_logged_in,
    },
];

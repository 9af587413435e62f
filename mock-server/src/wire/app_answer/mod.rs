//! What GP tom's app answers a deep link with, in the shapes of GP tom's iOS SDK (spec §2.2):
//! `receipt` is the SDK's `TransactionData`, `batch` its `Batch`, `appStatus` its `AppStatus`,
//! `code` a `RefusalCode` word and `error` a `DeeplinkError` word — as the SDK generation of the
//! terminal's [`AppProfile`] has them (`current`: `08f1318`, 2026-06-10; `2025`: `a280f7d`,
//! 2025-11-10; docs/sdk-versions.md has the table).
//!
//! Invariant: every key and type here is one the SDK decodes (strings where it wants strings,
//! numbers in major units where it wants `Decimal`, ISO dates with fractional seconds, enum
//! words from its sets); `harness/tests/contract/sdk` decodes every redirect with the SDK's
//! rules and fails on anything rejected or dropped.
//!
//! The answer's shapes are in `shapes`; this file reads, carries out and renders.

use serde::Serialize;

mod shapes;
pub use shapes::*;

use super::deeplink::{DeepLink, read_command, redirect_json};
use crate::clock::Millis;
use crate::domain::app::{AppError, AppOutcome};
use crate::domain::batch::Totals;
use crate::domain::card::{Card, CardBrand};
use crate::domain::dcc::DccOffer;
use crate::domain::ids::format_uuid;
use crate::domain::plan::AppProfile;
use crate::domain::request::PaymentMethod;
use crate::domain::task::TaskState;
use crate::scenario::{MastercardSpelling, PaymentResult};
use crate::store::{BatchView, ReceiptView, SessionView, Store};

/// Opens one deep link on the store at `now`, as GP tom's app would: reads it, carries it out,
/// answers in the SDK's shapes. What the app ignored or guessed in the link is always reported;
/// what it ignored in the operation's parameters only when it carried the operation out.
pub fn open(store: &mut Store, link: &DeepLink, now: Millis) -> AppAnswer {
    let before = store.app_profile();
    let (command, reading) = read_command(link, before);
    let outcome = store.run_app_command(command, now);
    let mut notices = link.notices.clone();
    if !matches!(outcome, AppOutcome::Refused(_)) {
        notices.extend(reading);
    }
    // A login may move the app to a terminal whose scenario plays another generation.
    let profile = store.app_profile();
    notices.extend(super::deeplink::classification_notices(link, profile));
    let mut answer = render(store, outcome, profile);
    answer.notices = notices;
    answer.terminal = store
        .app_terminal()
        .map(|terminal| terminal.tid.to_string());
    answer
}

/// What the app did, in the SDK's shapes of `profile`.
fn render(store: &Store, outcome: AppOutcome, profile: AppProfile) -> AppAnswer {
    match outcome {
        AppOutcome::Refused(refusal) => {
            AppAnswer::error(error_word(refusal.error, profile), refusal.problems)
        }
        AppOutcome::Completed => AppAnswer::completed(),
        AppOutcome::Task(task) => {
            let view = store.app_task_view(task);
            let (status, error) = match view.state {
                TaskState::Completed => ("COMPLETED", None),
                TaskState::Canceled => (view.canceled_spelling, None),
                _ => (
                    "ERROR",
                    Some(error_word(
                        view.error_code
                            .map_or(AppError::Failed, AppError::for_task_error),
                        profile,
                    )),
                ),
            };
            let receipt = view.transaction.map(|index| store.receipt_view(index));
            AppAnswer {
                status,
                code: receipt.map(|receipt| receipt.transaction.refusal),
                error,
                receipt: receipt.map(|receipt| receipt_of(receipt, profile)),
                ..AppAnswer::default()
            }
        }
        AppOutcome::Transaction(index) => {
            let receipt = store.receipt_view(index);
            AppAnswer {
                code: Some(receipt.transaction.refusal),
                receipt: Some(receipt_of(receipt, profile)),
                ..AppAnswer::completed()
            }
        }
        AppOutcome::BatchClosed(index) => AppAnswer {
            batch: index.map(|index| batch_report(store.closed_batch_view(index), profile)),
            ..AppAnswer::completed()
        },
        AppOutcome::OpenBatch => AppAnswer {
            batch: store
                .open_batch_view()
                .map(|view| batch_report(view, profile)),
            ..AppAnswer::completed()
        },
        AppOutcome::Status => AppAnswer {
            app_status: Some(AppStatusReport {
                app_version: env!("CARGO_PKG_VERSION").to_owned(),
                user_info: store.app_session_view().map(user_info),
            }),
            ..AppAnswer::completed()
        },
    }
}

/// The error word the app of `profile` sends: the 2025 SDK knew six (`DeeplinkError.swift` at
/// `a280f7d`); a 2025 app said `failed` where today's has a word of its own.
fn error_word(error: AppError, profile: AppProfile) -> AppError {
    match profile {
        AppProfile::Current => error,
        AppProfile::Sdk2025 if AppError::SDK_2025.contains(&error) => error,
        AppProfile::Sdk2025 => AppError::Failed,
    }
}

/// The SDK's `CardType` word of a brand: Maestro is a Mastercard product (label `Maestro`);
/// girocard has a word since `6e92710` (2026-05-12), before it `UNKNOWN`.
fn sdk_card_type(
    brand: CardBrand,
    spelling: MastercardSpelling,
    profile: AppProfile,
) -> &'static str {
    match (brand, spelling) {
        (CardBrand::Visa, _) => "VISA",
        (CardBrand::Amex, _) => "AMEX",
        (CardBrand::Girocard, _) => match profile {
            AppProfile::Current => "GIROCARD",
            AppProfile::Sdk2025 => "UNKNOWN",
        },
        (CardBrand::Mastercard | CardBrand::Maestro, MastercardSpelling::Mastercard) => {
            "MASTERCARD"
        }
        (CardBrand::Mastercard | CardBrand::Maestro, MastercardSpelling::Master) => "MASTER",
    }
}

/// The receipt's `transactionType` (the SDK's `TransactionType`): GoCrypto left the SDK at
/// `5e1ec77` (2026-05-26), so the current app writes no type for such a payment (one the SDK
/// cannot read would cost the whole receipt).
fn sdk_transaction_type(method: PaymentMethod, profile: AppProfile) -> Option<&'static str> {
    match (method, profile) {
        (PaymentMethod::GoCrypto, AppProfile::Current) => None,
        (method, _) => Some(method.as_str()),
    }
}

/// The six-digit BLIK code the customer typed and the BLIK reference, derived from the payment's
/// id (so fixed by `--seed`).
fn blik_of(id: u128) -> (String, String) {
    let code = (id % 1_000_000) as u32;
    let reference = ((id >> 64) as u64) % 10_000_000_000_000;
    (format!("{code:06}"), format!("BLIK{reference:013}"))
}

/// The receipt's `dccData` as the SDK's `DCCOptionsWrapper` encodes and decodes it
/// (`DCCOptions.swift` at `08f1318`).
#[must_use]
pub fn dcc_report(offer: &DccOffer, amount_minor: i64) -> DccReport {
    DccReport {
        currency: offer.currency.to_string(),
        amount: offer.converted_text(amount_minor),
        markup: offer.markup.to_string(),
        region_schema_indicator: offer.region,
        exchange_rate: offer.rate.parse().unwrap_or(0.0),
        status: offer.status.as_str(),
    }
}

/// A transaction as the SDK's `TransactionData`.
fn receipt_of(view: ReceiptView<'_>, profile: AppProfile) -> Receipt {
    let ReceiptView {
        transaction,
        terminal,
        range,
        reference,
        mastercard,
    } = view;
    let card = transaction.card.as_ref();
    let blik = (transaction.payment_method == PaymentMethod::BlikPayment
        && transaction.result != PaymentResult::Cancelled)
        .then(|| blik_of(transaction.id));
    Receipt {
        batch_number: transaction.batch_number.to_string(),
        receipt_number: transaction.receipt_number.to_string(),
        terminal_id: terminal.tid.to_string(),
        emv_aid: range.map(|range| range.aid.clone()),
        emv_app_label: range.map(|range| range.label.clone()),
        card_number: card.map(Card::masked),
        transaction_type: sdk_transaction_type(transaction.payment_method, profile),
        currency_code: terminal.currency.to_string(),
        amount: decimal(transaction.amount),
        total_amount: decimal(transaction.total()),
        tip_amount: decimal(transaction.tip),
        pin_ok: card.map(|card| card.pin_ok),
        authorization_code: transaction
            .authorization_code
            .map(|code| String::from_utf8_lossy(&code).into_owned()),
        sequence_number: format!("{:09}", transaction.sequence_number),
        date: transaction.date.to_iso(),
        card_type: range.map(|range| sdk_card_type(range.brand, mastercard, profile)),
        reference_number: reference.map(str::to_owned),
        transaction_id: (transaction.result != PaymentResult::Cancelled)
            .then(|| format_uuid(transaction.id)),
        result: if transaction.result == PaymentResult::Accepted {
            0
        } else {
            -1
        },
        card_entry_mode: card.map(|card| card.entry_mode.as_str()),
        merchant_id: terminal.merchant_id.clone(),
        ams_id: transaction.ams_id.to_string(),
        blik_code: blik.as_ref().map(|(code, _)| code.clone()),
        blik_transaction_ref: blik.map(|(_, reference)| reference),
        dcc_data: match profile {
            AppProfile::Current => transaction
                .dcc
                .as_deref()
                .map(|offer| dcc_report(offer, transaction.amount)),
            AppProfile::Sdk2025 => None,
        },
    }
}

fn totals_report(totals: Totals) -> TotalsReport {
    TotalsReport {
        sale_amount: major_units(totals.sale_amount),
        sale_count: totals.sale_count,
        void_amount: major_units(totals.void_amount),
        void_count: totals.void_count,
        total_amount: major_units(totals.total_amount),
        total_count: totals.total_count,
    }
}

/// A batch in the SDK's `Batch` shape; the open batch is the SDK's pseudo-batch `OPEN`, without
/// number and date.
fn batch_report(view: BatchView<'_>, profile: AppProfile) -> BatchReport {
    let BatchView {
        totals,
        terminal,
        closed,
        previous_batch_date,
    } = view;
    let number = closed.map(|(number, _)| number);
    let number_text = number.map_or_else(|| "OPEN".to_owned(), |number| number.to_string());
    let part = |method: PaymentMethod| {
        let totals = totals.of(method);
        let always = matches!(method, PaymentMethod::Card | PaymentMethod::Cash);
        (always || totals.total_count > 0).then(|| SubBatchReport {
            close_batch_number: number_text.clone(),
            totals: totals_report(totals),
        })
    };
    BatchReport {
        ams_id: number.map_or_else(
            || "OPEN".to_owned(),
            |number| format!("{}{number:06}", terminal.tid),
        ),
        batch_number: number.map(|number| number.to_string()),
        currency: terminal.currency.to_string(),
        date: closed.map(|(_, date)| date.to_iso()),
        previous_batch_date: previous_batch_date.to_iso(),
        invalid_count: 0,
        totals: totals_report(totals.all),
        tips: tips_report(totals.all),
        // GoCrypto left the SDK's `SubBatches` at `5e1ec77`: counted in the totals only.
        sub_batches: SubBatchesReport {
            card: part(PaymentMethod::Card),
            cash: part(PaymentMethod::Cash),
            account_payment: part(PaymentMethod::AccountPayment),
            blik: part(PaymentMethod::BlikPayment),
            gateway: part(PaymentMethod::PaymentGateway),
            go_crypto: match profile {
                AppProfile::Current => None,
                AppProfile::Sdk2025 => part(PaymentMethod::GoCrypto),
            },
        },
    }
}

/// The batch's tips as the SDK's `Batch` has them since `22e0919` (required since `5b87237`):
/// the sum and the average in major units, the count, and the average share of the tipped
/// payments' amounts in per cent.
fn tips_report(totals: Totals) -> TipsReport {
    let average = if totals.tip_count == 0 {
        0
    } else {
        totals.tip_amount / i64::from(totals.tip_count)
    };
    let base = totals.total_amount.saturating_sub(totals.tip_amount);
    let percentage = if base <= 0 || totals.tip_amount == 0 {
        0.0
    } else {
        ((totals.tip_amount as f64 / base as f64) * 10_000.0).round() / 100.0
    };
    TipsReport {
        tip_amount: major_units(totals.tip_amount),
        tip_count: totals.tip_count,
        tip_average: major_units(average),
        tip_average_percentage: percentage,
    }
}

/// The logged-in user as the SDK's `UserInfo`.
fn user_info(session: SessionView<'_>) -> UserInfoReport {
    let terminal = session.terminal;
    // The fixtures hold no IČO; a stable eight-digit number of the merchant stands in.
    let business_id = format!(
        "{:08}",
        crate::domain::ids::parse_digits(&terminal.merchant_id).unwrap_or(0) % 100_000_000
    );
    let address = session.merchant_address.cloned().unwrap_or_default();
    UserInfoReport {
        client_id: terminal.merchant_id.clone(),
        email: session.username.to_owned(),
        vat_id: Some(format!("CZ{business_id}")),
        business_id: Some(business_id),
        tid: terminal.tid.to_string(),
        mid: terminal.merchant_id.clone(),
        tip_enabled: true,
        printer_available: false,
        manual_transaction_restricted: false,
        merchant_location: AddressReport {
            city: address.city,
            county: address.county,
            house: address.house,
            // The place: the merchant and the till.
            location: Some(session.merchant_name.map_or_else(
                || terminal.name.clone(),
                |merchant| format!("{merchant}, {}", terminal.name),
            )),
            street: address.street,
            zip: address.zip,
        },
    }
}

/// One of the answer's parts as redirect JSON.
fn redirect_value<T: Serialize>(value: &T) -> String {
    // Plain structs of strings and numbers: serialising cannot fail.
    redirect_json(&serde_json::to_string(value).unwrap_or_default())
}

/// Minor units as GP tom's app writes them in a receipt: `435` → `"4.35"`.
#[must_use]
pub fn decimal(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    format!("{sign}{}.{:02}", minor / 100, minor % 100)
}

/// Minor units as a JSON number in major units, as the SDK's `Amount` (`Decimal`) decodes it:
/// `9550` → `95.5`.
#[must_use]
pub fn major_units(minor: i64) -> f64 {
    minor as f64 / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Opens `link` on a fresh mock (the app logged in to terminal 999888).
    fn open_on_fresh_mock(link: &str) -> AppAnswer {
        let config = crate::state::MockConfig::embedded().expect("embedded fixtures");
        let clock = std::sync::Arc::new(crate::clock::ManualClock::default());
        let state = crate::state::AppState::new(config, clock);
        let link = super::super::deeplink::parse_deep_link(link).expect("a deep link");
        let now = state.now();
        open(&mut state.store(), &link, now)
    }

    #[test]
    fn parameter_notices_come_with_an_operation_carried_out() {
        let done = open_on_fresh_mock(
            "gptom://transaction/create?amount=100&printByPaymentApp=yes&colour=red",
        );
        assert_eq!(done.status, "COMPLETED");
        let noticed: Vec<_> = done.notices.iter().map(|n| n.parameter.as_str()).collect();
        assert_eq!(noticed, ["colour", "printByPaymentApp"]);
        assert_eq!(done.terminal.as_deref(), Some("999888"));

        // Refused before acting: the link's own notices, not its parameters'.
        let refused = open_on_fresh_mock(
            "gptom://transaction/create?amount=0&printByPaymentApp=yes&colour=red",
        );
        assert_eq!(refused.error, Some(AppError::InvalidAmount));
        let noticed: Vec<_> = refused
            .notices
            .iter()
            .map(|n| n.parameter.as_str())
            .collect();
        assert_eq!(noticed, ["colour"]);
    }

    #[test]
    fn the_app_decides_in_gp_toms_order() {
        let unknown = open_on_fresh_mock("gptom://teleport?amount=0");
        assert_eq!(
            unknown.error,
            Some(AppError::UnsupportedTransactionOperationOrType)
        );
        let answers = {
            let config = crate::state::MockConfig::embedded().expect("embedded fixtures");
            let clock = std::sync::Arc::new(crate::clock::ManualClock::default());
            let state = crate::state::AppState::new(config, clock);
            let now = state.now();
            let run = |link: &str| {
                let link = super::super::deeplink::parse_deep_link(link).expect("a deep link");
                open(&mut state.store(), &link, now)
            };
            [
                run("gptom://logout"),
                // Nobody logged in comes before the broken amount.
                run("gptom://transaction/create?amount=0"),
                run("gptom://login?username=nobody"),
                run("gptom://status"),
            ]
        };
        assert_eq!(answers[0].status, "COMPLETED");
        assert_eq!(answers[0].terminal, None);
        assert_eq!(answers[1].error, Some(AppError::UserNotLoggedIn));
        assert_eq!(answers[2].error, Some(AppError::InvalidCredentials));
        assert_eq!(answers[2].problems.len(), 1);
        let status = answers[3].app_status.as_ref().expect("a status");
        assert!(status.user_info.is_none());
    }

    #[test]
    fn decimals_are_written_as_the_app_writes_them() {
        assert_eq!(decimal(435), "4.35");
        assert_eq!(decimal(5), "0.05");
        assert_eq!(decimal(100_000), "1000.00");
        assert_eq!(decimal(-250), "-2.50");
        assert_eq!(major_units(9550), 95.5);
        assert_eq!(
            serde_json::to_string(&major_units(123_456)).unwrap_or_default(),
            "1234.56"
        );
    }

    #[test]
    fn maestro_is_a_mastercard_to_the_sdk() {
        let current = AppProfile::Current;
        assert_eq!(
            sdk_card_type(CardBrand::Maestro, MastercardSpelling::Mastercard, current),
            "MASTERCARD"
        );
        assert_eq!(
            sdk_card_type(CardBrand::Mastercard, MastercardSpelling::Master, current),
            "MASTER"
        );
        assert_eq!(
            sdk_card_type(CardBrand::Visa, MastercardSpelling::Master, current),
            "VISA"
        );
        assert_eq!(
            sdk_card_type(CardBrand::Girocard, MastercardSpelling::Mastercard, current),
            "GIROCARD"
        );
        assert_eq!(
            sdk_card_type(
                CardBrand::Girocard,
                MastercardSpelling::Mastercard,
                AppProfile::Sdk2025
            ),
            "UNKNOWN"
        );
    }

    #[test]
    fn error_words_are_the_sdks_and_round_trip() {
        for error in AppError::ALL {
            assert_eq!(AppError::parse(error.as_str()), Some(error));
            assert_eq!(
                serde_json::to_value(error).unwrap_or_default(),
                error.as_str()
            );
        }
        assert_eq!(AppError::for_task_error(45), AppError::CannotBeVoided);
        assert_eq!(AppError::for_task_error(99), AppError::Failed);
    }
}

//! The client against the in-process mock (a dev-dependency only).

use std::sync::Arc;
use std::time::Duration;

use gptom_client::{CancelOutcome, Client, Error, PaymentOutcome, SaleRequest, WaitOptions};
use gptom_mock::{AppState, MockConfig, SystemClock};

const FAST: &str = "version: 1\nname: fast\ntimeline: { new: 0ms, in_progress: 1 poll }\n";

async fn start(scenario: &str) -> (String, AppState) {
    let mut config = MockConfig::embedded().expect("fixtures");
    config.scenarios = vec![Arc::new(
        gptom_mock::scenario::load_str("test", scenario).expect("scenario"),
    )];
    let state = AppState::new(config, Arc::new(SystemClock::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(gptom_mock::serve(
        listener,
        state.clone(),
        std::future::pending(),
    ));
    (url, state)
}

fn client(url: &str) -> Client {
    Client::builder(url)
        .client_credentials("atom", "ashfuf4e5fa")
        .user("jan.novak@example.com", "ABCDEFGHIJKL")
        .terminal("999888")
        .wait_options(WaitOptions {
            initial_interval: Duration::from_millis(5),
            max_interval: Duration::from_millis(20),
            deadline: Duration::from_secs(10),
        })
        .build()
        .expect("client")
}

fn token_calls(state: &AppState) -> usize {
    state
        .journal()
        .all()
        .iter()
        .filter(|entry| entry.path().ends_with("/oauth/token"))
        .count()
}

#[tokio::test]
async fn a_payment_is_approved_and_a_declined_one_carries_its_refusal() {
    let (url, _) = start(FAST).await;
    let client = client(&url);
    let outcome = client
        .pay(SaleRequest::new(1000, "CZK"))
        .await
        .expect("pay");
    let PaymentOutcome::Approved(receipt) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(receipt.total_amount, 1000);
    assert!(receipt.authorization_code.is_some());
    let outcome = client.pay_amount(1122).await.expect("pay");
    assert!(
        matches!(outcome, PaymentOutcome::Declined { ref refusal, .. } if refusal == "declined"),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn the_token_is_reused_and_refreshed_after_a_401() {
    let (url, state) = start(FAST).await;
    let client = client(&url);
    client.pay_amount(100).await.expect("pay");
    client.pay_amount(200).await.expect("pay");
    assert_eq!(token_calls(&state), 1, "one login for many calls");
    state.clock().advance(3_601_000); // the mock's clock expires the token; the client does not know
    client.pay_amount(300).await.expect("pay after expiry");
    let journal = state.journal().all();
    let refresh = journal
        .iter()
        .filter(|entry| entry.path() == "/api/oauth/token")
        .count();
    assert_eq!(refresh, 1, "one refresh after the 401");
    assert!(journal.iter().any(|entry| entry.status == 401));
}

#[tokio::test]
async fn concurrent_calls_trigger_one_login() {
    let (url, state) = start(FAST).await;
    let client = client(&url);
    let calls = (0..8).map(|index| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .create_sale(&SaleRequest::new(100 + index, "CZK"))
                .await
        })
    });
    for call in calls {
        call.await.expect("join").expect("created");
    }
    assert_eq!(token_calls(&state), 1);
}

#[tokio::test]
async fn a_lost_creation_answer_is_outcome_unknown_and_never_resent() {
    let (url, state) = start(&format!(
        "{FAST}faults:\n  - {{ method: POST, path: /v1/tasks/TRANSACTION, first: 1, drop: true }}\n"
    ))
    .await;
    let client = client(&url);
    let error = client
        .pay(SaleRequest::new(1000, "CZK").reference("order-1"))
        .await
        .expect_err("lost");
    assert!(
        matches!(error, Error::OutcomeUnknown { ref reference, .. } if reference.as_deref() == Some("order-1")),
        "{error:?}"
    );
    let creations = state
        .journal()
        .all()
        .iter()
        .filter(|entry| entry.path() == "/v1/tasks/TRANSACTION")
        .count();
    assert_eq!(
        creations, 1,
        "the client must not re-send a creation whose answer was lost"
    );
    assert_eq!(
        state.store().counts().tasks,
        1,
        "the task exists on the mock"
    );
}

#[tokio::test]
async fn explicit_503_with_retry_after_is_retried() {
    let (url, state) = start(&format!(
        "{FAST}faults:\n  - {{ method: POST, path: /v1/tasks/TRANSACTION, first: 2, respond: {{ status: 503, retry_after: 0 }} }}\n"
    ))
    .await;
    let outcome = client(&url).pay_amount(1000).await.expect("pay");
    assert!(outcome.is_approved());
    assert_eq!(state.store().counts().tasks, 1);
}

#[tokio::test]
async fn stornos_report_gp_toms_refusals() {
    let (url, _) = start(FAST).await;
    let client = client(&url);
    let PaymentOutcome::Approved(first) = client.pay_amount(1000).await.expect("pay") else {
        panic!("approved")
    };
    assert!(matches!(
        client.cancel_last().await.expect("cancel"),
        CancelOutcome::Cancelled(_)
    ));
    let again = client.cancel(&first.ams_id).await.expect("cancel");
    assert!(
        matches!(again, CancelOutcome::Refused { code: Some(44), .. }),
        "{again:?}"
    );
}

#[tokio::test]
async fn validation_errors_are_caught_before_the_network() {
    let (url, state) = start(FAST).await;
    let error = client(&url)
        .pay(SaleRequest::new(0, "CZK"))
        .await
        .expect_err("invalid");
    assert!(matches!(error, Error::Validation(_)));
    assert_eq!(state.journal().len(), 0, "nothing was sent");
}

#[test]
fn credentials_never_appear_in_debug_output() {
    let client = Client::builder("http://127.0.0.1:1")
        .client_credentials("atom", "ashfuf4e5fa")
        .user("jan.novak@example.com", "ABCDEFGHIJKL")
        .terminal("999888")
        .build()
        .expect("client");
    let debug = format!("{client:?}");
    assert!(
        !debug.contains("ashfuf4e5fa") && !debug.contains("ABCDEFGHIJKL"),
        "{debug}"
    );
}

//! The app generation a deep link is answered as, its spellings, DCC, and scripted refusals.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::{open, redirect_query};
use crate::support::*;

#[tokio::test]
async fn the_wire_profile_picks_the_seeds_spellings_where_they_differ_from_the_sdk() {
    let scenario = gptom_mock::scenario::load_str(
        "spellings.yaml",
        "version: 1\nname: spellings\ndescription: the web pages' spellings\nwire: { app_canceled_spelling: CANCELED, app_mastercard_spelling: MASTER, reference_max_length: 20 }\nrules:\n  - { when: { amount: 4300 }, then: { task: CANCELED } }\n  - { when: { amount: 5100 }, then: { result: DECLINED, refusal: 51, card: { brand: MAESTRO } } }\n",
    )
    .expect("scenario");
    let mock = Mock::with_scenario(scenario);
    let aborted = redirect_query(
        &open(
            &mock,
            "gptom://transaction/create?amount=4300&redirectUrl=a://transaction/create",
        )
        .await,
    );
    assert_eq!(aborted["status"], "CANCELED");
    let declined = redirect_query(
        &open(
            &mock,
            "gptom://transaction/create?amount=5100&redirectUrl=a://transaction/create",
        )
        .await,
    );
    assert_eq!(declined["code"], "expiredCard");
    assert_eq!(declined["receipt"]["cardType"], "MASTER");
    assert_eq!(declined["receipt"]["result"], -1);
    let token = mock.token(JAN, Some("999888")).await;
    let long = mock
        .create(
            &token,
            json!({"transactionType": "SALE", "amount": 1000, "currencyCode": "CZK",
                   "paymentMethod": "CARD", "originReferenceNum": "Invoice 37364FD payment"}),
        )
        .await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST, "{}", long.text);
    assert!(
        long.text.contains("wire.reference_max_length"),
        "{}",
        long.text
    );
}

#[tokio::test]
async fn gp_toms_cloud_example_reference_and_new_payment_methods_are_accepted() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    for method in [
        "CARD",
        "CASH",
        "ACCOUNT_PAYMENT",
        "BLIK_PAYMENT",
        "PAYMENT_GATEWAY",
        "GO_CRYPTO",
    ] {
        let created = mock
            .create(
                &token,
                json!({"transactionType": "SALE", "amount": 1000, "currencyCode": "CZK",
                       "paymentMethod": method, "originReferenceNum": "Invoice 37364FD payment"}),
            )
            .await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "{method}: {}",
            created.text
        );
    }
}

#[tokio::test]
async fn a_huge_free_text_parameter_is_accepted_but_not_kept_whole() {
    let mock = Mock::new();
    let reference = "r".repeat(60_000);
    let reply = open(
        &mock,
        &format!("gptom://transaction/create?amount=100&originReferenceNum={reference}&redirectUrl=a://transaction/create"),
    )
    .await;
    let query = redirect_query(&reply);
    assert_eq!(query["status"], "COMPLETED");
    assert_eq!(
        query["receipt"]["referenceNumber"].as_str().map(str::len),
        Some(100)
    );
    let notices = reply.body["result"]["notices"].to_string();
    assert!(notices.contains("keeps the first 100"), "{notices}");
}

/// DCC (GP tom's iOS SDK `08f1318`, `DCCOptions.swift`): on the receipt as the SDK decodes it, on
/// the Cloud transaction only under `wire.cloud_dcc_data`, always on the page's state.
#[tokio::test]
async fn a_dcc_offer_shows_on_the_receipt_the_cloud_body_when_asked_and_the_page() {
    for cloud in [false, true] {
        let yaml = format!(
            "version: 1\nname: dcc\nwire: {{ cloud_dcc_data: {cloud} }}\nrules:\n  - {{ when: {{ amount: 9991 }}, then: {{ result: ACCEPTED, dcc: {{ currency: BHD, rate: 61.2, region: 1 }} }} }}\n"
        );
        let scenario = gptom_mock::scenario::load_str("dcc.yaml", &yaml).expect("scenario");
        let mock = Mock::with_scenario(scenario);
        let paid = redirect_query(
            &open(
                &mock,
                "gptom://transaction/create?amount=9991&redirectUrl=a://transaction/create",
            )
            .await,
        );
        assert_eq!(
            paid["receipt"]["dccData"],
            json!({"currency": "BHD", "amount": "1.633", "markup": "3.5", "regionSchemaIndicator": 1, "exchangeRate": 61.2, "status": "ACCEPTED"})
        );
        let token = mock.token("jan.novak@example.com", Some("999888")).await;
        let (_, transaction) = mock.pay(&token, 9991).await;
        assert_eq!(transaction["dccData"].is_object(), cloud, "{transaction}");
        let state = mock.call(Method::GET, "/__mock/state", None, None).await;
        let shown = state.body["transactions"]
            .as_array()
            .expect("transactions")
            .iter()
            .filter(|transaction| transaction["dccData"]["currency"] == "BHD")
            .count();
        assert_eq!(shown, 2, "{}", state.body);
    }
}

/// `app.refusals`: a scripted word answers its operation, after the mock's own checks; a word of
/// another operation is refused when the scenario loads, by line and column.
#[tokio::test]
async fn scripted_app_refusals_answer_their_operation_only() {
    let scenario = gptom_mock::scenario::load_str(
        "app.yaml",
        "version: 1\nname: app\napp:\n  refusals:\n    - { operation: login, tid: \"999889\", error: tidAlreadyOccupied }\n    - { operation: change-password, error: invalidCode }\n",
    )
    .expect("scenario");
    let mock = Mock::with_scenario(scenario);
    let login = |tid: &'static str, password: &'static str| {
        format!(
            "gptom://login?username=jan.novak%40example.com&password={password}&tid={tid}&redirectUrl=a://login"
        )
    };
    let occupied = redirect_query(&open(&mock, &login("999889", "ABCDEFGHIJKL")).await);
    assert_eq!(occupied["error"], "tidAlreadyOccupied", "{occupied}");
    let wrong = redirect_query(&open(&mock, &login("999889", "nope")).await);
    assert_eq!(
        wrong["error"], "invalidCredentials",
        "the mock's check first"
    );
    let other = redirect_query(&open(&mock, &login("999888", "ABCDEFGHIJKL")).await);
    assert_eq!(other["status"], "COMPLETED", "{other}");
    let code = redirect_query(
        &open(
            &mock,
            "gptom://change-password?username=jan.novak%40example.com&password=ABCDEFGHIJKL&newPassword=n&code=1&redirectUrl=a://change-password",
        )
        .await,
    );
    assert_eq!(code["error"], "invalidCode", "{code}");
    let screen = redirect_query(
        &open(
            &mock,
            "gptom://change-password?redirectUrl=a://change-password",
        )
        .await,
    );
    assert_eq!(
        screen["status"], "COMPLETED",
        "without parameters the app opens its screen"
    );

    let error = gptom_mock::scenario::load_str(
        "bad.yaml",
        "version: 1\nname: bad\napp:\n  refusals:\n    - { operation: batch/close, error: tidAlreadyOccupied }\n",
    )
    .expect_err("a login word on batch/close");
    let text = error.to_string();
    assert!(text.contains("bad.yaml:5:"), "{text}");
    assert!(text.contains("failedToCloseBatch"), "{text}");
}

/// GoCrypto left GP tom's SDK at `5e1ec77`: today's app takes a card payment and says so; the
/// 2025 app (`wire.app: "2025"`) a GoCrypto one.
#[tokio::test]
async fn go_crypto_is_a_2025_payment_method_only() {
    let mock = Mock::new();
    let reply = open(
        &mock,
        "gptom://transaction/create?amount=500&transactionType=GO_CRYPTO&redirectUrl=a://transaction/create",
    )
    .await;
    let query = redirect_query(&reply);
    assert_eq!(query["receipt"]["transactionType"], "CARD", "{query}");
    assert!(
        reply.body["result"]["notices"]
            .to_string()
            .contains("5e1ec77"),
        "{}",
        reply.body
    );
    let scenario = gptom_mock::scenario::load_str(
        "old.yaml",
        "version: 1\nname: old\nwire: { app: \"2025\" }\n",
    )
    .expect("scenario");
    let mock = Mock::with_scenario(scenario);
    let query = redirect_query(
        &open(
            &mock,
            "gptom://transaction/create?amount=500&transactionType=GO_CRYPTO&redirectUrl=a://transaction/create",
        )
        .await,
    );
    assert_eq!(query["receipt"]["transactionType"], "GO_CRYPTO", "{query}");
    let closed =
        redirect_query(&open(&mock, "gptom://batch/close?redirectUrl=a://batch/close").await);
    assert!(
        closed["batch"]["subBatches"]["GO_CRYPTO"].is_object(),
        "{closed}"
    );
}

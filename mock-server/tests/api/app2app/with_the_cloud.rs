//! Deep links on the same terminals, transactions and batches as the Cloud API.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{open, redirect_query};
use crate::support::*;

#[tokio::test]
async fn a_deep_link_payment_is_a_normal_transaction_of_the_cloud_api() {
    let mock = Mock::new();
    let reply = open(
        &mock,
        "gptom://transaction/create?amount=1000&redirectUrl=a://b",
    )
    .await;
    let ams_id = redirect_query(&reply)["receipt"]["amsID"]
        .as_str()
        .expect("amsID")
        .to_owned();
    let transaction_id = reply.body["result"]["receipt"]["transactionID"]
        .as_str()
        .expect("id")
        .to_owned();
    let token = mock.token(JAN, Some("999888")).await;
    let seen = mock
        .call(
            Method::GET,
            &format!("/v1/transactions/{transaction_id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.body["amsID"], ams_id);
    // cancellable through the Cloud API
    assert_eq!(
        mock.cancel(&token, "LAST_TRANSACTION", None).await["state"],
        "COMPLETED"
    );
    // and then not again through the app
    let again = open(
        &mock,
        &format!("gptom://transaction/cancel?amsID={ams_id}&redirectUrl=a://b"),
    )
    .await;
    assert_eq!(redirect_query(&again)["error"], "cannotBeVoided");
}

#[tokio::test]
async fn a_cloud_payment_is_cancellable_by_deep_link_and_counted_in_the_batch() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let (_, first) = mock.pay(&token, 1000).await;
    mock.pay(&token, 2000).await;
    let reply = open(
        &mock,
        &format!(
            "gptom://transaction/cancel?amsID={}&redirectUrl=a://b",
            first["amsID"].as_str().expect("ams")
        ),
    )
    .await;
    let query = redirect_query(&reply);
    assert_eq!(query["status"], "COMPLETED", "{query}");
    assert_eq!(query["receipt"]["transactionType"], "CARD");
    assert_eq!(query["receipt"]["amount"], "10.00");
    open(
        &mock,
        "gptom://transaction/create?amount=500&redirectUrl=a://b",
    )
    .await;
    let detail = open(&mock, "gptom://batch/detail?redirectUrl=a://b").await;
    let open_batch = redirect_query(&detail)["batch"].clone();
    assert_eq!(open_batch["amsId"], "OPEN");
    assert_eq!(open_batch["totalAmount"], 25.0);
    let closed = open(&mock, "gptom://batch/close?redirectUrl=a://batch/close").await;
    let batch = redirect_query(&closed)["batch"].clone();
    assert_eq!(batch["batchNumber"], "1");
    assert_eq!(batch["amsId"], "999888000001");
    assert_eq!(batch["saleAmount"], 35.0);
    assert_eq!(batch["voidAmount"], 10.0);
    assert_eq!(batch["subBatches"]["CARD"]["totalAmount"], 25.0);
    assert_eq!(batch["subBatches"]["CARD"]["closeBatchNumber"], "1");
    let cloud_batch = mock
        .call(Method::GET, "/v1/batches/1", Some(&token), None)
        .await;
    assert_eq!(cloud_batch.body["totalAmount"], 2500);
}

#[tokio::test]
async fn detail_finds_a_transaction_by_ams_id_or_request_id() {
    let mock = Mock::new();
    let reply = open(
        &mock,
        "gptom://transaction/create?amount=700&requestID=req-42&redirectUrl=a://b",
    )
    .await;
    let ams_id = redirect_query(&reply)["receipt"]["amsID"]
        .as_str()
        .expect("ams")
        .to_owned();
    for link in [
        format!("gptom://transaction/detail?amsID={ams_id}&redirectUrl=a://b"),
        "gptom://transaction/detail?requestID=req-42&redirectUrl=a://b".to_owned(),
    ] {
        let query = redirect_query(&open(&mock, &link).await);
        assert_eq!(query["receipt"]["amsID"], ams_id.as_str(), "{link}");
    }
    let missing = redirect_query(
        &open(
            &mock,
            "gptom://transaction/detail?requestID=nope&redirectUrl=a://b",
        )
        .await,
    );
    assert_eq!(missing["status"], "ERROR");
}

#[tokio::test]
async fn refund_records_a_refund_transaction() {
    let mock = Mock::new();
    let query = redirect_query(
        &open(
            &mock,
            "gptom://transaction/refund?amount=300&redirectUrl=a://b",
        )
        .await,
    );
    assert_eq!(query["status"], "COMPLETED");
    assert_eq!(query["receipt"]["transactionType"], "CARD");
    assert_eq!(query["receipt"]["amount"], "3.00");
}

#[tokio::test]
async fn logout_login_and_status_change_the_simulated_device() {
    let mock = Mock::new();
    let status = redirect_query(&open(&mock, "gptom://status?redirectUrl=a://b").await);
    assert_eq!(status["appStatus"]["userInfo"]["tid"], "999888");
    assert_eq!(
        status["appStatus"]["userInfo"]["email"],
        "jan.novak@example.com"
    );
    assert!(status["appStatus"]["appVersion"].is_string());
    assert_eq!(
        redirect_query(&open(&mock, "gptom://logout?redirectUrl=a://b").await)["status"],
        "COMPLETED"
    );
    let logged_out = redirect_query(&open(&mock, "gptom://status?redirectUrl=a://b").await);
    assert!(logged_out["appStatus"]["appVersion"].is_string());
    assert!(
        logged_out["appStatus"].get("userInfo").is_none(),
        "{logged_out}"
    );
    assert_eq!(
        redirect_query(&open(&mock, "gptom://change-password?redirectUrl=a://b").await)["error"],
        "userNotLoggedIn"
    );
    let refused = redirect_query(
        &open(
            &mock,
            "gptom://transaction/create?amount=100&redirectUrl=a://b",
        )
        .await,
    );
    assert_eq!(refused["error"], "userNotLoggedIn");
    let bad = redirect_query(&open(&mock, "gptom://login?username=eva.svobodova%40example.com&password=wrong&tid=777666&redirectUrl=a://b").await);
    assert_eq!(bad["status"], "ERROR");
    assert_eq!(bad["error"], "invalidCredentials");
    let login = redirect_query(&open(&mock, "gptom://login?username=eva.svobodova%40example.com&password=ABCDEFGHIJKL&tid=777666&redirectUrl=a://b").await);
    assert_eq!(login["status"], "COMPLETED");
    let paid = redirect_query(
        &open(
            &mock,
            "gptom://transaction/create?amount=100&redirectUrl=a://b",
        )
        .await,
    );
    assert_eq!(paid["receipt"]["terminalID"], "777666");
    assert_eq!(paid["receipt"]["currencyCode"], "EUR");
    assert_eq!(
        redirect_query(&open(&mock, "gptom://change-password?redirectUrl=a://b").await)["status"],
        "COMPLETED"
    );
}

#[tokio::test]
async fn without_redirect_url_the_answer_is_plain_json() {
    let mock = Mock::new();
    let reply = open(&mock, "gptom://transaction/create?amount=1122").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["result"]["code"], "declined");
    assert_eq!(reply.body["result"]["receipt"]["result"], -1);
    assert_eq!(reply.body["redirect"], Value::Null);
}

#[tokio::test]
async fn deep_links_are_journaled_with_their_terminal() {
    let mock = Mock::new();
    open(
        &mock,
        "gptom://transaction/create?amount=100&redirectUrl=a://b",
    )
    .await;
    let journal = mock
        .call(Method::GET, "/__mock/requests?path=/app2app", None, None)
        .await
        .body;
    assert_eq!(journal["entries"][0]["terminal"], "999888");
    assert_eq!(journal["entries"][0]["status"], 303);
    let _ = json!({});
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
        #[test]
        fn any_string_as_url_is_a_redirect_or_a_400_never_a_5xx(text in "\\PC{0,120}", prefix in prop_oneof![Just(""), Just("gptom://"), Just("gptom://transaction/create?amount="), Just("gptom://transaction/cancel?redirectUrl=x://y&amsID=")]) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let mock = Mock::new();
                let reply = open(&mock, &format!("{prefix}{text}")).await;
                prop_assert!(matches!(reply.status.as_u16(), 200 | 303 | 400), "{} {}", reply.status, reply.text);
                prop_assert!(!reply.body.is_null());
                Ok(())
            })?;
        }
    }
}

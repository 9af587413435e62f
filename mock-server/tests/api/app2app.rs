//! `GET /app2app`: the mock as the GP tom app.
//!
//! Why this file is long: one test group per deep-link operation of GP tom's app, and they share
//! the helpers at the top; the SDK-shape checks live in the harness (`sdk.rs`).

use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::support::*;

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn open(mock: &Mock, link: &str) -> Reply {
    mock.call(
        Method::GET,
        &format!("/app2app?url={}", encode(link)),
        None,
        None,
    )
    .await
}

/// The redirect's query as GP tom's SDK reads it (`DeeplinkResult.from(url:)`): split at `&`,
/// every value percent-decoded twice, `+` kept as a plus; JSON parameters decoded.
fn redirect_query(reply: &Reply) -> Value {
    let location = reply
        .headers
        .get(header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .expect("Location");
    let query = location.split_once('?').map_or("", |(_, query)| query);
    let query = query.split('#').next().unwrap_or_default();
    let decode = |text: &str| {
        percent_encoding::percent_decode_str(text)
            .decode_utf8()
            .expect("UTF-8")
            .into_owned()
    };
    let mut map = serde_json::Map::new();
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = decode(&decode(value));
        let decoded = match key {
            "receipt" | "batch" | "appStatus" => {
                serde_json::from_str(&value).expect("JSON parameter")
            }
            _ => Value::from(value),
        };
        map.insert(key.to_owned(), decoded);
    }
    Value::Object(map)
}

#[tokio::test]
async fn a_payment_by_deep_link_redirects_with_status_code_and_receipt() {
    let mock = Mock::new();
    let reply = open(&mock, "gptom://transaction/create?amount=435&tipAmount=50&originReferenceNum=Order%207&redirectUrl=myshop://transaction/create?order=7").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
    let location = reply
        .headers
        .get(header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .expect("Location");
    assert!(
        location.starts_with(
            "myshop://transaction/create?order=7&status=COMPLETED&code=approved&receipt="
        ),
        "{location}"
    );
    assert!(
        !location.contains('+'),
        "spaces are %20, never +: {location}"
    );
    assert_eq!(reply.body["redirect"], location);
    let query = redirect_query(&reply);
    assert_eq!(query["receipt"]["amount"], "4.35");
    assert_eq!(query["receipt"]["tipAmount"], "0.50");
    assert_eq!(query["receipt"]["totalAmount"], "4.85");
    assert_eq!(query["receipt"]["result"], 0);
    assert_eq!(query["receipt"]["referenceNumber"], "Order 7");
    assert_eq!(query["receipt"]["transactionType"], "CARD");
    assert!(query["receipt"]["transactionID"].is_string());
    assert!(query["receipt"]["batchNumber"].is_string());
    assert!(query["receipt"]["sequenceNumber"].is_string());
    insta::assert_json_snapshot!(query);
}

#[tokio::test]
async fn gp_toms_refusals_answer_with_a_deeplink_error_word() {
    let mock = Mock::new();
    let long_client = format!(
        "gptom://transaction/create?amount=100&clientID={}&redirectUrl=a://b",
        "c".repeat(51)
    );
    let cases = [
        (
            "gptom://transaction/create?redirectUrl=a://b",
            "invalidAmount",
        ),
        (
            "gptom://transaction/create?amount=4.35&redirectUrl=a://b",
            "invalidAmount",
        ),
        (
            "gptom://transaction/create?amount=-1&redirectUrl=a://b",
            "invalidAmount",
        ),
        (
            "gptom://transaction/teleport?redirectUrl=a://b",
            "unsupportedTransactionOperationOrType",
        ),
        (
            "gptom://transaction/cancel?amsID=000000000000&redirectUrl=a://b",
            "cannotBeVoided",
        ),
        (
            "gptom://transaction/cancel?redirectUrl=a://b",
            "cannotBeVoided",
        ),
        (
            "gptom://transaction/detail?amsID=1&redirectUrl=a://b",
            "failed",
        ),
        (long_client.as_str(), "invalidClientId"),
        (
            "gptom://login?username=nobody%40example.com&password=x&redirectUrl=a://b",
            "invalidUserName",
        ),
        (
            "gptom://login?username=jan.novak%40example.com&password=x&redirectUrl=a://b",
            "invalidCredentials",
        ),
        (
            "gptom://login?username=jan.novak%40example.com&password=ABCDEFGHIJKL&tid=777666&redirectUrl=a://b",
            "tidNotAssignedToThisUser",
        ),
    ];
    for (link, word) in cases {
        let reply = open(&mock, link).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{link}");
        let query = redirect_query(&reply);
        assert_eq!(query["status"], "ERROR", "{link}");
        assert_eq!(query["error"], word, "{link}");
        assert!(
            reply.body["result"]["problems"][0]["message"].is_string(),
            "{link}: {}",
            reply.text
        );
    }
    assert_eq!(
        mock.state.store().counts().transactions,
        0,
        "no refused link recorded anything"
    );
}

#[tokio::test]
async fn what_the_app_would_ignore_is_accepted_and_noticed() {
    let mock = Mock::new();
    let cases = [
        (
            "gptom://transaction/create?amount=100&printByPaymentApp=yes&redirectUrl=a://transaction/create",
            "printByPaymentApp",
        ),
        (
            "gptom://transaction/create?amount=100&originReferenceNum=123456789012345678901&redirectUrl=a://transaction/create",
            "originReferenceNum",
        ),
        (
            "gptom://transaction/create?amount=100&preferableReceiptType=fax&redirectUrl=a://transaction/create",
            "preferableReceiptType",
        ),
        (
            "gptom://transaction/create?amount=100&transactionType=CHEQUE&redirectUrl=a://transaction/create",
            "transactionType",
        ),
        (
            "gptom://transaction/create?amount=100&tipAmount=1.5&redirectUrl=a://transaction/create",
            "tipAmount",
        ),
        (
            "gptom://transaction/create?amount=100&paymentMetod=CASH&redirectUrl=a://transaction/create",
            "paymentMetod",
        ),
        (
            "gptom://transaction/create?amount=100&originReferenceNum=10%25%20off&redirectUrl=a://transaction/create",
            "originReferenceNum",
        ),
        (
            "gptom://transaction/create?amount=100&redirectUrl=myshop://gptom-result",
            "redirectUrl",
        ),
    ];
    for (link, parameter) in cases {
        let reply = open(&mock, link).await;
        let query = redirect_query(&reply);
        assert_eq!(query["status"], "COMPLETED", "{link}: {}", reply.text);
        assert_eq!(
            reply.body["result"]["notices"][0]["parameter"], parameter,
            "{link}: {}",
            reply.text
        );
    }
    let report = mock
        .call(Method::GET, "/__mock/verify", None, None)
        .await
        .body;
    let rule = report["rules"]
        .as_array()
        .and_then(|rules| {
            rules
                .iter()
                .find(|rule| rule["id"] == "deep-links-as-gptom-reads-them")
        })
        .cloned()
        .expect("rule");
    assert_eq!(rule["outcome"], "failed");
    assert_eq!(
        rule["evidence"].as_array().map(Vec::len),
        Some(cases.len()),
        "{rule}"
    );
}

#[tokio::test]
async fn gp_toms_documented_examples_are_accepted_as_written() {
    // Seed 002's create example, `+` and all.
    let mock = Mock::new();
    let reply = open(
        &mock,
        include_str!("../../../fixtures/examples/deeplink-create.txt").trim(),
    )
    .await;
    assert!(reply.body["result"]["notices"].is_null(), "{}", reply.text);
    let query = redirect_query(&reply);
    assert_eq!(query["status"], "COMPLETED");
    assert_eq!(query["receipt"]["referenceNumber"], "12345");
    assert_eq!(query["receipt"]["totalAmount"], "0.03");
    // GP tom's example app: empty clientID, requestId, values percent-encoded before linking.
    let example_app = open(&mock, "gptom://transaction/create?requestId=123&amount=2&clientID=&originReferenceNum=Faktura%2520%25C4%258D%25205&printByPaymentApp=false&tipAmount=1&redirectUrl=gp://transaction/create&tipCollect=false&preferableReceiptType=QR&clientPhone=+420606505404&clientEmail=info@gptom.com&transactionType=BLIK_PAYMENT").await;
    assert!(
        example_app.body["result"]["notices"].is_null(),
        "{}",
        example_app.text
    );
    let query = redirect_query(&example_app);
    assert_eq!(query["receipt"]["referenceNumber"], "Faktura č 5");
    assert_eq!(query["receipt"]["transactionType"], "BLIK_PAYMENT");
    // Seed 001's cancel example, on a payment with amsID 123.
    let scenario = gptom_mock::scenario::load_str(
        "seeded.yaml",
        "version: 1\nname: seeded\ndescription: a payment with amsID 123\ninitial:\n  transactions:\n    - { terminal: \"999888\", amount: 1000, age: 1h, ams_id: \"123\" }\n",
    )
    .expect("scenario");
    let mock = Mock::with_scenario(scenario);
    let reply = open(
        &mock,
        include_str!("../../../fixtures/examples/deeplink-cancel.txt").trim(),
    )
    .await;
    assert!(reply.body["result"]["notices"].is_null(), "{}", reply.text);
    let query = redirect_query(&reply);
    assert_eq!(query["status"], "COMPLETED", "{}", reply.text);
    assert_eq!(query["code"], "approved");
    assert_eq!(query["receipt"]["amount"], "10.00");
}

#[tokio::test]
async fn receipt_types_are_accepted_in_any_case_with_phone_as_sms() {
    let mock = Mock::new();
    for kind in ["sms", "PHONE", "Email", "qr", "PRINT"] {
        let reply = open(&mock, &format!("gptom://transaction/create?amount=100&preferableReceiptType={kind}&redirectUrl=a://transaction/create")).await;
        assert_eq!(redirect_query(&reply)["status"], "COMPLETED", "{kind}");
        assert!(
            reply.body["result"]["notices"].is_null(),
            "{kind}: {}",
            reply.text
        );
    }
}

#[tokio::test]
async fn what_is_not_a_gptom_url_is_a_400_json_error() {
    let mock = Mock::new();
    for link in [
        "https://example.com/x",
        "not a url",
        "",
        "gptom://transaction/create?amount=1&redirectUrl=%20",
    ] {
        let reply = open(&mock, link).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{link}");
        assert_eq!(reply.body["errors"][0]["field"], "url");
    }
    let reply = mock.call(Method::GET, "/app2app", None, None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

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

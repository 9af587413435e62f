//! `GET /app2app`: the mock as the GP tom app — reading links here; the same store as the Cloud
//! API in `with_the_cloud`; the app generations, DCC and scripted refusals in `app_generation`.
//! The SDK-shape checks live in the harness (`contract/sdk`).

mod app_generation;
mod with_the_cloud;

use axum::http::{Method, StatusCode, header};
use serde_json::Value;

use crate::support::*;

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

pub(super) async fn open(mock: &Mock, link: &str) -> Reply {
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
pub(super) fn redirect_query(reply: &Reply) -> Value {
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

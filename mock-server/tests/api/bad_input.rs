use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;

use crate::support::*;

fn task_count(mock: &Mock) -> usize {
    mock.state.store().counts().tasks
}

#[tokio::test]
async fn malformed_json_is_400_with_line_and_column() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let request = Request::post("/v1/tasks/TRANSACTION")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"amount\": 10,\n \"transactionType\": }"))
        .expect("request");
    let reply = mock.send(request).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!(reply.body, {".timestamp" => "[time]"});
    assert_eq!(task_count(&mock), 0);
}

#[tokio::test]
async fn a_body_over_64_kib_is_413() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let padding = "x".repeat(70 * 1024);
    let reply = mock
        .create(
            &token,
            json!({"transactionType": "SALE", "padding": padding}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.body["status"], 413);
    assert_eq!(task_count(&mock), 0);
}

#[tokio::test]
async fn a_wrong_method_is_405_and_an_unknown_path_404_in_the_error_shape() {
    let mock = Mock::new();
    let reply = mock
        .call(Method::DELETE, "/v1/tasks/TRANSACTION", None, None)
        .await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.body["path"], "/v1/tasks/TRANSACTION");
    let reply = mock.call(Method::GET, "/v2/whatever", None, None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.body["error"], "Not Found");
}

#[tokio::test]
async fn a_wrong_content_type_is_415() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let request = Request::post("/v1/tasks/TRANSACTION")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(sale_body(1000, "CZK").to_string()))
        .expect("request");
    let reply = mock.send(request).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(reply.body["status"], 415);
}

#[tokio::test]
async fn every_broken_field_is_named_in_one_answer() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let reply = mock
        .create(
            &token,
            json!({"transactionType": "SALE", "amount": 1.5, "currencyCode": "EUR", "paymentMethod": "card",
                   "originReferenceNum": "x".repeat(101), "tipAmount": -1}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!(reply.body, {".timestamp" => "[time]"});
    assert_eq!(task_count(&mock), 0);
}

#[tokio::test]
async fn a_currency_other_than_the_terminals_is_refused() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let reply = mock.create(&token, sale_body(1000, "EUR")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.body["errors"][0]["message"],
        "must be the terminal's currency CZK"
    );
}

#[tokio::test]
async fn an_unknown_task_type_is_named() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let reply = mock
        .call(
            Method::POST,
            "/v1/tasks/REFUND",
            Some(&token),
            Some(json!({})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.body["errors"][0]["field"], "taskType");
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        #[test]
        fn arbitrary_bodies_get_a_4xx_and_never_a_5xx(body in proptest::collection::vec(any::<u8>(), 0..512), json_ct in any::<bool>()) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let mock = Mock::new();
                let token = mock.token(JAN, Some("999888")).await;
                for path in ["/v1/tasks/TRANSACTION", "/v1/tasks/BATCH", "/cloud/oauth/token", "/__mock/clock/advance"] {
                    let request = Request::post(path)
                        .header(header::AUTHORIZATION, if path.contains("oauth") { BASIC.to_owned() } else { format!("Bearer {token}") })
                        .header(header::CONTENT_TYPE, if json_ct { "application/json" } else { "application/x-www-form-urlencoded" })
                        .body(Body::from(body.clone()))
                        .expect("request");
                    let reply = mock.send(request).await;
                    prop_assert!(reply.status.as_u16() < 500, "{path}: {}", reply.text);
                    prop_assert!(!reply.body.is_null(), "{path}: not JSON: {}", reply.text);
                }
                Ok(())
            })?;
        }

        #[test]
        fn arbitrary_json_objects_never_make_a_5xx(amount in any::<i64>(), tip in any::<i64>(), kind in "[A-Z_]{0,12}", currency in "[A-Za-z]{0,4}", reference in ".{0,30}") {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let mock = Mock::new();
                let token = mock.token(JAN, Some("999888")).await;
                let body = json!({"transactionType": kind, "amount": amount, "tipAmount": tip, "currencyCode": currency,
                                  "paymentMethod": "CARD", "originReferenceNum": reference, "cancelMode": kind});
                let reply = mock.create(&token, body).await;
                prop_assert!(matches!(reply.status.as_u16(), 201 | 400), "{}", reply.text);
                Ok(())
            })?;
        }
    }
}

#[tokio::test]
async fn a_misspelled_field_is_named_next_to_the_one_it_should_have_been() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let reply = mock
        .create(
            &token,
            json!({"transactionType": "SALE", "amount": 1000, "currencyCode": "CZK", "paymentMetod": "CARD"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.body["errors"][0]["message"],
        "must not be null (the body has `paymentMetod`, which GP tom ignores: did you mean `paymentMethod`?)"
    );
    let cancel = mock
        .create(
            &token,
            json!({"transactionType": "CANCEL", "currencyCode": "CZK", "cancelMode": "OLDER_TRANSACTION", "transactionId": "123"}),
        )
        .await;
    assert_eq!(cancel.status, StatusCode::BAD_REQUEST);
    assert!(
        cancel.text.contains("did you mean `originTransactionID`?"),
        "{}",
        cancel.text
    );
}

#[tokio::test]
async fn an_unknown_field_is_accepted_as_gp_tom_does_with_a_warning_header() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let reply = mock
        .create(
            &token,
            json!({"transactionType": "SALE", "amount": 1000, "currencyCode": "CZK", "paymentMethod": "CARD", "clientId": "pos-1"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(
        reply
            .headers
            .get("x-gptom-mock-warning")
            .and_then(|value| value.to_str().ok()),
        Some("GP tom ignores unknown field(s) `clientId` (did you mean `clientID`?)")
    );
}

#[tokio::test]
async fn every_broken_field_includes_the_terminals_currency() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let reply = mock
        .create(
            &token,
            json!({"transactionType": "SALE", "amount": "10.00", "currencyCode": "XYZ"}),
        )
        .await;
    let fields: Vec<&str> = reply.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|error| error["field"].as_str())
        .collect();
    assert_eq!(fields, ["amount", "paymentMethod", "currencyCode"]);
}

#[tokio::test]
async fn an_id_that_cannot_be_an_id_is_named_as_such() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    for (path, what) in [
        ("/v1/tasks/12345", "`12345` is not a task id"),
        ("/v1/transactions/abc", "`abc` is not a transaction id"),
    ] {
        let reply = mock.call(Method::GET, path, Some(&token), None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        let message = reply.body["message"].as_str().unwrap_or_default();
        assert!(message.starts_with(what), "{message}");
        assert!(message.contains("UUID"), "{message}");
    }
    let unknown = mock
        .call(
            Method::GET,
            "/v1/tasks/00000000-0000-4000-8000-000000000000",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(unknown.body["message"], "task not found");
}

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::*;

async fn close(mock: &Mock, token: &str, body: serde_json::Value) -> serde_json::Value {
    let reply = mock
        .call(Method::POST, "/v1/tasks/BATCH", Some(token), Some(body))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(reply.body["taskType"], "BATCH");
    let (task, _) = mock
        .wait_final(token, reply.body["taskId"].as_str().expect("id"))
        .await;
    task
}

#[tokio::test]
async fn closing_a_batch_totals_accepted_sales_minus_stornos() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    mock.pay(&token, 1000).await;
    mock.pay(&token, 1122).await; // declined: not a sale
    mock.pay(&token, 1124).await; // error: no transaction
    let reply = mock
        .create(&token, json!({"transactionType": "SALE", "amount": 2000, "tipAmount": 100, "currencyCode": "CZK", "paymentMethod": "CARD"}))
        .await;
    mock.wait_final(&token, reply.body["taskId"].as_str().expect("id"))
        .await;
    let reply = mock
        .create(&token, json!({"transactionType": "SALE", "amount": 700, "currencyCode": "CZK", "paymentMethod": "CASH"}))
        .await;
    mock.wait_final(&token, reply.body["taskId"].as_str().expect("id"))
        .await;
    assert_eq!(
        mock.cancel(&token, "LAST_TRANSACTION", None).await["state"],
        "COMPLETED"
    );

    let task = close(&mock, &token, json!({})).await;
    assert_eq!(task["state"], "COMPLETED");
    assert_eq!(task["batchNumber"], 1);
    let batch = mock
        .call(Method::GET, "/v1/batches/1", Some(&token), None)
        .await;
    assert_eq!(batch.status, StatusCode::OK);
    assert_eq!(batch.body["saleCount"], 3);
    assert_eq!(batch.body["saleAmount"], 3700);
    assert_eq!(batch.body["tipAmount"], 100);
    assert_eq!(batch.body["voidCount"], 1);
    assert_eq!(batch.body["voidAmount"], 700);
    assert_eq!(batch.body["totalAmount"], 3100);
    insta::assert_json_snapshot!(batch.body);

    let (_, transaction) = mock.pay(&token, 1000).await;
    assert_eq!(transaction["batchNumber"], 2, "the next batch is open");
    let task = close(&mock, &token, json!({})).await;
    assert_eq!(task["batchNumber"], 2);
}

#[tokio::test]
async fn an_empty_body_closes_the_batch_too() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let reply = mock
        .call(Method::POST, "/v1/tasks/BATCH", Some(&token), None)
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
}

#[tokio::test]
async fn a_master_account_closes_the_batch_of_the_terminal_it_names() {
    let mock = Mock::new();
    let master = mock.token(MASTER, None).await;
    let task = close(&mock, &master, json!({"tid": "999889"})).await;
    assert_eq!(task["tid"], "999889");
    let batch = mock
        .call(Method::GET, "/v1/batches/1?tid=999889", Some(&master), None)
        .await;
    assert_eq!(batch.status, StatusCode::OK);
    let unnamed = mock
        .call(Method::GET, "/v1/batches/1", Some(&master), None)
        .await;
    assert_eq!(unnamed.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_unknown_batch_is_404() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    assert_eq!(
        mock.call(Method::GET, "/v1/batches/7", Some(&token), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        mock.call(Method::GET, "/v1/batches/abc", Some(&token), None)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}

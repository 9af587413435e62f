use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_terminal_token_cannot_see_another_terminals_task_or_transaction() {
    let mock = Mock::new();
    let own = mock.token(JAN, Some("999888")).await;
    let sibling = mock.token(JAN, Some("999889")).await;
    let foreign = mock.token(EVA, Some("777666")).await;
    let (task, _) = mock.pay(&own, 1000).await;
    let task_id = task["taskId"].as_str().expect("id");
    let transaction_id = task["transactionId"].as_str().expect("id");
    for token in [&sibling, &foreign] {
        let reply = mock.poll(token, task_id).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(reply.body["message"], "task not found");
        let reply = mock
            .call(
                Method::GET,
                &format!("/v1/transactions/{transaction_id}"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_terminal_token_cannot_create_tasks_for_another_terminal() {
    let mock = Mock::new();
    let own = mock.token(JAN, Some("999888")).await;
    let mut body = sale_body(1000, "CZK");
    body["tid"] = json!("999889");
    let reply = mock.create(&own, body).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["errors"][0]["field"], "tid");
}

#[tokio::test]
async fn a_master_token_acts_only_among_its_companys_terminals() {
    let mock = Mock::new();
    let master = mock.token(MASTER, None).await;
    let reply = mock.create(&master, sale_body(1000, "CZK")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.body["errors"][0]["message"],
        "must not be null for a master account"
    );

    let mut body = sale_body(1000, "EUR");
    body["tid"] = json!("777666");
    let reply = mock.create(&master, body).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.body["errors"][0]["message"],
        "is not a terminal of this account"
    );

    let mut body = sale_body(1000, "CZK");
    body["tid"] = json!("999889");
    let reply = mock.create(&master, body).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.body["tid"], "999889");
    let (task, _) = mock
        .wait_final(&master, reply.body["taskId"].as_str().expect("id"))
        .await;
    assert_eq!(task["state"], "COMPLETED");

    let foreign = mock.token(EVA, Some("777666")).await;
    let foreign_task = mock.create(&foreign, sale_body(100, "EUR")).await;
    assert_eq!(foreign_task.status, StatusCode::CREATED);
    let reply = mock
        .poll(&master, foreign_task.body["taskId"].as_str().expect("id"))
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

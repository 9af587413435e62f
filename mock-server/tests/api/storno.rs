use axum::http::StatusCode;

use crate::support::*;

async fn paid(mock: &Mock, token: &str, amount: i64) -> String {
    let (task, transaction) = mock.pay(token, amount).await;
    assert_eq!(task["state"], "COMPLETED");
    transaction["amsID"].as_str().expect("amsID").to_owned()
}

#[tokio::test]
async fn the_last_transaction_can_be_cancelled_right_after_it() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    paid(&mock, &token, 1000).await;
    let task = mock.cancel(&token, "LAST_TRANSACTION", None).await;
    assert_eq!(task["state"], "COMPLETED", "{task}");
    let storno = mock
        .call(
            axum::http::Method::GET,
            &format!(
                "/v1/transactions/{}",
                task["transactionId"].as_str().expect("id")
            ),
            Some(&token),
            None,
        )
        .await
        .body;
    assert_eq!(storno["transactionType"], "CANCEL");
    assert_eq!(storno["result"], "ACCEPTED");
    assert_eq!(storno["amount"], 1000);
}

#[tokio::test]
async fn last_transaction_mode_is_refused_once_something_came_in_between() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    paid(&mock, &token, 1000).await;
    paid(&mock, &token, 1122).await; // a declined sale in between
    let task = mock.cancel(&token, "LAST_TRANSACTION", None).await;
    assert_eq!(task["state"], "ERROR");
    assert_eq!(task["error"]["code"], 47);
}

#[tokio::test]
async fn an_older_transaction_is_cancelled_by_its_ams_id() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let first = paid(&mock, &token, 1000).await;
    paid(&mock, &token, 2000).await;
    let task = mock.cancel(&token, "OLDER_TRANSACTION", Some(&first)).await;
    assert_eq!(task["state"], "COMPLETED", "{task}");
}

#[tokio::test]
async fn the_last_transaction_cannot_be_cancelled_as_an_older_one() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let last = paid(&mock, &token, 1000).await;
    let task = mock.cancel(&token, "OLDER_TRANSACTION", Some(&last)).await;
    assert_eq!(task["error"]["code"], 47);
}

#[tokio::test]
async fn a_second_storno_ends_44_whichever_mode_it_names() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let ams = paid(&mock, &token, 1000).await;
    assert_eq!(
        mock.cancel(&token, "LAST_TRANSACTION", None).await["state"],
        "COMPLETED"
    );
    let again_last = mock.cancel(&token, "LAST_TRANSACTION", None).await;
    assert_eq!(again_last["error"]["code"], 44, "{again_last}");
    let again_older = mock.cancel(&token, "OLDER_TRANSACTION", Some(&ams)).await;
    assert_eq!(again_older["error"]["code"], 44, "{again_older}");
    insta::assert_json_snapshot!(again_older, {".taskId" => "[id]"});
}

#[tokio::test]
async fn a_payment_can_be_cancelled_on_day_93_but_not_on_day_94() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let on_time = paid(&mock, &token, 1000).await;
    let too_old = paid(&mock, &token, 2000).await;
    paid(&mock, &token, 3000).await;
    mock.advance(93 * 86_400 - 60);
    let token = mock.token(JAN, Some("999888")).await;
    assert_eq!(
        mock.cancel(&token, "OLDER_TRANSACTION", Some(&on_time))
            .await["state"],
        "COMPLETED"
    );
    mock.advance(86_400);
    let token = mock.token(JAN, Some("999888")).await;
    let task = mock
        .cancel(&token, "OLDER_TRANSACTION", Some(&too_old))
        .await;
    assert_eq!(task["error"]["code"], 45, "{task}");
}

#[tokio::test]
async fn another_terminal_cannot_cancel_a_payment() {
    let mock = Mock::new();
    let first = mock.token(JAN, Some("999888")).await;
    let second = mock.token(JAN, Some("999889")).await;
    let ams = paid(&mock, &first, 1000).await;
    paid(&mock, &second, 500).await;
    let task = mock.cancel(&second, "OLDER_TRANSACTION", Some(&ams)).await;
    assert_eq!(task["error"]["code"], 47);
}

#[tokio::test]
async fn a_declined_payment_cannot_be_cancelled() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let declined = paid(&mock, &token, 1122).await;
    paid(&mock, &token, 1000).await;
    let task = mock
        .cancel(&token, "OLDER_TRANSACTION", Some(&declined))
        .await;
    assert_eq!(task["error"]["code"], 47);
}

#[tokio::test]
async fn an_unknown_ams_id_is_not_allowed() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let task = mock
        .cancel(&token, "OLDER_TRANSACTION", Some("000000000000"))
        .await;
    assert_eq!(task["error"]["code"], 47);
    let reply = mock
        .create(
            &token,
            serde_json::json!({"transactionType": "CANCEL", "currencyCode": "CZK"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["errors"][0]["field"], "cancelMode");
}

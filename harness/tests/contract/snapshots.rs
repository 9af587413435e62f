//! What the client sees, snapshotted (ids and times redacted): task progression, transaction, batch.

use gptom_client::{BatchOutcome, PaymentOutcome, SaleRequest};
use gptom_harness::MockGptom;

#[tokio::test]
async fn an_approved_payment_and_its_batch_as_the_client_sees_them() {
    let mock = MockGptom::start().await.expect("mock");
    let client = mock.client();
    let task = client
        .create_sale(
            &SaleRequest::new(1000, "CZK")
                .tip(100)
                .reference("Invoice 1"),
        )
        .await
        .expect("create");
    let first = serde_json::to_value(&task).expect("json");
    let done = client
        .wait_for_task(
            &task.task_id,
            gptom_client::WaitOptions {
                initial_interval: std::time::Duration::from_millis(2),
                max_interval: std::time::Duration::from_millis(5),
                deadline: std::time::Duration::from_secs(10),
            },
        )
        .await
        .expect("final");
    let transaction = client
        .get_transaction(done.transaction_id.as_deref().expect("transaction"))
        .await
        .expect("read");
    let BatchOutcome::Closed(batch) = client.close_batch_and_read().await.expect("batch") else {
        panic!("batch failed")
    };
    let seen = serde_json::json!({
        "on_creation": first,
        "final": done,
        "transaction": transaction,
        "batch": batch,
    });
    insta::assert_json_snapshot!(seen, {
        ".**.taskId" => "[id]", ".**.transactionId" => "[id]", ".**.created" => "[time]", ".**.updated" => "[time]",
        ".**.date" => "[time]", ".**.amsID" => "[ams]", ".**.authorizationCode" => "[code]", ".**.referenceNumber" => "[rrn]",
        ".**.cardNumber" => "[pan]", ".**.cardType" => "[brand]", ".**.emvAid" => "[aid]", ".**.emvAppLabel" => "[label]",
        ".**.cardEntryMode" => "[entry]", ".**.pinOk" => "[pin]"
    });
}

#[tokio::test]
async fn a_declined_payment_as_the_client_sees_it() {
    let mock = MockGptom::start().await.expect("mock");
    let outcome = mock.client().pay_amount(1122).await.expect("pay");
    let PaymentOutcome::Declined {
        refusal,
        transaction,
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(refusal, "declined");
    assert!(transaction.authorization_code.is_none());
}

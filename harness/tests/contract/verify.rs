//! A deliberately misbehaving client fails exactly the rules it breaks.

use gptom_harness::MockGptom;
use serde_json::{Value, json};

struct Rude {
    http: reqwest::Client,
    url: String,
}

impl Rude {
    async fn login(&self) -> String {
        let response = self
            .http
            .post(format!("{}/cloud/oauth/token", self.url))
            .basic_auth("atom", Some("ashfuf4e5fa"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=password&username=jan.novak%40example.com&password=ABCDEFGHIJKL&tid=999888")
            .send()
            .await
            .expect("login");
        let body: Value = response.json().await.expect("json");
        body["access_token"].as_str().expect("token").to_owned()
    }

    async fn post(&self, token: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}/v1/tasks/TRANSACTION", self.url))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("post");
        response.json().await.unwrap_or(Value::Null)
    }

    async fn get(&self, token: &str, path: &str) -> Value {
        let response = self
            .http
            .get(format!("{}{path}", self.url))
            .bearer_auth(token)
            .send()
            .await
            .expect("get");
        response.json().await.unwrap_or(Value::Null)
    }
}

fn failed(report: &gptom_mock::verify::Report) -> Vec<&'static str> {
    report
        .rules
        .iter()
        .filter(|rule| rule.outcome == "failed")
        .map(|rule| rule.id)
        .collect()
}

#[tokio::test]
async fn a_rude_client_fails_exactly_the_rules_it_breaks() {
    // Virtual time at 10× wall time: a tight loop polls far below the 500 ms minimum.
    let mock = MockGptom::start_warped(None, 10).await.expect("mock");
    let rude = Rude {
        http: reqwest::Client::new(),
        url: mock.url().to_owned(),
    };
    // logs in for every call
    let token = rude.login().await;
    let sale = json!({"transactionType": "SALE", "amount": 1000, "currencyCode": "CZK", "paymentMethod": "CARD", "originReferenceNum": "order-1"});
    let task = rude.post(&token, sale.clone()).await;
    // double-creates the sale while the first is unresolved
    let token = rude.login().await;
    rude.post(&token, sale).await;
    // polls in a tight loop and keeps polling after the end
    let task_id = task["taskId"].as_str().expect("task");
    for _ in 0..20 {
        rude.get(&token, &format!("/v1/tasks/{task_id}")).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    for _ in 0..3 {
        rude.get(&token, &format!("/v1/tasks/{task_id}")).await;
    }
    let report = mock.verify();
    let text = report.to_text();
    assert_eq!(
        failed(&report),
        [
            "poll-interval",
            "stop-polling-when-final",
            "token-reuse",
            "no-double-sale"
        ],
        "{text}"
    );
    assert!(
        text.contains("second sale with reference `order-1`"),
        "{text}"
    );
    let junit = report.to_junit();
    assert!(junit.contains("<testcase classname=\"gptom.contract\" name=\"token-reuse"));
    assert!(junit.contains("failures=\"4\""));
}

#[tokio::test]
async fn typos_and_early_transaction_reads_are_flagged() {
    let mock = MockGptom::start().await.expect("mock");
    let rude = Rude {
        http: reqwest::Client::new(),
        url: mock.url().to_owned(),
    };
    let token = rude.login().await;
    let reply = rude
        .post(&token, json!({"transactionType": "SALE", "ammount": 1000, "amount": 1000, "currencyCode": "CZK", "paymentMethod": "CARD"}))
        .await;
    rude.get(&token, "/v1/transactions/guessed-id").await;
    rude.post(
        &token,
        json!({"transactionType": "SALE", "currencyCode": "CZK"}),
    )
    .await;
    assert!(reply["taskId"].is_string());
    let report = mock.verify();
    assert_eq!(
        failed(&report),
        [
            "transaction-after-completed",
            "known-fields",
            "valid-requests"
        ],
        "{}",
        report.to_text()
    );
    assert!(
        report
            .to_text()
            .contains("unknown field `ammount` (did you mean `amount`?)")
    );
}

//! gptom-client's deep-link builder and redirect parser against every redirect the mock produces.

use gptom_client::applink::{AppLink, ResultKind, TaskStatus, parse_redirect};
use gptom_harness::MockGptom;

async fn open(mock: &MockGptom, link: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");
    let encoded: String = url_encode(link);
    let response = http
        .get(format!("{}/app2app?url={encoded}", mock.url()))
        .send()
        .await
        .expect("app2app");
    assert_eq!(response.status().as_u16(), 303, "{link}");
    response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .expect("Location")
        .to_owned()
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn the_client_reads_every_redirect_the_mock_produces() {
    let mock = MockGptom::start().await.expect("mock");
    let back = "myshop://gptom";
    let paid = open(
        &mock,
        &AppLink::transaction_create(435)
            .tip(65)
            .reference("Order 7")
            .redirect_url(format!("{back}/transaction/create"))
            .build()
            .expect("link"),
    )
    .await;
    let paid = parse_redirect(&paid).expect("parse");
    assert_eq!(paid.status, Some(TaskStatus::Completed));
    assert_eq!(paid.kind, Some(ResultKind::CreateTransaction));
    assert!(paid.problems.is_empty(), "{:?}", paid.problems);
    let receipt = paid.receipt.expect("receipt");
    assert_eq!(
        (
            receipt.amount_minor(),
            receipt.tip_minor(),
            receipt.total_minor()
        ),
        (Some(435), Some(65), Some(500))
    );
    assert_eq!(receipt.result, Some(0));
    assert_eq!(receipt.reference_number.as_deref(), Some("Order 7"));
    let ams_id = receipt.ams_id.expect("amsID");

    let links = [
        AppLink::transaction_create(1122),
        AppLink::transaction_create(1124),
        AppLink::transaction_refund(100),
        AppLink::transaction_detail(ams_id.clone()),
        AppLink::transaction_cancel(ams_id.clone()),
        AppLink::transaction_cancel(ams_id),
        AppLink::batch_detail(),
        AppLink::batch_close(),
        AppLink::status(),
        AppLink::logout(),
        AppLink::transaction_create(100),
        AppLink::login("jan.novak@example.com", "ABCDEFGHIJKL", "999888"),
    ];
    let mut seen = Vec::new();
    for link in links {
        let built = link.build().expect("link");
        let operation = built
            .trim_start_matches("gptom://")
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        let location = open(
            &mock,
            &link
                .redirect_url(format!("{back}/{operation}"))
                .build()
                .expect("link"),
        )
        .await;
        let result =
            parse_redirect(&location).unwrap_or_else(|error| panic!("{location}: {error}"));
        assert!(
            result.problems.is_empty(),
            "{location}: {:?}",
            result.problems
        );
        seen.push(format!(
            "{} {} {}",
            result.status.map_or("", TaskStatus::as_str),
            result.code.or(result.error).unwrap_or_default(),
            result
                .receipt
                .and_then(|receipt| receipt.total_minor())
                .map_or(String::new(), |total| total.to_string())
        ));
    }
    insta::assert_debug_snapshot!(seen);
}

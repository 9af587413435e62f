//! Protocol coverage of our own client: one mock, the real gptom-client (and its deep-link
//! builder) taken through every case of the catalogue, each handled as a sound integration does.
//! CI holds this at 100 %: a new case needs a way through here. With `GPTOM_MOCK_BIN` set (as
//! `.ci/run` does after its release build), the same verdict is also asked of the CLI, as an
//! integrator's pipeline asks it: `gptom-mock coverage --url … --min 100`.

use std::sync::Arc;
use std::time::Duration;

use gptom_client::applink::AppLink;
use gptom_client::{CancelOutcome, Client, Error, PaymentOutcome, SaleRequest, WaitOptions};
use gptom_harness::{JAN, MockGptom};
use gptom_mock::scenario::{library, load_str};

fn switch(mock: &MockGptom, name: &str) {
    let scenario = library::find(name).unwrap_or_else(|| panic!("library scenario {name}"));
    mock.state().activate(vec![scenario]);
}

fn switch_yaml(mock: &MockGptom, yaml: &str) {
    let scenario = load_str("<coverage tour>", yaml).unwrap_or_else(|error| panic!("{error}"));
    mock.state().activate(vec![Arc::new(scenario)]);
}

fn client(mock: &MockGptom, tid: &str) -> Client {
    Client::builder(mock.url())
        .client_credentials(JAN.client_id, JAN.client_secret)
        .user(JAN.username, JAN.password)
        .terminal(tid)
        .creation_retries(3)
        .build()
        .expect("client")
}

/// Opens a deep link whose redirectUrl names the operation, as GP tom's SDK needs to recognise
/// the answer.
async fn open(operation: &str, link: AppLink, mock: &MockGptom) {
    let link = link
        .redirect_url(format!("myshop://{operation}"))
        .build()
        .expect("a well-formed link");
    let url: String = form_urlencoded::byte_serialize(link.as_bytes()).collect();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");
    let answer = http
        .get(format!("{}/app2app?url={url}", mock.url()))
        .send()
        .await
        .expect("app2app");
    assert_eq!(answer.status().as_u16(), 303, "{link}");
}

async fn pay_by_link(mock: &MockGptom, amount: i64) {
    open(
        "transaction/create",
        AppLink::transaction_create(amount),
        mock,
    )
    .await;
}

async fn ams_of(outcome: Result<PaymentOutcome, Error>) -> String {
    outcome
        .expect("payment")
        .transaction()
        .expect("a transaction")
        .ams_id
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_handles_every_edge_case_of_the_catalogue() {
    let mock = MockGptom::start().await.expect("mock");
    let jan = client(&mock, "999888");

    // Outcomes of a sale under the default scenario's test amounts.
    for amount in [1000, 1122, 1123, 1124] {
        jan.pay_amount(amount).await.expect("pay");
    }
    // Declines per family, cancellations at the terminal, terminal conditions.
    for (scenario, amount) in [
        ("insufficient-funds", 50_000),
        ("expired-card", 1000),
        ("wrong-pin", 1000),
        ("issuer-unavailable", 1000),
        ("customer-cancels", 1000),
        ("pin-timeout", 1000),
        ("terminal-offline", 1000),
        ("terminal-inactive", 1000),
        ("token-expires-between-create-and-poll", 1000),
    ] {
        switch(&mock, scenario);
        jan.pay_amount(amount).await.expect(scenario);
    }
    // A busy terminal: the task waits NEW in the queue for 30 s of virtual time — 30 ms of wall
    // time here (the clock runs 1000× faster), so the default first pause of a second would
    // look again only after the queue has emptied. A client polling every few milliseconds
    // sees the task still NEW seconds (virtual) after its creation, however fast the mock
    // answers the first poll.
    switch(&mock, "busy-terminal-queue");
    Client::builder(mock.url())
        .client_credentials(JAN.client_id, JAN.client_secret)
        .user(JAN.username, JAN.password)
        .terminal("999888")
        .wait_options(WaitOptions {
            initial_interval: Duration::from_millis(2),
            max_interval: Duration::from_millis(20),
            deadline: Duration::from_secs(300),
        })
        .build()
        .expect("client")
        .pay_amount(1000)
        .await
        .expect("busy-terminal-queue");
    // A refused refresh: the token dies after one call, its refresh is refused, a login follows.
    switch_yaml(
        &mock,
        "version: 1\nname: refresh-refused\ntokens: { access_max_uses: 1, refresh: reject }\n",
    );
    client(&mock, "999888")
        .pay_amount(1000)
        .await
        .expect("pay after a refused refresh");
    // Faults: 503 with Retry-After, a lost answer, an unreadable answer, a failed poll.
    switch(&mock, "cloud-flaky");
    jan.pay_amount(1000)
        .await
        .expect("retried after Retry-After");
    for (scenario, reference) in [
        ("dropped-connection-on-create", "Invoice lost-1"),
        ("malformed-answer", "Invoice mangled-1"),
    ] {
        switch(&mock, scenario);
        let lost = jan
            .pay(SaleRequest::new(1000, "CZK").reference(reference))
            .await;
        assert!(
            matches!(lost, Err(Error::OutcomeUnknown { .. })),
            "{scenario}: {lost:?}"
        );
        // Reconcile instead of paying again: the operator checks the terminal; no second sale.
    }
    switch_yaml(
        &mock,
        "version: 1\nname: poll-fault\nfaults:\n  - { method: GET, path: /v1/tasks/*, first: 1, respond: { status: 502 } }\n",
    );
    jan.pay_amount(1000)
        .await
        .expect("pay through a failed poll");

    // Stornos: last, older, 44, 47, then 45 after 94 days.
    switch(&mock, "default");
    jan.pay_amount(1000).await.expect("pay");
    assert!(matches!(
        jan.cancel_last().await.expect("cancel last"),
        CancelOutcome::Cancelled(_)
    ));
    let older = ams_of(jan.pay_amount(2000).await).await;
    jan.pay_amount(3000).await.expect("pay");
    assert!(matches!(
        jan.cancel(&older).await.expect("cancel older"),
        CancelOutcome::Cancelled(_)
    ));
    assert!(matches!(
        jan.cancel(&older).await.expect("cancel again"),
        CancelOutcome::Refused { code: Some(44), .. }
    ));
    let elsewhere = ams_of(jan.pay_amount(4000).await).await;
    assert!(matches!(
        client(&mock, "999889")
            .cancel(&elsewhere)
            .await
            .expect("cancel elsewhere"),
        CancelOutcome::Refused { code: Some(47), .. }
    ));
    // Batches: one closed and read back, one refused.
    jan.close_batch_and_read().await.expect("close");
    switch_yaml(
        &mock,
        "version: 1\nname: batch-refused\nbatch: { error: { code: 48, message: Batch declined } }\n",
    );
    jan.close_batch_and_read().await.expect("refused close");
    // A master account naming the terminal.
    switch(&mock, "default");
    mock.master_client("999888")
        .pay_amount(1000)
        .await
        .expect("master pay");

    // Deep links: each answered to our redirectUrl.
    pay_by_link(&mock, 1000).await;
    pay_by_link(&mock, 1122).await;
    pay_by_link(&mock, 1124).await;
    let app_sale = ams_of(jan.pay_amount(5000).await).await;
    open(
        "transaction/cancel",
        AppLink::transaction_cancel(app_sale.clone()),
        &mock,
    )
    .await;
    open("batch/close", AppLink::batch_close(), &mock).await;
    open(
        "transaction/cancel",
        AppLink::transaction_cancel(app_sale),
        &mock,
    )
    .await;
    switch(&mock, "customer-cancels");
    pay_by_link(&mock, 1000).await;
    switch(&mock, "terminal-offline");
    pay_by_link(&mock, 1001).await;
    switch(&mock, "dcc-accepted");
    pay_by_link(&mock, 1000).await;
    switch(&mock, "app-device-setup");
    open(
        "login",
        AppLink::login(JAN.username, JAN.password, "999889"),
        &mock,
    )
    .await;
    switch(&mock, "default");
    open("logout", AppLink::logout(), &mock).await;
    pay_by_link(&mock, 1000).await;
    open(
        "login",
        AppLink::login(JAN.username, JAN.password, JAN.tid),
        &mock,
    )
    .await;

    // And 94 days later, a storno too late.
    let old = ams_of(jan.pay_amount(6000).await).await;
    mock.advance(Duration::from_secs(94 * 86_400));
    assert!(matches!(
        jan.cancel(&old).await.expect("cancel too late"),
        CancelOutcome::Refused { code: Some(45), .. }
    ));

    if std::env::var_os("COVERAGE_TOUR_JOURNAL").is_some() {
        for entry in mock.journal() {
            println!(
                "#{} {} {} {} {} {}",
                entry.seq,
                entry.time_ms.0,
                entry.method,
                entry.uri,
                entry.status,
                entry
                    .response_text()
                    .unwrap_or_default()
                    .chars()
                    .take(4000)
                    .collect::<String>()
            );
        }
    }
    let coverage = mock.coverage();
    assert_eq!(coverage.percent, 100, "{}", coverage.to_text());
    println!("{}", coverage.to_text());

    if let Some(binary) = std::env::var_os("GPTOM_MOCK_BIN") {
        let cli = std::process::Command::new(binary)
            .args(["coverage", "--url", mock.url(), "--min", "100"])
            .output()
            .expect("run gptom-mock coverage");
        assert!(
            cli.status.success(),
            "gptom-mock coverage --min 100: {}\n{}",
            String::from_utf8_lossy(&cli.stdout),
            String::from_utf8_lossy(&cli.stderr)
        );
        println!("{}", String::from_utf8_lossy(&cli.stdout));
    }
}

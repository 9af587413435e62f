//! Conformance with GP tom's iOS SDK (`GPtomSDK`): every redirect the mock can produce is decoded
//! with the SDK's rules — by a decoder written here from the SDK's models (`TransactionData`,
//! `DCCOptionsWrapper`, `Batch`, `SubBatches`, `SubBatch`, `AppStatus`, `UserInfo`, `Address`,
//! `TaskStatus`, `RefusalCode`, `DeeplinkError`, `CardType`, `TransactionType`), and by
//! `gptom_client::applink::parse_redirect_as` — and fails on any value the SDK would reject or
//! drop.
//!
//! Two generations, one per app profile of the mock, each read from `GP-tom/tom-ios-sdk` whole at
//! one commit (`git show COMMIT:Sources/GPtomSDK/…`):
//! - `current` = `08f1318` (2026-06-10): `SubBatches` keys CARD, CASH, ACCOUNT_PAYMENT,
//!   BLIK_PAYMENT, PAYMENT_GATEWAY; `TransactionType` without GO_CRYPTO (`5e1ec77`); `CardType`
//!   with GIROCARD (`6e92710`); `TransactionData.dccData` (`3ac6e48`, decoded by
//!   `DCCOptionsWrapper.init(from:)`, `2ea1964`); nineteen `DeeplinkError` words (`32a48e0`);
//!   results for login, logout and change-password (`7ab74c1`).
//! - `2025` = `a280f7d` (2025-11-10): GO_CRYPTO in `TransactionType` and `SubBatches`, no
//!   GIROCARD, no `dccData`, six `DeeplinkError` words (`b09da2d`), results for create, cancel,
//!   refund, batch/close and status only.
//! - Both: `UserInfo.merchantLocation` an `Address` object (`db9ab1f`), `businessId` optional
//!   (`c2a7fe6`), `Batch` tips (`22e0919`), `blikCode` (`a758fbb`) and `blikTransactionRef`
//!   (`a280f7d`).
//!
//! The decoder mirrors Swift `Codable`: a wrong type fails the whole object (the SDK decodes with
//! `try?`, so the object becomes nothing), a key outside the model is dropped (we fail on it:
//! nothing a client needs may travel there), dates need fractional seconds, enums take exactly
//! their raw values, and every value is percent-decoded twice with `+` left a plus.

mod decoder;

use decoder::{BACK, Generation, decode_as_the_sdk};
use gptom_client::applink::REFUSAL_CODES;
use gptom_harness::MockGptom;
use serde_json::Value;

use crate::library;

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Opens `gptom://{operation}?{query}` with a redirect to `myshop://gptom/{operation}`.
async fn open(
    http: &reqwest::Client,
    mock: &MockGptom,
    operation: &str,
    query: &str,
) -> Option<(String, String)> {
    let separator = if query.is_empty() { "" } else { "&" };
    let link = format!(
        "gptom://{operation}?{query}{separator}redirectUrl={}",
        encode(&format!("{BACK}/{operation}"))
    );
    let response = http
        .get(format!("{}/app2app?url={}", mock.url(), encode(&link)))
        .send()
        .await
        .expect("app2app");
    // A scenario's HTTP fault may answer instead of the app: nothing to decode.
    if response.status().as_u16() != 303 {
        return None;
    }
    let location = response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .expect("Location")
        .to_owned();
    Some((operation.to_owned(), location))
}

/// Runs the operations of a payment day on `mock` and returns every redirect.
async fn day(mock: &MockGptom, amounts: &[i64], generation: Generation) -> Vec<(String, String)> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");
    let mut redirects = Vec::new();
    for amount in amounts {
        redirects.extend(open(&http, mock, "transaction/create", &format!("amount={amount}&tipAmount=15&originReferenceNum=Sleva%252010%2525%20%2B%20%C4%8D&clientPhone=+420606505404&requestID=r{amount}")).await);
    }
    for method in [
        "CARD",
        "CASH",
        "ACCOUNT_PAYMENT",
        "BLIK_PAYMENT",
        "PAYMENT_GATEWAY",
        "GO_CRYPTO",
    ] {
        redirects.extend(
            open(
                &http,
                mock,
                "transaction/create",
                &format!("amount=2500&transactionType={method}"),
            )
            .await,
        );
    }
    redirects.extend(open(&http, mock, "transaction/refund", "amount=300").await);
    // Cancel the first approved payment (twice: the second is refused), read it back.
    let ams_id = redirects.iter().find_map(|(_, location)| {
        let params = decode_as_the_sdk(location, "", generation).ok()?;
        let receipt: Value = serde_json::from_str(params.get("receipt")?.as_str()?).ok()?;
        (receipt["result"] == 0).then(|| receipt["amsID"].as_str().map(str::to_owned))?
    });
    if let Some(ams_id) = ams_id {
        for _ in 0..2 {
            redirects.extend(
                open(
                    &http,
                    mock,
                    "transaction/cancel",
                    &format!("amsID={ams_id}"),
                )
                .await,
            );
        }
        redirects.extend(
            open(
                &http,
                mock,
                "transaction/detail",
                &format!("amsID={ams_id}"),
            )
            .await,
        );
    }
    redirects.extend(open(&http, mock, "transaction/detail", "requestID=r1000").await);
    redirects.extend(open(&http, mock, "transaction/detail", "amsID=1").await);
    redirects.extend(open(&http, mock, "batch/detail", "").await);
    redirects.extend(open(&http, mock, "batch/close", "").await);
    redirects.extend(open(&http, mock, "batch/close", "").await);
    redirects.extend(open(&http, mock, "status", "").await);
    redirects.extend(open(&http, mock, "change-password", "").await);
    redirects.extend(
        open(
            &http,
            mock,
            "change-password",
            "username=jan.novak%40example.com&password=ABCDEFGHIJKL&newPassword=n3w&code=1234",
        )
        .await,
    );
    redirects.extend(open(&http, mock, "logout", "").await);
    redirects.extend(open(&http, mock, "status", "").await);
    redirects.extend(open(&http, mock, "change-password", "").await);
    redirects.extend(open(&http, mock, "transaction/create", "amount=100").await);
    redirects.extend(
        open(
            &http,
            mock,
            "login",
            "username=jan.novak%40example.com&password=nope",
        )
        .await,
    );
    redirects.extend(
        open(
            &http,
            mock,
            "login",
            "username=nobody%40example.com&password=nope",
        )
        .await,
    );
    redirects.extend(
        open(
            &http,
            mock,
            "login",
            "username=jan.novak%40example.com&password=ABCDEFGHIJKL&tid=777666",
        )
        .await,
    );
    redirects.extend(
        open(
            &http,
            mock,
            "login",
            "username=jan.novak%40example.com&password=ABCDEFGHIJKL&tid=999888",
        )
        .await,
    );
    redirects.extend(open(&http, mock, "transaction/teleport", "").await);
    redirects.extend(open(&http, mock, "transaction/create", "amount=0").await);
    redirects
}

/// Checks every redirect with both decoders of `generation`; returns how many were checked.
fn check_all(label: &str, redirects: &[(String, String)], generation: Generation) -> usize {
    let label = format!("{label} [{}]", generation.profile());
    for (operation, location) in redirects {
        if let Err(why) = decode_as_the_sdk(location, operation, generation) {
            panic!("{label}: {operation}: {why}\n{location}");
        }
        let read = gptom_client::applink::parse_redirect_as(location, generation.sdk())
            .unwrap_or_else(|error| panic!("{label}: {location}: {error}"));
        assert!(
            read.problems.is_empty(),
            "{label}: gptom-client sees problems in {location}: {:?}",
            read.problems
        );
        assert!(read.status.is_some(), "{label}: {location}");
    }
    redirects.len()
}

const GENERATIONS: [Generation; 2] = [Generation::Current, Generation::Sdk2025];

/// `yaml`'s scenario playing `generation`'s app.
fn scenario_as(yaml: &str, generation: Generation) -> gptom_mock::scenario::Scenario {
    let mut scenario = gptom_mock::scenario::load_str("scenario", yaml).expect("scenario");
    scenario.wire.app = gptom_mock::scenario::AppProfile::parse(generation.profile());
    scenario
}

#[tokio::test]
async fn every_redirect_of_the_default_mock_decodes_with_the_sdk_rules() {
    for generation in GENERATIONS {
        let mock =
            MockGptom::start_with(Some(scenario_as("version: 1\nname: plain\n", generation)))
                .await
                .expect("mock");
        let redirects = day(&mock, &[1000, 1111, 1122, 1123, 1124], generation).await;
        let operations: std::collections::BTreeSet<&str> = redirects
            .iter()
            .map(|(operation, _)| operation.as_str())
            .collect();
        assert_eq!(operations.len(), 11, "every operation: {operations:?}");
        let checked = check_all("default", &redirects, generation);
        eprintln!(
            "sdk conformance [{}]: {checked} redirects of the default scenario",
            generation.profile()
        );
    }
}

#[tokio::test]
async fn every_refusal_word_and_task_outcome_reaches_the_sdk_intact() {
    let words = REFUSAL_CODES
        .iter()
        .enumerate()
        .map(|(index, word)| {
            let result = if word.starts_with("approved") {
                "ACCEPTED"
            } else {
                "DECLINED"
            };
            format!(
                "  - {{ when: {{ amount: {} }}, then: {{ result: {result}, refusal: {word} }} }}\n",
                2000 + index
            )
        })
        .collect::<String>();
    let yaml = format!(
        "version: 1\nname: words\ndescription: every refusal word\nrules:\n{words}  - {{ when: {{ amount: 3001 }}, then: {{ task: CANCELED, code: 43 }} }}\n  - {{ when: {{ amount: 3002 }}, then: {{ task: ERROR, code: 62 }} }}\n  - {{ when: {{ amount: 3003 }}, then: {{ result: CANCELLED }} }}\n  - {{ when: {{ amount: 3004 }}, then: {{ result: DECLINED, refusal: 76, card: {{ brand: MAESTRO }} }} }}\n  - {{ when: {{ amount: 3005 }}, then: {{ result: ACCEPTED, card: {{ brand: MASTERCARD }} }} }}\n  - {{ when: {{ amount: 3006 }}, then: {{ result: ACCEPTED, card: {{ brand: AMEX }} }} }}\n  - {{ when: {{ amount: 3007 }}, then: {{ result: ACCEPTED, card: {{ brand: GIROCARD }} }} }}\nbatch: {{ error: {{ code: 48, message: Batch declined }} }}\n"
    );
    for generation in GENERATIONS {
        let mock = MockGptom::start_with(Some(scenario_as(&yaml, generation)))
            .await
            .expect("scenario");
        let mut amounts: Vec<i64> = (0..REFUSAL_CODES.len() as i64).map(|i| 2000 + i).collect();
        amounts.extend(3001..=3007);
        let redirects = day(&mock, &amounts, generation).await;
        let codes: std::collections::BTreeSet<String> = redirects
            .iter()
            .filter_map(|(_, location)| {
                let params = decode_as_the_sdk(location, "", generation).ok()?;
                params.get("code")?.as_str().map(str::to_owned)
            })
            .collect();
        assert_eq!(codes.len(), REFUSAL_CODES.len(), "{codes:?}");
        let statuses: std::collections::BTreeSet<String> = redirects
            .iter()
            .filter_map(|(_, location)| {
                decode_as_the_sdk(location, "", generation).ok()?["status"]
                    .as_str()
                    .map(str::to_owned)
            })
            .collect();
        assert_eq!(statuses.len(), 3, "{statuses:?}");
        let checked = check_all("refusal words", &redirects, generation);
        eprintln!(
            "sdk conformance [{}]: {checked} redirects of every refusal word and task outcome",
            generation.profile()
        );
    }
}

/// Every `DeeplinkError` word a scenario can script, each DCC outcome (currencies with 0, 2 and 3
/// minor digits, on a sale and its cancellation), a girocard, BLIK and gateway payments in one
/// batch, and the status after a login.
#[tokio::test]
async fn every_app_refusal_and_dcc_outcome_reaches_the_sdk_intact() {
    use gptom_mock::domain::app::AppStep;
    // One scenario per scripted word: the word's operation refused for everybody.
    let mut cases: Vec<(AppStep, &'static str)> = Vec::new();
    for step in AppStep::ALL {
        for word in step.words() {
            cases.push((step, word.as_str()));
        }
    }
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");
    for generation in GENERATIONS {
        let mut words_seen = std::collections::BTreeSet::new();
        let mut checked = 0;
        for (step, word) in &cases {
            let yaml = format!(
                "version: 1\nname: refusal\napp:\n  refusals:\n    - {{ operation: {}, error: {word} }}\n",
                step.as_str()
            );
            let mock = MockGptom::start_with(Some(scenario_as(&yaml, generation)))
                .await
                .expect("scenario");
            let (operation, query) = match step {
                AppStep::Login => (
                    "login",
                    "username=jan.novak%40example.com&password=ABCDEFGHIJKL&tid=999888",
                ),
                AppStep::ChangePassword => (
                    "change-password",
                    "username=jan.novak%40example.com&password=ABCDEFGHIJKL&newPassword=x",
                ),
                AppStep::Payment => ("transaction/create", "amount=1000"),
                AppStep::Cancel => ("transaction/cancel", "amsID=1"),
                AppStep::BatchClose => ("batch/close", ""),
            };
            let redirect = open(&http, &mock, operation, query)
                .await
                .expect("a redirect");
            checked += check_all("app refusals", std::slice::from_ref(&redirect), generation);
            let params = decode_as_the_sdk(&redirect.1, operation, generation).expect("decodes");
            assert_eq!(params["status"], "ERROR", "{redirect:?}");
            let sent = params["error"].as_str().unwrap_or_default().to_owned();
            if generation == Generation::Current {
                assert_eq!(sent, *word, "{redirect:?}");
            }
            words_seen.insert(sent);
        }
        if generation == Generation::Current {
            // Every word but the ones only the app's own checks produce.
            let scripted: std::collections::BTreeSet<_> =
                cases.iter().map(|(_, word)| word.to_string()).collect();
            assert_eq!(words_seen, scripted);
        } else {
            assert!(words_seen.len() <= 6, "{words_seen:?}");
        }

        // DCC: each outcome, three exponents; a girocard; BLIK and gateway in one batch.
        let yaml = "version: 1\nname: dcc\nrules:\n  - { when: { amount: 4001 }, then: { result: ACCEPTED, dcc: { currency: EUR, rate: 24.385, markup: 3.5, region: 1 } } }\n  - { when: { amount: 4002 }, then: { result: ACCEPTED, dcc: { currency: JPY, rate: 0.1605, status: NOT_ACCEPTED } } }\n  - { when: { amount: 4003 }, then: { result: ACCEPTED, dcc: { currency: BHD, rate: 61.2, region: 3, status: NOT_PROCESSED } } }\n  - { when: { amount: 4004 }, then: { result: DECLINED, refusal: insufficientFunds, dcc: { currency: USD, rate: 22.1 } } }\n  - { when: { amount: 4005 }, then: { result: ACCEPTED, card: { brand: GIROCARD } } }\n";
        let mock = MockGptom::start_with(Some(scenario_as(yaml, generation)))
            .await
            .expect("scenario");
        let mut redirects = Vec::new();
        for amount in 4001..=4005 {
            redirects.extend(
                open(
                    &http,
                    &mock,
                    "transaction/create",
                    &format!("amount={amount}"),
                )
                .await,
            );
        }
        let mut ams_ids = Vec::new();
        let mut dcc_amounts = Vec::new();
        for (_, location) in &redirects {
            let params = decode_as_the_sdk(location, "", generation).expect("decodes");
            let receipt: Value =
                serde_json::from_str(params["receipt"].as_str().unwrap_or("{}")).expect("json");
            ams_ids.push(receipt["amsID"].as_str().unwrap_or_default().to_owned());
            dcc_amounts.push(receipt["dccData"]["amount"].as_str().map(str::to_owned));
            assert_eq!(
                receipt["cardType"] == "GIROCARD",
                generation == Generation::Current && receipt["amount"] == "40.05",
                "{receipt}"
            );
        }
        if generation == Generation::Current {
            assert_eq!(
                dcc_amounts,
                [
                    Some("1.64".to_owned()),
                    Some("249".to_owned()),
                    Some("0.654".to_owned()),
                    Some("1.81".to_owned()),
                    None
                ]
            );
        } else {
            assert!(dcc_amounts.iter().all(Option::is_none));
        }
        // A DCC sale's cancellation shows the sale's DCC data.
        redirects.extend(
            open(
                &http,
                &mock,
                "transaction/cancel",
                &format!("amsID={}", ams_ids[0]),
            )
            .await,
        );
        let cancel =
            decode_as_the_sdk(&redirects[5].1, "transaction/cancel", generation).expect("decodes");
        let receipt: Value =
            serde_json::from_str(cancel["receipt"].as_str().unwrap_or("{}")).expect("json");
        assert_eq!(
            receipt["dccData"]["currency"].as_str(),
            (generation == Generation::Current).then_some("EUR"),
            "{receipt}"
        );
        for method in ["BLIK_PAYMENT", "PAYMENT_GATEWAY", "GO_CRYPTO"] {
            redirects.extend(
                open(
                    &http,
                    &mock,
                    "transaction/create",
                    &format!("amount=700&transactionType={method}"),
                )
                .await,
            );
        }
        let blik = decode_as_the_sdk(&redirects[6].1, "", generation).expect("decodes");
        let receipt: Value =
            serde_json::from_str(blik["receipt"].as_str().unwrap_or("{}")).expect("json");
        assert_eq!(
            receipt["blikCode"].as_str().map(str::len),
            Some(6),
            "{receipt}"
        );
        assert!(receipt["blikTransactionRef"].is_string(), "{receipt}");
        let closed = open(&http, &mock, "batch/close", "").await.expect("closed");
        let params = decode_as_the_sdk(&closed.1, "batch/close", generation).expect("decodes");
        let batch: Value =
            serde_json::from_str(params["batch"].as_str().unwrap_or("{}")).expect("json");
        let parts = &batch["subBatches"];
        assert!(parts["BLIK_PAYMENT"].is_object(), "{batch}");
        assert!(parts["PAYMENT_GATEWAY"].is_object(), "{batch}");
        assert_eq!(
            parts["GO_CRYPTO"].is_object(),
            generation == Generation::Sdk2025,
            "{batch}"
        );
        redirects.push(closed);
        let read = gptom_client::applink::parse_redirect_as(
            &redirects[redirects.len() - 1].1,
            generation.sdk(),
        )
        .expect("url");
        let decoded = read.batch.expect("batch");
        let keys: Vec<&str> = decoded
            .sub_batches
            .iter()
            .map(|(key, _)| key.as_str())
            .collect();
        assert!(
            keys.contains(&"BLIK_PAYMENT") && keys.contains(&"PAYMENT_GATEWAY"),
            "{keys:?}"
        );

        // Status after a login: logged in, with the merchant's address.
        redirects.extend(
            open(
                &http,
                &mock,
                "login",
                "username=jan.novak%40example.com&password=ABCDEFGHIJKL&tid=999889",
            )
            .await,
        );
        let status = open(&http, &mock, "status", "").await.expect("status");
        let read =
            gptom_client::applink::parse_redirect_as(&status.1, generation.sdk()).expect("url");
        let app_status = read.app_status.expect("decodes");
        assert!(app_status.is_logged_in());
        let user = app_status.user_info.expect("user");
        assert_eq!(user.tid, "999889");
        assert_eq!(user.merchant_location.city.as_deref(), Some("Praha"));
        redirects.push(status);
        checked += check_all(
            "dcc, girocard, blik, gateway, status",
            &redirects,
            generation,
        );
        eprintln!(
            "sdk conformance [{}]: {checked} redirects of scripted app refusals, DCC outcomes, girocard, BLIK, gateway and status",
            generation.profile()
        );
    }
}

#[tokio::test]
async fn every_library_scenario_answers_deep_links_the_sdk_can_read() {
    for generation in GENERATIONS {
        let mut total = 0;
        for path in library() {
            let yaml = std::fs::read_to_string(&path).expect("read");
            let mut scenario = gptom_mock::scenario::load_str(&path.display().to_string(), &yaml)
                .expect("library scenario");
            let mut amounts: Vec<i64> = scenario
                .expect
                .iter()
                .filter_map(|expectation| match expectation.step {
                    gptom_mock::scenario::ExpectStep::Sale { amount, .. } => Some(amount),
                    _ => None,
                })
                .collect();
            amounts.extend([1000, 1122]);
            // A library scenario that names its app generation is run as that one only.
            if scenario
                .wire
                .app
                .is_some_and(|app| app.as_str() != generation.profile())
            {
                continue;
            }
            scenario.wire.app = gptom_mock::scenario::AppProfile::parse(generation.profile());
            let mock = MockGptom::start_with(Some(scenario)).await.expect("mock");
            let redirects = day(&mock, &amounts, generation).await;
            total += check_all(&path.display().to_string(), &redirects, generation);
        }
        eprintln!(
            "sdk conformance [{}]: {total} redirects over the scenario library",
            generation.profile()
        );
        assert!(total > 500, "{total}");
    }
}

//! Conformance with GP tom's iOS SDK (`GPtomSDK`): every redirect the mock can produce is decoded
//! with the SDK's rules — by a decoder written here from the SDK's models (`TransactionData`,
//! `Batch`, `SubBatches`, `SubBatch`, `AppStatus`, `UserInfo`, `TaskStatus`, `RefusalCode`,
//! `DeeplinkError`, `CardType`, `TransactionType`), and by `gptom_client::applink::parse_redirect`
//! — and fails on any value the SDK would reject or drop.
//!
//! The decoder mirrors Swift `Codable`: a wrong type fails the whole object (the SDK decodes with
//! `try?`, so the object becomes nothing), a key outside the model is dropped (we fail on it:
//! nothing a client needs may travel there), dates need fractional seconds, enums take exactly
//! their raw values, and every value is percent-decoded twice with `+` left a plus.
#![allow(
    dead_code,
    reason = "the models' fields are there to be type-checked by serde, as the SDK's are by Codable"
)]

use gptom_harness::MockGptom;

use crate::library;
use serde::Deserialize;
use serde_json::Value;

/// Swift's `ISO8601DateFormatter` with `.withInternetDateTime, .withFractionalSeconds`.
#[derive(Debug)]
struct IsoDate;

impl<'de> Deserialize<'de> for IsoDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let valid = text.len() >= 24
            && text.as_bytes()[19] == b'.'
            && text.ends_with('Z')
            && chrono_like(&text);
        if valid {
            Ok(IsoDate)
        } else {
            Err(serde::de::Error::custom(format!(
                "`{text}` is not ISO 8601 with fractional seconds"
            )))
        }
    }
}

fn chrono_like(text: &str) -> bool {
    let digits = |range: std::ops::Range<usize>| {
        text.get(range)
            .is_some_and(|part| part.bytes().all(|b| b.is_ascii_digit()))
    };
    digits(0..4)
        && &text[4..5] == "-"
        && digits(5..7)
        && &text[7..8] == "-"
        && digits(8..10)
        && &text[10..11] == "T"
        && digits(11..13)
        && &text[13..14] == ":"
        && digits(14..16)
        && &text[16..17] == ":"
        && digits(17..19)
        && digits(20..text.len() - 1)
}

#[derive(Debug, Deserialize)]
enum TransactionType {
    #[serde(rename = "CASH")]
    Cash,
    #[serde(rename = "CARD")]
    Card,
    #[serde(rename = "GO_CRYPTO")]
    GoCrypto,
    #[serde(rename = "ACCOUNT_PAYMENT")]
    Qr,
    #[serde(rename = "BLIK_PAYMENT")]
    Blik,
    #[serde(rename = "PAYMENT_GATEWAY")]
    Gateway,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
enum CardType {
    Discover,
    Jcbandvisa,
    Mastercard,
    Visa,
    Amex,
    Jcb,
    Troy,
    Unionpay,
    Rupay,
    Pure,
    Girocard,
    Unknown,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TransactionData {
    batch_number: Option<String>,
    receipt_number: Option<String>,
    #[serde(rename = "terminalID")]
    terminal_id: Option<String>,
    emv_aid: Option<String>,
    emv_app_label: Option<String>,
    card_number: Option<String>,
    transaction_type: Option<TransactionType>,
    currency_code: Option<String>,
    amount: Option<String>,
    total_amount: Option<String>,
    pin_ok: Option<bool>,
    authorization_code: Option<String>,
    sequence_number: Option<String>,
    date: Option<IsoDate>,
    card_type: Option<CardType>,
    reference_number: Option<String>,
    #[serde(rename = "transactionID")]
    transaction_id: Option<String>,
    tip_amount: Option<String>,
    result: Option<i64>,
    card_entry_mode: Option<String>,
    #[serde(rename = "merchantID")]
    merchant_id: Option<String>,
    #[serde(rename = "amsID")]
    ams_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SubBatch {
    close_batch_number: Option<String>,
    sale_amount: Option<f64>,
    sale_count: Option<f64>,
    total_amount: Option<f64>,
    total_count: Option<f64>,
    void_amount: Option<f64>,
    void_count: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubBatches {
    #[serde(rename = "CARD")]
    card: Option<SubBatch>,
    #[serde(rename = "GO_CRYPTO")]
    go_crypto: Option<SubBatch>,
    #[serde(rename = "CASH")]
    cash: Option<SubBatch>,
    #[serde(rename = "ACCOUNT_PAYMENT")]
    qr: Option<SubBatch>,
    #[serde(rename = "BLIK")]
    blik: Option<SubBatch>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Batch {
    ams_id: String,
    batch_number: Option<String>,
    communication_id: Option<String>,
    currency: Option<String>,
    date: Option<IsoDate>,
    first_transaction_date: Option<IsoDate>,
    invalid_count: Option<f64>,
    previous_batch_date: Option<IsoDate>,
    sale_amount: Option<f64>,
    sale_count: Option<f64>,
    sub_batches: Option<SubBatches>,
    total_amount: Option<f64>,
    total_count: Option<f64>,
    void_amount: Option<f64>,
    void_count: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UserInfo {
    client_id: String,
    email: String,
    business_id: String,
    vat_id: Option<String>,
    tid: String,
    mid: String,
    tip_enabled: bool,
    printer_available: bool,
    manual_transaction_restricted: bool,
    merchant_location: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AppStatus {
    app_version: String,
    user_info: Option<UserInfo>,
}

const TASK_STATUS: [&str; 3] = ["COMPLETED", "ERROR", "CANCELLED"];
// The word sets are gptom-client's (written from the SDK's enums); the mock has its own.
use gptom_client::applink::{DEEPLINK_ERRORS, REFUSAL_CODES};

/// Foundation's `removingPercentEncoding`: `None` on a stray `%` or bytes that are not UTF-8.
fn remove_percent_encoding(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let pair = bytes.get(index + 1..index + 3)?;
            if !pair.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            index += 3;
        } else {
            index += 1;
        }
    }
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|text| text.into_owned())
}

/// What one redirect decoded to, or why the SDK would reject or drop part of it.
fn decode_as_the_sdk(location: &str, operation: &str) -> Result<Value, String> {
    if matches!(
        operation,
        "transaction/create" | "transaction/cancel" | "batch/close"
    ) && !location.contains(operation)
    {
        return Err(format!(
            "the SDK cannot classify the answer: no `{operation}` in the redirect"
        ));
    }
    let query = location
        .split_once('?')
        .map_or("", |(_, query)| query)
        .split('#')
        .next()
        .unwrap_or_default();
    let mut params = serde_json::Map::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let once = percent_encoding::percent_decode_str(value)
            .decode_utf8()
            .map_err(|_| format!("`{name}` is not UTF-8"))?
            .into_owned();
        let twice = remove_percent_encoding(&once)
            .ok_or_else(|| format!("`{name}` fails the second percent-decoding: {once}"))?;
        params.insert(name.to_owned(), Value::String(twice));
    }
    let text = |name: &str| params.get(name).and_then(Value::as_str);
    let status = text("status").ok_or("no status")?;
    if !TASK_STATUS.contains(&status) {
        return Err(format!("status `{status}` is not a TaskStatus"));
    }
    if let Some(code) = text("code")
        && !REFUSAL_CODES.contains(&code)
    {
        return Err(format!("code `{code}` is not a RefusalCode"));
    }
    if let Some(error) = text("error")
        && !DEEPLINK_ERRORS.contains(&error)
    {
        return Err(format!("error `{error}` is not a DeeplinkError"));
    }
    if let Some(receipt) = text("receipt") {
        serde_json::from_str::<TransactionData>(receipt)
            .map_err(|error| format!("receipt rejected: {error}: {receipt}"))?;
    }
    if let Some(batch) = text("batch") {
        serde_json::from_str::<Batch>(batch)
            .map_err(|error| format!("batch rejected: {error}: {batch}"))?;
    }
    if let Some(app_status) = text("appStatus") {
        serde_json::from_str::<AppStatus>(app_status)
            .map_err(|error| format!("appStatus rejected: {error}: {app_status}"))?;
    }
    for name in params.keys() {
        if !matches!(
            name.as_str(),
            "status" | "code" | "error" | "receipt" | "batch" | "appStatus"
        ) && !location.starts_with(&format!("{BACK}?{name}="))
        {
            return Err(format!("`{name}` is not a parameter the SDK reads"));
        }
    }
    Ok(Value::Object(params))
}

/// The caller's redirect: its own operation path, so the SDK can classify the answer.
const BACK: &str = "myshop://gptom";

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
async fn day(mock: &MockGptom, amounts: &[i64]) -> Vec<(String, String)> {
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
        let params = decode_as_the_sdk(location, "").ok()?;
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

/// Checks every redirect with both decoders; returns how many were checked.
fn check_all(label: &str, redirects: &[(String, String)]) -> usize {
    for (operation, location) in redirects {
        if let Err(why) = decode_as_the_sdk(location, operation) {
            panic!("{label}: {operation}: {why}\n{location}");
        }
        let read = gptom_client::applink::parse_redirect(location)
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

#[tokio::test]
async fn every_redirect_of_the_default_mock_decodes_with_the_sdk_rules() {
    let mock = MockGptom::start().await.expect("mock");
    let redirects = day(&mock, &[1000, 1111, 1122, 1123, 1124]).await;
    let operations: std::collections::BTreeSet<&str> = redirects
        .iter()
        .map(|(operation, _)| operation.as_str())
        .collect();
    assert_eq!(operations.len(), 11, "every operation: {operations:?}");
    let checked = check_all("default", &redirects);
    eprintln!("sdk conformance: {checked} redirects of the default scenario");
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
        "version: 1\nname: words\ndescription: every refusal word\nrules:\n{words}  - {{ when: {{ amount: 3001 }}, then: {{ task: CANCELED, code: 43 }} }}\n  - {{ when: {{ amount: 3002 }}, then: {{ task: ERROR, code: 62 }} }}\n  - {{ when: {{ amount: 3003 }}, then: {{ result: CANCELLED }} }}\n  - {{ when: {{ amount: 3004 }}, then: {{ result: DECLINED, refusal: 76, card: {{ brand: MAESTRO }} }} }}\n  - {{ when: {{ amount: 3005 }}, then: {{ result: ACCEPTED, card: {{ brand: MASTERCARD }} }} }}\n  - {{ when: {{ amount: 3006 }}, then: {{ result: ACCEPTED, card: {{ brand: AMEX }} }} }}\nbatch: {{ error: {{ code: 48, message: Batch declined }} }}\n"
    );
    let mock = MockGptom::with_scenario(&yaml).await.expect("scenario");
    let mut amounts: Vec<i64> = (0..REFUSAL_CODES.len() as i64).map(|i| 2000 + i).collect();
    amounts.extend(3001..=3006);
    let redirects = day(&mock, &amounts).await;
    let codes: std::collections::BTreeSet<String> = redirects
        .iter()
        .filter_map(|(_, location)| {
            let params = decode_as_the_sdk(location, "").ok()?;
            params.get("code")?.as_str().map(str::to_owned)
        })
        .collect();
    assert_eq!(codes.len(), REFUSAL_CODES.len(), "{codes:?}");
    let statuses: std::collections::BTreeSet<String> = redirects
        .iter()
        .filter_map(|(_, location)| {
            decode_as_the_sdk(location, "").ok()?["status"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(statuses.len(), 3, "{statuses:?}");
    let checked = check_all("refusal words", &redirects);
    eprintln!("sdk conformance: {checked} redirects of every refusal word and task outcome");
}

#[tokio::test]
async fn every_library_scenario_answers_deep_links_the_sdk_can_read() {
    let mut total = 0;
    for path in library() {
        let yaml = std::fs::read_to_string(&path).expect("read");
        let scenario = gptom_mock::scenario::load_str(&path.display().to_string(), &yaml)
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
        let mock = MockGptom::start_with(Some(scenario)).await.expect("mock");
        let redirects = day(&mock, &amounts).await;
        total += check_all(&path.display().to_string(), &redirects);
    }
    eprintln!("sdk conformance: {total} redirects over the scenario library");
    assert!(total > 500, "{total}");
}

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

/// `TransactionType` at `08f1318`.
#[derive(Debug, Deserialize)]
enum TransactionType {
    #[serde(rename = "CASH")]
    Cash,
    #[serde(rename = "CARD")]
    Card,
    #[serde(rename = "ACCOUNT_PAYMENT")]
    Qr,
    #[serde(rename = "BLIK_PAYMENT")]
    Blik,
    #[serde(rename = "PAYMENT_GATEWAY")]
    Gateway,
}

/// `TransactionType` at `a280f7d`.
#[derive(Debug, Deserialize)]
enum TransactionType2025 {
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

/// `CardType` at `08f1318`.
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

/// `CardType` at `a280f7d`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
enum CardType2025 {
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
    Unknown,
}

/// `DccResulStatus` at `08f1318`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum DccStatus {
    Accepted,
    NotAccepted,
    NotProcessed,
}

/// `DCCOptionsWrapper.init(from:)` at `08f1318`: `currency` a string (`Currency.from(code:)`, EUR
/// when unknown — a silent substitution we count as a drop), `amount` a string `Decimal(string:)`
/// reads (or a number), `markup` a string (or a number), `regionSchemaIndicator` an `Int`,
/// `exchangeRate` a `Decimal` (a JSON number), `status` optional.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DccOptionsWrapper {
    currency: SdkCurrency,
    amount: DecimalText,
    markup: Value,
    region_schema_indicator: i64,
    exchange_rate: f64,
    status: Option<DccStatus>,
}

/// A currency the SDK's `Currency.from(code:)` knows (`Currency.swift` at `08f1318`).
#[derive(Debug)]
struct SdkCurrency;

const SDK_CURRENCIES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWL";

impl<'de> Deserialize<'de> for SdkCurrency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if SDK_CURRENCIES.split(' ').any(|code| code == text) {
            Ok(SdkCurrency)
        } else {
            Err(serde::de::Error::custom(format!(
                "`{text}` is not a currency the SDK knows (it would show EUR)"
            )))
        }
    }
}

/// `Decimal(string:)` of the amount: a plain decimal.
#[derive(Debug)]
struct DecimalText;

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let digits = text.strip_prefix('-').unwrap_or(&text);
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
        let plain = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if plain(whole) && plain(fraction) {
            Ok(DecimalText)
        } else {
            Err(serde::de::Error::custom(format!(
                "`{text}` is not a decimal"
            )))
        }
    }
}

/// `TransactionData`: `T` and `C` its generation's `TransactionType` and `CardType`; `dccData`
/// only at `08f1318` (checked by the caller for 2025).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TransactionData<T, C> {
    batch_number: Option<String>,
    receipt_number: Option<String>,
    #[serde(rename = "terminalID")]
    terminal_id: Option<String>,
    emv_aid: Option<String>,
    emv_app_label: Option<String>,
    card_number: Option<String>,
    transaction_type: Option<T>,
    currency_code: Option<String>,
    amount: Option<String>,
    total_amount: Option<String>,
    pin_ok: Option<bool>,
    authorization_code: Option<String>,
    sequence_number: Option<String>,
    date: Option<IsoDate>,
    card_type: Option<C>,
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
    blik_code: Option<String>,
    blik_transaction_ref: Option<String>,
    dcc_data: Option<DccOptionsWrapper>,
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

/// `SubBatches`; `GO_CRYPTO` only at `a280f7d` (checked by the caller for today's).
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
    #[serde(rename = "BLIK_PAYMENT")]
    blik: Option<SubBatch>,
    #[serde(rename = "PAYMENT_GATEWAY")]
    gateway: Option<SubBatch>,
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
    tip_amount: Option<f64>,
    tip_count: Option<i64>,
    tip_average: Option<f64>,
    tip_average_percentage: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Address {
    city: Option<String>,
    county: Option<String>,
    house: Option<String>,
    location: Option<String>,
    street: Option<String>,
    zip: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UserInfo {
    client_id: String,
    email: String,
    business_id: Option<String>,
    vat_id: Option<String>,
    tid: String,
    mid: String,
    tip_enabled: bool,
    printer_available: bool,
    manual_transaction_restricted: bool,
    merchant_location: Address,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AppStatus {
    app_version: String,
    user_info: Option<UserInfo>,
}

/// Which SDK commit decodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Generation {
    /// `08f1318`.
    Current,
    /// `a280f7d`.
    Sdk2025,
}

impl Generation {
    fn sdk(self) -> SdkGeneration {
        match self {
            Generation::Current => SdkGeneration::Current,
            Generation::Sdk2025 => SdkGeneration::Sdk2025,
        }
    }

    fn profile(self) -> &'static str {
        match self {
            Generation::Current => "current",
            Generation::Sdk2025 => "2025",
        }
    }
}

const TASK_STATUS: [&str; 3] = ["COMPLETED", "ERROR", "CANCELLED"];
// The word sets are gptom-client's (written from the SDK's enums); the mock has its own.
use gptom_client::applink::{REFUSAL_CODES, SdkGeneration};

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
fn decode_as_the_sdk(
    location: &str,
    operation: &str,
    generation: Generation,
) -> Result<Value, String> {
    // `DeeplinkResult.from(url:)`: the first path found in the whole URL names the result.
    let paths = generation.sdk().result_paths();
    if paths.iter().any(|(path, _)| *path == operation) {
        let found = paths.iter().find(|(path, _)| location.contains(path));
        if found.map(|(path, _)| *path) != Some(operation) {
            return Err(format!(
                "the SDK reads the answer as {found:?}, not `{operation}`'s"
            ));
        }
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
        && !generation.sdk().deeplink_errors().contains(&error)
    {
        return Err(format!("error `{error}` is not a DeeplinkError"));
    }
    if let Some(receipt) = text("receipt") {
        let rejected = |error: serde_json::Error| format!("receipt rejected: {error}: {receipt}");
        match generation {
            Generation::Current => {
                serde_json::from_str::<TransactionData<TransactionType, CardType>>(receipt)
                    .map_err(rejected)?;
            }
            Generation::Sdk2025 => {
                let decoded = serde_json::from_str::<
                    TransactionData<TransactionType2025, CardType2025>,
                >(receipt)
                .map_err(rejected)?;
                if decoded.dcc_data.is_some() {
                    return Err(format!("`dccData` is not a key of a280f7d: {receipt}"));
                }
            }
        }
    }
    if let Some(batch) = text("batch") {
        let decoded = serde_json::from_str::<Batch>(batch)
            .map_err(|error| format!("batch rejected: {error}: {batch}"))?;
        if generation == Generation::Current
            && decoded
                .sub_batches
                .is_some_and(|parts| parts.go_crypto.is_some())
        {
            return Err(format!("`GO_CRYPTO` left SubBatches at 5e1ec77: {batch}"));
        }
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

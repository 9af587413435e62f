//! GP tom's iOS SDK's result models mirrored in serde, one set per SDK generation, and the
//! redirect decoder that applies them (see the parent module for the commits followed).

#![allow(
    dead_code,
    reason = "the models' fields are there to be type-checked by serde, as the SDK's are by Codable"
)]

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
pub(super) enum Generation {
    /// `08f1318`.
    Current,
    /// `a280f7d`.
    Sdk2025,
}

impl Generation {
    pub(super) fn sdk(self) -> SdkGeneration {
        match self {
            Generation::Current => SdkGeneration::Current,
            Generation::Sdk2025 => SdkGeneration::Sdk2025,
        }
    }

    pub(super) fn profile(self) -> &'static str {
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
pub(super) fn decode_as_the_sdk(
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
pub(super) const BACK: &str = "myshop://gptom";

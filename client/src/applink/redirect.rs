//! Reading the redirect GP tom opened, as `DeeplinkResult.from(url:)` does: the parameters, each
//! decoded twice; the JSON ones handed to [`super::decode`].

use percent_encoding::percent_decode_str;

use super::decode::{app_status, batch, decode_object, transaction_data};
use super::model::*;

/// Decodes `%XX` strictly, as Foundation's `removingPercentEncoding`.
fn decode_strict(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            if !bytes
                .get(index + 1..index + 3)
                .is_some_and(|pair| pair.iter().all(u8::is_ascii_hexdigit))
            {
                return None;
            }
            index += 3;
        } else {
            index += 1;
        }
    }
    percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|decoded| decoded.into_owned())
}

/// Reads the URL GP tom redirected to, as GP tom's current SDK (`08f1318`) reads it.
pub fn parse_redirect(redirect: &str) -> Result<AppResult, RedirectError> {
    parse_redirect_as(redirect, SdkGeneration::Current)
}

/// Reads the URL GP tom redirected to, as the SDK of `generation` reads it (an app built with a
/// 2025 SDK: [`SdkGeneration::Sdk2025`]).
pub fn parse_redirect_as(
    redirect: &str,
    generation: SdkGeneration,
) -> Result<AppResult, RedirectError> {
    let url =
        url::Url::parse(redirect).map_err(|error| RedirectError::NotAUrl(error.to_string()))?;
    let mut result = AppResult::default();
    let text = url.as_str();
    result.kind = generation
        .result_paths()
        .iter()
        .find(|(path, _)| text.contains(path))
        .map(|(_, kind)| *kind);
    let mut problem = |parameter: &str, message: String| {
        result.problems.push(SdkProblem {
            parameter: parameter.to_owned(),
            message,
        });
    };
    // URLComponents.queryItems (decoded once, `+` kept) into a dictionary (the last wins), each
    // value then `removingPercentEncoding` (nil when it fails).
    let mut params: Vec<(String, Option<String>)> = Vec::new();
    for pair in url.query().unwrap_or("").split('&') {
        if pair.is_empty() {
            continue;
        }
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_decode_str(name).decode_utf8_lossy().into_owned();
        let once = percent_decode_str(value).decode_utf8_lossy().into_owned();
        let twice = decode_strict(&once);
        if twice.is_none() {
            problem(
                &name,
                format!("`{once}` fails the SDK's second percent-decoding; the value is dropped"),
            );
        }
        params.retain(|(existing, _)| *existing != name);
        params.push((name, twice));
    }
    let get = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .and_then(|(_, value)| value.clone())
    };
    let mut problems = Vec::new();
    match get("status").as_deref() {
        Some("COMPLETED") => result.status = Some(TaskStatus::Completed),
        Some("CANCELLED") => result.status = Some(TaskStatus::Cancelled),
        Some("ERROR") => result.status = Some(TaskStatus::Error),
        Some(other) => problems.push((
            "status",
            format!("`{other}` is not COMPLETED, CANCELLED or ERROR; the SDK returns no result"),
        )),
        None => problems.push(("status", "is missing; the SDK returns no result".to_owned())),
    }
    if let Some(code) = get("code") {
        if REFUSAL_CODES.contains(&code.as_str()) {
            result.code = Some(code);
        } else {
            problems.push(("code", format!("`{code}` is not a RefusalCode; dropped")));
        }
    }
    if let Some(error) = get("error") {
        if generation.deeplink_errors().contains(&error.as_str()) {
            result.error = Some(error);
        } else {
            problems.push((
                "error",
                format!("`{error}` is not a DeeplinkError; dropped"),
            ));
        }
    }
    if let Some(text) = get("receipt") {
        result.receipt = decode_object(
            &text,
            "receipt",
            generation,
            &mut problems,
            transaction_data,
        );
    }
    if let Some(text) = get("batch") {
        result.batch = decode_object(&text, "batch", generation, &mut problems, batch);
    }
    if let Some(text) = get("appStatus") {
        result.app_status =
            decode_object(&text, "appStatus", generation, &mut problems, app_status);
    }
    for (parameter, message) in problems {
        problem(parameter, message);
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn decimals_become_minor_units() {
        assert_eq!(parse_decimal("4.35"), Some(435));
        assert_eq!(parse_decimal("4"), Some(400));
        assert_eq!(parse_decimal("4.3"), Some(430));
        assert_eq!(parse_decimal("4,35"), Some(435));
        assert_eq!(parse_decimal("-1.00"), Some(-100));
        assert_eq!(parse_decimal("4.355"), None);
        assert_eq!(parse_decimal("four"), None);
        assert_eq!(parse_decimal(".5"), None);
    }

    fn parse(url: &str) -> AppResult {
        parse_redirect(url).unwrap_or_else(|error| panic!("{url}: {error}"))
    }

    #[test]
    fn what_the_sdk_rejects_is_dropped_and_said() {
        assert!(matches!(
            parse_redirect("not a url"),
            Err(RedirectError::NotAUrl(_))
        ));
        let bad_json = parse("app://transaction/create?status=COMPLETED&receipt=%7Bnope");
        assert!(bad_json.receipt.is_none());
        assert_eq!(bad_json.problems[0].parameter, "receipt");
        // A number where the SDK wants a string drops the whole receipt.
        let typed = parse(
            "app://transaction/create?status=COMPLETED&receipt=%7B%22batchNumber%22%3A1%2C%22amsID%22%3A%2242%22%7D",
        );
        assert!(typed.receipt.is_none());
        assert!(
            typed.problems[0].message.contains("batchNumber"),
            "{:?}",
            typed.problems
        );
        // Words outside the SDK's sets.
        let words =
            parse("app://transaction/create?status=CANCELED&code=nope&error=invalidParameter");
        assert_eq!(words.status, None);
        assert_eq!((words.code, words.error), (None, None));
        assert_eq!(words.problems.len(), 3, "{:?}", words.problems);
        // `+` is not a space; a date needs fractional seconds.
        let plus = parse(
            "app://transaction/create?status=COMPLETED&receipt=%7B%22emvAppLabel%22%3A%22Visa+Debit%22%2C%22date%22%3A%222024-10-29T12%3A14%3A00Z%22%7D",
        );
        assert!(plus.receipt.is_none(), "date without fraction");
        let plus = parse(
            "app://transaction/create?status=COMPLETED&receipt=%7B%22emvAppLabel%22%3A%22Visa+Debit%22%7D",
        );
        assert_eq!(
            plus.receipt
                .and_then(|receipt| receipt.emv_app_label)
                .as_deref(),
            Some("Visa+Debit")
        );
        // An unknown key is ignored and said.
        let extra = parse(
            "app://transaction/create?status=COMPLETED&receipt=%7B%22requestID%22%3A%22x%22%7D",
        );
        assert!(extra.receipt.is_some());
        assert_eq!(extra.problems.len(), 1);
        // Unclassifiable redirect.
        assert_eq!(parse("myshop://gptom-result?status=COMPLETED").kind, None);
        let ok = parse("app://batch/close?status=ERROR&error=failedToCloseBatch");
        assert_eq!(ok.kind, Some(ResultKind::CloseBatch));
        assert_eq!(ok.error.as_deref(), Some("failedToCloseBatch"));
        assert!(ok.problems.is_empty());
    }

    /// The generations differ as GP tom's SDK did between `a280f7d` and `08f1318`.
    #[test]
    fn each_sdk_generation_reads_its_own_models() {
        let encode = |json: &str| {
            percent_encoding::utf8_percent_encode(json, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
        };
        let status = format!(
            "app://status?status=COMPLETED&appStatus={}",
            encode(
                r#"{"appVersion":"1","userInfo":{"clientId":"c","email":"e","tid":"1","mid":"2","tipEnabled":true,"printerAvailable":false,"manualTransactionRestricted":false,"merchantLocation":{"city":"Praha","street":"Pražská","house":"10"}}}"#
            )
        );
        for generation in [SdkGeneration::Current, SdkGeneration::Sdk2025] {
            let read = parse_redirect_as(&status, generation).expect("url");
            assert_eq!(read.kind, Some(ResultKind::Status));
            let user = read
                .app_status
                .and_then(|status| status.user_info)
                .expect("logged in");
            assert_eq!(user.merchant_location.city.as_deref(), Some("Praha"));
            assert_eq!(user.business_id, None);
        }
        // Before May 2025 the location was a string: today's SDK drops the whole status.
        let old = format!(
            "app://status?status=COMPLETED&appStatus={}",
            encode(
                r#"{"appVersion":"1","userInfo":{"clientId":"c","email":"e","businessId":"1","tid":"1","mid":"2","tipEnabled":true,"printerAvailable":false,"manualTransactionRestricted":false,"merchantLocation":"Praha"}}"#
            )
        );
        assert!(parse(&old).app_status.is_none());

        let crypto = format!(
            "app://transaction/create?status=COMPLETED&receipt={}",
            encode(r#"{"transactionType":"GO_CRYPTO","amount":"1.00"}"#)
        );
        assert!(
            parse(&crypto).receipt.is_none(),
            "GO_CRYPTO left at 5e1ec77"
        );
        let read = parse_redirect_as(&crypto, SdkGeneration::Sdk2025).expect("url");
        assert!(read.receipt.is_some() && read.problems.is_empty());

        let dcc = format!(
            "app://transaction/create?status=COMPLETED&receipt={}",
            encode(
                r#"{"cardType":"GIROCARD","dccData":{"currency":"EUR","amount":"40.97","markup":"3.5","regionSchemaIndicator":1,"exchangeRate":24.385,"status":"ACCEPTED"}}"#
            )
        );
        let read = parse(&dcc);
        let offer = read
            .receipt
            .and_then(|receipt| receipt.dcc_data)
            .expect("dcc");
        assert_eq!(
            (offer.amount.as_str(), offer.exchange_rate),
            ("40.97", 24.385)
        );
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        let old = parse_redirect_as(&dcc, SdkGeneration::Sdk2025).expect("url");
        assert!(old.receipt.is_none(), "no GIROCARD in 2025");

        let login = parse_redirect_as(
            "app://login?status=ERROR&error=tidAlreadyOccupied",
            SdkGeneration::Current,
        )
        .expect("url");
        assert_eq!(
            (login.kind, login.error.as_deref()),
            (Some(ResultKind::Login), Some("tidAlreadyOccupied"))
        );
        let old = parse_redirect_as(
            "app://login?status=ERROR&error=tidAlreadyOccupied",
            SdkGeneration::Sdk2025,
        )
        .expect("url");
        assert_eq!((old.kind, old.error), (None, None));
    }

    #[test]
    fn a_batch_and_an_app_status_decode_with_the_sdk_types() {
        let batch = parse(
            "app://batch/close?status=COMPLETED&batch=%7B%22amsId%22%3A%22B1%22%2C%22batchNumber%22%3A%221%22%2C%22saleAmount%22%3A95.5%2C%22subBatches%22%3A%7B%22CARD%22%3A%7B%22totalAmount%22%3A95.5%7D%7D%7D",
        );
        let decoded = batch.batch.expect("batch");
        assert_eq!(decoded.sale_amount, Some(95.5));
        assert_eq!(decoded.sub_batches[0].0, "CARD");
        let missing =
            parse("app://batch/close?status=COMPLETED&batch=%7B%22batchNumber%22%3A%221%22%7D");
        assert!(missing.batch.is_none(), "amsId is required");
        let array = parse(
            "app://batch/close?status=COMPLETED&batch=%7B%22amsId%22%3A%22B1%22%2C%22subBatches%22%3A%5B%5D%7D",
        );
        assert!(array.batch.is_none(), "subBatches must be an object");
        let status =
            parse("app://status?status=COMPLETED&appStatus=%7B%22appVersion%22%3A%221%22%7D");
        assert_eq!(
            status.app_status.map(|status| status.is_logged_in()),
            Some(false)
        );
    }
}

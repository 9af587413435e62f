//! Each SDK model's JSON read with Swift `Codable`'s rules.

use serde_json::{Map, Value};

use super::model::*;

/// Decodes one JSON parameter with `decode`; on failure the SDK's `try?` leaves nothing.
pub(super) fn decode_object<T>(
    text: &str,
    parameter: &'static str,
    generation: SdkGeneration,
    problems: &mut Vec<(&'static str, String)>,
    decode: fn(&mut Fields<'_>) -> Result<T, String>,
) -> Option<T> {
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(error) => {
            problems.push((parameter, format!("is not JSON ({error}); dropped")));
            return None;
        }
    };
    let Value::Object(object) = value else {
        problems.push((parameter, "is not a JSON object; dropped".to_owned()));
        return None;
    };
    let mut fields = Fields {
        object: &object,
        path: parameter.to_owned(),
        ignored: Vec::new(),
        generation,
    };
    match decode(&mut fields) {
        Ok(decoded) => {
            for key in fields.ignored {
                problems.push((
                    parameter,
                    format!("`{key}` is not a key of the SDK's model; ignored"),
                ));
            }
            Some(decoded)
        }
        Err(reason) => {
            problems.push((
                parameter,
                format!("{reason}; the SDK drops the whole object"),
            ));
            None
        }
    }
}

/// A JSON object read with Swift `Codable`'s rules: `null` and absence are `nil`, a wrong type
/// is an error, keys outside the model are ignored (and collected).
pub(super) struct Fields<'a> {
    object: &'a Map<String, Value>,
    path: String,
    ignored: Vec<String>,
    /// Whose models the object is read with.
    generation: SdkGeneration,
}

impl<'a> Fields<'a> {
    fn value(&self, key: &str) -> Option<&'a Value> {
        self.object.get(key).filter(|value| !value.is_null())
    }

    fn wrong(&self, key: &str, wanted: &str, value: &Value) -> String {
        format!("`{}.{key}` must be {wanted}, found {value}", self.path)
    }

    fn string(&self, key: &str) -> Result<Option<String>, String> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(other) => Err(self.wrong(key, "a string", other)),
        }
    }

    fn required_string(&self, key: &str) -> Result<String, String> {
        self.string(key)?
            .ok_or_else(|| format!("`{}.{key}` is required", self.path))
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>, String> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(other) => Err(self.wrong(key, "true or false", other)),
        }
    }

    fn required_bool(&self, key: &str) -> Result<bool, String> {
        self.boolean(key)?
            .ok_or_else(|| format!("`{}.{key}` is required", self.path))
    }

    fn integer(&self, key: &str) -> Result<Option<i64>, String> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::Number(number)) if number.as_i64().is_some() => Ok(number.as_i64()),
            Some(other) => Err(self.wrong(key, "an integer", other)),
        }
    }

    /// Foundation's `Decimal` from JSON: a number (`decodeIfPresent(Decimal.self)`).
    fn required_number(&self, key: &str) -> Result<f64, String> {
        self.number(key)?
            .ok_or_else(|| format!("`{}.{key}` is required", self.path))
    }

    fn number(&self, key: &str) -> Result<Option<f64>, String> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::Number(number)) => Ok(number.as_f64()),
            Some(other) => Err(self.wrong(key, "a JSON number", other)),
        }
    }

    fn word(&self, key: &str, words: &[&str]) -> Result<Option<String>, String> {
        match self.string(key)? {
            Some(word) if !words.contains(&word.as_str()) => Err(format!(
                "`{}.{key}` must be one of {}, found `{word}`",
                self.path,
                words.join(", ")
            )),
            other => Ok(other),
        }
    }

    /// ISO 8601 with fractional seconds (`ISO8601DateFormatter` with
    /// `.withInternetDateTime, .withFractionalSeconds`).
    fn date(&self, key: &str) -> Result<Option<String>, String> {
        match self.string(key)? {
            Some(text) if !is_iso_with_fraction(&text) => Err(format!(
                "`{}.{key}` must be an ISO 8601 time with fractional seconds (2024-10-29T12:14:00.112Z), found `{text}`",
                self.path
            )),
            other => Ok(other),
        }
    }

    fn nested<'b>(&self, key: &str, object: &'b Map<String, Value>) -> Fields<'b> {
        Fields {
            object,
            path: format!("{}.{key}", self.path),
            ignored: Vec::new(),
            generation: self.generation,
        }
    }

    fn ignore_others(&mut self, known: &[&str]) {
        for key in self.object.keys() {
            if !known.contains(&key.as_str()) {
                self.ignored.push(key.clone());
            }
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS.fff` followed by `Z` or `±HH:MM`.
fn is_iso_with_fraction(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    let shape = digits(0..4)
        && bytes.get(4) == Some(&b'-')
        && digits(5..7)
        && bytes.get(7) == Some(&b'-')
        && digits(8..10)
        && bytes.get(10) == Some(&b'T')
        && digits(11..13)
        && bytes.get(13) == Some(&b':')
        && digits(14..16)
        && bytes.get(16) == Some(&b':')
        && digits(17..19)
        && bytes.get(19) == Some(&b'.');
    if !shape {
        return false;
    }
    let rest = &text[20..];
    let fraction = rest.bytes().take_while(u8::is_ascii_digit).count();
    let zone = &rest[fraction..];
    fraction > 0
        && (zone == "Z"
            || (zone.len() == 6
                && matches!(zone.as_bytes()[0], b'+' | b'-')
                && zone.as_bytes()[3] == b':'))
}

pub(super) fn transaction_data(fields: &mut Fields<'_>) -> Result<TransactionData, String> {
    fields.ignore_others(fields.generation.receipt_keys());
    let dcc_data = match fields.value("dccData") {
        Some(Value::Object(object)) if fields.generation == SdkGeneration::Current => {
            let mut dcc = fields.nested("dccData", object);
            let decoded = dcc_data(&mut dcc)?;
            fields
                .ignored
                .extend(dcc.ignored.drain(..).map(|key| format!("dccData.{key}")));
            Some(decoded)
        }
        Some(other) if fields.generation == SdkGeneration::Current => {
            return Err(fields.wrong("dccData", "an object", other));
        }
        _ => None,
    };
    Ok(TransactionData {
        batch_number: fields.string("batchNumber")?,
        receipt_number: fields.string("receiptNumber")?,
        terminal_id: fields.string("terminalID")?,
        emv_aid: fields.string("emvAid")?,
        emv_app_label: fields.string("emvAppLabel")?,
        card_number: fields.string("cardNumber")?,
        transaction_type: fields.word("transactionType", fields.generation.payment_methods())?,
        currency_code: fields.string("currencyCode")?,
        amount: fields.string("amount")?,
        total_amount: fields.string("totalAmount")?,
        tip_amount: fields.string("tipAmount")?,
        pin_ok: fields.boolean("pinOk")?,
        authorization_code: fields.string("authorizationCode")?,
        sequence_number: fields.string("sequenceNumber")?,
        date: fields.date("date")?,
        card_type: fields.word("cardType", fields.generation.card_types())?,
        reference_number: fields.string("referenceNumber")?,
        transaction_id: fields.string("transactionID")?,
        result: fields.integer("result")?,
        card_entry_mode: fields.string("cardEntryMode")?,
        merchant_id: fields.string("merchantID")?,
        ams_id: fields.string("amsID")?,
        blik_code: fields.string("blikCode")?,
        blik_transaction_ref: fields.string("blikTransactionRef")?,
        dcc_data,
    })
}

/// `DCCOptionsWrapper.init(from:)`: `currency` a required string, `amount` a decimal string (or
/// number), `markup` text, `regionSchemaIndicator` an integer, `exchangeRate` a number, `status`
/// optional.
fn dcc_data(fields: &mut Fields<'_>) -> Result<DccData, String> {
    fields.ignore_others(&[
        "currency",
        "amount",
        "markup",
        "regionSchemaIndicator",
        "exchangeRate",
        "status",
    ]);
    let amount = match fields.value("amount") {
        Some(Value::String(text)) if parse_plain_decimal(text) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        Some(other) => return Err(fields.wrong("amount", "a decimal number", other)),
        None => return Err(format!("`{}.amount` is required", fields.path)),
    };
    let markup = match fields.value("markup") {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => "-".to_owned(),
    };
    Ok(DccData {
        currency: fields.required_string("currency")?,
        amount,
        markup,
        region_schema_indicator: fields
            .integer("regionSchemaIndicator")?
            .ok_or_else(|| format!("`{}.regionSchemaIndicator` is required", fields.path))?,
        exchange_rate: fields.required_number("exchangeRate")?,
        status: fields.word("status", &["ACCEPTED", "NOT_ACCEPTED", "NOT_PROCESSED"])?,
    })
}

/// `Decimal(string:)` of a plain decimal: optional sign, digits, optional fraction.
fn parse_plain_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn sub_batch(fields: &mut Fields<'_>) -> Result<SubBatch, String> {
    fields.ignore_others(&[
        "closeBatchNumber",
        "saleAmount",
        "saleCount",
        "totalAmount",
        "totalCount",
        "voidAmount",
        "voidCount",
    ]);
    Ok(SubBatch {
        close_batch_number: fields.string("closeBatchNumber")?,
        sale_amount: fields.number("saleAmount")?,
        sale_count: fields.number("saleCount")?,
        total_amount: fields.number("totalAmount")?,
        total_count: fields.number("totalCount")?,
        void_amount: fields.number("voidAmount")?,
        void_count: fields.number("voidCount")?,
    })
}

pub(super) fn batch(fields: &mut Fields<'_>) -> Result<Batch, String> {
    fields.ignore_others(&[
        "amsId",
        "batchNumber",
        "communicationId",
        "currency",
        "date",
        "firstTransactionDate",
        "invalidCount",
        "previousBatchDate",
        "saleAmount",
        "saleCount",
        "subBatches",
        "totalAmount",
        "totalCount",
        "voidAmount",
        "voidCount",
        "tipAmount",
        "tipCount",
        "tipAverage",
        "tipAveragePercentage",
    ]);
    let sub_batch_keys = fields.generation.sub_batch_keys();
    let mut sub_batches = Vec::new();
    match fields.value("subBatches") {
        None => {}
        Some(Value::Object(parts)) => {
            let mut outer = fields.nested("subBatches", parts);
            outer.ignore_others(sub_batch_keys);
            fields.ignored.extend(
                outer
                    .ignored
                    .drain(..)
                    .map(|key| format!("subBatches.{key}")),
            );
            for &key in sub_batch_keys {
                match parts.get(key).filter(|value| !value.is_null()) {
                    None => {}
                    Some(Value::Object(part)) => {
                        let mut inner = outer.nested(key, part);
                        let decoded = sub_batch(&mut inner)?;
                        fields.ignored.extend(
                            inner
                                .ignored
                                .drain(..)
                                .map(|ignored| format!("subBatches.{key}.{ignored}")),
                        );
                        sub_batches.push((key.to_owned(), decoded));
                    }
                    Some(other) => return Err(outer.wrong(key, "an object", other)),
                }
            }
        }
        Some(other) => {
            return Err(fields.wrong("subBatches", "an object keyed by payment method", other));
        }
    }
    Ok(Batch {
        ams_id: fields.required_string("amsId")?,
        batch_number: fields.string("batchNumber")?,
        communication_id: fields.string("communicationId")?,
        currency: fields.string("currency")?,
        date: fields.date("date")?,
        first_transaction_date: fields.date("firstTransactionDate")?,
        invalid_count: fields.number("invalidCount")?,
        previous_batch_date: fields.date("previousBatchDate")?,
        sale_amount: fields.number("saleAmount")?,
        sale_count: fields.number("saleCount")?,
        total_amount: fields.number("totalAmount")?,
        total_count: fields.number("totalCount")?,
        void_amount: fields.number("voidAmount")?,
        void_count: fields.number("voidCount")?,
        sub_batches,
        tip_amount: fields.number("tipAmount")?.unwrap_or(0.0),
        tip_count: fields.integer("tipCount")?.unwrap_or(0),
        tip_average: fields.number("tipAverage")?.unwrap_or(0.0),
        tip_average_percentage: fields.number("tipAveragePercentage")?.unwrap_or(0.0),
    })
}

/// `UserInfo.merchantLocation`: a required `Address` object since SDK `db9ab1f` (2025-05-19).
fn address(user: &mut Fields<'_>) -> Result<Address, String> {
    let object = match user.value("merchantLocation") {
        Some(Value::Object(object)) => object,
        Some(other) => return Err(user.wrong("merchantLocation", "an Address object", other)),
        None => return Err(format!("`{}.merchantLocation` is required", user.path)),
    };
    let mut place = user.nested("merchantLocation", object);
    place.ignore_others(&["city", "county", "house", "location", "street", "zip"]);
    let decoded = Address {
        city: place.string("city")?,
        county: place.string("county")?,
        house: place.string("house")?,
        location: place.string("location")?,
        street: place.string("street")?,
        zip: place.string("zip")?,
    };
    user.ignored.extend(
        place
            .ignored
            .drain(..)
            .map(|key| format!("merchantLocation.{key}")),
    );
    Ok(decoded)
}

pub(super) fn app_status(fields: &mut Fields<'_>) -> Result<AppStatus, String> {
    fields.ignore_others(&["appVersion", "userInfo"]);
    let user_info = match fields.value("userInfo") {
        None => None,
        Some(Value::Object(object)) => {
            let mut user = fields.nested("userInfo", object);
            user.ignore_others(&[
                "clientId",
                "email",
                "businessId",
                "vatId",
                "tid",
                "mid",
                "tipEnabled",
                "printerAvailable",
                "manualTransactionRestricted",
                "merchantLocation",
            ]);
            let info = UserInfo {
                client_id: user.required_string("clientId")?,
                email: user.required_string("email")?,
                business_id: user.string("businessId")?,
                vat_id: user.string("vatId")?,
                tid: user.required_string("tid")?,
                mid: user.required_string("mid")?,
                tip_enabled: user.required_bool("tipEnabled")?,
                printer_available: user.required_bool("printerAvailable")?,
                manual_transaction_restricted: user.required_bool("manualTransactionRestricted")?,
                merchant_location: address(&mut user)?,
            };
            fields
                .ignored
                .extend(user.ignored.drain(..).map(|key| format!("userInfo.{key}")));
            Some(info)
        }
        Some(other) => return Err(fields.wrong("userInfo", "an object", other)),
    };
    Ok(AppStatus {
        app_version: fields.required_string("appVersion")?,
        user_info,
    })
}

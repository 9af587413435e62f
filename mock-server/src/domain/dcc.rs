//! Dynamic Currency Conversion: a foreign card offered to pay in its own currency, and what the
//! customer chose — the facts behind the receipt's `dccData` (GP tom's iOS SDK `DCCOptions.swift`
//! at `08f1318`: `currency`, `amount`, `markup`, `regionSchemaIndicator`, `exchangeRate`,
//! `status`).
//!
//! Invariant: the rate is kept as the decimal text it was given and every amount is computed in
//! integers, so a seed and a scenario give the same `dccData` on every machine.

use serde::{Deserialize, Serialize};

use super::currency::CurrencyCode;

/// What became of the offer (the SDK's `DccResulStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DccStatus {
    /// The customer paid in the card's currency.
    Accepted,
    /// The customer declined and paid in the terminal's currency.
    NotAccepted,
    /// The conversion failed; the payment went on in the terminal's currency.
    NotProcessed,
}

impl DccStatus {
    /// Every status.
    pub const ALL: [DccStatus; 3] = [
        DccStatus::Accepted,
        DccStatus::NotAccepted,
        DccStatus::NotProcessed,
    ];

    /// Wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            DccStatus::Accepted => "ACCEPTED",
            DccStatus::NotAccepted => "NOT_ACCEPTED",
            DccStatus::NotProcessed => "NOT_PROCESSED",
        }
    }
}

/// The card currencies the mock offers, with their ISO 4217 minor-unit exponents; every code is
/// one the SDK's `Currency` knows (an unknown one it silently reads as EUR).
pub const DCC_CURRENCIES: &[(&str, u8)] = &[
    ("EUR", 2),
    ("USD", 2),
    ("GBP", 2),
    ("CHF", 2),
    ("PLN", 2),
    ("HUF", 2),
    ("CZK", 2),
    ("SEK", 2),
    ("NOK", 2),
    ("DKK", 2),
    ("RON", 2),
    ("CAD", 2),
    ("AUD", 2),
    ("CNY", 2),
    ("JPY", 0),
    ("KRW", 0),
    ("ISK", 0),
    ("BHD", 3),
    ("KWD", 3),
    ("JOD", 3),
    ("OMR", 3),
    ("TND", 3),
];

/// The most fraction digits of a rate, and of a markup.
pub const MAX_RATE_DECIMALS: usize = 8;
/// See [`MAX_RATE_DECIMALS`].
pub const MAX_MARKUP_DECIMALS: usize = 2;

/// A DCC offer as a scenario scripts it and a transaction keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DccOffer {
    /// The card's currency.
    pub currency: CurrencyCode,
    /// Its minor-unit exponent (0 for JPY, 3 for BHD).
    pub exponent: u8,
    /// Terminal-currency units per one card-currency unit, as decimal text (`"24.3850"`).
    pub rate: Box<str>,
    /// The markup in per cent, as decimal text (`"3.5"`).
    pub markup: Box<str>,
    /// The card's region and scheme class (0–9).
    pub region: u8,
    /// What the customer chose.
    pub status: DccStatus,
}

/// Why a rate or markup is not one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecimalError(pub String);

/// A positive decimal with at most `decimals` fraction digits and twelve digits in all, as
/// `(digits without the point, digits after it)`.
pub fn parse_decimal(text: &str, decimals: usize) -> Result<(u64, u32), DecimalError> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits_only = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) {
        return Err(DecimalError(format!(
            "`{text}` is not a decimal number like 24.385"
        )));
    }
    if text.contains('.') && fraction.is_empty() {
        return Err(DecimalError(format!(
            "`{text}` ends with a point; write {whole} or {whole}.0"
        )));
    }
    if fraction.len() > decimals {
        return Err(DecimalError(format!(
            "`{text}` has {} fraction digits; at most {decimals}",
            fraction.len()
        )));
    }
    if whole.len() + fraction.len() > 12 {
        return Err(DecimalError(format!(
            "`{text}` has more than twelve digits"
        )));
    }
    let mantissa: u64 = format!("{whole}{fraction}")
        .parse()
        .map_err(|_| DecimalError(format!("`{text}` is not a number")))?;
    Ok((mantissa, fraction.len() as u32))
}

/// The exponent of a currency the mock offers DCC in.
#[must_use]
pub fn exponent_of(currency: &str) -> Option<u8> {
    DCC_CURRENCIES
        .iter()
        .find(|(code, _)| *code == currency)
        .map(|(_, exponent)| *exponent)
}

impl DccOffer {
    /// The payment's amount in the card's currency, in its minor units: `minor` (hundredths of
    /// the terminal's currency) divided by the rate, rounded half up.
    #[must_use]
    pub fn converted_minor(&self, minor: i64) -> i64 {
        let Ok((mantissa, scale)) = parse_decimal(&self.rate, MAX_RATE_DECIMALS) else {
            return 0;
        };
        if mantissa == 0 {
            return 0;
        }
        // An imported state may hold any exponent: never more than ISO 4217's 3 (no overflow).
        let numerator = u128::from(minor.unsigned_abs())
            * 10u128.pow(u32::from(self.exponent.min(3)))
            * 10u128.pow(scale);
        let denominator = 100u128 * u128::from(mantissa);
        let rounded = (numerator + denominator / 2) / denominator;
        let value = i64::try_from(rounded).unwrap_or(i64::MAX);
        if minor < 0 { -value } else { value }
    }

    /// The converted amount as decimal text with the currency's exponent: `"3.74"`, `"3.742"`,
    /// `"374"`.
    #[must_use]
    pub fn converted_text(&self, minor: i64) -> String {
        let value = self.converted_minor(minor);
        let sign = if value < 0 { "-" } else { "" };
        let value = value.unsigned_abs();
        match self.exponent.min(3) {
            0 => format!("{sign}{value}"),
            exponent => {
                let unit = 10u64.pow(u32::from(exponent));
                format!(
                    "{sign}{}.{:0width$}",
                    value / unit,
                    value % unit,
                    width = usize::from(exponent)
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(currency: &str, rate: &str) -> DccOffer {
        DccOffer {
            currency: CurrencyCode::parse(currency).expect("letters"),
            exponent: exponent_of(currency).expect("offered"),
            rate: rate.into(),
            markup: "3.5".into(),
            region: 1,
            status: DccStatus::Accepted,
        }
    }

    #[test]
    fn amounts_follow_the_card_currencys_exponent() {
        // 999.10 CZK at 24.385 CZK per EUR.
        assert_eq!(offer("EUR", "24.385").converted_text(99_910), "40.97");
        // 99.91 CZK at 0.1605 CZK per JPY: no decimal point.
        assert_eq!(offer("JPY", "0.1605").converted_text(9_991), "622");
        // Three decimals.
        assert_eq!(offer("BHD", "61.2").converted_text(9_991), "1.633");
        assert_eq!(offer("EUR", "1").converted_text(-250), "-2.50");
    }

    #[test]
    fn an_imported_offer_out_of_range_neither_panics_nor_overflows() {
        let mut broken = offer("EUR", "not a rate");
        assert_eq!(broken.converted_text(99_910), "0.00");
        broken.rate = "0.00000001".into();
        broken.exponent = u8::MAX;
        assert_eq!(broken.converted_minor(i64::MIN), i64::MIN + 1);
        assert!(broken.converted_text(i64::MAX).contains('.'));
    }

    #[test]
    fn decimals_are_checked_with_the_rule_named() {
        assert_eq!(parse_decimal("24.385", 8), Ok((24_385, 3)));
        assert_eq!(parse_decimal("3", 2), Ok((3, 0)));
        for bad in ["", ".5", "1.", "1,5", "-1", "1.123", "1234567890123"] {
            assert!(parse_decimal(bad, 2).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_offered_currency_is_three_letters() {
        for (code, exponent) in DCC_CURRENCIES {
            assert!(CurrencyCode::parse(code).is_some(), "{code}");
            assert!(*exponent <= 3);
        }
    }
}

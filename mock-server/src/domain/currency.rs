//! An ISO 4217 currency code: three upper-case letters, kept inline. Every transaction request
//! and every terminal has one; as a `String` it cost an allocation per payment and 24 bytes more
//! per stored request.
//!
//! Invariant: a `CurrencyCode` holds three ASCII upper-case letters (its only constructor,
//! [`CurrencyCode::parse`], and its `Deserialize` check them).

use std::fmt;

/// Three upper-case letters, e.g. `CZK`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CurrencyCode([u8; 3]);

/// What a currency code must look like, for error messages.
pub const CURRENCY_RULE: &str = "three upper-case ISO 4217 letters, e.g. CZK";

impl CurrencyCode {
    /// `text` as a code, when it is three ASCII upper-case letters.
    #[must_use]
    pub fn parse(text: &str) -> Option<CurrencyCode> {
        let letters: [u8; 3] = text.as_bytes().try_into().ok()?;
        letters
            .iter()
            .all(u8::is_ascii_uppercase)
            .then_some(CurrencyCode(letters))
    }

    /// The letters.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Always ASCII (the invariant above), so never the fallback.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl PartialEq<str> for CurrencyCode {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<String> for CurrencyCode {
    fn eq(&self, other: &String) -> bool {
        self.0 == other.as_bytes()
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl fmt::Debug for CurrencyCode {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), formatter)
    }
}

impl serde::Serialize for CurrencyCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for CurrencyCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Letters;
        impl serde::de::Visitor<'_> for Letters {
            type Value = CurrencyCode;

            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str(CURRENCY_RULE)
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<CurrencyCode, E> {
                CurrencyCode::parse(text)
                    .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(text), &self))
            }
        }
        deserializer.deserialize_str(Letters)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_three_upper_case_letters_are_a_code() {
        for good in ["CZK", "EUR", "XXX"] {
            let code = CurrencyCode::parse(good).expect(good);
            assert_eq!(code.as_str(), good);
            assert_eq!(code.to_string(), good);
            assert!(code == *good);
        }
        for bad in ["", "CZ", "CZKK", "czk", "CZ1", "ČZK", "Č", " CZ"] {
            assert_eq!(CurrencyCode::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn it_is_a_json_string_and_a_bad_one_is_named() {
        let code: CurrencyCode = serde_json::from_str("\"EUR\"").expect("code");
        assert_eq!(serde_json::to_string(&code).expect("JSON"), "\"EUR\"");
        let error = serde_json::from_str::<CurrencyCode>("\"euro\"")
            .expect_err("not a code")
            .to_string();
        assert!(
            error.contains("euro") && error.contains(CURRENCY_RULE),
            "{error}"
        );
    }

    proptest::proptest! {
        #[test]
        fn parse_agrees_with_the_rule(text in "\\PC{0,4}") {
            let rule = text.len() == 3 && text.bytes().all(|byte| byte.is_ascii_uppercase());
            proptest::prop_assert_eq!(CurrencyCode::parse(&text).is_some(), rule);
        }
    }
}

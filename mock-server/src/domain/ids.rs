//! The seeded source of everything the mock invents: task and transaction ids, amsIDs, PANs,
//! authorization codes, reference numbers. One generator per store; the same seed and the same
//! sequence of requests give the same values.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Deterministic generator of ids and codes.
#[derive(Debug, Clone)]
pub struct IdGenerator {
    rng: ChaCha8Rng,
}

const ALPHANUMERIC: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
const TOKEN_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

impl IdGenerator {
    /// A generator whose whole sequence is fixed by `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// How far the generator ran (to resume it after a restart).
    #[must_use]
    pub fn position(&self) -> u128 {
        self.rng.get_word_pos()
    }

    /// The generator of `seed`, resumed at `position`: it goes on with the values the stopped
    /// one would have given.
    #[must_use]
    pub fn resumed(seed: u64, position: u128) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_word_pos(position);
        Self { rng }
    }

    /// A random (version 4 layout) UUID as a number (see [`format_uuid`]).
    pub fn uuid_value(&mut self) -> u128 {
        let mut bytes: [u8; 16] = self.rng.random();
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        u128::from_be_bytes(bytes)
    }

    /// A number of exactly `digits` decimal digits (no leading zero).
    pub fn digits_value(&mut self, digits: u32) -> u64 {
        let digits = digits.clamp(1, 18);
        self.rng
            .random_range(10u64.pow(digits - 1)..10u64.pow(digits))
    }

    /// Six upper-case letters and digits (authorization codes).
    pub fn code6(&mut self) -> [u8; 6] {
        let mut code = [0u8; 6];
        for slot in &mut code {
            *slot = ALPHANUMERIC[self.rng.random_range(0..ALPHANUMERIC.len())];
        }
        code
    }

    /// A random (version 4 layout) UUID, lower-case hex.
    pub fn uuid(&mut self) -> String {
        format_uuid(self.uuid_value())
    }

    /// A number of exactly `digits` decimal digits (no leading zero), as text.
    pub fn digits(&mut self, digits: u32) -> String {
        let digits = digits.clamp(1, 18);
        let low = 10u64.pow(digits - 1);
        let high = 10u64.pow(digits);
        self.rng.random_range(low..high).to_string()
    }

    /// `len` characters of upper-case letters and digits (authorization codes).
    pub fn code(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(ALPHANUMERIC[self.rng.random_range(0..ALPHANUMERIC.len())]))
            .collect()
    }

    /// An opaque URL-safe token of `len` characters (refresh tokens).
    pub fn opaque(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(TOKEN_ALPHABET[self.rng.random_range(0..TOKEN_ALPHABET.len())]))
            .collect()
    }

    /// A number in `0..bound` (`bound` > 0).
    pub fn below(&mut self, bound: u32) -> u32 {
        self.rng.random_range(0..bound.max(1))
    }

    /// True with probability `probability` (0.0..=1.0).
    pub fn chance(&mut self, probability: f64) -> bool {
        self.rng.random_bool(probability.clamp(0.0, 1.0))
    }

    /// A 64-bit value.
    pub fn next_u64(&mut self) -> u64 {
        self.rng.random()
    }
}

/// `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`, lower-case.
#[must_use]
pub fn format_uuid(value: u128) -> String {
    let mut out = Vec::with_capacity(36);
    write_uuid(value, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Where each of a UUID's sixteen bytes goes in its hyphenated form.
const UUID_BYTE_AT: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/// The two lower-case hex digits of every byte (a table: this runs twice per answered poll).
const HEX_PAIRS: [[u8; 2]; 256] = {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut pairs = [[0u8; 2]; 256];
    let mut byte = 0;
    while byte < 256 {
        pairs[byte] = [HEX[byte >> 4], HEX[byte & 0x0f]];
        byte += 1;
    }
    pairs
};

/// Each byte's value as a hex digit (either case), or `0xff`.
const HEX_VALUE: [u8; 256] = {
    let mut values = [0xffu8; 256];
    let mut digit = 0;
    while digit < 10 {
        values[b'0' as usize + digit] = digit as u8;
        digit += 1;
    }
    let mut letter = 0;
    while letter < 6 {
        values[b'a' as usize + letter] = 10 + letter as u8;
        values[b'A' as usize + letter] = 10 + letter as u8;
        letter += 1;
    }
    values
};

/// Appends the hyphenated lower-case form of a UUID to `out`.
pub fn write_uuid(value: u128, out: &mut Vec<u8>) {
    let mut text = [b'-'; 36];
    for (byte, at) in value.to_be_bytes().into_iter().zip(UUID_BYTE_AT) {
        text[at..at + 2].copy_from_slice(&HEX_PAIRS[usize::from(byte)]);
    }
    out.extend_from_slice(&text);
}

/// Parses the 36-character hyphenated form (any case); `None` for anything else.
#[must_use]
pub fn parse_uuid(text: &str) -> Option<u128> {
    let text: &[u8; 36] = text.as_bytes().try_into().ok()?;
    if [text[8], text[13], text[18], text[23]] != [b'-'; 4] {
        return None;
    }
    let mut bytes = [0u8; 16];
    let mut invalid = 0u8;
    for (byte, at) in bytes.iter_mut().zip(UUID_BYTE_AT) {
        let high = HEX_VALUE[usize::from(text[at])];
        let low = HEX_VALUE[usize::from(text[at + 1])];
        invalid |= (high | low) & 0xf0;
        *byte = (high << 4) | (low & 0x0f);
    }
    (invalid == 0).then(|| u128::from_be_bytes(bytes))
}

/// Serde for a UUID held as a number: written and read as its text (`"0b5e…-…"`), so a state
/// file or a database row survives tools that read numbers as doubles (`jq`, JavaScript).
pub mod uuid_text {
    use serde::de::{Deserializer, Error};
    use serde::{Deserialize, Serializer};

    /// Writes the hyphenated text.
    pub fn serialize<S: Serializer>(value: &u128, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = Vec::with_capacity(36);
        super::write_uuid(*value, &mut out);
        serializer.serialize_str(std::str::from_utf8(&out).unwrap_or_default())
    }

    /// Reads the hyphenated text.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u128, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        super::parse_uuid(&text).ok_or_else(|| {
            D::Error::custom(format_args!(
                "{text:?} is not a UUID such as \"0b5e8d2c-3f4a-4b6c-8d9e-0f1a2b3c4d5e\""
            ))
        })
    }
}

/// Parses 1–19 decimal digits without a leading zero (amsIDs, PANs).
#[must_use]
pub fn parse_digits(text: &str) -> Option<u64> {
    let valid = !text.is_empty()
        && text.len() <= 19
        && !text.starts_with('0')
        && text.bytes().all(|b| b.is_ascii_digit());
    if valid { text.parse().ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_sequence() {
        let mut first = IdGenerator::new(42);
        let mut second = IdGenerator::new(42);
        for _ in 0..10 {
            assert_eq!(first.uuid(), second.uuid());
            assert_eq!(first.digits(12), second.digits(12));
            assert_eq!(first.code(6), second.code(6));
        }
        assert_ne!(IdGenerator::new(1).uuid(), IdGenerator::new(2).uuid());
    }

    #[test]
    fn uuids_have_the_version_4_layout() {
        let uuid = IdGenerator::new(7).uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(uuid.as_bytes()[14], b'4');
        assert!(matches!(uuid.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
    }

    #[test]
    fn uuids_round_trip_through_text() {
        let mut ids = IdGenerator::new(9);
        for _ in 0..100 {
            let value = ids.uuid_value();
            assert_eq!(parse_uuid(&format_uuid(value)), Some(value));
        }
        assert_eq!(
            format_uuid(IdGenerator::new(5).uuid_value()),
            IdGenerator::new(5).uuid()
        );
        assert_eq!(parse_uuid("not-a-uuid"), None);
        assert_eq!(parse_digits("0123"), None);
        assert_eq!(parse_digits("900000000001"), Some(900_000_000_001));
    }

    /// The tables' reading of a UUID, checked against the plain one: 36 characters, hyphens at
    /// 8, 13, 18 and 23, hex digits of either case everywhere else.
    fn plainly_parsed(text: &str) -> Option<u128> {
        let hyphens = [8, 13, 18, 23];
        let well_formed = text.len() == 36
            && text.char_indices().all(|(index, character)| {
                if hyphens.contains(&index) {
                    character == '-'
                } else {
                    character.is_ascii_hexdigit()
                }
            });
        well_formed
            .then(|| u128::from_str_radix(&text.replace('-', ""), 16).ok())
            .flatten()
    }

    proptest::proptest! {
        #[test]
        fn uuid_text_is_read_as_written(value: u128) {
            let text = format_uuid(value);
            proptest::prop_assert_eq!(&text, &format!(
                "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
                value >> 96, (value >> 80) & 0xffff, (value >> 64) & 0xffff,
                (value >> 48) & 0xffff, value & 0xffff_ffff_ffff
            ));
            proptest::prop_assert_eq!(parse_uuid(&text), Some(value));
            proptest::prop_assert_eq!(parse_uuid(&text.to_uppercase()), Some(value));
        }

        #[test]
        fn any_edit_of_a_uuid_is_read_as_the_plain_reader_reads_it(
            value: u128, at in 0usize..36, byte in proptest::char::any()
        ) {
            let mut text: Vec<char> = format_uuid(value).chars().collect();
            text[at] = byte;
            let text: String = text.into_iter().collect();
            proptest::prop_assert_eq!(parse_uuid(&text), plainly_parsed(&text));
        }
    }

    #[test]
    fn digits_have_the_asked_length() {
        let mut ids = IdGenerator::new(3);
        for _ in 0..100 {
            assert_eq!(ids.digits(12).len(), 12);
        }
    }
}

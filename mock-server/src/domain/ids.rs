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

    /// A random (version 4 layout) UUID, lower-case hex.
    pub fn uuid(&mut self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut bytes: [u8; 16] = self.rng.random();
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let mut text = String::with_capacity(36);
        for (index, byte) in bytes.iter().enumerate() {
            if matches!(index, 4 | 6 | 8 | 10) {
                text.push('-');
            }
            text.push(char::from(HEX[usize::from(byte >> 4)]));
            text.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        text
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
    fn digits_have_the_asked_length() {
        let mut ids = IdGenerator::new(3);
        for _ in 0..100 {
            assert_eq!(ids.digits(12).len(), 12);
        }
    }
}

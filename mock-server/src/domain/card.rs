//! Realistic card data: Luhn-valid test PANs from the fixture ranges, shown masked, with the EMV
//! AID and application label of their brand.

use serde::{Deserialize, Serialize};

use super::ids::IdGenerator;

/// Card scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum CardBrand {
    /// Visa.
    Visa,
    /// Mastercard.
    Mastercard,
    /// Maestro.
    Maestro,
    /// American Express.
    Amex,
    /// girocard, the German debit scheme (the SDK's `CardType.girocard` since `6e92710`).
    Girocard,
}

impl CardBrand {
    /// The wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            CardBrand::Visa => "VISA",
            CardBrand::Mastercard => "MASTERCARD",
            CardBrand::Maestro => "MAESTRO",
            CardBrand::Amex => "AMEX",
            CardBrand::Girocard => "GIROCARD",
        }
    }

    /// Every brand, for messages.
    pub const ALL: [CardBrand; 5] = [
        CardBrand::Visa,
        CardBrand::Mastercard,
        CardBrand::Maestro,
        CardBrand::Amex,
        CardBrand::Girocard,
    ];
}

/// How the card was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum EntryMode {
    /// Tapped.
    Contactless,
    /// Inserted.
    Chip,
    /// Swiped.
    Magstripe,
    /// Keyed in.
    Manual,
}

impl EntryMode {
    /// Every variant.
    pub const ALL: [EntryMode; 4] = [
        EntryMode::Contactless,
        EntryMode::Chip,
        EntryMode::Magstripe,
        EntryMode::Manual,
    ];

    /// The wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            EntryMode::Contactless => "CONTACTLESS",
            EntryMode::Chip => "CHIP",
            EntryMode::Magstripe => "MAGSTRIPE",
            EntryMode::Manual => "MANUAL",
        }
    }
}

/// A test card range of the fixtures.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CardRange {
    /// Scheme.
    pub brand: CardBrand,
    /// BIN prefix (digits).
    pub prefix: String,
    /// PAN length (13..=19).
    pub length: u8,
    /// EMV application identifier.
    pub aid: String,
    /// EMV application label.
    pub label: String,
    /// Relative frequency when the brand is not fixed.
    #[serde(default = "default_weight")]
    pub weight: u32,
}

fn default_weight() -> u32 {
    1
}

impl CardRange {
    /// Checks the range can produce valid PANs.
    pub fn check(&self) -> Result<(), String> {
        let prefix_ok = !self.prefix.is_empty() && self.prefix.bytes().all(|b| b.is_ascii_digit());
        if !prefix_ok
            || usize::from(self.length) <= self.prefix.len() + 4
            || !(13..=19).contains(&self.length)
        {
            return Err(format!(
                "card range {} {}: prefix must be digits and shorter than length-4, length 13..=19",
                self.brand.as_str(),
                self.prefix
            ));
        }
        Ok(())
    }
}

/// The card data of one payment, compact: a masked PAN is derived from the stored digits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    /// Index into the fixture card ranges.
    pub range: u16,
    /// The full PAN (a test number; shown only masked).
    pub pan: u64,
    /// How it was read.
    pub entry_mode: EntryMode,
    /// Whether the cardholder verified a PIN.
    pub pin_ok: bool,
}

impl Card {
    /// `476173******0010`: first six and last four digits.
    #[must_use]
    pub fn masked(&self) -> String {
        let digits = self.pan_digits();
        let len = digits.len();
        let mut masked = String::with_capacity(len);
        masked.push_str(&digits[..6.min(len)]);
        for _ in 6..len.saturating_sub(4) {
            masked.push('*');
        }
        masked.push_str(&digits[len.saturating_sub(4).max(6.min(len))..]);
        masked
    }
}

impl Card {
    /// The PAN's digits.
    #[must_use]
    pub fn pan_digits(&self) -> String {
        self.pan.to_string()
    }
}

/// What a scenario may fix about the card; the rest is generated.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardChoice {
    /// Fixed brand.
    pub brand: Option<CardBrand>,
    /// Fixed entry mode.
    pub entry_mode: Option<EntryMode>,
    /// Fixed PIN verification.
    pub pin_ok: Option<bool>,
    /// A foreign card offered Dynamic Currency Conversion, and what the customer chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dcc: Option<Box<super::dcc::DccOffer>>,
}

/// Draws a card from the ranges under the choice. `ranges` must not be empty.
pub fn draw_card(
    ranges: &[CardRange],
    choice: &CardChoice,
    ids: &mut IdGenerator,
    amount: i64,
) -> Card {
    let candidates: Vec<(usize, &CardRange)> = ranges
        .iter()
        .enumerate()
        // A range of weight 0 is drawn only when its brand is asked for (girocard).
        .filter(|(_, range)| match choice.brand {
            Some(brand) => brand == range.brand,
            None => range.weight > 0,
        })
        .collect();
    let pool: Vec<(usize, &CardRange)> = if candidates.is_empty() {
        ranges.iter().enumerate().collect()
    } else {
        candidates
    };
    let total: u32 = pool.iter().map(|(_, range)| range.weight.max(1)).sum();
    let mut pick = ids.below(total);
    let mut chosen = pool[0];
    for candidate in &pool {
        let weight = candidate.1.weight.max(1);
        if pick < weight {
            chosen = *candidate;
            break;
        }
        pick -= weight;
    }
    let (index, range) = chosen;
    let entry_mode = choice.entry_mode.unwrap_or_else(|| match ids.below(10) {
        0..=6 => EntryMode::Contactless,
        7..=8 => EntryMode::Chip,
        _ => EntryMode::Magstripe,
    });
    // Contactless payments above the CVM limit (500.00) and chip payments ask for the PIN.
    let pin_ok = choice.pin_ok.unwrap_or(match entry_mode {
        EntryMode::Chip => true,
        EntryMode::Contactless => amount > 50_000,
        EntryMode::Magstripe | EntryMode::Manual => false,
    });
    Card {
        range: u16::try_from(index).unwrap_or(0),
        pan: luhn_pan(&range.prefix, usize::from(range.length), ids)
            .parse()
            .unwrap_or(0),
        entry_mode,
        pin_ok,
    }
}

/// A PAN of `length` digits starting with `prefix` whose last digit makes the Luhn sum valid.
fn luhn_pan(prefix: &str, length: usize, ids: &mut IdGenerator) -> String {
    let mut digits: Vec<u8> = prefix.bytes().map(|b| b - b'0').collect();
    while digits.len() < length - 1 {
        digits.push(u8::try_from(ids.below(10)).unwrap_or(0));
    }
    digits.push(luhn_check_digit(&digits));
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

/// The digit that completes `payload` to a Luhn-valid number.
#[must_use]
pub fn luhn_check_digit(payload: &[u8]) -> u8 {
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(position, &digit)| {
            let digit = u32::from(digit);
            if position % 2 == 0 {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum();
    u8::try_from((10 - sum % 10) % 10).unwrap_or(0)
}

/// Whether a string of digits passes the Luhn check.
#[must_use]
pub fn luhn_valid(pan: &str) -> bool {
    let digits: Vec<u8> = pan.bytes().map(|b| b.wrapping_sub(b'0')).collect();
    match digits.split_last() {
        Some((&check, payload)) if digits.iter().all(|d| *d <= 9) => {
            luhn_check_digit(payload) == check
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::Fixtures;
    use proptest::prelude::*;

    #[test]
    fn known_test_pans_pass_luhn() {
        assert!(luhn_valid("4111111111111111"));
        assert!(luhn_valid("378282246310005"));
        assert!(!luhn_valid("4111111111111112"));
        assert!(!luhn_valid(""));
    }

    proptest! {
        #[test]
        fn drawn_cards_are_luhn_valid_and_fit_their_brand(seed in any::<u64>(), amount in 1i64..1_000_000) {
            let fixtures = Fixtures::embedded().expect("fixtures");
            let mut ids = IdGenerator::new(seed);
            let card = draw_card(&fixtures.cards, &CardChoice::default(), &mut ids, amount);
            let range = &fixtures.cards[usize::from(card.range)];
            let pan = card.pan_digits();
            prop_assert!(luhn_valid(&pan));
            prop_assert!(pan.starts_with(range.prefix.as_str()));
            prop_assert_eq!(pan.len(), usize::from(range.length));
            let masked = card.masked();
            prop_assert_eq!(masked.len(), pan.len());
            prop_assert!(masked.contains('*'));
            prop_assert_eq!(&masked[masked.len() - 4..], &pan[pan.len() - 4..]);
        }
    }

    #[test]
    fn a_chosen_brand_is_honoured() {
        let fixtures = Fixtures::embedded().expect("fixtures");
        let mut ids = IdGenerator::new(1);
        for brand in CardBrand::ALL {
            let choice = CardChoice {
                brand: Some(brand),
                ..CardChoice::default()
            };
            let card = draw_card(&fixtures.cards, &choice, &mut ids, 100);
            assert_eq!(fixtures.cards[usize::from(card.range)].brand, brand);
        }
    }
}

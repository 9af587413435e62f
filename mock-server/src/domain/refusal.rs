//! GP tom's refusal words (§1.7 of the spec).

use serde::Serialize;

/// Why a payment was approved or refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Refusal {
    /// Approved.
    Approved,
    /// Declined, no reason given.
    Declined,
    /// Card expired.
    ExpiredCard,
    /// Too many wrong PINs.
    PinTriesExceeded,
    /// Not enough money.
    InsufficientFunds,
    /// The card must be retained.
    CaptureCard,
    /// Wrong PIN.
    InvalidPin,
    /// The card brand is not accepted.
    CardNotSupported,
    /// Duplicate.
    DuplicateTransaction,
    /// Technical issue.
    TechnicalIssue,
    /// Unknown.
    Unknown,
}

impl Refusal {
    /// Every word, in the spec's order.
    pub const ALL: [Refusal; 11] = [
        Refusal::Approved,
        Refusal::Declined,
        Refusal::ExpiredCard,
        Refusal::PinTriesExceeded,
        Refusal::InsufficientFunds,
        Refusal::CaptureCard,
        Refusal::InvalidPin,
        Refusal::CardNotSupported,
        Refusal::DuplicateTransaction,
        Refusal::TechnicalIssue,
        Refusal::Unknown,
    ];

    /// Wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Approved => "approved",
            Refusal::Declined => "declined",
            Refusal::ExpiredCard => "expiredCard",
            Refusal::PinTriesExceeded => "pinTriesExceeded",
            Refusal::InsufficientFunds => "insufficientFunds",
            Refusal::CaptureCard => "captureCard",
            Refusal::InvalidPin => "invalidPin",
            Refusal::CardNotSupported => "cardNotSupported",
            Refusal::DuplicateTransaction => "duplicateTransaction",
            Refusal::TechnicalIssue => "technicalIssue",
            Refusal::Unknown => "unknown",
        }
    }

    /// Parses a wire spelling.
    #[must_use]
    pub fn parse(word: &str) -> Option<Refusal> {
        Refusal::ALL
            .into_iter()
            .find(|refusal| refusal.as_str() == word)
    }
}

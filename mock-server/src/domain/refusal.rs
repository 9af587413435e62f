//! GP tom's refusal words: the SDK's `RefusalCode` (spec §2.2), the word the app puts in a
//! redirect's `code` and the Cloud API in `refusalCode`, and the authoriser's numeric codes they
//! summarise.

use serde::Serialize;

/// Why a payment was approved or refused: one of the 30 words of the SDK's `RefusalCode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Refusal {
    /// Approved.
    Approved,
    /// Approved, the customer must show an identity document.
    ApprovedRequiredIdentification,
    /// Declined, no reason given.
    Declined,
    /// Card expired.
    ExpiredCard,
    /// Too many wrong PINs.
    PinTriesExceeded,
    /// The issuer asks the merchant to call.
    CallService,
    /// Technical issue at the acquirer or issuer.
    TechnicalIssue,
    /// The request was not valid.
    InvalidRequest,
    /// The card must be retained.
    CaptureCard,
    /// Declined because of a problem with the card.
    DeclinedProblemWithCard,
    /// Invalid data.
    InvalidData,
    /// Not enough money.
    InsufficientFunds,
    /// A usage limit of the card was reached.
    UsageLimitReached,
    /// Duplicate.
    DuplicateTransaction,
    /// The amount is over a limit.
    AmountLimitExceeded,
    /// The card does not support this transaction.
    TransactionIsNotSupported,
    /// Call the issuer for authorisation.
    CallForAuthorization,
    /// Declined, the amount is too low.
    DeclinedLowAmount,
    /// A PIN is required.
    PinRequired,
    /// The card brand is not accepted.
    CardNotSupported,
    /// Wrong PIN.
    InvalidPin,
    /// Technical issue of the terminal.
    TechnicalIssueOfTerminal,
    /// Declined, a purchase is possible.
    DeclinedPurchasePossible,
    /// Invalid message format.
    InvalidFormat,
    /// Delivered.
    Delivered,
    /// Stored.
    Stored,
    /// No more data.
    NoMoreData,
    /// More data exists.
    MoreDataExists,
    /// Invalid supervisor card.
    InvalidSupervisorCard,
    /// Unknown.
    Unknown,
}

/// The authoriser's numeric codes behind each word, as GP tom's SDK groups them
/// (`RefusalCode.from(code:)`): `(first, last, word)`, inclusive ranges.
const NUMERIC: &[(u16, u16, Refusal)] = &[
    (0, 2, Refusal::Approved),
    (3, 4, Refusal::ApprovedRequiredIdentification),
    (5, 10, Refusal::Approved),
    (50, 50, Refusal::Declined),
    (51, 51, Refusal::ExpiredCard),
    (52, 52, Refusal::PinTriesExceeded),
    (53, 53, Refusal::CallService),
    (54, 54, Refusal::TechnicalIssue),
    (55, 56, Refusal::InvalidRequest),
    (57, 57, Refusal::CaptureCard),
    (58, 59, Refusal::DeclinedProblemWithCard),
    (60, 60, Refusal::TechnicalIssue),
    (61, 61, Refusal::DeclinedProblemWithCard),
    (62, 63, Refusal::TechnicalIssue),
    (64, 64, Refusal::InvalidData),
    (65, 65, Refusal::InvalidRequest),
    (66, 66, Refusal::Declined),
    (67, 67, Refusal::CallService),
    (68, 71, Refusal::TechnicalIssue),
    (72, 72, Refusal::DeclinedProblemWithCard),
    (73, 74, Refusal::TechnicalIssue),
    (75, 75, Refusal::InvalidData),
    (76, 76, Refusal::InsufficientFunds),
    (77, 77, Refusal::UsageLimitReached),
    (78, 78, Refusal::DuplicateTransaction),
    (79, 80, Refusal::UsageLimitReached),
    (81, 81, Refusal::AmountLimitExceeded),
    (82, 82, Refusal::UsageLimitReached),
    (83, 83, Refusal::AmountLimitExceeded),
    (84, 84, Refusal::DeclinedProblemWithCard),
    (85, 85, Refusal::TransactionIsNotSupported),
    (86, 86, Refusal::CallForAuthorization),
    (87, 87, Refusal::UsageLimitReached),
    (88, 88, Refusal::CallForAuthorization),
    (89, 89, Refusal::DeclinedProblemWithCard),
    (90, 91, Refusal::TechnicalIssue),
    (92, 92, Refusal::DeclinedLowAmount),
    (93, 93, Refusal::DeclinedProblemWithCard),
    (94, 94, Refusal::InsufficientFunds),
    (95, 95, Refusal::AmountLimitExceeded),
    (96, 96, Refusal::PinRequired),
    (97, 97, Refusal::InvalidData),
    (98, 98, Refusal::TechnicalIssue),
    (99, 99, Refusal::DeclinedProblemWithCard),
    (100, 100, Refusal::TechnicalIssue),
    (101, 101, Refusal::CallForAuthorization),
    (102, 102, Refusal::CallService),
    (103, 104, Refusal::TechnicalIssue),
    (105, 105, Refusal::CardNotSupported),
    (106, 106, Refusal::AmountLimitExceeded),
    (107, 107, Refusal::UsageLimitReached),
    (108, 108, Refusal::TechnicalIssue),
    (109, 109, Refusal::DeclinedLowAmount),
    (110, 110, Refusal::UsageLimitReached),
    (111, 111, Refusal::DeclinedProblemWithCard),
    (112, 112, Refusal::AmountLimitExceeded),
    (113, 113, Refusal::TechnicalIssue),
    (115, 115, Refusal::CallService),
    (120, 122, Refusal::CallService),
    (130, 134, Refusal::DeclinedProblemWithCard),
    (150, 150, Refusal::CallService),
    (200, 200, Refusal::TechnicalIssue),
    (201, 201, Refusal::InvalidPin),
    (202, 202, Refusal::DeclinedLowAmount),
    (203, 203, Refusal::TechnicalIssueOfTerminal),
    (204, 204, Refusal::AmountLimitExceeded),
    (205, 206, Refusal::DeclinedProblemWithCard),
    (207, 207, Refusal::CallService),
    (208, 208, Refusal::InvalidData),
    (209, 209, Refusal::TechnicalIssueOfTerminal),
    (251, 251, Refusal::DeclinedProblemWithCard),
    (400, 400, Refusal::DeclinedProblemWithCard),
    (401, 403, Refusal::TechnicalIssue),
    (404, 407, Refusal::DeclinedProblemWithCard),
    (408, 408, Refusal::Declined),
    (800, 800, Refusal::InvalidFormat),
    (801, 801, Refusal::TechnicalIssue),
    (802, 802, Refusal::TechnicalIssueOfTerminal),
    (809, 809, Refusal::TechnicalIssueOfTerminal),
    (810, 810, Refusal::TechnicalIssue),
    (811, 811, Refusal::CallService),
    (820, 821, Refusal::CallService),
    (870, 870, Refusal::Delivered),
    (871, 871, Refusal::Stored),
    (877, 878, Refusal::TechnicalIssueOfTerminal),
    (880, 880, Refusal::NoMoreData),
    (881, 881, Refusal::MoreDataExists),
    (898, 898, Refusal::CallService),
    (899, 899, Refusal::TechnicalIssue),
    (900, 912, Refusal::CaptureCard),
    (950, 950, Refusal::TechnicalIssueOfTerminal),
    (951, 951, Refusal::InvalidSupervisorCard),
    (952, 954, Refusal::Approved),
];

impl Refusal {
    /// Every word, in the SDK's order after `approved`.
    pub const ALL: [Refusal; 30] = [
        Refusal::Approved,
        Refusal::ApprovedRequiredIdentification,
        Refusal::Declined,
        Refusal::ExpiredCard,
        Refusal::PinTriesExceeded,
        Refusal::CallService,
        Refusal::TechnicalIssue,
        Refusal::InvalidRequest,
        Refusal::CaptureCard,
        Refusal::DeclinedProblemWithCard,
        Refusal::InvalidData,
        Refusal::InsufficientFunds,
        Refusal::UsageLimitReached,
        Refusal::DuplicateTransaction,
        Refusal::AmountLimitExceeded,
        Refusal::TransactionIsNotSupported,
        Refusal::CallForAuthorization,
        Refusal::DeclinedLowAmount,
        Refusal::PinRequired,
        Refusal::CardNotSupported,
        Refusal::InvalidPin,
        Refusal::TechnicalIssueOfTerminal,
        Refusal::DeclinedPurchasePossible,
        Refusal::InvalidFormat,
        Refusal::Delivered,
        Refusal::Stored,
        Refusal::NoMoreData,
        Refusal::MoreDataExists,
        Refusal::InvalidSupervisorCard,
        Refusal::Unknown,
    ];

    /// Wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Approved => "approved",
            Refusal::ApprovedRequiredIdentification => "approvedRequiredIdentification",
            Refusal::Declined => "declined",
            Refusal::ExpiredCard => "expiredCard",
            Refusal::PinTriesExceeded => "pinTriesExceeded",
            Refusal::CallService => "callService",
            Refusal::TechnicalIssue => "technicalIssue",
            Refusal::InvalidRequest => "invalidRequest",
            Refusal::CaptureCard => "captureCard",
            Refusal::DeclinedProblemWithCard => "declinedProblemWithCard",
            Refusal::InvalidData => "invalidData",
            Refusal::InsufficientFunds => "insufficientFunds",
            Refusal::UsageLimitReached => "usageLimitReached",
            Refusal::DuplicateTransaction => "duplicateTransaction",
            Refusal::AmountLimitExceeded => "amountLimitExceeded",
            Refusal::TransactionIsNotSupported => "transactionIsNotSupported",
            Refusal::CallForAuthorization => "callForAuthorization",
            Refusal::DeclinedLowAmount => "declinedLowAmount",
            Refusal::PinRequired => "pinRequired",
            Refusal::CardNotSupported => "cardNotSupported",
            Refusal::InvalidPin => "invalidPin",
            Refusal::TechnicalIssueOfTerminal => "technicalIssueOfTerminal",
            Refusal::DeclinedPurchasePossible => "declinedPurchasePossible",
            Refusal::InvalidFormat => "invalidFormat",
            Refusal::Delivered => "delivered",
            Refusal::Stored => "stored",
            Refusal::NoMoreData => "noMoreData",
            Refusal::MoreDataExists => "moreDataExists",
            Refusal::InvalidSupervisorCard => "invalidSupervisorCard",
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

    /// Whether the word means the payment went through (`approved`,
    /// `approvedRequiredIdentification`), as the SDK's `isApproved`.
    #[must_use]
    pub fn is_approved(self) -> bool {
        matches!(
            self,
            Refusal::Approved | Refusal::ApprovedRequiredIdentification
        )
    }

    /// The word an authoriser's numeric response code stands for; `unknown` for a code GP tom
    /// does not group.
    #[must_use]
    pub fn from_code(code: u16) -> Refusal {
        NUMERIC
            .iter()
            .find(|(first, last, _)| (*first..=*last).contains(&code))
            .map_or(Refusal::Unknown, |(_, _, word)| *word)
    }

    /// The first numeric code GP tom groups under this word (`None` for `unknown` and
    /// `declinedPurchasePossible`, which no code maps to).
    #[must_use]
    pub fn code(self) -> Option<u16> {
        NUMERIC
            .iter()
            .find(|(_, _, word)| *word == self)
            .map(|(first, _, _)| *first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_round_trips_and_every_code_maps_back_to_its_word() {
        for refusal in Refusal::ALL {
            assert_eq!(Refusal::parse(refusal.as_str()), Some(refusal));
            if let Some(code) = refusal.code() {
                assert_eq!(Refusal::from_code(code), refusal, "{code}");
            }
        }
        let without_code: Vec<_> = Refusal::ALL
            .into_iter()
            .filter(|refusal| refusal.code().is_none())
            .collect();
        assert_eq!(
            without_code,
            [Refusal::DeclinedPurchasePossible, Refusal::Unknown]
        );
    }

    #[test]
    fn numeric_codes_follow_the_sdk_grouping() {
        assert_eq!(Refusal::from_code(0), Refusal::Approved);
        assert_eq!(
            Refusal::from_code(4),
            Refusal::ApprovedRequiredIdentification
        );
        assert_eq!(Refusal::from_code(51), Refusal::ExpiredCard);
        assert_eq!(Refusal::from_code(94), Refusal::InsufficientFunds);
        assert_eq!(Refusal::from_code(905), Refusal::CaptureCard);
        assert_eq!(Refusal::from_code(953), Refusal::Approved);
        assert_eq!(Refusal::from_code(11), Refusal::Unknown);
        assert_eq!(Refusal::from_code(999), Refusal::Unknown);
    }
}

//! Reading a `gptom://` link the way GP tom's app reads it (spec §2.1), and writing the redirect
//! the way GP tom's SDK reads it back (§2.2).
//!
//! Invariant: a link is parsed as the SDK's `Deeplink.from(url:)` parses it — `+` is a plus,
//! every value is percent-decoded twice (the example app pre-encodes some), a value that does
//! not survive the second decoding is dropped, the last of repeated parameters wins — and every
//! place where the app ignores or guesses becomes a [`LinkNotice`] for `verify`, never a refusal.
//!
//! Invariant: a redirect value survives both one and two rounds of percent-decoding unchanged:
//! values are percent-encoded with `%20` (never `+`), and a `%` inside JSON is written `\u0025`.
//!
//! Its parts: this file reads a link's query (`parse_deep_link`); `command` reads its parameters
//! into the app's typed command; `redirect` writes the answer back onto the redirect URL.

mod command;
mod redirect;

pub use command::read_command;
pub use redirect::{append_to_redirect, encode_value, redirect_json};

use percent_encoding::percent_decode_str;
use serde::Serialize;

use crate::domain::plan::AppProfile;

/// Why a deep link is not a deep link at all (answered 400, not with a redirect).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotADeepLink(pub String);

/// The operations GP tom's app knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// `transaction/create`.
    Create,
    /// `transaction/refund`.
    Refund,
    /// `transaction/cancel`.
    Cancel,
    /// `transaction/detail`.
    Detail,
    /// `batch/close`.
    BatchClose,
    /// `batch/detail`.
    BatchDetail,
    /// `status`.
    Status,
    /// `login`.
    Login,
    /// `logout`.
    Logout,
    /// `change-password`.
    ChangePassword,
}

impl Operation {
    /// Every operation with its path.
    pub const ALL: [(Operation, &'static str); 10] = [
        (Operation::Create, "transaction/create"),
        (Operation::Refund, "transaction/refund"),
        (Operation::Cancel, "transaction/cancel"),
        (Operation::Detail, "transaction/detail"),
        (Operation::BatchClose, "batch/close"),
        (Operation::BatchDetail, "batch/detail"),
        (Operation::Status, "status"),
        (Operation::Login, "login"),
        (Operation::Logout, "logout"),
        (Operation::ChangePassword, "change-password"),
    ];

    /// The path, `transaction/create`.
    #[must_use]
    pub fn path(self) -> &'static str {
        Operation::ALL
            .iter()
            .find(|(operation, _)| *operation == self)
            .map_or("", |(_, path)| path)
    }

    /// The parameters GP tom reads for this operation (SDK `Deeplink.swift`, seeds 001/002).
    #[must_use]
    pub fn known_parameters(self) -> &'static [&'static str] {
        const COMMON: [&str; 2] = ["redirectUrl", "clientID"];
        match self {
            Operation::Create | Operation::Refund => &[
                "redirectUrl",
                "clientID",
                "amount",
                "originReferenceNum",
                "printByPaymentApp",
                "tipAmount",
                "tipCollect",
                "preferableReceiptType",
                "clientPhone",
                "clientEmail",
                "transactionType",
                "requestID",
                "requestId",
            ],
            Operation::Cancel => &[
                "redirectUrl",
                "clientID",
                "amsID",
                "printByPaymentApp",
                "preferableReceiptType",
                "clientPhone",
                "clientEmail",
                "requestID",
                "requestId",
            ],
            Operation::Detail => &["redirectUrl", "clientID", "amsID", "requestID", "requestId"],
            Operation::BatchClose => &[
                "redirectUrl",
                "clientID",
                "printByPaymentApp",
                "preferableReceiptType",
                "clientPhone",
                "clientEmail",
            ],
            Operation::BatchDetail => &["redirectUrl", "clientID", "amsID"],
            Operation::Login => &["redirectUrl", "clientID", "username", "password", "tid"],
            Operation::ChangePassword => &[
                "redirectUrl",
                "clientID",
                "username",
                "password",
                "newPassword",
                "code",
            ],
            Operation::Status | Operation::Logout => &COMMON,
        }
    }
}

/// The paths GP tom's SDK looks for in a redirect URL to tell which answer it is, in the order
/// it looks (`DeeplinkResult.from(url:)`; a status answer is told by its `appStatus` parameter).
#[must_use]
pub fn sdk_result_paths(profile: AppProfile) -> &'static [(&'static str, Operation)] {
    match profile {
        // `08f1318`.
        AppProfile::Current => &[
            ("transaction/create", Operation::Create),
            ("transaction/cancel", Operation::Cancel),
            ("transaction/refund", Operation::Refund),
            ("change-password", Operation::ChangePassword),
            ("login", Operation::Login),
            ("logout", Operation::Logout),
            ("batch/close", Operation::BatchClose),
        ],
        // `a280f7d`.
        AppProfile::Sdk2025 => &[
            ("transaction/create", Operation::Create),
            ("transaction/cancel", Operation::Cancel),
            ("transaction/refund", Operation::Refund),
            ("batch/close", Operation::BatchClose),
        ],
    }
}

/// What the SDK of `profile` would make of the link's redirect URL: a notice when it would read
/// the answer as another operation's, or as none.
#[must_use]
pub fn classification_notices(link: &DeepLink, profile: AppProfile) -> Vec<LinkNotice> {
    let (Some(operation), Some(redirect)) = (link.operation, link.redirect_url.as_deref()) else {
        return Vec::new();
    };
    let paths = sdk_result_paths(profile);
    let Some((own, _)) = paths.iter().find(|(_, known)| *known == operation) else {
        return Vec::new();
    };
    let read_as = paths.iter().find(|(path, _)| redirect.contains(path));
    let sdk = format!("GP tom's SDK ({})", profile.sdk_commit());
    let message = match read_as {
        Some((_, found)) if *found == operation => return Vec::new(),
        Some((path, _)) => format!(
            "{sdk} recognises the answer by the operation inside the redirect URL (`DeeplinkResult.from(url:)`), and finds `{path}` in `{redirect}` before `{own}`: it would read this answer as `{path}`'s; use e.g. `myshop://{own}`"
        ),
        None => format!(
            "{sdk} recognises the answer by the operation inside the redirect URL (`DeeplinkResult.from(url:)`), and `{redirect}` does not contain `{own}`: use e.g. `myshop://{own}`"
        ),
    };
    vec![LinkNotice::new("redirectUrl", message)]
}

/// Something GP tom's app would ignore or guess in a link it still accepts; `verify` reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LinkNotice {
    /// The parameter.
    pub parameter: String,
    /// What the app does with it, and what to send instead.
    pub message: String,
}

impl LinkNotice {
    /// A notice.
    #[must_use]
    pub fn new(parameter: &str, message: impl Into<String>) -> Self {
        LinkNotice {
            parameter: parameter.to_owned(),
            message: message.into(),
        }
    }
}

/// A parsed deep link.
#[derive(Clone, Debug)]
pub struct DeepLink {
    /// `transaction/create`, … as written.
    pub operation_path: String,
    /// The operation, when GP tom knows it.
    pub operation: Option<Operation>,
    /// Query parameters as the app reads them: decoded twice, the last of repeated ones.
    params: Vec<(String, String)>,
    /// Where to send the result.
    pub redirect_url: Option<String>,
    /// What the app ignored or guessed while reading the link.
    pub notices: Vec<LinkNotice>,
}

impl DeepLink {
    /// A parameter as the app reads it.
    #[must_use]
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Records something the app ignored or guessed.
    pub fn notice(&mut self, parameter: &str, message: impl Into<String>) {
        self.notices.push(LinkNotice::new(parameter, message));
    }
}

/// Decodes `%XX` strictly, as Foundation's `removingPercentEncoding`: `None` when a `%` is not
/// followed by two hex digits or the result is not UTF-8.
fn decode_strict(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let valid = bytes
                .get(index + 1..index + 3)
                .is_some_and(|pair| pair.iter().all(u8::is_ascii_hexdigit));
            if !valid {
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

/// Parses `gptom://operation?query` as GP tom's app does.
pub fn parse_deep_link(text: &str) -> Result<DeepLink, NotADeepLink> {
    let url = url::Url::parse(text.trim())
        .map_err(|error| NotADeepLink(format!("`url` is not a URL: {error}")))?;
    if url.scheme() != "gptom" {
        return Err(NotADeepLink(format!(
            "`url` must use the gptom:// scheme, found {}://",
            url.scheme()
        )));
    }
    let operation_path = format!("{}{}", url.host_str().unwrap_or(""), url.path())
        .trim_end_matches('/')
        .to_owned();
    let operation = Operation::ALL
        .iter()
        .find(|(_, path)| *path == operation_path)
        .map(|(operation, _)| *operation);
    let mut params: Vec<(String, String)> = Vec::new();
    let mut notices = Vec::new();
    for pair in url.query().unwrap_or("").split('&') {
        if pair.is_empty() {
            continue;
        }
        let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_decode_str(raw_name)
            .decode_utf8_lossy()
            .into_owned();
        // URLComponents decodes once and keeps `+`; the SDK then removes percent-encoding again.
        let once = percent_decode_str(raw_value)
            .decode_utf8_lossy()
            .into_owned();
        let Some(twice) = decode_strict(&once) else {
            notices.push(LinkNotice::new(
                &name,
                format!(
                    "GP tom decodes every value twice; after the first decoding `{once}` is not valid percent-encoding, so the app drops the parameter: encode a literal % as %2525"
                ),
            ));
            params.retain(|(key, _)| *key != name);
            continue;
        };
        if params.iter().any(|(key, _)| *key == name) {
            notices.push(LinkNotice::new(
                &name,
                "is given more than once; GP tom keeps only the last one",
            ));
            params.retain(|(key, _)| *key != name);
        }
        params.push((name, twice));
    }
    if let Some(operation) = operation {
        let known = operation.known_parameters();
        for (name, _) in &params {
            if !known.contains(&name.as_str()) {
                let hint = known
                    .iter()
                    .filter(|candidate| strsim::damerau_levenshtein(name, candidate) <= 2)
                    .min_by_key(|candidate| strsim::damerau_levenshtein(name, candidate))
                    .map_or_else(String::new, |near| format!(" (did you mean `{near}`?)"));
                notices.push(LinkNotice::new(
                    name,
                    format!(
                        "is not a parameter of `{}`; GP tom ignores it{hint}",
                        operation.path()
                    ),
                ));
            }
        }
    }
    let redirect_url = params
        .iter()
        .find(|(key, _)| key == "redirectUrl")
        .map(|(_, value)| value.clone());
    if let Some(redirect) = &redirect_url {
        url::Url::parse(redirect)
            .map_err(|error| NotADeepLink(format!("`redirectUrl` is not a URL: {error}")))?;
    }
    Ok(DeepLink {
        operation_path,
        operation,
        params,
        redirect_url,
        notices,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(text: &str) -> DeepLink {
        parse_deep_link(text).unwrap_or_else(|error| panic!("{error:?}"))
    }

    #[test]
    fn only_gptom_urls_are_deep_links() {
        assert!(parse_deep_link("https://example.com/transaction/create").is_err());
        assert!(parse_deep_link("not a url").is_err());
        assert!(parse_deep_link("gptom://transaction/create?redirectUrl=%20nope").is_err());
        assert_eq!(
            link("gptom://transaction/create?amount=100").operation,
            Some(Operation::Create)
        );
        assert_eq!(link("gptom://teleport").operation, None);
        assert_eq!(
            link("gptom://change-password").operation,
            Some(Operation::ChangePassword)
        );
    }

    #[test]
    fn a_plus_is_a_plus_and_values_are_decoded_twice() {
        let parsed = link(
            "gptom://transaction/create?amount=2&clientPhone=+420606505404&originReferenceNum=Faktura%2520%25C4%258D%25205",
        );
        assert_eq!(parsed.param("clientPhone"), Some("+420606505404"));
        assert_eq!(parsed.param("originReferenceNum"), Some("Faktura č 5"));
        assert!(parsed.notices.is_empty(), "{:?}", parsed.notices);
    }

    #[test]
    fn a_value_that_fails_the_second_decoding_is_dropped_with_a_notice() {
        let parsed = link("gptom://transaction/create?amount=2&originReferenceNum=10%25%20off");
        assert_eq!(parsed.param("originReferenceNum"), None);
        assert_eq!(parsed.notices.len(), 1);
        assert!(parsed.notices[0].message.contains("%2525"));
    }

    #[test]
    fn the_last_repeated_parameter_wins_and_unknown_ones_are_noticed() {
        let parsed = link("gptom://transaction/create?amount=1&amount=2&paymentMetod=CARD");
        assert_eq!(parsed.param("amount"), Some("2"));
        let messages: Vec<_> = parsed.notices.iter().map(|n| n.message.clone()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[1].contains("ignores"), "{messages:?}");
    }

    #[test]
    fn a_redirect_the_sdk_cannot_classify_is_noticed() {
        let current = AppProfile::Current;
        let parsed = link("gptom://transaction/create?amount=2&redirectUrl=myshop://gptom-result");
        assert_eq!(classification_notices(&parsed, current).len(), 1);
        let parsed =
            link("gptom://transaction/create?amount=2&redirectUrl=myshop://transaction/create");
        assert!(classification_notices(&parsed, current).is_empty());
        // Today's SDK reads login answers (`08f1318`); the 2025 one had no such result.
        let parsed = link("gptom://login?username=a&password=b&redirectUrl=myshop://done");
        assert_eq!(classification_notices(&parsed, current).len(), 1);
        assert!(classification_notices(&parsed, AppProfile::Sdk2025).is_empty());
        // `login` is looked for before `batch/close`: this answer would be read as a login's.
        let parsed = link("gptom://batch/close?redirectUrl=myshop://login/batch/close");
        let notices = classification_notices(&parsed, current);
        assert!(notices[0].message.contains("before"), "{notices:?}");
        assert!(classification_notices(&parsed, AppProfile::Sdk2025).is_empty());
    }

    #[test]
    fn redirect_values_survive_one_and_two_decodings() {
        let json = redirect_json(r#"{"referenceNumber":"10% off + more"}"#);
        let url = append_to_redirect("gp://transaction/create?x=1#top", &[("receipt", json)]);
        assert!(
            url.starts_with("gp://transaction/create?x=1&receipt=%7B"),
            "{url}"
        );
        assert!(url.ends_with("#top"), "{url}");
        assert!(!url.contains('+') && !url.contains(' '), "{url}");
        let value = url
            .split("receipt=")
            .nth(1)
            .and_then(|rest| rest.split('#').next())
            .unwrap_or_default();
        let once = percent_decode_str(value).decode_utf8_lossy().into_owned();
        let twice = decode_strict(&once).unwrap_or_default();
        assert_eq!(once, twice);
        let parsed: serde_json::Value = serde_json::from_str(&twice).unwrap_or_default();
        assert_eq!(parsed["referenceNumber"], "10% off + more");
    }
}

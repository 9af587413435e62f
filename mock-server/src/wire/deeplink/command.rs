//! A link's parameters read into the app's typed command, as GP tom's app reads them.

use super::{DeepLink, LinkNotice, Operation};
use crate::domain::app::{
    AppCommand, AppError, AppRefusal, CancelInput, ChangePasswordInput, DetailKey, Extras,
    LoginInput, PaymentInput,
};
use crate::domain::plan::AppProfile;
use crate::domain::request::{
    FieldError, MAX_AMOUNT, MAX_APP_REFERENCE_LEN, MAX_REFERENCE_LEN, PaymentMethod, ReceiptType,
    TransactionType,
};

/// A link's operation read into what the app acts on, with what the app ignores or guesses while
/// reading its parameters (reported when it carries the operation out).
#[must_use]
pub fn read_command(link: &DeepLink, profile: AppProfile) -> (AppCommand, Vec<LinkNotice>) {
    let mut reader = Reader {
        link,
        profile,
        notices: Vec::new(),
    };
    let command = match link.operation {
        None => AppCommand::Unknown(link.operation_path.clone()),
        Some(Operation::Login) => AppCommand::Login(reader.login()),
        Some(Operation::Logout) => AppCommand::Logout,
        Some(Operation::Status) => AppCommand::Status,
        Some(Operation::ChangePassword) => AppCommand::ChangePassword(reader.change_password()),
        Some(Operation::Create) => AppCommand::Pay(reader.payment(TransactionType::Sale)),
        Some(Operation::Refund) => AppCommand::Pay(reader.payment(TransactionType::Refund)),
        Some(Operation::Cancel) => AppCommand::Cancel(reader.cancel()),
        Some(Operation::Detail) => AppCommand::Detail(reader.detail()),
        Some(Operation::BatchClose) => AppCommand::BatchClose,
        Some(Operation::BatchDetail) => AppCommand::BatchDetail,
    };
    (command, reader.notices)
}

/// The longest free text a deep link leaves in the store (reference, contact, request id): the
/// store keeps every payment for good, so a 60 KB parameter must not stay 60 KB.
const KEPT_TEXT: usize = MAX_REFERENCE_LEN;

/// Reads a link's parameters as GP tom's app does, noting what it ignores or guesses.
struct Reader<'a> {
    link: &'a DeepLink,
    /// The app generation reading the link.
    profile: AppProfile,
    notices: Vec<LinkNotice>,
}

impl<'a> Reader<'a> {
    fn notice(&mut self, parameter: &str, message: String) {
        self.notices.push(LinkNotice::new(parameter, message));
    }

    /// `true`/`false` exactly, as Swift's `Bool(String)`; anything else is ignored (the default
    /// applies) and noticed.
    fn flag(&mut self, name: &str, default: bool) -> bool {
        match self.link.param(name) {
            None => default,
            Some("true") => true,
            Some("false") => false,
            Some(other) => {
                self.notice(
                    name,
                    format!(
                        "`{other}` is not `true` or `false`; GP tom ignores it and uses {default}"
                    ),
                );
                default
            }
        }
    }

    /// `preferableReceiptType`: the SDK's `SMS`/`EMAIL`/`QR`/`PRINT` and the docs' `PHONE` and
    /// lower case; anything else is ignored and noticed.
    fn receipt_type(&mut self) -> Option<ReceiptType> {
        let text = self.link.param("preferableReceiptType")?;
        let parsed = ReceiptType::parse(text);
        if parsed.is_none() {
            self.notice(
                "preferableReceiptType",
                format!("`{text}` is not SMS, EMAIL, QR or PRINT; GP tom ignores it"),
            );
        }
        parsed
    }

    /// A free-text parameter as the store keeps it: at most [`KEPT_TEXT`] characters; what is
    /// cut is noticed.
    fn kept_text(&mut self, name: &str) -> Option<Box<str>> {
        let text = self.link.param(name)?;
        match text.char_indices().nth(KEPT_TEXT) {
            None => Some(Box::from(text)),
            Some((end, _)) => {
                self.notice(
                    name,
                    format!(
                        "is {} characters; the mock keeps the first {KEPT_TEXT}",
                        text.chars().count()
                    ),
                );
                Some(Box::from(&text[..end]))
            }
        }
    }

    /// The caller's request id: `requestID` (spec) or `requestId` (GP tom's example app).
    fn request_id(&mut self) -> Option<Box<str>> {
        if self.link.param("requestID").is_some() {
            self.kept_text("requestID")
        } else {
            self.kept_text("requestId")
        }
    }

    /// `clientID`: empty is absent (GP tom's example app sends `clientID=`); over 50 characters
    /// is GP tom's `invalidClientId`.
    fn client_id(&self) -> Result<Option<Box<str>>, AppRefusal> {
        match self.link.param("clientID").filter(|id| !id.is_empty()) {
            Some(id) if id.chars().count() > 50 => Err(AppRefusal::new(
                AppError::InvalidClientId,
                "clientID",
                "must be at most 50 characters",
            )),
            other => Ok(other.map(Box::from)),
        }
    }

    /// Receipt, contact and ids, read after the operation's own parameters.
    fn extras(
        &mut self,
        print: bool,
        receipt_type: Option<ReceiptType>,
    ) -> Result<Extras, AppRefusal> {
        let client_id = self.client_id()?;
        Ok(Extras {
            print,
            receipt_type,
            client_id,
            client_email: self.kept_text("clientEmail"),
            client_phone: self.kept_text("clientPhone"),
            request_id: self.request_id(),
        })
    }

    fn login(&mut self) -> Result<LoginInput, AppRefusal> {
        let link = self.link;
        let (Some(username), Some(password)) = (link.param("username"), link.param("password"))
        else {
            return Err(AppRefusal {
                error: AppError::InvalidCredentials,
                problems: ["username", "password"]
                    .into_iter()
                    .filter(|name| link.param(name).is_none())
                    .map(|name| FieldError::new(name, "is mandatory"))
                    .collect(),
            });
        };
        Ok(LoginInput {
            username: username.to_owned(),
            password: password.to_owned(),
            tid: link.param("tid").map(str::to_owned),
        })
    }

    /// `change-password`: the SDK's `ChangePasswordParams` need `username`, `password` and
    /// `newPassword`; `code` (the confirmation code) is optional, empty is absent.
    fn change_password(&mut self) -> Result<Option<ChangePasswordInput>, AppRefusal> {
        let link = self.link;
        if ["username", "password", "newPassword"]
            .iter()
            .all(|name| link.param(name).is_none())
        {
            return Ok(None);
        }
        let (Some(username), Some(password), Some(new_password)) = (
            link.param("username"),
            link.param("password"),
            link.param("newPassword"),
        ) else {
            return Err(AppRefusal {
                error: AppError::InvalidCredentials,
                problems: ["username", "password", "newPassword"]
                    .into_iter()
                    .filter(|name| link.param(name).is_none())
                    .map(|name| FieldError::new(name, "is mandatory"))
                    .collect(),
            });
        };
        Ok(Some(ChangePasswordInput {
            username: username.to_owned(),
            password: password.to_owned(),
            new_password: new_password.to_owned(),
            code: link
                .param("code")
                .filter(|code| !code.is_empty())
                .map(str::to_owned),
        }))
    }

    fn payment(&mut self, kind: TransactionType) -> Result<PaymentInput, AppRefusal> {
        // Swift's `Int64(String)`: optional sign, digits only.
        let amount = self
            .link
            .param("amount")
            .and_then(|text| text.parse::<i64>().ok())
            .filter(|amount| *amount > 0 && *amount <= MAX_AMOUNT)
            .ok_or_else(|| {
                AppRefusal::new(
                    AppError::InvalidAmount,
                    "amount",
                    "is mandatory and must be a whole number of minor units (1000 = 10.00), greater than 0",
                )
            })?;
        let print = self.flag("printByPaymentApp", true);
        let tip_collect = self.flag("tipCollect", false);
        // The SDK reads an unreadable tip as 0.
        let tip_amount = match self.link.param("tipAmount") {
            None => 0,
            Some(text) => match text.parse::<i64>() {
                Ok(tip) if (0..=MAX_AMOUNT).contains(&tip) => tip,
                _ => {
                    self.notice(
                        "tipAmount",
                        format!("`{text}` is not a whole number of minor units, 0 or more; GP tom reads it as 0"),
                    );
                    0
                }
            },
        };
        if let Some(reference) = self.link.param("originReferenceNum") {
            let length = reference.chars().count();
            if length > MAX_APP_REFERENCE_LEN {
                self.notice(
                    "originReferenceNum",
                    format!(
                        "is {length} characters; GP tom documents at most {MAX_APP_REFERENCE_LEN}"
                    ),
                );
            }
        }
        let reference = self.kept_text("originReferenceNum");
        let receipt_type = self.receipt_type();
        let method = match self.link.param("transactionType") {
            None => PaymentMethod::Card,
            // GoCrypto left GP tom's SDK at `5e1ec77` (2026-05-26): the current SDK cannot build
            // it, and a receipt naming it would not decode.
            Some(text)
                if self.profile == AppProfile::Current
                    && PaymentMethod::parse(text) == Some(PaymentMethod::GoCrypto) =>
            {
                self.notice(
                    "transactionType",
                    format!("`{text}` is no longer a payment method of GP tom's app (its SDK dropped it at 5e1ec77, 2026-05-26); the app ignores it and takes a card payment. Apps built with a 2025 SDK: `--app-profile 2025` or a scenario's `wire: {{ app: \"2025\" }}`"),
                );
                PaymentMethod::Card
            }
            Some(text) => PaymentMethod::parse(text).unwrap_or_else(|| {
                let words = match self.profile {
                    AppProfile::Current => {
                        "CARD, CASH, ACCOUNT_PAYMENT, BLIK_PAYMENT, PAYMENT_GATEWAY"
                    }
                    AppProfile::Sdk2025 => {
                        "CARD, CASH, ACCOUNT_PAYMENT, BLIK_PAYMENT, PAYMENT_GATEWAY, GO_CRYPTO"
                    }
                };
                self.notice(
                    "transactionType",
                    format!(
                        "`{text}` is not one of {words}; GP tom ignores it and takes a card payment"
                    ),
                );
                PaymentMethod::Card
            }),
        };
        Ok(PaymentInput {
            kind,
            amount,
            tip_amount,
            tip_collect,
            method,
            reference,
            extras: self.extras(print, receipt_type)?,
        })
    }

    fn cancel(&mut self) -> Result<CancelInput, AppRefusal> {
        let ams_id = self
            .link
            .param("amsID")
            .filter(|ams_id| !ams_id.is_empty())
            .ok_or_else(|| {
                AppRefusal::new(
                    AppError::CannotBeVoided,
                    "amsID",
                    "is mandatory: the amsID of the receipt of the payment to cancel",
                )
            })?;
        self.client_id()?;
        let print = self.flag("printByPaymentApp", true);
        let receipt_type = self.receipt_type();
        Ok(CancelInput {
            ams_id: Box::from(ams_id),
            extras: self.extras(print, receipt_type)?,
        })
    }

    fn detail(&mut self) -> Result<DetailKey, AppRefusal> {
        let link = self.link;
        if let Some(ams_id) = link.param("amsID") {
            Ok(DetailKey::AmsId(ams_id.to_owned()))
        } else if let Some(wanted) = link.param("requestID").or_else(|| link.param("requestId")) {
            Ok(DetailKey::RequestId(wanted.to_owned()))
        } else {
            Err(AppRefusal::new(
                AppError::Failed,
                "amsID",
                "amsID or requestID is mandatory",
            ))
        }
    }
}

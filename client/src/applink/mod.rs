//! App-to-app deep links: build `gptom://…` URLs and read the redirect GP tom answers with.
//!
//! Both halves follow GP tom's own iOS SDK (`GPtomSDK`), the client GP tom's app is built to
//! talk to:
//! - a link's values are percent-encoded with `%20` for a space and `%2B` for a plus (the app
//!   keeps `+` as a plus), and a literal `%` is encoded twice (the app decodes twice);
//! - [`parse_redirect`] reads a redirect as `DeeplinkResult.from(url:)` does: the operation from
//!   the redirect URL's own path, every value percent-decoded twice, `status` a `TaskStatus`,
//!   `code` a `RefusalCode`, `error` a `DeeplinkError`, and `receipt`, `batch` and `appStatus`
//!   decoded with the SDK models' types. Whatever the SDK would reject or drop is left out of the
//!   result, exactly as in a Swift app, and listed in [`AppResult::problems`] so you can see why.
//!
//! ```
//! use gptom_client::applink::{AppLink, parse_redirect, ResultKind, TaskStatus};
//!
//! let link = AppLink::transaction_create(435)
//!     .reference("Order 7")
//!     .redirect_url("myshop://transaction/create")
//!     .build()?;
//! assert_eq!(link, "gptom://transaction/create?amount=435&originReferenceNum=Order%207&redirectUrl=myshop%3A%2F%2Ftransaction%2Fcreate");
//!
//! let result = parse_redirect("myshop://transaction/create?status=COMPLETED&code=approved&receipt=%7B%22amount%22%3A%224.35%22%7D")?;
//! assert_eq!(result.kind, Some(ResultKind::CreateTransaction));
//! assert_eq!(result.status, Some(TaskStatus::Completed));
//! assert_eq!(result.receipt.and_then(|receipt| receipt.amount_minor()), Some(435));
//! assert!(result.problems.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The module's parts: `build` writes links, `model` holds the SDK's models and word lists, the
//! redirect reader is `redirect` (the parameters) and `decode` (each model's JSON).

mod build;
mod decode;
mod model;
mod redirect;

pub use build::AppLink;
pub use model::*;
pub use redirect::{parse_redirect, parse_redirect_as};

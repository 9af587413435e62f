//! The fixtures: accounts, terminals and card ranges, embedded from `fixtures/` at build time or
//! read from a directory given with `--fixtures DIR`.

use std::path::Path;

use serde::Deserialize;

use crate::domain::card::CardRange;

const EMBEDDED_ACCOUNTS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/accounts.json"
));
const EMBEDDED_CARDS: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cards.json"));

/// An integrator's OAuth client credentials (sent as HTTP Basic).
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientCredentials {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret`.
    pub client_secret: String,
    /// Free text.
    #[serde(default)]
    pub note: Option<String>,
}

/// A merchant (AMS merchant ID) and the company it belongs to.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Merchant {
    /// GP tom's merchant ID.
    pub merchant_id: String,
    /// Display name.
    pub name: String,
    /// The company: a master account sees every terminal of its company.
    pub company: String,
    /// Where the merchant is (the app's `status` shows it as the SDK's `Address`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

/// A postal address, as GP tom's iOS SDK's `Address` (every part optional).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Town.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// County or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
    /// House number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub house: Option<String>,
    /// The place's name (a shopping centre, a market).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Street.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
}

/// A merchant's login.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct User {
    /// Login e-mail.
    pub username: String,
    /// Password (fixtures only; never logged).
    pub password: String,
    /// The merchant the user belongs to.
    pub merchant_id: String,
    /// A master API account: logs in without a TID and names the terminal per call.
    #[serde(default)]
    pub master: bool,
}

/// A payment terminal (TID).
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Terminal {
    /// Terminal ID.
    pub tid: String,
    /// Owning merchant.
    pub merchant_id: String,
    /// ISO 4217 letters.
    pub currency: crate::domain::currency::CurrencyCode,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// The number of the batch open at start.
    #[serde(default = "one")]
    pub first_batch_number: u32,
}

fn one() -> u32 {
    1
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AccountsFile {
    clients: Vec<ClientCredentials>,
    merchants: Vec<Merchant>,
    users: Vec<User>,
    terminals: Vec<Terminal>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CardsFile {
    #[serde(default)]
    #[allow(dead_code, reason = "documentation field of the file")]
    note: Option<String>,
    cards: Vec<CardRange>,
}

/// Everything the mock starts from.
#[derive(Clone, Debug)]
pub struct Fixtures {
    /// OAuth clients.
    pub clients: Vec<ClientCredentials>,
    /// Merchants.
    pub merchants: Vec<Merchant>,
    /// Users.
    pub users: Vec<User>,
    /// Terminals.
    pub terminals: Vec<Terminal>,
    /// Card ranges for generated card data.
    pub cards: Vec<CardRange>,
}

/// Why fixtures could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FixturesError {
    /// A file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file is not valid.
    #[error("{file}: {source}")]
    Parse {
        /// The file.
        file: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// The data contradicts itself.
    #[error("{0}")]
    Inconsistent(String),
}

impl Fixtures {
    /// The fixtures embedded in the binary (`fixtures/` of the repository).
    pub fn embedded() -> Result<Self, FixturesError> {
        Self::from_texts(EMBEDDED_ACCOUNTS, EMBEDDED_CARDS)
    }

    /// Reads `accounts.json` and `cards.json` from `dir`.
    pub fn from_dir(dir: &Path) -> Result<Self, FixturesError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|source| FixturesError::Read {
                path: path.display().to_string(),
                source,
            })
        };
        Self::from_texts(&read("accounts.json")?, &read("cards.json")?)
    }

    /// Parses and cross-checks the two fixture files.
    pub fn from_texts(accounts: &str, cards: &str) -> Result<Self, FixturesError> {
        let accounts: AccountsFile =
            serde_json::from_str(accounts).map_err(|source| FixturesError::Parse {
                file: "accounts.json".into(),
                source,
            })?;
        let cards: CardsFile =
            serde_json::from_str(cards).map_err(|source| FixturesError::Parse {
                file: "cards.json".into(),
                source,
            })?;
        let fixtures = Fixtures {
            clients: accounts.clients,
            merchants: accounts.merchants,
            users: accounts.users,
            terminals: accounts.terminals,
            cards: cards.cards,
        };
        fixtures.check()?;
        Ok(fixtures)
    }

    fn check(&self) -> Result<(), FixturesError> {
        let merchant_known = |id: &str| self.merchants.iter().any(|m| m.merchant_id == id);
        for user in &self.users {
            if !merchant_known(&user.merchant_id) {
                return Err(FixturesError::Inconsistent(format!(
                    "user {} names unknown merchant {}",
                    user.username, user.merchant_id
                )));
            }
        }
        for terminal in &self.terminals {
            if !merchant_known(&terminal.merchant_id) {
                return Err(FixturesError::Inconsistent(format!(
                    "terminal {} names unknown merchant {}",
                    terminal.tid, terminal.merchant_id
                )));
            }
        }
        for range in &self.cards {
            range.check().map_err(FixturesError::Inconsistent)?;
        }
        if self.cards.is_empty() {
            return Err(FixturesError::Inconsistent(
                "cards.json lists no card range".into(),
            ));
        }
        Ok(())
    }

    /// The company of a merchant.
    #[must_use]
    pub fn company_of(&self, merchant_id: &str) -> Option<&str> {
        self.merchants
            .iter()
            .find(|merchant| merchant.merchant_id == merchant_id)
            .map(|merchant| merchant.company.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_fixtures_load_and_hold_the_documented_accounts() {
        let fixtures = Fixtures::embedded().expect("embedded fixtures load");
        assert!(
            fixtures
                .clients
                .iter()
                .any(|c| c.client_id == "atom" && c.client_secret == "ashfuf4e5fa")
        );
        let tids: Vec<&str> = fixtures.terminals.iter().map(|t| t.tid.as_str()).collect();
        assert_eq!(tids, ["999888", "999889", "777666"]);
        assert!(fixtures.users.iter().any(|u| u.master));
    }

    #[test]
    fn a_user_of_an_unknown_merchant_is_refused() {
        let accounts = r#"{"clients":[],"merchants":[],"users":[{"username":"a","password":"b","merchantId":"x"}],"terminals":[]}"#;
        let error = Fixtures::from_texts(accounts, EMBEDDED_CARDS).expect_err("inconsistent");
        assert!(error.to_string().contains("unknown merchant x"));
    }

    #[test]
    fn a_terminal_currency_that_is_no_code_is_named_with_its_place() {
        let accounts = r#"{"clients":[],"merchants":[],"users":[],"terminals":[
            {"tid":"1","merchantId":"m","currency":"czk"}]}"#;
        let error = Fixtures::from_texts(accounts, EMBEDDED_CARDS)
            .expect_err("not a code")
            .to_string();
        assert!(
            error.contains("czk") && error.contains("ISO 4217") && error.contains("line 2"),
            "{error}"
        );
    }
}

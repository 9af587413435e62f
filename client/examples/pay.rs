//! Pays 10.00 CZK on terminal 999888 of a running mock and prints the outcome.
//!
//! ```text
//! cargo run --release -p gptom-mock &                      # the mock on 127.0.0.1:8080
//! cargo run -p gptom-client --example pay                  # or: -- http://host:port 1122
//! ```

use gptom_client::{Client, PaymentOutcome, SaleRequest, WaitOptions};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let base_url = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let amount: i64 = args
        .next()
        .map(|text| text.parse())
        .transpose()?
        .unwrap_or(1000);
    let client = Client::builder(base_url)
        .client_credentials("atom", "ashfuf4e5fa")
        .user("jan.novak@example.com", "ABCDEFGHIJKL")
        .terminal("999888")
        .wait_options(WaitOptions {
            initial_interval: std::time::Duration::from_millis(500),
            ..WaitOptions::default()
        })
        .build()?;
    match client
        .pay(SaleRequest::new(amount, "CZK").reference("example pay.rs"))
        .await?
    {
        PaymentOutcome::Approved(receipt) => println!(
            "approved: {} {} on {} {}, auth code {}, amsID {}",
            receipt.total_amount,
            receipt.currency_code.unwrap_or_default(),
            receipt.card_type.unwrap_or_default(),
            receipt.card_number.unwrap_or_default(),
            receipt.authorization_code.unwrap_or_default(),
            receipt.ams_id
        ),
        PaymentOutcome::Declined { refusal, .. } => println!("declined: {refusal}"),
        PaymentOutcome::Cancelled { code, .. } => {
            println!("cancelled at the terminal (code {code:?})")
        }
        PaymentOutcome::Failed { code, message, .. } => println!("failed: {code:?} {message:?}"),
    }
    Ok(())
}

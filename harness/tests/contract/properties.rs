//! Random sales through the real client uphold GP tom's invariants.

use std::collections::HashMap;

use gptom_client::{BatchOutcome, PaymentMethod, PaymentOutcome, SaleRequest};
use gptom_harness::MockGptom;
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct Sale {
    amount: i64,
    tip: i64,
    cash: bool,
    reference: Option<String>,
    terminal: usize,
}

fn sale() -> impl Strategy<Value = Sale> {
    (
        prop_oneof![1i64..100_000, Just(1122i64), Just(1124i64)],
        prop_oneof![Just(0i64), 1i64..500],
        any::<bool>(),
        proptest::option::of("[A-Za-z0-9 ]{1,20}"),
        0usize..2,
    )
        .prop_map(|(amount, tip, cash, reference, terminal)| Sale {
            amount,
            tip,
            cash,
            reference,
            terminal,
        })
}

const TERMINALS: [&str; 2] = ["999888", "999889"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn random_sales_uphold_the_invariants(sales in proptest::collection::vec(sale(), 1..8)) {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        runtime.block_on(async {
            let mock = MockGptom::start().await.expect("mock");
            let clients: Vec<_> = TERMINALS.iter().map(|tid| mock.client_for("jan.novak@example.com", tid)).collect();
            let mut accepted_total: HashMap<usize, i64> = HashMap::new();
            for sale in &sales {
                let mut request = SaleRequest::new(sale.amount, "CZK").tip(sale.tip);
                if sale.cash { request = request.method(PaymentMethod::Cash); }
                if let Some(reference) = &sale.reference { request = request.reference(reference.clone()); }
                let client = &clients[sale.terminal];
                let outcome = client.pay(request).await.map_err(|error| TestCaseError::fail(error.to_string()))?;
                if let Some(transaction) = outcome.transaction() {
                    prop_assert_eq!(transaction.total_amount, transaction.amount + transaction.tip_amount);
                    prop_assert_eq!(transaction.amount, sale.amount);
                    prop_assert_eq!(transaction.terminal_id.as_deref(), Some(TERMINALS[sale.terminal]));
                }
                match &outcome {
                    PaymentOutcome::Approved(transaction) => {
                        prop_assert_eq!(transaction.authorization_code.is_some(), !sale.cash);
                        *accepted_total.entry(sale.terminal).or_default() += sale.amount + sale.tip;
                    }
                    PaymentOutcome::Declined { transaction, .. } => prop_assert!(transaction.authorization_code.is_none()),
                    PaymentOutcome::Failed { task, .. } => {
                        // a final state is final
                        let again = client.get_task(&task.task_id).await.map_err(|error| TestCaseError::fail(error.to_string()))?;
                        prop_assert_eq!(&again.state, &task.state);
                    }
                    PaymentOutcome::Cancelled { .. } => prop_assert!(false, "nothing cancels in the default scenario"),
                }
            }
            let journal = mock.journal();
            let creations = journal.iter().filter(|entry| entry.path() == "/v1/tasks/TRANSACTION").count();
            prop_assert_eq!(creations, sales.len(), "the journal holds every creation");
            for (index, client) in clients.iter().enumerate() {
                let BatchOutcome::Closed(batch) = client.close_batch_and_read().await.map_err(|error| TestCaseError::fail(error.to_string()))? else {
                    return Err(TestCaseError::fail("batch close failed"));
                };
                prop_assert_eq!(batch.totals.total_amount, accepted_total.get(&index).copied().unwrap_or(0));
            }
            Ok(())
        })?;
    }
}

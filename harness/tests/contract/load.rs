//! Load with invariants: hundreds of concurrent clients run complete flows (sales, polls, stornos,
//! batch closes, token refreshes) with scenario faults switched on; afterwards the state must be
//! exactly what the clients saw. Loopback only, bounded in count and time.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use gptom_client::{BatchOutcome, CancelOutcome, Error, PaymentOutcome, SaleRequest};
use gptom_harness::MockGptom;

/// Concurrent clients: 200 in CI, `LOAD_CLIENTS=1000` for the long run.
fn clients() -> usize {
    std::env::var("LOAD_CLIENTS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(200)
}
const FLOWS_PER_CLIENT: usize = 15;
const TERMINALS: usize = 10;

fn scenario() -> String {
    let mut text = String::from(
        "version: 1\nname: load\ndescription: load with faults\n\
         faults:\n\
         \x20 - { method: POST, path: /v1/tasks/TRANSACTION, probability: 0.05, respond: { status: 503, retry_after: 0 } }\n\
         \x20 - { method: GET, path: /v1/tasks/*, probability: 0.05, respond: { status: 502 } }\n\
         initial:\n  terminals:\n",
    );
    for index in 0..TERMINALS {
        text.push_str(&format!(
            "    - {{ tid: \"55{index:04}\", merchant_id: \"1000100\", currency: CZK }}\n"
        ));
    }
    text
}

#[derive(Default)]
struct Seen {
    /// transaction id -> (terminal index, signed amount for the batch)
    transactions: HashMap<String, (usize, i64)>,
    flows: usize,
    refused_creations: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundreds_of_concurrent_clients_leave_a_consistent_state() {
    // The journal is sized to hold the whole load, so the creations it shows can be counted.
    let mut config = gptom_mock::MockConfig::embedded().expect("fixtures");
    config.journal_capacity = clients() * FLOWS_PER_CLIENT * 40;
    config.journal_bytes = config.journal_capacity * 4096;
    config.scenarios = vec![std::sync::Arc::new(
        gptom_mock::scenario::load_str("load", &scenario()).expect("scenario"),
    )];
    let mock = MockGptom::start_configured(config, gptom_harness::WARP)
        .await
        .expect("mock");
    let run = async {
        let mut workers = Vec::new();
        for client_index in 0..clients() {
            let terminal = client_index % TERMINALS;
            let client = mock.client_for("jan.novak@example.com", &format!("55{terminal:04}"));
            workers.push(tokio::spawn(async move {
                let mut seen = Seen::default();
                for flow in 0..FLOWS_PER_CLIENT {
                    let amount = match (client_index + flow) % 7 {
                        0 => 1122,
                        1 => 1124,
                        other => 100 + (client_index * 31 + other) as i64,
                    };
                    match client.pay(SaleRequest::new(amount, "CZK")).await {
                        Ok(outcome) => {
                            seen.flows += 1;
                            match &outcome {
                                PaymentOutcome::Approved(transaction) => {
                                    seen.transactions.insert(
                                        transaction.transaction_id.clone(),
                                        (terminal, transaction.total_amount),
                                    );
                                }
                                PaymentOutcome::Declined { transaction, .. } => {
                                    seen.transactions
                                        .insert(transaction.transaction_id.clone(), (terminal, 0));
                                }
                                _ => {}
                            }
                            if flow % 3 == 2
                                && let Ok(CancelOutcome::Cancelled(storno)) =
                                    client.cancel_last().await
                            {
                                seen.transactions.insert(
                                    storno.transaction_id.clone(),
                                    (terminal, -storno.total_amount),
                                );
                            }
                        }
                        // 503 beyond the client's retries: GP tom refused, nothing was created.
                        Err(Error::Http { status: 503, .. }) => seen.refused_creations += 1,
                        Err(error) => panic!("client {client_index} flow {flow}: {error}"),
                    }
                }
                seen
            }));
        }
        let mut all = Vec::new();
        for worker in workers {
            all.push(worker.await.expect("worker"));
        }
        all
    };
    // no request may hang: the whole load is bounded
    let budget = Duration::from_secs(90 * (clients() as u64).div_ceil(200));
    let results = tokio::time::timeout(budget, run)
        .await
        .expect("the load finished in time");

    let mut transactions: HashMap<String, (usize, i64)> = HashMap::new();
    let mut flows = 0;
    for seen in results {
        flows += seen.flows + seen.refused_creations;
        for (id, value) in seen.transactions {
            assert!(
                transactions.insert(id, value).is_none(),
                "a transaction was reported twice"
            );
        }
    }
    assert_eq!(flows, clients() * FLOWS_PER_CLIENT);

    // every accepted creation produced exactly one task; the store holds exactly what clients saw
    let journal = mock.journal();
    assert_eq!(
        mock.state().journal().dropped(),
        0,
        "the journal held the whole load"
    );
    let created = journal
        .iter()
        .filter(|entry| entry.path() == "/v1/tasks/TRANSACTION" && entry.status == 201)
        .count();
    let counts = mock.state().store().counts();
    assert_eq!(
        counts.tasks, created,
        "tasks in the store = accepted creations"
    );
    let seeded = 0;
    assert_eq!(
        counts.transactions,
        transactions.len() + seeded,
        "no transaction lost or invented"
    );

    // batch totals equal the accepted sales minus stornos, per terminal
    for terminal in 0..TERMINALS {
        let client = mock.client_for("jan.novak@example.com", &format!("55{terminal:04}"));
        let BatchOutcome::Closed(batch) = client.close_batch_and_read().await.expect("batch")
        else {
            panic!("batch close failed");
        };
        let expected: i64 = transactions
            .values()
            .filter(|(owner, _)| *owner == terminal)
            .map(|(_, amount)| amount)
            .sum();
        assert_eq!(batch.totals.total_amount, expected, "terminal {terminal}");
    }

    // the journal stays within its bound
    assert!(journal.len() <= clients() * FLOWS_PER_CLIENT * 40);
    let unique: HashSet<&String> = transactions.keys().collect();
    assert_eq!(unique.len(), transactions.len());
}

//! Every scenario of `scenarios/`: what it promises is what the client reports.

use std::time::Duration;

use gptom_client::{BatchOutcome, CancelOutcome, Client, Error, PaymentOutcome, SaleRequest};
use gptom_harness::MockGptom;

use crate::library;
use gptom_mock::scenario::{ExpectStep, Expectation, PaymentResult, load_file};

fn result_word(result: PaymentResult) -> &'static str {
    result.as_str()
}

/// What the client saw, in the words of an expectation.
#[derive(Debug, Default)]
struct Seen {
    task: Option<String>,
    result: Option<String>,
    refusal: Option<String>,
    code: Option<u16>,
    status: Option<u16>,
    batch_total: Option<i64>,
}

fn from_payment(outcome: &PaymentOutcome) -> Seen {
    match outcome {
        PaymentOutcome::Approved(transaction) => Seen {
            task: Some("COMPLETED".into()),
            result: Some("ACCEPTED".into()),
            refusal: transaction.refusal_code.clone(),
            ..Seen::default()
        },
        PaymentOutcome::Declined { refusal, .. } => Seen {
            task: Some("COMPLETED".into()),
            result: Some("DECLINED".into()),
            refusal: Some(refusal.clone()),
            ..Seen::default()
        },
        PaymentOutcome::Cancelled { code, transaction } => Seen {
            task: Some(if code.is_some() {
                "CANCELED".into()
            } else {
                "COMPLETED".into()
            }),
            result: transaction.as_ref().map(|_| "CANCELLED".into()),
            code: *code,
            ..Seen::default()
        },
        PaymentOutcome::Failed { task, code, .. } => Seen {
            task: Some(task.state.as_str().to_owned()),
            code: *code,
            ..Seen::default()
        },
    }
}

async fn run(mock: &MockGptom, client: &Client, step: &Expectation) -> Result<Seen, String> {
    let error_status = |error: &Error| match error {
        Error::OutcomeUnknown { .. } => Some(0),
        other => other.status(),
    };
    match &step.step {
        ExpectStep::Advance { ms } => {
            mock.advance(Duration::from_millis(u64::try_from(*ms).unwrap_or(0)));
            Ok(Seen::default())
        }
        ExpectStep::Refresh => Ok(Seen::default()),
        ExpectStep::Sale { amount, reference } => {
            let mut sale = SaleRequest::new(
                *amount,
                if step.terminal.as_deref() == Some("777666") {
                    "EUR"
                } else {
                    "CZK"
                },
            );
            if let Some(reference) = reference {
                sale = sale.reference(reference.clone());
            }
            if step
                .status
                .is_some_and(|status| !(200..300).contains(&status))
            {
                // The step promises a refused creation: the client must report exactly that.
                return match client.create_sale(&sale).await {
                    Ok(_) => Err("the creation succeeded".into()),
                    Err(error) => Ok(Seen {
                        status: error_status(&error),
                        ..Seen::default()
                    }),
                };
            }
            let outcome = client
                .pay(sale)
                .await
                .map_err(|error| format!("pay failed: {error}"))?;
            Ok(from_payment(&outcome))
        }
        ExpectStep::CancelLast | ExpectStep::CancelOlder { .. } => {
            let outcome = match &step.step {
                ExpectStep::CancelOlder { ams_id } => client.cancel(ams_id).await,
                _ => client.cancel_last().await,
            }
            .map_err(|error| format!("cancel failed: {error}"))?;
            Ok(match outcome {
                CancelOutcome::Cancelled(_) => Seen {
                    task: Some("COMPLETED".into()),
                    result: Some("ACCEPTED".into()),
                    ..Seen::default()
                },
                CancelOutcome::Refused { task, code, .. } => Seen {
                    task: Some(task.state.as_str().to_owned()),
                    code,
                    ..Seen::default()
                },
                CancelOutcome::Other(outcome) => from_payment(&outcome),
            })
        }
        ExpectStep::CloseBatch => match client
            .close_batch_and_read()
            .await
            .map_err(|error| format!("close failed: {error}"))?
        {
            BatchOutcome::Closed(batch) => Ok(Seen {
                task: Some("COMPLETED".into()),
                batch_total: Some(batch.totals.total_amount),
                ..Seen::default()
            }),
            BatchOutcome::Failed { task, code, .. } => Ok(Seen {
                task: Some(task.state.as_str().to_owned()),
                code,
                ..Seen::default()
            }),
        },
    }
}

fn check(step: &Expectation, seen: &Seen) -> Result<(), String> {
    let task_wanted = step.task.as_deref().map(|task| {
        if task == "CANCELLED" {
            "CANCELED"
        } else {
            task
        }
    });
    if let (Some(wanted), Some(status)) = (step.status, seen.status)
        && wanted != status
    {
        return Err(format!("status {status}, expected {wanted}"));
    }
    if task_wanted.is_some() && seen.task.as_deref() != task_wanted {
        return Err(format!("task {:?}, expected {task_wanted:?}", seen.task));
    }
    if let Some(result) = step.result
        && seen.result.as_deref() != Some(result_word(result))
    {
        return Err(format!(
            "result {:?}, expected {}",
            seen.result,
            result_word(result)
        ));
    }
    if let Some(refusal) = step.refusal
        && seen.refusal.as_deref() != Some(refusal.as_str())
    {
        return Err(format!(
            "refusal {:?}, expected {}",
            seen.refusal,
            refusal.as_str()
        ));
    }
    if step.error_code.is_some() && seen.code != step.error_code {
        return Err(format!(
            "code {:?}, expected {:?}",
            seen.code, step.error_code
        ));
    }
    if step.batch_total_amount.is_some() && seen.batch_total != step.batch_total_amount {
        return Err(format!(
            "batch total {:?}, expected {:?}",
            seen.batch_total, step.batch_total_amount
        ));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_reports_what_every_library_scenario_promises() {
    let mut failures = Vec::new();
    let mut steps = 0;
    for path in library() {
        let scenario = load_file(&path).unwrap_or_else(|error| panic!("{error}"));
        let name = scenario.name.clone();
        let expectations = scenario.expect.clone();
        let bound = scenario
            .terminals
            .as_ref()
            .and_then(|tids| tids.first().cloned());
        let mock = MockGptom::start_with(Some(scenario)).await.expect("mock");
        for (index, step) in expectations.iter().enumerate() {
            steps += 1;
            let tid = step
                .terminal
                .clone()
                .or_else(|| bound.clone())
                .unwrap_or_else(|| "999888".into());
            let client = if step.master {
                mock.master_client(&tid)
            } else {
                mock.client_for(
                    if tid == "777666" {
                        "eva.svobodova@example.com"
                    } else {
                        "jan.novak@example.com"
                    },
                    &tid,
                )
            };
            let outcome = run(&mock, &client, step)
                .await
                .and_then(|seen| check(step, &seen));
            if let Err(why) = outcome {
                failures.push(format!("{name} expect[{index}]: {why}"));
                break;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(steps >= 40, "only {steps} steps ran");
}

#[tokio::test]
async fn the_client_passes_every_protocol_rule_on_a_busy_day() {
    let mock = MockGptom::start().await.expect("mock");
    let client = mock.client();
    for amount in [1000, 1122, 2500, 1124] {
        client
            .pay(SaleRequest::new(amount, "CZK").reference(format!("order-{amount}")))
            .await
            .expect("pay");
    }
    client.cancel_last().await.expect("cancel");
    client.close_batch_and_read().await.expect("batch");
    let report = mock.verify();
    assert!(report.passed, "{}", report.to_text());
}

#[tokio::test]
async fn a_library_scenario_is_started_by_name() {
    let mock = MockGptom::with_scenario("declined").await.expect("by name");
    let outcome = mock
        .client()
        .pay(SaleRequest::new(1000, "CZK"))
        .await
        .expect("payment");
    assert!(
        matches!(outcome, PaymentOutcome::Declined { .. }),
        "{outcome:?}"
    );
}

//! Model-based test: random sequences of sales, stornos, batch closes, clock jumps and token
//! expiries run through the real client against the mock and against a small reference model of
//! GP tom's rules. Any disagreement shrinks to a minimal sequence.

use std::time::Duration;

use gptom_client::{BatchOutcome, CancelOutcome, PaymentOutcome, SaleRequest};
use gptom_harness::MockGptom;
use proptest::prelude::*;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};

const DAY: u64 = 86_400;
const TERMINALS: [&str; 2] = ["999888", "999889"];

#[derive(Clone, Debug)]
enum Step {
    Sale {
        terminal: usize,
        amount: i64,
    },
    CancelLast {
        terminal: usize,
    },
    CancelOlder {
        terminal: usize,
        sale: usize,
    },
    CloseBatch {
        terminal: usize,
    },
    /// Even numbers of days only, so no sequence lands exactly on the 93-day boundary.
    AdvanceDays(u64),
    ExpireTokens,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Seen {
    Approved,
    Declined,
    Failed(u16),
    Cancelled,
    Refused(u16),
    Batch(i64),
    Nothing,
}

#[derive(Clone, Debug)]
struct ModelTransaction {
    terminal: usize,
    amount: i64,
    accepted: bool,
    storno: bool,
    cancelled: bool,
    day: u64,
}

#[derive(Clone, Debug, Default)]
struct Model {
    transactions: Vec<ModelTransaction>,
    sales: Vec<usize>,
    last: [Option<usize>; 2],
    batch_total: [i64; 2],
    day: u64,
    expected: Option<Seen>,
}

impl Model {
    fn storno(&mut self, terminal: usize, target: Option<usize>, older: bool) -> Seen {
        let Some(index) = target else {
            return Seen::Refused(47);
        };
        let original = &self.transactions[index];
        if original.terminal != terminal {
            return Seen::Refused(47);
        }
        if original.storno {
            return Seen::Refused(if older { 47 } else { 44 });
        }
        if original.cancelled {
            return Seen::Refused(44);
        }
        if !original.accepted {
            return Seen::Refused(47);
        }
        if self.day - original.day > 93 {
            return Seen::Refused(45);
        }
        if older && self.last[terminal] == Some(index) {
            return Seen::Refused(47);
        }
        let amount = original.amount;
        self.transactions[index].cancelled = true;
        self.transactions.push(ModelTransaction {
            terminal,
            amount,
            accepted: true,
            storno: true,
            cancelled: false,
            day: self.day,
        });
        self.last[terminal] = Some(self.transactions.len() - 1);
        self.batch_total[terminal] -= amount;
        Seen::Cancelled
    }
}

struct Reference;

impl ReferenceStateMachine for Reference {
    type State = Model;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<Self::State> {
        Just(Model::default()).boxed()
    }

    fn transitions(state: &Self::State) -> BoxedStrategy<Self::Transition> {
        let sales = state.sales.len().max(1);
        prop_oneof![
            4 => (0usize..2, prop_oneof![Just(1000i64), Just(2500), Just(1122), Just(1124)])
                .prop_map(|(terminal, amount)| Step::Sale { terminal, amount }),
            2 => (0usize..2).prop_map(|terminal| Step::CancelLast { terminal }),
            2 => (0usize..2, 0..sales).prop_map(|(terminal, sale)| Step::CancelOlder { terminal, sale }),
            1 => (0usize..2).prop_map(|terminal| Step::CloseBatch { terminal }),
            1 => prop_oneof![Just(2u64), Just(40), Just(94)].prop_map(Step::AdvanceDays),
            1 => Just(Step::ExpireTokens),
        ]
        .boxed()
    }

    fn apply(mut state: Self::State, step: &Self::Transition) -> Self::State {
        let expected = match *step {
            Step::Sale { terminal, amount } => match amount {
                1124 => Seen::Failed(99),
                _ => {
                    let accepted = amount != 1122;
                    state.transactions.push(ModelTransaction {
                        terminal,
                        amount,
                        accepted,
                        storno: false,
                        cancelled: false,
                        day: state.day,
                    });
                    let index = state.transactions.len() - 1;
                    state.sales.push(index);
                    state.last[terminal] = Some(index);
                    if accepted {
                        state.batch_total[terminal] += amount;
                        Seen::Approved
                    } else {
                        Seen::Declined
                    }
                }
            },
            Step::CancelLast { terminal } => {
                let last = state.last[terminal];
                state.storno(terminal, last, false)
            }
            Step::CancelOlder { terminal, sale } => {
                let target = state.sales.get(sale).copied();
                if target.is_none() {
                    Seen::Nothing
                } else {
                    state.storno(terminal, target, true)
                }
            }
            Step::CloseBatch { terminal } => {
                let total = state.batch_total[terminal];
                state.batch_total[terminal] = 0;
                state.last[terminal] = None;
                Seen::Batch(total)
            }
            Step::AdvanceDays(days) => {
                state.day += days;
                Seen::Nothing
            }
            Step::ExpireTokens => Seen::Nothing,
        };
        state.expected = Some(expected);
        state
    }
}

struct Sut {
    runtime: tokio::runtime::Runtime,
    mock: MockGptom,
    clients: Vec<gptom_client::Client>,
    ams_ids: Vec<Option<String>>,
}

struct ModelTest;

impl StateMachineTest for ModelTest {
    type SystemUnderTest = Sut;
    type Reference = Reference;

    fn init_test(_: &Model) -> Self::SystemUnderTest {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let mock = runtime.block_on(MockGptom::start()).expect("mock");
        let clients = TERMINALS
            .iter()
            .map(|tid| mock.client_for("jan.novak@example.com", tid))
            .collect();
        Sut {
            runtime,
            mock,
            clients,
            ams_ids: Vec::new(),
        }
    }

    fn apply(mut sut: Self::SystemUnderTest, model: &Model, step: Step) -> Self::SystemUnderTest {
        let seen = match &step {
            Step::Sale { terminal, amount } => {
                let client = sut.clients[*terminal].clone();
                let outcome = sut
                    .runtime
                    .block_on(client.pay(SaleRequest::new(*amount, "CZK")))
                    .expect("pay");
                if let Some(transaction) = outcome.transaction() {
                    sut.ams_ids.push(Some(transaction.ams_id.clone()));
                }
                match outcome {
                    PaymentOutcome::Approved(_) => Seen::Approved,
                    PaymentOutcome::Declined { .. } => Seen::Declined,
                    PaymentOutcome::Failed { code, .. } => Seen::Failed(code.unwrap_or(0)),
                    PaymentOutcome::Cancelled { .. } => Seen::Nothing,
                }
            }
            Step::CancelLast { terminal } => {
                let client = sut.clients[*terminal].clone();
                cancel_seen(sut.runtime.block_on(client.cancel_last()).expect("cancel"))
            }
            Step::CancelOlder { terminal, sale } => match sut.ams_ids.get(*sale).cloned().flatten()
            {
                None => Seen::Nothing,
                Some(ams_id) => {
                    let client = sut.clients[*terminal].clone();
                    cancel_seen(
                        sut.runtime
                            .block_on(client.cancel(&ams_id))
                            .expect("cancel"),
                    )
                }
            },
            Step::CloseBatch { terminal } => {
                let client = sut.clients[*terminal].clone();
                match sut
                    .runtime
                    .block_on(client.close_batch_and_read())
                    .expect("batch")
                {
                    BatchOutcome::Closed(batch) => Seen::Batch(batch.totals.total_amount),
                    BatchOutcome::Failed { code, .. } => Seen::Failed(code.unwrap_or(0)),
                }
            }
            Step::AdvanceDays(days) => {
                sut.mock.advance(Duration::from_secs(days * DAY));
                Seen::Nothing
            }
            Step::ExpireTokens => {
                sut.mock.advance(Duration::from_secs(2 * 3600));
                Seen::Nothing
            }
        };
        assert_eq!(Some(seen), model.expected, "after {step:?}");
        sut
    }
}

fn cancel_seen(outcome: CancelOutcome) -> Seen {
    match outcome {
        CancelOutcome::Cancelled(_) => Seen::Cancelled,
        CancelOutcome::Refused { code, .. } => Seen::Refused(code.unwrap_or(0)),
        CancelOutcome::Other(_) => Seen::Nothing,
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: 16, max_shrink_iters: 256, ..ProptestConfig::default() })]
    #[test]
    fn the_mock_agrees_with_the_reference_model_of_gp_toms_rules(sequential 1..14 => ModelTest);
}

//! The contract rules, one small unit each. A rule sees every journal entry once, in order, keeps
//! what it needs to remember, and files evidence against itself.
//!
//! Invariant: a rule reads only the [`Exchange`] it is given and its own memory; no rule knows
//! another, so each can be read, tested and skipped alone.

mod payments;
mod polling;
mod requests;
mod tokens;

use super::Evidence;
use super::exchange::Exchange;
use crate::scenario::VerifySettings;

/// One contract rule.
pub trait Rule {
    /// Its stable id (`poll-interval`, …), as `verify.disabled` names it.
    fn id(&self) -> &'static str;
    /// What it checks, in a sentence.
    fn title(&self) -> &'static str;
    /// Judges the next journal entry.
    fn observe(&mut self, exchange: &Exchange<'_>, findings: &mut Vec<Evidence>);
}

/// Every rule, in the order the report lists them.
#[must_use]
pub fn all(settings: &VerifySettings) -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(polling::PollInterval::new(settings.min_poll_interval_ms)),
        Box::<polling::StopPollingWhenFinal>::default(),
        Box::<polling::TransactionAfterCompleted>::default(),
        Box::<tokens::TokenReuse>::default(),
        Box::<tokens::RefreshOnceOn401>::default(),
        Box::<payments::NoDoubleSale>::default(),
        Box::<payments::CancelRules>::default(),
        Box::new(requests::KnownFields),
        Box::new(requests::DeepLinksAsGptomReadsThem),
        Box::new(requests::ValidRequests),
    ]
}

#[cfg(test)]
mod tests {
    //! Each rule alone: the journal it fails on, and the one beside it that it passes.

    use std::sync::Arc;

    use axum::body::Bytes;
    use axum::http::{HeaderValue, Method};

    use crate::clock::Millis;
    use crate::journal::JournalEntry;
    use crate::scenario::VerifySettings;
    use crate::verify::verify;

    /// A journal, built one exchange at a time: `at` ms, method, uri, status, terminal, bodies.
    #[derive(Default)]
    struct Journal(Vec<Arc<JournalEntry>>);

    impl Journal {
        fn add(mut self, at: i64, call: &str, status: u16, request: &str, response: &str) -> Self {
            let (method, uri) = call.split_once(' ').expect("METHOD uri");
            self.0.push(Arc::new(JournalEntry {
                seq: self.0.len() as u64 + 1,
                request_id: crate::journal::RequestId::Given(HeaderValue::from_static("r")),
                time_ms: Millis(at),
                method: Method::from_bytes(method.as_bytes()).expect("method"),
                uri: uri.into(),
                status,
                terminal: Some(Arc::from("T1")),
                authorization: Some("Bearer token-1".into()),
                content_type: None,
                request_body: Bytes::copy_from_slice(request.as_bytes()),
                request_size: request.len(),
                response_body: Bytes::copy_from_slice(response.as_bytes()),
                duration_us: 0,
                fault: None,
                retry_after: None,
            }));
            self
        }

        /// The notes filed against `rule`.
        fn against(&self, rule: &str) -> Vec<String> {
            let report = verify(&self.0, &VerifySettings::default());
            let result = report
                .rules
                .into_iter()
                .find(|result| result.id == rule)
                .expect("a rule of that id");
            result.evidence.into_iter().map(|item| item.note).collect()
        }
    }

    const SALE: &str =
        r#"{"transactionType":"SALE","amount":100,"currencyCode":"CZK","originReferenceNum":"R1"}"#;
    const NEW: &str = r#"{"taskId":"t1","state":"NEW"}"#;
    const DONE: &str = r#"{"taskId":"t1","state":"COMPLETED","transactionId":"x1"}"#;

    #[test]
    fn poll_interval_and_stopping_when_final() {
        let journal = Journal::default()
            .add(0, "GET /v1/tasks/t1", 200, "", NEW)
            .add(10, "GET /v1/tasks/t1", 200, "", DONE)
            .add(5_000, "GET /v1/tasks/t1", 200, "", DONE);
        assert_eq!(journal.against("poll-interval").len(), 1);
        assert_eq!(
            journal.against("stop-polling-when-final"),
            ["polled task t1 after it was final"]
        );
    }

    #[test]
    fn a_transaction_is_read_once_reported() {
        let early = Journal::default().add(0, "GET /v1/transactions/x1", 200, "", "{}");
        assert_eq!(early.against("transaction-after-completed").len(), 1);
        let late = Journal::default()
            .add(0, "GET /v1/tasks/t1", 200, "", DONE)
            .add(1, "GET /v1/transactions/x1", 200, "", "{}");
        assert!(late.against("transaction-after-completed").is_empty());
    }

    #[test]
    fn token_reuse_and_refresh_after_401() {
        let login = "grant_type=password&username=u&password=p";
        let twice = Journal::default()
            .add(0, "POST /oauth/token", 200, login, "{}")
            .add(1, "POST /oauth/token", 200, login, "{}");
        assert_eq!(twice.against("token-reuse").len(), 1);
        let after_401 = Journal::default()
            .add(0, "POST /oauth/token", 200, login, "{}")
            .add(1, "GET /v1/tasks/t1", 401, "", "{}")
            .add(2, "POST /oauth/token", 200, login, "{}");
        assert!(after_401.against("token-reuse").is_empty());
        assert!(after_401.against("refresh-once-on-401").is_empty());
        let same_token = after_401.add(3, "GET /v1/tasks/t1", 401, "", "{}");
        assert_eq!(
            same_token.against("refresh-once-on-401"),
            ["the same rejected token was sent again"]
        );
    }

    #[test]
    fn a_reference_is_reused_only_once_the_sale_is_final() {
        let journal = Journal::default()
            .add(0, "POST /v1/tasks/TRANSACTION", 201, SALE, NEW)
            .add(1, "POST /v1/tasks/TRANSACTION", 201, SALE, NEW);
        assert_eq!(journal.against("no-double-sale").len(), 1);
        let resolved = Journal::default()
            .add(0, "POST /v1/tasks/TRANSACTION", 201, SALE, NEW)
            .add(1, "GET /v1/tasks/t1", 200, "", DONE)
            .add(2, "POST /v1/tasks/TRANSACTION", 201, SALE, NEW);
        assert!(resolved.against("no-double-sale").is_empty());
    }

    #[test]
    fn cancels_on_another_terminal_and_code_47() {
        let cancel = r#"{"transactionType":"CANCEL","originTransactionID":"A1"}"#;
        let journal = Journal::default()
            .add(
                0,
                "GET /v1/transactions/x1",
                200,
                "",
                r#"{"amsID":"A1","terminalID":"T2"}"#,
            )
            .add(1, "POST /v1/tasks/TRANSACTION", 201, cancel, NEW)
            .add(
                2,
                "GET /v1/tasks/t1",
                200,
                "",
                r#"{"state":"ERROR","error":{"code":47}}"#,
            );
        assert_eq!(
            journal.against("cancel-rules"),
            [
                "cancels A1 of terminal T2 from terminal T1",
                "task t1 ended 47: cancellation not allowed"
            ]
        );
    }

    #[test]
    fn unknown_fields_invalid_requests_and_deep_link_notices() {
        let typo = r#"{"transactionType":"SALE","amout":1}"#;
        let notices =
            r#"{"result":{"notices":[{"parameter":"tipCollect","message":"is not a flag"}]}}"#;
        let journal = Journal::default()
            .add(
                0,
                "POST /v1/tasks/TRANSACTION",
                400,
                typo,
                r#"{"message":"amount: required"}"#,
            )
            .add(1, "GET /app2app", 200, "", notices);
        assert_eq!(
            journal.against("known-fields"),
            ["unknown field `amout` (did you mean `amount`?)"]
        );
        assert_eq!(journal.against("valid-requests"), ["amount: required"]);
        assert_eq!(
            journal.against("deep-links-as-gptom-reads-them"),
            ["`tipCollect` is not a flag"]
        );
    }

    #[test]
    fn a_skipped_rule_reports_nothing_and_changes_no_other() {
        let journal = Journal::default()
            .add(0, "GET /v1/tasks/t1", 200, "", DONE)
            .add(1, "GET /v1/tasks/t1", 200, "", DONE);
        let settings = VerifySettings {
            disabled: vec!["poll-interval".into()],
            ..VerifySettings::default()
        };
        let report = verify(&journal.0, &settings);
        let outcome = |id| {
            report
                .rules
                .iter()
                .find(|rule| rule.id == id)
                .map(|rule| rule.outcome)
        };
        assert_eq!(outcome("poll-interval"), Some("skipped"));
        assert_eq!(outcome("stop-polling-when-final"), Some("failed"));
    }
}

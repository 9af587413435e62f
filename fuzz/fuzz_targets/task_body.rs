//! Task request bodies (`POST /v1/tasks/TRANSACTION`, `/BATCH`): any JSON is accepted as a typed
//! request or refused with every broken field named; never both, never a panic.
#![no_main]

use gptom_mock::wire::request::{parse_batch_request, parse_transaction_request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    match parse_transaction_request(&body) {
        Ok(request) => {
            assert!(request.amount.is_none_or(|amount| amount > 0));
            assert_eq!(request.currency_code.as_str().len(), 3);
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            assert!(errors.iter().all(|error| !error.field.is_empty() && !error.message.is_empty()));
        }
    }
    if let Err(errors) = parse_batch_request(&body) {
        assert!(!errors.is_empty());
    }
});

//! Deep links (`gptom://…`, from `GET /app2app?url=` and `gptom-mock applink`): any text is parsed
//! or refused with a reason; a parsed link is then opened on a fresh mock, as the app would, and its
//! answer (the redirect's query) is well formed.
#![no_main]

use std::sync::{Arc, LazyLock};

use gptom_mock::{AppState, ManualClock, MockConfig};
use gptom_mock::wire::app_answer::open;
use gptom_mock::wire::deeplink::parse_deep_link;
use libfuzzer_sys::fuzz_target;

/// The embedded fixtures, parsed once; every input gets a fresh mock of its own.
static CONFIG: LazyLock<MockConfig> =
    LazyLock::new(|| MockConfig::embedded().expect("embedded fixtures"));

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let link = match parse_deep_link(&text) {
        Ok(link) => link,
        Err(reason) => {
            assert!(!reason.0.is_empty());
            return;
        }
    };
    let state = AppState::new(CONFIG.clone(), Arc::new(ManualClock::default()));
    let now = state.now();
    let answer = open(&mut state.store(), &link, now);
    assert!(matches!(answer.status, "COMPLETED" | "CANCELLED" | "ERROR"));
    let pairs = answer.query_pairs();
    assert_eq!(pairs[0].0, "status");
    serde_json::to_string(&answer).expect("the answer serialises");
});

//! Scenario YAML (files, `PUT /__mock/scenario`): any text loads or is refused with problems that
//! carry a line and a column inside the text; never a panic, never unbounded work.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match gptom_mock::scenario::load_str("fuzz.yaml", &text) {
        Ok(scenario) => {
            // A loaded scenario serialises (the control plane shows it) and has a name.
            assert!(!scenario.name.is_empty());
            serde_json::to_string(&scenario).expect("a loaded scenario serialises");
        }
        Err(error) => {
            assert!(!error.problems.is_empty(), "a refusal names at least one problem");
            // YAML breaks lines at \n, \r\n and a lone \r; a problem may sit one past the end.
            let lines = text.matches('\n').count()
                + text.matches('\r').count()
                - text.matches("\r\n").count()
                + 2;
            for problem in &error.problems {
                assert!(problem.position.line >= 1 && problem.position.line <= lines);
                assert!(!problem.message.is_empty());
            }
        }
    }
});

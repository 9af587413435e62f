//! The scenario library (`scenarios/*.yaml`), embedded at build time, so a scenario can be picked
//! by name wherever a file is accepted: `--scenario insufficient-funds`, `PUT
//! /__mock/scenario?name=…`, `gptom-mock scenario list`, the harness and the language helpers.
//!
//! Invariant: every file of the library loads without a problem (its own test), and a name is the
//! file's name without `.yaml`, which is also the scenario's `name:`.

use std::sync::{Arc, LazyLock};

use super::model::Scenario;

include!(concat!(env!("OUT_DIR"), "/scenario_library.rs"));

static LOADED: LazyLock<Vec<Arc<Scenario>>> = LazyLock::new(|| {
    FILES
        .iter()
        .filter_map(|(name, yaml)| super::load_str(&format!("{name}.yaml"), yaml).ok())
        .map(Arc::new)
        .collect()
});

/// Every scenario of the library, loaded once, sorted by name.
#[must_use]
pub fn all() -> &'static [Arc<Scenario>] {
    &LOADED
}

/// The library scenario called `name`.
#[must_use]
pub fn find(name: &str) -> Option<Arc<Scenario>> {
    all().iter().find(|scenario| scenario.name == name).cloned()
}

/// The library name nearest to `wanted`, when one is near (`insufficient_funds` →
/// `insufficient-funds`, `declned` → `declined`): for a "did you mean".
#[must_use]
pub fn closest(wanted: &str) -> Option<&'static str> {
    let wanted = wanted
        .trim_end_matches(".yaml")
        .replace('_', "-")
        .to_ascii_lowercase();
    FILES
        .iter()
        .map(|(name, _)| (*name, strsim::damerau_levenshtein(&wanted, name)))
        .filter(|(name, distance)| *distance <= 2.max(name.len() / 5))
        .min_by_key(|(_, distance)| *distance)
        .map(|(name, _)| name)
}

/// The names, for messages (`insufficient-funds, declined, …`).
#[must_use]
pub fn names() -> String {
    FILES
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_of_the_library_loads_under_its_own_name() {
        assert!(FILES.len() >= 20, "the library is embedded");
        for (name, yaml) in FILES {
            let scenario = super::super::load_str(&format!("{name}.yaml"), yaml)
                .unwrap_or_else(|error| panic!("{name}: {error}"));
            assert_eq!(
                &scenario.name, name,
                "a library scenario's name is its file's"
            );
        }
        assert_eq!(all().len(), FILES.len());
        assert!(find("insufficient-funds").is_some());
        assert_eq!(closest("insufficient_funds"), Some("insufficient-funds"));
        assert_eq!(closest("declned"), Some("declined"));
        assert_eq!(closest("Happy-Path.yaml"), Some("happy-path"));
        assert_eq!(closest("teleport"), None);
        assert!(find("no-such-scenario").is_none());
    }
}

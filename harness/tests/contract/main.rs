//! Contract tests: the real gptom-client against the mock, one mock per test.

mod applink;
mod coverage;
mod load;
mod model;
mod properties;
mod scenarios;
mod sdk;
mod snapshots;
mod verify;

/// The scenario library's files, sorted.
fn library() -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .expect("scenarios/")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    files
}

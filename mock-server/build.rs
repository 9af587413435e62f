//! Names the build in `gptom-mock --version`: the package version and the commit that
//! `dist/build.sh` passes in `GPTOM_MOCK_COMMIT` (a plain `cargo build` says it recorded none).

fn main() {
    println!("cargo:rerun-if-env-changed=GPTOM_MOCK_COMMIT");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let commit = std::env::var("GPTOM_MOCK_COMMIT")
        .ok()
        .filter(|commit| !commit.trim().is_empty())
        .map_or_else(
            || "built from source, no commit recorded".to_owned(),
            |commit| format!("commit {}", commit.trim()),
        );
    println!("cargo:rustc-env=GPTOM_MOCK_VERSION={version} ({commit})");
}

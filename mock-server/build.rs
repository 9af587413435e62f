//! Two things the build writes down:
//! - `gptom-mock --version`: the package version and the commit that `dist/build.sh` passes in
//!   `GPTOM_MOCK_COMMIT` (a plain `cargo build` says it recorded none);
//! - the scenario library: every `scenarios/*.yaml`, embedded so each channel (binary, image,
//!   wheel, harness) can pick a scenario by name (`scenario_library.rs` in `OUT_DIR`).

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    library();
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

fn library() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let folder = Path::new(&manifest).join("scenarios");
    println!("cargo:rerun-if-changed={}", folder.display());
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut code = String::from(
        "/// The library's files: (file name without `.yaml`, its YAML), sorted by name.\n\
         pub static FILES: &[(&str, &str)] = &[\n",
    );
    for path in files {
        let Some(stem) = path.file_stem().and_then(|stem| stem.to_str()) else {
            continue;
        };
        let absolute = path.canonicalize().unwrap_or(path.clone());
        println!("cargo:rerun-if-changed={}", absolute.display());
        let _ = writeln!(
            code,
            "    ({stem:?}, include_str!({:?})),",
            absolute.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = std::env::var("OUT_DIR").unwrap_or_default();
    if let Err(error) = std::fs::write(Path::new(&out).join("scenario_library.rs"), code) {
        panic!("writing the scenario library: {error}");
    }
}

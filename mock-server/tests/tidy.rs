//! Tidy tests: read the sources of `gptom-mock` and `gptom-client` and hold the layering that
//! ARCHITECTURE.md's `Invariant:` lines state, as rust-analyzer's tidy tests do.
//!
//! A file "names" a module when a `crate::`, `super::` or `self::` path in its code (comments and
//! the `#[cfg(test)]` part left out) resolves to that module's file. From those names we build the
//! file graph of each crate and check:
//! - no import circle among files, in either crate;
//! - each layer names only the layers below it (domain ← scenario ← store, …);
//! - axum, http, hyper and tower are named only at the HTTP edge;
//! - nobody outside `src/store` can reach the store's fields (they are private).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// A module path inside a crate: `["domain", "task"]`; the crate root is `[]`.
type ModPath = Vec<String>;

struct Crate {
    /// Module path → source (code only).
    files: BTreeMap<ModPath, String>,
}

impl Crate {
    fn read(src: &Path) -> Crate {
        let files = rust_files(src)
            .into_iter()
            .map(|(path, text)| (module_path(src, &path), code_only(&text)))
            .collect();
        Crate { files }
    }

    /// The longest prefix of `path` that is a module with a file, if any.
    fn resolve(&self, path: &[String]) -> Option<ModPath> {
        (1..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|prefix| self.files.contains_key(prefix))
    }

    /// File → the files it names (itself and the crate root left out).
    fn graph(&self) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
        let mut graph = BTreeMap::new();
        for (module, code) in &self.files {
            let mut targets = BTreeSet::new();
            for path in named_paths(code) {
                let Some(absolute) = absolute(module, &path) else {
                    continue;
                };
                if let Some(target) = self.resolve(&absolute)
                    && &target != module
                {
                    targets.insert(target);
                }
            }
            graph.insert(module.clone(), targets);
        }
        graph
    }
}

/// Every `.rs` file under `src` with its text.
fn rust_files(src: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("source folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let text = fs::read_to_string(&path).expect("source file");
                files.push((path, text));
            }
        }
    }
    files
}

fn module_path(src: &Path, file: &Path) -> ModPath {
    let relative = file.strip_prefix(src).expect("inside src");
    let mut parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    if parts == ["lib"] || parts == ["main"] {
        parts.clear();
    }
    parts
}

/// The code of a file: line comments dropped, and nothing from the first `#[cfg(test)]` on.
fn code_only(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::…`, `super::…` and `self::…` path in `code`, with `{…}` groups expanded.
fn named_paths(code: &str) -> Vec<Vec<String>> {
    let bytes = code.as_bytes();
    let mut paths = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let at_word_start = i == 0 || !is_ident(bytes[i - 1]);
        if at_word_start {
            for root in ["crate", "super", "self"] {
                let rest = &bytes[i..];
                if rest.starts_with(root.as_bytes()) && rest[root.len()..].starts_with(b"::") {
                    let (found, _) = parse_path(code, i, Vec::new());
                    paths.extend(found);
                    break;
                }
            }
        }
        i += 1;
    }
    paths
}

fn is_ident(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Reads `a::b::{c, d::e}` from `start` with `prefix` before it; returns the full paths and
/// where reading stopped.
fn parse_path(code: &str, start: usize, prefix: Vec<String>) -> (Vec<Vec<String>>, usize) {
    let bytes = code.as_bytes();
    let mut path = prefix;
    let mut i = start;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'{' {
            let mut paths = Vec::new();
            i += 1;
            loop {
                while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
                    i += 1;
                }
                if i >= bytes.len() || bytes[i] == b'}' {
                    return (paths, i + 1);
                }
                let (inner, next) = parse_path(code, i, path.clone());
                paths.extend(inner);
                // Skip `as alias` and anything else up to the item's end.
                i = next;
                while i < bytes.len() && bytes[i] != b',' && bytes[i] != b'}' {
                    i += 1;
                }
            }
        }
        let ident_start = i;
        while i < bytes.len() && is_ident(bytes[i]) {
            i += 1;
        }
        if i == ident_start {
            return (vec![path], i);
        }
        path.push(code[ident_start..i].to_owned());
        if bytes[i..].starts_with(b"::") {
            i += 2;
        } else {
            return (vec![path], i);
        }
    }
}

/// A `crate::`/`super::`/`self::` path made absolute from the file `module` it is written in.
fn absolute(module: &[String], path: &[String]) -> Option<ModPath> {
    let (first, rest) = path.split_first()?;
    let mut base: ModPath = match first.as_str() {
        "crate" => Vec::new(),
        "self" => module.to_vec(),
        "super" => module[..module.len().checked_sub(1)?].to_vec(),
        _ => return None,
    };
    let mut rest = rest;
    while let Some((segment, tail)) = rest.split_first() {
        if segment != "super" {
            break;
        }
        base.pop();
        rest = tail;
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

fn name(module: &[String]) -> String {
    if module.is_empty() {
        "(crate root)".to_owned()
    } else {
        module.join("/")
    }
}

/// The files on an import circle (strongly connected components of more than one file).
fn circles(graph: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<Vec<String>> {
    // Tarjan's algorithm, iteratively deep enough for a source tree.
    struct Walk<'a> {
        graph: &'a BTreeMap<ModPath, BTreeSet<ModPath>>,
        index: BTreeMap<&'a ModPath, usize>,
        low: BTreeMap<&'a ModPath, usize>,
        stack: Vec<&'a ModPath>,
        on_stack: BTreeSet<&'a ModPath>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, node: &'a ModPath) {
            let number = self.index.len();
            self.index.insert(node, number);
            self.low.insert(node, number);
            self.stack.push(node);
            self.on_stack.insert(node);
            for next in self.graph.get(node).into_iter().flatten() {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(member) = self.stack.pop() {
                    self.on_stack.remove(member);
                    component.push(name(member));
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !walk.index.contains_key(node) {
            walk.visit(node);
        }
    }
    walk.found
}

fn crate_src(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn layer(module: &[String]) -> &str {
    module.first().map_or("(crate root)", String::as_str)
}

#[test]
fn the_tidy_test_sees_imports_and_circles() {
    // The reader itself, on a made-up crate: grouped, nested, aliased and `super` paths.
    let mut files = BTreeMap::new();
    for (module, code) in [
        (
            vec!["a"],
            "use crate::b::{X, c::{Y as Z}};\nfn f() { super::d::g(); }",
        ),
        (vec!["b"], "use crate::d;"),
        (vec!["b", "c"], "use super::super::a::Q;"),
        (
            vec!["d"],
            "// use crate::a; (a comment)\n#[cfg(test)]\nuse crate::a;",
        ),
    ] {
        let module: ModPath = module.into_iter().map(str::to_owned).collect();
        files.insert(module, code_only(code));
    }
    let fake = Crate { files };
    let graph = fake.graph();
    let names = |module: &str| -> Vec<String> {
        graph[&vec![module.to_owned()]]
            .iter()
            .map(|m| name(m))
            .collect()
    };
    assert_eq!(names("a"), ["b", "b/c", "d"]);
    assert_eq!(names("d"), Vec::<String>::new());
    assert_eq!(circles(&graph), vec![vec!["a", "b/c"]]);
}

#[test]
fn no_import_circle_in_either_crate() {
    for src in ["src", "../client/src"] {
        let graph = Crate::read(&crate_src(src)).graph();
        let found = circles(&graph);
        assert!(
            found.is_empty(),
            "import circles among the files of {src}: {found:?} (move the shared piece below both)"
        );
    }
}

#[test]
fn each_layer_names_only_the_layers_below_it() {
    // Layer → what it may name. Layers not listed (state, error, routes, openapi, server, the
    // crate root) sit above all of these and are held by the circle test.
    let allowed: &[(&str, &[&str])] = &[
        ("clock", &[]),
        ("schema", &[]),
        ("domain", &["clock", "schema"]),
        ("fixtures", &["domain", "clock"]),
        ("scenario", &["domain", "clock", "fixtures", "schema"]),
        (
            "store",
            &["domain", "scenario", "clock", "fixtures", "schema"],
        ),
        // The wire reads links and bodies into domain values and renders the store's views.
        (
            "wire",
            &["domain", "scenario", "store", "clock", "fixtures", "schema"],
        ),
        ("journal", &["domain", "clock"]),
        (
            "verify",
            &["journal", "scenario", "domain", "clock", "wire"],
        ),
        ("coverage", &["journal", "verify", "domain", "clock"]),
        // The data dir: SQL over the store's rows; state calls it, nothing below knows it.
        ("persist", &["store", "domain", "clock"]),
        (
            "routes",
            &[
                "domain", "scenario", "store", "clock", "fixtures", "schema", "wire", "journal",
                "verify", "coverage", "state", "error",
            ],
        ),
    ];
    let graph = Crate::read(&crate_src("src")).graph();
    let mut broken = Vec::new();
    for (module, targets) in &graph {
        let from = layer(module);
        let Some((_, may)) = allowed.iter().find(|(layer, _)| *layer == from) else {
            continue;
        };
        for target in targets {
            let to = layer(target);
            if to != from && !may.contains(&to) {
                broken.push(format!("{} names {}", name(module), name(target)));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "layering broken (ARCHITECTURE.md, Invariants): {broken:#?}"
    );
}

#[test]
fn http_types_are_named_only_at_the_edge() {
    let edge = [
        "routes",
        "state",
        "error",
        "openapi",
        "journal",
        "server",
        "(crate root)",
    ];
    let crate_ = Crate::read(&crate_src("src"));
    let mut broken = Vec::new();
    for (module, code) in &crate_.files {
        if edge.contains(&layer(module)) {
            continue;
        }
        for needle in ["axum", "http::", "hyper", "tower"] {
            if code.contains(needle) {
                broken.push(format!("{} names {needle}", name(module)));
            }
        }
    }
    assert!(broken.is_empty(), "HTTP types below the edge: {broken:?}");
}

#[test]
fn the_store_fields_are_private() {
    let code = code_only(&fs::read_to_string(crate_src("src/store/mod.rs")).expect("store"));
    let start = code.find("pub struct Store {").expect("struct Store");
    let body = &code[start..];
    let body = &body[..body.find("\n}").expect("end of struct Store")];
    let public: Vec<&str> = body
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|line| line.starts_with("pub"))
        .collect();
    assert!(
        public.is_empty(),
        "Store fields visible outside src/store: {public:?} (add a method instead)"
    );
}

#[test]
fn a_request_reads_the_clock_once() {
    // The pipeline reads it (in `settle::Asked::gather`) and hands `RequestTime` down; the only other readings are the two
    // fallbacks for a request that bypassed the pipeline, the clock endpoints reporting the clock
    // they just moved, and the live page's frames (rendered for the feed, not for a request).
    let allowed = [
        ("routes/settle", 1),
        ("routes/extract", 1),
        ("routes/faults", 1),
        ("routes/control", 1),
        ("routes/ui", 1),
    ];
    let crate_ = Crate::read(&crate_src("src"));
    let mut found = Vec::new();
    for (module, code) in &crate_.files {
        if layer(module) != "routes" {
            continue;
        }
        let count = code.matches(".now()").count();
        let expected = allowed
            .iter()
            .find(|(name, _)| *name == self::name(module))
            .map_or(0, |(_, count)| *count);
        if count != expected {
            found.push(format!(
                "{}: {count} clock readings, {expected} expected",
                name(module)
            ));
        }
    }
    assert!(
        found.is_empty(),
        "{found:?}: take `RequestTime` (the pipeline's one reading) instead of `state.now()`"
    );
}

#[test]
fn the_store_never_builds_json() {
    // It returns indices and typed, borrowed views; the routes serialise them.
    let crate_ = Crate::read(&crate_src("src"));
    let found: Vec<String> = crate_
        .files
        .iter()
        .filter(|(module, code)| layer(module) == "store" && code.contains("serde_json"))
        .map(|(module, _)| name(module))
        .collect();
    assert!(found.is_empty(), "serde_json in the store: {found:?}");
}

#[test]
fn the_domain_never_names_serde_json() {
    // GP tom's model as values: JSON is read and written above it (`wire/`, the store's views).
    let crate_ = Crate::read(&crate_src("src"));
    let found: Vec<String> = crate_
        .files
        .iter()
        .filter(|(module, code)| {
            matches!(layer(module), "domain" | "scenario") && code.contains("serde_json")
        })
        .map(|(module, _)| name(module))
        .collect();
    assert!(found.is_empty(), "serde_json below the store: {found:?}");
}

#[test]
fn below_the_wire_nothing_names_openapi() {
    // The document's names for the domain's values are stand-ins in `wire/openapi_types.rs`.
    let crate_ = Crate::read(&crate_src("src"));
    let found: Vec<String> = crate_
        .files
        .iter()
        .filter(|(module, code)| {
            matches!(layer(module), "domain" | "scenario" | "store" | "fixtures")
                && (code.contains("utoipa") || code.contains("ToSchema"))
        })
        .map(|(module, _)| name(module))
        .collect();
    assert!(found.is_empty(), "OpenAPI below the wire: {found:?}");
}

#[test]
fn json_field_names_are_spelled_in_the_wire() {
    // A struct below the wire keeps Rust's field names, except the record forms the mock writes
    // to its own files as they are (renaming them would be a data-dir migration and a new state
    // file version) and the fixtures' file format.
    let record_forms = [
        "pub struct RequestRecord",
        "pub struct Totals",
        "pub struct CardRange",
    ];
    let crate_ = Crate::read(&crate_src("src"));
    let mut found = Vec::new();
    for (module, code) in &crate_.files {
        if !matches!(layer(module), "domain" | "scenario" | "store") {
            continue;
        }
        let lines: Vec<&str> = code.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            let renames_fields = line.contains("rename_all = \"camelCase\"")
                || (line.trim_start().starts_with("#[serde(rename = ")
                    && lines.get(index + 1).is_some_and(|next| next.contains(':')));
            if !renames_fields {
                continue;
            }
            // The item the attribute belongs to: the next `pub struct`/`pub enum` line (a field
            // rename belongs to the struct above it).
            let item = if line.contains("rename_all") {
                lines[index..]
                    .iter()
                    .find(|line| line.contains(" struct ") || line.contains(" enum "))
            } else {
                lines[..index]
                    .iter()
                    .rev()
                    .find(|line| line.contains(" struct ") || line.contains(" enum "))
            };
            let item = item.map_or("", |item| item.trim());
            let is_struct = item.contains(" struct ");
            if is_struct && !record_forms.iter().any(|form| item.starts_with(form)) {
                found.push(format!("{}: {item}", name(module)));
            }
        }
    }
    found.dedup();
    assert!(
        found.is_empty(),
        "JSON field names spelled below the wire (give the wire a body type and convert): {found:?}"
    );
}

#[test]
fn deep_links_are_read_and_answered_only_in_the_wire() {
    // The store carries out typed commands (`domain::app`); only `wire/` knows a link's
    // parameter names and the SDK's answer shapes, and only the route calls it.
    let graph = Crate::read(&crate_src("src")).graph();
    let link_modules = ["wire/deeplink", "wire/app_answer"];
    let mut found = Vec::new();
    for (module, targets) in &graph {
        if matches!(layer(module), "wire") || name(module) == "routes/app2app" {
            continue;
        }
        for target in targets {
            if link_modules.contains(&name(target).as_str()) {
                found.push(format!("{} names {}", name(module), name(target)));
            }
        }
    }
    assert!(
        found.is_empty(),
        "deep links read outside the wire: {found:?}"
    );
}

#[test]
fn no_rust_file_is_over_600_lines() {
    let mut long = Vec::new();
    for dir in [
        "src",
        "tests",
        "../client/src",
        "../client/tests",
        "../harness/src",
        "../harness/tests",
    ] {
        let dir = crate_src(dir);
        if !dir.exists() {
            continue;
        }
        for (path, text) in rust_files(&dir) {
            let lines = text.lines().count();
            if lines > 600 {
                long.push(format!("{} ({lines} lines)", path.display()));
            }
        }
    }
    assert!(
        long.is_empty(),
        "Rust files over 600 lines (split them by concept, a folder per concept, re-exports keeping the public paths): {long:#?}"
    );
}

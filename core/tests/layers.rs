//! The import rule of `ARCHITECTURE.md`: a module of `core/src` may use the folders below its
//! own layer and its own folder, never one above. Reads every source file and fails on a
//! `crate::X` path (in a `use` or inline) that goes up the table, so no cycle between folders
//! can come back.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::fs;
use std::path::{Path, PathBuf};

/// The layers, lowest first, and the top-level modules in each. Modules of one layer do not
/// import each other.
const LAYERS: &[&[&str]] = &[
    &["error"],
    &["support"],
    &["value", "mask", "limits"],
    &["calendar", "org"],
    &["workflow"],
    &["case"],
    &["engine"],
    &["metrics", "shipped"],
    &["api"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`case/handling.rs` -> `case`), `None` for the root.
fn owner(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_str()?.to_owned();
    let name = first.trim_end_matches(".rs").to_owned();
    (name != "lib").then_some(name)
}

/// Every `crate::X` named in the code of `text` (comments are skipped), with its line.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // `crate::{a, b}` lists several: take each first segment.
            if name.is_empty() && after.starts_with('{') {
                let inner = after[1..].split('}').next().unwrap_or("");
                for item in inner.split(',') {
                    let first = item.trim().split("::").next().unwrap_or("").to_owned();
                    if !first.is_empty() {
                        found.push((n + 1, first));
                    }
                }
            } else if !name.is_empty() {
                found.push((n + 1, name));
            }
            rest = after;
        }
    }
    found
}

/// The violations in the tree under `src`: "file:line: `from` uses `to` above it".
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    sources(src, &mut files);
    files.sort();
    let mut bad = Vec::new();
    for file in files {
        let Some(from) = owner(src, &file) else {
            continue;
        };
        let Some(from_layer) = layer(&from) else {
            bad.push(format!(
                "{}: module `{from}` is in no layer",
                file.display()
            ));
            continue;
        };
        let text = fs::read_to_string(&file).unwrap();
        for (line, to) in crate_paths(&text) {
            if to == from {
                continue;
            }
            // Root items (`crate::Engine`) are the public API: only `api` may name them.
            let to_layer = match layer(&to) {
                Some(l) => l,
                None if to.starts_with(char::is_uppercase) || to == "VERSION" => LAYERS.len(),
                None => {
                    bad.push(format!("{}:{line}: unknown module `{to}`", file.display()));
                    continue;
                }
            };
            if to_layer >= from_layer {
                bad.push(format!(
                    "{}:{line}: `{from}` uses `{to}`, which is not below it",
                    file.display()
                ));
            }
        }
    }
    bad
}

#[test]
fn no_module_imports_upward() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let bad = violations(&src);
    assert!(
        bad.is_empty(),
        "imports against the layers:\n{}",
        bad.join("\n")
    );
}

#[test]
fn an_upward_import_is_caught() {
    let dir = std::env::temp_dir().join(format!("civicflow-layers-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("calendar")).unwrap();
    fs::write(
        dir.join("calendar/mod.rs"),
        "use crate::error::ErrorDetail;\nuse crate::case::Case; // up\nfn f() { crate::engine::x(); }\n",
    )
    .unwrap();
    fs::write(
        dir.join("value.rs"),
        "use crate::{error::ErrorDetail, support::ids};\n",
    )
    .unwrap();
    let bad = violations(&dir);
    fs::remove_dir_all(&dir).unwrap();
    assert_eq!(bad.len(), 2, "{bad:#?}");
    assert!(bad[0].ends_with("calendar/mod.rs:2: `calendar` uses `case`, which is not below it"));
    assert!(bad[1].ends_with("calendar/mod.rs:3: `calendar` uses `engine`, which is not below it"));
}

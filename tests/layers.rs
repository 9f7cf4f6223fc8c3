//! The module graph of `src/` runs one way, as ARCHITECTURE.md's layer diagram draws it:
//! each file uses (`crate::name` in code, not in comments) only files earlier in `LAYERS`,
//! the diagram read from the bottom row up and each row from left to right. A check of the
//! source tree, so it runs on the host only (not in the Windows build under Wine).
#![cfg(all(not(loom), unix))]

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// ARCHITECTURE.md's layers, bottom first; within a row, the order in which a file may use
/// another.
const LAYERS: &[(&str, &[&str])] = &[
    ("the sync switch, the error types", &["sync", "error"]),
    ("the futex seam", &["futex"]),
    ("the spin policy", &["spin"]),
    ("primitives", &["lock", "rlock", "event", "semaphore", "barrier", "once"]),
    ("shared parts", &["waiters", "scheduler"]),
    ("built on primitives", &["condition", "timer_report", "timer", "queue"]),
    ("lock_api faces", &["mutex", "condvar", "faces_model", "fair_mutex", "rwlock"]),
    ("Python names", &["lib"]),
];

/// The modules a source file names in code: `crate::name`, outside `//` comments.
fn uses(source: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String =
                rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            found.insert(name);
        }
    }
    found
}

#[test]
fn every_file_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<(String, String)> = Vec::new();
    for entry in fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let module = path.file_stem().unwrap().to_string_lossy().into_owned();
            files.push((module, fs::read_to_string(&path).unwrap()));
        }
    }
    for entry in fs::read_dir(src.join("futex")).unwrap() {
        let path = entry.unwrap().path();
        files.push(("futex".to_string(), fs::read_to_string(&path).unwrap()));
    }
    let order: Vec<&str> = LAYERS.iter().flat_map(|(_, row)| row.iter().copied()).collect();
    let rank = |module: &str| order.iter().position(|m| *m == module);
    let mut wrong = Vec::new();
    for (module, source) in &files {
        let Some(own) = rank(module) else {
            wrong.push(format!("src/{module}.rs is in no layer (LAYERS, ARCHITECTURE.md)"));
            continue;
        };
        for used in uses(source) {
            // `crate::diagnostics` and other items of lib.rs are reached through the root.
            let used_module = if rank(&used).is_some() { used.as_str() } else { "lib" };
            if used_module != *module && rank(used_module) >= Some(own) {
                wrong.push(format!(
                    "src/{module}.rs uses crate::{used}, a layer above or beside it"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "imports that run up the layers:\n{}", wrong.join("\n"));
}

//! The module graph of `src/` runs one way, as ARCHITECTURE.md's layer diagram draws it:
//! each file uses (`crate::name` or, inside a folder, `super::name`, in code, not in
//! comments) only files earlier in `LAYERS`, the diagram read from the bottom row up and
//! each row from left to right. So the graph has no cycle. A check of the source tree, so
//! it runs on the host only (not in the Windows build under Wine).
#![cfg(all(not(loom), unix))]

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// ARCHITECTURE.md's layers, bottom first; within a row, the order in which a file may use
/// another. A file in a folder is `folder/file`; the folder's `mod.rs` is `folder`, except
/// `futex`, whose files are one unit (the seam) and are all `futex`.
const LAYERS: &[(&str, &[&str])] = &[
    ("the sync switch, errors, thread ids, fork", &["sync", "error", "thread_id", "fork"]),
    ("the futex seam", &["futex"]),
    ("the block-cost learner", &["block_cost"]),
    ("the spin policy", &["spin"]),
    ("primitives", &["lock", "rlock", "event", "semaphore", "barrier", "once", "rwlock"]),
    ("shared parts", &["waiters", "scheduler"]),
    (
        "built on primitives",
        &[
            "condition_lock",
            "condition",
            "reentrant_condition",
            "raw_condvar",
            "timer_report",
            "timer",
            "queue",
        ],
    ),
    (
        "parking_lot's face",
        &[
            "faces/model",
            "faces/raw",
            "faces/mutex",
            "faces/fair_mutex",
            "faces/condvar",
            "faces/rwlock",
            "faces/loom_shims",
            "faces",
        ],
    ),
    ("Python names", &["lib"]),
];

/// Folders whose files are checked one by one (the others, `futex`, are one unit).
const WINGS: &[&str] = &["faces"];

/// The modules a source file of `module` names in code: `crate::name` (`crate::wing::file`
/// for a wing) and, inside a wing, `super::file`; outside `//` comments.
fn uses(
    module: &str,
    source: &str,
    files_of: &dyn Fn(&str) -> BTreeSet<String>,
) -> BTreeSet<String> {
    let wing_of = |name: &str, rest: &str| -> String {
        let file: String =
            rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if files_of(name).contains(&file) { format!("{name}/{file}") } else { name.to_string() }
    };
    let mut found = BTreeSet::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        for (prefix, inside) in [("crate::", None), ("super::", module.split_once('/'))] {
            if prefix == "super::" && inside.is_none() {
                continue;
            }
            let mut rest = code;
            while let Some(at) = rest.find(prefix) {
                rest = &rest[at + prefix.len()..];
                let name: String =
                    rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                let used = match inside {
                    // `super::name` inside wing/x: a sibling file, or the wing's mod.rs.
                    Some((wing, _)) => wing_of(wing, rest),
                    None if WINGS.contains(&name.as_str()) => {
                        wing_of(&name, rest[name.len()..].trim_start_matches("::"))
                    }
                    None => name,
                };
                found.insert(used);
            }
        }
    }
    found
}

#[test]
fn every_file_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let stems = |dir: &Path| -> Vec<(String, String)> {
        let mut found: Vec<(String, String)> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "rs"))
            .map(|path| {
                let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
                (stem, fs::read_to_string(&path).unwrap())
            })
            .collect();
        found.sort();
        found
    };
    let files_of = |wing: &str| -> BTreeSet<String> {
        stems(&src.join(wing)).into_iter().map(|(stem, _)| stem).filter(|s| s != "mod").collect()
    };
    let mut files: Vec<(String, String)> = stems(&src);
    for (_, source) in stems(&src.join("futex")) {
        files.push(("futex".to_string(), source));
    }
    for wing in WINGS {
        for (stem, source) in stems(&src.join(wing)) {
            let module = if stem == "mod" { wing.to_string() } else { format!("{wing}/{stem}") };
            files.push((module, source));
        }
    }
    let order: Vec<&str> = LAYERS.iter().flat_map(|(_, row)| row.iter().copied()).collect();
    let rank = |module: &str| order.iter().position(|m| *m == module);
    let mut wrong = Vec::new();
    for (module, source) in &files {
        let Some(own) = rank(module) else {
            wrong.push(format!("src/{module}.rs is in no layer (LAYERS, ARCHITECTURE.md)"));
            continue;
        };
        for used in uses(module, source, &files_of) {
            // `crate::diagnostics` and other items of lib.rs are reached through the root.
            let used_module = if rank(&used).is_some() { used.as_str() } else { "lib" };
            if used_module != *module && rank(used_module) >= Some(own) {
                wrong.push(format!("src/{module}.rs uses {used}, a layer above or beside it"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports that run up the layers:\n{}", wrong.join("\n"));
}

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

/// The identifier `text` starts with.
fn ident(text: &str) -> &str {
    let end = text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(text.len());
    &text[..end]
}

/// The modules a source file of `module` names in code, outside `//` comments:
/// `crate::name`, and `crate::wing::file` or, inside a wing, `super::file` as `wing/file`
/// (a name that is no file of the wing is the wing's `mod.rs`). `wing_files` lists every
/// `wing/file` there is.
fn uses(module: &str, source: &str, wing_files: &BTreeSet<String>) -> BTreeSet<String> {
    let in_wing = |wing: &str, after: &str| {
        let file = format!("{wing}/{}", ident(after));
        if wing_files.contains(&file) { file } else { wing.to_string() }
    };
    let own_wing = module.split_once('/').map(|(wing, _)| wing);
    let mut found = BTreeSet::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        for (at, prefix) in code.match_indices("crate::") {
            let rest = &code[at + prefix.len()..];
            let name = ident(rest);
            found.insert(if WINGS.contains(&name) {
                in_wing(name, rest[name.len()..].trim_start_matches("::"))
            } else {
                name.to_string()
            });
        }
        if let Some(wing) = own_wing {
            for (at, prefix) in code.match_indices("super::") {
                found.insert(in_wing(wing, &code[at + prefix.len()..]));
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
    let wing_files: BTreeSet<String> =
        files.iter().filter(|(module, _)| module.contains('/')).map(|(m, _)| m.clone()).collect();
    let order: Vec<&str> = LAYERS.iter().flat_map(|(_, row)| row.iter().copied()).collect();
    let rank = |module: &str| order.iter().position(|m| *m == module);
    let mut wrong = Vec::new();
    for (module, source) in &files {
        let Some(own) = rank(module) else {
            wrong.push(format!("src/{module}.rs is in no layer (LAYERS, ARCHITECTURE.md)"));
            continue;
        };
        for used in uses(module, source, &wing_files) {
            // `crate::diagnostics` and other items of lib.rs are reached through the root.
            let used_module = if rank(&used).is_some() { used.as_str() } else { "lib" };
            if used_module != *module && rank(used_module) >= Some(own) {
                wrong.push(format!("src/{module}.rs uses {used}, a layer above or beside it"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports that run up the layers:\n{}", wrong.join("\n"));
}

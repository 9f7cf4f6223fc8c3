//! README.md's and the crate docs' "Model-check your own code" (the top of src/lib.rs,
//! `cargo doc --open`) show `tests/model.rs`'s `a_notify_after_the_unlock_is_not_lost` as
//! it is: this keeps the three the same, so that the example a user copies is the one CI
//! runs.

/// `tests/model.rs`'s model that README.md and the crate docs show.
fn the_model() -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let model = std::fs::read_to_string(format!("{root}/tests/model.rs")).unwrap();
    let start = model.find("#[test]\nfn a_notify_after_the_unlock_is_not_lost").unwrap();
    let end = start + model[start..].find("\n}\n").unwrap() + 3;
    model[start..end].to_string()
}

#[test]
fn the_crate_docs_example_is_the_model_that_runs() {
    let lib = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../src/lib.rs"));
    // The crate docs' text, without the `//! ` each of its lines starts with.
    let docs: String = lib
        .unwrap()
        .lines()
        .filter_map(|line| line.strip_prefix("//!"))
        .map(|line| format!("{}\n", line.strip_prefix(' ').unwrap_or(line)))
        .collect();
    assert!(
        docs.contains(&the_model()),
        "src/lib.rs's crate docs no longer show tests/downstream/tests/model.rs's model as it is"
    );
}

#[test]
fn the_readme_example_is_the_model_that_runs() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"));
    assert!(
        readme.unwrap().contains(&the_model()),
        "README.md no longer shows tests/downstream/tests/model.rs's model as it is"
    );
}

//! README.md's and the crate docs' "Model-check your own code" (the top of src/lib.rs,
//! `cargo doc --open`) show `tests/model.rs`'s `a_notify_after_the_unlock_is_not_lost` as
//! it is: this keeps the three the same, so that the example a user copies is the one CI
//! runs.

/// A file of the repository, by its path from this crate's directory.
fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// `tests/model.rs`'s model that README.md and the crate docs show.
fn the_model() -> String {
    let model = read("tests/model.rs");
    let start = model.find("#[test]\nfn a_notify_after_the_unlock_is_not_lost").unwrap();
    let end = start + model[start..].find("\n}\n").unwrap() + 3;
    model[start..end].to_string()
}

#[test]
fn the_crate_docs_example_is_the_model_that_runs() {
    // The crate docs' text, without the `//! ` each of its lines starts with.
    let docs: String = read("../../src/lib.rs")
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
    assert!(
        read("../../README.md").contains(&the_model()),
        "README.md no longer shows tests/downstream/tests/model.rs's model as it is"
    );
}

//! The crate docs' "Model-check your own code" (src/lib.rs, shown on docs.rs) show
//! `tests/model.rs`'s `a_notify_after_the_unlock_is_not_lost` as it is: this keeps the two
//! the same, so that the example a user copies is the one CI runs.

#[test]
fn the_crate_docs_example_is_the_model_that_runs() {
    let root = env!("CARGO_MANIFEST_DIR");
    let model = std::fs::read_to_string(format!("{root}/tests/model.rs")).unwrap();
    let lib = std::fs::read_to_string(format!("{root}/../../src/lib.rs")).unwrap();
    // The crate docs' text, without the `//! ` each of its lines starts with.
    let docs: String = lib
        .lines()
        .filter_map(|line| line.strip_prefix("//!"))
        .map(|line| format!("{}\n", line.strip_prefix(' ').unwrap_or(line)))
        .collect();
    let start = model.find("#[test]\nfn a_notify_after_the_unlock_is_not_lost").unwrap();
    let end = start + model[start..].find("\n}\n").unwrap() + 3;
    assert!(
        docs.contains(&model[start..end]),
        "src/lib.rs's crate docs no longer show tests/downstream/tests/model.rs's model as it is"
    );
}

//! The README's "Model-check your own code" shows `tests/model.rs`'s
//! `a_notify_after_the_unlock_is_not_lost` as it is: this keeps the two the same, so that
//! the example a user copies is the one CI runs.

#[test]
fn the_readme_example_is_the_model_that_runs() {
    let root = env!("CARGO_MANIFEST_DIR");
    let model = std::fs::read_to_string(format!("{root}/tests/model.rs")).unwrap();
    let readme = std::fs::read_to_string(format!("{root}/../../README.md")).unwrap();
    let start = model.find("#[test]\nfn a_notify_after_the_unlock_is_not_lost").unwrap();
    let end = start + model[start..].find("\n}\n").unwrap() + 3;
    assert!(
        readme.contains(&model[start..end]),
        "README.md no longer shows tests/downstream/tests/model.rs's model as it is"
    );
}

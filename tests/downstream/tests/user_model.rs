//! The crate docs' example of a user's loom model, `tests/user_model.rs` of the main
//! repository (the docs show that file as it is), run from a crate that depends on
//! `threading` the way a user's does.
#![cfg(loom)]

#[path = "../../user_model.rs"]
mod user_model;

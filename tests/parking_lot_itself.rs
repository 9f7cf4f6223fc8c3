//! `tests/support/parking_lot_code.rs` against parking_lot 0.13 itself: what those tests
//! expect of `use threading as parking_lot;` is what parking_lot does.
#![cfg(not(loom))]

extern crate parking_lot;

#[path = "support/parking_lot_code.rs"]
mod parking_lot_code;

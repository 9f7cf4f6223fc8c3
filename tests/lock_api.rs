//! Code written for parking_lot 0.13 compiles and behaves the same against this crate with
//! `use threading as parking_lot;`: the tests are `tests/support/parking_lot_code.rs`,
//! which `tests/parking_lot_itself.rs` also runs against parking_lot 0.13 itself.
#![cfg(not(loom))]

use threading as parking_lot;

#[path = "support/parking_lot_code.rs"]
mod parking_lot_code;

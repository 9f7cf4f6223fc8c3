//! The increments of sections 6, 7 and 8, each a function of its own so that sections 7
//! and 8 can disassemble exactly the code the other sections run.
//!
//! `#[inline(never)]` keeps every one a real function with an address: the loops call
//! them, and the disassembler reads their machine code from that address.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Python's `x += 1` on a shared counter: a relaxed load, plus one, a relaxed store. Each
/// of the two accesses is atomic; the pair is not, so updates of other threads between
/// them are lost.
#[inline(never)]
pub fn plus_equals_one(x: &AtomicU64) {
    x.store(x.load(Relaxed) + 1, Relaxed);
}

/// How often [`plus_equals_one_yielding`] yields: on every `YIELD_EVERY`-th increment.
pub const YIELD_EVERY: u64 = 50_000;

/// The same `x += 1`, but on increment `i` with `i % YIELD_EVERY == 0` the thread yields to
/// the scheduler between the load and the store: the other threads then run while this one
/// holds a stale value, which makes lost updates likely even on one CPU.
#[inline(never)]
pub fn plus_equals_one_yielding(x: &AtomicU64, i: u64) {
    let value = x.load(Relaxed);
    if i.is_multiple_of(YIELD_EVERY) {
        std::thread::yield_now();
    }
    x.store(value + 1, Relaxed);
}

/// `x.fetch_add(1)`: one atomic read-modify-write, exact without a lock.
#[inline(never)]
pub fn fetch_add_one(x: &AtomicU64) {
    x.fetch_add(1, Relaxed);
}

/// The notebook's `[2,5,3,6].sort()` as a Rust call: it needs `&mut`, that is exclusive
/// access, so a list shared between threads is sorted under a lock.
#[inline(never)]
pub fn sort_list(list: &mut [i64]) {
    list.sort();
}

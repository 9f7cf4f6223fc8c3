//! Section 8 of the notebook, "Atomic Instructions": an operation is safe without a lock if
//! it is one indivisible step. In CPython that is a single bytecode, because the GIL is only
//! switched between bytecodes; the notebook shows `dis.dis("[2,5,3,6].sort()")`. In Rust it
//! is a single atomic read-modify-write instruction.
//!
//! The example prints, in order:
//! 1. The notebook's cell `dis.dis("[2,5,3,6].sort()")`, run by `python3` when there is one.
//! 2. Rust's `dis` of the two increments of this binary, decoded at run time from the
//!    functions themselves: `x += 1` (a relaxed load, + 1, a relaxed store) next to
//!    `fetch_add(1)`. On x86-64 the first is typically an `inc` on memory with no lock
//!    prefix (or a load, an add and a store), the second the same `inc` with a `lock`
//!    prefix: that prefix is what makes it one indivisible step. The note under each listing
//!    is computed from the decoded instructions.
//! 3. What the notebook's `sort()` means in Rust: one call in the source, many machine
//!    instructions (the listing is cut short; the note counts what they do to memory), so
//!    not one indivisible step by itself. `sort` needs `&mut` access, which the compiler makes
//!    exclusive, so threads sharing a list sort it under a `Lock` — three threads do so.
//! 4. Three threads each add 1 to a counter N times (N = 10 million, scaled): with
//!    `fetch_add`, exact without any lock; with `x += 1` where every 50,000th increment
//!    yields between the load and the store (as in section 6) to provoke the race; and with
//!    `x += 1` without the yields. The counts and the lost updates are printed as measured.
//!    (Without the yields an unlocked `inc` on memory cannot be split by the scheduler on one
//!    CPU — it is interrupted only between instructions — so it loses updates only where two
//!    cores run it at the same time.)
//!
//! Where Rust differs from Python: Rust has no GIL, so "one bytecode" means nothing here —
//! only the hardware's atomic instructions are indivisible.

#[path = "common/mod.rs"]
mod common;

use common::counters::{
    YIELD_EVERY, fetch_add_one, plus_equals_one, plus_equals_one_yielding, sort_list,
};
use common::disasm;
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread;
use threading::{Event, Lock};

/// The notebook's cell for this section.
const PYTHON_DIS: &str = "import dis\ndis.dis(\"[2,5,3,6].sort()\")\n";

/// A list shared by threads, sorted only while `lock` is held.
struct SharedList {
    lock: Lock,
    list: UnsafeCell<Vec<i64>>,
}

// SAFETY: `list` is only accessed while `lock` is held, so never by two threads at once.
unsafe impl Sync for SharedList {}

impl SharedList {
    /// Appends `values` and sorts the list, under the lock.
    fn extend_and_sort(&self, values: &[i64]) {
        let _guard = self.lock.lock();
        // SAFETY: the lock is held, so this is the only reference to the list.
        let list = unsafe { &mut *self.list.get() };
        list.extend_from_slice(values);
        sort_list(list);
    }
}

/// Three threads each call `increment(counter, i)` for i in 0..n; returns the count and
/// what it would be without lost updates: n per thread that started (the OS may refuse one:
/// `common` says so).
fn count_with(n: u64, increment: impl Fn(&AtomicU64, u64) + Sync) -> (u64, u64) {
    let counter = AtomicU64::new(0);
    let start = Event::new(); // all the threads start counting together
    let started = thread::scope(|s| {
        let started = (1..=3)
            .filter_map(|t| {
                common::spawn_scoped(s, format!("thread {t} of 3"), || {
                    start.wait();
                    for i in 0..n {
                        increment(&counter, i);
                    }
                })
                .ok()
            })
            .count();
        start.set();
        started as u64
    });
    (counter.load(Relaxed), started * n)
}

/// "(lost 12)", or with fewer threads than three "(lost 12 of the 20000 that 2 threads added)".
fn lost(n: u64, (count, expected): (u64, u64)) -> String {
    if expected == 3 * n {
        format!("lost {}", expected - count)
    } else {
        format!("lost {} of the {expected} that {} threads added", expected - count, expected / n)
    }
}

pub fn main() {
    println!("The notebook's cell: dis.dis(\"[2,5,3,6].sort()\")");
    common::show_python("CPython's bytecode, from python3 on this machine:", PYTHON_DIS);

    println!();
    println!("Rust's dis: the two increments of this binary, `x += 1` and `fetch_add(1)`:");
    let plain = disasm::show("plus_equals_one", plus_equals_one as *const u8, &[], usize::MAX);
    println!("  -> {}", disasm::verdict(&plain));
    let atomic = disasm::show("fetch_add_one", fetch_add_one as *const u8, &[], usize::MAX);
    println!("  -> {}", disasm::verdict(&atomic));

    println!();
    println!("`[2,5,3,6].sort()` in Rust: `list.sort()` is one call, compiled to this:");
    let sort = disasm::show("sort_list", sort_list as *const u8, &[], 8);
    println!("  -> {}", disasm::verdict(&sort));
    println!(
        "  one call is not one indivisible step: with no GIL nothing stops another thread in the middle;"
    );
    println!(
        "  `sort` needs `&mut` (exclusive) access, so threads sharing a list sort it under a Lock:"
    );
    let shared = SharedList { lock: Lock::new(), list: UnsafeCell::new(vec![2, 5, 3, 6]) };
    thread::scope(|s| {
        for t in 1..=3 {
            let shared = &shared;
            let what = format!("thread {t} of 3");
            let _ = common::spawn_scoped(s, what, move || {
                shared.extend_and_sort(&[10 * t + 7, -t, 4 * t])
            });
        }
    });
    let list = shared.list.into_inner();
    let sorted = list.windows(2).all(|w| w[0] <= w[1]);
    println!(
        "  three threads each added three numbers and sorted under the lock: {list:?} (sorted: {sorted})"
    );

    println!();
    let n = common::scaled_count(10 * 1000 * 1000);
    let atomic = count_with(n, |x, _| fetch_add_one(x));
    let yielding = count_with(n, plus_equals_one_yielding);
    let plain = count_with(n, |x, _| plus_equals_one(x));
    println!("3 threads x N = 3 x {n} = {}", 3 * n);
    println!("fetch_add count:                 {} ({})", atomic.0, lost(n, atomic));
    println!(
        "load+store count with yields:    {} ({}; every {YIELD_EVERY}th increment yields between load and store, to provoke the race)",
        yielding.0,
        lost(n, yielding)
    );
    println!("load+store count without yields: {} ({})", plain.0, lost(n, plain));
    println!("(this process may use {} CPU(s))", common::usable_cpus());
}

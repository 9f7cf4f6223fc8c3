//! Section 6 of the notebook, "Sharing Data": three threads (A, B, C) each add 1 to two
//! shared counters N times (N = 10 million, scaled by `THREADING_TIME_SCALE`). `count1` is
//! unprotected and loses updates; `count2` is only touched while holding a `Lock` and ends
//! at exactly 3 × N. The three threads show the notebook's three ways of holding the lock:
//! - A: explicit `acquire()` … `release()`;
//! - B: `release()` in a cleanup path that also runs when the loop panics — Python's
//!   `try: … finally: lock.release()`, here `catch_unwind` + release + `resume_unwind`;
//! - C: a guard, `let _guard = lock.lock();` — Python's `with lock:`; the guard's `Drop`
//!   releases the lock at the end of the block, also while unwinding from a panic.
//!
//! Where Rust differs from Python:
//! - `count += 1` on a plain integer shared between threads does not compile in Rust: it
//!   would be a data race, which is undefined behaviour, not just a wrong count. To show the
//!   lost updates safely, both counters use an `AtomicU64` with a *separate* `load` and
//!   `store` — exactly the read / add / write steps of CPython's `+=`, each step atomic,
//!   the whole not. (A single `fetch_add` would be exact; see section 8.)
//! - Every 50 000th increment (the first one included) yields to the scheduler between
//!   the load and the store, and a start `Event` releases all three threads at once. Both
//!   only make the kernel's "suspended in the middle of `+=`" happen reliably, even on a
//!   busy machine with one free core; the protected counter uses the very same increment
//!   and stays exact. The output says so, and then runs the same threads again without
//!   the yields and prints those counts too: without them the unlocked increment compiles
//!   to a single unlocked instruction (see section 7), which the scheduler cannot split, so
//!   it loses updates only where two cores run it at the same time (on one CPU, none).
//! - The notebook's thread C increments `count1` only once (`M.count1 += 1` without a
//!   loop) — a slip: the text says all three threads increment both counts N times. This
//!   example does what it meant, so a correct unprotected count would be 3 × N as well.

#[path = "common/mod.rs"]
mod common;

use common::counters::{YIELD_EVERY, plus_equals_one, plus_equals_one_yielding};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread;
use threading::{Event, Lock};

/// `counter += 1` as CPython runs it: load, add, store — three steps, not one. With
/// `yielding`, every 50,000th increment yields between the load and the store.
fn increment(counter: &AtomicU64, i: u64, yielding: bool) {
    if yielding {
        plus_equals_one_yielding(counter, i);
    } else {
        plus_equals_one(counter);
    }
}

/// Python's class attributes `M.lock`, `M.count1`, `M.count2`, shared by every `M`.
struct Shared {
    lock: Lock,
    count1: AtomicU64, // unprotected
    count2: AtomicU64, // protected by `lock`
    start: Event,
}

/// The callable object of the notebook; `call` is its `__call__`.
struct M<'a> {
    shared: &'a Shared,
    n: u64,
    /// Whether the increments yield between load and store (see `increment`).
    yielding: bool,
}

impl M<'_> {
    fn call(&self, name: &str) {
        let s = self.shared;
        let n = self.n;
        let increment = |counter, i| increment(counter, i, self.yielding);
        s.start.wait();
        if name == "A" {
            for i in 0..n {
                increment(&s.count1, i);
            }
            s.lock.acquire();
            for i in 0..n {
                increment(&s.count2, i);
            }
            s.lock.release().expect("A holds the lock");
        }
        if name == "B" {
            for i in 0..n {
                increment(&s.count1, i);
            }
            s.lock.acquire();
            // try:
            let result = panic::catch_unwind(AssertUnwindSafe(|| {
                for i in 0..n {
                    increment(&s.count2, i);
                }
            }));
            // finally:
            s.lock.release().expect("B holds the lock");
            if let Err(payload) = result {
                panic::resume_unwind(payload);
            }
        }
        if name == "C" {
            // The notebook has a single `M.count1 += 1` here; it meant the loop.
            for i in 0..n {
                increment(&s.count1, i);
            }
            let _guard = s.lock.lock(); // with M.lock:
            for i in 0..n {
                increment(&s.count2, i);
            }
        } // _guard dropped: lock released
    }
}

/// Runs threads A, B and C on fresh counters; returns (count1, count2, how many of the
/// threads started): each started thread adds N to both counts, one the OS refused none.
fn run(n: u64, yielding: bool) -> (u64, u64, u64) {
    let shared = Shared {
        lock: Lock::new(),
        count1: AtomicU64::new(0),
        count2: AtomicU64::new(0),
        start: Event::new(),
    };

    let m1 = M { shared: &shared, n, yielding };
    let m2 = M { shared: &shared, n, yielding };
    let m3 = M { shared: &shared, n, yielding };

    let started = thread::scope(|s| {
        let t1 = common::spawn_scoped(s, "thread A", || m1.call("A")).ok();
        let t2 = common::spawn_scoped(s, "thread B", || m2.call("B")).ok();
        let t3 = common::spawn_scoped(s, "thread C", || m3.call("C")).ok();
        shared.start.set(); // all the threads start counting together

        let started = [t1, t2, t3].into_iter().flatten().map(|t| t.join().expect("panicked"));
        started.count() as u64
    });
    (shared.count1.load(Relaxed), shared.count2.load(Relaxed), started)
}

pub fn main() {
    let n = common::scaled_count(10 * 1000 * 1000);
    let (count1, count2, threads) = run(n, true);
    println!();
    println!("M.count1: {count1}");
    println!("M.count2: {count2}");
    println!(
        "{threads} threads x N = {threads} x {n} = {}: count1 (unprotected) lost {} updates, count2 (locked) lost {}",
        threads * n,
        threads * n - count1,
        threads * n - count2
    );
    println!(
        "(every {YIELD_EVERY}th increment yields between its load and its store, to provoke the race)"
    );

    let (count1, count2, threads) = run(n, false);
    println!();
    println!("The same threads without the yields:");
    println!("without yields: M.count1: {count1}");
    println!("without yields: M.count2: {count2}");
    println!(
        "without yields: {threads} threads: count1 (unprotected) lost {} updates, count2 (locked) lost {} (this process may use {} CPU(s))",
        threads * n - count1,
        threads * n - count2,
        common::usable_cpus()
    );
}

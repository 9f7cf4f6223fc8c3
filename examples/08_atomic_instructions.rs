//! Section 8 of the notebook, "Atomic Instructions": an operation is safe without a lock if
//! it is one indivisible step. In CPython that is a single bytecode (such as the
//! `CALL_METHOD` of `list.sort()`), because the GIL is only switched between bytecodes.
//! In Rust it is a single atomic read-modify-write instruction: `fetch_add` (`lock xadd` on
//! x86) loads, adds and stores with no gap in which another thread could write.
//!
//! Three threads each add 1 to two counters N times (N = 10 million, scaled): once with
//! `fetch_add`, which ends exactly at 3 × N without any lock, and once with a separate
//! `load` and `store` (the three steps of `+=`, see section 7), which loses updates.
//!
//! Where Rust differs from Python: Rust has no GIL, so "one bytecode" means nothing here —
//! only the hardware's atomic instructions are indivisible. A method call like `v.sort()`
//! on shared data is *not* atomic; Rust refuses to compile it on data shared between
//! threads unless it is behind a lock (`&mut` access is exclusive by construction).

#[path = "common/mod.rs"]
mod common;

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread;
use threading::Event;

pub fn main() {
    let n = common::scaled_count(10 * 1000 * 1000);
    let atomic = AtomicU64::new(0);
    let lossy = AtomicU64::new(0);
    let start = Event::new();

    thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                start.wait();
                for i in 0..n {
                    atomic.fetch_add(1, Relaxed); // one indivisible instruction
                    let v = lossy.load(Relaxed); // two instructions ...
                    if i % 50_000 == 0 {
                        thread::yield_now(); // (make a suspension between them likely, as in section 6)
                    }
                    lossy.store(v + 1, Relaxed); // ... with a gap between them
                }
            });
        }
        start.set();
    });

    let atomic = atomic.load(Relaxed);
    let lossy = lossy.load(Relaxed);
    println!("3 threads x N = 3 x {n} = {}", 3 * n);
    println!("fetch_add count:  {atomic} (lost {})", 3 * n - atomic);
    println!("load+store count: {lossy} (lost {})", 3 * n - lossy);
}

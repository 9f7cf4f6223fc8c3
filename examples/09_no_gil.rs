//! Section 9 of the notebook, "Global Interpreter Lock (GIL)": CPython runs bytecode only
//! while holding the GIL, so two CPU-bound Python threads take about twice the time of one.
//!
//! Where Rust differs from Python: Rust has no GIL. Each thread runs machine code on its
//! own core, so two CPU-bound threads take about the time of one where two cores are free
//! (on a single core, or a machine busy with other work, they take up to twice as long —
//! the OS, not a lock, shares the core). The example times one job on one thread, then two
//! equal jobs on two threads, and prints both times.

#[path = "common/mod.rs"]
mod common;

use std::hint::black_box;
use std::thread;
use std::time::Instant;

/// A CPU-bound job: the sum of i^0.3 for i below `n` (the calculation of section 14).
fn job(n: u64) -> f64 {
    (0..n).map(|i| black_box(i as f64).powf(0.3)).sum()
}

pub fn main() {
    let n = common::scaled_count(100 * 1000 * 1000);
    let cores = thread::available_parallelism().map_or(1, |c| c.get());
    println!("{cores} cores available; each job sums i^0.3 for i below {n}");

    let start = Instant::now();
    let one = job(n);
    let t1 = start.elapsed().as_secs_f64();
    println!("one job on one thread:   {t1:6.3} s");

    let start = Instant::now();
    let (a, b) = thread::scope(|s| {
        let a = s.spawn(|| job(n));
        let b = s.spawn(|| job(n));
        (a.join().expect("job panicked"), b.join().expect("job panicked"))
    });
    let t2 = start.elapsed().as_secs_f64();
    println!("two jobs on two threads: {t2:6.3} s");
    assert!(a == one && b == one, "the same job must give the same sum");

    println!(
        "two threads took {:.2}x the time of one (no GIL: about 1x with two free cores; CPython: about 2x)",
        t2 / t1
    );
}

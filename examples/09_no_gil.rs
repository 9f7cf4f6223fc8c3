//! Section 9 of the notebook, "Global Interpreter Lock (GIL)": CPython runs bytecode only
//! while holding the GIL, so two CPU-bound Python threads take about twice the time of one.
//! The section has no code cell; this example measures the claim in both languages.
//!
//! One job is the calculation of section 14, the sum of i^0.3 for i below M (M = 50
//! million, scaled by `THREADING_TIME_SCALE`). The example times one job on one thread and
//! two equal jobs on two threads, each the fastest of `ROUNDS` interleaved rounds, and prints
//! the ratio: about 1x means the two threads ran at the same time, about 2x that they took
//! turns. When `python3` is on the PATH it does the same with the notebook's own
//! `calculate` function in CPython threads (the GIL measured, not quoted), and prints both;
//! without `python3` it says so. Every sentence is chosen from the measured ratios
//! (`TOOK_TURNS_FROM` splits "at the same time" from "took turns"), so the same binary
//! pinned to one CPU (`taskset -c 0`) reports that Rust's threads took turns too.
//!
//! Where Rust differs from Python: Rust has no GIL. Each thread runs machine code on a core
//! of its own where one is free; only the OS shares a core, when there are fewer free cores
//! than threads.

#[path = "common/mod.rs"]
mod common;

use std::hint::black_box;
use std::thread;
use std::time::Instant;

/// Each time is the fastest of this many rounds (one round: one job, then two jobs).
const ROUNDS: usize = 3;

/// A ratio (two jobs on two threads / one job on one thread) from which on the threads
/// count as having taken turns: halfway between 1x (parallel) and 2x (one after the other).
const TOOK_TURNS_FROM: f64 = 1.5;

/// The same measurement in CPython with the notebook's `calculate` (from its section 14);
/// `SCALE` and `ROUNDS` are set first.
const PYTHON_GIL: &str = r#"
import sys, time
from threading import Thread
print("gil enabled:", getattr(sys, "_is_gil_enabled", lambda: True)())

M = max(1, round(50*1000*1000 * SCALE))

def calculate(lo, hi):
    '''the calculation to perform'''
    sum = 0
    for i in range (lo, hi):
        sum += float(i)**0.3
    return sum

def one_job():
    calculate(0, M)

def two_jobs():
    threads = [Thread(target = calculate, args = (0, M)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

def timed(job):
    start = time.perf_counter()
    job()
    return time.perf_counter() - start

one = two = float("inf")
for _ in range(ROUNDS):
    one = min(one, timed(one_job))
    two = min(two, timed(two_jobs))
print(f"one job on one thread:   {one:.5f} s")
print(f"two jobs on two threads: {two:.5f} s")
"#;

/// A CPU-bound job: the sum of i^0.3 for i below `n` (the calculation of section 14).
fn job(n: u64) -> f64 {
    (0..n).map(|i| black_box(i as f64).powf(0.3)).sum()
}

/// The verdict on two jobs taking `ratio` times the time of one.
fn verdict(language: &str, ratio: f64, gil: Option<bool>) -> String {
    let cpus = common::usable_cpus();
    if ratio < TOOK_TURNS_FROM {
        format!(
            "{language}: two threads took {ratio:.2}x the time of one: they ran at the same time"
        )
    } else {
        let why = match gil {
            Some(true) if cpus > 1 => {
                format!(": the GIL let one thread at a time run Python code ({cpus} CPUs usable)")
            }
            _ => format!(
                " (this process may use {cpus} CPU(s), and other programs may be busy on them)"
            ),
        };
        format!("{language}: two threads took {ratio:.2}x the time of one: they took turns{why}")
    }
}

/// The number after `prefix` on the line that starts with it.
fn seconds_after(out: &str, prefix: &str) -> Option<f64> {
    let line = out.lines().find(|l| l.starts_with(prefix))?;
    line[prefix.len()..].trim().trim_end_matches(" s").parse().ok()
}

pub fn main() {
    let n = common::scaled_count(50 * 1000 * 1000);
    println!(
        "each job sums i^0.3 for i below M = {n}; this process may use {} CPU(s)",
        common::usable_cpus()
    );
    println!(
        "(1.00x: the two threads ran fully in parallel; 2.00x: one after the other; from {TOOK_TURNS_FROM:.2}x on this example says they took turns)"
    );

    let (mut t1, mut t2) = (f64::INFINITY, f64::INFINITY);
    let mut sums = Vec::new();
    for _ in 0..ROUNDS {
        let start = Instant::now();
        sums.push(job(n));
        t1 = t1.min(start.elapsed().as_secs_f64());

        let start = Instant::now();
        let (a, b) = thread::scope(|s| {
            let a = s.spawn(|| job(n));
            let b = s.spawn(|| job(n));
            (a.join().expect("job panicked"), b.join().expect("job panicked"))
        });
        t2 = t2.min(start.elapsed().as_secs_f64());
        sums.extend([a, b]);
    }
    assert!(sums.iter().all(|&s| s == sums[0]), "the same job must give the same sum");
    println!();
    println!("Rust (each time the fastest of {ROUNDS} rounds):");
    println!("one job on one thread:   {t1:.5} s");
    println!("two jobs on two threads: {t2:.5} s");
    println!("{}", verdict("Rust", t2 / t1, Some(false)));

    println!();
    let script = format!("ROUNDS = {ROUNDS}\n{PYTHON_GIL}");
    let heading = "CPython, the notebook's calculate() in the same measurement, from python3:";
    if let Some(out) = common::show_python(heading, &script) {
        let gil =
            out.lines().find_map(|l| l.strip_prefix("gil enabled: ")).map(|v| v.trim() == "True");
        match (
            seconds_after(&out, "one job on one thread:"),
            seconds_after(&out, "two jobs on two threads:"),
        ) {
            (Some(p1), Some(p2)) => println!("{}", verdict("CPython", p2 / p1, gil)),
            _ => println!("python3 printed no times, so there is no CPython verdict"),
        }
    }
}

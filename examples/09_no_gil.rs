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
//! without `python3` it says so.
//!
//! Wall-clock times on a busy machine move with its load, so each measurement also takes
//! the CPU time the process used: CPU time over wall time is how many CPUs were busy on
//! average, more than one only where threads really ran at the same time. The threads count
//! as having run at the same time when two jobs took less than `TOOK_TURNS_FROM` times the
//! time of one *and* kept at least `PARALLEL_AT_LEAST` CPUs busy; every sentence is chosen
//! from these numbers, so the same binary pinned to one CPU (`taskset -c 0`) reports that
//! Rust's threads took turns too.
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
const ROUNDS: usize = 2;

/// A ratio (two jobs on two threads / one job on one thread) from which on the threads
/// count as having taken turns: halfway between 1x (parallel) and 2x (one after the other).
const TOOK_TURNS_FROM: f64 = 1.5;

/// CPUs busy on average (CPU time / wall time) that two jobs must reach to count as having
/// run at the same time: one CPU's worth plus a margin for the measurement's own noise.
const PARALLEL_AT_LEAST: f64 = 1.3;

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
    cpu = time.process_time()
    start = time.perf_counter()
    job()
    wall = time.perf_counter() - start
    return (wall, (time.process_time() - cpu) / wall)

one = two = (float("inf"), 0)
for _ in range(ROUNDS):
    one = min(one, timed(one_job))
    two = min(two, timed(two_jobs))
print(f"one job on one thread:   {one[0]:.5f} s, {one[1]:.2f} CPUs busy")
print(f"two jobs on two threads: {two[0]:.5f} s, {two[1]:.2f} CPUs busy")
"#;

/// A CPU-bound job: the sum of i^0.3 for i below `n` (the calculation of section 14).
fn job(n: u64) -> f64 {
    (0..n).map(|i| black_box(i as f64).powf(0.3)).sum()
}

/// The verdict on two jobs taking `ratio` times the time of one while keeping `busy` CPUs
/// busy on average (if measured).
fn verdict(language: &str, ratio: f64, busy: Option<f64>, gil: Option<bool>) -> String {
    let cpus = common::usable_cpus();
    let busy_text =
        busy.map_or("CPUs busy not measured".to_string(), |b| format!("{b:.2} CPUs busy"));
    if ratio < TOOK_TURNS_FROM && busy.is_none_or(|b| b >= PARALLEL_AT_LEAST) {
        format!(
            "{language}: two threads took {ratio:.2}x the time of one, {busy_text}: they ran at the same time"
        )
    } else {
        let why = match gil {
            Some(true) if cpus > 1 => {
                format!(
                    " (its GIL lets one thread at a time run Python code; this process may use {cpus} CPUs)"
                )
            }
            _ => format!(
                " (this process may use {cpus} CPU(s), and other programs may be busy on them)"
            ),
        };
        format!(
            "{language}: two threads took {ratio:.2}x the time of one, {busy_text}: they took turns{why}"
        )
    }
}

/// The seconds and the CPUs busy on the line that starts with `prefix`
/// ("PREFIX 0.12345 s, 1.00 CPUs busy").
fn times_after(out: &str, prefix: &str) -> Option<(f64, f64)> {
    let line = out.lines().find(|l| l.trim_start().starts_with(prefix))?;
    let words: Vec<&str> = line.trim_start()[prefix.len()..].split_whitespace().collect();
    Some((words.first()?.parse().ok()?, words.get(2)?.parse().ok()?))
}

/// Times `job`: (wall seconds, CPUs busy on average if measured).
fn timed<T>(job: impl FnOnce() -> T) -> (f64, Option<f64>, T) {
    let cpu = common::cpu_seconds();
    let start = Instant::now();
    let result = job();
    let secs = start.elapsed().as_secs_f64();
    let busy = cpu.zip(common::cpu_seconds()).map(|(before, after)| (after - before) / secs);
    (secs, busy, result)
}

pub fn main() {
    let n = common::scaled_count(50 * 1000 * 1000);
    println!(
        "each job sums i^0.3 for i below M = {n}; this process may use {} CPU(s)",
        common::usable_cpus()
    );
    println!(
        "(1.00x: the two threads ran fully in parallel; 2.00x: one after the other; from {TOOK_TURNS_FROM:.2}x on, or below {PARALLEL_AT_LEAST:.2} CPUs busy, this example says they took turns)"
    );

    // The fastest run of each kind, with the CPUs it kept busy.
    let (mut one, mut two) = ((f64::INFINITY, None), (f64::INFINITY, None));
    let mut sums = Vec::new();
    for _ in 0..ROUNDS {
        let (secs, busy, sum) = timed(|| job(n));
        sums.push(sum);
        if secs < one.0 {
            one = (secs, busy);
        }

        let (secs, busy, (a, b)) = timed(|| {
            thread::scope(|s| {
                let a = common::spawn_scoped(s, "the first of the two threads", || job(n)).ok();
                let b = common::spawn_scoped(s, "the second of the two threads", || job(n)).ok();
                let join = |t: Option<thread::ScopedJoinHandle<'_, f64>>| {
                    t.map(|t| t.join().expect("job panicked"))
                };
                (join(a), join(b))
            })
        });
        // A run in which the OS refused a thread did not run two jobs at once: left out.
        if let (Some(a), Some(b)) = (a, b) {
            sums.extend([a, b]);
            if secs < two.0 {
                two = (secs, busy);
            }
        } else {
            println!("this run of two threads is left out: one of them did not start");
        }
    }
    let busy = |b: Option<f64>| {
        b.map_or("CPUs busy not measured".to_string(), |b| format!("{b:.2} CPUs busy"))
    };
    // The same job gives the same sum up to rounding: some platforms start new threads in
    // another floating-point mode than the main thread (Wine does), so compare closely,
    // not bit for bit.
    let agrees = |s: f64| ((s - sums[0]) / sums[0]).abs() < 1e-9;
    assert!(sums.iter().all(|&s| agrees(s)), "the same job must give the same sum: {sums:?}");
    println!();
    println!("Rust (each time the fastest of {ROUNDS} rounds):");
    println!("one job on one thread:   {:.5} s, {}", one.0, busy(one.1));
    if two.0.is_finite() {
        println!("two jobs on two threads: {:.5} s, {}", two.0, busy(two.1));
        println!("{}", verdict("Rust", two.0 / one.0, two.1, Some(false)));
    } else {
        println!("two jobs on two threads: not measured (no run started both threads): no verdict");
    }

    println!();
    let script = format!("ROUNDS = {ROUNDS}\n{PYTHON_GIL}");
    let heading = "CPython, the notebook's calculate() in the same measurement, from python3:";
    if let Some(out) = common::show_python(heading, &script) {
        let gil =
            out.lines().find_map(|l| l.strip_prefix("gil enabled: ")).map(|v| v.trim() == "True");
        match (
            times_after(&out, "one job on one thread:"),
            times_after(&out, "two jobs on two threads:"),
        ) {
            (Some((p1, _)), Some((p2, busy))) => {
                println!("{}", verdict("CPython", p2 / p1, Some(busy), gil))
            }
            _ => println!("python3 printed no times, so there is no CPython verdict"),
        }
    }
}

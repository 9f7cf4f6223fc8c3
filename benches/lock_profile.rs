//! The contended Lock without criterion, profiled (BENCHMARKS.md, "How to run").
//!
//! Criterion gives one number per scenario; tuning the contended `Lock` needed the *why*
//! behind it. For 2, 4 and 8 threads, ours and `parking_lot::Mutex` alternately, this
//! prints per run of `threads x per_thread` increments (lock and counter in one aligned
//! line, `common::CacheLine`, as in `benches/lock.rs`; the loop is
//! `benches/support/contended.rs`, shared with the plain harness `benches/plain.rs`, which
//! covers every scenario and both layouts):
//! - the time per increment,
//! - *owner changes* per 1000 increments (runs of increments by one thread, counted by each
//!   thread from the counter values it finds, so the critical section stays the bench's):
//!   each moves the line between cores and ends a run of cheap uncontended increments,
//!   which is what sets contended throughput,
//! - our futex system calls per run (`threading::diagnostics`; parking_lot's are not seen),
//! - in a second pass, with every acquire timed, the tail of the acquire latency (the price
//!   of throughput is paid in fairness, and shows there).
//!
//! `cargo bench --bench lock_profile` (~20 s); `-- ROUNDS INCREMENTS` to change the
//! defaults (7 rounds, 2 000 000 increments per run, shared among the threads). Medians
//! over the rounds; the latency pass runs a quarter as many increments once.

#[path = "support/common.rs"]
mod common;
#[path = "support/contended.rs"]
mod contended;
#[path = "support/ports.rs"]
mod ports;

use contended::{Contended, Layout, Run, acquire_latencies, quantile, throughput};

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn profile<L: Contended>(runs: &[Run]) {
    let futex: Vec<f64> = runs.iter().map(|r| r.futex_calls as f64).collect();
    println!(
        "  {:<12} {:>6.1} ns/increment  {:>5.1} owner changes/1000  {}",
        L::NAME,
        median(runs.iter().map(Run::nanos_per_increment).collect()),
        median(runs.iter().map(Run::owner_changes_per_1000).collect()),
        if L::NAME == "ours" {
            format!("{:.0} futex calls/run", median(futex))
        } else {
            String::new()
        }
    );
}

fn tail<L: Contended>(threads: usize, per_thread: u64) {
    let all = acquire_latencies::<L>(threads, per_thread, Layout::SameLine);
    let at = |q: f64| quantile(&all, q);
    println!(
        "  {:<12} acquire latency p50 {:?}  p99 {:?}  p99.9 {:?}  max {:?}",
        L::NAME,
        at(0.5),
        at(0.99),
        at(0.999),
        at(1.0)
    );
}

fn main() {
    // `cargo bench` passes `--bench`; only plain numbers are ours.
    let numbers: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let rounds = numbers.first().copied().unwrap_or(7) as usize;
    let per_thread_total = numbers.get(1).copied().unwrap_or(2_000_000);
    println!("lock_profile: {rounds} interleaved rounds, {per_thread_total} increments in all");
    for threads in [2usize, 4, 8] {
        let per_thread = per_thread_total / threads as u64;
        println!("{threads} threads");
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            ours.push(throughput::<threading::Lock>(threads, per_thread, Layout::SameLine));
            theirs.push(throughput::<parking_lot::Mutex<()>>(
                threads,
                per_thread,
                Layout::SameLine,
            ));
        }
        profile::<threading::Lock>(&ours);
        profile::<parking_lot::Mutex<()>>(&theirs);
        tail::<threading::Lock>(threads, per_thread / 4);
        tail::<parking_lot::Mutex<()>>(threads, per_thread / 4);
    }
}

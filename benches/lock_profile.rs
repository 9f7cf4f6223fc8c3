//! The contended Lock without criterion: what BENCHMARKS.md calls the plain loop.
//!
//! Criterion gives one number per scenario; tuning the contended `Lock` needed the *why*
//! behind it. For 2, 4 and 8 threads, ours and `parking_lot::Mutex` alternately, this
//! prints per run of `threads x per_thread` increments (lock and counter in one aligned
//! line, `common::CacheLine`, as in `benches/lock.rs`):
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

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

#[path = "support/common.rs"]
mod common;

use common::{CacheLine, Guarded};

/// The two locks behind one interface, so that both run the same loop.
trait Contended: Default + Sync {
    const NAME: &'static str;
    fn with_lock(&self, critical_section: impl FnOnce());
}

impl Contended for threading::Lock {
    const NAME: &'static str = "ours";
    #[inline]
    fn with_lock(&self, critical_section: impl FnOnce()) {
        let _guard = self.lock();
        critical_section();
    }
}

impl Contended for parking_lot::Mutex<()> {
    const NAME: &'static str = "parking_lot";
    #[inline]
    fn with_lock(&self, critical_section: impl FnOnce()) {
        let _guard = self.lock();
        critical_section();
    }
}

struct Run {
    nanos_per_increment: f64,
    owner_changes_per_1000: f64,
    futex_calls: u64,
}

fn throughput<L: Contended>(threads: usize, per_thread: u64) -> Run {
    let line = CacheLine(Guarded::<L>::default());
    let Guarded { lock, counter } = &line.0;
    let (futex_calls, owner_changes) = (AtomicU64::new(0), AtomicU64::new(0));
    let took = common::timed_threads(threads, |_| {
        let before = threading::diagnostics::futex_calls_on_this_thread();
        // A thread's run of increments ended whenever the counter it finds is not the one it
        // left: counted in registers, so that the critical section stays exactly the bench's.
        let (mut left, mut runs) = (u64::MAX, 0u64);
        for _ in 0..per_thread {
            lock.with_lock(|| {
                // Load + store, not fetch_add: a broken lock would lose updates.
                let found = counter.load(Relaxed);
                counter.store(found + 1, Relaxed);
                runs += u64::from(found != left);
                left = found + 1;
            });
        }
        owner_changes.fetch_add(runs, Relaxed);
        futex_calls
            .fetch_add(threading::diagnostics::futex_calls_on_this_thread() - before, Relaxed);
    });
    let total = per_thread * threads as u64;
    assert_eq!(counter.load(Relaxed), total, "{} lost increments", L::NAME);
    Run {
        nanos_per_increment: took.as_nanos() as f64 / total as f64,
        owner_changes_per_1000: owner_changes.load(Relaxed) as f64 * 1000.0 / total as f64,
        futex_calls: futex_calls.load(Relaxed),
    }
}

/// Every acquire's latency, in nanoseconds, sorted.
fn acquire_latencies<L: Contended>(threads: usize, per_thread: u64) -> Vec<u64> {
    let line = CacheLine(Guarded::<L>::default());
    let Guarded { lock, counter } = &line.0;
    let per_thread_latencies = std::sync::Mutex::new(Vec::new());
    common::timed_threads(threads, |_| {
        let mut latencies = Vec::with_capacity(per_thread as usize);
        for _ in 0..per_thread {
            let asked = Instant::now();
            lock.with_lock(|| {
                latencies.push(asked.elapsed().as_nanos() as u64);
                counter.store(counter.load(Relaxed) + 1, Relaxed);
            });
        }
        per_thread_latencies.lock().unwrap().push(latencies);
    });
    let mut all: Vec<u64> = per_thread_latencies.into_inner().unwrap().concat();
    all.sort_unstable();
    all
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn profile<L: Contended>(runs: &[Run]) {
    let futex: Vec<f64> = runs.iter().map(|r| r.futex_calls as f64).collect();
    println!(
        "  {:<12} {:>6.1} ns/increment  {:>5.1} owner changes/1000  {}",
        L::NAME,
        median(runs.iter().map(|r| r.nanos_per_increment).collect()),
        median(runs.iter().map(|r| r.owner_changes_per_1000).collect()),
        if L::NAME == "ours" {
            format!("{:.0} futex calls/run", median(futex))
        } else {
            String::new()
        }
    );
}

fn tail<L: Contended>(threads: usize, per_thread: u64) {
    let all = acquire_latencies::<L>(threads, per_thread);
    let at = |q: f64| Duration::from_nanos(all[((all.len() - 1) as f64 * q) as usize]);
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
            ours.push(throughput::<threading::Lock>(threads, per_thread));
            theirs.push(throughput::<parking_lot::Mutex<()>>(threads, per_thread));
        }
        profile::<threading::Lock>(&ours);
        profile::<parking_lot::Mutex<()>>(&theirs);
        tail::<threading::Lock>(threads, per_thread / 4);
        tail::<parking_lot::Mutex<()>>(threads, per_thread / 4);
    }
}

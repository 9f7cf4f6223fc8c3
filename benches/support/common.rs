//! Shared bench plumbing: one criterion configuration for every bench file (short, so that
//! the whole `cargo bench` stays within a few minutes on a 2-core machine) and a helper that
//! times a multi-threaded scenario with threads spawned once per sample.
#![allow(dead_code)]

use criterion::Criterion;
use std::sync::Barrier;
use std::sync::atomic::AtomicU64;
use std::thread;
use std::time::{Duration, Instant};

/// Short warm-up and measurement, 20 samples: every scenario of BENCHMARKS.md's target table
/// in well under 8 minutes on 2 cores. Command-line flags (`--quick`, `--sample-size`, ...) still
/// override this, because `criterion_group!` applies `configure_from_args` afterwards.
pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
}

/// The share of `iters` that thread `index` of `threads` performs (shares sum to `iters`).
pub fn share(iters: u64, threads: usize, index: usize) -> u64 {
    let threads = threads as u64;
    let index = index as u64;
    iters / threads + u64::from(index < iters % threads)
}

/// Spawns `threads` threads, lines them up on a start barrier, runs `body(index)` in each
/// and returns the wall time from the first thread's start to the last thread's end.
/// Thread creation and joining are outside the measured span.
pub fn timed_threads<F>(threads: usize, body: F) -> Duration
where
    F: Fn(usize) + Sync,
{
    let start_line = Barrier::new(threads);
    let spans: Vec<(Instant, Instant)> = thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|index| {
                let start_line = &start_line;
                let body = &body;
                scope.spawn(move || {
                    start_line.wait();
                    let start = Instant::now();
                    body(index);
                    (start, Instant::now())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let start = spans.iter().map(|s| s.0).min().unwrap();
    let end = spans.iter().map(|s| s.1).max().unwrap();
    end - start
}

/// One cache line, aligned, for each contended lock and the counter it guards, so that no
/// contender's numbers depend on where the stack happens to put them. `Mutex<u64>` keeps its
/// value next to its lock word; a lock that guards no data of its own gets its counter next
/// to it in the same line ([`Guarded`]), as a porter's `struct { lock, count }` would have it.
#[repr(C, align(64))]
pub struct CacheLine<T>(pub T);

/// A lock and the counter it guards, laid out in that order (see [`CacheLine`]).
#[derive(Default)]
#[repr(C)]
pub struct Guarded<L> {
    pub lock: L,
    pub counter: AtomicU64,
}

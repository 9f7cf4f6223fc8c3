//! Lock (and RLock) uncontended, and Lock contended by 2, 4 and 8 threads, against
//! `std::sync::Mutex`, `parking_lot::Mutex` and a Mutex+Condvar port of `threading.Lock`.
//! Then the data-owning faces: `threading::Mutex<u64>` (lock_api over our Lock) against
//! `parking_lot::Mutex<u64>` (lock_api over parking_lot's), uncontended and contended, and
//! `threading::ReentrantMutex` against `parking_lot::ReentrantMutex` uncontended; and
//! `FairMutex<u64>` contended (every unlock a handoff) against parking_lot's `FairMutex`.
//!
//! Contended: every thread increments a shared counter under the lock, back to back; one
//! iteration is one increment (acquire, load, store, release) by any thread, so the number
//! reported is the inverse of the lock's throughput. The final count is asserted exactly.
//! Two layouts: `lock_contended` keeps lock and counter in one cache line (`Mutex<u64>`, or
//! our lock next to its counter); `lock_contended_separate` puts the counter in a line of
//! its own, through the loop the plain harness uses (`benches/support/contended.rs`).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::sync::atomic::Ordering::Relaxed;

#[path = "support/common.rs"]
mod common;
#[path = "support/contended.rs"]
mod contended;
#[path = "support/ports.rs"]
mod ports;

use common::{CacheLine, Guarded, share, timed_threads};
use contended::{Contended, Layout};
use std::time::Duration;

fn uncontended(c: &mut Criterion) {
    let mut group = c.benchmark_group("lock_uncontended");
    let ours = threading::Lock::new();
    group.bench_function("ours", |b| {
        b.iter(|| drop(black_box(black_box(&ours).lock())));
    });
    group.bench_function("ours_acquire_release", |b| {
        b.iter(|| {
            black_box(&ours).acquire();
            black_box(&ours).release().unwrap();
        });
    });
    let std_mutex = std::sync::Mutex::new(());
    group.bench_function("std", |b| {
        b.iter(|| drop(black_box(black_box(&std_mutex).lock().unwrap())));
    });
    let pl_mutex = parking_lot::Mutex::new(());
    group.bench_function("parking_lot", |b| {
        b.iter(|| drop(black_box(black_box(&pl_mutex).lock())));
    });
    let port = ports::std_port::Lock::default();
    group.bench_function("port_std", |b| {
        b.iter(|| {
            black_box(&port).acquire();
            black_box(&port).release();
        });
    });
    let ours_r = threading::RLock::new();
    group.bench_function("ours_rlock", |b| {
        b.iter(|| drop(black_box(black_box(&ours_r).lock())));
    });
    let pl_r = parking_lot::ReentrantMutex::new(());
    group.bench_function("parking_lot_reentrant", |b| {
        b.iter(|| drop(black_box(black_box(&pl_r).lock())));
    });
    group.finish();
}

fn contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("lock_contended");
    for threads in [2usize, 4, 8] {
        group.bench_with_input(BenchmarkId::new("ours", threads), &threads, |b, &n| {
            b.iter_custom(|iters| {
                let line = CacheLine(Guarded::<threading::Lock>::default());
                let Guarded { lock, counter } = &line.0;
                let took = timed_threads(n, |i| {
                    for _ in 0..share(iters, n, i) {
                        let _guard = lock.lock();
                        // Load + store (not fetch_add): lost updates would show a broken lock.
                        counter.store(counter.load(Relaxed) + 1, Relaxed);
                    }
                });
                assert_eq!(counter.load(Relaxed), iters);
                took
            });
        });
        group.bench_with_input(BenchmarkId::new("std", threads), &threads, |b, &n| {
            b.iter_custom(|iters| {
                let line = CacheLine(std::sync::Mutex::new(0u64));
                let counter = &line.0;
                let took = timed_threads(n, |i| {
                    for _ in 0..share(iters, n, i) {
                        *counter.lock().unwrap() += 1;
                    }
                });
                assert_eq!(*counter.lock().unwrap(), iters);
                took
            });
        });
        group.bench_with_input(BenchmarkId::new("parking_lot", threads), &threads, |b, &n| {
            b.iter_custom(|iters| {
                let line = CacheLine(parking_lot::Mutex::new(0u64));
                let counter = &line.0;
                let took = timed_threads(n, |i| {
                    for _ in 0..share(iters, n, i) {
                        *counter.lock() += 1;
                    }
                });
                assert_eq!(*counter.lock(), iters);
                took
            });
        });
        group.bench_with_input(BenchmarkId::new("port_std", threads), &threads, |b, &n| {
            b.iter_custom(|iters| {
                let line = CacheLine(Guarded::<ports::std_port::Lock>::default());
                let Guarded { lock, counter } = &line.0;
                let took = timed_threads(n, |i| {
                    for _ in 0..share(iters, n, i) {
                        lock.acquire();
                        counter.store(counter.load(Relaxed) + 1, Relaxed);
                        lock.release();
                    }
                });
                assert_eq!(counter.load(Relaxed), iters);
                took
            });
        });
    }
    group.finish();
}

/// `iters` increments by `threads` threads with the counter in its own cache line.
fn separate<L: Contended>(threads: usize, iters: u64) -> Duration {
    let per_thread = iters.div_ceil(threads as u64).max(1);
    let run = contended::throughput::<L>(threads, per_thread, Layout::SeparateLines);
    // Up to threads - 1 increments more than asked for: scaled back to `iters`.
    run.took.mul_f64(iters as f64 / run.increments as f64)
}

fn contended_separate(c: &mut Criterion) {
    let mut group = c.benchmark_group("lock_contended_separate");
    for threads in [2usize, 4, 8] {
        group.bench_with_input(BenchmarkId::new("ours", threads), &threads, |b, &n| {
            b.iter_custom(|iters| separate::<threading::Lock>(n, iters));
        });
        group.bench_with_input(BenchmarkId::new("std", threads), &threads, |b, &n| {
            b.iter_custom(|iters| separate::<std::sync::Mutex<()>>(n, iters));
        });
        group.bench_with_input(BenchmarkId::new("parking_lot", threads), &threads, |b, &n| {
            b.iter_custom(|iters| separate::<parking_lot::Mutex<()>>(n, iters));
        });
    }
    group.finish();
}

/// One `Mutex<u64>` increment by one thread: lock, add, unlock.
fn mutex_u64_uncontended(c: &mut Criterion) {
    let mut group = c.benchmark_group("mutex_u64_uncontended");
    let ours = threading::Mutex::new(0u64);
    group.bench_function("ours", |b| {
        b.iter(|| *black_box(&ours).lock() += 1);
    });
    let pl = parking_lot::Mutex::new(0u64);
    group.bench_function("parking_lot", |b| {
        b.iter(|| *black_box(&pl).lock() += 1);
    });
    let ours_r = threading::ReentrantMutex::new(());
    group.bench_function("ours_reentrant", |b| {
        b.iter(|| drop(black_box(black_box(&ours_r).lock())));
    });
    let pl_r = parking_lot::ReentrantMutex::new(());
    group.bench_function("parking_lot_reentrant", |b| {
        b.iter(|| drop(black_box(black_box(&pl_r).lock())));
    });
    group.finish();
}

/// `iters` increments of a `Mutex<u64>` (ours or parking_lot's: both are lock_api's
/// `Mutex` over their own raw lock) by `threads` threads back to back; the final count is
/// asserted exactly.
fn mutex_u64_increments<R: threading::lock_api::RawMutex + Sync>(
    threads: usize,
    iters: u64,
) -> Duration {
    let line = CacheLine(threading::lock_api::Mutex::<R, u64>::new(0));
    let counter = &line.0;
    let took = timed_threads(threads, |i| {
        for _ in 0..share(iters, threads, i) {
            *counter.lock() += 1;
        }
    });
    assert_eq!(*counter.lock(), iters);
    took
}

/// `Mutex<u64>` increments by 2, 4 and 8 threads; one iteration is one increment by any
/// thread.
fn mutex_u64_contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("mutex_u64_contended");
    for threads in [2usize, 4, 8] {
        group.bench_with_input(BenchmarkId::new("ours", threads), &threads, |b, &n| {
            b.iter_custom(|iters| mutex_u64_increments::<threading::RawMutex>(n, iters));
        });
        group.bench_with_input(BenchmarkId::new("parking_lot", threads), &threads, |b, &n| {
            b.iter_custom(|iters| mutex_u64_increments::<parking_lot::RawMutex>(n, iters));
        });
    }
    group.finish();
}

/// `FairMutex<u64>` increments by 2, 4 and 8 threads (every unlock a handoff when a thread
/// sleeps), ours against parking_lot 0.13's.
fn fair_mutex_contended(c: &mut Criterion) {
    let mut group = c.benchmark_group("fair_mutex_contended");
    for threads in [2usize, 4, 8] {
        group.bench_with_input(BenchmarkId::new("ours", threads), &threads, |b, &n| {
            b.iter_custom(|iters| mutex_u64_increments::<threading::RawFairMutex>(n, iters));
        });
        group.bench_with_input(BenchmarkId::new("parking_lot", threads), &threads, |b, &n| {
            b.iter_custom(|iters| mutex_u64_increments::<parking_lot::RawFairMutex>(n, iters));
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = uncontended, contended, contended_separate, mutex_u64_uncontended, mutex_u64_contended,
        fair_mutex_contended
}
criterion_main!(benches);

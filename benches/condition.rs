//! Condition ping-pong between two threads: a `turn` variable guarded by the condition's
//! lock; each side waits for its turn, passes it and notifies one. One iteration is a full
//! round trip. Compared with `std::sync::Condvar` and `parking_lot::Condvar` (with their
//! mutexes), which is what a porter of `threading.Condition` reaches for. Then
//! `threading::Condvar` over `threading::Mutex` (lock_api over our waiter queue and Lock)
//! against `parking_lot::Condvar` over `parking_lot::Mutex`, the same ping-pong.

use criterion::{Criterion, criterion_group, criterion_main};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

#[path = "support/common.rs"]
mod common;

use common::timed_threads;

fn condition_ping_pong(c: &mut Criterion) {
    let mut group = c.benchmark_group("condition_ping_pong");
    group.bench_function("ours", |b| {
        b.iter_custom(|iters| {
            let cond = threading::Condition::new();
            // Relaxed is enough: only read and written while holding the condition's lock.
            let turn = AtomicUsize::new(0);
            timed_threads(2, |side| {
                for _ in 0..iters {
                    let mut guard = cond.lock();
                    while turn.load(Relaxed) != side {
                        guard.wait();
                    }
                    turn.store(1 - side, Relaxed);
                    guard.notify(1);
                }
            })
        });
    });
    group.bench_function("std", |b| {
        b.iter_custom(|iters| {
            let turn = std::sync::Mutex::new(0usize);
            let cv = std::sync::Condvar::new();
            timed_threads(2, |side| {
                for _ in 0..iters {
                    let mut guard = turn.lock().unwrap();
                    while *guard != side {
                        guard = cv.wait(guard).unwrap();
                    }
                    *guard = 1 - side;
                    cv.notify_one();
                }
            })
        });
    });
    group.bench_function("parking_lot", |b| {
        b.iter_custom(|iters| {
            let turn = parking_lot::Mutex::new(0usize);
            let cv = parking_lot::Condvar::new();
            timed_threads(2, |side| {
                for _ in 0..iters {
                    let mut guard = turn.lock();
                    while *guard != side {
                        cv.wait(&mut guard);
                    }
                    *guard = 1 - side;
                    cv.notify_one();
                }
            })
        });
    });
    group.finish();
}

/// The same `Mutex<usize>` + `Condvar` turn-taking for ours and parking_lot's: the types
/// differ (parking_lot's `Condvar` is not lock_api's), the source is the same.
macro_rules! condvar_ping_pong {
    ($mutex:path, $condvar:path) => {
        |b: &mut criterion::Bencher<'_>| {
            b.iter_custom(|iters| {
                let turn = <$mutex>::new(0usize);
                let cv = <$condvar>::new();
                timed_threads(2, |side| {
                    for _ in 0..iters {
                        let mut guard = turn.lock();
                        cv.wait_while(&mut guard, |turn| *turn != side);
                        *guard = 1 - side;
                        cv.notify_one();
                    }
                })
            })
        }
    };
}

fn condvar_ping_pong(c: &mut Criterion) {
    let mut group = c.benchmark_group("condvar_ping_pong");
    group.bench_function("ours", condvar_ping_pong!(threading::Mutex<usize>, threading::Condvar));
    group.bench_function(
        "parking_lot",
        condvar_ping_pong!(parking_lot::Mutex<usize>, parking_lot::Condvar),
    );
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = condition_ping_pong, condvar_ping_pong
}
criterion_main!(benches);

//! Barrier crossings with 2 and 4 threads (4 is more threads than this machine has cores):
//! every thread calls `wait` once per iteration; one iteration is one crossing by all.
//! Against `std::sync::Barrier` and a Mutex+Condvar port of `threading.Barrier` on
//! parking_lot.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

#[path = "support/common.rs"]
mod common;
#[path = "support/ports.rs"]
mod ports;

use common::timed_threads;

fn barrier(c: &mut Criterion) {
    let mut group = c.benchmark_group("barrier");
    for threads in [2usize, 4] {
        group.bench_with_input(BenchmarkId::new("ours", threads), &threads, |b, &n| {
            b.iter_custom(|iters| {
                let barrier = threading::Barrier::new(n);
                timed_threads(n, |_| {
                    for _ in 0..iters {
                        barrier.wait().unwrap();
                    }
                })
            });
        });
        group.bench_with_input(BenchmarkId::new("std", threads), &threads, |b, &n| {
            b.iter_custom(|iters| {
                let barrier = std::sync::Barrier::new(n);
                timed_threads(n, |_| {
                    for _ in 0..iters {
                        barrier.wait();
                    }
                })
            });
        });
        group.bench_with_input(BenchmarkId::new("port_parking_lot", threads), &threads, |b, &n| {
            b.iter_custom(|iters| {
                let barrier = ports::pl_port::Barrier::new(n);
                timed_threads(n, |_| {
                    for _ in 0..iters {
                        barrier.wait();
                    }
                })
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = barrier
}
criterion_main!(benches);

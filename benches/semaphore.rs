//! Semaphore handoff (two threads passing a permit back and forth through two semaphores
//! that start at 0; one iteration is a round trip) and uncontended acquire+release, against
//! Mutex+Condvar ports of `threading.Semaphore` on std and parking_lot.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

#[path = "support/common.rs"]
mod common;
#[macro_use]
#[path = "support/ports.rs"]
mod ports;

use common::timed_threads;

/// The criterion routine: `semaphore_round_trips!` (benches/support/ports.rs) per sample.
macro_rules! handoff {
    ($new:expr, $release:ident) => {
        |b: &mut criterion::Bencher<'_>| {
            b.iter_custom(|iters| semaphore_round_trips!($new, $release, iters))
        }
    };
}

fn ours_release(s: &threading::Semaphore) {
    s.release().unwrap();
}

fn port_std_release(s: &ports::std_port::Semaphore) {
    s.release();
}

fn port_pl_release(s: &ports::pl_port::Semaphore) {
    s.release();
}

fn semaphore_handoff(c: &mut Criterion) {
    let mut group = c.benchmark_group("semaphore_handoff");
    group.bench_function("ours", handoff!(threading::Semaphore::new(0), ours_release));
    group
        .bench_function("port_std", handoff!(ports::std_port::Semaphore::new(0), port_std_release));
    group.bench_function(
        "port_parking_lot",
        handoff!(ports::pl_port::Semaphore::new(0), port_pl_release),
    );
    group.finish();
}

fn semaphore_uncontended(c: &mut Criterion) {
    let mut group = c.benchmark_group("semaphore_uncontended");
    let ours = threading::Semaphore::new(1);
    group.bench_function("ours", |b| {
        b.iter(|| drop(black_box(black_box(&ours).permit())));
    });
    let ours_bounded = threading::BoundedSemaphore::new(1);
    group.bench_function("ours_bounded", |b| {
        b.iter(|| drop(black_box(black_box(&ours_bounded).permit())));
    });
    let port_std = ports::std_port::Semaphore::new(1);
    group.bench_function("port_std", |b| {
        b.iter(|| {
            black_box(&port_std).acquire();
            black_box(&port_std).release();
        });
    });
    let port_pl = ports::pl_port::Semaphore::new(1);
    group.bench_function("port_parking_lot", |b| {
        b.iter(|| {
            black_box(&port_pl).acquire();
            black_box(&port_pl).release();
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = semaphore_handoff, semaphore_uncontended
}
criterion_main!(benches);

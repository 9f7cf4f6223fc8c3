//! A bounded queue of capacity 64 between `n` producers and `n` consumers (1/1, 2/2, 4/4):
//! one iteration is one item put by a producer and taken by a consumer, so the time per
//! iteration is 1 / throughput (items/s = 1e9 / ns). Ours (`threading::Queue`, CPython's
//! one lock and three conditions) against the ports a porter writes (`Mutex<VecDeque>` +
//! two condition variables, on std and on parking_lot 0.13) and crossbeam-channel's bounded
//! channel (lock-free). The contenders live in `benches/support/ports.rs`
//! (`queue_stream`), shared with `benches/plain.rs`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "support/common.rs"]
mod common;
#[path = "support/ports.rs"]
mod ports;

use ports::queue_stream::{self, CAPACITY, Crossbeam, PAIRS, ParkingLotQueue, StdQueue};

fn queue_items(c: &mut Criterion) {
    for pairs in PAIRS {
        let mut group = c.benchmark_group(format!("queue_cap{CAPACITY}_{pairs}p{pairs}c"));
        group.throughput(Throughput::Elements(1));
        group.bench_function("ours", |b| {
            b.iter_custom(|n| queue_stream::items::<threading::Queue<u64>>(CAPACITY, pairs, n))
        });
        group.bench_function("std", |b| {
            b.iter_custom(|n| queue_stream::items::<StdQueue>(CAPACITY, pairs, n))
        });
        group.bench_function("parking_lot", |b| {
            b.iter_custom(|n| queue_stream::items::<ParkingLotQueue>(CAPACITY, pairs, n))
        });
        group.bench_function("crossbeam", |b| {
            b.iter_custom(|n| queue_stream::items::<Crossbeam>(CAPACITY, pairs, n))
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = queue_items
}
criterion_main!(benches);

//! `threading::RwLock<u64>` against parking_lot 0.13's and std's: uncontended read and
//! write lock + unlock, and 4 threads mixing reads and writes (read-mostly, 8 : 1, and
//! write-heavy, 1 : 4). One iteration is one lock section (a read, or a write of +1) by
//! any thread; the workloads are `benches/support/rwlock.rs`, shared with the plain loop.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

#[path = "support/common.rs"]
mod common;
#[path = "support/rwlock.rs"]
mod rwlock;

use rwlock::{BenchRwLock, MIX_THREADS, MIXES};

type Ours = threading::RwLock<u64>;
type ParkingLot = parking_lot::RwLock<u64>;
type Std = std::sync::RwLock<u64>;

fn uncontended(c: &mut Criterion) {
    fn both<L: BenchRwLock>(c: &mut Criterion) {
        c.benchmark_group("rwlock_uncontended_read")
            .bench_function(L::NAME, |b| b.iter_custom(rwlock::uncontended_reads::<L>));
        c.benchmark_group("rwlock_uncontended_write")
            .bench_function(L::NAME, |b| b.iter_custom(rwlock::uncontended_writes::<L>));
    }
    both::<Ours>(c);
    both::<ParkingLot>(c);
    both::<Std>(c);
}

fn mixes(c: &mut Criterion) {
    fn one<L: BenchRwLock>(c: &mut Criterion, key: &str, reads: u64, writes: u64) {
        c.benchmark_group(format!("rwlock_{key}")).bench_with_input(
            BenchmarkId::new(L::NAME, MIX_THREADS),
            &MIX_THREADS,
            |b, &n| {
                b.iter_custom(|iters| rwlock::mixed::<L>(n, iters, reads, writes));
            },
        );
    }
    for (key, _, reads, writes) in MIXES {
        one::<Ours>(c, key, reads, writes);
        one::<ParkingLot>(c, key, reads, writes);
        one::<Std>(c, key, reads, writes);
    }
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = uncontended, mixes
}
criterion_main!(benches);

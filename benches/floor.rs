//! The floors of BENCHMARKS.md ("Targets"), re-measured: an uncontended CAS + swap pair
//! (the least a lock's acquire + release can cost), a spinning two-thread handoff round trip
//! (the least a ping-pong can cost without sleeping), a futex wake with no sleeper (the cost
//! of a needless wake), a futex wait/wake round trip (the cost of sleeping on each handoff) and
//! how long the crate's bounded spin of 100 loads lasts.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::sync::atomic::{AtomicU32, Ordering::*};

#[path = "support/common.rs"]
mod common;

use common::timed_threads;

fn floors(c: &mut Criterion) {
    let mut group = c.benchmark_group("floor");
    let word = AtomicU32::new(0);
    group.bench_function("cas_swap_pair", |b| {
        b.iter(|| {
            let w = black_box(&word);
            let _ = w.compare_exchange(0, 1, Acquire, Relaxed);
            w.swap(0, Release);
        });
    });
    group.bench_function("spin_100_loads", |b| {
        // What the crate's bounded spin (`Spin::PAUSES` = 100 relaxed loads with a pause each)
        // lasts before a thread gives up and sleeps.
        b.iter(|| {
            for _ in 0..100 {
                if black_box(&word).load(Relaxed) == 7 {
                    break;
                }
                std::hint::spin_loop();
            }
        });
    });
    group.bench_function("futex_wake_no_sleeper", |b| {
        b.iter(|| atomic_wait::wake_one(black_box(&word)));
    });
    group.bench_function("spin_handoff_round_trip", |b| {
        b.iter_custom(|iters| {
            let turn = AtomicU32::new(0);
            timed_threads(2, |side| {
                let side = side as u32;
                for _ in 0..iters {
                    while turn.load(Acquire) != side {
                        std::hint::spin_loop();
                    }
                    turn.store(1 - side, Release);
                }
            })
        });
    });
    group.bench_function("futex_sleep_round_trip", |b| {
        b.iter_custom(|iters| {
            let turn = AtomicU32::new(0);
            timed_threads(2, |side| {
                let side = side as u32;
                for _ in 0..iters {
                    loop {
                        let now = turn.load(Acquire);
                        if now == side {
                            break;
                        }
                        atomic_wait::wait(&turn, now);
                    }
                    turn.store(1 - side, Release);
                    atomic_wait::wake_one(&turn);
                }
            })
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = floors
}
criterion_main!(benches);

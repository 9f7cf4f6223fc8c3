//! Condition ping-pong between two threads: a `turn` variable guarded by the condition's
//! lock; each side waits for its turn, passes it and notifies one. One iteration is a full
//! round trip. Compared with `std::sync::Condvar` and `parking_lot::Condvar` (with their
//! mutexes), which is what a porter of `threading.Condition` reaches for, and beside the
//! spun floor: a spin lock and a turn variable, never sleeping, in one cache line and in
//! two (`benches/support/spun.rs`).
//! Then `threading::Condvar` over `threading::Mutex` (lock_api over our waiter queue and
//! Lock) against `parking_lot::Condvar` over `parking_lot::Mutex`, the same ping-pong.

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/common.rs"]
mod common;
#[path = "support/ports.rs"]
mod ports;
#[path = "support/spun.rs"]
mod spun;

use common::timed_threads;

fn condition_ping_pong(c: &mut Criterion) {
    use ports::condition_round_trips as round_trips;
    let mut group = c.benchmark_group("condition_ping_pong");
    group.bench_function("ours", |b| b.iter_custom(round_trips::ours));
    group.bench_function("spun_floor", |b| {
        b.iter_custom(|rounds| spun::condition_round_trips(rounds, spun::Lines::One))
    });
    group.bench_function("spun_floor_two_lines", |b| {
        b.iter_custom(|rounds| spun::condition_round_trips(rounds, spun::Lines::Two))
    });
    group.bench_function("std", |b| b.iter_custom(round_trips::std));
    group.bench_function("parking_lot", |b| b.iter_custom(round_trips::parking_lot));
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

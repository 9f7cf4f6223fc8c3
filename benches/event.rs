//! Event ping-pong between two threads: one iteration is a full round trip
//! (A sets `ping` and waits for `pong`; B waits for `ping`, clears it and sets `pong`),
//! against Mutex+Condvar ports of `threading.Event` on std and parking_lot, and beside the
//! spun floor: the same protocol on two flags waited for by pure spinning, never sleeping
//! (`benches/support/spun.rs`).

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/common.rs"]
mod common;
#[macro_use]
#[path = "support/ports.rs"]
mod ports;
#[path = "support/spun.rs"]
mod spun;

use common::timed_threads;

/// The criterion routine: `event_round_trips!` (benches/support/ports.rs) per sample.
macro_rules! ping_pong {
    ($new:expr) => {
        |b: &mut criterion::Bencher<'_>| b.iter_custom(|iters| event_round_trips!($new, iters))
    };
}

fn event_ping_pong(c: &mut Criterion) {
    let mut group = c.benchmark_group("event_ping_pong");
    group.bench_function("ours", ping_pong!(threading::Event::new()));
    group.bench_function("spun_floor", ping_pong!(spun::SpunEvent::default()));
    group.bench_function("port_std", ping_pong!(ports::std_port::Event::default()));
    group.bench_function("port_parking_lot", ping_pong!(ports::pl_port::Event::default()));
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = event_ping_pong
}
criterion_main!(benches);

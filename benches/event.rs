//! Event ping-pong between two threads: one iteration is a full round trip
//! (A sets `ping` and waits for `pong`; B waits for `ping`, clears it and sets `pong`),
//! against Mutex+Condvar ports of `threading.Event` on std and parking_lot.

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/common.rs"]
mod common;
#[path = "support/ports.rs"]
mod ports;

use common::timed_threads;

/// The ping-pong, written once for any type with Python's Event methods.
macro_rules! ping_pong {
    ($new:expr) => {
        |b: &mut criterion::Bencher<'_>| {
            b.iter_custom(|iters| {
                let (ping, pong) = ($new, $new);
                timed_threads(2, |side| {
                    for _ in 0..iters {
                        if side == 0 {
                            ping.set();
                            pong.wait();
                            pong.clear();
                        } else {
                            ping.wait();
                            ping.clear();
                            pong.set();
                        }
                    }
                })
            });
        }
    };
}

fn event_ping_pong(c: &mut Criterion) {
    let mut group = c.benchmark_group("event_ping_pong");
    group.bench_function("ours", ping_pong!(threading::Event::new()));
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

//! Timer create + start + cancel + join (the timer never fires: its interval is long), which
//! is dominated by creating and joining a thread. Compared with a Mutex+Condvar port of
//! `threading.Timer` and with a bare `thread::spawn(..).join()` (the floor).

use criterion::{Criterion, criterion_group, criterion_main};
use std::time::Duration;

#[path = "support/common.rs"]
mod common;
#[path = "support/ports.rs"]
mod ports;

const LONG: Duration = Duration::from_secs(60);

fn timer(c: &mut Criterion) {
    let mut group = c.benchmark_group("timer_start_cancel_join");
    group.bench_function("ours", |b| {
        b.iter(|| {
            let timer = threading::Timer::new(LONG, || unreachable!("cancelled timer fired"));
            timer.start().unwrap();
            timer.cancel();
            timer.join();
        });
    });
    group.bench_function("port_std", |b| {
        b.iter(|| {
            let mut timer =
                ports::std_port::Timer::start(LONG, || unreachable!("cancelled timer fired"));
            timer.cancel();
            timer.join();
        });
    });
    group.bench_function("spawn_join_floor", |b| {
        b.iter(|| std::thread::spawn(|| {}).join().unwrap());
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = timer
}
criterion_main!(benches);

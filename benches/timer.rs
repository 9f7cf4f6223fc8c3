//! Timers, two ways.
//!
//! 1. Criterion: create + start + cancel + join of one timer whose interval is long (so it
//!    never fires), ours against a Mutex+Condvar port of `threading.Timer` (a thread per
//!    timer) and a bare `thread::spawn(..).join()` (what any thread-per-timer way pays at
//!    least). Ours queues the timer for the one scheduler thread and spawns nothing.
//! 2. At scale, once (not criterion: each is one big measurement), `THREADING_BENCH_TIMERS`
//!    timers (default 100,000): all pending at once (time per start+cancel+join, threads
//!    and resident memory while pending), then all firing with 10,000 deadlines per second
//!    (the latest and the number of functions that began over 50 ms late). The
//!    thread-per-timer way is measured beside ours where this system has room for that many
//!    threads. The numbers are printed; BENCHMARKS.md ("Targets") records runs on a quiet
//!    machine.

use criterion::{Criterion, criterion_group};
use std::time::Duration;

#[path = "support/common.rs"]
mod common;
#[path = "support/ports.rs"]
mod ports;
#[path = "support/timer_scale.rs"]
mod timer_scale;

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

fn at_scale() {
    use timer_scale::{Way, firing, pending, too_many_threads};
    let timers: usize = std::env::var("THREADING_BENCH_TIMERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let spread = Duration::from_secs_f64(timers as f64 / 10_000.0);
    for way in [Way::Scheduler, Way::ThreadPerTimer] {
        if way == Way::ThreadPerTimer
            && let Some(why) = too_many_threads(timers)
        {
            println!("timers_at_scale/{}/{timers}: {why}", way.name());
            continue;
        }
        let p = pending(way, timers);
        println!(
            "timers_at_scale/{}/{timers} pending: {:.3} µs per start+cancel+join; while all \
             pending {} threads in the process ({:+}), {:+.1} MB resident",
            way.name(),
            p.per_timer.as_secs_f64() * 1e6,
            p.threads,
            p.extra_threads,
            p.extra_resident_kib as f64 / 1024.0,
        );
        let f = firing(way, timers, spread);
        println!(
            "timers_at_scale/{}/{timers} firing over {:.1} s: {} ran, max lateness {:.1} ms, \
             {} over 50 ms late, {} early, at most {} threads",
            way.name(),
            spread.as_secs_f64(),
            f.ran,
            f.max_lateness.as_secs_f64() * 1e3,
            f.later_than_50ms,
            f.early,
            f.peak_threads,
        );
    }
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    at_scale();
}

//! Timers at scale: where this crate goes past Python. A `threading.Timer` is a thread from
//! `start()` until it fires or is cancelled, so 100,000 pending watchdogs are 100,000
//! threads (and long before that, a process that cannot start another). Our `Timer` keeps a
//! pending timer as an entry in one scheduler thread's queue, and gives the function a
//! thread of its own only when the timer fires.
//!
//! For 1k, 10k and 100k timers (times `THREADING_TIME_SCALE`), measured in this run:
//! - **pending**: start them all (interval one hour), look at the process, cancel them all,
//!   join them all: time per timer, threads and resident memory while all were pending;
//! - **firing**: start them all with intervals spread evenly so that 10,000 fall due per
//!   second, let them all fire: how late the latest function began, how many began over
//!   50 ms late, the most threads at once (each function still gets a thread of its own,
//!   made when its timer fires);
//!
//! each for the scheduler and for the thread-per-timer way (a thread sleeping on an `Event`,
//! as `Timer` was before). The thread-per-timer way is skipped where this system's limits
//! leave too little room for that many threads; the output says which limits.

#[path = "common/mod.rs"]
mod common;
#[path = "../benches/support/timer_scale.rs"]
mod timer_scale;

use std::time::Duration;
use timer_scale::{Way, firing, pending, too_many_threads};

/// Runs `row` for each count and way, in table order; a thread-per-timer row this system
/// has no room for is printed as skipped, with the reason, instead.
fn for_each_row(counts: &[usize], mut row: impl FnMut(usize, Way)) {
    for &timers in counts {
        for way in [Way::Scheduler, Way::ThreadPerTimer] {
            if way == Way::ThreadPerTimer
                && let Some(why) = too_many_threads(timers)
            {
                println!("{timers:>7}  {:<16}  {why}", way.name());
                continue;
            }
            row(timers, way);
        }
    }
}

/// The note after a row some of whose timers the OS refused to start (they were not
/// measured; each was reported when it happened).
fn refused(refused: usize) -> String {
    if refused == 0 { String::new() } else { format!("  ({refused} could not be started)") }
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn main() {
    let counts: Vec<usize> =
        [1_000u64, 10_000, 100_000].iter().map(|&n| common::scaled_count(n) as usize).collect();
    // 10,000 deadlines per second, whatever the count.
    let spread_for = |timers: usize| Duration::from_secs_f64(timers as f64 / 10_000.0);

    println!("pending: start all (interval 1 h), cancel all, join all");
    println!(
        "{:>7}  {:<16}  {:>18}  {:>15}  {:>16}",
        "timers", "way", "per timer", "extra threads", "extra resident"
    );
    for_each_row(&counts, |timers, way| {
        let p = pending(way, timers);
        println!(
            "{:>7}  {:<16}  {:>12.2} µs/timer  {:>15}  {:>13.1} MB{}",
            p.timers,
            way.name(),
            micros(p.per_timer),
            format!("{:+}", p.extra_threads),
            p.extra_resident_kib as f64 / 1024.0,
            refused(p.refused),
        );
    });

    println!();
    println!("firing: intervals spread evenly, 10,000 due per second, every timer fires");
    println!(
        "{:>7}  {:<16}  {:>9}  {:>14}  {:>12}  {:>6}  {:>12}",
        "timers", "way", "ran", "max lateness", "over 50 ms", "early", "peak threads"
    );
    for_each_row(&counts, |timers, way| {
        let f = firing(way, timers, spread_for(timers));
        println!(
            "{:>7}  {:<16}  {:>9}  {:>11.1} ms  {:>12}  {:>6}  {:>12}{}",
            f.timers,
            way.name(),
            f.ran,
            millis(f.max_lateness),
            f.later_than_50ms,
            f.early,
            f.peak_threads,
            refused(f.refused),
        );
    });
    println!();
    println!(
        "(all measured in this run on this machine; \"extra\" is against the process just \
         before the first start, so a scheduler thread still lingering from an earlier row \
         counts as +0)"
    );
}

//! Loom checks of `Timer`. Under loom the timer's wait never sleeps (there is no clock): it
//! yields and reports a timeout, so loom tries the timer firing at every point of the test.

use crate::check;
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use loom::thread;
use std::time::Duration;
use threading::{Event, Timer};

/// Counts the function's runs, and a plain cell the function writes so that loom checks
/// that `join` makes its effects visible.
struct Runs {
    count: AtomicUsize,
    written: UnsafeCell<u32>,
}

// SAFETY: `written` is written only by the timer's function and read only after `join`
// (loom checks that join orders the two).
unsafe impl Sync for Runs {}

/// `check`, then waits for the timer scheduler thread to end before the model's main
/// thread returns (loom tears down the model's statics then).
fn check_timers(body: impl Fn() + Sync + Send + 'static) {
    check(move || {
        body();
        threading::diagnostics::join_timer_scheduler();
    });
}

fn counting_timer() -> (Arc<Runs>, Timer) {
    let runs = Arc::new(Runs { count: AtomicUsize::new(0), written: UnsafeCell::new(0) });
    let timer = {
        let runs = Arc::clone(&runs);
        Timer::new(Duration::from_millis(10), move || {
            runs.count.fetch_add(1, Relaxed);
            // SAFETY: the only writer; readers wait for join.
            runs.written.with_mut(|w| unsafe { *w += 1 });
        })
    };
    (runs, timer)
}

fn ran(runs: &Runs) -> usize {
    // SAFETY: called after join: the function (the only writer) has finished.
    let written = runs.written.with(|w| unsafe { *w }) as usize;
    let count = runs.count.load(Relaxed);
    assert_eq!(written, count);
    count
}

/// Cancel racing the timer's fire: the function runs iff the cancel lost, at most once,
/// and its effects are visible after `join`.
#[test]
fn cancel_vs_fire_function_runs_iff_cancel_lost() {
    check_timers(|| {
        let (runs, timer) = counting_timer();
        timer.start().unwrap();
        // Without this, loom would always run our cancel before the timer thread's fire:
        // the timed wait yields, and loom then runs the others first.
        thread::yield_now();
        timer.cancel();
        timer.join();
        assert!(!timer.is_alive());
        assert_eq!(ran(&runs), usize::from(!timer.is_cancelled()));
    });
}

/// The same race with the cancel coming from a third thread while the main thread joins.
#[test]
fn cancel_from_another_thread_vs_fire() {
    check_timers(|| {
        let (runs, timer) = counting_timer();
        let timer = Arc::new(timer);
        timer.start().unwrap();
        let canceller = {
            let timer = Arc::clone(&timer);
            thread::spawn(move || timer.cancel())
        };
        timer.join();
        canceller.join().unwrap();
        assert_eq!(ran(&runs), usize::from(!timer.is_cancelled()));
    });
}

/// Once the function has begun, cancel changes nothing: the function finishes and the
/// timer does not count as cancelled.
#[test]
fn cancel_after_the_function_began_has_no_effect() {
    check_timers(|| {
        let began = Arc::new(Event::new());
        let proceed = Arc::new(Event::new());
        let timer = {
            let (began, proceed) = (Arc::clone(&began), Arc::clone(&proceed));
            Timer::new(Duration::ZERO, move || {
                began.set();
                proceed.wait();
            })
        };
        timer.start().unwrap();
        began.wait();
        timer.cancel();
        assert!(!timer.is_cancelled());
        proceed.set();
        timer.join();
        assert!(!timer.is_alive());
    });
}

/// A cancel before start: the function never runs, and the started thread still ends.
#[test]
fn cancel_before_start_means_never() {
    check_timers(|| {
        let (runs, timer) = counting_timer();
        timer.cancel();
        timer.start().unwrap();
        timer.join();
        assert_eq!(ran(&runs), 0);
        assert!(timer.is_cancelled());
    });
}

/// Two threads race to start the timer: exactly one succeeds (and only it touches the
/// stored function), and the function runs once.
#[test]
fn racing_starts_one_wins() {
    check_timers(|| {
        let (runs, timer) = counting_timer();
        let timer = Arc::new(timer);
        let other = {
            let timer = Arc::clone(&timer);
            thread::spawn(move || timer.start().is_ok())
        };
        let mine = timer.start().is_ok();
        let theirs = other.join().unwrap();
        assert!(mine ^ theirs);
        timer.join();
        assert_eq!(ran(&runs), 1);
    });
}

/// Two timers on the one scheduler, one of them cancelled: the other fires exactly once
/// whatever the cancel does, and the cancelled one runs iff the cancel lost.
#[test]
fn the_scheduler_serves_two_timers_one_cancelled() {
    check_timers(|| {
        let (runs_a, a) = counting_timer();
        let (runs_b, b) = counting_timer();
        a.start().unwrap();
        b.start().unwrap();
        a.cancel();
        a.join();
        b.join();
        assert_eq!(ran(&runs_a), usize::from(!a.is_cancelled()));
        assert_eq!(ran(&runs_b), 1);
        assert!(!a.is_alive() && !b.is_alive());
    });
}

/// A timer started while the scheduler thread is ending (its queue ran empty and its idle
/// wait timed out, which under loom can happen at any point after the first timer fired):
/// either that scheduler sees the new timer, or the start starts a new scheduler. Never is
/// the timer stranded (loom would report `join` waiting forever as a deadlock).
#[test]
fn a_start_racing_the_scheduler_ending_is_never_stranded() {
    check_timers(|| {
        let (runs_a, a) = counting_timer();
        a.start().unwrap();
        a.join();
        let (runs_b, b) = counting_timer();
        b.start().unwrap();
        b.join();
        assert_eq!(ran(&runs_a), 1);
        assert_eq!(ran(&runs_b), 1);
    });
}

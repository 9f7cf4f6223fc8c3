//! Behaviour of `Timer` (Python's `threading.Timer`), a proptest model of its state
//! machine, and a stress test of cancel racing fire.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};
use threading::{Event, Timer, TimerError};

mod support;

/// Long enough that a timer that does not fire or end within it is broken, not slow.
const PATIENCE: Duration = Duration::from_secs(10);
/// An interval that no test waits out: such a timer only ends by being cancelled.
const NEVER: Duration = Duration::from_secs(3600);

fn counting(interval: Duration) -> (Arc<AtomicUsize>, Timer) {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&runs);
    let timer = Timer::new(interval, move || {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    (runs, timer)
}

#[test]
fn fires_once_after_at_least_the_interval() {
    let (tx, rx) = mpsc::channel();
    let timer = Timer::new(Duration::from_millis(50), move || tx.send(Instant::now()).unwrap());
    let started = Instant::now();
    timer.start().unwrap();
    let fired = rx.recv_timeout(PATIENCE).expect("a 50 ms timer fires within seconds");
    let waited = fired - started;
    assert!(waited >= Duration::from_millis(50), "fired after only {waited:?}");
    timer.join();
    assert!(rx.try_recv().is_err(), "the function runs once");
    assert!(!timer.is_alive());
    assert!(!timer.is_cancelled());
}

#[test]
fn zero_interval_fires_promptly() {
    let (runs, timer) = counting(Duration::ZERO);
    timer.start().unwrap();
    assert!(timer.join_timeout(PATIENCE));
    assert_eq!(runs.load(Ordering::Relaxed), 1);
}

#[test]
fn nothing_happens_before_start() {
    let (runs, timer) = counting(Duration::ZERO);
    assert!(!timer.is_alive());
    timer.join(); // never started: returns at once
    assert!(timer.join_timeout(Duration::ZERO));
    assert_eq!(runs.load(Ordering::Relaxed), 0);
    drop(timer); // never started: the function is dropped unrun
    assert_eq!(runs.load(Ordering::Relaxed), 0);
    assert_eq!(Arc::strong_count(&runs), 1, "the function (and what it owns) was dropped");
}

#[test]
fn start_twice_is_an_error() {
    let (runs, timer) = counting(Duration::ZERO);
    assert_eq!(timer.start(), Ok(()));
    assert_eq!(timer.start(), Err(TimerError::AlreadyStarted));
    assert_eq!(TimerError::AlreadyStarted.to_string(), "timer can only be started once");
    timer.join();
    assert_eq!(timer.start(), Err(TimerError::AlreadyStarted), "also after it finished");
    assert_eq!(runs.load(Ordering::Relaxed), 1);
}

#[test]
fn cancel_while_waiting_means_never_and_ends_the_thread_at_once() {
    let (runs, timer) = counting(NEVER);
    timer.start().unwrap();
    assert!(timer.is_alive());
    assert!(!timer.join_timeout(Duration::from_millis(20)), "still waiting");
    timer.cancel();
    assert!(timer.is_cancelled());
    let begun = Instant::now();
    assert!(timer.join_timeout(PATIENCE), "cancel cuts the hour-long wait short");
    assert!(begun.elapsed() < PATIENCE);
    assert!(!timer.is_alive());
    assert_eq!(runs.load(Ordering::Relaxed), 0);
    assert_eq!(Arc::strong_count(&runs), 1, "the unrun function was dropped");
    timer.cancel(); // again: nothing changes
    assert!(timer.is_cancelled());
}

#[test]
fn cancel_before_start_means_never() {
    let (runs, timer) = counting(Duration::ZERO);
    timer.cancel();
    assert!(timer.is_cancelled());
    assert_eq!(timer.start(), Ok(()), "as in Python, a cancelled timer still starts");
    timer.join();
    assert!(!timer.is_alive());
    assert_eq!(runs.load(Ordering::Relaxed), 0);
}

#[test]
fn cancel_after_the_function_began_has_no_effect() {
    let began = Arc::new(Event::new());
    let proceed = Arc::new(Event::new());
    let (tx, rx) = mpsc::channel();
    let timer = {
        let (began, proceed) = (Arc::clone(&began), Arc::clone(&proceed));
        Timer::new(Duration::ZERO, move || {
            began.set();
            proceed.wait();
            tx.send("finished").unwrap();
        })
    };
    timer.start().unwrap();
    began.wait();
    assert!(timer.is_alive(), "alive while the function runs");
    timer.cancel();
    assert!(!timer.is_cancelled(), "too late to cancel");
    assert!(!timer.join_timeout(Duration::from_millis(20)), "the function is still running");
    proceed.set();
    assert_eq!(rx.recv_timeout(PATIENCE), Ok("finished"));
    timer.join();
    assert!(!timer.is_alive());
}

#[test]
fn join_waits_for_the_function_and_sees_its_effects() {
    let value = Arc::new(AtomicUsize::new(0));
    let timer = {
        let value = Arc::clone(&value);
        Timer::new(Duration::from_millis(20), move || value.store(42, Ordering::Relaxed))
    };
    timer.start().unwrap();
    timer.join();
    assert_eq!(value.load(Ordering::Relaxed), 42);
    assert!(timer.join_timeout(Duration::ZERO), "already finished");
    timer.join(); // joining again is fine
}

#[test]
fn join_from_several_threads() {
    let (runs, timer) = counting(Duration::from_millis(20));
    let timer = Arc::new(timer);
    timer.start().unwrap();
    let joiners: Vec<_> = (0..3)
        .map(|i| {
            let timer = Arc::clone(&timer);
            thread::spawn(move || {
                if i == 0 {
                    timer.join();
                } else {
                    assert!(timer.join_timeout(PATIENCE));
                }
                assert!(!timer.is_alive());
            })
        })
        .collect();
    for joiner in joiners {
        joiner.join().unwrap();
    }
    assert_eq!(runs.load(Ordering::Relaxed), 1);
}

#[test]
fn a_panicking_function_ends_only_the_timer_thread() {
    let timer = Timer::new(Duration::ZERO, || panic!("boom in a timer"));
    timer.start().unwrap();
    timer.join(); // returns: the panic stayed in the timer's thread
    assert!(!timer.is_alive());
    assert!(timer.join_timeout(Duration::ZERO));
    // Everything else still works.
    let (runs, other) = counting(Duration::ZERO);
    other.start().unwrap();
    other.join();
    assert_eq!(runs.load(Ordering::Relaxed), 1);
}

#[test]
fn a_dropped_timer_still_fires() {
    // As in Python, the timer's thread runs on without the object; cancel() stops it.
    let (tx, rx) = mpsc::channel();
    let timer = Timer::new(Duration::from_millis(10), move || tx.send(()).unwrap());
    timer.start().unwrap();
    drop(timer);
    rx.recv_timeout(PATIENCE).expect("fired after the Timer was dropped");
}

#[test]
fn huge_interval_does_not_overflow() {
    let (runs, timer) = counting(Duration::MAX);
    timer.start().unwrap();
    assert!(!timer.join_timeout(Duration::from_millis(10)));
    timer.cancel();
    timer.join();
    assert_eq!(runs.load(Ordering::Relaxed), 0);
}

#[test]
fn interval_debug_send_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Timer>();
    let timer = Timer::new(Duration::from_millis(1500), || {});
    assert_eq!(timer.interval(), Duration::from_millis(1500));
    assert_eq!(
        format!("{timer:?}"),
        "Timer { interval: 1.5s, started: false, cancelled: false, fired: false, alive: false }"
    );
    timer.cancel();
    timer.start().unwrap();
    timer.join();
    assert_eq!(
        format!("{timer:?}"),
        "Timer { interval: 1.5s, started: true, cancelled: true, fired: false, alive: false }"
    );
    let fired = Timer::new(Duration::ZERO, || {});
    fired.start().unwrap();
    fired.join();
    assert!(format!("{fired:?}").contains("fired: true"));
}

mod model {
    //! Random sequences of start/cancel/join against a model of the state machine. The
    //! interval is an hour, so nothing fires by itself; `Fire` uses a zero-interval timer
    //! built for the purpose instead.
    use super::{NEVER, PATIENCE, counting};
    use proptest::prelude::*;
    use std::sync::atomic::Ordering;
    use std::time::Duration;
    use threading::TimerError;

    #[derive(Debug, Clone, Copy)]
    enum Op {
        Start,
        Cancel,
        JoinTimeout,
        Look,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![Just(Op::Start), Just(Op::Cancel), Just(Op::JoinTimeout), Just(Op::Look)]
    }

    proptest! {
        #![proptest_config(crate::support::proptest_config(ProptestConfig::with_cases(64)))]

        #[test]
        fn follows_the_state_machine(ops in proptest::collection::vec(op(), 1..12)) {
            let (runs, timer) = counting(NEVER);
            let (mut started, mut cancelled) = (false, false);
            for op in ops {
                match op {
                    Op::Start => {
                        let expected = if started { Err(TimerError::AlreadyStarted) } else { Ok(()) };
                        prop_assert_eq!(timer.start(), expected);
                        started = true;
                    }
                    Op::Cancel => {
                        timer.cancel();
                        cancelled = true;
                    }
                    Op::JoinTimeout => {
                        // Finished iff never started, or started and cancelled (then the
                        // thread ends promptly).
                        let timeout = if cancelled { PATIENCE } else { Duration::from_millis(1) };
                        prop_assert_eq!(timer.join_timeout(timeout), !started || cancelled);
                    }
                    Op::Look => {
                        prop_assert_eq!(timer.is_cancelled(), cancelled);
                        if !started || !cancelled {
                            prop_assert_eq!(timer.is_alive(), started);
                        }
                    }
                }
                prop_assert_eq!(timer.is_cancelled(), cancelled);
            }
            timer.cancel();
            timer.join();
            prop_assert!(!timer.is_alive());
            prop_assert_eq!(runs.load(Ordering::Relaxed), 0);
        }
    }
}

mod stress {
    //! Cancel racing fire, many times: the function runs iff the cancel lost.
    use super::{PATIENCE, counting};
    use std::sync::atomic::Ordering;
    use std::thread;
    use std::time::Duration;

    #[test]
    fn cancel_races_fire_exactly() {
        const ROUNDS: usize = if cfg!(miri) { 20 } else { 2_000 };
        let mut outcomes = [0usize; 2];
        for round in 0..ROUNDS {
            let interval = Duration::from_micros((round % 3) as u64 * 20);
            let (runs, timer) = counting(interval);
            timer.start().unwrap();
            if round % 2 == 1 {
                thread::yield_now();
            }
            timer.cancel();
            assert!(timer.join_timeout(PATIENCE));
            let ran = runs.load(Ordering::Relaxed);
            assert_eq!(ran, usize::from(!timer.is_cancelled()), "round {round}");
            outcomes[ran] += 1;
        }
        println!("cancel won {} times, fire won {} times", outcomes[0], outcomes[1]);
    }

    #[test]
    fn many_timers_at_once_each_fire_once() {
        const TIMERS: usize = 64;
        let timers: Vec<_> =
            (0..TIMERS).map(|i| counting(Duration::from_millis((i % 8) as u64))).collect();
        for (_, timer) in &timers {
            timer.start().unwrap();
        }
        for (i, (runs, timer)) in timers.iter().enumerate() {
            if i % 4 == 0 {
                timer.cancel();
            }
            timer.join();
            assert_eq!(runs.load(Ordering::Relaxed), usize::from(!timer.is_cancelled()));
        }
    }
}

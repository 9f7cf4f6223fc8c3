//! Behaviour of `Timer` (Python's `threading.Timer`), a proptest model of its state
//! machine, and a stress test of cancel racing fire.
#![cfg(not(loom))]

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

/// A timer whose function will be handed the timer itself (through the returned sender),
/// and reports on `report` how its own call to `join` or `join_timeout` ended.
fn joining_itself(with_timeout: bool) -> (Arc<Timer>, mpsc::Receiver<String>) {
    let (me_tx, me_rx) = mpsc::channel::<Arc<Timer>>();
    let (report, reports) = mpsc::channel();
    let timer = Arc::new(Timer::new(Duration::ZERO, move || {
        let me = me_rx.recv().unwrap();
        let joined = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if with_timeout {
                me.join_timeout(PATIENCE);
            } else {
                me.join();
            }
        }));
        let outcome = match joined {
            Ok(()) => "returned".to_owned(),
            Err(panic) => panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned()),
        };
        report.send(outcome).unwrap();
    }));
    me_tx.send(Arc::clone(&timer)).unwrap();
    (timer, reports)
}

#[test]
fn join_from_its_own_function_panics_at_once_as_python_says() {
    for with_timeout in [false, true] {
        let (timer, reports) = joining_itself(with_timeout);
        // Other joiners wait for the function as usual, and are not stranded by its mistake.
        let other_joiner = {
            let timer = Arc::clone(&timer);
            thread::spawn(move || timer.join_timeout(PATIENCE))
        };
        timer.start().unwrap();
        // Python's words (`RuntimeError: cannot join current thread`), and no hang: a join
        // that waited for itself would leave this channel silent for ever.
        let outcome = reports.recv_timeout(PATIENCE).expect("the function's own join returned");
        assert_eq!(outcome, "cannot join current thread", "join_timeout: {with_timeout}");
        assert!(timer.join_timeout(PATIENCE), "the timer finished");
        assert!(!timer.is_alive());
        assert!(other_joiner.join().unwrap(), "another thread's join returned");
    }
}

#[test]
fn a_function_that_joins_itself_without_catching_ends_its_timer() {
    let (me_tx, me_rx) = mpsc::channel::<Arc<Timer>>();
    let reached = Arc::new(AtomicUsize::new(0));
    let timer = {
        let reached = Arc::clone(&reached);
        Arc::new(Timer::new(Duration::ZERO, move || {
            me_rx.recv().unwrap().join();
            reached.fetch_add(1, Ordering::Relaxed); // never: the join panicked
        }))
    };
    me_tx.send(Arc::clone(&timer)).unwrap();
    timer.start().unwrap();
    // The panic ended the function's thread, as any panic in a timer's function does.
    assert!(timer.join_timeout(PATIENCE), "the timer ended instead of waiting for itself");
    assert!(!timer.is_alive());
    assert_eq!(reached.load(Ordering::Relaxed), 0);
    // Joins of other timers, from anywhere, still work.
    let (runs, other) = counting(Duration::ZERO);
    other.start().unwrap();
    assert!(other.join_timeout(PATIENCE));
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
    //! Cancel racing fire, many times: the function runs iff the cancel lost; and 100,000
    //! timers at once.
    use super::{NEVER, PATIENCE, counting};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::thread;
    use std::time::Duration;
    use threading::Timer;

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

    /// 100,000 timers (200 under Miri) started from one thread: some cancelled at once,
    /// some left to fire, some cancelled while they may be firing, some pending until the
    /// end. Every function runs exactly as often as its timer says: once if not cancelled,
    /// never if cancelled.
    #[test]
    fn a_hundred_thousand_mixed_timers_count_exactly() {
        let timers = if cfg!(miri) { 200 } else { 100_000 };
        let runs: Arc<Vec<AtomicU32>> = Arc::new((0..timers).map(|_| AtomicU32::new(0)).collect());
        let started: Vec<Timer> = (0..timers)
            .map(|i| {
                let interval = match i % 8 {
                    4 => Duration::from_millis((i % 5) as u64),       // fires
                    5 => Duration::from_micros((i % 7) as u64 * 100), // races its cancel
                    6 => Duration::MAX,                               // never, cancelled at the end
                    _ => NEVER, // cancelled at once or at the end
                };
                let runs = Arc::clone(&runs);
                let timer = Timer::new(interval, move || {
                    runs[i].fetch_add(1, Ordering::Relaxed);
                });
                timer.start().unwrap();
                if i % 8 < 4 {
                    timer.cancel();
                }
                timer
            })
            .collect();
        for (i, timer) in started.iter().enumerate() {
            if i % 8 != 4 {
                timer.cancel();
            }
        }
        let mut fired = 0;
        for (i, timer) in started.iter().enumerate() {
            assert!(timer.join_timeout(PATIENCE), "timer {i} finished");
            assert!(!timer.is_alive());
            let ran = runs[i].load(Ordering::Relaxed);
            assert_eq!(ran, u32::from(!timer.is_cancelled()), "timer {i}");
            match i % 8 {
                4 => assert_eq!(ran, 1, "timer {i} was never cancelled"),
                5 => {}
                _ => assert_eq!(ran, 0, "timer {i} was cancelled before its deadline"),
            }
            fired += ran as usize;
        }
        assert!(fired >= timers / 8, "every 8th timer fires: {fired} of {timers} ran");
        println!("{fired} of {timers} timers ran their function");
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

#[test]
fn a_panicking_function_leaves_the_other_timers_firing() {
    // Pending around the panic: one due before it, one after; and one started after it.
    let (early_runs, early) = counting(Duration::ZERO);
    let (late_runs, late) = counting(Duration::from_millis(30));
    let panicking = Timer::new(Duration::from_millis(10), || panic!("boom in one timer"));
    early.start().unwrap();
    late.start().unwrap();
    panicking.start().unwrap();
    assert!(panicking.join_timeout(PATIENCE), "the panic ended the timer");
    assert!(!panicking.is_alive());
    assert!(!panicking.is_cancelled());
    let (after_runs, after) = counting(Duration::ZERO);
    after.start().unwrap();
    for timer in [&early, &late, &after] {
        assert!(timer.join_timeout(PATIENCE), "the scheduler kept serving");
    }
    for runs in [&early_runs, &late_runs, &after_runs] {
        assert_eq!(runs.load(Ordering::Relaxed), 1);
    }
}

/// A value whose drop panics, for a timer's function to capture.
struct PanicsOnDrop;

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("PanicsOnDrop dropped");
    }
}

/// A timer whose function panics when dropped ends on every path: a winning cancel (the
/// panic comes out of `cancel`, and the timer is finished all the same) and a fire (the
/// panic stays in the function's thread).
#[test]
fn a_function_that_panics_on_drop_still_ends_its_timer() {
    let guard = PanicsOnDrop;
    let cancelled = Timer::new(NEVER, move || {
        let _keep = &guard;
    });
    cancelled.start().unwrap();
    let cancel = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cancelled.cancel()));
    assert!(cancel.is_err(), "the drop's panic comes out of cancel");
    assert!(cancelled.is_cancelled());
    assert!(!cancelled.is_alive(), "finished although the drop panicked");
    assert!(cancelled.join_timeout(PATIENCE));

    let guard = PanicsOnDrop;
    let fired = Timer::new(Duration::ZERO, move || {
        let _keep = &guard;
    });
    fired.start().unwrap();
    assert!(fired.join_timeout(PATIENCE), "finished although the drop panicked");
    assert!(!fired.is_alive());
    let (runs, after) = counting(Duration::ZERO);
    after.start().unwrap();
    assert!(after.join_timeout(PATIENCE), "the scheduler kept serving");
    assert_eq!(runs.load(Ordering::Relaxed), 1);
}

#[test]
fn a_cancel_wakes_nobody() {
    // Pending timers cost no thread, and cancelling one is only an RMW on its own word: no
    // futex call (the scheduler is not woken; its entry is dropped at its deadline).
    let (runs, timer) = counting(NEVER);
    let (_, earlier) = counting(NEVER / 2);
    earlier.start().unwrap();
    timer.start().unwrap();
    let before = threading::diagnostics::futex_calls_on_this_thread();
    timer.cancel();
    earlier.cancel();
    assert_eq!(threading::diagnostics::futex_calls_on_this_thread(), before);
    assert!(timer.join_timeout(Duration::ZERO), "a cancelled timer is finished at once");
    assert_eq!(runs.load(Ordering::Relaxed), 0);
}

#[test]
fn spawn_failed_reads_as_python_says() {
    assert_eq!(TimerError::SpawnFailed.to_string(), "can't start new thread");
    assert_ne!(TimerError::SpawnFailed, TimerError::AlreadyStarted);
}

#[cfg(target_os = "linux")] // RLIMIT_AS and /proc: the refusal is provoked the Linux way.
mod spawn_failure {
    //! A real refusal of a thread, not a mock. This test runs its own binary again as a
    //! child process (the variable `CHILD` set, the filter naming only this test), and the
    //! child lowers its own address-space limit (`RLIMIT_AS`, which binds root too, unlike
    //! `RLIMIT_NPROC`) to a little above what it has mapped: small allocations still fit,
    //! a thread's 2 MiB stack does not. The child reports each step on stdout; the parent
    //! checks the report.
    use super::{NEVER, PATIENCE, counting};
    use std::process::Command;
    use std::sync::atomic::Ordering;
    use std::time::Duration;
    use threading::{TimerError, diagnostics};

    const CHILD: &str = "THREADING_TIMER_SPAWN_FAILURE_CHILD";
    const TEST: &str = "spawn_failure::refused_threads_are_reported";
    /// Room left above the mapped address space: enough for the allocations the steps make,
    /// less than a thread's stack (2 MiB plus a guard page).
    const HEADROOM: u64 = 1 << 20;

    fn mapped_bytes() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
        let line = status.lines().find(|l| l.starts_with("VmSize:")).expect("a VmSize line");
        let kib: u64 = line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("kB");
        kib * 1024
    }

    /// Lowers the soft address-space limit to what is mapped now plus `HEADROOM`.
    fn squeeze() {
        set_soft_limit(mapped_bytes() + HEADROOM);
    }

    /// Lifts the soft limit back to the hard one (allowed without privilege).
    fn relax() {
        set_soft_limit(u64::MAX);
    }

    fn set_soft_limit(bytes: u64) {
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: a valid pointer to an rlimit for the call to fill.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) }, 0);
        limit.rlim_cur = bytes.min(limit.rlim_max);
        // SAFETY: a valid pointer to an initialised rlimit.
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) }, 0);
    }

    /// Waits until the scheduler thread, just spawned, sleeps in its first wait: a new
    /// thread maps its signal stack as it starts, and a squeeze before that would refuse
    /// the scheduler's own start-up instead of the function's thread.
    fn wait_until_the_scheduler_sleeps() {
        let asleep = || {
            let tasks = std::fs::read_dir("/proc/self/task").expect("read /proc/self/task");
            tasks.flatten().any(|task| {
                let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
                let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
                // The state follows the parenthesised name: "pid (name) S ...".
                let state = stat.rsplit_once(") ").and_then(|(_, rest)| rest.chars().next());
                comm.starts_with("threading::Time") && state == Some('S')
            })
        };
        let begun = std::time::Instant::now();
        while !asleep() {
            assert!(begun.elapsed() < PATIENCE, "the scheduler thread never went to sleep");
            std::thread::yield_now();
        }
    }

    /// The child's steps, in a fresh process (so no scheduler thread exists yet, and no
    /// thread has ended yet: the C library keeps an ended thread's stack for the next
    /// spawn, which then needs no new mapping and would not be refused).
    fn child() {
        // 1. The scheduler thread itself is refused: `start` is an Err and changes nothing.
        let (runs, refused) = counting(Duration::ZERO);
        squeeze();
        let result = refused.start();
        relax();
        println!("start under the limit: {result:?}");
        assert_eq!(result, Err(TimerError::SpawnFailed));
        println!("alive after the refusal: {}", refused.is_alive());
        refused.join(); // returns at once: not started
        println!("joined at once: {}", refused.join_timeout(Duration::ZERO));
        // 2. The scheduler runs; the function's thread is refused when the timer fires.
        let (pending_runs, pending) = counting(NEVER);
        pending.start().unwrap(); // keeps the scheduler busy with a queued timer
        wait_until_the_scheduler_sleeps();
        // Its function panics when dropped, which a refused spawn does on the scheduler
        // thread: the scheduler must survive it.
        let unrun_runs = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let unrun = {
            let (runs, guard) = (std::sync::Arc::clone(&unrun_runs), super::PanicsOnDrop);
            threading::Timer::new(Duration::ZERO, move || {
                let _keep = &guard;
                runs.fetch_add(1, Ordering::Relaxed);
            })
        };
        squeeze();
        let started = unrun.start(); // spawns nothing: queued for the running scheduler
        let finished = unrun.join_timeout(PATIENCE);
        relax();
        println!("start with the scheduler running: {started:?}");
        println!("a timer whose thread was refused finished: {finished}");
        println!("its function ran: {}", unrun_runs.load(Ordering::Relaxed));
        println!("its alive: {}, cancelled: {}", unrun.is_alive(), unrun.is_cancelled());
        println!("spawn failures counted: {}", diagnostics::timer_spawn_failures());

        // 3. The scheduler kept serving: the refused timer of step 1, not started, can be
        // started again, and fires; so does a later one. (Only now: a thread that ended
        // leaves its stack in a cache for the next spawn, which would then need no mapping.)
        println!("started again: {:?}", refused.start());
        assert!(refused.join_timeout(PATIENCE));
        println!(
            "runs of the refused timer after its second start: {}",
            runs.load(Ordering::Relaxed)
        );
        let (later_runs, later) = counting(Duration::ZERO);
        later.start().unwrap();
        assert!(later.join_timeout(PATIENCE));
        println!("a later timer ran: {}", later_runs.load(Ordering::Relaxed));
        pending.cancel();
        pending.join();
        println!("the pending timer ran: {}", pending_runs.load(Ordering::Relaxed));
    }

    #[test]
    #[cfg_attr(miri, ignore = "runs a child process and sets an rlimit: not under Miri")]
    fn refused_threads_are_reported() {
        if std::env::var_os(CHILD).is_some() {
            return child();
        }
        let exe = std::env::current_exe().expect("the test binary's path");
        let out = Command::new(exe)
            .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD, "1")
            .output()
            .expect("run the child");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "child failed: {}\n{stdout}\n{stderr}", out.status);
        for expected in [
            "start under the limit: Err(SpawnFailed)",
            "alive after the refusal: false",
            "joined at once: true",
            "started again: Ok(())",
            "runs of the refused timer after its second start: 1",
            "start with the scheduler running: Ok(())",
            "a timer whose thread was refused finished: true",
            "its function ran: 0",
            "its alive: false, cancelled: false",
            "spawn failures counted: 1",
            "a later timer ran: 1",
            "the pending timer ran: 0",
        ] {
            assert!(stdout.contains(expected), "missing {expected:?} in:\n{stdout}\n{stderr}");
        }
        assert!(
            stderr.contains("can't start new thread for a timer's function"),
            "the refusal at fire time is told on stderr:\n{stderr}"
        );
        assert!(
            stderr.contains("dropping the function panicked"),
            "and the panic of the unrun function's drop:\n{stderr}"
        );
    }
}

//! Behaviour of `Condition` / `ConditionGuard`: Python's semantics (no spurious wakeups,
//! exact and FIFO `notify(n)`, `wait_for` checking first, one deadline for
//! `wait_for_timeout`), timeouts, guards and panics; a proptest model; stress. Then
//! (`mod shared_lock`) conditions made with `Condition::with_lock`: two conditions of one
//! lock wake only their own waiters, a guard of one serves the other, a guard of a
//! different lock panics and changes nothing, RLock conditions restore their recursion,
//! and Python's guard-less `acquire`/`release`/`wait`/`notify` with their errors.
//!
//! Threads are ordered with channels, `Event`s and the condition itself, never with
//! sleeps. Where timing is the point, bounds are generous.
#![cfg(not(loom))]

use std::cell::UnsafeCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};
use threading::{Condition, ConditionGuard, Event};

mod support;

/// A `Condition` with data that is only touched through a guard of that condition.
struct Monitor<T> {
    cond: Condition,
    data: UnsafeCell<T>,
}

// SAFETY: `data` is only reached through `with`, called only while holding `cond`'s lock.
unsafe impl<T: Send> Sync for Monitor<T> {}

impl<T> Monitor<T> {
    fn new(data: T) -> Arc<Self> {
        Arc::new(Monitor { cond: Condition::new(), data: UnsafeCell::new(data) })
    }

    /// Runs `f` on the data. Only called while holding `cond`'s lock (also from inside
    /// `wait_for`'s predicate, where the guard itself is borrowed by `wait_for`).
    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        // SAFETY: the caller holds `cond`'s lock, so no other thread is inside `with`.
        f(unsafe { &mut *self.data.get() })
    }
}

/// How many threads wait on `cond` (the guard's Debug output names it).
fn waiters(guard: &ConditionGuard<'_>) -> usize {
    let text = format!("{guard:?}");
    let digits: String =
        text.split("waiters: ").nth(1).unwrap().chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap()
}

/// How long the helpers that yield until enough threads wait keep trying before they
/// panic, rather than hang: far beyond what queueing a thread takes, even under load.
const PATIENCE: Duration = Duration::from_secs(60);

/// Blocks (yielding) until `n` threads wait on `cond`; returns the guard. Panics after
/// [`PATIENCE`].
fn until_waiters(cond: &Condition, n: usize) -> ConditionGuard<'_> {
    let start = Instant::now();
    loop {
        let guard = cond.lock();
        let now = waiters(&guard);
        if now == n {
            return guard;
        }
        assert!(start.elapsed() < PATIENCE, "{now} waiters, never {n}");
        drop(guard);
        thread::yield_now();
    }
}

/// Spawns a thread that waits once with a short timeout, sets the returned event when its
/// wait returned, and returns whether it was notified. The timeout must outlast the
/// spawning and queueing of the waiters a test lines up behind it: 200 ms, and under Miri,
/// whose clock runs with the instructions executed, 5 s.
fn spawn_timed_waiter(cond: &Arc<Condition>) -> (thread::JoinHandle<bool>, Arc<Event>) {
    let timed_out = Arc::new(Event::new());
    let handle = thread::spawn({
        let (cond, timed_out) = (Arc::clone(cond), Arc::clone(&timed_out));
        move || {
            let timeout = Duration::from_millis(if cfg!(miri) { 5_000 } else { 200 });
            let notified = cond.lock().wait_timeout(timeout);
            timed_out.set();
            notified
        }
    });
    (handle, timed_out)
}

/// Spawns a thread that waits once (untimed) and then sends `id`.
fn spawn_waiter(
    cond: &Arc<Condition>,
    id: usize,
    tx: &mpsc::Sender<usize>,
) -> thread::JoinHandle<()> {
    let (cond, tx) = (Arc::clone(cond), tx.clone());
    thread::spawn(move || {
        let mut guard = cond.lock();
        guard.wait();
        drop(guard);
        tx.send(id).unwrap();
    })
}

#[test]
fn const_static_default_debug_send_sync() {
    static COND: Condition = Condition::new();
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Condition>();
    let guard = COND.lock();
    assert_eq!(guard.notify_all(), 0);
    assert!(format!("{guard:?}").contains("waiters: 0"));
    assert!(format!("{COND:?}").contains("locked: true"));
    drop(guard);
    assert!(format!("{COND:?}").contains("locked: false"));
    let default = Condition::default();
    assert!(default.try_lock().is_some());
}

#[test]
fn size_is_at_most_24_bytes() {
    assert!(size_of::<Condition>() <= 24, "Condition is {} bytes", size_of::<Condition>());
}

#[test]
fn lock_is_exclusive_and_try_lock_fails_while_held() {
    let cond = Arc::new(Condition::new());
    let guard = cond.lock();
    let other = Arc::clone(&cond);
    thread::spawn(move || {
        assert!(other.try_lock().is_none());
        assert!(other.lock_timeout(Duration::ZERO).is_none());
        let start = Instant::now();
        assert!(other.lock_timeout(Duration::from_millis(50)).is_none());
        assert!(start.elapsed() >= Duration::from_millis(50));
    })
    .join()
    .unwrap();
    // The failed attempts did not release our lock.
    assert!(format!("{cond:?}").contains("locked: true"));
    drop(guard);
    assert!(cond.try_lock().is_some());
    assert!(cond.lock_timeout(Duration::MAX).is_some());
}

#[test]
fn guard_releases_on_panic_also_in_a_predicate() {
    let cond = Condition::new();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut guard = cond.lock();
        guard.wait_for(|| panic!("predicate failed"));
    }));
    assert!(result.is_err());
    assert!(cond.try_lock().is_some(), "the guard released the lock while unwinding");
}

#[test]
fn wait_releases_the_lock_and_retakes_it() {
    let monitor = Monitor::new(0u32);
    // Locked before the notifier exists, so the notifier can only get in through wait().
    let mut guard = monitor.cond.lock();
    let other = Arc::clone(&monitor);
    let notifier = thread::spawn(move || {
        let guard = other.cond.lock(); // only possible because wait released the lock
        other.with(|v| *v = 7);
        assert_eq!(guard.notify(1), 1);
    });
    guard.wait();
    // Held again: the notifier's write is visible and nobody else can take the lock.
    assert_eq!(monitor.with(|v| *v), 7);
    let cond = &monitor.cond;
    thread::scope(|s| s.spawn(|| assert!(cond.try_lock().is_none())).join().unwrap());
    drop(guard);
    notifier.join().unwrap();
}

#[test]
fn no_spurious_wakeups_while_the_lock_churns() {
    let cond = Arc::new(Condition::new());
    let stop = Arc::new(AtomicBool::new(false));
    let churn = thread::spawn({
        let (cond, stop) = (Arc::clone(&cond), Arc::clone(&stop));
        move || {
            let mut rounds = 0u64;
            while !stop.load(Relaxed) {
                let guard = cond.lock();
                assert_eq!(guard.notify(0), 0); // notify(0) wakes nobody
                drop(guard);
                rounds += 1;
            }
            rounds
        }
    });
    let mut guard = cond.lock();
    let start = Instant::now();
    assert!(!guard.wait_timeout(Duration::from_millis(100)), "nobody notified");
    assert!(start.elapsed() >= Duration::from_millis(100));
    drop(guard);
    stop.store(true, Relaxed);
    assert!(churn.join().unwrap() > 0);
}

#[test]
fn notify_without_waiters_returns_zero() {
    let cond = Condition::new();
    let guard = cond.lock();
    assert_eq!(guard.notify(1), 0);
    assert_eq!(guard.notify(usize::MAX), 0);
    assert_eq!(guard.notify_all(), 0);
}

#[test]
fn notify_n_wakes_exactly_n_oldest_first() {
    let cond = Arc::new(Condition::new());
    let (tx, rx) = mpsc::channel();
    let mut handles = Vec::new();
    for id in 0..5 {
        handles.push(spawn_waiter(&cond, id, &tx));
        drop(until_waiters(&cond, id + 1)); // queue them in a known order
    }
    let guard = cond.lock();
    assert_eq!(guard.notify(0), 0);
    assert_eq!(guard.notify(2), 2);
    assert_eq!(waiters(&guard), 3);
    drop(guard);
    let mut woken = vec![rx.recv().unwrap(), rx.recv().unwrap()];
    woken.sort_unstable();
    assert_eq!(woken, [0, 1], "the two oldest");
    // The others are still waiting, not woken spuriously.
    assert_eq!(waiters(&cond.lock()), 3);
    assert_eq!(cond.lock().notify(1), 1);
    assert_eq!(rx.recv().unwrap(), 2);
    assert_eq!(cond.lock().notify(10), 2, "min(n, waiting)");
    let mut rest = vec![rx.recv().unwrap(), rx.recv().unwrap()];
    rest.sort_unstable();
    assert_eq!(rest, [3, 4]);
    for handle in handles {
        handle.join().unwrap();
    }
    assert!(rx.try_recv().is_err());
}

#[test]
fn notify_all_wakes_everyone_and_counts_them() {
    let cond = Arc::new(Condition::new());
    let (tx, rx) = mpsc::channel();
    let handles: Vec<_> = (0..4).map(|id| spawn_waiter(&cond, id, &tx)).collect();
    let guard = until_waiters(&cond, 4);
    assert_eq!(guard.notify_all(), 4);
    assert_eq!(waiters(&guard), 0);
    drop(guard);
    let mut woken: Vec<usize> = (0..4).map(|_| rx.recv().unwrap()).collect();
    woken.sort_unstable();
    assert_eq!(woken, [0, 1, 2, 3]);
    handles.into_iter().for_each(|h| h.join().unwrap());
}

#[test]
fn wait_timeout_expires_and_holds_the_lock_again() {
    let cond = Condition::new();
    let mut guard = cond.lock();
    let start = Instant::now();
    assert!(!guard.wait_timeout(Duration::from_millis(50)));
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(50), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(waiters(&guard), 0, "a timed-out waiter unlinks itself");
    thread::scope(|s| s.spawn(|| assert!(cond.try_lock().is_none())).join().unwrap());
    assert!(!guard.wait_timeout(Duration::ZERO));
    assert_eq!(waiters(&guard), 0);
}

#[test]
fn wait_timeout_returns_true_when_notified() {
    for timeout in [Duration::from_secs(60), Duration::MAX] {
        let cond = Arc::new(Condition::new());
        let waiter = thread::spawn({
            let cond = Arc::clone(&cond);
            move || cond.lock().wait_timeout(timeout)
        });
        assert_eq!(until_waiters(&cond, 1).notify(1), 1);
        assert!(waiter.join().unwrap());
    }
}

#[test]
fn timed_out_waiter_leaves_the_queue_in_order() {
    // Waiters 0 and 2 untimed, 1 times out: FIFO among the remaining ones is kept.
    let cond = Arc::new(Condition::new());
    let (tx, rx) = mpsc::channel();
    let first = spawn_waiter(&cond, 0, &tx);
    drop(until_waiters(&cond, 1));
    let (timed, timed_out) = spawn_timed_waiter(&cond);
    drop(until_waiters(&cond, 2));
    let last = spawn_waiter(&cond, 2, &tx);
    drop(until_waiters(&cond, 3));
    timed_out.wait();
    assert!(!timed.join().unwrap());
    let guard = cond.lock();
    assert_eq!(waiters(&guard), 2);
    assert_eq!(guard.notify(1), 1);
    drop(guard);
    assert_eq!(rx.recv().unwrap(), 0);
    assert_eq!(cond.lock().notify(1), 1);
    assert_eq!(rx.recv().unwrap(), 2);
    first.join().unwrap();
    last.join().unwrap();
}

#[test]
fn the_oldest_waiter_leaving_lets_no_newcomer_overtake() {
    // Once the oldest waiter is gone, by a timeout or a notify, a thread that comes while
    // others still wait queues behind them, and one that comes to an empty queue is served
    // first again.
    let cond = Arc::new(Condition::new());
    let (tx, rx) = mpsc::channel();
    let (oldest, timed_out) = spawn_timed_waiter(&cond);
    drop(until_waiters(&cond, 1));
    let second = spawn_waiter(&cond, 1, &tx);
    drop(until_waiters(&cond, 2));
    timed_out.wait();
    assert!(!oldest.join().unwrap());
    let third = spawn_waiter(&cond, 2, &tx);
    drop(until_waiters(&cond, 2));
    assert_eq!(cond.lock().notify(1), 1);
    assert_eq!(rx.recv().unwrap(), 1, "the newcomer did not overtake");
    // The oldest is now 2; notified, it leaves 3 waiting, then 4 comes: 3 goes first.
    let fourth = spawn_waiter(&cond, 3, &tx);
    drop(until_waiters(&cond, 2));
    assert_eq!(cond.lock().notify(1), 1);
    assert_eq!(rx.recv().unwrap(), 2);
    let fifth = spawn_waiter(&cond, 4, &tx);
    drop(until_waiters(&cond, 2));
    assert_eq!(cond.lock().notify(1), 1);
    assert_eq!(rx.recv().unwrap(), 3);
    assert_eq!(cond.lock().notify(1), 1);
    assert_eq!(rx.recv().unwrap(), 4);
    // An empty queue again: the next waiter is the oldest, and a notify still reaches it.
    let sixth = spawn_waiter(&cond, 5, &tx);
    assert_eq!(until_waiters(&cond, 1).notify_all(), 1);
    assert_eq!(rx.recv().unwrap(), 5);
    for handle in [second, third, fourth, fifth, sixth] {
        handle.join().unwrap();
    }
    assert_eq!(waiters(&cond.lock()), 0);
}

#[test]
fn wait_for_checks_first_and_loops_until_true() {
    let cond = Condition::new();
    let mut calls = 0;
    cond.lock().wait_for(|| {
        calls += 1;
        true
    });
    assert_eq!(calls, 1, "a true predicate means no wait");

    let monitor = Monitor::new(0u32);
    let other = Arc::clone(&monitor);
    let waiter = thread::spawn(move || {
        let mut guard = other.cond.lock();
        let mut checks = 0;
        guard.wait_for(|| {
            checks += 1;
            other.with(|v| *v == 3)
        });
        checks
    });
    for value in 1..=3 {
        let guard = until_waiters(&monitor.cond, 1);
        monitor.with(|v| *v = value);
        assert_eq!(guard.notify(1), 1);
    }
    // Checked once first, then once after each of the three notifications.
    assert_eq!(waiter.join().unwrap(), 4);
}

#[test]
fn wait_for_timeout_returns_the_last_predicate_value() {
    let cond = Condition::new();
    let mut guard = cond.lock();
    assert!(guard.wait_for_timeout(|| true, Duration::ZERO));
    let start = Instant::now();
    assert!(!guard.wait_for_timeout(|| false, Duration::from_millis(50)));
    assert!(start.elapsed() >= Duration::from_millis(50));
    // Python checks once more after the time is up and returns that value.
    let mut calls = 0;
    assert!(guard.wait_for_timeout(
        || {
            calls += 1;
            calls == 2
        },
        Duration::from_millis(10)
    ));
    assert_eq!(calls, 2);
}

/// A notifier that never stops: the waiter must still give up at its one deadline. On one
/// CPU (CI runs the suite under `taskset -c 0`) the waiter is notified during its yields,
/// before it ever sleeps, so only a clock check between waits can end it: without one this
/// took 18-50 s instead of 100 ms.
#[test]
fn wait_for_timeout_is_one_deadline_for_all_waits() {
    // A thread notifies as fast as it can without ever making the predicate true. If each
    // wait had its own timeout the waiter would never give up.
    let cond = Arc::new(Condition::new());
    let stop = Arc::new(AtomicBool::new(false));
    let notifier = thread::spawn({
        let (cond, stop) = (Arc::clone(&cond), Arc::clone(&stop));
        move || {
            let mut notified = 0;
            while !stop.load(Relaxed) {
                notified += cond.lock().notify_all();
                thread::yield_now();
            }
            notified
        }
    });
    let mut guard = cond.lock();
    let mut checks = 0;
    let start = Instant::now();
    assert!(!guard.wait_for_timeout(
        || {
            checks += 1;
            false
        },
        Duration::from_millis(100)
    ));
    let elapsed = start.elapsed();
    drop(guard);
    stop.store(true, Relaxed);
    let notified = notifier.join().unwrap();
    assert!(elapsed >= Duration::from_millis(100), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    assert!(checks >= 2, "the waiter was notified and re-checked at least once");
    assert!(notified >= checks - 2);
}

#[test]
fn wait_for_timeout_sees_a_predicate_come_true() {
    let monitor = Monitor::new(false);
    let other = Arc::clone(&monitor);
    let waiter = thread::spawn(move || {
        let mut guard = other.cond.lock();
        guard.wait_for_timeout(|| other.with(|v| *v), Duration::from_secs(60))
    });
    let guard = until_waiters(&monitor.cond, 1);
    monitor.with(|v| *v = true);
    guard.notify_all();
    drop(guard);
    assert!(waiter.join().unwrap());
}

/// A sequential model: one thread alone can only see empty queues and timeouts.
mod model {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        Notify(usize),
        NotifyAll,
        WaitZero,
        TryLockWhileHeld,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0usize..4).prop_map(Op::Notify),
            Just(Op::NotifyAll),
            Just(Op::WaitZero),
            Just(Op::TryLockWhileHeld),
        ]
    }

    proptest! {
        #![proptest_config(crate::support::proptest_config(ProptestConfig::with_cases(64)))]

        #[test]
        fn alone_nothing_is_ever_notified(ops in proptest::collection::vec(op(), 1..30)) {
            let cond = Condition::new();
            let mut guard = cond.lock();
            for op in ops {
                match op {
                    Op::Notify(n) => prop_assert_eq!(guard.notify(n), 0),
                    Op::NotifyAll => prop_assert_eq!(guard.notify_all(), 0),
                    Op::WaitZero => prop_assert!(!guard.wait_timeout(Duration::ZERO)),
                    Op::TryLockWhileHeld => prop_assert!(cond.try_lock().is_none()),
                }
                prop_assert_eq!(waiters(&guard), 0);
            }
        }

        /// `waiting` threads queue in order; each `notify(n)` returns exactly
        /// min(n, still waiting) and wakes exactly those, oldest first.
        #[test]
        fn notify_counts_are_exact_and_fifo(
            waiting in 1usize..5,
            notifies in proptest::collection::vec(0usize..4, 1..6),
        ) {
            let cond = Arc::new(Condition::new());
            let (tx, rx) = mpsc::channel();
            let handles: Vec<_> = (0..waiting)
                .map(|id| {
                    let handle = spawn_waiter(&cond, id, &tx);
                    drop(until_waiters(&cond, id + 1));
                    handle
                })
                .collect();
            let mut remaining = waiting;
            let mut next = 0;
            for n in notifies {
                let guard = cond.lock();
                let woken = guard.notify(n);
                prop_assert_eq!(woken, n.min(remaining));
                remaining -= woken;
                prop_assert_eq!(waiters(&guard), remaining);
                drop(guard);
                let mut ids: Vec<usize> = (0..woken).map(|_| rx.recv().unwrap()).collect();
                ids.sort_unstable();
                prop_assert_eq!(ids, (next..next + woken).collect::<Vec<_>>());
                next += woken;
            }
            prop_assert_eq!(cond.lock().notify_all(), remaining);
            for handle in handles {
                handle.join().unwrap();
            }
            prop_assert_eq!(rx.try_iter().count(), remaining);
        }
    }
}

mod stress {
    use super::*;
    use std::collections::VecDeque;

    /// Two producers and two consumers through a bounded buffer: every item arrives
    /// exactly once.
    #[test]
    fn producer_consumer_exact_counts() {
        const PER_PRODUCER: u64 = if cfg!(miri) { 100 } else { 50_000 };
        const CAPACITY: usize = 16;
        let monitor = Monitor::new((VecDeque::new(), 0u32)); // (items, producers done)
        let producers: Vec<_> = (0..2u64)
            .map(|p| {
                let monitor = Arc::clone(&monitor);
                thread::spawn(move || {
                    for i in 0..PER_PRODUCER {
                        let mut guard = monitor.cond.lock();
                        let full = || monitor.with(|(q, _)| q.len() >= CAPACITY);
                        while full() {
                            guard.wait();
                        }
                        monitor.with(|(q, _)| q.push_back(p * PER_PRODUCER + i));
                        guard.notify_all();
                    }
                    let guard = monitor.cond.lock();
                    monitor.with(|(_, done)| *done += 1);
                    guard.notify_all();
                })
            })
            .collect();
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let monitor = Arc::clone(&monitor);
                thread::spawn(move || {
                    let mut seen = Vec::new();
                    loop {
                        let mut guard = monitor.cond.lock();
                        let item = loop {
                            let (item, done) = monitor.with(|(q, done)| (q.pop_front(), *done));
                            if item.is_some() || done == 2 {
                                break item;
                            }
                            guard.wait();
                        };
                        let Some(item) = item else { return seen };
                        guard.notify_all();
                        drop(guard);
                        seen.push(item);
                    }
                })
            })
            .collect();
        producers.into_iter().for_each(|p| p.join().unwrap());
        let mut all: Vec<u64> = consumers.into_iter().flat_map(|c| c.join().unwrap()).collect();
        all.sort_unstable();
        assert_eq!(all, (0..2 * PER_PRODUCER).collect::<Vec<_>>());
    }

    /// A notify racing a waiter's short timeout, many times: notify counted the waiter
    /// exactly when the waiter says it was notified (never lost, never double-counted).
    /// The waiter raises `queued` while it holds the lock, so the notifier's `lock()` only
    /// succeeds once the waiter is inside `wait` (queued, lock released): what races is
    /// the notify against the timeout, not against the waiter's arrival. Every tenth round
    /// waits long, so some notifications are sure to be counted even on a loaded machine.
    #[test]
    fn notify_racing_timeouts_is_never_lost() {
        let cond = Arc::new(Condition::new());
        let consumed = Arc::new(AtomicUsize::new(0));
        let mut counted = 0;
        const ROUNDS: u64 = if cfg!(miri) { 20 } else { 2_000 };
        for round in 0..ROUNDS {
            let queued = Arc::new(Event::new());
            let timed = thread::spawn({
                let (cond, consumed, queued) =
                    (Arc::clone(&cond), Arc::clone(&consumed), Arc::clone(&queued));
                move || {
                    let timeout = if round % 10 == 0 {
                        Duration::from_secs(60)
                    } else {
                        Duration::from_micros(round % 50)
                    };
                    let mut guard = cond.lock();
                    queued.set();
                    if guard.wait_timeout(timeout) {
                        consumed.fetch_add(1, Relaxed);
                    }
                }
            });
            queued.wait();
            let guard = cond.lock();
            counted += guard.notify(1);
            drop(guard);
            timed.join().unwrap();
        }
        assert_eq!(counted, consumed.load(Relaxed));
        assert!(counted as u64 >= ROUNDS / 10, "every long-timeout waiter was notified: {counted}");
    }

    /// Ping-pong between two threads through one condition: a turn-taking counter that
    /// never skips or repeats.
    #[test]
    fn ping_pong_turns() {
        const ROUNDS: u64 = if cfg!(miri) { 100 } else { 50_000 };
        let monitor = Monitor::new(0u64);
        let other = Arc::clone(&monitor);
        let pong = thread::spawn(move || {
            for i in 0..ROUNDS {
                let mut guard = other.cond.lock();
                guard.wait_for(|| other.with(|v| *v == 2 * i + 1));
                other.with(|v| *v += 1);
                guard.notify(1);
            }
        });
        for i in 0..ROUNDS {
            let mut guard = monitor.cond.lock();
            guard.wait_for(|| monitor.with(|v| *v == 2 * i));
            monitor.with(|v| *v += 1);
            guard.notify(1);
        }
        pong.join().unwrap();
        let _guard = monitor.cond.lock();
        assert_eq!(monitor.with(|v| *v), 2 * ROUNDS);
    }
}

/// A waiter whose timeout fired while another thread holds the lock leaves the queue at
/// once, before it can re-take the lock (parking_lot's rule, shared with `Condvar`): the
/// holder's notify passes it by and counts 0, and its wait reports the timeout. Python's
/// would spend the notification on it although its `wait` returns False.
#[test]
fn a_timed_out_waiter_that_cannot_relock_is_not_counted_by_notify() {
    let cond = Condition::new();
    let (queued, queued_rx) = mpsc::channel();
    thread::scope(|s| {
        let waiter = s.spawn(|| {
            let mut guard = cond.lock();
            queued.send(()).unwrap(); // Under the lock: main takes it only once we wait.
            guard.wait_timeout(Duration::from_millis(20))
        });
        queued_rx.recv().unwrap();
        let guard = cond.lock(); // The waiter is queued and cannot re-take the lock now.
        let start = Instant::now();
        while !format!("{cond:?}").contains("waiters: 0") {
            assert!(start.elapsed() < Duration::from_secs(10), "the waiter never left: {cond:?}");
            thread::yield_now();
        }
        assert_eq!(guard.notify(1), 0, "nobody waits any more");
        drop(guard);
        assert!(!waiter.join().unwrap(), "the wait timed out");
    });
}

// ---- Conditions over a shared lock, RLock conditions, guard-less use ----

mod shared_lock {
    use super::*;
    use threading::{Lock, RLock, ReleaseError};

    /// Yields until `cond` has `n` waiters (its Debug output counts them); panics after
    /// [`PATIENCE`].
    fn until_waiting<L: threading::ConditionLock>(cond: &Condition<L>, n: usize) {
        let start = Instant::now();
        while !format!("{cond:?}").contains(&format!("waiters: {n}")) {
            assert!(start.elapsed() < PATIENCE, "never {n} waiters: {cond:?}");
            thread::yield_now();
        }
    }

    #[test]
    fn a_notify_wakes_only_the_waiters_of_its_own_condition() {
        static MUTEX: Lock = Lock::new();
        static NOT_EMPTY: Condition<&Lock> = Condition::with_lock(&MUTEX);
        static NOT_FULL: Condition<&Lock> = Condition::with_lock(&MUTEX);
        let (tx, rx) = mpsc::channel();
        let spawn = |cond: &'static Condition<&'static Lock>, name: &'static str| {
            let tx = tx.clone();
            thread::spawn(move || {
                let mut guard = cond.lock();
                guard.wait();
                drop(guard);
                tx.send(name).unwrap();
            })
        };
        let a = spawn(&NOT_EMPTY, "not_empty");
        let b = spawn(&NOT_FULL, "not_full");
        until_waiting(&NOT_EMPTY, 1);
        until_waiting(&NOT_FULL, 1);
        {
            // Holding the lock through NOT_FULL, notify NOT_EMPTY (queue.Queue's put).
            let guard = NOT_FULL.lock();
            assert!(MUTEX.locked());
            assert_eq!(NOT_EMPTY.notify_with(&guard, 5), 1);
        }
        assert_eq!(rx.recv().unwrap(), "not_empty");
        assert!(rx.recv_timeout(Duration::from_millis(30)).is_err(), "not_full slept on");
        assert_eq!(NOT_FULL.lock().notify_all(), 1);
        assert_eq!(rx.recv().unwrap(), "not_full");
        a.join().unwrap();
        b.join().unwrap();
    }

    #[test]
    fn wait_with_waits_on_another_condition_of_the_same_lock() {
        let mutex = Arc::new(Lock::new());
        let first = Arc::new(Condition::with_lock(Arc::clone(&mutex)));
        let second = Arc::new(Condition::with_lock(Arc::clone(&mutex)));
        let mut guard = first.lock();
        assert!(!second.wait_timeout_with(&mut guard, Duration::from_millis(5)));
        let notifier = thread::spawn({
            let (first, second) = (Arc::clone(&first), Arc::clone(&second));
            move || {
                until_waiting(&second, 1);
                let guard = first.lock();
                assert_eq!(first.notify_all_with(&guard), 0);
                assert_eq!(second.notify_all_with(&guard), 1);
            }
        });
        second.wait_with(&mut guard);
        assert!(mutex.locked(), "the wait took the shared lock back");
        drop(guard);
        assert!(!mutex.locked());
        notifier.join().unwrap();
    }

    #[test]
    fn a_guard_of_a_different_lock_panics_and_changes_nothing() {
        let (one, two) = (Lock::new(), Lock::new());
        let mine = Condition::with_lock(&one);
        let foreign = Condition::with_lock(&two);
        let result = catch_unwind(AssertUnwindSafe(|| {
            let guard = foreign.lock();
            mine.notify_with(&guard, 1)
        }));
        let message = result.unwrap_err();
        let text = message.downcast_ref::<&str>().copied().map(String::from);
        let text = text.or_else(|| message.downcast_ref::<String>().cloned()).unwrap();
        assert!(text.contains("different lock"), "{text}");
        assert!(!two.locked() && !one.locked(), "the foreign guard unwound; nothing taken");
        let waited = catch_unwind(AssertUnwindSafe(|| {
            let mut guard = foreign.lock();
            mine.wait_with(&mut guard);
        }));
        assert!(waited.is_err(), "a wait with a foreign guard panics instead of waiting");
        assert!(!two.locked() && !one.locked());
        // Both conditions still work.
        let mut guard = mine.lock();
        assert!(!guard.wait_timeout(Duration::from_millis(1)));
        assert_eq!(foreign.lock().notify_all(), 0);
    }

    #[test]
    fn an_rlock_condition_restores_every_level_after_a_wait() {
        let cond = Arc::new(Condition::with_lock(RLock::new()));
        let outer = cond.lock();
        let mut inner = cond.lock(); // depth 2
        // A timed-out wait released both levels (another thread could take the lock) and
        // restored both.
        let taker = thread::spawn({
            let cond = Arc::clone(&cond);
            move || {
                until_waiting(&cond, 1);
                let guard = cond.lock(); // only possible if the wait released every level
                assert_eq!(guard.notify(1), 1);
            }
        });
        assert!(inner.wait_timeout(Duration::from_secs(60)));
        taker.join().unwrap();
        assert!(!inner.wait_timeout(Duration::from_millis(5)), "timed out");
        // Still two levels, owned by this thread: two releases free it, not one.
        drop(inner);
        let other = Arc::clone(&cond);
        assert!(!thread::spawn(move || other.try_acquire()).join().unwrap());
        drop(outer);
        let other = Arc::clone(&cond);
        assert!(thread::spawn(move || other.try_lock().is_some()).join().unwrap());
    }

    #[test]
    fn an_rlock_condition_refuses_a_non_owner() {
        let cond = Arc::new(Condition::with_lock(Arc::new(RLock::new())));
        let _guard = cond.lock();
        let other = Arc::clone(&cond);
        thread::spawn(move || {
            assert_eq!(other.release(), Err(ReleaseError::NotOwner));
            assert_eq!(other.wait(), Err(ReleaseError::NotOwner));
            assert_eq!(other.notify(1), Err(ReleaseError::NotOwner));
            assert_eq!(other.notify_all(), Err(ReleaseError::NotOwner));
        })
        .join()
        .unwrap();
        assert_eq!(cond.notify(1), Ok(0), "still held by this thread, unchanged");
    }

    #[test]
    fn acquire_and_release_without_a_guard_like_python() {
        let cond = Arc::new(Condition::new());
        assert_eq!(cond.release(), Err(ReleaseError::Unlocked));
        assert_eq!(cond.wait(), Err(ReleaseError::Unlocked));
        assert_eq!(cond.wait_timeout(Duration::ZERO), Err(ReleaseError::Unlocked));
        assert_eq!(cond.wait_for(|| true), Err(ReleaseError::Unlocked));
        assert_eq!(cond.notify(1), Err(ReleaseError::Unlocked));
        assert!(cond.try_lock().is_some(), "the errors changed nothing");

        cond.acquire(); // in one function ...
        assert!(!cond.try_acquire());
        assert!(!cond.acquire_timeout(Duration::from_millis(1)));
        let flag = Arc::new(AtomicBool::new(false));
        let notifier = thread::spawn({
            let (cond, flag) = (Arc::clone(&cond), Arc::clone(&flag));
            move || {
                cond.acquire();
                flag.store(true, Relaxed);
                let woken = cond.notify_all().unwrap();
                cond.release().unwrap();
                woken
            }
        });
        assert_eq!(cond.wait_for(|| flag.load(Relaxed)), Ok(()));
        assert_eq!(cond.wait_for_timeout(|| true, Duration::ZERO), Ok(true));
        cond.release().unwrap(); // ... released in another
        assert!(notifier.join().unwrap() <= 1);
        assert_eq!(cond.release(), Err(ReleaseError::Unlocked));
    }

    #[test]
    fn a_guard_whose_lock_was_released_by_hand_panics_before_waiting() {
        let cond = Condition::with_lock(RLock::new());
        let result = catch_unwind(AssertUnwindSafe(|| {
            let mut guard = cond.lock();
            cond.release().unwrap(); // the guard's level, released by hand
            guard.wait_timeout(Duration::from_secs(60))
        }));
        assert!(result.is_err(), "a wait without the lock panics instead of waiting");
        assert_eq!(format!("{cond:?}"), "Condition { locked: false, waiters: 0 }");
        let mut guard = cond.lock();
        assert!(!guard.wait_timeout(Duration::from_millis(1)), "still usable");
    }

    #[test]
    fn a_panicking_predicate_releases_an_rlock_condition() {
        let cond = Condition::with_lock(RLock::new());
        let result = catch_unwind(AssertUnwindSafe(|| {
            let _outer = cond.lock();
            let mut guard = cond.lock();
            guard.wait_for(|| panic!("predicate failed"));
        }));
        assert!(result.is_err());
        thread::scope(|s| {
            s.spawn(|| assert!(cond.try_lock().is_some(), "both levels were released"));
        });
        let mut guard = cond.lock();
        assert!(!guard.wait_for_timeout(|| false, Duration::from_millis(1)), "still usable");
    }
}

/// `Condition::reentrant()` is Python's `threading.Condition()`: its holder takes it again
/// instead of deadlocking, a wait releases both levels (another thread gets the lock and
/// notifies) and restores them, and only the last guard's drop frees it.
#[test]
fn a_reentrant_condition_re_enters_and_waits_with_every_level_released() {
    static COND: Condition<threading::RLock> = Condition::reentrant();
    let outer = COND.lock();
    let mut inner = COND.try_lock().expect("re-entry succeeds at once, no deadlock");
    let notifier = thread::spawn(|| {
        // Only possible once the wait below released both levels.
        let guard = COND.lock();
        guard.notify(1)
    });
    inner.wait(); // no spurious wakeups: only the notifier's notify ends it
    assert_eq!(notifier.join().unwrap(), 1);
    drop(inner);
    assert!(!thread::spawn(|| COND.try_acquire()).join().unwrap(), "one level still held");
    drop(outer);
    assert!(thread::spawn(|| COND.try_lock().is_some()).join().unwrap(), "free");
}

/// `ReentrantCondition`: data under Python's `threading.Condition()` without `unsafe`.
mod reentrant_condition {
    use super::*;
    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;
    use threading::ReentrantCondition;

    /// A porter's bounded buffer whose methods lock and call each other.
    struct Buffer {
        cond: ReentrantCondition<RefCell<VecDeque<usize>>>,
        capacity: usize,
    }

    impl Buffer {
        fn len(&self) -> usize {
            self.cond.lock().borrow().len()
        }
        fn put(&self, item: usize) {
            let mut guard = self.cond.lock();
            while self.len() >= self.capacity {
                guard.wait();
            }
            guard.borrow_mut().push_back(item);
            guard.notify_all();
        }
        fn get(&self) -> usize {
            let mut guard = self.cond.lock();
            guard.wait_for(|items| !items.borrow().is_empty());
            let item = guard.borrow_mut().pop_front().unwrap();
            guard.notify_all();
            item
        }
    }

    #[test]
    fn a_bounded_buffer_re_enters_and_passes_every_item_once() {
        const ITEMS: usize = if cfg!(miri) { 20 } else { 2_000 };
        let buffer =
            Buffer { cond: ReentrantCondition::new(RefCell::new(VecDeque::new())), capacity: 2 };
        let mut got: Vec<usize> = thread::scope(|s| {
            for p in 0..2 {
                let buffer = &buffer;
                s.spawn(move || (0..ITEMS).for_each(|i| buffer.put(p * ITEMS + i)));
            }
            let consumers: Vec<_> = (0..2)
                .map(|_| s.spawn(|| (0..ITEMS).map(|_| buffer.get()).collect::<Vec<_>>()))
                .collect();
            consumers.into_iter().flat_map(|c| c.join().unwrap()).collect()
        });
        got.sort_unstable();
        assert!(got.into_iter().eq(0..2 * ITEMS));
        assert_eq!(buffer.len(), 0);
    }

    /// A wait with an outer guard alive would let another thread change the data under a
    /// reference borrowed from it: refused with a panic before anything is released, and
    /// the lock stays held at both levels and usable.
    #[test]
    fn a_wait_with_two_levels_panics_before_releasing_anything() {
        let cond = Arc::new(ReentrantCondition::new(Cell::new(0)));
        let outer = cond.lock();
        let seen: &Cell<i32> = &outer; // a live reference through the outer level
        let mut inner = cond.lock();
        let refused =
            catch_unwind(AssertUnwindSafe(|| inner.wait_timeout(Duration::from_secs(60))));
        let message = refused.unwrap_err();
        let message = message.downcast_ref::<String>().expect("a formatted message");
        assert!(message.contains("wait with 2 levels"), "{message}");
        let other = Arc::clone(&cond);
        assert!(
            thread::spawn(move || other.try_lock().is_none()).join().unwrap(),
            "still held: the refused wait released nothing"
        );
        let refused = catch_unwind(AssertUnwindSafe(|| inner.wait_for(|value| value.get() == 1)));
        assert!(refused.is_err(), "wait_for that has to wait refuses too");
        inner.wait_for(|value| value.get() == 0); // true at once: no wait, no refusal
        assert!(inner.wait_for_timeout(|value| value.get() == 0, Duration::ZERO));
        drop(inner);
        seen.set(1);
        // With one level, waits work.
        let mut only = outer;
        assert!(!only.wait_timeout(Duration::from_millis(1)));
        assert_eq!(only.get(), 1);
    }

    /// The rule holds before every wait of a timed `wait_for`, not only the first: a
    /// predicate that takes and keeps a second level between two waits makes the next wait
    /// refuse, with both levels still held, instead of releasing them.
    #[test]
    fn a_level_the_predicate_keeps_between_two_timed_waits_is_refused() {
        let cond = ReentrantCondition::new(Cell::new(0));
        let kept = std::cell::RefCell::new(Vec::new());
        thread::scope(|s| {
            let mut guard = cond.lock();
            s.spawn(|| {
                // Gets the lock only once the first wait released it: the notify finds it.
                assert_eq!(cond.lock().notify(1), 1);
            });
            let mut checks = 0;
            let refused = catch_unwind(AssertUnwindSafe(|| {
                guard.wait_for_timeout(
                    |_| {
                        checks += 1;
                        if checks == 2 {
                            kept.borrow_mut().push(cond.lock()); // a second level, kept
                        }
                        false
                    },
                    Duration::from_secs(60),
                )
            }));
            let message = refused.unwrap_err();
            let message = message.downcast_ref::<String>().expect("a formatted message");
            assert!(message.contains("wait with 2 levels"), "{message}");
            assert_eq!(checks, 2, "refused before the second wait");
            let other = s.spawn(|| cond.try_lock().is_none());
            assert!(other.join().unwrap(), "still held: the refused wait released nothing");
            kept.borrow_mut().clear();
            drop(guard);
        });
        assert!(cond.try_lock().is_some());
    }

    #[test]
    fn one_level_waits_and_is_woken_with_the_data_changed() {
        let cond = ReentrantCondition::new(Cell::new(false));
        thread::scope(|s| {
            let mut guard = cond.lock();
            s.spawn(|| {
                let guard = cond.lock(); // only once the wait released the lock
                guard.set(true);
                assert_eq!(guard.notify(1), 1);
            });
            guard.wait();
            assert!(guard.get());
        });
        let mut cond = cond;
        cond.get_mut().set(false);
        assert!(!cond.into_inner().get());
        assert!(
            format!("{:?}", ReentrantCondition::<u8>::default()).contains("ReentrantCondition")
        );
    }
}

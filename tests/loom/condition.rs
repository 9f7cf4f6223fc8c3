//! Loom checks of `Condition`: no missed notify, no lost or double-counted notification
//! when a notify races a timeout, and exclusive access to data under the condition's lock.

use crate::check;
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;
use std::time::Duration;
use threading::Condition;

/// Data that is only touched while holding the condition's lock: loom flags any two
/// accesses that the lock (including its release and re-acquisition inside `wait`) leaves
/// unordered.
struct Shared {
    cond: Condition,
    data: UnsafeCell<State>,
}

#[derive(Default)]
struct State {
    /// Notifications announced (set before each notify).
    tokens: usize,
    /// Times the timed waiter's predicate ran.
    checks: usize,
}

// SAFETY: `data` is only accessed while holding `cond`'s lock (loom checks that).
unsafe impl Sync for Shared {}

impl Shared {
    fn new() -> Arc<Self> {
        Arc::new(Shared { cond: Condition::new(), data: UnsafeCell::new(State::default()) })
    }

    /// Runs `f` on the data; the caller holds the condition's lock.
    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        // SAFETY: the caller holds the lock.
        self.data.with_mut(|state| f(unsafe { &mut *state }))
    }
}

/// A thread that waits (once, no loop: there are no spurious wakeups) because the flag is
/// not yet raised is always woken by the notify that follows raising it, and then sees the
/// flag. A missed notify leaves it asleep forever: a loom deadlock.
#[test]
fn wait_never_misses_notify() {
    check(|| {
        let shared = Shared::new();
        let waiter = thread::spawn({
            let shared = Arc::clone(&shared);
            move || {
                let mut guard = shared.cond.lock();
                if shared.with(|s| s.tokens) == 0 {
                    guard.wait();
                    // Only the notify ends a wait, and it came after the flag was raised.
                    assert_eq!(shared.with(|s| s.tokens), 1);
                }
            }
        });
        let guard = shared.cond.lock();
        shared.with(|s| s.tokens = 1);
        let woken = guard.notify(1);
        drop(guard);
        waiter.join().unwrap();
        assert!(woken <= 1);
    });
}

/// A notify racing a waiter's timeout: whatever notify counted, the waiter consumed.
/// `notify(1)` returns 1 exactly when the timed waiter returns true.
#[test]
fn timed_out_waiter_never_loses_a_notification() {
    check(|| {
        let shared = Shared::new();
        let waiter = thread::spawn({
            let shared = Arc::clone(&shared);
            move || shared.cond.lock().wait_timeout(Duration::from_secs(1))
        });
        let woken = shared.cond.lock().notify(1);
        let notified = waiter.join().unwrap();
        assert_eq!(woken, usize::from(notified));
    });
}

/// One timed waiter and one untimed waiter, two `notify(1)`s: the notifications counted by
/// the notifies equal the notifications consumed, whatever the timeout races. In
/// particular a notification given to a waiter that was timing out is never lost (the
/// untimed waiter would then sleep forever: a deadlock) nor counted twice.
#[test]
fn notify_vs_timeout_vs_second_notify() {
    check(|| {
        let shared = Shared::new();
        let timed = thread::spawn({
            let shared = Arc::clone(&shared);
            move || shared.cond.lock().wait_timeout(Duration::from_secs(1))
        });
        let untimed = thread::spawn({
            let shared = Arc::clone(&shared);
            move || {
                let mut guard = shared.cond.lock();
                // Counts the predicate's runs: all but the first follow a notification.
                guard.wait_for(|| {
                    shared.with(|s| {
                        s.checks += 1;
                        s.tokens > 0
                    })
                });
                shared.with(|s| s.checks - 1)
            }
        });
        let mut counted = 0;
        for _ in 0..2 {
            let guard = shared.cond.lock();
            shared.with(|s| s.tokens += 1);
            counted += guard.notify(1);
        }
        let consumed = usize::from(timed.join().unwrap()) + untimed.join().unwrap();
        assert_eq!(counted, consumed);
    });
}

/// `notify_all` wakes every waiter it counts; both waiters finish (no deadlock) and each
/// waiter's `wait` returned only after the flag was raised.
#[test]
fn notify_all_wakes_everyone() {
    check(|| {
        let shared = Shared::new();
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                thread::spawn({
                    let shared = Arc::clone(&shared);
                    move || {
                        let mut guard = shared.cond.lock();
                        let mut waits = 0;
                        guard.wait_for(|| {
                            waits += 1;
                            shared.with(|s| s.tokens > 0)
                        });
                        waits - 1
                    }
                })
            })
            .collect();
        let guard = shared.cond.lock();
        shared.with(|s| s.tokens = 1);
        let woken = guard.notify_all();
        drop(guard);
        let waited: usize = waiters.into_iter().map(|w| w.join().unwrap()).sum();
        // Every waiter that waited was woken by this one notify_all, once.
        assert_eq!(woken, waited);
    });
}

//! Loom checks of conditions that share a lock: two conditions over one `Lock` never wake
//! each other's waiters, a notify racing a timeout on each is consumed or passed on, and
//! a wait on an `RLock` condition releases every level and restores them, and a
//! `ReentrantCondition` (Python's `Condition()`) notified from a nested level wakes its waiter.

use crate::check;
use loom::cell::{Cell, UnsafeCell};
use loom::sync::Arc;
use loom::thread;
use std::time::Duration;
use threading::{Condition, Lock, RLock, ReentrantCondition, ReleaseError};

/// Two conditions over one lock, with data only touched under that lock.
struct Pair {
    a: Condition<std::sync::Arc<Lock>>,
    b: Condition<std::sync::Arc<Lock>>,
    /// Notifications announced for `a` and for `b` (set before each notify).
    tokens: UnsafeCell<(usize, usize)>,
}

// SAFETY: `tokens` is only accessed while holding the shared lock (loom checks that).
unsafe impl Sync for Pair {}

impl Pair {
    fn new() -> Arc<Self> {
        let lock = std::sync::Arc::new(Lock::new());
        Arc::new(Pair {
            a: Condition::with_lock(std::sync::Arc::clone(&lock)),
            b: Condition::with_lock(lock),
            tokens: UnsafeCell::new((0, 0)),
        })
    }

    /// Runs `f` on the tokens; the caller holds the shared lock.
    fn with<R>(&self, f: impl FnOnce(&mut (usize, usize)) -> R) -> R {
        // SAFETY: the caller holds the lock.
        self.tokens.with_mut(|t| f(unsafe { &mut *t }))
    }
}

/// A timed waiter on each condition; the main thread notifies `a` through a guard of `b`
/// and then `b` through a guard of `a`. Each notify counts exactly the waiter of its own
/// condition that it woke (a notification racing that waiter's timeout is consumed, never
/// lost), and a woken waiter always finds its own condition's token: a notify on one
/// condition never ends a wait on the other.
#[test]
fn two_conditions_never_wake_each_others_waiters() {
    check(|| {
        let pair = Pair::new();
        let waiter_a = thread::spawn({
            let pair = Arc::clone(&pair);
            move || {
                let mut guard = pair.a.lock();
                let notified = guard.wait_timeout(Duration::from_secs(1));
                if notified {
                    assert_eq!(pair.with(|t| t.0), 1, "woken without a notify on a");
                }
                notified
            }
        });
        let waiter_b = thread::spawn({
            let pair = Arc::clone(&pair);
            move || {
                let mut guard = pair.b.lock();
                let notified = guard.wait_timeout(Duration::from_secs(1));
                if notified {
                    assert_eq!(pair.with(|t| t.1), 1, "woken without a notify on b");
                }
                notified
            }
        });
        let guard = pair.b.lock();
        pair.with(|t| t.0 = 1);
        let woken_a = pair.a.notify_with(&guard, 1);
        drop(guard);
        let guard = pair.a.lock();
        pair.with(|t| t.1 = 1);
        let woken_b = pair.b.notify_with(&guard, 1);
        drop(guard);
        assert_eq!(woken_a, usize::from(waiter_a.join().unwrap()));
        assert_eq!(woken_b, usize::from(waiter_b.join().unwrap()));
    });
}

/// A waiter holding an `RLock` condition twice waits (timed, racing the notifier): the
/// wait released both levels, so the notifier could take the lock, and restored both, so
/// after one release the waiter still holds it and only the second frees it.
#[test]
fn rlock_condition_restores_recursion_after_a_wait() {
    check(|| {
        let cond = Arc::new(Condition::with_lock(RLock::new()));
        let waiter = thread::spawn({
            let cond = Arc::clone(&cond);
            move || {
                let outer = cond.lock();
                let mut inner = cond.lock();
                let notified = inner.wait_timeout(Duration::from_secs(1));
                drop(inner);
                assert_eq!(cond.notify(0), Ok(0), "one level is still held");
                drop(outer);
                assert_eq!(cond.notify(0), Err(ReleaseError::NotOwner), "both were released");
                notified
            }
        });
        let woken = cond.lock().notify(1);
        assert_eq!(woken, usize::from(waiter.join().unwrap()));
    });
}

/// `threading.Condition()` as a porter's class uses it: the producer takes the lock and,
/// inside, a second level (a method that locks calling another), sets the item and notifies
/// there; the consumer waits holding its only level. The consumer is never left asleep (a
/// deadlock), and it sees the item (loom's `Cell` checks that the lock orders the accesses).
#[test]
fn reentrant_condition_notified_from_a_nested_level() {
    check(|| {
        let cond = Arc::new(ReentrantCondition::new(Cell::new(0usize)));
        let producer = thread::spawn({
            let cond = Arc::clone(&cond);
            move || {
                let outer = cond.lock();
                let inner = cond.lock();
                inner.set(7);
                inner.notify_all();
                drop(inner);
                drop(outer);
            }
        });
        let mut guard = cond.lock();
        while guard.get() == 0 {
            guard.wait();
        }
        assert_eq!(guard.get(), 7);
        drop(guard);
        producer.join().unwrap();
    });
}

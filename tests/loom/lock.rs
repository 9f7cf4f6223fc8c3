//! Loom checks of `Lock`.

use crate::check;
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;
use std::time::Duration;
use threading::Lock;

/// A counter that is only touched under `lock`: loom flags any access that the lock's
/// orderings do not order ("Causality violation").
pub struct Guarded {
    pub lock: Lock,
    pub value: UnsafeCell<u32>,
}

// SAFETY: `value` is only accessed while `lock` is held (which is what loom checks).
unsafe impl Sync for Guarded {}

impl Guarded {
    pub fn new() -> Arc<Self> {
        Arc::new(Guarded { lock: Lock::new(), value: UnsafeCell::new(0) })
    }

    /// Increments `value`; the caller holds `lock`.
    pub fn increment(&self) {
        // SAFETY: the caller holds the lock (loom verifies the exclusion).
        self.value.with_mut(|v| unsafe { *v += 1 });
    }

    pub fn get(&self) -> u32 {
        // SAFETY: the caller holds the lock or all writers have been joined.
        self.value.with(|v| unsafe { *v })
    }
}

/// Three threads increment under the lock: no two critical sections overlap, each sees the
/// previous one's write, and nobody sleeps forever.
#[test]
fn mutual_exclusion() {
    check(|| {
        let data = Guarded::new();
        let others: Vec<_> = (0..2)
            .map(|_| {
                let data = Arc::clone(&data);
                thread::spawn(move || {
                    let _g = data.lock.lock();
                    data.increment();
                })
            })
            .collect();
        {
            let _g = data.lock.lock();
            data.increment();
        }
        for other in others {
            other.join().unwrap();
        }
        assert_eq!(data.get(), 3);
    });
}

/// A thread blocked in `acquire` is always woken by the release (a lost wake-up would be
/// reported by loom as a deadlock).
#[test]
fn waiter_never_sleeps_through_release() {
    check(|| {
        let lock = Arc::new(Lock::new());
        lock.acquire();
        let waiter = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                lock.acquire();
                lock.release().unwrap();
            })
        };
        let second = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                lock.acquire();
                lock.release().unwrap();
            })
        };
        lock.release().unwrap();
        waiter.join().unwrap();
        second.join().unwrap();
        assert!(!lock.locked());
    });
}

/// `acquire_timeout` racing a release: either it gets the lock (and then sees the holder's
/// write) or it gives up; either way the lock ends up free and usable.
#[test]
fn acquire_timeout_racing_release() {
    check(|| {
        let data = Guarded::new();
        data.lock.acquire();
        let contender = {
            let data = Arc::clone(&data);
            thread::spawn(move || {
                if data.lock.acquire_timeout(Duration::from_secs(1)) {
                    let seen = data.get();
                    data.increment();
                    data.lock.release().unwrap();
                    Some(seen)
                } else {
                    None
                }
            })
        };
        data.increment();
        data.lock.release().unwrap();
        let outcome = contender.join().unwrap();
        assert!(matches!(outcome, None | Some(1)), "{outcome:?}");
        // The lock is free: a plain acquire must not hang.
        data.lock.acquire();
        assert_eq!(data.get(), if outcome.is_some() { 2 } else { 1 });
        data.lock.release().unwrap();
    });
}

/// A timed-out waiter leaves the word "contended": the next release must still hand the
/// lock to a blocked thread rather than lose its wake.
#[test]
fn timed_out_waiter_does_not_strand_a_blocked_one() {
    check(|| {
        let lock = Arc::new(Lock::new());
        lock.acquire();
        let timed = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                if lock.acquire_timeout(Duration::from_millis(1)) {
                    lock.release().unwrap();
                }
            })
        };
        let blocked = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                lock.acquire();
                lock.release().unwrap();
            })
        };
        lock.release().unwrap();
        timed.join().unwrap();
        blocked.join().unwrap();
    });
}

/// Lock is not owned: a release from another thread publishes that thread's writes to the
/// next acquirer.
#[test]
fn release_by_another_thread_hands_over_data() {
    check(|| {
        let data = Guarded::new();
        data.lock.acquire();
        let releaser = {
            let data = Arc::clone(&data);
            thread::spawn(move || {
                data.increment(); // still under the lock main acquired
                data.lock.release().unwrap();
            })
        };
        data.lock.acquire();
        assert_eq!(data.get(), 1);
        data.lock.release().unwrap();
        releaser.join().unwrap();
    });
}

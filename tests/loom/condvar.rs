//! Loom check of the lock_api `Condvar`'s core (`threading::RawCondvar`) over a `Lock`:
//! under loom lock_api's `Mutex` and `Condvar` cannot be built (their `INIT` constants need
//! `const` atomics), so the test pairs the raw condvar with a `Lock` and a cell, exactly
//! what `Condvar::wait(&mut MutexGuard)` passes down.

use crate::check;
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering::Relaxed};
use loom::thread;
use std::time::Duration;
use threading::{Lock, RawCondvar};

/// `Mutex<Option<u32>>` + `Condvar`, spelled out.
struct Slot {
    mutex: Lock,
    ready: RawCondvar,
    data: UnsafeCell<Option<u32>>,
}

// SAFETY: `data` is only accessed while holding `mutex` (loom checks that).
unsafe impl Sync for Slot {}

/// The publisher writes the data under the mutex, unlocks, then notifies (the notify needs
/// no mutex). The consumer waits while the slot is empty: it never misses the notify (a
/// miss is a loom deadlock), reads the published value (loom flags a read the mutex does
/// not order after the write), and `notify_one` says true exactly when it woke it.
#[test]
fn condvar_publishes_the_data_and_never_misses_the_notify() {
    check(|| {
        let slot = Arc::new(Slot {
            mutex: Lock::new(),
            ready: RawCondvar::new(),
            data: UnsafeCell::new(None),
        });
        let consumer = thread::spawn({
            let slot = Arc::clone(&slot);
            move || {
                slot.mutex.acquire();
                let mut waits = 0;
                // SAFETY (each access): under `slot.mutex`.
                while slot.data.with(|d| unsafe { *d }).is_none() {
                    slot.ready.wait(&slot.mutex);
                    waits += 1;
                }
                let value = slot.data.with(|d| unsafe { *d });
                slot.mutex.release().unwrap();
                assert_eq!(value, Some(42));
                waits
            }
        });
        slot.mutex.acquire();
        // SAFETY: under `slot.mutex`.
        slot.data.with_mut(|d| unsafe { *d = Some(42) });
        slot.mutex.release().unwrap();
        let woke = slot.ready.notify_one();
        let waits = consumer.join().unwrap();
        assert!(waits <= 1, "no spurious wakeups: one notify, at most one wait");
        assert_eq!(usize::from(woke), waits);
    });
}

/// Two mutexes and one condvar: parking_lot's situation of a waiter whose timeout fired
/// while another thread holds its mutex.
struct TwoMutexes {
    a: Lock,
    b: Lock,
    cv: RawCondvar,
    /// Set by the waiter while it holds `a`, before it waits.
    waiting: AtomicBool,
    /// Notifications announced under `a` (read by the untimed waiter under `a`).
    tokens: UnsafeCell<usize>,
}

// SAFETY: `tokens` is only accessed while holding `a` (loom checks that).
unsafe impl Sync for TwoMutexes {}

impl TwoMutexes {
    fn new() -> Arc<Self> {
        Arc::new(TwoMutexes {
            a: Lock::new(),
            b: Lock::new(),
            cv: RawCondvar::new(),
            waiting: AtomicBool::new(false),
            tokens: UnsafeCell::new(0),
        })
    }
}

/// A waiter with mutex A times out while the main thread holds A, so it cannot re-lock:
/// as in parking_lot, it has left the queue when its timeout fired (the main thread sees
/// the queue empty while still holding A; a waiter that stays queued until it re-locks
/// makes that a livelock, which loom reports), so the condvar no longer names A and the
/// main thread's wait with mutex B is admitted instead of refused as "more than one mutex".
/// Both waits report their timeout (nobody notifies).
#[test]
fn timed_out_waiter_leaves_the_queue_before_it_relocks() {
    check(|| {
        let shared = TwoMutexes::new();
        let waiter = thread::spawn({
            let shared = Arc::clone(&shared);
            move || {
                shared.a.acquire();
                // Relaxed: the main thread then takes `a`, which orders everything.
                shared.waiting.store(true, Relaxed);
                let timed_out = shared.cv.wait_for(&shared.a, Duration::from_secs(1));
                shared.a.release().unwrap();
                timed_out
            }
        });
        // Relaxed: `a` (released by the wait only after queuing) orders the rest.
        while !shared.waiting.load(Relaxed) {
            thread::yield_now();
        }
        shared.a.acquire(); // The waiter is queued, or gave up and waits for `a`.
        while shared.cv.waiters() != 0 {
            thread::yield_now(); // The model's timed waits always time out.
        }
        shared.b.acquire();
        let timed_out = shared.cv.wait_for(&shared.b, Duration::from_secs(1));
        shared.b.release().unwrap();
        shared.a.release().unwrap();
        assert!(timed_out, "nobody notified the main thread");
        assert!(waiter.join().unwrap(), "nobody notified the waiter");
    });
}

/// One timed and one untimed waiter on mutex A, two `notify_one`s each announced by a
/// token under A: whatever the timeout races (the timed-out waiter now leaves the queue
/// before it re-locks), the notifications counted by the notifies equal those consumed. A
/// notification spent on a waiter that reports a timeout would leave the untimed waiter
/// asleep forever (a loom deadlock) or break the count.
#[test]
fn notify_racing_a_timed_out_waiter_is_consumed_or_passed_on() {
    check(|| {
        let shared = TwoMutexes::new();
        let timed = thread::spawn({
            let shared = Arc::clone(&shared);
            move || {
                shared.a.acquire();
                let timed_out = shared.cv.wait_for(&shared.a, Duration::from_secs(1));
                shared.a.release().unwrap();
                usize::from(!timed_out)
            }
        });
        let untimed = thread::spawn({
            let shared = Arc::clone(&shared);
            move || {
                shared.a.acquire();
                let mut wakes = 0;
                // SAFETY (each access): under `a`.
                while shared.tokens.with(|t| unsafe { *t }) == 0 {
                    shared.cv.wait(&shared.a);
                    wakes += 1;
                }
                shared.a.release().unwrap();
                wakes
            }
        });
        let mut counted = 0;
        for _ in 0..2 {
            shared.a.acquire();
            // SAFETY: under `a`.
            shared.tokens.with_mut(|t| unsafe { *t += 1 });
            counted += usize::from(shared.cv.notify_one());
            shared.a.release().unwrap();
        }
        let consumed = timed.join().unwrap() + untimed.join().unwrap();
        assert_eq!(counted, consumed);
    });
}

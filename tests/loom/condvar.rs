//! Loom checks of the lock_api `Condvar`'s core (the bare `RawCondvar`, lent by the hidden
//! `threading::loom_shims`) over a `Lock`, paired with cells, exactly what
//! `Condvar::wait(&mut MutexGuard)` passes down (under loom the faces themselves run over
//! raw types built on first use, `src/faces/model.rs`, and `tests/downstream` and
//! `tests/loom/faces.rs` model them). They check the data a notify
//! publishes, and parking_lot's rule for the condvar's one mutex: forgotten exactly when the
//! queue empties, including when a timed-out waiter leaves it before it can re-lock.

use crate::check;
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering::Relaxed};
use loom::thread;
use std::time::Duration;
use threading::Lock;
use threading::loom_shims::{RawCondvar, RawCondvarShims};

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
                    slot.ready.loom_wait(&slot.mutex);
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
        let woke = slot.ready.loom_notify_one();
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
                let timed_out = shared.cv.loom_wait_for(&shared.a, Duration::from_secs(1));
                shared.a.release().unwrap();
                timed_out
            }
        });
        // Relaxed: `a` (released by the wait only after queuing) orders the rest.
        while !shared.waiting.load(Relaxed) {
            thread::yield_now();
        }
        shared.a.acquire(); // The waiter is queued, or gave up and waits for `a`.
        while shared.cv.loom_waiters() != 0 {
            thread::yield_now(); // The model's timed waits always time out.
        }
        shared.b.acquire();
        let timed_out = shared.cv.loom_wait_for(&shared.b, Duration::from_secs(1));
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
                let timed_out = shared.cv.loom_wait_for(&shared.a, Duration::from_secs(1));
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
                    shared.cv.loom_wait(&shared.a);
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
            counted += usize::from(shared.cv.loom_notify_one());
            shared.a.release().unwrap();
        }
        let consumed = timed.join().unwrap() + untimed.join().unwrap();
        assert_eq!(counted, consumed);
    });
}

/// The other half of parking_lot's rule: the condvar keeps its mutex while any waiter is
/// still queued, even after another waiter timed out and left. A timed and an untimed
/// waiter wait with mutex A; once the queue holds only the untimed one (the timed one left,
/// or was notified), a wait with mutex B is refused and changes nothing; then the untimed
/// waiter is notified and the condvar, empty again, admits B.
#[test]
fn the_mutex_is_kept_while_any_waiter_remains() {
    check(|| {
        let shared = TwoMutexes::new();
        let waiter = |timed: bool| {
            let shared = Arc::clone(&shared);
            move || {
                shared.a.acquire();
                if timed {
                    shared.cv.loom_wait_for(&shared.a, Duration::from_secs(1));
                } else {
                    // SAFETY (each access): under `a`.
                    while shared.tokens.with(|t| unsafe { *t }) == 0 {
                        shared.cv.loom_wait(&shared.a);
                    }
                }
                shared.a.release().unwrap();
            }
        };
        let timed = thread::spawn(waiter(true));
        let untimed = thread::spawn(waiter(false));
        timed.join().unwrap(); // It timed out (nobody notified yet) and left the queue.
        while shared.cv.loom_waiters() != 1 {
            thread::yield_now(); // Until the untimed waiter is queued.
        }
        shared.b.acquire();
        let refused = shared.cv.loom_try_wait_for(&shared.b, Duration::from_secs(1)).is_none();
        assert!(refused, "mutex A's waiter still waits: a wait with B must be refused");
        assert_eq!(shared.cv.loom_waiters(), 1, "the refused wait changed nothing");
        shared.a.acquire();
        // SAFETY: under `a`.
        shared.tokens.with_mut(|t| unsafe { *t = 1 });
        assert!(shared.cv.loom_notify_one(), "the untimed waiter was queued");
        shared.a.release().unwrap();
        untimed.join().unwrap();
        let admitted = shared.cv.loom_try_wait_for(&shared.b, Duration::from_secs(1));
        assert_eq!(admitted, Some(true), "empty again: B admitted, and its wait timed out");
        shared.b.release().unwrap();
    });
}

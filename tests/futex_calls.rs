//! "Uncontended paths make no system call": every primitive's uncontended operations are
//! checked against `threading::diagnostics::futex_calls_on_this_thread()`, the per-thread
//! count of futex waits and wakes kept by the crate's futex seam. Because the counter is per
//! thread, tests running in parallel cannot disturb each other.
//!
//! The last tests are the sanity checks that the counter does move when a thread really
//! sleeps or really has to wake a sleeper, so that "zero" above means something.
#![cfg(not(loom))]

use std::sync::Arc;
use std::thread;
use std::time::Duration;
use threading::diagnostics::futex_calls_on_this_thread;
use threading::{Barrier, BoundedSemaphore, Condition, Event, Lock, RLock, Semaphore};

const SHORT: Duration = Duration::from_millis(50);

/// Runs `f` and asserts that it made no futex system call on this thread.
#[track_caller]
fn assert_no_futex_call<R>(what: &str, f: impl FnOnce() -> R) -> R {
    let before = futex_calls_on_this_thread();
    let result = f();
    let calls = futex_calls_on_this_thread() - before;
    assert_eq!(calls, 0, "{what}: {calls} futex system call(s) on an uncontended path");
    result
}

#[test]
fn lock_uncontended() {
    let lock = Lock::new();
    assert_no_futex_call("Lock acquire + release", || {
        for _ in 0..1000 {
            lock.acquire();
            lock.release().unwrap();
        }
    });
    assert_no_futex_call("Lock try/timeout variants that succeed", || {
        assert!(lock.try_acquire());
        lock.release().unwrap();
        for timeout in [Duration::ZERO, SHORT, Duration::MAX] {
            assert!(lock.acquire_timeout(timeout));
            lock.release().unwrap();
        }
        drop(lock.lock());
        drop(lock.try_lock().unwrap());
        drop(lock.lock_timeout(SHORT).unwrap());
        drop(lock.lock_timeout(Duration::MAX).unwrap());
    });
    assert_no_futex_call("Lock try_lock / lock_timeout(ZERO) that fail", || {
        let _held = lock.lock();
        assert!(lock.try_lock().is_none());
        assert!(lock.lock_timeout(Duration::ZERO).is_none());
        assert!(lock.locked(), "a failed try_lock/lock_timeout released the holder's lock");
    });
    assert_no_futex_call("Lock attempts that fail without waiting", || {
        let _held = lock.lock();
        assert!(!lock.try_acquire());
        assert!(!lock.acquire_timeout(Duration::ZERO));
        assert!(lock.locked());
    });
    assert_no_futex_call("Lock release of an unlocked lock", || {
        assert!(lock.release().is_err());
    });
}

#[test]
fn fair_unlocks_and_once_uncontended() {
    let fair = threading::FairMutex::new(0);
    let mutex = threading::Mutex::new(0);
    assert_no_futex_call(
        "FairMutex lock + unlock, unlock_fair and bump with nobody waiting",
        || {
            for _ in 0..1000 {
                *fair.lock() += 1;
            }
            let mut guard = mutex.lock();
            threading::MutexGuard::bump(&mut guard);
            threading::MutexGuard::unlock_fair(guard);
        },
    );
    let once = threading::Once::new();
    assert_no_futex_call("Once run with nobody waiting, then calls and waits", || {
        once.call_once(|| {});
        once.call_once(|| {});
        once.call_once_force(|_| {});
        once.wait();
        once.wait_force();
    });
}

#[test]
fn rlock_uncontended() {
    let rlock = RLock::new();
    assert_no_futex_call("RLock acquire + release, re-entered", || {
        for _ in 0..1000 {
            rlock.acquire();
            rlock.acquire();
            rlock.release().unwrap();
            rlock.release().unwrap();
        }
    });
    assert_no_futex_call("RLock try/timeout variants that succeed", || {
        assert!(rlock.try_acquire());
        for timeout in [Duration::ZERO, SHORT, Duration::MAX] {
            assert!(rlock.acquire_timeout(timeout));
        }
        for _ in 0..4 {
            rlock.release().unwrap();
        }
        let outer = rlock.lock();
        drop(rlock.try_lock().unwrap());
        drop(rlock.lock_timeout(SHORT).unwrap());
        drop(outer);
        assert!(!rlock.is_owned());
        assert!(rlock.release().is_err());
    });
}

#[test]
fn event_uncontended() {
    let event = Event::new();
    assert_no_futex_call("Event wait_timeout(ZERO) on a cleared event", || {
        assert!(!event.wait_timeout(Duration::ZERO));
    });
    assert_no_futex_call("Event set with no waiter, is_set, wait on a set event", || {
        for _ in 0..1000 {
            event.set();
            event.set();
            assert!(event.is_set());
            event.wait();
            assert!(event.wait_timeout(SHORT));
            assert!(event.wait_timeout(Duration::ZERO));
            assert!(event.wait_timeout(Duration::MAX));
            event.clear();
            assert!(!event.is_set());
        }
    });
}

#[test]
fn semaphore_uncontended() {
    let sem = Semaphore::new(2);
    assert_no_futex_call("Semaphore acquire + release", || {
        for _ in 0..1000 {
            sem.acquire();
            sem.acquire();
            sem.release().unwrap();
            sem.release().unwrap();
        }
    });
    assert_no_futex_call("Semaphore try/timeout/permit/release_n", || {
        assert!(sem.try_acquire());
        assert!(sem.acquire_timeout(Duration::ZERO));
        assert!(!sem.try_acquire());
        assert!(!sem.acquire_timeout(Duration::ZERO));
        sem.release_n(2).unwrap();
        assert!(sem.acquire_timeout(SHORT));
        assert!(sem.acquire_timeout(Duration::MAX));
        sem.release_n(2).unwrap();
        drop(sem.permit());
        assert_eq!(sem.value(), 2);
    });
    assert_no_futex_call("Semaphore try_permit / permit_timeout(ZERO) that fail", || {
        let empty = Semaphore::new(0);
        // A failed attempt must not mint a permit (a guard built eagerly, as in
        // `ok.then_some(Guard { .. })`, would release one when dropped).
        assert!(empty.try_permit().is_none());
        assert!(empty.permit_timeout(Duration::ZERO).is_none());
        assert_eq!(empty.value(), 0, "a failed try_permit/permit_timeout released a permit");
    });
}

#[test]
fn bounded_semaphore_uncontended() {
    let sem = BoundedSemaphore::new(2);
    assert_no_futex_call("BoundedSemaphore acquire + release", || {
        for _ in 0..1000 {
            sem.acquire();
            sem.acquire();
            sem.release().unwrap();
            sem.release().unwrap();
        }
    });
    assert_no_futex_call("BoundedSemaphore try/timeout/permit/release_n", || {
        assert!(sem.try_acquire());
        assert!(sem.acquire_timeout(Duration::ZERO));
        assert!(!sem.try_acquire());
        assert!(!sem.acquire_timeout(Duration::ZERO));
        sem.release_n(2).unwrap();
        assert!(sem.release().is_err()); // too many releases: an error, not a syscall
        assert!(sem.acquire_timeout(SHORT));
        assert!(sem.acquire_timeout(Duration::MAX));
        sem.release_n(2).unwrap();
        drop(sem.permit());
        assert_eq!(sem.value(), 2);
        assert_eq!(sem.bound(), 2);
    });
    assert_no_futex_call("BoundedSemaphore try_permit / permit_timeout(ZERO) that fail", || {
        let _all = (sem.permit(), sem.permit());
        assert!(sem.try_permit().is_none());
        assert!(sem.permit_timeout(Duration::ZERO).is_none());
        assert_eq!(sem.value(), 0, "a failed try_permit/permit_timeout released a permit");
    });
}

#[test]
fn condition_uncontended() {
    let cond = Condition::new();
    assert_no_futex_call("Condition lock + notify with no waiter", || {
        for _ in 0..1000 {
            let guard = cond.lock();
            assert_eq!(guard.notify(1), 0);
            assert_eq!(guard.notify_all(), 0);
        }
    });
    assert_no_futex_call("Condition try_lock / lock_timeout", || {
        drop(cond.try_lock().unwrap());
        drop(cond.lock_timeout(SHORT).unwrap());
        drop(cond.lock_timeout(Duration::MAX).unwrap());
    });
    assert_no_futex_call("Condition try_lock / lock_timeout(ZERO) that fail", || {
        let held = cond.lock();
        // A failed attempt must leave the holder's lock alone (a guard built eagerly, as in
        // `ok.then_some(Guard { .. })`, would release it when dropped).
        assert!(cond.try_lock().is_none(), "try_lock succeeded on a held condition");
        assert!(cond.try_lock().is_none(), "a failed try_lock released the holder's lock");
        assert!(
            cond.lock_timeout(Duration::ZERO).is_none(),
            "lock_timeout(ZERO) on a held condition"
        );
        assert!(cond.try_lock().is_none(), "a failed lock_timeout released the holder's lock");
        drop(held);
    });
    assert_no_futex_call("Condition wait_for with a predicate that already holds", || {
        let mut guard = cond.lock();
        guard.wait_for(|| true);
        assert!(guard.wait_for_timeout(|| true, SHORT));
    });
}

#[test]
fn barrier_of_one_party() {
    let barrier = Barrier::new(1);
    assert_no_futex_call("Barrier(1).wait", || {
        for _ in 0..1000 {
            assert_eq!(barrier.wait(), Ok(0));
        }
        assert_eq!(barrier.wait_timeout(SHORT), Ok(0));
        assert_eq!(barrier.n_waiting(), 0);
        assert!(!barrier.broken());
    });
}

// ---- The counter does move when a thread has to sleep or wake a sleeper. ----

/// Long enough that a wait cannot use it all up spinning and yielding (on a loaded machine
/// or under Miri a yield can take milliseconds), so that it must reach the futex sleep.
const SLEEP_WORTHY: Duration = Duration::from_millis(100);

#[test]
fn timed_out_waits_do_sleep() {
    let before = futex_calls_on_this_thread();
    let lock = Lock::new();
    lock.acquire();
    assert!(!lock.acquire_timeout(SLEEP_WORTHY));
    assert!(futex_calls_on_this_thread() > before, "a timed-out Lock acquire must sleep");

    let before = futex_calls_on_this_thread();
    assert!(!Event::new().wait_timeout(SLEEP_WORTHY));
    assert!(futex_calls_on_this_thread() > before, "a timed-out Event wait must sleep");
}

#[test]
fn condition_timed_out_wait_does_sleep() {
    let cond = Condition::new();
    let mut guard = cond.lock();
    let before = futex_calls_on_this_thread();
    assert!(!guard.wait_timeout(SLEEP_WORTHY));
    assert!(futex_calls_on_this_thread() > before, "a timed-out Condition wait must sleep");
}

#[test]
fn semaphore_timed_out_acquire_does_sleep() {
    let sem = Semaphore::new(0);
    let before = futex_calls_on_this_thread();
    assert!(!sem.acquire_timeout(SLEEP_WORTHY));
    assert!(futex_calls_on_this_thread() > before, "a timed-out Semaphore acquire must sleep");
}

/// Releasing a lock that another thread sleeps on has to wake it: a system call on the
/// releasing thread. The sleeper announces itself with an Event just before it blocks;
/// the releaser then gives it time to fall asleep (retrying with longer pauses on a busy
/// machine, where the sleeper may still be spinning when we release).
#[test]
fn releasing_a_lock_with_a_sleeper_wakes_it() {
    for pause_ms in [20, 100, 500, 2000] {
        let lock = Arc::new(Lock::new());
        let about_to_block = Arc::new(Event::new());
        lock.acquire();
        let sleeper = thread::spawn({
            let (lock, about_to_block) = (Arc::clone(&lock), Arc::clone(&about_to_block));
            move || {
                about_to_block.set();
                lock.acquire();
                lock.release().unwrap();
            }
        });
        about_to_block.wait();
        thread::sleep(Duration::from_millis(pause_ms));
        let before = futex_calls_on_this_thread();
        lock.release().unwrap();
        let woke = futex_calls_on_this_thread() > before;
        sleeper.join().unwrap();
        if woke {
            // And once the contention is over, the uncontended path is free again (at most
            // one leftover wake from the CONTENDED mark, which the sleeper's release paid).
            assert_no_futex_call("Lock acquire + release after contention", || {
                lock.acquire();
                lock.release().unwrap();
            });
            return;
        }
    }
    panic!("a release never had to wake the sleeping thread");
}

//! Behaviour of `Lock` (Python's `threading.Lock`), a proptest model, and a stress test.
#![cfg(not(loom))]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};
use threading::{Event, Lock, ReleaseError};

mod support;

#[test]
fn new_lock_is_unlocked_and_default_matches() {
    assert!(!Lock::new().locked());
    assert!(!Lock::default().locked());
    static STATIC_LOCK: Lock = Lock::new();
    assert!(!STATIC_LOCK.locked());
}

#[test]
fn acquire_then_release() {
    let lock = Lock::new();
    lock.acquire();
    assert!(lock.locked());
    assert_eq!(lock.release(), Ok(()));
    assert!(!lock.locked());
}

#[test]
fn releasing_an_unlocked_lock_is_an_error_and_changes_nothing() {
    let lock = Lock::new();
    assert_eq!(lock.release(), Err(ReleaseError::Unlocked));
    assert_eq!(ReleaseError::Unlocked.to_string(), "release unlocked lock");
    assert!(!lock.locked());
    // Still usable afterwards.
    assert!(lock.try_acquire());
    assert_eq!(lock.release(), Ok(()));
    assert_eq!(lock.release(), Err(ReleaseError::Unlocked));
}

#[test]
fn try_acquire_fails_while_held() {
    let lock = Lock::new();
    assert!(lock.try_acquire());
    assert!(!lock.try_acquire());
    assert!(lock.try_lock().is_none());
    lock.release().unwrap();
    assert!(lock.try_lock().is_some());
    assert!(!lock.locked(), "the try_lock guard was dropped at once");
}

#[test]
fn another_thread_may_release_the_lock() {
    let lock = Arc::new(Lock::new());
    lock.acquire();
    let releaser = Arc::clone(&lock);
    thread::spawn(move || releaser.release()).join().unwrap().unwrap();
    assert!(!lock.locked());
}

#[test]
fn a_release_by_another_thread_hands_over_a_baton() {
    // The classic use of an unowned lock: thread B waits until thread A says "go".
    let baton = Arc::new(Lock::new());
    baton.acquire();
    let waiter = {
        let baton = Arc::clone(&baton);
        thread::spawn(move || {
            baton.acquire(); // blocks until main releases
            baton.release().unwrap();
        })
    };
    baton.release().unwrap();
    waiter.join().unwrap();
    assert!(!baton.locked());
}

#[test]
fn zero_timeout_tries_once_without_sleeping() {
    let lock = Lock::new();
    assert!(lock.acquire_timeout(Duration::ZERO));
    let start = Instant::now();
    assert!(!lock.acquire_timeout(Duration::ZERO));
    assert!(lock.lock_timeout(Duration::ZERO).is_none());
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[test]
fn timeout_expires_while_held() {
    let lock = Lock::new();
    lock.acquire();
    let start = Instant::now();
    assert!(!lock.acquire_timeout(Duration::from_millis(50)));
    let waited = start.elapsed();
    assert!(waited >= Duration::from_millis(50), "gave up early: {waited:?}");
    assert!(waited < Duration::from_secs(10), "took far too long: {waited:?}");
    assert!(lock.locked(), "a failed acquire leaves the holder's lock alone");
    lock.release().unwrap();
    assert!(!lock.locked());
}

#[test]
fn timeout_succeeds_when_released_in_time() {
    let lock = Arc::new(Lock::new());
    let waiting = Arc::new(Event::new());
    lock.acquire();
    let contender = {
        let (lock, waiting) = (Arc::clone(&lock), Arc::clone(&waiting));
        thread::spawn(move || {
            waiting.set();
            let got = lock.acquire_timeout(Duration::from_secs(60));
            if got {
                lock.release().unwrap();
            }
            got
        })
    };
    waiting.wait();
    lock.release().unwrap();
    assert!(contender.join().unwrap());
}

#[test]
fn huge_timeout_waits_without_overflow() {
    let lock = Arc::new(Lock::new());
    lock.acquire();
    let contender = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || {
            let guard = lock.lock_timeout(Duration::MAX).expect("MAX means forever");
            drop(guard);
            lock.acquire_timeout(Duration::from_secs(u64::MAX / 2))
        })
    };
    thread::sleep(Duration::from_millis(20)); // let it block (timing only, not ordering)
    lock.release().unwrap();
    assert!(contender.join().unwrap());
}

#[test]
fn guard_releases_on_drop_and_on_panic() {
    let lock = Arc::new(Lock::new());
    {
        let _guard = lock.lock();
        assert!(lock.locked());
    }
    assert!(!lock.locked());

    let panicking = Arc::clone(&lock);
    let result = thread::spawn(move || {
        let _guard = panicking.lock();
        panic!("boom while holding the lock");
    })
    .join();
    assert!(result.is_err());
    assert!(!lock.locked(), "unwinding released the lock");
}

#[test]
fn debug_shows_the_state() {
    let lock = Lock::new();
    assert_eq!(format!("{lock:?}"), "Lock { locked: false }");
    let guard = lock.lock();
    assert_eq!(format!("{lock:?}"), "Lock { locked: true }");
    assert!(format!("{guard:?}").contains("locked: true"));
}

#[test]
fn lock_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Lock>();
}

#[test]
fn mutual_exclusion_with_blocking_contenders() {
    const THREADS: usize = 4;
    const ROUNDS: u64 = if cfg!(miri) { 50 } else { 20_000 };
    let lock = Arc::new(Lock::new());
    let inside = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (lock, inside, count) = (lock.clone(), inside.clone(), count.clone());
            thread::spawn(move || {
                for _ in 0..ROUNDS {
                    let _g = lock.lock();
                    assert!(!inside.swap(true, Ordering::Relaxed), "two holders at once");
                    count.store(count.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
                    inside.store(false, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(count.load(Ordering::Relaxed), THREADS as u64 * ROUNDS);
}

mod model {
    //! Random single-threaded operation sequences against a model: a bool.
    use proptest::prelude::*;
    use std::time::Duration;
    use threading::{Lock, ReleaseError};

    #[derive(Debug, Clone)]
    enum Op {
        TryAcquire,
        AcquireTimeout(u8),
        Release,
        Locked,
        GuardScope,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            Just(Op::TryAcquire),
            (0u8..2).prop_map(Op::AcquireTimeout),
            Just(Op::Release),
            Just(Op::Locked),
            Just(Op::GuardScope),
        ]
    }

    proptest! {
        #![proptest_config(crate::support::proptest_config(ProptestConfig::default()))]
        #[test]
        fn behaves_like_a_boolean(ops in proptest::collection::vec(op(), 1..64)) {
            let lock = Lock::new();
            let mut held = false;
            for op in ops {
                match op {
                    Op::TryAcquire => {
                        prop_assert_eq!(lock.try_acquire(), !held);
                        held = true;
                    }
                    Op::AcquireTimeout(ms) => {
                        let got = lock.acquire_timeout(Duration::from_millis(ms.into()));
                        prop_assert_eq!(got, !held);
                        held = true;
                    }
                    Op::Release => {
                        let expected = if held { Ok(()) } else { Err(ReleaseError::Unlocked) };
                        prop_assert_eq!(lock.release(), expected);
                        held = false;
                    }
                    Op::Locked => prop_assert_eq!(lock.locked(), held),
                    Op::GuardScope => {
                        if !held {
                            let guard = lock.lock();
                            prop_assert!(lock.locked());
                            drop(guard);
                        }
                    }
                }
                prop_assert_eq!(lock.locked(), held);
            }
        }
    }
}

mod stress {
    //! Millions of contended lock/unlock pairs with a plain (non-atomic) counter.
    use std::cell::UnsafeCell;
    use std::sync::Arc;
    use std::thread;
    use threading::Lock;

    struct Counter {
        lock: Lock,
        value: UnsafeCell<u64>,
    }
    // SAFETY: `value` is only touched while `lock` is held.
    unsafe impl Sync for Counter {}

    #[test]
    fn four_threads_two_million_increments_exact_count() {
        const THREADS: u64 = 4;
        const PER_THREAD: u64 = if cfg!(miri) { 200 } else { 500_000 };
        let counter = Arc::new(Counter { lock: Lock::new(), value: UnsafeCell::new(0) });
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let counter = Arc::clone(&counter);
                thread::spawn(move || {
                    for _ in 0..PER_THREAD {
                        let _guard = counter.lock.lock();
                        // SAFETY: we hold the lock.
                        unsafe { *counter.value.get() += 1 };
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        let _guard = counter.lock.lock();
        // SAFETY: we hold the lock and every other thread has finished.
        assert_eq!(unsafe { *counter.value.get() }, THREADS * PER_THREAD);
    }

    #[test]
    fn timed_and_untimed_contenders_mixed_exact_count() {
        const THREADS: u64 = 4;
        const PER_THREAD: u64 = if cfg!(miri) { 200 } else { 100_000 };
        let counter = Arc::new(Counter { lock: Lock::new(), value: UnsafeCell::new(0) });
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let counter = Arc::clone(&counter);
                thread::spawn(move || {
                    let mut done = 0;
                    while done < PER_THREAD {
                        let got = match t % 2 {
                            0 => {
                                counter.lock.acquire();
                                true
                            }
                            _ => counter.lock.acquire_timeout(std::time::Duration::from_micros(50)),
                        };
                        if got {
                            // SAFETY: we hold the lock.
                            unsafe { *counter.value.get() += 1 };
                            counter.lock.release().unwrap();
                            done += 1;
                        }
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        assert!(!counter.lock.locked());
        // SAFETY: every other thread has finished.
        assert_eq!(unsafe { *counter.value.get() }, THREADS * PER_THREAD);
    }
}

//! Behaviour of `RLock` (Python's `threading.RLock`), a proptest model, and a stress test.
#![cfg(not(loom))]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};
use threading::{Event, RLock, ReleaseError};

mod support;

#[test]
fn reentry_counts_and_the_last_release_frees_it() {
    let rlock = Arc::new(RLock::new());
    rlock.acquire();
    rlock.acquire();
    assert!(rlock.try_acquire());
    assert!(rlock.acquire_timeout(Duration::ZERO));
    assert!(rlock.is_owned());

    let other = Arc::clone(&rlock);
    let blocked = move || other.try_acquire();
    for _ in 0..3 {
        rlock.release().unwrap();
        assert!(rlock.is_owned(), "still held after a partial release");
        assert!(!thread::spawn(blocked.clone()).join().unwrap(), "others still locked out");
    }
    rlock.release().unwrap();
    assert!(!rlock.is_owned());
    assert_eq!(rlock.release(), Err(ReleaseError::NotOwner), "one release too many");
    // Free now: another thread can take it (and release it).
    let other = Arc::clone(&rlock);
    assert!(thread::spawn(move || other.try_acquire() && other.release().is_ok()).join().unwrap());
}

#[test]
fn a_non_owner_cannot_release() {
    let rlock = Arc::new(RLock::new());
    assert_eq!(rlock.release(), Err(ReleaseError::NotOwner), "free lock");
    assert_eq!(ReleaseError::NotOwner.to_string(), "cannot release un-acquired lock");
    rlock.acquire();
    let other = Arc::clone(&rlock);
    let result = thread::spawn(move || (other.release(), other.is_owned())).join().unwrap();
    assert_eq!(result, (Err(ReleaseError::NotOwner), false));
    assert!(rlock.is_owned(), "the refused release changed nothing");
    rlock.release().unwrap();
}

#[test]
fn other_threads_wait_until_fully_released() {
    let rlock = Arc::new(RLock::new());
    let outer = rlock.lock();
    let inner = rlock.lock();
    let waiting = Arc::new(Event::new());
    let contender = {
        let (rlock, waiting) = (Arc::clone(&rlock), Arc::clone(&waiting));
        thread::spawn(move || {
            waiting.set();
            let _g = rlock.lock();
            rlock.is_owned()
        })
    };
    waiting.wait();
    drop(inner);
    assert!(rlock.is_owned());
    drop(outer);
    assert!(contender.join().unwrap());
    assert!(!rlock.is_owned());
}

#[test]
fn timeouts() {
    let rlock = Arc::new(RLock::new());
    rlock.acquire();
    let other = Arc::clone(&rlock);
    let (zero, timed, waited) = thread::spawn(move || {
        let zero = other.acquire_timeout(Duration::ZERO);
        let start = Instant::now();
        let timed = other.lock_timeout(Duration::from_millis(50)).is_some();
        (zero, timed, start.elapsed())
    })
    .join()
    .unwrap();
    assert!(!zero && !timed);
    assert!(waited >= Duration::from_millis(50) && waited < Duration::from_secs(10));

    let waiting = Arc::new(Event::new());
    let contender = {
        let (rlock, waiting) = (Arc::clone(&rlock), Arc::clone(&waiting));
        thread::spawn(move || {
            waiting.set();
            rlock.lock_timeout(Duration::MAX).is_some()
        })
    };
    waiting.wait();
    rlock.release().unwrap();
    assert!(contender.join().unwrap());
}

#[test]
fn guards_release_on_drop_and_on_panic() {
    let rlock = Arc::new(RLock::new());
    let panicking = Arc::clone(&rlock);
    let result = thread::spawn(move || {
        let _outer = panicking.lock();
        let _inner = panicking.try_lock().unwrap();
        panic!("boom while holding the lock twice");
    })
    .join();
    assert!(result.is_err());
    assert!(rlock.try_acquire(), "both acquisitions were released by unwinding");
    rlock.release().unwrap();
}

#[test]
fn const_static_default_debug_send_sync() {
    static STATIC_RLOCK: RLock = RLock::new();
    let _g = STATIC_RLOCK.lock();
    assert!(format!("{STATIC_RLOCK:?}").contains("owned_by_caller: true"));
    assert!(!RLock::default().is_owned());
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<RLock>();
}

mod model {
    //! Random sequences from one thread against a model: the re-entry depth.
    use proptest::prelude::*;
    use threading::{RLock, ReleaseError};

    proptest! {
        #![proptest_config(crate::support::proptest_config(ProptestConfig::default()))]
        #[test]
        fn depth_model(ops in proptest::collection::vec(0u8..4, 1..80)) {
            let rlock = RLock::new();
            let mut depth = 0u32;
            for op in ops {
                match op {
                    0 => { rlock.acquire(); depth += 1; }
                    1 => { prop_assert!(rlock.try_acquire()); depth += 1; }
                    2 => {
                        let expected = if depth > 0 { Ok(()) } else { Err(ReleaseError::NotOwner) };
                        prop_assert_eq!(rlock.release(), expected);
                        depth = depth.saturating_sub(1);
                    }
                    _ => { drop(rlock.lock()); }
                }
                prop_assert_eq!(rlock.is_owned(), depth > 0);
            }
        }
    }
}

#[test]
fn stress_reentrant_increments_exact_count() {
    const THREADS: u64 = 4;
    const PER_THREAD: u64 = if cfg!(miri) { 200 } else { 200_000 };
    let rlock = Arc::new(RLock::new());
    let count = Arc::new(AtomicU64::new(0));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (rlock, count) = (Arc::clone(&rlock), Arc::clone(&count));
            thread::spawn(move || {
                for _ in 0..PER_THREAD {
                    let _outer = rlock.lock();
                    let _inner = rlock.lock();
                    // A racy read-modify-write: exact only under mutual exclusion.
                    count.store(count.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(count.load(Ordering::Relaxed), THREADS * PER_THREAD);
}

//! Code written for parking_lot 0.13, compiled against this crate with
//! `use threading as parking_lot;`: `Mutex`, `ReentrantMutex`, `Condvar` (and, at the end,
//! `FairMutex`, the fair unlocks and `Once`) must compile
//! and behave the same (const statics, timed locks, mapped guards, no spurious wakeups,
//! exact notify counts, the two-mutex panic, panics in user closures). The same tests
//! with the `use threading as parking_lot;` line removed also pass against parking_lot
//! 0.13 itself, except `sizes_match_the_raw_lock` (its `Mutex<()>` is 1 byte) and the last
//! test (parking_lot's `RawCondvar` has no `new`).

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};
use threading as parking_lot;

use parking_lot::{
    Condvar, MappedMutexGuard, Mutex, MutexGuard, ReentrantMutex, ReentrantMutexGuard,
    WaitTimeoutResult,
};

static COUNTER: Mutex<u64> = Mutex::new(0);
static READY: Condvar = Condvar::new();

#[test]
fn const_mutex_in_a_static_counts_exactly() {
    thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..10_000 {
                    *COUNTER.lock() += 1;
                }
            });
        }
    });
    assert_eq!(*COUNTER.lock(), 40_000);
    assert_eq!(READY.notify_all(), 0);
}

#[test]
fn sizes_match_the_raw_lock() {
    assert_eq!(size_of::<Mutex<()>>(), 4);
    assert_eq!(size_of::<Mutex<u32>>(), 8);
}

#[test]
fn try_lock_for_times_out_while_held_and_succeeds_when_free() {
    let m = Mutex::new(1);
    let guard = m.lock();
    assert!(m.is_locked());
    thread::scope(|s| {
        s.spawn(|| {
            assert!(m.try_lock().is_none());
            let start = Instant::now();
            assert!(m.try_lock_for(Duration::from_millis(30)).is_none());
            assert!(start.elapsed() >= Duration::from_millis(30));
            assert!(m.try_lock_until(Instant::now() + Duration::from_millis(5)).is_none());
        });
    });
    drop(guard);
    assert_eq!(*m.try_lock_for(Duration::from_millis(30)).unwrap(), 1);
}

#[test]
fn guards_map_and_the_data_moves_out() {
    let mut m = Mutex::new((String::from("a"), 2));
    {
        let guard: MutexGuard<'_, (String, i32)> = m.lock();
        let mut name: MappedMutexGuard<'_, String> = MutexGuard::map(guard, |pair| &mut pair.0);
        name.push('b');
        assert!(m.is_locked());
    }
    assert!(!m.is_locked());
    m.get_mut().1 += 1;
    assert_eq!(m.into_inner(), (String::from("ab"), 3));
}

#[test]
fn a_panic_under_the_lock_releases_it() {
    let m = Mutex::new(0);
    let result = catch_unwind(AssertUnwindSafe(|| {
        let _guard = m.lock();
        panic!("in the critical section");
    }));
    assert!(result.is_err());
    assert!(m.try_lock().is_some(), "no poisoning, and the guard unlocked while unwinding");
}

#[test]
fn condvar_wait_returns_only_after_the_notify() {
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let other = Arc::clone(&pair);
    let mut ready = pair.0.lock();
    let notifier = thread::spawn(move || {
        let mut ready = other.0.lock(); // only possible once wait() released the mutex
        *ready = true;
        other.1.notify_one()
    });
    pair.1.wait(&mut ready); // once: no spurious wakeups
    assert!(*ready);
    drop(ready);
    assert!(notifier.join().unwrap(), "notify_one woke the waiter");
}

#[test]
fn wait_while_checks_first_and_loops() {
    let pair = Arc::new((Mutex::new(0u32), Condvar::new()));
    let mut guard = pair.0.lock();
    pair.1.wait_while(&mut guard, |n| *n > 0); // false at once: no wait
    let other = Arc::clone(&pair);
    let bumper = thread::spawn(move || {
        for _ in 0..3 {
            let mut n = other.0.lock();
            *n += 1;
            other.1.notify_all();
        }
    });
    pair.1.wait_while(&mut guard, |n| *n < 3);
    assert_eq!(*guard, 3);
    drop(guard);
    bumper.join().unwrap();
}

#[test]
fn wait_for_times_out_and_reports_it() {
    let m = Mutex::new(());
    let cv = Condvar::new();
    let mut guard = m.lock();
    let start = Instant::now();
    let result: WaitTimeoutResult = cv.wait_for(&mut guard, Duration::from_millis(30));
    assert!(result.timed_out());
    assert!(start.elapsed() >= Duration::from_millis(30));
    let until = cv.wait_until(&mut guard, Instant::now() + Duration::from_millis(5));
    assert!(until.timed_out());
    let never = cv.wait_while_for(&mut guard, |_| true, Duration::from_millis(5));
    assert!(never.timed_out());
    let at_once = cv.wait_while_for(&mut guard, |_| false, Duration::from_millis(5));
    assert!(!at_once.timed_out());
}

#[test]
fn wait_for_reports_a_notify_as_not_timed_out() {
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let other = Arc::clone(&pair);
    let mut done = pair.0.lock();
    let notifier = thread::spawn(move || {
        *other.0.lock() = true;
        other.1.notify_one()
    });
    let result = pair.1.wait_for(&mut done, Duration::from_secs(60));
    assert!(!result.timed_out());
    assert!(*done);
    drop(done);
    assert!(notifier.join().unwrap());
}

/// Spawns `n` threads that each wait once on `cv` and then report; returns once all wait.
fn waiting_threads(pair: &Arc<(Mutex<usize>, Condvar)>, n: usize) -> mpsc::Receiver<()> {
    let (tx, rx) = mpsc::channel();
    for _ in 0..n {
        let (pair, tx) = (Arc::clone(pair), tx.clone());
        thread::spawn(move || {
            let mut waiting = pair.0.lock();
            *waiting += 1;
            pair.1.wait(&mut waiting);
            *waiting -= 1;
            drop(waiting);
            tx.send(()).unwrap();
        });
    }
    // Every thread counted itself under the mutex and then waited before releasing it.
    while *pair.0.lock() < n {
        thread::yield_now();
    }
    rx
}

#[test]
fn notify_one_and_notify_all_return_exact_counts() {
    let pair = Arc::new((Mutex::new(0usize), Condvar::new()));
    assert!(!pair.1.notify_one(), "nobody waits");
    assert_eq!(pair.1.notify_all(), 0);
    let woken = waiting_threads(&pair, 3);
    assert!(pair.1.notify_one());
    woken.recv().unwrap();
    assert_eq!(pair.1.notify_all(), 2);
    woken.recv().unwrap();
    woken.recv().unwrap();
    assert!(woken.recv_timeout(Duration::from_millis(20)).is_err());
    assert_eq!(pair.1.notify_all(), 0);
}

#[test]
fn a_second_mutex_panics_like_parking_lot_and_leaves_both_usable() {
    let pair = Arc::new((Mutex::new(0usize), Condvar::new()));
    let woken = waiting_threads(&pair, 1);
    let other = Mutex::new(());
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut guard = other.lock();
        pair.1.wait_for(&mut guard, Duration::from_secs(60));
    }));
    let message = result.unwrap_err();
    let text = message.downcast_ref::<&str>().copied().map(String::from);
    let text = text.or_else(|| message.downcast_ref::<String>().cloned()).unwrap();
    assert!(text.contains("more than one mutex"), "{text}");
    assert!(!other.is_locked(), "the guard was dropped while unwinding");
    assert_eq!(pair.1.notify_all(), 1, "the first mutex's waiter is still queued");
    woken.recv().unwrap();
}

#[test]
fn a_panicking_wait_while_condition_releases_the_mutex() {
    let pair = Arc::new((Mutex::new(0), Condvar::new()));
    let other = Arc::clone(&pair);
    let result = thread::spawn(move || {
        let mut guard = other.0.lock();
        other.1.wait_while(&mut guard, |_| panic!("condition failed"));
    })
    .join();
    assert!(result.is_err());
    let mut guard = pair.0.try_lock().expect("released by the unwinding guard");
    *guard += 1;
    assert!(!pair.1.notify_one());
    assert!(pair.1.wait_for(&mut guard, Duration::from_millis(1)).timed_out(), "still usable");
}

#[test]
fn reentrant_mutex_nests_and_excludes_other_threads() {
    let m = Arc::new(ReentrantMutex::new(Cell::new(0)));
    let outer: ReentrantMutexGuard<'_, Cell<i32>> = m.lock();
    {
        let inner = m.lock();
        inner.set(1);
        let third = m.try_lock().expect("the holder re-enters");
        third.set(third.get() + 1);
    }
    assert!(m.is_owned_by_current_thread());
    let other = Arc::clone(&m);
    thread::spawn(move || {
        assert!(!other.is_owned_by_current_thread());
        assert!(other.try_lock().is_none());
        assert!(other.try_lock_for(Duration::from_millis(10)).is_none());
    })
    .join()
    .unwrap();
    assert_eq!(outer.get(), 2);
    drop(outer);
    let other = Arc::clone(&m);
    thread::spawn(move || assert_eq!(other.lock().get(), 2)).join().unwrap();
}

#[test]
fn raw_types_are_exported_like_parking_lot() {
    use parking_lot::lock_api::RawMutex as _;
    let raw = <parking_lot::RawMutex as parking_lot::lock_api::RawMutex>::INIT;
    assert!(!raw.is_locked());
    let _: parking_lot::RawCondvar = parking_lot::RawCondvar::new();
}

// parking_lot's FairMutex, fair unlocks and Once, written as a parking_lot user would.

#[test]
fn fair_unlocks_and_fair_mutex_as_parking_lot() {
    use parking_lot::{FairMutex, FairMutexGuard, MappedFairMutexGuard};
    static FAIR: FairMutex<Vec<u8>> = FairMutex::new(Vec::new());
    thread::scope(|s| {
        for byte in 0..4 {
            s.spawn(move || {
                for _ in 0..100 {
                    FAIR.lock().push(byte);
                }
            });
        }
    });
    let guard: FairMutexGuard<'_, Vec<u8>> = FAIR.lock();
    assert_eq!(guard.len(), 400);
    let mut first: MappedFairMutexGuard<'_, u8> = FairMutexGuard::map(guard, |v| &mut v[0]);
    *first = 9;
    drop(first);
    assert_eq!(FAIR.lock()[0], 9);

    let mutex = Mutex::new(0);
    let mut guard = mutex.lock();
    MutexGuard::bump(&mut guard);
    *guard += 1;
    MutexGuard::unlocked_fair(&mut guard, || assert!(mutex.try_lock().is_some()));
    MutexGuard::unlock_fair(guard);
    let remutex = ReentrantMutex::new(());
    let mut guard = remutex.lock();
    ReentrantMutexGuard::bump(&mut guard);
    ReentrantMutexGuard::unlock_fair(guard);
    assert_eq!(*mutex.lock(), 1);
}

#[test]
fn once_as_parking_lot() {
    use parking_lot::{Once, OnceState};
    static INIT: Once = Once::new();
    static DONE: Once = Once::new_completed();
    let runs = std::sync::atomic::AtomicUsize::new(0);
    thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                INIT.call_once(|| {
                    runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                });
                INIT.wait();
            });
        }
    });
    assert_eq!(runs.into_inner(), 1);
    assert_eq!(INIT.state(), OnceState::Done);
    assert!(DONE.is_completed() && DONE.state().done());

    let once = Once::new();
    assert!(catch_unwind(AssertUnwindSafe(|| once.call_once(|| panic!("first")))).is_err());
    assert!(once.state().poisoned());
    assert!(catch_unwind(AssertUnwindSafe(|| once.call_once(|| {}))).is_err());
    assert!(catch_unwind(AssertUnwindSafe(|| once.wait())).is_err());
    once.call_once_force(|state| assert_eq!(state, OnceState::Poisoned));
    once.wait_force();
    assert_eq!(format!("{once:?}"), "Once { state: Done }");
}

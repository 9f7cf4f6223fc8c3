//! Fair unlocking: `MutexGuard::unlock_fair` / `bump` (lock_api's `RawMutexFair` on `Lock`),
//! the same on `ReentrantMutexGuard`, and `FairMutex`, whose every unlock is fair.
//!
//! Where a test needs a waiter really waiting, it waits until the lock counts it in its
//! sleep phase (`diagnostics::lock_sleepers`), never for a fixed time. The last tests port
//! the behaviour of parking_lot 0.13's own FairMutex tests.
#![cfg(not(loom))]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};
use threading::diagnostics::{futex_calls_on_this_thread, lock_sleepers};
use threading::{
    FairMutex, FairMutexGuard, Lock, MappedFairMutexGuard, Mutex, MutexGuard, RawFairMutex,
    ReentrantMutex, ReentrantMutexGuard,
};

/// Yields until `lock` counts at least `n` threads in its sleep phase (or `done` says
/// they will not come); a minute without it is a failure, not a hang.
fn until_sleepers(lock: &Lock, n: u32, done: impl Fn() -> bool) {
    let give_up = Instant::now() + Duration::from_secs(60);
    while lock_sleepers(lock) < n && !done() {
        assert!(Instant::now() < give_up, "no thread went to sleep on the lock");
        thread::yield_now();
    }
}

fn raw_of<T>(mutex: &Mutex<T>) -> &Lock {
    // SAFETY: only read, to count sleepers; the lock is never locked or unlocked through it.
    unsafe { mutex.raw() }
}

fn raw_of_fair<T>(mutex: &FairMutex<T>) -> &Lock {
    // SAFETY: as in raw_of.
    let raw: &RawFairMutex = unsafe { mutex.raw() };
    raw.as_ref()
}

#[test]
fn unlock_fair_hands_the_lock_to_the_sleeping_waiter() {
    let mutex = Arc::new(Mutex::new(Vec::new()));
    let (took, took_rx) = mpsc::channel();
    let (go, go_rx) = mpsc::channel::<()>();
    let mut guard = mutex.lock();
    let waiter = {
        let mutex = Arc::clone(&mutex);
        thread::spawn(move || {
            let mut data = mutex.lock();
            data.push("waiter");
            took.send(()).unwrap();
            go_rx.recv().unwrap(); // hold it until the main thread has looked
        })
    };
    until_sleepers(raw_of(&mutex), 1, || false);
    guard.push("holder");
    MutexGuard::unlock_fair(guard);
    // Handed over, not freed: the releasing thread cannot take it straight back.
    assert!(mutex.try_lock().is_none(), "unlock_fair left the lock to whoever came first");
    took_rx.recv().unwrap();
    assert!(mutex.try_lock().is_none());
    go.send(()).unwrap();
    waiter.join().unwrap();
    assert_eq!(*mutex.lock(), ["holder", "waiter"]);
}

#[test]
fn unlock_fair_with_nobody_waiting_is_a_plain_unlock() {
    let mutex = Mutex::new(0);
    let before = futex_calls_on_this_thread();
    let guard = mutex.lock();
    MutexGuard::unlock_fair(guard);
    let mut guard = mutex.try_lock().expect("free after a fair unlock with no waiter");
    MutexGuard::bump(&mut guard); // nobody to let in: keeps the lock
    *guard += 1;
    drop(guard);
    assert_eq!(futex_calls_on_this_thread(), before, "no system call without a waiter");
    assert_eq!(*mutex.lock(), 1);
}

#[test]
fn bump_lets_the_sleeping_waiter_in_and_takes_the_lock_back() {
    let mutex = Arc::new(Mutex::new(0));
    let mut guard = mutex.lock();
    let waiter = {
        let mutex = Arc::clone(&mutex);
        thread::spawn(move || *mutex.lock() += 1)
    };
    until_sleepers(raw_of(&mutex), 1, || false);
    assert_eq!(*guard, 0);
    MutexGuard::bump(&mut guard);
    assert_eq!(*guard, 1, "bump took the lock back before the waiter ran");
    *guard += 1;
    drop(guard);
    waiter.join().unwrap();
    assert_eq!(*mutex.lock(), 2);
}

#[test]
fn unlocked_fair_runs_the_closure_without_the_lock() {
    let mutex = Mutex::new(1);
    let mut guard = mutex.lock();
    MutexGuard::unlocked_fair(&mut guard, || assert_eq!(*mutex.try_lock().unwrap(), 1));
    *guard += 1;
    drop(guard);
    assert_eq!(*mutex.lock(), 2);
}

#[test]
fn reentrant_mutex_guard_unlocks_fairly_and_bumps() {
    let mutex = Arc::new(ReentrantMutex::new(AtomicUsize::new(0)));
    let mut outer = mutex.lock();
    let waiter = {
        let mutex = Arc::clone(&mutex);
        thread::spawn(move || mutex.lock().fetch_add(1, SeqCst))
    };
    // SAFETY: only read, to count sleepers.
    until_sleepers(unsafe { mutex.raw() }, 1, || false);
    ReentrantMutexGuard::bump(&mut outer);
    assert_eq!(outer.load(SeqCst), 1, "bump let the waiter in");
    let inner = mutex.lock();
    ReentrantMutexGuard::unlock_fair(inner); // one level: still held by the outer guard
    assert!(thread::scope(|s| s.spawn(|| mutex.try_lock().is_none()).join().unwrap()));
    ReentrantMutexGuard::unlock_fair(outer);
    assert!(mutex.try_lock().is_some());
    waiter.join().unwrap();
}

#[test]
fn fair_mutex_hands_every_unlock_to_the_other_contender() {
    // Each holder waits, lock held, until the other thread sleeps on the lock (or is
    // finished), so every unlock has a sleeper to hand over to: the turns must alternate.
    const TURNS: usize = if cfg!(miri) { 20 } else { 200 };
    let mutex = FairMutex::new(Vec::with_capacity(2 * TURNS));
    let finished = [AtomicBool::new(false), AtomicBool::new(false)];
    thread::scope(|s| {
        for id in 0..2 {
            let (mutex, finished) = (&mutex, &finished);
            s.spawn(move || {
                for _ in 0..TURNS {
                    let mut turns = mutex.lock();
                    turns.push(id);
                    until_sleepers(raw_of_fair(mutex), 1, || finished[1 - id].load(SeqCst));
                }
                finished[id].store(true, SeqCst);
            });
        }
    });
    let turns = mutex.into_inner();
    assert_eq!(turns.len(), 2 * TURNS);
    // The thread that went second may be first to sleep: from its first turn on, strict.
    let start = turns.iter().position(|&id| id != turns[0]).unwrap() - 1;
    let changes = turns[start..].windows(2).filter(|pair| pair[0] != pair[1]).count();
    assert_eq!(changes, 2 * TURNS - 1 - start, "turns did not alternate: {turns:?}");
}

#[test]
fn fair_mutex_counts_exactly_under_contention() {
    const PER_THREAD: u32 = if cfg!(miri) { 50 } else { 1_000 };
    let mutex = Arc::new(FairMutex::new(0u32));
    let threads: Vec<_> = (0..6)
        .map(|_| {
            let mutex = Arc::clone(&mutex);
            thread::spawn(move || {
                for _ in 0..PER_THREAD {
                    *mutex.lock() += 1;
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(*mutex.lock(), 6 * PER_THREAD);
}

#[test]
fn fair_mutex_try_lock_timed_lock_and_const_new() {
    static STATIC: FairMutex<u8> = FairMutex::new(7);
    let guard = STATIC.lock();
    assert!(STATIC.try_lock().is_none());
    assert!(thread::scope(|s| {
        s.spawn(|| STATIC.try_lock_for(Duration::from_millis(10)).is_none()).join().unwrap()
    }));
    drop(guard);
    assert_eq!(*STATIC.try_lock().expect("free"), 7);
    assert!(STATIC.try_lock_for(Duration::ZERO).is_some());
}

#[test]
fn fair_mutex_into_inner_get_mut_and_drop() {
    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, SeqCst);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let mut mutex = FairMutex::new(Counted(Arc::clone(&drops)));
    mutex.get_mut().0 = Arc::clone(&drops);
    let inner = mutex.into_inner();
    assert_eq!(drops.load(SeqCst), 0);
    drop(inner);
    assert_eq!(drops.load(SeqCst), 1);
    drop(FairMutex::new(Counted(Arc::clone(&drops))));
    assert_eq!(drops.load(SeqCst), 2);
}

#[test]
fn fair_mutex_nested_in_an_arc_and_reached_in_unwinding() {
    let outer = Arc::new(FairMutex::new(Arc::new(FairMutex::new(1))));
    let inner = Arc::clone(&*outer.lock());
    assert_eq!(*inner.lock(), 1);

    struct Unwinder(Arc<FairMutex<i32>>);
    impl Drop for Unwinder {
        fn drop(&mut self) {
            *self.0.lock() += 1; // the lock is usable while a panic unwinds
        }
    }
    let mutex = Arc::new(FairMutex::new(1));
    let unwinder = Unwinder(Arc::clone(&mutex));
    assert!(
        catch_unwind(AssertUnwindSafe(move || {
            let _unwinder = unwinder;
            panic!("unwind");
        }))
        .is_err()
    );
    assert_eq!(*mutex.lock(), 2);
    // No poisoning, as parking_lot: a panic while holding the guard just unlocks.
    assert!(
        catch_unwind(AssertUnwindSafe(|| {
            let _g = mutex.lock();
            panic!("held");
        }))
        .is_err()
    );
    assert_eq!(*mutex.lock(), 2);
}

#[test]
fn fair_mutex_unsized_mapped_debug_and_sync_guard() {
    let mutex: &FairMutex<[i32]> = &FairMutex::new([1, 4, 5]);
    {
        let mut guard = mutex.lock();
        guard[0] = 2;
        let mut first: MappedFairMutexGuard<'_, i32> = FairMutexGuard::map(guard, |d| &mut d[0]);
        *first += 1;
    }
    assert_eq!(*mutex.lock(), [3, 4, 5]);

    fn sync<T: Sync>(_: T) {}
    sync(mutex.lock());

    let mutex = FairMutex::new(vec![0u8, 10]);
    assert_eq!(format!("{mutex:?}"), "Mutex { data: [0, 10] }");
    let _guard = mutex.lock();
    assert_eq!(format!("{mutex:?}"), "Mutex { data: <locked> }");
}

#[test]
fn fair_and_plain_unlocks_bumps_and_timeouts_mixed_count_exactly() {
    // Handoffs racing timeouts, plain releases and bumps on real threads: the count is
    // exact and the run ends (a lock handed to nobody would hang it).
    const PER_THREAD: u64 = if cfg!(miri) { 40 } else { 20_000 };
    let mutex = Mutex::new(0u64);
    let timed_out = AtomicUsize::new(0);
    thread::scope(|s| {
        for id in 0..4u64 {
            let (mutex, timed_out) = (&mutex, &timed_out);
            s.spawn(move || {
                let mut done = 0;
                let mut turn = id;
                while done < PER_THREAD {
                    turn = turn.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    let mut guard = if turn >> 61 == 0 {
                        match mutex.try_lock_for(Duration::from_micros(turn >> 50 & 63)) {
                            Some(guard) => guard,
                            None => {
                                timed_out.fetch_add(1, SeqCst);
                                continue;
                            }
                        }
                    } else {
                        mutex.lock()
                    };
                    *guard += 1;
                    done += 1;
                    match turn >> 59 & 3 {
                        0 => MutexGuard::unlock_fair(guard),
                        1 => {
                            MutexGuard::bump(&mut guard);
                            drop(guard);
                        }
                        _ => drop(guard),
                    }
                }
            });
        }
    });
    assert_eq!(*mutex.lock(), 4 * PER_THREAD);
    assert_eq!(lock_sleepers(raw_of(&mutex)), 0, "a sleeper was left counted");
}

mod stress {
    //! Contended fair unlocks, bumps and plain unlocks mixed, with a plain counter under the
    //! lock: run by ThreadSanitizer and by Miri over several seeds (the `stress` filter), so
    //! that a handoff that lets two threads in at once is a reported race.
    use std::sync::Arc;
    use std::thread;
    use threading::{FairMutex, Mutex, MutexGuard};

    #[test]
    fn fair_unlocks_bumps_and_plain_unlocks_count_exactly() {
        const THREADS: usize = 3;
        const PER_THREAD: usize = if cfg!(miri) { 30 } else { 20_000 };
        let mutex = Arc::new(Mutex::new(0usize));
        let fair = Arc::new(FairMutex::new(0usize));
        let handles: Vec<_> = (0..THREADS)
            .map(|thread| {
                let (mutex, fair) = (Arc::clone(&mutex), Arc::clone(&fair));
                thread::spawn(move || {
                    // What this thread added to `mutex`: one per round, two after a bump.
                    let mut added = 0;
                    for i in 0..PER_THREAD {
                        let mut guard = mutex.lock();
                        *guard += 1;
                        added += 1;
                        match (i + thread) % 3 {
                            0 => MutexGuard::unlock_fair(guard),
                            1 => {
                                MutexGuard::bump(&mut guard);
                                *guard += 1;
                                added += 1;
                            }
                            _ => drop(guard),
                        }
                        *fair.lock() += 1;
                    }
                    added
                })
            })
            .collect();
        let added: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert!(added > THREADS * PER_THREAD, "some rounds bumped");
        assert_eq!(*mutex.lock(), added);
        assert_eq!(*fair.lock(), THREADS * PER_THREAD);
    }
}

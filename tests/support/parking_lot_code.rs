//! Code written for parking_lot 0.13, compiled twice: by `tests/lock_api.rs` against this
//! crate (`use threading as parking_lot;`), and by `tests/parking_lot_itself.rs` against
//! parking_lot 0.13, which must pass it too, so that what these tests expect is parking_lot's
//! behaviour and not only ours. `Mutex`, `ReentrantMutex`, `Condvar` (and, at the end,
//! `RwLock`, `FairMutex`, the fair unlocks and `Once`) must compile and behave the same
//! (const statics, timed locks, mapped guards, no spurious wakeups, exact notify counts,
//! the two-mutex panic, panics in user closures). `parking_lot` below is whichever crate the
//! including file names so.

use super::parking_lot;
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

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

/// parking_lot's `test_condvar_requeue`, in our words: the notifier holds the mutex and
/// bumps it (a fair unlock and re-lock) until `notify_one` finds the waiter queued, then
/// lets go; the waiter, which may need a bump to reach its wait, wakes and returns.
#[test]
fn notify_one_while_bumping_the_mutex_until_the_waiter_waits() {
    let pair = Arc::new((Mutex::new(()), Condvar::new()));
    let waiter = thread::spawn({
        let pair = Arc::clone(&pair);
        move || {
            let mut guard = pair.0.lock();
            pair.1.wait(&mut guard);
        }
    });
    let mut guard = pair.0.lock();
    while !pair.1.notify_one() {
        MutexGuard::bump(&mut guard);
        thread::yield_now();
    }
    drop(guard);
    waiter.join().unwrap();
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
    let _ = std::mem::size_of::<parking_lot::RawCondvar>();
}

/// The scenario of a waiter whose timeout fired while another thread holds its mutex,
/// written once and run against a crate given by path (this one, and parking_lot 0.13
/// itself): thread 1 waits on `cv` with mutex A for 20 ms while the main thread takes A,
/// so thread 1 times out but cannot re-lock; then thread 3 waits on the same `cv` with
/// mutex B. parking_lot forgets A when thread 1's timeout fires (thread 1 no longer waits),
/// so thread 3 is admitted: no "more than one mutex" panic, and a notify finds nobody.
/// Timing is the point here (the timeout must fire before thread 3 comes), so thread 3
/// tries first 60 ms in, and again while it panics, for up to 10 s on a loaded machine.
macro_rules! timed_out_waiter_forgets_its_mutex {
    ($krate:path) => {{
        use $krate as krate;
        let mutex_a = krate::Mutex::new(());
        let mutex_b = krate::Mutex::new(());
        let cv = krate::Condvar::new();
        let (waiting, waiting_rx) = mpsc::channel();
        thread::scope(|s| {
            let thread_1 = s.spawn(|| {
                let mut guard_a = mutex_a.lock();
                waiting.send(()).unwrap(); // While holding A: main takes A only once we wait.
                let result = cv.wait_for(&mut guard_a, Duration::from_millis(20));
                result.timed_out()
            });
            waiting_rx.recv().unwrap();
            let hold_a = mutex_a.lock(); // Thread 1 is queued; it cannot re-lock A now.
            let start = Instant::now();
            thread::sleep(Duration::from_millis(60));
            let thread_3_timed_out = loop {
                let thread_3 = s.spawn(|| {
                    let mut guard_b = mutex_b.lock();
                    cv.wait_for(&mut guard_b, Duration::from_millis(1)).timed_out()
                });
                match thread_3.join() {
                    Ok(timed_out) => break timed_out,
                    Err(_) if start.elapsed() < Duration::from_secs(10) => {
                        thread::sleep(Duration::from_millis(20));
                    }
                    Err(_) => panic!("thread 3's wait with mutex B panicked for 10 s"),
                }
            };
            assert!(thread_3_timed_out, "nobody notified thread 3");
            assert!(!cv.notify_one(), "thread 1 timed out: nobody waits any more");
            drop(hold_a);
            assert!(thread_1.join().unwrap(), "thread 1 timed out");
        });
    }};
}

#[test]
fn a_timed_out_waiter_that_cannot_relock_forgets_its_mutex() {
    timed_out_waiter_forgets_its_mutex!(threading);
}

/// The same scenario against parking_lot 0.13 itself: the behaviour copied above.
#[test]
fn a_timed_out_waiter_that_cannot_relock_forgets_its_mutex_in_parking_lot() {
    timed_out_waiter_forgets_its_mutex!(::parking_lot);
}

// RwLock and RecursiveRwLock: parking_lot 0.13's own unit tests for them (its src/rwlock.rs
// and src/recursive_rwlock.rs), rewritten here; they run unchanged against parking_lot 0.13
// itself. Paths are written out (`parking_lot::RwLock`) so that they resolve to whichever
// crate `parking_lot` names.

#[test]
fn rwlock_smoke_every_mode() {
    let l = parking_lot::RwLock::new(());
    drop(l.read());
    drop(l.write());
    drop(l.upgradable_read());
    drop((l.read(), l.read()));
    drop((l.read(), l.upgradable_read()));
    drop(l.write());
}

/// Ten threads, each mostly reading and writing one time in ten, for both locks.
#[test]
fn rwlock_frob_random_reads_and_writes() {
    use rand::Rng;
    const THREADS: u32 = 10;
    let rounds = if cfg!(miri) { 50 } else { 1000 };
    let plain = parking_lot::RwLock::new(());
    let recursive = parking_lot::RecursiveRwLock::new(());
    thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                let mut rng = rand::thread_rng();
                for _ in 0..rounds {
                    if rng.gen_bool(1.0 / f64::from(THREADS)) {
                        drop(plain.write());
                        drop(recursive.write());
                    } else {
                        drop(plain.read());
                        drop((recursive.read(), recursive.read()));
                    }
                }
            });
        }
    });
    assert!(!plain.is_locked() && !recursive.is_locked());
}

#[test]
fn rwlock_no_poisoning_after_a_panic_in_any_mode() {
    for (panic_under_write, then_write) in
        [(true, false), (true, true), (false, false), (false, true)]
    {
        let arc = Arc::new(parking_lot::RwLock::new(1));
        let arc2 = Arc::clone(&arc);
        let _ = thread::spawn(move || {
            if panic_under_write {
                let _lock = arc2.write();
                panic!("under write");
            } else {
                let _lock = arc2.read();
                panic!("under read");
            }
        })
        .join();
        if then_write {
            assert_eq!(*arc.write(), 1);
        } else {
            assert_eq!(*arc.read(), 1);
        }
    }
}

/// A writer sets the value to -1 mid-update; upgradable readers upgrade and update it too;
/// nobody ever sees -1, and every update counts.
#[test]
fn rwlock_upgradable_readers_and_a_writer_never_see_each_other_mid_update() {
    let arc = Arc::new(parking_lot::RwLock::new(0));
    let writer = {
        let arc = Arc::clone(&arc);
        thread::spawn(move || {
            for _ in 0..10 {
                let mut lock = arc.write();
                let tmp = *lock;
                *lock = -1;
                thread::yield_now();
                *lock = tmp + 1;
            }
        })
    };
    let mut children = Vec::new();
    for _ in 0..5 {
        let arc = Arc::clone(&arc);
        children.push(thread::spawn(move || {
            let lock = arc.upgradable_read();
            let tmp = *lock;
            assert!(tmp >= 0);
            thread::yield_now();
            let mut lock = parking_lot::RwLockUpgradableReadGuard::upgrade(lock);
            assert_eq!(tmp, *lock, "a writer got in during the upgrade");
            *lock = -1;
            thread::yield_now();
            *lock = tmp + 1;
        }));
    }
    for _ in 0..5 {
        let arc = Arc::clone(&arc);
        children.push(thread::spawn(move || assert!(*arc.read() >= 0)));
    }
    for child in children {
        child.join().unwrap();
    }
    writer.join().unwrap();
    assert_eq!(*arc.read(), 15);
}

#[test]
fn rwlock_write_access_in_unwind() {
    struct Unwinder {
        i: Arc<parking_lot::RwLock<isize>>,
    }
    impl Drop for Unwinder {
        fn drop(&mut self) {
            *self.i.write() += 1;
        }
    }
    let arc = Arc::new(parking_lot::RwLock::new(1));
    let arc2 = Arc::clone(&arc);
    let _ = thread::spawn(move || {
        let _u = Unwinder { i: arc2 };
        panic!("unwinding");
    })
    .join();
    assert_eq!(*arc.read(), 2);
}

#[test]
fn rwlock_unsized_data() {
    let rw: &parking_lot::RwLock<[i32]> = &parking_lot::RwLock::new([1, 2, 3]);
    {
        let b = &mut *rw.write();
        b[0] = 4;
        b[2] = 5;
    }
    assert_eq!(&*rw.read(), &[4, 2, 5][..]);
}

/// Writer preference: once a writer waits behind a reader, a new reader is refused although
/// only readers hold the lock.
#[test]
fn rwlock_a_waiting_writer_refuses_new_readers() {
    let lock = Arc::new(parking_lot::RwLock::new(()));
    let reader = lock.read();
    let lock2 = Arc::clone(&lock);
    let writer = thread::spawn(move || drop(lock2.write()));
    let start = Instant::now();
    while let Some(r) = lock.try_read() {
        drop(r);
        assert!(start.elapsed() < Duration::from_secs(20), "the writer never waited");
        thread::yield_now();
    }
    assert!(lock.is_locked() && !lock.is_locked_exclusive(), "only our reader holds it");
    drop(reader);
    writer.join().unwrap();
}

#[test]
fn rwlock_try_forms_in_every_mode() {
    let lock = parking_lot::RwLock::new(0isize);
    {
        let _read = lock.read();
        assert!(lock.try_read().is_some());
        assert!(lock.try_write().is_none());
        assert!(lock.try_upgradable_read().is_some());
        assert!(lock.is_locked() && !lock.is_locked_exclusive());
    }
    {
        let _upgradable = lock.upgradable_read();
        assert!(lock.try_read().is_some());
        assert!(lock.try_write().is_none());
        assert!(lock.try_upgradable_read().is_none());
        assert!(lock.is_locked() && !lock.is_locked_exclusive());
    }
    {
        let _write = lock.write();
        assert!(lock.try_read().is_none());
        assert!(lock.try_write().is_none());
        assert!(lock.try_upgradable_read().is_none());
        assert!(lock.is_locked() && lock.is_locked_exclusive());
    }
}

#[test]
fn rwlock_into_inner_get_mut_and_drop() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let mut m = parking_lot::RwLock::new(Counted(Arc::clone(&drops)));
    *m.get_mut() = Counted(Arc::clone(&drops));
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    let inner = m.into_inner();
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    drop(inner);
    assert_eq!(drops.load(Ordering::SeqCst), 2);
}

#[test]
fn rwlock_guards_are_sync_and_deref_to_the_data() {
    fn sync<T: Sync>(_: T) {}
    let rwlock = parking_lot::RwLock::new(());
    sync(rwlock.read());
    sync(rwlock.write());
    let shared = parking_lot::RwLock::new(Arc::new(1));
    let a = shared.read();
    let b = Arc::clone(&a); // clones the Arc inside, not the guard
    assert_eq!(Arc::strong_count(&b), 2);
}

#[test]
fn rwlock_downgrade_keeps_the_value_just_written() {
    let x = Arc::new(parking_lot::RwLock::new(0));
    let rounds = if cfg!(miri) { 10 } else { 100 };
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let x = Arc::clone(&x);
            thread::spawn(move || {
                for _ in 0..rounds {
                    let mut writer = x.write();
                    *writer += 1;
                    let cur_val = *writer;
                    let reader = parking_lot::RwLockWriteGuard::downgrade(writer);
                    assert_eq!(cur_val, *reader);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(*x.read(), 8 * rounds);
}

#[test]
fn rwlock_debug() {
    let x = parking_lot::RwLock::new(vec![0u8, 10]);
    assert_eq!(format!("{x:?}"), "RwLock { data: [0, 10] }");
    let _lock = x.write();
    assert_eq!(format!("{x:?}"), "RwLock { data: <locked> }");
}

/// parking_lot's issue 203: a `const` RwLock in a thread-local whose destructor write-locks
/// it, in a thread that also uses another RwLock.
#[test]
fn rwlock_in_a_thread_local_destructor() {
    struct Bar(parking_lot::RwLock<()>);
    impl Drop for Bar {
        fn drop(&mut self) {
            let _n = self.0.write();
        }
    }
    thread_local! {
        static B: Bar = const { Bar(parking_lot::RwLock::new(())) };
    }
    thread::spawn(|| {
        B.with(|_| ());
        let a = parking_lot::RwLock::new(());
        let _a = a.read();
    })
    .join()
    .unwrap();
}

#[test]
fn rwlock_timed_and_mapped_forms() {
    let lock = parking_lot::RwLock::new((1, 2));
    let w = lock.write();
    thread::scope(|s| {
        s.spawn(|| {
            assert!(lock.try_read_for(Duration::from_millis(10)).is_none());
            assert!(lock.try_write_until(Instant::now() + Duration::from_millis(10)).is_none());
            assert!(lock.try_upgradable_read_for(Duration::from_millis(10)).is_none());
        });
    });
    let mut second: parking_lot::MappedRwLockWriteGuard<'_, i32> =
        parking_lot::RwLockWriteGuard::map(w, |pair| &mut pair.1);
    *second += 1;
    drop(second);
    let first: parking_lot::MappedRwLockReadGuard<'_, i32> =
        parking_lot::RwLockReadGuard::map(lock.read(), |pair| &pair.0);
    assert_eq!(*first, 1);
    drop(first);
    let up = lock.try_upgradable_read_for(Duration::from_millis(10)).unwrap();
    let w = parking_lot::RwLockUpgradableReadGuard::try_upgrade_for(up, Duration::from_millis(10));
    assert_eq!(*w.ok().unwrap(), (1, 3));
}

#[test]
fn recursive_rwlock_reads_nest_while_a_writer_waits() {
    let lock = Arc::new(parking_lot::RecursiveRwLock::new(()));
    let first = lock.read();
    let second = lock.read();
    let lock2 = Arc::clone(&lock);
    let writer = thread::spawn(move || drop(lock2.write()));
    // Whether or not the writer waits yet, a nested read must not block.
    thread::sleep(Duration::from_millis(10));
    let third: parking_lot::RecursiveRwLockReadGuard<'_, ()> = lock.read();
    assert!(lock.try_read().is_some());
    let mut second = second;
    parking_lot::RecursiveRwLockReadGuard::bump(&mut second);
    drop((first, second, third));
    writer.join().unwrap();
}

#[test]
fn recursive_rwlock_upgrade() {
    let lock = parking_lot::RecursiveRwLock::new(1);
    let upgradable: parking_lot::RecursiveRwLockUpgradableReadGuard<'_, i32> =
        lock.upgradable_read();
    drop(lock.read());
    let mut write: parking_lot::RecursiveRwLockWriteGuard<'_, i32> =
        parking_lot::RecursiveRwLockUpgradableReadGuard::upgrade(upgradable);
    *write = 2;
    drop(write);
    assert_eq!(*lock.read(), 2);
    let mapped: parking_lot::MappedRecursiveRwLockWriteGuard<'_, i32> =
        parking_lot::RecursiveRwLockWriteGuard::map(lock.write(), |v| v);
    drop(mapped);
    let _: parking_lot::MappedRecursiveRwLockReadGuard<'_, i32> =
        parking_lot::RecursiveRwLockReadGuard::map(lock.read(), |v| v);
}

#[test]
fn raw_rwlock_types_are_exported_like_parking_lot() {
    use parking_lot::lock_api::{RawRwLock as _, RawRwLockUpgrade as _};
    let raw = <parking_lot::RawRwLock as parking_lot::lock_api::RawRwLock>::INIT;
    let guard = raw.lock_upgradable();
    assert!(raw.is_locked() && !raw.is_locked_exclusive());
    // SAFETY: the guard is this lock's upgradable acquisition.
    let guard = unsafe { parking_lot::lock_api::RawRwLockUpgrade::upgrade(&raw, guard) };
    assert!(raw.is_locked_exclusive());
    // SAFETY: the guard is this lock's exclusive acquisition.
    unsafe { raw.unlock_exclusive(guard) };
    let recursive = <parking_lot::RawRwLockRecursive as parking_lot::lock_api::RawRwLock>::INIT;
    let (a, b) = (recursive.lock_shared(), recursive.lock_shared());
    // SAFETY: both are this lock's shared acquisitions.
    unsafe {
        recursive.unlock_shared(a);
        recursive.unlock_shared(b);
    }
    assert!(!recursive.is_locked());
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

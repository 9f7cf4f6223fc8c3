//! Behaviour of `RwLock` and `RecursiveRwLock` (parking_lot 0.13's, over our `RawRwLock`):
//! who may share, who is excluded, atomic upgrade, downgrade, writer preference and what the
//! recursive lock does instead, timeouts (including a writer that gives up while readers
//! wait behind it), mapped guards, no system call uncontended, stress with exact counts, and
//! a proptest model of the raw lock (random single-threaded sequences of every operation).
#![cfg(not(loom))]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};
use threading::diagnostics::futex_calls_on_this_thread;
use threading::lock_api;
use threading::{
    MappedRwLockReadGuard, MappedRwLockWriteGuard, RawRwLock, RecursiveRwLock,
    RecursiveRwLockReadGuard, RwLock, RwLockReadGuard, RwLockUpgradableReadGuard, RwLockWriteGuard,
};

const SHORT: Duration = Duration::from_millis(30);
/// Long enough for any loaded machine: only a failing test waits this long.
const LONG: Duration = Duration::from_secs(20);

/// Spins (yielding) until `condition` holds; panics after `LONG`, so a bug fails the test
/// instead of hanging it.
#[track_caller]
fn wait_until(what: &str, condition: impl Fn() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < LONG, "timed out waiting until {what}");
        thread::yield_now();
    }
}

/// Waits until a writer of `lock` owns the writer's slot and waits for the readers inside.
fn wait_for_waiting_writer<T>(lock: &RwLock<T>) {
    // SAFETY: only a snapshot of the raw lock's state is read.
    wait_until("a writer waits", || {
        threading::diagnostics::rwlock_writer_waits(unsafe { lock.raw() })
    });
}

#[test]
fn readers_share_and_a_writer_is_alone() {
    let lock = RwLock::new(1);
    let r1 = lock.read();
    let r2 = lock.read();
    assert_eq!(*r1 + *r2, 2);
    assert!(lock.is_locked() && !lock.is_locked_exclusive());
    assert!(lock.try_write().is_none());
    assert!(lock.try_write_for(SHORT).is_none());
    drop((r1, r2));
    let mut w = lock.write();
    *w = 2;
    assert!(lock.is_locked_exclusive());
    assert!(lock.try_read().is_none());
    assert!(lock.try_write().is_none());
    assert!(lock.try_upgradable_read().is_none());
    drop(w);
    assert!(!lock.is_locked());
    assert_eq!(*lock.read(), 2);
}

#[test]
fn an_upgradable_reader_shares_with_readers_and_excludes_writers_and_upgradables() {
    let lock = RwLock::new(0);
    let up = lock.upgradable_read();
    assert!(lock.try_read().is_some(), "readers share with an upgradable reader");
    let reader = lock.read();
    assert!(lock.try_write().is_none());
    assert!(lock.try_upgradable_read().is_none());
    assert!(lock.try_upgradable_read_for(SHORT).is_none());
    thread::scope(|s| {
        s.spawn(|| assert!(lock.try_write_for(SHORT).is_none()));
    });
    // Another reader is inside: no upgrade without waiting.
    let up = RwLockUpgradableReadGuard::try_upgrade(up).unwrap_err();
    drop(reader);
    let mut w = RwLockUpgradableReadGuard::try_upgrade(up).ok().unwrap();
    *w = 1;
    assert!(lock.try_read().is_none());
    let up = RwLockWriteGuard::downgrade_to_upgradable(w);
    assert_eq!(*lock.read(), 1);
    let r = RwLockUpgradableReadGuard::downgrade(up);
    assert!(lock.try_upgradable_read().is_some(), "a downgraded upgradable frees the slot");
    drop(r);
    assert!(!lock.is_locked());
}

#[test]
fn an_upgrade_waits_for_readers_and_no_waiting_writer_gets_in_between() {
    let lock = RwLock::new(0);
    let reader = lock.read();
    let (has_upgradable, upgradable_taken) = mpsc::channel();
    let (go, go_upgrade) = mpsc::channel();
    let (writer_started, started) = mpsc::channel();
    thread::scope(|s| {
        let lock = &lock;
        let upgrader = s.spawn(move || {
            let up = lock.upgradable_read();
            has_upgradable.send(()).unwrap();
            go_upgrade.recv().unwrap();
            let seen = *up;
            let mut w = RwLockUpgradableReadGuard::upgrade(up);
            assert_eq!(*w, seen, "someone wrote between the upgradable read and the write");
            *w = 1;
        });
        upgradable_taken.recv().unwrap();
        s.spawn(move || {
            writer_started.send(()).unwrap();
            let mut w = lock.write(); // waits for the slot the upgradable reader owns
            assert_eq!(*w, 1, "the writer got in before the upgraded writer");
            *w = 2;
        });
        started.recv().unwrap();
        // Let the writer reach its wait for the slot (the test is only weaker without it).
        thread::sleep(Duration::from_millis(10));
        go.send(()).unwrap();
        // The upgrade now waits for `reader`, and keeps new readers out meanwhile.
        wait_for_waiting_writer(lock);
        assert!(lock.try_read().is_none(), "an upgrading reader blocks new readers");
        drop(reader);
        upgrader.join().unwrap();
    });
    assert_eq!(*lock.read(), 2);
}

#[test]
fn a_downgrade_admits_waiting_readers_at_once() {
    let lock = RwLock::new(0);
    let mut w = lock.write();
    let (entered, entries) = mpsc::channel();
    thread::scope(|s| {
        s.spawn(|| {
            let r = lock.read();
            entered.send(*r).unwrap();
        });
        *w = 7;
        // Give the reader time to block on the write lock (not needed for correctness).
        thread::sleep(Duration::from_millis(10));
        let r = RwLockWriteGuard::downgrade(w);
        // We still read; the waiting reader gets in beside us.
        assert_eq!(entries.recv_timeout(LONG).unwrap(), 7);
        assert_eq!(*r, 7);
    });
}

#[test]
fn a_waiting_writer_blocks_new_readers() {
    let lock = RwLock::new(0);
    let reader = lock.read();
    thread::scope(|s| {
        s.spawn(|| *lock.write() += 1);
        wait_for_waiting_writer(&lock);
        // Only a reader holds the lock, yet a new reader must wait behind the writer.
        assert!(!lock.is_locked_exclusive());
        assert!(lock.try_read().is_none());
        assert!(lock.try_read_for(SHORT).is_none());
        assert!(lock.try_upgradable_read().is_none());
        drop(reader);
    });
    assert_eq!(*lock.read(), 1);
}

#[test]
fn recursive_reads_pass_a_waiting_writer() {
    let lock = RecursiveRwLock::new(0);
    let first = lock.read();
    thread::scope(|s| {
        s.spawn(|| *lock.write() += 1);
        // SAFETY: a snapshot of the raw state only.
        wait_until("a writer waits", || {
            threading::diagnostics::rwlock_writer_waits(unsafe { lock.raw() })
        });
        let second = lock.read(); // would deadlock on RwLock
        assert!(lock.try_read().is_some());
        let mut second = second;
        RecursiveRwLockReadGuard::bump(&mut second); // we are not the last reader: no-op
        assert_eq!(*second, 0);
        drop(second);
        drop(first);
    });
    assert_eq!(*lock.read(), 1);
}

#[test]
fn a_writer_that_gives_up_lets_the_readers_it_held_back_in() {
    let lock = RwLock::new(0);
    let reader = lock.read();
    let (entered, entries) = mpsc::channel();
    thread::scope(|s| {
        s.spawn(|| {
            let start = Instant::now();
            assert!(lock.try_write_for(Duration::from_millis(200)).is_none());
            assert!(start.elapsed() >= Duration::from_millis(200));
        });
        wait_for_waiting_writer(&lock);
        s.spawn(|| {
            let _r = lock.read(); // waits behind the writer, then gets in when it gives up
            entered.send(()).unwrap();
        });
        entries.recv_timeout(LONG).expect("a reader stranded by a timed-out writer");
        drop(reader);
    });
    assert!(lock.try_write().is_some());
}

#[test]
fn a_timed_upgrade_that_gives_up_keeps_the_upgradable_read() {
    let lock = RwLock::new(0);
    let up = lock.upgradable_read();
    let reader = lock.read();
    let start = Instant::now();
    let up = RwLockUpgradableReadGuard::try_upgrade_for(up, SHORT).unwrap_err();
    assert!(start.elapsed() >= SHORT);
    assert!(lock.try_read().is_some(), "readers enter again once the upgrade gave up");
    assert!(lock.try_upgradable_read().is_none(), "the slot is still ours");
    drop(reader);
    let mut w =
        RwLockUpgradableReadGuard::try_upgrade_until(up, Instant::now() + SHORT).ok().unwrap();
    *w = 3;
    drop(w);
    assert!(!lock.is_locked());
    assert_eq!(*lock.read(), 3);
}

#[test]
fn timed_forms_time_out_and_succeed() {
    let lock = RwLock::new(());
    let w = lock.write();
    thread::scope(|s| {
        s.spawn(|| {
            let start = Instant::now();
            assert!(lock.try_read_for(SHORT).is_none());
            assert!(lock.try_upgradable_read_for(SHORT).is_none());
            assert!(lock.try_write_for(SHORT).is_none());
            assert!(start.elapsed() >= SHORT * 3);
            assert!(lock.try_read_until(Instant::now() + SHORT).is_none());
            assert!(lock.try_write_until(Instant::now()).is_none());
            assert!(lock.try_upgradable_read_until(Instant::now()).is_none());
            assert!(lock.try_read_for(Duration::ZERO).is_none());
            assert!(lock.try_write_for(Duration::ZERO).is_none());
        });
    });
    drop(w);
    for timeout in [Duration::ZERO, SHORT, Duration::MAX] {
        assert!(lock.try_read_for(timeout).is_some());
        assert!(lock.try_write_for(timeout).is_some());
        assert!(lock.try_upgradable_read_for(timeout).is_some());
    }
    // A timed wait that succeeds after waiting.
    let w = lock.write();
    thread::scope(|s| {
        s.spawn(|| assert!(lock.try_read_for(LONG).is_some()));
        s.spawn(|| assert!(lock.try_write_for(Duration::MAX).is_some()));
        thread::sleep(Duration::from_millis(5));
        drop(w);
    });
}

#[test]
fn guards_map_to_part_of_the_data() {
    let lock = RwLock::new((String::from("a"), 1));
    {
        let mut name: MappedRwLockWriteGuard<'_, String> =
            RwLockWriteGuard::map(lock.write(), |pair| &mut pair.0);
        name.push('b');
        assert!(lock.is_locked_exclusive());
    }
    let n: MappedRwLockReadGuard<'_, i32> = RwLockReadGuard::map(lock.read(), |pair| &pair.1);
    let name = RwLockReadGuard::map(lock.read(), |pair| &pair.0);
    assert_eq!((name.as_str(), *n), ("ab", 1));
    drop((n, name));
    assert!(!lock.is_locked());
}

#[test]
fn fair_unlocks_and_bumps_release_and_retake() {
    let lock = RwLock::new(0);
    let w = lock.write();
    RwLockWriteGuard::unlock_fair(w);
    let r = lock.read();
    RwLockReadGuard::unlock_fair(r);
    let up = lock.upgradable_read();
    RwLockUpgradableReadGuard::unlock_fair(up);
    assert!(!lock.is_locked());

    // A bumping writer lets a waiting reader in, and holds the lock again afterwards.
    let mut w = lock.write();
    let (entered, entries) = mpsc::channel();
    thread::scope(|s| {
        s.spawn(|| {
            entered.send(*lock.read()).unwrap();
        });
        let deadline = Instant::now() + LONG;
        let seen = loop {
            *w += 1;
            RwLockWriteGuard::bump(&mut w);
            if let Ok(seen) = entries.try_recv() {
                break seen;
            }
            assert!(Instant::now() < deadline, "the reader never got in during a bump");
            thread::yield_now();
        };
        assert!(seen >= 1);
        assert!(lock.try_read().is_none(), "still ours after the bump");
        drop(w);
    });

    // A bumping reader lets a waiting writer in.
    let mut r = lock.read();
    thread::scope(|s| {
        s.spawn(|| *lock.write() = 100);
        wait_for_waiting_writer(&lock);
        RwLockReadGuard::bump(&mut r);
        assert_eq!(*r, 100);
    });
    let mut up = lock.upgradable_read();
    RwLockUpgradableReadGuard::bump(&mut up);
    assert_eq!(*up, 100);
}

#[test]
fn a_panic_under_a_guard_releases_it() {
    let lock = RwLock::new(0);
    for mode in 0..3 {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match mode {
            0 => {
                let _g = lock.write();
                panic!("under write");
            }
            1 => {
                let _g = lock.read();
                panic!("under read");
            }
            _ => {
                let _g = lock.upgradable_read();
                panic!("under upgradable read");
            }
        }));
        assert!(result.is_err());
        assert!(!lock.is_locked());
    }
}

#[test]
fn uncontended_paths_make_no_system_call() {
    let lock = RwLock::new(0u64);
    let recursive = RecursiveRwLock::new(0u64);
    let before = futex_calls_on_this_thread();
    for _ in 0..1000 {
        drop(lock.read());
        *lock.write() += 1;
        drop((recursive.read(), recursive.read()));
        *recursive.write() += 1;
        let up = lock.upgradable_read();
        let w = RwLockUpgradableReadGuard::upgrade(up);
        drop(RwLockWriteGuard::downgrade(w));
        assert!(lock.try_read_for(Duration::ZERO).is_some());
    }
    assert_eq!(futex_calls_on_this_thread(), before);
    assert_eq!(*lock.read() + *recursive.read(), 2000);
}

#[test]
fn sizes_are_two_words_like_parking_lots_one_usize() {
    assert_eq!(size_of::<RwLock<()>>(), 8);
    assert_eq!(size_of::<RecursiveRwLock<u32>>(), 12);
}

#[test]
fn debug_shows_the_data_or_that_it_is_locked() {
    let lock = RwLock::new(5);
    assert_eq!(format!("{lock:?}"), "RwLock { data: 5 }");
    let _w = lock.write();
    assert_eq!(format!("{lock:?}"), "RwLock { data: <locked> }");
    // SAFETY: a snapshot of the raw state only.
    let raw = format!("{:?}", unsafe { lock.raw() });
    assert!(raw.contains("writer: true"), "{raw}");
}

type GenericRwLock<const RECURSIVE: bool> = lock_api::RwLock<RawRwLock<RECURSIVE>, (u64, u64)>;
type UpgradableGuard<'a, const RECURSIVE: bool> =
    lock_api::RwLockUpgradableReadGuard<'a, RawRwLock<RECURSIVE>, (u64, u64)>;
type WriteGuard<'a, const RECURSIVE: bool> =
    lock_api::RwLockWriteGuard<'a, RawRwLock<RECURSIVE>, (u64, u64)>;

/// Many threads, every operation mixed: each writer increments `value` and `shadow`
/// together, readers check they agree (no reader sees half a write), and the final count
/// is exact.
fn stress<const RECURSIVE: bool>(lock: &GenericRwLock<RECURSIVE>) {
    let rounds: u64 = if cfg!(miri) { 30 } else { 20_000 };
    let threads = 4u64;
    let writes = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    thread::scope(|s| {
        // One more reader that reads until the others are done.
        s.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                let r = lock.read();
                assert_eq!(r.0, r.1, "a reader saw half a write");
                drop(r);
                thread::yield_now();
            }
        });
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let writes = &writes;
                s.spawn(move || {
                    for i in 0..rounds {
                        match (i + t) % 8 {
                            0 | 1 => {
                                let mut w = lock.write();
                                w.0 += 1;
                                w.1 += 1;
                                writes.fetch_add(1, Ordering::Relaxed);
                            }
                            2 => {
                                let up = lock.upgradable_read();
                                let seen = *up;
                                let mut w = UpgradableGuard::upgrade(up);
                                assert_eq!(*w, seen, "a writer got in during an upgrade");
                                w.0 += 1;
                                w.1 += 1;
                                writes.fetch_add(1, Ordering::Relaxed);
                                let r = WriteGuard::downgrade(w);
                                assert_eq!(r.0, r.1);
                            }
                            3 => {
                                if let Some(mut w) = lock.try_write_for(Duration::from_micros(50)) {
                                    w.0 += 1;
                                    w.1 += 1;
                                    writes.fetch_add(1, Ordering::Relaxed);
                                }
                            }
                            4 => {
                                if let Some(r) = lock.try_read_for(Duration::from_micros(50)) {
                                    assert_eq!(r.0, r.1);
                                }
                            }
                            _ => {
                                let r = lock.read();
                                assert_eq!(r.0, r.1, "a reader saw half a write");
                            }
                        }
                    }
                })
            })
            .collect();
        let results: Vec<_> = workers.into_iter().map(|w| w.join()).collect();
        stop.store(true, Ordering::Relaxed);
        for result in results {
            if let Err(panic) = result {
                std::panic::resume_unwind(panic);
            }
        }
    });
    let (value, shadow) = *lock.read();
    assert_eq!(value, shadow);
    assert_eq!(value, writes.load(Ordering::Relaxed));
    assert!(!lock.is_locked());
}

#[test]
fn stress_rwlock_exact_counts() {
    stress(&RwLock::new((0, 0)));
}

#[test]
fn stress_recursive_rwlock_exact_counts() {
    stress(&RecursiveRwLock::new((0, 0)));
}

mod support;

mod model {
    //! Random single-threaded operation sequences on the raw lock (both kinds) against a
    //! model: how many plain readers, whether an upgradable reader, whether a writer.
    use proptest::prelude::*;
    use std::time::Duration;
    use threading::RawRwLock;
    use threading::lock_api::{
        RawRwLock as RawRwLockTrait, RawRwLockDowngrade as _, RawRwLockTimed as _,
        RawRwLockUpgrade as _, RawRwLockUpgradeDowngrade as _, RawRwLockUpgradeTimed as _,
    };

    #[derive(Debug, Clone, Copy)]
    enum Op {
        Read(Option<u8>),
        Write(Option<u8>),
        Upgradable(Option<u8>),
        UnlockRead,
        UnlockWrite,
        UnlockUpgradable,
        Upgrade(Option<u8>),
        Downgrade,
        DowngradeToUpgradable,
        DowngradeUpgradable,
    }

    /// `None`: the try form; `Some(ms)`: the timed form with that many milliseconds.
    fn wait() -> impl Strategy<Value = Option<u8>> {
        prop_oneof![Just(None), (0u8..2).prop_map(Some)]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            wait().prop_map(Op::Read),
            wait().prop_map(Op::Write),
            wait().prop_map(Op::Upgradable),
            Just(Op::UnlockRead),
            Just(Op::UnlockWrite),
            Just(Op::UnlockUpgradable),
            wait().prop_map(Op::Upgrade),
            Just(Op::Downgrade),
            Just(Op::DowngradeToUpgradable),
            Just(Op::DowngradeUpgradable),
        ]
    }

    /// Operations per sequence: fewer under Miri, where each one is slow.
    fn longest() -> usize {
        if cfg!(miri) { 12 } else { 48 }
    }

    fn ms(n: u8) -> Duration {
        Duration::from_millis(n.into())
    }

    /// The raw lock's guard (`Send` or not, by the `send_guard` feature).
    type Guard = <RawRwLock as RawRwLockTrait>::SharedGuard;

    /// What this thread holds: the guards, which are the model.
    #[derive(Default)]
    struct Held {
        readers: Vec<Guard>,
        upgradable: Option<Guard>,
        writer: Option<Guard>,
    }

    fn run<const RECURSIVE: bool>(ops: &[Op]) -> Result<(), TestCaseError> {
        let lock = <RawRwLock<RECURSIVE> as threading::lock_api::RawRwLock>::INIT;
        let mut held = Held::default();
        for &op in ops {
            let free_of_writer = held.writer.is_none();
            let no_slot = held.writer.is_none() && held.upgradable.is_none();
            match op {
                Op::Read(wait) => {
                    let got = match wait {
                        None => lock.try_lock_shared(),
                        Some(n) => lock.try_lock_shared_for(ms(n)),
                    };
                    prop_assert_eq!(got.is_some(), free_of_writer, "{:?}", op);
                    held.readers.extend(got);
                }
                Op::Write(wait) => {
                    let got = match wait {
                        None => lock.try_lock_exclusive(),
                        Some(n) => lock.try_lock_exclusive_for(ms(n)),
                    };
                    prop_assert_eq!(got.is_some(), no_slot && held.readers.is_empty(), "{:?}", op);
                    if got.is_some() {
                        held.writer = got;
                    }
                }
                Op::Upgradable(wait) => {
                    let got = match wait {
                        None => lock.try_lock_upgradable(),
                        Some(n) => lock.try_lock_upgradable_for(ms(n)),
                    };
                    prop_assert_eq!(got.is_some(), no_slot, "{:?}", op);
                    if got.is_some() {
                        held.upgradable = got;
                    }
                }
                Op::UnlockRead => {
                    if let Some(guard) = held.readers.pop() {
                        // SAFETY: a shared acquisition of this lock.
                        unsafe { lock.unlock_shared(guard) };
                    }
                }
                Op::UnlockWrite => {
                    if let Some(guard) = held.writer.take() {
                        // SAFETY: the exclusive acquisition of this lock.
                        unsafe { lock.unlock_exclusive(guard) };
                    }
                }
                Op::UnlockUpgradable => {
                    if let Some(guard) = held.upgradable.take() {
                        // SAFETY: the upgradable acquisition of this lock.
                        unsafe { lock.unlock_upgradable(guard) };
                    }
                }
                Op::Upgrade(wait) => {
                    if let Some(guard) = held.upgradable.take() {
                        // SAFETY: the upgradable acquisition of this lock.
                        let result = unsafe {
                            match wait {
                                None => lock.try_upgrade(guard),
                                Some(n) => lock.try_upgrade_for(guard, ms(n)),
                            }
                        };
                        prop_assert_eq!(result.is_ok(), held.readers.is_empty(), "{:?}", op);
                        match result {
                            Ok(writer) => held.writer = Some(writer),
                            Err(upgradable) => held.upgradable = Some(upgradable),
                        }
                    }
                }
                Op::Downgrade => {
                    if let Some(guard) = held.writer.take() {
                        // SAFETY: the exclusive acquisition of this lock.
                        held.readers.push(unsafe { lock.downgrade(guard) });
                    }
                }
                Op::DowngradeToUpgradable => {
                    if let Some(guard) = held.writer.take() {
                        // SAFETY: the exclusive acquisition of this lock.
                        held.upgradable = Some(unsafe { lock.downgrade_to_upgradable(guard) });
                    }
                }
                Op::DowngradeUpgradable => {
                    if let Some(guard) = held.upgradable.take() {
                        // SAFETY: the upgradable acquisition of this lock.
                        held.readers.push(unsafe { lock.downgrade_upgradable(guard) });
                    }
                }
            }
            let readers = held.readers.len() + usize::from(held.upgradable.is_some());
            prop_assert_eq!(lock.is_locked(), readers > 0 || held.writer.is_some());
            prop_assert_eq!(lock.is_locked_exclusive(), held.writer.is_some());
            prop_assert!(
                !threading::diagnostics::rwlock_writer_waits(&lock),
                "a timed-out writer left WRITER set"
            );
        }
        // Release everything: the lock must end free.
        for guard in held.readers.drain(..) {
            // SAFETY: shared acquisitions of this lock.
            unsafe { lock.unlock_shared(guard) };
        }
        if let Some(guard) = held.upgradable.take() {
            // SAFETY: the upgradable acquisition of this lock.
            unsafe { lock.unlock_upgradable(guard) };
        }
        if let Some(guard) = held.writer.take() {
            // SAFETY: the exclusive acquisition of this lock.
            unsafe { lock.unlock_exclusive(guard) };
        }
        prop_assert!(!lock.is_locked());
        prop_assert!(lock.try_lock_exclusive().is_some());
        Ok(())
    }

    proptest! {
        #![proptest_config(crate::support::proptest_config(ProptestConfig::default()))]
        #[test]
        fn raw_rwlock_follows_the_model(ops in proptest::collection::vec(op(), 1..longest())) {
            run::<false>(&ops)?;
        }

        #[test]
        fn raw_recursive_rwlock_follows_the_model(ops in proptest::collection::vec(op(), 1..longest())) {
            run::<true>(&ops)?;
        }
    }
}

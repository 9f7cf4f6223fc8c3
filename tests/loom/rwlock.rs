//! Loom checks of the bare `RawRwLock` (the primitive under `RwLock` and
//! `RecursiveRwLock`), through the loom-only methods of the hidden `threading::loom_shims`:
//! under loom the faces stand on a model of it built on first use (`src/faces/model.rs`),
//! whose ordering of first uses would hide weak orderings, so the raw protocol is what
//! these models check.

use crate::check;
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;
use std::time::Duration;
use threading::loom_shims::{RawRwLock, RawRwLockShims};

/// A value only read under a read lock and only written under the write lock: loom flags
/// any access that the lock's orderings do not order ("Causality violation").
struct Guarded<const RECURSIVE: bool = false> {
    lock: RawRwLock<RECURSIVE>,
    value: UnsafeCell<u32>,
}

// SAFETY: `value` is only accessed under `lock` (which is what loom checks).
unsafe impl<const RECURSIVE: bool> Sync for Guarded<RECURSIVE> {}

impl<const RECURSIVE: bool> Guarded<RECURSIVE> {
    fn new() -> Arc<Self> {
        Arc::new(Guarded { lock: RawRwLock::new(), value: UnsafeCell::new(0) })
    }

    /// The caller holds a read, upgradable or write lock.
    fn get(&self) -> u32 {
        // SAFETY: the caller holds the lock (loom verifies the exclusion).
        self.value.with(|v| unsafe { *v })
    }

    /// The caller holds the write lock.
    fn set(&self, value: u32) {
        // SAFETY: the caller holds the write lock (loom verifies the exclusion).
        self.value.with_mut(|v| unsafe { *v = value });
    }
}

/// A writer-preferring lock with its value.
fn plain() -> Arc<Guarded> {
    Guarded::new()
}

/// Runs `f` on `data` in a new loom thread.
fn spawn<const RECURSIVE: bool>(
    data: &Arc<Guarded<RECURSIVE>>,
    f: impl FnOnce(&Guarded<RECURSIVE>) + Send + 'static,
) -> thread::JoinHandle<()> {
    let data = Arc::clone(data);
    thread::spawn(move || f(&data))
}

fn write_add(data: &Guarded, n: u32) {
    data.lock.loom_write();
    data.set(data.get() + n);
    data.lock.loom_unlock_write();
}

/// Two readers and a writer: the writer is never inside with a reader, each reader sees 0 or
/// the whole write, and a reader that waited for the writer is woken.
#[test]
fn readers_and_a_writer_never_overlap() {
    check(|| {
        let data = plain();
        let writer = spawn(&data, |data| write_add(data, 1));
        let reader = spawn(&data, |data| {
            data.lock.loom_read();
            assert!(data.get() <= 1);
            data.lock.loom_unlock_read();
        });
        data.lock.loom_read();
        assert!(data.get() <= 1);
        data.lock.loom_unlock_read();
        writer.join().unwrap();
        reader.join().unwrap();
        data.lock.loom_read();
        assert_eq!(data.get(), 1);
        data.lock.loom_unlock_read();
    });
}

/// Three writers: one at a time, each sees the last one's write, and a writer that slept
/// for the slot and got it keeps the next one's wake owed (nobody sleeps forever).
#[test]
fn three_writers_take_turns_and_none_sleeps_forever() {
    check(|| {
        let data = plain();
        let others: Vec<_> = (0..2).map(|_| spawn(&data, |data| write_add(data, 1))).collect();
        write_add(&data, 1);
        for other in others {
            other.join().unwrap();
        }
        assert!(data.lock.loom_try_write());
        assert_eq!(data.get(), 3);
        data.lock.loom_unlock_write();
    });
}

/// A writer blocked by a reader is woken when the last reader leaves, and sees nothing of
/// the reader's time as a race (the reader's read happens before the write).
#[test]
fn a_draining_writer_is_woken_by_the_last_reader() {
    check(|| {
        let data = plain();
        data.lock.loom_read();
        let writer = spawn(&data, |data| write_add(data, 1));
        let reader = spawn(&data, |data| {
            data.lock.loom_read();
            assert!(data.get() <= 1);
            data.lock.loom_unlock_read();
        });
        assert_eq!(data.get(), 0);
        data.lock.loom_unlock_read();
        writer.join().unwrap();
        reader.join().unwrap();
    });
}

/// An upgrade is atomic: a writer racing the upgradable reader never gets in between its
/// read and its write, and a plain reader may share with it.
#[test]
fn an_upgrade_is_atomic() {
    check(|| {
        let data = plain();
        let upgrader = spawn(&data, |data| {
            data.lock.loom_upgradable();
            let seen = data.get();
            data.lock.loom_upgrade();
            assert_eq!(data.get(), seen, "a writer got in during the upgrade");
            data.set(seen + 1);
            data.lock.loom_unlock_write();
        });
        let writer = spawn(&data, |data| write_add(data, 10));
        data.lock.loom_read();
        let seen = data.get();
        assert!(seen == 0 || seen == 1 || seen == 10 || seen == 11, "{seen}");
        data.lock.loom_unlock_read();
        upgrader.join().unwrap();
        writer.join().unwrap();
        data.lock.loom_read();
        assert_eq!(data.get(), 11);
        data.lock.loom_unlock_read();
    });
}

/// A downgrade admits readers at once: the downgraded writer keeps reading until a reader
/// that waited behind the write lock has got in (if the downgrade let nobody in, the model
/// would never end).
#[test]
fn a_downgrade_admits_readers() {
    check(|| {
        let data = plain();
        let reader_done = Arc::new(AtomicBool::new(false));
        let reader = {
            let reader_done = Arc::clone(&reader_done);
            spawn(&data, move |data| {
                data.lock.loom_read();
                assert!(data.get() <= 1);
                // Release: only a flag for the loop below.
                reader_done.store(true, Ordering::Release);
                data.lock.loom_unlock_read();
            })
        };
        data.lock.loom_write();
        data.set(1);
        data.lock.loom_downgrade();
        while !reader_done.load(Ordering::Acquire) {
            thread::yield_now();
        }
        assert_eq!(data.get(), 1);
        data.lock.loom_unlock_read();
        reader.join().unwrap();
    });
}

/// A writer that downgrades to an upgradable read keeps out another upgradable reader, lets
/// a reader in, and can upgrade again.
#[test]
fn downgrade_to_upgradable_and_back() {
    check(|| {
        let data = plain();
        let other = spawn(&data, |data| {
            data.lock.loom_upgradable();
            let seen = data.get();
            data.lock.loom_downgrade_upgradable();
            assert!(data.get() == seen);
            data.lock.loom_unlock_read();
        });
        data.lock.loom_write();
        data.set(1);
        data.lock.loom_downgrade_to_upgradable();
        assert_eq!(data.get(), 1);
        data.lock.loom_upgrade();
        data.set(2);
        data.lock.loom_unlock_write();
        other.join().unwrap();
    });
}

/// A writer that times out while draining a reader must let in the reader it held back (and
/// a timed-out wait that races the reader's unlock strands nobody).
#[test]
fn a_timed_out_writer_strands_no_reader() {
    check(|| {
        let data = plain();
        data.lock.loom_read();
        let writer = spawn(&data, |data| {
            if data.lock.loom_write_for(Duration::from_millis(1)) {
                data.set(data.get() + 1);
                data.lock.loom_unlock_write();
            }
        });
        let reader = spawn(&data, |data| {
            data.lock.loom_read();
            assert!(data.get() <= 1);
            data.lock.loom_unlock_read();
        });
        data.lock.loom_unlock_read();
        writer.join().unwrap();
        reader.join().unwrap();
        assert!(data.lock.loom_try_write());
        data.lock.loom_unlock_write();
    });
}

/// A timed-out writer waiting for the slot never strands a writer blocked beside it.
#[test]
fn a_timed_out_slot_waiter_strands_no_writer() {
    check(|| {
        let data = plain();
        data.lock.loom_write();
        let timed = spawn(&data, |data| {
            if data.lock.loom_write_for(Duration::from_millis(1)) {
                data.set(data.get() + 1);
                data.lock.loom_unlock_write();
            }
        });
        let blocked = spawn(&data, |data| write_add(data, 1));
        data.set(1);
        data.lock.loom_unlock_write();
        timed.join().unwrap();
        blocked.join().unwrap();
        assert!(data.lock.loom_try_write());
        assert!(data.get() >= 2);
        data.lock.loom_unlock_write();
    });
}

/// A timed-out reader never strands a reader blocked beside it.
#[test]
fn a_timed_out_reader_strands_no_reader() {
    check(|| {
        let data = plain();
        data.lock.loom_write();
        let timed = spawn(&data, |data| {
            if data.lock.loom_read_for(Duration::from_millis(1)) {
                assert_eq!(data.get(), 1);
                data.lock.loom_unlock_read();
            }
        });
        let blocked = spawn(&data, |data| {
            data.lock.loom_read();
            assert_eq!(data.get(), 1);
            data.lock.loom_unlock_read();
        });
        data.set(1);
        data.lock.loom_unlock_write();
        timed.join().unwrap();
        blocked.join().unwrap();
    });
}

/// A timed upgrade that gives up returns to an upgradable read: readers get in again, and
/// the lock ends free.
#[test]
fn a_timed_upgrade_gives_up_cleanly() {
    check(|| {
        let data = plain();
        data.lock.loom_read();
        let upgrader = spawn(&data, |data| {
            data.lock.loom_upgradable();
            if data.lock.loom_upgrade_for(Duration::from_millis(1)) {
                data.set(1);
                data.lock.loom_unlock_write();
            } else {
                data.lock.loom_unlock_upgradable();
            }
        });
        assert_eq!(data.get(), 0);
        data.lock.loom_unlock_read();
        upgrader.join().unwrap();
        assert!(data.lock.loom_try_write());
        data.lock.loom_unlock_write();
    });
}

/// The recursive lock: a reader holding the lock reads again while a writer waits (this
/// model would deadlock on the writer-preferring lock), and the writer still gets in.
#[test]
fn recursive_reads_pass_a_waiting_writer() {
    check(|| {
        let data: Arc<Guarded<true>> = Guarded::new();
        data.lock.loom_read();
        let writer = spawn(&data, |data| {
            data.lock.loom_write();
            data.set(1);
            data.lock.loom_unlock_write();
        });
        data.lock.loom_read();
        assert_eq!(data.get(), 0);
        data.lock.loom_unlock_read();
        data.lock.loom_unlock_read();
        writer.join().unwrap();
    });
}

/// Giving up the slot without writing (an upgradable reader that unlocks, or downgrades to a
/// plain read) wakes a writer waiting for the slot.
#[test]
fn an_upgradable_reader_leaving_wakes_a_waiting_writer() {
    check(|| {
        let data = plain();
        data.lock.loom_upgradable();
        let writer = spawn(&data, |data| write_add(data, 1));
        let second = spawn(&data, |data| {
            data.lock.loom_upgradable();
            let seen = data.get();
            data.lock.loom_unlock_upgradable();
            assert!(seen <= 1);
        });
        assert_eq!(data.get(), 0);
        data.lock.loom_downgrade_upgradable();
        assert_eq!(data.get(), 0);
        data.lock.loom_unlock_read();
        writer.join().unwrap();
        second.join().unwrap();
    });
}

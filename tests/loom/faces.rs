//! Loom checks of what exists for users' own models (the crate docs, "Model-check your own
//! code"): the lock_api faces under loom (`src/faces/model.rs`: raw types built on first use
//! in each execution), used exactly as outside loom (`Mutex`, `Condvar`, `FairMutex`,
//! `RwLock`), and guards that do nothing while a failed model unwinds.

use crate::check;
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;
use std::collections::VecDeque;
use threading::{
    Condition, Condvar, FairMutex, Mutex, RwLock, RwLockUpgradableReadGuard, RwLockWriteGuard,
};

/// Two values handed over through `Mutex` + `Condvar`, each notified after the unlock, with
/// the faces built by whichever thread uses them first: the receiver never misses a notify
/// (a miss is a loom deadlock) and gets both values, in order.
#[test]
fn faces_built_on_first_use_hand_over_after_the_unlock() {
    check(|| {
        let slot = Arc::new((Mutex::new(VecDeque::new()), Condvar::new()));
        let sender = {
            let slot = Arc::clone(&slot);
            thread::spawn(move || {
                for value in 1..=2 {
                    slot.0.lock().push_back(value);
                    slot.1.notify_one();
                }
            })
        };
        for expected in 1..=2 {
            let mut values = slot.0.lock();
            slot.1.wait_while(&mut values, |values| values.is_empty());
            assert_eq!(values.pop_front(), Some(expected));
        }
        sender.join().unwrap();
    });
}

/// A `Condvar` whose first use is a notify that comes before anything else (nobody waits
/// yet: harmless, and correct code). The receiver's wait is then its first use, and nothing
/// in the user's code orders it after the sender's build of the `Condvar`: the faces' own
/// first-use ordering must, or loom reports the build racing the wait as a causality
/// violation in correct code.
#[test]
fn a_face_first_used_by_another_thread_does_not_race_its_build() {
    check(|| {
        let slot = Arc::new((Mutex::new(None), Condvar::new()));
        let sender = {
            let slot = Arc::clone(&slot);
            thread::spawn(move || {
                slot.1.notify_one(); // nobody to wake yet
                *slot.0.lock() = Some(7);
                slot.1.notify_one();
            })
        };
        let mut value = slot.0.lock();
        slot.1.wait_while(&mut value, |value| value.is_none());
        assert_eq!(*value, Some(7));
        drop(value);
        sender.join().unwrap();
    });
}

/// A model whose main thread waits forever (nobody notifies) while holding a
/// `ConditionGuard` fails with loom's "deadlock", as a user's `should_panic` model expects:
/// when loom unwinds the sleeping thread, the guard's drop does nothing instead of touching
/// loom's atomics, which would panic again and abort the test binary.
#[test]
#[should_panic(expected = "deadlock")]
fn a_deadlocked_model_fails_instead_of_aborting() {
    check(|| {
        // std's `Arc`: dropping a loom `Arc` while loom unwinds can abort too.
        let cond = std::sync::Arc::new(Condition::new());
        let mut guard = cond.lock();
        guard.wait();
    });
}

/// Waits (yielding to loom) until a thread sleeps in `mutex`'s lock.
fn until_a_sleeper_is_counted<T>(mutex: &FairMutex<T>) {
    // SAFETY: `raw` is only read (for its `Lock`), never unlocked behind lock_api's back.
    let lock = unsafe { mutex.raw() }.as_ref();
    while threading::diagnostics::lock_sleepers(lock) == 0 {
        thread::yield_now();
    }
}

/// A `FairMutex` guard dropped while a thread sleeps in `lock` hands the lock to that
/// sleeper: the holder, locking again at once as a newcomer, gets it only after the sleeper
/// (with a plain unlock it could take it straight back, first).
#[test]
fn a_fair_mutex_unlock_hands_the_lock_to_its_sleeper() {
    check(|| {
        let turns = Arc::new(FairMutex::new(Vec::new()));
        let mut holder = turns.lock();
        let sleeper = {
            let turns = Arc::clone(&turns);
            thread::spawn(move || turns.lock().push("sleeper"))
        };
        until_a_sleeper_is_counted(&turns);
        holder.push("holder");
        drop(holder); // FairMutex: a fair unlock
        turns.lock().push("newcomer");
        sleeper.join().unwrap();
        let turns = turns.lock();
        assert_eq!(*turns, ["holder", "sleeper", "newcomer"], "the sleeper did not come next");
    });
}

/// A value that loom checks is only touched as the `RwLock` allows: a read racing a write
/// is a causality violation. (lock_api's own cell is std's, which loom cannot see.)
struct Checked(UnsafeCell<u32>);

// SAFETY: read only under a read guard and written only under a write guard of the one
// `RwLock` that holds it, which is what loom verifies.
unsafe impl Sync for Checked {}

impl Checked {
    fn new() -> Checked {
        Checked(UnsafeCell::new(0))
    }

    fn get(&self) -> u32 {
        // SAFETY: the caller holds a read (or stronger) guard; loom verifies it.
        self.0.with(|value| unsafe { *value })
    }

    fn add(&self, n: u32) {
        // SAFETY: the caller holds the write guard; loom verifies it.
        self.0.with_mut(|value| unsafe { *value += n });
    }
}

/// Two readers (one of them the main thread) and a writer on an `RwLock` built inside the
/// model: no read overlaps the write (loom checks every access), each reader sees the value
/// before or after the write, never anything else, and no one sleeps through a wake.
#[test]
fn rwlock_readers_and_a_writer_through_the_face() {
    check(|| {
        let lock = Arc::new(RwLock::new(Checked::new()));
        let writer = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || lock.write().add(1))
        };
        let reader = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || lock.read().get())
        };
        let seen = lock.read().get();
        assert!(seen <= 1, "{seen}");
        assert!(reader.join().unwrap() <= 1);
        writer.join().unwrap();
        assert_eq!(lock.read().get(), 1);
    });
}

/// An upgradable read that sees the value, upgrades, and writes from what it saw, while a
/// writer tries to get in: the upgrade is atomic (the writer comes wholly before the
/// upgradable read or wholly after the upgraded write, so no update is lost), and the
/// downgraded guard still reads what it wrote.
#[test]
fn rwlock_upgradable_read_upgrades_through_the_face() {
    check(|| {
        let lock = Arc::new(RwLock::new(Checked::new()));
        let writer = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || lock.write().add(1))
        };
        let upgradable = lock.upgradable_read();
        let seen = upgradable.get();
        let write = RwLockUpgradableReadGuard::upgrade(upgradable);
        assert_eq!(write.get(), seen, "a writer got in during the upgrade");
        write.add(10);
        let read = RwLockWriteGuard::downgrade(write);
        assert_eq!(read.get(), seen + 10);
        drop(read);
        writer.join().unwrap();
        assert_eq!(lock.read().get(), 11);
    });
}

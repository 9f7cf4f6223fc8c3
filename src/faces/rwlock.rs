//! [`RwLock<T>`] and [`RecursiveRwLock<T>`]: parking_lot 0.13's reader-writer locks, built
//! by lock_api 0.5 over [`RawRwLock`] (`src/rwlock.rs`, the primitive, which knows nothing
//! of lock_api) and [`RawRwLockRecursive`]. Every lock_api reader-writer trait that
//! parking_lot's `RawRwLock` implements is implemented here, once, and each operation is
//! the primitive's own. An unlock returns at once while a failed loom model unwinds
//! (`model_is_unwinding`, never true outside loom).

use super::raw::{GuardMarker, Primitive, RawRwLock, RawRwLockRecursive};
use crate::futex::Deadline;
use std::time::{Duration, Instant};

/// A reader-writer lock that owns its data: `lock_api::RwLock` over [`RawRwLock`], as
/// `parking_lot::RwLock`. `RwLock::new` is `const`.
///
/// Under `--cfg loom` it runs on loom's atomics and futex model, so loom checks code that
/// uses it: see [Model-check your own code](crate#model-check-your-own-code).
///
/// ```
/// use threading::{RwLock, RwLockUpgradableReadGuard};
///
/// static CONFIG: RwLock<Vec<String>> = RwLock::new(Vec::new());
///
/// CONFIG.write().push("a".into());
/// let (r1, r2) = (CONFIG.read(), CONFIG.read()); // readers share
/// assert!(CONFIG.try_write().is_none());
/// drop((r1, r2));
///
/// let seen = CONFIG.upgradable_read(); // shares with readers, excludes writers
/// if !seen.contains(&"b".to_string()) {
///     let mut write = RwLockUpgradableReadGuard::upgrade(seen); // nobody gets in between
///     write.push("b".into());
/// }
/// assert_eq!(*CONFIG.read(), ["a", "b"]);
/// ```
///
/// # Reading twice deadlocks while a writer waits
///
/// The lock is writer-preferring, as parking_lot's: once a writer waits for the readers to
/// leave, [`read`](lock_api::RwLock::read) (and `upgradable_read`) wait behind it, so a
/// stream of readers cannot starve writers. So a thread that already holds a read guard and
/// calls `read` again deadlocks if a writer started waiting in between: the writer waits for
/// the first guard, the second `read` waits for the writer. parking_lot users keep running
/// into this (its issue #212 for nested reads, #101 and #489 for the same policy around
/// upgradable reads). Code that may read recursively uses [`RecursiveRwLock`], whose readers
/// never wait for a merely waiting writer (at the cost of writers that can starve).
///
/// Fairness: `unlock_fair` and `bump` do not hand the lock to a waiter (`src/rwlock.rs`,
/// "fair unlock and bump", says exactly what they do).
pub type RwLock<T> = ::lock_api::RwLock<RawRwLock, T>;

/// Shared access to an [`RwLock`]'s data until dropped.
pub type RwLockReadGuard<'a, T> = ::lock_api::RwLockReadGuard<'a, RawRwLock, T>;

/// Exclusive access to an [`RwLock`]'s data until dropped.
pub type RwLockWriteGuard<'a, T> = ::lock_api::RwLockWriteGuard<'a, RawRwLock, T>;

/// Shared access that excludes writers and other upgradable readers, and can be upgraded
/// to exclusive access atomically.
pub type RwLockUpgradableReadGuard<'a, T> = ::lock_api::RwLockUpgradableReadGuard<'a, RawRwLock, T>;

/// An [`RwLockReadGuard`] narrowed to part of the data by `RwLockReadGuard::map`.
pub type MappedRwLockReadGuard<'a, T> = ::lock_api::MappedRwLockReadGuard<'a, RawRwLock, T>;

/// An [`RwLockWriteGuard`] narrowed to part of the data by `RwLockWriteGuard::map`.
pub type MappedRwLockWriteGuard<'a, T> = ::lock_api::MappedRwLockWriteGuard<'a, RawRwLock, T>;

/// A reader-writer lock whose nested reads never deadlock: `lock_api::RwLock` over
/// [`RawRwLockRecursive`], as `parking_lot::RecursiveRwLock`.
///
/// A reader enters whenever no writer *holds* the lock, or other readers are inside, even
/// while a writer waits; so a thread may take a read lock it already holds. What writers
/// pay: a writer waits until the readers happen to all be gone at once, which a steady
/// stream of overlapping readers can postpone forever (writers can starve).
///
/// Under `--cfg loom` it runs on loom's atomics and futex model, so loom checks code that
/// uses it: see [Model-check your own code](crate#model-check-your-own-code).
///
/// ```
/// use threading::RecursiveRwLock;
///
/// let lock = RecursiveRwLock::new(5);
/// let first = lock.read();
/// let second = lock.read(); // never deadlocks, whatever writers wait
/// assert_eq!(*first, *second);
/// ```
pub type RecursiveRwLock<T> = ::lock_api::RwLock<RawRwLockRecursive, T>;

/// Shared access to a [`RecursiveRwLock`]'s data until dropped.
pub type RecursiveRwLockReadGuard<'a, T> = ::lock_api::RwLockReadGuard<'a, RawRwLockRecursive, T>;

/// Exclusive access to a [`RecursiveRwLock`]'s data until dropped.
pub type RecursiveRwLockWriteGuard<'a, T> = ::lock_api::RwLockWriteGuard<'a, RawRwLockRecursive, T>;

/// The upgradable read guard of a [`RecursiveRwLock`].
pub type RecursiveRwLockUpgradableReadGuard<'a, T> =
    ::lock_api::RwLockUpgradableReadGuard<'a, RawRwLockRecursive, T>;

/// A [`RecursiveRwLockReadGuard`] narrowed by `map`.
pub type MappedRecursiveRwLockReadGuard<'a, T> =
    ::lock_api::MappedRwLockReadGuard<'a, RawRwLockRecursive, T>;

/// A [`RecursiveRwLockWriteGuard`] narrowed by `map`.
pub type MappedRecursiveRwLockWriteGuard<'a, T> =
    ::lock_api::MappedRwLockWriteGuard<'a, RawRwLockRecursive, T>;

// SAFETY: readers share and a writer is alone (the slot admits one writer, which
// enters only with no reader inside, and readers enter only while WRITER is clear
// or, for the recursive lock, while other readers are inside, which a holding
// writer rules out); entering is `Acquire` and leaving `Release`. Guards are
// stateless; a forgotten guard only leaves the lock held. Nothing here unwinds
// except the reader-count overflow panic, which comes before anything changed. An
// unlock skipped while a failed loom model unwinds ends an execution that loom
// explores no further.
unsafe impl<const RECURSIVE: bool> ::lock_api::RawRwLock for RawRwLock<RECURSIVE> {
    #[allow(clippy::declare_interior_mutable_const)] // lock_api's way to build statics.
    const INIT: Self = <Self as Primitive>::INIT;

    type SharedGuard = GuardMarker;
    type ExclusiveGuard = GuardMarker;

    #[inline]
    fn lock_shared(&self) -> GuardMarker {
        self.primitive().read();
        GuardMarker::new()
    }

    #[inline]
    fn try_lock_shared(&self) -> Option<GuardMarker> {
        self.primitive().try_read().then(GuardMarker::new)
    }

    #[inline]
    unsafe fn unlock_shared(&self, _guard: GuardMarker) {
        if crate::sync::model_is_unwinding() {
            return;
        }
        self.primitive().unlock_read();
    }

    #[inline]
    fn lock_exclusive(&self) -> GuardMarker {
        self.primitive().write();
        GuardMarker::new()
    }

    #[inline]
    fn try_lock_exclusive(&self) -> Option<GuardMarker> {
        self.primitive().try_write().then(GuardMarker::new)
    }

    #[inline]
    unsafe fn unlock_exclusive(&self, _guard: GuardMarker) {
        if crate::sync::model_is_unwinding() {
            return;
        }
        self.primitive().unlock_write();
    }

    fn is_locked(&self) -> bool {
        self.primitive().is_locked()
    }

    fn is_locked_exclusive(&self) -> bool {
        self.primitive().is_locked_exclusive()
    }
}

// SAFETY: as for `RawRwLock`: the fair forms are the plain unlocks, and a bump
// unlocks and locks again in the same mode (the module doc says what fairness this
// gives).
unsafe impl<const RECURSIVE: bool> ::lock_api::RawRwLockFair for RawRwLock<RECURSIVE> {
    unsafe fn unlock_shared_fair(&self, guard: GuardMarker) {
        // SAFETY: the caller holds a read lock, as `unlock_shared` requires.
        unsafe { ::lock_api::RawRwLock::unlock_shared(self, guard) }
    }

    unsafe fn unlock_exclusive_fair(&self, guard: GuardMarker) {
        // SAFETY: the caller holds the write lock, as `unlock_exclusive` requires.
        unsafe { ::lock_api::RawRwLock::unlock_exclusive(self, guard) }
    }

    unsafe fn bump_shared(&self, _guard: &mut GuardMarker) {
        self.primitive().bump_read();
    }

    unsafe fn bump_exclusive(&self, _guard: &mut GuardMarker) {
        self.primitive().bump_write();
    }
}

// SAFETY: a downgrade clears WRITER and adds our reader in one CAS, so no writer
// can enter in between; it is `Release`, so readers that enter next see the
// writer's data.
unsafe impl<const RECURSIVE: bool> ::lock_api::RawRwLockDowngrade for RawRwLock<RECURSIVE> {
    unsafe fn downgrade(&self, guard: GuardMarker) -> GuardMarker {
        self.primitive().downgrade();
        guard
    }
}

// SAFETY: as for `RawRwLock`; a timed-out attempt leaves nothing held (a writer
// that gives up while draining clears WRITER and wakes whom it held back), and
// waits end only at the deadline.
unsafe impl<const RECURSIVE: bool> ::lock_api::RawRwLockTimed for RawRwLock<RECURSIVE> {
    type Duration = Duration;
    type Instant = Instant;

    fn try_lock_shared_for(&self, timeout: Duration) -> Option<GuardMarker> {
        self.primitive().read_until(Deadline::after(timeout)).then(GuardMarker::new)
    }

    fn try_lock_shared_until(&self, deadline: Instant) -> Option<GuardMarker> {
        self.primitive().read_until(Deadline::at(deadline)).then(GuardMarker::new)
    }

    fn try_lock_exclusive_for(&self, timeout: Duration) -> Option<GuardMarker> {
        self.primitive().write_until(Deadline::after(timeout)).then(GuardMarker::new)
    }

    fn try_lock_exclusive_until(&self, deadline: Instant) -> Option<GuardMarker> {
        self.primitive().write_until(Deadline::at(deadline)).then(GuardMarker::new)
    }
}

// SAFETY: the upgradable reader owns the slot, so no writer or other upgradable
// reader enters while it holds it, and an upgrade keeps the slot throughout (one
// RMW turns it into WRITER, then the drain waits for the other readers, with
// `Acquire`).
unsafe impl<const RECURSIVE: bool> ::lock_api::RawRwLockUpgrade for RawRwLock<RECURSIVE> {
    type UpgradableGuard = GuardMarker;

    fn lock_upgradable(&self) -> GuardMarker {
        self.primitive().upgradable();
        GuardMarker::new()
    }

    fn try_lock_upgradable(&self) -> Option<GuardMarker> {
        self.primitive().try_upgradable().then(GuardMarker::new)
    }

    unsafe fn unlock_upgradable(&self, _guard: GuardMarker) {
        if crate::sync::model_is_unwinding() {
            return;
        }
        self.primitive().unlock_upgradable();
    }

    unsafe fn upgrade(&self, guard: GuardMarker) -> GuardMarker {
        self.primitive().upgrade();
        guard
    }

    unsafe fn try_upgrade(&self, guard: GuardMarker) -> Result<GuardMarker, GuardMarker> {
        if self.primitive().try_upgrade() { Ok(guard) } else { Err(guard) }
    }
}

// SAFETY: as for `RawRwLockFair`.
unsafe impl<const RECURSIVE: bool> ::lock_api::RawRwLockUpgradeFair for RawRwLock<RECURSIVE> {
    unsafe fn unlock_upgradable_fair(&self, guard: GuardMarker) {
        // SAFETY: the caller holds the upgradable lock, as `unlock_upgradable`
        // requires.
        unsafe { ::lock_api::RawRwLockUpgrade::unlock_upgradable(self, guard) }
    }

    unsafe fn bump_upgradable(&self, _guard: &mut GuardMarker) {
        self.primitive().bump_upgradable();
    }
}

// SAFETY: each is one CAS that keeps our reader counted, so nobody can take the
// lock exclusively in between; leaving WRITER is `Release`.
unsafe impl<const RECURSIVE: bool> ::lock_api::RawRwLockUpgradeDowngrade for RawRwLock<RECURSIVE> {
    unsafe fn downgrade_upgradable(&self, guard: GuardMarker) -> GuardMarker {
        self.primitive().downgrade_upgradable();
        guard
    }

    unsafe fn downgrade_to_upgradable(&self, guard: GuardMarker) -> GuardMarker {
        self.primitive().downgrade_to_upgradable();
        guard
    }
}

// SAFETY: as for `RawRwLockUpgrade` and `RawRwLockTimed`: an upgrade that gives up
// turns WRITER back into the upgradable read it started from, in one CAS.
unsafe impl<const RECURSIVE: bool> ::lock_api::RawRwLockUpgradeTimed for RawRwLock<RECURSIVE> {
    fn try_lock_upgradable_for(&self, timeout: Duration) -> Option<GuardMarker> {
        self.primitive().upgradable_until(Deadline::after(timeout)).then(GuardMarker::new)
    }

    fn try_lock_upgradable_until(&self, deadline: Instant) -> Option<GuardMarker> {
        self.primitive().upgradable_until(Deadline::at(deadline)).then(GuardMarker::new)
    }

    unsafe fn try_upgrade_for(
        &self,
        guard: GuardMarker,
        timeout: Duration,
    ) -> Result<GuardMarker, GuardMarker> {
        if self.primitive().upgrade_until(Deadline::after(timeout)) {
            Ok(guard)
        } else {
            Err(guard)
        }
    }

    unsafe fn try_upgrade_until(
        &self,
        guard: GuardMarker,
        deadline: Instant,
    ) -> Result<GuardMarker, GuardMarker> {
        if self.primitive().upgrade_until(Deadline::at(deadline)) { Ok(guard) } else { Err(guard) }
    }
}

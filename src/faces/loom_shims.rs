//! Under `cfg(loom)` only, and hidden: the bare raw locks with the operations that
//! `tests/loom` models call.
//!
//! Under loom a face's raw type is a [`Model`](crate::Model) (`src/faces/model.rs`), whose
//! first use in each thread is ordered by a loom lock; a model of the raw lock itself must
//! not have that ordering, or it would hide the weak orderings it looks for. So the loom
//! suite takes the bare locks from here, with their operations as plain methods, since
//! their lock_api traits belong to the faces' raw types (whose `INIT` a loom atomic cannot
//! be).

#![allow(missing_docs)] // Hidden: each method is the lock_api operation of the same name.

use crate::error::ReleaseError;
use crate::futex::Deadline;
use crate::lock::Lock;
pub use crate::raw_condvar::RawCondvar;
pub use crate::rwlock::RawRwLock;
use std::time::Duration;

/// The fair release and the bump of a [`Lock`] (lock_api's `unlock_fair`, `bump`).
pub trait LockShims {
    fn loom_release_fair(&self) -> Result<(), ReleaseError>;
    fn loom_bump(&self);
}

impl LockShims for Lock {
    fn loom_release_fair(&self) -> Result<(), ReleaseError> {
        self.release_fair()
    }

    fn loom_bump(&self) {
        self.bump();
    }
}

/// The condition variable's operations, over a bare [`Lock`].
pub trait RawCondvarShims {
    /// `Condvar::wait`: the caller holds `mutex`.
    fn loom_wait(&self, mutex: &Lock);
    /// `Condvar::wait_for`: true if the wait timed out.
    fn loom_wait_for(&self, mutex: &Lock, timeout: Duration) -> bool;
    /// `Condvar::wait_for` without the panic: `None` if threads wait with another mutex
    /// (the wait is refused, nothing changed), else whether it timed out.
    fn loom_try_wait_for(&self, mutex: &Lock, timeout: Duration) -> Option<bool>;
    fn loom_notify_one(&self) -> bool;
    fn loom_notify_all(&self) -> usize;
    /// How many threads are queued (a snapshot).
    fn loom_waiters(&self) -> usize;
}

impl RawCondvarShims for RawCondvar {
    fn loom_wait(&self, mutex: &Lock) {
        let notified = self.wait_on(mutex, Deadline::NEVER);
        debug_assert!(notified);
    }

    fn loom_wait_for(&self, mutex: &Lock, timeout: Duration) -> bool {
        !self.wait_on(mutex, Deadline::after(timeout))
    }

    fn loom_try_wait_for(&self, mutex: &Lock, timeout: Duration) -> Option<bool> {
        self.try_wait_on(mutex, Deadline::after(timeout)).map(|notified| !notified)
    }

    fn loom_notify_one(&self) -> bool {
        self.notify(1) == 1
    }

    fn loom_notify_all(&self) -> usize {
        self.notify(usize::MAX)
    }

    fn loom_waiters(&self) -> usize {
        self.waiters()
    }
}

/// The reader-writer lock's operations (`*_for`: true if taken in time).
pub trait RawRwLockShims {
    fn loom_read(&self);
    fn loom_try_read(&self) -> bool;
    fn loom_read_for(&self, timeout: Duration) -> bool;
    fn loom_unlock_read(&self);
    fn loom_write(&self);
    fn loom_try_write(&self) -> bool;
    fn loom_write_for(&self, timeout: Duration) -> bool;
    fn loom_unlock_write(&self);
    fn loom_upgradable(&self);
    fn loom_upgradable_for(&self, timeout: Duration) -> bool;
    fn loom_unlock_upgradable(&self);
    fn loom_upgrade(&self);
    fn loom_upgrade_for(&self, timeout: Duration) -> bool;
    fn loom_downgrade(&self);
    fn loom_downgrade_to_upgradable(&self);
    fn loom_downgrade_upgradable(&self);
}

impl<const RECURSIVE: bool> RawRwLockShims for RawRwLock<RECURSIVE> {
    fn loom_read(&self) {
        self.read();
    }
    fn loom_try_read(&self) -> bool {
        self.try_read()
    }
    fn loom_read_for(&self, timeout: Duration) -> bool {
        self.read_until(Deadline::after(timeout))
    }
    fn loom_unlock_read(&self) {
        self.unlock_read();
    }
    fn loom_write(&self) {
        self.write();
    }
    fn loom_try_write(&self) -> bool {
        self.try_write()
    }
    fn loom_write_for(&self, timeout: Duration) -> bool {
        self.write_until(Deadline::after(timeout))
    }
    fn loom_unlock_write(&self) {
        self.unlock_write();
    }
    fn loom_upgradable(&self) {
        self.upgradable();
    }
    fn loom_upgradable_for(&self, timeout: Duration) -> bool {
        self.upgradable_until(Deadline::after(timeout))
    }
    fn loom_unlock_upgradable(&self) {
        self.unlock_upgradable();
    }
    fn loom_upgrade(&self) {
        self.upgrade();
    }
    fn loom_upgrade_for(&self, timeout: Duration) -> bool {
        self.upgrade_until(Deadline::after(timeout))
    }
    fn loom_downgrade(&self) {
        self.downgrade();
    }
    fn loom_downgrade_to_upgradable(&self) {
        self.downgrade_to_upgradable();
    }
    fn loom_downgrade_upgradable(&self) {
        self.downgrade_upgradable();
    }
}

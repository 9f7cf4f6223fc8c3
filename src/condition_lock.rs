//! [`ConditionLock`]: the locks a [`Condition`](crate::Condition) can wait on, and what a
//! wait does with each. Python's `Condition(lock)` takes any lock with `_release_save`,
//! `_acquire_restore` and `_is_owned`; here the set is closed.
//!
//! * [`Lock`]: a wait releases it and re-takes it (`Lock::acquire_notified`, whose short
//!   spin suits a waiter whose notifier is about to let the lock go). "Held" means locked
//!   by anyone: a `Lock` has no owner, as Python's check of it has none.
//! * [`RLock`]: a wait releases every level of the holder's recursion and restores the
//!   same depth afterwards (Python's `_release_save` / `_acquire_restore`); "held" means
//!   owned by the calling thread. Its guards are `!Send`.
//! * `&L` and `Arc<L>` for either: the same, through the reference, so that several
//!   conditions share one lock. [`address`](ConditionLock::address) is the lock's own,
//!   which is how a condition recognises a guard of its lock taken through another.
//!
//! The trait is sealed, its items hidden: a condition relies on exactly how these release
//! and re-take (nothing between the two may unwind, `src/waiters.rs`), so no other type
//! may implement it.

use crate::error::ReleaseError;
use crate::lock::Lock;
use crate::rlock::RLock;
use std::sync::Arc;
use std::time::Duration;

/// A lock a [`Condition`](crate::Condition) can wait on: [`Lock`], [`RLock`], and references and `Arc`s of
/// them. Sealed: the condition relies on exactly how these release and re-take, so its
/// items are the crate's own (hidden) and no other type can implement it.
pub trait ConditionLock {
    /// What a wait must restore: nothing for a `Lock`, the recursion depth for an `RLock`.
    #[doc(hidden)]
    type Saved;
    /// Makes a guard `!Send` where the lock is owned by a thread (`RLock`).
    #[doc(hidden)]
    type GuardMarker;
    #[doc(hidden)]
    fn acquire(&self);
    #[doc(hidden)]
    fn try_acquire(&self) -> bool;
    #[doc(hidden)]
    fn acquire_timeout(&self, timeout: Duration) -> bool;
    #[doc(hidden)]
    fn release(&self) -> Result<(), ReleaseError>;
    /// Python's `_is_owned()`: `Ok` if the caller may wait and notify.
    #[doc(hidden)]
    fn held(&self) -> Result<(), ReleaseError>;
    /// Releases completely; the caller holds the lock (`held` said so).
    #[doc(hidden)]
    fn release_save(&self) -> Self::Saved;
    #[doc(hidden)]
    fn acquire_restore(&self, saved: Self::Saved);
    #[doc(hidden)]
    fn locked(&self) -> bool;
    /// The address of the lock itself: equal for every condition sharing it.
    #[doc(hidden)]
    fn address(&self) -> *const ();
    /// The seal: code outside this crate cannot name the argument's type, so it cannot
    /// write this method.
    #[doc(hidden)]
    fn sealed(_: sealed::Seal)
    where
        Self: Sized;
}

mod sealed {
    /// Nameable only inside the crate (a public type in a private module).
    pub struct Seal;
}

impl ConditionLock for Lock {
    type Saved = ();
    type GuardMarker = ();
    fn sealed(_: sealed::Seal) {}
    #[inline]
    fn acquire(&self) {
        Lock::acquire(self);
    }
    #[inline]
    fn try_acquire(&self) -> bool {
        Lock::try_acquire(self)
    }
    fn acquire_timeout(&self, timeout: Duration) -> bool {
        Lock::acquire_timeout(self, timeout)
    }
    #[inline]
    fn release(&self) -> Result<(), ReleaseError> {
        Lock::release(self)
    }
    fn held(&self) -> Result<(), ReleaseError> {
        if self.locked() { Ok(()) } else { Err(ReleaseError::Unlocked) }
    }
    #[inline]
    fn release_save(&self) {
        // Err only if another thread released our lock meanwhile (a Lock is not owned):
        // then there is nothing left to release.
        let _ = Lock::release(self);
    }
    #[inline]
    fn acquire_restore(&self, (): ()) {
        Lock::acquire_notified(self);
    }
    fn locked(&self) -> bool {
        Lock::locked(self)
    }
    fn address(&self) -> *const () {
        (self as *const Lock).cast()
    }
}

impl ConditionLock for RLock {
    type Saved = u32;
    type GuardMarker = *const ();
    fn sealed(_: sealed::Seal) {}
    fn acquire(&self) {
        RLock::acquire(self);
    }
    fn try_acquire(&self) -> bool {
        RLock::try_acquire(self)
    }
    fn acquire_timeout(&self, timeout: Duration) -> bool {
        RLock::acquire_timeout(self, timeout)
    }
    fn release(&self) -> Result<(), ReleaseError> {
        RLock::release(self)
    }
    fn held(&self) -> Result<(), ReleaseError> {
        if self.is_owned() { Ok(()) } else { Err(ReleaseError::NotOwner) }
    }
    fn release_save(&self) -> u32 {
        RLock::release_save(self)
    }
    fn acquire_restore(&self, depth: u32) {
        RLock::acquire_restore(self, depth);
    }
    fn locked(&self) -> bool {
        RLock::locked(self)
    }
    fn address(&self) -> *const () {
        (self as *const RLock).cast()
    }
}

/// Forwards every operation to the lock behind a reference or an `Arc`.
macro_rules! forward {
    ($($ty:ty),*) => {$(
        impl<L: ConditionLock> ConditionLock for $ty {
            type Saved = L::Saved;
            type GuardMarker = L::GuardMarker;
            fn sealed(_: sealed::Seal) {}
            #[inline]
            fn acquire(&self) {
                (**self).acquire()
            }
            #[inline]
            fn try_acquire(&self) -> bool {
                (**self).try_acquire()
            }
            fn acquire_timeout(&self, timeout: Duration) -> bool {
                (**self).acquire_timeout(timeout)
            }
            #[inline]
            fn release(&self) -> Result<(), ReleaseError> {
                (**self).release()
            }
            fn held(&self) -> Result<(), ReleaseError> {
                (**self).held()
            }
            #[inline]
            fn release_save(&self) -> L::Saved {
                (**self).release_save()
            }
            #[inline]
            fn acquire_restore(&self, saved: L::Saved) {
                (**self).acquire_restore(saved)
            }
            fn locked(&self) -> bool {
                (**self).locked()
            }
            fn address(&self) -> *const () {
                (**self).address()
            }
        }
    )*};
}
forward!(&L, Arc<L>);

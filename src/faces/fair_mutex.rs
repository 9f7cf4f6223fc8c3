//! [`FairMutex<T>`]: a [`Mutex`](crate::Mutex) whose every unlock is fair, parking_lot
//! 0.13's `FairMutex`, built by lock_api 0.5 over [`RawFairMutex`].
//!
//! [`Lock`](crate::Lock)'s plain release lets whoever comes first take the lock, which is
//! fast (the releasing thread often takes it straight back) but lets a running thread win
//! over sleeping ones again and again. A fair unlock hands a held lock to a sleeping waiter
//! instead (`src/lock.rs`, "fair release"), so threads that contend take turns, at the
//! price of a sleep and a wake-up per turn. `MutexGuard::unlock_fair` does that once;
//! `FairMutex` does it on every unlock, guard drops included. Python has no twin (its
//! locks promise no order).
//!
//! [`RawFairMutex`] is a [`RawMutex`] and nothing else (one word, 4 bytes); its `unlock` is
//! the raw mutex's fair one, every other operation the raw mutex's own. It wraps the
//! faces' `RawMutex` in both builds, so that under loom it stands on the model lock too.

use super::raw::{Primitive, RawMutex};
use crate::lock::Lock;
use core::fmt;

/// The raw lock under [`FairMutex`](crate::FairMutex): a [`Lock`] whose unlock is always
/// fair (as `parking_lot::RawFairMutex`).
pub struct RawFairMutex(RawMutex);

// SAFETY: every operation is the raw mutex's (whose lock_api impls say why they are
// sound); the plain unlock is its fair unlock, itself a sound `unlock`.
unsafe impl ::lock_api::RawMutex for RawFairMutex {
    #[allow(clippy::declare_interior_mutable_const)] // lock_api's way to build statics.
    const INIT: RawFairMutex = RawFairMutex(<RawMutex as ::lock_api::RawMutex>::INIT);

    type Guard = <RawMutex as ::lock_api::RawMutex>::Guard;

    #[inline]
    fn lock(&self) -> Self::Guard {
        ::lock_api::RawMutex::lock(&self.0)
    }

    #[inline]
    fn try_lock(&self) -> Option<Self::Guard> {
        ::lock_api::RawMutex::try_lock(&self.0)
    }

    #[inline]
    unsafe fn unlock(&self, guard: Self::Guard) {
        // SAFETY: the caller holds the lock, as `unlock` requires.
        unsafe { ::lock_api::RawMutexFair::unlock_fair(&self.0, guard) }
    }

    #[inline]
    fn is_locked(&self) -> bool {
        ::lock_api::RawMutex::is_locked(&self.0)
    }
}

// SAFETY: the raw mutex's own.
unsafe impl ::lock_api::RawMutexFair for RawFairMutex {
    #[inline]
    unsafe fn unlock_fair(&self, guard: Self::Guard) {
        // SAFETY: the caller holds the lock.
        unsafe { ::lock_api::RawMutexFair::unlock_fair(&self.0, guard) }
    }

    #[inline]
    unsafe fn bump(&self, guard: &mut Self::Guard) {
        // SAFETY: the caller holds the lock.
        unsafe { ::lock_api::RawMutexFair::bump(&self.0, guard) }
    }
}

// SAFETY: the raw mutex's own.
unsafe impl ::lock_api::RawMutexTimed for RawFairMutex {
    type Duration = <RawMutex as ::lock_api::RawMutexTimed>::Duration;
    type Instant = <RawMutex as ::lock_api::RawMutexTimed>::Instant;

    #[inline]
    fn try_lock_for(&self, timeout: Self::Duration) -> Option<Self::Guard> {
        ::lock_api::RawMutexTimed::try_lock_for(&self.0, timeout)
    }

    #[inline]
    fn try_lock_until(&self, deadline: Self::Instant) -> Option<Self::Guard> {
        ::lock_api::RawMutexTimed::try_lock_until(&self.0, deadline)
    }
}

/// The [`Lock`] inside (under loom, this execution's), for diagnostics such as
/// [`lock_sleepers`](crate::diagnostics::lock_sleepers). Its own `release` is the plain,
/// unfair one.
impl AsRef<Lock> for RawFairMutex {
    fn as_ref(&self) -> &Lock {
        self.0.primitive()
    }
}

impl fmt::Debug for RawFairMutex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawFairMutex")
            .field("locked", &::lock_api::RawMutex::is_locked(&self.0))
            .finish()
    }
}

/// A mutual-exclusion lock that owns its data and unlocks fairly: `lock_api::Mutex` over
/// [`RawFairMutex`], as `parking_lot::FairMutex`. Every unlock hands the lock to a
/// sleeping waiter if there is one, so contending threads take turns. `FairMutex::new` is
/// `const`; `FairMutex<()>` is 4 bytes.
///
/// Under `--cfg loom` it runs on loom's atomics and futex model, so loom checks code that
/// uses it: see [Model-check your own code](crate#model-check-your-own-code).
///
/// ```
/// use threading::FairMutex;
///
/// static TURNS: FairMutex<Vec<u32>> = FairMutex::new(Vec::new());
///
/// std::thread::scope(|s| {
///     for id in 0..2 {
///         s.spawn(move || {
///             for _ in 0..3 {
///                 TURNS.lock().push(id); // each unlock hands over to a sleeper, if any
///             }
///         });
///     }
/// });
/// assert_eq!(TURNS.lock().len(), 6);
/// ```
pub type FairMutex<T> = ::lock_api::Mutex<RawFairMutex, T>;

/// The guard of a [`FairMutex`]: the data, until dropped (which unlocks fairly).
pub type FairMutexGuard<'a, T> = ::lock_api::MutexGuard<'a, RawFairMutex, T>;

/// A [`FairMutexGuard`] narrowed to part of the data by `FairMutexGuard::map`.
pub type MappedFairMutexGuard<'a, T> = ::lock_api::MappedMutexGuard<'a, RawFairMutex, T>;

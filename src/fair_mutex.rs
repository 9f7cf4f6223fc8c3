//! [`FairMutex<T>`]: a [`Mutex`](crate::Mutex) whose every unlock is fair, parking_lot
//! 0.13's `FairMutex`, built by lock_api 0.5 over [`RawFairMutex`].
//!
//! # What it is
//!
//! [`Lock`]'s plain release lets whoever comes first take the lock, which is fast (the
//! releasing thread often takes it straight back) but lets a running thread win over
//! sleeping ones again and again. A fair unlock hands a held lock to a sleeping waiter
//! instead (`src/lock.rs`, "The fair unlock"), so threads that contend take turns, at the
//! price of a sleep and a wake-up per turn. `MutexGuard::unlock_fair` does that once;
//! `FairMutex` does it on every unlock, guard drops included. Python has no twin (its
//! locks promise no order).
//!
//! # The state
//!
//! [`RawFairMutex`] is a [`Lock`] and nothing else (one word, 4 bytes: `src/lock.rs` has
//! its table); `FairMutex<()>` is 4 bytes. Its `unlock` is `Lock`'s fair release; lock,
//! try_lock and the timed forms are `Lock`'s own.
//!
//! # What the tests prove
//!
//! `tests/fair_mutex.rs`: parking_lot's own FairMutex checks (exclusion under contention,
//! `try_lock`, `into_inner`, `get_mut`, poisoning-free panics, `unlock_fair`, `bump`), and
//! that two threads contending take turns. `tests/loom/lock.rs` checks the fair release
//! itself, `tests/loom/faces.rs` a `FairMutex` handing the lock to its sleeper through the
//! face under loom; `tests/sizes.rs` the size.

#[cfg(loom)]
use crate::faces_model::ModelLock;
use crate::lock::Lock;
use core::fmt;

/// The raw lock under [`FairMutex`](crate::FairMutex): a [`Lock`] whose unlock is always fair (as
/// `parking_lot::RawFairMutex`).
pub struct RawFairMutex(Lock);

/// lock_api's mutex traits for a fair raw mutex, written once: `$fair` is a newtype over
/// `$inner`, a raw mutex with `RawMutexFair`, and every operation is `$inner`'s, except that
/// the plain unlock is `$inner`'s fair one. [`RawFairMutex`] is one over [`Lock`]; under loom
/// [`ModelFairLock`] is one over `ModelLock` (`src/faces_model.rs`).
macro_rules! fair_raw_mutex {
    ($fair:ty, over $inner:ty, init: $init:expr) => {
        // SAFETY: every operation is the inner lock's (whose lock_api impls say why they
        // are sound); the plain unlock is its fair unlock, itself a sound `unlock`.
        unsafe impl ::lock_api::RawMutex for $fair {
            #[allow(clippy::declare_interior_mutable_const)] // lock_api's way to build statics.
            const INIT: $fair = $init;

            type Guard = <$inner as ::lock_api::RawMutex>::Guard;

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

        // SAFETY: the inner lock's own.
        unsafe impl ::lock_api::RawMutexFair for $fair {
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

        // SAFETY: the inner lock's own.
        unsafe impl ::lock_api::RawMutexTimed for $fair {
            type Duration = <$inner as ::lock_api::RawMutexTimed>::Duration;
            type Instant = <$inner as ::lock_api::RawMutexTimed>::Instant;

            #[inline]
            fn try_lock_for(&self, timeout: Self::Duration) -> Option<Self::Guard> {
                ::lock_api::RawMutexTimed::try_lock_for(&self.0, timeout)
            }

            #[inline]
            fn try_lock_until(&self, deadline: Self::Instant) -> Option<Self::Guard> {
                ::lock_api::RawMutexTimed::try_lock_until(&self.0, deadline)
            }
        }
    };
}

#[cfg(not(loom))]
fair_raw_mutex!(RawFairMutex, over Lock, init: RawFairMutex(Lock::new()));

#[cfg(loom)]
fair_raw_mutex!(ModelFairLock, over ModelLock, init: ModelFairLock::new());

/// The [`Lock`] inside, for diagnostics such as
/// [`lock_sleepers`](crate::diagnostics::lock_sleepers). Its own `release` is the plain,
/// unfair one.
impl AsRef<Lock> for RawFairMutex {
    fn as_ref(&self) -> &Lock {
        &self.0
    }
}

impl fmt::Debug for RawFairMutex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawFairMutex").field("locked", &self.0.locked()).finish()
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
#[cfg(not(loom))]
pub type FairMutex<T> = ::lock_api::Mutex<RawFairMutex, T>;

/// The guard of a [`FairMutex`]: the data, until dropped (which unlocks fairly).
#[cfg(not(loom))]
pub type FairMutexGuard<'a, T> = ::lock_api::MutexGuard<'a, RawFairMutex, T>;

/// A [`FairMutexGuard`] narrowed to part of the data by `FairMutexGuard::map`.
#[cfg(not(loom))]
pub type MappedFairMutexGuard<'a, T> = ::lock_api::MappedMutexGuard<'a, RawFairMutex, T>;

/// `FairMutex<T>` under loom: `lock_api::Mutex` over [`ModelFairLock`] (every unlock fair).
#[cfg(loom)]
pub type FairMutex<T> = ::lock_api::Mutex<ModelFairLock, T>;
/// `FairMutexGuard` under loom.
#[cfg(loom)]
pub type FairMutexGuard<'a, T> = ::lock_api::MutexGuard<'a, ModelFairLock, T>;
/// `MappedFairMutexGuard` under loom.
#[cfg(loom)]
pub type MappedFairMutexGuard<'a, T> = ::lock_api::MappedMutexGuard<'a, ModelFairLock, T>;

/// The raw mutex of [`FairMutex`] under loom: a [`ModelLock`] whose every unlock is its
/// fair one (as [`RawFairMutex`] over a [`Lock`]; the lock_api traits are the same
/// macro's, `fair_raw_mutex!` above).
#[cfg(loom)]
pub struct ModelFairLock(pub(crate) ModelLock);

#[cfg(loom)]
impl ModelFairLock {
    /// Not built yet (lock_api's `INIT`).
    pub(crate) const fn new() -> Self {
        ModelFairLock(ModelLock::new())
    }
}

/// The [`Lock`] of this execution, as [`RawFairMutex`](crate::RawFairMutex) gives its own.
/// Its own `release` is the plain, unfair one.
#[cfg(loom)]
impl AsRef<Lock> for ModelFairLock {
    fn as_ref(&self) -> &Lock {
        self.0.as_ref()
    }
}

#[cfg(loom)]
impl fmt::Debug for ModelFairLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ModelFairLock")
    }
}

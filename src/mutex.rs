//! Locks that own their data: [`Mutex<T>`] and [`ReentrantMutex<T>`], the faces of
//! parking_lot 0.13, built by lock_api 0.5 over this crate's [`Lock`]; and `Lock`'s
//! `lock_api::RawMutex` implementation that they (and [`Condvar`](crate::Condvar)) use.
//!
//! # What it is
//!
//! Python has no data-owning lock (a lock and the data it guards are separate objects);
//! Rust code expects one, so that the data can only be reached while the lock is held.
//! lock_api turns a raw lock into such a type; parking_lot 0.13 is lock_api over
//! parking_lot's raw locks. Here the same lock_api types are instantiated over:
//!
//! * [`Lock`] as the raw mutex (`lock_api::RawMutex` + `RawMutexTimed` + `RawMutexFair`,
//!   so guards have `unlock_fair` and `bump`; `src/fair_mutex.rs` has `FairMutex`): `Mutex<T>` is a
//!   `Lock` next to a `T`, so `Mutex<()>` is 4 bytes and `Mutex::new` is `const`;
//! * [`RawThreadId`] (this crate's never-reused thread ids) for `ReentrantMutex<T>`,
//!   whose owner check is lock_api's.
//!
//! so that code written for parking_lot compiles and behaves the same with
//! `use threading as parking_lot;` (`tests/lock_api.rs` is such code). Python's twin:
//! `Mutex<T>` is a `Lock` with the data it guards. The condition variable of these faces
//! is in `src/condvar.rs`.
//!
//! # The state
//!
//! The `Lock`'s one word (`src/lock.rs`); nothing else. Guards are `!Send`, as
//! parking_lot's (`Send` with the `send_guard` feature).
//!
//! # What the tests prove
//!
//! `tests/lock_api.rs`: parking_lot-style code against these types: a `const` `Mutex` in a
//! `static`, `try_lock_for`, `MutexGuard::map`, `into_inner`, `get_mut`, `ReentrantMutex`
//! nesting and owner checks. `tests/sizes.rs`: `Mutex<()>` is 4 bytes. The faces under
//! loom: `src/faces_model.rs`.

#[cfg(not(loom))]
use crate::lock::Lock;
/// The guards' marker, of every lock_api face here (mutexes and rwlocks): `!Send` as
/// parking_lot's by default; `Send` with the `send_guard` feature, as parking_lot's (sound
/// here: a `Lock` may be released by any thread, and the rwlocks track no owner either).
/// Under loom always `!Send`.
#[cfg(any(loom, not(feature = "send_guard")))]
pub(crate) type GuardMarker = ::lock_api::GuardNoSend;
/// The guards' marker: `Send`, by the `send_guard` feature.
#[cfg(all(not(loom), feature = "send_guard"))]
pub(crate) type GuardMarker = ::lock_api::GuardSend;
#[cfg(not(loom))]
use std::time::{Duration, Instant};

/// A mutual-exclusion lock that owns its data: `lock_api::Mutex` over [`Lock`], as
/// `parking_lot::Mutex`. `Mutex::new` is `const`; `Mutex<()>` is 4 bytes.
///
/// Under `--cfg loom` it runs on loom's atomics and futex model, so loom checks code that
/// uses it: see [Model-check your own code](crate#model-check-your-own-code).
///
/// ```
/// use threading::Mutex;
/// use std::time::Duration;
///
/// static COUNT: Mutex<u64> = Mutex::new(0);
///
/// *COUNT.lock() += 1;
/// let guard = COUNT.lock();
/// assert!(COUNT.try_lock_for(Duration::from_millis(1)).is_none());
/// assert_eq!(*guard, 1);
/// ```
#[cfg(not(loom))]
pub type Mutex<T> = ::lock_api::Mutex<Lock, T>;

/// The guard of a [`Mutex`]: the data, until dropped. `!Send`, as parking_lot's (unless the `send_guard` feature is on).
#[cfg(not(loom))]
pub type MutexGuard<'a, T> = ::lock_api::MutexGuard<'a, Lock, T>;

/// A [`MutexGuard`] narrowed to part of the data by `MutexGuard::map`.
#[cfg(not(loom))]
pub type MappedMutexGuard<'a, T> = ::lock_api::MappedMutexGuard<'a, Lock, T>;

/// A mutex its holder may lock again: `lock_api::ReentrantMutex` over [`Lock`] and this
/// crate's thread ids, as `parking_lot::ReentrantMutex`. Gives shared access only (`&T`).
///
/// Under `--cfg loom` it runs on loom's atomics and futex model, so loom checks code that
/// uses it: see [Model-check your own code](crate#model-check-your-own-code).
///
/// ```
/// use threading::ReentrantMutex;
/// use std::cell::Cell;
///
/// let m = ReentrantMutex::new(Cell::new(0));
/// let outer = m.lock();
/// let inner = m.lock(); // the holder re-enters: no deadlock
/// inner.set(inner.get() + 1);
/// drop(inner);
/// assert_eq!(outer.get(), 1);
/// ```
#[cfg(not(loom))]
pub type ReentrantMutex<T> = ::lock_api::ReentrantMutex<Lock, RawThreadId, T>;

/// The guard of a [`ReentrantMutex`]: one level of it.
#[cfg(not(loom))]
pub type ReentrantMutexGuard<'a, T> = ::lock_api::ReentrantMutexGuard<'a, Lock, RawThreadId, T>;

/// A [`ReentrantMutexGuard`] narrowed by `ReentrantMutexGuard::map`.
#[cfg(not(loom))]
pub type MappedReentrantMutexGuard<'a, T> =
    ::lock_api::MappedReentrantMutexGuard<'a, Lock, RawThreadId, T>;

#[cfg(not(loom))]
// SAFETY: `Lock` gives mutual exclusion; acquiring is `Acquire` and releasing `Release`
// (src/lock.rs). Guards are stateless, and a forgotten guard only leaves the lock held.
// Nothing here unwinds.
unsafe impl ::lock_api::RawMutex for Lock {
    #[allow(clippy::declare_interior_mutable_const)] // lock_api's way to build statics.
    const INIT: Lock = Lock::new();

    type Guard = GuardMarker;

    #[inline]
    fn lock(&self) -> Self::Guard {
        self.acquire();
        GuardMarker::new()
    }

    #[inline]
    fn try_lock(&self) -> Option<Self::Guard> {
        self.try_acquire().then(GuardMarker::new)
    }

    #[inline]
    unsafe fn unlock(&self, _guard: Self::Guard) {
        let released = self.release();
        debug_assert!(released.is_ok(), "lock_api unlocks only a held lock");
    }

    #[inline]
    fn is_locked(&self) -> bool {
        self.locked()
    }
}

#[cfg(not(loom))]
// SAFETY: as for `RawMutex`; a timed-out attempt leaves nothing held, and `acquire_timeout`
// never gives up before its deadline.
unsafe impl ::lock_api::RawMutexTimed for Lock {
    type Duration = Duration;
    type Instant = Instant;

    fn try_lock_for(&self, timeout: Duration) -> Option<Self::Guard> {
        self.acquire_timeout(timeout).then(GuardMarker::new)
    }

    fn try_lock_until(&self, deadline: Instant) -> Option<Self::Guard> {
        // The duration is measured after `deadline` was set, so the wait ends no earlier.
        self.try_lock_for(deadline.saturating_duration_since(Instant::now()))
    }
}

#[cfg(not(loom))]
// SAFETY: as for `RawMutex`: a fair unlock either releases (as `unlock`) or hands the held
// lock to a sleeper with a `Release` that its `Acquire` claim pairs with (src/lock.rs);
// `bump` ends holding the lock again.
unsafe impl ::lock_api::RawMutexFair for Lock {
    #[inline]
    unsafe fn unlock_fair(&self, _guard: Self::Guard) {
        let released = self.release_fair();
        debug_assert!(released.is_ok(), "lock_api unlocks only a held lock");
    }

    #[inline]
    unsafe fn bump(&self, _guard: &mut Self::Guard) {
        Lock::bump(self);
    }
}

/// The thread ids of [`ReentrantMutex`](crate::ReentrantMutex): the crate's own (as
/// `RLock`'s), unique among every thread the process ever ran and never 0.
#[derive(Debug)]
pub struct RawThreadId;

// SAFETY: ids come from a global counter per thread, so no two live threads share one, and
// a thread always gets the same id (src/rlock.rs).
unsafe impl ::lock_api::GetThreadId for RawThreadId {
    #[allow(clippy::declare_interior_mutable_const)] // lock_api's way to build statics.
    const INIT: RawThreadId = RawThreadId;

    fn nonzero_thread_id(&self) -> core::num::NonZeroUsize {
        core::num::NonZeroUsize::new(crate::rlock::current_thread_id())
            .expect("thread ids start at 1")
    }
}

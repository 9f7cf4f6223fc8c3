//! [`Mutex<T>`] and [`ReentrantMutex<T>`]: the data-owning locks of parking_lot 0.13, built
//! by lock_api 0.5 over [`RawMutex`] (the crate's [`Lock`](crate::Lock)), and the `lock_api::RawMutex`,
//! `RawMutexTimed` and `RawMutexFair` implementations that they, [`FairMutex`] and
//! [`Condvar`] stand on.
//!
//! Python has no data-owning lock (a lock and the data it guards are separate objects);
//! Rust code expects one, so that the data can only be reached while the lock is held.
//! `Mutex<T>` is a `Lock` next to a `T`: `Mutex<()>` is 4 bytes and `Mutex::new` is
//! `const`. `ReentrantMutex<T>`'s owner check is lock_api's, with the crate's thread ids
//! ([`RawThreadId`]). Every operation is the `Lock`'s own (`src/lock.rs`); a fair unlock is
//! its handoff to a sleeper, so guards have `unlock_fair` and `bump`.
//!
//! [`FairMutex`]: crate::FairMutex
//! [`Condvar`]: crate::Condvar

use super::raw::{GuardMarker, Primitive, RawMutex};
use crate::thread_id;
use std::time::{Duration, Instant};

/// A mutual-exclusion lock that owns its data: `lock_api::Mutex` over [`Lock`](crate::Lock), as
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
pub type Mutex<T> = ::lock_api::Mutex<RawMutex, T>;

/// The guard of a [`Mutex`]: the data, until dropped. `!Send`, as parking_lot's (unless the `send_guard` feature is on).
pub type MutexGuard<'a, T> = ::lock_api::MutexGuard<'a, RawMutex, T>;

/// A [`MutexGuard`] narrowed to part of the data by `MutexGuard::map`.
pub type MappedMutexGuard<'a, T> = ::lock_api::MappedMutexGuard<'a, RawMutex, T>;

/// A mutex its holder may lock again: `lock_api::ReentrantMutex` over [`Lock`](crate::Lock) and this
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
pub type ReentrantMutex<T> = ::lock_api::ReentrantMutex<RawMutex, RawThreadId, T>;

/// The guard of a [`ReentrantMutex`]: one level of it.
pub type ReentrantMutexGuard<'a, T> = ::lock_api::ReentrantMutexGuard<'a, RawMutex, RawThreadId, T>;

/// A [`ReentrantMutexGuard`] narrowed by `ReentrantMutexGuard::map`.
pub type MappedReentrantMutexGuard<'a, T> =
    ::lock_api::MappedReentrantMutexGuard<'a, RawMutex, RawThreadId, T>;

// SAFETY: `Lock` gives mutual exclusion; acquiring is `Acquire` and releasing `Release`
// (src/lock.rs). Guards are stateless, and a forgotten guard only leaves the lock held.
// Nothing here unwinds. An unlock skipped while a failed loom model unwinds
// (`model_is_unwinding`, never true outside loom) ends an execution that loom explores no
// further.
unsafe impl ::lock_api::RawMutex for RawMutex {
    #[allow(clippy::declare_interior_mutable_const)] // lock_api's way to build statics.
    const INIT: RawMutex = <RawMutex as Primitive>::INIT;

    type Guard = GuardMarker;

    #[inline]
    fn lock(&self) -> GuardMarker {
        self.primitive().acquire();
        GuardMarker::new()
    }

    #[inline]
    fn try_lock(&self) -> Option<GuardMarker> {
        self.primitive().try_acquire().then(GuardMarker::new)
    }

    #[inline]
    unsafe fn unlock(&self, _guard: GuardMarker) {
        if crate::sync::model_is_unwinding() {
            return;
        }
        let released = self.primitive().release();
        debug_assert!(released.is_ok(), "lock_api unlocks only a held lock");
    }

    #[inline]
    fn is_locked(&self) -> bool {
        self.primitive().locked()
    }
}

// SAFETY: as for `RawMutex`; a timed-out attempt leaves nothing held, and `acquire_timeout`
// never gives up before its deadline.
unsafe impl ::lock_api::RawMutexTimed for RawMutex {
    type Duration = Duration;
    type Instant = Instant;

    fn try_lock_for(&self, timeout: Duration) -> Option<GuardMarker> {
        self.primitive().acquire_timeout(timeout).then(GuardMarker::new)
    }

    fn try_lock_until(&self, deadline: Instant) -> Option<GuardMarker> {
        // The duration is measured after `deadline` was set, so the wait ends no earlier.
        self.try_lock_for(deadline.saturating_duration_since(Instant::now()))
    }
}

// SAFETY: as for `RawMutex`: a fair unlock either releases (as `unlock`) or hands the held
// lock to a sleeper with a `Release` that its `Acquire` claim pairs with (src/lock.rs);
// `bump` ends holding the lock again.
unsafe impl ::lock_api::RawMutexFair for RawMutex {
    #[inline]
    unsafe fn unlock_fair(&self, _guard: GuardMarker) {
        if crate::sync::model_is_unwinding() {
            return;
        }
        let released = self.primitive().release_fair();
        debug_assert!(released.is_ok(), "lock_api unlocks only a held lock");
    }

    #[inline]
    unsafe fn bump(&self, _guard: &mut GuardMarker) {
        self.primitive().bump();
    }
}

/// The thread ids of [`ReentrantMutex`](crate::ReentrantMutex): the crate's own (as
/// `RLock`'s), unique among every thread the process ever ran and never 0.
#[derive(Debug)]
pub struct RawThreadId;

// SAFETY: ids come from a global counter per thread, so no two live threads share one, and
// a thread always gets the same id (src/thread_id.rs).
unsafe impl ::lock_api::GetThreadId for RawThreadId {
    #[allow(clippy::declare_interior_mutable_const)] // lock_api's way to build statics.
    const INIT: RawThreadId = RawThreadId;

    fn nonzero_thread_id(&self) -> core::num::NonZeroUsize {
        core::num::NonZeroUsize::new(thread_id::current()).expect("thread ids start at 1")
    }
}

//! The raw types under the faces in this build: the one place where loom changes what a
//! face stands on.
//!
//! Outside loom each is the crate's own raw lock: [`RawMutex`] is [`Lock`], [`RawCondvar`]
//! the raw condition variable of `src/raw_condvar.rs`, [`RawRwLock`] the primitive of
//! `src/rwlock.rs`. Under loom each is a [`Model`] of the same raw lock, built on first use
//! in each execution (`src/faces/model.rs` says why). The lock_api traits are implemented
//! once, for these names (`src/faces/{mutex,condvar,rwlock}.rs`), and reach the raw lock
//! through [`Primitive::primitive`]: itself, or the model's lock of this execution.
//!
//! The guards' marker lives here too: every face's guard is `!Send`, as parking_lot's, or
//! `Send` with the `send_guard` feature (sound: a `Lock` may be released by any thread, and
//! the rwlocks track no owner either); under loom always `!Send`.

#[cfg(not(loom))]
use crate::lock::Lock;
#[cfg(loom)]
use {crate::faces::model::Model, crate::lock::Lock};

/// A face's raw type: what it stands on, and how lock_api builds it.
pub(crate) trait Primitive {
    /// The crate's raw lock underneath.
    type Of;
    /// The value lock_api's `INIT` builds.
    const INIT: Self;
    /// The raw lock: `self`, or under loom this execution's.
    fn primitive(&self) -> &Self::Of;
}

/// The raw lock under [`Mutex`](crate::Mutex), [`ReentrantMutex`](crate::ReentrantMutex)
/// and [`FairMutex`](crate::FairMutex): [`Lock`] (as `parking_lot::RawMutex`).
#[cfg(not(loom))]
pub type RawMutex = Lock;
#[cfg(not(loom))]
pub use crate::raw_condvar::RawCondvar;
#[cfg(not(loom))]
pub use crate::rwlock::RawRwLock;

/// The raw lock under the mutex faces, under loom: a [`Lock`] built on first use.
#[cfg(loom)]
pub type RawMutex = Model<Lock>;
/// The raw condition variable under [`Condvar`](crate::Condvar), under loom: built on
/// first use.
#[cfg(loom)]
pub type RawCondvar = Model<crate::raw_condvar::RawCondvar>;
/// The raw reader-writer lock under [`RwLock`](crate::RwLock) and
/// [`RecursiveRwLock`](crate::RecursiveRwLock), under loom: built on first use.
#[cfg(loom)]
pub type RawRwLock<const RECURSIVE: bool = false> = Model<crate::rwlock::RawRwLock<RECURSIVE>>;

/// The raw lock under [`RecursiveRwLock`](crate::RecursiveRwLock): a reader never waits
/// for a writer that is only waiting, so nested reads never deadlock (and writers can
/// starve), as parking_lot's `RawRwLockRecursive`.
pub type RawRwLockRecursive = RawRwLock<true>;

#[cfg(not(loom))]
impl Primitive for Lock {
    type Of = Lock;
    #[allow(clippy::declare_interior_mutable_const)] // lock_api's way to build statics.
    const INIT: Lock = Lock::new();
    #[inline]
    fn primitive(&self) -> &Lock {
        self
    }
}

#[cfg(not(loom))]
impl Primitive for RawCondvar {
    type Of = RawCondvar;
    #[allow(clippy::declare_interior_mutable_const)] // lock_api's way to build statics.
    const INIT: RawCondvar = RawCondvar::new();
    #[inline]
    fn primitive(&self) -> &RawCondvar {
        self
    }
}

#[cfg(not(loom))]
impl<const RECURSIVE: bool> Primitive for RawRwLock<RECURSIVE> {
    type Of = RawRwLock<RECURSIVE>;
    #[allow(clippy::declare_interior_mutable_const)] // lock_api's way to build statics.
    const INIT: Self = RawRwLock::new();
    #[inline]
    fn primitive(&self) -> &Self {
        self
    }
}

#[cfg(loom)]
impl<T: Default> Primitive for Model<T> {
    type Of = T;
    #[allow(clippy::declare_interior_mutable_const)] // lock_api's way to build faces.
    const INIT: Self = Model::unbuilt();
    #[inline]
    fn primitive(&self) -> &T {
        self.get()
    }
}

/// The guards' marker of every face: `!Send`, as parking_lot's.
#[cfg(any(loom, not(feature = "send_guard")))]
pub(crate) type GuardMarker = ::lock_api::GuardNoSend;
/// The guards' marker of every face: `Send`, by the `send_guard` feature.
#[cfg(all(not(loom), feature = "send_guard"))]
pub(crate) type GuardMarker = ::lock_api::GuardSend;

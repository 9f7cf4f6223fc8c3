//! parking_lot 0.13's face: the data-owning locks and the condition variable that Rust code
//! expects, built by lock_api 0.5 over the crate's own raw locks, so that code written for
//! parking_lot compiles and behaves the same with `use threading as parking_lot;`.
//!
//! lock_api only wraps: the locking is the primitives' (`src/lock.rs`, `src/rwlock.rs`,
//! `src/raw_condvar.rs`), which never import this wing. One file per face:
//!
//! | file | faces | raw type |
//! |---|---|---|
//! | `mutex.rs` | `Mutex<T>`, `ReentrantMutex<T>` and their guards | [`RawMutex`] (the `Lock`), [`RawThreadId`] |
//! | `fair_mutex.rs` | `FairMutex<T>` | [`RawFairMutex`]: a `RawMutex` whose unlock is fair |
//! | `condvar.rs` | `Condvar` | [`RawCondvar`] |
//! | `rwlock.rs` | `RwLock<T>`, `RecursiveRwLock<T>` and their guards | [`RawRwLock`], [`RawRwLockRecursive`] |
//!
//! Under loom, lock_api's `INIT` constants cannot hold a loom atomic, so each raw type is
//! a [`Model`](crate::Model) of the crate's raw lock, built on first use (`model.rs`). That
//! choice is made in one place, `raw.rs`; each lock_api trait is implemented once, for the
//! raw type of this build, and the faces themselves are the same type aliases in both
//! builds. `loom_shims.rs` (hidden) lends the bare raw locks to `tests/loom`.

mod condvar;
mod fair_mutex;
#[cfg(loom)]
pub mod loom_shims;
#[cfg(loom)]
mod model;
mod mutex;
mod raw;
mod rwlock;

pub use condvar::{Condvar, WaitTimeoutResult};
pub use fair_mutex::{FairMutex, FairMutexGuard, MappedFairMutexGuard, RawFairMutex};
#[cfg(loom)]
pub use model::Model;
pub use mutex::{
    MappedMutexGuard, MappedReentrantMutexGuard, Mutex, MutexGuard, RawThreadId, ReentrantMutex,
    ReentrantMutexGuard,
};
pub use raw::{RawCondvar, RawMutex, RawRwLock, RawRwLockRecursive};
pub use rwlock::{
    MappedRecursiveRwLockReadGuard, MappedRecursiveRwLockWriteGuard, MappedRwLockReadGuard,
    MappedRwLockWriteGuard, RecursiveRwLock, RecursiveRwLockReadGuard,
    RecursiveRwLockUpgradableReadGuard, RecursiveRwLockWriteGuard, RwLock, RwLockReadGuard,
    RwLockUpgradableReadGuard, RwLockWriteGuard,
};

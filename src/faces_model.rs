//! Under `cfg(loom)` only: what the lock_api faces ([`Mutex`], [`ReentrantMutex`],
//! [`Condvar`], and through their own files [`FairMutex`], [`RwLock`], [`RecursiveRwLock`])
//! need to run in loom models, so that code written on them is model-checked unchanged.
//!
//! # Why a file of its own
//!
//! lock_api builds every face from a constant: `Mutex::new` is `const` and takes its lock
//! from `RawMutex::INIT`, `RwLock::new` from `RawRwLock::INIT`, `Condvar::new` from
//! `RawCondvar::INIT`, and lock_api 0.5 has no other way to build a `Condvar`. A constant
//! cannot hold a loom atomic: a loom atomic is an entry in the state of one execution of one
//! model, created by a call (there is no `const` `new`). So under loom the raw types of the
//! faces hold a [`ModelCell`]: a constant that holds no atomic yet, and builds the crate's
//! [`Lock`], [`RawRwLock`] (or [`RawCondvar`]) the first time it is used, inside the
//! execution that uses it. From then on every operation is the crate's own, on loom's
//! atomics and futex model. This file holds the cell and the raw types of the faces over
//! [`Lock`] and [`RawCondvar`] ([`ModelLock`], [`ModelCondvar`]); the raw types of
//! [`FairMutex`] and [`RwLock`] (`ModelFairLock`, `ModelRwLock`) sit beside their real ones
//! in `src/fair_mutex.rs` and `src/rwlock.rs`, whose lock_api traits are written once, by a
//! macro, for both.
//!
//! [`FairMutex`]: crate::FairMutex
//! [`RwLock`]: crate::RwLock
//! [`RecursiveRwLock`]: crate::RecursiveRwLock
//! [`RawRwLock`]: crate::RawRwLock
//!
//! # The state
//!
//! [`ModelCell`]: `built_in`, a std `AtomicU64` (0: not built yet; 1: being built; any
//! other value: the number of the loom execution that built it), `build_number` (a std
//! `AtomicU64`: this build's number, unique in the process), and the value itself.
//! Executions are numbered by a `loom::lazy_static!` that takes the next number from a
//! process-wide counter: loom builds its lazy statics afresh for every execution. Each loom
//! thread keeps the build numbers of the values it has used in a loom `thread_local!`
//! (`USED_HERE`), which loom also keeps per thread of one execution.
//!
//! # The protocol
//!
//! A use in execution `e` finds `built_in == e` and uses the value; or finds 0, claims it
//! (CAS to 1), builds the value and publishes `e`; or finds anything else and panics: the
//! value was built in another execution (a plain `static`, which outlives loom's executions,
//! or one value shared by two models on two test threads), and a loom atomic of another
//! execution means nothing in this one. The panic says to declare such a static with
//! `loom::lazy_static!`. Building needs no care about loom's threads: they all run on one
//! OS thread and only switch at loom operations, and creating a loom atomic is not one.
//!
//! Each loom thread's first use of a value (its build number not yet in `USED_HERE`) goes
//! through one loom `Mutex` (`FIRST_USES`, a `loom::lazy_static!`), and the build happens
//! under it: so every thread is ordered after the build, as real code is ordered after a
//! value's construction. Without that, loom sees the build (which creates the value's loom
//! atomics and cells) race with another thread's use, and reports a causality violation in
//! correct code (a notify after the unlock). The price: a thread's first use is also
//! ordered after every earlier first use, which real code need not be; later uses add
//! nothing. The set is keyed by build number, not address: a value dropped and another
//! built at its address is a new value, whose first use must be ordered again.
//!
//! Orderings of `built_in`: the CAS claims (`Acquire`, so nothing of the value is read
//! before it), the `Release` store publishes the built value (and its build number) and
//! the `Acquire` load sees it; they matter only across OS threads (two models), where the
//! value is refused anyway.
//!
//! Every unlock returns at once while a failed model unwinds (`model_is_unwinding`): loom
//! unwinds every thread then, and an atomic operation in a guard's drop would abort the
//! test binary instead of failing the model.
//!
//! # What the tests prove
//!
//! `tests/loom/faces.rs`: values handed over through `Mutex` + `Condvar` built on first use
//! by either thread (a thread whose first use comes after another's build is not reported
//! as racing it), a `FairMutex` unlock handing the lock to its sleeper, readers and a writer
//! of an `RwLock` never inside together, and an upgradable read upgraded through the face
//! with no writer in between; `scripts/teeth/faces_*.toml` break each of these (and the
//! unwinding guard) and are caught. `tests/downstream/tests/model.rs`: a bounded buffer on
//! `Mutex` + two `Condvar`s and a cache on an `RwLock` pass their models, and each with its
//! classic bug is caught.
//!

use crate::condvar::RawCondvar;
use crate::lock::Lock;
use crate::mutex::RawThreadId;
use ::lock_api::GuardNoSend;
use core::cell::{RefCell, UnsafeCell};
use core::fmt;
use core::mem::MaybeUninit;
use std::sync::atomic::{AtomicU64, Ordering::*};
use std::time::{Duration, Instant};

/// `Mutex<T>` under loom: `lock_api::Mutex` over [`ModelLock`]. `Mutex::new` works in a
/// model; a `static` one must be a `loom::lazy_static!`.
pub type Mutex<T> = ::lock_api::Mutex<ModelLock, T>;
/// `MutexGuard` under loom.
pub type MutexGuard<'a, T> = ::lock_api::MutexGuard<'a, ModelLock, T>;
/// `MappedMutexGuard` under loom.
pub type MappedMutexGuard<'a, T> = ::lock_api::MappedMutexGuard<'a, ModelLock, T>;
/// `ReentrantMutex<T>` under loom: over [`ModelLock`] and the crate's thread ids.
pub type ReentrantMutex<T> = ::lock_api::ReentrantMutex<ModelLock, RawThreadId, T>;
/// `ReentrantMutexGuard` under loom.
pub type ReentrantMutexGuard<'a, T> =
    ::lock_api::ReentrantMutexGuard<'a, ModelLock, RawThreadId, T>;
/// `MappedReentrantMutexGuard` under loom.
pub type MappedReentrantMutexGuard<'a, T> =
    ::lock_api::MappedReentrantMutexGuard<'a, ModelLock, RawThreadId, T>;
/// `Condvar` under loom: `lock_api::Condvar` over [`ModelCondvar`].
pub type Condvar = ::lock_api::Condvar<ModelCondvar>;
/// Not built yet.
const NOT_BUILT: u64 = 0;
/// Being built (by a thread of another model, if seen).
const BUILDING: u64 = 1;

/// Numbers the executions of loom models (2, 3, ...: 0 and 1 are the states above).
static EXECUTIONS: AtomicU64 = AtomicU64::new(2);

loom::lazy_static! {
    // Built afresh, with the next number, in every execution of every model.
    static ref THIS_EXECUTION: u64 = EXECUTIONS.fetch_add(1, Relaxed); // Relaxed: a unique id.
}

/// Numbers every build of every value, process-wide, so that a value's number is never
/// another's (an address can be: a value dropped and another built in its place).
static BUILDS: AtomicU64 = AtomicU64::new(1);

crate::sync::thread_local! {
    // The build numbers of the values this loom thread has used, each first through
    // `FIRST_USES`. loom keeps a thread local per thread of one execution.
    static USED_HERE: RefCell<Vec<u64>> = RefCell::new(Vec::new());
}

/// A value built on its first use in a loom execution (the module doc says why and how).
pub(crate) struct ModelCell<T> {
    built_in: AtomicU64,
    /// The `BUILDS` number of this build: written before `built_in` publishes it.
    build_number: AtomicU64,
    value: UnsafeCell<MaybeUninit<T>>,
    build: fn() -> T,
}

loom::lazy_static! {
    // Every thread's first use of every value: built (by the first) and ordered after the
    // build (for the others) under this one lock of loom's. A lazy static, because loom
    // orders each use of one after its build, which a value built on first use is not.
    static ref FIRST_USES: loom::sync::Mutex<()> = loom::sync::Mutex::new(());
}

// SAFETY: the value is written once, before `built_in` publishes it (Release/Acquire), and
// only shared afterwards; a thread of another execution never gets a reference to it.
unsafe impl<T: Send + Sync> Sync for ModelCell<T> {}

impl<T> ModelCell<T> {
    pub(crate) const fn new(build: fn() -> T) -> Self {
        ModelCell {
            built_in: AtomicU64::new(NOT_BUILT),
            value: UnsafeCell::new(MaybeUninit::uninit()),
            build_number: AtomicU64::new(0),
            build,
        }
    }

    /// The value of this execution, built now if this is its first use.
    pub(crate) fn get(&self) -> &T {
        let this_execution = *THIS_EXECUTION;
        // Relaxed: `built_in`'s Acquire ordered the number's store before this load.
        let used_before = self.built_in.load(Acquire) == this_execution
            && USED_HERE.with(|used| used.borrow().contains(&self.build_number.load(Relaxed)));
        if !used_before {
            self.first_use(this_execution);
        }
        // SAFETY: built in this execution (by `first_use`, published by `built_in`).
        unsafe { (*self.value.get()).assume_init_ref() }
    }

    /// This thread's first use: builds the value if nobody has yet, and is ordered after
    /// the build by `FIRST_USES` (whose unlock, after the build, is a `Release`, and whose
    /// lock an `Acquire`).
    #[cold]
    fn first_use(&self, this_execution: u64) {
        let _serial = FIRST_USES.lock().unwrap();
        let built_in = self.built_in.load(Acquire);
        if built_in != this_execution {
            let claimed = built_in == NOT_BUILT
                && self.built_in.compare_exchange(NOT_BUILT, BUILDING, Acquire, Relaxed).is_ok();
            assert!(
                claimed,
                "a lock_api face of threading (Mutex, RwLock, Condvar, ...) was used by two loom executions: \
                 under loom a `static` one must be declared with `loom::lazy_static!` (which \
                 builds it afresh for every execution), and one value must not be shared by \
                 two models"
            );
            // SAFETY: the claim makes this thread the only one to touch the value now.
            unsafe { (*self.value.get()).write((self.build)()) };
            // Relaxed: a unique number; `built_in`'s Release publishes it with the value.
            self.build_number.store(BUILDS.fetch_add(1, Relaxed), Relaxed);
            self.built_in.store(this_execution, Release);
        }
        // Relaxed: read by this thread only after the load above, or written by it just now.
        let number = self.build_number.load(Relaxed);
        USED_HERE.with(|used| used.borrow_mut().push(number));
    }
}

impl<T> Drop for ModelCell<T> {
    fn drop(&mut self) {
        if !matches!(*self.built_in.get_mut(), NOT_BUILT | BUILDING) {
            // SAFETY: built, and dropped only here.
            unsafe { self.value.get_mut().assume_init_drop() };
        }
    }
}

/// The raw mutex of the faces under loom: a [`Lock`] built on first use in the execution.
pub struct ModelLock(ModelCell<Lock>);

/// The raw condition variable of the faces under loom: a [`RawCondvar`] built on first use
/// in the execution.
pub struct ModelCondvar(ModelCell<RawCondvar>);

impl ModelLock {
    /// Not built yet (lock_api's `INIT`).
    pub(crate) const fn new() -> Self {
        ModelLock(ModelCell::new(Lock::new))
    }
}

impl fmt::Debug for ModelLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ModelLock")
    }
}

/// The [`Lock`] of this execution (built now if this is its first use), for diagnostics
/// such as [`lock_sleepers`](crate::diagnostics::lock_sleepers): outside loom the raw lock
/// of a `Mutex` is a `Lock` itself.
impl AsRef<Lock> for ModelLock {
    fn as_ref(&self) -> &Lock {
        self.0.get()
    }
}

impl fmt::Debug for ModelCondvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ModelCondvar")
    }
}

// SAFETY: the `Lock` gives mutual exclusion (src/lock.rs); a guard dropped while a failed
// model unwinds releases nothing, and that execution is not explored further.
unsafe impl ::lock_api::RawMutex for ModelLock {
    #[allow(clippy::declare_interior_mutable_const)] // lock_api's way to build faces.
    const INIT: ModelLock = ModelLock::new();

    type Guard = GuardNoSend;

    fn lock(&self) -> GuardNoSend {
        self.0.get().acquire();
        GuardNoSend::new()
    }

    fn try_lock(&self) -> Option<GuardNoSend> {
        self.0.get().try_acquire().then(GuardNoSend::new)
    }

    unsafe fn unlock(&self, _guard: GuardNoSend) {
        if crate::sync::model_is_unwinding() {
            return;
        }
        let released = self.0.get().release();
        debug_assert!(released.is_ok(), "lock_api unlocks only a held lock");
    }

    fn is_locked(&self) -> bool {
        self.0.get().locked()
    }
}

// SAFETY: as above; a timed-out attempt leaves nothing held.
unsafe impl ::lock_api::RawMutexTimed for ModelLock {
    type Duration = Duration;
    type Instant = Instant;

    fn try_lock_for(&self, timeout: Duration) -> Option<GuardNoSend> {
        self.0.get().acquire_timeout(timeout).then(GuardNoSend::new)
    }

    fn try_lock_until(&self, deadline: Instant) -> Option<GuardNoSend> {
        self.try_lock_for(deadline.saturating_duration_since(Instant::now()))
    }
}

// SAFETY: as above, and as `Lock`'s own (src/mutex.rs): a fair unlock releases or hands
// the held lock to a sleeper; `bump` ends holding the lock again.
unsafe impl ::lock_api::RawMutexFair for ModelLock {
    unsafe fn unlock_fair(&self, _guard: GuardNoSend) {
        if crate::sync::model_is_unwinding() {
            return;
        }
        let released = self.0.get().release_fair();
        debug_assert!(released.is_ok(), "lock_api unlocks only a held lock");
    }

    unsafe fn bump(&self, _guard: &mut GuardNoSend) {
        self.0.get().bump();
    }
}

// SAFETY: as `RawCondvar`'s own implementation (src/condvar.rs), which these calls are.
unsafe impl ::lock_api::RawCondvar for ModelCondvar {
    #[allow(clippy::declare_interior_mutable_const)] // lock_api's way to build faces.
    const INIT: ModelCondvar = ModelCondvar(ModelCell::new(RawCondvar::new));

    type RawMutex = ModelLock;

    unsafe fn wait(&self, mutex: &ModelLock, _guard: &mut GuardNoSend) {
        self.0.get().wait(mutex.0.get());
    }

    fn notify_one(&self) -> bool {
        self.0.get().notify_one()
    }

    fn notify_all(&self) -> usize {
        self.0.get().notify_all()
    }
}

// SAFETY: as above; under loom a timed wait may time out without sleeping.
unsafe impl ::lock_api::RawCondvarTimed for ModelCondvar {
    fn checked_duration_to_instant(timeout: &Duration) -> Option<Instant> {
        Instant::now().checked_add(*timeout)
    }

    unsafe fn wait_until(
        &self,
        mutex: &ModelLock,
        _guard: &mut GuardNoSend,
        deadline: &Instant,
    ) -> bool {
        self.0.get().wait_for(mutex.0.get(), deadline.saturating_duration_since(Instant::now()))
    }

    unsafe fn wait_for(
        &self,
        mutex: &ModelLock,
        _guard: &mut GuardNoSend,
        timeout: &Duration,
    ) -> bool {
        self.0.get().wait_for(mutex.0.get(), *timeout)
    }
}

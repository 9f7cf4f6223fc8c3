//! Under `cfg(loom)` only: [`Model<T>`], a raw lock built on its first use in each loom
//! execution, which is what every lock_api face stands on under loom (`src/faces/raw.rs`).
//!
//! # Why
//!
//! lock_api builds every face from a constant: `Mutex::new` is `const` and takes its lock
//! from `RawMutex::INIT`, `RwLock::new` from `RawRwLock::INIT`, `Condvar::new` from
//! `RawCondvar::INIT`, and lock_api 0.5 has no other way to build a `Condvar`. A constant
//! cannot hold a loom atomic: a loom atomic is an entry in the state of one execution of one
//! model, created by a call (there is no `const` `new`). So under loom a face's raw type is
//! a `Model` of the crate's raw lock: a constant that holds no atomic yet and builds the
//! lock the first time it is used, inside the execution that uses it. From then on every
//! operation is the crate's own, on loom's atomics and futex model.
//!
//! # The state
//!
//! `built_in`, a std `AtomicU64` (0: not built yet; 1: being built; any other value: the
//! number of the loom execution that built it), `build_number` (a std `AtomicU64`: this
//! build's number, unique in the process), and the value itself. Executions are numbered by
//! a `loom::lazy_static!` that takes the next number from a process-wide counter: loom
//! builds its lazy statics afresh for every execution. Each loom thread keeps the build
//! numbers of the values it has used in a loom `thread_local!` (`USED_HERE`), which loom
//! also keeps per thread of one execution.
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
//! built at its address is a new value, whose first use must be ordered again. (This
//! ordering is why `tests/loom` models the raw locks themselves, not their models.)
//!
//! Orderings of `built_in`: the CAS claims (`Acquire`, so nothing of the value is read
//! before it), the `Release` store publishes the built value (and its build number) and
//! the `Acquire` load sees it; they matter only across OS threads (two models), where the
//! value is refused anyway.

use core::cell::{RefCell, UnsafeCell};
use core::fmt;
use core::mem::MaybeUninit;
use std::sync::atomic::{AtomicU64, Ordering::*};

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

loom::lazy_static! {
    // Every thread's first use of every value: built (by the first) and ordered after the
    // build (for the others) under this one lock of loom's. A lazy static, because loom
    // orders each use of one after its build, which a value built on first use is not.
    static ref FIRST_USES: loom::sync::Mutex<()> = loom::sync::Mutex::new(());
}

/// Under loom only: a raw lock of the crate (`T`: a `Lock`, `RawCondvar` or `RawRwLock`)
/// built on its first use in each loom execution, so that a lock_api face, which is built
/// from a constant, runs on loom's atomics. The faces' raw types under loom are these
/// ([`RawMutex`](crate::RawMutex), [`RawCondvar`](crate::RawCondvar),
/// [`RawRwLock`](crate::RawRwLock)); a `static` one must be declared with
/// `loom::lazy_static!`.
pub struct Model<T> {
    built_in: AtomicU64,
    /// The `BUILDS` number of this build: written before `built_in` publishes it.
    build_number: AtomicU64,
    value: UnsafeCell<MaybeUninit<T>>,
    build: fn() -> T,
}

// SAFETY: the value is written once, before `built_in` publishes it (Release/Acquire), and
// only shared afterwards; a thread of another execution never gets a reference to it.
unsafe impl<T: Send + Sync> Sync for Model<T> {}

impl<T: Default> Model<T> {
    /// Not built yet (lock_api's `INIT`).
    pub(crate) const fn unbuilt() -> Self {
        Model {
            built_in: AtomicU64::new(NOT_BUILT),
            value: UnsafeCell::new(MaybeUninit::uninit()),
            build_number: AtomicU64::new(0),
            build: T::default,
        }
    }
}

impl<T> Model<T> {
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

/// The raw lock of this execution (built now if this is its first use), for diagnostics
/// such as [`lock_sleepers`](crate::diagnostics::lock_sleepers): outside loom a face's
/// raw lock is the crate's own.
impl<T> AsRef<T> for Model<T> {
    fn as_ref(&self) -> &T {
        self.get()
    }
}

impl<T> Drop for Model<T> {
    fn drop(&mut self) {
        if !matches!(*self.built_in.get_mut(), NOT_BUILT | BUILDING) {
            // SAFETY: built, and dropped only here.
            unsafe { self.value.get_mut().assume_init_drop() };
        }
    }
}

impl<T> fmt::Debug for Model<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Model<{}>", core::any::type_name::<T>())
    }
}

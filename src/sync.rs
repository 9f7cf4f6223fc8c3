//! The switch between real atomics and loom's model-checked ones.
//!
//! Every primitive imports its atomics, its `UnsafeCell`, its `thread_local!` and its
//! threads from here, never from `core` or `std` directly. A normal build gets the real
//! things; a build with `RUSTFLAGS="--cfg loom"` gets loom's instrumented versions, so that
//! `tests/loom/` explores every interleaving and every weak-memory outcome the orderings
//! allow. Nothing else in the crate needs to know which is which. (How long a waiter spins
//! before it sleeps is `src/spin.rs`.)

#[cfg(not(loom))]
pub(crate) use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

#[cfg(loom)]
pub(crate) use loom::thread_local;
#[cfg(not(loom))]
pub(crate) use std::thread_local;

// Timer owns a thread and shares its state with it: under loom both must be loom's, so
// that the model schedules the timer's thread and tracks the shared state's lifetime.
#[cfg(loom)]
pub(crate) use loom::{sync::Arc, thread};
#[cfg(not(loom))]
pub(crate) use std::{sync::Arc, thread};

/// Whether this thread is unwinding out of a loom model (never true without loom). Then
/// guards and other unwind-time clean-ups do nothing: loom unwinds every thread's stack
/// once an execution has failed (a deadlock, a panic), and an atomic operation there would
/// panic again inside a destructor, which aborts the process instead of failing the model:
/// a user's `#[should_panic(expected = "deadlock")]` model could not pass. Nothing is lost,
/// since the failed execution is not explored any further.
#[inline]
pub(crate) fn model_is_unwinding() -> bool {
    cfg!(loom) && std::thread::panicking()
}

/// `core::cell::UnsafeCell` with loom's closure-based interface, so that code written
/// against it is checked by loom for unsynchronised access and compiles unchanged without it.
#[cfg(not(loom))]
#[derive(Debug, Default)]
pub(crate) struct UnsafeCell<T>(core::cell::UnsafeCell<T>);

#[cfg(not(loom))]
#[allow(dead_code)] // Used by the primitives that keep data behind their own lock.
impl<T> UnsafeCell<T> {
    pub(crate) const fn new(value: T) -> Self {
        Self(core::cell::UnsafeCell::new(value))
    }

    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

#[cfg(loom)]
#[allow(unused_imports)] // Used by the primitives that keep data behind their own lock.
pub(crate) use loom::cell::UnsafeCell;

/// Declares a constructor that is a `const fn` in normal builds (so `static L: Lock =
/// Lock::new();` works) and a plain `fn` under loom, whose atomics cannot be built in
/// const context. One body, two signatures.
macro_rules! const_fn_unless_loom {
    ($(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty $body:block) => {
        #[cfg(not(loom))]
        $(#[$attr])*
        $vis const fn $name($($arg: $ty),*) -> $ret $body

        #[cfg(loom)]
        $(#[$attr])*
        $vis fn $name($($arg: $ty),*) -> $ret $body
    };
}
pub(crate) use const_fn_unless_loom;
